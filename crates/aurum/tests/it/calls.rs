//! Published calls scored when their outcomes arrive: the example's report as of 2025-02-18,
//! later prices made by the test, `aurum calls score`, scenario outcomes, and the next
//! report's section on how the last call did.

use aurum_core::Date;
use serde_json::Value;

use crate::util::TestContext;

fn example() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/us-nato-exit-2025-02-18.toml")
        .display()
        .to_string()
}

/// Weekdays from 2025-02-19 to 2025-07-15, rising by $3 a day from $2,930: $3,000 is first
/// reached on 2025-03-25 (the 25th day, at $3,002) and $3,200 on 2025-06-25.
fn later_prices() -> Vec<(Date, f64)> {
    let mut out = Vec::new();
    let mut d = aurum_core::date(2025, 2, 19);
    while d <= aurum_core::date(2025, 7, 15) {
        if chrono::Datelike::weekday(&d).number_from_monday() <= 5 {
            out.push((d, 2930.0 + 3.0 * out.len() as f64));
        }
        d = d.succ_opt().unwrap();
    }
    out
}

fn write_prices(ctx: &TestContext, prices: &[(Date, f64)]) -> String {
    let mut csv = String::from("Date,Close\n");
    for (d, c) in prices {
        csv.push_str(&format!("{d},{c:.2}\n"));
    }
    ctx.write("later.csv", &csv)
}

/// Resolves an event by hand on the test's own prices.
fn expected(
    kind: &str,
    level: f64,
    by: Date,
    known: &[(Date, f64)],
) -> (&'static str, Option<Date>) {
    let span: Vec<&(Date, f64)> = known.iter().filter(|(d, _)| *d <= by).collect();
    let reached = known.last().is_some_and(|(d, _)| *d >= by);
    match kind {
        "touch" => match span.iter().find(|(_, c)| *c >= level) {
            Some((d, _)) => ("yes", Some(*d)),
            None if reached => ("no", span.last().map(|(d, _)| *d)),
            None => ("open", None),
        },
        _ => match span.last() {
            Some((d, c)) if reached => (if *c >= level { "yes" } else { "no" }, Some(*d)),
            _ => ("open", None),
        },
    }
}

fn date(v: &Value) -> Option<Date> {
    v.as_str().map(|s| s.parse().unwrap())
}

