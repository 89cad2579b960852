//! The data set compiled into aurum: real public series up to 2025-02-18.
//!
//! Files live in the repository's `data/prices/` with their provenance and terms in
//! `data/README.md`. The store seeds itself from [`series`] on first use.

use std::sync::OnceLock;

use aurum_core::{SeriesId, SeriesMeta, Unit};

use crate::{IngestError, OnBadRange, ParseOptions, Parsed};

/// One bundled series: its metadata, the embedded file and how to read it.
#[derive(Clone, Debug)]
pub struct BundledSeries {
    /// What the series is.
    pub meta: SeriesMeta,
    /// File name under `data/prices/`.
    pub file: &'static str,
    /// The file's text.
    pub text: &'static str,
    /// How to read it.
    pub options: ParseOptions,
}

macro_rules! file {
    ($name:literal) => {
        ($name, include_str!(concat!("../../../data/prices/", $name)))
    };
}

const LBMA: (&str, &str) = file!("gold_usd_daily_lbma_pm.csv");
const STOOQ_GOLD: (&str, &str) = file!("gold_usd_daily_ohlc_stooq_xauusd.csv");
const COMEX: (&str, &str) = file!("gold_usd_daily_ohlc_comex_gc_futures.csv");
const MONTHLY: (&str, &str) = file!("gold_usd_monthly_1833_worldbank.csv");
const JPY_GRAM: (&str, &str) = file!("gold_jpy_per_gram_derived.csv");
const DXY: (&str, &str) = file!("dxy_daily_yahoo.csv");
const SP500: (&str, &str) = file!("sp500_daily_ohlc_stooq.csv");
const US10Y: (&str, &str) = file!("us10y_yield_daily_yahoo_tnx.csv");
const USDJPY: (&str, &str) = file!("usdjpy_daily_yahoo.csv");
const VIX: (&str, &str) = file!("vix_daily_yahoo.csv");
const FRED: (&str, &str) = file!("fred_rates_usd_daily.csv");

macro_rules! risk_file {
    ($name:literal) => {
        ($name, include_str!(concat!("../../../data/risk/", $name)))
    };
}

const GPR_DAILY: (&str, &str) = risk_file!("gpr_daily_caldara_iacoviello.csv");
const GPR_MONTHLY: (&str, &str) = risk_file!("gpr_monthly_caldara_iacoviello.csv");
const GPR_SOURCE: &str =
    "Caldara and Iacoviello (2022), Measuring Geopolitical Risk, American Economic Review 112(4)";

struct Spec {
    id: &'static str,
    name: &'static str,
    unit: Unit,
    currency: Option<&'static str>,
    source: &'static str,
    file: (&'static str, &'static str),
    column: Option<&'static str>,
}

