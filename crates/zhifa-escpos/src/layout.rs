//! Slip layouts of the documents printed on receipt printers: 现场检查记录 and
//! 责令限期整改指令书 (wording of the 2016 式样, 安监 → 应急).

use crate::slip::{Line, Slip};

/// A calendar date as printed on documents (`2026年11月29日`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlipDate {
    /// Year, e.g. 2026.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl SlipDate {
    /// `2026年11月29日`.
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

/// A law-enforcement officer on the slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspector {
    /// Name.
    pub name: String,
    /// 执法证号.
    pub certificate_no: String,
}

/// Input of the 现场检查记录 slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionRecordSlip {
    /// Document number, e.g. `（吕）应急检记〔2026〕15号`.
    pub doc_no: String,
    /// 被检查单位.
    pub enterprise: String,
    /// 地址.
    pub address: String,
    /// 检查场所.
    pub place: String,
    /// 检查时间 (date).
    pub date: SlipDate,
    /// 检查人员 with 执法证号.
    pub inspectors: Vec<Inspector>,
    /// 检查情况, one entry per item.
    pub findings: Vec<String>,
    /// Content of the verification QR code.
    pub qr_payload: String,
}

/// Input of the 责令限期整改指令书 slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectificationOrderSlip {
    /// Document number, e.g. `（吕）应急责改〔2026〕15号`.
    pub doc_no: String,
    /// 被检查单位 (addressee).
    pub enterprise: String,
    /// 存在问题, one entry per problem.
    pub problems: Vec<String>,
    /// 整改完毕期限 (one for all problems).
    pub deadline: SlipDate,
    /// The full order sentence when problems have different deadlines (as written by
    /// `zhifa_docgen::model::rectification_order`, warning sentences included); replaces the
    /// sentence built from `deadline`.
    pub order: Option<String>,
    /// 复议机关, e.g. `吕梁市离石区人民政府`.
    pub review_body: String,
    /// 诉讼法院, e.g. `吕梁市离石区人民法院`.
    pub court: String,
    /// 执法人员 with 执法证号.
    pub inspectors: Vec<Inspector>,
    /// Issuing authority (above its seal), e.g. `吕梁市离石区应急管理局`.
    pub authority: String,
    /// Date of issue.
    pub date: SlipDate,
    /// Content of the verification QR code.
    pub qr_payload: String,
}

fn numbered(items: &[String]) -> impl Iterator<Item = Line> + '_ {
    items.iter().enumerate().map(|(i, t)| Line::text(format!("{}. {t}", i + 1)))
}

fn signatures(slip: &mut Slip, inspectors: &[Inspector], officer_label: &str) {
    for p in inspectors {
        slip.push(Line::text(format!("{officer_label}：{}（执法证号：{}）", p.name, p.certificate_no)));
        slip.push(Line::text("签名："));
        slip.push(Line::Feed(1));
    }
}

fn footer(slip: &mut Slip, qr_payload: &str) {
    slip.push(Line::Feed(1));
    slip.push(Line::Qr { payload: qr_payload.to_string(), size: 6 });
    slip.push(Line::center("扫码核验文书真伪"));
    slip.push(Line::Feed(3));
    slip.push(Line::Cut);
}

/// The 现场检查记录 slip.
pub fn inspection_record(r: &InspectionRecordSlip) -> Slip {
    let mut s = Slip::default();
    s.push(Line::title("现场检查记录"));
    s.push(Line::center(r.doc_no.clone()));
    s.push(Line::Rule);
    s.push(Line::text(format!("被检查单位：{}", r.enterprise)));
    s.push(Line::text(format!("地址：{}", r.address)));
    s.push(Line::text(format!("检查场所：{}", r.place)));
    s.push(Line::text(format!("检查时间：{}", r.date.chinese())));
    let names: Vec<String> = r.inspectors.iter().map(|p| format!("{}（{}）", p.name, p.certificate_no)).collect();
    s.push(Line::text(format!("检查人员（执法证号）：{}", names.join("、"))));
    s.push(Line::Rule);
    s.push(Line::text("检查情况："));
    s.lines.extend(numbered(&r.findings));
    s.push(Line::Rule);
    signatures(&mut s, &r.inspectors, "检查人员");
    s.push(Line::text("被检查单位现场负责人（签名）："));
    s.push(Line::Feed(2));
    s.push(Line::text(format!("日期：{}", r.date.chinese())));
    footer(&mut s, &r.qr_payload);
    s
}

/// The 责令限期整改指令书 slip.
pub fn rectification_order(r: &RectificationOrderSlip) -> Slip {
    let n = r.problems.len();
    let items = if n <= 1 { "第1项".to_string() } else { format!("第1至{n}项") };
    let mut s = Slip::default();
    s.push(Line::title("责令限期整改指令书"));
    s.push(Line::center(r.doc_no.clone()));
    s.push(Line::Rule);
    s.push(Line::text(format!("{}：", r.enterprise)));
    s.push(Line::text("经查，你单位存在下列问题："));
    s.lines.extend(numbered(&r.problems));
    if let Some(order) = &r.order {
        s.push(Line::text(order.clone()));
    } else {
        s.push(Line::text(format!(
            "现责令你单位对上述{items}问题于{}前整改完毕，达到有关法律法规规章和标准规定的要求。由此造成事故的，依法追究有关人员的责任。",
            r.deadline.chinese()
        )));
        s.push(Line::text("整改期间，你单位应当采取措施，确保安全生产。对安全生产违法行为，将依法予以行政处罚。"));
    }
    s.push(Line::text(format!(
        "如果不服本指令，可以依法在60日内向{}申请行政复议，或者在6个月内依法向{}提起行政诉讼，但本指令不停止执行，法律另有规定的除外。",
        r.review_body, r.court
    )));
    s.push(Line::Rule);
    signatures(&mut s, &r.inspectors, "安全生产监管执法人员");
    s.push(Line::text("被检查单位负责人（签名）："));
    s.push(Line::Feed(2));
    s.push(Line::Text {
        text: format!("{}（印章）\n{}", r.authority, r.date.chinese()),
        align: crate::Align::Right,
        bold: false,
        double_height: false,
    });
    footer(&mut s, &r.qr_payload);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_date() {
        assert_eq!(SlipDate { year: 2026, month: 11, day: 29 }.chinese(), "2026年11月29日");
    }
}
