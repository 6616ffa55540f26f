//! The writable fields of an Ombudsman case, and the checks that need no
//! database.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldErrors;
use crate::http::json::RequestBody;
use crate::ombudsman::types::{Compliance, Decision, Ombudsman, RecommendationKind};
use crate::validation::{
    check_length, Validate, MAX_LONG_TEXT, MAX_MEDIUM_TEXT, MAX_PENCE, MAX_SHORT_TEXT,
};

/// One of the Ombudsman's enquiries to the council. It is late when
/// answered after its due date (the extended one, if the Ombudsman agreed
/// one), or still unanswered after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InformationRequest {
    /// When the Ombudsman asked.
    pub requested_on: NaiveDate,
    /// When the answer is due (the Ombudsman's original deadline).
    pub due_on: NaiveDate,
    /// When the council answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provided_on: Option<NaiveDate>,
    /// When the council asked the Ombudsman for more time: not before
    /// `requested_on`, not in the future. Asked on or after `due_on`, the
    /// extension was requested late.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_requested_on: Option<NaiveDate>,
    /// The new due date the Ombudsman agreed to: only with
    /// `extension_requested_on` (not before it), and after `due_on`. The
    /// request is then late only when answered after this date, or still
    /// unanswered after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_due_on: Option<NaiveDate>,
}

/// One of the Ombudsman's recommendations, as sent: with its `id` to keep
/// an existing one, without to add a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationInput {
    /// The id of an existing recommendation of this case, to keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// What kind of remedy.
    pub kind: RecommendationKind,
    /// What exactly was recommended (free text); null if not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Any payment, in pence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub amount_pence: Option<i64>,
    /// When it is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    /// When it was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<NaiveDate>,
}

/// An Ombudsman case as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// Which Ombudsman (default `lgsco`).
    #[serde(default = "default_ombudsman")]
    pub ombudsman: Ombudsman,
    /// The Ombudsman's reference, `NN NNN NNN`; unique.
    #[schema(pattern = "^[0-9]{2} [0-9]{3} [0-9]{3}$", example = "24 005 341")]
    pub reference: String,
    /// The directorate the case belongs to.
    #[schema(example = "adults")]
    pub directorate: String,
    /// The council complaint the case follows (same directorate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_id: Option<i64>,
    /// The Ombudsman's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200, example = "Education")]
    pub category: Option<String>,
    /// The Ombudsman's sub-category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200, example = "Special educational needs")]
    pub sub_category: Option<String>,
    /// The service the case is about (e.g. `SEND`); on creation, the
    /// linked complaint's when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200, example = "Financial Assessments")]
    pub service_area: Option<String>,
    /// Themes (e.g. `communication`), at most 50 of at most 100 characters,
    /// kept once each and answered in alphabetical order; on creation, the
    /// linked complaint's when none are given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 50, max_length = 100)]
    pub themes: Vec<String>,
    /// The Ombudsman's first contact.
    pub received_on: NaiveDate,
    /// What the complaint is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// The Ombudsman's enquiries to the council (at most 100).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 100)]
    pub information_requests: Vec<InformationRequest>,
    /// Whether the Ombudsman issued a witness summons: derived from
    /// `witness_summons_on` and never kept itself (the case answers it).
    /// Still accepted from older clients, where it agrees with the date:
    /// `true` only together with `witness_summons_on` (a lone `true` is 422:
    /// the statistics count summonses by the day they were issued, so give
    /// `witness_summons_on`), `false` only without it.
    // Accepted on the way in, never written out: the patch base, the audit
    // log and the stored case hold the dates only.
    #[serde(default, skip_serializing_if = "never")]
    pub witness_summons: Option<bool>,
    /// The day the Ombudsman reminded the council of its power to summon
    /// witnesses (a warning; no summons issued yet): not before
    /// `received_on`, not in the future. The LGSCO's annual letter reports
    /// such warnings beside the summonses issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness_summons_warned_on: Option<NaiveDate>,
    /// The day the Ombudsman issued a witness summons to the council: not
    /// before `received_on`, not in the future (before
    /// `witness_summons_warned_on` is fine: a summons may come without a
    /// warning recorded first). `witness_summons` is true when it is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness_summons_on: Option<NaiveDate>,
    /// The decision of the latest round (managers): a change corrects that
    /// round; a re-opened case's earlier rounds stay as they were decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// When the latest round was decided: required with `decision`, not
    /// before `received_on` nor `reopened_on` (managers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<NaiveDate>,
    /// Upheld, but the council had already provided a satisfactory remedy
    /// (only with `upheld`; managers).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remedied_before_ombudsman: bool,
    /// The day the Ombudsman re-opened the case, opening its latest decision
    /// round (see `decisions`); null for a case never re-opened. Set by
    /// `POST /ombudsman-cases/{id}/reopen`, not on creation; a `PATCH` may
    /// correct it (not before the previous round's `decided_on`, not after
    /// this round's, not in the future) but not clear it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopened_on: Option<NaiveDate>,
    /// Whether the Ombudsman published a report.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public_report: bool,
    /// The report's title (only with `public_report`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 500)]
    pub public_report_title: Option<String>,
    /// The day the report was published (only with `public_report`; not
    /// before `received_on`, not in the future).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_report_on: Option<NaiveDate>,
    /// The recommendations (only with `upheld`, or on a re-opened case one
    /// of whose rounds was upheld: they stay whatever the new round
    /// decides). A `PATCH` replaces the list; each keeps its `id` when sent
    /// back with it. At most 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 100)]
    pub recommendations: Vec<RecommendationInput>,
    /// Set explicitly by a manager (e.g. `not_complied`); otherwise derived
    /// from the recommendations. Only with `upheld` (or a re-opened case
    /// with an upheld round).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_outcome: Option<Compliance>,
    /// When the explicit compliance outcome was recorded (default: today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_recorded_on: Option<NaiveDate>,
}

