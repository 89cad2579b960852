//! A series simulated from a known GARCH(1,1)-t must come out calibrated under the GARCH-t
//! model, and a constant-volatility model — misspecified for it — must be flagged.

use std::sync::Mutex;

use aurum_backtest::{
    Climate, Config, Every, History, ModelKind, Revision, Row, Window, blocks, origins, run,
    run_block, run_until, spacing, summarise,
};
use aurum_core::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StudentT};

fn day(i: usize) -> Date {
    // Consecutive calendar days: the schedule here is every N observations, so weekends do
    // not matter.
    Date::from_ymd_opt(2000, 1, 3).unwrap() + chrono::Days::new(i as u64)
}

/// Prices from GARCH(1,1)-t with ω = 0.02, α = 0.1, β = 0.88, ν = 6 and μ = 0.02 (percent log
/// returns): persistent volatility clusters, as gold's.
fn garch_t_series(n: usize, seed: u64) -> History {
    let (omega, alpha, beta, nu, mu): (f64, f64, f64, f64, f64) = (0.02, 0.1, 0.88, 6.0, 0.02);
    let t = StudentT::new(nu).unwrap();
    let scale = ((nu - 2.0) / nu).sqrt();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut var = omega / (1.0 - alpha - beta);
    let mut price = 1000.0;
    let mut closes = Vec::with_capacity(n);
    for _ in 0..n {
        let z = t.sample(&mut rng) * scale;
        let e = var.sqrt() * z;
        price *= ((mu + e) / 100.0).exp();
        closes.push(price);
        var = omega + alpha * e * e + beta * var;
    }
    let _ = rng.random::<u8>();
    History::new((0..n).map(day).collect(), closes, Vec::new()).unwrap()
}

fn config(models: Vec<ModelKind>) -> Config {
    Config {
        models,
        horizons: vec![1, 5],
        window: Window::Expanding,
        refit: 20,
        paths: 1000,
        seed: 7,
        relative_levels: vec![-2.0, 2.0],
        absolute_levels: Vec::new(),
        vol_window: 1000,
        min_returns: 1000,
        sampler: aurum_backtest::Sampler::Fast,
    }
}

fn backtest(h: &History, cfg: &Config, every: usize) -> (Vec<Row>, f64) {
    let dates = h.dates();
    let o = origins(dates, dates[0], dates[dates.len() - 1], Every::Days(every));
    let b = blocks(&o, cfg.refit);
    let rows = Mutex::new(Vec::new());
    run(h, cfg, &b, &[], |r| {
        assert!(r.failures.is_empty(), "{:?}", r.failures);
        rows.lock().unwrap().extend(r.rows);
    });
    let mut rows = rows.into_inner().unwrap();
    rows.sort_by_key(|r| (r.origin, r.model, r.horizon));
    (rows, spacing(&o))
}

#[test]
fn the_true_model_is_calibrated_and_a_constant_volatility_model_is_flagged() {
    let h = garch_t_series(4000, 11);
    let cfg = config(vec![ModelKind::GBM, ModelKind::GARCH_T]);
    // Origins every 5 days from day 1000: 600 one-day forecasts, independent of each other.
    let (rows, gap) = backtest(&h, &cfg, 5);
    let s = summarise(&rows, &cfg.models, gap);
    let find = |m, hz| {
        s.scores
            .iter()
            .find(|x| x.model == m && x.horizon == hz)
            .unwrap()
    };
    let garch = find(ModelKind::GARCH_T, 1);
    let gbm = find(ModelKind::GBM, 1);
    assert_eq!(garch.n, 600);
    // With 600 independent forecasts, a PIT histogram's χ² and each interval's coverage
    // tests reject a correct model at 1% only by chance; the true model passes them all.
    assert!(garch.calibrated, "GARCH-t flagged: {:?}", garch.flags);
    for c in &garch.coverage {
        // Nominal within 3 binomial standard errors.
        let se = (c.nominal * (1.0 - c.nominal) / 600.0).sqrt();
        assert!((c.rate - c.nominal).abs() < 3.0 * se, "{c:?}");
    }
    // The constant-volatility model misses in clusters and is too wide in calm spells.
    assert!(!gbm.calibrated, "the misspecified model passed: {gbm:?}");
    // The right model scores better, and the CRPS comparison says so.
    assert!(garch.crps < gbm.crps);
    assert!(garch.skill.as_ref().unwrap().crps > 0.0);
    let dm = s
        .comparisons
        .iter()
        .find(|c| c.horizon == 1 && c.a == ModelKind::GBM && c.b == ModelKind::GARCH_T)
        .unwrap();
    assert!(dm.dm.mean > 0.0 && dm.dm.p < 0.05, "{:?}", dm.dm);
    // Every row's threshold events are probabilities with outcomes.
    for r in &rows {
        assert_eq!(r.events.len(), 4);
        assert!(r.events.iter().all(|e| (0.0..=1.0).contains(&e.p)));
    }
}

