//! [`Home`]: where the store lives, and opening it (created and seeded on first use).

use std::path::{Path, PathBuf};

use aurum_store::{SeedReport, Store};

use crate::{AppError, AppResult, Progress};

/// The directory holding `aurum.db`.
#[derive(Clone, Debug)]
pub struct Home {
    dir: PathBuf,
}

impl Home {
    /// A home in `dir`.
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Resolves the home: `explicit` (the `--home` flag), else `$AURUM_HOME`, else the
    /// platform data directory (`~/.local/share/aurum` on Linux).
    ///
    /// # Errors
    ///
    /// When no home can be determined.
    pub fn resolve(explicit: Option<&Path>) -> AppResult<Self> {
        let dir = match (explicit, std::env::var_os("AURUM_HOME")) {
            (Some(h), _) => h.to_path_buf(),
            (None, Some(h)) if !h.is_empty() => PathBuf::from(h),
            _ => directories::ProjectDirs::from("", "", "aurum")
                .map(|d| d.data_dir().to_path_buf())
                .ok_or_else(|| {
                    AppError::bad(
                        "home",
                        "no home directory: pass `home` DIR or set AURUM_HOME",
                    )
                })?,
        };
        Ok(Self { dir })
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the database file.
    #[must_use]
    pub fn db_path(&self) -> PathBuf {
        self.dir.join("aurum.db")
    }

    /// Opens the store, creating and seeding it on first use.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created or the database cannot be opened or seeded.
    pub fn open(&self, progress: &dyn Progress) -> AppResult<Store> {
        Ok(self.open_and_seed(progress)?.0)
    }

    /// Opens the store and seeds the bundled data if needed; also returns the seed report.
    ///
    /// # Errors
    ///
    /// As [`Home::open`].
    pub fn open_and_seed(&self, progress: &dyn Progress) -> AppResult<(Store, SeedReport)> {
        fs_err::create_dir_all(&self.dir)?;
        let path = self.db_path();
        let context = |what: &str| format!("{what} the store {}", path.display());
        let mut store = Store::open(&path).map_err(|e| AppError::store(context("opening"), e))?;
        let seeded = store
            .is_seeded()
            .map_err(|e| AppError::store(context("opening"), e))?;
        let report = if seeded {
            SeedReport {
                seeded: false,
                series: 0,
                rows: 0,
            }
        } else {
            progress.start("seeding the store with the bundled data", None);
            let report = store.seed_bundled(now());
            progress.finish();
            report.map_err(|e| AppError::store(context("seeding"), e))?
        };
        Ok((store, report))
    }
}

/// The current time in unix seconds.
#[must_use]
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Parses a recorded-at time: a date (midnight UTC) or an RFC 3339 time, as unix seconds.
///
/// # Errors
///
/// Anything else, naming `field`.
pub fn parse_time(field: &str, s: &str) -> AppResult<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    let d: aurum_core::Date = s.parse().map_err(|_| {
        AppError::bad(
            field,
            format!("`{field}` {s:?}: expected YYYY-MM-DD or an RFC 3339 time"),
        )
    })?;
    Ok(d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
}
