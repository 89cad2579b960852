//! As-of discipline of the mean models, the stack and recalibration: nothing an origin uses
//! changes when data dated after it is added.

use std::sync::Mutex;

use aurum_backtest::{
    Config, Every, History, ModelKind, Row, Window, blocks, fit_as_of, origins, run, stack,
};
use aurum_core::Date;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StudentT};

fn day(i: usize) -> Date {
    Date::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(i as u64)
}

/// Student-t returns with a slowly wandering drift, so that momentum has something to find.
fn prices(n: usize) -> Vec<f64> {
    let t = StudentT::new(5.0).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut p = 100.0;
    (0..n)
        .map(|i| {
            let drift = 0.05 * ((i as f64) / 400.0).sin();
            p *= ((drift + 0.8 * t.sample(&mut rng)) / 100.0).exp();
            p
        })
        .collect()
}

fn history(closes: &[f64]) -> History {
    History::new(
        (0..closes.len()).map(day).collect(),
        closes.to_vec(),
        Vec::new(),
    )
    .unwrap()
}

fn rows(h: &History, cfg: &Config, to: Date) -> Vec<Row> {
    let dates = h.dates();
    let o = origins(dates, dates[0], to, Every::Days(10));
    let b = blocks(&o, cfg.refit);
    let out = Mutex::new(Vec::new());
    run(h, cfg, &b, &[], |r| out.lock().unwrap().extend(r.rows));
    let mut out = out.into_inner().unwrap();
    out.sort_by_key(|r| (r.origin, r.model, r.horizon));
    out
}

#[test]
fn later_data_changes_no_drift_weight_or_calibration_map() {
    let all = prices(3600);
    let cut = 3000;
    let short = history(&all[..=cut]);
    let long = history(&all);
    let cfg = Config {
        models: vec![ModelKind::Stack],
        horizons: vec![5, 21],
        window: Window::Days(750),
        refit: 8,
        paths: 200,
        seed: 3,
        relative_levels: vec![-3.0, 3.0],
        absolute_levels: Vec::new(),
        vol_window: 250,
        min_returns: 750,
        sampler: aurum_backtest::Sampler::Fast,
    };
    // Origins up to the cut. The long history knows 600 more days: outcomes of the last
    // origins, and more. What an origin uses must be the same in both.
    let to = day(cut);
    let a = rows(&short, &cfg, to);
    let b = rows(&long, &cfg, to);
    assert!(a.len() > 2000, "{}", a.len());
    assert!(
        b.len() > a.len(),
        "the long history scores the origins near the cut too"
    );
    let known: Vec<&Row> = b.iter().filter(|r| r.target <= to).collect();
    assert_eq!(a.iter().collect::<Vec<_>>(), known);
    // The stack over both: at every origin and horizon the short history forecasts, the
    // weights, calibration maps and mixed forecasts are the same (the long history's extra
    // forecasts have outcomes after the cut, unknown at those origins).
    let (sa, ta) = stack(&a);
    let (sb, tb) = stack(&b);
    let keys: Vec<(Date, usize)> = ta.iter().map(|t| (t.origin, t.horizon)).collect();
    let tb: Vec<_> = tb
        .into_iter()
        .filter(|t| keys.contains(&(t.origin, t.horizon)))
        .collect();
    assert_eq!(ta, tb);
    let sb: Vec<Row> = sb.into_iter().filter(|r| r.target <= to).collect();
    assert_eq!(sa, sb);
    // The stack as of the cut, from all that the store would hold with later data added,
    // is the one from the data up to the cut.
    assert_eq!(fit_as_of(&a, to), fit_as_of(&b, to));
    // At each origin the stack used exactly its state as of that day.
    for t in ta.iter().step_by(17) {
        let at = fit_as_of(&b, t.origin);
        match at.iter().find(|x| x.horizon == t.horizon) {
            Some(same) => assert_eq!(same, t),
            // Nothing known yet: equal weights, no map.
            None => assert!(t.fitted_on == 0 && t.calibration.is_empty(), "{t:?}"),
        }
    }
    // The stack was fitted and recalibrated within the sample, so the check has teeth.
    assert!(
        ta.iter()
            .any(|t| t.fitted_on > 0 && !t.calibration.is_empty())
    );
}
