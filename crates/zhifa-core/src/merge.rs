//! Order-independent merge of change records into entity state (server and tablet).
//!
//! Every field of an entity is a *register* of [`Write`]s (value, HLC, base: the version
//! vector of what the writer had seen). A write *dominates* another when its writer had seen
//! it (`w.base.covers(v.hlc)`). What a register keeps and how its value is read depend on the
//! field's [`MergeRule`]:
//!
//! - ordinary fields: last writer (by HLC) wins, never a conflict;
//! - legal fields: every write is kept; different values among the live ones (those no
//!   other write dominates) are a [`ConflictKind::Concurrent`] conflict, the provisional
//!   value is the highest HLC;
//! - immutable fields: the first write (lowest HLC) is the value, a different later value
//!   is kept and flagged ([`ConflictKind::ImmutableChanged`]);
//! - workflow statuses: the furthest status wins, a later write to an earlier status is a
//!   [`ConflictKind::Regression`], diverging branches are [`ConflictKind::Concurrent`];
//! - deletes: a tombstone register; later writes are kept but flagged
//!   ([`ConflictKind::WriteAfterDelete`]);
//! - issued documents: writes the issuer had not seen are kept out of the view and flagged
//!   ([`ConflictKind::AfterIssue`]).
//!
//! What a register keeps is a function of the *set* of writes it was given, so applying
//! changes in any order, with duplicates, or merging partial states all give the same
//! [`EntityState`] and the same [`EntityView`]. The rules and the reasoning are written
//! out as a checklist in `docs/merge-rules.md`.
//!
//! Clock skew is checked outside the state ([`quarantine_check`],
//! [`EntityState::apply_checked`]): a quarantined change is never applied.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::change::{Change, ChangeOp, EntityKind, FieldClass, field_class};
use crate::document::DocumentStatus;
use crate::hlc::{Hlc, VersionVector};
use crate::workflow::{self, CaseStatus, HazardStatus, InspectionStatus, Workflow};

mod codec;
pub use codec::{DecodeError, FORMAT_V1, FORMAT_V2};

/// Reserved register holding the tombstone: a delete writes `true`, a restore writes
/// `false` (an upsert of this field; restoring is a supervisor action).
pub const DELETED_FIELD: &str = "_deleted";

// ---------------------------------------------------------------------------------------
// Writes and registers
// ---------------------------------------------------------------------------------------

/// One write of one field: the value, when it was written and what the writer had seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Write {
    /// The value written.
    pub value: Value,
    /// HLC of the change that wrote it.
    pub hlc: Hlc,
    /// What the writer had seen of the row ([`Change::base`]); every entry below `hlc`.
    pub base: VersionVector,
}

impl Write {
    /// Whether this write's writer had seen `other` (its version vector covers `other.hlc`).
    pub fn dominates(&self, other: &Write) -> bool {
        self.base.covers(other.hlc)
    }
}

/// How the writes of one field are merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeRule {
    /// The reserved [`DELETED_FIELD`] register: the highest-HLC write decides.
    Tombstone,
    /// Last writer (by HLC) wins.
    Ordinary,
    /// Concurrent different values are kept and flagged.
    Legal,
    /// The first write (lowest HLC) is the value; a different later value is flagged.
    Immutable,
    /// A workflow status (`status` of inspections, hazards, cases and documents): only
    /// moves forward.
    Status,
}

/// The merge rule of `field` of `kind`: [`DELETED_FIELD`] is the tombstone, `status` of
/// inspections, hazards, cases and documents is a workflow status, anything else follows
/// [`field_class`].
pub fn merge_rule(kind: EntityKind, field: &str) -> MergeRule {
    if field == DELETED_FIELD {
        return MergeRule::Tombstone;
    }
    if field == "status"
        && matches!(kind, EntityKind::Inspection | EntityKind::Hazard | EntityKind::Case | EntityKind::Document)
    {
        return MergeRule::Status;
    }
    match field_class(kind, field) {
        FieldClass::Ordinary => MergeRule::Ordinary,
        FieldClass::Legal => MergeRule::Legal,
        FieldClass::Immutable => MergeRule::Immutable,
    }
}

/// Whether `field` of an issued document may still change: `status` (served, corrected)
/// and the service record (fields named `served_*`, `service_*`, `receipt_*`).
pub fn editable_after_issue(field: &str) -> bool {
    field == "status" || ["served_", "service_", "receipt_"].iter().any(|p| field.starts_with(p))
}

/// Which writes a register keeps. Each policy is a function of the set of writes it was
/// given, and keeping(keeping(S) ∪ T) = keeping(S ∪ T): that is what makes the merge
/// order-independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Only the highest-HLC write.
    Latest,
    /// Every write. Legal fields keep theirs too: which writes are live (dominated by no
    /// other) is decided when the view is computed, so the stored set never depends on
    /// whether the writers' version vectors are consistent with each other.
    History,
}

fn keep_policy(kind: EntityKind, rule: MergeRule) -> Keep {
    if kind == EntityKind::Document {
        // The issued-document rule needs every write (documents have few).
        return Keep::History;
    }
    match rule {
        MergeRule::Tombstone | MergeRule::Ordinary => Keep::Latest,
        MergeRule::Legal | MergeRule::Immutable | MergeRule::Status => Keep::History,
    }
}

/// The writes of one field, sorted by HLC, at most one per HLC.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Register {
    writes: Vec<Write>,
}

impl Register {
    /// The writes kept, in ascending HLC order.
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }

    /// Inserts `w`; returns whether the register changed.
    fn insert(&mut self, w: Write, keep: Keep) -> bool {
        let hlc = w.hlc;
        match self.writes.binary_search_by(|x| x.hlc.cmp(&hlc)) {
            Ok(i) => {
                // The same HLC is the same write. Should two different writes share one
                // (a device clock reset), keep the greater by (base, value) so the choice
                // does not depend on arrival order.
                if same_hlc_order(&w, &self.writes[i]) != Ordering::Greater {
                    return false;
                }
                self.writes[i] = w;
            }
            Err(i) => self.writes.insert(i, w),
        }
        match keep {
            Keep::Latest => {
                let n = self.writes.len();
                self.writes.drain(..n - 1);
            }
            Keep::History => {}
        }
        // A new write that is dropped at once cannot have dropped anything else.
        self.writes.binary_search_by(|x| x.hlc.cmp(&hlc)).is_ok()
    }
}

fn same_hlc_order(a: &Write, b: &Write) -> Ordering {
    a.base.cmp(&b.base).then_with(|| cmp_json(&a.value, &b.value))
}

