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
    /// A compressed answer could not be decompressed (or was too large).
    #[error("服务器返回的数据无法解压")]
    Decode(#[source] std::io::Error),
    /// The server's certificate is not signed by a trusted CA (or names another host).
    #[error("服务器证书不受信任，已停止连接：请确认连接的是本单位的同步服务器，并检查本机配置的根证书（{reason}）")]
    TlsUntrusted {
        /// What the verifier found.
        reason: String,
    },
    /// Another TLS failure (handshake, protocol version).
    #[error("与同步服务器建立加密连接失败（{reason}）")]
    Tls {
        /// What failed.
        reason: String,
    },
    /// The TLS settings (CA file) are invalid.
    #[error("证书配置无效：{0}")]
    TlsConfig(String),
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
            Self::Decode(_) => "DECODE",
            Self::KeyCorrupt => "DEVICE_KEY_CORRUPT",
            Self::TlsUntrusted { .. } => "TLS_UNTRUSTED",
            Self::Tls { .. } => "TLS_FAILED",
            Self::TlsConfig(_) => "TLS_CONFIG",
        }
    }

    /// Whether the server holds this device's pushes because their schema version is not
    /// supported (`SCHEMA_UNSUPPORTED`): the app or the server must be upgraded. The outbox
    /// is untouched; the message says which side.
    pub fn needs_upgrade(&self) -> bool {
        self.code() == "SCHEMA_UNSUPPORTED"
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
    /// Bytes sent (request bodies as they went on the wire, i.e. compressed).
    pub bytes_up: u64,
    /// Bytes received (response bodies as they came off the wire, i.e. compressed).
    pub bytes_down: u64,
    /// The same request bodies before compression (JSON).
    pub json_bytes_up: u64,
    /// The same response bodies after decompression (JSON).
    pub json_bytes_down: u64,
    /// Voided document numbers the server recorded for the first time.
    pub gaps_reported: u64,
    /// Voided numbers the server refused (e.g. outside this device's leased blocks).
    pub gaps_rejected: Vec<zhifa_protocol::RejectedGap>,
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
        seen: it.seen.clone(),
        server_seq: it.server_seq,
        conflicts: it
            .conflicts
            .iter()
            .map(|c| zhifa_store::RemoteConflict {
                field: c.field.clone(),
                kind: c.kind.clone(),
                values: c.values.clone(),
                message: c.message.clone(),
            })
            .collect(),
    })
}

/// Meta keys in the replica.
const KEY_PKCS8: &str = "device_key_pkcs8";
const KEY_TOKENS: &str = "sync_tokens";
/// SHA-256 of the last gap list the server answered (nothing new: nothing sent).
const KEY_GAPS_SENT: &str = "number_gaps_reported";

/// Largest response body the client decompresses (a bigger one is refused, not buffered).
const MAX_DECODED: u64 = 256 << 20;

/// zstd level of request bodies (3: zstd's default; ~10× on change JSON at a few ms per batch).
const ZSTD_LEVEL: i32 = 3;

/// Decodes a response body by its `Content-Encoding` (only what we asked for: zstd, gzip
/// is not requested, identity).
fn decode_body(encoding: Option<&str>, wire: &[u8]) -> Result<Vec<u8>, SyncError> {
    use std::io::Read as _;
    match encoding.map(str::trim) {
        None | Some("") | Some("identity") => Ok(wire.to_vec()),
        Some(e) if e.eq_ignore_ascii_case("zstd") => {
            let mut out = Vec::new();
            let dec = zstd::stream::read::Decoder::new(wire).map_err(SyncError::Decode)?;
            dec.take(MAX_DECODED + 1).read_to_end(&mut out).map_err(SyncError::Decode)?;
            if out.len() as u64 > MAX_DECODED {
                return Err(SyncError::Decode(std::io::Error::other("response larger than the client accepts")));
            }
            Ok(out)
        }
        Some(other) => Err(SyncError::Decode(std::io::Error::other(format!("unsupported content-encoding {other:?}")))),
    }
}

/// A sync client for one replica and one server.
pub struct SyncClient {
    base: String,
    http: reqwest::Client,
    /// Whether push bodies are sent zstd-compressed (turned off for the rest of this
    /// client's life if the server answers 415, i.e. an older server without decompression).
    compress_requests: std::sync::atomic::AtomicBool,
    /// Changes per push.
    pub batch: usize,
    /// Entities per pull page.
    pub page: i64,
    /// Schema version this client declares in pushes (this build's
    /// [`zhifa_protocol::SCHEMA_VERSION`]; changed only by tests and staged upgrades).
    pub schema_version: u32,
}

/// Which certificate authorities the client trusts for `https://` servers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TrustRoots {
    /// The operating system's trust store (a server with a publicly trusted certificate).
    #[default]
    System,
    /// Only these CA certificates (PEM text, one or more `CERTIFICATE` blocks): the
    /// deployment's own CA, e.g. the city bureau's. The system store is not consulted.
    CaPem(Vec<u8>),
}

