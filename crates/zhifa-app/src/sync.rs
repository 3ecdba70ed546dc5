//! Sync now: push the outbox, pull the county's records, top up the document-number blocks,
//! upload evidence files the server does not hold. Safe to interrupt at any point and run
//! again: nothing unsynced is ever deleted, refused changes stay on the tablet with the
//! server's reason.

use serde::Serialize;
use zhifa_sync_client::{Progress, SyncClient};

use crate::documents::INSPECTION_TYPES;
use crate::{App, AppError, AppResult, local_datetime};

/// Numbers kept available offline per document type.
pub const NUMBER_LOW_WATER: u64 = 10;
/// Block size leased when below the low-water mark.
pub const NUMBER_BLOCK: u32 = 20;
/// Upload chunk size (a retried upload resumes after the last confirmed chunk).
pub const UPLOAD_CHUNK: usize = 256 * 1024;

/// Progress for the UI.
#[derive(Debug, Clone, Serialize)]
pub struct SyncProgress {
    /// 上传 / 下载 / 应用 / 文书编号 / 上传照片.
    pub stage: String,
    /// Done.
    pub done: u64,
    /// Total, when known.
    pub total: Option<u64>,
}

/// A change the server refused (kept on the tablet).
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    /// Stable code.
    pub code: String,
    /// Chinese message.
    pub message: String,
}

/// A conflict the server raised on a record of this tablet.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictView {
    /// What kind of record (隐患, 检查结果, 执法文书 …).
    pub record: String,
    /// Record id.
    pub id: String,
    /// Field.
    pub field: String,
    /// Kind code (`concurrent`, `immutable_changed` …).
    pub kind: String,
    /// The competing values as text.
    pub values: Vec<String>,
    /// The server's Chinese explanation.
    pub message: String,
}

fn record_label(entity: &str) -> &'static str {
    match entity {
        "enterprise" => "企业信息",
        "inspection" => "检查",
        "answer" => "检查结果",
        "hazard" => "隐患",
        "document" => "执法文书",
        "evidence" => "证据",
        "case" => "案件",
        "officer" => "执法人员",
        "task" => "检查任务",
        _ => "记录",
    }
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncSummary {
    /// Changes the server stored.
    pub pushed: u64,
    /// Changes the server already had.
    pub duplicates: u64,
    /// Records received.
    pub pulled: u64,
    /// Conflicts the server flagged for a supervisor.
    pub conflicts: u64,
    /// Changes quarantined for a wrong device clock.
    pub quarantined: u64,
    /// Changes refused, with reasons.
    pub refused: Vec<Refused>,
    /// Every open conflict on records of this tablet (after this sync's pull).
    pub open_conflicts: Vec<ConflictView>,
    /// Evidence files uploaded.
    pub files_uploaded: u64,
    /// Document numbers available offline per type.
    pub numbers_left: Vec<(String, u64)>,
    /// Bytes sent.
    pub bytes_up: u64,
    /// Bytes received.
    pub bytes_down: u64,
    /// Changes still waiting.
    pub unsynced: u64,
    /// Finished at (local time).
    pub finished_at: String,
}

