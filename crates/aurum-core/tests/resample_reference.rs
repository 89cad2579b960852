//! aurum's resampling compared with pandas (`scripts/reference/resample.py`) on the bundled
//! stooq XAU/USD daily file.

use aurum_core::{Bar, Date, Frequency, PeriodBar, resample};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn daily_bars() -> Vec<Bar> {
    let text =
        fs_err::read_to_string(root().join("data/prices/gold_usd_daily_ohlc_stooq_xauusd.csv"))
            .expect("bundled stooq file");
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let n = |i: usize| f[i].parse::<f64>().expect("number");
            Bar::ohlc(f[0].parse().expect("date"), n(1), n(2), n(3), n(4))
        })
        .collect()
}

fn fixture(name: &str) -> Vec<PeriodBar> {
    let text = fs_err::read_to_string(root().join("crates/aurum-core/tests/fixtures").join(name))
        .expect("fixture");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let n = |i: usize| f[i].parse::<f64>().expect("number");
            let d = |i: usize| f[i].parse::<Date>().expect("date");
            PeriodBar {
                period_end: d(0),
                open: n(1),
                high: n(2),
                low: n(3),
                close: n(4),
                first_date: d(5),
                last_date: d(6),
                days: f[7].parse().expect("count"),
                volume: None,
            }
        })
        .collect()
}

fn compare(freq: Frequency, name: &str) {
    let ours = resample(&daily_bars(), freq);
    let theirs = fixture(name);
    assert_eq!(ours.len(), theirs.len(), "{freq} bar count");
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(
            (a.period_end, a.first_date, a.last_date, a.days),
            (b.period_end, b.first_date, b.last_date, b.days),
            "{freq} period {}",
            b.period_end
        );
        // Aggregation picks values, it does no arithmetic, so they must agree exactly up
        // to the fixture's 10 significant digits (the inputs have at most 6).
        for (x, y) in [
            (a.open, b.open),
            (a.high, b.high),
            (a.low, b.low),
            (a.close, b.close),
        ] {
            assert!(
                (x - y).abs() <= 1e-9 * y.abs(),
                "{freq} {}: {x} vs {y}",
                b.period_end
            );
        }
    }
}

#[test]
fn weekly_bars_match_pandas_w_fri() {
    compare(Frequency::Weekly, "stooq_weekly_w_fri.csv");
}

#[test]
fn monthly_bars_match_pandas_month_end() {
    compare(Frequency::Monthly, "stooq_monthly_me.csv");
}
