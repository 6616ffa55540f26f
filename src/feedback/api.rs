//! `/feedback`: compliments, comments, enquiries and complaints, with their
//! statutory clocks.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::{self, Action, HistoryPage};
use crate::auth::{AuthUser, Authorized, Managers, RecordReaders, RecordWriters};
use crate::calendar::Today;
use crate::calendar::{uk_today, Calendar};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::feedback::escalation;
use crate::feedback::fields::{Complainant, FeedbackInput, FeedbackPatch, Remedy};
use crate::feedback::model::{self, FeedbackFilter, FeedbackRow};
use crate::feedback::rules::Clock;
use crate::feedback::types::{Channel, Kind, Outcome, Procedure, Status};
use crate::http::etag::{etag, IfMatch};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::{apply_patch, PatchJson, RequestBody, ValidJson};
use crate::http::list::ListParams;
use crate::page_type;
use crate::records::erasure;
use crate::state::AppState;
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_feedback)
        .service(create_feedback)
        .service(get_feedback)
        .service(update_feedback)
        .service(delete_feedback)
        .service(get_feedback_history)
        .service(escalate_feedback)
        .service(redact_feedback)
        .service(erase_feedback);
}

/// A record's statutory clock, computed from the calendar as it is now.
/// Fields are null where no rule applies (see DOMAIN.md).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Timeliness {
    /// When the acknowledgement is due.
    pub acknowledgement_due_on: Option<NaiveDate>,
    /// The target in working days (null when it is in calendar months).
    pub target_working_days: Option<i32>,
    /// When the response is due: the agreed extended date if there is one.
    pub due_on: Option<NaiveDate>,
    /// The latest date the rules allow: the statutory limit, or the furthest
    /// an extension may go.
    pub limit_on: Option<NaiveDate>,
    /// Working days from receipt to the response.
    pub working_days_taken: Option<i32>,
    /// Whether the response came by `due_on`.
    pub within_target: Option<bool>,
    /// Whether the response came by `limit_on`.
    pub within_statutory_limit: Option<bool>,
    /// Whether an extension was agreed.
    pub extended: Option<bool>,
    /// Not yet responded to, and past `due_on`.
    pub overdue: Option<bool>,
}

impl From<Clock> for Timeliness {
    fn from(c: Clock) -> Self {
        Timeliness {
            acknowledgement_due_on: c.acknowledgement_due_on,
            target_working_days: c.target_working_days,
            due_on: c.due_on,
            limit_on: c.limit_on,
            working_days_taken: c.working_days_taken,
            within_target: c.within_target,
            within_statutory_limit: c.within_statutory_limit,
            extended: c.extended,
            overdue: c.overdue,
        }
    }
}

/// A feedback record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Feedback {
    /// Id.
    pub id: i64,
    /// Human reference.
    #[schema(example = "FB-000123")]
    pub reference: String,
    /// Version, incremented on every change; the `ETag`.
    pub version: i64,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// Who created it (username).
    pub created_by: String,
    /// Directorate code.
    pub directorate: String,
    /// Kind.
    pub kind: Kind,
    /// Procedure.
    pub procedure: Option<Procedure>,
    /// Stage.
    pub stage: Option<i32>,
    /// Service area.
    pub service_area: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// Main reason.
    pub category: Option<String>,
    /// Reason in more detail.
    pub sub_category: Option<String>,
    /// Themes.
    pub themes: Vec<String>,
    /// What the feedback says.
    pub summary: Option<String>,
    /// How it arrived.
    pub channel: Option<Channel>,
    /// Who gave it: omitted for analysts, and when not recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complainant: Option<Complainant>,
    /// Received.
    pub received_on: NaiveDate,
    /// Acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// Responded to.
    pub responded_on: Option<NaiveDate>,
    /// Closed.
    pub closed_on: Option<NaiveDate>,
    /// Agreed extended due date.
    pub extended_due_on: Option<NaiveDate>,
    /// Why the extension was agreed.
    pub extension_reason: Option<String>,
    /// Decision.
    pub outcome: Option<Outcome>,
    /// What was done to put things right.
    pub remedies: Vec<Remedy>,
    /// What the council learned.
    pub learning: Option<String>,
    /// The record this one escalated from.
    pub parent_id: Option<i64>,
    /// Reopened after closing.
    pub reopened: bool,
    /// The CRM's id.
    pub external_ref: Option<String>,
    /// Where the record is in its life.
    pub status: Status,
    /// The statutory clock.
    pub timeliness: Timeliness,
    /// When personal data and free text were redacted, if they were.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl Feedback {
    /// The record as `user` may see it, with its clock on `calendar` today.
    pub fn of(
        row: &FeedbackRow,
        calendar: &Calendar,
        user: &AuthUser,
    ) -> Result<Feedback, ApiError> {
        let input = row.input()?;
        let clock = row.clock(calendar, uk_today())?;
        Ok(Feedback {
            id: row.id,
            reference: row.reference(),
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            created_by: row.created_by.clone(),
            status: row.status(),
            timeliness: clock.into(),
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
            directorate: input.directorate,
            kind: input.kind,
            procedure: input.procedure,
            stage: input.stage,
            service_area: input.service_area,
            team: input.team,
            category: input.category,
            sub_category: input.sub_category,
            themes: input.themes,
            summary: input.summary,
            channel: input.channel,
            complainant: input.complainant.filter(|_| user.sees_personal_data()),
            received_on: input.received_on,
            acknowledged_on: input.acknowledged_on,
            responded_on: input.responded_on,
            closed_on: input.closed_on,
            extended_due_on: input.extended_due_on,
            extension_reason: input.extension_reason,
            outcome: input.outcome,
            remedies: input.remedies,
            learning: input.learning,
            parent_id: input.parent_id,
            reopened: input.reopened,
            external_ref: input.external_ref,
        })
    }
}

