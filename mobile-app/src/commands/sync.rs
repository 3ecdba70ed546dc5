//! Sync now; progress as `sync-progress` events.

use tauri::{AppHandle, Emitter, Manager, State};
use zhifa_app::AppError;
use zhifa_app::sync::{Refused, SyncSummary};

use crate::Shared;

/// The sync client's progress callback is not `Send`, so the sync runs on a blocking thread
/// that drives it to completion on the app's runtime.
#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn sync_now(h: AppHandle) -> Result<SyncSummary, AppError> {
    let rt = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let shared = h.state::<Shared>();
        rt.block_on(async {
            let mut app = shared.0.lock().await;
            let mut on = |p| {
                let _ = h.emit("sync-progress", p);
            };
            app.sync_now(&mut on).await
        })
    })
    .await
    .map_err(|e| AppError::rule("INTERNAL", format!("同步任务异常结束：{e}")))?
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn refused_changes(s: State<'_, Shared>) -> Result<Vec<Refused>, AppError> {
    s.0.lock().await.refused_changes()
}

#[tauri::command(rename_all = "snake_case")]
pub(crate) async fn conflicts(s: State<'_, Shared>) -> Result<Vec<zhifa_app::sync::ConflictView>, AppError> {
    s.0.lock().await.conflicts()
}
