//! How the central store keeps what sync needs (schema 4, docs/sync.md § Storage): merge
//! states as bytes, the audit trail as the signed push batches (zstd), and the device
//! sequences already stored as runs. Written once against [`Sql`] for both backends.

use serde::Deserialize;
use zhifa_core::change::EntityKind;
use zhifa_core::merge::{EntityState, FORMAT_V1, FORMAT_V2};
use zhifa_protocol::{PulledEntity, WireChange, WireConflict};

use crate::db::{Cell, DbError, P, Row, Sql, entity_key};
use crate::error::{AppError, AppResult};

/// Tag of a zstd-compressed binary state (large states only: documents with their content).
const FORMAT_ZSTD: u8 = 0xB2;
/// States at least this large are stored compressed when that saves space.
const COMPRESS_FROM: usize = 512;
/// Largest decompressed state accepted (a corrupt length must not allocate gigabytes).
const MAX_STATE: usize = 64 << 20;
/// zstd level of stored batches: level 1 compresses a 500-change batch in about a
/// millisecond to 1/8 of its JSON (docs/benchmarks.md § Storage).
pub const BATCH_ZSTD_LEVEL: i32 = 1;
/// Largest decompressed batch accepted when reading the audit trail.
const MAX_BATCH: usize = 256 << 20;

/// Bytes stored for a state.
pub fn state_bytes(state: &EntityState) -> Vec<u8> {
    let bytes = state.encode();
    if bytes.len() >= COMPRESS_FROM
        && let Ok(z) = zstd::bulk::compress(&bytes, 3)
        && z.len() + 1 < bytes.len()
    {
        let mut out = Vec::with_capacity(z.len() + 1);
        out.push(FORMAT_ZSTD);
        out.extend_from_slice(&z);
        return out;
    }
    bytes
}

/// A stored state: binary (plain or compressed) or, for rows not rewritten since schema 3,
/// the old JSON text.
pub fn state_from_bytes(bytes: &[u8]) -> AppResult<EntityState> {
    match bytes.first() {
        Some(&FORMAT_V1 | &FORMAT_V2) => EntityState::decode(bytes).map_err(AppError::internal),
        Some(&FORMAT_ZSTD) => {
            let raw = zstd::bulk::decompress(&bytes[1..], MAX_STATE).map_err(AppError::internal)?;
            EntityState::decode(&raw).map_err(AppError::internal)
        }
        Some(b'{') => serde_json::from_slice(bytes).map_err(AppError::internal),
        _ => Err(AppError::internal(DbError::Type("unknown entity state format".into()))),
    }
}

/// The bytes of a state or batch column (SQLite hands back text for a column cast from TEXT
/// by a migration).
fn cell_bytes(c: &Cell) -> AppResult<&[u8]> {
    match c {
        Cell::B(b) => Ok(b),
        Cell::T(t) => Ok(t.as_bytes()),
        other => Err(AppError::internal(DbError::Type(format!("expected bytes, got {other:?}")))),
    }
}

fn state_cell(c: &Cell) -> AppResult<EntityState> {
    state_from_bytes(cell_bytes(c)?)
}

fn conflicts_json(conflicts: &[zhifa_core::merge::Conflict]) -> Vec<WireConflict> {
    conflicts
        .iter()
        .cloned()
        .map(|c| WireConflict {
            field: c.field,
            kind: serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            values: c.values.into_iter().map(|(v, _)| v).collect(),
            message: c.message_zh,
        })
        .collect()
}

/// Columns read by [`pulled_from_row`].
pub const ENTITY_COLUMNS: &str = "entity, entity_id, county_code, state, last_seq";

/// An `entities` row (selected with [`ENTITY_COLUMNS`]) as the wire shows it: the view,
/// version and conflicts are computed from the stored merge state.
pub fn pulled_from_row(r: &Row) -> AppResult<PulledEntity> {
    let view = state_cell(&r[3])?.view();
    Ok(PulledEntity {
        entity: r[0].t()?,
        id: r[1].t()?,
        county_code: r[2].ot()?,
        conflicts: conflicts_json(&view.conflicts),
        fields: view.fields,
        deleted: view.deleted,
        version: view.version.map(|h| h.encode()),
        seen: (!view.seen.is_empty()).then(|| view.seen.encode()),
        server_seq: r[4].i()?,
    })
}

