//! Reading event files: TOML catalogs and CSV tables, with line-numbered errors.

use std::collections::HashMap;

use aurum_core::Date;
use serde::Deserialize;

use crate::{BUNDLED_CATALOG, Category, Event, EventCatalogError, Region};

/// An event as written in a file: every field optional, so that a missing one is reported
/// with the event's line rather than as a bare deserialisation error.
#[derive(Debug, Default)]
struct RawEvent {
    id: Option<String>,
    date: Option<String>,
    title_en: Option<String>,
    title_ja: Option<String>,
    category: Option<String>,
    region: Option<String>,
    actors: Vec<String>,
    surprise: Option<bool>,
    source: Option<String>,
    announced: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    event: Vec<toml::Spanned<TomlEvent>>,
}

/// An event as a TOML file writes it: each value as TOML typed it, with where it is, so that
/// a value of the wrong type is named by its field and line (see [`TomlEvent::raw`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlEvent {
    id: Option<toml::Spanned<toml::Value>>,
    date: Option<toml::Spanned<toml::Value>>,
    title_en: Option<toml::Spanned<toml::Value>>,
    title_ja: Option<toml::Spanned<toml::Value>>,
    category: Option<toml::Spanned<toml::Value>>,
    region: Option<toml::Spanned<toml::Value>>,
    actors: Option<toml::Spanned<toml::Value>>,
    surprise: Option<toml::Spanned<toml::Value>>,
    source: Option<toml::Spanned<toml::Value>>,
    announced: Option<toml::Spanned<toml::Value>>,
    note: Option<toml::Spanned<toml::Value>>,
}

impl TomlEvent {
    /// The event with its values' types checked: texts in quotes (a date or a date-time may
    /// also be a TOML date), actors a list of texts, surprise true or false.
    fn raw(self, file: &str, text: &str) -> Result<RawEvent, EventCatalogError> {
        let id = match self.id.as_ref().map(|v| v.get_ref()) {
            Some(toml::Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        let wrong = |field: &'static str, v: &toml::Spanned<toml::Value>, expected: &str| {
            EventCatalogError::Field {
                file: file.to_owned(),
                line: line_of(text, v.span().start),
                id: id.clone(),
                field,
                expected: expected.to_owned(),
                found: v.get_ref().to_string(),
            }
        };
        let string = |field: &'static str, v: Option<toml::Spanned<toml::Value>>| match v {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                toml::Value::String(s) => Ok(Some(s.clone())),
                _ => Err(wrong(field, &v, "a text in quotes")),
            },
        };
        let when = |field: &'static str, v: Option<toml::Spanned<toml::Value>>| match v {
            Some(v) if matches!(v.get_ref(), toml::Value::Datetime(_)) => {
                Ok(Some(v.get_ref().to_string().trim_matches('"').to_owned()))
            }
            v => string(field, v),
        };
        let actors = match self.actors {
            None => Vec::new(),
            Some(v) => match v.get_ref() {
                toml::Value::Array(items) => items
                    .iter()
                    .map(|x| x.as_str().map(str::to_owned))
                    .collect::<Option<Vec<String>>>()
                    .ok_or_else(|| wrong("actors", &v, "a list of texts in quotes"))?,
                _ => return Err(wrong("actors", &v, "a list of texts in quotes")),
            },
        };
        let surprise = match self.surprise {
            None => None,
            Some(v) => Some(
                v.get_ref()
                    .as_bool()
                    .ok_or_else(|| wrong("surprise", &v, "true or false, without quotes"))?,
            ),
        };
        Ok(RawEvent {
            id: string("id", self.id)?,
            date: when("date", self.date)?,
            title_en: string("title_en", self.title_en)?,
            title_ja: string("title_ja", self.title_ja)?,
            category: string("category", self.category)?,
            region: string("region", self.region)?,
            actors,
            surprise,
            source: string("source", self.source)?,
            announced: when("announced", self.announced)?,
            note: string("note", self.note)?,
        })
    }
}

/// Dates accepted in event files.
const FIRST: Date = Date::from_ymd_opt(1800, 1, 1).expect("valid");
const LAST: Date = Date::from_ymd_opt(2100, 12, 31).expect("valid");

/// A day in the accepted range, or `None`.
pub(crate) fn day(text: &str) -> Option<Date> {
    text.parse().ok().filter(|d| (FIRST..=LAST).contains(d))
}

/// Reads a TOML file into `T`, a syntax error naming its line.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, EventCatalogError> {
    toml::from_str(text).map_err(|e| EventCatalogError::Syntax {
        file: file.to_owned(),
        line: e.span().map_or(0, |s| line_of(text, s.start)),
        message: e.message().trim().to_owned(),
    })
}

