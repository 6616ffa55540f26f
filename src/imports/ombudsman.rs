//! Importing the Ombudsman's published decisions (the LGSCO's decisions
//! search and its council statistics download): one row per case, with
//! the columns `reference`, `category`, `sub-category`, `decision`,
//! `decision date` and `remedy` (or `remedy text`), and optionally
//! `directorate` and `received` (the Ombudsman's first contact; the
//! decision date when absent: the published data has no earlier date).
//!
//! A row creates the case with that reference, or updates it: its
//! category, sub-category and the decision of its latest round (a
//! correction, as a `PATCH` makes it), keeping its directorate. Each case
//! is checked as `POST`/`PATCH /ombudsman-cases` checks it, written and
//! audited by the same code, in a savepoint of its own; a row that changes
//! nothing is skipped, so a re-run changes nothing.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::columns::Mapping;
use super::feedback::merge;
use super::report::Tally;
use super::Batch;
use crate::audit::{Action, Actor};
use crate::calendar::Today;
use crate::db::schema::ombudsman_cases;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError, FieldErrors};
use crate::ombudsman::fields::CaseInput;
use crate::ombudsman::model::CaseRecord;
use crate::ombudsman::types::{Decision, RecommendationKind};
use crate::records::{store, Proposal, Record};

/// The columns of a decisions file, by the names they are read under
/// (the file's names lower-cased, with spaces and hyphens as `_`).
const COLUMNS: &[&str] = &[
    "reference",
    "category",
    "sub_category",
    "decision",
    "decision_date",
    "remedy",
    "remedy_text",
    "directorate",
    "received",
];

/// The name a header cell is read under.
fn normalised(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// Where each column of a decisions file is.
#[derive(Debug, Clone)]
pub struct Layout {
    names: Vec<String>,
    index: std::collections::BTreeMap<&'static str, usize>,
}

impl Layout {
    /// Read the header (after `mapping`, from the file's column names to
    /// the names above): 422 for a column that is not one of them, or a
    /// file without `reference`, `decision` and `decision date`, or
    /// without a directorate column when `directorate` is not given.
    pub fn plan(
        header: &[String],
        mapping: Option<&Mapping>,
        directorate: Option<&str>,
    ) -> Result<Layout, ApiError> {
        let mut errors = FieldErrors::new();
        let mut index = std::collections::BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            let source = name.trim();
            let target = normalised(mapping.and_then(|m| m.get(source)).map_or(source, |s| s));
            match COLUMNS.iter().find(|c| **c == target) {
                Some(column) => {
                    if index.insert(*column, i).is_some() {
                        errors.add(source, format!("`{target}` is named twice"));
                    }
                }
                None => errors.add(
                    if source.is_empty() { "file" } else { source },
                    format!(
                        "`{source}` is not a column of the Ombudsman's decisions; the columns are reference, category, sub-category, decision, decision date, remedy, directorate and received"
                    ),
                ),
            }
        }
        for required in ["reference", "decision", "decision_date"] {
            if !index.contains_key(required) && !errors.has("file") {
                errors.add(
                    "file",
                    format!("has no `{}` column", required.replace('_', " ")),
                );
            }
        }
        if directorate.is_none() && !index.contains_key("directorate") {
            errors.add(
                "directorate",
                "is required when the file has no directorate column",
            );
        }
        errors.into_result()?;
        Ok(Layout {
            names: header.iter().map(|h| h.trim().to_string()).collect(),
            index,
        })
    }

    fn cell<'r>(&self, row: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        let i = *self.index.get(column)?;
        row.get(i).map(str::trim).filter(|c| !c.is_empty())
    }

    /// The file's column an error about `field` (a case field) points at.
    pub fn column_of(&self, field: &str) -> Option<String> {
        let top = field.split(['.', '[']).next().unwrap_or(field);
        let columns: &[&str] = match top {
            "reference" => &["reference"],
            "category" => &["category"],
            "sub_category" => &["sub_category"],
            "decision" | "remedied_before_ombudsman" => &["decision"],
            "decided_on" => &["decision_date"],
            "recommendations" => &["remedy", "remedy_text"],
            "directorate" => &["directorate"],
            "received_on" => &["received", "decision_date"],
            _ => &[],
        };
        columns
            .iter()
            .find_map(|c| self.index.get(c))
            .map(|i| self.names[*i].clone())
    }
}

