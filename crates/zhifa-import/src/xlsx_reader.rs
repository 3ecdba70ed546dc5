//! XLSX workbooks via calamine: the first worksheet, streamed cell by cell.
//!
//! The cells are read in one pass with their cached values and formula metadata
//! ([`calamine::XlsxCellReader::next_cell_with_formula_metadata`]) and grouped into rows,
//! so only one row is held at a time. The shared-string table, which XLSX keeps in one
//! part of the zip, is loaded whole by calamine.
//!
//! Merged regions are read first. A covered cell takes the value of the region's
//! top-left cell ("fill"): vertical merges (one company per row, the county merged over
//! several rows) import as if the value were repeated; a region spanning several ledger
//! columns is reported by the engine.

use std::fs::File;
use std::io::BufReader;

use calamine::{DataRef, Reader, Xlsx, XlsxError, XlsxFormulaMetadata};
use zhifa_core::division::Area;
use zhifa_core::enterprise::EnterpriseData;

use crate::engine::{CellKind, Engine, Merge, RawCell, RawRow};
use crate::error::ImportError;
use crate::report::{ImportReport, SourceFormat};

/// Reads an XLSX file.
pub(crate) fn read<E, F>(file: File, area: &Area, sink: F) -> Result<ImportReport, ImportError<E>>
where
    F: FnMut(usize, EnterpriseData) -> Result<(), E>,
{
    let mut wb: Xlsx<BufReader<File>> = Xlsx::new(BufReader::with_capacity(64 * 1024, file)).map_err(xlsx_error)?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ImportError::FormatUnknown { what: "工作簿中没有工作表".to_owned() })?;
    let mut merges: Vec<Merge> = wb
        .merge_cells_by_sheet_name(&sheet)
        .map_err(xlsx_error)?
        .into_iter()
        .map(|d| Merge { top: d.start.0, left: d.start.1, bottom: d.end.0, right: d.end.1 })
        .filter(|m| m.top <= m.bottom && m.left <= m.right && (m.top, m.left) != (m.bottom, m.right))
        .collect();
    merges.sort_by_key(|m| (m.top, m.left));

    let mut engine = Engine::new(area, SourceFormat::Xlsx { sheet: sheet.clone() }, false, sink);
    let mut filler = MergeFiller { merges, next: 0, active: Vec::new() };
    let mut reader = wb.worksheet_cells_reader(&sheet).map_err(xlsx_error)?;
    let mut current: Option<RawRow> = None;
    while let Some(rec) = reader.next_cell_with_formula_metadata().map_err(xlsx_error)? {
        let (r, c) = (rec.pos.0 as usize, rec.pos.1 as usize);
        if current.as_ref().is_some_and(|row| row.line != r)
            && let Some(mut done) = current.take()
        {
            filler.apply(&mut done);
            engine.push(done)?;
        }
        let row = current.get_or_insert_with(|| RawRow { line: r, cells: Vec::new() });
        if row.cells.len() <= c {
            row.cells.resize_with(c + 1, RawCell::default);
        }
        let (text, kind) = cell_text(&rec.value);
        let kind = match rec.formula {
            Some(XlsxFormulaMetadata::Normal { formula } | XlsxFormulaMetadata::Shared { formula, .. }) => {
                CellKind::Formula(Some(formula))
            }
            Some(_) => CellKind::Formula(None),
            None => kind,
        };
        row.cells[c] = RawCell { text, kind, merge: None };
    }
    if let Some(mut done) = current.take() {
        filler.apply(&mut done);
        engine.push(done)?;
    }
    engine.finish(Some(sheet))
}

/// Applies merged regions to rows arriving in increasing order.
struct MergeFiller {
    /// Sorted by top row.
    merges: Vec<Merge>,
    /// Index of the first region not yet active.
    next: usize,
    /// Regions that started at or above the current row, with their top-left cell.
    active: Vec<(Merge, RawCell)>,
}

