//! The fallback for requests no route matched: 405 with `Allow` when the path
//! exists with other methods (actix-web answers 404 there on its own, see
//! actix-web issue 2735), else 404. The paths come from the OpenAPI document,
//! so they are always the ones the service really has.

use std::sync::OnceLock;

use actix_web::HttpRequest;

use crate::error::ApiError;

struct Route {
    segments: Vec<Option<String>>,
    methods: Vec<String>,
}

fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        crate::openapi::kept()
            .paths
            .iter()
            .map(|(path, methods)| {
                let segments = path
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_string()))
                    .collect();
                Route {
                    segments,
                    methods: methods.clone(),
                }
            })
            .collect()
    })
}

/// The methods the path has, when it is one of the service's paths. Where
/// several templates match (`/calendar/holidays/import` and
/// `/calendar/holidays/{date}`), the most literal one wins, as in the router.
pub fn allowed_methods(path: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let literals = |route: &Route| route.segments.iter().flatten().count();
    let matching: Vec<&Route> = routes()
        .iter()
        .filter(|route| {
            route.segments.len() == parts.len()
                && route
                    .segments
                    .iter()
                    .zip(&parts)
                    .all(|(segment, part)| match segment {
                        Some(literal) => literal == part,
                        None => !part.is_empty(),
                    })
        })
        .collect();
    let most_literal = matching.iter().map(|route| literals(route)).max()?;
    let mut allowed: Vec<String> = Vec::new();
    for route in matching
        .into_iter()
        .filter(|route| literals(route) == most_literal)
    {
        for method in &route.methods {
            if !allowed.contains(method) {
                allowed.push(method.clone());
            }
        }
    }
    Some(allowed)
}

/// The default service: 405 or 404, as problem+json.
pub async fn fallback(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    match allowed_methods(req.path()) {
        Some(allow) if !allow.iter().any(|m| m == req.method().as_str()) => {
            Err(ApiError::MethodNotAllowed { allow })
        }
        _ => Err(ApiError::not_found()),
    }
}
