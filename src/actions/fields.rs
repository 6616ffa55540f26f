//! The writable fields of an action.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::actions;
use crate::error::FieldErrors;
use crate::http::json::RequestBody;
use crate::validation::{check_length, Validate, MAX_LONG_TEXT, MAX_SHORT_TEXT};

/// An action as written: the body of `POST /actions`, the fields a merge
/// patch changes, and the row's columns of the same names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = actions, treat_none_as_null = true)]
pub struct ActionInput {
    /// The directorate of the record or case it is promised on.
    #[schema(example = "adults")]
    pub directorate: String,
    /// The feedback record it is promised on; exactly one of `feedback_id`
    /// and `ombudsman_case_id` is given.
    #[serde(default)]
    pub feedback_id: Option<i64>,
    /// The Ombudsman case it is promised on.
    #[serde(default)]
    pub ombudsman_case_id: Option<i64>,
    /// The recommendation of the case it carries out: its position in the
    /// case's `recommendations`, from 0; null if none.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub recommendation: Option<i32>,
    /// The remedy of the feedback record it delivers: its position in the
    /// record's `remedies`, from 0; null if none.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub remedy: Option<i32>,
    /// What was promised.
    #[schema(
        min_length = 1,
        max_length = 20000,
        example = "Apologise to Mrs Y in writing."
    )]
    pub description: String,
    /// The user who owns it: an active manager or caseworker of the
    /// directorate (or an admin); null when a team owns it (`owner_name`).
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// The team that owns it, when no one user does.
    #[serde(default)]
    #[schema(max_length = 200, example = "Financial Assessments")]
    pub owner_name: Option<String>,
    /// When it is due; null if no date was promised.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// When it was done; null while it is not. Not in the future.
    #[serde(default)]
    pub completed_on: Option<NaiveDate>,
    /// The evidence that it was done (free text).
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub evidence: Option<String>,
}

/// Read-only fields of an action.
pub const READ_ONLY: &[&str] = crate::read_only!("overdue", "late");

impl RequestBody for ActionInput {
    const READ_ONLY: &'static [&'static str] = READ_ONLY;
}

impl Validate for ActionInput {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        if self.description.trim().is_empty() {
            errors.add("description", "must say what was promised");
        }
        check_length(
            errors,
            "description",
            Some(&self.description),
            MAX_LONG_TEXT,
        );
        check_length(errors, "evidence", self.evidence.as_deref(), MAX_LONG_TEXT);
        check_length(
            errors,
            "owner_name",
            self.owner_name.as_deref(),
            MAX_SHORT_TEXT,
        );
        match (self.feedback_id, self.ombudsman_case_id) {
            (Some(_), Some(_)) => errors.add(
                "ombudsman_case_id",
                "an action is promised on a feedback record or a case, not both",
            ),
            (None, None) => errors.add("feedback_id", "is required (or ombudsman_case_id)"),
            _ => {}
        }
        if self.recommendation.is_some() && self.ombudsman_case_id.is_none() {
            errors.add("recommendation", "only applies to an action on a case");
        }
        if self.remedy.is_some() && self.feedback_id.is_none() {
            errors.add("remedy", "only applies to an action on a feedback record");
        }
        for (field, position) in [
            ("recommendation", self.recommendation),
            ("remedy", self.remedy),
        ] {
            if position.is_some_and(|p| p < 0) {
                errors.add(field, "must be a position from 0");
            }
        }
        if self.owner_id.is_some() && self.owner_name.is_some() {
            errors.add(
                "owner_name",
                "an action has a user or a team as owner, not both",
            );
        }
        if self.completed_on.is_some_and(|d| d > today) {
            errors.add("completed_on", "must not be in the future");
        }
    }
}

crate::patch_schema!(
    /// The body of an action `PATCH`.
    ActionPatch for ActionInput
);
