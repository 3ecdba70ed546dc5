//! Change records: the outbox every local write appends to and the sync work pushes.
//!
//! A change describes one write of one entity: which fields got which values, stamped
//! with an HLC (which carries the device id). Per-field registers on the server are
//! derived from these records (`shared/design/sync-design.md` §A.2): each field in
//! `fields` was written at `hlc`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hlc::{Hlc, VersionVector};
use crate::ids::ChangeId;

/// Kinds of synced entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// Enterprise ledger record.
    Enterprise,
    /// Organisation.
    Organisation,
    /// Officer.
    Officer,
    /// Training record of an officer.
    Training,
    /// Plan.
    Plan,
    /// Plan task.
    Task,
    /// Inspection.
    Inspection,
    /// Checklist answer of an inspection.
    Answer,
    /// Hazard / finding.
    Hazard,
    /// Enforcement document.
    Document,
    /// Case.
    Case,
    /// Evidence metadata.
    Evidence,
}

impl EntityKind {
    /// Every kind, in a fixed order: append new kinds, never reorder (the binary merge state
    /// stores a kind as its position here).
    pub const ALL: [EntityKind; 12] = [
        Self::Enterprise,
        Self::Organisation,
        Self::Officer,
        Self::Training,
        Self::Plan,
        Self::Task,
        Self::Inspection,
        Self::Answer,
        Self::Hazard,
        Self::Document,
        Self::Case,
        Self::Evidence,
    ];

    /// The kind named by its text form ([`EntityKind::as_str`]).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Stable text form (table name of the replica).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enterprise => "enterprise",
            Self::Organisation => "organisation",
            Self::Officer => "officer",
            Self::Training => "training",
            Self::Plan => "plan",
            Self::Task => "task",
            Self::Inspection => "inspection",
            Self::Answer => "answer",
            Self::Hazard => "hazard",
            Self::Document => "document",
            Self::Case => "case",
            Self::Evidence => "evidence",
        }
    }
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// Create or update the listed fields.
    Upsert,
    /// Tombstone the entity (soft delete; never a physical delete).
    Delete,
}

/// Merge class of a field (see the sync design).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldClass {
    /// Last writer (by HLC) wins; history kept in the audit trail (every change as pushed).
    Ordinary,
    /// Concurrent writes keep both values and raise a conflict for a supervisor.
    Legal,
    /// Written once (evidence, issued documents); a second different value is a conflict.
    Immutable,
}

/// The merge class of `field` of `entity`.
pub fn field_class(entity: EntityKind, field: &str) -> FieldClass {
    match (entity, field) {
        (
            EntityKind::Enterprise,
            "name" | "credit_code" | "status" | "risk_level" | "licence_no" | "licence_expiry",
        ) => FieldClass::Legal,
        // Two inspectors answering the same item differently is a finding to settle, not
        // a race to win: keep both and flag it.
        (EntityKind::Answer, "result" | "note") => FieldClass::Legal,
        (EntityKind::Evidence, _) => FieldClass::Immutable,
        (EntityKind::Document, "number" | "content_hash" | "content" | "issued_at") => FieldClass::Immutable,
        _ => FieldClass::Ordinary,
    }
}

/// One change record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Unique id of this change (dedup key across retries).
    pub id: ChangeId,
    /// Entity kind.
    pub entity: EntityKind,
    /// Entity id (text form of its typed id, or the natural key for reference data).
    pub entity_id: String,
    /// Upsert or delete.
    pub op: ChangeOp,
    /// Field name → new value, for the fields this write set.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// HLC of the write (includes the device id).
    pub hlc: Hlc,
    /// What the writer had seen of the row when it wrote: per device, the highest HLC of
    /// that device's writes (from the server's last pull and this device's own writes); empty
    /// for a new row. The merge uses it to tell a sequential edit from a concurrent one.
    pub base: VersionVector,
    /// County scope (6-digit code) for partial sync; `None` for city-wide data.
    pub county_code: Option<String>,
    /// Device wall time in ms, kept as evidence only (never used for ordering).
    pub wall_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_from_its_text_form_and_serde_agrees() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::String(k.as_str().into()));
        }
        assert_eq!(EntityKind::parse("Enterprise"), None);
        assert_eq!(EntityKind::parse(""), None);
    }

    #[test]
    fn legal_fields_are_classified() {
        assert_eq!(field_class(EntityKind::Enterprise, "name"), FieldClass::Legal);
        assert_eq!(field_class(EntityKind::Answer, "result"), FieldClass::Legal);
        assert_eq!(field_class(EntityKind::Answer, "note"), FieldClass::Legal);
        assert_eq!(field_class(EntityKind::Hazard, "description"), FieldClass::Ordinary);
        assert_eq!(field_class(EntityKind::Enterprise, "phone"), FieldClass::Ordinary);
        assert_eq!(field_class(EntityKind::Evidence, "sha256"), FieldClass::Immutable);
    }
}
