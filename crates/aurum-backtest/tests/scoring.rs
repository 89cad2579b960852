//! The scoring rules against `properscoring`, `scipy`, `statsmodels` and `vartests`:
//! `scripts/reference/scoring.py` wrote `tests/fixtures/scoring.json`.

use aurum_backtest::scores::{
    brier, brier_grouped, christoffersen, crps_normal, crps_pairs, crps_sorted, diebold_mariano,
    kde_bandwidth, kde_logpdf, kupiec, pit_uniformity,
};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/scoring.json");
    serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap()
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"))
}

fn floats(v: &Value, k: &str) -> Vec<f64> {
    v[k].as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn bools(v: &Value, k: &str) -> Vec<bool> {
    v[k].as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64() == Some(1))
        .collect()
}

/// Relative difference, with an absolute floor for values at zero (exact zeros and numpy's
/// rounding-sized terms such as 1e-32 in the Brier decomposition).
fn close(a: f64, b: f64, rel: f64, what: &str) {
    let tol = rel * b.abs().max(1.0);
    assert!((a - b).abs() <= tol, "{what}: aurum {a} vs reference {b}");
}

fn name(c: &Value) -> String {
    c["name"].as_str().unwrap_or("").to_owned()
}

#[test]
fn crps_of_normal_forecasts_matches_properscoring() {
    for c in fixture()["crps_normal"].as_array().unwrap() {
        let got = crps_normal(f(c, "mu"), f(c, "sigma"), f(c, "y"));
        // Both evaluate the same closed form with erf/exp; they differ in the last bits.
        close(got, f(c, "crps"), 1e-12, &c.to_string());
    }
}

#[test]
fn crps_of_ensembles_matches_properscoring() {
    for c in fixture()["crps_ensemble"].as_array().unwrap() {
        let mut xs = floats(c, "samples");
        let y = f(c, "y");
        let pairs = crps_pairs(&xs, y);
        xs.sort_by(f64::total_cmp);
        // Sums of up to 400 terms in another order: a few ulps per term.
        close(crps_sorted(&xs, y), f(c, "crps"), 1e-12, &name(c));
        close(pairs, f(c, "crps"), 1e-12, &name(c));
    }
}

#[test]
fn kernel_densities_match_scipy() {
    for c in fixture()["kde_logpdf"].as_array().unwrap() {
        let xs = floats(c, "samples");
        close(
            kde_bandwidth(&xs).unwrap(),
            f(c, "bandwidth"),
            1e-12,
            &name(c),
        );
        // scipy sums the kernels in log space too; 2000 terms agree to ~1e-12.
        close(
            kde_logpdf(&xs, f(c, "y")).unwrap(),
            f(c, "logpdf"),
            1e-10,
            &name(c),
        );
    }
}

