//! Inspections, answers, hazards, photos and signatures.

use tauri::State;
use zhifa_app::AppError;
use zhifa_app::inspect::{Colleague, EvidenceView, InspectionView, ItemView, ModuleOption};

use crate::Shared;
use crate::commands::b64;

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn colleagues(s: State<'_, Shared>) -> Result<Vec<Colleague>, AppError> {
    s.0.lock().await.colleagues()
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn modules_for(s: State<'_, Shared>, enterprise_id: String) -> Result<Vec<ModuleOption>, AppError> {
    s.0.lock().await.modules_for(&enterprise_id)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn start_inspection(
    s: State<'_, Shared>,
    enterprise_id: String,
    colleague_id: String,
    modules: Vec<String>,
    task_id: Option<String>,
) -> Result<InspectionView, AppError> {
    s.0.lock().await.start_inspection(&enterprise_id, &colleague_id, &modules, task_id.as_deref())
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn inspection_view(s: State<'_, Shared>, id: String) -> Result<InspectionView, AppError> {
    s.0.lock().await.inspection_view(&id)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn answer(
    s: State<'_, Shared>,
    inspection_id: String,
    item_id: String,
    result: String,
    note: String,
) -> Result<ItemView, AppError> {
    s.0.lock().await.answer(&inspection_id, &item_id, &result, &note)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn update_hazard(
    s: State<'_, Shared>,
    hazard_id: String,
    major: bool,
    rectify_days: Option<u32>,
) -> Result<(), AppError> {
    s.0.lock().await.update_hazard(&hazard_id, major, rectify_days)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn finish_inspection(s: State<'_, Shared>, id: String) -> Result<InspectionView, AppError> {
    s.0.lock().await.finish_inspection(&id)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn add_photo(
    s: State<'_, Shared>,
    inspection_id: String,
    hazard_id: Option<String>,
    data: String,
    lat: Option<f64>,
    lng: Option<f64>,
) -> Result<EvidenceView, AppError> {
    let bytes = b64(&data)?;
    let position = lat.zip(lng);
    s.0.lock().await.add_photo(&inspection_id, hazard_id.as_deref(), &bytes, position)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn add_signature(
    s: State<'_, Shared>,
    inspection_id: String,
    data: String,
) -> Result<EvidenceView, AppError> {
    let bytes = b64(&data)?;
    s.0.lock().await.add_signature(&inspection_id, &bytes)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn evidence_of(s: State<'_, Shared>, inspection_id: String) -> Result<Vec<EvidenceView>, AppError> {
    s.0.lock().await.evidence_of(&inspection_id)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn review_hazard(
    s: State<'_, Shared>,
    hazard_id: String,
    passed: bool,
) -> Result<zhifa_app::browse::HazardView, AppError> {
    s.0.lock().await.review_hazard(&hazard_id, passed)
}
