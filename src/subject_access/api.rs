//! The subject access endpoints.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::export::{self, Contexts};
use super::model::{self, Extension, RequestInput, Selection, SubjectAccess, SubjectAccessPage};
use crate::auth::{AuthUser, Authorized, Managers};
use crate::calendar::Today;
use crate::db::schema::subject_access_requests;
use crate::db::{now, DbConnection};
use crate::documents::storage::{self, StorageKind};
use crate::error::ApiError;
use crate::feedback::model::FeedbackRow;
use crate::http::json::ValidJson;
use crate::http::list::ListParams;
use crate::openapi::Routes;
use crate::records::api::RecordApi;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_requests)
        .service(create_request)
        .service(get_request)
        .service(select_items)
        .service(extend_request)
        .service(make_export)
        .service(download_export);
}

fn scope_of(user: &AuthUser) -> crate::records::Scope {
    user.scope().map(<[String]>::to_vec)
}

/// The request `id` as `user` sees it on `today`, with what the search finds.
fn with_candidates(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    today: NaiveDate,
) -> Result<SubjectAccess, ApiError> {
    let row = model::find(conn, id)?.ok_or_else(ApiError::not_found)?;
    let candidates = model::search(conn, &row.criteria()?, &scope_of(user))?;
    row.view(today, candidates)
}

/// Record a subject access request (managers), and find what is held.
///
/// Searches the complainants' names, emails, phones and postcodes, the
/// references given, and the contact log for the name, in the caller's
/// directorates; the answer lists the candidates for a person to confirm
/// (`PUT …/selection`). Due one calendar month from receipt.
#[utoipa::path(
    tag = "data-protection",
    request_body = RequestInput,
    responses((status = 201, description = "Recorded, with its candidates.", body = SubjectAccess))
)]
#[post("/subject-access")]
pub async fn create_request(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    body: ValidJson<RequestInput>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let (user, input) = (user.0, body.value);
    let request = state
        .db
        .write(move |conn| {
            let row = model::create(conn, &user.actor(), &input)?;
            with_candidates(conn, &user, row.id, today.0)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/subject-access/{}", request.id),
        ))
        .json(request))
}

/// The subject access requests (managers), open ones first by due date.
#[utoipa::path(
    tag = "data-protection",
    params(ListParams),
    responses((status = 200, description = "A page of requests.", body = SubjectAccessPage))
)]
#[get("/subject-access")]
pub async fn list_requests(
    state: web::Data<AppState>,
    _user: Authorized<Managers>,
    page: crate::http::query::Query<ListParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(&[])?;
    let query = paging.clone();
    let (rows, total) = state.db.run(move |conn| model::list(conn, &query)).await?;
    let items = rows
        .iter()
        .map(|row| row.view(today.0, Vec::new()))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(SubjectAccessPage::of(items, total, &paging)))
}

/// A subject access request, with what its search finds now.
#[utoipa::path(
    tag = "data-protection",
    params(("id" = i64, Path, description = "The request.")),
    responses((status = 200, description = "The request.", body = SubjectAccess))
)]
#[get("/subject-access/{id}")]
pub async fn get_request(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let (user, id) = (user.0, id.into_inner());
    let request = state
        .db
        .run(move |conn| with_candidates(conn, &user, id, today.0))
        .await?;
    Ok(HttpResponse::Ok().json(request))
}

/// Confirm what is the requester's, and mark third parties' data to blank.
#[utoipa::path(
    tag = "data-protection",
    request_body = Selection,
    params(("id" = i64, Path, description = "The request.")),
    responses((status = 200, description = "The request.", body = SubjectAccess))
)]
#[put("/subject-access/{id}/selection")]
pub async fn select_items(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    body: ValidJson<Selection>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let (user, id, selection) = (user.0, id.into_inner(), body.value);
    let request = state
        .db
        .write(move |conn| {
            model::select(conn, &user.actor(), id, &selection)?;
            with_candidates(conn, &user, id, today.0)
        })
        .await?;
    Ok(HttpResponse::Ok().json(request))
}

