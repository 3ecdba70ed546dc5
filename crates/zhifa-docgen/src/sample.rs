//! Sample documents from the deterministic 吕梁 demo data (`zhifa_seed::demo::generate`):
//! for `zhifa doc render --sample`, the golden tests and the bench. Fictitious data.

use chrono::{Datelike, NaiveDate};
use zhifa_core::officer::Officer;
use zhifa_core::org::OrgKind;
use zhifa_seed::demo::{self, DemoSize};

use crate::error::DocgenError;
use crate::form::QaPair;
use crate::model::{
    self, Agency, DocumentModel, INSPECTION_RECORD, InspectionRecordInput, Inspector, OrderFindingInput, Party,
    RECTIFICATION_ORDER, RectificationOrderInput,
};
use crate::types::{
    self, AgencyContact, CaseClosingInput, CaseRegistrationInput, InterviewRecordInput, Interviewee,
    OnsiteMeasuresInput, Opinion, PenaltyCase, PenaltyDecisionInput, PenaltyNoticeInput, ReviewOpinionInput,
    SeizureDecisionInput, ServedDocument, ServiceReceiptInput,
};
use crate::zh::money_full;

/// Seed of the sample demo set.
pub const SAMPLE_SEED: u64 = 2026;

/// Fictitious but typical problems found in an inspection (at most 12 samples); the cited
/// articles are those of 安全生产法 as amended in 2021.
pub const SAMPLE_FINDINGS: [&str; 12] = [
    "企业未按规定对新入职员工进行三级安全生产教育和培训，培训档案不完整，违反了《中华人民共和国安全生产法》第二十八条第一款的规定。",
    "二号车间配电箱未设置防护门，箱内线路私拉乱接，未张贴安全警示标志，违反了《中华人民共和国安全生产法》第三十五条的规定。",
    "危险化学品仓库部分灭火器压力不足已失效，未定期进行维护、保养和检测，违反了《中华人民共和国安全生产法》第三十六条第一款的规定。",
    "有限空间作业未执行“先通风、再检测、后作业”的要求，现场未配备气体检测仪器，作业人员未佩戴安全带和呼吸器。",
    "全员安全生产责任制未涵盖车间主任、班组长等岗位，岗位安全职责不明确，违反了《中华人民共和国安全生产法》第二十二条的规定。",
    "未按规定组织生产安全事故应急救援预案演练，2026年度演练记录缺失，违反了《中华人民共和国安全生产法》第八十一条的规定。",
    "叉车司机未取得特种作业操作证即上岗作业，违反了《中华人民共和国安全生产法》第三十条第一款的规定。",
    "厂区主要疏散通道堆放成品货物，东侧安全出口被锁闭，违反了《中华人民共和国安全生产法》第四十二条第二款的规定。",
    "隐患排查治理台账未如实记录，上次检查发现的问题未闭环整改，违反了《中华人民共和国安全生产法》第四十一条第二款的规定。",
    "劳动防护用品发放台账不全，粉尘作业岗位员工未佩戴防尘口罩，违反了《中华人民共和国安全生产法》第四十五条的规定。",
    "粉尘爆炸危险场所除尘系统未按规定采取防静电接地措施，除尘器泄爆口朝向人员密集区域。",
    "动火作业未办理动火审批手续，作业现场未安排专门人员进行现场安全管理，违反了《中华人民共和国安全生产法》第四十三条的规定。",
];

/// The fixed sample date (2026-11-29).
pub fn sample_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
}

