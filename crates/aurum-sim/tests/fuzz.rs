//! Property tests: whatever a scenario file says, parsing gives a file or an error, never a
//! panic, and a parsed file respects the limits. A fixed number of cases runs with every
//! `cargo test`; set `PROPTEST_CASES` for longer runs.

use aurum_sim::{ANALOG_CATEGORIES, MAX_SCENARIOS, MAX_TARGETS, parse};
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../../../examples/us-nato-exit-2025-02-18.toml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenario_files_never_panic(edits in prop::collection::vec((0usize..20_000, 0u8..3, 32u8..127), 0..16)) {
        let mut b = EXAMPLE.as_bytes().to_vec();
        for (at, op, byte) in edits {
            let i = at % (b.len() + 1);
            match op {
                0 if i < b.len() => b[i] = byte,
                1 => b.insert(i, byte),
                _ if i < b.len() => { b.remove(i); }
                _ => {}
            }
        }
        let text = String::from_utf8_lossy(&b);
        if let Ok(f) = parse("s.toml", &text) {
            prop_assert!(f.horizon > f.as_of);
            prop_assert!(f.targets.len() <= MAX_TARGETS && f.scenarios.len() <= MAX_SCENARIOS);
            for s in &f.scenarios {
                prop_assert!((0.0..=1.0).contains(&s.probability));
                // A reference class, where there is one, is an event category.
                if let Some(c) = f.reference_class(s) {
                    prop_assert!(ANALOG_CATEGORIES.contains(&c), "{c:?}");
                }
            }
        }
    }

    #[test]
    fn base_rates_are_event_categories_or_named_errors(name in prop_oneof![
        prop::sample::select(ANALOG_CATEGORIES.to_vec()).prop_map(str::to_owned),
        "[ -~]{0,30}",
    ]) {
        let quoted = toml::Value::String(name.clone()).to_string();
        let text = EXAMPLE.replacen("probability = 0.04", &format!("probability = 0.04\nbase_rate = {quoted}"), 1);
        match parse("s.toml", &text) {
            Ok(f) => {
                prop_assert!(ANALOG_CATEGORIES.contains(&name.as_str()));
                let s = f.scenarios.iter().find(|s| s.id == "east-asia-proliferation").unwrap();
                prop_assert_eq!(f.reference_class(s), Some(name.as_str()));
            }
            Err(e) => {
                prop_assert!(!ANALOG_CATEGORIES.contains(&name.as_str()));
                prop_assert!(e.to_string().contains("field \"base_rate\""), "{e}");
            }
        }
    }

    #[test]
    fn numbers_anywhere_are_checked(v in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1e300), Just(1e300), any::<f64>()]) {
        // TOML spells NaN and infinity `nan` and `inf`.
        let spelled = match v {
            x if x.is_nan() => "nan".to_owned(),
            x if x.is_infinite() => if x > 0.0 { "inf".to_owned() } else { "-inf".to_owned() },
            x => format!("{x:?}"),
        };
        let text = EXAMPLE.replacen("probability = 0.45", &format!("probability = {spelled}"), 1);
        if let Ok(f) = parse("s.toml", &text) {
            prop_assert!(f.scenarios.iter().all(|s| (0.0..=1.0).contains(&s.probability)));
        }
    }
}
