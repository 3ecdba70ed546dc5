//! Password hashing (argon2id, PHC string format) and the password policy.
//!
//! Hashes look like `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`: the parameters and the salt
//! travel inside the string, so [`verify_password`] needs no configuration and old hashes keep
//! verifying after [`PasswordParams`] are raised ([`needs_rehash`] tells when to re-hash at the
//! next successful login).

use argon2::password_hash::phc::PasswordHash;
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use crate::encoding::random_bytes;
use crate::error::{AuthError, PasswordPolicyViolation};

/// Minimum password length, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Maximum password length, in characters (bounds the work an attacker can make us do).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Salt length in bytes (the argon2 crate's and RFC 9106's recommendation).
pub const SALT_LEN: usize = 16;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordParams {
    /// Memory cost in KiB (argon2 `m`).
    pub memory_kib: u32,
    /// Number of passes (argon2 `t`).
    pub iterations: u32,
    /// Degree of parallelism (argon2 `p`).
    pub parallelism: u32,
}

impl PasswordParams {
    /// OWASP Password Storage Cheat Sheet's argon2id setting `m=19456 (19 MiB), t=2, p=1`, also
    /// the argon2 crate's default. Use this in production.
    pub const fn owasp() -> Self {
        Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }

    /// The cheapest valid setting (`m=8, t=1, p=1`): for tests only, never for stored passwords.
    pub const fn testing() -> Self {
        Self { memory_kib: 8, iterations: 1, parallelism: 1 }
    }

    fn argon2(&self) -> Result<Argon2<'static>, AuthError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|source| AuthError::BadPasswordParams { source })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self::owasp()
    }
}

/// Hashes `password` with argon2id under `params` and a fresh 16-byte salt from `rng`; returns
/// the PHC string to store.
///
/// Does not apply the password policy: call [`check_password_policy`] when a password is set.
pub fn hash_password(password: &str, params: &PasswordParams, rng: &dyn SecureRandom) -> Result<String, AuthError> {
    let argon2 = params.argon2()?;
    let salt: [u8; SALT_LEN] = random_bytes(rng)?;
    let hash =
        argon2.hash_password_with_salt(password.as_bytes(), &salt).map_err(|source| AuthError::Hashing { source })?;
    Ok(hash.to_string())
}

/// Checks `password` against a stored PHC `hash`: `Ok(true)` on a match, `Ok(false)` on a
/// mismatch, an error when `hash` is not a well-formed argon2id PHC string.
///
/// The cost parameters are taken from `hash` itself.
pub fn verify_password(hash: &str, password: &str) -> Result<bool, AuthError> {
    let parsed = parse_argon2id(hash)?;
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(source) => Err(AuthError::PasswordHashInvalid { source }),
    }
}

/// Whether `hash` was made with parameters other than `params` (or is unreadable), so that the
/// server should store a new hash after the next successful login.
pub fn needs_rehash(hash: &str, params: &PasswordParams) -> bool {
    let Ok(parsed) = parse_argon2id(hash) else { return true };
    let Ok(stored) = Params::try_from(&parsed) else { return true };
    parsed.version != Some(Version::V0x13.into())
        || stored.m_cost() != params.memory_kib
        || stored.t_cost() != params.iterations
        || stored.p_cost() != params.parallelism
}

fn parse_argon2id(hash: &str) -> Result<PasswordHash, AuthError> {
    let parsed = PasswordHash::new(hash).map_err(|e| AuthError::PasswordHashInvalid { source: e.into() })?;
    if parsed.algorithm != ARGON2ID_IDENT {
        return Err(AuthError::PasswordHashInvalid { source: argon2::password_hash::Error::Algorithm });
    }
    Ok(parsed)
}

