//! Feedback volumes: received and responded to, by kind, year by year.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::Kind;
use crate::statistics::sql::{Sql, StatRow, NO_KEY, NO_SUM, TYPED_NO_KEY, TYPED_NO_SUM};
use crate::statistics::{percent, Period, Scope};

/// One year's volumes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearVolumes {
    /// `2024-25`, or the dates of a custom period.
    pub label: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Records received in the year, by kind (every kind, zero included).
    pub received: BTreeMap<String, i64>,
    /// Records responded to in the year, by kind.
    pub responded: BTreeMap<String, i64>,
    /// All records received.
    pub total_received: i64,
    /// All records responded to.
    pub total_responded: i64,
    /// Ombudsman cases decided in the year (the annual report counts them with feedback).
    pub ombudsman_decided: i64,
}

/// Feedback volumes for the period and the years before it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackStatistics {
    /// The period.
    pub period: Period,
    /// The directorate, or null for all the caller's.
    pub directorate: Option<String>,
    /// The period and the years before it, newest first.
    pub years: Vec<YearVolumes>,
    /// Per kind: received this year against the year before, percent (one
    /// decimal place), null when none were received the year before.
    pub change_percent: BTreeMap<String, Option<f64>>,
}

/// The one statement behind the volumes (also run by the benchmark): a
/// count per kind and year of records received, and of records responded
/// to, and of Ombudsman cases decided. Each count is a range scan of an
/// index on (directorate, kind, date) or (kind, date), read alone, which is
/// far cheaper than grouping every record of four years.
pub fn statement(years: &[Period], scope: &Scope) -> Sql {
    let mut sql = Sql::new("");
    let mut first = true;
    let mut part = |sql: Sql,
                    section: &str,
                    kind: Option<Kind>,
                    year: usize,
                    table: &str,
                    column: &str,
                    extra: &str|
     -> Sql {
        let is_first = std::mem::take(&mut first);
        let union = if is_first { "" } else { "UNION ALL " };
        let (no_key, no_sum) = if is_first {
            (TYPED_NO_KEY, TYPED_NO_SUM)
        } else {
            (NO_KEY, NO_SUM)
        };
        let kind_key = kind
            .map(|k| format!("'{}'", k.as_str()))
            .unwrap_or_else(|| no_key.to_string());
        let year_key = if is_first {
            format!("CAST('{year}' AS TEXT)")
        } else {
            format!("'{year}'")
        };
        let kind_filter = if kind.is_some() { "kind = ? AND " } else { "" };
        let mut sql = sql.push(&format!(
            "{union}SELECT '{section}' AS section, {kind_key} AS k1, {year_key} AS k2, {no_key} AS k3, \
             {no_key} AS k4, {no_key} AS k5, {no_key} AS k6, COUNT(*) AS n, {no_sum} AS v1, {no_sum} AS v2, \
             {no_sum} AS v3, {no_sum} AS v4, {no_sum} AS v5 FROM {table} WHERE {kind_filter}{column} >= ? AND {column} <= ? {extra}"
        ));
        if let Some(kind) = kind {
            sql = sql.text(kind.as_str());
        }
        sql.date(years[year].from)
            .date(years[year].to)
            .scoped("directorate", scope)
    };
    for (section, column) in [("received", "received_on"), ("responded", "responded_on")] {
        for kind in Kind::ALL {
            for year in 0..years.len() {
                sql = part(sql, section, Some(*kind), year, "feedback", column, "");
            }
        }
    }
    for year in 0..years.len() {
        sql = part(
            sql,
            "decided",
            None,
            year,
            "ombudsman_cases",
            "decided_on",
            "AND decision IS NOT NULL",
        );
    }
    sql
}

/// Compute the volumes for `period` and the `count - 1` years before it.
pub fn compute(
    conn: &mut DbConnection,
    period: &Period,
    count: usize,
    scope: &Scope,
    directorate: Option<&str>,
) -> Result<FeedbackStatistics, ApiError> {
    let mut years = vec![period.clone()];
    while years.len() < count {
        let before = years[years.len() - 1].year_before();
        years.push(before);
    }
    let rows: Vec<StatRow> = statement(&years, scope).load(conn)?;
    let received: Vec<&StatRow> = rows.iter().filter(|r| r.is("received")).collect();
    let responded: Vec<&StatRow> = rows.iter().filter(|r| r.is("responded")).collect();
    let decided: Vec<&StatRow> = rows.iter().filter(|r| r.is("decided")).collect();
    let by_kind = |rows: &[&StatRow], year: usize| -> BTreeMap<String, i64> {
        let mut map: BTreeMap<String, i64> = Kind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), 0))
            .collect();
        for row in rows
            .iter()
            .filter(|r| r.k2.as_deref() == Some(year.to_string().as_str()))
        {
            if let Some(kind) = &row.k1 {
                *map.entry(kind.clone()).or_default() += row.n;
            }
        }
        map
    };
    let volumes: Vec<YearVolumes> = years
        .iter()
        .enumerate()
        .map(|(i, year)| {
            let received = by_kind(&received, i);
            let responded = by_kind(&responded, i);
            YearVolumes {
                label: year.label.clone(),
                from: year.from,
                to: year.to,
                total_received: received.values().sum(),
                total_responded: responded.values().sum(),
                received,
                responded,
                ombudsman_decided: decided
                    .iter()
                    .filter(|r| r.k2.as_deref() == Some(i.to_string().as_str()))
                    .map(|r| r.n)
                    .sum(),
            }
        })
        .collect();
    let change_percent = Kind::ALL
        .iter()
        .map(|kind| {
            let key = kind.as_str().to_string();
            let now = volumes.first().map(|y| y.received[&key]).unwrap_or(0);
            let before = volumes.get(1).map(|y| y.received[&key]).unwrap_or(0);
            let change = if volumes.len() > 1 {
                percent(now - before, before)
            } else {
                None
            };
            (key, change)
        })
        .collect();
    Ok(FeedbackStatistics {
        period: period.clone(),
        directorate: directorate.map(str::to_string),
        years: volumes,
        change_percent,
    })
}
