//! The server over a scripted backend: JSON errors, limits, timeouts, assets, and the
//! OpenAPI document against the routes.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use aurum_app::calls::{
    CallDetail, CallSummary, Judgements, ListCalls, Pooled, ScoreReport, ScoreRequest,
};
use aurum_app::data::{Bars, BarsRequest};
use aurum_app::events::{EventDraft, EventQuery, Listed};
use aurum_app::gpr::{GprReport, GprRequest};
use aurum_app::report::{Composed, ReportRequest};
use aurum_app::scenario::{
    BaselineOut, Checked, Example, RunDoc, RunRecord, RunResult, ScenarioRun, Size, StartOut,
};
use aurum_app::study::{StudyReport, StudyRequest};
use aurum_app::vol::{VolFitReport, VolSpec};
use aurum_app::{AppError, AppResult, Progress};
use aurum_serve::{AppState, Backend, Limits};
use serde_json::{Value, json};

/// Heavy studies running now, and the most that ever ran at once.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST: AtomicUsize = AtomicUsize::new(0);

/// Paths of a scenario run that works until it is cancelled (or 20 s pass), and whether it
/// started, ended and was recorded.
const HEAVY_PATHS: usize = 199_999;
/// Paths of a scenario run that reports its progress over a second.
const FOLLOWED_PATHS: usize = 199_998;
static HEAVY_STARTED: AtomicBool = AtomicBool::new(false);
static HEAVY_ENDED: AtomicBool = AtomicBool::new(false);
static HEAVY_RECORDED: AtomicBool = AtomicBool::new(false);

/// Answers fixed data; a study whose window ends on day 60 sleeps, for the timeout, and one
/// ending on day 59 counts how many run at once.
struct Fake;

