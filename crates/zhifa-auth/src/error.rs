//! The crate's error type: a stable code for machines, a Chinese message for users.

use thiserror::Error;

/// Why a password was refused by [`crate::check_password_policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PasswordPolicyViolation {
    /// Fewer than [`crate::password::MIN_PASSWORD_CHARS`] characters.
    #[error("长度不能少于8位")]
    TooShort,
    /// More than [`crate::password::MAX_PASSWORD_CHARS`] characters.
    #[error("长度不能超过128位")]
    TooLong,
    /// No letter or no digit.
    #[error("必须同时包含字母和数字")]
    NeedsLettersAndDigits,
    /// Contains a control character (line breaks, tabs, NUL…).
    #[error("不能包含换行符等控制字符")]
    ControlCharacter,
}

/// Everything that can go wrong in authentication.
///
/// `Display` is a Chinese message fit to show a user; [`AuthError::code`] is stable and is what
/// clients and logs should match on. Messages never tell whether an account exists.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Unknown user or wrong password (deliberately indistinguishable).
    #[error("用户名或密码错误")]
    BadCredentials,
    /// Too many failed logins; logins are refused until `until_ms`.
    #[error("登录失败次数过多，账号已被临时锁定，请稍后再试")]
    Locked {
        /// End of the lock, milliseconds since the Unix epoch.
        until_ms: u64,
    },
    /// The token was valid but has expired.
    #[error("登录已过期，请重新登录")]
    TokenExpired,
    /// The token is unknown, of the wrong kind, or revoked.
    #[error("登录凭证无效，请重新登录")]
    TokenInvalid,
    /// A refresh token that had already been exchanged was presented again: the token has
    /// probably leaked, so the caller must revoke every token of `family_id`.
    #[error("登录凭证已被重复使用，为保护账号安全已注销该登录，请重新登录")]
    RefreshReused {
        /// The token family (one login session) to revoke.
        family_id: String,
    },
    /// The device has been revoked by an administrator.
    #[error("该设备已被停用，请联系管理员")]
    DeviceRevoked,
    /// The device is not registered, or not registered to the signed-in officer.
    #[error("本设备尚未登记或不属于当前用户，请重新登录以登记设备")]
    DeviceUnknown,
    /// A request signature did not verify (tampered body, wrong device, wrong key, malformed).
    #[error("数据签名校验失败，请求已被拒绝")]
    BadSignature,
    /// A public key offered at device registration is not a base64url Ed25519 public key.
    #[error("设备公钥格式无效")]
    BadPublicKey,
    /// A device's private key (PKCS#8) could not be loaded.
    #[error("设备密钥无效或已损坏，请重新登记设备")]
    BadDeviceKey {
        /// What ring rejected.
        #[source]
        source: ring::error::KeyRejected,
    },
    /// A new password breaks the password policy.
    #[error("密码不符合要求：{violation}")]
    WeakPassword {
        /// Which rule.
        violation: PasswordPolicyViolation,
    },
    /// A stored password hash is not a well-formed argon2id PHC string.
    #[error("系统中保存的密码数据已损坏，请联系管理员")]
    PasswordHashInvalid {
        /// The parsing or verification error.
        #[source]
        source: argon2::password_hash::Error,
    },
    /// The configured argon2 parameters are out of range.
    #[error("密码加密参数配置错误，请联系管理员")]
    BadPasswordParams {
        /// argon2's complaint.
        #[source]
        source: argon2::Error,
    },
    /// Computing a password hash failed.
    #[error("密码加密失败，请稍后重试")]
    Hashing {
        /// argon2's error.
        #[source]
        source: argon2::password_hash::Error,
    },
    /// The system random number generator failed.
    #[error("系统随机数生成失败，请稍后重试")]
    Rng {
        /// ring's (deliberately opaque) error.
        #[source]
        source: ring::error::Unspecified,
    },
}

