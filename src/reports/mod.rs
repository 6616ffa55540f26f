//! The statutory annual report: every figure from the statistics, laid out
//! like the published adult social care report, as printable HTML with
//! inline SVG charts, or as one JSON document.

pub mod api;
pub mod html;
pub mod layout;
pub mod pdf;
mod procedures_html;
pub mod svg;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::Kind;
use crate::improvements::api::ServiceImprovement;
use crate::improvements::model::{self as improvements, ImprovementFilter};
use crate::ombudsman::types::Ombudsman;
use crate::reports::layout::{Layout, ProcedureReport};
use crate::statistics::complaints::{self, ComplaintParams, ComplaintStatistics};
use crate::statistics::feedback::{self, FeedbackStatistics};
use crate::statistics::ombudsman::{self, OmbudsmanStatistics};
use crate::statistics::sql::in_snapshot;
use crate::statistics::{Disclosure, Period, Rate, Scope};

/// The annual report's content.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnualReport {
    /// The council's name, from the settings.
    pub council_name: String,
    /// The directorate's code, or null for the whole council.
    pub directorate: Option<String>,
    /// The directorate's name.
    pub directorate_name: Option<String>,
    /// The layout the report follows: `layout=` if given, or the one the
    /// directorate's procedures call for.
    pub layout: Layout,
    /// The period the report covers (a financial year, usually).
    pub period: Period,
    /// When the report was produced.
    pub generated_at: DateTime<Utc>,
    /// Feedback volumes, the year and the three before it.
    pub feedback: FeedbackStatistics,
    /// Formal complaints: the complaint analysis for the period.
    pub complaints: ComplaintStatistics,
    /// Dissatisfactions with complaint responses.
    pub dissatisfactions: ComplaintStatistics,
    /// Dissatisfactions responded to, of complaints responded to.
    pub dissatisfaction_rate: Rate,
    /// Senior manager reviews.
    pub senior_manager_reviews: ComplaintStatistics,
    /// MP enquiries: the same analysis (timeliness against 10 working days).
    pub mp_enquiries: ComplaintStatistics,
    /// Councillor enquiries: the same analysis.
    pub councillor_enquiries: ComplaintStatistics,
    /// Informal complaints: the same analysis.
    pub informal_complaints: ComplaintStatistics,
    /// The Ombudsman's statistics, against similar authorities (the cases
    /// of the Ombudsmen its `ombudsman` lists).
    pub ombudsman: OmbudsmanStatistics,
    /// Service improvements agreed in the year.
    pub service_improvements: Vec<ServiceImprovement>,
    /// The sections of the children's and corporate layouts: each
    /// procedure's stages against the previous year, quarterly volumes,
    /// service areas, themes, stages across the years and the Ombudsman's
    /// cases by service area. Null in the adults layout.
    pub procedures: Option<ProcedureReport>,
}

/// What a report covers and how it is laid out.
pub struct ReportChoice<'a> {
    /// The period.
    pub period: &'a Period,
    /// The directorates counted.
    pub scope: &'a Scope,
    /// One directorate, or the whole council.
    pub directorate: Option<&'a str>,
    /// Whose Ombudsman cases to count.
    pub ombudsmen: &'a [Ombudsman],
    /// The layout asked for; `None` for the directorate's own.
    pub layout: Option<Layout>,
}

/// Assemble the report `choice` describes, its counts about people shown
/// as `disclosure` allows, as it stands on `today`. Every figure is read
/// from one snapshot of the database.
pub fn assemble(
    conn: &mut DbConnection,
    choice: &ReportChoice,
    disclosure: Disclosure,
    today: NaiveDate,
) -> Result<AnnualReport, ApiError> {
    in_snapshot(conn, |conn| {
        assemble_in_snapshot(conn, choice, disclosure, today)
    })
}

fn assemble_in_snapshot(
    conn: &mut DbConnection,
    choice: &ReportChoice,
    disclosure: Disclosure,
    today: NaiveDate,
) -> Result<AnnualReport, ApiError> {
    let ReportChoice {
        period,
        scope,
        directorate,
        ombudsmen,
        ..
    } = *choice;
    let layout = match choice.layout {
        Some(layout) => layout,
        None => Layout::of_directorate(conn, directorate)?,
    };
    let settings = crate::settings::model::load(conn)?;
    let analysis = |conn: &mut DbConnection, kind: Kind| {
        let params = ComplaintParams::of_kind(kind);
        complaints::compute(conn, period, &params, scope, directorate, disclosure)
    };
    let complaints = analysis(conn, Kind::Complaint)?;
    let dissatisfactions = analysis(conn, Kind::Dissatisfaction)?;
    Ok(AnnualReport {
        council_name: settings.settings.council_name.clone(),
        directorate: directorate.map(str::to_string),
        layout,
        directorate_name: match directorate {
            Some(code) => Some(crate::directorates::model::find(conn, code)?.name),
            None => None,
        },
        period: period.clone(),
        generated_at: Utc::now(),
        feedback: feedback::compute(conn, period, 4, scope, directorate, ombudsmen, |kind| {
            settings.overview_basis(kind)
        })?,
        dissatisfaction_rate: Rate::of(dissatisfactions.responded, complaints.responded),
        complaints,
        dissatisfactions,
        senior_manager_reviews: analysis(conn, Kind::SeniorManagerReview)?,
        mp_enquiries: analysis(conn, Kind::MpEnquiry)?,
        councillor_enquiries: analysis(conn, Kind::CouncillorEnquiry)?,
        informal_complaints: analysis(conn, Kind::InformalComplaint)?,
        ombudsman: ombudsman::compute(
            conn,
            period,
            scope,
            directorate,
            ombudsmen,
            &settings,
            today,
        )?,
        service_improvements: improvements_agreed(conn, period, scope, today)?,
        procedures: layout::assemble(
            conn,
            layout,
            period,
            scope,
            directorate,
            ombudsmen,
            disclosure,
        )?,
    })
}

/// The service improvements agreed in `period` in `scope`, in the order they
/// were agreed (at most 500), as they stand on `today`: what both annual
/// reports list.
pub fn improvements_agreed(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    today: NaiveDate,
) -> Result<Vec<ServiceImprovement>, ApiError> {
    let filter = ImprovementFilter {
        agreed_from: Some(period.from),
        agreed_to: Some(period.to),
        ..ImprovementFilter::default()
    };
    let paging = crate::db::page::Paging {
        limit: 500,
        offset: 0,
        sort: vec![crate::db::page::SortKey {
            field: "agreed_on".into(),
            descending: false,
        }],
        updated_since: None,
    };
    let (rows, _) = improvements::list(conn, &filter, scope, &paging, today)?;
    Ok(rows
        .iter()
        .map(|row| ServiceImprovement::of(row, crate::calendar::Today(today)))
        .collect())
}
