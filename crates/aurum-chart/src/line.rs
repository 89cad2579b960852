//! Line charts of event-study results and of values over dates, as an SVG document
//! written by hand.

use std::fmt::Write as _;

use aurum_core::text::escape_xml;
use aurum_core::{Date, Lang};
use chrono::Datelike;

use crate::format::{fit_size, num, text_width};
use crate::layout::spread;
use crate::scale::{PriceTicks, integer_ticks, price_ticks};
use crate::svg::{
    AXIS, AXIS_TITLE_SIZE, FAINT, GRID, INK, JAPANESE_FONTS, LATIN_FONTS, MARGIN, MUTED,
    SOURCE_SIZE, SUBTITLE_SIZE, TICK_SIZE, TITLE_SIZE, bold, crisp, quietest_corner,
};
use crate::{ChartError, FixedAxis, LineChart, LineSeries};

/// The Okabe–Ito colour-blind-safe palette, in the order series take it. Its yellow is left
/// out: it is too pale on white.
const PALETTE: [&str; 7] = [
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
];
/// The emphasised `y = 0` and `x = 0` lines: a little darker than the axes.
const ZERO: &str = "#9aa0a9";

/// Opacity of a band's fill.
const BAND_OPACITY: f64 = 0.16;
/// Width of a series' line, in pixels.
const LINE_WIDTH: f64 = 2.0;
/// Largest marker radius, in pixels.
const MARKER_RADIUS: f64 = 3.5;
const LEGEND_SIZE: f64 = 13.0;
/// Height of one legend row, in pixels.
const LEGEND_ROW: f64 = 20.0;
/// Length of the line sample in front of each legend label, in pixels.
const LEGEND_SWATCH: f64 = 26.0;
/// Padding inside the legend box, in pixels.
const LEGEND_PAD: f64 = 10.0;
/// Distance between the legend box and the plot's edges, in pixels.
const LEGEND_INSET: f64 = 10.0;
/// Empty space between the plot's left and right edges and the first and last `x`.
const X_INSET: f64 = 16.0;
/// Font size of the labels at the lines' right ends.
const END_LABEL_SIZE: f64 = 13.0;
/// Space between a line's end and its label, in pixels.
const END_LABEL_GAP: f64 = 6.0;
/// Dashes of a dashed line: dash and gap, in pixels.
const DASH: &str = "6 4";
/// Most ticks a fixed axis may have.
const MAX_FIXED_TICKS: f64 = 100.0;
/// English month names on a date axis.
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Padding above and below the values, as a share of their range.
const Y_PADDING: f64 = 0.08;

/// Draws `chart` as a standalone SVG document.
///
/// The same chart always gives the same string. Coordinates carry at most two decimals;
/// every text is XML-escaped, and text with Japanese in it is set in IPAexGothic. Each
/// series' line is one `<path class="series">` with its markers in one `<g class="markers">`;
/// each band one `<path class="band">`; each end label one `<text class="end-label">`
/// (with a `<path class="end-leader">` to its line when it had to move away from it); the
/// legend one `<g class="legend">` with one `<g class="legend-entry">` per series, in
/// order. The value axis is on the left and includes zero unless
/// [`LineChart::include_zero`] is off or the axis is fixed. The legend goes in a corner of
/// the plot where it covers no line or band (top left when several are free), else right of
/// the plot.
///
/// # Errors
///
/// [`ChartError::EmptySeries`] without series, [`ChartError::EmptyPoints`] for a series
/// without points, [`ChartError::NonFinitePoint`] for NaN or infinite values,
/// [`ChartError::BandMismatch`] for a band whose rows are not one per point at the points'
/// `x`, [`ChartError::InvalidAxis`] for a fixed axis that is empty or has more than 100
/// ticks, [`ChartError::InvalidSize`] when the width or height, of the layout or of the
/// zoomed image, is outside 200–8000 pixels, and [`ChartError::InvalidZoom`] for a zoom
/// outside 0.25–8.
pub fn render_line_svg(chart: &LineChart) -> Result<String, ChartError> {
    validate(chart)?;
    let lines = lines(chart);
    let frame = Frame::new(chart, &lines);
    let mut out =
        String::with_capacity(4096 + 120 * lines.iter().map(|l| l.points.len()).sum::<usize>());
    crate::svg::open_svg(&mut out, chart.width, chart.height, chart.zoom, LATIN_FONTS);
    w!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    out.push('\n');
    grid_and_axes(&mut out, &frame, chart.zero_line && chart.y_fixed.is_none());
    for line in &lines {
        if let Some(band) = &line.band {
            band_area(&mut out, &frame, band, line.color);
        }
    }
    for line in &lines {
        series(&mut out, &frame, line);
    }
    end_labels(&mut out, &frame, &lines);
    legend(&mut out, &frame, &lines);
    texts(&mut out, chart, &frame);
    out.push_str("</svg>\n");
    Ok(out)
}

/// The colour a [`LineChart`] gives series `i` (counting from 0) unless the series names
/// its own: the Okabe–Ito palette, colour-blind safe, without its yellow, then again from
/// the start. Other charts can take it to show the same things in the same colours.
#[must_use]
pub fn series_color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A date as a [`LineChart`] with [`LineChart::x_dates`] reads it: days since 1 January of
/// year 1.
#[must_use]
pub fn date_x(d: Date) -> f64 {
    f64::from(d.num_days_from_ce())
}

/// The date [`date_x`] numbers `x` (rounded to the day), if there is one.
fn x_date(x: f64) -> Option<Date> {
    // Days since year 1 of any date chrono knows fit an i32.
    #[allow(clippy::cast_possible_truncation)]
    let days = x.round().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
    Date::from_num_days_from_ce_opt(days)
}

fn validate(chart: &LineChart) -> Result<(), ChartError> {
    crate::svg::check_size(chart.width, chart.height, chart.zoom)?;
    if chart.series.is_empty() {
        return Err(ChartError::EmptySeries);
    }
    if let Some(FixedAxis { lo, hi, step }) = chart.y_fixed {
        let finite = lo.is_finite() && hi.is_finite() && step.is_finite();
        if !finite || lo >= hi || step <= 0.0 || (hi - lo) / step > MAX_FIXED_TICKS {
            return Err(ChartError::InvalidAxis { lo, hi, step });
        }
    }
    for (s, series) in chart.series.iter().enumerate() {
        let non_finite = |index: usize, field: &'static str, value: f64| {
            Err(ChartError::NonFinitePoint {
                series: s,
                label: series.label.clone(),
                index,
                field,
                value,
            })
        };
        if series.points.is_empty() {
            return Err(ChartError::EmptyPoints {
                series: s,
                label: series.label.clone(),
            });
        }
        for (index, &(x, y)) in series.points.iter().enumerate() {
            if let Some((field, value)) = [("x", x), ("y", y)]
                .into_iter()
                .find(|(_, v)| !v.is_finite())
            {
                return non_finite(index, field, value);
            }
        }
        let Some(band) = &series.band else {
            continue;
        };
        for index in 0..band.len().max(series.points.len()) {
            let (Some(&(px, _)), Some(&(bx, lower, upper))) =
                (series.points.get(index), band.get(index))
            else {
                return Err(ChartError::BandMismatch {
                    series: s,
                    label: series.label.clone(),
                    index,
                });
            };
            let fields = [("band x", bx), ("band lower", lower), ("band upper", upper)];
            if let Some((field, value)) = fields.into_iter().find(|(_, v)| !v.is_finite()) {
                return non_finite(index, field, value);
            }
            if (px - bx).abs() > 1e-9 * px.abs().max(1.0) {
                return Err(ChartError::BandMismatch {
                    series: s,
                    label: series.label.clone(),
                    index,
                });
            }
        }
    }
    Ok(())
}

/// A validated series, sorted by `x`, its band rows as `(x, low, high)` with `low <= high`.
struct Line<'a> {
    label: &'a str,
    points: Vec<(f64, f64)>,
    band: Option<Vec<(f64, f64, f64)>>,
    color: &'a str,
    dashed: bool,
    line: bool,
    end_label: Option<&'a str>,
}

