//! Versioned schema. Migration `i` (0-based) brings a store from `user_version` `i` to `i + 1`;
//! migrations are append-only.

/// The schema, one migration per version.
pub const MIGRATIONS: &[&str] = &[
    // v1: series, observations with revision history, import log, key/value metadata.
    r"
    CREATE TABLE series (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        unit       TEXT NOT NULL,
        currency   TEXT,
        source     TEXT NOT NULL,
        bundled    INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE observations (
        series_id   TEXT NOT NULL REFERENCES series(id),
        date        TEXT NOT NULL,
        open        REAL,
        high        REAL,
        low         REAL,
        close       REAL NOT NULL,
        volume      REAL,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (series_id, date)
    ) WITHOUT ROWID;
    CREATE TABLE revisions (
        series_id   TEXT NOT NULL REFERENCES series(id),
        date        TEXT NOT NULL,
        open        REAL,
        high        REAL,
        low         REAL,
        close       REAL NOT NULL,
        volume      REAL,
        recorded_at INTEGER NOT NULL,
        replaced_at INTEGER NOT NULL
    );
    CREATE INDEX revisions_by_date ON revisions (series_id, date, replaced_at);
    CREATE TABLE imports (
        id             INTEGER PRIMARY KEY,
        series_id      TEXT NOT NULL REFERENCES series(id),
        origin         TEXT NOT NULL,
        imported_at    INTEGER NOT NULL,
        rows_new       INTEGER NOT NULL,
        rows_changed   INTEGER NOT NULL,
        rows_unchanged INTEGER NOT NULL
    );
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ",
    // v2: user events, beside the bundled catalog (which is read from the binary).
    r"
    CREATE TABLE events (
        id        TEXT PRIMARY KEY,
        date      TEXT NOT NULL,
        title_en  TEXT NOT NULL,
        title_ja  TEXT NOT NULL,
        category  TEXT NOT NULL,
        region    TEXT NOT NULL,
        actors    TEXT NOT NULL,
        surprise  INTEGER NOT NULL,
        source    TEXT NOT NULL,
        announced TEXT,
        note      TEXT,
        added_at  INTEGER NOT NULL
    );
    CREATE INDEX events_by_date ON events (date);
    ",
    // v3: recorded runs (scenario simulations): inputs, seed, data fingerprint, results.
    r"
    CREATE TABLE runs (
        id               INTEGER PRIMARY KEY,
        created_at       INTEGER NOT NULL,
        kind             TEXT NOT NULL,
        title            TEXT NOT NULL,
        input            TEXT NOT NULL,
        seed             INTEGER NOT NULL,
        paths            INTEGER NOT NULL,
        data_fingerprint TEXT NOT NULL,
        results          TEXT NOT NULL
    );
    ",
    // v4: backtests, saved block by block so that an interrupted run resumes.
    r"
    CREATE TABLE backtests (
        id         INTEGER PRIMARY KEY,
        key        TEXT NOT NULL UNIQUE,
        series_id  TEXT NOT NULL,
        config     TEXT NOT NULL,
        blocks     INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE backtest_blocks (
        backtest_id INTEGER NOT NULL REFERENCES backtests(id) ON DELETE CASCADE,
        block       INTEGER NOT NULL,
        failures    TEXT NOT NULL,
        PRIMARY KEY (backtest_id, block)
    ) WITHOUT ROWID;
    CREATE TABLE backtest_rows (
        backtest_id INTEGER NOT NULL REFERENCES backtests(id) ON DELETE CASCADE,
        block       INTEGER NOT NULL,
        origin      TEXT NOT NULL,
        model       TEXT NOT NULL,
        horizon     INTEGER NOT NULL,
        row         TEXT NOT NULL,
        PRIMARY KEY (backtest_id, origin, model, horizon)
    ) WITHOUT ROWID;
    ",
    // v5: calls (the probabilities a report or scenario run printed, to be scored when their
    // outcomes arrive) and the outcomes of the strategist's scenarios.
    r"
    CREATE TABLE calls (
        id           INTEGER PRIMARY KEY,
        created_at   INTEGER NOT NULL,
        source       TEXT NOT NULL,
        run_id       INTEGER REFERENCES runs(id),
        label        TEXT,
        published_at INTEGER,
        series_id    TEXT NOT NULL,
        as_of        TEXT NOT NULL,
        horizon      TEXT NOT NULL,
        title        TEXT NOT NULL,
        model        TEXT NOT NULL,
        doc          TEXT NOT NULL
    );
    CREATE INDEX calls_by_series ON calls (series_id, as_of);
    CREATE TABLE scenario_outcomes (
        call_id     INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        scenario    TEXT NOT NULL,
        happened    INTEGER NOT NULL,
        date        TEXT,
        note        TEXT,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (call_id, scenario)
    ) WITHOUT ROWID;
    ",
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
