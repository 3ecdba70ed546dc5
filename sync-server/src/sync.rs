//! The sync algorithms, written once against [`Sql`] for both backends: push (dedup by
//! device and sequence, merge, acknowledge after commit), pull (server cursor per county
//! scope, paged, with a checkpoint marker), verify, number leases and attachments.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};
use zhifa_auth::Principal;
use zhifa_core::change::{Change, EntityKind};
use zhifa_protocol::{
    AttachmentStatus, DocumentVerifyResponse, GapListing, GapReportResponse, LeaseRequest, ListedGap, NumberGap,
    NumberLease, PullResponse, PulledEntity, PushRequest, PushResponse, RangeDigest, Rejected, RejectedGap,
    VerifiedDocument, VerifyResponse, WireChange,
};

use crate::db::{Conn, DbError, P, Sql};
use crate::error::{AppError, AppResult};
use crate::store::{self, Touch};
pub use crate::store::{ENTITY_COLUMNS, SignedBody, StoredChange, find_entity, pulled_from_row, stored_changes};

/// Server settings the algorithms need.
#[derive(Debug, Clone, Copy)]
pub struct SyncConfig {
    /// Largest accepted HLC lead over server time.
    pub max_skew_ms: u64,
    /// Largest number of changes per push.
    pub max_batch: usize,
    /// Largest pull page.
    pub max_page: i64,
    /// Largest attachment.
    pub max_attachment_bytes: u64,
    /// Oldest client schema version whose pushes are merged (up to
    /// [`zhifa_protocol::SCHEMA_VERSION`]); pushes outside that range are held.
    pub min_client_schema: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            max_skew_ms: 5 * 60_000,
            max_batch: 500,
            max_page: 1_000,
            max_attachment_bytes: 50 << 20,
            min_client_schema: 1,
        }
    }
}

/// The part of a push every schema version shares: enough to authenticate and hold it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PushEnvelope {
    /// Device id.
    pub device_id: String,
    /// Client schema version.
    pub schema_version: u32,
    /// Changes, read only for their sequence numbers.
    #[serde(default)]
    pub changes: Vec<SeqOnly>,
}

/// A change of any schema version, as far as holding it needs.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SeqOnly {
    /// Device sequence.
    #[serde(default)]
    pub seq: i64,
}

impl PushEnvelope {
    /// First device sequence of the batch (0 when empty).
    pub fn first_seq(&self) -> i64 {
        self.changes.first().map_or(0, |c| c.seq)
    }

    /// Last device sequence of the batch (0 when empty).
    pub fn last_seq(&self) -> i64 {
        self.changes.last().map_or(0, |c| c.seq)
    }
}

/// Keeps a signed batch of an unsupported schema version (once per device and range);
/// returns the version it had. Nothing of it is merged or acknowledged.
pub fn hold_push(
    tx: &mut dyn Sql,
    env: &PushEnvelope,
    officer_id: &str,
    body: &[u8],
    signature: &str,
    now_ms: u64,
) -> AppResult<u32> {
    let text = String::from_utf8(body.to_vec()).map_err(AppError::internal)?;
    tx.exec(
        "INSERT INTO held_pushes (device_id, first_seq, last_seq, schema_version, officer_id, body, signature, \
         received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (device_id, first_seq, last_seq) DO NOTHING",
        &[
            P::T(env.device_id.clone()),
            P::I(env.first_seq()),
            P::I(env.last_seq()),
            P::I(i64::from(env.schema_version)),
            P::T(officer_id.into()),
            P::T(text),
            P::T(signature.into()),
            P::I(now_ms as i64),
        ],
    )?;
    Ok(env.schema_version)
}