impl App {
    /// Runs one sync. Needs an online login (the session token); offline logins get a
    /// clear message asking to log in again with network.
    pub async fn sync_now(&mut self, progress: &mut (dyn FnMut(SyncProgress) + Send)) -> AppResult<SyncSummary> {
        self.officer()?;
        let client = SyncClient::new(&self.config.server_url);
        let mut on = |p: Progress| {
            progress(match p {
                Progress::Pushing { done, total } => {
                    SyncProgress { stage: "上传记录".into(), done, total: Some(total) }
                }
                Progress::Pulling { items } => SyncProgress { stage: "下载记录".into(), done: items, total: None },
                Progress::Applied { items } => SyncProgress { stage: "写入本机".into(), done: items, total: None },
            })
        };
        let report = client.sync(&mut self.replica, &mut on).await.map_err(|e| match e {
            zhifa_sync_client::SyncError::NotLoggedIn => {
                AppError::rule("NOT_LOGGED_IN", "需要联网重新登录后才能同步（离线登录不含服务器授权）")
            }
            other => other.into(),
        })?;
        self.refresh_officer()?;
        self.rebuild_search_index()?;

        // Document numbers for the next days offline.
        let mut numbers_left = Vec::new();
        if let Some(org) = self.officer()?.org_id.clone() {
            let year = chrono::Datelike::year(&crate::local_date(self.now_ms()));
            let types = self.replica.document_types()?;
            for name in INSPECTION_TYPES {
                let Some(code) = types.iter().find(|t| t.name == name).and_then(|t| t.abbr_current.clone()) else {
                    continue;
                };
                progress(SyncProgress { stage: "文书编号".into(), done: 0, total: None });
                let left =
                    client.ensure_numbers(&mut self.replica, &code, &org, year, NUMBER_LOW_WATER, NUMBER_BLOCK).await?;
                numbers_left.push((name.to_owned(), left));
            }
        }

        // Evidence files.
        let files = self.replica.pending_evidence_files()?;
        let total = files.len() as u64;
        let mut uploaded = 0u64;
        for f in files {
            progress(SyncProgress { stage: "上传照片".into(), done: uploaded, total: Some(total) });
            let path = self.config.data_dir.join(&f.path);
            let bytes = std::fs::read(&path).map_err(|e| AppError::io(&path, e))?;
            client.upload(&mut self.replica, &f.sha256, &bytes, UPLOAD_CHUNK).await?;
            self.replica.mark_evidence_uploaded(&f.sha256)?;
            uploaded += 1;
        }

        let now = self.now_ms();
        let finished_at = local_datetime(now).format("%Y-%m-%d %H:%M").to_string();
        self.replica.set_meta("app_last_sync", &finished_at)?;
        self.replica.set_meta("app_last_sync_ms", &now.to_string())?;
        Ok(SyncSummary {
            pushed: report.pushed,
            duplicates: report.duplicates,
            pulled: report.pulled,
            conflicts: report.conflicts,
            quarantined: report.quarantined,
            open_conflicts: self.conflicts()?,
            refused: report
                .rejected
                .iter()
                .map(|r| Refused { code: r.code.clone(), message: r.message.clone() })
                .collect(),
            files_uploaded: uploaded,
            numbers_left,
            bytes_up: report.bytes_up,
            bytes_down: report.bytes_down,
            unsynced: self.replica.pending_change_count()?,
            finished_at,
        })
    }

    /// Open conflicts the server reported for records on this tablet, for the sync screen.
    pub fn conflicts(&self) -> AppResult<Vec<ConflictView>> {
        Ok(self
            .replica
            .conflicts()?
            .into_iter()
            .map(|c| ConflictView {
                record: record_label(&c.entity).to_owned(),
                id: c.entity_id,
                field: c.conflict.field,
                kind: c.conflict.kind,
                values: c
                    .conflict
                    .values
                    .iter()
                    .map(|v| match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
                message: c.conflict.message,
            })
            .collect())
    }

    /// Changes the server refused earlier (kept on the tablet), for the sync screen.
    pub fn refused_changes(&self) -> AppResult<Vec<Refused>> {
        Ok(self.replica.refused_changes()?.into_iter().map(|(_, code, message)| Refused { code, message }).collect())
    }

    /// A warning when the device clock looks wrong (earlier than the last sync, or more
    /// than a year after it): times on evidence would be wrong.
    pub fn clock_warning(&self) -> AppResult<Option<String>> {
        let Some(last) = self.replica.meta("app_last_sync_ms")?.and_then(|s| s.parse::<u64>().ok()) else {
            return Ok(None);
        };
        let now = self.now_ms();
        if now + 10 * 60 * 1000 < last {
            return Ok(Some("设备时间早于上次同步时间，请先校准平板的日期和时间，否则取证时间将不准确。".into()));
        }
        if now > last + 366 * 24 * 3600 * 1000 {
            return Ok(Some("设备时间比上次同步晚一年以上，请确认平板的日期和时间是否正确。".into()));
        }
        Ok(None)
    }
}
