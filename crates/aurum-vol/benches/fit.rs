//! Fitting GARCH(1,1)-t and GJR-GARCH(1,1,1)-t to the full 1968–2025 LBMA series
//! (14,282 returns), by Newton and by its naive twin (BFGS), and by Newton on the last n
//! returns for growing n. `aurum bench vol` runs the full-series fits beside Python's arch in
//! one run and reports the ratio.

use aurum_vol::{ArchModel, Dist, FitOptions, Mean, Optimizer, Vol};
use criterion::{Criterion, criterion_group, criterion_main};

fn returns() -> Vec<f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/prices/gold_usd_daily_lbma_pm.csv");
    let text = fs_err::read_to_string(path).expect("bundled LBMA file");
    let closes: Vec<f64> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1)?.parse().ok())
        .collect();
    closes
        .windows(2)
        .map(|w| 100.0 * (w[1].ln() - w[0].ln()))
        .collect()
}

fn fits(c: &mut Criterion) {
    let y = returns();
    let mut group = c.benchmark_group("fit_lbma_1968_2025");
    group.sample_size(20);
    let bfgs = FitOptions {
        optimizer: Optimizer::Bfgs,
        ..FitOptions::default()
    };
    for (name, o) in [("garch11_t", 0), ("gjr111_t", 1)] {
        let m = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o, q: 1 },
            Dist::StudentsT,
        );
        group.bench_function(name, |b| {
            b.iter(|| m.fit(&y, &FitOptions::default()).expect("fits"))
        });
        group.bench_function(format!("{name}_bfgs"), |b| {
            b.iter(|| m.fit(&y, &bfgs).expect("fits"))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("fit_lbma_last_n");
    group.sample_size(20);
    let m = ArchModel::new(
        Mean::Constant,
        Vol::Garch { p: 1, o: 1, q: 1 },
        Dist::StudentsT,
    );
    for n in [1000, 2000, 4000, 8000, y.len()] {
        let tail = &y[y.len() - n..];
        group.throughput(criterion::Throughput::Elements(n as u64));
        group.bench_function(format!("gjr111_t_{n}"), |b| {
            b.iter(|| m.fit(tail, &FitOptions::default()).expect("fits"))
        });
    }
    group.finish();
}

criterion_group!(benches, fits);
criterion_main!(benches);
