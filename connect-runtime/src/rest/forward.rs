//! Forwarding (Apache's `HerderRequestHandler`): a request this worker cannot handle, because
//! only the group leader or the worker running a connector can, is sent on to that worker
//! with the same method, path and body, and its answer returned as this worker's.
//!
//! The first hop adds `forward=true` to the query; a worker receiving `forward=true` that must
//! forward again sends `forward=false`; one receiving `forward=false` answers 409. So a
//! request takes at most two hops, even while workers disagree about who leads.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::RestError;
use crate::herder::request_signing::{SIGNATURE_ALGORITHM_HEADER, SIGNATURE_HEADER};
use crate::herder::HerderError;

/// Set on an error response whose request must go to another worker, at this base URL.
#[derive(Debug, Clone)]
pub(crate) struct ForwardTo(pub String);

/// The largest request body forwarded.
const MAX_BODY: usize = 32 << 20;

/// Headers copied onto a forwarded request. Apache copies only `Authorization`, which loses
/// the signature of an internal request forwarded twice; these are copied as well.
const COPIED: &[&str] = &[
    "authorization",
    SIGNATURE_HEADER,
    SIGNATURE_ALGORITHM_HEADER,
    "content-type",
];

/// The query of a forwarded request: `forward=true` on the first hop, `forward=false` on the
/// second; `None` when the request was already forwarded twice.
fn next_query(query: Option<&str>) -> Option<String> {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
    let hop = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "forward")
        .map(|(_, v)| v.eq_ignore_ascii_case("true"));
    let next = match hop {
        None => "true",
        Some(true) => "false",
        Some(false) => return None,
    };
    pairs.retain(|(k, _)| k != "forward");
    pairs.push(("forward".to_owned(), next.to_owned()));
    serde_urlencoded::to_string(&pairs).ok()
}

/// The middleware: runs the request here, and forwards it when the answer says so.
pub(crate) async fn forward(
    State(client): State<reqwest::Client>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return RestError::http(StatusCode::PAYLOAD_TOO_LARGE).into_response(),
    };
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let headers = parts.headers.clone();
    let response = next
        .run(Request::from_parts(parts, Body::from(body.clone())))
        .await;
    let Some(ForwardTo(base)) = response.extensions().get::<ForwardTo>().cloned() else {
        return response;
    };
    let Some(query) = next_query(query.as_deref()) else {
        return RestError::from(HerderError::Conflict).into_response();
    };
    let url = format!("{}{path}?{query}", base.trim_end_matches('/'));
    tracing::debug!("Forwarding {method} {path} to {url}");
    match send(&client, method, &url, &headers, body).await {
        Ok(r) => r,
        Err(e) => RestError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("IO Error trying to forward REST request: {e}"),
        )
        .into_response(),
    }
}

async fn send(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, reqwest::Error> {
    let mut request = client.request(method, url).body(body);
    for name in COPIED {
        if let Some(v) = headers.get(*name) {
            request = request.header(*name, v.clone());
        }
    }
    let answer = request.send().await?;
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    let bytes = answer.bytes().await?;
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        content_type.unwrap_or(HeaderValue::from_static("application/json")),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_two_hops() {
        assert_eq!(next_query(None).as_deref(), Some("forward=true"));
        assert_eq!(
            next_query(Some("includeTasks=true")).as_deref(),
            Some("includeTasks=true&forward=true")
        );
        assert_eq!(
            next_query(Some("forward=true")).as_deref(),
            Some("forward=false")
        );
        assert_eq!(next_query(Some("forward=false")), None);
    }
}
