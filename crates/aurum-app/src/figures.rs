//! Figures: every chart aurum draws, built from results and labelled in English or Japanese,
//! as SVG (PNG through resvg).

use std::path::Path;

use aurum_backtest::Score;
use aurum_chart::{
    CandleChart, Fan, FanPoint, LineChart, LineSeries, Marker, TargetLine, render_line_svg,
    render_svg, svg_to_png,
};
use aurum_core::{Date, Frequency, Lang, SeriesId, period_end, resample};
use aurum_report::Report;
use aurum_sim::Results;
use aurum_store::Store;
use chrono::Datelike;

use crate::backtest::BacktestReport;
use crate::data::load_bars;
use crate::labels::{self, price};
use crate::{AppError, AppResult, Window};

/// A candlestick chart of a series.
#[derive(Clone, Debug)]
pub struct ChartRequest {
    /// The series.
    pub series: SeriesId,
    /// Bar frequency.
    pub freq: Frequency,
    /// Dates and as-of date.
    pub window: Window,
    /// Price levels drawn as labelled horizontal lines.
    pub targets: Vec<f64>,
    /// Language of the labels.
    pub lang: Lang,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title (default: the series name and frequency).
    pub title: Option<String>,
}

/// A drawn chart and how many bars it shows.
#[derive(Clone, Debug)]
pub struct Drawn {
    /// The SVG.
    pub svg: String,
    /// Bars drawn.
    pub bars: usize,
}

/// Draws candlesticks of a series.
///
/// # Errors
///
/// Targets that are not prices, an unknown series, no data in the window.
pub fn candles(store: &Store, a: &ChartRequest) -> AppResult<Drawn> {
    if let Some(t) = a.targets.iter().find(|t| !t.is_finite() || **t <= 0.0) {
        return Err(AppError::bad(
            "target",
            format!("`target` {t}: expected a price > 0"),
        ));
    }
    let (meta, bars) = load_bars(store, &a.series, &a.window)?;
    let bars = resample(&bars, a.freq);
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        return Err(AppError::bad(
            "from",
            format!("series {} has no data in the chosen window", meta.id),
        ));
    };
    let mut chart = CandleChart::new(
        bars.clone(),
        a.title
            .clone()
            .unwrap_or_else(|| labels::title(&meta, a.freq, a.lang)),
        labels::unit_axis(&meta, a.lang),
        labels::source(&meta, a.lang),
        a.lang,
    );
    chart.subtitle = Some(labels::subtitle(
        first.first_date,
        last.last_date,
        a.window.as_of,
        last.close,
        a.lang,
    ));
    chart.targets = a
        .targets
        .iter()
        .map(|&v| TargetLine::new(v, labels::target(v, &meta, a.lang)))
        .collect();
    chart.last_close_label = Some(price(last.close));
    chart.width = a.width;
    chart.height = a.height;
    Ok(Drawn {
        svg: render_svg(&chart)?,
        bars: bars.len(),
    })
}

/// Draws each group's CAAR path (in %) with a 95% band (±1.96 cross-sectional standard
/// errors), to SVG or PNG by the file's extension.
///
/// # Errors
///
/// A bad file name, no group with a cross-section, I/O.
pub fn caar_plot(
    report: &crate::study::StudyReport,
    a: &crate::study::StudyRequest,
    lang: Lang,
    path: &Path,
) -> AppResult<()> {
    let png = figure_kind("plot", path)?;
    let mut series = Vec::new();
    for g in &report.groups {
        let Some(agg) = &g.study.aggregate else {
            continue;
        };
        let (l1, _) = g.study.design.window;
        let xs = (0..agg.caar_path.len()).map(|i| f64::from(l1) + i as f64);
        let points: Vec<(f64, f64)> = xs
            .clone()
            .zip(&agg.caar_path)
            .map(|(x, y)| (x, 100.0 * y))
            .collect();
        let band = xs
            .zip(agg.caar_path.iter().zip(&agg.caar_path_se))
            .map(|(x, (y, se))| (x, 100.0 * (y - 1.96 * se), 100.0 * (y + 1.96 * se)))
            .collect();
        let mut s = LineSeries::new(labels::caar_series(&g.name, agg.n, lang), points);
        s.band = Some(band);
        series.push(s);
    }
    if series.is_empty() {
        return Err(AppError::bad(
            "plot",
            "`plot`: no group has two or more measured events to draw",
        ));
    }
    let (title, x_label, y_label) = labels::caar_axes(&report.series, lang);
    let mut chart = LineChart::new(title, x_label, y_label, labels::caar_source(report, lang));
    chart.subtitle = Some(labels::caar_subtitle(report, a, lang));
    chart.series = series;
    let svg = render_line_svg(&chart)?;
    write_figure(path, svg, png)?;
    Ok(())
}

