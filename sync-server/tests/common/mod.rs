//! Shared helpers: a real server on 127.0.0.1:0 over a real store, and real client replicas.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use zhifa_auth::PasswordParams;
use zhifa_server::db::{Db, DbUrl};
use zhifa_server::{AppState, demo};
use zhifa_store::Replica;
use zhifa_sync_client::SyncClient;

/// A running server.
pub struct Server {
    pub url: String,
    pub db: Db,
    pub clock: Arc<AtomicU64>,
    pub accounts: Vec<demo::DemoAccount>,
    _dir: Option<tempfile::TempDir>,
}

/// The store to test against: SQLite in a temp dir, or, when `ZHIFA_TEST_POSTGRES` names a
/// PostgreSQL URL (set by `.ci/run`), a fresh database on that server for this test server
/// alone, so concurrent tests never see each other's rows.
pub fn store_url(dir: &Path) -> DbUrl {
    match std::env::var("ZHIFA_TEST_POSTGRES") {
        Ok(u) if !u.is_empty() => DbUrl::Postgres(fresh_postgres_database(&u)),
        _ => DbUrl::Sqlite(dir.join("server.sqlite")),
    }
}

/// Creates `zhifa_test_<random>` on the server of `url` (its role needs `CREATEDB`) and
/// returns the new database's URL. Runs on a plain thread: the synchronous `postgres`
/// client panics inside a tokio runtime.
pub fn fresh_postgres_database(url: &str) -> String {
    let name = format!("zhifa_test_{}", uuid::Uuid::new_v4().simple());
    let (admin, create) = (url.to_owned(), format!("CREATE DATABASE {name}"));
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("ZHIFA_TEST_POSTGRES: cannot connect");
        c.batch_execute(&create).expect("ZHIFA_TEST_POSTGRES: cannot CREATE DATABASE");
    })
    .join()
    .unwrap();
    with_database(url, &name)
}

/// `url` with its database name replaced by `db` (query parameters are kept).
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{db}", &base[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Starts a server with the demo organisation and `enterprises` demo enterprises.
pub async fn start(enterprises: usize) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let url = store_url(dir.path());
    start_on(url, Some(dir), enterprises).await
}

pub async fn start_on(url: DbUrl, dir: Option<tempfile::TempDir>, enterprises: usize) -> Server {
    start_with(url, dir, enterprises, |_| {}).await
}

/// Starts a server with settings changed by `tweak` (e.g. `state.cfg.min_client_schema`).
pub async fn start_with(
    url: DbUrl,
    dir: Option<tempfile::TempDir>,
    enterprises: usize,
    tweak: impl FnOnce(&mut AppState),
) -> Server {
    let db = Db::start(&url, 2).unwrap();
    let accounts = demo::seed(&db, enterprises, &PasswordParams::testing()).await.unwrap();
    let clock = Arc::new(AtomicU64::new((zhifa_server::system_clock())()));
    let mut state = AppState::new(db.clone());
    tweak(&mut state);
    let c = Arc::clone(&clock);
    state.clock = Arc::new(move || c.load(Ordering::SeqCst));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(zhifa_server::launch(listener, state));
    Server { url: format!("http://{addr}"), db, clock, accounts, _dir: dir }
}

/// A fresh tablet replica in `dir`.
pub fn tablet(dir: &Path, name: &str) -> Replica {
    Replica::init(&dir.join(format!("{name}.sqlite"))).unwrap()
}

/// Logs a tablet in as the demo account with `login`.
pub async fn login(server: &Server, r: &mut Replica, login: &str) -> SyncClient {
    let c = SyncClient::new(&server.url);
    c.login(r, login, demo::DEMO_PASSWORD).await.unwrap();
    c
}

/// A demo login of 孝义市 (county scope 141181) with the inspector role.
pub fn xiaoyi_inspector(s: &Server) -> String {
    s.accounts.iter().find(|a| a.unit.starts_with("孝义") && a.roles.contains("执法人员")).unwrap().login.clone()
}

/// A demo login of the city bureau.
pub fn city_officer(s: &Server) -> String {
    s.accounts
        .iter()
        .find(|a| a.unit.starts_with("吕梁市应急管理局") && a.roles.contains("执法人员"))
        .unwrap()
        .login
        .clone()
}

/// The access token a logged-in tablet holds.
pub fn access_token(r: &Replica) -> String {
    serde_json::from_str::<zhifa_protocol::Tokens>(&r.meta("sync_tokens").unwrap().unwrap()).unwrap().access_token
}

/// The server's view of one entity, fetched with `token`.
pub async fn server_entity(s: &Server, token: &str, entity: &str, id: &str) -> zhifa_protocol::PulledEntity {
    http()
        .get(format!("{}/api/v1/entities/{entity}/{id}", s.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A plain reqwest client (no decompression of its own), with the ring crypto provider
/// installed first: reqwest is built with `rustls-no-provider`.
pub fn http() -> reqwest::Client {
    zhifa_sync_client::install_crypto_provider();
    reqwest::Client::new()
}

/// An upsert of an enterprise of 孝义 (141181) by `device` at `wall_ms` (counter 0), with
/// change id `(wall_ms, id_tail)`: the change the store-level tests push.
pub fn enterprise_change(
    device: zhifa_core::ids::DeviceId,
    wall_ms: u64,
    id_tail: [u8; 10],
    entity_id: &str,
    fields: serde_json::Value,
) -> zhifa_core::change::Change {
    let hlc = zhifa_core::hlc::Hlc { wall_ms, counter: 0, device };
    zhifa_core::change::Change {
        id: zhifa_core::ids::ChangeId::from_parts(wall_ms, id_tail),
        entity: zhifa_core::change::EntityKind::Enterprise,
        entity_id: entity_id.into(),
        op: zhifa_core::change::ChangeOp::Upsert,
        fields: fields.as_object().unwrap().clone().into_iter().collect(),
        hlc,
        base: Default::default(),
        county_code: Some("141181".into()),
        wall_ms,
    }
}

/// A city-wide caller (no county scope) for the store-level tests.
pub fn city_wide_caller() -> zhifa_auth::Principal {
    zhifa_auth::Principal {
        officer_id: "test".into(),
        roles: vec![],
        scope: zhifa_auth::Scope::city_wide(),
        device_id: None,
    }
}

/// `changes` (device sequence, change) pushed by `device` as a schema-1 batch signed "sig",
/// prepared as the request handler prepares it.
pub fn prepared_push(
    device: zhifa_core::ids::DeviceId,
    changes: &[(i64, zhifa_core::change::Change)],
) -> zhifa_server::sync::PreparedPush {
    let req = zhifa_protocol::PushRequest {
        device_id: device.to_string(),
        schema_version: 1,
        changes: changes.iter().map(|(seq, c)| zhifa_protocol::WireChange::from_core(*seq, c)).collect(),
        extra: Default::default(),
    };
    let body = serde_json::to_vec(&req).unwrap();
    let signed = zhifa_server::sync::SignedBody { body: &body, signature: "sig" };
    zhifa_server::sync::prepare_push(&req, signed, &zhifa_server::sync::SyncConfig::default()).unwrap()
}
