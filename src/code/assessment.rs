//! The self-assessment against the Code, as stored: one per year, or per
//! occasion such as a restructure; its sections' answers in one JSON column.
//! An approved assessment is frozen: a change is a new revision that
//! supersedes it. Every change is audited as `code_assessment`.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor};
use crate::calendar::Calendar;
use crate::code::measures::{self, CodeMeasures};
use crate::code::sections::{self, Context, Figure, SECTIONS};
use crate::db::schema::{code_assessments, code_years, service_improvements};
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::http::etag::IfMatch;
use crate::http::json::RequestBody;
use crate::statistics::Period;
use crate::text_enum;
use crate::validation::{check_length, Validate, MAX_LONG_TEXT, MAX_MEDIUM_TEXT, MAX_SHORT_TEXT};

/// The audit log's name for self-assessments.
pub const ENTITY: &str = "code_assessment";

/// The rate a timeliness figure must reach unless the assessment says
/// otherwise, in percent.
pub const DEFAULT_THRESHOLD: i32 = 90;

text_enum! {
    /// Why the self-assessment was made.
    pub enum Occasion {
        /// The yearly assessment, published with the annual report.
        Annual => "annual",
        /// After a restructure.
        Restructure => "restructure",
        /// After a change of complaints procedure.
        ProcedureChange => "procedure_change",
        /// Another occasion (the title says which).
        Other => "other",
    }
}

text_enum! {
    /// Whether the council follows a section of the Code.
    pub enum CodeCompliance {
        /// Yes.
        Yes => "yes",
        /// No.
        No => "no",
        /// In part.
        Partly => "partly",
    }
}

text_enum! {
    /// Where a self-assessment is in its life.
    pub enum AssessmentStatus {
        /// Being written: it can be changed or deleted.
        Draft => "draft",
        /// Approved (who, when): frozen.
        Approved => "approved",
        /// Approved, then replaced by a newer revision.
        Superseded => "superseded",
    }
}

/// A section's answer: one row of the published self-assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionAnswer {
    /// The section (`definitions`, `exclusions`, `accessibility`,
    /// `complaint_handling_staff`, `handling_process`, `stage_1`, `stage_2`,
    /// `putting_things_right`, `reporting`, `learning`).
    #[schema(example = "stage_1")]
    pub key: String,
    /// Its heading, with the Code's section number (read-only).
    #[serde(default)]
    pub title: String,
    /// The "We…" statement: shipped, and the council's to edit.
    #[schema(max_length = 2000)]
    pub statement: String,
    /// "Do we follow the Code": `yes`, `no` or `partly`; null until
    /// answered. Every section must be answered before approval.
    #[serde(default)]
    pub complies: Option<CodeCompliance>,
    /// The evidence.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub evidence: Option<String>,
    /// Commentary.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub commentary: Option<String>,
    /// The action planned.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub planned_action: Option<String>,
    /// When the planned action is due.
    #[serde(default)]
    pub action_due_on: Option<NaiveDate>,
}

/// The shipped sections, unanswered.
pub fn shipped_sections() -> Vec<SectionAnswer> {
    SECTIONS
        .iter()
        .map(|s| SectionAnswer {
            key: s.key.into(),
            title: s.title.into(),
            statement: s.statement.into(),
            complies: None,
            evidence: None,
            commentary: None,
            planned_action: None,
            action_due_on: None,
        })
        .collect()
}

/// A row of `code_assessments`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = code_assessments)]
pub struct AssessmentRow {
    /// Its id.
    pub id: i64,
    /// Its version (the ETag).
    pub version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    created_by: String,
    /// The financial year assessed.
    pub year: i32,
    occasion: Occasion,
    title: String,
    revision: i32,
    supersedes_id: Option<i64>,
    compliance_threshold_percent: i32,
    #[diesel(deserialize_as = crate::db::json::Json<Vec<SectionAnswer>>)]
    sections: Vec<SectionAnswer>,
    approved_by: Option<String>,
    approved_at: Option<NaiveDateTime>,
}

/// A section as the assessment shows it: the answer, the year's figures
/// beside it, and whether they contradict a "yes".
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AssessedSection {
    /// The answer.
    #[serde(flatten)]
    pub answer: SectionAnswer,
    /// The year's figures for a measurable section (stages 1 and 2,
    /// putting things right, reporting and the others the records can
    /// measure), from `GET /statistics/code`; empty for the others.
    pub figures: Vec<Figure>,
    /// Whether the answer is `yes` and a figure says otherwise.
    pub flagged: bool,
}

