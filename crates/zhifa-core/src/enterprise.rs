//! Enterprises (检查对象库 / 企业台账) and the validation of ledger rows.
//!
//! The "11 mandatory fields" of the 《台帐数据标准》 could not be found in any public
//! source (see `docs/data-model.md`); [`LedgerField`] is the reconstruction from
//! `shared/domain.md` §2 and stays marked as uncertain in the docs.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::credit_code::CreditCode;
use crate::division::Area;
use crate::error::{FieldError, ValidationCode};
use crate::ids::EnterpriseId;
use crate::industry::{IndustryCode, SupervisionCategory};
use crate::normalize;

/// 经营状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OperatingStatus {
    /// 正常生产.
    #[serde(rename = "正常生产")]
    Operating,
    /// 停产.
    #[serde(rename = "停产")]
    Suspended,
    /// 停业整顿.
    #[serde(rename = "停业整顿")]
    Rectifying,
    /// 关闭.
    #[serde(rename = "关闭")]
    Closed,
    /// 筹建 / 在建.
    #[serde(rename = "筹建")]
    Preparing,
}

impl OperatingStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [Self::Operating, Self::Suspended, Self::Rectifying, Self::Closed, Self::Preparing];

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Operating => "正常生产",
            Self::Suspended => "停产",
            Self::Rectifying => "停业整顿",
            Self::Closed => "关闭",
            Self::Preparing => "筹建",
        }
    }

    /// Parses the Chinese name and common synonyms.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|x| x.label() == s).or(match s {
            "正常" | "生产" | "在产" | "正常经营" | "存续" => Some(Self::Operating),
            "停产停业" | "停业" | "歇业" => Some(Self::Suspended),
            "停产整顿" | "整顿" => Some(Self::Rectifying),
            "关停" | "注销" | "吊销" => Some(Self::Closed),
            "在建" | "试生产" => Some(Self::Preparing),
            _ => None,
        })
    }
}

/// A WGS-84 coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Longitude, degrees east.
    pub lng: f64,
    /// Latitude, degrees north.
    pub lat: f64,
}

/// Validated ledger data of an enterprise (everything but the id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseData {
    /// 1. 统一社会信用代码 (dedup key).
    pub credit_code: CreditCode,
    /// 2. 企业名称.
    pub name: String,
    /// 3a. 所属区县 (6-digit GB/T 2260).
    pub county_code: String,
    /// 3b. 乡镇（街道） (9-digit NBS statistical code), optional.
    pub township_code: Option<String>,
    /// 4. 生产经营地址.
    pub address: String,
    /// 5. 法定代表人.
    pub legal_rep: String,
    /// 6. 主要负责人.
    pub principal: String,
    /// 7. 联系电话.
    pub phone: String,
    /// 8. 国民经济行业分类 (GB/T 4754-2017, with section letter).
    pub industry_code: IndustryCode,
    /// 9. 监管行业.
    pub supervision_category: SupervisionCategory,
    /// 10. 经营状态.
    pub status: OperatingStatus,
    /// 11. 经纬度 (WGS-84). Optional on import: a tablet fills it on the first visit.
    pub location: Option<GeoPoint>,
    /// 专项标签 (粉尘涉爆, 有限空间, 液氨制冷, 铝加工深井铸造, 金属冶炼, 重大危险源 …).
    pub tags: Vec<String>,
    /// 风险等级 / 安全监管等级.
    pub risk_level: Option<String>,
    /// 安全生产许可证号.
    pub licence_no: Option<String>,
    /// 许可证有效期至.
    pub licence_expiry: Option<NaiveDate>,
    /// 从业人员数.
    pub employees: Option<u32>,
}

/// An enterprise record of the 检查对象库.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enterprise {
    /// Id (UUIDv7).
    pub id: EnterpriseId,
    /// Ledger data.
    #[serde(flatten)]
    pub data: EnterpriseData,
}

