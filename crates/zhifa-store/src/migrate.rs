//! Applies the embedded migrations, one transaction each.

use std::path::Path;

use rusqlite::Connection;

use crate::{APPLICATION_ID, Result, StoreError};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Number of embedded migrations (= the schema version of a fresh replica).
pub const MIGRATION_COUNT: u32 = MIGRATIONS.len() as u32;

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > MIGRATION_COUNT {
        return Err(StoreError::TooNew { path: path.into(), found: current, supported: MIGRATION_COUNT });
    }
    for (version, _name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}

/// The schema of a fresh replica as normalised SQL (for the snapshot test).
pub fn schema_sql(conn: &Connection) -> Result<String> {
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '%_fts_%' ORDER BY type DESC, name",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = String::new();
    for r in rows {
        out.push_str(&r?);
        out.push_str(";\n\n");
    }
    Ok(out)
}
