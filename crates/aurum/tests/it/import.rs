//! `aurum data import`: every layout on a real-format sample, every bad input, revisions.

use crate::util::{TestContext, fixture, json_rows};

fn closes(ctx: &TestContext, series: &str, extra: &[&str]) -> Vec<(String, f64)> {
    let mut args = vec!["data", "show", "--series", series, "--format", "json"];
    args.extend_from_slice(extra);
    json_rows(&ctx.run(&args).ok())
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap().to_owned(),
                r["close"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn report(run: &crate::util::Run) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&run.stdout).expect("JSON report")[0].clone()
}

#[test]
fn stooq_file_into_a_new_series() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "data",
            "import",
            &fixture("stooq_xauusd_d.csv"),
            "--series",
            "my-gold",
            "--name",
            "My gold",
            "--output",
            "json",
        ])
        .ok();
    let r = report(&run);
    assert_eq!(
        (
            r["created"].as_bool(),
            r["new"].as_u64(),
            r["changed"].as_u64()
        ),
        (Some(true), Some(10), Some(0))
    );
    let rows = json_rows(
        &ctx.run(&["data", "show", "--series", "my-gold", "--format", "json"])
            .ok(),
    );
    assert_eq!(rows[0]["open"], 2858.98);
    assert_eq!(rows[0]["high"], 2911.26);
    assert_eq!(rows[9]["date"], "2025-02-21");
    let list = json_rows(&ctx.run(&["data", "list", "--format", "json"]).ok());
    let mine = list.iter().find(|r| r["id"] == "my-gold").unwrap();
    assert_eq!(
        (
            mine["name"].as_str(),
            mine["unit"].as_str(),
            mine["currency"].as_str()
        ),
        (Some("My gold"), Some("oz"), Some("USD"))
    );
}

#[test]
fn stooq_file_into_the_bundled_spot_series_reports_new_and_unchanged() {
    let ctx = TestContext::new();
    let r = report(
        &ctx.run(&[
            "data",
            "import",
            &fixture("stooq_xauusd_d.csv"),
            "--series",
            "gold-usd-spot",
            "--output",
            "json",
        ])
        .ok(),
    );
    assert_eq!(
        (
            r["new"].as_u64(),
            r["changed"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(3), Some(0), Some(7))
    );
}

#[test]
fn yahoo_null_rows_are_skipped() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "data",
            "import",
            &fixture("yahoo_gc_f.csv"),
            "--series",
            "gc",
            "--format",
            "yahoo",
            "--output",
            "json",
        ])
        .ok();
    assert_eq!(report(&run)["new"], 6);
    assert_eq!(report(&run)["warnings"], 1);
    let c = closes(&ctx, "gc", &[]);
    assert_eq!(c.last().unwrap(), &("2025-02-18".to_owned(), 2931.600098));
}

#[test]
fn tradingview_unix_and_iso_times() {
    let ctx = TestContext::new();
    ctx.run(&[
        "data",
        "import",
        &fixture("tradingview_xauusd_1d.csv"),
        "--series",
        "tv-unix",
    ])
    .ok();
    ctx.run(&[
        "data",
        "import",
        &fixture("tradingview_iso.csv"),
        "--series",
        "tv-iso",
        "--format",
        "tradingview",
    ])
    .ok();
    let a = closes(&ctx, "tv-unix", &[]);
    assert_eq!(a, closes(&ctx, "tv-iso", &[]));
    assert_eq!(a[0], ("2025-02-10".to_owned(), 2908.05));
    let rows = json_rows(
        &ctx.run(&["data", "show", "--series", "tv-unix", "--format", "json"])
            .ok(),
    );
    assert_eq!(rows[0]["volume"], 151_234.0);
}

