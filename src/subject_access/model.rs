//! Subject access requests as stored: the search, the candidates it finds,
//! the selection a person confirms, and the statutory due date.

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor};
use crate::db::schema::{contacts, documents, feedback, ombudsman_cases, subject_access_requests};
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::records::Scope;
use crate::validation::Validate;

/// The audit log's name for subject access requests.
pub const ENTITY: &str = "subject_access";

/// How long an export may be downloaded.
pub const EXPORT_DAYS: i64 = 7;

/// Who is asking: what to search for. At least one is needed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// The person's name, or part of it.
    #[serde(default)]
    #[schema(example = "Ada Keeper")]
    pub name: Option<String>,
    /// Their email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Their phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Their postcode.
    #[serde(default)]
    pub postcode: Option<String>,
    /// References they quote: feedback references (`FB-000123`), CRM
    /// references, Ombudsman case references.
    #[serde(default)]
    pub references: Vec<String>,
}

/// The body of `POST /subject-access`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// The day the request was received (`YYYY-MM-DD`): the month to answer
    /// runs from it.
    pub received_on: NaiveDate,
    /// The person's name, or part of it (at least 3 characters).
    #[serde(default)]
    #[schema(example = "Ada Keeper")]
    pub name: Option<String>,
    /// Their email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Their phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Their postcode.
    #[serde(default)]
    pub postcode: Option<String>,
    /// References they quote: feedback references (`FB-000123`), CRM
    /// references, Ombudsman case references (at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub references: Vec<String>,
}

impl RequestInput {
    /// What to search for.
    pub fn criteria(&self) -> Criteria {
        let clean = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        Criteria {
            name: clean(&self.name),
            email: clean(&self.email),
            phone: clean(&self.phone),
            postcode: clean(&self.postcode),
            references: self
                .references
                .iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
        }
    }
}

impl crate::http::json::RequestBody for RequestInput {}

impl Validate for RequestInput {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        if self.received_on > today {
            errors.add("received_on", "must not be in the future");
        }
        let c = self.criteria();
        let given = [&c.name, &c.email, &c.phone, &c.postcode]
            .iter()
            .filter(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
            .count()
            + c.references.iter().filter(|r| !r.trim().is_empty()).count();
        if given == 0 {
            errors.add(
                "name",
                "give at least one of name, email, phone, postcode or references",
            );
        }
        for (field, value) in [
            ("name", &c.name),
            ("email", &c.email),
            ("phone", &c.phone),
            ("postcode", &c.postcode),
        ] {
            if value
                .as_deref()
                .is_some_and(|v| v.trim().chars().count() < 3 && !v.trim().is_empty())
            {
                errors.add(
                    field,
                    "must be at least 3 characters, so that the search finds this person",
                );
            }
        }
        if c.references.len() > 50 {
            errors.add("references", "must be at most 50");
        }
    }
}

/// A record, case or document: an item of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRef {
    /// `feedback`, `ombudsman_case` or `document`.
    pub entity: String,
    /// Its id.
    pub id: i64,
}

/// Third parties' personal data to blank in one item before export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    /// `feedback` or `ombudsman_case`.
    pub entity: String,
    /// Its id.
    pub id: i64,
    /// The text to blank wherever it appears in the item, its contact
    /// entries, actions and history (it becomes `[third party]`).
    #[schema(example = "Mr B Neighbour")]
    pub text: String,
}

/// What a person confirmed: the body of `PUT /subject-access/{id}/selection`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// The records, cases and documents that are the requester's.
    pub items: Vec<ItemRef>,
    /// Third parties' data to blank before export.
    #[serde(default)]
    pub redactions: Vec<Redaction>,
}

impl crate::http::json::RequestBody for Selection {}

impl Validate for Selection {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        for (i, item) in self.items.iter().enumerate() {
            if !["feedback", "ombudsman_case", "document"].contains(&item.entity.as_str()) {
                errors.add(
                    format!("items[{i}].entity"),
                    "must be feedback, ombudsman_case or document",
                );
            }
        }
        for (i, redaction) in self.redactions.iter().enumerate() {
            if redaction.text.trim().chars().count() < 2 {
                errors.add(
                    format!("redactions[{i}].text"),
                    "must be at least 2 characters",
                );
            }
            if !self
                .items
                .iter()
                .any(|item| item.entity == redaction.entity && item.id == redaction.id)
            {
                errors.add(format!("redactions[{i}]"), "must be of a selected item");
            }
        }
    }
}

/// The body of `POST /subject-access/{id}/extend`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// The new due date: at most three months from receipt (the month, and
    /// two more for a complex or numerous request).
    pub extended_due_on: NaiveDate,
    /// Why (the requester must be told within the first month).
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

