//! PostgreSQL backend: several server processes may share one database. Writers
//! serialise on the `counters` row, so server sequence order equals commit order and a
//! pull cursor never skips a row committed late.
//!
//! The `postgres` client is synchronous and drives its own small tokio runtime, so it must
//! never be created, used or dropped on a thread that runs async tasks: connections are
//! opened on a short-lived plain thread and then used only by the store's worker threads.
//!
//! Parameters are sent with explicit types (`P::I` → `BIGINT`, `P::T` → `TEXT`, `P::B` →
//! `BYTEA`), so each statement costs one round trip and needs no server-side prepared
//! statement. Result cells are decoded by column type; every integer type (and `NUMERIC`
//! with an integral value, which is what `sum(bigint)` returns) becomes [`Cell::I`].

use std::error::Error as StdError;
use std::time::Duration;

use postgres::types::{FromSql, ToSql, Type};
use postgres::{Client, Config, NoTls};

use super::{Cell, DbError, P, POSTGRES, Row, Sql};
use crate::error::AppError;

/// Key of the advisory lock held while migrating (one migrator per database at a time).
const MIGRATION_LOCK: i64 = 7071;

/// Opens one connection and applies pending migrations.
pub(super) fn connect(url: &str, upto: usize) -> Result<Client, DbError> {
    let url = url.to_owned();
    // `postgres::Client` blocks on an internal runtime: it panics when created (or dropped)
    // inside a tokio runtime, which is where `Db::start` is usually called from.
    std::thread::Builder::new()
        .name("zhifa-db-connect".into())
        .spawn(move || connect_here(&url, upto))
        .map_err(|_| DbError::WorkerGone)?
        .join()
        .map_err(|_| DbError::WorkerGone)?
}

