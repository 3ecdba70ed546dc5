//! The ESC/POS encoder: a [`Slip`] and a [`Profile`] in, one print job's bytes out. Pure: no IO.
//!
//! Text lines go in text mode (GB18030 after `FS &` on Chinese-capable printers). A wrapped line
//! that contains a character outside GBK, or any non-ASCII character on a printer without a
//! Chinese font, is drawn by the [`Rasterizer`] and sent as `GS v 0`. QR codes are always drawn
//! by the printer (`GS ( k`).

use encoding_rs::{GB18030, GBK};

use crate::raster::{Bitmap, Rasterizer};
use crate::slip::{Align, Line, Slip, TextStyle};
use crate::wrap::wrap;
use crate::{PrintError, Profile};

/// The largest QR payload accepted: version 40 at error level M holds 2,331 bytes.
pub const QR_MAX_BYTES: usize = 2331;

/// `ESC @`: initialise the printer.
pub const INIT: [u8; 2] = [0x1B, 0x40];
/// `FS &`: Chinese (double-byte) character mode on.
pub const CHINESE_ON: [u8; 2] = [0x1C, 0x26];
/// `FS .`: Chinese character mode off.
pub const CHINESE_OFF: [u8; 2] = [0x1C, 0x2E];
/// `GS V B 0`: feed to the cutter and (partial) cut.
pub const CUT: [u8; 4] = [0x1D, 0x56, 0x42, 0x00];

/// Whether the character can be printed from a GBK ROM font.
///
/// `encoding_rs` follows GB18030-2022, which gives some characters two-byte codes that were
/// user-defined (private-use) in GBK, e.g. 䶮 = `FE 9F`; ROM fonts do not have them. So besides
/// "encodable as GBK" the code must not be in `FE 50`–`FE A0`, `A6 D9`–`A6 F5`, `A8 BC`/`A8 BF`,
/// nor be the one-byte euro `80`, and private-use characters are refused.
pub fn in_gbk(c: char) -> bool {
    if ('\u{E000}'..='\u{F8FF}').contains(&c) {
        return false;
    }
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = GBK.encode(c.encode_utf8(&mut buf));
    if unmappable {
        return false;
    }
    match *bytes {
        [0x80] => false,
        [0xFE, t] => !(0x50..=0xA0).contains(&t),
        [0xA6, t] => !(0xD9..=0xF5).contains(&t),
        [0xA8, t] => t != 0xBC && t != 0xBF,
        _ => true,
    }
}

/// Encodes a slip in text mode with per-line raster fallback.
pub fn encode(slip: &Slip, profile: &Profile, rasterizer: &dyn Rasterizer) -> Result<Vec<u8>, PrintError> {
    Encoder::new(profile, rasterizer, false)?.run(slip)
}

/// Encodes a slip with every text line and rule drawn as raster (`GS v 0`); QR codes stay
/// `GS ( k`. For printers whose ROM font cannot be trusted, and to measure what text mode saves.
pub fn encode_all_raster(slip: &Slip, profile: &Profile, rasterizer: &dyn Rasterizer) -> Result<Vec<u8>, PrintError> {
    Encoder::new(profile, rasterizer, true)?.run(slip)
}

/// Encodes page images (A4 documents rendered at the printer's resolution) as one job: `ESC @`,
/// each page as `GS v 0` bands of at most 255 rows, a 3-line feed between pages, then feed and
/// cut. Pages wider than the profile are refused.
pub fn encode_pages(pages: &[Bitmap], profile: &Profile) -> Result<Vec<u8>, PrintError> {
    profile.validate()?;
    let mut out = INIT.to_vec();
    for (i, page) in pages.iter().enumerate() {
        if page.width() > profile.dots_per_line {
            return Err(PrintError::PageTooWide { width: u32::from(page.width()), max: profile.dots_per_line });
        }
        if i > 0 {
            out.extend_from_slice(&[0x1B, 0x64, 3]);
        }
        push_raster(&mut out, page);
    }
    out.extend_from_slice(&[0x1B, 0x64, 3]);
    out.extend_from_slice(&CUT);
    Ok(out)
}

