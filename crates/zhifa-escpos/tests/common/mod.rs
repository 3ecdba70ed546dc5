//! Shared fixtures of the integration tests: sample slips (吕梁 demo data), a deterministic stub
//! rasterizer, and an independent ESC/POS decoder.

#![allow(dead_code, unreachable_pub)]

pub mod decoder;

use zhifa_escpos::layout::{InspectionRecordSlip, Inspector, RectificationOrderSlip, SlipDate};
use zhifa_escpos::{Bitmap, PrintError, Rasterizer, TextStyle};

pub const QR: &str = "ZHIFA:DOC:LV-YJZG-2026-0015;SHA256:9f2c41d0";

pub fn inspectors() -> Vec<Inspector> {
    vec![
        Inspector { name: "王建国".into(), certificate_no: "14110019870012".into() },
        Inspector { name: "李晓梅".into(), certificate_no: "14110019920345".into() },
    ]
}

pub fn findings() -> Vec<String> {
    vec![
        "危险化学品仓库未设置可燃气体报警装置，不符合《危险化学品安全管理条例》的要求。".into(),
        "特种作业人员（电工）刘某某未持证上岗。".into(),
        "生产安全事故应急预案未按规定每半年至少组织一次演练。".into(),
    ]
}

pub fn inspection_record() -> InspectionRecordSlip {
    InspectionRecordSlip {
        doc_no: "（吕）应急检记〔2026〕15号".into(),
        enterprise: "吕梁市离石区鑫源煤焦化工有限公司".into(),
        address: "山西省吕梁市离石区城北街道滨河北西路88号".into(),
        place: "危险化学品仓库、二号生产车间".into(),
        date: SlipDate { year: 2026, month: 11, day: 29 },
        inspectors: inspectors(),
        findings: findings(),
        qr_payload: "ZHIFA:DOC:LV-YJJJ-2026-0015;SHA256:51be07aa".into(),
    }
}

pub fn rectification_order() -> RectificationOrderSlip {
    RectificationOrderSlip {
        doc_no: "（吕）应急责改〔2026〕15号".into(),
        enterprise: "吕梁市离石区鑫源煤焦化工有限公司".into(),
        problems: findings(),
        deadline: SlipDate { year: 2026, month: 12, day: 14 },
        order: None,
        review_body: "吕梁市离石区人民政府".into(),
        court: "离石区人民法院".into(),
        inspectors: inspectors(),
        authority: "吕梁市离石区应急管理局".into(),
        date: SlipDate { year: 2026, month: 11, day: 29 },
        qr_payload: QR.into(),
    }
}

/// Draws a frame as wide as the text (12 dots per column), 30 dots high: deterministic, no font.
pub struct BoxRasterizer;

impl Rasterizer for BoxRasterizer {
    fn render_line(&self, text: &str, style: TextStyle, width_dots: u16) -> Result<Bitmap, PrintError> {
        let mut b = Bitmap::new(width_dots, 30);
        let cols: i32 = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        for x in 0..cols * 12 {
            b.set(x, 3);
            b.set(x, 26);
        }
        for y in 3..27 {
            b.set(0, y);
            b.set(cols * 12 - 1, y);
        }
        Ok(if style.double_height { b.double_height() } else { b })
    }
}
