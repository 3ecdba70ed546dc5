//! The inspector's day in the real app window: Xvfb + WebKitWebDriver drive the Tauri binary
//! against a real sync server and a virtual printer on loopback. Login, first sync, printer
//! setup, search, checklist with two non-conforming items and a photo, kill -9 and restart
//! mid-inspection (nothing lost), issue two documents, print one (bytes checked), sync, and a
//! second tablet sees the issued documents through the server. Screenshots of every main
//! screen go to `target/tmp/screenshots` (and to `docs/screenshots` with
//! `ZHIFA_UPDATE_SCREENSHOTS=1`).

mod webdriver;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use webdriver::Session;
use zhifa_server::AppState;
use zhifa_server::db::{Db, DbUrl};
use zhifa_server::demo;

const APP: &str = env!("CARGO_BIN_EXE_zhifa-tablet");

fn shots_dirs() -> Vec<PathBuf> {
    let mut v = vec![Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")];
    if std::env::var_os("ZHIFA_UPDATE_SCREENSHOTS").is_some() {
        v.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots"));
    }
    v
}

async fn shot(s: &Session, name: &str) {
    let png = s.screenshot().await;
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}: not a PNG");
    let (w, h) =
        (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    assert!(w >= 1000 && h >= 600, "{name}: screenshot {w}×{h}");
    for d in shots_dirs() {
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("{name}.png")), &png).unwrap();
    }
}

fn printer() -> (String, mpsc::Receiver<Vec<u8>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let mut buf = Vec::new();
            let _ = s.unwrap().read_to_end(&mut buf);
            if tx.send(buf).is_err() {
                break;
            }
        }
    });
    (addr, rx)
}

/// PIDs of the children of `parent` (the app under WebKitWebDriver).
fn children(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let after = stat.rsplit_once(") ").map(|x| x.1).unwrap_or("");
        let ppid: u32 = after.split(' ').nth(1).and_then(|x| x.parse().ok()).unwrap_or(0);
        if ppid == parent {
            out.push(pid);
        }
    }
    out
}

fn jpeg(path: &Path) {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    v.extend((0..8192u32).map(|i| (i * 17 % 251) as u8));
    v.extend([0xFF, 0xD9]);
    std::fs::write(path, v).unwrap();
}

