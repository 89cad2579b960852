//! Where the store lives, opening it, and progress reporting.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};
use aurum_store::Store;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::Cli;

/// Settings every command shares.
#[derive(Debug)]
pub struct Context {
    /// The home directory holding `aurum.db`.
    pub home: PathBuf,
    /// No progress or warnings on stderr.
    pub quiet: bool,
}

impl Context {
    /// Resolves the home: `--home`, else `$AURUM_HOME`, else the platform data directory.
    ///
    /// # Errors
    ///
    /// When no home can be determined.
    pub fn from_cli(cli: &Cli) -> Result<Self> {
        let home = match (&cli.home, std::env::var_os("AURUM_HOME")) {
            (Some(h), _) => h.clone(),
            (None, Some(h)) if !h.is_empty() => PathBuf::from(h),
            _ => directories::ProjectDirs::from("", "", "aurum")
                .map(|d| d.data_dir().to_path_buf())
                .context("no home directory: pass --home DIR or set AURUM_HOME")?,
        };
        Ok(Self {
            home,
            quiet: cli.quiet,
        })
    }

    /// Path of the database file.
    #[must_use]
    pub fn db_path(&self) -> PathBuf {
        self.home.join("aurum.db")
    }

    /// Opens the store, creating and seeding it on first use.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created or the database cannot be opened or seeded.
    pub fn open_store(&self) -> Result<Store> {
        let (store, _) = self.open_and_seed()?;
        Ok(store)
    }

    /// Opens the store and seeds the bundled data if needed; also returns the seed report.
    ///
    /// # Errors
    ///
    /// As [`Context::open_store`].
    pub fn open_and_seed(&self) -> Result<(Store, aurum_store::SeedReport)> {
        fs_err::create_dir_all(&self.home)?;
        let path = self.db_path();
        let mut store =
            Store::open(&path).with_context(|| format!("opening the store {}", path.display()))?;
        let report = if store.is_seeded()? {
            aurum_store::SeedReport {
                seeded: false,
                series: 0,
                rows: 0,
            }
        } else {
            let spinner = self.spinner("seeding the store with the bundled data");
            let report = store
                .seed_bundled(now())
                .with_context(|| format!("seeding the store {}", path.display()))?;
            spinner.finish_and_clear();
            report
        };
        Ok((store, report))
    }

    /// A spinner on stderr, hidden under `--quiet`.
    #[must_use]
    pub fn spinner(&self, message: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// A progress bar with an ETA on stderr, hidden under `--quiet`.
    #[must_use]
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {percent}% · ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(message.to_owned());
        bar
    }

    /// Writes a note (a warning, a summary) to stderr unless `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    }
}

/// The current time in unix seconds.
#[must_use]
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
