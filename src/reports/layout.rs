//! The report's layouts: which published report a directorate's annual
//! report follows, and the sections the children's and corporate layouts add
//! (stages against the previous year, quarters, services, themes, stages
//! across the years, the Ombudsman by service).

use std::collections::BTreeMap;

use diesel::sql_types::Text;
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::{Kind, Outcome, Procedure};
use crate::ombudsman::types::Ombudsman;
use crate::statistics::complaints::{self, ComplaintParams, StageLine};
use crate::statistics::groups::{quarter_of, GroupLine};
use crate::statistics::ombudsman::{CaseDimension, CaseGroup};
use crate::statistics::sql::Sql;
use crate::statistics::{Disclosure, Period, Scope};
use crate::text_enum;

text_enum! {
    /// Which published report the annual report follows.
    pub enum Layout {
        /// The adult social care report: feedback over four years, formal
        /// complaints by reason and outcome, dissatisfactions, senior
        /// manager reviews, enquiries, the Ombudsman and improvements.
        Adults => "adults",
        /// The children's services report: the statutory and corporate
        /// procedures' stages against the previous year, quarterly volumes,
        /// service areas, themes, young people and advocacy, reopened
        /// complaints, extensions, stages across the years, and the
        /// Ombudsman's cases by service area.
        Children => "children",
        /// The corporate report: the children's layout for the corporate
        /// procedure alone, without young people and advocacy.
        Corporate => "corporate",
    }
}

impl Layout {
    /// The procedures whose stages the layout reports, in order; none for
    /// the adults layout, which reports by kind of record.
    pub fn procedures(self) -> &'static [Procedure] {
        match self {
            Layout::Adults => &[],
            Layout::Children => &[Procedure::StatutoryChildren, Procedure::Corporate],
            Layout::Corporate => &[Procedure::Corporate],
        }
    }

    /// The layout of a directorate's report, from the procedures its most
    /// recent complaints follow: children's statutory complaints make the
    /// children's layout, adult social care ones the adults layout, and a
    /// directorate with only corporate complaints (or none) the corporate
    /// layout. The whole council's report has the adults layout.
    pub fn of_directorate(
        conn: &mut DbConnection,
        directorate: Option<&str>,
    ) -> Result<Layout, ApiError> {
        let Some(code) = directorate else {
            return Ok(Layout::Adults);
        };
        #[derive(QueryableByName)]
        struct Followed {
            #[diesel(sql_type = Text)]
            procedure: String,
        }
        // Its most recent complaints: an index range read backwards, where
        // every record of the directorate took half a second at a million.
        let followed: Vec<String> = Sql::new(
            "SELECT procedure FROM feedback WHERE kind = 'complaint' AND procedure IS NOT NULL \
             AND directorate =",
        )
        .text(code)
        .push(&format!(
            "ORDER BY received_on DESC LIMIT {RECENT_COMPLAINTS}"
        ))
        .load::<Followed>(conn)?
        .into_iter()
        .map(|f| f.procedure)
        .collect();
        let follows = |p: Procedure| followed.iter().any(|f| f == p.as_str());
        Ok(if follows(Procedure::StatutoryChildren) {
            Layout::Children
        } else if follows(Procedure::StatutoryAdults) {
            Layout::Adults
        } else {
            Layout::Corporate
        })
    }
}

text_enum! {
    /// What the report is made as.
    pub enum ReportFormat {
        /// A printable HTML page (what a browser's `Accept` gets).
        Html => "html",
        /// The same content as JSON (`AnnualReport`).
        Json => "json",
        /// The HTML page printed to PDF by headless Chromium; 406 on a
        /// server without it.
        Pdf => "pdf",
        /// The report's figures as CSV: a `Figure,Value` table and a table
        /// per breakdown.
        Csv => "csv",
    }
}

/// How many of a directorate's most recent complaints decide its layout.
const RECENT_COMPLAINTS: usize = 200;

/// The report's layout and format.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LayoutParams {
    /// `html`, `json`, `pdf` or `csv`; overrides `Accept` (which may ask
    /// for `application/json`, `application/pdf` or `text/csv`).
    pub format: Option<ReportFormat>,
    /// The layout: `adults`, `children` or `corporate`. Default: the one the
    /// directorate's procedures call for (children's statutory complaints:
    /// `children`; adult social care: `adults`; otherwise `corporate`), and
    /// `adults` for the whole council.
    pub layout: Option<Layout>,
}

