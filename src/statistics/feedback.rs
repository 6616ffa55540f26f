//! Feedback volumes: received and responded to, by kind, year by year.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::Kind;
use crate::ombudsman::types::Ombudsman;
use crate::settings::model::OverviewBasis;
use crate::statistics::complaints::{caseload, Caseload};
use crate::statistics::sql::{in_snapshot, Sql};
use crate::statistics::{percent, Period, Scope};

/// The volumes of one year: the period itself, or one of the years before it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearVolumes {
    /// The year's label: `2024-25` for a financial year, else
    /// `2024-01-01 to 2024-06-30` (the same span as the requested period,
    /// moved back a whole number of years).
    pub label: String,
    /// The year's first day (inclusive), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// The year's last day (inclusive), `YYYY-MM-DD`.
    pub to: NaiveDate,
    /// Records received in the year (by `received_on`), keyed by kind
    /// (`complaint`, `mp_enquiry`, …); every kind is present, with 0 when
    /// there were none.
    #[schema(value_type = BTreeMap<crate::feedback::types::Kind, i64>)]
    pub received: BTreeMap<String, i64>,
    /// Records responded to in the year (by `responded_on`), keyed by kind;
    /// every kind is present, with 0 when there were none.
    #[schema(value_type = BTreeMap<crate::feedback::types::Kind, i64>)]
    pub responded: BTreeMap<String, i64>,
    /// All records received in the year: the sum of `received`.
    pub total_received: i64,
    /// All records responded to in the year: the sum of `responded`.
    pub total_responded: i64,
    /// Ombudsman decisions made in the year (by `decided_on`), which the
    /// annual report counts beside feedback: every decision round, so a
    /// case re-opened and decided again counts in the year of each decision
    /// (the same count as `dealt_with` in the Ombudsman statistics). The
    /// cases of the Ombudsmen `ombudsman=` names: by default `lgsco` and
    /// `joint`.
    pub ombudsman_decided: i64,
    /// The annual report's feedback overview for the year, keyed by kind:
    /// each kind counted as received or as responded to, as the settings'
    /// `overview_basis` says (also given as this answer's `overview_basis`).
    /// Null when the year has no such records: the report prints "–", as the
    /// reference report does for dissatisfactions before they were recorded.
    /// Every kind is present.
    #[schema(value_type = BTreeMap<crate::feedback::types::Kind, Option<i64>>)]
    pub overview: BTreeMap<String, Option<i64>>,
    /// The overview's total, the one definition the JSON and the report
    /// share: the sum of `overview` plus `ombudsman_decided`.
    pub overview_total: i64,
}

/// Feedback volumes for the period and the years before it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackStatistics {
    /// The requested period: the first entry of `years`.
    pub period: Period,
    /// The directorate's code when one was asked for; null for every
    /// directorate the caller may see.
    pub directorate: Option<String>,
    /// The period, then the same span one year earlier, two years earlier
    /// and so on (as many as `years` asked for), newest first.
    pub years: Vec<YearVolumes>,
    /// Per kind: the change in records received, from the year before to the
    /// period, in percent rounded half-up to one decimal place (`-19.3` is
    /// a fall); null when none were received the year before or only one
    /// year was asked for. Every kind is present.
    #[schema(value_type = BTreeMap<crate::feedback::types::Kind, Option<f64>>)]
    pub change_percent: BTreeMap<String, Option<f64>>,
    /// Per kind: the change in records responded to, from the year before
    /// to the period, in percent rounded half-up to one decimal place (the
    /// reference report's "217 were responded to … falling by 24%"); null as
    /// for `change_percent`. Every kind is present.
    #[schema(value_type = BTreeMap<crate::feedback::types::Kind, Option<f64>>)]
    pub change_percent_responded: BTreeMap<String, Option<f64>>,
    /// How the overview counts each kind: `received` or `responded` (the
    /// settings' `overview_basis`). Every kind is present.
    #[schema(value_type = BTreeMap<crate::feedback::types::Kind, OverviewBasis>)]
    pub overview_basis: BTreeMap<String, OverviewBasis>,
    /// Per kind, in the requested period: the records open at some time in
    /// it (`worked_on`), those open at its start and its end, and those
    /// received before it and answered in it (`carried_over`); "open" means
    /// not yet responded to. Every kind is present.
    #[schema(value_type = BTreeMap<crate::feedback::types::Kind, Caseload>)]
    pub caseload: BTreeMap<String, Caseload>,
}

