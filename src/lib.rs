//! Redress: complaints, feedback and Ombudsman case management for English
//! councils, as a REST/JSON API.
//!
//! [`build_app`] assembles the actix-web application; the binary and the
//! integration tests both call it.

pub mod access;
pub mod actions;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod casework;
pub mod code;
pub mod config;
pub mod db;
pub mod directorates;
pub mod documents;
pub mod error;
pub mod feedback;
pub mod http;
pub mod imports;
pub mod improvements;
pub mod letters;
pub mod ombudsman;
pub mod openapi;
pub mod ops;
pub mod records;
pub mod reports;
pub mod retention;
pub mod settings;
pub mod state;
pub mod statistics;
pub mod subject_access;
pub mod text_enum;
pub mod timescales;
pub mod users;
pub mod validation;
pub mod webhooks;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App, HttpResponse};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Config;
use crate::http::middleware;
use crate::state::AppState;

/// CORS for the configured origins only. A request from any other origin
/// is served without CORS headers (so a browser will not let that page read
/// it), rather than refused: same-origin pages such as `/docs` send an
/// `Origin` header too.
fn cors(config: &Config) -> Cors {
    let mut cors = Cors::default()
        .block_on_origin_mismatch(false)
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::CONTENT_DISPOSITION,
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(3600);
    for origin in &config.cors_allowed_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Bring a database up to date: apply pending migrations, write the shipped
/// timescales into a new database, and recompute the stored clocks when the
/// formula they were computed with has changed. Returns how many migrations
/// ran. Every command that opens the database calls it.
pub fn prepare_database(conn: &mut db::DbConnection) -> Result<usize, String> {
    let ran = db::migrate(conn)?;
    let refreshed = db::write_tx(conn, |conn| {
        timescales::model::seed(conn)?;
        feedback::model::refresh_stored_clocks(conn)
    })
    .map_err(|e| format!("cannot prepare the database: {e}"))?;
    if let Some(changed) = refreshed {
        tracing::info!(changed, "recomputed the stored clocks of feedback records");
    }
    Ok(ran)
}

/// The whole application over `state`.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = Condition::new(
        !state.config.cors_allowed_origins.is_empty(),
        cors(&state.config),
    );
    App::new()
        .configure(openapi::service_routes)
        .app_data(state)
        .configure(http::extractor_config)
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .service(
            SwaggerUi::new("/docs/{_:.*}").config(
                utoipa_swagger_ui::Config::new(["/openapi.json"])
                    .persist_authorization(true)
                    // Swagger UI would send the spec to swagger.io to check it.
                    .validator_url("none"),
            ),
        )
        .default_service(web::to(http::routing::fallback))
        // The last registered wraps the others, so a request passes these
        // from the bottom up and its response from the top down.
        .wrap(from_fn(http::negotiate::acceptable))
        .wrap(cors)
        .wrap(from_fn(middleware::refuse_nul))
        .wrap(from_fn(middleware::security_headers))
        .wrap(from_fn(middleware::problem_json))
        .wrap(from_fn(middleware::access_log))
        .wrap(from_fn(middleware::request_id))
}
