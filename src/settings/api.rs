//! `/settings`: everyone reads them; admins change them.

use actix_web::http::header;
use actix_web::{get, put, web, HttpResponse};

use crate::auth::{AdminOnly, AuthUser, Authorized};
use crate::error::{ApiError, Problem};
use crate::http::etag::{etag, IfMatch};
use crate::http::json::ValidJson;
use crate::openapi::Routes;
use crate::settings::model::{self, Settings, Stored};
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(get_settings).service(update_settings);
}

fn respond(stored: Stored) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(stored.version)))
        .json(stored.settings)
}

/// The council's settings: name, type, population and the Ombudsman's
/// averages for similar authorities.
#[utoipa::path(
    tag = "settings",
    responses((status = 200, description = "The settings.", body = Settings,
        headers(("ETag" = String, description = "The version."))))
)]
#[get("/settings")]
pub async fn get_settings(
    state: web::Data<AppState>,
    _user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(state.db.run(model::load).await?))
}

/// Replace the settings (admins). Benchmarks are kept in year order.
#[utoipa::path(
    tag = "settings",
    request_body = Settings,
    params(("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the settings have changed since.")),
    responses(
        (status = 200, description = "The new settings.", body = Settings, headers(("ETag" = String, description = "The new version."))),
        (status = 412, description = "The settings changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/settings")]
pub async fn update_settings(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    if_match: IfMatch,
    body: ValidJson<Settings>,
) -> Result<HttpResponse, ApiError> {
    let actor = admin.actor();
    let settings = body.value;
    Ok(respond(
        state
            .db
            .write(move |conn| model::save(conn, &actor, &if_match, &settings))
            .await?,
    ))
}
