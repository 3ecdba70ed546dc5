//! The import report: how many rows were valid and what was wrong with the others.

use serde::{Serialize, Serializer};
use zhifa_core::error::{FieldError, ValidationCode};

/// Machine code of a row problem: either a validation code of `zhifa-core` or one of the
/// two problems only a file can have.
///
/// Serialises as its string form (e.g. `"DUPLICATE_IN_FILE"`, `"CELL_COUNT_MISMATCH"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowCode {
    /// A validation code from `zhifa-core` (includes `DUPLICATE_IN_FILE`, `FORMULA_CELL`,
    /// `ENCODING_INVALID`).
    Validation(ValidationCode),
    /// A CSV row has a different number of cells than the header (unquoted delimiter
    /// inside a value, or a truncated line).
    CellCountMismatch,
    /// One merged cell spans several ledger columns of a data row.
    MergedCell,
}

impl RowCode {
    /// The stable string form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validation(c) => c.as_str(),
            Self::CellCountMismatch => "CELL_COUNT_MISMATCH",
            Self::MergedCell => "MERGED_CELL",
        }
    }
}

impl From<ValidationCode> for RowCode {
    fn from(c: ValidationCode) -> Self {
        Self::Validation(c)
    }
}

impl PartialEq<ValidationCode> for RowCode {
    fn eq(&self, other: &ValidationCode) -> bool {
        *self == Self::Validation(*other)
    }
}

impl std::fmt::Display for RowCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RowCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem of one data row.
///
/// JSON: `{"row": 3, "field": "联系电话", "code": "PHONE_INVALID", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based data row number (the first row below the header is 1).
    pub row: usize,
    /// Chinese column name (or `经纬度` for coordinate pairs, `整行` for the whole row).
    pub field: String,
    /// Stable machine code.
    pub code: RowCode,
    /// Chinese message for the operator.
    pub message: String,
}

impl RowError {
    /// Builds a row error.
    pub fn new(row: usize, field: impl Into<String>, code: impl Into<RowCode>, message: impl Into<String>) -> Self {
        Self { row, field: field.into(), code: code.into(), message: message.into() }
    }

    pub(crate) fn from_field(row: usize, e: FieldError) -> Self {
        Self { row, field: e.field, code: e.code.into(), message: e.message }
    }
}

/// What kind of file was read, as detected from its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceFormat {
    /// Delimited text.
    Csv {
        /// Detected encoding (`UTF-8`, `GB18030`, `UTF-16LE`, `UTF-16BE`).
        encoding: &'static str,
        /// Whether the file started with a byte order mark.
        bom: bool,
        /// Detected delimiter (`,`, `\t` or `;`).
        delimiter: char,
    },
    /// An Excel workbook; only its first worksheet is read.
    Xlsx {
        /// Name of the worksheet read.
        sheet: String,
    },
}

impl std::fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Csv { encoding, bom, delimiter } => {
                let d = match delimiter {
                    ',' => "逗号",
                    '\t' => "制表符",
                    ';' => "分号",
                    _ => "其他字符",
                };
                let b = if *bom { "，带BOM" } else { "" };
                write!(f, "CSV 文本（{encoding} 编码{b}，{d}分隔）")
            }
            Self::Xlsx { sheet } => write!(f, "Excel 工作簿（工作表“{sheet}”）"),
        }
    }
}

/// Result of reading a whole ledger file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// The detected format.
    pub format: SourceFormat,
    /// 1-based number of the (last) header row in the sheet (XLSX) or of the header record
    /// (CSV). The sheet row of data row `n` is `header_row + n` (for CSV files without
    /// quoted line breaks this is also the line number).
    pub header_row: usize,
    /// Number of non-empty data rows read (rows whose ledger columns are all empty are
    /// skipped and not counted).
    pub rows: usize,
    /// Number of rows passed to the sink.
    pub valid: usize,
    /// Number of rows with at least one error (not passed to the sink).
    pub invalid_rows: usize,
    /// Every problem of every invalid row, in row order.
    pub invalid: Vec<RowError>,
    /// Header cells that are not ledger columns (ignored), in column order.
    pub ignored_columns: Vec<String>,
}
