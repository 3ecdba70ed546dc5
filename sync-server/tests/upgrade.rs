//! Upgrading a central store: a schema-3 store with data (JSON merge states, one change-log
//! row per change) migrates to schema 4 (binary states, signed batches, sequence runs) and
//! keeps every record, every acknowledged change and every verification digest; the
//! deduplication of retried batches continues across the upgrade. A schema-4 store's lookup
//! keys are recomputed by schema 5 (clustered keys), so every row is found afterwards and
//! merges into itself. Runs on SQLite, and on PostgreSQL when `ZHIFA_TEST_POSTGRES` is set
//! (as in `.ci/run`).

mod common;

use serde_json::{Value, json};
use zhifa_core::change::{Change, EntityKind};
use zhifa_core::ids::DeviceId;
use zhifa_core::merge::{EntityState, FORMAT_V2};
use zhifa_protocol::{PushRequest, WireChange};
use zhifa_server::db::{Cell, DbUrl, P, entity_key};
use zhifa_server::sync::{self, SignedBody, SyncConfig};

const XIAOYI: &str = "141181";

fn change(device: DeviceId, n: u64, entity_id: &str, fields: Value) -> Change {
    common::enterprise_change(device, 1_767_225_600_000 + n * 1000, [n as u8; 10], entity_id, fields)
}

