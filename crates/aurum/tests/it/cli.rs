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
