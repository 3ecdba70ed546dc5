//! 1-bit bitmaps and the [`Rasterizer`] that draws text lines the printer cannot draw itself
//! (characters outside GBK, printers without a Chinese ROM font). [`FontRasterizer`] draws with a
//! CJK TrueType font through `ab_glyph`, on the same 12/24-dot grid as the printer's ROM font.

use std::path::{Path, PathBuf};

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};

use crate::PrintError;
use crate::profile::COLUMN_DOTS;
use crate::slip::{Align, TextStyle};
use crate::wrap::char_columns;

/// Height in dots of one raster text line (24-dot glyphs plus 3 dots above and below), the same
/// pitch as a text-mode line on common printers.
pub const LINE_DOTS: u16 = 30;
/// Glyph size in pixels (dots).
pub const GLYPH_PX: f32 = 24.0;

/// A 1-bit image, rows top to bottom, each row `width / 8` bytes, most significant bit = leftmost
/// dot, 1 = black: exactly the data of `GS v 0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: u16,
    height: u16,
    data: Vec<u8>,
}

impl Bitmap {
    /// A white bitmap; `width` is rounded up to a multiple of 8.
    pub fn new(width: u16, height: u16) -> Self {
        let width = width.div_ceil(8) * 8;
        Self { width, height, data: vec![0; usize::from(width / 8) * usize::from(height)] }
    }

    /// Width in dots (a multiple of 8).
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Height in dots.
    pub fn height(&self) -> u16 {
        self.height
    }

    /// Bytes per row.
    pub fn row_bytes(&self) -> usize {
        usize::from(self.width / 8)
    }

    /// The packed rows.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Blackens a dot; dots outside the bitmap are ignored.
    pub fn set(&mut self, x: i32, y: i32) {
        if x < 0 || y < 0 || x >= i32::from(self.width) || y >= i32::from(self.height) {
            return;
        }
        let (x, y) = (x as usize, y as usize);
        let i = y * self.row_bytes() + x / 8;
        self.data[i] |= 0x80 >> (x % 8);
    }

    /// Whether a dot is black (false outside the bitmap).
    pub fn get(&self, x: u16, y: u16) -> bool {
        x < self.width
            && y < self.height
            && self.data[usize::from(y) * self.row_bytes() + usize::from(x / 8)] & (0x80 >> (x % 8)) != 0
    }

    /// Number of black dots.
    pub fn black_dots(&self) -> u32 {
        self.data.iter().map(|b| b.count_ones()).sum()
    }

    /// The same image with every row doubled (double height).
    pub fn double_height(&self) -> Self {
        let rb = self.row_bytes();
        let mut data = Vec::with_capacity(self.data.len() * 2);
        for row in self.data.chunks(rb) {
            data.extend_from_slice(row);
            data.extend_from_slice(row);
        }
        Self { width: self.width, height: self.height * 2, data }
    }
}

/// How grey pixels become black and white dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dither {
    /// Black below 50 % grey: crisp text and rules (documents are black on white).
    #[default]
    Threshold,
    /// Floyd–Steinberg error diffusion: keeps grey areas (photos, seals) as dot patterns.
    FloydSteinberg,
}

