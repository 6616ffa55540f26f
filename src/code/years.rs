//! `/code-years`: each financial year's annual complaints performance and
//! service improvement report on its way through the council's governance
//! (the Code, section 8): its self-assessment, when it went to the Member
//! Responsible for Complaints or a committee, the response, when it was
//! published, and the Ombudsman's annual letter and the council's response
//! as documents attached to the year.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor};
use crate::auth::{AuthUser, Authorized, CaseworkReaders, Managers, Role, StatisticsReaders};
use crate::calendar::Today;
use crate::code::assessment::AssessmentStatus;
use crate::db::schema::{code_assessments, code_years, documents};
use crate::db::{now, DbConnection};
use crate::documents::model::{self as document_model, DocumentPage};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::http::etag::{etag, IfMatch};
use crate::http::json::{RequestBody, ValidJson};
use crate::http::list::ListParams;
use crate::openapi::Routes;
use crate::state::AppState;
use crate::statistics::Period;
use crate::text_enum;
use crate::validation::{check_length, Validate, MAX_LONG_TEXT, MAX_SHORT_TEXT};

/// The audit log's (and the documents') name for a Code year.
pub const ENTITY: &str = "code_year";

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_code_years)
        .service(get_code_year)
        .service(update_code_year)
        .service(upload_year_document)
        .service(list_year_documents);
}

/// 403 unless `user` may change the Code years and their documents
/// (managers and admins).
pub fn may_change(user: &AuthUser) -> Result<(), ApiError> {
    if matches!(user.role, Role::Admin | Role::Manager) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only managers and admins change a Code year and its documents.".into(),
        ))
    }
}

text_enum! {
    /// A step of a year's report still to do.
    pub enum Outstanding {
        /// No self-assessment of the year is approved.
        SelfAssessment => "self_assessment",
        /// The Ombudsman's annual letter is not attached.
        OmbudsmanLetter => "ombudsman_letter",
        /// The report has not gone to the Member Responsible for
        /// Complaints or a committee.
        Presentation => "presentation",
        /// The governing body's response is not recorded.
        Response => "response",
        /// The report is not published.
        Publication => "publication",
    }
}

/// A year's governance, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    /// When the report went to the Member Responsible for Complaints or a
    /// committee.
    #[serde(default)]
    pub presented_on: Option<NaiveDate>,
    /// To whom: the member or the committee (required with
    /// `presented_on`).
    #[serde(default)]
    #[schema(max_length = 200, example = "Audit and Governance Committee")]
    pub body: Option<String>,
    /// The governing body's response, published with the report (needs
    /// `presented_on`).
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub response: Option<String>,
    /// When the report was published (not before `presented_on`).
    #[serde(default)]
    pub published_on: Option<NaiveDate>,
}

impl RequestBody for Governance {}

impl Validate for Governance {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        for (field, date) in [
            ("presented_on", self.presented_on),
            ("published_on", self.published_on),
        ] {
            if date.is_some_and(|d| d > today) {
                errors.add(field, "must not be in the future");
            }
        }
        let blank = |t: &Option<String>| t.as_deref().is_none_or(|t| t.trim().is_empty());
        if self.presented_on.is_some() && blank(&self.body) {
            errors.add(
                "body",
                "is required with presented_on: the member or committee",
            );
        }
        if self.presented_on.is_none() && self.response.is_some() {
            errors.add("response", "needs presented_on");
        }
        if let (Some(presented), Some(published)) = (self.presented_on, self.published_on) {
            if published < presented && !errors.has("published_on") {
                errors.add("published_on", "must not be before presented_on");
            }
        }
        check_length(errors, "body", self.body.as_deref(), MAX_SHORT_TEXT);
        check_length(errors, "response", self.response.as_deref(), MAX_LONG_TEXT);
    }
}

/// A financial year's report under the Code, and what is outstanding.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CodeYear {
    /// The financial year by its first calendar year.
    #[schema(example = 2026)]
    pub year: i32,
    /// Its days and name (`2026-27`).
    pub period: Period,
    /// The governance recorded.
    #[serde(flatten)]
    pub governance: Governance,
    /// The self-assessment the report shows: the latest approved revision,
    /// else the latest draft; null if there is none.
    pub assessment_id: Option<i64>,
    /// That assessment's status.
    pub assessment_status: Option<AssessmentStatus>,
    /// Documents attached to the year.
    pub documents: i64,
    /// What is still to do, in order; empty once published with
    /// everything.
    pub outstanding: Vec<Outstanding>,
    /// Its version (the `ETag`): 0 until first recorded.
    pub version: i64,
    /// When it last changed; null until first recorded.
    pub updated_at: Option<DateTime<Utc>>,
    /// Who changed it last.
    pub updated_by: Option<String>,
}

type Row = (
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    i64,
    NaiveDateTime,
    String,
);

