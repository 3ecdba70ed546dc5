//! Typed inputs and builders of the 执法文书 laid out by the generic template: 整改复查意见书,
//! 现场处理措施决定书, 查封扣押决定书, 立案审批表, 询问笔录, 行政处罚告知书, 行政处罚听证告知书,
//! 行政处罚决定书（单位）, 结案审批表, 文书送达回执.
//!
//! Each builder validates its input, writes every sentence (2016 式样 wording with 应急管理局,
//! citations of 安全生产法 2021 and 行政处罚法 2021), takes the number code, seal and copies note
//! from `data/seed/documents.json`, takes periods from `zhifa_core::deadline`, and returns a
//! [`GenericDocument`]. Adding a type = an input struct + a builder like these; the template,
//! QR, PDF and raster paths are shared.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use zhifa_core::deadline::{DayType, DeadlineCalculator, RuleId};
use zhifa_core::document::{DocumentType, format_number};

use crate::error::DocgenError;
use crate::form::{Block, Cell, GenericDocument, QaPair, Signature};
use crate::model::{Agency, DocumentModel, Inspector, Party, SealBlock, appeal_clause, check_common, required};
use crate::zh::{money_full, zh_date, zh_time_range};

/// 整改复查意见书.
pub const REVIEW_OPINION: &str = "整改复查意见书";
/// 现场处理措施决定书.
pub const ONSITE_MEASURES: &str = "现场处理措施决定书";
/// 查封扣押决定书.
pub const SEIZURE_DECISION: &str = "查封扣押决定书";
/// 立案审批表.
pub const CASE_REGISTRATION: &str = "立案审批表";
/// 询问笔录 (unnumbered).
pub const INTERVIEW_RECORD: &str = "询问笔录";
/// 行政处罚告知书.
pub const PENALTY_NOTICE: &str = "行政处罚告知书";
/// 行政处罚听证告知书.
pub const HEARING_NOTICE: &str = "行政处罚听证告知书";
/// 行政处罚决定书（单位）.
pub const PENALTY_DECISION_ORG: &str = "行政处罚决定书（单位）";
/// 结案审批表.
pub const CASE_CLOSING: &str = "结案审批表";
/// 文书送达回执.
pub const SERVICE_RECEIPT: &str = "文书送达回执";

/// Full-width blank for handwriting after a label.
const BLANK: &str = "　　　　　　";
/// A blank date to be written by hand.
const HAND_DATE: &str = "　　年　　月　　日";

fn seed_err(e: impl std::fmt::Display) -> DocgenError {
    DocgenError::InvalidInput { field: "种子数据", reason: e.to_string() }
}

/// The document types of `data/seed/documents.json` (parsed once).
pub fn document_types() -> Result<&'static [DocumentType], DocgenError> {
    static TYPES: OnceLock<Result<Vec<DocumentType>, String>> = OnceLock::new();
    TYPES
        .get_or_init(|| zhifa_seed::reference().map(|r| r.document_types).map_err(|e| e.to_string()))
        .as_deref()
        .map_err(seed_err)
}

/// The seed entry of a type by name.
pub fn document_type(name: &str) -> Result<&'static DocumentType, DocgenError> {
    document_types()?.iter().find(|t| t.name == name).ok_or_else(|| DocgenError::UnknownType(name.to_owned()))
}

/// Number, seal and copies note of a type, from the seed.
struct Frame {
    number: String,
    seal: Option<SealBlock>,
    copies: Option<String>,
}

fn frame(name: &str, agency: &Agency, seq: u32, date: NaiveDate) -> Result<Frame, DocgenError> {
    let t = document_type(name)?;
    let number = match (&t.abbr_current, t.numbered) {
        (Some(code), true) => format_number(&agency.short_name, code, date.year(), seq, 0),
        _ => String::new(),
    };
    let seal = t.seal.then(|| SealBlock { agency: format!("{}（印章）", agency.name), date: zh_date(date) });
    let copies = t.copies.as_deref().map(|c| format!("本文书{}。", c.trim_end_matches('。')));
    Ok(Frame { number, seal, copies })
}

fn doc(
    doc_id: &str,
    name: &str,
    agency: &Agency,
    date: NaiveDate,
    f: Frame,
    blocks: Vec<Block>,
    signatures: Vec<Signature>,
) -> DocumentModel {
    DocumentModel::Generic(GenericDocument {
        doc_id: doc_id.to_owned(),
        doc_type: name.to_owned(),
        title: name.to_owned(),
        number: f.number,
        agency: agency.name.clone(),
        date: date.into(),
        blocks,
        signatures,
        seal: f.seal,
        copies: f.copies,
        page_sign: None,
    })
}

