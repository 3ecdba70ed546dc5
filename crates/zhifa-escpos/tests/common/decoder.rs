//! A minimal ESC/POS decoder written from the command reference, independent of the encoder:
//! it interprets the byte stream like a printer would and reports what gets printed. Any command
//! it does not know fails the test.

use encoding_rs::GB18030;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printed {
    /// One printed text line (at LF) with the style in force.
    Text {
        text: String,
        align: u8,
        bold: bool,
        double_height: bool,
    },
    /// A QR code printed with `GS ( k fn 181`.
    Qr {
        payload: Vec<u8>,
        model: u8,
        module: u8,
        level: u8,
    },
    /// A raster image (`GS v 0`).
    Image {
        width: usize,
        height: usize,
        black: usize,
    },
    Feed(u8),
    Cut,
}

#[derive(Default)]
struct State {
    chinese: bool,
    align: u8,
    bold: bool,
    size: u8,
    qr_model: u8,
    qr_module: u8,
    qr_level: u8,
    qr_data: Vec<u8>,
    line: String,
}

fn take(job: &[u8], at: usize, n: usize) -> &[u8] {
    assert!(at + n <= job.len(), "truncated command at offset {at}");
    &job[at..at + n]
}

/// Decodes a whole job.
pub fn decode(job: &[u8]) -> Vec<Printed> {
    let mut s = State::default();
    let mut out = Vec::new();
    let mut i = 0;
    while i < job.len() {
        let b = job[i];
        match b {
            0x0A => {
                out.push(Printed::Text {
                    text: std::mem::take(&mut s.line),
                    align: s.align,
                    bold: s.bold,
                    double_height: s.size & 0x0F == 1,
                });
                i += 1;
            }
            0x1B => {
                let c = take(job, i, 2)[1];
                match c {
                    b'@' => {
                        let keep = std::mem::take(&mut s.line);
                        assert!(keep.is_empty(), "ESC @ discards unprinted text {keep:?}");
                        s = State::default();
                        i += 2;
                    }
                    b'a' => {
                        s.align = take(job, i, 3)[2] % 48;
                        i += 3;
                    }
                    b'E' => {
                        s.bold = take(job, i, 3)[2] & 1 == 1;
                        i += 3;
                    }
                    b'd' => {
                        out.push(Printed::Feed(take(job, i, 3)[2]));
                        i += 3;
                    }
                    _ => panic!("unknown ESC {c:#04x} at offset {i}"),
                }
            }
            0x1C => {
                match take(job, i, 2)[1] {
                    b'&' => s.chinese = true,
                    b'.' => s.chinese = false,
                    c => panic!("unknown FS {c:#04x} at offset {i}"),
                }
                i += 2;
            }
            0x1D => {
                let c = take(job, i, 2)[1];
                match c {
                    b'!' => {
                        s.size = take(job, i, 3)[2];
                        i += 3;
                    }
                    b'V' => {
                        let m = take(job, i, 3)[2];
                        i += if m >= 65 { 4 } else { 3 };
                        assert!(i <= job.len(), "truncated GS V");
                        out.push(Printed::Cut);
                    }
                    b'(' => {
                        let h = take(job, i, 5);
                        assert_eq!(h[2], b'k', "only GS ( k is expected");
                        let len = usize::from(h[3]) | usize::from(h[4]) << 8;
                        let body = take(job, i + 5, len);
                        assert_eq!(body[0], 49, "cn must be 49 (QR)");
                        match body[1] {
                            65 => s.qr_model = body[2] - 48,
                            67 => s.qr_module = body[2],
                            69 => s.qr_level = body[2],
                            80 => s.qr_data = body[3..].to_vec(),
                            81 => out.push(Printed::Qr {
                                payload: std::mem::take(&mut s.qr_data),
                                model: s.qr_model,
                                module: s.qr_module,
                                level: s.qr_level,
                            }),
                            f => panic!("unknown QR function {f}"),
                        }
                        i += 5 + len;
                    }
                    b'v' => {
                        let h = take(job, i, 8);
                        assert_eq!(h[2], b'0');
                        let (xb, rows) =
                            (usize::from(h[4]) | usize::from(h[5]) << 8, usize::from(h[6]) | usize::from(h[7]) << 8);
                        let data = take(job, i + 8, xb * rows);
                        let black = data.iter().map(|b| b.count_ones() as usize).sum();
                        out.push(Printed::Image { width: xb * 8, height: rows, black });
                        i += 8 + xb * rows;
                    }
                    _ => panic!("unknown GS {c:#04x} at offset {i}"),
                }
            }
            0x00..=0x1F | 0x7F => panic!("unexpected control byte {b:#04x} at offset {i}"),
            0x20..=0x7E => {
                s.line.push(char::from(b));
                i += 1;
            }
            _ => {
                assert!(s.chinese, "byte {b:#04x} at offset {i} outside Chinese mode");
                // GB18030: a lead byte 0x81–0xFE, then 0x30–0x39 for a four-byte code, else two bytes.
                let n = if take(job, i, 2)[1].is_ascii_digit() { 4 } else { 2 };
                let (text, had_errors) = GB18030.decode_without_bom_handling(take(job, i, n));
                assert!(!had_errors, "invalid GB18030 sequence at offset {i}");
                s.line.push_str(&text);
                i += n;
            }
        }
    }
    assert!(s.line.is_empty(), "text left unprinted at end of job: {:?}", s.line);
    out
}

/// The printed text lines, in order.
pub fn text_lines(p: &[Printed]) -> Vec<String> {
    p.iter()
        .filter_map(|e| match e {
            Printed::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}
