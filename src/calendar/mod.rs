//! The calendar: working days, bank holidays and the UK date.
//!
//! - [`days`]: working-day and calendar-month arithmetic;
//! - [`holidays`]: the England and Wales bank holidays shipped for 2018–2030
//!   (also seeded by the second migration);
//! - [`govuk`]: the GOV.UK `bank-holidays.json` format;
//! - [`model`] and [`api`]: the holidays in the database and `/calendar/holidays`;
//! - [`CalendarCache`]: each instance's copy of the calendar, reloaded when
//!   any instance changes it.

pub mod api;
pub mod days;
pub mod govuk;
pub mod holidays;
pub mod model;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

pub use days::{add_months, Calendar};

use crate::db::Db;
use crate::error::ApiError;

/// The date in the United Kingdom at `instant` (GMT, or BST from 01:00 UTC on
/// the last Sunday of March to 01:00 UTC on the last Sunday of October).
pub fn uk_date(instant: DateTime<Utc>) -> NaiveDate {
    let year = instant.year();
    let last_sunday = |month: u32| {
        let last = days::add_months(
            NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default(),
            1,
        )
        .pred_opt()
        .unwrap_or_default();
        let back = last.weekday().num_days_from_sunday();
        last - chrono::Duration::days(i64::from(back))
    };
    let at_one =
        |date: NaiveDate| Utc.from_utc_datetime(&date.and_hms_opt(1, 0, 0).unwrap_or_default());
    let summer = instant >= at_one(last_sunday(3)) && instant < at_one(last_sunday(10));
    let offset = if summer {
        chrono::Duration::hours(1)
    } else {
        chrono::Duration::zero()
    };
    (instant + offset).date_naive()
}

/// Today in the United Kingdom, by the system clock. Read it in one place
/// per request (the [`Today`] extractor) and once per command.
pub fn uk_today() -> NaiveDate {
    uk_date(Utc::now())
}

/// The date a request is answered on: the UK date when the request arrived
/// (or `REDRESS_TODAY`, for demos and tests), taken once so that one request
/// never sees two different days across midnight. Handlers receive it as an
/// extractor and pass it down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Today(pub NaiveDate);

/// How long a cached calendar is trusted before its revision is checked.
const RECHECK_AFTER: Duration = Duration::from_secs(1);

struct Cached {
    calendar: Arc<Calendar>,
    revision: i64,
    checked: Option<Instant>,
}

/// This instance's copy of the calendar. A change made through this instance
/// is seen at once; one made through another instance within a second (the
/// shared revision counter is checked at most once a second).
pub struct CalendarCache {
    cached: RwLock<Cached>,
}

impl Default for CalendarCache {
    fn default() -> Self {
        CalendarCache {
            cached: RwLock::new(Cached {
                calendar: Arc::new(Calendar::default()),
                revision: -1,
                checked: None,
            }),
        }
    }
}

impl CalendarCache {
    /// The current calendar.
    pub async fn current(&self, db: &Db) -> Result<Arc<Calendar>, ApiError> {
        if let Ok(cached) = self.cached.read() {
            if cached
                .checked
                .is_some_and(|at| at.elapsed() < RECHECK_AFTER)
            {
                return Ok(cached.calendar.clone());
            }
        }
        let known = self.cached.read().map(|c| c.revision).unwrap_or(-1);
        let (revision, holidays) = db
            .run(move |conn| {
                let revision = model::revision(conn)?;
                let holidays = if revision == known {
                    None
                } else {
                    Some(model::all_dates(conn)?)
                };
                Ok((revision, holidays))
            })
            .await?;
        let mut cached = self
            .cached
            .write()
            .map_err(|_| ApiError::internal("calendar cache poisoned"))?;
        if let Some(holidays) = holidays {
            cached.calendar = Arc::new(Calendar::new(holidays));
            cached.revision = revision;
        }
        cached.checked = Some(Instant::now());
        Ok(cached.calendar.clone())
    }

    /// Forget the cached calendar (after this instance changed it).
    pub fn invalidate(&self) {
        if let Ok(mut cached) = self.cached.write() {
            cached.checked = None;
            cached.revision = -1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn uk_dates_follow_british_summer_time() {
        // 2025: BST from 30 March 01:00 UTC to 26 October 01:00 UTC.
        assert_eq!(
            uk_date(at("2025-06-30T23:30:00Z")),
            NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()
        );
        assert_eq!(
            uk_date(at("2025-12-31T23:30:00Z")),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
        assert_eq!(
            uk_date(at("2025-03-30T00:59:00Z")),
            NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()
        );
        assert_eq!(
            uk_date(at("2025-03-29T23:30:00Z")),
            NaiveDate::from_ymd_opt(2025, 3, 29).unwrap()
        );
        assert_eq!(
            uk_date(at("2025-10-25T23:30:00Z")),
            NaiveDate::from_ymd_opt(2025, 10, 26).unwrap()
        );
        assert_eq!(
            uk_date(at("2025-10-26T23:30:00Z")),
            NaiveDate::from_ymd_opt(2025, 10, 26).unwrap()
        );
    }
}
