//! Sizes of the 80 mm 责令限期整改指令书 job in text mode and as all-raster, their ratio (goal:
//! text ≤ 1/40 of raster), the time to push each through a 115,200-baud UART link (the usual cap
//! of Bluetooth SPP printer modules), and the encoding time. Run: `cargo bench -p zhifa-escpos`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use zhifa_escpos::transport::uart_seconds;
use zhifa_escpos::{FontRasterizer, Profile, encode, encode_all_raster, layout};

fn main() {
    let font = match FontRasterizer::system() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    for profile in [Profile::mm80(), Profile::mm58()] {
        let slip = layout::rectification_order(&common::rectification_order());
        let t = Instant::now();
        let text = encode(&slip, &profile, &font).unwrap();
        let t_text = t.elapsed();
        let t = Instant::now();
        let raster = encode_all_raster(&slip, &profile, &font).unwrap();
        let t_raster = t.elapsed();
        println!(
            "责令限期整改指令书, {} ({} dots, {} columns)",
            profile.name, profile.dots_per_line, profile.chars_per_line
        );
        println!(
            "  text mode : {:>7} bytes  {:>6.2} s at 115200 baud  encoded in {:?}",
            text.len(),
            uart_seconds(text.len(), 115_200),
            t_text
        );
        println!(
            "  raster    : {:>7} bytes  {:>6.2} s at 115200 baud  encoded in {:?}",
            raster.len(),
            uart_seconds(raster.len(), 115_200),
            t_raster
        );
        let ratio = raster.len() as f64 / text.len() as f64;
        println!("  text = 1/{ratio:.1} of raster (goal ≤ 1/40: {})", if ratio >= 40.0 { "met" } else { "NOT met" });
    }
}
