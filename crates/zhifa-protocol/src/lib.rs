//! Wire types of the sync API, version 1 (`/api/v1/...`).
//!
//! These are the only types that cross the network. Every top-level body keeps unknown
//! fields in `extra` (`#[serde(flatten)]`) so a newer peer's additions survive a round trip
//! through an older one; added fields use `#[serde(default)]`. Golden JSON files in
//! `tests/golden/` pin the format: a wire change shows up in review.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use zhifa_core::change::{Change, ChangeOp, EntityKind};
use zhifa_core::hlc::{Hlc, VersionVector};
use zhifa_core::ids::ChangeId;

/// Path prefix of this version.
pub const API_PREFIX: &str = "/api/v1";
/// Schema version of the records this build writes.
pub const SCHEMA_VERSION: u32 = 2;
/// Header carrying the device id on signed requests.
pub const HEADER_DEVICE: &str = "x-zhifa-device";
/// Header carrying the Ed25519 signature of a push.
pub const HEADER_SIGNATURE: &str = "x-zhifa-signature";
/// Header carrying the client's schema version.
pub const HEADER_SCHEMA: &str = "x-zhifa-schema";

/// Unknown fields kept for round trips.
pub type Extra = BTreeMap<String, Value>;

/// `GET /api/v1/capabilities`: what this server speaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capabilities {
    /// API version ("v1").
    pub api_version: String,
    /// Schema version the server stores.
    pub schema_version: u32,
    /// Oldest client schema the server accepts pushes from (older ones are held, not dropped).
    pub min_client_schema: u32,
    /// Feature names (e.g. "push", "pull", "verify", "attachments", "numbers").
    pub features: Vec<String>,
    /// Largest number of changes in one push.
    pub max_batch_changes: u32,
    /// Largest request body in bytes.
    pub max_body_bytes: u64,
    /// How far ahead of server time an HLC may be before it is quarantined.
    pub max_skew_ms: u64,
    /// Attachment chunk size the server prefers.
    pub chunk_bytes: u64,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An error body: a stable code for programs and a Chinese message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code, e.g. `AUTH_TOKEN_EXPIRED`, `NOT_FOUND`, `BAD_REQUEST`.
    pub code: String,
    /// Chinese message.
    pub message: String,
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// 执法证号 (login name).
    pub login: String,
    /// Password.
    pub password: String,
    /// The tablet's device id (registered with its public key on first login).
    pub device_id: String,
    /// Ed25519 public key of the device (base64url), required on first login of a device.
    #[serde(default)]
    pub device_public_key: Option<String>,
    /// Human-readable device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Token pair returned by login and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// Bearer token for API calls.
    pub access_token: String,
    /// Expiry of the access token (Unix ms).
    pub access_expires_ms: u64,
    /// Token to get a new pair (rotated on every use).
    pub refresh_token: String,
    /// Expiry of the refresh token (Unix ms).
    pub refresh_expires_ms: u64,
}

/// The logged-in officer as the server sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerInfo {
    /// Officer id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Roles (stable text form of `zhifa_core::officer::Role`).
    pub roles: Vec<String>,
    /// County scope (`None` = city-wide).
    pub county_code: Option<String>,
}

/// Response of login and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Tokens.
    pub tokens: Tokens,
    /// Officer.
    pub officer: OfficerInfo,
}

/// `POST /api/v1/auth/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    /// The current refresh token.
    pub refresh_token: String,
}

/// One change record on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireChange {
    /// The device's sequence number of this change (outbox `seq`), strictly increasing.
    pub seq: i64,
    /// Change id.
    pub change_id: String,
    /// Entity kind (`enterprise`, `hazard`, …).
    pub entity: String,
    /// Entity id.
    pub entity_id: String,
    /// `upsert` or `delete`.
    pub op: String,
    /// Changed fields.
    pub fields: BTreeMap<String, Value>,
    /// HLC (`Hlc::encode`).
    pub hlc: String,
    /// What the writer had seen of the row: a version vector, its entries' HLC texts joined
    /// by `,` (`VersionVector::encode`; schema 2). Schema-1 clients send one HLC, read as a
    /// vector of one entry.
    #[serde(default)]
    pub base: Option<String>,
    /// County the device computed (the server recomputes scope itself).
    #[serde(default)]
    pub county_code: Option<String>,
    /// Device wall time (evidence only).
    pub wall_ms: u64,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Why a wire change could not be turned into a core change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("变更记录第{seq}条的{what}无效")]
