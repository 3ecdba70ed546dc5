//! Replica behaviour on real SQLite files.

use std::path::Path;

use zhifa_core::division::Area;
use zhifa_core::enterprise::{Enterprise, EnterpriseData, GeoPoint, OperatingStatus};
use zhifa_core::hlc::VersionVector;
use zhifa_core::ids::SeededIds;
use zhifa_core::industry::{IndustryCode, SupervisionCategory};
use zhifa_store::{MIGRATION_COUNT, PutOutcome, Replica, StoreError, schema_sql};

fn open(path: &Path) -> Replica {
    Replica::open_with(path, true, Box::new(SeededIds::new(1, 1_767_571_200_000))).unwrap()
}

fn ent(code: &str, name: &str, county: &str) -> EnterpriseData {
    EnterpriseData {
        credit_code: zhifa_core::credit_code::CreditCode::parse(code).unwrap(),
        name: name.into(),
        county_code: county.into(),
        township_code: None,
        address: format!("{name}地址"),
        legal_rep: "张三".into(),
        principal: "李四".into(),
        phone: "13912345678".into(),
        industry_code: IndustryCode::parse("3110").unwrap(),
        supervision_category: SupervisionCategory::Metallurgy,
        status: OperatingStatus::Operating,
        location: Some(GeoPoint { lng: 111.7, lat: 37.1 }),
        tags: vec![],
        risk_level: None,
        licence_no: None,
        licence_expiry: None,
        employees: None,
    }
}

#[test]
fn file_is_wal_with_full_sync_and_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.sqlite");
    let r = open(&p);
    let c = r.conn();
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    let ver: u32 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!((mode.as_str(), sync, ver), ("wal", 2, MIGRATION_COUNT));
    let device = r.device_id();
    drop(r);
    // Reopening keeps the device id.
    assert_eq!(Replica::open(&p).unwrap().device_id(), device);
}

#[test]
fn schema_matches_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let r = open(&dir.path().join("s.sqlite"));
    let actual = schema_sql(r.conn()).unwrap();
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/client/schema.snapshot.sql");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&snap, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&snap).expect("snapshot exists; bless with UPDATE_EXPECT=1");
    assert_eq!(actual, expected, "schema changed: add a migration and bless with UPDATE_EXPECT=1");
}

