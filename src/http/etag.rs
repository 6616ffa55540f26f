//! Optimistic concurrency: `ETag: "<version>"` on single records and the
//! `If-Match` precondition on writes.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::db::precondition::Precondition;
use crate::error::ApiError;

/// The longest `If-Match` the server reads; a longer one never matches.
pub const MAX_IF_MATCH: u64 = 1_024;

/// The `ETag` value for a record version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The client's `If-Match` header, as a plain [`Precondition`].
pub type IfMatch = Precondition;

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(match req.headers().get(header::IF_MATCH) {
            None => IfMatch::Any,
            // Longer than the spec's limit: it is never matched (412).
            Some(v) if v.len() as u64 > MAX_IF_MATCH => IfMatch::Unmatchable,
            Some(v) => v
                .to_str()
                .map(IfMatch::parse)
                .unwrap_or(IfMatch::Unmatchable),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strong_weak_lists_and_star() {
        assert_eq!(IfMatch::parse("\"3\""), IfMatch::Versions(vec![3]));
        assert_eq!(
            IfMatch::parse("W/\"3\", \"4\""),
            IfMatch::Versions(vec![3, 4])
        );
        assert_eq!(IfMatch::parse("*"), IfMatch::Exists);
        assert_eq!(IfMatch::parse("3"), IfMatch::Unmatchable);
        assert!(IfMatch::parse("\"3\"").check(3).is_ok());
        assert!(IfMatch::parse("\"3\"").check(4).is_err());
        assert!(IfMatch::Unmatchable.check(1).is_err());
    }
}
