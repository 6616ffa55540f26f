//! `/directorates`: the council's departments that records belong to.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{AdminOnly, AuthUser, Authorized};
use crate::directorates::model::{self, DirectorateRow};
use crate::error::{ApiError, FieldErrors};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::{RequestBody, ValidJson};
use crate::http::list::ListParams;
use crate::openapi::Routes;
use crate::page_type;
use crate::state::AppState;
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_directorates)
        .service(create_directorate)
        .service(get_directorate);
}

/// A directorate.
#[derive(Debug, Serialize, ToSchema)]
pub struct Directorate {
    /// Short code used in records and filters.
    #[schema(example = "adults")]
    pub code: String,
    /// Full name.
    #[schema(example = "Adults, Health and Commissioning")]
    pub name: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<DirectorateRow> for Directorate {
    fn from(row: DirectorateRow) -> Self {
        Directorate {
            code: row.code,
            name: row.name,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

page_type!(
    /// A page of directorates.
    DirectoratePage, Directorate
);

/// A new directorate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDirectorate {
    /// Short code: 2 to 32 lower-case letters, digits or `_`, starting with a letter.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,31}$", example = "public_health")]
    pub code: String,
    /// Full name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "\\S",
        example = "Public Health"
    )]
    pub name: String,
}

impl RequestBody for NewDirectorate {
    const READ_ONLY: &'static [&'static str] = &["created_at", "updated_at"];
}

impl Validate for NewDirectorate {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
        let code_ok = (2..=32).contains(&self.code.len())
            && self.code.starts_with(|c: char| c.is_ascii_lowercase())
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            errors.add(
                "code",
                "must be 2 to 32 lower-case letters, digits or `_`, starting with a letter",
            );
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            errors.add("name", "must be 1 to 200 characters, not all spaces");
        }
    }
}

/// List directorates (everyone may read them).
#[utoipa::path(
    tag = "directorates",
    params(ListParams),
    responses((status = 200, description = "A page of directorates.", body = DirectoratePage))
)]
#[get("/directorates")]
pub async fn list_directorates(
    state: web::Data<AppState>,
    _user: AuthUser,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(model::SORTABLE)?;
    let (limit, offset) = (paging.limit, paging.offset);
    let (rows, total) = state.db.run(move |conn| model::list(conn, &paging)).await?;
    Ok(HttpResponse::Ok().json(DirectoratePage {
        items: rows.into_iter().map(Directorate::from).collect(),
        total,
        limit,
        offset,
    }))
}

/// Add a directorate (admins).
#[utoipa::path(
    tag = "directorates",
    request_body = NewDirectorate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a repeat with the same key and body returns the first response.")),
    responses(
        (status = 201, description = "The directorate was added.", body = Directorate,
            headers(("Location" = String, description = "The new directorate's URL."))),
        (status = 409, description = "The code is taken.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/directorates")]
pub async fn create_directorate(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    req: HttpRequest,
    key: IdempotencyKey,
    body: ValidJson<NewDirectorate>,
) -> Result<HttpResponse, ApiError> {
    let request = idempotency::Request::new(&key, admin.id, &req, &body.fingerprint);
    let input = body.value;
    let actor = admin.actor();
    let created = |directorate: Directorate| {
        Created::new(
            model::ENTITY,
            &directorate.code,
            format!("/api/v1/directorates/{}", directorate.code),
            None,
            &directorate,
        )
    };
    idempotency::create(
        &state.db,
        request,
        move |conn| {
            created(Directorate::from(model::create(
                conn,
                &actor,
                &input.code,
                &input.name,
            )?))
        },
        move |conn, code| created(Directorate::from(model::find(conn, code)?)),
    )
    .await
}

/// Get a directorate.
#[utoipa::path(
    tag = "directorates",
    params(("code" = String, Path, description = "Directorate code.")),
    responses((status = 200, description = "The directorate.", body = Directorate))
)]
#[get("/directorates/{code}")]
pub async fn get_directorate(
    state: web::Data<AppState>,
    _user: AuthUser,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let row = state.db.run(move |conn| model::find(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(Directorate::from(row)))
}
