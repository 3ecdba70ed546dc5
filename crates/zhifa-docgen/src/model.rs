//! Typed document model of the two supported 执法文书 and the plain input structs they are
//! built from.
//!
//! The model holds every text exactly as printed (numbers, dates, fixed sentences), so the
//! typst templates only lay it out, and the model's canonical JSON is what the QR hash covers.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use zhifa_core::document::format_number;

use crate::error::DocgenError;
use crate::form::GenericDocument;
use crate::zh::{zh_date, zh_time_range};

/// Name of 现场检查记录 in documents.json.
pub const INSPECTION_RECORD: &str = "现场检查记录";
/// Name of 责令限期整改指令书 in documents.json.
pub const RECTIFICATION_ORDER: &str = "责令限期整改指令书";
/// Document type names this build can render: the two with dedicated models, then the types
/// built on the generic model ([`crate::types`]), in 2016 式样 order.
pub const RENDERABLE_TYPES: [&str; 12] = [
    INSPECTION_RECORD,
    RECTIFICATION_ORDER,
    crate::types::REVIEW_OPINION,
    crate::types::ONSITE_MEASURES,
    crate::types::SEIZURE_DECISION,
    crate::types::CASE_REGISTRATION,
    crate::types::INTERVIEW_RECORD,
    crate::types::PENALTY_NOTICE,
    crate::types::HEARING_NOTICE,
    crate::types::PENALTY_DECISION_ORG,
    crate::types::CASE_CLOSING,
    crate::types::SERVICE_RECEIPT,
];

/// The issuing bureau.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// Full name, e.g. 吕梁市应急管理局.
    pub name: String,
    /// 机关简称 for the document number, e.g. 吕 (unverified, configurable).
    pub short_name: String,
    /// 复议机关: since 2024-01-01 the 本级人民政府 (行政复议法 2023 第二十四条), e.g. 吕梁市人民政府.
    pub review_government: String,
    /// Court for 行政诉讼, e.g. 离石区人民法院.
    pub court: String,
}

impl Agency {
    /// Builds the agency from its name: the 复议机关 is the 本级人民政府 (the name with
    /// 应急管理局 replaced by 人民政府); the court must be given.
    pub fn new(name: &str, short_name: &str, court: &str) -> Self {
        let place = name.strip_suffix("应急管理局").unwrap_or(name);
        Self {
            name: name.to_owned(),
            short_name: short_name.to_owned(),
            review_government: format!("{place}人民政府"),
            court: court.to_owned(),
        }
    }
}

/// The inspected unit (被检查单位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// 被检查单位 name.
    pub name: String,
    /// 地址.
    pub address: String,
    /// 法定代表人（负责人）.
    pub legal_rep: String,
    /// 职务 of the legal representative.
    pub position: String,
    /// 联系电话.
    pub phone: String,
}

/// An enforcement officer (执法人员) with 执法证号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspector {
    /// Name.
    pub name: String,
    /// 执法证号 (证件号码).
    pub cert_no: String,
}

/// Input of a 现场检查记录.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionRecordInput {
    /// Document id (stable, e.g. the store's DocumentId); goes into the QR payload.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// Sequence number of the 检查记录 (序号); the year is the year of `date`.
    pub seq: u32,
    /// Inspected unit.
    pub party: Party,
    /// 检查场所.
    pub place: String,
    /// 检查时间 start.
    pub start: NaiveDateTime,
    /// 检查时间 end.
    pub end: NaiveDateTime,
    /// The two inspectors.
    pub inspectors: [Inspector; 2],
    /// 检查情况, one entry per item.
    pub findings: Vec<String>,
    /// Document date (from the record, never the clock).
    pub date: NaiveDate,
}

/// One problem of a 责令限期整改指令书 with its own deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFindingInput {
    /// 存在问题 text.
    pub text: String,
    /// 整改完毕期限 (inclusive "前").
    pub deadline: NaiveDate,
}

