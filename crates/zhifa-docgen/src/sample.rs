//! Sample documents from the deterministic 吕梁 demo data (`zhifa_seed::demo::generate`):
//! for `zhifa doc render --sample`, the golden tests and the bench. Fictitious data.

use chrono::NaiveDate;
use zhifa_core::officer::Officer;
use zhifa_core::org::OrgKind;
use zhifa_seed::demo::{self, DemoSize};

use crate::error::DocgenError;
use crate::model::{
    self, Agency, DocumentModel, INSPECTION_RECORD, InspectionRecordInput, Inspector, OrderFindingInput, Party,
    RECTIFICATION_ORDER, RectificationOrderInput,
};

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

/// Sample of a document type by name; `UnknownType` / `NotRenderable` otherwise.
pub fn by_type(name: &str, findings: usize) -> Result<DocumentModel, DocgenError> {
    match name {
        INSPECTION_RECORD => inspection_record(findings),
        RECTIFICATION_ORDER => rectification_order(findings),
        other => {
            let known =
                zhifa_seed::reference().map(|r| r.document_types.iter().any(|t| t.name == other)).unwrap_or(false);
            Err(if known {
                DocgenError::NotRenderable(other.to_owned())
            } else {
                DocgenError::UnknownType(other.to_owned())
            })
        }
    }
}