fn para(text: impl Into<String>) -> Block {
    Block::Para { text: text.into(), indent: true }
}

fn line(text: impl Into<String>) -> Block {
    Block::Para { text: text.into(), indent: false }
}

fn non_empty_list(field: &'static str, items: &[String]) -> Result<(), DocgenError> {
    if items.is_empty() {
        return Err(DocgenError::InvalidInput { field, reason: "至少一项".into() });
    }
    for i in items {
        required(field, i)?;
    }
    Ok(())
}

fn officer_signatures(inspectors: &[Inspector; 2]) -> Vec<Signature> {
    inspectors.iter().map(|i| Signature::officer("执法人员（签名）", &i.cert_no)).collect()
}

fn calculator() -> DeadlineCalculator<'static> {
    DeadlineCalculator::builtin()
}

/// `3个工作日` / `15日`: the period of a single-count rule as printed, from the rule data.
pub fn period_text(id: RuleId) -> Result<String, DocgenError> {
    let rule = calculator().rules().get(id).map_err(seed_err)?;
    let n = *rule.days.first().ok_or_else(|| seed_err(format!("{id} 没有天数")))?;
    Ok(match rule.day_type {
        Some(DayType::Working) => format!("{n}个工作日"),
        _ => format!("{n}日"),
    })
}

// ---------------------------------------------------------------------------------------------
// 整改复查意见书

/// Input of a 整改复查意见书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOpinionInput {
    /// Document id.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号 (shared with the 检查记录 in 吕梁 practice).
    pub seq: u32,
    /// 被复查单位.
    pub party: Party,
    /// 原决定日期.
    pub original_date: NaiveDate,
    /// 原决定名称, e.g. 责令限期整改指令书.
    pub original_title: String,
    /// 原文书编号.
    pub original_number: String,
    /// 复查意见, one per item.
    pub opinions: Vec<String>,
    /// The two officers.
    pub inspectors: [Inspector; 2],
    /// Date of the 复查 and of this document.
    pub date: NaiveDate,
}

/// Builds a 整改复查意见书.
pub fn review_opinion(input: &ReviewOpinionInput) -> Result<DocumentModel, DocgenError> {
    check_common(&input.doc_id, &input.agency, &input.party, &input.inspectors)?;
    required("原决定名称", &input.original_title)?;
    required("原文书编号", &input.original_number)?;
    non_empty_list("复查意见", &input.opinions)?;
    if input.date < input.original_date {
        return Err(DocgenError::InvalidInput { field: "复查日期", reason: "早于原决定日期".into() });
    }
    let f = frame(REVIEW_OPINION, &input.agency, input.seq, input.date)?;
    let blocks = vec![
        line(format!("{}：", input.party.name)),
        para(format!(
            "本局于{}作出了{}（{}），经对你单位整改情况进行复查，提出如下意见：",
            zh_date(input.original_date),
            input.original_title,
            input.original_number
        )),
        Block::Items { items: input.opinions.clone() },
    ];
    let mut sigs = vec![Signature::party("被复查单位负责人（签名）")];
    sigs.extend(officer_signatures(&input.inspectors));
    Ok(doc(&input.doc_id, REVIEW_OPINION, &input.agency, input.date, f, blocks, sigs))
}

// ---------------------------------------------------------------------------------------------
// 现场处理措施决定书

/// Input of a 现场处理措施决定书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnsiteMeasuresInput {
    /// Document id.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号.
    pub seq: u32,
    /// 被检查单位.
    pub party: Party,
    /// 检查日期.
    pub inspected_on: NaiveDate,
    /// 违法违规行为和事故隐患 1..n.
    pub violations: Vec<String>,
    /// 处理依据, e.g. 《中华人民共和国安全生产法》第六十五条第一款第（三）项.
    pub basis: String,
    /// 现场处理决定 1..n.
    pub measures: Vec<String>,
    /// The two officers.
    pub inspectors: [Inspector; 2],
    /// Issue date.
    pub date: NaiveDate,
}