/// Appends `GS v 0` (normal density) for a bitmap; bitmaps taller than 255 rows are sent in
/// bands of at most 255 rows for printers with small receive buffers.
pub fn push_raster(out: &mut Vec<u8>, bmp: &Bitmap) {
    let rb = bmp.row_bytes();
    let w = u16::try_from(rb).unwrap_or(u16::MAX);
    for band in bmp.data().chunks(rb.max(1) * 255) {
        let rows = u16::try_from(band.len() / rb.max(1)).unwrap_or(u16::MAX);
        out.extend_from_slice(&[0x1D, 0x76, 0x30, 0x00]);
        out.extend_from_slice(&w.to_le_bytes());
        out.extend_from_slice(&rows.to_le_bytes());
        out.extend_from_slice(band);
    }
}

/// Appends the `GS ( k` sequence for a QR code: model 2, module size, error level M, store, print.
pub fn push_qr(out: &mut Vec<u8>, payload: &[u8], size: u8) -> Result<(), PrintError> {
    if payload.is_empty() || payload.len() > QR_MAX_BYTES {
        return Err(PrintError::QrPayload { len: payload.len(), max: QR_MAX_BYTES });
    }
    let size = size.clamp(1, 16);
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]); // fn 165: model 2
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, size]); // fn 167: module size
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]); // fn 169: level M
    let len = u16::try_from(payload.len() + 3).unwrap_or(u16::MAX);
    out.extend_from_slice(&[0x1D, 0x28, 0x6B]);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&[0x31, 0x50, 0x30]); // fn 180: store
    out.extend_from_slice(payload);
    out.extend_from_slice(&[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]); // fn 181: print
    Ok(())
}

struct Encoder<'a> {
    out: Vec<u8>,
    profile: &'a Profile,
    rasterizer: &'a dyn Rasterizer,
    all_raster: bool,
    style: TextStyle,
    chinese_on: bool,
}

impl<'a> Encoder<'a> {
    fn new(profile: &'a Profile, rasterizer: &'a dyn Rasterizer, all_raster: bool) -> Result<Self, PrintError> {
        profile.validate()?;
        Ok(Self { out: Vec::new(), profile, rasterizer, all_raster, style: TextStyle::default(), chinese_on: false })
    }

    fn run(mut self, slip: &Slip) -> Result<Vec<u8>, PrintError> {
        self.out.extend_from_slice(&INIT);
        for line in &slip.lines {
            match line {
                Line::Text { text, align, bold, double_height } => {
                    let style = TextStyle { align: *align, bold: *bold, double_height: *double_height };
                    for l in wrap(text, usize::from(self.profile.chars_per_line)) {
                        self.line(&l, style)?;
                    }
                }
                Line::Rule => {
                    let dashes = "-".repeat(usize::from(self.profile.chars_per_line));
                    self.line(&dashes, TextStyle::default())?;
                }
                Line::Qr { payload, size } => {
                    self.set_style(TextStyle { align: Align::Center, ..TextStyle::default() });
                    push_qr(&mut self.out, payload.as_bytes(), *size)?;
                }
                Line::Feed(n) => self.out.extend_from_slice(&[0x1B, 0x64, *n]),
                Line::Cut => {
                    self.chinese_off();
                    self.out.extend_from_slice(&CUT);
                }
            }
        }
        self.chinese_off();
        Ok(self.out)
    }

    fn chinese_off(&mut self) {
        if self.chinese_on {
            self.out.extend_from_slice(&CHINESE_OFF);
            self.chinese_on = false;
        }
    }

    fn set_style(&mut self, s: TextStyle) {
        if s.align != self.style.align {
            self.out.extend_from_slice(&[0x1B, 0x61, s.align.code()]);
        }
        if s.bold != self.style.bold {
            self.out.extend_from_slice(&[0x1B, 0x45, u8::from(s.bold)]);
        }
        if s.double_height != self.style.double_height {
            self.out.extend_from_slice(&[0x1D, 0x21, u8::from(s.double_height)]);
        }
        self.style = s;
    }