impl crate::http::json::RequestBody for Extension {}

impl Validate for Extension {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        if self.reason.trim().is_empty() || self.reason.chars().count() > 2000 {
            errors.add("reason", "must say why, in 1 to 2000 characters");
        }
    }
}

/// A candidate: something that matched the search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    /// `feedback`, `ombudsman_case` or `document`.
    pub entity: String,
    /// Its id.
    pub id: i64,
    /// Its reference (a document: its record's).
    pub reference: Option<String>,
    /// Its directorate.
    pub directorate: String,
    /// For a document: its title; otherwise the day it was received.
    pub label: String,
    /// What matched: `name`, `email`, `phone`, `postcode`, `reference`,
    /// `contact` (a contact entry names them), `case` (a case of a matched
    /// record), `attached` (a document of a matched record).
    pub matched_on: Vec<String>,
}

/// The export, while it can be downloaded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportInfo {
    /// Where to download it: `GET /api/v1/subject-access/{id}/export`.
    pub href: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// The SHA-256 of the ZIP, in hex.
    pub sha256: String,
    /// When it is purged (seven days after it was made).
    pub expires_at: DateTime<Utc>,
}

/// A subject access request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectAccess {
    /// Its id.
    pub id: i64,
    /// When it was received.
    pub received_on: NaiveDate,
    /// One calendar month from receipt (UK GDPR article 12(3)).
    pub due_on: NaiveDate,
    /// The extended due date, at most three months from receipt; null if
    /// not extended.
    pub extended_due_on: Option<NaiveDate>,
    /// Why it was extended.
    pub extension_reason: Option<String>,
    /// Whether it is still open after its (extended) due date.
    pub overdue: bool,
    /// Who is asking.
    pub criteria: Criteria,
    /// What was confirmed.
    pub selection: Selection,
    /// When the export was made (the request answered); null while open.
    pub completed_on: Option<NaiveDate>,
    /// The export, while it can be downloaded; null otherwise.
    pub export: Option<ExportInfo>,
    /// What the search finds now, in the caller's directorates (only in
    /// the answer for one request).
    pub candidates: Vec<Candidate>,
    /// When it was recorded (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Who recorded it.
    pub created_by: String,
}

crate::page_type!(
    /// A page of subject access requests, the soonest due first.
    SubjectAccessPage,
    SubjectAccess
);

/// A row of `subject_access_requests`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = subject_access_requests)]
pub struct RequestRow {
    /// Its id.
    pub id: i64,
    /// When it was received.
    pub received_on: NaiveDate,
    due_on: NaiveDate,
    extended_due_on: Option<NaiveDate>,
    extension_reason: Option<String>,
    criteria: String,
    selection: String,
    /// When it was answered (the export made).
    pub completed_on: Option<NaiveDate>,
    /// The export's key in its store.
    pub export_key: Option<String>,
    /// The export's store.
    pub export_storage: Option<String>,
    export_sha256: Option<String>,
    export_size: Option<i64>,
    /// When the export is purged.
    pub export_expires_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    created_by: String,
}

impl RequestRow {
    /// Who is asking.
    pub fn criteria(&self) -> Result<Criteria, ApiError> {
        Ok(serde_json::from_str(&self.criteria)?)
    }

    /// What was confirmed.
    pub fn selection(&self) -> Result<Selection, ApiError> {
        Ok(serde_json::from_str(&self.selection)?)
    }

    /// The request as the API shows it on `today`, with `candidates`.
    pub fn view(
        &self,
        today: NaiveDate,
        candidates: Vec<Candidate>,
    ) -> Result<SubjectAccess, ApiError> {
        let due = self.extended_due_on.unwrap_or(self.due_on);
        let live = self
            .export_expires_at
            .filter(|at| *at > now())
            .zip(self.export_key.as_ref());
        Ok(SubjectAccess {
            id: self.id,
            received_on: self.received_on,
            due_on: self.due_on,
            extended_due_on: self.extended_due_on,
            extension_reason: self.extension_reason.clone(),
            overdue: self.completed_on.is_none() && today > due,
            criteria: self.criteria()?,
            selection: self.selection()?,
            completed_on: self.completed_on,
            export: live.map(|(expires, _)| ExportInfo {
                href: format!("/api/v1/subject-access/{}/export", self.id),
                size_bytes: self.export_size.unwrap_or(0),
                sha256: self.export_sha256.clone().unwrap_or_default(),
                expires_at: expires.and_utc(),
            }),
            candidates,
            created_at: self.created_at.and_utc(),
            created_by: self.created_by.clone(),
        })
    }
}