/// Builds a 现场处理措施决定书.
pub fn onsite_measures(input: &OnsiteMeasuresInput) -> Result<DocumentModel, DocgenError> {
    check_common(&input.doc_id, &input.agency, &input.party, &input.inspectors)?;
    non_empty_list("违法违规行为和事故隐患", &input.violations)?;
    non_empty_list("现场处理决定", &input.measures)?;
    required("处理依据", &input.basis)?;
    required("诉讼法院", &input.agency.court)?;
    let f = frame(ONSITE_MEASURES, &input.agency, input.seq, input.date)?;
    let blocks = vec![
        line(format!("{}：", input.party.name)),
        para(format!(
            "本局于{}在对你单位进行检查时，发现你单位存在下列违法违规行为和事故隐患：",
            zh_date(input.inspected_on)
        )),
        Block::Items { items: input.violations.clone() },
        para(format!("依据{}的规定，现作出如下现场处理决定：", input.basis)),
        Block::Items { items: input.measures.clone() },
        para(appeal_clause(&input.agency)),
    ];
    let mut sigs = officer_signatures(&input.inspectors);
    sigs.push(Signature::party("被检查单位负责人（签名）"));
    Ok(doc(&input.doc_id, ONSITE_MEASURES, &input.agency, input.date, f, blocks, sigs))
}

// ---------------------------------------------------------------------------------------------
// 查封扣押决定书

/// Input of a 查封扣押决定书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeizureDecisionInput {
    /// Document id.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号.
    pub seq: u32,
    /// 当事人.
    pub party: Party,
    /// 发现的问题 (one sentence, after 经查，你单位).
    pub problem: String,
    /// 依据, e.g. 《中华人民共和国安全生产法》第六十五条第一款第（四）项、《中华人民共和国行政强制法》第二十四条.
    pub basis: String,
    /// 行政强制措施: 查封 or 扣押 with its object, e.g. `对你单位二号仓库予以查封`.
    pub measure: String,
    /// 附件：查封扣押清单编号.
    pub list_number: String,
    /// Extended by approval to 60 days (行政强制法第二十五条).
    pub extended: bool,
    /// Decision date; the period starts here.
    pub date: NaiveDate,
}

/// Builds a 查封扣押决定书; the period ends by `zhifa_core::deadline` (30 days, 60 when extended).
pub fn seizure_decision(input: &SeizureDecisionInput) -> Result<DocumentModel, DocgenError> {
    required("文书编号（内部）", &input.doc_id)?;
    required("当事人", &input.party.name)?;
    required("发现的问题", &input.problem)?;
    required("依据", &input.basis)?;
    required("行政强制措施", &input.measure)?;
    required("查封扣押清单编号", &input.list_number)?;
    required("诉讼法院", &input.agency.court)?;
    let end = calculator().seizure_end(input.date, input.extended, 0).map_err(seed_err)?;
    let f = frame(SEIZURE_DECISION, &input.agency, input.seq, input.date)?;
    let blocks = vec![
        line(format!("{}：", input.party.name)),
        para(format!("经查，你单位{}", input.problem)),
        para(format!(
            "依据{}的规定，本局决定{}，期限为自{}至{}。",
            input.basis,
            input.measure,
            zh_date(input.date),
            zh_date(end.due)
        )),
        para(format!("附件：查封扣押清单（编号：{}）", input.list_number)),
        para(appeal_clause(&input.agency)),
    ];
    Ok(doc(&input.doc_id, SEIZURE_DECISION, &input.agency, input.date, f, blocks, Vec::new()))
}

// ---------------------------------------------------------------------------------------------
// Approval forms (立案审批表, 结案审批表)

/// An approval opinion with the approver's role; `text` empty = written by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// Opinion text (empty: a blank to fill in by hand).
    pub text: String,
}

fn opinion_row(label: &str, text: &str, signer: &str) -> Vec<Cell> {
    vec![
        Cell::label(label),
        Cell::value(text)
            .span(3)
            .space(if text.is_empty() { 14 } else { 4 })
            .signed(vec![format!("{signer}（签名）：{BLANK}{HAND_DATE}")]),
    ]
}

fn handler_lines(inspectors: &[Inspector; 2]) -> Vec<String> {
    let mut lines: Vec<String> =
        inspectors.iter().map(|i| format!("承办人（签名）：{BLANK}执法证号：{}", i.cert_no)).collect();
    lines.push(HAND_DATE.to_owned());
    lines
}

