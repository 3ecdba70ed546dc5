//! End to end: a real server on 127.0.0.1:0 and real tablet replicas syncing over HTTP.

mod common;

use common::*;
use zhifa_core::enterprise::Enterprise;
use zhifa_core::hazard::Hazard;
use zhifa_core::workflow::HazardStatus;
use zhifa_store::StoreError;

fn noop(_: zhifa_sync_client::Progress) {}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tablets_converge_and_legal_conflicts_are_flagged() {
    let server = start(60).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = tablet(dir.path(), "a");
    let mut b = tablet(dir.path(), "b");
    let login_a = xiaoyi_inspector(&server);
    let ca = login(&server, &mut a, &login_a).await;
    let cb = login(&server, &mut b, &login_a).await;

    // First sync: both get the county's ledger (孝义 + city-wide records only).
    let ra = ca.sync(&mut a, &mut noop).await.unwrap();
    cb.sync(&mut b, &mut noop).await.unwrap();
    assert!(ra.pulled > 0);
    let ents: Vec<Enterprise> = a.list().unwrap();
    assert!(!ents.is_empty());
    assert!(ents.iter().all(|e| e.data.county_code == "141181"), "pull is scoped to the county");
    assert_eq!(b.count::<Enterprise>().unwrap(), ents.len() as u64);

    // Offline: A and B both rename the same enterprise (legal field) and edit its phone.
    let target = ents[0].clone();
    let mut ea = target.clone();
    ea.data.name = "甲版本名称有限公司".into();
    ea.data.phone = "13900000001".into();
    a.write(|w| w.put(&ea)).unwrap();
    let mut eb = target.clone();
    eb.data.name = "乙版本名称有限公司".into();
    b.write(|w| w.put(&eb)).unwrap();

    // A records a hazard.
    let hazard = Hazard {
        id: a.write(|w| Ok::<_, StoreError>(w.new_id())).unwrap(),
        inspection: zhifa_core::ids::InspectionId::from_parts(1, [1; 10]),
        enterprise: target.id,
        item: Some("GEN-001".into()),
        description: "主要负责人未组织制定安全生产规章制度".into(),
        major: false,
        deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
        status: HazardStatus::Open,
        review_requested_on: None,
        reviewed_on: None,
    };
    a.write(|w| w.put(&hazard)).unwrap();

    let pa = ca.sync(&mut a, &mut noop).await.unwrap();
    let pb = cb.sync(&mut b, &mut noop).await.unwrap();
    assert_eq!((pa.pushed, pb.pushed), (2, 1), "{pa:?} {pb:?}");
    assert_eq!(pb.conflicts, 1, "the concurrent rename is flagged");
    // A pulls again to see B's write; then both hold the server's state.
    ca.sync(&mut a, &mut noop).await.unwrap();
    let fa: Enterprise = a.get(&target.id.to_string()).unwrap().unwrap();
    let fb: Enterprise = b.get(&target.id.to_string()).unwrap().unwrap();
    assert_eq!(fa, fb, "replicas converge");
    assert_eq!(fa.data.phone, "13900000001", "the ordinary field from A survives B's rename");
    assert!(fa.data.name == "甲版本名称有限公司" || fa.data.name == "乙版本名称有限公司");
    let h: Hazard = b.get(&hazard.id.to_string()).unwrap().unwrap();
    assert_eq!(h, hazard);
    assert_eq!(a.pending_change_count().unwrap(), 0);
    assert_eq!(b.pending_change_count().unwrap(), 0);

    // The server shows the conflict with both values.
    let token = access_token(&a);
    let e = server_entity(&server, &token, "enterprise", &target.id.to_string()).await;
    let c = e.conflicts.iter().find(|c| c.field == "name").expect("name conflict visible");
    assert_eq!(c.values.len(), 2);

    // Verify: the server holds exactly what A pushed.
    let v = ca.verify(&mut a).await.unwrap();
    assert_eq!(v.count, 2);
}

