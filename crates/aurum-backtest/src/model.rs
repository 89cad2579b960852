//! Forecast models: a volatility model with a mean model, or the stack of several.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How the spread and shape of returns are modelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VolModel {
    /// Normal returns with the trailing volatility (geometric Brownian motion).
    Gbm,
    /// GARCH(1,1) with Student's t innovations.
    GarchT,
    /// GJR-GARCH(1,1,1) with Student's t innovations.
    GjrT,
    /// Filtered historical simulation: GARCH(1,1) by normal quasi-likelihood, innovations
    /// bootstrapped from its standardised residuals.
    Fhs,
    /// HAR (Corsi 2009) on daily squared returns, fitted by OLS; innovations bootstrapped
    /// from its standardised residuals (see [`aurum_vol::HarFit`]).
    Har,
}

impl VolModel {
    /// Every volatility model.
    pub const ALL: [Self; 5] = [Self::Gbm, Self::GarchT, Self::GjrT, Self::Fhs, Self::Har];

    /// The name used on the command line and in output.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Gbm => "gbm",
            Self::GarchT => "garch-t",
            Self::GjrT => "gjr-t",
            Self::Fhs => "fhs",
            Self::Har => "har",
        }
    }
}

/// Where returns are centred: the drift of the simulated log returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeanModel {
    /// The volatility model's own: the fit window's mean for GBM and HAR, the jointly
    /// estimated constant for the GARCH models.
    Own,
    /// No drift.
    Zero,
    /// The mean daily return of all history known at the origin (expanding).
    Hist,
    /// Time-series momentum: the next month's mean return predicted from the last twelve
    /// months' by a regression on all history known at the origin, its slope shrunk towards
    /// zero by its own uncertainty (see [`crate::momentum_drift`]).
    Mom,
}

impl MeanModel {
    /// Every mean model.
    pub const ALL: [Self; 4] = [Self::Own, Self::Zero, Self::Hist, Self::Mom];

    /// The suffix after `+` in a model's name (none for [`MeanModel::Own`]).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Zero => "zero",
            Self::Hist => "hist",
            Self::Mom => "mom",
        }
    }
}

/// A forecast model: a volatility model with a mean model (`garch-t+mom`), or the stack of
/// the members in [`ModelKind::STACK_MEMBERS`] (`stack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModelKind {
    /// One volatility model with one mean model.
    Single(VolModel, MeanModel),
    /// The members' predictive distributions mixed with weights that maximise their past log
    /// score, and the event probabilities recalibrated on past outcomes.
    Stack,
}

impl ModelKind {
    /// The baseline: GBM with the fit window's mean.
    pub const GBM: Self = Self::Single(VolModel::Gbm, MeanModel::Own);
    /// GARCH(1,1)-t with its own constant mean (the scenario engine's model).
    pub const GARCH_T: Self = Self::Single(VolModel::GarchT, MeanModel::Own);
    /// GJR-GARCH(1,1,1)-t with its own constant mean.
    pub const GJR_T: Self = Self::Single(VolModel::GjrT, MeanModel::Own);
    /// Filtered historical simulation with its own constant mean.
    pub const FHS: Self = Self::Single(VolModel::Fhs, MeanModel::Own);
    /// HAR with the fit window's mean.
    pub const HAR: Self = Self::Single(VolModel::Har, MeanModel::Own);

    /// The stack's members: the volatility models that differ most (normal, Student's t,
    /// bootstrapped from GARCH, bootstrapped from HAR), each with its own mean and with
    /// momentum.
    pub const STACK_MEMBERS: [Self; 8] = [
        Self::GBM,
        Self::GARCH_T,
        Self::FHS,
        Self::Single(VolModel::Gbm, MeanModel::Mom),
        Self::Single(VolModel::GarchT, MeanModel::Mom),
        Self::Single(VolModel::Fhs, MeanModel::Mom),
        Self::HAR,
        Self::Single(VolModel::Har, MeanModel::Mom),
    ];

    /// The name used on the command line and in output: `gbm`, `garch-t+mom`, `stack`.
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::Single(v, MeanModel::Own) => v.name().to_owned(),
            Self::Single(v, m) => format!("{}+{}", v.name(), m.name()),
            Self::Stack => "stack".to_owned(),
        }
    }

    /// The model named `s`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        if s == "stack" {
            return Some(Self::Stack);
        }
        let (v, m) = s.split_once('+').unwrap_or((s, "own"));
        let vol = VolModel::ALL.into_iter().find(|x| x.name() == v)?;
        let mean = MeanModel::ALL.into_iter().find(|x| x.name() == m)?;
        Some(Self::Single(vol, mean))
    }

    /// A number that tells models apart in seeds; the models of earlier releases (own mean)
    /// keep theirs, 0 to 3, so their numbers do not change, and HAR, added after them, takes
    /// 4 (plus 16 per mean model, as the others).
    #[must_use]
    pub(crate) fn code(self) -> u64 {
        match self {
            Self::Single(v, m) => v as u64 + 16 * m as u64,
            Self::Stack => 255,
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for ModelKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s).ok_or_else(|| {
            format!(
                "unknown model {s:?} (expected gbm, garch-t, gjr-t, fhs or har, optionally with +zero, +hist or +mom, or stack)"
            )
        })
    }
}

impl Serialize for ModelKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for ModelKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in VolModel::ALL {
            for m in MeanModel::ALL {
                let k = ModelKind::Single(v, m);
                assert_eq!(ModelKind::parse(&k.name()), Some(k));
            }
        }
        assert_eq!(ModelKind::parse("stack"), Some(ModelKind::Stack));
        assert_eq!(ModelKind::GBM.name(), "gbm");
        assert_eq!(
            ModelKind::parse("garch-t+mom"),
            Some(ModelKind::Single(VolModel::GarchT, MeanModel::Mom))
        );
        assert_eq!(ModelKind::parse("garch-t+own"), Some(ModelKind::GARCH_T));
        assert!(ModelKind::parse("garch").is_none());
        assert!(ModelKind::parse("gbm+trend").is_none());
        // Earlier releases' models keep their seeds.
        assert_eq!(
            [
                ModelKind::GBM,
                ModelKind::GARCH_T,
                ModelKind::GJR_T,
                ModelKind::FHS
            ]
            .map(ModelKind::code),
            [0, 1, 2, 3]
        );
        assert_eq!(
            ModelKind::parse("har+mom").map(ModelKind::code),
            Some(4 + 48)
        );
        // Every model has its own seed stream.
        let mut codes: Vec<u64> = VolModel::ALL
            .into_iter()
            .flat_map(|v| MeanModel::ALL.map(|m| ModelKind::Single(v, m).code()))
            .chain([ModelKind::Stack.code()])
            .collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), VolModel::ALL.len() * MeanModel::ALL.len() + 1);
    }
}
