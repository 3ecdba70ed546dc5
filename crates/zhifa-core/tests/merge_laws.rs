//! Merge laws (test plan D7): the entity merge converges whatever the delivery order.
//!
//! A small simulator runs 3 replicas (tablets) that write to a few entities of several
//! kinds (enterprise ordinary and legal fields, hazard and case statuses, a document that
//! gets edited, issued and served, evidence, deletes and restores) and now and then sync
//! pairwise. Every write is based on the latest version its replica has seen, so some
//! writes are sequential and some concurrent. The properties:
//!
//! 1. applying all changes in any permutation, with duplicates, gives identical states
//!    and views (and the state survives a JSON round trip);
//! 2. `merge` is commutative, associative and idempotent;
//! 3. merging partial states (random subsets, or the replicas' own states) equals applying
//!    everything, and a full sync makes every replica equal;
//! 4. sequential edits never raise a conflict;
//! 5. concurrent different values of a legal field raise exactly one conflict holding both
//!    values, with the higher-HLC value as the provisional one;
//! 6. a status never moves backwards as changes arrive.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Value, json};
use zhifa_core::change::{Change, ChangeOp, EntityKind};
use zhifa_core::document::DocumentStatus;
use zhifa_core::hlc::{HlcClock, VersionVector};
use zhifa_core::ids::{ChangeId, DeviceId, splitmix64};
use zhifa_core::merge::{ConflictKind, DELETED_FIELD, EntityState, EntityView};
use zhifa_core::workflow::{CaseStatus, HazardStatus, Workflow};

/// The entities every run writes to: (entity id, kind).
const ENTITIES: &[(&str, EntityKind)] = &[
    ("ent", EntityKind::Enterprise),
    ("haz", EntityKind::Hazard),
    ("case", EntityKind::Case),
    ("doc", EntityKind::Document),
    ("evi", EntityKind::Evidence),
];

const NAMES: &[&str] = &["甲", "乙", "丙"];
const NO_SKEW_LIMIT: u64 = u64::MAX / 4;

type States = BTreeMap<&'static str, EntityState>;

/// 256 cases (a few seconds in a debug build); failing seeds go to the crate's
/// `proptest-regressions/merge_laws.txt` (commit it when proptest writes one).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/merge_laws.txt"))),
        ..ProptestConfig::default()
    }
}

fn device(n: u8) -> DeviceId {
    DeviceId::from_parts(1, [n + 1; 10])
}

fn status_json<T: serde::Serialize>(s: T) -> Value {
    serde_json::to_value(s).unwrap()
}

/// One simulator step: which replica acts, what it does, two free parameters.
#[derive(Debug, Clone)]
struct Op {
    replica: u8,
    action: u8,
    a: u8,
    b: u8,
}

fn ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        (0u8..3, 0u8..100, any::<u8>(), any::<u8>()).prop_map(|(replica, action, a, b)| Op { replica, action, a, b }),
        1..max,
    )
}

/// Physical clock offsets of the three tablets (ms), so concurrent writes land in either
/// HLC order.
fn skews() -> impl Strategy<Value = [u64; 3]> {
    [0u64..40, 0u64..40, 0u64..40]
}

struct Replica {
    clock: HlcClock,
    states: States,
    seen: BTreeSet<ChangeId>,
    log: Vec<Change>,
}

impl Replica {
    fn receive(&mut self, c: &Change, physical_ms: u64) {
        if self.seen.insert(c.id) {
            self.clock.observe(c.hlc, physical_ms, NO_SKEW_LIMIT).unwrap();
            let id = ENTITIES.iter().find(|(e, _)| *e == c.entity_id).unwrap().0;
            self.states.entry(id).or_insert_with(|| EntityState::new(c.entity)).apply(c);
            self.log.push(c.clone());
        }
    }
}

