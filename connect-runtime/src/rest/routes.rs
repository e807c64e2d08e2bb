//! Routes and handlers (Apache's `RootResource`, `ConnectorsResource`,
//! `ConnectorPluginsResource`, `LoggingResource`), each annotated for the OpenAPI description
//! served at `GET /openapi.json`, which is generated from these annotations and the router, so
//! it lists exactly the routes served.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{empty, json_errors, ErrorMessage};
use super::loggers::{self, LoggerLevel};
use super::RestError;
use crate::herder::{
    ConfigInfos, ConnectorInfo, ConnectorOffsets, ConnectorStateInfo, Herder, Message,
    NullableProps, PluginInfo, TaskInfo, TaskState,
};
use crate::worker::TargetState;

type AppState = Arc<dyn Herder>;
type RestResult<T> = Result<T, RestError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kafka Connect REST API",
        description = "The REST API of a Kafka Connect worker, compatible with Apache Kafka Connect 4.x."
    ),
    components(schemas(ErrorMessage))
)]
struct ApiDoc;

/// The REST routes over a herder, with `GET /openapi.json` describing them.
pub fn router(herder: Arc<dyn Herder>) -> Router {
    router_with_client(herder, reqwest::Client::new())
}

/// [`router`], forwarding requests to other workers with `client`.
pub(super) fn router_with_client(herder: Arc<dyn Herder>, client: reqwest::Client) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(server_info))
        .routes(routes!(health))
        .routes(routes!(metrics))
        .routes(routes!(list_connectors, create_connector))
        .routes(routes!(get_connector, delete_connector))
        .routes(routes!(get_config, put_config, patch_config))
        .routes(routes!(get_status))
        .routes(routes!(restart_connector))
        .routes(routes!(pause_connector))
        .routes(routes!(resume_connector))
        .routes(routes!(stop_connector))
        .routes(routes!(get_tasks))
        .routes(routes!(get_tasks_config))
        .routes(routes!(get_task_status))
        .routes(routes!(restart_task))
        .routes(routes!(get_topics))
        .routes(routes!(reset_topics))
        .routes(routes!(get_offsets, alter_offsets, reset_offsets))
        .routes(routes!(list_plugins))
        .routes(routes!(plugin_config))
        .routes(routes!(validate_config))
        .routes(routes!(list_loggers))
        .routes(routes!(get_logger, set_logger))
        // Internal inter-worker endpoints, left out of the OpenAPI description as in Apache.
        .route("/connectors/{name}/tasks", post(put_task_configs))
        .route("/connectors/{name}/fence", put(fence_zombies))
        .split_for_parts();
    let spec = Arc::new(api.to_pretty_json().unwrap_or_else(|_| "{}".to_owned()));
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let spec = spec.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        spec.as_str().to_owned(),
                    )
                }
            }),
        )
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            client,
            super::forward::forward,
        ))
        .layer(axum::middleware::from_fn_with_state(
            REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(axum::middleware::map_response(json_errors))
        .with_state(herder)
}

/// How long a request that needs the herder may take (Apache's
/// `DEFAULT_REST_REQUEST_TIMEOUT_MS`) before it is answered with a 500.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// Answers `500 Request timed out` for a request still unanswered after `limit`, as Apache
/// does, instead of holding the client forever behind a connector stuck in its plugin code.
/// `GET /`, `/health` (which has its own 10 s) and the loggers never wait for the herder.
async fn request_timeout(
    State(limit): State<Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    if path == "/" || path == "/health" || path.starts_with("/admin/") {
        return next.run(request).await;
    }
    // On its own task: a request that times out still completes (as in Apache, where the
    // herder carries on), so no herder operation is ever left half done by a client's timeout;
    // a panic in plugin code fails the request, not the server.
    let handling = tokio::spawn(next.run(request));
    match tokio::time::timeout(limit, handling).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => {
            tracing::error!("REST request handling failed: {e}");
            RestError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
        }
        Err(_) => RestError::from(crate::herder::HerderError::Timeout).into_response(),
    }
}

