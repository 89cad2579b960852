//! Online updaters: where each live source publishes its files, and fetching them.
//!
//! The fetched bytes go through the same [`crate::parse`] path as a user's file; the caller
//! merges all of them in one store transaction, so a failure part-way leaves the store as it
//! was.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::{Format, IngestError};

/// A live source of prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// LBMA's JSON feed of the Gold Price PM.
    Lbma,
    /// stooq's CSV downloads.
    Stooq,
    /// FRED's CSV downloads.
    Fred,
}

impl Source {
    /// The address the source is served from, when `--base-url` does not override it.
    #[must_use]
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::Lbma => "https://prices.lbma.org.uk",
            Self::Stooq => "https://stooq.com",
            Self::Fred => "https://fred.stlouisfed.org",
        }
    }

    /// The series this source updates, with the path of each file under the base address.
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
            _ => Err(format!(
                "unknown source {s:?}: expected lbma, stooq or fred"
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

/// Largest body accepted from a source (LBMA's full history is about 2 MB).
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
