use std::collections::HashMap;

use aurum_core::Date;

use crate::EventStudyError;

/// How a benchmark's levels become the regressor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    /// `ln(P_t) − ln(P_{t−1})`: prices and indices.
    LogReturn,
    /// `P_t − P_{t−1}`: rates and yields in percent.
    Difference,
}

/// A benchmark series for the market or factor model.
#[derive(Clone, Debug, PartialEq)]
pub struct Benchmark<'a> {
    /// Name used in messages.
    pub name: String,
    /// Dated levels, sorted by date.
    pub levels: &'a [(Date, f64)],
    /// How levels become the regressor.
    pub transform: Transform,
}

/// The studied series and its benchmarks on their common dates, as returns.
///
/// Index `t` runs over the common dates; `returns[t]` and `factors[j][t]` are defined for
/// `t ≥ 1` (index 0 holds `NaN`).
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    pub(crate) dates: Vec<Date>,
    pub(crate) returns: Vec<f64>,
    pub(crate) factors: Vec<Vec<f64>>,
}

impl Calendar {
    /// Builds the calendar of dates on which `series` and every benchmark have a value
    /// (all sorted by date), and the log returns of the series on it.
    ///
    /// # Errors
    ///
    /// Non-positive prices where log returns are needed; fewer than two common dates.
    pub fn new(
        series: &[(Date, f64)],
        benchmarks: &[Benchmark<'_>],
    ) -> Result<Self, EventStudyError> {
        let maps: Vec<HashMap<Date, f64>> = benchmarks
            .iter()
            .map(|b| b.levels.iter().copied().collect())
            .collect();
        let mut dates = Vec::with_capacity(series.len());
        let mut levels = Vec::with_capacity(series.len());
        let mut bench_levels: Vec<Vec<f64>> =
            vec![Vec::with_capacity(series.len()); benchmarks.len()];
        for &(d, v) in series {
            let found: Option<Vec<f64>> = maps.iter().map(|m| m.get(&d).copied()).collect();
            if let Some(found) = found {
                dates.push(d);
                levels.push(v);
                for (j, x) in found.into_iter().enumerate() {
                    bench_levels[j].push(x);
                }
            }
        }
        if dates.len() < 2 {
            return Err(EventStudyError::EmptyCalendar(dates.len()));
        }
        let returns = transform("series", &dates, &levels, Transform::LogReturn)?;
        let factors = benchmarks
            .iter()
            .zip(&bench_levels)
            .map(|(b, l)| transform(&b.name, &dates, l, b.transform))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            dates,
            returns,
            factors,
        })
    }

    /// The common dates.
    #[must_use]
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// Index of the first date on or after `date`.
    pub(crate) fn day0(&self, date: Date) -> Option<usize> {
        let i = self.dates.partition_point(|d| *d < date);
        (i < self.dates.len()).then_some(i)
    }
}

fn transform(
    name: &str,
    dates: &[Date],
    levels: &[f64],
    t: Transform,
) -> Result<Vec<f64>, EventStudyError> {
    if t == Transform::LogReturn
        && let Some(i) = levels.iter().position(|v| v.is_nan() || *v <= 0.0)
    {
        return Err(EventStudyError::NonPositive {
            series: name.to_owned(),
            date: dates[i],
            value: levels[i],
        });
    }
    let mut out = Vec::with_capacity(levels.len());
    out.push(f64::NAN);
    for w in levels.windows(2) {
        out.push(match t {
            Transform::LogReturn => w[1].ln() - w[0].ln(),
            Transform::Difference => w[1] - w[0],
        });
    }
    Ok(out)
}
