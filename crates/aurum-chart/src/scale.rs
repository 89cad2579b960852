//! Axis scales: round price ticks and calendar date ticks.

use aurum_core::text::grouped;
use aurum_core::{Date, Lang, PeriodBar};
use chrono::Datelike;

use crate::format::{decimals_for_step, text_width};

/// The mantissas of a nice tick step, times a power of ten.
const MANTISSAS: [f64; 4] = [1.0, 2.0, 2.5, 5.0];
/// The number of price ticks aimed at.
const TARGET_TICKS: i64 = 7;

/// Price ticks: multiples of `step` inside the axis range.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PriceTicks {
    /// Tick values, ascending.
    pub values: Vec<f64>,
    /// Distance between ticks: 1, 2, 2.5 or 5 times a power of ten.
    pub step: f64,
}

impl PriceTicks {
    /// Tick labels with thousands separators and as many decimals as the step needs.
    pub fn labels(&self) -> Vec<String> {
        let d = decimals_for_step(self.step);
        self.values.iter().map(|&v| grouped(v, d)).collect()
    }
}

/// Round ticks for the range `lo..=hi`, as close to seven ticks as the nice steps allow.
pub(crate) fn price_ticks(lo: f64, hi: f64) -> PriceTicks {
    let span = (hi - lo).abs().max(f64::MIN_POSITIVE);
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    // Truncation is intended: the exponent of a finite positive number fits an i32.
    #[allow(clippy::cast_possible_truncation)]
    let exp = (span / 7.0).log10().floor() as i32;
    let mut best: Option<(i64, f64, i64, i64)> = None; // (score, step, first, last)
    for e in (exp - 1)..=(exp + 1) {
        for m in MANTISSAS {
            let step = m * 10f64.powi(e);
            let (first, last) = multiples_within(lo, hi, step);
            let count = last - first + 1;
            let score = (count - TARGET_TICKS).abs();
            // On a tie keep the larger step (fewer, rounder ticks): candidates ascend.
            if best.is_none_or(|(s, ..)| score <= s) {
                best = Some((score, step, first, last));
            }
        }
    }
    let (_, step, first, last) = best.unwrap_or((0, span, 0, 0));
    #[allow(clippy::cast_precision_loss)]
    let values = (first..=last).map(|k| k as f64 * step).collect();
    PriceTicks { values, step }
}

/// Integer steps tried for [`integer_ticks`], densest first (times powers of ten).
const INTEGER_MANTISSAS: [f64; 3] = [1.0, 2.0, 5.0];
/// The most ticks [`integer_ticks`] puts on an axis.
const MAX_INTEGER_TICKS: i64 = 16;

/// Ticks at integers only, for the range `lo..=hi` drawn `px_per_unit` pixels per unit:
/// every 1, 2, 5, 10, 20, 50, … units, the densest step that gives at most 16 ticks whose
/// labels (at `font_size` px) keep a gap of two font sizes. No ticks when no integer lies
/// in the range.
pub(crate) fn integer_ticks(lo: f64, hi: f64, px_per_unit: f64, font_size: f64) -> PriceTicks {
    let (lo, hi) = (lo.min(hi), lo.max(hi));
    let mut fallback = None;
    for e in 0..=15 {
        for m in INTEGER_MANTISSAS {
            let step = m * 10f64.powi(e);
            let (first, last) = multiples_within(lo, hi, step);
            #[allow(clippy::cast_precision_loss)]
            let values: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
            let widest = values
                .iter()
                .map(|&v| text_width(&grouped(v, 0), font_size, false))
                .fold(0.0, f64::max);
            let fits = step * px_per_unit >= widest + 2.0 * font_size;
            let ticks = PriceTicks { values, step };
            if last - first < MAX_INTEGER_TICKS && fits {
                return ticks;
            }
            fallback.get_or_insert(ticks);
        }
    }
    fallback.unwrap_or(PriceTicks {
        values: Vec::new(),
        step: 1.0,
    })
}

/// The first and last integers `k` with `lo <= k * step <= hi` (with a little tolerance).
fn multiples_within(lo: f64, hi: f64, step: f64) -> (i64, i64) {
    let eps = 1e-9;
    // The ratios are small integers for any sane price range.
    #[allow(clippy::cast_possible_truncation)]
    let first = (lo / step - eps).ceil() as i64;
    #[allow(clippy::cast_possible_truncation)]
    let last = (hi / step + eps).floor() as i64;
    (first, last)
}

/// A date tick: the slot it sits on and its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateTick {
    /// Index of the slot on the date axis: a bar, or a date after the bars.
    pub index: usize,
    /// Text under the axis, such as `Jan 2024` or `2024年1月`.
    pub label: String,
}

