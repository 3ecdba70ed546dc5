//! Format-independent part of the import: header detection, column mapping, row
//! validation, duplicate detection and the report.
//!
//! The readers ([`crate::csv_reader`], [`crate::xlsx_reader`]) push [`RawRow`]s in file
//! order; the engine keeps at most the first [`HEADER_SCAN_ROWS`] non-empty rows until
//! the header is found and afterwards holds nothing per row except the credit codes
//! already seen and the errors for the report.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use zhifa_core::credit_code::{CreditCode, char_value};
use zhifa_core::division::Area;
use zhifa_core::enterprise::{EnterpriseData, LedgerField, LedgerRow, validate_row};
use zhifa_core::error::ValidationCode;
use zhifa_core::normalize;

use crate::error::ImportError;
use crate::report::{ImportReport, RowCode, RowError, SourceFormat};

/// The header is searched among this many first non-empty rows.
pub(crate) const HEADER_SCAN_ROWS: usize = 10;

/// A row is a header candidate when at least this many of its cells are column names.
const HEADER_MIN_MATCHES: usize = 3;

/// Field name used for errors concerning the whole row.
const WHOLE_ROW: &str = "整行";

/// How a cell's value was stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum CellKind {
    /// Text (every CSV cell).
    #[default]
    Text,
    /// An XLSX number (converted to text without exponent or `.0`).
    Number,
    /// An XLSX formula (text of the formula when known); the cached value is not used.
    Formula(Option<String>),
}

/// A merged region of an XLSX sheet (0-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Merge {
    pub(crate) top: u32,
    pub(crate) left: u32,
    pub(crate) bottom: u32,
    pub(crate) right: u32,
}

/// One cell as read from the file.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawCell {
    /// The value as text (for a cell covered by a merged region: the region's value).
    pub(crate) text: String,
    pub(crate) kind: CellKind,
    /// The merged region covering the cell.
    pub(crate) merge: Option<Merge>,
}

impl RawCell {
    pub(crate) fn text(text: String) -> Self {
        Self { text, ..Self::default() }
    }
}

/// One physical row of the file.
#[derive(Debug, Clone)]
pub(crate) struct RawRow {
    /// 0-based sheet row (XLSX) or record (CSV) index.
    pub(crate) line: usize,
    /// Cells by 0-based column.
    pub(crate) cells: Vec<RawCell>,
}

impl RawRow {
    fn is_empty(&self) -> bool {
        self.cells.iter().all(|c| c.text.trim().is_empty() && !matches!(c.kind, CellKind::Formula(_)))
    }
}

struct Header {
    /// Column → field.
    columns: Vec<(usize, LedgerField)>,
    /// Number of header cells (CSV width).
    width: usize,
    /// 0-based line of the last header row.
    last_line: usize,
}

enum State {
    Pending(Vec<RawRow>),
    Ready(Header),
}

/// The import state machine. `check_width` is set for CSV, where every record should
/// have as many cells as the header.
pub(crate) struct Engine<'a, E, F> {
    area: &'a Area,
    sink: F,
    check_width: bool,
    state: State,
    report: ImportReport,
    /// Credit code (packed, see [`pack_credit_code`]) → first data row with it.
    seen: HashMap<[u8; 12], u32>,
    _e: std::marker::PhantomData<fn() -> E>,
}

