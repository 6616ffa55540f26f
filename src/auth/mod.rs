//! Authentication and authorisation: tokens, passwords, login throttling, the
//! `AuthUser` extractor, role policies and directorate checks.
//!
//! Every role check is a typed extractor ([`Authorized`] with a [`Policy`]);
//! every directorate check is a method of [`AuthUser`], called in the handler.

pub mod api;
pub mod hashing;
pub mod oidc;
pub mod password;
pub mod throttle;
pub mod token;
pub mod users_cache;

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::audit::Actor;
use crate::error::ApiError;
use crate::http::middleware::RequestId;
use crate::state::AppState;
use crate::users::model::UserRow;

pub use crate::users::Role;

/// The authenticated caller, as the database says it is now (so a role change
/// or deactivation takes effect at once, whatever the token says): who they
/// are and what they may see, nothing more. The user's whole row is left in
/// the request's extensions for `GET /me`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// User id (the token's `sub`).
    pub id: i64,
    /// Login name (the audit log records it).
    pub username: String,
    /// Current role.
    pub role: Role,
    /// Directorates the user works in (ignored for admins, who see all).
    pub directorates: Vec<String>,
    /// The request's id, for the audit log.
    pub request_id: Option<String>,
    /// The client's address (behind a trusted proxy, the address it
    /// forwarded), for the access log.
    pub address: Option<String>,
}

impl AuthUser {
    /// Whether the user sees records of `directorate`.
    pub fn can_access(&self, directorate: &str) -> bool {
        self.role == Role::Admin || self.directorates.iter().any(|d| d == directorate)
    }

    /// For a record addressed by id: 404 when it is in a directorate the user
    /// may not see, so that ids are not confirmed.
    pub fn visible(&self, directorate: &str) -> Result<(), ApiError> {
        if self.can_access(directorate) {
            Ok(())
        } else {
            Err(ApiError::not_found())
        }
    }

    /// For a record being written into `directorate`: 403 when the user does
    /// not work there.
    pub fn may_write_in(&self, directorate: &str) -> Result<(), ApiError> {
        if self.can_access(directorate) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "You do not work in the directorate `{directorate}`."
            )))
        }
    }

    /// The directorates a list must be limited to: `None` for admins (all).
    pub fn scope(&self) -> Option<&[String]> {
        (self.role != Role::Admin).then_some(self.directorates.as_slice())
    }

    /// Whether responses to this user may carry personal data.
    pub fn sees_personal_data(&self) -> bool {
        self.role != Role::Analyst
    }

    /// The user as an actor in the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.id),
            username: self.username.clone(),
            request_id: self.request_id.clone(),
        }
    }

    fn from_row(
        row: &UserRow,
        request_id: Option<String>,
        address: Option<String>,
    ) -> Result<AuthUser, ApiError> {
        Ok(AuthUser {
            id: row.id,
            username: row.username.clone(),
            role: Role::from_db(&row.role)?,
            directorates: row.directorate_codes()?,
            request_id,
            address,
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthorized("Send a bearer token in the Authorization header.".into())
    })?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("The Authorization header is not readable.".into()))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "Use the Bearer authentication scheme.".into(),
        ));
    }
    Ok(token.trim().to_string())
}

/// A signed link's token (the `link` query parameter, last in the query
/// string) and the query string before it, when the request has one.
fn signed_link(req: &HttpRequest) -> Option<(String, String)> {
    if req.method() != actix_web::http::Method::GET {
        return None;
    }
    let query = req.query_string();
    let (rest, token) = match query.rsplit_once("&link=") {
        Some(split) => split,
        None => ("", query.strip_prefix("link=")?),
    };
    (!token.is_empty() && !token.contains('&')).then(|| (token.to_string(), rest.to_string()))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(user) = req.extensions().get::<AuthUser>() {
            let user = user.clone();
            return Box::pin(async move { Ok(user) });
        }
        let token = bearer_token(req);
        let link = match &token {
            Err(_) if req.headers().get(header::AUTHORIZATION).is_none() => signed_link(req),
            _ => None,
        };
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let row = match link {
                Some((link, rest)) => {
                    let claims = state.tokens.verify_link(&link)?;
                    if claims.path != req.path() || claims.query != rest {
                        return Err(ApiError::Unauthorized(
                            "The link is for another page.".into(),
                        ));
                    }
                    own_user(&state, &claims.sub, claims.token_version).await?
                }
                None => {
                    let token = token?;
                    match &state.oidc {
                        Some(oidc) if oidc::is_external(&token) => {
                            external_user(&state, oidc, &token, request_id.clone()).await?
                        }
                        _ => {
                            let claims = state.tokens.verify(&token)?;
                            own_user(&state, &claims.sub, claims.token_version).await?
                        }
                    }
                }
            };
            let address = crate::http::client::address(&req, &state.config.trusted_proxies);
            let user = AuthUser::from_row(&row, request_id, Some(address))?;
            req.extensions_mut().insert(user.clone());
            req.extensions_mut().insert(row);
            Ok(user)
        })
    }
}