/// A total order on JSON values (type, then content; object keys sorted). Used only to
/// break ties between different writes carrying the same HLC, never to pick a winner.
fn cmp_json(a: &Value, b: &Value) -> Ordering {
    fn type_rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.to_string().cmp(&y.to_string()),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y) {
                let o = cmp_json(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut xs: Vec<_> = x.iter().collect();
            let mut ys: Vec<_> = y.iter().collect();
            xs.sort_by(|p, q| p.0.cmp(q.0));
            ys.sort_by(|p, q| p.0.cmp(q.0));
            for ((kp, vp), (kq, vq)) in xs.iter().zip(&ys) {
                let o = kp.cmp(kq).then_with(|| cmp_json(vp, vq));
                if o != Ordering::Equal {
                    return o;
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => type_rank(a).cmp(&type_rank(b)),
    }
}

// ---------------------------------------------------------------------------------------
// Statuses
// ---------------------------------------------------------------------------------------

/// A parsed status of one of the four status-carrying kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Inspection(InspectionStatus),
    Hazard(HazardStatus),
    Case(CaseStatus),
    Document(DocumentStatus),
}

impl Status {
    fn parse(kind: EntityKind, v: &Value) -> Option<Self> {
        let v = v.clone();
        match kind {
            EntityKind::Inspection => serde_json::from_value(v).ok().map(Self::Inspection),
            EntityKind::Hazard => serde_json::from_value(v).ok().map(Self::Hazard),
            EntityKind::Case => serde_json::from_value(v).ok().map(Self::Case),
            EntityKind::Document => serde_json::from_value(v).ok().map(Self::Document),
            _ => None,
        }
    }

    /// Position in a total order extending "reachable from" ([`Workflow::rank`]; document
    /// statuses are linear).
    fn rank(self) -> u8 {
        match self {
            Self::Inspection(s) => s.rank(),
            Self::Hazard(s) => s.rank(),
            Self::Case(s) => s.rank(),
            Self::Document(s) => s as u8,
        }
    }

    /// Whether the two statuses lie on diverging branches ([`workflow::merge`] flags them).
    fn diverges(self, other: Self) -> bool {
        match (self, other) {
            (Self::Inspection(a), Self::Inspection(b)) => workflow::merge(a, b).conflict.is_some(),
            (Self::Hazard(a), Self::Hazard(b)) => workflow::merge(a, b).conflict.is_some(),
            (Self::Case(a), Self::Case(b)) => workflow::merge(a, b).conflict.is_some(),
            // Document statuses are a line; mixed kinds cannot occur (parsed per kind).
            _ => false,
        }
    }

    /// The furthest of the two ([`workflow::merge`], or `Ord` for documents).
    fn furthest(self, other: Self) -> Self {
        match (self, other) {
            (Self::Inspection(a), Self::Inspection(b)) => Self::Inspection(workflow::merge(a, b).status),
            (Self::Hazard(a), Self::Hazard(b)) => Self::Hazard(workflow::merge(a, b).status),
            (Self::Case(a), Self::Case(b)) => Self::Case(workflow::merge(a, b).status),
            (Self::Document(a), Self::Document(b)) => Self::Document(a.max(b)),
            _ => self,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Inspection(s) => s.label_zh(),
            Self::Hazard(s) => s.label_zh(),
            Self::Case(s) => s.label_zh(),
            Self::Document(s) => match s {
                DocumentStatus::Draft => "草稿",
                DocumentStatus::Issued => "已签发",
                DocumentStatus::Served => "已送达",
                DocumentStatus::Corrected => "已更正",
            },
        }
    }
}

// ---------------------------------------------------------------------------------------
// Conflicts, views, outcomes
// ---------------------------------------------------------------------------------------

/// Kinds of conflicts a supervisor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Concurrent writes left different values (legal field) or diverging statuses.
    Concurrent,
    /// A later write tried to move a status backwards; it was not applied.
    Regression,
    /// Fields were written after the entity was deleted; kept, entity stays deleted.
    WriteAfterDelete,
    /// A write-once field got a different value; the first value stands.
    ImmutableChanged,
    /// A document was written after (or concurrently with) its issue; the write is kept
    /// out of the view.
    AfterIssue,
}

/// A conflict on one field, for a supervisor to resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// Field name ([`DELETED_FIELD`] for a refused delete of an issued document).
    pub field: String,
    /// What happened.
    pub kind: ConflictKind,
    /// The writes involved, ascending by HLC.
    pub values: Vec<(Value, Hlc)>,
    /// Description for the supervisor (Chinese).
    pub message_zh: String,
}

/// What a client should store for an entity: current values, deletion, version, conflicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityView {
    /// Current value of every field that has one (the tombstone is not a field).
    pub fields: serde_json::Map<String, Value>,
    /// Whether the entity is deleted (the highest-HLC tombstone write is `true`).
    pub deleted: bool,
    /// Highest HLC of any write held, flagged ones included.
    pub version: Option<Hlc>,
    /// What the state has seen: per device, the highest HLC of its writes and of what their
    /// writers had seen. The `base` of the next write by a client that stored this view.
    #[serde(default)]
    pub seen: VersionVector,
    /// Open conflicts, sorted by field then kind (at most one per pair).
    pub conflicts: Vec<Conflict>,
}

/// Why a change (or one of its fields) was refused outright (never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The change is for another kind of entity.
    #[error("变更的实体类型与记录不符")]
    WrongKind,
    /// `base` is not below `hlc` (a writer cannot have seen its own write or the future).
    #[error("变更的基准版本不早于其时间戳")]
    BaseNotBeforeHlc,
    /// A status value that is not a status of this kind.
    #[error("无效的状态值")]
    InvalidStatus,
    /// A tombstone value that is not `true`/`false`.
    #[error("删除标记必须为true或false")]
    InvalidTombstone,
}

/// A refused change or field. A change with any refused field is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// The offending field, or `None` when the whole change is at fault.
    pub field: Option<String>,
    /// HLC of the change.
    pub hlc: Hlc,
    /// Why.
    pub reason: RejectReason,
}

/// What one [`EntityState::apply`] did. Unlike the state, this is a delta and depends on
/// arrival order (e.g. a document edit becomes an [`ConflictKind::AfterIssue`] conflict
/// when the issue arrives, whichever came first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// Whether the state changed (false for a duplicate or a refused change).
    pub changed: bool,
    /// Conflicts of the view after the change that were not in the view before.
    pub new_conflicts: Vec<Conflict>,
    /// Refused fields (the change was not applied at all when non-empty).
    pub rejected: Vec<Rejected>,
}

/// A change stamped too far in the future: quarantined, not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[error("变更时间戳超前服务器时间{ahead_ms}毫秒，超过允许的{bound_ms}毫秒，已隔离待核查")]
pub struct SkewError {
    /// HLC of the change.
    pub hlc: Hlc,
    /// How far ahead of the server clock.
    pub ahead_ms: u64,
    /// The configured bound.
    pub bound_ms: u64,
}

