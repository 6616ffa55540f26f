//! Statistics: the Ombudsman's annual figures, feedback volumes, the
//! complaint analysis of the statutory annual report, and the weekly breach
//! report. Every aggregate is computed in SQL, the same SQL on both backends.

pub mod api;
pub mod complaints;
pub mod csv;
pub mod feedback;
pub mod groups;
pub mod ombudsman;
pub mod overdue;
pub mod sql;
pub mod xlsx;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldErrors};

/// A reporting period: the days whose records a figure counts, both ends
/// included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Period {
    /// The first day counted, `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// The last day counted, `YYYY-MM-DD`.
    pub to: NaiveDate,
    /// A name to show: `2024-25` for a financial year (1 April to 31 March),
    /// else `2024-01-01 to 2024-06-30`.
    #[schema(example = "2024-25")]
    pub label: String,
}

impl Period {
    /// The financial year starting on 1 April `year`.
    pub fn financial_year(year: i32) -> Period {
        let from = NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or_default();
        let to = NaiveDate::from_ymd_opt(year + 1, 3, 31).unwrap_or_default();
        Period {
            from,
            to,
            label: format!("{year}-{:02}", (year + 1) % 100),
        }
    }

    /// The financial year containing `date`.
    pub fn financial_year_of(date: NaiveDate) -> Period {
        let year = if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        };
        Period::financial_year(year)
    }

    /// A period of arbitrary dates (labelled as a financial year if it is one).
    pub fn between(from: NaiveDate, to: NaiveDate) -> Period {
        let fy = Period::financial_year_of(from);
        if fy.from == from && fy.to == to {
            fy
        } else {
            Period {
                from,
                to,
                label: format!("{from} to {to}"),
            }
        }
    }

    /// The financial year this period starts in (for benchmarks).
    pub fn start_year(&self) -> i32 {
        if self.from.month() >= 4 {
            self.from.year()
        } else {
            self.from.year() - 1
        }
    }

    /// Whether the period is shorter than one calendar month (1 to 28
    /// February is a month; 15 January to 13 February is not).
    pub fn is_shorter_than_a_month(&self) -> bool {
        self.from
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .is_none_or(|month_end| self.to < month_end)
    }

    /// The same span one year earlier.
    pub fn year_before(&self) -> Period {
        let back = |d: NaiveDate| d.checked_sub_months(chrono::Months::new(12)).unwrap_or(d);
        Period::between(back(self.from), back(self.to))
    }
}

/// The period and directorate every statistics endpoint takes.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// Financial year by its first calendar year: `2024` is 1 April 2024 to
    /// 31 March 2025. Default: the current financial year.
    #[param(minimum = 2000, maximum = 2100, example = 2024)]
    pub year: Option<i32>,
    /// First day of a custom period, `YYYY-MM-DD` (with `to`, instead of
    /// `year`). Analysts' periods must cover at least one calendar month.
    pub from: Option<NaiveDate>,
    /// Last day of a custom period, `YYYY-MM-DD`, included (with `from`; at
    /// most 20 years after it).
    pub to: Option<NaiveDate>,
    /// One directorate; default: every directorate the caller may see.
    pub directorate: Option<String>,
}

impl PeriodParams {
    /// The period asked for (422 on a contradiction); without a year or
    /// dates, the financial year containing `today`.
    pub fn period(&self, today: NaiveDate) -> Result<Period, ApiError> {
        let mut errors = FieldErrors::new();
        let period = match (self.year, self.from, self.to) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                errors.add("year", "give either year or from and to, not both");
                None
            }
            (Some(year), None, None) if !(2000..=2100).contains(&year) => {
                errors.add("year", "must be from 2000 to 2100");
                None
            }
            (Some(year), None, None) => Some(Period::financial_year(year)),
            (None, Some(from), Some(to)) if from > to => {
                errors.add("to", "must not be before from");
                None
            }
            (None, Some(from), Some(to)) if (to - from).num_days() > 366 * 20 => {
                errors.add("to", "the period must be at most 20 years");
                None
            }
            (None, Some(from), Some(to)) => Some(Period::between(from, to)),
            (None, Some(_), None) => {
                errors.add("to", "is required with from");
                None
            }
            (None, None, Some(_)) => {
                errors.add("from", "is required with to");
                None
            }
            (None, None, None) => Some(Period::financial_year_of(today)),
        };
        errors.into_result()?;
        period.ok_or_else(|| ApiError::internal("period"))
    }
}

impl PeriodParams {
    /// The period asked for, as `user` may ask for it: analysts' periods are
    /// at least one calendar month, so that small counts cannot be narrowed
    /// down to a day (422).
    pub fn period_for(&self, user: &AuthUser, today: NaiveDate) -> Result<Period, ApiError> {
        let period = self.period(today)?;
        if Disclosure::for_user(user) == Disclosure::Suppressed && period.is_shorter_than_a_month()
        {
            return Err(ApiError::field(
                "to",
                "an analyst's period must cover at least one calendar month",
            ));
        }
        Ok(period)
    }
}

