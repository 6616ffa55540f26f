//! `GET /statistics/code`: the Complaint Handling Code's measures, live;
//! and the Code breaches of the coming week, which the overdue report flags.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Authorized, StatisticsReaders};
use crate::calendar::{Calendar, Today};
use crate::code::measures::{self, CodeMeasures, CodeRecord, QuarterMeasures};
use crate::db::schema::feedback;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::{Kind, Procedure};
use crate::openapi::Routes;
use crate::state::AppState;
use crate::statistics::sql::in_snapshot;
use crate::statistics::{scope, Disclosure, Period, Scope};
use crate::text_enum;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(get_code_statistics);
}

/// The year and directorate of the Code's measures.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeParams {
    /// Financial year by its first calendar year: `2026` is 1 April 2026 to
    /// 31 March 2027. Default: the current financial year.
    #[param(minimum = 2000, maximum = 2100, example = 2026)]
    pub year: Option<i32>,
    /// One directorate; default: every directorate the caller may see.
    pub directorate: Option<String>,
}

impl CodeParams {
    /// The financial year asked for (422 outside 2000 to 2100).
    pub fn period(&self, today: NaiveDate) -> Result<Period, ApiError> {
        match self.year {
            None => Ok(Period::financial_year_of(today)),
            Some(year) if (2000..=2100).contains(&year) => Ok(Period::financial_year(year)),
            Some(_) => Err(ApiError::field("year", "must be from 2000 to 2100")),
        }
    }
}

/// The Code's measures for a financial year and each of its quarters.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CodeStatistics {
    /// The financial year.
    pub period: Period,
    /// The directorate's code, or null for every directorate the caller
    /// may see.
    pub directorate: Option<String>,
    /// The procedures the Code governs here (`code_procedures` in the
    /// settings): their complaints at stages 1 and 2 are measured.
    pub procedures: Vec<Procedure>,
    /// The day the measures were taken: a due date before it with nothing
    /// done counts as missed.
    pub as_of: NaiveDate,
    /// The year's measures.
    pub measures: CodeMeasures,
    /// The same measures for each quarter, by the day each record was
    /// received.
    pub quarters: Vec<QuarterMeasures>,
}

/// The Code's measures for `period` in `scope`, as `disclosure` allows,
/// on `today`, read from one snapshot.
pub fn compute(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    directorate: Option<&str>,
    calendar: &Calendar,
    today: NaiveDate,
    disclosure: Disclosure,
) -> Result<CodeStatistics, ApiError> {
    in_snapshot(conn, |conn| {
        let settings = crate::settings::model::load(conn)?;
        let procedures = settings.settings.code_procedures.clone();
        let records = measures::load(conn, period, scope, &procedures)?;
        let reasons = disclosure == Disclosure::Exact;
        let of = |from, to| measures::measure(&records, from, to, calendar, today, reasons);
        Ok(CodeStatistics {
            period: period.clone(),
            directorate: directorate.map(str::to_string),
            procedures,
            as_of: today,
            measures: of(period.from, period.to),
            quarters: measures::quarters(period)
                .into_iter()
                .map(|(quarter, period)| QuarterMeasures {
                    quarter,
                    measures: of(period.from, period.to),
                    period,
                })
                .collect(),
        })
    })
}

