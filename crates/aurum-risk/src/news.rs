//! A news-based geopolitical risk index, by the method of Caldara and Iacoviello: the share
//! of articles in each period that mention geopolitical threats or acts, normalised to 100
//! over a base period.

use std::collections::BTreeMap;

use aurum_core::{Date, Frequency, Lang, period_end};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::RiskError;

/// Whether a category counts as a threat or an act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Threats of war, peace, build-ups, nuclear and terror threats.
    Threats,
    /// Beginning and escalation of war, terror acts.
    Acts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDictionary {
    lang: String,
    category: Vec<RawCategory>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    name: String,
    kind: Kind,
    groups: Vec<Vec<String>>,
}

/// One term: a word (optionally a prefix, `threat*`), a phrase of words, or — in Japanese —
/// a substring.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Term {
    Words(Vec<(String, bool)>),
    Substring(String),
}

/// A category: every group must be matched by one of its terms.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Category {
    name: String,
    kind: Kind,
    groups: Vec<Vec<Term>>,
}

/// A dictionary of word categories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dictionary {
    /// Language, which decides how text is matched.
    pub lang: Lang,
    categories: Vec<Category>,
}

/// Which categories an article matched.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// Names of the matched categories.
    pub categories: Vec<String>,
    /// Any threat category.
    pub threats: bool,
    /// Any act category.
    pub acts: bool,
}

impl Classification {
    /// Whether the article counts for the index at all.
    #[must_use]
    pub fn any(&self) -> bool {
        self.threats || self.acts
    }
}

/// The English dictionary shipped with aurum.
pub const BUNDLED_EN: &str = include_str!("../../../data/risk/dictionary-en.toml");
/// The Japanese dictionary shipped with aurum.
pub const BUNDLED_JA: &str = include_str!("../../../data/risk/dictionary-ja.toml");

impl Dictionary {
    /// The shipped dictionary of `lang`.
    ///
    /// # Panics
    ///
    /// Never: the shipped files are checked by a test.
    #[must_use]
    pub fn bundled(lang: Lang) -> Self {
        let text = match lang {
            Lang::En => BUNDLED_EN,
            Lang::Ja => BUNDLED_JA,
        };
        Self::parse("bundled dictionary", text).expect("the bundled dictionaries parse")
    }

    /// Reads a dictionary (TOML: `lang`, then `[[category]]` with `name`, `kind` and
    /// `groups`).
    ///
    /// # Errors
    ///
    /// Malformed TOML, an unknown language or kind, an empty category or group.
    pub fn parse(file: &str, text: &str) -> Result<Self, RiskError> {
        let raw: RawDictionary = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].lines().count().max(1)
            });
            RiskError::Spec(format!("{file}:{line}: {}", e.message().trim()))
        })?;
        let lang: Lang = raw.lang.parse().map_err(|_| {
            RiskError::Spec(format!("{file}: lang {:?}: expected en or ja", raw.lang))
        })?;
        if raw.category.is_empty() {
            return Err(RiskError::Spec(format!("{file}: no [[category]]")));
        }
        let mut categories = Vec::new();
        for c in raw.category {
            if c.groups.is_empty()
                || c.groups
                    .iter()
                    .any(|g| g.iter().all(|t| t.trim().is_empty()))
            {
                return Err(RiskError::Spec(format!(
                    "{file}: category {:?} has an empty group",
                    c.name
                )));
            }
            let groups = c
                .groups
                .iter()
                .map(|g| {
                    g.iter()
                        .filter(|t| !t.trim().is_empty())
                        .map(|t| term(lang, t))
                        .collect()
                })
                .collect();
            categories.push(Category {
                name: c.name,
                kind: c.kind,
                groups,
            });
        }
        Ok(Self { lang, categories })
    }

    /// The categories `text` matches.
    #[must_use]
    pub fn classify(&self, text: &str) -> Classification {
        let (tokens, squeezed) = match self.lang {
            Lang::En => (tokenize(text), String::new()),
            Lang::Ja => (
                Vec::new(),
                text.chars().filter(|c| !c.is_whitespace()).collect(),
            ),
        };
        let mut out = Classification::default();
        for c in &self.categories {
            let hit = c
                .groups
                .iter()
                .all(|g| g.iter().any(|t| matches(t, &tokens, &squeezed)));
            if hit {
                out.categories.push(c.name.clone());
                match c.kind {
                    Kind::Threats => out.threats = true,
                    Kind::Acts => out.acts = true,
                }
            }
        }
        out
    }
}

