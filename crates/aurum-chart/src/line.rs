//! Line charts of event-study results, as an SVG document written by hand.

use std::fmt::Write as _;

use aurum_core::Lang;
use aurum_core::text::escape_xml;

use crate::format::{num, text_width};
use crate::scale::{PriceTicks, integer_ticks, price_ticks};
use crate::svg::{
    AXIS, AXIS_TITLE_SIZE, FAINT, GRID, INK, JAPANESE_FONTS, LATIN_FONTS, MARGIN, MUTED,
    SOURCE_SIZE, SUBTITLE_SIZE, TICK_SIZE, TITLE_SIZE, bold, crisp, quietest_corner,
};
use crate::{ChartError, LineChart, LineSeries, MAX_SIZE, MIN_SIZE};

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
/// Padding above and below the values, as a share of their range.
const Y_PADDING: f64 = 0.08;

/// Draws `chart` as a standalone SVG document.
///
/// The same chart always gives the same string. Coordinates carry at most two decimals;
/// every text is XML-escaped, and text with Japanese in it is set in IPAexGothic. Each
/// series is one `<path class="series">` with its markers in one `<g class="markers">`;
/// each band one `<path class="band">`; the legend one `<g class="legend">`. The value
/// axis is on the left and includes zero unless [`LineChart::include_zero`] is off. The legend goes in a corner of the plot
/// where it covers no line or band (top left when several are free), else right of the plot.
///
/// # Errors
///
/// [`ChartError::EmptySeries`] without series, [`ChartError::EmptyPoints`] for a series
/// without points, [`ChartError::NonFinitePoint`] for NaN or infinite values,
/// [`ChartError::BandMismatch`] for a band whose rows are not one per point at the points'
/// `x`, and [`ChartError::InvalidSize`] when the width or height is outside 200–8000 pixels.
pub fn render_line_svg(chart: &LineChart) -> Result<String, ChartError> {
    validate(chart)?;
    let lines: Vec<Line> = chart.series.iter().map(Line::new).collect();
    let frame = Frame::new(chart, &lines);
    let mut out =
        String::with_capacity(4096 + 120 * lines.iter().map(|l| l.points.len()).sum::<usize>());
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{LATIN_FONTS}">"#,
        w = chart.width,
        h = chart.height,
    );
    out.push('\n');
    w!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    out.push('\n');
    grid_and_axes(&mut out, &frame, chart.zero_line);
    for (i, line) in lines.iter().enumerate() {
        if let Some(band) = &line.band {
            band_area(&mut out, &frame, band, color(i));
        }
    }
    for (i, line) in lines.iter().enumerate() {
        series(&mut out, &frame, line, color(i));
    }
    legend(&mut out, &frame, &lines);
    texts(&mut out, chart, &frame);
    out.push_str("</svg>\n");
    Ok(out)
}

/// The colour of series `i`.
fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

