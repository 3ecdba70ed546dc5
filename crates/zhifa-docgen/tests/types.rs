//! The ten document types built on the generic model: golden model JSON per type, and one
//! render per type checked with poppler (every printed text read back by `pdftotext`, fonts
//! embedded as subsets, page count in the footer, QR payload verifying the model). Missing
//! tools or fonts fail with the Debian package to install.
//! Set `UPDATE_GOLDEN=1` to rewrite `test_data/<type>.golden.json` after an intended change.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use zhifa_docgen::model::DocumentModel;
use zhifa_docgen::{FontConfig, GenericDocument, Renderer, qr, sample, types};

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| {
        Renderer::new(&FontConfig::from_env())
            .unwrap_or_else(|e| panic!("{e} [{}]（Debian 软件包：fonts-noto-cjk）", e.code()))
    })
}

fn tool(program: &str, package: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("无法运行 {program}（{e}）：请安装 Debian 软件包 {package}（apt-get install -y {package}）")
    });
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn golden(file: &str, doc: &DocumentModel) {
    let path = format!("{}/test_data/{file}.golden.json", env!("CARGO_MANIFEST_DIR"));
    let got = serde_json::to_string_pretty(doc).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (UPDATE_GOLDEN=1 writes it)"));
    assert_eq!(got, want, "{file} differs from {path}");
    assert_eq!(&serde_json::from_str::<DocumentModel>(&want).unwrap(), doc, "golden file is valid input");
}

/// Golden JSON, one render (`pdftotext -raw`: content-stream order, so the text of a table
/// cell stays together however it wraps), text/fonts/pages/QR checks; returns the generic model and the
/// extracted text for type-specific assertions.
fn check(name: &str, file: &str) -> (GenericDocument, String) {
    let doc = sample::by_type(name, 3).unwrap_or_else(|e| panic!("{name}: {e} [{}]", e.code()));
    assert_eq!(doc.type_name(), name);
    assert!(zhifa_docgen::renderable(name));
    golden(file, &doc);
    let DocumentModel::Generic(g) = &doc else { panic!("{name} is not generic") };
    let pdf = renderer().render(&doc).unwrap_or_else(|e| panic!("{name}: {e} [{}]", e.code()));
    assert!(qr::verify(&pdf.qr_payload, &doc));
    assert!(pdf.bytes.len() <= 130 * 1024, "{name}: {} bytes", pdf.bytes.len());
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("zhifa-docgen-{file}.pdf"));
    std::fs::write(&path, &pdf.bytes).unwrap();
    let text = tool("pdftotext", "poppler-utils", &["-enc", "UTF-8", "-raw", path.to_str().unwrap(), "-"]);
    let flat = squeeze(&text);
    for t in g.texts() {
        assert!(flat.contains(&squeeze(&t)), "{name}: {t:?} not in the PDF text:\n{text}");
    }
    let pages = pdf.pages;
    assert!(flat.contains(&format!("第{pages}页共{pages}页")), "{name}: page footer missing:\n{text}");
    assert_eq!(flat.contains("印章"), g.seal.is_some(), "{name}: seal block");
    fonts_embedded_and_subset(&path);
    (g.clone(), flat)
}

fn fonts_embedded_and_subset(path: &Path) {
    let out = tool("pdffonts", "poppler-utils", &[path.to_str().unwrap()]);
    let rows: Vec<&str> = out.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!rows.is_empty(), "no fonts: {out}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!((cols[n - 5], cols[n - 4], cols[n - 3]), ("yes", "yes", "yes"), "not emb/sub/uni: {row}");
    }
}

#[test]
fn review_opinion() {
    let (g, flat) = check(types::REVIEW_OPINION, "review_opinion");
    assert_eq!(g.number, "（离）应急复查〔2027〕15号");
    assert!(flat.contains("本局于2026年11月29日作出了责令限期整改指令书（（离）应急责改〔2026〕15号）"), "{flat}");
    assert_eq!(g.copies.as_deref(), Some("本文书一式两份：一份备案，一份交被复查单位。"));
    assert!(flat.contains("被复查单位负责人（签名）"));
}

#[test]
fn onsite_measures() {
    let (g, flat) = check(types::ONSITE_MEASURES, "onsite_measures");
    assert_eq!(g.number, "（离）应急现决〔2026〕15号");
    assert!(
        flat.contains("依据《中华人民共和国安全生产法》第六十五条第一款第（三）项的规定，现作出如下现场处理决定：")
    );
    assert!(flat.contains("向离石区人民政府申请行政复议"));
}

#[test]
fn seizure_decision() {
    let (g, flat) = check(types::SEIZURE_DECISION, "seizure_decision");
    assert_eq!(g.number, "（离）应急查扣〔2026〕3号");
    // 行政强制法第二十五条: 30 days from the decision (zhifa_core::deadline::seizure_end).
    assert!(flat.contains("期限为自2026年11月29日至2026年12月29日。"), "{flat}");
    assert!(g.signatures.is_empty());
}

#[test]
fn case_registration() {
    let (g, flat) = check(types::CASE_REGISTRATION, "case_registration");
    assert_eq!(g.number, "（离）应急立〔2026〕21号");
    for label in ["案由", "案件来源", "案件名称", "当事人", "电话", "法定代表人/负责人", "当事人地址", "邮政编码"]
    {
        assert!(flat.contains(label), "{label}");
    }
    assert!(flat.contains("承办人（签名）：执法证号：1411020010"), "{flat}");
    assert!(flat.contains("审批人（签名）"));
}

