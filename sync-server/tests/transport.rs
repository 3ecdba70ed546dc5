//! Transport: HTTP compression of push and pull bodies (zstd up and down, gzip for other
//! clients, decompression bombs bounded by the body limit) and HTTPS with rustls (a real TLS
//! server with a CA made in the test; a tablet trusting that CA syncs, one trusting another
//! CA is refused with `TLS_UNTRUSTED` and keeps its outbox).

mod common;

use common::*;
use zhifa_core::enterprise::Enterprise;
use zhifa_protocol::ErrorBody;
use zhifa_server::AppState;
use zhifa_sync_client::SyncClient;

fn noop(_: zhifa_sync_client::Progress) {}

/// Renames the first `n` enterprises of the replica (ordinary writes into the outbox).
fn edit_enterprises(r: &mut zhifa_store::Replica, n: usize) {
    let ents: Vec<Enterprise> = r.list().unwrap();
    assert!(ents.len() >= n, "{} enterprises", ents.len());
    for (i, e) in ents.into_iter().take(n).enumerate() {
        let mut e = e;
        e.data.phone = format!("1390000{i:04}");
        r.write(|w| w.put(&e)).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_and_pull_bodies_are_compressed_and_still_signed() {
    let server = start(300).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = tablet(dir.path(), "a");
    let c = login(&server, &mut a, &xiaoyi_inspector(&server)).await;
    let first = c.sync(&mut a, &mut noop).await.unwrap();
    assert!(first.pulled > 20, "{first:?}");
    // Pull: the answer came zstd-compressed, and decompressed to the JSON the client parsed.
    assert!(first.bytes_down * 3 < first.json_bytes_down, "pull not compressed: {first:?}");

    edit_enterprises(&mut a, 50);
    let r = c.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!(r.pushed, 50, "{r:?}");
    assert!(r.bytes_up * 3 < r.json_bytes_up, "push not compressed: {r:?}");
    assert_eq!(a.pending_change_count().unwrap(), 0);
    // What the server holds is exactly what was pushed (the signature covered the JSON).
    let v = c.verify(&mut a).await.unwrap();
    assert_eq!(v.count, 50);
}

async fn raw(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> reqwest::Response {
    // A client that decompresses nothing by itself: what arrives is what was sent.
    let mut req = common::http().request(method, format!("{}{path}", server.url)).bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(body).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_requests_are_bounded_and_unknown_encodings_refused() {
    let server = start(20).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = tablet(dir.path(), "a");
    login(&server, &mut a, &xiaoyi_inspector(&server)).await;
    let token = access_token(&a);

    // A zstd bomb: 64 MiB of zeros compress to a few kB; the body limit (8 MiB) applies to
    // the decompressed bytes, so it is refused with 413 and nothing is buffered beyond it.
    let bomb = zstd::bulk::compress(&vec![b' '; 64 << 20], 19).unwrap();
    assert!(bomb.len() < 64 << 10, "{}", bomb.len());
    let r = raw(
        &server,
        reqwest::Method::POST,
        "/api/v1/numbers/lease",
        &token,
        &[("content-encoding", "zstd"), ("content-type", "application/json")],
        bomb,
    )
    .await;
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(r.json::<ErrorBody>().await.unwrap().code, "BODY_TOO_LARGE");

    // An encoding the server does not speak: 415 in the JSON error format.
    let r = raw(
        &server,
        reqwest::Method::POST,
        "/api/v1/numbers/lease",
        &token,
        &[("content-encoding", "br"), ("content-type", "application/json")],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 415);
    assert_eq!(r.json::<ErrorBody>().await.unwrap().code, "UNSUPPORTED_MEDIA_TYPE");

    // Garbage declared as zstd: a 400 JSON error, never a 500.
    let r = raw(
        &server,
        reqwest::Method::POST,
        "/api/v1/numbers/lease",
        &token,
        &[("content-encoding", "zstd"), ("content-type", "application/json")],
        b"definitely not zstd".to_vec(),
    )
    .await;
    assert_eq!(r.status().as_u16(), 400, "{:?}", r.headers());
    assert_eq!(r.json::<ErrorBody>().await.unwrap().code, "BAD_REQUEST");

    // gzip for clients that ask for it (e.g. a browser or curl behind the county office).
    let r = raw(&server, reqwest::Method::GET, "/api/v1/pull?limit=50", &token, &[("accept-encoding", "gzip")], vec![])
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    // Without Accept-Encoding the answer is plain JSON.
    let r = raw(&server, reqwest::Method::GET, "/api/v1/pull?limit=50", &token, &[], vec![]).await;
    assert!(r.headers().get("content-encoding").is_none());
    assert!(!r.json::<zhifa_protocol::PullResponse>().await.unwrap().items.is_empty());

    // Attachment bytes (photos, PDFs) are not compressed again.
    let bytes = vec![b'a'; 10_000];
    let sha = sha256_hex(&bytes);
    let c = SyncClient::new(&server.url);
    c.upload(&mut a, &sha, &bytes, 4096).await.unwrap();
    let r = raw(
        &server,
        reqwest::Method::GET,
        &format!("/api/v1/attachments/{sha}/content"),
        &token,
        &[("accept-encoding", "zstd, gzip")],
        vec![],
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("content-encoding").is_none(), "{:?}", r.headers());
    assert_eq!(r.bytes().await.unwrap().len(), bytes.len());
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

/// A CA and a server certificate for `localhost` and 127.0.0.1 signed by it.
struct Pki {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

fn pki(ca_name: &str) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, ca_name);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, "zhifa-server");
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    Pki { ca_pem: ca_cert.pem(), cert_pem: cert.pem(), key_pem: key.serialize_pem() }
}

/// A real server over HTTPS on 127.0.0.1 with the demo data.
async fn start_tls(p: &Pki) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path());
    let db = zhifa_server::db::Db::start(&url, 2).unwrap();
    zhifa_server::demo::seed(&db, 40, &zhifa_auth::PasswordParams::testing()).await.unwrap();
    let state = AppState::new(db);
    let cfg = zhifa_server::tls::server_config(p.cert_pem.as_bytes(), p.key_pem.as_bytes()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(zhifa_server::tls::launch_tls(listener, cfg, state));
    (format!("https://localhost:{port}"), dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_trusting_the_deployment_ca_syncs_over_https() {
    let p = pki("吕梁市应急管理局 测试根证书");
    let (url, _dir) = start_tls(&p).await;
    let plain = start(0).await; // only for a demo login name
    let who = xiaoyi_inspector(&plain);
    let dir = tempfile::tempdir().unwrap();
    let mut a = tablet(dir.path(), "a");

    let c = SyncClient::with_ca_pem(&url, p.ca_pem.as_bytes()).unwrap();
    c.login(&mut a, &who, zhifa_server::demo::DEMO_PASSWORD).await.unwrap();
    let first = c.sync(&mut a, &mut noop).await.unwrap();
    assert!(first.pulled > 0, "{first:?}");
    edit_enterprises(&mut a, 3);
    let r = c.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!(r.pushed, 3);
    assert_eq!(a.pending_change_count().unwrap(), 0);
    assert_eq!(c.verify(&mut a).await.unwrap().count, 3);

    // The same server over plain http on its TLS port is not spoken to at all.
    let http_url = url.replace("https://", "http://");
    let r = SyncClient::with_ca_pem(&http_url, p.ca_pem.as_bytes()).unwrap().sync(&mut a, &mut noop).await;
    assert!(r.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_certificate_from_another_ca_is_refused_and_the_outbox_kept() {
    let p = pki("吕梁市应急管理局 测试根证书");
    let (url, _dir) = start_tls(&p).await;
    let plain = start(0).await;
    let who = xiaoyi_inspector(&plain);
    let dir = tempfile::tempdir().unwrap();
    let mut a = tablet(dir.path(), "a");
    let good = SyncClient::with_ca_pem(&url, p.ca_pem.as_bytes()).unwrap();
    good.login(&mut a, &who, zhifa_server::demo::DEMO_PASSWORD).await.unwrap();
    good.sync(&mut a, &mut noop).await.unwrap();
    edit_enterprises(&mut a, 2);
    assert_eq!(a.pending_change_count().unwrap(), 2);

    // A tablet configured with another CA (e.g. a man in the middle with its own certificate).
    let other = pki("某个不相干的根证书");
    let bad = SyncClient::with_ca_pem(&url, other.ca_pem.as_bytes()).unwrap();
    let e = bad.sync(&mut a, &mut noop).await.unwrap_err();
    assert_eq!(e.code(), "TLS_UNTRUSTED", "{e:?}");
    assert!(!e.is_transient(), "retrying cannot fix a certificate");
    assert!(e.to_string().contains("证书不受信任"), "{e}");
    let e = bad.login(&mut a, &who, zhifa_server::demo::DEMO_PASSWORD).await.unwrap_err();
    assert_eq!(e.code(), "TLS_UNTRUSTED");
    // Nothing was lost: the changes wait in the outbox and go out over the right CA.
    assert_eq!(a.pending_change_count().unwrap(), 2);
    let r = good.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!(r.pushed, 2);

    // The system trust store does not know the test CA either.
    let e = SyncClient::new(&url).login(&mut a, &who, zhifa_server::demo::DEMO_PASSWORD).await.unwrap_err();
    assert_eq!(e.code(), "TLS_UNTRUSTED", "{e:?}");

    // A CA file without a certificate is a configuration error, reported before any request.
    let e = SyncClient::with_ca_pem(&url, b"not a pem").err().unwrap();
    assert_eq!(e.code(), "TLS_CONFIG");
}

#[test]
fn the_server_refuses_a_key_that_does_not_fit_its_certificate() {
    let (a, b) = (pki("a"), pki("b"));
    let e = zhifa_server::tls::server_config(a.cert_pem.as_bytes(), b.key_pem.as_bytes()).unwrap_err();
    assert_eq!(e.code(), "TLS_CONFIG");
    let e = zhifa_server::tls::server_config(b"", a.key_pem.as_bytes()).unwrap_err();
    assert_eq!(e.code(), "TLS_CERT_INVALID");
}

/// A real server whose requests first pass `gate` (to play an older server).
async fn start_gated(
    gate: fn(&axum::http::Request<axum::body::Body>) -> Option<u16>,
) -> (String, tempfile::TempDir, Vec<zhifa_server::demo::DemoAccount>) {
    use axum::response::IntoResponse;
    let dir = tempfile::tempdir().unwrap();
    let db = zhifa_server::db::Db::start(&store_url(dir.path()), 2).unwrap();
    let accounts = zhifa_server::demo::seed(&db, 30, &zhifa_auth::PasswordParams::testing()).await.unwrap();
    let app = zhifa_server::app(AppState::new(db)).layer(axum::middleware::from_fn(
        move |req: axum::http::Request<axum::body::Body>, next: axum::middleware::Next| async move {
            match gate(&req) {
                Some(status) => {
                    let status = axum::http::StatusCode::from_u16(status).unwrap();
                    zhifa_server::error::AppError::for_status(status).into_response()
                }
                None => next.run(req).await,
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, dir, accounts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_request_decompression_gets_plain_json_pushes() {
    // An older server: any Content-Encoding on a request is 415.
    let (url, _dir, accounts) = start_gated(|req| req.headers().contains_key("content-encoding").then_some(415)).await;
    let who = accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles.contains("执法人员")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut a = tablet(work.path(), "a");
    let c = SyncClient::new(&url);
    c.login(&mut a, &who.login, zhifa_server::demo::DEMO_PASSWORD).await.unwrap();
    c.sync(&mut a, &mut noop).await.unwrap();
    edit_enterprises(&mut a, 5);
    let r = c.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!(r.pushed, 5, "{r:?}");
    // The refused compressed attempt and the plain retry both count; the retry is the JSON.
    assert!(r.bytes_up > r.json_bytes_up / 2 && r.bytes_up < r.json_bytes_up * 2, "{r:?}");
    assert_eq!(a.pending_change_count().unwrap(), 0);
    // From then on this client sends plain JSON at once.
    let ents: Vec<Enterprise> = a.list().unwrap();
    for mut e in ents.into_iter().take(2) {
        e.data.phone = "13811112222".into();
        a.write(|w| w.put(&e)).unwrap();
    }
    let r = c.sync(&mut a, &mut noop).await.unwrap();
    assert_eq!((r.pushed, r.bytes_up), (2, r.json_bytes_up), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_gap_reports_still_syncs_and_the_gaps_stay() {
    let (url, _dir, accounts) = start_gated(|req| (req.uri().path() == "/api/v1/numbers/gaps").then_some(404)).await;
    let who = accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles.contains("执法人员")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut a = tablet(work.path(), "a");
    let c = SyncClient::new(&url);
    c.login(&mut a, &who.login, zhifa_server::demo::DEMO_PASSWORD).await.unwrap();
    let org = zhifa_seed::org_id("141181", zhifa_core::org::OrgKind::CountyBureau).to_string();
    c.ensure_numbers(&mut a, "应急检记", &org, 2026, 1, 5).await.unwrap();
    a.write(|w| {
        let n = w.issue_number("应急检记", &org, 2026, "doc")?;
        w.record_gap("应急检记", &org, 2026, n, "作废")
    })
    .unwrap();
    let r = c.sync(&mut a, &mut noop).await.unwrap();
    assert!(r.pulled > 0, "the pull still ran: {r:?}");
    assert_eq!(r.gaps_reported, 0);
    assert_eq!(a.voided_numbers().unwrap().len(), 1, "the gap stays on the tablet");
}
