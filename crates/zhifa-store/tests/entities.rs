//! Every synced entity type round-trips through the replica, inherits its county scope,
//! and leaves change records.

use chrono::NaiveDate;
use zhifa_core::case::{Case, CaseSource};
use zhifa_core::change::EntityKind;
use zhifa_core::document::{Document, DocumentStatus};
use zhifa_core::evidence::{ContentHash, Evidence, EvidenceKind};
use zhifa_core::hazard::Hazard;
use zhifa_core::ids::{IdSourceExt, SeededIds};
use zhifa_core::inspection::{Answer, AnswerResult, Inspection};
use zhifa_core::officer::{Officer, Role, Training};
use zhifa_core::plan::{Plan, PlanTask, TaskKind};
use zhifa_core::workflow::{CaseStatus, HazardStatus, InspectionStatus};
use zhifa_seed::demo::{DemoSize, generate};
use zhifa_store::{Entity, PutOutcome, Replica, StoreError};

fn roundtrip<E: Entity + PartialEq + std::fmt::Debug>(r: &mut Replica, e: &E) {
    assert_eq!(r.write(|w| w.put(e)).unwrap(), PutOutcome::Inserted);
    assert_eq!(r.write(|w| w.put(e)).unwrap(), PutOutcome::Unchanged);
    let back: E = r.get(&e.id_text()).unwrap().expect("stored");
    assert_eq!(&back, e);
}

#[test]
fn every_entity_round_trips_with_its_county() {
    let dir = tempfile::tempdir().unwrap();
    let mut r =
        Replica::open_with(&dir.path().join("e.sqlite"), true, Box::new(SeededIds::new(3, 1_767_571_200_000))).unwrap();
    let mut ids = SeededIds::new(4, 1_767_571_200_000);
    let area = zhifa_core::division::Area::luliang();
    let demo = generate(&area, 5, DemoSize { enterprises: 20, officers_per_county: 5 });
    let org = demo.organisations.iter().find(|o| o.division_code == "141181").unwrap().clone();
    let ent_data = demo.enterprises.iter().find(|e| e.county_code == "141181").unwrap().clone();
    roundtrip(&mut r, &org);
    let (ent, _) = r.write(|w| w.upsert_enterprise(ent_data.clone())).unwrap();

    let officer = Officer {
        id: ids.next(),
        name: "王建国".into(),
        cert_no: "1411810001".into(),
        org: org.id,
        roles: vec![Role::Inspector, Role::LegalReviewer],
        phone: None,
        legal_qualification: true,
        active: true,
    };
    roundtrip(&mut r, &officer);
    let training = Training {
        id: ids.next(),
        officer: officer.id,
        course: "执法文书制作规范培训".into(),
        date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        hours: 8,
    };
    roundtrip(&mut r, &training);
    let plan =
        Plan {
            id: ids.next(), org: org.id, year: 2026, title: "孝义市应急管理局2026年度安全生产监督检查计划".into()
        };
    roundtrip(&mut r, &plan);
    let task = PlanTask {
        id: ids.next(),
        plan: plan.id,
        enterprise: ent,
        month: 4,
        kind: TaskKind::Random,
        officers: vec![officer.id],
        draw_seed: Some(7),
    };
    roundtrip(&mut r, &task);
    let insp = Inspection {
        id: ids.next(),
        task: Some(task.id),
        enterprise: ent,
        org: org.id,
        officers: vec![officer.id],
        place: "炼钢车间".into(),
        started_at: NaiveDate::from_ymd_opt(2026, 4, 8).unwrap().and_hms_opt(9, 30, 0),
        ended_at: None,
        status: InspectionStatus::InProgress,
        modules: vec!["有限空间".into()],
    };
    roundtrip(&mut r, &insp);
    let answer = Answer {
        inspection: insp.id,
        item: "YX-001".into(),
        result: AnswerResult::NonConforming,
        note: "未设置警示标识".into(),
    };
    roundtrip(&mut r, &answer);
    let hazard = Hazard {
        id: ids.next(),
        inspection: insp.id,
        enterprise: ent,
        item: Some("YX-001".into()),
        description: "有限空间作业场所未设置明显的安全警示标志".into(),
        major: false,
        deadline: NaiveDate::from_ymd_opt(2026, 4, 30),
        status: HazardStatus::Open,
        review_requested_on: None,
        reviewed_on: None,
    };
    roundtrip(&mut r, &hazard);
    let doc = Document {
        id: ids.next(),
        doc_type: "责令限期整改指令书".into(),
        number: Some("（孝）应急责改〔2026〕1号".into()),
        status: DocumentStatus::Issued,
        inspection: Some(insp.id),
        case: None,
        content_hash: Some(ContentHash::of(b"pdf").as_str().into()),
        corrects: None,
        content: None,
    };
    roundtrip(&mut r, &doc);
    let case = Case {
        id: ids.next(),
        org: org.id,
        enterprise: ent,
        inspection: Some(insp.id),
        cause: "未对有限空间作业场所设置安全警示标志".into(),
        source: CaseSource::Inspection,
        status: CaseStatus::Registered,
        registered_on: NaiveDate::from_ymd_opt(2026, 5, 6),
        handlers: vec![officer.id],
        fine_yuan: None,
        decided_on: None,
        closed_on: None,
    };
    roundtrip(&mut r, &case);
    let ev = Evidence {
        id: ids.next(),
        sha256: ContentHash::of(b"jpeg bytes"),
        kind: EvidenceKind::Photo,
        mime: "image/jpeg".into(),
        size: 10,
        captured_ms: 1_775_612_000_000,
        lng: Some(111.78),
        lat: Some(37.14),
        officer: officer.id,
        inspection: Some(insp.id),
        hazard: Some(hazard.id),
        withdrawn: false,
    };
    roundtrip(&mut r, &ev);

    // Every change carries the county of the enterprise / organisation it belongs to.
    let changes = r.pending_changes(100).unwrap();
    let kinds: Vec<EntityKind> = changes.iter().map(|(_, c)| c.entity).collect();
    assert_eq!(changes.len(), 12, "{kinds:?}");
    assert!(changes.iter().all(|(_, c)| c.county_code.as_deref() == Some("141181")), "{changes:?}");
    let seqs: Vec<i64> = changes.iter().map(|(s, _)| *s).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert!(changes.windows(2).all(|w| w[0].1.hlc < w[1].1.hlc));

    // Queries over generated columns.
    assert_eq!(r.list_by::<Answer>("inspection", &insp.id.to_string()).unwrap(), vec![answer]);
    assert_eq!(r.hazards_due_by("2026-05-01").unwrap(), vec![hazard.clone()]);
    assert!(r.hazards_due_by("2026-04-29").unwrap().is_empty());
    let mut done = hazard.clone();
    done.status = HazardStatus::Rectified;
    r.write(|w| w.put(&done)).unwrap();
    assert!(r.hazards_due_by("2026-05-01").unwrap().is_empty());
    let last = r.pending_changes(100).unwrap().pop().unwrap().1;
    assert_eq!(last.fields.keys().collect::<Vec<_>>(), ["status"]);

    // Document numbers are unique in the replica.
    let mut dup = doc.clone();
    dup.id = ids.next();
    let err = r.write(|w| w.put(&dup)).unwrap_err();
    assert!(matches!(err, StoreError::Sqlite(_)), "{err:?}");
}
