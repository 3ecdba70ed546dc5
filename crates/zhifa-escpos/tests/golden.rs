//! Golden tests: the exact ESC/POS bytes of each slip, stored as annotated hex dumps in
//! `test_data/*.hex` (one command per line). Bless changes with `UPDATE_EXPECT=1`.

mod common;

use std::path::PathBuf;

use zhifa_escpos::hexdump::annotate;
use zhifa_escpos::{Line, NoRasterizer, Profile, Rasterizer, Slip, encode, layout};

fn check(name: &str, slip: &Slip, profile: &Profile, rasterizer: &dyn Rasterizer) {
    let job = encode(slip, profile, rasterizer).unwrap();
    let actual = annotate(&job);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data").join(format!("{name}.hex"));
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_EXPECT=1 to create it", path.display()));
    if expected != actual {
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name}: bytes differ from {} at dump line {}\nexpected: {}\nactual:   {}\n(run with UPDATE_EXPECT=1 to bless)",
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>"),
        );
    }
}

#[test]
fn inspection_record_58mm() {
    check(
        "inspection_record_58mm",
        &layout::inspection_record(&common::inspection_record()),
        &Profile::mm58(),
        &NoRasterizer,
    );
}

#[test]
fn inspection_record_80mm() {
    check(
        "inspection_record_80mm",
        &layout::inspection_record(&common::inspection_record()),
        &Profile::mm80(),
        &NoRasterizer,
    );
}

#[test]
fn rectification_order_58mm() {
    check(
        "rectification_order_58mm",
        &layout::rectification_order(&common::rectification_order()),
        &Profile::mm58(),
        &NoRasterizer,
    );
}

#[test]
fn rectification_order_80mm() {
    check(
        "rectification_order_80mm",
        &layout::rectification_order(&common::rectification_order()),
        &Profile::mm80(),
        &NoRasterizer,
    );
}

#[test]
fn rare_character_line_falls_back_to_raster() {
    // 𠮷 (U+20BB7) is outside GBK: only its wrapped line becomes GS v 0; the neighbours stay text.
    let slip = Slip {
        lines: vec![Line::text("负责人：吉祥"), Line::text("法定代表人：𠮷祥"), Line::title("完"), Line::Cut],
    };
    check("rare_character_58mm", &slip, &Profile::mm58(), &common::BoxRasterizer);
}
