//! Opaque bearer tokens with refresh-token rotation and reuse detection.
//!
//! A token is 32 random bytes in base64url (43 characters). The client keeps the token; the
//! server keeps only a [`StoredToken`] whose `hash` is the hex SHA-256 of the token text, and
//! looks tokens up by [`token_hash`]. A leaked database therefore yields no usable token.
//!
//! One login creates a *family* (`family_id`): an access token (default 15 minutes) and a refresh
//! token (default 30 days). Exchanging a refresh token ([`rotate_refresh`]) marks it `replaced`
//! and issues a new pair in the same family. Presenting a replaced refresh token again means two
//! parties hold it (one of them is an attacker), so [`rotate_refresh`] answers
//! [`AuthError::RefreshReused`] and the server revokes the whole family.

use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use crate::encoding::{b64_encode, random_bytes, sha256_hex};
use crate::error::AuthError;

/// Random bytes in a token.
pub const TOKEN_BYTES: usize = 32;

/// Access token or refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Short-lived; sent as `Authorization: Bearer` on every request.
    Access,
    /// Long-lived; only ever sent to the refresh endpoint.
    Refresh,
}

impl TokenKind {
    /// `"access"` or `"refresh"` (the serde form, for a database column).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// Token lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTtl {
    /// Access-token lifetime in milliseconds.
    pub access_ms: u64,
    /// Refresh-token lifetime in milliseconds (each rotation starts a new one).
    pub refresh_ms: u64,
}

impl TokenTtl {
    /// 15 minutes / 30 days.
    pub const DEFAULT: Self = Self { access_ms: 15 * 60 * 1000, refresh_ms: 30 * 24 * 60 * 60 * 1000 };
}

impl Default for TokenTtl {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What the client receives after login or refresh (the only place the token texts exist).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPair {
    /// Access token (base64url, 43 characters).
    pub access: String,
    /// Refresh token (base64url, 43 characters).
    pub refresh: String,
    /// When the access token expires, milliseconds since the Unix epoch.
    pub access_expires_ms: u64,
    /// When the refresh token expires, milliseconds since the Unix epoch.
    pub refresh_expires_ms: u64,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("access", &"<redacted>")
            .field("refresh", &"<redacted>")
            .field("access_expires_ms", &self.access_expires_ms)
            .field("refresh_expires_ms", &self.refresh_expires_ms)
            .finish()
    }
}

/// The server's record of one token. The server adds its own columns (officer, device, created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredToken {
    /// Lowercase hex SHA-256 of the token text ([`token_hash`]); the lookup key.
    pub hash: String,
    /// The login session the token belongs to (a UUID).
    pub family_id: String,
    /// Access or refresh.
    pub kind: TokenKind,
    /// Expiry, milliseconds since the Unix epoch (the token is dead from this instant on).
    pub expires_ms: u64,
    /// Revoked (logout, reuse detected, device or officer revoked).
    pub revoked: bool,
    /// A refresh token already exchanged for a new pair.
    pub replaced: bool,
}

/// The go-ahead to exchange a refresh token, from [`rotate_refresh`].
///
/// The server must, in one transaction: set `replaced = true` on `replaced_hash` *only if it is
/// still false* (a conditional update; if no row changed, a concurrent request won the race:
/// treat it as [`AuthError::RefreshReused`]), then store the tokens from
/// [`RotateDecision::issue_next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateDecision {
    /// The family the new pair belongs to.
    pub family_id: String,
    /// Hash of the refresh token being exchanged (to mark `replaced`).
    pub replaced_hash: String,
}

impl RotateDecision {
    /// Issues the next pair of the same family.
    pub fn issue_next(
        &self,
        rng: &dyn SecureRandom,
        now_ms: u64,
        ttl: &TokenTtl,
    ) -> Result<(TokenPair, StoredToken, StoredToken), AuthError> {
        issue_in_family(rng, now_ms, ttl, &self.family_id)
    }
}

/// A fresh random token: 32 bytes from `rng`, base64url without padding.
pub fn random_token(rng: &dyn SecureRandom) -> Result<String, AuthError> {
    Ok(b64_encode(&random_bytes::<TOKEN_BYTES>(rng)?))
}