impl<'a, E, F> Engine<'a, E, F>
where
    F: FnMut(usize, EnterpriseData) -> Result<(), E>,
{
    pub(crate) fn new(area: &'a Area, format: SourceFormat, check_width: bool, sink: F) -> Self {
        Self {
            area,
            sink,
            check_width,
            state: State::Pending(Vec::new()),
            report: ImportReport {
                format,
                header_row: 0,
                rows: 0,
                valid: 0,
                invalid_rows: 0,
                invalid: Vec::new(),
                ignored_columns: Vec::new(),
            },
            seen: HashMap::new(),
            _e: std::marker::PhantomData,
        }
    }

    /// Feeds the next row of the file.
    pub(crate) fn push(&mut self, row: RawRow) -> Result<(), ImportError<E>> {
        match &mut self.state {
            State::Ready(_) => self.process(row),
            State::Pending(buf) => {
                if buf.is_empty() && row.is_empty() {
                    // Leading empty rows are not kept.
                    return Ok(());
                }
                buf.push(row);
                self.try_resolve(false)
            }
        }
    }

    /// Ends the file and returns the report.
    pub(crate) fn finish(mut self, empty_sheet: Option<String>) -> Result<ImportReport, ImportError<E>> {
        if let State::Pending(buf) = &self.state {
            if buf.is_empty() {
                return Err(ImportError::Empty { sheet: empty_sheet });
            }
            self.try_resolve(true)?;
        }
        if self.report.rows == 0 {
            return Err(ImportError::NoData { header_row: self.report.header_row });
        }
        Ok(self.report)
    }

    /// Looks for the header in the buffered rows; once found, processes the buffered
    /// data rows.
    fn try_resolve(&mut self, eof: bool) -> Result<(), ImportError<E>> {
        let State::Pending(buf) = &mut self.state else { return Ok(()) };
        let non_empty: Vec<usize> = (0..buf.len()).filter(|&i| !buf[i].is_empty()).take(HEADER_SCAN_ROWS).collect();
        let candidate = non_empty.iter().copied().find(|&i| header_matches(&buf[i]) >= HEADER_MIN_MATCHES);
        let head = match candidate {
            Some(i) => i,
            None if eof || non_empty.len() >= HEADER_SCAN_ROWS => match non_empty.first() {
                Some(&i) => i,
                None => return Err(ImportError::Empty { sheet: None }),
            },
            None => return Ok(()),
        };
        // A header cell merged downwards makes the rows below it part of the header.
        let head_line = buf[head].line;
        let last_line = buf[head]
            .cells
            .iter()
            .filter_map(|c| c.merge)
            .filter(|m| m.top as usize <= head_line)
            .map(|m| m.bottom as usize)
            .fold(head_line, usize::max);
        let last_buffered = buf.last().map_or(0, |r| r.line);
        if !eof && last_buffered <= last_line {
            return Ok(());
        }
        let rows = std::mem::take(buf);
        let (header_rows, rest): (Vec<RawRow>, Vec<RawRow>) =
            rows.into_iter().filter(|r| r.line >= head_line).partition(|r| r.line <= last_line);
        let header = build_header(&header_rows, last_line)?;
        let ignored = ignored_columns(&header_rows, &header);
        self.report.header_row = last_line + 1;
        self.report.ignored_columns = ignored;
        self.state = State::Ready(header);
        for r in rest {
            self.process(r)?;
        }
        Ok(())
    }

    fn process(&mut self, row: RawRow) -> Result<(), ImportError<E>> {
        let State::Ready(header) = &self.state else { return Ok(()) };
        if row.line <= header.last_line {
            return Ok(());
        }
        let n = row.line - header.last_line;
        let mapped = |col: usize| row.cells.get(col);
        let all_empty = header.columns.iter().all(|(c, _)| {
            mapped(*c).is_none_or(|cell| cell.text.trim().is_empty() && !matches!(cell.kind, CellKind::Formula(_)))
        });
        if all_empty {
            return Ok(());
        }
        self.report.rows += 1;
        let mut errs: Vec<RowError> = Vec::new();

        if self.check_width {
            let needed = header.columns.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
            let len = row.cells.len();
            let extra_filled = row.cells.iter().skip(header.width).any(|c| !c.text.trim().is_empty());
            if len < needed || extra_filled {
                let hint = if len > header.width {
                    "可能有值中含分隔符却没有加双引号"
                } else {
                    "该行可能不完整（文件被截断）或缺少分隔符"
                };
                errs.push(RowError::new(
                    n,
                    WHOLE_ROW,
                    RowCode::CellCountMismatch,
                    format!("该行有{len}个单元格，表头有{}列，列对不上：{hint}", header.width),
                ));
                self.report.invalid_rows += 1;
                self.report.invalid.extend(errs);
                return Ok(());
            }
        }

        // Fields whose own problem is already reported: their validation errors are noise.
        let mut blocked: Vec<LedgerField> = Vec::new();

        // A merged region spanning several ledger columns cannot be attributed.
        let mut regions: Vec<(Merge, Vec<LedgerField>)> = Vec::new();
        for (c, f) in &header.columns {
            if let Some(m) = mapped(*c).and_then(|cell| cell.merge).filter(|m| m.left != m.right) {
                match regions.iter_mut().find(|(r, _)| *r == m) {
                    Some((_, fs)) => fs.push(*f),
                    None => regions.push((m, vec![*f])),
                }
            }
        }
        for (m, fs) in regions.into_iter().filter(|(_, fs)| fs.len() > 1) {
            let names: Vec<&str> = fs.iter().map(|f| f.header()).collect();
            errs.push(RowError::new(
                n,
                names.join("、"),
                RowCode::MergedCell,
                format!(
                    "{}列至{}列是一个合并单元格，跨越了“{}”几列，无法确定各列的值，请取消合并后分别填写",
                    column_name(m.left as usize),
                    column_name(m.right as usize),
                    names.join("”“")
                ),
            ));
            blocked.extend(fs);
        }

        let mut ledger = LedgerRow::new();
        let mut numeric: Vec<LedgerField> = Vec::new();
        for (c, f) in &header.columns {
            let Some(cell) = mapped(*c) else { continue };
            if blocked.contains(f) {
                continue;
            }
            match &cell.kind {
                CellKind::Formula(formula) => {
                    let shown = formula.as_deref().map(|s| format!("（={s}）")).unwrap_or_default();
                    errs.push(RowError::new(
                        n,
                        f.header(),
                        ValidationCode::FormulaCell,
                        format!(
                            "“{}”是公式{shown}，不导入公式的计算结果：请把该列复制后“选择性粘贴→数值”再导入",
                            f.header()
                        ),
                    ));
                    blocked.push(*f);
                    continue;
                }
                CellKind::Number => numeric.push(*f),
                CellKind::Text => {
                    if looks_scientific(&cell.text) {
                        numeric.push(*f);
                    }
                }
            }
            if cell.text.contains('\u{FFFD}') {
                errs.push(RowError::new(
                    n,
                    f.header(),
                    ValidationCode::EncodingInvalid,
                    format!(
                        "“{}”含有无法识别的字符（“{}”），该行的文字编码与文件其他部分不一致，请重新录入该单元格",
                        f.header(),
                        cell.text.trim()
                    ),
                ));
                blocked.push(*f);
                continue;
            }
            ledger.insert(*f, cell.text.clone());
        }

        let result = validate_row(&ledger, self.area);
        let code = match &result {
            Ok(d) => Some(d.credit_code.clone()),
            Err(_) if blocked.contains(&LedgerField::CreditCode) => None,
            Err(_) => {
                ledger.get(&LedgerField::CreditCode).and_then(|s| CreditCode::parse(&normalize::credit_code(s)).ok())
            }
        };
        let data = match result {
            Ok(d) => Some(d),
            Err(fes) => {
                let blocked_names: Vec<&str> = blocked.iter().map(|f| f.header()).collect();
                for fe in fes.into_iter().filter(|fe| !blocked_names.contains(&fe.field.as_str())) {
                    let mut e = RowError::from_field(n, fe);
                    if let Some(f) = numeric.iter().find(|f| f.header() == e.field) {
                        e.message.push_str(numeric_hint(*f));
                    }
                    errs.push(e);
                }
                None
            }
        };
        if let Some(code) = code
            && let Some(key) = pack_credit_code(code.as_str())
        {
            match self.seen.entry(key) {
                Entry::Occupied(first) => errs.push(RowError::new(
                    n,
                    LedgerField::CreditCode.header(),
                    ValidationCode::DuplicateInFile,
                    format!(
                        "统一社会信用代码“{code}”与第{0}行重复：同一企业只保留文件中第一次出现的行（第{0}行），本行未导入",
                        first.get()
                    ),
                )),
                Entry::Vacant(v) => {
                    v.insert(u32::try_from(n).unwrap_or(u32::MAX));
                }
            }
        }
        match data {
            Some(d) if errs.is_empty() => {
                (self.sink)(n, d).map_err(|source| ImportError::Sink { row: n, source })?;
                self.report.valid += 1;
            }
            _ => {
                self.report.invalid_rows += 1;
                self.report.invalid.extend(errs);
            }
        }
        Ok(())
    }
}

