//! Industry codes of GB/T 4754-2017 (国民经济行业分类) and the supervision categories
//! (监管行业) of the enterprise ledger.
//!
//! The full table of 1,381 classes is not in the seed data, so validation is structural:
//! an optional section letter (A–T), then 2 to 4 digits whose first two name one of the
//! 97 divisions, and the letter, when given, must be that division's section.

use serde::{Deserialize, Serialize};

/// Sections A–T with their first and last two-digit division.
const SECTIONS: [(char, u8, u8, &str); 20] = [
    ('A', 1, 5, "农、林、牧、渔业"),
    ('B', 6, 12, "采矿业"),
    ('C', 13, 43, "制造业"),
    ('D', 44, 46, "电力、热力、燃气及水生产和供应业"),
    ('E', 47, 50, "建筑业"),
    ('F', 51, 52, "批发和零售业"),
    ('G', 53, 60, "交通运输、仓储和邮政业"),
    ('H', 61, 62, "住宿和餐饮业"),
    ('I', 63, 65, "信息传输、软件和信息技术服务业"),
    ('J', 66, 69, "金融业"),
    ('K', 70, 70, "房地产业"),
    ('L', 71, 72, "租赁和商务服务业"),
    ('M', 73, 75, "科学研究和技术服务业"),
    ('N', 76, 79, "水利、环境和公共设施管理业"),
    ('O', 80, 82, "居民服务、修理和其他服务业"),
    ('P', 83, 83, "教育"),
    ('Q', 84, 85, "卫生和社会工作"),
    ('R', 86, 90, "文化、体育和娱乐业"),
    ('S', 91, 96, "公共管理、社会保障和社会组织"),
    ('T', 97, 97, "国际组织"),
];

/// The section letter of a two-digit division, if it exists.
pub fn section_of(division: u8) -> Option<(char, &'static str)> {
    SECTIONS.iter().find(|(_, a, b, _)| (*a..=*b).contains(&division)).map(|(c, _, _, n)| (*c, *n))
}

/// A structurally valid industry code, stored with its section letter (e.g. `C3110`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IndustryCode(String);

impl IndustryCode {
    /// Parses `C3110`, `3110`, `C311`, `31` (normalised input; letter case ignored).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_uppercase();
        let (letter, digits) = match s.chars().next()? {
            c if c.is_ascii_alphabetic() => (Some(c), &s[1..]),
            _ => (None, &s[..]),
        };
        if !(2..=4).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let div: u8 = digits[..2].parse().ok()?;
        let (sec, _) = section_of(div)?;
        if letter.is_some_and(|l| l != sec) {
            return None;
        }
        Some(Self(format!("{sec}{digits}")))
    }

    /// Text form with section letter.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-digit division.
    pub fn division(&self) -> u8 {
        self.0[1..3].parse().unwrap_or(0)
    }
}

/// 监管行业 / 监管分类 of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupervisionCategory {
    /// 冶金.
    #[serde(rename = "冶金")]
    Metallurgy,
    /// 有色.
    #[serde(rename = "有色")]
    NonFerrous,
    /// 建材.
    #[serde(rename = "建材")]
    BuildingMaterials,
    /// 机械.
    #[serde(rename = "机械")]
    Machinery,
    /// 轻工.
    #[serde(rename = "轻工")]
    LightIndustry,
    /// 纺织.
    #[serde(rename = "纺织")]
    Textile,
    /// 烟草.
    #[serde(rename = "烟草")]
    Tobacco,
    /// 商贸.
    #[serde(rename = "商贸")]
    Commerce,
    /// 危险化学品.
    #[serde(rename = "危险化学品")]
    HazardousChemicals,
    /// 非煤矿山.
    #[serde(rename = "非煤矿山")]
    NonCoalMine,
    /// 烟花爆竹.
    #[serde(rename = "烟花爆竹")]
    Fireworks,
    /// 其他.
    #[serde(rename = "其他")]
    Other,
}

impl SupervisionCategory {
    /// Every category, in ledger order.
    pub const ALL: [Self; 12] = [
        Self::Metallurgy,
        Self::NonFerrous,
        Self::BuildingMaterials,
        Self::Machinery,
        Self::LightIndustry,
        Self::Textile,
        Self::Tobacco,
        Self::Commerce,
        Self::HazardousChemicals,
        Self::NonCoalMine,
        Self::Fireworks,
        Self::Other,
    ];

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Metallurgy => "冶金",
            Self::NonFerrous => "有色",
            Self::BuildingMaterials => "建材",
            Self::Machinery => "机械",
            Self::LightIndustry => "轻工",
            Self::Textile => "纺织",
            Self::Tobacco => "烟草",
            Self::Commerce => "商贸",
            Self::HazardousChemicals => "危险化学品",
            Self::NonCoalMine => "非煤矿山",
            Self::Fireworks => "烟花爆竹",
            Self::Other => "其他",
        }
    }

    /// Parses the Chinese name (also 危化, 危化品, 冶金工贸 → 冶金).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|c| c.label() == s).or(match s {
            "危化" | "危化品" | "危险化学品生产" => Some(Self::HazardousChemicals),
            "冶金工贸" | "钢铁" => Some(Self::Metallurgy),
            "有色金属" => Some(Self::NonFerrous),
            "矿山" | "金属非金属矿山" => Some(Self::NonCoalMine),
            _ => None,
        })
    }

    /// The checklist industry (`checklist.json` `industry`) that covers this category.
    pub fn checklist_industry(self) -> &'static str {
        match self {
            Self::HazardousChemicals => "危险化学品",
            Self::NonCoalMine => "非煤矿山",
            Self::Fireworks | Self::Other => "通用",
            _ => "冶金工贸",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industry_codes() {
        assert_eq!(IndustryCode::parse("3110").unwrap().as_str(), "C3110");
        assert_eq!(IndustryCode::parse("c3110").unwrap().as_str(), "C3110");
        assert_eq!(IndustryCode::parse("B0911").unwrap().division(), 9);
        assert!(IndustryCode::parse("A3110").is_none(), "section must match division");
        assert!(IndustryCode::parse("9910").is_none(), "no division 99");
        assert!(IndustryCode::parse("3").is_none());
        assert!(IndustryCode::parse("311000").is_none());
        assert!(IndustryCode::parse("31a0").is_none());
    }

    #[test]
    fn categories_round_trip() {
        for c in SupervisionCategory::ALL {
            assert_eq!(SupervisionCategory::parse(c.label()), Some(c));
        }
        assert_eq!(SupervisionCategory::parse("危化"), Some(SupervisionCategory::HazardousChemicals));
    }
}