/// Known tags (专项标签).
pub const TAGS: [&str; 7] =
    ["粉尘涉爆", "有限空间", "液氨制冷", "铝加工深井铸造", "金属冶炼", "重大危险源", "重点监管危化工艺"];

/// The columns of a ledger file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerField {
    /// 统一社会信用代码.
    CreditCode,
    /// 企业名称.
    Name,
    /// 所属区县.
    County,
    /// 乡镇（街道）.
    Township,
    /// 生产经营地址.
    Address,
    /// 法定代表人.
    LegalRep,
    /// 主要负责人.
    Principal,
    /// 联系电话.
    Phone,
    /// 国民经济行业分类代码.
    IndustryCode,
    /// 监管行业.
    SupervisionCategory,
    /// 经营状态.
    Status,
    /// 经度.
    Longitude,
    /// 纬度.
    Latitude,
    /// 专项标签.
    Tags,
    /// 风险等级.
    RiskLevel,
    /// 安全生产许可证号.
    LicenceNo,
    /// 许可证有效期.
    LicenceExpiry,
    /// 从业人员数.
    Employees,
}

impl LedgerField {
    /// Every column, in template order.
    pub const ALL: [Self; 18] = [
        Self::CreditCode,
        Self::Name,
        Self::County,
        Self::Township,
        Self::Address,
        Self::LegalRep,
        Self::Principal,
        Self::Phone,
        Self::IndustryCode,
        Self::SupervisionCategory,
        Self::Status,
        Self::Longitude,
        Self::Latitude,
        Self::Tags,
        Self::RiskLevel,
        Self::LicenceNo,
        Self::LicenceExpiry,
        Self::Employees,
    ];

    /// The header a ledger file must have for the import to start.
    /// (经纬度 columns are optional: most county ledgers do not have them yet.)
    pub const REQUIRED_COLUMNS: [Self; 10] = [
        Self::CreditCode,
        Self::Name,
        Self::County,
        Self::Address,
        Self::LegalRep,
        Self::Principal,
        Self::Phone,
        Self::IndustryCode,
        Self::SupervisionCategory,
        Self::Status,
    ];

    /// The canonical Chinese column name (used in templates and error reports).
    pub fn header(self) -> &'static str {
        match self {
            Self::CreditCode => "统一社会信用代码",
            Self::Name => "企业名称",
            Self::County => "所属区县",
            Self::Township => "乡镇（街道）",
            Self::Address => "生产经营地址",
            Self::LegalRep => "法定代表人",
            Self::Principal => "主要负责人",
            Self::Phone => "联系电话",
            Self::IndustryCode => "国民经济行业分类代码",
            Self::SupervisionCategory => "监管行业",
            Self::Status => "经营状态",
            Self::Longitude => "经度",
            Self::Latitude => "纬度",
            Self::Tags => "专项标签",
            Self::RiskLevel => "风险等级",
            Self::LicenceNo => "安全生产许可证号",
            Self::LicenceExpiry => "许可证有效期",
            Self::Employees => "从业人员数",
        }
    }

    /// Other names seen in real ledgers for the same column.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::CreditCode => &["社会信用代码", "信用代码", "统一信用代码", "统一社会信用代码（18位）"],
            Self::Name => &["单位名称", "企业名称（全称）", "生产经营单位名称"],
            Self::County => &["行政区划", "所属县（市、区）", "县（市、区）", "区县", "所在区县", "行政区划代码"],
            Self::Township => &["乡镇", "乡镇(街道)", "乡镇街道", "所属乡镇"],
            Self::Address => &["经营地址", "生产地址", "地址", "生产经营场所地址"],
            Self::LegalRep => &["法人代表", "法定代表人（负责人）", "法人"],
            Self::Principal => &["主要负责人姓名", "负责人"],
            Self::Phone => &["联系方式", "电话", "主要负责人电话", "联系电话（手机）"],
            Self::IndustryCode => &["国民经济行业分类", "行业代码", "国民经济行业代码", "行业分类代码"],
            Self::SupervisionCategory => &["监管分类", "监管行业分类", "行业类别"],
            Self::Status => &["生产经营状态", "企业状态", "经营状况"],
            Self::Longitude => &["经度（WGS84）", "经度(WGS84)", "经度坐标"],
            Self::Latitude => &["纬度（WGS84）", "纬度(WGS84)", "纬度坐标"],
            Self::Tags => &["专项标签", "涉及专项", "标签"],
            Self::RiskLevel => &["安全风险等级", "监管等级", "安全监管等级"],
            Self::LicenceNo => &["许可证号", "安全生产许可证编号"],
            Self::LicenceExpiry => &["许可证有效期至", "有效期至"],
            Self::Employees => &["从业人员", "从业人数", "职工人数"],
        }
    }

    /// Matches a header cell (normalised: full-width and spaces handled, half-width
    /// parentheses accepted) to a field.
    pub fn from_header(h: &str) -> Option<Self> {
        let h: String = normalize::text(h).chars().filter(|c| !c.is_whitespace() && *c != '*').collect();
        let h = h.replace('(', "（").replace(')', "）");
        Self::ALL
            .into_iter()
            .find(|f| f.header() == h || f.aliases().iter().any(|a| a.replace('(', "（").replace(')', "）") == h))
    }
}

