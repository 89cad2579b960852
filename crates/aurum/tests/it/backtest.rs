//! `aurum backtest` on the bundled LBMA series: scores, resuming, as-of and bad settings.

use serde_json::Value;

use crate::util::TestContext;

const BASE: &[&str] = &[
    "backtest",
    "--series",
    "gold-usd-lbma-pm",
    "--from",
    "2014-01-01",
    "--to",
    "2016-12-31",
    "--every",
    "month",
    "--horizons",
    "5,21",
    "--models",
    "gbm,garch-t",
    "--paths",
    "300",
];

/// `BASE` with the flags in `extra` replacing its own.
fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![BASE[0]];
    for pair in BASE[1..].chunks(2) {
        if !extra.contains(&pair[0]) {
            args.extend_from_slice(pair);
        }
    }
    args.extend_from_slice(extra);
    args
}

fn json(ctx: &TestContext, extra: &[&str]) -> Value {
    let mut args = with(extra);
    args.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&ctx.run(&args).ok().stdout).unwrap()
}

/// The scores without the bookkeeping that differs between runs of the same backtest.
fn scores(v: &Value) -> (Value, Value) {
    (v["scores"].clone(), v["comparisons"].clone())
}

#[test]
fn scores_every_model_and_horizon_and_resumes_from_the_store() {
    let ctx = TestContext::new();
    let first = json(&ctx, &[]);
    assert_eq!(first["origins"], 36);
    assert_eq!(first["blocks"]["resumed"], 0);
    let total = first["blocks"]["total"].as_u64().unwrap();
    assert_eq!(first["blocks"]["computed"].as_u64(), Some(total));
    let s = first["scores"].as_array().unwrap();
    assert_eq!(s.len(), 4);
    for x in s {
        // Every origin in 2014–2016 has both horizons resolved in the data.
        assert_eq!(x["n"], 36, "{x}");
        for k in ["crps", "log_score", "mae"] {
            assert!(x[k].as_f64().unwrap() > 0.0, "{k} in {x}");
        }
        let bs = x["brier"]["bs"].as_f64().unwrap();
        assert!((0.0..0.25).contains(&bs), "{bs}");
        assert_eq!(x["coverage"].as_array().unwrap().len(), 4);
        assert_eq!(x["pit"]["counts"].as_array().unwrap().len(), 10);
        // The joint reliability test covers the bins of 50 or more forecasts, and flags the
        // model exactly when it rejects at 1%.
        let big = x["brier"]["bins"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["n"].as_u64().unwrap() >= 50)
            .count();
        let test = &x["brier"]["reliability_test"];
        assert_eq!(test.is_null(), big == 0, "{x}");
        if !test.is_null() {
            assert_eq!(test["bins"].as_u64(), Some(big as u64));
            let flagged = x["flags"].to_string().contains("off the diagonal");
            assert_eq!(flagged, test["p"].as_f64().unwrap() < 0.01, "{x}");
        }
    }
    // GARCH-t is compared with the baseline, and its Brier scores tested against it: the
    // mean of the origins' differences is the difference of the pooled scores (every origin
    // has the same events).
    assert!(
        s.iter()
            .any(|x| x["model"] == "garch-t" && x["skill"]["baseline"] == "gbm")
    );
    for h in [5, 21] {
        let at = |m: &str| {
            s.iter()
                .find(|x| x["model"] == m && x["horizon"] == h)
                .unwrap()
        };
        let dm = &at("garch-t")["skill"]["brier_dm"];
        let diff = at("garch-t")["brier"]["bs"].as_f64().unwrap()
            - at("gbm")["brier"]["bs"].as_f64().unwrap();
        assert!(
            (dm["mean"].as_f64().unwrap() - diff).abs() < 1e-12,
            "{dm} {diff}"
        );
        assert!((0.0..=1.0).contains(&dm["p"].as_f64().unwrap()), "{dm}");
    }
    assert_eq!(first["comparisons"].as_array().unwrap().len(), 2);

    // A second run finds everything saved and prints the same numbers.
    let again = json(&ctx, &[]);
    assert_eq!(again["blocks"]["resumed"].as_u64(), Some(total));
    assert_eq!(again["blocks"]["computed"], 0);
    assert_eq!(scores(&again), scores(&first));

    // Interrupted after one block, then resumed, in another home: the same numbers as in one
    // go, whatever the thread count.
    let other = TestContext::new();
    let part = json(&other, &["--max-blocks", "1"]);
    assert_eq!(part["blocks"]["computed"], 1);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aurum"));
    let mut args = vec![
        "--home".to_owned(),
        other.home().display().to_string(),
        "--quiet".into(),
    ];
    args.extend(BASE.iter().map(|s| (*s).to_owned()));
    args.extend(["--format".into(), "json".into()]);
    let out = cmd
        .env("RAYON_NUM_THREADS", "1")
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rest: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rest["blocks"]["resumed"], 1);
    assert_eq!(scores(&rest), scores(&first));

    // --fresh recomputes.
    let fresh = json(&ctx, &["--fresh"]);
    assert_eq!(fresh["blocks"]["computed"].as_u64(), Some(total));
    assert_eq!(scores(&fresh), scores(&first));
}

