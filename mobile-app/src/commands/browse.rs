//! Home, enterprise search and file, hazards, library.

use tauri::State;
use zhifa_app::AppError;
use zhifa_app::browse::{EnterpriseFile, HazardView, Home};
use zhifa_store::{EnterpriseHit, ItemHit, LawHit};

use crate::Shared;

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn home(s: State<'_, Shared>) -> Result<serde_json::Value, AppError> {
    let app = s.0.lock().await;
    let home: Home = app.home()?;
    let mut v = serde_json::to_value(&home).map_err(|e| AppError::rule("INTERNAL", e.to_string()))?;
    v["clock_warning"] = serde_json::to_value(app.clock_warning()?).unwrap_or_default();
    v["unfinished_prints"] = serde_json::to_value(app.unfinished_prints()?.len()).unwrap_or_default();
    Ok(v)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn search_enterprises(s: State<'_, Shared>, q: String) -> Result<Vec<EnterpriseHit>, AppError> {
    s.0.lock().await.search_enterprises(&q)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn enterprise_file(s: State<'_, Shared>, id: String) -> Result<EnterpriseFile, AppError> {
    s.0.lock().await.enterprise_file(&id)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn hazards(s: State<'_, Shared>) -> Result<Vec<HazardView>, AppError> {
    s.0.lock().await.hazards()
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn search_laws(s: State<'_, Shared>, q: String) -> Result<Vec<LawHit>, AppError> {
    s.0.lock().await.search_laws(&q)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn search_items(s: State<'_, Shared>, q: String) -> Result<Vec<ItemHit>, AppError> {
    s.0.lock().await.search_items(&q)
}