async fn not_found() -> RestError {
    RestError::http(StatusCode::NOT_FOUND)
}

/// Parses a JSON body: `415` unless the content type is JSON, `400` naming the problem if it
/// is not valid JSON of the expected shape (Apache answers 500 here; see docs/rest-api.md).
fn parse_json<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> RestResult<T> {
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !json_type {
        return Err(RestError::http(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(RestError::bad_request(
            "Request body is empty; a JSON body is required",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| RestError::bad_request(format!("Cannot deserialize request body: {e}")))
}

/// A `{string: string}` config body; numbers and booleans become strings (as Jackson does),
/// `null` stays `None`, objects and arrays are refused.
fn config_body(value: Value) -> RestResult<NullableProps> {
    let Value::Object(map) = value else {
        return Err(RestError::bad_request(
            "Cannot deserialize request body: expected a JSON object of configuration keys to string values",
        ));
    };
    map.into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Null => None,
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => {
                    return Err(RestError::bad_request(format!(
                        "Cannot deserialize request body: the value of configuration key '{k}' must be a string"
                    )))
                }
            };
            Ok((k, v))
        })
        .collect()
}

/// Rejects `null` values for create/update with the same ConfigInfos-based 400 as Apache.
async fn non_null_config(
    h: &AppState,
    config: NullableProps,
) -> RestResult<HashMap<String, String>> {
    if config.values().any(Option::is_none) {
        let infos = h.validate_connector_config(config).await?;
        return Err(RestError::bad_request(
            crate::herder::validation::invalid_config_message(&infos),
        ));
    }
    Ok(config
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect())
}

fn query_pairs(q: Option<String>) -> Vec<(String, String)> {
    q.map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(&q).unwrap_or_default())
        .unwrap_or_default()
}

/// `Boolean.valueOf`: only a case-insensitive `true` is true.
fn query_flag(pairs: &[(String, String)], name: &str) -> bool {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .is_some_and(|(_, v)| v.eq_ignore_ascii_case("true"))
}

/// Characters a JAX-RS `UriBuilder.path` escapes (`/` is kept).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn location(headers: &HeaderMap, name: &str) -> String {
    let path = format!("/connectors/{}", utf8_percent_encode(name, PATH));
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("http://{host}{path}"),
        None => path,
    }
}

fn created(headers: &HeaderMap, name: &str, info: ConnectorInfo) -> Response {
    let mut r = (StatusCode::CREATED, Json(info)).into_response();
    if let Ok(v) = location(headers, name).parse() {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn name_mismatch(in_body: &str, in_path: &str) -> RestError {
    RestError::bad_request(format!(
        "Connector name configuration ({in_body}) doesn't match connector name in the URL ({in_path})"
    ))
}

/// `GET /`: ServerInfo.
#[derive(Debug, Serialize, ToSchema)]
struct ServerInfo {
    /// This worker's version (not Apache's).
    version: String,
    /// The commit it was built from.
    commit: String,
    kafka_cluster_id: String,
    /// The Apache Kafka release whose Connect REST API and formats it implements (ours).
    apache_kafka_version: String,
}

#[utoipa::path(get, path = "/", tag = "root", responses((status = 200, body = ServerInfo)))]
async fn server_info(State(h): State<AppState>) -> Json<ServerInfo> {
    Json(ServerInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        commit: env!("CONNECT_GIT_COMMIT").to_owned(),
        kafka_cluster_id: h.kafka_cluster_id(),
        apache_kafka_version: env!("CONNECT_APACHE_KAFKA_VERSION").to_owned(),
    })
}

/// `GET /metrics`: Apache's Connect metrics in the Prometheus text format (ours; Apache
/// exposes them over JMX).
#[utoipa::path(get, path = "/metrics", tag = "root", responses(
    (status = 200, body = String, content_type = "text/plain; version=0.0.4", description = "the metrics"),
))]
async fn metrics(State(h): State<AppState>) -> Response {
    let text = super::metrics::text(&*h).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// `GET /health`: WorkerStatus.
#[derive(Debug, Serialize, ToSchema)]
struct WorkerStatus {
    status: String,
    message: String,
}

#[utoipa::path(get, path = "/health", tag = "root", responses(
    (status = 200, body = WorkerStatus, description = "healthy"),
    (status = 503, body = WorkerStatus, description = "still starting"),
    (status = 500, body = WorkerStatus, description = "unhealthy"),
))]
async fn health(State(h): State<AppState>) -> Response {
    health_within(&*h, HEALTH_CHECK_TIMEOUT).await
}

