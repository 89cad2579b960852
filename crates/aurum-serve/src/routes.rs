//! Routes, limits and the OpenAPI document.

use std::sync::Arc;

use aurum_app::data::{Bars, BarsRequest};
use aurum_app::events::{EventDraft, EventOrigin, EventQuery};
use aurum_app::gpr::{GprComponent, GprRequest};
use aurum_app::rows;
use aurum_app::scenario::{ScenarioRun, Size};
use aurum_app::study::StudyRequest;
use aurum_app::vol::{VolKind, VolSpec};
use aurum_app::{Cancel, Window};
use aurum_core::{Date, Frequency, Lang, SeriesId};
use aurum_events::{Category, Region};
use aurum_risk::Measure;
use aurum_vol::Dist;
use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query as QueryExtract, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::table::{self, Format};
use crate::{
    ApiError, AppState, Backend, CheckRequest, Limits, Query, ReportRequest, RunRequest, assets,
};

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
        .route("/api/scenarios/check", axum::routing::post(check_scenario))
        .route("/api/scenarios/run", axum::routing::post(run_scenario))
        .route("/api/progress/{name}", get(progress))
        .route("/api/runs", get(runs))
        .route("/api/runs/{id}", get(run))
        .route("/api/report", axum::routing::post(report))
        .route("/api/calls", get(calls))
        .route("/api/calls/score", get(score_calls))
        .route("/api/calls/{id}", get(call_detail))
        .route("/api/calls/{id}/publish", axum::routing::post(publish_call))
        .route("/", get(index))
        .route("/assets/{*path}", get(asset))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Runs `f` on the blocking pool within the time limit; heavy work first takes a permit, so
/// only a few run at once. The result is answered as JSON, an error as its JSON error.
async fn call<T, F>(state: Arc<AppState>, heavy: bool, f: F) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(&dyn Backend, &Watch) -> Result<T, ApiError> + Send + 'static,
{
    call_as(state, heavy, None, f, |v| Json(v).into_response()).await
}

/// As [`call`], answered as JSON or, for `format=csv`, as `csv` answers the result (the CSV
/// of its table).
async fn call_table<T, F>(
    state: Arc<AppState>,
    heavy: bool,
    format: Format,
    f: F,
    csv: fn(&T) -> Response,
) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(&dyn Backend, &Watch) -> Result<T, ApiError> + Send + 'static,
{
    call_as(state, heavy, None, f, move |v| match format {
        Format::Json => Json(v).into_response(),
        Format::Csv => csv(&v),
    })
    .await
}

/// As [`call`], the result answered by `respond`.
/// `counts`, when given, follow the work's progress.
async fn call_as<T, F, R>(
    state: Arc<AppState>,
    heavy: bool,
    counts: Option<Arc<Counts>>,
    f: F,
    respond: R,
) -> Response
where
    T: Send + 'static,
    F: FnOnce(&dyn Backend, &Watch) -> Result<T, ApiError> + Send + 'static,
    R: FnOnce(T) -> Response,
{
    let limits = state.limits;
    // Set when the request runs out of time, or when the client goes away before the work
    // ended (the request's future is dropped): the work stops at its next checkpoint and
    // records nothing.
    let cancel = Cancel::default();
    let flag = cancel.clone();
    let mut guard = CancelOnDrop(Some(cancel.clone()));
    let work = async move {
        let permit = if heavy {
            Some(
                Arc::clone(&state.heavy)
                    .acquire_owned()
                    .await
                    .map_err(|_| ApiError::new(503, "the server is shutting down"))?,
            )
        } else {
            None
        };
        let backend = Arc::clone(&state.backend);
        // The permit moves into the work: a request answered for its time limit holds it
        // until the work it started has really ended, so heavy work at once stays bounded.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let watch = Watch(flag, counts);
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                f(backend.as_ref(), &watch)
            })) {
                Ok(out) => out,
                Err(p) if p.is::<Stopped>() => Err(aurum_app::AppError::Cancelled.into()),
                Err(p) => std::panic::resume_unwind(p),
            }
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    };
    let outcome = tokio::time::timeout(limits.timeout, work).await;
    // The work has ended or is cancelled below: dropping the answer now cancels nothing.
    guard.disarm();
    match outcome {
        Ok(Ok(v)) => respond(v),
        Ok(Err(e)) => e.into_response(),
        Err(_) => {
            cancel.cancel();
            ApiError::new(
            503,
            format!(
                "the request took longer than the limit of {} s; ask for less (fewer paths, a shorter window)",
                limits.timeout.as_secs()
            ),
        )
        .with_code("timeout")
        .into_response()
        }
    }
}

