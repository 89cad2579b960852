//! `aurum events list|add|import|remove`.

use anyhow::Result;
use aurum_app::events::{self, EventDraft, EventOrigin, EventQuery, Listed};
use aurum_app::rows;

use super::resolve;
use crate::args::{self, Cli, EventsAddArgs, EventsCommand, EventsListArgs, OutputFormat};
use crate::context::Context;
use crate::output::{Table, emit, emit_rows, print_json};

pub fn run(ctx: &Context, cli: &Cli, cmd: &EventsCommand) -> Result<()> {
    match cmd {
        EventsCommand::List(a) => list(ctx, a, resolve(a.format, cli)),
        EventsCommand::Add(a) => add(ctx, a, resolve(a.format, cli)),
        EventsCommand::Import(a) => {
            let n = events::import(&mut ctx.open_store()?, &a.file)?;
            let events = if n == 1 { "event" } else { "events" };
            ctx.note(&format!("added {n} {events} from {}", a.file.display()));
            Ok(())
        }
        EventsCommand::Remove(a) => {
            events::remove(&mut ctx.open_store()?, &a.id)?;
            ctx.note(&format!("removed event {}", a.id));
            Ok(())
        }
    }
}

fn list(ctx: &Context, a: &EventsListArgs, format: OutputFormat) -> Result<()> {
    let store = ctx.open_store()?;
    let q = EventQuery {
        categories: a.category.clone(),
        window: a.window.into(),
        origin: match a.origin {
            args::EventOrigin::All => EventOrigin::All,
            args::EventOrigin::Bundled => EventOrigin::Bundled,
            args::EventOrigin::User => EventOrigin::User,
        },
    };
    let rows: Vec<Listed> = events::list(&store, &q, &aurum_events::bundled()?)?;
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
        return emit_rows(format, &rows::events(&rows), table);
    }
    emit(format, &rows, table)
}

fn add(ctx: &Context, a: &EventsAddArgs, format: OutputFormat) -> Result<()> {
    let draft = EventDraft {
        date: a.date,
        title_en: a.title_en.clone(),
        title_ja: a.title_ja.clone(),
        category: a.category,
        region: a.region,
        actors: a.actors.clone(),
        surprise: !a.scheduled,
        source: a.source.clone(),
        id: a.id.clone(),
        announced: a.announced.clone(),
        note: a.note.clone(),
    };
    let added = events::add(&mut ctx.open_store()?, &draft)?;
    ctx.note(&format!("added event {}", added.event.id));
    if format == OutputFormat::Json {
        print_json(&added)?;
    }
    Ok(())
}