#[test]
fn missing_and_corrupt_files_are_errors_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sqlite");
    assert!(matches!(Replica::open(&missing), Err(StoreError::NotFound { .. })));
    assert!(!missing.exists(), "open must not create a file");

    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"this is not a database at all, just text").unwrap();
    let err = Replica::init(&junk).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("junk.sqlite"));
    assert_eq!(std::fs::read(&junk).unwrap(), b"this is not a database at all, just text");

    // A real replica with a damaged page.
    let p = dir.path().join("damaged.sqlite");
    {
        let mut r = open(&p);
        r.write(|w| {
            for i in 0..200 {
                let code = valid_code(i);
                w.upsert_enterprise(ent(&code, &format!("企业{i}"), "141181"))?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
        r.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    }
    let mut bytes = std::fs::read(&p).unwrap();
    let len = bytes.len();
    for b in &mut bytes[4096 * 2..len.min(4096 * 6)] {
        *b = 0x5A;
    }
    std::fs::write(&p, &bytes).unwrap();
    let err = Replica::open(&p).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(std::fs::read(&p).unwrap(), bytes, "a damaged file is never rewritten");

    // A foreign SQLite database is not adopted.
    let foreign = dir.path().join("foreign.sqlite");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t(x)").unwrap();
    assert!(matches!(Replica::init(&foreign), Err(StoreError::Corrupt { .. })));
}

fn valid_code(i: u32) -> String {
    let body = format!("91141181MA{:07}", i);
    let ck = zhifa_core::credit_code::check_char(body.as_bytes()).unwrap();
    format!("{body}{}", ck as char)
}

#[test]
fn writes_record_per_field_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = open(&dir.path().join("c.sqlite"));
    let code = valid_code(1);
    let (id, o) = r.write(|w| w.upsert_enterprise(ent(&code, "孝义鑫达钢铁有限公司", "141181"))).unwrap();
    assert_eq!(o, PutOutcome::Inserted);
    let (id2, o2) = r.write(|w| w.upsert_enterprise(ent(&code, "孝义鑫达钢铁有限公司", "141181"))).unwrap();
    assert_eq!((id2, o2), (id, PutOutcome::Unchanged));
    let mut changed = ent(&code, "孝义鑫达钢铁有限公司", "141181");
    changed.phone = "0358-7621234".into();
    assert_eq!(r.write(|w| w.upsert_enterprise(changed)).unwrap().1, PutOutcome::Updated);

    let changes = r.pending_changes(10).unwrap();
    assert_eq!(changes.len(), 2);
    let (_, last) = &changes[1];
    assert_eq!(last.fields.keys().collect::<Vec<_>>(), ["phone"]);
    assert_eq!(last.county_code.as_deref(), Some("141181"));
    assert!(changes[0].1.hlc < last.hlc);
    assert!(changes[0].1.base.is_empty(), "a new row has no base");
    assert_eq!(last.base, VersionVector::from(changes[0].1.hlc), "an edit has seen the write it replaced");
    assert_eq!(last.hlc.device, r.device_id());

    let e: Enterprise = r.get(&id.to_string()).unwrap().unwrap();
    assert_eq!(e.data.phone, "0358-7621234");

    assert!(r.write(|w| w.delete::<Enterprise>(&id.to_string())).unwrap());
    assert!(r.get::<Enterprise>(&id.to_string()).unwrap().is_none());
    assert_eq!(r.pending_change_count().unwrap(), 3);
    assert!(r.search_enterprises("鑫达", 10).unwrap().is_empty());
}

#[test]
fn failed_transaction_and_dry_run_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = open(&dir.path().join("t.sqlite"));
    let res: Result<(), StoreError> = r.write(|w| {
        w.upsert_enterprise(ent(&valid_code(1), "甲", "141181"))?;
        Err(StoreError::Rule("中止".into()))
    });
    assert!(res.is_err());
    r.dry_run(|w| w.upsert_enterprise(ent(&valid_code(2), "乙", "141181"))).unwrap();
    assert_eq!(r.count::<Enterprise>().unwrap(), 0);
    assert_eq!(r.pending_change_count().unwrap(), 0);
}

#[test]
fn chinese_search_works_for_one_and_two_characters() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = open(&dir.path().join("f.sqlite"));
    let names = ["吕梁孝义鑫达钢铁有限公司", "吕梁交城华泰化工有限公司", "吕梁汾阳恒盛酒业有限公司"];
    let codes: Vec<String> = (0..3).map(valid_code).collect();
    r.write(|w| {
        for (n, c) in names.iter().zip(&codes) {
            w.upsert_enterprise(ent(c, n, "141181"))?;
        }
        Ok::<_, StoreError>(())
    })
    .unwrap();
    let names_of = |q: &str| r.search_enterprises(q, 10).unwrap().into_iter().map(|h| h.name).collect::<Vec<_>>();
    assert_eq!(names_of("钢"), [names[0]]);
    assert_eq!(names_of("化工"), [names[1]]);
    assert_eq!(names_of("汾阳 酒"), [names[2]]);
    assert!(names_of("钢化").is_empty(), "two characters must be adjacent");
    assert_eq!(names_of("吕梁").len(), 3);
    // Any part of a credit code, in any case.
    assert_eq!(names_of(&codes[1][13..18].to_lowercase()), [names[1]]);
    assert_eq!(names_of(&codes[2]), [names[2]]);
    assert!(names_of("，。").is_empty());
    let _ = Area::luliang();
}
