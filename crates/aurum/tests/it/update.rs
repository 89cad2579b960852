//! `aurum data update` against a local HTTP server serving files in each source's format.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::thread;
use std::time::Duration;

use crate::util::{TestContext, json_rows, read_fixture};

/// Serves `routes` (path with query → (status, body)) on a free loopback port for at most
/// `max_requests` requests, then stops. Returns the base address.
fn serve(routes: HashMap<String, (u16, Vec<u8>)>, max_requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming().take(max_requests) {
            let Ok(mut stream) = stream else { continue };
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).ok();
            let mut header = String::new();
            while reader
                .read_line(&mut header)
                .map(|n| n > 2)
                .unwrap_or(false)
            {
                header.clear();
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_owned();
            let (status, body) = routes
                .get(&path)
                .cloned()
                .unwrap_or((404, b"not found".to_vec()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .and_then(|()| stream.write_all(&body));
        }
    });
    base
}

#[test]
fn lbma_update_merges_new_days() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let base = serve(
        HashMap::from([(
            "/json/gold_pm.json".to_owned(),
            (200, read_fixture("lbma_gold_pm.json").into()),
        )]),
        4,
    );
    let run = ctx
        .run(&[
            "data",
            "update",
            "--source",
            "lbma",
            "--base-url",
            &base,
            "--format",
            "json",
        ])
        .ok();
    let r = &json_rows(&run)[0];
    assert_eq!(
        (
            r["series"].as_str(),
            r["new"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some("gold-usd-lbma-pm"), Some(2), Some(4))
    );
    let rows = json_rows(
        &ctx.run(&[
            "data",
            "show",
            "--series",
            "gold-usd-lbma-pm",
            "--from",
            "2025-02-19",
            "--format",
            "json",
        ])
        .ok(),
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["close"], 2945.8);
}

