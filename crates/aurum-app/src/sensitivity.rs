//! Gold's measured sensitivities to the dollar, US real yields and equities as of a date: the
//! weekly regression of the GPR analysis with the controls as the factors of interest, for
//! the report's risks.

use aurum_core::{Date, Frequency, SeriesId};
use aurum_report::{Factor, Sensitivities};
use aurum_risk::Measure;
use aurum_store::Store;
use chrono::Datelike;

use crate::gpr::{self, GprComponent};
use crate::{AppError, AppResult, Window};

/// Years of weekly data the sensitivities are measured on.
pub const YEARS: i32 = 10;

/// The factors: series, the size of the move described (in the series' own change units:
/// percent for prices, percentage points for rates), and the name the text uses.
const FACTORS: [(&str, f64); 3] = [("dxy", 1.0), ("dfii10", 0.1), ("sp500", 1.0)];

/// The report's weekly regression: the LBMA gold price's weekly change on the GPR threats
/// index and `controls`, over `window`, with Newey–West errors; its design and fit.
///
/// # Errors
///
/// A series missing from the store, too few weeks, a regression that cannot be solved.
pub(crate) fn weekly_gold_on_threats(
    store: &Store,
    window: &Window,
    controls: &[SeriesId],
) -> AppResult<(aurum_risk::Design, aurum_risk::OlsResult)> {
    let (_, d) = gpr::design(
        store,
        &SeriesId::new("gold-usd-lbma-pm")?,
        Frequency::Weekly,
        Measure::Change,
        GprComponent::Threats,
        window,
        controls,
    )?;
    let ols = aurum_risk::ols_hac(&d, None)?;
    Ok((d, ols))
}

/// Gold's weekly log change (percent) regressed on the weekly changes of the dollar index
/// (log, percent), the 10-year TIPS yield (percentage points) and the S&P 500 (log, percent),
/// with the GPR threats index alongside, over the [`YEARS`] years to `as_of`, with
/// Newey–West errors. Each factor's effect is stated per a move of typical size (1% for the
/// dollar and equities, 0.1 point for real yields), with its 95% interval and the effect of a
/// one-standard-deviation week.
///
/// # Errors
///
/// A series missing from the store, too few weeks, a regression that cannot be solved.
pub fn measure(store: &Store, as_of: Date) -> AppResult<Sensitivities> {
    let from = as_of
        .with_year(as_of.year() - YEARS)
        .ok_or_else(|| AppError::internal(format!("no date {YEARS} years before {as_of}")))?;
    let window = Window {
        from: Some(from),
        to: None,
        as_of: Some(as_of),
    };
    let controls: Vec<SeriesId> = FACTORS
        .iter()
        .map(|(id, _)| SeriesId::new(*id))
        .collect::<Result<_, _>>()?;
    let (d, ols) = weekly_gold_on_threats(store, &window, &controls)?;
    let factors = FACTORS
        .iter()
        .map(|(id, size)| {
            let j = ols.names.iter().position(|n| n == id).ok_or_else(|| {
                AppError::internal(format!("the regression has no column for {id}"))
            })?;
            let column: Vec<f64> = d.x.iter().map(|row| row[j]).collect();
            let n = column.len() as f64;
            let mean = column.iter().sum::<f64>() / n;
            let sd = (column.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let (b, se) = (ols.beta[j], ols.se[j]);
            Ok(Factor {
                series: (*id).to_owned(),
                move_size: *size,
                effect_pct: b * size,
                ci_low_pct: (b - 1.96 * se) * size,
                ci_high_pct: (b + 1.96 * se) * size,
                p: ols.p[j],
                weekly_sd: sd,
                sd_effect_pct: b * sd,
            })
        })
        .collect::<AppResult<Vec<Factor>>>()?;
    Ok(Sensitivities {
        from: d.labels.first().copied().unwrap_or(from),
        to: d.labels.last().copied().unwrap_or(as_of),
        weeks: ols.n,
        r2: ols.r2,
        factors,
    })
}