page_type!(
    /// A page of feedback records.
    FeedbackPage, Feedback
);

/// Filters of the record list (all optional; dates inclusive).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackListParams {
    /// Directorate code.
    pub directorate: Option<String>,
    /// Kind.
    pub kind: Option<Kind>,
    /// Procedure.
    pub procedure: Option<Procedure>,
    /// Stage.
    #[param(minimum = 1, maximum = 3)]
    pub stage: Option<i32>,
    /// Status.
    pub status: Option<Status>,
    /// Outcome.
    pub outcome: Option<Outcome>,
    /// Main reason (exact).
    pub category: Option<String>,
    /// Received on or after.
    pub received_from: Option<NaiveDate>,
    /// Received on or before.
    pub received_to: Option<NaiveDate>,
    /// Responded to on or after.
    pub responded_from: Option<NaiveDate>,
    /// Responded to on or before.
    pub responded_to: Option<NaiveDate>,
    /// `true`: only open records past their due date; `false`: only others.
    pub overdue: Option<bool>,
    /// The CRM's id (exact): how the CRM finds its record.
    pub external_ref: Option<String>,
    /// Only records escalated from this one.
    pub parent_id: Option<i64>,
    /// Text to find (case-insensitive) in the reference, the summary, or the
    /// complainant's name (not for analysts).
    pub q: Option<String>,
}

/// The body of an escalation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// The day the escalation was received.
    pub received_on: NaiveDate,
    /// The procedure of the formal complaint: only, and required, when
    /// escalating an informal complaint.
    #[serde(default)]
    pub procedure: Option<Procedure>,
}

impl RequestBody for Escalation {}

impl Validate for Escalation {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        if self.received_on > today {
            errors.add("received_on", "must not be in the future");
        }
    }
}

fn record_response(status: actix_web::http::StatusCode, record: &Feedback) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(record.version)))
        .json(record)
}

fn location(id: i64) -> String {
    format!("/api/v1/feedback/{id}")
}

/// The 201 answer for a new record.
fn created(row: &FeedbackRow, calendar: &Calendar, user: &AuthUser) -> Result<Created, ApiError> {
    Created::new(
        model::ENTITY,
        row.id,
        location(row.id),
        Some(row.version),
        &Feedback::of(row, calendar, user)?,
    )
}

/// How a repeated create is answered: from the record as it is now, if the
/// caller may still see it.
fn replayer(
    calendar: &Calendar,
    user: &Arc<AuthUser>,
) -> impl Fn(&mut crate::db::DbConnection, &str) -> Result<Created, ApiError> + Send + Sync + 'static
{
    let (calendar, user) = (calendar.clone(), user.clone());
    move |conn, key| {
        let row = model::find(conn, key.parse().map_err(ApiError::internal)?)?;
        user.visible(&row.directorate)?;
        created(&row, &calendar, &user)
    }
}

