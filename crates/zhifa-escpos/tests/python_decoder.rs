//! Independent decoder check over TCP loopback: `tools/escpos_decode.py` (standard-library
//! Python, written from the command reference, sharing no code with the encoder) listens as a
//! raw printer, the job goes through `TcpTransport`, and the Chinese text and QR payload it
//! decodes must be those of the slip. Fails (does not skip) when `python3` is missing.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use zhifa_escpos::{Line, Profile, Slip, TcpTransport, Transport, encode, layout};

fn decoder() -> Child {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/escpos_decode.py");
    Command::new("python3")
        .args([script, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("无法运行 python3（{e}）：独立解码测试需要 Python 3（apt-get install -y python3）"))
}

/// Sends `job` to a fresh Python decoder on loopback and returns its JSON report.
fn decode_over_tcp(job: &[u8]) -> Value {
    let mut child = decoder();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let port: u16 = first
        .strip_prefix("LISTENING ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("decoder did not start: {first:?}"));
    let mut t = TcpTransport::connect(&format!("127.0.0.1:{port}"), Duration::from_secs(5)).unwrap();
    t.send(job).unwrap();
    drop(t);
    let mut report = String::new();
    out.read_to_string(&mut report).unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let v: Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("{e}: {report:?} {err}"));
    assert!(status.success() && v.get("error").is_none(), "decoder refused the job: {report} {err}");
    v
}

fn lines(v: &Value) -> Vec<String> {
    v["lines"].as_array().unwrap().iter().map(|l| l["text"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn rectification_order_reads_back_in_python_over_tcp() {
    let input = common::rectification_order();
    let job = encode(&layout::rectification_order(&input), &Profile::mm80(), &common::BoxRasterizer).unwrap();
    let v = decode_over_tcp(&job);
    assert_eq!(v["bytes"].as_u64().unwrap() as usize, job.len());
    let ls = lines(&v);
    assert_eq!(v["lines"][0]["text"], "责令限期整改指令书");
    assert_eq!(v["lines"][0]["bold"], true);
    assert_eq!(v["lines"][0]["double_height"], true);
    assert_eq!(ls[1], "（吕）应急责改〔2026〕15号");
    let all = ls.concat();
    for expected in [
        "吕梁市离石区鑫源煤焦化工有限公司：",
        "特种作业人员（电工）刘某某未持证上岗。",
        "现责令你单位对上述第1至3项问题于2026年12月14日前整改完毕",
        "向吕梁市离石区人民政府申请行政复议",
        "王建国（执法证号：14110019870012）",
        "吕梁市离石区应急管理局（印章）",
    ] {
        assert!(all.contains(expected), "Python decoder lacks {expected:?}: {ls:?}");
    }
    assert_eq!(v["qr"].as_array().unwrap().len(), 1);
    assert_eq!(v["qr"][0]["payload"], common::QR);
    assert_eq!((v["qr"][0]["model"].as_u64(), v["qr"][0]["level"].as_str()), (Some(2), Some("M")));
    assert_eq!(v["cuts"], 1);
    assert!(v["images"].as_array().unwrap().is_empty());
}

#[test]
fn four_byte_gb18030_and_raster_lines_read_back_in_python() {
    // 㐀 (Extension A) is four-byte GB18030 and outside GBK: the encoder rasters its line. A
    // four-byte sequence sent in text mode must decode too, so check it with a hand-made job.
    let slip = Slip { lines: vec![Line::text("法定代表人：王㐀"), Line::text("ASCII 123"), Line::Cut] };
    let job = encode(&slip, &Profile::mm58(), &common::BoxRasterizer).unwrap();
    let v = decode_over_tcp(&job);
    assert_eq!(lines(&v), ["ASCII 123"]);
    assert_eq!(v["images"][0]["width"], 384);
    assert_eq!(v["images"][0]["height"], 30);
    let mut raw = vec![0x1B, 0x40, 0x1C, 0x26];
    raw.extend_from_slice(&encoding_rs_gb18030("王㐀"));
    raw.push(0x0A);
    let v = decode_over_tcp(&raw);
    assert_eq!(lines(&v), ["王㐀"]);
}

/// GB18030 bytes of a string (two-byte for 王, four-byte `81 39 EE 39` for 㐀).
fn encoding_rs_gb18030(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in s.chars() {
        match c {
            '王' => out.extend_from_slice(&[0xCD, 0xF5]),
            '㐀' => out.extend_from_slice(&[0x81, 0x39, 0xEE, 0x39]),
            _ => panic!("not in the table: {c}"),
        }
    }
    out
}

#[test]
fn python_decoder_rejects_unknown_commands() {
    let v = {
        let mut child = Command::new("python3")
            .args([concat!(env!("CARGO_MANIFEST_DIR"), "/tools/escpos_decode.py"), "--file", "/dev/stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("无法运行 python3（{e}）"));
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&[0x1B, 0x40, 0x1B, 0x7A, 0x00]).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert!(v["error"].as_str().unwrap().contains("unknown ESC 0x7a"), "{v}");
}
