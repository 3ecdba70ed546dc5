//! Type-checks the Kotlin half with `kotlinc` (Debian's `kotlin` package) against the
//! hand-written stand-ins in `android-stubs/` (no Android SDK or Gradle on the build
//! machines), with warnings as errors; checks that a wrong call does fail that check; and
//! checks the Tauri stand-ins against Tauri's real Kotlin sources from the crate registry.
//! Fails, never skips, without `kotlinc` (`scripts/test` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn plugin_source() -> PathBuf {
    crate_dir().join("android/src/main/java/cn/gov/luliang/zhifa/spp/SppPrinterPlugin.kt")
}

fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, exts, out);
        } else if p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)) {
            out.push(p);
        }
    }
}

fn stubs() -> Vec<PathBuf> {
    let mut v = Vec::new();
    files(&crate_dir().join("android-stubs"), &["kt", "java"], &mut v);
    v.sort();
    v
}

/// Runs kotlinc on `sources` plus the stubs, `-Werror`, into a fresh output folder.
fn kotlinc(sources: &[PathBuf], out: &Path) -> Output {
    let _ = std::fs::remove_dir_all(out);
    let mut cmd = Command::new("kotlinc");
    cmd.arg("-Werror").arg("-d").arg(out).args(sources).args(stubs());
    cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run kotlinc ({e}): install Debian's Kotlin compiler with `apt-get install -y kotlin` \
             (scripts/test does)"
        )
    })
}

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("zhifa-spp-kotlin-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn kotlin_half_type_checks_against_the_android_and_tauri_stand_ins() {
    let out = scratch("ok");
    let r = kotlinc(&[plugin_source()], &out.join("classes"));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "kotlinc failed:\n{stderr}");
    // (-Werror already fails on warnings; the JVM's own "VM warning" about -Xverify is not one.)
    assert!(!stderr.lines().any(|l| l.contains(".kt:") && l.contains("warning:")), "{stderr}");
    for class in ["SppPrinterPlugin", "SendArgs", "ConnectArgs", "CloseArgs", "SppException"] {
        let f = out.join("classes/cn/gov/luliang/zhifa/spp").join(format!("{class}.class"));
        assert!(f.is_file(), "{} missing", f.display());
    }
}

#[test]
fn a_call_the_stand_ins_do_not_have_fails_the_type_check() {
    let out = scratch("bad");
    let src = std::fs::read_to_string(plugin_source()).unwrap();
    assert!(src.contains("device.createRfcommSocketToServiceRecord(SPP_UUID)"));
    // An insecure-socket method name with a typo, and a wrong argument type.
    let bad = src
        .replace("device.createRfcommSocketToServiceRecord(SPP_UUID)", "device.createRfcommSocketToService(SPP_UUID)")
        .replace("reply.put(\"written\", bytes.size)", "reply.put(\"written\", bytes.size, 1)");
    let file = out.join("SppPrinterPlugin.kt");
    std::fs::write(&file, bad).unwrap();
    let r = kotlinc(&[file], &out.join("classes"));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(!r.status.success(), "kotlinc accepted a wrong call");
    assert!(stderr.contains("createRfcommSocketToService"), "{stderr}");
    assert!(stderr.contains("put"), "{stderr}");
}

/// The tauri crate's folder, from `cargo metadata` (its Kotlin sources ship in the crate).
fn tauri_dir() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline", "--manifest-path"])
        .arg(crate_dir().join("Cargo.toml"))
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tauri = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "tauri" && p["version"].as_str().is_some_and(|v| v.starts_with("2.")))
        .expect("tauri 2 in the dependency graph");
    PathBuf::from(tauri["manifest_path"].as_str().unwrap()).parent().unwrap().to_path_buf()
}

fn code_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("@file:"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn tauri_stand_ins_match_tauri_sources() {
    let tauri = tauri_dir();
    let mut checked = 0;
    for stub in stubs().into_iter().filter(|p| p.extension().is_some_and(|e| e == "kt")) {
        let text = std::fs::read_to_string(&stub).unwrap();
        let real_rel = text
            .split_whitespace()
            .find(|w| w.starts_with("mobile/android/src/main/java/app/tauri/"))
            .unwrap_or_else(|| panic!("{} does not name the Tauri file it mirrors", stub.display()))
            .trim_end_matches(['.', ',']);
        let real = std::fs::read_to_string(tauri.join(real_rel))
            .unwrap_or_else(|e| panic!("{}: {real_rel} not in {} ({e})", stub.display(), tauri.display()));
        let real_lines = code_lines(&real);
        if text.contains("copied unchanged") {
            assert_eq!(code_lines(&text), real_lines, "{} differs from {real_rel}", stub.display());
        } else {
            // Every declaration line of the stand-in is a declaration line of the real file.
            for line in code_lines(&text) {
                let decl = [
                    "fun ",
                    "fun<",
                    "open fun ",
                    "protected fun ",
                    "abstract class ",
                    "class ",
                    "enum class ",
                    "constructor(",
                ]
                .iter()
                .any(|k| line.starts_with(k));
                if decl {
                    assert!(
                        real_lines.iter().any(|r| r == &line),
                        "{}: `{line}` is not in Tauri's {real_rel}",
                        stub.display()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} declarations checked");
}
