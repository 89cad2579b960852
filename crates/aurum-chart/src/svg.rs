//! The chart as an SVG document, written by hand.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use aurum_core::text::escape_xml;
use aurum_core::{Date, Lang, PeriodBar};
use chrono::Datelike;

use crate::format::{fit_measured, fit_text, measured, num, text_width};
use crate::scale::{DateTick, PriceTicks, date_ticks, price_ticks};
use crate::{CandleChart, ChartError, EventGroup, Fan, FanPoint, MAX_SIZE, MIN_SIZE};

/// Latin text: DejaVu Sans, with IPAexGothic for any Japanese in it.
pub(crate) const LATIN_FONTS: &str = "'DejaVu Sans', IPAexGothic, sans-serif";
/// Japanese text: IPAexGothic first.
pub(crate) const JAPANESE_FONTS: &str = "IPAexGothic, 'DejaVu Sans', sans-serif";

const UP: &str = "#26a69a";
const DOWN: &str = "#ef5350";
/// Rising candles for colour-blind readers (Okabe–Ito blue), drawn hollow.
const UP_SAFE: &str = "#0072b2";
/// Falling candles for colour-blind readers (Okabe–Ito orange), drawn filled: lighter than
/// the blue in greyscale too.
const DOWN_SAFE: &str = "#e69f00";
pub(crate) const INK: &str = "#131722";
pub(crate) const MUTED: &str = "#5d6470";
pub(crate) const FAINT: &str = "#8c929c";
pub(crate) const GRID: &str = "#ececec";
pub(crate) const AXIS: &str = "#b9bec6";
const TARGET_LINE: &str = "#e3a008";
const TARGET_TEXT: &str = "#9a6700";
/// Event markers and their guide lines.
const MARKER_FILL: &str = "#2b3245";
/// The fan's bands.
const FAN_FILL: &str = "#2f6db5";
/// The fan's median line.
const FAN_LINE: &str = "#1c4f8f";
/// Opacity of the fan's 5–95% band.
const FAN_OUTER_OPACITY: f64 = 0.14;
/// Opacity of the fan's 25–75% band, drawn over the outer one.
const FAN_INNER_OPACITY: f64 = 0.2;

pub(crate) const TITLE_SIZE: f64 = 22.0;
pub(crate) const SUBTITLE_SIZE: f64 = 14.0;
pub(crate) const TICK_SIZE: f64 = 12.0;
pub(crate) const AXIS_TITLE_SIZE: f64 = 13.0;
pub(crate) const SOURCE_SIZE: f64 = 12.0;
const LABEL_SIZE: f64 = 12.0;
/// The smallest text drawn: every font size is this or more, so that, with the layout
/// scaled to [`CandleChart::read_width`], it reads as 10 px or more.
const SMALLEST_TEXT: f64 = 12.0;
/// The height the smallest text must have at the narrowest width the chart is read at.
const READ_TEXT_PX: f64 = 10.0;

/// Space left and right of everything, in pixels.
pub(crate) const MARGIN: f64 = 20.0;
/// Closest any tick label comes to the image's edge, in pixels.
pub(crate) const EDGE: f64 = 4.0;
/// Width of the outline of a hollow candle, in pixels.
const HOLLOW_LINE: f64 = 1.0;
/// Candle body width as a share of the space each bar gets.
const BODY_SHARE: f64 = 0.7;
/// Padding above and below the prices, as a share of their range.
const Y_PADDING: f64 = 0.05;

/// Radius of an event marker's circle, in pixels.
const MARKER_RADIUS: f64 = 9.0;
/// Font size of a marker's label.
const MARKER_LABEL_SIZE: f64 = 12.0;
/// Space between a bar's high and its lowest marker, in pixels.
const MARKER_LIFT: f64 = 9.0;
/// Space between markers stacked on one bar, in pixels.
const MARKER_STACK_GAP: f64 = 3.0;
/// Space kept free between the highest marker and the top of the plot, in pixels.
const MARKER_TOP_ROOM: f64 = 4.0;
/// The largest share of the plot's height the price axis gives up for markers' headroom.
const MARKER_MAX_SHARE: f64 = 0.5;
/// Space kept between the markers of two groups, in pixels.
const MARKER_GAP: f64 = 4.0;

/// Font size of the key of events.
const KEY_SIZE: f64 = 12.0;
/// Height of a row of the key, in pixels.
const KEY_ROW: f64 = 17.0;
/// Radius of a number's circle in the key.
const KEY_BADGE: f64 = 7.5;
/// Space between two columns of the key, in pixels.
const KEY_COLUMN_GAP: f64 = 16.0;
/// The narrowest column of the key, in pixels: fewer columns rather than narrower ones.
const KEY_MIN_COLUMN: f64 = 190.0;
/// The largest share of the chart's height the key takes.
const KEY_MAX_SHARE: f64 = 0.3;
/// The smallest share of the chart's height the plot keeps when the key is laid out.
const PLOT_MIN_SHARE: f64 = 0.35;
/// The largest share of the chart's height the title and subtitle take in full: beyond
/// it, each gets one line.
const HEADER_MAX_SHARE: f64 = 0.3;
/// Height below the plot taken by the date labels and the source line, in pixels.
const FOOT: f64 = 58.0;

/// Font size of the fan's legend.
const LEGEND_SIZE: f64 = 12.0;
/// Height of one legend row, in pixels.
const LEGEND_ROW: f64 = 19.0;
/// Length of the sample in front of each legend label, in pixels.
const LEGEND_SWATCH: f64 = 24.0;
/// Padding inside the legend box, in pixels.
const LEGEND_PAD: f64 = 9.0;
/// Distance between the legend box and the plot's edges, in pixels.
const LEGEND_INSET: f64 = 10.0;

/// Draws `chart` as a standalone SVG document.
///
/// The same chart always gives the same string. Coordinates carry at most two decimals;
/// every text is XML-escaped. Each candle is one `<g class="candle">` (a wick and a body),
/// each target one `<line class="target">`, each target label one `<g class="target-label">`
/// (targets whose lines are closer than a label's height share one), the
/// last-close marker one `<g class="last-close">`, each group of events one
/// `<g class="marker">`, and the key of events one `<g class="key">` under the date
/// labels. A title or subtitle too long for one line takes two (one each, cut short with
/// `…`, where two would take more than 30% of the height); the key takes at most 30% of
/// the height and leaves the plot 35% of it.
///
/// Text sizes and line widths follow [`CandleChart::read_width`]: the layout is the chart's
/// size divided by a scale that makes its 12 px text 10 px at that display width (at most
/// as far as keeps the layout 200 px a side), and the image is drawn at the chart's size.
/// Labels are placed by their widths as resvg lays them out in the embedded fonts, so that
/// no two texts overlap: a target's label goes above its line (the axis leaves room above
/// the highest), else below it, else across it, further right or in more rows, never over
/// another target's line or the last-close line nor with one between it and its own, and
/// clear of the latest candles and the fan; where no such spot is free, further out with a
/// leader to its line.
///
/// A fan is one `<g class="fan">` holding a dashed line at the last bar (`fan-as-of`), the
/// 5–95% band (`<path class="fan-outer">`), the 25–75% band (`<path class="fan-inner">`)
/// and the dashed median (`<path class="fan-median">`), under the candles, and a legend
/// (`<g class="fan-legend">`) over them. Its points take one candle-wide slot each after the last
/// bar, the date ticks run on under them, and the bands and median start at the last
/// close. The legend goes in the plot corner where it covers the fewest candles, fan,
/// markers, labels and horizontal lines (top left on a tie); it is left out where that
/// corner would still cover a label or a marker, or where the plot is too short for it.
///
/// The price axis covers the bars, the targets, the fan's 5th and 95th percentiles and
/// room for the markers above their bars.
///
/// # Errors
///
/// [`ChartError::EmptyBars`] without bars, [`ChartError::NonFiniteBar`] or
/// [`ChartError::NonFiniteTarget`] for NaN or infinite prices,
/// [`ChartError::EmptyFan`], [`ChartError::NonFiniteFan`], [`ChartError::FanDateOrder`] or
/// [`ChartError::FanQuantileOrder`] for a fan without points, with NaN or infinite
/// quantiles, with points not after the last bar in increasing date order or with
/// quantiles out of order, [`ChartError::InvalidSize`] when the width or height, of the
/// layout or of the zoomed image, is outside 200–8000 pixels, and
/// [`ChartError::InvalidZoom`] for a zoom outside 0.25–8.
pub fn render_svg(chart: &CandleChart) -> Result<String, ChartError> {
    validate(chart)?;
    Ok(draw(chart, &Frame::new(chart)))
}

/// [`render_svg`] and [`event_groups`] from one layout.
///
/// # Errors
///
/// Those of [`render_svg`].
pub fn render_svg_with_groups(
    chart: &CandleChart,
) -> Result<(String, Vec<EventGroup>), ChartError> {
    validate(chart)?;
    let frame = Frame::new(chart);
    Ok((draw(chart, &frame), groups(chart, &frame)))
}

/// The SVG document of `chart` laid out as `frame`.
fn draw(chart: &CandleChart, frame: &Frame) -> String {
    let mut out = String::with_capacity(4096 + 200 * chart.bars.len());
    let text_fonts = match chart.lang {
        Lang::Ja => JAPANESE_FONTS,
        _ => LATIN_FONTS,
    };
    open_view(
        &mut out,
        (frame.width, frame.height),
        (
            f64::from(chart.width) * chart.zoom,
            f64::from(chart.height) * chart.zoom,
        ),
        text_fonts,
    );
    w!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    out.push('\n');
    grid_and_axes(&mut out, frame);
    if let Some(fan) = &chart.fan {
        fan_group(&mut out, frame, chart, fan);
    }
    for (i, bar) in chart.bars.iter().enumerate() {
        candle(&mut out, frame, i, bar, chart.color_blind_safe);
    }
    for target in &chart.targets {
        target_line(&mut out, frame, frame.y(target.value));
    }
    // Over the candles and lines it may cover, so that they do not cross its text.
    if let (Some(fan), Some(legend)) = (&chart.fan, frame.legend) {
        fan_legend(&mut out, fan, legend);
    }
    if let (Some(fan), Some(mid)) = (&chart.fan, frame.legend_row) {
        fan_legend_row(&mut out, fan, frame.left, mid, chart.lang == Lang::Ja);
    }
    if let (Some(label), Some(last)) = (&chart.last_close_label, chart.bars.last()) {
        last_close(&mut out, frame, last, label, chart.color_blind_safe);
    }
    for spot in &frame.markers {
        marker(&mut out, spot);
    }
    for l in &frame.target_labels {
        target_label(&mut out, chart.lang, l);
    }
    key(&mut out, frame);
    texts(&mut out, chart, frame);
    out.push_str("</svg>\n");
    out
}

/// The groups of events [`render_svg`] draws, one marker each, in the order of their
/// numbers: which of the chart's markers each holds and where its marker is in the image.
/// Events off the chart are in none. A report can name the chart's numbers with it.
///
/// # Errors
///
/// Those of [`render_svg`].
pub fn event_groups(chart: &CandleChart) -> Result<Vec<EventGroup>, ChartError> {
    validate(chart)?;
    Ok(groups(chart, &Frame::new(chart)))
}

/// The groups of events of `chart` laid out as `frame`.
fn groups(chart: &CandleChart, frame: &Frame) -> Vec<EventGroup> {
    let scale = f64::from(chart.width) * chart.zoom / frame.width;
    frame
        .groups
        .iter()
        .zip(&frame.markers)
        .map(|(g, spot)| {
            let b = spot.bounds();
            EventGroup {
                number: g.number,
                markers: g.events.clone(),
                bounds: [b.x, b.y, b.x + b.w, b.y + b.h].map(|v| v * scale),
            }
        })
        .collect()
}

/// Where the targets' labels go, top line first: targets whose lines are closer than a
/// label's height share one label (see [`TargetLabel`]), placed by [`place_target_label`]
/// clear of the markers, of each other, of the latest candles and of the fan.
fn target_labels(chart: &CandleChart, frame: &Frame) -> Vec<TargetLabel> {
    let h = LABEL_SIZE + 6.0;
    let mut order: Vec<usize> = (0..chart.targets.len()).collect();
    order.sort_by(|&a, &b| chart.targets[b].value.total_cmp(&chart.targets[a].value));
    // Chains of lines each closer than a label's height to the next share a label.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let y = frame.y(chart.targets[i].value);
        match groups.last_mut() {
            Some(g) if y - frame.y(chart.targets[g[g.len() - 1]].value) < h => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    let mut placed: Vec<LabelBox> = frame.markers.iter().map(MarkerSpot::bounds).collect();
    placed.extend(latest_boxes(chart, frame));
    let lines: Vec<f64> = chart
        .targets
        .iter()
        .map(|t| t.value)
        .chain(frame.tag_price)
        .map(|v| frame.y(v))
        .collect();
    let mut labels = Vec::new();
    for members in groups {
        let japanese = chart.lang == Lang::Ja
            || members
                .iter()
                .any(|&i| is_japanese(&chart.targets[i].label));
        // The text names the levels from the lowest up.
        let texts: Vec<&str> = members
            .iter()
            .rev()
            .map(|&i| chart.targets[i].label.as_str())
            .collect();
        let parts = shared_label(&texts, japanese);
        let text = parts.join(label_separator(japanese));
        let ys: Vec<f64> = members
            .iter()
            .map(|&i| frame.y(chart.targets[i].value))
            .collect();
        let span = (ys[0], ys[ys.len() - 1]);
        let others: Vec<f64> = lines
            .iter()
            .copied()
            .filter(|&y| !ys.iter().any(|&m| (m - y).abs() < 1e-9))
            .collect();
        // One row where it fits, else two or three; where none fits clear of the other
        // lines, the first that fits clear of the labels and markers.
        let (rows, b, leader) = [others.as_slice(), &[]]
            .into_iter()
            .flat_map(|others| (1..=3).map(move |n| (others, n)))
            .find_map(|(others, n)| {
                let rows = label_rows(&parts, n, japanese);
                place_target_label(frame, &placed, span, others, &rows, japanese)
                    .map(|(b, leader)| (rows, b, leader))
            })
            .unwrap_or_else(|| {
                let rows = vec![text.clone()];
                let (b, leader) = fallback_spot(frame, span, &rows, japanese);
                (rows, b, leader)
            });
        placed.push(b);
        labels.push(TargetLabel {
            members,
            text,
            rows,
            b,
            leader,
        });
    }
    labels
}

/// The parts of a label shared by targets labelled `texts` (lowest level first), to be
/// joined by [`label_separator`]: one name where they begin with the same word
/// (`Targets 3,200 · 3,220 (+10%)`, `目標 3,200ドル・3,220ドル（+10%）`), else the labels
/// side by side.
fn shared_label(texts: &[&str], japanese: bool) -> Vec<String> {
    if texts.len() == 1 {
        return vec![texts[0].to_owned()];
    }
    let split: Vec<Option<(&str, &str)>> = texts.iter().map(|t| t.split_once(' ')).collect();
    let head = split[0].map(|(h, _)| h);
    if head.is_some() && split.iter().all(|s| s.map(|(h, _)| h) == head) {
        let head = head.unwrap_or_default();
        let plural = if !japanese && head.is_ascii() && !head.ends_with('s') {
            "s"
        } else {
            ""
        };
        let mut parts: Vec<String> = split.iter().flatten().map(|&(_, r)| r.to_owned()).collect();
        parts[0] = format!("{head}{plural} {}", parts[0]);
        return parts;
    }
    texts.iter().map(|&t| t.to_owned()).collect()
}

/// What joins the parts of a shared label.
fn label_separator(japanese: bool) -> &'static str {
    if japanese { "・" } else { " · " }
}

