//! CSV import: encodings, delimiters, quoting, ragged and truncated rows, duplicates,
//! row numbering and the report's JSON shape.

mod common;

use common::*;
use encoding_rs::{GB18030, UTF_16LE};
use zhifa_core::division::Area;
use zhifa_core::enterprise::LedgerField;
use zhifa_import::{ImportError, RowCode, SourceFormat, import_ledger};

fn rows(n: u32) -> Vec<Vec<String>> {
    (1..=n).map(row).collect()
}

#[test]
fn utf8_without_bom() {
    let fx = file("台账.csv", csv_text(&HEADER, &rows(3), ',').as_bytes());
    let o = import(&fx).unwrap();
    assert_eq!(o.report.format, SourceFormat::Csv { encoding: "UTF-8", bom: false, delimiter: ',' });
    assert_eq!((o.report.rows, o.report.valid, o.report.invalid_rows), (3, 3, 0));
    assert!(o.report.invalid.is_empty());
    assert_eq!(o.report.header_row, 1);
    assert_eq!(o.saved.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 2, 3]);
    let d = &o.saved[1].1;
    assert_eq!(d.credit_code.as_str(), credit_code(2));
    assert_eq!(d.name, "吕梁测试2号有限公司");
    assert_eq!(d.county_code, "141181");
    assert_eq!(d.phone, "13912345678");
    assert_eq!(d.industry_code.as_str(), "C3110");
    assert_eq!(d.employees, Some(120));
}

#[test]
fn utf8_with_bom() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(csv_text(&HEADER, &rows(2), ',').as_bytes());
    let o = import(&file("台账.csv", &bytes)).unwrap();
    assert_eq!(o.report.format, SourceFormat::Csv { encoding: "UTF-8", bom: true, delimiter: ',' });
    assert_eq!(o.report.valid, 2);
    assert!(
        o.report.ignored_columns.is_empty(),
        "BOM must not stick to the first header: {:?}",
        o.report.ignored_columns
    );
}

#[test]
fn gb18030_as_excel_on_chinese_windows_writes_it() {
    let text = csv_text(&HEADER, &rows(3), ',');
    let (bytes, _, unmappable) = GB18030.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "fixture must not be valid UTF-8");
    let o = import(&file("台账.csv", &bytes)).unwrap();
    assert_eq!(o.report.format, SourceFormat::Csv { encoding: "GB18030", bom: false, delimiter: ',' });
    assert_eq!(o.report.valid, 3, "{:?}", o.report.invalid);
    assert_eq!(o.saved[0].1.name, "吕梁测试1号有限公司");
    assert_eq!(o.saved[0].1.legal_rep, "张三");
}

#[test]
fn utf16le_tab_separated_unicode_text() {
    let text = csv_text(&HEADER, &rows(2), '\t');
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let o = import(&file("台账.txt", &bytes)).unwrap();
    assert_eq!(o.report.format, SourceFormat::Csv { encoding: "UTF-16LE", bom: true, delimiter: '\t' });
    assert_eq!(o.report.valid, 2, "{:?}", o.report.invalid);
    // encoding_rs agrees that the fixture is UTF-16LE.
    let (decoded, _) = UTF_16LE.decode_with_bom_removal(&bytes[2..]);
    assert!(decoded.starts_with("统一社会信用代码"));
}

#[test]
fn semicolon_delimiter_is_detected() {
    let o = import(&file("台账.csv", csv_text(&HEADER, &rows(2), ';').as_bytes())).unwrap();
    assert_eq!(o.report.format, SourceFormat::Csv { encoding: "UTF-8", bom: false, delimiter: ';' });
    assert_eq!(o.report.valid, 2);
}

