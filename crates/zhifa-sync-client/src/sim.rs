//! The "county night" simulation (`shared/design/sync-design.md` B.2): simulated tablets
//! with real replicas in a temporary directory work offline for some days, sync at night
//! against a real server, and every replica is then compared with the server's view of
//! its scope.
//!
//! Deterministic from its seed (SplitMix64). Optional faults for tests: lost
//! acknowledgements (the batch is pushed again), crashes between staging a pull and
//! applying it (the replica is reopened from disk), and random batch sizes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use zhifa_core::enterprise::Enterprise;
use zhifa_core::evidence::{ContentHash, Evidence, EvidenceKind};
use zhifa_core::ids::{InspectionId, OfficerId, splitmix64};
use zhifa_core::inspection::{Answer, AnswerResult, Inspection};
use zhifa_core::workflow::InspectionStatus;
use zhifa_seed::demo::{DEMO_PASSWORD, DemoSize, generate};
use zhifa_store::{Replica, StoreError};

use crate::{SyncClient, SyncError, SyncReport};

/// Simulation settings.
#[derive(Debug, Clone, Serialize)]
pub struct SimConfig {
    /// Number of tablets (spread over counties, 4 per county).
    pub devices: usize,
    /// Offline days before the final sync (each night the tablets sync).
    pub days: u32,
    /// Percent of ledger updates that hit a record another tablet of the county edits the same day.
    pub conflict_pct: u32,
    /// Seed.
    pub seed: u64,
    /// New inspections per tablet per day (each: 1 inspection, 25 answers, 2 evidence rows).
    pub inspections_per_day: usize,
    /// Ledger updates per tablet per day (3 fields each).
    pub updates_per_day: usize,
    /// Inject faults (lost acks, crash between staging and applying a pull, random batch sizes).
    pub faults: bool,
    /// Tablets pushing at the same time in a night (1: one after another). With faults the
    /// pushes stay one after another.
    pub parallel: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            devices: 12,
            days: 1,
            conflict_pct: 5,
            seed: 1,
            inspections_per_day: 2,
            updates_per_day: 5,
            faults: false,
            parallel: 1,
        }
    }
}

/// What a simulation found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SimSummary {
    /// Every replica equals the server's view of its scope.
    pub converged: bool,
    /// Records present more than once anywhere (server copies of a change beyond one).
    pub duplicates: u64,
    /// Conflicts flagged on the server (distinct entity fields).
    pub conflicts: u64,
    /// Conflicts the server raised while merging pushes (a conflict later resolved by an
    /// edit that saw both values is counted here but no longer in `conflicts`).
    pub conflicts_raised: u64,
    /// Same-field concurrent edits the workload made (each should be flagged).
    pub concurrent_same_field_edits: u64,
    /// Changes stored by the server for the first time.
    pub changes_pushed: u64,
    /// Entity states applied on tablets.
    pub changes_pulled: u64,
    /// Changes the server refused or quarantined.
    pub refused: u64,
    /// Request bytes on the wire (bodies, compressed).
    pub bytes_up: u64,
    /// Response bytes on the wire (bodies, compressed).
    pub bytes_down: u64,
    /// Request bodies before compression (JSON).
    pub json_bytes_up: u64,
    /// Response bodies after decompression (JSON).
    pub json_bytes_down: u64,
    /// Wall time of the whole run.
    pub wall_ms: u64,
    /// Wall time of the nights' push phases alone (every tablet's upload), ms.
    #[serde(default)]
    pub push_ms: u64,
    /// Replicas compared.
    pub replicas: usize,
    /// First differences found, for diagnosis.
    pub differences: Vec<String>,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pct(&mut self, p: u32) -> bool {
        self.next() % 100 < u64::from(p)
    }
}

struct Tablet {
    replica: Replica,
    client: SyncClient,
    county: String,
    officer: OfficerId,
    path: std::path::PathBuf,
}

