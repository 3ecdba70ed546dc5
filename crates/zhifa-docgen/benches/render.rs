//! Render benchmark (harness = false): font load, cold first render and warm median render
//! time plus PDF size per document type and length. Run: `cargo bench -p zhifa-docgen`.
//! Goal: warm 2-page document ≤ 20 ms and ≤ 130 KB.

use std::time::{Duration, Instant};

use zhifa_docgen::{FontConfig, Renderer, sample};

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let fonts = FontConfig::from_env();
    let t0 = Instant::now();
    let renderer = match Renderer::new(&fonts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误[{}]：{e}", e.code());
            std::process::exit(2);
        }
    };
    let font_load = t0.elapsed();
    println!("font load ({}): {:.1} ms", fonts.family, ms(font_load));
    let cases = [("现场检查记录", 3usize), ("现场检查记录", 12), ("责令限期整改指令书", 3), ("责令限期整改指令书", 12)];
    println!("{:<20} {:>8} {:>5} {:>10} {:>10} {:>10}", "type", "findings", "pages", "cold ms", "warm ms", "bytes");
    let mut over_goal = false;
    for (name, findings) in cases {
        let doc = sample::by_type(name, findings).expect("sample");
        let t = Instant::now();
        let first = renderer.render(&doc).expect("render");
        let cold = t.elapsed();
        let warm: Vec<Duration> = (0..15)
            .map(|_| {
                let t = Instant::now();
                let pdf = renderer.render(&doc).expect("render");
                let d = t.elapsed();
                assert_eq!(pdf.bytes, first.bytes, "non-deterministic output");
                d
            })
            .collect();
        let warm = median(warm);
        println!(
            "{:<20} {:>8} {:>5} {:>10.1} {:>10.1} {:>10}",
            name,
            findings,
            first.pages,
            ms(cold),
            ms(warm),
            first.bytes.len()
        );
        if first.pages == 2 && (ms(warm) > 20.0 || first.bytes.len() > 130 * 1024) {
            over_goal = true;
        }
    }
    println!("goal (2 pages warm ≤ 20 ms, ≤ 130 KB): {}", if over_goal { "MISSED" } else { "met" });
}
