//! Printer profiles: paper width in dots, characters per line, and whether the printer has a
//! Chinese ROM font (GB18030 text mode after `FS &`).

use crate::PrintError;

/// Width in dots of one half-width column (the ROM font's 12×24 ASCII cell; a Chinese character
/// takes two columns, 24×24).
pub const COLUMN_DOTS: u16 = 12;

/// What the encoder needs to know about a printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Human-readable name, e.g. `"58mm"`.
    pub name: String,
    /// Printable width in dots (384 for 58 mm, 576 for 80 mm at 203 dpi); a multiple of 8.
    pub dots_per_line: u16,
    /// Half-width columns per line in text mode (32 for 58 mm, 48 for 80 mm); a Chinese character
    /// takes two.
    pub chars_per_line: u16,
    /// The printer has a Chinese ROM font: text goes as GB18030 after `FS &`. Without it, every
    /// line with non-ASCII characters is sent as a raster image.
    pub chinese_text: bool,
}

impl Profile {
    /// 58 mm receipt printer: 384 dots, 32 columns (16 Chinese characters), Chinese text mode.
    pub fn mm58() -> Self {
        Self { name: "58mm".into(), dots_per_line: 384, chars_per_line: 32, chinese_text: true }
    }

    /// 80 mm receipt printer: 576 dots, 48 columns (24 Chinese characters), Chinese text mode.
    pub fn mm80() -> Self {
        Self { name: "80mm".into(), dots_per_line: 576, chars_per_line: 48, chinese_text: true }
    }

    /// A4 thermal printer (216 mm head, 203 dpi): 1728 dots. Documents go as page images
    /// ([`crate::encode::encode_pages`]); the 144 columns only matter for slips.
    pub fn a4() -> Self {
        Self { name: "a4".into(), dots_per_line: 1728, chars_per_line: 144, chinese_text: true }
    }

    /// The same profile for a printer without a Chinese font (non-ASCII lines go as raster).
    pub fn without_chinese_font(mut self) -> Self {
        self.chinese_text = false;
        self.name.push_str("-raster");
        self
    }

    /// Checks that the numbers are consistent.
    pub fn validate(&self) -> Result<(), PrintError> {
        let bad = |reason: String| Err(PrintError::BadProfile { reason });
        if self.dots_per_line == 0 || !self.dots_per_line.is_multiple_of(8) || self.dots_per_line > 2048 {
            return bad(format!("每行点数 {} 必须是 8 的倍数且不超过 2048", self.dots_per_line));
        }
        if self.chars_per_line < 8
            || u32::from(self.chars_per_line) * u32::from(COLUMN_DOTS) > u32::from(self.dots_per_line)
        {
            return bad(format!("每行字符数 {} 与每行点数 {} 不匹配", self.chars_per_line, self.dots_per_line));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_profiles_are_valid_and_bad_ones_are_refused() {
        Profile::mm58().validate().unwrap();
        Profile::mm80().validate().unwrap();
        Profile::a4().validate().unwrap();
        assert!(!Profile::mm80().without_chinese_font().chinese_text);
        let mut p = Profile::mm58();
        p.dots_per_line = 383;
        assert_eq!(p.validate().unwrap_err().code(), "PRINT_BAD_PROFILE");
        let mut p = Profile::mm58();
        p.chars_per_line = 48;
        assert_eq!(p.validate().unwrap_err().code(), "PRINT_BAD_PROFILE");
    }
}
