//! [`StoreBackend`]: the [`Backend`] over a home's store, a thin adapter to aurum-app.

use std::sync::{Mutex, OnceLock};

use aurum_app::calls;
use aurum_app::data::{self, Bars, BarsRequest};
use aurum_app::events::{self, EventDraft, EventQuery, Listed};
use aurum_app::gpr::{self, GprReport, GprRequest};
use aurum_app::report::{self, Composed};
use aurum_app::scenario::{self, Checked, Example, RunRecord, RunResult, ScenarioRun};
use aurum_app::study::{self, StudyReport, StudyRequest};
use aurum_app::vol::{self, VolFitReport, VolSpec};
use aurum_app::{AppResult, Home, Progress, Silent};
use aurum_core::Date;
use aurum_events::Event;
use aurum_store::{SeriesSummary, Store};

use crate::Backend;

/// The analyses over the store in a home. Each request takes a connection from a small pool
/// (SQLite in WAL mode: readers do not block each other).
pub struct StoreBackend {
    home: Home,
    pool: Mutex<Vec<Store>>,
    /// The series list, under the data stamp it was computed at.
    series_cache: Mutex<Option<(String, Vec<SeriesSummary>)>>,
    /// The bundled catalog, parsed once.
    bundled: OnceLock<Vec<Event>>,
}

impl StoreBackend {
    /// A backend over the store in `home`.
    #[must_use]
    pub fn new(home: Home) -> Self {
        Self {
            home,
            pool: Mutex::new(Vec::new()),
            series_cache: Mutex::new(None),
            bundled: OnceLock::new(),
        }
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> AppResult<T>) -> AppResult<T> {
        let taken = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut store = match taken {
            Some(s) => s,
            None => self.home.open(&Silent)?,
        };
        let out = f(&mut store);
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < 8 {
            pool.push(store);
        }
        out
    }

    fn bundled(&self) -> AppResult<&[Event]> {
        if let Some(b) = self.bundled.get() {
            return Ok(b);
        }
        let parsed = aurum_events::bundled()?;
        Ok(self.bundled.get_or_init(|| parsed))
    }
}

impl Backend for StoreBackend {
    fn series(&self) -> AppResult<Vec<SeriesSummary>> {
        self.with_store(|s| {
            // Counting every series' rows takes a scan; do it again only after data changed.
            let stamp = s.data_stamp()?;
            let mut cache = self.series_cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, v)) = cache.as_ref()
                && *at == stamp
            {
                return Ok(v.clone());
            }
            let v = s.list()?;
            *cache = Some((stamp, v.clone()));
            Ok(v)
        })
    }

    fn bars(&self, req: &BarsRequest) -> AppResult<Bars> {
        self.with_store(|s| data::bars(s, req))
    }

    fn events(&self, q: &EventQuery) -> AppResult<Vec<Listed>> {
        let bundled = self.bundled()?;
        self.with_store(|s| events::list(s, q, bundled))
    }

    fn add_event(&self, draft: &EventDraft) -> AppResult<Listed> {
        self.with_store(|s| events::add(s, draft))
    }

    fn study(&self, req: &StudyRequest) -> AppResult<StudyReport> {
        self.with_store(|s| study::run(s, req))
    }

    fn gpr(&self, req: &GprRequest) -> AppResult<GprReport> {
        self.with_store(|s| gpr::regress(s, req))
    }

    fn vol_fit(&self, spec: &VolSpec) -> AppResult<VolFitReport> {
        self.with_store(|s| Ok(vol::fit(s, spec, &Silent)?.report()))
    }

    fn example(&self) -> AppResult<Example> {
        scenario::example()
    }

    fn check_scenario(&self, toml: &str, as_of: Option<Date>) -> AppResult<Checked> {
        let f = scenario::parse("scenario", toml, as_of)?;
        let bundled = self.bundled()?;
        self.with_store(|s| scenario::checked(s, &f, bundled))
    }

    fn scenario_size(&self, toml: &str, as_of: Option<Date>) -> AppResult<scenario::Size> {
        scenario::size(toml, as_of)
    }

    fn run_scenario(&self, req: &ScenarioRun, progress: &dyn Progress) -> AppResult<RunResult> {
        self.with_store(|s| Ok(scenario::run(s, req, progress)?.0))
    }

    fn runs(&self) -> AppResult<Vec<aurum_store::RunRecord>> {
        self.with_store(|s| scenario::runs(s))
    }

    fn run_titles_ja(
        &self,
        runs: &[aurum_store::RunRecord],
    ) -> AppResult<std::collections::HashMap<i64, String>> {
        self.with_store(|s| scenario::titles_ja(s, runs))
    }

    fn run(&self, id: i64) -> AppResult<RunRecord> {
        self.with_store(|s| scenario::show(s, id))
    }

    fn report(&self, req: &report::ReportRequest, progress: &dyn Progress) -> AppResult<Composed> {
        report::compose(&self.home, req, progress)
    }

    fn calls(&self, q: &calls::ListCalls) -> AppResult<Vec<calls::CallSummary>> {
        self.with_store(|s| calls::list(s, q))
    }

    fn call(&self, id: i64) -> AppResult<calls::CallDetail> {
        self.with_store(|s| calls::show(s, id))
    }

    fn publish_call(&self, id: i64, label: Option<&str>) -> AppResult<calls::CallSummary> {
        self.with_store(|s| calls::publish(s, id, label))
    }

    fn score_calls(&self, req: &calls::ScoreRequest) -> AppResult<calls::ScoreReport> {
        self.with_store(|s| calls::score_calls(s, req))
    }
}
