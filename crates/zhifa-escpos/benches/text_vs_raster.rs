//! Print-job sizes and link times. Run: `cargo bench -p zhifa-escpos`.
//!
//! 1. Receipt slips (现场检查记录, 责令限期整改指令书 test fixtures) on 80 and 58 mm: text mode vs
//!    all-raster bytes (goal: 80 mm text ≤ 1/40 of raster), time through a 115,200-baud UART
//!    link (the usual cap of Bluetooth SPP printer modules), encoding time.
//! 2. Every renderable document type as an A4 raster job for 216 mm printers (typst-render at
//!    203 dpi, threshold, `GS v 0`): pages, bytes, link time, render + encode time.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use zhifa_docgen::{FontConfig, RENDERABLE_TYPES, Renderer, sample};
use zhifa_escpos::transport::uart_seconds;
use zhifa_escpos::{Bitmap, Dither, FontRasterizer, Profile, encode, encode_all_raster, encode_pages, layout};

fn main() {
    let font = match FontRasterizer::system() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    println!(
        "| Slip | Paper | Text mode | All raster | Text : raster | 115,200 baud text / raster | Encode text / raster |"
    );
    println!("|---|---|---|---|---|---|---|");
    let slips = [
        ("现场检查记录", layout::inspection_record(&common::inspection_record())),
        ("责令限期整改指令书", layout::rectification_order(&common::rectification_order())),
    ];
    for (name, slip) in &slips {
        for profile in [Profile::mm80(), Profile::mm58()] {
            let t = Instant::now();
            let text = encode(slip, &profile, &font).unwrap();
            let t_text = t.elapsed();
            let t = Instant::now();
            let raster = encode_all_raster(slip, &profile, &font).unwrap();
            let t_raster = t.elapsed();
            let ratio = raster.len() as f64 / text.len() as f64;
            println!(
                "| {name} | {} | {} B | {} B | 1/{ratio:.1}{} | {:.2} s / {:.2} s | {:.2} ms / {:.2} ms |",
                profile.name,
                text.len(),
                raster.len(),
                if profile.name == "80mm" { if ratio >= 40.0 { " (goal met)" } else { " (goal MISSED)" } } else { "" },
                uart_seconds(text.len(), 115_200),
                uart_seconds(raster.len(), 115_200),
                t_text.as_secs_f64() * 1000.0,
                t_raster.as_secs_f64() * 1000.0,
            );
        }
    }

    let renderer = match Renderer::new(&FontConfig::from_env()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let a4 = Profile::a4();
    println!();
    println!("| A4 raster job (1728 dots, 203 dpi) | Pages | Bytes | 115,200 baud | Render + encode |");
    println!("|---|---|---|---|---|");
    for name in RENDERABLE_TYPES {
        let doc = sample::by_type(name, 3).unwrap();
        let t = Instant::now();
        let pages = renderer.render_gray(&doc, 203.0).unwrap();
        let bitmaps: Vec<Bitmap> = pages
            .iter()
            .map(|p| Bitmap::from_gray(&p.pixels, p.width, p.height, a4.dots_per_line, Dither::Threshold).unwrap())
            .collect();
        let job = encode_pages(&bitmaps, &a4).unwrap();
        let elapsed = t.elapsed();
        println!(
            "| {name} | {} | {} B | {:.1} s | {:.0} ms |",
            pages.len(),
            job.len(),
            uart_seconds(job.len(), 115_200),
            elapsed.as_secs_f64() * 1000.0
        );
    }
}
