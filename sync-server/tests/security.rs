//! Security tests of the sync server (test plan §6.3 A1–A7, §6.2 F2): county isolation (BOLA) over every route
//! of `zhifa_server::ROUTES`, pull scope, function-level authorisation, server-owned fields, device binding,
//! login lockout, token lifetimes, and garbage bodies. A real server on 127.0.0.1:0 over a real store
//! (`tests/common`), driven over HTTP; F2 also drives `app(state)` in-process with `oneshot`.
//!
//! Tests that find several problems collect them and fail once with the whole list, so one run shows
//! everything that is wrong.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{Server, start};
use ring::rand::{SecureRandom as _, SystemRandom};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tower::ServiceExt as _;
use zhifa_auth::{AuthError, DeviceKey};
use zhifa_core::hlc::Hlc;
use zhifa_core::ids::{ChangeId, DeviceId};
use zhifa_protocol::{
    ErrorBody, HEADER_DEVICE, HEADER_SIGNATURE, LoginResponse, OfficerInfo, PullResponse, PulledEntity, PushRequest,
    PushResponse, Tokens, VerifyResponse, WireChange,
};
use zhifa_server::db::{DbUrl, P, Row};
use zhifa_server::{AppState, ROUTES, demo};

/// 孝义市: county A of every test.
const XIAOYI: &str = "141181";
/// 离石区: county B.
const LISHI: &str = "141102";

// ---------------------------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------------------------

/// An HTTP answer.
#[derive(Debug, Clone)]
struct Resp {
    status: u16,
    content_type: Option<String>,
    retry_after: Option<String>,
    body: Vec<u8>,
    elapsed: Duration,
}

impl Resp {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body[..self.body.len().min(300)]).into_owned()
    }

    fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: HTTP {} {}", self.status, self.text()))
    }

    /// The [`ErrorBody`], if the answer is one (JSON content type, both fields non-empty).
    fn error_body(&self) -> Option<ErrorBody> {
        let json = self.content_type.as_deref().is_some_and(|c| c.starts_with("application/json"));
        let e: ErrorBody = serde_json::from_slice(&self.body).ok().filter(|_| json)?;
        (!e.code.is_empty() && !e.message.is_empty()).then_some(e)
    }

    fn code(&self) -> String {
        self.error_body().map_or_else(|| format!("<no ErrorBody: HTTP {} {:?}>", self.status, self.text()), |e| e.code)
    }

    /// `(status, code)` for assertions.
    fn sc(&self) -> (u16, String) {
        (self.status, self.code())
    }

    /// The answer as compared for "indistinguishable": status, content type and exact body bytes.
    fn shape(&self) -> (u16, Option<String>, Vec<u8>) {
        (self.status, self.content_type.clone(), self.body.clone())
    }
}

/// An officer account as stored.
#[derive(Debug, Clone)]
struct Officer {
    login: String,
    roles: Vec<String>,
    county: Option<String>,
}

impl Officer {
    fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// A simulated tablet: its own device id and Ed25519 key, logged in as one officer.
struct Tablet {
    device: DeviceId,
    key: DeviceKey,
    tokens: Tokens,
    officer: OfficerInfo,
    seq: i64,
    counter: u32,
}

impl Tablet {
    fn access(&self) -> &str {
        &self.tokens.access_token
    }

    fn device_id(&self) -> String {
        self.device.to_string()
    }

    /// A change by this tablet (next sequence, HLC of this device).
    fn change(&mut self, now: u64, entity: &str, id: &str, fields: Value, claim: Option<&str>) -> WireChange {
        self.seq += 1;
        self.counter += 1;
        let Value::Object(map) = fields else { panic!("fields must be an object") };
        WireChange {
            seq: self.seq,
            change_id: ChangeId::from_parts(now, random10()).to_string(),
            entity: entity.into(),
            entity_id: id.into(),
            op: "upsert".into(),
            fields: map.into_iter().collect(),
            hlc: Hlc { wall_ms: now, counter: self.counter, device: self.device }.encode(),
            base: None,
            county_code: claim.map(Into::into),
            wall_ms: now,
            extra: Default::default(),
        }
    }
}

/// The exact bytes of a push body.
fn push_body(device: &str, changes: &[WireChange]) -> Vec<u8> {
    serde_json::to_vec(&PushRequest {
        device_id: device.into(),
        schema_version: 1,
        changes: changes.to_vec(),
        extra: Default::default(),
    })
    .unwrap()
}

/// The signature a device makes over a push body.
fn sign(key: &DeviceKey, device: &str, changes: &[WireChange], body: &[u8]) -> String {
    let batch_seq = changes.first().map_or(0, |c| c.seq.max(0) as u64);
    key.sign_push(&zhifa_auth::PushRequest { method: "POST", path: "/api/v1/push", device_id: device, batch_seq, body })
}

fn random10() -> [u8; 10] {
    let mut r = [0u8; 10];
    r.copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..10]);
    r
}

/// A fresh UUIDv7 (as the ids of every entity and device).
fn new_id() -> String {
    DeviceId::from_parts(1_767_225_600_000, random10()).to_string()
}

fn new_key() -> DeviceKey {
    DeviceKey::generate(&SystemRandom::new()).unwrap().0
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A PostgreSQL database of one test (dropped at the end), when `ZHIFA_TEST_POSTGRES` names a
/// server: the tests count rows, so each needs a store of its own.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    fn create(admin_url: &str) -> (Self, String) {
        let name = format!("zhifa_sec_{}", uuid::Uuid::new_v4().simple());
        pg_admin(admin_url, format!("CREATE DATABASE {name}"));
        let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        let authority_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
        let url = format!("{}/{name}{}", &base[..authority_end], query.map(|q| format!("?{q}")).unwrap_or_default());
        (Self { admin_url: admin_url.to_owned(), name }, url)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        pg_admin(&self.admin_url, format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

/// Runs one statement on a plain thread (the synchronous client must not run on a tokio worker).
fn pg_admin(url: &str, sql: String) {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("ZHIFA_TEST_POSTGRES");
        c.batch_execute(&sql).unwrap();
    })
    .join()
    .unwrap();
}

/// A running server plus an HTTP client.
struct Env {
    server: Server,
    http: reqwest::Client,
    _pg: Option<PgDatabase>,
}

