//! Scheduled events: dates announced in advance (policy meetings, summits, elections), each
//! with the day its date became public, so that a calendar as of a day lists only what was
//! known on that day.

use aurum_core::{Date, Lang};
use serde::{Deserialize, Serialize};

use crate::event::vocabulary;
use crate::parse::{check_all, day, from_toml, line_of};
use crate::{BUNDLED_SCHEDULED, EventCatalogError, Region, valid_id};

/// The longest an event may last: `end` is at most this many days after `date`.
pub const MAX_SPAN_DAYS: i64 = 31;

vocabulary!(
    /// What kind of scheduled event it is.
    ScheduledKind, "kind", {
        /// A meeting of the US Federal Open Market Committee (the decision comes on its
        /// second day).
        Fomc = "fomc",
        /// A Bank of Japan Monetary Policy Meeting (the decision comes on its second day).
        Boj = "boj",
        /// A NATO summit.
        NatoSummit = "nato-summit",
        /// A G7 leaders' summit.
        G7Summit = "g7-summit",
        /// A G20 leaders' summit.
        G20Summit = "g20-summit",
        /// A meeting of the European Council (formal, special or informal).
        EuropeanCouncil = "european-council",
        /// A BRICS summit.
        BricsSummit = "brics-summit",
        /// A national or European election (polling day or days).
        Election = "election",
    }
);

/// An event whose date was announced in advance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheduled {
    /// Unique id, e.g. `2025-06-24-nato-summit-the-hague`.
    pub id: String,
    /// The first day.
    pub date: Date,
    /// The last day, for an event of several days.
    pub end: Option<Date>,
    /// Title in English.
    pub title_en: String,
    /// Title in Japanese.
    pub title_ja: String,
    /// Kind.
    pub kind: ScheduledKind,
    /// Where it takes place.
    pub region: Region,
    /// The day by which the date was publicly known (never after `date`).
    pub announced: Date,
    /// The official page or release that announced it.
    pub source: String,
    /// How a date or `announced` was settled, in English.
    pub note: Option<String>,
}

impl Scheduled {
    /// The title in `lang`.
    #[must_use]
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.title_en,
            Lang::Ja => &self.title_ja,
        }
    }

    /// The last day: `end`, or `date` for a one-day event.
    #[must_use]
    pub fn last_day(&self) -> Date {
        self.end.unwrap_or(self.date)
    }

    /// Whether the date was public at the end of `as_of`.
    #[must_use]
    pub fn known_on(&self, as_of: Date) -> bool {
        self.announced <= as_of
    }
}

/// The bundled calendar of scheduled events (`data/events/scheduled.toml`).
///
/// # Errors
///
/// Only if the shipped file is broken, which a test rules out.
pub fn bundled_scheduled() -> Result<Vec<Scheduled>, EventCatalogError> {
    parse_scheduled("data/events/scheduled.toml", BUNDLED_SCHEDULED)
}

/// The events of `events` that fall within (`from`, `to`] and were announced on or before
/// `as_of`, by date.
///
/// An event falls within the window when one of its days does: it begins on or before `to`
/// and its last day is after `from`. So an FOMC meeting that began on `from` is kept, since
/// its decision day is still ahead, and one that ended on `from` is not. Nothing announced
/// after `as_of` appears, whatever the window.
#[must_use]
pub fn scheduled_between(
    events: &[Scheduled],
    from: Date,
    to: Date,
    as_of: Date,
) -> Vec<&Scheduled> {
    let mut out: Vec<&Scheduled> = events
        .iter()
        .filter(|e| e.date <= to && e.last_day() > from && e.known_on(as_of))
        .collect();
    out.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    out
}

