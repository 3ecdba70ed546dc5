//! Enforcement documents (执法文书): types from the 2016 式样 and their numbers.
//!
//! Number pattern: `（{机关简称}）应急{代字}〔{年}〕{序号}号`, e.g. `（吕）应急检记〔2026〕15号`.
//! The 机关简称 is unverified and configurable; the sequence is not zero-padded by default
//! (GB/T 9704-2012), padding is a setting.

use serde::{Deserialize, Serialize};

use crate::ids::{CaseId, DocumentId, InspectionId};

/// A document type of `data/seed/documents.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentType {
    /// Position in the 2016 式样.
    pub seq_2016: u32,
    /// Name, e.g. 现场检查记录.
    pub name: String,
    /// 2016 code (安监检记).
    pub abbr_2016: Option<String>,
    /// Current code (应急检记).
    pub abbr_current: Option<String>,
    /// Whether the document carries a number.
    pub numbered: bool,
    /// Number pattern.
    pub number_pattern: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Workflow stage.
    pub workflow_stage: Option<String>,
    /// Fields of the form.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Signature slots.
    #[serde(default)]
    pub signatures: Vec<String>,
    /// Carries the agency seal.
    #[serde(default)]
    pub seal: bool,
    /// Copies note (一式两份 …).
    pub copies: Option<String>,
    /// Legal basis (current articles).
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// Deadline rule ids.
    #[serde(default)]
    pub deadlines: Vec<String>,
    /// Notes.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Status of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Being drafted; editable.
    Draft,
    /// Issued: number taken, content frozen (immutable, even offline).
    Issued,
    /// Served on the party (送达).
    Served,
    /// Superseded by a correction document (still kept).
    Corrected,
}

/// A document record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Id.
    pub id: DocumentId,
    /// Type name.
    pub doc_type: String,
    /// Number, once issued.
    pub number: Option<String>,
    /// Status.
    pub status: DocumentStatus,
    /// Inspection it belongs to.
    pub inspection: Option<InspectionId>,
    /// Case it belongs to.
    pub case: Option<CaseId>,
    /// SHA-256 of the canonical content, once issued.
    pub content_hash: Option<String>,
    /// Document it corrects.
    pub corrects: Option<DocumentId>,
    /// The document's content as canonical JSON (the typed model of `zhifa-docgen`), frozen
    /// when issued; `content_hash` is its SHA-256. Older records have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// Formats a document number.
///
/// `code` is the current abbreviation including the 应急 prefix (e.g. `应急检记`);
/// `pad` is the minimum width of the sequence number (0 or 1 = no padding).
pub fn format_number(agency_short: &str, code: &str, year: i32, seq: u32, pad: usize) -> String {
    format!("（{agency_short}）{code}〔{year}〕{seq:0pad$}号")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_format() {
        assert_eq!(format_number("吕", "应急检记", 2026, 15, 0), "（吕）应急检记〔2026〕15号");
        assert_eq!(format_number("孝", "应急立", 2020, 2, 3), "（孝）应急立〔2020〕002号");
    }
}
