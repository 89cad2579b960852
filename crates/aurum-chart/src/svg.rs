//! The chart as an SVG document, written by hand.

use std::fmt::Write as _;

use aurum_core::{Lang, PeriodBar};

use crate::format::{escape, num, text_width};
use crate::scale::{DateTick, PriceTicks, date_ticks, price_ticks};
use crate::{CandleChart, ChartError, MAX_SIZE, MIN_SIZE};

/// Latin text: DejaVu Sans, with IPAexGothic for any Japanese in it.
pub(crate) const LATIN_FONTS: &str = "'DejaVu Sans', IPAexGothic, sans-serif";
/// Japanese text: IPAexGothic first.
pub(crate) const JAPANESE_FONTS: &str = "IPAexGothic, 'DejaVu Sans', sans-serif";

const UP: &str = "#26a69a";
const DOWN: &str = "#ef5350";
pub(crate) const INK: &str = "#131722";
pub(crate) const MUTED: &str = "#5d6470";
pub(crate) const FAINT: &str = "#8c929c";
pub(crate) const GRID: &str = "#ececec";
pub(crate) const AXIS: &str = "#b9bec6";
const TARGET_LINE: &str = "#e3a008";
const TARGET_TEXT: &str = "#9a6700";

pub(crate) const TITLE_SIZE: f64 = 22.0;
pub(crate) const SUBTITLE_SIZE: f64 = 14.0;
pub(crate) const TICK_SIZE: f64 = 12.0;
pub(crate) const AXIS_TITLE_SIZE: f64 = 13.0;
pub(crate) const SOURCE_SIZE: f64 = 12.0;
const LABEL_SIZE: f64 = 12.0;

/// Space left and right of everything, in pixels.
pub(crate) const MARGIN: f64 = 20.0;
/// Closest any tick label comes to the image's edge, in pixels.
pub(crate) const EDGE: f64 = 4.0;
/// Candle body width as a share of the space each bar gets.
const BODY_SHARE: f64 = 0.7;
/// Padding above and below the prices, as a share of their range.
const Y_PADDING: f64 = 0.05;

/// Draws `chart` as a standalone SVG document.
///
/// The same chart always gives the same string. Coordinates carry at most two decimals;
/// every text is XML-escaped. Each candle is one `<g class="candle">` (a wick and a body),
/// each target one `<line class="target">` and one `<g class="target-label">`, the
/// last-close marker one `<g class="last-close">`.
///
/// # Errors
///
/// [`ChartError::EmptyBars`] without bars, [`ChartError::NonFiniteBar`] or
/// [`ChartError::NonFiniteTarget`] for NaN or infinite prices, and
/// [`ChartError::InvalidSize`] when the width or height is outside 200–8000 pixels.
pub fn render_svg(chart: &CandleChart) -> Result<String, ChartError> {
    validate(chart)?;
    let frame = Frame::new(chart);
    let mut out = String::with_capacity(4096 + 200 * chart.bars.len());
    let text_fonts = match chart.lang {
        Lang::Ja => JAPANESE_FONTS,
        _ => LATIN_FONTS,
    };
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{text_fonts}">"#,
        w = chart.width,
        h = chart.height,
    );
    out.push('\n');
    w!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    out.push('\n');
    grid_and_axes(&mut out, &frame);
    for (i, bar) in chart.bars.iter().enumerate() {
        candle(&mut out, &frame, i, bar);
    }
    let mut label_boxes = Vec::new();
    for target in &chart.targets {
        let y = frame.y(target.value);
        target_line(&mut out, &frame, y);
        label_boxes.push(place_label(&frame, &label_boxes, y, &target.label));
    }
    if let (Some(label), Some(last)) = (&chart.last_close_label, chart.bars.last()) {
        last_close(&mut out, &frame, last, label);
    }
    for (target, label_box) in chart.targets.iter().zip(label_boxes) {
        target_label(&mut out, chart.lang, &target.label, label_box);
    }
    texts(&mut out, chart, &frame);
    out.push_str("</svg>\n");
    Ok(out)
}

fn validate(chart: &CandleChart) -> Result<(), ChartError> {
    let (width, height) = (chart.width, chart.height);
    if !(MIN_SIZE..=MAX_SIZE).contains(&width) || !(MIN_SIZE..=MAX_SIZE).contains(&height) {
        return Err(ChartError::InvalidSize { width, height });
    }
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
    /// Horizontal space per bar.
    slot: f64,
    price_ticks: PriceTicks,
    price_labels: Vec<String>,
    date_ticks: Vec<DateTick>,
    /// Price of the last-close tag, when there is one (tick labels make way for it).
    tag_price: Option<f64>,
}

