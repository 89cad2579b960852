//! `aurum serve` end to end: the API over a real store, concurrent scenario runs, and a
//! bounded load on the read endpoints.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::util::TestContext;

/// A server child process on a free loopback port, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(ctx: &TestContext, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aurum"))
            .arg("--home")
            .arg(ctx.home())
            .args(["--quiet", "serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("aurum serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the address line");
        let base = line
            .trim()
            .strip_prefix("aurum serving ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Self { child, base }
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let r = agent().get(&format!("{}{path}", self.base)).call().unwrap();
        read(r)
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        post(&format!("{}{path}", self.base), body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status and JSON body of a response.
pub fn read(mut r: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// POSTs JSON.
pub fn post(url: &str, body: &Value) -> (u16, Value) {
    let r = agent()
        .post(url)
        .header("content-type", "application/json")
        .send(body.to_string())
        .unwrap();
    read(r)
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

#[test]
fn the_api_answers_from_the_store_and_respects_as_of() {
    let ctx = TestContext::new();
    let s = Server::start(&ctx, &[]);
    let (code, series) = s.get("/api/series");
    assert_eq!(code, 200);
    assert!(
        series
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == "gold-usd-lbma-pm")
    );
    // Weekly bars as `data show` computes them.
    let (code, bars) =
        s.get("/api/series/gold-usd-lbma-pm/bars?freq=weekly&from=2025-01-01&as_of=2025-02-18");
    assert_eq!(code, 200);
    let shown = ctx
        .run(&[
            "data",
            "show",
            "--series",
            "gold-usd-lbma-pm",
            "--freq",
            "weekly",
            "--from",
            "2025-01-01",
            "--as-of",
            "2025-02-18",
            "--format",
            "json",
        ])
        .ok();
    let shown: Vec<Value> = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(bars.as_array().unwrap().len(), shown.len());
    assert_eq!(
        bars.as_array().unwrap().last().unwrap()["close"],
        shown.last().unwrap()["close"]
    );
    // Events: as_of hides later ones; a user event is added and found.
    let (_, before) = s.get("/api/events?as_of=2025-02-13&from=2025-02-01");
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["date"].as_str().unwrap() <= "2025-02-13")
    );
    let (code, added) = s.post(
        "/api/events",
        &json!({ "date": "2025-03-04", "title_en": "EU leaders back ReArm Europe", "title_ja": "EU首脳が欧州再軍備計画を支持", "category": "alliance", "region": "europe", "actors": ["EU"], "surprise": false, "source": "European Council" }),
    );
    assert_eq!(code, 201, "{added}");
    let (_, after) = s.get("/api/events?category=alliance&from=2025-03-01");
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == added["id"])
    );
    let (code, dup) = s.post("/api/events", &json!({ "id": added["id"], "date": "2025-03-04", "title_en": "x", "title_ja": "x", "category": "alliance", "region": "europe", "source": "x" }));
    assert_eq!((code, dup["field"].as_str()), (409, Some("id")));
    let (code, bad) = s.post("/api/events", &json!({ "date": "2025-13-01", "title_en": "x", "title_ja": "x", "category": "alliance", "region": "europe", "source": "x" }));
    assert_eq!((code, bad["field"].as_str()), (400, Some("date")));
    // Analyses.
    let (code, st) = s.get("/api/study?category=nuclear&window=-1,5&as_of=2025-02-18");
    assert_eq!(code, 200, "{st}");
    // The study's report, as `aurum study --format json` prints it.
    let nuclear = &st["groups"][0];
    assert_eq!(nuclear["name"], "nuclear");
    assert_eq!(nuclear["aggregate"]["n"], 27);
    assert_eq!(
        nuclear["aggregate"]["caar_path"].as_array().unwrap().len(),
        7
    );
    let (code, g) =
        s.get("/api/gpr/regress?freq=weekly&measure=change&component=threats&as_of=2025-02-18");
    assert_eq!(code, 200, "{g}");
    assert!(
        (g["effect"]["pct"].as_f64().unwrap() - 0.30).abs() < 0.01,
        "{g}"
    );
    let (code, v) = s.get("/api/vol/fit?model=garch&dist=t&as_of=2025-02-18");
    assert_eq!(code, 200, "{v}");
    assert!(v["params"]["nu"].as_f64().unwrap() > 2.0);
    let (code, bad) = s.get("/api/vol/fit?dist=cauchy");
    assert_eq!((code, bad["field"].as_str()), (400, Some("dist")));
}

#[test]
fn scenario_runs_are_limited_recorded_and_safe_to_run_at_once() {
    let ctx = TestContext::new();
    let s = Server::start(&ctx, &["--max-steps", "1000000"]);
    let (_, ex) = s.get("/api/scenarios/example");
    let toml = ex["toml"].as_str().unwrap().to_owned();
    // Too large: 20,000 paths × 94 days.
    let (code, e) = s.post(
        "/api/scenarios/run",
        &json!({ "toml": toml, "paths": 20000 }),
    );
    assert_eq!((code, e["field"].as_str()), (413, Some("paths")));
    assert!(e["error"].as_str().unwrap().contains("1000000"), "{e}");
    // A bad probability names the field.
    let bad = toml.replacen("probability = 0.45", "probability = 1.45", 1);
    let (code, e) = s.post("/api/scenarios/run", &json!({ "toml": bad, "paths": 2000 }));
    assert_eq!(
        (code, e["field"].as_str()),
        (400, Some("probability")),
        "{e}"
    );
    // Contributions run the tree once more per scenario and count against the limit:
    // 2,000 paths × 94 days × 8 runs is over it.
    let (code, e) = s.post(
        "/api/scenarios/run",
        &json!({ "toml": toml, "paths": 2000 }),
    );
    assert_eq!((code, e["field"].as_str()), (413, Some("paths")), "{e}");
    // Four runs at once: all answer, all are recorded, the store stays sound.
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (base, toml) = (s.base.clone(), toml.clone());
            std::thread::spawn(move || {
                post(
                    &format!("{base}/api/scenarios/run"),
                    &json!({ "toml": toml, "paths": 2000, "seed": i, "contributions": false }),
                )
            })
        })
        .collect();
    let results: Vec<(u16, Value)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for (code, r) in &results {
        assert_eq!(*code, 200, "{r}");
        let p = r["targets"][0]["p_touch"].as_f64().unwrap();
        assert!((0.5..1.0).contains(&p), "{p}");
    }
    let (_, runs) = s.get("/api/runs");
    assert_eq!(runs.as_array().unwrap().len(), 4);
    let id = results[0].1["run_id"].as_i64().unwrap();
    let (code, one) = s.get(&format!("/api/runs/{id}"));
    assert_eq!(code, 200);
    assert_eq!(one["input"].as_str().unwrap(), toml);
    assert_eq!(one["results"]["targets"], results[0].1["targets"]);
    drop(s);
    let store = aurum_store::Store::open(&ctx.home().join("aurum.db")).unwrap();
    assert_eq!(store.runs().unwrap().len(), 4);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn a_bounded_load_on_the_read_endpoints_has_no_errors() {
    let ctx = TestContext::new();
    let s = Server::start(&ctx, &[]);
    let paths = [
        "/api/health",
        "/api/series",
        "/api/series/gold-usd-lbma-pm/bars?freq=weekly&from=2024-01-01&as_of=2025-02-18",
        "/api/events?category=nuclear",
    ];
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let base = s.base.clone();
            std::thread::spawn(move || {
                let a = agent();
                let mut failures = 0;
                for i in 0..100 {
                    let p = paths[(t + i) % paths.len()];
                    match a.get(&format!("{base}{p}")).call() {
                        Ok(r) if r.status() == 200 => {}
                        _ => failures += 1,
                    }
                }
                failures
            })
        })
        .collect();
    let failures: usize = threads.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(failures, 0);
}

