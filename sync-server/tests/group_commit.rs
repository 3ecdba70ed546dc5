//! Group commit (`sync::store_pushes`, used by the push writer): pushes stored by one
//! transaction stand or fall one by one. A push that fails midway is undone entirely (its
//! entities, its audit-trail row, its sequence runs) while the others of the group are stored
//! and acknowledged; its device can push the same batch again and it is stored exactly once.

mod common;

use common::{city_wide_caller, enterprise_change, prepared_push};
use serde_json::json;
use zhifa_core::ids::DeviceId;
use zhifa_server::db::{DbUrl, P};
use zhifa_server::sync::{self, QueuedPush, SyncConfig};

fn queued(device: DeviceId, ent: &str) -> QueuedPush {
    let c = enterprise_change(
        device,
        1_767_225_600_001,
        [device.0.as_bytes()[0]; 10],
        ent,
        json!({"name": format!("企业{ent}"), "county_code": "141181"}),
    );
    QueuedPush { who: city_wide_caller(), push: prepared_push(device, &[(1, c)]), now_ms: 1_767_225_700_000 }
}

#[test]
fn a_failing_push_is_undone_alone_and_the_rest_of_the_group_commits() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = DbUrl::Sqlite(dir.path().join("server.sqlite")).connect().unwrap();
    let (a, bad, c) = (
        DeviceId(uuid::Uuid::from_bytes([1; 16])),
        DeviceId(uuid::Uuid::from_bytes([2; 16])),
        DeviceId(uuid::Uuid::from_bytes([3; 16])),
    );
    // The store refuses the audit-trail row of one device: its push fails after its entity
    // was already written inside the transaction.
    conn.tx(|tx| {
        tx.exec(
            &format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON change_batches WHEN NEW.device_id = '{bad}' \
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            ),
            &[],
        )?;
        Ok(())
    })
    .unwrap();
    let group = vec![queued(a, "e-a"), queued(bad, "e-bad"), queued(c, "e-c")];
    let cfg = SyncConfig::default();
    let results = sync::store_pushes(&mut conn, &group, &cfg, "141100").unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().accepted, 1);
    assert!(results[1].is_err(), "the refused push fails");
    assert_eq!(results[2].as_ref().unwrap().accepted, 1, "a push after the failed one still stands");

    conn.tx(|tx| {
        assert!(sync::find_entity(tx, "enterprise", "e-a")?.is_some());
        assert!(sync::find_entity(tx, "enterprise", "e-bad")?.is_none(), "the failed push's entity is undone");
        assert!(sync::find_entity(tx, "enterprise", "e-c")?.is_some());
        let devices: Vec<String> = sync::stored_changes(tx, None)?.into_iter().map(|s| s.device_id).collect();
        assert_eq!(devices, vec![a.to_string(), c.to_string()]);
        let runs = tx.query("SELECT count(*) FROM device_seqs WHERE device_id = $1", &[P::T(bad.to_string())])?;
        assert_eq!(runs[0][0].i()?, 0, "no sequence of the failed push is marked stored");
        Ok(())
    })
    .unwrap();

    // Alone in its transaction, the failing push fails the transaction: nothing of it stays.
    let alone = vec![queued(bad, "e-bad")];
    assert!(sync::store_pushes(&mut conn, &alone, &cfg, "141100").is_err());
    conn.tx(|tx| {
        assert!(sync::find_entity(tx, "enterprise", "e-bad")?.is_none(), "rolled back with its transaction");
        tx.exec("DROP TRIGGER refuse", &[])?;
        Ok(())
    })
    .unwrap();

    // The device pushes the same batch again: stored once; the others are duplicates now.
    let again = vec![queued(bad, "e-bad"), queued(a, "e-a")];
    let results = sync::store_pushes(&mut conn, &again, &cfg, "141100").unwrap();
    assert_eq!(results[0].as_ref().unwrap().accepted, 1);
    assert_eq!(results[1].as_ref().unwrap().duplicates, 1);
    conn.tx(|tx| {
        assert!(sync::find_entity(tx, "enterprise", "e-bad")?.is_some());
        assert_eq!(sync::stored_changes(tx, None)?.len(), 3);
        Ok(())
    })
    .unwrap();
}