pub struct WireError {
    /// Device sequence.
    pub seq: i64,
    /// Which part.
    pub what: &'static str,
}

impl WireChange {
    /// From a local outbox entry.
    pub fn from_core(seq: i64, c: &Change) -> Self {
        Self {
            seq,
            change_id: c.id.to_string(),
            entity: c.entity.as_str().to_owned(),
            entity_id: c.entity_id.clone(),
            op: match c.op {
                ChangeOp::Upsert => "upsert",
                ChangeOp::Delete => "delete",
            }
            .to_owned(),
            fields: c.fields.clone(),
            hlc: c.hlc.encode(),
            base: (!c.base.is_empty()).then(|| c.base.encode()),
            county_code: c.county_code.clone(),
            wall_ms: c.wall_ms,
            extra: Extra::new(),
        }
    }

    /// To a core change (validates every part).
    pub fn to_core(&self) -> Result<Change, WireError> {
        let bad = |what| WireError { seq: self.seq, what };
        Ok(Change {
            id: ChangeId::parse(&self.change_id).map_err(|_| bad("编号"))?,
            entity: EntityKind::parse(&self.entity).ok_or_else(|| bad("实体类型"))?,
            entity_id: if self.entity_id.is_empty() || self.entity_id.len() > 200 {
                return Err(bad("实体编号"));
            } else {
                self.entity_id.clone()
            },
            op: match self.op.as_str() {
                "upsert" => ChangeOp::Upsert,
                "delete" => ChangeOp::Delete,
                _ => return Err(bad("操作")),
            },
            fields: self.fields.clone(),
            hlc: Hlc::decode(&self.hlc).map_err(|_| bad("HLC"))?,
            base: self
                .base
                .as_deref()
                .map(VersionVector::decode)
                .transpose()
                .map_err(|_| bad("基础版本"))?
                .unwrap_or_default(),
            county_code: self.county_code.clone(),
            wall_ms: self.wall_ms,
        })
    }
}

/// `POST /api/v1/push`: a batch of the device's outbox, in sequence order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// Device id (must match the token's device and the signature header).
    pub device_id: String,
    /// Client schema version.
    pub schema_version: u32,
    /// Changes, ascending `seq`.
    pub changes: Vec<WireChange>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A change the server refused (kept out of the store; the client keeps it and shows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// Device sequence.
    pub seq: i64,
    /// Stable code.
    pub code: String,
    /// Chinese message.
    pub message: String,
}

/// Answer to a push, sent only after the batch is durably committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PushResponse {
    /// Every change with `seq <= acked_through` is durably stored (or was refused and
    /// listed in `rejected`/`quarantined`); the client may mark them acknowledged.
    pub acked_through: i64,
    /// Changes stored for the first time.
    pub accepted: u32,
    /// Changes the server already had (a retry).
    pub duplicates: u32,
    /// Device sequences stored but quarantined (HLC too far in the future).
    pub quarantined: Vec<i64>,
    /// Refused changes.
    pub rejected: Vec<Rejected>,
    /// New conflicts raised by this batch.
    pub conflicts: u32,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A conflict as the client shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireConflict {
    /// Field.
    pub field: String,
    /// Kind (`concurrent`, `regression`, `write_after_delete`, `immutable_changed`, `after_issue`).
    pub kind: String,
    /// The competing values.
    pub values: Vec<Value>,
    /// Chinese explanation.
    pub message: String,
}

