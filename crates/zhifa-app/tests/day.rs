//! An inspector's day through `zhifa_app::App` against a real sync server on loopback and a
//! virtual TCP printer: login online, sync, search, inspect with two non-conforming items and
//! a photo, restart mid-inspection, issue two documents, print, reprint, printer off and
//! resume, sync back, and the server holds the records. Plus offline login and bad input.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;

use zhifa_app::printing::PrinterConfig;
use zhifa_app::{App, AppConfig, FixedClock};
use zhifa_server::AppState;
use zhifa_server::db::{Db, DbUrl};
use zhifa_server::demo;
use zhifa_store::PrintState;

/// Now: the server stamps with the real clock and quarantines far-future device times.
fn now_ms() -> u64 {
    zhifa_app::Clock::now_ms(&zhifa_app::SystemClock)
}

async fn server(dir: &Path) -> (String, Vec<demo::DemoAccount>) {
    let db = Db::start(&DbUrl::Sqlite(dir.join("server.sqlite")), 2).unwrap();
    let accounts = demo::seed(&db, 120, &zhifa_auth::PasswordParams::testing()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zhifa_server::launch(listener, AppState::new(db)));
    (url, accounts)
}

fn open(dir: &Path, url: &str, clock: &FixedClock) -> App {
    let mut cfg = AppConfig::new(dir, url);
    cfg.password_params = zhifa_auth::PasswordParams::testing();
    App::open(cfg, Box::new(clock.clone())).unwrap()
}

/// A raw-TCP printer that hands every connection's bytes to the test.
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