/// Input of a 立案审批表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRegistrationInput {
    /// Document id.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号 (the case's documents share it).
    pub seq: u32,
    /// 案由.
    pub cause: String,
    /// 案件来源, e.g. 监督检查.
    pub source: String,
    /// 时间 the case came to notice.
    pub source_date: NaiveDate,
    /// 案件名称.
    pub case_name: String,
    /// 当事人 (name, 电话, 法定代表人/负责人, 地址).
    pub party: Party,
    /// 邮政编码.
    pub party_postcode: String,
    /// 案件基本情况.
    pub summary: String,
    /// 承办人意见.
    pub handler_opinion: String,
    /// The two 承办人.
    pub handlers: [Inspector; 2],
    /// 审核意见 (empty: by hand).
    pub review: Opinion,
    /// 审批意见 (empty: by hand).
    pub approval: Opinion,
    /// Date of the form.
    pub date: NaiveDate,
}

/// Builds a 立案审批表 (no seal; 承办人 ×2 with 执法证号, 审核人, 审批人).
pub fn case_registration(input: &CaseRegistrationInput) -> Result<DocumentModel, DocgenError> {
    check_common(&input.doc_id, &input.agency, &input.party, &input.handlers)?;
    for (field, v) in [
        ("案由", &input.cause),
        ("案件来源", &input.source),
        ("案件名称", &input.case_name),
        ("案件基本情况", &input.summary),
        ("承办人意见", &input.handler_opinion),
    ] {
        required(field, v)?;
    }
    let f = frame(CASE_REGISTRATION, &input.agency, input.seq, input.date)?;
    let p = &input.party;
    let rows = vec![
        vec![Cell::label("案由"), Cell::value(&input.cause).span(3)],
        vec![
            Cell::label("案件来源"),
            Cell::value(&input.source),
            Cell::label("时间"),
            Cell::value(&zh_date(input.source_date)),
        ],
        vec![Cell::label("案件名称"), Cell::value(&input.case_name).span(3)],
        vec![Cell::label("当事人"), Cell::value(&p.name), Cell::label("电话"), Cell::value(&p.phone)],
        vec![Cell::label("法定代表人/负责人"), Cell::value(&p.legal_rep).span(3)],
        vec![
            Cell::label("当事人地址"),
            Cell::value(&p.address),
            Cell::label("邮政编码"),
            Cell::value(&input.party_postcode),
        ],
        vec![Cell::label("案件基本情况"), Cell::value(&input.summary).span(3)],
        vec![
            Cell::label("承办人意见"),
            Cell::value(&input.handler_opinion).span(3).space(2).signed(handler_lines(&input.handlers)),
        ],
        opinion_row("审核意见", &input.review.text, "审核人"),
        opinion_row("审批意见", &input.approval.text, "审批人"),
    ];
    let blocks = vec![Block::Grid { widths: vec![3, 5, 2, 4], rows }];
    Ok(doc(&input.doc_id, CASE_REGISTRATION, &input.agency, input.date, f, blocks, Vec::new()))
}

/// Input of a 结案审批表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseClosingInput {
    /// Document id.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号 (the case's).
    pub seq: u32,
    /// 案件名称.
    pub case_name: String,
    /// 当事人 (单位).
    pub party: Party,
    /// 处理结果.
    pub result: String,
    /// 执行情况.
    pub execution: String,
    /// The two 承办人.
    pub handlers: [Inspector; 2],
    /// 审核意见 (empty: by hand).
    pub review: Opinion,
    /// 审批意见 (empty: by hand).
    pub approval: Opinion,
    /// Date of the form.
    pub date: NaiveDate,
}

/// Builds a 结案审批表.
pub fn case_closing(input: &CaseClosingInput) -> Result<DocumentModel, DocgenError> {
    check_common(&input.doc_id, &input.agency, &input.party, &input.handlers)?;
    required("案件名称", &input.case_name)?;
    required("处理结果", &input.result)?;
    required("执行情况", &input.execution)?;
    let f = frame(CASE_CLOSING, &input.agency, input.seq, input.date)?;
    let p = &input.party;
    let rows = vec![
        vec![Cell::label("案件名称"), Cell::value(&input.case_name).span(3)],
        vec![Cell::label("当事人基本情况").span(4)],
        vec![Cell::label("单位名称"), Cell::value(&p.name).span(3)],
        vec![Cell::label("地址"), Cell::value(&p.address).span(3)],
        vec![
            Cell::label("法定代表人（负责人）"),
            Cell::value(&p.legal_rep),
            Cell::label("职务"),
            Cell::value(&p.position),
        ],
        vec![Cell::label("联系电话"), Cell::value(&p.phone).span(3)],
        vec![Cell::label("处理结果"), Cell::value(&input.result).span(3)],
        vec![Cell::label("执行情况"), Cell::value(&input.execution).span(3)],
        vec![Cell::label("承办人"), Cell::value("").span(3).signed(handler_lines(&input.handlers))],
        opinion_row("审核意见", &input.review.text, "审核人"),
        opinion_row("审批意见", &input.approval.text, "审批人"),
    ];
    let blocks = vec![Block::Grid { widths: vec![3, 5, 2, 4], rows }];
    Ok(doc(&input.doc_id, CASE_CLOSING, &input.agency, input.date, f, blocks, Vec::new()))
}

