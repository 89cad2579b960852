//! `aurum chart`: candlesticks of a series as SVG or PNG.

use anyhow::Result;
use aurum_app::figures::{self, ChartRequest};

use crate::args::ChartArgs;
use crate::context::Context;

pub fn run(ctx: &Context, a: &ChartArgs) -> Result<()> {
    let png = figures::figure_kind("out", &a.out)?;
    let req = ChartRequest {
        series: a.series.clone(),
        freq: a.freq,
        window: a.window.into(),
        targets: a.target.clone(),
        lang: a.lang,
        width: a.width,
        height: a.height,
        title: a.title.clone(),
    };
    let drawn = figures::candles(&ctx.open_store()?, &req)?;
    figures::write_figure(&a.out, drawn.svg, png)?;
    ctx.note(&format!(
        "wrote {} ({} {} bars)",
        a.out.display(),
        drawn.bars,
        a.freq
    ));
    Ok(())
}
