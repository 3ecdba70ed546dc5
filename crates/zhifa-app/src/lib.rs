//! The inspector's workflows on the tablet, independent of any UI.
//!
//! The Tauri shell (`mobile-app/`) only translates its commands into calls on [`App`]; every
//! rule lives here or below (`zhifa-core`, `zhifa-store`, `zhifa-docgen`, `zhifa-escpos`,
//! `zhifa-sync-client`), so the whole inspector's day is testable without a window.
//!
//! - [`session`]: first login online (device key registered), later logins offline against a
//!   cached argon2id hash, lock and unlock, switching officer (never drops unsynced work).
//! - [`browse`]: home screen, enterprise search and file (一企一档), law and item library.
//! - [`inspect`]: inspections, checklist answers, hazards, photo and signature evidence.
//! - [`documents`]: drafts, previews, issuing with the next number of the device's block.
//! - [`printing`]: printer settings and the persisted print-job queue (reprints, resume).
//! - [`sync`]: sync now (push, pull, number leases, evidence upload) with progress.

pub mod browse;
pub mod documents;
pub mod error;
pub mod inspect;
pub mod printing;
pub mod session;
pub mod sync;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use zhifa_docgen::{FontConfig, Renderer};
use zhifa_store::Replica;

pub use error::{AppError, AppResult};
pub use session::OfficerView;

/// Wall-clock time, passed in (tests use a fixed clock).
pub trait Clock: Send {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }
}

/// A settable clock for tests.
#[derive(Debug, Default, Clone)]
pub struct FixedClock(pub std::sync::Arc<std::sync::atomic::AtomicU64>);

impl FixedClock {
    /// A clock at `ms`.
    pub fn at(ms: u64) -> Self {
        Self(std::sync::Arc::new(std::sync::atomic::AtomicU64::new(ms)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Where the app keeps its files and which server it syncs with.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Data folder: `replica.sqlite`, `evidence/`, `documents/`.
    pub data_dir: PathBuf,
    /// Sync server base URL, e.g. `http://127.0.0.1:8080`.
    pub server_url: String,
    /// CJK font for documents and raster printing.
    pub fonts: FontConfig,
    /// Password hashing cost for the offline credential cache.
    pub password_params: zhifa_auth::PasswordParams,
}

impl AppConfig {
    /// Defaults for a data folder and a server.
    pub fn new(data_dir: &Path, server_url: &str) -> Self {
        Self {
            data_dir: data_dir.to_path_buf(),
            server_url: server_url.trim_end_matches('/').to_owned(),
            fonts: FontConfig::from_env(),
            password_params: zhifa_auth::PasswordParams::default(),
        }
    }
}

/// The bureau's time zone (China Standard Time, UTC+8; no daylight saving).
pub fn bureau_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))
}

/// Local date and time at the bureau for a Unix time in milliseconds.
pub fn local_datetime(ms: u64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default().with_timezone(&bureau_offset()).naive_local()
}

/// Local date at the bureau.
pub fn local_date(ms: u64) -> NaiveDate {
    local_datetime(ms).date()
}

/// The app: one replica, one officer session at a time.
pub struct App {
    replica: Replica,
    config: AppConfig,
    clock: Box<dyn Clock>,
    session: Option<session::Session>,
    renderer: Option<Renderer>,
    rasterizer: Option<zhifa_escpos::FontRasterizer>,
    bluetooth: Option<printing::BluetoothConnector>,
    initials: Option<Vec<(String, zhifa_store::EnterpriseHit)>>,
}

impl App {
    /// Opens (or creates) the replica in the data folder and loads the reference data
    /// (checklist, laws, document types, divisions) compiled into this build.
    pub fn open(config: AppConfig, clock: Box<dyn Clock>) -> AppResult<Self> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| AppError::io(&config.data_dir, e))?;
        let path = config.data_dir.join("replica.sqlite");
        let mut replica = if path.exists() { Replica::open(&path)? } else { Replica::init(&path)? };
        // The seed is parsed only when this replica does not hold this version yet.
        if replica.meta("seed_version")?.as_deref() != Some(zhifa_seed::version().as_str()) {
            let reference = zhifa_seed::reference().map_err(|e| AppError::rule("SEED", e.to_string()))?;
            replica.load_reference(
                &reference.version,
                &reference.area,
                &reference.items,
                &reference.laws,
                &reference.document_types,
            )?;
        }
        Ok(Self {
            replica,
            config,
            clock,
            session: None,
            renderer: None,
            rasterizer: None,
            bluetooth: None,
            initials: None,
        })
    }

    /// The replica (read-only access for tests and diagnostics).
    pub fn replica(&self) -> &Replica {
        &self.replica
    }

    /// The configuration.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Now, in ms since the epoch.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    fn today(&self) -> NaiveDate {
        local_date(self.now_ms())
    }

    fn renderer(&mut self) -> AppResult<&Renderer> {
        if self.renderer.is_none() {
            self.renderer = Some(Renderer::new(&self.config.fonts)?);
        }
        self.renderer.as_ref().ok_or_else(|| AppError::rule("RENDERER", "文书排版引擎未就绪"))
    }
}
