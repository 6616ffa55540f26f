//! The Ombudsman's annual view of the council: cases decided in the period.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::ombudsman::types::{Compliance, Decision, DecisionBucket};
use crate::settings::model::{Benchmark, Stored};
use crate::statistics::sql::{count_if, Sql, StatRow, NO_KEY, NO_SUM, TYPED_NO_KEY, TYPED_NO_SUM};
use crate::statistics::{one_decimal, Period, Rate, Scope};

/// Upheld decisions per 100,000 residents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PerPopulation {
    /// Upheld decisions.
    pub upheld: i64,
    /// Residents (from settings).
    pub population: Option<i64>,
    /// Upheld per 100,000 residents, one decimal place; null without a population.
    pub value: Option<f64>,
}

/// Compliance with recommendations: cases whose compliance was recorded in
/// the period, and how many of them complied (late or not).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceRate {
    /// Complied or complied late.
    pub numerator: i64,
    /// Cases with a compliance outcome recorded in the period.
    pub denominator: i64,
    /// Percent, one decimal place; null when there are none.
    pub percent: Option<f64>,
    /// Of the numerator, complied late.
    pub late: i64,
}

/// The Ombudsman's information requests due in the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InformationRequests {
    /// Requests due in the period.
    pub total: i64,
    /// Answered after their due date, or still unanswered after it.
    pub late: i64,
}

/// One Ombudsman category's cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanCategoryLine {
    /// The Ombudsman's category (null when not recorded).
    pub category: Option<String>,
    /// Decided.
    pub dealt_with: i64,
    /// Investigated.
    pub investigated: i64,
    /// Upheld.
    pub upheld: i64,
}

/// The Ombudsman's statistics for the council.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanStatistics {
    /// The period (cases count by `decided_on`).
    pub period: Period,
    /// The directorate, or null for the whole council.
    pub directorate: Option<String>,
    /// Complaints and enquiries decided.
    pub dealt_with: i64,
    /// Advice given, referred back, incomplete or invalid.
    pub not_for_us: i64,
    /// Closed after initial enquiries.
    pub assessed_and_closed: i64,
    /// Investigated (upheld or not).
    pub investigated: i64,
    /// Upheld.
    pub upheld: i64,
    /// Not upheld.
    pub not_upheld: i64,
    /// Upheld of investigated.
    pub uphold_rate: Rate,
    /// Upheld per 100,000 residents.
    pub upheld_per_100k: PerPopulation,
    /// Upheld cases the council had already remedied satisfactorily, of upheld.
    pub satisfactory_remedy: Rate,
    /// Compliance with recommendations.
    pub compliance: ComplianceRate,
    /// Information requests due in the period.
    pub information_requests: InformationRequests,
    /// Witness summonses among the cases decided.
    pub witness_summons: i64,
    /// Payments recommended in cases decided in the period, in pence.
    pub financial_redress_pence: i64,
    /// Public reports among the cases decided.
    pub public_reports: i64,
    /// Decided cases by the Ombudsman's category.
    pub by_category: Vec<OmbudsmanCategoryLine>,
    /// The Ombudsman's averages for similar authorities that year, if recorded.
    pub comparison: Option<Benchmark>,
}

/// The one statement behind the statistics (also run by the benchmark):
/// cases decided in the period by bucket, decision and category, with
/// remedies, reports and summonses; compliance recorded in the period;
/// information requests due in it (late by `today`); and payments
/// recommended.
pub fn statement(period: &Period, scope: &Scope, today: NaiveDate) -> Sql {
    Sql::new(&format!(
        "SELECT 'decided' AS section, decision_bucket AS k1, decision AS k2, category AS k3, {TYPED_NO_KEY} AS k4, \
           {TYPED_NO_KEY} AS k5, {TYPED_NO_KEY} AS k6, COUNT(*) AS n, {} AS v1, {} AS v2, {} AS v3, \
           {TYPED_NO_SUM} AS v4, {TYPED_NO_SUM} AS v5 \
         FROM ombudsman_cases WHERE decided_on >= ? AND decided_on <= ? AND decision IS NOT NULL",
        count_if("remedied_before_ombudsman"),
        count_if("public_report"),
        count_if("witness_summons"),
    ))
    .date(period.from)
    .date(period.to)
    .scoped("directorate", scope)
    .push("GROUP BY decision_bucket, decision, category")
    .push(&format!(
        "UNION ALL SELECT 'compliance', compliance_outcome, {NO_KEY}, {NO_KEY}, {NO_KEY}, {NO_KEY}, {NO_KEY}, COUNT(*), \
           {NO_SUM}, {NO_SUM}, {NO_SUM}, {NO_SUM}, {NO_SUM} \
         FROM ombudsman_cases WHERE compliance_recorded_on >= ? AND compliance_recorded_on <= ? \
         AND compliance_outcome IS NOT NULL"
    ))
    .date(period.from)
    .date(period.to)
    .scoped("directorate", scope)
    .push("GROUP BY compliance_outcome")
    .push(&format!(
        "UNION ALL SELECT 'requests', {NO_KEY}, {NO_KEY}, {NO_KEY}, {NO_KEY}, {NO_KEY}, {NO_KEY}, COUNT(*), {}, \
           {NO_SUM}, {NO_SUM}, {NO_SUM}, {NO_SUM} \
         FROM ombudsman_information_requests r JOIN ombudsman_cases c ON c.id = r.case_id \
         WHERE r.due_on >= ? AND r.due_on <= ?",
        count_if("(r.provided_on IS NOT NULL AND r.provided_on > r.due_on) OR (r.provided_on IS NULL AND r.due_on < ?)"),
    ))
    .date(today)
    .date(period.from)
    .date(period.to)
    .scoped("c.directorate", scope)
    .push(&format!(
        "UNION ALL SELECT 'redress', {NO_KEY}, {NO_KEY}, {NO_KEY}, {NO_KEY}, {NO_KEY}, {NO_KEY}, COUNT(*), \
           COALESCE(CAST(SUM(r.amount_pence) AS BIGINT), 0), {NO_SUM}, {NO_SUM}, {NO_SUM}, {NO_SUM} \
         FROM ombudsman_recommendations r JOIN ombudsman_cases c ON c.id = r.case_id \
         WHERE c.decided_on >= ? AND c.decided_on <= ? AND c.decision IS NOT NULL"
    ))
    .date(period.from)
    .date(period.to)
    .scoped("c.directorate", scope)
}

