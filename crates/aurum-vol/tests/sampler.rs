//! The tabulated samplers against scipy's distributions (fixture written by
//! scripts/reference/sampler.py) and against the exact Student-t CDF: Kolmogorov–Smirnov,
//! Anderson–Darling, tail shares and moments at 1e6 draws; a table built for the wrong ν
//! must fail the same checks. (`aurum-bench sampler` runs them at 1e8 draws.)

use aurum_vol::{LANES, LaneRng, Symmetric, Table, goodness_of_fit, t_cdf};
use serde_json::Value;

fn fixture() -> Value {
    let text = fs_err::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sampler.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn dist(case: &Value) -> Symmetric {
    let nu = case["nu"].as_f64().unwrap_or(f64::NAN);
    match case["dist"].as_str().unwrap() {
        "t" => Symmetric::StudentsT { nu },
        "ged" => Symmetric::Ged { nu },
        _ => Symmetric::Normal,
    }
}

#[test]
fn survival_and_quantiles_match_scipy() {
    for case in fixture()["cases"].as_array().unwrap() {
        let d = dist(case);
        for row in case["tail"].as_array().unwrap() {
            let (q, p) = (row["q"].as_f64().unwrap(), row["p"].as_f64().unwrap());
            let ours = d.sf2(q);
            assert!(
                if p == 0.0 {
                    ours < 1e-300
                } else {
                    ((ours - p) / p).abs() < 1e-10
                },
                "{d:?}: P(|X| > {q}) = {ours:e}, scipy {p:e}"
            );
        }
        for row in case["quantile"].as_array().unwrap() {
            let (w, x) = (row["w"].as_f64().unwrap(), row["x"].as_f64().unwrap());
            let ours = d.quantile2(w, 1.0);
            assert!(
                ((ours - x) / x).abs() < 1e-10,
                "{d:?}: quantile at {w:e} = {ours}, scipy {x}"
            );
        }
    }
}

/// `n` draws of a table, from the lane streams the engine uses, sorted.
fn draws(table: &Table, n: usize, seed: u64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    let mut path = 0;
    while out.len() < n {
        let mut rng = LaneRng::new(seed, path);
        for _ in 0..64 {
            out.extend(rng.step().iter().map(|u| table.sample(*u)));
        }
        path += LANES as u64;
    }
    out.truncate(n);
    out.sort_by(f64::total_cmp);
    out
}

/// How far `draws` (sorted) are from t(4): √n D, A², and the z-scores of the tail shares
/// P(|T| > q), q = 4, 6, 8, and of the mean of |T| (scipy's values).
fn distance_from_t4(sorted: &[f64]) -> (f64, f64, Vec<f64>) {
    let fx = fixture();
    let case = &fx["cases"][0];
    assert_eq!(case["nu"].as_f64(), Some(4.0));
    let n = sorted.len() as f64;
    let fit = goodness_of_fit(sorted, |x| t_cdf(4.0, x));
    let mut z = Vec::new();
    for row in case["tail"].as_array().unwrap() {
        let q = row["q"].as_f64().unwrap();
        if [4.0, 6.0, 8.0].contains(&q) {
            let p = row["p"].as_f64().unwrap();
            let hits = sorted.iter().filter(|x| x.abs() > q).count() as f64;
            z.push((hits / n - p) / (p * (1.0 - p) / n).sqrt());
        }
    }
    // E|T| = 1 and Var|T| = E T² − 1 = 1 for ν = 4.
    let mean_abs = case["mean_abs"].as_f64().unwrap();
    let var_abs = case["second_moment"].as_f64().unwrap() - mean_abs * mean_abs;
    let m = sorted.iter().map(|x| x.abs()).sum::<f64>() / n;
    z.push((m - mean_abs) / (var_abs / n).sqrt());
    (fit.ks_scaled, fit.ad, z)
}

#[test]
fn t4_draws_pass_ks_ad_tails_and_moments() {
    let table = Table::new(Symmetric::StudentsT { nu: 4.0 }, 1.0).unwrap();
    let (ks, ad, z) = distance_from_t4(&draws(&table, 1_000_000, 2025));
    // 0.1% critical values: a correct sampler fails one in a thousand seeds.
    assert!(ks < 1.949, "√n D = {ks}");
    assert!(ad < 5.97, "A² = {ad}");
    for z in &z {
        assert!(z.abs() < 3.0, "z-scores {z:?}");
    }
    // The closed form of t(4)'s CDF agrees with the incomplete beta function.
    for x in [-30.0, -3.0, -0.2, 0.0, 0.7, 5.0, 1e4] {
        let (a, b) = t_cdf(4.0, x);
        let (c, d) = t_cdf(4.0 + 1e-13, x);
        assert!((a - c).abs() < 1e-9 * a.max(1e-300) && (b - d).abs() < 1e-9 * b.max(1e-300));
    }
}

/// A table for the wrong ν, or the standardised t taken for the raw one, is caught.
#[test]
fn a_wrong_nu_is_caught() {
    for (nu, scale) in [(5.0, 1.0), (3.5, 1.0), (4.0, 0.5f64.sqrt())] {
        let table = Table::new(Symmetric::StudentsT { nu }, scale).unwrap();
        let (ks, ad, z) = distance_from_t4(&draws(&table, 1_000_000, 2025));
        assert!(ks > 1.949 && ad > 5.97, "ν = {nu}: √n D = {ks}, A² = {ad}");
        assert!(z.iter().any(|z| z.abs() > 3.0), "ν = {nu}: {z:?}");
    }
}