/// Extend a request's due date by up to two months, with the reason.
#[utoipa::path(
    tag = "data-protection",
    request_body = Extension,
    params(("id" = i64, Path, description = "The request.")),
    responses((status = 200, description = "The request.", body = SubjectAccess))
)]
#[post("/subject-access/{id}/extend")]
pub async fn extend_request(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    body: ValidJson<Extension>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let (user, id, extension) = (user.0, id.into_inner(), body.value);
    let request = state
        .db
        .write(move |conn| {
            let row = model::find(conn, id)?.ok_or_else(ApiError::not_found)?;
            model::extend(conn, &user.actor(), &row, &extension)?;
            with_candidates(conn, &user, id, today.0)
        })
        .await?;
    Ok(HttpResponse::Ok().json(request))
}

/// Build the export of the confirmed items (managers): a ZIP of each record
/// and case as JSON and HTML with its contact entries, actions and
/// history, the confirmed documents, and a manifest with each file's
/// SHA-256. Third parties' marked data is blanked. It can be downloaded for
/// seven days, then it is purged; the request counts as answered.
#[utoipa::path(
    tag = "data-protection",
    params(("id" = i64, Path, description = "The request.")),
    responses(
        (status = 201, description = "Made; the request with `export`.", body = SubjectAccess),
        (status = 422, description = "Nothing is confirmed yet (`PUT …/selection` first).", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/subject-access/{id}/export")]
pub async fn make_export(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let (user, id) = (user.0, id.into_inner());
    let rules = FeedbackRow::context(&state, today).await?;
    let (documents, reader) = (state.documents.clone(), user.clone());
    let (row, built) = state
        .db
        .run(move |conn| {
            let row = model::find(conn, id)?.ok_or_else(ApiError::not_found)?;
            let selection = row.selection()?;
            if selection.items.is_empty() {
                return Err(ApiError::field(
                    "items",
                    "confirm what is the requester's first (PUT …/selection)",
                ));
            }
            let contexts = Contexts { rules, today };
            let built = export::build(conn, &row, &selection, &reader, &contexts, &documents)?;
            Ok((row, built))
        })
        .await?;
    let store = state.documents.for_new();
    let key = storage::new_key();
    let zip = std::sync::Arc::new(built.zip);
    {
        let (documents, key, zip) = (state.documents.clone(), key.clone(), zip.clone());
        web::block(move || documents.for_new().stage(&key, &zip))
            .await
            .map_err(ApiError::internal)?
            .map_err(|e| ApiError::internal(format!("cannot store the export: {e}")))?;
    }
    let kind = store.kind();
    let (documents, written_key, written_zip, writer) = (
        state.documents.clone(),
        key.clone(),
        zip.clone(),
        user.clone(),
    );
    let saved = state
        .db
        .write(move |conn| {
            if let (Some(old), Some(kind)) = (
                &row.export_key,
                row.export_storage.as_deref().and_then(StorageKind::parse),
            ) {
                storage::forget(conn, kind, old)?;
            }
            documents.for_new().keep(conn, &written_key, &written_zip)?;
            diesel::update(subject_access_requests::table.find(id))
                .set((
                    subject_access_requests::export_key.eq(Some(&written_key)),
                    subject_access_requests::export_storage.eq(Some(kind.as_str())),
                    subject_access_requests::export_sha256
                        .eq(Some(crate::documents::model::digest(&written_zip))),
                    subject_access_requests::export_size.eq(Some(written_zip.len() as i64)),
                    subject_access_requests::export_expires_at
                        .eq(Some(now() + Duration::days(model::EXPORT_DAYS))),
                    subject_access_requests::completed_on.eq(Some(today.0)),
                ))
                .execute(conn)?;
            let changes = crate::audit::diff(
                &serde_json::json!({}),
                &serde_json::json!({"exported": written_zip.len(), "completed_on": today.0}),
            );
            crate::audit::record(
                conn,
                &writer.actor(),
                model::ENTITY,
                &id.to_string(),
                crate::audit::Action::Update,
                &changes,
            )?;
            with_candidates(conn, &writer, id, today.0)
        })
        .await;
    let request = match saved {
        Ok(request) => request,
        Err(error) => {
            state.documents.for_new().discard(&key);
            return Err(error);
        }
    };
    for (entity, record) in &built.records {
        state.access.record(
            &user,
            entity,
            [record],
            crate::access::Access::Export,
            Some(&id.to_string()),
        );
    }
    state.documents.purge(&state.db).await;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/subject-access/{id}/export"),
        ))
        .json(request))
}