fn add(total: &mut SimSummary, r: &SyncReport) {
    total.changes_pushed += r.pushed;
    total.conflicts_raised += r.conflicts;
    total.changes_pulled += r.pulled;
    total.refused += (r.rejected.len() as u64) + r.quarantined;
    total.bytes_up += r.bytes_up;
    total.bytes_down += r.bytes_down;
    total.json_bytes_up += r.json_bytes_up;
    total.json_bytes_down += r.json_bytes_down;
}

/// Pulls the caller's whole scope from cursor 0 (without touching the replica).
async fn server_view(
    t: &mut Tablet,
    total: &mut SimSummary,
) -> Result<BTreeMap<(String, String), (Value, bool, usize)>, SyncError> {
    let mut out = BTreeMap::new();
    let mut cursor = 0;
    loop {
        let url = t.client.url("/pull");
        let mut rep = SyncReport::default();
        let r: zhifa_protocol::PullResponse = t
            .client
            .authed(
                &mut t.replica,
                |http, token| http.get(&url).bearer_auth(token).query(&[("cursor", cursor), ("limit", 1000)]),
                &mut rep,
            )
            .await?;
        total.bytes_down += rep.bytes_down;
        total.json_bytes_down += rep.json_bytes_down;
        for it in r.items {
            out.insert((it.entity, it.id), (Value::Object(it.fields), it.deleted, it.conflicts.len()));
        }
        cursor = r.next_cursor;
        if r.checkpoint_complete {
            return Ok(out);
        }
    }
}

async fn night(
    tablets: &mut [Tablet],
    rng: &mut Rng,
    faults: bool,
    parallel: usize,
    total: &mut SimSummary,
) -> Result<(), SyncError> {
    let mut order: Vec<usize> = (0..tablets.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let pushes = Instant::now();
    if parallel > 1 && !faults {
        // Waves of `parallel` tablets uploading at once (the county offices syncing together).
        let mut slots: Vec<Option<&mut Tablet>> = tablets.iter_mut().map(Some).collect();
        for wave in order.chunks(parallel) {
            let uploads = wave.iter().filter_map(|&i| slots[i].take()).map(|t| async move {
                let mut rep = SyncReport::default();
                let r = t.client.push(&mut t.replica, &mut rep, &mut |_| {}).await;
                r.map(|_| rep)
            });
            for rep in futures_util::future::join_all(uploads).await {
                add(total, &rep?);
            }
        }
    }
    for &i in order.iter().filter(|_| parallel <= 1 || faults) {
        let t = &mut tablets[i];
        if faults {
            t.client.batch = 1 + rng.below(60);
        }
        let mut rep = SyncReport::default();
        t.client.push(&mut t.replica, &mut rep, &mut |_| {}).await?;
        if faults && rng.pct(30) {
            // The acknowledgement was lost: the tablet pushes the same changes again.
            let last: i64 = t
                .replica
                .conn()
                .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| r.get(0))
                .map_err(StoreError::from)?;
            t.replica
                .conn()
                .execute("UPDATE changes SET acked = 0 WHERE seq > ?1 - 10", [last])
                .map_err(StoreError::from)?;
            t.client.push(&mut t.replica, &mut rep, &mut |_| {}).await?;
        }
        add(total, &rep);
    }
    total.push_ms += pushes.elapsed().as_millis() as u64;
    // Everyone pulls after everyone pushed; with faults some tablets crash mid-pull.
    for &i in &order {
        let t = &mut tablets[i];
        if faults && rng.pct(30) {
            let url = t.client.url("/pull");
            let cursor = t.replica.pull_cursor()?;
            let mut rep = SyncReport::default();
            let page: zhifa_protocol::PullResponse = t
                .client
                .authed(
                    &mut t.replica,
                    |http, token| http.get(&url).bearer_auth(token).query(&[("cursor", cursor), ("limit", 5)]),
                    &mut rep,
                )
                .await?;
            let staged: Vec<zhifa_store::RemoteEntity> = page.items.iter().filter_map(crate::remote).collect();
            t.replica.stage_pulled(&staged)?;
            // Crash: the process dies before applying; the replica is reopened from disk.
            let path = t.path.clone();
            t.replica = Replica::open(&path)?;
        }
        let mut rep = SyncReport::default();
        t.client.pull(&mut t.replica, &mut rep, &mut |_| {}).await?;
        add(total, &rep);
    }
    Ok(())
}

