//! Operations: liveness, readiness, metrics, the OpenAPI document.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::openapi::Routes;
use crate::state::AppState;

/// Routes of this module (outside `/api/v1`).
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(get_health)
        .service(get_readiness)
        .service(get_metrics)
        .service(get_openapi);
}

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` (the process is up) or `ready` (and its database answers).
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: the process is up and serving.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The process is up.", body = Health))
)]
#[get("/healthz")]
pub async fn get_health() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the database answers a query.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Ready to serve.", body = Health),
        (status = 503, description = "The database is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn get_readiness(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    use diesel::connection::SimpleConnection;
    state
        .db
        .run(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| ApiError::Unavailable(e.to_string()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
    }))
}

/// Prometheus metrics: request counts and latency by route and status.
///
/// On the API's own address it answers only a scraper that sends
/// `Authorization: Bearer <METRICS_TOKEN>`; without `METRICS_TOKEN` it is not
/// served here (404). With `METRICS_ADDR`, a second listener serves it to
/// anyone who can reach that address (keep it on an internal network).
#[utoipa::path(
    tag = "operations",
    security(("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4.", body = String, content_type = "text/plain"),
        (status = 401, description = "The bearer token is not `METRICS_TOKEN`.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Metrics are not served on this address (`METRICS_TOKEN` is not set).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn get_metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Some(expected) = &state.config.metrics_token else {
        return Err(ApiError::not_found());
    };
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        return Err(ApiError::Unauthorized(
            "Send the metrics token as a bearer token.".into(),
        ));
    }
    Ok(metrics_text(&state))
}

/// The metrics as a Prometheus text response (also the separate metrics
/// listener's only route).
pub fn metrics_text(state: &AppState) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}

/// Compare secrets in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// This API's OpenAPI 3 document (the same as `openapi/openapi.json`).
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "The OpenAPI document.", body = Object))
)]
#[get("/openapi.json")]
pub async fn get_openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(actix_web::web::Bytes::from_static(
            crate::openapi::kept().text.as_bytes(),
        ))
}