impl MergeFiller {
    fn apply(&mut self, row: &mut RawRow) {
        let line = row.line as u32;
        while self.next < self.merges.len() && self.merges[self.next].top <= line {
            let m = self.merges[self.next];
            // The anchor is in this row if the region starts here; otherwise its row had
            // no cells at all and the region's value is empty.
            let anchor = if m.top == line {
                row.cells.get(m.left as usize).cloned().unwrap_or_default()
            } else {
                RawCell::default()
            };
            self.active.push((m, RawCell { merge: None, ..anchor }));
            self.next += 1;
        }
        self.active.retain(|(m, _)| m.bottom >= line);
        for (m, anchor) in &self.active {
            if row.cells.len() <= m.right as usize {
                row.cells.resize_with(m.right as usize + 1, RawCell::default);
            }
            for col in m.left..=m.right {
                let cell = &mut row.cells[col as usize];
                *cell = RawCell { text: anchor.text.clone(), kind: anchor.kind.clone(), merge: Some(*m) };
            }
        }
    }
}

/// The text of a cell value and whether it was a number.
fn cell_text(v: &DataRef<'_>) -> (String, CellKind) {
    match v {
        DataRef::Empty => (String::new(), CellKind::Text),
        DataRef::String(s) => (s.clone(), CellKind::Text),
        DataRef::SharedString(s) => ((*s).to_owned(), CellKind::Text),
        DataRef::Int(i) => (i.to_string(), CellKind::Number),
        DataRef::Float(f) => (number_text(*f), CellKind::Number),
        DataRef::Bool(b) => ((if *b { "TRUE" } else { "FALSE" }).to_owned(), CellKind::Text),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            let text = if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            };
            (text, CellKind::Text)
        }
        DataRef::DateTime(dt) => (number_text(dt.as_f64()), CellKind::Number),
        DataRef::DateTimeIso(s) => match s.split_once('T') {
            Some((d, t)) if t.bytes().all(|b| matches!(b, b'0' | b':' | b'.')) => (d.to_owned(), CellKind::Text),
            _ => (s.replace('T', " "), CellKind::Text),
        },
        DataRef::DurationIso(s) => (s.clone(), CellKind::Text),
        DataRef::Error(e) => (e.to_string(), CellKind::Text),
    }
}

/// A number as Excel shows it with the "0"/"General" formats: the shortest decimal that
/// reads back as the same double, never with an exponent or a trailing `.0` (credit
/// codes, phone numbers, industry codes and counts typed as numbers come back as typed,
/// as far as Excel kept their digits).
pub(crate) fn number_text(f: f64) -> String {
    if f == 0.0 {
        // Also turns -0 into 0.
        "0".to_owned()
    } else {
        // `Display` for f64 prints the shortest round-trip digits and never an exponent.
        f.to_string()
    }
}

fn xlsx_error<E>(e: XlsxError) -> ImportError<E> {
    match e {
        XlsxError::FileNotFound(part) => ImportError::FormatUnknown {
            what: format!(
                "压缩文件（zip）中没有 Excel 工作簿的内容（缺少 {part}），它可能是 Word 文档、其他压缩包或 WPS 专有格式"
            ),
        },
        XlsxError::NotAWorksheet(kind) => {
            ImportError::FormatUnknown { what: format!("第一个工作表不是普通数据表（{kind}）") }
        }
        XlsxError::Password => ImportError::LegacyExcel,
        other => ImportError::Corrupt { detail: other.to_string(), source: Box::new(other) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_typed() {
        assert_eq!(number_text(13912345678.0), "13912345678");
        assert_eq!(number_text(9.1141181701234e17), "911411817012340000");
        assert_eq!(number_text(1e21), "1000000000000000000000");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(111.78), "111.78");
        assert_eq!(number_text(3110.0), "3110");
        assert_eq!(number_text(-2.5), "-2.5");
        assert_eq!(number_text(1e-7), "0.0000001");
    }
}
