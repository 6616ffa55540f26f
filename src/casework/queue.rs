//! `GET /me/work`: the caller's queue. The open feedback records and the
//! Ombudsman cases they handle, most urgent first, each with its next
//! milestone and its due date; their open actions; and for managers and
//! admins, the open
//! records and cases of their directorates left with a handler who has been
//! deactivated or has left the directorate.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Serialize;
use utoipa::ToSchema;

use crate::actions::model::ActionRow;
use crate::auth::{AuthUser, Authorized, StaffWriters};
use crate::calendar::Today;
use crate::db::schema::{actions, feedback, ombudsman_cases};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::model::FeedbackRow;
use crate::feedback::types::Kind;
use crate::ombudsman::model::{with_children, CaseRecord, CaseRow};
use crate::openapi::Routes;
use crate::records::Record;
use crate::state::AppState;
use crate::statistics::sql::Sql;
use crate::timescales::TimeRules;
use crate::users::role::Role;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(my_work);
}

/// How many records or cases a queue lists at most, of each.
const QUEUE_LIMIT: i64 = 500;

/// One record or case in a queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkItem {
    /// `feedback` or `ombudsman_case`.
    pub entity: String,
    /// Its id.
    pub id: i64,
    /// Its reference (`FB-000123`, or the Ombudsman's `24 001 234`).
    pub reference: String,
    /// Its directorate.
    pub directorate: String,
    /// A feedback record's kind; null for a case.
    pub kind: Option<Kind>,
    /// Its handler.
    pub handler_id: Option<i64>,
    /// What is due next: `acknowledgement`, `panel_meeting`, `panel_report`
    /// or `response` for feedback (its clock's milestones);
    /// `information_request` or `recommendation` for a case; null when
    /// nothing has a date.
    pub next_milestone: Option<String>,
    /// When the next milestone is due; null when nothing has a date.
    pub due_on: Option<NaiveDate>,
    /// Whether the next milestone's date has passed.
    pub overdue: bool,
}

/// The caller's queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Queue {
    /// The open records and cases the caller handles, most urgent first
    /// (by due date, those without one last).
    pub items: Vec<WorkItem>,
    /// For managers and admins: the open records and cases of their
    /// directorates whose handler has been deactivated or is no longer of
    /// the directorate, to reassign. Empty for other roles.
    pub unattended: Vec<WorkItem>,
    /// The caller's actions not yet done, by due date (those without one
    /// last), each with `overdue`.
    pub actions: Vec<crate::actions::api::AgreedAction>,
}

/// The item of an open feedback record: its next milestone from its clock.
fn feedback_item(row: &FeedbackRow, rules: &TimeRules, today: NaiveDate) -> WorkItem {
    let clock = row.clock(rules, today);
    let next = clock.milestones.iter().find(|m| m.done_on.is_none());
    let (name, due_on) = match next {
        Some(m) => (Some(m.name.as_str().to_string()), Some(m.due_on)),
        None => (clock.due_on.map(|_| "response".to_string()), clock.due_on),
    };
    WorkItem {
        entity: FeedbackRow::ENTITY.into(),
        id: row.id,
        reference: row.reference.clone().unwrap_or_default(),
        directorate: row.fields.directorate.clone(),
        kind: Some(row.fields.kind),
        handler_id: row.handler_id,
        next_milestone: name,
        overdue: due_on.is_some_and(|d| d < today),
        due_on,
    }
}

/// The item of a case: its earliest unanswered information request or
/// uncompleted recommendation; `None` when the case is decided and nothing
/// is outstanding.
fn case_item(case: &CaseRecord, today: NaiveDate) -> Option<WorkItem> {
    let requests = case
        .requests
        .iter()
        .filter(|r| r.provided_on.is_none())
        .map(|r| {
            (
                "information_request",
                Some(r.extended_due_on.unwrap_or(r.due_on)),
            )
        });
    let recommendations = case
        .recommendations
        .iter()
        .filter(|r| r.completed_on.is_none())
        .map(|r| ("recommendation", r.due_on));
    let outstanding: Vec<(&str, Option<NaiveDate>)> = requests.chain(recommendations).collect();
    if outstanding.is_empty() && case.row.decision.is_some() {
        return None;
    }
    let next = outstanding
        .iter()
        .filter(|(_, due)| due.is_some())
        .min_by_key(|(_, due)| *due)
        .or(outstanding.first());
    let (name, due_on) = match next {
        Some((name, due)) => (Some(name.to_string()), *due),
        None => (None, None),
    };
    Some(WorkItem {
        entity: CaseRecord::ENTITY.into(),
        id: case.row.id,
        reference: case.row.reference.clone(),
        directorate: case.row.directorate.clone(),
        kind: None,
        handler_id: case.row.handler_id,
        next_milestone: name,
        overdue: due_on.is_some_and(|d| d < today),
        due_on,
    })
}

