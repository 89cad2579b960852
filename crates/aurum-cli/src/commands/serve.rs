//! `aurum serve`: the dashboard and its JSON API over this home's store.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use aurum_core::{Date, Frequency, SeriesId, resample};
use aurum_events::{Category, Event, EventFilter, Region, slug_id, valid_id};
use aurum_eventstudy::{Model, OverlapPolicy};
use aurum_serve::{ApiError, AppState, Backend, Limits, Query, ReportRequest, RunRequest};
use aurum_store::{BarQuery, Store};
use aurum_vol::{Dist, FitOptions, Mean, Simulator};
use serde_json::{Value, json};

use crate::args::{
    BenchServeArgs, OutputFormat, ReportArgs, ServeArgs, StudyArgs, VolKind, VolModelArgs, Window,
};
use crate::commands::events::taken;
use crate::commands::gpr;
use crate::commands::scenario::{prepare, record, run_all};
use crate::context::{Context, now};

/// The example scenario file shipped with aurum.
const EXAMPLE: &str = include_str!("../../../../examples/us-nato-exit-2025-02-18.toml");

pub fn run(ctx: &Context, a: &ServeArgs) -> Result<()> {
    // Seed now, so that the first request does not wait for it.
    drop(ctx.open_store()?);
    if !a.addr.ip().is_loopback() {
        ctx.note(&format!(
            "warning: listening on {}, which other machines can reach; aurum has no authentication",
            a.addr
        ));
    }
    let limits = Limits {
        max_paths: a.max_paths,
        max_steps: a.max_steps,
        timeout: std::time::Duration::from_secs(a.timeout_secs),
        ..Limits::default()
    };
    let backend = Arc::new(StoreBackend::new(ctx.home.clone()));
    let state = AppState::new(backend, limits);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = aurum_serve::bind(a.addr).await?;
        let addr: SocketAddr = listener.local_addr()?;
        // The address goes to stdout (tests and scripts read it), even with --quiet.
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "aurum serving http://{addr}/")?;
            out.flush()?;
        }
        aurum_serve::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        Ok::<(), anyhow::Error>(())
    })
}

/// The analyses over the store in a home. Each request takes a connection from a small pool
/// (SQLite in WAL mode: readers do not block each other).
pub struct StoreBackend {
    ctx: Context,
    pool: Mutex<Vec<Store>>,
    /// The series list, under the data stamp it was computed at.
    series_cache: Mutex<Option<(String, Value)>>,
    /// The bundled catalog, parsed once.
    bundled: std::sync::OnceLock<Vec<Event>>,
}

impl StoreBackend {
    /// A backend over the store in `home`.
    #[must_use]
    pub fn new(home: PathBuf) -> Self {
        Self {
            ctx: Context { home, quiet: true },
            pool: Mutex::new(Vec::new()),
            series_cache: Mutex::new(None),
            bundled: std::sync::OnceLock::new(),
        }
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let taken = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut store = match taken {
            Some(s) => s,
            None => self.ctx.open_store().map_err(internal)?,
        };
        let out = f(&mut store);
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < 8 {
            pool.push(store);
        }
        out
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(500, format!("{e:#}"))
}

/// An error of the analyses: a bad request unless it is the store's.
fn analysis(e: &anyhow::Error) -> ApiError {
    if e.downcast_ref::<aurum_store::StoreError>()
        .is_some_and(|s| !matches!(s, aurum_store::StoreError::UnknownSeries(_)))
    {
        return internal(e);
    }
    ApiError::new(400, format!("{e:#}"))
}

fn date(q: &Query, key: &str) -> Result<Option<Date>, ApiError> {
    q.get(key)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<Date>()
                .map_err(|_| ApiError::bad(key, format!("{key}={s:?}: expected a date YYYY-MM-DD")))
        })
        .transpose()
}

fn window(q: &Query) -> Result<Window, ApiError> {
    let w = Window {
        from: date(q, "from")?,
        to: date(q, "to")?,
        as_of: date(q, "as_of")?,
    };
    if let (Some(f), Some(t)) = (w.from, w.to)
        && f > t
    {
        return Err(ApiError::bad("from", format!("from {f} is after to {t}")));
    }
    Ok(w)
}

fn parse_scenario(toml: &str, as_of: Option<&str>) -> Result<aurum_sim::ScenarioFile, ApiError> {
    let mut f = aurum_sim::parse("scenario", toml).map_err(|e| match &e {
        aurum_sim::SimError::Field { field, .. } => ApiError::bad(field, e.to_string()),
        _ => ApiError::bad("toml", e.to_string()),
    })?;
    if let Some(s) = as_of {
        let d: Date = s
            .parse()
            .map_err(|_| ApiError::bad("as_of", format!("{s:?}: expected a date YYYY-MM-DD")))?;
        f.set_as_of(d)
            .map_err(|e| ApiError::bad("as_of", e.to_string()))?;
    }
    Ok(f)
}

