use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// Grams in one troy ounce (exact, by definition).
pub const GRAMS_PER_TROY_OUNCE: f64 = 31.103_476_8;

/// The identifier of a series, such as `gold-usd-lbma-pm`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SeriesId(String);

impl SeriesId {
    /// Validates and wraps an id: 1 to 64 characters from `a-z`, `0-9`, `-` and `_`.
    pub fn new(id: impl Into<String>) -> Result<Self, CoreError> {
        let id = id.into();
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(id))
        } else {
            Err(CoreError::InvalidSeriesId(id))
        }
    }

    /// The id as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SeriesId {
    type Error = CoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<SeriesId> for String {
    fn from(value: SeriesId) -> Self {
        value.0
    }
}

impl FromStr for SeriesId {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for SeriesId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one unit of a series' value measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Currency per troy ounce (31.1034768 g).
    TroyOunce,
    /// Currency per gram.
    Gram,
    /// Index points (dollar index, equity index, VIX, GPR).
    IndexPoints,
    /// Percent (yields, rates).
    Percent,
    /// An exchange rate: units of the series' currency per US dollar.
    FxRate,
}

impl Unit {
    /// The short name used on the command line and in the store.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::TroyOunce => "oz",
            Self::Gram => "g",
            Self::IndexPoints => "index",
            Self::Percent => "percent",
            Self::FxRate => "fx",
        }
    }

    /// A human label for an axis, e.g. `USD / troy oz`.
    #[must_use]
    pub fn label(self, currency: Option<&str>) -> String {
        let per = match self {
            Self::TroyOunce => "troy oz",
            Self::Gram => "g",
            Self::IndexPoints => return "index points".to_owned(),
            Self::Percent => return "percent".to_owned(),
            Self::FxRate => return format!("{} / USD", currency.unwrap_or("units")),
        };
        match currency {
            Some(c) => format!("{c} / {per}"),
            None => format!("per {per}"),
        }
    }
}

impl FromStr for Unit {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "oz" | "troy_oz" | "troy-oz" | "troy_ounce" | "ozt" => Ok(Self::TroyOunce),
            "g" | "gram" | "grams" => Ok(Self::Gram),
            "index" | "index_points" | "points" => Ok(Self::IndexPoints),
            "percent" | "pct" | "%" => Ok(Self::Percent),
            "fx" | "rate" => Ok(Self::FxRate),
            _ => Err(CoreError::UnknownUnit(s.to_owned())),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Everything aurum knows about a series besides its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesMeta {
    /// Stable identifier.
    pub id: SeriesId,
    /// Human name, e.g. `Gold, LBMA PM fix`.
    pub name: String,
    /// Unit of the values.
    pub unit: Unit,
    /// ISO currency code of the values, when they are prices.
    pub currency: Option<String>,
    /// Where the values come from.
    pub source: String,
}

impl SeriesMeta {
    /// Axis label such as `USD / troy oz`.
    #[must_use]
    pub fn unit_label(&self) -> String {
        self.unit.label(self.currency.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_ids_are_validated() {
        assert!(SeriesId::new("gold-usd-lbma-pm").is_ok());
        assert!(SeriesId::new("dgs10").is_ok());
        assert_eq!(
            SeriesId::new("Gold USD"),
            Err(CoreError::InvalidSeriesId("Gold USD".into()))
        );
        assert!(SeriesId::new("").is_err());
        assert!(SeriesId::new("x".repeat(65)).is_err());
    }

    #[test]
    fn units_parse_and_label() {
        assert_eq!("oz".parse::<Unit>(), Ok(Unit::TroyOunce));
        assert_eq!("G".parse::<Unit>(), Ok(Unit::Gram));
        assert!("furlong".parse::<Unit>().is_err());
        assert_eq!(Unit::TroyOunce.label(Some("USD")), "USD / troy oz");
        assert_eq!(Unit::Gram.label(Some("JPY")), "JPY / g");
        assert_eq!(Unit::Percent.label(None), "percent");
    }
}
