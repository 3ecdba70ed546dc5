//! PDF rendering with typst used as a library (typst-as-lib): the templates in `templates/`
//! are compiled into the binary, the document model goes in as JSON (`sys.inputs.data`),
//! the QR code as SVG bytes (`sys.inputs.qr`), the font family name as `sys.inputs.font`.
//!
//! Output is PDF/A-2b, tagged, with subset fonts; identical input gives identical bytes
//! (the document date comes from the record, the PDF identifier from the document id).

use std::path::PathBuf;

use typst::foundations::{Bytes, Dict, Smart, Value};
use typst::text::Font;
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateCollection};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

use crate::error::DocgenError;
use crate::model::DocumentModel;
use crate::qr;

/// Templates compiled into the binary: (virtual path, source).
const TEMPLATES: [(&str, &str); 4] = [
    ("common.typ", include_str!("../templates/common.typ")),
    ("inspection_record.typ", include_str!("../templates/inspection_record.typ")),
    ("rectification_order.typ", include_str!("../templates/rectification_order.typ")),
    ("generic.typ", include_str!("../templates/generic.typ")),
];

/// Where the CJK font comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontConfig {
    /// Font files (TTF/OTF/TTC); every face of the configured family is loaded.
    pub files: Vec<PathBuf>,
    /// Family name, e.g. `Noto Serif CJK SC`.
    pub family: String,
}

impl FontConfig {
    /// Debian `fonts-noto-cjk`: Noto Serif CJK SC regular (and bold, if installed).
    pub const NOTO_SERIF_REGULAR: &'static str = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";
    /// Bold face of Noto Serif CJK (used for titles and labels).
    pub const NOTO_SERIF_BOLD: &'static str = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc";
    /// Family of the default font.
    pub const NOTO_SERIF_FAMILY: &'static str = "Noto Serif CJK SC";

    /// The Debian Noto Serif CJK SC files (regular + bold).
    pub fn noto_serif_sc() -> Self {
        Self {
            files: vec![Self::NOTO_SERIF_REGULAR.into(), Self::NOTO_SERIF_BOLD.into()],
            family: Self::NOTO_SERIF_FAMILY.to_owned(),
        }
    }

    /// `ZHIFA_CJK_FONT` (one or more paths separated by `:`) and `ZHIFA_CJK_FONT_FAMILY`
    /// when set, else [`FontConfig::noto_serif_sc`].
    pub fn from_env() -> Self {
        let mut cfg = Self::noto_serif_sc();
        if let Some(files) = std::env::var_os("ZHIFA_CJK_FONT") {
            cfg.files = std::env::split_paths(&files).collect();
        }
        if let Ok(family) = std::env::var("ZHIFA_CJK_FONT_FAMILY") {
            cfg.family = family;
        }
        cfg
    }

    /// Reads the files and keeps the faces of the configured family.
    pub fn load(&self) -> Result<Vec<Font>, DocgenError> {
        let mut fonts = Vec::new();
        let mut families = std::collections::BTreeSet::new();
        for path in &self.files {
            let data = std::fs::read(path)
                .map_err(|e| DocgenError::FontMissing { path: path.clone(), cause: e.to_string() })?;
            for font in Font::iter(Bytes::new(data)) {
                if font.info().family == self.family {
                    fonts.push(font);
                } else {
                    families.insert(font.info().family.clone());
                }
            }
        }
        if fonts.is_empty() {
            return Err(DocgenError::FontFamilyMissing {
                family: self.family.clone(),
                found: families.into_iter().collect::<Vec<_>>().join("、"),
            });
        }
        Ok(fonts)
    }
}

/// A rendered PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPdf {
    /// PDF bytes.
    pub bytes: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// QR payload printed on page 1.
    pub qr_payload: String,
}

/// Compiles documents to PDF. Build once (loading the font takes ~0.1 s), render many.
pub struct Renderer {
    engine: TypstEngine<TypstTemplateCollection>,
    family: String,
    fonts: Vec<Font>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").field("family", &self.family).finish_non_exhaustive()
    }
}

/// Chinese label of a model key for messages (the key itself when unknown).
fn field_label(key: &str) -> &str {
    match key {
        "findings" | "text" => "检查情况/问题",
        "rows" | "value" => "表头栏目",
        "name" => "名称",
        "address" => "地址",
        "addressee" => "被检查单位",
        "number" => "文书编号",
        "agency" => "执法机关",
        "self_identification" => "表明身份",
        "order" => "整改要求",
        "deadline" => "整改期限",
        "appeal" => "复议诉讼告知",
        "cert_no" => "执法证号",
        "blocks" | "items" => "正文",
        other => other,
    }
}

fn typst_error(e: TypstAsLibError) -> DocgenError {
    match e {
        TypstAsLibError::TypstSource(diags) => {
            DocgenError::Template(diags.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("；"))
        }
        other => DocgenError::Template(other.to_string()),
    }
}

