//! Without the Kotlin half (desktop Linux, CI): a Bluetooth printer is reached as the serial
//! device BlueZ binds it to (`rfcomm bind 0 AA:BB:CC:DD:EE:FF 1` → `/dev/rfcomm0`).

use std::time::Duration;

use zhifa_escpos::{SerialTransport, Transport};

use crate::{Connector, SppError};

/// Baud rate of the RFCOMM serial device (ignored by RFCOMM itself, kept for UART bridges).
pub const BAUD: u32 = 115_200;
/// Open/write timeout of the serial device.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A device path (`/dev/rfcomm0`) opens as a serial port; anything else, a Bluetooth address
/// included, is `PRINT_NOT_CONNECTED` with [`SppError::Unsupported`]'s instructions.
pub fn connector() -> Connector {
    Box::new(|address| {
        let address = address.trim();
        if address.starts_with('/') {
            Ok(Box::new(SerialTransport::open(address, BAUD, TIMEOUT)?) as Box<dyn Transport + Send>)
        } else {
            Err(SppError::Unsupported.into_print_error(address, false))
        }
    })
}
