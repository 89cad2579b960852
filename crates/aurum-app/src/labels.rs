//! Chart wording in English and Japanese, in one place. The language is always passed in.

use aurum_core::text::ja_date;
use aurum_core::{Frequency, Lang, SeriesMeta, Unit};

/// An event window as written on the command line: `-1,5`.
fn window((a, b): (i32, i32)) -> String {
    format!("{a},{b}")
}

/// A price with thousands separators and two decimals: `2,935.29`.
#[must_use]
pub fn price(v: f64) -> String {
    aurum_core::text::grouped(v, 2)
}

/// Axis title for a series' unit, e.g. `USD / troy oz` or `ドル/トロイオンス`.
pub fn unit_axis(meta: &SeriesMeta, lang: Lang) -> String {
    match (lang, meta.unit, meta.currency.as_deref()) {
        (Lang::Ja, Unit::TroyOunce, Some("USD")) => "ドル/トロイオンス".to_owned(),
        (Lang::Ja, Unit::TroyOunce, Some("JPY")) => "円/トロイオンス".to_owned(),
        (Lang::Ja, Unit::Gram, Some("JPY")) => "円/グラム".to_owned(),
        (Lang::Ja, Unit::Gram, Some("USD")) => "ドル/グラム".to_owned(),
        (Lang::Ja, Unit::IndexPoints, _) => "ポイント".to_owned(),
        (Lang::Ja, Unit::Percent, _) => "%".to_owned(),
        _ => meta.unit_label(),
    }
}

/// Chart title: the series and the bar frequency.
pub fn title(meta: &SeriesMeta, freq: Frequency, lang: Lang) -> String {
    match lang {
        Lang::En => {
            let f = match freq {
                Frequency::Daily => "daily",
                Frequency::Weekly => "weekly",
                Frequency::Monthly => "monthly",
            };
            format!("{}, {f}", meta.name)
        }
        Lang::Ja => {
            let f = match freq {
                Frequency::Daily => "日足",
                Frequency::Weekly => "週足",
                Frequency::Monthly => "月足",
            };
            let name = if meta.id.as_str().starts_with("gold-") {
                "金価格"
            } else {
                meta.name.as_str()
            };
            format!("{name} {f}推移")
        }
    }
}

/// The series' name as a Japanese report writes it (the bundled gold series have their own
/// names; others keep theirs).
pub fn series_name_ja(meta: &SeriesMeta) -> String {
    match meta.id.as_str() {
        "gold-usd-lbma-pm" => "LBMA金価格（午後の値決め、ドル建て）".to_owned(),
        "gold-usd-spot" => "金スポット価格（XAU/USD）".to_owned(),
        "gold-usd-gc" => "COMEX金先物（期近）".to_owned(),
        "gold-usd-monthly" => "金価格（月次平均、ドル建て）".to_owned(),
        "gold-jpy-gram" => "円建て金価格（1グラム当たり）".to_owned(),
        _ => meta.name.clone(),
    }
}

/// Where a series comes from, in Japanese: the bundled series in their own words, any
/// other as its source says.
pub fn series_source_ja(meta: &SeriesMeta) -> String {
    match meta.id.as_str() {
        "gold-usd-lbma-pm" => "ICEベンチマーク・アドミニストレーション（IBA）が算出するLBMA金価格（午後）。2020年まではFRED（系列GOLDPMGBD228NLBM）、2021年以降はLBMAの公表値".to_owned(),
        _ => meta.source.clone(),
    }
}

/// Whether a series' values are fixings (the LBMA's auctions) rather than closes.
pub fn is_fixing(meta: &SeriesMeta) -> bool {
    is_fixing_series(meta.id.as_str())
}

/// [`is_fixing`] by the series' id.
pub fn is_fixing_series(id: &str) -> bool {
    id.contains("lbma")
}

/// What the last value of a series is called: its fixing or its close.
pub fn last_value(fixing: bool, lang: Lang) -> &'static str {
    match (lang, fixing) {
        (Lang::Ja, true) => "直近の値決め",
        (Lang::Ja, false) => "直近終値",
        (_, true) => "last fixing",
        (_, false) => "last close",
    }
}

