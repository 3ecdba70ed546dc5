//! XLSX import with real workbooks written by rust_xlsxwriter: numbers, dates, formulas,
//! merged cells, title rows, multi-row headers, empty sheets.

mod common;

use common::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use zhifa_import::{ImportError, RowCode, SourceFormat};

/// Writes the header into `row` and returns nothing.
fn write_header(ws: &mut Worksheet, r: u32, header: &[&str]) {
    for (c, h) in header.iter().enumerate() {
        ws.write_string(r, c as u16, *h).unwrap();
    }
}

fn write_row(ws: &mut Worksheet, r: u32, cells: &[String]) {
    for (c, v) in cells.iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(r, c as u16, v).unwrap();
        }
    }
}

fn save(wb: &mut Workbook) -> Fixture {
    let bytes = wb.save_to_buffer().unwrap();
    file("台账.xlsx", &bytes)
}

fn workbook(rows: &[Vec<String>]) -> Workbook {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_header(ws, 0, &HEADER);
    for (i, r) in rows.iter().enumerate() {
        write_row(ws, i as u32 + 1, r);
    }
    wb
}

#[test]
fn strings_only() {
    let o = import(&save(&mut workbook(&[row(1), row(2)]))).unwrap();
    assert_eq!(o.report.format, SourceFormat::Xlsx { sheet: "Sheet1".to_owned() });
    assert_eq!((o.report.rows, o.report.valid), (2, 2), "{:?}", o.report.invalid);
    assert_eq!(o.report.header_row, 1);
    assert_eq!(o.saved[1].1.credit_code.as_str(), credit_code(2));
}

#[test]
fn numbers_dates_and_coordinates() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let mut header = HEADER.to_vec();
    header.extend(["许可证有效期", "经度", "纬度"]);
    write_header(ws, 0, &header);
    let code = numeric_credit_code();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for r in 1..=2u32 {
        let mut cells = row(r);
        cells[0].clear();
        cells[col("联系电话")].clear();
        cells[col("国民经济行业分类代码")].clear();
        cells[col("从业人员数")].clear();
        write_row(ws, r, &cells);
        // Credit code, phone, industry code and head count typed as numbers.
        if r == 1 {
            ws.write_number(r, 0, code.parse::<f64>().unwrap()).unwrap();
        } else {
            ws.write_string(r, 0, credit_code(r)).unwrap();
        }
        ws.write_number(r, col("联系电话") as u16, 13912345678.0).unwrap();
        ws.write_number(r, col("国民经济行业分类代码") as u16, 3110).unwrap();
        ws.write_number(r, col("从业人员数") as u16, 250).unwrap();
        ws.write_datetime_with_format(r, 12, ExcelDateTime::from_ymd(2027, 3, 31).unwrap(), &date).unwrap();
        ws.write_number(r, 13, 111.78).unwrap();
        ws.write_number(r, 14, 37.14).unwrap();
    }
    let o = import(&save(&mut wb)).unwrap();
    assert_eq!(o.report.valid, 2, "{:?}", o.report.invalid);
    let d = &o.saved[0].1;
    assert_eq!(d.credit_code.as_str(), code);
    assert_eq!(d.phone, "13912345678");
    assert_eq!(d.industry_code.as_str(), "C3110");
    assert_eq!(d.employees, Some(250));
    assert_eq!(d.licence_expiry.unwrap().to_string(), "2027-03-31");
    let loc = d.location.unwrap();
    assert_eq!((loc.lng, loc.lat), (111.78, 37.14));
}