fn schema3(conn: &mut zhifa_server::db::Conn, device: DeviceId, ent: &str, changes: &[Change]) {
    let state = EntityState::from_changes(EntityKind::Enterprise, changes);
    let view = state.view();
    let wire: Vec<WireChange> =
        changes.iter().enumerate().map(|(i, c)| WireChange::from_core(i as i64 + 1, c)).collect();
    conn.tx(|tx| {
        for (i, w) in wire.iter().enumerate() {
            tx.exec(
                "INSERT INTO change_log (server_seq, device_id, device_seq, change_id, entity, entity_id, county_code, \
                 body, received_ms, quarantined) VALUES ($1, $2, $3, $4, 'enterprise', $5, $6, $7, $8, 0)",
                &[
                    P::I(i as i64 + 1),
                    P::T(device.to_string()),
                    P::I(w.seq),
                    P::T(w.change_id.clone()),
                    P::T(ent.into()),
                    P::T(XIAOYI.into()),
                    P::T(serde_json::to_string(w).unwrap()),
                    P::I(1_767_225_700_000),
                ],
            )?;
        }
        tx.exec(
            "INSERT INTO entities (entity, entity_id, county_code, state, view, deleted, version, conflicts, last_seq) \
             VALUES ('enterprise', $1, $2, $3, $4, 0, $5, '[]', $6)",
            &[
                P::T(ent.into()),
                P::T(XIAOYI.into()),
                P::T(serde_json::to_string(&state).unwrap()),
                P::T(serde_json::to_string(&view.fields).unwrap()),
                P::T(view.version.unwrap().encode()),
                P::I(wire.len() as i64),
            ],
        )?;
        tx.exec("UPDATE counters SET value = $1 WHERE name = 'server_seq'", &[P::I(wire.len() as i64)])?;
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_schema_3_store_upgrades_without_losing_a_record_or_a_digest() {
    let dir = tempfile::tempdir().unwrap();
    let url: DbUrl = common::store_url(dir.path());
    let device = DeviceId(uuid::Uuid::from_bytes([7; 16]));
    let ent = "0193a5b0-0000-7000-8000-000000000001";
    let changes = vec![
        change(device, 1, ent, json!({"name": "孝义市甲钢铁有限公司", "county_code": XIAOYI, "staff": 120})),
        change(device, 2, ent, json!({"phone": "0358-1234567"})),
        change(device, 3, ent, json!({"staff": 130, "address": "孝义市梧桐镇"})),
    ];
    let wire: Vec<WireChange> =
        changes.iter().enumerate().map(|(i, c)| WireChange::from_core(i as i64 + 1, c)).collect();
    {
        let mut old = url.connect_upto(3).unwrap();
        schema3(&mut old, device, ent, &changes);
    }

    let mut conn = url.connect().unwrap();
    let expected = EntityState::from_changes(EntityKind::Enterprise, &changes).view();
    conn.tx(|tx| {
        let e = sync::find_entity(tx, "enterprise", ent)?.expect("the enterprise survived the upgrade");
        assert_eq!(e.fields, expected.fields);
        assert_eq!((e.county_code.as_deref(), e.server_seq, e.deleted), (Some(XIAOYI), 3, false));
        assert_eq!(e.version, expected.version.map(|h| h.encode()));

        let log = sync::stored_changes(tx, Some(&device.to_string()))?;
        assert_eq!(log.iter().map(|c| c.server_seq).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(log.iter().map(|c| c.change.clone()).collect::<Vec<_>>(), wire);
        assert!(log.iter().all(|c| !c.quarantined && c.received_ms == 1_767_225_700_000));

        let v = sync::verify(tx, &device.to_string())?;
        assert_eq!((v.count, v.max_seq, v.digest), (3, 3, sync::digest_of(&wire)));

        let page = sync::pull(tx, &common::city_wide_caller(), 0, 100)?;
        assert_eq!(page.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), vec![ent]);

        // The SQL lookup key is the Rust one, for ASCII and Chinese ids alike.
        // Prefixed ids too; 64 generated ones cover both signs of both halves.
        let mut ids: Vec<String> =
            [ent, "孝义市应急管理局", "", "insp:item", "insp:item:sub", ":x", "孝义:项目一"].map(String::from).to_vec();
        ids.extend((0..64).map(|i| format!("insp-{}:item-{i}", i / 2)));
        let mut signs = std::collections::BTreeSet::new();
        for id in &ids {
            let r = tx.query("SELECT zhifa_entity_key('enterprise', $1)", &[P::T(id.clone())])?;
            let key = entity_key("enterprise", id);
            assert_eq!(r[0][0], Cell::I(key), "{id:?}");
            signs.insert((key < 0, (key as u32) >> 31));
        }
        assert_eq!(signs.len(), 4, "both halves seen with either top bit");
        Ok(())
    })
    .unwrap();

    // A retry of seqs 2..3 with a new seq 4: the old changes are duplicates, the new one merges.
    let more = change(device, 4, ent, json!({"risk_level": "较大风险"}));
    let mut retry: Vec<WireChange> = wire[1..].to_vec();
    retry.push(WireChange::from_core(4, &more));
    let req =
        PushRequest { device_id: device.to_string(), schema_version: 1, changes: retry, extra: Default::default() };
    let body = serde_json::to_vec(&req).unwrap();
    let cfg = SyncConfig::default();
    let resp = conn
        .tx(|tx| {
            let prepared = sync::prepare_push(&req, SignedBody { body: &body, signature: "sig" }, &cfg)?;
            sync::push(tx, &common::city_wide_caller(), &prepared, 1_767_225_900_000, &cfg, "141100")
        })
        .unwrap();
    assert_eq!((resp.duplicates, resp.accepted, resp.acked_through), (2, 1, 4), "{resp:?}");
    assert!(resp.rejected.is_empty(), "{:?}", resp.rejected);

    let mut all = changes.clone();
    all.push(more);
    let expected = EntityState::from_changes(EntityKind::Enterprise, &all).view();
    let mut wire_all = wire.clone();
    wire_all.push(req.changes[2].clone());
    conn.tx(|tx| {
        let e = sync::find_entity(tx, "enterprise", ent)?.unwrap();
        assert_eq!(e.fields, expected.fields);
        let state =
            tx.query("SELECT state FROM entities WHERE entity = 'enterprise' AND entity_id = $1", &[P::T(ent.into())])?;
        assert_eq!(state[0][0].b()?[0], FORMAT_V2, "rewritten in the binary form");
        let v = sync::verify(tx, &device.to_string())?;
        assert_eq!((v.count, v.digest), (4, sync::digest_of(&wire_all)));
        let runs = tx.query(
            "SELECT from_seq, to_seq FROM device_seqs WHERE device_id = $1 ORDER BY from_seq",
            &[P::T(device.to_string())],
        )?;
        assert_eq!(runs, vec![vec![Cell::I(1), Cell::I(4)]], "one run after the merge of 1-3 and 4");
        // The new batch is kept as signed, with its signature.
        let b = tx.query("SELECT encoding, signature, stored FROM change_batches WHERE first_server_seq > 3", &[])?;
        assert_eq!(b, vec![vec![Cell::T("push+zstd".into()), Cell::T("sig".into()), Cell::T("4".into())]]);
        Ok(())
    })
    .unwrap();
}

/// The schema-4 lookup key: the first 8 bytes of SHA-256 of `entity\nentity_id`.
fn schema4_key(entity: &str, id: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("{entity}\n{id}").as_bytes());
    i64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

fn push_now(
    conn: &mut zhifa_server::db::Conn,
    device: DeviceId,
    changes: &[(i64, Change)],
) -> zhifa_protocol::PushResponse {
    let prepared = common::prepared_push(device, changes);
    conn.tx(|tx| {
        sync::push(tx, &common::city_wide_caller(), &prepared, 1_767_225_900_000, &SyncConfig::default(), "141100")
    })
    .unwrap()
}

#[test]
fn a_schema_4_store_gets_clustered_keys_and_every_row_is_found_after() {
    let dir = tempfile::tempdir().unwrap();
    let url: DbUrl = common::store_url(dir.path());
    let device = DeviceId(uuid::Uuid::from_bytes([9; 16]));
    // Plain ids and prefixed ones (as the answers of an inspection are named).
    let ids = ["0193a5b0-0000-7000-8000-000000000002", "insp-1:item-a", "insp-1:item-b", "insp-2:item-a"];
    {
        let mut old = url.connect_upto(4).unwrap();
        let first: Vec<(i64, Change)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                (
                    i as i64 + 1,
                    change(device, i as u64 + 1, id, json!({"name": format!("企业{i}"), "county_code": XIAOYI})),
                )
            })
            .collect();
        assert_eq!(push_now(&mut old, device, &first).accepted, 4);
        // The keys as a schema-4 server wrote them.
        old.tx(|tx| {
            for id in ids {
                tx.exec(
                    "UPDATE entities SET key_hash = $1 WHERE entity = 'enterprise' AND entity_id = $2",
                    &[P::I(schema4_key("enterprise", id)), P::T(id.into())],
                )?;
            }
            Ok(())
        })
        .unwrap();
    }

    let mut conn = url.connect().unwrap();
    conn.tx(|tx| {
        let rows = tx.query("SELECT entity_id, key_hash FROM entities WHERE entity = 'enterprise'", &[])?;
        for r in &rows {
            let id = r[0].t()?;
            if ids.contains(&id.as_str()) {
                assert_eq!(r[1], Cell::I(entity_key("enterprise", &id)), "{id} recomputed");
            }
        }
        for id in ids {
            assert!(sync::find_entity(tx, "enterprise", id)?.is_some(), "{id} found by its new key");
        }
        Ok(())
    })
    .unwrap();
    // The answers of one inspection are neighbours in the key order.
    let (a, b, c) =
        (entity_key("enterprise", ids[1]), entity_key("enterprise", ids[2]), entity_key("enterprise", ids[3]));
    assert_eq!(a >> 32, b >> 32, "same prefix, same high half");
    assert_ne!(a >> 32, c >> 32);

    // A later change to every row merges into it: no second row for any id.
    let later: Vec<(i64, Change)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (i as i64 + 5, change(device, i as u64 + 5, id, json!({"phone": format!("0358-{i}")}))))
        .collect();
    let resp = push_now(&mut conn, device, &later);
    assert_eq!(resp.accepted, 4, "{resp:?}");
    conn.tx(|tx| {
        for id in ids {
            let n = tx.query(
                "SELECT count(*) FROM entities WHERE entity = 'enterprise' AND entity_id = $1",
                &[P::T(id.into())],
            )?;
            assert_eq!(n[0][0], Cell::I(1), "{id}");
            let e = sync::find_entity(tx, "enterprise", id)?.unwrap();
            assert!(e.fields.contains_key("name") && e.fields.contains_key("phone"), "{id}: {:?}", e.fields);
        }
        Ok(())
    })
    .unwrap();
}