impl AuthError {
    /// Stable machine-readable code, e.g. `"AUTH_LOCKED"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadCredentials => "AUTH_BAD_CREDENTIALS",
            Self::Locked { .. } => "AUTH_LOCKED",
            Self::TokenExpired => "AUTH_TOKEN_EXPIRED",
            Self::TokenInvalid => "AUTH_TOKEN_INVALID",
            Self::RefreshReused { .. } => "AUTH_REFRESH_REUSED",
            Self::DeviceRevoked => "AUTH_DEVICE_REVOKED",
            Self::DeviceUnknown => "AUTH_DEVICE_UNKNOWN",
            Self::BadSignature => "AUTH_BAD_SIGNATURE",
            Self::BadPublicKey => "AUTH_BAD_PUBLIC_KEY",
            Self::BadDeviceKey { .. } => "AUTH_BAD_DEVICE_KEY",
            Self::WeakPassword { .. } => "AUTH_WEAK_PASSWORD",
            Self::PasswordHashInvalid { .. } => "AUTH_PASSWORD_HASH_INVALID",
            Self::BadPasswordParams { .. } => "AUTH_BAD_PASSWORD_PARAMS",
            Self::Hashing { .. } => "AUTH_HASHING_FAILED",
            Self::Rng { .. } => "AUTH_RNG_FAILED",
        }
    }

    /// The HTTP status a server should answer with (no HTTP dependency here, hence `u16`).
    ///
    /// 401 for credentials and tokens, 403 for devices, 423 for a locked account, 400/422 for bad
    /// input, 500 for faults on the server's side.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::BadCredentials
            | Self::TokenExpired
            | Self::TokenInvalid
            | Self::RefreshReused { .. }
            | Self::BadSignature => 401,
            Self::DeviceRevoked | Self::DeviceUnknown => 403,
            Self::Locked { .. } => 423,
            Self::BadPublicKey => 400,
            Self::WeakPassword { .. } => 422,
            Self::BadDeviceKey { .. }
            | Self::PasswordHashInvalid { .. }
            | Self::BadPasswordParams { .. }
            | Self::Hashing { .. }
            | Self::Rng { .. } => 500,
        }
    }

    /// For [`AuthError::Locked`], milliseconds until logins are accepted again (for a
    /// `Retry-After` header); `None` for every other error.
    pub fn retry_after_ms(&self, now_ms: u64) -> Option<u64> {
        match self {
            Self::Locked { until_ms } => Some(until_ms.saturating_sub(now_ms)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::error::Error as _;

    use super::*;

    fn samples() -> Vec<AuthError> {
        vec![
            AuthError::BadCredentials,
            AuthError::Locked { until_ms: 10 },
            AuthError::TokenExpired,
            AuthError::TokenInvalid,
            AuthError::RefreshReused { family_id: "f".into() },
            AuthError::DeviceRevoked,
            AuthError::DeviceUnknown,
            AuthError::BadSignature,
            AuthError::BadPublicKey,
            AuthError::BadDeviceKey { source: ring::signature::Ed25519KeyPair::from_pkcs8(b"x").unwrap_err() },
            AuthError::WeakPassword { violation: PasswordPolicyViolation::TooShort },
            AuthError::PasswordHashInvalid { source: argon2::password_hash::Error::EncodingInvalid },
            AuthError::BadPasswordParams { source: argon2::Error::MemoryTooLittle },
            AuthError::Hashing { source: argon2::password_hash::Error::Crypto },
            AuthError::Rng { source: ring::error::Unspecified },
        ]
    }

    #[test]
    fn codes_are_unique_and_prefixed_and_messages_are_chinese() {
        let errors = samples();
        let codes: HashSet<_> = errors.iter().map(AuthError::code).collect();
        assert_eq!(codes.len(), errors.len());
        for e in &errors {
            assert!(e.code().starts_with("AUTH_"), "{}", e.code());
            let msg = e.to_string();
            assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {msg}");
            assert!((400..600).contains(&e.http_status()));
        }
    }

    #[test]
    fn wrapped_errors_keep_their_source() {
        for e in samples() {
            let wraps = matches!(
                e,
                AuthError::BadDeviceKey { .. }
                    | AuthError::PasswordHashInvalid { .. }
                    | AuthError::BadPasswordParams { .. }
                    | AuthError::Hashing { .. }
                    | AuthError::Rng { .. }
            );
            assert_eq!(e.source().is_some(), wraps, "{}", e.code());
        }
    }

    #[test]
    fn weak_password_message_names_the_rule() {
        let e = AuthError::WeakPassword { violation: PasswordPolicyViolation::NeedsLettersAndDigits };
        assert_eq!(e.to_string(), "密码不符合要求：必须同时包含字母和数字");
    }

    #[test]
    fn retry_after_only_for_locked() {
        assert_eq!(AuthError::Locked { until_ms: 1_000 }.retry_after_ms(400), Some(600));
        assert_eq!(AuthError::Locked { until_ms: 1_000 }.retry_after_ms(2_000), Some(0));
        assert_eq!(AuthError::TokenExpired.retry_after_ms(0), None);
    }
}
