//! Documents: drafts pre-filled from the inspection, page previews, and issuing.
//!
//! Issuing takes the next number of the device's leased block in the same transaction that
//! freezes the content (canonical JSON and its SHA-256 stored on the document record). An
//! issued document is read-only: it is never re-numbered or re-generated from live data;
//! every later render and print comes from the frozen content.

use base64::Engine;
use chrono::NaiveDate;
use serde::Serialize;
use zhifa_core::document::{Document, DocumentStatus};
use zhifa_core::enterprise::Enterprise;
use zhifa_core::hazard::Hazard;
use zhifa_core::ids::DocumentId;
use zhifa_core::inspection::{Answer, AnswerResult, Inspection};
use zhifa_core::officer::Officer;
use zhifa_core::org::Organisation;
use zhifa_core::workflow::InspectionStatus;
use zhifa_docgen::model::{
    self, Agency, DocumentModel, INSPECTION_RECORD, InspectionRecordInput, Inspector, OrderFindingInput, Party,
    RECTIFICATION_ORDER, RectificationOrderInput,
};

use zhifa_core::workflow::HazardStatus;
use zhifa_docgen::types::{
    ONSITE_MEASURES, OnsiteMeasuresInput, REVIEW_OPINION, ReviewOpinionInput, SERVICE_RECEIPT, ServedDocument,
    ServiceReceiptInput,
};

use crate::inspect::DEFAULT_RECTIFY_DAYS;
use crate::{App, AppError, AppResult, local_date, local_datetime};

/// Types the tablet issues from an inspection: the record, the order, on-site measures for
/// 重大事故隐患, the service receipt of what was handed over, and the 复查 opinion after the
/// order's deadlines.
pub const INSPECTION_TYPES: [&str; 5] =
    [INSPECTION_RECORD, RECTIFICATION_ORDER, ONSITE_MEASURES, SERVICE_RECEIPT, REVIEW_OPINION];

/// Legal basis of on-site measures against a 重大事故隐患 (安全生产法 2021 第六十五条第一款第（三）项).
pub const ONSITE_MEASURES_BASIS: &str = "《中华人民共和国安全生产法》第六十五条第一款第（三）项";

/// A document as the UI shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    /// Id.
    pub id: String,
    /// Type.
    pub doc_type: String,
    /// Number (issued).
    pub number: Option<String>,
    /// 草稿 / 已签发 …
    pub status: String,
    /// Whether it can still change (draft).
    pub editable: bool,
    /// Inspection.
    pub inspection_id: Option<String>,
    /// SHA-256 of the frozen content (issued).
    pub content_hash: Option<String>,
    /// Times printed completely.
    pub printed: usize,
}

/// Rendered pages for the preview.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// Document.
    pub document: DocumentView,
    /// Pages as `data:image/png;base64,…`.
    pub pages: Vec<String>,
    /// QR payload.
    pub qr_payload: String,
}

/// Everything of a model except the number, gathered before the write transaction.
enum Pending {
    Record(InspectionRecordInput),
    Order(RectificationOrderInput, Vec<(Hazard, NaiveDate)>),
    Review(ReviewOpinionInput),
    Measures(OnsiteMeasuresInput),
    Receipt(ServiceReceiptInput),
}

impl Pending {
    fn build(&mut self, seq: u32) -> Result<DocumentModel, zhifa_docgen::DocgenError> {
        match self {
            Self::Record(i) => {
                i.seq = seq;
                model::inspection_record(i)
            }
            Self::Order(i, _) => {
                i.seq = seq;
                model::rectification_order(i)
            }
            Self::Review(i) => {
                i.seq = seq;
                zhifa_docgen::types::review_opinion(i)
            }
            Self::Measures(i) => {
                i.seq = seq;
                zhifa_docgen::types::onsite_measures(i)
            }
            Self::Receipt(i) => {
                i.seq = seq;
                zhifa_docgen::types::service_receipt(i)
            }
        }
    }
}