/// Compute the statistics; `today` decides which unanswered information
/// requests are late.
pub fn compute(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    directorate: Option<&str>,
    settings: &Stored,
    today: NaiveDate,
) -> Result<OmbudsmanStatistics, ApiError> {
    let all: Vec<StatRow> = statement(period, scope, today).load(conn)?;
    let rows: Vec<&StatRow> = all.iter().filter(|r| r.is("decided")).collect();
    let compliance: Vec<&StatRow> = all.iter().filter(|r| r.is("compliance")).collect();
    let requests = all.iter().find(|r| r.is("requests"));
    let redress = all.iter().find(|r| r.is("redress"));

    let count =
        |pred: &dyn Fn(&StatRow) -> bool| rows.iter().filter(|r| pred(r)).map(|r| r.n).sum::<i64>();
    let bucket = |b: DecisionBucket| count(&|r| r.k1.as_deref() == Some(b.as_str()));
    let decision = |d: Decision| count(&|r| r.k2.as_deref() == Some(d.as_str()));
    let (upheld, not_upheld, investigated) = (
        decision(Decision::Upheld),
        decision(Decision::NotUpheld),
        bucket(DecisionBucket::Investigated),
    );
    let mut by_category: BTreeMap<Option<String>, OmbudsmanCategoryLine> = BTreeMap::new();
    for row in &rows {
        let line = by_category
            .entry(row.k3.clone())
            .or_insert_with(|| OmbudsmanCategoryLine {
                category: row.k3.clone(),
                dealt_with: 0,
                investigated: 0,
                upheld: 0,
            });
        line.dealt_with += row.n;
        if row.k1.as_deref() == Some(DecisionBucket::Investigated.as_str()) {
            line.investigated += row.n;
        }
        if row.k2.as_deref() == Some(Decision::Upheld.as_str()) {
            line.upheld += row.n;
        }
    }
    let mut by_category: Vec<OmbudsmanCategoryLine> = by_category.into_values().collect();
    by_category.sort_by(|a, b| {
        b.dealt_with
            .cmp(&a.dealt_with)
            .then_with(|| a.category.cmp(&b.category))
    });
    let outcome = |c: Compliance| {
        compliance
            .iter()
            .filter(|r| r.k1.as_deref() == Some(c.as_str()))
            .map(|r| r.n)
            .sum::<i64>()
    };
    let (complied, late) = (
        outcome(Compliance::Complied),
        outcome(Compliance::CompliedLate),
    );
    let recorded: i64 = compliance.iter().map(|r| r.n).sum();
    let flags = rows
        .iter()
        .fold((0, 0, 0), |(a, b, c), r| (a + r.v1, b + r.v2, c + r.v3));
    let population = settings.settings.population;
    Ok(OmbudsmanStatistics {
        period: period.clone(),
        directorate: directorate.map(str::to_string),
        dealt_with: rows.iter().map(|r| r.n).sum(),
        not_for_us: bucket(DecisionBucket::NotForUs),
        assessed_and_closed: bucket(DecisionBucket::AssessedAndClosed),
        investigated,
        upheld,
        not_upheld,
        uphold_rate: Rate::of(upheld, investigated),
        upheld_per_100k: PerPopulation {
            upheld,
            population,
            value: population
                .filter(|p| *p > 0)
                .map(|p| one_decimal(upheld as f64 * 100_000.0 / p as f64)),
        },
        satisfactory_remedy: Rate::of(flags.0, upheld),
        compliance: ComplianceRate {
            numerator: complied + late,
            denominator: recorded,
            percent: crate::statistics::percent(complied + late, recorded),
            late,
        },
        information_requests: InformationRequests {
            total: requests.map(|r| r.n).unwrap_or(0),
            late: requests.map(|r| r.v1).unwrap_or(0),
        },
        witness_summons: flags.2,
        financial_redress_pence: redress.map(|r| r.v1).unwrap_or(0),
        public_reports: flags.1,
        by_category,
        comparison: settings.benchmark(period.start_year()).cloned(),
    })
}
