//! Officer sessions on the tablet.
//!
//! The first login of an officer on a device is online: the server checks the password and
//! registers the device key. The app then keeps an argon2id hash of the password (never the
//! password) so later logins work offline. Five wrong offline passwords lock that login on
//! this device for five minutes. Locking, unlocking and switching officer never touch the
//! outbox: unsynced work of every officer stays and is pushed at the next sync.

use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};
use zhifa_core::officer::{Officer, Role};
use zhifa_core::org::Organisation;
use zhifa_protocol::OfficerInfo;
use zhifa_sync_client::SyncClient;

use crate::{App, AppError, AppResult};

/// Wrong offline passwords before a lock.
pub const OFFLINE_MAX_FAILURES: u32 = 5;
/// Length of an offline lock.
pub const OFFLINE_LOCK_MS: u64 = 5 * 60 * 1000;

/// The signed-in officer as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerView {
    /// Officer id.
    pub id: String,
    /// Login (执法证号).
    pub login: String,
    /// Name.
    pub name: String,
    /// Roles, Chinese labels.
    pub roles: Vec<String>,
    /// County scope (`None` = city-wide).
    pub county_code: Option<String>,
    /// Organisation id, once the officer's record is on the tablet.
    pub org_id: Option<String>,
    /// Organisation name.
    pub org_name: Option<String>,
}

/// How the login was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginMode {
    /// By the server.
    Online,
    /// Against the credential cached on this device (server unreachable).
    Offline,
}

/// Outcome of a login.
#[derive(Debug, Clone, Serialize)]
pub struct LoginOutcome {
    /// Officer.
    pub officer: OfficerView,
    /// Online or offline.
    pub mode: LoginMode,
    /// Why the login was offline (the network error), for the status line.
    pub offline_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedCredential {
    hash: String,
    officer: OfficerInfo,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct OfflineFailures {
    count: u32,
    locked_until_ms: u64,
}

/// The current session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) officer: OfficerView,
    pub(crate) locked: bool,
}

fn cred_key(login: &str) -> String {
    format!("app_cred:{login}")
}

fn fail_key(login: &str) -> String {
    format!("app_login_failures:{login}")
}

fn role_labels(roles: &[String]) -> Vec<String> {
    roles.iter().map(|r| Role::parse(r).map(|x| x.label().to_owned()).unwrap_or_else(|| r.clone())).collect()
}

impl App {
    /// Logs in: online when the server answers, offline against the cached credential when
    /// it cannot be reached. A wrong password is never retried offline.
    pub async fn login(&mut self, login: &str, password: &str) -> AppResult<LoginOutcome> {
        let login = login.trim();
        if login.is_empty() || password.is_empty() {
            return Err(AppError::rule("LOGIN_EMPTY", "请输入执法证号和密码"));
        }
        if login.chars().count() > 64 || password.chars().count() > 256 {
            return Err(AppError::rule("LOGIN_INVALID", "执法证号或密码过长"));
        }
        let client = SyncClient::new(&self.config.server_url);
        match client.login(&mut self.replica, login, password).await {
            Ok(resp) => {
                let params = self.config.password_params;
                let hash = zhifa_auth::hash_password(password, &params, &SystemRandom::new())?;
                let cred = CachedCredential { hash, officer: resp.officer.clone() };
                let json = serde_json::to_string(&cred).map_err(|e| AppError::rule("INTERNAL", e.to_string()))?;
                self.replica.set_meta(&cred_key(login), &json)?;
                self.replica.set_meta("app_last_login", login)?;
                self.replica.remove_meta(&fail_key(login))?;
                let officer = self.officer_view(login, &resp.officer)?;
                self.session = Some(Session { officer: officer.clone(), locked: false });
                self.rebuild_search_index()?;
                Ok(LoginOutcome { officer, mode: LoginMode::Online, offline_reason: None })
            }
            Err(e) if e.is_transient() => {
                let officer = self.check_offline(login, password)?;
                self.replica.set_meta("app_last_login", login)?;
                self.session = Some(Session { officer: officer.clone(), locked: false });
                self.rebuild_search_index()?;
                Ok(LoginOutcome { officer, mode: LoginMode::Offline, offline_reason: Some(e.to_string()) })
            }
            Err(e) => Err(e.into()),
        }
    }

