//! Embeds the server migrations (`migrations/server-sqlite`, `migrations/server-postgres`).
//!
//! Every file and both directories are registered with `rerun-if-changed`, so a new
//! migration is never silently left out of the binary.

use std::{env, fs, path::PathBuf};

fn list(dir: &str) -> String {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("..").join("migrations").join(dir);
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for (i, p) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        let version: u32 = name.split('_').next().unwrap().parse().expect("numbered migration");
        assert_eq!(version as usize, i + 1, "migrations in {dir} must be numbered without gaps");
        out.push_str(&format!(
            "    ({version}, include_str!({:?})),\n",
            p.canonicalize().unwrap().display().to_string()
        ));
    }
    out.push(']');
    out
}

fn main() {
    let code = format!(
        "/// SQLite migrations: (version, sql).\npub(crate) const SQLITE: &[(u32, &str)] = {};\n\
         /// PostgreSQL migrations: (version, sql).\npub(crate) const POSTGRES: &[(u32, &str)] = {};\n",
        list("server-sqlite"),
        list("server-postgres")
    );
    fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("migrations.rs"), code).unwrap();
}
