//! What the REST server puts around the API on each listener, as Apache's Jetty filters and
//! REST extensions do: basic authentication (`BasicAuthSecurityRestExtension`'s
//! `JaasBasicAuthFilter`), CORS (`CrossOriginFilter`), response headers (`HeaderFilter`), and
//! which paths a listener serves when `admin.listeners` splits them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;

use crate::config::rest_security::{Cors, HeaderAction, HeaderRule, RestSecurity};

/// Which paths a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// Everything.
    All,
    /// Everything but `/admin` (it has listeners of its own, or is disabled).
    Api,
    /// Only `/admin` (an `admin.listeners` entry).
    Admin,
}

fn is_admin(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

async fn scope(State(scope): State<Scope>, request: Request, next: Next) -> Response {
    let admin = is_admin(request.uri().path());
    let served = match scope {
        Scope::All => true,
        Scope::Api => !admin,
        Scope::Admin => admin,
    };
    if served {
        next.run(request).await
    } else {
        super::RestError::http(StatusCode::NOT_FOUND).into_response()
    }
}

/// Apache's internal inter-worker requests, which are not authenticated.
fn is_internal(method: &Method, path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(
        (method, parts.as_slice()),
        (&Method::POST, ["connectors", name, "tasks"]) | (&Method::PUT, ["connectors", name, "fence"])
            if !name.is_empty()
    )
}

/// Whether `authorization` carries one of `credentials` (any, when there are none).
fn authenticated(credentials: &BTreeMap<String, String>, authorization: Option<&str>) -> bool {
    if credentials.is_empty() {
        return true;
    }
    let Some((scheme, encoded)) = authorization.and_then(|a| a.split_once(' ')) else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    let Some((user, password)) = decoded.split_once(':') else {
        return false;
    };
    credentials.get(user).is_some_and(|p| p == password)
}

async fn basic_auth(
    State(credentials): State<Arc<BTreeMap<String, String>>>,
    request: Request,
    next: Next,
) -> Response {
    if is_internal(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if authenticated(&credentials, authorization) {
        next.run(request).await
    } else {
        tracing::debug!("Request failed authentication");
        // Apache's body; it sends no challenge either.
        (StatusCode::UNAUTHORIZED, "User cannot access the resource.").into_response()
    }
}

async fn response_headers(
    State(rules): State<Arc<Vec<HeaderRule>>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for rule in rules.iter() {
        let Ok(name) = HeaderName::from_bytes(rule.name.as_bytes()) else {
            continue;
        };
        let value = match rule.action {
            HeaderAction::Set | HeaderAction::Add => HeaderValue::from_str(&rule.value).ok(),
            HeaderAction::SetDate | HeaderAction::AddDate => {
                let offset: i64 = rule.value.parse().unwrap_or(0);
                let now = SystemTime::now();
                let at = if offset >= 0 {
                    now.checked_add(Duration::from_millis(offset.unsigned_abs()))
                } else {
                    now.checked_sub(Duration::from_millis(offset.unsigned_abs()))
                };
                at.and_then(|t| HeaderValue::from_str(&httpdate::fmt_http_date(t)).ok())
            }
        };
        let Some(value) = value else { continue };
        match rule.action {
            HeaderAction::Set | HeaderAction::SetDate => {
                headers.insert(name, value);
            }
            HeaderAction::Add | HeaderAction::AddDate => {
                headers.append(name, value);
            }
        }
    }
    response
}

fn cors_layer(cors: &Cors) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origin = if cors.origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            cors.origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    let methods: Vec<Method> = cors
        .methods
        .iter()
        .filter_map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
        .collect();
    // Jetty's CrossOriginFilter's default allowed headers.
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods(methods)
        .allow_headers([
            HeaderName::from_static("x-requested-with"),
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ORIGIN,
        ])
        .max_age(Duration::from_secs(1800))
}

/// `api` as one listener serves it: its scope, and, except on admin listeners (as Apache's
/// admin context has none of them), CORS, the response headers and authentication.
pub(super) fn wrap(api: Router, security: &RestSecurity, listener: Scope) -> Router {
    let mut router = api;
    if listener != Scope::Admin {
        if let Some(credentials) = &security.basic_auth {
            router = router.layer(axum::middleware::from_fn_with_state(
                Arc::new(credentials.clone()),
                basic_auth,
            ));
        }
        if !security.response_headers.is_empty() {
            router = router.layer(axum::middleware::from_fn_with_state(
                Arc::new(security.response_headers.clone()),
                response_headers,
            ));
        }
        if let Some(cors) = &security.cors {
            router = router.layer(cors_layer(cors));
        }
    }
    if listener != Scope::All {
        router = router.layer(axum::middleware::from_fn_with_state(listener, scope));
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_requests_are_apaches_two() {
        assert!(is_internal(&Method::POST, "/connectors/a/tasks"));
        assert!(is_internal(&Method::POST, "/connectors/a/tasks/"));
        assert!(is_internal(&Method::PUT, "/connectors/a/fence"));
        assert!(!is_internal(&Method::GET, "/connectors/a/tasks"));
        assert!(!is_internal(&Method::POST, "/connectors/a/restart"));
        assert!(!is_internal(&Method::POST, "/connectors"));
    }

    #[test]
    fn credentials_are_checked_as_the_property_file_module_does() {
        let creds: BTreeMap<String, String> = [("alice".to_owned(), "s3cret".to_owned())].into();
        let basic = |s: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s)
            )
        };
        assert!(authenticated(&creds, Some(&basic("alice:s3cret"))));
        assert!(authenticated(
            &creds,
            Some(&basic("alice:s3cret"))
                .map(|s| s.replace("Basic", "basic"))
                .as_deref()
        ));
        assert!(!authenticated(&creds, Some(&basic("alice:wrong"))));
        assert!(!authenticated(&creds, Some(&basic("bob:s3cret"))));
        assert!(!authenticated(&creds, None));
        assert!(!authenticated(&creds, Some("Bearer abc")));
        // An empty credentials file lets everyone in, as Apache's.
        assert!(authenticated(&BTreeMap::new(), None));
    }
}