/// Records of one kind received, and responded to, in one of the requested
/// years.
#[derive(Debug, QueryableByName)]
struct KindInYear {
    /// The kind, as stored.
    #[diesel(sql_type = Text)]
    kind: String,
    /// The year's index in the requested years (0 is the period).
    #[diesel(sql_type = Integer)]
    year: i32,
    /// Records received in the year (by `received_on`).
    #[diesel(sql_type = BigInt)]
    received: i64,
    /// Records responded to in the year (by `responded_on`).
    #[diesel(sql_type = BigInt)]
    responded: i64,
}

/// Ombudsman cases decided in one of the requested years.
#[derive(Debug, QueryableByName)]
struct DecidedInYear {
    /// The year's index in the requested years (0 is the period).
    #[diesel(sql_type = Integer)]
    year: i32,
    /// Cases decided in the year (by `decided_on`).
    #[diesel(sql_type = BigInt)]
    decided: i64,
}

/// `WITH years (year, first_day, last_day) AS (VALUES (0, $1, $2), …)`: the
/// requested years as a table, numbered from 0 (the period).
fn with_years(years: &[Period]) -> Sql {
    let mut sql = Sql::new("WITH years (year, first_day, last_day) AS (VALUES");
    for (i, year) in years.iter().enumerate() {
        let open = if i == 0 { "(" } else { ", (" };
        sql = sql
            .push(&format!("{open}{i},"))
            .date(year.from)
            .push(",")
            .date(year.to)
            .push(")");
    }
    sql.push(")")
}

/// `(SELECT COUNT(*) …)`: the feedback records of kind `k.kind` in the
/// directorates of `scope` whose `column` falls in year `y`.
fn count_feedback(sql: Sql, column: &str, scope: &Scope) -> Sql {
    sql.push(&format!(
        "(SELECT COUNT(*) FROM feedback f WHERE f.kind = k.kind \
         AND f.{column} >= y.first_day AND f.{column} <= y.last_day"
    ))
    .scoped("f.directorate", scope)
    .push(")")
}

/// Records received and responded to, for every kind and requested year.
///
/// A row per kind and year, each count its own range of an index on
/// (directorate, kind, date) or (kind, date). One `GROUP BY` over every
/// record of the years gives the same figures but sorts or hashes every
/// record, and was measured several times slower, on SQLite above all.
/// A record is counted in every year its date falls in: the years of a
/// custom period longer than a year overlap.
fn volumes(years: &[Period], scope: &Scope) -> Sql {
    let mut sql = with_years(years).push(", kinds (kind) AS (VALUES");
    for (i, kind) in Kind::ALL.iter().enumerate() {
        sql = sql
            .push(if i == 0 { "(" } else { ", (" })
            .text(kind.as_str())
            .push(")");
    }
    sql = sql.push(") SELECT k.kind AS kind, y.year AS year,");
    sql = count_feedback(sql, "received_on", scope).push("AS received,");
    count_feedback(sql, "responded_on", scope).push("AS responded FROM years y CROSS JOIN kinds k")
}

/// Ombudsman decisions made in each requested year (every round), on the
/// cases of `ombudsmen`.
fn decided_by_year(years: &[Period], scope: &Scope, ombudsmen: &[Ombudsman]) -> Sql {
    let ombudsmen: Vec<&str> = ombudsmen.iter().map(|o| o.as_str()).collect();
    with_years(years)
        .push(
            "SELECT y.year AS year, (SELECT COUNT(*) FROM ombudsman_decisions d \
             JOIN ombudsman_cases c ON c.id = d.case_id \
             WHERE d.decided_on >= y.first_day AND d.decided_on <= y.last_day \
             AND d.decision IS NOT NULL",
        )
        .scoped("c.directorate", scope)
        .among("c.ombudsman", &ombudsmen)
        .push(") AS decided FROM years y")
}

/// The caseload of one kind in one year.
#[derive(Debug, QueryableByName)]
struct KindCaseload {
    /// The kind, as stored.
    #[diesel(sql_type = Text)]
    kind: String,
    /// Its caseload.
    #[diesel(embed)]
    caseload: Caseload,
}

/// The caseload of every kind in `year`.
fn caseload_by_kind(
    conn: &mut DbConnection,
    year: &Period,
    scope: &Scope,
) -> Result<BTreeMap<String, Caseload>, ApiError> {
    let mut by_kind: BTreeMap<String, Caseload> = Kind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), Caseload::default()))
        .collect();
    let rows: Vec<KindCaseload> =
        caseload(year, Some("kind"), |sql| sql.scoped("directorate", scope))
            .push("GROUP BY kind")
            .load(conn)?;
    for row in rows {
        by_kind.insert(row.kind, row.caseload);
    }
    Ok(by_kind)
}

