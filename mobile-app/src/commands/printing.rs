//! Printer settings and print jobs; progress as `print-progress` events.

use tauri::{AppHandle, Emitter, State};
use zhifa_app::AppError;
use zhifa_app::printing::PrinterConfig;
use zhifa_store::PrintJob;

use crate::Shared;

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn printer(s: State<'_, Shared>) -> Result<PrinterConfig, AppError> {
    s.0.lock().await.printer()
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn set_printer(s: State<'_, Shared>, config: PrinterConfig) -> Result<PrinterConfig, AppError> {
    s.0.lock().await.set_printer(&config)
}

fn progress(h: &AppHandle) -> impl FnMut(u64, u64) + '_ {
    move |done, total| {
        let _ = h.emit("print-progress", serde_json::json!({ "done": done, "total": total }));
    }
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn print_document(h: AppHandle, s: State<'_, Shared>, id: String) -> Result<PrintJob, AppError> {
    let mut app = s.0.lock().await;
    tokio::task::block_in_place(|| app.print_document(&id, &mut progress(&h)))
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn resume_print(h: AppHandle, s: State<'_, Shared>, job_id: i64) -> Result<PrintJob, AppError> {
    let mut app = s.0.lock().await;
    tokio::task::block_in_place(|| app.resume_print(job_id, &mut progress(&h)))
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn print_log(s: State<'_, Shared>, document_id: String) -> Result<Vec<PrintJob>, AppError> {
    s.0.lock().await.print_log(&document_id)
}
