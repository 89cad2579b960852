//! The Newton optimiser against its naive twin (BFGS on unconstrained coordinates), and its
//! behaviour on data that cannot be fitted.

use aurum_vol::{ArchModel, Dist, FitOptions, Mean, Optimizer, Vol, VolError};
use serde_json::Value;

mod common;
use common::{lbma_returns, root};

fn simulated() -> Vec<(String, Vec<f64>)> {
    let v: Value = serde_json::from_str(
        &fs_err::read_to_string(root().join("crates/aurum-vol/tests/fixtures/arch_simulated.json"))
            .unwrap(),
    )
    .unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

/// A deterministic series with volatility clusters, a leverage effect and fat tails.
fn clustered(n: usize) -> Vec<f64> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (omega, alpha, gamma, beta) = (0.02, 0.05, 0.08, 0.88);
    let mut s2: f64 = omega / (1.0 - alpha - gamma / 2.0 - beta);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        // A t(5)-like draw from a ratio of uniforms: heavy enough tails.
        let z = (uniform() - 0.5) / (0.05 + uniform()).sqrt() * 1.2;
        let e = z * s2.sqrt();
        out.push(0.03 + e);
        let neg = if e < 0.0 { gamma } else { 0.0 };
        s2 = omega + (alpha + neg) * e * e + beta * s2;
    }
    out
}

fn models() -> Vec<ArchModel> {
    let mut out = Vec::new();
    for mean in [Mean::Constant, Mean::Zero] {
        for o in [0, 1] {
            for dist in [Dist::StudentsT, Dist::Normal] {
                out.push(ArchModel::new(mean, Vol::Garch { p: 1, o, q: 1 }, dist));
            }
        }
    }
    out
}

/// Newton with the exact Hessian and BFGS reach the same optimum: Newton's log-likelihood is
/// at least BFGS's less 1e-6, and the two agree to 1e-4 on the log-likelihood (BFGS stops on
/// a gradient tolerance in transformed coordinates, so it may fall a little short).
#[test]
fn newton_and_bfgs_reach_the_same_optimum() {
    let mut series = vec![
        ("lbma".to_owned(), lbma_returns()),
        ("clustered".to_owned(), clustered(3000)),
        ("clustered-short".to_owned(), clustered(400)),
    ];
    // Windows of the LBMA series such as backtests refit: calm, crisis and recent years.
    let y = lbma_returns();
    for (start, len) in [(0, 1000), (2500, 750), (9800, 2500), (y.len() - 1500, 1500)] {
        series.push((
            format!("lbma[{start}..+{len}]"),
            y[start..start + len].to_vec(),
        ));
    }
    series.extend(simulated());
    let bfgs = FitOptions {
        optimizer: Optimizer::Bfgs,
        ..FitOptions::default()
    };
    for (name, y) in &series {
        for m in models() {
            let what = format!("{name} {:?} {} {}", m.mean, m.vol, m.dist);
            let fast = m.fit(y, &FitOptions::default()).unwrap();
            let slow = m.fit(y, &bfgs).unwrap();
            assert!(fast.termination.converged, "{what}: {:?}", fast.termination);
            assert!(
                fast.loglik >= slow.loglik - 1e-6,
                "{what}: Newton {} < BFGS {}",
                fast.loglik,
                slow.loglik
            );
            assert!(
                (fast.loglik - slow.loglik).abs() <= 1e-4,
                "{what}: Newton {} vs BFGS {}",
                fast.loglik,
                slow.loglik
            );
            // Standard errors from the exact Hessian are finite and positive at interior optima
            // (at a bound such as ν = 500 the Hessian need not be definite).
            let interior = fast.diagnostics.is_empty() && fast.params.iter().all(|p| *p != 0.0);
            assert!(
                !interior || fast.std_err.iter().all(|s| s.is_finite() && *s > 0.0),
                "{what}: {:?}",
                fast.std_err
            );
        }
    }
}

/// Fewer Newton iterations than BFGS on the LBMA series (the point of the exact Hessian),
/// and a single start gives the same optimum as two.
#[test]
fn newton_converges_in_few_iterations() {
    let y = lbma_returns();
    for o in [0, 1] {
        let m = ArchModel::new(
            Mean::Constant,
            Vol::Garch { p: 1, o, q: 1 },
            Dist::StudentsT,
        );
        let two = m.fit(&y, &FitOptions::default()).unwrap();
        let one = m
            .fit(
                &y,
                &FitOptions {
                    starts: 1,
                    ..FitOptions::default()
                },
            )
            .unwrap();
        assert!(two.termination.iterations <= 15, "{:?}", two.termination);
        assert!((one.loglik - two.loglik).abs() < 1e-8);
        // On the stationarity boundary exactly, as the face of the feasible set.
        assert!(two.diagnostics.iter().any(|d| d.contains("boundary")));
        // A warm start from the optimum converges at once.
        let warm = m
            .fit(
                &y,
                &FitOptions {
                    starts: 1,
                    warm_start: Some(two.u.clone()),
                    ..FitOptions::default()
                },
            )
            .unwrap();
        assert!(warm.loglik >= two.loglik - 1e-6);
        assert!(warm.termination.iterations <= 4, "{:?}", warm.termination);
        // Short windows converge in few iterations too (the Hessian is refreshed whenever
        // the convergence slows).
        for len in [1000, 2000] {
            let fit = m.fit(&y[y.len() - len..], &FitOptions::default()).unwrap();
            assert!(
                fit.termination.converged && fit.termination.iterations <= 15,
                "{len}: {:?}",
                fit.termination
            );
        }
    }
}

/// Data that cannot be fitted give errors, not panics; degenerate data give a result that
/// says so, not a panic.
#[test]
fn unfit_data_give_clear_errors() {
    let m = ArchModel::new(
        Mean::Constant,
        Vol::Garch { p: 1, o: 1, q: 1 },
        Dist::StudentsT,
    );
    let opts = FitOptions::default();
    assert!(matches!(
        m.fit(&[], &opts),
        Err(VolError::TooShort { n: 0, .. })
    ));
    assert!(matches!(
        m.fit(&[0.1, -0.2, 0.3], &opts),
        Err(VolError::TooShort { n: 3, .. })
    ));
    let mut y = clustered(500);
    y[17] = f64::NAN;
    assert!(matches!(
        m.fit(&y, &opts),
        Err(VolError::NonFinite { index: 17, .. })
    ));
    y[17] = f64::INFINITY;
    assert!(matches!(
        m.fit(&y, &opts),
        Err(VolError::NonFinite { index: 17, .. })
    ));
    // Constant, all-zero, one outlier in zeros, tiny and huge scales: no panic.
    let mut spike = vec![0.0; 300];
    spike[150] = 5.0;
    for y in [
        vec![1.5; 300],
        vec![0.0; 300],
        spike,
        clustered(300).iter().map(|v| v * 1e-6).collect(),
        clustered(300).iter().map(|v| v * 1e6).collect(),
    ] {
        for m in models() {
            if let Ok(fit) = m.fit(&y, &opts) {
                assert_eq!(fit.params.len(), m.num_params());
            }
        }
    }
}