/// The figures of one stage of a procedure in one year.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StageFigures {
    /// Complaints received at the stage in the year.
    pub received: i64,
    /// Complaints responded to at the stage in the year; the rest count
    /// these.
    pub responded: i64,
    /// Upheld.
    pub upheld: i64,
    /// Partially upheld.
    pub partially_upheld: i64,
    /// Not upheld.
    pub not_upheld: i64,
    /// Responded to outside the stage's original timescale.
    pub outside_original_target: i64,
    /// With an agreed extension.
    pub extended: i64,
}

impl StageFigures {
    fn of(line: &GroupLine) -> StageFigures {
        let outcome = |o: Outcome| {
            line.outcomes
                .as_ref()
                .and_then(|m| m.get(o.as_str()).copied())
                .unwrap_or(0)
        };
        StageFigures {
            received: line.received.unwrap_or(0),
            responded: line.responded.unwrap_or(0),
            upheld: outcome(Outcome::Upheld),
            partially_upheld: outcome(Outcome::PartiallyUpheld),
            not_upheld: outcome(Outcome::NotUpheld),
            outside_original_target: line.outside_original_target.unwrap_or(0),
            extended: line.extended.unwrap_or(0),
        }
    }
}

/// One stage of a procedure, this year and the year before (the published
/// reports' "12 (15)").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageComparison {
    /// The procedure.
    pub procedure: Procedure,
    /// The stage, 1 to 3.
    pub stage: i32,
    /// The report's year.
    pub this_year: StageFigures,
    /// The same span a year earlier.
    pub previous_year: StageFigures,
}

/// Feedback received in one quarter, by kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuarterVolumes {
    /// The financial quarter (`2024-25 Q1` is April to June 2024).
    pub quarter: String,
    /// Received in the quarter, by kind; every kind present.
    #[schema(value_type = BTreeMap<crate::feedback::types::Kind, i64>)]
    pub received: BTreeMap<String, i64>,
}

/// Complaints received at each stage in one year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StagesInYear {
    /// The year's label (`2024-25`).
    pub label: String,
    /// The year.
    pub period: Period,
    /// Complaints received and responded to, by procedure and stage.
    pub by_stage: Vec<StageLine>,
}

/// The sections of the children's and corporate layouts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProcedureReport {
    /// The procedures reported, in order.
    pub procedures: Vec<Procedure>,
    /// Each stage of each procedure, this year and the year before: the
    /// stages the timescales name for the year, and any other stage with
    /// complaints.
    pub stages: Vec<StageComparison>,
    /// Feedback received in each quarter of the period, by kind.
    pub quarterly: Vec<QuarterVolumes>,
    /// Complaints (every stage and procedure) by service area.
    pub by_service_area: Vec<GroupLine>,
    /// Complaints by theme: a share is "complaints with the theme /
    /// complaints".
    pub themes: Vec<GroupLine>,
    /// Complaints received at each stage, in the period and the three
    /// years before it, oldest first.
    pub stages_by_year: Vec<StagesInYear>,
    /// The Ombudsman's cases by service area: carried in (`open_at_start`),
    /// received, decided and ongoing at the end (`open_at_end`).
    pub ombudsman_by_service_area: Vec<CaseGroup>,
}

/// How many years the stages-across-the-years chart shows.
const YEARS_SHOWN: usize = 4;

