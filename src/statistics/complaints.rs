//! The complaint analysis of the statutory annual report: how many were
//! received, and of those responded to in the period, why, with what
//! outcome, and how quickly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::{Kind, Procedure};
use crate::statistics::sql::{count_if, Sql, StatRow, NO_KEY, NO_SUM};
use crate::statistics::{percent, Disclosure, Period, Rate, Scope};

/// Which records the analysis covers.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintParams {
    /// The kind of record (default `complaint`); any kind may be analysed,
    /// e.g. `mp_enquiry` or `senior_manager_review`.
    pub kind: Option<Kind>,
    /// Only this procedure.
    pub procedure: Option<Procedure>,
    /// Only this stage.
    #[param(minimum = 1, maximum = 3)]
    pub stage: Option<i32>,
}

/// One sub-category's count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubCategoryLine {
    /// The sub-category (null when not recorded).
    pub sub_category: Option<String>,
    /// Records responded to.
    pub count: i64,
}

/// One main reason's count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryLine {
    /// The main reason (null when not recorded).
    pub category: Option<String>,
    /// Records responded to.
    pub count: i64,
    /// Percent of all responded to, one decimal place.
    pub percent: Option<f64>,
    /// The reasons in more detail.
    pub sub_categories: Vec<SubCategoryLine>,
}

/// How quickly the records responded to in the period were answered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelinessSummary {
    /// By the (possibly extended) target date.
    pub within_target: i64,
    /// After it.
    pub outside_target: i64,
    /// Outside target, of those with a target.
    pub outside_target_percent: Rate,
    /// By the latest date the rules allow (where a limit applies).
    pub within_statutory_limit: i64,
    /// With an agreed extension.
    pub extended: i64,
    /// The median working days from receipt to response.
    pub median_working_days: Option<f64>,
}

/// One procedure stage's counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageLine {
    /// Procedure.
    pub procedure: Option<Procedure>,
    /// Stage.
    pub stage: Option<i32>,
    /// Received in the period.
    pub received: i64,
    /// Responded to in the period.
    pub responded: i64,
}

/// Complaints by young people: a breakdown that describes people, so for
/// analysts a count from 1 to 4 is null and `suppressed` is true.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YoungPeople {
    /// Received in the period from young people; null when suppressed.
    pub received: Option<i64>,
    /// Of those, made with an advocate; null when suppressed.
    pub advocate_assisted: Option<i64>,
    /// Whether a count here is suppressed (from 1 to 4, for analysts).
    pub suppressed: bool,
}

impl YoungPeople {
    fn new(received: i64, advocate_assisted: i64, disclosure: Disclosure) -> YoungPeople {
        let (received, advocate_assisted) = (
            disclosure.count(received),
            disclosure.count(advocate_assisted),
        );
        YoungPeople {
            suppressed: received.is_none() || advocate_assisted.is_none(),
            received,
            advocate_assisted,
        }
    }
}

/// The complaint analysis.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintStatistics {
    /// The period.
    pub period: Period,
    /// The directorate, or null for all the caller's.
    pub directorate: Option<String>,
    /// The kind analysed.
    pub kind: Kind,
    /// The procedure, if narrowed.
    pub procedure: Option<Procedure>,
    /// The stage, if narrowed.
    pub stage: Option<i32>,
    /// Received in the period (by `received_on`).
    pub received: i64,
    /// Responded to in the period (by `responded_on`); everything below
    /// counts these.
    pub responded: i64,
    /// By main reason, most frequent first.
    pub by_category: Vec<CategoryLine>,
    /// By outcome (every outcome, zero included).
    pub outcomes: BTreeMap<String, i64>,
    /// Timeliness.
    pub timeliness: TimelinessSummary,
    /// By procedure and stage.
    pub by_stage: Vec<StageLine>,
    /// Young people.
    pub young_people: YoungPeople,
    /// Reopened records among those responded to.
    pub reopened: i64,
}

fn narrowed(sql: Sql, kind: Kind, params: &ComplaintParams, scope: &Scope) -> Sql {
    let mut sql = sql.push("AND kind = ?").text(kind.as_str());
    if let Some(procedure) = params.procedure {
        sql = sql.push("AND procedure = ?").text(procedure.as_str());
    }
    if let Some(stage) = params.stage {
        sql = sql.push("AND stage = ?").int(i64::from(stage));
    }
    sql.scoped("directorate", scope)
}

/// The one statement behind the analysis (also run by the benchmark):
/// records responded to in the period, grouped by reason, outcome, stage
/// and working days, with their timeliness; and records received, grouped
/// by stage, with young people and advocates.
pub fn statement(period: &Period, kind: Kind, params: &ComplaintParams, scope: &Scope) -> Sql {
    let responded = Sql::new(&format!(
        "SELECT 'responded' AS section, category AS k1, sub_category AS k2, outcome AS k3, procedure AS k4, \
           CAST(stage AS TEXT) AS k5, CAST(working_days_taken AS TEXT) AS k6, COUNT(*) AS n, \
           {} AS v1, {} AS v2, {} AS v3, {} AS v4, {} AS v5 \
         FROM feedback WHERE responded_on >= ? AND responded_on <= ?",
        count_if("due_on IS NOT NULL AND responded_on <= due_on"),
        count_if("due_on IS NOT NULL AND responded_on > due_on"),
        count_if("limit_on IS NOT NULL AND responded_on <= limit_on"),
        count_if("extended_due_on IS NOT NULL"),
        count_if("reopened"),
    ))
    .date(period.from)
    .date(period.to);
    let sql = narrowed(responded, kind, params, scope)
        .push("GROUP BY category, sub_category, outcome, procedure, stage, working_days_taken")
        .push(&format!(
            "UNION ALL SELECT 'received', {NO_KEY}, {NO_KEY}, {NO_KEY}, procedure, CAST(stage AS TEXT), {NO_KEY}, COUNT(*), \
               {}, {}, {NO_SUM}, {NO_SUM}, {NO_SUM} \
             FROM feedback WHERE received_on >= ? AND received_on <= ?",
            count_if("is_young_person"),
            count_if("is_young_person AND advocate_assisted"),
        ))
        .date(period.from)
        .date(period.to);
    narrowed(sql, kind, params, scope).push("GROUP BY procedure, stage")
}

