//! The access log's endpoints: the whole log (admins), and one record's.

use actix_web::{get, web, HttpResponse};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{search, AccessPage, AccessQuery};
use crate::auth::{AdminOnly, AuthUser, Authorized, Managers};
use crate::casework::Casework;
use crate::error::{ApiError, FieldErrors};
use crate::feedback::model::FeedbackRow;
use crate::http::list::ListParams;
use crate::ombudsman::model::CaseRecord;
use crate::openapi::Routes;
use crate::records::store;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_access_log)
        .service(feedback_access)
        .service(case_access);
}

/// The filters of `GET /access-log`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessFilters {
    /// What was read: `feedback` or `ombudsman_case`.
    pub entity: Option<String>,
    /// Its id (with `entity`).
    pub id: Option<String>,
    /// Who read it (login name).
    pub user: Option<String>,
    /// From this day (`YYYY-MM-DD`, UK time as stored: UTC).
    pub from: Option<NaiveDate>,
    /// To this day, inclusive.
    pub to: Option<NaiveDate>,
}

impl AccessFilters {
    fn query(&self) -> Result<AccessQuery, ApiError> {
        let mut errors = FieldErrors::new();
        if self.id.is_some() && self.entity.is_none() {
            errors.add("id", "needs `entity`");
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to < from {
                errors.add("to", "must not be before `from`");
            }
        }
        errors.into_result()?;
        Ok(AccessQuery {
            entity: self.entity.clone(),
            entity_id: self.id.clone(),
            username: self.user.clone(),
            from: self.from.and_then(|d| d.and_hms_opt(0, 0, 0)),
            to: self
                .to
                .and_then(|d| (d + Duration::days(1)).and_hms_opt(0, 0, 0)),
        })
    }
}

async fn page_of(
    state: &AppState,
    query: AccessQuery,
    page: &ListParams,
    check: impl FnOnce(&mut crate::db::DbConnection) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(&[])?;
    let query_paging = paging.clone();
    state.access.settle().await?;
    let (rows, total) = state
        .db
        .run(move |conn| {
            check(conn)?;
            search(conn, &query, &query_paging)
        })
        .await?;
    Ok(HttpResponse::Ok().json(AccessPage::of(rows, total, &paging)))
}

/// The access log (admins): who read whose personal data, newest first.
///
/// One entry per record read: a feedback record with its complainant (by
/// id, in a list, or its history), a contact log, a document, or a
/// subject-access export. Entries are kept for `ACCESS_LOG_RETENTION_DAYS`
/// (two years by default).
#[utoipa::path(
    tag = "data-protection",
    params(AccessFilters, ListParams),
    responses((status = 200, description = "A page of entries.", body = AccessPage))
)]
#[get("/access-log")]
pub async fn list_access_log(
    state: web::Data<AppState>,
    _user: Authorized<AdminOnly>,
    filters: crate::http::query::Query<AccessFilters>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let query = filters.query()?;
    page_of(&state, query, &page, |_| Ok(())).await
}

async fn record_access<R: Casework>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    page: &ListParams,
) -> Result<HttpResponse, ApiError> {
    let query = AccessQuery {
        entity: Some(R::ENTITY.to_string()),
        entity_id: Some(id.to_string()),
        ..AccessQuery::default()
    };
    page_of(state, query, page, move |conn| {
        store::find_visible::<R>(conn, &user.scope().map(<[String]>::to_vec), id).map(|_| ())
    })
    .await
}

/// Who has read this feedback record's personal data, newest first
/// (admins and the directorate's managers).
#[utoipa::path(
    tag = "data-protection",
    params(("id" = i64, Path, description = "The record."), ListParams),
    responses((status = 200, description = "A page of entries.", body = AccessPage))
)]
#[get("/feedback/{id}/access")]
pub async fn feedback_access(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    record_access::<FeedbackRow>(&state, user.0, id.into_inner(), &page).await
}

/// Who has read this Ombudsman case's contact log and documents, newest
/// first (admins and the directorate's managers).
#[utoipa::path(
    tag = "data-protection",
    params(("id" = i64, Path, description = "The case."), ListParams),
    responses((status = 200, description = "A page of entries.", body = AccessPage))
)]
#[get("/ombudsman-cases/{id}/access")]
pub async fn case_access(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    record_access::<CaseRecord>(&state, user.0, id.into_inner(), &page).await
}