/// Checks the entries of a file in order with `check`, each with its line: an empty file and
/// an id seen before are errors.
pub(crate) fn check_all<R, T>(
    file: &str,
    raws: Vec<(usize, R)>,
    check: impl Fn(&str, usize, R) -> Result<T, EventCatalogError>,
    id: impl Fn(&T) -> &str,
) -> Result<Vec<(usize, T)>, EventCatalogError> {
    if raws.is_empty() {
        return Err(EventCatalogError::Empty {
            file: file.to_owned(),
        });
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(raws.len());
    for (line, raw) in raws {
        let entry = check(file, line, raw)?;
        if let Some(first) = seen.insert(id(&entry).to_owned(), line) {
            return Err(EventCatalogError::DuplicateId {
                file: file.to_owned(),
                line,
                id: id(&entry).to_owned(),
                where_: format!(" on line {first}"),
            });
        }
        out.push((line, entry));
    }
    Ok(out)
}

/// The bundled catalog.
///
/// # Errors
///
/// Only if the shipped file is broken, which a test rules out.
pub fn bundled() -> Result<Vec<Event>, EventCatalogError> {
    Ok(parse_toml("data/events/catalog.toml", BUNDLED_CATALOG)?
        .into_iter()
        .map(|r| r.event)
        .collect())
}

/// An event read from a file, with the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// 1-based line of the event in its file.
    pub line: usize,
    /// The event.
    pub event: Event,
}

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// Reads a TOML catalog: an array of `[[event]]` tables.
///
/// # Errors
///
/// Syntax errors, unknown or missing fields, bad values and duplicate ids, each with its line.
pub fn parse_toml(file: &str, text: &str) -> Result<Vec<EventRecord>, EventCatalogError> {
    let parsed: TomlFile = from_toml(file, text)?;
    let raws = parsed
        .event
        .into_iter()
        .map(|s| {
            Ok((
                line_of(text, s.span().start),
                s.into_inner().raw(file, text)?,
            ))
        })
        .collect::<Result<Vec<(usize, RawEvent)>, EventCatalogError>>()?;
    finish(file, raws)
}

/// Reads a CSV table with the header `id,date,title_en,title_ja,category,region,actors,
/// surprise,source[,announced,note]`; `actors` are separated by `;`, `surprise` is `true` or
/// `false`.
///
/// # Errors
///
/// As [`parse_toml`].
pub fn parse_csv(file: &str, text: &str) -> Result<Vec<EventRecord>, EventCatalogError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let syntax = |line: usize, message: String| EventCatalogError::Syntax {
        file: file.to_owned(),
        line,
        message,
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| syntax(1, format!("cannot read the header: {e}")))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    const KNOWN: &[&str] = &[
        "id",
        "date",
        "title_en",
        "title_ja",
        "category",
        "region",
        "actors",
        "surprise",
        "source",
        "announced",
        "note",
        // Written by `aurum events list --format csv`; only `user` rows can be imported.
        "origin",
    ];
    if let Some(h) = headers.iter().find(|h| !KNOWN.contains(&h.as_str())) {
        return Err(syntax(
            1,
            format!("unknown column {h:?}; expected columns {}", KNOWN.join(",")),
        ));
    }
    let mut raws = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| syntax(e.position().map_or(0, |p| p.line() as usize), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let get = |name: &str| -> Option<String> {
            let i = headers.iter().position(|h| h == name)?;
            record.get(i).filter(|s| !s.is_empty()).map(str::to_owned)
        };
        if let Some(origin) = get("origin").filter(|o| !o.eq_ignore_ascii_case("user")) {
            return Err(EventCatalogError::Field {
                file: file.to_owned(),
                line,
                id: get("id").unwrap_or_default(),
                field: "origin",
                expected: "user (bundled events ship with aurum; export yours with \
                           `aurum events list --origin user`)"
                    .into(),
                found: origin,
            });
        }
        let surprise = match get("surprise")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => None,
            Some("true" | "yes" | "1") => Some(true),
            Some("false" | "no" | "0") => Some(false),
            Some(other) => {
                return Err(EventCatalogError::Field {
                    file: file.to_owned(),
                    line,
                    id: get("id").unwrap_or_default(),
                    field: "surprise",
                    expected: "true or false".into(),
                    found: other.to_owned(),
                });
            }
        };
        raws.push((
            line,
            RawEvent {
                id: get("id"),
                date: get("date"),
                title_en: get("title_en"),
                title_ja: get("title_ja"),
                category: get("category"),
                region: get("region"),
                actors: get("actors")
                    .map(|a| {
                        a.split(';')
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                surprise,
                source: get("source"),
                announced: get("announced"),
                note: get("note"),
            },
        ));
    }
    finish(file, raws)
}

