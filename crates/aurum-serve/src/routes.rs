//! Routes, limits and the OpenAPI document.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query as QueryExtract, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::{ApiError, AppState, Backend, Limits, Query, ReportRequest, RunRequest, assets};

/// The OpenAPI 3.1 document of the API, served at `/api/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The application: the API under `/api/`, the dashboard at `/`, its files under `/assets/`.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.limits.body_bytes;
    Router::new()
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .route("/api/series", get(series))
        .route("/api/series/{id}/bars", get(bars))
        .route("/api/events", get(events).post(add_event))
        .route("/api/study", get(study))
        .route("/api/gpr/regress", get(gpr))
        .route("/api/vol/fit", get(vol_fit))
        .route("/api/scenarios/example", get(example))
        .route("/api/scenarios/run", axum::routing::post(run_scenario))
        .route("/api/runs", get(runs))
        .route("/api/runs/{id}", get(run))
        .route("/api/report", axum::routing::post(report))
        .route("/", get(index))
        .route("/assets/{*path}", get(asset))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Runs `f` on the blocking pool within the time limit; heavy work first takes a permit, so
/// only a few run at once.
async fn call<F>(state: Arc<AppState>, heavy: bool, f: F) -> Response
where
    F: FnOnce(&dyn Backend) -> Result<Value, ApiError> + Send + 'static,
{
    let limits = state.limits;
    let work = async move {
        let _permit = if heavy {
            Some(
                state
                    .heavy
                    .acquire()
                    .await
                    .map_err(|_| ApiError::new(503, "the server is shutting down"))?,
            )
        } else {
            None
        };
        let backend = Arc::clone(&state.backend);
        tokio::task::spawn_blocking(move || f(backend.as_ref()))
            .await
            .map_err(|e| ApiError::new(500, format!("the request failed: {e}")))?
    };
    match tokio::time::timeout(limits.timeout, work).await {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => ApiError::new(
            503,
            format!(
                "the request took longer than the limit of {} s; ask for less (fewer paths, a shorter window)",
                limits.timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

/// A JSON body, or the reason it cannot be read as a JSON error naming the limit.
fn body<T>(state: &AppState, b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            413,
            format!(
                "the request body is larger than the limit of {} bytes",
                state.limits.body_bytes
            ),
        ),
        s => ApiError::new(s.as_u16(), e.body_text()),
    })
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn series(State(s): State<Arc<AppState>>) -> Response {
    call(s, false, |b| b.series()).await
}

async fn bars(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
    QueryExtract(q): QueryExtract<Query>,
) -> Response {
    call(s, false, move |b| b.bars(&id, &q)).await
}

async fn events(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    call(s, false, move |b| b.events(&q)).await
}

async fn add_event(
    State(s): State<Arc<AppState>>,
    b: Result<Json<Value>, JsonRejection>,
) -> Response {
    let v = match body(&s, b) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let mut r = call(s, false, move |b| b.add_event(&v)).await;
    if r.status() == StatusCode::OK {
        *r.status_mut() = StatusCode::CREATED;
    }
    r
}

async fn study(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    call(s, true, move |b| b.study(&q)).await
}

async fn gpr(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    call(s, true, move |b| b.gpr(&q)).await
}

async fn vol_fit(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    call(s, true, move |b| b.vol_fit(&q)).await
}

async fn example(State(s): State<Arc<AppState>>) -> Response {
    call(s, false, |b| b.example()).await
}

/// Refuses a simulation larger than the limits before any work starts.
fn check_size(l: &Limits, paths: usize, days: usize) -> Result<(), ApiError> {
    if paths == 0 || paths > l.max_paths {
        return Err(ApiError {
            status: 413,
            error: format!("paths {paths}: the limit is 1 to {} paths", l.max_paths),
            field: Some("paths".into()),
        });
    }
    let steps = paths as u64 * days as u64;
    if steps > l.max_steps {
        return Err(ApiError {
            status: 413,
            error: format!(
                "{paths} paths × {days} trading days = {steps} steps; the limit is {} (use fewer paths or a nearer horizon)",
                l.max_steps
            ),
            field: Some("paths".into()),
        });
    }
    Ok(())
}

/// Heavy work on a JSON body: `f` gets the backend, the limits and the body.
async fn heavy_json<T, F>(s: Arc<AppState>, b: Result<Json<T>, JsonRejection>, f: F) -> Response
where
    T: Send + 'static,
    F: FnOnce(&dyn Backend, &Limits, T) -> Result<Value, ApiError> + Send + 'static,
{
    let req = match body(&s, b) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let limits = s.limits;
    call(s, true, move |b| f(b, &limits, req)).await
}

async fn run_scenario(
    State(s): State<Arc<AppState>>,
    b: Result<Json<RunRequest>, JsonRejection>,
) -> Response {
    heavy_json(s, b, |b, limits, req| {
        let (days, _) = b.scenario_size(&req.toml, req.as_of.as_deref())?;
        check_size(limits, req.paths, days)?;
        b.run_scenario(&req)
    })
    .await
}

async fn runs(State(s): State<Arc<AppState>>) -> Response {
    call(s, false, |b| b.runs()).await
}

async fn run(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return ApiError::bad("id", format!("{id:?} is not a run id (a number)")).into_response();
    };
    call(s, false, move |b| b.run(id)).await
}

async fn report(
    State(s): State<Arc<AppState>>,
    b: Result<Json<ReportRequest>, JsonRejection>,
) -> Response {
    heavy_json(s, b, |b, limits, req| {
        let (days, scenarios) = b.scenario_size(&req.toml, None)?;
        // A report runs the tree once per scenario more (its contribution), and once without
        // any: count those days too.
        check_size(limits, req.paths, days * (scenarios + 2))?;
        b.report(&req)
    })
    .await
}

async fn index() -> Html<&'static str> {
    Html(assets::INDEX)
}

async fn asset(Path(path): Path<String>) -> Response {
    match assets::FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, kind, bytes)) => (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *bytes,
        )
            .into_response(),
        None => ApiError::not_found(format!("no asset {path:?}")).into_response(),
    }
}

async fn not_found(uri: axum::http::Uri) -> Response {
    ApiError::not_found(format!("no such resource: {}", uri.path())).into_response()
}
