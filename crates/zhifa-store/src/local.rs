//! Local-only tables of the tablet app (migration 0002): the print-job log and the
//! evidence files kept on the device. They are not synced entities, so they are written
//! directly (no change record); nothing here ever deletes a row.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use crate::{Replica, Result, StoreError};

/// State of a print job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintState {
    /// Created, nothing sent yet.
    Queued,
    /// Bytes are being sent.
    Sending,
    /// The printer took every byte.
    Done,
    /// Interrupted (printer off, out of range, out of paper); can be resumed.
    Failed,
}

impl PrintState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "sending" => Self::Sending,
            "done" => Self::Done,
            _ => Self::Failed,
        }
    }
}

/// One print or reprint of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintJob {
    /// Job id (local).
    pub id: i64,
    /// Document printed.
    pub document_id: String,
    /// The document's number as issued (a print never takes a new one).
    pub number: Option<String>,
    /// Whether this is a reprint (the document was printed completely before).
    pub reprint: bool,
    /// Printer address (`tcp://host:port`, `serial:/dev/rfcomm0`, `file:…`).
    pub printer: String,
    /// Printer profile (`58mm`, `80mm`).
    pub profile: String,
    /// State.
    pub state: PrintState,
    /// Bytes of the job.
    pub bytes_total: u64,
    /// Bytes the printer accepted in the last attempt.
    pub bytes_sent: u64,
    /// Attempts so far.
    pub attempts: u32,
    /// Error code of the last failure.
    pub error_code: Option<String>,
    /// Error message (Chinese) of the last failure.
    pub error_message: Option<String>,
    /// Officer who printed.
    pub officer: Option<String>,
    /// Created (ms since the epoch).
    pub created_ms: u64,
    /// Last updated (ms since the epoch).
    pub updated_ms: u64,
}

/// A new print job.
#[derive(Debug, Clone)]
pub struct NewPrintJob<'a> {
    /// Document.
    pub document_id: &'a str,
    /// Its number.
    pub number: Option<&'a str>,
    /// Printer address.
    pub printer: &'a str,
    /// Profile.
    pub profile: &'a str,
    /// Job size in bytes.
    pub bytes_total: u64,
    /// Officer.
    pub officer: Option<&'a str>,
    /// Now (ms).
    pub now_ms: u64,
}

/// An evidence file kept on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceFile {
    /// SHA-256 (hex) of the bytes.
    pub sha256: String,
    /// Path relative to the app's data folder.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type.
    pub mime: String,
    /// Whether the server confirmed it holds the complete file.
    pub uploaded: bool,
}

const JOB_COLUMNS: &str = "id, document_id, number, reprint, printer, profile, state, bytes_total, bytes_sent, \
     attempts, error_code, error_message, officer, created_ms, updated_ms";

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<PrintJob> {
    Ok(PrintJob {
        id: r.get(0)?,
        document_id: r.get(1)?,
        number: r.get(2)?,
        reprint: r.get::<_, i64>(3)? != 0,
        printer: r.get(4)?,
        profile: r.get(5)?,
        state: PrintState::parse(&r.get::<_, String>(6)?),
        bytes_total: r.get::<_, i64>(7)? as u64,
        bytes_sent: r.get::<_, i64>(8)? as u64,
        attempts: r.get::<_, i64>(9)? as u32,
        error_code: r.get(10)?,
        error_message: r.get(11)?,
        officer: r.get(12)?,
        created_ms: r.get::<_, i64>(13)? as u64,
        updated_ms: r.get::<_, i64>(14)? as u64,
    })
}

const FILE_COLUMNS: &str = "sha256, path, size, mime, uploaded";

fn file_from_row(r: &Row<'_>) -> rusqlite::Result<EvidenceFile> {
    Ok(EvidenceFile {
        sha256: r.get(0)?,
        path: r.get(1)?,
        size: r.get::<_, i64>(2)? as u64,
        mime: r.get(3)?,
        uploaded: r.get::<_, i64>(4)? != 0,
    })
}

