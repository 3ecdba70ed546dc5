//! Login, tokens, device registration and revocation, and the [`Authenticated`]
//! extractor that turns a bearer token into a [`Principal`] with its county scope.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};
use zhifa_auth::{
    AuthError, DeviceRecord, LockoutPolicy, LoginAttempts, PasswordParams, Principal, Scope, StoredToken, TokenTtl,
};
use zhifa_protocol::{LoginResponse, OfficerInfo, Tokens};

use crate::db::{Db, P, Sql};
use crate::error::{AppError, AppResult};
use crate::{AppState, LoginJson};

/// Auth settings.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    /// Argon2id parameters for new hashes.
    pub password: PasswordParams,
    /// Lockout policy.
    pub lockout: LockoutPolicy,
    /// Token lifetimes.
    pub ttl: TokenTtl,
    /// Runtime state: failed logins of names that match no usable account.
    pub unknown_logins: Arc<UnknownLogins>,
}

/// Largest body of the auth endpoints (login, refresh, revoke): they are small JSON objects,
/// and parsing is refused before it starts for anything bigger (no anonymous caller can make
/// the server build an 8 MiB JSON tree).
pub const MAX_AUTH_BODY: usize = 16 << 10;

/// Most names [`UnknownLogins`] tracks at once.
pub const UNKNOWN_LOGINS_CAP: usize = 10_000;

/// Failed-login counts of names that match no active account, kept in memory so such a name
/// locks exactly like a real account: the answers (wrong password, then `AUTH_LOCKED`) do not
/// reveal which logins exist. Bounded by [`UNKNOWN_LOGINS_CAP`]; per process (with several
/// server processes on PostgreSQL each counts on its own, which only makes the lock later).
#[derive(Debug, Default)]
pub struct UnknownLogins {
    names: Mutex<HashMap<String, (LoginAttempts, u64)>>,
}

impl UnknownLogins {
    /// `Err(AuthError::Locked)` while `name` is locked.
    pub fn check(&self, name: &str, now_ms: u64) -> Result<(), AuthError> {
        let names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        names.get(name).map_or(Ok(()), |(a, _)| a.check(now_ms))
    }

    /// Counts a failed attempt of `name` atomically, like the in-transaction re-check of a real
    /// account: `Err(Locked)` if `name` is locked by now (a concurrent attempt locked it while
    /// this one was hashing), else `Ok(whether this failure locked it)`.
    pub fn fail(&self, name: &str, now_ms: u64, policy: &LockoutPolicy) -> Result<bool, AuthError> {
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((a, _)) = names.get(name) {
            a.check(now_ms)?;
        }
        Ok(Self::count(&mut names, name, now_ms, policy))
    }

    /// Counts a failure of `name`; returns whether this failure locked it.
    pub fn on_failure(&self, name: &str, now_ms: u64, policy: &LockoutPolicy) -> bool {
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        Self::count(&mut names, name, now_ms, policy)
    }

    fn count(
        names: &mut HashMap<String, (LoginAttempts, u64)>,
        name: &str,
        now_ms: u64,
        policy: &LockoutPolicy,
    ) -> bool {
        if !names.contains_key(name) && names.len() >= UNKNOWN_LOGINS_CAP {
            // Forget what no longer matters: ended locks and counts idle for a lock period.
            names.retain(|_, (a, last)| a.is_locked(now_ms) || now_ms.saturating_sub(*last) < policy.lock_ms);
            if names.len() >= UNKNOWN_LOGINS_CAP {
                names.retain(|_, (a, _)| a.is_locked(now_ms));
            }
            if names.len() >= UNKNOWN_LOGINS_CAP {
                return false;
            }
        }
        let (attempts, last) = names.entry(name.to_owned()).or_default();
        let was_locked = attempts.is_locked(now_ms);
        attempts.on_failure(now_ms, policy);
        *last = now_ms;
        !was_locked && attempts.is_locked(now_ms)
    }