const IDEMPOTENCY: &str =
    "Makes retries safe: a repeat with the same key and body returns the first response.";

/// List feedback records in the caller's directorates.
#[utoipa::path(
    tag = "feedback",
    params(ListParams, FeedbackListParams),
    responses((status = 200, description = "A page of records.", body = FeedbackPage))
)]
#[get("/feedback")]
pub async fn list_feedback(
    state: web::Data<AppState>,
    user: Authorized<RecordReaders>,
    page: web::Query<ListParams>,
    params: web::Query<FeedbackListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(model::SORTABLE)?;
    let p = params.into_inner();
    if p.stage.is_some_and(|stage| !(1..=3).contains(&stage)) {
        return Err(ApiError::field("stage", "must be from 1 to 3"));
    }
    let filter = FeedbackFilter {
        directorate: p.directorate,
        kind: p.kind,
        procedure: p.procedure,
        stage: p.stage,
        status: p.status,
        outcome: p.outcome,
        category: p.category,
        received_from: p.received_from,
        received_to: p.received_to,
        responded_from: p.responded_from,
        responded_to: p.responded_to,
        overdue: p.overdue,
        external_ref: p.external_ref,
        parent_id: p.parent_id,
        q: p.q.filter(|q| !q.is_empty()),
        search_names: user.sees_personal_data(),
    };
    let calendar = state.calendar.current(&state.db).await?;
    let scope = user.scope().map(<[String]>::to_vec);
    let (limit, offset) = (paging.limit, paging.offset);
    let today = uk_today();
    let (rows, total) = state
        .db
        .run(move |conn| model::list(conn, &filter, &scope, &paging, today))
        .await?;
    let items = rows
        .iter()
        .map(|row| Feedback::of(row, &calendar, &user))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(FeedbackPage {
        items,
        total,
        limit,
        offset,
    }))
}

/// Record feedback. The CRM should send `Idempotency-Key` and its own
/// `external_ref` (unique in the directorate) so that retries are safe.
#[utoipa::path(
    tag = "feedback",
    request_body = FeedbackInput,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses(
        (status = 201, description = "The record was created.", body = Feedback,
            headers(("Location" = String, description = "The record's URL."), ("ETag" = String, description = "The version."))),
        (status = 409, description = "The directorate already has a record with this `external_ref`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/feedback")]
pub async fn create_feedback(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    req: HttpRequest,
    key: IdempotencyKey,
    body: ValidJson<FeedbackInput>,
) -> Result<HttpResponse, ApiError> {
    let request = idempotency::Request::new(&key, user.id, &req, &body.fingerprint);
    let calendar = state.calendar.current(&state.db).await?;
    let input = body.value;
    model::check_extension(&input, &calendar)?;
    let user = Arc::new(user.0);
    let replay = replayer(&calendar, &user);
    idempotency::create(
        &state.db,
        request,
        move |conn| {
            model::check_references(conn, &input, None, &user.scope().map(<[String]>::to_vec))?;
            user.may_write_in(&input.directorate)?;
            let row = model::insert(conn, &user.actor(), &input, &calendar, Action::Create)?;
            created(&row, &calendar, &user)
        },
        replay,
    )
    .await
}

/// Get a feedback record.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Record id.")),
    responses((status = 200, description = "The record.", body = Feedback,
        headers(("ETag" = String, description = "The version; send it as `If-Match` when changing the record."))))
)]
#[get("/feedback/{id}")]
pub async fn get_feedback(
    state: web::Data<AppState>,
    user: Authorized<RecordReaders>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let calendar = state.calendar.current(&state.db).await?;
    let row = state.db.run(move |conn| model::find(conn, id)).await?;
    user.visible(&row.directorate)?;
    Ok(record_response(
        actix_web::http::StatusCode::OK,
        &Feedback::of(&row, &calendar, &user)?,
    ))
}

/// Change a feedback record (JSON merge patch: absent fields stay, `null`
/// clears). Send `If-Match` with the `ETag` last seen: a stale one is 412.
#[utoipa::path(
    tag = "feedback",
    request_body = FeedbackPatch,
    params(("id" = i64, Path, description = "Record id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the record has changed since.")),
    responses(
        (status = 200, description = "The changed record.", body = Feedback, headers(("ETag" = String, description = "The new version."))),
        (status = 409, description = "The directorate already has a record with this `external_ref`.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The record changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/feedback/{id}")]
