//! The tablet side of sync: log in (registering the device key), push the outbox in
//! signed batches, pull the server's changes page by page into staging and apply a
//! complete checkpoint atomically, retry with backoff on a timer.
//!
//! Unsynced data is never dropped here: a refused or failed push leaves the outbox as it
//! was; only changes at or below the server's `acked_through` are marked acknowledged.

pub mod sim;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use zhifa_auth::DeviceKey;
use zhifa_core::change::EntityKind;
use zhifa_protocol::{
    ErrorBody, HEADER_DEVICE, HEADER_SIGNATURE, LeaseRequest, LoginRequest, LoginResponse, NumberLease, PullResponse,
    PushRequest, PushResponse, RefreshRequest, SCHEMA_VERSION, Tokens, VerifyResponse, WireChange,
};
use zhifa_store::{RemoteEntity, Replica};

/// Errors of a sync run.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached (or the connection broke): retry later.
    #[error("无法连接同步服务器，请检查网络后重试")]
    Network(#[source] reqwest::Error),
    /// The server answered with an error body.
    #[error("{message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Stable code.
        code: String,
        /// Chinese message.
        message: String,
    },
    /// Not logged in on this device (or the session was revoked): log in again.
    #[error("请先登录")]
    NotLoggedIn,
    /// The local replica failed.
    #[error("本地数据库错误")]
    Store(#[from] zhifa_store::StoreError),
    /// The device key could not be created or read.
    #[error("设备密钥错误")]
    Key(#[from] zhifa_auth::AuthError),
    /// A malformed answer.
    #[error("服务器返回的数据无法识别")]
    Protocol(#[source] serde_json::Error),
    /// The stored device key is unreadable.
    #[error("本机设备密钥已损坏，请联系管理员重新登记设备")]
    KeyCorrupt,
}

impl SyncError {
    /// Stable code.
    pub fn code(&self) -> &str {
        match self {
            Self::Network(_) => "NETWORK",
            Self::Server { code, .. } => code,
            Self::NotLoggedIn => "NOT_LOGGED_IN",
            Self::Store(e) => e.code(),
            Self::Key(e) => e.code(),
            Self::Protocol(_) => "PROTOCOL",
            Self::KeyCorrupt => "DEVICE_KEY_CORRUPT",
        }
    }

    /// Whether trying again later can help (network, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network(_) => true,
            Self::Server { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// Progress of a sync run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Pushed `done` of `total` pending changes.
    Pushing {
        /// Done.
        done: u64,
        /// Total at the start.
        total: u64,
    },
    /// Pulled `items` entities so far.
    Pulling {
        /// Items staged.
        items: u64,
    },
    /// Applied a complete checkpoint.
    Applied {
        /// Entities applied.
        items: u64,
    },
}

/// What a sync run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Changes the server stored for the first time.
    pub pushed: u64,
    /// Changes the server already had (retries).
    pub duplicates: u64,
    /// Changes refused (kept locally, shown to the user).
    pub rejected: Vec<zhifa_protocol::Rejected>,
    /// Changes quarantined for clock skew.
    pub quarantined: u64,
    /// Conflicts the server raised for this device's changes.
    pub conflicts: u64,
    /// Entities pulled and applied.
    pub pulled: u64,
    /// Bytes sent (request bodies).
    pub bytes_up: u64,
    /// Bytes received (response bodies).
    pub bytes_down: u64,
}

/// A pulled entity as the replica stores it (`None` for an entity kind this build does
/// not know: a newer server's data is skipped, not misfiled).
pub(crate) fn remote(it: &zhifa_protocol::PulledEntity) -> Option<RemoteEntity> {
    Some(RemoteEntity {
        entity: serde_json::from_value::<EntityKind>(serde_json::Value::String(it.entity.clone())).ok()?,
        id: it.id.clone(),
        county_code: it.county_code.clone(),
        fields: it.fields.clone(),
        deleted: it.deleted,
        version: it.version.clone(),
        server_seq: it.server_seq,
    })
}

/// Meta keys in the replica.
const KEY_PKCS8: &str = "device_key_pkcs8";
const KEY_TOKENS: &str = "sync_tokens";

/// A sync client for one replica and one server.
pub struct SyncClient {
    base: String,
    http: reqwest::Client,
    /// Changes per push.
    pub batch: usize,
    /// Entities per pull page.
    pub page: i64,
}

impl SyncClient {
    /// A client for `base_url` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_default();
        Self { base: base_url.trim_end_matches('/').to_owned(), http, batch: 200, page: 500 }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    fn device_key(replica: &mut Replica) -> Result<DeviceKey, SyncError> {
        if let Some(b64) = replica.meta(KEY_PKCS8)? {
            let bytes = URL_SAFE_NO_PAD.decode(b64).map_err(|_| SyncError::KeyCorrupt)?;
            return Ok(DeviceKey::from_pkcs8(&bytes)?);
        }
        let (key, pkcs8) = DeviceKey::generate(&SystemRandom::new())?;
        replica.set_meta(KEY_PKCS8, &URL_SAFE_NO_PAD.encode(pkcs8))?;
        Ok(key)
    }

    async fn answer<T: serde::de::DeserializeOwned>(resp: reqwest::Response, down: &mut u64) -> Result<T, SyncError> {
        let status = resp.status();
        let body = resp.bytes().await.map_err(SyncError::Network)?;
        *down += body.len() as u64;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(SyncError::Protocol);
        }
        let e: ErrorBody = serde_json::from_slice(&body).unwrap_or(ErrorBody {
            code: format!("HTTP_{}", status.as_u16()),
            message: format!("服务器错误（{}）", status.as_u16()),
        });
        Err(SyncError::Server { status: status.as_u16(), code: e.code, message: e.message })
    }

    /// Logs in as an officer on this device; registers the device key on first use.
    pub async fn login(&self, replica: &mut Replica, login: &str, password: &str) -> Result<LoginResponse, SyncError> {
        let key = Self::device_key(replica)?;
        let req = LoginRequest {
            login: login.into(),
            password: password.into(),
            device_id: replica.device_id().to_string(),
            device_public_key: Some(key.public_key_b64()),
            device_name: None,
            extra: Default::default(),
        };
        let resp = self.http.post(self.url("/auth/login")).json(&req).send().await.map_err(SyncError::Network)?;
        let r: LoginResponse = Self::answer(resp, &mut 0).await?;
        replica.set_meta(KEY_TOKENS, &serde_json::to_string(&r.tokens).map_err(SyncError::Protocol)?)?;
        Ok(r)
    }

    /// Forgets the session. The outbox is untouched: unsynced work waits for the next login.
    pub fn logout_local(&self, replica: &mut Replica) -> Result<(), SyncError> {
        replica.remove_meta(KEY_TOKENS)?;
        Ok(())
    }

    fn tokens(replica: &Replica) -> Result<Tokens, SyncError> {
        let t = replica.meta(KEY_TOKENS)?.ok_or(SyncError::NotLoggedIn)?;
        serde_json::from_str(&t).map_err(|_| SyncError::NotLoggedIn)
    }

    async fn refresh(&self, replica: &mut Replica) -> Result<Tokens, SyncError> {
        let t = Self::tokens(replica)?;
        let resp = self
            .http
            .post(self.url("/auth/refresh"))
            .json(&RefreshRequest { refresh_token: t.refresh_token })
            .send()
            .await
            .map_err(SyncError::Network)?;
        match Self::answer::<LoginResponse>(resp, &mut 0).await {
            Ok(r) => {
                replica.set_meta(KEY_TOKENS, &serde_json::to_string(&r.tokens).map_err(SyncError::Protocol)?)?;
                Ok(r.tokens)
            }
            Err(SyncError::Server { status: 401, .. }) => Err(SyncError::NotLoggedIn),
            Err(e) => Err(e),
        }
    }

    /// Sends a request with the access token, refreshing once on `AUTH_TOKEN_EXPIRED`.
    pub(crate) async fn authed<T: serde::de::DeserializeOwned>(
        &self,
        replica: &mut Replica,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
        report: &mut SyncReport,
    ) -> Result<T, SyncError> {
        let mut token = Self::tokens(replica)?.access_token;
        for attempt in 0..2 {
            let resp = build(&self.http, &token).send().await.map_err(SyncError::Network)?;
            match Self::answer(resp, &mut report.bytes_down).await {
                Err(SyncError::Server { code, .. }) if code == "AUTH_TOKEN_EXPIRED" && attempt == 0 => {
                    token = self.refresh(replica).await?.access_token;
                }
                Err(SyncError::Server { status: 401, .. }) => return Err(SyncError::NotLoggedIn),
                other => return other,
            }
        }
        Err(SyncError::NotLoggedIn)
    }

    /// Pushes the whole outbox, batch by batch.
    pub async fn push(
        &self,
        replica: &mut Replica,
        report: &mut SyncReport,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), SyncError> {
        let key = Self::device_key(replica)?;
        let device = replica.device_id().to_string();
        let total = replica.pending_change_count()?;
        let mut done = 0;
        loop {
            let batch = replica.pending_changes(self.batch)?;
            if batch.is_empty() {
                return Ok(());
            }
            let changes: Vec<WireChange> = batch.iter().map(|(seq, c)| WireChange::from_core(*seq, c)).collect();
            let req = PushRequest {
                device_id: device.clone(),
                schema_version: SCHEMA_VERSION,
                changes,
                extra: Default::default(),
            };
            let body = serde_json::to_vec(&req).map_err(SyncError::Protocol)?;
            let batch_seq = req.changes.first().map_or(0, |c| c.seq.max(0) as u64);
            let signature = key.sign_push(&zhifa_auth::PushRequest {
                method: "POST",
                path: "/api/v1/push",
                device_id: &device,
                batch_seq,
                body: &body,
            });
            report.bytes_up += body.len() as u64;
            let url = self.url("/push");
            let r: PushResponse = self
                .authed(
                    replica,
                    |http, token| {
                        http.post(&url)
                            .bearer_auth(token)
                            .header(HEADER_DEVICE, &device)
                            .header(HEADER_SIGNATURE, &signature)
                            .header("content-type", "application/json")
                            .body(body.clone())
                    },
                    report,
                )
                .await?;
            // Only what the server durably holds is acknowledged.
            let acked = replica.ack_changes(r.acked_through)?;
            for rej in &r.rejected {
                replica.mark_refused(rej.seq, &rej.code, &rej.message)?;
            }
            report.pushed += u64::from(r.accepted);
            report.duplicates += u64::from(r.duplicates);
            report.quarantined += r.quarantined.len() as u64;
            report.conflicts += u64::from(r.conflicts);
            report.rejected.extend(r.rejected);
            done += acked as u64;
            progress(Progress::Pushing { done, total });
            if acked == 0 {
                // The server acknowledged nothing new: stop instead of looping.
                return Ok(());
            }
        }
    }

    /// Pulls every page of the current checkpoint into staging, then applies it atomically.
    /// When the server has purged tombstones past this tablet's cursor it asks for a full
    /// resync: the whole scope is pulled again from cursor 0 and rows the server no longer
    /// has are dropped — never rows with unsynced local changes.
    pub async fn pull(
        &self,
        replica: &mut Replica,
        report: &mut SyncReport,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), SyncError> {
        let start = replica.pull_cursor()?;
        match self.pull_from(replica, start, false, report, progress).await {
            Err(SyncError::Server { code, .. }) if code == "RESYNC_REQUIRED" => {
                replica.clear_staging()?;
                self.pull_from(replica, 0, true, report, progress).await
            }
            other => other,
        }
    }

    async fn pull_from(
        &self,
        replica: &mut Replica,
        start: i64,
        full: bool,
        report: &mut SyncReport,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), SyncError> {
        let mut cursor = start;
        let mut items = 0u64;
        loop {
            let url = self.url("/pull");
            let page = self.page;
            let r: PullResponse = self
                .authed(
                    replica,
                    |http, token| http.get(&url).bearer_auth(token).query(&[("cursor", cursor), ("limit", page)]),
                    report,
                )
                .await?;
            let staged: Vec<RemoteEntity> = r.items.iter().filter_map(remote).collect();
            replica.stage_pulled(&staged)?;
            items += staged.len() as u64;
            progress(Progress::Pulling { items });
            cursor = r.next_cursor;
            if r.checkpoint_complete {
                let applied = if full { replica.apply_staged_full(cursor)? } else { replica.apply_staged(cursor)? };
                report.pulled += applied as u64;
                progress(Progress::Applied { items: applied as u64 });
                return Ok(());
            }
        }
    }

    /// One full sync: push, then pull.
    pub async fn sync(
        &self,
        replica: &mut Replica,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        self.push(replica, &mut report, progress).await?;
        self.pull(replica, &mut report, progress).await?;
        Ok(report)
    }

    /// Syncs, retrying transient failures with exponential backoff (`base`, doubling, at
    /// most `attempts` tries). A stalled upload is retried here without any new local write.
    pub async fn sync_with_retry(
        &self,
        replica: &mut Replica,
        attempts: u32,
        base: Duration,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SyncReport, SyncError> {
        let mut delay = base;
        let mut last = None;
        for _ in 0..attempts.max(1) {
            match self.sync(replica, progress).await {
                Ok(r) => return Ok(r),
                Err(e) if e.is_transient() => {
                    last = Some(e);
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(300));
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(SyncError::NotLoggedIn))
    }

    /// Background sync on a timer: every `interval`, if the outbox is not empty (or a full
    /// `interval × 10` passed since the last pull), sync with retry. A stalled upload is
    /// therefore retried without waiting for a new local write. Stops when `stop` resolves;
    /// reports every run's outcome through `on_result`.
    pub async fn run_periodic(
        &self,
        replica: &mut Replica,
        interval: Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
        on_result: &mut dyn FnMut(Result<SyncReport, SyncError>),
    ) {
        let mut idle = 0u32;
        loop {
            let pending = replica.pending_change_count().unwrap_or(0);
            if pending > 0 || idle >= 10 {
                idle = 0;
                let r = self.sync_with_retry(replica, 3, interval / 4, &mut |_| {}).await;
                on_result(r);
            } else {
                idle += 1;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    }

    /// What the server holds from this device, to compare with [`Self::local_digest`].
    pub async fn verify(&self, replica: &mut Replica) -> Result<VerifyResponse, SyncError> {
        let url = self.url("/verify");
        let device = replica.device_id().to_string();
        self.authed(
            replica,
            |http, token| http.get(&url).bearer_auth(token).query(&[("device", &device)]),
            &mut SyncReport::default(),
        )
        .await
    }

    /// Leases a block of document numbers for offline issuing.
    pub async fn lease_numbers(&self, replica: &mut Replica, req: &LeaseRequest) -> Result<NumberLease, SyncError> {
        let url = self.url("/numbers/lease");
        self.authed(replica, |http, token| http.post(&url).bearer_auth(token).json(req), &mut SyncReport::default())
            .await
    }

    /// Makes sure at least `low_water` numbers are available offline for a document code,
    /// leasing a block of `block` numbers from the server when fewer are left. Returns the
    /// numbers available afterwards.
    pub async fn ensure_numbers(
        &self,
        replica: &mut Replica,
        doc_code: &str,
        org_id: &str,
        year: i32,
        low_water: u64,
        block: u32,
    ) -> Result<u64, SyncError> {
        let left = replica.numbers_left(doc_code, org_id, year)?;
        if left >= low_water {
            return Ok(left);
        }
        let lease = self
            .lease_numbers(
                replica,
                &LeaseRequest { doc_code: doc_code.into(), org_id: org_id.into(), year, count: block },
            )
            .await?;
        replica.add_number_block(&zhifa_store::LeasedBlock {
            lease_id: lease.lease_id,
            doc_code: lease.doc_code,
            org_id: lease.org_id,
            year: lease.year,
            start: lease.start,
            end: lease.end,
        })?;
        Ok(replica.numbers_left(doc_code, org_id, year)?)
    }

    /// Uploads a file by hash in chunks, resuming from what the server already has.
    pub async fn upload(
        &self,
        replica: &mut Replica,
        sha256: &str,
        bytes: &[u8],
        chunk: usize,
    ) -> Result<u64, SyncError> {
        let mut report = SyncReport::default();
        let url = self.url(&format!("/attachments/{sha256}"));
        let st: zhifa_protocol::AttachmentStatus =
            self.authed(replica, |http, token| http.get(&url).bearer_auth(token), &mut report).await?;
        if st.complete {
            return Ok(0);
        }
        let mut offset = st.received as usize;
        let mut sent = 0u64;
        while offset < bytes.len() {
            let end = (offset + chunk).min(bytes.len());
            let part = bytes[offset..end].to_vec();
            let _: zhifa_protocol::AttachmentStatus = self
                .authed(
                    replica,
                    |http, token| http.put(&url).bearer_auth(token).query(&[("offset", offset)]).body(part.clone()),
                    &mut report,
                )
                .await?;
            sent += part.len() as u64;
            offset = end;
        }
        let done_url = self.url(&format!("/attachments/{sha256}/complete"));
        let _: zhifa_protocol::AttachmentStatus =
            self.authed(replica, |http, token| http.post(&done_url).bearer_auth(token), &mut report).await?;
        Ok(sent)
    }
}