#[test]
fn full_width_digits_and_lower_case_codes_are_normalised() {
    let mut r = row(1);
    let code = credit_code(1);
    // Full-width characters, lower case, spaces around.
    r[0] = format!(
        " {} ",
        code.chars()
            .map(|c| if c.is_ascii_digit() {
                char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap()
            } else {
                c.to_ascii_lowercase()
            })
            .collect::<String>()
    );
    r[col("联系电话")] = "１３９ １２３４ ５６７８".to_owned();
    r[col("国民经济行业分类代码")] = "Ｃ３１１０".to_owned();
    let mut r2 = row(2);
    r2[0] = credit_code(2).to_lowercase();
    let o = import(&file("台账.csv", csv_text(&HEADER, &[r, r2], ',').as_bytes())).unwrap();
    assert_eq!(o.report.valid, 2, "{:?}", o.report.invalid);
    assert_eq!(o.saved[0].1.credit_code.as_str(), code);
    assert_eq!(o.saved[0].1.phone, "13912345678");
    assert_eq!(o.saved[0].1.industry_code.as_str(), "C3110");
    assert_eq!(o.saved[1].1.credit_code.as_str(), credit_code(2));
}

#[test]
fn duplicates_in_file_keep_the_first() {
    let mut dup = row(1);
    dup[1] = "重复的企业".to_owned();
    let mut dup_lower = row(2);
    dup_lower[0] = credit_code(2).to_lowercase();
    let data = vec![row(1), row(2), dup, row(3), dup_lower];
    let o = import(&file("台账.csv", csv_text(&HEADER, &data, ',').as_bytes())).unwrap();
    assert_eq!((o.report.rows, o.report.valid, o.report.invalid_rows), (5, 3, 2));
    assert_eq!(o.saved.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 2, 4]);
    assert_eq!(o.saved[0].1.name, "吕梁测试1号有限公司");
    assert_eq!(codes(&o.report), vec![(3, "DUPLICATE_IN_FILE".to_owned()), (5, "DUPLICATE_IN_FILE".to_owned())]);
    assert_eq!(o.report.invalid[0].field, "统一社会信用代码");
    assert!(o.report.invalid[0].message.contains("第1行"), "{}", o.report.invalid[0].message);
    assert!(o.report.invalid[1].message.contains("第2行"), "{}", o.report.invalid[1].message);
}

#[test]
fn duplicate_of_an_invalid_row_is_still_a_duplicate() {
    let mut first = row(1);
    first[col("联系电话")] = "12345".to_owned();
    let data = vec![first, row(1)];
    let o = import(&file("台账.csv", csv_text(&HEADER, &data, ',').as_bytes())).unwrap();
    assert_eq!(o.report.valid, 0);
    assert_eq!(codes(&o.report), vec![(1, "PHONE_INVALID".to_owned()), (2, "DUPLICATE_IN_FILE".to_owned())]);
}

#[test]
fn missing_required_column_is_fatal_and_names_it() {
    let header: Vec<&str> = HEADER.iter().copied().filter(|h| *h != "监管行业" && *h != "联系电话").collect();
    let data: Vec<Vec<String>> = vec![row(1)];
    let e = import_err(&file("台账.csv", csv_text(&header, &data, ',').as_bytes()));
    assert_eq!(e.code(), "MISSING_COLUMNS");
    match &e {
        ImportError::MissingColumns { missing, .. } => {
            assert_eq!(missing, &vec![LedgerField::Phone, LedgerField::SupervisionCategory]);
        }
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(msg.contains("联系电话") && msg.contains("监管行业"), "{msg}");
}

#[test]
fn duplicate_header_column_is_fatal() {
    let mut header = HEADER.to_vec();
    header.push("信用代码");
    let e = import_err(&file("台账.csv", csv_text(&header, &rows(1), ',').as_bytes()));
    assert_eq!(e.code(), "DUPLICATE_COLUMN");
    let msg = e.to_string();
    assert!(msg.contains("统一社会信用代码") && msg.contains("信用代码") && msg.contains("第13列"), "{msg}");
}

#[test]
fn aliases_unknown_columns_and_title_rows() {
    // A title line, a blank line, then a header with aliases and extra columns.
    let mut header: Vec<&str> = vec!["序号"];
    header.extend(HEADER.iter().map(|h| match *h {
        "企业名称" => "单位名称",
        "联系电话" => "联系电话（手机）",
        h => h,
    }));
    header.push("备注");
    let data: Vec<Vec<String>> = (1..=3)
        .map(|i| {
            let mut r = vec![i.to_string()];
            r.extend(row(i));
            r.push("无".to_owned());
            r
        })
        .chain((4..=6).map(|i| {
            // Pre-numbered empty template rows.
            let mut r = vec![i.to_string()];
            r.extend(std::iter::repeat_n(String::new(), HEADER.len() + 1));
            r
        }))
        .collect();
    let text = format!("吕梁市工贸企业台账（2026年）,,,,\r\n,,,\r\n{}", csv_text(&header, &data, ','));
    let o = import(&file("台账.csv", text.as_bytes())).unwrap();
    assert_eq!(o.report.header_row, 3);
    assert_eq!(o.report.ignored_columns, vec!["序号".to_owned(), "备注".to_owned()]);
    assert_eq!((o.report.rows, o.report.valid), (3, 3));
    assert_eq!(o.saved.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 2, 3]);
}

