//! Raw command-line arguments (clap). Resolution into settings happens in the commands.

use std::path::PathBuf;

use aurum_core::{Date, Frequency, Lang, SeriesId, Unit};
use aurum_ingest::Format as FileFormat;
use aurum_ingest::update::Source;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Geopolitical scenario analysis of the gold price.
#[derive(Debug, Parser)]
#[command(name = "aurum", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Directory of the store (aurum.db). Default: $AURUM_HOME, else the platform data directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Print results only: no progress, no warnings.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// How results are printed, for commands that print results.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,

    #[command(subcommand)]
    pub command: Command,
}

/// How a command prints its results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// Aligned columns for people.
    #[default]
    Table,
    /// Comma-separated values with a header.
    Csv,
    /// JSON (stable snake_case keys).
    Json,
}

/// aurum's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store and seed it with the bundled data (done on first use anyway).
    Init(InitArgs),
    /// Price series: list, show, import files, update from live sources.
    #[command(subcommand)]
    Data(DataCommand),
    /// Draw a candlestick chart of a series (SVG or PNG).
    Chart(ChartArgs),
    /// The geopolitical event catalog: list, add, import, remove.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Event study: how gold reacted to a category or a list of events.
    Study(StudyArgs),
    /// Volatility models: fit GARCH-family models and forecast volatility.
    #[command(subcommand)]
    Vol(VolCommand),
    /// Geopolitical Risk index: gold's sensitivity to it.
    #[command(subcommand)]
    Gpr(GprCommand),
    /// Scenario trees: check a scenario file, or run its Monte Carlo.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Recorded scenario runs: list them, show one.
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Calls (what reports and scenario runs printed): list, show, publish, and score them
    /// against the prices that have arrived since.
    #[command(subcommand)]
    Calls(CallsCommand),
    /// Backtest the forecast models: rolling origins with only the data known then, scored
    /// by CRPS, log score, PIT, interval coverage and Brier scores against a GBM baseline.
    Backtest(BacktestArgs),
    /// Write the strategist's report on a scenario file: Markdown, one self-contained HTML
    /// file, the weekly chart, the fan, a post for X and every number as JSON.
    Report(ReportArgs),
    /// Serve the dashboard and its JSON API on this machine (until Ctrl-C).
    Serve(ServeArgs),
}

/// `aurum serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. The default is reachable from this machine only; another
    /// address is reachable from the network (there is no authentication). Port 0 picks a free
    /// port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Most Monte Carlo paths one request may simulate.
    #[arg(long, default_value_t = 200_000)]
    pub max_paths: usize,
    /// Most paths × trading days one request may simulate.
    #[arg(long, default_value_t = 20_000_000)]
    pub max_steps: u64,
    /// Seconds a request may take.
    #[arg(long = "timeout", default_value_t = 60)]
    pub timeout_secs: u64,
}