/// The stored form of a token: lowercase hex SHA-256 of its UTF-8 text.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// The token in an `Authorization` header value `Bearer <token>` (scheme case-insensitive).
pub fn bearer_token(header_value: &str) -> Option<&str> {
    let (scheme, token) = header_value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' ')).then_some(token)
}

/// Issues a new family (a login): the pair for the client, and the access and refresh
/// [`StoredToken`]s (in that order) for the server.
pub fn issue_pair(
    rng: &dyn SecureRandom,
    now_ms: u64,
    ttl: &TokenTtl,
) -> Result<(TokenPair, StoredToken, StoredToken), AuthError> {
    let family_id = uuid::Builder::from_random_bytes(random_bytes(rng)?).into_uuid().to_string();
    issue_in_family(rng, now_ms, ttl, &family_id)
}

fn issue_in_family(
    rng: &dyn SecureRandom,
    now_ms: u64,
    ttl: &TokenTtl,
    family_id: &str,
) -> Result<(TokenPair, StoredToken, StoredToken), AuthError> {
    let access = random_token(rng)?;
    let refresh = random_token(rng)?;
    let access_expires_ms = now_ms.saturating_add(ttl.access_ms);
    let refresh_expires_ms = now_ms.saturating_add(ttl.refresh_ms);
    let stored = |token: &str, kind, expires_ms| StoredToken {
        hash: token_hash(token),
        family_id: family_id.to_owned(),
        kind,
        expires_ms,
        revoked: false,
        replaced: false,
    };
    let stored_access = stored(&access, TokenKind::Access, access_expires_ms);
    let stored_refresh = stored(&refresh, TokenKind::Refresh, refresh_expires_ms);
    Ok((TokenPair { access, refresh, access_expires_ms, refresh_expires_ms }, stored_access, stored_refresh))
}

/// Whether an access token may be used at `now_ms`. `stored` is the server's lookup by
/// [`token_hash`] (`None`: unknown token).
///
/// Unknown, refresh-kind, revoked or replaced: [`AuthError::TokenInvalid`]; past `expires_ms`:
/// [`AuthError::TokenExpired`] (the client then refreshes).
pub fn check_access(stored: Option<&StoredToken>, now_ms: u64) -> Result<(), AuthError> {
    let Some(t) = stored else { return Err(AuthError::TokenInvalid) };
    if t.kind != TokenKind::Access || t.revoked || t.replaced {
        return Err(AuthError::TokenInvalid);
    }
    if now_ms >= t.expires_ms {
        return Err(AuthError::TokenExpired);
    }
    Ok(())
}