impl Backend for Fake {
    fn series(&self) -> AppResult<Vec<aurum_store::SeriesSummary>> {
        Ok(Vec::new())
    }
    fn bars(&self, req: &BarsRequest) -> AppResult<Bars> {
        if req.series.as_str() != "gold" {
            return Err(AppError::not_found(format!("no series {}", req.series)));
        }
        Ok(Bars::Daily(Vec::new()))
    }
    /// Two events whose texts need quoting in CSV.
    fn events(&self, _: &EventQuery) -> AppResult<Vec<Listed>> {
        let event = |v: Value| -> Listed {
            Listed {
                event: serde_json::from_value(v).expect("an event"),
                origin: "user",
            }
        };
        Ok(vec![
            event(json!({
                "id": "2025-02-14-munich", "date": "2025-02-14",
                "title_en": "Vance speech, \"Munich\"", "title_ja": "ミュンヘン演説、副大統領",
                "category": "alliance", "region": "europe", "actors": ["US", "EU"],
                "surprise": true, "source": "MSC", "announced": null,
                "note": "two\nlines"
            })),
            event(json!({
                "id": "2025-02-18-riyadh", "date": "2025-02-18",
                "title_en": "Riyadh talks", "title_ja": "リヤド協議",
                "category": "ceasefire-peace", "region": "middle-east", "actors": [],
                "surprise": false, "source": "Reuters", "announced": "2025-02-15",
                "note": null
            })),
        ])
    }
    fn add_event(&self, _: &EventDraft) -> AppResult<Listed> {
        Err(AppError::Conflict {
            field: Some("id".into()),
            message: "taken".into(),
        })
    }
    fn study(&self, req: &StudyRequest) -> AppResult<StudyReport> {
        if req.window.1 == 60 {
            std::thread::sleep(Duration::from_millis(1500));
        }
        if req.window.1 == 59 {
            // Counts how many run at once.
            let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            MOST.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(800));
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        }
        Err(AppError::bad("events", "nothing to study"))
    }
    fn gpr(&self, _: &GprRequest) -> AppResult<GprReport> {
        Err(AppError::invalid("no data"))
    }
    fn vol_fit(&self, _: &VolSpec) -> AppResult<VolFitReport> {
        Err(AppError::internal("no fit"))
    }
    fn example(&self) -> AppResult<Example> {
        aurum_app::scenario::example()
    }
    /// The file parsed, and base rates over the bundled catalog (an empty store: no series,
    /// no user events).
    fn check_scenario(&self, toml: &str, as_of: Option<aurum_core::Date>) -> AppResult<Checked> {
        let f = aurum_app::scenario::parse("scenario", toml, as_of)?;
        let store =
            aurum_store::Store::open_in_memory().map_err(|e| AppError::internal(e.to_string()))?;
        Ok(Checked {
            title: f.title.clone(),
            as_of: f.as_of,
            horizon: f.horizon,
            series: f.series.clone(),
            scenarios: f.scenarios.len(),
            base_rates: aurum_app::scenario::base_rates(
                &aurum_app::events::all_events(&store, aurum_app::events::EventOrigin::All)?,
                &f,
            )?,
            note: aurum_app::scenario::base_rate_note(aurum_core::Lang::En),
        })
    }
    fn scenario_size(&self, toml: &str, _: Option<aurum_core::Date>) -> AppResult<Size> {
        let days = toml
            .trim()
            .parse()
            .map_err(|_| AppError::bad("toml", "not a scenario"))?;
        // 3 scenarios and 2 targets: one unit of work per step; "1000" days is a big tree.
        let (scenarios, targets) = if days == 1000 { (64, 16) } else { (3, 2) };
        Ok(Size {
            days,
            scenarios,
            targets,
        })
    }
    fn run_scenario(&self, req: &ScenarioRun, progress: &dyn Progress) -> AppResult<RunResult> {
        if req.paths == FOLLOWED_PATHS {
            // 50 steps of 20 ms, reported.
            progress.start("simulating 50 paths", Some(50));
            for _ in 0..50 {
                std::thread::sleep(Duration::from_millis(20));
                progress.advance(1);
            }
            progress.finish();
        }
        if req.paths == HEAVY_PATHS {
            // Busy work with a checkpoint every millisecond or so, for up to 20 s; recorded
            // only when it ran to its end.
            // Marks the end however the work ends (returning or unwound).
            struct Ended;
            impl Drop for Ended {
                fn drop(&mut self) {
                    HEAVY_ENDED.store(true, Ordering::SeqCst);
                }
            }
            let _ended = Ended;
            HEAVY_STARTED.store(true, Ordering::SeqCst);
            let started = std::time::Instant::now();
            let mut x = 0u64;
            while !progress.cancelled() {
                for i in 0..100_000u64 {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
                }
                if started.elapsed() > Duration::from_secs(20) {
                    HEAVY_RECORDED.store(true, Ordering::SeqCst);
                    break;
                }
            }
            AppError::check(progress)?;
        }
        let day = aurum_core::date(2025, 2, 18);
        Ok(RunResult {
            run_id: 1,
            call_id: 1,
            doc: RunDoc {
                title: String::new(),
                series: "gold".into(),
                as_of: day,
                start: StartOut {
                    date: day,
                    price: 1.0,
                },
                horizon: day,
                trading_days: 0,
                paths: req.paths,
                seed: req.seed,
                baseline: BaselineOut::Gbm {
                    drift_pct: 0.0,
                    vol_pct: 15.0,
                },
                targets: Vec::new(),
                recalibrated: Vec::new(),
                scenarios: Vec::new(),
                combinations: Vec::new(),
                var_5_pct: 0.0,
                es_5_pct: 0.0,
                fan: Vec::new(),
                data_fingerprint: String::new(),
            },
        })
    }
    fn runs(&self) -> AppResult<Vec<aurum_store::RunRecord>> {
        let run = |id: i64, title: &str| aurum_store::RunRecord {
            id,
            created_at: 1_739_836_800 + id,
            kind: "scenario".into(),
            title: title.into(),
            seed: 7,
            paths: 20_000,
            data_fingerprint: "abc".into(),
            input: String::new(),
            results: String::new(),
        };
        Ok(vec![run(2, "US exits NATO, \"quickly\""), run(1, "Base")])
    }
    fn run_titles_ja(
        &self,
        _: &[aurum_store::RunRecord],
    ) -> AppResult<std::collections::HashMap<i64, String>> {
        Ok([(2, "米国のNATO離脱".to_owned())].into())
    }
    fn run(&self, id: i64) -> AppResult<RunRecord> {
        Err(AppError::not_found(format!("no run {id}")))
    }
    fn report(&self, _: &ReportRequest, _: &dyn Progress) -> AppResult<Composed> {
        Err(AppError::invalid("no report"))
    }
    /// Calls on `gold`, none on other series.
    fn calls(&self, q: &ListCalls) -> AppResult<Vec<CallSummary>> {
        if q.series.as_ref().is_none_or(|s| s.as_str() != "gold") {
            return Ok(Vec::new());
        }
        let day = aurum_core::date(2025, 2, 18);
        Ok(vec![CallSummary {
            id: 4,
            created_at: 1_739_836_800,
            source: "scenario".into(),
            label: Some("Note, \"Feb\"".into()),
            published: false,
            series: "gold".into(),
            as_of: day,
            horizon: aurum_core::date(2025, 12, 31),
            title: "米国のNATO離脱".into(),
            model: "stack".into(),
            events: 12,
        }])
    }
    fn call(&self, id: i64) -> AppResult<CallDetail> {
        Err(AppError::not_found(format!("no call {id}")))
    }
    fn publish_call(&self, id: i64, label: Option<&str>) -> AppResult<CallSummary> {
        if id != 1 {
            return Err(AppError::not_found(format!("no call {id}")));
        }
        let day = aurum_core::date(2025, 2, 18);
        Ok(CallSummary {
            id,
            created_at: 0,
            source: "report".into(),
            label: label.map(str::to_owned),
            published: true,
            series: "gold".into(),
            as_of: day,
            horizon: day,
            title: String::new(),
            model: "stack".into(),
            events: 0,
        })
    }
    fn score_calls(&self, req: &ScoreRequest) -> AppResult<ScoreReport> {
        if let Some(id) = req.ids.iter().find(|i| **i != 1) {
            return Err(AppError::not_found(format!("no call {id}")));
        }
        Ok(ScoreReport {
            as_of: req.as_of,
            calls: Vec::new(),
            total: Pooled::default(),
            judgements: Judgements {
                items: Vec::new(),
                brier: None,
                bins: Vec::new(),
                enough: false,
            },
        })
    }
}

