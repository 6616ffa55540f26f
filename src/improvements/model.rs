//! Service improvements in the database.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use crate::audit::redaction::{Field, Policy};
use crate::audit::{self, Action, Actor};
use crate::db::page::{Paging, SortField};
use crate::db::schema::service_improvements as si;
use crate::db::sql::{contains_pattern, lower};
use crate::db::{now, DbConnection, MultiBackend};
use crate::error::{ApiError, FieldErrors};
use crate::improvements::fields::{ImprovementInput, ImprovementKind, ImprovementStatus};

/// The audit log's name for service improvements.
pub const ENTITY: &str = "service_improvement";

/// A row of `service_improvements`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = si)]
pub struct ImprovementRow {
    /// Id.
    pub id: i64,
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
    /// What the council will do.
    pub description: String,
    /// Source case.
    pub ombudsman_case_id: Option<i64>,
    /// Source record.
    pub feedback_id: Option<i64>,
    /// Kind.
    pub kind: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Sub-category.
    pub sub_category: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// Agreed.
    pub agreed_on: NaiveDate,
    /// Due.
    pub due_on: Option<NaiveDate>,
    /// Done.
    pub completed_on: Option<NaiveDate>,
    /// Evidence.
    pub evidence: Option<String>,
    /// Status.
    pub status: String,
    /// Published.
    pub published: bool,
    /// When free text was redacted, if it was.
    pub redacted_at: Option<NaiveDateTime>,
}

impl ImprovementRow {
    /// The writable fields.
    pub fn input(&self) -> Result<ImprovementInput, ApiError> {
        Ok(ImprovementInput {
            directorate: self.directorate.clone(),
            description: self.description.clone(),
            ombudsman_case_id: self.ombudsman_case_id,
            feedback_id: self.feedback_id,
            kind: self
                .kind
                .as_deref()
                .map(ImprovementKind::from_db)
                .transpose()?,
            category: self.category.clone(),
            sub_category: self.sub_category.clone(),
            owner: self.owner.clone(),
            agreed_on: self.agreed_on,
            due_on: self.due_on,
            completed_on: self.completed_on,
            evidence: self.evidence.clone(),
            status: ImprovementStatus::from_db(&self.status)?,
            published: self.published,
        })
    }

    /// Not completed or cancelled, and past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        let open = !matches!(self.status.as_str(), "completed" | "cancelled");
        open && self.due_on.is_some_and(|due| today > due)
    }
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = si, treat_none_as_null = true)]
struct Columns {
    directorate: String,
    description: String,
    ombudsman_case_id: Option<i64>,
    feedback_id: Option<i64>,
    kind: Option<String>,
    category: Option<String>,
    sub_category: Option<String>,
    owner: Option<String>,
    agreed_on: NaiveDate,
    due_on: Option<NaiveDate>,
    completed_on: Option<NaiveDate>,
    evidence: Option<String>,
    status: String,
    published: bool,
}

impl Columns {
    fn of(input: &ImprovementInput) -> Columns {
        Columns {
            directorate: input.directorate.clone(),
            description: input.description.clone(),
            ombudsman_case_id: input.ombudsman_case_id,
            feedback_id: input.feedback_id,
            kind: input.kind.map(|k| k.as_str().into()),
            category: input.category.clone(),
            sub_category: input.sub_category.clone(),
            owner: input.owner.clone(),
            agreed_on: input.agreed_on,
            due_on: input.due_on,
            completed_on: input.completed_on,
            evidence: input.evidence.clone(),
            status: input.status.as_str().into(),
            published: input.published,
        }
    }
}

/// The improvement with `id`, or 404.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<ImprovementRow, ApiError> {
    si::table
        .find(id)
        .select(ImprovementRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(ApiError::not_found)
}

/// The improvement with `id`, locked for the rest of the write transaction.
pub fn find_for_update(conn: &mut DbConnection, id: i64) -> Result<ImprovementRow, ApiError> {
    crate::db::lock_row(conn, "service_improvements", id)?;
    find(conn, id)
}

