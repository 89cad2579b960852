//! The dashboard in a real browser: headless Chromium driven over WebDriver (chromedriver)
//! against `aurum serve` on a free loopback port. Needs Debian's `chromium` and
//! `chromium-driver` (`.ci/run` installs them). Screenshots of the main pages are written to
//! `target/tmp/screenshots/` for people to look at.
//!
//! Each test checks that the page raised no error: none caught by the page and none in the
//! browser's console log.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::{Server, agent, post, read};
use crate::util::TestContext;

/// A chromedriver process and one headless Chromium session.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    fn start() -> Self {
        Self::start_with(&[])
    }

    /// A browser started with `extra` command-line switches besides the usual ones.
    fn start_with(extra: &[&str]) -> Self {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "chromedriver runs (install Debian's chromium and chromium-driver; .ci/run does)",
            );
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent().get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            "--lang=en-US",
        ]
        .iter()
        .chain(extra)
        .map(|x| (*x).to_owned())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let (code, v) = post(
            &format!("{base}/session"),
            &json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:loggingPrefs": { "browser": "ALL" },
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": args,
                }
            }}}),
        );
        assert_eq!(code, 200, "new session: {v}");
        let session = v["value"]["sessionId"].as_str().unwrap().to_owned();
        Self {
            driver,
            base,
            session,
            _profile: profile,
        }
    }

    fn cmd(&self, path: &str, body: &Value) -> Value {
        let (code, v) = post(
            &format!("{}/session/{}{path}", self.base, self.session),
            body,
        );
        assert_eq!(code, 200, "{path}: {v}");
        v["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.cmd("/url", &json!({ "url": url }));
    }

    /// Opens `url` and records the page's uncaught errors from then on (see
    /// [`CATCH_ERRORS`]).
    fn open(&self, url: &str) {
        self.goto(url);
        self.js(CATCH_ERRORS);
    }

    /// Opens `url` as [`Browser::open`] does and waits until `ready` returns something
    /// truthy (see [`Browser::wait`]); returns it.
    fn open_when(&self, url: &str, what: &str, ready: &str) -> Value {
        self.open(url);
        self.wait(what, ready)
    }

    fn js(&self, script: &str) -> Value {
        self.cmd("/execute/sync", &json!({ "script": script, "args": [] }))
    }

    /// Waits until `script` returns something truthy, and returns it.
    fn wait(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.js(script);
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0)) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; page errors: {}",
                self.page_errors()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn element(&self, css: &str) -> String {
        let v = self.cmd(
            "/element",
            &json!({ "using": "css selector", "value": css }),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("{css}: {v}"))
            .to_owned()
    }

    fn click(&self, css: &str) {
        let e = self.element(css);
        self.cmd(&format!("/element/{e}/click"), &json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.cmd(&format!("/element/{e}/clear"), &json!({}));
        self.cmd(&format!("/element/{e}/value"), &json!({ "text": text }));
    }

    /// The page's uncaught errors so far (see [`CATCH_ERRORS`]), joined: `""` when none.
    fn page_errors(&self) -> Value {
        self.js("return (window.__errors || []).join(' | ')")
    }

    /// Asserts that the page threw no uncaught error and the console logged none.
    fn assert_no_errors(&self) {
        assert_eq!(self.page_errors(), json!(""));
        assert_eq!(self.console_errors(), Vec::<String>::new());
    }

    /// The browser console's entries at level SEVERE since the last call (errors the page's
    /// own handler cannot see: those while it loads, failed requests).
    fn console_errors(&self) -> Vec<String> {
        let v = self.cmd("/se/log", &json!({ "type": "browser" }));
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The page's text content of the first element matching `css`.
    fn text(&self, css: &str) -> String {
        let css = serde_json::to_string(css).unwrap();
        self.js(&format!(
            "const e = document.querySelector({css}); return e ? e.textContent : null"
        ))
        .as_str()
        .unwrap_or_else(|| panic!("no element {css}"))
        .to_owned()
    }

    /// A screenshot of the whole page at `width` CSS pixels: the window is made as tall as
    /// the page (up to 5,000 pixels), then given back its height.
    fn page_screenshot(&self, name: &str, width: u32) {
        self.resize(width, 900);
        let h = self
            .js("return document.documentElement.scrollHeight")
            .as_u64()
            .unwrap_or(900)
            .clamp(600, 5000);
        self.metrics(width, u32::try_from(h).unwrap());
        self.screenshot(name);
        self.resize(width, 900);
    }

    /// Sets the window's size (a phone's, a desktop's). The page is laid out `width` pixels
    /// wide even below the narrowest window Chromium draws (about 500 pixels), as on a
    /// phone.
    fn resize(&self, width: u32, height: u32) {
        self.cmd("/window/rect", &json!({ "width": width, "height": height }));
        self.metrics(width, 0);
    }

    /// Lays the page out `width` × `height` pixels (0: the window's), whatever the window's
    /// size.
    fn metrics(&self, width: u32, height: u32) {
        self.cmd(
            "/goog/cdp/execute",
            &json!({ "cmd": "Emulation.setDeviceMetricsOverride", "params": {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
            }}),
        );
    }

    /// Sets the size of the page's viewport, as a screen of `width` × `height` shows a page.
    fn viewport(&self, width: u32, height: u32) {
        self.cmd(
            "/window/rect",
            &json!({ "width": width, "height": height + 200 }),
        );
        self.metrics(width, height);
    }

    fn screenshot(&self, name: &str) {
        let r = agent()
            .get(&format!(
                "{}/session/{}/screenshot",
                self.base, self.session
            ))
            .call()
            .unwrap();
        let (_, v) = read(r);
        let png = base64(v["value"].as_str().unwrap());
        assert_eq!(&png[1..4], b"PNG");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        fs_err::create_dir_all(&dir).unwrap();
        fs_err::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = agent()
            .delete(&format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64, as WebDriver sends screenshots.
fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(val(*c)) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

/// A dashboard under test: a fresh home, `aurum serve` on it and a browser, dropped in
/// that order's reverse (the browser first, the home last).
struct Dashboard {
    b: Browser,
    server: Server,
    ctx: TestContext,
}

impl Dashboard {
    /// A fresh home and its server (started with `args`), and a browser that has opened
    /// `page` (a path and query, e.g. `/?lang=en#scenario`) and waited until `ready`.
    fn open(args: &[&str], page: &str, what: &str, ready: &str) -> Self {
        Self::open_on(TestContext::new(), args, page, what, ready)
    }

    /// As [`Dashboard::open`], on a home prepared beforehand.
    fn open_on(ctx: TestContext, args: &[&str], page: &str, what: &str, ready: &str) -> Self {
        let server = Server::start(&ctx, args);
        let b = Browser::start();
        b.open_when(&format!("{}{page}", server.base), what, ready);
        Self { b, server, ctx }
    }
}

/// The price chart has drawn.
const CHART_READY: &str =
    "return document.querySelector('#price-chart[data-ready=\"1\"]') !== null";
/// The scenario editor shows the example's scenarios.
const SCENARIO_READY: &str = "return document.querySelector('#prob-ukraine-ceasefire') !== null";

/// Records uncaught errors of the page, so a failure can show them.
const CATCH_ERRORS: &str = "window.__errors = window.__errors || []; \
    window.addEventListener('error', e => window.__errors.push(e.message)); \
    window.addEventListener('unhandledrejection', e => window.__errors.push(String(e.reason))); \
    return true;";

#[test]
fn the_dashboard_works_in_chromium() {
    let ctx = TestContext::new();
    let server = Server::start(&ctx, &[]);
    let b = Browser::start();

    // The chart: as many weekly candles as the API gives for the same query.
    b.open_when(
        &format!("{}/?lang=en#chart", server.base),
        "the chart",
        CHART_READY,
    );
    let bars: i64 = b
        .js("return document.querySelector('#price-chart').dataset.bars")
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let query = b
        .js("return '&from=' + document.querySelector('#chart-from').value + '&as_of=' + document.querySelector('#as-of').value")
        .as_str()
        .unwrap()
        .to_owned();
    let (_, api) = server.get(&format!(
        "/api/series/gold-usd-lbma-pm/bars?freq=weekly{query}"
    ));
    assert_eq!(
        bars,
        api.as_array().unwrap().len() as i64,
        "query {query:?}"
    );
    assert!(bars > 50);
    b.screenshot("chart-en");

    // The scenario editor: a lower probability of the ceasefire changes P(touch).
    b.open_when(
        &format!("{}/?lang=en#scenario", server.base),
        "the scenario form",
        SCENARIO_READY,
    );
    // Beside each judged probability, the base rate of its reference class as the API
    // answers it; a scenario without one shows a dash, and the note says what a base rate is.
    let shown = b.wait(
        "the base rates",
        "const e = document.querySelector('#base-rate-ukraine-ceasefire[data-p]'); return e && e.dataset.p",
    );
    let example = fs_err::read_to_string("../../examples/us-nato-exit-2025-02-18.toml").unwrap();
    let (code, checked) = server.post("/api/scenarios/check", &json!({ "toml": example }));
    assert_eq!(code, 200, "{checked}");
    let p = checked["base_rates"][0]["p"].as_f64().unwrap();
    assert_eq!(shown.as_str().unwrap().parse::<f64>().unwrap(), p);
    let cell = b.js("return document.querySelector('#base-rate-ukraine-ceasefire').textContent");
    assert!(
        cell.as_str().unwrap().contains(&format!("{p:.3}")),
        "{cell} {p}"
    );
    assert!(cell.as_str().unwrap().contains("Ceasefire"), "{cell}");
    let dash = b.js("return document.querySelector('#base-rate-us-nato-exit').textContent.trim()");
    assert_eq!(dash, json!("—"));
    let note = b.js(
        "const n = document.querySelector('#base-rate-note'); return !n.hidden && n.textContent",
    );
    assert!(note.as_str().unwrap().contains("not a forecast"), "{note}");
    b.screenshot("scenario-base-rates-en");
    b.type_into("#sc-paths", "4000");
    b.click("#run-scenario");
    let first = b.wait(
        "the first run",
        "const e = document.querySelector('#p-touch-0'); return e && e.textContent.trim()",
    );
    b.type_into("#prob-ukraine-ceasefire", "0.95");
    b.type_into("#prob-european-rearmament", "0");
    b.js("document.querySelector('#p-touch-0').textContent = ''; return true");
    b.click("#run-scenario");
    let second = b.wait(
        "the second run",
        "const e = document.querySelector('#p-touch-0'); return e && e.textContent.trim()",
    );
    assert_ne!(first, second, "P(touch) did not change");
    let toml = b.js("return document.querySelector('#scenario-toml').value");
    assert!(
        toml.as_str().unwrap().contains("probability = 0.95"),
        "{toml}"
    );
    b.screenshot("scenario-en");

    // Targets are read as people type them; what cannot be read is flagged, not dropped.
    let typed = |text: &str| {
        b.js(&format!(
            "const f = document.querySelector('#sc-targets'); f.value = {text:?}; \
             f.dispatchEvent(new Event('input', {{bubbles: true}})); \
             return [document.querySelector('#scenario-toml').value.match(/^targets\\s*=.*$/m)[0], \
                     f.getAttribute('aria-invalid')]"
        ))
    };
    let v = typed("3,000, 3200 ; +10%");
    assert_eq!(v[0], json!("targets  = [3000.0, 3200.0, \"+10%\"]"), "{v}");
    let v = typed("３，０００、3 200");
    assert_eq!(v[0], json!("targets  = [3000.0, 3200.0]"), "{v}");
    let v = typed("3,000, abc");
    assert_eq!(v[1], json!("true"), "{v}");
    assert_eq!(
        v[0],
        json!("targets  = [3000.0, 3200.0]"),
        "unreadable input changed the file: {v}"
    );
    typed("3000, 3200, +10%");

    // A bad input shows the server's error (the page's own check, which would catch it
    // first, switched off).
    b.js("window.__aurumTest.noValidate = true; return true");
    b.type_into("#prob-ukraine-ceasefire", "1.5");
    b.click("#run-scenario");
    let err = b.wait(
        "the error",
        "const e = document.querySelector('#error'); return e && !e.hidden && document.querySelector('#error-text').textContent.trim()",
    );
    assert!(err.as_str().unwrap().contains("probability"), "{err}");
    let invalid = b.js(
        "return document.querySelector('#prob-ukraine-ceasefire').getAttribute('aria-invalid')",
    );
    assert_eq!(invalid, json!("true"));
    b.screenshot("scenario-error-en");

    // The runs recorded by the editor are listed.
    b.open(&format!("{}/?lang=en#runs", server.base));
    b.wait(
        "the runs",
        "return document.querySelectorAll('#runs-rows tr[data-id]').length >= 2",
    );
    b.screenshot("runs-en");

    // Events and the event study, in Japanese.
    b.open(&format!("{}/?lang=ja#events", server.base));
    b.wait(
        "the events",
        "return document.querySelectorAll('#events-rows tr[data-id]').length > 100",
    );
    b.screenshot("events-ja");
    b.open(&format!("{}/?lang=ja#study", server.base));
    b.wait(
        "the study form",
        "return document.querySelector('#run-study') !== null",
    );
    b.click("#run-study");
    b.wait(
        "the study",
        "return document.querySelector('#study-chart[data-ready=\"1\"]') !== null && document.querySelectorAll('#study-rows tr').length > 5",
    );
    b.screenshot("study-ja");
    b.open(&format!("{}/?lang=ja#chart", server.base));
    b.wait("the chart", CHART_READY);
    b.screenshot("chart-ja");

    // The scenario editor on a phone, in Japanese: the base rates stay beside the judgements
    // (of the example: the edits above, kept in the browser, are dropped first).
    b.js("localStorage.removeItem('aurum.scenario.draft'); return true");
    b.resize(390, 844);
    b.open(&format!("{}/?lang=ja#scenario", server.base));
    b.wait(
        "the base rates in Japanese",
        "const e = document.querySelector('#base-rate-east-asia-proliferation[data-p]'); return e && e.textContent.includes('核')",
    );
    let note = b.js(
        "const n = document.querySelector('#base-rate-note'); return !n.hidden && n.textContent",
    );
    assert!(note.as_str().unwrap().contains("予測ではない"), "{note}");
    b.screenshot("scenario-base-rates-ja-phone");
    b.resize(1280, 900);
    let errors = b.js("return (window.__errors || []).length");
    assert_eq!(errors, json!(0));
    // The console's only errors are the refused run above (so the log is read) and, when the
    // editor's live check reached the bad text first, its refusal of the same input.
    let console = b.console_errors();
    assert!(
        console
            .iter()
            .any(|e| e.contains("/api/scenarios/run") && e.contains("400")),
        "{console:?}"
    );
    assert!(
        console.iter().all(|e| e.contains("400")
            && (e.contains("/api/scenarios/run") || e.contains("/api/scenarios/check"))),
        "{console:?}"
    );
}

/// Weekdays from 2025-02-19 to 2025-07-15, rising by $3 a day from $2,930 (the store's gold
/// ends on 2025-02-18): $3,000 is first reached on 2025-03-25 and $3,200 on 2025-06-25, so
/// the example's calls have events that resolved either way.
fn later_prices_csv() -> String {
    let mut csv = String::from("Date,Close\n");
    let mut d = aurum_core::date(2025, 2, 19);
    let mut n = 0;
    while d <= aurum_core::date(2025, 7, 15) {
        if chrono::Datelike::weekday(&d).number_from_monday() <= 5 {
            csv.push_str(&format!("{d},{:.2}\n", 2930.0 + 3.0 * f64::from(n)));
            n += 1;
        }
        d = d.succ_opt().unwrap();
    }
    csv
}

/// The text a probability has on the page in English: `0.6330` → `63.3%`.
fn pct(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

#[test]
fn calls_are_listed_scored_and_published_in_chromium() {
    let ctx = TestContext::new();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/us-nato-exit-2025-02-18.toml")
        .display()
        .to_string();
    // Two calls from the example as of 2025-02-18, one published and one a draft, then the
    // prices after it and the ceasefire's outcome.
    let later = ctx.write("later.csv", &later_prices_csv());
    ctx.run(&["data", "import", &later, "--series", "gold-usd-lbma-pm"])
        .ok();
    for extra in [&["--publish", "--label", "NATO note"][..], &[][..]] {
        let mut args = vec![
            "scenario", "run", &example, "--paths", "1000", "--seed", "3",
        ];
        args.extend_from_slice(extra);
        args.push("--no-contributions");
        ctx.run(&args).ok();
    }
    ctx.run(&[
        "scenario",
        "resolve",
        &example,
        "--scenario",
        "ukraine-ceasefire",
        "--happened",
        "no",
        "--date",
        "2025-06-30",
    ])
    .ok();
    let server = Server::start(&ctx, &[]);
    let (_, list) = server.get("/api/calls");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    let published = list.iter().find(|c| c["published"] == true).unwrap()["id"]
        .as_i64()
        .unwrap();
    let draft = list.iter().find(|c| c["published"] == false).unwrap()["id"]
        .as_i64()
        .unwrap();
    let b = Browser::start();

    // The list: published calls only until drafts are asked for, scored as of the page's date.
    b.open_when(
        &format!("{}/?lang=en#calls", server.base),
        "the calls",
        "return document.querySelectorAll('#calls-rows tr[data-id]').length === 1",
    );
    let row = format!("#calls-rows tr[data-id=\"{published}\"]");
    assert_eq!(
        b.js(&format!(
            "return document.querySelector('{row}').dataset.status"
        )),
        json!("published")
    );
    let as_of = b
        .js("return document.querySelector('#as-of').value")
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        as_of, "2025-07-15",
        "the page's as-of date is the last price"
    );
    let caption = b.text("#calls-caption");
    assert!(
        caption.contains("scored as known at the end of 2025-07-15"),
        "{caption}"
    );
    assert_eq!(
        b.js("return document.querySelector('[role=tab][aria-selected=true]').id"),
        json!("tab-calls")
    );
    b.click("#calls-drafts");
    b.wait(
        "the drafts",
        "return document.querySelectorAll('#calls-rows tr[data-id]').length === 2",
    );
    let draft_row = format!("#calls-rows tr[data-id=\"{draft}\"]");
    assert_eq!(
        b.js(&format!(
            "return document.querySelector('{draft_row}').dataset.status"
        )),
        json!("draft")
    );
    // Each row's counts and Brier score are the score endpoint's as of the same day.
    let (code, scores) = server.get(&format!("/api/calls/score?drafts=true&as_of={as_of}"));
    assert_eq!(code, 200, "{scores}");
    for c in scores["calls"].as_array().unwrap() {
        let id = c["id"].as_i64().unwrap();
        let cell = |col: &str| {
            b.text(&format!(
                "#calls-rows tr[data-id=\"{id}\"] td[data-col=\"{col}\"]"
            ))
        };
        assert_eq!(cell("resolved"), c["resolved"].to_string());
        assert_eq!(cell("open"), c["open"].to_string());
        assert_eq!(
            cell("brier"),
            format!("{:.3}", c["brier"].as_f64().unwrap())
        );
    }
    // Keyboard: the tabs go round with the arrow keys, the calls tab last.
    assert_eq!(
        b.js("return [...document.querySelectorAll('[role=tab]')].map(t => t.tabIndex).join()"),
        json!("-1,-1,-1,-1,-1,0")
    );

    // The published call's detail: one row per event the call printed, with its probability
    // and the outcome the score endpoint gives.
    b.click(&format!("#call-open-{published}"));
    b.wait(
        "the call's detail",
        &format!(
            "const d = document.querySelector('#call-detail'); return !d.hidden && d.dataset.id === '{published}' && document.querySelectorAll('#call-events-rows tr').length > 0"
        ),
    );
    let (_, call) = server.get(&format!("/api/calls/{published}"));
    let (_, scored) = server.get(&format!(
        "/api/calls/score?ids={published}&drafts=true&as_of={as_of}"
    ));
    let events = call["doc"]["events"].as_array().unwrap();
    let scored_events = scored["calls"][0]["events"].as_array().unwrap();
    let rows = b.js(
        "return [...document.querySelectorAll('#call-events-rows tr')].map(r => ({ \
           p: Number(r.querySelector('[data-col=p]').dataset.value), \
           text: r.querySelector('[data-col=p]').textContent, \
           outcome: r.querySelector('[data-col=outcome]').dataset.value, \
           words: r.querySelector('th').textContent }))",
    );
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), events.len());
    assert_eq!(events.len(), 18, "three targets, six events each");
    for ((row, e), s) in rows.iter().zip(events).zip(scored_events) {
        assert_eq!(row["p"].as_f64(), e["p"].as_f64(), "{row} {e}");
        assert_eq!(row["text"], json!(pct(e["p"].as_f64().unwrap())), "{row}");
        assert_eq!(row["outcome"], s["outcome"], "{row} {s}");
    }
    assert_eq!(rows[1]["words"], json!("reaches $3,000 by 31 Mar"));
    assert_eq!(
        b.text("#call-event-1 [data-col=outcome]"),
        "yes, 25 Mar",
        "$3,000 was first reached on 25 March"
    );
    assert_eq!(
        rows[5]["words"],
        json!("closes at or above $3,000 on 30 Jun")
    );
    let totals = b.text("#call-totals");
    let brier = scored["calls"][0]["brier"].as_f64().unwrap();
    assert!(totals.contains(&format!("{brier:.3}")), "{totals}");
    assert!(
        totals.contains("0 is perfect; always 50% scores 0.25"),
        "{totals}"
    );
    let right = scored["total"]["leaned_right"].as_u64().unwrap();
    assert!(
        totals.contains(&format!("{right} of 18 leaned")),
        "{totals}"
    );
    let horizon = b.text("#call-horizon");
    assert!(horizon.contains("$3,209.00"), "{horizon}");
    assert!(
        b.text("#call-judgements-rows tr[data-scenario=\"ukraine-ceasefire\"] [data-col=outcome]")
            .contains("did not happen, 30 Jun")
    );
    assert_eq!(
        b.js("return location.hash"),
        json!(format!("#calls/{published}"))
    );
    b.page_screenshot("calls-en", 1280);

    // Publishing the draft from its row, with a label typed inline.
    b.click(&format!("#call-publish-{draft}"));
    b.wait(
        "the publish form",
        &format!(
            "return document.activeElement && document.activeElement.id === 'publish-label-{draft}'"
        ),
    );
    b.screenshot("calls-publish-en");
    b.type_into(&format!("#publish-label-{draft}"), "Second look");
    b.click(&format!("#publish-confirm-{draft}"));
    b.wait(
        "the draft published",
        &format!(
            "const r = document.querySelector('{draft_row}'); return r && r.dataset.status === 'published'"
        ),
    );
    let (_, now) = server.get(&format!("/api/calls/{draft}"));
    assert_eq!(now["published"], json!(true), "{now}");
    assert_eq!(now["label"], json!("Second look"), "{now}");
    assert!(
        b.text("#calls-status")
            .contains(&format!("Call #{draft} published"))
    );

    // The language switch redraws the open call in Japanese.
    b.click("#lang-ja");
    assert_eq!(b.text("#call-event-1 th"), "3月31日までに3,000ドルに到達");
    assert_eq!(
        b.text("#call-event-1 [data-col=outcome]"),
        "実現（3月25日）"
    );
    b.click("#lang-en");

    // As known at the end of 15 April: the June events are still open, as the API says; as
    // of a day before the calls were made, they are not scored at all.
    b.open(&format!(
        "{}/?lang=en&as_of=2025-04-15#calls/{published}",
        server.base
    ));
    b.wait(
        "the call as of 15 April",
        &format!(
            "const d = document.querySelector('#call-detail'); return !d.hidden && d.dataset.id === '{published}' && document.querySelectorAll('#calls-rows tr[data-id]').length > 0"
        ),
    );
    assert!(b.text("#calls-caption").contains("2025-04-15"));
    let (_, april) = server.get(&format!(
        "/api/calls/score?ids={published}&as_of=2025-04-15"
    ));
    let open = april["calls"][0]["open"].as_u64().unwrap();
    assert!(open > 0);
    assert_eq!(
        b.text(&format!("{row} td[data-col=\"open\"]")),
        open.to_string()
    );
    let open_rows = b.js(
        "return document.querySelectorAll('#call-events-rows [data-col=outcome][data-value=open]').length",
    );
    assert_eq!(open_rows, json!(open));
    b.open(&format!(
        "{}/?lang=en&as_of=2025-02-10#calls/{published}",
        server.base
    ));
    b.wait(
        "the call made after the as-of date",
        "const n = document.querySelector('#call-not-scored'); return !n.hidden && n.textContent",
    );
    assert!(
        b.text(&format!("{row} td.after"))
            .contains("made after the as-of date")
    );
    assert_eq!(
        b.js("return document.querySelectorAll('#call-events-rows tr').length"),
        json!(events.len())
    );

    // A run in the scenario editor, published with a label: it says which call it recorded
    // and links to it.
    b.open_when(
        &format!("{}/?lang=en#scenario", server.base),
        "the scenario form",
        SCENARIO_READY,
    );
    b.type_into("#sc-paths", "1000");
    b.click("#sc-publish");
    b.type_into("#sc-label", "From the editor");
    b.click("#run-scenario");
    let id = b.wait(
        "the recorded call",
        "const a = document.querySelector('#results-call-link'); return a && a.dataset.id",
    );
    let id: i64 = id.as_str().unwrap().parse().unwrap();
    let (_, made) = server.get(&format!("/api/calls/{id}"));
    assert_eq!(made["published"], json!(true), "{made}");
    assert_eq!(made["label"], json!("From the editor"), "{made}");
    assert!(
        b.text("#results-call")
            .contains(&format!("Recorded as call #{id} (published)"))
    );
    b.js(
        "document.querySelector('#scenario-table').scrollIntoView({ block: 'start' }); return true",
    );
    b.screenshot("scenario-publish-en");
    b.click("#results-call-link");
    b.wait(
        "the new call in the calls tab",
        &format!(
            "const d = document.querySelector('#call-detail'); return document.querySelector('#tab-calls').getAttribute('aria-selected') === 'true' && !d.hidden && d.dataset.id === '{id}'"
        ),
    );
    assert_eq!(
        b.js("return document.querySelectorAll('#call-events-rows tr').length"),
        json!(made["doc"]["events"].as_array().unwrap().len())
    );

    // Japanese, on a desktop and on a phone: the words, the dates and nothing wider than
    // the screen (wide tables scroll inside their frame).
    for (width, suffix) in [(1280, ""), (390, "-phone")] {
        for lang in ["en", "ja"] {
            b.resize(width, 900);
            b.open(&format!("{}/?lang={lang}#calls/{published}", server.base));
            b.wait(
                "the call's detail",
                &format!(
                    "const d = document.querySelector('#call-detail'); return !d.hidden && d.dataset.id === '{published}' && document.querySelectorAll('#calls-rows tr[data-id]').length > 0"
                ),
            );
            if lang == "ja" {
                assert_eq!(b.text("#call-event-1 th"), "3月31日までに3,000ドルに到達");
                assert_eq!(
                    b.text("#call-event-1 [data-col=outcome]"),
                    "実現（3月25日）"
                );
                assert!(
                    b.text("#calls-caption").contains("2025年7月15日"),
                    "{}",
                    b.text("#calls-caption")
                );
                assert!(b.text("#call-totals").contains("0が満点"));
            }
            let overflow = b.js(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            );
            assert!(
                overflow.as_i64().unwrap() <= 0,
                "{lang} at {width}px is wider than the window by {overflow}px"
            );
            if width < 500 {
                let scrolls = b.js(
                    "const w = document.querySelector('#calls-table').closest('.table-wrap'); return w.scrollWidth > w.clientWidth",
                );
                assert_eq!(scrolls, json!(true), "the calls table scrolls in its frame");
            }
            if !(lang == "en" && suffix.is_empty()) {
                b.page_screenshot(&format!("calls-{lang}{suffix}"), width);
            }
            let errors = b.page_errors();
            assert_eq!(errors, json!(""));
        }
    }
    b.resize(1280, 900);
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

/// The laid-out boxes of the chart's markers and target labels, as the page exposes them.
fn marker_boxes(b: &Browser) -> Vec<Value> {
    b.js("return window.__aurumTest.markers()")
        .as_array()
        .unwrap()
        .clone()
}

/// Pairs of boxes that overlap.
fn overlapping(boxes: &[Value]) -> Vec<(String, String)> {
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
    let mut out = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        for c in &boxes[i + 1..] {
            if f(a, "left") < f(c, "right")
                && f(c, "left") < f(a, "right")
                && f(a, "top") < f(c, "bottom")
                && f(c, "top") < f(a, "bottom")
            {
                out.push((a.to_string(), c.to_string()));
            }
        }
    }
    out
}

/// Waits for the markers' layout after `script` changed the chart's range or size.
fn relayout(b: &Browser, script: &str) {
    let before = b
        .js("return +document.querySelector('#chart-markers').dataset.layout")
        .as_i64()
        .unwrap();
    b.js(&format!("{script}; return true"));
    b.wait(
        "the markers laid out again",
        &format!("return +document.querySelector('#chart-markers').dataset.layout > {before}"),
    );
    // A second pass once the prices have rescaled.
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn chart_markers_group_by_week_and_never_overlap_in_chromium() {
    let ctx = TestContext::new();
    let server = Server::start(&ctx, &[]);
    let b = Browser::start();
    for lang in ["en", "ja"] {
        b.resize(1280, 800);
        b.open_when(&format!("{}/?lang={lang}#chart", server.base), "the chart",
            "return document.querySelector('#price-chart[data-ready=\"1\"]') !== null && +document.querySelector('#chart-markers').dataset.layout > 0");
        b.type_into("#chart-targets", "2,900, 3000");
        b.click("#chart-apply");
        b.wait(
            "the target labels",
            "return document.querySelectorAll('#chart-markers .target-label').length === 2 && +document.querySelector('#chart-markers').dataset.layout > 0",
        );
        // The whole range: too narrow for labels, so dots, none over another.
        relayout(&b, "window.__aurumTest.zoom()");
        let all = marker_boxes(&b);
        assert!(
            all.iter().filter(|m| m["kind"] == "marker").count() > 10,
            "{all:?}"
        );
        assert_eq!(
            b.js("return document.querySelector('#chart-markers').dataset.compact"),
            json!("true"),
            "labels hidden when zoomed out"
        );
        assert_eq!(overlapping(&all), vec![], "zoomed out");

        // Jan–Feb 2025: a label on each week, one marker per week, the count of a week with
        // several events, every event of the weeks in one of them, none over another or
        // over a target's label.
        relayout(&b, "window.__aurumTest.zoom('2024-12-30', '2025-02-21')");
        assert_eq!(
            b.js("return document.querySelector('#chart-markers').dataset.compact"),
            json!("false")
        );
        let boxes = marker_boxes(&b);
        let markers: Vec<&Value> = boxes.iter().filter(|m| m["kind"] == "marker").collect();
        let weeks: Vec<&str> = markers
            .iter()
            .map(|m| m["time"].as_str().unwrap())
            .collect();
        let mut distinct = weeks.clone();
        distinct.dedup();
        assert_eq!(weeks, distinct, "one marker per week");
        let in_range = b.js(
            "return [...document.querySelectorAll('#chart-markers .marker')].filter(m => m.dataset.time >= '2025-01-01' && m.dataset.time <= '2025-02-21').map(m => m.id)",
        );
        let shown: Vec<&str> = markers
            .iter()
            .filter(|m| m["time"].as_str().unwrap() >= "2025-01-01")
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            in_range.as_array().unwrap().len(),
            shown.len(),
            "a marker of Jan–Feb 2025 is hidden: {boxes:?}"
        );
        let group = markers
            .iter()
            .find(|m| m["count"].as_i64().unwrap() > 1)
            .unwrap_or_else(|| panic!("no week with several events in Jan–Feb 2025: {boxes:?}"));
        let n = group["count"].as_i64().unwrap();
        let words = if lang == "ja" {
            format!("{n}件")
        } else {
            format!("{n} events")
        };
        assert_eq!(group["text"], json!(words), "{group}");
        assert_eq!(
            boxes.iter().filter(|m| m["kind"] == "target").count(),
            2,
            "{boxes:?}"
        );
        assert_eq!(overlapping(&boxes), vec![], "Jan–Feb 2025");

        // Hovering the group lists its events; a tap pins the list, a second closes it.
        let id = group["id"].as_str().unwrap().to_owned();
        let e = b.element(&format!("#{id}"));
        b.cmd(
            "/actions",
            &json!({ "actions": [{ "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
                "actions": [{ "type": "pointerMove", "duration": 0, "origin": { ELEMENT: e }, "x": 0, "y": 0 }] }] }),
        );
        let hovered = b.wait(
            "the week's events on hover",
            "const p = document.querySelector('#marker-pop'); return !p.hidden && p.querySelectorAll('li').length",
        );
        assert_eq!(hovered, json!(n));
        b.cmd(
            "/actions",
            &json!({ "actions": [{ "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
                "actions": [{ "type": "pointerMove", "duration": 0, "x": 5, "y": 5 }] }] }),
        );
        b.wait(
            "the list closed when the pointer leaves",
            "return document.querySelector('#marker-pop').hidden",
        );
        b.click(&format!("#{id}"));
        let items = b.wait(
            "the week's events",
            "const p = document.querySelector('#marker-pop'); return !p.hidden && p.querySelectorAll('li').length",
        );
        assert_eq!(items, json!(n));
        assert_eq!(
            b.js(&format!(
                "return document.querySelector('#{id}').getAttribute('aria-expanded')"
            )),
            json!("true")
        );
        b.screenshot(&format!("chart-markers-2025-{lang}"));
        b.click(&format!("#{id}"));
        assert_eq!(
            b.js("return document.querySelector('#marker-pop').hidden"),
            json!(true)
        );

        // On a phone, the same weeks.
        b.resize(390, 844);
        relayout(&b, "window.__aurumTest.zoom('2024-12-30', '2025-02-21')");
        let phone = marker_boxes(&b);
        assert_eq!(overlapping(&phone), vec![], "Jan–Feb 2025 on a phone");
        b.screenshot(&format!("chart-markers-2025-{lang}-phone"));
        let errors = b.page_errors();
        assert_eq!(errors, json!(""));
    }
    b.resize(1280, 900);
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

/// Whether the scenario results are marked stale: `data-stale`, the note and the grey.
fn staleness(b: &Browser) -> Value {
    b.js(
        "const r = document.querySelector('#scenario-results'); \
         const n = document.querySelector('#results-stale'); \
         return { stale: r.dataset.stale || null, note: n.hidden ? null : n.textContent.trim(), \
                  described: r.getAttribute('aria-describedby'), \
                  opacity: Number(getComputedStyle(document.querySelector('#results-table').closest('.table-wrap')).opacity) }",
    )
}

#[test]
fn stale_results_are_marked_and_errors_are_worded_in_japanese_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#scenario",
        "the scenario form",
        SCENARIO_READY,
    );
    let b = &d.b;
    b.type_into("#sc-paths", "1000");
    b.click("#run-scenario");
    b.wait(
        "the run",
        "const e = document.querySelector('#p-touch-0'); return e && e.textContent.trim()",
    );
    // The scenario file is folded away and the results come into view.
    assert_eq!(
        b.js("return document.querySelector('#toml-details').open"),
        json!(false)
    );
    let top = b.js(
        "const r = document.querySelector('#scenario-results').getBoundingClientRect(); return r.top > -2 && r.top < innerHeight / 2 || [r.top, innerHeight].join()",
    );
    assert_eq!(top, json!(true), "the results are in view after the run");
    let fresh = staleness(b);
    assert_eq!(fresh["stale"], Value::Null, "{fresh}");
    assert_eq!(fresh["note"], Value::Null, "{fresh}");
    assert_eq!(fresh["opacity"].as_f64(), Some(1.0), "{fresh}");

    // An edit greys the results out and says so at once; the label does not change the numbers.
    b.type_into("#sc-label", "a note");
    assert_eq!(staleness(b)["stale"], Value::Null);
    b.type_into("#prob-ukraine-ceasefire", "0.5");
    let edited = staleness(b);
    assert_eq!(edited["stale"], json!("edited"), "{edited}");
    assert_eq!(edited["described"], json!("results-stale"), "{edited}");
    assert!(
        edited["note"].as_str().unwrap().contains("Inputs changed"),
        "{edited}"
    );
    assert!(edited["opacity"].as_f64().unwrap() < 0.6, "{edited}");
    b.js(
        "document.querySelector('#scenario-results').scrollIntoView({ block: 'start' }); return true",
    );
    b.screenshot("scenario-stale-en");
    // Running again makes them current.
    b.click("#results-rerun");
    b.wait(
        "the results current again",
        "return !document.querySelector('#scenario-results').dataset.stale && document.querySelector('#run-scenario').getAttribute('aria-busy') === null",
    );
    assert_eq!(staleness(b)["opacity"].as_f64(), Some(1.0));
    // The targets field counts as an edit too.
    b.js(
        "const f = document.querySelector('#sc-targets'); f.value = '3,000, 3200'; \
         f.dispatchEvent(new Event('input', {bubbles: true})); return true",
    );
    assert_eq!(staleness(b)["stale"], json!("edited"));
    b.click("#run-scenario");
    b.wait(
        "the results current again",
        "return !document.querySelector('#scenario-results').dataset.stale && document.querySelector('#run-scenario').getAttribute('aria-busy') === null",
    );

    // In Japanese, a run refused for a probability of 1.5: the results are marked as from an
    // earlier run, the error is worded in Japanese with the scenario's name, and the
    // server's own message is behind a disclosure.
    b.click("#lang-ja");
    // The page's own check, which would catch it first, switched off.
    b.js("window.__aurumTest.noValidate = true; return true");
    b.type_into("#prob-ukraine-ceasefire", "1.5");
    b.click("#run-scenario");
    let err = b.wait(
        "the error",
        "const e = document.querySelector('#error'); return e && !e.hidden && e.dataset.code && document.querySelector('#error-text').textContent.trim()",
    );
    assert_eq!(
        err,
        json!("ウクライナ停戦合意：発生確率は0から1までの数で入力してください。")
    );
    assert_eq!(
        b.js(
            "const e = document.querySelector('#error'); return [e.dataset.code, e.dataset.field]"
        ),
        json!(["invalid_input", "probability"])
    );
    let detail = b.js(
        "const d = document.querySelector('#error-detail'); return { hidden: d.hidden, open: d.open, summary: d.querySelector('summary').textContent, text: d.querySelector('code').textContent }",
    );
    assert_eq!(detail["hidden"], json!(false), "{detail}");
    assert_eq!(detail["open"], json!(false), "{detail}");
    assert_eq!(detail["summary"], json!("技術的な詳細"), "{detail}");
    let text = detail["text"].as_str().unwrap();
    assert!(
        text.contains("probability") && text.contains("1.5") && text.contains("ukraine-ceasefire"),
        "{detail}"
    );
    assert_eq!(
        b.js(
            "return document.querySelector('#prob-ukraine-ceasefire').getAttribute('aria-invalid')"
        ),
        json!("true")
    );
    let failed = staleness(b);
    assert_eq!(failed["stale"], json!("failed"), "{failed}");
    assert!(
        failed["note"]
            .as_str()
            .unwrap()
            .contains("直前の実行は失敗しました"),
        "{failed}"
    );
    b.click("#error-detail summary");
    b.js("window.scrollTo(0, 0); return true");
    b.screenshot("scenario-error-ja");
    b.resize(390, 844);
    b.screenshot("scenario-error-ja-phone");
    b.resize(1280, 900);
    // The language switch words the same error in English.
    b.click("#lang-en");
    assert_eq!(
        b.text("#error-text"),
        "Ukraine ceasefire agreed: A probability must be a number from 0 to 1."
    );
    b.screenshot("scenario-error-en");
    let errors = b.page_errors();
    assert_eq!(errors, json!(""));
    let console = b.console_errors();
    assert!(
        console.iter().all(|e| e.contains("400")
            && (e.contains("/api/scenarios/run") || e.contains("/api/scenarios/check"))),
        "{console:?}"
    );
}

/// The view the page shows: the chart's inputs, what it drew, the tab and the open run.
fn view(b: &Browser) -> Value {
    b.js(
        "const c = document.querySelector('#price-chart'); const d = document.querySelector('#run-detail'); \
         return { series: document.querySelector('#chart-series').value, from: document.querySelector('#chart-from').value, \
                  targets: document.querySelector('#chart-targets').value, as_of: document.querySelector('#as-of').value, \
                  tab: document.querySelector('[role=tab][aria-selected=true]').dataset.tab, \
                  drawn: c.dataset.ready === '1' ? c.dataset.series : null, \
                  lines: document.querySelectorAll('#chart-markers .target-label').length, \
                  run: d && !d.hidden && document.querySelector('#run-detail-title').textContent.match(/#(\\d+)/) ? document.querySelector('#run-detail-title').textContent.match(/#(\\d+)/)[1] : null }",
    )
}

#[test]
fn the_view_lives_in_the_url_in_chromium() {
    let ctx = TestContext::new();
    let server = Server::start(&ctx, &[]);
    let example = fs_err::read_to_string("../../examples/us-nato-exit-2025-02-18.toml").unwrap();
    let (code, run) = server.post(
        "/api/scenarios/run",
        &json!({ "toml": example, "paths": 1000, "seed": 1 }),
    );
    assert_eq!(code, 200, "{run}");
    let run_id = run["run_id"].to_string();
    let b = Browser::start();
    b.open_when(
        &format!("{}/?lang=en#chart", server.base),
        "the chart",
        CHART_READY,
    );
    let start = b.js("return location.href");
    // Another series, an earlier start and two targets: the address says so.
    let other = b
        .js("return [...document.querySelectorAll('#chart-series option')].map(o => o.value).find(v => v !== 'gold-usd-lbma-pm' && /^gold/.test(v))")
        .as_str()
        .unwrap()
        .to_owned();
    b.js(&format!(
        "const s = document.querySelector('#chart-series'); s.value = '{other}'; s.dispatchEvent(new Event('change')); return true"
    ));
    b.js(
        "const f = document.querySelector('#chart-from'); f.value = '2024-06-03'; f.dispatchEvent(new Event('change')); return true",
    );
    b.type_into("#chart-targets", "2,800, 3000");
    b.click("#chart-apply");
    let wanted = json!({ "series": other, "from": "2024-06-03", "targets": "2,800, 3000" });
    let chart_view = b.wait(
        "the chart of the other series",
        &format!(
            "const c = document.querySelector('#price-chart'); return c.dataset.ready === '1' && c.dataset.series === '{other}' && document.querySelectorAll('#chart-markers .target-label').length === 2 && location.href"
        ),
    );
    let url = chart_view.as_str().unwrap().to_owned();
    assert!(url.contains(&format!("series={other}")), "{url}");
    assert!(url.contains("from=2024-06-03"), "{url}");
    assert!(url.contains("targets=2%2C800%2C+3000"), "{url}");
    assert!(url.ends_with("#chart"), "{url}");

    // The runs tab and a run: each a step in the history.
    b.click("#tab-runs");
    b.wait(
        "the runs",
        &format!("return document.querySelector('#run-open-{run_id}') !== null"),
    );
    b.click(&format!("#run-open-{run_id}"));
    b.wait(
        "the run's detail",
        &format!("return location.hash === '#runs/{run_id}'"),
    );
    let run_url = b.js("return location.href").as_str().unwrap().to_owned();
    assert!(run_url.contains(&format!("series={other}")), "{run_url}");
    assert_eq!(view(&b)["run"], json!(run_id));

    // Back: the runs list, then the chart as it was; forward again: the run.
    b.js("history.back(); return true");
    b.wait(
        "the runs tab without a run",
        "return location.hash === '#runs'",
    );
    let v = b.wait(
        "the list without the detail",
        "return document.querySelector('#run-detail').hidden",
    );
    assert_eq!(v, json!(true));
    b.js("history.back(); return true");
    b.wait(
        "the chart tab",
        "return location.hash === '#chart' && document.querySelector('#tab-chart').getAttribute('aria-selected') === 'true'",
    );
    let v = view(&b);
    for k in ["series", "from", "targets"] {
        assert_eq!(v[k], wanted[k], "{v}");
    }
    // Further back: the first chart, redrawn from the address.
    b.js("history.go(-3); return true");
    b.wait(
        "the first chart",
        "const c = document.querySelector('#price-chart'); return c.dataset.ready === '1' && c.dataset.series === 'gold-usd-lbma-pm'",
    );
    assert_eq!(b.js("return location.href"), start);
    let v = view(&b);
    assert_eq!(v["from"], json!("2023-01-01"), "{v}");
    assert_eq!(v["targets"], json!("3000"), "{v}");
    b.js("history.go(5); return true");
    b.wait(
        "the run again",
        &format!(
            "return location.hash === '#runs/{run_id}' && !document.querySelector('#run-detail').hidden"
        ),
    );
    assert_eq!(view(&b)["run"], json!(run_id));

    // Loading the addresses restores their views, in a fresh page.
    b.open(&url);
    let v = b.wait(
        "the chart from its address",
        &format!(
            "const c = document.querySelector('#price-chart'); return c.dataset.ready === '1' && c.dataset.series === '{other}' && document.querySelectorAll('#chart-markers .target-label').length === 2"
        ),
    );
    assert_eq!(v, json!(true));
    let v = view(&b);
    for k in ["series", "from", "targets"] {
        assert_eq!(v[k], wanted[k], "{v}");
    }
    assert_eq!(v["tab"], json!("chart"));
    let bars: usize = b
        .js("return document.querySelector('#price-chart').dataset.bars")
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (_, api) = server.get(&format!(
        "/api/series/{other}/bars?freq=weekly&from=2024-06-03&as_of={}",
        v["as_of"].as_str().unwrap()
    ));
    assert_eq!(bars, api.as_array().unwrap().len());
    b.open_when(
        &run_url,
        "the run from its address",
        "return !document.querySelector('#run-detail').hidden",
    );
    let v = view(&b);
    assert_eq!(
        (v["tab"].clone(), v["run"].clone()),
        (json!("runs"), json!(run_id))
    );
    // The run reads as a summary: its targets and scenarios as the run answered them, the
    // raw JSON folded away.
    let targets = run["targets"].as_array().unwrap();
    assert!(!targets.is_empty());
    assert_eq!(
        b.js("return document.querySelectorAll('#run-targets-rows tr').length"),
        json!(targets.len())
    );
    assert_eq!(
        b.text("#run-targets-rows tr [data-col=p-touch]"),
        pct(targets[0]["p_touch"].as_f64().unwrap())
    );
    assert_eq!(
        b.js("return document.querySelectorAll('#run-scenarios-rows tr').length"),
        json!(run["scenarios"].as_array().unwrap().len())
    );
    assert_eq!(
        b.js("return document.querySelector('#run-raw').open"),
        json!(false)
    );
    assert!(
        b.text("#run-summary").contains("1,000"),
        "{}",
        b.text("#run-summary")
    );
    assert_eq!(v["series"], json!(other));
    // The as-of date joins the address when it is not the last price's.
    b.js(
        "const a = document.querySelector('#as-of'); a.value = '2024-12-31'; a.dispatchEvent(new Event('change')); return true",
    );
    assert!(
        b.js("return location.search")
            .as_str()
            .unwrap()
            .contains("as_of=2024-12-31")
    );
    let errors = b.page_errors();
    assert_eq!(errors, json!(""));
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

/// The most common colour of the price chart's canvas, as `rgb(r, g, b)`.
fn chart_canvas_colour(b: &Browser) -> Value {
    b.js(
        "const c = document.querySelector('#price-chart canvas'); const x = c.getContext('2d'); \
         const d = x.getImageData(0, 0, c.width, c.height).data; const n = {}; \
         for (let i = 0; i < d.length; i += 4 * 97) { const k = `rgb(${d[i]}, ${d[i + 1]}, ${d[i + 2]})`; n[k] = (n[k] || 0) + 1; } \
         return Object.entries(n).sort((a, b) => b[1] - a[1])[0][0]",
    )
}

#[test]
fn dark_mode_follows_the_system_in_chromium() {
    let d = Dashboard::open(&[], "/?lang=en#chart", "the chart", CHART_READY);
    let (b, server) = (&d.b, &d.server);
    let body_bg = "return getComputedStyle(document.documentElement).backgroundColor";
    assert_eq!(b.js(body_bg), json!("rgb(255, 255, 255)"));
    assert_eq!(chart_canvas_colour(b), json!("rgb(255, 255, 255)"));

    // The system turns dark: the page and the chart's canvas follow at once.
    b.cmd(
        "/goog/cdp/execute",
        &json!({ "cmd": "Emulation.setEmulatedMedia", "params": { "features": [
            { "name": "prefers-color-scheme", "value": "dark" }
        ] } }),
    );
    assert_eq!(
        b.js("return matchMedia('(prefers-color-scheme: dark)').matches"),
        json!(true)
    );
    assert_eq!(b.js(body_bg), json!("rgb(23, 24, 26)"));
    b.wait(
        "the chart redrawn dark",
        "const c = document.querySelector('#price-chart canvas'); const p = c.getContext('2d').getImageData(2, 2, 1, 1).data; return p[0] < 60",
    );
    assert_eq!(chart_canvas_colour(b), json!("rgb(23, 24, 26)"));
    b.screenshot("chart-dark-en");

    // Loaded dark, in both languages, on a desktop and a phone.
    for (width, suffix) in [(1280, ""), (390, "-phone")] {
        for lang in ["en", "ja"] {
            b.resize(width, 800);
            b.open_when(
                &format!("{}/?lang={lang}#chart", server.base),
                "the chart",
                CHART_READY,
            );
            assert_eq!(b.js(body_bg), json!("rgb(23, 24, 26)"));
            assert_eq!(chart_canvas_colour(b), json!("rgb(23, 24, 26)"));
            b.screenshot(&format!("chart-dark-{lang}{suffix}"));
            b.open_when(
                &format!("{}/?lang={lang}#scenario", server.base),
                "the scenario form",
                SCENARIO_READY,
            );
            let field = b.js(
                "return getComputedStyle(document.querySelector('#prob-ukraine-ceasefire')).backgroundColor",
            );
            assert_eq!(field, json!("rgb(32, 34, 37)"));
            b.page_screenshot(&format!("scenario-dark-{lang}{suffix}"), width);
            let errors = b.page_errors();
            assert_eq!(errors, json!(""));
        }
    }
    b.resize(1280, 900);
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

/// Waits for the page's `n`th download (from 1) to be read, and returns it.
fn nth_download(b: &Browser, n: usize) -> Value {
    b.wait(
        "the download",
        &format!(
            "const d = window.__aurumTest.downloads(); const x = d[{}]; return d.length >= {n} && x && (x.text !== null || x.head !== null) && x",
            n - 1
        ),
    )
}

/// Writes the page's last download (a PNG) beside the screenshots, for people to look at.
fn save_download(b: &Browser, name: &str) {
    b.js(
        "window.__saved = null; const d = window.__aurumTest.downloads(); const r = new FileReader(); \
         r.onload = () => { window.__saved = r.result; }; r.readAsDataURL(d[d.length - 1].blob); return true",
    );
    let url = b.wait("the download read", "return window.__saved");
    let png = base64(url.as_str().unwrap().split(',').nth(1).unwrap());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    fs_err::create_dir_all(&dir).unwrap();
    fs_err::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// Clicks `css` and returns the download it makes.
fn download_of(b: &Browser, css: &str) -> Value {
    let before = b
        .js("return window.__aurumTest.downloads().length")
        .as_u64()
        .unwrap();
    b.click(css);
    nth_download(b, usize::try_from(before).unwrap() + 1)
}

#[test]
fn tables_export_csv_and_charts_png_in_chromium() {
    let d = Dashboard::open(&[], "/?lang=en#chart", "the chart", CHART_READY);
    let (b, server) = (&d.b, &d.server);
    b.js("window.__aurumTest.noSave = true; return true");

    // The chart's bars: the same text as the API's format=csv for the same query.
    let bars = download_of(b, "#export-csv-bars");
    let query = b
        .js("return '&from=' + document.querySelector('#chart-from').value + '&as_of=' + document.querySelector('#as-of').value")
        .as_str()
        .unwrap()
        .to_owned();
    let mut r = agent()
        .get(&format!(
            "{}/api/series/gold-usd-lbma-pm/bars?freq=weekly&format=csv{query}",
            server.base
        ))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let api = r.body_mut().read_to_string().unwrap();
    assert!(api.lines().count() > 50, "{api}");
    assert_eq!(bars["text"].as_str().unwrap(), api);
    assert_eq!(
        bars["name"],
        json!("aurum-gold-usd-lbma-pm-weekly-2025-02-18.csv")
    );

    // The price chart as PNG, its markers drawn in.
    let png = download_of(b, "#export-png-price-chart");
    assert_eq!(png["type"], json!("image/png"), "{png}");
    assert_eq!(
        png["head"],
        json!([137, 80, 78, 71, 13, 10, 26, 10]),
        "{png}"
    );
    assert!(png["size"].as_u64().unwrap() > 5000, "{png}");
    save_download(b, "chart-export-en");
    assert_eq!(
        download_of(b, "#export-png-gpr-chart")["type"],
        json!("image/png")
    );
    b.screenshot("chart-exports-en");

    // A run's results: the table as shown, and the fan chart.
    b.open_when(
        &format!("{}/?lang=ja#scenario", server.base),
        "the scenario form",
        SCENARIO_READY,
    );
    b.js("window.__aurumTest.noSave = true; return true");
    b.type_into("#sc-paths", "1000");
    b.click("#run-scenario");
    b.wait(
        "the run",
        "const e = document.querySelector('#p-touch-0'); return e && e.textContent.trim() && document.querySelector('#fan-chart[data-ready=\"1\"]')",
    );
    let csv = download_of(b, "#export-csv-results-table");
    let text = csv["text"].as_str().unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    let shown = b.js("return document.querySelectorAll('#results-rows tr').length");
    assert_eq!(lines.len() as u64, shown.as_u64().unwrap() + 1, "{text}");
    let header = b.text("#results-table thead th");
    assert!(lines[0].starts_with(&header), "{text}");
    let p_touch = b.text("#p-touch-0");
    assert!(lines[1].contains(&p_touch), "{text}");
    assert_eq!(
        download_of(b, "#export-png-fan-chart")["head"],
        json!([137, 80, 78, 71, 13, 10, 26, 10])
    );

    // The event study's chart is SVG: drawn to a PNG too.
    b.open_when(
        &format!("{}/?lang=ja#study", server.base),
        "the study form",
        "return document.querySelector('#run-study') !== null",
    );
    b.js("window.__aurumTest.noSave = true; return true");
    b.click("#run-study");
    b.wait(
        "the study",
        "return document.querySelector('#study-chart[data-ready=\"1\"]') !== null && document.querySelectorAll('#study-rows tr').length > 5",
    );
    let study = download_of(b, "#export-png-study-chart");
    assert_eq!(
        study["head"],
        json!([137, 80, 78, 71, 13, 10, 26, 10]),
        "{study}"
    );
    assert!(study["size"].as_u64().unwrap() > 5000, "{study}");
    save_download(b, "study-export-ja");
    let csv = download_of(b, "#export-csv-study-events-table");
    assert!(csv["text"].as_str().unwrap().lines().count() > 5, "{csv}");
    b.screenshot("study-exports-ja");
    let errors = b.page_errors();
    assert_eq!(errors, json!(""));
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

#[test]
fn chart_tools_switch_bars_scale_and_zoom_in_chromium() {
    let d = Dashboard::open(&[], "/?lang=en#chart", "the chart", CHART_READY);
    let (b, server) = (&d.b, &d.server);
    let query = b
        .js("return '&from=' + document.querySelector('#chart-from').value + '&as_of=' + document.querySelector('#as-of').value")
        .as_str()
        .unwrap()
        .to_owned();
    let api_bars = |freq: &str| {
        let (_, v) = server.get(&format!(
            "/api/series/gold-usd-lbma-pm/bars?freq={freq}{query}"
        ));
        v.as_array().unwrap().len() as u64
    };
    let state = |b: &Browser| b.js("return window.__aurumTest.chart()");
    assert_eq!(state(b)["bars"].as_u64(), Some(api_bars("weekly")));
    // Room before the first bar, so that the first date's label is drawn whole.
    let first = b.wait(
        "the chart fitted",
        "const s = window.__aurumTest.chart(); return s.from < -0.4 && s",
    );
    assert!(first["from"].as_f64().unwrap() > -40.0, "{first}");

    // D, W, M: the bars the API gives for each, the title and the address saying which.
    for (button, freq, title) in [
        ("#chart-freq-monthly", "monthly", "monthly"),
        ("#chart-freq-daily", "daily", "daily"),
        ("#chart-freq-weekly", "weekly", "weekly"),
    ] {
        b.click(button);
        let s = b.wait(
            "the bars",
            &format!(
                "const s = window.__aurumTest.chart(); return document.querySelector('#price-chart').dataset.ready === '1' && s && s.freq === '{freq}' && s"
            ),
        );
        assert_eq!(s["bars"].as_u64(), Some(api_bars(freq)), "{freq}");
        assert!(
            b.text("#chart-title").ends_with(title),
            "{}",
            b.text("#chart-title")
        );
        assert_eq!(
            b.js(&format!(
                "return document.querySelector('{button}').getAttribute('aria-pressed')"
            )),
            json!("true")
        );
        let search = b.js("return location.search");
        assert_eq!(
            search.as_str().unwrap().contains(&format!("freq={freq}")),
            freq != "weekly",
            "{search}"
        );
        relayout(b, "window.__aurumTest.zoom()");
        assert_eq!(overlapping(&marker_boxes(b)), vec![], "{freq}");
    }

    // Log scale, kept in the address.
    b.click("#chart-log");
    b.wait(
        "the log scale",
        "return window.__aurumTest.chart().mode === 1",
    );
    assert!(
        b.js("return location.search")
            .as_str()
            .unwrap()
            .contains("log=1")
    );
    b.screenshot("chart-log-en");
    b.click("#chart-log");
    b.wait(
        "the linear scale",
        "return window.__aurumTest.chart().mode === 0",
    );

    // Zoomed into 2025, the reset shows every bar again.
    relayout(b, "window.__aurumTest.zoom('2025-01-01', '2025-02-21')");
    let zoomed = state(b);
    assert!(zoomed["from"].as_f64().unwrap() > 50.0, "{zoomed}");
    b.click("#chart-reset");
    let reset = b.wait(
        "the whole range",
        "const s = window.__aurumTest.chart(); return s.from < -0.4 && s",
    );
    assert!(
        reset["to"].as_f64().unwrap() >= reset["bars"].as_f64().unwrap() - 1.0,
        "{reset}"
    );

    // The series picker: grouped, and a search keeps the series that match; Enter shows
    // the first.
    let groups =
        b.js("return [...document.querySelectorAll('#chart-series optgroup')].map(g => g.label)");
    assert!(
        groups
            .as_array()
            .unwrap()
            .contains(&json!("Geopolitical risk by country")),
        "{groups}"
    );
    b.type_into("#chart-series-search", "usa");
    let shown = b.js(
        "return [...document.querySelectorAll('#chart-series option')].filter(o => !o.hidden).map(o => o.value)",
    );
    let shown: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!shown.is_empty(), "no series for usa");
    assert!(shown.iter().all(|v| v.contains("usa")), "{shown:?}");
    let e = b.element("#chart-series-search");
    b.cmd(
        &format!("/element/{e}/value"),
        &json!({ "text": "\u{e007}" }),
    );
    b.wait(
        "the series found",
        &format!(
            "const c = document.querySelector('#price-chart'); return c.dataset.ready === '1' && c.dataset.series === '{}'",
            shown[0]
        ),
    );
    b.type_into("#chart-series-search", "");
    b.js("const s = document.querySelector('#chart-series'); s.value = 'gold-usd-lbma-pm'; s.dispatchEvent(new Event('change')); return true");
    b.wait(
        "gold again",
        "const c = document.querySelector('#price-chart'); return c.dataset.ready === '1' && c.dataset.series === 'gold-usd-lbma-pm' && window.__aurumTest.chart().freq === 'weekly'",
    );

    // A line drawn with a click, dragged up, then made a target.
    b.click("#chart-hline");
    let chart = b.element("#price-chart");
    let pointer = |actions: Value| {
        b.cmd(
            "/actions",
            &json!({ "actions": [{ "type": "pointer", "id": "mouse",
                "parameters": { "pointerType": "mouse" }, "actions": actions }] }),
        );
    };
    // The chart's centre, 40 pixels up.
    pointer(json!([
        { "type": "pointerMove", "duration": 0, "origin": { ELEMENT: chart }, "x": -100, "y": -40 },
        { "type": "pointerDown", "button": 0 },
        { "type": "pointerUp", "button": 0 }
    ]));
    let drawn = b.wait(
        "the drawn line",
        "const s = window.__aurumTest.chart(); return s.hline !== null && s",
    );
    assert_eq!(
        b.js("return document.querySelector('#chart-hline').getAttribute('aria-pressed')"),
        json!("false")
    );
    let height = b
        .js("return document.querySelector('#price-chart').clientHeight")
        .as_f64()
        .unwrap();
    let line_y = drawn["hlineY"].as_f64().unwrap();
    assert!(
        (line_y - (height / 2.0 - 40.0)).abs() < 3.0,
        "{drawn} {height}"
    );
    let from_centre = (line_y - height / 2.0).round() as i64;
    pointer(json!([
        { "type": "pointerMove", "duration": 0, "origin": { ELEMENT: chart }, "x": -150, "y": from_centre },
        { "type": "pointerDown", "button": 0 },
        { "type": "pointerMove", "duration": 100, "origin": { ELEMENT: chart }, "x": -150, "y": from_centre - 60 },
        { "type": "pointerUp", "button": 0 }
    ]));
    let dragged = b.wait(
        "the line dragged up",
        &format!(
            "const s = window.__aurumTest.chart(); return s.hline > {} && s",
            drawn["hline"]
        ),
    );
    assert!(
        (dragged["hlineY"].as_f64().unwrap() - (line_y - 60.0)).abs() < 3.0,
        "{dragged}"
    );
    assert_eq!(overlapping(&marker_boxes(b)), vec![]);
    b.screenshot("chart-line-en");
    let level = dragged["hline"].as_f64().unwrap().round();
    b.click("#hline-target");
    let targets = b.wait(
        "the line made a target",
        "return document.querySelectorAll('#chart-markers .target-label').length === 2 && document.querySelector('#chart-targets').value",
    );
    assert_eq!(targets, json!(format!("3000, {level}")));
    assert_eq!(state(b)["hline"], Value::Null);
    assert!(
        b.js("return location.search")
            .as_str()
            .unwrap()
            .contains(&format!("targets=3000%2C+{level}"))
    );

    // In Japanese, on a phone.
    b.resize(390, 844);
    b.open(&format!(
        "{}/?lang=ja&freq=monthly&log=1#chart",
        server.base
    ));
    let s = b.wait(
        "the monthly chart from the address",
        "const s = window.__aurumTest.chart(); return document.querySelector('#price-chart').dataset.ready === '1' && s && s.freq === 'monthly' && s",
    );
    assert_eq!(s["mode"], json!(1));
    assert_eq!(b.text("#chart-title"), "金価格 月足推移");
    assert_eq!(b.text("#chart-freq-monthly"), "月");
    b.screenshot("chart-tools-ja-phone");
    b.resize(1280, 900);
    let errors = b.page_errors();
    assert_eq!(errors, json!(""));
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

/// Every page at a desktop's and a phone's width in both languages: nothing wider than the
/// window, no errors, and a screenshot of each for people to look at.
#[test]
fn every_page_fits_desktop_and_phone_in_both_languages_in_chromium() {
    let ctx = TestContext::new();
    let server = Server::start(&ctx, &[]);
    let example = fs_err::read_to_string("../../examples/us-nato-exit-2025-02-18.toml").unwrap();
    let (code, run) = server.post(
        "/api/scenarios/run",
        &json!({ "toml": example, "paths": 1000, "seed": 1 }),
    );
    assert_eq!(code, 200, "{run}");
    let b = Browser::start();
    for (width, height, size) in [(1280, 800, "desktop"), (390, 844, "phone")] {
        for lang in ["en", "ja"] {
            b.viewport(width, height);
            let pages: [(&str, &str, &str); 6] = [
                (
                    "chart",
                    "",
                    "return document.querySelector('#price-chart[data-ready=\"1\"]') !== null && +document.querySelector('#chart-markers').dataset.layout > 0",
                ),
                (
                    "scenario",
                    "document.querySelector('#sc-paths').value = '1000'; document.querySelector('#run-scenario').click()",
                    "return document.querySelector('#fan-chart[data-ready=\"1\"]') !== null && document.querySelector('#p-touch-0') !== null",
                ),
                (
                    "events",
                    "",
                    "return document.querySelectorAll('#events-rows tr[data-id]').length > 100",
                ),
                (
                    "study",
                    "document.querySelector('#run-study').click()",
                    "return document.querySelector('#study-chart[data-ready=\"1\"]') !== null && document.querySelectorAll('#study-rows tr').length > 5",
                ),
                (
                    "runs/1",
                    "",
                    "return !document.querySelector('#run-detail').hidden",
                ),
                (
                    "calls",
                    "",
                    "return document.querySelectorAll('#calls-rows tr').length > 0",
                ),
            ];
            for (page, act, ready) in pages {
                b.open(&format!("{}/?lang={lang}#{page}", server.base));
                if !act.is_empty() {
                    let first = page.split('/').next().unwrap();
                    b.wait(
                        "the form",
                        &format!(
                            "return document.querySelector('#panel-{first}').hidden === false && document.querySelector('#run-{first}') !== null && (document.querySelector('#prob-ukraine-ceasefire') !== null || '{first}' !== 'scenario')"
                        ),
                    );
                    b.js(&format!("{act}; return true"));
                }
                b.wait(page, ready);
                std::thread::sleep(Duration::from_millis(300));
                let overflow = b.js(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                );
                assert!(
                    overflow.as_i64().unwrap() <= 0,
                    "{page} in {lang} at {width}px is wider than the window by {overflow}px"
                );
                let name = page.replace('/', "-");
                // The first screen as the page opens on it, then the whole page.
                b.screenshot(&format!("screen-{name}-{lang}-{size}"));
                b.page_screenshot(&format!("tour-{name}-{lang}-{size}"), width);
                b.viewport(width, height);
                let errors = b.page_errors();
                assert_eq!(errors, json!(""), "{page} {lang} {size}");
            }
        }
    }
    b.resize(1280, 900);
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

/// CPU seconds (user and system) the server child of this test process started with
/// `home` has used so far, read from `/proc`.
fn server_cpu(home: &std::path::Path) -> f64 {
    let me = std::process::id().to_string();
    let home = home.display().to_string();
    for entry in fs_err::read_dir("/proc").unwrap().flatten() {
        let dir = entry.path();
        let Ok(stat) = fs_err::read_to_string(dir.join("stat")) else {
            continue;
        };
        // pid (comm) state ppid … utime stime: fields after the closing parenthesis.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.get(1) != Some(&me.as_str()) {
            continue;
        }
        let cmdline = fs_err::read(dir.join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        if !(cmdline.contains(&home) && cmdline.contains("serve")) {
            continue;
        }
        let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
        return ticks / 100.0;
    }
    panic!("no server process for {home}");
}

#[test]
fn cancel_stops_the_run_on_the_server_in_chromium() {
    // Room for a run that takes many seconds.
    let d = Dashboard::open(
        &["--max-steps", "100000000000"],
        "/?lang=en#scenario",
        "the scenario form",
        SCENARIO_READY,
    );
    let (b, server, ctx) = (&d.b, &d.server, &d.ctx);
    let (_, runs) = server.get("/api/runs");
    let before = runs.as_array().unwrap().len();
    assert_eq!(
        b.js("return document.querySelector('#cancel-run').hidden"),
        json!(true)
    );
    // A large run keeps the server busy: the simulation itself, on a baseline that needs no
    // fitting first.
    b.js("const ta = document.querySelector('#scenario-toml'); \
         ta.value = ta.value.replace('model = \"stack\"', 'model = \"gbm\"\\nvol_pct = 15'); \
         ta.dispatchEvent(new Event('input', {bubbles: true})); return true");
    b.type_into("#sc-paths", "200000");
    b.click("#run-scenario");
    b.wait(
        "the Cancel button",
        "return !document.querySelector('#cancel-run').hidden",
    );
    let cpu0 = server_cpu(ctx.home());
    std::thread::sleep(Duration::from_millis(800));
    let busy = server_cpu(ctx.home()) - cpu0;
    assert!(busy > 0.3, "the server works on the run: {busy} s of CPU");
    assert_eq!(
        b.js("return document.querySelector('#run-scenario').getAttribute('aria-busy')"),
        json!("true"),
        "the run is still going"
    );
    // The run says how far it is.
    let pct = b.wait(
        "the progress",
        "const s = document.querySelector('#run-status'); return s.dataset.fraction && /\\d+%/.test(s.textContent) && s.textContent",
    );
    assert!(pct.as_str().unwrap().contains("Simulating"), "{pct}");
    b.js("document.querySelector('#run-status').scrollIntoView({block: 'center'}); return true");
    b.screenshot("scenario-running-en");
    b.click("#cancel-run");
    let clicked = Instant::now();
    // The server's CPU time stops growing within a second.
    let idle_at = loop {
        let a = server_cpu(ctx.home());
        std::thread::sleep(Duration::from_millis(250));
        let used = server_cpu(ctx.home()) - a;
        if used < 0.05 {
            break clicked.elapsed();
        }
        assert!(
            clicked.elapsed() < Duration::from_secs(3),
            "the server still works after Cancel: {used} s of CPU in 250 ms"
        );
    };
    assert!(
        idle_at < Duration::from_millis(1250),
        "the server went idle {idle_at:?} after Cancel"
    );
    // The form is ready again, saying the run stopped.
    let ui = b.js("const r = document.querySelector('#run-scenario'); \
         return { busy: r.getAttribute('aria-busy'), disabled: r.disabled, \
                  cancel: document.querySelector('#cancel-run').hidden, \
                  status: document.querySelector('#run-status').textContent, \
                  error: document.querySelector('#error').hidden, \
                  results: document.querySelector('#scenario-results').hidden }");
    assert_eq!(ui["busy"], Value::Null, "{ui}");
    assert_eq!(ui["disabled"], json!(false), "{ui}");
    assert_eq!(ui["cancel"], json!(true), "{ui}");
    assert_eq!(ui["error"], json!(true), "{ui}");
    assert_eq!(ui["results"], json!(true), "{ui}");
    assert!(ui["status"].as_str().unwrap().contains("Stopped"), "{ui}");
    b.js("document.querySelector('#run-status').scrollIntoView({block: 'center'}); return true");
    b.screenshot("scenario-cancelled-en");
    // Nothing was recorded, then or later.
    std::thread::sleep(Duration::from_millis(1000));
    let (_, runs) = server.get("/api/runs");
    assert_eq!(runs.as_array().unwrap().len(), before, "{runs}");
    // A run afterwards works as before.
    b.type_into("#sc-paths", "1000");
    b.click("#run-scenario");
    b.wait(
        "the run",
        "const e = document.querySelector('#p-touch-0'); return e && e.textContent.trim()",
    );
    let (_, runs) = server.get("/api/runs");
    assert_eq!(runs.as_array().unwrap().len(), before + 1);
    b.assert_no_errors();
}

/// The text and value beside each scenario's probability: its overall chance when it
/// requires another.
fn overall(b: &Browser, id: &str) -> Value {
    b.js(&format!(
        "const e = document.querySelector('#overall-{id}'); \
         return e && {{ hidden: e.hidden, text: e.textContent, p: e.dataset.overall ? Number(e.dataset.overall) : null }}"
    ))
}

#[test]
fn a_required_scenario_shows_its_overall_probability_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#scenario",
        "the scenario form",
        "return document.querySelector('#prob-us-nato-exit') !== null",
    );
    let b = &d.b;
    // The example's US exit (10%) requires the Ukraine ceasefire (45%).
    let v = overall(b, "us-nato-exit");
    assert_eq!(v["hidden"], json!(false), "{v}");
    assert_eq!(
        v["text"],
        json!("10% given Ukraine ceasefire agreed ≈ 4.5% overall"),
        "{v}"
    );
    assert!((v["p"].as_f64().unwrap() - 0.045).abs() < 1e-12, "{v}");
    // A scenario that requires nothing shows nothing more.
    assert_eq!(overall(b, "ukraine-ceasefire")["hidden"], json!(true));
    // Typing in either field updates it at once.
    b.type_into("#prob-ukraine-ceasefire", "0.8");
    assert_eq!(
        overall(b, "us-nato-exit")["text"],
        json!("10% given Ukraine ceasefire agreed ≈ 8% overall")
    );
    b.type_into("#prob-us-nato-exit", "0.9");
    let v = overall(b, "us-nato-exit");
    assert_eq!(
        v["text"],
        json!("90% given Ukraine ceasefire agreed ≈ 72% overall"),
        "{v}"
    );
    assert!(
        b.js("return document.querySelector('#overall-us-nato-exit').title")
            .as_str()
            .unwrap()
            .contains("rarer"),
    );
    b.screenshot("scenario-overall-en");
    // In Japanese, with the scenario's Japanese name.
    b.click("#lang-ja");
    b.wait(
        "the Japanese names",
        "const e = document.querySelector('#overall-us-nato-exit'); return e && e.textContent.includes('停戦')",
    );
    assert_eq!(
        overall(b, "us-nato-exit")["text"],
        json!("ウクライナ停戦合意を前提に90%（全体では約72%）")
    );
    b.resize(390, 844);
    b.js("document.querySelector('#prob-us-nato-exit').scrollIntoView({block: 'center'}); return true");
    b.screenshot("scenario-overall-ja-phone");
    b.resize(1280, 900);
    assert_eq!(b.page_errors(), json!(""));
    let console = b.console_errors();
    assert!(console.iter().all(|e| e.contains("400")), "{console:?}");
}

#[test]
fn the_whole_scenario_form_is_checked_before_anything_is_sent_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#scenario",
        "the scenario form",
        "return document.querySelector('#prob-us-nato-exit') !== null",
    );
    let (b, server) = (&d.b, &d.server);
    let (_, runs) = server.get("/api/runs");
    let before = runs.as_array().unwrap().len();
    // Five bad fields at once.
    b.js(
        "const h = document.querySelector('#sc-horizon'); h.value = '2025-01-10'; \
         h.dispatchEvent(new Event('input', {bubbles: true})); return true",
    );
    b.type_into("#sc-targets", "3,000, abc");
    b.type_into("#sc-paths", "0");
    b.type_into("#prob-ukraine-ceasefire", "1.5");
    b.js(
        "const p = document.querySelector('#prob-us-nato-exit'); p.value = ''; \
         p.dispatchEvent(new Event('input', {bubbles: true})); return true",
    );
    b.click("#run-scenario");
    let messages = |b: &Browser| {
        b.js(
            "return Object.fromEntries(Array.from(document.querySelectorAll('.field-msg')).map(m => \
               [document.querySelector('[aria-describedby=\"' + m.id + '\"]').id, m.textContent]))",
        )
    };
    assert_eq!(
        messages(b),
        json!({
            "sc-horizon": "The horizon must come after the as-of date.",
            "sc-targets": "Could not read “abc”: write prices such as 3,000 or moves such as +10%, separated by commas",
            "sc-paths": "Enter a whole number above 0.",
            "prob-ukraine-ceasefire": "Enter a number from 0 to 1.",
            "prob-us-nato-exit": "Enter a number.",
        })
    );
    let invalid = b.js(
        "return Array.from(document.querySelectorAll('#scenario-form [aria-invalid=\"true\"]')).map(e => e.id)",
    );
    assert_eq!(
        invalid,
        json!([
            "sc-horizon",
            "sc-targets",
            "sc-paths",
            "prob-ukraine-ceasefire",
            "prob-us-nato-exit"
        ])
    );
    assert_eq!(
        b.js("return document.activeElement.id"),
        json!("sc-horizon")
    );
    assert_eq!(
        b.text("#error-text"),
        "5 fields need attention (marked below); nothing was sent."
    );
    b.js("window.scrollTo(0, 0); return true");
    b.screenshot("scenario-form-invalid-en");
    // Nothing was sent.
    let sent = b.js(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/scenarios/run')).length",
    );
    assert_eq!(sent, json!(0));
    // In Japanese, the same check words each field in Japanese.
    // (The switch redraws the rows from the file, which kept the last readable values.)
    b.click("#lang-ja");
    b.type_into("#sc-targets", "3,000, abc");
    b.js(
        "const p = document.querySelector('#prob-us-nato-exit'); p.value = ''; \
         p.dispatchEvent(new Event('input', {bubbles: true})); return true",
    );
    b.click("#run-scenario");
    let ja = messages(b);
    assert_eq!(
        ja["prob-ukraine-ceasefire"],
        json!("0から1までの数を入力してください。"),
        "{ja}"
    );
    assert_eq!(
        ja["prob-us-nato-exit"],
        json!("数値を入力してください。"),
        "{ja}"
    );
    assert_eq!(
        ja["sc-paths"],
        json!("1以上の整数を入力してください。"),
        "{ja}"
    );
    assert_eq!(
        ja["sc-horizon"],
        json!("評価期限は基準日より後の日付にしてください。"),
        "{ja}"
    );
    assert_eq!(
        b.text("#error-text"),
        "入力に問題が5件あります（下に表示）。送信していません。"
    );
    assert_eq!(
        b.js("return document.activeElement.id"),
        json!("sc-horizon")
    );
    b.resize(390, 844);
    b.js("document.querySelector('#prob-ukraine-ceasefire').scrollIntoView({block: 'center'}); return true");
    b.screenshot("scenario-form-invalid-ja-phone");
    b.resize(1280, 900);
    // Editing a field takes its message away; once all are good the run goes.
    b.type_into("#prob-ukraine-ceasefire", "0.5");
    assert_eq!(
        b.js("return document.querySelector('#prob-ukraine-ceasefire-msg') === null"),
        json!(true)
    );
    b.js(
        "const h = document.querySelector('#sc-horizon'); h.value = '2025-06-30'; \
         h.dispatchEvent(new Event('input', {bubbles: true})); return true",
    );
    b.type_into("#sc-targets", "3,000, 3200");
    b.type_into("#sc-paths", "1000");
    b.type_into("#prob-us-nato-exit", "0.1");
    b.click("#run-scenario");
    b.wait(
        "the run",
        "const e = document.querySelector('#p-touch-0'); return e && e.textContent.trim()",
    );
    assert_eq!(
        b.js("return document.querySelectorAll('.field-msg').length"),
        json!(0)
    );
    let (_, runs) = server.get("/api/runs");
    assert_eq!(runs.as_array().unwrap().len(), before + 1);
    assert_eq!(b.page_errors(), json!(""));
    let console = b.console_errors();
    assert!(console.iter().all(|e| e.contains("400")), "{console:?}");
}

#[test]
fn japanese_pages_use_the_japanese_titles_in_chromium() {
    let ctx = TestContext::new();
    let server = Server::start(&ctx, &[]);
    let example = fs_err::read_to_string("../../examples/us-nato-exit-2025-02-18.toml").unwrap();
    let (code, run) = server.post(
        "/api/scenarios/run",
        &json!({ "toml": example, "paths": 1000, "seed": 1 }),
    );
    assert_eq!(code, 200, "{run}");
    // The runs listing carries the file's Japanese title.
    let (_, runs) = server.get("/api/runs");
    assert_eq!(
        runs[0]["title_ja"],
        json!("米国のNATO離脱は金価格に何をもたらすか"),
        "{runs}"
    );
    let b = Browser::start();
    b.open_when(&format!("{}/?lang=ja#scenario", server.base), "the scenario form",
        "return document.querySelector('#prob-us-nato-exit') !== null && document.querySelector('#sc-title').value");
    assert_eq!(
        b.js("return document.querySelector('#sc-title').value"),
        json!("米国のNATO離脱は金価格に何をもたらすか")
    );
    // Editing it edits the Japanese title, not the English one.
    b.type_into("#sc-title", "米国のNATO離脱と金");
    let toml = b.js("return document.querySelector('#scenario-toml').value");
    let toml = toml.as_str().unwrap();
    assert!(toml.contains("title_ja = \"米国のNATO離脱と金\""), "{toml}");
    assert!(
        toml.contains("title    = \"What a US withdrawal from NATO would mean for gold\""),
        "{toml}"
    );
    b.click("#lang-en");
    assert_eq!(
        b.js("return document.querySelector('#sc-title').value"),
        json!("What a US withdrawal from NATO would mean for gold")
    );
    // The runs list in Japanese.
    b.goto(&format!("{}/?lang=ja#runs", server.base));
    let title = b.wait(
        "the runs",
        "const r = document.querySelector('#runs-rows tr[data-id]'); return r && r.cells[2].textContent",
    );
    assert_eq!(title, json!("米国のNATO離脱は金価格に何をもたらすか"));
    b.click("#lang-en");
    assert_eq!(
        b.js("return document.querySelector('#runs-rows tr[data-id]').cells[2].textContent"),
        json!("What a US withdrawal from NATO would mean for gold")
    );
    // The chart's subtitle and data source in Japanese.
    b.open(&format!("{}/?lang=ja#chart", server.base));
    b.wait("the chart", CHART_READY);
    // The LBMA price is a fixing, not a close: its last value is its latest fixing.
    let sub = b.text("#chart-subtitle");
    assert!(sub.contains("直近の値決め"), "{sub}");
    assert!(!sub.contains("終値"), "{sub}");
    assert!(sub.contains("出所：LBMA金価格PM"), "{sub}");
    b.screenshot("chart-source-ja");
    b.click("#lang-en");
    let sub = b.text("#chart-subtitle");
    assert!(sub.contains("latest fixing"), "{sub}");
    assert!(!sub.contains("close"), "{sub}");
    // Another series keeps its close, in both languages.
    let other = b
        .js("return [...document.querySelectorAll('#chart-series option')].map(o => o.value).find(v => !/lbma/.test(v) && /^gold/.test(v))")
        .as_str()
        .unwrap()
        .to_owned();
    b.open(&format!("{}/?lang=ja&series={other}#chart", server.base));
    b.wait(
        "the other series' chart",
        &format!(
            "const c = document.querySelector('#price-chart'); return c.dataset.ready === '1' && c.dataset.series === '{other}'"
        ),
    );
    let sub = b.text("#chart-subtitle");
    assert!(sub.contains("直近終値"), "{other}: {sub}");
    assert!(!sub.contains("値決め"), "{other}: {sub}");
    b.click("#lang-en");
    let sub = b.text("#chart-subtitle");
    assert!(sub.contains("last close"), "{other}: {sub}");
    b.assert_no_errors();
}

#[test]
fn unsaved_scenario_edits_survive_a_reload_in_chromium() {
    let ctx = TestContext::new();
    let server = Server::start(&ctx, &[]);
    let b = Browser::start();
    let url = format!("{}/?lang=en#scenario", server.base);
    b.open(&url);
    let ready = SCENARIO_READY;
    b.wait("the scenario form", ready);
    assert_eq!(
        b.js("return document.querySelector('#draft-note').hidden"),
        json!(true)
    );
    b.type_into("#prob-ukraine-ceasefire", "0.3");
    b.type_into("#sc-paths", "5000");
    b.type_into("#sc-label", "desk note");
    // A reload keeps the edits, and says so.
    b.js("window.__old = true; location.reload(); return true");
    b.js(CATCH_ERRORS);
    b.wait(
        "the scenario form again",
        &format!("if (window.__old) return false; {ready}"),
    );
    let v = b.js(
        "return { p: document.querySelector('#prob-ukraine-ceasefire').value, \
                  paths: document.querySelector('#sc-paths').value, \
                  label: document.querySelector('#sc-label').value, \
                  toml: /probability = 0\\.3\\b/.test(document.querySelector('#scenario-toml').value), \
                  note: document.querySelector('#draft-note').hidden ? null : document.querySelector('#draft-note-text').textContent }",
    );
    assert_eq!(v["p"], json!("0.3"), "{v}");
    assert_eq!(v["paths"], json!("5000"), "{v}");
    assert_eq!(v["label"], json!("desk note"), "{v}");
    assert_eq!(v["toml"], json!(true), "{v}");
    assert!(v["note"].as_str().unwrap().contains("unsaved edits"), "{v}");
    b.screenshot("scenario-draft-restored-en");
    // The run goes with the kept edits.
    b.click("#run-scenario");
    b.wait(
        "the run",
        "const e = document.querySelector('#p-touch-0'); return e && e.textContent.trim()",
    );
    let (_, runs) = server.get("/api/runs");
    assert_eq!(runs[0]["paths"], json!(5000), "{runs}");
    // In Japanese the note is in Japanese.
    b.click("#lang-ja");
    assert!(b.text("#draft-note-text").contains("保存していない編集"));
    b.click("#lang-en");
    // Discarding them brings the example back, and a reload keeps it.
    b.click("#draft-discard");
    b.wait(
        "the example",
        "const p = document.querySelector('#prob-ukraine-ceasefire'); return p && p.value === '0.45'",
    );
    assert_eq!(
        b.js("return [document.querySelector('#draft-note').hidden, localStorage.getItem('aurum.scenario.draft')]"),
        json!([true, null])
    );
    b.js("window.__old = true; location.reload(); return true");
    b.wait(
        "the scenario form after discarding",
        &format!("if (window.__old) return false; {ready}"),
    );
    assert_eq!(
        b.js("return [document.querySelector('#prob-ukraine-ceasefire').value, document.querySelector('#draft-note').hidden]"),
        json!(["0.45", true])
    );
    b.assert_no_errors();
}

/// The boxes of the scenario form and its results (viewport pixels), the window's size and
/// how far the page is scrolled.
fn form_and_results(b: &Browser) -> Value {
    b.js(
        "const f = document.querySelector('#scenario-form').getBoundingClientRect(); \
         const r = document.querySelector('#scenario-results').getBoundingClientRect(); \
         return { form: { left: f.left, right: f.right, top: f.top, bottom: f.bottom }, \
                  results: { left: r.left, right: r.right, top: r.top, bottom: r.bottom }, \
                  width: innerWidth, height: innerHeight, scrolled: scrollY }",
    )
}

/// Runs the scenario from its Run button, scrolled to as a person would, and waits for the
/// results of this run.
fn run_from_the_button(b: &Browser) {
    b.js(
        "document.querySelectorAll('#results-rows tr').forEach(r => r.remove()); \
         document.querySelector('#run-scenario').scrollIntoView({ block: 'center' }); return true",
    );
    b.click("#run-scenario");
    b.wait(
        "the run",
        "const e = document.querySelector('#p-touch-0'); return e && e.textContent.trim() && document.querySelector('#fan-chart').dataset.ready === '1'",
    );
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn results_sit_beside_the_form_on_a_wide_screen_and_below_it_on_a_phone_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#scenario",
        "the scenario form",
        SCENARIO_READY,
    );
    let b = &d.b;
    b.type_into("#sc-paths", "1000");

    // A desktop: the results in a column to the right of the form, in view after the run
    // (the Run button is far down the form), and on the first screen of the page.
    b.viewport(1280, 800);
    run_from_the_button(b);
    let v = form_and_results(b);
    let (form, results) = (&v["form"], &v["results"]);
    let f = |x: &Value, k: &str| x[k].as_f64().unwrap();
    assert!(
        f(&v, "scrolled") > 0.0,
        "the Run button is below the first screen: {v}"
    );
    assert!(
        f(results, "left") >= f(form, "right"),
        "results beside the form: {v}"
    );
    assert!(
        f(results, "top") >= -1.0 && f(results, "top") < f(&v, "height") / 2.0,
        "the results in view after the run: {v}"
    );
    assert_eq!((f(&v, "width"), f(&v, "height")), (1280.0, 800.0), "{v}");
    assert!(f(results, "right") <= f(&v, "width"), "{v}");
    b.js("window.scrollTo(0, 0); return true");
    let top = form_and_results(b);
    assert!(
        f(&top["results"], "top") < f(&top, "height") / 2.0,
        "the results on the page's first screen: {top}"
    );
    assert!(
        (f(&top["results"], "top") - f(&top["form"], "top")).abs() < 40.0,
        "the results start beside the form's top: {top}"
    );
    let overflow =
        b.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "wider than the window by {overflow}px"
    );
    b.screenshot("scenario-beside-en");

    // A phone: below the form, and scrolled into view after the run.
    b.viewport(390, 844);
    run_from_the_button(b);
    let v = form_and_results(b);
    let (form, results) = (&v["form"], &v["results"]);
    assert!(
        f(results, "top") >= f(form, "bottom") - 1.0,
        "results below the form: {v}"
    );
    assert!(
        f(results, "top") > -2.0 && f(results, "top") < f(&v, "height") / 2.0,
        "the results scrolled into view: {v}"
    );
    b.screenshot("scenario-below-en-phone");
    b.resize(1280, 900);
    b.assert_no_errors();
}

