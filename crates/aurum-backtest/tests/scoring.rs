//! The scoring rules against `properscoring`, `scipy`, `statsmodels` and `vartests`:
//! `scripts/reference/scoring.py` wrote `tests/fixtures/scoring.json`.

use aurum_backtest::scores::{
    brier, christoffersen, crps_normal, crps_pairs, crps_sorted, diebold_mariano, kde_bandwidth,
    kde_logpdf, kupiec, pit_uniformity,
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
