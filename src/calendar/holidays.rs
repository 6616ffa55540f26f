//! The England and Wales bank holidays Redress ships with.
//!
//! 2018 to 2026 are GOV.UK's published list (<https://www.gov.uk/bank-holidays>),
//! including the one-off and moved days:
//!
//! - 2020: the early May bank holiday moved from Monday 4 to Friday 8 May
//!   for VE Day.
//! - 2022: the spring bank holiday moved from Monday 30 May to Thursday
//!   2 June, Friday 3 June added for the Platinum Jubilee, and Monday
//!   19 September added for the State Funeral of Queen Elizabeth II.
//! - 2023: Monday 8 May added for the coronation of King Charles III.
//!
//! 2027 to 2030 follow the standard rules: New Year's Day, Good Friday,
//! Easter Monday, the first Monday in May, the last Mondays in May and
//! August, Christmas Day and Boxing Day, with a substitute weekday when one
//! falls at a weekend. A holiday proclaimed later is added by importing
//! GOV.UK's list (see [`super::govuk`]).
//!
//! Titles are GOV.UK's, except that "New Year's Day" uses a plain ASCII
//! apostrophe, and substitute days carry " (substitute day)" in the title
//! (GOV.UK's JSON puts that in a separate `notes` field).

use chrono::NaiveDate;

/// The first year [`SHIPPED`] covers.
pub const FIRST_YEAR: i32 = 2018;

/// The last year [`SHIPPED`] covers.
pub const LAST_YEAR: i32 = 2030;