/// How long `/health` waits for the herder (Apache's `HEALTH_CHECK_TIMEOUT_MS`).
const HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// Apache's `RootResource.healthCheck`: healthy if the herder answers in time; otherwise
/// starting (503) while it has not finished starting, unhealthy (500) after.
async fn health_within(h: &dyn Herder, timeout: Duration) -> Response {
    if tokio::time::timeout(timeout, h.ready()).await.is_ok() {
        return Json(WorkerStatus {
            status: "healthy".to_owned(),
            message: "Worker has completed startup and is ready to handle requests.".to_owned(),
        })
        .into_response();
    }
    let (code, status, message) = if h.is_ready() {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "unhealthy",
            "Worker was unable to handle this request and may be unable to handle other requests.",
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting",
            "Worker is still starting up.",
        )
    };
    (
        code,
        Json(WorkerStatus {
            status: status.to_owned(),
            message: message.to_owned(),
        }),
    )
        .into_response()
}

#[utoipa::path(get, path = "/connectors", tag = "connectors",
    params(("expand" = Option<Vec<String>>, Query, description = "`status` and/or `info`")),
    responses((status = 200, description = "names, or name → {status, info} with expand", body = Object)))]
async fn list_connectors(State(h): State<AppState>, RawQuery(q): RawQuery) -> Json<Value> {
    let names = h.connectors().await;
    let pairs = query_pairs(q);
    let expand: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "expand")
        .map(|(_, v)| v.as_str())
        .collect();
    if expand.is_empty() {
        return Json(serde_json::json!(names));
    }
    let mut out = Map::new();
    for name in names {
        let mut entry = Map::new();
        if expand.contains(&"status") {
            match h.connector_status(&name).await {
                Ok(s) => {
                    entry.insert("status".into(), serde_json::json!(s));
                }
                // A connector without a status record yet is left out, as in Apache.
                Err(_) => continue,
            }
        }
        if expand.contains(&"info") {
            let info = h.connector_info(&name).await.ok();
            entry.insert("info".into(), serde_json::json!(info));
        }
        out.insert(name, Value::Object(entry));
    }
    Json(Value::Object(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateConnectorRequest {
    name: Option<String>,
    config: Option<Value>,
    initial_state: Option<String>,
}

/// `POST /connectors` body.
#[derive(ToSchema)]
#[allow(dead_code)]
struct CreateConnectorBody {
    name: String,
    config: HashMap<String, String>,
    /// `RUNNING`, `PAUSED` or `STOPPED` (case-insensitive).
    initial_state: Option<String>,
}

fn parse_initial_state(s: Option<&str>) -> RestResult<Option<TargetState>> {
    match s.map(str::to_ascii_uppercase).as_deref() {
        None => Ok(None),
        Some("RUNNING") => Ok(Some(TargetState::Started)),
        Some("PAUSED") => Ok(Some(TargetState::Paused)),
        Some("STOPPED") => Ok(Some(TargetState::Stopped)),
        Some(_) => Err(RestError::bad_request(format!(
            "Cannot deserialize request body: initial_state must be one of RUNNING, PAUSED, STOPPED, not {}",
            s.unwrap_or_default()
        ))),
    }
}

/// Java's `String.trim()`.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

#[utoipa::path(post, path = "/connectors", tag = "connectors",
    request_body = CreateConnectorBody,
    responses(
        (status = 201, body = ConnectorInfo, headers(("Location" = String))),
        (status = 400, body = ErrorMessage), (status = 409, body = ErrorMessage)))]
