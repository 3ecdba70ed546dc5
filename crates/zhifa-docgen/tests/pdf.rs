//! PDF tests with poppler-utils and qpdf: text extraction, embedded subset fonts,
//! byte-identical output, PDF/A-2b metadata and page flow ("第 2 页 共 2 页").
//! Missing tools or fonts fail with the Debian package to install.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use zhifa_docgen::model::DocumentModel;
use zhifa_docgen::{FontConfig, RenderedPdf, Renderer, sample};

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| {
        Renderer::new(&FontConfig::from_env())
            .unwrap_or_else(|e| panic!("{e} [{}]（Debian 软件包：fonts-noto-cjk）", e.code()))
    })
}

fn render(doc: &DocumentModel, name: &str) -> (RenderedPdf, PathBuf) {
    let pdf = renderer().render(doc).unwrap_or_else(|e| panic!("{e} [{}]", e.code()));
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("zhifa-docgen-{name}.pdf"));
    std::fs::write(&path, &pdf.bytes).unwrap();
    (pdf, path)
}

/// Runs a poppler/qpdf tool; a missing tool fails naming the apt package.
fn tool(program: &str, package: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("无法运行 {program}（{e}）：请安装 Debian 软件包 {package}（apt-get install -y {package}）")
    });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn text(path: &Path) -> String {
    tool("pdftotext", "poppler-utils", &["-enc", "UTF-8", "-layout", path.to_str().unwrap(), "-"])
}

/// Runs of whitespace collapsed to one space (pdftotext -layout pads gaps).
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn inspection_record_text_and_fonts() {
    let doc = sample::inspection_record(3).unwrap();
    let DocumentModel::InspectionRecord(r) = &doc else { panic!("kind") };
    let (pdf, path) = render(&doc, "inspection-record");
    assert_eq!(pdf.pages, 1);
    let t = text(&path);
    assert!(t.contains("现场检查记录"), "{t}");
    assert!(t.contains(&r.number), "number {} missing:\n{t}", r.number);
    assert!(t.contains(&r.rows[0].value), "enterprise {} missing:\n{t}", r.rows[0].value);
    let flat = squeeze(&t);
    assert!(flat.contains(&squeeze(&r.findings[0])), "finding missing:\n{t}");
    assert!(flat.contains(&squeeze(&r.self_identification)), "self identification missing:\n{t}");
    assert!(collapse(&t).contains("第 1 页 共 1 页"), "{t}");
    assert!(!t.contains("印章"), "现场检查记录 carries no seal");
    fonts_embedded_and_subset(&path);
}

#[test]
fn rectification_order_text_and_fonts() {
    let doc = sample::rectification_order(4).unwrap();
    let DocumentModel::RectificationOrder(o) = &doc else { panic!("kind") };
    let (pdf, path) = render(&doc, "rectification-order");
    assert_eq!(pdf.pages, 1);
    let t = text(&path);
    assert!(t.contains("责令限期整改指令书"), "{t}");
    assert!(t.contains(&o.number), "number {} missing:\n{t}", o.number);
    assert!(t.contains(&o.addressee), "addressee missing:\n{t}");
    let flat = squeeze(&t);
    for f in &o.findings {
        assert!(flat.contains(&squeeze(&format!("{}．{}", f.no, f.text))), "finding {} missing:\n{t}", f.no);
    }
    assert!(flat.contains(&squeeze(&o.order)) && flat.contains(&squeeze(&o.appeal)), "{t}");
    assert!(flat.contains(&squeeze(&o.seal.agency)) && flat.contains("本文书一式两份"), "{t}");
    fonts_embedded_and_subset(&path);
}

fn fonts_embedded_and_subset(path: &Path) {
    let out = tool("pdffonts", "poppler-utils", &[path.to_str().unwrap()]);
    let rows: Vec<&str> = out.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!rows.is_empty(), "no fonts: {out}");
    for row in rows {
        // name type… encoding emb sub uni object-id generation: read from the right.
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "{row}");
        assert_eq!(
            (cols[n - 5], cols[n - 4], cols[n - 3]),
            ("yes", "yes", "yes"),
            "font not embedded+subset+unicode: {row}"
        );
        assert!(cols[0].contains("Noto") || std::env::var_os("ZHIFA_CJK_FONT").is_some(), "unexpected font {row}");
    }
}

#[test]
fn identical_input_gives_identical_bytes_and_pdfa() {
    let doc = sample::rectification_order(5).unwrap();
    let (a, path) = render(&doc, "determinism");
    let fresh = Renderer::new(&FontConfig::from_env()).unwrap();
    let b = fresh.render(&doc).unwrap();
    assert!(a.bytes == b.bytes, "two renders differ ({} vs {} bytes)", a.bytes.len(), b.bytes.len());
    assert_eq!(a.qr_payload, b.qr_payload);
    assert!(zhifa_docgen::verify(&a.qr_payload, &doc));
    let meta = tool("pdfinfo", "poppler-utils", &["-meta", path.to_str().unwrap()]);
    assert!(
        meta.contains("<pdfaid:part>2</pdfaid:part>") && meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "no PDF/A-2b id in XMP:\n{meta}"
    );
    let info = tool("pdfinfo", "poppler-utils", &[path.to_str().unwrap()]);
    assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "{info}");
    assert!(info.contains("A4"), "{info}");
    tool("qpdf", "qpdf", &["--check", path.to_str().unwrap()]);
}

#[test]
fn twelve_findings_flow_onto_two_pages() {
    let doc = sample::rectification_order(12).unwrap();
    let (pdf, path) = render(&doc, "order-12");
    assert_eq!(pdf.pages, 2);
    let t = text(&path);
    let c = collapse(&t);
    assert!(c.contains("第 1 页 共 2 页") && c.contains("第 2 页 共 2 页"), "{t}");
    let flat = squeeze(&t);
    assert!(flat.contains(&squeeze(&format!("12．{}", sample::SAMPLE_FINDINGS[11]))), "{t}");
    assert!(pdf.bytes.len() <= 130 * 1024, "2-page PDF is {} bytes", pdf.bytes.len());
}

#[test]
fn missing_font_is_a_clear_chinese_error() {
    let cfg =
        FontConfig { files: vec!["/nonexistent/NotoSerifCJK-Regular.ttc".into()], family: "Noto Serif CJK SC".into() };
    let e = Renderer::new(&cfg).unwrap_err();
    assert_eq!(e.code(), "DOC_FONT_MISSING");
    assert!(e.to_string().contains("找不到中文字体文件") && e.to_string().contains("fonts-noto-cjk"), "{e}");
    let wrong = FontConfig { family: "No Such Family".into(), ..FontConfig::from_env() };
    assert_eq!(Renderer::new(&wrong).unwrap_err().code(), "DOC_FONT_FAMILY_MISSING");
}
