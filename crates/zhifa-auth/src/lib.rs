//! Authentication building blocks for Zhifa, shared by the sync server and the tablet's sync client.
//!
//! The crate is pure policy and cryptography: it does no IO, reads no clock (every function that
//! needs the time takes `now_ms`, milliseconds since the Unix epoch, from the caller) and draws
//! randomness only from a [`ring::rand::SecureRandom`] passed in (in production
//! `ring::rand::SystemRandom`).
//!
//! - [`password`]: argon2id password hashes (PHC strings) and the password policy.
//! - [`lockout`]: failed-login counting and temporary account lockout.
//! - [`token`]: opaque access/refresh tokens, stored only as SHA-256 hashes, with refresh-token
//!   rotation and reuse detection.
//! - [`device`]: Ed25519 device keys and the canonical signed message of a push batch.
//! - [`scope`]: the authenticated principal and its county scope.
//!
//! The scheme as a whole (login, device registration, signed pushes, revocation, lockout) is
//! described in `docs/auth.md`.

pub mod device;
pub mod error;
pub mod lockout;
pub mod password;
pub mod scope;
pub mod token;

mod encoding;

pub use device::{
    DeviceKey, DeviceRecord, PushRequest, SIGNATURE_VERSION, body_digest, signing_input, validate_public_key,
    verify_push, verify_signature,
};
pub use error::{AuthError, PasswordPolicyViolation};
pub use lockout::{LockoutPolicy, LoginAttempts};
pub use password::{PasswordParams, check_password_policy, hash_password, needs_rehash, verify_password};
pub use scope::{Principal, Scope};
pub use token::{
    RotateDecision, StoredToken, TokenKind, TokenPair, TokenTtl, bearer_token, check_access, issue_pair, random_token,
    rotate_refresh, token_hash,
};

/// Result type of this crate.
pub type Result<T, E = AuthError> = std::result::Result<T, E>;