async fn create_connector(
    State(h): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult<Response> {
    let req: CreateConnectorRequest = parse_json(&headers, &body)?;
    let name = java_trim(req.name.as_deref().unwrap_or_default()).to_owned();
    let config = req.config.ok_or_else(|| {
        RestError::bad_request("Cannot deserialize request body: missing field `config`")
    })?;
    let mut config = config_body(config)?;
    match config.get("name") {
        Some(Some(n)) if n != &name => return Err(name_mismatch(n, &name)),
        Some(None) => {}
        _ => {
            config.insert("name".into(), Some(name.clone()));
        }
    }
    let initial = parse_initial_state(req.initial_state.as_deref())?;
    let config = non_null_config(&h, config).await?;
    let (_, info) = h
        .put_connector_config(&name, config, false, initial)
        .await?;
    Ok(created(&headers, &name, info))
}

#[utoipa::path(get, path = "/connectors/{name}", tag = "connectors",
    params(("name" = String, Path)),
    responses((status = 200, body = ConnectorInfo), (status = 404, body = ErrorMessage)))]
async fn get_connector(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Json<ConnectorInfo>> {
    Ok(Json(h.connector_info(&name).await?))
}

#[utoipa::path(delete, path = "/connectors/{name}", tag = "connectors",
    params(("name" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorMessage)))]
async fn delete_connector(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Response> {
    h.delete_connector(&name).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

#[utoipa::path(get, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path)),
    responses((status = 200, body = HashMap<String, String>), (status = 404, body = ErrorMessage)))]
async fn get_config(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Json<HashMap<String, String>>> {
    Ok(Json(h.connector_config(&name).await?))
}

#[utoipa::path(put, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path)),
    request_body = HashMap<String, String>,
    responses(
        (status = 200, body = ConnectorInfo, description = "updated"),
        (status = 201, body = ConnectorInfo, description = "created", headers(("Location" = String))),
        (status = 400, body = ErrorMessage)))]
async fn put_config(
    State(h): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult<Response> {
    let mut config = config_body(parse_json(&headers, &body)?)?;
    match config.get("name") {
        Some(Some(n)) if n != &name => return Err(name_mismatch(n, &name)),
        Some(None) => {}
        _ => {
            config.insert("name".into(), Some(name.clone()));
        }
    }
    let config = non_null_config(&h, config).await?;
    let (was_created, info) = h.put_connector_config(&name, config, true, None).await?;
    if was_created {
        Ok(created(&headers, &name, info))
    } else {
        Ok(Json(info).into_response())
    }
}

#[utoipa::path(patch, path = "/connectors/{name}/config", tag = "connectors",
    params(("name" = String, Path)),
    request_body(content = HashMap<String, Option<String>>, description = "keys to set; null removes a key"),
    responses((status = 200, body = ConnectorInfo), (status = 400, body = ErrorMessage), (status = 404, body = ErrorMessage)))]
async fn patch_config(
    State(h): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult<Json<ConnectorInfo>> {
    let patch = config_body(parse_json(&headers, &body)?)?;
    Ok(Json(h.patch_connector_config(&name, patch).await?))
}

#[utoipa::path(get, path = "/connectors/{name}/status", tag = "connectors",
    params(("name" = String, Path)),
    responses((status = 200, body = ConnectorStateInfo), (status = 404, body = ErrorMessage)))]
