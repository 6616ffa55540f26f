//! Validation that needs no database: formats, ranges, fields that depend
//! on each other, and dates against today. Plain values in, field errors
//! out; the HTTP layer runs it on every body it decodes.

use chrono::NaiveDate;

use crate::error::FieldErrors;

/// The longest short text (names, categories, references), in characters.
pub const MAX_SHORT_TEXT: usize = 200;
/// The longest medium text (reasons, descriptions of a remedy, addresses).
pub const MAX_MEDIUM_TEXT: usize = 2_000;
/// The longest long text (summaries, what was learned, evidence).
pub const MAX_LONG_TEXT: usize = 20_000;
/// The largest payment, in pence (£10 billion): sums of many stay far
/// inside a 64-bit integer.
pub const MAX_PENCE: i64 = 1_000_000_000_000;

/// A value that can check itself.
pub trait Validate {
    /// Record every problem in `errors`; `today` is the request's date (the
    /// UK date, or `REDRESS_TODAY`), for rules such as "not in the future".
    fn validate(&self, _today: NaiveDate, _errors: &mut FieldErrors) {}
}

/// A record's themes: at most 50, each 1 to 100 characters.
pub fn check_themes(errors: &mut FieldErrors, themes: &[String]) {
    if themes.len() > 50 {
        errors.add("themes", "must list at most 50 themes");
    }
    for (i, theme) in themes.iter().enumerate() {
        if theme.trim().is_empty() || theme.chars().count() > 100 {
            errors.add(format!("themes[{i}]"), "must be 1 to 100 characters");
        }
    }
}

/// A problem when `text` is longer than `max` characters.
pub fn check_length(errors: &mut FieldErrors, field: &str, text: Option<&str>, max: usize) {
    if text.is_some_and(|t| t.chars().count() > max) {
        errors.add(field, format!("must be at most {max} characters"));
    }
}