/// Packs a validated credit code losslessly into 12 bytes (18 base-31 digits need 90
/// bits), so the duplicate set costs 16 bytes per row instead of 24 or more.
fn pack_credit_code(code: &str) -> Option<[u8; 12]> {
    if code.len() != 18 {
        return None;
    }
    let mut v: u128 = 0;
    for b in code.bytes() {
        v = v * 31 + u128::from(char_value(b)?);
    }
    let bytes = v.to_le_bytes();
    let mut key = [0u8; 12];
    key.copy_from_slice(&bytes[..12]);
    (bytes[12..].iter().all(|b| *b == 0)).then_some(key)
}

fn header_matches(row: &RawRow) -> usize {
    row.cells.iter().filter(|c| LedgerField::from_header(&c.text).is_some()).count()
}

/// The text a header row contributes to column `col`: merged header cells count only in
/// their left-most column (a title spanning several columns names none of them).
fn header_text(row: &RawRow, col: usize) -> &str {
    match row.cells.get(col) {
        Some(c) if c.merge.is_none_or(|m| m.left as usize == col) => c.text.trim(),
        _ => "",
    }
}

/// Maps columns to fields. With a multi-row header (cells merged downwards), the lowest
/// row naming a known column wins, so "经纬度" over "经度 | 纬度" maps the sub-columns.
fn build_header<E>(rows: &[RawRow], last_line: usize) -> Result<Header, ImportError<E>> {
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let mut columns: Vec<(usize, LedgerField)> = Vec::new();
    let mut texts: Vec<(usize, String)> = Vec::new();
    for col in 0..width {
        let found = rows.iter().rev().find_map(|r| {
            let t = header_text(r, col);
            LedgerField::from_header(t).map(|f| (f, t.to_owned()))
        });
        if let Some((f, t)) = found {
            if let Some((first_col, _)) = columns.iter().find(|(_, g)| *g == f) {
                let first = texts.iter().find(|(c, _)| c == first_col).map(|(_, t)| t.clone()).unwrap_or_default();
                return Err(ImportError::DuplicateColumn {
                    field: f,
                    first_column: *first_col,
                    first,
                    second_column: col,
                    second: t,
                });
            }
            columns.push((col, f));
            texts.push((col, t));
        }
    }
    let missing: Vec<LedgerField> =
        LedgerField::REQUIRED_COLUMNS.into_iter().filter(|f| !columns.iter().any(|(_, g)| g == f)).collect();
    if !missing.is_empty() {
        let header = Header { columns, width, last_line };
        return Err(ImportError::MissingColumns { missing, unrecognised: ignored_columns(rows, &header) });
    }
    Ok(Header { columns, width, last_line })
}

