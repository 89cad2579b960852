//! What every command does alike: missing input files, usage errors and their exit codes.

use crate::util::TestContext;

/// Each command that reads a file names a missing one plainly, with no system wording.
#[test]
fn missing_files_are_named_plainly() {
    let ctx = TestContext::new();
    let out = ctx.path("out").display().to_string();
    for args in [
        &["scenario", "run", "nope.toml"][..],
        &["scenario", "check", "nope.toml"],
        &["report", "nope.toml", "--out", &out],
        &["data", "import", "nope.toml", "--series", "mine"],
        &["events", "import", "nope.toml"],
        &["gpr", "import", "nope.toml"],
    ] {
        let run = ctx.run(args).fails();
        assert_eq!(run.stderr, "error: nope.toml: no such file\n", "{args:?}");
    }
}

/// A bad value of a flag is a usage error (exit 2) naming the flag, whether the parser or the
/// application finds it bad; a bad file is a failure (exit 1).
#[test]
fn bad_flag_values_exit_with_2_and_name_the_flag() {
    let ctx = TestContext::new();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/us-nato-exit-2025-02-18.toml")
        .display()
        .to_string();
    for (args, flag) in [
        (&["backtest", "--models", "gbm,nope"][..], "--models"),
        (&["backtest", "--every", "fortnight"], "--every"),
        (&["backtest", "--paths", "0"], "--paths"),
        (&["scenario", "run", &example, "--paths", "0"], "--paths"),
        (
            &["study", "--window=5,-1"],
            "--window \"5,-1\": expected two days like -1,5",
        ),
        (&["events", "list", "--category", "nope"], "--category"),
        (
            &["report", &example, "--out", "x", "--lang", "fr"],
            "--lang",
        ),
        (&["runs", "list", "--format", "xml"], "--format"),
    ] {
        let run = ctx.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(flag), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    let bad = ctx.write(
        "bad.toml",
        "title = \"t\"\nas_of = \"2025-02-18\"\nhorizon = \"2025-06-30\"\ntargets = [3000.0]\n[[scenario]]\nid = \"a\"\nprobability = 1.5\n",
    );
    ctx.run(&["scenario", "run", &bad, "--paths", "100"])
        .fails();
}
