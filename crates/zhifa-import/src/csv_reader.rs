//! CSV / delimited text: streamed through a transcoder and the `csv` crate.
//!
//! Memory: the sniff buffer, the transcoder's and the CSV parser's buffers and one
//! record; a record longer than [`MAX_RECORD_BYTES`] aborts the import (an unclosed
//! quote would otherwise pull the rest of the file into one record).

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::rc::Rc;

use encoding_rs_io::DecodeReaderBytesBuilder;
use zhifa_core::division::Area;
use zhifa_core::enterprise::EnterpriseData;

use crate::detect::{TextEncoding, delimiter, encoding_name};
use crate::engine::{Engine, RawCell, RawRow};
use crate::error::ImportError;
use crate::report::{ImportReport, SourceFormat};

/// Largest accepted record (decoded UTF-8 bytes).
pub(crate) const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// Marker error of [`RecordGuard`].
#[derive(Debug)]
struct RecordTooLong;

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too long")
    }
}

impl std::error::Error for RecordTooLong {}

/// Counts the bytes handed to the CSV parser since the last complete record and fails
/// past the limit.
struct RecordGuard<R> {
    inner: R,
    since_record: Rc<Cell<u64>>,
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.since_record.get() + n as u64;
        self.since_record.set(total);
        if total > MAX_RECORD_BYTES {
            return Err(io::Error::other(RecordTooLong));
        }
        Ok(n)
    }
}

/// Reads a CSV file whose first bytes (`sniff`, already read from `file`) were detected
/// as text in `te`.
pub(crate) fn read<E, F>(
    path: &Path,
    file: File,
    sniff: Vec<u8>,
    te: TextEncoding,
    area: &Area,
    sink: F,
) -> Result<ImportReport, ImportError<E>>
where
    F: FnMut(usize, EnterpriseData) -> Result<(), E>,
{
    let delim = delimiter(&te.text);
    let format =
        SourceFormat::Csv { encoding: encoding_name(te.encoding), bom: te.bom_len > 0, delimiter: char::from(delim) };
    let mut head = sniff;
    head.drain(..te.bom_len);
    let since_record = Rc::new(Cell::new(0u64));
    let decoded = DecodeReaderBytesBuilder::new().encoding(Some(te.encoding)).build(Cursor::new(head).chain(file));
    let guarded = RecordGuard { inner: decoded, since_record: Rc::clone(&since_record) };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .buffer_capacity(64 * 1024)
        .from_reader(guarded);

    let mut engine = Engine::new(area, format, true, sink);
    let mut record = csv::StringRecord::new();
    let mut line = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                since_record.set(0);
                let cells = record.iter().map(|s| RawCell::text(s.to_owned())).collect();
                engine.push(RawRow { line, cells })?;
                line += 1;
            }
            Err(e) => return Err(csv_error(path, e, line + 1)),
        }
    }
    engine.finish(None)
}

fn csv_error<E>(path: &Path, e: csv::Error, row: usize) -> ImportError<E> {
    if !matches!(e.kind(), csv::ErrorKind::Io(_)) {
        // With flexible records and transcoded (always valid UTF-8) input the parser has
        // no other failure; keep a sane mapping anyway.
        return ImportError::Corrupt { detail: format!("CSV 第{row}行无法解析"), source: Box::new(e) };
    }
    let csv::ErrorKind::Io(io) = e.into_kind() else { unreachable!("checked above") };
    if io.get_ref().is_some_and(|inner| inner.is::<RecordTooLong>()) {
        ImportError::TooLarge { row, limit_kib: (MAX_RECORD_BYTES / 1024) as usize }
    } else {
        ImportError::unreadable(path, io)
    }
}
