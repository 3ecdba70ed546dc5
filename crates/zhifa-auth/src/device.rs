//! Device keys (Ed25519, via ring) and signed push batches.
//!
//! Each tablet generates an Ed25519 key pair once, keeps the PKCS#8 private key in its secure
//! storage and registers the public key (base64url, 32 bytes) with the server. Every push batch
//! is then signed over [`signing_input`]: a versioned, newline-joined ASCII text naming the HTTP
//! method, the path, the device, the batch sequence number and the SHA-256 of the exact body
//! bytes ([`body_digest`]; never a re-serialisation of parsed JSON, which would not be
//! byte-identical). The signature travels in the [`HEADER_SIGNATURE`] header.

use ring::rand::SecureRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::encoding::{b64_decode, b64_encode, sha256_hex};
use crate::error::AuthError;
use crate::scope::Principal;

/// First line of every signing input; bumped if the format ever changes.
pub const SIGNATURE_VERSION: &str = "zhifa-sig-v1";
/// Request header carrying the device id.
pub const HEADER_DEVICE_ID: &str = "x-zhifa-device-id";
/// Request header carrying the batch sequence number (decimal).
pub const HEADER_BATCH_SEQ: &str = "x-zhifa-batch-seq";
/// Request header carrying the base64url Ed25519 signature.
pub const HEADER_SIGNATURE: &str = "x-zhifa-signature";
/// Length of an Ed25519 public key in bytes.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Length of an Ed25519 signature in bytes.
pub const SIGNATURE_LEN: usize = 64;

/// A device's Ed25519 signing key (client side).
#[derive(Debug)]
pub struct DeviceKey {
    pair: Ed25519KeyPair,
}

impl DeviceKey {
    /// Generates a new key with `rng`; returns the key and its PKCS#8 (v2) document, which the
    /// device must store securely to load the key again with [`DeviceKey::from_pkcs8`].
    pub fn generate(rng: &dyn SecureRandom) -> Result<(Self, Vec<u8>), AuthError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(rng).map_err(|source| AuthError::Rng { source })?;
        let key = Self::from_pkcs8(pkcs8.as_ref())?;
        Ok((key, pkcs8.as_ref().to_vec()))
    }

    /// Loads a key from a PKCS#8 v2 document (as made by [`DeviceKey::generate`]).
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, AuthError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|source| AuthError::BadDeviceKey { source })?;
        Ok(Self { pair })
    }

    /// The public key, base64url without padding (43 characters): what the device registers.
    pub fn public_key_b64(&self) -> String {
        b64_encode(self.pair.public_key().as_ref())
    }

    /// Signs `message`; returns the signature, base64url without padding (86 characters).
    pub fn sign(&self, message: &[u8]) -> String {
        b64_encode(self.pair.sign(message).as_ref())
    }

    /// Signs a push request: `self.sign(&req.signing_input())`.
    pub fn sign_push(&self, req: &PushRequest<'_>) -> String {
        self.sign(&req.signing_input())
    }
}

/// The parts of a push request that the signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushRequest<'a> {
    /// HTTP method as sent, e.g. `"POST"` (not case-normalised).
    pub method: &'a str,
    /// Request target as sent: path plus `?query` if any, e.g. `"/api/v1/sync/push"`.
    pub path: &'a str,
    /// The device id (also in [`HEADER_DEVICE_ID`]).
    pub device_id: &'a str,
    /// The batch sequence number (also in [`HEADER_BATCH_SEQ`]).
    pub batch_seq: u64,
    /// The exact body bytes as sent on the wire.
    pub body: &'a [u8],
}

impl PushRequest<'_> {
    /// [`signing_input`] of this request, with the body digested by [`body_digest`].
    pub fn signing_input(&self) -> Vec<u8> {
        signing_input(self.method, self.path, self.device_id, self.batch_seq, &body_digest(self.body))
    }
}

/// Lowercase hex SHA-256 of the exact body bytes.
pub fn body_digest(body: &[u8]) -> String {
    sha256_hex(body)
}

/// The canonical message a device signs for a push batch:
///
/// ```text
/// zhifa-sig-v1\n<method>\n<path>\n<device_id>\n<batch_seq>\n<body_sha256_hex>
/// ```
///
/// No trailing newline; `batch_seq` in decimal. So that the result is ASCII and no two different
/// field lists give the same bytes, every byte of a field outside printable ASCII (0x20–0x7E),
/// and `%` itself, is written as `%XX` (uppercase hex); ordinary paths and ids are unchanged.
pub fn signing_input(method: &str, path: &str, device_id: &str, batch_seq: u64, body_sha256_hex: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + method.len() + path.len() + device_id.len() + body_sha256_hex.len());
    out.extend_from_slice(SIGNATURE_VERSION.as_bytes());
    for field in [method, path, device_id, &batch_seq.to_string(), body_sha256_hex] {
        out.push(b'\n');
        for &b in field.as_bytes() {
            if (0x20..=0x7e).contains(&b) && b != b'%' {
                out.push(b);
            } else {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]]);
            }
        }
    }
    out
}

