//! Zhifa's central sync server.
//!
//! A thin axum layer: each handler authenticates, then delegates to [`sync`] (the
//! algorithms) inside one store transaction on a [`db::Db`] worker, and answers only after
//! the commit. `fn app(state) -> Router` is what tests drive; [`launch`] serves it.

pub mod auth;
pub mod db;
pub mod demo;
pub mod error;
pub mod store;
pub mod sync;
pub mod tls;
pub mod writer;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate as _};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::decompression::RequestDecompressionLayer;
use zhifa_protocol::{
    API_PREFIX, AttachmentStatus, Capabilities, DocPayload, DocumentVerifyRequest, DocumentVerifyResponse, GapListing,
    GapReport, GapReportResponse, HEADER_DEVICE, HEADER_SIGNATURE, LeaseRequest, LoginRequest, LoginResponse,
    NumberLease, PullResponse, PushRequest, PushResponse, RefreshRequest, RevokeRequest, SCHEMA_VERSION,
    VerifyResponse,
};

use crate::auth::Authenticated;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::sync::SyncConfig;

/// Source of the current time in ms (tests move it).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    })
}

/// Everything a handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// Sync limits.
    pub cfg: SyncConfig,
    /// Auth settings.
    pub auth: Arc<auth::AuthConfig>,
    /// Time source.
    pub clock: Clock,
    /// Division code of the city (records with it are city-wide).
    pub city_code: String,
    /// The group-commit writer of pushes, started by the first push (inside the runtime,
    /// with the settings the state has by then).
    pushes: Arc<std::sync::OnceLock<writer::PushWriter>>,
}

impl AppState {
    /// State over `db` with default settings and the system clock.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            cfg: SyncConfig::default(),
            auth: Arc::new(auth::AuthConfig::default()),
            clock: system_clock(),
            city_code: "141100".into(),
            pushes: Arc::default(),
        }
    }

    fn now(&self) -> u64 {
        (self.clock)()
    }
}

/// Largest request body (a push of 500 changes with large fields fits easily).
pub const MAX_BODY: usize = 8 << 20;

/// The routes, with a name per route for the authorisation matrix test.
pub const ROUTES: &[(&str, &str, bool)] = &[
    // (method, path, needs a token)
    ("GET", "/api/v1/capabilities", false),
    ("POST", "/api/v1/auth/login", false),
    ("POST", "/api/v1/auth/refresh", false),
    ("POST", "/api/v1/auth/logout", true),
    ("POST", "/api/v1/push", true),
    ("GET", "/api/v1/pull", true),
    ("GET", "/api/v1/verify", true),
    ("GET", "/api/v1/entities/{entity}/{id}", true),
    ("POST", "/api/v1/numbers/lease", true),
    ("POST", "/api/v1/numbers/gaps", true),
    ("GET", "/api/v1/numbers/gaps", true),
    ("POST", "/api/v1/documents/verify", true),
    ("GET", "/api/v1/attachments/{sha256}", true),
    ("PUT", "/api/v1/attachments/{sha256}", true),
    ("POST", "/api/v1/attachments/{sha256}/complete", true),
    ("GET", "/api/v1/attachments/{sha256}/content", true),
    ("POST", "/api/v1/devices/{id}/revoke", true),
    ("POST", "/api/v1/admin/purge-tombstones", true),
];

/// The router.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/capabilities", get(capabilities))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/push", post(push))
        .route("/pull", get(pull))
        .route("/verify", get(verify))
        .route("/entities/{entity}/{id}", get(entity))
        .route("/numbers/lease", post(lease))
        .route("/numbers/gaps", post(report_gaps).get(list_gaps))
        .route("/documents/verify", post(verify_document))
        .route("/attachments/{sha256}", get(attachment_status).put(attachment_chunk))
        .route("/attachments/{sha256}/complete", post(attachment_complete))
        .route("/attachments/{sha256}/content", get(attachment_content))
        .route("/devices/{id}/revoke", post(auth::revoke_device))
        .route("/admin/purge-tombstones", post(purge_tombstones));
    Router::new()
        .nest(API_PREFIX, api)
        .fallback(|| async { AppError::not_found() })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        // Inside the body limit's reach: `MAX_BODY` bounds the *decompressed* body, so a
        // small compressed bomb is refused with 413 like any other oversized request.
        // An unknown `Content-Encoding` is 415, rewritten to a JSON error below.
        .layer(RequestDecompressionLayer::new())
        .layer(axum::middleware::map_response(error::ensure_json_errors))
        // Outermost, so error bodies rewritten above are compressed too (never the other way
        // round: a rewritten body must not inherit a `Content-Encoding` it does not have).
        .layer(compression())
        .with_state(state)
}