#[test]
fn lbma_json_in_each_currency() {
    let ctx = TestContext::new();
    ctx.run(&[
        "data",
        "import",
        &fixture("lbma_gold_pm.json"),
        "--series",
        "lbma-usd",
    ])
    .ok();
    ctx.run(&[
        "data",
        "import",
        &fixture("lbma_gold_pm.json"),
        "--series",
        "lbma-gbp",
        "--column",
        "gbp",
        "--currency",
        "GBP",
    ])
    .ok();
    assert_eq!(
        closes(&ctx, "lbma-usd", &[])[3],
        ("2025-02-18".to_owned(), 2927.1)
    );
    assert_eq!(
        closes(&ctx, "lbma-gbp", &[])[3],
        ("2025-02-18".to_owned(), 2322.17)
    );
    // Into the bundled LBMA series: the four known days are unchanged, two are new.
    let r = report(
        &ctx.run(&[
            "data",
            "import",
            &fixture("lbma_gold_pm.json"),
            "--series",
            "gold-usd-lbma-pm",
            "--output",
            "json",
        ])
        .ok(),
    );
    assert_eq!(
        (r["new"].as_u64(), r["unchanged"].as_u64()),
        (Some(2), Some(4))
    );
}

#[test]
fn fred_new_and_old_layouts() {
    let ctx = TestContext::new();
    let r = report(
        &ctx.run(&[
            "data",
            "import",
            &fixture("fred_dgs10.csv"),
            "--series",
            "dgs10",
            "--output",
            "json",
        ])
        .ok(),
    );
    assert_eq!(
        (
            r["new"].as_u64(),
            r["unchanged"].as_u64(),
            r["warnings"].as_u64()
        ),
        (Some(2), Some(3), Some(1))
    );
    ctx.run(&[
        "data",
        "import",
        &fixture("fred_dgs10_dot.csv"),
        "--series",
        "y10",
        "--unit",
        "percent",
    ])
    .ok();
    assert_eq!(closes(&ctx, "y10", &[]).len(), 3);
}

#[test]
fn grams_are_converted_to_troy_ounces() {
    let ctx = TestContext::new();
    ctx.run(&[
        "data",
        "import",
        &fixture("jpy_gram_semicolon.csv"),
        "--series",
        "gold-jpy-oz",
        "--unit",
        "g",
        "--currency",
        "JPY",
    ])
    .ok();
    let c = closes(&ctx, "gold-jpy-oz", &[]);
    // ¥14,252.2 per gram × 31.1034768 g per troy ounce.
    assert!((c[3].1 - 14_252.2 * 31.103_476_8).abs() < 1e-6, "{c:?}");
    // Into the bundled yen-per-gram series nothing is converted: the values are unchanged.
    let r = report(
        &ctx.run(&[
            "data",
            "import",
            &fixture("jpy_gram_semicolon.csv"),
            "--series",
            "gold-jpy-gram",
            "--unit",
            "g",
            "--output",
            "json",
        ])
        .ok(),
    );
    assert_eq!(r["unchanged"], 4);
}

