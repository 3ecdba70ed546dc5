//! Fatal import errors: the file as a whole cannot be imported.
//!
//! Problems of single rows are not errors but entries of the report
//! ([`crate::RowError`]). Every variant has a Chinese [`Display`](std::fmt::Display)
//! message for the operator and a stable machine code ([`ImportError::code`]).

use std::convert::Infallible;
use std::path::PathBuf;

use zhifa_core::enterprise::LedgerField;

/// Boxed error of a third-party reader (zip/XML parser), kept as the source of
/// [`ImportError::Corrupt`].
pub type BoxedSource = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a ledger file could not be imported at all.
///
/// `E` is the error type of the caller's sink (see [`crate::import_ledger`]); it only
/// appears in [`ImportError::Sink`]. When no sink can fail it is [`Infallible`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError<E = Infallible> {
    /// The file could not be opened or read.
    #[error("无法读取文件“{}”：{reason}", path.display())]
    FileUnreadable {
        /// The file.
        path: PathBuf,
        /// Chinese explanation derived from the IO error kind.
        reason: &'static str,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },

    /// The file is an Excel 97–2003 workbook (`.xls`) or an encrypted workbook: both are
    /// OLE compound files, which this importer does not read.
    #[error(
        "这是旧版 Excel 97-2003 工作簿（.xls）或设置了打开密码的工作簿，无法直接导入。\
         请在 Excel 或 WPS 中打开，取消密码后“另存为”Excel 工作簿（.xlsx）或“CSV UTF-8（逗号分隔）”再导入"
    )]
    LegacyExcel,

    /// The file is neither an XLSX workbook nor a CSV text table.
    #[error("无法识别的文件格式：{what}。请导入 Excel 工作簿（.xlsx）或 CSV 文件")]
    FormatUnknown {
        /// Chinese description of what the file seems to be.
        what: String,
    },

    /// The text is neither UTF-8 (with or without BOM), UTF-16 with BOM, nor GB18030/GBK.
    #[error(
        "文件编码无法识别（既不是 UTF-8，也不是 GBK/GB18030）。请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后再导入"
    )]
    EncodingUnknown,

    /// The file or the worksheet has no content at all.
    #[error("{}", match sheet { Some(s) => format!("工作表为空：工作表“{s}”中没有任何内容"), None => "文件为空：没有任何内容".to_owned() })]
    Empty {
        /// The worksheet, for XLSX files.
        sheet: Option<String>,
    },

    /// There is a header but no data row below it.
    #[error("工作表为空：表头（第{header_row}行）下面没有数据行")]
    NoData {
        /// 1-based row (XLSX) or record (CSV) number of the header's last row.
        header_row: usize,
    },

    /// Required columns are missing from the header.
    #[error("缺少必填列：{}。请使用企业台账模板的列名（表头须在前10个非空行内）", missing.iter().map(|f| f.header()).collect::<Vec<_>>().join("、"))]
    MissingColumns {
        /// The missing columns, in template order.
        missing: Vec<LedgerField>,
        /// The header cells that were found but not recognised.
        unrecognised: Vec<String>,
    },

    /// Two header cells name the same field.
    #[error("表头第{}列“{first}”和第{}列“{second}”都对应“{}”，请删除或改名其中一列", first_column + 1, second_column + 1, field.header())]
    DuplicateColumn {
        /// The field named twice.
        field: LedgerField,
        /// 0-based column of the first occurrence.
        first_column: usize,
        /// Header text of the first occurrence.
        first: String,
        /// 0-based column of the second occurrence.
        second_column: usize,
        /// Header text of the second occurrence.
        second: String,
    },

    /// The XLSX container or its XML is damaged.
    #[error("文件已损坏，无法读取（{detail}）。请用 Excel 打开后重新保存再导入")]
    Corrupt {
        /// Short technical detail (parser message).
        detail: String,
        /// The parser error.
        #[source]
        source: BoxedSource,
    },

    /// One CSV row exceeds the size limit: usually an unclosed quote that swallows the
    /// rest of the file.
    #[error("从文件第{row}行起的一行数据超过{limit_kib} KiB，可能有未闭合的双引号（\"），请检查该行")]
    TooLarge {
        /// 1-based record number in the file (header and rows above it included) of the
        /// record that is too long.
        row: usize,
        /// The limit in KiB.
        limit_kib: usize,
    },

    /// The caller's sink failed; the import stopped at this row and the caller should roll
    /// back what it wrote.
    #[error("保存第{row}行时出错，导入已中止")]
    Sink {
        /// 1-based data row being saved.
        row: usize,
        /// The sink's error.
        #[source]
        source: E,
    },
}

impl<E> ImportError<E> {
    /// The stable machine code, part of the CLI's `--json` contract.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FileUnreadable { .. } => "FILE_UNREADABLE",
            Self::LegacyExcel => "FORMAT_XLS",
            Self::FormatUnknown { .. } => "FORMAT_UNKNOWN",
            Self::EncodingUnknown => "ENCODING_UNKNOWN",
            Self::Empty { .. } | Self::NoData { .. } => "EMPTY",
            Self::MissingColumns { .. } => "MISSING_COLUMNS",
            Self::DuplicateColumn { .. } => "DUPLICATE_COLUMN",
            Self::Corrupt { .. } => "CORRUPT",
            Self::TooLarge { .. } => "TOO_LARGE",
            Self::Sink { .. } => "SINK",
        }
    }

    pub(crate) fn unreadable(path: &std::path::Path, source: std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let reason = match source.kind() {
            K::NotFound => "文件不存在",
            K::PermissionDenied => "没有读取权限（文件可能正被 Excel 或 WPS 打开）",
            K::IsADirectory => "这是一个文件夹，不是文件",
            K::UnexpectedEof => "文件不完整",
            _ => "读取文件时出错",
        };
        Self::FileUnreadable { path: path.to_owned(), reason, source }
    }
}

impl ImportError<Infallible> {
    /// Converts an error that cannot be [`ImportError::Sink`] into any sink error type.
    pub(crate) fn widen<F>(self) -> ImportError<F> {
        match self {
            ImportError::FileUnreadable { path, reason, source } => {
                ImportError::FileUnreadable { path, reason, source }
            }
            ImportError::LegacyExcel => ImportError::LegacyExcel,
            ImportError::FormatUnknown { what } => ImportError::FormatUnknown { what },
            ImportError::EncodingUnknown => ImportError::EncodingUnknown,
            ImportError::Empty { sheet } => ImportError::Empty { sheet },
            ImportError::NoData { header_row } => ImportError::NoData { header_row },
            ImportError::MissingColumns { missing, unrecognised } => {
                ImportError::MissingColumns { missing, unrecognised }
            }
            ImportError::DuplicateColumn { field, first_column, first, second_column, second } => {
                ImportError::DuplicateColumn { field, first_column, first, second_column, second }
            }
            ImportError::Corrupt { detail, source } => ImportError::Corrupt { detail, source },
            ImportError::TooLarge { row, limit_kib } => ImportError::TooLarge { row, limit_kib },
            ImportError::Sink { source, .. } => match source {},
        }
    }
}