/// Input of a 责令限期整改指令书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationOrderInput {
    /// Document id; goes into the QR payload.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号 (shared with the 检查记录 in 吕梁 practice); the year is the year of `date`.
    pub seq: u32,
    /// Inspected unit.
    pub party: Party,
    /// The two officers.
    pub inspectors: [Inspector; 2],
    /// 存在问题 1..n.
    pub findings: Vec<OrderFindingInput>,
    /// Issue date (from the record, never the clock).
    pub date: NaiveDate,
}

/// A calendar date as typst's `datetime(year:, month:, day:)` wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ymd {
    /// Year.
    pub year: i32,
    /// Month 1..=12.
    pub month: u32,
    /// Day 1..=31.
    pub day: u32,
}

impl From<NaiveDate> for Ymd {
    fn from(d: NaiveDate) -> Self {
        Self { year: d.year(), month: d.month(), day: d.day() }
    }
}

/// A label/value row of the header table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Label, e.g. 被检查单位.
    pub label: String,
    /// Value.
    pub value: String,
}

/// An officer's signature slot: the name is signed by hand, the 执法证号 is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureSlot {
    /// Printed label, e.g. 执法人员（签名）.
    pub label: String,
    /// Printed name (for reference next to the handwritten signature).
    pub name: String,
    /// 执法证号.
    pub cert_no: String,
}

/// The seal block (指令书, 决定书 …): agency name with （印章） and the issue date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealBlock {
    /// `吕梁市应急管理局（印章）`.
    pub agency: String,
    /// `2026年11月29日`.
    pub date: String,
}

/// A numbered 存在问题 of the 指令书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberedFinding {
    /// 1-based item number.
    pub no: u32,
    /// Text.
    pub text: String,
    /// Deadline as printed, e.g. 2026年12月29日.
    pub deadline: String,
}

/// Model of a 现场检查记录 (no seal, signatures of both inspectors and the unit's 现场负责人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionRecord {
    /// Document id.
    pub doc_id: String,
    /// 现场检查记录.
    pub title: String,
    /// `（吕）应急检记〔2026〕15号`.
    pub number: String,
    /// Agency full name.
    pub agency: String,
    /// Document date for the PDF metadata.
    pub date: Ymd,
    /// Header table: 被检查单位, 地址, 法定代表人（负责人）, 职务, 联系电话, 检查场所, 检查时间.
    pub rows: Vec<Row>,
    /// Fixed 表明身份 sentence naming the bureau and both inspectors with 证件号码.
    pub self_identification: String,
    /// 检查情况 items, numbered 1..n.
    pub findings: Vec<String>,
    /// 检查人员（签名） slots.
    pub inspectors: Vec<SignatureSlot>,
    /// Label of the unit's signature, 被检查单位现场负责人（签名）.
    pub party_signature_label: String,
}

/// Model of a 责令限期整改指令书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationOrder {
    /// Document id.
    pub doc_id: String,
    /// 责令限期整改指令书.
    pub title: String,
    /// `（吕）应急责改〔2026〕15号`.
    pub number: String,
    /// Agency full name.
    pub agency: String,
    /// Issue date for the PDF metadata.
    pub date: Ymd,
    /// Addressee line `山西某某煤业有限公司：`.
    pub addressee: String,
    /// `经查，你单位存在下列问题：`.
    pub intro: String,
    /// 存在问题 1..n.
    pub findings: Vec<NumberedFinding>,
    /// `现责令你单位对上述第1、2项问题于…前整改完毕，…` plus the fixed warning sentences.
    pub order: String,
    /// Appeal clause (复议 to the 本级人民政府, 诉讼 to the court).
    pub appeal: String,
    /// The two officers' signature slots.
    pub inspectors: Vec<SignatureSlot>,
    /// 被检查单位负责人（签名）.
    pub party_signature_label: String,
    /// Seal block.
    pub seal: SealBlock,
    /// `本文书一式两份：一份备案，一份交被检查单位。`
    pub copies: String,
}

/// A document ready to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentModel {
    /// 现场检查记录.
    InspectionRecord(InspectionRecord),
    /// 责令限期整改指令书.
    RectificationOrder(RectificationOrder),
    /// Every other type, built on the generic model (see [`crate::types`]).
    Generic(GenericDocument),
}

