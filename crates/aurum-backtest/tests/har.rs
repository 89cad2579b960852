//! The HAR volatility model: its OLS fit against statsmodels (`scripts/reference/har.py`
//! wrote `tests/fixtures/har.json`), its simulation against the fitted recursion, the fits
//! it refuses, and its place in the backtest (seeds, threads, as-of data).

use std::sync::Mutex;

use aurum_backtest::{
    Climate, Config, Every, History, MeanModel, ModelKind, Revision, Row, VolModel, Window, blocks,
    fit_member, origins, run, run_block,
};
use aurum_core::Date;
use aurum_vol::{HAR_FLOOR, HAR_LAGS, HarFit, Innovations, Simulator, VolError};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StudentT};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/har.json");
    serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap()
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k}"))
}

fn floats(v: &Value, k: &str) -> Vec<f64> {
    v[k].as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Relative difference with an absolute floor of `rel` for values near zero.
fn close(a: f64, b: f64, rel: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * b.abs().max(1.0),
        "{what}: aurum {a} vs reference {b}"
    );
}

#[test]
fn ols_coefficients_match_statsmodels() {
    let doc = fixture();
    assert_eq!(doc["lags"].as_u64(), Some(HAR_LAGS as u64));
    assert_eq!(f(&doc, "floor_fraction"), HAR_FLOOR);
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let y = floats(c, "returns");
        let fit = HarFit::fit(&y).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Means of up to 2520 values summed in another order (numpy sums pairwise).
        close(fit.mu, f(c, "mu"), 1e-12, name);
        // The coefficients: aurum solves the normal equations by Cholesky, statsmodels uses
        // the pseudo-inverse of X. They agree to about 1e-14 here; 1e-9 leaves room for
        // another BLAS and for worse-conditioned data (the weekly and monthly means are
        // correlated), and still catches any slip in a regressor (a window one day short
        // moves the coefficients by 1e-3 or more).
        let b = floats(c, "params");
        for (i, (got, want)) in fit.params.iter().zip(&b).enumerate() {
            close(*got, *want, 1e-9, &format!("{name}: parameter {i}"));
        }
        assert_eq!(fit.nobs as u64, c["nobs"].as_u64().unwrap(), "{name}");
        close(fit.r_squared, f(c, "rsquared"), 1e-9, name);
        close(fit.sample_variance, f(c, "sample_variance"), 1e-12, name);
        close(fit.floor, f(c, "floor"), 1e-12, name);
        assert_eq!(fit.floored as u64, c["floored"].as_u64().unwrap(), "{name}");
        let fitted = floats(c, "fitted");
        assert_eq!(fit.variance.len(), fitted.len());
        for (t, (got, want)) in fit.variance.iter().zip(&fitted).enumerate() {
            close(
                *got,
                want.max(fit.floor),
                1e-9,
                &format!("{name}: variance {t}"),
            );
        }
        for (t, (got, want)) in fit.std_resid.iter().zip(floats(c, "std_resid")).enumerate() {
            close(
                *got,
                want,
                1e-9,
                &format!("{name}: standardised residual {t}"),
            );
        }
        // The one-step forecast a simulation starts from.
        let sim = Simulator::from_har(&fit, &y).unwrap();
        close(
            sim.next_variance(&sim.initial_state()),
            f(c, "next_variance"),
            1e-9,
            name,
        );
    }
}

/// The recursion written out: σ²_{T+1} from the fitted coefficients and the last 22 returns.
fn recursion(fit: &HarFit, y: &[f64]) -> f64 {
    let n = y.len();
    let e2 = |t: usize| (y[t] - fit.mu).powi(2);
    let week: f64 = (n - 5..n).map(e2).sum::<f64>() / 5.0;
    let month: f64 = (n - 22..n).map(e2).sum::<f64>() / 22.0;
    let [b0, bd, bw, bm] = fit.params;
    (b0 + bd * e2(n - 1) + bw * week + bm * month).max(fit.floor)
}

fn gold_like(n: usize, seed: u64) -> Vec<f64> {
    let doc = fixture();
    let c = &doc["cases"][1];
    let y = floats(c, "returns");
    assert!(y.len() >= n + seed as usize);
    y[seed as usize..seed as usize + n].to_vec()
}