/// A small real JPEG (SOI, APP0/JFIF, EOI) — content does not matter to the app, type does.
fn jpeg() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    v.extend((0..4096u32).map(|i| (i * 31 % 251) as u8));
    v.extend([0xFF, 0xD9]);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspector_day_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let (url, accounts) = server(dir.path()).await;
    let login = accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles.contains("执法人员")).unwrap();
    let clock = FixedClock::at(now_ms());
    let tablet = dir.path().join("tablet");
    let mut app = open(&tablet, &url, &clock);

    // Not signed in: every screen says so.
    assert_eq!(app.home().unwrap_err().code(), "NOT_SIGNED_IN");
    // Wrong password online: refused by the server, not retried offline.
    assert!(app.login(&login.login, "wrong-password").await.is_err());
    let out = app.login(&login.login, demo::DEMO_PASSWORD).await.unwrap();
    assert_eq!(out.officer.name, login.name);
    let mut stages = Vec::new();
    let first = app.sync_now(&mut |p| stages.push(p.stage)).await.unwrap();
    assert!(first.pulled > 0, "the first sync brings the county's records");
    assert!(first.numbers_left.iter().all(|(_, n)| *n >= 10), "{:?}", first.numbers_left);
    let home = app.home().unwrap();
    assert!(home.officer.org_name.as_deref().unwrap().starts_with("孝义"));
    assert!(home.enterprises > 0);
    assert_eq!(home.unsynced, 0);

    // Find an enterprise by a fragment of its name.
    let all = app.replica().list::<zhifa_core::enterprise::Enterprise>().unwrap();
    let target = &all[0];
    let fragment: String = target.data.name.chars().take(4).collect();
    let hits = app.search_enterprises(&fragment).unwrap();
    assert!(hits.iter().any(|h| h.id == target.id.to_string()), "search {fragment} finds {}", target.data.name);
    // 拼音首字母: the initials of the first four characters find it too.
    use pinyin::ToPinyin;
    let initials: String =
        target.data.name.chars().take(4).filter_map(|c| c.to_pinyin().map(|p| p.first_letter().to_owned())).collect();
    let by_initials = app.search_enterprises(&initials).unwrap();
    assert!(by_initials.iter().any(|h| h.id == target.id.to_string()), "{initials} finds {}", target.data.name);
    let file = app.enterprise_file(&target.id.to_string()).unwrap();
    assert_eq!(file.name, target.data.name);

    // Start an inspection with a colleague and the suggested modules.
    let colleague = app.colleagues().unwrap().into_iter().next().expect("a colleague in the unit");
    let modules: Vec<String> =
        app.modules_for(&file.id).unwrap().into_iter().filter(|m| m.suggested).map(|m| m.module).collect();
    assert!(!modules.is_empty());
    let insp = app.start_inspection(&file.id, &colleague.id, &modules, None).unwrap();
    assert!(insp.items.len() >= 10, "{} items", insp.items.len());
    let (a, b, c) = (insp.items[0].id.clone(), insp.items[1].id.clone(), insp.items[2].id.clone());
    app.answer(&insp.id, &a, "conforming", "").unwrap();
    let nc1 = app.answer(&insp.id, &b, "non_conforming", "二号车间配电箱未设置防护门，箱内线路私拉乱接。").unwrap();
    let nc2 = app.answer(&insp.id, &c, "non_conforming", "").unwrap();
    assert!(nc1.hazard_id.is_some() && nc2.hazard_id.is_some());
    // The penalty basis is pushed with the item.
    assert!(!nc1.check_basis.is_empty() || !nc1.penalties.is_empty());
    let photo = app.add_photo(&insp.id, nc1.hazard_id.as_deref(), &jpeg(), Some((37.14, 111.78))).unwrap();
    assert_eq!(photo.sha256.len(), 64);
    app.update_hazard(nc1.hazard_id.as_deref().unwrap(), true, Some(15)).unwrap();
    // The period runs from the day it is set on site (the clock moves on below; near midnight
    // at the bureau that is another day).
    let period_set_on = zhifa_app::local_date(clock.0.load(std::sync::atomic::Ordering::SeqCst));

    // Kill the app mid-inspection: reopening finds every answer and the photo.
    drop(app);
    let mut app = open(&tablet, &url, &clock);
    app.login(&login.login, demo::DEMO_PASSWORD).await.unwrap();
    let back = app.inspection_view(&insp.id).unwrap();
    assert_eq!((back.answered, back.non_conforming, back.photos), (3, 2, 1));
    assert!(back.editable);

    // Documents: drafts, preview, issue with numbers from the leased block.
    let early = app.prepare_document(&insp.id, "现场检查记录").unwrap();
    assert_eq!(app.issue_document(&early.id).unwrap_err().code(), "INSPECTION_OPEN");
    clock.advance(2 * 3600 * 1000);
    app.finish_inspection(&insp.id).unwrap();
    assert_eq!(app.answer(&insp.id, &a, "non_conforming", "").unwrap_err().code(), "INSPECTION_CLOSED");
    let record = app.prepare_document(&insp.id, "现场检查记录").unwrap();
    let order = app.prepare_document(&insp.id, "责令限期整改指令书").unwrap();
    let preview = app.preview_document(&record.id).unwrap();
    assert!(preview.pages[0].starts_with("data:image/png;base64,"));
    let record = app.issue_document(&record.id).unwrap();
    let order = app.issue_document(&order.id).unwrap();
    let n1 = record.number.clone().unwrap();
    assert!(n1.contains("应急检记〔") && n1.ends_with('号'), "{n1}");
    assert!(order.number.as_deref().unwrap().contains("应急责改〔"));
    assert_eq!(app.issue_document(&record.id).unwrap_err().code(), "DOC_ISSUED");
    // On-site measures for the 重大事故隐患, then the service receipt of what was handed over.
    let measures = app.prepare_document(&insp.id, "现场处理措施决定书").unwrap();
    let measures = app.issue_document(&measures.id).unwrap();
    assert!(measures.number.as_deref().unwrap().contains("应急现决〔"), "{:?}", measures.number);
    let m = serde_json::to_string(&app.document_model(&measures.id).unwrap()).unwrap();
    assert!(m.contains("第六十五条") && m.contains("重大事故隐患"));
    let receipt = app.prepare_document(&insp.id, "文书送达回执").unwrap();
    let receipt = app.issue_document(&receipt.id).unwrap();
    let r = serde_json::to_string(&app.document_model(&receipt.id).unwrap()).unwrap();
    for n in [&n1, order.number.as_ref().unwrap(), measures.number.as_ref().unwrap()] {
        assert!(r.contains(n.as_str()), "the receipt lists {n}");
    }

    // The ordered deadline (15 days) is on the hazard.
    let hz = app.hazards().unwrap();
    let due = (period_set_on + chrono::Days::new(15)).to_string();
    assert!(hz.iter().any(|h| h.major && h.deadline.as_deref() == Some(due.as_str())), "{hz:?}");

    // Print on a virtual printer, then reprint: same number, logged as reprint.
    let (addr, rx) = printer();
    assert_eq!(app.print_document(&record.id, &mut |_, _| {}).unwrap_err().code(), "NO_PRINTER");
    app.set_printer(&PrinterConfig { kind: "tcp".into(), address: addr, profile: "80mm".into(), chinese_font: true })
        .unwrap();
    let mut seen = 0;
    let job = app.print_document(&record.id, &mut |done, _| seen = done).unwrap();
    assert_eq!(job.state, PrintState::Done);
    assert!(!job.reprint);
    let bytes = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
    assert_eq!(bytes.len() as u64, job.bytes_total);
    assert_eq!(seen, job.bytes_total);
    let (gb, _, _) = encoding_rs::GB18030.encode(&n1);
    assert!(bytes.windows(gb.len()).any(|w| w == &gb[..]), "the number is printed in GB18030 text mode");
    let again = app.print_document(&record.id, &mut |_, _| {}).unwrap();
    assert!(again.reprint);
    assert_eq!(again.number, job.number);
    let _ = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();

    // Printer off: the job fails clearly and is resumed later with the same bytes.
    let off = TcpListener::bind("127.0.0.1:0").unwrap();
    let off_addr = off.local_addr().unwrap().to_string();
    drop(off);
    app.set_printer(&PrinterConfig {
        kind: "tcp".into(),
        address: off_addr,
        profile: "80mm".into(),
        chinese_font: true,
    })
    .unwrap();
    let failed = app.print_document(&order.id, &mut |_, _| {}).unwrap();
    assert_eq!(failed.state, PrintState::Failed);
    assert!(failed.error_message.as_deref().unwrap().contains("打印机"));
    let (addr2, rx2) = printer();
    app.set_printer(&PrinterConfig { kind: "tcp".into(), address: addr2, profile: "58mm".into(), chinese_font: true })
        .unwrap();
    let resumed = app.resume_print(failed.id, &mut |_, _| {}).unwrap();
    assert_eq!((resumed.state, resumed.attempts), (PrintState::Done, 2));
    assert!(!rx2.recv_timeout(std::time::Duration::from_secs(5)).unwrap().is_empty());

    // 复查 after the deadline: every hazard gets a verdict, then the 整改复查意见书 is issued
    // with its own number and printed on an A4 thermal printer (raster).
    assert_eq!(app.prepare_document(&insp.id, "整改复查意见书").unwrap_err().code(), "REVIEW_INCOMPLETE");
    assert_eq!(app.prepare_document(&insp.id, "立案审批表").unwrap_err().code(), "DOC_TYPE_UNSUPPORTED");
    let hazards = app.hazards().unwrap();
    assert_eq!(hazards.len(), 2);
    clock.advance(10 * 24 * 3600 * 1000);
    app.review_hazard(&hazards[0].id, true).unwrap();
    app.review_hazard(&hazards[1].id, false).unwrap();
    assert_eq!(app.review_hazard(&hazards[0].id, false).unwrap_err().code(), "WORKFLOW");
    let review = app.prepare_document(&insp.id, "整改复查意见书").unwrap();
    let review = app.issue_document(&review.id).unwrap();
    assert!(review.number.as_deref().unwrap().contains("应急复查〔"), "{:?}", review.number);
    let text = app.document_model(&review.id).unwrap();
    let json = serde_json::to_string(&text).unwrap();
    assert!(json.contains(order.number.as_deref().unwrap()), "the opinion cites the order's number");
    assert!(json.contains("已整改完毕") && json.contains("未按要求整改"));
    assert_eq!(app.print_document(&review.id, &mut |_, _| {}).unwrap_err().code(), "PRINT_A4_ONLY");
    let (addr3, rx3) = printer();
    app.set_printer(&PrinterConfig { kind: "tcp".into(), address: addr3, profile: "a4".into(), chinese_font: true })
        .unwrap();
    let a4 = app.print_document(&review.id, &mut |_, _| {}).unwrap();
    assert_eq!(a4.state, PrintState::Done);
    let bytes = rx3.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    // GS v 0 bands 1728 dots (216 bytes) wide.
    assert!(bytes.windows(6).any(|w| w[..4] == [0x1D, 0x76, 0x30, 0x00] && w[4..6] == [216, 0]), "A4 raster bands");

    // The printer vanishes mid-job. Over TCP the kernel's buffers can swallow a whole job, so
    // this runs through the Bluetooth connector hook with a link that dies after 8 KB (the
    // way an SPP printer going out of range fails), then resumes on a link that stays up.
    let budget = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(8192));
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    struct Link(std::sync::Arc<std::sync::atomic::AtomicUsize>, std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl zhifa_escpos::Transport for Link {
        fn send(&mut self, bytes: &[u8]) -> Result<(), zhifa_escpos::PrintError> {
            use std::sync::atomic::Ordering::SeqCst;
            if self.0.load(SeqCst) < bytes.len() {
                return Err(zhifa_escpos::PrintError::SendFailed {
                    target: "bt".into(), detail: "连接已断开".into()
                });
            }
            self.0.fetch_sub(bytes.len(), SeqCst);
            self.1.lock().unwrap().extend_from_slice(bytes);
            Ok(())
        }
    }
    let (b2, r2) = (budget.clone(), received.clone());
    app.set_bluetooth_connector(Box::new(move |_addr| Ok(Box::new(Link(b2.clone(), r2.clone())))));
    app.set_printer(&PrinterConfig {
        kind: "bluetooth".into(),
        address: "00:11:22:AA:BB:CC".into(),
        profile: "a4".into(),
        chinese_font: true,
    })
    .unwrap();
    let cut = app.print_document(&review.id, &mut |_, _| {}).unwrap();
    assert_eq!(cut.state, PrintState::Failed, "{cut:?}");
    assert!(cut.reprint, "printed completely before: this one is a reprint");
    assert_eq!(cut.bytes_sent, 8192);
    assert!(cut.error_message.as_deref().unwrap().contains("继续打印"), "{:?}", cut.error_message);
    budget.store(usize::MAX, std::sync::atomic::Ordering::SeqCst);
    received.lock().unwrap().clear();
    let again = app.resume_print(cut.id, &mut |_, _| {}).unwrap();
    assert_eq!((again.state, again.attempts), (PrintState::Done, 2));
    assert_eq!(received.lock().unwrap().len() as u64, again.bytes_total, "resuming sends the whole job again");

    // Switching officer keeps the unsynced work; the colleague's sync takes it along.
    let pending = app.home().unwrap().unsynced;
    assert!(pending > 0);
    app.logout().unwrap();
    assert_eq!(app.home().unwrap_err().code(), "NOT_SIGNED_IN");
    app.login(&colleague.cert_no, demo::DEMO_PASSWORD).await.unwrap();
    assert_eq!(app.home().unwrap().unsynced, pending);

    // Back at the office: sync; a colleague's tablet sees the issued documents.
    assert!(app.home().unwrap().unsynced > 0);
    let done = app.sync_now(&mut |_| {}).await.unwrap();
    assert!(done.pushed > 0);
    assert_eq!(done.files_uploaded, 1);
    assert!(done.numbers_left.iter().any(|(t, _)| t == "整改复查意见书"));
    assert_eq!(done.unsynced, 0);
    assert!(done.refused.is_empty(), "{:?}", done.refused);

    let other_dir = dir.path().join("tablet2");
    let mut other = open(&other_dir, &url, &clock);
    other.login(&login.login, demo::DEMO_PASSWORD).await.unwrap();
    other.sync_now(&mut |_| {}).await.unwrap();
    let docs = other.documents_of(&insp.id).unwrap();
    let numbers: Vec<_> = docs.iter().filter_map(|d| d.number.clone()).collect();
    assert!(numbers.contains(&n1), "{numbers:?}");
    let model = other.document_model(&record.id).unwrap();
    assert_eq!(zhifa_docgen::qr::payload(&model), preview_payload_of(&mut app, &record.id));
}

