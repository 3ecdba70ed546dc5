//! Drafts, previews, issuing.

use tauri::State;
use zhifa_app::AppError;
use zhifa_app::documents::{DocumentView, Preview};

use crate::Shared;

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn documents_of(s: State<'_, Shared>, inspection_id: String) -> Result<Vec<DocumentView>, AppError> {
    s.0.lock().await.documents_of(&inspection_id)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn prepare_document(
    s: State<'_, Shared>,
    inspection_id: String,
    doc_type: String,
) -> Result<DocumentView, AppError> {
    s.0.lock().await.prepare_document(&inspection_id, &doc_type)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn preview_document(s: State<'_, Shared>, id: String) -> Result<Preview, AppError> {
    s.0.lock().await.preview_document(&id)
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn issue_document(s: State<'_, Shared>, id: String) -> Result<DocumentView, AppError> {
    s.0.lock().await.issue_document(&id)
}