impl Backend for StoreBackend {
    fn series(&self) -> Result<Value, ApiError> {
        self.with_store(|s| {
            // Counting every series' rows takes a scan; do it again only after data changed.
            let stamp = s.data_stamp().map_err(internal)?;
            let mut cache = self.series_cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, v)) = cache.as_ref()
                && *at == stamp
            {
                return Ok(v.clone());
            }
            let v = serde_json::to_value(s.list().map_err(internal)?).map_err(internal)?;
            *cache = Some((stamp, v.clone()));
            Ok(v)
        })
    }

    fn bars(&self, id: &str, q: &Query) -> Result<Value, ApiError> {
        let id = SeriesId::new(id).map_err(|e| ApiError::bad("id", e.to_string()))?;
        let freq: Frequency = match q.get("freq").map(String::as_str) {
            None | Some("") => Frequency::Daily,
            Some(f) => f.parse().map_err(|_| {
                ApiError::bad("freq", format!("{f:?}: expected daily, weekly or monthly"))
            })?,
        };
        let w = window(q)?;
        self.with_store(|s| {
            let bars = s
                .bars(&id, &BarQuery { from: w.from, to: w.to, as_of: w.as_of })
                .map_err(|e| match e {
                    aurum_store::StoreError::UnknownSeries(_) => {
                        ApiError::not_found(format!("no series {id} (see /api/series)"))
                    }
                    e => internal(e),
                })?;
            let rows: Vec<Value> = if freq == Frequency::Daily {
                bars.iter()
                    .map(|b| json!({ "date": b.date, "open": b.open, "high": b.high, "low": b.low, "close": b.close }))
                    .collect()
            } else {
                resample(&bars, freq)
                    .iter()
                    .map(|b| json!({ "date": b.period_end, "open": b.open, "high": b.high, "low": b.low, "close": b.close }))
                    .collect()
            };
            Ok(Value::Array(rows))
        })
    }

    fn events(&self, q: &Query) -> Result<Value, ApiError> {
        let w = window(q)?;
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
        let filter = EventFilter {
            categories,
            from: w.from,
            to: w.to,
            as_of: w.as_of,
            ..EventFilter::default()
        };
        let bundled = match self.bundled.get() {
            Some(b) => b,
            None => {
                let parsed = aurum_events::bundled().map_err(internal)?;
                self.bundled.get_or_init(|| parsed)
            }
        };
        self.with_store(|s| {
            let user = s.user_events().map_err(internal)?;
            let mut rows: Vec<(&Event, &str)> = bundled
                .iter()
                .map(|e| (e, "bundled"))
                .chain(user.iter().map(|e| (e, "user")))
                .filter(|(e, _)| filter.matches(e))
                .collect();
            rows.sort_by(|a, b| a.0.date.cmp(&b.0.date).then_with(|| a.0.id.cmp(&b.0.id)));
            let rows: Vec<Value> = rows
                .into_iter()
                .map(|(e, origin)| {
                    let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
                    v["origin"] = json!(origin);
                    v
                })
                .collect();
            Ok(Value::Array(rows))
        })
    }

    fn add_event(&self, body: &Value) -> Result<Value, ApiError> {
        let text = |k: &str| -> Result<String, ApiError> {
            body.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| ApiError::bad(k, format!("{k}: expected a non-empty text")))
        };
        let day: Date = text("date")?
            .parse()
            .map_err(|_| ApiError::bad("date", "date: expected a date YYYY-MM-DD"))?;
        let title_en = text("title_en")?;
        let category: Category = text("category")?
            .parse()
            .map_err(|e| ApiError::bad("category", e))?;
        let region: Region = text("region")?
            .parse()
            .map_err(|e| ApiError::bad("region", e))?;
        let id = match body
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            Some(id) => id.to_owned(),
            None => slug_id(day, &title_en),
        };
        if !valid_id(&id) {
            return Err(ApiError::bad(
                "id",
                format!("{id:?}: expected a kebab-case id such as 2025-02-14-vance-munich"),
            ));
        }
        let actors = match body.get("actors") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(|s| s.trim().to_owned())
                        .ok_or_else(|| ApiError::bad("actors", "actors: expected a list of texts"))
                })
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect(),
            Some(_) => return Err(ApiError::bad("actors", "actors: expected a list of texts")),
        };
        let surprise = match body.get("surprise") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(ApiError::bad(
                    "surprise",
                    "surprise: expected true or false",
                ));
            }
        };
        let event = Event {
            id: id.clone(),
            date: day,
            title_en,
            title_ja: text("title_ja")?,
            category,
            region,
            actors,
            surprise,
            source: text("source")?,
            announced: None,
            note: body.get("note").and_then(Value::as_str).map(str::to_owned),
        };
        self.with_store(|s| {
            if let Some(owner) = taken(s).map_err(internal)?.get(&id) {
                return Err(ApiError {
                    status: 409,
                    error: format!("event id {id:?} is already used by {owner}"),
                    field: Some("id".into()),
                });
            }
            s.add_events(std::slice::from_ref(&event), now()).map_err(internal)?;
            Ok(json!({ "origin": "user", "id": event.id, "date": event.date, "title_en": event.title_en, "title_ja": event.title_ja, "category": event.category, "region": event.region, "actors": event.actors, "surprise": event.surprise, "source": event.source }))
        })
    }

    fn study(&self, q: &Query) -> Result<Value, ApiError> {
        let w = window(q)?;
        let category: Category = q
            .get("category")
            .ok_or_else(|| ApiError::bad("category", "category: give one, e.g. war-outbreak"))?
            .parse()
            .map_err(|e| ApiError::bad("category", e))?;
        let win = match q.get("window") {
            None => (-1, 5),
            Some(s) => {
                let parts: Vec<Result<i32, _>> =
                    s.split(',').map(|x| x.trim().parse::<i32>()).collect();
                match parts.as_slice() {
                    [Ok(a), Ok(b)] if a <= b && *a >= -20 && *b <= 60 => (*a, *b),
                    _ => {
                        return Err(ApiError::bad(
                            "window",
                            format!("window={s:?}: expected two days like -1,5 (from -20 to 60)"),
                        ));
                    }
                }
            }
        };
        let model = match q.get("model").map(String::as_str) {
            None | Some("mean") => Model::Mean,
            Some(m) => {
                return Err(ApiError::bad(
                    "model",
                    format!("model={m:?}: the dashboard offers the constant-mean model"),
                ));
            }
        };
        let args = StudyArgs {
            series: SeriesId::new("gold-usd-lbma-pm").map_err(internal)?,
            category: vec![category],
            events: Vec::new(),
            window: format!("{},{}", win.0, win.1),
            estimation: "-250,-11".into(),
            model,
            benchmark: Vec::new(),
            overlap: OverlapPolicy::Flag,
            dates: w,
            plot: None,
            lang: aurum_core::Lang::En,
            format: None,
        };
        let report = crate::commands::study::compute(&self.ctx, &args).map_err(|e| analysis(&e))?;
        let Some(st) = report.groups.into_iter().next().map(|g| g.study) else {
            return Err(internal("the study returned no group"));
        };
        let Some(agg) = &st.aggregate else {
            return Err(ApiError::bad(
                "category",
                format!("no {category} event can be measured in this window"),
            ));
        };
        let path: Vec<Value> = agg
            .caar_path
            .iter()
            .zip(&agg.caar_path_se)
            .enumerate()
            .map(|(i, (c, se))| json!({ "day": win.0 + i as i32, "caar_pct": c * 100.0, "lo_pct": (c - 1.96 * se) * 100.0, "hi_pct": (c + 1.96 * se) * 100.0 }))
            .collect();
        let events: Vec<Value> = st.events.iter().map(|e| json!({ "id": e.id, "date": e.event_date, "day0": e.day0, "car_pct": e.car * 100.0 })).collect();
        Ok(
            json!({ "category": category, "window": [win.0, win.1], "n": agg.n, "caar_pct": agg.caar * 100.0, "t": agg.t_cs, "p": agg.p_cs, "path": path, "events": events, "skipped": st.skipped.len() }),
        )
    }

    fn gpr(&self, q: &Query) -> Result<Value, ApiError> {
        let w = window(q)?;
        let freq: Frequency = q.get("freq").map_or(Ok(Frequency::Weekly), |f| {
            f.parse().map_err(|_| {
                ApiError::bad("freq", format!("{f:?}: expected daily, weekly or monthly"))
            })
        })?;
        let measure: aurum_risk::Measure =
            q.get("measure")
                .map_or(Ok(aurum_risk::Measure::Change), |m| {
                    m.parse().map_err(|_| {
                        ApiError::bad(
                            "measure",
                            format!("{m:?}: expected level, change, log-change or shock"),
                        )
                    })
                })?;
        let component = q.get("component").map_or("threats", String::as_str);
        let component = <crate::args::GprComponent as clap::ValueEnum>::from_str(component, true)
            .map_err(|_| {
            ApiError::bad(
                "component",
                format!("{component:?}: expected total, threats or acts"),
            )
        })?;
        let from = w.from.or_else(|| Date::from_ymd_opt(1985, 1, 1));
        let gold = SeriesId::new("gold-usd-lbma-pm").map_err(internal)?;
        self.with_store(|s| {
            let win = Window { from, ..w };
            // The series are fixed here: what the data refuses is the measure.
            let (id, d) = gpr::design(s, &gold, freq, measure, component, &win, &[]).map_err(|e| {
                let mut err = analysis(&e);
                if err.status == 400 {
                    err.field = Some("measure".into());
                }
                err
            })?;
            let ols = aurum_risk::ols_hac(&d, None).map_err(|e| ApiError::new(400, e.to_string()))?;
            let (_, effect, lo, hi) = gpr::effect(&ols, measure, component, aurum_core::Lang::En);
            let per = if measure == aurum_risk::Measure::LogChange { "10% rise" } else { "100 points" };
            Ok(json!({ "series": id.to_string(), "n": ols.n, "beta": ols.beta[1], "se": ols.se[1], "t": ols.t[1], "p": ols.p[1], "r2": ols.r2, "effect_pct": effect, "ci_low_pct": lo, "ci_high_pct": hi, "per": per }))
        })
    }

    fn vol_fit(&self, q: &Query) -> Result<Value, ApiError> {
        let w = window(q)?;
        let series = SeriesId::new(q.get("series").map_or("gold-usd-lbma-pm", String::as_str))
            .map_err(|e| ApiError::bad("series", e.to_string()))?;
        let model = match q.get("model").map_or("garch", String::as_str) {
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
        // Ten years up to as_of unless a start is given.
        let from = w.from.or_else(|| {
            w.as_of
                .and_then(|a| a.checked_sub_months(chrono::Months::new(120)))
        });
        let args = VolModelArgs {
            series,
            model,
            dist,
            mean: Mean::Constant,
            p: 1,
            o: None,
            q: 1,
            scale: 100.0,
            starts: FitOptions::default().starts,
            window: Window { from, ..w },
        };
        let f = crate::commands::vol::fit(&self.ctx, &args).map_err(|e| analysis(&e))?;
        let sim = Simulator::new(&f.model, &f.fit, &f.returns.values)
            .map_err(|e| ApiError::new(400, e.to_string()))?;
        let now = sim.next_variance(&sim.initial_state());
        let mut v = crate::commands::vol::fit_json(&f);
        v["vol_now_pct"] = json!((252.0 * now).sqrt());
        v["converged"] = json!(f.fit.termination.converged);
        Ok(v)
    }

    fn example(&self) -> Result<Value, ApiError> {
        let f =
            aurum_sim::parse("examples/us-nato-exit-2025-02-18.toml", EXAMPLE).map_err(internal)?;
        Ok(json!({ "name": "us-nato-exit-2025-02-18.toml", "toml": EXAMPLE, "file": f }))
    }

    fn scenario_size(&self, toml: &str, as_of: Option<&str>) -> Result<(usize, usize), ApiError> {
        let f = parse_scenario(toml, as_of)?;
        Ok((
            aurum_sim::trading_days(f.as_of, f.horizon).len(),
            f.scenarios.len(),
        ))
    }

    fn run_scenario(&self, req: &RunRequest) -> Result<Value, ApiError> {
        let f = parse_scenario(&req.toml, req.as_of.as_deref())?;
        self.with_store(|s| {
            let p = prepare(&self.ctx, s, &f).map_err(|e| analysis(&e))?;
            let (results, _) = run_all(&self.ctx, &p.setup, req.paths, req.seed, false)
                .map_err(|e| analysis(&e))?;
            let (mut doc, id) = record(s, &f, &req.toml, &p, &results, &[], (req.paths, req.seed))
                .map_err(|e| internal(&e))?;
            doc["run_id"] = json!(id);
            Ok(doc)
        })
    }

    fn runs(&self) -> Result<Value, ApiError> {
        self.with_store(|s| serde_json::to_value(s.runs().map_err(internal)?).map_err(internal))
    }

    fn run(&self, id: i64) -> Result<Value, ApiError> {
        self.with_store(|s| {
            let r = s.run(id).map_err(internal)?.ok_or_else(|| ApiError::not_found(format!("no run {id}")))?;
            let results: Value = serde_json::from_str(&r.results).unwrap_or(Value::Null);
            Ok(json!({ "id": r.id, "created_at": r.created_at, "kind": r.kind, "title": r.title, "seed": r.seed, "paths": r.paths, "data_fingerprint": r.data_fingerprint, "input": r.input, "results": results }))
        })
    }

    fn report(&self, req: &ReportRequest) -> Result<Value, ApiError> {
        let f = parse_scenario(&req.toml, None)?;
        let lang: aurum_core::Lang = req
            .lang
            .parse()
            .map_err(|_| ApiError::bad("lang", format!("{:?}: expected en or ja", req.lang)))?;
        let args = ReportArgs {
            file: PathBuf::from("scenario"),
            as_of: None,
            lang,
            paths: req.paths,
            seed: req.seed,
            weeks: 104,
            track_record_from: f.as_of,
            track_record_paths: 100,
            no_track_record: true,
            out: PathBuf::new(),
        };
        let c = crate::commands::report::compose(&self.ctx, &f, "scenario", &args)
            .map_err(|e| analysis(&e))?;
        Ok(json!({ "markdown": c.markdown, "html": c.html, "post": c.post, "results": c.report }))
    }
}

