//! The SPP transport, independent of Tauri: every call to the Kotlin half goes through a
//! [`Bridge`] (on Android, Tauri's `PluginHandle::run_mobile_plugin`; in tests, a fake), so the
//! argument encoding, chunking, error mapping and link lifetime are tested on any machine.
//!
//! Protocol with `SppPrinterPlugin.kt` (command names are the Kotlin method names):
//!
//! | command | arguments | reply |
//! |---|---|---|
//! | `connect` | `{address, timeoutMs}` | `{}`: an RFCOMM link to the printer is open |
//! | `send` | `{address, data (base64), timeoutMs}` | `{written}`: bytes written and flushed |
//! | `close` | `{address}` | `{}` |
//! | `listPaired` | `{}` | `{devices: [{name, address}]}` |
//!
//! Rejections carry a stable `code` ([`SppError::code`]) and a Chinese `message`.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zhifa_escpos::{PrintError, Transport};

use crate::error::{SppError, normalize_address};

/// The Serial Port Profile's service UUID, which the Kotlin half connects to.
pub const SPP_UUID: &str = "00001101-0000-1000-8000-00805F9B34FB";

/// Largest number of job bytes carried by one `send` call (base64 in a JSON string through
/// JNI). The Kotlin half writes them to the socket in smaller pieces.
pub const MAX_CALL_BYTES: usize = 16 * 1024;

/// How long the Kotlin half waits for the printer to accept the RFCOMM connection.
pub const CONNECT_TIMEOUT_MS: u64 = 8_000;

/// Kotlin command names.
pub mod command {
    /// Opens (or reuses) the link to a printer.
    pub const CONNECT: &str = "connect";
    /// Writes bytes to the printer, opening the link if it is not open.
    pub const SEND: &str = "send";
    /// Flushes and closes the link.
    pub const CLOSE: &str = "close";
    /// Lists the paired (bonded) devices.
    pub const LIST_PAIRED: &str = "listPaired";
}

/// A rejected call: the `code` and `message` the Kotlin half passed to `invoke.reject`
/// (`None` when the failure happened before Kotlin, e.g. in JNI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Stable code such as `PRINTER_NOT_PAIRED`.
    pub code: Option<String>,
    /// Chinese message (or the bridge's own error text).
    pub message: Option<String>,
}

/// Carries one command to the Kotlin half and waits for its reply. Blocking: never call it on
/// the Android main thread, where the Kotlin command itself is dispatched.
pub trait Bridge: Send {
    /// Runs `command` with JSON `args`; the reply is the object passed to `invoke.resolve`.
    fn call(&self, command: &str, args: serde_json::Value) -> Result<serde_json::Value, Rejected>;
}

/// Arguments of `connect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectArgs {
    /// `AA:BB:CC:DD:EE:FF`, upper case.
    pub address: String,
    /// Connect timeout in milliseconds.
    pub timeout_ms: u64,
}

/// Arguments of `send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendArgs {
    /// `AA:BB:CC:DD:EE:FF`, upper case.
    pub address: String,
    /// The bytes, standard base64 with padding (`java.util.Base64.getDecoder()`).
    pub data: String,
    /// Connect timeout in milliseconds, should the link have to be reopened.
    pub timeout_ms: u64,
}

/// Arguments of `close`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloseArgs {
    /// `AA:BB:CC:DD:EE:FF`, upper case.
    pub address: String,
}

#[derive(Debug, Deserialize)]
struct SendReply {
    written: u64,
}

/// A paired (bonded) Bluetooth device, as `listPaired` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairedDevice {
    /// The name the device announces (may be empty).
    #[serde(default)]
    pub name: String,
    /// `AA:BB:CC:DD:EE:FF`.
    pub address: String,
}

#[derive(Debug, Deserialize)]
struct ListPairedReply {
    devices: Vec<PairedDevice>,
}

/// The `send` arguments for `bytes`, split so no call carries more than [`MAX_CALL_BYTES`].
pub fn send_args(address: &str, bytes: &[u8]) -> Vec<SendArgs> {
    bytes
        .chunks(MAX_CALL_BYTES)
        .map(|c| SendArgs {
            address: address.to_owned(),
            data: base64::engine::general_purpose::STANDARD.encode(c),
            timeout_ms: CONNECT_TIMEOUT_MS,
        })
        .collect()
}

fn to_json<T: Serialize>(args: &T) -> serde_json::Value {
    serde_json::to_value(args).unwrap_or(serde_json::Value::Null)
}

/// A printer reached over Bluetooth SPP through the Kotlin half. Opening connects; each
/// [`Transport::send`] writes and flushes; dropping closes the link.
pub struct SppTransport<B: Bridge> {
    bridge: B,
    address: String,
}

impl<B: Bridge> std::fmt::Debug for SppTransport<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SppTransport").field("address", &self.address).finish_non_exhaustive()
    }
}

impl<B: Bridge> SppTransport<B> {
    /// Connects to the printer at `address` (`AA:BB:CC:DD:EE:FF`). Every failure to get a
    /// link (bad address, Bluetooth off, permission refused, not paired, unreachable) is
    /// `PRINT_NOT_CONNECTED`, with the SPP code in its detail.
    pub fn open(bridge: B, address: &str) -> Result<Self, PrintError> {
        let address = normalize_address(address).map_err(|e| e.into_print_error(address, false))?;
        let args = ConnectArgs { address: address.clone(), timeout_ms: CONNECT_TIMEOUT_MS };
        bridge
            .call(command::CONNECT, to_json(&args))
            .map_err(|r| reject(&address, r).into_print_error(&address, false))?;
        Ok(Self { bridge, address })
    }

    /// The printer's address, upper case.
    pub fn address(&self) -> &str {
        &self.address
    }
}

fn reject(address: &str, r: Rejected) -> SppError {
    SppError::from_reject(address, r.code.as_deref(), r.message.as_deref())
}

impl<B: Bridge> Transport for SppTransport<B> {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        for (args, chunk) in send_args(&self.address, bytes).into_iter().zip(bytes.chunks(MAX_CALL_BYTES)) {
            let reply = self
                .bridge
                .call(command::SEND, to_json(&args))
                .map_err(|r| reject(&self.address, r).into_print_error(&self.address, true))?;
            let written = serde_json::from_value::<SendReply>(reply).map(|r| r.written).unwrap_or(0);
            if written != chunk.len() as u64 {
                let detail = format!("打印机只接收了 {written}/{} 字节", chunk.len());
                return Err(SppError::SendFailed { address: self.address.clone(), detail }
                    .into_print_error(&self.address, true));
            }
        }
        Ok(())
    }
}

impl<B: Bridge> Drop for SppTransport<B> {
    fn drop(&mut self) {
        // Best effort: the Kotlin half also closes an idle link by itself.
        let _ = self.bridge.call(command::CLOSE, to_json(&CloseArgs { address: self.address.clone() }));
    }
}

/// The devices paired with this tablet, for choosing a printer.
pub fn list_paired<B: Bridge>(bridge: &B) -> Result<Vec<PairedDevice>, SppError> {
    let reply = bridge.call(command::LIST_PAIRED, serde_json::json!({})).map_err(|r| reject("", r))?;
    serde_json::from_value::<ListPairedReply>(reply)
        .map(|r| r.devices)
        .map_err(|e| SppError::Plugin(format!("listPaired 返回值无法解析：{e}")))
}
