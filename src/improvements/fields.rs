//! The vocabulary and writable fields of a service improvement.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldErrors;
use crate::http::json::{PatchBody, RequestBody};
use crate::text_enum;
use crate::validation::Validate;

text_enum! {
    /// What kind of improvement.
    pub enum ImprovementKind {
        /// A change of policy.
        PolicyChange => "policy_change",
        /// A review of a procedure.
        ProcedureReview => "procedure_review",
        /// Training for staff.
        StaffTraining => "staff_training",
        /// A briefing or reminder to staff.
        StaffBriefing => "staff_briefing",
        /// Better information for the public.
        Communication => "communication",
        /// A change to a system.
        SystemChange => "system_change",
        /// Anything else.
        Other => "other",
    }
}

text_enum! {
    /// Where an improvement is.
    pub enum ImprovementStatus {
        /// Agreed, not started.
        Planned => "planned",
        /// Under way.
        InProgress => "in_progress",
        /// Done (with `completed_on`).
        Completed => "completed",
        /// Not going ahead.
        Cancelled => "cancelled",
    }
}

/// A service improvement as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImprovementInput {
    /// The directorate that agreed it.
    #[schema(example = "children")]
    pub directorate: String,
    /// What the council will do.
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = "\\S",
        example = "Issue a staff briefing on the statutory timescales for EHC Plan annual reviews."
    )]
    pub description: String,
    /// The Ombudsman case it comes from (same directorate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ombudsman_case_id: Option<i64>,
    /// The feedback record it comes from (same directorate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_id: Option<i64>,
    /// What kind of improvement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ImprovementKind>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200, example = "Education")]
    pub category: Option<String>,
    /// Sub-category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200, example = "Special educational needs")]
    pub sub_category: Option<String>,
    /// Who is responsible (team or post).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200, example = "Head of SEND")]
    pub owner: Option<String>,
    /// When it was agreed.
    pub agreed_on: NaiveDate,
    /// When it is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    /// When it was done (with status `completed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<NaiveDate>,
    /// The evidence that it was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)]
    pub evidence: Option<String>,
    /// Where it is (default `planned`).
    #[serde(default = "planned")]
    pub status: ImprovementStatus,
    /// Whether to include it in the public list of agreed improvements.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub published: bool,
}

fn planned() -> ImprovementStatus {
    ImprovementStatus::Planned
}

/// Read-only fields of an improvement.
pub const READ_ONLY: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "overdue",
];

fn text(errors: &mut FieldErrors, field: &str, value: Option<&str>, max: usize) {
    if value.is_some_and(|v| v.chars().count() > max) {
        errors.add(field, format!("must be at most {max} characters"));
    }
}

impl RequestBody for ImprovementInput {
    const READ_ONLY: &'static [&'static str] = READ_ONLY;
}

impl Validate for ImprovementInput {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        if self.description.trim().is_empty() {
            errors.add("description", "must not be blank");
        }
        text(errors, "description", Some(&self.description), 20_000);
        text(errors, "evidence", self.evidence.as_deref(), 20_000);
        for (field, value) in [
            ("category", &self.category),
            ("sub_category", &self.sub_category),
            ("owner", &self.owner),
        ] {
            text(errors, field, value.as_deref(), 200);
        }
        if self.agreed_on > today {
            errors.add("agreed_on", "must not be in the future");
        }
        if self.due_on.is_some_and(|d| d < self.agreed_on) {
            errors.add("due_on", "must not be before agreed_on");
        }
        match (self.status, self.completed_on) {
            (ImprovementStatus::Completed, None) => {
                errors.add("completed_on", "is required when the status is completed")
            }
            (ImprovementStatus::Completed, Some(done)) if done < self.agreed_on => {
                errors.add("completed_on", "must not be before agreed_on")
            }
            (ImprovementStatus::Completed, Some(done)) if done > today => {
                errors.add("completed_on", "must not be in the future")
            }
            (ImprovementStatus::Completed, Some(_)) => {}
            (_, Some(_)) => errors.add("completed_on", "only applies when the status is completed"),
            (_, None) => {}
        }
    }
}

/// The body of an improvement `PATCH` (JSON merge patch).
#[derive(Debug, ToSchema)]
pub struct ImprovementPatch {
    /// See [`ImprovementInput`].
    pub directorate: Option<String>,
    /// See [`ImprovementInput`].
    #[schema(min_length = 1, max_length = 20000, pattern = "\\S")]
    pub description: Option<String>,
    /// See [`ImprovementInput`].
    pub ombudsman_case_id: Option<i64>,
    /// See [`ImprovementInput`].
    pub feedback_id: Option<i64>,
    /// See [`ImprovementInput`].
    pub kind: Option<ImprovementKind>,
    /// See [`ImprovementInput`].
    #[schema(max_length = 200)]
    pub category: Option<String>,
    /// See [`ImprovementInput`].
    #[schema(max_length = 200)]
    pub sub_category: Option<String>,
    /// See [`ImprovementInput`].
    #[schema(max_length = 200)]
    pub owner: Option<String>,
    /// See [`ImprovementInput`].
    pub agreed_on: Option<NaiveDate>,
    /// See [`ImprovementInput`].
    pub due_on: Option<NaiveDate>,
    /// See [`ImprovementInput`].
    pub completed_on: Option<NaiveDate>,
    /// See [`ImprovementInput`].
    #[schema(max_length = 20000)]
    pub evidence: Option<String>,
    /// See [`ImprovementInput`].
    pub status: Option<ImprovementStatus>,
    /// See [`ImprovementInput`].
    pub published: Option<bool>,
}

impl PatchBody for ImprovementPatch {
    const READ_ONLY: &'static [&'static str] = READ_ONLY;
}
