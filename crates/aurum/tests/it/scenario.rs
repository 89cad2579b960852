//! `aurum scenario check|run` on the reference example.

use crate::util::TestContext;

fn example() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/us-nato-exit-2025-02-18.toml")
        .display()
        .to_string()
}

#[test]
fn example_runs_with_every_output_and_reproduces_across_threads() {
    let ctx = TestContext::new();
    ctx.run(&["scenario", "check", &example()]).ok();
    let run = |threads: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_aurum"));
        cmd.env("RAYON_NUM_THREADS", threads).args([
            "--home",
            &ctx.home().display().to_string(),
            "--quiet",
            "scenario",
            "run",
            &example(),
            "--paths",
            "4000",
            "--seed",
            "7",
            "--format",
            "json",
        ]);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // Each run is recorded under its own run and call ids; everything else is the same.
    let record = |out: String| -> (serde_json::Value, serde_json::Value) {
        let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let id = v["run_id"].take();
        assert!(v["call_id"].take().is_i64());
        (id, v)
    };
    let (id1, v) = record(run("1"));
    let (id2, two) = record(run("2"));
    assert_ne!(id1, id2);
    assert_eq!(v, two, "results must not depend on the thread count");
    let t = &v["targets"][0];
    assert_eq!(t["target"], 3000.0);
    for key in [
        "p_close_above",
        "p_close_above_se",
        "p_touch",
        "p_touch_se",
        "p_touch_continuous",
        "p_touch_continuous_se",
    ] {
        let p = t[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{key} {p}");
    }
    assert!(t["p_touch"].as_f64() >= t["p_close_above"].as_f64());
    assert!(t["p_touch_continuous"].as_f64() >= t["p_touch"].as_f64());
    assert!(t["first_passage"]["median"].as_str().unwrap() > "2025-02-18");
    // A relative target: +10% from the start price.
    let start = v["start"]["price"].as_f64().unwrap();
    assert!((v["targets"][2]["target"].as_f64().unwrap() - 1.1 * start).abs() < 1e-9);
    let scen = v["scenarios"].as_array().unwrap();
    assert_eq!(scen.len(), 5);
    assert!(scen.iter().all(|s| s["contribution"]["p_touch"].is_array()));
    // The child happens only with its parent.
    let exit = scen.iter().find(|s| s["id"] == "us-nato-exit").unwrap()["p_happened"]
        .as_f64()
        .unwrap();
    let ceasefire = scen
        .iter()
        .find(|s| s["id"] == "ukraine-ceasefire")
        .unwrap()["p_happened"]
        .as_f64()
        .unwrap();
    assert!(exit < ceasefire * 0.2);
    assert_eq!(
        v["fan"].as_array().unwrap().len(),
        v["trading_days"].as_u64().unwrap() as usize
    );
    assert!(v["es_5_pct"].as_f64() >= v["var_5_pct"].as_f64());
}

#[test]
fn bad_scenario_files_are_named_errors() {
    let ctx = TestContext::new();
    let bad = ctx.write(
        "bad.toml",
        "title = \"t\"\nas_of = \"2025-02-18\"\nhorizon = \"2025-06-30\"\ntargets = [3000.0]\n[[scenario]]\nid = \"a\"\nprobability = 0.5\nrequires = [\"nope\"]\n",
    );
    let run = ctx.run(&["scenario", "check", &bad]).fails();
    assert!(
        run.stderr
            .contains("scenario \"a\": field \"requires\": unknown scenario \"nope\""),
        "{}",
        run.stderr
    );
    let analog = ctx.write(
        "analog.toml",
        "title = \"t\"\nas_of = \"2025-02-18\"\nhorizon = \"2025-03-31\"\ntargets = [3000.0]\n[[scenario]]\nid = \"a\"\nprobability = 0.5\nshock = { analogs = \"skirmish\" }\n",
    );
    let run = ctx
        .run(&["scenario", "run", &analog, "--paths", "100"])
        .fails();
    assert!(run.stderr.contains("skirmish"), "{}", run.stderr);
}

#[test]
fn runs_are_recorded_and_shown() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "scenario",
            "run",
            &example(),
            "--paths",
            "500",
            "--seed",
            "3",
            "--no-contributions",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ctx.run(&["runs", "list", "--format", "json"]).ok().stdout).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["seed"], 3);
    assert_eq!(list[0]["data_fingerprint"], v["data_fingerprint"]);
    let id = list[0]["id"].as_i64().unwrap().to_string();
    let shown: serde_json::Value =
        serde_json::from_str(&ctx.run(&["runs", "show", &id]).ok().stdout).unwrap();
    assert_eq!(shown["results"]["targets"], v["targets"]);
    assert!(shown["input"].as_str().unwrap().contains("us-nato-exit"));
    assert!(
        ctx.run(&["runs", "show", "99"])
            .fails()
            .stderr
            .contains("no run 99")
    );
}

/// `scenario check` finds what `run` would trip on: an unknown series.
#[test]
fn check_finds_an_unknown_series() {
    let ctx = crate::util::TestContext::new();
    let text = fs_err::read_to_string("../../examples/us-nato-exit-2025-02-18.toml")
        .unwrap()
        .replacen("\"gold-usd-lbma-pm\"", "\"no-such-series\"", 1);
    let file = ctx.write("s.toml", &text);
    let run = ctx.run(&["scenario", "check", &file]).fails();
    assert!(
        run.stderr.contains("unknown series \"no-such-series\""),
        "{}",
        run.stderr
    );
}
