//! The local dashboard of aurum: an HTTP server with a JSON API and the pages that use it.
//!
//! - [`router`] builds the axum application over a [`Backend`] (aurum-app's use cases, typed;
//!   [`StoreBackend`] answers them from a home's store): series, events, event studies, GPR regressions,
//!   volatility fits, scenario checks (with the base rates beside the judged probabilities),
//!   scenario runs, recorded runs and reports, under `/api/`; the OpenAPI
//!   document at `/api/openapi.json`; the dashboard at `/` with its embedded assets.
//! - [`Limits`] keep one request from taking the machine: a body size limit, a per-request
//!   timeout, a cap on simulation size (paths × trading days) and on concurrent heavy work.
//!   Too large a request gets a 4xx JSON error that states the limit.
//! - Errors are JSON: `{"status": 400, "code": "invalid_input", "error": "…", "field":
//!   "probability"}`; `code` (one of [`ERROR_CODES`]) and `field` are stable, `error` is
//!   the technical detail.
//! - Bound to loopback, the server answers only requests whose `Host` is `localhost`,
//!   `127.0.0.1` or `[::1]` with its port (421 otherwise: a page elsewhere that rebinds its
//!   name to 127.0.0.1 is refused) and only its own pages' `Origin` (403 otherwise); every
//!   response carries a content security policy that forbids framing and foreign scripts.
//!
//! HTTP query parsing lives here: the routes turn queries and bodies into aurum-app requests
//! and serialise its results, which are the same documents the command line prints with
//! `--format json`. The backend is synchronous; handlers run it on the blocking pool.
#![deny(missing_docs)]

mod assets;
mod backend;
mod conns;
mod error;
mod guard;
mod routes;
mod table;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aurum_app::data::{Bars, BarsRequest};
use aurum_app::events::{EventDraft, EventQuery, Listed};
use aurum_app::gpr::{GprReport, GprRequest};
use aurum_app::report::Composed;
use aurum_app::scenario::{Checked, Example, RunRecord, RunResult, ScenarioRun, Size};
use aurum_app::study::{StudyReport, StudyRequest};
use aurum_app::vol::{VolFitReport, VolSpec};
use aurum_app::{AppResult, Progress};
use aurum_core::Date;
pub use backend::StoreBackend;
pub use error::{ApiError, CODES as ERROR_CODES};
pub use guard::new_token;
pub use routes::{OPENAPI, router};
use serde::Deserialize;

/// What the server asks of the analyses: aurum-app's use cases, typed. [`StoreBackend`]
/// answers them from a home's store; tests script them.
pub trait Backend: Send + Sync + 'static {
    /// Series in the store.
    fn series(&self) -> AppResult<Vec<aurum_store::SeriesSummary>>;
    /// Bars of one series.
    fn bars(&self, req: &BarsRequest) -> AppResult<Bars>;
    /// Catalog and user events.
    fn events(&self, q: &EventQuery) -> AppResult<Vec<Listed>>;
    /// Adds a user event; answers the stored event.
    fn add_event(&self, draft: &EventDraft) -> AppResult<Listed>;
    /// An event study.
    fn study(&self, req: &StudyRequest) -> AppResult<StudyReport>;
    /// Gold on the GPR index.
    fn gpr(&self, req: &GprRequest) -> AppResult<GprReport>;
    /// A volatility model's fit.
    fn vol_fit(&self, spec: &VolSpec) -> AppResult<VolFitReport>;
    /// The bundled example scenario file, as text and parsed.
    fn example(&self) -> AppResult<Example>;
    /// Checks a scenario file as a run would, with the base rates beside its judged
    /// probabilities.
    fn check_scenario(&self, toml: &str, as_of: Option<Date>) -> AppResult<Checked>;
    /// What a scenario file costs to simulate (for the size limit), or why it is invalid.
    fn scenario_size(&self, toml: &str, as_of: Option<Date>) -> AppResult<Size>;
    /// Runs a scenario file and records the run (not when `progress` is cancelled).
    fn run_scenario(&self, req: &ScenarioRun, progress: &dyn Progress) -> AppResult<RunResult>;
    /// Recorded runs, newest first.
    fn runs(&self) -> AppResult<Vec<aurum_store::RunRecord>>;
    /// The Japanese titles of the listed runs whose scenario file has one (`title_ja`), by
    /// run id.
    fn run_titles_ja(
        &self,
        _runs: &[aurum_store::RunRecord],
    ) -> AppResult<std::collections::HashMap<i64, String>> {
        Ok(std::collections::HashMap::new())
    }
    /// One recorded run with its input and results.
    fn run(&self, id: i64) -> AppResult<RunRecord>;
    /// A report on a scenario file: Markdown, HTML and results.
    fn report(
        &self,
        req: &aurum_app::report::ReportRequest,
        progress: &dyn Progress,
    ) -> AppResult<Composed>;
    /// Recorded calls, by as_of.
    fn calls(
        &self,
        q: &aurum_app::calls::ListCalls,
    ) -> AppResult<Vec<aurum_app::calls::CallSummary>>;
    /// One call with what it printed and its scenarios' outcomes.
    fn call(&self, id: i64) -> AppResult<aurum_app::calls::CallDetail>;
    /// Publishes a call, naming it when a label is given.
    fn publish_call(
        &self,
        id: i64,
        label: Option<&str>,
    ) -> AppResult<aurum_app::calls::CallSummary>;
    /// Calls scored on the prices known now, or as of a date.
    fn score_calls(
        &self,
        req: &aurum_app::calls::ScoreRequest,
    ) -> AppResult<aurum_app::calls::ScoreReport>;
}

