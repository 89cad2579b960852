//! Figures: every chart aurum draws, built from results and labelled in English or Japanese,
//! as SVG (PNG through resvg).
//!
//! A Japanese chart reads as Japanese throughout: dates as `2025年2月18日` (never ISO),
//! full-width brackets and colons, `出所：` on the source line, and Japanese names for the
//! series, measures and statistics where aurum has them.

use std::path::Path;

use aurum_backtest::Score;
use aurum_chart::{
    CandleChart, Fan, FanPoint, FixedAxis, LineChart, LineSeries, Marker, TargetLine, date_x,
    render_line_svg, render_svg, series_color, svg_to_png,
};
use aurum_core::text::{grouped, ja_date};
use aurum_core::{Date, Frequency, Lang, SeriesId, SeriesMeta, Unit, period_end, resample};
use aurum_report::Report;
use aurum_report::format::{date as long_date, pct, usd};
use aurum_sim::{Results, ScenarioFile, Target};
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
        price_source(&meta, a.lang),
        a.lang,
    );
    chart.subtitle = Some(price_subtitle(
        &meta,
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
    let (title, subtitle, source) = match lang {
        Lang::Ja => (
            format!("地政学イベントに対する{}の反応", series_ja(&report.series)),
            caar_subtitle_ja(report, a),
            format!(
                "出所：aurumイベントカタログ、{}。手法はMacKinlay（1997）",
                series_ja(&report.series)
            ),
        ),
        _ => (
            title,
            labels::caar_subtitle(report, a, lang),
            labels::caar_source(report, lang),
        ),
    };
    let mut chart = LineChart::new(title, x_label, y_label, source);
    chart.subtitle = Some(subtitle);
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
    let (title, src, name) = match lang {
        Lang::Ja => (
            format!(
                "{}の予想ボラティリティ（{}）",
                series_ja(&f.fit.series),
                f.fit.model
            ),
            "出所：aurum（最尤法で推定したボラティリティ・モデル）".to_owned(),
            format!("{}（{}）", f.fit.model, dist_ja(f.fit.dist)),
        ),
        _ => (title, src, format!("{} {}", f.fit.model, f.fit.dist)),
    };
    let mut chart = LineChart::new(title, x, y, src);
    chart.zero_line = false;
    chart.include_zero = false;
    chart.subtitle = f.origin.map(|d| labels::forecast_origin(d, lang));
    chart.series = vec![LineSeries::new(name, points)];
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
    let (src, subtitle, name) = match a.lang {
        Lang::Ja => (
            "出所：Caldara・IacovielloのGPR指数、LBMA（aurum作成）".to_owned(),
            format!(
                "{}・GPRの{}・{}",
                series_ja(a.series.as_str()),
                measure_ja(a.measure),
                component_ja(a.component)
            ),
            "ベータ",
        ),
        _ => (
            src,
            format!("{} · {} · {:?}", a.series, a.measure, a.component).to_lowercase(),
            "beta",
        ),
    };
    let mut chart = LineChart::new(title, x, y, src);
    chart.x_plain = true;
    chart.subtitle = Some(subtitle);
    let mut s = LineSeries::new(name, line);
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
/// the targets as flat lines (see [`fan_svg`]).
///
/// # Errors
///
/// A bad file name, I/O.
pub fn fan_plot(f: &ScenarioFile, r: &Results, s0: f64, lang: Lang, path: &Path) -> AppResult<()> {
    let png = figure_kind("fan", path)?;
    write_figure(path, fan_svg(f, r, s0, lang)?, png)
}

/// The colour of the fan's median and bands: a neutral slate, leaving the palette's colours
/// to the targets.
const FAN_COLOR: &str = "#4a5568";

/// The SVG of [`fan_plot`], titled in `lang`: the median with its 5–95% and 25–75% bands
/// from the last close, over the simulated dates, and each target as a dashed line in the
/// colour it has in [`touch_svg`].
///
/// # Errors
///
/// A fan the chart cannot draw.
pub fn fan_svg(f: &ScenarioFile, r: &Results, s0: f64, lang: Lang) -> AppResult<String> {
    // Every quantile starts at the last close on the as-of date.
    let start = (date_x(f.as_of), s0, s0, s0, s0, s0);
    let rows: Vec<(f64, f64, f64, f64, f64, f64)> = std::iter::once(start)
        .chain(
            r.fan
                .iter()
                .map(|p| (date_x(p.date), p.q05, p.q25, p.q50, p.q75, p.q95)),
        )
        .collect();
    let median: Vec<(f64, f64)> = rows.iter().map(|q| (q.0, q.3)).collect();
    let outer = LineSeries {
        band: Some(rows.iter().map(|q| (q.0, q.1, q.5)).collect()),
        color: Some(FAN_COLOR.to_owned()),
        ..LineSeries::new(labels::fan_label(lang, true), median.clone())
    };
    let inner = LineSeries {
        band: Some(rows.iter().map(|q| (q.0, q.2, q.4)).collect()),
        color: Some(FAN_COLOR.to_owned()),
        line: false,
        ..LineSeries::new(labels::fan_label(lang, false), median)
    };
    let mut series = vec![outer, inner];
    let (first, last) = (start.0, rows.last().map_or(start.0, |q| q.0));
    for (j, t) in r.targets.iter().enumerate() {
        let name = target_name(t.target, f.targets.get(j), lang);
        series.push(LineSeries {
            color: Some(series_color(j).to_owned()),
            dashed: true,
            ..LineSeries::new(
                match lang {
                    Lang::Ja => format!("目標 {name}"),
                    _ => format!("target {name}"),
                },
                vec![(first, t.target), (last, t.target)],
            )
        });
    }
    let title = match lang {
        Lang::Ja => f.title_ja.as_deref().unwrap_or(&f.title),
        _ => &f.title,
    };
    let (title, _, yl, src) = labels::fan(title, s0, lang);
    let src = match lang {
        Lang::Ja => SIMULATION_SOURCE_JA.to_owned(),
        _ => src,
    };
    let mut chart = LineChart::new(title, "", yl, src);
    chart.zero_line = false;
    chart.include_zero = false;
    chart.x_dates = Some(lang);
    let paths = grouped(r.paths as f64, 0);
    let horizon = r.fan.last().map_or(f.horizon, |p| p.date);
    chart.subtitle = Some(match lang {
        Lang::Ja => format!(
            "{}〜{}、シミュレーション{paths}経路",
            ja_date(f.as_of),
            ja_date(horizon)
        ),
        _ => format!(
            "{} to {} · {paths} simulated paths",
            long_date(f.as_of, lang),
            long_date(horizon, lang)
        ),
    });
    chart.series = series;
    report_size(&mut chart);
    Ok(render_line_svg(&chart)?)
}

/// Lays a report's line chart out at 800×450 and draws it half as large again, as a
/// 1200×675 image (the size of a post's) whose text still reads at phone width.
fn report_size(chart: &mut LineChart) {
    (chart.width, chart.height, chart.zoom) = (800, 450, 1.5);
}

/// The source line of the charts of a scenario run, in Japanese.
const SIMULATION_SOURCE_JA: &str =
    "出所：aurumによるモンテカルロ・シミュレーション（ボラティリティ・モデルとシナリオ・ツリー）";

/// A target's level as the report names it: `$3,000`, `$3,220 (+10%)`; `3,000ドル`,
/// `3,220ドル（+10%）`.
fn target_name(level: f64, spec: Option<&Target>, lang: Lang) -> String {
    let price = usd(level, 0, lang);
    match (spec, lang) {
        (Some(Target::Relative(r)), Lang::Ja) => format!("{price}（{:+}%）", r * 100.0),
        (Some(Target::Relative(r)), _) => format!("{price} ({:+}%)", r * 100.0),
        _ => price,
    }
}

/// The chance of reaching each target by each date of a scenario run, as an SVG line chart.
///
/// For every target, the share of paths whose daily close has reached it on or before each
/// simulated day: the cumulative distribution of the first passage, rising to the run's
/// probability of touching it by the horizon. The y axis runs from 0% to 100%, the x axis
/// over the simulated dates with a gridline at each month end; each target has a colour of
/// its own (the fan's target lines share it), its level in the legend and its final
/// probability at the right end of its line.
///
/// `recalibrate` maps target `j`'s simulated probability `p` to the one the report prints
/// (`recalibrate(j, p)`; the stack's recalibration on its track record), applied on every
/// day alike; with `None` the lines are the simulated shares as they are. The subtitle says
/// which.
///
/// # Errors
///
/// A run without targets or simulated days.
pub fn touch_svg(
    f: &ScenarioFile,
    r: &Results,
    s0: f64,
    lang: Lang,
    recalibrate: Option<&dyn Fn(usize, f64) -> f64>,
) -> AppResult<String> {
    Ok(render_line_svg(&touch_chart(f, r, s0, lang, recalibrate)?)?)
}

/// The chart [`touch_svg`] draws.
fn touch_chart(
    f: &ScenarioFile,
    r: &Results,
    s0: f64,
    lang: Lang,
    recalibrate: Option<&dyn Fn(usize, f64) -> f64>,
) -> AppResult<LineChart> {
    let series: Vec<LineSeries> = r
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.by_day.is_empty())
        .map(|(j, t)| {
            let p = |raw: f64| recalibrate.map_or(raw, |map| map(j, raw));
            let points: Vec<(f64, f64)> = t
                .by_day
                .iter()
                .map(|d| (date_x(d.date), 100.0 * p(d.p_touch)))
                .collect();
            let end = t.by_day.last().map_or(0.0, |d| p(d.p_touch));
            LineSeries {
                color: Some(series_color(j).to_owned()),
                end_label: Some(pct(end, 0)),
                ..LineSeries::new(target_name(t.target, f.targets.get(j), lang), points)
            }
        })
        .collect();
    if series.is_empty() {
        return Err(AppError::bad(
            "targets",
            "the run has no targets or no simulated days to draw",
        ));
    }
    let paths = grouped(r.paths as f64, 0);
    let start = usd(s0, 0, lang);
    let fixing = crate::labels::is_fixing_series(&f.series);
    let (title, y_label, subtitle, source) = match lang {
        Lang::Ja => (
            "各水準に到達する確率（日付別）".to_owned(),
            "確率".to_owned(),
            format!(
                "{}（{start}）起点、{}ベース、{paths}経路のシミュレーション{}",
                ja_date(f.as_of),
                if fixing { "値決め価格" } else { "終値" },
                if recalibrate.is_some() {
                    "を過去の予測成績で補正"
                } else {
                    ""
                }
            ),
            SIMULATION_SOURCE_JA.to_owned(),
        ),
        _ => (
            "Chance of reaching each level by date".to_owned(),
            "Probability".to_owned(),
            format!(
                "From {start} on {} · {} · {paths} simulated paths{}",
                long_date(f.as_of, lang),
                if fixing {
                    "daily fixings"
                } else {
                    "daily closes"
                },
                if recalibrate.is_some() {
                    ", recalibrated on the track record"
                } else {
                    ""
                }
            ),
            "Source: aurum Monte Carlo (volatility model and scenario tree)".to_owned(),
        ),
    };
    let mut chart = LineChart::new(title, "", y_label, source);
    chart.subtitle = Some(subtitle);
    chart.x_dates = Some(lang);
    chart.y_fixed = Some(FixedAxis {
        lo: 0.0,
        hi: 100.0,
        step: 20.0,
    });
    chart.y_suffix = "%".to_owned();
    chart.zero_line = false;
    chart.series = series;
    report_size(&mut chart);
    Ok(chart)
}

/// Writes `scores.json`, and per horizon a reliability diagram and a PIT histogram (PNG;
/// see [`backtest_figures`]).
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
    for (name, svg) in backtest_figures(report, lang)? {
        write_figure(&dir.join(name), svg, true)?;
    }
    Ok(())
}