/// Checks that `public_key_b64` is a base64url (unpadded) 32-byte Ed25519 public key; use at
/// device registration.
pub fn validate_public_key(public_key_b64: &str) -> Result<(), AuthError> {
    match b64_decode(public_key_b64) {
        Some(bytes) if bytes.len() == PUBLIC_KEY_LEN => Ok(()),
        _ => Err(AuthError::BadPublicKey),
    }
}

/// Verifies a base64url Ed25519 `signature_b64` over `message` under `public_key_b64`.
///
/// Any failure (malformed key or signature, wrong key, altered message) is
/// [`AuthError::BadSignature`].
pub fn verify_signature(public_key_b64: &str, message: &[u8], signature_b64: &str) -> Result<(), AuthError> {
    let key = b64_decode(public_key_b64).filter(|k| k.len() == PUBLIC_KEY_LEN).ok_or(AuthError::BadSignature)?;
    let sig = b64_decode(signature_b64).filter(|s| s.len() == SIGNATURE_LEN).ok_or(AuthError::BadSignature)?;
    UnparsedPublicKey::new(&ED25519, key).verify(message, &sig).map_err(|_| AuthError::BadSignature)
}

/// The server's record of a registered device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// The device id.
    pub device_id: String,
    /// The officer the device is registered to.
    pub officer_id: String,
    /// The device's Ed25519 public key, base64url.
    pub public_key_b64: String,
    /// Revoked by an administrator (lost or stolen tablet).
    pub revoked: bool,
}