    /// Number of names tracked.
    pub fn len(&self) -> usize {
        self.names.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether no name is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Refuses bodies above [`MAX_AUTH_BODY`] before parsing.
fn small_body(body: &[u8]) -> AppResult<&[u8]> {
    if body.len() > MAX_AUTH_BODY { Err(AppError::too_large()) } else { Ok(body) }
}

/// A lockout answer with its `Retry-After`.
fn locked(e: AuthError, now_ms: u64) -> AppError {
    let secs = e.retry_after_ms(now_ms).map(|ms| ms.div_ceil(1000));
    AppError::from(e).with_retry_after(secs)
}

/// An officer account as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    /// Officer id.
    pub id: String,
    /// Login (执法证号).
    pub login: String,
    /// Name.
    pub name: String,
    /// Roles.
    pub roles: Vec<String>,
    /// County scope (`None` = city-wide).
    pub county_code: Option<String>,
}

/// Creates or replaces an account (demo seeding and administration).
pub fn upsert_account(tx: &mut dyn Sql, a: &Account, password_hash: &str) -> AppResult<()> {
    let roles = serde_json::to_string(&a.roles).map_err(AppError::internal)?;
    let params = [
        P::T(a.id.clone()),
        P::T(a.login.clone()),
        P::T(a.name.clone()),
        P::T(password_hash.into()),
        P::T(roles),
        P::OT(a.county_code.clone()),
    ];
    // One statement, so two servers seeding the same database at once cannot collide.
    tx.exec(
        "INSERT INTO officers (id, login, name, password_hash, roles, county_code) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO UPDATE SET login = excluded.login, name = excluded.name, \
         password_hash = excluded.password_hash, roles = excluded.roles, county_code = excluded.county_code",
        &params,
    )?;
    Ok(())
}

fn audit(
    tx: &mut dyn Sql,
    now: u64,
    officer: Option<&str>,
    device: Option<&str>,
    action: &str,
    detail: &str,
) -> AppResult<()> {
    tx.exec(
        "INSERT INTO audit (at_ms, officer_id, device_id, action, detail) VALUES ($1, $2, $3, $4, $5)",
        &[
            P::I(now as i64),
            P::OT(officer.map(Into::into)),
            P::OT(device.map(Into::into)),
            P::T(action.into()),
            P::T(detail.into()),
        ],
    )?;
    Ok(())
}

struct OfficerRow {
    account: Account,
    hash: String,
    attempts: LoginAttempts,
    active: bool,
}

/// ` FOR UPDATE` on PostgreSQL (SQLite transactions are `IMMEDIATE`: writers are serialised
/// already). Read-modify-write of a row under `READ COMMITTED` needs it, or two concurrent
/// requests both read the old value: two failed logins counted as one, two refreshes of one
/// token both succeeding (reuse detection bypassed).
fn for_update(tx: &dyn Sql, lock: bool) -> &'static str {
    if lock && tx.is_postgres() { " FOR UPDATE" } else { "" }
}

fn officer_by(tx: &mut dyn Sql, column: &str, value: &str, lock: bool) -> AppResult<Option<OfficerRow>> {
    let r = tx.query(
        &format!(
            "SELECT id, login, name, password_hash, roles, county_code, attempts, active FROM officers WHERE {column} = $1{}",
            for_update(tx, lock)
        ),
        &[P::T(value.into())],
    )?;
    let Some(r) = r.first() else { return Ok(None) };
    Ok(Some(OfficerRow {
        account: Account {
            id: r[0].t()?,
            login: r[1].t()?,
            name: r[2].t()?,
            roles: serde_json::from_str(&r[4].t()?).map_err(AppError::internal)?,
            county_code: r[5].ot()?,
        },
        hash: r[3].t()?,
        attempts: serde_json::from_str(&r[6].t()?).unwrap_or_default(),
        active: r[7].i()? != 0,
    }))
}

fn store_token(tx: &mut dyn Sql, t: &StoredToken, officer: &str, device: &str) -> AppResult<()> {
    tx.exec(
        "INSERT INTO tokens (hash, family, kind, officer_id, device_id, stored) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            P::T(t.hash.clone()),
            P::T(t.family_id.clone()),
            P::T(t.kind.as_str().into()),
            P::T(officer.into()),
            P::T(device.into()),
            P::T(serde_json::to_string(t).map_err(AppError::internal)?),
        ],
    )?;
    Ok(())
}