/// Tick spacings tried, in months, densest first.
const MONTH_STEPS: [u32; 7] = [1, 3, 6, 12, 24, 60, 120];
/// Slot spacings tried when the span is too short for monthly ticks.
const BAR_STEPS: [usize; 8] = [1, 2, 4, 5, 10, 20, 50, 100];

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One slot of the date axis: the first and last day of its period.
#[derive(Clone, Copy, Debug)]
struct Period {
    first: Date,
    end: Date,
}

/// Date ticks that fit side by side when each slot takes `slot` pixels and labels are drawn
/// at `font_size` px. The slots are the bars, then one per date of `after` (period ends
/// following the bars, such as a forecast's).
///
/// Ticks sit on the first slot of each month, quarter, half-year or year (whichever is the
/// densest spacing whose labels do not crowd each other). Spans too short for two monthly
/// ticks get day labels every few slots instead.
pub(crate) fn date_ticks(
    bars: &[PeriodBar],
    after: &[Date],
    lang: Lang,
    slot: f64,
    font_size: f64,
) -> Vec<DateTick> {
    let periods: Vec<Period> = bars
        .iter()
        .map(|b| Period {
            first: b.first_date,
            end: b.period_end,
        })
        .chain(after.iter().map(|&d| Period { first: d, end: d }))
        .collect();
    for step in MONTH_STEPS {
        let ticks = month_ticks(&periods, lang, step);
        if ticks.len() < 2 {
            break; // wider steps give fewer ticks still: label days instead
        }
        if fits(&ticks, slot, font_size) {
            return ticks;
        }
    }
    for step in BAR_STEPS {
        let ticks: Vec<DateTick> = (0..periods.len())
            .step_by(step)
            .map(|i| DateTick {
                index: i,
                label: day_label(periods[i].end, lang),
            })
            .collect();
        if fits(&ticks, slot, font_size) {
            return ticks;
        }
    }
    Vec::new()
}

/// Whether neighbouring labels keep a comfortable gap.
fn fits(ticks: &[DateTick], slot: f64, font_size: f64) -> bool {
    let gap = 2.0 * font_size;
    ticks.windows(2).all(|w| {
        #[allow(clippy::cast_precision_loss)]
        let dist = (w[1].index - w[0].index) as f64 * slot;
        let need = (text_width(&w[0].label, font_size, false)
            + text_width(&w[1].label, font_size, false))
            / 2.0
            + gap;
        dist >= need
    })
}

/// Ticks on the first slot of every `step`-month period (periods aligned to January).
fn month_ticks(periods: &[Period], lang: Lang, step: u32) -> Vec<DateTick> {
    let bucket = |p: &Period| month_number(p.end).div_euclid(i64::from(step));
    let mut out = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        let starts_period = match i {
            // The first slot opens its period only when it is a period's first month and
            // the slot reaches back to that month's first week.
            0 => {
                month_number(p.end).rem_euclid(i64::from(step)) == 0
                    && (p.first.month() != p.end.month()
                        || p.first.year() != p.end.year()
                        || p.first.day() <= 7)
            }
            _ => bucket(p) != bucket(&periods[i - 1]),
        };
        if starts_period {
            out.push(DateTick {
                index: i,
                label: month_label(p.end, lang, step >= 12),
            });
        }
    }
    out
}

/// Months since year 0 of `d`.
fn month_number(d: Date) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

fn month_label(d: Date, lang: Lang, year_only: bool) -> String {
    match (lang, year_only) {
        (Lang::Ja, true) => format!("{}年", d.year()),
        (Lang::Ja, false) => format!("{}年{}月", d.year(), d.month()),
        (_, true) => d.year().to_string(),
        (_, false) => format!("{} {}", MONTHS_EN[d.month0() as usize], d.year()),
    }
}

fn day_label(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{}月{}日", d.month(), d.day()),
        _ => format!("{} {}", MONTHS_EN[d.month0() as usize], d.day()),
    }
}

#[cfg(test)]
mod tests {
    use aurum_core::{Date, date};
    use chrono::Days;

    use super::*;

    fn weekly(start: Date, n: usize) -> Vec<PeriodBar> {
        (0..n)
            .map(|i| {
                let end = start + Days::new(7 * i as u64);
                PeriodBar {
                    period_end: end,
                    first_date: end - Days::new(4),
                    last_date: end,
                    open: 1.0,
                    high: 1.0,
                    low: 1.0,
                    close: 1.0,
                    volume: None,
                    days: 5,
                }
            })
            .collect()
    }

    fn is_nice(step: f64) -> bool {
        let exp = step.log10().floor();
        let m = step / 10f64.powf(exp);
        MANTISSAS.iter().any(|n| (m - n).abs() < 1e-9)
    }