const SPECS: &[Spec] = &[
    Spec {
        id: "gold-usd-lbma-pm",
        name: "Gold, LBMA Gold Price PM",
        unit: Unit::TroyOunce,
        currency: Some("USD"),
        source: "LBMA Gold Price PM (ICE Benchmark Administration); FRED GOLDPMGBD228NLBM to 2020, LBMA feed from 2021",
        file: LBMA,
        column: Some("close"),
    },
    Spec {
        id: "gold-usd-spot",
        name: "Gold spot XAU/USD",
        unit: Unit::TroyOunce,
        currency: Some("USD"),
        source: "stooq XAU/USD daily",
        file: STOOQ_GOLD,
        column: None,
    },
    Spec {
        id: "gold-usd-gc",
        name: "Gold futures, COMEX front month",
        unit: Unit::TroyOunce,
        currency: Some("USD"),
        source: "Yahoo Finance GC=F",
        file: COMEX,
        column: None,
    },
    Spec {
        id: "gold-usd-monthly",
        name: "Gold, monthly average since 1833",
        unit: Unit::TroyOunce,
        currency: Some("USD"),
        source: "Timothy Green to 1959, World Bank Pink Sheet from 1960 (datasets/gold-prices)",
        file: MONTHLY,
        column: Some("price"),
    },
    Spec {
        id: "gold-jpy-gram",
        name: "Gold in yen per gram (LBMA PM × USD/JPY)",
        unit: Unit::Gram,
        currency: Some("JPY"),
        source: "derived: LBMA Gold Price PM × Yahoo USD/JPY ÷ 31.1034768",
        file: JPY_GRAM,
        column: Some("gold_jpy_per_gram"),
    },
    Spec {
        id: "dxy",
        name: "US Dollar Index (ICE)",
        unit: Unit::IndexPoints,
        currency: None,
        source: "Yahoo Finance DX-Y.NYB",
        file: DXY,
        column: None,
    },
    Spec {
        id: "sp500",
        name: "S&P 500",
        unit: Unit::IndexPoints,
        currency: None,
        source: "stooq ^SPX",
        file: SP500,
        column: None,
    },
    Spec {
        id: "us10y",
        name: "US 10-year Treasury yield (CBOE TNX)",
        unit: Unit::Percent,
        currency: None,
        source: "Yahoo Finance ^TNX",
        file: US10Y,
        column: None,
    },
    Spec {
        id: "usdjpy",
        name: "US dollar in yen",
        unit: Unit::FxRate,
        currency: Some("JPY"),
        source: "Yahoo Finance JPY=X",
        file: USDJPY,
        column: None,
    },
    Spec {
        id: "vix",
        name: "CBOE Volatility Index",
        unit: Unit::IndexPoints,
        currency: None,
        source: "Yahoo Finance ^VIX",
        file: VIX,
        column: None,
    },
    Spec {
        id: "dgs10",
        name: "10-year Treasury constant maturity yield",
        unit: Unit::Percent,
        currency: None,
        source: "FRED DGS10",
        file: FRED,
        column: Some("dgs10"),
    },
    Spec {
        id: "dfii10",
        name: "10-year TIPS real yield",
        unit: Unit::Percent,
        currency: None,
        source: "FRED DFII10",
        file: FRED,
        column: Some("dfii10"),
    },
    Spec {
        id: "t10yie",
        name: "10-year breakeven inflation",
        unit: Unit::Percent,
        currency: None,
        source: "FRED T10YIE",
        file: FRED,
        column: Some("t10yie"),
    },
    Spec {
        id: "dtwexbgs",
        name: "Broad trade-weighted US dollar index",
        unit: Unit::IndexPoints,
        currency: None,
        source: "FRED DTWEXBGS",
        file: FRED,
        column: Some("dtwexbgs"),
    },
];

/// The Geopolitical Risk series: daily total, acts and threats; monthly recent (from 1985)
/// and historical (from 1900) indices; and each country's monthly index.
fn gpr_series() -> Vec<BundledSeries> {
    let mut out = Vec::new();
    let mut add = |id: String, name: String, file: (&'static str, &'static str), column: &str| {
        out.push(BundledSeries {
            meta: SeriesMeta {
                id: SeriesId::new(id).expect("GPR ids are valid"),
                name,
                unit: Unit::IndexPoints,
                currency: None,
                source: GPR_SOURCE.to_owned(),
            },
            file: file.0,
            text: file.1,
            // Shares and indices may be 0 (a country unmentioned in a month).
            options: ParseOptions {
                column: Some(column.to_owned()),
                positive: false,
                ..ParseOptions::default()
            },
        });
    };
    for (id, name, col) in [
        ("gpr-daily", "Geopolitical Risk index, daily", "GPRD"),
        (
            "gpr-daily-acts",
            "Geopolitical Risk index, daily, acts",
            "GPRD_ACT",
        ),
        (
            "gpr-daily-threats",
            "Geopolitical Risk index, daily, threats",
            "GPRD_THREAT",
        ),
    ] {
        add(id.into(), name.into(), GPR_DAILY, col);
    }
    for (id, name, col) in [
        (
            "gpr",
            "Geopolitical Risk index, monthly (1985–2019 = 100)",
            "GPR",
        ),
        (
            "gpr-threats",
            "Geopolitical Risk index, monthly, threats",
            "GPRT",
        ),
        ("gpr-acts", "Geopolitical Risk index, monthly, acts", "GPRA"),
        (
            "gpr-hist",
            "Historical Geopolitical Risk index, monthly (1900–2019 = 100)",
            "GPRH",
        ),
        (
            "gpr-hist-threats",
            "Historical Geopolitical Risk index, monthly, threats",
            "GPRHT",
        ),
        (
            "gpr-hist-acts",
            "Historical Geopolitical Risk index, monthly, acts",
            "GPRHA",
        ),
    ] {
        add(id.into(), name.into(), GPR_MONTHLY, col);
    }
    let header = GPR_MONTHLY.1.lines().next().unwrap_or("");
    for col in header.split(',') {
        if let Some(code) = col.strip_prefix("GPRC_") {
            let c = code.to_ascii_lowercase();
            add(
                format!("gpr-country-{c}"),
                format!("Geopolitical Risk, {code} (share of articles)"),
                GPR_MONTHLY,
                col,
            );
        } else if let Some(code) = col.strip_prefix("GPRHC_") {
            let c = code.to_ascii_lowercase();
            add(
                format!("gpr-hist-country-{c}"),
                format!("Historical Geopolitical Risk, {code} (share of articles)"),
                GPR_MONTHLY,
                col,
            );
        }
    }
    out
}