// ---------------------------------------------------------------------------------------------
// 询问笔录

/// 被询问人.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interviewee {
    /// 姓名.
    pub name: String,
    /// 性别.
    pub sex: String,
    /// 年龄.
    pub age: u32,
    /// 身份证号.
    pub id_number: String,
    /// 工作单位.
    pub employer: String,
    /// 职务.
    pub position: String,
    /// 住址.
    pub address: String,
    /// 电话.
    pub phone: String,
}

/// Input of a 询问笔录.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewRecordInput {
    /// Document id.
    pub doc_id: String,
    /// Bureau of the officers.
    pub agency: Agency,
    /// 询问时间 start.
    pub start: NaiveDateTime,
    /// 询问时间 end.
    pub end: NaiveDateTime,
    /// 第几次询问 (1-based).
    pub round: u32,
    /// 询问地点.
    pub place: String,
    /// 被询问人.
    pub interviewee: Interviewee,
    /// 询问人 (the first officer) and 记录人 (the second).
    pub officers: [Inspector; 2],
    /// 在场人 (empty: 无).
    pub present: String,
    /// 问/答 after the identification.
    pub qa: Vec<QaPair>,
}

/// The 表明身份及告知权利义务语 of a 询问笔录 (2016 式样 with 应急管理局).
pub fn interview_notice(agency: &str, officers: &[Inspector; 2]) -> String {
    format!(
        "我们是{agency}的执法人员{}、{}，证件号码为{}、{}，这是我们的证件（出示证件）。现依法向你进行询问调查，你有如实回答问题的义务，也有陈述、申辩和申请回避的权利。你听清楚了吗？",
        officers[0].name, officers[1].name, officers[0].cert_no, officers[1].cert_no
    )
}

/// Builds a 询问笔录 (unnumbered, no seal; 被询问人 signs every page).
pub fn interview_record(input: &InterviewRecordInput) -> Result<DocumentModel, DocgenError> {
    required("文书编号（内部）", &input.doc_id)?;
    required("询问地点", &input.place)?;
    let w = &input.interviewee;
    required("被询问人姓名", &w.name)?;
    for o in &input.officers {
        required("执法人员姓名", &o.name)?;
        required("执法证号", &o.cert_no)?;
    }
    if input.officers[0].cert_no == input.officers[1].cert_no {
        return Err(DocgenError::InvalidInput {
            field: "执法人员",
            reason: "询问须由两名不同的执法人员进行（行政处罚法第四十二条）".into(),
        });
    }
    if input.end < input.start {
        return Err(DocgenError::InvalidInput {
            field: "询问时间", reason: "结束时间早于开始时间".into()
        });
    }
    if input.qa.is_empty() {
        return Err(DocgenError::InvalidInput { field: "询问记录", reason: "至少记录一问一答".into() });
    }
    let date = input.start.date();
    let f = frame(INTERVIEW_RECORD, &input.agency, 0, date)?;
    let officer = |i: &Inspector| format!("{}  {}执法人员", i.name, input.agency.name);
    let rows = vec![
        vec![Cell::label("询问时间"), Cell::value(&zh_time_range(input.start, input.end)).span(3)],
        vec![
            Cell::label("询问次数"),
            Cell::value(&format!("第{}次询问", input.round)),
            Cell::label("询问地点"),
            Cell::value(&input.place),
        ],
        vec![Cell::label("被询问人"), Cell::value(&w.name), Cell::label("性别"), Cell::value(&w.sex)],
        vec![
            Cell::label("年龄"),
            Cell::value(&format!("{}岁", w.age)),
            Cell::label("身份证号"),
            Cell::value(&w.id_number),
        ],
        vec![Cell::label("工作单位"), Cell::value(&w.employer), Cell::label("职务"), Cell::value(&w.position)],
        vec![Cell::label("住址"), Cell::value(&w.address), Cell::label("电话"), Cell::value(&w.phone)],
        vec![Cell::label("询问人"), Cell::value(&officer(&input.officers[0])).span(3)],
        vec![Cell::label("记录人"), Cell::value(&officer(&input.officers[1])).span(3)],
        vec![Cell::label("在场人"), Cell::value(if input.present.is_empty() { "无" } else { &input.present }).span(3)],
    ];
    let mut qa = vec![QaPair { q: interview_notice(&input.agency.name, &input.officers), a: "听清楚了。".into() }];
    qa.extend(input.qa.iter().cloned());
    qa.push(QaPair {
        q: "以上笔录你看一下，与你所说的是否一致？".into(),
        a: "以上笔录我已看过，与我说的一致。".into(),
    });
    let blocks = vec![Block::Grid { widths: vec![2, 5, 2, 5], rows }, Block::Qa { items: qa }];
    let sigs = vec![
        Signature::party("询问人（签名）"),
        Signature::party("记录人（签名）"),
        Signature::party("被询问人（签名）"),
    ];
    let DocumentModel::Generic(mut g) = doc(&input.doc_id, INTERVIEW_RECORD, &input.agency, date, f, blocks, sigs)
    else {
        unreachable!("doc() builds a generic document")
    };
    g.page_sign = Some(format!("被询问人（签名）：{BLANK}{HAND_DATE}"));
    Ok(DocumentModel::Generic(g))
}