fn start(limits: Limits) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = aurum_serve::bind("127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let state = AppState::new(Arc::new(Fake), limits);
            aurum_serve::serve(listener, state, std::future::pending())
                .await
                .unwrap();
        });
    });
    rx.recv().unwrap()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// Status and JSON body of a request.
fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
    let url = format!("http://{addr}{path}");
    let a = agent();
    let mut r = match (method, body) {
        ("GET", _) => a.get(&url).call().unwrap(),
        (_, b) => a
            .post(&url)
            .header("content-type", "application/json")
            .send(b.unwrap_or("{}"))
            .unwrap(),
    };
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[test]
fn errors_are_json_with_status_message_and_field() {
    let addr = start(Limits::default());
    // A bad query parameter is named before the analyses run.
    let (s, v) = call(addr, "GET", "/api/study?category=x", None);
    assert_eq!((s, v["status"].clone()), (400, json!(400)));
    assert_eq!(v["field"], "category");
    assert!(v["error"].as_str().unwrap().contains("\"x\""), "{v}");
    // Errors of the analyses keep their kind: bad input 400, conflict 409, internal 500.
    let (s, v) = call(addr, "GET", "/api/study?category=nuclear", None);
    assert_eq!(
        (s, v),
        (
            400,
            json!({ "status": 400, "code": "invalid_input", "error": "nothing to study", "field": "events" })
        )
    );
    let body = r#"{"date": "2025-03-04", "title_en": "x", "title_ja": "x", "category": "alliance", "region": "europe", "source": "x"}"#;
    let (s, v) = call(addr, "POST", "/api/events", Some(body));
    assert_eq!((s, v["field"].clone()), (409, json!("id")));
    // A 500 names an error id, never the detail (a path, a panic's text).
    let (s, v) = call(addr, "GET", "/api/vol/fit", None);
    assert_eq!(s, 500);
    let e = v["error"].as_str().unwrap();
    assert!(
        e.starts_with("internal error ") && !e.contains("no fit"),
        "{e}"
    );
    let (s, v) = call(addr, "GET", "/api/series/silver/bars", None);
    assert_eq!((s, v["status"].clone()), (404, json!(404)));
    let (s, v) = call(addr, "GET", "/api/nothing-here", None);
    assert_eq!(s, 404);
    assert!(v["error"].as_str().unwrap().contains("/api/nothing-here"));
    // A body that is not JSON is refused with a JSON error too.
    let (s, v) = call(addr, "POST", "/api/scenarios/run", Some("{not json"));
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["status"], 400);
    let (s, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(r#"{"toml": "94", "paths": 1000, "bogus": 1}"#),
    );
    assert!(s == 422 || s == 400, "{s} {v}");
    assert!(v["error"].as_str().unwrap().contains("bogus"), "{v}");
}

