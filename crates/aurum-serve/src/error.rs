use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered as JSON:
/// `{"status": 400, "code": "invalid_input", "error": "…", "field": "…"}`.
///
/// `code` is stable (pages and scripts may branch on it and word the error themselves, in
/// the user's language); `error` is the technical detail, in English, and may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{status}: {error}")]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// What kind of error, one of [`CODES`].
    pub code: &'static str,
    /// What is wrong, for people.
    pub error: String,
    /// The query parameter or body field at fault, when there is one.
    pub field: Option<String>,
}

/// Every error `code` the API answers, as documented in `openapi.json`.
pub const CODES: &[&str] = &[
    "invalid_input",
    "invalid_body",
    "too_large",
    "not_found",
    "conflict",
    "unauthorized",
    "forbidden",
    "wrong_host",
    "method_not_allowed",
    "unsupported_media_type",
    "timeout",
    "cancelled",
    "unavailable",
    "internal",
];

/// The code of an error with `status` that has no more particular one.
fn code_of(status: u16) -> &'static str {
    match status {
        400 | 422 => "invalid_input",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "too_large",
        415 => "unsupported_media_type",
        421 => "wrong_host",
        503 => "unavailable",
        _ => "internal",
    }
}

impl ApiError {
    /// A 400 naming `field`.
    #[must_use]
    pub fn bad(field: &str, error: impl Into<String>) -> Self {
        Self {
            status: 400,
            code: "invalid_input",
            error: error.into(),
            field: Some(field.to_owned()),
        }
    }

    /// An error with `status`, the code of that status and no field.
    #[must_use]
    pub fn new(status: u16, error: impl Into<String>) -> Self {
        Self {
            status,
            code: code_of(status),
            error: error.into(),
            field: None,
        }
    }

    /// The same error with a more particular `code` (one of [`CODES`]).
    #[must_use]
    pub fn with_code(mut self, code: &'static str) -> Self {
        debug_assert!(CODES.contains(&code), "{code}");
        self.code = code;
        self
    }

    /// The same error naming `field`.
    #[must_use]
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// A 404.
    #[must_use]
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(404, what)
    }
}

impl From<aurum_app::AppError> for ApiError {
    /// Each kind of application error maps to one status: bad input 400, not found 404,
    /// conflict 409, the store and internal failures 500.
    fn from(e: aurum_app::AppError) -> Self {
        use aurum_app::ErrorKind;
        let status = match e.kind() {
            ErrorKind::BadInput => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Cancelled => 503,
            ErrorKind::Store | ErrorKind::Internal => 500,
        };
        if status == 500 {
            return Self::internal(&e);
        }
        let code = match e.kind() {
            ErrorKind::Cancelled => "cancelled",
            _ => code_of(status),
        };
        Self {
            status,
            code,
            field: e.field().map(str::to_owned),
            error: e.to_string(),
        }
    }
}

impl ApiError {
    /// A 500 that says only an error id: what went wrong (a path, a panic's text) goes to
    /// the server's log, its standard error, under the same id.
    #[must_use]
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        // The server's log is its standard error; the client gets the id only.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("aurum serve: error {id}: {detail}");
        }
        Self::new(
            500,
            format!("internal error {id}; the server's log has the details under this number"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self)).into_response()
    }
}
