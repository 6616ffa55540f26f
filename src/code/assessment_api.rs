//! `/code-assessments`: the self-assessment against the Complaint Handling
//! Code. Analysts, managers and admins read it; managers and admins write,
//! approve and revise it.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Authorized, Managers, StatisticsReaders};
use crate::calendar::Today;
use crate::code::assessment::{self, AssessmentPatch, CodeAssessment, NewAssessment, Viewing};
use crate::error::{ApiError, Problem};
use crate::http::etag::{etag, IfMatch};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::ValidJson;
use crate::openapi::Routes;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_assessments)
        .service(create_assessment)
        .service(get_assessment)
        .service(update_assessment)
        .service(delete_assessment)
        .service(approve_assessment)
        .service(revise_assessment);
}

/// Which assessments to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentFilter {
    /// Only those of this financial year (`2026` is 2026-27).
    #[param(minimum = 2000, maximum = 2100, example = 2026)]
    pub year: Option<i32>,
}

async fn viewing(state: &AppState, today: Today) -> Result<Viewing, ApiError> {
    Ok(Viewing {
        calendar: state.calendar.current(&state.db).await?,
        today: today.0,
    })
}

fn location(id: i64) -> String {
    format!("/api/v1/code-assessments/{id}")
}

fn created(view: &CodeAssessment) -> Result<Created, ApiError> {
    Created::new(
        assessment::ENTITY,
        view.id,
        location(view.id),
        Some(view.version),
        view,
    )
}

fn shown(view: CodeAssessment) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(view.version)))
        .json(view)
}

/// Every self-assessment (of a year), newest year and revision first, each
/// with the year's figures beside its measurable sections and the sections
/// whose "yes" the figures contradict flagged.
#[utoipa::path(
    tag = "code",
    params(AssessmentFilter),
    responses((status = 200, description = "The assessments.", body = Vec<CodeAssessment>))
)]
#[get("/code-assessments")]
pub async fn list_assessments(
    state: web::Data<AppState>,
    _user: Authorized<StatisticsReaders>,
    filter: crate::http::query::Query<AssessmentFilter>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let viewing = viewing(&state, today).await?;
    let year = filter.year;
    let all = state.db.run(move |conn| viewing.list(conn, year)).await?;
    Ok(HttpResponse::Ok().json(all))
}

/// Start a self-assessment against the Complaint Handling Code (managers):
/// one per financial year, and another after a restructure or a change of
/// procedure (`occasion`). Its sections are the Code's, with the shipped
/// "We…" statements, unanswered unless `sections` answers them.
#[utoipa::path(
    tag = "code",
    request_body = NewAssessment,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe: the same key and body answer the first response again.")),
    responses(
        (status = 201, description = "The new draft.", body = CodeAssessment,
            headers(("Location" = String), ("ETag" = String))),
    )
)]
#[post("/code-assessments")]
pub async fn create_assessment(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    req: HttpRequest,
    key: IdempotencyKey,
    body: ValidJson<NewAssessment>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let viewing = viewing(&state, today).await?;
    let request = idempotency::Request::new(&key, user.id, &req, &body.fingerprint);
    let (actor, new) = (user.actor(), body.value);
    let show_viewing = viewing.clone();
    idempotency::create(
        &state.db,
        request,
        move |conn| {
            let id = assessment::create(conn, &actor, &new)?;
            created(&viewing.one(conn, id)?)
        },
        move |conn, key| {
            let id = key.parse().map_err(|_| ApiError::not_found())?;
            created(&show_viewing.one(conn, id)?)
        },
    )
    .await
}

/// A self-assessment, with the year's figures beside its measurable
/// sections (stages 1 and 2, putting things right, reporting, and the
/// others the records measure), and each section whose "yes" the figures
/// contradict flagged.
#[utoipa::path(
    tag = "code",
    params(("id" = i64, Path, description = "The assessment.")),
    responses((status = 200, description = "The assessment.", body = CodeAssessment,
        headers(("ETag" = String, description = "The version."))))
)]
#[get("/code-assessments/{id}")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    _user: Authorized<StatisticsReaders>,
    id: web::Path<i64>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let viewing = viewing(&state, today).await?;
    let id = id.into_inner();
    Ok(shown(
        state.db.run(move |conn| viewing.one(conn, id)).await?,
    ))
}

/// Change a draft self-assessment (managers): its title, occasion,
/// threshold, and its sections by `key` (merged: null clears a field).
/// An approved one is frozen (409): revise it instead.
#[utoipa::path(
    tag = "code",
    request_body = AssessmentPatch,
    params(
        ("id" = i64, Path, description = "The assessment."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it changed since."),
    ),
    responses(
        (status = 200, description = "The changed draft.", body = CodeAssessment, headers(("ETag" = String))),
        (status = 409, description = "The assessment is approved and frozen.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/code-assessments/{id}")]
pub async fn update_assessment(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ValidJson<AssessmentPatch>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let viewing = viewing(&state, today).await?;
    let (id, actor, patch) = (id.into_inner(), user.actor(), body.value);
    let view = state
        .db
        .write(move |conn| {
            assessment::update(conn, &actor, id, &if_match, &patch)?;
            viewing.one(conn, id)
        })
        .await?;
    Ok(shown(view))
}

/// Delete a draft self-assessment (managers; 409 for an approved one).
#[utoipa::path(
    tag = "code",
    params(
        ("id" = i64, Path, description = "The assessment."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it changed since."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 409, description = "The assessment is approved.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/code-assessments/{id}")]
pub async fn delete_assessment(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |conn| assessment::delete(conn, &actor, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Approve a draft self-assessment (managers): who and when are recorded,
/// and it is frozen. Every section must be answered (422 naming those that
/// are not); 409 if it is approved already.
#[utoipa::path(
    tag = "code",
    params(
        ("id" = i64, Path, description = "The assessment."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it changed since."),
    ),
    responses(
        (status = 200, description = "The approved assessment.", body = CodeAssessment, headers(("ETag" = String))),
        (status = 409, description = "Approved already.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Sections not answered yet: `errors` names each (`sections[i].complies`).", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/code-assessments/{id}/approve")]
pub async fn approve_assessment(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    if_match: IfMatch,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let viewing = viewing(&state, today).await?;
    let (id, actor) = (id.into_inner(), user.actor());
    let view = state
        .db
        .write(move |conn| {
            assessment::approve(conn, &actor, id, &if_match)?;
            viewing.one(conn, id)
        })
        .await?;
    Ok(shown(view))
}

/// Revise an approved self-assessment (managers): a new draft revision with
/// its answers, which supersedes it; the approved one stays as it was. 409
/// for a draft (change it instead) or one revised already.
#[utoipa::path(
    tag = "code",
    params(("id" = i64, Path, description = "The approved assessment.")),
    responses(
        (status = 201, description = "The new draft revision.", body = CodeAssessment,
            headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "A draft, or revised already.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/code-assessments/{id}/revise")]
pub async fn revise_assessment(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let viewing = viewing(&state, today).await?;
    let (id, actor) = (id.into_inner(), user.actor());
    let view = state
        .db
        .write(move |conn| {
            let new = assessment::revise(conn, &actor, id)?;
            viewing.one(conn, new)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location(view.id)))
        .insert_header((header::ETAG, etag(view.version)))
        .json(view))
}
