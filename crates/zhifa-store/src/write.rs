//! The write path: entity upserts with per-field change records.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Map, Value};
use zhifa_core::change::{ChangeOp, EntityKind};
use zhifa_core::enterprise::{Enterprise, EnterpriseData};
use zhifa_core::hlc::{Hlc, HlcClock, VersionVector};
use zhifa_core::ids::{ChangeId, EnterpriseId, IdSource, IdSourceExt};

use crate::entity::{Entity, Scope};
use crate::sync_support::seen_of;
use crate::{Result, StoreError, search};

/// What a put did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// A new row.
    Inserted,
    /// Some fields changed.
    Updated,
    /// Nothing changed; no change record written.
    Unchanged,
}

/// The stored row a write replaces.
struct Existing {
    pk: i64,
    id: String,
    data: String,
    deleted: i64,
    hlc: String,
}

/// A write transaction. Created by [`crate::Replica::write`].
pub struct Writer<'a> {
    pub(crate) tx: Transaction<'a>,
    clock: &'a mut HlcClock,
    ids: &'a mut dyn IdSource,
    pub(crate) now_ms: u64,
    touched: bool,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(tx: Transaction<'a>, clock: &'a mut HlcClock, ids: &'a mut dyn IdSource, now_ms: u64) -> Self {
        Self { tx, clock, ids, now_ms, touched: false }
    }

    pub(crate) fn commit(self) -> Result<()> {
        if self.touched {
            self.tx.execute(
                "INSERT INTO meta(key, value) VALUES ('hlc', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [self.clock.last().encode()],
            )?;
        }
        self.tx.commit()?;
        Ok(())
    }

    /// A fresh typed id from the replica's id source.
    pub fn new_id<T: zhifa_core::ids::FromParts>(&mut self) -> T {
        self.ids.next()
    }

    fn resolve_county(&self, scope: &Scope) -> Result<Option<String>> {
        let q = |sql: &str, id: String| -> Result<Option<String>> {
            Ok(self.tx.prepare_cached(sql)?.query_row([id], |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
        };
        match scope {
            Scope::Division(c) if c.is_empty() => Ok(None),
            Scope::Division(c) => Ok(Some(c.clone())),
            Scope::Enterprise(id) => q("SELECT county_code FROM enterprises WHERE id = ?1", id.to_string()),
            Scope::Org(id) => q("SELECT county_code FROM organisations WHERE id = ?1", id.to_string()),
            Scope::Officer(id) => q("SELECT county_code FROM officers WHERE id = ?1", id.to_string()),
            Scope::Inspection(id) => q("SELECT county_code FROM inspections WHERE id = ?1", id.to_string()),
            Scope::Plan(id) => q("SELECT county_code FROM plans WHERE id = ?1", id.to_string()),
        }
    }

    /// Inserts or updates an entity. Only fields whose value changed are recorded in
    /// the outbox; an identical write records nothing.
    pub fn put<E: Entity>(&mut self, e: &E) -> Result<PutOutcome> {
        let id = e.id_text();
        let existing = self.existing(E::TABLE, "id", &id)?;
        self.put_row(e, id, existing)
    }

    /// The row `(pk, data, deleted)` whose `column` equals `value`.
    fn existing(&self, table: &str, column: &str, value: &str) -> Result<Option<Existing>> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT pk, id, data, deleted, hlc FROM {table} WHERE {column} = ?1"))?
            .query_row([value], |r| {
                Ok(Existing { pk: r.get(0)?, id: r.get(1)?, data: r.get(2)?, deleted: r.get(3)?, hlc: r.get(4)? })
            })
            .optional()?)
    }

    fn put_row<E: Entity>(&mut self, e: &E, id: String, existing: Option<Existing>) -> Result<PutOutcome> {
        let Value::Object(new) =
            serde_json::to_value(e).map_err(|source| StoreError::Json { entity: E::TABLE, id: id.clone(), source })?
        else {
            return Err(StoreError::Rule(format!("{} 不是对象", E::TABLE)));
        };
        let county = self.resolve_county(&e.scope())?;
        let base = existing.as_ref().map(|x| seen_of(&x.hlc)).unwrap_or_default();
        let (outcome, changed, pk) = match existing {
            Some(Existing { pk, data: old, deleted, .. }) => {
                let old: Map<String, Value> = serde_json::from_str(&old).map_err(|source| StoreError::Json {
                    entity: E::TABLE,
                    id: id.clone(),
                    source,
                })?;
                let mut changed = BTreeMap::new();
                for (k, v) in &new {
                    if old.get(k) != Some(v) {
                        changed.insert(k.clone(), v.clone());
                    }
                }
                for k in old.keys() {
                    if !new.contains_key(k) {
                        changed.insert(k.clone(), Value::Null);
                    }
                }
                if changed.is_empty() && deleted == 0 {
                    return Ok(PutOutcome::Unchanged);
                }
                (PutOutcome::Updated, Some(changed), pk)
            }
            None => (PutOutcome::Inserted, None, 0),
        };
        let hlc = self.clock.tick(self.now_ms);
        // The row now records what its next write will have seen: what this one had seen,
        // and this write.
        let seen = seen_after(&base, hlc);
        let data = serde_json::to_string(&new).map_err(|source| StoreError::Json {
            entity: E::TABLE,
            id: id.clone(),
            source,
        })?;
        let pk = if outcome == PutOutcome::Inserted {
            self.tx
                .prepare_cached(&format!(
                    "INSERT INTO {} (id, data, hlc, county_code) VALUES (?1, ?2, ?3, ?4)",
                    E::TABLE
                ))?
                .execute(params![id, data, seen, county])?;
            self.tx.last_insert_rowid()
        } else {
            self.tx
                .prepare_cached(&format!(
                    "UPDATE {} SET data = ?2, hlc = ?3, county_code = ?4, deleted = 0 WHERE pk = ?1",
                    E::TABLE
                ))?
                .execute(params![pk, data, seen, county])?;
            pk
        };
        if E::KIND == EntityKind::Enterprise {
            self.index_enterprise(pk, outcome == PutOutcome::Updated, &new)?;
        }
        // A new row records all its fields: the change is then the row's full state.
        let fields = match &changed {
            Some(c) => serde_json::to_string(c),
            None => Ok(data),
        }
        .map_err(|source| StoreError::Json { entity: "changes", id: id.clone(), source })?;
        self.record(E::KIND, &id, ChangeOp::Upsert, &fields, hlc, &base, county)?;
        Ok(outcome)
    }

    /// Tombstones an entity (rows are never physically deleted).
    pub fn delete<E: Entity>(&mut self, id: &str) -> Result<bool> {
        let row: Option<(i64, Option<String>, String)> = self
            .tx
            .prepare_cached(&format!("SELECT pk, county_code, hlc FROM {} WHERE id = ?1 AND deleted = 0", E::TABLE))?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((pk, county, base)) = row else { return Ok(false) };
        let base = seen_of(&base);
        let hlc = self.clock.tick(self.now_ms);
        let seen = seen_after(&base, hlc);
        self.tx
            .prepare_cached(&format!("UPDATE {} SET deleted = 1, hlc = ?2 WHERE pk = ?1", E::TABLE))?
            .execute(params![pk, seen])?;
        if E::KIND == EntityKind::Enterprise {
            self.tx.prepare_cached("DELETE FROM enterprises_fts WHERE rowid = ?1")?.execute([pk])?;
        }
        self.record(E::KIND, id, ChangeOp::Delete, "{}", hlc, &base, county)?;
        Ok(true)
    }

    /// Upserts ledger data keyed by credit code: an existing enterprise keeps its id, a
    /// new one gets a fresh id.
    pub fn upsert_enterprise(&mut self, data: EnterpriseData) -> Result<(EnterpriseId, PutOutcome)> {
        self.upsert_enterprise_inner(None, data)
    }

    /// Like [`Writer::upsert_enterprise`], but a new enterprise gets `id` (used by
    /// generators whose other records refer to the enterprise).
    pub fn upsert_enterprise_with_id(
        &mut self,
        id: EnterpriseId,
        data: EnterpriseData,
    ) -> Result<(EnterpriseId, PutOutcome)> {
        self.upsert_enterprise_inner(Some(id), data)
    }

    fn upsert_enterprise_inner(
        &mut self,
        new_id: Option<EnterpriseId>,
        data: EnterpriseData,
    ) -> Result<(EnterpriseId, PutOutcome)> {
        let existing = self.existing("enterprises", "credit_code", data.credit_code.as_str())?;
        let id = match (&existing, new_id) {
            (Some(Existing { id: s, .. }), _) => {
                EnterpriseId::parse(s).map_err(|_| StoreError::Rule(format!("企业编号无效：{s}")))?
            }
            (None, Some(id)) => id,
            (None, None) => self.ids.next(),
        };
        let outcome = self.put_row(&Enterprise { id, data }, id.to_string(), existing)?;
        Ok((id, outcome))
    }

    fn index_enterprise(&mut self, pk: i64, replace: bool, v: &Map<String, Value>) -> Result<()> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
        if replace {
            self.tx.prepare_cached("DELETE FROM enterprises_fts WHERE rowid = ?1")?.execute([pk])?;
        }
        self.tx
            .prepare_cached("INSERT INTO enterprises_fts(rowid, name, credit_code, address) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![
                pk,
                search::index_text(s("name")),
                s("credit_code").to_ascii_lowercase(),
                search::index_text(s("address"))
            ])?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // One column each; a struct would only rename them.
    fn record(
        &mut self,
        kind: EntityKind,
        id: &str,
        op: ChangeOp,
        fields: &str,
        hlc: Hlc,
        base: &VersionVector,
        county: Option<String>,
    ) -> Result<()> {
        let change_id: ChangeId = self.ids.next();
        let base = (!base.is_empty()).then(|| base.encode());
        self.tx
            .prepare_cached(
                "INSERT INTO changes (change_id, entity, entity_id, op, fields, hlc, base_hlc, device_id, county_code, wall_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                change_id.to_string(),
                kind.as_str(),
                id,
                match op {
                    ChangeOp::Upsert => "upsert",
                    ChangeOp::Delete => "delete",
                },
                fields,
                hlc.encode(),
                base,
                hlc.device.to_string(),
                county,
                self.now_ms as i64,
            ])?;
        self.touched = true;
        Ok(())
    }
}

/// A row's `hlc` text after a write at `hlc` by a writer that had seen `base`: what the row's
/// next write will have seen.
fn seen_after(base: &VersionVector, hlc: Hlc) -> String {
    let mut seen = base.clone();
    seen.observe(hlc);
    seen.encode()
}
