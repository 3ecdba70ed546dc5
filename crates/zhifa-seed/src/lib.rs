//! Seed data of the product, embedded at build time from `data/seed/`.
//!
//! The app never reads `shared/` at run time: the files were copied into the repository
//! and are compiled in. Status fields (`verbatim`, `item_text_status`, `mapping`,
//! `verified`, `confidence`) are kept so unverified texts stay marked.

pub mod demo;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use zhifa_core::checklist::{CheckItem, ChecklistFile};
use zhifa_core::division::Area;
use zhifa_core::document::DocumentType;
use zhifa_core::ids::OrgId;
use zhifa_core::law::LawArticle;
use zhifa_core::org::{OrgKind, Organisation};

const CHECKLIST: &str = include_str!("../../../data/seed/checklist.json");
const LAWS: &str = include_str!("../../../data/seed/laws.json");
const DOCUMENTS: &str = include_str!("../../../data/seed/documents.json");

/// Error parsing the embedded seed (a build defect; tests catch it).
#[derive(Debug, thiserror::Error)]
#[error("种子数据 {file} 无效")]
pub struct SeedError {
    /// File name.
    pub file: &'static str,
    /// Cause.
    #[source]
    pub source: serde_json::Error,
}

/// All reference data.
#[derive(Debug, Clone)]
pub struct Reference {
    /// Hash of the seed files: reloading the same version is a no-op.
    pub version: String,
    /// The deployment's area.
    pub area: Area,
    /// Check items.
    pub items: Vec<CheckItem>,
    /// Law articles.
    pub laws: Vec<LawArticle>,
    /// Document types (48 of the 2016 式样 + supplementary ones).
    pub document_types: Vec<DocumentType>,
}

#[derive(Deserialize)]
struct DocumentsFile {
    documents: Vec<DocumentType>,
    supplementary_documents: Vec<Supplementary>,
}

#[derive(Deserialize)]
struct Supplementary {
    name: String,
    abbr_current: Option<String>,
    status: Option<String>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    legal_basis: Vec<String>,
    number_pattern: Option<String>,
}

/// Version of the embedded seed (a hash of its files), without parsing it: lets a replica
/// that already holds this seed skip loading it.
pub fn version() -> String {
    let mut h = Sha256::new();
    for f in [CHECKLIST, LAWS, DOCUMENTS, zhifa_core::division::DIVISIONS_JSON] {
        h.update(f.as_bytes());
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Parses the embedded seed.
pub fn reference() -> Result<Reference, SeedError> {
    let items = serde_json::from_str::<ChecklistFile>(CHECKLIST)
        .map_err(|source| SeedError { file: "checklist.json", source })?
        .items;
    let laws: Vec<LawArticle> = serde_json::from_str(LAWS).map_err(|source| SeedError { file: "laws.json", source })?;
    let docs: DocumentsFile =
        serde_json::from_str(DOCUMENTS).map_err(|source| SeedError { file: "documents.json", source })?;
    let mut document_types = docs.documents;
    for (i, s) in docs.supplementary_documents.into_iter().enumerate() {
        document_types.push(DocumentType {
            seq_2016: 101 + i as u32,
            numbered: s.number_pattern.is_some(),
            name: s.name,
            abbr_2016: None,
            abbr_current: s.abbr_current,
            number_pattern: s.number_pattern,
            category: Some("补充文书".into()),
            workflow_stage: None,
            fields: s.fields,
            signatures: Vec::new(),
            seal: false,
            copies: None,
            legal_basis: s.legal_basis,
            deadlines: Vec::new(),
            notes: s.status.into_iter().map(|st| format!("状态：{st}（非2016式样，待确认）")).collect(),
        });
    }
    Ok(Reference { version: version(), area: Area::luliang(), items, laws, document_types })
}

/// A deterministic organisation id derived from its division and kind, so every
/// device and the server agree on it without coordination.
pub fn org_id(division_code: &str, kind: OrgKind) -> OrgId {
    let mut h = Sha256::new();
    h.update(b"zhifa-org:");
    h.update(division_code.as_bytes());
    h.update([kind as u8]);
    let d = h.finalize();
    let mut r = [0u8; 10];
    r.copy_from_slice(&d[..10]);
    // 2026-01-01T00:00:00Z: a fixed timestamp keeps the id stable.
    OrgId::from_parts(1_767_225_600_000, r)
}

/// The organisations of the area: the city bureau, its 执法支队 and one bureau per
/// county. The 机关简称 is the first character of the place name; it is unverified and
/// configurable (`shared/domain.md` §9).
pub fn organisations(area: &Area) -> Vec<Organisation> {
    let city_id = org_id(&area.city.code, OrgKind::CityBureau);
    let city_short: String = area.city.name.chars().take(1).collect();
    let mut out = vec![
        Organisation {
            id: city_id,
            name: format!("{}应急管理局", area.city.name),
            short_name: city_short.clone(),
            kind: OrgKind::CityBureau,
            division_code: area.city.code.clone(),
            parent: None,
        },
        Organisation {
            id: org_id(&area.city.code, OrgKind::Detachment),
            name: format!("{}应急管理综合行政执法支队", area.city.name),
            short_name: city_short,
            kind: OrgKind::Detachment,
            division_code: area.city.code.clone(),
            parent: Some(city_id),
        },
    ];
    for c in &area.counties {
        out.push(Organisation {
            id: org_id(&c.division.code, OrgKind::CountyBureau),
            name: format!("{}应急管理局", c.division.name),
            short_name: c.division.name.chars().take(1).collect(),
            kind: OrgKind::CountyBureau,
            division_code: c.division.code.clone(),
            parent: Some(city_id),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_parses_with_expected_counts() {
        let r = reference().unwrap();
        assert_eq!(r.items.len(), 128);
        assert_eq!(r.items.iter().filter(|i| i.major_hazard).count(), 80);
        assert_eq!(r.laws.len(), 256);
        assert_eq!(r.laws.iter().filter(|l| l.verbatim).count(), 202);
        assert_eq!(r.document_types.len(), 53);
        assert_eq!(r.document_types.iter().filter(|d| d.seq_2016 <= 48 && d.numbered).count(), 43);
        assert_eq!(r.version.len(), 16);
        assert!(r.items.iter().any(CheckItem::unverified));
    }

    #[test]
    fn organisations_are_stable() {
        let a = Area::luliang();
        let o1 = organisations(&a);
        let o2 = organisations(&a);
        assert_eq!(o1, o2);
        assert_eq!(o1.len(), 15);
        assert_eq!(o1[0].name, "吕梁市应急管理局");
    }
}
