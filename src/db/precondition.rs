//! Optimistic concurrency: what a write expects the row's current version
//! to be. The HTTP layer reads it from `If-Match`; models take it as a plain
//! value.

use crate::error::ApiError;

/// What a write expects of the row's current version (from `If-Match`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No header: write whatever the current version is.
    Any,
    /// `*`: the record must exist (it always does by the time this is checked).
    Exists,
    /// One or more entity tags; the current version must be one of them.
    Versions(Vec<i64>),
    /// Tags that cannot be any version of ours: never matches.
    Unmatchable,
}

impl Precondition {
    /// Check the precondition against the record's current version: 412 when it fails.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        let ok = match self {
            Precondition::Any | Precondition::Exists => true,
            Precondition::Versions(versions) => versions.contains(&current),
            Precondition::Unmatchable => false,
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "The record has changed: its current version is {current}. Fetch it again and retry."
            )))
        }
    }

    /// Parse an `If-Match` header value.
    pub fn parse(value: &str) -> Precondition {
        let value = value.trim();
        if value == "*" {
            return Precondition::Exists;
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
            Precondition::Unmatchable
        } else {
            Precondition::Versions(versions)
        }
    }
}