/// The fields of a random write to `entity` (`None` = a delete).
fn random_write(entity: &str, a: u8, b: u8, step: usize) -> Option<BTreeMap<String, Value>> {
    let name = NAMES[usize::from(b) % NAMES.len()];
    let f = |pairs: &[(&str, Value)]| Some(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect());
    match (entity, a % 10) {
        ("ent", 0..=2) => f(&[("phone", json!(format!("13{b}")))]),
        ("ent", 3) => f(&[("contact", json!(name)), ("phone", json!(b % 4))]),
        ("ent", 4..=6) => f(&[("name", json!(format!("{name}厂")))]),
        ("ent", 7 | 8) => f(&[("risk_level", json!(["low", "high"][usize::from(b % 2)]))]),
        ("ent", _) if b.is_multiple_of(3) => f(&[(DELETED_FIELD, json!(false))]),
        ("haz", 0..=4) => f(&[("status", status_json(HazardStatus::ALL[usize::from(b) % HazardStatus::ALL.len()]))]),
        ("haz", 5..=7) => f(&[("description", json!(name))]),
        ("case", 0..=6) => f(&[("status", status_json(CaseStatus::ALL[usize::from(b) % CaseStatus::ALL.len()]))]),
        ("case", 7 | 8) => f(&[("summary", json!(name))]),
        ("doc", 0..=3) => f(&[("body", json!(format!("{name}{step}")))]),
        ("doc", 4) => f(&[
            ("status", json!("issued")),
            ("number", json!(format!("（吕）应急检记〔2026〕{b}号"))),
            ("content_hash", json!(format!("h{step}"))),
        ]),
        ("doc", 5) => {
            let all =
                [DocumentStatus::Draft, DocumentStatus::Issued, DocumentStatus::Served, DocumentStatus::Corrected];
            f(&[("status", status_json(all[usize::from(b) % 4]))])
        }
        ("doc", 6 | 7) => f(&[("status", json!("served")), ("served_at", json!(format!("2026-03-{:02}", b % 28 + 1)))]),
        ("evi", 0..=6) => f(&[("sha256", json!(format!("{:x}", b % 3))), ("taken_at", json!(b % 2))]),
        _ => None,
    }
}

/// Output of one simulated run.
struct Run {
    /// Every change, in generation order.
    changes: Vec<Change>,
    /// The replicas' states at the end (before any final sync).
    replicas: Vec<States>,
}

fn simulate(ops: &[Op], skews: [u64; 3]) -> Run {
    let mut replicas: Vec<Replica> = (0..3u8)
        .map(|n| Replica {
            clock: HlcClock::new(device(n)),
            states: States::new(),
            seen: BTreeSet::new(),
            log: Vec::new(),
        })
        .collect();
    let mut changes = Vec::new();
    for (step, op) in ops.iter().enumerate() {
        let r = usize::from(op.replica);
        let phys = |r: usize| 1_000_000 + step as u64 * 10 + skews[r];
        if op.action < 12 {
            // Two-way sync with another replica.
            let other = (r + 1 + usize::from(op.a % 2)) % 3;
            for (from, to) in [(r, other), (other, r)] {
                let incoming: Vec<Change> = replicas[from].log.clone();
                for c in &incoming {
                    replicas[to].receive(c, phys(to));
                }
            }
            continue;
        }
        let (entity, kind) = ENTITIES[usize::from(op.action) % ENTITIES.len()];
        let fields = random_write(entity, op.a, op.b, step);
        let rep = &mut replicas[r];
        let base = rep.states.get(entity).map(EntityState::seen).unwrap_or_default();
        let hlc = rep.clock.tick(phys(r));
        let change = Change {
            id: ChangeId::from_parts(step as u64 + 1, [op.replica; 10]),
            entity: kind,
            entity_id: entity.to_owned(),
            op: if fields.is_some() { ChangeOp::Upsert } else { ChangeOp::Delete },
            fields: fields.unwrap_or_default(),
            hlc,
            base,
            county_code: Some("141102".into()),
            wall_ms: phys(r),
        };
        rep.receive(&change, phys(r));
        changes.push(change);
    }
    Run { changes, replicas: replicas.into_iter().map(|r| r.states).collect() }
}

/// Applies `changes` one by one, in the given order.
fn apply_all<'a>(changes: impl IntoIterator<Item = &'a Change>) -> States {
    let mut states = States::new();
    for c in changes {
        let id = ENTITIES.iter().find(|(e, _)| *e == c.entity_id).unwrap().0;
        let o = states.entry(id).or_insert_with(|| EntityState::new(c.entity)).apply(c);
        assert!(o.rejected.is_empty(), "{:?}", o.rejected);
    }
    states
}