fn row(conn: &mut DbConnection, year: i32) -> Result<Option<Row>, ApiError> {
    Ok(code_years::table
        .find(year)
        .select((
            code_years::presented_on,
            code_years::body,
            code_years::response,
            code_years::published_on,
            code_years::version,
            code_years::updated_at,
            code_years::updated_by,
        ))
        .first(conn)
        .optional()?)
}

/// The year `year` as it stands.
pub fn find(conn: &mut DbConnection, year: i32) -> Result<CodeYear, ApiError> {
    let stored = row(conn, year)?;
    let assessments: Vec<(i64, Option<NaiveDateTime>)> = code_assessments::table
        .filter(code_assessments::year.eq(year))
        .order((
            code_assessments::revision.desc(),
            code_assessments::id.desc(),
        ))
        .select((code_assessments::id, code_assessments::approved_at))
        .load(conn)?;
    // The newest revision approved is the current one; a draft counts
    // only when none is approved.
    let (assessment_id, assessment_status) = match assessments.iter().find(|(_, a)| a.is_some()) {
        Some((id, _)) => (Some(*id), Some(AssessmentStatus::Approved)),
        None => match assessments.first() {
            Some((id, _)) => (Some(*id), Some(AssessmentStatus::Draft)),
            None => (None, None),
        },
    };
    let of_year = documents::entity
        .eq(ENTITY)
        .and(documents::record_id.eq(i64::from(year)))
        .and(documents::redacted_at.is_null());
    let documents_count: i64 = documents::table.filter(of_year).count().get_result(conn)?;
    let letters: i64 = documents::table
        .filter(of_year)
        .filter(documents::kind.eq(document_model::DocumentKind::OmbudsmanAnnualLetter))
        .count()
        .get_result(conn)?;
    let governance = match &stored {
        Some((presented_on, body, response, published_on, ..)) => Governance {
            presented_on: *presented_on,
            body: body.clone(),
            response: response.clone(),
            published_on: *published_on,
        },
        None => Governance {
            presented_on: None,
            body: None,
            response: None,
            published_on: None,
        },
    };
    let mut outstanding = Vec::new();
    if assessment_status != Some(AssessmentStatus::Approved) {
        outstanding.push(Outstanding::SelfAssessment);
    }
    if letters == 0 {
        outstanding.push(Outstanding::OmbudsmanLetter);
    }
    if governance.presented_on.is_none() {
        outstanding.push(Outstanding::Presentation);
    }
    if governance.response.is_none() {
        outstanding.push(Outstanding::Response);
    }
    if governance.published_on.is_none() {
        outstanding.push(Outstanding::Publication);
    }
    Ok(CodeYear {
        year,
        period: Period::financial_year(year),
        governance,
        assessment_id,
        assessment_status,
        documents: documents_count,
        outstanding,
        version: stored.as_ref().map_or(0, |r| r.4),
        updated_at: stored.as_ref().map(|r| r.5.and_utc()),
        updated_by: stored.map(|r| r.6),
    })
}

/// The years under the Code: from the first (2026-27) to the current
/// financial year, and any other with an assessment or governance recorded,
/// newest first.
pub fn list(conn: &mut DbConnection, today: NaiveDate) -> Result<Vec<CodeYear>, ApiError> {
    let first =
        Period::financial_year_of(crate::timescales::shipped::code_applies_from()).start_year();
    let current = Period::financial_year_of(today).start_year();
    let mut years: std::collections::BTreeSet<i32> = (first..=current).collect();
    years.extend(
        code_years::table
            .select(code_years::year)
            .load::<i32>(conn)?,
    );
    years.extend(
        code_assessments::table
            .select(code_assessments::year)
            .distinct()
            .load::<i32>(conn)?,
    );
    years
        .into_iter()
        .rev()
        .map(|year| find(conn, year))
        .collect()
}

/// Record the governance of `year` (replacing it), audited.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    year: i32,
    if_match: &IfMatch,
    new: &Governance,
) -> Result<(), ApiError> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT 1 FROM code_years WHERE year = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Integer, _>(year)
            .execute(pg)?;
    }
    let before = find(conn, year)?;
    if_match.check(before.version)?;
    let trimmed = Governance {
        body: new.body.as_deref().map(str::trim).map(str::to_string),
        response: new.response.as_deref().map(str::trim).map(str::to_string),
        ..new.clone()
    };
    let changes = audit::diff(
        &serde_json::to_value(&before.governance)?,
        &serde_json::to_value(&trimmed)?,
    );
    if changes.is_empty() {
        return Ok(());
    }
    let values = (
        code_years::presented_on.eq(trimmed.presented_on),
        code_years::body.eq(&trimmed.body),
        code_years::response.eq(&trimmed.response),
        code_years::published_on.eq(trimmed.published_on),
        code_years::version.eq(before.version + 1),
        code_years::updated_at.eq(now()),
        code_years::updated_by.eq(&actor.username),
    );
    if before.version == 0 {
        diesel::insert_into(code_years::table)
            .values((code_years::year.eq(year), values))
            .execute(conn)?;
    } else {
        diesel::update(code_years::table.find(year))
            .set(values)
            .execute(conn)?;
    }
    let action = if before.version == 0 {
        Action::Create
    } else {
        Action::Update
    };
    audit::record(conn, actor, ENTITY, &year.to_string(), action, &changes)
}