/// The figures of a backtest, per horizon `h`: a reliability diagram (`reliability-h{h}.png`)
/// and a PIT histogram (`pit-h{h}.png`), as file names with their SVGs.
///
/// # Errors
///
/// A chart that cannot be drawn.
pub fn backtest_figures(report: &BacktestReport, lang: Lang) -> AppResult<Vec<(String, String)>> {
    let mut out = Vec::new();
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
            format!(
                "出所：aurumによるバックテスト、データは{}",
                series_ja(&report.series)
            )
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
        // The last model listed (the stack, when it is one) is drawn with a band of two
        // standard errors around each bin, counting overlapping forecasts as dependent:
        // a bin whose band misses the diagonal is off by more than chance.
        let banded = scores
            .last()
            .filter(|s| s.brier.bins.iter().any(|b| b.se.is_some()));
        chart.subtitle = Some(match (ja, banded) {
            (true, Some(s)) => format!(
                "対角線上なら確率どおりに実現（閾値イベントをプール）。帯は{}の±2標準誤差",
                model_ja(&s.model.name())
            ),
            (true, None) => "対角線上なら確率どおりに実現（閾値イベントをプール）".to_owned(),
            (false, Some(s)) => format!(
                "On the diagonal, events happen as often as forecast (all threshold events \
                 pooled); shaded: {} ± 2 standard errors",
                s.model
            ),
            (false, None) => {
                "On the diagonal, events happen as often as forecast (all threshold events pooled)"
                    .to_owned()
            }
        });
        for (i, s) in scores.iter().enumerate() {
            let pts: Vec<(f64, f64)> = s
                .brier
                .bins
                .iter()
                .map(|b| (b.mean_forecast, b.observed))
                .collect();
            let band: Option<Vec<(f64, f64, f64)>> = (i + 1 == scores.len() && banded.is_some())
                .then(|| {
                    s.brier
                        .bins
                        .iter()
                        .map(|b| {
                            let e = 2.0 * b.se.unwrap_or(0.0);
                            (
                                b.mean_forecast,
                                (b.observed - e).max(0.0),
                                (b.observed + e).min(1.0),
                            )
                        })
                        .collect()
                });
            if !pts.is_empty() {
                let mut line = LineSeries::new(
                    if ja {
                        format!(
                            "{}（ブライアスコア {:.4}）",
                            model_ja(&s.model.name()),
                            s.brier.bs
                        )
                    } else {
                        format!("{} (Brier {:.4})", s.model, s.brier.bs)
                    },
                    pts,
                );
                line.band = band;
                chart.series.push(line);
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
        out.push((format!("reliability-h{h}.png"), render_line_svg(&chart)?));
        let (title, x, y) = if ja {
            (
                format!("PITヒストグラム（{h}営業日先）"),
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
                if ja {
                    format!(
                        "{}（χ²検定のp値 {:.3}）",
                        model_ja(&s.model.name()),
                        s.pit.chi2_p
                    )
                } else {
                    format!("{} (χ² p = {:.3})", s.model, s.pit.chi2_p)
                },
                pts,
            ));
        }
        out.push((format!("pit-h{h}.png"), render_line_svg(&chart)?));
    }
    Ok(out)
}

