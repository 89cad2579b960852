//! `aurum events` and `aurum study`.

use crate::util::{TestContext, json_rows};

fn events(ctx: &TestContext, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["events", "list", "--format", "json"];
    args.extend_from_slice(extra);
    json_rows(&ctx.run(&args).ok())
}

#[test]
fn catalog_has_the_reference_events_and_every_category() {
    let ctx = TestContext::new();
    let all = events(&ctx, &[]);
    assert!(all.len() >= 200, "{} events", all.len());
    let on = |date: &str| all.iter().filter(|e| e["date"] == date).count();
    for d in [
        "2025-02-12",
        "2025-02-14",
        "2025-02-18",
        "2022-02-24",
        "2001-09-11",
        "1990-08-02",
        "1973-10-17",
        "2023-10-07",
    ] {
        assert!(on(d) >= 1, "no event on {d}");
    }
    for c in [
        "war-outbreak",
        "escalation",
        "ceasefire-peace",
        "alliance",
        "nuclear",
        "terrorism",
        "sanctions-trade",
        "coup-regime-change",
        "territorial",
        "energy-shock",
        "us-policy-shift",
    ] {
        assert!(
            all.iter().filter(|e| e["category"] == c).count() >= 10,
            "category {c}"
        );
    }
    let first = all.first().unwrap()["date"].as_str().unwrap().to_owned();
    let last = all.last().unwrap()["date"].as_str().unwrap().to_owned();
    assert!(
        first.as_str() >= "1968-01-01" && last.as_str() <= "2025-02-18",
        "{first} .. {last}"
    );
}

#[test]
fn filters_and_as_of() {
    let ctx = TestContext::new();
    let nuclear = events(
        &ctx,
        &[
            "--category",
            "nuclear",
            "--from",
            "2006-01-01",
            "--to",
            "2017-12-31",
        ],
    );
    assert!(nuclear.iter().all(|e| e["category"] == "nuclear"));
    assert!(nuclear.iter().any(|e| e["date"] == "2006-10-09"));
    let as_of = events(&ctx, &["--as-of", "2025-02-13"]);
    assert!(
        as_of
            .iter()
            .all(|e| e["date"].as_str().unwrap() <= "2025-02-13")
    );
    assert!(as_of.iter().any(|e| e["date"] == "2025-02-12"));
}

