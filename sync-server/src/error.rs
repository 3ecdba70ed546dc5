//! The one error type of the HTTP layer: a status, a stable code and a Chinese message.
//!
//! Handlers return `Result<_, AppError>`; the response body is always an
//! [`zhifa_protocol::ErrorBody`]. Internal causes are logged, never sent to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
    /// Internal cause (logged, not sent).
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl AppError {
    /// A client error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), source: None }
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

    /// 500 with a logged cause.
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "INTERNAL",
            message: "服务器内部错误，请稍后重试".into(),
            source: Some(Box::new(e)),
        }
    }

    /// 503: the store is unavailable (the client retries later).
    pub fn unavailable(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "STORE_UNAVAILABLE",
            message: "数据服务暂不可用，请稍后重试".into(),
            source: Some(Box::new(e)),
        }
    }
}

impl From<zhifa_auth::AuthError> for AppError {
    fn from(e: zhifa_auth::AuthError) -> Self {
        let status = match e.code() {
            "AUTH_LOCKED" => StatusCode::TOO_MANY_REQUESTS,
            "AUTH_DEVICE_REVOKED" | "AUTH_BAD_SIGNATURE" => StatusCode::FORBIDDEN,
            "AUTH_PASSWORD_POLICY" => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNAUTHORIZED,
        };
        Self { status, code: e.code(), message: e.to_string(), source: None }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, cause = ?self.source, "request failed");
        }
        let body = ErrorBody { code: self.code.to_owned(), message: self.message };
        (self.status, axum::Json(body)).into_response()
    }
}

/// Result alias of the HTTP layer.
pub type AppResult<T> = Result<T, AppError>;
