//! Feedback records in the database: rows, the stored clock, queries and the
//! audited writes.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::audit::redaction::{Field, Policy};
use crate::audit::{self, Action, Actor, Change, Changes};
use crate::calendar::Calendar;
use crate::db::page::{Paging, SortField};
use crate::db::schema::feedback;
use crate::db::sql::{contains_pattern, lower};
use crate::db::{now, DbConnection, MultiBackend};
use crate::error::{ApiError, FieldErrors};
use crate::feedback::fields::{Complainant, FeedbackInput};
use crate::feedback::rules::{rule_for, Clock, Dates};
use crate::feedback::types::{Channel, Kind, Outcome, Procedure, Status};

/// The audit log's name for feedback records.
pub const ENTITY: &str = "feedback";

/// A row of `feedback`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = feedback)]
pub struct FeedbackRow {
    /// Id.
    pub id: i64,
    /// `FB-000123`.
    pub reference: Option<String>,
    /// Version (the ETag).
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Username of the creator.
    pub created_by: String,
    /// Directorate code.
    pub directorate: String,
    /// Kind.
    pub kind: String,
    /// Procedure.
    pub procedure: Option<String>,
    /// Stage.
    pub stage: Option<i32>,
    /// Service area.
    pub service_area: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Sub-category.
    pub sub_category: Option<String>,
    /// Themes as a JSON array.
    pub themes: String,
    /// Summary.
    pub summary: Option<String>,
    /// Channel.
    pub channel: Option<String>,
    /// Complainant as JSON.
    pub complainant: Option<String>,
    /// Complainant's name (for search).
    pub complainant_name: Option<String>,
    /// Complainant is a young person.
    pub is_young_person: Option<bool>,
    /// An advocate helped.
    pub advocate_assisted: Option<bool>,
    /// Received.
    pub received_on: NaiveDate,
    /// Acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// Responded.
    pub responded_on: Option<NaiveDate>,
    /// Closed.
    pub closed_on: Option<NaiveDate>,
    /// Extended due date.
    pub extended_due_on: Option<NaiveDate>,
    /// Why extended.
    pub extension_reason: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Remedies as JSON.
    pub remedies: String,
    /// Learning.
    pub learning: Option<String>,
    /// Escalated from.
    pub parent_id: Option<i64>,
    /// Reopened.
    pub reopened: bool,
    /// CRM id.
    pub external_ref: Option<String>,
    /// Stored due date (see [`recompute_clocks`]).
    pub due_on: Option<NaiveDate>,
    /// Stored limit.
    pub limit_on: Option<NaiveDate>,
    /// Stored working days taken.
    pub working_days_taken: Option<i32>,
    /// When personal data was redacted.
    pub redacted_at: Option<NaiveDateTime>,
}

impl FeedbackRow {
    /// The human reference.
    pub fn reference(&self) -> String {
        self.reference
            .clone()
            .unwrap_or_else(|| reference_for(self.id))
    }

    /// The kind.
    pub fn kind(&self) -> Result<Kind, ApiError> {
        Kind::from_db(&self.kind)
    }

    /// The procedure.
    pub fn procedure(&self) -> Result<Option<Procedure>, ApiError> {
        self.procedure
            .as_deref()
            .map(Procedure::from_db)
            .transpose()
    }

    /// Where the record is in its life.
    pub fn status(&self) -> Status {
        if self.closed_on.is_some() {
            Status::Closed
        } else if self.responded_on.is_some() {
            Status::Responded
        } else {
            Status::Open
        }
    }

    /// The clock under the rules and `calendar`, on `today`.
    pub fn clock(&self, calendar: &Calendar, today: NaiveDate) -> Result<Clock, ApiError> {
        let rule = rule_for(self.kind()?, self.procedure()?, self.stage);
        Ok(rule.clock(calendar, &self.dates(), today))
    }

    fn dates(&self) -> Dates {
        Dates {
            received_on: Some(self.received_on),
            acknowledged_on: self.acknowledged_on,
            responded_on: self.responded_on,
            extended_due_on: self.extended_due_on,
        }
    }

