//! Tauri 2 shell of the Zhifa tablet app. Commands only translate arguments and delegate
//! to [`zhifa_app::App`]; errors reach the UI as `{code, message}`.
//!
//! Configuration by environment (defaults in brackets): `ZHIFA_DATA_DIR` [the platform's
//! app data folder], `ZHIFA_SERVER` [`http://127.0.0.1:8080`].

mod commands;

use std::path::PathBuf;

use tauri::Manager;
use zhifa_app::{App, AppConfig, SystemClock};

/// The app behind an async mutex: a sync holds it across network awaits.
pub struct Shared(pub tokio::sync::Mutex<App>);

/// Opens the app in `data_dir`.
pub fn open_app(data_dir: PathBuf, server: &str) -> Result<App, zhifa_app::AppError> {
    App::open(AppConfig::new(&data_dir, server), Box::new(SystemClock))
}

/// Runs the app (desktop and mobile entry point).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tauri::Builder::default()
        .plugin(zhifa_spp_plugin::init())
        .setup(|app| {
            let data_dir = match std::env::var_os("ZHIFA_DATA_DIR") {
                Some(d) => PathBuf::from(d),
                None => app.path().app_data_dir()?,
            };
            let server = std::env::var("ZHIFA_SERVER").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
            let mut core = open_app(data_dir, &server).map_err(|e| format!("[{}] {}", e.code(), e.message()))?;
            // `bluetooth` printers: SPP through the plugin's Kotlin half on Android.
            core.set_bluetooth_connector(zhifa_spp_plugin::connector(app.handle()));
            app.manage(Shared(tokio::sync::Mutex::new(core)));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_status,
            commands::session::login,
            commands::session::lock,
            commands::session::unlock,
            commands::session::logout,
            commands::browse::home,
            commands::browse::search_enterprises,
            commands::browse::enterprise_file,
            commands::browse::hazards,
            commands::browse::search_laws,
            commands::browse::search_items,
            commands::inspect::colleagues,
            commands::inspect::modules_for,
            commands::inspect::start_inspection,
            commands::inspect::inspection_view,
            commands::inspect::answer,
            commands::inspect::update_hazard,
            commands::inspect::finish_inspection,
            commands::inspect::add_photo,
            commands::inspect::add_signature,
            commands::inspect::evidence_of,
            commands::inspect::review_hazard,
            commands::documents::documents_of,
            commands::documents::prepare_document,
            commands::documents::preview_document,
            commands::documents::issue_document,
            commands::printing::printer,
            commands::printing::set_printer,
            commands::printing::print_document,
            commands::printing::resume_print,
            commands::printing::print_log,
            commands::sync::sync_now,
            commands::sync::refused_changes,
            commands::sync::conflicts,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("执法通无法启动：{e}");
            std::process::exit(1);
        });
}