/// The page's test hooks (`window.__aurumTest`) are there only in a browser driven by
/// WebDriver: a browser that does not say it is driven (as a person's does not) has none.
#[test]
fn test_hooks_exist_only_under_webdriver_in_chromium() {
    let d = Dashboard::open(&[], "/?lang=en#chart", "the chart", CHART_READY);
    assert_eq!(
        d.b.js("return [navigator.webdriver, typeof window.__aurumTest]"),
        json!([true, "object"])
    );
    let person = Browser::start_with(&["--disable-blink-features=AutomationControlled"]);
    person.open_when(
        &format!("{}/?lang=en#chart", d.server.base),
        "the chart",
        CHART_READY,
    );
    assert_eq!(
        person.js("return [navigator.webdriver, typeof window.__aurumTest]"),
        json!([false, "undefined"])
    );
    assert_eq!(person.page_errors(), json!(""));
}

/// The event catalog's rows as the page lists them, by id.
fn listed_events(b: &Browser) -> Vec<Value> {
    b.js("return [...document.querySelectorAll('#events-rows tr[data-id]')].map(r => r.dataset.id)")
        .as_array()
        .unwrap()
        .clone()
}

/// Sets a form field's value as a person's choice would, firing its `change`.
fn choose(b: &Browser, id: &str, value: &str) {
    b.js(&format!(
        "const x = document.querySelector('#{id}'); x.value = '{value}'; x.dispatchEvent(new Event('change', {{ bubbles: true }})); return true"
    ));
}