fn token_row(tx: &mut dyn Sql, hash: &str, lock: bool) -> AppResult<Option<(StoredToken, String, String)>> {
    let sql = format!("SELECT stored, officer_id, device_id FROM tokens WHERE hash = $1{}", for_update(tx, lock));
    let r = tx.query(&sql, &[P::T(hash.into())])?;
    let Some(r) = r.first() else { return Ok(None) };
    Ok(Some((serde_json::from_str(&r[0].t()?).map_err(AppError::internal)?, r[1].t()?, r[2].t()?)))
}

fn revoke_where(tx: &mut dyn Sql, column: &str, value: &str) -> AppResult<()> {
    let rows = tx.query(&format!("SELECT hash, stored FROM tokens WHERE {column} = $1"), &[P::T(value.into())])?;
    for r in rows {
        let mut t: StoredToken = serde_json::from_str(&r[1].t()?).map_err(AppError::internal)?;
        t.revoked = true;
        tx.exec(
            "UPDATE tokens SET stored = $2 WHERE hash = $1",
            &[P::T(r[0].t()?), P::T(serde_json::to_string(&t).map_err(AppError::internal)?)],
        )?;
    }
    Ok(())
}

fn response(pair: zhifa_auth::TokenPair, a: &Account) -> LoginResponse {
    LoginResponse {
        tokens: Tokens {
            access_token: pair.access,
            access_expires_ms: pair.access_expires_ms,
            refresh_token: pair.refresh,
            refresh_expires_ms: pair.refresh_expires_ms,
        },
        officer: OfficerInfo {
            id: a.id.clone(),
            name: a.name.clone(),
            roles: a.roles.clone(),
            county_code: a.county_code.clone(),
        },
    }
}

/// A dummy hash verified for unknown logins, so timing does not reveal which logins exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2w5g0QF0U0oK1bX2p1qH0CwQwC8xq4p7xqv8Qy1nq3o";

