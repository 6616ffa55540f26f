//! The vocabulary and writable fields of a service improvement.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::service_improvements;
use crate::error::FieldErrors;
use crate::http::json::RequestBody;
use crate::text_enum;
use crate::validation::{check_length, Validate, MAX_LONG_TEXT, MAX_SHORT_TEXT};

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

/// A service improvement as written: the body of `POST
/// /service-improvements`, the fields a merge patch changes, and the row's
/// columns of the same names (one declaration for all three).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = service_improvements, treat_none_as_null = true)]
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
    /// The Ombudsman case it comes from (same directorate); null if none.
    pub ombudsman_case_id: Option<i64>,
    /// The feedback record it comes from (same directorate); null if none.
    pub feedback_id: Option<i64>,
    /// What kind of improvement; null if not classified.
    pub kind: Option<ImprovementKind>,
    /// The complaint category it answers (as on feedback records); null if none.
    #[schema(max_length = 200, example = "Education")]
    pub category: Option<String>,
    /// The sub-category, in more detail; null if none.
    #[schema(max_length = 200, example = "Special educational needs")]
    pub sub_category: Option<String>,
    /// Who is responsible (team or post).
    #[schema(max_length = 200, example = "Head of SEND")]
    pub owner: Option<String>,
    /// The day it was agreed (`YYYY-MM-DD`); not in the future.
    pub agreed_on: NaiveDate,
    /// The day it is due; null if no date was set.
    pub due_on: Option<NaiveDate>,
    /// The day it was done: required with status `completed`, and only then.
    pub completed_on: Option<NaiveDate>,
    /// The evidence that it was done (free text); null if none yet.
    #[schema(max_length = 20000)]
    pub evidence: Option<String>,
    /// Where it is (default `planned`).
    #[serde(default = "planned")]
    pub status: ImprovementStatus,
    /// Whether to include it in the public list of agreed improvements.
    #[serde(default)]
    pub published: bool,
}

impl ImprovementInput {
    /// An improvement of `directorate` agreed on `agreed_on` to do
    /// `description`, with every other field at its default (empty,
    /// `planned`, unpublished): what code that makes improvements (demo
    /// data, imports) starts from, so that a new field needs no edit there.
    pub fn new(
        directorate: &str,
        description: &str,
        agreed_on: NaiveDate,
    ) -> Result<ImprovementInput, serde_json::Error> {
        serde_json::from_value(serde_json::json!({
            "directorate": directorate,
            "description": description,
            "agreed_on": agreed_on,
        }))
    }
}

fn planned() -> ImprovementStatus {
    ImprovementStatus::Planned
}

/// Read-only fields of an improvement.
pub const READ_ONLY: &[&str] = crate::read_only!("overdue");

impl RequestBody for ImprovementInput {
    const READ_ONLY: &'static [&'static str] = READ_ONLY;
}

impl Validate for ImprovementInput {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        if self.description.trim().is_empty() {
            errors.add("description", "must not be blank");
        }
        check_length(
            errors,
            "description",
            Some(&self.description),
            MAX_LONG_TEXT,
        );
        check_length(errors, "evidence", self.evidence.as_deref(), MAX_LONG_TEXT);
        for (field, value) in [
            ("category", &self.category),
            ("sub_category", &self.sub_category),
            ("owner", &self.owner),
        ] {
            check_length(errors, field, value.as_deref(), MAX_SHORT_TEXT);
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

crate::patch_schema!(
    /// The body of an improvement `PATCH`.
    ImprovementPatch for ImprovementInput
);