pub async fn update_feedback(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: PatchJson<FeedbackPatch>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let calendar = state.calendar.current(&state.db).await?;
    let user = Arc::new(user.0);
    let patch = Arc::new(body.patch);
    // Without If-Match, a write that loses a race to another is retried on
    // the new version; with it, losing is the client's 412.
    for _ in 0..3 {
        let (user, patch, calendar, if_match) = (
            user.clone(),
            patch.clone(),
            calendar.clone(),
            if_match.clone(),
        );
        let written = state
            .db
            .write(move |conn| {
                let row = model::find_for_update(conn, id)?;
                user.visible(&row.directorate)?;
                if_match.check(row.version)?;
                let after = apply_patch(&row.input()?, &patch, today)?;
                model::check_extension(&after, &calendar)?;
                model::check_references(
                    conn,
                    &after,
                    Some(id),
                    &user.scope().map(<[String]>::to_vec),
                )?;
                user.may_write_in(&after.directorate)?;
                match model::update(conn, &user.actor(), &row, &after, &calendar)? {
                    Some(row) => Ok(Some(Feedback::of(&row, &calendar, &user)?)),
                    None if if_match == IfMatch::Any => Ok(None),
                    None => Err(ApiError::PreconditionFailed(
                        "The record changed while this request was processed.".into(),
                    )),
                }
            })
            .await?;
        if let Some(record) = written {
            return Ok(record_response(actix_web::http::StatusCode::OK, &record));
        }
    }
    Err(ApiError::Conflict(
        "The record is being changed by others; retry.".into(),
    ))
}

/// Delete a feedback record (managers). Its history stays in the audit log.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Record id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the record has changed since.")),
    responses(
        (status = 204, description = "The record was deleted."),
        (status = 412, description = "The record changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/feedback/{id}")]
pub async fn delete_feedback(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = user.0;
    state
        .db
        .write(move |conn| {
            let row = model::find_for_update(conn, id)?;
            user.visible(&row.directorate)?;
            if_match.check(row.version)?;
            model::delete(conn, &user.actor(), &row)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The history of a feedback record: every change, who made it and when,
/// oldest first. Analysts do not see the complainant's details.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Record id."), ListParams),
    responses((status = 200, description = "The record's history.", body = HistoryPage))
)]
#[get("/feedback/{id}/history")]
pub async fn get_feedback_history(
    state: web::Data<AppState>,
    user: Authorized<RecordReaders>,
    id: web::Path<i64>,
    page: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let paging = page.paging(&[])?;
    let hidden: &'static [&'static str] = if user.sees_personal_data() {
        &[]
    } else {
        &["complainant"]
    };
    let user = user.0;
    let history = state
        .db
        .run(move |conn| {
            let row = model::find(conn, id)?;
            user.visible(&row.directorate)?;
            audit::history(conn, model::ENTITY, &id.to_string(), &paging, hidden)
        })
        .await?;
    Ok(HttpResponse::Ok().json(history))
}

