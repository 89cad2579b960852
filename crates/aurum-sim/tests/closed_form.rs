//! The engine against closed forms for geometric Brownian motion, and the tree's logic.

use std::collections::HashMap;

use aurum_core::date;
use aurum_sim::{Base, RunOptions, Scenario, Setup, Shock, simulate, trading_days};
use statrs::distribution::{ContinuousCDF, Normal};

const S0: f64 = 2900.0;
const K: f64 = 3000.0;

/// σ = 16% a year; log drift zero minus σ²/2 a day; 21 trading days (2025-02-18 → 03-19).
fn gbm(scenarios: Vec<Scenario>) -> Setup {
    let sigma = 0.16 / 252f64.sqrt();
    let days = trading_days(date(2025, 2, 18), date(2025, 3, 19));
    assert_eq!(days.len(), 21);
    Setup {
        s0: S0,
        days,
        base: Base::Gbm {
            mu: -0.5 * sigma * sigma,
            sigma,
        },
        scenarios,
        analogs: HashMap::new(),
        targets: vec![K],
    }
}

fn scenario(id: &str, p: f64, shock: Shock) -> Scenario {
    Scenario {
        id: id.into(),
        name: id.into(),
        probability: p,
        window: None,
        requires: vec![],
        excludes: vec![],
        shock,
        spread_days: 1,
        volatility: None,
    }
}

fn run(setup: &Setup, paths: usize) -> aurum_sim::Results {
    simulate(
        setup,
        &RunOptions {
            paths,
            seed: 7,
            disabled: None,
        },
    )
    .unwrap()
}

#[test]
fn gbm_matches_closed_forms() {
    let setup = gbm(vec![]);
    let r = run(&setup, 200_000);
    let t = &r.targets[0];
    let n = Normal::standard();
    let sigma = 0.16 / 252f64.sqrt();
    let (nu, tt, b) = (-0.5 * sigma * sigma, 21.0_f64, (K / S0).ln());
    let s = sigma * tt.sqrt();
    // P(S_T ≥ K).
    let p_close = n.cdf((nu * tt - b) / s);
    assert!(
        (t.p_close_above - p_close).abs() <= 3.0 * t.p_close_above_se,
        "{} vs {p_close}",
        t.p_close_above
    );
    // P(max_t S_t ≥ K) for continuous monitoring.
    let p_cont = n.cdf((-b + nu * tt) / s)
        + (2.0 * nu * b / (sigma * sigma)).exp() * n.cdf((-b - nu * tt) / s);
    assert!((p_cont - 0.455).abs() < 0.001, "{p_cont}");
    // The Broadie–Glasserman–Kou shift has an error of order Δt^(3/2) on top of sampling
    // error; 0.01 allows for it at 21 daily steps.
    assert!(
        (t.p_touch_continuous - p_cont).abs() <= 3.0 * t.p_touch_continuous_se + 0.01,
        "{} vs {p_cont}",
        t.p_touch_continuous
    );
    // Daily monitoring: about 0.385 (the figure of the issue, itself a simulation).
    assert!(
        (t.p_touch - 0.385).abs() <= 3.0 * t.p_touch_se + 0.003,
        "{}",
        t.p_touch
    );
    assert!(t.p_touch < t.p_touch_continuous);
}

#[test]
fn horizon_percentiles_match_the_lognormal() {
    let r = run(&gbm(vec![]), 200_000);
    let sigma = 0.16 / 252f64.sqrt();
    let (nu, s) = (-0.5 * sigma * sigma * 21.0, sigma * 21f64.sqrt());
    let n = Normal::standard();
    assert_eq!(r.horizon_percentiles.len(), 99);
    for (k, q) in r.horizon_percentiles.iter().enumerate() {
        let p = (k + 1) as f64 / 100.0;
        let exact = S0 * (nu + s * n.inverse_cdf(p)).exp();
        // Histogram bins of 0.002 in log price, and sampling error (largest in the tails).
        assert!((q / exact - 1.0).abs() < 0.004, "{p}: {q} vs {exact}");
    }
    assert!(r.horizon_percentiles.windows(2).all(|w| w[0] <= w[1]));
    let end = r.fan.last().unwrap();
    assert!((r.horizon_percentiles[49] - end.q50).abs() < 1e-9);
}