fn default_ombudsman() -> Ombudsman {
    Ombudsman::Lgsco
}

/// Never serialise the field (see `witness_summons`).
fn never<T>(_: &T) -> bool {
    true
}

/// Read-only fields of a case.
pub const READ_ONLY: &[&str] = crate::read_only!(
    "decision_bucket",
    "information_requests_late",
    "overdue_recommendations",
    "compliance_derived",
    "handler_id",
    "investigator_id",
    "investigator_name"
);

/// Whether `reference` has the Ombudsman's form `NN NNN NNN`.
pub fn is_reference(reference: &str) -> bool {
    let bytes = reference.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            2 | 6 => *b == b' ',
            _ => b.is_ascii_digit(),
        })
}

impl RequestBody for CaseInput {
    const READ_ONLY: &'static [&'static str] = READ_ONLY;
}

impl Validate for CaseInput {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        if !is_reference(&self.reference) {
            errors.add(
                "reference",
                "must be the Ombudsman's reference, NN NNN NNN (e.g. 24 005 341)",
            );
        }
        if self.received_on > today {
            errors.add("received_on", "must not be in the future");
        }
        self.check_decision(today, errors);
        self.check_witness_summons(today, errors);
        check_length(errors, "category", self.category.as_deref(), MAX_SHORT_TEXT);
        check_length(
            errors,
            "sub_category",
            self.sub_category.as_deref(),
            MAX_SHORT_TEXT,
        );
        check_length(errors, "summary", self.summary.as_deref(), MAX_LONG_TEXT);
        check_length(
            errors,
            "public_report_title",
            self.public_report_title.as_deref(),
            MAX_TITLE,
        );
        check_requests(&self.information_requests, today, errors);
        check_recommendations(&self.recommendations, today, errors);
    }
}

impl CaseInput {
    /// The witness summons dates, and the older flag against them.
    fn check_witness_summons(&self, today: NaiveDate, errors: &mut FieldErrors) {
        for (field, date) in [
            ("witness_summons_warned_on", self.witness_summons_warned_on),
            ("witness_summons_on", self.witness_summons_on),
        ] {
            match date {
                Some(d) if d < self.received_on => {
                    errors.add(field, "must not be before received_on")
                }
                Some(d) if d > today => errors.add(field, "must not be in the future"),
                _ => {}
            }
        }
        match (self.witness_summons, self.witness_summons_on) {
            (Some(true), None) => errors.add(
                "witness_summons_on",
                "is required with witness_summons: true: give the day the summons was issued (the statistics count summonses by it)",
            ),
            (Some(false), Some(_)) => errors.add(
                "witness_summons",
                "contradicts witness_summons_on: to withdraw the summons, clear witness_summons_on",
            ),
            _ => {}
        }
    }
}

/// The longest public report title, in characters.
pub const MAX_TITLE: usize = 500;

