//! Simulated steps (paths × days) per second: GARCH(1,1)-t fitted to ten years of LBMA
//! prices, 20,000 paths over the 94 trading days of the reference case, with and without the
//! scenario tree's kind of work (a shocked, regime-switching scenario). `aurum bench
//! scenario` compares the same engine with the numpy peer and raw draws in one run.

use std::collections::HashMap;

use aurum_core::date;
use aurum_sim::{Base, Regime, RunOptions, Scenario, Setup, Shock, simulate, trading_days};
use aurum_vol::{ArchModel, Dist, FitOptions, Mean, Simulator, Vol};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn setup(scenarios: Vec<Scenario>) -> Setup {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/prices/gold_usd_daily_lbma_pm.csv");
    let text = fs_err::read_to_string(path).expect("bundled LBMA file");
    let closes: Vec<f64> = text
        .lines()
        .skip(1)
        .filter(|l| ("2015-02-18"..="2025-02-18").contains(&&l[..10]))
        .filter_map(|l| l.split(',').nth(1)?.parse().ok())
        .collect();
    let y: Vec<f64> = closes
        .windows(2)
        .map(|w| 100.0 * (w[1].ln() - w[0].ln()))
        .collect();
    let model = ArchModel::new(
        Mean::Constant,
        Vol::Garch { p: 1, o: 0, q: 1 },
        Dist::StudentsT,
    );
    let fit = model.fit(&y, &FitOptions::default()).expect("fits");
    Setup {
        s0: *closes.last().expect("prices"),
        days: trading_days(date(2025, 2, 18), date(2025, 6, 30)),
        base: Base::Model {
            sim: Box::new(Simulator::new(&model, &fit, &y).expect("simulator")),
            scale: 100.0,
        },
        scenarios,
        analogs: HashMap::new(),
        targets: vec![3000.0, 3200.0],
    }
}

fn engine(c: &mut Criterion) {
    let shock = Scenario {
        id: "shock".into(),
        name: "shock".into(),
        probability: 0.5,
        window: None,
        requires: vec![],
        excludes: vec![],
        shock: Shock::Normal {
            mean_pct: 3.0,
            sd_pct: 2.0,
        },
        spread_days: 3,
        volatility: Some(Regime {
            multiplier: 1.3,
            days: 20,
        }),
    };
    let paths = 20_000;
    let mut group = c.benchmark_group("garch_t_94_days");
    group.sample_size(10);
    for (name, s) in [
        ("no_scenarios", setup(vec![])),
        ("one_scenario", setup(vec![shock])),
    ] {
        group.throughput(Throughput::Elements((paths * s.days.len()) as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                simulate(
                    &s,
                    &RunOptions {
                        paths,
                        seed: 1,
                        disabled: None,
                    },
                )
                .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
