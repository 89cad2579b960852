//! The server over a scripted backend: JSON errors, limits, timeouts, assets, and the
//! OpenAPI document against the routes.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aurum_serve::{ApiError, AppState, Backend, Limits, Query, ReportRequest, RunRequest};
use serde_json::{Value, json};

/// Answers fixed data; `slow` sleeps, for the timeout.
struct Fake;

impl Backend for Fake {
    fn series(&self) -> Result<Value, ApiError> {
        Ok(json!([{ "id": "gold" }]))
    }
    fn bars(&self, id: &str, q: &Query) -> Result<Value, ApiError> {
        if id != "gold" {
            return Err(ApiError::not_found(format!("no series {id}")));
        }
        Ok(json!({ "id": id, "query": q }))
    }
    fn events(&self, _: &Query) -> Result<Value, ApiError> {
        Ok(json!([]))
    }
    fn add_event(&self, body: &Value) -> Result<Value, ApiError> {
        Ok(body.clone())
    }
    fn study(&self, q: &Query) -> Result<Value, ApiError> {
        if q.get("category").map(String::as_str) == Some("slow") {
            std::thread::sleep(Duration::from_millis(1500));
        }
        Err(ApiError::bad("category", "unknown category"))
    }
    fn gpr(&self, _: &Query) -> Result<Value, ApiError> {
        Ok(json!({}))
    }
    fn vol_fit(&self, _: &Query) -> Result<Value, ApiError> {
        Ok(json!({}))
    }
    fn example(&self) -> Result<Value, ApiError> {
        Ok(json!({ "toml": "" }))
    }
    fn scenario_size(&self, toml: &str, _: Option<&str>) -> Result<(usize, usize), ApiError> {
        let days = toml
            .trim()
            .parse()
            .map_err(|_| ApiError::bad("toml", "not a scenario"))?;
        Ok((days, 3))
    }
    fn run_scenario(&self, req: &RunRequest) -> Result<Value, ApiError> {
        Ok(json!({ "paths": req.paths }))
    }
    fn runs(&self) -> Result<Value, ApiError> {
        Ok(json!([]))
    }
    fn run(&self, id: i64) -> Result<Value, ApiError> {
        Err(ApiError::not_found(format!("no run {id}")))
    }
    fn report(&self, _: &ReportRequest) -> Result<Value, ApiError> {
        Ok(json!({ "markdown": "" }))
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
    let (s, v) = call(addr, "GET", "/api/study?category=x", None);
    assert_eq!(s, 400);
    assert_eq!(
        v,
        json!({ "status": 400, "error": "unknown category", "field": "category" })
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
    let (s, v) = call(
        addr,
        "POST",
        "/api/scenarios/run",
        Some(r#"{"toml": "94", "paths": 10000}"#),
    );
    assert_eq!((s, v), (200, json!({ "paths": 10000 })));
    // A request over the time limit is answered, not left hanging.
    let (s, v) = call(addr, "GET", "/api/study?category=slow", None);
    assert_eq!(s, 503);
    assert!(v["error"].as_str().unwrap().contains("limit"), "{v}");
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
