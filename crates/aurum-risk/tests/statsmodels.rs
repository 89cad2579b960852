//! aurum-risk against statsmodels (`scripts/reference/gpr_regress.py`, fixture
//! `tests/fixtures/gpr_regress.json`), on the bundled gold, GPR and control series.

use aurum_core::{Date, Frequency, date};
use aurum_risk::{Control, ControlKind, GprInput, Measure, design, ols_hac, quantreg};
use serde_json::Value;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A column of a bundled file, limited to 1985-01-01 … 2025-02-18, empty cells dropped.
fn column(file: &str, col: &str) -> Vec<(Date, f64)> {
    let text = fs_err::read_to_string(root().join(file)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c = header.iter().position(|h| *h == col).unwrap();
    lines
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let d: Date = f[0].parse().ok()?;
            let v: f64 = f.get(c)?.parse().ok()?;
            (date(1985, 1, 1) <= d && d <= date(2025, 2, 18)).then_some((d, v))
        })
        .collect()
}

/// A control's name, daily levels and transformation.
type ControlLevels = (String, Vec<(Date, f64)>, ControlKind);

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[track_caller]
fn close(what: &str, got: f64, want: f64, rel: f64, abs: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs() + abs,
        "{what}: aurum {got:e}, statsmodels {want:e}"
    );
}

#[test]
fn every_case_matches_statsmodels() {
    let fixture: Value = serde_json::from_str(
        &fs_err::read_to_string(root().join("crates/aurum-risk/tests/fixtures/gpr_regress.json"))
            .unwrap(),
    )
    .unwrap();
    let gold = column("data/prices/gold_usd_daily_lbma_pm.csv", "close");
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let freq = if case["freq"] == "weekly" {
            Frequency::Weekly
        } else {
            Frequency::Monthly
        };
        let measure: Measure = case["measure"].as_str().unwrap().parse().unwrap();
        let gpr_col = case["gpr_column"].as_str().unwrap();
        let gpr_values = if freq == Frequency::Weekly {
            column("data/risk/gpr_daily_caldara_iacoviello.csv", gpr_col)
        } else {
            column("data/risk/gpr_monthly_caldara_iacoviello.csv", gpr_col)
        };
        let gpr = if freq == Frequency::Weekly {
            GprInput::Daily(&gpr_values)
        } else {
            GprInput::Monthly(&gpr_values)
        };
        let control_levels: Vec<ControlLevels> = case["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let c = c.as_str().unwrap();
                match c {
                    "dxy" => (
                        c.to_owned(),
                        column("data/prices/dxy_daily_yahoo.csv", "close"),
                        ControlKind::LogChange,
                    ),
                    "sp500" => (
                        c.to_owned(),
                        column("data/prices/sp500_daily_ohlc_stooq.csv", "close"),
                        ControlKind::LogChange,
                    ),
                    "vix" => (
                        c.to_owned(),
                        column("data/prices/vix_daily_yahoo.csv", "close"),
                        ControlKind::LogChange,
                    ),
                    "dfii10" => (
                        c.to_owned(),
                        column("data/prices/fred_rates_usd_daily.csv", "dfii10"),
                        ControlKind::Difference,
                    ),
                    other => panic!("control {other}"),
                }
            })
            .collect();
        let controls: Vec<Control<'_>> = control_levels
            .iter()
            .map(|(n, l, k)| Control {
                name: n.clone(),
                levels: l,
                kind: *k,
            })
            .collect();
        let d = design(&gold, gpr, &controls, freq, measure).unwrap();

        // Alignment: same sample, same first and last rows. Inputs are the same decimals and
        // the same libm log; weekly means use pandas' compensated sum, so rows agree to 1e-13.
        assert_eq!(d.y.len() as u64, case["n"].as_u64().unwrap(), "{name}: n");
        assert_eq!(
            d.labels[0].to_string(),
            case["first_label"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            d.labels.last().unwrap().to_string(),
            case["last_label"].as_str().unwrap(),
            "{name}"
        );
        for (rows, offset) in [
            (&case["first_rows"], 0),
            (&case["last_rows"], d.y.len() - 3),
        ] {
            for (i, r) in rows.as_array().unwrap().iter().enumerate() {
                close(
                    &format!("{name} y[{}]", offset + i),
                    d.y[offset + i],
                    r["y"].as_f64().unwrap(),
                    1e-13,
                    0.0,
                );
                for (j, x) in floats(&r["x"]).into_iter().enumerate() {
                    close(
                        &format!("{name} x[{}][{j}]", offset + i),
                        d.x[offset + i][j],
                        x,
                        1e-12,
                        1e-12,
                    );
                }
            }
        }

        // OLS and Newey–West: the same closed forms (statsmodels solves by SVD, aurum by
        // elimination on X'X); agreement is about 1e-12, the issue asks for 1e-6.
        let fixed = case["maxlags_fixed"].as_bool().unwrap_or(false);
        let ols = ols_hac(
            &d,
            fixed.then(|| case["maxlags"].as_u64().unwrap() as usize),
        )
        .unwrap();
        let o = &case["ols"];
        assert_eq!(
            ols.maxlags as u64,
            o["maxlags"].as_u64().unwrap(),
            "{name}: lags"
        );
        for (key, ours) in [
            ("params", &ols.beta),
            ("bse", &ols.se),
            ("tvalues", &ols.t),
            ("pvalues", &ols.p),
            ("bse_nonrobust", &ols.se_nonrobust),
        ] {
            for (j, want) in floats(&o[key]).into_iter().enumerate() {
                close(
                    &format!("{name} ols {key}[{j}]"),
                    ours[j],
                    want,
                    1e-6,
                    1e-300,
                );
            }
        }
        close(
            &format!("{name} r2"),
            ols.r2,
            o["rsquared"].as_f64().unwrap(),
            1e-6,
            0.0,
        );
        close(
            &format!("{name} r2_adj"),
            ols.r2_adj,
            o["rsquared_adj"].as_f64().unwrap(),
            1e-6,
            0.0,
        );

        // Quantile regression. IRLS stops on an absolute step of 1e-6 and, in the tails, its
        // path depends on rounding: the fixture records, per quantity, the largest deviation
        // statsmodels itself shows under rounding-level changes (another solver, one ulp in y,
        // rows reversed). aurum must lie within twice that of statsmodels, or 1e-6 relative.
        for q in case["quantreg"].as_array().unwrap() {
            let tau = q["q"].as_f64().unwrap();
            let ours = quantreg(&d, tau).unwrap();
            let spread = &q["rounding_spread"];
            for (key, got) in [
                ("params", &ours.beta),
                ("bse", &ours.se),
                ("pvalues", &ours.p),
            ] {
                let sp = floats(&spread[key]);
                for (j, want) in floats(&q[key]).into_iter().enumerate() {
                    // Far in the tail (p < 1e-8) statrs' Student t is accurate to about 1e-6
                    // relative, scipy's to 1e-14; the t statistics themselves agree.
                    let rel = if key == "pvalues" && want < 1e-8 {
                        1e-4
                    } else {
                        1e-6
                    };
                    close(
                        &format!("{name} τ={tau} {key}[{j}]"),
                        got[j],
                        want,
                        rel,
                        2.0 * sp[j],
                    );
                }
            }
        }
    }
}
