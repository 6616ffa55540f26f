//! Importing feedback records: each row is checked exactly as the body of
//! `POST /feedback` is (the body's limits, types and rules, then the
//! timescales in force on its day of receipt, then its directorate and
//! parent), and the good rows are saved in batches with
//! [`model::bulk_insert`], each with an `import` audit entry naming the
//! source. A row whose `external_ref` the directorate already has, or
//! that an earlier row of the file gave, is skipped.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use diesel::prelude::*;
use serde_json::Value;

use super::columns::Columns;
use super::report::Tally;
use super::Batch;
use crate::audit::Actor;
use crate::calendar::Today;
use crate::db::schema::feedback;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError, FieldErrors};
use crate::feedback::fields::FeedbackInput;
use crate::feedback::model::{self, FeedbackRow};
use crate::records::api::RecordApi;
use crate::records::{Proposal, Record};
use crate::timescales::TimeRules;

/// What checking a row needs, shared by the batches.
pub struct Checker {
    /// The file's columns.
    pub columns: Columns,
    /// The directorate for rows that give none.
    pub directorate: Option<String>,
    /// The timescales and calendar.
    pub rules: TimeRules,
    /// The day the rows are checked as of.
    pub today: Today,
    /// Each directorate code the file may name, with whether it exists
    /// (filled as the rows name them).
    pub known: BTreeMap<String, bool>,
}

/// A row that passed the checks needing no database.
pub struct Valid {
    /// Its line.
    pub line: u64,
    /// The record.
    pub input: FeedbackInput,
}

/// The outcome of checking a batch: the valid rows, and the tally of the
/// rejected ones.
pub struct Checked {
    /// The rows to save.
    pub valid: Vec<Valid>,
    /// The rejected rows.
    pub tally: Tally,
}

impl Checker {
    /// Check each row of `batch` as a `POST /feedback` body.
    pub fn check(&self, batch: &Batch) -> Checked {
        let mut valid = Vec::with_capacity(batch.len());
        let mut tally = Tally::default();
        for (line, row) in batch {
            match self.check_row(row) {
                Ok(input) => valid.push(Valid { line: *line, input }),
                Err(problems) => tally.reject(*line, problems, |f| self.column(f)),
            }
        }
        Checked { valid, tally }
    }

    /// The file's column an error about `field` points at.
    pub fn column(&self, field: &str) -> Option<String> {
        self.columns.column_of(field).map(str::to_string)
    }

    fn check_row(&self, row: &csv::StringRecord) -> Result<FeedbackInput, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let mut body = self.columns.body(row, &mut errors);
        if let Some(directorate) = &self.directorate {
            body.entry("directorate")
                .or_insert_with(|| Value::String(directorate.clone()));
        }
        let decoded = crate::http::json::decode::<FeedbackInput>(Value::Object(body), self.today);
        let input = match decoded {
            Ok(input) if errors.is_empty() => input,
            Ok(_) => return Err(errors.into_errors()),
            Err(error) => return Err(merge(errors, error)),
        };
        if let Err(error) = FeedbackRow::check_body(&input, &self.rules, None) {
            return Err(merge(errors, error));
        }
        if !self.known.get(&input.directorate).copied().unwrap_or(false) {
            errors.add(
                "directorate",
                format!("unknown directorate `{}`", input.directorate),
            );
            return Err(errors.into_errors());
        }
        Ok(input)
    }
}

/// The problems of `first` and then those of `error` on fields not yet
/// reported.
pub fn merge(mut first: FieldErrors, error: ApiError) -> Vec<FieldError> {
    match error {
        ApiError::Validation(problems) => {
            for problem in problems {
                if !first.has(&problem.field) {
                    first.add(problem.field, problem.message);
                }
            }
        }
        other => first.add("row", other.to_string()),
    }
    first.into_errors()
}