impl App {
    fn document(&self, id: &str) -> AppResult<Document> {
        self.replica.get(id)?.ok_or_else(|| AppError::rule("NOT_FOUND", "未找到该文书"))
    }

    pub(crate) fn document_view(&self, d: &Document) -> AppResult<DocumentView> {
        let printed = self
            .replica
            .print_jobs_of(&d.id.to_string())?
            .iter()
            .filter(|j| j.state == zhifa_store::PrintState::Done)
            .count();
        Ok(DocumentView {
            id: d.id.to_string(),
            doc_type: d.doc_type.clone(),
            number: d.number.clone(),
            status: crate::browse::document_status_label(d).to_owned(),
            editable: d.status == DocumentStatus::Draft,
            inspection_id: d.inspection.map(|i| i.to_string()),
            content_hash: d.content_hash.clone(),
            printed,
        })
    }

    /// Documents of an inspection.
    pub fn documents_of(&self, inspection_id: &str) -> AppResult<Vec<DocumentView>> {
        self.officer()?;
        let docs: Vec<Document> = self.replica.list_by("inspection", inspection_id)?;
        docs.iter().map(|d| self.document_view(d)).collect()
    }

    /// Creates (or returns the existing) draft of a type for an inspection.
    pub fn prepare_document(&mut self, inspection_id: &str, doc_type: &str) -> AppResult<DocumentView> {
        self.officer()?;
        if !INSPECTION_TYPES.contains(&doc_type) {
            return Err(AppError::rule("DOC_TYPE_UNSUPPORTED", format!("平板暂不能从检查生成“{doc_type}”")));
        }
        let i = self.inspection(inspection_id)?;
        if doc_type == RECTIFICATION_ORDER {
            let hazards: Vec<Hazard> = self.replica.list_by("inspection", inspection_id)?;
            if hazards.is_empty() {
                return Err(AppError::rule("NO_HAZARDS", "本次检查没有不符合项，无需下达责令限期整改指令书"));
            }
        }
        let docs: Vec<Document> = self.replica.list_by("inspection", inspection_id)?;
        if doc_type == ONSITE_MEASURES {
            let hazards: Vec<Hazard> = self.replica.list_by("inspection", inspection_id)?;
            if !hazards.iter().any(|h| h.major) {
                return Err(AppError::rule("NO_MAJOR_HAZARD", "本次检查没有重大事故隐患，无需作出现场处理措施决定"));
            }
        }
        if doc_type == SERVICE_RECEIPT
            && !docs.iter().any(|d| d.doc_type != SERVICE_RECEIPT && d.status != DocumentStatus::Draft)
        {
            return Err(AppError::rule("NOTHING_SERVED", "本次检查还没有已签发的文书，无需送达回执"));
        }
        if doc_type == REVIEW_OPINION {
            if !docs.iter().any(|d| d.doc_type == RECTIFICATION_ORDER && d.status != DocumentStatus::Draft) {
                return Err(AppError::rule("NO_ORDER", "本次检查尚未签发责令限期整改指令书，无需复查"));
            }
            let hazards: Vec<Hazard> = self.replica.list_by("inspection", inspection_id)?;
            if hazards.iter().any(|h| matches!(h.status, HazardStatus::Open | HazardStatus::ReviewRequested)) {
                return Err(AppError::rule("REVIEW_INCOMPLETE", "还有隐患未复查，请先逐项填写复查结果"));
            }
        }
        if let Some(d) = docs.iter().find(|d| d.doc_type == doc_type && d.status == DocumentStatus::Draft) {
            return self.document_view(d);
        }
        let d = self.replica.write(|w| {
            let d = Document {
                id: w.new_id::<DocumentId>(),
                doc_type: doc_type.to_owned(),
                number: None,
                status: DocumentStatus::Draft,
                inspection: Some(i.id),
                case: None,
                content_hash: None,
                corrects: None,
                content: None,
            };
            w.put(&d)?;
            Ok::<_, AppError>(d)
        })?;
        self.document_view(&d)
    }