impl<'a> Line<'a> {
    /// Series `i` of a chart.
    fn new(i: usize, series: &'a LineSeries) -> Self {
        let mut order: Vec<usize> = (0..series.points.len()).collect();
        // A stable sort: points at the same x keep their order.
        order.sort_by(|&a, &b| series.points[a].0.total_cmp(&series.points[b].0));
        let points = order.iter().map(|&i| series.points[i]).collect();
        let band = series.band.as_ref().map(|band| {
            order
                .iter()
                .map(|&i| {
                    let (x, a, b) = band[i];
                    (x, a.min(b), a.max(b))
                })
                .collect()
        });
        Self {
            label: &series.label,
            points,
            band,
            color: series.color.as_deref().unwrap_or(series_color(i)),
            dashed: series.dashed,
            line: series.line,
            end_label: series.end_label.as_deref().filter(|_| series.line),
        }
    }

    /// Whether the line gets a marker at each point: solid lines of few enough points.
    fn has_markers(&self) -> bool {
        self.line && !self.dashed && self.points.len() <= MAX_MARKERS
    }
}

/// The validated series of a chart, in order.
fn lines(chart: &LineChart) -> Vec<Line<'_>> {
    chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| Line::new(i, s))
        .collect()
}

/// Where everything goes: the plot box, the scales and the ticks.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// Horizontal range of the data, left to right (drawn inset from the plot's edges).
    x_lo: f64,
    x_hi: f64,
    /// Vertical range of the plot, bottom to top.
    y_lo: f64,
    y_hi: f64,
    /// Where vertical gridlines and tick marks go, as `x` values.
    x_grid: Vec<f64>,
    /// The labels under the axis, each centred on an `x` value.
    x_text: Vec<(f64, String)>,
    y_ticks: PriceTicks,
    y_labels: Vec<String>,
    /// Room kept right of the plot for the labels at the lines' ends, in pixels.
    end_room: f64,
    /// Where the legend box goes.
    legend: Legend,
}

impl Frame {
    /// The layout, with the legend in a free corner of the plot or, when every corner would
    /// cover a line or band, right of a narrower plot (unless it would take more than 40% of
    /// the width).
    fn new(chart: &LineChart, lines: &[Line]) -> Self {
        let mut frame = Self::layout(chart, lines, 0.0);
        let (hits, legend) = place_legend(&frame, lines);
        frame.legend = legend;
        let beside = legend.w + LEGEND_INSET;
        if hits > 0 && beside <= 0.4 * frame.width {
            frame = Self::layout(chart, lines, beside);
            frame.legend = Legend {
                x: frame.right + frame.end_room + LEGEND_INSET,
                y: frame.top,
                ..legend
            };
        }
        frame
    }

    /// The layout with `beside` pixels kept free right of the plot (and of the end labels),
    /// legend not yet placed.
    fn layout(chart: &LineChart, lines: &[Line], beside: f64) -> Self {
        let (y_lo, y_hi, y_ticks) = match chart.y_fixed {
            Some(axis) => fixed_range(lines, axis),
            None => {
                let (lo, hi) = y_range(lines, chart.include_zero);
                (lo, hi, price_ticks(lo, hi))
            }
        };
        let y_labels: Vec<String> = minus_signs(y_ticks.labels())
            .into_iter()
            .map(|l| l + &chart.y_suffix)
            .collect();
        let label_w = y_labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE, false))
            .fold(0.0, f64::max);
        let width = f64::from(chart.width);
        let height = f64::from(chart.height);
        // Axis title (rotated, with room for descenders), a gap, then the tick labels
        // right-aligned 8 px left of the axis.
        let left = MARGIN + AXIS_TITLE_SIZE + 4.0 + 10.0 + label_w + 8.0;
        // End labels start a little right of the lines' ends, which are inset in the plot.
        let end_room = lines
            .iter()
            .filter_map(|l| l.end_label)
            .map(|t| END_LABEL_GAP + text_width(t, END_LABEL_SIZE, true) - X_INSET + 4.0)
            .fold(0.0, f64::max);
        let right = (width - MARGIN - beside - end_room).max(left + 40.0);
        let top = if chart.subtitle.is_some() { 84.0 } else { 62.0 };
        let bottom = (height - 80.0).max(top + 40.0);
        let (x_lo, x_hi) = x_range(lines);
        let px_per_unit = (right - left - 2.0 * X_INSET).max(1.0) / (x_hi - x_lo);
        let (x_grid, x_text) = if let Some(lang) = chart.x_dates {
            date_axis(x_lo, x_hi, px_per_unit, lang)
        } else {
            let ticks = if chart.x_ticks_integer {
                integer_ticks(x_lo, x_hi, px_per_unit, TICK_SIZE)
            } else {
                price_ticks(x_lo, x_hi)
            };
            let labels = ticks
                .labels()
                .into_iter()
                .map(|l| if chart.x_plain { l.replace(',', "") } else { l });
            let labels = minus_signs(labels.collect());
            let text = ticks.values.iter().copied().zip(labels).collect();
            (ticks.values, text)
        };
        Self {
            width,
            height,
            left,
            right,
            top,
            bottom,
            x_lo,
            x_hi,
            y_lo,
            y_hi,
            x_grid,
            x_text,
            y_ticks,
            y_labels,
            end_room,
            legend: Legend::default(),
        }
    }

    fn x(&self, x: f64) -> f64 {
        let inner = self.right - self.left - 2.0 * X_INSET;
        self.left + X_INSET + (x - self.x_lo) / (self.x_hi - self.x_lo) * inner
    }

    fn y(&self, y: f64) -> f64 {
        self.bottom - (y - self.y_lo) / (self.y_hi - self.y_lo) * (self.bottom - self.top)
    }
}

/// A fixed axis widened, in whole steps, to any value outside it: its range and its ticks.
fn fixed_range(lines: &[Line], axis: FixedAxis) -> (f64, f64, PriceTicks) {
    let FixedAxis { lo, hi, step } = axis;
    let (v_lo, v_hi) = y_range(lines, false);
    // Without the padding `y_range` adds.
    let pad = (v_hi - v_lo) * Y_PADDING / (1.0 + 2.0 * Y_PADDING);
    let (v_lo, v_hi) = (v_lo + pad, v_hi - pad);
    let lo = if v_lo < lo {
        (v_lo / step).floor() * step
    } else {
        lo
    };
    let hi = if v_hi > hi {
        (v_hi / step).ceil() * step
    } else {
        hi
    };
    let eps = 1e-9 * step;
    // At most a hundred or so steps: `validate` checked the axis, and values far outside it
    // would only make a long axis.
    #[allow(clippy::cast_possible_truncation)]
    let (first, last) = (
        ((lo - eps) / step).ceil() as i64,
        ((hi + eps) / step).floor() as i64,
    );
    let last = last.min(first + 1000);
    #[allow(clippy::cast_precision_loss)]
    let values = (first..=last).map(|k| k as f64 * step).collect();
    (lo, hi, PriceTicks { values, step })
}

/// Year-label steps tried on a date axis too long for months, in years.
const YEAR_STEPS: [i32; 7] = [1, 2, 5, 10, 20, 50, 100];