#[test]
fn numeric_cells_that_lost_digits_get_a_hint() {
    let mut wb = workbook(&[row(1)]);
    let ws = wb.worksheet_from_index(0).unwrap();
    // What Excel keeps of an 18-digit code typed as a number: 15 significant digits.
    ws.write_number(1, 0, 911411817012345000.0).unwrap();
    // A landline typed as a number loses its leading zero.
    ws.write_number(1, col("联系电话") as u16, 3587621234.0).unwrap();
    let o = import(&save(&mut wb)).unwrap();
    assert_eq!(o.report.valid, 0);
    let cc = o.report.invalid.iter().find(|e| e.field == "统一社会信用代码").unwrap();
    // 18 characters (no exponent, no ".0"), only the check character is off.
    assert_eq!(cc.code.to_string(), "CREDIT_CODE_CHECKSUM", "{}", cc.message);
    assert!(cc.message.contains("15位有效数字"), "{}", cc.message);
    let ph = o.report.invalid.iter().find(|e| e.field == "联系电话").unwrap();
    assert!(ph.message.contains("3587621234") && ph.message.contains("开头的0"), "{}", ph.message);
}

#[test]
fn full_width_and_lower_case_in_cells() {
    let mut r = row(1);
    r[0] = credit_code(1).to_lowercase();
    r[col("联系电话")] = "１３９１２３４５６７８".to_owned();
    let o = import(&save(&mut workbook(&[r]))).unwrap();
    assert_eq!(o.report.valid, 1, "{:?}", o.report.invalid);
    assert_eq!(o.saved[0].1.credit_code.as_str(), credit_code(1));
    assert_eq!(o.saved[0].1.phone, "13912345678");
}

#[test]
fn formula_cells_are_reported() {
    let mut wb = workbook(&[row(1), row(2), row(3)]);
    let ws = wb.worksheet_from_index(0).unwrap();
    // Row 2's county is a formula (with a cached value, as Excel saves it).
    ws.write_formula(2, col("所属区县") as u16, Formula::new("=C2").set_result("孝义市")).unwrap();
    // A formula in an ignored column is harmless.
    ws.write_string(0, 20, "序号").unwrap();
    for r in 1..=3 {
        ws.write_formula(r, 20, Formula::new("=ROW()-1").set_result((r).to_string())).unwrap();
    }
    let o = import(&save(&mut wb)).unwrap();
    assert_eq!(o.report.valid, 2);
    assert_eq!(codes(&o.report), vec![(2, "FORMULA_CELL".to_owned())]);
    let e = &o.report.invalid[0];
    assert_eq!(e.field, "所属区县");
    assert!(e.message.contains("=C2") && e.message.contains("选择性粘贴"), "{}", e.message);
    assert_eq!(o.report.ignored_columns, vec!["序号".to_owned()]);
}

#[test]
fn title_row_and_vertically_merged_county_are_filled_down() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let fmt = Format::new();
    ws.merge_range(0, 0, 0, HEADER.len() as u16 - 1, "吕梁市工贸企业台账", &fmt).unwrap();
    write_header(ws, 1, &HEADER);
    for i in 1..=4u32 {
        let mut cells = row(i);
        if (2..=4).contains(&i) {
            cells[col("所属区县")].clear();
        }
        write_row(ws, i + 1, &cells);
    }
    // 所属区县 merged over data rows 2–4 (sheet rows 4–6), value "汾阳市".
    let c = col("所属区县") as u16;
    ws.merge_range(3, c, 5, c, "汾阳市", &fmt).unwrap();
    let o = import(&save(&mut wb)).unwrap();
    assert_eq!(o.report.header_row, 2);
    assert_eq!(o.report.valid, 4, "{:?}", o.report.invalid);
    let counties: Vec<&str> = o.saved.iter().map(|(_, d)| d.county_code.as_str()).collect();
    assert_eq!(counties, vec!["141181", "141182", "141182", "141182"]);
    assert_eq!(o.saved.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
}