    /// The writable fields, as they were sent.
    pub fn input(&self) -> Result<FeedbackInput, ApiError> {
        Ok(FeedbackInput {
            directorate: self.directorate.clone(),
            kind: self.kind()?,
            procedure: self.procedure()?,
            stage: self.stage,
            service_area: self.service_area.clone(),
            team: self.team.clone(),
            category: self.category.clone(),
            sub_category: self.sub_category.clone(),
            themes: serde_json::from_str(&self.themes)?,
            summary: self.summary.clone(),
            channel: self.channel.as_deref().map(Channel::from_db).transpose()?,
            complainant: self
                .complainant
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?,
            received_on: self.received_on,
            acknowledged_on: self.acknowledged_on,
            responded_on: self.responded_on,
            closed_on: self.closed_on,
            extended_due_on: self.extended_due_on,
            extension_reason: self.extension_reason.clone(),
            outcome: self.outcome.as_deref().map(Outcome::from_db).transpose()?,
            remedies: serde_json::from_str(&self.remedies)?,
            learning: self.learning.clone(),
            parent_id: self.parent_id,
            reopened: self.reopened,
            external_ref: self.external_ref.clone(),
        })
    }
}

/// `FB-000123` for id 123.
pub fn reference_for(id: i64) -> String {
    format!("FB-{id:06}")
}

/// The columns written from a record's fields and its clock.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = feedback, treat_none_as_null = true)]
struct Columns {
    directorate: String,
    kind: String,
    procedure: Option<String>,
    stage: Option<i32>,
    service_area: Option<String>,
    team: Option<String>,
    category: Option<String>,
    sub_category: Option<String>,
    themes: String,
    summary: Option<String>,
    channel: Option<String>,
    complainant: Option<String>,
    complainant_name: Option<String>,
    is_young_person: Option<bool>,
    advocate_assisted: Option<bool>,
    received_on: NaiveDate,
    acknowledged_on: Option<NaiveDate>,
    responded_on: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    extended_due_on: Option<NaiveDate>,
    extension_reason: Option<String>,
    outcome: Option<String>,
    remedies: String,
    learning: Option<String>,
    parent_id: Option<i64>,
    reopened: bool,
    external_ref: Option<String>,
    due_on: Option<NaiveDate>,
    limit_on: Option<NaiveDate>,
    working_days_taken: Option<i32>,
}

impl Columns {
    fn of(input: &FeedbackInput, calendar: &Calendar) -> Result<Columns, ApiError> {
        let rule = rule_for(input.kind, input.procedure, input.stage);
        let clock = rule.clock(calendar, &dates_of(input), NaiveDate::MIN);
        let complainant = input.complainant.as_ref();
        Ok(Columns {
            directorate: input.directorate.clone(),
            kind: input.kind.as_str().into(),
            procedure: input.procedure.map(|p| p.as_str().into()),
            stage: input.stage,
            service_area: input.service_area.clone(),
            team: input.team.clone(),
            category: input.category.clone(),
            sub_category: input.sub_category.clone(),
            themes: serde_json::to_string(&input.themes)?,
            summary: input.summary.clone(),
            channel: input.channel.map(|c| c.as_str().into()),
            complainant: complainant.map(serde_json::to_string).transpose()?,
            complainant_name: complainant.and_then(|c| c.name.clone()),
            is_young_person: complainant.and_then(|c| c.is_young_person),
            advocate_assisted: complainant.and_then(|c| c.advocate_assisted),
            received_on: input.received_on,
            acknowledged_on: input.acknowledged_on,
            responded_on: input.responded_on,
            closed_on: input.closed_on,
            extended_due_on: input.extended_due_on,
            extension_reason: input.extension_reason.clone(),
            outcome: input.outcome.map(|o| o.as_str().into()),
            remedies: serde_json::to_string(&input.remedies)?,
            learning: input.learning.clone(),
            parent_id: input.parent_id,
            reopened: input.reopened,
            external_ref: input.external_ref.clone(),
            due_on: clock.due_on,
            limit_on: clock.limit_on,
            working_days_taken: clock.working_days_taken,
        })
    }
}

