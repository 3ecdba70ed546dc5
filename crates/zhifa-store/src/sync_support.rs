//! What the sync client needs from the replica: device metadata, acknowledging pushed
//! changes, staging pulled pages and applying a complete checkpoint atomically.
//!
//! Applying never writes change records (the data came from the server) and never
//! overwrites this device's own unacknowledged writes: their fields are laid over the
//! server's state until the server has them.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};
use zhifa_core::change::EntityKind;
use zhifa_core::hlc::{Hlc, VersionVector};

use crate::{Replica, Result, StoreError, search};

/// One entity state from the server, as the replica stores it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RemoteEntity {
    /// Entity kind.
    pub entity: EntityKind,
    /// Entity id.
    pub id: String,
    /// County scope.
    pub county_code: Option<String>,
    /// Fields of the server's merged view.
    pub fields: Map<String, Value>,
    /// Tombstoned on the server.
    pub deleted: bool,
    /// Server version (HLC text).
    pub version: Option<String>,
    /// What the server's merged state has seen (version-vector text); the base of the next
    /// local write. `None` from servers before protocol schema 2 (then `version` is used).
    #[serde(default)]
    pub seen: Option<String>,
    /// Server sequence (cursor).
    pub server_seq: i64,
    /// Open conflicts the server holds for this entity (shown to the inspector).
    #[serde(default)]
    pub conflicts: Vec<RemoteConflict>,
}

/// A conflict the server raised on a field, as the tablet shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RemoteConflict {
    /// Field.
    pub field: String,
    /// Kind (`concurrent`, `regression`, `write_after_delete`, `immutable_changed`, `after_issue`).
    pub kind: String,
    /// The competing values.
    pub values: Vec<Value>,
    /// Chinese explanation.
    pub message: String,
}

/// A stored conflict with the record it belongs to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredConflict {
    /// Entity kind (`hazard`, `document` …).
    pub entity: String,
    /// Entity id.
    pub entity_id: String,
    /// The conflict.
    pub conflict: RemoteConflict,
}

/// Table of each entity kind.
pub fn table_of(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Enterprise => "enterprises",
        EntityKind::Organisation => "organisations",
        EntityKind::Officer => "officers",
        EntityKind::Training => "trainings",
        EntityKind::Plan => "plans",
        EntityKind::Task => "tasks",
        EntityKind::Inspection => "inspections",
        EntityKind::Answer => "answers",
        EntityKind::Hazard => "hazards",
        EntityKind::Document => "documents",
        EntityKind::Case => "cases",
        EntityKind::Evidence => "evidence",
    }
}

