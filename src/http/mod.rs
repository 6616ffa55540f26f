//! Web plumbing shared by every domain: JSON bodies, lists, ETags,
//! idempotency, the middleware and the fallback route.

pub mod client;
pub mod etag;
pub mod idempotency;
pub mod json;
pub mod limits;
pub mod list;
pub mod metrics;
pub mod middleware;
pub mod negotiate;
pub mod query;
pub mod routing;
pub mod today;

use std::borrow::Cow;

use actix_web::web;

use crate::error::ApiError;

/// Path parameters that cannot be parsed name no resource, so they are 404.
/// (Query parameters that cannot be read are 400 naming them: see
/// [`query`].)
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    // Query strings are read by `query::Query`, which names the parameter.
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| ApiError::not_found().into()));
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`), for logging
/// a value a client supplied: a username holding a newline must not be able
/// to forge a second log line.
pub fn log_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped_for_logs() {
        assert_eq!(super::log_safe("admin"), "admin");
        assert_eq!(
            super::log_safe("eve\nINFO fake\r\u{1b}[31m"),
            "eve\\nINFO fake\\r\\u{1b}[31m"
        );
    }
}
