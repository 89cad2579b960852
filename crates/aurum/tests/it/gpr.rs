//! `aurum gpr regress` against statsmodels (`scripts/reference/gpr_regress.py`).

use crate::util::TestContext;

fn case(name: &str) -> serde_json::Value {
    let text = fs_err::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../aurum-risk/tests/fixtures/gpr_regress.json"),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone()
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
    let run = ctx.run(&["gpr", "regress", "--quantiles", "1.5"]).fails();
    assert!(run.stderr.contains("--quantiles 1.5"), "{}", run.stderr);
    let run = ctx.run(&["gpr", "regress", "--controls", "nope"]).fails();
    assert!(
        run.stderr.contains("unknown series \"nope\""),
        "{}",
        run.stderr
    );
}