impl Frame {
    fn new(chart: &CandleChart) -> Self {
        let (lo, hi) = price_range(chart);
        let price_ticks = price_ticks(lo, hi);
        let price_labels = price_ticks.labels();
        let label_w = price_labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE, false))
            .fold(0.0, f64::max);
        let tag_w = chart.last_close_label.as_deref().map_or(0.0, tag_width);
        // Tick labels start 8 px right of the axis; the tag starts at the axis.
        let gutter = (label_w + 8.0).max(tag_w) + 12.0 + AXIS_TITLE_SIZE + 12.0;
        let width = f64::from(chart.width);
        let height = f64::from(chart.height);
        let left = MARGIN;
        let right = (width - gutter).max(left + 40.0);
        let top = if chart.subtitle.is_some() { 84.0 } else { 62.0 };
        let bottom = height - 58.0;
        #[allow(clippy::cast_precision_loss)]
        let slot = (right - left) / (chart.bars.len() as f64 + 1.0);
        let date_ticks = date_ticks(&chart.bars, chart.lang, slot, TICK_SIZE);
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
            price_ticks,
            price_labels,
            date_ticks,
            tag_price,
        }
    }

    /// Centre of bar `i`: one empty slot is left at each end.
    fn x(&self, i: usize) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let i = i as f64;
        self.left + self.slot * (i + 1.0)
    }

    fn y(&self, price: f64) -> f64 {
        self.bottom - (price - self.y_lo) / (self.y_hi - self.y_lo) * (self.bottom - self.top)
    }
}

/// Lowest and highest price of the bars and targets, padded by 5% of the range.
fn price_range(chart: &CandleChart) -> (f64, f64) {
    let prices = chart
        .bars
        .iter()
        .flat_map(|b| [b.open, b.high, b.low, b.close])
        .chain(chart.targets.iter().map(|t| t.value));
    let (lo, hi) = prices.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p), hi.max(p))
    });
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * Y_PADDING
    } else {
        (hi.abs() * 0.01).max(1.0)
    };
    (lo - pad, hi + pad)
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
        if tag_y.is_some_and(|ty| (ty - y).abs() < TICK_SIZE + 5.0) {
            continue;
        }
        w!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            num(f.right + 8.0),
            num(y + TICK_SIZE * 0.36),
            escape(label),
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
            escape(label),
        );
        out.push('\n');
    }
    out.push_str("</g>\n");
}