/// `426 SCHEMA_UNSUPPORTED`: the batch is held on the server, acknowledged nowhere, and the
/// tablet keeps every change. The message says which side has to be upgraded.
pub fn schema_unsupported(client: u32, cfg: &SyncConfig) -> AppError {
    let (lo, hi) = (cfg.min_client_schema, zhifa_protocol::SCHEMA_VERSION);
    let message = if client < lo {
        format!(
            "本机应用的数据格式版本（{client}）过旧，服务器只接受{lo}至{hi}版：请升级执法通应用后再同步。\
             本次提交已暂存在服务器，本机未同步的数据全部保留，不会丢失"
        )
    } else {
        format!(
            "本机应用的数据格式版本（{client}）比服务器新（服务器支持{lo}至{hi}版）：请联系管理员升级同步服务器。\
             本次提交已暂存在服务器，本机未同步的数据全部保留，不会丢失"
        )
    };
    AppError::new(axum::http::StatusCode::UPGRADE_REQUIRED, "SCHEMA_UNSUPPORTED", message)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Takes the writers' lock (the `counters` row) so sequence order equals commit order.
fn lock_writes(tx: &mut dyn Sql) -> Result<(), DbError> {
    if tx.is_postgres() {
        tx.query("SELECT value FROM counters WHERE name = 'server_seq' FOR UPDATE", &[])?;
    }
    Ok(())
}

/// Resolves the county scope of a change on the server (the client's claim is not trusted).
fn resolve_county<'a>(
    tx: &mut dyn Sql,
    touch: &mut Touch<'a>,
    c: &'a Change,
    city_code: &str,
) -> AppResult<Option<String>> {
    if let Some(existing) = touch.load(tx, c.entity, &c.entity_id)? {
        return Ok(existing.county.clone());
    }
    if matches!(c.entity, EntityKind::Enterprise | EntityKind::Organisation) {
        // Its own scope field (none set: city-wide).
        return Ok(claimed_county(c, city_code).flatten());
    }
    let refs = [
        ("enterprise", "enterprise"),
        ("inspection", "inspection"),
        ("org", "organisation"),
        ("officer", "officer"),
        ("plan", "plan"),
    ];
    for (field, kind) in refs {
        if let Some(id) = c.fields.get(field).and_then(Value::as_str)
            && let Some(county) = touch.county_of(tx, kind, id)?
        {
            return Ok(county);
        }
    }
    Ok(c.county_code.clone())
}

/// The county a change's own scope field names (enterprise `county_code`, organisation
/// `division_code`: its first six digits, `None` for the city itself); outer `None` if the
/// change does not set it or is of another kind.
fn claimed_county(c: &Change, city_code: &str) -> Option<Option<String>> {
    let field = match c.entity {
        EntityKind::Enterprise => "county_code",
        EntityKind::Organisation => "division_code",
        _ => return None,
    };
    let code = c.fields.get(field)?.as_str().map(str::to_owned);
    Some(code.filter(|x| x != city_code).map(|x| x.chars().take(6).collect()))
}

/// A push made ready outside the writers' lock: its order and size checked, every change
/// converted to a core change (or the reason it cannot be), and the signed body compressed
/// for the audit trail. The handlers do this in parallel; only [`push`] is serialised.
#[derive(Debug)]
pub struct PreparedPush {
    device_id: String,
    /// `device_id` parsed, if it is a device id in its canonical form (what a change's HLC
    /// must name).
    device: Option<zhifa_core::ids::DeviceId>,
    changes: Vec<(i64, Result<Change, String>)>,
    body: Vec<u8>,
    signature: String,
}

/// Checks a push and prepares it for [`push`] (no store access).
pub fn prepare_push(req: &PushRequest, signed: SignedBody<'_>, cfg: &SyncConfig) -> AppResult<PreparedPush> {
    if req.changes.len() > cfg.max_batch {
        return Err(AppError::bad_request("BATCH_TOO_LARGE", format!("一次最多提交{}条变更", cfg.max_batch)));
    }
    if req.changes.windows(2).any(|w| w[0].seq >= w[1].seq) {
        return Err(AppError::bad_request("BATCH_ORDER", "变更序号必须严格递增"));
    }
    let device = zhifa_core::ids::DeviceId::parse(&req.device_id).ok().filter(|d| d.to_string() == req.device_id);
    Ok(PreparedPush {
        device_id: req.device_id.clone(),
        device,
        changes: req.changes.iter().map(|wc| (wc.seq, wc.to_core().map_err(|e| e.to_string()))).collect(),
        body: store::compress_batch(signed.body)?,
        signature: signed.signature.to_owned(),
    })
}