/// The command line's `--format json` and the API answer the same document for the same
/// request: one application layer under both.
#[test]
fn the_cli_and_the_api_answer_the_same_json() {
    let ctx = TestContext::new();
    let s = Server::start(&ctx, &[]);
    let json = |out: &str| -> Value { serde_json::from_str(out).unwrap() };

    let cli = ctx.run(&[
        "study",
        "--category",
        "nuclear",
        "--window=-1,5",
        "--as-of",
        "2025-02-18",
        "--format",
        "json",
    ]);
    let (code, api) = s.get("/api/study?category=nuclear&window=-1,5&as_of=2025-02-18");
    assert_eq!(code, 200, "{api}");
    assert_eq!(json(&cli.ok().stdout), api);

    // The base rates beside a scenario file's judged probabilities.
    let example = "../../examples/us-nato-exit-2025-02-18.toml";
    let cli = ctx.run(&["scenario", "check", example, "--format", "json"]);
    let (code, api) = s.post(
        "/api/scenarios/check",
        &json!({ "toml": fs_err::read_to_string(example).unwrap() }),
    );
    assert_eq!(code, 200, "{api}");
    assert_eq!(json(&cli.ok().stdout), api["base_rates"]);

    // The API fits from the optimiser's default two starting points and ten years of data.
    let cli = ctx.run(&[
        "vol",
        "fit",
        "--from",
        "2015-02-18",
        "--as-of",
        "2025-02-18",
        "--starts",
        "2",
        "--format",
        "json",
    ]);
    let (code, api) = s.get("/api/vol/fit?model=garch&dist=t&as_of=2025-02-18");
    assert_eq!(code, 200, "{api}");
    assert_eq!(json(&cli.ok().stdout), api);

    let file = "../../examples/us-nato-exit-2025-02-18.toml";
    let cli = ctx.run(&[
        "scenario", "run", file, "--paths", "2000", "--seed", "3", "--format", "json",
    ]);
    let toml = fs_err::read_to_string(file).unwrap();
    let (code, mut api) = s.post(
        "/api/scenarios/run",
        &json!({ "toml": toml, "paths": 2000, "seed": 3 }),
    );
    assert_eq!(code, 200, "{api}");
    let mut cli = json(&cli.ok().stdout);
    // Two runs, two records.
    assert_ne!(cli["run_id"], api["run_id"]);
    let run_id = api["run_id"].as_i64().unwrap();
    cli["run_id"] = Value::Null;
    api["run_id"] = Value::Null;
    // Each records its own call.
    assert_ne!(cli["call_id"], api["call_id"]);
    cli["call_id"] = Value::Null;
    api["call_id"] = Value::Null;
    assert!(
        cli["scenarios"][0]["contribution"]["p_touch"].is_array(),
        "{cli}"
    );
    assert_eq!(cli, api);

    let cli = ctx.run(&["runs", "show", &run_id.to_string()]);
    let (code, api) = s.get(&format!("/api/runs/{run_id}"));
    assert_eq!(code, 200);
    assert_eq!(json(&cli.ok().stdout), api);

    let cli = ctx.run(&[
        "events",
        "add",
        "--id",
        "2025-03-04-rearm-europe-cli",
        "--date",
        "2025-03-04",
        "--title-en",
        "EU leaders back ReArm Europe",
        "--title-ja",
        "EU首脳が欧州再軍備計画を支持",
        "--category",
        "alliance",
        "--region",
        "europe",
        "--actors",
        "EU",
        "--scheduled",
        "--source",
        "European Council",
        "--format",
        "json",
    ]);
    let (code, mut api) = s.post(
        "/api/events",
        &json!({ "id": "2025-03-04-rearm-europe-api", "date": "2025-03-04", "title_en": "EU leaders back ReArm Europe", "title_ja": "EU首脳が欧州再軍備計画を支持", "category": "alliance", "region": "europe", "actors": ["EU"], "surprise": false, "source": "European Council" }),
    );
    assert_eq!(code, 201, "{api}");
    let mut cli = json(&cli.ok().stdout);
    assert_eq!(cli["id"], "2025-03-04-rearm-europe-cli");
    cli["id"] = Value::Null;
    api["id"] = Value::Null;
    assert_eq!(cli, api);
}