async fn get_status(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Json<ConnectorStateInfo>> {
    Ok(Json(h.connector_status(&name).await?))
}

#[utoipa::path(post, path = "/connectors/{name}/restart", tag = "connectors",
    params(("name" = String, Path),
        ("includeTasks" = Option<bool>, Query), ("onlyFailed" = Option<bool>, Query)),
    responses(
        (status = 202, body = ConnectorStateInfo, description = "with includeTasks or onlyFailed: the restart plan"),
        (status = 204, description = "connector restarted"),
        (status = 404, body = ErrorMessage)))]
async fn restart_connector(
    State(h): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
) -> RestResult<Response> {
    let pairs = query_pairs(q);
    let include_tasks = query_flag(&pairs, "includeTasks");
    let only_failed = query_flag(&pairs, "onlyFailed");
    if include_tasks || only_failed {
        let plan = h
            .restart_connector_and_tasks(&name, include_tasks, only_failed)
            .await?;
        Ok((StatusCode::ACCEPTED, Json(plan)).into_response())
    } else {
        h.restart_connector(&name, false, false).await?;
        Ok(empty(StatusCode::NO_CONTENT))
    }
}

#[utoipa::path(put, path = "/connectors/{name}/pause", tag = "connectors",
    params(("name" = String, Path)),
    responses((status = 202), (status = 404, body = ErrorMessage)))]
async fn pause_connector(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Response> {
    h.pause_connector(&name).await?;
    Ok(empty(StatusCode::ACCEPTED))
}

#[utoipa::path(put, path = "/connectors/{name}/resume", tag = "connectors",
    params(("name" = String, Path)),
    responses((status = 202), (status = 404, body = ErrorMessage)))]
async fn resume_connector(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Response> {
    h.resume_connector(&name).await?;
    Ok(empty(StatusCode::ACCEPTED))
}

#[utoipa::path(put, path = "/connectors/{name}/stop", tag = "connectors",
    params(("name" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorMessage)))]
async fn stop_connector(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Response> {
    h.stop_connector(&name).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

#[utoipa::path(get, path = "/connectors/{name}/tasks", tag = "tasks",
    params(("name" = String, Path)),
    responses((status = 200, body = Vec<TaskInfo>), (status = 404, body = ErrorMessage)))]
async fn get_tasks(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Json<Vec<TaskInfo>>> {
    Ok(Json(h.tasks(&name).await?))
}

#[utoipa::path(get, path = "/connectors/{name}/tasks-config", tag = "tasks",
    params(("name" = String, Path)),
    responses((status = 200, description = "deprecated: task configs by `<connector>-<task>`", body = HashMap<String, HashMap<String, String>>),
        (status = 404, body = ErrorMessage)))]
async fn get_tasks_config(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Json<BTreeMap<String, HashMap<String, String>>>> {
    tracing::warn!("The 'GET /connectors/{{connector}}/tasks-config' endpoint is deprecated and will be removed in the next major release. Please use the 'GET /connectors/{{connector}}/tasks' endpoint instead.");
    let tasks = h.tasks(&name).await?;
    Ok(Json(
        tasks
            .into_iter()
            .map(|t| (format!("{}-{}", t.id.connector, t.id.task), t.config))
            .collect(),
    ))
}

fn task_number(task: &str) -> RestResult<usize> {
    task.parse::<usize>()
        .map_err(|_| RestError::http(StatusCode::NOT_FOUND))
}

#[utoipa::path(get, path = "/connectors/{name}/tasks/{task}/status", tag = "tasks",
    params(("name" = String, Path), ("task" = u32, Path)),
    responses((status = 200, body = TaskState), (status = 404, body = ErrorMessage)))]
async fn get_task_status(
    State(h): State<AppState>,
    Path((name, task)): Path<(String, String)>,
) -> RestResult<Json<TaskState>> {
    let task = task_number(&task)?;
    Ok(Json(h.task_status(&name, task).await?))
}

