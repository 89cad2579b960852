//! `aurum vol fit|forecast`.

use crate::util::{TestContext, reference_case};

fn arch_case(name: &str) -> serde_json::Value {
    reference_case("aurum-vol/tests/fixtures/arch_lbma.json", name)
}

/// The README's check: GARCH(1,1)-t on the LBMA series as of 2025-02-18 reaches arch's
/// optimum (log-likelihood within 1e-4 or better).
#[test]
fn garch_t_fit_matches_arch() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "vol",
            "fit",
            "--series",
            "gold-usd-lbma-pm",
            "--model",
            "garch",
            "--dist",
            "t",
            "--as-of",
            "2025-02-18",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let arch = arch_case("constant-garch-t");
    assert_eq!(v["nobs"], arch["nobs"]);
    assert!(
        v["loglik"].as_f64().unwrap() >= arch["loglik"].as_f64().unwrap() - 1e-4,
        "{} vs {}",
        v["loglik"],
        arch["loglik"]
    );
    for (i, name) in arch["param_names"].as_array().unwrap().iter().enumerate() {
        let ours = v["params"][name.as_str().unwrap()].as_f64().unwrap();
        let theirs = arch["params"][i].as_f64().unwrap();
        let se = arch["std_err"][i].as_f64().unwrap();
        assert!(
            (ours - theirs).abs() < 0.1 * se,
            "{name}: {ours} vs {theirs}"
        );
    }
    assert_eq!(v["termination"]["converged"], true);
    assert_eq!(v["last_date"], "2025-02-18");
}

#[test]
fn as_of_limits_the_sample() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "vol",
            "fit",
            "--model",
            "gjr",
            "--as-of",
            "2008-09-15",
            "--from",
            "2000-01-01",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["last_date"], "2008-09-15");
    assert!(v["params"]["gamma[1]"].is_f64());
    assert!(v["nobs"].as_u64().unwrap() < 2300);
}

#[test]
fn forecast_term_structure_and_plot() {
    let ctx = TestContext::new();
    let plot = ctx.path("vol.svg");
    let run = ctx
        .run(&[
            "vol",
            "forecast",
            "--model",
            "egarch",
            "--dist",
            "skewt",
            "--horizon",
            "21",
            "--paths",
            "500",
            "--plot",
            &plot.display().to_string(),
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["method"], "simulation");
    let rows = v["forecast"].as_array().unwrap();
    assert_eq!(rows.len(), 21);
    let ann: Vec<f64> = rows
        .iter()
        .map(|r| r["annualised_vol_pct"].as_f64().unwrap())
        .collect();
    // Gold's volatility: roughly 10 to 30% a year.
    assert!(ann.iter().all(|a| (5.0..40.0).contains(a)), "{ann:?}");
    assert!(
        fs_err::read_to_string(&plot)
            .unwrap()
            .contains("class=\"series\"")
    );
    // Same seed, same numbers.
    let again = ctx
        .run(&[
            "vol",
            "forecast",
            "--model",
            "egarch",
            "--dist",
            "skewt",
            "--horizon",
            "21",
            "--paths",
            "500",
            "--format",
            "json",
        ])
        .ok();
    let w: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(v["forecast"], w["forecast"]);
}

#[test]
fn bad_requests() {
    let ctx = TestContext::new();
    assert_eq!(ctx.run(&["vol", "fit", "--dist", "cauchy"]).code, 2);
    let run = ctx.run(&["vol", "forecast", "--horizon", "0"]).usage();
    assert!(run.stderr.contains("--horizon 0"), "{}", run.stderr);
    let run = ctx.run(&["vol", "fit", "--from", "2025-02-01"]).fails();
    assert!(run.stderr.contains("observations"), "{}", run.stderr);
}