/// The Redress decision for the LGSCO's published wording, and whether it
/// records a satisfactory remedy by the council before the Ombudsman
/// looked ("Upheld: satisfactory remedy provided by the authority": upheld,
/// and counted in the Ombudsman's "satisfactory remedy" figure). The
/// wording is matched without regard to case; Redress's own names are
/// accepted too.
pub fn decision_of(wording: &str) -> Option<(Decision, bool)> {
    let text = wording.trim().to_ascii_lowercase();
    if let Some(decision) = Decision::parse(&text) {
        return Some((decision, false));
    }
    let decision = match text.as_str() {
        "upheld" => Decision::Upheld,
        "not upheld" => Decision::NotUpheld,
        "closed after initial enquiries" => Decision::ClosedAfterInitialEnquiries,
        "referred back for local resolution" => Decision::ReferredBackForLocalResolution,
        "advice given" => Decision::AdviceGiven,
        "incomplete/invalid" | "incomplete / invalid" | "incomplete or invalid" => {
            Decision::IncompleteOrInvalid
        }
        _ if text.starts_with("upheld") && text.contains("satisfactory remedy") => {
            return Some((Decision::Upheld, true))
        }
        _ => return None,
    };
    Some((decision, false))
}

/// The recommendations in the LGSCO's remedy text: its parts, separated
/// by `,` or `;`, each as the kind its words name (`other` otherwise),
/// with the part as its description.
pub fn recommendations_of(text: &str) -> Vec<Value> {
    text.split([',', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let words = part.to_ascii_lowercase();
            let kind = if words.contains("apolog") {
                RecommendationKind::Apology
            } else if words.contains("financial") || words.contains("payment") {
                RecommendationKind::FinancialRedress
            } else if words.contains("training") {
                RecommendationKind::StaffTraining
            } else if words.contains("procedure") || words.contains("policy") {
                RecommendationKind::ProcedureReview
            } else if words.contains("assessment") {
                RecommendationKind::Reassessment
            } else if words.contains("service improvement") {
                RecommendationKind::ServiceImprovement
            } else {
                RecommendationKind::Other
            };
            json!({"kind": kind.as_str(), "description": part})
        })
        .collect()
}

/// A date as the LGSCO publishes it (`DD/MM/YYYY`) or as the API takes it
/// (`YYYY-MM-DD`).
fn date_of(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
}

/// The Ombudsman's reference as Redress writes it: `NN NNN NNN` (eight
/// digits written together are spaced).
fn reference_of(text: &str) -> String {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("{} {} {}", &digits[..2], &digits[2..5], &digits[5..])
    } else {
        text.to_string()
    }
}

/// What one row says.
struct Row {
    reference: String,
    directorate: Option<String>,
    fields: serde_json::Map<String, Value>,
    received_on: Option<Value>,
}

fn read_row(
    layout: &Layout,
    row: &csv::StringRecord,
    directorate: Option<&str>,
) -> Result<Row, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    let mut fields = serde_json::Map::new();
    let reference = layout.cell(row, "reference").map(reference_of);
    if reference.is_none() {
        errors.add("reference", "is required");
    }
    for (column, field) in [("category", "category"), ("sub_category", "sub_category")] {
        if let Some(text) = layout.cell(row, column) {
            fields.insert(field.into(), json!(text));
        }
    }
    match layout.cell(row, "decision").map(|w| (w, decision_of(w))) {
        None => errors.add("decision", "is required"),
        Some((_, Some((decision, remedied)))) => {
            fields.insert("decision".into(), json!(decision.as_str()));
            fields.insert("remedied_before_ombudsman".into(), json!(remedied));
        }
        Some((wording, None)) => errors.add(
            "decision",
            format!("`{wording}` is not one of the Ombudsman's decisions: Upheld, Not upheld, Closed after initial enquiries, Referred back for local resolution, Advice given, Incomplete/Invalid"),
        ),
    }
    let mut dates =
        [("decision_date", "decided_on"), ("received", "received_on")].map(|(column, field)| {
            match layout.cell(row, column) {
                None => None,
                Some(text) => match date_of(text) {
                    Some(date) => Some(json!(date)),
                    None => {
                        errors.add(field, "must be a date, YYYY-MM-DD or DD/MM/YYYY");
                        None
                    }
                },
            }
        });
    match dates[0].take() {
        Some(decided) => {
            fields.insert("decided_on".into(), decided);
        }
        None if !errors.has("decided_on") => errors.add("decided_on", "is required"),
        None => {}
    }
    let remedy = layout
        .cell(row, "remedy")
        .or_else(|| layout.cell(row, "remedy_text"));
    if let Some(remedy) = remedy {
        fields.insert(
            "recommendations".into(),
            Value::Array(recommendations_of(remedy)),
        );
    }
    errors.into_result().map_err(|e| match e {
        ApiError::Validation(problems) => problems,
        other => vec![FieldError::new("row", other.to_string())],
    })?;
    Ok(Row {
        reference: reference.unwrap_or_default(),
        directorate: layout
            .cell(row, "directorate")
            .map(str::to_string)
            .or_else(|| directorate.map(str::to_string)),
        received_on: dates[1]
            .take()
            .or_else(|| fields.get("decided_on").cloned()),
        fields,
    })
}

