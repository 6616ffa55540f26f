//! Ombudsman cases in the database, with their information requests and
//! recommendations.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::audit::redaction::{Field, Policy};
use crate::audit::{self, Action, Actor};
use crate::calendar::uk_today;
use crate::db::page::{Paging, SortField};
use crate::db::schema::{
    ombudsman_cases, ombudsman_information_requests as requests, ombudsman_recommendations as recs,
};
use crate::db::sql::{contains_pattern, lower};
use crate::db::{now, DbConnection, MultiBackend};
use crate::error::{ApiError, FieldErrors};
use crate::ombudsman::compliance::{self, Deadline};
use crate::ombudsman::fields::{CaseInput, InformationRequest, RecommendationInput};
use crate::ombudsman::types::{
    Compliance, Decision, DecisionBucket, Ombudsman, RecommendationKind,
};

/// The audit log's name for Ombudsman cases.
pub const ENTITY: &str = "ombudsman_case";

/// A row of `ombudsman_cases`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ombudsman_cases)]
pub struct CaseRow {
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
    /// Which Ombudsman.
    pub ombudsman: String,
    /// `NN NNN NNN`.
    pub reference: String,
    /// Directorate code.
    pub directorate: String,
    /// The complaint it follows.
    pub feedback_id: Option<i64>,
    /// Category.
    pub category: Option<String>,
    /// Sub-category.
    pub sub_category: Option<String>,
    /// First contact.
    pub received_on: NaiveDate,
    /// Summary.
    pub summary: Option<String>,
    /// Witness summons.
    pub witness_summons: bool,
    /// Decision.
    pub decision: Option<String>,
    /// Decision bucket (derived).
    pub decision_bucket: Option<String>,
    /// Decided.
    pub decided_on: Option<NaiveDate>,
    /// Remedied before the Ombudsman looked.
    pub remedied_before_ombudsman: bool,
    /// Public report.
    pub public_report: bool,
    /// Its title.
    pub public_report_title: Option<String>,
    /// Compliance outcome in force.
    pub compliance_outcome: Option<String>,
    /// When it was recorded.
    pub compliance_recorded_on: Option<NaiveDate>,
    /// Whether a manager set it.
    pub compliance_explicit: bool,
    /// When personal data and free text were redacted, if they were.
    pub redacted_at: Option<NaiveDateTime>,
}

/// A row of `ombudsman_information_requests`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = requests)]
pub struct RequestRow {
    /// Id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// Order within the case.
    pub position: i32,
    /// Asked.
    pub requested_on: NaiveDate,
    /// Due.
    pub due_on: NaiveDate,
    /// Answered.
    pub provided_on: Option<NaiveDate>,
}

impl RequestRow {
    /// Answered after its due date, or still not answered after it.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        Deadline {
            due_on: Some(self.due_on),
            completed_on: self.provided_on,
        }
        .is_late(today)
    }
}

/// A row of `ombudsman_recommendations`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recs)]
pub struct RecommendationRow {
    /// Id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// Order within the case.
    pub position: i32,
    /// Kind.
    pub kind: String,
    /// Description.
    pub description: Option<String>,
    /// Payment in pence.
    pub amount_pence: Option<i64>,
    /// Due.
    pub due_on: Option<NaiveDate>,
    /// Done.
    pub completed_on: Option<NaiveDate>,
}

impl RecommendationRow {
    /// Its deadline.
    pub fn deadline(&self) -> Deadline {
        Deadline {
            due_on: self.due_on,
            completed_on: self.completed_on,
        }
    }
}

/// A case with its requests and recommendations.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    /// The case.
    pub row: CaseRow,
    /// Its information requests, in order.
    pub requests: Vec<RequestRow>,
    /// Its recommendations, in order.
    pub recommendations: Vec<RecommendationRow>,
}

