//! Line wrapping by display width (ASCII = 1 column, everything else = 2, as the printer's
//! 12×24 / 24×24 ROM font draws it) with a small kinsoku rule: a line never starts with closing
//! punctuation (，。、）》…) nor ends with an opening bracket (（《“…), and ASCII words such as
//! certificate numbers are not split when they fit on a line of their own.

/// Characters that must not start a line.
const NO_START: &str = "，。、；：？！）》」』】〕〉〗”’…—·％,.;:!?)]}%";
/// Characters that must not end a line.
const NO_END: &str = "（《「『【〔〈〖“‘([{";

/// Display width of one character in half-width columns.
pub fn char_columns(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

/// Display width of a string in half-width columns.
pub fn text_columns(s: &str) -> usize {
    s.chars().map(char_columns).sum()
}

/// Replaces control characters (which could inject printer commands) by spaces and drops
/// invisible format characters (zero-width spaces, variation selectors, BOM).
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            !matches!(c, '\u{200B}'..='\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0100}'..='\u{E01EF}')
        })
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Wraps `text` to lines of at most `columns` half-width columns. `\n` forces a break; an empty
/// paragraph gives an empty line.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(2);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let chars: Vec<char> = sanitize(para).chars().collect();
        if chars.is_empty() {
            out.push(String::new());
            continue;
        }
        let mut start = 0;
        while start < chars.len() {
            let (mut end, mut width) = (start, 0);
            while end < chars.len() && width + char_columns(chars[end]) <= columns {
                width += char_columns(chars[end]);
                end += 1;
            }
            if end == chars.len() {
                out.push(chars[start..].iter().collect());
                break;
            }
            let mut brk = end;
            // Keep an ASCII word together when it can start the next line.
            if is_word(chars[brk]) && is_word(chars[brk - 1]) {
                let mut r = brk;
                while r > start && is_word(chars[r - 1]) {
                    r -= 1;
                }
                if r > start {
                    brk = r;
                }
            }
            // Kinsoku: pull characters down rather than start a line with closing punctuation.
            while brk > start + 1 && (NO_START.contains(chars[brk]) || NO_END.contains(chars[brk - 1])) {
                brk -= 1;
            }
            out.push(chars[start..brk].iter().collect::<String>().trim_end().to_string());
            start = brk;
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(text_columns("AB现场"), 6);
        assert_eq!(text_columns("（吕）"), 6);
    }

    #[test]
    fn wraps_by_columns() {
        assert_eq!(wrap("一二三四五六", 8), ["一二三四", "五六"]);
        assert_eq!(wrap("ab一二三", 7), ["ab一二", "三"]);
        assert_eq!(wrap("", 8), [""]);
        assert_eq!(wrap("甲\n乙", 8), ["甲", "乙"]);
    }

    #[test]
    fn never_starts_a_line_with_closing_punctuation() {
        // "一二三四" fills 8 columns; "。" would start line 2, so "四" comes down with it.
        assert_eq!(wrap("一二三四。五六", 8), ["一二三", "四。五六"]);
        assert_eq!(wrap("一二三四）。五", 8), ["一二三", "四）。五"]);
    }

    #[test]
    fn never_ends_a_line_with_an_opening_bracket() {
        assert_eq!(wrap("一二三（四）", 8), ["一二三", "（四）"]);
    }

    #[test]
    fn keeps_ascii_words_together() {
        assert_eq!(wrap("证号 14010012345", 12), ["证号", "14010012345"]);
        // A word longer than a line is split hard.
        assert_eq!(wrap("1234567890", 4), ["1234", "5678", "90"]);
    }

    #[test]
    fn control_characters_cannot_inject_commands() {
        assert_eq!(sanitize("甲\u{1b}@乙\u{fe00}"), "甲 @乙");
        assert!(wrap("a\u{1d}V\u{0}", 10).iter().all(|l| l.chars().all(|c| !c.is_control())));
    }
}