#[utoipa::path(post, path = "/connectors/{name}/tasks/{task}/restart", tag = "tasks",
    params(("name" = String, Path), ("task" = u32, Path)),
    responses((status = 204), (status = 404, body = ErrorMessage)))]
async fn restart_task(
    State(h): State<AppState>,
    Path((name, task)): Path<(String, String)>,
) -> RestResult<Response> {
    let task = task_number(&task)?;
    h.restart_task(&name, task).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `{"topics": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
struct ActiveTopics {
    topics: Vec<String>,
}

#[utoipa::path(get, path = "/connectors/{name}/topics", tag = "topics",
    params(("name" = String, Path)),
    responses((status = 200, body = HashMap<String, ActiveTopics>), (status = 403, body = ErrorMessage)))]
async fn get_topics(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Json<BTreeMap<String, ActiveTopics>>> {
    if !h.topic_tracking().0 {
        return Err(RestError::new(
            StatusCode::FORBIDDEN,
            "Topic tracking is disabled.",
        ));
    }
    let topics = h.connector_active_topics(&name);
    Ok(Json(BTreeMap::from([(name, ActiveTopics { topics })])))
}

#[utoipa::path(put, path = "/connectors/{name}/topics/reset", tag = "topics",
    params(("name" = String, Path)),
    responses((status = 202), (status = 403, body = ErrorMessage)))]
async fn reset_topics(State(h): State<AppState>, Path(name): Path<String>) -> RestResult<Response> {
    let (enabled, allow_reset) = h.topic_tracking();
    if !enabled {
        return Err(RestError::new(
            StatusCode::FORBIDDEN,
            "Topic tracking is disabled.",
        ));
    }
    if !allow_reset {
        return Err(RestError::new(
            StatusCode::FORBIDDEN,
            "Topic tracking reset is disabled.",
        ));
    }
    h.reset_connector_active_topics(&name);
    Ok(empty(StatusCode::ACCEPTED))
}

#[utoipa::path(get, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path)),
    responses((status = 200, body = ConnectorOffsets), (status = 404, body = ErrorMessage)))]
async fn get_offsets(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Json<ConnectorOffsets>> {
    Ok(Json(h.connector_offsets(&name).await?))
}

#[utoipa::path(patch, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path)),
    request_body = ConnectorOffsets,
    responses((status = 200, body = Message), (status = 400, body = ErrorMessage), (status = 404, body = ErrorMessage)))]
async fn alter_offsets(
    State(h): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult<Json<Message>> {
    let req: ConnectorOffsets = parse_json(&headers, &body)?;
    let offsets = req.offsets.unwrap_or_default();
    if offsets.is_empty() {
        // Apache checks the connector exists first only implicitly; an empty request is a 400.
        h.connector_info(&name).await?;
        return Err(RestError::bad_request(
            "Partitions / offsets need to be provided for an alter offsets request",
        ));
    }
    Ok(Json(h.alter_connector_offsets(&name, offsets).await?))
}

#[utoipa::path(delete, path = "/connectors/{name}/offsets", tag = "offsets",
    params(("name" = String, Path)),
    responses((status = 200, body = Message), (status = 400, body = ErrorMessage), (status = 404, body = ErrorMessage)))]
async fn reset_offsets(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Json<Message>> {
    Ok(Json(h.reset_connector_offsets(&name).await?))
}

/// The internal request a worker sends the leader with a connector's new task
/// configurations, signed when the group uses the `sessioned` protocol.
async fn put_task_configs(
    State(h): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult<Response> {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let signature = header(crate::herder::request_signing::SIGNATURE_HEADER).map(|s| {
        (
            header(crate::herder::request_signing::SIGNATURE_ALGORITHM_HEADER).unwrap_or_default(),
            s,
        )
    });
    h.put_task_configs(&name, &body, signature).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

async fn fence_zombies(
    State(h): State<AppState>,
    Path(name): Path<String>,
) -> RestResult<Response> {
    h.fence_zombies(&name).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

#[utoipa::path(get, path = "/connector-plugins", tag = "plugins",
    params(("connectorsOnly" = Option<bool>, Query, description = "default true")),
    responses((status = 200, body = Vec<PluginInfo>)))]
async fn list_plugins(State(h): State<AppState>, RawQuery(q): RawQuery) -> Json<Vec<PluginInfo>> {
    let pairs = query_pairs(q);
    // Apache's default is true; only an explicit `false` lists every plugin kind.
    let connectors_only = !pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "connectorsOnly")
        .is_some_and(|(_, v)| v.eq_ignore_ascii_case("false"));
    Json(h.plugins(connectors_only))
}

#[utoipa::path(get, path = "/connector-plugins/{plugin}/config", tag = "plugins",
    params(("plugin" = String, Path, description = "class name or alias")),
    responses((status = 200, body = Vec<Object>, description = "ConfigKeyInfo list"), (status = 404, body = ErrorMessage)))]
async fn plugin_config(
    State(h): State<AppState>,
    Path(plugin): Path<String>,
) -> RestResult<Json<Vec<connect_api::config::ConfigKeyInfo>>> {
    Ok(Json(h.connector_plugin_config(&plugin)?))
}

/// Apache's `ConnectorPluginsResource.normalizedPluginName`.
fn normalized(name: &str) -> &str {
    match name.strip_suffix("Connector") {
        Some(s) if !s.is_empty() => s,
        _ => name,
    }
}

#[utoipa::path(put, path = "/connector-plugins/{plugin}/config/validate", tag = "plugins",
    params(("plugin" = String, Path, description = "class name or alias")),
    request_body = HashMap<String, String>,
    responses((status = 200, body = ConfigInfos), (status = 400, body = ErrorMessage)))]
async fn validate_config(
    State(h): State<AppState>,
    Path(plugin): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult<Json<ConfigInfos>> {
    let config = config_body(parse_json(&headers, &body)?)?;
    if let Some(Some(class)) = config.get("connector.class") {
        if !normalized(class).ends_with(normalized(&plugin)) {
            return Err(RestError::bad_request(format!(
                "Included connector type {class} does not match request type {plugin}"
            )));
        }
    }
    Ok(Json(h.validate_connector_config(config).await?))
}

#[utoipa::path(get, path = "/admin/loggers", tag = "admin",
    responses((status = 200, body = HashMap<String, LoggerLevel>)))]
async fn list_loggers() -> Json<BTreeMap<String, LoggerLevel>> {
    Json(loggers::all_levels())
}

#[utoipa::path(get, path = "/admin/loggers/{logger}", tag = "admin",
    params(("logger" = String, Path)),
    responses((status = 200, body = LoggerLevel), (status = 404, body = ErrorMessage)))]
async fn get_logger(Path(logger): Path<String>) -> RestResult<Json<LoggerLevel>> {
    loggers::level(&logger)
        .map(Json)
        .ok_or_else(|| RestError::not_found(format!("Logger {logger} not found.")))
}

/// `PUT /admin/loggers/{logger}` body.
#[derive(Deserialize, ToSchema)]
struct LevelRequest {
    level: Option<Value>,
}

#[utoipa::path(put, path = "/admin/loggers/{logger}", tag = "admin",
    params(("logger" = String, Path), ("scope" = Option<String>, Query, description = "`worker` (default) or `cluster`")),
    request_body = LevelRequest,
    responses((status = 200, body = Vec<String>, description = "loggers changed (scope=worker)"),
        (status = 204, description = "scope=cluster"),
        (status = 400, body = ErrorMessage), (status = 404, body = ErrorMessage)))]
async fn set_logger(
    Path(logger): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> RestResult<Response> {
    let req: LevelRequest = parse_json(&headers, &body)?;
    let level = match req.level {
        Some(Value::String(s)) => s,
        Some(Value::Null) | None => {
            return Err(RestError::bad_request(
                "Desired 'level' parameter was not specified in request.",
            ))
        }
        Some(other) => other.to_string(),
    };
    if !loggers::is_level(&level) {
        return Err(RestError::not_found(format!(
            "invalid log level '{level}'."
        )));
    }
    let pairs = query_pairs(q);
    let cluster = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "scope")
        .is_some_and(|(_, v)| v.eq_ignore_ascii_case("cluster"));
    let changed = loggers::set_level(&logger, &level);
    if cluster {
        Ok(empty(StatusCode::NO_CONTENT))
    } else {
        Ok(Json(changed).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A router whose `/slow` answers after `delay`, behind the timeout with `limit`.
    async fn serve(limit: Duration, delay: Duration) -> String {
        let app = Router::new()
            .route(
                "/slow",
                axum::routing::get(move || async move {
                    tokio::time::sleep(delay).await;
                    "done"
                }),
            )
            .route(
                "/health",
                axum::routing::get(move || async move {
                    tokio::time::sleep(delay).await;
                    "healthy"
                }),
            )
            .route(
                "/panics",
                axum::routing::get(|| async {
                    if std::hint::black_box(true) {
                        panic!("a plugin misbehaved");
                    }
                    "unreachable"
                }),
            )
            .layer(axum::middleware::from_fn_with_state(limit, request_timeout));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn a_request_the_herder_does_not_answer_in_time_gets_apaches_500() {
        let base = serve(Duration::from_millis(100), Duration::from_secs(5)).await;
        let started = std::time::Instant::now();
        let r = reqwest::get(format!("{base}/slow")).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(r.status(), 500);
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error_code": 500, "message": "Request timed out"})
        );
    }

    #[tokio::test]
    async fn health_answers_503_until_the_herder_has_started() {
        let props: std::collections::HashMap<String, String> = [
            ("bootstrap.servers", "127.0.0.1:9"),
            (
                "key.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            (
                "value.converter",
                "org.apache.kafka.connect.storage.StringConverter",
            ),
            ("offset.storage.file.filename", "/nonexistent/offsets"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let worker = Arc::new(crate::worker::Worker::new(
            crate::config::WorkerConfig::parse(props, true).unwrap(),
            Arc::new(connect_api::plugin::PluginRegistry::linked()),
            Arc::new(crate::storage::MemoryOffsetBackingStore::default()),
            "localhost:8083".to_owned(),
        ));
        let herder = crate::herder::StandaloneHerder::new(worker, "cluster".to_owned());
        let body = |r: Response| async move {
            let status = r.status().as_u16();
            let bytes = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        };
        let timeout = Duration::from_millis(100);
        assert_eq!(
            body(health_within(&*herder, timeout).await).await,
            (
                503,
                serde_json::json!({"status": "starting", "message": "Worker is still starting up."})
            )
        );
        herder.start();
        assert_eq!(
            body(health_within(&*herder, timeout).await).await,
            (
                200,
                serde_json::json!({"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
            )
        );
    }

    #[tokio::test]
    async fn answers_in_time_and_health_pass_through() {
        let base = serve(Duration::from_secs(5), Duration::from_millis(10)).await;
        let r = reqwest::get(format!("{base}/slow")).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), "done");
        // A panic answers 500 and leaves the server serving.
        let r = reqwest::get(format!("{base}/panics")).await.unwrap();
        assert_eq!(r.status(), 500);
        let r = reqwest::get(format!("{base}/slow")).await.unwrap();
        assert_eq!(r.status(), 200);
        // `/health` keeps its own deadline.
        let base = serve(Duration::from_millis(10), Duration::from_millis(200)).await;
        let r = reqwest::get(format!("{base}/health")).await.unwrap();
        assert_eq!(r.text().await.unwrap(), "healthy");
    }
}
