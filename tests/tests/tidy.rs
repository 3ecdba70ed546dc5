//! Tidy rules checked by plain `cargo test`: the codemap lists every crate, every module
//! has a `//!` doc, no test is skipped, the core stays pure, landed migrations are
//! unchanged.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target" && n != "node_modules") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn crates() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn codemap_lists_every_crate() {
    let arch = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let missing: Vec<_> = crates().into_iter().filter(|c| !arch.contains(&format!("`crates/{c}`"))).collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md codemap lacks: {missing:?} (add a line `crates/NAME`)");
}

#[test]
fn every_crate_directory_is_its_package_name() {
    for c in crates() {
        let toml = fs::read_to_string(root().join("crates").join(&c).join("Cargo.toml")).unwrap();
        assert!(toml.contains(&format!("name = \"{c}\"")), "crates/{c}/Cargo.toml must name the package {c}");
        assert!(toml.contains("[lints]\nworkspace = true"), "crates/{c} must use the workspace lints");
    }
}

#[test]
fn every_module_has_a_doc_comment() {
    let mut files = Vec::new();
    for c in crates() {
        rust_files(&root().join("crates").join(c), &mut files);
    }
    rust_files(&root().join("tests"), &mut files);
    let bad: Vec<_> = files
        .iter()
        .filter(|p| !fs::read_to_string(p).unwrap().trim_start().starts_with("//!"))
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(bad.is_empty(), "files without a leading //! doc: {bad:?}");
}

#[test]
fn no_skipped_or_panic_expecting_tests() {
    let banned = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    rust_files(&root().join("tests"), &mut files);
    for p in files {
        let text = fs::read_to_string(&p).unwrap();
        for b in banned {
            assert!(!text.contains(b), "{} contains {b}: a test must run and assert", p.display());
        }
    }
}

#[test]
fn core_is_pure() {
    let toml = fs::read_to_string(root().join("crates/zhifa-core/Cargo.toml")).unwrap();
    let deps = toml.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    let allowed = ["chrono", "serde", "serde_json", "sha2", "thiserror", "uuid"];
    for line in deps.lines().filter(|l| l.contains('=')) {
        let name = line.split(['=', '.']).next().unwrap().trim();
        assert!(allowed.contains(&name), "zhifa-core may not depend on {name}: the core has no IO, async or clock");
    }
    let banned = [
        "SystemTime::now",
        "Utc::now",
        "Local::now",
        "Instant::now",
        "new_v4",
        "std::fs",
        "std::net",
        "thread_rng",
        "tokio",
    ];
    let mut files = Vec::new();
    rust_files(&root().join("crates/zhifa-core/src"), &mut files);
    for p in files {
        let text = fs::read_to_string(&p).unwrap();
        for b in banned {
            assert!(!text.contains(b), "{} uses {b}: time, ids and randomness are passed into the core", p.display());
        }
    }
}

#[test]
fn landed_migrations_are_unchanged() {
    let dir = root().join("migrations/client");
    let sums = fs::read_to_string(dir.join("checksums.txt")).unwrap();
    let mut listed = Vec::new();
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (name, sum) = line.split_once("  ").unwrap();
        listed.push(name.to_owned());
        let bytes = fs::read(dir.join(name)).unwrap_or_else(|_| panic!("landed migration {name} was removed"));
        let actual = sha256_hex(&bytes);
        assert_eq!(actual, sum, "landed migration {name} was edited: add a new numbered migration instead");
    }
    let mut files: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql") && !n.starts_with("schema"))
        .collect();
    files.sort();
    assert_eq!(files, listed, "every migration must have a line in migrations/client/checksums.txt");
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let head: String = readme.lines().take(15).collect::<Vec<_>>().join("\n");
    assert!(
        head.contains("cargo run --release --bin zhifa-server -- --demo"),
        "README's first lines must give the run command"
    );
    assert!(head.contains("scripts/test"), "README's first lines must give the test command (scripts/test)");
    let script = fs::read_to_string(root().join("scripts/test")).unwrap();
    assert!(script.contains("cargo test --workspace"), "scripts/test must run the whole workspace");
    assert!(script.contains("--features e2e"), "scripts/test must run the app's window tests");
    let ci = fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(ci.contains("scripts/test"), ".ci/run must call the README's test command");
}