impl Renderer {
    /// Loads the fonts and prepares the templates.
    pub fn new(fonts: &FontConfig) -> Result<Self, DocgenError> {
        let loaded = fonts.load()?;
        let coverage = loaded.clone();
        let engine = TypstEngine::builder().fonts(loaded).with_static_source_file_resolver(TEMPLATES).build();
        Ok(Self { engine, family: fonts.family.clone(), fonts: coverage })
    }

    /// Lays out a document (no PDF yet): useful to count pages.
    pub fn layout(&self, doc: &DocumentModel) -> Result<(PagedDocument, String), DocgenError> {
        self.check_text(doc)?;
        let payload = qr::payload(doc);
        let svg = qr::qr_svg(&payload)?;
        let mut inputs = Dict::new();
        let data = serde_json::to_string(doc).map_err(|e| DocgenError::Template(e.to_string()))?;
        inputs.insert("data".into(), Value::Str(data.into()));
        inputs.insert("qr".into(), Value::Bytes(Bytes::new(svg.into_bytes())));
        inputs.insert("font".into(), Value::Str(self.family.as_str().into()));
        let paged: PagedDocument =
            self.engine.compile_with_input(doc.template(), inputs).output.map_err(typst_error)?;
        Ok((paged, payload))
    }

    /// Refuses texts that would not come out of the PDF as they are in the record: control
    /// characters (other than line breaks), bidirectional controls, and characters none of
    /// the loaded fonts has (emoji, for instance), naming the field and the character.
    pub fn check_text(&self, doc: &DocumentModel) -> Result<(), DocgenError> {
        let value = serde_json::to_value(doc).map_err(|e| DocgenError::Template(e.to_string()))?;
        self.check_value("", &value)
    }

    fn check_value(&self, key: &str, v: &serde_json::Value) -> Result<(), DocgenError> {
        match v {
            serde_json::Value::String(text) => {
                for c in text.chars() {
                    let bad = |why: &str| DocgenError::Unprintable {
                        field: field_label(key).to_owned(),
                        reason: format!("{why}（U+{:04X}）", c as u32),
                    };
                    if c.is_control() && c != '\n' {
                        return Err(bad("含有控制字符"));
                    }
                    if matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
                        return Err(bad("含有文字方向控制符"));
                    }
                    if !c.is_whitespace() && !self.fonts.iter().any(|f| f.info().coverage.contains(c as u32)) {
                        return Err(bad(&format!("含有字体中没有的字符“{c}”")));
                    }
                }
                Ok(())
            }
            serde_json::Value::Array(items) => items.iter().try_for_each(|x| self.check_value(key, x)),
            serde_json::Value::Object(map) => map.iter().try_for_each(|(k, x)| self.check_value(k, x)),
            _ => Ok(()),
        }
    }

    /// Renders a document to PDF/A-2b.
    pub fn render(&self, doc: &DocumentModel) -> Result<RenderedPdf, DocgenError> {
        let (paged, qr_payload) = self.layout(doc)?;
        let standards =
            PdfStandards::new(&[PdfStandard::A_2b]).map_err(|e| DocgenError::Pdf(e.message().to_string()))?;
        let options = PdfOptions {
            ident: Smart::Custom(doc.doc_id().to_owned()),
            creator: Smart::Custom(Some("Zhifa".to_owned())),
            standards,
            ..PdfOptions::default()
        };
        let bytes = typst_pdf::pdf(&paged, &options).map_err(|diags| {
            DocgenError::Pdf(diags.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("；"))
        })?;
        Ok(RenderedPdf { bytes, pages: paged.pages().len(), qr_payload })
    }

    /// Renders every page as an 8-bit grey image at `dpi` dots per inch (A4 at 203 dpi:
    /// 1678 × 2374), for raster printing on thermal A4 printers. Same layout as the PDF.
    pub fn render_gray(&self, doc: &DocumentModel, dpi: f32) -> Result<Vec<GrayPage>, DocgenError> {
        let (paged, _) = self.layout(doc)?;
        let options = typst_render::RenderOptions {
            pixel_per_pt: typst::utils::Scalar::new(f64::from(dpi) / 72.0),
            render_bleed: false,
        };
        Ok(paged
            .pages()
            .iter()
            .map(|page| {
                let pixmap = typst_render::render(page, &options);
                // Premultiplied RGBA over the white page: luma of the RGB channels (alpha is 255
                // everywhere since the page is filled white).
                let pixels = pixmap
                    .data()
                    .chunks_exact(4)
                    .map(|p| ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8)
                    .collect();
                GrayPage { width: pixmap.width(), height: pixmap.height(), pixels }
            })
            .collect())
    }
}

/// One page as 8-bit grey pixels (0 = black, 255 = white), rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayPage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height` grey values.
    pub pixels: Vec<u8>,
}