/// Runs the simulation against `server_url`, with replicas under `workdir`.
pub async fn run(server_url: &str, cfg: &SimConfig, workdir: &Path) -> Result<SimSummary, SyncError> {
    let started = Instant::now();
    let mut rng = Rng(cfg.seed);
    let mut total = SimSummary::default();
    let area = zhifa_core::division::Area::luliang();
    let reference = zhifa_seed::reference().map_err(|e| SyncError::Server {
        status: 0,
        code: "SEED".into(),
        message: e.to_string(),
    })?;
    let demo = generate(&area, 2026, DemoSize { enterprises: 1, officers_per_county: 5 });
    let counties: Vec<String> = area.counties.iter().map(|c| c.division.code.clone()).collect();
    let n_counties = cfg.devices.div_ceil(4).clamp(1, counties.len());
    let item_ids: Vec<String> = reference.items.iter().map(|i| i.id.clone()).collect();

    let mut tablets = Vec::new();
    for d in 0..cfg.devices {
        let county = counties[d % n_counties].clone();
        let org = demo.organisations.iter().find(|o| o.division_code == county).expect("county bureau");
        let inspectors: Vec<_> =
            demo.officers.iter().filter(|o| o.org == org.id && o.has(zhifa_core::officer::Role::Inspector)).collect();
        let officer = inspectors[(d / n_counties) % inspectors.len()];
        let path = workdir.join(format!("tablet-{d}.sqlite"));
        let mut replica = Replica::init(&path)?;
        replica.load_reference(
            &reference.version,
            &reference.area,
            &reference.items,
            &reference.laws,
            &reference.document_types,
        )?;
        let client = SyncClient::new(server_url);
        client.login(&mut replica, &officer.cert_no, DEMO_PASSWORD).await?;
        let mut rep = SyncReport::default();
        client.pull(&mut replica, &mut rep, &mut |_| {}).await?;
        add(&mut total, &rep);
        tablets.push(Tablet { replica, client, county, officer: officer.id, path });
    }

    for day in 0..cfg.days {
        // The day's "hot" enterprise per county: several tablets edit it offline.
        let mut hot: BTreeMap<String, String> = BTreeMap::new();
        for t in &tablets {
            if !hot.contains_key(&t.county) {
                let ents = t.replica.list_by::<Enterprise>("county_code", &t.county)?;
                if !ents.is_empty() {
                    hot.insert(t.county.clone(), ents[rng.below(ents.len())].id.to_string());
                }
            }
        }
        let mut same_field_editors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (d, t) in tablets.iter_mut().enumerate() {
            let ents = t.replica.list_by::<Enterprise>("county_code", &t.county)?;
            if ents.is_empty() {
                continue;
            }
            let officer = t.officer;
            let mut day_rng = Rng(cfg.seed ^ ((d as u64) << 32) ^ u64::from(day).wrapping_mul(0x9E37));
            t.replica.write(|w| {
                for k in 0..cfg.inspections_per_day {
                    let ent = &ents[day_rng.below(ents.len())];
                    let id: InspectionId = w.new_id();
                    w.put(&Inspection {
                        id,
                        task: None,
                        enterprise: ent.id,
                        org: zhifa_seed::org_id(&ent.data.county_code, zhifa_core::org::OrgKind::CountyBureau),
                        officers: vec![officer],
                        place: format!("第{k}车间"),
                        started_at: None,
                        ended_at: None,
                        status: InspectionStatus::InProgress,
                        modules: vec![],
                    })?;
                    for a in 0..25 {
                        let item = &item_ids[(a * 5 + day_rng.below(5)) % item_ids.len()];
                        let result =
                            if day_rng.pct(10) { AnswerResult::NonConforming } else { AnswerResult::Conforming };
                        w.put(&Answer { inspection: id, item: item.clone(), result, note: String::new() })?;
                    }
                    for e in 0..2 {
                        let bytes = format!("photo {d} {day} {k} {e} {}", day_rng.next());
                        let evidence_id = w.new_id();
                        w.put(&Evidence {
                            id: evidence_id,
                            sha256: ContentHash::of(bytes.as_bytes()),
                            kind: EvidenceKind::Photo,
                            mime: "image/jpeg".into(),
                            size: bytes.len() as u64,
                            captured_ms: 1_767_571_200_000,
                            lng: None,
                            lat: None,
                            officer,
                            inspection: Some(id),
                            hazard: None,
                            withdrawn: false,
                        })?;
                    }
                    if day_rng.pct(1) {
                        w.delete::<Answer>(&format!("{id}:{}", item_ids[0]))?;
                    }
                }
                Ok::<_, StoreError>(())
            })?;
            // Ledger updates: each edits the current row, as the app does.
            for u in 0..cfg.updates_per_day {
                let contested = day_rng.pct(cfg.conflict_pct);
                let pick = match hot.get(&t.county).filter(|_| contested) {
                    Some(id) => id.clone(),
                    None => ents[day_rng.below(ents.len())].id.to_string(),
                };
                let Some(mut e) = t.replica.get::<Enterprise>(&pick)? else { continue };
                if contested && u % 2 == 0 {
                    // Same legal field on several tablets: must be flagged.
                    e.data.name = format!("{}（{d}号平板更正）", e.data.name.split('（').next().unwrap_or(""));
                    same_field_editors.entry(e.id.to_string()).or_default().insert(d.to_string());
                } else {
                    e.data.phone = format!("139{:08}", day_rng.next() % 100_000_000);
                    e.data.principal = format!("负责人{d}-{day}");
                    e.data.employees = Some(10 + (day_rng.next() % 900) as u32);
                }
                t.replica.write(|w| w.put(&e))?;
            }
        }
        total.concurrent_same_field_edits += same_field_editors.values().filter(|s| s.len() > 1).count() as u64;
        night(&mut tablets, &mut rng, cfg.faults, cfg.parallel, &mut total).await?;
    }
    // A quiet final round so every tablet has every other tablet's last night.
    night(&mut tablets, &mut rng, false, cfg.parallel, &mut total).await?;

    // Compare each replica with the server's view of its scope.
    let mut converged = true;
    let mut conflicted = BTreeSet::new();
    for t in tablets.iter_mut() {
        let server = server_view(t, &mut total).await?;
        let local = t.replica.canonical_dump()?;
        for ((k, id), (fields, deleted, conflicts)) in &server {
            if *conflicts > 0 {
                conflicted.insert((k.clone(), id.clone()));
            }
            match local.get(&(k.clone(), id.clone())) {
                Some((v, del)) if v == fields && del == deleted => {}
                other => {
                    converged = false;
                    if total.differences.len() < 5 {
                        total.differences.push(format!("{k} {id}: server {fields} / local {other:?}"));
                    }
                }
            }
        }
        let extra = local.keys().filter(|k| !server.contains_key(*k)).count();
        if extra > 0 {
            converged = false;
            total.differences.push(format!("{extra} rows on a tablet that the server does not show it"));
        }
        if t.replica.pending_change_count()? > 0 {
            converged = false;
            total.differences.push("a tablet still has unsynced changes".into());
        }
        let v = t.client.verify(&mut t.replica).await?;
        let local_changes: i64 = t
            .replica
            .conn()
            .query_row("SELECT count(DISTINCT change_id) FROM changes", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        total.duplicates += v.count.saturating_sub(local_changes as u64);
    }
    total.converged = converged;
    total.conflicts = conflicted.len() as u64;
    total.replicas = tablets.len();
    total.wall_ms = started.elapsed().as_millis() as u64;
    Ok(total)
}
