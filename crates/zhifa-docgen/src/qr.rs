//! QR verification payload: `ZHIFA-DOC:1:{document id}:{SHA-256 of the canonical content JSON}`.
//!
//! Canonical JSON: the model serialised by serde, then re-written with object keys sorted
//! by byte order, no whitespace, numbers and strings as serde_json writes them. It does not
//! depend on serde_json's `preserve_order` feature.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::DocgenError;
use crate::model::DocumentModel;

/// Prefix and version of the payload format.
pub const PAYLOAD_PREFIX: &str = "ZHIFA-DOC:1:";

/// Canonical JSON text of a document's content (sorted keys, compact).
pub fn canonical_json(doc: &DocumentModel) -> String {
    // Serialising a model of plain strings, numbers and vectors cannot fail.
    let value = serde_json::to_value(doc).unwrap_or(Value::Null);
    let mut out = String::new();
    write_canonical(&value, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Lower-case hex SHA-256 of the canonical JSON.
pub fn content_hash(doc: &DocumentModel) -> String {
    Sha256::digest(canonical_json(doc).as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The payload printed as QR code on the document.
pub fn payload(doc: &DocumentModel) -> String {
    format!("{PAYLOAD_PREFIX}{}:{}", doc.doc_id(), content_hash(doc))
}

/// Whether `payload` (as scanned) belongs to exactly this content: same id, same hash.
pub fn verify(payload: &str, content: &DocumentModel) -> bool {
    let Some(rest) = payload.strip_prefix(PAYLOAD_PREFIX) else { return false };
    let Some((id, hash)) = rest.rsplit_once(':') else { return false };
    id == content.doc_id() && hash == content_hash(content)
}

/// The payload as an SVG QR code (error correction M, black modules, white quiet zone).
pub fn qr_svg(payload: &str) -> Result<String, DocgenError> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| DocgenError::Qr(e.to_string()))?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(160, 160).build())
}
