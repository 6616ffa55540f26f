//! Optimistic concurrency: `ETag: "<version>"` on single records and the
//! `If-Match` precondition on writes.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;

/// The `ETag` value for a record version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// What the client's `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No header: write whatever the current version is.
    Any,
    /// `*`: the record must exist (it always does by the time this is checked).
    Exists,
    /// One or more entity tags; the current version must be one of them.
    Versions(Vec<i64>),
    /// Tags that cannot be any version of ours: never matches.
    Unmatchable,
}

impl IfMatch {
    /// Check the precondition against the record's current version: 412 when it fails.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        let ok = match self {
            IfMatch::Any | IfMatch::Exists => true,
            IfMatch::Versions(versions) => versions.contains(&current),
            IfMatch::Unmatchable => false,
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "The record has changed: its current version is {current}. Fetch it again and retry."
            )))
        }
    }

    /// The single version the client expects, for a conditional update.
    pub fn expected(&self) -> Option<i64> {
        match self {
            IfMatch::Versions(v) if v.len() == 1 => Some(v[0]),
            _ => None,
        }
    }

    fn parse(value: &str) -> IfMatch {
        let value = value.trim();
        if value == "*" {
            return IfMatch::Exists;
        }
        let versions: Vec<i64> = value
            .split(',')
            .filter_map(|tag| {
                let tag = tag.trim();
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
            })
            .collect();
        if versions.is_empty() {
            IfMatch::Unmatchable
        } else {
            IfMatch::Versions(versions)
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(match req.headers().get(header::IF_MATCH) {
            None => IfMatch::Any,
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