/// The entity `kind`/`id` as the wire shows it (`None`: not in the store).
pub fn find_entity(tx: &mut dyn Sql, kind: &str, id: &str) -> AppResult<Option<PulledEntity>> {
    let rows = tx.query(
        &format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE key_hash = $3 AND entity = $1 AND entity_id = $2"),
        &[P::T(kind.into()), P::T(id.into()), P::I(entity_key(kind, id))],
    )?;
    rows.first().map(pulled_from_row).transpose()
}

// ---------------------------------------------------------------------------------------
// Device sequences as runs
// ---------------------------------------------------------------------------------------

/// Sorted, disjoint, non-adjacent runs of sequences.
pub fn runs_of(seqs: impl IntoIterator<Item = i64>) -> Vec<(i64, i64)> {
    let mut v: Vec<i64> = seqs.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for s in v {
        match out.last_mut() {
            Some(last) if last.1 + 1 == s => last.1 = s,
            _ => out.push((s, s)),
        }
    }
    out
}

/// `1-250,252`.
pub fn runs_text(runs: &[(i64, i64)]) -> String {
    runs.iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect::<Vec<_>>().join(",")
}

/// Parses [`runs_text`] (stored by the server itself: a malformed text is a store error).
pub fn parse_runs(text: &str) -> AppResult<Vec<(i64, i64)>> {
    let bad = || AppError::internal(DbError::Type(format!("malformed sequence runs {text:?}")));
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (a, b) = match p.get(1..).and_then(|rest| rest.find('-')).map(|i| i + 1) {
                Some(i) => (&p[..i], &p[i + 1..]),
                None => (p, p),
            };
            Ok((a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?))
        })
        .collect()
}

/// Whether `s` is in one of `runs`.
pub fn in_runs(runs: &[(i64, i64)], s: i64) -> bool {
    runs.iter().any(|(a, b)| *a <= s && s <= *b)
}

/// The stored runs of `device` touching `lo ..= hi` (or adjacent to it).
pub fn runs_near(tx: &mut dyn Sql, device: &str, lo: i64, hi: i64) -> AppResult<Vec<(i64, i64)>> {
    let rows = tx.query(
        "SELECT from_seq, to_seq FROM device_seqs WHERE device_id = $1 AND to_seq >= $2 AND from_seq <= $3 \
         ORDER BY from_seq",
        &[P::T(device.into()), P::I(lo.saturating_sub(1)), P::I(hi.saturating_add(1))],
    )?;
    rows.iter().map(|r| Ok((r[0].i()?, r[1].i()?))).collect()
}