/// `aurum report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Override the file's as_of date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
    /// Language of the report.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// Monte Carlo paths.
    #[arg(long, default_value_t = 100_000)]
    pub paths: usize,
    /// Seed (same seed, same report, whatever the thread count).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Weeks of history on the chart.
    #[arg(long, default_value_t = 104)]
    pub weeks: usize,
    /// First origin of the track record (a monthly backtest of the model up to as_of).
    #[arg(long, value_name = "DATE", default_value = "1990-01-01")]
    pub track_record_from: Date,
    /// Paths per origin in the track record.
    #[arg(long, default_value_t = 1000)]
    pub track_record_paths: usize,
    /// Leave out the track record.
    #[arg(long)]
    pub no_track_record: bool,
    /// The article's address, added to the post for X (which counts any link as 23).
    #[arg(long, value_name = "URL")]
    pub link: Option<String>,
    /// `jpy` adds gold's price in yen per gram to the lead (the probabilities stay on the USD
    /// series).
    #[arg(long, value_enum, default_value = "usd")]
    pub currency: Currency,
    /// Also print report.html to report.pdf (A4) with headless Chromium, when installed.
    #[arg(long)]
    pub pdf: bool,
    /// Candles that colour-blind readers tell apart: hollow blue rising, filled orange
    /// falling.
    #[arg(long)]
    pub color_blind: bool,
    /// Name the call this records (`aurum calls list` shows it).
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// Publish the call this records (else it is a draft, which `aurum calls score` leaves
    /// out unless asked).
    #[arg(long)]
    pub publish: bool,
    /// Folder to write report.md, report.html, chart-weekly.png, fan.png, post.txt and
    /// results.json to.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `aurum backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Series to forecast.
    #[arg(long, short, default_value = "gold-usd-lbma-pm")]
    pub series: SeriesId,
    /// First and last origin; `--as-of` bounds the data, outcomes included.
    #[command(flatten)]
    pub window: Window,
    /// Origins: `week`, `month` (last trading day of each) or a number of trading days.
    #[arg(long, default_value = "month")]
    pub every: String,
    /// Horizons in trading days (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "5,21,63,126")]
    pub horizons: Vec<usize>,
    /// Models (comma-separated): gbm (the baseline), garch-t, gjr-t, fhs, har, each with its own
    /// mean or with +zero, +hist (all history's mean) or +mom (time-series momentum); and
    /// stack (its members' forecasts mixed by past log score, probabilities recalibrated).
    #[arg(long, value_delimiter = ',', default_value = "gbm,garch-t,gjr-t,fhs")]
    pub models: Vec<String>,
    /// History each fit sees: `expanding` or a number of trading days.
    #[arg(long = "window", visible_alias = "fit-window", default_value = "2520")]
    pub fit_window: String,
    /// Refit at `every` origin or every N origins (the estimates filter the data between).
    #[arg(long, default_value = "every")]
    pub refit: String,
    /// Simulated paths per origin and model.
    #[arg(long, default_value_t = 2000)]
    pub paths: usize,
    /// Seed (same seed, same numbers, whatever the thread count).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Threshold levels relative to the origin price, in percent (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        allow_negative_numbers = true,
        default_value = "-10,-5,5,10"
    )]
    pub relative: Vec<f64>,
    /// Absolute price levels to score touch and close probabilities at (comma-separated).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub levels: Vec<f64>,
    /// Recompute from scratch instead of resuming saved results.
    #[arg(long)]
    pub fresh: bool,
    /// Compute at most this many blocks of origins now and stop (run again to resume).
    #[arg(long, value_name = "N")]
    pub max_blocks: Option<usize>,
    /// Folder for the reliability diagrams and PIT histograms (PNG) and the scores (JSON).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Language of the charts.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum runs …`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// List recorded runs, newest first.
    List(RunsListArgs),
    /// Show one run: its input, seed, data fingerprint and results.
    Show(RunsShowArgs),
}

