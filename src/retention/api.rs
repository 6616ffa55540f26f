//! The retention endpoints: the schedule, what is due, a run, and legal holds.

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::due::{due, DueItem};
use super::holds::{self, HoldInput, LegalHold};
use super::run::{run, RunReport};
use super::schedule::{self, RetainedEntity, Schedule, ScheduleInput};
use crate::auth::{AdminOnly, Authorized, Managers};
use crate::calendar::Today;
use crate::error::ApiError;
use crate::http::etag::IfMatch;
use crate::http::json::ValidJson;
use crate::http::list::ListParams;
use crate::openapi::Routes;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(get_retention)
        .service(put_retention)
        .service(retention_due)
        .service(run_retention)
        .service(list_legal_holds)
        .service(place_legal_hold)
        .service(lift_legal_hold);
}

/// The retention schedule in force (admins): each rule described, with what
/// its action means for the published figures.
#[utoipa::path(
    tag = "data-protection",
    responses((status = 200, description = "The schedule.", body = Schedule))
)]
#[get("/retention")]
pub async fn get_retention(
    state: web::Data<AppState>,
    _user: Authorized<AdminOnly>,
) -> Result<HttpResponse, ApiError> {
    let (_, schedule) = state.db.run(schedule::load).await?;
    Ok(with_etag(schedule))
}

fn with_etag(schedule: Schedule) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            crate::http::etag::etag(schedule.version),
        ))
        .json(schedule)
}

/// Replace the retention schedule (admins; `If-Match` honoured).
///
/// Each rule names an entity (`feedback`, `ombudsman_case`,
/// `service_improvement`, `document`), optionally a directorate and (for
/// feedback) a kind and a procedure, a period after closure, and an action:
/// `anonymise` (personal data, free text, contact entries and documents go;
/// the statistical fields stay, so published figures do not change) or
/// `delete` (everything goes, and the statistics of those years change).
/// The most specific rule that fits a record applies.
#[utoipa::path(
    tag = "data-protection",
    request_body = ScheduleInput,
    params(("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
    responses(
        (status = 200, description = "The schedule now in force.", body = Schedule),
        (status = 412, description = "The schedule changed since the `If-Match` version.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[put("/retention")]
pub async fn put_retention(
    state: web::Data<AppState>,
    user: Authorized<AdminOnly>,
    if_match: IfMatch,
    body: ValidJson<ScheduleInput>,
) -> Result<HttpResponse, ApiError> {
    let (user, input) = (user.0, body.value);
    let schedule = state
        .db
        .write(move |conn| schedule::save(conn, &user.actor(), &input, &if_match))
        .await?;
    Ok(with_etag(schedule))
}

/// The day a retention query is for.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The day (`YYYY-MM-DD`); today by default.
    pub as_of: Option<NaiveDate>,
}

crate::page_type!(
    /// A page of what a retention run would touch, by due date.
    DuePage,
    DueItem
);

/// What a retention run on `as_of` would touch (admins): each record,
/// case, improvement and document due, its rule and action, and the legal
/// holds that keep some of them.
#[utoipa::path(
    tag = "data-protection",
    params(AsOf, ListParams),
    responses((status = 200, description = "A page of the items due.", body = DuePage))
)]
#[get("/retention/due")]
pub async fn retention_due(
    state: web::Data<AppState>,
    _user: Authorized<AdminOnly>,
    query: crate::http::query::Query<AsOf>,
    page: crate::http::query::Query<ListParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(&[])?;
    let as_of = query.as_of.unwrap_or(today.0);
    let items = state
        .db
        .run(move |conn| {
            let (rules, _) = schedule::load(conn)?;
            due(conn, &rules, as_of)
        })
        .await?;
    let total = items.len() as i64;
    let page_items = items
        .into_iter()
        .skip(usize::try_from(paging.offset).unwrap_or(0))
        .take(usize::try_from(paging.limit).unwrap_or(0))
        .collect();
    Ok(HttpResponse::Ok().json(DuePage::of(page_items, total, &paging)))
}

/// The options of a run.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunOptions {
    /// The day to apply the schedule as of (`YYYY-MM-DD`); today by default.
    pub as_of: Option<NaiveDate>,
    /// Say what would be done, and do nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Apply the retention schedule now (admins), as the daily run does: each
/// item in its own transaction, audited as an `erase` with the reason
/// `retention`; items under a legal hold are skipped. 409 while another
/// instance is running it.
#[utoipa::path(
    tag = "data-protection",
    params(RunOptions),
    responses(
        (status = 200, description = "What the run did.", body = RunReport),
        (status = 409, description = "Another instance is running it.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/retention/run")]
pub async fn run_retention(
    state: web::Data<AppState>,
    _user: Authorized<AdminOnly>,
    options: crate::http::query::Query<RunOptions>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let as_of = options.as_of.unwrap_or(today.0);
    let report = run(&state.db, &state.documents, as_of, options.dry_run).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The legal holds on records the caller may see (managers and admins).
#[utoipa::path(
    tag = "data-protection",
    responses((status = 200, description = "The holds, newest first.", body = Vec<LegalHold>))
)]
#[get("/legal-holds")]
pub async fn list_legal_holds(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
) -> Result<HttpResponse, ApiError> {
    let user = user.0;
    let visible = state
        .db
        .run(move |conn| {
            let mut visible = Vec::new();
            for hold in holds::list(conn)? {
                let directorate = holds::directorate_of(conn, hold.entity, hold.record_id)?;
                if directorate.is_none_or(|d| user.visible(&d).is_ok()) {
                    visible.push(hold);
                }
            }
            Ok(visible)
        })
        .await?;
    Ok(HttpResponse::Ok().json(visible))
}

