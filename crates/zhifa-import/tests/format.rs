//! Format detection: files that are not ledgers are rejected with a clear message, and
//! no input makes the reader panic.

mod common;

use common::*;
use proptest::prelude::*;
use rust_xlsxwriter::Workbook;
use zhifa_import::ImportError;

#[test]
fn binary_garbage_is_rejected() {
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let e = import_err(&file("台账.csv", &bytes));
    assert!(matches!(e.code(), "FORMAT_UNKNOWN" | "ENCODING_UNKNOWN"), "{e:?}");
    let e = import_err(&file("台账.csv", b"\x00\x01\x02\x03binary\x00"));
    assert_eq!(e.code(), "FORMAT_UNKNOWN");
    assert!(e.to_string().contains("二进制"), "{e}");
}

#[test]
fn pdf_is_rejected_by_its_magic_number() {
    let e = import_err(&file("台账.xlsx", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n"));
    assert_eq!(e.code(), "FORMAT_UNKNOWN");
    assert!(e.to_string().contains("PDF"), "{e}");
}

#[test]
fn old_xls_asks_to_save_as_xlsx_or_csv() {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    let e = import_err(&file("台账.xls", &bytes));
    assert!(matches!(e, ImportError::LegacyExcel));
    assert_eq!(e.code(), "FORMAT_XLS");
    let msg = e.to_string();
    assert!(msg.contains(".xls") && msg.contains(".xlsx") && msg.contains("CSV"), "{msg}");
}

#[test]
fn html_saved_as_xls_is_explained() {
    let e = import_err(&file("台账.xls", "<html><body><table><tr><td>统一社会信用代码</td></tr></table>".as_bytes()));
    assert_eq!(e.code(), "FORMAT_UNKNOWN");
    assert!(e.to_string().contains("HTML"), "{e}");
}

#[test]
fn corrupt_zip_is_reported_as_damaged() {
    let e = import_err(&file("台账.xlsx", b"PK\x03\x04\x14\x00\x00\x00garbage that is no zip at all"));
    assert_eq!(e.code(), "CORRUPT");
    assert!(e.to_string().contains("文件已损坏"), "{e}");
    assert!(std::error::Error::source(&e).is_some());
}

#[test]
fn truncated_xlsx_is_reported_as_damaged() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..200u32 {
        for (c, v) in row(r).iter().enumerate() {
            ws.write_string(r, c as u16, v).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let e = import_err(&file("台账.xlsx", &bytes[..bytes.len() / 2]));
    assert_eq!(e.code(), "CORRUPT", "{e:?}");
}

#[test]
fn every_fatal_error_has_a_chinese_message_and_a_code() {
    let cases: Vec<&[u8]> = vec![b"", b"%PDF-1.4", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", b"PK\x03\x04xx", b"a\0b"];
    for bytes in cases {
        let e = import_err(&file("x", bytes));
        assert!(!e.code().is_empty());
        assert!(e.to_string().chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)), "{e}");
    }
}

fn valid_xlsx() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..4u32 {
        for (c, v) in row(r).iter().enumerate() {
            ws.write_string(r, c as u16, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

proptest! {
    // 256 cases each (proptest's default); set PROPTEST_CASES for a longer run.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let fx = file("x", &bytes);
        let _ = import(&fx);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[统一社会信用代码企业名称,\"\n\r\t;0-9A-Za-z ]{0,600}") {
        let fx = file("x.csv", format!("{}\n{text}", HEADER.join(",")).as_bytes());
        let _ = import(&fx);
    }

    #[test]
    fn damaged_workbooks_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = valid_xlsx();
        let n = bytes.len();
        for (i, b) in flips {
            bytes[i.index(n)] = b;
        }
        let fx = file("x.xlsx", &bytes);
        let _ = import(&fx);
    }
}
