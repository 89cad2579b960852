//! Test context: a temporary home, running the binary, reading the store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aurum_store::{Counts, Store};

/// A temporary aurum home and helpers to run the binary in it.
pub struct TestContext {
    dir: tempfile::TempDir,
}

/// What one run printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// A usage error: a bad flag or a bad value of one (exit 2).
    #[track_caller]
    pub fn usage(self) -> Self {
        assert_eq!(
            self.code, 2,
            "expected a usage error (2)\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self) -> Self {
        assert_eq!(
            self.code, 1,
            "expected failure (1)\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl TestContext {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `aurum --home HOME --quiet ARGS…`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aurum"));
        cmd.arg("--home").arg(self.home()).arg("--quiet").args(args);
        to_run(cmd.output().expect("runs aurum"))
    }

    /// Runs `aurum ARGS…` with no added flags (AURUM_HOME points at the home).
    pub fn run_raw(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aurum"));
        cmd.env("AURUM_HOME", self.home()).args(args);
        to_run(cmd.output().expect("runs aurum"))
    }

    /// Row counts of the store.
    pub fn counts(&self) -> Counts {
        Store::open(&self.home().join("aurum.db"))
            .expect("store")
            .counts()
            .expect("counts")
    }

    /// Writes a file into the temporary directory and returns its path as a string.
    /// `aurum report` of `file` in `lang` into `out`, with a fixed seed, few paths and a
    /// short track record (the tests check the text and where its numbers come from), and
    /// `extra` arguments.
    pub fn quick_report(&self, file: &str, lang: &str, out: &str, extra: &[&str]) -> Run {
        let mut args = vec![
            "report",
            file,
            "--lang",
            lang,
            "--paths",
            "4000",
            "--seed",
            "11",
            "--track-record-from",
            "2021-01-01",
            "--track-record-paths",
            "200",
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        self.run(&args).ok()
    }

    pub fn write(&self, name: &str, contents: &str) -> String {
        let p = self.path(name);
        fs_err::write(&p, contents).expect("write");
        p.display().to_string()
    }
}

fn to_run(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Path of a committed fixture.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Reads a committed fixture.
pub fn read_fixture(name: &str) -> String {
    fs_err::read_to_string(fixture(name)).expect("fixture")
}

/// Parses `data show --format json` output.
pub fn json_rows(run: &Run) -> Vec<serde_json::Value> {
    serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).expect("JSON array")
}

/// A reference fixture of another crate, e.g. `aurum-vol/tests/fixtures/arch_lbma.json`.
pub fn reference(path: &str) -> serde_json::Value {
    let text = fs_err::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path))
        .expect("reference fixture");
    serde_json::from_str(&text).expect("JSON fixture")
}

/// The case named `name` of a reference fixture.
pub fn reference_case(path: &str, name: &str) -> serde_json::Value {
    reference(path)["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .expect("case")
        .clone()
}