/// Every bundled series, in a stable order.
#[must_use]
pub fn series() -> Vec<BundledSeries> {
    let prices = SPECS.iter().map(|s| BundledSeries {
        meta: SeriesMeta {
            id: SeriesId::new(s.id).expect("bundled ids are valid"),
            name: s.name.to_owned(),
            unit: s.unit,
            currency: s.currency.map(str::to_owned),
            source: s.source.to_owned(),
        },
        file: s.file.0,
        text: s.file.1,
        options: ParseOptions {
            column: s.column.map(str::to_owned),
            positive: s.unit != Unit::Percent,
            // COMEX rows flagged by the data pack, and a few hundred Yahoo USD/JPY rows,
            // have ranges that contradict their closes: keep their closes only.
            range_flag_column: Some("ohlc_suspect".to_owned()),
            on_bad_range: OnBadRange::CloseOnly,
            ..ParseOptions::default()
        },
    });
    prices.chain(gpr_series()).collect()
}

/// Bundled series read from one file in one pass: consecutive series of [`series`] that
/// take a column each of the same file (the 94 monthly GPR series share one).
#[derive(Clone, Debug)]
pub struct BundledFile {
    /// The series, in the order of [`series`].
    pub series: Vec<BundledSeries>,
}

impl BundledFile {
    /// Reads the file once for all its series: entry `i` is what
    /// [`parse`](crate::parse)`(s.file, s.text, &s.options)` gives for `series[i]`.
    ///
    /// # Errors
    ///
    /// The first series' error, as [`parse`](crate::parse) gives it.
    pub fn parse(&self) -> Result<Vec<Parsed>, IngestError> {
        let Some(first) = self.series.first() else {
            return Ok(Vec::new());
        };
        let targets: Vec<&ParseOptions> = self.series.iter().map(|s| &s.options).collect();
        crate::parse::parse_columns(first.file, first.text.as_bytes(), &targets)
            .into_iter()
            .collect()
    }
}

/// Every bundled series grouped by the file it is read from, in the order of [`series`]:
/// flattened, the groups' series are [`series`].
#[must_use]
pub fn files() -> Vec<BundledFile> {
    let mut out: Vec<BundledFile> = Vec::new();
    for s in series() {
        match out.last_mut() {
            Some(f) if f.series[0].file == s.file => f.series.push(s),
            _ => out.push(BundledFile { series: vec![s] }),
        }
    }
    out
}

/// A fingerprint of the bundled data (FNV-1a over ids and file contents). The store
/// re-seeds when it changes, so an upgrade that brings new bundled data merges it.
///
/// Computed once per process (it reads every bundled byte).
#[must_use]
pub fn fingerprint() -> String {
    static FINGERPRINT: OnceLock<String> = OnceLock::new();
    FINGERPRINT.get_or_init(compute_fingerprint).clone()
}