/// The children's or corporate sections of `layout`, or `None` for the
/// adults layout.
pub fn assemble(
    conn: &mut DbConnection,
    layout: Layout,
    period: &Period,
    scope: &Scope,
    directorate: Option<&str>,
    ombudsmen: &[Ombudsman],
    disclosure: Disclosure,
) -> Result<Option<ProcedureReport>, ApiError> {
    let procedures = layout.procedures();
    if procedures.is_empty() {
        return Ok(None);
    }
    let analyse = |conn: &mut DbConnection, period: &Period, params: ComplaintParams| {
        complaints::compute(conn, period, &params, scope, directorate, disclosure)
    };
    // Only the breakdown, where that is all a section shows.
    let breakdown = |conn: &mut DbConnection, period: &Period, params: ComplaintParams| {
        complaints::breakdown(conn, period, &params, scope, disclosure)
    };
    let complaints_by = |procedure: Option<Procedure>, group_by: &str| ComplaintParams {
        procedure,
        group_by: Some(group_by.into()),
        ..ComplaintParams::of_kind(Kind::Complaint)
    };
    let timescales = crate::timescales::model::load(conn)?;
    let mut stages = Vec::new();
    for procedure in procedures {
        let this_year = breakdown(conn, period, complaints_by(Some(*procedure), "stage"))?;
        let previous = breakdown(
            conn,
            &period.year_before(),
            complaints_by(Some(*procedure), "stage"),
        )?;
        let mut numbers: Vec<i32> = timescales.stages(*procedure, period.from);
        numbers.extend(timescales.stages(*procedure, period.to));
        for line in this_year.iter().chain(&previous) {
            numbers.extend(stage_of(line));
        }
        numbers.sort_unstable();
        numbers.dedup();
        let figures = |lines: &[GroupLine], stage: i32| {
            lines
                .iter()
                .find(|l| stage_of(l) == Some(stage))
                .map(StageFigures::of)
                .unwrap_or_default()
        };
        stages.extend(numbers.into_iter().map(|stage| StageComparison {
            procedure: *procedure,
            stage,
            this_year: figures(&this_year, stage),
            previous_year: figures(&previous, stage),
        }));
    }
    let every_kind = ComplaintParams {
        kind: Some(
            Kind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ),
        group_by: Some("quarter,kind".into()),
        ..ComplaintParams::default()
    };
    let quarterly = quarters(period, &breakdown(conn, period, every_kind)?);
    let by_service_area = breakdown(conn, period, complaints_by(None, "service_area"))?;
    let themes = breakdown(conn, period, complaints_by(None, "theme"))?;
    let mut stages_by_year = Vec::new();
    let mut year = period.clone();
    for _ in 0..YEARS_SHOWN {
        let stats = analyse(conn, &year, ComplaintParams::of_kind(Kind::Complaint))?;
        stages_by_year.push(StagesInYear {
            label: year.label.clone(),
            period: year.clone(),
            by_stage: stats
                .by_stage
                .into_iter()
                .filter(|l| l.procedure.is_some_and(|p| procedures.contains(&p)))
                .collect(),
        });
        year = year.year_before();
    }
    stages_by_year.reverse();
    let ombudsman_by_service_area = crate::statistics::ombudsman::groups(
        conn,
        period,
        scope,
        ombudsmen,
        &[CaseDimension::ServiceArea],
    )?;
    Ok(Some(ProcedureReport {
        procedures: procedures.to_vec(),
        stages,
        quarterly,
        by_service_area,
        themes,
        stages_by_year,
        ombudsman_by_service_area,
    }))
}

/// The stage a `group_by=stage` line is for.
fn stage_of(line: &GroupLine) -> Option<i32> {
    line.key
        .get("stage")
        .cloned()
        .flatten()
        .and_then(|s| s.parse().ok())
}

/// The quarters of `period` (every one, with 0 where nothing came), from a
/// `group_by=quarter,kind` breakdown.
fn quarters(period: &Period, groups: &[GroupLine]) -> Vec<QuarterVolumes> {
    let mut quarters: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let empty = || -> BTreeMap<String, i64> {
        Kind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), 0))
            .collect()
    };
    let mut day = Some(period.from);
    while let Some(d) = day.filter(|d| *d <= period.to) {
        quarters.entry(quarter_of(d)).or_insert_with(empty);
        day = d.checked_add_months(chrono::Months::new(1));
    }
    quarters.entry(quarter_of(period.to)).or_insert_with(empty);
    for line in groups {
        let (Some(Some(quarter)), Some(Some(kind))) =
            (line.key.get("quarter"), line.key.get("kind"))
        else {
            continue;
        };
        *quarters
            .entry(quarter.clone())
            .or_insert_with(empty)
            .entry(kind.clone())
            .or_default() += line.received.unwrap_or(0);
    }
    quarters
        .into_iter()
        .map(|(quarter, received)| QuarterVolumes { quarter, received })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_financial_year_has_four_quarters_even_when_quiet() {
        let quarters = quarters(&Period::financial_year(2024), &[]);
        let names: Vec<&str> = quarters.iter().map(|q| q.quarter.as_str()).collect();
        assert_eq!(
            names,
            ["2024-25 Q1", "2024-25 Q2", "2024-25 Q3", "2024-25 Q4"]
        );
        assert!(quarters
            .iter()
            .all(|q| q.received.values().all(|n| *n == 0)));
    }
}