    fn pending(&self, d: &Document) -> AppResult<Pending> {
        let i: Inspection = self.inspection(
            &d.inspection.map(|x| x.to_string()).ok_or_else(|| AppError::rule("NOT_FOUND", "文书未关联检查"))?,
        )?;
        let e: Enterprise = self
            .replica
            .get(&i.enterprise.to_string())?
            .ok_or_else(|| AppError::rule("NOT_FOUND", "未找到被检查单位（可能尚未同步）"))?;
        let org: Organisation = self
            .replica
            .get(&i.org.to_string())?
            .ok_or_else(|| AppError::rule("NOT_FOUND", "未找到执法机关（请先同步）"))?;
        let place = org.name.strip_suffix("应急管理局").unwrap_or(&org.name);
        let agency = Agency::new(&org.name, &org.short_name, &format!("{place}人民法院"));
        let party = Party {
            name: e.data.name.clone(),
            address: e.data.address.clone(),
            legal_rep: e.data.legal_rep.clone(),
            position: "法定代表人".into(),
            phone: e.data.phone.clone(),
        };
        let mut inspectors = Vec::new();
        for o in &i.officers {
            let o: Officer = self
                .replica
                .get(&o.to_string())?
                .ok_or_else(|| AppError::rule("NOT_FOUND", "未找到执法人员信息（请先同步）"))?;
            inspectors.push(Inspector { name: o.name, cert_no: o.cert_no });
        }
        let inspectors: [Inspector; 2] =
            inspectors.try_into().map_err(|_| AppError::rule("INSPECTORS", "执法文书需要两名执法人员"))?;
        let now = self.now_ms();
        let date = local_date(now);
        let hazards: Vec<Hazard> = self.replica.list_by("inspection", &i.id.to_string())?;
        let doc_id = d.id.to_string();
        if d.doc_type == INSPECTION_RECORD {
            let answers: Vec<Answer> = self.replica.list_by("inspection", &i.id.to_string())?;
            let mut findings: Vec<String> = Vec::new();
            for a in answers.iter().filter(|a| a.result == AnswerResult::NonConforming) {
                let h = hazards.iter().find(|h| h.item.as_deref() == Some(a.item.as_str()));
                let text = h.map(|h| h.description.clone()).unwrap_or_else(|| a.note.clone());
                let major = if h.is_some_and(|h| h.major) { "（重大事故隐患）" } else { "" };
                findings.push(format!("{text}{major}"));
            }
            if findings.is_empty() {
                let n = answers.iter().filter(|a| a.result == AnswerResult::Conforming).count();
                findings.push(format!("经对{n}项检查事项逐项检查，未发现安全生产违法违规行为和事故隐患。"));
            }
            let start = i.started_at.unwrap_or_else(|| local_datetime(now));
            Ok(Pending::Record(InspectionRecordInput {
                doc_id,
                agency,
                seq: 0,
                party,
                place: i.place.clone(),
                start,
                end: i.ended_at.unwrap_or_else(|| local_datetime(now)).max(start),
                inspectors,
                findings,
                date,
            }))
        } else if d.doc_type == ONSITE_MEASURES {
            let major: Vec<&Hazard> = hazards.iter().filter(|h| h.major).collect();
            let mut measures: Vec<String> = Vec::new();
            for h in &major {
                if let Some(item) = h.item.as_deref().map(|id| self.replica.check_item(id)).transpose()?.flatten()
                    && !item.onsite_measure.trim().is_empty()
                    && !measures.contains(&item.onsite_measure)
                {
                    measures.push(item.onsite_measure.clone());
                }
            }
            if measures.is_empty() {
                measures.push(
                    "责令立即从危险区域内撤出作业人员，暂时停止使用相关设施、设备，排除隐患后经复查合格方可恢复".into(),
                );
            }
            Ok(Pending::Measures(OnsiteMeasuresInput {
                doc_id,
                agency,
                seq: 0,
                party,
                inspected_on: i.started_at.map(|t| t.date()).unwrap_or(date),
                violations: major.iter().map(|h| format!("{}（重大事故隐患）", h.description)).collect(),
                basis: ONSITE_MEASURES_BASIS.to_owned(),
                measures,
                inspectors,
                date,
            }))
        } else if d.doc_type == SERVICE_RECEIPT {
            let docs: Vec<Document> = self.replica.list_by("inspection", &i.id.to_string())?;
            let servers = inspectors.iter().map(|x| x.name.clone()).collect::<Vec<_>>().join("、");
            let documents = docs
                .iter()
                .filter(|x| x.doc_type != SERVICE_RECEIPT && x.status != DocumentStatus::Draft)
                .map(|x| ServedDocument {
                    title_and_number: format!("{}{}", x.doc_type, x.number.clone().unwrap_or_default()),
                    place: i.place.clone(),
                    date: Some(date),
                    method: "直接送达".into(),
                    servers: servers.clone(),
                })
                .collect();
            Ok(Pending::Receipt(ServiceReceiptInput {
                doc_id,
                agency,
                seq: 0,
                case_name: format!("{}安全生产监督检查", party.name),
                recipient: party.name.clone(),
                documents,
                remarks: String::new(),
                date,
            }))
        } else if d.doc_type == REVIEW_OPINION {
            let docs: Vec<Document> = self.replica.list_by("inspection", &i.id.to_string())?;
            let order = docs
                .iter()
                .find(|x| x.doc_type == RECTIFICATION_ORDER && x.status != DocumentStatus::Draft)
                .ok_or_else(|| AppError::rule("NO_ORDER", "本次检查尚未签发责令限期整改指令书，无需复查"))?;
            let order_model = self.document_model(&order.id.to_string())?;
            let original_date = match &order_model {
                DocumentModel::RectificationOrder(o) => {
                    NaiveDate::from_ymd_opt(o.date.year, o.date.month, o.date.day).unwrap_or(date)
                }
                _ => date,
            };
            let opinions = hazards
                .iter()
                .enumerate()
                .map(|(n, h)| {
                    let verdict = match (h.status, h.reviewed_on) {
                        (HazardStatus::Rectified, Some(on)) => {
                            format!("经{}复查，已整改完毕。", zhifa_docgen::zh_date(on))
                        }
                        (HazardStatus::Rectified, None) => "经复查，已整改完毕。".to_owned(),
                        _ => "经复查，未按要求整改完毕，本局将依法处理。".to_owned(),
                    };
                    format!("第{}项（{}）：{verdict}", n + 1, h.description)
                })
                .collect();
            Ok(Pending::Review(ReviewOpinionInput {
                doc_id,
                agency,
                seq: 0,
                party: Party { position: "负责人".into(), ..party },
                original_date,
                original_title: RECTIFICATION_ORDER.to_owned(),
                original_number: order.number.clone().unwrap_or_default(),
                opinions,
                inspectors,
                date: date.max(original_date),
            }))
        } else {
            let mut with_deadlines = Vec::new();
            for h in hazards {
                let deadline = h.deadline.unwrap_or(date + chrono::Days::new(DEFAULT_RECTIFY_DAYS));
                with_deadlines.push((h, deadline));
            }
            let findings = with_deadlines
                .iter()
                .map(|(h, dl)| OrderFindingInput {
                    text: if h.major {
                        format!("{}（重大事故隐患）", h.description)
                    } else {
                        h.description.clone()
                    },
                    deadline: *dl,
                })
                .collect();
            Ok(Pending::Order(
                RectificationOrderInput { doc_id, agency, seq: 0, party, inspectors, findings, date },
                with_deadlines,
            ))
        }
    }

