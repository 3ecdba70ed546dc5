//! Offline document numbering: blocks leased from the server per (document code,
//! organisation, year), consumed in order on issue; every number is logged as issued or
//! as a gap with its reason. Numbers from different devices can never collide because the
//! server hands out disjoint blocks.

use rusqlite::{OptionalExtension, params};

use crate::write::Writer;
use crate::{Replica, Result, StoreError};

/// A leased block `[start, end]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedBlock {
    /// Lease id (from the server).
    pub lease_id: String,
    /// Document code, e.g. 应急检记.
    pub doc_code: String,
    /// Organisation id.
    pub org_id: String,
    /// Year.
    pub year: i32,
    /// First number.
    pub start: u32,
    /// Last number.
    pub end: u32,
}

impl Replica {
    /// Stores a block leased from the server (idempotent by lease id).
    pub fn add_number_block(&mut self, b: &LeasedBlock) -> Result<()> {
        if b.start == 0 || b.start > b.end {
            return Err(StoreError::Rule(format!("文书编号段无效：{}–{}", b.start, b.end)));
        }
        self.conn.execute(
            "INSERT INTO number_blocks (lease_id, doc_code, org_id, year, start_no, end_no, next_no) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5) ON CONFLICT(lease_id) DO NOTHING",
            params![b.lease_id, b.doc_code, b.org_id, b.year, b.start, b.end],
        )?;
        Ok(())
    }

    /// Numbers still available offline for a key.
    pub fn numbers_left(&self, doc_code: &str, org_id: &str, year: i32) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(end_no - next_no + 1), 0) FROM number_blocks WHERE doc_code = ?1 AND org_id = ?2 AND year = ?3",
            params![doc_code, org_id, year],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }
}

/// A number taken on this device and then voided (`Writer::record_gap`), as reported to
/// the server at sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidedNumber {
    /// Document code.
    pub doc_code: String,
    /// Organisation id.
    pub org_id: String,
    /// Year.
    pub year: i32,
    /// The number.
    pub number: u32,
    /// Why it was voided.
    pub reason: String,
    /// When the number was taken (Unix ms, device clock).
    pub at_ms: u64,
}

impl Replica {
    /// Every number this device voided, ordered by code, organisation, year and number
    /// (read-only; the sync client reports them to the server).
    pub fn voided_numbers(&self) -> Result<Vec<VoidedNumber>> {
        let mut st = self.conn.prepare_cached(
            "SELECT doc_code, org_id, year, number, coalesce(reason, ''), at_ms FROM number_log \
             WHERE status = 'gap' ORDER BY doc_code, org_id, year, number",
        )?;
        let rows = st.query_map([], |r| {
            Ok(VoidedNumber {
                doc_code: r.get(0)?,
                org_id: r.get(1)?,
                year: r.get(2)?,
                number: r.get::<_, i64>(3)? as u32,
                reason: r.get(4)?,
                at_ms: r.get::<_, i64>(5)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

impl Writer<'_> {
    /// Takes the next number for a document, in the same transaction as the document's
    /// issue. Fails with a clear message when the device has no numbers left (sync first).
    pub fn issue_number(&mut self, doc_code: &str, org_id: &str, year: i32, document_id: &str) -> Result<u32> {
        let block: Option<(String, i64)> = self
            .tx
            .prepare_cached(
                "SELECT lease_id, next_no FROM number_blocks WHERE doc_code = ?1 AND org_id = ?2 AND year = ?3 \
                 AND next_no <= end_no ORDER BY start_no LIMIT 1",
            )?
            .query_row(params![doc_code, org_id, year], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((lease, n)) = block else {
            return Err(StoreError::Rule(format!(
                "本机“{doc_code}”{year}年的文书编号已用完，请联网同步以领取新的编号段"
            )));
        };
        self.tx
            .prepare_cached("UPDATE number_blocks SET next_no = next_no + 1 WHERE lease_id = ?1")?
            .execute([&lease])?;
        self.tx
            .prepare_cached(
                "INSERT INTO number_log (doc_code, org_id, year, number, document_id, status, at_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'issued', ?6)",
            )?
            .execute(params![doc_code, org_id, year, n, document_id, self.now_ms as i64])?;
        Ok(n as u32)
    }

    /// Records that a taken number will not be used (e.g. a misprint voided before
    /// service); the number is never reused.
    pub fn record_gap(&mut self, doc_code: &str, org_id: &str, year: i32, number: u32, reason: &str) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(StoreError::Rule("作废文书编号须说明原因".into()));
        }
        let n = self
            .tx
            .prepare_cached(
                "UPDATE number_log SET status = 'gap', reason = ?5, document_id = NULL \
             WHERE doc_code = ?1 AND org_id = ?2 AND year = ?3 AND number = ?4",
            )?
            .execute(params![doc_code, org_id, year, number, reason])?;
        if n == 0 {
            return Err(StoreError::Rule(format!("编号{number}不是本机发出的编号")));
        }
        Ok(())
    }
}
