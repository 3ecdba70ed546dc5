//! The Rust half on any machine: the Android transport over a fake bridge (arguments,
//! base64, chunking, link lifetime, error mapping) and the desktop connector.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};
use zhifa_escpos::{PrintError, Transport};
use zhifa_spp_plugin::transport::{CONNECT_TIMEOUT_MS, MAX_CALL_BYTES, command, list_paired, send_args};
use zhifa_spp_plugin::{Bridge, Connector, Rejected, SppError, SppTransport, bridge_connector, desktop};

/// Records every call; answers like the Kotlin half, or rejects a chosen command.
#[derive(Clone, Default)]
struct FakeBridge {
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    reject: Option<(&'static str, &'static str, &'static str)>,
    short_write: bool,
}

impl FakeBridge {
    fn rejecting(command: &'static str, code: &'static str, message: &'static str) -> Self {
        Self { reject: Some((command, code, message)), ..Self::default() }
    }

    fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }

    fn names(&self) -> Vec<String> {
        self.calls().into_iter().map(|(c, _)| c).collect()
    }
}

impl Bridge for FakeBridge {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Rejected> {
        self.calls.lock().unwrap().push((cmd.to_owned(), args.clone()));
        if let Some((c, code, message)) = self.reject
            && c == cmd
        {
            return Err(Rejected { code: Some(code.into()), message: Some(message.into()) });
        }
        match cmd {
            command::SEND => {
                let data = base64::engine::general_purpose::STANDARD.decode(args["data"].as_str().unwrap()).unwrap();
                let written = if self.short_write { data.len() / 2 } else { data.len() };
                Ok(json!({ "written": written }))
            }
            command::LIST_PAIRED => Ok(json!({ "devices": [
                { "name": "JK-58PL", "address": "66:22:7A:10:00:01" },
                { "address": "DC:0D:30:AA:BB:CC" }
            ]})),
            _ => Ok(json!({})),
        }
    }
}

fn job(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 256) as u8).collect()
}

#[test]
fn a_job_connects_sends_base64_chunks_and_closes() {
    let bridge = FakeBridge::default();
    let bytes = job(2 * MAX_CALL_BYTES + 1000);
    {
        let mut t = SppTransport::open(bridge.clone(), "66:22:7a:10:00:01").unwrap();
        assert_eq!(t.address(), "66:22:7A:10:00:01");
        t.send(&bytes).unwrap();
        assert_eq!(bridge.names(), ["connect", "send", "send", "send"]);
    }
    let calls = bridge.calls();
    assert_eq!(calls.len(), 5, "dropping the transport closes the link");
    assert_eq!(calls[0].1, json!({ "address": "66:22:7A:10:00:01", "timeoutMs": CONNECT_TIMEOUT_MS }));
    assert_eq!(calls[4], ("close".to_owned(), json!({ "address": "66:22:7A:10:00:01" })));
    let mut received = Vec::new();
    for (_, args) in &calls[1..4] {
        assert_eq!(args["address"], "66:22:7A:10:00:01");
        assert_eq!(args["timeoutMs"], CONNECT_TIMEOUT_MS);
        let chunk = base64::engine::general_purpose::STANDARD.decode(args["data"].as_str().unwrap()).unwrap();
        assert!(chunk.len() <= MAX_CALL_BYTES);
        received.extend(chunk);
    }
    assert_eq!(received, bytes, "the printer gets exactly the job's bytes, in order");
}

#[test]
fn send_args_are_padded_standard_base64_in_bounded_calls() {
    let args = send_args("AA:BB:CC:DD:EE:FF", &[0x1B, 0x40, 0xFF]);
    assert_eq!(args.len(), 1);
    assert_eq!(args[0].data, "G0D/", "standard alphabet (+/), as android.util.Base64.DEFAULT decodes");
    let v = serde_json::to_value(&args[0]).unwrap();
    assert_eq!(v, json!({ "address": "AA:BB:CC:DD:EE:FF", "data": "G0D/", "timeoutMs": CONNECT_TIMEOUT_MS }));
    assert_eq!(send_args("AA:BB:CC:DD:EE:FF", &[1])[0].data, "AQ==");
    assert!(send_args("AA:BB:CC:DD:EE:FF", &[]).is_empty());
    assert_eq!(send_args("AA:BB:CC:DD:EE:FF", &job(MAX_CALL_BYTES)).len(), 1);
    assert_eq!(send_args("AA:BB:CC:DD:EE:FF", &job(MAX_CALL_BYTES + 1)).len(), 2);
}

#[test]
fn a_bad_address_is_refused_before_any_bluetooth_call() {
    for bad in ["", "/dev/rfcomm0", "66:22:7A:10:00", "66-22-7A-10-00-01", "66:22:7A:10:00:0G", "66:22:7A:10:00:011"] {
        let bridge = FakeBridge::default();
        let e = SppTransport::open(bridge.clone(), bad).unwrap_err();
        assert_eq!(e.code(), "PRINT_NOT_CONNECTED", "{bad}");
        assert!(e.to_string().contains("PRINTER_BAD_ADDRESS"), "{e}");
        assert!(bridge.calls().is_empty(), "{bad}");
    }
}

