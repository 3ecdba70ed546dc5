//! Evidence (photos, audio, signature images): append-only, content-addressed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::{EvidenceId, HazardId, InspectionId, OfficerId};

/// SHA-256 of the evidence bytes, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContentHash(String);

impl ContentHash {
    /// Hashes `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let d = Sha256::digest(bytes);
        let mut s = String::with_capacity(64);
        for b in d {
            s.push_str(&format!("{b:02x}"));
        }
        Self(s)
    }

    /// Parses 64 lower-case hex characters.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            .then(|| Self(s.to_owned()))
    }

    /// Hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Photo.
    Photo,
    /// Audio.
    Audio,
    /// Video.
    Video,
    /// Handwritten signature captured on screen.
    Signature,
    /// Other document scan.
    Document,
}

/// Evidence metadata (the bytes live in the media store, addressed by hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Id.
    pub id: EvidenceId,
    /// Content hash.
    pub sha256: ContentHash,
    /// Kind.
    pub kind: EvidenceKind,
    /// MIME type.
    pub mime: String,
    /// Size in bytes.
    pub size: u64,
    /// Capture time, device wall clock in ms (evidence data, not ordering).
    pub captured_ms: u64,
    /// GPS longitude (WGS-84), if known.
    pub lng: Option<f64>,
    /// GPS latitude, if known.
    pub lat: Option<f64>,
    /// Officer who captured it.
    pub officer: OfficerId,
    /// Inspection it belongs to.
    pub inspection: Option<InspectionId>,
    /// Hazard it documents.
    pub hazard: Option<HazardId>,
    /// Withdrawn (a withdrawal is a new record; the bytes stay).
    pub withdrawn: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_answer() {
        assert_eq!(
            ContentHash::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(ContentHash::parse("xyz").is_none());
    }
}
