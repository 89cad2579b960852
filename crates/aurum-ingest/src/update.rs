//! Online updaters: where each live source publishes its files, and fetching them.
//!
//! The fetched bytes go through the same path as a user's file: [`crate::parse`] for the price
//! sources' [`Target`]s, and for the GPR authors' workbooks ([`GPR_WORKBOOKS`]) the path of
//! `aurum gpr import`, [`crate::gpr::table`] (see [`GprWorkbook::table`]). The caller merges all
//! of them in one store transaction, so a failure part-way leaves the store as it was.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use aurum_core::text::clip;

use crate::gpr::GprTable;
use crate::{Format, IngestError, workbook_csv_from_bytes};

/// A live source of prices or of the GPR index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// LBMA's JSON feed of the Gold Price PM.
    Lbma,
    /// stooq's CSV downloads.
    Stooq,
    /// FRED's CSV downloads.
    Fred,
    /// The Caldara–Iacoviello GPR index: the authors' monthly and recent daily workbooks.
    Gpr,
}

impl Source {
    /// The address the source is served from, when `--base-url` does not override it.
    #[must_use]
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::Lbma => "https://prices.lbma.org.uk",
            Self::Stooq => "https://stooq.com",
            Self::Fred => "https://fred.stlouisfed.org",
            Self::Gpr => "https://www.matteoiacoviello.com/gpr_files/",
        }
    }

    /// The series this source updates, with the path of each file under the base address.
    ///
    /// None for [`Source::Gpr`]: each of its workbooks feeds every series it has a column for
    /// (see [`Source::workbooks`]).
    #[must_use]
    pub fn targets(self) -> Vec<Target> {
        let t = |series: &'static str,
                 path: String,
                 format: Format,
                 column: Option<&'static str>| Target {
            series,
            path,
            format,
            column,
        };
        match self {
            Self::Lbma => vec![t(
                "gold-usd-lbma-pm",
                "/json/gold_pm.json".into(),
                Format::LbmaJson,
                Some("usd"),
            )],
            Self::Stooq => [
                ("gold-usd-spot", "xauusd"),
                ("sp500", "%5Espx"),
                ("usdjpy", "usdjpy"),
            ]
            .into_iter()
            .map(|(id, sym)| t(id, format!("/q/d/l/?s={sym}&i=d"), Format::Stooq, None))
            .collect(),
            Self::Fred => ["dgs10", "dfii10", "t10yie", "dtwexbgs"]
                .into_iter()
                .map(|id| {
                    let code = id.to_ascii_uppercase();
                    t(
                        id,
                        format!("/graph/fredgraph.csv?id={code}"),
                        Format::Fred,
                        None,
                    )
                })
                .collect(),
            Self::Gpr => Vec::new(),
        }
    }

    /// The GPR authors' workbooks this source fetches: [`GPR_WORKBOOKS`] for [`Source::Gpr`],
    /// none for the others.
    #[must_use]
    pub fn workbooks(self) -> &'static [GprWorkbook] {
        match self {
            Self::Gpr => &GPR_WORKBOOKS,
            Self::Lbma | Self::Stooq | Self::Fred => &[],
        }
    }
}

impl FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "lbma" => Ok(Self::Lbma),
            "stooq" => Ok(Self::Stooq),
            "fred" => Ok(Self::Fred),
            "gpr" => Ok(Self::Gpr),
            _ => Err(format!(
                "unknown source {s:?}: expected lbma, stooq, fred or gpr"
            )),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Lbma => "lbma",
            Self::Stooq => "stooq",
            Self::Fred => "fred",
            Self::Gpr => "gpr",
        })
    }
}

/// One file a source publishes and the series it updates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The series updated.
    pub series: &'static str,
    /// Path and query under the base address.
    pub path: String,
    /// The file's layout.
    pub format: Format,
    /// The column holding the series' value, where the file has several.
    pub column: Option<&'static str>,
}

impl Target {
    /// The full address under `base` (no trailing slash needed).
    #[must_use]
    pub fn url(&self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path)
    }
}