    fn needs_raster(&self, line: &str) -> bool {
        if self.all_raster {
            return true;
        }
        !line.is_ascii() && (!self.profile.chinese_text || !line.chars().all(in_gbk))
    }

    fn line(&mut self, line: &str, style: TextStyle) -> Result<(), PrintError> {
        if self.needs_raster(line) {
            let bmp = self.rasterizer.render_line(line, style, self.profile.dots_per_line)?;
            push_raster(&mut self.out, &bmp);
            return Ok(());
        }
        self.set_style(style);
        if !line.is_ascii() && !self.chinese_on {
            self.out.extend_from_slice(&CHINESE_ON);
            self.chinese_on = true;
        }
        self.out.extend_from_slice(&GB18030.encode(line).0);
        self.out.push(0x0A);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::NoRasterizer;

    #[test]
    fn gbk_membership() {
        assert!(in_gbk('现') && in_gbk('〔') && in_gbk('（') && in_gbk('A'));
        assert!(!in_gbk('𠮷') && !in_gbk('䶮') && !in_gbk('€') && !in_gbk('\u{E000}'));
        assert!(in_gbk('·') && in_gbk('—') && in_gbk('№'));
    }

    #[test]
    fn minimal_job_bytes() {
        let slip = Slip { lines: vec![Line::text("现场"), Line::Cut] };
        let job = encode(&slip, &Profile::mm58(), &NoRasterizer).unwrap();
        assert_eq!(job, [0x1B, 0x40, 0x1C, 0x26, 0xCF, 0xD6, 0xB3, 0xA1, 0x0A, 0x1C, 0x2E, 0x1D, 0x56, 0x42, 0x00]);
    }

    #[test]
    fn qr_bytes_follow_gs_paren_k() {
        let mut out = Vec::new();
        push_qr(&mut out, b"AB", 6).unwrap();
        assert_eq!(&out[25..34], &[0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, b'A']);
        assert_eq!(push_qr(&mut out, b"", 6).unwrap_err().code(), "PRINT_QR_PAYLOAD");
    }

    #[test]
    fn rare_character_without_font_fails_clearly() {
        let slip = Slip { lines: vec![Line::text("吉𠮷")] };
        let e = encode(&slip, &Profile::mm80(), &NoRasterizer).unwrap_err();
        assert_eq!(e.code(), "PRINT_FONT_NOT_FOUND");
    }

    #[test]
    fn pages_are_banded_fed_and_cut() {
        let pages = [Bitmap::new(1728, 300), Bitmap::new(1728, 10)];
        let job = encode_pages(&pages, &Profile::a4()).unwrap();
        assert_eq!(&job[..2], &INIT);
        assert_eq!(&job[2..10], &[0x1D, 0x76, 0x30, 0x00, 216, 0, 255, 0]);
        assert!(job.ends_with(&[0x1B, 0x64, 3, 0x1D, 0x56, 0x42, 0x00]));
        assert_eq!(job.len(), 2 + 3 * 8 + 216 * 310 + 3 + 3 + 4);
        let wide = [Bitmap::new(1736, 1)];
        assert_eq!(encode_pages(&wide, &Profile::a4()).unwrap_err().code(), "PRINT_PAGE_TOO_WIDE");
    }

    #[test]
    fn tall_raster_is_banded() {
        let mut out = Vec::new();
        push_raster(&mut out, &Bitmap::new(16, 300));
        assert_eq!(&out[..8], &[0x1D, 0x76, 0x30, 0x00, 2, 0, 255, 0]);
        assert_eq!(&out[8 + 510..8 + 510 + 8], &[0x1D, 0x76, 0x30, 0x00, 2, 0, 45, 0]);
        assert_eq!(out.len(), 16 + 600);
    }
}