/// Version vectors end to end: B's rename is based on a row that already holds C's later
/// phone edit, but not A's earlier offline rename. A scalar base (the row's highest HLC)
/// would count A's rename as seen by B and drop it silently; the vector sent by B names
/// only what B had seen, so the two renames stay a flagged conflict — also after B renames
/// a second time on top of its own first rename.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_the_writer_had_not_seen_stays_flagged_even_when_older_than_its_base() {
    let server = start(60).await;
    let dir = tempfile::tempdir().unwrap();
    let login_a = xiaoyi_inspector(&server);
    let (mut a, mut b, mut c) = (tablet(dir.path(), "a"), tablet(dir.path(), "b"), tablet(dir.path(), "c"));
    let ca = login(&server, &mut a, &login_a).await;
    let cb = login(&server, &mut b, &login_a).await;
    let cc = login(&server, &mut c, &login_a).await;
    for (t, cl) in [(&mut a, &ca), (&mut b, &cb), (&mut c, &cc)] {
        cl.sync(t, &mut noop).await.unwrap();
    }
    let target: Enterprise = a.list::<Enterprise>().unwrap()[0].clone();
    let id = target.id.to_string();
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(5));

    // A renames offline first.
    let mut ea = target.clone();
    ea.data.name = "甲版本名称有限公司".into();
    a.write(|w| w.put(&ea)).unwrap();
    pause().await;
    // C edits the phone later and syncs.
    let mut ec: Enterprise = c.get(&id).unwrap().unwrap();
    ec.data.phone = "13900000003".into();
    c.write(|w| w.put(&ec)).unwrap();
    cc.sync(&mut c, &mut noop).await.unwrap();
    pause().await;
    // B pulls C's edit, renames twice, syncs.
    cb.sync(&mut b, &mut noop).await.unwrap();
    for name in ["乙版本名称有限公司", "乙版本名称（二）有限公司"] {
        let mut eb: Enterprise = b.get(&id).unwrap().unwrap();
        assert_eq!(eb.data.phone, "13900000003");
        eb.data.name = name.into();
        b.write(|w| w.put(&eb)).unwrap();
        pause().await;
    }
    let pb = cb.sync(&mut b, &mut noop).await.unwrap();
    assert_eq!((pb.pushed, pb.conflicts), (2, 0), "{pb:?}");
    // A's older rename arrives last: below B's base in HLC order, but not seen by B.
    let pa = ca.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!((pa.pushed, pa.conflicts), (1, 1), "A's rename is flagged, not dropped: {pa:?}");

    let token = access_token(&a);
    let e = server_entity(&server, &token, "enterprise", &id).await;
    let conflict = e.conflicts.iter().find(|c| c.field == "name").expect("name conflict visible");
    let values: Vec<&str> = conflict.values.iter().filter_map(|v| v.as_str()).collect();
    assert_eq!(values, ["甲版本名称有限公司", "乙版本名称（二）有限公司"], "A's rename and B's latest");
    assert_eq!(e.fields["name"], "乙版本名称（二）有限公司", "provisional: the higher HLC");
    assert_eq!(e.fields["phone"], "13900000003");

    // Every tablet ends with the same row and sees the conflict.
    for (t, cl) in [(&mut a, &ca), (&mut b, &cb), (&mut c, &cc)] {
        cl.sync(t, &mut noop).await.unwrap();
    }
    let rows: Vec<Enterprise> = [&a, &b, &c].iter().map(|t| t.get(&id).unwrap().unwrap()).collect();
    assert!(rows.iter().all(|r| *r == rows[0]), "replicas converge");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retried_push_is_deduplicated() {
    let server = start(30).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = tablet(dir.path(), "a");
    let login_a = xiaoyi_inspector(&server);
    let ca = login(&server, &mut a, &login_a).await;
    ca.sync(&mut a, &mut noop).await.unwrap();
    let mut e: Enterprise = a.list().unwrap().remove(0);
    e.data.phone = "13900000002".into();
    a.write(|w| w.put(&e)).unwrap();
    // Simulate a lost acknowledgement: push, then forget the ack locally and push again.
    let before = a.conn().query_row("SELECT max(seq) FROM changes", [], |r| r.get::<_, i64>(0)).unwrap();
    ca.sync(&mut a, &mut noop).await.unwrap();
    a.conn().execute("UPDATE changes SET acked = 0 WHERE seq = ?1", [before]).unwrap();
    let r = ca.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!((r.pushed, r.duplicates), (0, 1));
    assert_eq!(ca.verify(&mut a).await.unwrap().count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_upload_is_retried_on_the_timer_without_a_new_write() {
    let dir = tempfile::tempdir().unwrap();
    // The server is down when the write happens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = start(30).await;
    let mut a = tablet(dir.path(), "a");
    let login_a = xiaoyi_inspector(&server);
    let ca = login(&server, &mut a, &login_a).await;
    ca.sync(&mut a, &mut noop).await.unwrap();
    let mut e: Enterprise = a.list().unwrap().remove(0);
    e.data.phone = "13900000003".into();
    a.write(|w| w.put(&e)).unwrap();
    // A client pointed at a dead port fails transiently and keeps the change.
    let dead = zhifa_sync_client::SyncClient::new(&format!("http://127.0.0.1:{port}"));
    let err = dead.sync(&mut a, &mut noop).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(a.pending_change_count().unwrap(), 1);
    // The timer loop pushes it once the server is reachable, with no new local write.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut results = Vec::new();
    let mut on_result = |r: Result<zhifa_sync_client::SyncReport, zhifa_sync_client::SyncError>| {
        results.push(r.is_ok());
        let _ = stop_tx.send(true);
    };
    let run = ca.run_periodic(&mut a, std::time::Duration::from_millis(20), stop_rx, &mut on_result);
    tokio::time::timeout(std::time::Duration::from_secs(10), run).await.unwrap();
    assert_eq!(results, vec![true]);
    assert_eq!(a.pending_change_count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_behind_the_tombstone_horizon_resyncs_in_full_and_keeps_its_unsynced_work() {
    let server = start(30).await;
    let dir = tempfile::tempdir().unwrap();
    let login_a = xiaoyi_inspector(&server);
    let mut a = tablet(dir.path(), "a");
    let mut b = tablet(dir.path(), "b");
    let ca = login(&server, &mut a, &login_a).await;
    let cb = login(&server, &mut b, &login_a).await;
    ca.sync(&mut a, &mut noop).await.unwrap();
    cb.sync(&mut b, &mut noop).await.unwrap();
    let ents: Vec<Enterprise> = a.list().unwrap();
    let gone = ents[0].clone();
    a.write(|w| w.delete::<Enterprise>(&gone.id.to_string())).unwrap();
    ca.sync(&mut a, &mut noop).await.unwrap();
    // B goes offline before seeing the delete with a local edit; meanwhile more changes arrive and, 100 days later,
    // the administrator purges tombstones older than 90 days.
    let mut kept = ents[1].clone();
    kept.data.phone = "13900000004".into();
    b.write(|w| w.put(&kept)).unwrap();
    let mut other = ents[2].clone();
    other.data.phone = "13900000005".into();
    a.write(|w| w.put(&other)).unwrap();
    ca.sync(&mut a, &mut noop).await.unwrap();
    server.clock.fetch_add(100 * 86_400_000, std::sync::atomic::Ordering::SeqCst);
    let mut admin = tablet(dir.path(), "admin");
    let admin_login = server.accounts.iter().find(|x| x.roles.contains("系统管理员")).unwrap().login.clone();
    login(&server, &mut admin, &admin_login).await;
    let token = access_token(&admin);
    let r: serde_json::Value = common::http()
        .post(format!("{}/api/v1/admin/purge-tombstones", server.url))
        .bearer_auth(&token)
        .body(r#"{"older_than_days": 90}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["purged"], 1, "{r}");
    // B's cursor predates the purge: a full resync, the purged row disappears, the
    // unsynced edit survives and reaches the server.
    assert!(b.get::<Enterprise>(&gone.id.to_string()).unwrap().is_some(), "B never saw the delete");
    // 100 days offline: the session expired too; logging in again keeps the outbox.
    assert!(matches!(cb.sync(&mut b, &mut noop).await, Err(zhifa_sync_client::SyncError::NotLoggedIn)));
    assert_eq!(b.pending_change_count().unwrap(), 1);
    let cb = login(&server, &mut b, &login_a).await;
    let rep = cb.sync(&mut b, &mut noop).await.unwrap();
    assert_eq!(rep.pushed, 1);
    assert!(
        b.canonical_dump().unwrap().keys().all(|(_, id)| *id != gone.id.to_string()),
        "purged row removed on resync"
    );
    assert_eq!(
        b.canonical_dump().unwrap().len(),
        a.canonical_dump().unwrap().len() - 1,
        "A still holds its own tombstone"
    );
    let k: Enterprise = b.get(&kept.id.to_string()).unwrap().unwrap();
    assert_eq!(k.data.phone, "13900000004");
    let o: Enterprise = b.get(&other.id.to_string()).unwrap().unwrap();
    assert_eq!(o.data.phone, "13900000005", "the full pull brought A's later change");
}