/// Makes ring the process-wide rustls crypto provider, if none is installed yet.
///
/// reqwest is built with `rustls-no-provider` (the project uses ring, not aws-lc): a
/// `reqwest::Client` built without a preconfigured TLS setup panics unless a provider is
/// installed. [`SyncClient`] calls this itself; code that builds its own reqwest clients in
/// the same process (the app, tests) calls it once at start-up.
pub fn install_crypto_provider() {
    // Err means a provider is already installed: fine either way.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// rustls with the ring provider (the project's crypto provider; no aws-lc).
fn tls_config(roots: &TrustRoots) -> Result<rustls::ClientConfig, SyncError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::TlsConfig(e.to_string()))?;
    Ok(match roots {
        TrustRoots::System => {
            let verifier =
                rustls_platform_verifier::Verifier::new(provider).map_err(|e| SyncError::TlsConfig(e.to_string()))?;
            builder.dangerous().with_custom_certificate_verifier(std::sync::Arc::new(verifier)).with_no_client_auth()
        }
        TrustRoots::CaPem(pem) => {
            let mut store = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| SyncError::TlsConfig(e.to_string()))?;
                store.add(cert).map_err(|e| SyncError::TlsConfig(e.to_string()))?;
            }
            if store.is_empty() {
                return Err(SyncError::TlsConfig("no CERTIFICATE block in the CA file".into()));
            }
            builder.with_root_certificates(store).with_no_client_auth()
        }
    })
}

/// Classifies a transport error: a certificate the client does not trust and other TLS
/// failures get their own codes (retrying cannot fix them); the rest is the network.
fn transport_error(e: reqwest::Error) -> SyncError {
    /// The rustls error somewhere below `err`. `io::Error::source` skips the error it wraps
    /// (it returns the wrapped error's source), so wrapped io errors are opened by hand.
    fn find(err: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t.clone());
        }
        if let Some(t) = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).and_then(|inner| find(inner))
        {
            return Some(t);
        }
        err.source().and_then(find)
    }
    let tls = find(&e);
    match tls {
        Some(rustls::Error::InvalidCertificate(reason)) => SyncError::TlsUntrusted { reason: format!("{reason:?}") },
        Some(other) => SyncError::Tls { reason: other.to_string() },
        None => SyncError::Network(e),
    }
}

impl SyncClient {
    /// A client for `base_url` (e.g. `http://127.0.0.1:8080` or `https://sync.example`),
    /// trusting the system's certificate authorities for `https`.
    pub fn new(base_url: &str) -> Self {
        // If the system store cannot be set up, the client still speaks plain HTTP and every
        // https request fails with TLS_UNTRUSTED instead of panicking.
        Self::with_trust(base_url, &TrustRoots::System).unwrap_or_else(|_| Self::build(base_url, None))
    }

    /// A client that trusts only the CA certificates in `ca_pem` (PEM) for `https`: how a
    /// deployment with its own CA configures the tablet (see docs/sync.md).
    pub fn with_ca_pem(base_url: &str, ca_pem: &[u8]) -> Result<Self, SyncError> {
        Self::with_trust(base_url, &TrustRoots::CaPem(ca_pem.to_vec()))
    }

    /// A client with the given trust roots for `https`.
    pub fn with_trust(base_url: &str, roots: &TrustRoots) -> Result<Self, SyncError> {
        Ok(Self::build(base_url, Some(tls_config(roots)?)))
    }

    fn build(base_url: &str, tls: Option<rustls::ClientConfig>) -> Self {
        install_crypto_provider();
        let builder =
            || reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).timeout(Duration::from_secs(60));
        // Without a usable TLS setup the client trusts no CA at all: plain http still works,
        // every https request fails with TLS_UNTRUSTED, and nothing panics.
        let trust_nobody = || {
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map(|b| b.with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth())
        };
        let http = tls
            .map(|cfg| builder().tls_backend_preconfigured(cfg).build())
            .and_then(Result::ok)
            .or_else(|| trust_nobody().ok().and_then(|cfg| builder().tls_backend_preconfigured(cfg).build().ok()))
            .unwrap_or_default();
        Self {
            base: base_url.trim_end_matches('/').to_owned(),
            http,
            compress_requests: std::sync::atomic::AtomicBool::new(true),
            batch: 200,
            page: 500,
            schema_version: SCHEMA_VERSION,
        }
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

