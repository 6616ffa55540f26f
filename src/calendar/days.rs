//! Working-day and calendar-month arithmetic.
//!
//! A working day is Monday to Friday except England and Wales bank holidays.
//! The day of receipt is day 0, and "N working days" is due on the N-th
//! working day after it. Calendar months add months and clamp to the month's
//! end (received 30 November, 3 months: due 28 February, or 29 February in a
//! leap year).
//!
//! Everything here is pure and total: no function panics on any valid
//! [`NaiveDate`]; results that would fall after chrono's last representable
//! date saturate to [`NaiveDate::MAX`].

use std::collections::BTreeSet;
use std::ops::Bound;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// A working-day calendar: Monday to Friday except the given bank holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// The bank holidays, sorted and without duplicates. A date that falls
    /// on a weekend may be present; it changes nothing, as weekends are never
    /// working days anyway.
    holidays: BTreeSet<NaiveDate>,
}

/// Whether `date` is Monday to Friday.
fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// How many Mondays to Fridays lie after `from` up to and including `to`
/// (0 when `to <= from`), counted arithmetically: whole weeks hold five
/// weekdays each, and at most six remaining days are looked at one by one.
fn weekdays_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let days = i64::from(to.num_days_from_ce()) - i64::from(from.num_days_from_ce());
    if days <= 0 {
        return 0;
    }
    let whole_weeks = days / 7;
    let start = i64::from(from.weekday().num_days_from_monday());
    // The last `days % 7` days continue the weekday cycle from `from`'s own.
    let remainder = (1..=days % 7)
        .filter(|offset| (start + offset) % 7 < 5)
        .count();
    whole_weeks * 5 + remainder as i64
}

impl Calendar {
    /// A calendar whose non-working weekdays are `holidays` (in any order;
    /// duplicates are ignored).
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        Calendar {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// The bank holidays this calendar was built from, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// Whether `date` is one of this calendar's bank holidays.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Whether `date` is a working day: Monday to Friday and not a bank
    /// holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        is_weekday(date) && !self.is_holiday(date)
    }

    /// How many bank holidays falling Monday to Friday lie after `from` up to
    /// and including `to` (0 when `to <= from`), by a range query on the
    /// sorted set.
    fn weekday_holidays_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        let count = self
            .holidays
            .range((Bound::Excluded(from), Bound::Included(to)))
            .filter(|date| is_weekday(**date))
            .count();
        count as i64
    }

    /// The day of receipt is day 0; "N working days" is due on the N-th
    /// working day after it.
    ///
    /// `n = 0` returns `from` unchanged. Works whatever day `from` is
    /// (weekend, holiday): a receipt on a Saturday or a bank holiday is still
    /// day 0, and the 1st working day is the next working day after it.
    /// Whole weeks are skipped arithmetically when `n` is large. Should the
    /// N-th working day fall after chrono's last representable date, the
    /// result saturates to [`NaiveDate::MAX`].
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut date = from;
        let mut remaining = i64::from(n);
        while remaining > 0 {
            if remaining > 5 {
                // Skip whole weeks, each worth five weekdays less any bank
                // holidays among them. Skipping at most `remaining - 1`
                // weekdays keeps the target strictly ahead of `date`, so a
                // jump that lands on a weekend or holiday never overshoots.
                let weeks = (remaining - 1) / 5;
                let Some(next) = date.checked_add_days(Days::new(7 * weeks.unsigned_abs())) else {
                    return NaiveDate::MAX;
                };
                remaining -= weeks * 5 - self.weekday_holidays_between(date, next);
                date = next;
            } else {
                let Some(next) = date.succ_opt() else {
                    return NaiveDate::MAX;
                };
                date = next;
                if self.is_working_day(date) {
                    remaining -= 1;
                }
            }
        }
        date
    }

    /// How many working days lie after `from` up to and including `to` (0
    /// when `to <= from`).
    ///
    /// So `add_working_days(d, n) == t` implies
    /// `working_days_between(d, t) == n` (short of [`NaiveDate::MAX`], where
    /// `add_working_days` saturates). Counts weekdays arithmetically and
    /// subtracts the weekday bank holidays in range (a range query on the
    /// sorted set), so a span of years costs little more than one of a day.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        weekdays_between(from, to) - self.weekday_holidays_between(from, to)
    }
}