fn dates_of(input: &FeedbackInput) -> Dates {
    Dates {
        received_on: Some(input.received_on),
        acknowledged_on: input.acknowledged_on,
        responded_on: input.responded_on,
        extended_due_on: input.extended_due_on,
    }
}

/// A new row: the columns plus what the database keeps about the write.
#[derive(Debug, Insertable)]
#[diesel(table_name = feedback)]
struct NewRow {
    #[diesel(embed)]
    columns: Columns,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    created_by: String,
}

/// Rows per statement in [`bulk_insert`] (about 30 parameters each, well
/// under both backends' limits).
const BULK_CHUNK: usize = 100;

/// Insert many already-validated records at once (demo data, benchmarks,
/// migration from another system), each with an audit entry naming `source`.
/// Returns the new ids. Run it inside a write transaction.
pub fn bulk_insert(
    conn: &mut DbConnection,
    actor: &Actor,
    inputs: &[FeedbackInput],
    calendar: &Calendar,
    source: &str,
) -> Result<Vec<i64>, ApiError> {
    let mut all_ids = Vec::with_capacity(inputs.len());
    let changes = serde_json::to_string(&Changes::from([(
        "source".to_string(),
        Change {
            from: Value::Null,
            to: json!(source),
        },
    )]))?;
    for chunk in inputs.chunks(BULK_CHUNK) {
        let at = now();
        let rows = chunk
            .iter()
            .map(|input| {
                Ok(NewRow {
                    columns: Columns::of(input, calendar)?,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                    created_by: actor.username.clone(),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        // Multi-row inserts need the backend's own connection.
        let ids: Vec<i64> = match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(feedback::table)
                .values(&rows)
                .returning(feedback::id)
                .get_results(c)?,
            DbConnection::Postgres(c) => diesel::insert_into(feedback::table)
                .values(&rows)
                .returning(feedback::id)
                .get_results(c)?,
        };
        let (first, last) = (ids.iter().min().copied(), ids.iter().max().copied());
        if let (Some(first), Some(last)) = (first, last) {
            let set_reference = match conn {
                DbConnection::Sqlite(_) => "UPDATE feedback SET reference = printf('FB-%06d', id) WHERE id BETWEEN ? AND ?",
                DbConnection::Postgres(_) => {
                    "UPDATE feedback SET reference = 'FB-' || CASE WHEN id < 1000000 THEN lpad(id::text, 6, '0') \
                     ELSE id::text END WHERE id BETWEEN $1 AND $2"
                }
            };
            diesel::sql_query(set_reference)
                .bind::<diesel::sql_types::BigInt, _>(first)
                .bind::<diesel::sql_types::BigInt, _>(last)
                .execute(conn)?;
        }
        let entries: Vec<_> = ids
            .iter()
            .map(|id| {
                use crate::db::schema::audit_log;
                (
                    audit_log::occurred_at.eq(at),
                    audit_log::actor_id.eq(actor.id),
                    audit_log::actor.eq(actor.username.clone()),
                    audit_log::entity_type.eq(ENTITY),
                    audit_log::entity_id.eq(id.to_string()),
                    audit_log::action.eq(Action::Import.as_str()),
                    audit_log::changes.eq(changes.clone()),
                    audit_log::request_id.eq(actor.request_id.clone()),
                )
            })
            .collect();
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(crate::db::schema::audit_log::table)
                .values(&entries)
                .execute(c)?,
            DbConnection::Postgres(c) => diesel::insert_into(crate::db::schema::audit_log::table)
                .values(&entries)
                .execute(c)?,
        };
        all_ids.extend(ids);
    }
    Ok(all_ids)
}

/// 422 when an agreed extension is not allowed under the current calendar.
pub fn check_extension(input: &FeedbackInput, calendar: &Calendar) -> Result<(), ApiError> {
    let rule = rule_for(input.kind, input.procedure, input.stage);
    match rule.extension_problem(calendar, &dates_of(input)) {
        Some(problem) => Err(ApiError::field("extended_due_on", problem)),
        None => Ok(()),
    }
}

/// The record with `id`, locked for the rest of the write transaction, or 404.
pub fn find_for_update(conn: &mut DbConnection, id: i64) -> Result<FeedbackRow, ApiError> {
    crate::db::lock_row(conn, "feedback", id)?;
    find(conn, id)
}

/// The record with `id`, or 404 (on the backend's own connection: it is
/// the hottest read, see [`crate::per_backend`]).
pub fn find(conn: &mut DbConnection, id: i64) -> Result<FeedbackRow, ApiError> {
    let query = feedback::table.filter(feedback::id.eq(id));
    crate::per_backend!(conn, |c| query
        .select(FeedbackRow::as_select())
        .get_result(c)
        .optional())?
    .ok_or_else(ApiError::not_found)
}

/// The directorate of record `id`, if it exists.
pub fn directorate_of(conn: &mut DbConnection, id: i64) -> Result<Option<String>, ApiError> {
    Ok(feedback::table
        .find(id)
        .select(feedback::directorate)
        .get_result(conn)
        .optional()?)
}

/// Which directorates the caller may see: `None` for all.
pub type Scope = Option<Vec<String>>;

/// Check the ids a body refers to (422): the directorate exists; the parent
/// exists, is visible to the caller, is in the same directorate and is not
/// the record itself.
pub fn check_references(
    conn: &mut DbConnection,
    input: &FeedbackInput,
    own_id: Option<i64>,
    scope: &Scope,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if !crate::directorates::model::exists(conn, &input.directorate)? {
        errors.add(
            "directorate",
            format!("unknown directorate `{}`", input.directorate),
        );
    }
    if let Some(parent_id) = input.parent_id {
        let parent: Option<String> = feedback::table
            .find(parent_id)
            .select(feedback::directorate)
            .get_result(conn)
            .optional()?;
        let visible = parent.filter(|d| scope.as_ref().is_none_or(|s| s.contains(d)));
        match visible {
            None => errors.add("parent_id", "no such feedback record"),
            Some(_) if Some(parent_id) == own_id => {
                errors.add("parent_id", "cannot be the record itself")
            }
            Some(d) if d != input.directorate => {
                errors.add("parent_id", "must be a record of the same directorate")
            }
            Some(_) => {}
        }
    }
    errors.into_result()
}

fn duplicate_external_ref(input: &FeedbackInput) -> ApiError {
    ApiError::Conflict(format!(
        "The directorate `{}` already has a record with external_ref `{}`.",
        input.directorate,
        input.external_ref.as_deref().unwrap_or_default()
    ))
}

fn check_external_ref(
    conn: &mut DbConnection,
    input: &FeedbackInput,
    own_id: Option<i64>,
) -> Result<(), ApiError> {
    let Some(external_ref) = &input.external_ref else {
        return Ok(());
    };
    let existing: Option<i64> = feedback::table
        .filter(feedback::directorate.eq(&input.directorate))
        .filter(feedback::external_ref.eq(external_ref))
        .select(feedback::id)
        .get_result(conn)
        .optional()?;
    match existing {
        Some(id) if Some(id) != own_id => Err(duplicate_external_ref(input)),
        _ => Ok(()),
    }
}

/// What the audit log records of a record's fields.
pub fn audit_view(input: &FeedbackInput) -> Result<Value, ApiError> {
    Ok(serde_json::to_value(input)?)
}

/// Insert a record; 409 on a duplicate `external_ref`.
pub fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &FeedbackInput,
    calendar: &Calendar,
    action: Action,
) -> Result<FeedbackRow, ApiError> {
    check_external_ref(conn, input, None)?;
    let at = now();
    let row = NewRow {
        columns: Columns::of(input, calendar)?,
        version: 1,
        created_at: at,
        updated_at: at,
        created_by: actor.username.clone(),
    };
    let insert = diesel::insert_into(feedback::table)
        .values(&row)
        .returning(feedback::id);
    let id: i64 =
        crate::per_backend!(&mut *conn, |c| insert.get_result(c)).map_err(
            |e| match ApiError::from(e) {
                ApiError::Conflict(_) => duplicate_external_ref(input),
                other => other,
            },
        )?;
    let set_reference = diesel::update(feedback::table.filter(feedback::id.eq(id)))
        .set(feedback::reference.eq(reference_for(id)));
    crate::per_backend!(&mut *conn, |c| set_reference.execute(c))?;
    let changes = audit::diff(&json!({}), &audit_view(input)?);
    audit::record(conn, actor, ENTITY, &id.to_string(), action, &changes)?;
    find(conn, id)
}

/// Write `after` over the record at `version`. `Ok(None)` when the version
/// is no longer current (another writer got there first).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &FeedbackRow,
    after: &FeedbackInput,
    calendar: &Calendar,
) -> Result<Option<FeedbackRow>, ApiError> {
    check_external_ref(conn, after, Some(row.id))?;
    let before = row.input()?;
    let changes = audit::diff(&audit_view(&before)?, &audit_view(after)?);
    if changes.is_empty() {
        return Ok(Some(row.clone()));
    }
    let updated = diesel::update(
        feedback::table
            .find(row.id)
            .filter(feedback::version.eq(row.version)),
    )
    .set((
        Columns::of(after, calendar)?,
        feedback::version.eq(row.version + 1),
        feedback::updated_at.eq(now()),
    ))
    .execute(conn)
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict(_) => duplicate_external_ref(after),
        other => other,
    })?;
    if updated == 0 {
        return Ok(None);
    }
    audit::record(
        conn,
        actor,
        ENTITY,
        &row.id.to_string(),
        Action::Update,
        &changes,
    )?;
    Ok(Some(find(conn, row.id)?))
}

