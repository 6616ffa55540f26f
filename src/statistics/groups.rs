//! `group_by=`: the complaint analysis broken down by one dimension or two
//! (service, team, theme, quarter, …), each group with the figures the
//! published tables give per line.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::Outcome;
use crate::statistics::sql::{count_if, Sql};
use crate::statistics::{Disclosure, Period};
use crate::text_enum;

text_enum! {
    /// What a breakdown groups records by.
    pub enum Dimension {
        /// The main reason (`category`).
        Category => "category",
        /// The detailed reason (`sub_category`).
        SubCategory => "sub_category",
        /// The service (`service_area`).
        ServiceArea => "service_area",
        /// The team.
        Team => "team",
        /// Each theme of the record: a record with two themes counts in
        /// both groups, one without in the null group.
        Theme => "theme",
        /// The stage of the procedure (`1` to `3`).
        Stage => "stage",
        /// The financial quarter of the date counted (`2024-25 Q1` is April
        /// to June 2024): received records by `received_on`, responded
        /// records by `responded_on`.
        Quarter => "quarter",
        /// The calendar month of the date counted (`2024-04`), as for
        /// `quarter`.
        Month => "month",
        /// The directorate's code.
        Directorate => "directorate",
        /// The kind of record (with several `kind=`, e.g. the quarterly
        /// volumes of each kind: `group_by=quarter,kind`).
        Kind => "kind",
        /// How the feedback arrived (`channel`).
        Channel => "channel",
        /// The complainant's relationship to the person the feedback is
        /// about: a personal characteristic, so small counts are withheld
        /// from analysts.
        Relationship => "relationship",
    }
}

impl Dimension {
    /// The key's SQL expression, for records counted by `date_column`.
    fn expression(self, date_column: &str) -> String {
        match self {
            Dimension::Category => "category".into(),
            Dimension::SubCategory => "sub_category".into(),
            Dimension::ServiceArea => "service_area".into(),
            Dimension::Team => "team".into(),
            Dimension::Theme => "ft.theme".into(),
            Dimension::Stage => "CAST(stage AS TEXT)".into(),
            // The month (`YYYY-MM`): a quarter is three of them.
            Dimension::Quarter | Dimension::Month => {
                format!("SUBSTR(CAST({date_column} AS TEXT), 1, 7)")
            }
            Dimension::Directorate => "directorate".into(),
            Dimension::Kind => "kind".into(),
            Dimension::Channel => "channel".into(),
            Dimension::Relationship => "complainant_relationship".into(),
        }
    }

    /// The key as answered: a date becomes its quarter or month.
    fn key(self, raw: Option<String>) -> Option<String> {
        let date = || {
            raw.as_deref()
                .and_then(|d| format!("{}-01", d.get(..7)?).parse::<NaiveDate>().ok())
        };
        match self {
            Dimension::Quarter => date().map(quarter_of),
            Dimension::Month => date().map(|d| format!("{}-{:02}", d.year(), d.month())),
            _ => raw,
        }
    }
}

/// The financial quarter of a day: `2024-25 Q1` is April to June 2024.
pub fn quarter_of(day: NaiveDate) -> String {
    let year = Period::financial_year_of(day);
    let quarter = (day.month0() + 9) % 12 / 3 + 1;
    format!("{} Q{quarter}", year.label)
}

/// The dimensions of `group_by` (one or two, comma-separated); 422 for an
/// unknown one, a repeat or more than two.
pub fn parse(group_by: Option<&str>) -> Result<Vec<Dimension>, ApiError> {
    dimensions(
        group_by,
        Dimension::parse,
        Dimension::ALL,
        Dimension::as_str,
    )
}