fn preview_payload_of(app: &mut App, id: &str) -> String {
    app.preview_document(id).unwrap().qr_payload
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_login_lock_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (url, accounts) = server(dir.path()).await;
    let login = accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles.contains("执法人员")).unwrap();
    let clock = FixedClock::at(now_ms());
    let tablet = dir.path().join("tablet");
    let mut app = open(&tablet, &url, &clock);
    assert_eq!(app.login("", "x").await.unwrap_err().code(), "LOGIN_EMPTY");
    app.login(&login.login, demo::DEMO_PASSWORD).await.unwrap();
    app.sync_now(&mut |_| {}).await.unwrap();
    drop(app);

    // No network now: a server address nothing listens on.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let mut app = open(&tablet, &dead_url, &clock);
    let out = app.login(&login.login, demo::DEMO_PASSWORD).await.unwrap();
    assert_eq!(out.mode, zhifa_app::session::LoginMode::Offline);
    // An officer never seen on this device cannot log in offline.
    assert_eq!(app.login("99999999999", "whatever").await.unwrap_err().code(), "OFFLINE_LOGIN_UNAVAILABLE");
    // Five wrong passwords lock the login for five minutes.
    for _ in 0..5 {
        assert_eq!(app.login(&login.login, "wrong").await.unwrap_err().code(), "BAD_CREDENTIALS");
    }
    assert_eq!(app.login(&login.login, demo::DEMO_PASSWORD).await.unwrap_err().code(), "LOGIN_LOCKED");
    clock.advance(5 * 60 * 1000 + 1);
    app.login(&login.login, demo::DEMO_PASSWORD).await.unwrap();

    // Work offline; lock and unlock; sync fails clearly and keeps everything.
    let e = app.replica().list::<zhifa_core::enterprise::Enterprise>().unwrap()[0].id.to_string();
    let colleague = app.colleagues().unwrap()[0].id.clone();
    let modules: Vec<String> = app.modules_for(&e).unwrap().into_iter().take(1).map(|m| m.module).collect();
    let insp = app.start_inspection(&e, &colleague, &modules, None).unwrap();
    let item = insp.items[0].id.clone();
    app.answer(&insp.id, &item, "non_conforming", "安全出口被锁闭").unwrap();
    app.lock();
    assert_eq!(app.home().unwrap_err().code(), "SESSION_LOCKED");
    assert!(app.unlock("wrong").is_err());
    app.unlock(demo::DEMO_PASSWORD).unwrap();
    let pending = app.home().unwrap().unsynced;
    assert!(pending > 0);
    assert!(app.sync_now(&mut |_| {}).await.is_err());
    assert_eq!(app.home().unwrap().unsynced, pending, "a failed sync keeps every change");

    // Bad input: clear codes, nothing saved half-way.
    assert_eq!(app.answer(&insp.id, &item, "maybe", "").unwrap_err().code(), "ANSWER_INVALID");
    assert_eq!(app.answer(&insp.id, &item, "conforming", &"长".repeat(2001)).unwrap_err().code(), "NOTE_TOO_LONG");
    assert_eq!(app.answer(&insp.id, "no-such-item", "conforming", "").unwrap_err().code(), "NOT_FOUND");
    assert_eq!(app.add_photo(&insp.id, None, b"%PDF-1.7 not a photo", None).unwrap_err().code(), "NOT_AN_IMAGE");
    let mut big = jpeg();
    big.resize(30 * 1024 * 1024, 0);
    assert_eq!(app.add_photo(&insp.id, None, &big, None).unwrap_err().code(), "PHOTO_TOO_LARGE");
    assert_eq!(app.add_photo(&insp.id, None, &jpeg(), Some((f64::NAN, 1.0))).unwrap_err().code(), "POSITION_INVALID");
    assert_eq!(app.add_photo(&insp.id, None, &[], None).unwrap_err().code(), "PHOTO_EMPTY");
    app.add_photo(&insp.id, None, &jpeg(), None).unwrap(); // no GPS is fine
    assert_eq!(app.search_enterprises(&"企".repeat(101)).unwrap_err().code(), "QUERY_TOO_LONG");
    assert_eq!(app.start_inspection(&e, &colleague, &[], None).unwrap_err().code(), "MODULES_EMPTY");
    assert_eq!(app.start_inspection(&e, "nobody", &modules, None).unwrap_err().code(), "COLLEAGUE_INVALID");
    assert_eq!(
        app.set_printer(&PrinterConfig { kind: "tcp".into(), address: "printer".into(), ..PrinterConfig::default() })
            .unwrap_err()
            .code(),
        "PRINTER_ADDRESS"
    );
    // Storage full: the write fails clearly, nothing saved before is lost, and the app
    // works again once there is room.
    let before = app.inspection_view(&insp.id).unwrap();
    let pages: i64 = app.replica().conn().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    app.replica().conn().pragma_update(None, "max_page_count", pages).unwrap();
    let mut full = None;
    let other = before.items.iter().find(|x| x.id != item).unwrap().id.clone();
    for k in 0..500 {
        match app.answer(&insp.id, &other, "non_conforming", &format!("{k}{}", "满".repeat(1990))) {
            Ok(_) => continue,
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    let full = full.expect("the capped database fills up");
    assert_eq!(full.code(), "STORAGE_FULL", "{full}");
    assert!(full.message().contains("存储空间已满"));
    app.replica().conn().pragma_update(None, "max_page_count", 1_073_741_823i64).unwrap();
    assert!(app.inspection_view(&insp.id).unwrap().answered >= before.answered);
    app.answer(&insp.id, &item, "non_conforming", "安全出口被锁闭").unwrap();

    // A clock set a year back is reported.
    let back = FixedClock::at(now_ms() - 366 * 24 * 3600 * 1000);
    drop(app);
    let mut app = open(&tablet, &dead_url, &back);
    app.login(&login.login, demo::DEMO_PASSWORD).await.unwrap();
    assert!(app.clock_warning().unwrap().unwrap().contains("设备时间"));
    let view = app.inspection_view(&insp.id).unwrap();
    let first = view.items.iter().find(|x| x.id == item).unwrap();
    assert_eq!(first.note, "安全出口被锁闭", "work survives every failure above");
    assert!(view.answered >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_answers_on_two_tablets_show_as_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let (url, accounts) = server(dir.path()).await;
    let login = accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles.contains("执法人员")).unwrap();
    let clock = FixedClock::at(now_ms());
    let mut a = open(&dir.path().join("a"), &url, &clock);
    let mut b = open(&dir.path().join("b"), &url, &clock);
    for t in [&mut a, &mut b] {
        t.login(&login.login, demo::DEMO_PASSWORD).await.unwrap();
        t.sync_now(&mut |_| {}).await.unwrap();
    }
    let e = a.replica().list::<zhifa_core::enterprise::Enterprise>().unwrap()[0].id.to_string();
    let colleague = a.colleagues().unwrap()[0].id.clone();
    let modules: Vec<String> = a.modules_for(&e).unwrap().into_iter().take(1).map(|m| m.module).collect();
    let insp = a.start_inspection(&e, &colleague, &modules, None).unwrap();
    let item = insp.items[0].id.clone();
    a.answer(&insp.id, &item, "conforming", "").unwrap();
    a.sync_now(&mut |_| {}).await.unwrap();
    b.sync_now(&mut |_| {}).await.unwrap();
    // Both tablets change the same answer without seeing each other.
    clock.advance(1000);
    a.answer(&insp.id, &item, "non_conforming", "甲平板：配电箱未上锁").unwrap();
    b.answer(&insp.id, &item, "not_applicable", "乙平板：不涉及").unwrap();
    a.sync_now(&mut |_| {}).await.unwrap();
    let after_b = b.sync_now(&mut |_| {}).await.unwrap();
    assert!(after_b.conflicts > 0 || !after_b.open_conflicts.is_empty(), "{after_b:?}");
    let after_a = a.sync_now(&mut |_| {}).await.unwrap();
    let c =
        after_a.open_conflicts.iter().find(|c| c.record == "检查结果").expect("the answer conflict reaches tablet A");
    assert!(!c.message.is_empty() && c.values.len() >= 2, "{c:?}");
    assert_eq!(a.conflicts().unwrap().len(), after_a.open_conflicts.len());
}