#[test]
fn pit_uniformity_tests_match_scipy() {
    for c in fixture()["pit_uniformity"].as_array().unwrap() {
        let t = pit_uniformity(&floats(c, "pit"), 10).unwrap();
        let counts: Vec<u64> = c["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert_eq!(t.counts, counts, "{}", name(c));
        close(t.chi2, f(c, "chi2"), 1e-12, &name(c));
        // statrs' and scipy's incomplete gamma functions agree to ~1e-14 relative.
        close(t.chi2_p, f(c, "chi2_p"), 1e-10, &name(c));
        close(t.ks, f(c, "ks"), 1e-12, &name(c));
        // The Kolmogorov series is truncated where its terms fall below 1e-16.
        close(t.ks_p, f(c, "ks_p"), 1e-10, &name(c));
    }
}

#[test]
fn kupiec_matches_vartests() {
    for c in fixture()["kupiec"].as_array().unwrap() {
        let (lr, p) = kupiec(
            c["n"].as_u64().unwrap(),
            c["x"].as_u64().unwrap(),
            f(c, "p"),
        );
        close(lr, f(c, "lr"), 1e-10, &c.to_string());
        close(p, f(c, "pvalue"), 1e-10, &c.to_string());
    }
}

#[test]
fn christoffersen_matches_the_reference() {
    for c in fixture()["christoffersen"].as_array().unwrap() {
        let t = christoffersen(&bools(c, "hits"), f(c, "p"));
        for (k, v) in [
            ("n00", t.n00),
            ("n01", t.n01),
            ("n10", t.n10),
            ("n11", t.n11),
        ] {
            assert_eq!(v, c[k].as_u64().unwrap(), "{} {k}", name(c));
        }
        for (k, v) in [
            ("lr_pof", t.lr_pof),
            ("lr_ind", t.lr_ind),
            ("p_ind", t.p_ind),
            ("lr_cc", t.lr_cc),
            ("p_cc", t.p_cc),
        ] {
            close(v, f(c, k), 1e-10, &format!("{} {k}", name(c)));
        }
    }
}

#[test]
fn brier_decomposition_and_reliability_match_the_reference() {
    let fx = fixture();
    for c in fx["brier"].as_array().unwrap() {
        let b = brier(&floats(c, "p"), &bools(c, "o"), 10).unwrap();
        for (k, v) in [
            ("bs", b.bs),
            ("rel", b.reliability),
            ("res", b.resolution),
            ("unc", b.uncertainty),
            ("wbv", b.within_variance),
            ("wbc", b.within_covariance),
        ] {
            close(v, f(c, k), 1e-12, &format!("{} {k}", name(c)));
        }
        let identity =
            b.reliability - b.resolution + b.uncertainty + b.within_variance - b.within_covariance;
        close(b.bs, identity, 1e-12, "identity");
    }
    let first = &fx["brier"][0];
    let b = brier(&floats(first, "p"), &bools(first, "o"), 10).unwrap();
    let rows = fx["reliability"].as_array().unwrap();
    assert_eq!(b.bins.len(), rows.len());
    for (got, want) in b.bins.iter().zip(rows) {
        assert_eq!(got.n, want["n"].as_u64().unwrap());
        close(got.lo, f(want, "lo"), 1e-12, "lo");
        // pandas' groupby means use compensated sums.
        close(
            got.mean_forecast,
            f(want, "mean_forecast"),
            1e-12,
            "mean_forecast",
        );
        close(got.observed, f(want, "observed"), 1e-12, "observed");
    }
}

#[test]
fn reliability_standard_errors_match_statsmodels_driscoll_kraay() {
    for c in fixture()["reliability_se"].as_array().unwrap() {
        let group: Vec<usize> = c["group"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| usize::try_from(x.as_u64().unwrap()).unwrap())
            .collect();
        let lags = usize::try_from(c["lags"].as_u64().unwrap()).unwrap();
        let b = brier_grouped(&floats(c, "p"), &bools(c, "o"), &group, 10, lags).unwrap();
        let want = c["bins"].as_array().unwrap();
        assert_eq!(b.bins.len(), want.len(), "{}", name(c));
        for (got, w) in b.bins.iter().zip(want) {
            assert_eq!(got.n, w["n"].as_u64().unwrap());
            close(got.observed - got.mean_forecast, f(w, "gap"), 1e-12, "gap");
            close(
                got.se.unwrap(),
                f(w, "se"),
                1e-10,
                &format!("{} se", name(c)),
            );
        }
        // The joint test of the bins with at least 50 forecasts: statsmodels' Wald test.
        match (&b.reliability_test, c["wald"].is_null()) {
            (None, true) => {}
            (Some(t), false) => {
                let w = &c["wald"];
                assert_eq!(t.bins as u64, w["bins"].as_u64().unwrap(), "{}", name(c));
                close(t.stat, f(w, "stat"), 1e-9, &format!("{} wald", name(c)));
                close(t.p, f(w, "p"), 1e-9, &format!("{} wald p", name(c)));
            }
            (got, _) => panic!("{}: {got:?} against {}", name(c), c["wald"]),
        }
    }
}

#[test]
fn the_joint_reliability_test_needs_more_independent_origins_than_bins() {
    // 12 origins of 50 forecasts, 10 in each of five bins, outcomes drawn by an LCG.
    let (mut p, mut o, mut group) = (Vec::new(), Vec::new(), Vec::new());
    let mut state: u64 = 7;
    for g in 0..12 {
        for i in 0..50 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            let f = [0.05, 0.25, 0.45, 0.65, 0.85][i % 5];
            p.push(f);
            o.push(u < f);
            group.push(g);
        }
    }
    let alone = brier_grouped(&p, &o, &group, 10, 0).unwrap();
    assert_eq!(alone.reliability_test.map(|t| t.bins), Some(5));
    // Two lags: four non-overlapping origins for five bins.
    assert_eq!(
        brier_grouped(&p, &o, &group, 10, 2)
            .unwrap()
            .reliability_test,
        None
    );
}

#[test]
fn shared_outcomes_widen_the_bins_standard_errors() {
    // The same forecasts, first as 600 independent origins, then as 100 origins of six
    // forecasts each that share their outcome: the bins hold fewer independent forecasts.
    // Each six neighbours fall in one bin.
    let p: Vec<f64> = (0..600)
        .map(|i| ((i / 6 * 37) % 100) as f64 / 100.0 + (i % 6) as f64 * 0.001)
        .collect();
    let o: Vec<bool> = (0..600).map(|i| (i / 6) % 3 == 0).collect();
    let alone: Vec<usize> = (0..600).collect();
    let shared: Vec<usize> = (0..600).map(|i| i / 6).collect();
    let a = brier_grouped(&p, &o, &alone, 10, 0).unwrap();
    let b = brier_grouped(&p, &o, &shared, 10, 0).unwrap();
    assert_eq!(a.bins.len(), b.bins.len());
    for (x, y) in a.bins.iter().zip(&b.bins) {
        assert!(y.se.unwrap() > 1.5 * x.se.unwrap(), "{x:?} {y:?}");
    }
    // Plain Brier bins carry none; a grouping out of order or of the wrong length is refused.
    assert!(
        brier(&p, &o, 10)
            .unwrap()
            .bins
            .iter()
            .all(|b| b.se.is_none())
    );
    let mut backwards = shared.clone();
    backwards.reverse();
    assert!(brier_grouped(&p, &o, &backwards, 10, 0).is_none());
    assert!(brier_grouped(&p, &o, &shared[1..], 10, 0).is_none());
}

#[test]
fn diebold_mariano_matches_statsmodels_hac() {
    for c in fixture()["diebold_mariano"].as_array().unwrap() {
        let lags = usize::try_from(c["lags"].as_u64().unwrap()).unwrap();
        let t = diebold_mariano(&floats(c, "d"), lags).unwrap();
        // statsmodels solves the normal equations; one constant regressor leaves only
        // summation-order differences.
        for (k, v) in [("mean", t.mean), ("se", t.se), ("stat", t.stat), ("p", t.p)] {
            close(v, f(c, k), 1e-10, &format!("{} {k}", name(c)));
        }
    }
}
