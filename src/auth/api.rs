//! `/auth/token`: log in.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{password, throttle};
use crate::db::now;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::http::client;
use crate::http::json::{RequestBody, ValidJson};
use crate::http::log_safe;
use crate::openapi::Routes;
use crate::state::AppState;
use crate::users::model;
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(create_token).service(get_auth_providers);
}

/// Credentials to exchange for an access token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Login name.
    #[schema(min_length = 1, max_length = 200, example = "admin")]
    pub username: String,
    /// The password, as the user typed it (it travels only over TLS and is
    /// never stored or logged).
    #[schema(min_length = 1, max_length = 256, format = Password)]
    pub password: String,
}

impl RequestBody for TokenRequest {}

impl Validate for TokenRequest {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
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
/// Failed attempts are counted per username and client address, and per
/// client address: after five failures for one username from one address,
/// further attempts from that address wait (429 with `Retry-After`), while
/// the same user may still log in from elsewhere. Password checks run a few
/// at a time; when too many logins arrive at once, the rest get 503 with
/// `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    security(()),
    responses(
        (status = 200, description = "The credentials are right.", body = TokenResponse),
        (status = 401, description = "The username or password is wrong, or the user is deactivated.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts from this address; wait `Retry-After` seconds.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "Too many logins at once; retry after `Retry-After` seconds.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
#[post("/auth/token")]
pub async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let TokenRequest { username, password } = body.value;
    let username = username.trim().to_lowercase();
    let address = client::address(&req, &state.config.trusted_proxies);
    let (name, from) = (username.clone(), address.clone());
    state
        .db
        .write(move |conn| throttle::begin(conn, &name, &from, now()))
        .await?;
    let name = username.clone();
    let user = state
        .db
        .run(move |conn| model::find_by_username(conn, &name))
        .await?;
    // A user of the identity provider has no password: verify the decoy,
    // so the answer takes as long as for anyone else.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .filter(|hash| hash != crate::users::external::NO_PASSWORD);
    let matches = state.hashing.verify(password, hash).await?;
    let Some(user) = user.filter(|u| matches && u.active) else {
        tracing::info!(username = %log_safe(&username), address = %address, "failed login");
        return Err(ApiError::Unauthorized(
            "The username or password is wrong.".into(),
        ));
    };
    let (name, from) = (username, address);
    state
        .db
        .write(move |conn| throttle::succeeded(conn, &name, &from))
        .await?;
    let role = crate::auth::Role::from_db(&user.role)?;
    let token = state.tokens.issue(
        user.id,
        role,
        &user.directorate_codes()?,
        user.token_version,
    )?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: state.tokens.ttl_seconds(),
    }))
}

/// How a client may sign in besides a password.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthProviders {
    /// The council's identity provider, whose access tokens the API accepts
    /// as bearer tokens; null when none is configured.
    pub oidc: Option<OidcProvider>,
}

/// The council's identity provider (OpenID Connect), as a client needs it to
/// ask for a token the API accepts.
#[derive(Debug, Serialize, ToSchema)]
pub struct OidcProvider {
    /// The provider's issuer: its discovery document is at
    /// `{issuer}/.well-known/openid-configuration`.
    #[schema(
        example = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
    )]
    pub issuer: String,
    /// The audience tokens must be issued for (the API's client id).
    #[schema(example = "api://redress")]
    pub audience: String,
}

/// How to sign in: the identity provider whose tokens the API accepts, if
/// any. Public, so a sign-in page can find it.
#[utoipa::path(
    tag = "auth",
    security(()),
    responses((status = 200, description = "The sign-in providers.", body = AuthProviders))
)]
#[get("/auth/providers")]
pub async fn get_auth_providers(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(AuthProviders {
        oidc: state.config.oidc.as_ref().map(|oidc| OidcProvider {
            issuer: oidc.issuer.clone(),
            audience: oidc.audience.clone(),
        }),
    })
}