/// The progress handed to a request's work. Nobody watches it. Once the request is given
/// up (its time limit passed, its client went away) the work stops at the next point where
/// it asks whether it was given up or reports progress, so that long stretches between the
/// work's own checkpoints (a simulation of many paths reports every block of paths, a
/// backtest every block of origins) end within a block: the work is unwound with
/// [`Stopped`], which `call_as` answers as cancelled work. Nothing is recorded: a run is
/// recorded only after its simulation.
pub(crate) struct Watch(Cancel, Option<Arc<Counts>>);

impl Watch {
    fn stop_if_given_up(&self) {
        if aurum_app::Progress::cancelled(&self.0) {
            std::panic::resume_unwind(Box::new(Stopped));
        }
    }
}

/// The unwinding payload of work stopped by [`Watch`]: not a panic (the panic hook is not
/// called), and caught by `call_as`.
struct Stopped;

impl aurum_app::Progress for Watch {
    fn start(&self, message: &str, len: Option<u64>) {
        self.stop_if_given_up();
        if let Some(c) = &self.1 {
            use std::sync::atomic::Ordering::SeqCst;
            *c.step.lock().unwrap_or_else(|e| e.into_inner()) = message.to_owned();
            c.done.store(0, SeqCst);
            c.len.store(len.unwrap_or(0), SeqCst);
        }
    }
    fn advance(&self, n: u64) {
        self.stop_if_given_up();
        if let Some(c) = &self.1 {
            c.done.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        }
    }
    fn finish(&self) {}
    fn note(&self, _: &str) {}
    fn cancelled(&self) -> bool {
        self.stop_if_given_up();
        false
    }
}

/// How far a followed request's work is: the step it is on, and units of it done and in
/// all (0: not known).
#[derive(Default)]
pub(crate) struct Counts {
    step: std::sync::Mutex<String>,
    done: std::sync::atomic::AtomicU64,
    len: std::sync::atomic::AtomicU64,
}

/// The followed requests running now, by the client's name for them.
#[derive(Default)]
pub(crate) struct Following(std::sync::Mutex<std::collections::HashMap<String, Arc<Counts>>>);

/// A followed request's entry, removed when the request ends (answered or given up).
struct Followed {
    state: Arc<AppState>,
    name: String,
    counts: Arc<Counts>,
}

impl Followed {
    /// Follows a request as `name` (letters, digits, `-` and `_`, at most 64).
    fn new(state: &Arc<AppState>, name: &str) -> Result<Self, ApiError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !ok {
            return Err(ApiError::bad(
                "progress",
                format!("progress {name:?}: expected 1 to 64 letters, digits, - or _"),
            ));
        }
        let counts = Arc::new(Counts::default());
        state
            .progress
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_owned(), Arc::clone(&counts));
        Ok(Self {
            state: Arc::clone(state),
            name: name.to_owned(),
            counts,
        })
    }
}

impl Drop for Followed {
    fn drop(&mut self) {
        let mut map = self
            .state
            .progress
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        // Only this request's entry: a later request may have taken the name.
        if map
            .get(&self.name)
            .is_some_and(|c| Arc::ptr_eq(c, &self.counts))
        {
            map.remove(&self.name);
        }
    }
}

