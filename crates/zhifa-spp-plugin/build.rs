//! Registers the plugin with tauri-plugin: `mobile`/`desktop` cfg aliases, the Android library
//! in `android/` (its Gradle build gets Tauri's Android API copied to `android/.tauri/`), and the
//! plugin's permissions (none: see `COMMANDS`).

/// Commands the webview may call through `invoke("plugin:zhifa-spp|…")`. None: only Rust calls
/// the Kotlin commands (`run_mobile_plugin`, a direct JNI call that no capability gates), so
/// the front end cannot open Bluetooth links behind the print queue's back.
const COMMANDS: &[&str] = &[];

fn main() {
    tauri_plugin::Builder::new(COMMANDS).android_path("android").build();
}