/// Decides on a refresh request at `now_ms`. `stored` is the server's lookup by [`token_hash`].
///
/// - already `replaced`: [`AuthError::RefreshReused`] with the family to revoke (checked first,
///   so reuse is reported even when the family is already revoked or the token has expired);
/// - unknown, access-kind or revoked: [`AuthError::TokenInvalid`];
/// - expired: [`AuthError::TokenExpired`] (log in again);
/// - otherwise the go-ahead, see [`RotateDecision`].
pub fn rotate_refresh(stored: Option<&StoredToken>, now_ms: u64) -> Result<RotateDecision, AuthError> {
    let Some(t) = stored else { return Err(AuthError::TokenInvalid) };
    if t.kind != TokenKind::Refresh {
        return Err(AuthError::TokenInvalid);
    }
    if t.replaced {
        return Err(AuthError::RefreshReused { family_id: t.family_id.clone() });
    }
    if t.revoked {
        return Err(AuthError::TokenInvalid);
    }
    if now_ms >= t.expires_ms {
        return Err(AuthError::TokenExpired);
    }
    Ok(RotateDecision { family_id: t.family_id.clone(), replaced_hash: t.hash.clone() })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use ring::rand::SystemRandom;

    use super::*;

    const T0: u64 = 1_700_000_000_000;

    /// A toy token table standing in for the server's database.
    #[derive(Default)]
    struct Table(HashMap<String, StoredToken>);

    impl Table {
        fn insert(&mut self, t: StoredToken) {
            self.0.insert(t.hash.clone(), t);
        }
        fn get(&self, token: &str) -> Option<&StoredToken> {
            self.0.get(&token_hash(token))
        }
        fn login(&mut self, now_ms: u64) -> TokenPair {
            let (pair, a, r) = issue_pair(&SystemRandom::new(), now_ms, &TokenTtl::DEFAULT).unwrap();
            self.insert(a);
            self.insert(r);
            pair
        }
        /// The server's refresh handler.
        fn refresh(&mut self, refresh: &str, now_ms: u64) -> Result<TokenPair, AuthError> {
            match rotate_refresh(self.get(refresh), now_ms) {
                Ok(d) => {
                    self.0.get_mut(&d.replaced_hash).unwrap().replaced = true;
                    let (pair, a, r) = d.issue_next(&SystemRandom::new(), now_ms, &TokenTtl::DEFAULT).unwrap();
                    self.insert(a);
                    self.insert(r);
                    Ok(pair)
                }
                Err(AuthError::RefreshReused { family_id }) => {
                    self.0.values_mut().filter(|t| t.family_id == family_id).for_each(|t| t.revoked = true);
                    Err(AuthError::RefreshReused { family_id })
                }
                Err(e) => Err(e),
            }
        }
    }

    #[test]
    fn tokens_are_32_random_bytes_base64url_and_only_hashes_are_stored() {
        let rng = SystemRandom::new();
        let (pair, access, refresh) = issue_pair(&rng, T0, &TokenTtl::DEFAULT).unwrap();
        for tok in [&pair.access, &pair.refresh] {
            assert_eq!(tok.len(), 43);
            assert!(tok.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{tok}");
        }
        assert_ne!(pair.access, pair.refresh);
        assert_eq!(access.hash, token_hash(&pair.access));
        assert_eq!(refresh.hash, token_hash(&pair.refresh));
        assert_eq!(access.hash.len(), 64);
        assert!(access.hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!((access.kind, refresh.kind), (TokenKind::Access, TokenKind::Refresh));
        assert_eq!(access.family_id, refresh.family_id);
        assert_eq!(uuid::Uuid::parse_str(&access.family_id).unwrap().get_version_num(), 4);
        assert_eq!(pair.access_expires_ms, T0 + 15 * 60 * 1000);
        assert_eq!(pair.refresh_expires_ms, T0 + 30 * 24 * 3600 * 1000);
        assert_eq!((access.expires_ms, refresh.expires_ms), (pair.access_expires_ms, pair.refresh_expires_ms));
        let (other, _, other_refresh) = issue_pair(&rng, T0, &TokenTtl::DEFAULT).unwrap();
        assert_ne!(other.access, pair.access);
        assert_ne!(other_refresh.family_id, refresh.family_id);
        let debug = format!("{pair:?}");
        assert!(!debug.contains(&pair.access) && !debug.contains(&pair.refresh), "{debug}");
    }

    #[test]
    fn token_hash_known_answer() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn access_token_expiry() {
        let mut db = Table::default();
        let pair = db.login(T0);
        assert!(check_access(db.get(&pair.access), T0).is_ok());
        assert!(check_access(db.get(&pair.access), pair.access_expires_ms - 1).is_ok());
        assert_eq!(
            check_access(db.get(&pair.access), pair.access_expires_ms).unwrap_err().code(),
            "AUTH_TOKEN_EXPIRED"
        );
        assert_eq!(check_access(db.get("nope"), T0).unwrap_err().code(), "AUTH_TOKEN_INVALID");
        assert_eq!(
            check_access(db.get(&pair.refresh), T0).unwrap_err().code(),
            "AUTH_TOKEN_INVALID",
            "a refresh token is no access token"
        );
        let mut revoked = db.get(&pair.access).unwrap().clone();
        revoked.revoked = true;
        assert_eq!(check_access(Some(&revoked), T0).unwrap_err().code(), "AUTH_TOKEN_INVALID");
    }

    #[test]
    fn refresh_token_expiry() {
        let mut db = Table::default();
        let pair = db.login(T0);
        assert_eq!(db.refresh(&pair.refresh, pair.refresh_expires_ms).unwrap_err().code(), "AUTH_TOKEN_EXPIRED");
        assert_eq!(db.refresh(&pair.access, T0).unwrap_err().code(), "AUTH_TOKEN_INVALID");
        assert_eq!(db.refresh("unknown", T0).unwrap_err().code(), "AUTH_TOKEN_INVALID");
        assert!(db.refresh(&pair.refresh, pair.refresh_expires_ms - 1).is_ok());
    }

    #[test]
    fn rotation_issues_a_new_pair_in_the_same_family() {
        let mut db = Table::default();
        let first = db.login(T0);
        let t1 = T0 + 20 * 60 * 1000;
        assert!(check_access(db.get(&first.access), t1).is_err());
        let second = db.refresh(&first.refresh, t1).unwrap();
        assert_ne!(second.refresh, first.refresh);
        assert_eq!(second.refresh_expires_ms, t1 + TokenTtl::DEFAULT.refresh_ms, "sliding refresh lifetime");
        assert_eq!(db.get(&second.refresh).unwrap().family_id, db.get(&first.refresh).unwrap().family_id);
        assert!(db.get(&first.refresh).unwrap().replaced);
        assert!(check_access(db.get(&second.access), t1).is_ok());
        let third = db.refresh(&second.refresh, t1 + 1).unwrap();
        assert!(check_access(db.get(&third.access), t1 + 1).is_ok());
    }

    #[test]
    fn reuse_of_a_rotated_refresh_token_revokes_the_whole_family() {
        let mut db = Table::default();
        let bystander = db.login(T0);
        let stolen = db.login(T0);
        // The legitimate client rotates twice.
        let second = db.refresh(&stolen.refresh, T0 + 1).unwrap();
        let third = db.refresh(&second.refresh, T0 + 2).unwrap();
        // The thief replays the first refresh token.
        let err = db.refresh(&stolen.refresh, T0 + 3).unwrap_err();
        let family = db.get(&stolen.refresh).unwrap().family_id.clone();
        match &err {
            AuthError::RefreshReused { family_id } => assert_eq!(family_id, &family),
            other => panic!("expected RefreshReused, got {other:?}"),
        }
        assert_eq!(err.code(), "AUTH_REFRESH_REUSED");
        // Every token of the family is dead, including the newest ones.
        assert_eq!(check_access(db.get(&third.access), T0 + 3).unwrap_err().code(), "AUTH_TOKEN_INVALID");
        assert_eq!(db.refresh(&third.refresh, T0 + 4).unwrap_err().code(), "AUTH_TOKEN_INVALID");
        // Presenting any replaced token of the family again still reports reuse.
        assert_eq!(db.refresh(&second.refresh, T0 + 5).unwrap_err().code(), "AUTH_REFRESH_REUSED");
        // Other families are untouched.
        assert!(check_access(db.get(&bystander.access), T0 + 5).is_ok());
        assert!(db.refresh(&bystander.refresh, T0 + 5).is_ok());
    }

    #[test]
    fn reuse_is_reported_even_after_expiry() {
        let mut db = Table::default();
        let pair = db.login(T0);
        db.refresh(&pair.refresh, T0 + 1).unwrap();
        assert_eq!(db.refresh(&pair.refresh, pair.refresh_expires_ms + 1).unwrap_err().code(), "AUTH_REFRESH_REUSED");
    }

    #[test]
    fn bearer_header_parsing() {
        assert_eq!(bearer_token("Bearer abc-_1"), Some("abc-_1"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer a b"), None);
    }

    #[test]
    fn serde_forms() {
        let t = StoredToken {
            hash: "00".into(),
            family_id: "f".into(),
            kind: TokenKind::Refresh,
            expires_ms: 5,
            revoked: false,
            replaced: true,
        };
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["kind"], "refresh");
        assert_eq!(serde_json::from_value::<StoredToken>(json).unwrap(), t);
        assert_eq!(TokenKind::Access.as_str(), "access");
        let pair = TokenPair { access: "a".into(), refresh: "r".into(), access_expires_ms: 1, refresh_expires_ms: 2 };
        let back: TokenPair = serde_json::from_str(&serde_json::to_string(&pair).unwrap()).unwrap();
        assert_eq!(back, pair);
    }
}