/// `GET /api/progress/{name}`: the step a followed request is on and how far it is, or
/// `running: false` when no request of that name is running (not yet or no longer).
async fn progress(State(s): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    use std::sync::atomic::Ordering::SeqCst;
    let counts = s
        .progress
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&name)
        .cloned();
    let Some(c) = counts else {
        return Json(json!({ "running": false })).into_response();
    };
    let step = c.step.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let (done, len) = (c.done.load(SeqCst), c.len.load(SeqCst));
    let fraction = (len > 0).then(|| (done as f64 / len as f64).min(1.0));
    Json(json!({
        "running": true,
        "step": step,
        "done": done,
        "total": (len > 0).then_some(len),
        "fraction": fraction,
    }))
    .into_response()
}

/// Cancels the work of a request whose future is dropped before the work ended: a client
/// that goes away (a closed tab, an aborted fetch) stops the work it started, not only the
/// answer.
struct CancelOnDrop(Option<Cancel>);

impl CancelOnDrop {
    /// The work's outcome is in: nothing to cancel any more.
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.cancel();
        }
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
        s => {
            let e = ApiError::new(s.as_u16(), e.body_text());
            if s == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                e
            } else {
                e.with_code("invalid_body")
            }
        }
    })
}

/// Parses an optional query parameter with `parse`, naming it when it is bad.
fn param<T>(
    q: &Query,
    key: &str,
    expected: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    match q.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s)
            .map(Some)
            .ok_or_else(|| ApiError::bad(key, format!("{key}={s:?}: expected {expected}"))),
    }
}

fn date(q: &Query, key: &str) -> Result<Option<Date>, ApiError> {
    param(q, key, "a date YYYY-MM-DD", |s| s.parse().ok())
}

/// `from`, `to` and `as_of`.
fn window(q: &Query) -> Result<Window, ApiError> {
    let w = Window {
        from: date(q, "from")?,
        to: date(q, "to")?,
        as_of: date(q, "as_of")?,
    };
    Ok(w.checked()?)
}

fn freq(q: &Query, default: Frequency) -> Result<Frequency, ApiError> {
    Ok(param(q, "freq", "daily, weekly or monthly", |s| s.parse().ok())?.unwrap_or(default))
}

fn series_id(key: &str, s: &str) -> Result<SeriesId, ApiError> {
    SeriesId::new(s).map_err(|e| ApiError::bad(key, e.to_string()))
}

