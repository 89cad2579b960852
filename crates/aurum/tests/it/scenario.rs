//! `aurum scenario check|run` on the reference example.

use crate::util::TestContext;

fn example() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/us-nato-exit-2025-02-18.toml")
        .display()
        .to_string()
}

#[test]
fn example_runs_with_every_output_and_reproduces_across_threads() {
    let ctx = TestContext::new();
    ctx.run(&["scenario", "check", &example()]).ok();
    let run = |threads: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aurum"));
        cmd.env("RAYON_NUM_THREADS", threads).args([
            "--home",
            &ctx.home().display().to_string(),
            "--quiet",
            "scenario",
            "run",
            &example(),
            "--paths",
            "4000",
            "--seed",
            "7",
            "--format",
            "json",
        ]);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // Each run is recorded under its own run and call ids; everything else is the same.
    let record = |out: String| -> (serde_json::Value, serde_json::Value) {
        let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let id = v["run_id"].take();
        assert!(v["call_id"].take().is_i64());
        (id, v)
    };
    let (id1, v) = record(run("1"));
    let (id2, two) = record(run("2"));
    assert_ne!(id1, id2);
    assert_eq!(v, two, "results must not depend on the thread count");
    let t = &v["targets"][0];
    assert_eq!(t["target"], 3000.0);
    for key in [
        "p_close_above",
        "p_close_above_se",
        "p_touch",
        "p_touch_se",
        "p_touch_continuous",
        "p_touch_continuous_se",
    ] {
        let p = t[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{key} {p}");
    }
    assert!(t["p_touch"].as_f64() >= t["p_close_above"].as_f64());
    assert!(t["p_touch_continuous"].as_f64() >= t["p_touch"].as_f64());
    assert!(t["first_passage"]["median"].as_str().unwrap() > "2025-02-18");
    // A relative target: +10% from the start price.
    let start = v["start"]["price"].as_f64().unwrap();
    assert!((v["targets"][2]["target"].as_f64().unwrap() - 1.1 * start).abs() < 1e-9);
    let scen = v["scenarios"].as_array().unwrap();
    assert_eq!(scen.len(), 5);
    assert!(scen.iter().all(|s| s["contribution"]["p_touch"].is_array()));
    // The child happens only with its parent.
    let exit = scen.iter().find(|s| s["id"] == "us-nato-exit").unwrap()["p_happened"]
        .as_f64()
        .unwrap();
    let ceasefire = scen
        .iter()
        .find(|s| s["id"] == "ukraine-ceasefire")
        .unwrap()["p_happened"]
        .as_f64()
        .unwrap();
    assert!(exit < ceasefire * 0.2);
    assert_eq!(
        v["fan"].as_array().unwrap().len(),
        v["trading_days"].as_u64().unwrap() as usize
    );
    assert!(v["es_5_pct"].as_f64() >= v["var_5_pct"].as_f64());
}

#[test]
fn bad_scenario_files_are_named_errors() {
    let ctx = TestContext::new();
    let bad = ctx.write(
        "bad.toml",
        "title = \"t\"\nas_of = \"2025-02-18\"\nhorizon = \"2025-06-30\"\ntargets = [3000.0]\n[[scenario]]\nid = \"a\"\nprobability = 0.5\nrequires = [\"nope\"]\n",
    );
    let run = ctx.run(&["scenario", "check", &bad]).fails();
    assert!(
        run.stderr
            .contains("scenario \"a\": field \"requires\": unknown scenario \"nope\""),
        "{}",
        run.stderr
    );
    let analog = ctx.write(
        "analog.toml",
        "title = \"t\"\nas_of = \"2025-02-18\"\nhorizon = \"2025-03-31\"\ntargets = [3000.0]\n[[scenario]]\nid = \"a\"\nprobability = 0.5\nshock = { analogs = \"skirmish\" }\n",
    );
    let run = ctx
        .run(&["scenario", "run", &analog, "--paths", "100"])
        .fails();
    assert!(run.stderr.contains("skirmish"), "{}", run.stderr);
}

/// A misspelt key is named as the file writes it, on its line, with the keys the file may
/// use: TOML keys, not command-line flags.
#[test]
fn unknown_keys_are_named_as_the_file_writes_them() {
    let ctx = TestContext::new();
    let text = fs_err::read_to_string(example()).expect("example");
    let at = text.find("\nprobability =").expect("a probability") + 1;
    let line = text[..at].lines().count() + 1;
    let typo = ctx.write(
        "typo.toml",
        &format!(
            "{}probabilty{}",
            &text[..at],
            &text[at + "probability".len()..]
        ),
    );
    let run = ctx.run(&["scenario", "check", &typo]).fails();
    assert!(
        run.stderr.contains(&format!(
            "typo.toml:{line}: unknown field \"probabilty\", expected one of id, name, probability, "
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(", spread_days, ") && run.stderr.contains(", name_ja, "),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("--"), "{}", run.stderr);
}

#[test]
fn runs_are_recorded_and_shown() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "scenario",
            "run",
            &example(),
            "--paths",
            "500",
            "--seed",
            "3",
            "--no-contributions",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ctx.run(&["runs", "list", "--format", "json"]).ok().stdout).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["seed"], 3);
    assert_eq!(list[0]["data_fingerprint"], v["data_fingerprint"]);
    let id = list[0]["id"].as_i64().unwrap().to_string();
    let shown: serde_json::Value =
        serde_json::from_str(&ctx.run(&["runs", "show", &id]).ok().stdout).unwrap();
    assert_eq!(shown["results"]["targets"], v["targets"]);
    assert!(shown["input"].as_str().unwrap().contains("us-nato-exit"));
    assert!(
        ctx.run(&["runs", "show", "99"])
            .fails()
            .stderr
            .contains("no run 99")
    );
}

