//! The home and store of this run, and progress on stderr.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Result;
use aurum_app::{Home, Progress};
use aurum_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::Cli;

/// Settings every command shares.
#[derive(Debug)]
pub struct Context {
    /// The home directory holding `aurum.db`.
    pub home: Home,
    /// Progress bars and notes on stderr, or nothing under `--quiet`.
    pub progress: Bars,
}

impl Context {
    /// Resolves the home: `--home`, else `$AURUM_HOME`, else the platform data directory.
    ///
    /// # Errors
    ///
    /// When no home can be determined.
    pub fn from_cli(cli: &Cli) -> Result<Self> {
        Ok(Self {
            home: Home::resolve(cli.home.as_deref())?,
            progress: Bars::new(cli.quiet),
        })
    }

    /// Opens the store, creating and seeding it on first use.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created or the database cannot be opened or seeded.
    pub fn open_store(&self) -> Result<Store> {
        Ok(self.home.open(&self.progress)?)
    }

    /// Writes a note (a warning, a summary) to stderr unless `--quiet`.
    pub fn note(&self, text: &str) {
        self.progress.note(text);
    }
}

/// Progress bars (with an ETA) and spinners on stderr, hidden under `--quiet`.
#[derive(Debug)]
pub struct Bars {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    /// Bars that draw unless `quiet`.
    #[must_use]
    pub fn new(quiet: bool) -> Self {
        Self {
            quiet,
            bar: Mutex::new(None),
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Progress for Bars {
    fn start(&self, message: &str, len: Option<u64>) {
        if self.quiet {
            return;
        }
        let bar = match len {
            Some(n) => {
                let bar = ProgressBar::new(n);
                bar.set_style(
                    ProgressStyle::with_template("{msg} [{bar:30}] {percent}% · ETA {eta}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                bar
            }
            None => {
                let bar = ProgressBar::new_spinner();
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.enable_steady_tick(Duration::from_millis(100));
                bar
            }
        };
        bar.set_message(message.to_owned());
        if let Some(old) = self.current().replace(bar) {
            old.finish_and_clear();
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = self.current().as_ref() {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.current().take() {
            bar.finish_and_clear();
        }
    }

    fn note(&self, text: &str) {
        if self.quiet {
            return;
        }
        let write = || {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        };
        match self.current().as_ref() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}