    #[test]
    fn price_ticks_are_nice_and_cover_the_range() {
        for (lo, hi) in [
            (1805.3, 2987.6),
            (1900.0, 3150.0),
            (0.91, 1.07),
            (-3.2, 4.8),
            (27_000.0, 29_500.0),
            (99.0, 101.0),
        ] {
            let t = price_ticks(lo, hi);
            assert!(is_nice(t.step), "step {} for {lo}..{hi}", t.step);
            let n = t.values.len();
            assert!(
                (5..=9).contains(&n),
                "{n} ticks for {lo}..{hi}: {:?}",
                t.values
            );
            assert!(t.values.iter().all(|v| (lo - 1e-9..=hi + 1e-9).contains(v)));
            // The ticks reach within one step of both ends.
            assert!(t.values[0] - lo < t.step && hi - t.values[n - 1] < t.step);
            for w in t.values.windows(2) {
                assert!((w[1] - w[0] - t.step).abs() < 1e-9 * t.step.max(1.0));
            }
        }
    }

    #[test]
    fn gold_range_gets_round_hundreds() {
        let t = price_ticks(1780.0, 3080.0);
        assert_eq!(t.step, 200.0);
        assert_eq!(
            t.labels(),
            [
                "1,800", "2,000", "2,200", "2,400", "2,600", "2,800", "3,000"
            ]
        );
    }

    #[test]
    fn integer_ticks_thin_out_as_the_axis_crowds() {
        // Event days -1..5 over 1,100 px: every day.
        let t = integer_ticks(-1.2, 5.2, 170.0, 12.0);
        assert_eq!(t.values, [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(t.labels(), ["-1", "0", "1", "2", "3", "4", "5"]);
        // -20..20 gets every 5th day: every 2nd would make 21 ticks.
        let t = integer_ticks(-20.5, 20.5, 26.0, 12.0);
        assert_eq!(t.step, 5.0);
        assert_eq!(t.values.first(), Some(&-20.0));
        // A long window on a narrow chart: round hundreds.
        let t = integer_ticks(0.0, 1000.0, 0.3, 12.0);
        assert_eq!(t.step, 200.0);
        // No integer inside: no ticks.
        assert!(integer_ticks(0.2, 0.8, 100.0, 12.0).values.is_empty());
    }

    #[test]
    fn two_years_of_weeks_get_quarterly_ticks_on_first_bars() {
        // Fridays from 2023-01-06 for 110 weeks, 10 px per bar.
        let bars = weekly(date(2023, 1, 6), 110);
        let ticks = date_ticks(&bars, &[], Lang::En, 10.0, 12.0);
        let labels: Vec<_> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels[..3], ["Jan 2023", "Apr 2023", "Jul 2023"]);
        assert_eq!(ticks[0].index, 0);
        // 2023-04-07 is the first Friday of April: bar 13.
        assert_eq!(ticks[1].index, 13);
        let ja = date_ticks(&bars, &[], Lang::Ja, 10.0, 12.0);
        assert_eq!(ja[1].label, "2023年4月");
    }

    #[test]
    fn long_spans_get_year_labels() {
        let bars = weekly(date(2010, 1, 1), 52 * 15);
        let ticks = date_ticks(&bars, &[], Lang::Ja, 1.3, 12.0);
        assert!(ticks.iter().all(|t| t.label.ends_with('年')), "{ticks:?}");
        let en = date_ticks(&bars, &[], Lang::En, 1.3, 12.0);
        assert!(en.iter().all(|t| t.label.len() == 4), "{en:?}");
    }

    #[test]
    fn first_bar_mid_month_gets_no_tick() {
        let bars = weekly(date(2023, 1, 20), 30);
        let ticks = date_ticks(&bars, &[], Lang::En, 30.0, 12.0);
        assert_eq!(ticks[0].label, "Feb 2023");
        assert_ne!(ticks[0].index, 0);
    }

    #[test]
    fn short_spans_get_day_labels() {
        let bars = weekly(date(2025, 2, 7), 3);
        let ticks = date_ticks(&bars, &[], Lang::En, 300.0, 12.0);
        let labels: Vec<_> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["Feb 7", "Feb 14", "Feb 21"]);
    }

    #[test]
    fn dates_after_the_bars_get_ticks_too() {
        // Bars to 2025-02-21, then forecast Fridays to 2025-06-27.
        let bars = weekly(date(2023, 1, 6), 112);
        assert_eq!(bars[111].period_end, date(2025, 2, 21));
        let after: Vec<Date> = (1..=18)
            .map(|k| date(2025, 2, 21) + Days::new(7 * k))
            .collect();
        assert_eq!(after[17], date(2025, 6, 27));
        let ticks = date_ticks(&bars, &after, Lang::En, 8.0, 12.0);
        let last = ticks.last().unwrap();
        assert_eq!(last.label, "Apr 2025");
        // 2025-04-04 is the sixth Friday after the last bar.
        assert_eq!(last.index, 111 + 6);
        let monthly = date_ticks(&bars, &after, Lang::Ja, 60.0, 12.0);
        assert_eq!(monthly.last().unwrap().label, "2025年6月");
    }
}