/// A self-assessment against the Complaint Handling Code.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CodeAssessment {
    /// Its id.
    pub id: i64,
    /// Its version (the `ETag`).
    pub version: i64,
    /// The financial year assessed, by its first calendar year.
    #[schema(example = 2026)]
    pub year: i32,
    /// Why it was made.
    pub occasion: Occasion,
    /// Its title.
    pub title: String,
    /// Its revision: 1, then one more for each revision of an approved one.
    pub revision: i32,
    /// The approved revision it replaces; null for the first.
    pub supersedes_id: Option<i64>,
    /// The revision that replaced it; null while none has.
    pub superseded_by_id: Option<i64>,
    /// `draft`, `approved` or `superseded`.
    pub status: AssessmentStatus,
    /// The rate, in percent, that a timeliness figure must reach for a
    /// "yes" to stand unflagged (90 unless set).
    #[schema(minimum = 50, maximum = 100)]
    pub compliance_threshold_percent: i32,
    /// Who approved it; null while a draft.
    pub approved_by: Option<String>,
    /// When (RFC 3339, UTC).
    pub approved_at: Option<DateTime<Utc>>,
    /// When it was made (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Who made it.
    pub created_by: String,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// How many sections are flagged.
    pub flagged: i64,
    /// The sections, in the Code's order.
    pub sections: Vec<AssessedSection>,
}

/// The body of `POST /code-assessments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    /// The financial year assessed, by its first calendar year.
    #[schema(minimum = 2000, maximum = 2100, example = 2026)]
    pub year: i32,
    /// Why it is made; default `annual`.
    #[serde(default)]
    pub occasion: Option<Occasion>,
    /// Its title; default "Complaint Handling Code self-assessment 2026-27".
    #[serde(default)]
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// The rate a timeliness figure must reach, in percent; default 90.
    #[serde(default)]
    #[schema(minimum = 50, maximum = 100)]
    pub compliance_threshold_percent: Option<i32>,
    /// Answers to start with, by `key`: the fields given replace the
    /// shipped section's (as in a `PATCH`).
    #[serde(default)]
    pub sections: Vec<Map<String, Value>>,
}

impl RequestBody for NewAssessment {}

impl Validate for NewAssessment {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        if !(2000..=2100).contains(&self.year) {
            errors.add("year", "must be from 2000 to 2100");
        }
        check_settings(
            self.title.as_deref(),
            self.compliance_threshold_percent,
            errors,
        );
    }
}

/// The body of `PATCH /code-assessments/{id}`: the fields given change;
/// each section given is merged into the section of its `key` (RFC 7386:
/// null clears a field).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentPatch {
    /// Why it was made.
    #[serde(default)]
    pub occasion: Option<Occasion>,
    /// Its title.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// The rate a timeliness figure must reach, in percent.
    #[serde(default)]
    #[schema(minimum = 50, maximum = 100)]
    pub compliance_threshold_percent: Option<i32>,
    /// Section changes, each with its `key`:
    /// `[{"key": "stage_1", "complies": "yes", "evidence": "…"}]`.
    #[serde(default)]
    pub sections: Vec<Map<String, Value>>,
}

impl RequestBody for AssessmentPatch {}

impl Validate for AssessmentPatch {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        check_settings(
            self.title.as_deref(),
            self.compliance_threshold_percent,
            errors,
        );
    }
}

fn check_settings(title: Option<&str>, threshold: Option<i32>, errors: &mut FieldErrors) {
    if title.is_some_and(|t| t.trim().is_empty()) {
        errors.add("title", "must not be blank");
    }
    check_length(errors, "title", title, MAX_SHORT_TEXT);
    if threshold.is_some_and(|t| !(50..=100).contains(&t)) {
        errors.add("compliance_threshold_percent", "must be from 50 to 100");
    }
}

