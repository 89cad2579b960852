//! The event catalog with the user's events: listing, adding, importing, removing.

use std::collections::HashMap;
use std::path::Path;

use aurum_core::Date;
use aurum_events::{
    Category, Event, EventFilter, EventRecord, Region, parse_csv, parse_toml, slug_id, valid_id,
    validate,
};
use aurum_store::Store;
use serde::Serialize;

use crate::{AppError, AppResult, Window, now};

/// Which events a listing shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EventOrigin {
    /// Bundled and user events.
    #[default]
    All,
    /// The bundled catalog only.
    Bundled,
    /// User events only.
    User,
}

/// An event and where it comes from.
#[derive(Clone, Debug, Serialize)]
pub struct Listed {
    /// The event.
    #[serde(flatten)]
    pub event: Event,
    /// `bundled` or `user`.
    pub origin: &'static str,
}

/// Bundled and user events of `origin`, by date then id.
///
/// # Errors
///
/// A broken bundled catalog or store.
pub fn all_events(store: &Store, origin: EventOrigin) -> AppResult<Vec<Listed>> {
    all_events_with(store, origin, &aurum_events::bundled()?)
}

/// As [`all_events`], with the bundled catalog already parsed.
///
/// # Errors
///
/// The store.
pub fn all_events_with(
    store: &Store,
    origin: EventOrigin,
    bundled: &[Event],
) -> AppResult<Vec<Listed>> {
    let mut out = Vec::new();
    if origin != EventOrigin::User {
        out.extend(bundled.iter().cloned().map(|event| Listed {
            event,
            origin: "bundled",
        }));
    }
    if origin != EventOrigin::Bundled {
        out.extend(store.user_events()?.into_iter().map(|event| Listed {
            event,
            origin: "user",
        }));
    }
    out.sort_by(|a, b| {
        a.event
            .date
            .cmp(&b.event.date)
            .then_with(|| a.event.id.cmp(&b.event.id))
    });
    Ok(out)
}

/// A listing of events.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    /// Keep these categories (none: all).
    pub categories: Vec<Category>,
    /// Events dated in the window and known by its as-of date.
    pub window: Window,
    /// Bundled, user or all.
    pub origin: EventOrigin,
}

/// The events a query asks for, by date then id.
///
/// # Errors
///
/// As [`all_events`].
pub fn list(store: &Store, q: &EventQuery, bundled: &[Event]) -> AppResult<Vec<Listed>> {
    let filter = EventFilter {
        categories: q.categories.clone(),
        from: q.window.from,
        to: q.window.to,
        as_of: q.window.as_of,
        ..EventFilter::default()
    };
    Ok(all_events_with(store, q.origin, bundled)?
        .into_iter()
        .filter(|l| filter.matches(&l.event))
        .collect())
}

/// Ids already taken, with who holds each (for messages).
///
/// # Errors
///
/// A broken bundled catalog or store.
pub fn taken(store: &Store) -> AppResult<HashMap<String, String>> {
    let mut t: HashMap<String, String> = HashMap::new();
    for e in aurum_events::bundled()? {
        t.insert(e.id, "a bundled event".to_owned());
    }
    for e in store.user_events()? {
        t.insert(e.id, "an event already in the store".to_owned());
    }
    Ok(t)
}

/// A user event to add.
#[derive(Clone, Debug)]
pub struct EventDraft {
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
    /// Actors: ISO country codes or organisations.
    pub actors: Vec<String>,
    /// A surprise (else scheduled or expected).
    pub surprise: bool,
    /// A named reference.
    pub source: String,
    /// Id (default: the date and a slug of the English title).
    pub id: Option<String>,
    /// Local time and UTC offset the news broke.
    pub announced: Option<String>,
    /// A remark.
    pub note: Option<String>,
}

/// Adds one user event; answers it as stored.
///
/// # Errors
///
/// A bad id or empty text ([`AppError::BadInput`]), an id already taken
/// ([`AppError::Conflict`]), the store.
pub fn add(store: &mut Store, d: &EventDraft) -> AppResult<Listed> {
    let id =
        d.id.clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| slug_id(d.date, &d.title_en));
    if !valid_id(&id) {
        return Err(AppError::bad(
            "id",
            format!(
                "`id` {id:?}: expected a kebab-case id such as 2025-02-14-vance-munich ([a-z0-9-], 3 to 80 characters)"
            ),
        ));
    }
    for (field, v) in [
        ("title_en", &d.title_en),
        ("title_ja", &d.title_ja),
        ("source", &d.source),
    ] {
        if v.trim().is_empty() {
            return Err(AppError::bad(
                field,
                format!("`{field}`: expected a non-empty text"),
            ));
        }
    }
    if let Some(a) = d
        .announced
        .as_deref()
        .filter(|a| !a.trim().is_empty() && !aurum_events::announced_fits(d.date, a))
    {
        return Err(AppError::bad(
            "announced",
            format!(
                "`announced` {a:?}: expected {}",
                aurum_events::announced_expected(d.date)
            ),
        ));
    }
    let event = Event {
        id: id.clone(),
        date: d.date,
        title_en: d.title_en.trim().to_owned(),
        title_ja: d.title_ja.trim().to_owned(),
        category: d.category,
        region: d.region,
        actors: d
            .actors
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        surprise: d.surprise,
        source: d.source.trim().to_owned(),
        announced: d.announced.clone().filter(|a| !a.trim().is_empty()),
        note: d.note.clone(),
    };
    if let Some(owner) = taken(store)?.get(&id) {
        return Err(AppError::Conflict {
            field: Some("id".into()),
            message: format!(
                "event id {id:?} is already used by {owner}; choose another with `id`"
            ),
        });
    }
    store.add_events(std::slice::from_ref(&event), now())?;
    Ok(Listed {
        event,
        origin: "user",
    })
}

/// Adds the events of a TOML (`[[event]]` tables) or CSV file in one transaction; answers how
/// many.
///
/// # Errors
///
/// An unreadable or invalid file (naming line and field), ids already taken, the store.
pub fn import(store: &mut Store, path: &Path) -> AppResult<usize> {
    let file = path.display().to_string();
    let text = crate::input::read_text("file", path, crate::input::MAX_TEXT_BYTES)?;
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let records: Vec<EventRecord> = if is_csv {
        parse_csv(&file, &text)?
    } else {
        parse_toml(&file, &text)?
    };
    validate(&file, &records, &taken(store)?)?;
    let events: Vec<Event> = records.into_iter().map(|r| r.event).collect();
    store
        .add_events(&events, now())
        .map_err(|e| AppError::store(format!("importing {file}: nothing was added"), e))
}

/// Removes a user event.
///
/// # Errors
///
/// A bundled event (which cannot be removed) or no such event ([`AppError::NotFound`]).
pub fn remove(store: &mut Store, id: &str) -> AppResult<()> {
    if !store.remove_event(id)? {
        if aurum_events::bundled()?.iter().any(|e| e.id == id) {
            return Err(AppError::bad(
                "id",
                format!(
                    "{id:?} is a bundled event; bundled events ship with aurum and cannot be removed"
                ),
            ));
        }
        return Err(AppError::not_found(format!(
            "no user event {id:?}; `aurum events list --origin user` shows them"
        )));
    }
    Ok(())
}