const STUDY_DRAWN: &str = "return document.querySelector('#study-chart[data-ready=\"1\"]') !== null && document.querySelectorAll('#study-rows tr').length > 0";

#[test]
fn event_filters_and_study_settings_live_in_the_url_and_the_last_view_returns_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#events",
        "the events",
        "return document.querySelectorAll('#events-rows tr[data-id]').length > 100",
    );
    let (b, server) = (&d.b, &d.server);
    let as_of = b.js("return document.querySelector('#as-of').value");
    let as_of = as_of.as_str().unwrap();
    // The nuclear events since 2000, oldest first: the address says so, and the list is the
    // API's for the same query.
    choose(b, "ev-filter-category", "nuclear");
    choose(b, "ev-filter-from", "2000-01-01");
    b.click("#ev-sort");
    let events_url = b.js("return location.href").as_str().unwrap().to_owned();
    for part in ["ev_category=nuclear", "ev_from=2000-01-01", "ev_sort=asc"] {
        assert!(events_url.contains(part), "{part} in {events_url}");
    }
    assert!(events_url.ends_with("#events"), "{events_url}");
    let (_, api) = server.get(&format!(
        "/api/events?category=nuclear&from=2000-01-01&as_of={as_of}"
    ));
    let ids: Vec<Value> = api
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert!(ids.len() > 3, "{api}");
    assert_eq!(listed_events(b), ids);

    // A study of nuclear events over days −2 to 3.
    b.click("#tab-study");
    b.wait("the default study", STUDY_DRAWN);
    choose(b, "study-category", "nuclear");
    b.type_into("#study-window", "-2,3");
    b.js("document.querySelector('#study-rows').replaceChildren(); return true");
    b.click("#run-study");
    b.wait("the nuclear study", STUDY_DRAWN);
    let study_url = b.js("return location.href").as_str().unwrap().to_owned();
    for part in [
        "study_category=nuclear",
        "study_window=-2%2C3",
        "ev_category=nuclear",
    ] {
        assert!(study_url.contains(part), "{part} in {study_url}");
    }
    let study_rows =
        |b: &Browser| b.js("return document.querySelectorAll('#study-rows tr').length");
    let (_, nuclear) = server.get(&format!(
        "/api/study?category=nuclear&window=-2,3&as_of={as_of}"
    ));
    let nuclear_n = nuclear["groups"][0]["study"]["events"]
        .as_array()
        .map(Vec::len)
        .or_else(|| nuclear["groups"][0]["events"].as_array().map(Vec::len))
        .unwrap();
    assert_eq!(study_rows(b), json!(nuclear_n));

    // Back: the study of the defaults again, then the filtered events.
    b.js("history.back(); return true");
    b.wait(
        "the default study again",
        "return !location.search.includes('study_') && document.querySelector('#study-category').value === 'war-outbreak' && document.querySelector('#study-window').value === '-1,5' && document.querySelector('#study-chart').dataset.ready === '1' && document.querySelectorAll('#study-rows tr').length > 0",
    );
    let (_, war) = server.get(&format!(
        "/api/study?category=war-outbreak&window=-1,5&as_of={as_of}"
    ));
    let war_n = war["groups"][0]["study"]["events"]
        .as_array()
        .map(Vec::len)
        .or_else(|| war["groups"][0]["events"].as_array().map(Vec::len))
        .unwrap();
    assert_ne!(war_n, nuclear_n);
    b.wait(
        "the default study's rows",
        &format!("return document.querySelectorAll('#study-rows tr').length === {war_n}"),
    );
    b.js("history.back(); return true");
    b.wait(
        "the filtered events",
        "return location.hash === '#events' && !document.querySelector('#panel-events').hidden",
    );
    assert_eq!(
        b.js("return ['#ev-filter-category', '#ev-filter-from'].map(s => document.querySelector(s).value)"),
        json!(["nuclear", "2000-01-01"])
    );
    assert_eq!(listed_events(b), ids);

    // The study's address, in a fresh page.
    b.open_when(&study_url, "the study from its address", STUDY_DRAWN);
    assert_eq!(
        b.js("return [document.querySelector('#study-category').value, document.querySelector('#study-window').value]"),
        json!(["nuclear", "-2,3"])
    );
    b.wait(
        "the nuclear study's rows",
        &format!("return document.querySelectorAll('#study-rows tr').length === {nuclear_n}"),
    );

    // An address without a view opens the last one shown, filters and all.
    b.open_when(
        &format!("{}/?lang=en", server.base),
        "the last view",
        "return location.hash === '#study' && document.querySelector('#study-chart').dataset.ready === '1'",
    );
    let reopened = b.js("return location.href").as_str().unwrap().to_owned();
    for part in [
        "study_category=nuclear",
        "study_window=-2%2C3",
        "ev_category=nuclear",
        "ev_sort=asc",
    ] {
        assert!(reopened.contains(part), "{part} in {reopened}");
    }
    assert_eq!(
        b.js("return [document.querySelector('#study-category').value, document.querySelector('#ev-filter-category').value]"),
        json!(["nuclear", "nuclear"])
    );
    b.click("#tab-events");
    b.wait(
        "the filtered events again",
        "return document.querySelectorAll('#events-rows tr[data-id]').length > 0",
    );
    assert_eq!(listed_events(b), ids);
    b.assert_no_errors();
}