/// Add calendar months, clamping to the month's end (30 Nov + 3 months =
/// 28 Feb, or 29 Feb in a leap year; 31 Aug + 6 months = 28/29 Feb).
///
/// `months = 0` returns `date` unchanged. A result after chrono's last
/// representable date saturates to [`NaiveDate::MAX`].
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The last day of a period of `months` calendar months *beginning with*
/// `date` (the Regulations' words: "six months beginning on the day on which
/// the complaint was received"). Such a period ends on the day before the
/// corresponding date `months` later, or, where that month has no
/// corresponding date, on its last day: 20 December 2024 + 6 months ends on
/// 19 June 2025; 31 August 2024 + 6 months ends on 28 February 2025; 30
/// November + 3 months ends on 28 February (29th in a leap year).
///
/// `months = 0` is an empty period: it ends the day before `date`.
pub fn months_beginning_with(date: NaiveDate, months: u32) -> NaiveDate {
    let clamped = add_months(date, months);
    if clamped == NaiveDate::MAX {
        return clamped;
    }
    if clamped.day() == date.day() {
        clamped.pred_opt().unwrap_or(NaiveDate::MIN)
    } else {
        // The later month has no corresponding date: its last day.
        clamped
    }
}

#[cfg(test)]
mod tests {
    use super::super::holidays;
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn shipped() -> Calendar {
        Calendar::new(holidays::shipped().into_iter().map(|(date, _)| date))
    }

    /// England and Wales by the standard rules only, as if none of the
    /// one-off changes of 2020 and 2022 had happened (2020-05-04 and
    /// 2022-05-30 are holidays; 2020-05-08, 2022-06-02, 2022-06-03 and
    /// 2022-09-19 are not).
    fn without_one_offs() -> Calendar {
        let moved = [
            d("2020-05-08"),
            d("2022-06-02"),
            d("2022-06-03"),
            d("2022-09-19"),
        ];
        Calendar::new(
            shipped()
                .holidays()
                .filter(|date| !moved.contains(date))
                .chain([d("2020-05-04"), d("2022-05-30")]),
        )
    }