/// The rows of a label of `parts` in `n` rows (fewer where there are fewer parts), split
/// where the widest row is narrowest; each row but the last ends with the separator.
fn label_rows(parts: &[String], n: usize, japanese: bool) -> Vec<String> {
    let sep = label_separator(japanese);
    let n = n.clamp(1, parts.len().max(1));
    let width = |r: &[String]| measured(&r.join(sep), LABEL_SIZE, true, japanese);
    // Each row takes parts until it is as wide as an n-th of the whole.
    let total = width(parts);
    let mut rows: Vec<Vec<String>> = vec![Vec::new()];
    for (i, p) in parts.iter().enumerate() {
        let last = rows.len() - 1;
        let left = parts.len() - i;
        let open = rows.len() < n && !rows[last].is_empty();
        #[allow(clippy::cast_precision_loss)]
        let full = width(&rows[last]) >= total / n as f64 || left < n - last;
        if open && (full || left <= n - rows.len()) {
            rows.push(Vec::new());
        }
        let last = rows.len() - 1;
        rows[last].push(p.clone());
    }
    let count = rows.len();
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let row = r.join(sep);
            if i + 1 < count {
                format!("{row}{}", sep.trim_end())
            } else {
                row
            }
        })
        .collect()
}

/// How many of the last candles (the weeks just before the as-of date) labels keep clear of.
const LATEST_CANDLES: usize = 4;

/// Boxes target labels must not cover: the latest candles and the fan.
fn latest_boxes(chart: &CandleChart, f: &Frame) -> Vec<LabelBox> {
    let n = chart.bars.len();
    let mut out: Vec<LabelBox> = chart
        .bars
        .iter()
        .enumerate()
        .skip(n.saturating_sub(LATEST_CANDLES))
        .map(|(i, bar)| {
            let top = f.y(bar_top(bar));
            let low = f.y(bar.low.min(bar.open).min(bar.close));
            LabelBox {
                x: f.x(i) - f.slot / 2.0,
                y: top - 1.0,
                w: f.slot,
                h: low - top + 2.0,
            }
        })
        .collect();
    if let Some(fan) = &chart.fan {
        let hi = fan.points.iter().map(|p| p.p95).fold(f64::MIN, f64::max);
        let lo = fan.points.iter().map(|p| p.p5).fold(f64::MAX, f64::min);
        let last = chart.bars.last().map_or(lo, |b| b.close);
        let (top, bottom) = (f.y(hi.max(last)), f.y(lo.min(last)));
        let x0 = f.x(n.saturating_sub(1));
        out.push(LabelBox {
            x: x0,
            y: top,
            w: f.x(n + fan.points.len() - 1) + f.slot / 2.0 - x0,
            h: bottom - top,
        });
    }
    out
}

/// Gap between a label's box and the line it sits beside, in pixels.
const LABEL_GAP: f64 = 1.0;

/// How many times larger than its layout a chart is drawn so that its smallest text
/// (12 px in the layout) reads as 10 px at [`CandleChart::read_width`]; 1 for charts narrow
/// enough already, and never so large that the layout is less than 200 px a side.
fn layout_scale(chart: &CandleChart) -> f64 {
    if chart.read_width == 0 {
        return 1.0;
    }
    let (w, h) = (f64::from(chart.width), f64::from(chart.height));
    let wanted = w * READ_TEXT_PX / (f64::from(chart.read_width) * SMALLEST_TEXT);
    let most = (w.min(h) / f64::from(MIN_SIZE)).max(1.0);
    wanted.clamp(1.0, most)
}

/// The opening `<svg>` tag of a layout `view` (width, height) drawn as an `image` pixels
/// (width, height) image, with `fonts` as its font family.
fn open_view(out: &mut String, view: (f64, f64), image: (f64, f64), fonts: &str) {
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" font-family="{fonts}">"#,
        num(image.0.round()),
        num(image.1.round()),
        num(view.0),
        num(view.1),
    );
    out.push('\n');
}

/// The opening `<svg>` tag of a `width`×`height` layout drawn `zoom` times as large, with
/// `fonts` as its font family.
pub(crate) fn open_svg(out: &mut String, width: u32, height: u32, zoom: f64, fonts: &str) {
    let (w, h) = (f64::from(width), f64::from(height));
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {width} {height}" font-family="{fonts}">"#,
        num((w * zoom).round()),
        num((h * zoom).round()),
    );
    out.push('\n');
}

/// Checks a layout's size and zoom: both sides of the layout and of the image 200 to 8000
/// pixels, the zoom 0.25 to 8.
pub(crate) fn check_size(width: u32, height: u32, zoom: f64) -> Result<(), ChartError> {
    if !(0.25..=8.0).contains(&zoom) {
        return Err(ChartError::InvalidZoom { zoom });
    }
    let sizes = [f64::from(width), f64::from(height)];
    let fits = |v: f64| (f64::from(MIN_SIZE)..=f64::from(MAX_SIZE)).contains(&v);
    if !sizes.iter().all(|&v| fits(v) && fits((v * zoom).round())) {
        return Err(ChartError::InvalidSize { width, height });
    }
    Ok(())
}

fn validate(chart: &CandleChart) -> Result<(), ChartError> {
    check_size(chart.width, chart.height, chart.zoom)?;
    if chart.bars.is_empty() {
        return Err(ChartError::EmptyBars);
    }
    for (index, bar) in chart.bars.iter().enumerate() {
        let fields = [
            ("open", bar.open),
            ("high", bar.high),
            ("low", bar.low),
            ("close", bar.close),
        ];
        if let Some(&(field, value)) = fields.iter().find(|(_, v)| !v.is_finite()) {
            return Err(ChartError::NonFiniteBar {
                index,
                date: bar.period_end,
                field,
                value,
            });
        }
    }
    if let Some(t) = chart.targets.iter().find(|t| !t.value.is_finite()) {
        return Err(ChartError::NonFiniteTarget {
            label: t.label.clone(),
            value: t.value,
        });
    }
    if let (Some(fan), Some(last)) = (&chart.fan, chart.bars.last()) {
        validate_fan(fan, last.period_end)?;
    }
    Ok(())
}

/// A fan needs points dated after `last_bar` in increasing order, with finite quantiles in
/// increasing order.
fn validate_fan(fan: &Fan, last_bar: Date) -> Result<(), ChartError> {
    if fan.points.is_empty() {
        return Err(ChartError::EmptyFan);
    }
    let mut after = last_bar;
    for (index, p) in fan.points.iter().enumerate() {
        let date = p.period_end;
        let fields = [
            ("p5", p.p5),
            ("p25", p.p25),
            ("p50", p.p50),
            ("p75", p.p75),
            ("p95", p.p95),
        ];
        if let Some(&(field, value)) = fields.iter().find(|(_, v)| !v.is_finite()) {
            return Err(ChartError::NonFiniteFan {
                index,
                date,
                field,
                value,
            });
        }
        if date <= after {
            return Err(ChartError::FanDateOrder { index, date, after });
        }
        if fields.windows(2).any(|w| w[0].1 > w[1].1) {
            return Err(ChartError::FanQuantileOrder {
                index,
                date,
                quantiles: fields.map(|(_, v)| v),
            });
        }
        after = date;
    }
    Ok(())
}

/// Where everything goes: the plot box, the scales and the ticks.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// Price range of the plot, bottom to top.
    y_lo: f64,
    y_hi: f64,
    /// Horizontal space per bar (and per fan point).
    slot: f64,
    /// Number of bars; the fan's points take the slots after them.
    bar_count: usize,
    price_ticks: PriceTicks,
    price_labels: Vec<String>,
    date_ticks: Vec<DateTick>,
    /// Price of the last-close tag, when there is one (tick labels make way for it).
    tag_price: Option<f64>,
    /// The event markers that are drawn, where they go.
    markers: Vec<MarkerSpot>,
    /// Where the fan's legend goes, when there is a fan and it goes in the plot.
    legend: Option<LabelBox>,
    /// The baseline's middle of the fan's legend as one row above the plot, when it goes
    /// there (no corner of the plot is free for it).
    legend_row: Option<f64>,
    /// The key of the markers' numbers to their events, under the plot.
    key: Key,
    /// The title and subtitle, above the plot.
    header: Header,
    /// The targets' labels, top line first.
    target_labels: Vec<TargetLabel>,
    /// The groups of events, one marker each (in the order of [`Frame::markers`]).
    groups: Vec<Group>,
}

impl Frame {
    /// The layout, with the markers placed and the price axis raised until they fit in the
    /// plot, the key laid out under it and the fan's legend placed. Everything is in the
    /// layout's pixels: the chart's size over [`layout_scale`].
    fn new(chart: &CandleChart) -> Self {
        let inside = Self::build(chart, false);
        let Some(fan) = &chart.fan else {
            return inside;
        };
        let covers = inside
            .legend
            .is_none_or(|b| legend_hits(&inside, chart, fan, &b) > 0);
        // Only where the plot keeps the height to read its price ticks.
        let tall = inside.bottom - inside.top - (LEGEND_ROW + 2.0) >= ROW_PLOT_MIN;
        if covers && tall && legend_row_width(chart, fan) <= inside.width - 2.0 * MARGIN {
            Self::build(chart, true)
        } else {
            inside
        }
    }

    /// [`Frame::new`] with the fan's legend in the plot, or in a row above it when `row`.
    fn build(chart: &CandleChart, row: bool) -> Self {
        let scale = layout_scale(chart);
        let size = (
            f64::from(chart.width) / scale,
            f64::from(chart.height) / scale,
        );
        let attached = attach_markers(chart);
        // Groups need the bars' spacing, which the headroom above them does not change.
        let slot = Self::layout(chart, size, &BTreeMap::new(), 0.0, row).slot;
        let groups = group_markers(&attached, slot);
        let key = Key::new(chart, &groups, size, Header::new(chart, size).bottom);
        // First guess: each marker straight above the highest bar of its group.
        let mut room: BTreeMap<usize, f64> = BTreeMap::new();
        for g in &groups {
            let highest = g
                .bars
                .iter()
                .copied()
                .max_by(|&a, &b| bar_top(&chart.bars[a]).total_cmp(&bar_top(&chart.bars[b])))
                .unwrap_or(0);
            room.insert(highest, MARKER_LIFT + 2.0 * MARKER_RADIUS + MARKER_TOP_ROOM);
        }
        let mut frame = Self::layout(chart, size, &room, key.height, row);
        // Markers over higher neighbours need more room; raising the axis squeezes the bars
        // together, so check again (a few rounds settle it).
        for _ in 0..4 {
            let spots = place_markers(&frame, chart, &groups);
            let mut grown = false;
            for spot in &spots {
                let need = frame.y(bar_top(&chart.bars[spot.bar])) - (spot.cy - MARKER_RADIUS)
                    + MARKER_TOP_ROOM;
                let have = room.entry(spot.bar).or_insert(0.0);
                if need > *have + 0.5 {
                    *have = need;
                    grown = true;
                }
            }
            if !grown {
                break;
            }
            frame = Self::layout(chart, size, &room, key.height, row);
        }
        let mut markers = place_markers(&frame, chart, &groups);
        fit_markers(&frame, &mut markers);
        frame.markers = markers;
        frame.key = key;
        frame.groups = groups;
        frame.target_labels = target_labels(chart, &frame);
        // The legend where it covers least; none where it would cover a label or a marker,
        // or does not fit the plot.
        let taken: Vec<LabelBox> = frame
            .markers
            .iter()
            .map(MarkerSpot::bounds)
            .chain(frame.target_labels.iter().map(|l| l.b))
            .collect();
        frame.legend = chart
            .fan
            .as_ref()
            .filter(|_| !row)
            .map(|fan| place_legend(&frame, chart, fan))
            .filter(|b| {
                b.h + 2.0 * LEGEND_INSET <= frame.bottom - frame.top
                    && !taken.iter().any(|o| o.overlaps(b))
            });
        frame
    }

    /// The plot box, scales and ticks of a layout `size` pixels (width, height), with
    /// `room` pixels kept free above the bars it names and `key_h` pixels under the date
    /// labels for the key, and a row for the fan's legend above the plot when `row`; no
    /// markers or legend yet.
    fn layout(
        chart: &CandleChart,
        (width, height): (f64, f64),
        room: &BTreeMap<usize, f64>,
        key_h: f64,
        row: bool,
    ) -> Self {
        let header = Header::new(chart, (width, height));
        let legend_row = row.then_some(header.bottom + LEGEND_ROW / 2.0 - 6.0);
        let top = header.bottom + if row { LEGEND_ROW + 2.0 } else { 0.0 };
        // The key's rows end where the source line's ascent begins.
        let bottom = (height - FOOT - key_h).max(top + 20.0);
        let (lo, hi) = price_range(chart, room, bottom - top);
        let price_ticks = price_ticks(lo, hi);
        let price_labels = price_ticks.labels();
        let label_w = price_labels
            .iter()
            .map(|l| measured(l, TICK_SIZE, false, false))
            .fold(0.0, f64::max);
        let tag_w = chart.last_close_label.as_deref().map_or(0.0, tag_width);
        // Tick labels start 8 px right of the axis; the tag starts at the axis.
        let gutter = (label_w + 8.0).max(tag_w) + 12.0 + AXIS_TITLE_SIZE + 12.0;
        let left = MARGIN;
        let right = (width - gutter).max(left + 40.0);
        let fan_dates: Vec<Date> = chart
            .fan
            .iter()
            .flat_map(|fan| fan.points.iter().map(|p| p.period_end))
            .collect();
        // A slot per bar and fan point, and half an empty one at each end.
        #[allow(clippy::cast_precision_loss)]
        let slot = (right - left) / ((chart.bars.len() + fan_dates.len()) as f64 + 1.0);
        let date_ticks = date_ticks(&chart.bars, &fan_dates, chart.lang, slot, TICK_SIZE);
        let tag_price = chart
            .last_close_label
            .as_ref()
            .and(chart.bars.last())
            .map(|b| b.close);
        Self {
            width,
            height,
            left,
            right,
            top,
            bottom,
            y_lo: lo,
            y_hi: hi,
            slot,
            bar_count: chart.bars.len(),
            price_ticks,
            price_labels,
            date_ticks,
            tag_price,
            markers: Vec::new(),
            legend: None,
            legend_row,
            key: Key::default(),
            header,
            target_labels: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Centre of slot `i`: bar `i`, or fan point `i - bar_count`. The first centre is a
    /// whole slot from the plot's left edge, the last a whole slot from its right edge.
    fn x(&self, i: usize) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let i = i as f64;
        self.left + self.slot * (i + 1.0)
    }

    fn y(&self, price: f64) -> f64 {
        self.bottom - (price - self.y_lo) / (self.y_hi - self.y_lo) * (self.bottom - self.top)
    }
}

/// Lowest and highest price of the bars, targets and the fan's outer band, padded by 5% of
/// the range; the top is raised further where bars need `room` pixels above them (for
/// their markers) in a plot `plot_h` pixels high, up to half the plot, and for the label
/// of the highest target above its line.
fn price_range(chart: &CandleChart, room: &BTreeMap<usize, f64>, plot_h: f64) -> (f64, f64) {
    let prices = chart
        .bars
        .iter()
        .flat_map(|b| [b.open, b.high, b.low, b.close])
        .chain(chart.targets.iter().map(|t| t.value))
        .chain(
            chart
                .fan
                .iter()
                .flat_map(|fan| fan.points.iter().flat_map(|p| [p.p5, p.p95])),
        );
    let (lo, hi) = prices.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p), hi.max(p))
    });
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * Y_PADDING
    } else {
        (hi.abs() * 0.01).max(1.0)
    };
    let (lo, mut hi) = (lo - pad, hi + pad);
    // A bar whose top `t` needs `room` pixels above it: with the share `s = room / plot_h`,
    // `(hi - t) / (hi - lo) >= s` holds when `hi >= (t - s * lo) / (1 - s)`.
    let raise = |hi: f64, t: f64, pixels: f64| {
        let share = (pixels / plot_h.max(1.0)).min(MARKER_MAX_SHARE);
        hi.max((t - share * lo) / (1.0 - share))
    };
    for (&bar, &pixels) in room {
        hi = raise(hi, bar_top(&chart.bars[bar]), pixels);
    }
    // Room for the highest target's label above its line, so that it reads there.
    if let Some(t) = chart.targets.iter().map(|t| t.value).reduce(f64::max) {
        hi = raise(hi, t, LABEL_SIZE + 6.0 + 3.0 + 2.0);
    }
    (lo, hi)
}

/// The top of a bar's candle: its high, or its open or close when either is higher.
fn bar_top(bar: &PeriodBar) -> f64 {
    bar.high.max(bar.open).max(bar.close)
}

