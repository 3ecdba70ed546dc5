//! Schema versions: a push from a client whose schema version the server does not support
//! is held on the server (never merged, never acknowledged) and refused with
//! `426 SCHEMA_UNSUPPORTED` and a Chinese message naming the side to upgrade; the tablet
//! keeps every unsynced change and pushes it once the versions fit again.

mod common;

use common::*;
use zhifa_core::enterprise::Enterprise;
use zhifa_server::db::P;
use zhifa_sync_client::SyncClient;

fn noop(_: zhifa_sync_client::Progress) {}

fn edit(r: &mut zhifa_store::Replica, n: usize) {
    let ents: Vec<Enterprise> = r.list().unwrap();
    for (i, mut e) in ents.into_iter().take(n).enumerate() {
        e.data.phone = format!("1370000{i:04}");
        r.write(|w| w.put(&e)).unwrap();
    }
}

async fn count(s: &Server, sql: &'static str, device: String) -> i64 {
    s.db.tx(move |tx| Ok(tx.query(sql, &[P::T(device)])?[0][0].i()?)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_older_than_the_server_floor_is_held_and_keeps_its_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path());
    // This server merges only schema 2 and later; the tablet is a build of schema 1.
    let server = start_with(url, Some(dir), 30, |s| s.cfg.min_client_schema = 2).await;
    let work = tempfile::tempdir().unwrap();
    let mut a = tablet(work.path(), "a");
    let mut c = login(&server, &mut a, &xiaoyi_inspector(&server)).await;
    c.schema_version = 1;
    // Pulling still works (the tablet gets the ledger); pushing is what is held.
    c.pull(&mut a, &mut Default::default(), &mut noop).await.unwrap();
    edit(&mut a, 3);
    let device = a.device_id().to_string();

    for attempt in 0..2 {
        let e = c.sync(&mut a, &mut noop).await.unwrap_err();
        assert_eq!(e.code(), "SCHEMA_UNSUPPORTED", "{e:?}");
        assert!(e.needs_upgrade() && !e.is_transient());
        assert!(matches!(e, zhifa_sync_client::SyncError::Server { status: 426, .. }));
        let msg = e.to_string();
        assert!(msg.contains("请升级执法通应用") && msg.contains("不会丢失"), "{msg}");
        // Nothing acknowledged, nothing marked refused, nothing merged: every change waits.
        assert_eq!(a.pending_change_count().unwrap(), 3, "attempt {attempt}");
        assert!(a.refused_changes().unwrap().is_empty());
        let d = device.clone();
        let stored = server.db.tx(move |tx| zhifa_server::sync::stored_changes(tx, Some(&d))).await.unwrap();
        assert!(stored.is_empty(), "nothing of the batch stored: {stored:?}");
        // The signed batch is held on the server, once however often it is retried.
        assert_eq!(count(&server, "SELECT count(*) FROM held_pushes WHERE device_id = $1", device.clone()).await, 1);
    }
    let caps: zhifa_protocol::Capabilities =
        http().get(format!("{}/api/v1/capabilities", server.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(caps.min_client_schema, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_newer_than_the_server_is_held_then_pushes_after_the_fix() {
    let server = start(30).await;
    let work = tempfile::tempdir().unwrap();
    let mut a = tablet(work.path(), "a");
    let mut c = login(&server, &mut a, &xiaoyi_inspector(&server)).await;
    c.sync(&mut a, &mut noop).await.unwrap();
    edit(&mut a, 4);
    c.schema_version = zhifa_protocol::SCHEMA_VERSION + 1;
    let e = c.sync(&mut a, &mut noop).await.unwrap_err();
    assert_eq!(e.code(), "SCHEMA_UNSUPPORTED");
    assert!(e.to_string().contains("请联系管理员升级同步服务器"), "{e}");
    assert_eq!(a.pending_change_count().unwrap(), 4);

    // Once client and server agree again, the very same changes go through, exactly once.
    c.schema_version = zhifa_protocol::SCHEMA_VERSION;
    let r = c.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!((r.pushed, r.duplicates), (4, 0), "{r:?}");
    assert_eq!(a.pending_change_count().unwrap(), 0);
    assert_eq!(c.verify(&mut a).await.unwrap().count, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_future_batch_this_server_cannot_parse_is_held_not_refused_as_malformed() {
    use base64::Engine as _;
    let server = start(10).await;
    let work = tempfile::tempdir().unwrap();
    let mut a = tablet(work.path(), "a");
    let _c: SyncClient = login(&server, &mut a, &xiaoyi_inspector(&server)).await;
    let device = a.device_id().to_string();
    // A schema-9 batch whose changes have a shape v1 does not know (no change_id, op …).
    let body = serde_json::to_vec(&serde_json::json!({
        "device_id": device,
        "schema_version": 9,
        "changes": [{"seq": 1, "record": {"kind": "future"}}, {"seq": 2, "record": {}}],
    }))
    .unwrap();
    let pkcs8 =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(a.meta("device_key_pkcs8").unwrap().unwrap()).unwrap();
    let key = zhifa_auth::DeviceKey::from_pkcs8(&pkcs8).unwrap();
    let sign = |body: &[u8]| {
        key.sign_push(&zhifa_auth::PushRequest {
            method: "POST",
            path: "/api/v1/push",
            device_id: &device,
            batch_seq: 1,
            body,
        })
    };
    let send = |body: Vec<u8>, sig: String| {
        http()
            .post(format!("{}/api/v1/push", server.url))
            .bearer_auth(access_token(&a))
            .header(zhifa_protocol::HEADER_DEVICE, device.clone())
            .header(zhifa_protocol::HEADER_SIGNATURE, sig)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = send(body.clone(), sign(&body)).await.unwrap();
    assert_eq!(r.status().as_u16(), 426);
    assert_eq!(r.json::<zhifa_protocol::ErrorBody>().await.unwrap().code, "SCHEMA_UNSUPPORTED");
    let held: Vec<(i64, i64, i64, String)> = server
        .db
        .tx(|tx| {
            let rows = tx.query("SELECT first_seq, last_seq, schema_version, body FROM held_pushes", &[])?;
            rows.iter().map(|r| Ok((r[0].i()?, r[1].i()?, r[2].i()?, r[3].t()?))).collect()
        })
        .await
        .unwrap();
    assert_eq!(held, vec![(1, 2, 9, String::from_utf8(body.clone()).unwrap())], "held byte for byte");

    // An unsigned (or wrongly signed) batch is not held: only authenticated data is kept.
    let forged =
        serde_json::to_vec(&serde_json::json!({"device_id": device, "schema_version": 9, "changes": [{"seq": 5}]}))
            .unwrap();
    let r = send(forged, sign(&body)).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let n: i64 = server.db.tx(|tx| Ok(tx.query("SELECT count(*) FROM held_pushes", &[])?[0][0].i()?)).await.unwrap();
    assert_eq!(n, 1);
}
