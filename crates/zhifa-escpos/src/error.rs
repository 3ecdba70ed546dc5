//! Printing errors: a stable machine-readable `code()` and a Chinese message for the inspector.

use std::path::PathBuf;

/// Everything that can go wrong while building or sending a print job.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The printer (serial device, Bluetooth RFCOMM port or network address) could not be opened.
    #[error("打印机未连接：{target}（{detail}）")]
    NotConnected {
        /// Device path or network address that was tried, e.g. `/dev/rfcomm0`.
        target: String,
        /// The operating system's reason, for the log.
        detail: String,
    },
    /// The printer did not accept the data in time.
    #[error("打印机响应超时：{target}")]
    Timeout {
        /// Device path or network address.
        target: String,
    },
    /// Writing the job failed after the connection was open (link dropped, printer switched off).
    #[error("打印数据发送失败：{target}（{detail}）")]
    SendFailed {
        /// Device path or network address.
        target: String,
        /// The operating system's reason, for the log.
        detail: String,
    },
    /// No CJK font was found for drawing lines as images.
    #[error("未找到中文字体，无法以图像方式打印（已查找：{tried}）")]
    FontNotFound {
        /// The paths that were tried, comma-separated.
        tried: String,
    },
    /// A font file exists but could not be read or parsed.
    #[error("字体文件无法读取：{}", path.display())]
    FontInvalid {
        /// The font file.
        path: PathBuf,
    },
    /// The font has no glyph for a character that must be printed as an image.
    #[error("字体缺少字符“{ch}”（U+{:04X}），无法打印", *ch as u32)]
    GlyphMissing {
        /// The character.
        ch: char,
    },
    /// The QR payload is empty or longer than a QR code (level M) can hold.
    #[error("二维码内容为空或过长（{len} 字节，上限 {max} 字节）")]
    QrPayload {
        /// Payload length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The document type has no receipt-slip layout: it is printed on A4 only.
    #[error("文书“{doc_type}”只能以 A4 幅面打印，没有小票格式（请使用 --profile a4）")]
    A4Only {
        /// The document type name.
        doc_type: String,
    },
    /// A page image is wider than the printer.
    #[error("页面图像宽 {width} 点，超过打印机的 {max} 点")]
    PageTooWide {
        /// Image width in dots.
        width: u32,
        /// Printer width in dots.
        max: u16,
    },
    /// A printer profile is inconsistent (width not a multiple of 8, too many characters per line…).
    #[error("打印机配置无效：{reason}")]
    BadProfile {
        /// What is wrong, in Chinese.
        reason: String,
    },
}

impl PrintError {
    /// Stable machine-readable code, e.g. `"PRINT_NOT_CONNECTED"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConnected { .. } => "PRINT_NOT_CONNECTED",
            Self::Timeout { .. } => "PRINT_TIMEOUT",
            Self::SendFailed { .. } => "PRINT_SEND_FAILED",
            Self::FontNotFound { .. } => "PRINT_FONT_NOT_FOUND",
            Self::FontInvalid { .. } => "PRINT_FONT_INVALID",
            Self::GlyphMissing { .. } => "PRINT_GLYPH_MISSING",
            Self::QrPayload { .. } => "PRINT_QR_PAYLOAD",
            Self::BadProfile { .. } => "PRINT_BAD_PROFILE",
            Self::A4Only { .. } => "PRINT_A4_ONLY",
            Self::PageTooWide { .. } => "PRINT_PAGE_TOO_WIDE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_prefixed_and_messages_chinese() {
        let all = [
            PrintError::NotConnected { target: "/dev/rfcomm0".into(), detail: "x".into() },
            PrintError::Timeout { target: "t".into() },
            PrintError::SendFailed { target: "t".into(), detail: "x".into() },
            PrintError::FontNotFound { tried: "a".into() },
            PrintError::FontInvalid { path: "a".into() },
            PrintError::GlyphMissing { ch: '𠮷' },
            PrintError::QrPayload { len: 0, max: 1 },
            PrintError::BadProfile { reason: "宽度".into() },
            PrintError::A4Only { doc_type: "行政处罚决定书（单位）".into() },
            PrintError::PageTooWide { width: 2000, max: 1728 },
        ];
        let mut codes: Vec<_> = all.iter().map(PrintError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for e in &all {
            assert!(e.code().starts_with("PRINT_"));
            assert!(e.to_string().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{e}");
        }
        assert_eq!(all[5].to_string(), "字体缺少字符“𠮷”（U+20BB7），无法打印");
    }
}
