//! The generic document model: one shape for every 执法文书 that has no dedicated model.
//!
//! A [`GenericDocument`] is a title, a number, ordered [`Block`]s (paragraphs, headings,
//! numbered items, question/answer pairs, bordered label/value grids with signature lines),
//! signature slots, an optional seal and copies note, and an optional per-page signature line
//! (笔录s). One typst template (`templates/generic.typ`) lays out any of them, so a further
//! type of the 48 needs only a typed input and a builder that fills this model (see
//! `crate::types`), never a new render path.

use serde::{Deserialize, Serialize};

use crate::model::{SealBlock, Ymd};

/// A document built from blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenericDocument {
    /// Document id; goes into the QR payload.
    pub doc_id: String,
    /// Type name exactly as in documents.json, e.g. `行政处罚决定书（单位）`.
    pub doc_type: String,
    /// Printed title.
    pub title: String,
    /// `（离）应急罚告〔2026〕15号`; empty for unnumbered types (询问笔录).
    pub number: String,
    /// Agency full name (PDF author).
    pub agency: String,
    /// Document date for the PDF metadata.
    pub date: Ymd,
    /// Body, top to bottom.
    pub blocks: Vec<Block>,
    /// Signature slots after the body (may be empty: 决定书 and 告知书 carry only the seal).
    pub signatures: Vec<Signature>,
    /// Seal block, right-aligned after the signatures.
    pub seal: Option<SealBlock>,
    /// `本文书一式两份：…`.
    pub copies: Option<String>,
    /// Printed in the footer of every page (笔录s: `被询问人（签名）：`), before `第 X 页 共 Y 页`.
    pub page_sign: Option<String>,
}

/// One block of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A justified paragraph; `indent` = 2-em first-line indent.
    Para {
        /// Text.
        text: String,
        /// First-line indent.
        indent: bool,
    },
    /// A bold line, e.g. `检查情况：`.
    Heading {
        /// Text.
        text: String,
    },
    /// Items numbered `1．…` with first-line indent.
    Items {
        /// Texts, numbered from 1.
        items: Vec<String>,
    },
    /// 问/答 pairs of a 笔录.
    Qa {
        /// The pairs in order.
        items: Vec<QaPair>,
    },
    /// A bordered table; `widths` are relative column widths, each row's spans add up to
    /// `widths.len()`.
    Grid {
        /// Relative column widths.
        widths: Vec<u32>,
        /// Rows of cells.
        rows: Vec<Vec<Cell>>,
    },
    /// A right-aligned line (dates, 承办单位).
    Right {
        /// Text.
        text: String,
    },
}

/// One question and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QaPair {
    /// 问.
    pub q: String,
    /// 答.
    pub a: String,
}

/// A cell of a [`Block::Grid`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Text (may be empty).
    pub text: String,
    /// Printed bold and centred (a label cell).
    pub label: bool,
    /// Number of columns spanned (≥ 1).
    pub span: u32,
    /// Blank space in mm after the text (room for a handwritten opinion).
    pub space_mm: u32,
    /// Signature lines printed right-aligned at the bottom of the cell, e.g.
    /// `承办人（签名）：　　　执法证号：1411020010　　年　月　日`.
    pub sign: Vec<String>,
}

impl Cell {
    /// A bold label cell.
    pub fn label(text: &str) -> Self {
        Self { text: text.to_owned(), label: true, span: 1, space_mm: 0, sign: Vec::new() }
    }

    /// A value cell.
    pub fn value(text: &str) -> Self {
        Self { text: text.to_owned(), label: false, span: 1, space_mm: 0, sign: Vec::new() }
    }

    /// The same cell spanning `n` columns.
    pub fn span(mut self, n: u32) -> Self {
        self.span = n;
        self
    }

    /// The same cell with `mm` of blank space after the text.
    pub fn space(mut self, mm: u32) -> Self {
        self.space_mm = mm;
        self
    }

    /// The same cell with signature lines at its bottom.
    pub fn signed(mut self, lines: Vec<String>) -> Self {
        self.sign = lines;
        self
    }
}

/// A signature slot after the body: `label：______` then either `执法证号：…` or a blank date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Printed label, e.g. `执法人员（签名）`.
    pub label: String,
    /// 执法证号 printed next to the slot (empty: none).
    pub cert_no: String,
    /// Print a blank `年 月 日` for a handwritten date.
    pub hand_date: bool,
}

impl Signature {
    /// An officer's slot with the 执法证号 printed.
    pub fn officer(label: &str, cert_no: &str) -> Self {
        Self { label: label.to_owned(), cert_no: cert_no.to_owned(), hand_date: false }
    }

    /// A party's slot with a handwritten date.
    pub fn party(label: &str) -> Self {
        Self { label: label.to_owned(), cert_no: String::new(), hand_date: true }
    }
}

impl GenericDocument {
    /// Every text of the document in reading order (title, number, blocks, signatures, seal,
    /// copies): what text extraction from the PDF must give back, and what a receipt slip prints.
    pub fn texts(&self) -> Vec<String> {
        let mut out = vec![self.title.clone()];
        if !self.number.is_empty() {
            out.push(self.number.clone());
        }
        for b in &self.blocks {
            match b {
                Block::Para { text, .. } | Block::Heading { text } | Block::Right { text } => out.push(text.clone()),
                Block::Items { items } => {
                    out.extend(items.iter().enumerate().map(|(i, t)| format!("{}．{t}", i + 1)));
                }
                Block::Qa { items } => {
                    for p in items {
                        out.push(format!("问：{}", p.q));
                        out.push(format!("答：{}", p.a));
                    }
                }
                Block::Grid { rows, .. } => {
                    for c in rows.iter().flatten() {
                        if !c.text.is_empty() {
                            out.push(c.text.clone());
                        }
                        out.extend(c.sign.iter().cloned());
                    }
                }
            }
        }
        for s in &self.signatures {
            out.push(s.label.clone());
            if !s.cert_no.is_empty() {
                out.push(format!("执法证号：{}", s.cert_no));
            }
        }
        if let Some(seal) = &self.seal {
            out.push(seal.agency.clone());
            out.push(seal.date.clone());
        }
        out.extend(self.copies.iter().cloned());
        out
    }
}
