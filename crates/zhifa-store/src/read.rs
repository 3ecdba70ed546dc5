//! Queries: typed getters, lists and full-text search.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use zhifa_core::change::{Change, ChangeOp, EntityKind};
use zhifa_core::checklist::CheckItem;
use zhifa_core::document::DocumentType;
use zhifa_core::enterprise::Enterprise;
use zhifa_core::hazard::Hazard;
use zhifa_core::hlc::{Hlc, VersionVector};
use zhifa_core::ids::ChangeId;
use zhifa_core::law::LawArticle;

use crate::entity::Entity;
use crate::{Replica, Result, StoreError, search};

/// One enterprise search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnterpriseHit {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Credit code.
    pub credit_code: String,
    /// County code.
    pub county_code: String,
    /// Address.
    pub address: String,
}

/// One check-item search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemHit {
    /// Item id.
    pub id: String,
    /// Industry.
    pub industry: String,
    /// Module.
    pub module: String,
    /// Item name.
    pub item: String,
    /// Major hazard flag.
    pub major_hazard: bool,
}

/// One law-article search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LawHit {
    /// Short law name.
    pub short: String,
    /// Article.
    pub article: String,
    /// Text.
    pub text: String,
    /// Verbatim or paraphrase.
    pub verbatim: bool,
}

fn parse<T: serde::de::DeserializeOwned>(entity: &'static str, id: &str, data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|source| StoreError::Json { entity, id: id.into(), source })
}

