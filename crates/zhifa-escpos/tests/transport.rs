//! Transports: TCP against a loopback listener that captures the bytes; serial on a missing
//! device gives 打印机未连接 with a stable code.

use std::io::Read;
use std::net::TcpListener;
use std::time::Duration;

use zhifa_escpos::{MemoryTransport, NoRasterizer, Profile, SerialTransport, TcpTransport, Transport, encode, layout};

mod common;

#[test]
fn tcp_delivers_the_whole_job() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        sock.read_to_end(&mut got).unwrap();
        got
    });
    let job =
        encode(&layout::rectification_order(&common::rectification_order()), &Profile::mm80(), &NoRasterizer).unwrap();
    {
        let mut t = TcpTransport::connect(&addr, Duration::from_secs(5)).unwrap();
        t.send(&job).unwrap();
    }
    assert_eq!(server.join().unwrap(), job);
}

#[test]
fn tcp_without_listener_is_not_connected() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let e = TcpTransport::connect(&addr, Duration::from_secs(2)).unwrap_err();
    assert_eq!(e.code(), "PRINT_NOT_CONNECTED");
    assert!(e.to_string().starts_with("打印机未连接："), "{e}");
}

#[test]
fn missing_serial_device_is_not_connected() {
    let e = SerialTransport::open("/dev/rfcomm-zhifa-missing", 115_200, Duration::from_secs(1)).unwrap_err();
    assert_eq!(e.code(), "PRINT_NOT_CONNECTED");
    assert!(e.to_string().starts_with("打印机未连接：/dev/rfcomm-zhifa-missing"), "{e}");
}

#[test]
fn memory_transport_collects() {
    let mut m = MemoryTransport::default();
    m.send(b"\x1b@").unwrap();
    m.send(b"A\n").unwrap();
    assert_eq!(m.bytes, b"\x1b@A\n");
}