fn term(lang: Lang, t: &str) -> Term {
    let t = t.trim();
    match lang {
        Lang::Ja => Term::Substring(t.trim_end_matches('*').to_owned()),
        Lang::En => Term::Words(
            t.split_whitespace()
                .map(|w| {
                    let w = w.to_lowercase();
                    match w.strip_suffix('*') {
                        Some(stem) => (stem.to_owned(), true),
                        None => (w, false),
                    }
                })
                .collect(),
        ),
    }
}

/// Lower-case words: runs of letters, digits, `'` and `-`.
fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn matches(t: &Term, tokens: &[String], squeezed: &str) -> bool {
    match t {
        Term::Substring(s) => squeezed.contains(s.as_str()),
        Term::Words(words) => tokens.windows(words.len()).any(|win| {
            win.iter().zip(words).all(|(tok, (w, prefix))| {
                if *prefix {
                    tok.starts_with(w.as_str())
                } else {
                    tok == w
                }
            })
        }),
    }
}

/// A dated article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    /// Publication date.
    pub date: Date,
    /// Text (title and body).
    pub text: String,
}

/// One period of the news index.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndexRow {
    /// Period label (the day, the week's Friday, or the first of the month).
    pub period: Date,
    /// Articles in the period.
    pub articles: usize,
    /// Articles matching any category.
    pub matches: usize,
    /// Articles matching a threat category.
    pub threats: usize,
    /// Articles matching an act category.
    pub acts: usize,
    /// Share of matching articles, percent.
    pub share: f64,
    /// Index: share relative to its base-period mean, × 100.
    pub index: f64,
    /// Threats index.
    pub index_threats: f64,
    /// Acts index.
    pub index_acts: f64,
}

fn label(d: Date, freq: Frequency) -> Date {
    match freq {
        Frequency::Monthly => d.with_day(1).unwrap_or(d),
        f => period_end(d, f),
    }
}

