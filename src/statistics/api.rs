//! `/statistics/...`: the figures of the statutory annual report and of the
//! Ombudsman's annual letter, as JSON or CSV (`Accept: text/csv`).

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::auth::{Authorized, StatisticsReaders};
use crate::calendar::Today;
use crate::error::ApiError;
use crate::http::negotiate::negotiate;
use crate::openapi::Routes;
use crate::state::AppState;
use crate::statistics::complaints::{self, ComplaintParams, ComplaintStatistics};
use crate::statistics::feedback::{self, FeedbackStatistics};
use crate::statistics::ombudsman::{self, CaseGroupParams, OmbudsmanParams, OmbudsmanStatistics};
use crate::statistics::overdue::{self, OverdueParams, OverdueReport};
use crate::statistics::{csv, scope, Disclosure, PeriodParams};

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(get_ombudsman_statistics)
        .service(get_feedback_statistics)
        .service(get_complaint_statistics)
        .service(get_overdue_report);
}

/// The headline figures of each answer's CSV, first and in this order (the
/// published documents' own order).
const COMPLAINTS_HEADLINE: [&str; 7] = [
    "period",
    "directorate",
    "kinds",
    "received",
    "responded",
    "timeliness",
    "outcomes",
];
const FEEDBACK_HEADLINE: [&str; 3] = ["period", "directorate", "change_percent"];
const OMBUDSMAN_HEADLINE: [&str; 9] = [
    "period",
    "directorate",
    "dealt_with",
    "not_for_us",
    "assessed_and_closed",
    "investigated",
    "upheld",
    "not_upheld",
    "uphold_rate",
];

/// A download's file name (without `.csv`): what, when and for whom, e.g.
/// `complaints-2024-25-adults`, `complaints-2024-01-01-to-2024-06-30`.
pub fn file_name(what: &str, period: &str, directorate: Option<&str>) -> String {
    let mut name = format!("{what}-{period}");
    if let Some(code) = directorate {
        name.push('-');
        name.push_str(code);
    }
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The answer `req` asks for (`Accept`, negotiated: JSON for `*/*` or no
/// `Accept`): JSON, CSV or an `.xlsx` workbook; 406 for none of them.
pub fn respond<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    file: &str,
    headline: &[&str],
) -> Result<HttpResponse, ApiError> {
    let media_type = negotiate(req, &[JSON, CSV, crate::statistics::xlsx::MEDIA_TYPE])?;
    if media_type == CSV {
        let json = serde_json::to_value(value)?;
        let body = match json.get("items").and_then(|i| i.as_array()) {
            Some(items) => csv::table(items),
            None => csv::figures(&json, headline),
        };
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.csv\""),
            ))
            .body(body))
    } else if media_type == JSON {
        Ok(HttpResponse::Ok().json(value))
    } else {
        let json = serde_json::to_value(value)?;
        let tables = csv::tables(&json, headline);
        Ok(HttpResponse::Ok()
            .content_type(crate::statistics::xlsx::MEDIA_TYPE)
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.xlsx\""),
            ))
            .body(crate::statistics::xlsx::workbook(&tables)?))
    }
}

const JSON: &str = "application/json";
const CSV: &str = "text/csv";

