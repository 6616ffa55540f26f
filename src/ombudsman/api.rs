//! `/ombudsman-cases`: the complaints the Ombudsman takes up, from first
//! enquiry to decision and compliance.

use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::{self, HistoryPage};
use crate::auth::{AuthUser, Authorized, Managers, Role, StaffReaders, StaffWriters};
use crate::calendar::uk_today;
use crate::calendar::Today;
use crate::error::{ApiError, Problem};
use crate::http::etag::{etag, IfMatch};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::{apply_patch, PatchJson, ValidJson};
use crate::http::list::ListParams;
use crate::ombudsman::fields::{CaseInput, CasePatch};
use crate::ombudsman::model::{self, CaseFilter, CaseRecord};
use crate::ombudsman::types::{
    Compliance, Decision, DecisionBucket, Ombudsman, RecommendationKind,
};
use crate::page_type;
use crate::records::erasure;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_ombudsman_cases)
        .service(create_ombudsman_case)
        .service(get_ombudsman_case)
        .service(update_ombudsman_case)
        .service(delete_ombudsman_case)
        .service(get_ombudsman_case_history)
        .service(redact_ombudsman_case)
        .service(erase_ombudsman_case);
}

/// One of the Ombudsman's enquiries to the council.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InformationRequestView {
    /// When the Ombudsman asked.
    pub requested_on: NaiveDate,
    /// When the answer is due.
    pub due_on: NaiveDate,
    /// When the council answered.
    pub provided_on: Option<NaiveDate>,
    /// Answered after `due_on`, or still unanswered after it.
    pub late: bool,
}

/// One of the Ombudsman's recommendations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendation {
    /// Id: send it back to keep the recommendation when changing the list.
    pub id: i64,
    /// What kind of remedy.
    pub kind: RecommendationKind,
    /// What exactly.
    pub description: Option<String>,
    /// Any payment, in pence.
    pub amount_pence: Option<i64>,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// When it was done.
    pub completed_on: Option<NaiveDate>,
    /// Done after `due_on`, or still not done after it.
    pub late: bool,
    /// Not done, and past `due_on`.
    pub overdue: bool,
}

/// An Ombudsman case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanCase {
    /// Id.
    pub id: i64,
    /// Version, incremented on every change; the `ETag`.
    pub version: i64,
    /// When the case was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Who recorded it.
    pub created_by: String,
    /// Which Ombudsman.
    pub ombudsman: Ombudsman,
    /// The Ombudsman's reference.
    #[schema(example = "24 005 341")]
    pub reference: String,
    /// Directorate code.
    pub directorate: String,
    /// The council complaint it follows.
    pub feedback_id: Option<i64>,
    /// The Ombudsman's category.
    pub category: Option<String>,
    /// The Ombudsman's sub-category.
    pub sub_category: Option<String>,
    /// First contact from the Ombudsman.
    pub received_on: NaiveDate,
    /// What the complaint is about.
    pub summary: Option<String>,
    /// The Ombudsman's enquiries to the council.
    pub information_requests: Vec<InformationRequestView>,
    /// How many information requests are late.
    pub information_requests_late: i64,
    /// Whether the Ombudsman had to issue a witness summons.
    pub witness_summons: bool,
    /// The decision.
    pub decision: Option<Decision>,
    /// How the Ombudsman's statistics count the decision.
    pub decision_bucket: Option<DecisionBucket>,
    /// When it was decided.
    pub decided_on: Option<NaiveDate>,
    /// Upheld, but the council had already provided a satisfactory remedy.
    pub remedied_before_ombudsman: bool,
    /// Whether the Ombudsman published a report.
    pub public_report: bool,
    /// The report's title.
    pub public_report_title: Option<String>,
    /// The recommendations.
    pub recommendations: Vec<Recommendation>,
    /// How many recommendations are past their due date and not done.
    pub overdue_recommendations: i64,
    /// Whether the council complied: null while pending.
    pub compliance_outcome: Option<Compliance>,
    /// When compliance was recorded.
    pub compliance_recorded_on: Option<NaiveDate>,
    /// Whether the outcome was derived from the recommendations (true) or set
    /// by a manager (false); null while there is none.
    pub compliance_derived: Option<bool>,
    /// When its free text was redacted; null if it never was.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl OmbudsmanCase {
    /// The case as answered, with its late and overdue flags as of today.
    pub fn of(record: &CaseRecord) -> Result<OmbudsmanCase, ApiError> {
        let today = uk_today();
        let row = &record.row;
        let information_requests: Vec<InformationRequestView> = record
            .requests
            .iter()
            .map(|r| InformationRequestView {
                requested_on: r.requested_on,
                due_on: r.due_on,
                provided_on: r.provided_on,
                late: r.is_late(today),
            })
            .collect();
        let recommendations: Vec<Recommendation> = record
            .recommendations
            .iter()
            .map(|r| {
                Ok(Recommendation {
                    id: r.id,
                    kind: RecommendationKind::from_db(&r.kind)?,
                    description: r.description.clone(),
                    amount_pence: r.amount_pence,
                    due_on: r.due_on,
                    completed_on: r.completed_on,
                    late: r.deadline().is_late(today),
                    overdue: r.deadline().is_overdue(today),
                })
            })
            .collect::<Result<_, ApiError>>()?;
        let compliance_outcome = row
            .compliance_outcome
            .as_deref()
            .map(Compliance::from_db)
            .transpose()?;
        Ok(OmbudsmanCase {
            id: row.id,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            created_by: row.created_by.clone(),
            ombudsman: Ombudsman::from_db(&row.ombudsman)?,
            reference: row.reference.clone(),
            directorate: row.directorate.clone(),
            feedback_id: row.feedback_id,
            category: row.category.clone(),
            sub_category: row.sub_category.clone(),
            received_on: row.received_on,
            summary: row.summary.clone(),
            information_requests_late: information_requests.iter().filter(|r| r.late).count()
                as i64,
            information_requests,
            witness_summons: row.witness_summons,
            decision: row.decision.as_deref().map(Decision::from_db).transpose()?,
            decision_bucket: row
                .decision_bucket
                .as_deref()
                .map(DecisionBucket::from_db)
                .transpose()?,
            decided_on: row.decided_on,
            remedied_before_ombudsman: row.remedied_before_ombudsman,
            public_report: row.public_report,
            public_report_title: row.public_report_title.clone(),
            overdue_recommendations: recommendations.iter().filter(|r| r.overdue).count() as i64,
            recommendations,
            compliance_derived: compliance_outcome.map(|_| !row.compliance_explicit),
            compliance_outcome,
            compliance_recorded_on: row.compliance_recorded_on,
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
        })
    }
}