fn finish(file: &str, raws: Vec<(usize, RawEvent)>) -> Result<Vec<EventRecord>, EventCatalogError> {
    Ok(check_all(file, raws, check, |e: &Event| e.id.as_str())?
        .into_iter()
        .map(|(line, event)| EventRecord { line, event })
        .collect())
}

fn check(file: &str, line: usize, raw: RawEvent) -> Result<Event, EventCatalogError> {
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
            "a kebab-case id such as 2025-02-14-vance-munich ([a-z0-9-], up to 80)",
            &id,
        ));
    }
    let date_text = raw.date.unwrap_or_default();
    let date = day(&date_text).ok_or_else(|| {
        field(
            "date",
            "a date YYYY-MM-DD between 1800 and 2100",
            &date_text,
        )
    })?;
    let category_text = raw.category.unwrap_or_default();
    let category: Category = category_text.parse().map_err(|_| {
        field(
            "category",
            &format!("one of {}", Category::names()),
            &category_text,
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
    let surprise = raw
        .surprise
        .ok_or_else(|| field("surprise", "true or false", ""))?;
    if let Some(a) = raw
        .actors
        .iter()
        .find(|a| a.trim().is_empty() || a.len() > 40)
    {
        return Err(field("actors", "names of up to 40 characters", a));
    }
    let announced = raw.announced.filter(|s| !s.trim().is_empty());
    if let Some(a) = announced.as_deref().filter(|a| !announced_fits(date, a)) {
        return Err(field("announced", &announced_expected(date), a));
    }
    Ok(Event {
        title_en: text("title_en", raw.title_en)?,
        title_ja: text("title_ja", raw.title_ja)?,
        source: text("source", raw.source)?,
        id,
        date,
        category,
        region,
        actors: raw.actors,
        surprise,
        announced,
        note: raw.note.filter(|s| !s.trim().is_empty()),
    })
}

/// Whether `announced` is a local time with its UTC offset (`2025-02-14T14:00+01:00`, seconds
/// and `Z` allowed) whose local day is `date`, or the day before: news late in the evening
/// may be dated to the markets' next day.
#[must_use]
pub fn announced_fits(date: Date, announced: &str) -> bool {
    let a = announced.trim();
    chrono::DateTime::parse_from_str(a, "%Y-%m-%dT%H:%M%:z")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(a))
        .is_ok_and(|t| {
            let local = t.date_naive();
            local == date || local.succ_opt() == Some(date)
        })
}

/// What [`announced_fits`] expects for an event on `date`, for error messages.
#[must_use]
pub fn announced_expected(date: Date) -> String {
    format!(
        "a local time with its UTC offset on {date} or the day before, such as {date}T14:00+01:00"
    )
}

/// Whether `id` is a valid event id: kebab-case `[a-z0-9-]`, 3 to 80 characters, no leading,
/// trailing or doubled dash.
#[must_use]
pub fn valid_id(id: &str) -> bool {
    (3..=80).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// An id made of the date and a slug of `title`: `2025-02-14-vance-criticises-europe`.
#[must_use]
pub fn slug_id(date: Date, title: &str) -> String {
    let mut slug = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() > 48 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() {
        slug.push_str("event");
    }
    format!("{date}-{slug}")
}

/// Checks `new` events against ids already taken (bundled or stored), in file order.
///
/// # Errors
///
/// [`EventCatalogError::DuplicateId`] naming the first clash.
pub fn validate(
    file: &str,
    new: &[EventRecord],
    taken: &HashMap<String, String>,
) -> Result<(), EventCatalogError> {
    for r in new {
        if let Some(owner) = taken.get(&r.event.id) {
            return Err(EventCatalogError::DuplicateId {
                file: file.to_owned(),
                line: r.line,
                id: r.event.id.clone(),
                where_: format!(" by {owner}"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    const ONE: &str = r#"
[[event]]
id = "2025-02-14-vance-munich"
date = "2025-02-14"
title_en = "Vance criticises Europe at Munich"
title_ja = "バンス副大統領、ミュンヘンで欧州批判"
category = "us-policy-shift"
region = "europe"
actors = ["US", "EU"]
surprise = false
source = "Wikipedia: 2025 Munich Security Conference"
"#;

    #[test]
    fn reads_a_toml_event() {
        let e = &parse_toml("a.toml", ONE).unwrap()[0].event;
        assert_eq!(e.date, date(2025, 2, 14));
        assert_eq!(e.category, Category::UsPolicyShift);
        assert_eq!(e.actors, ["US", "EU"]);
        assert!(e.note.is_none());
    }

    #[test]
    fn toml_errors_name_line_and_field() {
        let bad = ONE.replace("us-policy-shift", "policy");
        assert_eq!(
            parse_toml("a.toml", &bad).unwrap_err().to_string(),
            format!(
                "a.toml:2: event \"2025-02-14-vance-munich\": field \"category\": expected one of {}, found \"policy\"",
                Category::names()
            )
        );
        let twice = format!("{ONE}{ONE}");
        assert_eq!(
            parse_toml("a.toml", &twice).unwrap_err().to_string(),
            "a.toml:13: event id \"2025-02-14-vance-munich\" is already used on line 2"
        );
        let bad = ONE.replace("2025-02-14\"\ntitle", "2025-02-30\"\ntitle");
        assert!(
            parse_toml("a.toml", &bad)
                .unwrap_err()
                .to_string()
                .contains("field \"date\": expected a date")
        );
        let bad = ONE.replace("surprise = false\n", "");
        assert!(
            parse_toml("a.toml", &bad)
                .unwrap_err()
                .to_string()
                .contains("field \"surprise\"")
        );
        let bad = ONE.replace(
            "title_ja = \"バンス副大統領、ミュンヘンで欧州批判\"\n",
            "title_ja = \"\"\n",
        );
        assert!(
            parse_toml("a.toml", &bad)
                .unwrap_err()
                .to_string()
                .contains("field \"title_ja\": expected a non-empty text")
        );
        let bad = ONE.replace("surprise = false", "suprise = false");
        let err = parse_toml("a.toml", &bad).unwrap_err().to_string();
        assert!(
            err.starts_with("a.toml:") && err.contains("suprise"),
            "{err}"
        );
        assert!(
            parse_toml("a.toml", "[[event]\n")
                .unwrap_err()
                .to_string()
                .starts_with("a.toml:1:")
        );
        assert_eq!(
            parse_toml("a.toml", "").unwrap_err().to_string(),
            "a.toml: no events"
        );
    }

    #[test]
    fn reads_csv_with_line_numbers() {
        let csv = "id,date,title_en,title_ja,category,region,actors,surprise,source\n\
                   2024-04-13-iran-strike,2024-04-13,Iran strikes Israel,イランがイスラエルを攻撃,escalation,middle-east,IR;IL,true,Wikipedia: April 2024 Iranian strikes against Israel\n\
                   x-1,2024-04-14,T,T,escalation,middle-east,IR,maybe,S\n";
        let err = parse_csv("e.csv", csv).unwrap_err().to_string();
        assert_eq!(
            err,
            "e.csv:3: event \"x-1\": field \"surprise\": expected true or false, found \"maybe\""
        );
        let ok = parse_csv("e.csv", &csv.replace("maybe", "false")).unwrap();
        assert_eq!(ok[0].event.actors, ["IR", "IL"]);
        assert_eq!(ok[0].line, 2);
        // The listing's own CSV comes back in: its `origin` column is accepted for the
        // user's events and refused, by line, for a bundled one.
        let listed = csv.replace("maybe", "false").replacen('\n', ",origin\n", 1);
        let listed = format!("{}{}", listed.trim_end(), ",user\n");
        assert_eq!(parse_csv("e.csv", &listed).unwrap().len(), 2);
        let err = parse_csv("e.csv", &listed.replace(",user", ",bundled"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("e.csv:3: event \"x-1\": field \"origin\": expected user"),
            "{err}"
        );
        assert!(
            parse_csv("e.csv", "id,when\n")
                .unwrap_err()
                .to_string()
                .contains("unknown column \"when\"")
        );
    }

    #[test]
    fn toml_values_of_the_wrong_type_are_named_by_field_and_line() {
        let event = |body: &str| {
            format!(
                "[[event]]\nid = \"2025-03-03-x\"\n{body}\ntitle_en = \"T\"\ntitle_ja = \"T\"\n\
                 category = \"alliance\"\nregion = \"europe\"\nactors = [\"US\"]\n\
                 surprise = true\nsource = \"S\"\n"
            )
        };
        // A TOML date is a date.
        let ok = parse_toml("e.toml", &event("date = 2025-03-03")).unwrap();
        assert_eq!(ok[0].event.date, aurum_core::date(2025, 3, 3));
        let with = |body: &str, replace: (&str, &str)| {
            let text = event(body).replace(replace.0, replace.1);
            parse_toml("e.toml", &text).unwrap_err().to_string()
        };
        let date = "date = \"2025-03-03\"";
        assert!(
            with(date, ("surprise = true", "surprise = \"yes\"")).starts_with(
                "e.toml:9: event \"2025-03-03-x\": field \"surprise\": expected true or false, \
                 without quotes, found"
            )
        );
        assert!(with("date = { y = 2025 }", ("", "")).starts_with(
            "e.toml:3: event \"2025-03-03-x\": field \"date\": expected a text in quotes"
        ));
        assert!(
            with(date, ("actors = [\"US\"]", "actors = [1]"))
                .starts_with("e.toml:8: event \"2025-03-03-x\": field \"actors\": expected a list")
        );
    }

    #[test]
    fn the_announcement_is_a_local_time_with_its_offset_on_the_events_day() {
        let csv = |announced: &str| {
            format!(
                "id,date,title_en,title_ja,category,region,actors,surprise,source,announced\n\
                 2011-05-02-x,2011-05-02,T,T,escalation,middle-east,US,true,S,{announced}\n"
            )
        };
        // The local day, or the evening before.
        for ok in [
            "2011-05-02T09:00+01:00",
            "2011-05-01T23:35-04:00",
            "2011-05-02T09:00:30Z",
        ] {
            assert!(parse_csv("e.csv", &csv(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "garbage",
            "2011-05-02 14:00",
            "2011-05-02T14:00",
            "2011-04-25T10:00+00:00",
            "2011-05-03T01:00+00:00",
            "2011-05-02T25:00+00:00",
        ] {
            let err = parse_csv("e.csv", &csv(bad)).unwrap_err().to_string();
            assert!(
                err.starts_with(
                    "e.csv:2: event \"2011-05-02-x\": field \"announced\": expected a local \
                     time with its UTC offset on 2011-05-02 or the day before"
                ),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn ids_and_slugs() {
        assert_eq!(
            slug_id(
                date(2025, 2, 14),
                "Vance at Munich: 'Europe's threat is within'"
            ),
            "2025-02-14-vance-at-munich-europe-s-threat-is-within"
        );
        assert!(valid_id("2025-02-14-vance-munich"));
        assert!(!valid_id("Vance"));
        assert!(!valid_id("a--b"));
        assert!(valid_id(&slug_id(date(2025, 2, 14), "金価格")));
    }

    #[test]
    fn validate_reports_clashes_with_taken_ids() {
        let e = parse_toml("a.toml", ONE).unwrap();
        let taken = HashMap::from([(e[0].event.id.clone(), "a bundled event".to_owned())]);
        let err = validate("mine.toml", &e, &taken).unwrap_err();
        assert_eq!(
            err.to_string(),
            "mine.toml:2: event id \"2025-02-14-vance-munich\" is already used by a bundled event"
        );
    }
}

#[cfg(test)]
mod catalog_tests {
    use super::*;
    use aurum_core::date;

    /// The shipped catalog's integrity: it parses (so ids are unique and every category,
    /// region and date is valid), it spans 1968 to the reference date, each id starts with
    /// its date, it is in date order, and every category is well represented.
    #[test]
    fn bundled_catalog_integrity() {
        let events = bundled().expect("the bundled catalog parses");
        assert!(events.len() >= 200, "{} events", events.len());
        for e in &events {
            assert!(
                (date(1968, 1, 1)..=date(2025, 2, 18)).contains(&e.date),
                "{} out of range",
                e.id
            );
            assert!(
                e.id.starts_with(&e.date.to_string()),
                "{}: id does not start with its date",
                e.id
            );
            assert!(
                !e.title_en.is_empty() && !e.title_ja.is_empty() && !e.source.is_empty(),
                "{}",
                e.id
            );
            assert!(
                e.title_ja.chars().any(|c| c as u32 >= 0x3000),
                "{}: Japanese title has no Japanese",
                e.id
            );
        }
        assert!(
            events.windows(2).all(|w| w[0].date <= w[1].date),
            "catalog is not in date order"
        );
        for c in Category::ALL {
            let n = events.iter().filter(|e| e.category == *c).count();
            assert!(n >= 12, "{c}: {n} events");
        }
        // The reference note's chain of events, on the right days.
        for (id, d) in [
            ("2025-02-12-trump-putin-phone-call", date(2025, 2, 12)),
            ("2025-02-14-vance-munich", date(2025, 2, 14)),
            ("2025-02-18-us-russia-riyadh-talks", date(2025, 2, 18)),
            ("2022-02-24-russia-invades-ukraine", date(2022, 2, 24)),
        ] {
            assert!(events.iter().any(|e| e.id == id && e.date == d), "{id}");
        }
    }
}