/// Non-empty header texts of the columns that are not ledger columns.
fn ignored_columns(rows: &[RawRow], header: &Header) -> Vec<String> {
    (0..header.width)
        .filter(|col| !header.columns.iter().any(|(c, _)| c == col))
        .filter_map(|col| rows.iter().rev().map(|r| header_text(r, col)).find(|t| !t.is_empty()).map(str::to_owned))
        .collect()
}

/// `9.11411E+17`: a number Excel wrote in scientific notation (digits are lost).
fn looks_scientific(s: &str) -> bool {
    let s = s.trim();
    let Some((mant, exp)) = s.split_once(['E', 'e']) else { return false };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mant.is_empty()
        && mant.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mant.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

fn numeric_hint(f: LedgerField) -> &'static str {
    match f {
        LedgerField::CreditCode => {
            "（该单元格是数字格式：Excel 的数字只保留15位有效数字，超过的位数已丢失。请把该列设为“文本”格式后重新录入）"
        }
        LedgerField::Phone => "（该单元格是数字格式，固定电话开头的0会被去掉。请把该列设为“文本”格式后重新录入）",
        _ => "（该单元格是数字格式，请把该列设为“文本”格式后重新录入）",
    }
}

/// Excel column letters of a 0-based column (0 → A, 26 → AA).
pub(crate) fn column_name(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn packed_credit_codes_fit_and_differ() {
        // The largest value of the alphabet fits into 12 bytes.
        assert!(pack_credit_code("YYYYYYYYYYYYYYYYYY").is_some());
        assert_eq!(pack_credit_code("000000000000000000"), Some([0; 12]));
        let codes = ["91350100M000100Y43", "91350100M000100Y44", "A1350100M000100Y43", "91350100M000100Y34"];
        let keys: std::collections::HashSet<_> = codes.iter().map(|c| pack_credit_code(c).unwrap()).collect();
        assert_eq!(keys.len(), codes.len());
        assert_eq!(pack_credit_code("9135010IM000100Y43"), None, "I is not in the alphabet");
    }

    #[test]
    fn scientific() {
        assert!(looks_scientific("9.11411E+17"));
        assert!(looks_scientific("1.39123e10"));
        assert!(!looks_scientific("91350100M000100Y43"));
        assert!(!looks_scientific("E+17"));
        assert!(!looks_scientific("3110"));
    }
}