fn gold() -> SeriesId {
    SeriesId::new("gold-usd-lbma-pm").unwrap_or_else(|_| unreachable!("a valid id"))
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn series(State(s): State<Arc<AppState>>) -> Response {
    call(s, false, |b, _| Ok(b.series()?)).await
}

fn bars_request(id: &str, q: &Query) -> Result<BarsRequest, ApiError> {
    Ok(BarsRequest {
        series: series_id("id", id)?,
        freq: freq(q, Frequency::Daily)?,
        window: window(q)?,
    })
}

async fn bars(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
    QueryExtract(q): QueryExtract<Query>,
) -> Response {
    match Format::of(&q).and_then(|f| Ok((f, bars_request(&id, &q)?))) {
        Ok((Format::Csv, req)) => {
            call_as(
                s,
                false,
                None,
                move |b, _| Ok(b.bars(&req)?),
                |bars| table::csv_response(bars_csv(&bars)),
            )
            .await
        }
        Ok((Format::Json, req)) => call(s, false, move |b, _| Ok(b.bars(&req)?)).await,
        Err(e) => e.into_response(),
    }
}

/// Bars as CSV: a header of the JSON fields, in their order, and one row per bar; numbers in
/// their shortest exact form (`3000`, `2927.1`), an absent value as an empty cell.
fn bars_csv(bars: &Bars) -> String {
    use std::fmt::Write as _;
    fn num(out: &mut String, v: Option<f64>) {
        out.push(',');
        if let Some(v) = v {
            let _ = write!(out, "{v}");
        }
    }
    let mut out = String::new();
    match bars {
        Bars::Daily(rows) => {
            out.push_str("date,open,high,low,close,volume\n");
            for r in rows {
                let _ = write!(out, "{}", r.date);
                for v in [r.open, r.high, r.low, Some(r.close), r.volume] {
                    num(&mut out, v);
                }
                out.push('\n');
            }
        }
        Bars::Periods(rows) => {
            out.push_str("date,open,high,low,close,volume,first_date,last_date,days\n");
            for r in rows {
                let _ = write!(out, "{}", r.date);
                for v in [
                    Some(r.open),
                    Some(r.high),
                    Some(r.low),
                    Some(r.close),
                    r.volume,
                ] {
                    num(&mut out, v);
                }
                let _ = writeln!(out, ",{},{},{}", r.first_date, r.last_date, r.days);
            }
        }
    }
    out
}

fn event_query(q: &Query) -> Result<EventQuery, ApiError> {
    let categories = match q.get("category").filter(|c| !c.is_empty()) {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|c| {
                c.trim()
                    .parse::<Category>()
                    .map_err(|e| ApiError::bad("category", e))
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(EventQuery {
        categories,
        window: window(q)?,
        origin: EventOrigin::All,
    })
}

async fn events(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    match Format::of(&q).and_then(|f| Ok((f, event_query(&q)?))) {
        Ok((f, req)) => {
            call_table(
                s,
                false,
                f,
                move |b, _| Ok(b.events(&req)?),
                |v| table::answer(&rows::events(v)),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

/// The body of `POST /api/events`.
#[derive(Debug, Deserialize)]
struct EventBody {
    date: Option<String>,
    title_en: Option<String>,
    title_ja: Option<String>,
    category: Option<String>,
    region: Option<String>,
    #[serde(default)]
    actors: Option<Vec<String>>,
    surprise: Option<bool>,
    source: Option<String>,
    id: Option<String>,
    note: Option<String>,
}

fn event_draft(v: EventBody) -> Result<EventDraft, ApiError> {
    let text = |k: &str, v: Option<String>| -> Result<String, ApiError> {
        v.map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::bad(k, format!("{k}: expected a non-empty text")))
    };
    let date: Date = text("date", v.date)?
        .parse()
        .map_err(|_| ApiError::bad("date", "date: expected a date YYYY-MM-DD"))?;
    Ok(EventDraft {
        date,
        title_en: text("title_en", v.title_en)?,
        title_ja: text("title_ja", v.title_ja)?,
        category: text("category", v.category)?
            .parse()
            .map_err(|e| ApiError::bad("category", e))?,
        region: text("region", v.region)?
            .parse::<Region>()
            .map_err(|e| ApiError::bad("region", e))?,
        actors: v.actors.unwrap_or_default(),
        surprise: v.surprise.unwrap_or(true),
        source: text("source", v.source)?,
        id: v.id,
        announced: None,
        note: v.note,
    })
}

async fn add_event(
    State(s): State<Arc<AppState>>,
    b: Result<Json<serde_json::Value>, JsonRejection>,
) -> Response {
    let draft = body(&s, b).and_then(|v| {
        serde_json::from_value::<EventBody>(v)
            .map_err(|e| ApiError::new(400, format!("the event: {e}")))
            .and_then(event_draft)
    });
    let draft = match draft {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let mut r = call(s, false, move |b, _| Ok(b.add_event(&draft)?)).await;
    if r.status() == StatusCode::OK {
        *r.status_mut() = StatusCode::CREATED;
    }
    r
}

fn study_request(q: &Query) -> Result<StudyRequest, ApiError> {
    let category: Category = q
        .get("category")
        .ok_or_else(|| ApiError::bad("category", "category: give one, e.g. war-outbreak"))?
        .parse()
        .map_err(|e| ApiError::bad("category", e))?;
    // The command line's reading of a window, within the days the dashboard offers.
    let win = match q.get("window") {
        None => (-1, 5),
        Some(s) => match aurum_app::study::parse_window("window", s)? {
            (a, b) if a >= -20 && b <= 60 => (a, b),
            _ => {
                return Err(ApiError::bad(
                    "window",
                    format!("`window` {s:?}: the dashboard's window runs from day -20 to day 60"),
                ));
            }
        },
    };
    if let Some(m) = q.get("model").filter(|m| m.as_str() != "mean") {
        return Err(ApiError::bad(
            "model",
            format!("model={m:?}: the dashboard offers the constant-mean model"),
        ));
    }
    let mut req = StudyRequest::category(gold(), category);
    req.window = win;
    req.dates = window(q)?;
    Ok(req)
}

async fn study(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    match Format::of(&q).and_then(|f| Ok((f, study_request(&q)?))) {
        Ok((f, req)) => {
            call_table(
                s,
                true,
                f,
                move |b, _| Ok(b.study(&req)?),
                |v| table::answer(&rows::study(v)),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

fn gpr_request(q: &Query) -> Result<GprRequest, ApiError> {
    let w = window(q)?;
    Ok(GprRequest {
        series: gold(),
        freq: freq(q, Frequency::Weekly)?,
        measure: param(q, "measure", "level, change, log-change or shock", |m| {
            m.parse().ok()
        })?
        .unwrap_or(Measure::Change),
        component: param(q, "component", "total, threats or acts", |c| c.parse().ok())?
            .unwrap_or(GprComponent::Threats),
        controls: Vec::new(),
        window: Window {
            from: w.from.or(Some(aurum_core::date(1985, 1, 1))),
            ..w
        },
        maxlags: None,
        quantiles: Vec::new(),
        rolling: None,
        lang: Lang::En,
    })
}

async fn gpr(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    match Format::of(&q).and_then(|f| Ok((f, gpr_request(&q)?))) {
        Ok((f, req)) => {
            call_table(
                s,
                true,
                f,
                move |b, _| Ok(b.gpr(&req)?),
                |v| table::answer(&rows::gpr(v)),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

fn vol_spec(q: &Query) -> Result<VolSpec, ApiError> {
    let w = window(q)?;
    let series = series_id(
        "series",
        q.get("series").map_or("gold-usd-lbma-pm", String::as_str),
    )?;
    let kind = match q.get("model").map_or("garch", String::as_str) {
        "garch" => VolKind::Garch,
        "gjr" => VolKind::Gjr,
        "egarch" => VolKind::Egarch,
        m => {
            return Err(ApiError::bad(
                "model",
                format!("{m:?}: expected garch, gjr or egarch"),
            ));
        }
    };
    let dist = match q.get("dist").map_or("t", String::as_str) {
        "normal" => Dist::Normal,
        "t" => Dist::StudentsT,
        "skewt" => Dist::SkewT,
        "ged" => Dist::Ged,
        d => {
            return Err(ApiError::bad(
                "dist",
                format!("{d:?}: expected normal, t, skewt or ged"),
            ));
        }
    };
    let mut spec = VolSpec::new(series, kind, dist);
    spec.starts = aurum_vol::FitOptions::default().starts;
    // Ten years up to as_of unless a start is given.
    spec.window = Window {
        from: w.from.or_else(|| {
            w.as_of
                .and_then(|a| a.checked_sub_months(chrono::Months::new(120)))
        }),
        ..w
    };
    Ok(spec)
}

async fn vol_fit(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    match vol_spec(&q) {
        Ok(spec) => call(s, true, move |b, _| Ok(b.vol_fit(&spec)?)).await,
        Err(e) => e.into_response(),
    }
}

async fn example(State(s): State<Arc<AppState>>) -> Response {
    call(s, false, |b, _| Ok(b.example()?)).await
}

/// An optional `as_of` of a body, named when it is not a date.
fn body_as_of(as_of: Option<&str>) -> Result<Option<Date>, ApiError> {
    match as_of.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(a) => a
            .parse::<Date>()
            .map(Some)
            .map_err(|_| ApiError::bad("as_of", format!("{a:?}: expected a date YYYY-MM-DD"))),
    }
}

async fn check_scenario(
    State(s): State<Arc<AppState>>,
    b: Result<Json<CheckRequest>, JsonRejection>,
) -> Response {
    let req = match body(&s, b) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    call(s, false, move |b, _| {
        let as_of = body_as_of(req.as_of.as_deref())?;
        Ok(b.check_scenario(&req.toml, as_of)?)
    })
    .await
}

/// Refuses a simulation larger than the limits before any work starts: `runs` runs of the
/// tree (contributions and the run without scenarios count), each of `paths` × `days` steps,
/// and each step weighing one per eight targets and scenarios it tracks (at least one).
fn check_size(l: &Limits, paths: usize, size: &Size, runs: usize) -> Result<(), ApiError> {
    if paths == 0 || paths > l.max_paths {
        return Err(ApiError::new(
            413,
            format!("paths {paths}: the limit is 1 to {} paths", l.max_paths),
        )
        .with_field("paths"));
    }
    let weight = (size.targets + size.scenarios).div_ceil(8).max(1);
    let steps = (paths as u64)
        .saturating_mul(size.days as u64)
        .saturating_mul(runs as u64)
        .saturating_mul(weight as u64);
    if steps > l.max_steps {
        let times = if runs > 1 {
            format!(" × {runs} runs")
        } else {
            String::new()
        };
        let heavy = if weight > 1 {
            format!(
                " × {weight} ({} targets and scenarios, per 8)",
                size.targets + size.scenarios
            )
        } else {
            String::new()
        };
        return Err(ApiError::new(
            413,
            format!(
                "{paths} paths × {} trading days{times}{heavy} = {steps} steps; the limit is {} (use fewer paths or a nearer horizon)",
                size.days, l.max_steps
            ),
        )
        .with_field("paths"));
    }
    Ok(())
}

/// Heavy work on a JSON body: `f` gets the backend, the limits and the body.
async fn heavy_json<B, T, F>(s: Arc<AppState>, b: Result<Json<B>, JsonRejection>, f: F) -> Response
where
    B: Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&dyn Backend, &Limits, B, &Watch) -> Result<T, ApiError> + Send + 'static,
{
    let req = match body(&s, b) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let limits = s.limits;
    call(s, true, move |b, cancel| f(b, &limits, req, cancel)).await
}

async fn run_scenario(
    State(s): State<Arc<AppState>>,
    b: Result<Json<RunRequest>, JsonRejection>,
) -> Response {
    let req = match body(&s, b) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    // Followed while the request lives: dropped with it, answered or given up.
    let followed = match req.progress.as_deref().map(|n| Followed::new(&s, n)) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => return e.into_response(),
    };
    let counts = followed.as_ref().map(|f| Arc::clone(&f.counts));
    let limits = s.limits;
    let f = move |b: &dyn Backend, limits: &Limits, req: RunRequest, cancel: &Watch| {
        let as_of = match req.as_of.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(a) => Some(a.parse::<Date>().map_err(|_| {
                ApiError::bad("as_of", format!("{a:?}: expected a date YYYY-MM-DD"))
            })?),
        };
        let size = b.scenario_size(&req.toml, as_of)?;
        // Each contribution runs the tree once more.
        let runs = 1 + if req.contributions { size.scenarios } else { 0 };
        check_size(limits, req.paths, &size, runs)?;
        Ok(b.run_scenario(
            &ScenarioRun {
                name: "scenario".into(),
                text: req.toml,
                as_of,
                paths: req.paths,
                seed: req.seed,
                contributions: req.contributions,
                filing: aurum_app::calls::Filing {
                    label: req.label,
                    publish: req.publish,
                },
            },
            cancel,
        )?)
    };
    let out = call_as(
        s,
        true,
        counts,
        move |b, cancel| f(b, &limits, req, cancel),
        |v| Json(v).into_response(),
    )
    .await;
    drop(followed);
    out
}

/// A run as listed: its record and, when its scenario file has one, its Japanese title.
#[derive(Serialize)]
struct ListedRun {
    #[serde(flatten)]
    run: aurum_store::RunRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_ja: Option<String>,
}

async fn runs(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    let format = match Format::of(&q) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let csv = |v: &Vec<ListedRun>| {
        let rows: Vec<_> = v
            .iter()
            .map(|l| rows::run(&l.run, l.title_ja.as_deref()))
            .collect();
        table::answer(&rows)
    };
    call_table(
        s,
        false,
        format,
        |b, _| {
            let list = b.runs()?;
            let mut ja = b.run_titles_ja(&list)?;
            Ok(list
                .into_iter()
                .map(|run| ListedRun {
                    title_ja: ja.remove(&run.id),
                    run,
                })
                .collect::<Vec<_>>())
        },
        csv,
    )
    .await
}

async fn run(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return ApiError::bad("id", format!("{id:?} is not a run id (a number)")).into_response();
    };
    call(s, false, move |b, _| Ok(b.run(id)?)).await
}

async fn report(
    State(s): State<Arc<AppState>>,
    b: Result<Json<ReportRequest>, JsonRejection>,
) -> Response {
    heavy_json(s, b, |b, limits, req, cancel| {
        let size = b.scenario_size(&req.toml, None)?;
        // A report runs the tree once per scenario more (its contribution), and once without
        // any: count those days too.
        check_size(limits, req.paths, &size, size.scenarios + 2)?;
        let lang: Lang = req
            .lang
            .parse()
            .map_err(|_| ApiError::bad("lang", format!("{:?}: expected en or ja", req.lang)))?;
        let file = aurum_app::scenario::parse("scenario", &req.toml, None)?;
        Ok(b.report(
            &aurum_app::report::ReportRequest {
                name: "scenario".into(),
                file,
                text: req.toml.clone(),
                lang,
                paths: req.paths,
                seed: req.seed,
                weeks: 104,
                track_record_from: None,
                track_record_paths: 100,
                filing: aurum_app::calls::Filing {
                    label: req.label,
                    publish: req.publish,
                },
                link: None,
                yen: false,
                color_blind: false,
            },
            cancel,
        )?)
    })
    .await
}

fn flag(q: &Query, key: &str) -> Result<bool, ApiError> {
    Ok(param(q, key, "true or false", |s| s.parse().ok())?.unwrap_or(false))
}

fn call_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .map_err(|_| ApiError::bad("id", format!("{id:?} is not a call id (a number)")))
}

async fn calls(State(s): State<Arc<AppState>>, QueryExtract(q): QueryExtract<Query>) -> Response {
    let req = (|| -> Result<_, ApiError> {
        Ok((
            Format::of(&q)?,
            aurum_app::calls::ListCalls {
                series: q
                    .get("series")
                    .map(|x| series_id("series", x))
                    .transpose()?,
                published_only: flag(&q, "published")?,
            },
        ))
    })();
    match req {
        Ok((f, req)) => {
            call_table(
                s,
                false,
                f,
                move |b, _| Ok(b.calls(&req)?),
                |v| table::answer(v),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

fn score_request(q: &Query) -> Result<aurum_app::calls::ScoreRequest, ApiError> {
    let ids = match q.get("ids").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|x| {
                call_id(x.trim()).map_err(|_| {
                    ApiError::bad(
                        "ids",
                        format!("ids={list:?}: expected call ids separated by commas"),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(aurum_app::calls::ScoreRequest {
        ids,
        as_of: date(q, "as_of")?,
        drafts: flag(q, "drafts")?,
        series: q
            .get("series")
            .map(|x| series_id("series", x))
            .transpose()?,
    })
}

async fn score_calls(
    State(s): State<Arc<AppState>>,
    QueryExtract(q): QueryExtract<Query>,
) -> Response {
    match Format::of(&q).and_then(|f| Ok((f, score_request(&q)?))) {
        Ok((f, req)) => {
            call_table(
                s,
                false,
                f,
                move |b, _| Ok(b.score_calls(&req)?),
                |v| table::answer(&rows::scores(v)),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

async fn call_detail(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match call_id(&id) {
        Ok(id) => call(s, false, move |b, _| Ok(b.call(id)?)).await,
        Err(e) => e.into_response(),
    }
}

/// The body of `POST /api/calls/{id}/publish`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    label: Option<String>,
}

async fn publish_call(
    State(s): State<Arc<AppState>>,
    Path(id): Path<String>,
    b: Result<Json<PublishBody>, JsonRejection>,
) -> Response {
    let req = call_id(&id).and_then(|id| Ok((id, body(&s, b)?)));
    match req {
        Ok((id, p)) => {
            call(s, false, move |b, _| {
                Ok(b.publish_call(id, p.label.as_deref())?)
            })
            .await
        }
        Err(e) => e.into_response(),
    }
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