/// The report's figure: weekly candles up to as_of, the scenarios' events marked on their
/// weeks (numbered in groups, with a key of dates and titles under the plot), the targets,
/// the last close with its unit, and the simulated fan continuing the price to the horizon;
/// square, with text that reads at phone width.
///
/// # Errors
///
/// No data before the as-of date.
///
/// Also answers each of the report's events' number on the chart, by scenario and event
/// (`None` for an event off the chart), so that the text cites the numbers drawn.
pub fn weekly_chart(
    store: &Store,
    f: &aurum_sim::ScenarioFile,
    results: &Results,
    report: &Report,
    lang: Lang,
    weeks: usize,
    color_blind: bool,
) -> AppResult<(String, Vec<Vec<Option<usize>>>)> {
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
        price_source(&meta, lang),
        lang,
    );
    chart.subtitle = Some(price_subtitle(
        &meta,
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
            let label = match (&t.relative, lang) {
                // A relative target lands on an odd price: round it and say where it is from.
                (Some(r), Lang::Ja) => {
                    format!("{}（{r}）", labels::target(t.level.round(), &meta, lang))
                }
                (Some(r), _) => format!("{} ({r})", labels::target(t.level.round(), &meta, lang)),
                (None, _) => labels::target(t.level, &meta, lang),
            };
            TargetLine::new(t.level, label)
        })
        .collect();
    // Square, so that read at phone width (as on X) the key and the plot keep their room.
    (chart.width, chart.height) = (1200, 1200);
    chart.last_close_label = Some(close_tag(last_close, &meta, lang));
    chart.color_blind_safe = color_blind;
    // Each event once, on its own date: the chart numbers them in groups and keys them.
    let mut markers: Vec<Marker> = Vec::new();
    for e in report.scenarios.iter().flat_map(|s| &s.events) {
        let text = match lang {
            Lang::Ja => &e.title_ja,
            _ => &e.title,
        };
        if !markers.iter().any(|m| m.date == e.date && m.text == *text) {
            markers.push(Marker::new(e.date, text.clone()));
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
    // Short labels, so that the legend fits in a row above the plot (the caption says what
    // the ranges are).
    chart.fan = Some(match lang {
        Lang::Ja => Fan::new(points, "90%区間", "50%区間", "中央値"),
        _ => Fan::new(points, "90% range", "50% range", "median"),
    });
    let (svg, groups) = aurum_chart::render_svg_with_groups(&chart)?;
    let number = |date: Date, text: &str| {
        let m = chart
            .markers
            .iter()
            .position(|m| m.date == date && m.text == text)?;
        groups
            .iter()
            .find(|g| g.markers.contains(&m))
            .map(|g| g.number)
    };
    let numbers = report
        .scenarios
        .iter()
        .map(|s| {
            s.events
                .iter()
                .map(|e| {
                    number(
                        e.date,
                        match lang {
                            Lang::Ja => &e.title_ja,
                            _ => &e.title,
                        },
                    )
                })
                .collect()
        })
        .collect();
    Ok((svg, numbers))
}

/// The last-close tag with its unit: `$2,927/oz` or `2,927ドル`.
fn close_tag(v: f64, meta: &SeriesMeta, lang: Lang) -> String {
    let p = if v.abs() >= 100.0 {
        grouped(v, 0)
    } else {
        price(v)
    };
    match (lang, meta.currency.as_deref(), meta.unit) {
        (Lang::Ja, Some("USD"), _) => format!("{p}ドル"),
        (Lang::Ja, Some("JPY"), _) => format!("{p}円"),
        (_, Some("USD"), Unit::TroyOunce) => format!("${p}/oz"),
        (_, Some("JPY"), Unit::Gram) => format!("¥{p}/g"),
        _ => p,
    }
}

/// The source line of a price chart.
fn price_source(meta: &SeriesMeta, lang: Lang) -> String {
    match lang {
        Lang::Ja => {
            let provider = match meta.id.as_str() {
                "gold-usd-lbma-pm" => "LBMA、FRED",
                "gold-usd-spot" => "stooq",
                "gold-usd-gc" => "Yahoo Finance",
                "gold-usd-monthly" => "Timothy Green、世界銀行",
                "gold-jpy-gram" => "LBMA、Yahoo Finance",
                _ => meta.source.as_str(),
            };
            format!("出所：{provider}（aurum作成）")
        }
        _ => labels::source(meta, lang),
    }
}

/// The subtitle of a price chart: the dates drawn, the as-of date and the last fixing or close.
fn price_subtitle(
    meta: &SeriesMeta,
    first: Date,
    last: Date,
    as_of: Option<Date>,
    close: f64,
    lang: Lang,
) -> String {
    match lang {
        Lang::Ja => {
            let as_of = as_of
                .map(|d| format!("（{}時点）", ja_date(d)))
                .unwrap_or_default();
            let unit = match meta.currency.as_deref() {
                Some("USD") => "ドル",
                Some("JPY") => "円",
                _ => "",
            };
            format!(
                "{}〜{}{as_of}、{} {}{unit}",
                ja_date(first),
                ja_date(last),
                labels::last_value(labels::is_fixing(meta), lang),
                labels::price(close)
            )
        }
        _ => labels::subtitle(first, last, as_of, close, labels::is_fixing(meta), lang),
    }
}

/// A series' name in a Japanese chart: the report's name for the bundled series, a short
/// one for the common controls, else its id.
fn series_ja(id: &str) -> String {
    let short = match id {
        "dxy" => Some("ドル指数"),
        "sp500" => Some("S&P500"),
        "dgs10" => Some("米10年国債利回り"),
        "dfii10" => Some("米10年実質金利"),
        "t10yie" => Some("米10年期待インフレ率"),
        "vix" => Some("VIX指数"),
        "usdjpy" => Some("ドル円"),
        _ => None,
    };
    if let Some(name) = short {
        return name.to_owned();
    }
    match SeriesId::new(id) {
        Ok(series) => labels::series_name_ja(&SeriesMeta {
            name: id.to_owned(),
            id: series,
            unit: Unit::TroyOunce,
            currency: None,
            source: String::new(),
        }),
        Err(_) => id.to_owned(),
    }
}

/// An innovation distribution's Japanese name.
fn dist_ja(d: aurum_vol::Dist) -> &'static str {
    match d {
        aurum_vol::Dist::Normal => "正規分布",
        aurum_vol::Dist::StudentsT => "t分布",
        aurum_vol::Dist::SkewT => "歪みt分布",
        aurum_vol::Dist::Ged => "一般化誤差分布",
    }
}

