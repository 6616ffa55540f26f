//! `/service-improvements`: what the council agrees to change after a
//! complaint or an Ombudsman decision, tracked to completion with evidence.

use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::{self, HistoryPage};
use crate::auth::{Authorized, Managers, StaffReaders, StaffWriters};
use crate::calendar::uk_today;
use crate::calendar::Today;
use crate::error::{ApiError, Problem};
use crate::http::etag::{etag, IfMatch};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::{apply_patch, PatchJson, ValidJson};
use crate::http::list::ListParams;
use crate::improvements::fields::{
    ImprovementInput, ImprovementKind, ImprovementPatch, ImprovementStatus,
};
use crate::improvements::model::{self, ImprovementFilter, ImprovementRow};
use crate::page_type;
use crate::records::erasure;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_service_improvements)
        .service(create_service_improvement)
        .service(get_service_improvement)
        .service(update_service_improvement)
        .service(delete_service_improvement)
        .service(get_service_improvement_history)
        .service(redact_service_improvement)
        .service(erase_service_improvement);
}

/// A service improvement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceImprovement {
    /// Id.
    pub id: i64,
    /// Version, incremented on every change; the `ETag`.
    pub version: i64,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Who recorded it.
    pub created_by: String,
    /// The directorate that agreed it.
    pub directorate: String,
    /// What the council will do.
    pub description: String,
    /// The Ombudsman case it comes from.
    pub ombudsman_case_id: Option<i64>,
    /// The feedback record it comes from.
    pub feedback_id: Option<i64>,
    /// What kind of improvement.
    pub kind: Option<ImprovementKind>,
    /// Category.
    pub category: Option<String>,
    /// Sub-category.
    pub sub_category: Option<String>,
    /// Who is responsible.
    pub owner: Option<String>,
    /// When it was agreed.
    pub agreed_on: NaiveDate,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// When it was done.
    pub completed_on: Option<NaiveDate>,
    /// The evidence that it was done.
    pub evidence: Option<String>,
    /// Where it is.
    pub status: ImprovementStatus,
    /// Not completed or cancelled, and past `due_on`.
    pub overdue: bool,
    /// Whether it is in the public list of agreed improvements.
    pub published: bool,
    /// When its free text was redacted; null if it never was.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl ServiceImprovement {
    /// The improvement as answered, `overdue` as of today.
    pub fn of(row: &ImprovementRow) -> Result<ServiceImprovement, ApiError> {
        let input = row.input()?;
        Ok(ServiceImprovement {
            id: row.id,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            created_by: row.created_by.clone(),
            overdue: row.is_overdue(uk_today()),
            directorate: input.directorate,
            description: input.description,
            ombudsman_case_id: input.ombudsman_case_id,
            feedback_id: input.feedback_id,
            kind: input.kind,
            category: input.category,
            sub_category: input.sub_category,
            owner: input.owner,
            agreed_on: input.agreed_on,
            due_on: input.due_on,
            completed_on: input.completed_on,
            evidence: input.evidence,
            status: input.status,
            published: input.published,
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
        })
    }
}

page_type!(
    /// A page of service improvements.
    ServiceImprovementPage, ServiceImprovement
);

/// Filters of the improvement list (all optional; dates inclusive).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImprovementListParams {
    /// Directorate code.
    pub directorate: Option<String>,
    /// Status.
    pub status: Option<ImprovementStatus>,
    /// `true`: only improvements past their due date and not completed or cancelled.
    pub overdue: Option<bool>,
    /// Only those from this Ombudsman case.
    pub ombudsman_case_id: Option<i64>,
    /// Only those from this feedback record.
    pub feedback_id: Option<i64>,
    /// Category (exact).
    pub category: Option<String>,
    /// Kind.
    pub kind: Option<ImprovementKind>,
    /// Only published (`true`) or unpublished (`false`) ones.
    pub published: Option<bool>,
    /// Agreed on or after.
    pub agreed_from: Option<NaiveDate>,
    /// Agreed on or before.
    pub agreed_to: Option<NaiveDate>,
    /// Text to find in the description or owner (case-insensitive).
    pub q: Option<String>,
}

fn response(status: StatusCode, improvement: &ServiceImprovement) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(improvement.version)))
        .json(improvement)
}