/// Query parameters, as strings: the routes parse them into requests and name the one at
/// fault.
pub type Query = std::collections::BTreeMap<String, String>;

/// `POST /api/scenarios/run`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The scenario file's text (TOML).
    pub toml: String,
    /// Monte Carlo paths.
    #[serde(default = "default_paths")]
    pub paths: usize,
    /// Seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Overrides the file's `as_of`.
    pub as_of: Option<String>,
    /// Also run each scenario's contribution (one more simulation per scenario).
    #[serde(default = "default_contributions")]
    pub contributions: bool,
    /// Names the call the run records.
    pub label: Option<String>,
    /// Publishes the call the run records (else it is a draft).
    #[serde(default)]
    pub publish: bool,
    /// A name the client chose (letters, digits, `-` and `_`, at most 64) under which the
    /// run's progress can be followed at `GET /api/progress/{name}` while it runs.
    pub progress: Option<String>,
}

/// `POST /api/scenarios/check`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The scenario file's text (TOML).
    pub toml: String,
    /// Overrides the file's `as_of`.
    pub as_of: Option<String>,
}

/// `POST /api/report`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// The scenario file's text (TOML).
    pub toml: String,
    /// `en` or `ja`.
    #[serde(default = "default_lang")]
    pub lang: String,
    /// Monte Carlo paths.
    #[serde(default = "default_paths")]
    pub paths: usize,
    /// Seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Names the call the report records.
    pub label: Option<String>,
    /// Publishes the call the report records (else it is a draft).
    #[serde(default)]
    pub publish: bool,
}

fn default_paths() -> usize {
    20_000
}

fn default_seed() -> u64 {
    7
}

fn default_contributions() -> bool {
    true
}

fn default_lang() -> String {
    "en".into()
}

/// What one request may cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, bytes.
    pub body_bytes: usize,
    /// Longest a request may run.
    pub timeout: Duration,
    /// Most Monte Carlo paths × trading days one simulation may take.
    pub max_steps: u64,
    /// Most paths in one simulation.
    pub max_paths: usize,
    /// Heavy requests (fits, simulations, reports, studies) running at once; more wait. A
    /// request answered for its time limit keeps its place until its work has ended.
    pub heavy_at_once: usize,
    /// Connections open at once; one beyond is closed at once, so slow clients cannot use
    /// up the process's file descriptors.
    pub connections: usize,
    /// Longest a client may take to send a request's headers (also while a kept-alive
    /// connection waits for its next request) before its connection is closed.
    pub header_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 256 * 1024,
            timeout: Duration::from_secs(60),
            max_steps: 20_000_000,
            max_paths: 200_000,
            heavy_at_once: 2,
            connections: 256,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// State shared by the handlers.
pub struct AppState {
    backend: Arc<dyn Backend>,
    /// The API's bearer token when the server is reachable from the network.
    token: Option<String>,
    limits: Limits,
    heavy: Arc<tokio::sync::Semaphore>,
    /// The progress of running requests that asked to be followed, by the client's name.
    progress: routes::Following,
}

impl AppState {
    /// State over `backend` with `limits`.
    #[must_use]
    pub fn new(backend: Arc<dyn Backend>, limits: Limits) -> Arc<Self> {
        Self::with_token(backend, limits, None)
    }

    /// State whose API, when served off loopback, requires `Authorization: Bearer token`.
    #[must_use]
    pub fn with_token(
        backend: Arc<dyn Backend>,
        limits: Limits,
        token: Option<String>,
    ) -> Arc<Self> {
        Arc::new(Self {
            backend,
            token,
            limits,
            heavy: Arc::new(tokio::sync::Semaphore::new(limits.heavy_at_once.max(1))),
            progress: routes::Following::default(),
        })
    }
}

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves `state` on `listener` until `shutdown` resolves: HTTP/1.1 connections, each with
/// the limits' header timeout, at most the limits' connections at once.
///
/// # Errors
///
/// [`ServeError::Io`] when the server fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let limits = state.limits;
    let guard = guard::Guard::new(listener.local_addr()?, state.token.clone());
    let app = router(state).layer(axum::middleware::from_fn_with_state(guard, guard::guard));
    let conns = Arc::new(conns::Conns::new(limits.connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of descriptors or a connection reset before accept: keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        if !conns.admit() {
            drop(stream);
            continue;
        }
        let conn = Arc::new(conns::ConnState::default());
        conn.last
            .store(conns.now(), std::sync::atomic::Ordering::SeqCst);
        // Each request marks its connection busy while it runs, so that a connection serving
        // a request is never the one making room.
        let service = {
            let (app, conn, conns) = (app.clone(), Arc::clone(&conn), Arc::clone(&conns));
            hyper::service::service_fn(move |req: axum::extract::Request<hyper::body::Incoming>| {
                use std::sync::atomic::Ordering::SeqCst;
                use tower::ServiceExt;
                conn.active.fetch_add(1, SeqCst);
                conn.last.store(conns.now(), SeqCst);
                let (conn, conns) = (Arc::clone(&conn), Arc::clone(&conns));
                let response = app.clone().oneshot(req.map(axum::body::Body::new));
                async move {
                    let r = response.await;
                    conn.last.store(conns.now(), SeqCst);
                    conn.active.fetch_sub(1, SeqCst);
                    r
                }
            })
        };
        let id = conns.reserve();
        let registry = Arc::clone(&conns);
        let task = tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            registry.remove(id);
        });
        conns.insert(id, conn, task.abort_handle());
        // A connection that ended before it was registered removed nothing: remove it now.
        if task.is_finished() {
            conns.remove(id);
        }
    }
}

/// Binds `addr`.
///
/// # Errors
///
/// [`ServeError::Bind`] naming the address.
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}