/// The Ombudsman's annual view: decisions made in the period (every round
/// of a case decided again), by outcome, with the uphold rate, upheld per
/// 100,000 residents, satisfactory remedies, compliance, late information
/// requests, and the averages of similar authorities. The cases of the LGSCO
/// and joint cases by default; `ombudsman=` names others (`phso`).
#[utoipa::path(
    tag = "statistics",
    params(PeriodParams, OmbudsmanParams, CaseGroupParams),
    responses((status = 200, description = "The statistics.", content(
        (OmbudsmanStatistics = "application/json"),
        (String = "text/csv", example = "\"Figure\",\"Value\"\r\n\"Dealt with\",\"79\"\r\n"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/statistics/ombudsman")]
pub async fn get_ombudsman_statistics(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    req: HttpRequest,
    params: crate::http::query::Query<PeriodParams>,
    which: crate::http::query::Query<OmbudsmanParams>,
    grouping: crate::http::query::Query<CaseGroupParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let period = params.period_for(&user, today)?;
    let ombudsmen = which.ombudsmen();
    let dimensions = grouping.dimensions()?;
    let user = user.0;
    let stats = state
        .db
        .run(move |conn| {
            let scope = scope(conn, &user, params.directorate.as_deref())?;
            let settings = crate::settings::model::load(conn)?;
            // One snapshot for the figures and their breakdown.
            crate::statistics::sql::in_snapshot(conn, |conn| {
                let mut stats = ombudsman::compute(
                    conn,
                    &period,
                    &scope,
                    params.directorate.as_deref(),
                    &ombudsmen,
                    &settings,
                    today,
                )?;
                stats.groups = ombudsman::groups(conn, &period, &scope, &ombudsmen, &dimensions)?;
                Ok(stats)
            })
        })
        .await?;
    let file = file_name(
        "ombudsman",
        &stats.period.label,
        stats.directorate.as_deref(),
    );
    respond(&req, &stats, &file, &OMBUDSMAN_HEADLINE)
}

/// How many feedback years to show.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearsParam {
    /// How many years to show: the period and this many minus one years
    /// before it (1 to 10, default 4).
    #[param(minimum = 1, maximum = 10)]
    pub years: Option<usize>,
}

/// Feedback volumes by kind: received and responded to in the period and
/// the years before it, with the change on the year before, and the
/// Ombudsman decisions of each year (`ombudsman=` names whose).
#[utoipa::path(
    tag = "statistics",
    params(PeriodParams, YearsParam, OmbudsmanParams),
    responses((status = 200, description = "The volumes.", content(
        (FeedbackStatistics = "application/json"),
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/statistics/feedback")]
pub async fn get_feedback_statistics(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    req: HttpRequest,
    params: crate::http::query::Query<PeriodParams>,
    years: crate::http::query::Query<YearsParam>,
    which: crate::http::query::Query<OmbudsmanParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let period = params.period_for(&user, today)?;
    let count = years.years.unwrap_or(4);
    if !(1..=10).contains(&count) {
        return Err(ApiError::field("years", "must be from 1 to 10"));
    }
    let ombudsmen = which.ombudsmen();
    let user = user.0;
    let stats = state
        .db
        .run(move |conn| {
            let scope = scope(conn, &user, params.directorate.as_deref())?;
            let settings = crate::settings::model::load(conn)?;
            feedback::compute(
                conn,
                &period,
                count,
                &scope,
                params.directorate.as_deref(),
                &ombudsmen,
                |kind| settings.overview_basis(kind),
            )
        })
        .await?;
    let file = file_name(
        "feedback",
        &stats.period.label,
        stats.directorate.as_deref(),
    );
    respond(&req, &stats, &file, &FEEDBACK_HEADLINE)
}

/// The complaint analysis of the statutory annual report: received in the
/// period; of those responded to in it, main reasons, outcomes, timeliness,
/// stages, young people and reopened records. `kind=` analyses any other
/// kind (e.g. `senior_manager_review`, `mp_enquiry`).
#[utoipa::path(
    tag = "statistics",
    params(PeriodParams, ComplaintParams),
    responses((status = 200, description = "The analysis.", content(
        (ComplaintStatistics = "application/json"),
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/statistics/complaints")]
pub async fn get_complaint_statistics(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    req: HttpRequest,
    params: crate::http::query::Query<PeriodParams>,
    narrow: crate::http::query::Query<ComplaintParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let period = params.period_for(&user, today)?;
    let disclosure = Disclosure::for_user(&user);
    if narrow.stage.is_some_and(|s| !(1..=3).contains(&s)) {
        return Err(ApiError::field("stage", "must be from 1 to 3"));
    }
    let user = user.0;
    let stats = state
        .db
        .run(move |conn| {
            let scope = scope(conn, &user, params.directorate.as_deref())?;
            complaints::compute(
                conn,
                &period,
                &narrow,
                &scope,
                params.directorate.as_deref(),
                disclosure,
            )
        })
        .await?;
    let file = file_name(
        "complaints",
        &stats.period.label,
        stats.directorate.as_deref(),
    );
    respond(&req, &stats, &file, &COMPLAINTS_HEADLINE)
}

/// The weekly breach report: records open on `as_of` whose due date has
/// passed or falls within `within` working days, most overdue first.
#[utoipa::path(
    tag = "statistics",
    params(OverdueParams),
    responses((status = 200, description = "The report.", content(
        (OverdueReport = "application/json"),
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/statistics/overdue")]
pub async fn get_overdue_report(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    req: HttpRequest,
    params: crate::http::query::Query<OverdueParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let calendar = state.calendar.current(&state.db).await?;
    let user = user.0;
    let directorate = params.directorate.clone();
    let report = state
        .db
        .run(move |conn| {
            let scope = scope(conn, &user, params.directorate.as_deref())?;
            overdue::compute(conn, &params, &scope, &calendar, today, user.id)
        })
        .await?;
    let file = file_name("overdue", &report.as_of.to_string(), directorate.as_deref());
    respond(&req, &report, &file, &[])
}
