//! Web plumbing shared by every domain: JSON bodies, lists, ETags,
//! idempotency, the middleware and the fallback route.

pub mod etag;
pub mod idempotency;
pub mod json;
pub mod list;
pub mod metrics;
pub mod middleware;
pub mod routing;

use actix_web::web;

use crate::error::ApiError;

/// Query strings that cannot be parsed are 400 (API.md); path parameters that
/// cannot be parsed name no resource, so they are 404.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|error, _| {
        ApiError::BadRequest(format!("A query parameter cannot be parsed: {error}.")).into()
    }))
    .app_data(
        web::PathConfig::default()
            .error_handler(|_, _| ApiError::NotFound("No resource at this path.".into()).into()),
    );
}