/// A workbook the GPR authors publish, read as `aurum gpr import` reads their files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GprWorkbook {
    /// Path under the base address.
    pub path: &'static str,
    /// What it is, for messages.
    pub description: &'static str,
    /// Whether it holds the daily index (the `gpr-daily…` series) rather than the monthly one
    /// (the other `gpr…` series).
    pub daily: bool,
}

/// The authors' monthly workbook (the index, its threats and acts, the historical index and
/// the country indices since 1900 or 1985) and their recent daily one (since 1985).
pub const GPR_WORKBOOKS: [GprWorkbook; 2] = [
    GprWorkbook {
        path: "/data_gpr_export.xls",
        description: "the GPR authors' monthly workbook",
        daily: false,
    },
    GprWorkbook {
        path: "/data_gpr_daily_recent.xls",
        description: "the GPR authors' daily workbook",
        daily: true,
    },
];

impl GprWorkbook {
    /// The full address under `base` (no trailing slash needed).
    #[must_use]
    pub fn url(&self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path)
    }

    /// Whether this workbook is the one that can hold series `id`: the daily workbook for
    /// `gpr-daily…`, the monthly one for the other `gpr…` series. Whether it has a column for
    /// it is known only once read.
    #[must_use]
    pub fn may_feed(&self, id: &str) -> bool {
        id.starts_with("gpr") && id.starts_with("gpr-daily") == self.daily
    }

    /// A fetched copy read as `aurum gpr import` reads a file: its first sheet through
    /// [`crate::gpr::table`], ready for [`crate::parse`]. Every index column must be one this
    /// workbook may hold (see [`GprWorkbook::may_feed`]), so that the daily workbook served
    /// in place of the monthly one, say, is refused rather than merged.
    ///
    /// # Errors
    ///
    /// Naming `url`: [`IngestError::Workbook`] when `bytes` are not a workbook, saying what
    /// was expected and what came instead (the beginning of a text such as an HTML page, or
    /// the decoder's complaint); [`IngestError::Layout`] when the first sheet has no GPR
    /// column, or columns of the other workbook.
    pub fn table(&self, url: &str, bytes: &[u8]) -> Result<GprTable, IngestError> {
        let table = crate::gpr::table(url, &self.text(url, bytes)?)?;
        let foreign: Vec<String> = table
            .columns
            .iter()
            .filter(|c| !self.may_feed(&c.series))
            .map(|c| format!("{} ({})", c.header, c.series))
            .collect();
        if !foreign.is_empty() {
            return Err(IngestError::Layout {
                file: url.to_owned(),
                message: format!(
                    "expected {}, found columns of the other one: {}",
                    self.description,
                    foreign.join(", ")
                ),
            });
        }
        Ok(table)
    }

    /// The first sheet of a fetched copy as CSV text.
    fn text(&self, url: &str, bytes: &[u8]) -> Result<String, IngestError> {
        workbook_csv_from_bytes(url, bytes).map_err(|e| {
            let found = match (text_start(bytes), e) {
                _ if bytes.is_empty() => "an empty body".to_owned(),
                (Some(line), _) => format!("text beginning {:?}", clip(line)),
                (None, IngestError::Workbook { message, .. }) => format!(
                    "{} bytes that cannot be read as a workbook: {}",
                    bytes.len(),
                    message
                        .strip_prefix("not a readable workbook: ")
                        .unwrap_or(&message)
                ),
                (None, other) => other.to_string(),
            };
            IngestError::Workbook {
                file: url.to_owned(),
                message: format!(
                    "expected {} (an Excel workbook), found {found}",
                    self.description
                ),
            }
        })
    }
}