/// Escalate a record to the next step of its procedure: a new record linked
/// by `parent_id`, copying the directorate, complainant, category and service
/// area. Allowed whether or not the record has been responded to. Past the
/// last step the answer is 409: the next step is the Ombudsman.
#[utoipa::path(
    tag = "feedback",
    request_body = Escalation,
    params(("id" = i64, Path, description = "The record to escalate."),
           ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses(
        (status = 201, description = "The new record.", body = Feedback,
            headers(("Location" = String, description = "The new record's URL."))),
        (status = 409, description = "The record cannot be escalated further.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/feedback/{id}/escalate")]
pub async fn escalate_feedback(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    req: HttpRequest,
    key: IdempotencyKey,
    id: web::Path<i64>,
    body: ValidJson<Escalation>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let request = idempotency::Request::new(&key, user.id, &req, &body.fingerprint);
    let calendar = state.calendar.current(&state.db).await?;
    let escalation = body.value;
    let user = Arc::new(user.0);
    let replay = replayer(&calendar, &user);
    idempotency::create(
        &state.db,
        request,
        move |conn| {
            let parent = model::find(conn, id)?;
            user.visible(&parent.directorate)?;
            let step = escalation::next(
                parent.kind()?,
                parent.procedure()?,
                parent.stage,
                escalation.procedure,
            )?;
            if escalation.received_on < parent.received_on {
                return Err(ApiError::field(
                    "received_on",
                    "must not be before the escalated record's received_on",
                ));
            }
            user.may_write_in(&parent.directorate)?;
            let input = FeedbackInput {
                directorate: parent.directorate.clone(),
                kind: step.kind,
                procedure: step.procedure,
                stage: step.stage,
                service_area: parent.service_area.clone(),
                team: None,
                category: parent.category.clone(),
                sub_category: parent.sub_category.clone(),
                themes: Vec::new(),
                summary: None,
                channel: None,
                complainant: model::complainant_of(&parent)?,
                received_on: escalation.received_on,
                acknowledged_on: None,
                responded_on: None,
                closed_on: None,
                extended_due_on: None,
                extension_reason: None,
                outcome: None,
                remedies: Vec::new(),
                learning: None,
                parent_id: Some(parent.id),
                reopened: false,
                external_ref: None,
            };
            let actor = user.actor();
            let row = model::insert(conn, &actor, &input, &calendar, Action::Escalate)?;
            let mut changes = audit::Changes::new();
            changes.insert(
                "escalated_to".into(),
                audit::Change {
                    from: serde_json::Value::Null,
                    to: serde_json::json!(row.reference()),
                },
            );
            audit::record(
                conn,
                &actor,
                model::ENTITY,
                &parent.id.to_string(),
                Action::Escalate,
                &changes,
            )?;
            created(&row, &calendar, &user)
        },
        replay,
    )
    .await
}

/// Redact a record (managers): the complainant's details and all free text
/// (summary, learning, extension reason, remedy descriptions, service area,
/// team, themes) become `[redacted]` and the CRM's `external_ref` is cleared,
/// in the record and throughout its history; the fields statistics count
/// (kind, procedure, stage, dates, category, outcome, remedy kinds and
/// amounts, relationship, young person, advocate) stay. A record may be
/// redacted again. For a deleted record, its history is redacted (204).
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Record id.")),
    responses(
        (status = 200, description = "The redacted record.", body = Feedback),
        (status = 204, description = "The record had been deleted; its history is redacted."),
    )
)]
#[post("/feedback/{id}/redact")]
pub async fn redact_feedback(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let calendar = state.calendar.current(&state.db).await?;
    let user = user.0;
    let record = state
        .db
        .write(move |conn| {
            crate::db::lock_row(conn, "feedback", id)?;
            let Some(row) = model::find_optional(conn, id)? else {
                erasure::redact_deleted(conn, &user, &model::REDACTION, &id.to_string())?;
                return Ok(None);
            };
            user.visible(&row.directorate)?;
            let row = model::redact(conn, &user.actor(), &row, &calendar)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(Some(Feedback::of(&row, &calendar, &user)?))
        })
        .await?;
    state.db.scrub_after_erasure().await;
    Ok(match record {
        Some(record) => record_response(actix_web::http::StatusCode::OK, &record),
        None => HttpResponse::NoContent().finish(),
    })
}

/// Erase a record (managers): redact it and its history, then delete it, so
/// that no personal data of it remains. Erasing a record already deleted
/// redacts its history.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Record id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the record has changed since.")),
    responses(
        (status = 204, description = "The record is erased."),
        (status = 412, description = "The record changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/feedback/{id}/erase")]
pub async fn erase_feedback(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let calendar = state.calendar.current(&state.db).await?;
    let user = user.0;
    state
        .db
        .write(move |conn| {
            crate::db::lock_row(conn, "feedback", id)?;
            let Some(row) = model::find_optional(conn, id)? else {
                return erasure::redact_deleted(conn, &user, &model::REDACTION, &id.to_string());
            };
            user.visible(&row.directorate)?;
            if_match.check(row.version)?;
            let row = model::redact(conn, &user.actor(), &row, &calendar)?;
            model::delete(conn, &user.actor(), &row)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(())
        })
        .await?;
    state.db.scrub_after_erasure().await;
    Ok(HttpResponse::NoContent().finish())
}
