//! `/feedback`: compliments, comments, enquiries and complaints, with their
//! statutory clocks.

use std::sync::Arc;

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::Action;
use crate::auth::{AuthUser, Authorized, RecordReaders, RecordWriters};
use crate::calendar::Today;
use crate::db::page::{Paging, SortField};
use crate::db::DbConnection;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::feedback::escalation;
use crate::feedback::fields::{FeedbackInput, FeedbackPatch};
use crate::feedback::list::{self, FeedbackFilter};
use crate::feedback::model::{self, FeedbackRow};
use crate::feedback::types::{Procedure, Status};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json::{RequestBody, ValidJson};
use crate::openapi::Routes;
use crate::records::api::{self as records_api, Noun, RecordApi, RecordMeta};
use crate::records::{store, Scope};
use crate::state::AppState;
use crate::timescales::clock::Timeliness;
use crate::timescales::TimeRules;
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
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

/// A feedback record: its writable fields (see `FeedbackInput`; the
/// complainant is left out for analysts) and what the service keeps and
/// computes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Feedback {
    /// Its id, version, stamps and author.
    #[serde(flatten)]
    pub meta: RecordMeta,
    /// Its human reference: `FB-` and the id, zero-padded to six digits.
    #[schema(example = "FB-000123")]
    pub reference: String,
    /// The writable fields.
    #[serde(flatten)]
    pub fields: FeedbackInput,
    /// Where it is in its life: `open` until responded to, `responded`,
    /// then `closed`.
    pub status: Status,
    /// Its clock as of today, under the timescales in force on its day of
    /// receipt (`GET /timescales`) and the calendar as it is now.
    pub timeliness: Timeliness,
    /// Who handles it and who investigates it (`POST /feedback/{id}/assign`).
    #[serde(flatten)]
    pub allocation: crate::casework::Allocation,
    /// When it was last reopened (`POST /feedback/{id}/reopen`): its clock
    /// counts from then, and its earlier responses are its rounds
    /// (`GET /feedback/{id}/rounds`). Null if it never was.
    pub reopened_on: Option<chrono::NaiveDate>,
    /// When personal data and free text were redacted (RFC 3339, UTC); null
    /// if they never were.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl Feedback {
    /// The record as `user` may see it, with its clock under `rules` today.
    pub fn of(row: &FeedbackRow, rules: &TimeRules, today: Today, user: &AuthUser) -> Feedback {
        let mut fields = row.fields.clone();
        if !user.sees_personal_data() {
            fields.complainant = None;
            fields.reasonable_adjustments = None;
        }
        // Reopened through the API, or recorded as reopened by an import.
        fields.reopened |= row.reopened_on.is_some();
        Feedback {
            meta: crate::record_meta!(row),
            reference: row.reference.clone().unwrap_or_default(),
            status: row.status(),
            timeliness: row.clock(rules, today.0),
            allocation: crate::casework::Casework::allocation(row),
            reopened_on: row.reopened_on,
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
            fields,
        }
    }
}

crate::record_view!(Feedback reads FeedbackInput, page FeedbackPage, "A page of feedback records.");

impl RecordApi for FeedbackRow {
    type View = Feedback;
    type Filters = FeedbackFilter;
    const NOUN: Noun = Noun::new("a feedback record", "feedback records", "/api/v1/feedback");
    const NOTE: &'static str = "The CRM should send its own `external_ref` (unique in the directorate) and an `Idempotency-Key`, so that retries are safe.";
    const SORTABLE: &'static [SortField] = list::SORTABLE;
    const PERSONAL: &'static [&'static str] = &["complainant", "reasonable_adjustments"];

    async fn context(state: &AppState, _: Today) -> Result<TimeRules, ApiError> {
        TimeRules::current(state).await
    }

    fn view(&self, rules: &TimeRules, today: Today, user: &AuthUser) -> Result<Feedback, ApiError> {
        Ok(Feedback::of(self, rules, today, user))
    }

    fn list(
        conn: &mut DbConnection,
        filters: &FeedbackFilter,
        scope: &Scope,
        paging: &Paging,
        today: Today,
        user: &AuthUser,
    ) -> Result<(Vec<Self>, i64), ApiError> {
        if filters.stage.is_some_and(|stage| !(1..=3).contains(&stage)) {
            return Err(ApiError::field("stage", "must be from 1 to 3"));
        }
        list::list(
            conn,
            filters,
            scope,
            paging,
            today.0,
            user.sees_personal_data(),
            crate::casework::HandlerFilter::parse(filters.handler.as_deref(), user.id)?,
        )
    }

    fn check_body(
        input: &FeedbackInput,
        rules: &TimeRules,
        current: Option<&FeedbackRow>,
    ) -> Result<(), ApiError> {
        model::check_timescale(input, current.and_then(|row| row.reopened_on), rules)
    }
}