/// The first non-blank line of `bytes` when they begin as text (an HTML page, a CSV), `None`
/// when they look binary.
fn text_start(bytes: &[u8]) -> Option<&str> {
    let head = &bytes[..bytes.len().min(4096)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A character cut by the 4 KiB limit.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    if text.contains('\0') {
        return None;
    }
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

/// Largest body accepted from a source (LBMA's full history is about 2 MB, the GPR authors'
/// workbooks a few MB each).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// Fetches `url` with an overall `timeout`.
///
/// # Errors
///
/// [`IngestError::Fetch`] for a connection failure, a time-out, a non-2xx status or an
/// oversized body, with the address and the reason in words.
pub fn fetch(url: &str, timeout: Duration) -> Result<Vec<u8>, IngestError> {
    let fail = |message: String| IngestError::Fetch {
        url: url.to_owned(),
        message,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .user_agent(concat!("aurum/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::StatusCode(code) => fail(format!("the server answered HTTP {code}")),
        ureq::Error::Timeout(_) => {
            fail(format!("no complete answer within {} s", timeout.as_secs()))
        }
        other => fail(other.to_string()),
    })?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| fail(format!("reading the body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_build_urls_under_any_base() {
        let fred = Source::Fred.targets();
        assert_eq!(fred.len(), 4);
        assert_eq!(
            fred[0].url("http://127.0.0.1:9/"),
            "http://127.0.0.1:9/graph/fredgraph.csv?id=DGS10"
        );
        assert_eq!(
            Source::Lbma.targets()[0].url(Source::Lbma.default_base_url()),
            "https://prices.lbma.org.uk/json/gold_pm.json"
        );
        assert!("bloomberg".parse::<Source>().is_err());
    }

    #[test]
    fn gpr_workbooks_live_under_the_authors_folder() {
        let gpr: Source = "GPR".parse().unwrap();
        assert_eq!(gpr, Source::Gpr);
        assert_eq!(gpr.to_string(), "gpr");
        assert!(gpr.targets().is_empty());
        assert!(Source::Fred.workbooks().is_empty());
        let urls: Vec<String> = gpr
            .workbooks()
            .iter()
            .map(|w| w.url(gpr.default_base_url()))
            .collect();
        assert_eq!(
            urls,
            [
                "https://www.matteoiacoviello.com/gpr_files/data_gpr_export.xls",
                "https://www.matteoiacoviello.com/gpr_files/data_gpr_daily_recent.xls"
            ]
        );
        assert_eq!(
            GPR_WORKBOOKS[1].url("http://127.0.0.1:9/mirror"),
            "http://127.0.0.1:9/mirror/data_gpr_daily_recent.xls"
        );
        let [monthly, daily] = GPR_WORKBOOKS;
        for id in ["gpr", "gpr-threats", "gpr-hist-acts", "gpr-country-usa"] {
            assert!(monthly.may_feed(id) && !daily.may_feed(id), "{id}");
        }
        for id in ["gpr-daily", "gpr-daily-acts"] {
            assert!(daily.may_feed(id) && !monthly.may_feed(id), "{id}");
        }
        assert!(!monthly.may_feed("vix") && !daily.may_feed("vix"));
    }

    #[test]
    fn a_gpr_download_that_is_no_workbook_says_what_came() {
        let url = "http://127.0.0.1:9/data_gpr_export.xls";
        let err = |bytes: &[u8]| GPR_WORKBOOKS[0].text(url, bytes).unwrap_err().to_string();
        let expected = format!(
            "{url}: expected the GPR authors' monthly workbook (an Excel workbook), found "
        );
        let html = err(b"\n  <!DOCTYPE html>\n<html><body>Moved</body></html>\n");
        assert_eq!(
            html,
            format!("{expected}text beginning \"<!DOCTYPE html>\"")
        );
        assert_eq!(err(b""), format!("{expected}an empty body"));
        let binary = err(b"\xd0\xcf\x11\xe0\x00\x00\x01\x02");
        assert!(
            binary.starts_with(&format!(
                "{expected}8 bytes that cannot be read as a workbook: "
            )),
            "{binary}"
        );
        // A text cut inside a character at the 4 KiB mark is still text.
        let long = format!("month;{}", "é".repeat(3000));
        assert!(err(long.as_bytes()).contains("text beginning \"month;éé"));
    }

    #[test]
    fn refused_connections_are_reported_with_the_address() {
        // Port 9 (discard) on loopback is closed on test machines: connecting fails at once.
        let err = fetch("http://127.0.0.1:9/x.csv", Duration::from_secs(5)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("fetching http://127.0.0.1:9/x.csv: "),
            "{err}"
        );
    }
}
