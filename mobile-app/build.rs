//! Builds the TypeScript front end into `dist/` (tsc from `node_modules`, installed with
//! `npm ci` on first use), then runs tauri-build, which embeds `dist/` into the binary.

use std::path::Path;
use std::process::Command;

fn newest(dir: &Path) -> std::time::SystemTime {
    let mut t = std::time::SystemTime::UNIX_EPOCH;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            let m = if p.is_dir() { newest(&p) } else { e.metadata().and_then(|m| m.modified()).unwrap_or(t) };
            t = t.max(m);
        }
    }
    t
}

fn run(cmd: &mut Command, what: &str) {
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("{what} failed ({s}); the front end needs Node.js and npm"),
        Err(e) => {
            panic!("{what} could not start ({e}); the front end needs Node.js and npm (apt-get install nodejs npm)")
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ui = root.join("ui");
    let dist = root.join("dist");
    println!("cargo:rerun-if-changed=ui");
    println!("cargo:rerun-if-changed=package.json");
    println!("cargo:rerun-if-changed=tsconfig.json");
    let built = dist.join("app.js");
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).unwrap_or(std::time::SystemTime::UNIX_EPOCH);
    if !built.exists() || newest(&ui.join("src")) > modified(&built) {
        if !root.join("node_modules/.bin/tsc").exists() {
            run(
                Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(root),
                "npm ci",
            );
        }
        std::fs::create_dir_all(&dist).expect("create dist/");
        run(Command::new(root.join("node_modules/.bin/tsc")).arg("-p").arg(root.join("tsconfig.json")), "tsc");
    }
    // Static files: copied whenever they differ (cheap; keeps dist/ true to ui/).
    for f in ["index.html", "style.css"] {
        let (src, dst) = (ui.join(f), dist.join(f));
        if std::fs::read(&src).ok() != std::fs::read(&dst).ok() {
            std::fs::copy(&src, &dst).expect("copy static front-end file");
        }
    }
    tauri_build::build()
}