page_type!(
    /// A page of Ombudsman cases.
    OmbudsmanCasePage, OmbudsmanCase
);

/// Filters of the case list (all optional; dates inclusive).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParams {
    /// Directorate code.
    pub directorate: Option<String>,
    /// Which Ombudsman.
    pub ombudsman: Option<Ombudsman>,
    /// Decision.
    pub decision: Option<Decision>,
    /// Decision bucket.
    pub decision_bucket: Option<DecisionBucket>,
    /// The Ombudsman's category (exact).
    pub category: Option<String>,
    /// First contact on or after.
    pub received_from: Option<NaiveDate>,
    /// First contact on or before.
    pub received_to: Option<NaiveDate>,
    /// Decided on or after.
    pub decided_from: Option<NaiveDate>,
    /// Decided on or before.
    pub decided_to: Option<NaiveDate>,
    /// The council complaint it follows.
    pub feedback_id: Option<i64>,
    /// Compliance outcome.
    pub compliance_outcome: Option<Compliance>,
    /// `true`: only cases with a recommendation past its due date and not done.
    pub overdue_recommendations: Option<bool>,
    /// `true`: only cases with a late information request.
    pub late_information_requests: Option<bool>,
    /// Text to find in the reference or summary (case-insensitive).
    pub q: Option<String>,
}

/// The fields only managers (and admins) may set: the decision and compliance.
fn manager_fields_changed(before: Option<&CaseInput>, after: &CaseInput) -> bool {
    let decision = |c: &CaseInput| {
        (
            c.decision,
            c.decided_on,
            c.remedied_before_ombudsman,
            c.compliance_outcome,
            c.compliance_recorded_on,
        )
    };
    match before {
        Some(before) => decision(before) != decision(after),
        None => decision(after) != (None, None, false, None, None),
    }
}

fn require_manager_for_decisions(
    user: &AuthUser,
    before: Option<&CaseInput>,
    after: &CaseInput,
) -> Result<(), ApiError> {
    if manager_fields_changed(before, after) && !matches!(user.role, Role::Admin | Role::Manager) {
        return Err(ApiError::Forbidden(
            "Only managers record the Ombudsman's decision and compliance.".into(),
        ));
    }
    Ok(())
}