#[test]
fn merged_cell_across_ledger_columns_is_reported() {
    let mut wb = workbook(&[row(1), row(2), row(3)]);
    let ws = wb.worksheet_from_index(0).unwrap();
    let a = col("法定代表人") as u16;
    ws.merge_range(2, a, 2, a + 1, "王五", &Format::new()).unwrap();
    let o = import(&save(&mut wb)).unwrap();
    assert_eq!(o.report.valid, 2);
    assert_eq!(codes(&o.report), vec![(2, "MERGED_CELL".to_owned())]);
    let e = &o.report.invalid[0];
    assert_eq!(e.code, RowCode::MergedCell);
    assert_eq!(e.field, "法定代表人、主要负责人");
    assert!(e.message.contains("F列至G列"), "{}", e.message);
}

#[test]
fn two_row_header_with_merged_group() {
    // 经纬度 spans two columns with 经度 | 纬度 below; the other headers are merged down.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let fmt = Format::new();
    for (c, h) in HEADER.iter().enumerate() {
        ws.merge_range(0, c as u16, 1, c as u16, h, &fmt).unwrap();
    }
    let g = HEADER.len() as u16;
    ws.merge_range(0, g, 0, g + 1, "经纬度", &fmt).unwrap();
    ws.write_string(1, g, "经度").unwrap();
    ws.write_string(1, g + 1, "纬度").unwrap();
    for i in 1..=2u32 {
        write_row(ws, i + 1, &row(i));
        ws.write_number(i + 1, g, 111.1).unwrap();
        ws.write_number(i + 1, g + 1, 37.5).unwrap();
    }
    let o = import(&save(&mut wb)).unwrap();
    assert_eq!(o.report.header_row, 2);
    assert_eq!(o.report.valid, 2, "{:?}", o.report.invalid);
    assert_eq!(o.saved[0].0, 1);
    assert_eq!(o.saved[0].1.location.unwrap().lng, 111.1);
}

#[test]
fn only_the_first_sheet_is_read() {
    let mut wb = workbook(&[row(1)]);
    let ws = wb.add_worksheet();
    write_header(ws, 0, &HEADER);
    write_row(ws, 1, &row(2));
    write_row(ws, 2, &row(3));
    let o = import(&save(&mut wb)).unwrap();
    assert_eq!(o.report.valid, 1);
}

#[test]
fn duplicates_and_row_numbers_with_gaps() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_header(ws, 0, &HEADER);
    write_row(ws, 1, &row(1));
    // Sheet rows 3–4 are empty.
    write_row(ws, 4, &row(2));
    write_row(ws, 5, &row(1));
    let o = import(&save(&mut wb)).unwrap();
    assert_eq!(o.saved.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 4]);
    assert_eq!(codes(&o.report), vec![(5, "DUPLICATE_IN_FILE".to_owned())]);
    assert!(o.report.invalid[0].message.contains("第1行"));
}

#[test]
fn empty_sheet_and_header_without_rows() {
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("企业台账").unwrap();
    let e = import_err(&save(&mut wb));
    assert_eq!(e.code(), "EMPTY");
    assert!(matches!(&e, ImportError::Empty { sheet: Some(s) } if s == "企业台账"), "{e:?}");
    assert!(e.to_string().contains("工作表为空"), "{e}");

    let e = import_err(&save(&mut workbook(&[])));
    assert!(matches!(e, ImportError::NoData { header_row: 1 }), "{e:?}");
    assert!(e.to_string().contains("工作表为空"), "{e}");
}

#[test]
fn missing_columns_in_a_workbook() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_header(ws, 0, &["统一社会信用代码", "企业名称", "地址", "备注"]);
    write_row(ws, 1, &row(1)[..4]);
    let e = import_err(&save(&mut wb));
    assert_eq!(e.code(), "MISSING_COLUMNS");
    let msg = e.to_string();
    assert!(msg.contains("所属区县") && msg.contains("经营状态") && !msg.contains("企业名称"), "{msg}");
    match e {
        ImportError::MissingColumns { unrecognised, .. } => assert_eq!(unrecognised, vec!["备注".to_owned()]),
        other => panic!("{other:?}"),
    }
}