impl Replica {
    /// A value of the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// Sets a value of the `meta` table.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Removes a value of the `meta` table.
    pub fn remove_meta(&mut self, key: &str) -> Result<()> {
        self.conn.execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Marks every change with `seq <= through` as acknowledged by the server. Returns how
    /// many changed state. Acknowledged changes stay in the table (the local audit trail).
    pub fn ack_changes(&mut self, through: i64) -> Result<usize> {
        Ok(self.conn.execute("UPDATE changes SET acked = 1 WHERE seq <= ?1 AND acked = 0", [through])?)
    }

    /// Marks a change the server refused: it leaves the outbox (it would be refused again)
    /// but stays in the table, with the reason, for the user and the audit.
    pub fn mark_refused(&mut self, seq: i64, code: &str, message: &str) -> Result<()> {
        self.conn.execute("UPDATE changes SET acked = 2 WHERE seq = ?1", [seq])?;
        let mut refused: Vec<(i64, String, String)> =
            self.meta("refused_changes")?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        refused.push((seq, code.to_owned(), message.to_owned()));
        let text = serde_json::to_string(&refused).map_err(|source| StoreError::Json {
            entity: "meta",
            id: "refused_changes".into(),
            source,
        })?;
        self.set_meta("refused_changes", &text)
    }

    /// Changes the server refused: `(seq, code, message)`.
    pub fn refused_changes(&self) -> Result<Vec<(i64, String, String)>> {
        Ok(self.meta("refused_changes")?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    /// Lets the replica's clock see a remote version so later local writes sort after it.
    pub fn observe(&mut self, version: &Hlc) {
        // Far-future versions were quarantined by the server; a bound of a day keeps a
        // wrong tablet clock from being dragged along by one bad record.
        let now = {
            let (ms, _) = self.ids.next_parts();
            ms
        };
        let _ = self.clock.observe(*version, now, 24 * 3_600_000);
    }

    /// Stages one pulled page (idempotent per entity: a later page replaces an earlier one).
    pub fn stage_pulled(&mut self, items: &[RemoteEntity]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO pull_staging (server_seq, entity, entity_id, body) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(entity, entity_id) DO UPDATE SET server_seq = excluded.server_seq, body = excluded.body",
            )?;
            for it in items {
                let body = serde_json::to_string(it).map_err(|source| StoreError::Json {
                    entity: "pull_staging",
                    id: it.id.clone(),
                    source,
                })?;
                st.execute(params![it.server_seq, it.entity.as_str(), it.id, body])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Open conflicts the server reported for records on this tablet.
    pub fn conflicts(&self) -> Result<Vec<StoredConflict>> {
        let mut st = self.conn.prepare_cached(
            "SELECT entity, entity_id, field, kind, message, values_json FROM conflicts ORDER BY entity, entity_id, field",
        )?;
        let rows = st.query_map([], |r| {
            Ok(StoredConflict {
                entity: r.get(0)?,
                entity_id: r.get(1)?,
                conflict: RemoteConflict {
                    field: r.get(2)?,
                    kind: r.get(3)?,
                    message: r.get(4)?,
                    values: serde_json::from_str::<Vec<Value>>(&r.get::<_, String>(5)?).unwrap_or_default(),
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Drops staged pages (before a full resync restarts from cursor 0).
    pub fn clear_staging(&mut self) -> Result<()> {
        self.conn.execute("DELETE FROM pull_staging", [])?;
        Ok(())
    }

    /// Number of staged entities.
    pub fn staged_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM pull_staging", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Applies every staged entity and stores `cursor` as the pull cursor, in one
    /// transaction. Returns the number of entities applied.
    pub fn apply_staged(&mut self, cursor: i64) -> Result<usize> {
        self.apply_staged_inner(cursor, false)
    }

    /// Like [`Replica::apply_staged`] for a full resync from cursor 0: rows the server no
    /// longer has (purged tombstones) are removed, except rows with unacknowledged local
    /// changes, which stay untouched until the server has them.
    pub fn apply_staged_full(&mut self, cursor: i64) -> Result<usize> {
        self.apply_staged_inner(cursor, true)
    }

    fn apply_staged_inner(&mut self, cursor: i64, full: bool) -> Result<usize> {
        let staged: Vec<RemoteEntity> = {
            let mut st = self.conn.prepare("SELECT body FROM pull_staging ORDER BY server_seq")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            let mut v = Vec::new();
            for r in rows {
                let body = r?;
                v.push(serde_json::from_str(&body).map_err(|source| StoreError::Json {
                    entity: "pull_staging",
                    id: String::new(),
                    source,
                })?);
            }
            v
        };
        for it in &staged {
            if let Some(v) = it.version.as_deref().and_then(|v| Hlc::decode(v).ok()) {
                self.observe(&v);
            }
        }
        let tx = self.conn.transaction()?;
        // Fields of this device's unacknowledged writes, per entity, in write order.
        let mut pending: BTreeMap<(String, String), (Map<String, Value>, bool)> = BTreeMap::new();
        {
            let mut st =
                tx.prepare("SELECT entity, entity_id, op, fields FROM changes WHERE acked = 0 ORDER BY seq")?;
            let rows = st.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })?;
            for r in rows {
                let (e, id, op, fields) = r?;
                let entry = pending.entry((e, id.clone())).or_default();
                if op == "delete" {
                    entry.1 = true;
                } else if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&fields) {
                    entry.0.extend(m);
                }
            }
        }
        for it in &staged {
            let table = table_of(it.entity);
            let mut fields = it.fields.clone();
            let mut deleted = it.deleted;
            if let Some((local, local_delete)) = pending.get(&(it.entity.as_str().to_owned(), it.id.clone())) {
                fields.extend(local.clone());
                deleted |= *local_delete;
            }
            let data = Value::Object(fields.clone()).to_string();
            let existing: Option<(i64, String)> = tx
                .prepare_cached(&format!("SELECT pk, hlc FROM {table} WHERE id = ?1"))?
                .query_row([&it.id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            // What the row's next local write has seen: the server's state, and whatever this
            // replica had seen of the row already (its own unacknowledged writes included).
            let hlc =
                seen_text([it.seen.as_deref().or(it.version.as_deref()), existing.as_ref().map(|e| e.1.as_str())]);
            let pk = match existing.map(|e| e.0) {
                Some(pk) => {
                    tx.prepare_cached(&format!(
                        "UPDATE {table} SET data = ?2, hlc = ?3, county_code = ?4, deleted = ?5 WHERE pk = ?1"
                    ))?
                    .execute(params![pk, data, hlc, it.county_code, i64::from(deleted)])?;
                    pk
                }
                None => {
                    tx.prepare_cached(&format!(
                        "INSERT INTO {table} (id, data, hlc, county_code, deleted) VALUES (?1, ?2, ?3, ?4, ?5)"
                    ))?
                    .execute(params![it.id, data, hlc, it.county_code, i64::from(deleted)])?;
                    tx.last_insert_rowid()
                }
            };
            tx.prepare_cached("DELETE FROM conflicts WHERE entity = ?1 AND entity_id = ?2")?
                .execute(params![it.entity.as_str(), it.id])?;
            for c in &it.conflicts {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO conflicts (entity, entity_id, field, kind, message, values_json) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    it.entity.as_str(),
                    it.id,
                    c.field,
                    c.kind,
                    c.message,
                    Value::Array(c.values.clone()).to_string()
                ])?;
            }
            if it.entity == EntityKind::Enterprise {
                tx.prepare_cached("DELETE FROM enterprises_fts WHERE rowid = ?1")?.execute([pk])?;
                if !deleted {
                    let s = |k: &str| fields.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                    tx.prepare_cached(
                        "INSERT INTO enterprises_fts(rowid, name, credit_code, address) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![
                        pk,
                        search::index_text(&s("name")),
                        s("credit_code").to_ascii_lowercase(),
                        search::index_text(&s("address"))
                    ])?;
                }
            }
        }
        if full {
            for k in EntityKind::ALL {
                let table = table_of(k);
                if k == EntityKind::Enterprise {
                    tx.execute(
                        "DELETE FROM enterprises_fts WHERE rowid IN (SELECT pk FROM enterprises e WHERE NOT EXISTS \
                         (SELECT 1 FROM pull_staging s WHERE s.entity = 'enterprise' AND s.entity_id = e.id) \
                         AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.acked = 0 AND c.entity = 'enterprise' AND c.entity_id = e.id))",
                        [],
                    )?;
                }
                tx.execute(
                    &format!(
                        "DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM pull_staging s WHERE s.entity = ?1 AND s.entity_id = {table}.id) \
                         AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.acked = 0 AND c.entity = ?1 AND c.entity_id = {table}.id)"
                    ),
                    [k.as_str()],
                )?;
            }
        }
        tx.execute("DELETE FROM pull_staging", [])?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('pull_cursor', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [cursor.to_string()],
        )?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('hlc', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [self.clock.last().encode()],
        )?;
        tx.commit()?;
        Ok(staged.len())
    }

    /// The pull cursor (0 before the first complete pull).
    pub fn pull_cursor(&self) -> Result<i64> {
        Ok(self.meta("pull_cursor")?.and_then(|s| s.parse().ok()).unwrap_or(0))
    }
}

/// Canonical content of a replica: `(entity, id) → (data, deleted)`, for convergence checks.
pub type CanonicalDump = std::collections::BTreeMap<(String, String), (Value, bool)>;

impl Replica {
    /// Every synced row of every entity table, tombstones included.
    pub fn canonical_dump(&self) -> Result<CanonicalDump> {
        let mut out = CanonicalDump::new();
        for k in EntityKind::ALL {
            let mut st = self.conn.prepare(&format!("SELECT id, data, deleted FROM {}", table_of(k)))?;
            let rows =
                st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
            for r in rows {
                let (id, data, deleted) = r?;
                let v = serde_json::from_str(&data).map_err(|source| StoreError::Json {
                    entity: table_of(k),
                    id: id.clone(),
                    source,
                })?;
                out.insert((k.as_str().to_owned(), id), (v, deleted != 0));
            }
        }
        Ok(out)
    }
}

/// What a row's `hlc` text (a version vector, or one HLC for rows written before vectors)
/// says its next write has seen; unreadable text counts as nothing seen.
pub(crate) fn seen_of(text: &str) -> VersionVector {
    VersionVector::decode(text).unwrap_or_default()
}

/// The version-vector text of what `parts` (row texts as [`seen_of`] reads them) have seen
/// together.
fn seen_text<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut v = VersionVector::new();
    for p in parts.into_iter().flatten() {
        v.merge(&seen_of(p));
    }
    v.encode()
}
