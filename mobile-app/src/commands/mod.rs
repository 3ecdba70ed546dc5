//! Tauri commands, one module per feature.

pub(crate) mod browse;
pub(crate) mod documents;
pub(crate) mod inspect;
pub(crate) mod printing;
pub(crate) mod session;
pub(crate) mod sync;

use base64::Engine;
use zhifa_app::AppError;

/// Decodes base64 from the UI (a `data:` URL prefix is accepted).
pub(crate) fn b64(s: &str) -> Result<Vec<u8>, AppError> {
    let data = s.split_once(";base64,").map_or(s, |(_, d)| d);
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| AppError::rule("BAD_UPLOAD", "文件数据无效，请重新选择"))
}