/// `sections` with `changes` merged in, by key; 422 naming
/// `sections[i]...` for an unknown key or a bad field.
fn merged(
    mut sections: Vec<SectionAnswer>,
    changes: &[Map<String, Value>],
) -> Result<Vec<SectionAnswer>, ApiError> {
    let mut errors = FieldErrors::new();
    for (i, change) in changes.iter().enumerate() {
        let at = |field: &str| format!("sections[{i}].{field}");
        let Some(key) = change.get("key").and_then(Value::as_str) else {
            errors.add(at("key"), "is required: the section to change");
            continue;
        };
        let Some(section) = sections.iter_mut().find(|s| s.key == key) else {
            let keys: Vec<&str> = SECTIONS.iter().map(|s| s.key).collect();
            errors.add(at("key"), format!("must be one of {}", keys.join(", ")));
            continue;
        };
        if change.contains_key("title") {
            errors.add(at("title"), "is the Code's heading and cannot be changed");
            continue;
        }
        let mut value = serde_json::to_value(&*section)?;
        crate::http::json::merge_patch(&mut value, &Value::Object(change.clone()));
        match serde_json::from_value::<SectionAnswer>(value) {
            Ok(new) => {
                if new.statement.trim().is_empty() {
                    errors.add(at("statement"), "must not be blank");
                }
                check_length(
                    &mut errors,
                    &at("statement"),
                    Some(&new.statement),
                    MAX_MEDIUM_TEXT,
                );
                for (field, text) in [
                    ("evidence", &new.evidence),
                    ("commentary", &new.commentary),
                    ("planned_action", &new.planned_action),
                ] {
                    check_length(&mut errors, &at(field), text.as_deref(), MAX_LONG_TEXT);
                }
                *section = new;
            }
            Err(e) => errors.add(
                at("section"),
                crate::http::json::tidy_message(&e.to_string()),
            ),
        }
    }
    errors.into_result()?;
    Ok(sections)
}

fn find(conn: &mut DbConnection, id: i64) -> Result<AssessmentRow, ApiError> {
    code_assessments::table
        .find(id)
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(ApiError::not_found)
}

/// The id of the revision that superseded `id`, if any.
fn superseded_by(conn: &mut DbConnection, id: i64) -> Result<Option<i64>, ApiError> {
    Ok(code_assessments::table
        .filter(code_assessments::supersedes_id.eq(id))
        .select(code_assessments::id)
        .first(conn)
        .optional()?)
}

/// The year's measures and what else the figures need, for assessments
/// of `year`.
pub struct YearFigures {
    /// The year's Code measures, council-wide.
    pub measures: CodeMeasures,
    previous_report_published: Option<bool>,
    improvements_agreed: i64,
}

impl YearFigures {
    /// Measure `year` council-wide on `today`.
    pub fn of(
        conn: &mut DbConnection,
        year: i32,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<YearFigures, ApiError> {
        let period = Period::financial_year(year);
        let procedures = crate::settings::model::load(conn)?.settings.code_procedures;
        let records = measures::load(conn, &period, &None, &procedures)?;
        let code_from = crate::timescales::shipped::code_applies_from();
        let previous_report_published = if Period::financial_year(year - 1).from >= code_from {
            let published: Option<Option<NaiveDate>> = code_years::table
                .find(year - 1)
                .select(code_years::published_on)
                .first(conn)
                .optional()?;
            Some(published.flatten().is_some())
        } else {
            None
        };
        let improvements_agreed = service_improvements::table
            .filter(service_improvements::agreed_on.between(period.from, period.to))
            .count()
            .get_result(conn)?;
        Ok(YearFigures {
            measures: measures::measure(&records, period.from, period.to, calendar, today, false),
            previous_report_published,
            improvements_agreed,
        })
    }
}

/// The assessment `row` as shown, with `figures` beside its sections.
fn view(
    conn: &mut DbConnection,
    row: AssessmentRow,
    figures: &YearFigures,
) -> Result<CodeAssessment, ApiError> {
    let superseded_by_id = superseded_by(conn, row.id)?;
    let context = Context {
        threshold: row.compliance_threshold_percent,
        previous_report_published: figures.previous_report_published,
        improvements_agreed: figures.improvements_agreed,
    };
    let sections: Vec<AssessedSection> = row
        .sections
        .into_iter()
        .map(|answer| {
            let figures = sections::figures(&answer.key, &figures.measures, &context);
            let flagged = answer.complies == Some(CodeCompliance::Yes)
                && figures.iter().any(|f| f.meets == Some(false));
            AssessedSection {
                answer,
                figures,
                flagged,
            }
        })
        .collect();
    let status = match (row.approved_at, superseded_by_id) {
        (None, _) => AssessmentStatus::Draft,
        (Some(_), None) => AssessmentStatus::Approved,
        (Some(_), Some(_)) => AssessmentStatus::Superseded,
    };
    Ok(CodeAssessment {
        id: row.id,
        version: row.version,
        year: row.year,
        occasion: row.occasion,
        title: row.title,
        revision: row.revision,
        supersedes_id: row.supersedes_id,
        superseded_by_id,
        status,
        compliance_threshold_percent: row.compliance_threshold_percent,
        approved_by: row.approved_by,
        approved_at: row.approved_at.map(|t| t.and_utc()),
        created_at: row.created_at.and_utc(),
        created_by: row.created_by,
        updated_at: row.updated_at.and_utc(),
        flagged: sections.iter().filter(|s| s.flagged).count() as i64,
        sections,
    })
}

/// What the views need besides the rows: the calendar and the day.
#[derive(Clone)]
pub struct Viewing {
    /// The calendar.
    pub calendar: Arc<Calendar>,
    /// Today.
    pub today: NaiveDate,
}

impl Viewing {
    /// The assessment `id` as shown.
    pub fn one(&self, conn: &mut DbConnection, id: i64) -> Result<CodeAssessment, ApiError> {
        let row = find(conn, id)?;
        let figures = YearFigures::of(conn, row.year, &self.calendar, self.today)?;
        view(conn, row, &figures)
    }