/// How GPR enters a regression, in Japanese.
fn measure_ja(m: aurum_risk::Measure) -> &'static str {
    match m {
        aurum_risk::Measure::Level => "水準",
        aurum_risk::Measure::Change => "変化幅",
        aurum_risk::Measure::LogChange => "対数変化率",
        aurum_risk::Measure::Shock => "ショック（1次自己回帰の残差）",
    }
}

/// A component of the GPR index, in Japanese.
fn component_ja(c: crate::gpr::GprComponent) -> &'static str {
    match c {
        crate::gpr::GprComponent::Total => "総合指数",
        crate::gpr::GprComponent::Threats => "脅威",
        crate::gpr::GprComponent::Acts => "行為",
    }
}

/// The subtitle of a Japanese CAAR chart: model, windows and bands.
fn caar_subtitle_ja(report: &crate::study::StudyReport, a: &crate::study::StudyRequest) -> String {
    let model = match a.model {
        aurum_eventstudy::Model::Mean => "平均",
        aurum_eventstudy::Model::Market => "市場",
        aurum_eventstudy::Model::Factor => "マルチファクター",
    };
    let bench = if report.benchmarks.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = report.benchmarks.iter().map(|b| series_ja(b)).collect();
        format!("（{}）", names.join("、"))
    };
    // A true minus sign, as on the axis.
    let day = |d: i32| d.to_string().replace('-', "\u{2212}");
    let days = |(l, h): (i32, i32)| format!("{}〜{}営業日", day(l), day(h));
    let as_of = report
        .as_of
        .map(|d| format!("（{}時点）", ja_date(d)))
        .unwrap_or_default();
    format!(
        "{model}モデル{bench}、イベント期間{}、推定期間{}、帯は95%信頼区間{as_of}",
        days(a.window),
        days(a.estimation)
    )
}

