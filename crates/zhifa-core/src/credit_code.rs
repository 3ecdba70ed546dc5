//! 统一社会信用代码 (unified social credit code) per GB 32100-2015.
//!
//! 18 characters from a 31-character alphabet (digits and upper-case letters without
//! I, O, Z, S, V). Position 1 is the registration authority, 2 the organisation kind,
//! 3–8 the administrative division (digits), 9–17 the organisation code body and 18 a
//! check character over the first 17 with weights 3^(i) mod 31.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, ValidationCode};

/// The GB 32100 alphabet in value order (value = index).
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1..=17 (3^(i-1) mod 31).
pub const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Registration authority codes (登记管理部门码) defined by GB 32100 and its amendments.
const AUTHORITIES: &[u8] = b"123456789ANY";

/// A validated credit code (always upper case, 18 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreditCode(String);

impl CreditCode {
    /// Validates an already normalised string (see [`crate::normalize::credit_code`]).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        validate(s).map(|()| Self(s.to_owned()))
    }

    /// The 18-character text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The administrative division code embedded at positions 3–8.
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Value of one character in the alphabet, or `None`.
pub fn char_value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Computes the check character for the first 17 characters.
///
/// Returns `None` when a character is outside the alphabet.
pub fn check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += char_value(*c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    Some(ALPHABET[v as usize])
}

const FIELD: &str = "统一社会信用代码";

/// Validates a normalised credit code: length, charset, structure, check character.
pub fn validate(s: &str) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(FieldError::new(FIELD, ValidationCode::Required, "统一社会信用代码不能为空"));
    }
    let n = s.chars().count();
    if n != 18 {
        return Err(FieldError::new(
            FIELD,
            ValidationCode::CreditCodeLength,
            format!("统一社会信用代码应为18位，实际为{n}位"),
        ));
    }
    let b = s.as_bytes();
    if let Some(bad) = s.chars().find(|c| !c.is_ascii() || char_value(*c as u8).is_none()) {
        return Err(FieldError::new(
            FIELD,
            ValidationCode::CreditCodeCharset,
            format!("统一社会信用代码含有不允许的字符“{bad}”（不使用I、O、Z、S、V）"),
        ));
    }
    if !AUTHORITIES.contains(&b[0]) {
        return Err(FieldError::new(
            FIELD,
            ValidationCode::CreditCodeStructure,
            format!("统一社会信用代码第1位登记管理部门码“{}”无效", b[0] as char),
        ));
    }
    if !b[2..8].iter().all(u8::is_ascii_digit) {
        return Err(FieldError::new(
            FIELD,
            ValidationCode::CreditCodeStructure,
            "统一社会信用代码第3至8位应为行政区划码（数字）",
        ));
    }
    let expected = check_char(&b[..17]).unwrap_or(b'?');
    if expected != b[17] {
        return Err(FieldError::new(
            FIELD,
            ValidationCode::CreditCodeChecksum,
            format!("统一社会信用代码校验位错误：末位应为“{}”，实际为“{}”", expected as char, b[17] as char),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_codes() {
        // The worked example of GB 32100-2015.
        assert!(validate("91350100M000100Y43").is_ok());
    }

    #[test]
    fn errors_have_codes() {
        assert_eq!(validate("").unwrap_err().code, ValidationCode::Required);
        assert_eq!(validate("91350100").unwrap_err().code, ValidationCode::CreditCodeLength);
        assert_eq!(validate("91350100M000100YI3").unwrap_err().code, ValidationCode::CreditCodeCharset);
        assert_eq!(validate("91350100M000100Y44").unwrap_err().code, ValidationCode::CreditCodeChecksum);
        assert_eq!(validate("Z1350100M000100Y43").unwrap_err().code, ValidationCode::CreditCodeCharset);
        assert_eq!(validate("B1350100M000100Y43").unwrap_err().code, ValidationCode::CreditCodeStructure);
    }
}