/// Count each directorate the file names (in the `directorate` column, or
/// the import's own) as known or not, for the checks.
pub fn directorates_named(
    conn: &mut DbConnection,
    codes: HashSet<String>,
) -> Result<BTreeMap<String, bool>, ApiError> {
    let codes: Vec<String> = codes.into_iter().collect();
    let missing = crate::directorates::model::missing(conn, &codes)?;
    Ok(codes
        .into_iter()
        .map(|code| {
            let known = !missing.contains(&code);
            (code, known)
        })
        .collect())
}

/// The rows of `valid` to save: those whose `external_ref` neither an
/// earlier row (`seen`) nor the directorate already has; the others are
/// counted as skipped in `tally`.
pub fn not_yet_saved(
    conn: &mut DbConnection,
    valid: Vec<Valid>,
    seen: &mut HashSet<(String, String)>,
    tally: &mut Tally,
) -> Result<Vec<Valid>, ApiError> {
    let mut by_directorate: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for row in &valid {
        if let Some(reference) = &row.input.external_ref {
            by_directorate
                .entry(&row.input.directorate)
                .or_default()
                .push(reference);
        }
    }
    let mut existing: HashSet<(String, String)> = HashSet::new();
    for (directorate, references) in by_directorate {
        // Well under both backends' limits on parameters.
        for chunk in references.chunks(500) {
            let found: Vec<String> = feedback::table
                .filter(feedback::directorate.eq(directorate))
                .filter(feedback::external_ref.eq_any(chunk))
                .select(feedback::external_ref.assume_not_null())
                .load(conn)?;
            existing.extend(found.into_iter().map(|r| (directorate.to_string(), r)));
        }
    }
    let mut keep = Vec::with_capacity(valid.len());
    for row in valid {
        if let Some(reference) = &row.input.external_ref {
            let key = (row.input.directorate.clone(), reference.clone());
            if existing.contains(&key) || !seen.insert(key) {
                tally.rows_skipped += 1;
                continue;
            }
        }
        keep.push(row);
    }
    Ok(keep)
}

/// Check the parents of the rows that name one (they exist, in the same
/// directorate), as `POST /feedback` does; a row that fails is rejected.
pub fn with_good_parents(
    conn: &mut DbConnection,
    rows: Vec<Valid>,
    checker: &Checker,
    tally: &mut Tally,
) -> Result<Vec<Valid>, ApiError> {
    let mut keep = Vec::with_capacity(rows.len());
    for row in rows {
        if row.input.parent_id.is_some() {
            let proposal = Proposal {
                input: &row.input,
                current: None,
                scope: &None,
            };
            match FeedbackRow::check_references(conn, proposal) {
                Ok(()) => {}
                Err(ApiError::Validation(problems)) => {
                    tally.reject(row.line, problems, |f| checker.column(f));
                    continue;
                }
                Err(other) => return Err(other),
            }
        }
        keep.push(row);
    }
    Ok(keep)
}

/// Save one checked batch (inside the caller's write transaction): skip
/// what is saved already, check parents, insert the rest with their audit
/// entries naming `source`. With `dry_run`, count and save nothing.
#[allow(clippy::too_many_arguments)]
pub fn save(
    conn: &mut DbConnection,
    checked: Checked,
    checker: &Arc<Checker>,
    seen: &mut HashSet<(String, String)>,
    actor: &Actor,
    source: &str,
    dry_run: bool,
) -> Result<Tally, ApiError> {
    let Checked { valid, mut tally } = checked;
    let rows = not_yet_saved(conn, valid, seen, &mut tally)?;
    let rows = with_good_parents(conn, rows, checker, &mut tally)?;
    tally.rows_created = rows.len() as i64;
    if !dry_run && !rows.is_empty() {
        let inputs: Vec<FeedbackInput> = rows.into_iter().map(|r| r.input).collect();
        model::bulk_insert(conn, actor, &inputs, &checker.rules, source)?;
    }
    tally.errors.sort_by_key(|e| e.line);
    Ok(tally)
}