/// The case a row makes of `current` (or of nothing), checked as the API
/// checks a case; `None` when it changes nothing.
fn proposed(
    conn: &mut DbConnection,
    row: Row,
    current: Option<&CaseRecord>,
    today: Today,
) -> Result<Option<CaseInput>, Vec<FieldError>> {
    let body = match current {
        Some(case) => {
            let mut body = serde_json::to_value(case.input()).map_err(|e| internal(&e))?;
            let had_recommendations = !case.recommendations.is_empty();
            if let Value::Object(object) = &mut body {
                for (key, value) in row.fields {
                    // Recommendations already recorded (with their progress)
                    // are the council's; the published text adds none.
                    if key == "recommendations" && had_recommendations {
                        continue;
                    }
                    object.insert(key, value);
                }
            }
            body
        }
        None => {
            let mut object = row.fields;
            object.insert("reference".into(), json!(row.reference));
            if let Some(directorate) = row.directorate {
                object.insert("directorate".into(), json!(directorate));
            }
            if let Some(received_on) = row.received_on {
                object.insert("received_on".into(), received_on);
            }
            Value::Object(object)
        }
    };
    let input = crate::http::json::decode::<CaseInput>(body, today)
        .map_err(|e| merge(FieldErrors::new(), e))?;
    if current.is_some_and(|case| case.input() == input) {
        return Ok(None);
    }
    let proposal = Proposal {
        input: &input,
        current,
        scope: &None,
    };
    CaseRecord::check_references(conn, proposal).map_err(|e| merge(FieldErrors::new(), e))?;
    Ok(Some(input))
}

fn internal(error: &dyn std::fmt::Display) -> Vec<FieldError> {
    vec![FieldError::new("row", error.to_string())]
}

/// The case with `reference`, if there is one.
fn find_case(conn: &mut DbConnection, reference: &str) -> Result<Option<CaseRecord>, ApiError> {
    let id: Option<i64> = ombudsman_cases::table
        .filter(ombudsman_cases::reference.eq(reference))
        .select(ombudsman_cases::id)
        .get_result(conn)
        .optional()?;
    match id {
        Some(id) => CaseRecord::find(conn, id),
        None => Ok(None),
    }
}

/// Create or update the case of each row of `batch` (inside the caller's
/// write transaction, each row in a savepoint of its own), audited as
/// made by `actor`. With `dry_run`, check and count, and save nothing.
pub fn save(
    conn: &mut DbConnection,
    batch: &Batch,
    layout: &Layout,
    directorate: Option<&str>,
    actor: &Actor,
    today: Today,
    dry_run: bool,
) -> Result<Tally, ApiError> {
    let mut tally = Tally::default();
    for (line, record) in batch {
        let row = match read_row(layout, record, directorate) {
            Ok(row) => row,
            Err(problems) => {
                tally.reject(*line, problems, |f| layout.column_of(f));
                continue;
            }
        };
        let outcome = conn.transaction::<_, ApiError, _>(|conn| {
            let current = find_case(conn, &row.reference)?;
            let created = current.is_none();
            let input = match proposed(conn, row, current.as_ref(), today) {
                Ok(Some(input)) => input,
                Ok(None) => return Ok(Ok(None)),
                Err(problems) => return Ok(Err(problems)),
            };
            if !dry_run {
                match &current {
                    None => {
                        store::import::<CaseRecord>(conn, actor, &input, &today.0)?;
                    }
                    Some(case) => {
                        store::transition_as(conn, actor, case, &input, &today.0, Action::Import)?;
                    }
                }
            }
            Ok(Ok(Some(created)))
        });
        match outcome {
            Ok(Ok(Some(true))) => tally.rows_created += 1,
            Ok(Ok(Some(false))) => tally.rows_updated += 1,
            Ok(Ok(None)) => tally.rows_skipped += 1,
            Ok(Err(problems)) => tally.reject(*line, problems, |f| layout.column_of(f)),
            Err(ApiError::Validation(problems)) | Err(ApiError::BadParameter(problems)) => {
                tally.reject(*line, problems, |f| layout.column_of(f))
            }
            Err(ApiError::Conflict(detail)) => {
                tally.reject(*line, vec![FieldError::new("reference", detail)], |f| {
                    layout.column_of(f)
                })
            }
            Err(other) => return Err(other),
        }
    }
    Ok(tally)
}
