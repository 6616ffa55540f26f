//! The HTTP endpoints every kind of record has: list, create, get, update,
//! delete, history, redact and erase. A kind of record implements
//! [`RecordApi`] (its response view, list filters and words for the docs)
//! and declares its endpoints with [`crate::record_endpoints!`]; the bodies
//! of the handlers are the generic functions here.

use std::future::Future;
use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::access::Access;
use crate::audit::{self, Action};
use crate::auth::AuthUser;
use crate::calendar::Today;
use crate::db::page::{Paging, SortField};
use crate::db::precondition::Precondition;
use crate::error::ApiError;
use crate::http::etag::etag;
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::{apply_patch, RequestBody, ValidJson};
use crate::http::list::ListParams;
use crate::records::{store, Record, Scope};
use crate::state::AppState;

/// What the service keeps about every record, as its responses show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordMeta {
    /// Its id.
    pub id: i64,
    /// Incremented on every change; the `ETag`.
    pub version: i64,
    /// When it was recorded (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// The username of whoever recorded it.
    pub created_by: String,
}

impl RecordMeta {
    /// The meta of a row: its id, version, stamps and author.
    pub fn new(
        id: i64,
        version: i64,
        created: NaiveDateTime,
        updated: NaiveDateTime,
        created_by: &str,
    ) -> RecordMeta {
        RecordMeta {
            id,
            version,
            created_at: created.and_utc(),
            updated_at: updated.and_utc(),
            created_by: created_by.to_string(),
        }
    }
}

/// The [`RecordMeta`] of a row with the fields `id`, `version`,
/// `created_at`, `updated_at` and `created_by`.
#[macro_export]
macro_rules! record_meta {
    ($row:expr) => {
        $crate::records::api::RecordMeta::new(
            $row.id,
            $row.version,
            $row.created_at,
            $row.updated_at,
            &$row.created_by,
        )
    };
}

/// How the API names a kind of record, and where its collection is.
#[derive(Debug, Clone, Copy)]
pub struct Noun {
    /// With its article: "a feedback record".
    pub a: &'static str,
    /// Plural: "feedback records".
    pub plural: &'static str,
    /// The collection's path: `/api/v1/feedback`.
    pub collection: &'static str,
}

impl Noun {
    /// `a` ("a feedback record") and its `plural`, at `collection`.
    pub const fn new(a: &'static str, plural: &'static str, collection: &'static str) -> Noun {
        Noun {
            a,
            plural,
            collection,
        }
    }
}

/// A kind of record as the API serves it.
pub trait RecordApi: Record<Input: RequestBody> {
    /// What a client receives: the writable fields plus computed ones.
    type View: Serialize + Send + 'static;
    /// The list's filters, from the query string.
    type Filters: Send + 'static;

    /// How the docs name it.
    const NOUN: Noun;
    /// What the docs of its creation and change add for this kind.
    const NOTE: &'static str = "";
    /// The fields the list sorts by.
    const SORTABLE: &'static [SortField];
    /// Fields an analyst may not see, in the record and its history.
    const PERSONAL: &'static [&'static str] = &[];

    /// What this request's writes and views need (e.g. the calendar).
    fn context(
        state: &AppState,
        today: Today,
    ) -> impl Future<Output = Result<Self::Context, ApiError>>;

    /// The record as `user` may see it on `today`.
    fn view(
        &self,
        context: &Self::Context,
        today: Today,
        user: &AuthUser,
    ) -> Result<Self::View, ApiError>;

    /// A page of the records matching `filters` in `scope`, and how many
    /// match in all.
    fn list(
        conn: &mut crate::db::DbConnection,
        filters: &Self::Filters,
        scope: &Scope,
        paging: &Paging,
        today: Today,
        user: &AuthUser,
    ) -> Result<(Vec<Self>, i64), ApiError>;

    /// Checks of a body that need the context but not the database (422);
    /// `current` is the record a change applies to (`None` on creation).
    fn check_body(
        _input: &Self::Input,
        _context: &Self::Context,
        _current: Option<&Self>,
    ) -> Result<(), ApiError> {
        Ok(())
    }
}

/// The record's URL.
pub fn location<R: RecordApi>(id: i64) -> String {
    format!("{}/{id}", R::NOUN.collection)
}

fn scope_of(user: &AuthUser) -> Scope {
    user.scope().map(<[String]>::to_vec)
}

/// A record's view with its `ETag`.
pub fn respond<R: RecordApi>(status: StatusCode, record: &R, view: &R::View) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(record.version())))
        .json(view)
}

/// A page of the records `user` may see.
pub async fn list<R: RecordApi>(
    state: &AppState,
    user: AuthUser,
    page: &ListParams,
    filters: R::Filters,
    today: Today,
) -> Result<(Vec<R::View>, i64, Paging), ApiError> {
    let paging = page.paging(R::SORTABLE)?;
    let context = R::context(state, today).await?;
    let query = paging.clone();
    let (records, total, user) = state
        .db
        .run(move |conn| {
            let (records, total) = R::list(conn, &filters, &scope_of(&user), &query, today, &user)?;
            Ok((records, total, user))
        })
        .await?;
    let items = records
        .iter()
        .map(|r| r.view(&context, today, &user))
        .collect::<Result<_, _>>()?;
    if reads_personal_data::<R>(&user) {
        let ids = records.iter().map(Record::id);
        state
            .access
            .record(&user, R::ENTITY, ids, Access::List, None);
    }
    Ok((items, total, paging))
}

