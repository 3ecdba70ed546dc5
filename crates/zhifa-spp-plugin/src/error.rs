//! Errors of the SPP link, with the stable codes the Kotlin half rejects with and Chinese
//! messages; [`SppError::into_print_error`] turns them into the print queue's [`PrintError`].

use zhifa_escpos::PrintError;

/// Why a Bluetooth SPP operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SppError {
    /// The address is not `AA:BB:CC:DD:EE:FF`.
    #[error("蓝牙打印机地址无效：“{0}”（应为 AA:BB:CC:DD:EE:FF 格式）")]
    BadAddress(String),
    /// Bluetooth is switched off (or the device has no Bluetooth adapter).
    #[error("蓝牙未开启，请在系统设置中打开蓝牙后重试")]
    BluetoothOff,
    /// The user refused the nearby-devices (BLUETOOTH_CONNECT) permission.
    #[error("未获得“附近的设备”（蓝牙连接）权限，请在系统设置中允许后重试")]
    PermissionDenied,
    /// The printer is not paired with this tablet.
    #[error("打印机 {0} 尚未与本机配对，请先在系统蓝牙设置中配对")]
    NotPaired(String),
    /// The printer did not answer: switched off, out of range or connected to another device.
    #[error("无法连接打印机 {address}：{detail}")]
    Unreachable {
        /// The printer's address.
        address: String,
        /// What the Kotlin half reported.
        detail: String,
    },
    /// The link broke while writing (printer switched off, out of range).
    #[error("向打印机 {address} 发送数据失败：{detail}")]
    SendFailed {
        /// The printer's address.
        address: String,
        /// What the Kotlin half reported.
        detail: String,
    },
    /// This build has no SPP plugin (desktop): the printer must be bound as a serial device.
    #[error(
        "本设备不支持蓝牙SPP直连：请用“rfcomm bind 0 打印机地址 1”将打印机绑定为串口 /dev/rfcomm0，并将打印机类型设为“蓝牙串口”"
    )]
    Unsupported,
    /// Any other failure of the plugin bridge (JNI, an unknown code from Kotlin, bad reply).
    #[error("蓝牙打印插件出错：{0}")]
    Plugin(String),
}

impl SppError {
    /// Stable machine-readable code; the first six are also the Kotlin half's reject codes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadAddress(_) => "PRINTER_BAD_ADDRESS",
            Self::BluetoothOff => "BLUETOOTH_OFF",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::NotPaired(_) => "PRINTER_NOT_PAIRED",
            Self::Unreachable { .. } => "PRINTER_UNREACHABLE",
            Self::SendFailed { .. } => "PRINTER_SEND_FAILED",
            Self::Unsupported => "SPP_UNSUPPORTED",
            Self::Plugin(_) => "SPP_PLUGIN",
        }
    }

    /// The error of a rejected Kotlin call: its `code` and `message` (as Tauri's
    /// `ErrorResponse` carries them) for the printer at `address`.
    pub fn from_reject(address: &str, code: Option<&str>, message: Option<&str>) -> Self {
        let detail = message.unwrap_or("").to_owned();
        match code {
            Some("PRINTER_BAD_ADDRESS") => Self::BadAddress(address.to_owned()),
            Some("BLUETOOTH_OFF") => Self::BluetoothOff,
            Some("PERMISSION_DENIED") => Self::PermissionDenied,
            Some("PRINTER_NOT_PAIRED") => Self::NotPaired(address.to_owned()),
            Some("PRINTER_UNREACHABLE") => Self::Unreachable { address: address.to_owned(), detail },
            Some("PRINTER_SEND_FAILED") => Self::SendFailed { address: address.to_owned(), detail },
            Some(other) => Self::Plugin(format!("[{other}] {detail}")),
            None => Self::Plugin(detail),
        }
    }

    /// The print queue's error: failures to open the link are `PRINT_NOT_CONNECTED` (the job
    /// stays resumable with "check the printer"), a broken link while writing (`sending`) is
    /// `PRINT_SEND_FAILED`. The SPP code stays in the detail for the log.
    pub fn into_print_error(self, address: &str, sending: bool) -> PrintError {
        let detail = format!("{self} [{}]", self.code());
        match self {
            Self::SendFailed { .. } => PrintError::SendFailed { target: address.to_owned(), detail },
            Self::Plugin(_) if sending => PrintError::SendFailed { target: address.to_owned(), detail },
            _ => PrintError::NotConnected { target: address.to_owned(), detail },
        }
    }
}

/// Checks a Bluetooth device address (`AA:BB:CC:DD:EE:FF`, either case) and returns it in
/// upper case, the form Android's `BluetoothAdapter.checkBluetoothAddress` accepts.
pub fn normalize_address(address: &str) -> Result<String, SppError> {
    let a = address.trim();
    let ok = a.len() == 17
        && a.split(':').count() == 6
        && a.split(':').all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    if ok { Ok(a.to_ascii_uppercase()) } else { Err(SppError::BadAddress(a.to_owned())) }
}