impl Env {
    async fn new(enterprises: usize) -> Self {
        let (server, pg) = match std::env::var("ZHIFA_TEST_POSTGRES") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let (pg, url) = PgDatabase::create(&admin_url);
                (common::start_on(DbUrl::Postgres(url), None, enterprises).await, Some(pg))
            }
            _ => (start(enterprises).await, None),
        };
        zhifa_sync_client::install_crypto_provider();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        Self { server, http, _pg: pg }
    }

    fn now(&self) -> u64 {
        self.server.clock.load(Ordering::SeqCst)
    }

    fn advance(&self, ms: u64) {
        self.server.clock.fetch_add(ms, Ordering::SeqCst);
    }

    /// `app(state)` over the same store and clock, for `oneshot`.
    fn app(&self) -> axum::Router {
        let mut state = AppState::new(self.server.db.clone());
        let clock = std::sync::Arc::clone(&self.server.clock);
        state.clock = std::sync::Arc::new(move || clock.load(Ordering::SeqCst));
        zhifa_server::app(state)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        let t0 = Instant::now();
        let mut req = self.http.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (status, content_type, retry_after) =
            (resp.status().as_u16(), header("content-type"), header("retry-after"));
        let body = resp.bytes().await.unwrap().to_vec();
        Resp { status, content_type, retry_after, body, elapsed: t0.elapsed() }
    }

    /// The same request through `app(state).oneshot` (no socket: a 10 MB body is fully offered).
    async fn oneshot(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let t0 = Instant::now();
        let mut req = axum::http::Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = self.app().oneshot(req.body(axum::body::Body::from(body)).unwrap()).await.unwrap();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (status, content_type, retry_after) =
            (resp.status().as_u16(), header("content-type"), header("retry-after"));
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec();
        Resp { status, content_type, retry_after, body, elapsed: t0.elapsed() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    async fn get(&self, path: &str, token: &str) -> Resp {
        self.send("GET", path, Some(token), &[], None).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let headers = [("content-type", "application/json")];
        self.send("POST", path, token, &headers, Some(serde_json::to_vec(body).unwrap())).await
    }

    async fn rows(&self, sql: &'static str, params: Vec<P>) -> Vec<Row> {
        self.server.db.tx(move |tx| Ok(tx.query(sql, &params)?)).await.unwrap()
    }

    async fn officers(&self) -> Vec<Officer> {
        self.rows("SELECT login, roles, county_code FROM officers ORDER BY login", vec![])
            .await
            .iter()
            .map(|r| Officer {
                login: r[0].t().unwrap(),
                roles: serde_json::from_str(&r[1].t().unwrap()).unwrap(),
                county: r[2].ot().unwrap(),
            })
            .collect()
    }

    /// The first officer of `county` (`None`: the city) whose roles pass `pred`.
    async fn officer(&self, county: Option<&str>, pred: impl Fn(&Officer) -> bool) -> Officer {
        self.officers()
            .await
            .into_iter()
            .find(|o| o.county.as_deref() == county && pred(o))
            .unwrap_or_else(|| panic!("no such demo officer in {county:?}"))
    }

    async fn login_raw(&self, login: &str, password: &str, device: &str, key: Option<&str>) -> Resp {
        let body = json!({"login": login, "password": password, "device_id": device, "device_public_key": key});
        self.post("/api/v1/auth/login", None, &body).await
    }

    /// Logs a new tablet (fresh device id and key) in as `login`.
    async fn tablet(&self, login: &str) -> Tablet {
        let (device, key) = (DeviceId::parse(&new_id()).unwrap(), new_key());
        let r = self.login_raw(login, demo::DEMO_PASSWORD, &device.to_string(), Some(&key.public_key_b64())).await;
        assert_eq!(r.status, 200, "login {login}: {}", r.text());
        let lr: LoginResponse = r.json();
        Tablet { device, key, tokens: lr.tokens, officer: lr.officer, seq: 0, counter: 0 }
    }

    async fn push_raw(&self, token: &str, device_header: &str, body: Vec<u8>, signature: Option<&str>) -> Resp {
        let mut headers = vec![("content-type", "application/json"), (HEADER_DEVICE, device_header)];
        if let Some(s) = signature {
            headers.push((HEADER_SIGNATURE, s));
        }
        self.send("POST", "/api/v1/push", Some(token), &headers, Some(body)).await
    }

    /// A correctly signed push of `changes` by `t`.
    async fn push(&self, t: &Tablet, changes: &[WireChange]) -> Resp {
        let device = t.device_id();
        let body = push_body(&device, changes);
        let sig = sign(&t.key, &device, changes, &body);
        self.push_raw(t.access(), &device, body, Some(&sig)).await
    }

    async fn pull_all(&self, token: &str, limit: i64) -> Vec<PulledEntity> {
        let (mut cursor, mut items) = (0, Vec::new());
        for _ in 0..100_000 {
            let r = self.get(&format!("/api/v1/pull?cursor={cursor}&limit={limit}"), token).await;
            assert_eq!(r.status, 200, "pull: {}", r.text());
            let page: PullResponse = r.json();
            items.extend(page.items);
            cursor = page.next_cursor;
            if page.checkpoint_complete {
                return items;
            }
        }
        panic!("pull never completed")
    }

    /// The stored entity row: (county_code, view fields).
    async fn entity(&self, kind: &str, id: &str) -> Option<(Option<String>, serde_json::Map<String, Value>)> {
        let rows = self
            .rows(
                "SELECT entity, entity_id, county_code, state, last_seq FROM entities WHERE entity = $1 AND entity_id = $2",
                vec![P::T(kind.into()), P::T(id.into())],
            )
            .await;
        rows.first().map(|r| {
            let e = zhifa_server::sync::pulled_from_row(r).unwrap();
            (e.county_code, e.fields)
        })
    }

    /// One entity id of `kind` in `county`.
    async fn some_entity(&self, kind: &str, county: &str) -> String {
        self.rows(
            "SELECT entity_id FROM entities WHERE entity = $1 AND county_code = $2 ORDER BY entity_id LIMIT 1",
            vec![P::T(kind.into()), P::T(county.into())],
        )
        .await
        .first()
        .unwrap_or_else(|| panic!("no {kind} in {county}"))[0]
            .t()
            .unwrap()
    }

    async fn device_row(&self, device: &str) -> Option<(String, bool)> {
        let rows = self
            .rows(
                "SELECT o.login, d.revoked FROM devices d JOIN officers o ON o.id = d.officer_id WHERE d.device_id = $1",
                vec![P::T(device.into())],
            )
            .await;
        rows.first().map(|r| (r[0].t().unwrap(), r[1].i().unwrap() != 0))
    }

    async fn audit_count(&self, action: &'static str) -> i64 {
        self.rows("SELECT count(*) FROM audit WHERE action = $1", vec![P::T(action.into())]).await[0][0].i().unwrap()
    }

    /// Uploads `bytes` completely as `t`; returns the hash.
    async fn upload(&self, t: &Tablet, bytes: &[u8]) -> String {
        let sha = sha256_hex(bytes);
        let put = format!("/api/v1/attachments/{sha}?offset=0");
        let r = self.send("PUT", &put, Some(t.access()), &[], Some(bytes.into())).await;
        assert_eq!(r.status, 200, "chunk: {}", r.text());
        let r = self.send("POST", &format!("/api/v1/attachments/{sha}/complete"), Some(t.access()), &[], None).await;
        assert_eq!(r.status, 200, "complete: {}", r.text());
        sha
    }
}

/// Collects violations; fails once with all of them.
#[derive(Default)]
struct Violations(Vec<String>);

impl Violations {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }

    fn assert_none(self, title: &str) {
        assert!(self.0.is_empty(), "{title}: {} violation(s):\n  - {}", self.0.len(), self.0.join("\n  - "));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A1: BOLA matrix
// ---------------------------------------------------------------------------------------------------------------

/// What the BOLA matrix does with a route (one entry per route of `ROUTES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bola {
    /// No token, no object: nothing to isolate (must be a `needs token = false` route).
    Public,
    /// Acts only on the caller's own session: another county's sessions survive.
    OwnSession,
    /// A change to a county-B entity is refused exactly like a change referring to a missing one.
    PushForeignEntity,
    /// A full pull holds no county-B row.
    PullScope,
    /// `verify` of a county-B device answers like a missing device.
    VerifyForeignDevice,
    /// A county-B entity answers like a missing one, for every entity kind.
    ReadForeignEntity,
    /// Leasing document numbers of a county-B organisation answers like a missing organisation.
    LeaseForeignOrg,
    /// Reporting a gap in a number another device leased answers like a number never leased,
    /// and records nothing.
    GapForeignLease,
    /// The supervisors' gap listing holds the caller's county (and city-wide organisations)
    /// only; inspectors are refused.
    GapListingScope,
    /// Scanning a county-B issued document answers exactly like an unknown document.
    VerifyForeignDocument,
    /// Attachments are global by SHA-256 (the hash, learnt only from in-scope evidence records, is
    /// the capability): status/content of a known hash are readable, an unknown hash is "missing".
    AttachmentStatusByHash,
    /// Nobody can change the bytes of a complete attachment.
    AttachmentChunkImmutable,
    /// Completing an already complete attachment changes nothing.
    AttachmentCompleteIdempotent,
    /// Content of an unknown or unfinished hash answers "missing" identically.
    AttachmentContentByHash,
    /// Revoking a county-B device answers like a missing device and revokes nothing.
    RevokeForeignDevice,
    /// A city-wide administrative function: county officers (even approvers) are refused and
    /// nothing changes.
    CityAdminOnly,
}

/// Route → matrix case. A route added to `ROUTES` without a line here fails A1.
const BOLA_MATRIX: &[(&str, &str, Bola)] = &[
    ("GET", "/api/v1/capabilities", Bola::Public),
    ("POST", "/api/v1/auth/login", Bola::Public),
    ("POST", "/api/v1/auth/refresh", Bola::Public),
    ("POST", "/api/v1/auth/logout", Bola::OwnSession),
    ("POST", "/api/v1/push", Bola::PushForeignEntity),
    ("GET", "/api/v1/pull", Bola::PullScope),
    ("GET", "/api/v1/verify", Bola::VerifyForeignDevice),
    ("GET", "/api/v1/entities/{entity}/{id}", Bola::ReadForeignEntity),
    ("POST", "/api/v1/numbers/lease", Bola::LeaseForeignOrg),
    ("POST", "/api/v1/numbers/gaps", Bola::GapForeignLease),
    ("GET", "/api/v1/numbers/gaps", Bola::GapListingScope),
    ("POST", "/api/v1/documents/verify", Bola::VerifyForeignDocument),
    ("GET", "/api/v1/attachments/{sha256}", Bola::AttachmentStatusByHash),
    ("PUT", "/api/v1/attachments/{sha256}", Bola::AttachmentChunkImmutable),
    ("POST", "/api/v1/attachments/{sha256}/complete", Bola::AttachmentCompleteIdempotent),
    ("GET", "/api/v1/attachments/{sha256}/content", Bola::AttachmentContentByHash),
    ("POST", "/api/v1/devices/{id}/revoke", Bola::RevokeForeignDevice),
    ("POST", "/api/v1/admin/purge-tombstones", Bola::CityAdminOnly),
];

/// A concrete request path for a route pattern.
fn concrete(path: &str) -> String {
    path.replace("{entity}", "enterprise").replace("{id}", &new_id()).replace("{sha256}", &sha256_hex(b"x"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_bola_matrix_has_an_entry_for_every_route() {
    let mut v = Violations::default();
    for (method, path, needs_token) in ROUTES {
        match BOLA_MATRIX.iter().find(|(m, p, _)| m == method && p == path) {
            None => v.0.push(format!("{method} {path} has no BOLA matrix entry: add one to BOLA_MATRIX")),
            Some((_, _, case)) => v.check((*case == Bola::Public) != *needs_token, || {
                format!("{method} {path}: needs token = {needs_token} but the matrix case is {case:?}")
            }),
        }
    }
    for (m, p, case) in BOLA_MATRIX {
        v.check(ROUTES.iter().any(|(rm, rp, _)| rm == m && rp == p), || format!("stale matrix entry {m} {p} {case:?}"));
    }
    v.check(ROUTES.len() == BOLA_MATRIX.len(), || "ROUTES and BOLA_MATRIX differ in length".into());
    v.assert_none("BOLA matrix coverage");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_every_token_route_refuses_anonymous_and_bogus_tokens() {
    let env = Env::new(60).await;
    let mut v = Violations::default();
    for (method, path, needs_token) in ROUTES.iter().filter(|r| r.2) {
        let p = concrete(path);
        for token in [None, Some("bogus-token"), Some("")] {
            let r = env.send(method, &p, token, &[], Some(b"{}".to_vec())).await;
            v.check(r.sc() == (401, "AUTH_TOKEN_INVALID".into()), || {
                format!("{method} {path} (needs token {needs_token}) with token {token:?}: {:?}", r.sc())
            });
        }
    }
    let r = env.send("GET", "/api/v1/capabilities", None, &[], None).await;
    v.check(r.status == 200, || format!("capabilities: {}", r.status));
    v.assert_none("anonymous calls");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_bola_county_a_token_on_county_b_objects() {
    let env = Env::new(120).await;
    let a_insp = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await;
    let a_appr = env.officer(Some(XIAOYI), |o| o.has("approver")).await;
    let b_insp = env.officer(Some(LISHI), |o| o.roles == ["inspector"]).await;
    let mut ta = env.tablet(&a_insp.login).await;
    let ta_appr = env.tablet(&a_appr.login).await;
    let mut tb = env.tablet(&b_insp.login).await;
    assert_eq!(ta.officer.county_code.as_deref(), Some(XIAOYI));
    assert_eq!(tb.officer.county_code.as_deref(), Some(LISHI));
    let mut v = Violations::default();

    for (method, path, case) in BOLA_MATRIX {
        let route = format!("{method} {path}");
        match case {
            Bola::Public => {}
            Bola::OwnSession => {
                let ta2 = env.tablet(&a_insp.login).await;
                let r = env.send("POST", "/api/v1/auth/logout", Some(ta2.access()), &[], None).await;
                v.check(r.status == 200, || format!("{route}: logout {:?}", r.sc()));
                let after = env.get("/api/v1/pull?limit=1", ta2.access()).await;
                v.check(after.status == 401, || format!("{route}: the logged-out session still works"));
                for (who, t) in [("county B", &tb), ("the caller's other session", &ta)] {
                    let r = env.get("/api/v1/pull?limit=1", t.access()).await;
                    v.check(r.status == 200, || format!("{route}: logout also ended {who}: {:?}", r.sc()));
                }
            }
            Bola::PushForeignEntity => {
                let now = env.now();
                let b_ent = env.some_entity("enterprise", LISHI).await;
                let a_ent = env.some_entity("enterprise", XIAOYI).await;
                let before = env.entity("enterprise", &b_ent).await;
                let changes = vec![
                    ta.change(now, "enterprise", &b_ent, json!({"phone": "13800000000"}), Some(LISHI)),
                    ta.change(now, "hazard", &new_id(), json!({"enterprise": new_id(), "description": "x"}), None),
                    ta.change(now, "enterprise", &a_ent, json!({"phone": "13800000001"}), Some(XIAOYI)),
                ];
                let r = env.push(&ta, &changes).await;
                v.check(r.status == 200, || format!("{route}: {:?}", r.sc()));
                if r.status == 200 {
                    let pr: PushResponse = r.json();
                    let rej =
                        |seq| pr.rejected.iter().find(|x| x.seq == seq).map(|x| (x.code.clone(), x.message.clone()));
                    let (foreign, missing) = (rej(changes[0].seq), rej(changes[1].seq));
                    v.check(foreign.is_some(), || format!("{route}: a change to a county-B enterprise was accepted"));
                    v.check(foreign == missing, || {
                        format!("{route}: county-B entity answered {foreign:?}, a missing one {missing:?}")
                    });
                    v.check(pr.accepted == 1 && rej(changes[2].seq).is_none(), || {
                        format!("{route}: the in-scope control change was not accepted: {pr:?}")
                    });
                }
                v.check(env.entity("enterprise", &b_ent).await == before, || {
                    format!("{route}: the county-B enterprise changed")
                });
            }
            Bola::PullScope => {
                let items = env.pull_all(ta.access(), 1000).await;
                v.check(!items.is_empty(), || format!("{route}: empty pull"));
                let foreign: Vec<_> =
                    items.iter().filter(|i| !matches!(i.county_code.as_deref(), None | Some(XIAOYI))).collect();
                v.check(foreign.is_empty(), || {
                    format!("{route}: {} rows outside 孝义, e.g. {:?}", foreign.len(), foreign.first().map(|i| &i.id))
                });
            }
            Bola::VerifyForeignDevice => {
                let q = |d: &str| format!("/api/v1/verify?device={d}");
                let own = env.get(&q(&ta.device_id()), ta.access()).await;
                v.check(own.status == 200, || format!("{route}: own device {:?}", own.sc()));
                let foreign = env.get(&q(&tb.device_id()), ta.access()).await;
                let missing = env.get(&q(&new_id()), ta.access()).await;
                v.check(!foreign.ok(), || format!("{route}: county-B device verified"));
                v.check(foreign.shape() == missing.shape(), || {
                    format!("{route}: county-B device {:?} vs missing {:?}", foreign.sc(), missing.sc())
                });
            }
            Bola::ReadForeignEntity => {
                let kinds = env
                    .rows(
                        "SELECT DISTINCT entity FROM entities WHERE county_code = $1 ORDER BY entity",
                        vec![P::T(LISHI.into())],
                    )
                    .await;
                v.check(kinds.len() >= 3, || format!("{route}: only {} county-B entity kinds", kinds.len()));
                for k in kinds {
                    let kind = k[0].t().unwrap();
                    let path = |id: &str| format!("/api/v1/entities/{kind}/{id}");
                    let own = env.get(&path(&env.some_entity(&kind, XIAOYI).await), ta.access()).await;
                    v.check(own.status == 200, || format!("{route}: own {kind} {:?}", own.sc()));
                    let foreign = env.get(&path(&env.some_entity(&kind, LISHI).await), ta.access()).await;
                    let missing = env.get(&path(&new_id()), ta.access()).await;
                    v.check(!foreign.ok(), || format!("{route}: county-B {kind} readable"));
                    v.check(foreign.shape() == missing.shape(), || {
                        format!("{route}: county-B {kind} {:?} vs missing {:?}", foreign.sc(), missing.sc())
                    });
                }
                let bogus = env.get(&format!("/api/v1/entities/nonsense/{}", new_id()), ta.access()).await;
                v.check(bogus.sc() == (404, "NOT_FOUND".into()), || format!("{route}: unknown kind {:?}", bogus.sc()));
            }
            Bola::LeaseForeignOrg => {
                let lease = |org: String| json!({"doc_code": "应急检记", "org_id": org, "year": 2026, "count": 5});
                let own = env
                    .post(
                        "/api/v1/numbers/lease",
                        Some(ta.access()),
                        &lease(env.some_entity("organisation", XIAOYI).await),
                    )
                    .await;
                v.check(own.status == 200, || format!("{route}: own organisation {:?}", own.sc()));
                let org_b = env.some_entity("organisation", LISHI).await;
                let foreign = env.post("/api/v1/numbers/lease", Some(ta.access()), &lease(org_b)).await;
                let missing = env.post("/api/v1/numbers/lease", Some(ta.access()), &lease(new_id())).await;
                v.check(!foreign.ok(), || format!("{route}: county A leased numbers of a county-B organisation"));
                v.check(!missing.ok(), || format!("{route}: numbers leased for an organisation that does not exist"));
                v.check(foreign.shape() == missing.shape(), || {
                    format!("{route}: county-B organisation {:?} vs missing {:?}", foreign.sc(), missing.sc())
                });
            }
            Bola::GapForeignLease => {
                let lease = |org: String| json!({"doc_code": "应急检记", "org_id": org, "year": 2026, "count": 5});
                let org_a = env.some_entity("organisation", XIAOYI).await;
                let org_b = env.some_entity("organisation", LISHI).await;
                let mine: Value =
                    env.post("/api/v1/numbers/lease", Some(ta.access()), &lease(org_a.clone())).await.json();
                let theirs: Value =
                    env.post("/api/v1/numbers/lease", Some(tb.access()), &lease(org_b.clone())).await.json();
                let gap = |org: &str, n: &Value| {
                    json!({"gaps": [{"doc_code": "应急检记", "org_id": org, "year": 2026, "number": n,
                        "reason": "打印错误", "at_ms": 1}]})
                };
                let own = env.post("/api/v1/numbers/gaps", Some(ta.access()), &gap(&org_a, &mine["start"])).await;
                v.check(own.ok() && own.json::<Value>()["recorded"] == 1, || {
                    format!("{route}: own gap {:?}", own.text())
                });
                let foreign = env.post("/api/v1/numbers/gaps", Some(ta.access()), &gap(&org_b, &theirs["start"])).await;
                let missing = env.post("/api/v1/numbers/gaps", Some(ta.access()), &gap(&org_b, &json!(999_999))).await;
                let rej = |r: &Resp| r.json::<Value>()["rejected"].clone();
                v.check(foreign.ok() && rej(&foreign)[0]["code"] == "NOT_FOUND", || {
                    format!("{route}: a gap in county B's lease was not refused: {}", foreign.text())
                });
                v.check(rej(&foreign) == rej(&missing).as_array().map_or(json!(null), |a| {
                    json!([{"doc_code": a[0]["doc_code"], "number": theirs["start"], "code": a[0]["code"], "message": a[0]["message"]}])
                }), || format!("{route}: foreign {} vs missing {}", foreign.text(), missing.text()));
                let stored =
                    env.rows("SELECT count(*) FROM number_gaps WHERE org_id = $1", vec![P::T(org_b.clone())]).await;
                v.check(stored[0][0].i().unwrap() == 0, || {
                    format!("{route}: a gap was recorded on county B's numbers")
                });
            }
            Bola::GapListingScope => {
                let lease = |org: String| json!({"doc_code": "应急检记", "org_id": org, "year": 2027, "count": 3});
                let gap = |org: &str, n: &Value| {
                    json!({"gaps": [{"doc_code": "应急检记", "org_id": org, "year": 2027, "number": n,
                        "reason": "作废", "at_ms": 1}]})
                };
                let org_a = env.some_entity("organisation", XIAOYI).await;
                let org_b = env.some_entity("organisation", LISHI).await;
                let la: Value =
                    env.post("/api/v1/numbers/lease", Some(ta.access()), &lease(org_a.clone())).await.json();
                let lb: Value =
                    env.post("/api/v1/numbers/lease", Some(tb.access()), &lease(org_b.clone())).await.json();
                let ra = env.post("/api/v1/numbers/gaps", Some(ta.access()), &gap(&org_a, &la["start"])).await;
                let rb = env.post("/api/v1/numbers/gaps", Some(tb.access()), &gap(&org_b, &lb["start"])).await;
                v.check(ra.ok() && rb.ok(), || format!("{route}: gaps not recorded {} {}", ra.text(), rb.text()));
                let list = env.get("/api/v1/numbers/gaps?year=2027", ta_appr.access()).await;
                v.check(list.status == 200, || format!("{route}: approver {:?}", list.sc()));
                if list.status == 200 {
                    let orgs: Vec<String> = list.json::<Value>()["gaps"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|g| g["org_id"].as_str().unwrap().to_owned())
                        .collect();
                    v.check(orgs.contains(&org_a), || format!("{route}: own county's gap missing: {orgs:?}"));
                    v.check(!orgs.contains(&org_b), || format!("{route}: county B's gap listed to county A"));
                }
                let insp = env.get("/api/v1/numbers/gaps?year=2027", ta.access()).await;
                v.check(insp.sc() == (403, "FORBIDDEN".into()), || format!("{route}: inspector {:?}", insp.sc()));
            }
            Bola::VerifyForeignDocument => {
                let now = env.now();
                let issued = |t: &mut Tablet, county: &str, hash: &str| {
                    let id = new_id();
                    let fields = json!({"doc_type": "现场检查记录", "number": "（吕）应急检记〔2026〕1号",
                        "status": "issued", "content_hash": hash, "inspection": new_id()});
                    (id.clone(), t.change(now, "document", &id, fields, Some(county)))
                };
                let (h_a, h_b) = (sha256_hex(b"county A document"), sha256_hex(b"county B document"));
                let (doc_a, ca) = issued(&mut ta, XIAOYI, &h_a);
                let (doc_b, cb) = issued(&mut tb, LISHI, &h_b);
                v.check(env.push(&ta, &[ca]).await.json::<PushResponse>().accepted == 1, || format!("{route}: push A"));
                v.check(env.push(&tb, &[cb]).await.json::<PushResponse>().accepted == 1, || format!("{route}: push B"));
                let scan = |id: &str, h: &str| json!({"payload": format!("ZHIFA-DOC:1:{id}:{h}")});
                let own = env.post("/api/v1/documents/verify", Some(ta.access()), &scan(&doc_a, &h_a)).await;
                v.check(own.ok() && own.json::<Value>()["result"] == "genuine", || {
                    format!("{route}: own {}", own.text())
                });
                let foreign = env.post("/api/v1/documents/verify", Some(ta.access()), &scan(&doc_b, &h_b)).await;
                let missing = env.post("/api/v1/documents/verify", Some(ta.access()), &scan(&new_id(), &h_b)).await;
                v.check(foreign.ok() && foreign.json::<Value>()["result"] == "unknown", || {
                    format!("{route}: county-B document {}", foreign.text())
                });
                v.check(foreign.shape() == missing.shape(), || {
                    format!("{route}: county-B document {} vs missing {}", foreign.text(), missing.text())
                });
                let theirs = env.post("/api/v1/documents/verify", Some(tb.access()), &scan(&doc_b, &h_b)).await;
                v.check(theirs.json::<Value>()["result"] == "genuine", || {
                    format!("{route}: B's own {}", theirs.text())
                });
            }
            Bola::AttachmentStatusByHash => {
                let sha = env.upload(&tb, b"county B photo for status").await;
                let known = env.get(&format!("/api/v1/attachments/{sha}"), ta.access()).await;
                v.check(known.status == 200, || format!("{route}: known hash {:?}", known.sc()));
                let unknown_sha = sha256_hex(new_id().as_bytes());
                let unknown = env.get(&format!("/api/v1/attachments/{unknown_sha}"), ta.access()).await;
                let st: Value = unknown.json();
                v.check(st["received"] == 0 && st["complete"] == false, || format!("{route}: unknown hash {st}"));
            }
            Bola::AttachmentChunkImmutable => {
                let original = b"county B photo, immutable".to_vec();
                let sha = env.upload(&tb, &original).await;
                let put = format!("/api/v1/attachments/{sha}?offset=0");
                let r = env.send("PUT", &put, Some(ta.access()), &[], Some(b"forged bytes".to_vec())).await;
                v.check(!r.ok() || r.json::<Value>()["complete"] == true, || format!("{route}: {:?}", r.text()));
                let content = env.get(&format!("/api/v1/attachments/{sha}/content"), ta.access()).await;
                v.check(content.body == original, || format!("{route}: the bytes of a complete attachment changed"));
            }
            Bola::AttachmentCompleteIdempotent => {
                let original = b"county B photo, completed twice".to_vec();
                let sha = env.upload(&tb, &original).await;
                let r = env
                    .send("POST", &format!("/api/v1/attachments/{sha}/complete"), Some(ta.access()), &[], None)
                    .await;
                v.check(r.status == 200, || format!("{route}: {:?}", r.sc()));
                let content = env.get(&format!("/api/v1/attachments/{sha}/content"), tb.access()).await;
                v.check(content.body == original, || format!("{route}: content changed"));
            }
            Bola::AttachmentContentByHash => {
                // Unfinished upload by county B (first half of a file) vs a hash nobody uploaded.
                let file = b"an unfinished county B upload, two halves".to_vec();
                let sha = sha256_hex(&file);
                let r = env
                    .send(
                        "PUT",
                        &format!("/api/v1/attachments/{sha}?offset=0"),
                        Some(tb.access()),
                        &[],
                        Some(file[..10].to_vec()),
                    )
                    .await;
                assert_eq!(r.status, 200, "{}", r.text());
                let unfinished = env.get(&format!("/api/v1/attachments/{sha}/content"), ta.access()).await;
                let unknown =
                    env.get(&format!("/api/v1/attachments/{}/content", sha256_hex(b"nobody")), ta.access()).await;
                v.check(!unfinished.ok(), || format!("{route}: unfinished upload readable"));
                v.check(unfinished.shape() == unknown.shape(), || {
                    format!("{route}: unfinished {:?} vs unknown {:?}", unfinished.sc(), unknown.sc())
                });
            }
            Bola::RevokeForeignDevice => {
                let reason = json!({"reason": "BOLA matrix"});
                let path = |d: &str| format!("/api/v1/devices/{d}/revoke");
                for (who, t) in [("approver", &ta_appr), ("inspector", &ta)] {
                    let foreign = env.post(&path(&tb.device_id()), Some(t.access()), &reason).await;
                    let missing = env.post(&path(&new_id()), Some(t.access()), &reason).await;
                    v.check(!foreign.ok(), || format!("{route}: county-A {who} revoked a county-B device"));
                    v.check(foreign.shape() == missing.shape(), || {
                        format!("{route}: {who}: county-B device {:?} vs missing {:?}", foreign.sc(), missing.sc())
                    });
                }
                let row = env.device_row(&tb.device_id()).await;
                v.check(row.as_ref().is_some_and(|r| !r.1), || format!("{route}: county-B device row {row:?}"));
                let r = env.get("/api/v1/pull?limit=1", tb.access()).await;
                v.check(r.status == 200, || format!("{route}: county-B session ended: {:?}", r.sc()));
            }
            Bola::CityAdminOnly => {
                let before = env.rows("SELECT count(*) FROM entities", vec![]).await[0][0].i().unwrap();
                for (who, t) in [("approver", &ta_appr), ("inspector", &ta)] {
                    let r = env.post(&concrete(path), Some(t.access()), &json!({"older_than_days": 30})).await;
                    v.check(r.sc() == (403, "FORBIDDEN".into()), || format!("{route}: county {who}: {:?}", r.sc()));
                }
                let after = env.rows("SELECT count(*) FROM entities", vec![]).await[0][0].i().unwrap();
                v.check(before == after, || format!("{route}: entities {before} → {after}"));
            }
        }
    }
    v.assert_none("BOLA (county-A token on county-B objects)");
}

// ---------------------------------------------------------------------------------------------------------------
// A2: pull scope
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_pull_holds_only_the_callers_county_and_city_rows() {
    let env = Env::new(2000).await;
    let all = env.rows("SELECT entity, entity_id, county_code FROM entities", vec![]).await;
    let in_scope = |county: Option<&str>| {
        all.iter()
            .filter(|r| county.is_none() || r[2].ot().unwrap().is_none_or(|c| Some(c.as_str()) == county))
            .map(|r| (r[0].t().unwrap(), r[1].t().unwrap()))
            .collect::<BTreeSet<_>>()
    };
    let counties: BTreeSet<_> = all.iter().filter_map(|r| r[2].ot().unwrap()).collect();
    assert!(counties.len() >= 10, "demo data spans the counties: {counties:?}");

    let mut total = 0;
    fn inspector(o: &Officer) -> bool {
        o.roles == ["inspector"]
    }
    fn approver(o: &Officer) -> bool {
        o.has("approver")
    }
    fn admin(o: &Officer) -> bool {
        o.has("system_admin")
    }
    type Caller = (Option<&'static str>, fn(&Officer) -> bool);
    let callers: [Caller; 5] = [
        (Some(XIAOYI), inspector),
        (Some(XIAOYI), approver),
        (Some(LISHI), inspector),
        (None, inspector),
        (None, admin),
    ];
    for (county, pred) in callers {
        let officer = env.officer(county, pred).await;
        let t = env.tablet(&officer.login).await;
        for limit in [1000, 97] {
            let items = env.pull_all(t.access(), limit).await;
            total += items.len();
            let outside: Vec<_> = items
                .iter()
                .filter(|i| county.is_some() && i.county_code.is_some() && i.county_code.as_deref() != county)
                .map(|i| (&i.entity, &i.id, &i.county_code))
                .collect();
            assert!(
                outside.is_empty(),
                "{officer:?} (page {limit}) pulled {} rows outside its county: {:?}",
                outside.len(),
                &outside[..outside.len().min(5)]
            );
            let got: BTreeSet<_> = items.iter().map(|i| (i.entity.clone(), i.id.clone())).collect();
            assert_eq!(got.len(), items.len(), "no row twice in one checkpoint");
            assert_eq!(got, in_scope(county), "{officer:?} (page {limit}) gets exactly its scope");
            if county.is_none() {
                let seen: BTreeSet<_> = items.iter().filter_map(|i| i.county_code.clone()).collect();
                assert_eq!(seen, counties, "the city sees every county");
            }
        }
    }
    assert!(total >= 10_000, "checked {total} pulled rows");
}

// ---------------------------------------------------------------------------------------------------------------
// A3: function-level authorisation
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a3_only_approvers_and_admins_revoke_devices() {
    let env = Env::new(60).await;
    let officers = env.officers().await;
    let victim_officer = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await;
    let victim = env.tablet(&victim_officer.login).await;
    let reason = json!({"reason": "lost tablet"});
    let path = format!("/api/v1/devices/{}/revoke", victim.device_id());

    // Every 孝义 officer without 审批/系统管理员 (inspectors, reviewers, legal reviewers, seal keepers).
    let plain: Vec<_> = officers
        .iter()
        .filter(|o| o.county.as_deref() == Some(XIAOYI) && !o.has("approver") && !o.has("system_admin"))
        .collect();
    assert!(plain.len() >= 3 && plain.iter().any(|o| o.has("reviewer")), "{plain:?}");
    for o in &plain {
        let t = env.tablet(&o.login).await;
        for target in [path.clone(), format!("/api/v1/devices/{}/revoke", t.device_id())] {
            let r = env.post(&target, Some(t.access()), &reason).await;
            assert_eq!(r.sc(), (403, "FORBIDDEN".into()), "{o:?} on {target}");
        }
    }
    assert_eq!(env.device_row(&victim.device_id()).await.map(|r| r.1), Some(false), "nothing revoked");
    assert_eq!(env.get("/api/v1/pull?limit=1", victim.access()).await.status, 200);

    // Positive controls: the county's approver, and the city's system administrator for another county.
    let approver = env.tablet(&env.officer(Some(XIAOYI), |o| o.has("approver")).await.login).await;
    let r = env.post(&path, Some(approver.access()), &reason).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(env.device_row(&victim.device_id()).await.map(|r| r.1), Some(true));
    let b = env.tablet(&env.officer(Some(LISHI), |o| o.roles == ["inspector"]).await.login).await;
    let admin = env.tablet(&env.officer(None, |o| o.has("system_admin")).await.login).await;
    let r = env.post(&format!("/api/v1/devices/{}/revoke", b.device_id()), Some(admin.access()), &reason).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(env.audit_count("device_revoked").await >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a3_only_the_city_administrator_purges_tombstones() {
    let env = Env::new(60).await;
    let path = "/api/v1/admin/purge-tombstones";
    let body = json!({"older_than_days": 30});
    let officers = env.officers().await;
    // Everyone but the city's system administrators: every county officer (approvers included)
    // and the city's other officers.
    let refused: Vec<_> = officers.iter().filter(|o| !(o.county.is_none() && o.has("system_admin"))).collect();
    assert!(refused.iter().any(|o| o.county.is_none()) && refused.iter().any(|o| o.has("approver")));
    for o in refused.iter().filter(|o| o.county.is_none() || o.county.as_deref() == Some(XIAOYI)) {
        let t = env.tablet(&o.login).await;
        let r = env.post(path, Some(t.access()), &body).await;
        assert_eq!(r.sc(), (403, "FORBIDDEN".into()), "{o:?}");
    }
    let admin = env.tablet(&env.officer(None, |o| o.has("system_admin")).await.login).await;
    let r = env.post(path, Some(admin.access()), &json!({"older_than_days": 7})).await;
    assert_eq!(r.sc(), (400, "HORIZON_TOO_SHORT".into()));
    let r = env.post(path, Some(admin.access()), &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a3_verify_of_another_device_is_for_supervisors() {
    let env = Env::new(60).await;
    // 孝义 officers without a supervising role (审核/审批/系统管理员).
    let inspectors: Vec<_> = env
        .officers()
        .await
        .into_iter()
        .filter(|o| {
            o.county.as_deref() == Some(XIAOYI) && !["reviewer", "approver", "system_admin"].iter().any(|r| o.has(r))
        })
        .collect();
    assert!(inspectors.len() >= 2, "{inspectors:?}");
    let (t1, t2) = (env.tablet(&inspectors[0].login).await, env.tablet(&inspectors[1].login).await);
    let q = |t: &Tablet| format!("/api/v1/verify?device={}", t.device_id());
    assert_eq!(env.get(&q(&t1), t1.access()).await.status, 200, "own device");
    let colleague = env.get(&q(&t2), t1.access()).await;
    let missing = env.get(&format!("/api/v1/verify?device={}", new_id()), t1.access()).await;
    assert_eq!(colleague.shape(), missing.shape(), "an inspector verifying a colleague's tablet: {:?}", colleague.sc());
    let approver = env.tablet(&env.officer(Some(XIAOYI), |o| o.has("approver")).await.login).await;
    let r = env.get(&q(&t2), approver.access()).await;
    assert_eq!(r.status, 200, "the county's approver verifies its devices: {}", r.text());
}

// ---------------------------------------------------------------------------------------------------------------
// A4: server-owned fields
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a4_county_is_resolved_by_the_server() {
    let env = Env::new(40).await;
    let mut ta = env.tablet(&env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login).await;
    let tb = env.tablet(&env.officer(Some(LISHI), |o| o.roles == ["inspector"]).await.login).await;
    let now = env.now();
    let ent = env.some_entity("enterprise", XIAOYI).await;
    let (_, before) = env.entity("enterprise", &ent).await.unwrap();
    let org = env.some_entity("organisation", XIAOYI).await;
    let (hazard, new_ent) = (new_id(), new_id());
    let changes = vec![
        // An update that tries to move the enterprise to 离石 (field and claim).
        ta.change(now, "enterprise", &ent, json!({"county_code": LISHI, "phone": "13911112222"}), Some(LISHI)),
        // The same for the county bureau's organisation record.
        ta.change(now, "organisation", &org, json!({"division_code": LISHI}), Some(LISHI)),
        // A new hazard of a 孝义 enterprise claiming 离石.
        ta.change(now, "hazard", &hazard, json!({"enterprise": ent, "description": "x"}), Some(LISHI)),
        // A new enterprise in 离石 created by a 孝义 officer.
        ta.change(now, "enterprise", &new_ent, json!({"county_code": LISHI, "name": "越权企业"}), Some(LISHI)),
    ];
    let r = env.push(&ta, &changes).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let pr: PushResponse = r.json();
    let rejected: BTreeMap<_, _> = pr.rejected.iter().map(|x| (x.seq, x.code.as_str())).collect();

    let (county, after) = env.entity("enterprise", &ent).await.unwrap();
    assert_eq!(county.as_deref(), Some(XIAOYI), "the stored scope never follows the client");
    assert_eq!(env.get(&format!("/api/v1/entities/enterprise/{ent}"), tb.access()).await.status, 404);
    assert_eq!(
        env.entity("hazard", &hazard).await.map(|e| e.0),
        Some(Some(XIAOYI.into())),
        "scope of the referenced enterprise"
    );
    assert_eq!(env.entity("enterprise", &new_ent).await, None, "nothing created in another county");
    assert_eq!(rejected.get(&changes[3].seq), Some(&"NOT_FOUND"));
    assert_eq!(env.get(&format!("/api/v1/entities/hazard/{hazard}"), tb.access()).await.status, 404);

    // The scope fields themselves: refused, or left unchanged.
    let mut v = Violations::default();
    v.check(rejected.contains_key(&changes[0].seq) || after["county_code"] == before["county_code"], || {
        format!(
            "enterprise county_code field changed to {} while its row stays in 孝义 (push answer {pr:?})",
            after["county_code"]
        )
    });
    let (org_county, org_view) = env.entity("organisation", &org).await.unwrap();
    v.check(org_county.as_deref() == Some(XIAOYI), || format!("organisation row moved to {org_county:?}"));
    v.check(rejected.contains_key(&changes[1].seq) || org_view["division_code"] == XIAOYI, || {
        format!("organisation division_code changed to {} while its row stays in 孝义", org_view["division_code"])
    });
    v.assert_none("server-owned scope fields");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a4_changes_stamped_by_another_device_are_forged() {
    let env = Env::new(60).await;
    let login = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login;
    let (mut ta, ta2) = (env.tablet(&login).await, env.tablet(&login).await);
    let ent = env.some_entity("enterprise", XIAOYI).await;
    let now = env.now();
    let (h1, h2) = (new_id(), new_id());
    let mut forged = ta.change(now, "hazard", &h1, json!({"enterprise": ent}), Some(XIAOYI));
    forged.hlc = Hlc { wall_ms: now, counter: 1, device: ta2.device }.encode();
    let mut random = ta.change(now, "hazard", &h2, json!({"enterprise": ent}), Some(XIAOYI));
    random.hlc = Hlc { wall_ms: now, counter: 1, device: DeviceId::parse(&new_id()).unwrap() }.encode();
    let r = env.push(&ta, &[forged.clone(), random.clone()]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let pr: PushResponse = r.json();
    assert_eq!(pr.accepted, 0);
    let codes: Vec<_> = pr.rejected.iter().map(|x| (x.seq, x.code.as_str())).collect();
    assert_eq!(codes, [(forged.seq, "CHANGE_FORGED"), (random.seq, "CHANGE_FORGED")]);
    assert_eq!(env.entity("hazard", &h1).await, None);
    assert_eq!(env.entity("hazard", &h2).await, None);
    for t in [&ta, &ta2] {
        let v: VerifyResponse = env.get(&format!("/api/v1/verify?device={}", t.device_id()), ta.access()).await.json();
        assert_eq!(v.count, 0, "nothing logged for {}", t.device_id());
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A5: device binding
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_pushes_must_be_signed_by_the_sessions_own_device() {
    let env = Env::new(60).await;
    let login = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login;
    let (mut ta, ta2) = (env.tablet(&login).await, env.tablet(&login).await);
    let tb = env.tablet(&env.officer(Some(LISHI), |o| o.roles == ["inspector"]).await.login).await;
    let ent = env.some_entity("enterprise", XIAOYI).await;
    let hazard = new_id();
    let changes = [ta.change(env.now(), "hazard", &hazard, json!({"enterprise": ent}), Some(XIAOYI))];
    let dev = ta.device_id();
    let body = push_body(&dev, &changes);
    let good = sign(&ta.key, &dev, &changes, &body);
    let stranger = new_key();
    let mut random_sig = [0u8; 64];
    SystemRandom::new().fill(&mut random_sig).unwrap();
    let random_sig = base64_url(&random_sig);

    // The same body with one character of the enterprise id changed.
    let mut tampered = body.clone();
    let at = tampered.windows(ent.len()).position(|w| w == ent.as_bytes()).unwrap();
    tampered[at] = if tampered[at] == b'0' { b'1' } else { b'0' };
    let ta2_changes = {
        let mut c = changes.clone();
        c[0].hlc = Hlc { wall_ms: env.now(), counter: 1, device: ta2.device }.encode();
        c
    };
    let ta2_body = push_body(&ta2.device_id(), &ta2_changes);
    let stranger_dev = new_id();
    let stranger_body = push_body(&stranger_dev, &changes);
    /// (what, token, device header, body, signature, expected code)
    type Case<'a> = (&'a str, &'a str, String, Vec<u8>, Option<String>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("no signature", ta.access(), dev.clone(), body.clone(), None, "AUTH_BAD_SIGNATURE"),
        ("empty signature", ta.access(), dev.clone(), body.clone(), Some(String::new()), "AUTH_BAD_SIGNATURE"),
        ("malformed signature", ta.access(), dev.clone(), body.clone(), Some("AAAA!".into()), "AUTH_BAD_SIGNATURE"),
        ("random signature", ta.access(), dev.clone(), body.clone(), Some(random_sig), "AUTH_BAD_SIGNATURE"),
        (
            "signed by the officer's other tablet",
            ta.access(),
            dev.clone(),
            body.clone(),
            Some(sign(&ta2.key, &dev, &changes, &body)),
            "AUTH_BAD_SIGNATURE",
        ),
        (
            "signed by another county's tablet",
            ta.access(),
            dev.clone(),
            body.clone(),
            Some(sign(&tb.key, &dev, &changes, &body)),
            "AUTH_BAD_SIGNATURE",
        ),
        (
            "signed by an unregistered key",
            ta.access(),
            dev.clone(),
            body.clone(),
            Some(sign(&stranger, &dev, &changes, &body)),
            "AUTH_BAD_SIGNATURE",
        ),
        ("body changed after signing", ta.access(), dev.clone(), tampered, Some(good.clone()), "AUTH_BAD_SIGNATURE"),
        (
            "another tablet's key and id under this session",
            ta.access(),
            ta2.device_id(),
            ta2_body.clone(),
            Some(sign(&ta2.key, &ta2.device_id(), &ta2_changes, &ta2_body)),
            "AUTH_DEVICE_UNKNOWN",
        ),
        (
            "an unregistered device",
            ta.access(),
            stranger_dev.clone(),
            stranger_body.clone(),
            Some(sign(&stranger, &stranger_dev, &changes, &stranger_body)),
            "AUTH_DEVICE_UNKNOWN",
        ),
        (
            "a valid signed batch replayed with another county's token",
            tb.access(),
            dev.clone(),
            body.clone(),
            Some(good.clone()),
            "AUTH_DEVICE_UNKNOWN",
        ),
    ];
    for (what, token, device, body, sig, code) in cases {
        let r = env.push_raw(token, &device, body, sig.as_deref()).await;
        assert_eq!(r.sc(), (403, code.to_owned()), "{what}: {}", r.text());
    }
    assert_eq!(env.entity("hazard", &hazard).await, None, "nothing stored");
    let log = env.server.db.tx(|tx| zhifa_server::sync::stored_changes(tx, None)).await.unwrap();
    assert!(!log.iter().any(|c| c.change.entity == "hazard"), "nothing logged");

    // The genuine request is accepted.
    let r = env.push_raw(ta.access(), &dev, body, Some(&good)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json::<PushResponse>().accepted, 1);
    assert_eq!(env.entity("hazard", &hazard).await.map(|e| e.0), Some(Some(XIAOYI.into())));
}

fn base64_url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_a_revoked_device_is_shut_out_at_once() {
    let env = Env::new(60).await;
    let login = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login;
    let (mut ta, ta2) = (env.tablet(&login).await, env.tablet(&login).await);
    let approver = env.tablet(&env.officer(Some(XIAOYI), |o| o.has("approver")).await.login).await;
    let r = env
        .post(
            &format!("/api/v1/devices/{}/revoke", ta.device_id()),
            Some(approver.access()),
            &json!({"reason": "丢失"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let refused = |r: &Resp| {
        matches!(r.sc(), (401, c) if c == "AUTH_TOKEN_INVALID") || r.sc() == (403, "AUTH_DEVICE_REVOKED".into())
    };
    let r = env.get("/api/v1/pull?limit=1", ta.access()).await;
    assert!(refused(&r), "access token after revocation: {:?}", r.sc());
    let ent = env.some_entity("enterprise", XIAOYI).await;
    let changes = [ta.change(env.now(), "hazard", &new_id(), json!({"enterprise": ent}), Some(XIAOYI))];
    let r = env.push(&ta, &changes).await;
    assert!(refused(&r), "push after revocation: {:?}", r.sc());
    let r = env.post("/api/v1/auth/refresh", None, &json!({"refresh_token": ta.tokens.refresh_token})).await;
    assert!(refused(&r), "refresh after revocation: {:?}", r.sc());
    let r = env.login_raw(&login, demo::DEMO_PASSWORD, &ta.device_id(), Some(&ta.key.public_key_b64())).await;
    assert_eq!(r.sc(), (403, "AUTH_DEVICE_REVOKED".into()), "login from the revoked tablet");
    // Another officer cannot log in on it either.
    let other =
        env.officers().await.into_iter().find(|o| o.county.as_deref() == Some(XIAOYI) && o.login != login).unwrap();
    let r = env.login_raw(&other.login, demo::DEMO_PASSWORD, &ta.device_id(), Some(&ta.key.public_key_b64())).await;
    assert_eq!(r.sc(), (403, "AUTH_DEVICE_REVOKED".into()));
    // The officer's other tablet keeps working.
    assert_eq!(env.get("/api/v1/pull?limit=1", ta2.access()).await.status, 200);
    assert!(env.audit_count("login_refused").await >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_login_cannot_take_over_a_registered_device() {
    let env = Env::new(60).await;
    let b_login = env.officer(Some(LISHI), |o| o.roles == ["inspector"]).await.login;
    let mut tb = env.tablet(&b_login).await;
    let a_login = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login;
    let dev = tb.device_id();
    for (what, key) in [("without a key", None), ("with another key", Some(new_key().public_key_b64()))] {
        let r = env.login_raw(&a_login, demo::DEMO_PASSWORD, &dev, key.as_deref()).await;
        assert_eq!(r.sc(), (403, "DEVICE_KEY_MISMATCH".into()), "{what}: {}", r.text());
        // The same officer of 离石 is refused too: the key is what binds.
        let r = env.login_raw(&b_login, demo::DEMO_PASSWORD, &dev, key.as_deref()).await;
        assert_eq!(r.sc(), (403, "DEVICE_KEY_MISMATCH".into()), "{what} (own officer)");
    }
    assert_eq!(env.device_row(&dev).await, Some((b_login.clone(), false)), "the device still belongs to 离石");
    let ent = env.some_entity("enterprise", LISHI).await;
    let changes = [tb.change(env.now(), "hazard", &new_id(), json!({"enterprise": ent}), Some(LISHI))];
    let r = env.push(&tb, &changes).await;
    assert_eq!(r.status, 200, "the genuine tablet still syncs: {}", r.text());
    assert_eq!(r.json::<PushResponse>().accepted, 1);
}

// ---------------------------------------------------------------------------------------------------------------
// A6: login abuse
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a6_five_wrong_passwords_lock_the_account_and_unknown_logins_look_the_same() {
    let env = Env::new(60).await;
    let login = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login;
    let (dev, key) = (new_id(), new_key().public_key_b64());
    let try_login = |name: String, pw: &'static str| {
        let (env, dev, key) = (&env, dev.clone(), key.clone());
        async move { env.login_raw(&name, pw, &dev, Some(&key)).await }
    };
    let locked_status = AuthError::Locked { until_ms: 0 }.http_status();

    let mut wrong = Vec::new();
    for _ in 0..5 {
        wrong.push(try_login(login.clone(), "wrong-password-1").await);
    }
    for r in &wrong {
        assert_eq!(r.sc(), (401, "AUTH_BAD_CREDENTIALS".into()));
        assert_eq!(r.body, wrong[0].body);
    }
    let locked = try_login(login.clone(), "wrong-password-1").await;
    assert_eq!(locked.sc(), (locked_status, "AUTH_LOCKED".into()));
    let retry: u64 = locked.retry_after.as_deref().unwrap_or("0").parse().unwrap();
    assert!((1..=15 * 60).contains(&retry), "Retry-After {retry}");
    let correct = try_login(login.clone(), demo::DEMO_PASSWORD).await;
    assert_eq!(correct.sc(), (locked_status, "AUTH_LOCKED".into()), "the right password is refused while locked");
    for _ in 0..100 {
        assert_eq!(try_login(login.clone(), "guess").await.status, locked_status);
    }
    assert_eq!(env.audit_count("login_failed").await, 5);
    assert_eq!(env.audit_count("account_locked").await, 1);
    assert_eq!(env.device_row(&dev).await, None, "no device registered by failed logins");

    // The lock is not extended by attempts during it and ends after 15 minutes.
    env.advance(15 * 60 * 1000);
    let r = try_login(login.clone(), demo::DEMO_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text());

    // An unknown login answers exactly like a wrong password, and locks the same way.
    let unknown = "1411819999".to_owned();
    for i in 0..5 {
        let r = try_login(unknown.clone(), "wrong-password-1").await;
        assert_eq!(r.shape(), wrong[0].shape(), "unknown login, attempt {}", i + 1);
    }
    let r = try_login(unknown.clone(), "wrong-password-1").await;
    assert_eq!(r.shape(), locked.shape(), "unknown login after 5 failures");
    assert!(r.retry_after.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a6_concurrent_wrong_passwords_are_all_counted() {
    let env = Env::new(60).await;
    let login = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login;
    let (dev, key) = (new_id(), new_key().public_key_b64());
    let locked = AuthError::Locked { until_ms: 0 }.http_status();
    let expected =
        BTreeMap::from([((401, "AUTH_BAD_CREDENTIALS".to_owned()), 5), ((locked, "AUTH_LOCKED".to_owned()), 7)]);
    // A real account, then a name without an account: the same answers, however the attempts interleave.
    for name in [login, "1411818888".to_owned()] {
        let attempts = (0..12).map(|_| env.login_raw(&name, "wrong-password-2", &dev, Some(&key)));
        let mut by_code = BTreeMap::new();
        for r in futures_join_all(attempts).await {
            *by_code.entry(r.sc()).or_insert(0) += 1;
        }
        assert_eq!(by_code, expected, "{name}: exactly five guesses before the lock");
    }
    assert_eq!(env.audit_count("login_failed").await, 10);
}

/// Awaits all futures concurrently (on this task), in order.
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = handles.iter().map(|_| None).collect();
    let mut handles: Vec<_> = handles.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (h, o) in handles.iter_mut().zip(out.iter_mut()) {
            if let Some(f) = h {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *o = Some(v);
                        *h = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// A7: tokens
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a7_tokens_expire_rotate_and_a_reused_refresh_token_revokes_the_family() {
    let env = Env::new(60).await;
    let login = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login;
    let (t, bystander) = (env.tablet(&login).await, env.tablet(&login).await);
    let works = |token: String| {
        let env = &env;
        async move { env.get("/api/v1/pull?limit=1", &token).await }
    };
    let refresh = |token: String| {
        let env = &env;
        async move { env.post("/api/v1/auth/refresh", None, &json!({"refresh_token": token})).await }
    };
    assert_eq!(works(t.tokens.access_token.clone()).await.status, 200);

    // Wrong kinds and malformed headers.
    assert_eq!(works(t.tokens.refresh_token.clone()).await.sc(), (401, "AUTH_TOKEN_INVALID".into()));
    assert_eq!(refresh(t.tokens.access_token.clone()).await.sc(), (401, "AUTH_TOKEN_INVALID".into()));
    let r = env.send("GET", "/api/v1/pull", None, &[("authorization", "Basic YTpi")], None).await;
    assert_eq!(r.sc(), (401, "AUTH_TOKEN_INVALID".into()));

    // Access tokens expire (15 minutes).
    assert!(t.tokens.access_expires_ms > env.now());
    env.advance(t.tokens.access_expires_ms - env.now());
    assert_eq!(works(t.tokens.access_token.clone()).await.sc(), (401, "AUTH_TOKEN_EXPIRED".into()));

    // Refresh rotates.
    let r = refresh(t.tokens.refresh_token.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let second: LoginResponse = r.json();
    assert_ne!(second.tokens.refresh_token, t.tokens.refresh_token);
    assert_ne!(second.tokens.access_token, t.tokens.access_token);
    assert_eq!(works(second.tokens.access_token.clone()).await.status, 200);

    // Reusing the old refresh token revokes the whole family, including the new pair.
    let r = refresh(t.tokens.refresh_token.clone()).await;
    assert_eq!(r.sc(), (401, "AUTH_REFRESH_REUSED".into()));
    assert_eq!(works(second.tokens.access_token.clone()).await.sc(), (401, "AUTH_TOKEN_INVALID".into()));
    assert_eq!(refresh(second.tokens.refresh_token.clone()).await.sc(), (401, "AUTH_TOKEN_INVALID".into()));
    assert!(env.audit_count("refresh_reused").await >= 1);

    // Other sessions are untouched (their access token expired with the clock: refresh it).
    let r = refresh(bystander.tokens.refresh_token.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let by: LoginResponse = r.json();
    assert_eq!(works(by.tokens.access_token.clone()).await.status, 200);

    // Logout ends the session's family.
    let r = env.send("POST", "/api/v1/auth/logout", Some(&by.tokens.access_token), &[], None).await;
    assert_eq!(r.status, 200);
    assert_eq!(works(by.tokens.access_token.clone()).await.status, 401);
    assert_eq!(refresh(by.tokens.refresh_token.clone()).await.status, 401);

    // Refresh tokens expire too (30 days).
    let fresh = env.tablet(&login).await;
    env.advance(fresh.tokens.refresh_expires_ms - env.now());
    assert_eq!(refresh(fresh.tokens.refresh_token.clone()).await.sc(), (401, "AUTH_TOKEN_EXPIRED".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a7_concurrent_refreshes_with_one_token_never_fork_the_session() {
    let env = Env::new(60).await;
    let t = env.tablet(&env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login).await;
    let body = json!({"refresh_token": t.tokens.refresh_token});
    let answers = futures_join_all((0..8).map(|_| env.post("/api/v1/auth/refresh", None, &body))).await;
    let winners: Vec<LoginResponse> = answers.iter().filter(|r| r.ok()).map(Resp::json).collect();
    let losers: Vec<_> = answers.iter().filter(|r| !r.ok()).map(Resp::sc).collect();
    assert_eq!(winners.len(), 1, "one refresh token buys one new pair: {losers:?}");
    assert!(losers.iter().all(|l| *l == (401, "AUTH_REFRESH_REUSED".to_owned())), "{losers:?}");
    // The reuse revoked the family, the winner's new pair included.
    let r = env.get("/api/v1/pull?limit=1", &winners[0].tokens.access_token).await;
    assert_eq!(r.sc(), (401, "AUTH_TOKEN_INVALID".into()));
}

// ---------------------------------------------------------------------------------------------------------------
// F2: garbage bodies and malformed requests
// ---------------------------------------------------------------------------------------------------------------

/// How a POST/PUT route reads its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// A JSON document: garbage must give a 4xx.
    Json,
    /// Raw attachment bytes: any bytes are a valid chunk; only the size limit applies.
    Chunk,
    /// The body is not read.
    Ignored,
}

/// Every POST/PUT route of `ROUTES` (a new one without a line here fails F2).
const BODY_ROUTES: &[(&str, &str, BodyKind)] = &[
    ("POST", "/api/v1/auth/login", BodyKind::Json),
    ("POST", "/api/v1/auth/refresh", BodyKind::Json),
    ("POST", "/api/v1/auth/logout", BodyKind::Ignored),
    ("POST", "/api/v1/push", BodyKind::Json),
    ("POST", "/api/v1/numbers/lease", BodyKind::Json),
    ("POST", "/api/v1/numbers/gaps", BodyKind::Json),
    ("POST", "/api/v1/documents/verify", BodyKind::Json),
    ("PUT", "/api/v1/attachments/{sha256}", BodyKind::Chunk),
    ("POST", "/api/v1/attachments/{sha256}/complete", BodyKind::Ignored),
    ("POST", "/api/v1/devices/{id}/revoke", BodyKind::Json),
    ("POST", "/api/v1/admin/purge-tombstones", BodyKind::Json),
];

fn garbage_bodies() -> Vec<(&'static str, Vec<u8>, Option<&'static str>)> {
    let mut random = vec![0u8; 10_000_000];
    SystemRandom::new().fill(&mut random).unwrap();
    let depth = 100_000;
    let nested_arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes();
    let nested_objects = format!("{{\"x\":{}null{}}}", "{\"a\":".repeat(depth), "}".repeat(depth)).into_bytes();
    let huge_array = format!("[{}0]", "0,".repeat(999_999)).into_bytes();
    let huge_field = format!("{{\"extra\":[{}0],\"login\":\"x\"}}", "0,".repeat(999_999)).into_bytes();
    vec![
        ("invalid JSON", b"{\"login\": nope}".to_vec(), None),
        ("truncated JSON", b"{\"login\":\"1411810001\",\"password\":\"Zhifa20".to_vec(), None),
        ("empty body", Vec::new(), None),
        ("10 MB of random bytes", random, None),
        ("arrays nested 100,000 deep", nested_arrays, None),
        ("objects nested 100,000 deep in an unknown field", nested_objects, None),
        (
            "wrong types",
            br#"{"login":1,"password":[],"device_id":{},"refresh_token":2,"changes":"x","schema_version":"one",
                "reason":false,"doc_code":1,"org_id":[],"year":"2026","count":-1}"#
                .to_vec(),
            None,
        ),
        ("1,000,000-element array", huge_array, None),
        ("1,000,000-element array in an unknown field", huge_field, None),
        ("invalid UTF-8 in a string", b"{\"login\":\"\xff\xfe\",\"password\":\"\xc3\x28\"}".to_vec(), None),
        ("duplicate keys", br#"{"reason":"a","reason":"b","refresh_token":"a","refresh_token":"b"}"#.to_vec(), None),
        ("NUL bytes", vec![0; 4096], None),
        ("truncated gzip", vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xab, 0x56], Some("gzip")),
        ("truncated zstd", vec![0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x10, 0x81], Some("zstd")),
        (
            "zstd bomb: 64 MiB of spaces in a few kB",
            zstd::bulk::compress(&vec![b' '; 64 << 20], 3).unwrap(),
            Some("zstd"),
        ),
        ("unknown content encoding", b"{}".to_vec(), Some("br")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f2_garbage_bodies_get_json_4xx_and_the_server_keeps_serving() {
    let env = Env::new(60).await;
    let login = env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login;
    let t = env.tablet(&login).await;
    let mut v = Violations::default();
    for (method, path, _) in ROUTES.iter().filter(|r| r.0 == "POST" || r.0 == "PUT") {
        v.check(BODY_ROUTES.iter().any(|(m, p, _)| m == method && p == path), || {
            format!("{method} {path} has no BODY_ROUTES entry: add one")
        });
    }
    let garbage = garbage_bodies();
    let mut slowest = Duration::ZERO;
    for (method, path, kind) in BODY_ROUTES {
        for (what, body, encoding) in &garbage {
            // Logout ends the session it is called with: give it its own.
            let own;
            let token = if path.ends_with("/logout") {
                own = env.tablet(&login).await;
                own.access().to_owned()
            } else {
                t.access().to_owned()
            };
            let target = concrete(path).replace(&sha256_hex(b"x"), &sha256_hex(new_id().as_bytes()));
            let target = if *kind == BodyKind::Chunk { format!("{target}?offset=0") } else { target };
            let dev = t.device_id();
            let mut headers = vec![("content-type", "application/json"), (HEADER_DEVICE, dev.as_str())];
            if let Some(e) = encoding {
                headers.push(("content-encoding", e));
            }
            let r = env.oneshot(method, &target, Some(&token), &headers, body.clone()).await;
            slowest = slowest.max(r.elapsed);
            let label = format!("{method} {path} ← {what}");
            v.check(r.status < 500, || format!("{label}: HTTP {} {}", r.status, r.text()));
            if body.len() > zhifa_server::MAX_BODY && *kind != BodyKind::Ignored {
                v.check(r.status == 413, || format!("{label}: expected 413, got {}", r.status));
            }
            match kind {
                BodyKind::Json => v.check((400..500).contains(&r.status), || format!("{label}: HTTP {}", r.status)),
                BodyKind::Chunk | BodyKind::Ignored => {}
            }
            if !r.ok() {
                v.check(r.error_body().is_some(), || {
                    format!("{label}: HTTP {} without ErrorBody: {:?} {:?}", r.status, r.content_type, r.text())
                });
            }
            v.check(r.elapsed < Duration::from_secs(5), || format!("{label}: took {:?}", r.elapsed));
        }
    }

    // An empty chunk followed by a real one must not break the upload (no 5xx).
    let file = b"photo after an empty chunk".to_vec();
    let sha = sha256_hex(&file);
    let put = format!("/api/v1/attachments/{sha}?offset=0");
    let first = env.send("PUT", &put, Some(t.access()), &[], Some(Vec::new())).await;
    let second = env.send("PUT", &put, Some(t.access()), &[], Some(file.clone())).await;
    for (what, r) in [("empty chunk", &first), ("chunk after an empty chunk", &second)] {
        v.check(r.status < 500 && (r.ok() || r.error_body().is_some()), || {
            format!("PUT attachment, {what}: HTTP {} {}", r.status, r.text())
        });
    }

    // Still serving, over the socket: capabilities, a pull and a genuine signed push.
    assert_eq!(env.send("GET", "/api/v1/capabilities", None, &[], None).await.status, 200);
    assert_eq!(env.get("/api/v1/pull?limit=10", t.access()).await.status, 200);
    let mut t2 = env.tablet(&login).await;
    let ent = env.some_entity("enterprise", XIAOYI).await;
    let changes = [t2.change(env.now(), "hazard", &new_id(), json!({"enterprise": ent}), Some(XIAOYI))];
    let r = env.push(&t2, &changes).await;
    assert_eq!(r.status, 200, "{}", r.text());
    eprintln!("slowest garbage answer: {slowest:?}");
    v.assert_none("garbage bodies");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f2_malformed_queries_paths_and_methods_get_json_errors() {
    let env = Env::new(60).await;
    let t = env.tablet(&env.officer(Some(XIAOYI), |o| o.roles == ["inspector"]).await.login).await;
    let sha = sha256_hex(b"y");
    let cases: Vec<(&str, String, u16)> = vec![
        ("GET", "/api/v1/pull?cursor=abc".into(), 400),
        ("GET", "/api/v1/pull?limit=1e999".into(), 400),
        ("GET", "/api/v1/verify".into(), 400),
        ("GET", "/api/v1/verify?device".into(), 404),
        ("GET", "/api/v1/entities/enterprise/%FF%FE".into(), 400),
        ("PUT", format!("/api/v1/attachments/{sha}"), 400),
        ("PUT", format!("/api/v1/attachments/{sha}?offset=-1"), 400),
        ("GET", "/api/v1/attachments/NOT-A-HASH".into(), 400),
        ("DELETE", "/api/v1/push".into(), 405),
        ("GET", "/api/v1/push".into(), 405),
        ("PATCH", "/api/v1/auth/login".into(), 405),
        ("GET", "/api/v1/nowhere".into(), 404),
        ("GET", "/nowhere".into(), 404),
    ];
    let mut v = Violations::default();
    for (method, path, status) in cases {
        let r = env.send(method, &path, Some(t.access()), &[], None).await;
        v.check(r.status == status, || format!("{method} {path}: expected {status}, got {}", r.status));
        v.check(r.error_body().is_some(), || {
            format!("{method} {path}: HTTP {} without ErrorBody: {:?} {:?}", r.status, r.content_type, r.text())
        });
    }
    v.assert_none("malformed requests");
}