/// The entity and id of a hold's path, checked.
fn held(path: &(String, i64)) -> Result<(RetainedEntity, i64), ApiError> {
    match RetainedEntity::parse(&path.0) {
        Some(entity) if entity != RetainedEntity::Document => Ok((entity, path.1)),
        _ => Err(ApiError::not_found()),
    }
}

/// Place a legal hold on a record (managers of its directorate): the
/// retention schedule leaves it alone until the hold is lifted.
#[utoipa::path(
    tag = "data-protection",
    request_body = HoldInput,
    params(
        ("entity" = String, Path, description = "`feedback`, `ombudsman_case` or `service_improvement`."),
        ("id" = i64, Path, description = "The record's id."),
    ),
    responses((status = 200, description = "The hold.", body = LegalHold))
)]
#[put("/legal-holds/{entity}/{id}")]
pub async fn place_legal_hold(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    path: web::Path<(String, i64)>,
    body: ValidJson<HoldInput>,
) -> Result<HttpResponse, ApiError> {
    let (entity, id) = held(&path)?;
    let (user, input) = (user.0, body.value);
    let hold = state
        .db
        .write(move |conn| {
            let directorate =
                holds::directorate_of(conn, entity, id)?.ok_or_else(ApiError::not_found)?;
            user.visible(&directorate)?;
            holds::place(conn, &user.actor(), entity, id, &input.reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(hold))
}

/// Lift a legal hold (managers of the record's directorate; 204).
#[utoipa::path(
    tag = "data-protection",
    params(
        ("entity" = String, Path, description = "`feedback`, `ombudsman_case` or `service_improvement`."),
        ("id" = i64, Path, description = "The record's id."),
    ),
    responses((status = 204, description = "Lifted."))
)]
#[delete("/legal-holds/{entity}/{id}")]
pub async fn lift_legal_hold(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (entity, id) = held(&path)?;
    let user = user.0;
    state
        .db
        .write(move |conn| {
            let directorate =
                holds::directorate_of(conn, entity, id)?.ok_or_else(ApiError::not_found)?;
            user.visible(&directorate)?;
            holds::lift(conn, &user.actor(), entity, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
