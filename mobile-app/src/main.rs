//! Desktop entry point of the Zhifa tablet app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    zhifa_tablet::run();
}