fn case_response(status: StatusCode, case: &OmbudsmanCase) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(case.version)))
        .json(case)
}

/// List Ombudsman cases in the caller's directorates.
#[utoipa::path(
    tag = "ombudsman",
    params(ListParams, CaseListParams),
    responses((status = 200, description = "A page of cases.", body = OmbudsmanCasePage))
)]
#[get("/ombudsman-cases")]
pub async fn list_ombudsman_cases(
    state: web::Data<AppState>,
    user: Authorized<StaffReaders>,
    page: web::Query<ListParams>,
    params: web::Query<CaseListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(model::SORTABLE)?;
    let p = params.into_inner();
    let filter = CaseFilter {
        directorate: p.directorate,
        ombudsman: p.ombudsman,
        decision: p.decision,
        decision_bucket: p.decision_bucket,
        category: p.category,
        received_from: p.received_from,
        received_to: p.received_to,
        decided_from: p.decided_from,
        decided_to: p.decided_to,
        feedback_id: p.feedback_id,
        compliance_outcome: p.compliance_outcome,
        overdue_recommendations: p.overdue_recommendations,
        late_information_requests: p.late_information_requests,
        q: p.q.filter(|q| !q.is_empty()),
    };
    let scope = user.scope().map(<[String]>::to_vec);
    let (limit, offset) = (paging.limit, paging.offset);
    let today = uk_today();
    let (records, total) = state
        .db
        .run(move |conn| model::list(conn, &filter, &scope, &paging, today))
        .await?;
    let items = records
        .iter()
        .map(OmbudsmanCase::of)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(OmbudsmanCasePage {
        items,
        total,
        limit,
        offset,
    }))
}

/// The 201 answer for a new case.
fn created(record: &model::CaseRecord) -> Result<Created, ApiError> {
    let case = OmbudsmanCase::of(record)?;
    Created::new(
        model::ENTITY,
        case.id,
        format!("/api/v1/ombudsman-cases/{}", case.id),
        Some(case.version),
        &case,
    )
}

/// Record an Ombudsman case. Only managers may record the decision.
#[utoipa::path(
    tag = "ombudsman",
    request_body = CaseInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a repeat with the same key and body returns the first response.")),
    responses(
        (status = 201, description = "The case was recorded.", body = OmbudsmanCase,
            headers(("Location" = String, description = "The case's URL."), ("ETag" = String, description = "The version."))),
        (status = 409, description = "A case with this reference exists.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ombudsman-cases")]
pub async fn create_ombudsman_case(
    state: web::Data<AppState>,
    user: Authorized<StaffWriters>,
    req: HttpRequest,
    key: IdempotencyKey,
    body: ValidJson<CaseInput>,
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
            require_manager_for_decisions(&user, None, &input)?;
            created(&model::insert(conn, &user.actor(), &input)?)
        },
        move |conn, id| {
            let record = model::find(conn, id.parse().map_err(ApiError::internal)?)?;
            reader.visible(&record.row.directorate)?;
            created(&record)
        },
    )
    .await
}

/// Get an Ombudsman case.
#[utoipa::path(
    tag = "ombudsman",
    params(("id" = i64, Path, description = "Case id.")),
    responses((status = 200, description = "The case.", body = OmbudsmanCase,
        headers(("ETag" = String, description = "The version; send it as `If-Match` when changing the case."))))
)]
#[get("/ombudsman-cases/{id}")]
pub async fn get_ombudsman_case(
    state: web::Data<AppState>,
    user: Authorized<StaffReaders>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state.db.run(move |conn| model::find(conn, id)).await?;
    user.visible(&record.row.directorate)?;
    Ok(case_response(StatusCode::OK, &OmbudsmanCase::of(&record)?))
}

/// Change an Ombudsman case (JSON merge patch). Only managers may change
/// the decision or compliance. Send `If-Match` with the `ETag` last seen.
#[utoipa::path(
    tag = "ombudsman",
    request_body = CasePatch,
    params(("id" = i64, Path, description = "Case id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the case has changed since.")),
    responses(
        (status = 200, description = "The changed case.", body = OmbudsmanCase, headers(("ETag" = String, description = "The new version."))),
        (status = 409, description = "A case with this reference exists.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/ombudsman-cases/{id}")]