#[test]
fn row_numbers_are_one_based_data_rows() {
    let mut data = rows(6);
    data[1][col("联系电话")] = "12345".to_owned(); // row 2
    data[4][col("所属区县")] = "太原市".to_owned(); // row 5
    data[4][col("经营状态")] = "不知道".to_owned(); // row 5
    // Row 4 has a quoted address with a delimiter and a line break: still one row.
    data[3][col("生产经营地址")] = "孝义市梧桐镇,工业园区\n2号楼".to_owned();
    let o = import(&file("台账.csv", csv_text(&HEADER, &data, ',').as_bytes())).unwrap();
    assert_eq!(o.report.valid, 4);
    assert_eq!(
        codes(&o.report),
        vec![
            (2, "PHONE_INVALID".to_owned()),
            (5, "DIVISION_OUTSIDE_AREA".to_owned()),
            (5, "OPERATING_STATUS_INVALID".to_owned())
        ]
    );
    assert_eq!(o.report.invalid_rows, 2);
    assert_eq!(o.saved[2].0, 4);
    assert_eq!(o.saved[2].1.address, "孝义市梧桐镇,工业园区 2号楼");
}

#[test]
fn row_error_json_shape() {
    let mut data = rows(1);
    data[0][col("联系电话")] = "12345".to_owned();
    let o = import(&file("台账.csv", csv_text(&HEADER, &data, ',').as_bytes())).unwrap();
    let v = serde_json::to_value(&o.report.invalid[0]).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.keys().map(String::as_str).collect::<Vec<_>>(), vec!["code", "field", "message", "row"]);
    assert_eq!(v["row"], 1);
    assert_eq!(v["field"], "联系电话");
    assert_eq!(v["code"], "PHONE_INVALID");
    assert!(v["message"].as_str().unwrap().contains("12345"));
    let full = serde_json::to_value(&o.report).unwrap();
    assert_eq!(full["format"]["kind"], "csv");
    assert_eq!(full["ignored_columns"], serde_json::json!([]));
}

#[test]
fn truncated_last_line_keeps_complete_rows() {
    let text = csv_text(&HEADER, &rows(4), ',');
    let cut = text.trim_end().rfind(',').unwrap() - 20;
    let o = import(&file("台账.csv", &text.as_bytes()[..cut])).unwrap();
    assert_eq!(o.report.valid, 3);
    assert_eq!(codes(&o.report), vec![(4, "CELL_COUNT_MISMATCH".to_owned())]);
    assert!(o.report.invalid[0].message.contains("截断"), "{}", o.report.invalid[0].message);
}

#[test]
fn truncated_inside_a_multibyte_character() {
    // Status as last column; cut the last byte of the final "正常生产": a broken UTF-8
    // sequence at the end of the file.
    let data: Vec<Vec<String>> = rows(2).into_iter().map(|r| r[..11].to_vec()).collect();
    let text = csv_text(&HEADER[..11], &data, ',');
    let bytes = text.trim_end().as_bytes();
    let o = import(&file("台账.csv", &bytes[..bytes.len() - 1])).unwrap();
    assert_eq!(o.report.valid, 1);
    assert_eq!(codes(&o.report), vec![(2, "ENCODING_INVALID".to_owned())]);
    assert_eq!(o.report.invalid[0].field, "经营状态");
}