/// A scenario field as the page shows it: its text, whether the browser could read it,
/// its marks and its message.
fn field(b: &Browser, id: &str) -> Value {
    b.js(&format!(
        "const x = document.querySelector('#{id}'); const m = document.querySelector('#{id}-msg'); \
         return {{ value: x.value, bad_input: !!(x.validity && x.validity.badInput), invalid: x.classList.contains('invalid'), \
                  aria: x.getAttribute('aria-invalid'), msg: m ? m.textContent : null, label: x.getAttribute('aria-label') }}"
    ))
}

#[test]
fn switching_the_language_keeps_what_the_user_typed_and_rewords_its_messages_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#scenario",
        "the scenario form",
        SCENARIO_READY,
    );
    let b = &d.b;
    // Text the form cannot read: a target list with a letter in it, a probability with an
    // exponent but no power (the browser keeps the text but has no number for it), and one not
    // yet checked.
    b.type_into("#sc-targets", "3000, 3l00");
    b.type_into("#prob-us-nato-exit", "1e");
    b.type_into("#shock-mean-taiwan-escalation", "4e-");
    assert_eq!(
        field(b, "prob-us-nato-exit")["bad_input"],
        json!(true),
        "{}",
        field(b, "prob-us-nato-exit")
    );
    b.click("#run-scenario");
    b.wait(
        "the form's problems",
        "return document.querySelectorAll('.field-msg').length >= 3",
    );
    let en = json!({
        "targets": field(b, "sc-targets"),
        "prob": field(b, "prob-us-nato-exit"),
        "error": b.text("#error-text"),
    });
    assert_eq!(en["targets"]["value"], json!("3000, 3l00"), "{en}");
    assert_eq!(en["prob"]["invalid"], json!(true), "{en}");
    let dict = |lang: &str, key: &str| -> String {
        b.js(&format!("return window.AURUM_I18N.{lang}.{key}"))
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(en["prob"]["msg"], json!(dict("en", "vNumber")), "{en}");

    b.click("#lang-ja");
    b.wait(
        "the Japanese form",
        "return document.documentElement.lang === 'ja' && document.querySelector('#prob-us-nato-exit').getAttribute('aria-label').indexOf('米国') >= 0",
    );
    for (id, want_value) in [
        ("sc-targets", "3000, 3l00"),
        ("prob-us-nato-exit", ""),
        ("shock-mean-taiwan-escalation", ""),
    ] {
        let f = field(b, id);
        assert_eq!(f["value"], json!(want_value), "{id}: {f}");
        assert_eq!(
            (&f["invalid"], &f["aria"]),
            (&json!(true), &json!("true")),
            "{id}: {f}"
        );
    }
    // The unreadable numbers are the text the user typed, still unreadable to the browser.
    assert_eq!(field(b, "prob-us-nato-exit")["bad_input"], json!(true));
    assert_eq!(
        field(b, "shock-mean-taiwan-escalation")["bad_input"],
        json!(true)
    );
    // The messages, and the error box, in Japanese.
    assert_eq!(
        field(b, "prob-us-nato-exit")["msg"],
        json!(dict("ja", "vNumber"))
    );
    let targets_msg = field(b, "sc-targets")["msg"].as_str().unwrap().to_owned();
    assert!(
        targets_msg.contains("読み取れません") && targets_msg.contains("「l」"),
        "{targets_msg}"
    );
    let error = b.text("#error-text");
    assert!(error.contains("送信していません"), "{error}");
    assert_ne!(json!(error), en["error"]);
    // Nothing was dropped into the file either: it still has the example's values.
    let toml = b.js("return document.querySelector('#scenario-toml').value");
    assert!(!toml.as_str().unwrap().contains("3l00"));
    b.screenshot("scenario-lang-kept-ja");

    // And back to English: the same text, the English messages.
    b.click("#lang-en");
    b.wait(
        "the English form",
        "return document.documentElement.lang === 'en'",
    );
    assert_eq!(field(b, "sc-targets")["value"], json!("3000, 3l00"));
    assert_eq!(field(b, "prob-us-nato-exit")["bad_input"], json!(true));
    assert_eq!(
        field(b, "prob-us-nato-exit")["msg"],
        json!(dict("en", "vNumber"))
    );
    assert_eq!(json!(b.text("#error-text")), en["error"]);
    // A corrected field is written into the file as before.
    b.type_into("#prob-us-nato-exit", "0.2");
    let toml = b.js("return document.querySelector('#scenario-toml').value");
    assert!(
        toml.as_str().unwrap().contains("probability = 0.2"),
        "{toml}"
    );
    b.assert_no_errors();
}