/// The dimensions a `group_by` names (one or two, comma-separated, each of
/// `all`); 422 for an unknown one, a repeat or more than two. Every
/// breakdown's `group_by` is read here.
pub fn dimensions<T: Copy + PartialEq>(
    group_by: Option<&str>,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name_of: fn(T) -> &'static str,
) -> Result<Vec<T>, ApiError> {
    let Some(text) = group_by.filter(|t| !t.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let mut dimensions = Vec::new();
    for name in text.split(',').map(str::trim) {
        let dimension = parse(name).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|d| name_of(*d)).collect();
            ApiError::field(
                "group_by",
                format!(
                    "has an unknown dimension: {name} (one of {})",
                    names.join(", ")
                ),
            )
        })?;
        if dimensions.contains(&dimension) {
            return Err(ApiError::field("group_by", format!("names {name} twice")));
        }
        dimensions.push(dimension);
    }
    if dimensions.len() > 2 {
        return Err(ApiError::field(
            "group_by",
            "must name one or two dimensions",
        ));
    }
    Ok(dimensions)
}

/// One group of a breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupLine {
    /// The group's value of each dimension of `group_by`, e.g.
    /// `{"service_area": "SEND", "category": "Education"}`; null where the
    /// records have none recorded.
    #[schema(value_type = Object, example = json!({"service_area": "SEND", "category": "Education"}))]
    pub key: BTreeMap<String, Option<String>>,
    /// Received in the period (by `received_on`); null when withheld.
    pub received: Option<i64>,
    /// Responded to in the period (by `responded_on`); null when withheld.
    pub responded: Option<i64>,
    /// Of those responded to, outside their (possibly extended) target;
    /// null when withheld.
    pub outside_target: Option<i64>,
    /// Of those responded to, outside the original target; null when
    /// withheld.
    pub outside_original_target: Option<i64>,
    /// Of those responded to, with an agreed extension of their target
    /// date; null when withheld.
    pub extended: Option<i64>,
    /// Of those responded to, by outcome; every outcome present. Null when
    /// withheld.
    #[schema(value_type = Option<BTreeMap<crate::feedback::types::Outcome, i64>>)]
    pub outcomes: Option<BTreeMap<String, i64>>,
    /// Whether this group's counts are withheld: a group keyed by a personal
    /// characteristic (`relationship`) with a count from 1 to 4, shown to
    /// an analyst. Managers and admins see every count.
    pub suppressed: bool,
}

/// Records received in the period with one key.
#[derive(Debug, QueryableByName)]
struct ReceivedRow {
    #[diesel(sql_type = Nullable<Text>)]
    k1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k2: Option<String>,
    #[diesel(sql_type = BigInt)]
    received: i64,
}

/// Records responded to in the period with one key and outcome.
#[derive(Debug, QueryableByName)]
struct RespondedRow {
    #[diesel(sql_type = Nullable<Text>)]
    k1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    outcome: Option<String>,
    #[diesel(sql_type = BigInt)]
    responded: i64,
    #[diesel(sql_type = BigInt)]
    outside_target: i64,
    #[diesel(sql_type = BigInt)]
    outside_original_target: i64,
    #[diesel(sql_type = BigInt)]
    extended: i64,
}

/// `SELECT k1, k2 … FROM feedback [themes] WHERE` for records counted by
/// `date_column`, then `select` (the counts).
fn head(dimensions: &[Dimension], date_column: &str, select: &str) -> String {
    let key = |i: usize| {
        dimensions
            .get(i)
            .map(|d| d.expression(date_column))
            .unwrap_or_else(|| "NULL".into())
    };
    let join = if dimensions.contains(&Dimension::Theme) {
        " LEFT JOIN feedback_themes ft ON ft.feedback_id = feedback.id"
    } else {
        ""
    };
    format!(
        "SELECT {} AS k1, {} AS k2, {select} FROM feedback{join} WHERE",
        key(0),
        key(1)
    )
}

/// `GROUP BY` the keys (and `extra`).
fn group_by(dimensions: &[Dimension], date_column: &str, extra: &str) -> String {
    let mut columns: Vec<String> = dimensions
        .iter()
        .map(|d| d.expression(date_column))
        .collect();
    if !extra.is_empty() {
        columns.push(extra.into());
    }
    format!("GROUP BY {}", columns.join(", "))
}

