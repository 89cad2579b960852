//! The report's figures drawn from a real run of the example scenario file (bundled data,
//! few paths, a short track record): the touch chart ends at the report's own headline
//! probabilities, and the Japanese figures read as Japanese.

use aurum_app::report::{Composed, ReportRequest, compose};
use aurum_app::{Home, Silent};
use aurum_core::{Lang, date};

const EXAMPLE: &str = include_str!("../../../examples/us-nato-exit-2025-02-18.toml");

fn composed(home: &Home, lang: Lang) -> Composed {
    composed_with(home, lang, false)
}

fn composed_with(home: &Home, lang: Lang, color_blind: bool) -> Composed {
    let file = aurum_sim::parse("example.toml", EXAMPLE).unwrap();
    let request = ReportRequest {
        name: "example.toml".to_owned(),
        file,
        text: EXAMPLE.to_owned(),
        lang,
        paths: 2000,
        seed: 11,
        weeks: 104,
        track_record_from: Some(date(2021, 1, 1)),
        track_record_paths: 200,
        filing: aurum_app::calls::Filing::default(),
        link: None,
        yen: false,
        color_blind,
    };
    compose(home, &request, &Silent).unwrap()
}

/// The Latin words a Japanese chart may show: names of sources, methods, models and
/// statistics.
const NAMES: [&str; 18] = [
    "aurum",
    // G7, G8 in the titles of events.
    "G",
    "NATO",
    "LBMA",
    "FRED",
    "MacKinlay",
    "Caldara",
    "Iacoviello",
    "GPR",
    "GARCH",
    "GJR",
    "GBM",
    "FHS",
    "HAR",
    "PIT",
    "U",
    "t",
    "p",
];

/// The text of every `<text>` element of an SVG, unescaped.
fn texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        rest = &rest[i..];
        let open = rest.find('>').unwrap();
        let close = rest.find("</text>").unwrap();
        out.push(
            rest[open + 1..close]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &rest[close..];
    }
    out
}