/// Adds `stored` to the device's runs; `near` are the runs [`runs_near`] returned for the
/// batch's range (all runs that can merge with the new ones).
fn add_runs(tx: &mut dyn Sql, device: &str, near: &[(i64, i64)], stored: &[(i64, i64)]) -> AppResult<()> {
    let mut all: Vec<(i64, i64)> = near.iter().chain(stored).copied().collect();
    all.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in all {
        match merged.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    for (a, _) in near {
        tx.exec("DELETE FROM device_seqs WHERE device_id = $1 AND from_seq = $2", &[P::T(device.into()), P::I(*a)])?;
    }
    for (a, b) in merged {
        tx.exec(
            "INSERT INTO device_seqs (device_id, from_seq, to_seq) VALUES ($1, $2, $3)",
            &[P::T(device.into()), P::I(a), P::I(b)],
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The entities a batch touches
// ---------------------------------------------------------------------------------------

/// An entity loaded (or created) by the batch being merged.
pub struct Touched {
    /// Merge state.
    pub state: EntityState,
    /// County scope.
    pub county: Option<String>,
    /// Whether the row exists in the store.
    pub existed: bool,
    /// Server sequence of the last change applied (the row's new `last_seq`).
    pub last_seq: i64,
    /// Whether it must be written back.
    pub dirty: bool,
    /// Its `key_hash` ([`entity_key`]), computed once.
    key_hash: i64,
}

/// An entity's kind and id, borrowed from the batch being merged.
type Key<'a> = (&'a str, &'a str);

/// The entities of one batch: each is read once, merged in memory and written once. Keys
/// borrow from the batch and hash with foldhash (SipHash and owned keys were a tenth of the
/// merge's CPU time).
#[derive(Default)]
pub struct Touch<'a> {
    entities: foldhash::HashMap<Key<'a>, Touched>,
    /// Lookups of entities not loaded.
    looked_up: foldhash::HashMap<Key<'a>, Lookup>,
}

/// What a lookup of an entity not loaded found, with the key hash computed for it (kept for
/// the entity's load or insert: SHA-256 once per entity and batch).
enum Lookup {
    /// In the store, in this county.
    Found(Option<String>, i64),
    /// Not in the store.
    Missing(i64),
}

impl Lookup {
    fn key_hash(&self) -> i64 {
        match self {
            Lookup::Found(_, k) | Lookup::Missing(k) => *k,
        }
    }
}

impl<'a> Touch<'a> {
    /// The county of an entity in the store or in this batch (outer `None`: not there).
    pub fn county_of(
        &mut self,
        tx: &mut dyn Sql,
        entity: &'a str,
        id: &'a str,
    ) -> Result<Option<Option<String>>, DbError> {
        let key = (entity, id);
        if let Some(t) = self.entities.get(&key) {
            return Ok(Some(t.county.clone()));
        }
        match self.looked_up.get(&key) {
            Some(Lookup::Found(c, _)) => return Ok(Some(c.clone())),
            Some(Lookup::Missing(_)) => return Ok(None),
            None => {}
        }
        let key_hash = entity_key(entity, id);
        let r = tx.query(
            "SELECT county_code FROM entities WHERE key_hash = $3 AND entity = $1 AND entity_id = $2",
            &[P::T(entity.into()), P::T(id.into()), P::I(key_hash)],
        )?;
        let c = r.first().map(|row| row[0].ot()).transpose()?;
        self.looked_up.insert(key, c.clone().map_or(Lookup::Missing(key_hash), |c| Lookup::Found(c, key_hash)));
        Ok(c)
    }

    /// Loads an entity (its county and state) into the batch; outer `None`: not in the
    /// store and not created by this batch yet.
    pub fn load(&mut self, tx: &mut dyn Sql, kind: EntityKind, id: &'a str) -> AppResult<Option<&mut Touched>> {
        let key = (kind.as_str(), id);
        if !self.entities.contains_key(&key) {
            let key_hash = match self.looked_up.get(&key) {
                // Looked up already: not in the store.
                Some(Lookup::Missing(_)) => return Ok(None),
                Some(l) => l.key_hash(),
                None => entity_key(kind.as_str(), id),
            };
            let r = tx.query(
                "SELECT county_code, state, last_seq FROM entities WHERE key_hash = $3 AND entity = $1 AND entity_id = $2",
                &[P::T(kind.as_str().into()), P::T(id.into()), P::I(key_hash)],
            )?;
            let Some(row) = r.first() else {
                self.looked_up.insert(key, Lookup::Missing(key_hash));
                return Ok(None);
            };
            let t = Touched {
                county: row[0].ot()?,
                state: state_cell(&row[1])?,
                existed: true,
                last_seq: row[2].i()?,
                dirty: false,
                key_hash,
            };
            self.entities.insert(key, t);
        }
        Ok(self.entities.get_mut(&key))
    }

    /// The entity, created empty in `county` when it is new.
    pub fn entry(
        &mut self,
        tx: &mut dyn Sql,
        kind: EntityKind,
        id: &'a str,
        county: &Option<String>,
    ) -> AppResult<&mut Touched> {
        let key = (kind.as_str(), id);
        if !self.entities.contains_key(&key) && self.load(tx, kind, id)?.is_none() {
            let key_hash = self.looked_up.remove(&key).map_or_else(|| entity_key(kind.as_str(), id), |l| l.key_hash());
            let t = Touched {
                state: EntityState::new(kind),
                county: county.clone(),
                existed: false,
                last_seq: 0,
                dirty: false,
                key_hash,
            };
            self.entities.insert(key, t);
        }
        self.entities.get_mut(&key).ok_or_else(|| AppError::internal(DbError::WorkerGone))
    }

    /// Writes every changed entity back (one statement each).
    pub fn write(self, tx: &mut dyn Sql) -> AppResult<()> {
        let mut dirty: Vec<(Key<'a>, Touched)> = self.entities.into_iter().filter(|(_, t)| t.dirty).collect();
        // In sequence order: the same statements in the same order on every run.
        dirty.sort_by_key(|(_, t)| t.last_seq);
        for ((kind, id), t) in dirty {
            let params = [
                P::T(kind.into()),
                P::T(id.into()),
                P::OT(t.county),
                P::I(i64::from(t.state.deleted())),
                P::B(state_bytes(&t.state)),
                P::I(t.last_seq),
                P::I(t.key_hash),
            ];
            // One row per statement: SQLite writes a statement journal for a multi-row
            // insert, which measured slower than the statements it saves.
            let sql = if t.existed {
                "UPDATE entities SET county_code = $3, deleted = $4, state = $5, last_seq = $6 \
                 WHERE key_hash = $7 AND entity = $1 AND entity_id = $2"
            } else {
                "INSERT INTO entities (entity, entity_id, county_code, deleted, state, last_seq, key_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            };
            tx.exec(sql, &params)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The audit trail: stored batches
// ---------------------------------------------------------------------------------------

/// The bytes of a push as the device signed them.
#[derive(Debug, Clone, Copy)]
pub struct SignedBody<'a> {
    /// The JSON body (decompressed).
    pub body: &'a [u8],
    /// The device's signature (empty for the server's own demo seed).
    pub signature: &'a str,
}

/// An accepted batch as the audit trail keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// Device that pushed it.
    pub device: &'a str,
    /// Server sequence of its first change (the others follow in body order).
    pub first_server_seq: i64,
    /// Number of changes in the body.
    pub changes: usize,
    /// The signed body, compressed ([`compress_batch`]).
    pub body_zstd: &'a [u8],
    /// The device's signature.
    pub signature: &'a str,
    /// When the server received it.
    pub received_ms: u64,
}

/// Records an accepted batch: its signed body (compressed), which device sequences it
/// stored and which were quarantined; adds the stored ones to the device's runs.
pub fn record_batch(
    tx: &mut dyn Sql,
    batch: &Batch<'_>,
    near: &[(i64, i64)],
    stored: &[i64],
    quarantined: &[i64],
) -> AppResult<()> {
    let stored = runs_of(stored.iter().copied());
    tx.exec(
        "INSERT INTO change_batches (first_server_seq, device_id, changes, received_ms, encoding, body, signature, \
         stored, quarantined) VALUES ($1, $2, $3, $4, 'push+zstd', $5, $6, $7, $8)",
        &[
            P::I(batch.first_server_seq),
            P::T(batch.device.into()),
            P::I(batch.changes as i64),
            P::I(batch.received_ms as i64),
            P::B(batch.body_zstd.to_vec()),
            P::T(batch.signature.into()),
            P::T(runs_text(&stored)),
            P::T(runs_text(&runs_of(quarantined.iter().copied()))),
        ],
    )?;
    add_runs(tx, batch.device, near, &stored)
}

thread_local! {
    /// One zstd context per thread: creating one per batch cost a tenth of the merge.
    static BATCH_COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// zstd of a signed body for the trail (one compression context per thread).
pub fn compress_batch(body: &[u8]) -> AppResult<Vec<u8>> {
    BATCH_COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Some(zstd::bulk::Compressor::new(BATCH_ZSTD_LEVEL).map_err(AppError::internal)?);
        }
        match c.as_mut() {
            Some(z) => z.compress(body).map_err(AppError::internal),
            None => Err(AppError::internal(DbError::WorkerGone)),
        }
    })
}

/// One change as the server stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChange {
    /// Server sequence.
    pub server_seq: i64,
    /// Device that pushed it.
    pub device_id: String,
    /// When the server received it.
    pub received_ms: u64,
    /// Held back by the clock-skew check (stored, not merged).
    pub quarantined: bool,
    /// The change as the device sent it.
    pub change: WireChange,
}

/// The changes one stored batch holds, with their server sequences (every change of the
/// body, stored or not).
fn batch_changes(encoding: &str, body: &[u8], first: i64) -> AppResult<Vec<(i64, WireChange)>> {
    #[derive(Deserialize)]
    struct Changes {
        changes: Vec<WireChange>,
    }
    let list: Vec<WireChange> = match encoding {
        "push+zstd" => {
            let raw = zstd::bulk::decompress(body, MAX_BATCH).map_err(AppError::internal)?;
            serde_json::from_slice::<Changes>(&raw).map_err(AppError::internal)?.changes
        }
        "change" => vec![serde_json::from_slice(body).map_err(AppError::internal)?],
        other => return Err(AppError::internal(DbError::Type(format!("unknown batch encoding {other:?}")))),
    };
    Ok((first..).zip(list).collect())
}

/// Every change stored (from one device, or all), in server-sequence order: the audit
/// trail read back from the signed batches.
pub fn stored_changes(tx: &mut dyn Sql, device: Option<&str>) -> AppResult<Vec<StoredChange>> {
    let (filter, params) = match device {
        Some(d) => (" WHERE device_id = $1", vec![P::T(d.into())]),
        None => ("", vec![]),
    };
    let rows = tx.query(
        &format!(
            "SELECT first_server_seq, device_id, received_ms, encoding, body, stored, quarantined \
             FROM change_batches{filter} ORDER BY first_server_seq"
        ),
        &params,
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let (stored, quarantined) = (parse_runs(&r[5].t()?)?, parse_runs(&r[6].t()?)?);
        for (server_seq, change) in batch_changes(&r[3].t()?, cell_bytes(&r[4])?, r[0].i()?)? {
            if in_runs(&stored, change.seq) {
                out.push(StoredChange {
                    server_seq,
                    device_id: r[1].t()?,
                    received_ms: r[2].i()? as u64,
                    quarantined: in_runs(&quarantined, change.seq),
                    change,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(content_chars: usize) -> EntityState {
        use zhifa_core::change::{Change, ChangeOp};
        use zhifa_core::hlc::Hlc;
        use zhifa_core::ids::{ChangeId, DeviceId};
        let hlc = Hlc { wall_ms: 1_767_225_600_000, counter: 0, device: DeviceId(uuid::Uuid::from_bytes([3; 16])) };
        let fields = serde_json::json!({"doc_type": "现场检查记录", "content": "检查情况：".repeat(content_chars / 5)});
        let change = Change {
            id: ChangeId::from_parts(hlc.wall_ms, [1; 10]),
            entity: EntityKind::Document,
            entity_id: "d1".into(),
            op: ChangeOp::Upsert,
            fields: fields.as_object().unwrap().clone().into_iter().collect(),
            hlc,
            base: Default::default(),
            county_code: None,
            wall_ms: hlc.wall_ms,
        };
        EntityState::from_changes(EntityKind::Document, [&change])
    }

    #[test]
    fn states_are_stored_plain_small_compressed_large_and_read_in_every_form() {
        let small = document(10);
        let bytes = state_bytes(&small);
        assert_eq!(bytes[0], FORMAT_V2);
        assert_eq!(state_from_bytes(&bytes).unwrap(), small);

        let large = document(5_000);
        let bytes = state_bytes(&large);
        assert_eq!(bytes[0], FORMAT_ZSTD, "a frozen document content is compressed");
        assert!(bytes.len() * 4 < large.encode().len());
        assert_eq!(state_from_bytes(&bytes).unwrap(), large);

        // A schema-3 row: the JSON text, as bytes or as text.
        let json = serde_json::to_string(&large).unwrap();
        assert_eq!(state_from_bytes(json.as_bytes()).unwrap(), large);
        assert_eq!(state_cell(&Cell::T(json)).unwrap(), large);

        for garbage in [&b""[..], b"\x00", b"\xB2not zstd", b"\xB1\xff", b"{not json"] {
            assert!(state_from_bytes(garbage).is_err(), "{garbage:?}");
        }
    }

    #[test]
    fn runs_round_trip() {
        let r = runs_of([5, 1, 2, 3, 7, 8, 2]);
        assert_eq!(r, vec![(1, 3), (5, 5), (7, 8)]);
        assert_eq!(runs_text(&r), "1-3,5,7-8");
        assert_eq!(parse_runs("1-3,5,7-8").unwrap(), r);
        assert_eq!(parse_runs("").unwrap(), vec![]);
        assert!(parse_runs("1-x").is_err());
        assert!(in_runs(&r, 2) && in_runs(&r, 8) && !in_runs(&r, 4));
    }
}