fn compute_fingerprint() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut files: Vec<(&str, &str)> = Vec::new();
    for s in series() {
        eat(s.meta.id.as_str().as_bytes());
        eat(s.file.as_bytes());
        if !files.iter().any(|(f, _)| *f == s.file) {
            files.push((s.file, s.text));
        }
    }
    for (_, text) in files {
        eat(text.as_bytes());
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    #[test]
    fn every_bundled_series_parses_with_its_sanity_points() {
        for s in series() {
            let p = parse(s.file, s.text.as_bytes(), &s.options)
                .unwrap_or_else(|e| panic!("{}: {e}", s.meta.id));
            let least = if s.meta.id.as_str().starts_with("gpr") {
                400
            } else {
                1000
            };
            assert!(p.bars.len() > least, "{}: {} rows", s.meta.id, p.bars.len());
            let last = p.bars.last().unwrap();
            assert!(last.date <= aurum_core::date(2025, 2, 18), "{}", s.meta.id);
        }
    }

    #[test]
    fn reading_each_file_once_gives_what_each_series_read_alone_gives() {
        let files = files();
        let flat: Vec<String> = files
            .iter()
            .flat_map(|f| f.series.iter().map(|s| s.meta.id.to_string()))
            .collect();
        let ids: Vec<String> = series().iter().map(|s| s.meta.id.to_string()).collect();
        assert_eq!(flat, ids);
        assert!(files.len() < ids.len() / 4, "{} files", files.len());
        for f in &files {
            let together = f.parse().unwrap();
            assert_eq!(together.len(), f.series.len());
            for (s, p) in f.series.iter().zip(together) {
                let alone = parse(s.file, s.text.as_bytes(), &s.options).unwrap();
                assert_eq!(p, alone, "{}", s.meta.id);
            }
        }
    }

    #[test]
    fn the_fingerprint_is_stable() {
        assert_eq!(fingerprint(), compute_fingerprint());
        assert_eq!(fingerprint().len(), 16);
    }

    #[test]
    fn lbma_matches_the_data_readme() {
        let s = series()
            .into_iter()
            .find(|s| s.meta.id.as_str() == "gold-usd-lbma-pm")
            .unwrap();
        let p = parse(s.file, s.text.as_bytes(), &s.options).unwrap();
        let at = |d| p.bars.iter().find(|b| b.date == d).map(|b| b.close);
        assert_eq!(at(aurum_core::date(1980, 1, 21)), Some(850.0));
        assert_eq!(at(aurum_core::date(2011, 9, 5)), Some(1895.0));
        assert_eq!(at(aurum_core::date(2025, 2, 18)), Some(2927.1));
        let first_2000 = p.bars.iter().find(|b| b.close >= 2000.0).unwrap().date;
        assert_eq!(first_2000, aurum_core::date(2020, 8, 5));
    }

    #[test]
    fn gpr_series_cover_daily_monthly_and_countries() {
        let all = series();
        let ids: Vec<&str> = all.iter().map(|s| s.meta.id.as_str()).collect();
        for id in [
            "gpr-daily",
            "gpr-daily-acts",
            "gpr-daily-threats",
            "gpr",
            "gpr-threats",
            "gpr-acts",
            "gpr-hist",
            "gpr-country-usa",
            "gpr-country-chn",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        assert_eq!(
            ids.iter().filter(|i| i.starts_with("gpr-country-")).count(),
            44
        );
        let gpr = all.iter().find(|s| s.meta.id.as_str() == "gpr").unwrap();
        let p = parse(gpr.file, gpr.text.as_bytes(), &gpr.options).unwrap();
        assert_eq!(p.bars.first().unwrap().date, aurum_core::date(1985, 1, 1));
        // The index is normalised to 100 over 1985–2019.
        let base: Vec<f64> = p
            .bars
            .iter()
            .filter(|b| b.date.to_string().as_str() < "2020")
            .map(|b| b.close)
            .collect();
        let mean = base.iter().sum::<f64>() / base.len() as f64;
        assert!((mean - 100.0).abs() < 0.5, "{mean}");
    }

    #[test]
    fn comex_suspect_rows_have_no_range() {
        let s = series()
            .into_iter()
            .find(|s| s.meta.id.as_str() == "gold-usd-gc")
            .unwrap();
        let p = parse(s.file, s.text.as_bytes(), &s.options).unwrap();
        let no_range = p.bars.iter().filter(|b| !b.has_range()).count();
        // The data README counts 1,246 rows flagged `ohlc_suspect`.
        assert_eq!(no_range, 1246);
    }
}