/// `POST /api/v1/auth/login`.
///
/// Order: lockout check (no hashing while locked), argon2 verification on a blocking thread
/// (a dummy hash for unknown names, so timing does not reveal them), then in one transaction:
/// count the failure or reset the counter, check the device (an already registered device
/// must present its registered public key; a revoked one is refused), issue tokens, audit.
/// Unknown and inactive names are counted in [`UnknownLogins`] and lock like real accounts.
pub(crate) async fn login(State(s): State<AppState>, body: Bytes) -> AppResult<LoginJson> {
    let req = crate::login_body(small_body(&body)?)?;
    if zhifa_core::ids::DeviceId::parse(&req.device_id).is_err() {
        return Err(AppError::bad_request("DEVICE_ID", "设备编号无效"));
    }
    let login_name = req.login.trim().to_owned();
    let now = s.now();
    let found = {
        let name = login_name.clone();
        s.db.tx(move |tx| officer_by(tx, "login", &name, false)).await?.filter(|o| o.active)
    };
    match &found {
        Some(o) => o.attempts.check(now),
        None => s.auth.unknown_logins.check(&login_name, now),
    }
    .map_err(|e| locked(e, now))?;
    // Argon2 is deliberately slow: verify on a blocking thread, not in a DB worker.
    let (hash, pw) = (found.as_ref().map_or(DUMMY_HASH.to_owned(), |o| o.hash.clone()), req.password.clone());
    let ok = tokio::task::spawn_blocking(move || zhifa_auth::verify_password(&hash, &pw).unwrap_or(false))
        .await
        .map_err(AppError::internal)?;
    let Some(o) = found else {
        if s.auth.unknown_logins.fail(&login_name, now, &s.auth.lockout).map_err(|e| locked(e, now))? {
            tracing::warn!("login name without account locked after repeated failures");
        }
        let device = req.device_id.clone();
        s.db.tx(move |tx| audit(tx, now, None, Some(&device), "login_failed", "unknown login")).await?;
        return Err(AuthError::BadCredentials.into());
    };
    let cfg = s.auth.clone();
    let r = s.db.run(move |c| {
        let mut failure: Option<AppError> = None;
        let resp = c.tx(|tx| {
            // Re-read (and lock) inside the transaction: concurrent attempts count exactly.
            let mut cur = officer_by(tx, "id", &o.account.id, true)?.ok_or_else(AppError::not_found)?;
            if let Err(e) = cur.attempts.check(now) {
                failure = Some(locked(e, now));
                return Ok(None);
            }
            if !ok {
                cur.attempts.on_failure(now, &cfg.lockout);
                tx.exec(
                    "UPDATE officers SET attempts = $2 WHERE id = $1",
                    &[P::T(cur.account.id.clone()), P::T(serde_json::to_string(&cur.attempts).map_err(AppError::internal)?)],
                )?;
                audit(tx, now, Some(&cur.account.id), Some(&req.device_id), "login_failed", "")?;
                if cur.attempts.is_locked(now) {
                    audit(tx, now, Some(&cur.account.id), Some(&req.device_id), "account_locked", "")?;
                }
                failure = Some(AuthError::BadCredentials.into());
                return Ok(None);
            }
            cur.attempts.on_success();
            tx.exec(
                "UPDATE officers SET attempts = $2 WHERE id = $1",
                &[P::T(cur.account.id.clone()), P::T(serde_json::to_string(&cur.attempts).map_err(AppError::internal)?)],
            )?;
            let dev = tx.query("SELECT public_key, revoked FROM devices WHERE device_id = $1", &[P::T(req.device_id.clone())])?;
            match dev.first() {
                Some(d) => {
                    // Knowing a device id is not enough to take the device over: the caller must
                    // present the key the device registered (checked before revocation, so the
                    // answer tells nothing about a device the caller does not hold).
                    if req.device_public_key.as_deref() != Some(d[0].t()?.as_str()) {
                        audit(tx, now, Some(&cur.account.id), Some(&req.device_id), "login_refused", "device key mismatch")?;
                        failure = Some(AppError::new(
                            StatusCode::FORBIDDEN,
                            "DEVICE_KEY_MISMATCH",
                            "该设备已登记其他密钥，请联系管理员",
                        ));
                        return Ok(None);
                    }
                    if d[1].i()? != 0 {
                        audit(tx, now, Some(&cur.account.id), Some(&req.device_id), "login_refused", "device revoked")?;
                        failure = Some(AuthError::DeviceRevoked.into());
                        return Ok(None);
                    }
                    // A tablet handed to another officer: the device follows the login.
                    tx.exec("UPDATE devices SET officer_id = $2 WHERE device_id = $1", &[P::T(req.device_id.clone()), P::T(cur.account.id.clone())])?;
                }
                None => {
                    let Some(key) = req.device_public_key.clone() else {
                        failure = Some(AppError::bad_request("DEVICE_KEY_REQUIRED", "首次登录须提供设备公钥"));
                        return Ok(None);
                    };
                    zhifa_auth::validate_public_key(&key)?;
                    tx.exec(
                        "INSERT INTO devices (device_id, officer_id, public_key, name, revoked, registered_ms) VALUES ($1, $2, $3, $4, 0, $5)",
                        &[P::T(req.device_id.clone()), P::T(cur.account.id.clone()), P::T(key), P::OT(req.device_name.clone()), P::I(now as i64)],
                    )?;
                    audit(tx, now, Some(&cur.account.id), Some(&req.device_id), "device_registered", "")?;
                }
            }
            let (pair, access, refresh) = zhifa_auth::issue_pair(&SystemRandom::new(), now, &cfg.ttl)?;
            store_token(tx, &access, &cur.account.id, &req.device_id)?;
            store_token(tx, &refresh, &cur.account.id, &req.device_id)?;
            audit(tx, now, Some(&cur.account.id), Some(&req.device_id), "login", "")?;
            Ok(Some(response(pair, &cur.account)))
        })?;
        match (resp, failure) {
            (Some(r), _) => Ok(r),
            (None, Some(e)) => Err(e),
            (None, None) => Err(AuthError::BadCredentials.into()),
        }
    });
    Ok(Json(r.await?))
}

