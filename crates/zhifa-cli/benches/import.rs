//! End-to-end import benchmark: the real `zhifa import enterprises` on a generated
//! 50,000-row (and 200,000-row) ledger CSV into a real replica, one transaction.
//!
//! Prints rows/s and the `zhifa` process's peak RSS (VmHWM). Run:
//! `cargo bench -p zhifa-cli --bench import`.

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use zhifa_seed::demo::{DemoSize, generate};

/// Peak RSS (VmHWM) of a running child, polled every 5 ms until it exits.
fn run_with_peak_rss(cmd: &mut Command) -> (std::process::Output, f64) {
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    // Drain stdout in a thread so a large output cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).unwrap();
        v
    });
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path)
            && let Some(l) = s.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kb: u64 = l.split_whitespace().nth(1).and_then(|x| x.parse().ok()).unwrap_or(0);
            peak_kb = peak_kb.max(kb);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let mut out = child.wait_with_output().unwrap();
    out.stdout = reader.join().unwrap();
    (out, peak_kb as f64 / 1024.0)
}

fn main() {
    let zhifa = env!("CARGO_BIN_EXE_zhifa");
    let area = zhifa_core::division::Area::luliang();
    let sizes: Vec<usize> = std::env::var("ZHIFA_BENCH_ROWS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![50_000, 200_000]);
    println!("{:>8} {:>10} {:>12} {:>12} {:>14}", "rows", "file MB", "seconds", "rows/s", "peak RSS MB");
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("ledger.csv");
        let db = dir.path().join("bench.sqlite");
        let demo = generate(&area, n as u64, DemoSize { enterprises: n, officers_per_county: 1 });
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        writeln!(f, "统一社会信用代码,企业名称,所属区县,乡镇（街道）,生产经营地址,法定代表人,主要负责人,联系电话,国民经济行业分类代码,监管行业,经营状态,经度,纬度,专项标签").unwrap();
        for e in &demo.enterprises {
            let loc = e.location.unwrap();
            writeln!(
                f,
                "{},{},{},{},{},{},{},{},{},{},{},{:.5},{:.5},{}",
                e.credit_code,
                e.name,
                e.county_code,
                e.township_code.clone().unwrap_or_default(),
                e.address,
                e.legal_rep,
                e.principal,
                e.phone,
                e.industry_code.as_str(),
                e.supervision_category.label(),
                e.status.label(),
                loc.lng,
                loc.lat,
                e.tags.join("、")
            )
            .unwrap();
        }
        drop(f);
        let size = std::fs::metadata(&csv).unwrap().len() as f64 / 1e6;
        assert!(Command::new(zhifa).args(["init", "--db", db.to_str().unwrap()]).output().unwrap().status.success());
        let t = Instant::now();
        let (out, peak_mb) = run_with_peak_rss(Command::new(zhifa).args([
            "import",
            "enterprises",
            csv.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--json",
        ]));
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["imported"].as_u64().unwrap() as usize, n);
        println!("{n:>8} {size:>10.1} {secs:>12.2} {:>12.0} {peak_mb:>14.1}", n as f64 / secs);
    }
}