    /// Every assessment (of `year`, if given), newest year and revision
    /// first.
    pub fn list(
        &self,
        conn: &mut DbConnection,
        year: Option<i32>,
    ) -> Result<Vec<CodeAssessment>, ApiError> {
        let mut query = code_assessments::table
            .select(AssessmentRow::as_select())
            .order((
                code_assessments::year.desc(),
                code_assessments::revision.desc(),
                code_assessments::id.desc(),
            ))
            .into_boxed();
        if let Some(year) = year {
            query = query.filter(code_assessments::year.eq(year));
        }
        let rows: Vec<AssessmentRow> = query.load(conn)?;
        let mut figures: std::collections::HashMap<i32, YearFigures> = Default::default();
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let of = match figures.entry(row.year) {
                std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(YearFigures::of(conn, row.year, &self.calendar, self.today)?)
                }
            };
            views.push(view(conn, row, of)?);
        }
        Ok(views)
    }

    /// The assessment a year's report shows: its latest approved
    /// revision, else its latest draft.
    pub fn of_year(
        &self,
        conn: &mut DbConnection,
        year: i32,
    ) -> Result<Option<CodeAssessment>, ApiError> {
        let all = self.list(conn, Some(year))?;
        let approved = all
            .iter()
            .find(|a| a.status == AssessmentStatus::Approved)
            .cloned();
        Ok(approved.or_else(|| {
            all.into_iter()
                .find(|a| a.status == AssessmentStatus::Draft)
        }))
    }
}

fn audit_value(row: &AssessmentRow) -> Result<Value, ApiError> {
    Ok(serde_json::json!({
        "year": row.year,
        "occasion": row.occasion,
        "title": row.title,
        "revision": row.revision,
        "supersedes_id": row.supersedes_id,
        "compliance_threshold_percent": row.compliance_threshold_percent,
        "sections": serde_json::to_value(&row.sections)?,
        "approved_by": row.approved_by,
        "approved_at": row.approved_at.map(|t| t.and_utc()),
    }))
}

struct NewRow<'a> {
    year: i32,
    occasion: Occasion,
    title: &'a str,
    revision: i32,
    supersedes_id: Option<i64>,
    threshold: i32,
    sections: &'a [SectionAnswer],
}

fn insert(conn: &mut DbConnection, actor: &Actor, new: &NewRow) -> Result<i64, ApiError> {
    let stamp = now();
    let values = (
        code_assessments::version.eq(1_i64),
        code_assessments::created_at.eq(stamp),
        code_assessments::updated_at.eq(stamp),
        code_assessments::created_by.eq(&actor.username),
        code_assessments::year.eq(new.year),
        code_assessments::occasion.eq(new.occasion.as_str()),
        code_assessments::title.eq(new.title),
        code_assessments::revision.eq(new.revision),
        code_assessments::supersedes_id.eq(new.supersedes_id),
        code_assessments::compliance_threshold_percent.eq(new.threshold),
        code_assessments::sections.eq(serde_json::to_string(new.sections)?),
    );
    let insert = diesel::insert_into(code_assessments::table)
        .values(values)
        .returning(code_assessments::id);
    let id: i64 = crate::per_backend!(conn, |c| insert.get_result(c))?;
    let row = find(conn, id)?;
    let changes = audit::diff(&Value::Null, &audit_value(&row)?);
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Create,
        &changes,
    )?;
    Ok(id)
}