/// One raw ledger row: column → cell text, as read from a file or typed into a form.
pub type LedgerRow = BTreeMap<LedgerField, String>;

fn get(row: &LedgerRow, f: LedgerField) -> String {
    row.get(&f).map(|s| normalize::text(s)).unwrap_or_default()
}

fn required(row: &LedgerRow, f: LedgerField, max: usize, errs: &mut Vec<FieldError>) -> String {
    let v = get(row, f);
    if v.is_empty() {
        errs.push(FieldError::new(f.header(), ValidationCode::Required, format!("{}不能为空", f.header())));
    } else if v.chars().count() > max {
        errs.push(FieldError::new(f.header(), ValidationCode::TooLong, format!("{}不能超过{max}个字符", f.header())));
    }
    v
}

fn optional(row: &LedgerRow, f: LedgerField, max: usize, errs: &mut Vec<FieldError>) -> Option<String> {
    let v = get(row, f);
    if v.chars().count() > max {
        errs.push(FieldError::new(f.header(), ValidationCode::TooLong, format!("{}不能超过{max}个字符", f.header())));
    }
    (!v.is_empty()).then_some(v)
}

/// Checks a normalised phone number: mainland mobile (11 digits starting 1[3-9]) or a
/// landline with area code (0 + 2–3 digits, then 7–8 digits, optional extension).
pub fn phone_is_valid(p: &str) -> bool {
    let b = p.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let (main, ext) = match p.split_once(['转', '#']) {
        Some((m, e)) => (m, Some(e)),
        None => (p, None),
    };
    if ext.is_some_and(|e| e.is_empty() || e.len() > 6 || !e.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    let digits: String = main.chars().filter(|c| *c != '-').collect();
    if !digits.bytes().all(|c| c.is_ascii_digit()) || main.matches('-').count() > 2 {
        return false;
    }
    // 0 + area code (2–3 digits) + local number (7–8 digits): 10 to 12 digits.
    digits.starts_with('0') && (10..=12).contains(&digits.len())
}

fn parse_coord(row: &LedgerRow, f: LedgerField, errs: &mut Vec<FieldError>) -> Option<f64> {
    let v = get(row, f);
    if v.is_empty() {
        return None;
    }
    match v.trim_end_matches('°').parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            errs.push(FieldError::new(
                f.header(),
                ValidationCode::CoordinateInvalid,
                format!("{}“{v}”不是有效的数字", f.header()),
            ));
            None
        }
    }
}

