//! Figures of the inspector's interactions through `zhifa_app::App` (what each Tauri command
//! runs), against a real server seeded with the 吕梁 demo set: first sync of N enterprises,
//! reopening the app, enterprise search over N enterprises (p50/p95 of 11 query kinds),
//! opening a checklist of at least 60 items, saving an answer, generating and previewing a
//! document, issuing it. Run: `cargo bench -p zhifa-app --bench app [-- ENTERPRISES]`
//! (default 50,000). Prints a table; the figures are recorded in docs/benchmarks.md.

use std::time::{Duration, Instant};

use zhifa_app::{App, AppConfig, SystemClock};
use zhifa_server::AppState;
use zhifa_server::db::{Db, DbUrl};
use zhifa_server::demo;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    ms(v[((v.len() as f64 - 1.0) * p).round() as usize])
}

fn open(dir: &std::path::Path, url: &str) -> App {
    let mut cfg = AppConfig::new(dir, url);
    cfg.password_params = zhifa_auth::PasswordParams::testing();
    App::open(cfg, Box::new(SystemClock)).unwrap()
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (url, login) = rt.block_on(async {
        let db = Db::start(&DbUrl::Sqlite(dir.path().join("server.sqlite")), 2).unwrap();
        let accounts = demo::seed(&db, n, &zhifa_auth::PasswordParams::testing()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(zhifa_server::launch(listener, AppState::new(db)));
        // A city-wide officer: the tablet holds every enterprise of the set.
        let city =
            accounts.iter().find(|a| a.unit.starts_with("吕梁市应急管理局") && a.roles.contains("执法人员")).unwrap();
        (url, city.login.clone())
    });
    let tablet = dir.path().join("tablet");
    let mut app = open(&tablet, &url);
    let (first_sync, pulled) = rt.block_on(async {
        app.login(&login, demo::DEMO_PASSWORD).await.unwrap();
        let t = Instant::now();
        let s = app.sync_now(&mut |_| {}).await.unwrap();
        (t.elapsed(), s.pulled)
    });
    let enterprises = app.replica().count::<zhifa_core::enterprise::Enterprise>().unwrap();
    drop(app);

    // Reopen (what app start does before the first screen) and sign in offline.
    let mut opens = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let a = open(&tablet, "http://127.0.0.1:9");
        opens.push(t.elapsed());
        drop(a);
    }
    let mut app = open(&tablet, "http://127.0.0.1:9");
    let t = Instant::now();
    rt.block_on(app.login(&login, demo::DEMO_PASSWORD)).unwrap();
    let offline_login = t.elapsed();
    let t = Instant::now();
    app.home().unwrap();
    let home = t.elapsed();

    // Search: names, fragments, credit-code parts, addresses.
    let sample = app.replica().list::<zhifa_core::enterprise::Enterprise>().unwrap();
    let e = &sample[sample.len() / 2];
    let name: Vec<char> = e.data.name.chars().collect();
    let code = e.data.credit_code.to_string();
    let queries: Vec<String> = vec![
        name[..2].iter().collect(),
        name[2..4].iter().collect(),
        name.iter().collect(),
        "煤".into(),
        "孝义".into(),
        "有限公司".into(),
        code[..6].to_owned(),
        code[8..14].to_owned(),
        code.clone(),
        e.data.address.chars().take(5).collect(),
        "不存在的企业名".into(),
    ];
    let mut search = Vec::new();
    for _ in 0..20 {
        for q in &queries {
            let t = Instant::now();
            let hits = app.search_enterprises(q).unwrap();
            search.push(t.elapsed());
            std::hint::black_box(hits);
        }
    }

    // An inspection of a 冶金工贸 enterprise with every module of its industry (≥ 60 items).
    let target = sample
        .iter()
        .find(|x| zhifa_app::inspect::checklist_industry(x.data.supervision_category) == "冶金工贸")
        .unwrap();
    let modules: Vec<String> = app.modules_for(&target.id.to_string()).unwrap().into_iter().map(|m| m.module).collect();
    let colleague = app.colleagues().unwrap()[0].id.clone();
    let insp = app.start_inspection(&target.id.to_string(), &colleague, &modules, None).unwrap();
    let items = insp.items.len();
    let mut opens_checklist = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        std::hint::black_box(app.inspection_view(&insp.id).unwrap());
        opens_checklist.push(t.elapsed());
    }
    let mut answers = Vec::new();
    for (k, it) in insp.items.iter().enumerate().take(40) {
        let result = if k % 7 == 3 { "non_conforming" } else { "conforming" };
        let t = Instant::now();
        app.answer(&insp.id, &it.id, result, if k % 7 == 3 { "现场发现问题，记录在案。" } else { "" }).unwrap();
        answers.push(t.elapsed());
    }
    app.finish_inspection(&insp.id).unwrap();
    let doc = app.prepare_document(&insp.id, "现场检查记录").unwrap();
    let t = Instant::now();
    app.preview_document(&doc.id).unwrap();
    let preview_cold = t.elapsed();
    let mut previews = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let p = app.preview_document(&doc.id).unwrap();
        previews.push(t.elapsed());
        std::hint::black_box(p);
    }
    let t = Instant::now();
    let issued = app.issue_document(&doc.id).unwrap();
    let issue = t.elapsed();
    assert!(issued.number.is_some());

    println!("zhifa-app interactions, {enterprises} enterprises on the tablet (pulled {pulled} records)");
    println!("| interaction | figure |");
    println!("| --- | --- |");
    println!("| first sync (login → all records applied, numbers leased) | {:.1} s |", first_sync.as_secs_f64());
    println!("| open the app (replica + reference check), median of 5 | {:.1} ms |", pct(opens, 0.5));
    println!("| offline login (argon2id, test cost) | {:.1} ms |", ms(offline_login));
    println!("| home screen | {:.1} ms |", ms(home));
    println!(
        "| enterprise search, {} queries: p50 / p95 / max | {:.2} / {:.2} / {:.2} ms |",
        search.len(),
        pct(search.clone(), 0.5),
        pct(search.clone(), 0.95),
        pct(search, 1.0)
    );
    println!(
        "| open a {items}-item checklist: p50 / p95 | {:.1} / {:.1} ms |",
        pct(opens_checklist.clone(), 0.5),
        pct(opens_checklist, 0.95)
    );
    println!(
        "| save an answer (write + refreshed item): p50 / p95 | {:.1} / {:.1} ms |",
        pct(answers.clone(), 0.5),
        pct(answers, 0.95)
    );
    println!("| document preview, cold (fonts loaded) | {:.0} ms |", ms(preview_cold));
    println!(
        "| document preview, warm: p50 / max | {:.0} / {:.0} ms |",
        pct(previews.clone(), 0.5),
        pct(previews, 1.0)
    );
    println!("| issue a document (number + frozen content) | {:.1} ms |", ms(issue));
}