/// The server's check of a signed push: `device` is the record looked up by `req.device_id`
/// (`None`: not registered), `principal` the caller resolved from the access token.
///
/// - no record, a record for another device or another officer, or a session bound to another
///   device: [`AuthError::DeviceUnknown`];
/// - revoked device: [`AuthError::DeviceRevoked`];
/// - signature not valid over `req`: [`AuthError::BadSignature`].
pub fn verify_push(
    device: Option<&DeviceRecord>,
    principal: &Principal,
    req: &PushRequest<'_>,
    signature_b64: &str,
) -> Result<(), AuthError> {
    let Some(device) = device else { return Err(AuthError::DeviceUnknown) };
    if device.device_id != req.device_id
        || device.officer_id != principal.officer_id
        || principal.device_id.as_deref().is_some_and(|bound| bound != req.device_id)
    {
        return Err(AuthError::DeviceUnknown);
    }
    if device.revoked {
        return Err(AuthError::DeviceRevoked);
    }
    verify_signature(&device.public_key_b64, &req.signing_input(), signature_b64)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use ring::rand::SystemRandom;

    use super::*;
    use crate::scope::Scope;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// RFC 8032 §7.1, TEST 1 (empty message).
    const RFC8032_SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const RFC8032_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const RFC8032_SIG: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    #[test]
    fn rfc8032_test_1_known_answer() {
        let (public, sig) = (unhex(RFC8032_PUBLIC), unhex(RFC8032_SIG));
        // ring verifies the published signature…
        assert!(UnparsedPublicKey::new(&ED25519, &public).verify(b"", &sig).is_ok());
        // …and so does our base64url wrapper, which also rejects it over another message.
        let (pk_b64, sig_b64) = (b64_encode(&public), b64_encode(&sig));
        assert!(verify_signature(&pk_b64, b"", &sig_b64).is_ok());
        assert_eq!(verify_signature(&pk_b64, b"x", &sig_b64).unwrap_err().code(), "AUTH_BAD_SIGNATURE");
        // Ed25519 is deterministic: ring signs the vector to the same bytes.
        let pair = Ed25519KeyPair::from_seed_and_public_key(&unhex(RFC8032_SECRET), &public).unwrap();
        assert_eq!(pair.sign(b"").as_ref(), sig.as_slice());
    }

    #[test]
    fn generated_keys_round_trip_through_pkcs8() {
        let rng = SystemRandom::new();
        let (key, pkcs8) = DeviceKey::generate(&rng).unwrap();
        let again = DeviceKey::from_pkcs8(&pkcs8).unwrap();
        assert_eq!(key.public_key_b64(), again.public_key_b64());
        assert_eq!(key.public_key_b64().len(), 43);
        assert!(validate_public_key(&key.public_key_b64()).is_ok());
        let sig = again.sign(b"hello");
        assert_eq!(sig.len(), 86);
        assert!(verify_signature(&key.public_key_b64(), b"hello", &sig).is_ok());
        let (other, _) = DeviceKey::generate(&rng).unwrap();
        assert_ne!(other.public_key_b64(), key.public_key_b64());
        assert_eq!(verify_signature(&other.public_key_b64(), b"hello", &sig).unwrap_err().code(), "AUTH_BAD_SIGNATURE");
        assert_eq!(DeviceKey::from_pkcs8(b"not a key").unwrap_err().code(), "AUTH_BAD_DEVICE_KEY");
    }

    #[test]
    fn public_key_validation() {
        assert!(validate_public_key(&b64_encode(&[7u8; 32])).is_ok());
        for bad in [
            String::new(),
            b64_encode(&[7u8; 31]),
            b64_encode(&[7u8; 33]),
            "!!!".into(),
            format!("{}=", b64_encode(&[7u8; 32])),
        ] {
            assert_eq!(validate_public_key(&bad).unwrap_err().code(), "AUTH_BAD_PUBLIC_KEY", "{bad}");
        }
    }

    #[test]
    fn malformed_signatures_and_keys_are_bad_signatures() {
        let (key, _) = DeviceKey::generate(&SystemRandom::new()).unwrap();
        let pk = key.public_key_b64();
        let sig = key.sign(b"m");
        for (pk, sig) in [
            (pk.as_str(), ""),
            (pk.as_str(), "not base64!"),
            (pk.as_str(), &sig[..85]),
            ("", sig.as_str()),
            ("AAAA", sig.as_str()),
        ] {
            assert_eq!(verify_signature(pk, b"m", sig).unwrap_err().code(), "AUTH_BAD_SIGNATURE");
        }
    }

    #[test]
    fn signing_input_format() {
        let digest = body_digest(b"");
        assert_eq!(digest, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let input = signing_input("POST", "/api/v1/sync/push", "dev-1", 42, &digest);
        assert_eq!(
            String::from_utf8(input).unwrap(),
            format!("zhifa-sig-v1\nPOST\n/api/v1/sync/push\ndev-1\n42\n{digest}")
        );
        let req = PushRequest { method: "POST", path: "/p", device_id: "d", batch_seq: 7, body: b"{}" };
        assert_eq!(req.signing_input(), signing_input("POST", "/p", "d", 7, &body_digest(b"{}")));
    }

    #[test]
    fn signing_input_is_ascii_and_unambiguous() {
        // Moving a newline from one field to the next must change the bytes.
        let a = signing_input("POST", "/a\nb", "c", 1, "00");
        let b = signing_input("POST", "/a", "b\nc", 1, "00");
        assert_ne!(a, b);
        let c = signing_input("POST", "/a%0Ab", "c", 1, "00");
        assert_ne!(a, c, "a literal %0A differs from an encoded newline");
        let d = signing_input("POST", "/设备", "c", 1, "00");
        assert!(d.is_ascii());
        assert_eq!(String::from_utf8(d).unwrap(), "zhifa-sig-v1\nPOST\n/%E8%AE%BE%E5%A4%87\nc\n1\n00");
    }

    struct Fixture {
        key: DeviceKey,
        record: DeviceRecord,
        principal: Principal,
    }

    fn fixture() -> Fixture {
        let (key, _) = DeviceKey::generate(&SystemRandom::new()).unwrap();
        let record = DeviceRecord {
            device_id: "dev-1".into(),
            officer_id: "officer-1".into(),
            public_key_b64: key.public_key_b64(),
            revoked: false,
        };
        let principal = Principal {
            officer_id: "officer-1".into(),
            roles: vec!["inspector".into()],
            scope: Scope::county("141102"),
            device_id: Some("dev-1".into()),
        };
        Fixture { key, record, principal }
    }

    const BODY: &[u8] = br#"{"changes":[{"entity":"inspection","op":"upsert"}]}"#;

    fn push(body: &[u8]) -> PushRequest<'_> {
        PushRequest { method: "POST", path: "/api/v1/sync/push", device_id: "dev-1", batch_seq: 5, body }
    }

    #[test]
    fn a_signed_push_verifies() {
        let f = fixture();
        let sig = f.key.sign_push(&push(BODY));
        assert!(verify_push(Some(&f.record), &f.principal, &push(BODY), &sig).is_ok());
        let unbound = Principal { device_id: None, ..f.principal.clone() };
        assert!(verify_push(Some(&f.record), &unbound, &push(BODY), &sig).is_ok());
    }

    #[test]
    fn tampering_fails() {
        let f = fixture();
        let sig = f.key.sign_push(&push(BODY));
        let check = |req: &PushRequest<'_>| verify_push(Some(&f.record), &f.principal, req, &sig).unwrap_err().code();

        // Tampered body, even a JSON-equivalent re-serialisation.
        assert_eq!(check(&push(br#"{"changes":[{"entity":"inspection","op":"delete"}]}"#)), "AUTH_BAD_SIGNATURE");
        assert_eq!(check(&push(br#"{ "changes":[{"entity":"inspection","op":"upsert"}]}"#)), "AUTH_BAD_SIGNATURE");
        // Another sequence number (replaying a batch under another seq).
        assert_eq!(check(&PushRequest { batch_seq: 6, ..push(BODY) }), "AUTH_BAD_SIGNATURE");
        // Another path or method.
        assert_eq!(check(&PushRequest { path: "/api/v1/sync/pull", ..push(BODY) }), "AUTH_BAD_SIGNATURE");
        assert_eq!(check(&PushRequest { method: "PUT", ..push(BODY) }), "AUTH_BAD_SIGNATURE");
    }

    #[test]
    fn other_device_fails() {
        let f = fixture();
        let sig = f.key.sign_push(&push(BODY));
        // The same signature presented as if from another registered device of the same officer.
        let (other_key, _) = DeviceKey::generate(&SystemRandom::new()).unwrap();
        let other =
            DeviceRecord { device_id: "dev-2".into(), public_key_b64: other_key.public_key_b64(), ..f.record.clone() };
        let as_other = PushRequest { device_id: "dev-2", ..push(BODY) };
        let unbound = Principal { device_id: None, ..f.principal.clone() };
        assert_eq!(verify_push(Some(&other), &unbound, &as_other, &sig).unwrap_err().code(), "AUTH_BAD_SIGNATURE");
        // Signed by another device's key under this device's id.
        let forged = other_key.sign_push(&push(BODY));
        assert_eq!(
            verify_push(Some(&f.record), &f.principal, &push(BODY), &forged).unwrap_err().code(),
            "AUTH_BAD_SIGNATURE"
        );
        // A session bound to dev-1 cannot push as dev-2.
        assert_eq!(
            verify_push(Some(&other), &f.principal, &as_other, &forged).unwrap_err().code(),
            "AUTH_DEVICE_UNKNOWN"
        );
    }

    #[test]
    fn device_state_checks() {
        let f = fixture();
        let sig = f.key.sign_push(&push(BODY));
        assert_eq!(verify_push(None, &f.principal, &push(BODY), &sig).unwrap_err().code(), "AUTH_DEVICE_UNKNOWN");
        let revoked = DeviceRecord { revoked: true, ..f.record.clone() };
        assert_eq!(
            verify_push(Some(&revoked), &f.principal, &push(BODY), &sig).unwrap_err().code(),
            "AUTH_DEVICE_REVOKED"
        );
        let someone_else = Principal { officer_id: "officer-2".into(), device_id: None, ..f.principal.clone() };
        assert_eq!(
            verify_push(Some(&f.record), &someone_else, &push(BODY), &sig).unwrap_err().code(),
            "AUTH_DEVICE_UNKNOWN",
            "a device registered to another officer"
        );
        let mismatched = DeviceRecord { device_id: "dev-9".into(), ..f.record.clone() };
        assert_eq!(
            verify_push(Some(&mismatched), &f.principal, &push(BODY), &sig).unwrap_err().code(),
            "AUTH_DEVICE_UNKNOWN"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Flipping any bits of any single byte of a signed message breaks verification.
        #[test]
        fn single_byte_flip_fails(
            body in proptest::collection::vec(any::<u8>(), 0..512),
            seq in any::<u64>(),
            index in any::<prop::sample::Index>(),
            mask in 1u8..=255,
        ) {
            let f = fixture();
            let req = PushRequest { method: "POST", path: "/api/v1/sync/push", device_id: "dev-1", batch_seq: seq, body: &body };
            let message = req.signing_input();
            let sig = f.key.sign(&message);
            prop_assert!(verify_signature(&f.record.public_key_b64, &message, &sig).is_ok());
            let mut flipped = message.clone();
            let i = index.index(flipped.len());
            flipped[i] ^= mask;
            prop_assert_eq!(verify_signature(&f.record.public_key_b64, &flipped, &sig).unwrap_err().code(), "AUTH_BAD_SIGNATURE");
            // The same holds for a flipped body byte, through the digest.
            if !body.is_empty() {
                let mut tampered = body.clone();
                let j = index.index(tampered.len());
                tampered[j] ^= mask;
                let req2 = PushRequest { body: &tampered, ..req };
                prop_assert!(verify_push(Some(&f.record), &f.principal, &req2, &f.key.sign_push(&req)).is_err());
            }
        }
    }
}
