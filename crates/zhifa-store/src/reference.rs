//! Reference data shipped with the app: divisions, checklist, laws, document types.
//!
//! Loaded from the seed on `init` in one transaction, idempotently. Reference data is
//! versioned as a whole (by the seed's hash in `meta`), not synced field by field.

use rusqlite::params;
use zhifa_core::checklist::CheckItem;
use zhifa_core::division::{Area, DivisionLevel};
use zhifa_core::document::DocumentType;
use zhifa_core::law::LawArticle;

use crate::{Replica, Result, StoreError, search};

/// What a reference load did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ReferenceStats {
    /// Divisions stored.
    pub divisions: usize,
    /// Check items stored.
    pub check_items: usize,
    /// Law articles stored.
    pub laws: usize,
    /// Document types stored.
    pub document_types: usize,
    /// Whether anything changed (false when the same seed was already loaded).
    pub changed: bool,
}

fn json<T: serde::Serialize>(t: &T, entity: &'static str, id: &str) -> Result<String> {
    serde_json::to_string(t).map_err(|source| StoreError::Json { entity, id: id.into(), source })
}

impl Replica {
    /// Loads (or refreshes) reference data in one transaction. `version` identifies the
    /// seed (e.g. its hash); loading the same version again changes nothing.
    pub fn load_reference(
        &mut self,
        version: &str,
        area: &Area,
        items: &[CheckItem],
        laws: &[LawArticle],
        doc_types: &[DocumentType],
    ) -> Result<ReferenceStats> {
        let mut stats = ReferenceStats {
            divisions: area.all().count(),
            check_items: items.len(),
            laws: laws.len(),
            document_types: doc_types.len(),
            changed: false,
        };
        let tx = self.conn.transaction()?;
        let loaded: Option<String> =
            tx.query_row("SELECT value FROM meta WHERE key = 'seed_version'", [], |r| r.get(0)).ok();
        if loaded.as_deref() == Some(version) {
            return Ok(stats);
        }
        {
            let mut st = tx.prepare(
                "INSERT INTO divisions(code, name, level, parent_code) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(code) DO UPDATE SET name = excluded.name, level = excluded.level, parent_code = excluded.parent_code",
            )?;
            for d in area.all() {
                let level = match d.level {
                    DivisionLevel::City => "city",
                    DivisionLevel::County => "county",
                    DivisionLevel::Township => "township",
                };
                st.execute(params![d.code, d.name, level, d.parent])?;
            }
            tx.execute("DELETE FROM check_items_fts", [])?;
            let mut st = tx.prepare(
                "INSERT INTO check_items(id, data) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET data = excluded.data RETURNING pk",
            )?;
            let mut fts =
                tx.prepare("INSERT INTO check_items_fts(rowid, item, content, basis) VALUES (?1, ?2, ?3, ?4)")?;
            for it in items {
                let pk: i64 = st.query_row(params![it.id, json(it, "check_items", &it.id)?], |r| r.get(0))?;
                let basis: Vec<&str> = it
                    .check_basis
                    .iter()
                    .map(String::as_str)
                    .chain(it.penalty_basis.iter().map(|p| p.article.as_str()))
                    .collect();
                fts.execute(params![
                    pk,
                    search::index_text(&format!("{} {} {}", it.item, it.category, it.module)),
                    search::index_text(&it.check_content),
                    search::index_text(&basis.join(" "))
                ])?;
            }
            tx.execute("DELETE FROM laws_fts", [])?;
            let mut st = tx.prepare(
                "INSERT INTO laws(key, data) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET data = excluded.data RETURNING pk",
            )?;
            let mut fts = tx.prepare("INSERT INTO laws_fts(rowid, title, text) VALUES (?1, ?2, ?3)")?;
            for l in laws {
                let key = l.key();
                let pk: i64 = st.query_row(params![key, json(l, "laws", &key)?], |r| r.get(0))?;
                fts.execute(params![
                    pk,
                    search::index_text(&format!("{} {} {}", l.short, l.law, l.article)),
                    search::index_text(&l.text)
                ])?;
            }
            let mut st = tx.prepare(
                "INSERT INTO document_types(name, data) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
            )?;
            for d in doc_types {
                st.execute(params![d.name, json(d, "document_types", &d.name)?])?;
            }
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('seed_version', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [version],
            )?;
        }
        tx.commit()?;
        stats.changed = true;
        Ok(stats)
    }
}
