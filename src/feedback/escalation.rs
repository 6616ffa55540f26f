//! Escalation: the next step of each complaints procedure.
//!
//! - `statutory_adults`: complaint → dissatisfaction → senior manager review;
//! - `statutory_children` and `corporate`: complaint stage 1 → 2 → 3, as far
//!   as the timescales in force name stages (the corporate procedure has two
//!   for complaints received from 1 April 2026);
//! - an informal complaint, an enquiry, an MP's or a councillor's enquiry →
//!   a complaint at stage 1 of the procedure named.
//!
//! Anything else, or past the last step, is a conflict: the next step is the
//! Ombudsman.

use chrono::NaiveDate;
use serde_json::json;

use crate::error::ApiError;
use crate::feedback::fields::FeedbackInput;
use crate::feedback::model::FeedbackRow;
use crate::feedback::types::{Kind, Procedure};
use crate::timescales::TimeRules;

/// The kind, procedure and stage of a new record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The new record's kind.
    pub kind: Kind,
    /// Its procedure.
    pub procedure: Option<Procedure>,
    /// Its stage.
    pub stage: Option<i32>,
}

/// The record that escalating `parent` on `received_on` creates: the next
/// step of its procedure under the timescales in force on `received_on`
/// (`procedure` names it for an informal complaint or an enquiry), linked by
/// `parent_id`, with the parent's directorate, complainant, category and
/// service area; everything else starts empty.
pub fn escalated(
    parent: &FeedbackRow,
    received_on: NaiveDate,
    procedure: Option<Procedure>,
    rules: &TimeRules,
) -> Result<FeedbackInput, ApiError> {
    let from = &parent.fields;
    let has_stage = |procedure, stage| rules.timescales.has_stage(procedure, stage, received_on);
    let step = next(from.kind, from.procedure, from.stage, procedure, has_stage)?;
    if received_on < from.received_on {
        return Err(ApiError::field(
            "received_on",
            "must not be before the escalated record's received_on",
        ));
    }
    Ok(serde_json::from_value(json!({
        "directorate": from.directorate,
        "kind": step.kind,
        "procedure": step.procedure,
        "stage": step.stage,
        "service_area": from.service_area,
        "category": from.category,
        "sub_category": from.sub_category,
        "complainant": from.complainant,
        "received_on": received_on,
        "parent_id": parent.id,
    }))?)
}

/// Whether escalating a record of `kind` starts a formal complaint, whose
/// procedure the escalation names.
fn starts_a_complaint(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::InformalComplaint
            | Kind::Enquiry
            | Kind::ServiceRequest
            | Kind::MpEnquiry
            | Kind::CouncillorEnquiry
    )
}