/// Agency, party and two inspectors from the demo set: the first enterprise, the bureau of
/// its county and two active officers of that bureau.
pub fn sample_parties() -> Result<(Agency, Party, [Inspector; 2]), DocgenError> {
    let reference = zhifa_seed::reference()
        .map_err(|e| DocgenError::InvalidInput { field: "种子数据", reason: e.to_string() })?;
    let area = &reference.area;
    let demo = demo::generate(area, SAMPLE_SEED, DemoSize { enterprises: 13, officers_per_county: 3 });
    let missing = |what: &str| DocgenError::InvalidInput {
        field: "示例数据", reason: format!("演示数据中没有{what}")
    };
    let ent = demo.enterprises.first().ok_or_else(|| missing("企业"))?;
    let org = demo
        .organisations
        .iter()
        .find(|o| o.kind == OrgKind::CountyBureau && o.division_code == ent.county_code)
        .ok_or_else(|| missing("县级应急管理局"))?;
    let officers: Vec<&Officer> = demo.officers.iter().filter(|o| o.org == org.id && o.active).take(2).collect();
    let [a, b] = officers.as_slice() else { return Err(missing("两名执法人员")) };
    let place = org.name.strip_suffix("应急管理局").unwrap_or(&org.name);
    let agency = Agency::new(&org.name, &org.short_name, &format!("{place}人民法院"));
    let party = Party {
        name: ent.name.clone(),
        address: ent.address.clone(),
        legal_rep: ent.legal_rep.clone(),
        position: "总经理".to_owned(),
        phone: ent.phone.clone(),
    };
    let inspector = |o: &Officer| Inspector { name: o.name.clone(), cert_no: o.cert_no.clone() };
    Ok((agency, party, [inspector(a), inspector(b)]))
}

/// Sample 现场检查记录 with `findings` items (1..=12).
pub fn inspection_record(findings: usize) -> Result<DocumentModel, DocgenError> {
    let (agency, party, inspectors) = sample_parties()?;
    let date = sample_date();
    let at = |h, m| date.and_hms_opt(h, m, 0).unwrap_or_default();
    model::inspection_record(&InspectionRecordInput {
        doc_id: "sample-inspection-record".to_owned(),
        agency,
        seq: 15,
        place: format!("{}生产车间、仓库及配电室", party.name),
        party,
        start: at(9, 30),
        end: at(11, 5),
        inspectors,
        findings: SAMPLE_FINDINGS.iter().take(findings.clamp(1, 12)).map(|s| (*s).to_owned()).collect(),
        date,
    })
}

