//! [`Window`]: the dates an analysis covers and the day whose knowledge it uses.

use aurum_core::Date;
use aurum_store::BarQuery;
use serde::{Deserialize, Serialize};

use crate::{AppError, AppResult};

/// A date range and an as-of date: data dated from `from` to `to`, as known at the end of
/// `as_of` (later dates and later revisions are out). Each bound is optional.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// First date, inclusive.
    pub from: Option<Date>,
    /// Last date, inclusive.
    pub to: Option<Date>,
    /// Use only what was known at the end of this day.
    pub as_of: Option<Date>,
}

impl Window {
    /// Everything known at the end of `as_of`.
    #[must_use]
    pub fn as_of(as_of: Option<Date>) -> Self {
        Self {
            from: None,
            to: None,
            as_of,
        }
    }

    /// The window, checked: `from` must not be after `to`.
    ///
    /// # Errors
    ///
    /// [`AppError::BadInput`] naming `from`.
    pub fn checked(self) -> AppResult<Self> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(AppError::bad(
                "from",
                format!("`from` {f} is after `to` {t}"),
            ));
        }
        Ok(self)
    }

    /// The store query of this window. Dates past 9999-12-31 (which the store's ISO dates
    /// cannot order) mean "everything", as that day does.
    #[must_use]
    pub fn query(&self) -> BarQuery {
        let last = aurum_core::date(9999, 12, 31);
        let clamp = |d: Option<Date>| d.map(|d| d.min(last));
        BarQuery {
            from: clamp(self.from),
            to: clamp(self.to),
            as_of: clamp(self.as_of),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_dates_are_the_end_of_the_store() {
        let far: Date = "+262142-12-31".parse().unwrap();
        let q = Window::as_of(Some(far)).query();
        assert_eq!(q.as_of, Some(aurum_core::date(9999, 12, 31)));
        let w = Window {
            from: Some(aurum_core::date(2025, 2, 1)),
            to: Some(aurum_core::date(2025, 1, 1)),
            as_of: None,
        };
        assert!(w.checked().is_err());
    }
}