/// Stores a prepared batch. Called inside one transaction; the caller answers only after
/// commit.
///
/// Each entity the batch touches is read once, merged in memory and written once; the
/// batch itself is kept as the device signed it (the audit trail) together with the device
/// sequences it stored (docs/sync.md § Storage).
pub fn push(
    tx: &mut dyn Sql,
    who: &Principal,
    req: &PreparedPush,
    now_ms: u64,
    cfg: &SyncConfig,
    city_code: &str,
) -> AppResult<PushResponse> {
    let mut resp = PushResponse::default();
    let (Some(lo), Some(hi)) = (req.changes.first().map(|c| c.0), req.changes.last().map(|c| c.0)) else {
        return Ok(resp);
    };
    lock_writes(tx)?;
    // One counter update per batch: sequences of duplicates and refusals stay unused (a
    // gap in the server sequence is harmless; order is what the cursor needs).
    let end = tx
        .query(
            "UPDATE counters SET value = value + $1 WHERE name = 'server_seq' RETURNING value",
            &[P::I(req.changes.len() as i64)],
        )?
        .first()
        .map_or(Ok(0), |r| r[0].i())?;
    let first = end - req.changes.len() as i64 + 1;
    let near = store::runs_near(tx, &req.device_id, lo, hi)?;
    let mut touch = Touch::default();
    let (mut stored, mut quarantined) = (Vec::new(), Vec::new());
    for (seq, (device_seq, converted)) in (first..).zip(req.changes.iter()) {
        let device_seq = *device_seq;
        resp.acked_through = resp.acked_through.max(device_seq);
        let reject = |code: &str, message: String| Rejected { seq: device_seq, code: code.into(), message };
        if store::in_runs(&near, device_seq) {
            // Already stored by an earlier attempt of this batch: same answer, no change.
            resp.duplicates += 1;
            continue;
        }
        let change = match converted {
            Ok(c) => c,
            Err(e) => {
                resp.rejected.push(reject("CHANGE_INVALID", e.clone()));
                continue;
            }
        };
        if req.device != Some(change.hlc.device) {
            resp.rejected.push(reject("CHANGE_FORGED", "变更记录的设备与提交设备不一致".into()));
            continue;
        }
        let county = resolve_county(tx, &mut touch, change, city_code)?;
        let in_scope = match &who.scope.county {
            None => true,
            Some(mine) => county.as_deref() == Some(mine.as_str()),
        };
        if !in_scope {
            // Indistinguishable from a missing object (no scope information leaks).
            resp.rejected.push(reject("NOT_FOUND", "对象不存在".into()));
            continue;
        }
        if claimed_county(change, city_code).is_some_and(|claimed| claimed != county) {
            // The stored scope never follows a client: moving a record between counties is an
            // administrative act, not a sync edit.
            resp.rejected.push(reject("SCOPE_FIXED", "记录所属区县由服务器确定，不能通过同步修改".into()));
            continue;
        }
        stored.push(device_seq);
        if zhifa_core::merge::quarantine_check(change, now_ms, cfg.max_skew_ms).is_err() {
            quarantined.push(device_seq);
            resp.quarantined.push(device_seq);
            continue;
        }
        let entity = touch.entry(tx, change.entity, &change.entity_id, &county)?;
        let outcome = entity.state.apply(change);
        entity.county = county;
        entity.last_seq = seq;
        entity.dirty = true;
        resp.conflicts += outcome.new_conflicts.len() as u32;
        if outcome.rejected.is_empty() {
            resp.accepted += 1;
        } else {
            // Kept in the audit trail, but not merged.
            let refused: Vec<String> = outcome.rejected.iter().map(|r| r.reason.to_string()).collect();
            resp.rejected.push(reject("CHANGE_REFUSED", refused.join("；")));
        }
    }
    touch.write(tx)?;
    if !stored.is_empty() {
        let batch = store::Batch {
            device: &req.device_id,
            first_server_seq: first,
            changes: req.changes.len(),
            body_zstd: &req.body,
            signature: &req.signature,
            received_ms: now_ms,
        };
        store::record_batch(tx, &batch, &near, &stored, &quarantined)?;
    }
    Ok(resp)
}

