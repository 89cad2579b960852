//! CRPS of a 2,000-path ensemble: the sorted O(n) form against its pairwise twin, and the
//! kernel log score, as the backtest computes them per origin and horizon.

use aurum_backtest::scores::{crps_pairs, crps_sorted, kde_logpdf};
use criterion::{Criterion, black_box, criterion_group, criterion_main};

fn ensemble(n: usize) -> Vec<f64> {
    // A deterministic, roughly bell-shaped sample in scrambled order (7919 is prime and
    // coprime to n, so 7919·i mod n visits every slot once), as simulated paths arrive.
    (0..n)
        .map(|i| {
            let u = ((i * 7919 % n) as f64 + 0.5) / n as f64;
            (u / (1.0 - u)).ln() * 2.0
        })
        .collect()
}

fn scores(c: &mut Criterion) {
    let xs = ensemble(2001);
    let mut sorted = xs.clone();
    sorted.sort_by(f64::total_cmp);
    c.bench_function("crps sorted (2001 paths, incl. sort)", |b| {
        b.iter(|| {
            let mut s = xs.clone();
            s.sort_by(f64::total_cmp);
            crps_sorted(black_box(&s), 0.7)
        })
    });
    c.bench_function("crps pairwise twin (2001 paths)", |b| {
        b.iter(|| crps_pairs(black_box(&xs), 0.7))
    });
    c.bench_function("kde log score (2001 paths)", |b| {
        b.iter(|| kde_logpdf(black_box(&sorted), 0.7))
    });
}

criterion_group!(benches, scores);
criterion_main!(benches);