/// England and Wales bank holidays shipped with Redress: (date "YYYY-MM-DD", title).
///
/// Sorted by date, one entry per date, every one a weekday, covering
/// [`FIRST_YEAR`] to [`LAST_YEAR`] inclusive.
pub const SHIPPED: &[(&str, &str)] = &[
    // 2018
    ("2018-01-01", "New Year's Day"),
    ("2018-03-30", "Good Friday"),
    ("2018-04-02", "Easter Monday"),
    ("2018-05-07", "Early May bank holiday"),
    ("2018-05-28", "Spring bank holiday"),
    ("2018-08-27", "Summer bank holiday"),
    ("2018-12-25", "Christmas Day"),
    ("2018-12-26", "Boxing Day"),
    // 2019
    ("2019-01-01", "New Year's Day"),
    ("2019-04-19", "Good Friday"),
    ("2019-04-22", "Easter Monday"),
    ("2019-05-06", "Early May bank holiday"),
    ("2019-05-27", "Spring bank holiday"),
    ("2019-08-26", "Summer bank holiday"),
    ("2019-12-25", "Christmas Day"),
    ("2019-12-26", "Boxing Day"),
    // 2020: the early May bank holiday moved from Monday 4 May to Friday
    // 8 May for the 75th anniversary of VE Day.
    ("2020-01-01", "New Year's Day"),
    ("2020-04-10", "Good Friday"),
    ("2020-04-13", "Easter Monday"),
    ("2020-05-08", "Early May bank holiday (VE day)"),
    ("2020-05-25", "Spring bank holiday"),
    ("2020-08-31", "Summer bank holiday"),
    ("2020-12-25", "Christmas Day"),
    ("2020-12-28", "Boxing Day (substitute day)"),
    // 2021
    ("2021-01-01", "New Year's Day"),
    ("2021-04-02", "Good Friday"),
    ("2021-04-05", "Easter Monday"),
    ("2021-05-03", "Early May bank holiday"),
    ("2021-05-31", "Spring bank holiday"),
    ("2021-08-30", "Summer bank holiday"),
    ("2021-12-27", "Christmas Day (substitute day)"),
    ("2021-12-28", "Boxing Day (substitute day)"),
    // 2022: the spring bank holiday moved from Monday 30 May to Thursday
    // 2 June, beside the Platinum Jubilee on Friday 3 June; Monday
    // 19 September for the State Funeral of Queen Elizabeth II.
    ("2022-01-03", "New Year's Day (substitute day)"),
    ("2022-04-15", "Good Friday"),
    ("2022-04-18", "Easter Monday"),
    ("2022-05-02", "Early May bank holiday"),
    ("2022-06-02", "Spring bank holiday"),
    ("2022-06-03", "Platinum Jubilee bank holiday"),
    ("2022-08-29", "Summer bank holiday"),
    (
        "2022-09-19",
        "Bank Holiday for the State Funeral of Queen Elizabeth II",
    ),
    ("2022-12-26", "Boxing Day"),
    ("2022-12-27", "Christmas Day (substitute day)"),
    // 2023: Monday 8 May for the coronation of King Charles III.
    ("2023-01-02", "New Year's Day (substitute day)"),
    ("2023-04-07", "Good Friday"),
    ("2023-04-10", "Easter Monday"),
    ("2023-05-01", "Early May bank holiday"),
    (
        "2023-05-08",
        "Bank holiday for the coronation of King Charles III",
    ),
    ("2023-05-29", "Spring bank holiday"),
    ("2023-08-28", "Summer bank holiday"),
    ("2023-12-25", "Christmas Day"),
    ("2023-12-26", "Boxing Day"),
    // 2024
    ("2024-01-01", "New Year's Day"),
    ("2024-03-29", "Good Friday"),
    ("2024-04-01", "Easter Monday"),
    ("2024-05-06", "Early May bank holiday"),
    ("2024-05-27", "Spring bank holiday"),
    ("2024-08-26", "Summer bank holiday"),
    ("2024-12-25", "Christmas Day"),
    ("2024-12-26", "Boxing Day"),
    // 2025
    ("2025-01-01", "New Year's Day"),
    ("2025-04-18", "Good Friday"),
    ("2025-04-21", "Easter Monday"),
    ("2025-05-05", "Early May bank holiday"),
    ("2025-05-26", "Spring bank holiday"),
    ("2025-08-25", "Summer bank holiday"),
    ("2025-12-25", "Christmas Day"),
    ("2025-12-26", "Boxing Day"),
    // 2026
    ("2026-01-01", "New Year's Day"),
    ("2026-04-03", "Good Friday"),
    ("2026-04-06", "Easter Monday"),
    ("2026-05-04", "Early May bank holiday"),
    ("2026-05-25", "Spring bank holiday"),
    ("2026-08-31", "Summer bank holiday"),
    ("2026-12-25", "Christmas Day"),
    ("2026-12-28", "Boxing Day (substitute day)"),
    // 2027 onwards: the standard rules.
    ("2027-01-01", "New Year's Day"),
    ("2027-03-26", "Good Friday"),
    ("2027-03-29", "Easter Monday"),
    ("2027-05-03", "Early May bank holiday"),
    ("2027-05-31", "Spring bank holiday"),
    ("2027-08-30", "Summer bank holiday"),
    ("2027-12-27", "Christmas Day (substitute day)"),
    ("2027-12-28", "Boxing Day (substitute day)"),
    // 2028
    ("2028-01-03", "New Year's Day (substitute day)"),
    ("2028-04-14", "Good Friday"),
    ("2028-04-17", "Easter Monday"),
    ("2028-05-01", "Early May bank holiday"),
    ("2028-05-29", "Spring bank holiday"),
    ("2028-08-28", "Summer bank holiday"),
    ("2028-12-25", "Christmas Day"),
    ("2028-12-26", "Boxing Day"),
    // 2029
    ("2029-01-01", "New Year's Day"),
    ("2029-03-30", "Good Friday"),
    ("2029-04-02", "Easter Monday"),
    ("2029-05-07", "Early May bank holiday"),
    ("2029-05-28", "Spring bank holiday"),
    ("2029-08-27", "Summer bank holiday"),
    ("2029-12-25", "Christmas Day"),
    ("2029-12-26", "Boxing Day"),
    // 2030
    ("2030-01-01", "New Year's Day"),
    ("2030-04-19", "Good Friday"),
    ("2030-04-22", "Easter Monday"),
    ("2030-05-06", "Early May bank holiday"),
    ("2030-05-27", "Spring bank holiday"),
    ("2030-08-26", "Summer bank holiday"),
    ("2030-12-25", "Christmas Day"),
    ("2030-12-26", "Boxing Day"),
];