/// One endpoint's figures under load.
#[derive(serde::Serialize)]
struct LoadRow {
    endpoint: &'static str,
    requests: usize,
    errors: usize,
    requests_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Loads the read endpoints of a server started in this process on a free loopback port.
pub fn bench(ctx: &Context, a: &BenchServeArgs, format: OutputFormat) -> Result<()> {
    anyhow::ensure!(
        a.requests > 0 && a.concurrency > 0,
        "--requests and --concurrency must be at least 1"
    );
    drop(ctx.open_store()?);
    let backend = Arc::new(StoreBackend::new(ctx.home.clone()));
    let state = AppState::new(backend, Limits::default());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = runtime.block_on(aurum_serve::bind("127.0.0.1:0".parse()?))?;
    let addr = listener.local_addr()?;
    runtime.spawn(async move {
        let _ = aurum_serve::serve(listener, state, std::future::pending()).await;
    });
    let endpoints: [(&'static str, &str); 4] = [
        ("health", "/api/health"),
        ("series", "/api/series"),
        (
            "weekly bars",
            "/api/series/gold-usd-lbma-pm/bars?freq=weekly&from=2023-01-01&as_of=2025-02-18",
        ),
        ("events", "/api/events?category=nuclear&as_of=2025-02-18"),
    ];
    let bar = ctx.progress((a.requests * endpoints.len()) as u64, "loading the server");
    let mut rows = Vec::new();
    for (name, path) in endpoints {
        let url = format!("http://{addr}{path}");
        let started = std::time::Instant::now();
        let per = a.requests.div_ceil(a.concurrency);
        let results: Vec<(usize, Vec<f64>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..a.concurrency)
                .map(|t| {
                    let (url, bar) = (&url, &bar);
                    let n = per.min(a.requests.saturating_sub(t * per));
                    scope.spawn(move || {
                        let agent: ureq::Agent = ureq::Agent::config_builder()
                            .http_status_as_error(false)
                            .build()
                            .into();
                        let mut errors = 0;
                        let mut lat = Vec::with_capacity(n);
                        for _ in 0..n {
                            let t0 = std::time::Instant::now();
                            let ok = agent.get(url).call().is_ok_and(|mut r| {
                                r.status() == 200 && r.body_mut().read_to_vec().is_ok()
                            });
                            lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                            errors += usize::from(!ok);
                            bar.inc(1);
                        }
                        (errors, lat)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let elapsed = started.elapsed().as_secs_f64();
        let errors = results.iter().map(|r| r.0).sum();
        let mut lat: Vec<f64> = results.into_iter().flat_map(|r| r.1).collect();
        lat.sort_by(f64::total_cmp);
        let q = |p: f64| {
            lat.get(((lat.len() as f64 - 1.0) * p) as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        rows.push(LoadRow {
            endpoint: name,
            requests: lat.len(),
            errors,
            requests_per_s: lat.len() as f64 / elapsed,
            p50_ms: q(0.5),
            p99_ms: q(0.99),
        });
    }
    bar.finish_and_clear();
    crate::output::emit(format, &rows, || {
        let mut t = crate::output::Table::new(&[
            "endpoint", "requests", "errors", "req/s", "p50 ms", "p99 ms",
        ]);
        for r in &rows {
            t.row(vec![
                r.endpoint.to_owned(),
                r.requests.to_string(),
                r.errors.to_string(),
                format!("{:.0}", r.requests_per_s),
                format!("{:.2}", r.p50_ms),
                format!("{:.2}", r.p99_ms),
            ]);
        }
        t
    })
}
