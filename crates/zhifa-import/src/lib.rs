//! Import of enterprise ledgers (企业台账) from XLSX workbooks and CSV files.
//!
//! This is the engine behind `zhifa import enterprises FILE`: it detects the file's
//! format and encoding from its content, finds the header row, validates every data row
//! with [`zhifa_core::enterprise::validate_row`], drops later duplicates of a credit
//! code, hands each valid row to the caller's sink in file order and returns an
//! [`ImportReport`] listing every problem of every invalid row.
//!
//! Files are streamed: memory does not grow with the file size except for the credit
//! codes already seen (24 bytes each, for duplicate detection), the errors kept for the
//! report and, for XLSX, calamine's shared-string table. See `docs/import.md`.
//!
//! ```no_run
//! use std::path::Path;
//! use zhifa_core::division::Area;
//!
//! let area = Area::luliang();
//! let mut saved = Vec::new();
//! let report = zhifa_import::import_ledger(Path::new("台账.xlsx"), &area, |row, data| {
//!     saved.push((row, data));
//!     Ok::<(), std::convert::Infallible>(())
//! })?;
//! println!("{} 行有效，{} 行有错误", report.valid, report.invalid_rows);
//! # Ok::<(), zhifa_import::ImportError>(())
//! ```

mod csv_reader;
mod detect;
mod engine;
mod error;
mod report;
mod xlsx_reader;

use std::convert::Infallible;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use zhifa_core::division::Area;
use zhifa_core::enterprise::EnterpriseData;

pub use error::{BoxedSource, ImportError};
pub use report::{ImportReport, RowCode, RowError, SourceFormat};

/// Reads the ledger file at `path`, validates it against `area` and calls `sink` with
/// the 1-based data row number and the validated data of every valid row, in file order.
///
/// Rows with errors are not passed to the sink; their problems are listed in
/// [`ImportReport::invalid`]. A later row with a credit code already seen in the file is
/// reported as `DUPLICATE_IN_FILE` and skipped (the first occurrence stays).
///
/// # Errors
///
/// An [`ImportError`] when the file as a whole cannot be imported (unreadable, unknown
/// format or encoding, empty, missing or duplicate columns, corrupt), and
/// [`ImportError::Sink`] as soon as the sink fails: the import stops there and the
/// caller should roll back what the sink wrote.
pub fn import_ledger<E, F>(path: &Path, area: &Area, sink: F) -> Result<ImportReport, ImportError<E>>
where
    F: FnMut(usize, EnterpriseData) -> Result<(), E>,
{
    let mut file = File::open(path).map_err(|e| ImportError::unreadable(path, e))?;
    let (sniff, eof) = read_sniff(&mut file).map_err(|e| ImportError::unreadable(path, e))?;
    match detect::detect(&sniff, eof).map_err(ImportError::widen)? {
        detect::Detected::Xlsx => {
            drop(sniff);
            let file = File::open(path).map_err(|e| ImportError::unreadable(path, e))?;
            xlsx_reader::read(file, area, sink)
        }
        detect::Detected::Csv(te) => csv_reader::read(path, file, sniff, te, area, sink),
    }
}

/// Validates the ledger file without saving anything (the `--dry-run` of the CLI).
///
/// # Errors
///
/// As [`import_ledger`], without [`ImportError::Sink`].
pub fn check_ledger(path: &Path, area: &Area) -> Result<ImportReport, ImportError> {
    import_ledger(path, area, |_, _| Ok::<(), Infallible>(()))
}

/// Reads up to [`detect::SNIFF_LEN`] bytes; tells whether the file ended within them.
fn read_sniff(file: &mut File) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = Vec::with_capacity(detect::SNIFF_LEN);
    let n = file.by_ref().take(detect::SNIFF_LEN as u64).read_to_end(&mut buf)?;
    Ok((buf, n < detect::SNIFF_LEN))
}