impl DocumentModel {
    /// The document id.
    pub fn doc_id(&self) -> &str {
        match self {
            Self::InspectionRecord(d) => &d.doc_id,
            Self::RectificationOrder(d) => &d.doc_id,
            Self::Generic(d) => &d.doc_id,
        }
    }

    /// The type name as in documents.json, e.g. 现场检查记录.
    pub fn type_name(&self) -> &str {
        match self {
            Self::InspectionRecord(d) => &d.title,
            Self::RectificationOrder(d) => &d.title,
            Self::Generic(d) => &d.doc_type,
        }
    }

    /// The document number.
    pub fn number(&self) -> &str {
        match self {
            Self::InspectionRecord(d) => &d.number,
            Self::RectificationOrder(d) => &d.number,
            Self::Generic(d) => &d.number,
        }
    }

    /// The template file (in `templates/`) that lays this document out.
    pub fn template(&self) -> &'static str {
        match self {
            Self::InspectionRecord(_) => "inspection_record.typ",
            Self::RectificationOrder(_) => "rectification_order.typ",
            Self::Generic(_) => "generic.typ",
        }
    }
}

pub(crate) fn required(field: &'static str, value: &str) -> Result<(), DocgenError> {
    if value.trim().is_empty() {
        return Err(DocgenError::InvalidInput { field, reason: "不能为空".into() });
    }
    Ok(())
}

pub(crate) fn check_common(
    doc_id: &str,
    agency: &Agency,
    party: &Party,
    inspectors: &[Inspector; 2],
) -> Result<(), DocgenError> {
    required("文书编号（内部）", doc_id)?;
    required("执法机关", &agency.name)?;
    required("机关简称", &agency.short_name)?;
    required("被检查单位", &party.name)?;
    for i in inspectors {
        required("执法人员姓名", &i.name)?;
        required("执法证号", &i.cert_no)?;
    }
    if inspectors[0].cert_no == inspectors[1].cert_no {
        return Err(DocgenError::InvalidInput {
            field: "执法人员",
            reason: "须由两名不同的执法人员进行（安全生产法第六十五条、行政处罚法第四十二条）".into(),
        });
    }
    Ok(())
}

fn signature_slots(inspectors: &[Inspector; 2], label: &str) -> Vec<SignatureSlot> {
    inspectors
        .iter()
        .map(|i| SignatureSlot { label: label.to_owned(), name: i.name.clone(), cert_no: i.cert_no.clone() })
        .collect()
}

/// The fixed 表明身份 sentence of the 2016 式样 (安全生产监督管理局 → the bureau's current name).
pub fn self_identification(agency: &str, inspectors: &[Inspector; 2]) -> String {
    format!(
        "我们是{agency}行政执法人员{}、{}，证件号码为{}、{}，这是我们的证件（出示证件）。现依法对你单位进行现场检查，请予以配合。",
        inspectors[0].name, inspectors[1].name, inspectors[0].cert_no, inspectors[1].cert_no
    )
}

/// Builds the model of a 现场检查记录.
pub fn inspection_record(input: &InspectionRecordInput) -> Result<DocumentModel, DocgenError> {
    check_common(&input.doc_id, &input.agency, &input.party, &input.inspectors)?;
    required("检查场所", &input.place)?;
    if input.end < input.start {
        return Err(DocgenError::InvalidInput {
            field: "检查时间", reason: "结束时间早于开始时间".into()
        });
    }
    if input.findings.is_empty() {
        return Err(DocgenError::InvalidInput { field: "检查情况", reason: "至少记录一项".into() });
    }
    let p = &input.party;
    let row = |label: &str, value: &str| Row { label: label.to_owned(), value: value.to_owned() };
    let rows = vec![
        row("被检查单位", &p.name),
        row("地址", &p.address),
        row("法定代表人（负责人）", &p.legal_rep),
        row("职务", &p.position),
        row("联系电话", &p.phone),
        row("检查场所", &input.place),
        row("检查时间", &zh_time_range(input.start, input.end)),
    ];
    Ok(DocumentModel::InspectionRecord(InspectionRecord {
        doc_id: input.doc_id.clone(),
        title: INSPECTION_RECORD.to_owned(),
        number: format_number(&input.agency.short_name, "应急检记", input.date.year(), input.seq, 0),
        agency: input.agency.name.clone(),
        date: input.date.into(),
        rows,
        self_identification: self_identification(&input.agency.name, &input.inspectors),
        findings: input.findings.clone(),
        inspectors: signature_slots(&input.inspectors, "检查人员（签名）"),
        party_signature_label: "被检查单位现场负责人（签名）".to_owned(),
    }))
}