/// Delete a record (its history stays in the audit log; records escalated
/// from it keep their own place and lose the link).
pub fn delete(conn: &mut DbConnection, actor: &Actor, row: &FeedbackRow) -> Result<(), ApiError> {
    diesel::delete(feedback::table.find(row.id)).execute(conn)?;
    let changes = audit::diff(&audit_view(&row.input()?)?, &json!({}));
    audit::record(
        conn,
        actor,
        ENTITY,
        &row.id.to_string(),
        Action::Delete,
        &changes,
    )
}

/// What redaction blanks in a record: the complainant's details and every
/// free-text field. The fields statistics count (kind, procedure, stage,
/// dates, category, outcome, remedy kinds and amounts, the complainant's
/// relationship, young person and advocate) stay.
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[
        Field::Object("complainant", &["name", "email", "phone", "address"]),
        Field::Text("summary"),
        Field::Text("learning"),
        Field::Text("extension_reason"),
        Field::ObjectList("remedies", &["description"]),
        Field::Text("service_area"),
        Field::Text("team"),
        Field::TextList("themes"),
        Field::Cleared("external_ref"),
    ],
};

/// Redact a record: personal data and free text become `[redacted]` in the
/// record and throughout its history. It may be redacted again (after a
/// change put personal data back).
pub fn redact(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &FeedbackRow,
    calendar: &Calendar,
) -> Result<FeedbackRow, ApiError> {
    let redacted: FeedbackInput =
        serde_json::from_value(REDACTION.redact(&audit_view(&row.input()?)?))?;
    let at = now();
    diesel::update(feedback::table.find(row.id))
        .set((
            Columns::of(&redacted, calendar)?,
            feedback::version.eq(row.version + 1),
            feedback::updated_at.eq(at),
            feedback::redacted_at.eq(at),
        ))
        .execute(conn)?;
    REDACTION.redact_history(conn, actor, &row.id.to_string())?;
    find(conn, row.id)
}

