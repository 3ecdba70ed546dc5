//! Transports: where a finished job's bytes go. One trait; TCP (port 9100 "raw" printing), serial
//! devices (Bluetooth SPP bound as `/dev/rfcomm0` on Linux, USB-serial) and memory (tests).

use std::io::{self, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::PrintError;

/// The usual port of raw ESC/POS printing over TCP.
pub const RAW_PRINT_PORT: u16 = 9100;

/// Something that takes a whole ESC/POS job.
pub trait Transport {
    /// Sends the job; returns when every byte was handed to the link (and, for serial devices,
    /// drained from the output buffer).
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrintError>;
}

fn map_write_error(target: &str, e: &io::Error) -> PrintError {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => PrintError::Timeout { target: target.to_string() },
        _ => PrintError::SendFailed { target: target.to_string(), detail: e.to_string() },
    }
}

/// A network printer (raw TCP, usually port 9100).
#[derive(Debug)]
pub struct TcpTransport {
    stream: TcpStream,
    target: String,
}

impl TcpTransport {
    /// Connects with a timeout for connecting and for each write.
    pub fn connect(addr: &str, timeout: Duration) -> Result<Self, PrintError> {
        let not_connected = |detail: String| PrintError::NotConnected { target: addr.to_string(), detail };
        let addrs = addr.to_socket_addrs().map_err(|e| not_connected(e.to_string()))?;
        let mut last = "地址无法解析".to_string();
        for a in addrs {
            match TcpStream::connect_timeout(&a, timeout) {
                Ok(stream) => {
                    stream.set_write_timeout(Some(timeout)).map_err(|e| not_connected(e.to_string()))?;
                    let _ = stream.set_nodelay(true);
                    return Ok(Self { stream, target: addr.to_string() });
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(not_connected(last))
    }
}

impl Transport for TcpTransport {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        self.stream.write_all(bytes).map_err(|e| map_write_error(&self.target, &e))?;
        self.stream.flush().map_err(|e| map_write_error(&self.target, &e))
    }
}

/// A serial device: a Bluetooth printer bound with `rfcomm bind 0 AA:BB:…` as `/dev/rfcomm0`,
/// or a USB-serial printer.
pub struct SerialTransport {
    port: Box<dyn serialport::SerialPort>,
    target: String,
}

impl std::fmt::Debug for SerialTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialTransport").field("target", &self.target).finish_non_exhaustive()
    }
}

/// Bytes written per `write` call on serial links: small printers have small receive buffers.
pub const SERIAL_CHUNK: usize = 512;

impl SerialTransport {
    /// Opens the device at `baud` (115,200 for most Bluetooth printer modules); `timeout` bounds
    /// each write.
    pub fn open(path: &str, baud: u32, timeout: Duration) -> Result<Self, PrintError> {
        let port = serialport::new(path, baud)
            .timeout(timeout)
            .open()
            .map_err(|e| PrintError::NotConnected { target: path.to_string(), detail: e.to_string() })?;
        Ok(Self { port, target: path.to_string() })
    }
}

impl Transport for SerialTransport {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        for chunk in bytes.chunks(SERIAL_CHUNK) {
            self.port.write_all(chunk).map_err(|e| map_write_error(&self.target, &e))?;
        }
        self.port.flush().map_err(|e| map_write_error(&self.target, &e))
    }
}

/// Collects jobs in memory (tests, previews, handing bytes to the Android plugin).
#[derive(Debug, Default, Clone)]
pub struct MemoryTransport {
    /// Every byte sent so far.
    pub bytes: Vec<u8>,
}

impl Transport for MemoryTransport {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }
}

/// Time to push `bytes` through a UART link at `baud` (8N1: 10 bits per byte), in seconds.
pub fn uart_seconds(bytes: usize, baud: u32) -> f64 {
    bytes as f64 * 10.0 / f64::from(baud)
}