#[test]
fn limits_refuse_too_large_requests_and_say_the_limit() {
    let limits = Limits {
        body_bytes: 1000,
        max_paths: 50_000,
        max_steps: 1_000_000,
        timeout: Duration::from_millis(500),
        heavy_at_once: 1,
        ..Limits::default()
    };
    let addr = start(limits);
    let big = format!(r#"{{"toml": "{}"}}"#, "x".repeat(2000));
    let (s, v) = call(addr, "POST", "/api/scenarios/run", Some(&big));
    assert_eq!(s, 413);
    assert!(v["error"].as_str().unwrap().contains("1000 bytes"), "{v}");
    // 20,000 paths × 94 days = 1.88 million steps: over the cap of one million.
    let (s, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(r#"{"toml": "94", "paths": 20000}"#),
    );
    assert_eq!(s, 413);
    assert_eq!(v["field"], "paths");
    assert!(v["error"].as_str().unwrap().contains("1000000"), "{v}");
    let (s, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(r#"{"toml": "94", "paths": 60000}"#),
    );
    assert_eq!(s, 413);
    assert!(v["error"].as_str().unwrap().contains("50000"), "{v}");
    // Each scenario's contribution is one more run of the tree, and counts: 10,000 paths ×
    // 94 days × (1 + 3 scenarios) is over the cap, the same run without contributions is not.
    let (s, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(r#"{"toml": "94", "paths": 10000}"#),
    );
    assert_eq!(s, 413, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("94 trading days × 4 runs"),
        "{v}"
    );
    let (s, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(r#"{"toml": "94", "paths": 10000, "contributions": false}"#),
    );
    assert_eq!((s, v["paths"].clone()), (200, json!(10000)));
    // A big tree weighs more per step: 80 targets and scenarios count ten times.
    let (s, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(r#"{"toml": "1000", "paths": 200, "contributions": false}"#),
    );
    assert_eq!(s, 413, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("× 10 (80 targets and scenarios, per 8)"),
        "{v}"
    );
    // A request over the time limit is answered, not left hanging.
    let (s, v) = call(addr, "GET", "/api/study?category=nuclear&window=0,60", None);
    assert_eq!((s, v["code"].as_str()), (503, Some("timeout")), "{v}");
    assert!(v["error"].as_str().unwrap().contains("limit"), "{v}");
}

/// Every error has a stable `code` (one the OpenAPI document lists) and, where one field is
/// at fault, its `field`, for pages to word in the user's language; `error` stays the
/// technical detail.
#[test]
fn errors_carry_a_stable_code_and_the_field_at_fault() {
    let doc: Value = serde_json::from_str(aurum_serve::OPENAPI).unwrap();
    let listed: Vec<&str> = doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(listed, aurum_serve::ERROR_CODES);
    assert_eq!(
        doc["components"]["schemas"]["Error"]["required"],
        json!(["status", "code", "error"])
    );
    let addr = start(Limits {
        max_paths: 50_000,
        ..Limits::default()
    });
    let code = |method: &str, path: &str, body: Option<&str>| {
        let (s, v) = call(addr, method, path, body);
        assert!(
            v["code"]
                .as_str()
                .is_some_and(|c| aurum_serve::ERROR_CODES.contains(&c)),
            "{method} {path}: {v}"
        );
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
        (s, v["code"].clone(), v["field"].clone())
    };
    assert_eq!(
        code("GET", "/api/study?category=x", None),
        (400, json!("invalid_input"), json!("category"))
    );
    // A window out of order, or past the days the dashboard offers.
    for w in ["5,-1", "1", "-30,5", "0,61"] {
        assert_eq!(
            code(
                "GET",
                &format!("/api/study?category=nuclear&window={w}"),
                None
            ),
            (400, json!("invalid_input"), json!("window")),
            "{w}"
        );
    }
    assert_eq!(
        code("GET", "/api/series/silver/bars", None),
        (404, json!("not_found"), Value::Null)
    );
    assert_eq!(
        code("GET", "/api/nothing-here", None),
        (404, json!("not_found"), Value::Null)
    );
    let body = r#"{"date": "2025-03-04", "title_en": "x", "title_ja": "x", "category": "alliance", "region": "europe", "source": "x"}"#;
    assert_eq!(
        code("POST", "/api/events", Some(body)),
        (409, json!("conflict"), json!("id"))
    );
    assert_eq!(
        code("GET", "/api/vol/fit", None),
        (500, json!("internal"), Value::Null)
    );
    assert_eq!(
        code("POST", "/api/scenarios/run", Some("{not json")).1,
        json!("invalid_body")
    );
    assert_eq!(
        code(
            "POST",
            "/api/scenarios/run",
            Some(r#"{"toml": "94", "paths": 60000}"#)
        ),
        (413, json!("too_large"), json!("paths"))
    );
    // A probability out of range in a scenario file: the file's field, with the scenario
    // named in the detail.
    let bad = aurum_app::scenario::EXAMPLE.replacen("probability = 0.45", "probability = 1.5", 1);
    assert_ne!(bad, aurum_app::scenario::EXAMPLE);
    let (s, v) = call(
        addr,
        "POST",
        "/api/scenarios/check",
        Some(&json!({ "toml": bad }).to_string()),
    );
    assert_eq!(
        (s, v["code"].as_str(), v["field"].as_str()),
        (400, Some("invalid_input"), Some("probability")),
        "{v}"
    );
    assert!(v["error"].as_str().unwrap().contains("1.5"), "{v}");
}

/// A request answered for its time limit keeps its heavy-work place until its work ends:
/// requests that time out never let more heavy work run than the limit allows.
#[test]
fn timed_out_work_still_counts_against_the_heavy_limit() {
    let addr = start(Limits {
        timeout: Duration::from_millis(300),
        heavy_at_once: 1,
        ..Limits::default()
    });
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                call(addr, "GET", "/api/study?category=nuclear&window=0,59", None).0
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 503);
    }
    // Let the work that did start finish.
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(RUNNING.load(Ordering::SeqCst), 0);
    assert_eq!(MOST.load(Ordering::SeqCst), 1);
}

/// A client that goes away before its scenario run has ended stops the run on the server:
/// the work ends at its next checkpoint, records nothing, and gives back its heavy-work
/// place at once.
#[test]
fn a_client_that_goes_away_stops_the_work_it_started() {
    use std::io::Write;
    let addr = start(Limits {
        heavy_at_once: 1,
        ..Limits::default()
    });
    let body = json!({ "toml": "1", "paths": HEAVY_PATHS }).to_string();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /api/scenarios/run HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !HEAVY_STARTED.load(Ordering::SeqCst) {
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !HEAVY_ENDED.load(Ordering::SeqCst),
        "the run is still working"
    );
    // The client goes away.
    let gone = std::time::Instant::now();
    drop(s);
    while !HEAVY_ENDED.load(Ordering::SeqCst) {
        assert!(
            gone.elapsed() < Duration::from_secs(1),
            "the work ran on after its client went away"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        !HEAVY_RECORDED.load(Ordering::SeqCst),
        "a given-up run was recorded"
    );
    // Its heavy-work place is free: the next run is answered at once.
    let next = std::time::Instant::now();
    let (code, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(&json!({ "toml": "1", "paths": 10 }).to_string()),
    );
    assert_eq!(code, 200, "{v}");
    assert!(
        next.elapsed() < Duration::from_secs(1),
        "{:?}",
        next.elapsed()
    );
}

/// A run asked to be followed reports its step and how far it is while it runs, and nothing
/// once it has ended; a bad name is refused naming the field.
#[test]
fn a_followed_run_reports_its_progress() {
    let addr = start(Limits::default());
    let run = std::thread::spawn(move || {
        call(
            addr,
            "POST",
            "/api/scenarios/run",
            Some(
                &json!({ "toml": "1", "paths": FOLLOWED_PATHS, "progress": "run-1_a" }).to_string(),
            ),
        )
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let seen = loop {
        let (code, v) = call(addr, "GET", "/api/progress/run-1_a", None);
        assert_eq!(code, 200, "{v}");
        if v["running"] == json!(true) && v["done"].as_u64().unwrap_or(0) > 0 {
            break v;
        }
        assert!(std::time::Instant::now() < deadline, "no progress: {v}");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(seen["step"], json!("simulating 50 paths"), "{seen}");
    assert_eq!(seen["total"], json!(50), "{seen}");
    let f = seen["fraction"].as_f64().unwrap();
    assert!(f > 0.0 && f <= 1.0, "{seen}");
    assert_eq!(f, seen["done"].as_f64().unwrap() / 50.0, "{seen}");
    let (code, v) = run.join().unwrap();
    assert_eq!(code, 200, "{v}");
    let (_, after) = call(addr, "GET", "/api/progress/run-1_a", None);
    assert_eq!(after, json!({ "running": false }));
    let (code, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(&json!({ "toml": "1", "paths": 10, "progress": "no spaces" }).to_string()),
    );
    assert_eq!(
        (code, v["code"].as_str(), v["field"].as_str()),
        (400, Some("invalid_input"), Some("progress")),
        "{v}"
    );
}

/// Slow clients: headers not sent in time close the connection, and at the connection cap a
/// new client takes the place of the one that has waited longest without a request, so the
/// server keeps answering while slow clients hold every place.
#[test]
fn slow_clients_cannot_lock_the_server_out() {
    use std::io::{Read, Write};
    let addr = start(Limits {
        connections: 3,
        header_timeout: Duration::from_millis(1500),
        ..Limits::default()
    });
    let closed = |s: &mut std::net::TcpStream| {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 64];
        matches!(s.read(&mut buf), Ok(0) | Err(_))
    };
    // Three clients that send half a request and stall hold every place.
    let mut slow: Vec<std::net::TcpStream> = (0..3)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0")
                .unwrap();
            std::thread::sleep(Duration::from_millis(20));
            s
        })
        .collect();
    // The server still answers at once: the longest-waiting stalled client made room.
    let started = std::time::Instant::now();
    let (code, v) = call(addr, "GET", "/api/health", None);
    assert_eq!((code, v["status"].as_str()), (200, Some("ok")));
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert!(closed(&mut slow[0]), "the oldest stalled client was closed");
    // The others are cut off when their headers are late.
    for s in &mut slow[1..] {
        assert!(closed(s));
    }
}

/// Status line and headers of a raw request (to send any `Host` and `Origin`).
fn raw(addr: SocketAddr, request: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// A loopback server refuses requests addressed to another name (DNS rebinding) and from
/// other origins, answers its own pages, and forbids framing and foreign scripts.
#[test]
fn a_loopback_server_answers_only_loopback_names_and_its_own_pages() {
    let addr = start(Limits::default());
    let port = addr.port();
    let evil = raw(
        addr,
        "GET /api/series HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert!(evil.starts_with("HTTP/1.1 421"), "{evil}");
    let body = r#"{"date": "2025-03-04", "title_en": "x", "title_ja": "x", "category": "alliance", "region": "europe", "source": "x"}"#;
    let post = |origin: &str| {
        raw(
            addr,
            &format!(
                "POST /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let foreign = post("http://evil.example");
    assert!(foreign.starts_with("HTTP/1.1 403"), "{foreign}");
    // The dashboard's own origin passes the guard (the fake backend then refuses the id).
    let own = post(&format!("http://localhost:{port}"));
    assert!(own.starts_with("HTTP/1.1 409"), "{own}");
    let ok = raw(
        addr,
        &format!("GET /api/series HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let lower = ok.to_ascii_lowercase();
    assert!(
        lower.contains("content-security-policy: default-src 'self'"),
        "{ok}"
    );
    assert!(lower.contains("frame-ancestors 'none'"), "{ok}");
    assert!(lower.contains("x-content-type-options: nosniff"), "{ok}");
}

#[test]
fn pages_and_assets_are_served_from_the_binary() {
    let addr = start(Limits::default());
    let (s, page) = call(addr, "GET", "/", None);
    assert_eq!(s, 200);
    let page = page.as_str().unwrap().to_owned();
    assert!(page.contains("/assets/app.js"));
    // Nothing is loaded from another origin (a plain link to the chart library's site is
    // not a load).
    for attr in ["src=\"http", "src=\"//", "url(http", "@import"] {
        assert!(!page.contains(attr), "{attr}");
    }
    for tag in page.split("<link").skip(1) {
        let tag = tag.split('>').next().unwrap();
        assert!(
            !tag.contains("http") && !tag.contains("\"//"),
            "<link{tag}>"
        );
    }
    for f in [
        "app.js",
        "app.css",
        "i18n.js",
        "vendor/lightweight-charts.standalone.production.js",
    ] {
        let (s, _) = call(addr, "GET", &format!("/assets/{f}"), None);
        assert_eq!(s, 200, "{f}");
    }
    assert_eq!(call(addr, "GET", "/assets/nope.js", None).0, 404);
}

/// A scenario check answers the base rate beside each judged probability, and names what is
/// wrong with the file or the body.
#[test]
fn scenario_checks_put_base_rates_beside_the_judgements() {
    let addr = start(Limits::default());
    let check = |body: Value| {
        call(
            addr,
            "POST",
            "/api/scenarios/check",
            Some(&body.to_string()),
        )
    };
    let example = aurum_app::scenario::EXAMPLE;
    let (s, v) = check(json!({ "toml": example }));
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["as_of"].as_str(), v["scenarios"].as_u64()),
        (Some("2025-02-18"), Some(5))
    );
    assert!(
        v["note"].as_str().unwrap().contains("not a forecast"),
        "{v}"
    );
    let rates = v["base_rates"].as_array().unwrap();
    let ids: Vec<&str> = rates
        .iter()
        .map(|r| r["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "ukraine-ceasefire",
            "european-rearmament",
            "east-asia-proliferation"
        ]
    );
    assert_eq!(rates[0]["judged"], 0.45);
    assert_eq!(rates[0]["category_ja"], "停戦・和平");
    for r in rates {
        let (lo, p, hi) = (r["p_lo"].as_f64(), r["p"].as_f64(), r["p_hi"].as_f64());
        assert!(lo < p && p < hi && r["n"].as_u64() > Some(0), "{r}");
    }
    // An earlier as_of counts fewer events.
    let (s, earlier) = check(json!({ "toml": example, "as_of": "2016-01-04" }));
    assert_eq!(s, 200, "{earlier}");
    for (then, now) in earlier["base_rates"].as_array().unwrap().iter().zip(rates) {
        assert!(then["n"].as_u64() <= now["n"].as_u64(), "{then} {now}");
        assert_eq!(then["since"], "1968-01-01");
    }
    // Errors name the field.
    let (s, v) = check(json!({ "toml": example, "as_of": "soon" }));
    assert_eq!((s, v["field"].as_str()), (400, Some("as_of")), "{v}");
    let bad = example.replacen(
        "probability = 0.06",
        "probability = 0.06\nbase_rate = \"volcano\"",
        1,
    );
    let (s, v) = check(json!({ "toml": bad }));
    assert_eq!((s, v["field"].as_str()), (400, Some("base_rate")), "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("taiwan-escalation"),
        "{v}"
    );
    let (s, v) = check(json!({ "toml": example, "paths": 5 }));
    assert!(s == 422 || s == 400, "{s} {v}");
}

/// `(path, method)` of every `.route(...)` in the router's source.
fn routed() -> BTreeSet<(String, String)> {
    let src = include_str!("../src/routes.rs");
    let mut out = BTreeSet::new();
    for line in src
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with(".route(\"/api/"))
    {
        let path = line.split('"').nth(1).unwrap().to_owned();
        for m in ["get", "post", "put", "delete", "patch"] {
            if line.contains(&format!("{m}(")) {
                out.insert((path.clone(), m.to_owned()));
            }
        }
    }
    out
}

#[test]
fn calls_parse_their_queries_and_name_what_is_wrong() {
    let addr = start(Limits::default());
    let (s, v) = call(addr, "GET", "/api/calls", None);
    assert_eq!((s, v), (200, json!([])));
    let (s, v) = call(addr, "GET", "/api/calls?published=maybe", None);
    assert_eq!((s, v["field"].as_str()), (400, Some("published")), "{v}");
    let (s, v) = call(
        addr,
        "GET",
        "/api/calls/score?ids=1&as_of=2025-07-15&drafts=true",
        None,
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["as_of"], "2025-07-15");
    let (s, v) = call(addr, "GET", "/api/calls/score?ids=1,x", None);
    assert_eq!((s, v["field"].as_str()), (400, Some("ids")), "{v}");
    let (s, v) = call(addr, "GET", "/api/calls/score?as_of=July", None);
    assert_eq!((s, v["field"].as_str()), (400, Some("as_of")), "{v}");
    let (s, _) = call(addr, "GET", "/api/calls/score?ids=9", None);
    assert_eq!(s, 404);
    let (s, v) = call(addr, "GET", "/api/calls/abc", None);
    assert_eq!((s, v["field"].as_str()), (400, Some("id")), "{v}");
    let (s, _) = call(addr, "GET", "/api/calls/3", None);
    assert_eq!(s, 404);
    let (s, v) = call(
        addr,
        "POST",
        "/api/calls/1/publish",
        Some(r#"{"label": "NATO note"}"#),
    );
    assert_eq!((s, &v["label"]), (200, &json!("NATO note")), "{v}");
    let (s, _) = call(
        addr,
        "POST",
        "/api/calls/1/publish",
        Some(r#"{"colour": "red"}"#),
    );
    assert_eq!(s, 422);
    let (s, _) = call(addr, "POST", "/api/calls/2/publish", Some("{}"));
    assert_eq!(s, 404);
}

#[test]
fn the_openapi_document_describes_exactly_the_routes() {
    let doc: Value = serde_json::from_str(aurum_serve::OPENAPI).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["responses"].is_object(), "{method} {path} has responses");
            documented.insert((path.clone(), method.clone()));
        }
    }
    assert_eq!(documented, routed());
    // Every documented operation is answered by a route (not the not-found fallback), and
    // the served document is this one.
    let addr = start(Limits::default());
    for (path, method) in &documented {
        let p = path.replace("{id}", "gold");
        let (_, v) = call(addr, &method.to_uppercase(), &p, Some(r#"{"toml": "5"}"#));
        let fallback = v["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("no such resource"));
        assert!(!fallback, "{method} {path}: {v}");
    }
    let (s, served) = call(addr, "GET", "/api/openapi.json", None);
    assert_eq!((s, &served), (200, &doc));
    // Every schema reference resolves.
    let text = aurum_serve::OPENAPI;
    for r in text.split("\"$ref\": \"#/components/").skip(1) {
        let name = r.split('"').next().unwrap();
        let mut node = &doc["components"];
        for part in name.split('/') {
            node = &node[part];
        }
        assert!(!node.is_null(), "unresolved $ref {name}");
    }
}

mod bodies {
    //! Property tests over the API's JSON bodies: whatever a client posts, the server answers
    //! a JSON error or a result, never a 500, and stays up.

    use proptest::prelude::*;

    use super::{Limits, call, start};

    /// JSON-ish values: the fields the bodies have, with values of every type.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_owned()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|x| if x.is_finite() {
                format!("{x:e}")
            } else {
                "1e999".to_owned()
            }),
            "[ -~]{0,40}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just("[\"EU\", 3]".to_owned()),
            Just("{\"a\": 1}".to_owned()),
        ]
    }

    fn body(fields: &[&'static str]) -> impl Strategy<Value = String> {
        let fields: Vec<&'static str> = fields.to_vec();
        prop::collection::vec((prop::sample::select(fields), value()), 0..8).prop_map(|kv| {
            let inner: Vec<String> = kv
                .into_iter()
                .map(|(k, v)| format!("\"{k}\": {v}"))
                .collect();
            format!("{{{}}}", inner.join(", "))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn posted_bodies_never_answer_500(
            event in body(&["date", "title_en", "title_ja", "category", "region", "actors", "surprise", "source", "id", "note", "extra"]),
            run in body(&["toml", "paths", "seed", "as_of", "contributions", "extra"]),
            report in body(&["toml", "lang", "paths", "seed"]),
            check in body(&["toml", "as_of", "extra"]),
        ) {
            let addr = start(Limits::default());
            for (path, b) in [("/api/events", &event), ("/api/scenarios/run", &run), ("/api/report", &report), ("/api/scenarios/check", &check)] {
                let (status, v) = call(addr, "POST", path, Some(b));
                prop_assert!(status != 500 && (200..500).contains(&status), "{path} {b} → {status} {v}");
                prop_assert!(v.is_object(), "{path} {b} → {v}");
            }
            let (status, _) = call(addr, "GET", "/api/health", None);
            prop_assert_eq!(status, 200);
        }
    }
}

/// `format=csv` answers the bars as CSV, the JSON's fields as its header.
#[test]
fn bars_answer_csv_when_asked() {
    let addr = start(Limits::default());
    let mut r = agent()
        .get(&format!("http://{addr}/api/series/gold/bars?format=csv"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let kind = r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(kind, "text/csv; charset=utf-8");
    let text = r.body_mut().read_to_string().unwrap();
    assert_eq!(text, "date,open,high,low,close,volume\n");
    let (s, v) = call(addr, "GET", "/api/series/gold/bars?format=xml", None);
    assert_eq!(
        (s, v["code"].as_str(), v["field"].as_str()),
        (400, Some("invalid_input"), Some("format")),
        "{v}"
    );
    let (s, v) = call(addr, "GET", "/api/series/silver/bars?format=csv", None);
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
}

/// A CSV answer: its status, content type and records (the header first).
fn csv(addr: SocketAddr, path: &str) -> (u16, String, Vec<Vec<String>>) {
    let mut r = agent().get(&format!("http://{addr}{path}")).call().unwrap();
    let kind = r
        .headers()
        .get("content-type")
        .map(|k| k.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = r.body_mut().read_to_string().unwrap();
    let records = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (r.status().as_u16(), kind, records)
}

/// A JSON value as its CSV cell: text as it is, null or absent as empty, a list joined by
/// `;`.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| cell(Some(x)))
            .collect::<Vec<_>>()
            .join(";"),
        Some(v) => v.to_string(),
    }
}

/// Each table endpoint answers `format=csv` with the JSON answer's rows: a header, one
/// record per JSON row, each cell the JSON field of its column (texts with commas, quotes
/// and line breaks quoted, so a CSV reader reads them back whole); an unknown format is
/// an error naming `format`.
#[test]
fn table_endpoints_answer_csv_with_the_rows_of_their_json() {
    let addr = start(Limits::default());
    for (path, columns) in [
        (
            "/api/events?from=2025-02-01",
            &[
                "id",
                "date",
                "title_en",
                "title_ja",
                "category",
                "region",
                "actors",
                "surprise",
                "source",
                "announced",
                "note",
                "origin",
            ][..],
        ),
        (
            "/api/runs",
            &[
                "id",
                "created_at",
                "kind",
                "title",
                "title_ja",
                "seed",
                "paths",
                "data_fingerprint",
            ][..],
        ),
        (
            "/api/calls?series=gold",
            &[
                "id",
                "created_at",
                "source",
                "label",
                "published",
                "series",
                "as_of",
                "horizon",
                "title",
                "model",
                "events",
            ][..],
        ),
    ] {
        let (s, json) = call(addr, "GET", path, None);
        assert_eq!(s, 200, "{path}: {json}");
        let rows = json.as_array().unwrap();
        assert!(!rows.is_empty(), "{path}");
        let sep = if path.contains('?') { '&' } else { '?' };
        let (s, kind, records) = csv(addr, &format!("{path}{sep}format=csv"));
        assert_eq!(
            (s, kind.as_str()),
            (200, "text/csv; charset=utf-8"),
            "{path}"
        );
        assert_eq!(records[0], columns, "{path}: header");
        assert_eq!(records.len(), rows.len() + 1, "{path}: {records:?}");
        for (record, row) in records[1..].iter().zip(rows) {
            let want: Vec<String> = columns.iter().map(|c| cell(row.get(*c))).collect();
            assert_eq!(record, &want, "{path}");
        }
        let (s, v) = call(addr, "GET", &format!("{path}{sep}format=xlsx"), None);
        assert_eq!(
            (s, v["code"].as_str(), v["field"].as_str()),
            (400, Some("invalid_input"), Some("format")),
            "{path}: {v}"
        );
    }
    // A quoted cell is quoted on the wire as RFC 4180 says.
    let mut r = agent()
        .get(&format!("http://{addr}/api/runs?format=csv"))
        .call()
        .unwrap();
    let text = r.body_mut().read_to_string().unwrap();
    assert!(
        text.contains(r#","US exits NATO, ""quickly""",米国のNATO離脱,"#),
        "{text}"
    );
    // An empty table is its header alone.
    let (_, _, records) = csv(addr, "/api/calls?series=silver&format=csv");
    assert_eq!(records.len(), 1, "{records:?}");
    // The other table endpoints check the format before any work, and answer the work's
    // error as JSON.
    for path in [
        "/api/study?category=war-outbreak&format=pdf",
        "/api/gpr/regress?format=pdf",
        "/api/calls/score?format=pdf",
    ] {
        let (s, v) = call(addr, "GET", path, None);
        assert_eq!(
            (s, v["field"].as_str()),
            (400, Some("format")),
            "{path}: {v}"
        );
    }
    let (s, v) = call(
        addr,
        "GET",
        "/api/study?category=war-outbreak&format=csv",
        None,
    );
    assert_eq!((s, v["field"].as_str()), (400, Some("events")), "{v}");
    let (s, kind, records) = csv(addr, "/api/calls/score?ids=1&format=csv");
    assert_eq!((s, kind.as_str()), (200, "text/csv; charset=utf-8"));
    assert_eq!(
        records,
        [[
            "call",
            "as_of",
            "kind",
            "level",
            "by",
            "p",
            "outcome",
            "resolved_on",
            "brier"
        ]]
    );
}
