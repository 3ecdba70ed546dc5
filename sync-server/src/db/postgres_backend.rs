//! PostgreSQL backend: several server processes may share one database. Writers
//! serialise on the `counters` row, so server sequence order equals commit order and a
//! pull cursor never skips a row committed late.

use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls};

use super::{Cell, DbError, P, POSTGRES, Row, Sql};
use crate::error::AppError;

pub(super) fn connect(url: &str) -> Result<Client, DbError> {
    let mut c = Client::connect(url, NoTls)?;
    let mut tx = c.transaction()?;
    // One migrator at a time when several servers start together.
    tx.execute("SELECT pg_advisory_xact_lock(7071)", &[])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let current: i64 = tx.query_one("SELECT coalesce(max(version), 0)::BIGINT FROM schema_version", &[])?.get(0);
    if current > POSTGRES.len() as i64 {
        return Err(DbError::TooNew { found: current, supported: POSTGRES.len() as i64 });
    }
    for (v, sql) in POSTGRES.iter().filter(|(v, _)| i64::from(*v) > current) {
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO schema_version(version) VALUES ($1)", &[&i64::from(*v)])?;
    }
    tx.commit()?;
    Ok(c)
}

fn params(p: &[P]) -> Vec<Box<dyn ToSql + Sync>> {
    p.iter()
        .map(|p| -> Box<dyn ToSql + Sync> {
            match p {
                P::I(v) => Box::new(*v),
                P::T(v) => Box::new(v.clone()),
                P::OI(v) => Box::new(*v),
                P::OT(v) => Box::new(v.clone()),
                P::B(v) => Box::new(v.clone()),
            }
        })
        .collect()
}

struct Tx<'a>(postgres::Transaction<'a>);

impl Sql for Tx<'_> {
    fn exec(&mut self, sql: &str, p: &[P]) -> Result<u64, DbError> {
        let owned = params(p);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|b| b.as_ref()).collect();
        Ok(self.0.execute(sql, &refs)?)
    }

    fn query(&mut self, sql: &str, p: &[P]) -> Result<Vec<Row>, DbError> {
        let owned = params(p);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|b| b.as_ref()).collect();
        let rows = self.0.query(sql, &refs)?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        let t = r.columns()[i].type_();
                        Ok(if *t == Type::INT8 || *t == Type::INT4 {
                            let v: Option<i64> = if *t == Type::INT8 {
                                r.try_get(i)?
                            } else {
                                r.try_get::<_, Option<i32>>(i)?.map(i64::from)
                            };
                            v.map_or(Cell::Null, Cell::I)
                        } else if *t == Type::BYTEA {
                            r.try_get::<_, Option<Vec<u8>>>(i)?.map_or(Cell::Null, Cell::B)
                        } else {
                            r.try_get::<_, Option<String>>(i)?.map_or(Cell::Null, Cell::T)
                        })
                    })
                    .collect::<Result<Row, DbError>>()
            })
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
