//! Merge rules seen through real sync: D9 conflict surfacing (both orders), D10 issued
//! documents stay immutable, D11 clock skew (a tablet a year ahead is quarantined, one a
//! day behind still syncs in order).

mod common;

use common::*;
use zhifa_core::document::{Document, DocumentStatus};
use zhifa_core::enterprise::Enterprise;
use zhifa_core::hazard::Hazard;
use zhifa_core::ids::{IdSource, InspectionId};
use zhifa_core::workflow::HazardStatus;
use zhifa_store::{Replica, StoreError, SystemIds};

fn noop(_: zhifa_sync_client::Progress) {}

/// A tablet whose clock is off by `offset_ms`.
struct Skewed(i64);
impl IdSource for Skewed {
    fn next_parts(&mut self) -> (u64, [u8; 10]) {
        let (ms, r) = SystemIds.next_parts();
        ((ms as i64 + self.0) as u64, r)
    }
}

async fn pair(
    server: &Server,
    dir: &std::path::Path,
) -> (Replica, zhifa_sync_client::SyncClient, Replica, zhifa_sync_client::SyncClient) {
    let login_name = xiaoyi_inspector(server);
    let mut a = tablet(dir, "a");
    let mut b = tablet(dir, "b");
    let ca = login(server, &mut a, &login_name).await;
    let cb = login(server, &mut b, &login_name).await;
    ca.sync(&mut a, &mut noop).await.unwrap();
    cb.sync(&mut b, &mut noop).await.unwrap();
    (a, ca, b, cb)
}