    /// The model of a document: the frozen content of an issued one, a fresh draft (number
    /// 0, marked as draft in the UI) otherwise.
    pub fn document_model(&self, id: &str) -> AppResult<DocumentModel> {
        let d = self.document(id)?;
        match (&d.status, &d.content) {
            (DocumentStatus::Draft, _) => Ok(self.pending(&d)?.build(0)?),
            (_, Some(c)) => serde_json::from_str(c)
                .map_err(|e| AppError::rule("DOC_CONTENT", format!("文书内容无法读取（{e}），请联系管理员"))),
            (_, None) => Err(AppError::rule("DOC_CONTENT", "该文书由其他设备签发，内容尚未同步到本设备")),
        }
    }

    /// Renders the pages for the preview (PNG at 1.6 px per point).
    pub fn preview_document(&mut self, id: &str) -> AppResult<Preview> {
        self.officer()?;
        let d = self.document(id)?;
        let model = self.document_model(id)?;
        let renderer = self.renderer()?;
        let (paged, qr_payload) = renderer.layout(&model)?;
        let options = typst_render::RenderOptions { pixel_per_pt: typst::utils::Scalar::new(1.6), render_bleed: false };
        let mut pages = Vec::new();
        for page in paged.pages() {
            let pixmap = typst_render::render(page, &options);
            let png = pixmap.encode_png().map_err(|e| AppError::rule("PREVIEW", format!("预览图生成失败：{e}")))?;
            pages.push(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png)));
        }
        Ok(Preview { document: self.document_view(&d)?, pages, qr_payload })
    }

    /// Issues a draft: takes the next number of the device's block, freezes the content
    /// and its hash, and (for the 指令书) writes the ordered deadlines onto the hazards.
    pub fn issue_document(&mut self, id: &str) -> AppResult<DocumentView> {
        self.officer()?;
        let d = self.document(id)?;
        if d.status != DocumentStatus::Draft {
            return Err(AppError::rule("DOC_ISSUED", "该文书已签发，不能修改或重新编号"));
        }
        let i = self.inspection(&d.inspection.map(|x| x.to_string()).unwrap_or_default())?;
        if i.status == InspectionStatus::InProgress {
            return Err(AppError::rule("INSPECTION_OPEN", "请先结束现场检查，再签发文书"));
        }
        let code = self
            .replica
            .document_types()?
            .into_iter()
            .find(|t| t.name == d.doc_type)
            .and_then(|t| t.abbr_current)
            .ok_or_else(|| AppError::rule("DOC_TYPE_UNSUPPORTED", "该文书类型没有编号代字"))?;
        let mut pending = self.pending(&d)?;
        // Refuse before taking a number what could not be printed as recorded.
        let draft = pending.build(0)?;
        self.renderer()?.check_text(&draft)?;
        let year = chrono::Datelike::year(&local_date(self.now_ms()));
        let org = i.org.to_string();
        let issued = self.replica.write(|w| {
            let seq = w.issue_number(&code, &org, year, id)?;
            let model = pending.build(seq)?;
            let content = zhifa_docgen::qr::canonical_json(&model);
            let hash = zhifa_docgen::qr::content_hash(&model);
            let doc = Document {
                number: Some(model.number().to_owned()),
                status: DocumentStatus::Issued,
                content_hash: Some(hash),
                content: Some(content),
                ..d.clone()
            };
            w.put(&doc)?;
            if let Pending::Order(_, hazards) = &pending {
                for (h, dl) in hazards {
                    if h.deadline != Some(*dl) {
                        w.put(&Hazard { deadline: Some(*dl), ..h.clone() })?;
                    }
                }
            }
            Ok::<_, AppError>(doc)
        })?;
        self.document_view(&issued)
    }

    /// Writes the PDF of a document to the data folder and returns its path.
    pub fn document_pdf(&mut self, id: &str) -> AppResult<std::path::PathBuf> {
        self.officer()?;
        let model = self.document_model(id)?;
        let pdf = self.renderer()?.render(&model)?;
        let dir = self.config.data_dir.join("documents");
        std::fs::create_dir_all(&dir).map_err(|e| AppError::io(&dir, e))?;
        let path = dir.join(format!("{id}.pdf"));
        std::fs::write(&path, &pdf.bytes).map_err(|e| AppError::io(&path, e))?;
        Ok(path)
    }
}