/// Which directorates the caller may see: `None` for all.
pub type Scope = Option<Vec<String>>;

/// Check the ids a body refers to (422): the directorate, and the source
/// case and record, which must exist, be visible and be of the same directorate.
pub fn check_references(
    conn: &mut DbConnection,
    input: &ImprovementInput,
    scope: &Scope,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if !crate::directorates::model::exists(conn, &input.directorate)? {
        errors.add(
            "directorate",
            format!("unknown directorate `{}`", input.directorate),
        );
    }
    let visible = |d: &String| scope.as_ref().is_none_or(|s| s.contains(d));
    if let Some(id) = input.ombudsman_case_id {
        match crate::ombudsman::model::directorate_of(conn, id)? {
            Some(d) if visible(&d) && d != input.directorate => errors.add(
                "ombudsman_case_id",
                "must be a case of the same directorate",
            ),
            Some(d) if visible(&d) => {}
            _ => errors.add("ombudsman_case_id", "no such Ombudsman case"),
        }
    }
    if let Some(id) = input.feedback_id {
        match crate::feedback::model::directorate_of(conn, id)? {
            Some(d) if visible(&d) && d != input.directorate => {
                errors.add("feedback_id", "must be a record of the same directorate")
            }
            Some(d) if visible(&d) => {}
            _ => errors.add("feedback_id", "no such feedback record"),
        }
    }
    errors.into_result()
}

/// Insert an improvement.
pub fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &ImprovementInput,
) -> Result<ImprovementRow, ApiError> {
    let at = now();
    let id: i64 = diesel::insert_into(si::table)
        .values((
            Columns::of(input),
            si::version.eq(1),
            si::created_at.eq(at),
            si::updated_at.eq(at),
            si::created_by.eq(&actor.username),
        ))
        .returning(si::id)
        .get_result(conn)?;
    let changes = audit::diff(&json!({}), &serde_json::to_value(input)?);
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Create,
        &changes,
    )?;
    find(conn, id)
}

/// Write `after` over a locked row.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ImprovementRow,
    after: &ImprovementInput,
) -> Result<ImprovementRow, ApiError> {
    let changes = audit::diff(
        &serde_json::to_value(row.input()?)?,
        &serde_json::to_value(after)?,
    );
    if changes.is_empty() {
        return Ok(row.clone());
    }
    diesel::update(si::table.find(row.id))
        .set((
            Columns::of(after),
            si::version.eq(row.version + 1),
            si::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        ENTITY,
        &row.id.to_string(),
        Action::Update,
        &changes,
    )?;
    find(conn, row.id)
}

/// Delete an improvement.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ImprovementRow,
) -> Result<(), ApiError> {
    diesel::delete(si::table.find(row.id)).execute(conn)?;
    let changes = audit::diff(&serde_json::to_value(row.input()?)?, &json!({}));
    audit::record(
        conn,
        actor,
        ENTITY,
        &row.id.to_string(),
        Action::Delete,
        &changes,
    )
}

/// What redaction blanks in an improvement: its free text (which may name
/// the complainant or staff). Kind, categories, dates and status stay.
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[
        Field::Text("description"),
        Field::Text("owner"),
        Field::Text("evidence"),
    ],
};

/// Redact an improvement: its free text becomes `[redacted]`, in the
/// improvement and throughout its history.
pub fn redact(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &ImprovementRow,
) -> Result<ImprovementRow, ApiError> {
    let redacted: ImprovementInput =
        serde_json::from_value(REDACTION.redact(&serde_json::to_value(row.input()?)?))?;
    let at = now();
    diesel::update(si::table.find(row.id))
        .set((
            Columns::of(&redacted),
            si::version.eq(row.version + 1),
            si::updated_at.eq(at),
            si::redacted_at.eq(at),
        ))
        .execute(conn)?;
    REDACTION.redact_history(conn, actor, &row.id.to_string())?;
    find(conn, row.id)
}