#[test]
fn stooq_update_of_one_series() {
    let ctx = TestContext::new();
    let base = serve(
        HashMap::from([(
            "/q/d/l/?s=xauusd&i=d".to_owned(),
            (200, read_fixture("stooq_xauusd_d.csv").into()),
        )]),
        4,
    );
    let run = ctx
        .run(&[
            "data",
            "update",
            "--source",
            "stooq",
            "--series",
            "gold-usd-spot",
            "--base-url",
            &base,
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(json_rows(&run)[0]["new"], 3);
}

#[test]
fn fred_update_is_all_or_nothing() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let before = ctx.counts();
    // DGS10 is served, DFII10 fails with 500: nothing may be merged.
    let base = serve(
        HashMap::from([
            (
                "/graph/fredgraph.csv?id=DGS10".to_owned(),
                (200, read_fixture("fred_dgs10.csv").into()),
            ),
            (
                "/graph/fredgraph.csv?id=DFII10".to_owned(),
                (500, b"oops".to_vec()),
            ),
        ]),
        8,
    );
    let run = ctx
        .run(&["data", "update", "--source", "fred", "--base-url", &base])
        .fails();
    assert!(
        run.stderr
            .contains("fredgraph.csv?id=DFII10: the server answered HTTP 500"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    assert_eq!(ctx.counts(), before);
    // Only DGS10: it goes through.
    let run = ctx
        .run(&[
            "data",
            "update",
            "--source",
            "fred",
            "--series",
            "dgs10",
            "--base-url",
            &base,
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(json_rows(&run)[0]["new"], 2);
}

#[test]
fn unreachable_source_and_bad_payload_change_nothing() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let before = ctx.counts();
    // Nothing listens on a port we bound and released.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = ctx
        .run(&[
            "data",
            "update",
            "--source",
            "lbma",
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
            "--timeout",
            "5",
        ])
        .fails();
    assert!(
        run.stderr.contains(&format!(
            "fetching http://127.0.0.1:{port}/json/gold_pm.json"
        )),
        "{}",
        run.stderr
    );
    // stooq answers its rate-limit page instead of a CSV.
    let base = serve(
        HashMap::from([(
            "/q/d/l/?s=xauusd&i=d".to_owned(),
            (200, b"Exceeded the daily hits limit".to_vec()),
        )]),
        4,
    );
    let run = ctx
        .run(&[
            "data",
            "update",
            "--source",
            "stooq",
            "--series",
            "gold-usd-spot",
            "--base-url",
            &base,
        ])
        .fails();
    assert!(run.stderr.contains("no date column"), "{}", run.stderr);
    assert_eq!(ctx.counts(), before);
    let run = ctx
        .run(&["data", "update", "--source", "lbma", "--series", "vix"])
        .fails();
    assert!(
        run.stderr
            .contains("source lbma does not update series vix"),
        "{}",
        run.stderr
    );
}

/// A GPR workbook of aurum-ingest's fixtures, in the authors' layouts
/// (`scripts/fixtures/gpr_update_fixtures.py`).
fn gpr_workbook(name: &str) -> Vec<u8> {
    fs_err::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../aurum-ingest/tests/fixtures")
            .join(name),
    )
    .expect("GPR fixture")
}

const MONTHLY: &str = "/gpr_files/data_gpr_export.xls";
const DAILY: &str = "/gpr_files/data_gpr_daily_recent.xls";

/// Serves the authors' folder, `/gpr_files/`, with these answers for the monthly and daily
/// workbooks; returns the folder's address.
fn serve_gpr(monthly: (u16, Vec<u8>), daily: (u16, Vec<u8>)) -> String {
    let base = serve(
        HashMap::from([(MONTHLY.to_owned(), monthly), (DAILY.to_owned(), daily)]),
        8,
    );
    format!("{base}/gpr_files/")
}

fn gpr_update(ctx: &TestContext, base: &str, extra: &[&str]) -> crate::util::Run {
    let mut args = vec!["data", "update", "--source", "gpr", "--base-url", base];
    args.extend_from_slice(extra);
    ctx.run(&args)
}

/// The row of `series` in `data update --format json` output.
fn row<'a>(rows: &'a [serde_json::Value], series: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["series"] == series)
        .unwrap_or_else(|| panic!("no row for {series} in {rows:?}"))
}

fn counts_of(r: &serde_json::Value) -> (u64, u64, u64) {
    (
        r["new"].as_u64().unwrap(),
        r["changed"].as_u64().unwrap(),
        r["unchanged"].as_u64().unwrap(),
    )
}

/// Closes of `series` from `from` on, as of `as_of` when given.
fn closes(ctx: &TestContext, series: &str, from: &str, as_of: Option<&str>) -> Vec<f64> {
    let mut args = vec![
        "data", "show", "--series", series, "--from", from, "--format", "json",
    ];
    if let Some(d) = as_of {
        args.extend_from_slice(&["--as-of", d]);
    }
    json_rows(&ctx.run(&args).ok())
        .iter()
        .map(|r| r["close"].as_f64().unwrap())
        .collect()
}

/// The authors' monthly and daily workbooks: the months and days the bundle lacks are added,
/// and a value the authors revise is replaced with the old one kept as a revision.
#[test]
fn gpr_update_adds_new_months_and_days_and_keeps_revisions() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let before = ctx.counts();
    let base = serve_gpr(
        (200, gpr_workbook("gpr_export_update.xls")),
        (200, gpr_workbook("gpr_daily_recent.xls")),
    );
    let rows = json_rows(&gpr_update(&ctx, &base, &["--format", "json"]).ok());
    // October 2024 to January 2025 are the bundle's values; February 2025 is new.
    for series in [
        "gpr",
        "gpr-threats",
        "gpr-acts",
        "gpr-hist",
        "gpr-hist-threats",
        "gpr-hist-acts",
        "gpr-country-usa",
        "gpr-country-chn",
    ] {
        assert_eq!(counts_of(row(&rows, series)), (1, 0, 4), "{series}");
    }
    // 2025-02-12 to 2025-02-18 are the bundle's; 2025-02-19 to 2025-02-21 are new.
    for series in ["gpr-daily", "gpr-daily-acts", "gpr-daily-threats"] {
        assert_eq!(counts_of(row(&rows, series)), (3, 0, 7), "{series}");
    }
    assert_eq!(rows.len(), 11, "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r["created"] == false && r["warnings"] == 0)
    );
    assert_eq!(closes(&ctx, "gpr", "2025-01-01", None), [113.233, 125.5]);
    assert_eq!(
        closes(&ctx, "gpr-daily", "2025-02-18", None),
        [217.614, 181.5, 150.25, 140.0]
    );
    assert_eq!(
        closes(&ctx, "gpr-daily-acts", "2025-02-20", None)[0],
        0.0,
        "an index may be 0 on a quiet day"
    );
    let after = ctx.counts();
    assert_eq!(after.observations, before.observations + 8 + 3 * 3);
    assert_eq!(after.revisions, before.revisions);

    // The authors revise February's GPR by 5 points: one value changes, the old one is kept.
    let base = serve_gpr(
        (200, gpr_workbook("gpr_export_revised.xls")),
        (200, gpr_workbook("gpr_daily_recent.xls")),
    );
    let rows = json_rows(&gpr_update(&ctx, &base, &["--format", "json"]).ok());
    assert_eq!(counts_of(row(&rows, "gpr")), (0, 1, 4));
    assert_eq!(counts_of(row(&rows, "gpr-threats")), (0, 0, 5));
    assert_eq!(counts_of(row(&rows, "gpr-daily")), (0, 0, 10));
    let revised = ctx.counts();
    assert_eq!(revised.observations, after.observations);
    assert_eq!(revised.revisions, after.revisions + 1);
    assert_eq!(closes(&ctx, "gpr", "2025-02-01", None), [130.5]);
    // As of yesterday, before the revision was recorded, February read 125.5.
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    assert_eq!(closes(&ctx, "gpr", "2025-02-01", Some(&yesterday)), [125.5]);

    // The same files again: nothing new, in every output format.
    let csv = gpr_update(&ctx, &base, &["--format", "csv"]).ok().stdout;
    assert!(
        csv.starts_with("series,created,new,changed,unchanged,warnings,dry_run\n"),
        "{csv}"
    );
    assert!(csv.contains("\ngpr,false,0,0,5,0,false\n"), "{csv}");
    let table = gpr_update(&ctx, &base, &["--format", "table"]).ok().stdout;
    assert!(table.contains("gpr-daily-threats"), "{table}");
    let again = ctx.counts();
    assert_eq!(
        (again.observations, again.revisions),
        (revised.observations, revised.revisions)
    );
}