/// Subtitle: the range drawn, the as-of date and the last value (a fixing or a close).
pub fn subtitle(
    first: aurum_core::Date,
    last: aurum_core::Date,
    as_of: Option<aurum_core::Date>,
    close: f64,
    fixing: bool,
    lang: Lang,
) -> String {
    let what = last_value(fixing, lang);
    match lang {
        Lang::En => {
            let day = |d: aurum_core::Date| d.format("%-d %b %Y").to_string();
            let as_of = as_of
                .filter(|d| *d != last)
                .map(|d| format!(" · as of {}", day(d)))
                .unwrap_or_default();
            format!(
                "{} to {}{as_of} · {what} {}",
                day(first),
                day(last),
                price(close)
            )
        }
        Lang::Ja => {
            let as_of = as_of
                .map(|d| format!("（{}時点）", ja_date(d)))
                .unwrap_or_default();
            format!(
                "{}〜{}{as_of}　{what} {}",
                ja_date(first),
                ja_date(last),
                price(close)
            )
        }
    }
}

/// Label of a target line.
pub fn target(value: f64, meta: &SeriesMeta, lang: Lang) -> String {
    let v = price(value);
    let v = v.strip_suffix(".00").unwrap_or(&v);
    match (lang, meta.currency.as_deref()) {
        (Lang::En, _) => format!("Target {v}"),
        (Lang::Ja, Some("USD")) => format!("目標 {v}ドル"),
        (Lang::Ja, Some("JPY")) => format!("目標 {v}円"),
        (Lang::Ja, _) => format!("目標 {v}"),
    }
}

/// The source line under the chart.
pub fn source(meta: &SeriesMeta, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Source: {}. Chart: aurum", meta.source),
        Lang::Ja => format!("出典：{}（aurum作成）", series_source_ja(meta)),
    }
}

/// Legend label of a CAAR path.
pub fn caar_series(group: &str, n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{group} (N={n})"),
        Lang::Ja => format!("{}（{n}件）", category_ja(group)),
    }
}

/// Japanese name of an event category.
pub fn category_ja(category: &str) -> &str {
    match category {
        "war-outbreak" => "開戦",
        "escalation" => "紛争激化",
        "ceasefire-peace" => "停戦・和平",
        "alliance" => "同盟",
        "nuclear" => "核",
        "terrorism" => "テロ",
        "sanctions-trade" => "制裁・通商",
        "coup-regime-change" => "政変",
        "territorial" => "領土問題",
        "energy-shock" => "エネルギー危機",
        "us-policy-shift" => "米国の政策転換",
        "selected" => "選択したイベント",
        other => other,
    }
}

/// Title and axis labels of a CAAR chart.
pub fn caar_axes(series: &str, lang: Lang) -> (String, String, String) {
    match lang {
        Lang::En => (
            format!("Gold's reaction to geopolitical events ({series})"),
            "Trading days relative to the event".to_owned(),
            "Cumulative average abnormal return, %".to_owned(),
        ),
        Lang::Ja => (
            format!("地政学イベントに対する金価格の反応（{series}）"),
            "イベント発生日からの営業日".to_owned(),
            "累積平均超過リターン（%）".to_owned(),
        ),
    }
}

/// Subtitle: model, windows and bands.
pub fn caar_subtitle(
    report: &crate::study::StudyReport,
    a: &crate::study::StudyRequest,
    lang: Lang,
) -> String {
    let bench = if report.benchmarks.is_empty() {
        String::new()
    } else {
        format!(" ({})", report.benchmarks.join(", "))
    };
    let as_of = report.as_of.map(|d| d.to_string());
    match lang {
        Lang::En => format!(
            "{} model{bench} · event window [{}] · estimation [{}] · bands: 95% (cross-sectional){}",
            a.model,
            window(a.window),
            window(a.estimation),
            as_of.map(|d| format!(" · as of {d}")).unwrap_or_default()
        ),
        Lang::Ja => format!(
            "{}モデル{bench}・イベント期間[{}]・推定期間[{}]・帯は95%信頼区間{}",
            match a.model {
                aurum_eventstudy::Model::Mean => "平均",
                aurum_eventstudy::Model::Market => "市場",
                aurum_eventstudy::Model::Factor => "マルチファクター",
            },
            window(a.window),
            window(a.estimation),
            report
                .as_of
                .map(|d| format!("（{}時点）", ja_date(d)))
                .unwrap_or_default()
        ),
    }
}