#[test]
fn too_many_and_too_few_cells() {
    let text = csv_text(&HEADER, &rows(3), ',');
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Row 1: unquoted comma in the address.
    lines[1] = lines[1].replace("工业园区1号", "工业园区,1号");
    // Row 2: trailing empty cells are harmless.
    lines[2].push_str(",,");
    // Row 3: last two cells missing.
    let cut: Vec<&str> = lines[3].split(',').collect();
    lines[3] = cut[..cut.len() - 2].join(",");
    let o = import(&file("台账.csv", lines.join("\n").as_bytes())).unwrap();
    assert_eq!(o.report.valid, 1);
    assert_eq!(codes(&o.report), vec![(1, "CELL_COUNT_MISMATCH".to_owned()), (3, "CELL_COUNT_MISMATCH".to_owned())]);
    assert!(o.report.invalid[0].message.contains("13个单元格"), "{}", o.report.invalid[0].message);
    assert!(o.report.invalid[0].message.contains("12列"));
    assert_eq!(o.report.invalid[0].code, RowCode::CellCountMismatch);
}

#[test]
fn missing_cell_of_a_mapped_column_is_reported() {
    // Rows without the optional last column (从业人员数) but with every mapped required cell.
    let text = csv_text(&HEADER, &rows(2), ',');
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { l.to_owned() } else { l.rsplit_once(',').unwrap().0.to_owned() })
        .collect();
    let o = import(&file("台账.csv", lines.join("\n").as_bytes())).unwrap();
    // The cell of a mapped column is missing: the row is reported, not silently shifted.
    assert_eq!(codes(&o.report), vec![(1, "CELL_COUNT_MISMATCH".to_owned()), (2, "CELL_COUNT_MISMATCH".to_owned())]);
}

#[test]
fn invalid_encoding_row_in_a_utf8_file() {
    let data = rows(20);
    let text = csv_text(&HEADER, &data, ',');
    let bad_name = "吕梁测试5号有限公司";
    let (gbk, _, _) = GB18030.encode(bad_name);
    let mut bytes = Vec::new();
    let pos = text.find(bad_name).unwrap();
    bytes.extend_from_slice(&text.as_bytes()[..pos]);
    bytes.extend_from_slice(&gbk);
    bytes.extend_from_slice(&text.as_bytes()[pos + bad_name.len()..]);
    let o = import(&file("台账.csv", &bytes)).unwrap();
    assert_eq!(o.report.format, SourceFormat::Csv { encoding: "UTF-8", bom: false, delimiter: ',' });
    assert_eq!(o.report.valid, 19);
    assert_eq!(codes(&o.report), vec![(5, "ENCODING_INVALID".to_owned())]);
    assert_eq!(o.report.invalid[0].field, "企业名称");
}

#[test]
fn invalid_encoding_row_beyond_the_sniffed_part() {
    // Big enough that the broken row is read by the streaming decoder, not the sniffer.
    let data = rows(1500);
    let text = csv_text(&HEADER, &data, ',');
    assert!(text.len() > 200 * 1024);
    let bad_name = "吕梁测试1400号有限公司";
    let (gbk, _, _) = GB18030.encode(bad_name);
    let pos = text.find(bad_name).unwrap();
    let mut bytes = text.as_bytes()[..pos].to_vec();
    bytes.extend_from_slice(&gbk);
    bytes.extend_from_slice(&text.as_bytes()[pos + bad_name.len()..]);
    let o = import(&file("台账.csv", &bytes)).unwrap();
    assert_eq!(o.report.valid, 1499);
    assert_eq!(codes(&o.report), vec![(1400, "ENCODING_INVALID".to_owned())]);
}

#[test]
fn unknown_encoding_is_fatal() {
    // Bytes that are neither UTF-8 nor GB18030 (0xFF is never valid in either).
    let mut bytes = Vec::new();
    for i in 0..400u32 {
        bytes.extend_from_slice(&[0xFF, 0x80 + (i % 64) as u8, b',', 0xFE, 0xFF, b'\n']);
    }
    let e = import_err(&file("台账.csv", &bytes));
    assert_eq!(e.code(), "ENCODING_UNKNOWN");
    assert!(e.to_string().contains("文件编码无法识别"));
}

#[test]
fn empty_files() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b" \r\n\r\n", b",,,\r\n,,\r\n"] {
        let e = import_err(&file("台账.csv", bytes));
        assert_eq!(e.code(), "EMPTY", "{bytes:?}: {e}");
    }
    let e = import_err(&file("台账.csv", csv_text(&HEADER, &[], ',').as_bytes()));
    assert!(matches!(e, ImportError::NoData { header_row: 1 }), "{e:?}");
    assert_eq!(e.code(), "EMPTY");
    assert!(e.to_string().contains("工作表为空"));
}