/// `POST /api/v1/auth/refresh`: rotates the refresh token; a reused one revokes its family.
///
/// The officer must still be active and the device not revoked.
pub(crate) async fn refresh(State(s): State<AppState>, body: Bytes) -> AppResult<LoginJson> {
    let req = crate::refresh_body(small_body(&body)?)?;
    let now = s.now();
    let cfg = s.auth.clone();
    let r = s.db.run(move |c| {
        let mut failure: Option<AppError> = None;
        let out = c.tx(|tx| {
            let hash = zhifa_auth::token_hash(&req.refresh_token);
            let row = token_row(tx, &hash, true)?;
            let decision = match zhifa_auth::rotate_refresh(row.as_ref().map(|r| &r.0), now) {
                Ok(d) => d,
                Err(AuthError::RefreshReused { family_id }) => {
                    revoke_where(tx, "family", &family_id)?;
                    audit(tx, now, row.as_ref().map(|r| r.1.as_str()), None, "refresh_reused", &family_id)?;
                    failure = Some(AuthError::RefreshReused { family_id }.into());
                    return Ok(None);
                }
                Err(e) => {
                    failure = Some(e.into());
                    return Ok(None);
                }
            };
            let (_, officer_id, device_id) = row.ok_or_else(|| AppError::from(AuthError::TokenInvalid))?;
            let Some(account) = officer_by(tx, "id", &officer_id, false)?.filter(|o| o.active) else {
                failure = Some(AuthError::TokenInvalid.into());
                return Ok(None);
            };
            let dev = tx.query("SELECT revoked FROM devices WHERE device_id = $1", &[P::T(device_id.clone())])?;
            if dev.first().is_none_or(|d| d[0].i().unwrap_or(1) != 0) {
                failure = Some(AuthError::DeviceRevoked.into());
                return Ok(None);
            }
            let (mut old, _, _) = token_row(tx, &decision.replaced_hash, false)?
                .ok_or_else(|| AppError::from(AuthError::TokenInvalid))?;
            old.replaced = true;
            tx.exec(
                "UPDATE tokens SET stored = $2 WHERE hash = $1",
                &[P::T(old.hash.clone()), P::T(serde_json::to_string(&old).map_err(AppError::internal)?)],
            )?;
            let (pair, access, refresh) = decision.issue_next(&SystemRandom::new(), now, &cfg.ttl)?;
            store_token(tx, &access, &officer_id, &device_id)?;
            store_token(tx, &refresh, &officer_id, &device_id)?;
            Ok(Some(response(pair, &account.account)))
        })?;
        match (out, failure) {
            (Some(r), _) => Ok(r),
            (None, Some(e)) => Err(e),
            (None, None) => Err(AuthError::TokenInvalid.into()),
        }
    });
    Ok(Json(r.await?))
}