fn validate(chart: &LineChart) -> Result<(), ChartError> {
    let (width, height) = (chart.width, chart.height);
    if !(MIN_SIZE..=MAX_SIZE).contains(&width) || !(MIN_SIZE..=MAX_SIZE).contains(&height) {
        return Err(ChartError::InvalidSize { width, height });
    }
    if chart.series.is_empty() {
        return Err(ChartError::EmptySeries);
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
}

impl<'a> Line<'a> {
    fn new(series: &'a LineSeries) -> Self {
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
        }
    }
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
    x_ticks: PriceTicks,
    x_labels: Vec<String>,
    y_ticks: PriceTicks,
    y_labels: Vec<String>,
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
                x: frame.right + LEGEND_INSET,
                y: frame.top,
                ..legend
            };
        }
        frame
    }

    /// The layout with `beside` pixels kept free right of the plot, legend not yet placed.
    fn layout(chart: &LineChart, lines: &[Line], beside: f64) -> Self {
        let (y_lo, y_hi) = y_range(lines, chart.include_zero);
        let y_ticks = price_ticks(y_lo, y_hi);
        let y_labels = minus_signs(y_ticks.labels());
        let label_w = y_labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE, false))
            .fold(0.0, f64::max);
        let width = f64::from(chart.width);
        let height = f64::from(chart.height);
        // Axis title (rotated, with room for descenders), a gap, then the tick labels
        // right-aligned 8 px left of the axis.
        let left = MARGIN + AXIS_TITLE_SIZE + 4.0 + 10.0 + label_w + 8.0;
        let right = (width - MARGIN - beside).max(left + 40.0);
        let top = if chart.subtitle.is_some() { 84.0 } else { 62.0 };
        let bottom = (height - 80.0).max(top + 40.0);
        let (x_lo, x_hi) = x_range(lines);
        let px_per_unit = (right - left - 2.0 * X_INSET).max(1.0) / (x_hi - x_lo);
        let x_ticks = if chart.x_ticks_integer {
            integer_ticks(x_lo, x_hi, px_per_unit, TICK_SIZE)
        } else {
            price_ticks(x_lo, x_hi)
        };
        let x_labels = if chart.x_plain {
            minus_signs(
                x_ticks
                    .labels()
                    .into_iter()
                    .map(|l| l.replace(',', ""))
                    .collect(),
            )
        } else {
            minus_signs(x_ticks.labels())
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
            x_ticks,
            x_labels,
            y_ticks,
            y_labels,
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
    for &v in &f.x_ticks.values {
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
    for &v in &f.x_ticks.values {
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

    let labels = f
        .x_ticks
        .values
        .iter()
        .zip(&f.x_labels)
        .map(|(&v, l)| (f.x(v), l.as_str()));
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

fn series(out: &mut String, f: &Frame, line: &Line, color: &str) {
    let mut d = String::with_capacity(24 * line.points.len());
    for (i, &(x, y)) in line.points.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        w!(d, "{cmd}{} {}", num(f.x(x)), num(f.y(y)));
    }
    w!(
        out,
        r#"<path class="series" d="{d}" fill="none" stroke="{color}" stroke-width="{LINE_WIDTH}" stroke-linejoin="round" stroke-linecap="round"/>"#
    );
    out.push('\n');
    // A marker per point only where points are few enough to be told apart.
    if line.points.len() > MAX_MARKERS {
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
        let color = color(i);
        #[allow(clippy::cast_precision_loss)]
        let mid = b.y + LEGEND_PAD - 2.0 + LEGEND_ROW * (i as f64 + 0.5);
        let (x0, x1) = (b.x + LEGEND_PAD, b.x + LEGEND_PAD + LEGEND_SWATCH);
        if line.band.is_some() {
            w!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="10" fill="{color}" fill-opacity="{BAND_OPACITY}"/>"#,
                num(x0),
                num(mid - 5.0),
                num(LEGEND_SWATCH),
            );
        }
        w!(
            out,
            r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{color}" stroke-width="{LINE_WIDTH}"/><circle cx="{}" cy="{y}" r="{MARKER_RADIUS}" fill="{color}" stroke="#ffffff" stroke-width="1"/>"##,
            num(x0),
            num(x1),
            num((x0 + x1) / 2.0),
            y = num(mid),
        );
        w!(
            out,
            r#"<text x="{}" y="{}" font-family="{}" font-size="{LEGEND_SIZE}" fill="{INK}">{}</text>"#,
            num(x1 + 8.0),
            num(mid + LEGEND_SIZE * 0.36),
            fonts(line.label),
            escape_xml(line.label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");
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
    let lang = if is_japanese(&chart.title) {
        Lang::Ja
    } else {
        Lang::En
    };
    w!(
        out,
        r#"<text x="{}" y="36" font-family="{}" font-size="{TITLE_SIZE}" fill="{INK}" {}>{}</text>"#,
        num(MARGIN),
        fonts(&chart.title),
        bold(lang, INK, TITLE_SIZE),
        escape_xml(&chart.title),
    );
    out.push('\n');
    if let Some(subtitle) = &chart.subtitle {
        w!(
            out,
            r#"<text x="{}" y="60" font-family="{}" font-size="{SUBTITLE_SIZE}" fill="{MUTED}">{}</text>"#,
            num(MARGIN),
            fonts(subtitle),
            escape_xml(subtitle),
        );
        out.push('\n');
    }
    w!(
        out,
        r#"<text x="{}" y="{}" font-family="{}" font-size="{SOURCE_SIZE}" fill="{FAINT}">{}</text>"#,
        num(MARGIN),
        num(f.height - 14.0),
        fonts(&chart.source_line),
        escape_xml(&chart.source_line),
    );
    out.push('\n');
    // x axis title centred under the plot, below the tick labels.
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
            label: label.to_owned(),
            band: band.map(|half| {
                points
                    .iter()
                    .map(|&(x, y)| (x, y - half * (x + 1.0) / 6.0, y + half * (x + 1.0) / 6.0))
                    .collect()
            }),
            points,
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
        assert_eq!(color(7), PALETTE[0]);
    }

    #[test]
    fn y_range_includes_zero_and_the_bands() {
        // All values positive: zero is still on the axis, as a tick.
        let mut c = chart();
        c.series = vec![LineSeries::new("up", vec![(0.0, 3.0), (1.0, 5.0)])];
        let lines: Vec<Line> = c.series.iter().map(Line::new).collect();
        let f = Frame::new(&c, &lines);
        assert!(f.y_lo < 0.0 && f.y_hi > 5.0);
        assert!(f.y_ticks.values.contains(&0.0));
        // Bands widen the range beyond the points, by about 8% of the span.
        let c = chart();
        let lines: Vec<Line> = c.series.iter().map(Line::new).collect();
        let f = Frame::new(&c, &lines);
        let (top, low) = (0.42 * 5.0 + 1.2, -0.22 * 5.0 - 0.6);
        assert!(f.y_hi > top && f.y_lo < low, "{} {}", f.y_lo, f.y_hi);
        let pad = (top - low) * Y_PADDING;
        assert!((f.y_hi - top - pad).abs() < 1e-9 && (low - f.y_lo - pad).abs() < 1e-9);
        assert!(f.y(top) > f.top && f.y(low) < f.bottom);
        assert_eq!(
            f.x_labels,
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
        let lines: Vec<Line> = c.series.iter().map(Line::new).collect();
        let f = Frame::new(&c, &lines);
        assert!(f.legend.x > (f.left + f.right) / 2.0, "{:?}", f.legend);
        assert!(f.legend.y < (f.top + f.bottom) / 2.0, "{:?}", f.legend);
    }

    #[test]
    fn legend_goes_right_of_a_crowded_plot() {
        let mut c = chart();
        (c.width, c.height) = (600, 340);
        c.subtitle = Some("With 95% confidence bands".to_owned());
        let lines: Vec<Line> = c.series.iter().map(Line::new).collect();
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
            label: "s".to_owned(),
            points: vec![(1.0, 1.0), (-1.0, 0.0), (0.0, 2.0)],
            band: Some(vec![(1.0, 0.0, 2.0), (-1.0, -1.0, 1.0), (0.0, 3.0, 1.0)]),
        }];
        let lines: Vec<Line> = c.series.iter().map(Line::new).collect();
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
}
