//! The one error type of the HTTP layer: a status, a stable code and a Chinese message.
//!
//! Handlers return `Result<_, AppError>`; the response body is always an
//! [`zhifa_protocol::ErrorBody`]. Internal causes are logged, never sent to the client.
//! Answers that axum produces itself (body-limit 413, `Query`/`Path` rejections, 405) are
//! rewritten into the same body by [`ensure_json_errors`], applied as a layer in `app()`.

use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use zhifa_auth::AuthError;
use zhifa_protocol::ErrorBody;

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// Chinese message.
    pub message: String,
    /// Seconds after which trying again can succeed (sent as `Retry-After`).
    pub retry_after_secs: Option<u64>,
    /// Internal cause (logged, not sent).
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl AppError {
    /// A client error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after_secs: None, source: None }
    }

    /// 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404: also the answer for objects outside the caller's scope (indistinguishable).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "对象不存在")
    }

    /// 401.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    /// 413: the request body is larger than the endpoint accepts.
    pub fn too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE", "请求内容超过大小上限")
    }

    /// 500 with a logged cause.
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "INTERNAL",
            message: "服务器内部错误，请稍后重试".into(),
            retry_after_secs: None,
            source: Some(Box::new(e)),
        }
    }

    /// 503: the store is unavailable (the client retries later).
    pub fn unavailable(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "STORE_UNAVAILABLE",
            message: "数据服务暂不可用，请稍后重试".into(),
            retry_after_secs: None,
            source: Some(Box::new(e)),
        }
    }

    /// Adds a `Retry-After` (seconds).
    pub fn with_retry_after(mut self, secs: Option<u64>) -> Self {
        self.retry_after_secs = secs;
        self
    }

    /// The answer for an error status that axum produced without an [`ErrorBody`].
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("BAD_REQUEST", "请求格式不正确，请检查请求参数"),
            401 => ("UNAUTHORIZED", "请先登录"),
            403 => ("FORBIDDEN", "无权执行此操作"),
            404 => return Self::not_found(),
            405 => ("METHOD_NOT_ALLOWED", "不支持该请求方法"),
            408 => ("REQUEST_TIMEOUT", "请求超时，请重试"),
            411 => ("LENGTH_REQUIRED", "请求缺少内容长度"),
            413 => return Self::too_large(),
            414 => ("URI_TOO_LONG", "请求地址过长"),
            415 => ("UNSUPPORTED_MEDIA_TYPE", "不支持该请求内容类型"),
            422 => ("UNPROCESSABLE", "请求内容无法处理"),
            429 => ("TOO_MANY_REQUESTS", "请求过于频繁，请稍后重试"),
            503 => ("UNAVAILABLE", "服务暂不可用，请稍后重试"),
            s if s >= 500 => ("INTERNAL", "服务器内部错误，请稍后重试"),
            _ => ("CLIENT_ERROR", "请求无效"),
        };
        Self::new(status, code, message)
    }
}

impl From<AuthError> for AppError {
    /// The status is [`AuthError::http_status`] (401 credentials and tokens, 403 devices, 423
    /// locked, 400/422 input, 500 faults), with one exception: a bad push signature is 403, not
    /// 401. The session is valid there; 401 would make the tablet drop its tokens and log in
    /// again, which cannot repair a signature.
    fn from(e: AuthError) -> Self {
        let status = match e {
            AuthError::BadSignature => StatusCode::FORBIDDEN,
            _ => StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        };
        let (code, message) = (e.code(), e.to_string());
        // Server-side faults keep their cause for the log (the message is already generic).
        let source: Option<Box<dyn std::error::Error + Send + Sync>> =
            if status.is_server_error() { Some(Box::new(e)) } else { None };
        Self { status, code, message, retry_after_secs: None, source }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, cause = ?self.source, "request failed");
        }
        let body = ErrorBody { code: self.code.to_owned(), message: self.message };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            resp.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"))
}