fn hazard(enterprise: zhifa_core::ids::EnterpriseId, id: zhifa_core::ids::HazardId) -> Hazard {
    Hazard {
        id,
        inspection: InspectionId::from_parts(1, [3; 10]),
        enterprise,
        item: None,
        description: "配电室门口堆放杂物".into(),
        major: false,
        deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 20),
        status: HazardStatus::Open,
        review_requested_on: None,
        reviewed_on: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d9_concurrent_hazard_edits_give_one_winner_and_a_visible_flag_in_both_orders() {
    for a_first in [true, false] {
        let server = start(30).await;
        let dir = tempfile::tempdir().unwrap();
        let (mut a, ca, mut b, cb) = pair(&server, dir.path()).await;
        let ent: Enterprise = a.list().unwrap().remove(0);
        let id = a.write(|w| Ok::<_, StoreError>(w.new_id())).unwrap();
        a.write(|w| w.put(&hazard(ent.id, id))).unwrap();
        ca.sync(&mut a, &mut noop).await.unwrap();
        cb.sync(&mut b, &mut noop).await.unwrap();
        // Offline, both change the deadline and the description differently; B also moves the status.
        let mut ha: Hazard = a.get(&id.to_string()).unwrap().unwrap();
        ha.deadline = chrono::NaiveDate::from_ymd_opt(2026, 12, 25);
        ha.description = "A的描述".into();
        a.write(|w| w.put(&ha)).unwrap();
        let mut hb: Hazard = b.get(&id.to_string()).unwrap().unwrap();
        hb.deadline = chrono::NaiveDate::from_ymd_opt(2026, 12, 28);
        hb.status = HazardStatus::ReviewRequested;
        b.write(|w| w.put(&hb)).unwrap();
        let (first, second) = if a_first { ((&mut a, &ca), (&mut b, &cb)) } else { ((&mut b, &cb), (&mut a, &ca)) };
        first.1.sync(first.0, &mut noop).await.unwrap();
        second.1.sync(second.0, &mut noop).await.unwrap();
        ca.sync(&mut a, &mut noop).await.unwrap();
        cb.sync(&mut b, &mut noop).await.unwrap();
        let fa: Hazard = a.get(&id.to_string()).unwrap().unwrap();
        let fb: Hazard = b.get(&id.to_string()).unwrap().unwrap();
        assert_eq!(fa, fb, "deterministic winner whatever the order");
        assert_eq!(fa.description, "A的描述", "a field only A changed is kept");
        assert_eq!(fa.status, HazardStatus::ReviewRequested, "status moves forward");
        // Ordinary fields are last-writer-wins, recorded in the audit trail; no silent loss of
        // a legal value is possible because hazards have no legal fields.
        assert!(fa.deadline == hb.deadline || fa.deadline == ha.deadline);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d10_an_issued_document_stays_as_issued() {
    let server = start(30).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut a, ca, mut b, cb) = pair(&server, dir.path()).await;
    let ent: Enterprise = a.list().unwrap().remove(0);
    let insp = zhifa_core::inspection::Inspection {
        id: a.write(|w| Ok::<_, StoreError>(w.new_id())).unwrap(),
        task: None,
        enterprise: ent.id,
        org: zhifa_seed::org_id("141181", zhifa_core::org::OrgKind::CountyBureau),
        officers: vec![],
        place: "炼钢车间".into(),
        started_at: None,
        ended_at: None,
        status: zhifa_core::workflow::InspectionStatus::Completed,
        modules: vec![],
    };
    a.write(|w| w.put(&insp)).unwrap();
    let id = a.write(|w| Ok::<_, StoreError>(w.new_id())).unwrap();
    let doc = Document {
        id,
        doc_type: "责令限期整改指令书".into(),
        number: Some("（孝）应急责改〔2026〕1号".into()),
        status: DocumentStatus::Issued,
        inspection: Some(insp.id),
        case: None,
        content_hash: Some("a".repeat(64)),
        corrects: None,
        content: None,
    };
    a.write(|w| w.put(&doc)).unwrap();
    ca.sync(&mut a, &mut noop).await.unwrap();
    cb.sync(&mut b, &mut noop).await.unwrap();
    let mut tampered: Document = b.get(&id.to_string()).unwrap().unwrap();
    tampered.content_hash = Some("b".repeat(64));
    tampered.number = Some("（孝）应急责改〔2026〕99号".into());
    b.write(|w| w.put(&tampered)).unwrap();
    b.write(|w| w.delete::<Document>(&id.to_string())).unwrap();
    cb.sync(&mut b, &mut noop).await.unwrap();
    ca.sync(&mut a, &mut noop).await.unwrap();
    for r in [&a, &b] {
        let d: Document = r.get(&id.to_string()).unwrap().expect("an issued document cannot be deleted by sync");
        assert_eq!(d, doc, "number and content hash unchanged on every replica");
    }
    let token = access_token(&a);
    let e = server_entity(&server, &token, "document", &id.to_string()).await;
    assert!(!e.conflicts.is_empty(), "the attempt is flagged for the supervisor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d11_a_tablet_a_year_ahead_is_quarantined_and_one_a_day_behind_still_syncs() {
    let server = start(30).await;
    let dir = tempfile::tempdir().unwrap();
    let login_name = xiaoyi_inspector(&server);
    let year = 365 * 24 * 3_600_000_i64;
    let mut ahead = Replica::open_with(&dir.path().join("ahead.sqlite"), true, Box::new(Skewed(year))).unwrap();
    let mut behind =
        Replica::open_with(&dir.path().join("behind.sqlite"), true, Box::new(Skewed(-24 * 3_600_000))).unwrap();
    let c1 = login(&server, &mut ahead, &login_name).await;
    let c2 = login(&server, &mut behind, &login_name).await;
    c1.sync(&mut ahead, &mut noop).await.unwrap();
    c2.sync(&mut behind, &mut noop).await.unwrap();
    let ent: Enterprise = behind.list().unwrap().remove(0);
    let mut e1 = ent.clone();
    e1.data.name = "未来时间写入的名称有限公司".into();
    ahead.write(|w| w.put(&e1)).unwrap();
    let r1 = c1.sync(&mut ahead, &mut noop).await.unwrap();
    assert_eq!(r1.quarantined, 1, "a write a year ahead is held, not applied");
    let mut e2 = ent.clone();
    e2.data.phone = "13811112222".into();
    behind.write(|w| w.put(&e2)).unwrap();
    let r2 = c2.sync(&mut behind, &mut noop).await.unwrap();
    assert_eq!((r2.pushed, r2.quarantined), (1, 0), "a day behind is not refused");
    let now: Enterprise = behind.get(&ent.id.to_string()).unwrap().unwrap();
    assert_eq!(now.data.name, ent.data.name, "the far-future write cannot win the legal name");
    assert_eq!(now.data.phone, "13811112222");
}
