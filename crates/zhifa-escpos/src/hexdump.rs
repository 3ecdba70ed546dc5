//! Annotated hex dumps of ESC/POS jobs, one command per line (`1B 40  ; ESC @ init`), for
//! golden files and for debugging a printer. Understands the commands this crate emits; any
//! other byte is shown as `; ?`.

use std::fmt::Write as _;

use encoding_rs::GB18030;

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// Renders a job as annotated hex, one command per line.
pub fn annotate(job: &[u8]) -> String {
    let mut out = String::new();
    let mut emit = |bytes: &[u8], comment: &str| {
        let _ = writeln!(out, "{}  ; {comment}", hex(bytes));
    };
    let mut chinese = false;
    let mut i = 0;
    while i < job.len() {
        let rest = &job[i..];
        let arg = |k: usize| rest.get(k).copied();
        let (n, comment): (usize, String) = match (rest[0], arg(1)) {
            (0x1B, Some(0x40)) => {
                chinese = false;
                (2, "ESC @ init".into())
            }
            (0x1B, Some(0x61)) if rest.len() >= 3 => {
                let a = ["left", "center", "right"].get(usize::from(rest[2] % 48)).copied().unwrap_or("?");
                (3, format!("ESC a align {a}"))
            }
            (0x1B, Some(0x45)) if rest.len() >= 3 => {
                (3, format!("ESC E bold {}", if rest[2] & 1 == 1 { "on" } else { "off" }))
            }
            (0x1B, Some(0x64)) if rest.len() >= 3 => (3, format!("ESC d feed {} lines", rest[2])),
            (0x1C, Some(0x26)) => {
                chinese = true;
                (2, "FS & Chinese mode on (GB18030)".into())
            }
            (0x1C, Some(0x2E)) => {
                chinese = false;
                (2, "FS . Chinese mode off".into())
            }
            (0x1D, Some(0x21)) if rest.len() >= 3 => {
                (3, format!("GS ! size width x{} height x{}", (rest[2] >> 4) + 1, (rest[2] & 0x0F) + 1))
            }
            (0x1D, Some(0x56)) if rest.len() >= 3 => {
                let n = if rest[2] >= 0x41 { 4.min(rest.len()) } else { 3 };
                let partial = matches!(rest[2], 0x01 | 0x31 | 0x42);
                (n, format!("GS V cut{}", if partial { " (partial)" } else { "" }))
            }
            (0x1D, Some(0x28)) if rest.len() >= 8 && rest[2] == 0x6B => {
                let len = usize::from(u16::from_le_bytes([rest[3], rest[4]]));
                let n = (5 + len).min(rest.len());
                let c = match rest[6] {
                    0x41 => format!("GS ( k QR model {}", rest[7].wrapping_sub(0x30)),
                    0x43 => format!("GS ( k QR module size {}", rest[7]),
                    0x45 => format!(
                        "GS ( k QR error level {}",
                        ["L", "M", "Q", "H"].get(usize::from(rest[7].wrapping_sub(48))).unwrap_or(&"?")
                    ),
                    0x50 => format!("GS ( k QR store {:?}", String::from_utf8_lossy(&rest[8..n])),
                    0x51 => "GS ( k QR print".into(),
                    _ => "GS ( k ?".into(),
                };
                (n, c)
            }
            (0x1D, Some(0x76)) if rest.len() >= 8 && rest[2] == 0x30 => {
                let w = usize::from(u16::from_le_bytes([rest[4], rest[5]]));
                let h = usize::from(u16::from_le_bytes([rest[6], rest[7]]));
                emit(&rest[..8], &format!("GS v 0 raster {}x{h} dots, {} bytes follow", w * 8, w * h));
                let end = (8 + w * h).min(rest.len());
                for (r, row) in rest[8..end].chunks(w.max(1)).enumerate() {
                    let art: String = row
                        .iter()
                        .flat_map(|b| (0..8).map(move |k| if b & (0x80 >> k) != 0 { '#' } else { '.' }))
                        .collect();
                    emit(row, &format!("row {r:3} {}", art.trim_end_matches('.')));
                }
                i += end;
                continue;
            }
            (0x0A, _) => (1, "LF".into()),
            _ => {
                let mut n = 0;
                while n < rest.len() && !matches!(rest[n], 0x0A | 0x1B | 0x1C | 0x1D) {
                    n += 1;
                }
                if n == 0 {
                    (1, "?".into())
                } else {
                    let text = if chinese {
                        GB18030.decode_without_bom_handling(&rest[..n]).0.into_owned()
                    } else {
                        String::from_utf8_lossy(&rest[..n]).into_owned()
                    };
                    let lf = rest.get(n) == Some(&0x0A);
                    (n + usize::from(lf), format!("text {text:?}{}", if lf { " + LF" } else { "" }))
                }
            }
        };
        emit(&rest[..n], &comment);
        i += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_command_per_line() {
        let job = [0x1B, 0x40, 0x1C, 0x26, 0xCF, 0xD6, 0xB3, 0xA1, 0x0A, 0x1D, 0x56, 0x42, 0x00];
        assert_eq!(
            annotate(&job),
            "1B 40  ; ESC @ init\n1C 26  ; FS & Chinese mode on (GB18030)\nCF D6 B3 A1 0A  ; text \"现场\" + LF\n1D 56 42 00  ; GS V cut (partial)\n"
        );
    }
}
