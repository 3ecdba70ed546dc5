//! County-night benchmark: our sync against the automerge crate (in process) and a raw
//! SQLite bulk insert of the same field changes (the physical limit).
//!
//! 1. Start `zhifa-server --demo` (SQLite) and run the county-night simulation with N
//!    tablets (CI size 3 counties × 4 tablets; full size 13 × 25 with `ZHIFA_BENCH_FULL=1`).
//! 2. Take every change the tablets pushed from the server's audit trail: the same records go
//!    through (a) our merge, replayed in process into a fresh store, (b) automerge: one
//!    document per tablet, merged into a server document, (c) raw SQLite inserts.
//!
//! Run: `cargo bench -p sync-server --features bench-anchors --bench night`.

use std::process::{Command, Stdio};
use std::time::Instant;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use zhifa_auth::{Principal, Scope};
use zhifa_protocol::{PushRequest, WireChange};
use zhifa_server::db::DbUrl;
use zhifa_server::sync::{self, SyncConfig};
use zhifa_sync_client::sim::{SimConfig, run};

/// A memory figure of `/proc/PID/status` (`VmHWM`: peak resident, `VmRSS`: resident now), MB.
fn proc_mb(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn file_size(p: &std::path::Path) -> u64 {
    let wal = p.with_file_name(format!("{}-wal", p.file_name().unwrap().to_string_lossy()));
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) + std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

/// Starts `zhifa-server --demo` on a fresh SQLite file and a free loopback port; returns the
/// process and its URL once it answers.
fn start_server(rt: &tokio::runtime::Runtime, db: &std::path::Path) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let server = Command::new(env!("CARGO_BIN_EXE_zhifa-server"))
        .args(["--db", &format!("sqlite:{}", db.display()), "--listen", &format!("127.0.0.1:{port}"), "--demo"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    rt.block_on(async {
        for _ in 0..400 {
            if reqwest::get(format!("{url}/api/v1/capabilities")).await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("server did not start");
    });
    (server, url)
}

/// Removes a SQLite file with its WAL and shared-memory files (a fresh store per round).
fn remove_store(p: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
    }
}

fn main() {
    if let Some(file) = std::env::var_os("ZHIFA_BENCH_AUTOMERGE_CHILD") {
        return automerge_child(std::path::Path::new(&file));
    }
    let full = std::env::var_os("ZHIFA_BENCH_FULL").is_some();
    let (counties, per) = if full { (13, 25) } else { (3, 4) };
    let devices = counties * per;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    zhifa_sync_client::install_crypto_provider();
    let (mut server, url) = start_server(&rt, &db);
    // `ZHIFA_BENCH_CACHE=FILE`: the night's changes are saved there after a night, and when the
    // file exists the night is skipped and only the replays and raw inserts run (for quick
    // before/after comparisons of the merge; the full figures need the night).
    let cache = std::env::var_os("ZHIFA_BENCH_CACHE").map(std::path::PathBuf::from);
    let cached: Option<Vec<(String, WireChange)>> =
        cache.as_ref().filter(|p| p.exists()).map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap());
    let replay_only = cached.is_some();
    let (changes, night) = match cached {
        Some(c) => (c, None),
        None => {
            let seeded_size = file_size(&db);
            // Spread the tablets over `counties` counties: 4 per county in the simulation.
            let cfg = SimConfig { devices, days: 1, conflict_pct: 5, seed: 42, ..SimConfig::default() };
            let work = dir.path().join("tablets");
            std::fs::create_dir_all(&work).unwrap();
            let t = Instant::now();
            let summary = rt.block_on(run(&url, &cfg, &work)).unwrap();
            let night_s = t.elapsed().as_secs_f64();
            let server_rss = proc_mb(server.id(), "VmHWM:");
            assert!(summary.converged && summary.duplicates == 0, "{summary:?}");

            // The tablets' changes, as the server stored them (its audit trail).
            let changes: Vec<(String, WireChange)> = {
                let mut c = DbUrl::Sqlite(db.clone()).connect().unwrap();
                let seed = zhifa_server::demo::seed_device().to_string();
                c.tx(|tx| sync::stored_changes(tx, None))
                    .unwrap()
                    .into_iter()
                    .filter(|s| s.device_id != seed)
                    .map(|s| (s.device_id, s.change))
                    .collect()
            };
            if let Some(p) = &cache {
                std::fs::write(p, serde_json::to_vec(&changes).unwrap()).unwrap();
            }
            // The same night again on a fresh server, the tablets uploading one county's worth
            // at a time (`counties` at once): what group commit does end to end, over HTTP.
            let (mut server2, url2) = start_server(&rt, &dir.path().join("server-parallel.sqlite"));
            let work2 = dir.path().join("tablets-parallel");
            std::fs::create_dir_all(&work2).unwrap();
            let cfg2 = SimConfig { parallel: counties, ..cfg };
            let summary2 = rt.block_on(run(&url2, &cfg2, &work2)).unwrap();
            server2.kill().unwrap();
            server2.wait().unwrap();
            assert!(summary2.converged && summary2.duplicates == 0, "{summary2:?}");
            assert_eq!(summary2.changes_pushed, summary.changes_pushed);
            let uploads = (summary.push_ms, summary2.push_ms);
            (changes, Some((summary, night_s, server_rss, seeded_size, uploads)))
        }
    };
    server.kill().unwrap();
    server.wait().unwrap();
    let n_changes = changes.len();
    let field_changes: usize = changes.iter().map(|(_, c)| c.fields.len().max(1)).sum();
    let per_change = |b: u64| b as f64 / n_changes as f64;
    if let Some((summary, ..)) = &night {
        println!(
            "wire bytes per change: up {:.0} (JSON {:.0}, {:.1}x), down {:.0} (JSON {:.0}, {:.1}x)",
            per_change(summary.bytes_up),
            per_change(summary.json_bytes_up),
            summary.json_bytes_up as f64 / summary.bytes_up.max(1) as f64,
            per_change(summary.bytes_down),
            per_change(summary.json_bytes_down),
            summary.json_bytes_down as f64 / summary.bytes_down.max(1) as f64,
        );
    }

    // (a) Our merge, replayed in process into fresh stores (no HTTP).
    let who = Principal { officer_id: "bench".into(), roles: vec![], scope: Scope::city_wide(), device_id: None };
    let mut by_device: std::collections::BTreeMap<String, Vec<WireChange>> = Default::default();
    for (d, c) in &changes {
        by_device.entry(d.clone()).or_default().push(c.clone());
    }
    // The batches as the tablets sent them: the JSON body is the HTTP layer's input, made
    // before the clock starts.
    let batches: Vec<(PushRequest, Vec<u8>)> = by_device
        .iter()
        .flat_map(|(d, cs)| {
            cs.chunks(500).map(|chunk| {
                let req = PushRequest {
                    device_id: d.clone(),
                    schema_version: 1,
                    changes: chunk.to_vec(),
                    extra: Default::default(),
                };
                let body = serde_json::to_vec(&req).unwrap();
                (req, body)
            })
        })
        .collect();
    let rounds: usize = std::env::var("ZHIFA_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    // What the request handlers do in parallel, outside the store's writer: parse, check,
    // convert, compress the signed body (timed separately from the merge).
    let prepare = || -> Vec<sync::QueuedPush> {
        batches
            .iter()
            .map(|(_, body)| {
                let req: PushRequest = serde_json::from_slice(body).unwrap();
                let push =
                    sync::prepare_push(&req, sync::SignedBody { body, signature: "bench" }, &SyncConfig::default())
                        .unwrap();
                sync::QueuedPush { who: who.clone(), push, now_ms: u64::MAX / 2 }
            })
            .collect()
    };
    // The merge as the server's push writer runs it (`sync::store_pushes`): G pushes per
    // commit, for G tablets pushing while the previous commit runs (G = 1: one at a time).
    // Best of `rounds`, each into a fresh store; the G = 1 store is kept and measured below.
    let replay = dir.path().join("replay.sqlite");
    let mut prepare_s = f64::MAX;
    let mut grouped: Vec<(usize, f64)> = Vec::new();
    for g in [1usize, 4, 25] {
        let path = if g == 1 { replay.clone() } else { dir.path().join(format!("grouped{g}.sqlite")) };
        let mut best = f64::MAX;
        for _ in 0..rounds.max(1) {
            remove_store(&path);
            let mut c = DbUrl::Sqlite(path.clone()).connect().unwrap();
            let t = Instant::now();
            let mut queued = prepare();
            prepare_s = prepare_s.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            while !queued.is_empty() {
                let group: Vec<sync::QueuedPush> = queued.drain(..g.min(queued.len())).collect();
                let results = sync::store_pushes(&mut c, &group, &SyncConfig::default(), "141100").unwrap();
                assert!(results.iter().all(Result::is_ok));
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("  zhifa replay, {g} push(es) per commit: best of {rounds} rounds {best:.3} s under the writer");
        grouped.push((g, best));
    }
    let ours_s = grouped[0].1;
    println!(
        "  request preparation (JSON parse, checks, conversion, zstd; parallel across requests) {prepare_s:.3} s; \
         with one push per commit, both in one thread: {:.0} field changes/s",
        field_changes as f64 / (ours_s + prepare_s)
    );
    let mut conn = DbUrl::Sqlite(replay.clone()).connect().unwrap();

    // What the audit trail's zstd level costs and saves (the bodies as stored).
    for level in [1, 3, 6, 9] {
        let t = Instant::now();
        let bytes: usize = batches.iter().map(|(_, b)| zstd::bulk::compress(b, level).unwrap().len()).sum();
        println!(
            "  audit trail at zstd level {level}: {:.0} B/change, {:.1} µs/change to compress",
            bytes as f64 / n_changes as f64,
            t.elapsed().as_secs_f64() * 1e6 / n_changes as f64
        );
    }
    // Reading it back: a full pull of the merged store, pages of 1,000 (every state decoded and
    // its view computed, as a tablet's first sync makes the server do).
    let t = Instant::now();
    let (mut cursor, mut pulled) = (0, 0usize);
    loop {
        let page = conn.tx(|tx| sync::pull(tx, &who, cursor, 1000)).unwrap();
        pulled += page.items.len();
        cursor = page.next_cursor;
        if page.checkpoint_complete {
            break;
        }
    }
    let pull_s = t.elapsed().as_secs_f64();
    println!("  full pull: {pulled} entities in {pull_s:.3} s, {:.0} entities/s", pulled as f64 / pull_s);

    // The WAL is a transient copy of pages, not storage: measure after a checkpoint that
    // truncates it (the plain and raw baselines are measured without one), and say how
    // large it was.
    let with_wal = file_size(&replay);
    drop(conn);
    let ours_storage = {
        let c = rusqlite::Connection::open(&replay).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        file_size(&replay)
    };
    println!(
        "  store: {:.1} MB with the uncheckpointed WAL, {:.1} MB after a truncating checkpoint",
        with_wal as f64 / 1e6,
        ours_storage as f64 / 1e6
    );
    // Where the store's bytes are, per table and index (SQLite's dbstat).
    {
        let c = rusqlite::Connection::open(&replay).unwrap();
        let mut st = c
            .prepare("SELECT name, sum(pgsize), sum(payload) FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC")
            .unwrap();
        let rows: Vec<(String, i64, i64)> =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
        for (what, sql) in [
            ("entities.state", "SELECT coalesce(sum(length(state)), 0) FROM entities"),
            ("change_batches.body", "SELECT coalesce(sum(length(body)), 0) FROM change_batches"),
        ] {
            let bytes: i64 = c.query_row(sql, [], |r| r.get(0)).unwrap();
            println!(
                "  store: {what:<28} {:>6.1} MB, {:>5.0} B/change",
                bytes as f64 / 1e6,
                bytes as f64 / n_changes as f64
            );
        }
        for (name, pages, payload) in rows.iter().filter(|r| r.1 > 16 << 10) {
            println!(
                "  store: {name:<28} {:>6.1} MB on pages, {:>6.1} MB payload, {:>5.0} B/change",
                *pages as f64 / 1e6,
                *payload as f64 / 1e6,
                *pages as f64 / n_changes as f64
            );
        }
    }

    // (c) Raw SQLite: one row per field change, one transaction, WAL + synchronous=NORMAL;
    // (d) the same rows committed like the server commits: one transaction per batch of 500
    // changes, synchronous=FULL (an acknowledged push is on disk). Best of `rounds` too.
    let all_changes: Vec<WireChange> = changes.iter().map(|(_, c)| c.clone()).collect();
    let raw_insert = |name: &str, per_batch: bool| -> (f64, std::path::PathBuf) {
        let path = dir.path().join(name);
        let mut best = f64::MAX;
        for _ in 0..rounds.max(1) {
            remove_store(&path);
            let c = rusqlite::Connection::open(&path).unwrap();
            let sync = if per_batch { "FULL" } else { "NORMAL" };
            c.execute_batch(&format!(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; \
                 CREATE TABLE t (entity TEXT, id TEXT, field TEXT, value TEXT)"
            ))
            .unwrap();
            let groups: Vec<&[WireChange]> = if per_batch {
                batches.iter().map(|(r, _)| r.changes.as_slice()).collect()
            } else {
                vec![all_changes.as_slice()]
            };
            let t = Instant::now();
            for group in groups {
                let tx = rusqlite::Connection::unchecked_transaction(&c).unwrap();
                {
                    let mut st = tx.prepare_cached("INSERT INTO t VALUES (?1, ?2, ?3, ?4)").unwrap();
                    for ch in group {
                        for (f, v) in &ch.fields {
                            st.execute(rusqlite::params![ch.entity, ch.entity_id, f, v.to_string()]).unwrap();
                        }
                    }
                }
                tx.commit().unwrap();
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        (best, path)
    };
    let (raw_s, raw) = raw_insert("raw.sqlite", false);
    let (raw_durable_s, raw_durable) = raw_insert("raw_durable.sqlite", true);

    // A plain table of the final rows: the storage baseline.
    let plain = dir.path().join("plain.sqlite");
    let p = rusqlite::Connection::open(&plain).unwrap();
    p.execute_batch("CREATE TABLE rows (entity TEXT, id TEXT, data TEXT, PRIMARY KEY (entity, id))").unwrap();
    {
        let mut src = DbUrl::Sqlite(replay.clone()).connect().unwrap();
        let rows: Vec<(String, String, String)> = src
            .tx(|tx| {
                let rows = tx.query(&format!("SELECT {} FROM entities", sync::ENTITY_COLUMNS), &[])?;
                rows.iter()
                    .map(|r| {
                        let e = sync::pulled_from_row(r)?;
                        Ok((e.entity, e.id, serde_json::to_string(&e.fields).unwrap()))
                    })
                    .collect::<Result<Vec<_>, zhifa_server::error::AppError>>()
            })
            .unwrap();
        let tx = rusqlite::Connection::unchecked_transaction(&p).unwrap();
        for (e, i, d) in rows {
            tx.execute("INSERT INTO rows VALUES (?1, ?2, ?3)", rusqlite::params![e, i, d]).unwrap();
        }
        tx.commit().unwrap();
    }
    drop(p);
    let plain_size = file_size(&plain);

    if replay_only {
        for (g, secs) in &grouped {
            println!(
                "  zhifa merge with {g} push(es) per commit: {:.0} field changes/s, {:.0} % of raw insert (single transaction), {:.0} % (per-batch FULL commits)",
                field_changes as f64 / secs,
                100.0 * raw_s / secs,
                100.0 * raw_durable_s / secs
            );
        }
        return;
    }
    let Some((summary, night_s, server_rss, seeded_size, (push_ms_one, push_ms_parallel))) = night else { return };
    let wire_bytes = summary.bytes_up as f64 / n_changes as f64;

    // (b) automerge, in a child process of its own (this binary again) so its peak resident
    // memory is its own: it loads the same changes and builds and merges the documents.
    let changes_file = dir.path().join("changes.json");
    std::fs::write(&changes_file, serde_json::to_vec(&changes).unwrap()).unwrap();
    let child = Command::new(std::env::current_exe().unwrap())
        .env("ZHIFA_BENCH_AUTOMERGE_CHILD", &changes_file)
        .output()
        .unwrap();
    assert!(child.status.success(), "{}", String::from_utf8_lossy(&child.stderr));
    let am: Vec<f64> = String::from_utf8_lossy(&child.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("automerge "))
        .expect("automerge figures")
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let (am_apply_s, am_merge_s, am_bytes, am_storage, am_rss, am_rss_loaded) =
        (am[0], am[1], am[2] as usize, am[3] as usize, am[4], am[5]);

    println!("county night: {devices} tablets ({counties} counties × {per}), 1 offline day, seed 42");
    println!(
        "  night wall {night_s:.1} s (login, pulls, pushes, convergence check); {} changes ({field_changes} field changes); converged {}; conflicts raised {}; peak server RSS {server_rss:.0} MB; server file after seed {:.1} MB",
        n_changes,
        summary.converged,
        summary.conflicts_raised,
        seeded_size as f64 / 1e6
    );
    // Peak RSS: the real server's over the whole night (the merge as it runs there);
    // automerge's child process, which holds only the changes and the documents.
    println!(
        "{:<34} {:>16} {:>14} {:>16} {:>10} {:>14}",
        "system", "field changes/s", "bytes/change", "storage bytes", "vs plain", "peak RSS MB"
    );
    println!(
        "{:<34} {:>16.0} {:>14.0} {:>16} {:>10.2} {:>14.0}",
        "zhifa merge (replay, no HTTP)",
        field_changes as f64 / ours_s,
        wire_bytes,
        ours_storage,
        ours_storage as f64 / plain_size as f64,
        server_rss
    );
    for (g, secs) in grouped.iter().skip(1) {
        println!(
            "{:<34} {:>16.0} {:>14} {:>16} {:>10} {:>14}",
            format!("zhifa merge, {g} pushes per commit"),
            field_changes as f64 / secs,
            "",
            "",
            "",
            ""
        );
    }
    println!(
        "{:<34} {:>16.0} {:>14.0} {:>16} {:>10.2} {:>14.0}",
        "automerge 0.12 (apply + merge)",
        field_changes as f64 / (am_apply_s + am_merge_s),
        am_bytes as f64 / n_changes as f64,
        am_storage,
        am_storage as f64 / plain_size as f64,
        am_rss
    );
    println!(
        "{:<34} {:>16.0} {:>14} {:>16} {:>10} {:>14}",
        "raw SQLite insert (limit)",
        field_changes as f64 / raw_s,
        "-",
        file_size(&raw),
        "-",
        "-"
    );
    println!(
        "{:<34} {:>16.0} {:>14} {:>16} {:>10} {:>14}",
        "raw insert, per-batch FULL commits",
        field_changes as f64 / raw_durable_s,
        "-",
        file_size(&raw_durable),
        "-",
        "-"
    );
    println!(
        "{:<34} {:>16} {:>14} {:>16} {:>10.2} {:>14}",
        "plain table of final rows", "-", "-", plain_size, 1.0, "-"
    );
    println!(
        "  zhifa merge / raw insert: {:.0} % (single transaction), {:.0} % (per-batch FULL commits)",
        100.0 * raw_s / ours_s,
        100.0 * raw_durable_s / ours_s
    );
    for (g, secs) in grouped.iter().skip(1) {
        println!(
            "  zhifa merge with {g} pushes per commit / raw insert: {:.0} % (single transaction), {:.0} % (per-batch FULL commits)",
            100.0 * raw_s / secs,
            100.0 * raw_durable_s / secs
        );
    }
    println!(
        "  the night's uploads over HTTP, end to end (tablets signing, server checking, merging, committing): \
         one tablet at a time {:.2} s, {:.0} field changes/s; {counties} at once {:.2} s, {:.0} field changes/s",
        push_ms_one as f64 / 1000.0,
        field_changes as f64 * 1000.0 / push_ms_one.max(1) as f64,
        push_ms_parallel as f64 / 1000.0,
        field_changes as f64 * 1000.0 / push_ms_parallel.max(1) as f64,
    );
    println!(
        "  automerge (child process): peak RSS {am_rss:.0} MB, {am_rss_loaded:.0} MB of it after loading the changes, before the documents"
    );
    println!(
        "  automerge: apply {am_apply_s:.3} s, merge {am_merge_s:.3} s; zhifa replay {ours_s:.3} s; raw {raw_s:.3} s; raw per batch {raw_durable_s:.3} s"
    );
}

/// The automerge anchor, run in a child process: loads the night's changes from
/// `ZHIFA_BENCH_AUTOMERGE_CHILD`, builds one document per tablet, merges them into a server
/// document, prints `automerge APPLY_S MERGE_S SAVED_BYTES SERVER_DOC_BYTES PEAK_RSS_MB
/// RSS_AFTER_LOADING_MB`.
fn automerge_child(changes_file: &std::path::Path) {
    let changes: Vec<(String, WireChange)> = serde_json::from_slice(&std::fs::read(changes_file).unwrap()).unwrap();
    let mut by_device: std::collections::BTreeMap<String, Vec<WireChange>> = Default::default();
    for (d, c) in changes {
        by_device.entry(d).or_default().push(c);
    }
    let rss_loaded = proc_mb(std::process::id(), "VmRSS:");
    let t = Instant::now();
    let mut docs = Vec::new();
    for cs in by_device.values() {
        let mut doc = AutoCommit::new();
        for c in cs {
            let key = format!("{}:{}", c.entity, c.entity_id);
            let obj = match doc.get(ROOT, &key).unwrap() {
                Some((_, id)) => id,
                None => doc.put_object(ROOT, &key, ObjType::Map).unwrap(),
            };
            for (f, v) in &c.fields {
                doc.put(&obj, f, v.to_string()).unwrap();
            }
            doc.commit();
        }
        docs.push(doc);
    }
    let am_apply_s = t.elapsed().as_secs_f64();
    let am_bytes: usize = docs.iter_mut().map(|d| d.save().len()).sum();
    let t = Instant::now();
    let mut server_doc = AutoCommit::new();
    for d in docs.iter_mut() {
        server_doc.merge(d).unwrap();
    }
    let am_merge_s = t.elapsed().as_secs_f64();
    let am_storage = server_doc.save().len();
    println!(
        "automerge {am_apply_s} {am_merge_s} {am_bytes} {am_storage} {} {rss_loaded}",
        proc_mb(std::process::id(), "VmHWM:")
    );
}