/// A prepared push waiting for the store's writer, with what [`push`] needs besides it.
#[derive(Debug)]
pub struct QueuedPush {
    /// The caller.
    pub who: Principal,
    /// The push.
    pub push: PreparedPush,
    /// Server time when the request arrived.
    pub now_ms: u64,
}

/// Group commit: stores several pushes with one durable commit and answers each (the
/// caller answers only after this returns, i.e. after the commit).
///
/// First all of them in one transaction without savepoints (a savepoint makes SQLite copy
/// every page a push touches into a sub-journal: a tenth of the merge). Should any push
/// fail, that transaction is rolled back whole and the group is stored again with each push
/// in its own savepoint ([`push_each_isolated`]), so the failing push is undone alone and
/// the others stand. A push alone is not retried: its error is the answer, nothing of it
/// stored.
pub fn store_pushes(
    conn: &mut Conn,
    pushes: &[QueuedPush],
    cfg: &SyncConfig,
    city_code: &str,
) -> AppResult<Vec<AppResult<PushResponse>>> {
    let all =
        conn.tx(|tx| pushes.iter().map(|q| Ok(Ok(push(tx, &q.who, &q.push, q.now_ms, cfg, city_code)?))).collect());
    match all {
        Err(_) if pushes.len() > 1 => conn.tx(|tx| push_each_isolated(tx, pushes, cfg, city_code)),
        other => other,
    }
}

/// Stores each push in its own savepoint inside the caller's transaction: a push that fails
/// is undone alone and the others stand (the slow path of [`store_pushes`]).
pub fn push_each_isolated(
    tx: &mut dyn Sql,
    pushes: &[QueuedPush],
    cfg: &SyncConfig,
    city_code: &str,
) -> AppResult<Vec<AppResult<PushResponse>>> {
    let mut out = Vec::with_capacity(pushes.len());
    for q in pushes {
        tx.exec("SAVEPOINT zhifa_push", &[])?;
        let r = push(tx, &q.who, &q.push, q.now_ms, cfg, city_code);
        if r.is_err() {
            tx.exec("ROLLBACK TO SAVEPOINT zhifa_push", &[])?;
        }
        tx.exec("RELEASE SAVEPOINT zhifa_push", &[])?;
        out.push(r);
    }
    Ok(out)
}

fn gc_seq(tx: &mut dyn Sql) -> Result<i64, DbError> {
    tx.query("SELECT value FROM counters WHERE name = 'gc_seq'", &[])?.first().map_or(Ok(0), |r| r[0].i())
}

/// Purges tombstones whose last change arrived before `cutoff_ms` (the retention horizon).
/// Their changes stay in the audit trail; a tablet whose cursor predates the purge must resync in
/// full (`pull` answers `RESYNC_REQUIRED`). Returns the number of purged entities.
pub fn purge_tombstones(tx: &mut dyn Sql, cutoff_ms: u64) -> AppResult<u64> {
    lock_writes(tx)?;
    let horizon = tx
        .query(
            "SELECT coalesce(max(first_server_seq + changes - 1), 0) FROM change_batches WHERE received_ms < $1",
            &[P::I(cutoff_ms as i64)],
        )?
        .first()
        .map_or(Ok(0), |r| r[0].i())?;
    let top = tx
        .query(
            "SELECT coalesce(max(last_seq), 0) FROM entities WHERE deleted = 1 AND last_seq <= $1",
            &[P::I(horizon)],
        )?
        .first()
        .map_or(Ok(0), |r| r[0].i())?;
    let n = tx.exec("DELETE FROM entities WHERE deleted = 1 AND last_seq <= $1", &[P::I(horizon)])?;
    if n > 0 {
        let gc = gc_seq(tx)?.max(top);
        if tx.exec("UPDATE counters SET value = $1 WHERE name = 'gc_seq'", &[P::I(gc)])? == 0 {
            tx.exec("INSERT INTO counters (name, value) VALUES ('gc_seq', $1)", &[P::I(gc)])?;
        }
    }
    Ok(n)
}