impl CaseRecord {
    /// The writable fields, as they were sent (the compliance outcome only
    /// when a manager set it).
    pub fn input(&self) -> Result<CaseInput, ApiError> {
        let row = &self.row;
        Ok(CaseInput {
            ombudsman: Ombudsman::from_db(&row.ombudsman)?,
            reference: row.reference.clone(),
            directorate: row.directorate.clone(),
            feedback_id: row.feedback_id,
            category: row.category.clone(),
            sub_category: row.sub_category.clone(),
            received_on: row.received_on,
            summary: row.summary.clone(),
            information_requests: self
                .requests
                .iter()
                .map(|r| InformationRequest {
                    requested_on: r.requested_on,
                    due_on: r.due_on,
                    provided_on: r.provided_on,
                })
                .collect(),
            witness_summons: row.witness_summons,
            decision: row.decision.as_deref().map(Decision::from_db).transpose()?,
            decided_on: row.decided_on,
            remedied_before_ombudsman: row.remedied_before_ombudsman,
            public_report: row.public_report,
            public_report_title: row.public_report_title.clone(),
            recommendations: self
                .recommendations
                .iter()
                .map(|r| {
                    Ok(RecommendationInput {
                        id: Some(r.id),
                        kind: RecommendationKind::from_db(&r.kind)?,
                        description: r.description.clone(),
                        amount_pence: r.amount_pence,
                        due_on: r.due_on,
                        completed_on: r.completed_on,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            compliance_outcome: if row.compliance_explicit {
                row.compliance_outcome
                    .as_deref()
                    .map(Compliance::from_db)
                    .transpose()?
            } else {
                None
            },
            compliance_recorded_on: if row.compliance_explicit {
                row.compliance_recorded_on
            } else {
                None
            },
        })
    }
}

/// The case with `id`, or 404.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<CaseRecord, ApiError> {
    let row = ombudsman_cases::table
        .find(id)
        .select(CaseRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(ApiError::not_found)?;
    Ok(with_children(conn, vec![row])?.remove(0))
}

/// The case with `id`, locked for the rest of the write transaction, or 404.
pub fn find_for_update(conn: &mut DbConnection, id: i64) -> Result<CaseRecord, ApiError> {
    crate::db::lock_row(conn, "ombudsman_cases", id)?;
    find(conn, id)
}

/// The directorate of case `id`, if it exists.
pub fn directorate_of(conn: &mut DbConnection, id: i64) -> Result<Option<String>, ApiError> {
    Ok(ombudsman_cases::table
        .find(id)
        .select(ombudsman_cases::directorate)
        .get_result(conn)
        .optional()?)
}

fn with_children(conn: &mut DbConnection, rows: Vec<CaseRow>) -> Result<Vec<CaseRecord>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut request_rows: HashMap<i64, Vec<RequestRow>> = HashMap::new();
    for r in requests::table
        .filter(requests::case_id.eq_any(&ids))
        .order((requests::case_id, requests::position))
        .select(RequestRow::as_select())
        .load(conn)?
    {
        request_rows.entry(r.case_id).or_default().push(r);
    }
    let mut rec_rows: HashMap<i64, Vec<RecommendationRow>> = HashMap::new();
    for r in recs::table
        .filter(recs::case_id.eq_any(&ids))
        .order((recs::case_id, recs::position))
        .select(RecommendationRow::as_select())
        .load(conn)?
    {
        rec_rows.entry(r.case_id).or_default().push(r);
    }
    Ok(rows
        .into_iter()
        .map(|row| CaseRecord {
            requests: request_rows.remove(&row.id).unwrap_or_default(),
            recommendations: rec_rows.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// Which directorates the caller may see: `None` for all.
pub type Scope = Option<Vec<String>>;

/// Check the ids a body refers to (422): the directorate exists, the
/// feedback record exists, is visible to the caller and is in the same
/// directorate.
pub fn check_references(
    conn: &mut DbConnection,
    input: &CaseInput,
    scope: &Scope,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if !crate::directorates::model::exists(conn, &input.directorate)? {
        errors.add(
            "directorate",
            format!("unknown directorate `{}`", input.directorate),
        );
    }
    if let Some(feedback_id) = input.feedback_id {
        match crate::feedback::model::directorate_of(conn, feedback_id)? {
            Some(d) if scope.as_ref().is_none_or(|s| s.contains(&d)) => {
                if d != input.directorate {
                    errors.add("feedback_id", "must be a record of the same directorate");
                }
            }
            _ => errors.add("feedback_id", "no such feedback record"),
        }
    }
    errors.into_result()
}

fn duplicate_reference(reference: &str) -> ApiError {
    ApiError::Conflict(format!(
        "An Ombudsman case with reference {reference} already exists."
    ))
}

fn check_reference_free(
    conn: &mut DbConnection,
    reference: &str,
    own_id: Option<i64>,
) -> Result<(), ApiError> {
    let existing: Option<i64> = ombudsman_cases::table
        .filter(ombudsman_cases::reference.eq(reference))
        .select(ombudsman_cases::id)
        .get_result(conn)
        .optional()?;
    match existing {
        Some(id) if Some(id) != own_id => Err(duplicate_reference(reference)),
        _ => Ok(()),
    }
}

/// The compliance outcome in force: the explicit one, else the derived one.
fn compliance_of(input: &CaseInput) -> (Option<String>, Option<NaiveDate>, bool) {
    match input.compliance_outcome {
        Some(outcome) => (
            Some(outcome.as_str().to_string()),
            Some(input.compliance_recorded_on.unwrap_or_else(uk_today)),
            true,
        ),
        None => {
            let deadlines: Vec<Deadline> = input
                .recommendations
                .iter()
                .map(|r| Deadline {
                    due_on: r.due_on,
                    completed_on: r.completed_on,
                })
                .collect();
            match compliance::derive(&deadlines) {
                Some((outcome, on)) => (Some(outcome.as_str().to_string()), Some(on), false),
                None => (None, None, false),
            }
        }
    }
}

/// The columns written from a case's fields.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = ombudsman_cases, treat_none_as_null = true)]
struct Columns {
    ombudsman: String,
    reference: String,
    directorate: String,
    feedback_id: Option<i64>,
    category: Option<String>,
    sub_category: Option<String>,
    received_on: NaiveDate,
    summary: Option<String>,
    witness_summons: bool,
    decision: Option<String>,
    decision_bucket: Option<String>,
    decided_on: Option<NaiveDate>,
    remedied_before_ombudsman: bool,
    public_report: bool,
    public_report_title: Option<String>,
    compliance_outcome: Option<String>,
    compliance_recorded_on: Option<NaiveDate>,
    compliance_explicit: bool,
}

impl Columns {
    fn of(input: &CaseInput) -> Columns {
        let (compliance_outcome, compliance_recorded_on, compliance_explicit) =
            compliance_of(input);
        Columns {
            ombudsman: input.ombudsman.as_str().into(),
            reference: input.reference.clone(),
            directorate: input.directorate.clone(),
            feedback_id: input.feedback_id,
            category: input.category.clone(),
            sub_category: input.sub_category.clone(),
            received_on: input.received_on,
            summary: input.summary.clone(),
            witness_summons: input.witness_summons,
            decision: input.decision.map(|d| d.as_str().into()),
            decision_bucket: input.decision.map(|d| d.bucket().as_str().into()),
            decided_on: input.decided_on,
            remedied_before_ombudsman: input.remedied_before_ombudsman,
            public_report: input.public_report,
            public_report_title: input.public_report_title.clone(),
            compliance_outcome,
            compliance_recorded_on,
            compliance_explicit,
        }
    }
}

/// Write the case's requests and recommendations: requests are replaced;
/// recommendations sent with an id update that one (it must be the case's),
/// those without are added, and those not sent are removed.
fn write_children(
    conn: &mut DbConnection,
    case_id: i64,
    input: &CaseInput,
    existing: &[RecommendationRow],
) -> Result<(), ApiError> {
    diesel::delete(requests::table.filter(requests::case_id.eq(case_id))).execute(conn)?;
    for (position, request) in input.information_requests.iter().enumerate() {
        diesel::insert_into(requests::table)
            .values((
                requests::case_id.eq(case_id),
                requests::position.eq(position as i32),
                requests::requested_on.eq(request.requested_on),
                requests::due_on.eq(request.due_on),
                requests::provided_on.eq(request.provided_on),
            ))
            .execute(conn)?;
    }
    let mut errors = FieldErrors::new();
    for (i, rec) in input.recommendations.iter().enumerate() {
        if let Some(id) = rec.id {
            if !existing.iter().any(|r| r.id == id) {
                errors.add(
                    format!("recommendations[{i}].id"),
                    "is not a recommendation of this case",
                );
            }
        }
    }
    errors.into_result()?;
    let kept: Vec<i64> = input.recommendations.iter().filter_map(|r| r.id).collect();
    diesel::delete(
        recs::table
            .filter(recs::case_id.eq(case_id))
            .filter(recs::id.ne_all(&kept)),
    )
    .execute(conn)?;
    for (position, rec) in input.recommendations.iter().enumerate() {
        let values = (
            recs::position.eq(position as i32),
            recs::kind.eq(rec.kind.as_str()),
            recs::description.eq(&rec.description),
            recs::amount_pence.eq(rec.amount_pence),
            recs::due_on.eq(rec.due_on),
            recs::completed_on.eq(rec.completed_on),
        );
        match rec.id {
            Some(id) => {
                diesel::update(recs::table.find(id))
                    .set(values)
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(recs::table)
                    .values((recs::case_id.eq(case_id), values))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

fn audit_view(input: &CaseInput) -> Result<Value, ApiError> {
    Ok(serde_json::to_value(input)?)
}

/// Insert a case; 409 on a duplicate reference.
pub fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &CaseInput,
) -> Result<CaseRecord, ApiError> {
    check_reference_free(conn, &input.reference, None)?;
    if input.recommendations.iter().any(|r| r.id.is_some()) {
        return Err(ApiError::field(
            "recommendations",
            "a new case's recommendations have no ids yet",
        ));
    }
    let at = now();
    let id: i64 = diesel::insert_into(ombudsman_cases::table)
        .values((
            Columns::of(input),
            ombudsman_cases::version.eq(1),
            ombudsman_cases::created_at.eq(at),
            ombudsman_cases::updated_at.eq(at),
            ombudsman_cases::created_by.eq(&actor.username),
        ))
        .returning(ombudsman_cases::id)
        .get_result(conn)
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => duplicate_reference(&input.reference),
            other => other,
        })?;
    write_children(conn, id, input, &[])?;
    let record = find(conn, id)?;
    let changes = audit::diff(&json!({}), &audit_view(&record.input()?)?);
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Create,
        &changes,
    )?;
    Ok(record)
}

/// Write `after` over the case. `Ok(None)` when its version is no longer current.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    record: &CaseRecord,
    after: &CaseInput,
) -> Result<Option<CaseRecord>, ApiError> {
    check_reference_free(conn, &after.reference, Some(record.row.id))?;
    let before = audit_view(&record.input()?)?;
    let id = record.row.id;
    let updated = diesel::update(
        ombudsman_cases::table
            .find(id)
            .filter(ombudsman_cases::version.eq(record.row.version)),
    )
    .set((
        Columns::of(after),
        ombudsman_cases::version.eq(record.row.version + 1),
        ombudsman_cases::updated_at.eq(now()),
    ))
    .execute(conn)
    .map_err(|e| match ApiError::from(e) {
        ApiError::Conflict(_) => duplicate_reference(&after.reference),
        other => other,
    })?;
    if updated == 0 {
        return Ok(None);
    }
    write_children(conn, id, after, &record.recommendations)?;
    let saved = find(conn, id)?;
    let changes = audit::diff(&before, &audit_view(&saved.input()?)?);
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Update,
        &changes,
    )?;
    Ok(Some(saved))
}

/// Delete a case with its requests and recommendations; service
/// improvements that cite it keep their place and lose the link.
pub fn delete(conn: &mut DbConnection, actor: &Actor, record: &CaseRecord) -> Result<(), ApiError> {
    let before = audit_view(&record.input()?)?;
    diesel::delete(ombudsman_cases::table.find(record.row.id)).execute(conn)?;
    audit::record(
        conn,
        actor,
        ENTITY,
        &record.row.id.to_string(),
        Action::Delete,
        &audit::diff(&before, &json!({})),
    )
}

/// What redaction blanks in a case: its free text. The Ombudsman's
/// reference, categories, dates, decision, amounts and compliance stay.
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[
        Field::Text("summary"),
        Field::Text("public_report_title"),
        Field::ObjectList("recommendations", &["description"]),
    ],
};

/// Redact a case: its free text becomes `[redacted]`, in the case and
/// throughout its history.
pub fn redact(
    conn: &mut DbConnection,
    actor: &Actor,
    record: &CaseRecord,
) -> Result<CaseRecord, ApiError> {
    let redacted: CaseInput =
        serde_json::from_value(REDACTION.redact(&audit_view(&record.input()?)?))?;
    let id = record.row.id;
    let at = now();
    diesel::update(ombudsman_cases::table.find(id))
        .set((
            Columns::of(&redacted),
            ombudsman_cases::version.eq(record.row.version + 1),
            ombudsman_cases::updated_at.eq(at),
            ombudsman_cases::redacted_at.eq(at),
        ))
        .execute(conn)?;
    write_children(conn, id, &redacted, &record.recommendations)?;
    REDACTION.redact_history(conn, actor, &id.to_string())?;
    find(conn, id)
}

/// The case with `id`, if it exists.
pub fn find_optional(conn: &mut DbConnection, id: i64) -> Result<Option<CaseRecord>, ApiError> {
    match find(conn, id) {
        Ok(record) => Ok(Some(record)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Filters of the case list.
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    /// Directorate code.
    pub directorate: Option<String>,
    /// Which Ombudsman.
    pub ombudsman: Option<Ombudsman>,
    /// Decision.
    pub decision: Option<Decision>,
    /// Decision bucket.
    pub decision_bucket: Option<DecisionBucket>,
    /// Category (exact).
    pub category: Option<String>,
    /// Received on or after.
    pub received_from: Option<NaiveDate>,
    /// Received on or before.
    pub received_to: Option<NaiveDate>,
    /// Decided on or after.
    pub decided_from: Option<NaiveDate>,
    /// Decided on or before.
    pub decided_to: Option<NaiveDate>,
    /// The complaint it follows.
    pub feedback_id: Option<i64>,
    /// Compliance outcome.
    pub compliance_outcome: Option<Compliance>,
    /// With (true) or without (false) a recommendation past its due date.
    pub overdue_recommendations: Option<bool>,
    /// With (true) or without (false) a late information request.
    pub late_information_requests: Option<bool>,
    /// Text in the reference or summary.
    pub q: Option<String>,
}

/// The fields the case list sorts by.
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "ombudsman_cases.id"),
    SortField::new("reference", "ombudsman_cases.reference"),
    SortField::new("received_on", "ombudsman_cases.received_on"),
    SortField::nullable("decided_on", "ombudsman_cases.decided_on"),
    SortField::new("created_at", "ombudsman_cases.created_at"),
    SortField::new("updated_at", "ombudsman_cases.updated_at"),
];

fn filtered(
    filter: &CaseFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> ombudsman_cases::BoxedQuery<'static, MultiBackend> {
    let mut query = ombudsman_cases::table.into_boxed();
    if let Some(codes) = scope {
        query = query.filter(ombudsman_cases::directorate.eq_any(codes.clone()));
    }
    if let Some(d) = &filter.directorate {
        query = query.filter(ombudsman_cases::directorate.eq(d.clone()));
    }
    if let Some(o) = filter.ombudsman {
        query = query.filter(ombudsman_cases::ombudsman.eq(o.as_str()));
    }
    if let Some(d) = filter.decision {
        query = query.filter(ombudsman_cases::decision.eq(d.as_str()));
    }
    if let Some(b) = filter.decision_bucket {
        query = query.filter(ombudsman_cases::decision_bucket.eq(b.as_str()));
    }
    if let Some(c) = &filter.category {
        query = query.filter(ombudsman_cases::category.eq(c.clone()));
    }
    if let Some(from) = filter.received_from {
        query = query.filter(ombudsman_cases::received_on.ge(from));
    }
    if let Some(to) = filter.received_to {
        query = query.filter(ombudsman_cases::received_on.le(to));
    }
    if let Some(from) = filter.decided_from {
        query = query.filter(ombudsman_cases::decided_on.ge(from));
    }
    if let Some(to) = filter.decided_to {
        query = query.filter(ombudsman_cases::decided_on.le(to));
    }
    if let Some(id) = filter.feedback_id {
        query = query.filter(ombudsman_cases::feedback_id.eq(id));
    }
    if let Some(c) = filter.compliance_outcome {
        query = query.filter(ombudsman_cases::compliance_outcome.eq(c.as_str()));
    }
    if let Some(overdue) = filter.overdue_recommendations {
        let any_overdue = diesel::dsl::exists(
            recs::table
                .filter(recs::case_id.eq(ombudsman_cases::id))
                .filter(recs::completed_on.is_null())
                .filter(recs::due_on.lt(today)),
        );
        query = if overdue {
            query.filter(any_overdue)
        } else {
            query.filter(diesel::dsl::not(any_overdue))
        };
    }
    if let Some(late) = filter.late_information_requests {
        let any_late = diesel::dsl::exists(
            requests::table
                .filter(requests::case_id.eq(ombudsman_cases::id))
                .filter(
                    requests::provided_on
                        .gt(requests::due_on.nullable())
                        .or(requests::provided_on
                            .is_null()
                            .and(requests::due_on.lt(today))),
                ),
        );
        query = if late {
            query.filter(any_late)
        } else {
            query.filter(diesel::dsl::not(any_late))
        };
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(ombudsman_cases::reference.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(ombudsman_cases::summary).like(pattern).escape('\\')),
        );
    }
    if let Some(since) = paging.updated_since {
        query = query.filter(ombudsman_cases::updated_at.ge(since));
    }
    query
}

/// A page of cases and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> Result<(Vec<CaseRecord>, i64), ApiError> {
    let total = filtered(filter, scope, paging, today)
        .count()
        .get_result(conn)?;
    let rows = filtered(filter, scope, paging, today)
        .order_by(paging.order_by(SORTABLE, "ombudsman_cases.id"))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(CaseRow::as_select())
        .load(conn)?;
    Ok((with_children(conn, rows)?, total))
}
