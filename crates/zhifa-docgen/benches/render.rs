//! Render benchmark (harness = false), per document type: cold render (a fresh `Renderer`:
//! font load + first compile), first render on a warm renderer, warm median render time, pages
//! and PDF size. Run: `cargo bench -p zhifa-docgen`.
//! Goal: warm 2-page document ≤ 20 ms and ≤ 130 KB.

use std::time::{Duration, Instant};

use zhifa_docgen::{FontConfig, RENDERABLE_TYPES, Renderer, sample};

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
    // Cold: a fresh renderer (font load included) for the first document.
    let t = Instant::now();
    let fresh = Renderer::new(&fonts).expect("renderer");
    fresh.render(&sample::by_type(RENDERABLE_TYPES[0], 3).expect("sample")).expect("render");
    println!("cold (new Renderer + first render): {:.1} ms", ms(t.elapsed()));

    let mut cases: Vec<(&str, usize)> = RENDERABLE_TYPES.iter().map(|n| (*n, 3)).collect();
    cases.insert(1, ("现场检查记录", 12));
    cases.insert(3, ("责令限期整改指令书", 12));
    println!("| Type | Items | Pages | First render ms | Warm ms (median of 15) | PDF bytes |");
    println!("|---|---|---|---|---|---|");
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
            "| {name} | {findings} | {} | {:.1} | {:.1} | {} |",
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
