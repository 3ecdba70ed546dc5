//! Figures of the real window (Xvfb + WebKitWebDriver, like the end-to-end test) against a
//! real server seeded with N demo enterprises (default 50,000; a city-wide officer, so the
//! tablet holds all of them): app start to interactive (process launch → login screen),
//! login + first sync, enterprise search round trip (keystroke → results painted), opening a
//! checklist of at least 60 items, saving an answer (tap → chosen state painted), document
//! preview (tap → page image shown). Interactions are timed inside the page (performance.now()
//! from the action to the element being there and two frames painted): IPC, Rust, DOM update
//! and paint, without WebDriver round trips. Start-up is timed from the session request.
//! Run: `cargo bench -p mobile-app --features e2e --bench window [-- ENTERPRISES]`.

#[path = "../tests/webdriver/mod.rs"]
mod webdriver;

use std::time::{Duration, Instant};

use webdriver::Session;
use zhifa_server::AppState;
use zhifa_server::db::{Db, DbUrl};
use zhifa_server::demo;

const APP: &str = env!("CARGO_BIN_EXE_zhifa-tablet");

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    ms(v[((v.len() as f64 - 1.0) * p).round() as usize])
}

fn pct_ms(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(run(n));
}

async fn run(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::start(&DbUrl::Sqlite(dir.path().join("server.sqlite")), 2).unwrap();
    let accounts = demo::seed(&db, n, &zhifa_auth::PasswordParams::testing()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zhifa_server::launch(listener, AppState::new(db)));
    let officer =
        accounts.iter().find(|a| a.unit.starts_with("吕梁市应急管理局") && a.roles.contains("执法人员")).unwrap();
    let data = dir.path().join("tablet");
    let (_x, display) = webdriver::xvfb();
    let env = [("ZHIFA_DATA_DIR", data.to_str().unwrap()), ("ZHIFA_SERVER", server.as_str())];
    let (_driver_proc, driver) = webdriver::webkit_driver(&display, &env);

    // Start to interactive, cold (first launch) and with a full replica (after the sync).
    let t = Instant::now();
    let s = Session::start(&driver, APP).await;
    s.wait("#login-user", 60).await;
    let start_empty = t.elapsed();
    let u = s.wait("#login-user", 5).await;
    s.type_into(&u, &officer.login).await;
    let p = s.wait("#login-password", 5).await;
    s.type_into(&p, demo::DEMO_PASSWORD).await;
    let t = Instant::now();
    s.tap("#login-submit").await;
    s.wait_text("#sync-result", 900, |t| t.contains("同步完成") || t.contains("错误")).await;
    let first_sync = t.elapsed();
    s.close().await;
    let mut starts = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let s = Session::start(&driver, APP).await;
        s.wait("#login-user", 60).await;
        starts.push(t.elapsed());
        s.close().await;
    }
    let s = Session::start(&driver, APP).await;
    let u = s.wait("#login-user", 60).await;
    s.clear(&u).await;
    s.type_into(&u, &officer.login).await;
    let p = s.wait("#login-password", 5).await;
    s.type_into(&p, demo::DEMO_PASSWORD).await;
    s.tap("#login-submit").await;
    s.wait("#home-screen h1", 60).await;

    // Search round trips: type a query, wait until the first hit shows it.
    s.tap("button[data-nav=search]").await;
    let mut search = Vec::new();
    let mut per_query = Vec::new();
    for q in ["孝义", "煤", "有限公司", "9114", "离石区", "铝业", "化工", "汾阳", "交城", "lldz"] {
        s.wait("#search-input", 5).await;
        let action = format!(
            "document.getElementById('search-results').innerHTML = ''; const i = document.getElementById('search-input'); \
             i.value = {q:?}; i.dispatchEvent(new Event('input'))"
        );
        let t = s.timed(&action, "#search-results .enterprise-hit, #search-results p").await;
        per_query.push(format!("{q} {t:.0}"));
        search.push(t);
    }

    // A 冶金工贸 enterprise with every module ticked: ≥ 60 items.
    let input = s.wait("#search-input", 5).await;
    s.clear(&input).await;
    s.type_into(&input, "钢铁").await;
    s.tap(".enterprise-hit").await;
    s.tap("#start-inspection").await;
    s.wait("#begin-inspection", 10).await;
    s.exec("document.querySelectorAll('input.module').forEach(c => c.checked = true);", vec![]).await;
    let open_checklist =
        s.timed("document.getElementById('begin-inspection').click()", "#inspection-screen .item").await;
    let items = s.all(".item").await.len();
    let mut answers = Vec::new();
    for k in 1..=10 {
        let action = format!("document.querySelector('.item:nth-child({k}) .ans-conforming').click()");
        answers.push(s.timed(&action, &format!(".item:nth-child({k}) .ans-conforming.chosen")).await);
    }
    s.tap("#finish-inspection").await;
    s.wait("#doc-record", 10).await;
    let preview = s.timed("document.getElementById('doc-record').click()", "#document-view img.page").await;
    // Memory after the whole day's flow, while the window is still open: the app process and
    // the WebKit processes it started (web content, network).
    let memory = app_memory();
    s.close().await;

    println!("Tablet app in its window (Xvfb, WebKitWebDriver), {n} enterprises on the tablet");
    println!("| interaction (tap → painted) | figure |");
    println!("| --- | --- |");
    println!("| app start to interactive, empty replica (first launch) | {:.0} ms |", ms(start_empty));
    println!("| app start to interactive, full replica: median of 3 | {:.0} ms |", pct(starts, 0.5));
    println!("| login + first sync of the whole set | {:.1} s |", first_sync.as_secs_f64());
    println!(
        "| enterprise search round trip, 10 queries: p50 / max | {:.0} / {:.0} ms |",
        pct_ms(search.clone(), 0.5),
        pct_ms(search, 1.0)
    );
    println!("| search, each query (ms) | {} |", per_query.join(", "));
    println!("| open a {items}-item checklist | {open_checklist:.0} ms |");
    println!(
        "| save an answer, 10 taps: p50 / max | {:.0} / {:.0} ms |",
        pct_ms(answers.clone(), 0.5),
        pct_ms(answers, 1.0)
    );
    println!("| generate and preview the 现场检查记录 | {preview:.0} ms |");
    for (name, rss, hwm) in &memory {
        println!("| memory of {name}: resident now / peak | {rss:.0} / {hwm:.0} MB |");
    }
    let (rss, hwm): (f64, f64) = memory.iter().fold((0.0, 0.0), |(a, b), m| (a + m.1, b + m.2));
    println!("| memory, app and its WebKit processes together: resident now / sum of peaks | {rss:.0} / {hwm:.0} MB |");
    let size = std::fs::metadata(APP).map_or(0, |m| m.len());
    println!("| app binary (this build, with debug info) | {:.1} MB |", size as f64 / 1e6);
    // Stripped, as it would ship (binutils' strip on a copy).
    let stripped = dir.path().join("zhifa-tablet.stripped");
    if std::process::Command::new("strip").arg("-o").arg(&stripped).arg(APP).status().is_ok_and(|s| s.success()) {
        let size = std::fs::metadata(&stripped).map_or(0, |m| m.len());
        println!("| app binary, stripped | {:.1} MB |", size as f64 / 1e6);
    }
}

/// A figure of `/proc/PID/status` in MB.
fn status_mb(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The tablet app's process (`zhifa-tablet`) and the processes it started (WebKit's web
/// content and network processes): (name, resident MB, peak resident MB).
fn app_memory() -> Vec<(String, f64, f64)> {
    let procs: Vec<(u32, u32, String)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid ...`: comm may hold spaces, so split after the last ')'.
            let (head, rest) = stat.rsplit_once(')')?;
            let comm = head.split_once('(')?.1.to_owned();
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid, comm))
        })
        .collect();
    let Some(&(app, _, _)) = procs.iter().find(|p| p.2 == "zhifa-tablet") else { return Vec::new() };
    procs
        .iter()
        .filter(|p| p.0 == app || p.1 == app)
        .map(|(pid, _, comm)| (comm.clone(), status_mb(*pid, "VmRSS:"), status_mb(*pid, "VmHWM:")))
        .collect()
}