/// Checks a change's HLC against the server clock: `Err` when `hlc.wall_ms` is more than
/// `max_skew_ms` ahead of `now_ms`. Such a change must be quarantined (stored aside, the
/// device flagged), never applied, so a tablet with a clock set ahead cannot win fields.
pub fn quarantine_check(change: &Change, now_ms: u64, max_skew_ms: u64) -> Result<(), SkewError> {
    if change.hlc.wall_ms > now_ms.saturating_add(max_skew_ms) {
        return Err(SkewError { hlc: change.hlc, ahead_ms: change.hlc.wall_ms - now_ms, bound_ms: max_skew_ms });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Entity state
// ---------------------------------------------------------------------------------------

/// Merged state of one entity: a register per field. Serialized as JSON by the server;
/// deserializing re-inserts every write, so a stored state always satisfies the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StateRepr")]
pub struct EntityState {
    kind: EntityKind,
    registers: BTreeMap<String, Register>,
}

#[derive(Deserialize)]
struct StateRepr {
    kind: EntityKind,
    registers: BTreeMap<String, Vec<Write>>,
}

impl TryFrom<StateRepr> for EntityState {
    type Error = String;

    fn try_from(repr: StateRepr) -> Result<Self, Self::Error> {
        let mut state = EntityState::new(repr.kind);
        for (field, writes) in repr.registers {
            for w in writes {
                if let Err(reason) = validate(repr.kind, &field, &w) {
                    return Err(format!("{field} @ {}: {reason}", w.hlc.encode()));
                }
                state.insert_write(field.as_str(), w);
            }
        }
        Ok(state)
    }
}

fn validate(kind: EntityKind, field: &str, w: &Write) -> Result<(), RejectReason> {
    if w.base.highest().is_some_and(|b| b >= w.hlc) {
        return Err(RejectReason::BaseNotBeforeHlc);
    }
    match merge_rule(kind, field) {
        MergeRule::Tombstone if !w.value.is_boolean() => Err(RejectReason::InvalidTombstone),
        MergeRule::Status if Status::parse(kind, &w.value).is_none() => Err(RejectReason::InvalidStatus),
        _ => Ok(()),
    }
}

impl EntityState {
    /// An entity with no writes.
    pub fn new(kind: EntityKind) -> Self {
        Self { kind, registers: BTreeMap::new() }
    }

    /// The state after applying `changes` (in any order; refused changes are skipped).
    pub fn from_changes<'a>(kind: EntityKind, changes: impl IntoIterator<Item = &'a Change>) -> Self {
        let mut s = Self::new(kind);
        for c in changes {
            if let Ok(writes) = s.writes_of(c) {
                for (f, w) in writes {
                    s.insert_write(f, w);
                }
            }
        }
        s
    }

    /// The entity kind.
    pub fn kind(&self) -> EntityKind {
        self.kind
    }

    /// The registers by field name (including [`DELETED_FIELD`]).
    pub fn registers(&self) -> &BTreeMap<String, Register> {
        &self.registers
    }

    /// Whether the entity is deleted (as [`EntityView::deleted`], without building the view
    /// except for documents, where an issued document's tombstone may not count).
    pub fn deleted(&self) -> bool {
        if self.kind == EntityKind::Document {
            return self.view().deleted;
        }
        self.registers.get(DELETED_FIELD).and_then(|r| r.writes.last()).is_some_and(|w| w.value == Value::Bool(true))
    }

    /// Highest HLC of any write held (same as [`EntityView::version`], cheaper).
    pub fn version(&self) -> Option<Hlc> {
        self.registers.values().filter_map(|r| r.writes.last().map(|w| w.hlc)).max()
    }

    /// What the state has seen ([`EntityView::seen`]): every write's HLC and base, per device.
    pub fn seen(&self) -> VersionVector {
        let mut v = VersionVector::new();
        for w in self.registers.values().flat_map(|r| &r.writes) {
            v.observe(w.hlc);
            v.merge(&w.base);
        }
        v
    }

    /// Applies one change: a delete writes `true` to [`DELETED_FIELD`] (its fields are
    /// ignored), an upsert writes each of its fields at the change's HLC and base.
    ///
    /// Refused outright (nothing stored, see [`RejectReason`]): another entity kind, a base
    /// not below the HLC, an invalid status or tombstone value. Applying a change twice
    /// changes nothing. No clock check: use [`EntityState::apply_checked`] on the server.
    pub fn apply(&mut self, change: &Change) -> ApplyOutcome {
        let writes = match self.writes_of(change) {
            Ok(w) => w,
            Err(rejected) => return ApplyOutcome { changed: false, new_conflicts: Vec::new(), rejected },
        };
        // Conflicts need two writes in one register, a tombstone or a document; a state
        // with none of these after the change has no conflicts (before or after), so the
        // two views below are skipped.
        let before = self.could_conflict_with(&writes).then(|| self.clone());
        let mut changed = false;
        for (f, w) in writes {
            changed |= self.insert_write(f, w);
        }
        if !changed {
            return ApplyOutcome::default();
        }
        let Some(before) = before else {
            return ApplyOutcome { changed, new_conflicts: Vec::new(), rejected: Vec::new() };
        };
        let old = before.view().conflicts;
        let new_conflicts = self.view().conflicts.into_iter().filter(|c| !old.contains(c)).collect();
        ApplyOutcome { changed, new_conflicts, rejected: Vec::new() }
    }

    /// [`quarantine_check`] then [`EntityState::apply`]: a change more than `max_skew_ms`
    /// ahead of `server_now_ms` is returned as `Err` and not applied.
    pub fn apply_checked(
        &mut self,
        change: &Change,
        server_now_ms: u64,
        max_skew_ms: u64,
    ) -> Result<ApplyOutcome, SkewError> {
        quarantine_check(change, server_now_ms, max_skew_ms)?;
        Ok(self.apply(change))
    }

    /// Joins `other` into `self`: the result equals applying the union of both change
    /// sets. Commutative, associative and idempotent.
    ///
    /// Both must describe the same entity; a state of another kind is a caller bug and is
    /// ignored (debug builds panic).
    pub fn merge(&mut self, other: &EntityState) {
        debug_assert_eq!(self.kind, other.kind, "merging states of different entity kinds");
        if self.kind != other.kind {
            return;
        }
        for (field, reg) in &other.registers {
            for w in &reg.writes {
                self.insert_write(field.as_str(), w.clone());
            }
        }
    }

    /// Whether the state after adding `writes` may hold a conflict: only documents, a
    /// tombstone register or a register with more than one write can (see
    /// [`EntityState::view`]). `false` is exact; `true` may be pessimistic.
    fn could_conflict_with(&self, writes: &[(String, Write)]) -> bool {
        self.kind == EntityKind::Document
            || self.registers.contains_key(DELETED_FIELD)
            || self.registers.values().any(|r| r.writes.len() > 1)
            || writes.iter().any(|(f, w)| {
                f == DELETED_FIELD || self.registers.get(f).is_some_and(|r| r.writes.iter().any(|x| x.hlc != w.hlc))
            })
    }

    /// The writes of `change`, or why it is refused.
    fn writes_of(&self, change: &Change) -> Result<Vec<(String, Write)>, Vec<Rejected>> {
        let whole = |reason| vec![Rejected { field: None, hlc: change.hlc, reason }];
        if change.entity != self.kind {
            return Err(whole(RejectReason::WrongKind));
        }
        if change.base.highest().is_some_and(|b| b >= change.hlc) {
            return Err(whole(RejectReason::BaseNotBeforeHlc));
        }
        let write = |value: Value| Write { value, hlc: change.hlc, base: change.base.clone() };
        let writes: Vec<(String, Write)> = match change.op {
            ChangeOp::Delete => vec![(DELETED_FIELD.to_owned(), write(Value::Bool(true)))],
            ChangeOp::Upsert => change.fields.iter().map(|(f, v)| (f.clone(), write(v.clone()))).collect(),
        };
        let rejected: Vec<Rejected> = writes
            .iter()
            .filter_map(|(f, w)| {
                validate(self.kind, f, w).err().map(|reason| Rejected { field: Some(f.clone()), hlc: w.hlc, reason })
            })
            .collect();
        if rejected.is_empty() { Ok(writes) } else { Err(rejected) }
    }

    /// Inserts a write into its field's register (the name is copied only for a new field).
    fn insert_write<F: AsRef<str> + Into<String>>(&mut self, field: F, w: Write) -> bool {
        let keep = keep_policy(self.kind, merge_rule(self.kind, field.as_ref()));
        match self.registers.get_mut(field.as_ref()) {
            Some(r) => r.insert(w, keep),
            None => {
                let mut r = Register { writes: Vec::with_capacity(1) };
                r.insert(w, keep);
                self.registers.insert(field.into(), r);
                true
            }
        }
    }

    /// The issuing write of a document: the lowest-HLC status write at or past `Issued`.
    fn issuing_write(&self) -> Option<&Write> {
        if self.kind != EntityKind::Document {
            return None;
        }
        self.registers.get("status")?.writes.iter().find(
            |w| matches!(Status::parse(self.kind, &w.value), Some(Status::Document(s)) if s >= DocumentStatus::Issued),
        )
    }

    /// Current values, deletion flag, version and open conflicts. A pure function of the
    /// set of writes held, hence of the set of changes applied.
    pub fn view(&self) -> EntityView {
        let issue = self.issuing_write();
        let mut conflicts = Vec::new();

        // 1. Issued documents: writes the issuer had not seen are kept out of the view.
        let mut accepted: Vec<(&str, MergeRule, Vec<&Write>)> = Vec::new();
        for (name, reg) in &self.registers {
            let (ok, refused): (Vec<&Write>, Vec<&Write>) = match issue {
                Some(i) if !editable_after_issue(name) => {
                    reg.writes.iter().partition(|w| w.hlc == i.hlc || i.dominates(w))
                }
                _ => (reg.writes.iter().collect(), Vec::new()),
            };
            if !refused.is_empty() {
                let message_zh = if name == DELETED_FIELD {
                    "文书已签发，不能删除；如需作废请制作更正文书".to_owned()
                } else {
                    format!("文书已签发，之后对「{name}」的修改未生效；如需更正请制作更正文书")
                };
                conflicts.push(conflict(name, ConflictKind::AfterIssue, &refused, message_zh));
            }
            accepted.push((name, merge_rule(self.kind, name), ok));
        }

        // 2. Tombstone: the highest-HLC accepted write decides.
        let deleted_at = accepted
            .iter()
            .find(|(n, _, _)| *n == DELETED_FIELD)
            .and_then(|(_, _, ws)| ws.last())
            .filter(|w| w.value == Value::Bool(true))
            .map(|w| w.hlc);

        // 3. Each field by its rule.
        let mut fields = serde_json::Map::new();
        for (name, rule, ws) in &accepted {
            if ws.is_empty() || *rule == MergeRule::Tombstone {
                continue;
            }
            let value = match rule {
                MergeRule::Ordinary | MergeRule::Tombstone => ws[ws.len() - 1].value.clone(),
                MergeRule::Legal => legal_value(name, ws, &mut conflicts),
                MergeRule::Immutable => immutable_value(name, ws, &mut conflicts),
                MergeRule::Status => status_value(self.kind, name, ws, &mut conflicts),
            };
            fields.insert((*name).to_owned(), value);
            if let Some(d) = deleted_at {
                let after: Vec<&Write> = ws.iter().copied().filter(|w| w.hlc > d).collect();
                if !after.is_empty() {
                    let msg =
                        format!("记录已删除后，「{name}」又被修改；修改已保留，记录仍为已删除，需主管确认是否恢复");
                    conflicts.push(conflict(name, ConflictKind::WriteAfterDelete, &after, msg));
                }
            }
        }

        conflicts.sort_by(|a, b| (&a.field, a.kind).cmp(&(&b.field, b.kind)));
        // Every base entry is below its write's HLC, so the highest entry seen is the version.
        let seen = self.seen();
        EntityView { fields, deleted: deleted_at.is_some(), version: seen.highest(), seen, conflicts }
    }
}

fn conflict(field: &str, kind: ConflictKind, writes: &[&Write], message_zh: String) -> Conflict {
    let mut values: Vec<(Value, Hlc)> = writes.iter().map(|w| (w.value.clone(), w.hlc)).collect();
    values.sort_by_key(|a| a.1);
    values.dedup_by(|a, b| a.1 == b.1);
    Conflict { field: field.to_owned(), kind, values, message_zh }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The writes no other write in `ws` dominates (`ws` sorted by HLC).
fn live<'a>(ws: &[&'a Write]) -> Vec<&'a Write> {
    ws.iter().copied().filter(|v| !ws.iter().any(|w| w.dominates(v))).collect()
}