/// `POST /api/v1/auth/logout`: revokes the session's token family. Unsynced data on the
/// tablet is untouched (it stays in the outbox until the next login).
pub(crate) async fn logout(
    State(s): State<AppState>,
    Authenticated(_): Authenticated,
    axum::Extension(SessionFamily(family)): axum::Extension<SessionFamily>,
) -> AppResult<Json<serde_json::Value>> {
    s.db.tx(move |tx| revoke_where(tx, "family", &family)).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

/// `POST /api/v1/devices/{id}/revoke` (系统管理员, or 审批 of the device's county).
pub(crate) async fn revoke_device(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Json<serde_json::Value>> {
    let req = crate::revoke_body(small_body(&body)?)?;
    if !(who.has_role("system_admin") || who.has_role("approver")) {
        return Err(AppError::forbidden("无权吊销设备"));
    }
    let device = device_record(&s.db, &id).await?.ok_or_else(AppError::not_found)?;
    let scope = officer_scope(&s.db, &device.officer_id).await?;
    if !who.scope.is_city_wide() && scope.is_none_or(|sc| sc.county != who.scope.county) {
        return Err(AppError::not_found());
    }
    let now = s.now();
    let officer = who.officer_id.clone();
    s.db.tx(move |tx| {
        tx.exec("UPDATE devices SET revoked = 1 WHERE device_id = $1", &[P::T(id.clone())])?;
        revoke_where(tx, "device_id", &id)?;
        audit(tx, now, Some(&officer), Some(&id), "device_revoked", &req.reason)
    })
    .await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

/// The device's registration, if any.
pub async fn device_record(db: &Db, device_id: &str) -> AppResult<Option<DeviceRecord>> {
    let id = device_id.to_owned();
    db.tx(move |tx| {
        let r = tx.query(
            "SELECT device_id, officer_id, public_key, revoked FROM devices WHERE device_id = $1",
            &[P::T(id)],
        )?;
        r.first()
            .map(|r| {
                Ok(DeviceRecord {
                    device_id: r[0].t()?,
                    officer_id: r[1].t()?,
                    public_key_b64: r[2].t()?,
                    revoked: r[3].i()? != 0,
                })
            })
            .transpose()
    })
    .await
}

/// The scope of an officer.
pub async fn officer_scope(db: &Db, officer_id: &str) -> AppResult<Option<Scope>> {
    let id = officer_id.to_owned();
    db.tx(move |tx| Ok(officer_by(tx, "id", &id, false)?.map(|o| Scope { county: o.account.county_code }))).await
}

/// The caller, authenticated by `Authorization: Bearer <access token>`.
pub struct Authenticated(pub Principal);

impl std::ops::Deref for Authenticated {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, AppError> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let token = zhifa_auth::bearer_token(header).ok_or(AuthError::TokenInvalid)?;
        let hash = zhifa_auth::token_hash(token);
        let now = s.now();
        let p =
            s.db.tx(move |tx| {
                let row = token_row(tx, &hash, false)?;
                zhifa_auth::check_access(row.as_ref().map(|r| &r.0), now)?;
                let (stored, officer_id, device_id) = row.ok_or(AuthError::TokenInvalid)?;
                let o =
                    officer_by(tx, "id", &officer_id, false)?.filter(|o| o.active).ok_or(AuthError::TokenInvalid)?;
                let dev = tx.query("SELECT revoked FROM devices WHERE device_id = $1", &[P::T(device_id.clone())])?;
                if dev.first().is_some_and(|d| d[0].i().unwrap_or(1) != 0) {
                    return Err(AuthError::DeviceRevoked.into());
                }
                Ok((
                    Principal {
                        officer_id,
                        roles: o.account.roles,
                        scope: Scope { county: o.account.county_code },
                        device_id: Some(device_id),
                    },
                    stored.family_id,
                ))
            })
            .await?;
        parts.extensions.insert(SessionFamily(p.1));
        Ok(Authenticated(p.0))
    }
}

/// The token family of the current session (request extension).
#[derive(Clone)]
pub struct SessionFamily(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dummy_hash_is_a_real_argon2id_hash_with_production_cost() {
        // A malformed dummy would fail fast and make unknown logins answer measurably sooner.
        assert!(!zhifa_auth::verify_password(DUMMY_HASH, "anything").unwrap());
        assert!(!zhifa_auth::needs_rehash(DUMMY_HASH, &PasswordParams::owasp()));
    }

    #[test]
    fn unknown_names_lock_like_accounts() {
        let policy = LockoutPolicy::default();
        let u = UnknownLogins::default();
        for i in 0..4 {
            assert!(!u.on_failure("nobody", 1_000 + i, &policy));
            assert!(u.check("nobody", 1_000 + i).is_ok());
        }
        assert!(u.on_failure("nobody", 1_004, &policy), "the fifth failure locks");
        assert_eq!(u.check("nobody", 1_005).unwrap_err().code(), "AUTH_LOCKED");
        assert!(u.check("other", 1_005).is_ok());
        assert!(u.check("nobody", 1_004 + policy.lock_ms).is_ok(), "the lock ends");
    }

    #[test]
    fn unknown_names_are_bounded() {
        let policy = LockoutPolicy { max_failures: 1, lock_ms: 10 };
        let u = UnknownLogins::default();
        for i in 0..UNKNOWN_LOGINS_CAP {
            u.on_failure(&i.to_string(), 0, &policy);
        }
        assert_eq!(u.len(), UNKNOWN_LOGINS_CAP);
        // While every entry is locked, a new name is not tracked…
        assert!(!u.on_failure("new", 5, &policy));
        assert_eq!(u.len(), UNKNOWN_LOGINS_CAP);
        // …once the locks end, old entries make room.
        assert!(u.on_failure("new", 20, &policy));
        assert_eq!(u.len(), 1);
        assert!(!u.is_empty());
    }
}