/// A scheduled event as written in a file: every field optional, so that a missing one is
/// reported with the event's line rather than as a bare deserialisation error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheduled {
    id: Option<String>,
    // Dates are read as any value, so that a bare TOML date (`date = 2025-06-24`) is taken
    // and anything else is reported with the field's name.
    date: Option<toml::Value>,
    end: Option<toml::Value>,
    title_en: Option<String>,
    title_ja: Option<String>,
    kind: Option<String>,
    region: Option<String>,
    announced: Option<toml::Value>,
    source: Option<String>,
    note: Option<String>,
}

/// A date field's text: a string as written, a TOML date in ISO form, anything else as TOML.
fn date_field(v: Option<toml::Value>) -> Option<String> {
    v.map(|v| match v {
        toml::Value::String(s) => s,
        other => other.to_string(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    scheduled: Vec<toml::Spanned<RawScheduled>>,
}

/// Reads a calendar of scheduled events: an array of `[[scheduled]]` tables.
///
/// # Errors
///
/// Syntax errors, unknown or missing fields, bad values (an `end` before `date` or more
/// than [`MAX_SPAN_DAYS`] after it, an `announced` after `date`) and duplicate ids, each
/// naming the file, the line and the field.
pub fn parse_scheduled(file: &str, text: &str) -> Result<Vec<Scheduled>, EventCatalogError> {
    let parsed: TomlFile = from_toml(file, text)?;
    let raws = parsed
        .scheduled
        .into_iter()
        .map(|s| (line_of(text, s.span().start), s.into_inner()))
        .collect();
    Ok(check_all(file, raws, check, |e: &Scheduled| e.id.as_str())?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

fn check(file: &str, line: usize, raw: RawScheduled) -> Result<Scheduled, EventCatalogError> {
    let id = raw.id.clone().unwrap_or_default();
    let field = |field: &'static str, expected: &str, found: &str| EventCatalogError::Field {
        file: file.to_owned(),
        line,
        id: id.clone(),
        field,
        expected: expected.to_owned(),
        found: found.to_owned(),
    };
    let text = |name: &'static str, v: Option<String>| -> Result<String, EventCatalogError> {
        match v {
            Some(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            _ => Err(field(name, "a non-empty text", "")),
        }
    };
    if !valid_id(&id) {
        return Err(field(
            "id",
            "a kebab-case id such as 2025-06-24-nato-summit-the-hague ([a-z0-9-], up to 80)",
            &id,
        ));
    }
    let date_text = date_field(raw.date).unwrap_or_default();
    let date = day(&date_text).ok_or_else(|| {
        field(
            "date",
            "a date YYYY-MM-DD between 1800 and 2100",
            &date_text,
        )
    })?;
    let end = match date_field(raw.end) {
        None => None,
        Some(end_text) => {
            let end = day(&end_text)
                .filter(|e| *e >= date && (*e - date).num_days() <= MAX_SPAN_DAYS)
                .ok_or_else(|| {
                    field(
                        "end",
                        &format!(
                            "a date YYYY-MM-DD from the event's date {date} to {MAX_SPAN_DAYS} days later"
                        ),
                        &end_text,
                    )
                })?;
            Some(end)
        }
    };
    let announced_text = date_field(raw.announced).unwrap_or_default();
    let announced = day(&announced_text).filter(|a| *a <= date).ok_or_else(|| {
        field(
            "announced",
            &format!("a date YYYY-MM-DD on or before the event's date {date}"),
            &announced_text,
        )
    })?;
    let kind_text = raw.kind.unwrap_or_default();
    let kind: ScheduledKind = kind_text.parse().map_err(|_| {
        field(
            "kind",
            &format!("one of {}", ScheduledKind::names()),
            &kind_text,
        )
    })?;
    let region_text = raw.region.unwrap_or_default();
    let region: Region = region_text.parse().map_err(|_| {
        field(
            "region",
            &format!("one of {}", Region::names()),
            &region_text,
        )
    })?;
    Ok(Scheduled {
        title_en: text("title_en", raw.title_en)?,
        title_ja: text("title_ja", raw.title_ja)?,
        source: text("source", raw.source)?,
        id,
        date,
        end,
        kind,
        region,
        announced,
        note: raw
            .note
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    const ONE: &str = r#"
[[scheduled]]
id = "2025-06-24-nato-summit-the-hague"
date = "2025-06-24"
end = "2025-06-25"
title_en = "NATO summit, The Hague"
title_ja = "NATO首脳会議（ハーグ）"
kind = "nato-summit"
region = "europe"
announced = "2024-05-24"
source = "NATO press release of 24 May 2024"
"#;

    fn err(text: &str) -> String {
        parse_scheduled("s.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn reads_an_event() {
        let e = &parse_scheduled("s.toml", ONE).unwrap()[0];
        assert_eq!(e.date, date(2025, 6, 24));
        assert_eq!(e.end, Some(date(2025, 6, 25)));
        assert_eq!(e.last_day(), date(2025, 6, 25));
        assert_eq!(e.kind, ScheduledKind::NatoSummit);
        assert_eq!(e.region, Region::Europe);
        assert_eq!(e.announced, date(2024, 5, 24));
        assert_eq!(e.title(Lang::Ja), "NATO首脳会議（ハーグ）");
        assert!(e.note.is_none());
        let one_day = parse_scheduled("s.toml", &ONE.replace("end = \"2025-06-25\"\n", ""));
        assert_eq!(one_day.unwrap()[0].last_day(), date(2025, 6, 24));
    }

    #[test]
    fn errors_name_file_line_field_and_expectation() {
        assert_eq!(
            err(&ONE.replace("nato-summit\"\n", "summit\"\n")),
            format!(
                "s.toml:2: event \"2025-06-24-nato-summit-the-hague\": field \"kind\": expected one of {}, found \"summit\"",
                ScheduledKind::names()
            )
        );
        assert_eq!(
            err(&ONE.replace("end = \"2025-06-25\"", "end = \"2025-06-20\"")),
            "s.toml:2: event \"2025-06-24-nato-summit-the-hague\": field \"end\": expected a date \
             YYYY-MM-DD from the event's date 2025-06-24 to 31 days later, found \"2025-06-20\""
        );
        assert!(
            err(&ONE.replace("end = \"2025-06-25\"", "end = \"2025-09-25\"")).contains(
                "field \"end\": expected a date YYYY-MM-DD from the event's date 2025-06-24"
            )
        );
        assert_eq!(
            err(&ONE.replace("announced = \"2024-05-24\"", "announced = \"2025-06-25\"")),
            "s.toml:2: event \"2025-06-24-nato-summit-the-hague\": field \"announced\": expected \
             a date YYYY-MM-DD on or before the event's date 2025-06-24, found \"2025-06-25\""
        );
        assert!(
            err(&ONE.replace("announced = \"2024-05-24\"\n", ""))
                .contains("field \"announced\": expected a date YYYY-MM-DD on or before")
        );
        assert!(
            err(&ONE.replace("2025-06-24\"\nend", "2025-02-30\"\nend"))
                .contains("field \"date\": expected a date YYYY-MM-DD between 1800 and 2100, found \"2025-02-30\"")
        );
        assert!(
            err(&ONE.replace("region = \"europe\"", "region = \"benelux\""))
                .contains("field \"region\": expected one of global, ")
        );
        assert!(
            err(&ONE.replace("title_ja = \"NATO首脳会議（ハーグ）\"", "title_ja = \" \""))
                .contains("field \"title_ja\": expected a non-empty text")
        );
        assert!(
            err(&ONE.replace("source = \"NATO press release of 24 May 2024\"\n", ""))
                .contains("field \"source\": expected a non-empty text")
        );
        assert!(
            err(&ONE.replace("\"2025-06-24-nato-summit-the-hague\"", "\"The Hague\""))
                .contains("field \"id\": expected a kebab-case id")
        );
    }

    #[test]
    fn unknown_fields_duplicates_syntax_and_empty_files_are_refused() {
        let typo = ONE.replace("announced =", "anounced =");
        let e = err(&typo);
        assert!(e.starts_with("s.toml:") && e.contains("anounced"), "{e}");
        let extra = ONE.replace("kind =", "surprise = false\nkind =");
        let e = err(&extra);
        assert!(e.starts_with("s.toml:") && e.contains("surprise"), "{e}");
        assert_eq!(
            err(&format!("{ONE}{ONE}")),
            "s.toml:13: event id \"2025-06-24-nato-summit-the-hague\" is already used on line 2"
        );
        assert!(err("[[scheduled]\n").starts_with("s.toml:1:"));
        // A bare TOML date is read as a date; a number or a date-time is not a date.
        let bare = ONE.replace("date = \"2025-06-24\"", "date = 2025-06-24");
        assert_eq!(
            parse_scheduled("s.toml", &bare).unwrap()[0].date,
            date(2025, 6, 24)
        );
        assert!(
            err(&ONE.replace("date = \"2025-06-24\"", "date = 20250624"))
                .contains("field \"date\": expected a date YYYY-MM-DD between 1800 and 2100, found \"20250624\"")
        );
        assert!(
            err(&ONE.replace(
                "announced = \"2024-05-24\"",
                "announced = 2024-05-24T09:00:00"
            ))
            .contains("field \"announced\"")
        );
        assert_eq!(err(""), "s.toml: no events");
        // The catalog's table name is not this file's.
        assert!(err("[[event]]\nid = \"x\"\n").contains("event"));
    }

    fn ev(id: &str, d: Date, end: Option<Date>, announced: Date) -> Scheduled {
        Scheduled {
            id: id.to_owned(),
            date: d,
            end,
            title_en: id.to_owned(),
            title_ja: id.to_owned(),
            kind: ScheduledKind::Fomc,
            region: Region::NorthAmerica,
            announced,
            source: "s".to_owned(),
            note: None,
        }
    }

    #[test]
    fn between_keeps_the_window_and_what_was_known() {
        let events = [
            ev(
                "late",
                date(2025, 6, 17),
                Some(date(2025, 6, 18)),
                date(2024, 8, 9),
            ),
            ev(
                "early",
                date(2025, 3, 18),
                Some(date(2025, 3, 19)),
                date(2024, 8, 9),
            ),
            ev("news", date(2025, 4, 28), None, date(2025, 3, 23)),
            ev(
                "under-way",
                date(2025, 2, 18),
                Some(date(2025, 2, 19)),
                date(2025, 1, 1),
            ),
            ev(
                "ended",
                date(2025, 2, 17),
                Some(date(2025, 2, 18)),
                date(2025, 1, 1),
            ),
            ev("after", date(2025, 7, 1), None, date(2025, 1, 1)),
            ev(
                "on-the-horizon",
                date(2025, 6, 30),
                Some(date(2025, 7, 2)),
                date(2025, 1, 1),
            ),
        ];
        let ids = |as_of: Date| -> Vec<&str> {
            scheduled_between(&events, date(2025, 2, 18), date(2025, 6, 30), as_of)
                .iter()
                .map(|e| e.id.as_str())
                .collect()
        };
        // Announced on 23 March: not on a calendar made on 18 February.
        assert_eq!(
            ids(date(2025, 2, 18)),
            ["under-way", "early", "late", "on-the-horizon"]
        );
        assert_eq!(
            ids(date(2025, 3, 23)),
            ["under-way", "early", "news", "late", "on-the-horizon"]
        );
        // Nothing announced after as_of, even far in the past.
        assert!(ids(date(2020, 1, 1)).is_empty());
        // An empty or reversed window holds nothing.
        assert!(
            scheduled_between(
                &events,
                date(2025, 6, 30),
                date(2025, 2, 18),
                date(2026, 1, 1)
            )
            .is_empty()
        );
    }
}

#[cfg(test)]
mod bundled_tests {
    use std::collections::BTreeMap;

    use super::*;
    use aurum_core::date;

    /// The shipped calendar's integrity: it parses (so ids are unique, every kind, region
    /// and date is valid, every `end` follows its `date` and nothing was announced after
    /// it happened), it covers 2024 to 2026 in date order, each id starts with its date,
    /// every title has its Japanese, every kind is there, and central-bank meetings last two
    /// days.
    #[test]
    fn bundled_calendar_integrity() {
        let events = bundled_scheduled().expect("the bundled calendar parses");
        assert!(events.len() >= 70, "{} events", events.len());
        for e in &events {
            assert!(
                (date(2024, 1, 1)..=date(2026, 12, 31)).contains(&e.date),
                "{} out of range",
                e.id
            );
            assert!(
                e.id.starts_with(&e.date.to_string()),
                "{}: id does not start with its date",
                e.id
            );
            assert!(
                e.title_ja.chars().any(|c| c as u32 >= 0x3000),
                "{}: Japanese title has no Japanese",
                e.id
            );
            if matches!(e.kind, ScheduledKind::Fomc | ScheduledKind::Boj) {
                assert_eq!(e.end, e.date.succ_opt(), "{}: a two-day meeting", e.id);
            }
            if e.kind == ScheduledKind::Fomc {
                assert!(
                    e.date.format("%a").to_string() == "Tue" || e.id == "2024-11-06-fomc",
                    "{}: FOMC meetings begin on a Tuesday (bar election week 2024)",
                    e.id
                );
            }
        }
        assert!(
            events
                .windows(2)
                .all(|w| (w[0].date, &w[0].id) <= (w[1].date, &w[1].id)),
            "calendar is not in date order"
        );
        let mut by_kind: BTreeMap<ScheduledKind, usize> = BTreeMap::new();
        for e in &events {
            *by_kind.entry(e.kind).or_default() += 1;
        }
        for k in ScheduledKind::ALL {
            assert!(by_kind.get(k).copied().unwrap_or(0) > 0, "no {k}");
        }
        // Eight FOMC meetings a year.
        for y in 2024..=2026 {
            let n = events
                .iter()
                .filter(|e| {
                    e.kind == ScheduledKind::Fomc
                        && (date(y, 1, 1)..=date(y, 12, 31)).contains(&e.date)
                })
                .count();
            assert_eq!(n, 8, "FOMC meetings in {y}");
        }
        for (id, d, end) in [
            ("2025-03-18-fomc", date(2025, 3, 18), date(2025, 3, 19)),
            (
                "2025-06-24-nato-summit-the-hague",
                date(2025, 6, 24),
                date(2025, 6, 25),
            ),
            (
                "2025-06-15-g7-summit-kananaskis",
                date(2025, 6, 15),
                date(2025, 6, 17),
            ),
            (
                "2024-11-05-us-presidential-election",
                date(2024, 11, 5),
                date(2024, 11, 5),
            ),
        ] {
            assert!(
                events
                    .iter()
                    .any(|e| e.id == id && e.date == d && e.last_day() == end),
                "{id}"
            );
        }
    }

    /// The reference note's window, as of its day: the meetings already scheduled, and not
    /// the elections and the special summit called after it.
    #[test]
    fn the_reference_window_as_of_its_day() {
        let events = bundled_scheduled().unwrap();
        let ids: Vec<&str> = scheduled_between(
            &events,
            date(2025, 2, 18),
            date(2025, 6, 30),
            date(2025, 2, 18),
        )
        .iter()
        .map(|e| e.id.as_str())
        .collect();
        for id in [
            "2025-02-23-germany-federal-election",
            "2025-03-18-fomc",
            "2025-03-20-european-council",
            "2025-06-15-g7-summit-kananaskis",
            "2025-06-24-nato-summit-the-hague",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        for id in [
            "2025-03-06-special-european-council",
            "2025-04-28-canada-federal-election",
            "2025-06-03-south-korea-presidential-election",
        ] {
            assert!(!ids.contains(&id), "{id} was not announced by 2025-02-18");
        }
    }
}
