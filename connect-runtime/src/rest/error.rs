//! REST errors: one type, rendered as Connect's `{"error_code": …, "message": …}` body
//! (Apache's `ErrorMessage` and `ConnectExceptionMapper`).

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::herder::HerderError;

/// An error answer.
#[derive(Debug)]
pub struct RestError {
    status: StatusCode,
    message: String,
    /// Where the request should go instead (see `rest::forward`).
    forward: Option<String>,
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorMessage {
    /// The HTTP status.
    pub error_code: u16,
    /// What went wrong.
    pub message: String,
}

impl RestError {
    /// An error with a status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> RestError {
        RestError {
            status,
            message: message.into(),
            forward: None,
        }
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> RestError {
        RestError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> RestError {
        RestError::new(StatusCode::NOT_FOUND, message)
    }

    /// Jersey's default text for a status: `HTTP 405 Method Not Allowed`.
    pub fn http(status: StatusCode) -> RestError {
        RestError::new(
            status,
            format!(
                "HTTP {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            ),
        )
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<HerderError> for RestError {
    fn from(e: HerderError) -> RestError {
        let status = match &e {
            HerderError::NotFound(_) => StatusCode::NOT_FOUND,
            HerderError::AlreadyExists(_)
            | HerderError::RebalanceNeeded
            | HerderError::NoKnownLeader
            | HerderError::Conflict
            | HerderError::Forward(_) => StatusCode::CONFLICT,
            HerderError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HerderError::Forbidden(_) => StatusCode::FORBIDDEN,
            HerderError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            HerderError::Timeout | HerderError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let forward = match &e {
            HerderError::Forward(url) => Some(url.clone()),
            _ => None,
        };
        RestError {
            status,
            message: e.to_string(),
            forward,
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let body = ErrorMessage {
            error_code: self.status.as_u16(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(url) = self.forward {
            response
                .extensions_mut()
                .insert(super::forward::ForwardTo(url));
        }
        response
    }
}

/// Middleware: every error answer that is not already JSON (axum's own 405, 413, 415 and
/// extractor rejections) becomes an `ErrorMessage`, as Jersey's exception mapper does.
pub(crate) async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let mut out = RestError::http(status).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

/// An empty answer with a status (202/204).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn herder_errors_answer_with_apaches_codes_and_messages() {
        for (e, code, message) in [
            (HerderError::NotFound("Connector a not found".into()), 404, "Connector a not found"),
            (HerderError::AlreadyExists("Connector a already exists".into()), 409, "Connector a already exists"),
            (HerderError::RebalanceNeeded, 409, "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"),
            (HerderError::NoKnownLeader, 409, "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."),
            (HerderError::Conflict, 409, "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"),
            (HerderError::Timeout, 500, "Request timed out"),
            (HerderError::BadRequest("bad".into()), 400, "bad"),
        ] {
            let r = RestError::from(e);
            assert_eq!((r.status().as_u16(), r.message()), (code, message));
        }
    }
}