/// The middle of the pixel row or column that contains `v`, so 1 px lines stay sharp.
pub(crate) fn crisp(v: f64) -> f64 {
    v.floor() + 0.5
}

fn grid_and_axes(out: &mut String, f: &Frame) {
    out.push_str(r#"<g class="grid" shape-rendering="crispEdges">"#);
    out.push('\n');
    for &v in &f.price_ticks.values {
        let y = num(crisp(f.y(v)));
        w!(
            out,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{GRID}" stroke-width="1"/>"#,
            num(f.left),
            num(f.right),
        );
        out.push('\n');
    }
    for t in &f.date_ticks {
        let x = num(crisp(f.x(t.index)));
        w!(
            out,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GRID}" stroke-width="1"/>"#,
            num(f.top),
            num(f.bottom),
        );
        out.push('\n');
    }
    // Axes: price on the right, dates at the bottom, with short tick marks.
    let (right, bottom) = (num(crisp(f.right)), num(crisp(f.bottom)));
    w!(
        out,
        r#"<path d="M{} {bottom}H{right}V{}" fill="none" stroke="{AXIS}" stroke-width="1"/>"#,
        num(f.left),
        num(f.top),
    );
    out.push('\n');
    for &v in &f.price_ticks.values {
        let y = num(crisp(f.y(v)));
        w!(
            out,
            r#"<line x1="{right}" y1="{y}" x2="{}" y2="{y}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(crisp(f.right) + 4.0),
        );
        out.push('\n');
    }
    for t in &f.date_ticks {
        let x = num(crisp(f.x(t.index)));
        w!(
            out,
            r#"<line x1="{x}" y1="{bottom}" x2="{x}" y2="{}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(crisp(f.bottom) + 4.0),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");

    // Price labels, left-aligned right of the axis; those under the last-close tag make way.
    w!(
        out,
        r#"<g font-family="{LATIN_FONTS}" font-size="{TICK_SIZE}" fill="{MUTED}">"#
    );
    out.push('\n');
    let tag_y = f.tag_price.map(|p| f.y(p));
    for (&v, label) in f.price_ticks.values.iter().zip(&f.price_labels) {
        let y = f.y(v);
        // The tag is a font size and 8 px high, a label's digits about 0.74 of one: those
        // that would touch it go.
        if tag_y.is_some_and(|ty| (ty - y).abs() < TICK_SIZE * (0.5 + 0.37) + 4.0) {
            continue;
        }
        w!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            num(f.right + 8.0),
            num(y + TICK_SIZE * 0.36),
            escape_xml(label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");

    let labels = f
        .date_ticks
        .iter()
        .map(|t| (f.x(t.index), t.label.as_str()));
    bottom_labels(out, f.width, f.bottom, labels);
}

/// Labels centred under their ticks at `(x, text)`. A label at an edge of the image moves
/// inwards by up to a font size; one that would need more is dropped.
pub(crate) fn bottom_labels<'a>(
    out: &mut String,
    width: f64,
    bottom: f64,
    labels: impl IntoIterator<Item = (f64, &'a str)>,
) {
    w!(
        out,
        r#"<g font-size="{TICK_SIZE}" fill="{MUTED}" text-anchor="middle">"#
    );
    out.push('\n');
    for (tick, label) in labels {
        let half = text_width(label, TICK_SIZE, false) / 2.0;
        let x = tick.max(EDGE + half).min(width - EDGE - half);
        if (x - tick).abs() > TICK_SIZE {
            continue;
        }
        w!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            num(x),
            num(bottom + 20.0),
            escape_xml(label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");
}

/// The colour of a candle (and of the last-close tag) that rose or fell.
fn candle_color(rising: bool, color_blind_safe: bool) -> &'static str {
    match (rising, color_blind_safe) {
        (true, false) => UP,
        (false, false) => DOWN,
        (true, true) => UP_SAFE,
        (false, true) => DOWN_SAFE,
    }
}

fn candle(out: &mut String, f: &Frame, i: usize, bar: &PeriodBar, color_blind_safe: bool) {
    let (open, close) = (bar.open, bar.close);
    let high = bar_top(bar);
    let low = bar.low.min(open).min(close);
    let rising = close >= open;
    let color = candle_color(rising, color_blind_safe);
    // Whole-pixel bodies of odd width, so the 1 px wick sits exactly in the middle.
    let column = f.x(i).floor();
    let mut body = (f.slot * BODY_SHARE).round().max(1.0);
    if body > 2.0 && body % 2.0 == 0.0 {
        body -= 1.0;
    }
    let wick = (f.slot * 0.1).clamp(1.0, 2.0).round();
    let body_x = column - ((body - 1.0) / 2.0).floor();
    let top = f.y(open.max(close));
    let height = (f.y(open.min(close)) - top).max(1.0);
    let wick_x = num(column + 0.5);
    // Colour-blind safe: a rising body is hollow, a white box inside its outline, where it
    // is wide and tall enough to show a hole.
    let hollow = color_blind_safe && rising && body >= 3.0 && height >= 3.0;
    let (fill, stroke, inset) = if hollow {
        (
            "#ffffff",
            format!(r#" stroke-width="{}""#, num(HOLLOW_LINE)),
            HOLLOW_LINE / 2.0,
        )
    } else {
        (color, r#" stroke="none""#.to_owned(), 0.0)
    };
    w!(
        out,
        r#"<g class="candle" fill="{color}" stroke="{color}" shape-rendering="crispEdges"><line x1="{wick_x}" y1="{}" x2="{wick_x}" y2="{}" stroke-width="{}"/><rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"{stroke}/></g>"#,
        num(f.y(high)),
        num(f.y(low)),
        num(wick),
        num(body_x + inset),
        num(top + inset),
        num(body - 2.0 * inset),
        num(height - 2.0 * inset),
    );
    out.push('\n');
}

/// A label's background box: left, top, width and height.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LabelBox {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// A leader from a label's box to its line: x, from y (the box's edge), to y (the line).
type Leader = (f64, f64, f64);

/// The label of one target, or of targets whose lines are closer than a label's height:
/// which targets (top line first), its text, its box and, where it could not go beside its
/// lines, a leader to the nearest of them (x, from y, to y).
#[derive(Clone, Debug, PartialEq)]
struct TargetLabel {
    members: Vec<usize>,
    text: String,
    /// The text as drawn, one row or more.
    rows: Vec<String>,
    b: LabelBox,
    leader: Option<Leader>,
}

impl LabelBox {
    fn overlaps(&self, other: &Self) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// Row pitch of a target label of more than one row, in pixels.
const LABEL_ROW: f64 = LABEL_SIZE + 2.0;

/// The width and height of a target label's box for its `rows`.
fn label_size(rows: &[String], japanese: bool) -> (f64, f64) {
    // One pixel more for the outline that emboldens Japanese.
    let w = rows
        .iter()
        .map(|r| measured(r, LABEL_SIZE, true, japanese))
        .fold(0.0, f64::max)
        + 13.0;
    #[allow(clippy::cast_precision_loss)]
    let h = LABEL_SIZE + 6.0 + LABEL_ROW * (rows.len().max(1) - 1) as f64;
    (w, h)
}

/// Where a target label of `rows` goes for lines from `span.0` (top) to `span.1` (bottom):
/// beside them (above the top one, below the bottom one) or across them, at the left end or
/// further right, so that it covers none of the `placed` boxes and no line in `others` runs
/// under it or between it and its lines. Where no such spot is free, it goes further out,
/// still short of any other line, with a leader (x, from y, to y) to its nearest line. None
/// where neither is free.
fn place_target_label(
    f: &Frame,
    placed: &[LabelBox],
    (ya, yb): (f64, f64),
    others: &[f64],
    rows: &[String],
    japanese: bool,
) -> Option<(LabelBox, Option<Leader>)> {
    let (w, h) = label_size(rows, japanese);
    let x0 = f.left + 6.0;
    let inside = |b: &LabelBox| b.y >= f.top && b.y + b.h <= f.bottom && b.x + b.w <= f.right;
    // No other line under the box or between it and its lines.
    let clear = |b: &LabelBox| {
        let (lo, hi) = (b.y.min(ya), (b.y + b.h).max(yb));
        !others.iter().any(|&o| lo - 1.0 < o && o < hi + 1.0)
    };
    // The leftmost free spot at height `y`, stepping right past the boxes in the way.
    let along = |y: f64| {
        let mut b = LabelBox { x: x0, y, w, h };
        if !inside(&b) || !clear(&b) {
            return None;
        }
        for _ in 0..=placed.len() {
            let next = placed
                .iter()
                .filter(|p| p.overlaps(&b))
                .map(|p| p.x + p.w + 8.0)
                .fold(b.x, f64::max);
            if next <= b.x {
                return Some(b);
            }
            b.x = next;
            if !inside(&b) {
                return None;
            }
        }
        None
    };
    let above = ya - LABEL_GAP - h;
    let below = yb + LABEL_GAP;
    // Across the lines: centred on them first, then nudged up or down.
    let centre = (ya + yb) / 2.0 - h / 2.0;
    let mut across: Vec<f64> = (0..)
        .map(|k| f64::from(k) * 2.0)
        .take_while(|d| *d <= h)
        .flat_map(|d| [centre - d, centre + d])
        .filter(|&y| y > above && y < below)
        .collect();
    across.dedup();
    if let Some(b) = [above, below].into_iter().chain(across).find_map(along) {
        return Some((b, None));
    }
    // Further out, with a leader to the nearest of its lines.
    for k in 1..8 {
        let out = f64::from(k) * 6.0;
        for (y, to) in [(above - out, ya), (below + out, yb)] {
            if let Some(b) = along(y) {
                let from = if to < b.y { b.y } else { b.y + b.h };
                return Some((b, Some((b.x + 10.0, from, to))));
            }
        }
    }
    None
}

/// Where a label goes when no spot is free: above its lines at the left end.
fn fallback_spot(
    f: &Frame,
    (ya, _): (f64, f64),
    rows: &[String],
    japanese: bool,
) -> (LabelBox, Option<Leader>) {
    let (w, h) = label_size(rows, japanese);
    let b = LabelBox {
        x: f.left + 6.0,
        y: (ya - LABEL_GAP - h).max(f.top),
        w,
        h,
    };
    (b, None)
}

/// The dashed line of a target, across the plot at height `y`.
fn target_line(out: &mut String, f: &Frame, y: f64) {
    let y = num(y);
    w!(
        out,
        r#"<line class="target" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{TARGET_LINE}" stroke-width="1.5" stroke-dasharray="7 5"/>"#,
        num(f.left),
        num(f.right),
    );
    out.push('\n');
}

/// The label of a target (or of close targets) on a translucent white box, drawn after every
/// line so no line crosses it, with its leader where it has one: a thin line from the box
/// to a dot on its line.
fn target_label(out: &mut String, lang: Lang, l: &TargetLabel) {
    let b = l.b;
    out.push_str(r#"<g class="target-label">"#);
    if let Some((x, from, to)) = l.leader {
        w!(
            out,
            r#"<line class="leader" x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{TARGET_TEXT}" stroke-width="1"/><circle cx="{x}" cy="{y2}" r="2" fill="{TARGET_TEXT}"/>"#,
            x = num(x),
            y1 = num(from),
            y2 = num(to),
        );
    }
    w!(
        out,
        concat!(
            r##"<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" rx="3" fill="#ffffff" fill-opacity="0.85"/>"##,
        ),
        bx = num(b.x),
        by = num(b.y),
        bw = num(b.w),
        bh = num(b.h),
    );
    for (i, row) in l.rows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let ty = b.y + LABEL_SIZE + 1.5 + LABEL_ROW * i as f64;
        w!(
            out,
            r#"<text x="{}" y="{}" font-size="{LABEL_SIZE}" fill="{TARGET_TEXT}" {}>{}</text>"#,
            num(b.x + 6.0),
            num(ty),
            bold(lang, TARGET_TEXT, LABEL_SIZE),
            escape_xml(row),
        );
    }
    out.push_str("</g>\n");
}

/// Attributes for bold text. IPAexGothic has no bold face, so Japanese text is emboldened
/// with a thin outline in its own colour.
pub(crate) fn bold(lang: Lang, color: &str, size: f64) -> String {
    match lang {
        Lang::Ja => format!(
            r#"font-weight="bold" stroke="{color}" stroke-width="{}" stroke-linejoin="round""#,
            num(size * 0.035)
        ),
        _ => r#"font-weight="bold""#.to_owned(),
    }
}

/// Width of the last-close tag: a point, padding and the text.
fn tag_width(label: &str) -> f64 {
    6.0 + 6.0 + measured(label, TICK_SIZE, true, false) + 6.0
}

fn last_close(out: &mut String, f: &Frame, last: &PeriodBar, label: &str, color_blind_safe: bool) {
    let color = candle_color(last.close >= last.open, color_blind_safe);
    let y = f.y(last.close);
    let (x0, half_h) = (crisp(f.right), TICK_SIZE / 2.0 + 4.0);
    let x1 = x0 + tag_width(label);
    w!(
        out,
        concat!(
            r#"<g class="last-close">"#,
            r#"<line x1="{l}" y1="{y}" x2="{x0}" y2="{y}" stroke="{color}" stroke-width="1" stroke-dasharray="2 3"/>"#,
            r#"<path d="M{x0} {y}L{xp} {yt}H{x1}V{yb}H{xp}Z" fill="{color}"/>"#,
            r##"<text x="{tx}" y="{ty}" font-family="{LATIN_FONTS}" font-size="{TICK_SIZE}" font-weight="bold" fill="{ink}">{label}</text>"##,
            "</g>"
        ),
        l = num(f.left),
        y = num(y),
        x0 = num(x0),
        xp = num(x0 + 6.0),
        x1 = num(x1),
        yt = num(y - half_h),
        yb = num(y + half_h),
        tx = num(x0 + 12.0),
        ty = num(y + TICK_SIZE * 0.36),
        label = escape_xml(label),
        color = color,
        // White reads poorly on the light orange.
        ink = if color == DOWN_SAFE { INK } else { "#ffffff" },
        LATIN_FONTS = LATIN_FONTS,
        TICK_SIZE = TICK_SIZE,
    );
    out.push('\n');
}

/// An event attached to a bar: which marker and which bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Attached {
    marker: usize,
    bar: usize,
}

/// The markers that land on a bar, by bar and date (markers on one date in the order
/// given): each on the first bar whose period end is on or after its date. Markers before
/// the first bar's period or after the last bar are left out.
fn attach_markers(chart: &CandleChart) -> Vec<Attached> {
    let Some(first) = chart.bars.first() else {
        return Vec::new();
    };
    let mut out: Vec<Attached> = chart
        .markers
        .iter()
        .enumerate()
        .filter(|(_, m)| m.date >= first.first_date.min(first.period_end))
        .filter_map(|(marker, m)| {
            let bar = chart.bars.iter().position(|b| b.period_end >= m.date)?;
            Some(Attached { marker, bar })
        })
        .collect();
    // A stable sort: markers on one date keep their order.
    out.sort_by_key(|a| (a.bar, chart.markers[a.marker].date));
    out
}

/// Events drawn as one marker, numbered from 1 in date order.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Group {
    /// The number in the marker and the key.
    number: usize,
    /// The events, as indices into the chart's markers, by date.
    events: Vec<usize>,
    /// The bars they are on, ascending, each once.
    bars: Vec<usize>,
}

/// Half the width of a marker labelled `label`: its radius, or more for a long label.
fn marker_half_width(label: &str) -> f64 {
    (measured(label, MARKER_LABEL_SIZE, true, false) / 2.0 + 5.0).max(MARKER_RADIUS)
}

/// The events in groups: an event joins the group of the one before it when it is on the
/// same bar, the next bar, or a bar closer (at `slot` pixels a bar) than two markers can be
/// drawn side by side.
fn group_markers(attached: &[Attached], slot: f64) -> Vec<Group> {
    // The widest number there can be, so that no two markers ever touch.
    let widest = attached
        .len()
        .max(1)
        .to_string()
        .replace(|_: char| true, "8");
    let pitch = 2.0 * marker_half_width(&widest) + MARKER_GAP;
    let mut groups: Vec<Group> = Vec::new();
    for a in attached {
        match groups.last_mut() {
            Some(g)
                if g.bars.last().is_some_and(|&last| {
                    #[allow(clippy::cast_precision_loss)]
                    let apart = (a.bar - last) as f64 * slot;
                    a.bar - last <= 1 || apart < pitch
                }) =>
            {
                g.events.push(a.marker);
                if g.bars.last() != Some(&a.bar) {
                    g.bars.push(a.bar);
                }
            }
            _ => groups.push(Group {
                number: groups.len() + 1,
                events: vec![a.marker],
                bars: vec![a.bar],
            }),
        }
    }
    groups
}

/// A group's marker: the highest bar under it (for the price axis' headroom), its centre,
/// half its width, its label, and the bars its bracket reaches down to, as each bar's `x`
/// and the top of its candle in pixels.
#[derive(Clone, Debug, PartialEq)]
struct MarkerSpot {
    bar: usize,
    cx: f64,
    cy: f64,
    half_w: f64,
    label: String,
    guides: Vec<(f64, f64)>,
}

impl MarkerSpot {
    /// The box the marker covers.
    fn bounds(&self) -> LabelBox {
        LabelBox {
            x: self.cx - self.half_w,
            y: self.cy - MARKER_RADIUS,
            w: 2.0 * self.half_w,
            h: 2.0 * MARKER_RADIUS,
        }
    }
}

/// Where the groups' markers go, one spot each: centred over the group's bars (moved
/// inwards at the plot's edges), just above the highest candle under the marker. Groups
/// are far enough apart for their markers to sit side by side; should one still touch a
/// marker placed before it, it moves up past it.
fn place_markers(f: &Frame, chart: &CandleChart, groups: &[Group]) -> Vec<MarkerSpot> {
    let pitch = 2.0 * MARKER_RADIUS + MARKER_STACK_GAP;
    let mut spots: Vec<MarkerSpot> = Vec::with_capacity(groups.len());
    for g in groups {
        let label = g.number.to_string();
        let half_w = marker_half_width(&label);
        let (Some(&first), Some(&last)) = (g.bars.first(), g.bars.last()) else {
            continue;
        };
        let (x0, x1) = (f.x(first), f.x(last));
        let cx = f64::midpoint(x0, x1).clamp(
            f.left + half_w + 1.0,
            (f.right - half_w - 1.0).max(f.left + half_w + 1.0),
        );
        // The highest candle under the marker and its bracket (and a little beside them).
        let reach = 2.0 + f.slot * BODY_SHARE / 2.0;
        let (lo, hi) = (x0.min(cx - half_w) - reach, x1.max(cx + half_w) + reach);
        let (bar, under) = chart
            .bars
            .iter()
            .enumerate()
            .filter(|(i, _)| (lo..=hi).contains(&f.x(*i)))
            .map(|(i, b)| (i, f.y(bar_top(b))))
            .fold((first, f.y(bar_top(&chart.bars[first]))), |best, c| {
                if c.1 < best.1 { c } else { best }
            });
        let mut cy = under - MARKER_LIFT - MARKER_RADIUS;
        // Each move goes above the marker in the way, so none is met twice.
        while let Some(p) = spots.iter().find(|p| {
            (p.cx - cx).abs() < p.half_w + half_w + MARKER_GAP && (p.cy - cy).abs() < pitch
        }) {
            cy = p.cy - pitch;
        }
        let guides = g
            .bars
            .iter()
            .map(|&i| (f.x(i), f.y(bar_top(&chart.bars[i])) - 1.0))
            .collect();
        spots.push(MarkerSpot {
            bar,
            cx,
            cy,
            half_w,
            label,
            guides,
        });
    }
    spots
}

/// Moves all markers down together until the highest is inside the plot: needed only in a
/// chart too small for the headroom [`price_range`] keeps (at most half the plot).
fn fit_markers(f: &Frame, spots: &mut [MarkerSpot]) {
    let highest = spots.iter().map(|s| s.cy).fold(f64::INFINITY, f64::min);
    let shift = f.top + MARKER_TOP_ROOM + MARKER_RADIUS - highest;
    if shift > 0.0 {
        for s in spots {
            s.cy += shift;
        }
    }
}

/// One marker: a faint bracket from it down to each of its bars (a plain line for one bar
/// right under it), a dark circle (a pill for a long label) and the label in white bold.
fn marker(out: &mut String, m: &MarkerSpot) {
    let r = MARKER_RADIUS;
    out.push_str(r#"<g class="marker">"#);
    let mut d = String::new();
    match m.guides.as_slice() {
        [(gx, to)] if (gx - m.cx).abs() < 0.5 => {
            if *to > m.cy + r {
                let x = num(crisp(*gx));
                w!(d, "M{x} {}V{}", num(m.cy), num(*to));
            }
        }
        guides => {
            // Down from the centre (the circle covers the top of it), across, and down to
            // each bar.
            let bracket = m.cy + r + 3.0;
            let xs = guides.iter().map(|g| crisp(g.0)).chain([crisp(m.cx)]);
            let (l, rgt) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
                (l.min(x), h.max(x))
            });
            w!(
                d,
                "M{} {}V{}M{} {b}H{}",
                num(crisp(m.cx)),
                num(m.cy),
                num(bracket),
                num(l),
                num(rgt),
                b = num(bracket),
            );
            for &(gx, to) in guides {
                if to > bracket {
                    w!(d, "M{} {}V{}", num(crisp(gx)), num(bracket), num(to));
                }
            }
        }
    }
    if !d.is_empty() {
        w!(
            out,
            r#"<path class="marker-guide" d="{d}" fill="none" stroke="{MARKER_FILL}" stroke-opacity="0.5" stroke-width="1"/>"#
        );
    }
    badge(out, m.cx, m.cy, m.half_w, r, &m.label, MARKER_LABEL_SIZE);
    out.push_str("</g>\n");
}

/// A number in white bold on a dark circle of radius `r` centred at `(cx, cy)`, or on a
/// pill `2 × half_w` wide when that is wider.
fn badge(out: &mut String, cx: f64, cy: f64, half_w: f64, r: f64, label: &str, size: f64) {
    if half_w > r {
        w!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{MARKER_FILL}"/>"#,
            num(cx - half_w),
            num(cy - r),
            num(2.0 * half_w),
            num(2.0 * r),
            num(r),
        );
    } else {
        w!(
            out,
            r#"<circle cx="{}" cy="{}" r="{}" fill="{MARKER_FILL}"/>"#,
            num(cx),
            num(cy),
            num(r),
        );
    }
    w!(
        out,
        r##"<text x="{}" y="{}" text-anchor="middle" font-family="{LATIN_FONTS}" font-size="{}" font-weight="bold" fill="#ffffff">{}</text>"##,
        num(cx),
        num(cy + size * 0.36),
        num(size),
        escape_xml(label),
    );
}

/// Whether `text` has Japanese (or other CJK) characters in it.
fn is_japanese(text: &str) -> bool {
    text.chars().any(|c| u32::from(c) >= 0x2E80)
}

/// One line of the key: the group's number where a group starts (or goes on at the top of
/// a column), the event's date and text (already cut to fit), and its column and row.
#[derive(Clone, Debug, Default, PartialEq)]
struct KeyRow {
    number: Option<String>,
    date: String,
    text: String,
    column: usize,
    row: usize,
}

/// The key of the markers' numbers to their events: its rows, the left edge of each
/// column's dates and texts, and its height.
#[derive(Clone, Debug, Default, PartialEq)]
struct Key {
    rows: Vec<KeyRow>,
    /// Per column: where its dates start and where its texts start, in pixels.
    columns: Vec<(f64, f64)>,
    height: f64,
}

impl Key {
    /// The key of `groups` in a layout `size` pixels: a row per event, in as few columns
    /// as keep it under 30% of the height (each at least 190 px wide), the rows that do
    /// not fit summed up in the last one.
    fn new(chart: &CandleChart, groups: &[Group], (width, height): (f64, f64), top: f64) -> Self {
        let japanese = chart.lang == Lang::Ja;
        let events: Vec<(usize, &crate::Marker)> = groups
            .iter()
            .flat_map(|g| g.events.iter().map(|&i| (g.number, &chart.markers[i])))
            .collect();
        if events.is_empty() {
            return Self::default();
        }
        let years: Vec<i32> = events.iter().map(|(_, m)| m.date.year()).collect();
        let with_year = years.iter().any(|&y| y != years[0]);
        let room = width - 2.0 * MARGIN;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let most_columns = (((room + KEY_COLUMN_GAP) / (KEY_MIN_COLUMN + KEY_COLUMN_GAP)).floor()
            as usize)
            .clamp(1, 3);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let most_rows = ((height * KEY_MAX_SHARE).min(height * (1.0 - PLOT_MIN_SHARE) - top - FOOT)
            / KEY_ROW)
            .floor()
            .max(1.0) as usize;
        let n = events.len();
        let columns = (1..=most_columns)
            .find(|c| n.div_ceil(*c) <= most_rows)
            .unwrap_or(most_columns);
        let rows_per_column = n.div_ceil(columns).min(most_rows);
        let capacity = rows_per_column * columns;
        // When they do not all fit, the last place says how many are left out.
        let shown = if n > capacity { capacity - 1 } else { n };
        let mut rows: Vec<KeyRow> = Vec::with_capacity(shown + 1);
        let mut last_group = 0;
        for (k, &(number, m)) in events.iter().take(shown).enumerate() {
            let (column, row) = (k / rows_per_column, k % rows_per_column);
            rows.push(KeyRow {
                number: (number != last_group || row == 0).then(|| number.to_string()),
                date: key_date(m.date, chart.lang, with_year),
                text: m.text.clone(),
                column,
                row,
            });
            last_group = number;
        }
        if shown < n {
            let left_out = n - shown;
            rows.push(KeyRow {
                text: match chart.lang {
                    Lang::Ja => format!("ほか{left_out}件"),
                    _ => format!("and {left_out} more"),
                },
                column: shown / rows_per_column,
                row: shown % rows_per_column,
                ..KeyRow::default()
            });
        }
        #[allow(clippy::cast_precision_loss)]
        let column_w = (room - (columns - 1) as f64 * KEY_COLUMN_GAP) / columns as f64;
        let mut starts = Vec::with_capacity(columns);
        for c in 0..columns {
            #[allow(clippy::cast_precision_loss)]
            let x = MARGIN + c as f64 * (column_w + KEY_COLUMN_GAP);
            let date_x = x + 2.0 * KEY_BADGE + 6.0;
            let date_w = rows
                .iter()
                .filter(|r| r.column == c)
                .map(|r| measured(&r.date, KEY_SIZE, false, japanese))
                .fold(0.0, f64::max);
            let text_x = if date_w > 0.0 {
                date_x + date_w + 8.0
            } else {
                date_x
            };
            let text_room = x + column_w - text_x;
            for r in rows.iter_mut().filter(|r| r.column == c) {
                r.text = fit_text(&r.text, KEY_SIZE, false, japanese, text_room);
            }
            starts.push((date_x, text_x));
        }
        #[allow(clippy::cast_precision_loss)]
        let key_height = rows_per_column as f64 * KEY_ROW;
        Self {
            rows,
            columns: starts,
            height: key_height,
        }
    }
}

/// A date in the key: `2月14日` or `14 Feb`, with the year when `with_year`.
fn key_date(d: Date, lang: Lang, with_year: bool) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match (lang, with_year) {
        (Lang::Ja, false) => format!("{}月{}日", d.month(), d.day()),
        (Lang::Ja, true) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        (_, with_year) => {
            let month = MONTHS[d.month0() as usize];
            if with_year {
                format!("{} {month} {}", d.day(), d.year())
            } else {
                format!("{} {month}", d.day())
            }
        }
    }
}

/// The key under the date labels: per row, the group's number on a small dark circle, the
/// date in grey and the event's text.
fn key(out: &mut String, f: &Frame) {
    let key = &f.key;
    if key.rows.is_empty() {
        return;
    }
    // Under the date labels.
    let top = f.bottom + 30.0;
    w!(out, r#"<g class="key" font-size="{KEY_SIZE}">"#);
    out.push('\n');
    for r in &key.rows {
        let (date_x, text_x) = key.columns[r.column];
        #[allow(clippy::cast_precision_loss)]
        let mid = top + (r.row as f64 + 0.5) * KEY_ROW;
        let baseline = mid + KEY_SIZE * 0.36;
        if let Some(number) = &r.number {
            let half_w = (measured(number, KEY_SIZE, true, false) / 2.0 + 3.5).max(KEY_BADGE);
            badge(
                out,
                date_x - 6.0 - KEY_BADGE,
                mid,
                half_w,
                KEY_BADGE,
                number,
                KEY_SIZE,
            );
        }
        if !r.date.is_empty() {
            w!(
                out,
                r#"<text x="{}" y="{}" fill="{MUTED}">{}</text>"#,
                num(date_x),
                num(baseline),
                escape_xml(&r.date),
            );
        }
        if !r.text.is_empty() {
            w!(
                out,
                r#"<text x="{}" y="{}" fill="{INK}">{}</text>"#,
                num(text_x),
                num(baseline),
                escape_xml(&r.text),
            );
        }
        out.push('\n');
    }
    out.push_str("</g>\n");
}

/// The fan's points in pixels as `(x, p5, p25, p50, p75, p95)`, starting with the last
/// close at the last bar, where every quantile meets.
fn fan_columns(f: &Frame, chart: &CandleChart, fan: &Fan) -> Vec<(f64, [f64; 5])> {
    let start = chart.bars.last().map(|last| {
        let y = f.y(last.close);
        (f.x(f.bar_count.saturating_sub(1)), [y; 5])
    });
    let points = fan
        .points
        .iter()
        .enumerate()
        .map(|(j, p): (usize, &FanPoint)| {
            (
                f.x(f.bar_count + j),
                [p.p5, p.p25, p.p50, p.p75, p.p95].map(|v| f.y(v)),
            )
        });
    start.into_iter().chain(points).collect()
}

/// The legend box in the plot corner that covers the least (see [`quietest_corner`]).
fn place_legend(f: &Frame, chart: &CandleChart, fan: &Fan) -> LabelBox {
    let label_w = [&fan.outer_label, &fan.inner_label, &fan.median_label]
        .iter()
        .map(|l| measured(l, LEGEND_SIZE, false, chart.lang == Lang::Ja))
        .fold(0.0, f64::max);
    let w = LEGEND_PAD + LEGEND_SWATCH + 8.0 + label_w + LEGEND_PAD;
    let h = 2.0 * LEGEND_PAD - 4.0 + 3.0 * LEGEND_ROW;
    let plot = [f.left, f.right, f.top, f.bottom];
    let (_, x, y) = quietest_corner(plot, LEGEND_INSET, (w, h), |x, y| {
        legend_hits(f, chart, fan, &LabelBox { x, y, w, h })
    });
    LabelBox { x, y, w, h }
}

/// Where a `w`×`h` box `inset` pixels inside the plot (`[left, right, top, bottom]`) covers
/// least: the corner with the fewest `hits`, in the order top left, top right, bottom left,
/// bottom right on a tie. Returns the hits and the box's top-left corner.
pub(crate) fn quietest_corner(
    [left, right, top, bottom]: [f64; 4],
    inset: f64,
    (w, h): (f64, f64),
    hits: impl Fn(f64, f64) -> usize,
) -> (usize, f64, f64) {
    let (x0, x1) = (left + inset, right - inset - w);
    let (y0, y1) = (top + inset, bottom - inset - h);
    let mut best = (usize::MAX, x0, y0);
    for (x, y) in [(x0, y0), (x1, y0), (x0, y1), (x1, y1)] {
        let n = hits(x, y);
        if n < best.0 {
            best = (n, x, y);
        }
    }
    best
}

/// How much of the chart a legend at `b` would cover: candles, samples along the fan's
/// outer band, (weighing more) target lines and the last-close line, and (weighing most)
/// markers and target labels.
fn legend_hits(f: &Frame, chart: &CandleChart, fan: &Fan, b: &LabelBox) -> usize {
    const STEPS: u32 = 8;
    const LINE_WEIGHT: usize = 8;
    let m = 4.0;
    let (l, r, t, btm) = (b.x - m, b.x + b.w + m, b.y - m, b.y + b.h + m);
    let half_body = f.slot * BODY_SHARE / 2.0;
    let mut hits = 0;
    for (i, bar) in chart.bars.iter().enumerate() {
        let x = f.x(i);
        let (top, bottom) = (f.y(bar_top(bar)), f.y(bar.low.min(bar.open).min(bar.close)));
        if x + half_body >= l && x - half_body <= r && top <= btm && bottom >= t {
            hits += 1;
        }
    }
    let columns = fan_columns(f, chart, fan);
    for w in columns.windows(2) {
        for k in 0..=STEPS {
            let s = f64::from(k) / f64::from(STEPS);
            let lerp = |a: f64, b: f64| a + (b - a) * s;
            let x = lerp(w[0].0, w[1].0);
            let (top, bottom) = (lerp(w[0].1[4], w[1].1[4]), lerp(w[0].1[0], w[1].1[0]));
            if l <= x && x <= r && top <= btm && bottom >= t {
                hits += 1;
            }
        }
    }
    // Markers and labels it must not cover: any other corner first.
    const COVER_WEIGHT: usize = 10_000;
    hits += f.markers.iter().filter(|s| s.bounds().overlaps(b)).count() * COVER_WEIGHT;
    hits += f.target_labels.iter().filter(|l| l.b.overlaps(b)).count() * COVER_WEIGHT;
    let lines = chart
        .targets
        .iter()
        .map(|target| target.value)
        .chain(f.tag_price);
    hits += lines.filter(|&v| (t..=btm).contains(&f.y(v))).count() * LINE_WEIGHT;
    hits
}

/// A closed band of the fan: along `upper` out, back along `lower`.
fn fan_band(columns: &[(f64, [f64; 5])], upper: usize, lower: usize) -> String {
    let mut d = String::with_capacity(32 * columns.len());
    for (i, (x, q)) in columns.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        w!(d, "{cmd}{} {}", num(*x), num(q[upper]));
    }
    for (x, q) in columns.iter().rev() {
        w!(d, "L{} {}", num(*x), num(q[lower]));
    }
    d.push('Z');
    d
}

/// The fan: a dashed line at the last bar, both bands and the median.
fn fan_group(out: &mut String, f: &Frame, chart: &CandleChart, fan: &Fan) {
    let columns = fan_columns(f, chart, fan);
    out.push_str(r#"<g class="fan">"#);
    out.push('\n');
    let x = num(crisp(f.x(f.bar_count.saturating_sub(1))));
    w!(
        out,
        r#"<line class="fan-as-of" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{FAINT}" stroke-width="1" stroke-dasharray="4 4"/>"#,
        num(f.top),
        num(f.bottom),
    );
    out.push('\n');
    w!(
        out,
        r#"<path class="fan-outer" d="{}" fill="{FAN_FILL}" fill-opacity="{FAN_OUTER_OPACITY}" stroke="none"/>"#,
        fan_band(&columns, 4, 0),
    );
    out.push('\n');
    w!(
        out,
        r#"<path class="fan-inner" d="{}" fill="{FAN_FILL}" fill-opacity="{FAN_INNER_OPACITY}" stroke="none"/>"#,
        fan_band(&columns, 3, 1),
    );
    out.push('\n');
    let mut d = String::with_capacity(16 * columns.len());
    for (i, (x, q)) in columns.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        w!(d, "{cmd}{} {}", num(*x), num(q[2]));
    }
    w!(
        out,
        r#"<path class="fan-median" d="{d}" fill="none" stroke="{FAN_LINE}" stroke-width="2" stroke-dasharray="6 4" stroke-linejoin="round"/>"#,
    );
    out.push('\n');
    out.push_str("</g>\n");
}

/// The least height of the plot, in pixels, for the fan's legend to take a row above it.
const ROW_PLOT_MIN: f64 = 120.0;
/// Gap between the entries of a legend in a row, in pixels.
const LEGEND_GAP: f64 = 18.0;

/// The width of the fan's legend in one row: each entry's sample, its label and a gap.
fn legend_row_width(chart: &CandleChart, fan: &Fan) -> f64 {
    [&fan.outer_label, &fan.inner_label, &fan.median_label]
        .iter()
        .map(|l| LEGEND_SWATCH + 8.0 + measured(l, LEGEND_SIZE, false, chart.lang == Lang::Ja))
        .sum::<f64>()
        + 2.0 * LEGEND_GAP
}

/// The swatch of legend entry `i` (outer band, inner band over it, median) from `x0`,
/// centred on `mid`.
fn legend_sample(out: &mut String, i: usize, x0: f64, mid: f64) {
    let swatch = |opacity: f64| {
        format!(
            r#"<rect x="{}" y="{}" width="{}" height="10" fill="{FAN_FILL}" fill-opacity="{opacity}"/>"#,
            num(x0),
            num(mid - 5.0),
            num(LEGEND_SWATCH),
        )
    };
    match i {
        0 => out.push_str(&swatch(FAN_OUTER_OPACITY)),
        // The inner band is seen over the outer one.
        1 => {
            out.push_str(&swatch(FAN_OUTER_OPACITY));
            out.push_str(&swatch(FAN_INNER_OPACITY));
        }
        _ => w!(
            out,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{FAN_LINE}" stroke-width="2" stroke-dasharray="6 4"/>"#,
            num(x0),
            num(x0 + LEGEND_SWATCH),
            y = num(mid),
        ),
    }
}

/// The fan's legend in one row from `x`, centred on `mid`: above the plot, where it covers
/// nothing.
fn fan_legend_row(out: &mut String, fan: &Fan, x: f64, mid: f64, japanese: bool) {
    out.push_str(r#"<g class="fan-legend">"#);
    let mut x = x;
    for (i, label) in [&fan.outer_label, &fan.inner_label, &fan.median_label]
        .into_iter()
        .enumerate()
    {
        legend_sample(out, i, x, mid);
        let text_x = x + LEGEND_SWATCH + 8.0;
        w!(
            out,
            r#"<text x="{}" y="{}" font-size="{LEGEND_SIZE}" fill="{INK}">{}</text>"#,
            num(text_x),
            num(mid + LEGEND_SIZE * 0.36),
            escape_xml(label),
        );
        x = text_x + measured(label, LEGEND_SIZE, false, japanese) + LEGEND_GAP;
    }
    out.push_str(
        "</g>
",
    );
}

/// The fan's legend: a swatch per band and a dashed line for the median, each labelled.
fn fan_legend(out: &mut String, fan: &Fan, b: LabelBox) {
    w!(
        out,
        r##"<g class="fan-legend"><rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#ffffff" fill-opacity="0.9" stroke="{GRID}" stroke-width="1"/>"##,
        num(b.x),
        num(b.y),
        num(b.w),
        num(b.h),
    );
    out.push('\n');
    let (x0, x1) = (b.x + LEGEND_PAD, b.x + LEGEND_PAD + LEGEND_SWATCH);
    let rows = [&fan.outer_label, &fan.inner_label, &fan.median_label];
    for (i, label) in rows.into_iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let mid = b.y + LEGEND_PAD - 2.0 + LEGEND_ROW * (i as f64 + 0.5);
        legend_sample(out, i, x0, mid);
        w!(
            out,
            r#"<text x="{}" y="{}" font-size="{LEGEND_SIZE}" fill="{INK}">{}</text>"#,
            num(x1 + 8.0),
            num(mid + LEGEND_SIZE * 0.36),
            escape_xml(label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");
}

/// The title and subtitle as drawn: their lines, font sizes and baselines.
#[derive(Clone, Debug, Default, PartialEq)]
struct Header {
    title: Vec<String>,
    title_size: f64,
    subtitle: Vec<String>,
    subtitle_size: f64,
    /// Baseline of each title line, then of each subtitle line.
    baselines: Vec<f64>,
    /// Where the plot may start: below the last line.
    bottom: f64,
}

impl Header {
    /// The title in one line at 22 px, else in two at 20 px, else smaller (down to 14 px);
    /// the subtitle likewise at 14 px, else in two lines at 13 px, else down to 12 px; in a
    /// layout `width` pixels wide.
    fn new(chart: &CandleChart, (width, height): (f64, f64)) -> Self {
        let full = Self::lay_out(chart, width, false);
        if full.bottom <= HEADER_MAX_SHARE * height {
            full
        } else {
            Self::lay_out(chart, width, true)
        }
    }

    /// The header in lines `width` pixels wide, the title and subtitle in one line each
    /// when `compact`.
    fn lay_out(chart: &CandleChart, width: f64, compact: bool) -> Self {
        let room = width - 2.0 * MARGIN;
        let japanese = chart.lang == Lang::Ja;
        let one_line = |text: &str, size: f64, least: f64, bold: bool| {
            let ja = japanese || is_japanese(text);
            let size = fit_measured(text, (size, least), room, bold, ja);
            (vec![fit_text(text, size, bold, ja, room)], size)
        };
        let (title, title_size) = if compact {
            one_line(&chart.title, TITLE_SIZE, 14.0, true)
        } else {
            lines_in(&chart.title, (TITLE_SIZE, 20.0, 14.0), true, japanese, room)
        };
        let (subtitle, subtitle_size) = match chart.subtitle.as_deref() {
            None => (Vec::new(), 0.0),
            Some(s) if compact => one_line(s, SUBTITLE_SIZE, SMALLEST_TEXT, false),
            Some(s) => lines_in(
                s,
                (SUBTITLE_SIZE, 13.0, SMALLEST_TEXT),
                false,
                japanese,
                room,
            ),
        };
        let mut baselines = Vec::new();
        let mut last = 36.0;
        for k in 0..title.len() {
            #[allow(clippy::cast_precision_loss)]
            let y = 36.0 + k as f64 * title_size * 1.25;
            baselines.push(y);
            last = y;
        }
        let bottom = if subtitle.is_empty() {
            last + 26.0
        } else {
            for k in 0..subtitle.len() {
                #[allow(clippy::cast_precision_loss)]
                let y = last + 24.0 + k as f64 * subtitle_size * 1.35;
                baselines.push(y);
            }
            baselines.last().copied().unwrap_or(last) + 24.0
        };
        Self {
            title,
            title_size,
            subtitle,
            subtitle_size,
            baselines,
            bottom,
        }
    }
}

/// `text` as lines `room` pixels wide: one line at `one`, else two at `two`, else two at
/// the size that fits them, down to `least` (longer lines then cut short with `…`).
fn lines_in(
    text: &str,
    (one, two, least): (f64, f64, f64),
    bold: bool,
    japanese: bool,
    room: f64,
) -> (Vec<String>, f64) {
    let width = |t: &str, size: f64| measured(t, size, bold, japanese || is_japanese(t));
    if width(text, one) <= room {
        return (vec![text.to_owned()], one);
    }
    // Break where a break reads best: after a space, comma, colon or closing bracket,
    // before an opening one; the split that leaves the longer line shortest.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    // The strongest break whose lines fit (a dash or colon, then a comma or bracket, then
    // a space), the most even of those; when none fit, the most even.
    let mut best: Option<((bool, u8, f64), f64, usize)> = None;
    for (k, &(i, c)) in chars.iter().enumerate().skip(1) {
        let prev = chars[k - 1].1;
        let strength = if matches!(prev, '：' | ':' | ';') || matches!(c, '—' | '–' | '·') {
            0
        } else if matches!(prev, '、' | '，' | '）' | ')')
            || prev == ',' && !c.is_ascii_digit()
            || matches!(c, '（' | '(')
        {
            1
        } else if matches!(prev, ' ' | '　') {
            2
        } else {
            continue;
        };
        let (a, b) = (text[..i].trim_end(), text[i..].trim_start());
        if a.is_empty() || b.is_empty() {
            continue;
        }
        let longer = width(a, two).max(width(b, two));
        let rank = if longer <= room {
            (false, strength, longer)
        } else {
            (true, 0, longer)
        };
        if best.is_none_or(|(r, ..)| rank.partial_cmp(&r) == Some(std::cmp::Ordering::Less)) {
            best = Some((rank, longer, i));
        }
    }
    let Some((_, longer, i)) = best else {
        let size = (one * room / width(text, one)).max(least);
        return (
            vec![fit_text(
                text,
                size,
                bold,
                japanese || is_japanese(text),
                room,
            )],
            size,
        );
    };
    let size = if longer <= room {
        two
    } else {
        (two * room / longer).max(least)
    };
    let lines = [text[..i].trim_end(), text[i..].trim_start()]
        .map(|l| fit_text(l, size, bold, japanese || is_japanese(l), room));
    (lines.to_vec(), size)
}

fn texts(out: &mut String, chart: &CandleChart, f: &Frame) {
    let header = &f.header;
    let mut baselines = header.baselines.iter();
    for line in &header.title {
        let y = baselines.next().copied().unwrap_or(36.0);
        w!(
            out,
            r#"<text class="title" x="{}" y="{}" font-size="{}" fill="{INK}" {}>{}</text>"#,
            num(MARGIN),
            num(y),
            num(header.title_size),
            bold(chart.lang, INK, header.title_size),
            escape_xml(line),
        );
        out.push('\n');
    }
    for line in &header.subtitle {
        let y = baselines.next().copied().unwrap_or(60.0);
        w!(
            out,
            r#"<text class="subtitle" x="{}" y="{}" font-size="{}" fill="{MUTED}">{}</text>"#,
            num(MARGIN),
            num(y),
            num(header.subtitle_size),
            escape_xml(line),
        );
        out.push('\n');
    }
    let room = f.width - 2.0 * MARGIN;
    let japanese = chart.lang == Lang::Ja;
    let source_size = fit_measured(
        &chart.source_line,
        (SOURCE_SIZE, SMALLEST_TEXT),
        room,
        false,
        japanese,
    );
    w!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" fill="{FAINT}">{}</text>"#,
        num(MARGIN),
        num(f.height - 14.0),
        num(source_size),
        escape_xml(&fit_text(
            &chart.source_line,
            source_size,
            false,
            japanese,
            room
        )),
    );
    out.push('\n');
    // Axis title along the right edge, reading bottom to top, centred on the plot.
    let (x, y) = (f.width - 14.0, (f.top + f.bottom) / 2.0);
    // As long as the plot is high: smaller, down to the smallest text, then cut short.
    let room = f.bottom - f.top;
    let size = fit_measured(
        &chart.y_axis_label,
        (AXIS_TITLE_SIZE, SMALLEST_TEXT),
        room,
        false,
        japanese,
    );
    let axis_title = fit_text(&chart.y_axis_label, size, false, japanese, room);
    w!(
        out,
        r#"<text transform="translate({} {}) rotate(-90)" text-anchor="middle" font-size="{}" fill="{MUTED}">{}</text>"#,
        num(x),
        num(y),
        num(size),
        escape_xml(&axis_title),
    );
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use aurum_core::{Date, date};
    use chrono::Days;

    use aurum_core::text::grouped;

    use super::*;
    use crate::{Marker, TargetLine};

    fn bars(n: usize) -> Vec<PeriodBar> {
        let start = date(2023, 1, 6);
        let mut price: f64 = 1900.0;
        (0..n)
            .map(|i| {
                let end: Date = start + Days::new(7 * i as u64);
                // A deterministic zig-zag drifting upwards.
                #[allow(clippy::cast_precision_loss)]
                let step = if i % 3 == 0 { -15.0 } else { 25.0 } + (i % 7) as f64;
                let open = price;
                price += step;
                PeriodBar {
                    period_end: end,
                    first_date: end - Days::new(4),
                    last_date: end,
                    open,
                    high: open.max(price) + 12.0,
                    low: open.min(price) - 9.0,
                    close: price,
                    volume: None,
                    days: 5,
                }
            })
            .collect()
    }

    fn chart(n: usize, lang: Lang) -> CandleChart {
        CandleChart::new(
            bars(n),
            "Gold, weekly",
            "USD / troy oz",
            "Source: test; aurum",
            lang,
        )
    }

    #[test]
    fn one_candle_per_bar() {
        for n in [1, 2, 110, 600] {
            let svg = render_svg(&chart(n, Lang::En)).unwrap();
            assert_eq!(svg.matches(r#"class="candle""#).count(), n);
        }
    }

    #[test]
    fn target_lines_are_drawn_with_their_label() {
        let mut c = chart(50, Lang::En);
        c.targets.push(TargetLine::new(3000.0, "Target 3,000"));
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="target""#).count(), 1);
        assert_eq!(svg.matches(r#"class="target-label""#).count(), 1);
        assert!(svg.contains(">Target 3,000</text>"));
        // Labels come after every line, so no dashed line crosses them.
        assert!(svg.rfind(r#"class="target""#) < svg.find(r#"class="target-label""#));
        // The target widens the range: 3,000 is above every bar, yet inside the plot.
        let f = Frame::new(&c);
        assert!(f.y(3000.0) > f.top && f.y(3000.0) < f.y(c.bars[49].high));
    }

    #[test]
    fn labels_of_close_targets_do_not_overlap() {
        let mut c = chart(110, Lang::En);
        for v in [2990.0, 3000.0, 3010.0, 2000.0] {
            c.targets.push(TargetLine::new(v, format!("Target {v}")));
        }
        let f = Frame::new(&c);
        let boxes: Vec<LabelBox> = f.target_labels.iter().map(|l| l.b).collect();
        for (i, b) in boxes.iter().enumerate() {
            assert!(boxes[..i].iter().all(|p| !p.overlaps(b)), "{boxes:?}");
            assert!(b.y >= f.top && b.y + b.h <= f.bottom && b.x + b.w <= f.right);
        }
        // A lone target keeps the default spot: left end, above the line.
        let lone = f.target_labels.iter().find(|l| l.members == [3]).unwrap();
        assert_eq!(lone.b.x, f.left + 6.0);
        assert!(lone.b.y + lone.b.h < f.y(2000.0));
        assert_eq!(
            render_svg(&c).unwrap().matches(r#"class="target""#).count(),
            4
        );
    }

    #[test]
    fn close_targets_share_one_label_at_their_lines() {
        // Two targets a few pixels apart, whatever the order given: one label, lowest
        // level first, beside or across both lines.
        for values in [[2400.0, 2410.0], [2410.0, 2400.0]] {
            let mut c = chart(110, Lang::En);
            for v in values {
                c.targets.push(TargetLine::new(v, format!("Target {v}")));
            }
            let f = Frame::new(&c);
            let svg = render_svg(&c).unwrap();
            assert_eq!(svg.matches(r#"class="target-label""#).count(), 1);
            assert!(svg.contains(">Targets 2400 · 2410</text>"), "{svg}");
            let b = f.target_labels[0].b;
            let (y_hi, y_lo) = (f.y(2410.0), f.y(2400.0));
            assert!(
                b.y <= y_lo + 2.0 && b.y + b.h >= y_hi - 2.0,
                "{b:?} {y_hi} {y_lo}"
            );
        }
    }

    #[test]
    fn shared_labels_name_the_levels_once() {
        let en = shared_label(&["Target 3,200", "Target 3,220 (+10%)"], false);
        assert_eq!(
            en.join(label_separator(false)),
            "Targets 3,200 · 3,220 (+10%)"
        );
        let ja = shared_label(&["目標 3,200ドル", "目標 3,220ドル（+10%）"], true);
        assert_eq!(
            ja.join(label_separator(true)),
            "目標 3,200ドル・3,220ドル（+10%）"
        );
        let mixed = shared_label(&["Low", "High mark"], false);
        assert_eq!(mixed.join(label_separator(false)), "Low · High mark");
        let parts: Vec<String> = ["Targets 3,000", "3,200", "3,220 (+10%)"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(
            label_rows(&parts, 2, false),
            ["Targets 3,000 · 3,200 ·", "3,220 (+10%)"]
        );
        assert_eq!(
            label_rows(&parts, 1, false),
            ["Targets 3,000 · 3,200 · 3,220 (+10%)"]
        );
        assert_eq!(label_rows(&parts, 5, false).len(), 3);
    }

    #[test]
    fn last_close_tag_is_drawn_only_when_labelled() {
        let mut c = chart(20, Lang::En);
        assert!(!render_svg(&c).unwrap().contains("last-close"));
        c.last_close_label = Some("2,935.29".to_owned());
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="last-close""#).count(), 1);
        assert!(svg.contains(">2,935.29</text>"));
    }

    #[test]
    fn long_titles_wrap_or_shrink_to_fit_and_zoom_scales_the_image() {
        let mut c = chart(30, Lang::En);
        c.title = "What a US withdrawal from NATO would mean for gold — Gold, LBMA PM fix, weekly"
            .to_owned();
        (c.width, c.height, c.zoom, c.read_width) = (800, 450, 1.5, 0);
        let svg = render_svg(&c).unwrap();
        assert!(svg.starts_with(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 800 450""#
        ));
        let title_lines = |svg: &str| -> Vec<(String, f64)> {
            svg.lines()
                .filter(|l| l.starts_with(r#"<text class="title""#))
                .map(|l| {
                    let size = l.split("font-size=\"").nth(1).unwrap().split('"').next();
                    let text = l.split('>').nth(1).unwrap().split('<').next().unwrap();
                    (text.to_owned(), size.unwrap().parse().unwrap())
                })
                .collect()
        };
        // Too long for one line at 22 px: two lines, broken at the dash.
        let lines = title_lines(&svg);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[0].0,
            "What a US withdrawal from NATO would mean for gold"
        );
        assert_eq!(lines[1].0, "— Gold, LBMA PM fix, weekly");
        for (text, size) in &lines {
            assert!(*size < TITLE_SIZE, "{size}");
            assert!(measured(text, *size, true, false) <= 800.0 - 2.0 * MARGIN + 0.5);
        }
        // Read at phone width, the layout is smaller and the image the same size.
        c.read_width = 375;
        let svg = render_svg(&c).unwrap();
        assert!(svg.starts_with(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 450 253.13""#
        ), "{}", svg.lines().next().unwrap());
        c.zoom = 9.0;
        assert_eq!(render_svg(&c), Err(ChartError::InvalidZoom { zoom: 9.0 }));
    }

    #[test]
    fn text_is_xml_escaped() {
        let mut c = chart(5, Lang::En);
        c.title = r#"Gold & "silver" <weekly>"#.to_owned();
        c.subtitle = Some("it's".to_owned());
        c.source_line = "a<b".to_owned();
        c.y_axis_label = "USD & co".to_owned();
        c.targets.push(TargetLine::new(2000.0, "<T>"));
        c.last_close_label = Some("1&2".to_owned());
        let svg = render_svg(&c).unwrap();
        assert!(svg.contains("Gold &amp; &quot;silver&quot; &lt;weekly&gt;"));
        assert!(svg.contains("it&apos;s"));
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains("USD &amp; co"));
        assert!(svg.contains("&lt;T&gt;"));
        assert!(svg.contains("1&amp;2"));
        assert!(!svg.contains("<weekly>") && !svg.contains("<T>"));
        // And resvg accepts the document.
        crate::png::parse(&svg).unwrap();
    }

    #[test]
    fn output_is_deterministic_with_short_numbers() {
        let mut c = chart(110, Lang::En);
        c.last_close_label = Some("2,935.29".to_owned());
        c.targets.push(TargetLine::new(3000.0, "Target 3,000"));
        c.markers = vec![
            Marker::new(c.bars[30].period_end, "1"),
            Marker::new(c.bars[70].period_end, "2"),
            Marker::new(c.bars[70].first_date, "3"),
        ];
        c.fan = Some(fan_after(&c.bars, 19, 2.0));
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg, render_svg(&c.clone()).unwrap());
        // No number in an attribute has more than two decimals.
        for attr in svg.split('"').skip(1).step_by(2) {
            for token in attr.split([' ', 'M', 'L', 'H', 'V', 'Z', '(', ')']) {
                if let Some((_, frac)) = token.split_once('.')
                    && token.parse::<f64>().is_ok()
                {
                    assert!(frac.len() <= 2, "{token} in {attr}");
                }
            }
        }
    }

    #[test]
    fn japanese_dates_use_nen() {
        let mut c = chart(110, Lang::Ja);
        c.read_width = 0;
        let svg = render_svg(&c).unwrap();
        assert!(svg.contains("年"));
        assert!(
            svg.contains("2024年1月"),
            "quarterly ticks include January 2024"
        );
        assert!(svg.contains(r#"font-family="IPAexGothic, 'DejaVu Sans', sans-serif""#));
        let en = render_svg(&chart(110, Lang::En)).unwrap();
        assert!(en.contains(">Jan 2024<") && !en.contains("年"));
    }

    #[test]
    fn price_labels_have_thousands_separators() {
        let svg = render_svg(&chart(110, Lang::En)).unwrap();
        assert!(svg.contains(">2,000</text>"), "{svg}");
    }

    #[test]
    fn invalid_charts_are_errors() {
        let mut c = chart(0, Lang::En);
        assert_eq!(render_svg(&c), Err(ChartError::EmptyBars));
        c.bars = bars(3);
        c.bars[1].high = f64::NAN;
        assert!(matches!(
            render_svg(&c),
            Err(ChartError::NonFiniteBar {
                index: 1,
                field: "high",
                ..
            })
        ));
        c.bars = bars(3);
        c.targets.push(TargetLine::new(f64::INFINITY, "x"));
        assert!(matches!(
            render_svg(&c),
            Err(ChartError::NonFiniteTarget { .. })
        ));
        c.targets.clear();
        c.width = 199;
        assert_eq!(
            render_svg(&c),
            Err(ChartError::InvalidSize {
                width: 199,
                height: 675
            })
        );
        c.width = 200;
        c.height = 200;
        assert!(render_svg(&c).is_ok());
    }

    /// `n` weekly fan points after the last bar, centred on the last close and drifting up,
    /// the 5–95% band `spread` times the 25–75% one.
    fn fan_after(bars: &[PeriodBar], n: usize, spread: f64) -> Fan {
        let last = bars.last().unwrap();
        let points = (1..=n)
            .map(|k| {
                #[allow(clippy::cast_precision_loss)]
                let k = k as f64;
                let p50 = last.close + 4.0 * k;
                let inner = 12.0 * k.sqrt();
                FanPoint {
                    period_end: last.period_end + Days::new(7 * k as u64),
                    p5: p50 - spread * inner,
                    p25: p50 - inner,
                    p50,
                    p75: p50 + inner,
                    p95: p50 + spread * inner,
                }
            })
            .collect();
        Fan::new(points, "90% range", "50% range", "Median")
    }

    /// The `d` of the first path with class `class`, as (x, y) pairs.
    fn path_points(svg: &str, class: &str) -> Vec<(f64, f64)> {
        let start = svg.find(&format!(r#"class="{class}" d=""#)).unwrap();
        let d = svg[start..].split('"').nth(3).unwrap();
        let numbers: Vec<f64> = d
            .split(['M', 'L', 'Z', ' '])
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().unwrap())
            .collect();
        numbers.chunks(2).map(|p| (p[0], p[1])).collect()
    }

    /// `n` weekly bars ending on the Friday `last`, in the zig-zag of [`bars`].
    fn weeks_to(last: Date, n: usize) -> Vec<PeriodBar> {
        let mut b = bars(n);
        let shift = last - b[n - 1].period_end;
        for bar in &mut b {
            bar.period_end += shift;
            bar.first_date += shift;
            bar.last_date += shift;
        }
        b
    }

    /// Events of January and February 2025 on half a year of weekly bars.
    fn events_chart(lang: Lang) -> CandleChart {
        let mut c = chart(1, lang);
        c.bars = weeks_to(date(2025, 2, 21), 20);
        (c.width, c.height) = (1200, 1200);
        c.markers = [
            (date(2025, 1, 8), "Fed minutes"),
            (date(2025, 1, 20), "Inauguration"),
            (date(2025, 1, 22), "Tariff threats"),
            (date(2025, 1, 29), "FOMC"),
            (date(2025, 2, 12), "Trump–Putin call"),
            (date(2025, 2, 13), "G8 remarks"),
            (date(2025, 2, 14), "Vance in Munich"),
            (date(2025, 2, 18), "Riyadh talks"),
        ]
        .into_iter()
        .map(|(d, t)| Marker::new(d, t))
        .collect();
        c
    }

    /// The bar whose week holds `d`.
    fn week_of(bars: &[PeriodBar], d: Date) -> usize {
        bars.iter()
            .position(|b| b.first_date - Days::new(2) <= d && d <= b.period_end)
            .unwrap()
    }

    #[test]
    fn events_in_the_same_or_next_weeks_share_one_marker_over_their_weeks() {
        for lang in [Lang::En, Lang::Ja] {
            let c = events_chart(lang);
            let f = Frame::new(&c);
            // 8 January alone; 20, 22 and 29 January (two weeks in a row); 12 to 18
            // February (two weeks in a row).
            let labels: Vec<&str> = f.markers.iter().map(|m| m.label.as_str()).collect();
            assert_eq!(labels, ["1", "2", "3"]);
            let groups = [vec![0], vec![1, 2, 3], vec![4, 5, 6, 7]];
            for (m, events) in f.markers.iter().zip(&groups) {
                let mut weeks: Vec<usize> = events
                    .iter()
                    .map(|&e| week_of(&c.bars, c.markers[e].date))
                    .collect();
                weeks.dedup();
                // A bracket down to each event's week, and the marker over them.
                let xs: Vec<f64> = m.guides.iter().map(|g| g.0).collect();
                let want: Vec<f64> = weeks.iter().map(|&i| f.x(i)).collect();
                assert_eq!(xs, want, "{lang:?}");
                let (lo, hi) = (want[0], want[want.len() - 1]);
                assert!(lo <= m.cx && m.cx <= hi, "{m:?}");
                assert!((m.cx - f64::midpoint(lo, hi)).abs() < 1e-9, "{m:?}");
                // Above every candle under it, inside the plot.
                let b = m.bounds();
                for i in 0..c.bars.len() {
                    if (f.x(i) - m.cx).abs() <= m.half_w {
                        assert!(b.y + b.h < f.y(bar_top(&c.bars[i])), "{m:?} over bar {i}");
                    }
                }
                assert!(
                    b.y >= f.top && b.x >= f.left && b.x + b.w <= f.right,
                    "{b:?}"
                );
            }
            assert_eq!(f.markers[0].cx, f.x(week_of(&c.bars, date(2025, 1, 8))));
            let boxes: Vec<LabelBox> = f.markers.iter().map(MarkerSpot::bounds).collect();
            for (i, b) in boxes.iter().enumerate() {
                assert!(boxes[..i].iter().all(|o| !o.overlaps(b)), "{boxes:?}");
            }
            let svg = render_svg(&c).unwrap();
            assert_eq!(svg.matches(r#"<g class="marker">"#).count(), 3);
            // The key: a row per event, its group's number where the group starts.
            let numbers: Vec<Option<&str>> =
                f.key.rows.iter().map(|r| r.number.as_deref()).collect();
            assert_eq!(
                numbers,
                [
                    Some("1"),
                    Some("2"),
                    None,
                    None,
                    Some("3"),
                    None,
                    None,
                    None
                ]
            );
            let dates: Vec<&str> = f.key.rows.iter().map(|r| r.date.as_str()).collect();
            match lang {
                Lang::Ja => assert_eq!(dates[0], "1月8日"),
                _ => assert_eq!(dates[0], "8 Jan"),
            }
            assert!(svg.contains(">Vance in Munich</text>"));
        }
    }

    #[test]
    fn event_groups_name_the_numbers_drawn_and_where() {
        let c = events_chart(Lang::En);
        let groups = crate::event_groups(&c).unwrap();
        let numbers: Vec<(usize, Vec<usize>)> = groups
            .iter()
            .map(|g| (g.number, g.markers.clone()))
            .collect();
        assert_eq!(
            numbers,
            [(1, vec![0]), (2, vec![1, 2, 3]), (3, vec![4, 5, 6, 7])]
        );
        // In the image's pixels: the laid-out box times the scale.
        let f = Frame::new(&c);
        let scale = 1200.0 / f.width;
        for (g, m) in groups.iter().zip(&f.markers) {
            assert!((g.bounds[0] - (m.cx - m.half_w) * scale).abs() < 1e-9);
            assert!((g.bounds[3] - (m.cy + MARKER_RADIUS) * scale).abs() < 1e-9);
        }
        // One layout serves both.
        assert_eq!(
            crate::render_svg_with_groups(&c).unwrap(),
            (render_svg(&c).unwrap(), groups.clone())
        );
        let mut none = c.clone();
        none.markers.clear();
        assert_eq!(crate::event_groups(&none).unwrap(), []);
        none.bars.clear();
        assert_eq!(crate::event_groups(&none), Err(ChartError::EmptyBars));
    }

    #[test]
    fn markers_keep_apart_inside_the_plot_whatever_the_events() {
        // No events, all in one week, one candle, both edges, many events on a long chart,
        // small charts: no marker leaves the plot or covers another, and every event is in
        // the key once.
        let cases: Vec<(usize, Vec<usize>, (u32, u32))> = vec![
            (110, vec![], (1200, 675)),
            (110, vec![50, 50, 50, 50], (1200, 675)),
            (1, vec![0, 0, 0], (1200, 675)),
            (2, vec![0, 1], (200, 200)),
            (110, vec![0, 1, 109, 108, 107], (400, 240)),
            (110, (0..110).step_by(3).collect(), (1200, 900)),
            (520, (0..520).step_by(7).collect(), (1200, 675)),
            (30, vec![0, 2, 4, 6, 8, 29], (2400, 1350)),
        ];
        for (n, on, (width, height)) in cases {
            let mut c = chart(n, Lang::En);
            (c.width, c.height) = (width, height);
            c.subtitle = Some("as of".to_owned());
            c.markers = on
                .iter()
                .map(|&i| Marker::new(c.bars[i].period_end, format!("event on bar {i}")))
                .collect();
            let svg = render_svg(&c).unwrap();
            let f = Frame::new(&c);
            let boxes: Vec<LabelBox> = f.markers.iter().map(MarkerSpot::bounds).collect();
            for (i, b) in boxes.iter().enumerate() {
                assert!(b.y >= f.top - 1e-9, "{n} {width}x{height}: {b:?}");
                assert!(b.x >= f.left && b.x + b.w <= f.right, "{n}: {b:?}");
                assert!(boxes[..i].iter().all(|o| !o.overlaps(b)), "{n}: {boxes:?}");
            }
            let in_key = f.key.rows.len();
            let left_out = f
                .key
                .rows
                .last()
                .and_then(|r| r.text.strip_prefix("and "))
                .and_then(|t| t.strip_suffix(" more"))
                .map_or(0, |k| k.parse::<usize>().unwrap());
            let listed = if left_out > 0 { in_key - 1 } else { in_key };
            assert_eq!(listed + left_out, on.len(), "{n} {width}x{height}");
            assert!(f.key.height <= f.height * KEY_MAX_SHARE.max(KEY_ROW / f.height) + 1e-9);
            assert_eq!(
                svg.matches(r#"<g class="marker">"#).count(),
                f.markers.len()
            );
            crate::png::parse(&svg).unwrap();
        }
    }

    #[test]
    fn markers_outside_the_bars_are_skipped() {
        let mut c = chart(20, Lang::En);
        let (first, last) = (c.bars[0].first_date, c.bars[19].period_end);
        c.markers = vec![
            Marker::new(first - Days::new(1), "before"),
            Marker::new(last + Days::new(1), "after"),
        ];
        let svg = render_svg(&c).unwrap();
        assert!(!svg.contains(r#"class="marker""#) && !svg.contains(r#"class="key""#));
        assert!(!svg.contains("before") && !svg.contains("after"));
        // The first day of the first bar's period and the last bar's end do count.
        c.markers.push(Marker::new(first, "a"));
        c.markers.push(Marker::new(last, "b"));
        let f = Frame::new(&c);
        let xs: Vec<f64> = f
            .markers
            .iter()
            .flat_map(|m| &m.guides)
            .map(|g| g.0)
            .collect();
        assert_eq!(xs, [f.x(0), f.x(19)]);
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="marker""#).count(), 2);
    }

    #[test]
    fn long_keys_are_cut_short_and_summed_up() {
        let mut c = chart(110, Lang::Ja);
        c.markers = (0..40)
            .map(|i| {
                Marker::new(
                    c.bars[2 * i].period_end,
                    "米ロ外相がリヤドで会談、ウクライナと欧州抜きで停戦協議を開始した",
                )
            })
            .collect();
        let f = Frame::new(&c);
        let last = f.key.rows.last().unwrap();
        assert!(
            last.text.starts_with("ほか") && last.text.ends_with('件'),
            "{last:?}"
        );
        assert!(f.key.rows.iter().any(|r| r.text.ends_with('…')));
        assert!(f.key.height <= f.height * KEY_MAX_SHARE);
        // Every row fits its column.
        for r in &f.key.rows {
            let (_, text_x) = f.key.columns[r.column];
            let end = text_x + measured(&r.text, KEY_SIZE, false, true);
            let column_end = f
                .key
                .columns
                .get(r.column + 1)
                .map_or(f.width - MARGIN, |c| {
                    c.0 - 2.0 * KEY_BADGE - 6.0 - KEY_COLUMN_GAP
                });
            assert!(
                end <= column_end + 0.5,
                "{r:?} ends at {end}, column at {column_end}"
            );
        }
    }

    /// Every text of a rendered SVG as resvg lays it out: its characters and its box in
    /// the image's pixels, as `(x0, y0, x1, y1)`.
    fn laid_out_texts(svg: &str) -> Vec<(String, [f32; 4])> {
        fn walk(g: &resvg::usvg::Group, out: &mut Vec<(String, [f32; 4])>) {
            for node in g.children() {
                match node {
                    resvg::usvg::Node::Group(g) => walk(g, out),
                    resvg::usvg::Node::Text(t) => {
                        let text: String = t.chunks().iter().map(|c| c.text()).collect();
                        let b = t.abs_bounding_box();
                        out.push((text, [b.left(), b.top(), b.right(), b.bottom()]));
                    }
                    _ => {}
                }
            }
        }
        let tree = crate::png::parse(svg).unwrap();
        let mut out = Vec::new();
        walk(tree.root(), &mut out);
        out
    }

    /// The example report's chart: two years of weekly bars to 18 February 2025, its
    /// events, its targets (two of them 20 dollars apart), the last close and a fan.
    fn report_chart(lang: Lang, (width, height): (u32, u32)) -> CandleChart {
        let mut c = events_chart(lang);
        c.bars = weeks_to(date(2025, 2, 21), 110);
        let top = c.bars.iter().map(|b| b.high).fold(f64::MIN, f64::max);
        let ja = lang == Lang::Ja;
        c.title = if ja {
            "米国のNATO離脱は金価格に何をもたらすか：金価格 週足推移".to_owned()
        } else {
            "What a US withdrawal from NATO would mean for gold — Gold, LBMA PM fix, weekly"
                .to_owned()
        };
        c.subtitle = Some(if ja {
            "2023年2月21日〜2025年2月18日（2025年2月18日時点）、直近終値 2,927.10ドル".to_owned()
        } else {
            "21 Feb 2023 – 18 Feb 2025, as of 18 February 2025 · last close 2,927.10".to_owned()
        });
        let (unit, tag) = if ja {
            ("ドル", "2,927ドル")
        } else {
            ("", "$2,927/oz")
        };
        let name = |v: f64| {
            if ja {
                format!("目標 {}{unit}", grouped(v, 0))
            } else {
                format!("Target {}", grouped(v, 0))
            }
        };
        c.targets = vec![
            TargetLine::new(top - 100.0, name(top - 100.0)),
            TargetLine::new(top + 260.0, name(top + 260.0)),
            TargetLine::new(
                top + 280.0,
                if ja {
                    format!("{}（+10%）", name(top + 280.0))
                } else {
                    format!("{} (+10%)", name(top + 280.0))
                },
            ),
        ];
        c.last_close_label = Some(tag.to_owned());
        c.fan = Some(if ja {
            Fan::new(
                fan_after(&c.bars, 19, 2.0).points,
                "90%区間（5〜95%）",
                "50%区間（25〜75%）",
                "中央値",
            )
        } else {
            fan_after(&c.bars, 19, 2.0)
        });
        if ja {
            c.source_line = "出所：LBMA、FRED（aurum作成）".to_owned();
            c.y_axis_label = "ドル/トロイオンス".to_owned();
        }
        (c.width, c.height) = (width, height);
        c
    }

    const SIZES: [(u32, u32); 6] = [
        (1200, 1200),
        (1200, 900),
        (1200, 675),
        (800, 450),
        (1600, 1200),
        (600, 600),
    ];

    #[test]
    fn no_two_texts_overlap_as_laid_out() {
        for lang in [Lang::En, Lang::Ja] {
            for size in SIZES {
                let c = report_chart(lang, size);
                let svg = render_svg(&c).unwrap();
                let texts = laid_out_texts(&svg);
                assert!(texts.len() > 15, "{texts:?}");
                for (i, (a, p)) in texts.iter().enumerate() {
                    for (b, q) in &texts[..i] {
                        let apart = p[0] >= q[2] || q[0] >= p[2] || p[1] >= q[3] || q[1] >= p[3];
                        assert!(apart, "{lang:?} {size:?}: {a:?} {p:?} overlaps {b:?} {q:?}");
                    }
                    // Inside the image.
                    let (w, h) = (
                        f32::from(u16::try_from(size.0).unwrap()),
                        f32::from(u16::try_from(size.1).unwrap()),
                    );
                    assert!(
                        p[0] >= 0.0 && p[1] >= 0.0 && p[2] <= w && p[3] <= h,
                        "{a:?} {p:?}"
                    );
                }
                // Each label and tag is there, whole, and each target has a label.
                let all: Vec<&str> = texts.iter().map(|t| t.0.as_str()).collect();
                let f = Frame::new(&c);
                for l in &f.target_labels {
                    for row in &l.rows {
                        assert!(all.contains(&row.as_str()), "{all:?}");
                    }
                }
                for i in 0..c.targets.len() {
                    assert!(f.target_labels.iter().any(|l| l.members.contains(&i)));
                }
                assert!(all.contains(&c.last_close_label.as_deref().unwrap()));
            }
        }
    }

    #[test]
    fn target_labels_cover_no_other_target_line() {
        // Three targets, two of them 20 dollars apart and the third close below: each
        // label reads next to its own lines, over none of the others.
        for lang in [Lang::En, Lang::Ja] {
            for size in [(1200, 1200), (1200, 1500), (800, 1000)] {
                let c = report_chart(lang, size);
                let f = Frame::new(&c);
                for l in &f.target_labels {
                    let b = l.b;
                    let own: Vec<f64> =
                        l.members.iter().map(|&i| f.y(c.targets[i].value)).collect();
                    let lo = own.iter().copied().fold(b.y, f64::min);
                    let hi = own.iter().copied().fold(b.y + b.h, f64::max);
                    for (j, t) in c.targets.iter().enumerate() {
                        let y = f.y(t.value);
                        assert!(
                            l.members.contains(&j) || y <= lo - 1.0 || y >= hi + 1.0,
                            "{lang:?} {size:?}: label {:?} {b:?} over line {j} at {y}",
                            l.members
                        );
                    }
                }
            }
        }
    }

    /// The example report's chart as a user saw it: two years of weekly bars up to a last
    /// close of 2,927.10, targets at 3,000, 3,200 and 3,219.81 (+10%), its events and a fan
    /// reaching 3,600.
    fn example_chart(lang: Lang, size: (u32, u32)) -> CandleChart {
        let mut c = report_chart(lang, size);
        let (first, last) = (c.bars[0].open, c.bars[c.bars.len() - 1].close);
        let k = (2927.10 - 1830.0) / (last - first);
        let map = |p: f64| 1830.0 + (p - first) * k;
        for b in &mut c.bars {
            (b.open, b.high, b.low, b.close) = (map(b.open), map(b.high), map(b.low), map(b.close));
        }
        let last = c.bars[c.bars.len() - 1];
        let mut fan = c.fan.take().unwrap();
        for (n, p) in fan.points.iter_mut().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let inner = 45.0 * ((n + 1) as f64).sqrt();
            p.p50 = last.close + 6.0 * (n as f64 + 1.0);
            (p.p5, p.p25, p.p75, p.p95) = (
                p.p50 - 3.0 * inner,
                p.p50 - inner,
                p.p50 + inner,
                p.p50 + 3.0 * inner,
            );
        }
        c.fan = Some(fan);
        let ja = lang == Lang::Ja;
        let name = |v: &str, rel: bool| match (ja, rel) {
            (true, false) => format!("目標 {v}ドル"),
            (true, true) => format!("目標 {v}ドル（+10%）"),
            (false, false) => format!("Target {v}"),
            (false, true) => format!("Target {v} (+10%)"),
        };
        c.targets = vec![
            TargetLine::new(3000.0, name("3,000", false)),
            TargetLine::new(3200.0, name("3,200", false)),
            TargetLine::new(3219.81, name("3,220", true)),
        ];
        c
    }

    /// The example chart in both languages at every size, with its layout.
    fn example_frames() -> Vec<(String, CandleChart, Frame)> {
        let mut out = Vec::new();
        for lang in [Lang::En, Lang::Ja] {
            for size in SIZES {
                let c = example_chart(lang, size);
                let f = Frame::new(&c);
                out.push((format!("{lang:?} {size:?}"), c, f));
            }
        }
        out
    }

    #[test]
    fn every_target_label_is_at_its_lines_or_has_a_leader_to_one() {
        for (at, c, f) in example_frames() {
            for l in &f.target_labels {
                let own: Vec<f64> = l.members.iter().map(|&i| f.y(c.targets[i].value)).collect();
                let (top, bottom) = (
                    own.iter().copied().fold(f64::MAX, f64::min),
                    own.iter().copied().fold(f64::MIN, f64::max),
                );
                let b = l.b;
                match l.leader {
                    // The box reaches (within 2 px) the band of its lines.
                    None => assert!(
                        b.y <= bottom + 2.0 && b.y + b.h >= top - 2.0,
                        "{at}: {:?} {b:?} far from its lines {own:?}",
                        l.text
                    ),
                    Some((x, from, to)) => {
                        assert!(own.contains(&to), "{at}: leader to {to}, lines {own:?}");
                        assert!((from - b.y).abs() < 1e-9 || (from - b.y - b.h).abs() < 1e-9);
                        assert!(b.x <= x && x <= b.x + b.w);
                    }
                }
            }
        }
    }

    #[test]
    fn no_target_label_crosses_another_line_or_the_last_price() {
        for (at, c, f) in example_frames() {
            let last_price = f.y(c.bars[c.bars.len() - 1].close);
            for l in &f.target_labels {
                let b = l.b;
                let others = c
                    .targets
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| !l.members.contains(j))
                    .map(|(_, t)| f.y(t.value))
                    .chain([last_price]);
                for y in others {
                    assert!(
                        y < b.y || y > b.y + b.h,
                        "{at}: {:?} {b:?} crosses the line at {y}",
                        l.text
                    );
                }
            }
        }
    }

    #[test]
    fn targets_closer_than_a_label_share_one() {
        let h = LABEL_SIZE + 6.0;
        for (at, c, f) in example_frames() {
            let label_of = |i: usize| {
                let mut of = f.target_labels.iter().filter(|l| l.members.contains(&i));
                let l = of.next().unwrap();
                assert!(of.next().is_none(), "{at}: target {i} labelled twice");
                l
            };
            for i in 0..c.targets.len() {
                for j in 0..i {
                    if (f.y(c.targets[i].value) - f.y(c.targets[j].value)).abs() < h {
                        assert_eq!(label_of(i), label_of(j), "{at}: {i} and {j}");
                    }
                }
            }
            // 3,200 and 3,219.81 are closer than a label at every size.
            assert!(label_of(1).members.contains(&2), "{at}");
            assert!(label_of(1).text.contains("3,200") && label_of(1).text.contains("3,220"));
        }
    }

    #[test]
    fn target_labels_leave_the_latest_candles_and_the_fan_clear() {
        for (at, c, f) in example_frames() {
            let keep = latest_boxes(&c, &f);
            assert_eq!(keep.len(), LATEST_CANDLES + 1);
            for l in &f.target_labels {
                assert!(keep.iter().all(|k| !k.overlaps(&l.b)), "{at}: {:?}", l.text);
            }
        }
    }

    #[test]
    fn price_numbers_clear_of_the_last_close_tag_stay() {
        for (at, c, f) in example_frames() {
            let svg = draw(&c, &f);
            let tag = f.y(2927.10);
            for (&v, label) in f.price_ticks.values.iter().zip(&f.price_labels) {
                let gap = (f.y(v) - tag).abs();
                let drawn = svg.contains(&format!(">{label}</text>"));
                // The tag reaches 10 px from its middle, a number's digits about 4.4.
                assert_eq!(drawn, gap >= TICK_SIZE * 0.87 + 4.0, "{at}: {label} {gap}");
            }
        }
    }

    #[test]
    fn text_reads_at_phone_width() {
        // Shown 375 px wide, the smallest text is still 10 px high, whatever the width.
        for lang in [Lang::En, Lang::Ja] {
            for size in SIZES.into_iter().chain([(2400, 1350), (375, 300)]) {
                let c = report_chart(lang, size);
                let svg = render_svg(&c).unwrap();
                let view_w: f64 = svg
                    .split("viewBox=\"0 0 ")
                    .nth(1)
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let sizes: Vec<f64> = svg
                    .split("font-size=\"")
                    .skip(1)
                    .map(|t| t.split('"').next().unwrap().parse().unwrap())
                    .collect();
                assert!(sizes.len() > 10);
                let smallest = sizes.iter().copied().fold(f64::INFINITY, f64::min);
                let at_phone = smallest * 375.0 / view_w;
                assert!(
                    at_phone >= 10.0 - 1e-9,
                    "{size:?}: {smallest} px in {view_w} px"
                );
                // And the texts with no size of their own take the root's 12 px or more:
                // every text sits in an element with a size.
                for text in laid_out_texts(&svg) {
                    let h = f64::from(text.1[3] - text.1[1]);
                    let image_w = f64::from(size.0);
                    assert!(h * 375.0 / image_w >= 9.99, "{size:?}: {text:?}");
                }
            }
        }
    }

    /// Whether `s` has a date written as `YYYY-MM-DD`.
    fn has_iso_date(s: &str) -> bool {
        let c: Vec<char> = s.chars().collect();
        c.windows(10).any(|w| {
            w.iter().enumerate().all(|(i, ch)| match i {
                4 | 7 => *ch == '-',
                _ => ch.is_ascii_digit(),
            })
        })
    }

    #[test]
    fn japanese_charts_write_dates_in_japanese() {
        let c = report_chart(Lang::Ja, (1200, 1200));
        let texts: Vec<String> = laid_out_texts(&render_svg(&c).unwrap())
            .into_iter()
            .map(|t| t.0)
            .collect();
        for t in &texts {
            assert!(!has_iso_date(t), "{t:?}");
            assert!(
                !t.contains([':', ';', '(', ')']),
                "Latin punctuation in {t:?}"
            );
        }
        for d in ["1月8日", "2月14日", "2月18日"] {
            assert!(texts.iter().any(|t| t == d), "{d} in {texts:?}");
        }
        assert!(texts.iter().any(|t| t == "2025年"), "{texts:?}");
        // The axis title of a plain 16:9 chart read at phone width is whole.
        let mut plain = chart(110, Lang::Ja);
        plain.y_axis_label = "ドル/トロイオンス".to_owned();
        assert!(
            render_svg(&plain)
                .unwrap()
                .contains(">ドル/トロイオンス</text>")
        );
        // Events over two years get their years.
        let mut c = events_chart(Lang::Ja);
        c.bars = weeks_to(date(2025, 2, 21), 60);
        c.markers.insert(0, Marker::new(date(2024, 6, 5), "ECB"));
        let svg = render_svg(&c).unwrap();
        assert!(svg.contains(">2024年6月5日</text>") && svg.contains(">2025年2月18日</text>"));
        assert!(!has_iso_date(&svg.replace("2025-", "")));
    }

    #[test]
    fn color_blind_candles_are_blue_and_orange_and_rising_ones_hollow() {
        let mut c = chart(60, Lang::En);
        c.last_close_label = Some("1".to_owned());
        let plain = render_svg(&c).unwrap();
        c.color_blind_safe = true;
        let safe = render_svg(&c).unwrap();
        let candles = |svg: &str| -> Vec<String> {
            svg.lines()
                .filter(|l| l.starts_with(r#"<g class="candle""#))
                .map(str::to_owned)
                .collect()
        };
        // The last-close tag takes the last candle's colour, with dark text on orange.
        let last = c.bars.last().unwrap();
        let tag = safe
            .lines()
            .find(|l| l.starts_with(r#"<g class="last-close">"#));
        let tag = tag.unwrap();
        if last.close >= last.open {
            assert!(
                tag.contains(UP_SAFE) && tag.contains(r##"fill="#ffffff">1<"##),
                "{tag}"
            );
        } else {
            assert!(tag.contains(DOWN_SAFE) && tag.contains(&format!("fill=\"{INK}\">1<")));
        }
        let (plain, safe) = (candles(&plain), candles(&safe));
        assert_eq!(plain.len(), 60);
        for (bar, (p, s)) in c.bars.iter().zip(plain.iter().zip(&safe)) {
            let rising = bar.close >= bar.open;
            let (old, new) = if rising {
                (UP, UP_SAFE)
            } else {
                (DOWN, DOWN_SAFE)
            };
            assert!(p.contains(old) && !p.contains(new), "{p}");
            assert!(
                s.contains(new) && !s.contains(UP) && !s.contains(DOWN),
                "{s}"
            );
            // Rising bodies are hollow (a white box in an outline), falling ones filled.
            assert_eq!(s.contains(r##"fill="#ffffff""##), rising, "{s}");
        }
        // In greyscale the two still differ: dark blue against light orange.
        let luma = |hex: &str| {
            let v = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
            0.299 * v(1) + 0.587 * v(3) + 0.114 * v(5)
        };
        assert!(luma(DOWN_SAFE) - luma(UP_SAFE) > 50.0);
    }

    #[test]
    fn target_labels_keep_clear_of_markers_and_legend() {
        let mut c = chart(110, Lang::En);
        c.fan = Some(fan_after(&c.bars, 19, 2.0));
        let f = Frame::new(&c);
        let legend = f.legend.unwrap();
        // A target through the legend's middle: its label moves off the legend.
        let value = c.bars[0].low
            + (f.y(c.bars[0].low) - (legend.y + legend.h / 2.0)) / (f.bottom - f.top)
                * (f.y_hi - f.y_lo);
        let y = f.y(value);
        let (b, _) =
            place_target_label(&f, &[legend], (y, y), &[], &["Target".to_owned()], false).unwrap();
        assert!(!b.overlaps(&legend), "{b:?} vs {legend:?}");
    }

    #[test]
    fn fan_adds_its_paths_and_legend() {
        let mut c = chart(110, Lang::En);
        c.read_width = 0;
        assert!(!render_svg(&c).unwrap().contains("fan"));
        let mut fan = fan_after(&c.bars, 19, 2.0);
        fan.median_label = "Median <p50>".to_owned();
        c.fan = Some(fan);
        let svg = render_svg(&c).unwrap();
        for class in [
            "fan",
            "fan-as-of",
            "fan-outer",
            "fan-inner",
            "fan-median",
            "fan-legend",
        ] {
            assert_eq!(
                svg.matches(&format!(r#"class="{class}""#)).count(),
                1,
                "{class}"
            );
        }
        assert!(svg.contains(">90% range</text>") && svg.contains(">50% range</text>"));
        assert!(svg.contains(">Median &lt;p50&gt;</text>"));
        // The fan sits under the candles, its legend over them.
        let fan_at = svg.find(r#"<g class="fan">"#).unwrap();
        assert!(fan_at < svg.find(r#"class="candle""#).unwrap());
        assert!(svg.rfind(r#"class="candle""#) < svg.find(r#"class="fan-legend""#));
        // The legend covers no candle, no part of the fan and no line.
        let f = Frame::new(&c);
        let legend = f.legend.unwrap();
        assert_eq!(legend_hits(&f, &c, c.fan.as_ref().unwrap(), &legend), 0);
        assert!(legend.y >= f.top && legend.x >= f.left && legend.x + legend.w <= f.right);
        crate::png::parse(&svg).unwrap();
    }

    #[test]
    fn a_legend_with_no_free_corner_goes_in_a_row_above_the_plot() {
        // Square, as the report's weekly chart, and short labels; targets at the top and
        // bottom of the range put a label in every corner of the plot.
        let mut c = chart(110, Lang::Ja);
        (c.width, c.height) = (1200, 1200);
        let mut fan = fan_after(&c.bars, 19, 2.0);
        (fan.outer_label, fan.inner_label, fan.median_label) =
            ("90%区間".into(), "50%区間".into(), "中央値".into());
        c.fan = Some(fan);
        let (lo, hi) = c.bars.iter().fold((f64::MAX, f64::MIN), |(lo, hi), b| {
            (lo.min(b.low), hi.max(b.high))
        });
        c.targets = vec![
            TargetLine::new(hi * 1.02, "目標 とても高い水準の価格"),
            TargetLine::new(lo * 0.98, "目標 とても低い水準の価格"),
        ];
        let f = Frame::new(&c);
        let fan = c.fan.as_ref().unwrap();
        let inside = Frame::build(&c, false);
        assert!(
            inside
                .legend
                .is_none_or(|b| legend_hits(&inside, &c, fan, &b) > 0)
        );
        assert!(f.legend.is_none());
        let mid = f.legend_row.expect("a row");
        // The row sits between the header and the plot, which gave it room.
        assert!(mid > f.header.bottom - LEGEND_ROW && mid + LEGEND_SIZE / 2.0 < f.top);
        assert!(f.top > inside.top);
        let svg = render_svg(&c).unwrap();
        assert_eq!(svg.matches(r#"class="fan-legend""#).count(), 1);
        assert!(svg.contains(">50%区間</text>"));
        // The inner band's sample is seen over the outer one, as in the plot.
        let group = &svg[svg.find(r#"class="fan-legend""#).unwrap()..];
        let group = &group[..group.find("</g>").unwrap()];
        assert_eq!(group.matches("<rect").count(), 3);
    }

    #[test]
    fn fan_continues_the_candles_one_slot_on() {
        let mut c = chart(110, Lang::En);
        c.last_close_label = Some("2,935.29".to_owned());
        c.fan = Some(fan_after(&c.bars, 19, 2.0));
        let f = Frame::new(&c);
        // One slot per bar and per fan point, plus half an empty one at each end.
        assert!((f.slot * 130.0 - (f.right - f.left)).abs() < 1e-9);
        assert!((f.x(110) - f.x(109) - f.slot).abs() < 1e-9);
        let svg = render_svg(&c).unwrap();
        let last = &c.bars[109];
        let start = (f.x(109), f.y(last.close));
        for class in ["fan-outer", "fan-inner", "fan-median"] {
            let points = path_points(&svg, class);
            // Every part starts at the last close, at the last bar.
            assert_eq!(
                points[0],
                (num(start.0).parse().unwrap(), num(start.1).parse().unwrap())
            );
            // The first fan point is one slot right of the last candle.
            assert_eq!(
                points[1].0,
                num(f.x(110)).parse::<f64>().unwrap(),
                "{class}"
            );
            assert!(
                (points[1].0 - points[0].0 - f.slot).abs() < 0.011,
                "{class}"
            );
        }
        let median = path_points(&svg, "fan-median");
        assert_eq!(median.len(), 20);
        assert!((median[19].0 - (f.right - f.slot)).abs() < 0.011);
        // The last-close tag is still there.
        assert_eq!(svg.matches(r#"class="last-close""#).count(), 1);
    }

    #[test]
    fn fan_dates_get_ticks() {
        // 30 weeks from 2023-01-06 end in July 2023; the fan runs on into December.
        let mut c = chart(30, Lang::En);
        c.fan = Some(fan_after(&c.bars, 22, 2.0));
        let f = Frame::new(&c);
        let last = f.date_ticks.last().unwrap();
        assert!(last.index >= 30, "{:?}", f.date_ticks);
        let svg = render_svg(&c).unwrap();
        assert!(svg.contains(&format!(">{}</text>", last.label)));
        let without = Frame::new(&chart(30, Lang::En));
        assert!(without.date_ticks.iter().all(|t| t.index < 30));
    }

    #[test]
    fn fan_widens_the_price_range() {
        let mut c = chart(110, Lang::En);
        let top_bar = c.bars.iter().map(bar_top).fold(f64::MIN, f64::max);
        let low_bar = c.bars.iter().map(|b| b.low).fold(f64::MAX, f64::min);
        let mut fan = fan_after(&c.bars, 19, 2.0);
        let last = fan.points.len() - 1;
        fan.points[last].p95 = top_bar + 1000.0;
        fan.points[last].p5 = low_bar - 500.0;
        c.fan = Some(fan);
        let f = Frame::new(&c);
        assert!(f.y_hi > top_bar + 1000.0 && f.y_lo < low_bar - 500.0);
        let svg = render_svg(&c).unwrap();
        let outer = path_points(&svg, "fan-outer");
        let highest = outer.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        let lowest = outer.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert!(highest >= f.top && lowest <= f.bottom, "{highest} {lowest}");
        assert!((highest - f.y(top_bar + 1000.0)).abs() < 0.011);
        // The fan's top is above every candle.
        assert!(highest < f.y(top_bar));
    }

    #[test]
    fn invalid_fans_are_errors() {
        let mut c = chart(10, Lang::En);
        let last = c.bars[9].period_end;
        let good = fan_after(&c.bars, 5, 2.0);
        c.fan = Some(good.clone());
        assert!(render_svg(&c).is_ok());

        let mut fan = good.clone();
        fan.points.clear();
        c.fan = Some(fan);
        assert_eq!(render_svg(&c), Err(ChartError::EmptyFan));

        let mut fan = good.clone();
        fan.points[2].p50 = f64::NAN;
        c.fan = Some(fan);
        assert!(matches!(
            render_svg(&c),
            Err(ChartError::NonFiniteFan {
                index: 2,
                field: "p50",
                ..
            })
        ));

        let mut fan = good.clone();
        fan.points[0].period_end = last;
        c.fan = Some(fan);
        let err = render_svg(&c).unwrap_err();
        assert_eq!(
            err,
            ChartError::FanDateOrder {
                index: 0,
                date: last,
                after: last
            }
        );
        assert!(err.to_string().contains("must be dated after"), "{err}");

        let mut fan = good.clone();
        fan.points[3].period_end = fan.points[1].period_end;
        c.fan = Some(fan.clone());
        assert_eq!(
            render_svg(&c),
            Err(ChartError::FanDateOrder {
                index: 3,
                date: fan.points[1].period_end,
                after: fan.points[2].period_end
            })
        );

        let mut fan = good;
        let p = &mut fan.points[4];
        p.p25 = p.p50 + 1.0;
        let quantiles = [p.p5, p.p25, p.p50, p.p75, p.p95];
        let date = p.period_end;
        c.fan = Some(fan);
        let err = render_svg(&c).unwrap_err();
        assert_eq!(
            err,
            ChartError::FanQuantileOrder {
                index: 4,
                date,
                quantiles
            }
        );
        assert!(
            err.to_string().contains("p5 <= p25 <= p50 <= p75 <= p95"),
            "{err}"
        );
    }

    #[test]
    fn japanese_fan_legend_renders() {
        let mut c = chart(110, Lang::Ja);
        c.title = "金価格 週足".to_owned();
        c.markers = vec![Marker::new(c.bars[60].period_end, "1")];
        c.fan = Some(Fan::new(
            fan_after(&c.bars, 19, 2.0).points,
            "90%区間",
            "50%区間",
            "中央値",
        ));
        let svg = render_svg(&c).unwrap();
        assert!(svg.contains(">中央値</text>"));
        let png = crate::svg_to_png(&svg).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn flat_prices_still_get_a_range() {
        let mut c = chart(3, Lang::En);
        for b in &mut c.bars {
            (b.open, b.high, b.low, b.close) = (5.0, 5.0, 5.0, 5.0);
        }
        let svg = render_svg(&c).unwrap();
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn png_has_the_chart_size() {
        let mut c = chart(110, Lang::Ja);
        c.title = "金価格 週足".to_owned();
        let png = crate::svg_to_png(&render_svg(&c).unwrap()).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (1200, 675));
    }
}