/// Source line of a CAAR chart.
pub fn caar_source(report: &crate::study::StudyReport, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Source: aurum event catalog; prices {}. Method: MacKinlay (1997)",
            report.series
        ),
        Lang::Ja => format!(
            "出典: aurumイベントカタログ、価格 {}（MacKinlay 1997の手法）",
            report.series
        ),
    }
}

/// Title, axes and source of a volatility term-structure chart.
pub fn term_structure(series: &str, model: &str, lang: Lang) -> (String, String, String, String) {
    match lang {
        Lang::En => (
            format!("Forecast volatility of {series} ({model})"),
            "Trading days ahead".to_owned(),
            "Annualised volatility to the horizon, %".to_owned(),
            "Source: aurum volatility model fitted by maximum likelihood".to_owned(),
        ),
        Lang::Ja => (
            format!("{series}の予想ボラティリティ（{model}）"),
            "営業日数（先行き）".to_owned(),
            "年率ボラティリティ（%）".to_owned(),
            "出典: aurum（最尤法で推定したボラティリティ・モデル）".to_owned(),
        ),
    }
}

/// Subtitle naming the forecast origin.
pub fn forecast_origin(d: aurum_core::Date, lang: Lang) -> String {
    match lang {
        Lang::En => format!("From {d}; cumulative variance annualised with 252 trading days"),
        Lang::Ja => format!("{}起点、年252営業日で年率換算", ja_date(d)),
    }
}

/// Title, axes and source of a rolling-beta chart.
pub fn rolling_beta(window: usize, freq: &str, lang: Lang) -> (String, String, String, String) {
    match lang {
        Lang::En => (
            format!("Gold's sensitivity to geopolitical risk, rolling {window} {freq} periods"),
            "Year (end of window)".to_owned(),
            "Beta on GPR, with 95% band (Newey–West)".to_owned(),
            "Source: Caldara and Iacoviello GPR index; LBMA; aurum".to_owned(),
        ),
        Lang::Ja => (
            format!("地政学リスクに対する金価格の感応度（{window}期間ローリング）"),
            "年（推定期間の末尾）".to_owned(),
            "GPRに対するベータ（95%信頼区間）".to_owned(),
            "出典: Caldara and Iacoviello GPR指数、LBMA（aurum作成）".to_owned(),
        ),
    }
}

/// Legend of a fan's band.
pub fn fan_label(lang: Lang, outer: bool) -> String {
    match (lang, outer) {
        (Lang::En, true) => "median and 90% range (5–95%)".into(),
        (Lang::En, false) => "50% range (25–75%)".into(),
        (Lang::Ja, true) => "中央値と90%区間（5〜95%）".into(),
        (Lang::Ja, false) => "50%区間（25〜75%）".into(),
    }
}

/// Legend of a target level.
pub fn target_level(v: f64, lang: Lang) -> String {
    let p = price(v);
    let p = p.strip_suffix(".00").unwrap_or(&p).to_owned();
    match lang {
        Lang::En => format!("target {p}"),
        Lang::Ja => format!("目標 {p}ドル"),
    }
}

/// Title, axes and source of a fan chart.
pub fn fan(title: &str, s0: f64, lang: Lang) -> (String, String, String, String) {
    match lang {
        Lang::En => (
            title.to_owned(),
            "Trading days ahead".into(),
            format!("USD / troy oz (from {})", price(s0)),
            "Source: aurum Monte Carlo (volatility model and scenario tree)".into(),
        ),
        Lang::Ja => (
            title.to_owned(),
            "営業日数（先行き）".into(),
            format!("ドル/トロイオンス（起点 {}）", price(s0)),
            "出典: aurumモンテカルロ（ボラティリティ・モデルとシナリオ・ツリー）".into(),
        ),
    }
}
