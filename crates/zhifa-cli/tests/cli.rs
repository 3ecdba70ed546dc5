//! End-to-end tests of the real `zhifa` binary on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zhifa_core::credit_code::check_char;
use zhifa_core::enterprise::Enterprise;
use zhifa_store::Replica;

fn zhifa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhifa")).args(args).output().expect("zhifa runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(i: u32) -> String {
    let body = format!("91141181MA{:07}", i);
    format!("{body}{}", check_char(body.as_bytes()).unwrap() as char)
}

const HEADER: &str = "统一社会信用代码,企业名称,所属区县,乡镇（街道）,生产经营地址,法定代表人,主要负责人,联系电话,国民经济行业分类代码,监管行业,经营状态,经度,纬度,备注";

fn row(code: &str, name: &str) -> String {
    format!(
        "{code},{name},孝义市,梧桐镇,孝义市梧桐镇工业园区1号,张三,李四,13912345678,3110,冶金,正常生产,111.78,37.14,"
    )
}

fn init_db(dir: &Path) -> PathBuf {
    let db = dir.join("zhifa.sqlite");
    let o = zhifa(&["init", "--db", s(&db)]);
    assert!(o.status.success(), "{}", stderr(&o));
    db
}

fn enterprise_count(db: &Path) -> u64 {
    Replica::open(db).unwrap().count::<Enterprise>().unwrap()
}

#[test]
fn init_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(dir.path());
    let first = stdout(&zhifa(&["init", "--db", s(&db)]));
    assert!(first.contains("基础数据已是最新"), "{first}");
    assert!(first.contains("检查事项 128 项"));
    let r = Replica::open(&db).unwrap();
    assert_eq!(r.check_items(None, None).unwrap().len(), 128);
    assert_eq!(r.document_types().unwrap().len(), 53);
    // Organisations were written once: a second init records no new change.
    assert_eq!(r.pending_change_count().unwrap(), 15);
}