/// One calendar month from `received_on` (the same day next month, or the
/// month's last day where it has none), or `months` months.
pub fn months_after(received_on: NaiveDate, months: u32) -> NaiveDate {
    received_on
        .checked_add_months(Months::new(months))
        .unwrap_or(received_on)
}

/// Record a request as `actor`; audited (without the person's details).
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &RequestInput,
) -> Result<RequestRow, ApiError> {
    let insert = diesel::insert_into(subject_access_requests::table)
        .values((
            subject_access_requests::received_on.eq(input.received_on),
            subject_access_requests::due_on.eq(months_after(input.received_on, 1)),
            subject_access_requests::criteria.eq(serde_json::to_string(&input.criteria())?),
            subject_access_requests::selection.eq(serde_json::to_string(&Selection::default())?),
            subject_access_requests::created_at.eq(now()),
            subject_access_requests::created_by.eq(&actor.username),
        ))
        .returning(subject_access_requests::id);
    let id: i64 = crate::per_backend!(conn, |c| insert.get_result(c))?;
    let changes = audit::diff(
        &serde_json::json!({}),
        &serde_json::json!({"received_on": input.received_on}),
    );
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Create,
        &changes,
    )?;
    find(conn, id)?.ok_or_else(ApiError::not_found)
}

/// The request `id`.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<RequestRow>, ApiError> {
    Ok(subject_access_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every request, the soonest due first, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    paging: &crate::db::page::Paging,
) -> Result<(Vec<RequestRow>, i64), ApiError> {
    let total = subject_access_requests::table.count().get_result(conn)?;
    let rows = subject_access_requests::table
        .order((
            subject_access_requests::completed_on.is_not_null(),
            subject_access_requests::due_on,
            subject_access_requests::id,
        ))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(RequestRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Save what was confirmed; audited.
pub fn select(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    selection: &Selection,
) -> Result<(), ApiError> {
    let updated = diesel::update(subject_access_requests::table.find(id))
        .set(subject_access_requests::selection.eq(serde_json::to_string(selection)?))
        .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::not_found());
    }
    let changes = audit::diff(
        &serde_json::json!({}),
        &serde_json::json!({"items": selection.items, "redactions": selection.redactions.len()}),
    );
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Update,
        &changes,
    )
}

/// Extend the request's due date (422 beyond three months from receipt,
/// or before the month's end); audited.
pub fn extend(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &RequestRow,
    extension: &Extension,
) -> Result<(), ApiError> {
    let limit = months_after(row.received_on, 3);
    if extension.extended_due_on > limit || extension.extended_due_on <= row.due_on {
        return Err(ApiError::field(
            "extended_due_on",
            format!(
                "must be after {} and on or before {limit} (three months from receipt)",
                row.due_on
            ),
        ));
    }
    diesel::update(subject_access_requests::table.find(row.id))
        .set((
            subject_access_requests::extended_due_on.eq(Some(extension.extended_due_on)),
            subject_access_requests::extension_reason.eq(Some(extension.reason.trim())),
        ))
        .execute(conn)?;
    let changes = audit::diff(
        &serde_json::json!({"extended_due_on": row.extended_due_on}),
        &serde_json::json!({"extended_due_on": extension.extended_due_on, "extension_reason": extension.reason.trim()}),
    );
    audit::record(
        conn,
        actor,
        ENTITY,
        &row.id.to_string(),
        Action::Update,
        &changes,
    )
}

/// `value` lower-cased inside `%…%`, for a case-blind LIKE.
fn pattern(value: &str) -> String {
    let escaped = value.trim().to_lowercase().replace(['%', '_'], "");
    format!("%{escaped}%")
}

type FeedbackHit = (i64, Option<String>, String, NaiveDate);
const FEEDBACK_HIT: (
    feedback::id,
    feedback::reference,
    feedback::directorate,
    feedback::received_on,
) = (
    feedback::id,
    feedback::reference,
    feedback::directorate,
    feedback::received_on,
);
type CaseHit = (i64, String, String, NaiveDate);
const CASE_HIT: (
    ombudsman_cases::id,
    ombudsman_cases::reference,
    ombudsman_cases::directorate,
    ombudsman_cases::received_on,
) = (
    ombudsman_cases::id,
    ombudsman_cases::reference,
    ombudsman_cases::directorate,
    ombudsman_cases::received_on,
);