    /// The obvious, slow definition: step one day at a time.
    fn slow_add(cal: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
        let mut date = from;
        let mut left = n;
        while left > 0 {
            date = date.succ_opt().unwrap();
            if cal.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// The obvious, slow definition: look at every day in the span.
    fn slow_between(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days()
            .skip(1)
            .take_while(|date| *date <= to)
            .filter(|date| cal.is_working_day(*date))
            .count() as i64
    }

    #[test]
    fn weekdays_and_weekends() {
        let cal = Calendar::default();
        assert!(cal.is_working_day(d("2024-06-07"))); // Friday
        assert!(!cal.is_working_day(d("2024-06-08"))); // Saturday
        assert!(!cal.is_working_day(d("2024-06-09"))); // Sunday
        assert!(cal.is_working_day(d("2024-06-10"))); // Monday
        assert!(!cal.is_holiday(d("2024-06-08")));
    }

    #[test]
    fn bank_holidays_are_not_working_days() {
        let cal = shipped();
        assert!(cal.is_holiday(d("2024-12-25")));
        assert!(!cal.is_working_day(d("2024-12-25")));
        assert!(!cal.is_working_day(d("2022-09-19")));
        assert!(cal.is_working_day(d("2024-12-24")));
        // Moved holidays: the days they were moved from are working days.
        assert!(!cal.is_holiday(d("2020-05-04")));
        assert!(cal.is_working_day(d("2020-05-04")));
        assert!(!cal.is_holiday(d("2022-05-30")));
        assert!(cal.is_working_day(d("2022-05-30")));
    }

    #[test]
    fn new_sorts_and_deduplicates() {
        let cal = Calendar::new([d("2025-12-26"), d("2025-01-01"), d("2025-12-26")]);
        let all: Vec<_> = cal.holidays().collect();
        assert_eq!(all, vec![d("2025-01-01"), d("2025-12-26")]);
        assert_eq!(cal, Calendar::new([d("2025-01-01"), d("2025-12-26")]));
    }

    #[test]
    fn zero_working_days_is_the_day_itself() {
        let cal = shipped();
        for s in [
            "2024-06-07",
            "2024-06-08",
            "2024-06-09",
            "2024-12-25",
            "2022-09-19",
        ] {
            assert_eq!(cal.add_working_days(d(s), 0), d(s), "{s}");
            assert_eq!(cal.working_days_between(d(s), d(s)), 0, "{s}");
        }
    }

    #[test]
    fn weekends_are_skipped() {
        let cal = Calendar::default();
        // Friday + 1 is Monday.
        assert_eq!(cal.add_working_days(d("2024-06-07"), 1), d("2024-06-10"));
        // Thursday + 2 is Monday.
        assert_eq!(cal.add_working_days(d("2024-06-06"), 2), d("2024-06-10"));
        // Monday + 5 is the next Monday.
        assert_eq!(cal.add_working_days(d("2024-06-03"), 5), d("2024-06-10"));
        // Friday + 5 is the next Friday; + 10 the Friday after.
        assert_eq!(cal.add_working_days(d("2024-06-07"), 5), d("2024-06-14"));
        assert_eq!(cal.add_working_days(d("2024-06-07"), 10), d("2024-06-21"));
        // Friday + 6 is the Monday after next.
        assert_eq!(cal.add_working_days(d("2024-06-07"), 6), d("2024-06-17"));
        // Receipt on Saturday or Sunday: the 1st working day is Monday, the
        // 5th is Friday (not the following Monday).
        assert_eq!(cal.add_working_days(d("2024-06-08"), 1), d("2024-06-10"));
        assert_eq!(cal.add_working_days(d("2024-06-09"), 1), d("2024-06-10"));
        assert_eq!(cal.add_working_days(d("2024-06-08"), 5), d("2024-06-14"));
        assert_eq!(cal.add_working_days(d("2024-06-08"), 6), d("2024-06-17"));
        assert_eq!(cal.add_working_days(d("2024-06-08"), 10), d("2024-06-21"));

        assert_eq!(
            cal.working_days_between(d("2024-06-07"), d("2024-06-08")),
            0
        );
        assert_eq!(
            cal.working_days_between(d("2024-06-07"), d("2024-06-09")),
            0
        );
        assert_eq!(
            cal.working_days_between(d("2024-06-07"), d("2024-06-10")),
            1
        );
        assert_eq!(
            cal.working_days_between(d("2024-06-08"), d("2024-06-09")),
            0
        );
        assert_eq!(
            cal.working_days_between(d("2024-06-08"), d("2024-06-10")),
            1
        );
        assert_eq!(
            cal.working_days_between(d("2024-06-03"), d("2024-06-10")),
            5
        );
        assert_eq!(
            cal.working_days_between(d("2024-06-03"), d("2024-06-09")),
            4
        );
        // 2024 has 262 weekdays; from 31 Dec 2023 (Sunday) to 31 Dec 2024.
        assert_eq!(
            cal.working_days_between(d("2023-12-31"), d("2024-12-31")),
            262
        );
    }

    #[test]
    fn backwards_spans_are_zero() {
        let cal = shipped();
        assert_eq!(
            cal.working_days_between(d("2024-06-10"), d("2024-06-07")),
            0
        );
        assert_eq!(
            cal.working_days_between(d("2030-01-01"), d("2018-01-01")),
            0
        );
    }

    #[test]
    fn christmas_and_new_year() {
        let cal = shipped();
        // Received Friday 20 Dec 2024. Working days after it: Mon 23 (1),
        // Tue 24 (2), [Wed 25 and Thu 26 holidays], Fri 27 (3), Mon 30 (4),
        // Tue 31 (5), [Wed 1 Jan holiday], Thu 2 (6), Fri 3 (7), Mon 6 (8),
        // Tue 7 (9), Wed 8 (10).
        let received = d("2024-12-20");
        let expected = [
            "2024-12-20",
            "2024-12-23",
            "2024-12-24",
            "2024-12-27",
            "2024-12-30",
            "2024-12-31",
            "2025-01-02",
            "2025-01-03",
            "2025-01-06",
            "2025-01-07",
            "2025-01-08",
        ];
        for (n, due) in expected.iter().enumerate() {
            let n = n as u32;
            assert_eq!(cal.add_working_days(received, n), d(due), "n = {n}");
            assert_eq!(cal.working_days_between(received, d(due)), i64::from(n));
        }
        assert_eq!(cal.working_days_between(received, d("2025-01-01")), 5);
        // Without the bank holidays the same count would end five days sooner.
        assert_eq!(
            Calendar::default().add_working_days(received, 10),
            d("2025-01-03")
        );

        // 2020: Christmas on Friday, Boxing Day substitute on Monday 28th.
        assert_eq!(cal.add_working_days(d("2020-12-24"), 1), d("2020-12-29"));
        // 2021: both substitutes, Monday 27th and Tuesday 28th.
        assert_eq!(cal.add_working_days(d("2021-12-24"), 1), d("2021-12-29"));
        // 2022: Boxing Day Monday 26th, Christmas substitute Tuesday 27th;
        // New Year's Day substitute Monday 2 Jan 2023.
        assert_eq!(cal.add_working_days(d("2022-12-23"), 1), d("2022-12-28"));
        assert_eq!(cal.add_working_days(d("2022-12-30"), 1), d("2023-01-03"));
        assert_eq!(
            cal.working_days_between(d("2022-12-23"), d("2023-01-03")),
            4
        );
    }

    #[test]
    fn easter() {
        let cal = shipped();
        // 2025: Good Friday 18 April, Easter Monday 21 April.
        assert_eq!(cal.add_working_days(d("2025-04-17"), 1), d("2025-04-22"));
        assert_eq!(cal.add_working_days(d("2025-04-17"), 3), d("2025-04-24"));
        assert_eq!(
            cal.working_days_between(d("2025-04-17"), d("2025-04-22")),
            1
        );
        assert_eq!(
            cal.working_days_between(d("2025-04-17"), d("2025-04-21")),
            0
        );
        // 2024, across the month end: Good Friday 29 March, Easter Monday
        // 1 April. Thu 28 (1), Tue 2 (2), Wed 3 (3).
        assert_eq!(cal.add_working_days(d("2024-03-27"), 3), d("2024-04-03"));
        // Received on Good Friday or Easter Saturday: day 1 is Tuesday.
        assert_eq!(cal.add_working_days(d("2025-04-18"), 1), d("2025-04-22"));
        assert_eq!(cal.add_working_days(d("2025-04-19"), 1), d("2025-04-22"));
        assert_eq!(cal.add_working_days(d("2025-04-21"), 1), d("2025-04-22"));
    }

    #[test]
    fn receipt_on_a_bank_holiday_or_weekend() {
        let cal = shipped();
        // Received on Christmas Day 2024 (Wednesday): Boxing Day is a
        // holiday too, so day 1 is Friday 27th.
        assert_eq!(cal.add_working_days(d("2024-12-25"), 1), d("2024-12-27"));
        // Received on the early May bank holiday 2025 (Monday).
        assert_eq!(cal.add_working_days(d("2025-05-05"), 1), d("2025-05-06"));
        assert_eq!(cal.add_working_days(d("2025-05-05"), 5), d("2025-05-12"));
        assert_eq!(
            cal.working_days_between(d("2025-05-05"), d("2025-05-12")),
            5
        );
        // Received Saturday 21 Dec 2024.
        assert_eq!(cal.add_working_days(d("2024-12-21"), 1), d("2024-12-23"));
        assert_eq!(cal.add_working_days(d("2024-12-21"), 3), d("2024-12-27"));
        // Received Sunday 25 Dec 2022 (Christmas on a Sunday): 26th and 27th
        // are holidays, day 1 is Wednesday 28th.
        assert_eq!(cal.add_working_days(d("2022-12-25"), 1), d("2022-12-28"));
    }

    #[test]
    fn one_off_holidays_of_2020_2022_and_2023_move_due_dates() {
        let cal = shipped();
        let rules = without_one_offs();
        // 2022: spring bank holiday moved from Mon 30 May to Thu 2 June,
        // and Fri 3 June added for the Platinum Jubilee. Received Fri 27 May,
        // 5 working days: Mon 30 (1), Tue 31 (2), Wed 1 (3), Mon 6 (4),
        // Tue 7 (5).
        assert_eq!(cal.add_working_days(d("2022-05-27"), 5), d("2022-06-07"));
        // By the standard rules alone it would have been Mon 6 June.
        assert_eq!(rules.add_working_days(d("2022-05-27"), 5), d("2022-06-06"));
        assert_eq!(cal.add_working_days(d("2022-05-27"), 1), d("2022-05-30"));
        assert_eq!(rules.add_working_days(d("2022-05-27"), 1), d("2022-05-31"));
        // The State Funeral, Monday 19 September 2022.
        assert_eq!(cal.add_working_days(d("2022-09-16"), 1), d("2022-09-20"));
        assert_eq!(rules.add_working_days(d("2022-09-16"), 1), d("2022-09-19"));
        // 25 working days across the Jubilee and the funeral.
        assert_eq!(
            cal.working_days_between(d("2022-05-27"), d("2022-09-30")),
            rules.working_days_between(d("2022-05-27"), d("2022-09-30")) - 2
        );
        // 2020: early May bank holiday moved from Mon 4 to Fri 8 May.
        assert_eq!(cal.add_working_days(d("2020-05-01"), 1), d("2020-05-04"));
        assert_eq!(cal.add_working_days(d("2020-05-07"), 1), d("2020-05-11"));
        assert_eq!(rules.add_working_days(d("2020-05-07"), 1), d("2020-05-08"));
        // 2023: the coronation, Monday 8 May.
        assert_eq!(cal.add_working_days(d("2023-05-05"), 1), d("2023-05-09"));
    }

    #[test]
    fn a_holiday_added_later_moves_the_due_date() {
        let before = Calendar::new(holidays::shipped().into_iter().map(|(date, _)| date));
        let after = Calendar::new(before.holidays().chain([d("2026-07-01")]));
        let received = d("2026-06-25");
        assert_eq!(before.add_working_days(received, 10), d("2026-07-09"));
        assert_eq!(after.add_working_days(received, 10), d("2026-07-10"));
    }

    #[test]
    fn holidays_on_weekends_are_not_counted_twice() {
        // Saturday 8 June 2024 given as a holiday changes nothing.
        let cal = Calendar::new([d("2024-06-08")]);
        assert!(cal.is_holiday(d("2024-06-08")));
        assert_eq!(cal.add_working_days(d("2024-06-07"), 1), d("2024-06-10"));
        assert_eq!(cal.add_working_days(d("2024-06-03"), 10), d("2024-06-17"));
        assert_eq!(
            cal.working_days_between(d("2024-06-07"), d("2024-06-10")),
            1
        );
        assert_eq!(
            cal.working_days_between(d("2024-06-03"), d("2024-06-17")),
            10
        );
    }

    #[test]
    fn whole_week_skips_do_not_overshoot_through_runs_of_holidays() {
        // A fortnight of holidays, as if an office were closed: the skip
        // lands inside it and must walk out again.
        let closed: Vec<NaiveDate> = d("2025-03-03").iter_days().take(14).collect();
        let cal = Calendar::new(closed);
        for start in d("2025-02-20").iter_days().take(40) {
            for n in 0..=40 {
                let due = cal.add_working_days(start, n);
                assert_eq!(due, slow_add(&cal, start, n), "{start} + {n}");
            }
        }
        // Every weekday a holiday for a year: the 1st working day is after it.
        let year: Vec<NaiveDate> = d("2025-01-01").iter_days().take(365).collect();
        let cal = Calendar::new(year);
        assert_eq!(cal.add_working_days(d("2024-12-31"), 1), d("2026-01-01"));
        assert_eq!(cal.add_working_days(d("2024-12-31"), 12), d("2026-01-16"));
        assert_eq!(
            cal.working_days_between(d("2024-12-31"), d("2026-01-16")),
            12
        );
    }

    /// For every start day from 2017 to 2031 (weekends and holidays
    /// included) and every n up to 130: `add_working_days` agrees with the
    /// day-by-day definition, lands on a working day, is the first day with
    /// that count, and `working_days_between` counts back exactly n.
    #[test]
    fn add_and_between_agree_with_each_other_and_with_the_definition() {
        let cal = shipped();
        let mut start = d("2017-12-01");
        while start <= d("2030-07-31") {
            // One day-by-day pass gives the n-th working day for every n.
            let mut nth = vec![start];
            let mut date = start;
            while nth.len() <= 130 {
                date = date.succ_opt().unwrap();
                if cal.is_working_day(date) {
                    nth.push(date);
                }
            }
            for n in 0..=130u32 {
                let due = cal.add_working_days(start, n);
                assert_eq!(due, nth[n as usize], "{start} + {n}");
                assert_eq!(cal.working_days_between(start, due), i64::from(n));
                if n > 0 {
                    assert!(cal.is_working_day(due), "{start} + {n} = {due}");
                    let eve = due.pred_opt().unwrap();
                    assert_eq!(cal.working_days_between(start, eve), i64::from(n) - 1);
                }
            }
            start = start.succ_opt().unwrap();
        }
    }

    #[test]
    fn between_agrees_with_counting_every_day() {
        let cal = shipped();
        let mut from = d("2017-11-25");
        while from <= d("2031-01-31") {
            // One pass from `from`, comparing every `to` up to ~2 years on.
            let mut count = 0;
            let mut to = from;
            for _ in 0..730 {
                assert_eq!(cal.working_days_between(from, to), count, "{from}..{to}");
                to = to.succ_opt().unwrap();
                if cal.is_working_day(to) {
                    count += 1;
                }
            }
            from = from + Days::new(5);
        }
        // Spans of many years, from each day of the week.
        for from in d("2016-01-01").iter_days().take(7) {
            let to = d("2032-06-15");
            assert_eq!(
                cal.working_days_between(from, to),
                slow_between(&cal, from, to)
            );
        }
        // 2018 to 2030 inclusive: weekdays less the shipped weekday holidays.
        let weekdays = slow_between(&Calendar::default(), d("2017-12-31"), d("2030-12-31"));
        let all = holidays::shipped().len() as i64;
        assert_eq!(
            cal.working_days_between(d("2017-12-31"), d("2030-12-31")),
            weekdays - all
        );
    }

    #[test]
    fn large_n_uses_whole_weeks_correctly() {
        let cal = shipped();
        // 130 working days from 1 Jan 2025 (Wednesday). 26 weeks of weekdays
        // from Wednesday run to Wednesday 2 July, less Good Friday, Easter
        // Monday, two May holidays = 4, so four more working days: Thu 3,
        // Fri 4, Mon 7, Tue 8 July.
        assert_eq!(cal.add_working_days(d("2025-01-01"), 130), d("2025-07-08"));
        assert_eq!(
            cal.add_working_days(d("2025-01-01"), 130),
            slow_add(&cal, d("2025-01-01"), 130)
        );
        assert_eq!(
            cal.add_working_days(d("2024-01-01"), 1000),
            slow_add(&cal, d("2024-01-01"), 1000)
        );
        assert_eq!(
            cal.add_working_days(d("2018-01-06"), 5000),
            slow_add(&cal, d("2018-01-06"), 5000)
        );
    }

    #[test]
    fn dates_near_the_limits_do_not_panic() {
        let cal = Calendar::new([NaiveDate::MIN, NaiveDate::MAX, d("2024-12-25")]);
        let max = NaiveDate::MAX;
        let min = NaiveDate::MIN;
        assert_eq!(cal.add_working_days(max, 0), max);
        assert_eq!(cal.add_working_days(max, 1), max);
        assert_eq!(cal.add_working_days(max, 130), max);
        assert_eq!(cal.add_working_days(max, u32::MAX), max);
        for back in 0..20 {
            let near = max - Days::new(back);
            let due = cal.add_working_days(near, 130);
            assert_eq!(due, max);
            let due = cal.add_working_days(near, 3);
            assert!(due <= max);
        }
        // A few working days before the end are still reached exactly.
        let near = max - Days::new(30);
        let due = cal.add_working_days(near, 5);
        assert_eq!(due, slow_add(&cal, near, 5));
        assert_eq!(cal.working_days_between(near, due), 5);

        let due = cal.add_working_days(min, 130);
        assert_eq!(due, slow_add(&cal, min, 130));
        assert_eq!(cal.working_days_between(min, due), 130);

        let all = cal.working_days_between(min, max);
        let days = i64::from(max.num_days_from_ce()) - i64::from(min.num_days_from_ce());
        assert!(all > days / 7 * 5 - 3 && all <= days / 7 * 5 + 5, "{all}");
        assert_eq!(cal.working_days_between(max, min), 0);
        assert_eq!(cal.working_days_between(max, max), 0);

        assert_eq!(add_months(max, 1), max);
        assert_eq!(add_months(max, u32::MAX), max);
        assert_eq!(add_months(min, u32::MAX), max);
        assert_eq!(add_months(max, 0), max);
        assert_eq!(add_months(min, 1), min + Months::new(1));
    }

    #[test]
    fn add_months_clamps_to_the_month_end() {
        let cases = [
            // Into February, leap and not.
            ("2023-11-30", 3, "2024-02-29"),
            ("2024-11-30", 3, "2025-02-28"),
            ("2024-08-31", 6, "2025-02-28"),
            ("2023-08-31", 6, "2024-02-29"),
            ("2024-01-31", 1, "2024-02-29"),
            ("2023-01-31", 1, "2023-02-28"),
            ("2024-12-31", 2, "2025-02-28"),
            ("2099-12-31", 2, "2100-02-28"), // 2100 is not a leap year
            ("1999-12-31", 2, "2000-02-29"), // 2000 is
            // Into 30-day months.
            ("2024-10-31", 6, "2025-04-30"),
            ("2024-05-31", 1, "2024-06-30"),
            ("2024-03-31", 6, "2024-09-30"),
            // No clamping needed.
            ("2024-05-15", 6, "2024-11-15"),
            ("2024-09-30", 3, "2024-12-30"),
            ("2024-11-30", 1, "2024-12-30"),
            ("2024-02-29", 1, "2024-03-29"),
            ("2024-01-28", 1, "2024-02-28"),
            // Across years, and from a leap day.
            ("2024-02-29", 12, "2025-02-28"),
            ("2024-02-29", 48, "2028-02-29"),
            ("2024-06-15", 30, "2026-12-15"),
            ("2024-06-15", 0, "2024-06-15"),
            ("2024-01-31", 0, "2024-01-31"),
        ];
        for (from, months, to) in cases {
            assert_eq!(
                add_months(d(from), months),
                d(to),
                "{from} + {months} months"
            );
        }
    }

    #[test]
    fn periods_beginning_with_a_day_end_the_day_before_the_corresponding_date() {
        let cases = [
            // The Regulations' six months: the worked examples.
            ("2024-12-20", 6, "2025-06-19"),
            ("2024-08-31", 6, "2025-02-28"),
            ("2023-08-31", 6, "2024-02-29"),
            // Three months for a senior manager review.
            ("2024-11-30", 3, "2025-02-28"),
            ("2023-11-30", 3, "2024-02-29"),
            ("2025-02-28", 3, "2025-05-27"),
            ("2025-01-01", 3, "2025-03-31"),
            ("2025-03-31", 6, "2025-09-30"),
            ("2025-05-31", 1, "2025-06-30"),
            ("2025-07-01", 6, "2025-12-31"),
            ("2025-10-15", 6, "2026-04-14"),
            // From a leap day.
            ("2024-02-29", 12, "2025-02-28"),
            ("2024-02-29", 48, "2028-02-28"),
            ("2024-01-29", 1, "2024-02-28"),
            ("2025-06-15", 0, "2025-06-14"),
        ];
        for (from, months, to) in cases {
            assert_eq!(
                months_beginning_with(d(from), months),
                d(to),
                "{months} months beginning with {from}"
            );
        }
        assert_eq!(
            months_beginning_with(NaiveDate::MAX, 1),
            NaiveDate::MAX,
            "saturates"
        );
    }
}