/// Whether leaving the page now would ask first (its `beforeunload` cancelled).
fn leaving_asks(b: &Browser) -> Value {
    b.js("const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented")
}

/// Edits kept in the browser (a reload restores them; see
/// `unsaved_scenario_edits_survive_a_reload_in_chromium`) need no warning before the page is
/// left; edits the browser refuses to keep do.
#[test]
fn only_edits_the_browser_cannot_keep_ask_before_leaving_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#scenario",
        "the scenario form",
        SCENARIO_READY,
    );
    let b = &d.b;
    assert_eq!(leaving_asks(b), json!(false));
    b.type_into("#prob-ukraine-ceasefire", "0.3");
    let kept = b.js("return JSON.parse(localStorage.getItem('aurum.scenario.draft')).toml.includes('probability = 0.3')");
    assert_eq!(kept, json!(true));
    assert_eq!(leaving_asks(b), json!(false));
    // Storage full: the next edit lives only in the page.
    b.js("Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); }; return true");
    b.type_into("#prob-ukraine-ceasefire", "0.35");
    assert_eq!(leaving_asks(b), json!(true));
    // Reloading the example drops the edits: nothing is left to lose.
    b.click("#reset-scenario");
    b.wait(
        "the example",
        "const p = document.querySelector('#prob-ukraine-ceasefire'); return p && p.value === '0.45'",
    );
    assert_eq!(leaving_asks(b), json!(false));
    assert_eq!(b.page_errors(), json!(""));
}

