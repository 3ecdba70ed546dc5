//! Import throughput and peak memory.
//!
//! `cargo bench -p zhifa-import --bench import` generates valid ledgers (CSV with 50k,
//! 200k and 500k rows, XLSX with 50k and 200k rows) in a temporary directory, then
//! imports each one in a fresh child process with a no-op sink and prints rows/s and the
//! child's peak RSS (`VmHWM` from `/proc/self/status`), next to the peak RSS of a child
//! that does nothing (the baseline). Separate processes keep one run's peak from hiding
//! the next one's. Pass sizes to override: `cargo bench ... -- csv:10000 xlsx:5000`.
//! Without cargo bench's `--bench` flag (e.g. under `cargo test --all-targets`) it only
//! does a small smoke run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use zhifa_core::credit_code::check_char;
use zhifa_core::division::Area;
use zhifa_import::import_ledger;

const HEADER: [&str; 12] = [
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

const CATEGORIES: [&str; 6] = ["冶金", "有色", "建材", "机械", "轻工", "商贸"];

fn credit_code(i: u64) -> String {
    let first17 = format!("91141181{:09}", i);
    let c = check_char(first17.as_bytes()).expect("digits only");
    format!("{first17}{}", c as char)
}

fn rows(area: &Area, n: u64) -> impl Iterator<Item = [String; 12]> + '_ {
    (0..n).map(move |i| {
        let county = &area.counties[(i as usize) % area.counties.len()];
        let township = county.townships.get((i as usize / 13) % county.townships.len().max(1)).map(|t| t.name.clone());
        [
            credit_code(i),
            format!("吕梁市测试{i}号工贸有限公司"),
            county.division.name.clone(),
            township.unwrap_or_default(),
            format!("{}工业园区{}号", county.division.name, i % 1000),
            "张三".to_owned(),
            "李四".to_owned(),
            format!("139{:08}", i % 100_000_000),
            "3110".to_owned(),
            CATEGORIES[(i as usize) % CATEGORIES.len()].to_owned(),
            "正常生产".to_owned(),
            ((i % 500) + 5).to_string(),
        ]
    })
}

fn write_csv(path: &Path, area: &Area, n: u64) {
    let mut w = csv::Writer::from_path(path).expect("create csv");
    w.write_record(HEADER).expect("write");
    for r in rows(area, n) {
        w.write_record(&r).expect("write");
    }
    w.flush().expect("flush");
}

fn write_xlsx(path: &Path, area: &Area, n: u64) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    // Shared strings, as Excel writes them.
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    for (i, r) in rows(area, n).enumerate() {
        for (c, v) in r.iter().enumerate() {
            ws.write_string(i as u32 + 1, c as u16, v).expect("write");
        }
    }
    wb.save(path).expect("save xlsx");
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Child mode: import one file, print "rows seconds hwm_kib".
fn child(path: Option<&str>) {
    let area = Area::luliang();
    let Some(path) = path else {
        println!("0 0 {}", vm_hwm_kib());
        return;
    };
    let start = Instant::now();
    let mut seen = 0usize;
    let report = import_ledger(Path::new(path), &area, |_, _| {
        seen += 1;
        Ok::<(), std::convert::Infallible>(())
    })
    .expect("import");
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(report.valid, seen);
    assert!(report.invalid.is_empty(), "generated ledger must be valid: {:?}", &report.invalid[..1]);
    println!("{} {secs} {}", report.valid, vm_hwm_kib());
}

fn run_child(arg: Option<&Path>) -> (u64, f64, u64) {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = Command::new(exe);
    cmd.arg("--child");
    if let Some(p) = arg {
        cmd.arg(p);
    }
    let out = cmd.output().expect("spawn child");
    assert!(out.status.success(), "child failed: {}", String::from_utf8_lossy(&out.stderr));
    let s = String::from_utf8_lossy(&out.stdout);
    let mut it = s.split_whitespace();
    let rows = it.next().and_then(|x| x.parse().ok()).unwrap_or(0);
    let secs = it.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
    let hwm = it.next().and_then(|x| x.parse().ok()).unwrap_or(0);
    (rows, secs, hwm)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(args.get(i + 1).map(String::as_str));
        return;
    }
    let mut plan: Vec<(String, u64)> = args
        .iter()
        .filter_map(|a| a.split_once(':'))
        .filter_map(|(k, n)| Some((k.to_owned(), n.parse().ok()?)))
        .collect();
    if plan.is_empty() && !args.iter().any(|a| a == "--bench") {
        // Built and run by `cargo test --all-targets` (no `--bench` flag): a quick smoke run.
        plan = vec![("csv".into(), 2_000), ("xlsx".into(), 500)];
    }
    if plan.is_empty() {
        plan = vec![
            ("csv".into(), 50_000),
            ("csv".into(), 200_000),
            ("csv".into(), 500_000),
            ("xlsx".into(), 50_000),
            ("xlsx".into(), 200_000),
        ];
    }
    let area = Area::luliang();
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, _, base) = run_child(None);
    println!("baseline (process start, no import): peak RSS {:.1} MiB", base as f64 / 1024.0);
    println!(
        "{:<6} {:>9} {:>10} {:>9} {:>11} {:>14}",
        "format", "rows", "file MiB", "seconds", "rows/s", "peak RSS MiB"
    );
    for (kind, n) in plan {
        let path: PathBuf = dir.path().join(format!("ledger-{n}.{kind}"));
        match kind.as_str() {
            "xlsx" => write_xlsx(&path, &area, n),
            _ => write_csv(&path, &area, n),
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let (rows, secs, hwm) = run_child(Some(&path));
        assert_eq!(rows, n, "every generated row must import");
        println!(
            "{:<6} {:>9} {:>10.1} {:>9.2} {:>11.0} {:>14.1}",
            kind,
            rows,
            size as f64 / (1024.0 * 1024.0),
            secs,
            rows as f64 / secs,
            hwm as f64 / 1024.0
        );
        std::fs::remove_file(&path).ok();
    }
}