/// One entity state in a pull page: the server's merged view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PulledEntity {
    /// Entity kind.
    pub entity: String,
    /// Entity id.
    pub id: String,
    /// County scope.
    pub county_code: Option<String>,
    /// Current field values.
    pub fields: serde_json::Map<String, Value>,
    /// Tombstoned.
    pub deleted: bool,
    /// Version (max HLC of applied writes).
    pub version: Option<String>,
    /// What the merged state has seen, per device (`VersionVector::encode`; schema 2): what
    /// the client records as the row's base. Absent from older servers: the client then
    /// uses `version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
    /// Server sequence of the last change to this entity (the cursor).
    pub server_seq: i64,
    /// Open conflicts.
    #[serde(default)]
    pub conflicts: Vec<WireConflict>,
}

/// `GET /api/v1/pull?cursor=C&limit=L`: entities changed after `cursor` in the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Entities, ascending `server_seq`.
    pub items: Vec<PulledEntity>,
    /// Cursor for the next page.
    pub next_cursor: i64,
    /// The server's sequence when the checkpoint was taken: pages continue until
    /// `next_cursor >= checkpoint`.
    pub checkpoint: i64,
    /// True on the last page of the checkpoint: the client now holds a consistent state.
    pub checkpoint_complete: bool,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /api/v1/verify?device=D`: what the server holds from a device, so the county office
/// can prove the night's sync complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyResponse {
    /// Device.
    pub device_id: String,
    /// Number of changes stored from it.
    pub count: u64,
    /// Highest device sequence stored.
    pub max_seq: i64,
    /// SHA-256 (hex) over `seq:change_id\n` of every stored change in ascending order.
    pub digest: String,
    /// Per range of 1,000 sequences: `[from, to, count, digest]`.
    pub ranges: Vec<RangeDigest>,
    /// Document numbers this device reported as voided (gaps), for the supervisor's check
    /// of the numbering; ascending by code, organisation, year and number.
    #[serde(default)]
    pub number_gaps: Vec<NumberGap>,
}

/// A document number taken on a tablet and voided (e.g. a misprint before service): it is
/// never reused, and the gap in the sequence is explained by `reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberGap {
    /// Document code (e.g. `应急检记`).
    pub doc_code: String,
    /// Organisation id.
    pub org_id: String,
    /// Year.
    pub year: i32,
    /// The voided number.
    pub number: u32,
    /// Why it was voided (as the inspector wrote it).
    pub reason: String,
    /// When the number was taken on the tablet (Unix ms, device clock: evidence only).
    pub at_ms: u64,
}

/// `POST /api/v1/numbers/gaps`: the tablet's voided numbers (all of them; the server keeps
/// each once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapReport {
    /// Gaps.
    pub gaps: Vec<NumberGap>,
}

/// Answer to a gap report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GapReportResponse {
    /// Gaps stored for the first time.
    pub recorded: u32,
    /// Gaps the server already had.
    pub duplicates: u32,
    /// Gaps refused (e.g. a number outside this device's leased blocks).
    pub rejected: Vec<RejectedGap>,
}

/// `GET /api/v1/numbers/gaps?year=Y`: voided numbers of the organisations in the caller's
/// scope, for supervisors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapListing {
    /// Gaps, ascending by code, organisation, year and number.
    pub gaps: Vec<ListedGap>,
}

/// A reported gap with who reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedGap {
    /// The gap as the tablet reported it.
    #[serde(flatten)]
    pub gap: NumberGap,
    /// Reporting device.
    pub device_id: String,
    /// Officer whose session reported it.
    pub officer_id: String,
    /// When the server recorded it (Unix ms, server clock).
    pub reported_ms: u64,
}

/// A gap the server refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedGap {
    /// Document code.
    pub doc_code: String,
    /// Number.
    pub number: u32,
    /// Stable code.
    pub code: String,
    /// Chinese message.
    pub message: String,
}

/// Count and digest of one sequence range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeDigest {
    /// First sequence of the range (inclusive).
    pub from_seq: i64,
    /// Last sequence of the range (inclusive).
    pub to_seq: i64,
    /// Changes stored in it.
    pub count: u64,
    /// Digest as in [`VerifyResponse::digest`].
    pub digest: String,
}

