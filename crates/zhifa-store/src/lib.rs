//! The tablet's local replica: one SQLite file in WAL mode with `synchronous=FULL`.
//!
//! - Opening never re-creates or "repairs" a file: a damaged or foreign file is an error
//!   naming the file, because unsynced work may be inside it.
//! - Migrations are numbered SQL files in `migrations/client/`, embedded at build time.
//! - Every write goes through [`Replica::write`], which stamps an HLC and appends a
//!   change record to the outbox (`changes`) in the same transaction.

mod entity;
mod error;
mod local;
mod migrate;
mod numbering;
mod read;
mod reference;
pub mod search;
mod sync_support;
mod write;

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use zhifa_core::hlc::{Hlc, HlcClock};
use zhifa_core::ids::{DeviceId, IdSource, IdSourceExt};

pub use entity::{Entity, Scope};
pub use error::{Result, StoreError};
pub use local::{EvidenceFile, NewPrintJob, PrintJob, PrintState};
pub use migrate::{MIGRATION_COUNT, schema_sql};
pub use numbering::LeasedBlock;
pub use read::{EnterpriseHit, ItemHit, LawHit};
pub use reference::ReferenceStats;
pub use sync_support::{CanonicalDump, RemoteConflict, RemoteEntity, StoredConflict, table_of};
pub use write::{PutOutcome, Writer};

/// `PRAGMA application_id` of a Zhifa replica ("ZHFA").
pub const APPLICATION_ID: i32 = 0x5A48_4641;

/// Ids and time from the operating system: wall clock milliseconds and random bytes.
#[derive(Debug, Default)]
pub struct SystemIds;

impl IdSource for SystemIds {
    fn next_parts(&mut self) -> (u64, [u8; 10]) {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let r = uuid::Uuid::new_v4();
        let mut b = [0u8; 10];
        b.copy_from_slice(&r.as_bytes()[..10]);
        (ms, b)
    }
}

/// An open replica.
pub struct Replica {
    conn: Connection,
    path: PathBuf,
    clock: HlcClock,
    ids: Box<dyn IdSource + Send>,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica").field("path", &self.path).field("device", &self.clock.device()).finish()
    }
}

fn check_header(path: &Path) -> Result<bool> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(StoreError::Io { path: path.into(), source: e }),
    };
    let mut head = [0u8; 16];
    let n = f.read(&mut head).map_err(|e| StoreError::Io { path: path.into(), source: e })?;
    if n == 0 {
        return Ok(false);
    }
    if n < 16 || &head != b"SQLite format 3\0" {
        return Err(StoreError::Corrupt { path: path.into(), source: None });
    }
    Ok(true)
}

impl Replica {
    /// Opens an existing replica (never creates one) with system ids and time.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, false, Box::new(SystemIds))
    }

    /// Creates the replica if missing, or opens and migrates an existing one.
    pub fn init(path: &Path) -> Result<Self> {
        Self::open_with(path, true, Box::new(SystemIds))
    }

    /// Opens with an explicit id source (tests pass a deterministic one).
    pub fn open_with(path: &Path, create: bool, mut ids: Box<dyn IdSource + Send>) -> Result<Self> {
        let exists = check_header(path)?;
        if !exists && !create {
            return Err(StoreError::NotFound { path: path.into() });
        }
        let corrupt = |e: rusqlite::Error| StoreError::Corrupt { path: path.into(), source: Some(e) };
        let flags = if create {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(corrupt)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if exists {
            let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(corrupt)?;
            if check != "ok" {
                return Err(StoreError::Corrupt { path: path.into(), source: None });
            }
            let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(corrupt)?;
            let tables: i64 =
                conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).map_err(corrupt)?;
            if app_id != APPLICATION_ID && tables > 0 {
                return Err(StoreError::Corrupt { path: path.into(), source: None });
            }
        }
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Pragma { path: path.into(), setting: "journal_mode=WAL" });
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;")?;
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        if sync != 2 {
            return Err(StoreError::Pragma { path: path.into(), setting: "synchronous=FULL" });
        }
        let mut conn = conn;
        migrate::migrate(&mut conn, path)?;

        let device = match conn
            .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get::<_, String>(0))
            .optional()?
        {
            Some(d) => DeviceId::parse(&d).map_err(|_| StoreError::Corrupt { path: path.into(), source: None })?,
            None => {
                let d: DeviceId = ids.next();
                conn.execute("INSERT INTO meta(key, value) VALUES ('device_id', ?1)", [d.to_string()])?;
                d
            }
        };
        let clock = match conn
            .query_row("SELECT value FROM meta WHERE key = 'hlc'", [], |r| r.get::<_, String>(0))
            .optional()?
        {
            Some(h) => {
                let h = Hlc::decode(&h).map_err(|_| StoreError::Corrupt { path: path.into(), source: None })?;
                HlcClock::resume(Hlc { device, ..h })
            }
            None => HlcClock::new(device),
        };
        Ok(Self { conn, path: path.into(), clock, ids })
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This replica's device id.
    pub fn device_id(&self) -> DeviceId {
        self.clock.device()
    }

    /// Read-only access to the connection (for tests and benchmarks).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one write transaction. Every entity write inside stamps an HLC and
    /// appends a change record; if `f` fails, nothing is written.
    pub fn write<R, E: From<StoreError>>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<R, E>) -> Result<R, E> {
        self.transaction(true, f)
    }

    /// Like [`Replica::write`], but always rolls back (for `--dry-run`).
    pub fn dry_run<R, E: From<StoreError>>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<R, E>) -> Result<R, E> {
        self.transaction(false, f)
    }

    fn transaction<R, E: From<StoreError>>(
        &mut self,
        commit: bool,
        f: impl FnOnce(&mut Writer<'_>) -> Result<R, E>,
    ) -> Result<R, E> {
        let (now_ms, _) = self.ids.next_parts();
        let saved = self.clock.clone();
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let mut w = Writer::new(tx, &mut self.clock, self.ids.as_mut(), now_ms);
        let r = f(&mut w);
        match r {
            Ok(v) if commit => {
                w.commit()?;
                Ok(v)
            }
            other => {
                // Dropping the writer rolls the transaction back; the clock is restored
                // so no timestamp of a discarded write is ever persisted.
                drop(w);
                self.clock = saved;
                other
            }
        }
    }
}