/// The improvement with `id`, if it exists.
pub fn find_optional(conn: &mut DbConnection, id: i64) -> Result<Option<ImprovementRow>, ApiError> {
    match find(conn, id) {
        Ok(row) => Ok(Some(row)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Filters of the improvement list.
#[derive(Debug, Default, Clone)]
pub struct ImprovementFilter {
    /// Directorate code.
    pub directorate: Option<String>,
    /// Status.
    pub status: Option<ImprovementStatus>,
    /// Open and past due (`true`), or not (`false`).
    pub overdue: Option<bool>,
    /// Source case.
    pub ombudsman_case_id: Option<i64>,
    /// Source record.
    pub feedback_id: Option<i64>,
    /// Category (exact).
    pub category: Option<String>,
    /// Kind.
    pub kind: Option<ImprovementKind>,
    /// Published.
    pub published: Option<bool>,
    /// Agreed on or after.
    pub agreed_from: Option<NaiveDate>,
    /// Agreed on or before.
    pub agreed_to: Option<NaiveDate>,
    /// Text in the description or owner.
    pub q: Option<String>,
}

/// The fields the list sorts by.
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "service_improvements.id"),
    SortField::new("agreed_on", "service_improvements.agreed_on"),
    SortField::nullable("due_on", "service_improvements.due_on"),
    SortField::nullable("completed_on", "service_improvements.completed_on"),
    SortField::new("created_at", "service_improvements.created_at"),
    SortField::new("updated_at", "service_improvements.updated_at"),
];

fn filtered(
    filter: &ImprovementFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> si::BoxedQuery<'static, MultiBackend> {
    let mut query = si::table.into_boxed();
    if let Some(codes) = scope {
        query = query.filter(si::directorate.eq_any(codes.clone()));
    }
    if let Some(d) = &filter.directorate {
        query = query.filter(si::directorate.eq(d.clone()));
    }
    if let Some(s) = filter.status {
        query = query.filter(si::status.eq(s.as_str()));
    }
    let open = [
        ImprovementStatus::Planned.as_str(),
        ImprovementStatus::InProgress.as_str(),
    ];
    query = match filter.overdue {
        Some(true) => query
            .filter(si::status.eq_any(open))
            .filter(si::due_on.lt(today)),
        Some(false) => query.filter(
            si::status
                .ne_all(open)
                .or(si::due_on.is_null())
                .or(si::due_on.ge(today)),
        ),
        None => query,
    };
    if let Some(id) = filter.ombudsman_case_id {
        query = query.filter(si::ombudsman_case_id.eq(id));
    }
    if let Some(id) = filter.feedback_id {
        query = query.filter(si::feedback_id.eq(id));
    }
    if let Some(c) = &filter.category {
        query = query.filter(si::category.eq(c.clone()));
    }
    if let Some(k) = filter.kind {
        query = query.filter(si::kind.eq(k.as_str()));
    }
    if let Some(p) = filter.published {
        query = query.filter(si::published.eq(p));
    }
    if let Some(from) = filter.agreed_from {
        query = query.filter(si::agreed_on.ge(from));
    }
    if let Some(to) = filter.agreed_to {
        query = query.filter(si::agreed_on.le(to));
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(si::description.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(si::owner).like(pattern).escape('\\')),
        );
    }
    if let Some(since) = paging.updated_since {
        query = query.filter(si::updated_at.ge(since));
    }
    query
}

/// A page of improvements and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &ImprovementFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> Result<(Vec<ImprovementRow>, i64), ApiError> {
    let total = filtered(filter, scope, paging, today)
        .count()
        .get_result(conn)?;
    let rows = filtered(filter, scope, paging, today)
        .order_by(paging.order_by(SORTABLE, "service_improvements.id"))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(ImprovementRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
