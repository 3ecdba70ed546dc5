//! Errors of document generation: stable machine codes, Chinese messages for the officer.

use std::path::PathBuf;

/// Everything that can go wrong building or rendering a document.
#[derive(Debug, thiserror::Error)]
pub enum DocgenError {
    /// An input field is missing or inconsistent.
    #[error("文书内容不完整或有误：{field}：{reason}")]
    InvalidInput {
        /// Field name (Chinese label of the form).
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A text of the document cannot be typeset faithfully (control or direction characters,
    /// characters the font lacks): refused rather than printed differently from the record.
    #[error("文书内容无法如实排版：“{field}”{reason}")]
    Unprintable {
        /// Field (Chinese label where known, else the model's key).
        field: String,
        /// What is wrong, naming the character.
        reason: String,
    },
    /// The CJK font file does not exist or cannot be read.
    #[error(
        "找不到中文字体文件 {path}：请安装 Debian 软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk），\
         或用环境变量 ZHIFA_CJK_FONT 指定字体文件路径（{cause}）"
    )]
    FontMissing {
        /// Path that was tried.
        path: PathBuf,
        /// IO error text.
        cause: String,
    },
    /// The font files were read but do not contain the configured family.
    #[error(
        "字体文件中没有字体族“{family}”（已加载：{found}）：请安装 fonts-noto-cjk 或用 ZHIFA_CJK_FONT_FAMILY 指定字体族"
    )]
    FontFamilyMissing {
        /// Family asked for.
        family: String,
        /// Families found in the files.
        found: String,
    },
    /// The typst template failed to compile (a defect of the template or its data).
    #[error("文书模板排版失败：{0}")]
    Template(String),
    /// The PDF writer refused the document (e.g. a PDF/A rule).
    #[error("PDF 生成失败：{0}")]
    Pdf(String),
    /// The QR code could not be built.
    #[error("二维码生成失败：{0}")]
    Qr(String),
    /// The document type name is not one of the 式样.
    #[error("未知的文书种类：{0}")]
    UnknownType(String),
    /// The document type exists but this build has no template for it yet.
    #[error("文书种类“{0}”暂不支持生成 PDF（可生成的种类见 zhifa doc types）")]
    NotRenderable(String),
}

impl DocgenError {
    /// Stable machine-readable code (logs, API, tests); never changes with the message text.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "DOC_INVALID_INPUT",
            Self::Unprintable { .. } => "DOC_UNPRINTABLE",
            Self::FontMissing { .. } => "DOC_FONT_MISSING",
            Self::FontFamilyMissing { .. } => "DOC_FONT_FAMILY_MISSING",
            Self::Template(_) => "DOC_TEMPLATE",
            Self::Pdf(_) => "DOC_PDF",
            Self::Qr(_) => "DOC_QR",
            Self::UnknownType(_) => "DOC_UNKNOWN_TYPE",
            Self::NotRenderable(_) => "DOC_NOT_RENDERABLE",
        }
    }
}