#[test]
fn the_simulated_first_day_has_the_fitted_variance() {
    for (n, start) in [(2520, 0), (600, 100), (123, 2000)] {
        let y = gold_like(n, start);
        let fit = HarFit::fit(&y).unwrap();
        let sim = Simulator::from_har(&fit, &y).unwrap();
        let want = recursion(&fit, &y);
        let s = sim.initial_state();
        close(sim.next_variance(&s), want, 1e-12, "next variance");
        // Over the whole bootstrap pool, the first day's squared deviation from the mean
        // averages the recursion's variance exactly: the pool has mean 0 and variance 1.
        let pool = fit.std_resid.len();
        let mut sum = 0.0;
        let mut mean = 0.0;
        for i in 0..pool {
            // A draw is one of the pool; recover them by stepping with each standardised
            // residual through the same scaling the simulator applies.
            let mut st = s.clone();
            let m = fit.std_resid.iter().sum::<f64>() / pool as f64;
            let sd =
                (fit.std_resid.iter().map(|z| (z - m).powi(2)).sum::<f64>() / pool as f64).sqrt();
            let r = sim.step(&mut st, (fit.std_resid[i] - m) / sd) - fit.mu;
            sum += r * r;
            mean += r;
        }
        close(sum / pool as f64, want, 1e-12, "pool variance");
        assert!((mean / pool as f64).abs() < 1e-12 * want.sqrt());
        // And by Monte Carlo through the bootstrap: 40 000 paths, within four standard
        // errors (the pool's fourth moment sets them).
        let paths = sim.simulate(1, 40_000, 17, &Innovations::Bootstrap);
        let sq: Vec<f64> = paths.iter().map(|p| (p[0] - fit.mu).powi(2)).collect();
        let avg = sq.iter().sum::<f64>() / sq.len() as f64;
        let sd = (sq.iter().map(|v| (v - avg).powi(2)).sum::<f64>() / sq.len() as f64).sqrt();
        let se = sd / (sq.len() as f64).sqrt();
        assert!(
            (avg - want).abs() < 4.0 * se,
            "n = {n}: simulated {avg} vs recursion {want} (se {se})"
        );
    }
}

#[test]
fn later_days_feed_simulated_returns_back_into_the_regressors() {
    let y = gold_like(1000, 500);
    let fit = HarFit::fit(&y).unwrap();
    let sim = Simulator::from_har(&fit, &y).unwrap();
    let mut state = sim.initial_state();
    let mut ext = y.clone();
    for z in [2.5, -0.3, 1.1, -4.0, 0.0, 0.7] {
        let want = recursion(&fit, &ext);
        let r = sim.step(&mut state, z);
        close(r - fit.mu, want.sqrt() * z, 1e-12, "simulated residual");
        ext.push(r);
    }
    // The analytic forecast starts where the simulation does and settles at the long-run
    // variance.
    let fc = sim.forecast(2000, 0, 0);
    close(fc.variance[0], recursion(&fit, &y), 1e-12, "forecast");
    close(fc.variance[1999], fit.long_run_variance(), 1e-9, "long run");
}

#[test]
fn fixing_the_fitted_parameters_gives_the_fit_back() {
    let y = gold_like(1500, 0);
    let fit = HarFit::fit(&y).unwrap();
    assert_eq!(HarFit::fix(&y, fit.mu, fit.params).unwrap(), fit);
}

#[test]
fn unusable_fits_are_errors_that_say_why() {
    let err = |y: &[f64]| HarFit::fit(y).unwrap_err();
    assert_eq!(
        err(&[0.1; 100]),
        VolError::TooShort {
            n: 100,
            needed: 123,
            model: "HAR".into()
        }
    );
    let mut y = gold_like(300, 0);
    y[17] = f64::NAN;
    assert!(matches!(err(&y), VolError::NonFinite { index: 17, .. }));
    assert_eq!(
        err(&[0.25; 300]).to_string(),
        "all 300 returns equal 0.25; there is no variance to model"
    );
    // ±1 alternating: every squared deviation is 1, so the regressors are the constant.
    let alt: Vec<f64> = (0..300)
        .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let e = err(&alt).to_string();
    assert!(e.contains("collinear"), "{e}");
    // A variance that grows without end: the fit is not mean-reverting.
    let explosive: Vec<f64> = (0..400)
        .map(|i| {
            let sign = if (i * 7) % 3 == 0 { 1.0 } else { -1.0 };
            sign * (i as f64 / 40.0).exp()
        })
        .collect();
    let e = err(&explosive).to_string();
    assert!(e.contains("not mean-reverting"), "{e}");
    assert!(
        HarFit::fix(&gold_like(300, 0), 0.0, [f64::NAN, 0.0, 0.0, 0.0])
            .unwrap_err()
            .to_string()
            .contains("not a finite number")
    );
    // A simulator refuses a fit of other data.
    let y = gold_like(300, 0);
    let fit = HarFit::fit(&y).unwrap();
    assert!(Simulator::from_har(&fit, &y[1..]).is_err());
}