/// Legal field: the live writes; provisional value = highest HLC; different values flagged.
fn legal_value(name: &str, ws: &[&Write], conflicts: &mut Vec<Conflict>) -> Value {
    let live = live(ws);
    let top = live[live.len() - 1];
    if live.iter().any(|w| w.value != top.value) {
        let msg = format!(
            "「{name}」在不同设备上被同时改为不同的值（{}个），暂按最后写入的「{}」显示，需主管裁决",
            live.len(),
            show(&top.value)
        );
        conflicts.push(conflict(name, ConflictKind::Concurrent, &live, msg));
    }
    top.value.clone()
}

/// Immutable field: the first write of a value stands; later different values are flagged.
/// `null` before it means "not set yet" (a draft document has no number): it is not a value.
fn immutable_value(name: &str, ws: &[&Write], conflicts: &mut Vec<Conflict>) -> Value {
    let Some(first) = ws.iter().copied().find(|w| !w.value.is_null()) else { return Value::Null };
    let differing: Vec<&Write> =
        ws.iter().copied().filter(|w| w.value != first.value && !(w.value.is_null() && w.hlc < first.hlc)).collect();
    if !differing.is_empty() {
        let mut involved = vec![first];
        involved.extend(differing);
        let msg = format!("「{name}」一经写入不可更改，仍为「{}」，后来写入的不同值未生效", show(&first.value));
        conflicts.push(conflict(name, ConflictKind::ImmutableChanged, &involved, msg));
    }
    first.value.clone()
}