/// A scenario run that outlives its request's time limit stops and is not recorded.
#[test]
fn a_run_past_its_time_limit_is_stopped_and_not_recorded() {
    let ctx = TestContext::new();
    let s = Server::start(&ctx, &["--timeout", "1", "--max-steps", "500000000"]);
    let (_, ex) = s.get("/api/scenarios/example");
    // GBM, so that no track record is computed first: only the paths take time.
    let toml = ex["toml"]
        .as_str()
        .unwrap()
        .replace("model = \"stack\"", "model = \"gbm\"\nvol_pct = 15");
    let (code, e) = s.post(
        "/api/scenarios/run",
        &json!({ "toml": toml, "paths": 200000, "seed": 1 }),
    );
    assert_eq!(code, 503, "{e}");
    // Long enough for the whole run to have finished had it not been stopped.
    std::thread::sleep(Duration::from_secs(8));
    let (code, health) = s.get("/api/health");
    assert_eq!((code, health["status"].as_str()), (200, Some("ok")));
    let (_, runs) = s.get("/api/runs");
    assert_eq!(runs.as_array().unwrap().len(), 0, "{runs}");
}

/// The API's `format=csv` answers are the command line's `--format csv` tables, byte for
/// byte: one writer, the same rows.
#[test]
fn the_cli_and_the_api_answer_the_same_csv() {
    let ctx = TestContext::new();
    let s = Server::start(&ctx, &[]);
    let csv = |path: &str| -> String {
        let mut r = agent().get(&format!("{}{path}", s.base)).call().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let kind = r.headers().get("content-type").unwrap().to_str().unwrap();
        assert_eq!(kind, "text/csv; charset=utf-8", "{path}");
        r.body_mut().read_to_string().unwrap()
    };
    // An empty list is its header row on both.
    for (args, path) in [
        (&["runs", "list"][..], "/api/runs"),
        (&["calls", "list"][..], "/api/calls"),
    ] {
        let mut with_format = args.to_vec();
        with_format.extend(["--format", "csv"]);
        let cli = ctx.run(&with_format).ok().stdout;
        let api = csv(&format!("{path}?format=csv"));
        assert_eq!(api.lines().count(), 1, "{path}: {api}");
        assert_eq!(api, cli, "{path}");
    }
    // A run records a call to score.
    let toml = fs_err::read_to_string("../../examples/us-nato-exit-2025-02-18.toml").unwrap();
    let (code, run) = s.post(
        "/api/scenarios/run",
        &json!({ "toml": toml, "paths": 500, "seed": 3, "contributions": false }),
    );
    assert_eq!(code, 200, "{run}");
    for (args, path) in [
        (
            &[
                "events",
                "list",
                "--category",
                "nuclear",
                "--as-of",
                "2025-02-18",
            ][..],
            "/api/events?category=nuclear&as_of=2025-02-18",
        ),
        (
            &[
                "study",
                "--category",
                "nuclear",
                "--window=-1,5",
                "--as-of",
                "2025-02-18",
            ][..],
            "/api/study?category=nuclear&window=-1,5&as_of=2025-02-18",
        ),
        (
            &[
                "gpr",
                "regress",
                "--freq",
                "weekly",
                "--measure",
                "change",
                "--component",
                "threats",
                "--from",
                "1985-01-01",
                "--as-of",
                "2025-02-18",
            ][..],
            "/api/gpr/regress?freq=weekly&measure=change&component=threats&as_of=2025-02-18",
        ),
        (&["calls", "list"][..], "/api/calls"),
        (&["runs", "list"][..], "/api/runs"),
        (
            &["calls", "score", "--drafts", "--as-of", "2025-07-15"][..],
            "/api/calls/score?drafts=true&as_of=2025-07-15",
        ),
    ] {
        let mut with_format = args.to_vec();
        with_format.extend(["--format", "csv"]);
        let cli = ctx.run(&with_format).ok().stdout;
        let api = csv(&format!("{path}&format=csv")
            .replacen("/api/calls&", "/api/calls?", 1)
            .replacen("/api/runs&", "/api/runs?", 1));
        assert!(api.lines().count() > 1, "{path}: {api}");
        if path.starts_with("/api/gpr") {
            // The dashboard's regression has no quantile rows; the command line's adds them
            // after the OLS rows.
            assert!(cli.starts_with(&api), "{path}: {api} against {cli}");
        } else {
            assert_eq!(api, cli, "{path}");
        }
    }
}