// ------------------------------------------------------------------------- in the backtest

fn day(i: usize) -> Date {
    Date::from_ymd_opt(2000, 1, 3).unwrap() + chrono::Days::new(i as u64)
}

/// Prices from GARCH(1,1)-t: volatility clusters for HAR to find.
fn prices(n: usize, seed: u64) -> Vec<f64> {
    let (omega, alpha, beta, nu): (f64, f64, f64, f64) = (0.02, 0.08, 0.9, 6.0);
    let t = StudentT::new(nu).unwrap();
    let scale = ((nu - 2.0) / nu).sqrt();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut var = omega / (1.0 - alpha - beta);
    let mut price = 1000.0;
    (0..n)
        .map(|_| {
            let e = var.sqrt() * t.sample(&mut rng) * scale;
            price *= ((0.02 + e) / 100.0).exp();
            var = omega + alpha * e * e + beta * var;
            price
        })
        .collect()
}

fn config(models: Vec<ModelKind>) -> Config {
    Config {
        models,
        horizons: vec![1, 21],
        window: Window::Days(750),
        refit: 1,
        paths: 300,
        seed: 5,
        relative_levels: vec![-3.0, 3.0],
        absolute_levels: Vec::new(),
        vol_window: 250,
        min_returns: 500,
        sampler: aurum_backtest::Sampler::Fast,
    }
}

const HAR_MOM: ModelKind = ModelKind::Single(VolModel::Har, MeanModel::Mom);

fn rows(h: &History, cfg: &Config, every: usize) -> Vec<Row> {
    let dates = h.dates();
    let o = origins(dates, dates[0], dates[dates.len() - 1], Every::Days(every));
    let b = blocks(&o, cfg.refit);
    let out = Mutex::new(Vec::new());
    run(h, cfg, &b, &[], |r| {
        assert!(r.failures.is_empty(), "{:?}", r.failures);
        out.lock().unwrap().extend(r.rows);
    });
    let mut out = out.into_inner().unwrap();
    out.sort_by_key(|r| (r.origin, r.model, r.horizon));
    out
}

#[test]
fn har_models_are_named_parsed_and_forecast() {
    assert_eq!(ModelKind::parse("har"), Some(ModelKind::HAR));
    assert_eq!(ModelKind::parse("har+mom"), Some(HAR_MOM));
    assert_eq!(HAR_MOM.name(), "har+mom");
    // The stack has both.
    assert!(ModelKind::STACK_MEMBERS.contains(&ModelKind::HAR));
    assert!(ModelKind::STACK_MEMBERS.contains(&HAR_MOM));
    let h = History::new((0..1500).map(day).collect(), prices(1500, 1), Vec::new()).unwrap();
    let cfg = config(vec![ModelKind::HAR, HAR_MOM]);
    let r = rows(&h, &cfg, 97);
    assert!(r.len() > 30, "{}", r.len());
    for row in &r {
        assert!(row.crps.is_finite() && row.crps > 0.0);
        assert!(row.quantiles.windows(2).all(|w| w[0] <= w[1]));
        assert!(row.quantiles[QUANTILES_LAST] > row.quantiles[0]);
    }
    // The two differ only by the drift: the same volatility fit, another mean.
    let same_origin: Vec<(&Row, &Row)> = r
        .iter()
        .filter(|x| x.model == ModelKind::HAR)
        .zip(r.iter().filter(|x| x.model == HAR_MOM))
        .collect();
    assert!(same_origin.iter().all(|(a, b)| a.origin == b.origin));
    assert!(same_origin.iter().any(|(a, b)| a.median != b.median));
    // The backtest's fit at an origin is the one HarFit gives on the window.
    let closes = &h.known_at(1200);
    let Ok(aurum_backtest::Forecaster::Arch { sim, shift, .. }) =
        fit_member(ModelKind::HAR, closes, &cfg)
    else {
        panic!("HAR fits as a simulator")
    };
    assert_eq!(shift, 0.0);
    let returns: Vec<f64> = closes[closes.len() - 751..]
        .windows(2)
        .map(|w| 100.0 * (w[1] / w[0]).ln())
        .collect();
    let fit = HarFit::fit(&returns).unwrap();
    assert_eq!(sim.har(), Some((fit.mu, fit.params, fit.floor)));
}

