//! Chinese formatting helpers for 执法文书: dates (GB/T 9704: no zero padding) and
//! amounts of money in 大写 (rules of 《正确填写票据和结算凭证的基本规定》).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const SMALL_UNITS: [&str; 4] = ["", "拾", "佰", "仟"];

/// `2026-11-29` → `2026年11月29日` (full year, month and day not padded).
pub fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2026-11-29 09:05` → `2026年11月29日9时05分` (minutes padded to two digits, as written on the forms).
pub fn zh_datetime(t: NaiveDateTime) -> String {
    format!("{}{}时{:02}分", zh_date(t.date()), t.hour(), t.minute())
}

/// A time range as on 现场检查记录: `自2026年11月29日9时30分至11月29日11时05分`
/// (the year is not repeated when both ends fall in the same year).
pub fn zh_time_range(start: NaiveDateTime, end: NaiveDateTime) -> String {
    let end_text = if start.year() == end.year() {
        format!("{}月{}日{}时{:02}分", end.month(), end.day(), end.hour(), end.minute())
    } else {
        zh_datetime(end)
    };
    format!("自{}至{}", zh_datetime(start), end_text)
}

/// Amount in fen (0.01 元) → 大写, e.g. `2_000_000` → `贰万元整`, `168_032` → `壹仟陆佰捌拾元零叁角贰分`.
///
/// Rules: a run of zeros inside the integer part is written as one 零; trailing zeros of a
/// 万/亿 group are not written; 拾 keeps its digit (壹拾); when the 元 digit is 0 and 角/分
/// follow, one 零 is written; 角 = 0 with 分 ≠ 0 writes 零; `整` follows 元 or 角, never 分;
/// amounts below one 元 start with 角 or 分; zero is `零元整`.
pub fn money_upper(fen: u64) -> String {
    let yuan = fen / 100;
    let jiao = (fen / 10 % 10) as usize;
    let fen_digit = (fen % 10) as usize;
    let mut out = String::new();
    if yuan > 0 {
        out.push_str(&integer_upper(yuan));
        out.push('元');
    }
    if jiao == 0 && fen_digit == 0 {
        if yuan == 0 {
            out.push_str("零元");
        }
        out.push('整');
        return out;
    }
    if yuan > 0 && (yuan.is_multiple_of(10) || jiao == 0) {
        out.push('零');
    }
    if jiao > 0 {
        out.push(DIGITS[jiao]);
        out.push('角');
    }
    if fen_digit > 0 {
        out.push(DIGITS[fen_digit]);
        out.push('分');
    } else {
        out.push('整');
    }
    out
}

/// `人民币贰万元整（￥20,000.00）`: the form used in the body of a decision.
pub fn money_full(fen: u64) -> String {
    format!("人民币{}（￥{}）", money_upper(fen), money_figures(fen))
}

/// `2_000_000` → `20,000.00` (thousands separators, two decimals).
pub fn money_figures(fen: u64) -> String {
    let yuan = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", fen % 100)
}

/// Positive integer in 大写 digits with 拾佰仟万亿 units.
fn integer_upper(n: u64) -> String {
    const YI: u64 = 100_000_000;
    const WAN: u64 = 10_000;
    let (high, unit, rest, lead) = if n >= YI {
        (n / YI, '亿', n % YI, YI / 10)
    } else if n >= WAN {
        (n / WAN, '万', n % WAN, WAN / 10)
    } else {
        return section_upper(n);
    };
    let mut out = integer_upper(high);
    out.push(unit);
    if rest > 0 {
        if rest < lead {
            out.push('零');
        }
        out.push_str(&integer_upper(rest));
    }
    out
}

/// 1..=9999 without leading 零; inner zero runs become one 零, trailing zeros are dropped.
fn section_upper(n: u64) -> String {
    let mut out = String::new();
    let mut pending_zero = false;
    for pos in (0..4).rev() {
        let d = (n / 10u64.pow(pos as u32) % 10) as usize;
        if d == 0 {
            pending_zero = !out.is_empty();
        } else {
            if pending_zero {
                out.push('零');
                pending_zero = false;
            }
            out.push(DIGITS[d]);
            out.push_str(SMALL_UNITS[pos]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(zh_date(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()), "2026年11月29日");
        assert_eq!(zh_date(NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()), "2027年1月5日");
        let s = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap().and_hms_opt(9, 5, 0).unwrap();
        let e = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap().and_hms_opt(11, 30, 0).unwrap();
        assert_eq!(zh_time_range(s, e), "自2026年11月29日9时05分至11月29日11时30分");
    }

    #[test]
    fn money_examples() {
        let cases: &[(u64, &str)] = &[
            (0, "零元整"),
            (1, "壹分"),
            (5, "伍分"),
            (10, "壹角整"),
            (35, "叁角伍分"),
            (100, "壹元整"),
            (105, "壹元零伍分"),
            (150, "壹元伍角整"),
            (1000, "壹拾元整"),
            (1500, "壹拾伍元整"),
            (32_504, "叁佰贰拾伍元零肆分"),
            (140_950, "壹仟肆佰零玖元伍角整"),
            (168_032, "壹仟陆佰捌拾元零叁角贰分"),
            (168_002, "壹仟陆佰捌拾元零贰分"),
            (2_000_000, "贰万元整"),
            (10_700_053, "壹拾万柒仟元零伍角叁分"),
            (10_070_000, "壹拾万零柒佰元整"),
            (1_000_500, "壹万零伍元整"),
            (10_001_000_000, "壹亿零壹万元整"),
            (10_000_000_000, "壹亿元整"),
            (10_100_000_000, "壹亿零壹佰万元整"),
            (1_001_000_000, "壹仟零壹万元整"),
            (100_000_000_000_000, "壹万亿元整"),
            (100_010_000_000_000, "壹万零壹亿元整"),
            (u64::MAX, "壹拾捌亿肆仟肆佰陆拾柒万肆仟肆佰零柒亿叁仟柒佰零玖万伍仟伍佰壹拾陆元壹角伍分"),
        ];
        for (fen, want) in cases {
            assert_eq!(money_upper(*fen), *want, "{fen}");
        }
    }

    #[test]
    fn money_full_form() {
        assert_eq!(money_full(2_000_000), "人民币贰万元整（￥20,000.00）");
        assert_eq!(money_full(5), "人民币伍分（￥0.05）");
        assert_eq!(money_figures(123_456_789), "1,234,567.89");
        assert_eq!(money_figures(100_000), "1,000.00");
    }
}