pub async fn update_ombudsman_case(
    state: web::Data<AppState>,
    user: Authorized<StaffWriters>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: PatchJson<CasePatch>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = user.0;
    let patch = body.patch;
    let case = state
        .db
        .write(move |conn| {
            let record = model::find_for_update(conn, id)?;
            user.visible(&record.row.directorate)?;
            if_match.check(record.row.version)?;
            let before = record.input()?;
            let after = apply_patch(&before, &patch, today)?;
            model::check_references(conn, &after, &user.scope().map(<[String]>::to_vec))?;
            user.may_write_in(&after.directorate)?;
            require_manager_for_decisions(&user, Some(&before), &after)?;
            let saved = model::update(conn, &user.actor(), &record, &after)?.ok_or_else(|| {
                ApiError::PreconditionFailed(
                    "The case changed while this request was processed.".into(),
                )
            })?;
            OmbudsmanCase::of(&saved)
        })
        .await?;
    Ok(case_response(StatusCode::OK, &case))
}

/// Delete an Ombudsman case (managers).
#[utoipa::path(
    tag = "ombudsman",
    params(("id" = i64, Path, description = "Case id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the case has changed since.")),
    responses(
        (status = 204, description = "The case was deleted."),
        (status = 412, description = "The case changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/ombudsman-cases/{id}")]
pub async fn delete_ombudsman_case(
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
            let record = model::find_for_update(conn, id)?;
            user.visible(&record.row.directorate)?;
            if_match.check(record.row.version)?;
            model::delete(conn, &user.actor(), &record)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Redact a case (managers): its summary, public report title and
/// recommendation descriptions become `[redacted]`, in the case and
/// throughout its history; the Ombudsman's reference, categories, dates,
/// decision, amounts and compliance stay. A case may be redacted again. For
/// a deleted case, its history is redacted (204).
#[utoipa::path(
    tag = "ombudsman",
    params(("id" = i64, Path, description = "Case id.")),
    responses(
        (status = 200, description = "The redacted case.", body = OmbudsmanCase),
        (status = 204, description = "The case had been deleted; its history is redacted."),
    )
)]
#[post("/ombudsman-cases/{id}/redact")]
pub async fn redact_ombudsman_case(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = user.0;
    let case = state
        .db
        .write(move |conn| {
            crate::db::lock_row(conn, "ombudsman_cases", id)?;
            let Some(record) = model::find_optional(conn, id)? else {
                erasure::redact_deleted(conn, &user, &model::REDACTION, &id.to_string())?;
                return Ok(None);
            };
            user.visible(&record.row.directorate)?;
            let record = model::redact(conn, &user.actor(), &record)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(Some(OmbudsmanCase::of(&record)?))
        })
        .await?;
    state.db.scrub_after_erasure().await;
    Ok(match case {
        Some(case) => case_response(StatusCode::OK, &case),
        None => HttpResponse::NoContent().finish(),
    })
}

/// Erase a case (managers): redact it and its history, then delete it.
/// Erasing a case already deleted redacts its history.
#[utoipa::path(
    tag = "ombudsman",
    params(("id" = i64, Path, description = "Case id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the case has changed since.")),
    responses(
        (status = 204, description = "The case is erased."),
        (status = 412, description = "The case changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ombudsman-cases/{id}/erase")]
pub async fn erase_ombudsman_case(
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
            crate::db::lock_row(conn, "ombudsman_cases", id)?;
            let Some(record) = model::find_optional(conn, id)? else {
                return erasure::redact_deleted(conn, &user, &model::REDACTION, &id.to_string());
            };
            user.visible(&record.row.directorate)?;
            if_match.check(record.row.version)?;
            let record = model::redact(conn, &user.actor(), &record)?;
            model::delete(conn, &user.actor(), &record)?;
            erasure::forget_requests(conn, model::ENTITY, &id.to_string())?;
            Ok(())
        })
        .await?;
    state.db.scrub_after_erasure().await;
    Ok(HttpResponse::NoContent().finish())
}

/// The history of an Ombudsman case, oldest first.
#[utoipa::path(
    tag = "ombudsman",
    params(("id" = i64, Path, description = "Case id."), ListParams),
    responses((status = 200, description = "The case's history.", body = HistoryPage))
)]
#[get("/ombudsman-cases/{id}/history")]
pub async fn get_ombudsman_case_history(
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
            let directorate = model::directorate_of(conn, id)?.ok_or_else(ApiError::not_found)?;
            user.visible(&directorate)?;
            audit::history(conn, model::ENTITY, &id.to_string(), &paging, &[])
        })
        .await?;
    Ok(HttpResponse::Ok().json(history))
}