/// Draws the annualised volatility term structure of a forecast.
///
/// # Errors
///
/// A bad file name, I/O.
pub fn term_structure_plot(f: &crate::vol::VolForecast, lang: Lang, path: &Path) -> AppResult<()> {
    let png = figure_kind("plot", path)?;
    let points: Vec<(f64, f64)> = f
        .forecast
        .iter()
        .map(|r| (r.horizon as f64, r.annualised_vol_pct))
        .collect();
    let (title, x, y, src) = labels::term_structure(&f.fit.series, &f.fit.model, lang);
    let mut chart = LineChart::new(title, x, y, src);
    chart.zero_line = false;
    chart.include_zero = false;
    chart.subtitle = f.origin.map(|d| labels::forecast_origin(d, lang));
    chart.series = vec![LineSeries::new(
        format!("{} {}", f.fit.model, f.fit.dist),
        points,
    )];
    let svg = render_line_svg(&chart)?;
    write_figure(path, svg, png)?;
    Ok(())
}

/// Draws a rolling GPR beta with its 95% band against time (x in years).
///
/// # Errors
///
/// A bad file name, no windows, I/O.
pub fn rolling_beta_plot(
    points: &[aurum_risk::RollingPoint],
    a: &crate::gpr::GprRequest,
    path: &Path,
) -> AppResult<()> {
    let png = figure_kind("plot", path)?;
    if points.is_empty() {
        return Err(AppError::bad(
            "plot",
            "`plot`: the sample is shorter than one rolling window",
        ));
    }
    let year = |d: Date| f64::from(d.year()) + f64::from(d.ordinal0()) / 365.25;
    let line: Vec<(f64, f64)> = points.iter().map(|p| (year(p.end), p.beta)).collect();
    let band = points
        .iter()
        .map(|p| (year(p.end), p.beta - 1.96 * p.se, p.beta + 1.96 * p.se))
        .collect();
    let (title, x, y, src) =
        labels::rolling_beta(a.rolling.unwrap_or(0), &a.freq.to_string(), a.lang);
    let mut chart = LineChart::new(title, x, y, src);
    chart.x_plain = true;
    chart.subtitle =
        Some(format!("{} · {} · {:?}", a.series, a.measure, a.component).to_lowercase());
    let mut s = LineSeries::new("beta", line);
    s.band = Some(band);
    chart.series = vec![s];
    let svg = render_line_svg(&chart)?;
    write_figure(path, svg, png)?;
    Ok(())
}

/// Whether a figure goes to PNG (else SVG), from the file's extension.
///
/// # Errors
///
/// Any other extension, naming the flag.
pub fn figure_kind(field: &str, path: &Path) -> AppResult<bool> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Ok(true),
        Some("svg") => Ok(false),
        _ => Err(AppError::bad(
            field,
            format!(
                "`{field}` {}: expected a file name ending in .svg or .png",
                path.display()
            ),
        )),
    }
}

/// Writes an SVG figure to `path`, rendered to PNG when `png`, creating the folder.
pub fn write_figure(path: &Path, svg: String, png: bool) -> AppResult<()> {
    let bytes = if png {
        svg_to_png(&svg)?
    } else {
        svg.into_bytes()
    };
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(dir)?;
    }
    fs_err::write(path, bytes)
        .map_err(|e| AppError::internal(format!("writing the figure {}: {e}", path.display())))?;
    Ok(())
}

/// Draws the price fan of a scenario run: the median with its 25–75% and 5–95% bands, and
/// the targets as flat lines.
///
/// # Errors
///
/// A bad file name, I/O.
pub fn fan_plot(
    f: &aurum_sim::ScenarioFile,
    r: &Results,
    s0: f64,
    lang: Lang,
    path: &Path,
) -> AppResult<()> {
    let png = figure_kind("fan", path)?;
    write_figure(path, fan_svg(f, r, s0, lang)?, png)
}

