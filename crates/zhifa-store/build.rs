//! Embeds `migrations/client/NNNN_name.sql` at build time.
//!
//! Cargo does not notice a new file in a directory unless told, so the directory and
//! every file are registered with `rerun-if-changed`; otherwise a new migration would
//! silently be missing from the binary.

use std::{env, fs, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../migrations/client");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "sql") && !p.file_name().unwrap().to_string_lossy().starts_with("schema")
        })
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Embedded migrations: (version, name, sql).\npub(crate) const MIGRATIONS: &[(u32, &str, &str)] = &[\n",
    );
    for (i, p) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        let version: u32 = name.split('_').next().unwrap().parse().expect("migration name starts with a number");
        assert_eq!(version as usize, i + 1, "migrations must be numbered 0001, 0002, … without gaps: {name}");
        out.push_str(&format!(
            "    ({version}, {name:?}, include_str!({:?})),\n",
            p.canonicalize().unwrap().display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("migrations.rs"), out).unwrap();
}
