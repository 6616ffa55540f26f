//! `Idempotency-Key` on creating POSTs.
//!
//! The first request's outcome is stored with the key, in the same
//! transaction as the resource it created: only its status and which
//! resource it made, never the response body (which would keep a copy of the
//! personal data beyond the record's redaction or deletion). A repeat with
//! the same body is answered by rebuilding the response from the resource as
//! it is now, through today's access checks: a caller who has lost access,
//! or a resource since deleted, gets the same 404 a `GET` would. The same key
//! with another body is a 422. Keys expire after [`RETENTION_HOURS`].
//!
//! Concurrent requests with one key are safe on both backends: on SQLite the
//! write transactions run one at a time; on PostgreSQL the second insert of
//! the key waits for the first transaction, fails on the primary key once it
//! commits, and the request is retried, finding the stored outcome.

use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderName};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::idempotency_keys;
use crate::db::{now, Db, DbConnection};
use crate::error::ApiError;
use crate::http::etag::etag;

const HEADER: HeaderName = HeaderName::from_static("idempotency-key");

/// How long a key is remembered: a repeat after this runs as a new request.
pub const RETENTION_HOURS: i64 = 24;

use crate::records::erasure::ERASED_FINGERPRINT as ERASED;

const IN_PROGRESS: &str =
    "A request with the same Idempotency-Key is still being processed; retry shortly.";

/// The client's `Idempotency-Key` header, if it sent one.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.headers().get(HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(value) => match value.to_str() {
                Ok(key)
                    if !key.is_empty()
                        && key.len() <= 255
                        && key.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    Ok(IdempotencyKey(Some(key.to_string())))
                }
                _ => Err(ApiError::field(
                    "Idempotency-Key",
                    "must be 1 to 255 visible ASCII characters",
                )),
            },
        })
    }
}

/// A created resource as it is sent, and replayed.
#[derive(Debug, Clone)]
pub struct Created {
    /// The kind of resource (its audit-log entity name), so that erasing
    /// the resource can find the keys that name it.
    pub resource_type: &'static str,
    /// The resource's key within its kind (its id, code or date).
    pub key: String,
    /// The new resource's URL.
    pub location: String,
    /// Its `ETag`, when it is versioned.
    pub etag: Option<String>,
    /// The JSON body.
    pub body: String,
}

impl Created {
    /// The answer for the resource `key` of `resource_type` at `location`
    /// with `version`.
    pub fn new<T: Serialize>(
        resource_type: &'static str,
        key: impl ToString,
        location: String,
        version: Option<i64>,
        resource: &T,
    ) -> Result<Self, ApiError> {
        Ok(Created {
            resource_type,
            key: key.to_string(),
            location,
            etag: version.map(etag),
            body: serde_json::to_string(resource)?,
        })
    }

    fn respond(self, replayed: bool) -> HttpResponse {
        let mut response = HttpResponse::build(StatusCode::CREATED);
        response
            .content_type("application/json")
            .insert_header((header::LOCATION, self.location));
        if let Some(tag) = self.etag {
            response.insert_header((header::ETAG, tag));
        }
        if replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.body(self.body)
    }
}

/// What identifies one idempotent request: who sent it where, the key, and
/// the body's fingerprint.
#[derive(Debug, Clone)]
pub struct Request {
    scope: String,
    key: String,
    fingerprint: String,
}

impl Request {
    /// The idempotency identity of a request, or `None` without a key.
    pub fn new(
        key: &IdempotencyKey,
        user_id: i64,
        req: &HttpRequest,
        fingerprint: &str,
    ) -> Option<Request> {
        key.0.as_ref().map(|key| Request {
            scope: format!("{user_id} {} {}", req.method(), req.path()),
            key: key.clone(),
            fingerprint: fingerprint.to_string(),
        })
    }
}

/// Run `work` (which creates a resource inside the write transaction it is
/// given) under the idempotency key, if any, and answer 201. A repeat of a
/// request already answered is rebuilt by `show` (which reads the resource
/// by its key and applies the caller's access checks, as a `GET` would).
pub async fn create<F, S>(
    db: &Db,
    request: Option<Request>,
    work: F,
    show: S,
) -> Result<HttpResponse, ApiError>
where
    F: Fn(&mut DbConnection) -> Result<Created, ApiError> + Send + Sync + 'static,
    S: Fn(&mut DbConnection, &str) -> Result<Created, ApiError> + Send + Sync + 'static,
{
    let (work, show) = (Arc::new(work), Arc::new(show));
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (work, show) = (work.clone(), show.clone());
        let request = request.clone();
        let result = db
            .write(move |conn| {
                if let Some(request) = &request {
                    if let Some(key) = lookup(conn, request)? {
                        return Ok((show(conn, &key)?, true));
                    }
                    reserve(conn, request)?;
                }
                let created = work(conn)?;
                if let Some(request) = &request {
                    complete(conn, request, &created)?;
                }
                Ok((created, false))
            })
            .await;
        match result {
            Err(ApiError::Conflict(message)) if message == IN_PROGRESS && attempts < 3 => continue,
            Err(error) => return Err(error),
            Ok((created, replayed)) => return Ok(created.respond(replayed)),
        }
    }
}

/// The key of the resource a finished request with this key created; 422
/// when the key was used with another body; 409 while the first request is
/// still running. An expired key is forgotten.
fn lookup(conn: &mut DbConnection, request: &Request) -> Result<Option<String>, ApiError> {
    let stored = idempotency_keys::table
        .find((&request.scope, &request.key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::resource_key,
            idempotency_keys::created_at,
        ))
        .get_result::<(String, i32, Option<String>, NaiveDateTime)>(conn)
        .optional()?;
    let Some((hash, status, resource_key, created_at)) = stored else {
        return Ok(None);
    };
    if created_at < now() - Duration::hours(RETENTION_HOURS) {
        diesel::delete(idempotency_keys::table.find((&request.scope, &request.key)))
            .execute(conn)?;
        return Ok(None);
    }
    if hash != request.fingerprint && hash != ERASED {
        return Err(ApiError::field(
            "Idempotency-Key",
            "was already used with a different request body",
        ));
    }
    match (status, resource_key) {
        (0, _) => Err(ApiError::Conflict(IN_PROGRESS.into())),
        (_, Some(key)) => Ok(Some(key)),
        (_, None) => Err(ApiError::internal("idempotency key without its resource")),
    }
}

fn reserve(conn: &mut DbConnection, request: &Request) -> Result<(), ApiError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(&request.scope),
            idempotency_keys::idem_key.eq(&request.key),
            idempotency_keys::request_hash.eq(&request.fingerprint),
            idempotency_keys::status.eq(0),
            idempotency_keys::created_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|error| match error {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => ApiError::Conflict(IN_PROGRESS.into()),
            other => other.into(),
        })?;
    Ok(())
}

fn complete(conn: &mut DbConnection, request: &Request, created: &Created) -> Result<(), ApiError> {
    diesel::update(idempotency_keys::table.find((&request.scope, &request.key)))
        .set((
            idempotency_keys::status.eq(i32::from(StatusCode::CREATED.as_u16())),
            idempotency_keys::resource_type.eq(created.resource_type),
            idempotency_keys::resource_key.eq(&created.key),
        ))
        .execute(conn)?;
    Ok(())
}

/// Delete keys older than the retention period; returns how many went.
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
    let cutoff = now - Duration::hours(RETENTION_HOURS);
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
            .execute(conn)?,
    )
}