/// The items of the feedback records with `ids`.
fn feedback_items(
    conn: &mut DbConnection,
    ids: Vec<i64>,
    rules: &TimeRules,
    today: NaiveDate,
) -> Result<Vec<WorkItem>, ApiError> {
    let rows: Vec<FeedbackRow> = feedback::table
        .filter(feedback::id.eq_any(ids))
        .select(FeedbackRow::as_select())
        .load(conn)?;
    Ok(rows
        .iter()
        .map(|row| feedback_item(row, rules, today))
        .collect())
}

/// The items of the cases with `ids` that have something outstanding (their
/// rounds, requests and recommendations read in three queries for all).
fn case_items(
    conn: &mut DbConnection,
    ids: Vec<i64>,
    today: NaiveDate,
) -> Result<Vec<WorkItem>, ApiError> {
    let rows: Vec<CaseRow> = ombudsman_cases::table
        .filter(ombudsman_cases::id.eq_any(ids))
        .select(CaseRow::as_select())
        .load(conn)?;
    Ok(with_children(conn, rows)?
        .iter()
        .filter_map(|case| case_item(case, today))
        .collect())
}

/// Most urgent first: by due date, those without one last, then by id.
fn by_urgency(items: &mut [WorkItem]) {
    items.sort_by_key(|i| (i.due_on.is_none(), i.due_on, i.entity.clone(), i.id));
}

/// An id read by a raw statement.
#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The ids of the open records (`table` `feedback`, open while not
/// responded to) or cases (open while undecided) of `scope` whose handler
/// is deactivated or no longer of the record's directorate.
fn unattended_ids(
    conn: &mut DbConnection,
    table: &str,
    open: &str,
    scope: &crate::statistics::Scope,
) -> Result<Vec<i64>, ApiError> {
    let sql = Sql::new(&format!(
        "SELECT r.id AS id FROM {table} r JOIN users u ON u.id = r.handler_id \
         WHERE {open} AND (u.active = FALSE OR (u.role <> 'admin' AND \
         u.directorates NOT LIKE '%\"' || r.directorate || '\"%'))"
    ))
    .scoped("r.directorate", scope)
    .push(&format!("ORDER BY r.id LIMIT {QUEUE_LIMIT}"));
    Ok(sql.load::<Id>(conn)?.into_iter().map(|i| i.id).collect())
}

/// The queue of `user` on `today`.
pub fn queue(
    conn: &mut DbConnection,
    user: &AuthUser,
    rules: &TimeRules,
    today: NaiveDate,
) -> Result<Queue, ApiError> {
    let records: Vec<i64> = feedback::table
        .filter(feedback::handler_id.eq(user.id))
        .filter(feedback::responded_on.is_null())
        .select(feedback::id)
        .limit(QUEUE_LIMIT)
        .load(conn)?;
    let cases: Vec<i64> = ombudsman_cases::table
        .filter(ombudsman_cases::handler_id.eq(user.id))
        .select(ombudsman_cases::id)
        .order(ombudsman_cases::id.desc())
        .limit(QUEUE_LIMIT)
        .load(conn)?;
    let mut items = feedback_items(conn, records, rules, today)?;
    items.extend(case_items(conn, cases, today)?);
    by_urgency(&mut items);
    let mut unattended = Vec::new();
    if matches!(user.role, Role::Admin | Role::Manager) {
        let scope = user.scope().map(<[String]>::to_vec);
        let records = unattended_ids(conn, "feedback", "r.responded_on IS NULL", &scope)?;
        let cases = unattended_ids(conn, "ombudsman_cases", "r.decision IS NULL", &scope)?;
        unattended = feedback_items(conn, records, rules, today)?;
        unattended.extend(case_items(conn, cases, today)?);
        by_urgency(&mut unattended);
    }
    let actions: Vec<ActionRow> = actions::table
        .filter(actions::owner_id.eq(user.id))
        .filter(actions::completed_on.is_null())
        .order((actions::due_on.is_null(), actions::due_on, actions::id))
        .limit(QUEUE_LIMIT)
        .select(ActionRow::as_select())
        .load(conn)?;
    let actions = actions
        .iter()
        .map(|row| crate::actions::api::AgreedAction::of(row, Today(today)))
        .collect();
    Ok(Queue {
        items,
        unattended,
        actions,
    })
}

/// The caller's queue: the open feedback records and the Ombudsman cases
/// they handle, most urgent first, each with its next milestone, its due
/// date and whether it is overdue; and, for managers and admins, the open
/// records and cases of their directorates whose handler has been
/// deactivated or has left the directorate (`unattended`), to reassign.
#[utoipa::path(
    tag = "casework",
    responses((status = 200, description = "The queue.", body = Queue))
)]
#[get("/me/work")]
pub async fn my_work(
    state: web::Data<AppState>,
    user: Authorized<StaffWriters>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let rules = TimeRules::current(&state).await?;
    let user = user.0;
    let queue = state
        .db
        .run(move |conn| queue(conn, &user, &rules, today.0))
        .await?;
    Ok(HttpResponse::Ok().json(queue))
}