/// `--series` fetches only the workbook that holds it and merges only that series.
#[test]
fn gpr_update_of_one_series() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    // The monthly workbook is missing: a daily series does not need it.
    let base = serve_gpr(
        (404, b"not found".to_vec()),
        (200, gpr_workbook("gpr_daily_recent.xls")),
    );
    let rows = json_rows(
        &gpr_update(
            &ctx,
            &base,
            &["--series", "gpr-daily-threats", "--format", "json"],
        )
        .ok(),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(counts_of(row(&rows, "gpr-daily-threats")), (3, 0, 7));
    assert_eq!(
        closes(&ctx, "gpr-daily", "2025-02-19", None),
        Vec::<f64>::new()
    );

    let before = ctx.counts();
    let run = gpr_update(&ctx, &base, &["--series", "vix"]).fails();
    assert!(
        run.stderr
            .contains("source gpr does not update series vix; it updates the GPR index series"),
        "{}",
        run.stderr
    );
    // A monthly series the workbook has no column for (the fixture carries two countries).
    let base = serve_gpr(
        (200, gpr_workbook("gpr_export_update.xls")),
        (404, b"not found".to_vec()),
    );
    let run = gpr_update(&ctx, &base, &["--series", "gpr-country-jpn"]).fails();
    assert!(
        run.stderr.contains(&format!(
            "nothing was changed: {base}data_gpr_export.xls: the GPR authors' monthly workbook has no column for series gpr-country-jpn"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(ctx.counts(), before);
}

/// A missing or broken workbook is an error naming its address and what was expected, and
/// the store is left as it was, even when the other workbook was fine.
#[test]
fn gpr_update_failures_change_nothing() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let before = ctx.counts();
    let monthly = gpr_workbook("gpr_export_update.xls");

    // The daily workbook is missing (404): the monthly one, already read, is not merged.
    let base = serve_gpr((200, monthly.clone()), (404, b"not found".to_vec()));
    let run = gpr_update(&ctx, &base, &[]).fails();
    assert!(
        run.stderr.contains(&format!(
            "nothing was changed: fetching {base}data_gpr_daily_recent.xls: the server answered HTTP 404"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(ctx.counts(), before);

    // A cut-off download, and a web page where the workbook should be.
    let half = monthly.len() / 2;
    for (body, found) in [
        (
            monthly[..half].to_vec(),
            format!("{half} bytes that cannot be read as a workbook"),
        ),
        (
            b"<!DOCTYPE html>\n<html><body>The page has moved</body></html>\n".to_vec(),
            "text beginning \"<!DOCTYPE html>\"".to_owned(),
        ),
    ] {
        let base = serve_gpr((200, body), (200, gpr_workbook("gpr_daily_recent.xls")));
        let run = gpr_update(&ctx, &base, &[]).fails();
        assert!(
            run.stderr.contains(&format!(
                "nothing was changed: {base}data_gpr_export.xls: expected the GPR authors' \
                 monthly workbook (an Excel workbook), found {found}"
            )),
            "{}",
            run.stderr
        );
        assert_eq!(ctx.counts(), before);
    }

    // A workbook, but the other one: the daily workbook where the monthly one should be.
    let base = serve_gpr(
        (200, gpr_workbook("gpr_daily_recent.xls")),
        (200, gpr_workbook("gpr_daily_recent.xls")),
    );
    let run = gpr_update(&ctx, &base, &[]).fails();
    assert!(
        run.stderr.contains(&format!(
            "nothing was changed: {base}data_gpr_export.xls: expected the GPR authors' monthly workbook, found columns of the other one: GPRD (gpr-daily)"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(ctx.counts(), before);
}