/// `aurum runs list`.
#[derive(Debug, Args)]
pub struct RunsListArgs {
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum runs show`.
#[derive(Debug, Args)]
pub struct RunsShowArgs {
    /// Run id (see `aurum runs list`).
    pub id: i64,
}

/// `aurum scenario …`.
#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Validate a scenario file and show its tree.
    Check(ScenarioCheckArgs),
    /// Simulate: price fan, P(close ≥ target), P(touch), first passage, scenario attribution.
    Run(ScenarioRunArgs),
    /// Record whether one of the file's scenarios happened, on the calls made from it (the
    /// file itself is not changed): `aurum calls score` then scores the judgement.
    Resolve(ScenarioResolveArgs),
}

/// `aurum scenario resolve`.
#[derive(Debug, Args)]
pub struct ScenarioResolveArgs {
    /// The scenario file (TOML) the calls were made from.
    pub file: PathBuf,
    /// The scenario's id in the file.
    #[arg(long, value_name = "ID")]
    pub scenario: String,
    /// Whether it happened.
    #[arg(long, value_enum)]
    pub happened: YesNo,
    /// When it happened (or was known not to); calls made after this day are left alone.
    #[arg(long, value_name = "DATE")]
    pub date: Option<Date>,
    /// A note (a source, say).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// How the result is printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// The currency a report's lead adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Currency {
    /// US dollars per troy ounce only.
    Usd,
    /// Also yen per gram.
    Jpy,
}

/// Yes or no.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum YesNo {
    /// It did.
    Yes,
    /// It did not.
    No,
}

/// `aurum calls …`.
#[derive(Debug, Subcommand)]
pub enum CallsCommand {
    /// List recorded calls by as-of date.
    List(CallsListArgs),
    /// Show one call: every probability it printed and its scenarios' outcomes.
    Show(CallsShowArgs),
    /// Publish a call (published calls are scored by default; drafts are not).
    Publish(CallsPublishArgs),
    /// Score calls against the prices known now (or as of a date): each event resolved or
    /// open, Brier and log scores, where the horizon price fell in the fan, first passages;
    /// and the scenario judgements whose outcomes are recorded.
    Score(CallsScoreArgs),
}

/// `aurum calls list`.
#[derive(Debug, Args)]
pub struct CallsListArgs {
    /// Only calls on this series.
    #[arg(long, short)]
    pub series: Option<SeriesId>,
    /// Published calls only.
    #[arg(long)]
    pub published: bool,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum calls show`.
#[derive(Debug, Args)]
pub struct CallsShowArgs {
    /// Call id (see `aurum calls list`).
    pub id: i64,
    /// How the call is printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum calls publish`.
#[derive(Debug, Args)]
pub struct CallsPublishArgs {
    /// Call id (see `aurum calls list`).
    pub id: i64,
    /// Name it.
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// How the result is printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum calls score`.
#[derive(Debug, Args)]
pub struct CallsScoreArgs {
    /// Calls to score (default: every published call).
    pub ids: Vec<i64>,
    /// Score as known at the end of this day: later prices, and calls made later, do not count.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Only calls on this series.
    #[arg(long, short)]
    pub series: Option<SeriesId>,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum scenario check`.
#[derive(Debug, Args)]
pub struct ScenarioCheckArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// How the base rates beside the judged probabilities are printed (the table also shows
    /// the tree).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum scenario run`.
#[derive(Debug, Args)]
pub struct ScenarioRunArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Monte Carlo paths.
    #[arg(long, default_value_t = 100_000)]
    pub paths: usize,
    /// Seed (same seed, same numbers, whatever the thread count).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Override the file's as_of date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
    /// Skip the per-scenario contributions (one extra run per scenario).
    #[arg(long)]
    pub no_contributions: bool,
    /// Name the call this records (`aurum calls list` shows it).
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// Publish the call this records (else it is a draft, which `aurum calls score` leaves
    /// out unless asked).
    #[arg(long)]
    pub publish: bool,
    /// Draw the price fan (SVG or PNG).
    #[arg(long, value_name = "FILE")]
    pub fan: Option<PathBuf>,
    /// Language of the fan chart.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum gpr …`.
#[derive(Debug, Subcommand)]
pub enum GprCommand {
    /// Regress gold returns on the GPR index (OLS with Newey–West errors, quantile regression,
    /// rolling betas).
    Regress(GprRegressArgs),
    /// Import the index authors' CSV or XLS export (monthly or daily); revised values are kept
    /// as revisions.
    Import(GprImportArgs),
    /// Build a GPR-style index from your own news: a folder of dated text files or a JSON-lines
    /// file.
    Build(GprBuildArgs),
}

/// `aurum gpr import`.
#[derive(Debug, Args)]
pub struct GprImportArgs {
    /// `data_gpr_export.xls`, `data_gpr_daily_recent.xls`, or a CSV with the same columns.
    pub file: PathBuf,
    /// Record the import as made at this time (YYYY-MM-DD or RFC 3339); default now.
    #[arg(long, value_name = "TIME")]
    pub recorded_at: Option<String>,
    /// How the report is printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum gpr build`.
#[derive(Debug, Args)]
pub struct GprBuildArgs {
    /// A folder of text files named `YYYY-MM-DD…` (searched recursively), or a `.jsonl` file
    /// of `{"date": "YYYY-MM-DD", "text": "…"}` lines (an optional `"title"` is read too).
    #[arg(long)]
    pub corpus: PathBuf,
    /// Language of the corpus and of the bundled dictionary.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// Your own dictionary (TOML, as data/risk/dictionary-en.toml).
    #[arg(long, value_name = "FILE")]
    pub dictionary: Option<PathBuf>,
    /// Period of the index.
    #[arg(long, default_value = "monthly")]
    pub freq: aurum_core::Frequency,
    /// Base period normalised to 100, e.g. 2000-01-01,2019-12-31 (default: all periods).
    #[arg(long, value_name = "FROM,TO")]
    pub base: Option<String>,
    /// Ignore articles dated after this day.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
    /// Store the index as this series (created if new; changed values kept as revisions).
    #[arg(long, value_name = "SERIES")]
    pub save: Option<SeriesId>,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// Which part of the GPR index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GprComponent {
    /// The whole index.
    Total,
    /// Threats (war threats, nuclear threats, military build-ups…).
    Threats,
    /// Acts (outbreaks of war, terrorist acts, escalations…).
    Acts,
}

/// `aurum gpr regress`.
#[derive(Debug, Args)]
pub struct GprRegressArgs {
    /// Gold series (returns are 100 × log changes of its closes).
    #[arg(long, short, default_value = "gold-usd-lbma-pm")]
    pub series: SeriesId,
    /// Period of the regression.
    #[arg(long, default_value = "weekly")]
    pub freq: aurum_core::Frequency,
    /// How GPR enters: level, change, log-change (100 × log points) or shock (AR(1) residual).
    #[arg(long, default_value = "log-change")]
    pub measure: aurum_risk::Measure,
    /// Component of the index.
    #[arg(long, value_enum, default_value = "total")]
    pub component: GprComponent,
    /// Control series, as changes (comma-separated), e.g. dxy,dfii10,sp500,vix.
    #[arg(long, value_delimiter = ',')]
    pub controls: Vec<SeriesId>,
    /// First date of the sample.
    #[arg(long, value_name = "DATE", default_value = "1985-01-01")]
    pub from: Date,
    /// Last date of the sample.
    #[arg(long, value_name = "DATE")]
    pub to: Option<Date>,
    /// Only data known at the end of this day.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
    /// Newey–West lags (default ⌊4 (n/100)^{2/9}⌋).
    #[arg(long)]
    pub maxlags: Option<usize>,
    /// Quantiles for the quantile regressions.
    #[arg(long, value_delimiter = ',', default_value = "0.05,0.5,0.95")]
    pub quantiles: Vec<f64>,
    /// Rolling regressions over this many periods (e.g. 156 weeks).
    #[arg(long)]
    pub rolling: Option<usize>,
    /// Draw the rolling beta with its 95% band (SVG or PNG); needs --rolling.
    #[arg(long, value_name = "FILE", requires = "rolling")]
    pub plot: Option<PathBuf>,
    /// Language of the plot and the summary sentence.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum vol …`.
#[derive(Debug, Subcommand)]
pub enum VolCommand {
    /// Fit a model by maximum likelihood.
    Fit(VolFitArgs),
    /// Fit, then forecast volatility over a horizon (annualised term structure).
    Forecast(VolForecastArgs),
}

/// The volatility process on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VolKind {
    /// GARCH(p, q).
    Garch,
    /// GJR-GARCH(p, o, q): GARCH with a leverage term.
    Gjr,
    /// EGARCH(p, o, q).
    Egarch,
    /// RiskMetrics EWMA (λ = 0.94), no parameters.
    Ewma,
    /// Constant variance.
    Constant,
}

/// What to fit.
#[derive(Debug, Args, Clone)]
pub struct VolModelArgs {
    /// Series of prices; the model is fitted to scale × log returns.
    #[arg(long, short, default_value = "gold-usd-lbma-pm")]
    pub series: SeriesId,
    /// Volatility process.
    #[arg(long, value_enum, default_value = "garch")]
    pub model: VolKind,
    /// Innovation distribution: normal, t, skewt, ged.
    #[arg(long, default_value = "t")]
    pub dist: aurum_vol::Dist,
    /// Mean model: constant, zero, ar1.
    #[arg(long, default_value = "constant")]
    pub mean: aurum_vol::Mean,
    /// Symmetric ARCH lags.
    #[arg(long, default_value_t = 1)]
    pub p: usize,
    /// Asymmetric lags (default 0 for garch, 1 for gjr and egarch).
    #[arg(long)]
    pub o: Option<usize>,
    /// GARCH lags.
    #[arg(long, default_value_t = 1)]
    pub q: usize,
    /// Returns are scale × log price changes (100: percent, as arch).
    #[arg(long, default_value_t = 100.0)]
    pub scale: f64,
    /// Starting points to optimise from (the best of arch's grid first).
    #[arg(long, default_value_t = 1)]
    pub starts: usize,
    #[command(flatten)]
    pub window: Window,
}

/// `aurum vol fit`.
#[derive(Debug, Args)]
pub struct VolFitArgs {
    #[command(flatten)]
    pub model: VolModelArgs,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum vol forecast`.
#[derive(Debug, Args)]
pub struct VolForecastArgs {
    #[command(flatten)]
    pub model: VolModelArgs,
    /// Trading days ahead.
    #[arg(long, default_value_t = 63)]
    pub horizon: usize,
    /// Paths for simulated forecasts (EGARCH).
    #[arg(long, default_value_t = 2000)]
    pub paths: usize,
    /// Seed for simulated forecasts.
    #[arg(long, default_value_t = 20250218)]
    pub seed: u64,
    /// Draw the annualised volatility term structure (SVG or PNG).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Language of the plot.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// Which events a listing shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum EventOrigin {
    /// Bundled and user events.
    #[default]
    All,
    /// The bundled catalog only.
    Bundled,
    /// User events only.
    User,
}

/// `aurum events …`.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// List events, filtered by category and dates.
    List(EventsListArgs),
    /// Add one event to the store.
    Add(EventsAddArgs),
    /// Add the events of a TOML (`[[event]]` tables) or CSV file, in one transaction.
    Import(EventsImportArgs),
    /// Remove a user event.
    Remove(EventsRemoveArgs),
}

/// `aurum events list`.
#[derive(Debug, Args)]
pub struct EventsListArgs {
    /// Keep these categories (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub category: Vec<aurum_events::Category>,
    #[command(flatten)]
    pub window: Window,
    /// Bundled, user or all events.
    #[arg(long, value_enum, default_value = "all")]
    pub origin: EventOrigin,
    /// Language of the titles in the table.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum events add`.
#[derive(Debug, Args)]
pub struct EventsAddArgs {
    /// The first trading day the news was public (YYYY-MM-DD).
    #[arg(long)]
    pub date: Date,
    /// Title in English.
    #[arg(long)]
    pub title_en: String,
    /// Title in Japanese.
    #[arg(long)]
    pub title_ja: String,
    /// Category.
    #[arg(long)]
    pub category: aurum_events::Category,
    /// Region.
    #[arg(long)]
    pub region: aurum_events::Region,
    /// Actors: ISO country codes or organisations, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub actors: Vec<String>,
    /// The event was scheduled or expected (default: a surprise).
    #[arg(long)]
    pub scheduled: bool,
    /// A named reference (encyclopedia article, official document).
    #[arg(long)]
    pub source: String,
    /// Id (default: the date and a slug of the English title).
    #[arg(long)]
    pub id: Option<String>,
    /// Local time and UTC offset the news broke, e.g. 2025-02-14T14:00+01:00.
    #[arg(long)]
    pub announced: Option<String>,
    /// A remark.
    #[arg(long)]
    pub note: Option<String>,
    /// `json` prints the stored event (as the API answers it).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum events import`.
#[derive(Debug, Args)]
pub struct EventsImportArgs {
    /// A TOML file of `[[event]]` tables, or a CSV file with the same columns.
    pub file: PathBuf,
}

/// `aurum events remove`.
#[derive(Debug, Args)]
pub struct EventsRemoveArgs {
    /// Id of the user event.
    pub id: String,
}

/// `aurum study`.
#[derive(Debug, Args)]
pub struct StudyArgs {
    /// The price series studied.
    #[arg(long, short, default_value = "gold-usd-lbma-pm")]
    pub series: SeriesId,
    /// Categories to study, each on its own (default: every category).
    #[arg(long, value_delimiter = ',', conflicts_with = "events")]
    pub category: Vec<aurum_events::Category>,
    /// Study exactly these event ids, together.
    #[arg(long, value_delimiter = ',')]
    pub events: Vec<String>,
    /// Event window in trading days around day 0, e.g. -1,5.
    #[arg(long, default_value = "-1,5", allow_hyphen_values = true)]
    pub window: String,
    /// Estimation window, e.g. -250,-11.
    #[arg(long, default_value = "-250,-11", allow_hyphen_values = true)]
    pub estimation: String,
    /// Normal-return model.
    #[arg(long, default_value = "mean")]
    pub model: aurum_eventstudy::Model,
    /// Benchmark series (market: one, default dxy; factor: several, default dxy,dfii10,sp500).
    #[arg(long, value_delimiter = ',')]
    pub benchmark: Vec<SeriesId>,
    /// Events whose windows overlap: flag, drop or merge.
    #[arg(long, default_value = "flag")]
    pub overlap: aurum_eventstudy::OverlapPolicy,
    /// Events dated within --from/--to; events and prices as known at the end of --as-of.
    #[command(flatten)]
    pub dates: Window,
    /// Draw the CAAR paths with 95% bands (SVG or PNG).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Language of the plot and of event titles.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum data …`.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// List the series in the store with the extent of their data.
    List(ListArgs),
    /// Print a series' bars, daily or resampled.
    Show(ShowArgs),
    /// Import a file into a series (created if new). One transaction: on error nothing is written.
    Import(ImportArgs),
    /// Fetch the latest data of a live source and merge it.
    Update(UpdateArgs),
}

/// `aurum data list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// Date range and as-of date shared by analyses.
#[derive(Debug, Args, Clone, Copy)]
pub struct Window {
    /// First date (YYYY-MM-DD), inclusive.
    #[arg(long, value_name = "DATE")]
    pub from: Option<Date>,
    /// Last date (YYYY-MM-DD), inclusive.
    #[arg(long, value_name = "DATE")]
    pub to: Option<Date>,
    /// Use only what was known at the end of this day: later dates and later revisions are ignored.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
}

impl From<Window> for aurum_app::Window {
    fn from(w: Window) -> Self {
        Self {
            from: w.from,
            to: w.to,
            as_of: w.as_of,
        }
    }
}

/// `aurum data show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Series id (see `aurum data list`).
    #[arg(long, short)]
    pub series: SeriesId,
    /// Bar frequency.
    #[arg(long, default_value = "daily")]
    pub freq: Frequency,
    #[command(flatten)]
    pub window: Window,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// What to do with a repeated date in an imported file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnDuplicate {
    /// Refuse the file.
    Error,
    /// Keep the later row.
    KeepLast,
}

/// What to do with a row whose high/low contradict its open/close.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnBadRange {
    /// Refuse the file.
    Error,
    /// Keep the row's close only.
    CloseOnly,
}

/// `aurum data import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (CSV or LBMA JSON).
    pub file: PathBuf,
    /// Series to import into; created if the store does not hold it.
    #[arg(long, short)]
    pub series: SeriesId,
    /// The file's layout.
    #[arg(
        long,
        default_value = "auto",
        value_name = "auto|csv|stooq|yahoo|tradingview|lbma-json|fred"
    )]
    pub format: FileFormat,
    /// Unit of the file's prices: oz (troy ounce) or g (gram; converted to troy ounces for an
    /// ounce series). Also index, percent, fx for new non-price series. Default: the series' unit.
    #[arg(long)]
    pub unit: Option<Unit>,
    /// Column holding the value, when the file has several (e.g. dgs10, or usd/gbp/eur for LBMA).
    #[arg(long)]
    pub column: Option<String>,
    /// Repeated dates.
    #[arg(long, value_enum, default_value = "error")]
    pub on_duplicate: OnDuplicate,
    /// Rows whose high/low contradict open/close.
    #[arg(long, value_enum, default_value = "error")]
    pub on_bad_range: OnBadRange,
    /// Name of a new series (default: its id).
    #[arg(long)]
    pub name: Option<String>,
    /// Currency of a new series (default: USD for prices per ounce or gram).
    #[arg(long)]
    pub currency: Option<String>,
    /// Source of a new series (default: the file name).
    #[arg(long)]
    pub source: Option<String>,
    /// Record the import as made at this time (YYYY-MM-DD or RFC 3339), e.g. to load a past
    /// vintage; default now.
    #[arg(long, value_name = "TIME")]
    pub recorded_at: Option<String>,
    /// Validate and report what would change, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How the report is printed.
    #[arg(long, value_enum)]
    pub output: Option<OutputFormat>,
}

/// `aurum data update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The live source: LBMA's gold fixing, stooq's or FRED's prices, or `gpr`, the GPR
    /// index authors' monthly and daily workbooks.
    #[arg(long, value_name = "lbma|stooq|fred|gpr")]
    pub source: Source,
    /// Update only this series (default: every series of the source).
    #[arg(long, short)]
    pub series: Option<SeriesId>,
    /// Address of the source (default: its public address); for mirrors and tests.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Seconds to wait for each file.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// How results are printed.
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// `aurum chart`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Series id.
    #[arg(long, short, default_value = "gold-usd-spot")]
    pub series: SeriesId,
    /// Bar frequency.
    #[arg(long, default_value = "weekly")]
    pub freq: Frequency,
    #[command(flatten)]
    pub window: Window,
    /// Price levels to draw as labelled horizontal lines (repeatable).
    #[arg(long, value_name = "PRICE")]
    pub target: Vec<f64>,
    /// Language of the labels.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// Output file: .svg or .png.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 675)]
    pub height: u32,
    /// Title (default: the series name and frequency).
    #[arg(long)]
    pub title: Option<String>,
}
