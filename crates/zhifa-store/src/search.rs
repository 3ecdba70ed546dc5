//! Text segmentation for FTS5 and query building.
//!
//! FTS5's `trigram` tokenizer cannot match queries shorter than three characters, and
//! Chinese users search by one or two characters all the time (“钢”, “孝义”). We segment
//! in Rust instead: every CJK character becomes one token, ASCII letter/digit runs stay
//! whole (lower-cased). A query becomes a phrase of the same tokens, so “孝义” matches
//! the adjacent tokens 孝 义 only. See `docs/adr/0002-search-segmentation.md`.

use zhifa_core::normalize;

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3005 | 0x3007)
}

/// Splits text into index tokens (see the module docs).
pub fn tokens(text: &str) -> Vec<String> {
    let text = normalize::text(text);
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c.to_ascii_lowercase());
            continue;
        }
        if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
        if is_cjk(c) || (c.is_alphanumeric() && !c.is_ascii()) {
            out.push(c.to_string());
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// Text as stored in an FTS column: tokens joined by spaces.
pub fn index_text(text: &str) -> String {
    tokens(text).join(" ")
}

/// If the query is one run of ASCII letters and digits of at least four characters, the
/// upper-cased fragment to look for inside credit codes.
pub fn code_fragment(q: &str) -> Option<String> {
    let t = normalize::text(q);
    (t.len() >= 4 && t.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| t.to_ascii_uppercase())
}

/// Builds an FTS5 MATCH expression from what a user typed, or `None` if nothing
/// searchable is left. Whitespace-separated terms are ANDed; each term is a phrase; a
/// trailing ASCII token matches as a prefix.
pub fn match_query(q: &str) -> Option<String> {
    let mut parts = Vec::new();
    for term in normalize::text(q).split_whitespace() {
        let t = tokens(term);
        if t.is_empty() {
            continue;
        }
        let prefix = t.last().is_some_and(|l| l.chars().all(|c| c.is_ascii_alphanumeric()));
        parts.push(format!("\"{}\"{}", t.join(" "), if prefix { " *" } else { "" }));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segmentation() {
        assert_eq!(
            tokens("吕梁ＡＢ钢铁2号 有限公司"),
            ["吕", "梁", "ab", "钢", "铁", "2", "号", "有", "限", "公", "司"]
        );
        assert_eq!(code_fragment(" 9114ab "), Some("9114AB".into()));
        assert_eq!(code_fragment("911"), None);
        assert_eq!(code_fragment("孝义1234"), None);
        assert_eq!(match_query("孝义  钢"), Some("\"孝 义\" AND \"钢\"".into()));
        assert_eq!(match_query("9114"), Some("\"9114\" *".into()));
        assert_eq!(match_query("\" ，。"), None);
    }
}
