//! Two `zhifa-server` processes sharing one store: tablets push and pull through both at once.
//!
//! With `ZHIFA_TEST_POSTGRES` set (a URL of a role that may `CREATE DATABASE`; `.ci/run` sets
//! it), the store is a fresh PostgreSQL database created for this test and dropped after it.
//! Without it, the same scenario runs over one shared SQLite file (the embedded backend
//! serialises writers with `BEGIN IMMEDIATE` across processes), so the test always checks
//! something real. The URL handling is tested either way.
//!
//! Checked: no change is stored twice (even when one device pushes the same batch to both
//! servers at once), every acknowledged change is on the server (per-device `verify` through
//! either server matches the tablet's outbox), server sequences are unique and within the
//! counter, a tablet that pulls in small pages while the others write never skips a row
//! (every replica converges to the same data) and number leases from both servers never
//! overlap.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::with_database;
use sha2::{Digest, Sha256};
use zhifa_auth::PasswordParams;
use zhifa_core::enterprise::Enterprise;
use zhifa_core::hazard::Hazard;
use zhifa_core::ids::InspectionId;
use zhifa_core::org::Organisation;
use zhifa_core::workflow::HazardStatus;
use zhifa_protocol::LeaseRequest;
use zhifa_server::db::{Db, DbUrl, P};
use zhifa_server::demo;
use zhifa_store::{Replica, StoreError};
use zhifa_sync_client::{SyncClient, SyncReport};

/// Environment variable naming the PostgreSQL server to test against.
const ENV: &str = "ZHIFA_TEST_POSTGRES";

fn noop(_: zhifa_sync_client::Progress) {}

/// Runs `f` with a fresh connection on a plain thread (the synchronous client must not run
/// on a tokio worker).
fn admin<R: Send + 'static>(url: &str, f: impl FnOnce(&mut postgres::Client) -> R + Send + 'static) -> R {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| panic!("{ENV}: {e}"));
        f(&mut c)
    })
    .join()
    .unwrap()
}

/// A store used only by this test: a new PostgreSQL database (dropped at the end) or a
/// SQLite file in a temp dir.
struct TestStore {
    url: DbUrl,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestStore {
    fn create() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        match std::env::var(ENV) {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("zhifa_test_{}", uuid::Uuid::new_v4().simple());
                let create = format!("CREATE DATABASE {name}");
                admin(&admin_url, move |c| c.batch_execute(&create)).unwrap();
                let url = with_database(&admin_url, &name);
                TestStore { url: DbUrl::Postgres(url), pg: Some((admin_url, name)), _dir: dir }
            }
            _ => TestStore { url: DbUrl::Sqlite(dir.path().join("shared.sqlite")), pg: None, _dir: dir },
        }
    }

    fn arg(&self) -> String {
        match &self.url {
            DbUrl::Postgres(u) => u.clone(),
            DbUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg.take() {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = admin(&admin_url, move |c| c.batch_execute(&drop));
        }
    }
}

/// A `zhifa-server` child process, killed when dropped.
struct ServerProcess {
    child: Child,
    url: String,
}

impl ServerProcess {
    fn spawn(store: &TestStore, name: &str) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa-server"))
            .args(["--db", &store.arg(), "--listen", "127.0.0.1:0", "--workers", "3"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // The server prints its address once it listens (after connecting and migrating).
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(rest) = line.split_once("http://").map(|(_, r)| r) {
                        let addr = rest.split('/').next().unwrap();
                        break format!("http://{addr}");
                    }
                }
                _ => panic!("server {name} ended before listening: {:?}", child.wait()),
            }
        };
        let tag = name.to_owned();
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| eprintln!("[{tag}] {l}")));
        ServerProcess { child, url }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One integer from the test's own connection to the store.
async fn scalar(db: &Db, sql: &'static str, params: Vec<P>) -> i64 {
    db.tx(move |tx| Ok(tx.query(sql, &params)?[0][0].clone())).await.unwrap().i().unwrap()
}