/// The record with `id`, if it exists.
pub fn find_optional(conn: &mut DbConnection, id: i64) -> Result<Option<FeedbackRow>, ApiError> {
    match find(conn, id) {
        Ok(row) => Ok(Some(row)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Filters of the record list.
#[derive(Debug, Default, Clone)]
pub struct FeedbackFilter {
    /// Directorate code.
    pub directorate: Option<String>,
    /// Kind.
    pub kind: Option<Kind>,
    /// Procedure.
    pub procedure: Option<Procedure>,
    /// Stage.
    pub stage: Option<i32>,
    /// Status.
    pub status: Option<Status>,
    /// Outcome.
    pub outcome: Option<Outcome>,
    /// Category (exact).
    pub category: Option<String>,
    /// Received on or after.
    pub received_from: Option<NaiveDate>,
    /// Received on or before.
    pub received_to: Option<NaiveDate>,
    /// Responded on or after.
    pub responded_from: Option<NaiveDate>,
    /// Responded on or before.
    pub responded_to: Option<NaiveDate>,
    /// Open and past the due date (`true`), or not (`false`).
    pub overdue: Option<bool>,
    /// The CRM's id.
    pub external_ref: Option<String>,
    /// Escalated from this record.
    pub parent_id: Option<i64>,
    /// Text to find in the reference, summary or (for those who may see it)
    /// the complainant's name.
    pub q: Option<String>,
    /// Whether `q` may search complainants' names.
    pub search_names: bool,
}

/// The fields the record list sorts by. (`reference` follows the id it is
/// made from.)
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "feedback.id"),
    SortField::new("reference", "feedback.id"),
    SortField::new("received_on", "feedback.received_on"),
    SortField::nullable("responded_on", "feedback.responded_on"),
    SortField::nullable("due_on", "feedback.due_on"),
    SortField::new("created_at", "feedback.created_at"),
    SortField::new("updated_at", "feedback.updated_at"),
    SortField::new("kind", "feedback.kind"),
    SortField::new("directorate", "feedback.directorate"),
];

/// [`SORTABLE`] for the overdue list, which has no record without a due
/// date and so sorts on the due-date index alone.
const SORTABLE_OVERDUE: &[SortField] = &[
    SortField::new("id", "feedback.id"),
    SortField::new("reference", "feedback.id"),
    SortField::new("received_on", "feedback.received_on"),
    SortField::nullable("responded_on", "feedback.responded_on"),
    SortField::new("due_on", "feedback.due_on"),
    SortField::new("created_at", "feedback.created_at"),
    SortField::new("updated_at", "feedback.updated_at"),
    SortField::new("kind", "feedback.kind"),
    SortField::new("directorate", "feedback.directorate"),
];

fn filtered(
    filter: &FeedbackFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> feedback::BoxedQuery<'static, MultiBackend> {
    let mut query = feedback::table.into_boxed();
    if let Some(codes) = scope {
        query = query.filter(feedback::directorate.eq_any(codes.clone()));
    }
    if let Some(d) = &filter.directorate {
        query = query.filter(feedback::directorate.eq(d.clone()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(feedback::kind.eq(kind.as_str()));
    }
    if let Some(procedure) = filter.procedure {
        query = query.filter(feedback::procedure.eq(procedure.as_str()));
    }
    if let Some(stage) = filter.stage {
        query = query.filter(feedback::stage.eq(stage));
    }
    query = match filter.status {
        Some(Status::Open) => query
            .filter(feedback::responded_on.is_null())
            .filter(feedback::closed_on.is_null()),
        Some(Status::Responded) => query
            .filter(feedback::responded_on.is_not_null())
            .filter(feedback::closed_on.is_null()),
        Some(Status::Closed) => query.filter(feedback::closed_on.is_not_null()),
        None => query,
    };
    if let Some(outcome) = filter.outcome {
        query = query.filter(feedback::outcome.eq(outcome.as_str()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(feedback::category.eq(category.clone()));
    }
    if let Some(from) = filter.received_from {
        query = query.filter(feedback::received_on.ge(from));
    }
    if let Some(to) = filter.received_to {
        query = query.filter(feedback::received_on.le(to));
    }
    if let Some(from) = filter.responded_from {
        query = query.filter(feedback::responded_on.ge(from));
    }
    if let Some(to) = filter.responded_to {
        query = query.filter(feedback::responded_on.le(to));
    }
    query = match filter.overdue {
        Some(true) => query
            .filter(feedback::responded_on.is_null())
            .filter(feedback::due_on.lt(today)),
        Some(false) => query.filter(
            feedback::responded_on
                .is_not_null()
                .or(feedback::due_on.is_null())
                .or(feedback::due_on.ge(today)),
        ),
        None => query,
    };
    if let Some(external_ref) = &filter.external_ref {
        query = query.filter(feedback::external_ref.eq(external_ref.clone()));
    }
    if let Some(parent_id) = filter.parent_id {
        query = query.filter(feedback::parent_id.eq(parent_id));
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        let text = lower(feedback::reference)
            .like(pattern.clone())
            .escape('\\')
            .or(lower(feedback::summary).like(pattern.clone()).escape('\\'));
        query = if filter.search_names {
            query.filter(text.or(lower(feedback::complainant_name).like(pattern).escape('\\')))
        } else {
            query.filter(text)
        };
    }
    if let Some(since) = paging.updated_since {
        query = query.filter(feedback::updated_at.ge(since));
    }
    query
}

/// A page of records and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &FeedbackFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> Result<(Vec<FeedbackRow>, i64), ApiError> {
    let total = filtered(filter, scope, paging, today)
        .count()
        .get_result(conn)?;
    let fields = if filter.overdue == Some(true) {
        SORTABLE_OVERDUE
    } else {
        SORTABLE
    };
    let rows = filtered(filter, scope, paging, today)
        .order_by(paging.order_by(fields, "feedback.id"))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(FeedbackRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The stored clocks of feedback records, kept up to date with the calendar.
pub struct StoredClocks;

impl crate::calendar::model::CalendarDependent for StoredClocks {
    fn calendar_changed(
        &self,
        conn: &mut DbConnection,
        calendar: &Calendar,
        changed: crate::calendar::model::ChangedDays,
    ) -> Result<(), ApiError> {
        recompute_clocks(conn, calendar, changed.first, changed.last).map(|_| ())
    }
}

/// Recompute the stored clock of every record whose timescales a change to
/// the calendar between `first` and `last` can touch: those received before
/// `last` whose stored due date, limit or response falls on or after `first`
/// (the only days a holiday moves are those between receipt and those dates,
/// wherever the target counts from).
pub fn recompute_clocks(
    conn: &mut DbConnection,
    calendar: &Calendar,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<usize, ApiError> {
    type ClockRow = (
        i64,
        String,
        Option<String>,
        Option<i32>,
        NaiveDate,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<i32>,
    );
    let mut after_id = 0_i64;
    let mut changed = 0;
    loop {
        let rows: Vec<ClockRow> = feedback::table
            .filter(feedback::received_on.le(last))
            .filter(
                feedback::due_on
                    .ge(first)
                    .or(feedback::limit_on.ge(first))
                    .or(feedback::responded_on.ge(first)),
            )
            .filter(feedback::id.gt(after_id))
            .order(feedback::id.asc())
            .limit(5_000)
            .select((
                feedback::id,
                feedback::kind,
                feedback::procedure,
                feedback::stage,
                feedback::received_on,
                feedback::acknowledged_on,
                feedback::responded_on,
                feedback::extended_due_on,
                feedback::due_on,
                feedback::limit_on,
                feedback::working_days_taken,
            ))
            .load(conn)?;
        let Some(last_row) = rows.last() else { break };
        after_id = last_row.0;
        for (
            id,
            kind,
            procedure,
            stage,
            received,
            acknowledged,
            responded,
            extended,
            due,
            limit,
            taken,
        ) in rows
        {
            let procedure = procedure.as_deref().map(Procedure::from_db).transpose()?;
            let rule = rule_for(Kind::from_db(&kind)?, procedure, stage);
            let dates = Dates {
                received_on: Some(received),
                acknowledged_on: acknowledged,
                responded_on: responded,
                extended_due_on: extended,
            };
            let clock = rule.clock(calendar, &dates, NaiveDate::MIN);
            if (clock.due_on, clock.limit_on, clock.working_days_taken) != (due, limit, taken) {
                diesel::update(feedback::table.find(id))
                    .set((
                        feedback::due_on.eq(clock.due_on),
                        feedback::limit_on.eq(clock.limit_on),
                        feedback::working_days_taken.eq(clock.working_days_taken),
                    ))
                    .execute(conn)?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

/// The complainant of a record, for copying into an escalation.
pub fn complainant_of(row: &FeedbackRow) -> Result<Option<Complainant>, ApiError> {
    Ok(row
        .complainant
        .as_deref()
        .map(serde_json::from_str)
        .transpose()?)
}