/// `scenario check` finds what `run` would trip on: an unknown series.
#[test]
fn check_finds_an_unknown_series() {
    let ctx = crate::util::TestContext::new();
    let text = fs_err::read_to_string("../../examples/us-nato-exit-2025-02-18.toml")
        .unwrap()
        .replacen("\"gold-usd-lbma-pm\"", "\"no-such-series\"", 1);
    let file = ctx.write("s.toml", &text);
    let run = ctx.run(&["scenario", "check", &file]).fails();
    assert!(
        run.stderr.contains("unknown series \"no-such-series\""),
        "{}",
        run.stderr
    );
}

/// Dates of the bundled catalog's events of `category`, read from the catalog's text: each
/// `[[event]]` table's `date` and `category` lines.
fn catalog_dates(category: &str) -> Vec<chrono::NaiveDate> {
    let text = fs_err::read_to_string("../../data/events/catalog.toml").unwrap();
    let value = |block: &str, key: &str| -> Option<String> {
        block.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
        })
    };
    text.split("[[event]]")
        .skip(1)
        .filter(|b| value(b, "category").as_deref() == Some(category))
        .map(|b| value(b, "date").unwrap().parse().unwrap())
        .collect()
}

/// P(N ≤ n) for N Poisson with mean `mu`.
fn poisson_cdf(n: u64, mu: f64) -> f64 {
    let mut term = (-mu).exp();
    let mut sum = term;
    for k in 1..=n {
        term *= mu / k as f64;
        sum += term;
    }
    sum
}