/// Whether `user` reads personal data in records of kind `R` (and so is
/// logged in the access log): anyone but an analyst, where `R` has any.
fn reads_personal_data<R: RecordApi>(user: &AuthUser) -> bool {
    !R::PERSONAL.is_empty() && user.sees_personal_data()
}

fn created<R: RecordApi>(
    record: &R,
    context: &R::Context,
    today: Today,
    user: &AuthUser,
) -> Result<Created, ApiError> {
    let view = record.view(context, today, user)?;
    Created::new(
        R::ENTITY,
        record.id(),
        location::<R>(record.id()),
        Some(record.version()),
        &view,
    )
}

/// Create a record (201), or replay a repeat with the same
/// `Idempotency-Key` from the record as it is now.
pub async fn create<R: RecordApi>(
    state: &AppState,
    user: AuthUser,
    req: &HttpRequest,
    key: &IdempotencyKey,
    body: ValidJson<R::Input>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let request = idempotency::Request::new(key, user.id, req, &body.fingerprint);
    let context = R::context(state, today).await?;
    let input = body.value;
    R::check_body(&input, &context, None)?;
    let user = Arc::new(user);
    let (reader, replay_context) = (user.clone(), context.clone());
    idempotency::create(
        &state.db,
        request,
        move |conn| {
            let record = store::create::<R>(conn, &user, &input, &context, Action::Create)?;
            created(&record, &context, today, &user)
        },
        move |conn, id| {
            let id = id.parse().map_err(ApiError::internal)?;
            let record = store::find_visible::<R>(conn, &scope_of(&reader), id)?;
            created(&record, &replay_context, today, &reader)
        },
    )
    .await
}

/// One record, with its `ETag`.
pub async fn get<R: RecordApi>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let context = R::context(state, today).await?;
    let scope = scope_of(&user);
    let record = state
        .db
        .read(move |conn| store::find_visible::<R>(conn, &scope, id))
        .await?;
    if reads_personal_data::<R>(&user) {
        state
            .access
            .record(&user, R::ENTITY, [id], Access::Read, None);
    }
    Ok(respond(
        StatusCode::OK,
        &record,
        &record.view(&context, today, &user)?,
    ))
}

/// Apply a merge patch to a record, under `If-Match`.
pub async fn update<R: RecordApi>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    precondition: Precondition,
    patch: Map<String, Value>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let context = R::context(state, today).await?;
    let (record, view) = state
        .db
        .write(move |conn| {
            let current = store::lock::<R>(conn, &user, id, &precondition)?;
            let after = apply_patch(&current.input(), &patch, today)?;
            R::check_body(&after, &context, Some(&current))?;
            let saved = store::update(conn, &user, &current, &after, &context)?;
            let view = saved.view(&context, today, &user)?;
            Ok((saved, view))
        })
        .await?;
    Ok(respond(StatusCode::OK, &record, &view))
}

/// Delete a record (204); its history stays.
pub async fn delete<R: RecordApi>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    precondition: Precondition,
) -> Result<HttpResponse, ApiError> {
    state
        .db
        .write(move |conn| {
            let current = store::lock::<R>(conn, &user, id, &precondition)?;
            store::delete(conn, &user, &current)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A record's history, oldest first; an analyst's without personal data.
pub async fn history<R: RecordApi>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    page: &ListParams,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(&[])?;
    let hidden: &'static [&'static str] = if user.sees_personal_data() {
        &[]
    } else {
        R::PERSONAL
    };
    let scope = scope_of(&user);
    let history = state
        .db
        .run(move |conn| {
            store::find_visible::<R>(conn, &scope, id)?;
            audit::history(conn, R::ENTITY, &id.to_string(), &paging, hidden)
        })
        .await?;
    if reads_personal_data::<R>(&user) {
        state
            .access
            .record(&user, R::ENTITY, [id], Access::History, None);
    }
    Ok(HttpResponse::Ok().json(history))
}

/// Redact a record (200 with it), or a deleted record's history (204).
pub async fn redact<R: RecordApi>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let context = R::context(state, today).await?;
    let redacted = state
        .db
        .write(move |conn| {
            let Some(record) = store::redact_any::<R>(conn, &user, id, &context)? else {
                return Ok(None);
            };
            let view = record.view(&context, today, &user)?;
            Ok(Some((record, view)))
        })
        .await?;
    state.db.scrub_after_erasure().await;
    state.documents.purge(&state.db).await;
    Ok(match redacted {
        Some((record, view)) => respond(StatusCode::OK, &record, &view),
        None => HttpResponse::NoContent().finish(),
    })
}

/// Erase a record: redact it and everything attached, then delete it or
/// keep it anonymised (200, saying what was erased).
pub async fn erase<R: RecordApi>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    precondition: Precondition,
    today: Today,
    request: crate::records::erasure::ErasureRequest,
) -> Result<HttpResponse, ApiError> {
    let context = R::context(state, today).await?;
    let erasure = state
        .db
        .write(move |conn| store::erase::<R>(conn, &user, id, &precondition, &context, &request))
        .await?;
    state.db.scrub_after_erasure().await;
    state.documents.purge(&state.db).await;
    Ok(HttpResponse::Ok().json(erasure))
}

/// The state of a request (for the generated handlers).
pub type State = web::Data<AppState>;