/// The step after a record's, given the procedure the escalation names
/// (only the escalation of an informal complaint or an enquiry names one)
/// and which stages each procedure has.
pub fn next(
    kind: Kind,
    procedure: Option<Procedure>,
    stage: Option<i32>,
    requested: Option<Procedure>,
    has_stage: impl Fn(Procedure, i32) -> bool,
) -> Result<Step, ApiError> {
    if !starts_a_complaint(kind) && requested.is_some() {
        return Err(ApiError::field(
            "procedure",
            "only applies when escalating an informal complaint or an enquiry; the procedure continues",
        ));
    }
    let last_step = || {
        ApiError::Conflict(format!(
            "A {kind} at this stage cannot be escalated further: the next step is the Ombudsman."
        ))
    };
    match (kind, procedure) {
        (kind, _) if starts_a_complaint(kind) => {
            let procedure = requested.ok_or_else(|| {
                ApiError::field(
                    "procedure",
                    format!("is required to escalate a {kind} to a complaint"),
                )
            })?;
            Ok(Step {
                kind: Kind::Complaint,
                procedure: Some(procedure),
                stage: Some(1),
            })
        }
        (Kind::Complaint, Some(Procedure::StatutoryAdults)) => Ok(Step {
            kind: Kind::Dissatisfaction,
            procedure: Some(Procedure::StatutoryAdults),
            stage: None,
        }),
        (Kind::Dissatisfaction, Some(Procedure::StatutoryAdults)) => Ok(Step {
            kind: Kind::SeniorManagerReview,
            procedure: Some(Procedure::StatutoryAdults),
            stage: None,
        }),
        (Kind::Complaint, Some(p @ (Procedure::StatutoryChildren | Procedure::Corporate))) => {
            match stage {
                Some(s) if has_stage(p, s + 1) => Ok(Step {
                    kind: Kind::Complaint,
                    procedure: Some(p),
                    stage: Some(s + 1),
                }),
                _ => Err(last_step()),
            }
        }
        _ => Err(last_step()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Procedure::*;

    /// Every procedure's stages as the rules before the Complaint Handling
    /// Code name them.
    fn three_stages(procedure: Procedure, stage: i32) -> bool {
        stage <= procedure.last_stage()
    }

    fn next(
        kind: Kind,
        procedure: Option<Procedure>,
        stage: Option<i32>,
        requested: Option<Procedure>,
    ) -> Result<Step, ApiError> {
        super::next(kind, procedure, stage, requested, three_stages)
    }

    fn step(kind: Kind, procedure: Option<Procedure>, stage: Option<i32>) -> Step {
        Step {
            kind,
            procedure,
            stage,
        }
    }

    #[test]
    fn the_chains_of_each_procedure() {
        assert_eq!(
            next(Kind::Complaint, Some(StatutoryAdults), Some(1), None).unwrap(),
            step(Kind::Dissatisfaction, Some(StatutoryAdults), None)
        );
        assert_eq!(
            next(Kind::Dissatisfaction, Some(StatutoryAdults), None, None).unwrap(),
            step(Kind::SeniorManagerReview, Some(StatutoryAdults), None)
        );
        assert!(matches!(
            next(Kind::SeniorManagerReview, Some(StatutoryAdults), None, None),
            Err(ApiError::Conflict(_))
        ));
        for p in [StatutoryChildren, Corporate] {
            assert_eq!(
                next(Kind::Complaint, Some(p), Some(1), None).unwrap(),
                step(Kind::Complaint, Some(p), Some(2))
            );
            assert_eq!(
                next(Kind::Complaint, Some(p), Some(2), None).unwrap(),
                step(Kind::Complaint, Some(p), Some(3))
            );
            assert!(matches!(
                next(Kind::Complaint, Some(p), Some(3), None),
                Err(ApiError::Conflict(_))
            ));
        }
        assert_eq!(
            next(Kind::InformalComplaint, None, None, Some(Corporate)).unwrap(),
            step(Kind::Complaint, Some(Corporate), Some(1))
        );
        assert!(matches!(
            next(Kind::InformalComplaint, None, None, None),
            Err(ApiError::Validation(_))
        ));
        assert!(matches!(
            next(Kind::Complaint, Some(Corporate), Some(1), Some(Corporate)),
            Err(ApiError::Validation(_))
        ));
        for kind in [Kind::Compliment, Kind::Comment, Kind::Representation] {
            assert!(matches!(
                next(kind, None, None, None),
                Err(ApiError::Conflict(_))
            ));
        }
    }

    #[test]
    fn enquiries_become_complaints_under_the_procedure_named() {
        for kind in [Kind::Enquiry, Kind::MpEnquiry, Kind::CouncillorEnquiry] {
            assert_eq!(
                next(kind, None, None, Some(StatutoryChildren)).unwrap(),
                step(Kind::Complaint, Some(StatutoryChildren), Some(1))
            );
            assert!(matches!(
                next(kind, None, None, None),
                Err(ApiError::Validation(_))
            ));
        }
    }

    #[test]
    fn a_stage_the_rules_do_not_name_is_the_end_of_the_procedure() {
        let two_stages = |_: Procedure, stage: i32| stage <= 2;
        assert!(matches!(
            super::next(Kind::Complaint, Some(Corporate), Some(2), None, two_stages),
            Err(ApiError::Conflict(_))
        ));
        assert_eq!(
            super::next(Kind::Complaint, Some(Corporate), Some(1), None, two_stages).unwrap(),
            step(Kind::Complaint, Some(Corporate), Some(2))
        );
    }
}
