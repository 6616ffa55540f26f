//! Validation that needs no database: formats, ranges, fields that depend
//! on each other, and dates against today. Plain values in, field errors
//! out; the HTTP layer runs it on every body it decodes.

use chrono::NaiveDate;

use crate::error::FieldErrors;

/// A value that can check itself.
pub trait Validate {
    /// Record every problem in `errors`; `today` is the request's date (the
    /// UK date, or `REDRESS_TODAY`), for rules such as "not in the future".
    fn validate(&self, _today: NaiveDate, _errors: &mut FieldErrors) {}
}

/// A problem when `text` is longer than `max` characters.
pub fn check_length(errors: &mut FieldErrors, field: &str, text: Option<&str>, max: usize) {
    if text.is_some_and(|t| t.chars().count() > max) {
        errors.add(field, format!("must be at most {max} characters"));
    }
}
