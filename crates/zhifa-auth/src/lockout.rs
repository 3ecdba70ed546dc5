//! Failed-login counting and temporary lockout (pure; the server stores [`LoginAttempts`]).
//!
//! Login order on the server: [`LoginAttempts::check`] first (a locked account is refused before
//! any password is hashed), then verify the password, then [`LoginAttempts::on_failure`] or
//! [`LoginAttempts::on_success`], then store the record. Keep a record per submitted user name
//! even for unknown names, so the answers do not reveal which accounts exist.

use serde::{Deserialize, Serialize};

use crate::error::AuthError;

/// How many consecutive failures lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// Consecutive failures that trigger a lock (values below 1 act as 1).
    pub max_failures: u32,
    /// Lock duration in milliseconds.
    pub lock_ms: u64,
}

impl LockoutPolicy {
    /// 5 failures, then locked for 15 minutes.
    pub const DEFAULT: Self = Self { max_failures: 5, lock_ms: 15 * 60 * 1000 };
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One account's failed-login state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginAttempts {
    /// Consecutive failures since the last success or the end of the last lock.
    pub failures: u32,
    /// Logins are refused while `now_ms < locked_until_ms`.
    pub locked_until_ms: Option<u64>,
}

impl LoginAttempts {
    /// `Err(AuthError::Locked)` while the account is locked at `now_ms`.
    pub fn check(&self, now_ms: u64) -> Result<(), AuthError> {
        match self.locked_until_ms {
            Some(until_ms) if now_ms < until_ms => Err(AuthError::Locked { until_ms }),
            _ => Ok(()),
        }
    }

    /// Whether the account is locked at `now_ms`.
    pub fn is_locked(&self, now_ms: u64) -> bool {
        self.check(now_ms).is_err()
    }

    /// Records a failed login at `now_ms`; the failure that reaches `policy.max_failures` locks
    /// the account until `now_ms + policy.lock_ms`.
    ///
    /// A failure during a lock changes nothing (the lock is not extended, so a locked account
    /// cannot be kept locked forever by the same attempts). After a lock has ended, counting
    /// starts again from zero.
    pub fn on_failure(&mut self, now_ms: u64, policy: &LockoutPolicy) {
        if self.is_locked(now_ms) {
            return;
        }
        if self.locked_until_ms.is_some() {
            *self = Self::default();
        }
        self.failures = self.failures.saturating_add(1);
        if self.failures >= policy.max_failures.max(1) {
            self.locked_until_ms = Some(now_ms.saturating_add(policy.lock_ms));
        }
    }

    /// Records a successful login: the counter and any expired lock are cleared.
    ///
    /// Call it only after [`LoginAttempts::check`] passed.
    pub fn on_success(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60 * 1000;

    #[test]
    fn locks_after_five_failures_and_unlocks_after_the_window() {
        let policy = LockoutPolicy::default();
        let mut a = LoginAttempts::default();
        let t0 = 1_700_000_000_000;
        for i in 0..4 {
            a.on_failure(t0 + i, &policy);
            assert!(a.check(t0 + i).is_ok(), "still open after {} failures", i + 1);
        }
        a.on_failure(t0 + 4, &policy);
        let until = t0 + 4 + 15 * MIN;
        assert_eq!(a, LoginAttempts { failures: 5, locked_until_ms: Some(until) });
        match a.check(t0 + 5) {
            Err(AuthError::Locked { until_ms }) => assert_eq!(until_ms, until),
            other => panic!("expected Locked, got {other:?}"),
        }
        assert_eq!(a.check(until - 1).unwrap_err().code(), "AUTH_LOCKED");
        assert!(a.check(until).is_ok(), "unlocked exactly at the end of the window");

        // Failures during the lock neither extend it nor count.
        let mut during = a.clone();
        during.on_failure(until - 1, &policy);
        assert_eq!(during, a);

        // After the window the count starts again: one more failure does not re-lock.
        a.on_failure(until + 1, &policy);
        assert_eq!(a, LoginAttempts { failures: 1, locked_until_ms: None });
    }

    #[test]
    fn success_resets_the_counter() {
        let policy = LockoutPolicy::default();
        let mut a = LoginAttempts::default();
        for i in 0..4 {
            a.on_failure(i, &policy);
        }
        a.on_success();
        assert_eq!(a, LoginAttempts::default());
        for i in 0..4 {
            a.on_failure(10 + i, &policy);
        }
        assert!(a.check(20).is_ok(), "4 + 4 failures with a success between do not lock");
    }

    #[test]
    fn policy_is_configurable() {
        let policy = LockoutPolicy { max_failures: 3, lock_ms: 1_000 };
        let mut a = LoginAttempts::default();
        for _ in 0..3 {
            a.on_failure(100, &policy);
        }
        assert_eq!(a.locked_until_ms, Some(1_100));
        let zero = LockoutPolicy { max_failures: 0, lock_ms: 5 };
        let mut b = LoginAttempts::default();
        b.on_failure(0, &zero);
        assert!(b.is_locked(4) && !b.is_locked(5));
        let mut c = LoginAttempts::default();
        c.on_failure(u64::MAX - 1, &LockoutPolicy { max_failures: 1, lock_ms: u64::MAX });
        assert_eq!(c.locked_until_ms, Some(u64::MAX));
    }

    #[test]
    fn serde_round_trip() {
        let a = LoginAttempts { failures: 5, locked_until_ms: Some(42) };
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"failures":5,"locked_until_ms":42}"#);
        assert_eq!(serde_json::from_str::<LoginAttempts>(&json).unwrap(), a);
        assert_eq!(
            serde_json::from_str::<LoginAttempts>(r#"{"failures":0,"locked_until_ms":null}"#).unwrap(),
            LoginAttempts::default()
        );
    }
}