crate::record_endpoints!(FeedbackRow, tag "feedback", view Feedback, page FeedbackPage,
    input FeedbackInput, patch FeedbackPatch, filters FeedbackFilter, readers RecordReaders, writers RecordWriters,
    conflict "The directorate already has a record with this `external_ref`.",
    "/feedback" => [list_feedback, create_feedback],
    "/feedback/{id}" => [get_feedback, update_feedback, delete_feedback], "/feedback/{id}/history" => get_feedback_history,
    "/feedback/{id}/redact" => redact_feedback, "/feedback/{id}/erase" => erase_feedback);

/// The body of an escalation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// The day the escalation was received (`YYYY-MM-DD`): not in the
    /// future, nor before the escalated record's `received_on`.
    pub received_on: NaiveDate,
    /// The procedure of the formal complaint: only, and required, when
    /// escalating an informal complaint, an enquiry, an MP's enquiry or a
    /// councillor's enquiry.
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

/// Escalate a record to the next step of its procedure: a new record linked
/// by `parent_id`, copying the directorate, complainant, category and service
/// area. Allowed whether or not the record has been responded to. An
/// informal complaint, an enquiry, an MP's or a councillor's enquiry becomes
/// a complaint at stage 1 of the procedure the body names. The stages are
/// those of the timescales in force on the escalation's `received_on` (a
/// corporate complaint received from 1 April 2026 has two). Past the last
/// step the answer is 409: the next step is the Ombudsman. Answering a
/// record by escalation, record its outcome as `escalated`.
#[utoipa::path(
    tag = "feedback",
    request_body = Escalation,
    params(("id" = i64, Path, description = "The record to escalate."),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a repeat with the same key and body returns the new record as it is now.")),
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
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let request = idempotency::Request::new(&key, user.id, &req, &body.fingerprint);
    let rules = TimeRules::current(&state).await?;
    let escalation = body.value;
    let user = Arc::new(user.0);
    let (reader, replay_rules) = (user.clone(), rules.clone());
    let created = move |row: &FeedbackRow, rules: &TimeRules, user: &AuthUser| {
        let view = Feedback::of(row, rules, today, user);
        let location = records_api::location::<FeedbackRow>(row.id);
        idempotency::Created::new(model::ENTITY, row.id, location, Some(row.version), &view)
    };
    idempotency::create(
        &state.db,
        request,
        move |conn| {
            // Locked, as every change of a record is: the parent's history
            // (and its webhook events) follow in commit order.
            crate::db::lock_row(conn, "feedback", id)?;
            let parent = store::find_visible::<FeedbackRow>(
                conn,
                &user.scope().map(<[String]>::to_vec),
                id,
            )?;
            let input = escalation::escalated(
                &parent,
                escalation.received_on,
                escalation.procedure,
                &rules,
            )?;
            user.may_write_in(&parent.fields.directorate)?;
            let row = store::create::<FeedbackRow>(conn, &user, &input, &rules, Action::Escalate)?;
            model::note_escalation(conn, &user.actor(), &parent, &row)?;
            created(&row, &rules, &user)
        },
        move |conn, key| {
            let id = key.parse().map_err(ApiError::internal)?;
            let row = store::find_visible::<FeedbackRow>(
                conn,
                &reader.scope().map(<[String]>::to_vec),
                id,
            )?;
            created(&row, &replay_rules, &reader)
        },
    )
    .await
}
