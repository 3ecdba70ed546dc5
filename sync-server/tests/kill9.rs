//! D1: the server is killed with SIGKILL at random moments while tablets push; after
//! every restart the store passes `PRAGMA integrity_check`, and at the end no acknowledged
//! change is lost, none is stored twice, and the tablets converge.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use zhifa_core::enterprise::Enterprise;
use zhifa_seed::demo::DEMO_PASSWORD;
use zhifa_store::Replica;
use zhifa_sync_client::SyncClient;

fn spawn(db: &std::path::Path, port: u16, demo: bool) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhifa-server"));
    c.args(["--db", &format!("sqlite:{}", db.display()), "--listen", &format!("127.0.0.1:{port}"), "--workers", "2"]);
    if demo {
        c.args(["--demo", "--demo-enterprises", "40"]);
    }
    c.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap()
}

async fn wait_up(url: &str) {
    for _ in 0..200 {
        zhifa_sync_client::install_crypto_provider();
        if reqwest::get(format!("{url}/api/v1/capabilities")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server did not come up");
}

fn integrity_ok(db: &std::path::Path) -> bool {
    let c = rusqlite::Connection::open(db).unwrap();
    let r: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    r == "ok"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_kills_during_a_thousand_record_push() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let mut server = spawn(&db, port, true);
    wait_up(&url).await;

    // Two tablets of 孝义 log in and take the ledger.
    let demo = zhifa_seed::demo::generate(
        &zhifa_core::division::Area::luliang(),
        2026,
        zhifa_seed::demo::DemoSize { enterprises: 1, officers_per_county: 5 },
    );
    let org = demo.organisations.iter().find(|o| o.division_code == "141181").unwrap();
    let login = demo
        .officers
        .iter()
        .find(|o| o.org == org.id && o.has(zhifa_core::officer::Role::Inspector))
        .unwrap()
        .cert_no
        .clone();
    let mut tablets = Vec::new();
    for i in 0..2 {
        let mut r = Replica::init(&dir.path().join(format!("t{i}.sqlite"))).unwrap();
        let mut c = SyncClient::new(&url);
        c.batch = 25;
        c.login(&mut r, &login, DEMO_PASSWORD).await.unwrap();
        c.sync(&mut r, &mut |_| {}).await.unwrap();
        tablets.push((r, c));
    }
    // 1,000 ledger edits offline, 500 per tablet.
    for (i, (r, _)) in tablets.iter_mut().enumerate() {
        let ents: Vec<Enterprise> = r.list().unwrap();
        assert!(!ents.is_empty());
        for k in 0..500 {
            let mut e = ents[k % ents.len()].clone();
            e.data.phone = format!("139{i}{k:07}");
            e.data.employees = Some(k as u32);
            r.write(|w| w.put(&e).map(|_| ())).unwrap();
        }
        assert_eq!(r.pending_change_count().unwrap(), 500);
    }

    // Push while the server is killed 20 times at random moments.
    let mut rng = 0x5eed_u64;
    let mut kills = 0;
    while kills < 20 {
        let wait = zhifa_core::ids::splitmix64(&mut rng) % 40;
        let pushes = async {
            for (r, c) in tablets.iter_mut() {
                let mut rep = zhifa_sync_client::SyncReport::default();
                let _ = c.push(r, &mut rep, &mut |_| {}).await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_millis(wait), pushes).await;
        server.kill().unwrap();
        server.wait().unwrap();
        kills += 1;
        assert!(integrity_ok(&db), "integrity_check after kill {kills}");
        server = spawn(&db, port, false);
        wait_up(&url).await;
    }
    // Quiet: everything goes through, twice (the second round pulls the other's edits).
    for _ in 0..2 {
        for (r, c) in tablets.iter_mut() {
            c.sync_with_retry(r, 5, Duration::from_millis(50), &mut |_| {}).await.unwrap();
        }
    }
    for (r, c) in tablets.iter_mut() {
        assert_eq!(r.pending_change_count().unwrap(), 0, "every change acknowledged");
        let v = c.verify(r).await.unwrap();
        let local: i64 = r.conn().query_row("SELECT count(*) FROM changes WHERE acked = 1", [], |x| x.get(0)).unwrap();
        assert_eq!(v.count, local as u64, "0 lost, 0 duplicated");
        assert_eq!(v.max_seq, r.conn().query_row("SELECT max(seq) FROM changes", [], |x| x.get::<_, i64>(0)).unwrap());
    }
    let a = tablets[0].0.canonical_dump().unwrap();
    let b = tablets[1].0.canonical_dump().unwrap();
    assert_eq!(a, b, "tablets converge");
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(integrity_ok(&db));
}