/// Status: the furthest status over all writes; a live write that is later (by HLC) than
/// a write of a further status is a regression; live writes on diverging branches are a
/// concurrent conflict.
fn status_value(kind: EntityKind, name: &str, ws: &[&Write], conflicts: &mut Vec<Conflict>) -> Value {
    // Every stored status write parses (validated on the way in).
    let parsed: Vec<(Status, &Write)> = ws.iter().filter_map(|w| Some((Status::parse(kind, &w.value)?, *w))).collect();
    let Some(&(first, _)) = parsed.first() else {
        return ws[ws.len() - 1].value.clone();
    };
    let furthest = parsed.iter().fold(first, |acc, (s, _)| acc.furthest(*s));
    let furthest_write = parsed.iter().find(|(s, _)| *s == furthest).map_or(ws[0], |(_, w)| *w);

    let live_hlcs: Vec<Hlc> = live(ws).iter().map(|w| w.hlc).collect();
    let live: Vec<(Status, &Write)> = parsed.iter().copied().filter(|(_, w)| live_hlcs.contains(&w.hlc)).collect();

    let diverging: Vec<(Status, &Write)> =
        live.iter().copied().filter(|(s, _)| live.iter().any(|(t, _)| s.diverges(*t))).collect();
    if !diverging.is_empty() {
        let mut labels: Vec<&str> = Vec::new();
        for (s, _) in &diverging {
            if !labels.contains(&s.label()) {
                labels.push(s.label());
            }
        }
        let msg = format!(
            "状态在不同设备上出现分歧：{}，暂按「{}」处理，需主管裁决",
            labels.iter().map(|l| format!("「{l}」")).collect::<Vec<_>>().join("与"),
            furthest.label()
        );
        let writes: Vec<&Write> = diverging.iter().map(|(_, w)| *w).collect();
        conflicts.push(conflict(name, ConflictKind::Concurrent, &writes, msg));
    }

    let regressing: Vec<(Status, &Write)> = live
        .iter()
        .copied()
        .filter(|(s, w)| {
            !diverging.iter().any(|(_, d)| d.hlc == w.hlc)
                && parsed.iter().any(|(t, v)| v.hlc < w.hlc && t.rank() > s.rank())
        })
        .collect();
    if !regressing.is_empty() {
        let mut labels: Vec<&str> = Vec::new();
        for (s, _) in &regressing {
            if !labels.contains(&s.label()) {
                labels.push(s.label());
            }
        }
        let msg = format!(
            "状态不能回退：当前已为「{}」，后来改为{}的操作未生效",
            furthest.label(),
            labels.iter().map(|l| format!("「{l}」")).collect::<Vec<_>>().join("、")
        );
        let mut writes = vec![furthest_write];
        writes.extend(regressing.iter().map(|(_, w)| *w));
        conflicts.push(conflict(name, ConflictKind::Regression, &writes, msg));
    }

    furthest_write.value.clone()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ids::{ChangeId, DeviceId};

    fn dev(n: u8) -> DeviceId {
        DeviceId::from_parts(1, [n; 10])
    }

    /// Device A = 1, device B = 2, supervisor S = 3.
    fn h(wall_ms: u64, device: u8) -> Hlc {
        Hlc { wall_ms, counter: 0, device: dev(device) }
    }

    fn upsert(kind: EntityKind, hlc: Hlc, base: impl Into<VersionVector>, fields: Value) -> Change {
        let fields = fields.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Change {
            id: ChangeId::from_parts(hlc.wall_ms, [hlc.device.0.as_bytes()[15]; 10]),
            entity: kind,
            entity_id: "e1".into(),
            op: ChangeOp::Upsert,
            fields,
            hlc,
            base: base.into(),
            county_code: None,
            wall_ms: hlc.wall_ms,
        }
    }

    fn delete(kind: EntityKind, hlc: Hlc, base: Option<Hlc>) -> Change {
        Change { op: ChangeOp::Delete, fields: BTreeMap::new(), ..upsert(kind, hlc, base, json!({})) }
    }

    /// Applies `changes` in the given order and in reverse; both views must agree.
    fn both_orders(kind: EntityKind, changes: &[Change]) -> EntityView {
        let mut a = EntityState::new(kind);
        for c in changes {
            assert!(a.apply(c).rejected.is_empty());
        }
        let mut b = EntityState::new(kind);
        for c in changes.iter().rev() {
            b.apply(c);
        }
        assert_eq!(a, b);
        let v = a.view();
        assert_eq!(v, b.view());
        v
    }

    const ENT: EntityKind = EntityKind::Enterprise;

    #[test]
    fn rules_by_field() {
        assert_eq!(merge_rule(ENT, "phone"), MergeRule::Ordinary);
        assert_eq!(merge_rule(ENT, "name"), MergeRule::Legal);
        assert_eq!(merge_rule(ENT, "status"), MergeRule::Legal);
        assert_eq!(merge_rule(EntityKind::Hazard, "status"), MergeRule::Status);
        assert_eq!(merge_rule(EntityKind::Document, "status"), MergeRule::Status);
        assert_eq!(merge_rule(EntityKind::Document, "number"), MergeRule::Immutable);
        assert_eq!(merge_rule(EntityKind::Evidence, "sha256"), MergeRule::Immutable);
        assert_eq!(merge_rule(EntityKind::Evidence, DELETED_FIELD), MergeRule::Tombstone);
        assert_eq!(merge_rule(EntityKind::Task, "status"), MergeRule::Ordinary);
        assert!(editable_after_issue("served_at") && editable_after_issue("status"));
        assert!(!editable_after_issue("body") && !editable_after_issue(DELETED_FIELD));
    }

    #[test]
    fn ordinary_last_writer_wins_without_conflict() {
        let a = upsert(ENT, h(10, 1), None, json!({"phone": "111", "name": "甲厂"}));
        let b = upsert(ENT, h(20, 2), Some(h(5, 1)), json!({"phone": "222"}));
        let c = upsert(ENT, h(15, 1), Some(h(10, 1)), json!({"phone": "333"}));
        let v = both_orders(ENT, &[a, b, c]);
        assert_eq!(v.fields["phone"], json!("222"));
        assert!(v.conflicts.is_empty());
        assert_eq!(v.version, Some(h(20, 2)));
    }

    #[test]
    fn legal_sequential_edit_is_not_a_conflict() {
        let a = upsert(ENT, h(10, 1), None, json!({"name": "甲厂"}));
        let b = upsert(ENT, h(20, 2), Some(h(10, 1)), json!({"name": "甲有限公司"}));
        let v = both_orders(ENT, &[a, b]);
        assert_eq!(v.fields["name"], json!("甲有限公司"));
        assert!(v.conflicts.is_empty());
    }

    #[test]
    fn legal_concurrent_edits_keep_both_and_flag() {
        let a0 = upsert(ENT, h(10, 1), None, json!({"name": "甲厂"}));
        // A and B both saw version 10 and changed the name differently.
        let a = upsert(ENT, h(30, 1), Some(h(10, 1)), json!({"name": "甲有限公司"}));
        let b = upsert(ENT, h(20, 2), Some(h(10, 1)), json!({"name": "甲股份公司"}));
        let v = both_orders(ENT, &[a0.clone(), a.clone(), b.clone()]);
        // Provisional value by HLC (A's 30 > B's 20), never by value.
        assert_eq!(v.fields["name"], json!("甲有限公司"));
        assert_eq!(v.conflicts.len(), 1);
        let c = &v.conflicts[0];
        assert_eq!((c.field.as_str(), c.kind), ("name", ConflictKind::Concurrent));
        assert_eq!(c.values, vec![(json!("甲股份公司"), h(20, 2)), (json!("甲有限公司"), h(30, 1))]);
        assert!(c.message_zh.contains("需主管裁决"), "{}", c.message_zh);

        // The supervisor saw both (base 30) and picks B's value: conflict resolved.
        let s = upsert(ENT, h(40, 3), Some(h(30, 1)), json!({"name": "甲股份公司"}));
        let v = both_orders(ENT, &[a0, a, b, s]);
        assert_eq!(v.fields["name"], json!("甲股份公司"));
        assert!(v.conflicts.is_empty());
    }

    #[test]
    fn legal_concurrent_equal_values_are_not_a_conflict() {
        let a = upsert(ENT, h(30, 1), Some(h(10, 1)), json!({"risk_level": "high"}));
        let b = upsert(ENT, h(20, 2), Some(h(10, 1)), json!({"risk_level": "high"}));
        let v = both_orders(ENT, &[a, b]);
        assert_eq!(v.fields["risk_level"], json!("high"));
        assert!(v.conflicts.is_empty());
    }

    #[test]
    fn legal_write_that_saw_only_one_side_keeps_the_conflict() {
        let a = upsert(ENT, h(30, 1), Some(h(10, 1)), json!({"name": "甲"}));
        let b = upsert(ENT, h(20, 2), Some(h(10, 1)), json!({"name": "乙"}));
        // B edits again having seen only its own write (base 20 < A's 30).
        let b2 = upsert(ENT, h(35, 2), Some(h(20, 2)), json!({"name": "丙"}));
        let v = both_orders(ENT, &[a, b, b2]);
        let c = &v.conflicts[0];
        assert_eq!(c.values, vec![(json!("甲"), h(30, 1)), (json!("丙"), h(35, 2))]);
        assert_eq!(v.fields["name"], json!("丙"));
    }

    #[test]
    fn immutable_first_write_stands() {
        const EV: EntityKind = EntityKind::Evidence;
        let a = upsert(EV, h(10, 1), None, json!({"sha256": "aa", "taken_at": 5}));
        let same = upsert(EV, h(20, 2), Some(h(10, 1)), json!({"sha256": "aa"}));
        let v = both_orders(EV, &[a.clone(), same.clone()]);
        assert_eq!(v.fields["sha256"], json!("aa"));
        assert!(v.conflicts.is_empty());

        // Even a sequential later write cannot change it.
        let other = upsert(EV, h(30, 2), Some(h(20, 2)), json!({"sha256": "bb"}));
        let v = both_orders(EV, &[a, same, other]);
        assert_eq!(v.fields["sha256"], json!("aa"));
        assert_eq!(v.conflicts.len(), 1);
        assert_eq!(v.conflicts[0].kind, ConflictKind::ImmutableChanged);
        assert_eq!(v.conflicts[0].values, vec![(json!("aa"), h(10, 1)), (json!("bb"), h(30, 2))]);
    }

    #[test]
    fn immutable_null_is_unset_until_a_value_is_written() {
        // A draft is synced without a number; issuing writes the number once.
        const DOC: EntityKind = EntityKind::Document;
        let draft = upsert(DOC, h(10, 1), None, json!({"number": null, "status": "draft"}));
        let issue =
            upsert(DOC, h(20, 1), Some(h(10, 1)), json!({"number": "（吕）应急检记〔2026〕7号", "status": "issued"}));
        let v = both_orders(DOC, &[draft.clone(), issue.clone()]);
        assert_eq!(v.fields["number"], json!("（吕）应急检记〔2026〕7号"));
        assert!(v.conflicts.is_empty(), "{:?}", v.conflicts);
        // Clearing it afterwards changes an immutable value: kept out and flagged.
        let clear = upsert(DOC, h(30, 2), Some(h(20, 1)), json!({"number": null}));
        let v = both_orders(DOC, &[draft, issue, clear]);
        assert_eq!(v.fields["number"], json!("（吕）应急检记〔2026〕7号"));
        assert!(v.conflicts.iter().any(|c| c.field == "number"), "{:?}", v.conflicts);
    }

    #[test]
    fn status_moves_forward_only() {
        const HZ: EntityKind = EntityKind::Hazard;
        let open = upsert(HZ, h(10, 1), None, json!({"status": "open"}));
        let req = upsert(HZ, h(20, 1), Some(h(10, 1)), json!({"status": "review_requested"}));
        let failed = upsert(HZ, h(30, 2), Some(h(20, 1)), json!({"status": "review_failed"}));
        let v = both_orders(HZ, &[open.clone(), req.clone(), failed.clone()]);
        assert_eq!(v.fields["status"], json!("review_failed"));
        assert!(v.conflicts.is_empty());

        // B (having seen 复查未通过) sets it back to 整改中: recorded, flagged, not applied.
        let back = upsert(HZ, h(40, 2), Some(h(30, 2)), json!({"status": "open"}));
        let v = both_orders(HZ, &[open.clone(), req.clone(), failed.clone(), back.clone()]);
        assert_eq!(v.fields["status"], json!("review_failed"));
        assert_eq!(v.conflicts.len(), 1);
        let c = &v.conflicts[0];
        assert_eq!(c.kind, ConflictKind::Regression);
        assert_eq!(c.values, vec![(json!("review_failed"), h(30, 2)), (json!("open"), h(40, 2))]);
        assert!(c.message_zh.contains("「复查未通过」") && c.message_zh.contains("「整改中」"), "{}", c.message_zh);

        // A later status write that saw the regression clears the flag.
        let esc = upsert(HZ, h(50, 1), Some(h(40, 2)), json!({"status": "escalated"}));
        let v = both_orders(HZ, &[open, req, failed, back, esc]);
        assert_eq!(v.fields["status"], json!("escalated"));
        assert!(v.conflicts.is_empty());
    }

    #[test]
    fn concurrent_status_behind_with_lower_hlc_is_silent() {
        const HZ: EntityKind = EntityKind::Hazard;
        // A requests review at 20, B records the failed review at 30; both from version 10.
        let req = upsert(HZ, h(20, 1), Some(h(10, 1)), json!({"status": "review_requested"}));
        let failed = upsert(HZ, h(30, 2), Some(h(10, 1)), json!({"status": "review_failed"}));
        let v = both_orders(HZ, &[req.clone(), failed.clone()]);
        assert_eq!(v.fields["status"], json!("review_failed"));
        assert!(v.conflicts.is_empty());
        // With the HLCs the other way round, the request is a later move backwards.
        let req_late = upsert(HZ, h(40, 1), Some(h(10, 1)), json!({"status": "review_requested"}));
        let v = both_orders(HZ, &[req_late, failed]);
        assert_eq!(v.fields["status"], json!("review_failed"));
        assert_eq!(v.conflicts[0].kind, ConflictKind::Regression);
    }

    #[test]
    fn diverging_statuses_are_flagged() {
        const CS: EntityKind = EntityKind::Case;
        let closed = upsert(CS, h(20, 1), Some(h(10, 1)), json!({"status": "closed"}));
        let term = upsert(CS, h(30, 2), Some(h(10, 1)), json!({"status": "terminated"}));
        let v = both_orders(CS, &[closed.clone(), term.clone()]);
        // Provisional winner by workflow rank (已结案 over 已终止), both kept and flagged.
        assert_eq!(v.fields["status"], json!("closed"));
        assert_eq!(v.conflicts.len(), 1);
        assert_eq!(v.conflicts[0].kind, ConflictKind::Concurrent);
        assert_eq!(v.conflicts[0].values.len(), 2);
        assert!(v.conflicts[0].message_zh.contains("「已结案」与「已终止」"), "{}", v.conflicts[0].message_zh);

        // Non-terminal divergence (已整改 vs 复查未通过) is flagged too.
        const HZ: EntityKind = EntityKind::Hazard;
        let ok = upsert(HZ, h(20, 1), Some(h(10, 1)), json!({"status": "rectified"}));
        let failed = upsert(HZ, h(30, 2), Some(h(10, 1)), json!({"status": "review_failed"}));
        let v = both_orders(HZ, &[ok.clone(), failed.clone()]);
        assert_eq!(v.fields["status"], json!("review_failed"));
        assert_eq!(v.conflicts.iter().map(|c| c.kind).collect::<Vec<_>>(), vec![ConflictKind::Concurrent]);

        // A supervisor who saw both re-asserts the provisional winner: resolved.
        let s = upsert(HZ, h(40, 3), VersionVector::of([h(20, 1), h(30, 2)]), json!({"status": "review_failed"}));
        let v = both_orders(HZ, &[ok, failed, s]);
        assert!(v.conflicts.is_empty());
        assert_eq!(v.fields["status"], json!("review_failed"));
    }

    #[test]
    fn delete_then_write_stays_deleted_and_flags() {
        let a = upsert(ENT, h(10, 1), None, json!({"phone": "1", "name": "甲"}));
        let del = delete(ENT, h(20, 2), Some(h(10, 1)));
        let late = upsert(ENT, h(30, 1), Some(h(10, 1)), json!({"phone": "2"}));
        let v = both_orders(ENT, &[a.clone(), del.clone(), late.clone()]);
        assert!(v.deleted);
        assert_eq!(v.fields["phone"], json!("2"));
        assert_eq!(v.conflicts.len(), 1);
        assert_eq!(v.conflicts[0].kind, ConflictKind::WriteAfterDelete);
        assert_eq!(v.conflicts[0].values, vec![(json!("2"), h(30, 1))]);
        assert!(!v.fields.contains_key(DELETED_FIELD));

        // A write before the delete is not flagged.
        let v = both_orders(ENT, &[a.clone(), del.clone()]);
        assert!(v.deleted && v.conflicts.is_empty());

        // The supervisor restores: no longer deleted, flag gone.
        let restore = upsert(ENT, h(40, 3), Some(h(30, 1)), json!({DELETED_FIELD: false}));
        let v = both_orders(ENT, &[a, del, late, restore]);
        assert!(!v.deleted);
        assert!(v.conflicts.is_empty());
    }

    #[test]
    fn issued_document_is_frozen() {
        const DOC: EntityKind = EntityKind::Document;
        let draft = upsert(DOC, h(10, 1), None, json!({"status": "draft", "body": "v1"}));
        let edit = upsert(DOC, h(20, 1), Some(h(10, 1)), json!({"body": "v2"}));
        let issue = upsert(
            DOC,
            h(30, 1),
            Some(h(20, 1)),
            json!({"status": "issued", "number": "（吕）应急检记〔2026〕15号", "content_hash": "abc"}),
        );
        let after = upsert(DOC, h(40, 2), Some(h(30, 1)), json!({"body": "v3", "number": "X"}));
        let served = upsert(DOC, h(50, 2), Some(h(40, 2)), json!({"status": "served", "served_at": "2026-03-01"}));
        let del = delete(DOC, h(60, 2), Some(h(50, 2)));
        let v = both_orders(DOC, &[draft, edit, issue, after, served, del]);
        assert_eq!(v.fields["body"], json!("v2"));
        assert_eq!(v.fields["number"], json!("（吕）应急检记〔2026〕15号"));
        assert_eq!(v.fields["status"], json!("served"));
        assert_eq!(v.fields["served_at"], json!("2026-03-01"));
        assert!(!v.deleted);
        let kinds: Vec<(&str, ConflictKind)> = v.conflicts.iter().map(|c| (c.field.as_str(), c.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (DELETED_FIELD, ConflictKind::AfterIssue),
                ("body", ConflictKind::AfterIssue),
                ("number", ConflictKind::AfterIssue)
            ]
        );
        assert_eq!(v.conflicts[1].values, vec![(json!("v3"), h(40, 2))]);
    }

    #[test]
    fn edit_the_issuer_did_not_see_is_refused_even_with_a_lower_hlc() {
        const DOC: EntityKind = EntityKind::Document;
        let draft = upsert(DOC, h(10, 1), None, json!({"status": "draft", "body": "v1"}));
        // B edits offline at 25; A issues at 30 from version 10 (never saw B's edit).
        let b_edit = upsert(DOC, h(25, 2), Some(h(10, 1)), json!({"body": "B"}));
        let issue = upsert(DOC, h(30, 1), Some(h(10, 1)), json!({"status": "issued", "content_hash": "h1"}));
        let v = both_orders(DOC, &[draft.clone(), b_edit.clone(), issue.clone()]);
        assert_eq!(v.fields["body"], json!("v1"));
        assert_eq!(v.conflicts.len(), 1);
        assert_eq!((v.conflicts[0].field.as_str(), v.conflicts[0].kind), ("body", ConflictKind::AfterIssue));

        // Without the issue the edit is an ordinary LWW write.
        let v = both_orders(DOC, &[draft, b_edit]);
        assert_eq!(v.fields["body"], json!("B"));
        assert!(v.conflicts.is_empty());
    }

    #[test]
    fn two_devices_issuing_the_same_draft_are_flagged() {
        const DOC: EntityKind = EntityKind::Document;
        let draft = upsert(DOC, h(10, 1), None, json!({"status": "draft"}));
        let a = upsert(DOC, h(30, 1), Some(h(10, 1)), json!({"status": "issued", "number": "1号"}));
        let b = upsert(DOC, h(20, 2), Some(h(10, 1)), json!({"status": "issued", "number": "2号"}));
        let v = both_orders(DOC, &[draft, a, b]);
        // The earliest issue (B at 20) stands; A's number is refused and flagged.
        assert_eq!(v.fields["number"], json!("2号"));
        assert_eq!(v.fields["status"], json!("issued"));
        assert_eq!(v.conflicts.len(), 1);
        assert_eq!(v.conflicts[0].kind, ConflictKind::AfterIssue);
        assert_eq!(v.conflicts[0].values, vec![(json!("1号"), h(30, 1))]);
    }

    #[test]
    fn apply_reports_new_conflicts_and_duplicates() {
        let mut s = EntityState::new(ENT);
        let a = upsert(ENT, h(30, 1), Some(h(10, 1)), json!({"name": "甲"}));
        let b = upsert(ENT, h(20, 2), Some(h(10, 1)), json!({"name": "乙"}));
        let o = s.apply(&a);
        assert!(o.changed && o.new_conflicts.is_empty() && o.rejected.is_empty());
        let o = s.apply(&b);
        assert!(o.changed);
        assert_eq!(o.new_conflicts.len(), 1);
        assert_eq!(s.apply(&b), ApplyOutcome::default());
        assert_eq!(s.apply(&a), ApplyOutcome::default());
    }

    #[test]
    fn invalid_changes_are_refused_whole() {
        let mut s = EntityState::new(EntityKind::Hazard);
        let bad = upsert(EntityKind::Hazard, h(10, 1), None, json!({"status": "nonsense", "description": "x"}));
        let o = s.apply(&bad);
        assert!(!o.changed);
        assert_eq!(
            o.rejected,
            vec![Rejected { field: Some("status".into()), hlc: h(10, 1), reason: RejectReason::InvalidStatus }]
        );
        assert!(s.registers().is_empty());

        let future_base = upsert(EntityKind::Hazard, h(10, 1), Some(h(10, 1)), json!({"description": "x"}));
        assert_eq!(s.apply(&future_base).rejected[0].reason, RejectReason::BaseNotBeforeHlc);
        let wrong = upsert(ENT, h(10, 1), None, json!({"phone": "x"}));
        assert_eq!(s.apply(&wrong).rejected[0].reason, RejectReason::WrongKind);
        let tomb = upsert(EntityKind::Hazard, h(10, 1), None, json!({DELETED_FIELD: "yes"}));
        assert_eq!(s.apply(&tomb).rejected[0].reason, RejectReason::InvalidTombstone);
        assert_eq!(RejectReason::InvalidStatus.to_string(), "无效的状态值");
        assert!(s.registers().is_empty());
    }

    #[test]
    fn same_hlc_different_content_is_resolved_deterministically() {
        let a = upsert(ENT, h(10, 1), None, json!({"name": "甲"}));
        let b = upsert(ENT, h(10, 1), None, json!({"name": "乙"}));
        let c = upsert(ENT, h(10, 1), Some(h(5, 2)), json!({"name": "丙"}));
        let v = both_orders(ENT, &[a.clone(), b.clone(), c.clone()]);
        assert_eq!(v.fields["name"], json!("丙"));
        let v = both_orders(ENT, &[a, b]);
        // Same base: the greater value by the JSON order ("甲" U+7532 > "乙" U+4E59).
        assert_eq!(v.fields["name"], json!("甲"));
    }

    #[test]
    fn merge_equals_applying_the_union() {
        let c1 = upsert(ENT, h(10, 1), None, json!({"name": "甲", "phone": "1"}));
        let c2 = upsert(ENT, h(20, 2), Some(h(10, 1)), json!({"name": "乙"}));
        let c3 = upsert(ENT, h(25, 1), Some(h(10, 1)), json!({"name": "丙", "phone": "3"}));
        let c4 = delete(ENT, h(30, 2), Some(h(20, 2)));
        let all = EntityState::from_changes(ENT, [&c1, &c2, &c3, &c4]);
        let mut x = EntityState::from_changes(ENT, [&c1, &c2]);
        let y = EntityState::from_changes(ENT, [&c3, &c4, &c1]);
        x.merge(&y);
        assert_eq!(x, all);
        let mut z = y.clone();
        z.merge(&EntityState::from_changes(ENT, [&c1, &c2]));
        assert_eq!(z, all);
        let mut again = all.clone();
        again.merge(&all);
        assert_eq!(again, all);
    }

    #[test]
    fn serde_round_trip_and_normalisation() {
        let c1 = upsert(ENT, h(10, 1), None, json!({"name": "甲", "phone": "1"}));
        let c2 = upsert(ENT, h(20, 2), Some(h(5, 1)), json!({"name": "乙"}));
        let s = EntityState::from_changes(ENT, [&c1, &c2]);
        let text = serde_json::to_string(&s).unwrap();
        let back: EntityState = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.view(), s.view());
        let view_text = serde_json::to_string(&s.view()).unwrap();
        assert_eq!(serde_json::from_str::<EntityView>(&view_text).unwrap(), s.view());

        // A stored ordinary register with two writes is normalised on load.
        let mut raw: Value = serde_json::from_str(&text).unwrap();
        let w1 = json!({"value": "0", "hlc": h(5, 1), "base": null});
        raw["registers"]["phone"].as_array_mut().unwrap().insert(0, w1);
        let back: EntityState = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(back, s);
        // An invalid stored write is an error, not silently kept.
        raw["registers"]["phone"][0]["base"] = serde_json::to_value(h(99, 1)).unwrap();
        raw["registers"]["phone"][0]["hlc"] = serde_json::to_value(h(1, 1)).unwrap();
        assert!(serde_json::from_value::<EntityState>(raw).is_err());
    }

    #[test]
    fn quarantine_far_future_changes() {
        let now = 1_000_000;
        let ok = upsert(ENT, h(now + 60_000, 1), None, json!({"name": "甲"}));
        let ahead = upsert(ENT, h(now + 60_001, 2), None, json!({"name": "乙"}));
        assert_eq!(quarantine_check(&ok, now, 60_000), Ok(()));
        let err = quarantine_check(&ahead, now, 60_000).unwrap_err();
        assert_eq!(err, SkewError { hlc: ahead.hlc, ahead_ms: 60_001, bound_ms: 60_000 });
        assert_eq!(err.to_string(), "变更时间戳超前服务器时间60001毫秒，超过允许的60000毫秒，已隔离待核查");

        let mut s = EntityState::new(ENT);
        assert!(s.apply_checked(&ok, now, 60_000).unwrap().changed);
        assert!(s.apply_checked(&ahead, now, 60_000).is_err());
        assert_eq!(s.view().fields["name"], json!("甲"));
        assert!(s.view().conflicts.is_empty());
    }

    /// `base` is a version vector: a write with an HLC below what another writer had seen of
    /// other devices is still concurrent with that writer's write when it had not reached it
    /// (a single scalar version counted every lower HLC as seen and lost this flag).
    #[test]
    fn a_write_the_writer_had_not_seen_is_concurrent_even_below_its_base() {
        // A renames offline at 10; C edits the phone at 20 and syncs; B pulls the row (the
        // first write at 5 and C's at 20, without A's) and renames at 30.
        let a = upsert(ENT, h(10, 1), Some(h(5, 1)), json!({"name": "甲"}));
        let c = upsert(ENT, h(20, 3), Some(h(5, 1)), json!({"phone": "1"}));
        let b = upsert(ENT, h(30, 2), VersionVector::of([h(5, 1), h(20, 3)]), json!({"name": "乙"}));
        let v = both_orders(ENT, &[a.clone(), c.clone(), b]);
        assert_eq!(v.fields["name"], json!("乙"), "provisional: the higher HLC");
        assert_eq!(v.conflicts.len(), 1);
        assert_eq!(v.conflicts[0].kind, ConflictKind::Concurrent);
        assert_eq!(v.conflicts[0].values.iter().map(|x| x.1).collect::<Vec<_>>(), vec![h(10, 1), h(30, 2)]);

        // B edits the name a second time having seen only its own write: still concurrent
        // with A's (the scalar base h(30, 2) would have covered A's h(10, 1)).
        let b2 = upsert(ENT, h(40, 2), VersionVector::of([h(5, 1), h(20, 3), h(30, 2)]), json!({"name": "丙"}));
        let mut s = EntityState::new(ENT);
        for ch in [&a, &c, &b2] {
            s.apply(ch);
        }
        assert_eq!(s.view().conflicts.len(), 1, "A's rename stays flagged");

        // Once a supervisor has seen A's write too, the edit resolves the flag.
        let sup = upsert(ENT, h(50, 3), s.seen(), json!({"name": "丙"}));
        s.apply(&sup);
        assert!(s.view().conflicts.is_empty());
        assert_eq!(s.view().fields["name"], json!("丙"));
    }

    #[test]
    fn json_order_is_total_and_consistent_with_equality() {
        let vals = [
            json!(null),
            json!(false),
            json!(true),
            json!(1),
            json!(1.0),
            json!(-1),
            json!("a"),
            json!(["a", 1]),
            json!(["a"]),
            json!({"a": 1}),
            json!({"a": 1, "b": 2}),
            json!({"b": 1}),
        ];
        for a in &vals {
            for b in &vals {
                assert_eq!(cmp_json(a, b) == Ordering::Equal, a == b, "{a} {b}");
                assert_eq!(cmp_json(a, b), cmp_json(b, a).reverse());
            }
        }
    }
}