/// The SVG of [`fan_plot`], titled in `lang`.
///
/// # Errors
///
/// A fan the chart cannot draw.
pub fn fan_svg(f: &aurum_sim::ScenarioFile, r: &Results, s0: f64, lang: Lang) -> AppResult<String> {
    let x = |i: usize| (i + 1) as f64;
    let mut outer = LineSeries::new(
        labels::fan_label(lang, true),
        r.fan
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.q50))
            .collect(),
    );
    outer.band = Some(
        r.fan
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.q05, p.q95))
            .collect(),
    );
    let mut inner = LineSeries::new(
        labels::fan_label(lang, false),
        r.fan
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.q50))
            .collect(),
    );
    inner.band = Some(
        r.fan
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.q25, p.q75))
            .collect(),
    );
    let mut series = vec![outer, inner];
    for t in &r.targets {
        series.push(LineSeries::new(
            labels::target_level(t.target.round(), lang),
            vec![(1.0, t.target), (r.fan.len() as f64, t.target)],
        ));
    }
    let title = match lang {
        Lang::Ja => f.title_ja.as_deref().unwrap_or(&f.title),
        _ => &f.title,
    };
    let (title, xl, yl, src) = labels::fan(title, s0, lang);
    let mut chart = LineChart::new(title, xl, yl, src);
    chart.zero_line = false;
    chart.include_zero = false;
    chart.subtitle = Some(match lang {
        Lang::Ja => format!(
            "{} → {} · {}経路",
            f.as_of,
            f.horizon,
            aurum_core::text::grouped(r.paths as f64, 0)
        ),
        _ => format!(
            "{} → {} · {} paths",
            f.as_of,
            f.horizon,
            aurum_core::text::grouped(r.paths as f64, 0)
        ),
    });
    chart.series = series;
    Ok(render_line_svg(&chart)?)
}

/// Writes `scores.json`, and per horizon a reliability diagram and a PIT histogram (PNG).
///
/// # Errors
///
/// I/O.
pub fn write_backtest_outputs(dir: &Path, report: &BacktestReport, lang: Lang) -> AppResult<()> {
    fs_err::create_dir_all(dir)?;
    fs_err::write(
        dir.join("scores.json"),
        serde_json::to_string_pretty(report)? + "\n",
    )?;
    let mut horizons: Vec<usize> = report.summary.scores.iter().map(|s| s.horizon).collect();
    horizons.dedup();
    let ja = lang == Lang::Ja;
    for h in horizons {
        let scores: Vec<&Score> = report
            .summary
            .scores
            .iter()
            .filter(|s| s.horizon == h)
            .collect();
        let source = if ja {
            format!("出所: {}; aurum バックテスト", report.series)
        } else {
            format!("Source: {}; aurum backtest", report.series)
        };
        let (title, x, y) = if ja {
            (
                format!("確率予測の信頼性（{h}営業日先）"),
                "予測確率".to_owned(),
                "実現頻度".to_owned(),
            )
        } else {
            (
                format!("Reliability of threshold probabilities, {h} trading days ahead"),
                "Forecast probability".to_owned(),
                "Observed frequency".to_owned(),
            )
        };
        let mut chart = LineChart::new(title, x, y, source.clone());
        chart.x_ticks_integer = false;
        chart.zero_line = false;
        chart.subtitle = Some(if ja {
            "対角線上なら確率どおりに実現（閾値イベントをプール）".to_owned()
        } else {
            "On the diagonal, events happen as often as forecast (all threshold events pooled)"
                .to_owned()
        });
        for s in &scores {
            let pts: Vec<(f64, f64)> = s
                .brier
                .bins
                .iter()
                .map(|b| (b.mean_forecast, b.observed))
                .collect();
            if !pts.is_empty() {
                chart.series.push(LineSeries::new(
                    format!("{} (Brier {:.4})", s.model, s.brier.bs),
                    pts,
                ));
            }
        }
        // Last, so that each model keeps its colour across the charts.
        chart.series.push(LineSeries::new(
            if ja {
                "完全な信頼性"
            } else {
                "perfect reliability"
            },
            vec![(0.0, 0.0), (1.0, 1.0)],
        ));
        write_figure(
            &dir.join(format!("reliability-h{h}.png")),
            render_line_svg(&chart)?,
            true,
        )?;
        let (title, x, y) = if ja {
            (
                format!("PIT ヒストグラム（{h}営業日先）"),
                "PIT（予測分布での実現値の分位）".to_owned(),
                "相対頻度（1 = 一様）".to_owned(),
            )
        } else {
            (
                format!("PIT histogram, {h} trading days ahead"),
                "PIT (quantile of the outcome in the forecast)".to_owned(),
                "Relative frequency (1 = uniform)".to_owned(),
            )
        };
        let mut chart = LineChart::new(title, x, y, source);
        chart.x_ticks_integer = false;
        chart.zero_line = false;
        chart.subtitle = Some(if ja {
            "平坦なら較正良好。U字は分布が狭すぎ、山形は広すぎ".to_owned()
        } else {
            "Flat is calibrated; a U shape means too narrow, a hump too wide".to_owned()
        });
        for s in &scores {
            let k = s.pit.counts.len() as f64;
            let n = s.independent_n as f64;
            let pts: Vec<(f64, f64)> = s
                .pit
                .counts
                .iter()
                .enumerate()
                .map(|(i, c)| ((i as f64 + 0.5) / k, *c as f64 * k / n))
                .collect();
            chart.series.push(LineSeries::new(
                format!("{} (χ² p = {:.3})", s.model, s.pit.chi2_p),
                pts,
            ));
        }
        write_figure(
            &dir.join(format!("pit-h{h}.png")),
            render_line_svg(&chart)?,
            true,
        )?;
    }
    Ok(())
}