/// A backtest model's name in a Japanese chart: `GARCH-t＋モメンタム` for `garch-t+mom`.
fn model_ja(name: &str) -> String {
    let mut parts = name.split('+');
    let base = match parts.next().unwrap_or_default() {
        "gbm" => "GBM".to_owned(),
        "garch-t" => "GARCH-t".to_owned(),
        "gjr-t" => "GJR-t".to_owned(),
        "fhs" => "FHS".to_owned(),
        "har" => "HAR".to_owned(),
        "stack" => "スタック".to_owned(),
        other => other.to_owned(),
    };
    parts.fold(base, |out, part| {
        let mean = match part {
            "zero" => "平均ゼロ",
            "hist" => "過去平均",
            "mom" => "モメンタム",
            other => other,
        };
        format!("{out}＋{mean}")
    })
}

#[cfg(test)]
mod tests {
    use aurum_sim::{TargetDay, TargetResult};

    use super::*;

    fn example() -> ScenarioFile {
        aurum_sim::parse("example", crate::scenario::EXAMPLE).unwrap()
    }

    #[test]
    fn subtitles_call_a_fixing_a_fixing_and_a_close_a_close() {
        let meta = |id: &str| SeriesMeta {
            id: aurum_core::SeriesId::new(id).unwrap(),
            name: id.to_owned(),
            unit: aurum_core::Unit::TroyOunce,
            currency: Some("USD".into()),
            source: "test".into(),
        };
        let d = |m, day| Date::from_ymd_opt(2025, m, day).unwrap();
        let sub = |id: &str, lang| {
            price_subtitle(&meta(id), d(1, 2), d(2, 18), Some(d(2, 18)), 2927.1, lang)
        };
        assert!(sub("gold-usd-lbma-pm", Lang::Ja).contains("直近の値決め 2,927.10ドル"));
        assert!(sub("gold-usd-lbma-pm", Lang::En).contains("last fixing 2,927.10"));
        assert!(sub("gold-usd-spot", Lang::Ja).contains("直近終値 2,927.10ドル"));
        assert!(sub("gold-usd-spot", Lang::En).contains("last close 2,927.10"));
    }

    const S0: f64 = 2927.1;