const QUANTILES_LAST: usize = aurum_backtest::QUANTILES - 1;

#[test]
fn har_results_do_not_depend_on_threads_and_refits_filter_between() {
    let h = History::new((0..1400).map(day).collect(), prices(1400, 2), Vec::new()).unwrap();
    let mut cfg = config(vec![ModelKind::HAR, HAR_MOM]);
    cfg.refit = 3;
    let dates = h.dates();
    let o = origins(dates, dates[0], dates[dates.len() - 1], Every::Days(40));
    let b = blocks(&o, cfg.refit);
    let climate = Climate::new(&h, &cfg);
    let with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let out = Mutex::new(Vec::new());
                run(&h, &cfg, &b, &[], |r| out.lock().unwrap().push(r));
                let mut out = out.into_inner().unwrap();
                out.sort_by_key(|r| r.block);
                out
            })
    };
    let one = with(1);
    assert_eq!(one, with(4));
    let alone: Vec<_> = (0..b.len())
        .map(|i| run_block(&h, &cfg, &climate, i, &b[i]))
        .collect();
    assert_eq!(one, alone);
    assert!(one.iter().map(|r| r.rows.len()).sum::<usize>() > 20);
    // Refitting every third origin changes the forecasts in between (the old estimates
    // filter the new window), not the ones at a refit.
    let mut every = cfg.clone();
    every.refit = 1;
    let each: Vec<Row> = b
        .iter()
        .enumerate()
        .flat_map(|(i, bl)| run_block(&h, &every, &climate, i, bl).rows)
        .collect();
    let sparse: Vec<Row> = one.into_iter().flat_map(|r| r.rows).collect();
    // Within a block, origins 0, 3, 6, … refit.
    let refits: Vec<Date> = b
        .iter()
        .flat_map(|bl| bl.iter().step_by(cfg.refit).map(|o| dates[*o]))
        .collect();
    let pick = |rs: &[Row], at_refit: bool| -> Vec<Row> {
        rs.iter()
            .filter(|r| refits.contains(&r.origin) == at_refit)
            .cloned()
            .collect()
    };
    assert_eq!(pick(&each, true), pick(&sparse, true));
    assert_ne!(pick(&each, false), pick(&sparse, false));
}

#[test]
fn har_fits_use_only_values_known_at_the_origin() {
    // A close revised after the origin: the origin sees the first value, and its HAR
    // forecasts are those of a history holding only that value.
    let closes = prices(1300, 3);
    let o = 1100;
    let revised = Revision {
        date: day(o - 3),
        close: closes[o - 3] * 1.2,
        known_through: day(o + 5),
    };
    let with_revision =
        History::new((0..1300).map(day).collect(), closes.clone(), vec![revised]).unwrap();
    let mut as_known = closes.clone();
    as_known[o - 3] *= 1.2;
    let plain = History::new((0..1300).map(day).collect(), as_known, Vec::new()).unwrap();
    let cfg = config(vec![ModelKind::HAR, HAR_MOM]);
    let climate = Climate::new(&plain, &cfg);
    let a = run_block(&with_revision, &cfg, &climate, 0, &[o]).rows;
    let b = run_block(&plain, &cfg, &climate, 0, &[o]).rows;
    assert_eq!(a.len(), 4);
    // Outcomes come from the latest values in both; the forecasts agree.
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.quantiles, y.quantiles);
        assert_eq!(x.median, y.median);
    }
    // And the revision matters: with the current value the forecast differs.
    let current = History::new((0..1300).map(day).collect(), closes, Vec::new()).unwrap();
    let c = run_block(&current, &cfg, &climate, 0, &[o]).rows;
    assert_ne!(a[0].quantiles, c[0].quantiles);
    // Data after the origin changes nothing it forecasts.
    let short = History::new(
        (0..=o + 21).map(day).collect(),
        prices(1300, 3)[..=o + 21].to_vec(),
        Vec::new(),
    )
    .unwrap();
    let d = run_block(&short, &cfg, &climate, 0, &[o]).rows;
    assert_eq!(
        d.iter().map(|r| &r.quantiles).collect::<Vec<_>>(),
        c.iter().map(|r| &r.quantiles).collect::<Vec<_>>()
    );
}
