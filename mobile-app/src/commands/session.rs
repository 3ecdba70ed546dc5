//! Login, lock, unlock, logout.

use serde::Serialize;
use tauri::State;
use zhifa_app::session::LoginOutcome;
use zhifa_app::{AppError, OfficerView};

use crate::Shared;

/// What the start screen needs.
#[derive(Debug, Serialize)]
pub(crate) struct AppStatus {
    last_login: Option<String>,
    officer: Option<OfficerView>,
    locked: bool,
    server: String,
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn app_status(s: State<'_, Shared>) -> Result<AppStatus, AppError> {
    let app = s.0.lock().await;
    let (officer, locked) = match app.session_officer() {
        Some((o, l)) => (Some(o.clone()), l),
        None => (None, false),
    };
    Ok(AppStatus { last_login: app.last_login()?, officer, locked, server: app.config().server_url.clone() })
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn login(s: State<'_, Shared>, login: String, password: String) -> Result<LoginOutcome, AppError> {
    s.0.lock().await.login(&login, &password).await
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn lock(s: State<'_, Shared>) -> Result<(), AppError> {
    s.0.lock().await.lock();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn unlock(s: State<'_, Shared>, password: String) -> Result<OfficerView, AppError> {
    s.0.lock().await.unlock(&password)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn logout(s: State<'_, Shared>) -> Result<(), AppError> {
    s.0.lock().await.logout()
}