/// One page of entities changed after `cursor`, in the caller's scope.
pub fn pull(tx: &mut dyn Sql, who: &Principal, cursor: i64, limit: i64) -> AppResult<PullResponse> {
    if cursor > 0 && cursor < gc_seq(tx)? {
        return Err(AppError::new(
            axum::http::StatusCode::CONFLICT,
            "RESYNC_REQUIRED",
            "本机数据早于服务器的删除记录保留期限，需要完整重新同步（未同步的数据不受影响）",
        ));
    }
    let checkpoint = tx.query("SELECT value FROM counters WHERE name = 'server_seq'", &[])?[0][0].i()?;
    let (scope_sql, county) = match &who.scope.county {
        None => ("", None),
        Some(c) => (" AND (county_code = $4 OR county_code IS NULL)", Some(c.clone())),
    };
    let mut params = vec![P::I(cursor), P::I(checkpoint), P::I(limit)];
    if let Some(c) = county {
        params.push(P::T(c));
    }
    let rows = tx.query(&format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE last_seq > $1 AND last_seq <= $2{scope_sql} ORDER BY last_seq LIMIT $3"), &params)?;
    let items = rows.iter().map(pulled_from_row).collect::<AppResult<Vec<_>>>()?;
    let complete = (items.len() as i64) < limit;
    let next_cursor = if complete { checkpoint.max(cursor) } else { items.last().map_or(cursor, |i| i.server_seq) };
    Ok(PullResponse {
        items,
        next_cursor,
        checkpoint,
        checkpoint_complete: complete || next_cursor >= checkpoint,
        extra: Default::default(),
    })
}

/// What the server holds from one device.
pub fn verify(tx: &mut dyn Sql, device_id: &str) -> AppResult<VerifyResponse> {
    let mut rows: Vec<(i64, String)> =
        store::stored_changes(tx, Some(device_id))?.into_iter().map(|s| (s.change.seq, s.change.change_id)).collect();
    rows.sort_unstable();
    let mut all = Sha256::new();
    let mut ranges: BTreeMap<i64, (u64, Sha256)> = BTreeMap::new();
    let mut max_seq = 0;
    for (seq, id) in &rows {
        let seq = *seq;
        let line = format!("{seq}:{id}\n");
        all.update(line.as_bytes());
        let e = ranges.entry((seq - 1).div_euclid(1000)).or_insert_with(|| (0, Sha256::new()));
        e.0 += 1;
        e.1.update(line.as_bytes());
        max_seq = max_seq.max(seq);
    }
    let number_gaps = device_gaps(tx, device_id)?;
    Ok(VerifyResponse {
        number_gaps,
        device_id: device_id.into(),
        count: rows.len() as u64,
        max_seq,
        digest: hex(&all.finalize()),
        ranges: ranges
            .into_iter()
            .map(|(k, (n, h))| RangeDigest {
                from_seq: k * 1000 + 1,
                to_seq: k * 1000 + 1000,
                count: n,
                digest: hex(&h.finalize()),
            })
            .collect(),
    })
}

/// The digest a device computes over its acknowledged changes, to compare with
/// [`verify`]'s answer (same definition, shared by client and tests).
pub fn digest_of(changes: &[WireChange]) -> String {
    let mut h = Sha256::new();
    for c in changes {
        h.update(format!("{}:{}\n", c.seq, c.change_id).as_bytes());
    }
    hex(&h.finalize())
}

/// Leases the next block of document numbers to a device.
pub fn lease(
    tx: &mut dyn Sql,
    device_id: &str,
    req: &LeaseRequest,
    now_ms: u64,
    lease_id: String,
) -> AppResult<NumberLease> {
    if req.count == 0 || req.count > 1000 {
        return Err(AppError::bad_request("LEASE_COUNT", "每次申请的文书编号数量应为1至1000个"));
    }
    if !(2000..=2100).contains(&req.year) || req.doc_code.is_empty() || req.doc_code.chars().count() > 20 {
        return Err(AppError::bad_request("LEASE_INVALID", "文书代字或年份无效"));
    }
    lock_writes(tx)?;
    let max = tx.query(
        "SELECT coalesce(max(end_no), 0) FROM number_leases WHERE doc_code = $1 AND org_id = $2 AND year = $3",
        &[P::T(req.doc_code.clone()), P::T(req.org_id.clone()), P::I(i64::from(req.year))],
    )?[0][0]
        .i()?;
    let start = max + 1;
    let end = max + i64::from(req.count);
    tx.exec(
        "INSERT INTO number_leases (lease_id, doc_code, org_id, year, start_no, end_no, device_id, leased_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            P::T(lease_id.clone()),
            P::T(req.doc_code.clone()),
            P::T(req.org_id.clone()),
            P::I(i64::from(req.year)),
            P::I(start),
            P::I(end),
            P::T(device_id.into()),
            P::I(now_ms as i64),
        ],
    )?;
    Ok(NumberLease {
        lease_id,
        doc_code: req.doc_code.clone(),
        org_id: req.org_id.clone(),
        year: req.year,
        start: start as u32,
        end: end as u32,
        device_id: device_id.into(),
    })
}

