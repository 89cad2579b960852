//! `aurum gpr regress` against statsmodels (`scripts/reference/gpr_regress.py`).

use crate::util::{TestContext, reference_case};

fn case(name: &str) -> serde_json::Value {
    reference_case("aurum-risk/tests/fixtures/gpr_regress.json", name)
}

/// The README's check: weekly log-change regressions on total, threats and acts, as of the
/// reference date, equal statsmodels' OLS with Newey–West errors (1e-6 relative; the closed
/// forms agree to about 1e-12), and the median quantile regression too.
#[test]
fn weekly_regressions_match_statsmodels() {
    let ctx = TestContext::new();
    for component in ["total", "threats", "acts"] {
        let run = ctx
            .run(&[
                "gpr",
                "regress",
                "--freq",
                "weekly",
                "--measure",
                "log-change",
                "--component",
                component,
                "--as-of",
                "2025-02-18",
                "--format",
                "json",
            ])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let c = case(&format!("weekly-log-change-{component}"));
        assert_eq!(v["n"], c["n"], "{component}");
        for (key, theirs) in [
            ("beta", "params"),
            ("se", "bse"),
            ("t", "tvalues"),
            ("p", "pvalues"),
        ] {
            for (i, reg) in ["const", "gpr"].iter().enumerate() {
                let ours = v["ols"][key][reg].as_f64().unwrap();
                let want = c["ols"][theirs][i].as_f64().unwrap();
                assert!(
                    (ours - want).abs() <= 1e-6 * want.abs(),
                    "{component} {key} {reg}: {ours} vs {want}"
                );
            }
        }
        let median = v["quantiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["tau"] == 0.5)
            .unwrap();
        let want = c["quantreg"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["q"] == 0.5)
            .unwrap();
        let ours = median["beta"]["gpr"].as_f64().unwrap();
        let theirs = want["params"][1].as_f64().unwrap();
        assert!(
            (ours - theirs).abs() <= 1e-6 * theirs.abs(),
            "{component} median: {ours} vs {theirs}"
        );
        assert!(
            v["effect"]["text"]
                .as_str()
                .unwrap()
                .starts_with("a 10% rise in GPR"),
            "{}",
            v["effect"]["text"]
        );
    }
}

#[test]
fn as_of_and_controls_shrink_the_sample() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "gpr",
            "regress",
            "--as-of",
            "2001-09-10",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v["last"].as_str().unwrap() <= "2001-09-14");
    let run = ctx
        .run(&[
            "gpr",
            "regress",
            "--component",
            "threats",
            "--controls",
            "dxy,dfii10,sp500,vix",
            "--as-of",
            "2025-02-18",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let c = case("weekly-log-change-threats-controls");
    assert_eq!(v["n"], c["n"]);
    let ours = v["ols"]["beta"]["gpr"].as_f64().unwrap();
    let theirs = c["ols"]["params"][1].as_f64().unwrap();
    assert!((ours - theirs).abs() <= 1e-6 * theirs.abs());
    assert!(v["ols"]["se"]["dfii10"].is_f64());
}

#[test]
fn rolling_and_bad_requests() {
    let ctx = TestContext::new();
    let plot = ctx.path("roll.svg");
    let run = ctx
        .run(&[
            "gpr",
            "regress",
            "--freq",
            "monthly",
            "--rolling",
            "60",
            "--plot",
            &plot.display().to_string(),
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let n = v["n"].as_u64().unwrap() as usize;
    assert_eq!(v["rolling"].as_array().unwrap().len(), n - 60 + 1);
    assert!(
        fs_err::read_to_string(&plot)
            .unwrap()
            .contains("class=\"band\"")
    );
    assert_eq!(ctx.run(&["gpr", "regress", "--measure", "vibes"]).code, 2);
    let run = ctx.run(&["gpr", "regress", "--quantiles", "1.5"]).usage();
    assert!(run.stderr.contains("--quantiles 1.5"), "{}", run.stderr);
    let run = ctx.run(&["gpr", "regress", "--controls", "nope"]).fails();
    assert!(
        run.stderr.contains("unknown series \"nope\""),
        "{}",
        run.stderr
    );
}

#[test]
fn authors_workbook_import_keeps_revisions() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let before = ctx.counts();
    let run = ctx
        .run(&[
            "gpr",
            "import",
            &crate::util::fixture("gpr_export_sample.xlsx"),
            "--recorded-at",
            "2025-03-05",
            "--format",
            "json",
        ])
        .ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let gpr = rows.iter().find(|r| r["series"] == "gpr").unwrap();
    assert_eq!(
        (gpr["changed"].as_u64(), gpr["unchanged"].as_u64()),
        (Some(1), Some(6))
    );
    assert!(rows.iter().any(|r| r["series"] == "gpr-country-usa"));
    assert_eq!(ctx.counts().revisions, before.revisions + 1);
    let show = |as_of: &str| {
        let run = ctx
            .run(&[
                "data",
                "show",
                "--series",
                "gpr",
                "--from",
                "2025-01-01",
                "--as-of",
                as_of,
                "--format",
                "json",
            ])
            .ok();
        let v: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        v[0]["close"].as_f64().unwrap()
    };
    // Known on 2025-03-04: the first release; from 2025-03-05: the revision, 10 points up.
    assert!((show("2025-03-05") - show("2025-03-04") - 10.0).abs() < 1e-9);
    let bad = ctx.write("nogpr.csv", "month,foo\n2024-01-01,1\n");
    let run = ctx.run(&["gpr", "import", &bad]).fails();
    assert!(run.stderr.contains("no GPR column"), "{}", run.stderr);
}

#[test]
fn news_index_from_a_folder_and_a_jsonl_file() {
    let ctx = TestContext::new();
    let dir = ctx.path("news");
    fs_err::create_dir_all(dir.join("2024")).unwrap();
    let write = |name: &str, text: &str| fs_err::write(dir.join(name), text).unwrap();
    write(
        "2024/2024-01-03-tension.txt",
        "Fears of war grow as troops mass on the border.",
    );
    write("2024/2024-01-10-rates.txt", "The central bank held rates.");
    write("2024/2024-01-17-earnings.txt", "Earnings beat forecasts.");
    write("2024/2024-01-24-oil.txt", "Oil prices were flat.");
    write(
        "2024-02-05-invasion.txt",
        "The army launched an invasion at dawn.",
    );
    write("2024-02-12-calm.txt", "Markets were quiet.");
    let run = ctx
        .run(&[
            "gpr",
            "build",
            "--corpus",
            &dir.display().to_string(),
            "--format",
            "json",
            "--save",
            "gpr-news-en",
        ])
        .ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows.len(), 2);
    // January: 1 of 4 articles (25%); February: 1 of 2 (50%); mean share 37.5% = 100.
    assert_eq!(
        (
            rows[0]["articles"].as_u64(),
            rows[0]["matches"].as_u64(),
            rows[0]["threats"].as_u64()
        ),
        (Some(4), Some(1), Some(1))
    );
    assert!((rows[0]["index"].as_f64().unwrap() - 100.0 * 25.0 / 37.5).abs() < 1e-9);
    assert_eq!(rows[1]["acts"], 1);
    let saved = ctx
        .run(&[
            "data",
            "show",
            "--series",
            "gpr-news-en",
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&saved.stdout)
            .unwrap()
            .len(),
        2
    );

    let ja = ctx.write(
        "ja.jsonl",
        "{\"date\": \"2025-02-14\", \"title\": \"台湾海峡で軍事衝突のリスク\", \"text\": \"緊張が高まっている\"}\n\
         {\"date\": \"2025-02-15\", \"text\": \"日銀は金融政策を据え置いた\"}\n\
         {\"date\": \"2025-03-03\", \"text\": \"北朝鮮が核実験\"}\n",
    );
    let run = ctx
        .run(&[
            "gpr", "build", "--corpus", &ja, "--lang", "ja", "--format", "json",
        ])
        .ok();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (rows[0]["articles"].as_u64(), rows[0]["matches"].as_u64()),
        (Some(2), Some(1))
    );
    // --as-of drops March.
    let run = ctx
        .run(&[
            "gpr",
            "build",
            "--corpus",
            &ja,
            "--lang",
            "ja",
            "--as-of",
            "2025-02-28",
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout)
            .unwrap()
            .len(),
        1
    );
    let bad = ctx.write("bad.jsonl", "{\"date\": \"2025-02-14\", \"text\": \"war fears\"}\n{\"date\": \"14/02/2025\", \"text\": \"x\"}\n");
    let run = ctx.run(&["gpr", "build", "--corpus", &bad]).fails();
    assert!(
        run.stderr.contains("bad.jsonl:2: field \"date\""),
        "{}",
        run.stderr
    );
    write("notes.txt", "undated");
    let run = ctx
        .run(&["gpr", "build", "--corpus", &dir.display().to_string()])
        .fails();
    assert!(
        run.stderr
            .contains("notes.txt: the file name must begin with its date"),
        "{}",
        run.stderr
    );
}

/// A link that loops back into the corpus is not followed (it once walked forever).
#[cfg(unix)]
#[test]
fn a_corpus_link_to_a_folder_is_not_followed() {
    let ctx = TestContext::new();
    let corpus = ctx.path("corpus");
    fs_err::create_dir_all(corpus.join("sub")).unwrap();
    fs_err::write(corpus.join("2025-01-02-a.txt"), "war threat missile").unwrap();
    std::os::unix::fs::symlink(&corpus, corpus.join("sub").join("loop")).unwrap();
    let run = ctx
        .run_raw(&[
            "gpr",
            "build",
            "--corpus",
            corpus.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok();
    assert!(
        run.stderr.contains("a link to a folder, not followed"),
        "{}",
        run.stderr
    );
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rows[0]["articles"], 1);
}
