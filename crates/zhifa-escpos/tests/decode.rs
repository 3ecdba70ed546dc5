//! Round trips through an independent decoder (`tests/common/decoder.rs`): the Chinese text, its
//! wrapping and style, the QR payload and the raster fallback read back from the bytes.

mod common;

use common::decoder::{Printed, decode, text_lines};
use zhifa_escpos::wrap::text_columns;
use zhifa_escpos::{FontRasterizer, Line, NoRasterizer, Profile, Slip, encode, encode_all_raster, layout};

fn font() -> FontRasterizer {
    FontRasterizer::system().unwrap_or_else(|e| {
        panic!("{e}: the raster tests need a CJK font; install one with `apt-get install -y fonts-wqy-microhei`")
    })
}

fn assert_well_wrapped(lines: &[String], profile: &Profile) {
    for l in lines {
        assert!(text_columns(l) <= usize::from(profile.chars_per_line), "{l:?} wider than {}", profile.chars_per_line);
        let first = l.chars().next();
        assert!(
            !matches!(first, Some('，' | '。' | '、' | '）' | '》' | '；' | '：')),
            "line starts with punctuation: {l:?}"
        );
        assert!(!matches!(l.chars().last(), Some('（' | '《')), "line ends with an opening bracket: {l:?}");
    }
}

#[test]
fn rectification_order_reads_back_on_both_widths() {
    let input = common::rectification_order();
    for profile in [Profile::mm58(), Profile::mm80()] {
        let job = encode(&layout::rectification_order(&input), &profile, &NoRasterizer).unwrap();
        let printed = decode(&job);
        let lines = text_lines(&printed);
        assert_well_wrapped(&lines, &profile);
        assert_eq!(
            printed[0],
            Printed::Text { text: "责令限期整改指令书".into(), align: 1, bold: true, double_height: true }
        );
        assert_eq!(lines[1], "（吕）应急责改〔2026〕15号");
        let all: String = lines.concat();
        for expected in [
            "吕梁市离石区鑫源煤焦化工有限公司：",
            "1. 危险化学品仓库未设置可燃气体报警装置，不符合《危险化学品安全管理条例》的要求。",
            "2. 特种作业人员（电工）刘某某未持证上岗。",
            "现责令你单位对上述第1至3项问题于2026年12月14日前整改完毕",
            "向吕梁市离石区人民政府申请行政复议",
            "安全生产监管执法人员：王建国（执法证号：14110019870012）",
            "吕梁市离石区应急管理局（印章）",
            "2026年11月29日",
        ] {
            assert!(all.contains(expected), "{} job lacks {expected:?}", profile.name);
        }
        let qr: Vec<_> = printed.iter().filter(|p| matches!(p, Printed::Qr { .. })).collect();
        assert_eq!(qr, [&Printed::Qr { payload: common::QR.as_bytes().to_vec(), model: 2, module: 6, level: b'1' }]);
        assert_eq!(printed.last(), Some(&Printed::Cut));
        assert!(!printed.iter().any(|p| matches!(p, Printed::Image { .. })), "an all-GBK slip needs no raster");
    }
}

#[test]
fn inspection_record_reads_back() {
    let input = common::inspection_record();
    let profile = Profile::mm58();
    let printed = decode(&encode(&layout::inspection_record(&input), &profile, &NoRasterizer).unwrap());
    let lines = text_lines(&printed);
    assert_well_wrapped(&lines, &profile);
    assert_eq!(lines[0], "现场检查记录");
    let all = lines.concat();
    for expected in [
        "被检查单位：吕梁市离石区鑫源煤焦化工有限公司",
        "检查时间：2026年11月29日",
        "王建国（14110019870012）、李晓梅（14110019920345）",
        "3. 生产安全事故应急预案",
    ] {
        assert!(all.contains(expected), "lacks {expected:?}");
    }
    // The certificate number is an ASCII word: never split across lines.
    assert!(lines.iter().any(|l| l.contains("14110019920345")));
    assert!(printed.contains(&Printed::Qr {
        payload: input.qr_payload.into_bytes(),
        model: 2,
        module: 6,
        level: b'1'
    }));
}

#[test]
fn only_the_line_with_a_rare_character_is_raster() {
    let font = font();
    // 龦 (U+9FA6) is just past GBK's last ideograph (U+9FA5) and in WenQuanYi and Noto CJK.
    let slip = Slip {
        lines: vec![Line::text("负责人：吉祥"), Line::text("法定代表人：王龦"), Line::text("完"), Line::Cut],
    };
    let printed = decode(&encode(&slip, &Profile::mm80(), &font).unwrap());
    match &printed[..] {
        [
            Printed::Text { text: a, .. },
            Printed::Image { width: 576, height: 30, black },
            Printed::Text { text: b, .. },
            Printed::Cut,
        ] => {
            assert_eq!((a.as_str(), b.as_str()), ("负责人：吉祥", "完"));
            assert!(*black > 300, "the raster line is nearly blank ({black} dots)");
        }
        other => panic!("unexpected job: {other:?}"),
    }
}

#[test]
fn printer_without_chinese_font_gets_raster_for_chinese_and_text_for_ascii() {
    let font = font();
    let slip = Slip {
        lines: vec![
            Line::title("现场检查记录"),
            Line::text("No. 0015"),
            Line::Qr { payload: "A1".into(), size: 4 },
            Line::Cut,
        ],
    };
    let printed = decode(&encode(&slip, &Profile::mm58().without_chinese_font(), &font).unwrap());
    assert!(matches!(printed[0], Printed::Image { width: 384, height: 60, black } if black > 500));
    assert!(matches!(&printed[1], Printed::Text { text, .. } if text == "No. 0015"));
    assert!(matches!(&printed[2], Printed::Qr { payload, .. } if payload == b"A1"));
}

#[test]
fn text_job_is_at_most_a_fortieth_of_its_raster_form() {
    let font = font();
    let slip = layout::rectification_order(&common::rectification_order());
    let text = encode(&slip, &Profile::mm80(), &font).unwrap();
    let raster = encode_all_raster(&slip, &Profile::mm80(), &font).unwrap();
    let printed = decode(&raster);
    assert!(text_lines(&printed).is_empty(), "all-raster job still has text lines");
    assert!(text.len() * 40 <= raster.len(), "text {} B vs raster {} B", text.len(), raster.len());
}

#[test]
fn character_missing_from_the_font_is_a_clear_error() {
    let slip = Slip { lines: vec![Line::text("王\u{2FFFD}")] };
    let e = encode(&slip, &Profile::mm58(), &font()).unwrap_err();
    assert_eq!(e.code(), "PRINT_GLYPH_MISSING");
    assert!(e.to_string().contains("U+2FFFD"), "{e}");
}
