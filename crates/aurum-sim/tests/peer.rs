//! The engine against an independent numpy simulation of the same GARCH(1,1)-t model
//! (`scripts/reference/scenario_peer.py`, one million paths), within Monte Carlo error.

use std::collections::HashMap;

use aurum_core::date;
use aurum_sim::{Base, RunOptions, Setup, simulate, trading_days};
use aurum_vol::{ArchModel, Dist, Mean, Simulator, Vol};
use serde_json::Value;

#[test]
fn garch_t_probabilities_match_the_numpy_peer() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let peer: Value = serde_json::from_str(
        &fs_err::read_to_string(root.join("crates/aurum-sim/tests/fixtures/garch_peer.json"))
            .unwrap(),
    )
    .unwrap();
    let text = fs_err::read_to_string(root.join("data/prices/gold_usd_daily_lbma_pm.csv")).unwrap();
    let closes: Vec<f64> = text
        .lines()
        .skip(1)
        .filter(|l| ("2015-02-18"..="2025-02-18").contains(&&l[..10]))
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let y: Vec<f64> = closes
        .windows(2)
        .map(|w| 100.0 * (w[1].ln() - w[0].ln()))
        .collect();
    let p = &peer["params"];
    let params: Vec<f64> = ["mu", "omega", "alpha[1]", "beta[1]", "nu"]
        .iter()
        .map(|k| p[*k].as_f64().unwrap())
        .collect();
    let model = ArchModel::new(
        Mean::Constant,
        Vol::Garch { p: 1, o: 0, q: 1 },
        Dist::StudentsT,
    );
    let fixed = model.fix(&y, &params).unwrap();
    let sim = Simulator::new(&model, &fixed, &y).unwrap();
    // Same starting state: the first simulated day's variance (arch's recursion, 1e-9).
    let next = sim.next_variance(&sim.initial_state());
    let want = peer["sigma2_next"].as_f64().unwrap();
    assert!((next - want).abs() < 1e-9 * want, "{next} vs {want}");

    let days = trading_days(date(2025, 2, 18), date(2025, 6, 30));
    assert_eq!(days.len() as u64, peer["days"].as_u64().unwrap());
    let s0 = peer["s0"].as_f64().unwrap();
    let setup = Setup {
        s0,
        days,
        base: Base::Model {
            sim: Box::new(sim),
            scale: 100.0,
        },
        scenarios: Vec::new(),
        analogs: HashMap::new(),
        targets: vec![3000.0, 3200.0],
    };
    let m = 200_000;
    let r = simulate(
        &setup,
        &RunOptions {
            paths: m,
            seed: 5,
            disabled: None,
        },
    )
    .unwrap();
    for (ours, theirs) in r.targets.iter().zip(peer["targets"].as_array().unwrap()) {
        for (key, got) in [
            ("p_close_above", ours.p_close_above),
            ("p_touch", ours.p_touch),
        ] {
            let want = theirs[key].as_f64().unwrap();
            let se = (theirs[format!("{key}_se")].as_f64().unwrap().powi(2)
                + want * (1.0 - want) / m as f64)
                .sqrt();
            // Independent simulations: within 3.5 combined standard errors (eight comparisons).
            assert!(
                (got - want).abs() <= 3.5 * se,
                "{} {key}: aurum {got}, numpy {want}, se {se}",
                ours.target
            );
        }
    }
    // Horizon quantiles: Monte Carlo error plus the engine's histogram bins (0.2% in price).
    let end = r.fan.last().unwrap();
    let q = &peer["quantiles"];
    for (got, key) in [
        (end.q05, "q05"),
        (end.q25, "q25"),
        (end.q50, "q50"),
        (end.q75, "q75"),
        (end.q95, "q95"),
    ] {
        let want = q[key]
            .as_f64()
            .unwrap_or_else(|| panic!("quantile {key} in {q}"));
        assert!(
            (got / want - 1.0).abs() < 0.004,
            "{key}: aurum {got}, numpy {want}"
        );
    }
}