/// Each bad file: exit 1, an error naming file, line and column, and an unchanged store.
#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let before = ctx.counts();
    let good = "Date,Open,High,Low,Close\n2025-02-19,2935.1,2947.2,2922.4,2933.8\n";
    let cases: &[(&str, String, &str)] = &[
        (
            "bad-date.csv",
            format!("{good}2025-02-31,1,2,1,2\n"),
            ":3: column \"Date\": expected a date as YYYY-MM-DD",
        ),
        (
            "dup.csv",
            format!("{good}2025-02-19,2935.1,2947.2,2922.4,2933.8\n"),
            ":3: duplicate date 2025-02-19 (first seen on line 2)",
        ),
        (
            "negative.csv",
            format!("{good}2025-02-20,1,2,1,-2\n"),
            ":3: column \"Close\": expected a price > 0, found \"-2\"",
        ),
        (
            "zero.csv",
            format!("{good}2025-02-20,0,2,1,2\n"),
            ":3: column \"Open\": expected a price > 0, found \"0\"",
        ),
        (
            "text.csv",
            format!("{good}2025-02-20,1,2,1,abc\n"),
            ":3: column \"Close\": expected a price > 0, found \"abc\"",
        ),
        (
            "inf.csv",
            format!("{good}2025-02-20,1,inf,1,2\n"),
            ":3: column \"High\": expected a price > 0, found \"inf\"",
        ),
        (
            "high.csv",
            format!("{good}2025-02-20,10,9,8,9\n"),
            ":3: 2025-02-20: high 9 is below max(open 10, close 9)",
        ),
        (
            "low.csv",
            format!("{good}2025-02-20,10,12,10.5,11\n"),
            ":3: 2025-02-20: low 10.5 is above min(open 10, close 11)",
        ),
        (
            "nodate.csv",
            "when,close\nyesterday,1\n".to_owned(),
            "no date column in header",
        ),
        (
            "empty.csv",
            "Date,Close\n".to_owned(),
            "empty.csv: no data rows",
        ),
        (
            "json.csv",
            "[{\"d\":\"2025-02-19\",\"v\":[0,1]}, {\"d\":\"19/02/2025\",\"v\":[1]}]".to_owned(),
            "element 1: field \"d\": expected a date",
        ),
    ];
    // A long valid prefix makes sure an error late in a file still writes nothing.
    let mut long = String::from("Date,Close\n");
    for i in 0..500 {
        long.push_str(&format!(
            "{},{}\n",
            aurum_core::date(2030, 1, 1) + chrono_days(i),
            3000 + i
        ));
    }
    long.push_str("2031-06-01,oops\n");
    for (name, body, needle) in cases.iter().map(|(n, b, e)| (*n, b.as_str(), *e)).chain([(
        "long.csv",
        long.as_str(),
        ":502: column \"Close\"",
    )]) {
        let path = ctx.write(name, body);
        for series in [
            "gold-usd-spot",
            &format!("new-{}", name.trim_end_matches(".csv")),
        ] {
            let run = ctx
                .run(&["data", "import", &path, "--series", series])
                .fails();
            assert!(
                run.stderr.contains(&path) || needle.starts_with(name),
                "{name}: error must name the file: {}",
                run.stderr
            );
            assert!(
                run.stderr.contains(needle),
                "{name}: expected {needle:?} in {}",
                run.stderr
            );
            assert_eq!(
                ctx.counts(),
                before,
                "{name} into {series} changed the store"
            );
        }
    }
    // Units that cannot be converted, and missing files.
    let path = ctx.write("index.csv", "Date,Close\n2025-02-19,100\n");
    let run = ctx
        .run(&[
            "data",
            "import",
            &path,
            "--series",
            "gold-usd-spot",
            "--unit",
            "index",
        ])
        .fails();
    assert!(
        run.stderr
            .contains("cannot convert prices in index into series gold-usd-spot measured in oz"),
        "{}",
        run.stderr
    );
    let run = ctx
        .run(&["data", "import", "/no/such/file.csv", "--series", "x"])
        .fails();
    assert!(run.stderr.contains("/no/such/file.csv"), "{}", run.stderr);
    assert_eq!(ctx.counts(), before);
}

fn chrono_days(i: u64) -> chrono::Days {
    chrono::Days::new(i)
}

#[test]
fn policies_accept_what_the_defaults_refuse() {
    let ctx = TestContext::new();
    let path = ctx.write(
        "dups.csv",
        "Date,Open,High,Low,Close\n2025-02-19,1,2,1,2\n2025-02-19,2,3,2,3\n2025-02-20,10,9,8,9\n",
    );
    ctx.run(&["data", "import", &path, "--series", "p"]).fails();
    ctx.run(&[
        "data",
        "import",
        &path,
        "--series",
        "p",
        "--on-duplicate",
        "keep-last",
    ])
    .fails();
    let run = ctx
        .run(&[
            "data",
            "import",
            &path,
            "--series",
            "p",
            "--on-duplicate",
            "keep-last",
            "--on-bad-range",
            "close-only",
            "--output",
            "json",
        ])
        .ok();
    // The replaced duplicate, the dropped range, and the jump from 3 to 9.
    assert_eq!(report(&run)["warnings"], 3);
    let rows = json_rows(
        &ctx.run(&["data", "show", "--series", "p", "--format", "json"])
            .ok(),
    );
    assert_eq!(
        (rows[0]["close"].as_f64(), rows[1]["open"].is_null()),
        (Some(3.0), true)
    );
}