/// Make a draft assessment of `new.year`, the shipped sections with the
/// answers given.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewAssessment,
) -> Result<i64, ApiError> {
    let sections = merged(shipped_sections(), &new.sections)?;
    let label = Period::financial_year(new.year).label;
    let title = new
        .title
        .clone()
        .unwrap_or_else(|| format!("Complaint Handling Code self-assessment {label}"));
    insert(
        conn,
        actor,
        &NewRow {
            year: new.year,
            occasion: new.occasion.unwrap_or(Occasion::Annual),
            title: title.trim(),
            revision: 1,
            supersedes_id: None,
            threshold: new
                .compliance_threshold_percent
                .unwrap_or(DEFAULT_THRESHOLD),
            sections: &sections,
        },
    )
}

/// The row `id`, locked, checked against `if_match`, and a draft (409
/// otherwise, naming what to do instead).
fn draft_for_change(
    conn: &mut DbConnection,
    id: i64,
    if_match: &IfMatch,
) -> Result<AssessmentRow, ApiError> {
    crate::db::lock_row(conn, "code_assessments", id)?;
    let row = find(conn, id)?;
    if_match.check(row.version)?;
    if row.approved_at.is_some() {
        return Err(ApiError::Conflict(format!(
            "Self-assessment {id} is approved and frozen: POST /api/v1/code-assessments/{id}/revise makes a new revision to change."
        )));
    }
    Ok(row)
}

fn write_change(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &AssessmentRow,
    action: Action,
) -> Result<(), ApiError> {
    let after = find(conn, before.id)?;
    let changes = audit::diff(&audit_value(before)?, &audit_value(&after)?);
    audit::record(
        conn,
        actor,
        ENTITY,
        &before.id.to_string(),
        action,
        &changes,
    )
}

/// Change a draft.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    if_match: &IfMatch,
    patch: &AssessmentPatch,
) -> Result<(), ApiError> {
    let row = draft_for_change(conn, id, if_match)?;
    let sections = merged(row.sections.clone(), &patch.sections)?;
    diesel::update(code_assessments::table.find(id))
        .set((
            code_assessments::version.eq(row.version + 1),
            code_assessments::updated_at.eq(now()),
            code_assessments::occasion.eq(patch.occasion.unwrap_or(row.occasion).as_str()),
            code_assessments::title.eq(patch.title.as_deref().map(str::trim).unwrap_or(&row.title)),
            code_assessments::compliance_threshold_percent.eq(patch
                .compliance_threshold_percent
                .unwrap_or(row.compliance_threshold_percent)),
            code_assessments::sections.eq(serde_json::to_string(&sections)?),
        ))
        .execute(conn)?;
    write_change(conn, actor, &row, Action::Update)
}

/// Approve a draft: every section must be answered (422 naming those
/// that are not).
pub fn approve(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let row = draft_for_change(conn, id, if_match)?;
    let mut errors = FieldErrors::new();
    for (i, section) in row.sections.iter().enumerate() {
        if section.complies.is_none() {
            errors.add(
                format!("sections[{i}].complies"),
                format!("{} is not answered yet: yes, no or partly", section.title),
            );
        }
    }
    errors.into_result()?;
    diesel::update(code_assessments::table.find(id))
        .set((
            code_assessments::version.eq(row.version + 1),
            code_assessments::updated_at.eq(now()),
            code_assessments::approved_by.eq(&actor.username),
            code_assessments::approved_at.eq(now()),
        ))
        .execute(conn)?;
    write_change(conn, actor, &row, Action::Approve)
}

/// A new draft revision of the approved assessment `id`, which it
/// supersedes once approved; 409 for a draft or one already revised.
pub fn revise(conn: &mut DbConnection, actor: &Actor, id: i64) -> Result<i64, ApiError> {
    crate::db::lock_row(conn, "code_assessments", id)?;
    let row = find(conn, id)?;
    if row.approved_at.is_none() {
        return Err(ApiError::Conflict(format!(
            "Self-assessment {id} is a draft: change it with PATCH."
        )));
    }
    if let Some(newer) = superseded_by(conn, id)? {
        return Err(ApiError::Conflict(format!(
            "Self-assessment {id} was already revised: revision {newer}."
        )));
    }
    insert(
        conn,
        actor,
        &NewRow {
            year: row.year,
            occasion: row.occasion,
            title: &row.title,
            revision: row.revision + 1,
            supersedes_id: Some(id),
            threshold: row.compliance_threshold_percent,
            sections: &row.sections,
        },
    )
}

/// Delete a draft (409 for an approved one).
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let row = draft_for_change(conn, id, if_match)?;
    diesel::delete(code_assessments::table.find(id)).execute(conn)?;
    let changes = audit::diff(&audit_value(&row)?, &Value::Null);
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Delete,
        &changes,
    )
}