impl Replica {
    /// Runs a query whose rows are `(id, data)` and parses every `data` as `T`.
    fn docs<T: serde::de::DeserializeOwned>(
        &self,
        entity: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (id, d) = r?;
            parse(entity, &id, &d)
        })
        .collect()
    }

    /// Gets a live (not tombstoned) entity by id.
    pub fn get<E: Entity>(&self, id: &str) -> Result<Option<E>> {
        let data: Option<String> = self
            .conn
            .prepare_cached(&format!("SELECT data FROM {} WHERE id = ?1 AND deleted = 0", E::TABLE))?
            .query_row([id], |r| r.get(0))
            .optional()?;
        data.map(|d| parse(E::TABLE, id, &d)).transpose()
    }

    /// Lists live entities whose generated column `column` equals `value`, in insertion order.
    pub fn list_by<E: Entity>(&self, column: &str, value: &str) -> Result<Vec<E>> {
        let sql = format!("SELECT id, data FROM {} WHERE \"{column}\" = ?1 AND deleted = 0 ORDER BY pk", E::TABLE);
        self.docs(E::TABLE, &sql, [value])
    }

    /// Lists all live entities of a kind, in insertion order.
    pub fn list<E: Entity>(&self) -> Result<Vec<E>> {
        self.docs(E::TABLE, &format!("SELECT id, data FROM {} WHERE deleted = 0 ORDER BY pk", E::TABLE), [])
    }

    /// Counts live entities of a kind.
    pub fn count<E: Entity>(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row(&format!("SELECT count(*) FROM {} WHERE deleted = 0", E::TABLE), [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Finds an enterprise by credit code.
    pub fn enterprise_by_credit_code(&self, code: &str) -> Result<Option<Enterprise>> {
        Ok(self.list_by::<Enterprise>("credit_code", code)?.into_iter().next())
    }

    /// Open hazards whose rectification deadline is on or before `date` (ISO), soonest first.
    pub fn hazards_due_by(&self, date: &str) -> Result<Vec<Hazard>> {
        self.docs(
            "hazards",
            "SELECT id, data FROM hazards WHERE deleted = 0 AND deadline IS NOT NULL AND deadline <= ?1 \
             AND status IN ('open', 'review_requested', 'review_failed') ORDER BY deadline, pk",
            [date],
        )
    }

    /// A check item by id.
    pub fn check_item(&self, id: &str) -> Result<Option<CheckItem>> {
        let d: Option<String> = self
            .conn
            .prepare_cached("SELECT data FROM check_items WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        d.map(|d| parse("check_items", id, &d)).transpose()
    }

    /// Check items of an industry (and optionally one module), in seed order. The 通用
    /// items are included for every industry, as every inspection covers them.
    pub fn check_items(&self, industry: Option<&str>, module: Option<&str>) -> Result<Vec<CheckItem>> {
        self.docs(
            "check_items",
            "SELECT id, data FROM check_items WHERE (?1 IS NULL OR industry = ?1 OR industry = '通用') \
             AND (?2 IS NULL OR module = ?2) ORDER BY pk",
            params![industry, module],
        )
    }

    /// A law article by short name and number.
    pub fn law(&self, short: &str, article_no: u32) -> Result<Option<LawArticle>> {
        let d: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT key, data FROM laws WHERE short = ?1 AND article_no = ?2 ORDER BY pk LIMIT 1")?
            .query_row(params![short, article_no], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        d.map(|(k, d)| parse("laws", &k, &d)).transpose()
    }

    /// All document types, in 2016 式样 order (supplementary ones last).
    pub fn document_types(&self) -> Result<Vec<DocumentType>> {
        self.docs("document_types", "SELECT name, data FROM document_types ORDER BY data ->> '$.seq_2016', name", [])
    }

    /// Full-text search over enterprise name, credit code and address.
    ///
    /// Results whose name contains the query come first, then matches in any column,
    /// each group in ledger order. Neither step ranks every match, so a one-character
    /// query over 50,000 enterprises stops after `limit` hits instead of scoring
    /// thousands (see `docs/adr/0002-search-segmentation.md` for the figures).
    pub fn search_enterprises(&self, q: &str, limit: usize) -> Result<Vec<EnterpriseHit>> {
        let Some(m) = search::match_query(q) else { return Ok(Vec::new()) };
        let mut out: Vec<EnterpriseHit> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stages = Vec::new();
        if let Some(frag) = search::code_fragment(q) {
            // Any part of a credit code: a scan of the (covering) credit-code index, which
            // is 1 MB for 50,000 enterprises, instead of indexing all 18 suffixes.
            stages.push((
                "SELECT pk FROM enterprises INDEXED BY enterprises_credit_code \
                 WHERE credit_code LIKE '%' || ?1 || '%' LIMIT ?2",
                frag,
            ));
        }
        const FTS: &str = "SELECT rowid AS pk FROM enterprises_fts WHERE enterprises_fts MATCH ?1 LIMIT ?2";
        stages.push((FTS, format!("{{name}} : ({m})")));
        stages.push((FTS, m));
        for (inner, arg) in stages {
            if out.len() >= limit {
                break;
            }
            let sql = format!(
                "SELECT e.pk, e.id, e.data ->> '$.name', e.credit_code, e.county_code, e.data ->> '$.address' \
                 FROM ({inner}) f JOIN enterprises e ON e.pk = f.pk WHERE e.deleted = 0"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![arg, (limit + seen.len()) as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    EnterpriseHit {
                        id: r.get(1)?,
                        name: r.get(2)?,
                        credit_code: r.get(3)?,
                        county_code: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                        address: r.get(5)?,
                    },
                ))
            })?;
            for row in rows {
                let (pk, hit) = row?;
                if out.len() < limit && seen.insert(pk) {
                    out.push(hit);
                }
            }
        }
        Ok(out)
    }

    /// Full-text search over check items (name, content, basis).
    pub fn search_items(&self, q: &str, limit: usize) -> Result<Vec<ItemHit>> {
        let Some(m) = search::match_query(q) else { return Ok(Vec::new()) };
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.industry, c.module, c.data ->> '$.item', c.major_hazard \
             FROM check_items_fts f JOIN check_items c ON c.pk = f.rowid \
             WHERE check_items_fts MATCH ?1 ORDER BY bm25(check_items_fts, 10.0, 2.0, 1.0), c.pk LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![m, limit as i64], |r| {
            Ok(ItemHit {
                id: r.get(0)?,
                industry: r.get(1)?,
                module: r.get(2)?,
                item: r.get(3)?,
                major_hazard: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Full-text search over law articles (title and text).
    pub fn search_laws(&self, q: &str, limit: usize) -> Result<Vec<LawHit>> {
        let Some(m) = search::match_query(q) else { return Ok(Vec::new()) };
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.short, l.data ->> '$.article', l.data ->> '$.text', l.data ->> '$.verbatim' \
             FROM laws_fts f JOIN laws l ON l.pk = f.rowid \
             WHERE laws_fts MATCH ?1 ORDER BY bm25(laws_fts, 5.0, 1.0), l.pk LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![m, limit as i64], |r| {
            Ok(LawHit { short: r.get(0)?, article: r.get(1)?, text: r.get(2)?, verbatim: r.get::<_, i64>(3)? != 0 })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Number of changes not yet acknowledged by the server.
    pub fn pending_change_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM changes WHERE acked = 0", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// The oldest `limit` unacknowledged changes, in local order, with their sequence.
    pub fn pending_changes(&self, limit: usize) -> Result<Vec<(i64, Change)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, change_id, entity, entity_id, op, fields, hlc, county_code, wall_ms, base_hlc \
             FROM changes WHERE acked = 0 ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (seq, cid, entity, entity_id, op, fields, hlc, county, wall, base) = r?;
            let bad = |what: &str| StoreError::Rule(format!("变更记录{seq}的{what}无效"));
            let entity: EntityKind =
                serde_json::from_value(serde_json::Value::String(entity)).map_err(|_| bad("实体类型"))?;
            out.push((
                seq,
                Change {
                    id: ChangeId::parse(&cid).map_err(|_| bad("编号"))?,
                    entity,
                    entity_id,
                    op: if op == "delete" { ChangeOp::Delete } else { ChangeOp::Upsert },
                    fields: parse("changes", &cid, &fields)?,
                    hlc: Hlc::decode(&hlc).map_err(|_| bad("HLC"))?,
                    base: base
                        .map(|b| VersionVector::decode(&b))
                        .transpose()
                        .map_err(|_| bad("基础版本"))?
                        .unwrap_or_default(),
                    county_code: county,
                    wall_ms: wall as u64,
                },
            ));
        }
        Ok(out)
    }
}