// ---------------------------------------------------------------------------------------------
// 行政处罚告知书, 行政处罚听证告知书, 行政处罚决定书（单位）

/// The facts and law of a penalty case (shared by the 告知书s and the 决定书).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyCase {
    /// 违法事实 (one or more sentences, after 经查，你单位).
    pub facts: String,
    /// 主要证据 (listed, joined with 、).
    pub evidence: Vec<String>,
    /// 违反的规定, e.g. 《中华人民共和国安全生产法》第二十八条第一款.
    pub violated: String,
    /// 处罚依据, e.g. 《中华人民共和国安全生产法》第九十七条第（三）项.
    pub basis: String,
    /// 罚款 in fen (0.01 元), if any.
    pub fine_fen: Option<u64>,
    /// Other penalties (警告, 责令停产停业整顿 …).
    pub other: Vec<String>,
}

impl PenaltyCase {
    /// `罚款人民币陆万元整（￥60,000.00）`, other penalties joined with `，`.
    pub fn penalty_text(&self) -> String {
        let mut parts: Vec<String> = self.fine_fen.map(|f| format!("罚款{}", money_full(f))).into_iter().collect();
        parts.extend(self.other.iter().cloned());
        parts.join("，")
    }

    fn validate(&self) -> Result<(), DocgenError> {
        required("违法事实", &self.facts)?;
        non_empty_list("主要证据", &self.evidence)?;
        required("违反的规定", &self.violated)?;
        required("处罚依据", &self.basis)?;
        if self.fine_fen.is_none_or(|f| f == 0) && self.other.is_empty() {
            return Err(DocgenError::InvalidInput { field: "行政处罚", reason: "未写明处罚内容".into() });
        }
        Ok(())
    }

    fn facts_paragraphs(&self, tense: &str) -> Vec<Block> {
        vec![
            para(format!("经查，你单位{}", self.facts)),
            para(format!("以上事实有{}等证据为证。", self.evidence.join("、"))),
            para(format!(
                "你单位的上述行为违反了{}的规定，依据{}的规定，本局{}对你单位作出{}的行政处罚。",
                self.violated,
                self.basis,
                tense,
                self.penalty_text()
            )),
        ]
    }
}

/// The bureau's contact block of a 告知书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyContact {
    /// 机关地址.
    pub address: String,
    /// 联系人.
    pub contact: String,
    /// 联系电话.
    pub phone: String,
    /// 邮政编码.
    pub postcode: String,
}

/// Input of a 行政处罚告知书 or 行政处罚听证告知书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyNoticeInput {
    /// Document id.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号 (the case's).
    pub seq: u32,
    /// 当事人.
    pub party: Party,
    /// Facts, law and the proposed penalty.
    pub case: PenaltyCase,
    /// Contact block.
    pub contact: AgencyContact,
    /// Issue date.
    pub date: NaiveDate,
}