/// The shipped holidays parsed.
///
/// In [`SHIPPED`]'s order (by date). The table is a compile-time constant
/// whose every row the tests parse, so no row is ever dropped.
pub fn shipped() -> Vec<(NaiveDate, String)> {
    SHIPPED
        .iter()
        .filter_map(|&(date, title)| {
            NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .ok()
                .map(|date| (date, title.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{Datelike, Days, Weekday};

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Easter Sunday in the Gregorian calendar, by the anonymous Gregorian
    /// algorithm (Meeus/Jones/Butcher).
    fn easter_sunday(year: i32) -> NaiveDate {
        let a = year % 19;
        let b = year / 100;
        let c = year % 100;
        let d_ = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d_ - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        d(year, month as u32, day as u32)
    }

    /// The first Monday of `month`.
    fn first_monday(year: i32, month: u32) -> NaiveDate {
        NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1).unwrap()
    }

    /// The last Monday of `month`.
    fn last_monday(year: i32, month: u32) -> NaiveDate {
        let first_of_next = if month == 12 {
            d(year + 1, 1, 1)
        } else {
            d(year, month + 1, 1)
        };
        let last = first_of_next.pred_opt().unwrap();
        last - Days::new(u64::from(last.weekday().num_days_from_monday()))
    }

    /// England and Wales bank holidays for `year` by the standard rules
    /// alone, with GOV.UK's titles.
    fn standard_rules(year: i32) -> Vec<(NaiveDate, String)> {
        let mut out = Vec::new();
        let new_year = d(year, 1, 1);
        match new_year.weekday() {
            Weekday::Sat => out.push((d(year, 1, 3), "New Year's Day (substitute day)")),
            Weekday::Sun => out.push((d(year, 1, 2), "New Year's Day (substitute day)")),
            _ => out.push((new_year, "New Year's Day")),
        }
        let easter = easter_sunday(year);
        out.push((easter - Days::new(2), "Good Friday"));
        out.push((easter + Days::new(1), "Easter Monday"));
        out.push((first_monday(year, 5), "Early May bank holiday"));
        out.push((last_monday(year, 5), "Spring bank holiday"));
        out.push((last_monday(year, 8), "Summer bank holiday"));
        match d(year, 12, 25).weekday() {
            Weekday::Fri => {
                out.push((d(year, 12, 25), "Christmas Day"));
                out.push((d(year, 12, 28), "Boxing Day (substitute day)"));
            }
            Weekday::Sat => {
                out.push((d(year, 12, 27), "Christmas Day (substitute day)"));
                out.push((d(year, 12, 28), "Boxing Day (substitute day)"));
            }
            Weekday::Sun => {
                out.push((d(year, 12, 26), "Boxing Day"));
                out.push((d(year, 12, 27), "Christmas Day (substitute day)"));
            }
            _ => {
                out.push((d(year, 12, 25), "Christmas Day"));
                out.push((d(year, 12, 26), "Boxing Day"));
            }
        }
        out.into_iter()
            .map(|(date, title)| (date, title.to_owned()))
            .collect()
    }

    /// The standard rules with the documented exceptions of 2020, 2022 and
    /// 2023 applied, sorted by date.
    fn expected(year: i32) -> Vec<(NaiveDate, String)> {
        let mut out = standard_rules(year);
        let mut replace = |from: NaiveDate, to: NaiveDate, title: &str| {
            let row = out.iter_mut().find(|(date, _)| *date == from).unwrap();
            *row = (to, title.to_owned());
        };
        match year {
            2020 => replace(
                d(2020, 5, 4),
                d(2020, 5, 8),
                "Early May bank holiday (VE day)",
            ),
            2022 => {
                replace(d(2022, 5, 30), d(2022, 6, 2), "Spring bank holiday");
                out.push((d(2022, 6, 3), "Platinum Jubilee bank holiday".to_owned()));
                out.push((
                    d(2022, 9, 19),
                    "Bank Holiday for the State Funeral of Queen Elizabeth II".to_owned(),
                ));
            }
            2023 => out.push((
                d(2023, 5, 8),
                "Bank holiday for the coronation of King Charles III".to_owned(),
            )),
            _ => {}
        }
        out.sort();
        out
    }

    #[test]
    fn easter_algorithm_is_right() {
        let known = [
            (1943, 4, 25), // the latest possible
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2018, 4, 1),
            (2019, 4, 21),
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2285, 3, 22), // the earliest possible
        ];
        for (y, m, day) in known {
            assert_eq!(easter_sunday(y), d(y, m, day), "{y}");
        }
        for year in 1900..2200 {
            let easter = easter_sunday(year);
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!(
                easter >= d(year, 3, 22) && easter <= d(year, 4, 25),
                "{year}"
            );
        }
    }

    #[test]
    fn every_row_parses_strictly() {
        assert_eq!(shipped().len(), SHIPPED.len());
        for ((date, title), (text, raw_title)) in shipped().iter().zip(SHIPPED) {
            assert_eq!(date.format("%Y-%m-%d").to_string(), *text);
            assert_eq!(title, raw_title);
            assert!(!title.trim().is_empty());
        }
    }

    #[test]
    fn sorted_without_duplicates() {
        let dates: Vec<NaiveDate> = shipped().into_iter().map(|(date, _)| date).collect();
        for pair in dates.windows(2) {
            assert!(pair[0] < pair[1], "{} then {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn every_date_is_a_weekday() {
        for (date, title) in shipped() {
            assert!(
                !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
                "{date} {title} is a {}",
                date.weekday()
            );
        }
    }

    #[test]
    fn covers_2018_to_2030_with_the_right_number_each_year() {
        let mut per_year: BTreeMap<i32, usize> = BTreeMap::new();
        for (date, _) in shipped() {
            *per_year.entry(date.year()).or_default() += 1;
        }
        let years: Vec<i32> = per_year.keys().copied().collect();
        assert_eq!(years, (FIRST_YEAR..=LAST_YEAR).collect::<Vec<_>>());
        assert_eq!((FIRST_YEAR, LAST_YEAR), (2018, 2030));
        for (year, count) in per_year {
            let want = match year {
                2022 => 10,
                2023 => 9,
                _ => 8,
            };
            assert_eq!(count, want, "{year}");
        }
        assert_eq!(SHIPPED.len(), 13 * 8 + 2 + 1);
    }

    #[test]
    fn matches_the_rules_and_the_documented_exceptions() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let table: Vec<(NaiveDate, String)> = shipped()
                .into_iter()
                .filter(|(date, _)| date.year() == year)
                .collect();
            assert_eq!(table, expected(year), "{year}");
        }
    }

    #[test]
    fn only_2020_2022_and_2023_depart_from_the_standard_rules() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let same = expected(year) == standard_rules(year);
            assert_eq!(same, ![2020, 2022, 2023].contains(&year), "{year}");
        }
    }

    #[test]
    fn the_one_off_and_moved_days() {
        let table: BTreeMap<NaiveDate, String> = shipped().into_iter().collect();
        let title = |y, m, day| table.get(&d(y, m, day)).map(String::as_str);
        assert_eq!(title(2020, 5, 8), Some("Early May bank holiday (VE day)"));
        assert_eq!(title(2020, 5, 4), None);
        assert_eq!(title(2022, 6, 2), Some("Spring bank holiday"));
        assert_eq!(title(2022, 6, 3), Some("Platinum Jubilee bank holiday"));
        assert_eq!(title(2022, 5, 30), None);
        assert_eq!(
            title(2022, 9, 19),
            Some("Bank Holiday for the State Funeral of Queen Elizabeth II")
        );
        assert_eq!(
            title(2023, 5, 8),
            Some("Bank holiday for the coronation of King Charles III")
        );
        // Substitute days.
        assert_eq!(title(2020, 12, 28), Some("Boxing Day (substitute day)"));
        assert_eq!(title(2020, 12, 26), None);
        assert_eq!(title(2021, 12, 27), Some("Christmas Day (substitute day)"));
        assert_eq!(title(2021, 12, 28), Some("Boxing Day (substitute day)"));
        assert_eq!(title(2022, 1, 3), Some("New Year's Day (substitute day)"));
        assert_eq!(title(2022, 12, 26), Some("Boxing Day"));
        assert_eq!(title(2022, 12, 27), Some("Christmas Day (substitute day)"));
        assert_eq!(title(2023, 1, 2), Some("New Year's Day (substitute day)"));
        assert_eq!(title(2026, 12, 28), Some("Boxing Day (substitute day)"));
        assert_eq!(title(2027, 12, 27), Some("Christmas Day (substitute day)"));
        assert_eq!(title(2027, 12, 28), Some("Boxing Day (substitute day)"));
        assert_eq!(title(2028, 1, 3), Some("New Year's Day (substitute day)"));
    }

    #[test]
    fn titles_are_from_the_known_set() {
        let known = [
            "New Year's Day",
            "Good Friday",
            "Easter Monday",
            "Early May bank holiday",
            "Spring bank holiday",
            "Summer bank holiday",
            "Christmas Day",
            "Boxing Day",
            "Early May bank holiday (VE day)",
            "Platinum Jubilee bank holiday",
            "Bank Holiday for the State Funeral of Queen Elizabeth II",
            "Bank holiday for the coronation of King Charles III",
        ];
        for (date, title) in SHIPPED {
            let base = title.strip_suffix(" (substitute day)").unwrap_or(title);
            assert!(known.contains(&base), "{date}: {title}");
            assert!(title.is_ascii(), "{date}: {title}");
        }
    }
}
