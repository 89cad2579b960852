//! The dashboard in a real browser: headless Chromium driven over WebDriver (chromedriver)
//! against `aurum serve` on a free loopback port. Needs Debian's `chromium` and
//! `chromium-driver` (`.ci/run` installs them). Screenshots of the main pages are written to
//! `target/tmp/screenshots/` for people to look at.

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
        let (code, v) = post(
            &format!("{base}/session"),
            &json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        "--window-size=1280,900", "--lang=en-US",
                        format!("--user-data-dir={}", profile.path().display()),
                    ]
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
                self.js("return (window.__errors || []).join(' | ')")
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

    /// Sets the window's size (a phone's, a desktop's).
    fn resize(&self, width: u32, height: u32) {
        self.cmd("/window/rect", &json!({ "width": width, "height": height }));
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

/// Records uncaught errors of the page, so a failure can show them.
const CATCH_ERRORS: &str = "window.__errors = window.__errors || []; \
    window.addEventListener('error', e => window.__errors.push(e.message)); return true;";

#[test]
fn the_dashboard_works_in_chromium() {
    let ctx = TestContext::new();
    let server = Server::start(&ctx, &[]);
    let b = Browser::start();

    // The chart: as many weekly candles as the API gives for the same query.
    b.goto(&format!("{}/?lang=en#chart", server.base));
    b.js(CATCH_ERRORS);
    b.wait(
        "the chart",
        "return document.querySelector('#price-chart[data-ready=\"1\"]') !== null",
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
    b.goto(&format!("{}/?lang=en#scenario", server.base));
    b.js(CATCH_ERRORS);
    b.wait(
        "the scenario form",
        "return document.querySelector('#prob-ukraine-ceasefire') !== null",
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

    // A bad input shows the server's error.
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
    b.goto(&format!("{}/?lang=en#runs", server.base));
    b.wait(
        "the runs",
        "return document.querySelectorAll('#runs-rows tr[data-id]').length >= 2",
    );
    b.screenshot("runs-en");

    // Events and the event study, in Japanese.
    b.goto(&format!("{}/?lang=ja#events", server.base));
    b.wait(
        "the events",
        "return document.querySelectorAll('#events-rows tr[data-id]').length > 100",
    );
    b.screenshot("events-ja");
    b.goto(&format!("{}/?lang=ja#study", server.base));
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
    b.goto(&format!("{}/?lang=ja#chart", server.base));
    b.wait(
        "the chart",
        "return document.querySelector('#price-chart[data-ready=\"1\"]') !== null",
    );
    b.screenshot("chart-ja");

    // The scenario editor on a phone, in Japanese: the base rates stay beside the judgements.
    b.resize(390, 844);
    b.goto(&format!("{}/?lang=ja#scenario", server.base));
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
}