    async fn answer<T: serde::de::DeserializeOwned>(
        resp: reqwest::Response,
        report: &mut SyncReport,
    ) -> Result<T, SyncError> {
        let status = resp.status();
        let encoding =
            resp.headers().get(reqwest::header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let wire = resp.bytes().await.map_err(transport_error)?;
        report.bytes_down += wire.len() as u64;
        let body = decode_body(encoding.as_deref(), &wire)?;
        report.json_bytes_down += body.len() as u64;
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
        let resp = self.http.post(self.url("/auth/login")).json(&req).send().await.map_err(transport_error)?;
        let r: LoginResponse = Self::answer(resp, &mut SyncReport::default()).await?;
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
            .map_err(transport_error)?;
        match Self::answer::<LoginResponse>(resp, &mut SyncReport::default()).await {
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
            let req = build(&self.http, &token).header(reqwest::header::ACCEPT_ENCODING, "zstd");
            let resp = req.send().await.map_err(transport_error)?;
            match Self::answer(resp, report).await {
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
                schema_version: self.schema_version,
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
            let r = self.send_push(replica, &device, &signature, &body, report).await?;
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

    /// Sends one signed push body, zstd-compressed unless the server cannot take it. The
    /// signature covers the JSON bytes; compression is transport only (the server verifies
    /// after decompressing).
    async fn send_push(
        &self,
        replica: &mut Replica,
        device: &str,
        signature: &str,
        body: &[u8],
        report: &mut SyncReport,
    ) -> Result<PushResponse, SyncError> {
        use std::sync::atomic::Ordering;
        let url = self.url("/push");
        loop {
            let compress = self.compress_requests.load(Ordering::Relaxed);
            let wire = if compress {
                zstd::bulk::compress(body, ZSTD_LEVEL).map_err(SyncError::Decode)?
            } else {
                body.to_vec()
            };
            report.bytes_up += wire.len() as u64;
            report.json_bytes_up += body.len() as u64;
            let r = self
                .authed(
                    replica,
                    |http, token| {
                        let req = http
                            .post(&url)
                            .bearer_auth(token)
                            .header(HEADER_DEVICE, device)
                            .header(HEADER_SIGNATURE, signature)
                            .header(reqwest::header::CONTENT_TYPE, "application/json");
                        let req = if compress { req.header(reqwest::header::CONTENT_ENCODING, "zstd") } else { req };
                        req.body(wire.clone())
                    },
                    report,
                )
                .await;
            match r {
                Err(SyncError::Server { status: 415, .. }) if compress => {
                    // An older server without request decompression: nothing was stored.
                    self.compress_requests.store(false, Ordering::Relaxed);
                }
                other => return other,
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

    /// Reports the document numbers voided on this device (`Writer::record_gap`) so
    /// supervisors see every gap in a number sequence. Sends the whole list, and only when
    /// it changed since the server last answered; the server keeps each number once.
    pub async fn report_gaps(&self, replica: &mut Replica, report: &mut SyncReport) -> Result<(), SyncError> {
        let gaps: Vec<zhifa_protocol::NumberGap> = replica
            .voided_numbers()?
            .into_iter()
            .map(|g| zhifa_protocol::NumberGap {
                doc_code: g.doc_code,
                org_id: g.org_id,
                year: g.year,
                number: g.number,
                reason: g.reason,
                at_ms: g.at_ms,
            })
            .collect();
        if gaps.is_empty() {
            return Ok(());
        }
        let req = zhifa_protocol::GapReport { gaps };
        let json = serde_json::to_vec(&req).map_err(SyncError::Protocol)?;
        let digest: String =
            ring::digest::digest(&ring::digest::SHA256, &json).as_ref().iter().map(|b| format!("{b:02x}")).collect();
        if replica.meta(KEY_GAPS_SENT)?.as_deref() == Some(digest.as_str()) {
            return Ok(());
        }
        let url = self.url("/numbers/gaps");
        report.bytes_up += json.len() as u64;
        report.json_bytes_up += json.len() as u64;
        let r: zhifa_protocol::GapReportResponse = self
            .authed(
                replica,
                |http, token| {
                    http.post(&url)
                        .bearer_auth(token)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(json.clone())
                },
                report,
            )
            .await?;
        report.gaps_reported += u64::from(r.recorded);
        report.gaps_rejected.extend(r.rejected);
        replica.set_meta(KEY_GAPS_SENT, &digest)?;
        Ok(())
    }

    /// The voided document numbers of `year` on the organisations in the caller's scope
    /// (supervisors: 审核, 审批, 系统管理员; others get `FORBIDDEN`).
    pub async fn list_gaps(&self, replica: &mut Replica, year: i32) -> Result<zhifa_protocol::GapListing, SyncError> {
        let url = self.url("/numbers/gaps");
        self.authed(
            replica,
            |http, token| http.get(&url).bearer_auth(token).query(&[("year", year)]),
            &mut SyncReport::default(),
        )
        .await
    }

    /// One full sync: push, report voided numbers, then pull.
    pub async fn sync(
        &self,
        replica: &mut Replica,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        self.push(replica, &mut report, progress).await?;
        match self.report_gaps(replica, &mut report).await {
            // A server from before gap reporting: the gaps stay on the tablet, sync goes on.
            Err(SyncError::Server { status: 404, .. }) => {}
            other => other?,
        }
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
