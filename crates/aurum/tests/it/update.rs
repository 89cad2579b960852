//! `aurum data update` against a local HTTP server serving files in each source's format.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use crate::util::{TestContext, json_rows, read_fixture};

/// Serves `routes` (path with query → (status, body)) on a free loopback port for at most
/// `max_requests` requests, then stops. Returns the base address.
fn serve(routes: HashMap<String, (u16, String)>, max_requests: usize) -> String {
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
                .unwrap_or((404, "not found".to_owned()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
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
            (200, read_fixture("lbma_gold_pm.json")),
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
            (200, read_fixture("stooq_xauusd_d.csv")),
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
                (200, read_fixture("fred_dgs10.csv")),
            ),
            (
                "/graph/fredgraph.csv?id=DFII10".to_owned(),
                (500, "oops".to_owned()),
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
            (200, "Exceeded the daily hits limit".to_owned()),
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