/// The gridlines and labels of a date axis over the days `lo..=hi` ([`date_x`]) drawn
/// `px` pixels a day: a gridline at the end of each month and the month's name centred
/// under the part of it on the axis, when it fits there (with the year on the first name
/// and on January's); or, when months are too narrow, the same with years (every 2, 5, 10,
/// … years on long axes).
fn date_axis(lo: f64, hi: f64, px: f64, lang: Lang) -> (Vec<f64>, Vec<(f64, String)>) {
    let (Some(first), Some(last)) = (x_date(lo.ceil()), x_date(hi.floor())) else {
        return (Vec::new(), Vec::new());
    };
    let months = month_index(last) - month_index(first) + 1;
    let room = |label: &str| text_width(label, TICK_SIZE, false) + TICK_SIZE;
    // A month is about 30 days wide: its name must fit that.
    let short_fits = (1..=12).all(|m| room(&month_label(m, None, lang)) <= 30.0 * px);
    let mut grid = Vec::new();
    let mut text = Vec::new();
    if months <= 1200 && short_fits {
        let mut with_year = true;
        for k in month_index(first)..=month_index(last) {
            let (year, month) = (k.div_euclid(12), k.rem_euclid(12) + 1);
            let (Some(start), Some(end)) = (period_end(k - 1), period_end(k)) else {
                continue;
            };
            let (a, b) = (date_x(start).max(lo), date_x(end).min(hi));
            if date_x(end) <= hi {
                grid.push(date_x(end));
            }
            #[allow(clippy::cast_possible_truncation)]
            let label = month_label(
                month as u32,
                (with_year || month == 1).then_some(year as i32),
                lang,
            );
            if b > a && room(&label) <= (b - a) * px {
                text.push(((a + b) / 2.0, label));
                with_year = false;
            }
        }
        return (grid, text);
    }
    let (y0, y1) = (first.year(), last.year());
    let widest = room(&year_label(y1, lang));
    let step = YEAR_STEPS
        .into_iter()
        .find(|&s| widest <= 365.0 * f64::from(s) * px)
        .unwrap_or(YEAR_STEPS[YEAR_STEPS.len() - 1]);
    // Groups of `step` years from a multiple of `step`: a gridline where each ends, its
    // first year's label under it.
    let mut group = y0.div_euclid(step) * step;
    while group <= y1 {
        let (Some(start), Some(end)) = (year_end(group - 1), year_end(group + step - 1)) else {
            break;
        };
        if date_x(end) <= hi {
            grid.push(date_x(end));
        }
        let (a, b) = (date_x(start).max(lo), date_x(end).min(hi));
        let label = year_label(group, lang);
        if b > a && room(&label) <= (b - a) * px {
            text.push(((a + b) / 2.0, label));
        }
        group += step;
    }
    (grid, text)
}

/// Months since year 0 of `d`, January of year 0 being 0.
fn month_index(d: Date) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// The last day of month `k` ([`month_index`]).
fn period_end(k: i64) -> Option<Date> {
    let next = k + 1;
    let year = i32::try_from(next.div_euclid(12)).ok()?;
    let month = u32::try_from(next.rem_euclid(12) + 1).ok()?;
    Date::from_ymd_opt(year, month, 1)?.pred_opt()
}

/// 31 December of `year`.
fn year_end(year: i32) -> Option<Date> {
    Date::from_ymd_opt(year, 12, 31)
}

/// A month's name on the axis, with its year when given: `Mar`, `Feb 2025`; `3月`,
/// `2025年2月`.
fn month_label(month: u32, year: Option<i32>, lang: Lang) -> String {
    let m = month.clamp(1, 12);
    match (lang, year) {
        (Lang::Ja, Some(y)) => format!("{y}年{m}月"),
        (Lang::Ja, None) => format!("{m}月"),
        (_, Some(y)) => format!("{} {y}", MONTHS_EN[m as usize - 1]),
        (_, None) => MONTHS_EN[m as usize - 1].to_owned(),
    }
}

/// A year on the axis: `2025`, `2025年`.
fn year_label(year: i32, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{year}年"),
        _ => year.to_string(),
    }
}

/// Tick labels with a true minus sign (U+2212), easier to see than a hyphen on an axis
/// that crosses zero.
fn minus_signs(labels: Vec<String>) -> Vec<String> {
    labels
        .into_iter()
        .map(|l| match l.strip_prefix('-') {
            Some(rest) => format!("\u{2212}{rest}"),
            None => l,
        })
        .collect()
}

/// Lowest and highest `x` of the points; a lone `x` gets some room either side.
fn x_range(lines: &[Line]) -> (f64, f64) {
    let (lo, hi) = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
    if hi > lo {
        (lo, hi)
    } else {
        let pad = (hi.abs() * 0.01).max(1.0);
        (lo - pad, hi + pad)
    }
}