/// `(seq, change_id)` of the tablet's acknowledged changes and their digest as `verify`
/// computes it.
fn local_outbox(r: &Replica) -> (u64, String) {
    let mut st = r.conn().prepare("SELECT seq, change_id FROM changes WHERE acked = 1 ORDER BY seq").unwrap();
    let rows: Vec<(i64, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap();
    let mut h = Sha256::new();
    for (seq, id) in &rows {
        h.update(format!("{seq}:{id}\n").as_bytes());
    }
    (rows.len() as u64, h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn new_hazard(r: &mut Replica, e: &Enterprise, text: String) -> Hazard {
    r.write(|w| -> Result<Hazard, StoreError> {
        let h = Hazard {
            id: w.new_id(),
            inspection: InspectionId::from_parts(1, [7; 10]),
            enterprise: e.id,
            item: None,
            description: text,
            major: false,
            deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
            status: HazardStatus::Open,
            review_requested_on: None,
            reviewed_on: None,
        };
        w.put(&h)?;
        Ok(h)
    })
    .unwrap()
}

/// A logged-in tablet with a client per server (a load balancer may send it to either).
struct Tablet {
    replica: Replica,
    clients: [SyncClient; 2],
}

impl Tablet {
    async fn new(dir: &Path, name: &str, servers: &[&ServerProcess; 2], login: &str) -> Tablet {
        let mut replica = Replica::init(&dir.join(format!("{name}.sqlite"))).unwrap();
        let clients = [SyncClient::new(&servers[0].url), SyncClient::new(&servers[1].url)];
        let via = name.bytes().map(usize::from).sum::<usize>() % 2;
        clients[via].login(&mut replica, login, demo::DEMO_PASSWORD).await.unwrap();
        Tablet { replica, clients }
    }

    async fn sync(&mut self, via: usize) -> SyncReport {
        let r = self.clients[via % 2].sync(&mut self.replica, &mut noop).await.unwrap();
        assert!(r.rejected.is_empty() && r.quarantined == 0, "{r:?}");
        r
    }
}

/// Runs a tablet's work on a thread and runtime of its own, like a separate device (the
/// client's futures are not `Send`).
fn on_own_thread<R, F>(work: impl FnOnce() -> F + Send + 'static) -> tokio::task::JoinHandle<R>
where
    R: Send + 'static,
    F: std::future::Future<Output = R>,
{
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(work())
    })
}

const WRITERS: usize = 4;
const ROUNDS: usize = 6;
const HAZARDS_PER_ROUND: usize = 3;
/// Times the twin pushes one outbox through both servers at once, and changes per time.
const TWIN_RACES: usize = 3;
const TWIN_CHANGES: usize = 10;

#[test]
fn database_urls_parse_and_name_a_fresh_database() {
    for u in ["postgres://zhifa:pw@127.0.0.1:5432/zhifa", "postgresql://zhifa@localhost/zhifa?sslmode=disable"] {
        assert_eq!(u.parse::<DbUrl>(), Ok(DbUrl::Postgres(u.into())));
    }
    assert_eq!("sqlite:/tmp/x.sqlite".parse::<DbUrl>(), Ok(DbUrl::Sqlite("/tmp/x.sqlite".into())));
    assert!("mysql://h/db".parse::<DbUrl>().is_err());

    let cases = [
        ("postgres://u:p@127.0.0.1:55432/zhifa_ci", "postgres://u:p@127.0.0.1:55432/fresh"),
        (
            "postgres://u@h/ci?sslmode=disable&connect_timeout=5",
            "postgres://u@h/fresh?sslmode=disable&connect_timeout=5",
        ),
        ("postgresql://h:1", "postgresql://h:1/fresh"),
        ("postgres://u@h/", "postgres://u@h/fresh"),
    ];
    for (from, to) in cases {
        let out = with_database(from, "fresh");
        assert_eq!(out, to);
        let cfg: postgres::Config = out.parse().unwrap();
        assert_eq!(cfg.get_dbname(), Some("fresh"), "{out}");
        assert!(matches!(out.parse::<DbUrl>(), Ok(DbUrl::Postgres(_))));
    }
    match std::env::var(ENV) {
        Ok(u) if !u.is_empty() => {
            assert!(matches!(u.parse::<DbUrl>(), Ok(DbUrl::Postgres(_))), "{ENV} must be a postgres:// URL");
            let cfg: postgres::Config = u.parse().unwrap();
            assert!(!cfg.get_hosts().is_empty(), "{ENV} names a host");
        }
        _ => eprintln!("{ENV} is not set: the two-server test runs over a shared SQLite file"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_server_processes_share_one_store() {
    let store = TestStore::create();
    // Seed once (demo organisation, officers with fast test hashes, a small ledger), then
    // keep a connection of our own to inspect the store.
    let db = Db::start(&store.url, 1).unwrap();
    let accounts = demo::seed(&db, 40, &PasswordParams::testing()).await.unwrap();
    let login =
        accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles.contains("执法人员")).unwrap().login.clone();

    let a = ServerProcess::spawn(&store, "A");
    let b = ServerProcess::spawn(&store, "B");
    let servers = [&a, &b];
    let dir = tempfile::tempdir().unwrap();

    let mut writers = Vec::new();
    for i in 0..WRITERS {
        let mut t = Tablet::new(dir.path(), &format!("writer{i}"), &servers, &login).await;
        t.sync(i).await;
        writers.push(t);
    }
    let ledger: Vec<Enterprise> = writers[0].replica.list().unwrap();
    assert!(ledger.len() >= 3, "the county's ledger was pulled");
    // Numbers are leased for the tablets' own bureau.
    let org = writers[0]
        .replica
        .list::<Organisation>()
        .unwrap()
        .into_iter()
        .find(|o| o.division_code == "141181")
        .expect("孝义's bureau was pulled")
        .id
        .to_string();

    // The watcher only pulls, in tiny pages, alternating servers, while the writers write.
    let mut watcher = Tablet::new(dir.path(), "watcher", &servers, &login).await;
    for c in &mut watcher.clients {
        c.page = 3;
    }
    watcher.sync(0).await;

    let (done_tx, mut done_rx) = tokio::sync::watch::channel(false);
    let watch = on_own_thread(move || async move {
        let mut last_cursor = 0;
        let mut pulls = 0usize;
        loop {
            let finished = *done_rx.borrow_and_update();
            watcher.sync(pulls).await;
            let cursor = watcher.replica.pull_cursor().unwrap();
            assert!(cursor >= last_cursor, "the pull cursor never moves back");
            last_cursor = cursor;
            pulls += 1;
            if finished {
                return (watcher, pulls);
            }
            let _ = tokio::time::timeout(Duration::from_millis(20), done_rx.changed()).await;
        }
    });

    // Writers: each round a few new hazards, an edit of a shared enterprise and a block of
    // document numbers, then a sync, through one server or the other, all tablets at once.
    let mut tasks = Vec::new();
    for (i, mut t) in writers.into_iter().enumerate() {
        let (ledger, org) = (ledger.clone(), org.clone());
        tasks.push(on_own_thread(move || async move {
            let mut written = Vec::new();
            let mut leases = Vec::new();
            let req = LeaseRequest { doc_code: "应急检记".into(), org_id: org, year: 2026, count: 5 };
            for round in 0..ROUNDS {
                for k in 0..HAZARDS_PER_ROUND {
                    let e = &ledger[(i + k) % ledger.len()];
                    written.push(new_hazard(&mut t.replica, e, format!("平板{i}第{round}轮隐患{k}")));
                }
                let mut e = ledger[round % 3].clone();
                e.data.phone = format!("1390000{i:02}{round:02}");
                t.replica.write(|w| w.put(&e)).unwrap();
                let l = t.clients[(i + round + 1) % 2].lease_numbers(&mut t.replica, &req).await.unwrap();
                leases.push((l.start, l.end));
                t.sync(i + round).await;
            }
            (i, t, written, leases)
        }));
    }
    let mut writers = Vec::new();
    for t in tasks {
        writers.push(t.await.unwrap());
    }
    done_tx.send(true).unwrap();
    let (mut watcher, pulls) = watch.await.unwrap();
    assert!(pulls >= 2, "the watcher pulled while the writers wrote");

    // One device pushes the same outbox through both servers at the same moment: each
    // change is stored once; the loser of each race is told it is a duplicate.
    let mut twin = Tablet::new(dir.path(), "twin", &servers, &login).await;
    twin.sync(0).await;
    let mut twin_b = Replica::open(twin.replica.path()).unwrap();
    let mut fast = [SyncClient::new(&a.url), SyncClient::new(&b.url)];
    for c in &mut fast {
        c.batch = 4;
    }
    let (mut ra, mut rb) = (SyncReport::default(), SyncReport::default());
    for race in 0..TWIN_RACES {
        for n in 0..TWIN_CHANGES {
            let e = &ledger[n % ledger.len()];
            new_hazard(&mut twin.replica, e, format!("双发第{race}次隐患{n}"));
        }
        let (mut progress_a, mut progress_b) = (noop, noop);
        let (pa, pb) = tokio::join!(
            fast[0].push(&mut twin.replica, &mut ra, &mut progress_a),
            fast[1].push(&mut twin_b, &mut rb, &mut progress_b)
        );
        pa.unwrap();
        pb.unwrap();
    }
    drop(twin_b);
    let twin_total = (TWIN_RACES * TWIN_CHANGES) as u64;
    assert_eq!(ra.pushed + rb.pushed, twin_total, "each change stored exactly once: {ra:?} {rb:?}");
    assert!(ra.rejected.is_empty() && rb.rejected.is_empty());
    assert_eq!(twin.replica.pending_change_count().unwrap(), 0);

    // Number leases taken through both servers while pushes ran never overlap.
    let mut leases: Vec<(u32, u32)> = writers.iter().flat_map(|w| w.3.iter().copied()).collect();
    leases.sort();
    for (k, (start, end)) in leases.iter().enumerate() {
        assert_eq!((*start, *end), (k as u32 * 5 + 1, k as u32 * 5 + 5), "blocks are disjoint and dense: {leases:?}");
    }
    assert_eq!(leases.len(), WRITERS * ROUNDS);

    // Everyone syncs twice more, then every replica holds the same data.
    for round in 0..2 {
        for (i, t, ..) in &mut writers {
            let r = t.sync(*i + round).await;
            assert_eq!(r.pushed, 0, "nothing was left unacknowledged");
        }
        twin.sync(round).await;
        watcher.sync(round).await;
    }
    let expected = watcher.replica.canonical_dump().unwrap();
    for (i, t, ..) in &writers {
        assert!(t.replica.canonical_dump().unwrap() == expected, "writer {i} converged with the watcher");
    }
    assert!(twin.replica.canonical_dump().unwrap() == expected, "twin converged");
    let all_hazards: BTreeSet<String> =
        watcher.replica.list::<Hazard>().unwrap().iter().map(|h| h.id.to_string()).collect();
    let written: BTreeSet<String> = writers.iter().flat_map(|w| w.2.iter().map(|h| h.id.to_string())).collect();
    assert_eq!(written.len(), WRITERS * ROUNDS * HAZARDS_PER_ROUND);
    assert!(written.is_subset(&all_hazards), "the watcher saw every hazard despite tiny pages");
    assert_eq!(all_hazards.len() as u64, written.len() as u64 + twin_total);

    // The server's audit trail: one change per change id and per (device, seq), each with its
    // own server sequence, all at or below the committed counter (unused sequences may leave gaps).
    let log = db.tx(|tx| zhifa_server::sync::stored_changes(tx, None)).await.unwrap();
    let n = log.len();
    let distinct = log.iter().map(|c| &c.change.change_id).collect::<BTreeSet<_>>().len();
    let per_device = log.iter().map(|c| (&c.device_id, c.change.seq)).collect::<BTreeSet<_>>().len();
    let seqs = log.iter().map(|c| c.server_seq).collect::<BTreeSet<_>>().len();
    let min = log.iter().map(|c| c.server_seq).min().unwrap_or(0);
    let max = log.iter().map(|c| c.server_seq).max().unwrap_or(0);
    let counter = scalar(&db, "SELECT value FROM counters WHERE name = 'server_seq'", vec![]).await;
    let quarantined = log.iter().filter(|c| c.quarantined).count();
    assert_eq!((distinct, per_device, seqs, quarantined), (n, n, n, 0));
    assert!(min >= 1 && max <= counter, "sequences {min}..={max} within the counter {counter}");
    assert_eq!(watcher.replica.pull_cursor().unwrap(), counter, "the watcher's cursor reached the end");

    // Per device: what either server reports equals the tablet's acknowledged outbox.
    let mut tablets: Vec<&mut Tablet> = writers.iter_mut().map(|w| &mut w.1).collect();
    tablets.push(&mut twin);
    for t in tablets {
        let (count, digest) = local_outbox(&t.replica);
        assert_eq!(t.replica.pending_change_count().unwrap(), 0);
        for c in &t.clients {
            let v = c.verify(&mut t.replica).await.unwrap();
            assert_eq!((v.count, &v.digest), (count, &digest), "verify through either server");
        }
        let device = t.replica.device_id().to_string();
        let stored = log.iter().filter(|c| c.device_id == device).count();
        assert_eq!(stored as u64, count);
    }
}
