//! 执法文书 generation for Zhifa.
//!
//! - [`model`]: typed models of 现场检查记录 and 责令限期整改指令书, built from plain input
//!   structs; every printed sentence is produced here (表明身份语, 整改期限, 复议/诉讼告知).
//! - [`form`]: the generic document model (blocks, grids, signatures, seal) that one template
//!   lays out; [`types`]: typed inputs and builders of the other ten types on top of it.
//! - [`zh`]: `2026年11月29日` dates and 大写 amounts (`人民币贰万元整（￥20,000.00）`).
//! - [`qr`]: verification payload (document id + SHA-256 of the canonical content JSON).
//! - [`render`]: PDF/A-2b through typst used as a library, CJK font from a configurable path.
//! - [`sample`]: sample documents from the 吕梁 demo generator.

pub mod error;
pub mod form;
pub mod model;
pub mod qr;
pub mod render;
pub mod sample;
pub mod types;
pub mod zh;

pub use error::DocgenError;
pub use form::GenericDocument;
pub use model::{DocumentModel, RENDERABLE_TYPES};
pub use qr::{payload, verify};
pub use render::{FontConfig, GrayPage, RenderedPdf, Renderer};
pub use zh::{money_full, money_upper, zh_date};

/// Whether this build has a template for the document type `name`.
pub fn renderable(name: &str) -> bool {
    RENDERABLE_TYPES.contains(&name)
}