fn notice(input: &PenaltyNoticeInput, name: &str, rights: String) -> Result<DocumentModel, DocgenError> {
    required("文书编号（内部）", &input.doc_id)?;
    required("当事人", &input.party.name)?;
    input.case.validate()?;
    let c = &input.contact;
    for (field, v) in
        [("机关地址", &c.address), ("联系人", &c.contact), ("联系电话", &c.phone), ("邮政编码", &c.postcode)]
    {
        required(field, v)?;
    }
    let f = frame(name, &input.agency, input.seq, input.date)?;
    let mut blocks = vec![line(format!("{}：", input.party.name))];
    blocks.extend(input.case.facts_paragraphs("拟"));
    blocks.push(para(rights));
    blocks.push(line(format!("本局地址：{}", c.address)));
    blocks.push(line(format!("联系人：{}　　联系电话：{}　　邮政编码：{}", c.contact, c.phone, c.postcode)));
    Ok(doc(&input.doc_id, name, &input.agency, input.date, f, blocks, Vec::new()))
}

/// Builds a 行政处罚告知书: 陈述、申辩 within the period of D-STATEMENT-DEFENSE (3 working days,
/// 行政处罚法第四十四条、第四十五条; the 2016 form cited 1996 第三十一条、第三十二条).
pub fn penalty_notice(input: &PenaltyNoticeInput) -> Result<DocumentModel, DocgenError> {
    let days = period_text(RuleId::StatementDefense)?;
    notice(
        input,
        PENALTY_NOTICE,
        format!(
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你单位有权进行陈述和申辩。如有陈述、申辩意见，请于收到本告知书之日起{days}内向本局提出，逾期未提出的，视为放弃陈述和申辩的权利。"
        ),
    )
}

/// Builds a 行政处罚听证告知书: hearing request within the period of D-HEARING-REQUEST
/// (5 working days, 行政处罚法第六十三条、第六十四条; the 2016 form printed 3日 and cited 1996 第四十二条).
pub fn hearing_notice(input: &PenaltyNoticeInput) -> Result<DocumentModel, DocgenError> {
    let days = period_text(RuleId::HearingRequest)?;
    notice(
        input,
        HEARING_NOTICE,
        format!(
            "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你单位有要求举行听证的权利。如你单位要求听证，应当在本局告知后{days}内提出，逾期未提出的，视为放弃听证的权利。"
        ),
    )
}

/// Input of a 行政处罚决定书（单位）.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyDecisionInput {
    /// Document id.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号 (the case's).
    pub seq: u32,
    /// 被处罚单位 with 地址, 法定代表人（负责人）, 职务, 联系电话.
    pub party: Party,
    /// 邮政编码.
    pub party_postcode: String,
    /// Facts, law and the penalty.
    pub case: PenaltyCase,
    /// 罚款缴至 (bank).
    pub bank: String,
    /// 账号.
    pub account: String,
    /// Decision date.
    pub date: NaiveDate,
}

/// Builds a 行政处罚决定书（单位） with every item of 行政处罚法第五十九条: identity, facts and
/// evidence, kind and basis, how and by when to pay (D-PAYMENT-15D, 3 % surcharge of
/// D-LATE-FEE-3PCT, 第六十七条、第七十二条), appeal routes, agency, date and seal.
pub fn penalty_decision_org(input: &PenaltyDecisionInput) -> Result<DocumentModel, DocgenError> {
    required("文书编号（内部）", &input.doc_id)?;
    required("被处罚单位", &input.party.name)?;
    required("地址", &input.party.address)?;
    required("诉讼法院", &input.agency.court)?;
    input.case.validate()?;
    if input.case.fine_fen.is_some() {
        required("罚款缴至", &input.bank)?;
        required("账号", &input.account)?;
    }
    let rules = calculator().rules();
    let pay = period_text(RuleId::Payment)?;
    let rate = rules.get(RuleId::LateFee).map_err(seed_err)?.rate_per_day_bp.unwrap_or(300);
    let f = frame(PENALTY_DECISION_ORG, &input.agency, input.seq, input.date)?;
    let p = &input.party;
    let rows = vec![
        vec![Cell::label("被处罚单位"), Cell::value(&p.name).span(3)],
        vec![Cell::label("地址"), Cell::value(&p.address), Cell::label("邮政编码"), Cell::value(&input.party_postcode)],
        vec![
            Cell::label("法定代表人（负责人）"),
            Cell::value(&p.legal_rep),
            Cell::label("职务"),
            Cell::value(&p.position),
        ],
        vec![Cell::label("联系电话"), Cell::value(&p.phone).span(3)],
    ];
    let mut blocks = vec![Block::Grid { widths: vec![4, 6, 2, 3], rows }];
    let c = &input.case;
    blocks.push(Block::Heading { text: "违法事实及证据：".into() });
    blocks.push(para(format!("经查，你单位{}", c.facts)));
    blocks.push(para(format!("以上事实有{}等证据为证。", c.evidence.join("、"))));
    blocks.push(para(format!(
        "你单位的上述行为违反了{}的规定，依据{}的规定，本局决定对你单位作出如下行政处罚：{}。",
        c.violated,
        c.basis,
        c.penalty_text()
    )));
    if c.fine_fen.is_some() {
        blocks.push(para(format!(
            "罚款自收到本决定书之日起{pay}内缴至{}，账号：{}。到期不缴纳罚款的，本局可以每日按罚款数额的{}%加处罚款，加处罚款的数额不得超出罚款的数额。",
            input.bank,
            input.account,
            rate as f64 / 100.0
        )));
    }
    blocks.push(para(appeal_clause(&input.agency)));
    blocks.push(para("逾期不申请行政复议、不提起行政诉讼又不履行本决定的，本局将依法申请人民法院强制执行。"));
    Ok(doc(&input.doc_id, PENALTY_DECISION_ORG, &input.agency, input.date, f, blocks, Vec::new()))
}

