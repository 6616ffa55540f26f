//! Allocation: who handles a feedback record or an Ombudsman case, and who
//! investigates it. `POST /{id}/assign` assigns and reassigns; each change
//! is an `assign` entry in the record's history.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor, Change, Changes};
use crate::auth::{AuthUser, Authorized, StaffWriters};
use crate::calendar::Today;
use crate::casework::Casework;
use crate::db::precondition::Precondition;
use crate::db::schema::users;
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::feedback::model::FeedbackRow;
use crate::http::etag::IfMatch;
use crate::http::json::{RequestBody, ValidJson};
use crate::ombudsman::model::CaseRecord;
use crate::openapi::Routes;
use crate::records::api::respond;
use crate::records::store;
use crate::state::AppState;
use crate::statistics::sql::Sql;
use crate::users::role::Role;
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(assign_feedback).service(assign_ombudsman_case);
}

/// Who handles a record or case, and who investigates it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Allocation {
    /// The user who handles it; null while unassigned.
    pub handler_id: Option<i64>,
    /// The investigator, when a user of the service; null otherwise.
    pub investigator_id: Option<i64>,
    /// The investigator, when external (an independent investigator, as the
    /// children's procedure requires at stage 2); null otherwise.
    pub investigator_name: Option<String>,
}

impl Allocation {
    /// The allocation's fields as the history records them.
    fn audit_view(&self) -> Value {
        json!({
            "handler_id": self.handler_id,
            "investigator_id": self.investigator_id,
            "investigator_name": self.investigator_name,
        })
    }
}

/// Whose records a list shows (`handler=`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HandlerFilter {
    /// `none`: records nobody handles.
    Unassigned,
    /// `me`, or a user's id: that user's records.
    User(i64),
}

impl HandlerFilter {
    /// The filter `handler=` asks for, for the caller `me`: `me`, `none`
    /// or a user's id; 422 for anything else.
    pub fn parse(value: Option<&str>, me: i64) -> Result<Option<HandlerFilter>, ApiError> {
        HandlerFilter::parse_field("handler", value, me)
    }

    /// The same for the query parameter `field` (`owner=` of the actions).
    pub fn parse_field(
        field: &str,
        value: Option<&str>,
        me: i64,
    ) -> Result<Option<HandlerFilter>, ApiError> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        match value {
            "me" => Ok(Some(HandlerFilter::User(me))),
            "none" => Ok(Some(HandlerFilter::Unassigned)),
            id => id
                .parse::<i64>()
                .map(|id| Some(HandlerFilter::User(id)))
                .map_err(|_| ApiError::field(field, "must be me, none or a user's id")),
        }
    }
}

/// An investigator: a user (by id) or an external investigator (by name).
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Investigator {
    /// A user of the service, by id.
    User(i64),
    /// An external independent investigator, by name.
    External(String),
}

/// The body of an assignment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The user who will handle it: an active manager or caseworker of its
    /// directorate, or an admin.
    #[schema(example = 12)]
    pub handler: i64,
    /// Who investigates: a user's id (a manager or caseworker of its
    /// directorate), or the name of an external independent investigator;
    /// null or absent for none.
    #[serde(default)]
    #[schema(value_type = Option<Object>, example = "Jo Bloggs (independent investigator)")]
    pub investigator: Option<Investigator>,
    /// Why, for the history (e.g. "Sam is on leave until 3 March").
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

impl RequestBody for Assignment {}

impl Validate for Assignment {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        if let Some(Investigator::External(name)) = &self.investigator {
            if name.trim().is_empty() {
                errors.add("investigator", "must name the investigator");
            } else if name.chars().count() > 200 {
                errors.add("investigator", "must be at most 200 characters");
            }
        }
        if self.note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            errors.add("note", "must be at most 2000 characters");
        }
    }
}

/// Whether the user `id` may handle, investigate or own an action on a
/// record of `directorate`: an active admin, or an active manager or
/// caseworker of the directorate. The reason when not.
pub fn check_assignee(
    conn: &mut DbConnection,
    id: i64,
    directorate: &str,
) -> Result<Option<String>, ApiError> {
    let user: Option<(String, String, bool)> = users::table
        .find(id)
        .select((users::role, users::directorates, users::active))
        .first(conn)
        .optional()?;
    let Some((role, directorates, active)) = user else {
        return Ok(Some("no such user".into()));
    };
    if !active {
        return Ok(Some("is deactivated".into()));
    }
    let role = Role::from_db(&role)?;
    let codes: Vec<String> = serde_json::from_str(&directorates)?;
    Ok(match role {
        Role::Admin => None,
        Role::Manager | Role::Caseworker if codes.iter().any(|c| c == directorate) => None,
        Role::Manager | Role::Caseworker => Some(format!(
            "must be a user of the record's directorate ({directorate})"
        )),
        _ => Some(format!("a user with the {role} role cannot handle records")),
    })
}