/// List service improvements in the caller's directorates.
#[utoipa::path(
    tag = "service-improvements",
    params(ListParams, ImprovementListParams),
    responses((status = 200, description = "A page of improvements.", body = ServiceImprovementPage))
)]
#[get("/service-improvements")]
pub async fn list_service_improvements(
    state: web::Data<AppState>,
    user: Authorized<StaffReaders>,
    page: web::Query<ListParams>,
    params: web::Query<ImprovementListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(model::SORTABLE)?;
    let p = params.into_inner();
    let filter = ImprovementFilter {
        directorate: p.directorate,
        status: p.status,
        overdue: p.overdue,
        ombudsman_case_id: p.ombudsman_case_id,
        feedback_id: p.feedback_id,
        category: p.category,
        kind: p.kind,
        published: p.published,
        agreed_from: p.agreed_from,
        agreed_to: p.agreed_to,
        q: p.q.filter(|q| !q.is_empty()),
    };
    let scope = user.scope().map(<[String]>::to_vec);
    let (limit, offset) = (paging.limit, paging.offset);
    let today = uk_today();
    let (rows, total) = state
        .db
        .run(move |conn| model::list(conn, &filter, &scope, &paging, today))
        .await?;
    let items = rows
        .iter()
        .map(ServiceImprovement::of)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ServiceImprovementPage {
        items,
        total,
        limit,
        offset,
    }))
}

/// The 201 answer for a new improvement.
fn created(row: &ImprovementRow) -> Result<Created, ApiError> {
    let improvement = ServiceImprovement::of(row)?;
    Created::new(
        model::ENTITY,
        improvement.id,
        format!("/api/v1/service-improvements/{}", improvement.id),
        Some(improvement.version),
        &improvement,
    )
}

/// Record an agreed service improvement.
#[utoipa::path(
    tag = "service-improvements",
    request_body = ImprovementInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a repeat with the same key and body returns the first response.")),
    responses((status = 201, description = "The improvement was recorded.", body = ServiceImprovement,
        headers(("Location" = String, description = "Its URL."), ("ETag" = String, description = "The version."))))
)]
#[post("/service-improvements")]
pub async fn create_service_improvement(
    state: web::Data<AppState>,
    user: Authorized<StaffWriters>,
    req: HttpRequest,
    key: IdempotencyKey,
    body: ValidJson<ImprovementInput>,
) -> Result<HttpResponse, ApiError> {
    let request = idempotency::Request::new(&key, user.id, &req, &body.fingerprint);
    let input = body.value;
    let user = Arc::new(user.0);
    let reader = user.clone();
    idempotency::create(
        &state.db,
        request,
        move |conn| {
            model::check_references(conn, &input, &user.scope().map(<[String]>::to_vec))?;
            user.may_write_in(&input.directorate)?;
            created(&model::insert(conn, &user.actor(), &input)?)
        },
        move |conn, id| {
            let row = model::find(conn, id.parse().map_err(ApiError::internal)?)?;
            reader.visible(&row.directorate)?;
            created(&row)
        },
    )
    .await
}

/// Get a service improvement.
#[utoipa::path(
    tag = "service-improvements",
    params(("id" = i64, Path, description = "Improvement id.")),
    responses((status = 200, description = "The improvement.", body = ServiceImprovement,
        headers(("ETag" = String, description = "The version."))))
)]
#[get("/service-improvements/{id}")]
pub async fn get_service_improvement(
    state: web::Data<AppState>,
    user: Authorized<StaffReaders>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = state.db.run(move |conn| model::find(conn, id)).await?;
    user.visible(&row.directorate)?;
    Ok(response(StatusCode::OK, &ServiceImprovement::of(&row)?))
}

