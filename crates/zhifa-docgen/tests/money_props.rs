//! Property tests of `money_upper`: an independent parser reads every output back to the
//! same amount, and the 零/整 rules hold for every amount.

use proptest::prelude::*;
use zhifa_docgen::zh::{money_figures, money_upper};

fn digit(c: char) -> Option<u64> {
    "零壹贰叁肆伍陆柒捌玖".chars().position(|d| d == c).map(|p| p as u64)
}

/// Parses an integer written with 拾佰仟万亿 (no 元); `None` on anything malformed.
fn parse_integer(s: &str) -> Option<u64> {
    if let Some(i) = s.rfind('亿') {
        let high = parse_integer(&s[..i])?;
        let rest = s[i + '亿'.len_utf8()..].trim_start_matches('零');
        let low = if rest.is_empty() { 0 } else { parse_integer(rest)? };
        return (low < 100_000_000).then(|| high.checked_mul(100_000_000)?.checked_add(low))?;
    }
    if let Some(i) = s.rfind('万') {
        let high = parse_integer(&s[..i])?;
        let rest = s[i + '万'.len_utf8()..].trim_start_matches('零');
        let low = if rest.is_empty() { 0 } else { parse_integer(rest)? };
        return (low < 10_000 && high < 10_000).then_some(high * 10_000 + low);
    }
    let mut total = 0;
    let mut num = None;
    for c in s.chars() {
        match c {
            '零' => {}
            '拾' => total += num.take()? * 10,
            '佰' => total += num.take()? * 100,
            '仟' => total += num.take()? * 1000,
            d => num = Some(digit(d)?),
        }
    }
    let v = total + num.unwrap_or(0);
    (v > 0 && v < 10_000).then_some(v)
}

/// Parses a full 大写 amount back to fen.
fn parse_upper(s: &str) -> Option<u64> {
    if s == "零元整" {
        return Some(0);
    }
    let s = s.strip_suffix('整').unwrap_or(s);
    let (yuan, rest) = match s.find('元') {
        Some(i) => (parse_integer(&s[..i])?, &s[i + '元'.len_utf8()..]),
        None => (0, s),
    };
    let rest = rest.strip_prefix('零').unwrap_or(rest);
    let mut jiao = 0;
    let mut fen = 0;
    let mut chars = rest.chars().peekable();
    while let Some(d) = chars.next() {
        let v = digit(d)?;
        match chars.next()? {
            '角' => jiao = v,
            '分' => fen = v,
            _ => return None,
        }
    }
    yuan.checked_mul(100)?.checked_add(jiao * 10 + fen)
}

proptest! {
    #[test]
    fn round_trips(fen in any::<u64>()) {
        let s = money_upper(fen);
        prop_assert_eq!(parse_upper(&s), Some(fen), "{}", s);
    }

    #[test]
    fn round_trips_everyday_amounts(fen in 0u64..10_000_000_000) {
        let s = money_upper(fen);
        prop_assert_eq!(parse_upper(&s), Some(fen), "{}", s);
    }

    #[test]
    fn zero_and_zheng_rules(fen in any::<u64>()) {
        let s = money_upper(fen);
        prop_assert!(!s.contains("零零"), "{}", s);
        prop_assert!(fen == 0 || !s.starts_with('零'), "{}", s);
        prop_assert!(!s.contains("零元") || fen == 0, "{}", s);
        prop_assert!(!s.contains("零万") && !s.contains("零亿") && !s.contains("零角整"), "{}", s);
        // 整 after 元 or 角 exactly when there are no 分.
        prop_assert_eq!(s.ends_with('整'), fen % 10 == 0, "{}", s);
        prop_assert!(!s.ends_with("分整"), "{}", s);
        prop_assert_eq!(s.contains('元'), fen >= 100 || fen == 0, "{}", s);
    }

    #[test]
    fn figures_parse_back(fen in any::<u64>()) {
        let f = money_figures(fen);
        let digits: String = f.chars().filter(|c| c.is_ascii_digit()).collect();
        prop_assert_eq!(digits.parse::<u64>().ok(), Some(fen));
    }
}
