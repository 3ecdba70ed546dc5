//! Normalisation of what a person types or what Excel exports: full-width characters,
//! stray spaces, invisible characters, lower-case codes.

/// Converts full-width ASCII variants (U+FF01–U+FF5E) to ASCII and the ideographic space
/// to a plain space; drops zero-width characters and the BOM; trims both ends.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{FF01}'..='\u{FF5E}' => {
                out.push(char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c));
            }
            '\u{3000}' | '\u{00A0}' | '\t' => out.push(' '),
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' => {}
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() { out } else { trimmed.to_owned() }
}

/// Normalises a credit code: [`text`], remove inner spaces and hyphens, upper case.
pub fn credit_code(s: &str) -> String {
    text(s).chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect()
}

/// Normalises a phone number: [`text`], drop spaces, unify dashes, drop a +86/0086 prefix.
pub fn phone(s: &str) -> String {
    let t: String = text(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '—' | '－' | '–' | '_' => '-',
            c => c,
        })
        .collect();
    for p in ["+86-", "+86", "0086-", "0086"] {
        if let Some(rest) = t.strip_prefix(p) {
            return rest.to_owned();
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_spaces() {
        assert_eq!(text("\u{3000}吕梁１２３ＡＢ\u{FEFF} "), "吕梁123AB");
        assert_eq!(credit_code(" ９１３５０１００ｍ０００１００ｙ４３ "), "91350100M000100Y43");
        assert_eq!(phone("+86 139 1234 5678"), "13912345678");
        assert_eq!(phone("０３５８－８２２１２３４"), "0358-8221234");
    }
}
