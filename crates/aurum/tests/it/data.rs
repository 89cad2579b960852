//! `aurum init`, `data list`, `data show` and the command-line conventions.

use crate::util::{TestContext, json_rows, read_fixture};

#[test]
fn weekly_lbma_bars_match_pandas_on_a_fresh_home() {
    // The README's check: the output must equal pandas' resample("W-FRI") of the bundled
    // LBMA file (scripts/reference/resample.py): same header, same rows, same cells (numbers
    // compared as numbers, since pandas prints 2667 where aurum prints 2667.0).
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "data",
            "show",
            "--series",
            "gold-usd-lbma-pm",
            "--freq",
            "weekly",
            "--from",
            "2025-01-01",
            "--to",
            "2025-02-18",
            "--format",
            "csv",
        ])
        .ok();
    let expected = read_fixture("lbma_weekly_2025.csv");
    let (got, want): (Vec<&str>, Vec<&str>) =
        (run.stdout.lines().collect(), expected.lines().collect());
    assert_eq!(got.len(), want.len(), "{}", run.stdout);
    assert_eq!(got[0], want[0]);
    for (g, w) in got.iter().zip(&want).skip(1) {
        for (a, b) in g.split(',').zip(w.split(',')) {
            match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert_eq!(x, y, "{g} vs {w}"),
                _ => assert_eq!(a, b, "{g} vs {w}"),
            }
        }
    }
}

#[test]
fn init_is_idempotent_and_seeds_every_bundled_series() {
    let ctx = TestContext::new();
    let first = ctx.run(&["init", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(v[0]["seeded_now"], true);
    assert!(
        v[0]["series"].as_u64().unwrap() > 100,
        "prices, GPR and country indices"
    );
    let counts = ctx.counts();
    let second = ctx.run(&["init", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&second.stdout).unwrap();
    assert_eq!(v[0]["seeded_now"], false);
    assert_eq!(ctx.counts(), counts);

    let list = json_rows(&ctx.run(&["data", "list", "--format", "json"]).ok());
    let ids: Vec<&str> = list.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in [
        "gold-usd-lbma-pm",
        "gold-usd-spot",
        "gold-usd-gc",
        "gold-usd-monthly",
        "gold-jpy-gram",
        "dxy",
        "sp500",
        "us10y",
        "usdjpy",
        "vix",
        "dgs10",
        "dfii10",
        "t10yie",
        "dtwexbgs",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let jpy = list.iter().find(|r| r["id"] == "gold-jpy-gram").unwrap();
    assert_eq!(
        (jpy["unit"].as_str(), jpy["currency"].as_str()),
        (Some("g"), Some("JPY"))
    );
}

#[test]
fn global_flags_work_before_or_after_the_subcommand() {
    let ctx = TestContext::new();
    let home = ctx.home().display().to_string();
    let before = ctx
        .run_raw(&[
            "--home", &home, "--quiet", "--format", "csv", "data", "list",
        ])
        .ok();
    let after = ctx
        .run_raw(&[
            "data", "list", "--home", &home, "--quiet", "--format", "csv",
        ])
        .ok();
    assert_eq!(before.stdout, after.stdout);
    assert!(
        before
            .stdout
            .starts_with("id,name,unit,currency,source,bundled,rows,first,last\n")
    );
    assert!(
        before.stderr.is_empty(),
        "--quiet prints nothing on stderr: {}",
        before.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    let ctx = TestContext::new();
    assert_eq!(ctx.run(&["data", "show", "--no-such-flag"]).code, 2);
    assert_eq!(
        ctx.run(&[
            "data",
            "show",
            "--series",
            "gold-usd-spot",
            "--freq",
            "hourly"
        ])
        .code,
        2
    );
    let run = ctx
        .run(&["data", "show", "--series", "no-such-series"])
        .fails();
    assert!(
        run.stderr.contains("unknown series \"no-such-series\""),
        "{}",
        run.stderr
    );
    let run = ctx
        .run(&[
            "data",
            "show",
            "--series",
            "gold-usd-spot",
            "--from",
            "2025-02-01",
            "--to",
            "2025-01-01",
        ])
        .usage();
    assert!(
        run.stderr
            .contains("--from 2025-02-01 is after --to 2025-01-01"),
        "{}",
        run.stderr
    );
}

#[test]
fn as_of_hides_later_dates() {
    let ctx = TestContext::new();
    let rows = json_rows(
        &ctx.run(&[
            "data",
            "show",
            "--series",
            "gold-usd-spot",
            "--from",
            "2025-02-01",
            "--as-of",
            "2025-02-13",
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_eq!(rows.last().unwrap()["date"], "2025-02-13");
    assert_eq!(rows.last().unwrap()["close"], 2928.14);
    let weekly = json_rows(
        &ctx.run(&[
            "data",
            "show",
            "--series",
            "gold-usd-spot",
            "--freq",
            "weekly",
            "--from",
            "2025-02-10",
            "--as-of",
            "2025-02-13",
            "--format",
            "json",
        ])
        .ok(),
    );
    // The week in progress is labelled by its Friday but holds only what was known.
    assert_eq!(weekly.len(), 1);
    assert_eq!(weekly[0]["date"], "2025-02-14");
    assert_eq!(weekly[0]["last_date"], "2025-02-13");
    assert_eq!(weekly[0]["close"], 2928.14);
    assert_eq!(weekly[0]["high"], 2942.66);
}

#[test]
fn monthly_bars_and_close_only_series() {
    let ctx = TestContext::new();
    let rows = json_rows(
        &ctx.run(&[
            "data",
            "show",
            "--series",
            "gold-usd-spot",
            "--freq",
            "monthly",
            "--from",
            "2024-12-01",
            "--to",
            "2025-01-31",
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["date"], "2024-12-31");
    assert_eq!(rows[1]["date"], "2025-01-31");
    let daily = json_rows(
        &ctx.run(&[
            "data",
            "show",
            "--series",
            "gold-usd-lbma-pm",
            "--from",
            "2025-02-18",
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_eq!(daily[0]["open"], serde_json::Value::Null);
    assert_eq!(daily[0]["close"], 2927.1);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    for format in ["table", "csv", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aurum"))
            .args([
                "--home",
                &ctx.home().display().to_string(),
                "data",
                "show",
                "--series",
                "sp500",
                "--format",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is dropped here: the pipe closes while aurum still writes 19,000 rows.
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{format}: {:?}", out.status);
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