fn views(states: &States) -> BTreeMap<&'static str, EntityView> {
    states.iter().map(|(k, s)| (*k, s.view())).collect()
}

fn merge_states(a: &States, b: &States) -> States {
    let mut out = a.clone();
    for (k, s) in b {
        match out.get_mut(k) {
            Some(mine) => mine.merge(s),
            None => {
                out.insert(k, s.clone());
            }
        }
    }
    out
}

/// A permutation of `changes` with up to a third of them delivered twice.
fn shuffled_with_duplicates(changes: &[Change], seed: u64) -> Vec<Change> {
    let mut s = seed;
    let mut v = changes.to_vec();
    let dups = (splitmix64(&mut s) % (changes.len() as u64 / 3 + 1)) as usize;
    for _ in 0..dups {
        let i = (splitmix64(&mut s) % changes.len() as u64) as usize;
        v.push(changes[i].clone());
    }
    for i in (1..v.len()).rev() {
        let j = (splitmix64(&mut s) % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    v
}

/// Each change goes to one, two or all three subsets.
fn split3(changes: &[Change], seed: u64) -> [Vec<Change>; 3] {
    let mut s = seed;
    let mut out: [Vec<Change>; 3] = Default::default();
    for c in changes {
        let mask = splitmix64(&mut s) % 7 + 1;
        for (i, part) in out.iter_mut().enumerate() {
            if mask & (1 << i) != 0 {
                part.push(c.clone());
            }
        }
    }
    out
}

/// Rank of the view's status (None if the entity has no status field).
fn status_rank(kind: EntityKind, view: &EntityView) -> Option<u8> {
    let v = view.fields.get("status")?.clone();
    match kind {
        EntityKind::Hazard => Some(serde_json::from_value::<HazardStatus>(v).unwrap().rank()),
        EntityKind::Case => Some(serde_json::from_value::<CaseStatus>(v).unwrap().rank()),
        EntityKind::Document => Some(serde_json::from_value::<DocumentStatus>(v).unwrap() as u8),
        _ => None,
    }
}

proptest! {
    #![proptest_config(config())]

    /// Law 1: any delivery order, with duplicates, gives the same state and view.
    #[test]
    fn any_order_with_duplicates_converges(ops in ops(180), skews in skews(), seed in any::<u64>()) {
        let run = simulate(&ops, skews);
        let reference = apply_all(&run.changes);
        let reference_views = views(&reference);
        for round in 0..2u64 {
            let order = shuffled_with_duplicates(&run.changes, seed ^ round);
            let states = apply_all(&order);
            prop_assert_eq!(&states, &reference);
            prop_assert_eq!(views(&states), reference_views.clone());
        }
        for (k, s) in &reference {
            let back: EntityState = serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap();
            prop_assert_eq!(&back, s, "{} after a JSON round trip", k);
            let bin = EntityState::decode(&s.encode()).unwrap();
            prop_assert_eq!(&bin, s, "{} after a binary round trip", k);
        }
    }

    /// `apply` reports exactly the conflicts the change added to the view (its shortcut
    /// for states that cannot conflict skips the views, never a conflict).
    #[test]
    fn apply_reports_exactly_the_new_conflicts(ops in ops(180), skews in skews(), seed in any::<u64>()) {
        let run = simulate(&ops, skews);
        let mut states = States::new();
        for c in shuffled_with_duplicates(&run.changes, seed) {
            let id = ENTITIES.iter().find(|(e, _)| *e == c.entity_id).unwrap().0;
            let s = states.entry(id).or_insert_with(|| EntityState::new(c.entity));
            let before = s.view().conflicts;
            let outcome = s.apply(&c);
            let expected: Vec<_> = s.view().conflicts.into_iter().filter(|x| !before.contains(x)).collect();
            prop_assert_eq!(&outcome.new_conflicts, &expected);
            prop_assert_eq!(s.deleted(), s.view().deleted);
        }
    }

    /// Law 2 and 3: merge is a join, and merging partial states equals applying everything.
    #[test]
    fn merge_is_a_join(ops in ops(180), skews in skews(), seed in any::<u64>()) {
        let run = simulate(&ops, skews);
        let reference = apply_all(&run.changes);
        let [a, b, c] = split3(&run.changes, seed).map(|part| apply_all(&part));
        prop_assert_eq!(merge_states(&a, &b), merge_states(&b, &a));
        prop_assert_eq!(merge_states(&merge_states(&a, &b), &c), merge_states(&a, &merge_states(&b, &c)));
        prop_assert_eq!(&merge_states(&a, &a), &a);
        prop_assert_eq!(&merge_states(&merge_states(&a, &b), &c), &reference);
    }

    /// Law 3 on the simulator's own replicas: their states merge to the whole, and a
    /// full sync (merge of everything into each) makes them all equal to it.
    #[test]
    fn replica_states_merge_to_the_whole(ops in ops(180), skews in skews()) {
        let run = simulate(&ops, skews);
        let reference = apply_all(&run.changes);
        let merged = run.replicas.iter().fold(States::new(), |acc, s| merge_states(&acc, s));
        prop_assert_eq!(&merged, &reference);
        for r in &run.replicas {
            prop_assert_eq!(views(&merge_states(r, &merged)), views(&reference));
        }
    }

    /// Law 6: as changes arrive (in any order), a status never moves backwards.
    #[test]
    fn status_never_moves_backwards(ops in ops(180), skews in skews(), seed in any::<u64>()) {
        let run = simulate(&ops, skews);
        let mut states = States::new();
        let mut last: BTreeMap<&str, u8> = BTreeMap::new();
        for c in shuffled_with_duplicates(&run.changes, seed) {
            let id = ENTITIES.iter().find(|(e, _)| *e == c.entity_id).unwrap().0;
            let s = states.entry(id).or_insert_with(|| EntityState::new(c.entity));
            s.apply(&c);
            if let Some(rank) = status_rank(c.entity, &s.view()) {
                let prev = last.insert(id, rank).unwrap_or(0);
                prop_assert!(rank >= prev, "{} moved back from rank {} to {}", id, prev, rank);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Law 4: sequential edits
// ---------------------------------------------------------------------------------------

/// A legal next write of `entity` for a writer who has seen everything (`None` = nothing
/// legal to do, e.g. a terminal status).
fn sequential_write(
    entity: &str,
    view: Option<&EntityView>,
    a: u8,
    b: u8,
    step: usize,
) -> Option<Vec<(String, Value)>> {
    let name = NAMES[usize::from(b) % NAMES.len()];
    let field = |k: &str| view.and_then(|v| v.fields.get(k)).cloned();
    let one = |k: &str, v: Value| Some(vec![(k.to_owned(), v)]);
    fn next<S: Workflow + serde::Serialize + serde::de::DeserializeOwned>(
        current: Option<Value>,
        start: S,
        b: u8,
    ) -> Option<Value> {
        let Some(cur) = current else { return Some(status_json(start)) };
        let cur: S = serde_json::from_value(cur).unwrap();
        let succ = cur.successors();
        if succ.is_empty() { None } else { Some(status_json(succ[usize::from(b) % succ.len()])) }
    }
    match (entity, a % 4) {
        ("ent", 0) => one("phone", json!(format!("13{b}"))),
        ("ent", 1) => one("contact", json!(name)),
        ("ent", 2) => one("name", json!(format!("{name}厂"))),
        ("ent", _) => one("risk_level", json!(["low", "high"][usize::from(b % 2)])),
        ("haz", 0 | 1) => one("status", next(field("status"), HazardStatus::Open, b)?),
        ("haz", _) => one("description", json!(name)),
        ("case", 0 | 1) => one("status", next(field("status"), CaseStatus::Registered, b)?),
        ("case", _) => one("summary", json!(name)),
        ("doc", x) => {
            let status: Option<DocumentStatus> = field("status").map(|v| serde_json::from_value(v).unwrap());
            match status {
                None | Some(DocumentStatus::Draft) if x < 3 => {
                    Some(vec![("status".into(), json!("draft")), ("body".into(), json!(format!("{name}{step}")))])
                }
                None | Some(DocumentStatus::Draft) => Some(vec![
                    ("status".into(), json!("issued")),
                    ("number".into(), json!(format!("（吕）应急检记〔2026〕{b}号"))),
                    ("content_hash".into(), json!(format!("h{step}"))),
                ]),
                Some(DocumentStatus::Issued) => Some(vec![
                    ("status".into(), json!("served")),
                    ("served_at".into(), json!(format!("2026-03-{:02}", b % 28 + 1))),
                ]),
                Some(DocumentStatus::Served) => one("status", json!("corrected")),
                Some(DocumentStatus::Corrected) => None,
            }
        }
        // Evidence: written once, re-sent unchanged.
        (_, _) => match field("sha256") {
            Some(v) => one("sha256", v),
            None => Some(vec![("sha256".into(), json!(format!("{b:x}"))), ("taken_at".into(), json!(step))]),
        },
    }
}

proptest! {
    #![proptest_config(config())]

    /// Law 4: when every writer has seen the latest version (base = previous HLC), no
    /// conflict is ever raised, whichever device writes.
    #[test]
    fn sequential_edits_never_conflict(ops in ops(120), skews in skews(), seed in any::<u64>()) {
        let mut clocks: Vec<HlcClock> = (0..3u8).map(|n| HlcClock::new(device(n))).collect();
        let mut states = States::new();
        let mut changes = Vec::new();
        for (step, op) in ops.iter().enumerate() {
            let (entity, kind) = ENTITIES[usize::from(op.action) % ENTITIES.len()];
            let r = usize::from(op.replica);
            let phys = 1_000_000 + step as u64 * 10 + skews[r];
            let state = states.entry(entity).or_insert_with(|| EntityState::new(kind));
            let view = state.version().map(|_| state.view());
            let Some(fields) = sequential_write(entity, view.as_ref(), op.a, op.b, step) else { continue };
            let base = state.seen();
            if let Some(v) = base.highest() {
                clocks[r].observe(v, phys, NO_SKEW_LIMIT).unwrap();
            }
            let hlc = clocks[r].tick(phys);
            let change = Change {
                id: ChangeId::from_parts(step as u64 + 1, [op.replica; 10]),
                entity: kind,
                entity_id: entity.to_owned(),
                op: ChangeOp::Upsert,
                fields: fields.into_iter().collect(),
                hlc,
                base,
                county_code: None,
                wall_ms: phys,
            };
            let outcome = state.apply(&change);
            prop_assert!(outcome.rejected.is_empty());
            prop_assert!(outcome.new_conflicts.is_empty(), "{:?}", outcome.new_conflicts);
            changes.push(change);
        }
        // Still none after re-delivery in another order.
        for s in apply_all(&shuffled_with_duplicates(&changes, seed)).values() {
            prop_assert!(s.view().conflicts.is_empty());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Law 5: concurrent legal edits
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Law 5: two devices that saw the same version write different values to a legal
    /// field: exactly one conflict with both values, provisional value = higher HLC,
    /// whatever the order of arrival or merge.
    #[test]
    fn concurrent_legal_edits_always_conflict(
        prefix in prop::collection::vec((0u8..3, 0u8..3, any::<u8>()), 0..8),
        devices in (0u8..3, 1u8..3),
        times in (0u64..30, 0u64..30),
        values in (0usize..3, 1usize..3),
        field in prop::sample::select(vec!["name", "credit_code", "licence_no", "risk_level"]),
        with_phone in any::<bool>(),
    ) {
        let kind = EntityKind::Enterprise;
        let mut clocks: Vec<HlcClock> = (0..3u8).map(|n| HlcClock::new(device(n))).collect();
        let mut base_state = EntityState::new(kind);
        let mut t = 1_000_000;
        let mk = |clock: &mut HlcClock, base: VersionVector, phys: u64, fields: Vec<(&str, Value)>, n: u64| {
            if let Some(v) = base.highest() {
                clock.observe(v, phys, NO_SKEW_LIMIT).unwrap();
            }
            let hlc = clock.tick(phys);
            Change {
                id: ChangeId::from_parts(n, [0; 10]),
                entity: kind,
                entity_id: "ent".into(),
                op: ChangeOp::Upsert,
                fields: fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                hlc,
                base,
                county_code: None,
                wall_ms: phys,
            }
        };
        // A sequential history first.
        for (n, (dev, f, v)) in prefix.iter().enumerate() {
            t += 10;
            let fname = ["name", "phone", field][usize::from(*f)];
            let c = mk(&mut clocks[usize::from(*dev)], base_state.seen(), t, vec![(fname, json!(v))], n as u64 + 1);
            base_state.apply(&c);
        }
        let v0 = base_state.seen();
        let (d1, d2) = (usize::from(devices.0), usize::from((devices.0 + devices.1) % 3));
        let (x1, x2) = (json!(NAMES[values.0]), json!(NAMES[(values.0 + values.1) % 3]));
        let mut f1 = vec![(field, x1.clone())];
        if with_phone {
            f1.push(("phone", json!("110")));
        }
        let c1 = mk(&mut clocks[d1], v0.clone(), t + 10 + times.0, f1, 100);
        let c2 = mk(&mut clocks[d2], v0, t + 10 + times.1, vec![(field, x2.clone())], 101);
        let winner = if c1.hlc > c2.hlc { &x1 } else { &x2 };

        let mut s12 = base_state.clone();
        s12.apply(&c1);
        let o = s12.apply(&c2);
        prop_assert_eq!(o.new_conflicts.len(), 1);
        let mut s21 = base_state.clone();
        s21.apply(&c2);
        s21.apply(&c1);
        let mut merged = base_state.clone();
        merged.apply(&c1);
        let mut other = base_state.clone();
        other.apply(&c2);
        merged.merge(&other);
        prop_assert_eq!(&s12, &s21);
        prop_assert_eq!(&s12, &merged);

        let view = s12.view();
        prop_assert_eq!(view.conflicts.len(), 1);
        let conflict = &view.conflicts[0];
        prop_assert_eq!(conflict.field.as_str(), field);
        prop_assert_eq!(conflict.kind, ConflictKind::Concurrent);
        let mut expected = vec![(x1.clone(), c1.hlc), (x2.clone(), c2.hlc)];
        expected.sort_by_key(|a| a.1);
        prop_assert_eq!(&conflict.values, &expected);
        prop_assert_eq!(&view.fields[field], winner);
    }
}

// ---------------------------------------------------------------------------------------
// The generator is not vacuous
// ---------------------------------------------------------------------------------------

/// Over a fixed set of seeds the simulator produces every kind of conflict, deletions and
/// concurrent writes, so the laws above are checked on interesting states.
#[test]
fn generator_reaches_every_conflict_kind() {
    let mut kinds = BTreeSet::new();
    let mut deleted = 0;
    let mut concurrent_pairs = 0;
    for seed in 0..64u64 {
        let mut s = seed;
        let ops: Vec<Op> = (0..150)
            .map(|_| {
                let x = splitmix64(&mut s);
                Op { replica: (x % 3) as u8, action: (x >> 8) as u8 % 100, a: (x >> 16) as u8, b: (x >> 24) as u8 }
            })
            .collect();
        let run = simulate(&ops, [0, 7, 13]);
        for view in views(&apply_all(&run.changes)).values() {
            kinds.extend(view.conflicts.iter().map(|c| c.kind));
            deleted += usize::from(view.deleted);
        }
        // Writes to one entity whose bases show neither saw the other.
        for (i, a) in run.changes.iter().enumerate() {
            for b in &run.changes[i + 1..] {
                if a.entity_id == b.entity_id && !a.base.covers(b.hlc) && !b.base.covers(a.hlc) {
                    concurrent_pairs += 1;
                }
            }
        }
    }
    let all = [
        ConflictKind::Concurrent,
        ConflictKind::Regression,
        ConflictKind::WriteAfterDelete,
        ConflictKind::ImmutableChanged,
        ConflictKind::AfterIssue,
    ];
    assert_eq!(kinds, all.into_iter().collect::<BTreeSet<_>>());
    assert!(deleted > 10, "{deleted}");
    assert!(concurrent_pairs > 1000, "{concurrent_pairs}");
}