/// `scenario check` puts the base rate of each scenario's reference class beside its judged
/// probability: the catalog's events of the category from 1968 to as_of, counted here from the
/// catalog's text, and user events too.
#[test]
fn check_shows_base_rates_counted_from_the_catalog() {
    let ctx = TestContext::new();
    let rows = |ctx: &TestContext| -> Vec<serde_json::Value> {
        let out = ctx
            .run(&["scenario", "check", &example(), "--format", "json"])
            .ok();
        serde_json::from_str(&out.stdout).unwrap()
    };
    let day = |s: &str| -> chrono::NaiveDate { s.parse().unwrap() };
    let (since, as_of) = (day("1968-01-01"), day("2025-02-18"));
    let years = ((as_of - since).num_days() + 1) as f64 / 365.25;
    // The example's scenarios with analogs shocks (the inputs: judged probability and window).
    let expected = [
        (
            "ukraine-ceasefire",
            "ceasefire-peace",
            0.45,
            "2025-03-01",
            "2025-06-30",
        ),
        (
            "european-rearmament",
            "alliance",
            0.60,
            "2025-03-01",
            "2025-04-30",
        ),
        (
            "east-asia-proliferation",
            "nuclear",
            0.04,
            "2025-02-19",
            "2025-06-30",
        ),
    ];
    let got = rows(&ctx);
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (r, (id, category, judged, from, to)) in got.iter().zip(expected) {
        assert_eq!(
            (r["scenario"].as_str(), r["category"].as_str()),
            (Some(id), Some(category))
        );
        assert_eq!(r["judged"].as_f64(), Some(judged));
        let n = catalog_dates(category)
            .into_iter()
            .filter(|d| *d >= since && *d <= as_of)
            .count() as u64;
        assert!(n > 0, "{category}");
        assert_eq!(r["n"].as_u64(), Some(n), "{id}");
        let rate = n as f64 / years;
        assert!(
            (r["rate_per_year"].as_f64().unwrap() - rate).abs() < 1e-12,
            "{id}"
        );
        let days = (day(to) - day(from)).num_days() + 1;
        assert_eq!(r["window_days"].as_i64(), Some(days), "{id}");
        let w = days as f64 / 365.25;
        let p = r["p"].as_f64().unwrap();
        assert!((p - (1.0 - (-rate * w).exp())).abs() < 1e-12, "{id}: {p}");
        // The interval's ends are the exact Poisson ones: at the upper end's mean, n or fewer
        // events have a chance of 5%; at the lower end's, n or more.
        let mean_at = |q: f64| -(1.0 - q).ln() / w * years;
        let (lo, hi) = (r["p_lo"].as_f64().unwrap(), r["p_hi"].as_f64().unwrap());
        assert!(lo < p && p < hi, "{id}: {lo} {p} {hi}");
        assert!((poisson_cdf(n, mean_at(hi)) - 0.05).abs() < 1e-9, "{id}");
        assert!(
            (1.0 - poisson_cdf(n - 1, mean_at(lo)) - 0.05).abs() < 1e-9,
            "{id}"
        );
    }
    // The table shows them under the tree, with what a base rate is.
    let table = ctx.run(&["scenario", "check", &example()]).ok().stdout;
    assert!(table.contains("is valid"), "{table}");
    assert!(
        table.contains("events since 1968") && table.contains("90% interval"),
        "{table}"
    );
    assert!(
        table.contains("catalog is curated") && table.contains("not a forecast"),
        "{table}"
    );
    let csv = ctx
        .run(&["scenario", "check", &example(), "--format", "csv"])
        .ok()
        .stdout;
    assert!(csv.starts_with("scenario,category,"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + expected.len());
    // A user event counts as the catalog's do; one dated after as_of does not.
    for date in ["2010-05-04", "2025-03-04"] {
        ctx.run(&[
            "events",
            "add",
            "--date",
            date,
            "--title-en",
            "A test",
            "--title-ja",
            "核実験",
            "--category",
            "nuclear",
            "--region",
            "east-asia",
            "--actors",
            "KR",
            "--source",
            "test",
        ])
        .ok();
    }
    let after = rows(&ctx);
    assert_eq!(
        after[2]["n"].as_u64(),
        Some(got[2]["n"].as_u64().unwrap() + 1)
    );
    assert_eq!(after[0]["n"], got[0]["n"]);
    // A base_rate names the reference class of a scenario whose shock is stated.
    let text = fs_err::read_to_string("../../examples/us-nato-exit-2025-02-18.toml")
        .unwrap()
        .replacen(
            "probability = 0.06",
            "probability = 0.06\nbase_rate = \"territorial\"",
            1,
        );
    let named = ctx.write("named.toml", &text);
    let out = ctx
        .run(&["scenario", "check", &named, "--format", "json"])
        .ok();
    let v: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    let taiwan = v
        .iter()
        .find(|r| r["scenario"] == "taiwan-escalation")
        .unwrap();
    assert_eq!(taiwan["category"], "territorial");
    let bad = ctx.write(
        "bad.toml",
        &text.replacen("\"territorial\"", "\"skirmish\"", 1),
    );
    let run = ctx.run(&["scenario", "check", &bad]).fails();
    assert!(
        run.stderr.contains("scenario \"taiwan-escalation\": field \"base_rate\": \"skirmish\": expected an event category"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_table_shows_the_recalibrated_headline_beside_the_simulated_numbers() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&["scenario", "run", &example(), "--paths", "2000"])
        .ok();
    let json = ctx
        .run(&[
            "scenario",
            "run",
            &example(),
            "--paths",
            "2000",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let first = &v["recalibrated"][0];
    assert!(first["p_touch"].is_f64(), "{v}");
    assert!(
        run.stdout.contains("P(touch), recalibrated"),
        "{}",
        run.stdout
    );
    // The row of the first target carries the JSON's recalibrated numbers.
    let row = run
        .stdout
        .lines()
        .skip_while(|l| !l.contains("recalibrated"))
        .find(|l| l.trim_start().starts_with("3000.00"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    for key in ["p_close", "p_touch"] {
        let want = format!("{:.3}", first[key].as_f64().unwrap());
        assert!(row.contains(&want), "{key} {want} not in {row:?}");
    }
}

/// A target below the starting price: closing above it is recalibrated (as the complement of
/// the track record's fall there), touching it is not, and the table says which.
#[test]
fn a_target_below_the_start_is_recalibrated_on_its_close_only() {
    let ctx = TestContext::new();
    let text = fs_err::read_to_string(example()).unwrap().replace(
        "targets  = [3000.0, 3200.0, \"+10%\"]",
        "targets  = [\"-5%\", 3000.0]",
    );
    assert!(
        text.contains("\"-5%\", 3000.0"),
        "the example's targets moved"
    );
    let file = ctx.write("below.toml", &text);
    let v: serde_json::Value = serde_json::from_str(
        &ctx.run(&[
            "scenario", "run", &file, "--paths", "2000", "--format", "json",
        ])
        .ok()
        .stdout,
    )
    .unwrap();
    let below = v["recalibrated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["level"] == "-5%")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(below["touch_mapped"], false, "{below}");
    assert_eq!(below["close_mapped"], true, "{below}");
    assert_eq!(below["p_touch"], below["p_touch_raw"], "{below}");
    let table = ctx
        .run(&["scenario", "run", &file, "--paths", "2000"])
        .ok()
        .stdout;
    let row = table
        .lines()
        .skip_while(|l| !l.contains("recalibrated"))
        .find(|l| l.contains("-5%"))
        .unwrap_or_else(|| panic!("{table}"));
    assert_eq!(row.matches("(no map)").count(), 1, "{row}");
}