#[test]
fn half_typed_fields_stay_out_of_the_toml_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#scenario",
        "the scenario form",
        SCENARIO_READY,
    );
    let b = &d.b;
    let toml = |b: &Browser| {
        b.js("return document.querySelector('#scenario-toml').value")
            .as_str()
            .unwrap()
            .to_owned()
    };
    let note = |b: &Browser| {
        b.js("const n = document.querySelector('#toml-held'); \
             return { shown: !n.hidden, fields: n.dataset.fields || '', text: n.textContent }")
    };
    let before = toml(b);
    assert!(
        before.contains("targets  = [3000.0, 3200.0, \"+10%\"]"),
        "{before}"
    );
    assert_eq!(note(b)["shown"], json!(false));
    // Typed key by key: "3" and "1" on the way can be read, "3l00" and "1e" cannot.
    b.type_into("#sc-targets", "3l00");
    b.type_into("#prob-us-nato-exit", "1e");
    assert_eq!(field(b, "prob-us-nato-exit")["bad_input"], json!(true));
    // The file keeps the values from before the edits: neither the steps on the way nor a
    // guess.
    let now = toml(b);
    let lines = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with("targets") || l.starts_with("probability"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(
        now == before,
        "the file took a half-typed value: {} (was {})",
        lines(&now),
        lines(&before)
    );
    // The fields are flagged, and the TOML panel says which it leaves out.
    for id in ["sc-targets", "prob-us-nato-exit"] {
        let f = field(b, id);
        assert_eq!(
            (&f["invalid"], &f["aria"]),
            (&json!(true), &json!("true")),
            "{id}: {f}"
        );
    }
    let n = note(b);
    assert_eq!(n["shown"], json!(true), "{n}");
    assert_eq!(n["fields"], json!("sc-targets prob-us-nato-exit"), "{n}");
    let text = n["text"].as_str().unwrap();
    assert!(
        text.contains("Targets") && text.contains("US formally starts to leave NATO"),
        "{n}"
    );
    // In Japanese too, the typed text and the file as they were.
    b.click("#lang-ja");
    b.wait(
        "the Japanese note",
        "return document.documentElement.lang === 'ja' && document.querySelector('#toml-held').textContent.includes('反映していません')",
    );
    let n = note(b);
    assert!(
        n["text"].as_str().unwrap().contains("目標")
            && n["text"].as_str().unwrap().contains("米国"),
        "{n}"
    );
    assert_eq!(field(b, "sc-targets")["value"], json!("3l00"));
    assert_eq!(toml(b), before);
    b.js("document.querySelector('#toml-held').scrollIntoView({block: 'center'}); return true");
    b.screenshot("scenario-toml-held-ja");
    b.click("#lang-en");
    // Run is still refused while they cannot be read, and nothing is sent.
    b.click("#run-scenario");
    assert_eq!(
        b.text("#error-text"),
        "2 fields need attention (marked below); nothing was sent."
    );
    let sent = b.js(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/scenarios/run')).length",
    );
    assert_eq!(sent, json!(0));
    assert_eq!(toml(b), before);
    // Corrected, the fields go into the file and the note goes.
    b.type_into("#sc-targets", "3100, 3300");
    b.type_into("#prob-us-nato-exit", "0.2");
    let after = toml(b);
    assert!(after.contains("targets  = [3100.0, 3300.0]"), "{after}");
    assert!(
        after.contains("requires    = [\"ukraine-ceasefire\"]\nprobability = 0.2\n"),
        "{after}"
    );
    assert_eq!(
        b.js("return document.querySelectorAll('#scenario-form [aria-invalid=\"true\"]').length"),
        json!(0)
    );
    assert_eq!(note(b)["shown"], json!(false), "{}", note(b));
    // A field that turns unreadable after a readable edit, the user having left it between,
    // keeps the value it was left with.
    b.type_into("#sc-targets", "3100, 3300x");
    assert!(
        toml(b).contains("targets  = [3100.0, 3300.0]"),
        "{}",
        toml(b)
    );
    assert_eq!(note(b)["fields"], json!("sc-targets"));
    b.assert_no_errors();
}