#[test]
fn interview_record() {
    let (g, flat) = check(types::INTERVIEW_RECORD, "interview_record");
    assert_eq!(g.number, "", "询问笔录 is unnumbered");
    assert!(flat.contains("询问时间自2026年12月3日9时00分至12月3日10时10分"), "{flat}");
    assert!(flat.contains("你有如实回答问题的义务，也有陈述、申辩和申请回避的权利。"));
    // Every page carries the interviewee's signature line.
    assert!(g.page_sign.as_deref().unwrap().starts_with("被询问人（签名）："));
}

#[test]
fn penalty_notice() {
    let (g, flat) = check(types::PENALTY_NOTICE, "penalty_notice");
    assert_eq!(g.number, "（离）应急罚告〔2026〕21号");
    assert!(flat.contains("罚款人民币陆万元整（￥60,000.00）"));
    // 2021 numbering; period from D-STATEMENT-DEFENSE (working days, 行政处罚法第八十五条).
    assert!(flat.contains("《中华人民共和国行政处罚法》第四十四条、第四十五条"));
    assert!(flat.contains("收到本告知书之日起3个工作日内"));
    assert!(!flat.contains("第三十一条、第三十二条"));
    for f in ["本局地址：", "联系人：", "联系电话：", "邮政编码："] {
        assert!(flat.contains(f), "{f}");
    }
}

#[test]
fn hearing_notice() {
    let (_, flat) = check(types::HEARING_NOTICE, "hearing_notice");
    assert!(flat.contains("（离）应急听告〔2026〕21号"));
    // 行政处罚法（2021）第六十四条第（一）项: five (working) days, not the 2016 form's 3日.
    assert!(flat.contains("第六十三条、第六十四条") && flat.contains("告知后5个工作日内提出"), "{flat}");
    assert!(!flat.contains("第四十二条"));
}

#[test]
fn penalty_decision_org() {
    let (g, flat) = check(types::PENALTY_DECISION_ORG, "penalty_decision_org");
    assert_eq!(g.number, "（离）应急罚〔2026〕21号");
    assert!(flat.contains("罚款自收到本决定书之日起15日内缴至"), "{flat}");
    assert!(flat.contains("每日按罚款数额的3%加处罚款，加处罚款的数额不得超出罚款的数额。"), "{flat}");
    assert!(flat.contains("申请人民法院强制执行"));
    assert_eq!(g.copies.as_deref(), Some("本文书一式两份：一份备案，一份交被处罚单位。"));
}

#[test]
fn case_closing() {
    let (g, flat) = check(types::CASE_CLOSING, "case_closing");
    assert_eq!(g.number, "（离）应急结〔2027〕21号");
    assert!(flat.contains("处理结果") && flat.contains("执行情况"));
    assert!(g.seal.is_none() && g.copies.is_none());
}

#[test]
fn service_receipt() {
    let (g, flat) = check(types::SERVICE_RECEIPT, "service_receipt");
    assert_eq!(g.number, "（离）应急回〔2026〕21号");
    for h in ["送达文书名称、文号", "收件人签名或者盖章", "送达地点", "送达日期", "送达方式", "送达人", "备注"]
    {
        assert!(flat.contains(h), "{h}");
    }
    assert!(flat.contains("行政处罚决定书（离）应急罚〔2026〕21号"));
}

#[test]
fn generic_types_render_to_identical_bytes() {
    let fresh = Renderer::new(&FontConfig::from_env()).unwrap();
    for name in [types::INTERVIEW_RECORD, types::SERVICE_RECEIPT] {
        let doc = sample::by_type(name, 1).unwrap();
        let a = renderer().render(&doc).unwrap();
        let b = fresh.render(&doc).unwrap();
        assert!(a.bytes == b.bytes, "{name}: two renders differ");
        assert_eq!(a.qr_payload, b.qr_payload);
    }
}

#[test]
fn builders_validate_their_input() {
    let DocumentModel::Generic(_) = sample::penalty_notice().unwrap() else { panic!("kind") };
    // No penalty at all, or a decision without the bank for its fine: refused with the field.
    let mut case = types::PenaltyCase {
        facts: "事实".into(),
        evidence: vec!["现场检查记录".into()],
        violated: "《中华人民共和国安全生产法》第二十八条第一款".into(),
        basis: "《中华人民共和国安全生产法》第九十七条第（三）项".into(),
        fine_fen: None,
        other: Vec::new(),
    };
    let (agency, party, _) = sample::sample_parties().unwrap();
    let input = |case: types::PenaltyCase| types::PenaltyDecisionInput {
        doc_id: "d".into(),
        agency: agency.clone(),
        seq: 1,
        party: party.clone(),
        party_postcode: "033000".into(),
        case,
        bank: String::new(),
        account: String::new(),
        date: sample::sample_date(),
    };
    let e = types::penalty_decision_org(&input(case.clone())).unwrap_err();
    assert_eq!(e.code(), "DOC_INVALID_INPUT");
    assert!(e.to_string().contains("行政处罚"), "{e}");
    case.fine_fen = Some(100_000);
    let e = types::penalty_decision_org(&input(case.clone())).unwrap_err();
    assert!(e.to_string().contains("罚款缴至"), "{e}");
    case.fine_fen = None;
    case.other = vec!["警告".into()];
    let DocumentModel::Generic(g) = types::penalty_decision_org(&input(case)).unwrap() else { panic!("kind") };
    assert!(g.texts().iter().any(|t| t.contains("作出如下行政处罚：警告。")));
    assert!(!g.texts().iter().any(|t| t.contains("加处罚款")), "no fine, no payment clause");
}