/// How exactly figures that describe people are shown to the caller.
///
/// Analysts see statistics without personal data, so a count from 1 to 4
/// in a breakdown by a personal characteristic (young people, advocates, and
/// any later breakdown of that kind) is suppressed: shown as null with
/// `suppressed: true`, or `<5` in CSV. Managers and admins see every figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Every figure exactly.
    Exact,
    /// Small counts about people suppressed.
    Suppressed,
}

/// The smallest count about people an analyst is shown (other than 0).
pub const SMALLEST_SHOWN_COUNT: i64 = 5;

impl Disclosure {
    /// The disclosure `user` is allowed.
    pub fn for_user(user: &AuthUser) -> Disclosure {
        if user.sees_personal_data() {
            Disclosure::Exact
        } else {
            Disclosure::Suppressed
        }
    }

    /// `count` as it may be shown: `None` when suppressed.
    pub fn count(self, count: i64) -> Option<i64> {
        match self {
            Disclosure::Suppressed if (1..SMALLEST_SHOWN_COUNT).contains(&count) => None,
            _ => Some(count),
        }
    }
}

/// The directorates a statistic covers: `None` for the whole council.
pub use crate::records::Scope;

/// The directorates the caller asked about and may see: the one named (422
/// if unknown, 403 if not the caller's), else all the caller's.
pub fn scope(
    conn: &mut DbConnection,
    user: &AuthUser,
    directorate: Option<&str>,
) -> Result<Scope, ApiError> {
    match directorate {
        Some(code) => {
            if !crate::directorates::model::exists(conn, code)? {
                return Err(ApiError::field(
                    "directorate",
                    format!("unknown directorate `{code}`"),
                ));
            }
            user.may_write_in(code).map_err(|_| {
                ApiError::Forbidden(format!("You do not work in the directorate `{code}`."))
            })?;
            Ok(Some(vec![code.to_string()]))
        }
        None => Ok(user.scope().map(<[String]>::to_vec)),
    }
}

/// A proportion with the counts behind it: `numerator` of `denominator`,
/// and the percentage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    /// The part counted (e.g. upheld).
    pub numerator: i64,
    /// The whole it is a part of (e.g. investigated).
    pub denominator: i64,
    /// `100 × numerator / denominator`, rounded half-up to one decimal place
    /// (`78.3`); null when the denominator is 0.
    pub percent: Option<f64>,
}

impl Rate {
    /// `numerator` of `denominator`.
    pub fn of(numerator: i64, denominator: i64) -> Rate {
        Rate {
            numerator,
            denominator,
            percent: percent(numerator, denominator),
        }
    }
}

/// `100 × part / whole` rounded half-up to one decimal place (exactly, in
/// integers), or `None` when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    if whole == 0 {
        return None;
    }
    let tenths = ((part as i128) * 2000 + whole as i128).div_euclid(2 * whole as i128);
    Some(tenths as f64 / 10.0)
}

/// `value` rounded half-up to one decimal place.
pub fn one_decimal(value: f64) -> f64 {
    (value * 10.0 + 0.5).floor() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_to_one_decimal() {
        assert_eq!(percent(18, 23), Some(78.3));
        assert_eq!(percent(6, 18), Some(33.3));
        assert_eq!(percent(80, 217), Some(36.9));
        assert_eq!(percent(92, 217), Some(42.4));
        assert_eq!(percent(12, 12), Some(100.0));
        assert_eq!(percent(1, 8), Some(12.5));
        assert_eq!(percent(1, 16), Some(6.3), "6.25 rounds up");
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(-52, 269), Some(-19.3), "a fall rounds half-up too");
        assert_eq!(one_decimal(18.0 / 693_000.0 * 100_000.0), 2.6);
    }

    #[test]
    fn financial_years() {
        let p = Period::financial_year(2024);
        assert_eq!(
            (p.from.to_string(), p.to.to_string(), p.label.as_str()),
            ("2024-04-01".into(), "2025-03-31".into(), "2024-25")
        );
        assert_eq!(Period::financial_year(1999).label, "1999-00");
        assert_eq!(
            Period::financial_year_of(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()).label,
            "2024-25"
        );
        assert_eq!(
            Period::financial_year_of(NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()).label,
            "2025-26"
        );
        assert_eq!(Period::financial_year(2024).year_before().label, "2023-24");
        let custom = Period::between(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(),
        );
        assert_eq!(custom.label, "2024-01-01 to 2024-06-30");
        assert_eq!(Period::between(p.from, p.to).label, "2024-25");
    }

    #[test]
    fn period_parameters_contradicting_each_other_are_refused() {
        let params = |year, from: Option<&str>, to: Option<&str>| PeriodParams {
            year,
            from: from.map(|d| d.parse().unwrap()),
            to: to.map(|d| d.parse().unwrap()),
            directorate: None,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert!(params(Some(2024), Some("2024-01-01"), None)
            .period(today)
            .is_err());
        assert!(params(None, Some("2024-01-01"), None)
            .period(today)
            .is_err());
        assert!(params(None, Some("2024-02-01"), Some("2024-01-01"))
            .period(today)
            .is_err());
        assert!(params(Some(1800), None, None).period(today).is_err());
        assert_eq!(
            params(None, Some("2024-04-01"), Some("2025-03-31"))
                .period(today)
                .unwrap()
                .label,
            "2024-25"
        );
    }
}
