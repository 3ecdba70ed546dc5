//! Format and encoding detection from the first bytes of a file.
//!
//! Only the first [`SNIFF_LEN`] bytes are looked at; the rest of the file is streamed.

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use zhifa_core::enterprise::LedgerField;

use crate::error::ImportError;

/// How many bytes are read to detect the format, encoding and delimiter.
pub(crate) const SNIFF_LEN: usize = 64 * 1024;

/// A text file's detected encoding.
#[derive(Debug)]
pub(crate) struct TextEncoding {
    pub(crate) encoding: &'static Encoding,
    /// Length of the byte order mark at the start of the file (0 without one).
    pub(crate) bom_len: usize,
    /// The decoded sniff (without BOM), used to find the delimiter.
    pub(crate) text: String,
}

/// What the file is.
#[derive(Debug)]
pub(crate) enum Detected {
    /// A zip container: read as XLSX.
    Xlsx,
    /// Text.
    Csv(TextEncoding),
}

/// Magic numbers of formats that are certainly not a ledger table.
const MAGICS: &[(&[u8], &str)] = &[
    (b"%PDF", "这是 PDF 文件"),
    (b"{\\rtf", "这是 RTF 文档"),
    (b"\x1f\x8b", "这是 gzip 压缩文件"),
    (b"Rar!", "这是 RAR 压缩文件"),
    (b"7z\xbc\xaf\x27\x1c", "这是 7z 压缩文件"),
    (b"\x89PNG", "这是 PNG 图片"),
    (b"\xff\xd8\xff", "这是 JPEG 图片"),
    (b"GIF8", "这是 GIF 图片"),
    (b"\x7fELF", "这是可执行程序"),
    (b"MZ", "这是 Windows 可执行程序"),
    (b"SQLite format 3\0", "这是 SQLite 数据库文件"),
];

/// Detects the kind of file. `eof` tells whether `sniff` is the whole file.
pub(crate) fn detect(sniff: &[u8], eof: bool) -> Result<Detected, ImportError> {
    if sniff.is_empty() {
        return Err(ImportError::Empty { sheet: None });
    }
    if sniff.starts_with(b"PK\x03\x04") || sniff.starts_with(b"PK\x05\x06") || sniff.starts_with(b"PK\x07\x08") {
        return Ok(Detected::Xlsx);
    }
    if sniff.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(ImportError::LegacyExcel);
    }
    let (bom_enc, bom_len) = match Encoding::for_bom(sniff) {
        Some((e, n)) => (Some(e), n),
        None => (None, 0),
    };
    if bom_enc.is_none()
        && let Some((_, what)) = MAGICS.iter().find(|(m, _)| sniff.starts_with(m))
    {
        return Err(ImportError::FormatUnknown { what: (*what).to_owned() });
    }
    let body = &sniff[bom_len..];
    let te = match bom_enc {
        Some(enc) => {
            let d = decode(enc, body, eof);
            if d.errors > 0 && d.errors * 20 > d.non_ascii.max(1) {
                return Err(ImportError::EncodingUnknown);
            }
            TextEncoding { encoding: enc, bom_len, text: d.text }
        }
        None => {
            if body.contains(&0) {
                return Err(ImportError::FormatUnknown {
                    what: "文件含有二进制数据，不是文本表格".to_owned()
                });
            }
            guess(body, eof)?
        }
    };
    if te.text.contains('\0') {
        return Err(ImportError::FormatUnknown { what: "文件含有二进制数据，不是文本表格".to_owned() });
    }
    let start = te.text.trim_start().get(..64.min(te.text.trim_start().len())).unwrap_or("").to_ascii_lowercase();
    if start.starts_with("<?xml")
        || start.starts_with("<html")
        || start.starts_with("<!doctype")
        || start.starts_with("<table")
    {
        return Err(ImportError::FormatUnknown {
            what: "这是网页（HTML）或 XML 格式的表格（常见于业务系统导出的“.xls”），请用 Excel 打开后另存为 .xlsx"
                .to_owned(),
        });
    }
    if eof && te.text.trim().is_empty() {
        return Err(ImportError::Empty { sheet: None });
    }
    Ok(Detected::Csv(te))
}

