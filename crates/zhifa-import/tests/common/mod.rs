//! Fixtures shared by the integration tests: valid ledger rows, CSV and XLSX writers.
#![allow(dead_code)]

use std::path::PathBuf;

use zhifa_core::credit_code::{ALPHABET, check_char};
use zhifa_core::division::Area;
use zhifa_core::enterprise::EnterpriseData;
use zhifa_import::{ImportError, ImportReport, import_ledger};

/// The required columns plus two optional ones, in template order.
pub(crate) const HEADER: [&str; 12] = [
    "统一社会信用代码",
    "企业名称",
    "所属区县",
    "乡镇（街道）",
    "生产经营地址",
    "法定代表人",
    "主要负责人",
    "联系电话",
    "国民经济行业分类代码",
    "监管行业",
    "经营状态",
    "从业人员数",
];

/// Column index of a header name in [`HEADER`].
pub(crate) fn col(name: &str) -> usize {
    HEADER.iter().position(|h| *h == name).unwrap()
}

/// A valid credit code number `i` (registered in 孝义市).
pub(crate) fn credit_code(i: u32) -> String {
    let body = format!("91141181{:09}", i);
    let mut s = body.into_bytes();
    // Make the 9-digit body use letters too, like real codes.
    s[10] = ALPHABET[(i as usize * 7) % 31];
    let c = check_char(&s).unwrap();
    s.push(c);
    String::from_utf8(s).unwrap()
}

/// A valid credit code of digits only that an XLSX number cell holds without loss: it
/// ends in "000", so it has 15 significant digits, as many as Excel keeps.
pub(crate) fn numeric_credit_code() -> String {
    (0u32..)
        .map(|i| format!("91141181{i:07}00"))
        .find(|first17| check_char(first17.as_bytes()) == Some(b'0'))
        .map(|first17| format!("{first17}0"))
        .unwrap()
}

/// A valid ledger row number `i` with the cells of [`HEADER`].
pub(crate) fn row(i: u32) -> Vec<String> {
    vec![
        credit_code(i),
        format!("吕梁测试{i}号有限公司"),
        "孝义市".to_owned(),
        String::new(),
        format!("孝义市梧桐镇工业园区{i}号"),
        "张三".to_owned(),
        "李四".to_owned(),
        "13912345678".to_owned(),
        "3110".to_owned(),
        "冶金".to_owned(),
        "正常生产".to_owned(),
        "120".to_owned(),
    ]
}

/// CSV text of the header and `rows`, comma-separated, quoting where needed.
pub(crate) fn csv_text(header: &[&str], rows: &[Vec<String>], delim: char) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| -> String {
        cells
            .into_iter()
            .map(|c| if c.contains([delim, '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c })
            .collect::<Vec<_>>()
            .join(&delim.to_string())
    };
    out.push_str(&line(header.iter().map(|s| (*s).to_owned()).collect()));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push_str("\r\n");
    }
    out
}

/// A temporary directory with one file written into it.
pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) path: PathBuf,
}

/// Writes `bytes` to a temporary file called `name`.
pub(crate) fn file(name: &str, bytes: &[u8]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    Fixture { dir, path }
}

/// What an import produced: the report and the rows given to the sink.
pub(crate) struct Outcome {
    pub(crate) report: ImportReport,
    pub(crate) saved: Vec<(usize, EnterpriseData)>,
}

/// Imports `fx` into a vector.
pub(crate) fn import(fx: &Fixture) -> Result<Outcome, ImportError> {
    let area = Area::luliang();
    let mut saved = Vec::new();
    let report = import_ledger(&fx.path, &area, |n, d| {
        saved.push((n, d));
        Ok::<(), std::convert::Infallible>(())
    })?;
    Ok(Outcome { report, saved })
}

/// Imports `fx` expecting a fatal error.
pub(crate) fn import_err(fx: &Fixture) -> ImportError {
    match import(fx) {
        Ok(o) => panic!("expected a fatal error, got {:?}", o.report),
        Err(e) => e,
    }
}

/// `(row, code)` pairs of a report's errors.
pub(crate) fn codes(report: &ImportReport) -> Vec<(usize, String)> {
    report.invalid.iter().map(|e| (e.row, e.code.to_string())).collect()
}