/// Response compression (zstd or gzip, as the client's `Accept-Encoding` asks). Attachment
/// bytes (`application/octet-stream`: JPEG photos, PDFs) are sent as they are; compressing
/// them again costs CPU and saves nothing.
fn compression() -> CompressionLayer<impl tower_http::compression::Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Default)
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/octet-stream")))
}

/// Serves the app on `listener` until the process ends.
pub async fn launch(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).await
}

async fn capabilities(State(s): State<AppState>) -> Json<Capabilities> {
    Json(Capabilities {
        api_version: "v1".into(),
        schema_version: SCHEMA_VERSION,
        min_client_schema: s.cfg.min_client_schema,
        features: [
            "push",
            "pull",
            "verify",
            "attachments",
            "numbers",
            "signed-push",
            "compression",
            "number-gaps",
            "document-verify",
        ]
        .map(String::from)
        .to_vec(),
        max_batch_changes: s.cfg.max_batch as u32,
        max_body_bytes: MAX_BODY as u64,
        max_skew_ms: s.cfg.max_skew_ms,
        chunk_bytes: 1 << 20,
        extra: Default::default(),
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::bad_request("BAD_JSON", format!("请求内容不是有效的数据格式（第{}行第{}列）", e.line(), e.column()))
    })
}

async fn push(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<PushResponse>> {
    // The envelope first: a client of another schema version may send changes this server
    // cannot parse, and its batch must still be held, not refused as malformed.
    let env: sync::PushEnvelope = parse_json(&body)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if header(HEADER_DEVICE) != env.device_id {
        return Err(AppError::bad_request("DEVICE_MISMATCH", "请求头中的设备编号与提交内容不一致"));
    }
    let signature = header(HEADER_SIGNATURE);
    let batch_seq = env.first_seq().max(0) as u64;
    let device = auth::device_record(&s.db, &env.device_id).await?;
    zhifa_auth::verify_push(
        device.as_ref(),
        &who,
        &zhifa_auth::PushRequest {
            method: "POST",
            path: "/api/v1/push",
            device_id: &env.device_id,
            batch_seq,
            body: &body,
        },
        &signature,
    )?;
    if !(s.cfg.min_client_schema..=SCHEMA_VERSION).contains(&env.schema_version) {
        let (now, cfg) = (s.now(), s.cfg);
        let officer = who.officer_id.clone();
        let held = s.db.tx(move |tx| sync::hold_push(tx, &env, &officer, &body, &signature, now)).await?;
        return Err(sync::schema_unsupported(held, &cfg));
    }
    // Parsing, checking, converting and compressing run here, in parallel across requests;
    // only the merge itself holds the store's writer.
    let cfg = s.cfg;
    let prepared = tokio::task::spawn_blocking(move || {
        let req: PushRequest = parse_json(&body)?;
        sync::prepare_push(&req, sync::SignedBody { body: &body, signature: &signature }, &cfg)
    })
    .await
    .map_err(AppError::internal)??;
    let writer = s.pushes.get_or_init(|| writer::PushWriter::start(s.db.clone(), s.cfg, s.city_code.clone()));
    let resp = writer.submit(sync::QueuedPush { who, push: prepared, now_ms: s.now() }).await?;
    Ok(Json(resp))
}

#[derive(Deserialize)]
struct PullQuery {
    #[serde(default)]
    cursor: i64,
    #[serde(default)]
    limit: Option<i64>,
}

async fn pull(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    Query(q): Query<PullQuery>,
) -> AppResult<Json<PullResponse>> {
    let limit = q.limit.unwrap_or(500).clamp(1, s.cfg.max_page);
    Ok(Json(s.db.tx(move |tx| sync::pull(tx, &who, q.cursor.max(0), limit)).await?))
}

#[derive(Deserialize)]
struct VerifyQuery {
    device: String,
}

async fn verify(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Json<VerifyResponse>> {
    // A device's own record, or any device of the caller's scope for supervisors.
    let device = auth::device_record(&s.db, &q.device).await?;
    let supervisor = ["reviewer", "approver", "system_admin"].iter().any(|r| who.has_role(r));
    let allowed = match &device {
        Some(d) if d.officer_id == who.officer_id => true,
        Some(d) if supervisor => auth::officer_scope(&s.db, &d.officer_id)
            .await?
            .is_some_and(|sc| who.scope.is_city_wide() || who.scope.county == sc.county),
        _ => false,
    };
    if !allowed {
        return Err(AppError::not_found());
    }
    Ok(Json(s.db.tx(move |tx| sync::verify(tx, &q.device)).await?))
}

async fn entity(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    Path((entity, id)): Path<(String, String)>,
) -> AppResult<Json<zhifa_protocol::PulledEntity>> {
    let e = s.db.tx(move |tx| sync::find_entity(tx, &entity, &id)?.ok_or_else(AppError::not_found)).await?;
    if !who.can_see(e.county_code.as_deref()) {
        return Err(AppError::not_found());
    }
    Ok(Json(e))
}

async fn lease(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    body: Bytes,
) -> AppResult<Json<NumberLease>> {
    let req: LeaseRequest = parse_json(&body)?;
    let Some(device) = who.device_id.clone() else {
        return Err(AppError::forbidden("只有已登记的设备可以申请文书编号"));
    };
    let now = s.now();
    let lease_id = uuid::Uuid::new_v4().to_string();
    Ok(Json(
        s.db.tx(move |tx| {
            // The organisation must exist and belong to the caller's county (a city-wide caller:
            // any); a missing and a foreign organisation answer alike.
            let org = tx.query(
                "SELECT county_code FROM entities WHERE key_hash = zhifa_entity_key('organisation', $1) \
                 AND entity = 'organisation' AND entity_id = $1 AND deleted = 0",
                &[db::P::T(req.org_id.clone())],
            )?;
            let in_scope = match (org.first(), &who.scope.county) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(r), Some(mine)) => r[0].ot()?.as_deref() == Some(mine.as_str()),
            };
            if !in_scope {
                return Err(AppError::not_found());
            }
            sync::lease(tx, &device, &req, now, lease_id)
        })
        .await?,
    ))
}

