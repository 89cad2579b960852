//! Base rates against scipy: `scripts/reference/base_rate.py` wrote
//! `tests/fixtures/base_rate.json`.

use aurum_core::Date;
use aurum_events::base_rate;
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/base_rate.json");
    serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap()
}

fn day(v: &Value) -> Date {
    v.as_str().unwrap().parse().unwrap()
}

fn f(c: &Value, k: &str) -> f64 {
    c[k].as_f64()
        .unwrap_or_else(|| panic!("{k} in {}", c["name"]))
}

/// Relative difference within `rel`; an exact zero must be exactly zero.
fn close(a: f64, b: f64, rel: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * b.abs(),
        "{what}: aurum {a:e} vs scipy {b:e} (relative {:e})",
        ((a - b) / b).abs()
    );
}

#[test]
fn base_rates_match_scipy() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let dates: Vec<Date> = c["dates"].as_array().unwrap().iter().map(day).collect();
        let window = u32::try_from(c["window_days"].as_u64().unwrap()).unwrap();
        let r = base_rate(&dates, day(&c["since"]), day(&c["as_of"]), window)
            .unwrap_or_else(|| panic!("{name}: no base rate"));
        assert_eq!(r.n as u64, c["n"].as_u64().unwrap(), "{name}: n");
        assert_eq!(
            r.first,
            c["first"].as_str().map(|s| s.parse().unwrap()),
            "{name}"
        );
        assert_eq!(r.window_days, window);
        // Days over 365.25 and n over years: a rounding or two apart at most.
        close(r.years, f(c, "years"), 1e-15, &format!("{name}: years"));
        close(r.rate, f(c, "rate"), 1e-15, &format!("{name}: rate"));
        // The chi-square quantiles: statrs' safeguarded Newton iteration on the regularised
        // incomplete gamma function against scipy's (Boost) inverse; 1e-9 relative.
        for k in ["rate_lo", "rate_hi", "p", "p_lo", "p_hi"] {
            let got = match k {
                "rate_lo" => r.rate_lo,
                "rate_hi" => r.rate_hi,
                "p" => r.p,
                "p_lo" => r.p_lo,
                _ => r.p_hi,
            };
            close(got, f(c, k), 1e-9, &format!("{name}: {k}"));
        }
    }
}
