//! What an import reports: its counts and the errors of its rejected rows.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text_enum;

use crate::error::FieldError;

text_enum! {
    /// What a file holds.
    pub enum ImportKind {
        /// Feedback records: one row per record, each validated as the body
        /// of `POST /feedback`.
        Feedback => "feedback",
        /// The Ombudsman's published decisions: one row per case, creating
        /// or updating the case with its reference.
        OmbudsmanDecisions => "ombudsman_decisions",
    }
}

/// The most row errors a job keeps (the count goes on).
pub const MAX_KEPT_ERRORS: usize = 1_000;

/// A problem with one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    /// The row's line in the file, the header being line 1.
    #[schema(example = 7)]
    pub line: u64,
    /// The file's column at fault, as the file names it; null when no
    /// column is (a required field no column gives).
    #[schema(example = "complainant.email")]
    pub column: Option<String>,
    /// The field at fault, as the API names it (`complainant.email`,
    /// `themes[2]`), or `external_ref` for a reference given twice.
    #[schema(example = "complainant.email")]
    pub field: String,
    /// What is wrong, in the API's words.
    #[schema(example = "must be an email address")]
    pub message: String,
}

/// The counts of an import, and its first errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Tally {
    /// The rows of the file (the header not counted).
    pub rows_total: i64,
    /// The rows dealt with so far.
    pub rows_processed: i64,
    /// Records or cases created (for a dry run: that would be created).
    pub rows_created: i64,
    /// Cases updated (Ombudsman decisions; would be, for a dry run).
    pub rows_updated: i64,
    /// Rows skipped: their `external_ref` is already in the directorate,
    /// or earlier in the file.
    pub rows_skipped: i64,
    /// Rows refused for their errors.
    pub rows_rejected: i64,
    /// How many row errors there are in all (a rejected row may have
    /// several).
    pub error_count: i64,
    /// The first errors, in the order of the file (at most 1,000).
    pub errors: Vec<RowError>,
}

impl Tally {
    /// Count `line` as rejected for `problems`, each pointing at its column
    /// through `column_of`.
    pub fn reject(
        &mut self,
        line: u64,
        problems: Vec<FieldError>,
        column_of: impl Fn(&str) -> Option<String>,
    ) {
        self.rows_rejected += 1;
        for problem in problems {
            self.error_count += 1;
            if self.errors.len() < MAX_KEPT_ERRORS {
                self.errors.push(RowError {
                    line,
                    column: column_of(&problem.field),
                    field: problem.field,
                    message: problem.message,
                });
            }
        }
    }

    /// Add the counts and errors of a batch dealt with after this one.
    pub fn add(&mut self, batch: Tally) {
        self.rows_processed += batch.rows_processed;
        self.rows_created += batch.rows_created;
        self.rows_updated += batch.rows_updated;
        self.rows_skipped += batch.rows_skipped;
        self.rows_rejected += batch.rows_rejected;
        self.error_count += batch.error_count;
        let room = MAX_KEPT_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(batch.errors.into_iter().take(room));
    }
}