/// `GET /api/v1/attachments/{sha256}`: upload state for resumable uploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentStatus {
    /// SHA-256 (hex) of the whole file.
    pub sha256: String,
    /// Bytes received so far (the next chunk starts here).
    pub received: u64,
    /// Whether the file is complete and its hash verified.
    pub complete: bool,
}

/// `POST /api/v1/numbers/lease`: a block of document numbers for offline issuing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRequest {
    /// Document code (e.g. `应急检记`).
    pub doc_code: String,
    /// Organisation id.
    pub org_id: String,
    /// Year.
    pub year: i32,
    /// How many numbers.
    pub count: u32,
}

/// A leased block `[start, end]` (inclusive) for one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberLease {
    /// Lease id.
    pub lease_id: String,
    /// Document code.
    pub doc_code: String,
    /// Organisation id.
    pub org_id: String,
    /// Year.
    pub year: i32,
    /// First number.
    pub start: u32,
    /// Last number.
    pub end: u32,
    /// Device the block belongs to.
    pub device_id: String,
}

/// Prefix and version of the QR payload printed on issued documents
/// (`ZHIFA-DOC:1:{document id}:{SHA-256 hex of the canonical content}`).
pub const DOC_PAYLOAD_PREFIX: &str = "ZHIFA-DOC:1:";

/// A scanned QR payload, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocPayload {
    /// Document id.
    pub document_id: String,
    /// Lower-case hex SHA-256 the document carried when printed.
    pub content_hash: String,
}

/// Why a scanned payload is not a Zhifa document payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("二维码内容不是执法文书核验码")]
pub struct BadPayload;

impl DocPayload {
    /// Parses `ZHIFA-DOC:1:{id}:{64 hex}` (surrounding whitespace ignored, hex in either
    /// case, returned lower-case).
    pub fn parse(scanned: &str) -> Result<Self, BadPayload> {
        let rest = scanned.trim().strip_prefix(DOC_PAYLOAD_PREFIX).ok_or(BadPayload)?;
        let (id, hash) = rest.rsplit_once(':').ok_or(BadPayload)?;
        let id_ok = !id.is_empty()
            && id.len() <= 100
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(BadPayload);
        }
        Ok(Self { document_id: id.to_owned(), content_hash: hash.to_ascii_lowercase() })
    }
}

/// `POST /api/v1/documents/verify`: a QR payload scanned from a paper document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVerifyRequest {
    /// The scanned text, `ZHIFA-DOC:1:{id}:{sha256}`.
    pub payload: String,
}

/// What the server knows of a scanned document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVerifyResponse {
    /// `genuine` (issued, same content hash), `altered` (issued, another hash: the paper
    /// does not match what was issued) or `unknown` (no such issued document in the
    /// caller's scope; out of scope answers exactly like this).
    pub result: String,
    /// Chinese explanation for the person holding the paper.
    pub message: String,
    /// The issued document (genuine and altered only).
    #[serde(default)]
    pub document: Option<VerifiedDocument>,
}

/// The issued document a payload names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedDocument {
    /// Id.
    pub id: String,
    /// Type name (e.g. 现场检查记录).
    pub doc_type: String,
    /// Document number.
    pub number: Option<String>,
    /// Status (`issued`, `served`, `corrected`).
    pub status: String,
}

/// `POST /api/v1/devices/{id}/revoke` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeRequest {
    /// Reason recorded in the audit log.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_change_round_trips_core() {
        let h = Hlc { wall_ms: 5, counter: 1, device: zhifa_core::ids::DeviceId::from_parts(1, [1; 10]) };
        let c = Change {
            id: ChangeId::from_parts(2, [2; 10]),
            entity: EntityKind::Hazard,
            entity_id: "x".into(),
            op: ChangeOp::Upsert,
            fields: [("status".to_owned(), Value::from("open"))].into_iter().collect(),
            hlc: h,
            base: VersionVector::new(),
            county_code: Some("141181".into()),
            wall_ms: 9,
        };
        assert_eq!(WireChange::from_core(7, &c).to_core().unwrap(), c);
        let mut bad = WireChange::from_core(7, &c);
        bad.entity = "nonsense".into();
        assert_eq!(bad.to_core().unwrap_err().what, "实体类型");
    }
}