impl Replica {
    /// Logs a new print job. It is a reprint when the document was printed completely
    /// before (decided here, from the log, not by the caller).
    pub fn create_print_job(&mut self, job: &NewPrintJob<'_>) -> Result<PrintJob> {
        let tx = self.conn.transaction()?;
        let printed: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM print_jobs WHERE document_id = ?1 AND state = 'done')",
            [job.document_id],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO print_jobs (document_id, number, reprint, printer, profile, state, bytes_total, officer, \
             created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?8, ?8)",
            params![
                job.document_id,
                job.number,
                printed as i64,
                job.printer,
                job.profile,
                job.bytes_total as i64,
                job.officer,
                job.now_ms as i64
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        self.print_job(id)?.ok_or_else(|| StoreError::Rule(format!("打印任务 {id} 写入后未找到")))
    }

    /// Marks the start of an attempt (state `sending`, attempts + 1).
    pub fn start_print_attempt(&mut self, id: i64, now_ms: u64) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE print_jobs SET state = 'sending', attempts = attempts + 1, bytes_sent = 0, error_code = NULL, \
             error_message = NULL, updated_ms = ?2 WHERE id = ?1 AND state != 'done'",
            params![id, now_ms as i64],
        )?;
        if n == 0 {
            return Err(StoreError::Rule(format!("打印任务 {id} 不存在或已完成")));
        }
        Ok(())
    }

    /// Records the outcome of an attempt.
    pub fn finish_print_attempt(
        &mut self,
        id: i64,
        bytes_sent: u64,
        error: Option<(&str, &str)>,
        now_ms: u64,
    ) -> Result<PrintJob> {
        let (state, code, message) = match error {
            None => (PrintState::Done, None, None),
            Some((c, m)) => (PrintState::Failed, Some(c), Some(m)),
        };
        self.conn.execute(
            "UPDATE print_jobs SET state = ?2, bytes_sent = ?3, error_code = ?4, error_message = ?5, updated_ms = ?6 \
             WHERE id = ?1",
            params![id, state.as_str(), bytes_sent as i64, code, message, now_ms as i64],
        )?;
        self.print_job(id)?.ok_or_else(|| StoreError::Rule(format!("打印任务 {id} 不存在")))
    }

    /// One print job.
    pub fn print_job(&self, id: i64) -> Result<Option<PrintJob>> {
        Ok(self
            .conn
            .query_row(&format!("SELECT {JOB_COLUMNS} FROM print_jobs WHERE id = ?1"), [id], job_from_row)
            .optional()?)
    }

    /// Print jobs of a document, oldest first.
    pub fn print_jobs_of(&self, document_id: &str) -> Result<Vec<PrintJob>> {
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM print_jobs WHERE document_id = ?1 ORDER BY id"))?;
        let rows = st.query_map([document_id], job_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Jobs that did not finish (failed or cut off while sending), oldest first.
    pub fn unfinished_print_jobs(&self) -> Result<Vec<PrintJob>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM print_jobs WHERE state IN ('queued', 'sending', 'failed') ORDER BY id"
        ))?;
        let rows = st.query_map([], job_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Registers an evidence file written to the data folder (idempotent by hash).
    pub fn add_evidence_file(&mut self, f: &EvidenceFile, now_ms: u64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO evidence_files (sha256, path, size, mime, uploaded, created_ms) VALUES (?1, ?2, ?3, ?4, 0, ?5) \
             ON CONFLICT(sha256) DO NOTHING",
            params![f.sha256, f.path, f.size as i64, f.mime, now_ms as i64],
        )?;
        Ok(())
    }

    /// One evidence file by hash.
    pub fn evidence_file(&self, sha256: &str) -> Result<Option<EvidenceFile>> {
        Ok(self
            .conn
            .query_row(&format!("SELECT {FILE_COLUMNS} FROM evidence_files WHERE sha256 = ?1"), [sha256], file_from_row)
            .optional()?)
    }

    /// Evidence files the server does not hold yet, oldest first.
    pub fn pending_evidence_files(&self) -> Result<Vec<EvidenceFile>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {FILE_COLUMNS} FROM evidence_files WHERE uploaded = 0 ORDER BY created_ms, sha256"
        ))?;
        let rows = st.query_map([], file_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks a file as held by the server.
    pub fn mark_evidence_uploaded(&mut self, sha256: &str) -> Result<()> {
        self.conn.execute("UPDATE evidence_files SET uploaded = 1 WHERE sha256 = ?1", [sha256])?;
        Ok(())
    }
}
