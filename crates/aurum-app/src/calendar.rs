//! The dates to watch: the scheduled events (policy meetings, summits, elections) that fall
//! within a scenario file's horizon, as they were known on its as-of date.

use aurum_events::{Scheduled, bundled_scheduled, scheduled_between};
use aurum_sim::ScenarioFile;

use crate::{AppError, AppResult};

/// The bundled scheduled events within (`as_of`, `horizon`] of `f`, announced by its
/// `as_of`, in date order. An event under way on `as_of` whose last day is later is kept
/// (an FOMC meeting that began that day still has its decision ahead).
///
/// # Errors
///
/// [`AppError::Internal`] only if the bundled calendar is broken, which the tests rule out.
pub fn scheduled(f: &ScenarioFile) -> AppResult<Vec<Scheduled>> {
    let events = bundled_scheduled().map_err(AppError::internal)?;
    Ok(scheduled_between(&events, f.as_of, f.horizon, f.as_of)
        .into_iter()
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    #[test]
    fn the_example_shows_what_was_scheduled_on_its_day() {
        let f = crate::scenario::example().unwrap().file;
        assert_eq!((f.as_of, f.horizon), (date(2025, 2, 18), date(2025, 6, 30)));
        let out = scheduled(&f).unwrap();
        let has = |id: &str| out.iter().any(|e| e.id == id);
        for id in [
            "2025-03-18-fomc",
            "2025-05-06-fomc",
            "2025-06-17-fomc",
            "2025-06-24-nato-summit-the-hague",
            "2025-06-15-g7-summit-kananaskis",
            "2025-03-20-european-council",
            "2025-06-26-european-council",
            "2025-03-18-boj",
            "2025-02-23-germany-federal-election",
        ] {
            assert!(has(id), "{id} missing");
        }
        // Called or announced after 18 February 2025: not yet on that day's calendar.
        for id in [
            "2025-03-06-special-european-council",
            "2025-04-28-canada-federal-election",
            "2025-05-03-australia-federal-election",
            "2025-06-03-south-korea-presidential-election",
        ] {
            assert!(!has(id), "{id} was announced after as_of");
        }
        assert!(
            out.iter()
                .all(|e| e.end.unwrap_or(e.date) > f.as_of && e.date <= f.horizon),
            "{out:?}"
        );
        assert!(out.windows(2).all(|w| w[0].date <= w[1].date));

        let hague = out
            .iter()
            .find(|e| e.id == "2025-06-24-nato-summit-the-hague")
            .unwrap();
        assert_eq!(hague.end, Some(date(2025, 6, 25)));
        assert_eq!(hague.title_ja, "NATO首脳会議（ハーグ）");
        let json = serde_json::to_value(hague).unwrap();
        assert_eq!(json["date"], "2025-06-24");
        assert_eq!(json["end"], "2025-06-25");
        assert_eq!(json["kind"], "nato-summit");
        assert_eq!(json["region"], "europe");
    }

    #[test]
    fn a_later_as_of_adds_what_was_announced_since() {
        let mut f = crate::scenario::example().unwrap().file;
        f.set_as_of(date(2025, 4, 10)).unwrap();
        let out = scheduled(&f).unwrap();
        let ids: Vec<&str> = out.iter().map(|e| e.id.as_str()).collect();
        assert!(
            ids.contains(&"2025-04-28-canada-federal-election"),
            "{ids:?}"
        );
        assert!(ids.contains(&"2025-06-03-south-korea-presidential-election"));
        assert!(!ids.contains(&"2025-03-18-fomc"), "already past");
    }
}
