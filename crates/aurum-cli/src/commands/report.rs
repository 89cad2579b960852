//! `aurum report`: the strategist's note on a scenario file, with its evidence.

use anyhow::Result;
use aurum_app::calls::Filing;
use aurum_app::report::{self, ReportRequest};
use aurum_app::scenario;

use crate::args::{Currency, ReportArgs};
use crate::context::Context;

pub fn run(ctx: &Context, a: &ReportArgs) -> Result<()> {
    let (file, text) = scenario::load(&a.file, a.as_of)?;
    let req = ReportRequest {
        name: a.file.display().to_string(),
        file,
        text,
        lang: a.lang,
        paths: a.paths,
        seed: a.seed,
        weeks: a.weeks,
        track_record_from: (!a.no_track_record).then_some(a.track_record_from),
        track_record_paths: a.track_record_paths,
        filing: Filing {
            label: a.label.clone(),
            publish: a.publish,
        },
        link: a.link.clone(),
        yen: a.currency == Currency::Jpy,
        color_blind: a.color_blind,
    };
    req.check()?;
    // The output folder first: a report that cannot be written is not run, nor recorded.
    fs_err::create_dir_all(&a.out)?;
    let composed = report::compose(&ctx.home, &req, &ctx.progress)?;
    composed.write(&a.out)?;
    ctx.note(&format!(
        "wrote report.md, report.html, chart-weekly.png, touch.png, fan.png, post.txt and results.json to {}",
        a.out.display()
    ));
    if a.pdf {
        let pdf = report::print_pdf(&a.out)?;
        ctx.note(&format!("wrote {}", pdf.display()));
    }
    ctx.note("post.txt is the post for X; attach chart-weekly.png as its image");
    ctx.note(&super::run_note(composed.run_id));
    ctx.note(&super::call_note(composed.call_id, a.publish));
    Ok(())
}