#[test]
fn large_moves_warn_with_their_date() {
    let ctx = TestContext::new();
    let path = ctx.write("jump.csv", "Date,Close\n2025-02-19,100\n2025-02-20,130\n");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aurum"));
    let out = cmd
        .arg("--home")
        .arg(ctx.home())
        .args(["data", "import", &path, "--series", "j"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert!(
        stderr.contains("line 3: 2025-02-20: close moved +30.0% in one day"),
        "{stderr}"
    );
}

#[test]
fn reimport_keeps_old_values_as_revisions_for_as_of() {
    let ctx = TestContext::new();
    let v1 = ctx.write("v1.csv", "Date,Close\n2025-03-03,2890\n2025-03-04,2910\n");
    let v2 = ctx.write(
        "v2.csv",
        "Date,Close\n2025-03-03,2891.5\n2025-03-04,2910\n2025-03-05,2920\n",
    );
    ctx.run(&[
        "data",
        "import",
        &v1,
        "--series",
        "gold-usd-spot",
        "--recorded-at",
        "2025-03-04T18:00:00Z",
    ])
    .ok();
    let before = ctx.counts();
    let r = report(
        &ctx.run(&[
            "data",
            "import",
            &v2,
            "--series",
            "gold-usd-spot",
            "--recorded-at",
            "2025-03-10T09:00:00Z",
            "--output",
            "json",
        ])
        .ok(),
    );
    assert_eq!(
        (
            r["new"].as_u64(),
            r["changed"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(ctx.counts().revisions, before.revisions + 1);

    let window = ["--from", "2025-03-03"];
    let now = closes(&ctx, "gold-usd-spot", &window);
    assert_eq!(now[0], ("2025-03-03".to_owned(), 2891.5));
    // As of 2025-03-09 the revision of 2025-03-10 was not yet known.
    let then = closes(
        &ctx,
        "gold-usd-spot",
        &[&window[..], &["--as-of", "2025-03-09"]].concat(),
    );
    assert_eq!(then[0], ("2025-03-03".to_owned(), 2890.0));
    assert_eq!(then.len(), 3);
    let later = closes(
        &ctx,
        "gold-usd-spot",
        &[&window[..], &["--as-of", "2025-03-10"]].concat(),
    );
    assert_eq!(later[0].1, 2891.5);
}

#[test]
fn dry_run_writes_nothing() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let before = ctx.counts();
    let r = report(
        &ctx.run(&[
            "data",
            "import",
            &fixture("stooq_xauusd_d.csv"),
            "--series",
            "gold-usd-spot",
            "--dry-run",
            "--output",
            "json",
        ])
        .ok(),
    );
    assert_eq!(
        (r["new"].as_u64(), r["dry_run"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(ctx.counts(), before);
}

/// Killed at any moment (kill -9 at ten points of a large import), an import leaves the
/// store sound and either whole or untouched.
#[cfg(unix)]
#[test]
fn an_import_killed_at_any_point_is_all_or_nothing() {
    use std::process::{Command, Stdio};
    use std::time::Duration;
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let rows = 200_000usize;
    let mut csv = String::from("Date,Close\n");
    let start = aurum_core::date(1400, 1, 1);
    for i in 0..rows {
        let d = start + chrono::Days::new(i as u64);
        csv.push_str(&format!("{d},{}\n", 100.0 + (i % 997) as f64 / 10.0));
    }
    let file = ctx.write("big.csv", &csv);
    let store_path = ctx.home().join("aurum.db");
    let observations = || {
        aurum_store::Store::open(&store_path)
            .unwrap()
            .counts()
            .unwrap()
            .observations
    };
    let before = observations();
    let mut whole = 0;
    for (i, delay) in (0..10).map(|i| (i, 40 + 60 * i)) {
        let series = format!("crash-{i}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_aurum"))
            .arg("--home")
            .arg(ctx.home())
            .args([
                "--quiet", "data", "import", &file, "--series", &series, "--unit", "index",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let store = aurum_store::Store::open(&store_path).unwrap();
        assert!(store.integrity_ok().unwrap(), "killed after {delay} ms");
        let id = aurum_core::SeriesId::new(series.as_str()).unwrap();
        let n = store
            .bars(&id, &aurum_store::BarQuery::default())
            .map(|b| b.len())
            .unwrap_or(0);
        assert!(
            n == 0 || n == rows,
            "killed after {delay} ms: {n} of {rows} rows"
        );
        whole += usize::from(n == rows);
    }
    // Only whole imports added anything.
    assert_eq!(observations(), before + (whole * rows) as u64);
}