// ---------------------------------------------------------------------------------------------
// 文书送达回执

/// One served document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServedDocument {
    /// 送达文书名称、文号, e.g. `行政处罚决定书（离）应急罚〔2026〕15号`.
    pub title_and_number: String,
    /// 送达地点.
    pub place: String,
    /// 送达日期 (None: written by hand).
    pub date: Option<NaiveDate>,
    /// 送达方式 (直接送达, 留置送达, 邮寄送达 …).
    pub method: String,
    /// 送达人 (names).
    pub servers: String,
}

/// Input of a 文书送达回执 (one per case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceReceiptInput {
    /// Document id.
    pub doc_id: String,
    /// Issuing bureau.
    pub agency: Agency,
    /// 序号 (the case's).
    pub seq: u32,
    /// 案件名称.
    pub case_name: String,
    /// 受送达单位（个人）.
    pub recipient: String,
    /// The documents served.
    pub documents: Vec<ServedDocument>,
    /// 备注 (代收 relation, 留置送达 circumstances).
    pub remarks: String,
    /// Date of the receipt (seal date).
    pub date: NaiveDate,
}

/// Builds a 文书送达回执: a table of served documents with a blank 收件人签名或者盖章 column.
pub fn service_receipt(input: &ServiceReceiptInput) -> Result<DocumentModel, DocgenError> {
    required("文书编号（内部）", &input.doc_id)?;
    required("案件名称", &input.case_name)?;
    required("受送达单位（个人）", &input.recipient)?;
    if input.documents.is_empty() {
        return Err(DocgenError::InvalidInput { field: "送达文书名称、文号", reason: "至少一项".into() });
    }
    for d in &input.documents {
        required("送达文书名称、文号", &d.title_and_number)?;
        required("送达方式", &d.method)?;
        required("送达人", &d.servers)?;
    }
    let f = frame(SERVICE_RECEIPT, &input.agency, input.seq, input.date)?;
    let mut rows = vec![
        vec![Cell::label("案件名称"), Cell::value(&input.case_name).span(5)],
        vec![Cell::label("受送达单位（个人）"), Cell::value(&input.recipient).span(5)],
        ["送达文书名称、文号", "收件人签名或者盖章", "送达地点", "送达日期", "送达方式", "送达人"]
            .iter()
            .map(|h| Cell::label(h))
            .collect(),
    ];
    for d in &input.documents {
        rows.push(vec![
            Cell::value(&d.title_and_number),
            Cell::value("").space(10),
            Cell::value(&d.place),
            Cell::value(&d.date.map(zh_date).unwrap_or_default()),
            Cell::value(&d.method),
            Cell::value(&d.servers),
        ]);
    }
    rows.push(vec![Cell::label("备注"), Cell::value(&input.remarks).span(5).space(6)]);
    let blocks = vec![Block::Grid { widths: vec![4, 3, 3, 3, 2, 3], rows }];
    Ok(doc(&input.doc_id, SERVICE_RECEIPT, &input.agency, input.date, f, blocks, Vec::new()))
}
