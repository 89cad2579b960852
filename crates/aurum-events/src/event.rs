use aurum_core::{Date, Lang};
use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in catalog order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The name used in files and on the command line.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)+ }
            }

            /// The accepted names, comma-separated, for messages.
            #[must_use]
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(format!(concat!("unknown ", $what, " {:?}: expected one of {}"), s, Self::names())),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary!(
    /// What kind of event it is.
    Category, "category", {
        /// A war begins (an invasion, a declared war).
        WarOutbreak = "war-outbreak",
        /// A conflict widens or intensifies.
        Escalation = "escalation",
        /// A ceasefire, armistice or peace agreement.
        CeasefirePeace = "ceasefire-peace",
        /// NATO and other alliance changes: enlargement, withdrawal, threats to leave.
        Alliance = "alliance",
        /// Nuclear tests, proliferation and doctrine.
        Nuclear = "nuclear",
        /// Terrorist attacks.
        Terrorism = "terrorism",
        /// Sanctions, embargoes, tariffs and trade wars.
        SanctionsTrade = "sanctions-trade",
        /// Coups, revolutions and regime changes.
        CoupRegimeChange = "coup-regime-change",
        /// Territorial disputes: Taiwan Strait, South China Sea, Crimea.
        Territorial = "territorial",
        /// Oil and gas supply shocks.
        EnergyShock = "energy-shock",
        /// Shifts in US foreign, monetary or security policy.
        UsPolicyShift = "us-policy-shift",
    }
);

vocabulary!(
    /// Where it happened.
    Region, "region", {
        /// Worldwide.
        Global = "global",
        /// United States and Canada.
        NorthAmerica = "north-america",
        /// Latin America and the Caribbean.
        LatinAmerica = "latin-america",
        /// Europe.
        Europe = "europe",
        /// Russia, Ukraine, the Caucasus and Central Asia.
        RussiaEurasia = "russia-eurasia",
        /// The Middle East and North Africa.
        MiddleEast = "middle-east",
        /// Sub-Saharan Africa.
        Africa = "africa",
        /// South Asia.
        SouthAsia = "south-asia",
        /// East Asia.
        EastAsia = "east-asia",
        /// Southeast Asia.
        SoutheastAsia = "southeast-asia",
        /// Oceania.
        Oceania = "oceania",
    }
);

/// A dated geopolitical event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique id, e.g. `2025-02-14-vance-munich`.
    pub id: String,
    /// The first trading day the news was public.
    pub date: Date,
    /// Title in English.
    pub title_en: String,
    /// Title in Japanese.
    pub title_ja: String,
    /// Category.
    pub category: Category,
    /// Region.
    pub region: Region,
    /// Countries (ISO 3166 alpha-2) and organisations involved.
    pub actors: Vec<String>,
    /// Unscheduled (true) or scheduled/expected (false).
    pub surprise: bool,
    /// A named reference (encyclopedia article, official document).
    pub source: String,
    /// Local time and UTC offset the news broke, where it matters (after the London close).
    pub announced: Option<String>,
    /// A remark, in English.
    pub note: Option<String>,
}

impl Event {
    /// The title in `lang`.
    #[must_use]
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.title_en,
            Lang::Ja => &self.title_ja,
        }
    }
}

/// Which events to keep.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Keep these categories (all when empty).
    pub categories: Vec<Category>,
    /// Keep these ids (all when empty).
    pub ids: Vec<String>,
    /// First date, inclusive.
    pub from: Option<Date>,
    /// Last date, inclusive.
    pub to: Option<Date>,
    /// Nothing dated after this day.
    pub as_of: Option<Date>,
}

impl EventFilter {
    /// Whether `e` passes the filter.
    #[must_use]
    pub fn matches(&self, e: &Event) -> bool {
        (self.categories.is_empty() || self.categories.contains(&e.category))
            && (self.ids.is_empty() || self.ids.contains(&e.id))
            && self.from.is_none_or(|d| e.date >= d)
            && self.to.is_none_or(|d| e.date <= d)
            && self.as_of.is_none_or(|d| e.date <= d)
    }
}