/// The report's figure: weekly candles up to as_of, the scenarios' events numbered by
/// section, the targets, and the simulated fan continuing the price to the horizon.
///
/// # Errors
///
/// No data before the as-of date.
pub fn weekly_chart(
    store: &Store,
    f: &aurum_sim::ScenarioFile,
    results: &Results,
    report: &Report,
    lang: Lang,
    weeks: usize,
) -> AppResult<String> {
    let id = SeriesId::new(f.series.clone())?;
    let from = f.as_of - chrono::Days::new(7 * weeks as u64);
    let (meta, bars) = load_bars(
        store,
        &id,
        &Window {
            from: Some(from),
            to: None,
            as_of: Some(f.as_of),
        },
    )?;
    let bars = resample(&bars, Frequency::Weekly);
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        return Err(AppError::bad(
            "weeks",
            format!("{id} has no data in the {weeks} weeks before {}", f.as_of),
        ));
    };
    let (first_date, last_date, last_close) = (first.first_date, last.last_date, last.close);
    let last_end = last.period_end;
    let title = match lang {
        Lang::Ja => format!(
            "{}：{}",
            f.title_ja.as_deref().unwrap_or(&f.title),
            labels::title(&meta, Frequency::Weekly, lang)
        ),
        _ => format!(
            "{} — {}",
            f.title,
            labels::title(&meta, Frequency::Weekly, lang)
        ),
    };
    let mut chart = CandleChart::new(
        bars,
        title,
        labels::unit_axis(&meta, lang),
        labels::source(&meta, lang),
        lang,
    );
    chart.subtitle = Some(labels::subtitle(
        first_date,
        last_date,
        Some(f.as_of),
        last_close,
        lang,
    ));
    chart.targets = report
        .targets
        .iter()
        .map(|t| {
            let label = match &t.relative {
                // A relative target lands on an odd price: round it and say where it is from.
                Some(r) => format!("{} ({r})", labels::target(t.level.round(), &meta, lang)),
                None => labels::target(t.level, &meta, lang),
            };
            TargetLine::new(t.level, label)
        })
        .collect();
    chart.last_close_label = Some(price(last_close));
    // One marker per section and week: two events of one section in a week are one mark.
    let week = |d: Date| (d.iso_week().year(), d.iso_week().week());
    let mut markers: Vec<Marker> = Vec::new();
    for s in &report.scenarios {
        for e in &s.events {
            let label = s.number.to_string();
            if !markers
                .iter()
                .any(|m| m.label == label && week(m.date) == week(e.date))
            {
                markers.push(Marker::new(e.date, label));
            }
        }
    }
    chart.markers = markers;
    // The fan at each week's last simulated day, labelled with the week's end as the candles
    // are, after the last candle.
    let mut points: Vec<FanPoint> = Vec::new();
    for x in &results.fan {
        let p = FanPoint {
            period_end: period_end(x.date, Frequency::Weekly),
            p5: x.q05,
            p25: x.q25,
            p50: x.q50,
            p75: x.q75,
            p95: x.q95,
        };
        match points.last_mut() {
            Some(last) if last.period_end == p.period_end => *last = p,
            _ => points.push(p),
        }
    }
    points.retain(|x| x.period_end > last_end);
    chart.fan = Some(match lang {
        Lang::Ja => Fan::new(points, "90%区間（5〜95%）", "50%区間（25〜75%）", "中央値"),
        _ => Fan::new(points, "90% range (5–95%)", "50% range (25–75%)", "median"),
    });
    Ok(render_svg(&chart)?)
}
