//! `/auth/token` (log in) and `/me` (who am I).

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{password, throttle, AuthUser};
use crate::db::now;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::http::json::{RequestBody, ValidJson};
use crate::state::AppState;
use crate::users::api::User;
use crate::users::model;

/// Routes of this module.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_token).service(get_me);
}

/// Credentials to exchange for an access token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Login name.
    #[schema(min_length = 1, max_length = 200, example = "admin")]
    pub username: String,
    /// Password.
    #[schema(min_length = 1, max_length = 256, format = Password)]
    pub password: String,
}

impl RequestBody for TokenRequest {
    fn check(&self, errors: &mut FieldErrors) {
        if self.username.trim().is_empty() || self.username.chars().count() > 200 {
            errors.add("username", "must be 1 to 200 characters");
        }
        if self.password.is_empty() || self.password.chars().count() > password::MAX_LENGTH {
            errors.add("password", "must be 1 to 256 characters");
        }
    }
}

/// An access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Log in: exchange a username and password for an access token.
///
/// Repeated failures for one username are throttled: after five, each further
/// attempt is refused with 429 and `Retry-After` until the wait has passed.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    security(()),
    responses(
        (status = 200, description = "The credentials are right.", body = TokenResponse),
        (status = 401, description = "The username or password is wrong, or the user is deactivated.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; wait `Retry-After` seconds.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
#[post("/auth/token")]
pub async fn create_token(
    state: web::Data<AppState>,
    body: ValidJson<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let TokenRequest { username, password } = body.value;
    let username = username.trim().to_lowercase();
    let lookup_name = username.clone();
    let user = state
        .db
        .run(move |conn| {
            throttle::check(conn, &lookup_name, now())?;
            model::find_by_username(conn, &lookup_name)
        })
        .await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_string());
    let matches = web::block(move || password::verify(&password, &hash)).await?;
    let user = user.filter(|u| matches && u.active);
    let outcome_name = username.clone();
    let succeeded = user.is_some();
    state
        .db
        .write(move |conn| {
            if succeeded {
                throttle::record_success(conn, &outcome_name)
            } else {
                throttle::record_failure(conn, &outcome_name, now())
            }
        })
        .await?;
    let Some(user) = user else {
        tracing::info!(%username, "failed login");
        return Err(ApiError::Unauthorized(
            "The username or password is wrong.".into(),
        ));
    };
    let role = crate::auth::Role::from_db(&user.role)?;
    let token = state
        .tokens
        .issue(user.id, role, &user.directorate_codes()?)?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: state.tokens.ttl_seconds(),
    }))
}

/// The caller's own user record.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "The caller.", body = User))
)]
#[get("/me")]
pub async fn get_me(user: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(&user.profile)
}