/// Gaps a device reported, ordered by code, organisation, year and number.
pub fn device_gaps(tx: &mut dyn Sql, device_id: &str) -> AppResult<Vec<NumberGap>> {
    let rows = tx.query(
        "SELECT doc_code, org_id, year, number, reason, taken_ms FROM number_gaps WHERE device_id = $1 \
         ORDER BY doc_code, org_id, year, number",
        &[P::T(device_id.into())],
    )?;
    rows.iter()
        .map(|r| {
            Ok(NumberGap {
                doc_code: r[0].t()?,
                org_id: r[1].t()?,
                year: r[2].i()? as i32,
                number: r[3].i()? as u32,
                reason: r[4].t()?,
                at_ms: r[5].i()? as u64,
            })
        })
        .collect()
}

/// Gaps of one year on organisations the caller may see (`county`: `None` = city-wide, else
/// that county and city-wide organisations, as for pulls).
pub fn list_gaps(tx: &mut dyn Sql, county: Option<&str>, year: i32) -> AppResult<GapListing> {
    let mut params = vec![P::I(i64::from(year))];
    let scope = match county {
        None => "",
        Some(c) => {
            params.push(P::T(c.into()));
            " AND (e.county_code = $2 OR e.county_code IS NULL)"
        }
    };
    let rows = tx.query(
        &format!(
            "SELECT g.doc_code, g.org_id, g.year, g.number, g.reason, g.taken_ms, g.device_id, g.officer_id, \
             g.reported_ms FROM number_gaps g JOIN entities e ON e.key_hash = zhifa_entity_key('organisation', g.org_id) \
             AND e.entity = 'organisation' AND e.entity_id = g.org_id \
             WHERE g.year = $1{scope} ORDER BY g.doc_code, g.org_id, g.year, g.number"
        ),
        &params,
    )?;
    let gaps = rows
        .iter()
        .map(|r| {
            Ok(ListedGap {
                gap: NumberGap {
                    doc_code: r[0].t()?,
                    org_id: r[1].t()?,
                    year: r[2].i()? as i32,
                    number: r[3].i()? as u32,
                    reason: r[4].t()?,
                    at_ms: r[5].i()? as u64,
                },
                device_id: r[6].t()?,
                officer_id: r[7].t()?,
                reported_ms: r[8].i()? as u64,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(GapListing { gaps })
}

/// Longest accepted gap reason (characters).
const MAX_GAP_REASON: usize = 500;

/// Stores reported gaps. A gap is accepted only for a number inside a block leased to this
/// device (otherwise `NOT_FOUND`, like a number that was never leased); a gap already stored
/// is a duplicate (the first report stands).
pub fn record_gaps(
    tx: &mut dyn Sql,
    device_id: &str,
    officer_id: &str,
    gaps: &[NumberGap],
    now_ms: u64,
) -> AppResult<GapReportResponse> {
    let mut resp = GapReportResponse::default();
    for g in gaps {
        let reject = |code: &str, message: &str| RejectedGap {
            doc_code: g.doc_code.clone(),
            number: g.number,
            code: code.into(),
            message: message.into(),
        };
        let reason = g.reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_GAP_REASON {
            resp.rejected.push(reject("GAP_REASON", "作废文书编号须说明原因（不超过500字）"));
            continue;
        }
        let leased = tx.query(
            "SELECT 1 FROM number_leases WHERE device_id = $1 AND doc_code = $2 AND org_id = $3 AND year = $4 \
             AND start_no <= $5 AND end_no >= $5",
            &[
                P::T(device_id.into()),
                P::T(g.doc_code.clone()),
                P::T(g.org_id.clone()),
                P::I(i64::from(g.year)),
                P::I(i64::from(g.number)),
            ],
        )?;
        if leased.is_empty() {
            resp.rejected.push(reject("NOT_FOUND", "对象不存在"));
            continue;
        }
        let n = tx.exec(
            "INSERT INTO number_gaps (doc_code, org_id, year, number, device_id, officer_id, reason, taken_ms, \
             reported_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (doc_code, org_id, year, number) DO NOTHING",
            &[
                P::T(g.doc_code.clone()),
                P::T(g.org_id.clone()),
                P::I(i64::from(g.year)),
                P::I(i64::from(g.number)),
                P::T(device_id.into()),
                P::T(officer_id.into()),
                P::T(reason.into()),
                P::I(g.at_ms.min(i64::MAX as u64) as i64),
                P::I(now_ms as i64),
            ],
        )?;
        if n == 0 {
            resp.duplicates += 1;
        } else {
            resp.recorded += 1;
        }
    }
    Ok(resp)
}

/// The answer to a scanned document payload, given the document the caller may see (`None`:
/// missing or out of scope). Drafts and deleted documents were never issued as they stand,
/// so they answer `unknown` too.
pub fn document_verdict(doc: Option<PulledEntity>, payload: &zhifa_protocol::DocPayload) -> DocumentVerifyResponse {
    let text = |e: &PulledEntity, k: &str| e.fields.get(k).and_then(Value::as_str).map(str::to_owned);
    let issued = doc.filter(|e| {
        !e.deleted
            && text(e, "status").is_some_and(|st| st != "draft")
            && text(e, "content_hash").is_some_and(|h| !h.is_empty())
    });
    let Some(e) = issued else {
        return DocumentVerifyResponse {
            result: "unknown".into(),
            message: "查无此文书：系统中没有与此核验码对应的已签发文书，请向签发机关核实".into(),
            document: None,
        };
    };
    let genuine = text(&e, "content_hash").is_some_and(|h| h.eq_ignore_ascii_case(&payload.content_hash));
    let document = Some(VerifiedDocument {
        id: e.id.clone(),
        doc_type: text(&e, "doc_type").unwrap_or_default(),
        number: text(&e, "number"),
        status: text(&e, "status").unwrap_or_default(),
    });
    if genuine {
        DocumentVerifyResponse {
            result: "genuine".into(),
            message: "文书真实有效，与签发时的内容一致".into(),
            document,
        }
    } else {
        DocumentVerifyResponse {
            result: "altered".into(),
            message: "文书内容与签发时不一致，可能被篡改：请以签发机关存档的文书为准".into(),
            document,
        }
    }
}

/// Upload state of an attachment.
pub fn attachment_status(tx: &mut dyn Sql, sha256: &str) -> AppResult<AttachmentStatus> {
    let r = tx.query("SELECT received, complete FROM attachments WHERE sha256 = $1", &[P::T(sha256.into())])?;
    Ok(match r.first() {
        Some(row) => {
            AttachmentStatus { sha256: sha256.into(), received: row[0].i()? as u64, complete: row[1].i()? != 0 }
        }
        None => AttachmentStatus { sha256: sha256.into(), received: 0, complete: false },
    })
}

/// Appends a chunk at `offset`; a chunk at the wrong offset is refused with the current
/// state so the client resumes from there. Idempotent for a complete file.
pub fn attachment_chunk(
    tx: &mut dyn Sql,
    sha256: &str,
    offset: u64,
    bytes: &[u8],
    cfg: &SyncConfig,
) -> AppResult<AttachmentStatus> {
    let st = attachment_status(tx, sha256)?;
    if st.complete || bytes.is_empty() {
        // An empty chunk adds nothing (storing it would collide with the next chunk's key).
        return Ok(st);
    }
    if offset != st.received {
        return Err(AppError::new(
            axum::http::StatusCode::CONFLICT,
            "CHUNK_OFFSET",
            format!("分片位置不对：服务器已收到{}字节，请从该位置继续上传", st.received),
        ));
    }
    if offset + bytes.len() as u64 > cfg.max_attachment_bytes {
        return Err(AppError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "ATTACHMENT_TOO_LARGE",
            "附件超过大小上限",
        ));
    }
    tx.exec(
        "INSERT INTO attachment_chunks (sha256, offset_bytes, bytes) VALUES ($1, $2, $3)",
        &[P::T(sha256.into()), P::I(offset as i64), P::B(bytes.to_vec())],
    )?;
    let received = offset + bytes.len() as u64;
    if st.received == 0 && offset == 0 {
        tx.exec(
            "INSERT INTO attachments (sha256, received, complete) VALUES ($1, $2, 0)",
            &[P::T(sha256.into()), P::I(received as i64)],
        )?;
    } else {
        tx.exec(
            "UPDATE attachments SET received = $2 WHERE sha256 = $1",
            &[P::T(sha256.into()), P::I(received as i64)],
        )?;
    }
    Ok(AttachmentStatus { sha256: sha256.into(), received, complete: false })
}

/// Checks the received bytes against the hash; a mismatch discards them.
pub fn attachment_complete(tx: &mut dyn Sql, sha256: &str) -> AppResult<AttachmentStatus> {
    let st = attachment_status(tx, sha256)?;
    if st.complete {
        return Ok(st);
    }
    let rows = tx
        .query("SELECT bytes FROM attachment_chunks WHERE sha256 = $1 ORDER BY offset_bytes", &[P::T(sha256.into())])?;
    let mut h = Sha256::new();
    for r in &rows {
        h.update(r[0].b()?);
    }
    if hex(&h.finalize()) != sha256 {
        tx.exec("DELETE FROM attachment_chunks WHERE sha256 = $1", &[P::T(sha256.into())])?;
        tx.exec("DELETE FROM attachments WHERE sha256 = $1", &[P::T(sha256.into())])?;
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "ATTACHMENT_HASH",
            "附件内容与校验值不符，已丢弃，请重新上传",
        ));
    }
    tx.exec("UPDATE attachments SET complete = 1 WHERE sha256 = $1", &[P::T(sha256.into())])?;
    Ok(AttachmentStatus { complete: true, ..st })
}

/// Reads a complete attachment.
pub fn attachment_bytes(tx: &mut dyn Sql, sha256: &str) -> AppResult<Vec<u8>> {
    if !attachment_status(tx, sha256)?.complete {
        return Err(AppError::not_found());
    }
    let rows = tx
        .query("SELECT bytes FROM attachment_chunks WHERE sha256 = $1 ORDER BY offset_bytes", &[P::T(sha256.into())])?;
    let mut out = Vec::new();
    for r in &rows {
        out.extend(r[0].b()?);
    }
    Ok(out)
}