/// What `criteria` finds in `scope`: feedback records by the complainant's
/// details, references or contact entries; the Ombudsman cases of those
/// records or of the references; and their documents.
pub fn search(
    conn: &mut DbConnection,
    criteria: &Criteria,
    scope: &Scope,
) -> Result<Vec<Candidate>, ApiError> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Nullable, Text};
    let mut found: Vec<Candidate> = Vec::new();
    fn note(
        found: &mut Vec<Candidate>,
        (entity, id): (&str, i64),
        reference: Option<String>,
        directorate: String,
        label: String,
        how: &str,
    ) {
        if let Some(c) = found.iter_mut().find(|c| c.entity == entity && c.id == id) {
            if !c.matched_on.iter().any(|m| m == how) {
                c.matched_on.push(how.to_string());
            }
        } else {
            found.push(Candidate {
                entity: entity.to_string(),
                id,
                reference,
                directorate,
                label,
                matched_on: vec![how.to_string()],
            });
        }
    }
    let in_scope = |directorate: &str| crate::records::in_scope(scope, directorate);
    let searches = [
        ("name", "complainant_name", criteria.name.as_ref()),
        ("email", "complainant", criteria.email.as_ref()),
        ("phone", "complainant", criteria.phone.as_ref()),
        ("postcode", "complainant", criteria.postcode.as_ref()),
    ];
    for (how, column, value) in searches {
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let hits: Vec<FeedbackHit> = feedback::table
            .filter(sql::<Nullable<Text>>(&format!("lower({column})")).like(pattern(value)))
            .select(FEEDBACK_HIT)
            .limit(500)
            .load(conn)?;
        for (id, reference, directorate, received) in hits {
            note(
                &mut found,
                ("feedback", id),
                reference,
                directorate,
                received.to_string(),
                how,
            );
        }
    }
    for reference in criteria
        .references
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        let hits: Vec<FeedbackHit> = feedback::table
            .filter(
                feedback::reference
                    .eq(reference)
                    .or(feedback::external_ref.eq(reference)),
            )
            .select(FEEDBACK_HIT)
            .load(conn)?;
        for (id, r, directorate, received) in hits {
            note(
                &mut found,
                ("feedback", id),
                r,
                directorate,
                received.to_string(),
                "reference",
            );
        }
        let cases: Vec<CaseHit> = ombudsman_cases::table
            .filter(ombudsman_cases::reference.eq(reference))
            .select(CASE_HIT)
            .load(conn)?;
        for (id, r, directorate, received) in cases {
            note(
                &mut found,
                ("ombudsman_case", id),
                Some(r),
                directorate,
                received.to_string(),
                "reference",
            );
        }
    }
    if let Some(name) = criteria.name.as_ref().filter(|n| !n.trim().is_empty()) {
        let mentioned: Vec<(String, i64)> = contacts::table
            .filter(sql::<Text>("lower(summary)").like(pattern(name)))
            .select((contacts::entity, contacts::record_id))
            .limit(500)
            .load(conn)?;
        for (entity, id) in mentioned {
            let Some(directorate) = crate::casework::directorate_of(conn, &entity, id)? else {
                continue;
            };
            note(
                &mut found,
                (&entity, id),
                None,
                directorate,
                String::new(),
                "contact",
            );
        }
    }
    // The cases of the records found, and the documents of both.
    let feedback_ids: Vec<i64> = found
        .iter()
        .filter(|c| c.entity == "feedback")
        .map(|c| c.id)
        .collect();
    let cases: Vec<CaseHit> = ombudsman_cases::table
        .filter(ombudsman_cases::feedback_id.eq_any(&feedback_ids))
        .select(CASE_HIT)
        .load(conn)?;
    for (id, r, directorate, received) in cases {
        note(
            &mut found,
            ("ombudsman_case", id),
            Some(r),
            directorate,
            received.to_string(),
            "case",
        );
    }
    let records: Vec<(String, i64, Option<String>)> = found
        .iter()
        .filter(|c| c.entity != "document")
        .map(|c| (c.entity.clone(), c.id, c.reference.clone()))
        .collect();
    for (entity, id, reference) in records {
        let attached: Vec<(i64, Option<String>, String)> = documents::table
            .filter(documents::entity.eq(&entity))
            .filter(documents::record_id.eq(id))
            .filter(documents::redacted_at.is_null())
            .select((documents::id, documents::directorate, documents::title))
            .load(conn)?;
        for (document, directorate, title) in attached {
            note(
                &mut found,
                ("document", document),
                reference.clone(),
                directorate.unwrap_or_default(),
                title,
                "attached",
            );
        }
    }
    found.retain(|c| in_scope(&c.directorate));
    // Fill in the references and days of records found only by a contact.
    for c in found
        .iter_mut()
        .filter(|c| c.label.is_empty() && c.entity == "feedback")
    {
        let row: Option<(Option<String>, NaiveDate)> = feedback::table
            .find(c.id)
            .select((feedback::reference, feedback::received_on))
            .first(conn)
            .optional()?;
        if let Some((reference, received)) = row {
            c.reference = reference;
            c.label = received.to_string();
        }
    }
    Ok(found)
}
