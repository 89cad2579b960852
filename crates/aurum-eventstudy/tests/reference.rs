//! aurum's event study against the independent numpy/scipy implementation
//! (`scripts/reference/event_study.py`, fixture `tests/fixtures/event_study.json`).
//!
//! Tolerance: 1e-9 relative. Both sides parse the same decimal prices exactly and use the
//! same libm `ln`; what differs is the order of floating-point sums and the OLS solver
//! (normal equations here, least squares there), worth about 1e-13 relative on these
//! well-conditioned problems. The smallest compared values are about 1e-6, so an absolute
//! floor of 1e-15 only matters for exact zeros.

use aurum_core::Date;
use aurum_eventstudy::{
    Benchmark, Calendar, Design, EventSpec, Model, OverlapPolicy, Transform, study,
};
use serde_json::Value;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn column(file: &str, column: &str) -> Vec<(Date, f64)> {
    let text = fs_err::read_to_string(root().join(file)).expect("data file");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c = header.iter().position(|h| *h == column).expect("column");
    lines
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let v = f.get(c).filter(|s| !s.is_empty())?;
            Some((f[0].parse().unwrap(), v.parse().unwrap()))
        })
        .collect()
}

/// A benchmark's name, levels and transform, as the fixture describes it.
type BenchmarkLevels = (String, Vec<(Date, f64)>, Transform);

#[track_caller]
fn close(what: &str, got: f64, want: &Value) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: fixture value {want}"));
    let tol = 1e-9 * want.abs().max(1e-6);
    assert!(
        (got - want).abs() <= tol,
        "{what}: aurum {got:e}, reference {want:e}"
    );
}

#[track_caller]
fn close_all(what: &str, got: &[f64], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        close(&format!("{what}[{i}]"), *g, w);
    }
}

fn pair(v: &Value) -> (i32, i32) {
    (v[0].as_i64().unwrap() as i32, v[1].as_i64().unwrap() as i32)
}

#[test]
fn every_case_matches_the_reference() {
    let fixture: Value = serde_json::from_str(
        &fs_err::read_to_string(
            root().join("crates/aurum-eventstudy/tests/fixtures/event_study.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let series: Vec<(Date, f64)> = if case["series"]["file"].is_null() {
            let s = &case["synthetic"];
            s["dates"]
                .as_array()
                .unwrap()
                .iter()
                .zip(s["close"].as_array().unwrap())
                .map(|(d, c)| (d.as_str().unwrap().parse().unwrap(), c.as_f64().unwrap()))
                .collect()
        } else {
            column(
                case["series"]["file"].as_str().unwrap(),
                case["series"]["column"].as_str().unwrap(),
            )
        };
        let levels: Vec<BenchmarkLevels> = case["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let col = b["column"].as_str().unwrap();
                let t = if b["kind"] == "diff" {
                    Transform::Difference
                } else {
                    Transform::LogReturn
                };
                (col.to_owned(), column(b["file"].as_str().unwrap(), col), t)
            })
            .collect();
        let benchmarks: Vec<Benchmark<'_>> = levels
            .iter()
            .map(|(n, l, t)| Benchmark {
                name: n.clone(),
                levels: l,
                transform: *t,
            })
            .collect();
        let cal = Calendar::new(&series, &benchmarks).unwrap();
        let model: Model = case["model"].as_str().unwrap().parse().unwrap();
        let design = Design::new(pair(&case["window"]), pair(&case["estimation"])).unwrap();
        let events: Vec<EventSpec> = case["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| EventSpec {
                id: d.as_str().unwrap().to_owned(),
                date: d.as_str().unwrap().parse().unwrap(),
            })
            .collect();
        let s = study(&cal, model, &design, &events, OverlapPolicy::Flag).unwrap();

        let skipped: Vec<&str> = case["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["event_date"].as_str().unwrap())
            .collect();
        let ours: Vec<String> = s.skipped.iter().map(|k| k.event_date.to_string()).collect();
        assert_eq!(ours, skipped, "{name}: skipped events");

        let results = case["results"].as_array().unwrap();
        assert_eq!(s.events.len(), results.len(), "{name}: measured events");
        for (e, r) in s.events.iter().zip(results) {
            let w = format!("{name} {}", e.event_date);
            assert_eq!(
                e.event_date.to_string(),
                r["event_date"].as_str().unwrap(),
                "{w}"
            );
            assert_eq!(
                e.day0.to_string(),
                r["day0"].as_str().unwrap(),
                "{w}: day 0"
            );
            assert_eq!(e.moved, r["moved"].as_bool().unwrap(), "{w}: moved");
            assert_eq!(e.df as u64, r["df"].as_u64().unwrap(), "{w}: df");
            close_all(&format!("{w} theta"), &e.theta, &r["theta"]);
            close(&format!("{w} sigma2"), e.sigma2, &r["sigma2"]);
            close_all(&format!("{w} ar"), &e.ar, &r["ar"]);
            close_all(&format!("{w} sar"), &e.sar, &r["sar"]);
            close(&format!("{w} car"), e.car, &r["car"]);
            close(&format!("{w} var_car"), e.var_car, &r["var_car"]);
            close(&format!("{w} scar"), e.scar, &r["scar"]);
        }

        let a = s.aggregate.as_ref().expect("aggregate");
        let r = &case["aggregate"];
        assert_eq!(a.n as u64, r["n"].as_u64().unwrap(), "{name}: n");
        assert_eq!(
            a.sign_w as u64,
            r["sign_w"].as_u64().unwrap(),
            "{name}: sign w"
        );
        close_all(&format!("{name} aar"), &a.aar, &r["aar"]);
        close_all(&format!("{name} caar_path"), &a.caar_path, &r["caar_path"]);
        for (key, got) in [
            ("caar", a.caar),
            ("t_cs", a.t_cs),
            ("p_cs", a.p_cs),
            ("patell_z", a.patell_z),
            ("p_patell", a.p_patell),
            ("bmp_t", a.bmp_t),
            ("p_bmp", a.p_bmp),
            ("kp_rbar", a.kp_rbar),
            ("kp_t", a.kp_t),
            ("p_kp", a.p_kp),
            ("rank_z", a.rank_z),
            ("p_rank", a.p_rank),
            ("sign_p_hat", a.sign_p_hat),
            ("sign_z", a.sign_z),
            ("p_sign", a.p_sign),
        ] {
            close(&format!("{name} {key}"), got, &r[key]);
        }
    }
}