/// The price chart's tooltip for the bar under the pointer: the pointer is first moved off
/// the chart, then onto it `dx` pixels right of its centre; returns the tooltip's prices.
fn chart_tooltip(b: &Browser, dx: i64) -> String {
    let chart = b.element("#price-chart");
    b.cmd(
        "/actions",
        &json!({ "actions": [{ "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
            "actions": [
                { "type": "pointerMove", "duration": 0, "x": 1, "y": 1 },
                { "type": "pointerMove", "duration": 0, "origin": { ELEMENT: chart }, "x": dx, "y": 0 }
            ] }] }),
    );
    b.wait(
        "the chart's tooltip",
        "const t = document.querySelector('#chart-tooltip'); const o = t.querySelector('.tt-ohlc'); return !t.hidden && o && o.textContent",
    )
    .as_str()
    .unwrap()
    .to_owned()
}

/// The chart of `series` at `freq` has drawn.
fn chart_of(b: &Browser, series: &str, freq: &str) {
    b.wait(
        "the chart",
        &format!(
            "const c = document.querySelector('#price-chart'); const s = window.__aurumTest.chart(); return c.dataset.ready === '1' && c.dataset.series === '{series}' && s && s.freq === '{freq}'"
        ),
    );
}

/// The LBMA's bars are made of its daily fixings: the tooltip names them as fixings, first
/// to last, where another series' says open, high, low and close.
#[test]
fn a_fixing_series_tooltip_names_its_fixings_in_chromium() {
    let d = Dashboard::open(&[], "/?lang=en#chart", "the chart", CHART_READY);
    let (b, server) = (&d.b, &d.server);
    chart_of(b, "gold-usd-lbma-pm", "weekly");
    let tip = chart_tooltip(b, -60);
    assert!(
        tip.starts_with("First fixing ")
            && tip.contains("  High ")
            && tip.contains("  Last fixing "),
        "{tip}"
    );
    b.screenshot("chart-tooltip-fixing-en");
    // A day has one fixing.
    b.click("#chart-freq-daily");
    chart_of(b, "gold-usd-lbma-pm", "daily");
    let tip = chart_tooltip(b, -60);
    assert!(tip.starts_with("Fixing ") && !tip.contains("High"), "{tip}");
    // Another gold series keeps open, high, low and close.
    b.click("#chart-freq-weekly");
    chart_of(b, "gold-usd-lbma-pm", "weekly");
    let other = b
        .js("return [...document.querySelectorAll('#chart-series option')].map(o => o.value).find(v => !/lbma/.test(v) && /^gold/.test(v))")
        .as_str()
        .expect("a gold series other than the LBMA's")
        .to_owned();
    b.js(&format!(
        "const s = document.querySelector('#chart-series'); s.value = '{other}'; s.dispatchEvent(new Event('change')); return true"
    ));
    chart_of(b, &other, "weekly");
    let tip = chart_tooltip(b, -60);
    assert!(tip.starts_with("O ") && tip.contains("  C "), "{tip}");

    // In Japanese, on a phone.
    b.resize(390, 844);
    b.open(&format!("{}/?lang=ja#chart", server.base));
    chart_of(b, "gold-usd-lbma-pm", "weekly");
    let tip = chart_tooltip(b, -40);
    assert!(
        tip.starts_with("最初の値決め ")
            && tip.contains("　高値 ")
            && tip.contains("　安値 ")
            && tip.contains("　最後の値決め "),
        "{tip}"
    );
    assert!(!tip.contains("終値"), "{tip}");
    b.screenshot("chart-tooltip-fixing-ja-phone");
    b.resize(1280, 900);
    b.assert_no_errors();
}