/// Sample 责令限期整改指令书 with `findings` problems (1..=12); every third problem has a
/// later deadline so the order sentence shows two groups.
pub fn rectification_order(findings: usize) -> Result<DocumentModel, DocgenError> {
    let (agency, party, inspectors) = sample_parties()?;
    let date = sample_date();
    let first = NaiveDate::from_ymd_opt(2026, 12, 29).unwrap_or_default();
    let later = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap_or_default();
    model::rectification_order(&RectificationOrderInput {
        doc_id: "sample-rectification-order".to_owned(),
        agency,
        seq: 15,
        party,
        inspectors,
        findings: SAMPLE_FINDINGS
            .iter()
            .take(findings.clamp(1, 12))
            .enumerate()
            .map(|(i, s)| OrderFindingInput { text: (*s).to_owned(), deadline: if i % 3 == 2 { later } else { first } })
            .collect(),
        date,
    })
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// 序号 of the sample case (立案 and the case's documents share it).
pub const SAMPLE_CASE_SEQ: u32 = 21;
/// The sample fine: 60,000 yuan, in fen (≥ 50,000 yuan, a 较大数额 for a unit where the
/// province has set no threshold, so the hearing notice applies).
pub const SAMPLE_FINE_FEN: u64 = 6_000_000;

/// Sample 整改复查意见书: the review of the sample 指令书 (4 problems) on 2027-01-18, within
/// D-REVIEW (10 days) of its last deadline 2027-01-15.
pub fn review_opinion() -> Result<DocumentModel, DocgenError> {
    let (agency, party, inspectors) = sample_parties()?;
    let order = rectification_order(4)?;
    types::review_opinion(&ReviewOpinionInput {
        doc_id: "sample-review-opinion".into(),
        agency,
        seq: 15,
        party,
        original_date: sample_date(),
        original_title: RECTIFICATION_ORDER.into(),
        original_number: order.number().to_owned(),
        opinions: vec![
            "第1项：已对新入职员工补充开展三级安全生产教育和培训，考核合格，培训档案已建立，整改符合要求。".into(),
            "第2项：二号车间配电箱已加装防护门，线路已规范敷设并张贴安全警示标志，整改符合要求。".into(),
            "第3项：危险化学品仓库失效灭火器已全部更换，并建立定期检查维护记录，整改符合要求。".into(),
            "第4项：已制定有限空间作业审批制度，配备气体检测仪器和安全带、呼吸器，整改符合要求。".into(),
        ],
        inspectors,
        date: day(2027, 1, 18),
    })
}

/// Sample 现场处理措施决定书 issued during the sample inspection.
pub fn onsite_measures() -> Result<DocumentModel, DocgenError> {
    let (agency, party, inspectors) = sample_parties()?;
    types::onsite_measures(&OnsiteMeasuresInput {
        doc_id: "sample-onsite-measures".into(),
        agency,
        seq: 15,
        party,
        inspected_on: sample_date(),
        violations: vec![SAMPLE_FINDINGS[3].into(), SAMPLE_FINDINGS[11].into()],
        basis: "《中华人民共和国安全生产法》第六十五条第一款第（三）项".into(),
        measures: vec![
            "责令立即停止二号车间有限空间作业，从危险区域内撤出作业人员。".into(),
            "责令立即停止铸造车间动火作业，办理动火审批手续并落实现场安全管理措施后方可恢复作业。".into(),
        ],
        inspectors,
        date: sample_date(),
    })
}

/// Sample 查封扣押决定书 (查封 of a warehouse for 30 days).
pub fn seizure_decision() -> Result<DocumentModel, DocgenError> {
    let (agency, party, _) = sample_parties()?;
    let number = zhifa_core::document::format_number(&agency.short_name, "应急查扣", sample_date().year(), 3, 0);
    types::seizure_decision(&SeizureDecisionInput {
        doc_id: "sample-seizure-decision".into(),
        agency,
        seq: 3,
        party,
        problem: "在原料仓库违法储存危险化学品（油漆稀释剂、工业乙醇）约1.5吨，仓库未设置可燃气体报警装置和机械通风设施，不符合国家标准的要求。".into(),
        basis: "《中华人民共和国安全生产法》第六十五条第一款第（四）项和《中华人民共和国行政强制法》第二十四条、第二十五条".into(),
        measure: "对你单位原料仓库（违法储存危险物品的场所）予以查封".into(),
        list_number: format!("{number}附件"),
        extended: false,
        date: sample_date(),
    })
}

/// The 当事人 of the sample case with its postcode, and the case's facts and law.
fn sample_case() -> PenaltyCase {
    PenaltyCase {
        facts: "未按照规定对2026年9月以后新入职的8名从业人员进行安全生产教育和培训，上述人员未经安全生产教育和培训合格即上岗作业，且未建立相应的安全生产教育和培训档案。".into(),
        evidence: vec![
            "现场检查记录".into(),
            "询问笔录".into(),
            "从业人员花名册及劳动合同复印件".into(),
            "现场照片".into(),
        ],
        violated: "《中华人民共和国安全生产法》第二十八条第一款".into(),
        basis: "《中华人民共和国安全生产法》第九十七条第（三）项".into(),
        fine_fen: Some(SAMPLE_FINE_FEN),
        other: Vec::new(),
    }
}

fn case_name(party: &Party) -> String {
    format!("{}未按照规定对从业人员进行安全生产教育和培训案", party.name)
}

fn case_number(agency: &Agency, code: &str) -> String {
    zhifa_core::document::format_number(&agency.short_name, code, 2026, SAMPLE_CASE_SEQ, 0)
}

/// Sample 立案审批表 of the sample case.
pub fn case_registration() -> Result<DocumentModel, DocgenError> {
    let (agency, party, handlers) = sample_parties()?;
    types::case_registration(&CaseRegistrationInput {
        doc_id: "sample-case-registration".into(),
        agency,
        seq: SAMPLE_CASE_SEQ,
        cause: "涉嫌未按照规定对从业人员进行安全生产教育和培训".into(),
        source: "监督检查".into(),
        source_date: sample_date(),
        case_name: case_name(&party),
        summary: format!(
            "2026年11月29日，本局执法人员在对{}进行现场检查时发现，该单位2026年9月以后新入职的8名从业人员未经三级安全生产教育和培训即上岗作业，培训档案缺失，涉嫌违反《中华人民共和国安全生产法》第二十八条第一款的规定。",
            party.name
        ),
        party,
        party_postcode: "033000".into(),
        handler_opinion: "当事人涉嫌违反《中华人民共和国安全生产法》第二十八条第一款的规定，依据《中华人民共和国行政处罚法》第五十四条的规定，建议立案调查。".into(),
        handlers,
        review: Opinion { text: "同意立案。".into() },
        approval: Opinion { text: String::new() },
        date: day(2026, 12, 1),
    })
}

/// Sample 询问笔录 of the company's safety manager.
pub fn interview_record() -> Result<DocumentModel, DocgenError> {
    let (agency, party, officers) = sample_parties()?;
    let at = |h, m| day(2026, 12, 3).and_hms_opt(h, m, 0).unwrap_or_default();
    let qa = |q: &str, a: &str| QaPair { q: q.into(), a: a.into() };
    types::interview_record(&InterviewRecordInput {
        doc_id: "sample-interview-record".into(),
        start: at(9, 0),
        end: at(10, 10),
        round: 1,
        place: format!("{}办公楼二楼会议室", party.name),
        interviewee: Interviewee {
            name: "李建平".into(),
            sex: "男".into(),
            age: 42,
            id_number: "141102198403150000".into(),
            employer: party.name.clone(),
            position: "安全管理部部长".into(),
            address: "山西省吕梁市离石区滨河街道".into(),
            phone: "13800000000".into(),
        },
        officers,
        present: "无".into(),
        qa: vec![
            qa("请介绍一下你的工作职责。", "我负责公司的安全生产管理工作，包括从业人员的安全生产教育和培训。"),
            qa("2026年9月以后公司新入职了多少名从业人员？", "新入职了8名，都在铸造车间和二号车间上岗。"),
            qa(
                "这8名新入职人员上岗前是否进行了三级安全生产教育和培训？",
                "没有。当时生产任务紧，只做了简单的岗位交代，没有组织公司、车间、班组三级培训，也没有考核。",
            ),
            qa("是否建立了这些人员的安全生产教育和培训档案？", "没有建立。"),
            qa("你还有什么需要补充的吗？", "没有了。我们会马上组织培训，补建档案。"),
        ],
        agency,
    })
}

fn sample_contact(agency: &Agency, officer: &Inspector) -> AgencyContact {
    let place = agency.name.strip_suffix("应急管理局").unwrap_or(&agency.name);
    AgencyContact {
        address: format!("山西省吕梁市{place}永宁中路16号"),
        contact: officer.name.clone(),
        phone: "0358-8220000".into(),
        postcode: "033000".into(),
    }
}

fn notice_input(doc_id: &str) -> Result<PenaltyNoticeInput, DocgenError> {
    let (agency, party, inspectors) = sample_parties()?;
    Ok(PenaltyNoticeInput {
        doc_id: doc_id.into(),
        contact: sample_contact(&agency, &inspectors[0]),
        agency,
        seq: SAMPLE_CASE_SEQ,
        party,
        case: sample_case(),
        date: day(2026, 12, 10),
    })
}

/// Sample 行政处罚告知书 (60,000 yuan proposed).
pub fn penalty_notice() -> Result<DocumentModel, DocgenError> {
    types::penalty_notice(&notice_input("sample-penalty-notice")?)
}

/// Sample 行政处罚听证告知书.
pub fn hearing_notice() -> Result<DocumentModel, DocgenError> {
    types::hearing_notice(&notice_input("sample-hearing-notice")?)
}

/// Sample 行政处罚决定书（单位）.
pub fn penalty_decision_org() -> Result<DocumentModel, DocgenError> {
    let (agency, party, _) = sample_parties()?;
    types::penalty_decision_org(&PenaltyDecisionInput {
        doc_id: "sample-penalty-decision".into(),
        agency,
        seq: SAMPLE_CASE_SEQ,
        party,
        party_postcode: "033000".into(),
        case: sample_case(),
        bank: "吕梁市非税收入汇缴结算户（中国建设银行吕梁分行营业部）".into(),
        account: "14050170210800000001".into(),
        date: day(2026, 12, 21),
    })
}

/// Sample 文书送达回执 of the sample case.
pub fn service_receipt() -> Result<DocumentModel, DocgenError> {
    let (agency, party, inspectors) = sample_parties()?;
    let servers = format!("{}、{}", inspectors[0].name, inspectors[1].name);
    let place = format!("{}办公室", party.name);
    let served = |title: &str, code: &str, date| ServedDocument {
        title_and_number: format!("{title}{}", case_number(&agency, code)),
        place: place.clone(),
        date: Some(date),
        method: "直接送达".into(),
        servers: servers.clone(),
    };
    let documents = vec![
        served("行政处罚告知书", "应急罚告", day(2026, 12, 10)),
        served("行政处罚听证告知书", "应急听告", day(2026, 12, 10)),
        served("行政处罚决定书", "应急罚", day(2026, 12, 21)),
    ];
    types::service_receipt(&ServiceReceiptInput {
        doc_id: "sample-service-receipt".into(),
        case_name: case_name(&party),
        recipient: party.name.clone(),
        documents,
        remarks: String::new(),
        agency,
        seq: SAMPLE_CASE_SEQ,
        date: day(2026, 12, 21),
    })
}

/// Sample 结案审批表 of the sample case (fine paid within D-PAYMENT-15D).
pub fn case_closing() -> Result<DocumentModel, DocgenError> {
    let (agency, party, handlers) = sample_parties()?;
    let decision = case_number(&agency, "应急罚");
    types::case_closing(&CaseClosingInput {
        doc_id: "sample-case-closing".into(),
        case_name: case_name(&party),
        result: format!(
            "本局于2026年12月21日作出行政处罚决定（{decision}），对当事人处以罚款{}。",
            money_full(SAMPLE_FINE_FEN)
        ),
        execution: "当事人于2026年12月21日签收行政处罚决定书，于2027年1月4日缴清罚款，未申请行政复议、未提起行政诉讼；违法行为已改正。".into(),
        party,
        agency,
        seq: SAMPLE_CASE_SEQ,
        handlers,
        review: Opinion { text: "处罚已执行完毕，同意结案。".into() },
        approval: Opinion { text: "同意结案。".into() },
        date: day(2027, 1, 8),
    })
}

/// Sample of a document type by name (`findings` is used by 现场检查记录 and 责令限期整改指令书);
/// `UnknownType` / `NotRenderable` otherwise.
pub fn by_type(name: &str, findings: usize) -> Result<DocumentModel, DocgenError> {
    match name {
        INSPECTION_RECORD => inspection_record(findings),
        RECTIFICATION_ORDER => rectification_order(findings),
        types::REVIEW_OPINION => review_opinion(),
        types::ONSITE_MEASURES => onsite_measures(),
        types::SEIZURE_DECISION => seizure_decision(),
        types::CASE_REGISTRATION => case_registration(),
        types::INTERVIEW_RECORD => interview_record(),
        types::PENALTY_NOTICE => penalty_notice(),
        types::HEARING_NOTICE => hearing_notice(),
        types::PENALTY_DECISION_ORG => penalty_decision_org(),
        types::CASE_CLOSING => case_closing(),
        types::SERVICE_RECEIPT => service_receipt(),
        other => Err(if types::document_type(other).is_ok() {
            DocgenError::NotRenderable(other.to_owned())
        } else {
            DocgenError::UnknownType(other.to_owned())
        }),
    }
}