    /// A run of the example's targets over its days whose chance of touching target `j`
    /// rises like a square root to `ends[j]`, with a fan widening around a rising median.
    fn run(f: &ScenarioFile, ends: &[f64]) -> Results {
        let days = aurum_sim::trading_days(f.as_of, f.horizon);
        let n = days.len() as f64;
        let targets = f
            .targets
            .iter()
            .zip(ends)
            .map(|(t, &end)| {
                let level = match t {
                    Target::Absolute(v) => *v,
                    Target::Relative(r) => S0 * (1.0 + r),
                };
                let by_day = days
                    .iter()
                    .enumerate()
                    .map(|(i, &date)| {
                        let share = (i + 1) as f64 / n;
                        TargetDay {
                            date,
                            p_touch: end * share.sqrt(),
                            p_close_above: end * 0.6 * share,
                        }
                    })
                    .collect();
                TargetResult {
                    target: level,
                    p_close_above: end * 0.6,
                    p_close_above_se: 0.0,
                    p_touch: end,
                    p_touch_se: 0.0,
                    p_touch_continuous: end,
                    p_touch_continuous_se: 0.0,
                    first_passage: None,
                    by_day,
                }
            })
            .collect();
        let fan = days
            .iter()
            .enumerate()
            .map(|(i, &date)| {
                let (k, w) = (i as f64, ((i + 1) as f64).sqrt() * 15.0);
                aurum_sim::FanPoint {
                    date,
                    q05: S0 + k - 1.6 * w,
                    q25: S0 + k - 0.7 * w,
                    q50: S0 + k,
                    q75: S0 + k + 0.7 * w,
                    q95: S0 + k + 1.6 * w,
                }
            })
            .collect();
        Results {
            paths: 4000,
            seed: 7,
            fan,
            targets,
            scenarios: Vec::new(),
            combinations: Vec::new(),
            horizon_percentiles: Vec::new(),
            var_5: 0.0,
            es_5: 0.0,
        }
    }

    /// A `<text>` element: its content and the box it covers, estimated from its characters
    /// (Latin ones 0.62 of the font size wide, others a whole font size).
    #[derive(Debug)]
    struct TextBox {
        text: String,
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
    }

    fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        tag[start..].split('"').next()
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }

    /// Every text of an SVG with its box, font size and anchor inherited from its groups;
    /// a text rotated a quarter turn gets an upright box.
    fn texts(svg: &str) -> Vec<TextBox> {
        let mut groups: Vec<(Option<f64>, Option<String>)> = Vec::new();
        let mut out = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find('<') {
            rest = &rest[i..];
            let end = rest.find('>').unwrap();
            let tag = &rest[1..end];
            if tag.starts_with("/g") {
                groups.pop();
            } else if tag.starts_with("g ") && !tag.ends_with('/') || tag == "g" {
                groups.push((
                    attr(tag, "font-size").map(|v| v.parse().unwrap()),
                    attr(tag, "text-anchor").map(str::to_owned),
                ));
            } else if tag.starts_with("text ") {
                let close = rest.find("</text>").unwrap();
                let text = unescape(&rest[end + 1..close]);
                let size: f64 = attr(tag, "font-size")
                    .map(|v| v.parse().unwrap())
                    .or_else(|| groups.iter().rev().find_map(|g| g.0))
                    .unwrap();
                let anchor = attr(tag, "text-anchor")
                    .map(str::to_owned)
                    .or_else(|| groups.iter().rev().find_map(|g| g.1.clone()))
                    .unwrap_or_else(|| "start".to_owned());
                let w: f64 = text
                    .chars()
                    .map(|c| if c.is_ascii() { 0.62 } else { 1.0 })
                    .sum::<f64>()
                    * size;
                let (x, y, rotated) = match attr(tag, "transform") {
                    Some(t) => {
                        let xy: Vec<f64> = t
                            .trim_start_matches("translate(")
                            .split(')')
                            .next()
                            .unwrap()
                            .split(' ')
                            .map(|v| v.parse().unwrap())
                            .collect();
                        (xy[0], xy[1], true)
                    }
                    None => (
                        attr(tag, "x").unwrap().parse().unwrap(),
                        attr(tag, "y").unwrap().parse().unwrap(),
                        false,
                    ),
                };
                let (lo, hi) = match anchor.as_str() {
                    "middle" => (-w / 2.0, w / 2.0),
                    "end" => (-w, 0.0),
                    _ => (0.0, w),
                };
                out.push(if rotated {
                    TextBox {
                        text,
                        x0: x - 0.8 * size,
                        x1: x + 0.2 * size,
                        y0: y - hi,
                        y1: y - lo,
                    }
                } else {
                    TextBox {
                        text,
                        x0: x + lo,
                        x1: x + hi,
                        y0: y - 0.8 * size,
                        y1: y + 0.2 * size,
                    }
                });
                rest = &rest[close..];
                continue;
            }
            rest = &rest[end + 1..];
        }
        out
    }

    fn assert_no_overlap(svg: &str) {
        let boxes = texts(svg);
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let overlap = a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
                assert!(!overlap, "{a:?} overlaps {b:?}");
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

    /// A Japanese chart's text: no ISO dates, no Latin words but the names allowed, no
    /// Latin brackets, colons or semicolons.
    fn assert_reads_as_japanese(svg: &str, names: &[&str]) {
        for t in texts(svg) {
            let s = &t.text;
            assert!(!has_iso_date(s), "ISO date in {s:?}");
            assert!(
                !s.contains([':', ';', '(', ')', '[', ']']),
                "Latin punctuation in {s:?}"
            );
            for word in s.split(|c: char| !c.is_ascii_alphabetic()) {
                assert!(
                    word.is_empty() || names.contains(&word),
                    "Latin word {word:?} in {s:?}"
                );
            }
        }
    }

    /// The legend's entries: each entry's text and colour.
    fn legend(svg: &str) -> Vec<(String, String)> {
        svg.lines()
            .filter(|l| l.starts_with(r#"<g class="legend-entry">"#))
            .map(|l| {
                let text = l
                    .split("\">")
                    .last()
                    .unwrap()
                    .split("</text>")
                    .next()
                    .unwrap();
                let color = l
                    .split(['"'])
                    .find(|v| v.starts_with('#') && v.len() == 7)
                    .unwrap();
                (unescape(text), color.to_owned())
            })
            .collect()
    }

    /// The lines drawn: each `class="series"` path's colour and points in pixels.
    fn drawn(svg: &str) -> Vec<(String, Vec<(f64, f64)>)> {
        svg.lines()
            .filter(|l| l.starts_with(r#"<path class="series""#))
            .map(|l| {
                let d = attr(l, "d").unwrap();
                let points = d
                    .split(['M', 'L'])
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (x, y) = p.split_once(' ').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect();
                (attr(l, "stroke").unwrap().to_owned(), points)
            })
            .collect()
    }

    #[test]
    fn touch_lines_rise_to_the_runs_probabilities() {
        let f = example();
        let r = run(&f, &[0.85, 0.48, 0.45]);
        let chart = touch_chart(&f, &r, S0, Lang::En, None).unwrap();
        assert_eq!(chart.series.len(), 3);
        for (s, t) in chart.series.iter().zip(&r.targets) {
            assert_eq!(s.points.len(), t.by_day.len());
            assert!(
                s.points
                    .windows(2)
                    .all(|w| w[1].1 >= w[0].1 && w[1].0 > w[0].0)
            );
            assert_eq!(s.points.last().unwrap().1, 100.0 * t.p_touch);
            assert_eq!(s.end_label.as_deref(), Some(pct(t.p_touch, 0).as_str()));
        }
        // The caller's recalibration applies to every day alike, ending at the headline.
        let map = |j: usize, p: f64| if j == 0 { p.sqrt() } else { p * 0.5 };
        let mapped = touch_chart(&f, &r, S0, Lang::En, Some(&map)).unwrap();
        assert_eq!(
            mapped.series[0].points.last().unwrap().1,
            100.0 * 0.85_f64.sqrt()
        );
        assert_eq!(mapped.series[1].end_label.as_deref(), Some("24%"));
        assert!(mapped.subtitle.as_deref().unwrap().contains("recalibrated"));
        assert!(!chart.subtitle.as_deref().unwrap().contains("recalibrated"));

        // In the picture: each line runs up (smaller y) from left to right.
        let svg = render_line_svg(&chart).unwrap();
        let lines = drawn(&svg);
        assert_eq!(lines.len(), 3);
        for (_, points) in &lines {
            assert!(
                points
                    .windows(2)
                    .all(|w| w[1].1 <= w[0].1 && w[1].0 > w[0].0)
            );
        }
    }

    #[test]
    fn touch_legend_names_exactly_the_lines_drawn() {
        let f = example();
        let r = run(&f, &[0.85, 0.48, 0.45]);
        for (lang, names) in [
            (Lang::En, ["$3,000", "$3,200", "$3,220 (+10%)"]),
            (Lang::Ja, ["3,000ドル", "3,200ドル", "3,220ドル（+10%）"]),
        ] {
            let svg = touch_svg(&f, &r, S0, lang, None).unwrap();
            let entries = legend(&svg);
            let lines = drawn(&svg);
            assert_eq!(
                entries.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
                names
            );
            // One colour per target, the legend's in the lines' order, colour-blind safe.
            let colors: Vec<&str> = lines.iter().map(|l| l.0.as_str()).collect();
            assert_eq!(
                entries.iter().map(|e| e.1.as_str()).collect::<Vec<_>>(),
                colors
            );
            assert_eq!(colors, [series_color(0), series_color(1), series_color(2)]);
            // The final probabilities at the lines' ends, as the report prints them.
            let ends: Vec<String> = svg
                .lines()
                .filter(|l| l.starts_with(r#"<text class="end-label""#))
                .map(|l| texts(l).remove(0).text)
                .collect();
            assert_eq!(ends, ["85%", "48%", "45%"]);
        }
    }

    #[test]
    fn text_boxes_see_overlaps() {
        let svg = r#"<svg><g font-size="12" text-anchor="end"><text x="100" y="50">left of 100</text></g>
<text x="95" y="52" font-size="12">here</text>
<text transform="translate(20 200) rotate(-90)" text-anchor="middle" font-size="13">軸の名前</text></svg>"#;
        let boxes = texts(svg);
        assert_eq!(boxes.len(), 3);
        assert!((boxes[0].x1 - 100.0).abs() < 1e-9 && boxes[0].x0 < 100.0 - 60.0);
        assert!((boxes[2].y1 - boxes[2].y0 - 4.0 * 13.0).abs() < 1e-9);
        assert!(std::panic::catch_unwind(|| assert_no_overlap(svg)).is_err());
    }

    #[test]
    fn touch_labels_never_overlap() {
        let f = example();
        // Far apart, close together, and the same final probability twice.
        for ends in [
            [0.85, 0.48, 0.45],
            [0.5, 0.49, 0.51],
            [0.3, 0.3, 0.3],
            [1.0, 0.999, 0.0],
        ] {
            for lang in [Lang::En, Lang::Ja] {
                let svg = touch_svg(&f, &run(&f, &ends), S0, lang, None).unwrap();
                assert_no_overlap(&svg);
                assert_eq!(svg.matches(r#"class="end-label""#).count(), 3);
            }
        }
    }

    #[test]
    fn touch_and_fan_axes_run_over_dates() {
        let f = example();
        let r = run(&f, &[0.85, 0.48, 0.45]);
        for (svg, lang) in [
            (touch_svg(&f, &r, S0, Lang::Ja, None).unwrap(), Lang::Ja),
            (fan_svg(&f, &r, S0, Lang::Ja).unwrap(), Lang::Ja),
            (touch_svg(&f, &r, S0, Lang::En, None).unwrap(), Lang::En),
            (fan_svg(&f, &r, S0, Lang::En).unwrap(), Lang::En),
        ] {
            let all: Vec<String> = texts(&svg).into_iter().map(|t| t.text).collect();
            let months: &[&str] = match lang {
                Lang::Ja => &["2025年3月", "4月", "5月", "6月"],
                _ => &["Mar 2025", "Apr", "May", "Jun"],
            };
            for m in months {
                assert!(all.iter().any(|t| t == m), "{m} in {all:?}");
            }
            // Month-end gridlines: the ends of February to June.
            assert!(svg.matches(r##"stroke="#ececec""##).count() >= 5 + 5);
            // An 800×450 layout drawn as a 1200×675 image.
            assert!(svg.contains(r#"width="1200" height="675" viewBox="0 0 800 450""#));
        }
    }

    #[test]
    fn japanese_fan_and_touch_charts_read_as_japanese() {
        let f = example();
        let r = run(&f, &[0.85, 0.48, 0.45]);
        let map = |_: usize, p: f64| p;
        for svg in [
            touch_svg(&f, &r, S0, Lang::Ja, None).unwrap(),
            touch_svg(&f, &r, S0, Lang::Ja, Some(&map)).unwrap(),
            fan_svg(&f, &r, S0, Lang::Ja).unwrap(),
        ] {
            assert_reads_as_japanese(&svg, &["aurum", "NATO"]);
            let all: Vec<String> = texts(&svg).into_iter().map(|t| t.text).collect();
            assert!(all.iter().any(|t| t.starts_with("出所：")), "{all:?}");
            assert!(all.iter().any(|t| t.contains("2025年2月18日")), "{all:?}");
        }
        // The English ones keep English.
        let svg = touch_svg(&f, &r, S0, Lang::En, None).unwrap();
        assert!(svg.contains(">Chance of reaching each level by date</text>"));
        assert!(svg.contains("18 February 2025"));
    }

    #[test]
    fn fan_draws_bands_median_and_dashed_targets() {
        let f = example();
        let r = run(&f, &[0.85, 0.48, 0.45]);
        let svg = fan_svg(&f, &r, S0, Lang::En).unwrap();
        // The median (the 50% band has no line of its own) and three targets.
        let lines = drawn(&svg);
        assert_eq!(lines.len(), 4);
        assert_eq!(svg.matches(r#"class="band""#).count(), 2);
        let entries = legend(&svg);
        assert_eq!(
            entries.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
            [
                "median and 90% range (5–95%)",
                "50% range (25–75%)",
                "target $3,000",
                "target $3,200",
                "target $3,220 (+10%)"
            ]
        );
        // The targets share the touch chart's colours.
        for (j, (color, _)) in lines[1..].iter().enumerate() {
            assert_eq!(color, series_color(j));
        }
        assert_eq!(
            svg.lines()
                .filter(
                    |l| l.starts_with(r#"<path class="series""#) && l.contains("stroke-dasharray")
                )
                .count(),
            3
        );
        // The median starts at the last close on the as-of date.
        let median = &lines[0].1;
        let targets = &lines[1].1;
        assert_eq!(median.len(), r.fan.len() + 1);
        assert_eq!(median[0].0, targets[0].0);
        assert_no_overlap(&svg);
    }

    #[test]
    fn japanese_names_of_models_and_series() {
        assert_eq!(model_ja("gbm"), "GBM");
        assert_eq!(model_ja("garch-t+mom"), "GARCH-t＋モメンタム");
        assert_eq!(model_ja("stack"), "スタック");
        assert_eq!(series_ja("dxy"), "ドル指数");
        assert_eq!(
            series_ja("gold-usd-lbma-pm"),
            "LBMA金価格（午後の値決め、ドル建て）"
        );
        assert_eq!(series_ja("my-series"), "my-series");
        assert_eq!(series_ja("Not An Id"), "Not An Id");
    }

    #[test]
    fn touch_needs_targets() {
        let f = example();
        let mut r = run(&f, &[0.85, 0.48, 0.45]);
        r.targets.clear();
        assert!(touch_svg(&f, &r, S0, Lang::En, None).is_err());
    }
}