#[test]
fn import_reports_bad_rows_and_imports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(dir.path());
    let file = dir.path().join("台账.csv");
    let rows = [
        HEADER.to_owned(),
        row(&code(1), "吕梁孝义鑫达钢铁有限公司"),
        row(&code(2).to_lowercase(), "吕梁孝义华泰化工有限公司"),
        row("91141181MA0000001X", "校验位错误的公司"),
        row(&code(1), "重复的公司"),
        format!("{},缺少电话的公司,太原市,,地址,张三,李四,,3110,冶金,正常生产,,,", code(5)),
        row(&code(3), "吕梁孝义恒盛铝业有限公司").replace("13912345678", "１３９１２３４５６７８"),
    ];
    std::fs::write(&file, rows.join("\r\n")).unwrap();

    let o = zhifa(&["import", "enterprises", s(&file), "--db", s(&db), "--json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["imported"], 3);
    let invalid = v["invalid"].as_array().unwrap();
    let find = |row: u64, code: &str| invalid.iter().any(|e| e["row"] == row && e["code"] == code);
    assert!(find(3, "CREDIT_CODE_CHECKSUM"), "{invalid:?}");
    assert!(find(4, "DUPLICATE_IN_FILE"), "{invalid:?}");
    assert!(find(5, "DIVISION_OUTSIDE_AREA"), "{invalid:?}");
    assert!(find(5, "REQUIRED"), "{invalid:?}");
    for e in invalid {
        assert!(e["field"].is_string() && e["message"].as_str().unwrap().chars().any(|c| c > '\u{4e00}'));
    }
    assert_eq!(enterprise_count(&db), 3);

    // Normalised on the way in: lower-case code and full-width phone.
    let r = Replica::open(&db).unwrap();
    assert!(r.enterprise_by_credit_code(&code(2)).unwrap().is_some());
    assert_eq!(r.enterprise_by_credit_code(&code(3)).unwrap().unwrap().data.phone, "13912345678");
    let hits = stdout(&zhifa(&["search", "enterprises", "铝", "--db", s(&db), "--json"]));
    assert!(hits.contains("吕梁孝义恒盛铝业有限公司"), "{hits}");

    // Re-importing the same file changes nothing: upserts by credit code.
    let before = r.pending_change_count().unwrap();
    drop(r);
    let o = zhifa(&["import", "enterprises", s(&file), "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stdout(&o).contains("无变化 3"), "{}", stdout(&o));
    assert_eq!(Replica::open(&db).unwrap().pending_change_count().unwrap(), before);
}

#[test]
fn dry_run_and_clean_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(dir.path());
    let file = dir.path().join("ok.csv");
    std::fs::write(&file, format!("\u{feff}{HEADER}\n{}\n{}\n", row(&code(1), "甲公司"), row(&code(2), "乙公司")))
        .unwrap();
    let o = zhifa(&["import", "enterprises", s(&file), "--db", s(&db), "--dry-run", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), r#"{"imported":2,"invalid":[]}"#);
    assert_eq!(enterprise_count(&db), 0, "dry run writes nothing");
    let o = zhifa(&["import", "enterprises", s(&file), "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(enterprise_count(&db), 2);
}

#[test]
fn gbk_csv_from_excel_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(dir.path());
    let file = dir.path().join("gbk.csv");
    let text = format!("{HEADER}\r\n{}\r\n", row(&code(7), "吕梁汾阳杏花酒业有限公司"));
    let (bytes, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    std::fs::write(&file, &bytes).unwrap();
    let o = zhifa(&["import", "enterprises", s(&file), "--db", s(&db)]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let r = Replica::open(&db).unwrap();
    assert_eq!(r.enterprise_by_credit_code(&code(7)).unwrap().unwrap().data.name, "吕梁汾阳杏花酒业有限公司");
}

#[test]
fn xlsx_with_numeric_cells_imports() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(dir.path());
    let file = dir.path().join("台账.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    let cells = row(&code(9), "吕梁交城华晋焦化有限公司");
    for (c, v) in cells.split(',').enumerate() {
        match c {
            7 | 8 | 11 | 12 => ws.write_number(1, c as u16, v.parse::<f64>().unwrap()).unwrap(),
            _ => ws.write_string(1, c as u16, v).unwrap(),
        };
    }
    wb.save(&file).unwrap();
    let o = zhifa(&["import", "enterprises", s(&file), "--db", s(&db), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let e = Replica::open(&db).unwrap().enterprise_by_credit_code(&code(9)).unwrap().unwrap();
    assert_eq!(e.data.phone, "13912345678");
    assert_eq!(e.data.industry_code.as_str(), "C3110");
}

#[test]
fn unusable_files_exit_2_and_leave_the_database_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = init_db(dir.path());
    let seed_file = dir.path().join("seed.csv");
    std::fs::write(&seed_file, format!("{HEADER}\n{}\n", row(&code(1), "甲公司"))).unwrap();
    assert!(zhifa(&["import", "enterprises", s(&seed_file), "--db", s(&db)]).status.success());
    let changes = Replica::open(&db).unwrap().pending_change_count().unwrap();

    let missing_col = dir.path().join("missing.csv");
    std::fs::write(&missing_col, format!("统一社会信用代码,企业名称\n{},乙公司\n", code(2))).unwrap();
    let binary = dir.path().join("photo.csv");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 0, 1, 2, 3, 0xff, 0xd8].repeat(100)).unwrap();
    let pdf = dir.path().join("file.xlsx");
    std::fs::write(&pdf, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let nothing = dir.path().join("does-not-exist.csv");

    for (f, expect) in [(&missing_col, "MISSING_COLUMNS"), (&binary, ""), (&pdf, ""), (&empty, ""), (&nothing, "")] {
        let o = zhifa(&["import", "enterprises", s(f), "--db", s(&db)]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", f.display(), stderr(&o));
        let err = stderr(&o);
        assert!(err.starts_with("错误["), "{err}");
        assert!(err.contains(expect), "{err}");
    }
    let r = Replica::open(&db).unwrap();
    assert_eq!(r.count::<Enterprise>().unwrap(), 1);
    assert_eq!(r.pending_change_count().unwrap(), changes);
}

#[test]
fn corrupt_or_missing_replica_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("broken.sqlite");
    std::fs::write(&db, b"definitely not sqlite").unwrap();
    for args in
        [vec!["init", "--db", s(&db)], vec!["tour", "--db", s(&db)], vec!["search", "items", "粉尘", "--db", s(&db)]]
    {
        let o = zhifa(&args);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(err.contains("DB_CORRUPT") && err.contains("broken.sqlite"), "{err}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), b"definitely not sqlite");
    let missing = dir.path().join("none.sqlite");
    let o = zhifa(&["tour", "--db", s(&missing)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("DB_NOT_FOUND"));
    assert!(!missing.exists());
}

#[test]
fn demo_data_then_search_and_tour() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let o = zhifa(&["demo-data", "--db", s(&db), "--enterprises", "2000"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("企业 2000 家"), "{}", stdout(&o));
    let again = zhifa(&["demo-data", "--db", s(&db), "--enterprises", "2000"]);
    assert!(stdout(&again).contains("本次新增 0"), "demo data is deterministic: {}", stdout(&again));
    let hits: serde_json::Value = serde_json::from_str(&stdout(&zhifa(&[
        "search",
        "enterprises",
        "钢",
        "--db",
        s(&db),
        "--json",
        "--limit",
        "5",
    ])))
    .unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 5);
    assert!(hits.as_array().unwrap().iter().all(|h| h["name"].as_str().unwrap().contains('钢')));
    let items = stdout(&zhifa(&["search", "items", "有限空间", "--db", s(&db)]));
    assert!(items.contains("YX-"), "{items}");
    let laws = stdout(&zhifa(&["search", "laws", "关闭", "--db", s(&db)]));
    assert!(laws.contains("安全生产法"), "{laws}");
    let tour = zhifa(&["tour", "--db", s(&db)]);
    assert!(tour.status.success());
    let t = stdout(&tour);
    for needle in
        ["执法人员库", "检查对象库】企业 2000 家", "重大事故隐患 80 项", "听证申请期：5工作日，届满日 2026年2月27日"]
    {
        assert!(t.contains(needle), "tour lacks {needle}: {t}");
    }
}

#[test]
fn deadline_command_counts_working_days_over_spring_festival() {
    let o = zhifa(&["deadline", "--from", "2026-02-13", "--rule", "D-HEARING-REQUEST"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("2026年2月27日"), "{}", stdout(&o));
    let bad = zhifa(&["deadline", "--from", "明天"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("起算日期"));
}

#[test]
fn closed_stdout_is_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    assert!(zhifa(&["demo-data", "--db", s(&db), "--enterprises", "2000"]).status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .args(["search", "enterprises", "公司", "--db", s(&db), "--limit", "2000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn doc_render_from_a_replica_uses_the_frozen_content() {
    use zhifa_core::document::{Document, DocumentStatus};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tablet.sqlite");
    let mut r = Replica::init(&db).unwrap();
    let model = zhifa_docgen::sample::inspection_record(2).unwrap();
    let inspection: zhifa_core::ids::InspectionId = r.write(|w| Ok::<_, zhifa_store::StoreError>(w.new_id())).unwrap();
    r.write(|w| {
        let id = w.new_id();
        w.put(&Document {
            id,
            doc_type: "现场检查记录".into(),
            number: Some(model.number().to_owned()),
            status: DocumentStatus::Issued,
            inspection: Some(inspection),
            case: None,
            content_hash: Some(zhifa_docgen::qr::content_hash(&model)),
            corrects: None,
            content: Some(zhifa_docgen::qr::canonical_json(&model)),
        })
        .map(|_| ())
    })
    .unwrap();
    drop(r);
    let pdf = dir.path().join("out.pdf");
    let insp = inspection.to_string();
    let o =
        zhifa(&["doc", "render", "--type", "现场检查记录", "--inspection", &insp, "--db", s(&db), "--out", s(&pdf)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = Command::new("pdftotext").args([s(&pdf), "-"]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains(model.number()));
    // No issued 指令书 for that inspection: a clear error, exit 2.
    let o = zhifa(&[
        "doc",
        "render",
        "--type",
        "责令限期整改指令书",
        "--inspection",
        &insp,
        "--db",
        s(&db),
        "--out",
        s(&pdf),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("没有已签发的责令限期整改指令书"), "{}", stderr(&o));
}