/// The active user a Redress token or link names, issued at their current
/// token version.
async fn own_user(
    state: &AppState,
    subject: &str,
    token_version: i64,
) -> Result<UserRow, ApiError> {
    let user_id: i64 = subject
        .parse()
        .map_err(|_| ApiError::Unauthorized("The token's subject is not a user.".into()))?;
    let row = active_user(state, user_id).await?;
    if row.token_version != token_version {
        return Err(ApiError::Unauthorized(
            "The token was issued before the user's password, role or directorates changed; log in again."
                .into(),
        ));
    }
    Ok(row)
}

/// The active user an identity provider's token signs in: provisioned or
/// brought up to date the first time this process sees the token, read by
/// id (as for Redress's tokens) after that.
async fn external_user(
    state: &AppState,
    oidc: &oidc::OidcVerifier,
    token: &str,
    request_id: Option<String>,
) -> Result<UserRow, ApiError> {
    if let Some(user_id) = oidc.signed_in_user(token) {
        return active_user(state, user_id).await;
    }
    let (identity, exp) = oidc.verify(token).await?;
    let actor = Actor {
        id: None,
        username: "identity provider".into(),
        request_id,
    };
    let row = crate::users::external::provision(&state.db, actor, identity).await;
    // Provisioning may have changed the user (role, directorates, active).
    state.users.forget_all();
    let row = row?;
    if !row.active {
        return Err(deactivated());
    }
    oidc.remember(token, row.id, exp);
    Ok(row)
}

/// The active user with `user_id`, as this instance keeps it (see
/// [`users_cache`]).
async fn active_user(state: &AppState, user_id: i64) -> Result<UserRow, ApiError> {
    let row = state.users.find(&state.db, user_id).await?;
    row.filter(|r| r.active)
        .map(|r| UserRow::clone(&r))
        .ok_or_else(deactivated)
}

fn deactivated() -> ApiError {
    ApiError::Unauthorized("The token's user no longer exists or is deactivated.".into())
}

/// A set of roles allowed to call an endpoint.
pub trait Policy {
    /// The roles allowed.
    const ROLES: &'static [Role];
    /// What the policy protects, for the 403 message.
    const WHAT: &'static str;
}

/// An [`AuthUser`] whose role the policy `P` allows; otherwise 403.
pub struct Authorized<P>(pub AuthUser, PhantomData<P>);

impl<P> Deref for Authorized<P> {
    type Target = AuthUser;
    fn deref(&self) -> &AuthUser {
        &self.0
    }
}

impl<P: Policy + 'static> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            if P::ROLES.contains(&user.role) {
                Ok(Authorized(user, PhantomData))
            } else {
                Err(ApiError::Forbidden(format!(
                    "The {} role may not {}.",
                    user.role,
                    P::WHAT
                )))
            }
        })
    }
}

macro_rules! policy {
    ($(#[$meta:meta])* $name:ident, [$($role:ident),+], $what:literal) => {
        $(#[$meta])*
        pub struct $name;
        impl Policy for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
            const WHAT: &'static str = $what;
        }
    };
}

policy!(
    /// Administrators only: users, directorates, settings, the calendar.
    AdminOnly, [Admin], "manage users, directorates, settings or the calendar"
);
policy!(
    /// Administrators and managers: deletion, redaction, Ombudsman decisions.
    Managers, [Admin, Manager], "delete, redact or record decisions"
);
policy!(
    /// Everyone who creates and updates case records.
    RecordWriters, [Admin, Manager, Caseworker, Integration], "create or change records"
);
policy!(
    /// Everyone who reads case records (analysts without personal data).
    RecordReaders, [Admin, Manager, Caseworker, Analyst, Integration], "read records"
);
policy!(
    /// Everyone who reads case records except the CRM integration.
    StaffReaders, [Admin, Manager, Caseworker, Analyst], "read these records"
);
policy!(
    /// Everyone who changes case records except the CRM integration.
    StaffWriters, [Admin, Manager, Caseworker], "create or change these records"
);
policy!(
    /// Everyone who sees personal data in casework (contact entries,
    /// documents): not analysts.
    CaseworkReaders, [Admin, Manager, Caseworker, Integration], "read contact entries or documents"
);
policy!(
    /// Statistics and reports: analysts, managers and admins.
    StatisticsReaders, [Admin, Manager, Analyst], "read statistics or reports"
);
