//! Reopening: a record that was responded to is reopened with a reason. Its
//! response (date and outcome) is kept as a round, as the Ombudsman's
//! decisions are, and its clock restarts from the day it was reopened under
//! the rules in force that day.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{Action, Actor};
use crate::auth::{AuthUser, Authorized, RecordReaders, RecordWriters};
use crate::calendar::Today;
use crate::db::precondition::Precondition;
use crate::db::schema::{feedback, feedback_rounds};
use crate::db::DbConnection;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::feedback::fields::FeedbackInput;
use crate::feedback::model::FeedbackRow;
use crate::feedback::types::Outcome;
use crate::http::etag::IfMatch;
use crate::http::json::{RequestBody, ValidJson};
use crate::openapi::Routes;
use crate::records::api::{respond, RecordApi};
use crate::records::{store, Record};
use crate::state::AppState;
use crate::timescales::TimeRules;
use crate::validation::{check_length, Validate, MAX_MEDIUM_TEXT};

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(reopen_feedback).service(list_feedback_rounds);
}

/// The body of a reopening.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackReopening {
    /// The day it was reopened: not in the future, nor before the response
    /// it reopens. The new round's clock counts from it.
    pub reopened_on: NaiveDate,
    /// Why (e.g. "new information from the family").
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "The family sent new evidence."
    )]
    pub reason: String,
}

impl RequestBody for FeedbackReopening {}

impl Validate for FeedbackReopening {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        if self.reopened_on > today {
            errors.add("reopened_on", "must not be in the future");
        }
        if self.reason.trim().is_empty() {
            errors.add("reason", "must say why the record is reopened");
        }
        check_length(errors, "reason", Some(&self.reason), MAX_MEDIUM_TEXT);
    }
}

/// An earlier round of a reopened record: its response, and its reopening.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = feedback_rounds)]
pub struct FeedbackRound {
    /// 1 for the first response, 2 for the response after the first
    /// reopening, …
    pub round: i32,
    /// When the round began: the record's receipt, or the reopening before.
    pub started_on: NaiveDate,
    /// When the round was responded to.
    pub responded_on: NaiveDate,
    /// Its outcome; null if none was recorded.
    pub outcome: Option<Outcome>,
    /// When the record was reopened, ending the round.
    pub reopened_on: NaiveDate,
    /// Why it was reopened; null for analysts (it is free text).
    #[diesel(deserialize_as = String)]
    pub reason: Option<String>,
    /// Who reopened it.
    pub reopened_by: String,
}

/// The record's fields as a new round begins: the response, its outcome,
/// the closure, the acknowledgement, the review panel's dates and any
/// extension belong to the round before.
fn new_round(current: &FeedbackInput) -> FeedbackInput {
    FeedbackInput {
        acknowledged_on: None,
        panel_held_on: None,
        panel_report_on: None,
        responded_on: None,
        closed_on: None,
        extended_due_on: None,
        extension_reason: None,
        extension_agreed_on: None,
        outcome: None,
        reopened: true,
        ..current.clone()
    }
}

/// Reopen the record `id` (locked, under `precondition`) as `actor`: its
/// response becomes a round, its clock restarts on `reopened_on`. 409 when
/// it was not responded to; 422 when `reopened_on` is before the response.
pub fn reopen(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    precondition: &Precondition,
    reopening: &FeedbackReopening,
    rules: &TimeRules,
) -> Result<FeedbackRow, ApiError> {
    let current = store::lock::<FeedbackRow>(conn, user, id, precondition)?;
    user.may_write_in(current.directorate())?;
    reopen_as(conn, &user.actor(), &current, reopening, rules)
}