/// Change a service improvement (JSON merge patch), e.g. to record its
/// completion and evidence. Send `If-Match` with the `ETag` last seen.
#[utoipa::path(
    tag = "service-improvements",
    request_body = ImprovementPatch,
    params(("id" = i64, Path, description = "Improvement id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
    responses(
        (status = 200, description = "The changed improvement.", body = ServiceImprovement, headers(("ETag" = String, description = "The new version."))),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/service-improvements/{id}")]
pub async fn update_service_improvement(
    state: web::Data<AppState>,
    user: Authorized<StaffWriters>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: PatchJson<ImprovementPatch>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = user.0;
    let patch = body.patch;
    let improvement = state
        .db
        .write(move |conn| {
            let row = model::find_for_update(conn, id)?;
            user.visible(&row.directorate)?;
            if_match.check(row.version)?;
            let after = apply_patch(&row.input()?, &patch, today)?;
            model::check_references(conn, &after, &user.scope().map(<[String]>::to_vec))?;
            user.may_write_in(&after.directorate)?;
            ServiceImprovement::of(&model::update(conn, &user.actor(), &row, &after)?)
        })
        .await?;
    Ok(response(StatusCode::OK, &improvement))
}

/// Delete a service improvement (managers).
#[utoipa::path(
    tag = "service-improvements",
    params(("id" = i64, Path, description = "Improvement id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
    responses(
        (status = 204, description = "It was deleted."),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/service-improvements/{id}")]
pub async fn delete_service_improvement(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = user.0;
    state
        .db
        .write(move |conn| {
            let row = model::find_for_update(conn, id)?;
            user.visible(&row.directorate)?;
            if_match.check(row.version)?;
            model::delete(conn, &user.actor(), &row)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Redact an improvement (managers): its description, owner and evidence
/// become `[redacted]`, in the improvement and throughout its history; kind,
/// categories, dates and status stay. It may be redacted again. For a
/// deleted improvement, its history is redacted (204).
#[utoipa::path(
    tag = "service-improvements",
    params(("id" = i64, Path, description = "Improvement id.")),
    responses(
        (status = 200, description = "The redacted improvement.", body = ServiceImprovement),
        (status = 204, description = "The improvement had been deleted; its history is redacted."),
    )
)]
#[post("/service-improvements/{id}/redact")]
pub async fn redact_service_improvement(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = user.0;
    let improvement = state
        .db
        .write(move |conn| {
            crate::db::lock_row(conn, "service_improvements", id)?;
            let Some(row) = model::find_optional(conn, id)? else {
                erasure::redact_deleted(conn, &user, &model::REDACTION, &id.to_string())?;
                return Ok(None);
            };
            user.visible(&row.directorate)?;
            let row = model::redact(conn, &user.actor(), &row)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(Some(ServiceImprovement::of(&row)?))
        })
        .await?;
    state.db.scrub_after_erasure().await;
    Ok(match improvement {
        Some(improvement) => response(StatusCode::OK, &improvement),
        None => HttpResponse::NoContent().finish(),
    })
}

/// Erase an improvement (managers): redact it and its history, then delete
/// it. Erasing one already deleted redacts its history.
#[utoipa::path(
    tag = "service-improvements",
    params(("id" = i64, Path, description = "Improvement id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
    responses(
        (status = 204, description = "The improvement is erased."),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/service-improvements/{id}/erase")]
pub async fn erase_service_improvement(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = user.0;
    state
        .db
        .write(move |conn| {
            crate::db::lock_row(conn, "service_improvements", id)?;
            let Some(row) = model::find_optional(conn, id)? else {
                return erasure::redact_deleted(conn, &user, &model::REDACTION, &id.to_string());
            };
            user.visible(&row.directorate)?;
            if_match.check(row.version)?;
            let row = model::redact(conn, &user.actor(), &row)?;
            model::delete(conn, &user.actor(), &row)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(())
        })
        .await?;
    state.db.scrub_after_erasure().await;
    Ok(HttpResponse::NoContent().finish())
}

/// The history of a service improvement, oldest first.
#[utoipa::path(
    tag = "service-improvements",
    params(("id" = i64, Path, description = "Improvement id."), ListParams),
    responses((status = 200, description = "Its history.", body = HistoryPage))
)]
#[get("/service-improvements/{id}/history")]
pub async fn get_service_improvement_history(
    state: web::Data<AppState>,
    user: Authorized<StaffReaders>,
    id: web::Path<i64>,
    page: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let paging = page.paging(&[])?;
    let user = user.0;
    let history = state
        .db
        .run(move |conn| {
            let row = model::find(conn, id)?;
            user.visible(&row.directorate)?;
            audit::history(conn, model::ENTITY, &id.to_string(), &paging, &[])
        })
        .await?;
    Ok(HttpResponse::Ok().json(history))
}