/// The allocation `request` makes for a record of `directorate` (422 for
/// an unknown, deactivated or other directorate's user).
fn allocation_of(
    conn: &mut DbConnection,
    directorate: &str,
    request: &Assignment,
) -> Result<Allocation, ApiError> {
    let mut errors = FieldErrors::new();
    if let Some(reason) = check_assignee(conn, request.handler, directorate)? {
        errors.add("handler", reason);
    }
    let (investigator_id, investigator_name) = match &request.investigator {
        Some(Investigator::User(id)) => {
            if let Some(reason) = check_assignee(conn, *id, directorate)? {
                errors.add("investigator", reason);
            }
            (Some(*id), None)
        }
        Some(Investigator::External(name)) => (None, Some(name.trim().to_string())),
        None => (None, None),
    };
    errors.into_result()?;
    Ok(Allocation {
        handler_id: Some(request.handler),
        investigator_id,
        investigator_name,
    })
}

/// Assign the record `id` (locked, under `precondition`) as `request`
/// says, on behalf of `user`: its allocation changes, its version rises,
/// and its history gains an `assign` entry with the note. Nothing is
/// written when nothing changes.
pub fn assign<R: Casework>(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    precondition: &Precondition,
    request: &Assignment,
) -> Result<R, ApiError> {
    let current = store::lock::<R>(conn, user, id, precondition)?;
    user.may_write_in(current.directorate())?;
    let after = allocation_of(conn, current.directorate(), request)?;
    let note = request.note.as_deref().filter(|n| !n.trim().is_empty());
    write_allocation(conn, &user.actor(), &current, &after, note)
}

/// Write the allocation `after` over `current` (locked) as `actor`, with
/// an `assign` entry in its history carrying `note`: what an assignment
/// does, also for imports and demo data. Nothing is written when nothing
/// changes.
pub fn write_allocation<R: Casework>(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &R,
    after: &Allocation,
    note: Option<&str>,
) -> Result<R, ApiError> {
    let before = current.allocation();
    if *after == before && note.is_none() {
        return R::find(conn, current.id())?.ok_or_else(ApiError::not_found);
    }
    let id = current.id();
    let version = current.version() + 1;
    let written = Sql::new(&format!("UPDATE {} SET handler_id =", R::TABLE))
        .opt_int(after.handler_id)
        .push(", investigator_id =")
        .opt_int(after.investigator_id)
        .push(", investigator_name =")
        .opt_text(after.investigator_name.as_deref())
        .push(", version =")
        .int(version)
        .push(", updated_at =")
        .timestamp(now())
        .push("WHERE id =")
        .int(id)
        .push("AND version =")
        .int(current.version())
        .execute(conn)?;
    if written != 1 {
        return Err(ApiError::PreconditionFailed(
            "The record changed while this request was processed.".into(),
        ));
    }
    let mut changes: Changes = audit::diff(&before.audit_view(), &after.audit_view());
    if let Some(note) = note {
        changes.insert(
            "note".into(),
            Change {
                from: Value::Null,
                to: Value::String(note.to_string()),
            },
        );
    }
    audit::record(
        conn,
        actor,
        R::ENTITY,
        &id.to_string(),
        Action::Assign,
        &changes,
    )?;
    R::find(conn, id)?.ok_or_else(ApiError::not_found)
}

/// The body of both assign endpoints.
async fn assign_endpoint<R: Casework>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    precondition: Precondition,
    request: Assignment,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let context = R::context(state, today).await?;
    let (record, view) = state
        .db
        .write(move |conn| {
            let record = assign::<R>(conn, &user, id, &precondition, &request)?;
            let view = record.view(&context, today, &user)?;
            Ok((record, view))
        })
        .await?;
    Ok(respond(StatusCode::OK, &record, &view))
}

/// Assign a feedback record to a handler (and an investigator), or
/// reassign it. The record's `handler_id`, `investigator_id` and
/// `investigator_name` change, and its history gains an `assign` entry with
/// the note. 422 for a handler who is unknown, deactivated or not of the
/// record's directorate.
#[utoipa::path(
    tag = "casework",
    request_body = Assignment,
    params(("id" = i64, Path, description = "The record."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
    responses(
        (status = 200, description = "Assigned.", body = crate::feedback::api::Feedback,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 403, description = "Another directorate's record.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/feedback/{id}/assign")]
pub async fn assign_feedback(
    state: web::Data<AppState>,
    user: Authorized<StaffWriters>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ValidJson<Assignment>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    assign_endpoint::<FeedbackRow>(&state, user.0, id.into_inner(), if_match, body.value, today)
        .await
}

/// Assign an Ombudsman case to a handler (and an investigator), or
/// reassign it, as for feedback records.
#[utoipa::path(
    tag = "casework",
    request_body = Assignment,
    params(("id" = i64, Path, description = "The case."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
    responses(
        (status = 200, description = "Assigned.", body = crate::ombudsman::api::OmbudsmanCase,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 403, description = "Another directorate's case.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ombudsman-cases/{id}/assign")]
pub async fn assign_ombudsman_case(
    state: web::Data<AppState>,
    user: Authorized<StaffWriters>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ValidJson<Assignment>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    assign_endpoint::<CaseRecord>(&state, user.0, id.into_inner(), if_match, body.value, today)
        .await
}

impl Casework for FeedbackRow {
    fn allocation(&self) -> Allocation {
        Allocation {
            handler_id: self.handler_id,
            investigator_id: self.investigator_id,
            investigator_name: self.investigator_name.clone(),
        }
    }
}

impl Casework for CaseRecord {
    fn allocation(&self) -> Allocation {
        Allocation {
            handler_id: self.row.handler_id,
            investigator_id: self.row.investigator_id,
            investigator_name: self.row.investigator_name.clone(),
        }
    }
}