/// A Japanese chart's texts: no ISO dates, none of the Latin `punctuation`, Latin words only
/// in [`NAMES`], and the source line in Japanese.
fn reads_in_japanese(name: &str, all: &[String], punctuation: &[char]) {
    for t in all {
        assert!(!has_iso_date(t), "{name}: ISO date in {t:?}");
        assert!(
            !t.contains(punctuation),
            "{name}: Latin punctuation in {t:?}"
        );
        // Latin letters only in names: sources, methods, models and statistics.
        for word in t.split(|c: char| !c.is_ascii_alphabetic()) {
            assert!(
                word.is_empty() || NAMES.contains(&word),
                "{name}: Latin word {word:?} in {t:?}"
            );
        }
    }
    assert!(
        all.iter().any(|t| t.starts_with("出所：")),
        "{name}: {all:?}"
    );
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
fn report_figures_match_the_headline_and_read_in_their_language() {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path());
    let ja = composed(&home, Lang::Ja);
    // Every event the sections cite carries the number the weekly chart draws for it: the
    // example's events all fall in its last two weeks, one group.
    let events: Vec<_> = ja.report.scenarios.iter().flat_map(|s| &s.events).collect();
    assert!(events.len() >= 6);
    assert!(events.iter().all(|e| e.chart == Some(1)), "{events:?}");
    assert!(ja.markdown.contains("（図の1）"));

    // The touch chart's lines end at the probabilities the report prints (recalibrated,
    // for the stack), labelled in its legend by the report's names for the targets.
    let ends: Vec<String> = ja
        .touch_svg
        .lines()
        .filter(|l| l.starts_with(r#"<text class="end-label""#))
        .flat_map(texts)
        .collect();
    let headline: Vec<String> = ja
        .report
        .targets
        .iter()
        .map(|t| format!("{:.0}%", t.p_touch * 100.0))
        .collect();
    assert_eq!(ends, headline);
    assert_eq!(ja.report.model.kind, "stack");
    assert!(ja.touch_svg.contains("過去の予測成績で補正"));
    // The LBMA series is a fixing, and the subtitle says so.
    assert!(ja.touch_svg.contains("値決め価格ベース"));
    assert!(!ja.touch_svg.contains("終値"));
    let legend: Vec<String> = ja
        .touch_svg
        .lines()
        .filter(|l| l.starts_with(r#"<g class="legend-entry">"#))
        .flat_map(texts)
        .collect();
    assert_eq!(legend, ["3,000ドル", "3,200ドル", "3,220ドル（+10%）"]);

    // Every Japanese figure: dates in Japanese, the source line in Japanese.
    for (name, svg) in [
        ("weekly", &ja.weekly_svg),
        ("fan", &ja.fan_svg),
        ("touch", &ja.touch_svg),
    ] {
        let all = texts(svg);
        reads_in_japanese(name, &all, &[':', ';', '(', ')']);
        assert!(
            all.iter().any(|t| t.contains("2025年2月18日")),
            "{name}: {all:?}"
        );
    }

    // The HTML embeds the figures its text shows; the files include the touch chart.
    let out = dir.path().join("out");
    ja.write(&out).unwrap();
    for png in ["chart-weekly.png", "fan.png", "touch.png"] {
        let bytes = fs_err::read(out.join(png)).unwrap();
        assert_eq!(&bytes[1..4], b"PNG", "{png}");
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        // The weekly chart is square, so that it reads at phone width; the others 16:9.
        let size = if png == "chart-weekly.png" {
            (1200, 1200)
        } else {
            (1200, 675)
        };
        assert_eq!((w, h), size, "{png}");
    }

    // Colour-blind-safe candles on request: blue and orange instead of green and red.
    let safe = composed_with(&home, Lang::En, true).weekly_svg;
    assert!(safe.contains("#0072b2") && safe.contains("#e69f00"));
    assert!(!safe.contains("#ef5350"));
    assert!(ja.weekly_svg.contains("#ef5350") && !ja.weekly_svg.contains("#e69f00"));

    let en = composed(&home, Lang::En);
    assert!(
        en.touch_svg
            .contains(">Chance of reaching each level by date</text>")
    );
    assert!(en.touch_svg.contains(">$3,220 (+10%)</text>"));
    assert!(en.touch_svg.contains("daily fixings") && !en.touch_svg.contains("daily closes"));
    assert!(en.fan_svg.contains("18 February 2025"));
}

/// The figures the other commands draw, in Japanese: candles, event study, volatility term
/// structure, rolling GPR beta and the backtest's diagnostics.
#[test]
fn every_japanese_chart_reads_as_japanese() {
    use aurum_app::{Window, figures, gpr, study, vol};
    use aurum_core::{Frequency, SeriesId};

    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path().join("home"));
    let mut store = home.open(&Silent).unwrap();
    let gold = SeriesId::new("gold-usd-lbma-pm").unwrap();
    let as_of = Window::as_of(Some(date(2025, 2, 18)));
    let mut svgs: Vec<(String, String)> = Vec::new();
    let read = |name: &str| fs_err::read_to_string(dir.path().join(name)).unwrap();

    let candles = figures::candles(
        &store,
        &figures::ChartRequest {
            series: gold.clone(),
            freq: Frequency::Weekly,
            window: Window {
                from: Some(date(2024, 1, 1)),
                ..as_of
            },
            targets: vec![3000.0],
            lang: Lang::Ja,
            width: 1200,
            height: 675,
            title: None,
        },
    )
    .unwrap();
    svgs.push(("candles".to_owned(), candles.svg));

    let mut req = study::StudyRequest::category(gold.clone(), "war-outbreak".parse().unwrap());
    req.dates = as_of;
    req.model = aurum_eventstudy::Model::Market;
    let report = study::run(&store, &req).unwrap();
    figures::caar_plot(&report, &req, Lang::Ja, &dir.path().join("caar.svg")).unwrap();
    svgs.push(("caar".to_owned(), read("caar.svg")));

    let mut spec = vol::VolSpec::new(
        gold.clone(),
        vol::VolKind::Garch,
        aurum_vol::Dist::StudentsT,
    );
    spec.window = as_of;
    let fc = vol::forecast(
        &store,
        &vol::ForecastRequest {
            spec,
            horizon: 60,
            paths: 1000,
            seed: 1,
        },
        &Silent,
    )
    .unwrap();
    figures::term_structure_plot(&fc, Lang::Ja, &dir.path().join("term.svg")).unwrap();
    svgs.push(("term structure".to_owned(), read("term.svg")));

    let greq = gpr::GprRequest {
        series: gold.clone(),
        freq: Frequency::Monthly,
        measure: aurum_risk::Measure::Level,
        component: gpr::GprComponent::Total,
        controls: Vec::new(),
        window: Window {
            from: Some(date(2000, 1, 1)),
            ..as_of
        },
        maxlags: None,
        quantiles: Vec::new(),
        rolling: Some(60),
        lang: Lang::Ja,
    };
    let g = gpr::regress(&store, &greq).unwrap();
    let points = g.rolling.as_ref().unwrap();
    figures::rolling_beta_plot(points, &greq, &dir.path().join("beta.svg")).unwrap();
    svgs.push(("rolling beta".to_owned(), read("beta.svg")));

    let cfg = aurum_backtest::Config {
        models: aurum_app::backtest::parse_models(&["gbm".to_owned()]).unwrap(),
        horizons: vec![21],
        window: aurum_app::backtest::parse_fit_window("1260").unwrap(),
        refit: aurum_app::backtest::parse_refit("every").unwrap(),
        paths: 200,
        seed: 7,
        relative_levels: vec![-5.0, 5.0],
        absolute_levels: Vec::new(),
        vol_window: 252,
        min_returns: 500,
        sampler: aurum_backtest::Sampler::Fast,
    };
    let job = aurum_app::backtest::BacktestJob {
        series: gold,
        window: Window {
            from: Some(date(2022, 1, 1)),
            to: Some(date(2024, 12, 31)),
            as_of: None,
        },
        every: aurum_app::backtest::parse_every("month").unwrap(),
        cfg,
        fresh: true,
        max_blocks: None,
    };
    let bt = aurum_app::backtest::run(&mut store, &job, &Silent).unwrap();
    let figs = figures::backtest_figures(&bt, Lang::Ja).unwrap();
    assert_eq!(figs.len(), 2);
    // The last model's reliability carries a band of two standard errors, named above it.
    let (_, reliability) = figs
        .iter()
        .find(|(n, _)| n.starts_with("reliability"))
        .unwrap();
    assert_eq!(reliability.matches(r#"class="band""#).count(), 1);
    assert!(reliability.contains("±2標準誤差"), "{reliability}");
    svgs.extend(figs);

    for (name, svg) in &svgs {
        let all = texts(svg);
        reads_in_japanese(name, &all, &[':', ';']);
    }
}