impl Bitmap {
    /// Converts an 8-bit grey image (0 = black, 255 = white, `width × height` values, rows top
    /// to bottom) to 1 bit, centred horizontally on a bitmap `target_width` dots wide.
    pub fn from_gray(
        pixels: &[u8],
        width: u32,
        height: u32,
        target_width: u16,
        dither: Dither,
    ) -> Result<Self, PrintError> {
        if width > u32::from(target_width) {
            return Err(PrintError::PageTooWide { width, max: target_width });
        }
        let height = u16::try_from(height).map_err(|_| PrintError::PageTooWide { width: height, max: u16::MAX })?;
        let (w, h) = (width as usize, usize::from(height));
        assert_eq!(pixels.len(), w * h, "grey image size");
        let mut bmp = Self::new(target_width, height);
        let left = (i32::from(bmp.width()) - width as i32) / 2;
        match dither {
            Dither::Threshold => {
                for (y, row) in pixels.chunks_exact(w.max(1)).enumerate() {
                    for (x, &p) in row.iter().enumerate() {
                        if p < 128 {
                            bmp.set(left + x as i32, y as i32);
                        }
                    }
                }
            }
            Dither::FloydSteinberg => {
                // Two rows of error (current, next), in 1/16 units of grey.
                let mut cur = vec![0i32; w + 2];
                let mut next = vec![0i32; w + 2];
                for (y, row) in pixels.chunks_exact(w.max(1)).enumerate() {
                    for (x, &p) in row.iter().enumerate() {
                        let v = i32::from(p) + cur[x + 1] / 16;
                        let (out, err) = if v < 128 { (true, v) } else { (false, v - 255) };
                        if out {
                            bmp.set(left + x as i32, y as i32);
                        }
                        cur[x + 2] += err * 7;
                        next[x] += err * 3;
                        next[x + 1] += err * 5;
                        next[x + 2] += err;
                    }
                    std::mem::swap(&mut cur, &mut next);
                    next.iter_mut().for_each(|e| *e = 0);
                }
            }
        }
        Ok(bmp)
    }
}

/// Draws one already-wrapped text line as a bitmap `width_dots` wide.
pub trait Rasterizer {
    /// Renders `text` (at most `width_dots / 12` columns) with the style's alignment, bold and
    /// height.
    fn render_line(&self, text: &str, style: TextStyle, width_dots: u16) -> Result<Bitmap, PrintError>;
}

/// A [`Rasterizer`] for encoders that must never draw (every line is known to be printable in
/// text mode): it fails with [`PrintError::FontNotFound`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRasterizer;

impl Rasterizer for NoRasterizer {
    fn render_line(&self, _text: &str, _style: TextStyle, _width_dots: u16) -> Result<Bitmap, PrintError> {
        Err(PrintError::FontNotFound { tried: "（未配置字体）".into() })
    }
}

/// Where [`FontRasterizer::system`] looks for a CJK font (Debian/Ubuntu packages
/// `fonts-wqy-microhei`, `fonts-wqy-zenhei`, `fonts-noto-cjk`; Android's Noto CJK).
/// Noto CJK comes first: it also covers CJK Extension A (e.g. 䶮), which WenQuanYi does not.
pub const SYSTEM_FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/system/fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

/// Draws text with a TrueType/OpenType font, monospaced on the ROM font's grid: each character
/// is centred in a 12-dot (ASCII) or 24-dot (other) cell, 24-dot em, 30-dot line pitch,
/// coverage ≥ 50 % is black.
#[derive(Debug)]
pub struct FontRasterizer {
    font: FontVec,
}

impl FontRasterizer {
    /// Loads a font file (`.ttf`, `.otf`, or the first face of a `.ttc`).
    pub fn from_file(path: &Path) -> Result<Self, PrintError> {
        let data = std::fs::read(path).map_err(|_| PrintError::FontInvalid { path: path.to_path_buf() })?;
        Self::from_bytes(data).map_err(|_| PrintError::FontInvalid { path: path.to_path_buf() })
    }

    /// Parses font data (first face of a collection).
    pub fn from_bytes(data: Vec<u8>) -> Result<Self, PrintError> {
        let font = FontVec::try_from_vec_and_index(data, 0)
            .map_err(|_| PrintError::FontInvalid { path: PathBuf::from("（内存）") })?;
        Ok(Self { font })
    }

    /// The first CJK font found in [`SYSTEM_FONT_PATHS`].
    pub fn system() -> Result<Self, PrintError> {
        for p in SYSTEM_FONT_PATHS {
            let path = Path::new(p);
            if path.is_file() {
                return Self::from_file(path);
            }
        }
        Err(PrintError::FontNotFound { tried: SYSTEM_FONT_PATHS.join("，") })
    }