/// Chooses between UTF-8 and GB18030 for text without a BOM.
///
/// UTF-8 wins when the sniff is valid UTF-8 or almost entirely so (at most one
/// malformed sequence per 20 correctly decoded non-ASCII characters: a UTF-8 file with
/// a cell pasted from a GBK source); the broken cells are then reported row by row.
/// Otherwise GB18030 (a superset of GBK) under the same rule; anything else is fatal.
/// UTF-8 goes first even when GB18030 would decode without error, because UTF-8 text
/// often decodes as (wrong) GBK while GBK text is never mostly-valid UTF-8: as UTF-8 most
/// of its bytes are malformed and hardly any decode to a character.
fn guess(body: &[u8], eof: bool) -> Result<TextEncoding, ImportError> {
    let u = decode(UTF_8, body, eof);
    if u.errors == 0 || u.errors * 20 <= u.non_ascii {
        return Ok(TextEncoding { encoding: UTF_8, bom_len: 0, text: u.text });
    }
    let g = decode(GB18030, body, eof);
    if g.errors == 0 || g.errors * 20 <= g.non_ascii {
        return Ok(TextEncoding { encoding: GB18030, bom_len: 0, text: g.text });
    }
    Err(ImportError::EncodingUnknown)
}

struct Decoded {
    text: String,
    errors: usize,
    non_ascii: usize,
}

/// Decodes `bytes` counting malformed sequences (replaced by U+FFFD in `text`).
/// When `last` is false an incomplete sequence at the end is not an error.
fn decode(enc: &'static Encoding, bytes: &[u8], last: bool) -> Decoded {
    let mut dec = enc.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2 + 16);
    let mut errors = 0;
    let mut src = bytes;
    loop {
        if text.capacity() - text.len() < 16 {
            text.reserve(src.len() * 3 + 16);
        }
        let (res, read) = dec.decode_to_string_without_replacement(src, &mut text, last);
        src = &src[read..];
        match res {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => text.reserve(src.len() * 3 + 16),
            DecoderResult::Malformed(_, _) => {
                errors += 1;
                text.push('\u{FFFD}');
            }
        }
    }
    let non_ascii = text.chars().filter(|c| !c.is_ascii() && *c != '\u{FFFD}').count();
    Decoded { text, errors, non_ascii }
}

/// The delimiter of a CSV file: the candidate (`,`, tab, `;`) that splits one of the
/// first lines into the most known ledger column names; without any known name, the one
/// occurring most often in the first non-empty line; comma by default.
pub(crate) fn delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b'\t', b';'];
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(10).collect();
    let mut best = (0usize, b',');
    for d in CANDIDATES {
        let score = lines
            .iter()
            .map(|l| {
                l.split(d as char).filter(|c| LedgerField::from_header(c.trim().trim_matches('"')).is_some()).count()
            })
            .max()
            .unwrap_or(0);
        if score > best.0 {
            best = (score, d);
        }
    }
    if best.0 > 0 {
        return best.1;
    }
    let first = lines.first().copied().unwrap_or("");
    let mut best = (0usize, b',');
    for d in CANDIDATES {
        let n = first.bytes().filter(|b| *b == d).count();
        if n > best.0 {
            best = (n, d);
        }
    }
    best.1
}

/// The name under which an encoding is reported.
pub(crate) fn encoding_name(enc: &'static Encoding) -> &'static str {
    if enc == UTF_16LE {
        "UTF-16LE"
    } else if enc == UTF_16BE {
        "UTF-16BE"
    } else if enc == GB18030 {
        "GB18030"
    } else {
        enc.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_cut_in_the_middle_of_a_character_is_still_utf8() {
        let s = "统一社会信用代码".as_bytes();
        let cut = &s[..s.len() - 1];
        match detect(cut, false).unwrap() {
            Detected::Csv(t) => assert_eq!(t.encoding, UTF_8),
            Detected::Xlsx => panic!("not xlsx"),
        }
    }

    #[test]
    fn gbk_is_detected() {
        let (b, _, _) = GB18030.encode("统一社会信用代码,企业名称\n");
        match detect(&b, true).unwrap() {
            Detected::Csv(t) => {
                assert_eq!(t.encoding, GB18030);
                assert!(t.text.starts_with("统一社会信用代码"));
            }
            Detected::Xlsx => panic!("not xlsx"),
        }
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter("统一社会信用代码\t企业名称\t备注\n1\t2\t3"), b'\t');
        assert_eq!(delimiter("统一社会信用代码;企业名称\n"), b';');
        assert_eq!(delimiter("a,b;c,d\n"), b',');
        assert_eq!(delimiter("a;b;c,d\n"), b';');
    }
}