/// `POST /api/v1/numbers/gaps`: the calling device's voided document numbers.
async fn report_gaps(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    body: Bytes,
) -> AppResult<Json<GapReportResponse>> {
    let req: GapReport = parse_json(&body)?;
    let Some(device) = who.device_id.clone() else {
        return Err(AppError::forbidden("只有已登记的设备可以报告作废的文书编号"));
    };
    if req.gaps.len() > 10_000 {
        return Err(AppError::bad_request("BATCH_TOO_LARGE", "一次最多报告10000个作废编号"));
    }
    let now = s.now();
    let officer = who.officer_id.clone();
    Ok(Json(s.db.tx(move |tx| sync::record_gaps(tx, &device, &officer, &req.gaps, now)).await?))
}

#[derive(Deserialize)]
struct GapQuery {
    year: i32,
}

/// `GET /api/v1/numbers/gaps?year=Y` (审核, 审批, 系统管理员): the voided numbers of the
/// organisations in the caller's scope.
async fn list_gaps(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    Query(q): Query<GapQuery>,
) -> AppResult<Json<GapListing>> {
    if !["reviewer", "approver", "system_admin"].iter().any(|r| who.has_role(r)) {
        return Err(AppError::forbidden("只有审核、审批人员或系统管理员可以查看作废的文书编号"));
    }
    let county = who.scope.county.clone();
    Ok(Json(s.db.tx(move |tx| sync::list_gaps(tx, county.as_deref(), q.year)).await?))
}

/// `POST /api/v1/documents/verify`: is the scanned paper document genuine? Answers
/// `genuine`, `altered` or `unknown`; a document outside the caller's scope, a draft and a
/// missing document all answer `unknown`, byte for byte.
async fn verify_document(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    body: Bytes,
) -> AppResult<Json<DocumentVerifyResponse>> {
    let req: DocumentVerifyRequest = parse_json(&body)?;
    let payload = DocPayload::parse(&req.payload).map_err(|e| AppError::bad_request("BAD_PAYLOAD", e.to_string()))?;
    let id = payload.document_id.clone();
    let found = s.db.tx(move |tx| sync::find_entity(tx, "document", &id)).await?;
    Ok(Json(sync::document_verdict(found.filter(|e| who.can_see(e.county_code.as_deref())), &payload)))
}