async fn login(s: &Session, user: &str) {
    let u = s.wait("#login-user", 60).await;
    s.clear(&u).await;
    s.type_into(&u, user).await;
    let p = s.wait("#login-password", 5).await;
    s.type_into(&p, demo::DEMO_PASSWORD).await;
    s.tap("#login-submit").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspector_day_in_the_real_window() {
    let dir = tempfile::tempdir().unwrap();
    // The sync server with the 吕梁 demo data.
    let db = Db::start(&DbUrl::Sqlite(dir.path().join("server.sqlite")), 2).unwrap();
    let accounts = demo::seed(&db, 120, &zhifa_auth::PasswordParams::testing()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zhifa_server::launch(listener, AppState::new(db)));
    let officer = accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles.contains("执法人员")).unwrap();

    let data = dir.path().join("tablet");
    let (_x, display) = webdriver::xvfb();
    let env = [("ZHIFA_DATA_DIR", data.to_str().unwrap()), ("ZHIFA_SERVER", server.as_str())];
    let (driver_proc, driver) = webdriver::webkit_driver(&display, &env);
    let s = Session::start(&driver, APP).await;

    // 1. First login is online and syncs the unit's data.
    s.wait("#login-screen", 60).await;
    shot(&s, "01-login").await;
    login(&s, &officer.login).await;
    let done =
        s.wait_text("#sync-result", 60, |t| t.contains("同步完成") || t.contains("错误") || t.contains("失败")).await;
    assert!(done.contains("同步完成"), "{done}");
    shot(&s, "02-first-sync").await;

    // 2. Printer: a virtual raw-TCP printer on loopback.
    let (paddr, prx) = printer();
    s.tap("button[data-nav=settings]").await;
    let kind = s.wait("#printer-kind", 10).await;
    s.exec(
        "arguments[0].value = 'tcp';",
        vec![serde_json::json!({"element-6066-11e4-a52e-4f735466cecf": el_id(&kind)})],
    )
    .await;
    let addr = s.wait("#printer-address", 5).await;
    s.clear(&addr).await;
    s.type_into(&addr, &paddr).await;
    s.tap("#save-printer").await;
    s.wait("#printer-saved", 10).await;

    // 3. Home, then search by part of a name.
    s.tap("button[data-nav=home]").await;
    s.wait("#home-screen h1", 10).await;
    shot(&s, "03-home").await;
    s.tap("button[data-nav=search]").await;
    let q = s.wait("#search-input", 10).await;
    s.type_into(&q, "孝义").await;
    s.wait(".enterprise-hit", 10).await;
    shot(&s, "04-search").await;
    s.tap(".enterprise-hit").await;
    let name = s.wait_text("#enterprise-file h1", 10, |t| !t.is_empty()).await;
    shot(&s, "05-enterprise-file").await;

    // 4. Inspection: two non-conforming items and a photo.
    s.tap("#start-inspection").await;
    s.tap("#begin-inspection").await;
    s.wait("#inspection-screen", 15).await;
    s.tap(".item:nth-child(1) .ans-conforming").await;
    s.wait(".item:nth-child(1) .ans-conforming.chosen", 10).await;
    s.tap(".item:nth-child(2) .ans-non_conforming").await;
    let note = s.wait(".item:nth-child(2) textarea.note", 10).await;
    s.type_into(&note, "二号车间配电箱未设置防护门，线路私拉乱接。").await;
    s.exec(
        "arguments[0].dispatchEvent(new Event('change'));",
        vec![serde_json::json!({"element-6066-11e4-a52e-4f735466cecf": el_id(&note)})],
    )
    .await;
    s.tap(".item:nth-child(3) .ans-non_conforming").await;
    s.wait(".item:nth-child(3).nc", 10).await;
    let photo = dir.path().join("现场照片.jpg");
    jpeg(&photo);
    let input = s.wait(".item:nth-child(2) .photo-input", 10).await;
    s.type_into(&input, photo.to_str().unwrap()).await;
    s.wait_text("#inspection-progress", 20, |t| t.contains("照片 1 张")).await;
    let progress = s.wait_text("#inspection-progress", 10, |t| t.contains("已检查 3")).await;
    assert!(progress.contains("不符合 2"), "{progress}");
    shot(&s, "06-inspection").await;

    // 5. kill -9 the app mid-inspection; restart it: nothing lost.
    let pid = driver_proc.0.id();
    let apps = children(pid);
    assert!(!apps.is_empty(), "the app runs under WebKitWebDriver");
    for p in apps {
        let _ = std::process::Command::new("kill").args(["-9", &p.to_string()]).status();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.close().await;
    let s = Session::start(&driver, APP).await;
    login(&s, &officer.login).await;
    s.tap(".open-inspection").await;
    let progress = s.wait_text("#inspection-progress", 15, |t| t.contains("已检查")).await;
    assert!(
        progress.contains("已检查 3") && progress.contains("不符合 2") && progress.contains("照片 1 张"),
        "{progress}"
    );

    // 6. Finish, issue the 现场检查记录 and print it; issue the 指令书.
    s.tap("#finish-inspection").await;
    s.tap("#doc-record").await;
    s.wait("#document-view img.page", 60).await;
    s.tap("#issue-doc").await;
    let number = s.wait_text("#doc-number", 30, |t| t.contains("应急检记")).await;
    let view = s.wait("#document-view", 5).await;
    s.exec(
        "arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -70);",
        vec![serde_json::json!({"element-6066-11e4-a52e-4f735466cecf": el_id(&view)})],
    )
    .await;
    shot(&s, "07-document").await;
    s.tap("#print-doc").await;
    s.wait("#print-done", 30).await;
    let job = prx.recv_timeout(Duration::from_secs(10)).unwrap();
    let (gb, _, _) = encoding_rs::GB18030.encode(&number);
    assert!(job.windows(gb.len()).any(|w| w == &gb[..]), "the printed job carries {number} in GB18030");
    let (gbname, _, _) = encoding_rs::GB18030.encode(&name);
    assert!(job.windows(gbname.len()).any(|w| w == &gbname[..]), "the printed job names {name}");
    assert!(job.windows(10).any(|w| w == b"ZHIFA-DOC:"), "the QR payload is in the job");
    s.tap("#doc-order").await;
    s.wait("#document-view img.page", 60).await;
    s.tap("#issue-doc").await;
    let order = s.wait_text("#doc-number", 30, |t| t.contains("应急责改")).await;

    // 7. Hazards: 复查 verdicts, then the 整改复查意见书 with its own number.
    s.tap("button[data-nav=hazards]").await;
    s.wait("#hazards-screen .hazard", 10).await;
    shot(&s, "08-hazards").await;
    s.tap(".review-pass").await;
    s.wait_text("#hazards-screen", 10, |t| t.contains("已整改")).await;
    s.tap(".review-fail").await;
    s.wait_text("#hazards-screen", 10, |t| !t.contains("复查：未整改")).await;
    s.tap("button[data-nav=home]").await;
    s.tap("button[data-nav=search]").await;
    let q = s.wait("#search-input", 10).await;
    s.type_into(&q, &name).await;
    s.tap(".enterprise-hit").await;
    s.tap(".past-inspection").await;
    s.tap("#doc-review").await;
    s.wait("#document-view img.page", 60).await;
    s.tap("#issue-doc").await;
    let review = s.wait_text("#doc-number", 30, |t| t.contains("应急复查")).await;
    assert!(review.ends_with('号'), "{review}");

    // Lock and unlock: the work stays.
    s.tap("#lock-btn").await;
    s.wait("#lock-screen", 10).await;
    shot(&s, "11-lock").await;
    let pw = s.wait("#unlock-password", 5).await;
    s.type_into(&pw, demo::DEMO_PASSWORD).await;
    s.tap("#unlock-submit").await;
    s.wait("#inspection-screen", 15).await;

    // The library works offline from the replica.
    s.tap("button[data-nav=library]").await;
    let li = s.wait("#law-input", 10).await;
    s.type_into(&li, "有限空间").await;
    s.wait("#item-results .list-item", 10).await;
    shot(&s, "09-library").await;

    // 8. Sync at the office; a second tablet of the unit sees both documents.
    s.tap("button[data-nav=sync]").await;
    s.tap("#sync-now").await;
    let summary = s.wait_text("#sync-result", 60, |t| t.contains("同步完成") || t.contains("错误")).await;
    assert!(summary.contains("仍未同步 0 条"), "{summary}");
    shot(&s, "10-sync").await;
    s.close().await;

    let mut cfg = zhifa_app::AppConfig::new(&dir.path().join("tablet2"), &server);
    cfg.password_params = zhifa_auth::PasswordParams::testing();
    let mut other = zhifa_app::App::open(cfg, Box::new(zhifa_app::SystemClock)).unwrap();
    other.login(&officer.login, demo::DEMO_PASSWORD).await.unwrap();
    other.sync_now(&mut |_| {}).await.unwrap();
    let docs: Vec<zhifa_core::document::Document> = other.replica().list().unwrap();
    let numbers: Vec<String> = docs.iter().filter_map(|d| d.number.clone()).collect();
    assert!(numbers.contains(&number) && numbers.contains(&order), "{numbers:?}");
}

fn el_id(e: &webdriver::El) -> String {
    e.0.clone()
}
