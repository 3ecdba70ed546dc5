//! Bad input: 30,000-character findings, rare name characters (䶮, 𠮷, 彧), emoji,
//! right-to-left marks and control characters. A document either renders and `pdftotext`
//! gives the text back exactly, or it is refused with a Chinese message naming the field and
//! the character — never a panic, never a PDF whose text differs from the record. Plus the
//! page render compared with a reference image (`UPDATE_EXPECT=1` re-blesses it).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use zhifa_docgen::model::{self, DocumentModel, InspectionRecordInput};
use zhifa_docgen::{DocgenError, FontConfig, Renderer, sample};

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new(&FontConfig::from_env()).unwrap_or_else(|e| panic!("{e} [{}]", e.code())))
}

fn record(party_name: &str, findings: Vec<String>) -> Result<DocumentModel, DocgenError> {
    let (agency, mut party, inspectors) = sample::sample_parties().unwrap();
    party.name = party_name.to_owned();
    let date = sample::sample_date();
    model::inspection_record(&InspectionRecordInput {
        doc_id: "bad-input".into(),
        agency,
        seq: 7,
        place: "生产车间".into(),
        start: date.and_hms_opt(9, 0, 0).unwrap(),
        end: date.and_hms_opt(11, 0, 0).unwrap(),
        party,
        inspectors,
        findings,
        date,
    })
}

/// Renders and extracts the text (whitespace removed: line breaks are the layout's).
fn text_of(doc: &DocumentModel, name: &str) -> Result<String, DocgenError> {
    let pdf = renderer().render(doc)?;
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bad-input-{name}.pdf"));
    std::fs::write(&path, &pdf.bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext（Debian 软件包 poppler-utils）");
    Ok(String::from_utf8(out.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect())
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn thirty_thousand_character_finding_renders_completely() {
    let unit = "二号车间配电箱未设置防护门，箱内线路私拉乱接，未张贴安全警示标志；";
    let long: String = unit.chars().cycle().take(30_000).collect();
    let doc = record("山西测试冶金有限公司", vec![long.clone(), "第二项问题。".into()]).unwrap();
    let pages = renderer().layout(&doc).unwrap().0.pages().len();
    assert!(pages >= 10, "30,000 characters flow over many pages, got {pages}");
    let mut text = text_of(&doc, "long").unwrap();
    // Page footers interrupt the flow: take them out before comparing.
    for n in 1..=pages {
        let footer = format!("第{n}页共{pages}页");
        assert!(text.contains(&footer), "{footer}");
        text = text.replacen(&footer, "", 1);
    }
    assert!(text.contains(&squeeze(&long)), "every character of the finding comes back, in order");
    assert!(text.contains("第二项问题。"));
}

#[test]
fn rare_name_characters_render_or_are_refused_by_name() {
    for name in ["䶮", "𠮷", "彧"] {
        let party = format!("山西{name}野冶金有限公司");
        let doc = record(&party, vec!["现场检查未发现问题。".into()]).unwrap();
        match text_of(&doc, &format!("rare-{}", name.chars().next().unwrap() as u32)) {
            Ok(text) => assert!(text.contains(&party), "{party} comes back exactly"),
            Err(e) => {
                assert_eq!(e.code(), "DOC_UNPRINTABLE");
                assert!(e.to_string().contains(name), "{e}");
            }
        }
    }
    // 彧 and 䶮 are in the national standard sets: they must render.
    for name in ["彧", "䶮"] {
        let party = format!("山西{name}野冶金有限公司");
        let text = text_of(&record(&party, vec!["无。".into()]).unwrap(), "rare-must").unwrap();
        assert!(text.contains(&party));
    }
}

#[test]
fn emoji_direction_marks_and_control_characters_are_refused_naming_the_field() {
    let cases = [
        ("隐患🔥严重", "🔥"),
        ("配电箱\u{200F}未关闭", "U+200F"),
        ("安全出口\u{202E}锁闭", "U+202E"),
        ("响铃\u{0007}字符", "U+0007"),
        ("制表\u{0009}符", "U+0009"),
    ];
    for (finding, shown) in cases {
        let doc = record("山西测试冶金有限公司", vec![finding.into()]).unwrap();
        let e = renderer().render(&doc).unwrap_err();
        assert_eq!(e.code(), "DOC_UNPRINTABLE", "{finding:?}: {e}");
        let msg = e.to_string();
        assert!(msg.contains("检查情况"), "the field is named: {msg}");
        assert!(msg.contains(shown), "the character is named: {msg}");
    }
    // The same in the party name names that row.
    let doc = record("测试🔥公司", vec!["无。".into()]).unwrap();
    let msg = renderer().render(&doc).unwrap_err().to_string();
    assert!(msg.contains("🔥"), "{msg}");
    // Line breaks inside a finding are allowed.
    let doc = record("山西测试冶金有限公司", vec!["第一行\n第二行".into()]).unwrap();
    assert!(text_of(&doc, "newline").unwrap().contains("第一行第二行"));
}

#[test]
fn page_render_matches_the_reference_image() {
    // Grey render at 36 dpi of the sample 现场检查记录, compared pixel by pixel with the
    // committed reference (PGM). Small anti-aliasing differences are tolerated.
    let doc = sample::inspection_record(3).unwrap();
    let pages = renderer().render_gray(&doc, 36.0).unwrap();
    let p = &pages[0];
    let mut pgm = format!("P5\n{} {}\n255\n", p.width, p.height).into_bytes();
    pgm.extend_from_slice(&p.pixels);
    let reference = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/inspection_record.page1.pgm");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&reference, &pgm).unwrap();
    }
    let want = std::fs::read(&reference).expect("reference image (UPDATE_EXPECT=1 to create)");
    assert_eq!(want.len(), pgm.len(), "page size changed");
    let header = format!("P5\n{} {}\n255\n", p.width, p.height).len();
    let differing = want[header..].iter().zip(&pgm[header..]).filter(|(a, b)| a.abs_diff(**b) > 48).count();
    let share = differing as f64 / p.pixels.len() as f64;
    assert!(share < 0.002, "{:.3} % of the pixels differ from the reference", share * 100.0);
    // A different document does not pass as the same picture.
    let other = sample::rectification_order(3).unwrap();
    let o = &renderer().render_gray(&other, 36.0).unwrap()[0];
    let diff = want[header..].iter().zip(&o.pixels).filter(|(a, b)| a.abs_diff(**b) > 48).count();
    assert!(diff as f64 / o.pixels.len() as f64 > 0.01, "the comparison can fail");
}