    fn check_offline(&mut self, login: &str, password: &str) -> AppResult<OfficerView> {
        let now = self.now_ms();
        let Some(json) = self.replica.meta(&cred_key(login))? else {
            return Err(AppError::rule(
                "OFFLINE_LOGIN_UNAVAILABLE",
                "无法连接服务器，且本设备没有该账号的登录记录。首次登录须联网。",
            ));
        };
        let cred: CachedCredential = serde_json::from_str(&json)
            .map_err(|_| AppError::rule("OFFLINE_LOGIN_UNAVAILABLE", "本设备保存的登录记录已损坏，请联网登录。"))?;
        let mut failures: OfflineFailures =
            self.replica.meta(&fail_key(login))?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        if failures.locked_until_ms > now {
            let minutes = (failures.locked_until_ms - now).div_ceil(60_000);
            return Err(AppError::rule("LOGIN_LOCKED", format!("密码错误次数过多，请{minutes}分钟后再试")));
        }
        if zhifa_auth::verify_password(&cred.hash, password)? {
            self.replica.remove_meta(&fail_key(login))?;
            return self.officer_view(login, &cred.officer);
        }
        failures.count += 1;
        if failures.count >= OFFLINE_MAX_FAILURES {
            failures = OfflineFailures { count: 0, locked_until_ms: now + OFFLINE_LOCK_MS };
        }
        let json = serde_json::to_string(&failures).map_err(|e| AppError::rule("INTERNAL", e.to_string()))?;
        self.replica.set_meta(&fail_key(login), &json)?;
        Err(AppError::rule("BAD_CREDENTIALS", "执法证号或密码错误"))
    }

    fn officer_view(&self, login: &str, info: &OfficerInfo) -> AppResult<OfficerView> {
        let officer: Option<Officer> = self.replica.get(&info.id)?;
        let org: Option<Organisation> = match &officer {
            Some(o) => self.replica.get(&o.org.to_string())?,
            None => None,
        };
        Ok(OfficerView {
            id: info.id.clone(),
            login: login.to_owned(),
            name: info.name.clone(),
            roles: role_labels(&info.roles),
            county_code: info.county_code.clone(),
            org_id: org.as_ref().map(|o| o.id.to_string()),
            org_name: org.map(|o| o.name),
        })
    }

    /// Refreshes the session's officer from the replica (after a sync brought the records).
    pub(crate) fn refresh_officer(&mut self) -> AppResult<()> {
        let Some(s) = &self.session else { return Ok(()) };
        let login = s.officer.login.clone();
        if let Some(json) = self.replica.meta(&cred_key(&login))?
            && let Ok(cred) = serde_json::from_str::<CachedCredential>(&json)
        {
            let view = self.officer_view(&login, &cred.officer)?;
            if let Some(s) = &mut self.session {
                s.officer = view;
            }
        }
        Ok(())
    }

    /// The signed-in, unlocked officer, or an error the UI turns into the login screen.
    pub fn officer(&self) -> AppResult<&OfficerView> {
        match &self.session {
            Some(s) if !s.locked => Ok(&s.officer),
            Some(_) => Err(AppError::rule("SESSION_LOCKED", "屏幕已锁定，请输入密码解锁")),
            None => Err(AppError::rule("NOT_SIGNED_IN", "请先登录")),
        }
    }

    /// The session, locked or not (for the lock screen).
    pub fn session_officer(&self) -> Option<(&OfficerView, bool)> {
        self.session.as_ref().map(|s| (&s.officer, s.locked))
    }

    /// The login used last on this device (pre-filled on the login screen).
    pub fn last_login(&self) -> AppResult<Option<String>> {
        Ok(self.replica.meta("app_last_login")?)
    }

    /// Locks the screen (idle timeout or by hand). Nothing is lost or closed.
    pub fn lock(&mut self) {
        if let Some(s) = &mut self.session {
            s.locked = true;
        }
    }

    /// Unlocks with the officer's password (checked offline).
    pub fn unlock(&mut self, password: &str) -> AppResult<OfficerView> {
        let Some(s) = &self.session else { return Err(AppError::rule("NOT_SIGNED_IN", "请先登录")) };
        let login = s.officer.login.clone();
        let officer = self.check_offline(&login, password)?;
        self.session = Some(Session { officer: officer.clone(), locked: false });
        Ok(officer)
    }

    /// Signs the officer out (to switch officer). The outbox, drafts and the cached
    /// credentials stay; the server session token is forgotten.
    pub fn logout(&mut self) -> AppResult<()> {
        SyncClient::new(&self.config.server_url).logout_local(&mut self.replica)?;
        self.session = None;
        Ok(())
    }
}