/// Rewrites every error answer that is not JSON into an [`ErrorBody`] (status kept, code
/// from [`AppError::for_status`], other headers such as `Allow` kept). Success answers and
/// JSON error answers pass through untouched.
///
/// Use with `axum::middleware::map_response(error::ensure_json_errors)` as the outermost
/// layer of the router, so axum's own rejections (plain-text 400 from `Query`/`Path`, 413
/// from `DefaultBodyLimit`, empty 405) reach clients in the documented format.
pub async fn ensure_json_errors(resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(resp.headers()) {
        return resp;
    }
    let (parts, _) = resp.into_parts();
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), "non-JSON server error answer rewritten");
    }
    let mut out = AppError::for_status(status).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// Result alias of the HTTP layer.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::{Body, Bytes};
    use axum::extract::{DefaultBodyLimit, Query};
    use axum::http::Request;
    use axum::routing::{get, post};
    use tower::ServiceExt as _;

    use super::*;

    #[test]
    fn auth_errors_take_the_library_status_except_bad_signature() {
        let cases = [
            (AuthError::BadCredentials, 401),
            (AuthError::Locked { until_ms: 1 }, 423),
            (AuthError::TokenExpired, 401),
            (AuthError::TokenInvalid, 401),
            (AuthError::RefreshReused { family_id: "f".into() }, 401),
            (AuthError::DeviceRevoked, 403),
            (AuthError::DeviceUnknown, 403),
            (AuthError::BadSignature, 403),
            (AuthError::BadPublicKey, 400),
            (AuthError::Rng { source: ring::error::Unspecified }, 500),
        ];
        for (e, status) in cases {
            let code = e.code();
            let a = AppError::from(e);
            assert_eq!((a.status.as_u16(), a.code), (status, code));
            assert_eq!(a.source.is_some(), status >= 500, "{code}: only faults keep a cause");
        }
    }

    async fn answer(app: Router, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let resp = app.oneshot(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        (parts.status, parts.headers, axum::body::to_bytes(body, usize::MAX).await.unwrap())
    }

    #[derive(serde::Deserialize)]
    struct Q {
        #[serde(rename = "n")]
        _n: u32,
    }

    #[tokio::test]
    async fn axum_rejections_become_error_bodies() {
        let app = Router::new()
            .route("/q", get(|_: Query<Q>| async { "ok" }))
            .route("/b", post(|b: Bytes| async move { b.len().to_string() }))
            .route("/e", get(|| async { AppError::new(StatusCode::CONFLICT, "OWN", "自己的错误") }))
            .layer(DefaultBodyLimit::max(16))
            .layer(axum::middleware::map_response(ensure_json_errors));
        let get_req = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
        let cases = [
            (get_req("/q?n=x"), 400, "BAD_REQUEST"),
            (get_req("/q"), 400, "BAD_REQUEST"),
            (Request::post("/b").body(Body::from(vec![b'x'; 17])).unwrap(), 413, "BODY_TOO_LARGE"),
            (Request::delete("/q").body(Body::empty()).unwrap(), 405, "METHOD_NOT_ALLOWED"),
            (get_req("/nowhere"), 404, "NOT_FOUND"),
            (get_req("/e"), 409, "OWN"),
        ];
        for (req, status, code) in cases {
            let uri = req.uri().clone();
            let (st, headers, body) = answer(app.clone(), req).await;
            assert_eq!(st.as_u16(), status, "{uri}");
            assert!(is_json(&headers), "{uri}: {headers:?}");
            let e: ErrorBody = serde_json::from_slice(&body).unwrap();
            assert_eq!(e.code, code, "{uri}");
            if status == 405 {
                assert!(headers.contains_key("allow"), "405 keeps its Allow header");
            }
        }
        // Successes are untouched.
        let (st, headers, body) = answer(app.clone(), get_req("/q?n=1")).await;
        assert_eq!((st, &body[..]), (StatusCode::OK, &b"ok"[..]));
        assert!(!is_json(&headers));
    }

    #[test]
    fn retry_after_header() {
        let resp = AppError::from(AuthError::Locked { until_ms: 5 }).with_retry_after(Some(42)).into_response();
        assert_eq!(resp.status().as_u16(), 423);
        assert_eq!(resp.headers()[RETRY_AFTER], "42");
    }
}