/// The median of a histogram of `(value, count)` pairs.
fn median(histogram: &[(i32, i64)]) -> Option<f64> {
    let total: i64 = histogram.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let nth = |k: i64| {
        let mut seen = 0;
        for (value, n) in histogram {
            seen += n;
            if seen > k {
                return *value;
            }
        }
        histogram.last().map(|(v, _)| *v).unwrap_or(0)
    };
    Some(if total % 2 == 1 {
        f64::from(nth(total / 2))
    } else {
        (f64::from(nth(total / 2 - 1)) + f64::from(nth(total / 2))) / 2.0
    })
}

/// Compute the analysis, its counts about people shown as `disclosure` allows.
pub fn compute(
    conn: &mut DbConnection,
    period: &Period,
    params: &ComplaintParams,
    scope: &Scope,
    directorate: Option<&str>,
    disclosure: Disclosure,
) -> Result<ComplaintStatistics, ApiError> {
    let kind = params.kind.unwrap_or(Kind::Complaint);
    let rows: Vec<StatRow> = statement(period, kind, params, scope).load(conn)?;
    let stage_of = |text: &Option<String>| text.as_deref().and_then(|s| s.parse::<i32>().ok());
    let responded: Vec<&StatRow> = rows.iter().filter(|r| r.is("responded")).collect();
    let received: Vec<&StatRow> = rows.iter().filter(|r| r.is("received")).collect();
    let mut days: BTreeMap<i32, i64> = BTreeMap::new();
    for row in &responded {
        if let Some(d) = stage_of(&row.k6) {
            *days.entry(d).or_default() += row.n;
        }
    }

    let total: i64 = responded.iter().map(|r| r.n).sum();
    let sum = |f: &dyn Fn(&StatRow) -> i64| responded.iter().map(|r| f(r)).sum::<i64>();
    let mut categories: BTreeMap<Option<String>, BTreeMap<Option<String>, i64>> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, i64> = crate::feedback::types::Outcome::ALL
        .iter()
        .map(|o| (o.as_str().to_string(), 0))
        .collect();
    let mut stages: BTreeMap<(Option<String>, Option<i32>), (i64, i64)> = BTreeMap::new();
    for row in &responded {
        *categories
            .entry(row.k1.clone())
            .or_default()
            .entry(row.k2.clone())
            .or_default() += row.n;
        if let Some(outcome) = &row.k3 {
            *outcomes.entry(outcome.clone()).or_default() += row.n;
        }
        stages
            .entry((row.k4.clone(), stage_of(&row.k5)))
            .or_default()
            .1 += row.n;
    }
    for row in &received {
        stages
            .entry((row.k4.clone(), stage_of(&row.k5)))
            .or_default()
            .0 += row.n;
    }
    let mut by_category: Vec<CategoryLine> = categories
        .into_iter()
        .map(|(category, subs)| {
            let count = subs.values().sum();
            let mut sub_categories: Vec<SubCategoryLine> = subs
                .into_iter()
                .map(|(sub_category, count)| SubCategoryLine {
                    sub_category,
                    count,
                })
                .collect();
            sub_categories.sort_by(|a, b| {
                b.count
                    .cmp(&a.count)
                    .then_with(|| a.sub_category.cmp(&b.sub_category))
            });
            CategoryLine {
                category,
                count,
                percent: percent(count, total),
                sub_categories,
            }
        })
        .collect();
    by_category.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.category.cmp(&b.category))
    });
    let by_stage = stages
        .into_iter()
        .map(|((procedure, stage), (received, responded))| {
            Ok(StageLine {
                procedure: procedure.as_deref().map(Procedure::from_db).transpose()?,
                stage,
                received,
                responded,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let (within, outside) = (sum(&|r| r.v1), sum(&|r| r.v2));
    let histogram: Vec<(i32, i64)> = days.into_iter().collect();
    Ok(ComplaintStatistics {
        period: period.clone(),
        directorate: directorate.map(str::to_string),
        kind,
        procedure: params.procedure,
        stage: params.stage,
        received: received.iter().map(|r| r.n).sum(),
        responded: total,
        by_category,
        outcomes,
        timeliness: TimelinessSummary {
            within_target: within,
            outside_target: outside,
            outside_target_percent: Rate::of(outside, within + outside),
            within_statutory_limit: sum(&|r| r.v3),
            extended: sum(&|r| r.v4),
            median_working_days: median(&histogram),
        },
        by_stage,
        young_people: YoungPeople::new(
            received.iter().map(|r| r.v1).sum(),
            received.iter().map(|r| r.v2).sum(),
            disclosure,
        ),
        reopened: sum(&|r| r.v5),
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians_of_histograms() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[(5, 1)]), Some(5.0));
        assert_eq!(median(&[(1, 1), (2, 1), (9, 1)]), Some(2.0));
        assert_eq!(median(&[(1, 2), (3, 2)]), Some(2.0));
        assert_eq!(median(&[(10, 3), (20, 1)]), Some(10.0));
    }
}