    /// Whether the font has a glyph for `c`.
    pub fn has_glyph(&self, c: char) -> bool {
        c == ' ' || self.font.glyph_id(c).0 != 0
    }
}

impl Rasterizer for FontRasterizer {
    fn render_line(&self, text: &str, style: TextStyle, width_dots: u16) -> Result<Bitmap, PrintError> {
        let mut bmp = Bitmap::new(width_dots, LINE_DOTS);
        let used: usize = text.chars().map(char_columns).sum::<usize>() * usize::from(COLUMN_DOTS);
        let free = usize::from(bmp.width()).saturating_sub(used);
        let mut x = match style.align {
            Align::Left => 0,
            Align::Center => free / 2,
            Align::Right => free,
        } as f32;
        // Scale so that one em (an ideograph's design box) is GLYPH_PX dots, like the ROM font's
        // 24×24 cell; put the baseline at 88 % of the em (the usual CJK ideographic box).
        let height_per_em = self.font.units_per_em().map_or(1.0, |u| self.font.height_unscaled() / u);
        let px = PxScale::from(GLYPH_PX * height_per_em);
        let scaled = self.font.as_scaled(px);
        let top = f32::from(LINE_DOTS - GLYPH_PX as u16) / 2.0;
        let baseline = (top + 0.88 * GLYPH_PX).round();
        for c in text.chars() {
            let cell = (char_columns(c) * usize::from(COLUMN_DOTS)) as f32;
            if c != ' ' {
                if !self.has_glyph(c) {
                    return Err(PrintError::GlyphMissing { ch: c });
                }
                let id = self.font.glyph_id(c);
                let adv = scaled.h_advance(id);
                let glyph = id.with_scale_and_position(px, point(x + (cell - adv).max(0.0) / 2.0, baseline));
                if let Some(outlined) = self.font.outline_glyph(glyph) {
                    let b = outlined.px_bounds();
                    outlined.draw(|gx, gy, cov| {
                        if cov >= 0.5 {
                            let (px, py) = (b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32);
                            bmp.set(px, py);
                            if style.bold {
                                bmp.set(px + 1, py);
                            }
                        }
                    });
                }
            }
            x += cell;
        }
        Ok(if style.double_height { bmp.double_height() } else { bmp })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_bits_are_msb_first() {
        let mut b = Bitmap::new(10, 2);
        assert_eq!(b.width(), 16);
        b.set(0, 0);
        b.set(9, 1);
        b.set(99, 99);
        assert_eq!(b.data(), &[0x80, 0, 0, 0x40]);
        assert!(b.get(9, 1) && !b.get(8, 1));
        assert_eq!(b.double_height().height(), 4);
        assert_eq!(b.black_dots(), 2);
    }

    #[test]
    fn grey_images_are_centred_and_thresholded_or_dithered() {
        // 4×2 image: black, dark, light, white.
        let px = [0, 100, 200, 255, 0, 100, 200, 255];
        let b = Bitmap::from_gray(&px, 4, 2, 16, Dither::Threshold).unwrap();
        assert_eq!((b.width(), b.height()), (16, 2));
        assert_eq!(b.data(), &[0b0000_0011, 0, 0b0000_0011, 0]);
        // A flat 50 % grey dithers to about half the dots.
        let grey = vec![128u8; 64 * 64];
        let d = Bitmap::from_gray(&grey, 64, 64, 64, Dither::FloydSteinberg).unwrap();
        let ratio = f64::from(d.black_dots()) / 4096.0;
        assert!((0.45..=0.55).contains(&ratio), "{ratio}");
        assert_eq!(Bitmap::from_gray(&px, 4, 2, 0, Dither::Threshold).unwrap_err().code(), "PRINT_PAGE_TOO_WIDE");
    }
}