fn connect_here(url: &str, upto: usize) -> Result<Client, DbError> {
    let mut config: Config = url.parse()?;
    if config.get_application_name().is_none() {
        config.application_name("zhifa-server");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    let mut c = config.connect(NoTls)?;
    migrate(&mut c, upto)?;
    Ok(c)
}

fn migrate(c: &mut Client, upto: usize) -> Result<(), DbError> {
    let mut tx = c.transaction()?;
    // One migrator at a time when several servers start together; released at commit.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let current: i64 = tx.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM schema_version", &[])?.get(0);
    if current > POSTGRES.len() as i64 {
        return Err(DbError::TooNew { found: current, supported: POSTGRES.len() as i64 });
    }
    for (v, sql) in POSTGRES.iter().take(upto).filter(|(v, _)| i64::from(*v) > current) {
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO schema_version(version) VALUES ($1)", &[&i64::from(*v)])?;
    }
    tx.commit()?;
    Ok(())
}

/// Each parameter with the type it is sent as.
fn params(p: &[P]) -> Vec<(&(dyn ToSql + Sync), Type)> {
    p.iter()
        .map(|p| -> (&(dyn ToSql + Sync), Type) {
            match p {
                P::I(v) => (v, Type::INT8),
                P::T(v) => (v, Type::TEXT),
                P::OI(v) => (v, Type::INT8),
                P::OT(v) => (v, Type::TEXT),
                P::B(v) => (v, Type::BYTEA),
            }
        })
        .collect()
}

/// A cell decoded from any column type the store uses.
struct AnyCell(Cell);

type DecodeResult<T> = Result<T, Box<dyn StdError + Sync + Send>>;

impl<'a> FromSql<'a> for AnyCell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> DecodeResult<Self> {
        let cell = match *ty {
            Type::INT8 => Cell::I(i64::from_sql(ty, raw)?),
            Type::INT4 => Cell::I(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Cell::I(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => Cell::I(i64::from(u32::from_sql(ty, raw)?)),
            Type::BOOL => Cell::I(i64::from(bool::from_sql(ty, raw)?)),
            Type::NUMERIC => Cell::I(numeric_to_i64(raw)?),
            // Same as the SQLite backend, which reads a REAL as an integer.
            Type::FLOAT8 => Cell::I(f64::from_sql(ty, raw)? as i64),
            Type::FLOAT4 => Cell::I(f32::from_sql(ty, raw)? as i64),
            Type::BYTEA => Cell::B(raw.to_vec()),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => {
                Cell::T(std::str::from_utf8(raw)?.to_owned())
            }
            // Binary JSONB is a version byte (1) followed by the text.
            Type::JSONB => match raw.split_first() {
                Some((1, text)) => Cell::T(std::str::from_utf8(text)?.to_owned()),
                _ => return Err("unsupported jsonb version".into()),
            },
            _ => return Err(format!("unsupported column type {ty}").into()),
        };
        Ok(AnyCell(cell))
    }

    fn from_sql_null(_: &Type) -> DecodeResult<Self> {
        Ok(AnyCell(Cell::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Decodes a binary `NUMERIC` that holds an integer in `i64` range (e.g. `sum(bigint)`).
fn numeric_to_i64(raw: &[u8]) -> DecodeResult<i64> {
    let word = |i: usize| -> DecodeResult<i16> {
        raw.get(i * 2..i * 2 + 2).map(|b| i16::from_be_bytes([b[0], b[1]])).ok_or_else(|| "short numeric".into())
    };
    let (ndigits, weight, sign) = (word(0)?, word(1)?, word(2)? as u16);
    let negative = match sign {
        0x0000 => false,
        0x4000 => true,
        _ => return Err("numeric is NaN or infinite".into()),
    };
    let mut value: i128 = 0;
    for i in 0..ndigits.max(0) {
        let digit = i128::from(word(4 + i as usize)?);
        // Base-10000 digit `i` has the exponent `weight - i`.
        let exponent = i32::from(weight) - i32::from(i);
        if exponent < 0 {
            if digit != 0 {
                return Err("numeric has a fractional part".into());
            }
            continue;
        }
        let scale = 10_000i128.checked_pow(exponent as u32).ok_or("numeric out of range")?;
        value = digit.checked_mul(scale).and_then(|d| value.checked_add(d)).ok_or("numeric out of range")?;
    }
    let value = if negative { -value } else { value };
    Ok(i64::try_from(value)?)
}

struct Tx<'a>(postgres::Transaction<'a>);

impl Sql for Tx<'_> {
    fn exec(&mut self, sql: &str, p: &[P]) -> Result<u64, DbError> {
        Ok(self.0.execute_typed(sql, &params(p))?)
    }

    fn query(&mut self, sql: &str, p: &[P]) -> Result<Vec<Row>, DbError> {
        let rows = self.0.query_typed(sql, &params(p))?;
        rows.iter()
            .map(|r| (0..r.len()).map(|i| Ok(r.try_get::<_, AnyCell>(i)?.0)).collect::<Result<Row, DbError>>())
            .collect()
    }

    fn is_postgres(&self) -> bool {
        true
    }
}

pub(super) fn tx<R>(c: &mut Client, f: impl FnOnce(&mut dyn Sql) -> Result<R, AppError>) -> Result<R, AppError> {
    let t = c.transaction().map_err(DbError::from)?;
    let mut tx = Tx(t);
    let r = f(&mut tx)?;
    tx.0.commit().map_err(DbError::from)?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Binary NUMERIC: ndigits, weight, sign, dscale, then base-10000 digits.
    fn numeric(weight: i16, sign: u16, digits: &[i16]) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [digits.len() as i16, weight, sign as i16, 0] {
            v.extend(w.to_be_bytes());
        }
        for d in digits {
            v.extend(d.to_be_bytes());
        }
        v
    }

    #[test]
    fn integral_numerics_decode_to_i64() {
        assert_eq!(numeric_to_i64(&numeric(0, 0, &[])).unwrap(), 0);
        assert_eq!(numeric_to_i64(&numeric(0, 0, &[42])).unwrap(), 42);
        assert_eq!(numeric_to_i64(&numeric(1, 0x4000, &[12, 3456])).unwrap(), -123_456);
        // 10^8 with trailing zero digits elided.
        assert_eq!(numeric_to_i64(&numeric(2, 0, &[1])).unwrap(), 100_000_000);
        assert_eq!(numeric_to_i64(&numeric(4, 0, &[922, 3372, 368, 5477, 5807])).unwrap(), i64::MAX);
        // 1.0 written with an explicit zero fraction digit.
        assert_eq!(numeric_to_i64(&numeric(0, 0, &[1, 0])).unwrap(), 1);
    }

    #[test]
    fn non_integral_or_huge_numerics_are_errors() {
        assert!(numeric_to_i64(&numeric(0, 0, &[1, 5000])).is_err(), "1.5");
        assert!(numeric_to_i64(&numeric(5, 0, &[1])).is_err(), "10^20 overflows i64");
        assert!(numeric_to_i64(&numeric(0, 0xC000, &[])).is_err(), "NaN");
        assert!(numeric_to_i64(&[0, 1]).is_err(), "truncated");
    }

    #[test]
    fn cells_decode_by_column_type() {
        let cell = |ty: &Type, raw: &[u8]| AnyCell::from_sql(ty, raw).unwrap().0;
        assert_eq!(cell(&Type::INT8, &7i64.to_be_bytes()), Cell::I(7));
        assert_eq!(cell(&Type::INT4, &(-7i32).to_be_bytes()), Cell::I(-7));
        assert_eq!(cell(&Type::INT2, &3i16.to_be_bytes()), Cell::I(3));
        assert_eq!(cell(&Type::BOOL, &[1]), Cell::I(1));
        assert_eq!(cell(&Type::TEXT, "孝义".as_bytes()), Cell::T("孝义".into()));
        assert_eq!(cell(&Type::JSONB, b"\x01{}"), Cell::T("{}".into()));
        assert_eq!(cell(&Type::BYTEA, &[0, 255]), Cell::B(vec![0, 255]));
        assert_eq!(AnyCell::from_sql_null(&Type::INT8).unwrap().0, Cell::Null);
        assert!(AnyCell::from_sql(&Type::TIMESTAMPTZ, &[0; 8]).is_err());
    }
}