#[test]
fn as_of_keeps_later_outcomes_out() {
    let ctx = TestContext::new();
    // Origins run to 2016-12-31, but data stops at 2016-06-30: later origins are not
    // scheduled, and forecasts whose target falls after it are not scored.
    let v = json(&ctx, &["--as-of", "2016-06-30"]);
    assert_eq!(v["to"], "2016-12-31");
    let n = |h: u64| {
        v["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["horizon"] == h && x["model"] == "gbm")
            .unwrap()["n"]
            .as_u64()
            .unwrap()
    };
    // 2014-01 … 2016-05 month-ends: 29 origins (the last day of the data is never one), and
    // 21 trading days after 2016-05-31 still fall in June.
    assert_eq!(v["origins"], 29);
    assert_eq!(n(5), 29);
    assert_eq!(n(21), 29);
    // Three months ahead, the last origins cannot be scored yet.
    let v = json(&ctx, &["--as-of", "2016-06-30", "--horizons", "63"]);
    let n63 = v["scores"][0]["n"].as_u64().unwrap();
    assert!((25..29).contains(&n63), "{n63}");
}

#[test]
fn writes_charts_and_scores_and_prints_a_table() {
    let ctx = TestContext::new();
    let out = ctx.path("bt");
    let mut args = BASE.to_vec();
    let dir = out.display().to_string();
    args.extend_from_slice(&["--out", &dir]);
    let run = ctx.run(&args).ok();
    assert!(run.stdout.contains("garch-t"), "{}", run.stdout);
    assert!(run.stdout.contains("Diebold–Mariano"), "{}", run.stdout);
    for f in ["scores.json", "reliability-h5.png", "pit-h21.png"] {
        let bytes = fs_err::read(out.join(f)).unwrap();
        assert!(bytes.len() > 1000, "{f}");
    }
    let mut csv = BASE.to_vec();
    csv.extend_from_slice(&["--format", "csv"]);
    let text = ctx.run(&csv).ok().stdout;
    assert!(
        text.starts_with("horizon,model,n,crps,crps_skill_vs_gbm,log_score"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 5);
    // The joint reliability test's p-value, as the JSON gives it.
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "reliability_test_p")
        .unwrap();
    let scores = json(&ctx, &[])["scores"].clone();
    for (line, s) in text.lines().skip(1).zip(scores.as_array().unwrap()) {
        let cell = line.split(',').nth(col).unwrap();
        match s["brier"]["reliability_test"]["p"].as_f64() {
            // serde_json reads floats to within an ulp or so, not always exactly.
            Some(p) => assert!((cell.parse::<f64>().unwrap() - p).abs() < 1e-12, "{line}"),
            None => assert_eq!(cell, "", "{line}"),
        }
    }
}

#[test]
fn bad_settings_name_the_flag() {
    let ctx = TestContext::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--models", "gbm,arima"],
            "--models: unknown model \"arima\"",
        ),
        (&["--every", "fortnight"], "--every: expected week, month"),
        (&["--refit", "0"], "--refit: must be at least 1"),
        (&["--paths", "10"], "--paths: 10 is too few"),
        (&["--window", "100"], "--window: 100 days is shorter"),
        (
            &["--levels", "-3000"],
            "--levels: -3000 is not a positive price",
        ),
        (
            &["--relative", "0"],
            "--relative: a relative level of 0% is not a move",
        ),
    ];
    for (extra, want) in cases {
        let args = with(extra);
        let r = ctx.run(&args).usage();
        assert!(r.stderr.contains(want), "{extra:?}: {}", r.stderr);
    }
    let args = with(&["--from", "2030-01-01", "--to", "2030-12-31"]);
    assert!(ctx.run(&args).fails().stderr.contains("no origins between"));
}

#[test]
fn the_table_explains_its_columns_and_the_stack() {
    let ctx = TestContext::new();
    let out = ctx
        .run(&with(&["--models", "gbm,stack", "--relative", "5,-5"]))
        .ok()
        .stdout;
    for words in [
        "skill: CRPS skill",
        "PIT p: χ² test",
        "BSS clim.: against each event's frequency",
        "calibrated:",
        // Three years of monthly origins are too few for a calibration map.
        "no event recalibrated yet (a map needs 120 past outcomes of it)",
        "Reliability of stack (all threshold events pooled;",
    ] {
        assert!(out.contains(words), "{words:?} missing from\n{out}");
    }
    // The reliability table has one row per bin of the stack, each with its standard error.
    let reliability = out
        .split("Reliability of stack")
        .nth(1)
        .and_then(|r| r.split("\n\n").next())
        .unwrap_or_default();
    let rows: Vec<&str> = reliability
        .lines()
        .filter(|l| l.contains("–") && l.contains('%'))
        .collect();
    assert!(!rows.is_empty(), "{out}");
    for row in rows {
        let se = row.split_whitespace().nth(5).unwrap_or_default();
        assert!(se.parse::<f64>().is_ok_and(|x| x >= 0.0), "{row}");
    }
    // A skill that rounds to zero has no sign.
    assert!(!out.contains("-0.0%"), "{out}");
}

#[test]
fn an_end_after_the_data_is_pointed_out() {
    let ctx = TestContext::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aurum"))
        .arg("--home")
        .arg(ctx.home())
        .args(with(&["--from", "2024-01-01", "--to", "2026-01-01"]))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "gold-usd-lbma-pm's data end on 2025-02-18, before the requested end 2026-01-01"
        ),
        "{err}"
    );
}

/// A backtest whose origins have no outcome yet says so instead of printing an empty table
/// alone.
#[test]
fn a_backtest_with_nothing_to_score_says_why() {
    let ctx = TestContext::new();
    let run = ctx
        .run_raw(&[
            "backtest",
            "--from",
            "2024-12-01",
            "--to",
            "2025-02-18",
            "--horizons",
            "63",
        ])
        .ok();
    assert!(
        run.stderr.contains(
            "nothing to score: none of the 2 origins has an outcome 63 trading days ahead"
        ),
        "{}",
        run.stderr
    );
}
