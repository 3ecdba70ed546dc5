//! The central store: SQLite (the embedded default) or PostgreSQL behind one small SQL
//! interface, driven by worker threads so the async handlers never block.
//!
//! The sync algorithms (`crate::sync`) are written once against [`Sql`]; each backend only
//! translates parameters and rows. SQL is written with `$1, $2 …` placeholders (PostgreSQL
//! style); the SQLite backend rewrites them to `?1, ?2 …`.

mod postgres_backend;
mod sqlite_backend;

use std::sync::{Arc, Mutex, mpsc};

use crate::error::AppError;

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// A bound parameter.
#[derive(Debug, Clone)]
pub enum P {
    /// Integer.
    I(i64),
    /// Text.
    T(String),
    /// Nullable integer.
    OI(Option<i64>),
    /// Nullable text.
    OT(Option<String>),
    /// Bytes.
    B(Vec<u8>),
}

/// A result cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// NULL.
    Null,
    /// Integer.
    I(i64),
    /// Text.
    T(String),
    /// Bytes.
    B(Vec<u8>),
}

impl Cell {
    /// As integer (NULL → 0 is not allowed: errors are programming errors here).
    pub fn i(&self) -> Result<i64, DbError> {
        match self {
            Cell::I(v) => Ok(*v),
            other => Err(DbError::Type(format!("expected integer, got {other:?}"))),
        }
    }

    /// As text.
    pub fn t(&self) -> Result<String, DbError> {
        match self {
            Cell::T(v) => Ok(v.clone()),
            other => Err(DbError::Type(format!("expected text, got {other:?}"))),
        }
    }

    /// As optional text.
    pub fn ot(&self) -> Result<Option<String>, DbError> {
        match self {
            Cell::Null => Ok(None),
            other => other.t().map(Some),
        }
    }

    /// As bytes.
    pub fn b(&self) -> Result<Vec<u8>, DbError> {
        match self {
            Cell::B(v) => Ok(v.clone()),
            other => Err(DbError::Type(format!("expected bytes, got {other:?}"))),
        }
    }
}

/// The lookup key of an `entities` row (`key_hash`), a signed big-endian integer: the first
/// 4 bytes of SHA-256 of `entity\nPREFIX`, then the first 4 bytes of SHA-256 of
/// `entity\nentity_id`, where PREFIX is the id up to its first `:` (the whole id when it has
/// none). Rows whose ids share a prefix — the answers of one inspection,
/// `INSPECTION:ITEM` — are neighbours in the key index, so a push of a whole inspection
/// writes one or two index pages instead of one per answer (docs/benchmarks.md). Since
/// schema 5; SQL computes it with `zhifa_entity_key(entity, entity_id)` on both backends.
pub fn entity_key(entity: &str, id: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let sha = |part: &str| {
        let mut h = Sha256::new();
        h.update(entity.as_bytes());
        h.update(b"\n");
        h.update(part.as_bytes());
        h.finalize()
    };
    let whole = sha(id);
    let prefix = id.split(':').next().unwrap_or(id);
    let cluster = if prefix.len() == id.len() { whole } else { sha(prefix) };
    i64::from_be_bytes([cluster[0], cluster[1], cluster[2], cluster[3], whole[0], whole[1], whole[2], whole[3]])
}

/// A result row.
pub type Row = Vec<Cell>;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite failed.
    #[error("SQLite error")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("PostgreSQL error")]
    Postgres(#[from] postgres::Error),
    /// A column had an unexpected type.
    #[error("unexpected column type: {0}")]
    Type(String),
    /// The worker thread is gone.
    #[error("store worker stopped")]
    WorkerGone,
    /// The database schema is newer than this program.
    #[error("database schema {found} is newer than this server ({supported})")]
    TooNew {
        /// Found.
        found: i64,
        /// Supported.
        supported: i64,
    },
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::WorkerGone => AppError::unavailable(e),
            other => AppError::internal(other),
        }
    }
}

/// The SQL a sync algorithm needs, inside one transaction.
pub trait Sql {
    /// Executes a statement; returns affected rows.
    fn exec(&mut self, sql: &str, params: &[P]) -> Result<u64, DbError>;
    /// Runs a query.
    fn query(&mut self, sql: &str, params: &[P]) -> Result<Vec<Row>, DbError>;
    /// Which backend (for the few statements that differ).
    fn is_postgres(&self) -> bool;
}

/// One connection of either backend.
pub enum Conn {
    /// SQLite file.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL.
    Postgres(Box<postgres::Client>),
}

impl Conn {
    /// Runs `f` in one transaction; commits only if it returns `Ok`.
    pub fn tx<R>(&mut self, f: impl FnOnce(&mut dyn Sql) -> Result<R, AppError>) -> Result<R, AppError> {
        match self {
            Conn::Sqlite(c) => sqlite_backend::tx(c, f),
            Conn::Postgres(c) => postgres_backend::tx(c, f),
        }
    }
}

/// Where the store lives, parsed from `--db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// `sqlite:PATH`.
    Sqlite(std::path::PathBuf),
    /// `postgres://…`.
    Postgres(String),
}

impl std::str::FromStr for DbUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(p) = s.strip_prefix("sqlite:") {
            Ok(DbUrl::Sqlite(p.into()))
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(DbUrl::Postgres(s.into()))
        } else {
            Err(format!("无法识别的数据库地址“{s}”：应为 sqlite:路径 或 postgres://…"))
        }
    }
}

impl DbUrl {
    /// Opens one connection and applies pending migrations.
    pub fn connect(&self) -> Result<Conn, DbError> {
        self.connect_upto(usize::MAX)
    }

    /// Opens one connection and applies pending migrations up to schema `version` only: for
    /// upgrade tests, which build a store of an older schema and then [`DbUrl::connect`].
    pub fn connect_upto(&self, version: usize) -> Result<Conn, DbError> {
        match self {
            DbUrl::Sqlite(p) => sqlite_backend::connect(p, version).map(Conn::Sqlite),
            DbUrl::Postgres(u) => postgres_backend::connect(u, version).map(|c| Conn::Postgres(Box::new(c))),
        }
    }
}

type Job = Box<dyn FnOnce(&mut Conn) + Send>;

/// Handle to the store's worker threads (cheap to clone).
#[derive(Clone)]
pub struct Db {
    jobs: mpsc::Sender<Job>,
}

impl Db {
    /// Connects `workers` connections (migrating on the first) and starts their threads.
    pub fn start(url: &DbUrl, workers: usize) -> Result<Db, DbError> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers.max(1) {
            let mut conn = url.connect()?;
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("zhifa-db-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut conn),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|_| DbError::WorkerGone)?;
        }
        Ok(Db { jobs: tx })
    }

    /// Runs `f` on a worker's connection and awaits its result.
    pub async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<R, AppError> + Send + 'static,
    ) -> Result<R, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |c: &mut Conn| {
                let _ = tx.send(f(c));
            }))
            .map_err(|_| AppError::from(DbError::WorkerGone))?;
        rx.await.map_err(|_| AppError::from(DbError::WorkerGone))?
    }

    /// Runs `f` in one transaction on a worker.
    pub async fn tx<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Sql) -> Result<R, AppError> + Send + 'static,
    ) -> Result<R, AppError> {
        self.run(move |c| c.tx(f)).await
    }
}
