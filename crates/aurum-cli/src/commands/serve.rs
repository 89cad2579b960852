//! `aurum serve`: the dashboard and its JSON API over this home's store.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Result;
use aurum_serve::{AppState, Limits, StoreBackend};

use crate::args::ServeArgs;
use crate::context::Context;

pub fn run(ctx: &Context, a: &ServeArgs) -> Result<()> {
    // Seed now, so that the first request does not wait for it.
    drop(ctx.open_store()?);
    // Reachable from the network: the API asks for a token printed with the address, and
    // the warning is shown even under --quiet.
    let token = (!a.addr.ip().is_loopback()).then(aurum_serve::new_token);
    if token.is_some() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "warning: listening on {}, which other machines can reach: anyone with the address and its token can use this store",
            a.addr
        );
    }
    let limits = Limits {
        max_paths: a.max_paths,
        max_steps: a.max_steps,
        timeout: std::time::Duration::from_secs(a.timeout_secs),
        ..Limits::default()
    };
    let state = AppState::with_token(
        Arc::new(StoreBackend::new(ctx.home.clone())),
        limits,
        token.clone(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = aurum_serve::bind(a.addr).await?;
        let addr: SocketAddr = listener.local_addr()?;
        // The address goes to stdout (tests and scripts read it), even with --quiet.
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match &token {
                Some(t) => writeln!(out, "aurum serving http://{addr}/#token={t}")?,
                None => writeln!(out, "aurum serving http://{addr}/")?,
            }
            out.flush()?;
        }
        aurum_serve::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        Ok::<(), anyhow::Error>(())
    })
}