/// The index of `articles` at `freq`, normalised to 100 over the periods in `base`
/// (inclusive; all periods when `None`).
///
/// # Errors
///
/// No articles, or a base period with no matching article (nothing to normalise by).
pub fn news_index(
    articles: &[Article],
    dict: &Dictionary,
    freq: Frequency,
    base: Option<(Date, Date)>,
) -> Result<Vec<IndexRow>, RiskError> {
    if articles.is_empty() {
        return Err(RiskError::Spec("the corpus has no articles".into()));
    }
    let mut counts: BTreeMap<Date, [usize; 4]> = BTreeMap::new();
    for a in articles {
        let c = dict.classify(&a.text);
        let e = counts.entry(label(a.date, freq)).or_insert([0; 4]);
        e[0] += 1;
        e[1] += usize::from(c.any());
        e[2] += usize::from(c.threats);
        e[3] += usize::from(c.acts);
    }
    let share = |n: usize, d: usize| 100.0 * n as f64 / d as f64;
    let in_base = |p: &Date| base.is_none_or(|(a, b)| a <= *p && *p <= b);
    let mean = |k: usize| {
        let v: Vec<f64> = counts
            .iter()
            .filter(|(p, _)| in_base(p))
            .map(|(_, c)| share(c[k], c[0]))
            .collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (m_all, m_thr, m_act) = (mean(1), mean(2), mean(3));
    if m_all <= 0.0 {
        return Err(RiskError::Spec(
            "no article in the base period matches the dictionary; the index cannot be normalised"
                .into(),
        ));
    }
    let norm = |s: f64, m: f64| if m > 0.0 { 100.0 * s / m } else { f64::NAN };
    Ok(counts
        .into_iter()
        .map(|(period, c)| {
            let (s, st, sa) = (share(c[1], c[0]), share(c[2], c[0]), share(c[3], c[0]));
            IndexRow {
                period,
                articles: c[0],
                matches: c[1],
                threats: c[2],
                acts: c[3],
                share: s,
                index: norm(s, m_all),
                index_threats: norm(st, m_thr),
                index_acts: norm(sa, m_act),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    #[test]
    fn bundled_dictionaries_parse_and_classify() {
        let en = Dictionary::bundled(Lang::En);
        let c = en.classify(
            "Fears of war grow as troops mass on the border; analysts warn of a wider conflict.",
        );
        assert!(
            c.threats && c.categories.contains(&"war-threats".to_owned()),
            "{c:?}"
        );
        let c = en.classify("Russia launched a full-scale invasion of Ukraine at dawn.");
        assert!(c.acts && !c.threats, "{c:?}");
        assert!(
            !en.classify("The central bank held rates steady; gold rose.")
                .any()
        );
        // Prefixes match word beginnings only: "warmth" is not "war".
        assert!(!en.classify("Warmth and warnings about the weather.").any());

        let ja = Dictionary::bundled(Lang::Ja);
        let c = ja.classify("北朝鮮が核実験を強行、周辺国は警戒を強める");
        assert!(
            c.threats && c.categories.contains(&"nuclear-threats".to_owned()),
            "{c:?}"
        );
        let c = ja.classify("ロシア軍がウクライナへの侵攻を開始した");
        assert!(c.acts, "{c:?}");
        assert!(
            ja.classify("台湾海峡 で 軍事 衝突 の リスク が 高まる")
                .threats,
            "spaces are ignored"
        );
        assert!(!ja.classify("日銀は金融政策を据え置いた").any());
    }

    #[test]
    fn index_is_share_over_base_mean() {
        let en = Dictionary::bundled(Lang::En);
        let a = |y, m, d, t: &str| Article {
            date: date(y, m, d),
            text: t.to_owned(),
        };
        let war = "Fears of war grow.";
        let calm = "Markets were quiet.";
        let arts = [
            a(2024, 1, 3, war),
            a(2024, 1, 9, calm),
            a(2024, 1, 20, calm),
            a(2024, 1, 28, calm),
            a(2024, 2, 2, war),
            a(2024, 2, 14, war),
            a(2024, 2, 20, calm),
            a(2024, 2, 25, calm),
        ];
        let rows = news_index(&arts, &en, Frequency::Monthly, None).unwrap();
        assert_eq!(rows.len(), 2);
        // Shares 25% and 50%; their mean 37.5% is 100.
        assert_eq!((rows[0].articles, rows[0].matches), (4, 1));
        assert!((rows[0].index - 100.0 * 25.0 / 37.5).abs() < 1e-12);
        assert!((rows[1].index - 100.0 * 50.0 / 37.5).abs() < 1e-12);
        let based = news_index(
            &arts,
            &en,
            Frequency::Monthly,
            Some((date(2024, 1, 1), date(2024, 1, 31))),
        )
        .unwrap();
        assert!((based[0].index - 100.0).abs() < 1e-12 && (based[1].index - 200.0).abs() < 1e-12);
        assert!(news_index(&[], &en, Frequency::Monthly, None).is_err());
        assert!(news_index(&arts[1..4], &en, Frequency::Monthly, None).is_err());
    }

    #[test]
    fn bad_dictionaries_are_reported() {
        assert!(
            Dictionary::parse(
                "d.toml",
                "lang = \"fr\"\n[[category]]\nname = \"x\"\nkind = \"acts\"\ngroups = [[\"a\"]]\n"
            )
            .is_err()
        );
        let e = Dictionary::parse(
            "d.toml",
            "lang = \"en\"\n[[category]]\nname = \"x\"\nkind = \"plots\"\ngroups = [[\"a\"]]\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("d.toml:"), "{e}");
        assert!(
            Dictionary::parse(
                "d.toml",
                "lang = \"en\"\n[[category]]\nname = \"x\"\nkind = \"acts\"\ngroups = [[]]\n"
            )
            .is_err()
        );
    }
}
