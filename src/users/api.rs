//! `/users`: user accounts, for admins.

use actix_web::{delete, get, patch, post, web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::{self, HistoryPage};
use crate::auth::{password, AdminOnly, AuthUser, Authorized};
use crate::calendar::Today;
use crate::error::{ApiError, FieldErrors};
use crate::http::etag::{etag, IfMatch};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::{apply_patch, PatchBody, PatchJson, RequestBody, ValidJson};
use crate::http::list::ListParams;
use crate::openapi::Routes;
use crate::page_type;
use crate::state::AppState;
use crate::users::model::{self, UserData, UserFilter, UserRow};
use crate::users::Role;
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(get_me)
        .service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(delete_user)
        .service(get_user_history);
}

/// A user of Redress. Passwords are never returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    /// Its id (the `sub` of its tokens).
    pub id: i64,
    /// The login name: lower case, unique.
    #[schema(example = "j.smith")]
    pub username: String,
    /// Name shown to people.
    #[schema(example = "Jo Smith")]
    pub display_name: String,
    /// What the user may do (see the table of roles in the API description).
    pub role: Role,
    /// Codes of the directorates the user works in (admins see all anyway).
    #[schema(example = json!(["adults"]))]
    pub directorates: Vec<String>,
    /// Whether the user may log in.
    pub active: bool,
    /// Version, incremented on every change; the `ETag`.
    pub version: i64,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user last changed.
    pub updated_at: DateTime<Utc>,
    /// The council's identity provider (its issuer) the user signs in
    /// with, who was provisioned on first sign-in and whose role follows the
    /// provider's `OIDC_ROLE_MAP`; null for a user who logs in with a
    /// Redress password.
    pub identity_provider: Option<String>,
}

impl TryFrom<UserRow> for User {
    type Error = ApiError;
    fn try_from(row: UserRow) -> Result<User, ApiError> {
        Ok(User {
            role: Role::from_db(&row.role)?,
            directorates: row.directorate_codes()?,
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            active: row.active,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            identity_provider: row.identity_issuer,
        })
    }
}

page_type!(
    /// A page of users.
    UserPage, User
);

const USERNAME_PATTERN: &str = "^[a-z0-9][a-z0-9._@-]{2,63}$";

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login name: 3 to 64 lower-case letters, digits, `.`, `_`, `@` or `-`.
    #[schema(pattern = "^[a-z0-9][a-z0-9._@-]{2,63}$", example = "j.smith")]
    pub username: String,
    /// Name shown to people (defaults to the username).
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub display_name: Option<String>,
    /// What the user may do (see the table of roles in the API description).
    pub role: Role,
    /// Directorate codes; at least one unless the role is `admin`.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub directorates: Vec<String>,
    /// Password: 12 to 256 characters, not one of the commonly used ones.
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: String,
    /// Whether the user may log in (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl RequestBody for NewUser {
    const READ_ONLY: &'static [&'static str] = &["id", "version", "created_at", "updated_at"];
}

impl Validate for NewUser {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
        check_fields(
            &self.username,
            self.display_name.as_deref(),
            self.role,
            &self.directorates,
            errors,
        );
        if let Some(problem) = password::problem_with(&self.password) {
            errors.add("password", problem);
        }
    }
}

/// The writable fields of a user, as a merge patch is applied to them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// Login name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// What the user may do (see the table of roles in the API description).
    pub role: Role,
    /// Directorate codes.
    #[schema(max_items = 100)]
    pub directorates: Vec<String>,
    /// Whether the user may log in.
    pub active: bool,
}

impl RequestBody for UserUpdate {}

impl Validate for UserUpdate {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
        check_fields(
            &self.username,
            Some(&self.display_name),
            self.role,
            &self.directorates,
            errors,
        );
    }
}

/// Changes to a user (JSON merge patch: absent fields stay as they are).
#[derive(Debug, ToSchema)]
pub struct UserPatch {
    /// Login name.
    #[schema(pattern = "^[a-z0-9][a-z0-9._@-]{2,63}$")]
    pub username: Option<String>,
    /// Name shown to people.
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub display_name: Option<String>,
    /// A new role; the user's earlier tokens stop working.
    pub role: Option<Role>,
    /// Directorate codes (replaces the list).
    pub directorates: Option<Vec<String>>,
    /// Whether the user may log in; deactivation revokes their tokens at once.
    pub active: Option<bool>,
    /// A new password.
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: Option<String>,
}

impl PatchBody for UserPatch {
    const READ_ONLY: &'static [&'static str] = &["id", "version", "created_at", "updated_at"];
}

fn check_fields(
    username: &str,
    display_name: Option<&str>,
    role: Role,
    directorates: &[String],
    errors: &mut FieldErrors,
) {
    let valid_username = (3..=64).contains(&username.len())
        && username.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._@-".contains(c));
    if !valid_username {
        errors.add(
            "username",
            format!("must match {USERNAME_PATTERN}: 3 to 64 lower-case letters, digits, `.`, `_`, `@` or `-`"),
        );
    }
    if let Some(name) = display_name {
        if name.trim().is_empty() || name.chars().count() > 200 {
            errors.add(
                "display_name",
                "must be 1 to 200 characters, not all spaces",
            );
        }
    }
    if role != Role::Admin && directorates.is_empty() {
        errors.add(
            "directorates",
            "must name at least one directorate for this role",
        );
    }
    if directorates.len() > 100 {
        errors.add("directorates", "must name at most 100 directorates");
    }
}

fn user_data(
    username: String,
    display_name: String,
    role: Role,
    mut directorates: Vec<String>,
    active: bool,
) -> UserData {
    directorates.sort();
    directorates.dedup();
    UserData {
        username,
        display_name,
        role,
        directorates,
        active,
    }
}