/// The GPR pane plots the daily index; a week's or a month's point is its last day's value,
/// and the pane's title says so (an index has no close).
#[test]
fn the_gpr_pane_says_what_its_points_are_in_chromium() {
    let d = Dashboard::open(&[], "/?lang=en#chart", "the chart", CHART_READY);
    let (b, server) = (&d.b, &d.server);
    chart_of(b, "gold-usd-lbma-pm", "weekly");
    let title = "Geopolitical Risk index (Caldara–Iacoviello)";
    assert_eq!(
        b.text("#gpr-title"),
        format!("{title}, value on the last day of each week")
    );
    b.js("document.querySelector('#gpr-title').scrollIntoView({block: 'center'}); return true");
    b.screenshot("chart-gpr-title-en");
    for (button, freq, words) in [
        (
            "#chart-freq-monthly",
            "monthly",
            "value on the last day of each month",
        ),
        ("#chart-freq-daily", "daily", "daily"),
    ] {
        b.click(button);
        chart_of(b, "gold-usd-lbma-pm", freq);
        assert_eq!(b.text("#gpr-title"), format!("{title}, {words}"));
    }
    // The server's weekly GPR point is the week's last daily value.
    let query = b
        .js("return '&from=' + document.querySelector('#chart-from').value + '&as_of=' + document.querySelector('#as-of').value")
        .as_str()
        .unwrap()
        .to_owned();
    let (_, daily) = server.get(&format!("/api/series/gpr-daily/bars?freq=daily{query}"));
    let (_, weekly) = server.get(&format!("/api/series/gpr-daily/bars?freq=weekly{query}"));
    let week = &weekly.as_array().unwrap()[weekly.as_array().unwrap().len() / 2];
    let last_day = daily
        .as_array()
        .unwrap()
        .iter()
        .rfind(|r| r["date"].as_str() <= week["date"].as_str())
        .unwrap();
    assert_eq!(week["close"], last_day["close"], "{week} {last_day}");

    b.resize(390, 844);
    b.open(&format!("{}/?lang=ja&freq=weekly#chart", server.base));
    chart_of(b, "gold-usd-lbma-pm", "weekly");
    let title_ja = "地政学リスク（GPR）指数（Caldara–Iacoviello）";
    assert_eq!(b.text("#gpr-title"), format!("{title_ja}、各週最終日の値"));
    assert!(!b.text("#gpr-title").contains("終値"));
    b.js("document.querySelector('#gpr-title').scrollIntoView({block: 'center'}); return true");
    b.screenshot("chart-gpr-title-ja-phone");
    b.open(&format!("{}/?lang=ja&freq=monthly#chart", server.base));
    chart_of(b, "gold-usd-lbma-pm", "monthly");
    assert_eq!(b.text("#gpr-title"), format!("{title_ja}、各月最終日の値"));
    b.resize(1280, 900);
    b.assert_no_errors();
}

/// A field marked unreadable, then given a readable value by an edit of the TOML box, is no
/// longer marked, and the error box counts only the fields still wrong.
#[test]
fn editing_the_toml_clears_the_marks_of_the_fields_it_fills_in_chromium() {
    let d = Dashboard::open(
        &[],
        "/?lang=en#scenario",
        "the scenario form",
        SCENARIO_READY,
    );
    let b = &d.b;
    b.type_into("#sc-targets", "3000, 3l00");
    b.type_into("#prob-us-nato-exit", "1e");
    // Not in the file: the number of paths stays marked.
    b.type_into("#sc-paths", "0");
    b.click("#run-scenario");
    b.wait(
        "the form's problems",
        "return document.querySelectorAll('.field-msg').length >= 3",
    );
    for id in ["sc-targets", "prob-us-nato-exit", "sc-paths"] {
        let f = field(b, id);
        assert_eq!(
            (&f["invalid"], &f["aria"], f["msg"].is_string()),
            (&json!(true), &json!("true"), true),
            "{id}: {f}"
        );
    }
    assert_eq!(
        b.text("#error-text"),
        "3 fields need attention (marked below); nothing was sent."
    );
    // The TOML box opened and edited by hand: a comment added at its end.
    b.click("#toml-details summary");
    let toml = b.element("#scenario-toml");
    b.cmd(
        &format!("/element/{toml}/value"),
        &json!({ "text": "\n# checked by hand\n" }),
    );
    b.wait(
        "the form filled in from the file",
        "return document.querySelector('#sc-targets').value === '3000, 3200, +10%'",
    );
    let text = b
        .js("return document.querySelector('#scenario-toml').value")
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.ends_with("# checked by hand\n"), "{text}");
    for id in ["sc-targets", "prob-us-nato-exit"] {
        let f = field(b, id);
        assert_eq!(
            (&f["invalid"], &f["aria"], &f["msg"], f["bad_input"].clone()),
            (&json!(false), &Value::Null, &Value::Null, json!(false)),
            "{id}: {f}"
        );
    }
    assert_eq!(
        b.js("return document.querySelector('#sc-targets').title"),
        b.js("return window.AURUM_I18N.en.scTargetsHelp")
    );
    assert_eq!(
        b.js("return document.querySelector('#sc-targets').getAttribute('aria-describedby')"),
        Value::Null
    );
    let paths = field(b, "sc-paths");
    assert_eq!(paths["invalid"], json!(true), "{paths}");
    assert!(paths["msg"].is_string(), "{paths}");
    assert_eq!(
        b.text("#error-text"),
        "One field needs attention (marked below); nothing was sent."
    );
    assert_eq!(
        b.js("return document.querySelector('#toml-held').hidden"),
        json!(true)
    );
    b.js("window.scrollTo(0, 0); return true");
    b.screenshot("scenario-toml-edit-unmarks-en");
    // The paths given a whole number: their mark and message go, and the box counts none.
    b.type_into("#sc-paths", "1000");
    let paths = field(b, "sc-paths");
    assert_eq!(
        (&paths["invalid"], &paths["aria"], &paths["msg"]),
        (&json!(false), &Value::Null, &Value::Null),
        "{paths}"
    );
    assert_eq!(
        b.js("return document.querySelector('#error').hidden"),
        json!(true)
    );
    // With only fields the file fills in marked, the box goes with their marks.
    b.type_into("#sc-targets", "3l00");
    b.click("#run-scenario");
    b.wait(
        "the targets marked",
        "return document.querySelector('#sc-targets-msg') !== null",
    );
    assert_eq!(
        b.text("#error-text"),
        "One field needs attention (marked below); nothing was sent."
    );
    b.cmd(
        &format!("/element/{toml}/value"),
        &json!({ "text": "# again\n" }),
    );
    b.wait(
        "the error box gone",
        "return document.querySelector('#error').hidden",
    );
    assert_eq!(
        b.js("return document.querySelectorAll('#scenario-form .invalid, #scenario-form [aria-invalid=\"true\"], #scenario-form .field-msg').length"),
        json!(0)
    );
    b.assert_no_errors();
}
