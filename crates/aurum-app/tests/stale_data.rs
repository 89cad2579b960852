//! A scenario dated after its series' last price is refused: its paths would start from an
//! old price as if it were the price on `as_of`.

use aurum_app::scenario::{ScenarioRun, run};
use aurum_app::{FieldStyle, Home, Silent};

fn request(as_of: &str) -> ScenarioRun {
    ScenarioRun {
        name: "late.toml".to_owned(),
        text: format!(
            "title = \"t\"\nas_of = \"{as_of}\"\nhorizon = \"2025-12-31\"\ntargets = [3000.0]\n\
             [baseline]\nmodel = \"gbm\"\nvol_pct = 15.0\n"
        ),
        as_of: None,
        paths: 1000,
        seed: 1,
        contributions: false,
        filing: aurum_app::calls::Filing::default(),
    }
}

#[test]
fn a_scenario_dated_after_the_data_is_refused_and_one_on_a_long_weekend_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = Home::new(dir.path()).open_and_seed(&Silent).unwrap();
    // The bundled LBMA prices end on Tuesday 18 February 2025.
    let err = run(&mut store, &request("2025-06-01"), &Silent).unwrap_err();
    assert_eq!(err.field(), Some("as_of"));
    let msg = err.render(FieldStyle::Name);
    assert!(
        msg.contains(
            "as_of 2025-06-01 is 103 days after gold-usd-lbma-pm's last price (2025-02-18)"
        ),
        "{msg}"
    );
    // Four days after the last price (a long weekend's gap) is still today's price.
    assert!(run(&mut store, &request("2025-02-22"), &Silent).is_ok());
    assert!(run(&mut store, &request("2025-02-26"), &Silent).is_err());
}