#[test]
fn a_certain_shock_moves_every_quantile() {
    let mut shocked = scenario("jump", 1.0, Shock::Fixed { pct: 5.0 });
    shocked.window = Some((date(2025, 2, 19), date(2025, 2, 19)));
    let with = run(&gbm(vec![shocked]), 20_000);
    let without = run(&gbm(vec![]), 20_000);
    let (a, b) = (with.fan.last().unwrap(), without.fan.last().unwrap());
    // Innovations come from their own stream, so both runs share them; quantiles are read
    // from histograms with bins of 0.002 in log price: 0.3% covers two bins.
    for (x, y) in [
        (a.q05, b.q05),
        (a.q25, b.q25),
        (a.q50, b.q50),
        (a.q75, b.q75),
        (a.q95, b.q95),
    ] {
        assert!((x / y - 1.05).abs() < 0.003, "{x} vs {y}");
    }
    assert_eq!(with.scenarios[0].p_happened, 1.0);
}

#[test]
fn the_tree_is_respected() {
    let parent = scenario("parent", 0.5, Shock::None);
    let mut child = scenario("child", 0.4, Shock::None);
    child.requires = vec!["parent".into()];
    let mut rival = scenario("rival", 0.5, Shock::None);
    rival.excludes = vec!["parent".into()];
    let r = run(&gbm(vec![parent, child, rival]), 40_000);
    let p = |id: &str| r.scenarios.iter().find(|s| s.id == id).unwrap().clone();
    assert!((p("parent").p_happened - 0.5).abs() < 4.0 * p("parent").p_happened_se);
    // The child needs the parent on an earlier day: P ≤ 0.5 × 0.4 (the last day leaves no room).
    let c = p("child").p_happened;
    assert!(c > 0.17 && c <= 0.2 + 4.0 * p("child").p_happened_se, "{c}");
    // The rival never happens with the parent: 0.5 × (1 − 0.5).
    assert!((p("rival").p_happened - 0.25).abs() < 4.0 * p("rival").p_happened_se);
    for combo in &r.combinations {
        assert!(
            !(combo.scenarios.contains(&"parent".to_owned())
                && combo.scenarios.contains(&"rival".to_owned()))
        );
        assert!(
            !combo.scenarios.contains(&"child".to_owned())
                || combo.scenarios.contains(&"parent".to_owned())
        );
    }
}

#[test]
fn identical_results_whatever_the_thread_count() {
    let setup = gbm(vec![scenario(
        "s",
        0.3,
        Shock::Normal {
            mean_pct: 3.0,
            sd_pct: 2.0,
        },
    )]);
    let opts = RunOptions {
        paths: 10_000,
        seed: 11,
        disabled: None,
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| simulate(&setup, &opts).unwrap());
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| simulate(&setup, &opts).unwrap());
    assert_eq!(one, two);
    // Switching the scenario off changes only what it did (common random numbers).
    let off = simulate(
        &setup,
        &RunOptions {
            disabled: Some(0),
            ..opts
        },
    )
    .unwrap();
    assert_eq!(off.scenarios[0].p_happened, 0.0);
    assert!(off.targets[0].p_touch <= one.targets[0].p_touch);
}

#[test]
fn daily_probabilities_follow_the_closed_form_and_end_at_the_horizon() {
    let setup = gbm(vec![]);
    let r = run(&setup, 100_000);
    let t = &r.targets[0];
    assert_eq!(t.by_day.len(), 21);
    let last = t.by_day.last().unwrap();
    assert_eq!(last.p_touch, t.p_touch);
    assert_eq!(last.p_close_above, t.p_close_above);
    assert!(t.by_day.windows(2).all(|w| w[0].p_touch <= w[1].p_touch));
    let sigma = 0.16 / 252f64.sqrt();
    let normal = Normal::standard();
    for (i, d) in t.by_day.iter().enumerate() {
        let days = (i + 1) as f64;
        let m = (S0 / K).ln() - 0.5 * sigma * sigma * days;
        let p = normal.cdf(m / (sigma * days.sqrt()));
        let se = (p * (1.0 - p) / 100_000.0).sqrt();
        // Within 4 standard errors on each of 21 days.
        assert!(
            (d.p_close_above - p).abs() < 4.0 * se + 1e-4,
            "{d:?} vs {p}"
        );
        // A close at or above the target that day means the target was touched by then.
        assert!(d.p_touch >= d.p_close_above);
    }
}