/// Download a request's export (managers who may see everything it holds):
/// a ZIP, for seven days after it was made (410 after).
#[utoipa::path(
    tag = "data-protection",
    params(("id" = i64, Path, description = "The request.")),
    responses(
        (status = 200, description = "The ZIP.", content((crate::openapi::Binary = "application/zip"))),
        (status = 410, description = "The export was purged seven days after it was made.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/subject-access/{id}/export")]
pub async fn download_export(
    state: web::Data<AppState>,
    user: Authorized<Managers>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (user, id) = (user.0, id.into_inner());
    let documents = state.documents.clone();
    let zip = state
        .db
        .run(move |conn| {
            let row = model::find(conn, id)?.ok_or_else(ApiError::not_found)?;
            // Only for who may see everything it holds.
            for item in row.selection()?.items {
                let directorate = match item.entity.as_str() {
                    "document" => crate::documents::model::find(conn, item.id)?
                        .map(|d| crate::casework::directorate_of(conn, &d.entity, d.record_id))
                        .transpose()?
                        .flatten(),
                    entity => crate::casework::directorate_of(conn, entity, item.id)?,
                };
                if let Some(directorate) = directorate {
                    user.visible(&directorate)?;
                }
            }
            let live = row.export_expires_at.is_some_and(|at| at > now());
            match (
                &row.export_key,
                row.export_storage.as_deref().and_then(StorageKind::parse),
            ) {
                (Some(key), Some(kind)) if live => documents
                    .store(kind)
                    .read(conn, key)?
                    .ok_or_else(|| ApiError::internal("the export's content is missing")),
                _ if row.export_expires_at.is_some() || row.completed_on.is_some() => {
                    Err(ApiError::Gone(
                        "The export was purged seven days after it was made; make another.".into(),
                    ))
                }
                _ => Err(ApiError::not_found()),
            }
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"subject-access-{id}.zip\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(zip))
}

/// Purge the exports past their seven days: their contents are let go (files
/// after the commit, by [`crate::documents::Documents::purge`]).
pub async fn purge_expired(state: &AppState) -> Result<usize, ApiError> {
    let purged = state
        .db
        .write(|conn| {
            let expired: Vec<(i64, Option<String>, Option<String>)> =
                subject_access_requests::table
                    .filter(subject_access_requests::export_expires_at.le(now()))
                    .filter(subject_access_requests::export_key.is_not_null())
                    .select((
                        subject_access_requests::id,
                        subject_access_requests::export_key,
                        subject_access_requests::export_storage,
                    ))
                    .load(conn)?;
            for (id, key, kind) in &expired {
                if let (Some(key), Some(kind)) = (key, kind.as_deref().and_then(StorageKind::parse))
                {
                    storage::forget(conn, kind, key)?;
                }
                diesel::update(subject_access_requests::table.find(id))
                    .set((
                        subject_access_requests::export_key.eq(None::<String>),
                        subject_access_requests::export_storage.eq(None::<String>),
                    ))
                    .execute(conn)?;
            }
            Ok(expired.len())
        })
        .await?;
    state.documents.purge(&state.db).await;
    Ok(purged)
}

/// An open subject access request in the overdue report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectAccessDue {
    /// The request.
    pub id: i64,
    /// When it was received.
    pub received_on: NaiveDate,
    /// When it is due (extended, if it was).
    pub due_on: NaiveDate,
    /// Whether that day has passed.
    pub overdue: bool,
}

/// The open requests due by `horizon`, most overdue first.
pub fn due_by(
    conn: &mut DbConnection,
    as_of: NaiveDate,
    horizon: NaiveDate,
) -> Result<Vec<SubjectAccessDue>, ApiError> {
    let rows: Vec<(i64, NaiveDate, NaiveDate, Option<NaiveDate>)> = subject_access_requests::table
        .filter(subject_access_requests::completed_on.is_null())
        .select((
            subject_access_requests::id,
            subject_access_requests::received_on,
            subject_access_requests::due_on,
            subject_access_requests::extended_due_on,
        ))
        .load(conn)?;
    let mut due: Vec<SubjectAccessDue> = rows
        .into_iter()
        .map(|(id, received_on, due_on, extended)| {
            let due_on = extended.unwrap_or(due_on);
            SubjectAccessDue {
                id,
                received_on,
                due_on,
                overdue: as_of > due_on,
            }
        })
        .filter(|d| d.due_on <= horizon)
        .collect();
    due.sort_by_key(|d| (d.due_on, d.id));
    Ok(due)
}