/// The breakdown of the records `narrow` selects (the analysis's own
/// narrowing, appended after the period) by `dimensions`.
pub fn compute(
    conn: &mut DbConnection,
    period: &Period,
    dimensions: &[Dimension],
    narrow: impl Fn(Sql) -> Sql,
    disclosure: Disclosure,
) -> Result<Vec<GroupLine>, ApiError> {
    let received = narrow(
        Sql::new(&head(dimensions, "received_on", "COUNT(*) AS received"))
            .in_period("received_on", period),
    )
    .push(&group_by(dimensions, "received_on", ""))
    .load::<ReceivedRow>(conn)?;
    let select = format!(
        "outcome, COUNT(*) AS responded, {} AS outside_target, \
         {} AS outside_original_target, {} AS extended",
        count_if("NOT within_target"),
        count_if("NOT within_original_target"),
        count_if("extended_due_on IS NOT NULL"),
    );
    let responded = narrow(
        Sql::new(&head(dimensions, "responded_on", &select)).in_period("responded_on", period),
    )
    .push(&group_by(dimensions, "responded_on", "outcome"))
    .load::<RespondedRow>(conn)?;

    #[derive(Default)]
    struct Totals {
        received: i64,
        responded: i64,
        outside_target: i64,
        outside_original_target: i64,
        extended: i64,
        outcomes: BTreeMap<String, i64>,
    }
    let key_of = |k1: Option<String>, k2: Option<String>| -> Vec<Option<String>> {
        dimensions
            .iter()
            .zip([k1, k2])
            .map(|(d, raw)| d.key(raw))
            .collect()
    };
    let mut groups: BTreeMap<Vec<Option<String>>, Totals> = BTreeMap::new();
    for row in received {
        groups.entry(key_of(row.k1, row.k2)).or_default().received += row.received;
    }
    for row in responded {
        let totals = groups.entry(key_of(row.k1, row.k2)).or_default();
        totals.responded += row.responded;
        totals.outside_target += row.outside_target;
        totals.outside_original_target += row.outside_original_target;
        totals.extended += row.extended;
        if let Some(outcome) = row.outcome {
            *totals.outcomes.entry(outcome).or_default() += row.responded;
        }
    }
    let personal = dimensions.contains(&Dimension::Relationship);
    Ok(groups
        .into_iter()
        .map(|(key, t)| {
            let counts = [
                t.received,
                t.responded,
                t.outside_target,
                t.outside_original_target,
                t.extended,
            ]
            .into_iter()
            .chain(t.outcomes.values().copied());
            let suppressed = personal && counts.into_iter().any(|n| disclosure.count(n).is_none());
            let shown = |n: i64| (!suppressed).then_some(n);
            let mut outcomes: BTreeMap<String, i64> = Outcome::ALL
                .iter()
                .map(|o| (o.as_str().to_string(), 0))
                .collect();
            outcomes.extend(t.outcomes);
            GroupLine {
                key: dimensions
                    .iter()
                    .map(|d| d.as_str().to_string())
                    .zip(key)
                    .collect(),
                received: shown(t.received),
                responded: shown(t.responded),
                outside_target: shown(t.outside_target),
                outside_original_target: shown(t.outside_original_target),
                extended: shown(t.extended),
                outcomes: (!suppressed).then_some(outcomes),
                suppressed,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_months_of_dates() {
        let q = |d: &str| Dimension::Quarter.key(Some(d.into()));
        assert_eq!(q("2024-04").as_deref(), Some("2024-25 Q1"));
        assert_eq!(q("2024-09").as_deref(), Some("2024-25 Q2"));
        assert_eq!(q("2024-12").as_deref(), Some("2024-25 Q3"));
        assert_eq!(q("2025-03").as_deref(), Some("2024-25 Q4"));
        assert_eq!(
            Dimension::Month.key(Some("2025-03".into())).as_deref(),
            Some("2025-03")
        );
        assert_eq!(Dimension::Quarter.key(None), None);
    }

    #[test]
    fn group_by_names_one_or_two_dimensions() {
        assert_eq!(parse(None).unwrap(), vec![]);
        assert_eq!(
            parse(Some("service_area, category")).unwrap(),
            vec![Dimension::ServiceArea, Dimension::Category]
        );
        assert!(parse(Some("colour")).is_err());
        assert!(parse(Some("team,team")).is_err());
        assert!(parse(Some("team,stage,month")).is_err());
    }
}