/// The password policy for new passwords: 8 to 128 characters, at least one letter and one digit,
/// no control characters.
///
/// Letters are Unicode letters (so 汉字 count), digits are ASCII `0`–`9`.
pub fn check_password_policy(password: &str) -> Result<(), AuthError> {
    let weak = |violation| Err(AuthError::WeakPassword { violation });
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return weak(PasswordPolicyViolation::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return weak(PasswordPolicyViolation::TooLong);
    }
    if password.chars().any(char::is_control) {
        return weak(PasswordPolicyViolation::ControlCharacter);
    }
    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return weak(PasswordPolicyViolation::NeedsLettersAndDigits);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;

    fn hash(pw: &str) -> String {
        hash_password(pw, &PasswordParams::testing(), &SystemRandom::new()).unwrap()
    }

    #[test]
    fn round_trip_and_wrong_password() {
        let h = hash("巡查2024abc");
        assert!(verify_password(&h, "巡查2024abc").unwrap());
        assert!(!verify_password(&h, "巡查2024abd").unwrap());
        assert!(!verify_password(&h, "").unwrap());
    }

    #[test]
    fn hashes_are_argon2id_phc_strings_with_the_given_params_and_fresh_salts() {
        let a = hash("secret123");
        let b = hash("secret123");
        assert!(a.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{a}");
        let parts: Vec<&str> = a.split('$').collect();
        assert_eq!(parts.len(), 6, "{a}");
        // 16-byte salt and 32-byte output, unpadded standard base64 (PHC "B64").
        assert_eq!(parts[4].len(), 22);
        assert_eq!(parts[5].len(), 43);
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password(&b, "secret123").unwrap());
    }

    #[test]
    fn owasp_params_are_default_and_valid() {
        assert_eq!(PasswordParams::default(), PasswordParams { memory_kib: 19_456, iterations: 2, parallelism: 1 });
        assert!(PasswordParams::owasp().argon2().is_ok());
    }

    #[test]
    fn invalid_params_are_an_error() {
        let bad = PasswordParams { memory_kib: 1, iterations: 1, parallelism: 1 };
        let e = hash_password("secret123", &bad, &SystemRandom::new()).unwrap_err();
        assert_eq!(e.code(), "AUTH_BAD_PASSWORD_PARAMS");
    }

    #[test]
    fn verification_follows_the_params_inside_the_hash() {
        let cheap = hash("secret123");
        let other = PasswordParams { memory_kib: 16, iterations: 2, parallelism: 1 };
        let dearer = hash_password("secret123", &other, &SystemRandom::new()).unwrap();
        assert!(dearer.starts_with("$argon2id$v=19$m=16,t=2,p=1$"), "{dearer}");
        assert!(verify_password(&cheap, "secret123").unwrap());
        assert!(verify_password(&dearer, "secret123").unwrap());
        assert!(!needs_rehash(&cheap, &PasswordParams::testing()));
        assert!(needs_rehash(&cheap, &other));
        assert!(!needs_rehash(&dearer, &other));
        assert!(needs_rehash("garbage", &other));
    }

    #[test]
    fn malformed_or_foreign_hashes_are_errors_not_mismatches() {
        for bad in ["", "plaintext", "$argon2id$v=19$m=8,t=1,p=1$", "$2b$12$abcdefghijklmnopqrstuv"] {
            let e = verify_password(bad, "secret123").unwrap_err();
            assert_eq!(e.code(), "AUTH_PASSWORD_HASH_INVALID", "{bad}");
        }
        // A valid argon2i string (not argon2id) is refused too.
        let argon2i = hash("secret123").replacen("$argon2id$", "$argon2i$", 1);
        assert_eq!(verify_password(&argon2i, "secret123").unwrap_err().code(), "AUTH_PASSWORD_HASH_INVALID");
    }

    #[test]
    fn policy() {
        use PasswordPolicyViolation::*;
        let violation = |pw: &str| match check_password_policy(pw) {
            Ok(()) => None,
            Err(AuthError::WeakPassword { violation }) => Some(violation),
            Err(e) => panic!("unexpected {e:?}"),
        };
        assert_eq!(violation("abcd1234"), None);
        assert_eq!(violation("执法检查2024"), None, "汉字 count as letters");
        assert_eq!(violation("abc1234"), Some(TooShort));
        assert_eq!(violation("执法123"), Some(TooShort), "length is in characters, not bytes");
        assert_eq!(violation("abcdefgh"), Some(NeedsLettersAndDigits));
        assert_eq!(violation("12345678"), Some(NeedsLettersAndDigits));
        assert_eq!(violation("abcd 1234\n"), Some(ControlCharacter));
        assert_eq!(violation(&format!("a1{}", "x".repeat(127))), Some(TooLong));
        assert_eq!(violation(&format!("a1{}", "x".repeat(126))), None);
        let e = check_password_policy("short1").unwrap_err();
        assert_eq!(e.code(), "AUTH_WEAK_PASSWORD");
        assert_eq!(e.to_string(), "密码不符合要求：长度不能少于8位");
    }
}