/// `[1, 2, 3, 5]` → `1、2、3、5`.
fn item_list(nos: &[u32]) -> String {
    nos.iter().map(u32::to_string).collect::<Vec<_>>().join("、")
}

/// The fixed warning sentences of the 2016 式样 after the order itself.
pub const ORDER_WARNING: &str = "由此造成事故的，依法追究有关人员的责任。整改期间，你单位应当采取措施，确保安全生产。对安全生产违法行为，将依法予以行政处罚。";

/// The 复议/诉讼 notice of the 2016 式样, with the 本级人民政府 as the only 复议机关
/// (行政复议法 2023 第二十四条).
pub fn appeal_clause(agency: &Agency) -> String {
    format!(
        "如果不服本决定，可以依法在60日内向{}申请行政复议，或者在6个月内依法向{}提起行政诉讼，但本决定不停止执行，法律另有规定的除外。",
        agency.review_government, agency.court
    )
}

/// Builds the model of a 责令限期整改指令书.
///
/// Items sharing a deadline are named together (`第1、2项问题于2026年12月29日前`), groups in
/// deadline order. Deadlines must not be before the issue date.
pub fn rectification_order(input: &RectificationOrderInput) -> Result<DocumentModel, DocgenError> {
    check_common(&input.doc_id, &input.agency, &input.party, &input.inspectors)?;
    required("复议机关", &input.agency.review_government)?;
    required("诉讼法院", &input.agency.court)?;
    if input.findings.is_empty() {
        return Err(DocgenError::InvalidInput { field: "存在问题", reason: "至少列出一项".into() });
    }
    let mut findings = Vec::with_capacity(input.findings.len());
    let mut groups: Vec<(NaiveDate, Vec<u32>)> = Vec::new();
    for (i, f) in input.findings.iter().enumerate() {
        required("存在问题", &f.text)?;
        if f.deadline < input.date {
            return Err(DocgenError::InvalidInput {
                field: "整改完毕期限",
                reason: format!("第{}项的期限 {} 早于发文日期 {}", i + 1, zh_date(f.deadline), zh_date(input.date)),
            });
        }
        let no = i as u32 + 1;
        findings.push(NumberedFinding { no, text: f.text.clone(), deadline: zh_date(f.deadline) });
        match groups.iter_mut().find(|(d, _)| *d == f.deadline) {
            Some((_, nos)) => nos.push(no),
            None => groups.push((f.deadline, vec![no])),
        }
    }
    groups.sort_by_key(|(d, _)| *d);
    let parts: Vec<String> =
        groups.iter().map(|(d, nos)| format!("第{}项问题于{}前", item_list(nos), zh_date(*d))).collect();
    let order = format!(
        "现责令你单位对上述{}整改完毕，达到有关法律法规规章和标准规定的要求。{ORDER_WARNING}",
        parts.join("，")
    );
    let appeal = appeal_clause(&input.agency);
    Ok(DocumentModel::RectificationOrder(RectificationOrder {
        doc_id: input.doc_id.clone(),
        title: RECTIFICATION_ORDER.to_owned(),
        number: format_number(&input.agency.short_name, "应急责改", input.date.year(), input.seq, 0),
        agency: input.agency.name.clone(),
        date: input.date.into(),
        addressee: format!("{}：", input.party.name),
        intro: "经查，你单位存在下列问题：".to_owned(),
        findings,
        order,
        appeal,
        inspectors: signature_slots(&input.inspectors, "执法人员（签名）"),
        party_signature_label: "被检查单位负责人（签名）".to_owned(),
        seal: SealBlock { agency: format!("{}（印章）", input.agency.name), date: zh_date(input.date) },
        copies: "本文书一式两份：一份备案，一份交被检查单位。".to_owned(),
    }))
}