fn candle(out: &mut String, f: &Frame, i: usize, bar: &PeriodBar) {
    let (open, close) = (bar.open, bar.close);
    let high = bar.high.max(open).max(close);
    let low = bar.low.min(open).min(close);
    let color = if close >= open { UP } else { DOWN };
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
    w!(
        out,
        r#"<g class="candle" fill="{color}" stroke="{color}" shape-rendering="crispEdges"><line x1="{wick_x}" y1="{}" x2="{wick_x}" y2="{}" stroke-width="{}"/><rect x="{}" y="{}" width="{}" height="{}" stroke="none"/></g>"#,
        num(f.y(high)),
        num(f.y(low)),
        num(wick),
        num(body_x),
        num(top),
        num(body),
        num(height),
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

impl LabelBox {
    fn overlaps(&self, other: &Self) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// Where the label of a target line at height `y` goes: at the line's left end, above it,
/// else below it, else further right, so that labels of close targets do not cover each
/// other. Falls back to the first spot when nothing is free.
fn place_label(f: &Frame, placed: &[LabelBox], y: f64, label: &str) -> LabelBox {
    let (w, h) = (text_width(label, LABEL_SIZE, true) + 12.0, LABEL_SIZE + 6.0);
    let above = LabelBox {
        x: f.left + 6.0,
        y: y - h - 3.0,
        w,
        h,
    };
    let below = LabelBox {
        y: y + 3.0,
        ..above
    };
    let first = if above.y >= f.top { above } else { below };
    let mut x = f.left + 6.0;
    for _ in 0..=placed.len() {
        let spots = [LabelBox { x, ..above }, LabelBox { x, ..below }];
        let inside = |b: &LabelBox| b.y >= f.top && b.y + b.h <= f.bottom;
        if let Some(free) = spots
            .into_iter()
            .find(|b| inside(b) && placed.iter().all(|p| !p.overlaps(b)))
        {
            return free;
        }
        // Step past the boxes in the way of the first spot that is inside the plot.
        let Some(spot) = spots.into_iter().find(inside) else {
            break;
        };
        x = placed
            .iter()
            .filter(|p| p.overlaps(&spot))
            .map(|p| p.x + p.w + 8.0)
            .fold(x, f64::max);
        if x + w > f.right {
            break;
        }
    }
    first
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

/// The label of a target on a translucent white box, drawn after every line so no line
/// crosses it.
fn target_label(out: &mut String, lang: Lang, label: &str, b: LabelBox) {
    w!(
        out,
        concat!(
            r#"<g class="target-label">"#,
            r##"<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" rx="3" fill="#ffffff" fill-opacity="0.85"/>"##,
            r#"<text x="{tx}" y="{ty}" font-size="{LABEL_SIZE}" fill="{TARGET_TEXT}" {bold}>{label}</text>"#,
            "</g>"
        ),
        bx = num(b.x),
        by = num(b.y),
        bw = num(b.w),
        bh = num(b.h),
        tx = num(b.x + 6.0),
        ty = num(b.y + LABEL_SIZE + 1.5),
        label = escape(label),
        bold = bold(lang, TARGET_TEXT, LABEL_SIZE),
        TARGET_TEXT = TARGET_TEXT,
        LABEL_SIZE = LABEL_SIZE,
    );
    out.push('\n');
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
    6.0 + 6.0 + text_width(label, TICK_SIZE, true) + 6.0
}

fn last_close(out: &mut String, f: &Frame, last: &PeriodBar, label: &str) {
    let color = if last.close >= last.open { UP } else { DOWN };
    let y = f.y(last.close);
    let (x0, half_h) = (crisp(f.right), TICK_SIZE / 2.0 + 4.0);
    let x1 = x0 + tag_width(label);
    w!(
        out,
        concat!(
            r#"<g class="last-close">"#,
            r#"<line x1="{l}" y1="{y}" x2="{x0}" y2="{y}" stroke="{color}" stroke-width="1" stroke-dasharray="2 3"/>"#,
            r#"<path d="M{x0} {y}L{xp} {yt}H{x1}V{yb}H{xp}Z" fill="{color}"/>"#,
            r##"<text x="{tx}" y="{ty}" font-family="{LATIN_FONTS}" font-size="{TICK_SIZE}" font-weight="bold" fill="#ffffff">{label}</text>"##,
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
        label = escape(label),
        color = color,
        LATIN_FONTS = LATIN_FONTS,
        TICK_SIZE = TICK_SIZE,
    );
    out.push('\n');
}

fn texts(out: &mut String, chart: &CandleChart, f: &Frame) {
    w!(
        out,
        r#"<text x="{}" y="36" font-size="{TITLE_SIZE}" fill="{INK}" {}>{}</text>"#,
        num(MARGIN),
        bold(chart.lang, INK, TITLE_SIZE),
        escape(&chart.title),
    );
    out.push('\n');
    if let Some(subtitle) = &chart.subtitle {
        w!(
            out,
            r#"<text x="{}" y="60" font-size="{SUBTITLE_SIZE}" fill="{MUTED}">{}</text>"#,
            num(MARGIN),
            escape(subtitle),
        );
        out.push('\n');
    }
    w!(
        out,
        r#"<text x="{}" y="{}" font-size="{SOURCE_SIZE}" fill="{FAINT}">{}</text>"#,
        num(MARGIN),
        num(f.height - 14.0),
        escape(&chart.source_line),
    );
    out.push('\n');
    // Axis title along the right edge, reading bottom to top, centred on the plot.
    let (x, y) = (f.width - 14.0, (f.top + f.bottom) / 2.0);
    w!(
        out,
        r#"<text transform="translate({} {}) rotate(-90)" text-anchor="middle" font-size="{AXIS_TITLE_SIZE}" fill="{MUTED}">{}</text>"#,
        num(x),
        num(y),
        escape(&chart.y_axis_label),
    );
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use aurum_core::{Date, date};
    use chrono::Days;

    use super::*;
    use crate::TargetLine;

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
        let mut placed = Vec::new();
        for t in &c.targets {
            let b = place_label(&f, &placed, f.y(t.value), &t.label);
            assert!(
                placed.iter().all(|p: &LabelBox| !p.overlaps(&b)),
                "{b:?} vs {placed:?}"
            );
            assert!(b.y >= f.top && b.y + b.h <= f.bottom && b.x + b.w <= f.right);
            placed.push(b);
        }
        // A lone target keeps the default spot: left end, above the line.
        assert_eq!(placed[3].x, f.left + 6.0);
        assert!(placed[3].y + placed[3].h < f.y(2000.0));
        assert_eq!(
            render_svg(&c).unwrap().matches(r#"class="target""#).count(),
            4
        );
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
        let svg = render_svg(&chart(110, Lang::Ja)).unwrap();
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
