//! SQLite backend: one file in WAL mode with `synchronous = FULL`.

use std::path::Path;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, TransactionBehavior};

use super::{Cell, DbError, P, Row, SQLITE, Sql};
use crate::error::AppError;

pub(super) fn connect(path: &Path, upto: usize) -> Result<Connection, DbError> {
    let mut c = Connection::open(path)?;
    c.busy_timeout(std::time::Duration::from_secs(30))?;
    let mode: String = c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(DbError::Type(format!("journal_mode is {mode}, WAL required")));
    }
    c.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    register_functions(&c)?;
    // A push runs a dozen distinct statements; the default cache (16) would evict them.
    c.set_prepared_statement_cache_capacity(64);
    // Savepoint (group commit) and statement journals in memory, not in temp files.
    c.execute_batch("PRAGMA temp_store = MEMORY;")?;
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let current: i64 = tx.query_row("SELECT coalesce(max(version), 0) FROM schema_version", [], |r| r.get(0))?;
    if current > SQLITE.len() as i64 {
        return Err(DbError::TooNew { found: current, supported: SQLITE.len() as i64 });
    }
    for (v, sql) in SQLITE.iter().take(upto).filter(|(v, _)| i64::from(*v) > current) {
        tx.execute_batch(sql)?;
        tx.execute("INSERT INTO schema_version(version) VALUES (?1)", [v])?;
    }
    tx.commit()?;
    Ok(c)
}

/// `zhifa_entity_key(entity, entity_id)`: the lookup key of an `entities` row,
/// [`super::entity_key`] (the PostgreSQL migration 0005 defines the same function).
fn register_functions(c: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    c.create_scalar_function(
        "zhifa_entity_key",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let kind = ctx.get_raw(0).as_str().map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
            let id = ctx.get_raw(1).as_str().map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
            Ok(super::entity_key(kind, id))
        },
    )
}

/// Rewrites `$N` placeholders to SQLite's `?N`.
fn rewrite(sql: &str) -> String {
    sql.replace('$', "?")
}

impl rusqlite::ToSql for P {
    /// Borrows text and bytes (a batch body or a state is not copied to be bound).
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            P::I(v) => ValueRef::Integer(*v),
            P::T(v) => ValueRef::Text(v.as_bytes()),
            P::OI(v) => v.map_or(ValueRef::Null, ValueRef::Integer),
            P::OT(v) => v.as_deref().map_or(ValueRef::Null, |t| ValueRef::Text(t.as_bytes())),
            P::B(v) => ValueRef::Blob(v),
        }))
    }
}

struct Tx<'a>(rusqlite::Transaction<'a>);

impl Sql for Tx<'_> {
    fn exec(&mut self, sql: &str, params: &[P]) -> Result<u64, DbError> {
        let mut st = self.0.prepare_cached(&rewrite(sql))?;
        Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[P]) -> Result<Vec<Row>, DbError> {
        let mut st = self.0.prepare_cached(&rewrite(sql))?;
        let n = st.column_count();
        let rows = st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(v) => Cell::I(v),
                        ValueRef::Real(v) => Cell::I(v as i64),
                        ValueRef::Text(t) => Cell::T(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => Cell::B(b.to_vec()),
                    })
                })
                .collect::<rusqlite::Result<Row>>()
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<Row>>>()?)
    }

    fn is_postgres(&self) -> bool {
        false
    }
}

pub(super) fn tx<R>(c: &mut Connection, f: impl FnOnce(&mut dyn Sql) -> Result<R, AppError>) -> Result<R, AppError> {
    let t = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(DbError::from)?;
    let mut tx = Tx(t);
    let r = f(&mut tx)?;
    tx.0.commit().map_err(DbError::from)?;
    Ok(r)
}