/// `period` and the `count - 1` years before it, newest first.
fn years_back(period: &Period, count: usize) -> Vec<Period> {
    let mut years = vec![period.clone()];
    while years.len() < count {
        let before = years[years.len() - 1].year_before();
        years.push(before);
    }
    years
}

/// Counts per kind for the year with index `year`, read by `count`; every
/// kind present.
fn kinds_in(
    rows: &[KindInYear],
    year: usize,
    count: fn(&KindInYear) -> i64,
) -> BTreeMap<String, i64> {
    let mut map: BTreeMap<String, i64> = Kind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), 0))
        .collect();
    for row in rows.iter().filter(|r| r.year as usize == year) {
        *map.entry(row.kind.clone()).or_default() += count(row);
    }
    map
}

/// Per kind: the count `of` in the first year against the second, in
/// percent.
fn change_percent(
    volumes: &[YearVolumes],
    of: fn(&YearVolumes) -> &BTreeMap<String, i64>,
) -> BTreeMap<String, Option<f64>> {
    Kind::ALL
        .iter()
        .map(|kind| {
            let key = kind.as_str().to_string();
            let now = volumes.first().map(|y| of(y)[&key]).unwrap_or(0);
            let before = volumes.get(1).map(|y| of(y)[&key]).unwrap_or(0);
            let change = if volumes.len() > 1 {
                percent(now - before, before)
            } else {
                None
            };
            (key, change)
        })
        .collect()
}

/// The overview row of each kind: its count on its basis, null when none.
fn overview(
    received: &BTreeMap<String, i64>,
    responded: &BTreeMap<String, i64>,
    basis: &BTreeMap<String, OverviewBasis>,
) -> BTreeMap<String, Option<i64>> {
    basis
        .iter()
        .map(|(kind, basis)| {
            let counts = match basis {
                OverviewBasis::Received => received,
                OverviewBasis::Responded => responded,
            };
            let n = counts.get(kind).copied().unwrap_or(0);
            (kind.clone(), (n > 0).then_some(n))
        })
        .collect()
}

/// Compute the volumes for `period` and the `count - 1` years before it
/// (the Ombudsman decisions of the cases of `ombudsmen`), with the annual
/// report's overview counted on `basis` (the settings').
pub fn compute(
    conn: &mut DbConnection,
    period: &Period,
    count: usize,
    scope: &Scope,
    directorate: Option<&str>,
    ombudsmen: &[Ombudsman],
    basis: impl Fn(Kind) -> OverviewBasis,
) -> Result<FeedbackStatistics, ApiError> {
    let basis: BTreeMap<String, OverviewBasis> = Kind::ALL
        .iter()
        .map(|&kind| (kind.as_str().to_string(), basis(kind)))
        .collect();
    let years = years_back(period, count);
    let (counts, decided, caseload) = in_snapshot(conn, |conn| {
        Ok((
            volumes(&years, scope).load::<KindInYear>(conn)?,
            decided_by_year(&years, scope, ombudsmen).load::<DecidedInYear>(conn)?,
            caseload_by_kind(conn, period, scope)?,
        ))
    })?;
    let volumes: Vec<YearVolumes> = years
        .iter()
        .enumerate()
        .map(|(i, year)| {
            let received = kinds_in(&counts, i, |r| r.received);
            let responded = kinds_in(&counts, i, |r| r.responded);
            let ombudsman_decided = decided
                .iter()
                .filter(|r| r.year as usize == i)
                .map(|r| r.decided)
                .sum();
            let overview = overview(&received, &responded, &basis);
            YearVolumes {
                label: year.label.clone(),
                from: year.from,
                to: year.to,
                total_received: received.values().sum(),
                total_responded: responded.values().sum(),
                received,
                responded,
                overview_total: overview.values().flatten().sum::<i64>() + ombudsman_decided,
                overview,
                ombudsman_decided,
            }
        })
        .collect();
    Ok(FeedbackStatistics {
        period: period.clone(),
        directorate: directorate.map(str::to_string),
        change_percent: change_percent(&volumes, |y| &y.received),
        change_percent_responded: change_percent(&volumes, |y| &y.responded),
        overview_basis: basis,
        caseload,
        years: volumes,
    })
}