#[test]
fn results_do_not_depend_on_threads_or_blocks_run_alone() {
    let h = garch_t_series(1400, 3);
    let mut cfg = config(vec![ModelKind::GARCH_T, ModelKind::FHS]);
    cfg.paths = 200;
    cfg.refit = 3;
    let dates = h.dates();
    let o = origins(dates, dates[0], dates[dates.len() - 1], Every::Days(40));
    let b = blocks(&o, cfg.refit);
    let parallel = Mutex::new(Vec::new());
    run(&h, &cfg, &b, &[], |r| parallel.lock().unwrap().push(r));
    let mut parallel = parallel.into_inner().unwrap();
    parallel.sort_by_key(|r| r.block);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let climate = Climate::new(&h, &cfg);
    let serial: Vec<_> = one.install(|| {
        (0..b.len())
            .map(|i| run_block(&h, &cfg, &climate, i, &b[i]))
            .collect()
    });
    assert_eq!(parallel, serial);
    // Skipping finished blocks runs only the others (what resuming relies on).
    let skip: Vec<bool> = (0..b.len()).map(|i| i % 2 == 0).collect();
    let rest = Mutex::new(Vec::new());
    run(&h, &cfg, &b, &skip, |r| rest.lock().unwrap().push(r.block));
    let mut rest = rest.into_inner().unwrap();
    rest.sort_unstable();
    assert_eq!(rest, (1..b.len()).step_by(2).collect::<Vec<_>>());
    // Given up after the first block finishes: the blocks not yet started are not computed.
    assert!(b.len() > 1);
    let done = Mutex::new(Vec::new());
    let stop = || !done.lock().unwrap().is_empty();
    one.install(|| {
        run_until(&h, &cfg, &b, &[], &stop, |r| {
            done.lock().unwrap().push(r.block)
        });
    });
    assert_eq!(done.into_inner().unwrap(), vec![0]);
}

#[test]
fn forecasts_see_values_as_known_at_the_origin() {
    let d = |i| day(i);
    // The close of day 2 was first 50, replaced after day 3 by 100.
    let h = History::new(
        (0..6).map(d).collect(),
        vec![100.0, 100.0, 100.0, 100.0, 100.0, 100.0],
        vec![Revision {
            date: d(2),
            close: 50.0,
            known_through: d(3),
        }],
    )
    .unwrap();
    assert_eq!(h.known_at(2)[2], 50.0);
    assert_eq!(h.known_at(3)[2], 50.0);
    assert_eq!(h.known_at(4)[2], 100.0);
    assert_eq!(h.known_at(1).len(), 2);
    assert!(History::new(vec![d(1), d(0)], vec![1.0, 1.0], Vec::new()).is_err());
    assert!(History::new(vec![d(0)], vec![0.0], Vec::new()).is_err());
}

#[test]
fn month_and_week_schedules_take_the_last_trading_day() {
    let dates: Vec<Date> = (0..70)
        .map(|i| Date::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(i))
        .filter(|d| {
            !matches!(
                chrono::Datelike::weekday(d),
                chrono::Weekday::Sat | chrono::Weekday::Sun
            )
        })
        .collect();
    let first = dates[0];
    let last = dates[dates.len() - 1];
    let m: Vec<Date> = origins(&dates, first, last, Every::Month)
        .into_iter()
        .map(|i| dates[i])
        .collect();
    assert_eq!(
        m,
        vec![
            Date::from_ymd_opt(2025, 1, 31).unwrap(),
            Date::from_ymd_opt(2025, 2, 28).unwrap()
        ]
    );
    let w = origins(&dates, first, last, Every::Week);
    assert!(
        w.iter()
            .all(|i| chrono::Datelike::weekday(&dates[*i]) == chrono::Weekday::Fri)
    );
}