/// Lowest and highest value of the points, bands and (with `zero`) zero, padded by 8% of the
/// range.
fn y_range(lines: &[Line], zero: bool) -> (f64, f64) {
    let values = lines.iter().flat_map(|l| {
        l.points.iter().map(|p| p.1).chain(
            l.band
                .iter()
                .flat_map(|b| b.iter().flat_map(|&(_, lo, hi)| [lo, hi])),
        )
    });
    let start = if zero {
        (0.0_f64, 0.0_f64)
    } else {
        (f64::INFINITY, f64::NEG_INFINITY)
    };
    let (lo, hi) = values.fold(start, |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = hi - lo;
    let pad = if span > 0.0 { span * Y_PADDING } else { 1.0 };
    (lo - pad, hi + pad)
}

fn grid_and_axes(out: &mut String, f: &Frame, zero_line: bool) {
    out.push_str(r#"<g class="grid" shape-rendering="crispEdges">"#);
    out.push('\n');
    let (left, right) = (num(f.left), num(f.right));
    let (top, bottom) = (num(f.top), num(crisp(f.bottom)));
    for &v in &f.y_ticks.values {
        let y = num(crisp(f.y(v)));
        w!(
            out,
            r#"<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{GRID}" stroke-width="1"/>"#
        );
        out.push('\n');
    }
    for &v in &f.x_grid {
        let x = num(crisp(f.x(v)));
        w!(
            out,
            r#"<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{GRID}" stroke-width="1"/>"#
        );
        out.push('\n');
    }
    if zero_line {
        let y = num(crisp(f.y(0.0)));
        w!(
            out,
            r#"<line class="zero" x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{ZERO}" stroke-width="1"/>"#
        );
        out.push('\n');
        if f.x_lo <= 0.0 && 0.0 <= f.x_hi {
            let x = num(crisp(f.x(0.0)));
            w!(
                out,
                r#"<line class="zero" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{ZERO}" stroke-width="1"/>"#
            );
            out.push('\n');
        }
    }
    // Axes: values on the left, x at the bottom, with short tick marks.
    let axis_x = num(crisp(f.left));
    w!(
        out,
        r#"<path d="M{axis_x} {top}V{bottom}H{right}" fill="none" stroke="{AXIS}" stroke-width="1"/>"#
    );
    out.push('\n');
    for &v in &f.y_ticks.values {
        let y = num(crisp(f.y(v)));
        w!(
            out,
            r#"<line x1="{}" y1="{y}" x2="{axis_x}" y2="{y}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(crisp(f.left) - 4.0),
        );
        out.push('\n');
    }
    for &v in &f.x_grid {
        let x = num(crisp(f.x(v)));
        w!(
            out,
            r#"<line x1="{x}" y1="{bottom}" x2="{x}" y2="{}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(crisp(f.bottom) + 4.0),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");

    // Value labels, right-aligned left of the axis.
    w!(
        out,
        r#"<g font-size="{TICK_SIZE}" fill="{MUTED}" text-anchor="end">"#
    );
    out.push('\n');
    for (&v, label) in f.y_ticks.values.iter().zip(&f.y_labels) {
        w!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            num(f.left - 8.0),
            num(f.y(v) + TICK_SIZE * 0.36),
            escape_xml(label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");

    let labels = f.x_text.iter().map(|(v, l)| (f.x(*v), l.as_str()));
    crate::svg::bottom_labels(out, f.width, f.bottom, labels);
}

/// A band as one closed path: along the upper edge, back along the lower one.
fn band_area(out: &mut String, f: &Frame, band: &[(f64, f64, f64)], color: &str) {
    let mut d = String::with_capacity(24 * band.len());
    for (i, &(x, _, high)) in band.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        w!(d, "{cmd}{} {}", num(f.x(x)), num(f.y(high)));
    }
    for &(x, low, _) in band.iter().rev() {
        w!(d, "L{} {}", num(f.x(x)), num(f.y(low)));
    }
    d.push('Z');
    w!(
        out,
        r#"<path class="band" d="{d}" fill="{color}" fill-opacity="{BAND_OPACITY}" stroke="none"/>"#
    );
    out.push('\n');
}

/// Marker radius for a line: smaller when points crowd each other.
fn marker_radius(f: &Frame, line: &Line) -> f64 {
    let closest = line
        .points
        .windows(2)
        .map(|w| f.x(w[1].0) - f.x(w[0].0))
        .filter(|&d| d > 0.0)
        .fold(f64::INFINITY, f64::min);
    (closest / 3.0).clamp(1.5, MARKER_RADIUS)
}

fn series(out: &mut String, f: &Frame, line: &Line) {
    if !line.line {
        return;
    }
    let mut d = String::with_capacity(24 * line.points.len());
    for (i, &(x, y)) in line.points.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        w!(d, "{cmd}{} {}", num(f.x(x)), num(f.y(y)));
    }
    let color = escape_xml(line.color);
    let dash = if line.dashed {
        format!(r#" stroke-dasharray="{DASH}""#)
    } else {
        String::new()
    };
    w!(
        out,
        r#"<path class="series" d="{d}" fill="none" stroke="{color}" stroke-width="{LINE_WIDTH}"{dash} stroke-linejoin="round" stroke-linecap="round"/>"#
    );
    out.push('\n');
    // A marker per point only where points are few enough to be told apart.
    if !line.has_markers() {
        return;
    }
    let r = num(marker_radius(f, line));
    w!(
        out,
        r##"<g class="markers" fill="{color}" stroke="#ffffff" stroke-width="1">"##
    );
    for &(x, y) in &line.points {
        w!(
            out,
            r#"<circle cx="{}" cy="{}" r="{r}"/>"#,
            num(f.x(x)),
            num(f.y(y))
        );
    }
    out.push_str("</g>\n");
}

/// An end label's place: the series, where its line ends and where its text goes (left end
/// and vertical centre), in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
struct EndSpot {
    series: usize,
    line_x: f64,
    line_y: f64,
    x: f64,
    y: f64,
}

/// Where the end labels go: right of their lines' last points, moved up or down only as
/// far as keeps them a line apart, and inside the plot's height.
fn end_spots(f: &Frame, lines: &[Line]) -> Vec<EndSpot> {
    let ends: Vec<(usize, f64, f64)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.end_label.is_some())
        .filter_map(|(i, l)| l.points.last().map(|&(x, y)| (i, f.x(x), f.y(y))))
        .collect();
    let wanted: Vec<f64> = ends.iter().map(|e| e.2).collect();
    let half = END_LABEL_SIZE / 2.0;
    let ys = spread(&wanted, END_LABEL_SIZE + 3.0, f.top + half, f.bottom - half);
    ends.iter()
        .zip(ys)
        .map(|(&(series, line_x, line_y), y)| EndSpot {
            series,
            line_x,
            line_y,
            x: line_x + END_LABEL_GAP,
            y,
        })
        .collect()
}

/// The end labels, each in its line's colour, with a thin leader to the line when it moved.
fn end_labels(out: &mut String, f: &Frame, lines: &[Line]) {
    for spot in end_spots(f, lines) {
        let line = &lines[spot.series];
        let Some(label) = line.end_label else {
            continue;
        };
        let color = escape_xml(line.color);
        if (spot.y - spot.line_y).abs() > 2.0 {
            w!(
                out,
                r#"<path class="end-leader" d="M{} {}L{} {}" fill="none" stroke="{color}" stroke-width="1" stroke-opacity="0.6"/>"#,
                num(spot.line_x + 2.0),
                num(spot.line_y),
                num(spot.x - 1.0),
                num(spot.y),
            );
            out.push('\n');
        }
        let lang = if is_japanese(label) {
            Lang::Ja
        } else {
            Lang::En
        };
        w!(
            out,
            r#"<text class="end-label" x="{}" y="{}" font-family="{}" font-size="{END_LABEL_SIZE}" fill="{color}" {}>{}</text>"#,
            num(spot.x + 2.0),
            num(spot.y + END_LABEL_SIZE * 0.36),
            fonts(label),
            bold(lang, &color, END_LABEL_SIZE),
            escape_xml(label),
        );
        out.push('\n');
    }
}

/// Most points per series that still get markers.
const MAX_MARKERS: usize = 60;

/// The legend's box: left, top, width and height.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Legend {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// The legend box in the plot corner that covers the fewest stretches of line and band
/// (see [`quietest_corner`]), and how many it covers.
fn place_legend(f: &Frame, lines: &[Line]) -> (usize, Legend) {
    let label_w = lines
        .iter()
        .map(|l| text_width(l.label, LEGEND_SIZE, false))
        .fold(0.0, f64::max);
    let w = LEGEND_PAD + LEGEND_SWATCH + 8.0 + label_w + LEGEND_PAD;
    #[allow(clippy::cast_precision_loss)]
    let h = 2.0 * LEGEND_PAD - 4.0 + LEGEND_ROW * lines.len() as f64;
    let plot = [f.left, f.right, f.top, f.bottom];
    let (hits, x, y) = quietest_corner(plot, LEGEND_INSET, (w, h), |x, y| {
        covered(f, lines, &Legend { x, y, w, h })
    });
    (hits, Legend { x, y, w, h })
}

/// How many of the samples taken along every line and band fall under `legend` (with a
/// margin for markers and line width).
fn covered(f: &Frame, lines: &[Line], legend: &Legend) -> usize {
    const STEPS: u32 = 24;
    let m = MARKER_RADIUS + 3.0;
    let (l, r) = (legend.x - m, legend.x + legend.w + m);
    let (t, b) = (legend.y - m, legend.y + legend.h + m);
    let mut hits = 0;
    for line in lines {
        // Rows of (x, bottom, top) in pixels, spanning the band and the line together.
        let rows: Vec<(f64, f64, f64)> = line
            .points
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| {
                let (lo, hi) = line
                    .band
                    .as_ref()
                    .map_or((y, y), |b| (b[i].1.min(y), b[i].2.max(y)));
                (f.x(x), f.y(lo), f.y(hi))
            })
            .collect();
        let samples = rows.windows(2).flat_map(|w| {
            (0..STEPS).map(move |k| {
                let s = f64::from(k) / f64::from(STEPS);
                let lerp = |a: f64, b: f64| a + (b - a) * s;
                (
                    lerp(w[0].0, w[1].0),
                    lerp(w[0].1, w[1].1),
                    lerp(w[0].2, w[1].2),
                )
            })
        });
        for (x, bottom, top) in samples.chain(rows.last().copied()) {
            if l <= x && x <= r && top <= b && t <= bottom {
                hits += 1;
            }
        }
    }
    hits
}

fn legend(out: &mut String, f: &Frame, lines: &[Line]) {
    let b = f.legend;
    w!(
        out,
        r##"<g class="legend"><rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#ffffff" fill-opacity="0.85" stroke="{GRID}" stroke-width="1"/>"##,
        num(b.x),
        num(b.y),
        num(b.w),
        num(b.h),
    );
    out.push('\n');
    for (i, line) in lines.iter().enumerate() {
        let color = escape_xml(line.color);
        #[allow(clippy::cast_precision_loss)]
        let mid = b.y + LEGEND_PAD - 2.0 + LEGEND_ROW * (i as f64 + 0.5);
        let (x0, x1) = (b.x + LEGEND_PAD, b.x + LEGEND_PAD + LEGEND_SWATCH);
        out.push_str(r#"<g class="legend-entry">"#);
        if line.band.is_some() {
            // The band as it is seen: over the earlier bands that hold it all.
            for under in swatch_layers(lines, i) {
                w!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="10" fill="{}" fill-opacity="{BAND_OPACITY}"/>"#,
                    num(x0),
                    num(mid - 5.0),
                    num(LEGEND_SWATCH),
                    escape_xml(under),
                );
            }
        }
        if line.line {
            let dash = if line.dashed {
                format!(r#" stroke-dasharray="{DASH}""#)
            } else {
                String::new()
            };
            w!(
                out,
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{color}" stroke-width="{LINE_WIDTH}"{dash}/>"#,
                num(x0),
                num(x1),
                y = num(mid),
            );
        }
        if line.has_markers() {
            w!(
                out,
                r##"<circle cx="{}" cy="{}" r="{MARKER_RADIUS}" fill="{color}" stroke="#ffffff" stroke-width="1"/>"##,
                num((x0 + x1) / 2.0),
                num(mid),
            );
        }
        w!(
            out,
            r#"<text x="{}" y="{}" font-family="{}" font-size="{LEGEND_SIZE}" fill="{INK}">{}</text>"#,
            num(x1 + 8.0),
            num(mid + LEGEND_SIZE * 0.36),
            fonts(line.label),
            escape_xml(line.label),
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

/// The colours of the band layers a legend swatch of series `i` shows, bottom first: the
/// bands of earlier series that cover all of its band (so that its band is only ever seen
/// over them, as the 50% range of a fan over its 90% range), then its own.
fn swatch_layers<'a>(lines: &[Line<'a>], i: usize) -> Vec<&'a str> {
    let Some(band) = &lines[i].band else {
        return Vec::new();
    };
    let covers = |outer: &[(f64, f64, f64)]| {
        let range = |x: f64| {
            // Where the outer band spans `x`: between its rows, linearly.
            let k = outer.partition_point(|r| r.0 < x);
            match (k.checked_sub(1).map(|j| outer[j]), outer.get(k)) {
                (_, Some(r)) if r.0 == x => Some((r.1, r.2)),
                (Some(a), Some(b)) => {
                    let s = (x - a.0) / (b.0 - a.0);
                    Some((a.1 + (b.1 - a.1) * s, a.2 + (b.2 - a.2) * s))
                }
                _ => None,
            }
        };
        band.iter().all(|&(x, lo, hi)| {
            range(x).is_some_and(|(olo, ohi)| olo <= lo + 1e-12 && hi <= ohi + 1e-12)
        })
    };
    lines[..i]
        .iter()
        .filter_map(|l| l.band.as_deref().filter(|b| covers(b)).map(|_| l.color))
        .chain([lines[i].color])
        .collect()
}

/// Whether `text` has Japanese (or other CJK) characters in it.
fn is_japanese(text: &str) -> bool {
    text.chars().any(|c| u32::from(c) >= 0x2E80)
}

/// Font families for `text`: IPAexGothic first when it has Japanese in it.
fn fonts(text: &str) -> &'static str {
    if is_japanese(text) {
        JAPANESE_FONTS
    } else {
        LATIN_FONTS
    }
}

/// Font size of an axis title: smaller (down to 9 px) when it is longer than the `room` its
/// side of the plot leaves.
fn axis_title_size(text: &str, room: f64) -> f64 {
    let natural = text_width(text, AXIS_TITLE_SIZE, false);
    if natural <= room {
        AXIS_TITLE_SIZE
    } else {
        (AXIS_TITLE_SIZE * room / natural).max(9.0)
    }
}

fn texts(out: &mut String, chart: &LineChart, f: &Frame) {
    let lang = match chart.x_dates {
        Some(lang) => lang,
        None if is_japanese(&chart.title) => Lang::Ja,
        None => Lang::En,
    };
    // Lines too long for the chart's width get a smaller font.
    let room = f.width - 2.0 * MARGIN;
    let title = fit_size(&chart.title, TITLE_SIZE, 14.0, room, true);
    w!(
        out,
        r#"<text x="{}" y="36" font-family="{}" font-size="{}" fill="{INK}" {}>{}</text>"#,
        num(MARGIN),
        fonts(&chart.title),
        num(title),
        bold(lang, INK, title),
        escape_xml(&chart.title),
    );
    out.push('\n');
    if let Some(subtitle) = &chart.subtitle {
        w!(
            out,
            r#"<text x="{}" y="60" font-family="{}" font-size="{}" fill="{MUTED}">{}</text>"#,
            num(MARGIN),
            fonts(subtitle),
            num(fit_size(subtitle, SUBTITLE_SIZE, 10.0, room, false)),
            escape_xml(subtitle),
        );
        out.push('\n');
    }
    w!(
        out,
        r#"<text x="{}" y="{}" font-family="{}" font-size="{}" fill="{FAINT}">{}</text>"#,
        num(MARGIN),
        num(f.height - 14.0),
        fonts(&chart.source_line),
        num(fit_size(&chart.source_line, SOURCE_SIZE, 9.0, room, false)),
        escape_xml(&chart.source_line),
    );
    out.push('\n');
    // x axis title centred under the plot, below the tick labels.
    if !chart.x_axis_label.is_empty() {
        w!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" font-family="{}" font-size="{}" fill="{MUTED}">{}</text>"#,
            num((f.left + f.right) / 2.0),
            num(f.bottom + 42.0),
            fonts(&chart.x_axis_label),
            num(axis_title_size(&chart.x_axis_label, f.right - f.left)),
            escape_xml(&chart.x_axis_label),
        );
        out.push('\n');
    }
    if chart.y_axis_label.is_empty() {
        return;
    }
    // y axis title along the left edge, reading bottom to top, centred on the plot.
    let (x, y) = (MARGIN + AXIS_TITLE_SIZE, (f.top + f.bottom) / 2.0);
    w!(
        out,
        r#"<text transform="translate({} {}) rotate(-90)" text-anchor="middle" font-family="{}" font-size="{}" fill="{MUTED}">{}</text>"#,
        num(x),
        num(y),
        fonts(&chart.y_axis_label),
        num(axis_title_size(&chart.y_axis_label, f.bottom - f.top)),
        escape_xml(&chart.y_axis_label),
    );
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Event days -1..=5 with a CAAR that moves `slope` per day after the event.
    fn series(label: &str, slope: f64, band: Option<f64>) -> LineSeries {
        let points: Vec<(f64, f64)> = (-1..=5)
            .map(|d| {
                let x = f64::from(d);
                (x, slope * x.max(0.0))
            })
            .collect();
        LineSeries {
            band: band.map(|half| {
                points
                    .iter()
                    .map(|&(x, y)| (x, y - half * (x + 1.0) / 6.0, y + half * (x + 1.0) / 6.0))
                    .collect()
            }),
            ..LineSeries::new(label, points.clone())
        }
    }

    fn chart() -> LineChart {
        let mut c = LineChart::new(
            "Gold around geopolitical events",
            "Trading days relative to the event",
            "Cumulative abnormal return, %",
            "Source: test; aurum",
        );
        c.series = vec![
            series("war-outbreak (N=24)", 0.42, Some(1.2)),
            series("nuclear (N=9)", 0.01, None),
            series("alliance (N=12)", -0.22, Some(0.6)),
        ];
        c
    }

    #[test]
    fn one_path_per_series_and_band() {
        let svg = render_line_svg(&chart()).unwrap();
        assert_eq!(svg.matches(r#"class="series""#).count(), 3);
        assert_eq!(svg.matches(r#"class="band""#).count(), 2);
        assert_eq!(svg.matches(r#"class="legend""#).count(), 1);
        // Seven markers per series.
        assert_eq!(svg.matches("<circle").count(), 3 * 7 + 3);
        // Bands lie under every line.
        assert!(svg.rfind(r#"class="band""#) < svg.find(r#"class="series""#));
        // Okabe–Ito colours, in order.
        let strokes: Vec<&str> = svg
            .lines()
            .filter(|l| l.contains(r#"class="series""#))
            .map(|l| {
                l.split("stroke=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
            })
            .collect();
        assert_eq!(strokes, PALETTE[..3]);
        // An eighth series takes the first colour again.
        assert_eq!(series_color(7), PALETTE[0]);
    }

    #[test]
    fn y_range_includes_zero_and_the_bands() {
        // All values positive: zero is still on the axis, as a tick.
        let mut c = chart();
        c.series = vec![LineSeries::new("up", vec![(0.0, 3.0), (1.0, 5.0)])];
        let lines = super::lines(&c);
        let f = Frame::new(&c, &lines);
        assert!(f.y_lo < 0.0 && f.y_hi > 5.0);
        assert!(f.y_ticks.values.contains(&0.0));
        // Bands widen the range beyond the points, by about 8% of the span.
        let c = chart();
        let lines = super::lines(&c);
        let f = Frame::new(&c, &lines);
        let (top, low) = (0.42 * 5.0 + 1.2, -0.22 * 5.0 - 0.6);
        assert!(f.y_hi > top && f.y_lo < low, "{} {}", f.y_lo, f.y_hi);
        let pad = (top - low) * Y_PADDING;
        assert!((f.y_hi - top - pad).abs() < 1e-9 && (low - f.y_lo - pad).abs() < 1e-9);
        assert!(f.y(top) > f.top && f.y(low) < f.bottom);
        assert_eq!(
            f.x_text.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            ["\u{2212}1", "0", "1", "2", "3", "4", "5"],
            "integer ticks"
        );
        // The legend is inside the plot and clear of every line and band.
        let b = f.legend;
        assert!(b.x >= f.left && b.x + b.w <= f.right && b.y >= f.top && b.y + b.h <= f.bottom);
        assert_eq!(covered(&f, &lines, &b), 0);
    }

    #[test]
    fn legend_moves_to_a_free_corner() {
        // A line falling from top left to bottom right leaves the top right free.
        let mut c = chart();
        c.series = vec![LineSeries::new(
            "falling",
            (0..=10)
                .map(|i| (f64::from(i), 10.0 - f64::from(i)))
                .collect(),
        )];
        let lines = super::lines(&c);
        let f = Frame::new(&c, &lines);
        assert!(f.legend.x > (f.left + f.right) / 2.0, "{:?}", f.legend);
        assert!(f.legend.y < (f.top + f.bottom) / 2.0, "{:?}", f.legend);
    }

    #[test]
    fn legend_goes_right_of_a_crowded_plot() {
        let mut c = chart();
        (c.width, c.height) = (600, 340);
        c.subtitle = Some("With 95% confidence bands".to_owned());
        let lines = super::lines(&c);
        let f = Frame::new(&c, &lines);
        let b = f.legend;
        assert!(
            b.x > f.right && b.x + b.w <= f.width - MARGIN + 1e-9,
            "{b:?}"
        );
        assert!((b.y - f.top).abs() < 1e-9);
        // The plot kept the same left edge and gave up the legend's width.
        let inside = Frame::layout(&c, &lines, 0.0);
        assert!(place_legend(&inside, &lines).0 > 0);
        assert_eq!(f.left, inside.left);
        assert!(f.right < inside.right - b.w);
        // The y axis title is longer than the plot is high: it shrinks to fit.
        let size = axis_title_size(&c.y_axis_label, f.bottom - f.top);
        assert!((9.0..AXIS_TITLE_SIZE).contains(&size), "{size}");
        assert_eq!(axis_title_size("%", 100.0), AXIS_TITLE_SIZE);
    }

    #[test]
    fn zero_lines_are_optional() {
        let mut c = chart();
        let svg = render_line_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="zero""#).count(), 2);
        // No x = 0 line when the event day is outside the data.
        for s in &mut c.series {
            s.points.retain(|p| p.0 > 0.0);
            if let Some(b) = &mut s.band {
                b.retain(|r| r.0 > 0.0);
            }
        }
        assert_eq!(
            render_line_svg(&c)
                .unwrap()
                .matches(r#"class="zero""#)
                .count(),
            1
        );
        c.zero_line = false;
        assert!(!render_line_svg(&c).unwrap().contains(r#"class="zero""#));
    }

    #[test]
    fn unsorted_points_are_drawn_in_x_order() {
        let mut c = chart();
        c.series = vec![LineSeries {
            band: Some(vec![(1.0, 0.0, 2.0), (-1.0, -1.0, 1.0), (0.0, 3.0, 1.0)]),
            ..LineSeries::new("s", vec![(1.0, 1.0), (-1.0, 0.0), (0.0, 2.0)])
        }];
        let lines = super::lines(&c);
        assert_eq!(lines[0].points, [(-1.0, 0.0), (0.0, 2.0), (1.0, 1.0)]);
        let band = lines[0].band.as_ref().unwrap();
        assert_eq!(band[1], (0.0, 1.0, 3.0), "lower and upper are put in order");
        let svg = render_line_svg(&c).unwrap();
        let f = Frame::new(&c, &lines);
        let d = format!(r#"d="M{} {}L"#, num(f.x(-1.0)), num(f.y(0.0)));
        assert!(svg.contains(&d), "{svg}");
    }

    #[test]
    fn text_is_xml_escaped() {
        let mut c = chart();
        c.title = r#"Gold & "events" <study>"#.to_owned();
        c.subtitle = Some("it's".to_owned());
        c.x_axis_label = "days <rel>".to_owned();
        c.y_axis_label = "CAR & co".to_owned();
        c.source_line = "a<b".to_owned();
        c.series[0].label = "war & <peace>".to_owned();
        let svg = render_line_svg(&c).unwrap();
        assert!(svg.contains("Gold &amp; &quot;events&quot; &lt;study&gt;"));
        assert!(svg.contains("it&apos;s"));
        assert!(svg.contains("days &lt;rel&gt;"));
        assert!(svg.contains("CAR &amp; co"));
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains(">war &amp; &lt;peace&gt;</text>"));
        assert!(!svg.contains("<study>") && !svg.contains("<peace>"));
        crate::png::parse(&svg).unwrap();
    }

    #[test]
    fn output_is_deterministic_with_short_numbers() {
        let mut c = chart();
        c.x_ticks_integer = false;
        c.series[1].points[3].1 = 1.0 / 3.0;
        let svg = render_line_svg(&c).unwrap();
        assert_eq!(svg, render_line_svg(&c.clone()).unwrap());
        for attr in svg.split('"').skip(1).step_by(2) {
            for token in attr.split([' ', 'M', 'L', 'H', 'V', 'Z', '(', ')']) {
                if let Some((_, frac)) = token.split_once('.')
                    && token.parse::<f64>().is_ok()
                {
                    assert!(frac.len() <= 2, "{token} in {attr}");
                }
            }
        }
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn single_points_and_flat_zero_lines_still_get_ranges() {
        let mut c = chart();
        c.series = vec![LineSeries::new("one", vec![(0.0, 0.0)])];
        let svg = render_line_svg(&c).unwrap();
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert_eq!(svg.matches("<circle").count(), 2);
    }

    #[test]
    fn invalid_charts_are_errors() {
        let mut c = chart();
        c.series.clear();
        assert_eq!(render_line_svg(&c), Err(ChartError::EmptySeries));
        c = chart();
        c.series[1].points.clear();
        assert_eq!(
            render_line_svg(&c),
            Err(ChartError::EmptyPoints {
                series: 1,
                label: "nuclear (N=9)".to_owned()
            })
        );
        c = chart();
        c.series[2].points[4].1 = f64::NAN;
        assert!(matches!(
            render_line_svg(&c),
            Err(ChartError::NonFinitePoint {
                series: 2,
                index: 4,
                field: "y",
                ..
            })
        ));
        c = chart();
        c.series[0].band.as_mut().unwrap()[6].2 = f64::INFINITY;
        assert!(matches!(
            render_line_svg(&c),
            Err(ChartError::NonFinitePoint {
                series: 0,
                index: 6,
                field: "band upper",
                ..
            })
        ));
        // A band with a row missing, or at another x.
        c = chart();
        c.series[0].band.as_mut().unwrap().pop();
        assert!(matches!(
            render_line_svg(&c),
            Err(ChartError::BandMismatch {
                series: 0,
                index: 6,
                ..
            })
        ));
        c = chart();
        c.series[2].band.as_mut().unwrap()[2].0 = 1.5;
        assert!(matches!(
            render_line_svg(&c),
            Err(ChartError::BandMismatch {
                series: 2,
                index: 2,
                ..
            })
        ));
        c = chart();
        c.height = 8001;
        assert_eq!(
            render_line_svg(&c),
            Err(ChartError::InvalidSize {
                width: 1200,
                height: 8001
            })
        );
        c.width = 200;
        c.height = 200;
        assert!(render_line_svg(&c).is_ok());
    }

    #[test]
    fn japanese_labels_render_as_glyphs() {
        let mut c = chart();
        c.title = "地政学イベント前後の金価格".to_owned();
        c.x_axis_label = "イベントからの営業日".to_owned();
        c.y_axis_label = "累積異常リターン、%".to_owned();
        c.series[0].label = "戦争勃発 (N=24)".to_owned();
        let svg = render_line_svg(&c).unwrap();
        assert!(svg.contains(&format!(
            r#"font-family="{JAPANESE_FONTS}" font-size="{TITLE_SIZE}""#
        )));
        assert!(svg.contains(">戦争勃発 (N=24)</text>"));
        // English text keeps DejaVu Sans first.
        assert!(svg.contains(&format!(
            r#"font-family="{LATIN_FONTS}" font-size="{LEGEND_SIZE}" fill="{INK}">nuclear"#
        )));
        let png = crate::svg_to_png(&svg).unwrap();
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (1200, 675));
        // Tofu boxes look alike whatever the character; real glyphs do not.
        c.x_axis_label = "日業営のらかトンベイ".to_owned();
        let shuffled = crate::svg_to_png(&render_line_svg(&c).unwrap()).unwrap();
        assert_ne!(png, shuffled, "Japanese glyphs look like tofu");
        // And the title converts to paths with a real bounding box.
        let tree = crate::png::parse(&svg).unwrap();
        assert!(tree.root().abs_bounding_box().width() > 1000.0);
    }

    /// Weekdays from `from` to `to`, as points of a line rising from 0 to `end`.
    fn weekdays(from: Date, to: Date, end: f64) -> Vec<(f64, f64)> {
        let days: Vec<Date> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| d.weekday().number_from_monday() <= 5)
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let n = (days.len() - 1).max(1) as f64;
        days.iter()
            .enumerate()
            .map(|(i, &d)| {
                #[allow(clippy::cast_precision_loss)]
                let share = i as f64 / n;
                (date_x(d), end * share)
            })
            .collect()
    }

    fn dated(from: Date, to: Date, lang: Lang) -> LineChart {
        let mut c = LineChart::new("Over time", "", "Chance, %", "Source: test");
        c.x_dates = Some(lang);
        c.series = vec![LineSeries::new("a", weekdays(from, to, 80.0))];
        c
    }

    fn x_labels(f: &Frame) -> Vec<&str> {
        f.x_text.iter().map(|t| t.1.as_str()).collect()
    }

    #[test]
    fn date_axes_name_the_months_between_month_ends() {
        use aurum_core::date;
        let c = dated(date(2025, 2, 3), date(2025, 6, 30), Lang::Ja);
        let f = Frame::new(&c, &lines(&c));
        assert_eq!(x_labels(&f), ["2025年2月", "3月", "4月", "5月", "6月"]);
        let ends = [(2, 28), (3, 31), (4, 30), (5, 31), (6, 30)];
        let grid: Vec<f64> = ends.map(|(m, d)| date_x(date(2025, m, d))).to_vec();
        assert_eq!(f.x_grid, grid);
        // Each name sits between its month's gridlines.
        for (k, (x, _)) in f.x_text.iter().enumerate().skip(1) {
            assert!(grid[k - 1] < *x && *x < grid[k], "{x}");
        }
        let svg = render_line_svg(&c).unwrap();
        assert!(svg.contains(">2025年2月</text>") && svg.contains(">6月</text>"));
        assert!(!svg.contains("2025-"), "no ISO dates");
        // No axis title when it is empty.
        assert!(!svg.contains("></text>"), "no empty text");

        // A year turns: January carries its year.
        let c = dated(date(2025, 11, 3), date(2026, 2, 27), Lang::En);
        let f = Frame::new(&c, &lines(&c));
        assert_eq!(x_labels(&f), ["Nov 2025", "Dec", "Jan 2026", "Feb"]);
        // A first month too short to name leaves its year to the next name.
        let c = dated(date(2025, 2, 27), date(2025, 5, 30), Lang::Ja);
        let f = Frame::new(&c, &lines(&c));
        assert_eq!(x_labels(&f), ["2025年3月", "4月", "5月"]);
        assert_eq!(f.x_grid[0], date_x(date(2025, 2, 28)));
    }

    #[test]
    fn long_date_axes_name_years() {
        use aurum_core::date;
        let mut c = dated(date(2001, 1, 1), date(2024, 12, 31), Lang::Ja);
        (c.width, c.height) = (600, 340);
        let f = Frame::new(&c, &lines(&c));
        let labels = x_labels(&f);
        assert!(labels.len() >= 3, "{labels:?}");
        let years: Vec<i32> = labels
            .iter()
            .map(|l| l.strip_suffix('年').unwrap().parse().unwrap())
            .collect();
        let step = years[1] - years[0];
        assert!(step > 1, "{years:?}: too narrow for every year");
        assert!(years.iter().all(|y| y % step == 0), "{years:?}");
        // Gridlines at the ends of the groups, inside the data.
        assert!(f.x_grid.iter().all(|&x| x >= f.x_lo && x <= f.x_hi));
        let first_end = 2001_i32.div_euclid(step) * step + step - 1;
        assert_eq!(f.x_grid[0], date_x(date(first_end, 12, 31)));
        c.x_dates = Some(Lang::En);
        let f = Frame::new(&c, &lines(&c));
        assert!(x_labels(&f).iter().all(|l| l.len() == 4));
    }

    #[test]
    fn fixed_axes_keep_their_ticks_and_widen_for_outliers() {
        let mut c = chart();
        c.y_fixed = Some(FixedAxis {
            lo: 0.0,
            hi: 100.0,
            step: 20.0,
        });
        c.y_suffix = "%".to_owned();
        c.series = vec![LineSeries::new("p", vec![(0.0, 5.0), (1.0, 85.0)])];
        let f = Frame::new(&c, &lines(&c));
        assert_eq!((f.y_lo, f.y_hi), (0.0, 100.0));
        assert_eq!(f.y_labels, ["0%", "20%", "40%", "60%", "80%", "100%"]);
        let svg = render_line_svg(&c).unwrap();
        assert!(svg.contains(">100%</text>"));
        assert!(
            !svg.contains(r#"class="zero""#),
            "no zero line on a fixed axis"
        );
        // A value above the top widens the axis by whole steps.
        c.series[0].points[1].1 = 113.0;
        let f = Frame::new(&c, &lines(&c));
        assert_eq!((f.y_lo, f.y_hi), (0.0, 120.0));
        assert_eq!(f.y_labels.last().map(String::as_str), Some("120%"));
        for (lo, hi, step) in [
            (0.0, 0.0, 1.0),
            (1.0, 0.0, 1.0),
            (0.0, 1.0, 0.0),
            (0.0, 1.0, 0.001),
            (0.0, f64::NAN, 1.0),
        ] {
            c.y_fixed = Some(FixedAxis { lo, hi, step });
            assert!(
                matches!(render_line_svg(&c), Err(ChartError::InvalidAxis { .. })),
                "{lo} {hi} {step}"
            );
        }
    }

    #[test]
    fn end_labels_keep_apart_inside_the_chart() {
        use aurum_core::date;
        let mut c = dated(date(2025, 2, 19), date(2025, 6, 30), Lang::En);
        let ends = [85.0, 84.0, 82.5, 20.0, 99.9];
        c.series = ends
            .iter()
            .enumerate()
            .map(|(i, &end)| LineSeries {
                end_label: Some(format!("{end}%")),
                ..LineSeries::new(
                    format!("s{i}"),
                    weekdays(date(2025, 2, 19), date(2025, 6, 30), end),
                )
            })
            .collect();
        c.y_fixed = Some(FixedAxis {
            lo: 0.0,
            hi: 100.0,
            step: 20.0,
        });
        let lines = lines(&c);
        let f = Frame::new(&c, &lines);
        let spots = end_spots(&f, &lines);
        assert_eq!(spots.len(), 5);
        for (i, a) in spots.iter().enumerate() {
            let w = text_width(&format!("{}%", ends[a.series]), END_LABEL_SIZE, true);
            assert!(a.x > a.line_x && a.x + 2.0 + w <= f.width - MARGIN, "{a:?}");
            assert!(a.y >= f.top && a.y <= f.bottom, "{a:?}");
            for b in &spots[i + 1..] {
                assert!(
                    (a.y - b.y).abs() >= END_LABEL_SIZE + 3.0 - 1e-9,
                    "{a:?} {b:?}"
                );
            }
        }
        // The lone label stays at its line's end; crowded ones keep their order.
        assert_eq!(spots[3].y, spots[3].line_y);
        assert!(spots[4].y < spots[0].y && spots[0].y < spots[1].y && spots[1].y < spots[2].y);
        let svg = render_line_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="end-label""#).count(), 5);
        assert!(svg.contains(r#"class="end-leader""#));
        // The labels take room from the plot.
        let mut bare = c.clone();
        for s in &mut bare.series {
            s.end_label = None;
        }
        let plain = Frame::new(&bare, &super::lines(&bare));
        assert!(f.right < plain.right - 20.0);
        assert!(!render_line_svg(&bare).unwrap().contains("end-label"));
    }

    #[test]
    fn legend_entries_are_drawn_as_their_series() {
        let mut c = chart();
        c.series = vec![
            LineSeries {
                band: Some(vec![(0.0, 1.0, 3.0), (1.0, 2.0, 4.0)]),
                color: Some("#5d6470".to_owned()),
                ..LineSeries::new("median and 90% range", vec![(0.0, 2.0), (1.0, 3.0)])
            },
            LineSeries {
                band: Some(vec![(0.0, 1.5, 2.5), (1.0, 2.5, 3.5)]),
                color: Some("#5d6470".to_owned()),
                line: false,
                ..LineSeries::new("50% range", vec![(0.0, 2.0), (1.0, 3.0)])
            },
            LineSeries {
                dashed: true,
                ..LineSeries::new("target", vec![(0.0, 3.8), (1.0, 3.8)])
            },
        ];
        let svg = render_line_svg(&c).unwrap();
        let entries: Vec<&str> = svg
            .lines()
            .filter(|l| l.starts_with(r#"<g class="legend-entry">"#))
            .collect();
        assert_eq!(entries.len(), 3);
        // A line with markers over a band; a band alone; a dashed line without markers.
        assert!(entries[0].contains("<rect") && entries[0].contains("<line"));
        assert!(entries[0].contains("<circle") && entries[0].contains("#5d6470"));
        assert!(entries[1].contains("<rect") && !entries[1].contains("<line"));
        assert!(entries[2].contains(r#"stroke-dasharray="6 4""#));
        assert!(!entries[2].contains("<circle") && !entries[2].contains("<rect"));
        // The series drawn match: two lines (the band-only one has none), two bands.
        assert_eq!(svg.matches(r#"class="series""#).count(), 2);
        assert_eq!(svg.matches(r#"class="band""#).count(), 2);
        assert_eq!(svg.matches(r#"class="markers""#).count(), 1);
        // The palette goes by position: the third series takes the third colour.
        assert!(entries[2].contains(series_color(2)));
        assert!(
            svg.lines()
                .any(|l| l.contains(r#"class="series""#) && l.contains(series_color(2)))
        );
    }

    /// The colour most pixels of the 7 px column centred on `(x, y)` have (so a gridline
    /// through it does not count).
    fn pixel(pixmap: &resvg::tiny_skia::Pixmap, x: f64, y: f64) -> [u8; 3] {
        let mut seen: Vec<([u8; 3], usize)> = Vec::new();
        for dy in -3..=3 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let p = pixmap
                .pixel(x.round() as u32, (y.round() as i64 + dy) as u32)
                .unwrap();
            let c = [p.red(), p.green(), p.blue()];
            match seen.iter_mut().find(|(s, _)| *s == c) {
                Some((_, n)) => *n += 1,
                None => seen.push((c, 1)),
            }
        }
        seen.into_iter().max_by_key(|(_, n)| *n).unwrap().0
    }

    #[test]
    fn band_swatches_have_the_colours_the_bands_are_seen_in() {
        // A fan: the 50% band is drawn over the 90% band, so it is seen darker; its swatch
        // must be the same, and the 90% swatch the colour of the 90% band alone.
        let mut c = chart();
        c.series = vec![
            LineSeries {
                band: Some(vec![(0.0, 0.0, 8.0), (10.0, -10.0, 18.0)]),
                color: Some("#5d6470".to_owned()),
                ..LineSeries::new("median and 90% range", vec![(0.0, 4.0), (10.0, 4.0)])
            },
            LineSeries {
                band: Some(vec![(0.0, 2.0, 6.0), (10.0, -2.0, 10.0)]),
                color: Some("#5d6470".to_owned()),
                line: false,
                ..LineSeries::new("50% range", vec![(0.0, 4.0), (10.0, 4.0)])
            },
            LineSeries::new("other band", vec![(0.0, 30.0), (10.0, 31.0)]),
        ];
        c.series[2].band = Some(vec![(0.0, 29.0, 31.0), (10.0, 30.0, 32.0)]);
        let svg = render_line_svg(&c).unwrap();
        let png = crate::svg_to_png(&svg).unwrap();
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        let lines = lines(&c);
        let f = Frame::new(&c, &lines);
        let swatch = |row: usize| {
            #[allow(clippy::cast_precision_loss)]
            let mid = f.legend.y + LEGEND_PAD - 2.0 + LEGEND_ROW * (row as f64 + 0.5);
            // Left of the line drawn over the first swatch.
            pixel(&pixmap, f.legend.x + LEGEND_PAD + 3.0, mid + 3.5)
        };
        let at = |x: f64, y: f64| pixel(&pixmap, f.x(x), f.y(y));
        // Inside the 90% band only, inside the 50% band (off the median), inside the band
        // that holds no other; between gridlines.
        let (outer, inner, other) = (at(8.5, 14.0), at(8.5, 6.5), at(4.5, 30.6));
        assert_ne!(outer, inner);
        assert_eq!(swatch(0), outer);
        assert_eq!(swatch(1), inner);
        assert_eq!(swatch(2), other);
    }

    #[test]
    fn zoom_enlarges_the_image_not_the_layout() {
        let mut c = chart();
        (c.width, c.height, c.zoom) = (800, 450, 1.5);
        let svg = render_line_svg(&c).unwrap();
        assert!(svg.starts_with(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 800 450""#
        ));
        let png = crate::svg_to_png(&svg).unwrap();
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (1200, 675));
        // The layout is the same as an unzoomed 800×450 chart's.
        c.zoom = 1.0;
        let plain = render_line_svg(&c).unwrap();
        assert_eq!(
            svg.split_once('\n').unwrap().1,
            plain.split_once('\n').unwrap().1
        );
        for zoom in [0.2, 8.5, f64::NAN] {
            c.zoom = zoom;
            assert!(matches!(
                render_line_svg(&c),
                Err(ChartError::InvalidZoom { .. })
            ));
        }
        // The zoomed image must fit the size limits too.
        (c.width, c.height, c.zoom) = (6000, 3000, 2.0);
        assert_eq!(
            render_line_svg(&c),
            Err(ChartError::InvalidSize {
                width: 6000,
                height: 3000
            })
        );
    }
}