#[test]
fn a_published_call_is_scored_when_its_prices_arrive() {
    let ctx = TestContext::new();
    let out = ctx.path("first").display().to_string();
    ctx.quick_report(
        &example(),
        "en",
        &out,
        &["--publish", "--label", "NATO note"],
    );
    // The report is recorded as a run, in the scenario run's shape, with its call tied to it.
    let runs: Value =
        serde_json::from_str(&ctx.run(&["runs", "list", "--format", "json"]).ok().stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 1, "{runs}");
    assert_eq!(runs[0]["kind"], "report");
    let id = runs[0]["id"].as_i64().unwrap().to_string();
    let run: Value = serde_json::from_str(&ctx.run(&["runs", "show", &id]).ok().stdout).unwrap();
    assert_eq!(run["results"]["as_of"], "2025-02-18");
    assert!(!run["results"]["targets"].as_array().unwrap().is_empty());
    assert!(run["input"].as_str().unwrap().contains("[[scenario]]"));
    let call: Value = serde_json::from_str(
        &ctx.run(&["calls", "show", "1", "--format", "json"])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(call["run_id"], runs[0]["id"]);
    // Nothing after as_of is in the store yet: every event is open, nothing guessed.
    let run = ctx.run(&["calls", "score", "--format", "json"]).ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let call = &v["calls"][0];
    assert_eq!(call["label"], "NATO note");
    assert!(
        call["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["outcome"] == "open")
    );
    assert!(call["brier"].is_null() && call["pit"].is_null());

    let prices = later_prices();
    let file = write_prices(&ctx, &prices);
    ctx.run(&["data", "import", &file, "--series", "gold-usd-lbma-pm"])
        .ok();

    // As known at the end of 2025-04-15: later prices do not count.
    let run = ctx
        .run(&[
            "calls",
            "score",
            "--as-of",
            "2025-04-15",
            "--format",
            "json",
        ])
        .ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let known: Vec<(Date, f64)> = prices
        .iter()
        .copied()
        .filter(|(d, _)| *d <= aurum_core::date(2025, 4, 15))
        .collect();
    let mut open = 0;
    for e in v["calls"][0]["events"].as_array().unwrap() {
        let by = date(&e["by"]).unwrap();
        let (outcome, on) = expected(
            e["kind"].as_str().unwrap(),
            e["level"].as_f64().unwrap(),
            by,
            &known,
        );
        assert_eq!(e["outcome"], outcome, "{e}");
        assert_eq!(date(&e["resolved_on"]), on, "{e}");
        open += usize::from(outcome == "open");
    }
    assert!(open > 0, "events after 2025-04-15 must still be open");

    // As known now.
    let run = ctx.run(&["calls", "score", "--format", "json"]).ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let calls = v["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call["as_of"], "2025-02-18");
    assert_eq!(call["horizon"], "2025-06-30");
    let events = call["events"].as_array().unwrap();
    // Three targets: touch by four month ends and the horizon, and the close on the horizon.
    assert_eq!(events.len(), 18);
    let (mut brier, mut log) = (0.0, 0.0);
    for e in events {
        for key in ["kind", "level", "by", "p", "outcome", "resolved_on"] {
            assert!(e.get(key).is_some(), "{key} missing in {e}");
        }
        let (kind, level, by, p) = (
            e["kind"].as_str().unwrap(),
            e["level"].as_f64().unwrap(),
            date(&e["by"]).unwrap(),
            e["p"].as_f64().unwrap(),
        );
        let (outcome, on) = expected(kind, level, by, &prices);
        assert_eq!(e["outcome"], outcome, "{e}");
        assert_eq!(date(&e["resolved_on"]), on, "{e}");
        let o = if outcome == "yes" { 1.0 } else { 0.0 };
        brier += (p - o) * (p - o);
        log += (if o == 1.0 { p } else { 1.0 - p })
            .clamp(0.001, 0.999)
            .ln();
    }
    // The dates the test built in: $3,000 on 25 March, $3,200 on 25 June.
    let first = |level: f64| {
        events
            .iter()
            .find(|e| e["kind"] == "touch" && e["level"] == level && e["outcome"] == "yes")
            .map(|e| e["resolved_on"].clone())
    };
    assert_eq!(first(3000.0), Some(Value::from("2025-03-25")));
    assert_eq!(first(3200.0), Some(Value::from("2025-06-25")));
    let n = events.len() as f64;
    assert!((call["brier"].as_f64().unwrap() - brier / n).abs() < 1e-12);
    assert!((call["log_score"].as_f64().unwrap() - log / n).abs() < 1e-12);
    // The horizon close (30 June, $3,209) placed in the recorded fan.
    let pit = call["pit"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&pit));
    let fan = ctx.run(&["calls", "show", "1", "--format", "json"]).ok();
    let fan: Value = serde_json::from_str(&fan.stdout).unwrap();
    let pct: Vec<f64> = fan["doc"]["fan"]["percentiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let below = pct.iter().filter(|q| **q <= 3209.0).count() as f64 / 100.0;
    assert!((pit - below).abs() <= 0.011, "{pit} vs {below}");
    assert!((v["total"]["brier"].as_f64().unwrap() - brier / n).abs() < 1e-12);

    // The strategist's judgement: the ceasefire did not come by 30 June.
    ctx.run(&[
        "scenario",
        "resolve",
        &example(),
        "--scenario",
        "ukraine-ceasefire",
        "--happened",
        "no",
        "--date",
        "2025-06-30",
    ])
    .ok();
    let run = ctx.run(&["calls", "score", "--format", "json"]).ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let j = &v["judgements"]["items"][0];
    assert_eq!(j["scenario"], "ukraine-ceasefire");
    let p = j["p"].as_f64().unwrap();
    assert!((j["brier"].as_f64().unwrap() - p * p).abs() < 1e-15);
    // Known only from 30 June: scored as of 15 April, it is not there yet.
    let run = ctx
        .run(&[
            "calls",
            "score",
            "--as-of",
            "2025-04-15",
            "--format",
            "json",
        ])
        .ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v["judgements"]["items"].as_array().unwrap().is_empty());

    // The next report, as of 15 July, opens with how this call did.
    let later = ctx.write(
        "later.toml",
        r#"
title    = "Gold after the summer"
title_ja = "夏以降の金価格"
as_of    = "2025-07-15"
horizon  = "2025-12-31"
series   = "gold-usd-lbma-pm"
targets  = [3500.0]

[baseline]
model   = "gbm"
vol_pct = 15.0

[[scenario]]
id          = "ceasefire"
name        = "Ceasefire"
probability = 0.3
shock       = { mean_pct = -2.0, sd_pct = 1.0 }
"#,
    );
    for lang in ["ja", "en"] {
        let out = ctx.path(&format!("later-{lang}")).display().to_string();
        ctx.quick_report(&later, lang, &out, &[]);
        let md = fs_err::read_to_string(format!("{out}/report.md")).unwrap();
        let results: Value =
            serde_json::from_str(&fs_err::read_to_string(format!("{out}/results.json")).unwrap())
                .unwrap();
        let review = &results["review"];
        assert_eq!(review["call_id"], 1);
        assert!((review["brier"].as_f64().unwrap() - brier / n).abs() < 1e-12);
        let heading = if lang == "ja" {
            "## 前回予想の検証"
        } else {
            "## How the last call did"
        };
        assert!(md.contains(heading), "{md}");
        assert!(md.contains(&format!("{:.3}", brier / n)), "{md}");
        // The table's touch of $3,000 by the horizon, reached on 25 March.
        let reached = if lang == "ja" {
            "実現（3月25日）"
        } else {
            "yes, 25 Mar"
        };
        assert!(md.contains(reached), "{md}");
    }
    // The later reports are drafts: not scored unless asked.
    let run = ctx.run(&["calls", "score", "--format", "json"]).ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["calls"].as_array().unwrap().len(), 1);
    let run = ctx
        .run(&["calls", "score", "--drafts", "--format", "json"])
        .ok();
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["calls"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_calls_and_outcomes_are_refused_and_change_nothing() {
    let ctx = TestContext::new();
    ctx.run(&[
        "scenario",
        "run",
        &example(),
        "--paths",
        "2000",
        "--no-contributions",
    ])
    .ok();
    let before = ctx
        .run(&["calls", "show", "1", "--format", "json"])
        .ok()
        .stdout;
    let run = ctx.run(&["calls", "show", "7"]).fails();
    assert!(run.stderr.contains("no call 7"), "{}", run.stderr);
    let run = ctx.run(&["calls", "score", "7"]).fails();
    assert!(run.stderr.contains("no call 7"), "{}", run.stderr);
    let run = ctx.run(&["calls", "publish", "7"]).fails();
    assert!(run.stderr.contains("no call 7"), "{}", run.stderr);
    // Scoring as of a day before the call was made.
    let run = ctx
        .run(&["calls", "score", "1", "--as-of", "2025-01-31"])
        .fails();
    assert!(run.stderr.contains("as of 2025-02-18"), "{}", run.stderr);
    let file = example();
    let resolve = |extra: &[&str]| {
        let mut a: Vec<&str> = vec!["scenario", "resolve", &file];
        a.extend_from_slice(extra);
        ctx.run(&a)
    };
    let run = resolve(&["--scenario", "martian-invasion", "--happened", "yes"]).fails();
    assert!(
        run.stderr.contains("martian-invasion") && run.stderr.contains("ukraine-ceasefire"),
        "{}",
        run.stderr
    );
    let run = resolve(&[
        "--scenario",
        "ukraine-ceasefire",
        "--happened",
        "yes",
        "--date",
        "2025-01-10",
    ])
    .usage();
    assert!(
        run.stderr.contains("2025-01-10") && run.stderr.contains("before"),
        "{}",
        run.stderr
    );
    let run = resolve(&["--scenario", "ukraine-ceasefire", "--happened", "maybe"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("maybe"), "{}", run.stderr);
    let run = ctx.run(&["calls", "publish", "1", "--label", ""]).usage();
    assert!(run.stderr.contains("label"), "{}", run.stderr);
    // Nothing changed: the call as it was, no outcome recorded.
    assert_eq!(
        ctx.run(&["calls", "show", "1", "--format", "json"])
            .ok()
            .stdout,
        before
    );
    let v: Value = serde_json::from_str(&before).unwrap();
    assert!(v["outcomes"].as_array().unwrap().is_empty());
    assert_eq!(v["published"], false);
}