/// The Ombudsman's Complaint Handling Code, measured from the records: for
/// the complaints at stages 1 and 2 of the procedures it governs here
/// (`code_procedures` in the settings; the corporate procedure by default)
/// received in the financial year, each as a rate of the records it
/// applies to, for the year and for each quarter:
///
/// - acknowledged within 5 working days of receipt (section 6);
/// - responded to within 10 (stage 2: 20) working days of the
///   acknowledgement, or of the acknowledgement's due date when there is
///   none; and by the agreed extended date where the extension is within
///   the Code's limit;
/// - extended, extended by more than 10 (stage 2: 20) working days, and
///   extended without a recorded reason or notice to the complainant;
/// - stage 2 handled by the stage 1 handler (the Code expects 0);
/// - escalations refused, with their reasons; complaints refused, by the
///   Code's exclusions (section 2), and whether the Ombudsman's details were
///   given;
/// - service requests that became complaints; informal complaints (the
///   Code allows no "stage 0");
/// - remedies and actions done late or overdue (section 7);
/// - the mean and median working days to respond, by stage.
///
/// The Code's own timescales are used, not the council's editable ones,
/// and the council's calendar of bank holidays. A due date before today
/// with nothing done counts as missed. Refused complaints have no clock.
/// CSV with `Accept: text/csv`.
#[utoipa::path(
    tag = "statistics",
    params(CodeParams),
    responses((status = 200, description = "The measures.", content(
        (CodeStatistics = "application/json"),
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[get("/statistics/code")]
pub async fn get_code_statistics(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    req: HttpRequest,
    params: crate::http::query::Query<CodeParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let period = params.period(today)?;
    let disclosure = Disclosure::for_user(&user);
    let calendar = state.calendar.current(&state.db).await?;
    let user = user.0;
    let directorate = params.directorate.clone();
    let statistics = state
        .db
        .run(move |conn| {
            let scope = scope(conn, &user, params.directorate.as_deref())?;
            compute(
                conn,
                &period,
                &scope,
                params.directorate.as_deref(),
                &calendar,
                today,
                disclosure,
            )
        })
        .await?;
    let file =
        crate::statistics::api::file_name("code", &statistics.period.label, directorate.as_deref());
    crate::statistics::api::respond(&req, &statistics, &file, &["period", "directorate"])
}

text_enum! {
    /// What a Code breach would miss.
    pub enum CodeMilestone {
        /// The acknowledgement (5 working days).
        Acknowledgement => "acknowledgement",
        /// The response (10 or 20 working days of the acknowledgement, or
        /// the agreed extended date within the Code's limit).
        Response => "response",
    }
}

/// A complaint under the Code that breaches it in the coming week unless
/// something is done.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CodeBreach {
    /// The record.
    pub id: i64,
    /// Its reference.
    pub reference: String,
    /// Its directorate.
    pub directorate: String,
    /// Its stage: 1 or 2.
    pub stage: i32,
    /// What is due.
    pub milestone: CodeMilestone,
    /// When, by the Code.
    pub due_on: NaiveDate,
    /// Who handles it; null if no one.
    pub handler_id: Option<i64>,
}

/// The open complaints under the Code in `scope` whose acknowledgement or
/// response falls due from `as_of` to 7 days after it, soonest first.
pub fn breaches_coming(
    conn: &mut DbConnection,
    scope: &Scope,
    calendar: &Calendar,
    as_of: NaiveDate,
) -> Result<Vec<CodeBreach>, ApiError> {
    let procedures = crate::settings::model::load(conn)?.settings.code_procedures;
    let until = as_of + chrono::Duration::days(7);
    let mut query = feedback::table
        .filter(feedback::kind.eq(Kind::Complaint.as_str()))
        .filter(feedback::stage.eq_any([1, 2]))
        .filter(feedback::procedure.eq_any(procedures.iter().map(|p| p.as_str())))
        .filter(feedback::responded_on.is_null())
        .filter(feedback::refused_on.is_null())
        .filter(feedback::closed_on.is_null())
        .select(CodeRecord::as_select())
        .into_boxed();
    if let Some(codes) = scope {
        query = query.filter(feedback::directorate.eq_any(codes.clone()));
    }
    let open: Vec<CodeRecord> = query.load(conn)?;
    let mut breaches = Vec::new();
    for r in open {
        let Some(rule) = measures::rule_of(r.stage) else {
            continue;
        };
        let dates = r.dates(rule, calendar);
        let mut flag = |milestone, due_on: NaiveDate| {
            if (as_of..=until).contains(&due_on) {
                breaches.push(CodeBreach {
                    id: r.id,
                    reference: r.reference.clone().unwrap_or_default(),
                    directorate: r.directorate.clone(),
                    stage: rule.stage,
                    milestone,
                    due_on,
                    handler_id: r.handler_id,
                });
            }
        };
        if r.acknowledged_on.is_none() {
            flag(CodeMilestone::Acknowledgement, dates.acknowledge_by);
        }
        flag(CodeMilestone::Response, dates.agreed_by);
    }
    breaches.sort_by_key(|b| (b.due_on, b.id));
    Ok(breaches)
}

/// A record whose reasonable adjustments are due for review.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AdjustmentReview {
    /// The record.
    pub id: i64,
    /// Its reference.
    pub reference: String,
    /// Its directorate.
    pub directorate: String,
    /// When the adjustments are to be reviewed.
    pub review_on: NaiveDate,
    /// Who handles it; null if no one.
    pub handler_id: Option<i64>,
}

/// The records in `scope`, not closed, whose reasonable adjustments are due
/// for review by 7 days after `as_of` (or were due before), soonest first.
pub fn adjustments_due(
    conn: &mut DbConnection,
    scope: &Scope,
    as_of: NaiveDate,
) -> Result<Vec<AdjustmentReview>, ApiError> {
    let until = as_of + chrono::Duration::days(7);
    let mut query = feedback::table
        .filter(feedback::adjustments_review_on.le(until))
        .filter(feedback::closed_on.is_null())
        .select((
            feedback::id,
            feedback::reference,
            feedback::directorate,
            feedback::adjustments_review_on,
            feedback::handler_id,
        ))
        .order((feedback::adjustments_review_on, feedback::id))
        .into_boxed();
    if let Some(codes) = scope {
        query = query.filter(feedback::directorate.eq_any(codes.clone()));
    }
    let rows: Vec<ReviewRow> = query.limit(500).load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(AdjustmentReview {
                id: row.id,
                reference: row.reference.unwrap_or_default(),
                directorate: row.directorate,
                review_on: row.review_on?,
                handler_id: row.handler_id,
            })
        })
        .collect())
}

/// What [`adjustments_due`] reads of a record.
#[derive(Queryable)]
struct ReviewRow {
    id: i64,
    reference: Option<String>,
    directorate: String,
    review_on: Option<NaiveDate>,
    handler_id: Option<i64>,
}