fn check_sha(sha: &str) -> AppResult<()> {
    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(AppError::bad_request("BAD_HASH", "附件校验值应为64位小写十六进制"))
    }
}

async fn attachment_status(
    State(s): State<AppState>,
    Authenticated(_): Authenticated,
    Path(sha): Path<String>,
) -> AppResult<Json<AttachmentStatus>> {
    check_sha(&sha)?;
    Ok(Json(s.db.tx(move |tx| sync::attachment_status(tx, &sha)).await?))
}

#[derive(Deserialize)]
struct ChunkQuery {
    offset: u64,
}

async fn attachment_chunk(
    State(s): State<AppState>,
    Authenticated(_): Authenticated,
    Path(sha): Path<String>,
    Query(q): Query<ChunkQuery>,
    body: Bytes,
) -> AppResult<Json<AttachmentStatus>> {
    check_sha(&sha)?;
    let cfg = s.cfg;
    Ok(Json(s.db.tx(move |tx| sync::attachment_chunk(tx, &sha, q.offset, &body, &cfg)).await?))
}

async fn attachment_complete(
    State(s): State<AppState>,
    Authenticated(_): Authenticated,
    Path(sha): Path<String>,
) -> AppResult<Json<AttachmentStatus>> {
    check_sha(&sha)?;
    // The hash check must be committed even when it fails (the bad bytes are discarded).
    let r = s.db.run(move |c| {
        let mut failure = None;
        let ok = c.tx(|tx| match sync::attachment_complete(tx, &sha) {
            Ok(st) => Ok(Some(st)),
            Err(e) => {
                failure = Some(e);
                Ok(None)
            }
        })?;
        match (ok, failure) {
            (Some(st), _) => Ok(st),
            (None, Some(e)) => Err(e),
            (None, None) => Err(AppError::not_found()),
        }
    });
    Ok(Json(r.await?))
}

async fn attachment_content(
    State(s): State<AppState>,
    Authenticated(_): Authenticated,
    Path(sha): Path<String>,
) -> AppResult<(StatusCode, Vec<u8>)> {
    check_sha(&sha)?;
    Ok((StatusCode::OK, s.db.tx(move |tx| sync::attachment_bytes(tx, &sha)).await?))
}

#[derive(Deserialize)]
struct PurgeRequest {
    older_than_days: u32,
}

/// `POST /api/v1/admin/purge-tombstones` (系统管理员 of the city): drops tombstones older
/// than the retention horizon; tablets behind it resync in full.
async fn purge_tombstones(
    State(s): State<AppState>,
    Authenticated(who): Authenticated,
    body: Bytes,
) -> AppResult<Json<serde_json::Value>> {
    let req: PurgeRequest = parse_json(&body)?;
    if !(who.has_role("system_admin") && who.scope.is_city_wide()) {
        return Err(AppError::forbidden("只有市局系统管理员可以清理删除记录"));
    }
    if req.older_than_days < 30 {
        return Err(AppError::bad_request("HORIZON_TOO_SHORT", "删除记录至少保留30天，以免离线平板丢失同步"));
    }
    let cutoff = s.now().saturating_sub(u64::from(req.older_than_days) * 86_400_000);
    let n = s.db.tx(move |tx| sync::purge_tombstones(tx, cutoff)).await?;
    Ok(Json(serde_json::json!({ "purged": n })))
}

/// Login bodies go through the same JSON error format as everything else.
pub(crate) fn login_body(body: &[u8]) -> AppResult<LoginRequest> {
    parse_json(body)
}

/// Refresh bodies.
pub(crate) fn refresh_body(body: &[u8]) -> AppResult<RefreshRequest> {
    parse_json(body)
}

/// Revoke bodies.
pub(crate) fn revoke_body(body: &[u8]) -> AppResult<RevokeRequest> {
    parse_json(body)
}

/// Response type of login/refresh.
pub(crate) type LoginJson = Json<LoginResponse>;