/// Reopen `current` (locked) as `actor`: what [`reopen`] does, also for
/// imports and demo data.
pub fn reopen_as(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &FeedbackRow,
    reopening: &FeedbackReopening,
    rules: &TimeRules,
) -> Result<FeedbackRow, ApiError> {
    let Some(responded_on) = current.fields.responded_on else {
        return Err(ApiError::Conflict(
            "Only a record that was responded to can be reopened.".into(),
        ));
    };
    if reopening.reopened_on < responded_on {
        return Err(ApiError::field(
            "reopened_on",
            format!("must not be before the response it reopens ({responded_on})"),
        ));
    }
    let rounds: i64 = feedback_rounds::table
        .filter(feedback_rounds::feedback_id.eq(current.id))
        .count()
        .get_result(conn)?;
    diesel::insert_into(feedback_rounds::table)
        .values((
            feedback_rounds::feedback_id.eq(current.id),
            feedback_rounds::round.eq(i32::try_from(rounds + 1).unwrap_or(i32::MAX)),
            feedback_rounds::started_on
                .eq(current.reopened_on.unwrap_or(current.fields.received_on)),
            feedback_rounds::responded_on.eq(responded_on),
            feedback_rounds::outcome.eq(current.fields.outcome),
            feedback_rounds::reopened_on.eq(reopening.reopened_on),
            feedback_rounds::reason.eq(reopening.reason.trim()),
            feedback_rounds::reopened_by.eq(&actor.username),
        ))
        .execute(conn)?;
    // The new round's start first, so that the write below computes the
    // stored clock from it.
    diesel::update(feedback::table.find(current.id))
        .set(feedback::reopened_on.eq(Some(reopening.reopened_on)))
        .execute(conn)?;
    let started = FeedbackRow::find(conn, current.id)?.ok_or_else(ApiError::not_found)?;
    store::transition_as(
        conn,
        actor,
        &started,
        &new_round(&started.fields),
        rules,
        Action::Reopen,
    )
}

/// The earlier rounds of the record `id`, oldest first (`reason` left out
/// when `hide_reasons`).
pub fn rounds(
    conn: &mut DbConnection,
    id: i64,
    hide_reasons: bool,
) -> Result<Vec<FeedbackRound>, ApiError> {
    let mut rounds: Vec<FeedbackRound> = feedback_rounds::table
        .filter(feedback_rounds::feedback_id.eq(id))
        .order(feedback_rounds::round)
        .select(FeedbackRound::as_select())
        .load(conn)?;
    if hide_reasons {
        for round in &mut rounds {
            round.reason = None;
        }
    }
    Ok(rounds)
}

/// Redact the reasons of the record `id`'s reopenings (it is being
/// redacted).
pub fn redact_for(conn: &mut DbConnection, id: i64) -> Result<(), ApiError> {
    diesel::update(feedback_rounds::table.filter(feedback_rounds::feedback_id.eq(id)))
        .set(feedback_rounds::reason.eq(crate::audit::redaction::REDACTED))
        .execute(conn)?;
    Ok(())
}

/// Reopen a record that was responded to: its response (date and outcome)
/// is kept as a round (`GET /feedback/{id}/rounds`), its response, outcome,
/// closure, acknowledgement and extension are cleared, `reopened` becomes
/// true, and its clock restarts from `reopened_on` under the timescales in
/// force that day. 409 when it has not been responded to.
#[utoipa::path(
    tag = "feedback",
    request_body = FeedbackReopening,
    params(("id" = i64, Path, description = "The record."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
    responses(
        (status = 200, description = "Reopened.", body = crate::feedback::api::Feedback,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 409, description = "It has not been responded to.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/feedback/{id}/reopen")]
pub async fn reopen_feedback(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ValidJson<FeedbackReopening>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let rules = TimeRules::current(&state).await?;
    let (id, reopening, user) = (id.into_inner(), body.value, user.0);
    let (record, view) = state
        .db
        .write(move |conn| {
            let record = reopen(conn, &user, id, &if_match, &reopening, &rules)?;
            let view = record.view(&rules, today, &user)?;
            Ok((record, view))
        })
        .await?;
    Ok(respond(StatusCode::OK, &record, &view))
}

/// The earlier rounds of a reopened record, oldest first: each response
/// and the reopening that ended it. Empty for a record never reopened.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "The record.")),
    responses((status = 200, description = "Its rounds.", body = Vec<FeedbackRound>))
)]
#[get("/feedback/{id}/rounds")]
pub async fn list_feedback_rounds(
    state: web::Data<AppState>,
    user: Authorized<RecordReaders>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (id, user) = (id.into_inner(), user.0);
    let rounds = state
        .db
        .run(move |conn| {
            store::find_visible::<FeedbackRow>(conn, &user.scope().map(<[String]>::to_vec), id)?;
            rounds(conn, id, !user.sees_personal_data())
        })
        .await?;
    Ok(HttpResponse::Ok().json(rounds))
}