#[test]
fn unclosed_quote_stops_with_a_clear_error() {
    let mut data = rows(3);
    data[1][col("生产经营地址")] = "\"孝义市".to_owned();
    let mut text = csv_text(&HEADER, &data, ',');
    // Break the quoting of row 2: the quote opens a field that never closes.
    text = text.replace("\"\"\"孝义市\"", "\"孝义市");
    for i in 0..12_000 {
        text.push_str(&csv_text(&[], &[row(10 + i)], ',')[2..]);
    }
    assert!(text.len() > 1024 * 1024);
    let e = import_err(&file("台账.csv", text.as_bytes()));
    assert_eq!(e.code(), "TOO_LARGE");
    assert!(matches!(e, ImportError::TooLarge { row: 3, .. }), "{e:?}");
    assert!(e.to_string().contains("双引号"));
}

#[test]
fn scientific_notation_hint() {
    let mut data = rows(1);
    data[0][0] = "9.11411E+17".to_owned();
    let o = import(&file("台账.csv", csv_text(&HEADER, &data, ',').as_bytes())).unwrap();
    assert_eq!(o.report.invalid[0].field, "统一社会信用代码");
    assert!(o.report.invalid[0].message.contains("15位有效数字"), "{}", o.report.invalid[0].message);
}

#[test]
fn missing_file_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let area = Area::luliang();
    let e = import_ledger(&dir.path().join("没有.csv"), &area, |_, _| Ok::<(), std::io::Error>(())).unwrap_err();
    assert_eq!(e.code(), "FILE_UNREADABLE");
    assert!(e.to_string().contains("文件不存在"), "{e}");
    assert!(std::error::Error::source(&e).is_some());
    let e = import_ledger(dir.path(), &area, |_, _| Ok::<(), std::io::Error>(())).unwrap_err();
    assert_eq!(e.code(), "FILE_UNREADABLE");
}

#[derive(Debug, thiserror::Error)]
#[error("数据库已满")]
struct DbFull;

#[test]
fn sink_error_aborts_at_that_row() {
    let fx = file("台账.csv", csv_text(&HEADER, &rows(5), ',').as_bytes());
    let area = Area::luliang();
    let mut calls = Vec::new();
    let e = import_ledger(&fx.path, &area, |n, _| {
        calls.push(n);
        if n == 3 { Err(DbFull) } else { Ok(()) }
    })
    .unwrap_err();
    assert_eq!(calls, vec![1, 2, 3]);
    assert_eq!(e.code(), "SINK");
    assert!(matches!(e, ImportError::Sink { row: 3, .. }));
    assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "数据库已满");
}

#[test]
fn check_ledger_validates_without_a_sink() {
    let mut data = rows(3);
    data[2][col("监管行业")] = "其它行业".to_owned();
    let fx = file("台账.csv", csv_text(&HEADER, &data, ',').as_bytes());
    let r = zhifa_import::check_ledger(&fx.path, &Area::luliang()).unwrap();
    assert_eq!((r.valid, r.invalid_rows), (2, 1));
    assert_eq!(r.invalid[0].code, zhifa_core::error::ValidationCode::SupervisionCategoryInvalid);
}

#[test]
fn errors_can_cross_threads_and_be_boxed() {
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<ImportError>();
    assert_error::<ImportError<std::io::Error>>();
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(ImportError::<std::io::Error>::EncodingUnknown);
    assert!(boxed.to_string().contains("编码"));
}

#[test]
fn large_gb18030_file_streams_across_buffer_boundaries() {
    let text = csv_text(&HEADER, &rows(4000), ',');
    let (bytes, _, _) = GB18030.encode(&text);
    assert!(bytes.len() > 4 * 64 * 1024);
    let o = import(&file("台账.csv", &bytes)).unwrap();
    assert_eq!(o.report.valid, 4000, "{:?}", o.report.invalid.first());
    assert_eq!(o.saved[3999].1.name, "吕梁测试4000号有限公司");
    assert_eq!(o.report.format.to_string(), "CSV 文本（GB18030 编码，逗号分隔）");
}
