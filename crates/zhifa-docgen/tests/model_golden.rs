//! Golden tests of the document model: the sample 现场检查记录 and 责令限期整改指令书 built
//! from the 吕梁 demo data must serialise to `test_data/*.golden.json` exactly.
//! Set `UPDATE_GOLDEN=1` to rewrite the files after an intended change (and review the diff).

use chrono::NaiveDate;
use zhifa_docgen::model::{self, Agency, DocumentModel, Inspector, OrderFindingInput, Party, RectificationOrderInput};
use zhifa_docgen::{DocgenError, qr, sample};

fn golden(name: &str, doc: &DocumentModel) {
    let path = format!("{}/test_data/{name}.golden.json", env!("CARGO_MANIFEST_DIR"));
    let got = serde_json::to_string_pretty(doc).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (UPDATE_GOLDEN=1 writes it)"));
    assert_eq!(got, want, "{name} differs from {path}");
    // The golden file is also valid input: it deserialises to the same model.
    assert_eq!(&serde_json::from_str::<DocumentModel>(&want).unwrap(), doc);
}

#[test]
fn inspection_record_golden() {
    golden("inspection_record", &sample::inspection_record(3).unwrap());
}

#[test]
fn rectification_order_golden() {
    golden("rectification_order", &sample::rectification_order(4).unwrap());
}

#[test]
fn fixed_sentences() {
    let DocumentModel::InspectionRecord(r) = sample::inspection_record(2).unwrap() else { panic!("kind") };
    assert_eq!(r.number, "（离）应急检记〔2026〕15号"); // the first demo enterprise is in 离石区
    assert!(r.self_identification.starts_with(&format!("我们是{}行政执法人员", r.agency)));
    assert!(r.self_identification.contains(&r.inspectors[0].cert_no));
    assert!(r.self_identification.contains(&r.inspectors[1].cert_no));
    assert!(r.self_identification.ends_with("现依法对你单位进行现场检查，请予以配合。"));
    assert!(!r.self_identification.contains("安全生产监督管理局"));
    let labels: Vec<&str> = r.rows.iter().map(|x| x.label.as_str()).collect();
    assert_eq!(labels, ["被检查单位", "地址", "法定代表人（负责人）", "职务", "联系电话", "检查场所", "检查时间"]);
    assert_eq!(r.rows[6].value, "自2026年11月29日9时30分至11月29日11时05分");

    let DocumentModel::RectificationOrder(o) = sample::rectification_order(4).unwrap() else { panic!("kind") };
    assert!(o.number.contains("应急责改〔2026〕15号"));
    assert!(o.order.starts_with(
        "现责令你单位对上述第1、2、4项问题于2026年12月29日前，第3项问题于2027年1月15日前整改完毕，达到有关法律法规规章和标准规定的要求。"
    ));
    assert!(o.order.ends_with(model::ORDER_WARNING));
    // 行政复议法 2023 §24: the 本级人民政府 only, no "或者__" alternative.
    assert!(o.appeal.starts_with(&format!(
        "如果不服本决定，可以依法在60日内向{}人民政府申请行政复议",
        o.agency.trim_end_matches("应急管理局")
    )));
    assert!(!o.appeal.contains("或者__"));
    assert_eq!(o.seal.agency, format!("{}（印章）", o.agency));
    assert_eq!(o.seal.date, "2026年11月29日");
    assert_eq!(o.copies, "本文书一式两份：一份备案，一份交被检查单位。");
}

fn order_input() -> RectificationOrderInput {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    RectificationOrderInput {
        doc_id: "doc-1".into(),
        agency: Agency::new("吕梁市应急管理局", "吕", "离石区人民法院"),
        seq: 7,
        party: Party {
            name: "山西示例化工有限公司".into(),
            address: "吕梁市离石区示例路1号".into(),
            legal_rep: "王某".into(),
            position: "总经理".into(),
            phone: "0358-1234567".into(),
        },
        inspectors: [
            Inspector { name: "张三".into(), cert_no: "14110001".into() },
            Inspector { name: "李四".into(), cert_no: "14110002".into() },
        ],
        findings: vec![OrderFindingInput { text: "问题".into(), deadline: d(12, 1) }],
        date: d(11, 29),
    }
}

#[test]
fn validation_errors_have_codes() {
    let ok = model::rectification_order(&order_input()).unwrap();
    assert_eq!(ok.number(), "（吕）应急责改〔2026〕7号");
    let DocumentModel::RectificationOrder(o) = &ok else { panic!("kind") };
    assert!(o.appeal.contains("向吕梁市人民政府申请行政复议") && o.appeal.contains("向离石区人民法院提起行政诉讼"));

    let mut late = order_input();
    late.findings[0].deadline = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let e = model::rectification_order(&late).unwrap_err();
    assert_eq!(e.code(), "DOC_INVALID_INPUT");
    assert!(e.to_string().contains("早于发文日期"), "{e}");

    let mut same = order_input();
    same.inspectors[1].cert_no = same.inspectors[0].cert_no.clone();
    assert_eq!(model::rectification_order(&same).unwrap_err().code(), "DOC_INVALID_INPUT");

    let mut empty = order_input();
    empty.findings.clear();
    assert!(matches!(model::rectification_order(&empty), Err(DocgenError::InvalidInput { field: "存在问题", .. })));
}

#[test]
fn sample_by_type() {
    assert_eq!(sample::by_type("勘验笔录", 1).unwrap_err().code(), "DOC_NOT_RENDERABLE");
    assert_eq!(sample::by_type("询问笔录", 1).unwrap().type_name(), "询问笔录");
    assert_eq!(sample::by_type("不存在的文书", 1).unwrap_err().code(), "DOC_UNKNOWN_TYPE");
    assert_eq!(sample::by_type("现场检查记录", 1).unwrap().type_name(), "现场检查记录");
}

#[test]
fn qr_payload_verifies_only_identical_content() {
    let doc = sample::rectification_order(3).unwrap();
    let p = qr::payload(&doc);
    assert!(p.starts_with("ZHIFA-DOC:1:sample-rectification-order:"));
    assert_eq!(p.len(), "ZHIFA-DOC:1:sample-rectification-order:".len() + 64);
    assert!(qr::verify(&p, &doc));
    // Any change of content breaks it.
    let DocumentModel::RectificationOrder(mut o) = doc.clone() else { panic!("kind") };
    o.findings[0].text.push('。');
    assert!(!qr::verify(&p, &DocumentModel::RectificationOrder(o)));
    // Another document, a truncated or foreign payload: rejected.
    assert!(!qr::verify(&p, &sample::rectification_order(4).unwrap()));
    assert!(!qr::verify(&p[..p.len() - 1], &doc));
    assert!(!qr::verify(&p.replace("ZHIFA-DOC:1:", "ZHIFA-DOC:2:"), &doc));
    // Canonical JSON: sorted keys, no whitespace, stable.
    let c = qr::canonical_json(&doc);
    assert!(c.starts_with("{\"addressee\":"), "{}", &c[..40]);
    assert_eq!(c, qr::canonical_json(&doc.clone()));
    assert!(qr::qr_svg(&p).unwrap().starts_with("<?xml"));
}
