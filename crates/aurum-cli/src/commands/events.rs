//! `aurum events list|add|import|remove`.

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};
use aurum_events::{
    Event, EventFilter, EventRecord, parse_csv, parse_toml, slug_id, valid_id, validate,
};
use serde::Serialize;

use crate::args::{
    Cli, EventOrigin, EventsAddArgs, EventsCommand, EventsImportArgs, EventsListArgs, OutputFormat,
};
use crate::commands::resolve;
use crate::context::{Context, now};
use crate::output::{Table, emit};

pub fn run(ctx: &Context, cli: &Cli, cmd: &EventsCommand) -> Result<()> {
    match cmd {
        EventsCommand::List(a) => list(ctx, a, resolve(a.format, cli)),
        EventsCommand::Add(a) => add(ctx, a),
        EventsCommand::Import(a) => import(ctx, a),
        EventsCommand::Remove(a) => remove(ctx, &a.id),
    }
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

/// Bundled and user events, by date then id.
///
/// # Errors
///
/// A broken bundled catalog or store.
pub fn all_events(store: &aurum_store::Store, origin: EventOrigin) -> Result<Vec<Listed>> {
    let mut out = Vec::new();
    if origin != EventOrigin::User {
        out.extend(aurum_events::bundled()?.into_iter().map(|event| Listed {
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

/// A flat row for CSV (actors joined by `;`).
#[derive(Serialize)]
struct CsvRow<'a> {
    id: &'a str,
    date: String,
    title_en: &'a str,
    title_ja: &'a str,
    category: &'static str,
    region: &'static str,
    actors: String,
    surprise: bool,
    source: &'a str,
    announced: Option<&'a str>,
    note: Option<&'a str>,
    origin: &'static str,
}

fn list(ctx: &Context, a: &EventsListArgs, format: OutputFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let filter = EventFilter {
        categories: a.category.clone(),
        from: a.window.from,
        to: a.window.to,
        as_of: a.window.as_of,
        ..EventFilter::default()
    };
    let rows: Vec<Listed> = all_events(&store, a.origin)?
        .into_iter()
        .filter(|l| filter.matches(&l.event))
        .collect();
    let table = || {
        let mut t = Table::new(&["date", "id", "category", "region", "surprise", "title"]);
        for l in &rows {
            let e = &l.event;
            t.row(vec![
                e.date.to_string(),
                e.id.clone(),
                e.category.to_string(),
                e.region.to_string(),
                if e.surprise { "yes" } else { "no" }.to_owned(),
                e.title(a.lang).to_owned(),
            ]);
        }
        t
    };
    if format == OutputFormat::Csv {
        let flat: Vec<CsvRow<'_>> = rows
            .iter()
            .map(|l| CsvRow {
                id: &l.event.id,
                date: l.event.date.to_string(),
                title_en: &l.event.title_en,
                title_ja: &l.event.title_ja,
                category: l.event.category.as_str(),
                region: l.event.region.as_str(),
                actors: l.event.actors.join(";"),
                surprise: l.event.surprise,
                source: &l.event.source,
                announced: l.event.announced.as_deref(),
                note: l.event.note.as_deref(),
                origin: l.origin,
            })
            .collect();
        return emit(format, &flat, table);
    }
    emit(format, &rows, table)
}

/// Ids already taken, with who holds each (for messages).
pub(crate) fn taken(store: &aurum_store::Store) -> Result<HashMap<String, String>> {
    let mut t: HashMap<String, String> = HashMap::new();
    for e in aurum_events::bundled()? {
        t.insert(e.id, "a bundled event".to_owned());
    }
    for e in store.user_events()? {
        t.insert(e.id, "an event already in the store".to_owned());
    }
    Ok(t)
}

fn add(ctx: &Context, a: &EventsAddArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let id = a.id.clone().unwrap_or_else(|| slug_id(a.date, &a.title_en));
    if !valid_id(&id) {
        bail!(
            "--id {id:?}: expected a kebab-case id such as 2025-02-14-vance-munich ([a-z0-9-], 3 to 80 characters)"
        );
    }
    for (flag, v) in [
        ("--title-en", &a.title_en),
        ("--title-ja", &a.title_ja),
        ("--source", &a.source),
    ] {
        if v.trim().is_empty() {
            bail!("{flag}: expected a non-empty text");
        }
    }
    let event = Event {
        id: id.clone(),
        date: a.date,
        title_en: a.title_en.trim().to_owned(),
        title_ja: a.title_ja.trim().to_owned(),
        category: a.category,
        region: a.region,
        actors: a
            .actors
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        surprise: !a.scheduled,
        source: a.source.trim().to_owned(),
        announced: a.announced.clone(),
        note: a.note.clone(),
    };
    if let Some(owner) = taken(&store)?.get(&id) {
        bail!("event id {id:?} is already used by {owner}; choose another with --id");
    }
    store.add_events(&[event], now())?;
    ctx.note(&format!("added event {id}"));
    Ok(())
}

fn import(ctx: &Context, a: &EventsImportArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let file = a.file.display().to_string();
    let text = fs_err::read_to_string(&a.file)?;
    let is_csv = a
        .file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let records: Vec<EventRecord> = if is_csv {
        parse_csv(&file, &text)?
    } else {
        parse_toml(&file, &text)?
    };
    validate(&file, &records, &taken(&store)?)?;
    let events: Vec<Event> = records.into_iter().map(|r| r.event).collect();
    let n = store
        .add_events(&events, now())
        .with_context(|| format!("importing {file}: nothing was added"))?;
    ctx.note(&format!("added {n} events from {file}"));
    Ok(())
}

fn remove(ctx: &Context, id: &str) -> Result<()> {
    let mut store = ctx.open_store()?;
    if !store.remove_event(id)? {
        if aurum_events::bundled()?.iter().any(|e| e.id == id) {
            bail!(
                "{id:?} is a bundled event; bundled events ship with aurum and cannot be removed"
            );
        }
        bail!("no user event {id:?}; `aurum events list --origin user` shows them");
    }
    ctx.note(&format!("removed event {id}"));
    Ok(())
}