fn respond(row: UserRow) -> Result<HttpResponse, ApiError> {
    let user = User::try_from(row)?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(user.version)))
        .json(user))
}

/// The caller's own user record.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "The caller.", body = User))
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // The extractor left the row it loaded; read it again only if it did not.
    let row = req.extensions_mut().remove::<UserRow>();
    let row = match row {
        Some(row) => row,
        None => state.db.run(move |conn| model::find(conn, user.id)).await?,
    };
    Ok(HttpResponse::Ok().json(User::try_from(row)?))
}

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only active (`true`) or deactivated (`false`) users.
    pub active: Option<bool>,
    /// Only users working in this directorate.
    pub directorate: Option<String>,
    /// Text to find in the username or display name (case-insensitive).
    pub q: Option<String>,
}

/// List users.
#[utoipa::path(
    tag = "users",
    params(ListParams, UserListParams),
    responses((status = 200, description = "A page of users.", body = UserPage))
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    page: crate::http::query::Query<ListParams>,
    filter: crate::http::query::Query<UserListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(model::SORTABLE)?;
    let filter = filter.into_inner();
    let filter = UserFilter {
        role: filter.role,
        active: filter.active,
        directorate: filter.directorate,
        q: filter.q.filter(|q| !q.is_empty()),
    };
    let (limit, offset) = (paging.limit, paging.offset);
    let (rows, total) = state
        .db
        .run(move |conn| model::list(conn, &filter, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(UserPage {
        items: rows
            .into_iter()
            .map(User::try_from)
            .collect::<Result<_, _>>()?,
        total,
        limit,
        offset,
    }))
}

/// Create a user.
#[utoipa::path(
    tag = "users",
    request_body = NewUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a repeat with the same key and body returns the first response.")),
    responses(
        (status = 201, description = "The user was created.", body = User,
            headers(("Location" = String, description = "The new user's URL."), ("ETag" = String, description = "The version."))),
        (status = 409, description = "The username is taken.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    req: HttpRequest,
    key: IdempotencyKey,
    body: ValidJson<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let request = idempotency::Request::new(&key, admin.id, &req, &body.fingerprint);
    let input = body.value;
    let hash = state.hashing.hash(input.password.clone()).await?;
    let data = user_data(
        input.username.clone(),
        input
            .display_name
            .clone()
            .unwrap_or_else(|| input.username.clone()),
        input.role,
        input.directorates,
        input.active,
    );
    let actor = admin.actor();
    let created = |row: UserRow| {
        let user = User::try_from(row)?;
        Created::new(
            model::ENTITY,
            user.id,
            format!("/api/v1/users/{}", user.id),
            Some(user.version),
            &user,
        )
    };
    idempotency::create(
        &state.db,
        request,
        move |conn| created(model::create(conn, &actor, &data, &hash)?),
        move |conn, id| created(model::find(conn, id.parse().map_err(ApiError::internal)?)?),
    )
    .await
}

/// Get a user.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id.")),
    responses((status = 200, description = "The user.", body = User,
        headers(("ETag" = String, description = "The version."))))
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    respond(state.db.run(move |conn| model::find(conn, id)).await?)
}

/// Change a user (JSON merge patch). Honour `If-Match` to avoid overwriting
/// someone else's change. Deactivating a user revokes their tokens at once.
#[utoipa::path(
    tag = "users",
    request_body = UserPatch,
    params(("id" = i64, Path, description = "User id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the user has changed since.")),
    responses(
        (status = 200, description = "The changed user.", body = User, headers(("ETag" = String, description = "The new version."))),
        (status = 409, description = "The username is taken, or the change would leave no active admin.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The user changed since the `If-Match` version.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: PatchJson<UserPatch>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut patch = body.patch;
    let new_hash = match patch.remove("password") {
        None => None,
        Some(serde_json::Value::String(password)) => {
            if let Some(problem) = password::problem_with(&password) {
                return Err(ApiError::field("password", problem));
            }
            Some(state.hashing.hash(password).await?)
        }
        Some(_) => return Err(ApiError::field("password", "must be a string")),
    };
    let actor = admin.actor();
    let row = state
        .db
        .write(move |conn| {
            model::update(conn, &actor, id, &if_match, new_hash, |current| {
                let current = UserUpdate {
                    username: current.username.clone(),
                    display_name: current.display_name.clone(),
                    role: current.role,
                    directorates: current.directorates.clone(),
                    active: current.active,
                };
                let next = apply_patch(&current, &patch, today)?;
                Ok(user_data(
                    next.username,
                    next.display_name,
                    next.role,
                    next.directorates,
                    next.active,
                ))
            })
        })
        .await;
    // Refused at once on this instance if deactivated or its role,
    // directorates or password changed; within a second on others.
    state.users.forget_all();
    respond(row?)
}

/// Delete a user. Their entries in audit histories remain.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the user has changed since.")),
    responses(
        (status = 204, description = "The user was deleted."),
        (status = 409, description = "You cannot delete yourself or the last active admin.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The user changed since the `If-Match` version.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = admin.actor();
    let deleted = state
        .db
        .write(move |conn| model::delete(conn, &actor, id, &if_match))
        .await;
    state.users.forget_all();
    deleted?;
    Ok(HttpResponse::NoContent().finish())
}

/// The audit history of a user: who created and changed it, and how.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id."), ListParams),
    responses((status = 200, description = "The user's history, oldest first.", body = HistoryPage))
)]
#[get("/users/{id}/history")]
pub async fn get_user_history(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let paging = page.paging(&[])?;
    let history = state
        .db
        .run(move |conn| audit::history(conn, model::ENTITY, &id, &paging, &[]))
        .await?;
    if history.total == 0 {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::Ok().json(history))
}
