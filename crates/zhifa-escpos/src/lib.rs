//! ESC/POS print jobs for Zhifa's portable receipt printers.
//!
//! - [`Profile`]: paper width in dots, columns, Chinese ROM font or not (58 mm / 80 mm presets).
//! - [`Slip`] / [`Line`]: a small layout model; [`layout`] builds the slips of 现场检查记录 and
//!   责令限期整改指令书.
//! - [`encode`]: pure encoder. Text mode is GB18030 after `FS &`; a wrapped line with a character
//!   outside GBK (or any Chinese on a printer without a Chinese font) is drawn by a
//!   [`Rasterizer`] and sent as `GS v 0`; QR codes are `GS ( k`.
//! - [`transport`]: TCP 9100, serial (`/dev/rfcomm0`), memory, behind one [`Transport`] trait.
//! - [`hexdump::annotate`]: one-command-per-line annotated hex for golden files.
//!
//! See `docs/printing.md`.

pub mod encode;
pub mod error;
pub mod hexdump;
pub mod layout;
pub mod profile;
pub mod raster;
pub mod slip;
pub mod transport;
pub mod wrap;

pub use encode::{encode, encode_all_raster, encode_pages, in_gbk};
pub use error::PrintError;
pub use profile::Profile;
pub use raster::{Bitmap, Dither, FontRasterizer, NoRasterizer, Rasterizer};
pub use slip::{Align, Line, Slip, TextStyle};
pub use transport::{MemoryTransport, SerialTransport, TcpTransport, Transport};
