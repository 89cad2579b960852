//! `aurum report` on the reference example, in English and Japanese: snapshots of the text,
//! every number traced to results.json, a self-contained HTML file and a post that fits X.

use std::path::Path;

use serde_json::Value;

use crate::util::TestContext;

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/us-nato-exit-2025-02-18.toml")
        .display()
        .to_string()
}

/// Writes the report in `lang` with a fixed seed, few paths and a short track record (the
/// numbers are not the point here; their provenance and the text are).
fn report(ctx: &TestContext, lang: &str) -> std::path::PathBuf {
    let out = ctx.path(&format!("report-{lang}"));
    ctx.quick_report(&example(), lang, &out.display().to_string(), &[]);
    out
}

fn strings_and_numbers(v: &Value, strings: &mut Vec<String>, numbers: &mut Vec<f64>) {
    match v {
        Value::String(s) => strings.push(s.clone()),
        Value::Number(n) => numbers.extend(n.as_f64()),
        Value::Array(a) => a
            .iter()
            .for_each(|x| strings_and_numbers(x, strings, numbers)),
        Value::Object(o) => o
            .values()
            .for_each(|x| strings_and_numbers(x, strings, numbers)),
        _ => {}
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Every way the report writes a date of results.json: ISO, `18 February 2025`, `18 Feb`,
/// `February 2025`, `2025年2月18日`, `2月18日`, `2025年2月`.
fn date_forms(iso: &str) -> Vec<String> {
    let Ok(d) = iso.parse::<chrono::NaiveDate>() else {
        return Vec::new();
    };
    use chrono::Datelike;
    let m = MONTHS[d.month0() as usize];
    vec![
        iso.to_owned(),
        format!("{} {m} {}", d.day(), d.year()),
        format!("{} {}", d.day(), &m[..3]),
        format!("{m} {}", d.year()),
        format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        format!("{}月{}日", d.month(), d.day()),
        format!("{}年{}月", d.year(), d.month()),
    ]
}

/// Numbers the templates write as words of the method, not results: the quantiles and
/// interval levels (5, 25, 50, 75, 90, 95%), the 1% test level, "per 100 points", and the
/// model's name GARCH(1,1).
const METHOD_CONSTANTS: [f64; 8] = [1.0, 5.0, 25.0, 50.0, 75.0, 90.0, 95.0, 100.0];

/// Asserts that every number in `md` comes from results.json: text copied from its strings
/// (titles, descriptions, sources) and its dates are taken out first; each remaining number
/// must equal a value of the file as printed (rounded to the digits shown, as is or in
/// percent).
fn numbers_come_from_results(md: &str, results: &Value) {
    let (mut strings, mut numbers) = (Vec::new(), Vec::new());
    strings_and_numbers(results, &mut strings, &mut numbers);
    let mut text = md.to_owned();
    // Longest first, so a title is removed before a shorter string inside it.
    strings.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    for s in &strings {
        if s.chars().count() >= 4 {
            // Japanese titles quoted in 「」 have their own brackets turned into 『』.
            let nested = s.replace('「', "『").replace('」', "』");
            text = text.replace(s.as_str(), " ").replace(&nested, " ");
        }
    }
    let mut forms: Vec<String> = strings.iter().flat_map(|s| date_forms(s)).collect();
    // The calendar writes a range within one month as `18–19 Mar` or `3月18日〜19日`.
    for e in results["calendar"].as_array().into_iter().flatten() {
        let day = |k: &str| e[k].as_str()?.parse::<chrono::NaiveDate>().ok();
        if let (Some(a), Some(b)) = (day("date"), day("end")) {
            use chrono::Datelike;
            let m = &MONTHS[b.month0() as usize][..3];
            forms.push(format!("{}–{} {m}", a.day(), b.day()));
            forms.push(format!("{}月{}日〜{}日", a.month(), a.day(), b.day()));
        }
    }
    forms.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    for f in &forms {
        text = text.replace(f.as_str(), " ");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut checked = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|j| chars[j]);
        if !c.is_ascii_digit() || prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '.') {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit()
                || (matches!(chars[i], ',' | '.')
                    && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
        {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        // Hex fingerprints and versions such as 0.1.0 are not quantities.
        if chars.get(i).is_some_and(|n| n.is_ascii_alphanumeric()) || token.matches('.').count() > 1
        {
            continue;
        }
        let decimals = token.split_once('.').map_or(0, |(_, f)| f.len());
        let value: f64 = token.replace(',', "").parse().expect("a number");
        let tol = 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9;
        let found = METHOD_CONSTANTS.contains(&value)
            || numbers.iter().any(|v| {
                [1.0, 100.0]
                    .iter()
                    .any(|s| ((v * s).abs() - value).abs() <= tol)
            });
        assert!(
            found,
            "{token} in the report is not a value of results.json:\n…{}…",
            chars[start.saturating_sub(80)..(i + 40).min(chars.len())]
                .iter()
                .collect::<String>()
        );
        checked += 1;
    }
    assert!(checked > 80, "only {checked} numbers checked");
}

/// The body is written for readers: no file paths, program names or hashes before the
/// colophon; one word for each thing; Japanese sentences of a readable length.
fn reads_as_a_note(md: &str, lang: &str) {
    let (body, colophon) = md.split_once("<small>").expect("a colophon");
    for word in [
        "aurum",
        "data/",
        ".toml",
        "README",
        "データハッシュ",
        "fingerprint",
    ] {
        assert!(
            !body.contains(word),
            "{word:?} in the body of the {lang} report"
        );
    }
    assert!(colophon.contains("data/README.md"), "{colophon}");
    if lang != "ja" {
        return;
    }
    // One term each: the fixing (値決め), not a closing price; one spelling of the Brier
    // score; VaR with its confidence level.
    for word in ["終値", "ブライアスコア", "5%VaR", "-1", "-0", "-2"] {
        assert!(!body.contains(word), "{word:?} in the Japanese report");
    }
    assert_eq!(
        body.matches("累積超過リターンとは").count(),
        1,
        "glossed once"
    );
    // Prose only: not tables, figures, headings, dated lists or quoted titles of events.
    let (prose, _sources) = body.split_once("## データの出典").expect("sources");
    let sentences: Vec<String> = prose
        .lines()
        .map(|l| l.trim_start_matches("> ").trim_start_matches("- "))
        .filter(|l| {
            !(l.starts_with('|')
                || l.starts_with('!')
                || l.starts_with('#')
                || l.starts_with("**関連する出来事")
                || l.starts_with("**地政学リスク指数（GPR）**")
                || l.strip_prefix("**")
                    .is_some_and(|d| d.starts_with(|c: char| c.is_ascii_digit())))
        })
        .flat_map(|l| l.split('。'))
        .map(|s| s.replace("**", "").replace('*', "").trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let mut lengths: Vec<usize> = sentences.iter().map(|s| s.chars().count()).collect();
    lengths.sort_unstable();
    let median = lengths[lengths.len() / 2];
    assert!(lengths.len() > 60, "{} sentences", lengths.len());
    assert!(
        (30..=60).contains(&median),
        "median sentence {median} characters"
    );
    let long: Vec<&String> = sentences
        .iter()
        .filter(|s| s.chars().count() > 80)
        .collect();
    assert!(long.is_empty(), "sentences over 80 characters: {long:#?}");
}

/// Whether the HTML refers to anything outside itself: a URL in an attribute or in CSS, a
/// linked style sheet or a script. The SVG namespace is a name, not a reference.
fn external_references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for needle in [
        "src=", "href=", "url(", "@import", "<link", "<script", "<iframe", "<object",
    ] {
        if html.contains(needle) {
            out.push(needle.to_owned());
        }
    }
    let stripped = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for scheme in ["http://", "https://", "//cdn"] {
        if stripped.contains(scheme) {
            out.push(scheme.to_owned());
        }
    }
    out
}

#[test]
fn writes_every_file_in_both_languages_with_numbers_from_results() {
    let ctx = TestContext::new();
    for lang in ["en", "ja"] {
        let dir = report(&ctx, lang);
        let md = fs_err::read_to_string(dir.join("report.md")).unwrap();
        // Every heading after the title starts its own block: a blank line before it.
        let lines: Vec<&str> = md.lines().collect();
        for (i, l) in lines.iter().enumerate().skip(1) {
            if l.starts_with('#') {
                assert_eq!(lines[i - 1], "", "{lang}: no blank line before {l:?}");
            }
        }
        let results: Value =
            serde_json::from_str(&fs_err::read_to_string(dir.join("results.json")).unwrap())
                .unwrap();
        insta::assert_snapshot!(format!("report_{lang}"), md);
        numbers_come_from_results(&md, &results);
        reads_as_a_note(&md, lang);

        // Structure: one numbered section per scenario, then the risk and the answer.
        let scenarios = results["scenarios"].as_array().unwrap();
        assert_eq!(scenarios.len(), 5);
        for s in scenarios {
            let heading = format!("## {}. ", s["number"]);
            assert!(md.contains(&heading), "{heading}");
        }
        assert!(md.contains("## 7. "), "the answer is section 7");
        assert!(results["track_record"]["n"].as_u64().unwrap() > 40);

        let html = fs_err::read_to_string(dir.join("report.html")).unwrap();
        assert_eq!(external_references(&html), Vec::<String>::new());
        // Every figure the text shows is inline.
        assert_eq!(html.matches("<svg").count(), md.matches(".png)").count());
        assert!(html.matches("<svg").count() >= 2);
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        let stamp = if lang == "ja" {
            "2025年2月18日時点のデータ"
        } else {
            "Data as of 18 February 2025"
        };
        // Atop the page, and at the foot of every printed page.
        assert!(
            html.contains(&format!("<header class=\"stamp\">{stamp}")),
            "{stamp}"
        );
        assert!(
            html.contains(&format!("<footer class=\"print-stamp\">{stamp}")),
            "{stamp}"
        );

        let post = fs_err::read_to_string(dir.join("post.txt")).unwrap();
        let weight: usize = post
            .trim()
            .chars()
            .map(|c| {
                let u = u32::from(c);
                if matches!(u, 0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247) {
                    1
                } else {
                    2
                }
            })
            .sum();
        assert!(weight <= 280, "post weighs {weight}: {post}");
        let p = results["targets"][0]["p_touch"].as_f64().unwrap();
        assert!(post.contains(&format!("{:.0}%", p * 100.0)), "{post}");

        for png in ["chart-weekly.png", "fan.png", "touch.png"] {
            let bytes = fs_err::read(dir.join(png)).unwrap();
            assert_eq!(&bytes[1..4], b"PNG");
            // Width and height from the IHDR chunk: 1200×675, the size of a post's image;
            // the weekly chart square, so that it reads at phone width.
            let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
            let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
            let size = if png == "chart-weekly.png" {
                (1200, 1200)
            } else {
                (1200, 675)
            };
            assert_eq!((w, h), size, "{png}");
        }
    }
}

#[test]
fn the_risks_are_the_weekly_regression_on_the_controls() {
    let ctx = TestContext::new();
    let out = report(&ctx, "en");
    let results: Value =
        serde_json::from_str(&fs_err::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let risks = &results["risks"];
    // The same regression through `aurum gpr regress`: ten years to as_of, weekly.
    let run = ctx
        .run(&[
            "gpr",
            "regress",
            "--freq",
            "weekly",
            "--measure",
            "change",
            "--component",
            "threats",
            "--controls",
            "dxy,dfii10,sp500",
            "--from",
            "2015-02-18",
            "--as-of",
            "2025-02-18",
            "--format",
            "json",
        ])
        .ok();
    let g: Value = serde_json::from_str(&run.stdout).unwrap();
    let beta = &g["ols"]["beta"];
    assert_eq!(risks["weeks"], g["ols"]["n"]);
    // Real yields are described per 0.1 point.
    for (i, (series, size)) in [("dxy", 1.0), ("dfii10", 0.1), ("sp500", 1.0)]
        .iter()
        .enumerate()
    {
        let f = &risks["factors"][i];
        assert_eq!(f["series"], *series);
        let effect = f["effect_pct"].as_f64().unwrap();
        let b = beta[*series].as_f64().unwrap();
        assert!(
            (effect - b * size).abs() < 1e-9,
            "{series}: {effect} vs {b}"
        );
        let (lo, hi) = (
            f["ci_low_pct"].as_f64().unwrap(),
            f["ci_high_pct"].as_f64().unwrap(),
        );
        assert!(lo < effect && effect < hi);
    }
    let md = fs_err::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Risks"), "{md}");
}

#[test]
fn pdf_is_printed_on_a4_with_its_fonts_or_refused_clearly() {
    let ctx = TestContext::new();
    let out = ctx.path("pdf").display().to_string();
    let run = ctx.run(&[
        "report",
        &example(),
        "--lang",
        "ja",
        "--currency",
        "jpy",
        "--pdf",
        "--paths",
        "2000",
        "--no-track-record",
        "--out",
        &out,
    ]);
    let chromium = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .any(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok()
    });
    if !chromium {
        run.fails();
        return;
    }
    run.ok();
    let pdf = fs_err::read(format!("{out}/report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    // A4 pages (595 × 842 points) and embedded fonts, the Japanese one among them.
    assert!(text.contains("/MediaBox [0 0 594.9"), "not A4");
    assert!(text.contains("/FontFile"), "fonts not embedded");
    let md = fs_err::read_to_string(format!("{out}/report.md")).unwrap();
    let results: Value =
        serde_json::from_str(&fs_err::read_to_string(format!("{out}/results.json")).unwrap())
            .unwrap();
    let yen = &results["yen"];
    let per_gram = yen["per_gram"].as_f64().unwrap();
    // LBMA PM × USD/JPY ÷ 31.1034768, the bundled series' definition.
    let usdjpy = yen["usdjpy"].as_f64().unwrap();
    assert!(
        (yen["targets_per_gram"][0].as_f64().unwrap() - 3000.0 * usdjpy / 31.103_476_8).abs()
            < 1e-9
    );
    assert!(
        md.contains(&format!(
            "1グラム{}円",
            aurum_core::text::grouped(per_gram, 0)
        )),
        "{md}"
    );
}

#[test]
fn the_same_seed_gives_the_same_report_at_any_thread_count() {
    let ctx = TestContext::new();
    let run = |threads: &str, out: &str| {
        let out = ctx.path(out);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_aurum"))
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "--home",
                &ctx.home().display().to_string(),
                "--quiet",
                "report",
                &example(),
                "--paths",
                "2000",
                "--no-track-record",
                "--out",
                &out.display().to_string(),
            ])
            .status()
            .unwrap();
        assert!(status.success());
        fs_err::read_to_string(out.join("results.json")).unwrap()
    };
    assert_eq!(run("1", "a"), run("2", "b"));
}

#[test]
fn unknown_events_and_bad_settings_are_clear_errors() {
    let ctx = TestContext::new();
    let text = fs_err::read_to_string(example())
        .unwrap()
        .replace("2025-02-14-vance-munich", "2025-02-14-no-such-event");
    let file = ctx.write("bad.toml", &text);
    let out = ctx.path("out").display().to_string();
    let r = ctx
        .run(&[
            "report",
            &file,
            "--no-track-record",
            "--paths",
            "2000",
            "--out",
            &out,
        ])
        .fails();
    assert!(
        r.stderr.contains("scenario \"us-nato-exit\": field \"events\": \"2025-02-14-no-such-event\" is not in the event catalog"),
        "{}",
        r.stderr
    );
    assert!(!ctx.path("out").join("report.md").exists());
    let r = ctx
        .run(&["report", &example(), "--paths", "10", "--out", &out])
        .usage();
    assert!(r.stderr.contains("--paths 10"), "{}", r.stderr);
    let r = ctx
        .run(&[
            "report",
            &example(),
            "--link",
            "javascript:alert(1)",
            "--out",
            &out,
        ])
        .usage();
    assert!(
        r.stderr.contains("--link") && r.stderr.contains("http"),
        "{}",
        r.stderr
    );
    assert!(!ctx.path("out").join("report.md").exists());
}

/// A report whose folder cannot be made stops before any work, and records nothing.
#[test]
fn a_report_that_cannot_be_written_records_nothing() {
    let ctx = TestContext::new();
    let file = ctx.write("not-a-folder", "x");
    let out = format!("{file}/report");
    let run = ctx
        .run(&["report", &example(), "--paths", "1000", "--out", &out])
        .fails();
    assert!(run.stderr.contains("not-a-folder"), "{}", run.stderr);
    let calls: Value =
        serde_json::from_str(&ctx.run(&["calls", "list", "--format", "json"]).ok().stdout).unwrap();
    assert_eq!(calls, serde_json::json!([]));
    let runs: Value =
        serde_json::from_str(&ctx.run(&["runs", "list", "--format", "json"]).ok().stdout).unwrap();
    assert_eq!(runs, serde_json::json!([]));
}
