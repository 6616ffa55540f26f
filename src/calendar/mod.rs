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

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

pub use days::{add_months, months_beginning_with, Calendar};

use crate::db::cache::SharedCache;

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

/// This instance's copy of the calendar, reloaded when any instance changes
/// it (see [`SharedCache`]).
pub type CalendarCache = SharedCache<Calendar>;

/// A new, empty calendar cache.
pub fn calendar_cache() -> CalendarCache {
    SharedCache::new("calendar", model::revision, |conn| {
        Ok(Calendar::new(model::all_dates(conn)?))
    })
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