#[test]
fn failures_to_connect_are_not_connected_with_the_kotlin_code_and_message() {
    for (code, words) in [
        ("PRINTER_NOT_PAIRED", "配对"),
        ("PRINTER_UNREACHABLE", "连接超时"),
        ("BLUETOOTH_OFF", "蓝牙未开启"),
        ("PERMISSION_DENIED", "附近的设备"),
    ] {
        let bridge = FakeBridge::rejecting("connect", code, "无法连接打印机 66:22:7A:10:00:01（连接超时（8 秒））");
        let e = SppTransport::open(bridge, "66:22:7A:10:00:01").unwrap_err();
        assert!(matches!(e, PrintError::NotConnected { ref target, .. } if target == "66:22:7A:10:00:01"), "{e:?}");
        let text = e.to_string();
        assert!(text.contains(code) && text.contains(words), "{code}: {text}");
    }
}

#[test]
fn a_link_broken_while_writing_is_send_failed_and_still_closed() {
    let bridge = FakeBridge::rejecting("send", "PRINTER_SEND_FAILED", "打印中断（已发送 512/1000 字节）");
    let mut t = SppTransport::open(bridge.clone(), "66:22:7A:10:00:01").unwrap();
    let e = t.send(&job(1000)).unwrap_err();
    assert_eq!(e.code(), "PRINT_SEND_FAILED");
    assert!(e.to_string().contains("512/1000"), "{e}");
    drop(t);
    assert_eq!(bridge.names(), ["connect", "send", "close"]);
}

#[test]
fn a_short_write_is_send_failed() {
    let bridge = FakeBridge { short_write: true, ..FakeBridge::default() };
    let mut t = SppTransport::open(bridge, "66:22:7A:10:00:01").unwrap();
    let e = t.send(&job(100)).unwrap_err();
    assert_eq!(e.code(), "PRINT_SEND_FAILED");
    assert!(e.to_string().contains("50/100"), "{e}");
}

#[test]
fn an_unknown_rejection_or_bridge_failure_keeps_its_text() {
    let e = SppError::from_reject("66:22:7A:10:00:01", Some("SPP_PLUGIN"), Some("未知的蓝牙打印命令：x"));
    assert_eq!(e, SppError::Plugin("[SPP_PLUGIN] 未知的蓝牙打印命令：x".into()));
    assert_eq!(e.clone().into_print_error("a", true).code(), "PRINT_SEND_FAILED");
    assert_eq!(e.into_print_error("a", false).code(), "PRINT_NOT_CONNECTED");
    let jni = SppError::from_reject("a", None, Some("jni error: x"));
    assert_eq!(jni, SppError::Plugin("jni error: x".into()));
}

#[test]
fn the_bridge_connector_has_the_app_connector_type_and_opens_a_link_per_job() {
    let bridge = FakeBridge::default();
    let connect: Connector = bridge_connector(bridge.clone());
    let mut t = connect("66:22:7A:10:00:01").unwrap();
    t.send(b"\x1b@").unwrap();
    drop(t);
    let mut t = connect("66:22:7A:10:00:01").unwrap();
    t.send(b"\x1b@").unwrap();
    drop(t);
    assert_eq!(bridge.names(), ["connect", "send", "close", "connect", "send", "close"]);
    assert!(connect("nonsense").is_err());
}

#[test]
fn paired_devices_are_listed() {
    let devices = list_paired(&FakeBridge::default()).unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!((devices[0].name.as_str(), devices[0].address.as_str()), ("JK-58PL", "66:22:7A:10:00:01"));
    assert_eq!(devices[1].name, "", "a device without a name lists with an empty one");
    let off = FakeBridge::rejecting("listPaired", "BLUETOOTH_OFF", "蓝牙未开启");
    assert_eq!(list_paired(&off).unwrap_err(), SppError::BluetoothOff);
}

#[test]
fn desktop_refuses_an_address_and_says_how_to_bind_it() {
    let connect = desktop::connector();
    let e = connect("66:22:7A:10:00:01").err().unwrap();
    assert_eq!(e.code(), "PRINT_NOT_CONNECTED");
    let text = e.to_string();
    assert!(
        text.contains("rfcomm bind") && text.contains("/dev/rfcomm0") && text.contains("SPP_UNSUPPORTED"),
        "{text}"
    );
}

#[test]
fn desktop_opens_a_device_path_as_a_serial_port() {
    let connect = desktop::connector();
    let e = connect("/dev/zhifa-no-such-rfcomm").err().unwrap();
    match e {
        PrintError::NotConnected { target, .. } => assert_eq!(target, "/dev/zhifa-no-such-rfcomm"),
        other => panic!("expected the serial transport's NotConnected, got {other:?}"),
    }
}

#[test]
fn error_codes_are_unique_and_messages_chinese() {
    let all = [
        SppError::BadAddress("x".into()),
        SppError::BluetoothOff,
        SppError::PermissionDenied,
        SppError::NotPaired("x".into()),
        SppError::Unreachable { address: "x".into(), detail: "y".into() },
        SppError::SendFailed { address: "x".into(), detail: "y".into() },
        SppError::Unsupported,
        SppError::Plugin("x".into()),
    ];
    let mut codes: Vec<_> = all.iter().map(SppError::code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
    for e in &all {
        assert!(e.to_string().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{e}");
        if !matches!(e, SppError::Unsupported | SppError::Plugin(_)) {
            assert_eq!(&SppError::from_reject("x", Some(e.code()), Some("y")).code(), &e.code(), "round trip of {e:?}");
        }
    }
}