/// 404 for a year outside 2000 to 2100.
fn checked(year: i32) -> Result<i32, ApiError> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::not_found())
    }
}

fn shown(year: CodeYear) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(year.version)))
        .json(year)
}

/// The years under the Complaint Handling Code, newest first, each with
/// its self-assessment, governance and documents, and what is outstanding:
/// the approved self-assessment, the Ombudsman's annual letter, the
/// presentation to the Member Responsible for Complaints or a committee,
/// the response, and publication (the Code, section 8).
#[utoipa::path(
    tag = "code",
    responses((status = 200, description = "The years.", body = Vec<CodeYear>))
)]
#[get("/code-years")]
pub async fn list_code_years(
    state: web::Data<AppState>,
    _user: Authorized<StatisticsReaders>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let years = state.db.run(move |conn| list(conn, today)).await?;
    Ok(HttpResponse::Ok().json(years))
}

/// One year's report under the Code: its governance and what is
/// outstanding.
#[utoipa::path(
    tag = "code",
    params(("year" = i32, Path, description = "The financial year (`2026` is 2026-27).")),
    responses((status = 200, description = "The year.", body = CodeYear,
        headers(("ETag" = String, description = "The version (0 until recorded)."))))
)]
#[get("/code-years/{year}")]
pub async fn get_code_year(
    state: web::Data<AppState>,
    _user: Authorized<StatisticsReaders>,
    year: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let year = checked(year.into_inner())?;
    Ok(shown(state.db.run(move |conn| find(conn, year)).await?))
}

/// Record a year's governance (managers): when the report went to the
/// Member Responsible for Complaints or a committee, to whom, the response,
/// and when it was published. Replaces what was recorded.
#[utoipa::path(
    tag = "code",
    request_body = Governance,
    params(
        ("year" = i32, Path, description = "The financial year."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it changed since."),
    ),
    responses(
        (status = 200, description = "The year.", body = CodeYear, headers(("ETag" = String))),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/code-years/{year}")]
pub async fn update_code_year(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    year: web::Path<i32>,
    if_match: IfMatch,
    body: ValidJson<Governance>,
) -> Result<HttpResponse, ApiError> {
    let year = checked(year.into_inner())?;
    let (actor, governance) = (user.actor(), body.value);
    let saved = state
        .db
        .write(move |conn| {
            save(conn, &actor, year, &if_match, &governance)?;
            find(conn, year)
        })
        .await?;
    Ok(shown(saved))
}

/// Attach a document to a year (managers): the Ombudsman's annual letter
/// (`kind=ombudsman_annual_letter`), the council's response
/// (`council_response`), or another. As for a record's documents:
/// `multipart/form-data` with `file`, `kind` and `title`; downloaded from
/// `GET /documents/{id}`.
#[utoipa::path(
    tag = "code",
    request_body(content = crate::documents::api::DocumentUpload, content_type = "multipart/form-data"),
    params(("year" = i32, Path, description = "The financial year.")),
    responses(crate::documents::api::UploadResponses)
)]
#[post("/code-years/{year}/documents")]
pub async fn upload_year_document(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    year: web::Path<i32>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let year = checked(year.into_inner())?;
    let attachment =
        crate::documents::api::read_upload(&req, payload, state.documents.max_bytes()).await?;
    let actor = user.actor();
    let row =
        crate::documents::api::keep(&state, attachment, move |conn, attachment, key, store| {
            let new = attachment.to(ENTITY, i64::from(year), None, key);
            document_model::insert(conn, &actor, store, &new)
        })
        .await?;
    let document = document_model::Document::from(row);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, document.href.clone()))
        .json(document))
}

/// The documents attached to a year, newest first.
#[utoipa::path(
    tag = "code",
    params(("year" = i32, Path, description = "The financial year."), ListParams),
    responses((status = 200, description = "A page of documents.", body = DocumentPage))
)]
#[get("/code-years/{year}/documents")]
pub async fn list_year_documents(
    state: web::Data<AppState>,
    _user: Authorized<CaseworkReaders>,
    year: web::Path<i32>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let year = checked(year.into_inner())?;
    let paging = page.paging(&[])?;
    let query = paging.clone();
    let (rows, total) = state
        .db
        .run(move |conn| document_model::list(conn, ENTITY, i64::from(year), &query))
        .await?;
    let items = rows
        .into_iter()
        .map(document_model::Document::from)
        .collect();
    Ok(HttpResponse::Ok().json(DocumentPage::of(items, total, &paging)))
}