/// Parses a date as Excel and people write it: 2026-11-29, 2026/11/29, 2026.11.29,
/// 2026年11月29日, 20261129.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = normalize::text(s);
    let t = s.replace(['年', '月', '/', '.'], "-").replace('日', "");
    NaiveDate::parse_from_str(&t, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&s, "%Y%m%d").ok())
        .or_else(|| NaiveDate::parse_from_str(t.split(' ').next().unwrap_or(""), "%Y-%m-%d").ok())
}

/// Validates and normalises one ledger row against the deployment's area.
///
/// Returns every field error of the row, not just the first, so an operator can fix a
/// row in one pass.
pub fn validate_row(row: &LedgerRow, area: &Area) -> Result<EnterpriseData, Vec<FieldError>> {
    use LedgerField as F;
    let mut errs = Vec::new();

    let cc_raw = normalize::credit_code(row.get(&F::CreditCode).map(String::as_str).unwrap_or(""));
    let credit_code = match CreditCode::parse(&cc_raw) {
        Ok(c) => Some(c),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let name = required(row, F::Name, 100, &mut errs);

    let county_raw = get(row, F::County);
    let township_raw = get(row, F::Township);
    let mut county_code = String::new();
    let mut township_code = None;
    if county_raw.is_empty() {
        errs.push(FieldError::new(F::County.header(), ValidationCode::Required, "所属区县不能为空"));
    } else {
        // A 9-digit township code in the county column is accepted too.
        let by_code = county_raw.bytes().all(|b| b.is_ascii_digit());
        let county =
            if by_code && county_raw.len() == 9 { area.county_of_code(&county_raw) } else { area.county(&county_raw) };
        match county {
            Some(c) => {
                county_code = c.division.code.clone();
                if by_code && county_raw.len() == 9 {
                    match c.township(&county_raw) {
                        Some(t) => township_code = Some(t.code.clone()),
                        None => errs.push(FieldError::new(
                            F::County.header(),
                            ValidationCode::DivisionUnknown,
                            format!("乡镇代码“{county_raw}”不存在"),
                        )),
                    }
                }
                if !township_raw.is_empty() {
                    match c.township(&township_raw) {
                        Some(t) => township_code = Some(t.code.clone()),
                        None => errs.push(FieldError::new(
                            F::Township.header(),
                            ValidationCode::DivisionMismatch,
                            format!("乡镇（街道）“{township_raw}”不属于{}", c.division.name),
                        )),
                    }
                }
            }
            None => {
                let outside = (by_code
                    && (county_raw.len() == 6 || county_raw.len() == 9)
                    && !county_raw.starts_with(&area.city.code[..4]))
                    || (!by_code && !county_raw.contains(&area.city.name[..area.city.name.len() - "市".len()]));
                let (code, msg) = if outside {
                    (ValidationCode::DivisionOutsideArea, format!("所属区县“{county_raw}”不在{}辖区内", area.city.name))
                } else {
                    (ValidationCode::DivisionUnknown, format!("所属区县“{county_raw}”不是有效的区县名称或代码"))
                };
                errs.push(FieldError::new(F::County.header(), code, msg));
            }
        }
    }

    let address = required(row, F::Address, 200, &mut errs);
    let legal_rep = required(row, F::LegalRep, 50, &mut errs);
    let principal = required(row, F::Principal, 50, &mut errs);

    let phone = normalize::phone(row.get(&F::Phone).map(String::as_str).unwrap_or(""));
    if phone.is_empty() {
        errs.push(FieldError::new(F::Phone.header(), ValidationCode::Required, "联系电话不能为空"));
    } else if !phone_is_valid(&phone) {
        errs.push(FieldError::new(
            F::Phone.header(),
            ValidationCode::PhoneInvalid,
            format!("联系电话“{phone}”格式不正确（应为11位手机号或带区号的固定电话）"),
        ));
    }

    let ind_raw = get(row, F::IndustryCode);
    let industry_code = if ind_raw.is_empty() {
        errs.push(FieldError::new(F::IndustryCode.header(), ValidationCode::Required, "国民经济行业分类代码不能为空"));
        None
    } else {
        let code_part = ind_raw.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
        let parsed = IndustryCode::parse(code_part);
        if parsed.is_none() {
            errs.push(FieldError::new(
                F::IndustryCode.header(),
                ValidationCode::IndustryCodeInvalid,
                format!("国民经济行业分类代码“{ind_raw}”不符合GB/T 4754-2017"),
            ));
        }
        parsed
    };

    let cat_raw = get(row, F::SupervisionCategory);
    let supervision_category = if cat_raw.is_empty() {
        errs.push(FieldError::new(F::SupervisionCategory.header(), ValidationCode::Required, "监管行业不能为空"));
        None
    } else {
        let c = SupervisionCategory::parse(&cat_raw);
        if c.is_none() {
            errs.push(FieldError::new(
                F::SupervisionCategory.header(),
                ValidationCode::SupervisionCategoryInvalid,
                format!("监管行业“{cat_raw}”不在可选范围内（冶金、有色、建材、机械、轻工、纺织、烟草、商贸、危险化学品、非煤矿山、烟花爆竹、其他）"),
            ));
        }
        c
    };

    let st_raw = get(row, F::Status);
    let status = if st_raw.is_empty() {
        errs.push(FieldError::new(F::Status.header(), ValidationCode::Required, "经营状态不能为空"));
        None
    } else {
        let s = OperatingStatus::parse(&st_raw);
        if s.is_none() {
            errs.push(FieldError::new(
                F::Status.header(),
                ValidationCode::OperatingStatusInvalid,
                format!("经营状态“{st_raw}”无效（正常生产、停产、停业整顿、关闭、筹建）"),
            ));
        }
        s
    };

    let lng = parse_coord(row, F::Longitude, &mut errs);
    let lat = parse_coord(row, F::Latitude, &mut errs);
    let location = match (lng, lat) {
        (Some(lng), Some(lat)) => {
            let hint = if area.contains_point(lat, lng) { "，经度和纬度可能填反了" } else { "" };
            if !(-180.0..=180.0).contains(&lng) || !(-90.0..=90.0).contains(&lat) {
                errs.push(FieldError::new(
                    "经纬度",
                    ValidationCode::CoordinateOutOfRange,
                    format!("经纬度（{lng}，{lat}）超出有效范围{hint}"),
                ));
                None
            } else if !area.contains_point(lng, lat) {
                errs.push(FieldError::new(
                    "经纬度",
                    ValidationCode::CoordinateOutOfRange,
                    format!("经纬度（{lng}，{lat}）不在{}范围内（WGS-84）{hint}", area.city.name),
                ));
                None
            } else {
                Some(GeoPoint { lng, lat })
            }
        }
        (None, None) => None,
        _ if errs.iter().any(|e| e.code == ValidationCode::CoordinateInvalid) => None,
        _ => {
            errs.push(FieldError::new("经纬度", ValidationCode::CoordinateIncomplete, "经度和纬度须同时填写"));
            None
        }
    };

    let tags: Vec<String> = get(row, F::Tags)
        .split(['、', ',', '，', ';', '；', '|', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    for t in &tags {
        if !TAGS.contains(&t.as_str()) {
            errs.push(FieldError::new(
                F::Tags.header(),
                ValidationCode::InvalidChoice,
                format!("专项标签“{t}”无效（可选：{}）", TAGS.join("、")),
            ));
        }
    }
    let risk_level = optional(row, F::RiskLevel, 20, &mut errs);
    let licence_no = optional(row, F::LicenceNo, 60, &mut errs);
    let licence_expiry = optional(row, F::LicenceExpiry, 30, &mut errs).and_then(|s| {
        let d = parse_date(&s);
        if d.is_none() {
            errs.push(FieldError::new(
                F::LicenceExpiry.header(),
                ValidationCode::DateInvalid,
                format!("许可证有效期“{s}”不是有效日期"),
            ));
        }
        d
    });
    let employees = optional(row, F::Employees, 10, &mut errs).and_then(|s| match s.parse::<u32>() {
        Ok(n) if n <= 1_000_000 => Some(n),
        _ => {
            errs.push(FieldError::new(
                F::Employees.header(),
                ValidationCode::NumberInvalid,
                format!("从业人员数“{s}”不是有效的人数"),
            ));
            None
        }
    });

    match (credit_code, industry_code, supervision_category, status) {
        (Some(credit_code), Some(industry_code), Some(supervision_category), Some(status)) if errs.is_empty() => {
            Ok(EnterpriseData {
                credit_code,
                name,
                county_code,
                township_code,
                address,
                legal_rep,
                principal,
                phone,
                industry_code,
                supervision_category,
                status,
                location,
                tags,
                risk_level,
                licence_no,
                licence_expiry,
                employees,
            })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> LedgerRow {
        use LedgerField as F;
        [
            (F::CreditCode, " ９１３５０１００ｍ０００１００ｙ４３ "),
            (F::Name, "吕梁示例钢铁有限公司"),
            (F::County, "孝义市"),
            (F::Township, "梧桐镇"),
            (F::Address, "孝义市梧桐镇工业园区1号"),
            (F::LegalRep, "张三"),
            (F::Principal, "李四"),
            (F::Phone, "0358-7621234"),
            (F::IndustryCode, "3110"),
            (F::SupervisionCategory, "冶金"),
            (F::Status, "正常生产"),
            (F::Longitude, "111.78"),
            (F::Latitude, "37.14"),
            (F::Tags, "粉尘涉爆、有限空间"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
    }

    #[test]
    fn valid_row_is_normalised() {
        let a = Area::luliang();
        let e = validate_row(&good(), &a).unwrap();
        assert_eq!(e.credit_code.as_str(), "91350100M000100Y43");
        assert_eq!(e.county_code, "141181");
        assert!(e.township_code.as_deref().unwrap().starts_with("141181"));
        assert_eq!(e.industry_code.as_str(), "C3110");
        assert_eq!(e.tags, vec!["粉尘涉爆", "有限空间"]);
    }

    #[test]
    fn every_error_reported() {
        let a = Area::luliang();
        let mut r = good();
        r.insert(LedgerField::County, "太原市".into());
        r.insert(LedgerField::Phone, "12345".into());
        r.insert(LedgerField::Longitude, "37.14".into());
        r.insert(LedgerField::Latitude, "111.78".into());
        let errs = validate_row(&r, &a).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
        assert!(codes.contains(&ValidationCode::DivisionOutsideArea), "{codes:?}");
        assert!(codes.contains(&ValidationCode::PhoneInvalid));
        assert!(codes.contains(&ValidationCode::CoordinateOutOfRange));
        assert!(errs.iter().any(|e| e.message.contains("填反")));
    }

    #[test]
    fn phones() {
        for p in ["13912345678", "0358-7621234", "03587621234", "010-12345678", "0358-7621234转801"] {
            assert!(phone_is_valid(p), "{p}");
        }
        for p in ["12345", "23912345678", "0358-76", "abc", "1391234567x"] {
            assert!(!phone_is_valid(p), "{p}");
        }
    }

    #[test]
    fn headers_match_aliases() {
        assert_eq!(LedgerField::from_header(" 统一社会信用代码 "), Some(LedgerField::CreditCode));
        assert_eq!(LedgerField::from_header("乡镇(街道)"), Some(LedgerField::Township));
        assert_eq!(LedgerField::from_header("*企业名称"), Some(LedgerField::Name));
        assert_eq!(LedgerField::from_header("备注"), None);
    }
}