#[test]
fn user_events_are_added_listed_and_removed() {
    let ctx = TestContext::new();
    ctx.run(&[
        "events",
        "add",
        "--date",
        "2025-03-03",
        "--title-en",
        "Test summit ends in discord",
        "--title-ja",
        "首脳会談が物別れ",
        "--category",
        "alliance",
        "--region",
        "europe",
        "--actors",
        "US,UA",
        "--scheduled",
        "--source",
        "Test source",
    ])
    .ok();
    let user = events(&ctx, &["--origin", "user"]);
    assert_eq!(user.len(), 1);
    assert_eq!(user[0]["id"], "2025-03-03-test-summit-ends-in-discord");
    assert_eq!(user[0]["surprise"], false);
    assert_eq!(user[0]["actors"], serde_json::json!(["US", "UA"]));
    // Same id again: refused.
    let again = ctx
        .run(&[
            "events",
            "add",
            "--date",
            "2025-03-03",
            "--title-en",
            "Test summit ends in discord",
            "--title-ja",
            "x",
            "--category",
            "alliance",
            "--region",
            "europe",
            "--source",
            "s",
        ])
        .fails();
    assert!(
        again
            .stderr
            .contains("already used by an event already in the store"),
        "{}",
        again.stderr
    );
    // An announcement must be a local time with its offset, on the event's day or the evening
    // before.
    for bad in ["garbage", "2025-03-04 14:00", "2025-02-25T10:00+00:00"] {
        let run = ctx
            .run(&[
                "events",
                "add",
                "--date",
                "2025-03-04",
                "--title-en",
                "Announced",
                "--title-ja",
                "発表",
                "--category",
                "alliance",
                "--region",
                "europe",
                "--source",
                "s",
                "--announced",
                bad,
            ])
            .usage();
        assert!(
            run.stderr.contains("--announced") && run.stderr.contains("UTC offset on 2025-03-04"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(events(&ctx, &["--origin", "user"]).len(), 1);
    // A bundled id cannot be taken or removed.
    let bundled_id = events(&ctx, &["--origin", "bundled"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let clash = ctx
        .run(&[
            "events",
            "add",
            "--id",
            &bundled_id,
            "--date",
            "2025-03-03",
            "--title-en",
            "x",
            "--title-ja",
            "x",
            "--category",
            "alliance",
            "--region",
            "europe",
            "--source",
            "s",
        ])
        .fails();
    assert!(clash.stderr.contains("a bundled event"), "{}", clash.stderr);
    assert!(
        ctx.run(&["events", "remove", &bundled_id])
            .fails()
            .stderr
            .contains("cannot be removed")
    );
    // The user's events, listed as CSV, import back after removal: the listing is a backup.
    let listed = ctx
        .run(&["events", "list", "--origin", "user", "--format", "csv"])
        .ok()
        .stdout;
    let backup = ctx.write("mine.csv", &listed);
    ctx.run(&["events", "remove", "2025-03-03-test-summit-ends-in-discord"])
        .ok();
    assert!(events(&ctx, &["--origin", "user"]).is_empty());
    ctx.run(&["events", "import", &backup]).ok();
    assert_eq!(events(&ctx, &["--origin", "user"]), user);
    // A listing with bundled events in it is refused on the first bundled row, and nothing
    // of it is added.
    let all = ctx.run(&["events", "list", "--format", "csv"]).ok().stdout;
    let all = ctx.write("all.csv", &all);
    let run = ctx.run(&["events", "import", &all]).fails();
    assert!(
        run.stderr.contains("field \"origin\": expected user"),
        "{}",
        run.stderr
    );
    assert_eq!(events(&ctx, &["--origin", "user"]), user);
}

#[test]
fn event_files_are_imported_whole_or_not_at_all() {
    let ctx = TestContext::new();
    ctx.run(&["init"]).ok();
    let good = "[[event]]\nid = \"2025-03-01-a\"\ndate = \"2025-03-01\"\ntitle_en = \"A\"\ntitle_ja = \"エー\"\ncategory = \"escalation\"\nregion = \"europe\"\nactors = [\"UA\"]\nsurprise = true\nsource = \"S\"\n";
    let bad = format!(
        "{good}\n{}",
        good.replace("2025-03-01-a", "2025-03-02-b")
            .replace("escalation", "skirmish")
    );
    let path = ctx.write("bad.toml", &bad);
    let run = ctx.run(&["events", "import", &path]).fails();
    assert!(
        run.stderr.contains(&format!(
            "{path}:12: event \"2025-03-02-b\": field \"category\""
        )),
        "{}",
        run.stderr
    );
    assert_eq!(ctx.counts().events, 0);
    let path = ctx.write("good.toml", good);
    ctx.run(&["events", "import", &path]).ok();
    assert_eq!(ctx.counts().events, 1);
    // Importing it again clashes with the stored event, on the event's line.
    let run = ctx.run(&["events", "import", &path]).fails();
    assert!(
        run.stderr.contains(&format!(
            "{path}:1: event id \"2025-03-01-a\" is already used by an event already in the store"
        )),
        "{}",
        run.stderr
    );
    let csv = ctx.write(
        "e.csv",
        "id,date,title_en,title_ja,category,region,actors,surprise,source\n2025-03-05-c,2025-03-05,C,シー,nuclear,east-asia,KP,true,S\n2025-03-06-d,2025-03-06,D,ディー,nuclear,east-asia,KP,sometimes,S\n",
    );
    let run = ctx.run(&["events", "import", &csv]).fails();
    assert!(
        run.stderr
            .contains(":3: event \"2025-03-06-d\": field \"surprise\""),
        "{}",
        run.stderr
    );
    assert_eq!(ctx.counts().events, 1);
}

/// A misspelt key in an event file is named as the file writes it, not as a flag.
#[test]
fn unknown_keys_in_event_files_are_named_as_the_file_writes_them() {
    let ctx = TestContext::new();
    let path = ctx.write(
        "typo.toml",
        "[[event]]\nid = \"2025-01-01-x\"\ndat = \"2025-01-01\"\n",
    );
    let run = ctx.run(&["events", "import", &path]).fails();
    assert!(
        run.stderr
            .contains("typo.toml:3: unknown field \"dat\", expected one of id, date, title_en, "),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("--"), "{}", run.stderr);
}

#[test]
fn study_reports_cars_and_every_statistic() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&[
            "study",
            "--category",
            "war-outbreak",
            "--window=-1,5",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let g = &v["groups"][0];
    assert_eq!(g["name"], "war-outbreak");
    let n = g["events"].as_array().unwrap().len();
    assert!(n >= 10, "{n} war-outbreak events measured");
    assert!(g["events"][0]["car"].is_f64());
    for key in [
        "caar", "t_cs", "p_cs", "patell_z", "bmp_t", "kp_t", "rank_z", "sign_z", "p_sign",
    ] {
        assert!(g["aggregate"][key].is_f64(), "{key}");
    }
    assert_eq!(g["aggregate"]["n"].as_u64().unwrap() as usize, n);
    // With the market model the same events get a benchmark.
    let run = ctx
        .run(&[
            "study",
            "--category",
            "nuclear",
            "--model",
            "market",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["benchmarks"], serde_json::json!(["dxy"]));
    assert_eq!(
        v["groups"][0]["events"][0]["theta"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn study_respects_as_of_and_reports_bad_requests() {
    let ctx = TestContext::new();
    // As of the day after the invasion, its event window [-1, 5] is not over: no price after
    // 2022-02-25 may be used, so the event is skipped, and says why.
    let run = ctx
        .run(&[
            "study",
            "--events",
            "2022-02-24-russia-invades-ukraine",
            "--as-of",
            "2022-02-25",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(v["groups"][0]["events"].as_array().unwrap().is_empty());
    let reason = v["groups"][0]["skipped"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("past the last calendar date (2022-02-25)"),
        "{reason}"
    );
    // An event dated after --as-of is not known at all.
    let run = ctx
        .run(&[
            "study",
            "--events",
            "2023-10-07-hamas-attack-on-israel",
            "--as-of",
            "2022-12-31",
        ])
        .fails();
    assert!(
        run.stderr
            .contains("unknown event id(s) 2023-10-07-hamas-attack-on-israel"),
        "{}",
        run.stderr
    );
    let run = ctx
        .run(&[
            "study",
            "--category",
            "alliance",
            "--as-of",
            "2025-02-14",
            "--format",
            "json",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for e in v["groups"][0]["events"].as_array().unwrap() {
        assert!(e["event_date"].as_str().unwrap() <= "2025-02-14");
    }
    let run = ctx.run(&["study", "--window=5,1"]).usage();
    assert_eq!(
        run.stderr,
        "error: --window \"5,1\": expected two days like -1,5\n"
    );
    let run = ctx.run(&["study", "--window=-20,5"]).usage();
    assert!(
        run.stderr
            .contains("--estimation \"-250,-11\": expected to end before --window \"-20,5\""),
        "{}",
        run.stderr
    );
    let run = ctx.run(&["study", "--benchmark", "dxy"]).usage();
    assert!(
        run.stderr
            .contains("--benchmark needs --model market or factor"),
        "{}",
        run.stderr
    );
}

#[test]
fn caar_plot_draws_one_path_per_category() {
    let ctx = TestContext::new();
    let out = ctx.path("caar.svg");
    ctx.run(&[
        "study",
        "--category",
        "war-outbreak,nuclear,alliance",
        "--plot",
        &out.display().to_string(),
    ])
    .ok();
    let svg = fs_err::read_to_string(&out).unwrap();
    assert_eq!(svg.matches("class=\"series\"").count(), 3);
    assert_eq!(svg.matches("class=\"band\"").count(), 3);
}

/// `aurum study --category C --window -1,5 --format json` against the numpy/scipy reference
/// computed on the same catalog (`scripts/reference/event_study.py`, cases `catalog_*`).
/// Tolerance 1e-9 relative, for the reasons given in aurum-eventstudy's reference test.
#[test]
fn study_by_category_matches_the_python_reference() {
    let fixture = crate::util::reference("aurum-eventstudy/tests/fixtures/event_study.json");
    let close = |what: &str, got: &serde_json::Value, want: &serde_json::Value| {
        let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1e-6),
            "{what}: aurum {g:e}, reference {w:e}"
        );
    };
    let ctx = TestContext::new();
    for category in ["war-outbreak", "nuclear", "alliance"] {
        let case = fixture["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == format!("catalog_{category}"))
            .unwrap();
        let run = ctx
            .run(&[
                "study",
                "--category",
                category,
                "--window",
                "-1,5",
                "--format",
                "json",
            ])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let g = &v["groups"][0];
        let ours = g["events"].as_array().unwrap();
        let theirs = case["results"].as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{category}: events measured");
        for (o, t) in ours.iter().zip(theirs) {
            assert_eq!(o["id"], t["id"], "{category}");
            assert_eq!(o["day0"], t["day0"], "{category} {}", t["id"]);
            for key in ["car", "scar", "var_car", "sigma2"] {
                close(&format!("{category} {} {key}", t["id"]), &o[key], &t[key]);
            }
        }
        let skipped: Vec<&serde_json::Value> = g["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["id"])
            .collect();
        let want: Vec<&serde_json::Value> = case["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["id"])
            .collect();
        assert_eq!(skipped, want, "{category}: skipped");
        for key in [
            "caar", "t_cs", "p_cs", "patell_z", "p_patell", "bmp_t", "p_bmp", "kp_rbar", "kp_t",
            "p_kp", "rank_z", "p_rank", "sign_z", "p_sign",
        ] {
            close(
                &format!("{category} {key}"),
                &g["aggregate"][key],
                &case["aggregate"][key],
            );
        }
    }
}