impl CaseInput {
    /// The decision, and what only goes with an upheld one.
    fn check_decision(&self, today: NaiveDate, errors: &mut FieldErrors) {
        match (self.decision, self.decided_on) {
            (Some(_), None) => errors.add("decided_on", "is required with a decision"),
            (None, Some(_)) => errors.add("decided_on", "needs a decision"),
            (Some(_), Some(decided)) if decided < self.received_on => {
                errors.add("decided_on", "must not be before received_on")
            }
            (Some(_), Some(decided)) if decided > today => {
                errors.add("decided_on", "must not be in the future")
            }
            (Some(_), Some(decided)) if self.reopened_on.is_some_and(|r| decided < r) => {
                errors.add("decided_on", "must not be before reopened_on")
            }
            _ => {}
        }
        match self.reopened_on {
            Some(reopened) if reopened < self.received_on => {
                errors.add("reopened_on", "must not be before received_on")
            }
            Some(reopened) if reopened > today => {
                errors.add("reopened_on", "must not be in the future")
            }
            _ => {}
        }
        let upheld = self.decision == Some(Decision::Upheld);
        if self.remedied_before_ombudsman && !upheld {
            errors.add(
                "remedied_before_ombudsman",
                "only applies to an upheld decision",
            );
        }
        // A re-opened case keeps the recommendations (and compliance) of an
        // earlier upheld round whatever its new round decides: whether one
        // was upheld is checked against the stored rounds.
        let reopened = self.reopened_on.is_some();
        if !self.recommendations.is_empty() && !upheld && !reopened {
            errors.add(
                "recommendations",
                "only apply to an upheld decision (or to a re-opened case, with its reopened_on, one of whose rounds was upheld)",
            );
        }
        if self.compliance_outcome.is_some() && !upheld && !reopened {
            errors.add(
                "compliance_outcome",
                "only applies to an upheld decision (or to a re-opened case, with its reopened_on, one of whose rounds was upheld)",
            );
        }
        if self.compliance_recorded_on.is_some() && self.compliance_outcome.is_none() {
            errors.add("compliance_recorded_on", "needs a compliance_outcome");
        }
        if self.compliance_recorded_on.is_some_and(|d| d > today) {
            errors.add("compliance_recorded_on", "must not be in the future");
        }
        check_length(
            errors,
            "service_area",
            self.service_area.as_deref(),
            MAX_SHORT_TEXT,
        );
        crate::validation::check_themes(errors, &self.themes);
        if let Some(on) = self.public_report_on {
            if !self.public_report {
                errors.add("public_report_on", "only applies with public_report");
            } else if on < self.received_on {
                errors.add("public_report_on", "must not be before received_on");
            } else if on > today {
                errors.add("public_report_on", "must not be in the future");
            }
        }
        if self.public_report_title.is_some() && !self.public_report {
            errors.add("public_report_title", "only applies with public_report");
        }
    }
}

fn check_requests(requests: &[InformationRequest], today: NaiveDate, errors: &mut FieldErrors) {
    if requests.len() > 100 {
        errors.add("information_requests", "must list at most 100 requests");
    }
    for (i, request) in requests.iter().enumerate() {
        let at = |field: &str| format!("information_requests[{i}].{field}");
        if request.requested_on > today {
            errors.add(at("requested_on"), "must not be in the future");
        }
        if request.due_on < request.requested_on {
            errors.add(at("due_on"), "must not be before requested_on");
        }
        match request.provided_on {
            Some(p) if p < request.requested_on => {
                errors.add(at("provided_on"), "must not be before requested_on")
            }
            Some(p) if p > today => errors.add(at("provided_on"), "must not be in the future"),
            _ => {}
        }
        match request.extension_requested_on {
            Some(e) if e < request.requested_on => errors.add(
                at("extension_requested_on"),
                "must not be before requested_on",
            ),
            Some(e) if e > today => {
                errors.add(at("extension_requested_on"), "must not be in the future")
            }
            _ => {}
        }
        match (request.extended_due_on, request.extension_requested_on) {
            (Some(_), None) => errors.add(
                at("extended_due_on"),
                "needs extension_requested_on: the day the council asked for more time",
            ),
            (Some(extended), _) if extended <= request.due_on => {
                errors.add(at("extended_due_on"), "must be after due_on")
            }
            (Some(extended), Some(asked)) if extended < asked => errors.add(
                at("extended_due_on"),
                "must not be before extension_requested_on",
            ),
            _ => {}
        }
    }
}

fn check_recommendations(
    recommendations: &[RecommendationInput],
    today: NaiveDate,
    errors: &mut FieldErrors,
) {
    if recommendations.len() > 100 {
        errors.add("recommendations", "must list at most 100 recommendations");
    }
    let mut ids = std::collections::HashSet::new();
    for (i, rec) in recommendations.iter().enumerate() {
        let at = |field: &str| format!("recommendations[{i}].{field}");
        check_length(
            errors,
            &at("description"),
            rec.description.as_deref(),
            MAX_MEDIUM_TEXT,
        );
        if rec
            .amount_pence
            .is_some_and(|p| !(0..=MAX_PENCE).contains(&p))
        {
            errors.add(
                at("amount_pence"),
                "must be from 0 to 1000000000000 (£10 billion)",
            );
        }
        if rec.completed_on.is_some_and(|d| d > today) {
            errors.add(at("completed_on"), "must not be in the future");
        }
        if rec.id.is_some_and(|id| !ids.insert(id)) {
            errors.add(at("id"), "appears twice");
        }
    }
}

crate::patch_schema!(
    /// The body of a case `PATCH`.
    CasePatch for CaseInput
);

#[cfg(test)]
mod tests {
    use super::is_reference;

    #[test]
    fn references_have_the_ombudsmans_form() {
        assert!(is_reference("24 005 341"));
        for bad in [
            "24005341",
            "24 005 34",
            "2a 005 341",
            "24-005-341",
            " 24 005 34",
            "24 005 3411",
        ] {
            assert!(!is_reference(bad), "{bad}");
        }
    }
}
