//! Escalation: the next step of each complaints procedure.
//!
//! - `statutory_adults`: complaint → dissatisfaction → senior manager review;
//! - `statutory_children` and `corporate`: complaint stage 1 → 2 → 3;
//! - an informal complaint → a complaint at stage 1 of the procedure named.
//!
//! Anything else, or past the last step, is a conflict: the next step is the
//! Ombudsman.

use chrono::NaiveDate;
use serde_json::json;

use crate::error::ApiError;
use crate::feedback::fields::FeedbackInput;
use crate::feedback::model::FeedbackRow;
use crate::feedback::types::{Kind, Procedure};

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
/// step of its procedure (`procedure` names it for an informal complaint),
/// linked by `parent_id`, with the parent's directorate, complainant,
/// category and service area; everything else starts empty.
pub fn escalated(
    parent: &FeedbackRow,
    received_on: NaiveDate,
    procedure: Option<Procedure>,
) -> Result<FeedbackInput, ApiError> {
    let from = &parent.fields;
    let step = next(from.kind, from.procedure, from.stage, procedure)?;
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

/// The step after a record's, given the procedure the escalation names
/// (only an informal complaint's escalation names one).
pub fn next(
    kind: Kind,
    procedure: Option<Procedure>,
    stage: Option<i32>,
    requested: Option<Procedure>,
) -> Result<Step, ApiError> {
    if kind != Kind::InformalComplaint && requested.is_some() {
        return Err(ApiError::field(
            "procedure",
            "only applies when escalating an informal complaint; the procedure continues",
        ));
    }
    let last_step = || {
        ApiError::Conflict(format!(
            "A {kind} at this stage cannot be escalated further: the next step is the Ombudsman."
        ))
    };
    match (kind, procedure) {
        (Kind::InformalComplaint, _) => {
            let procedure = requested.ok_or_else(|| {
                ApiError::field("procedure", "is required to escalate an informal complaint")
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
                Some(s) if s < p.last_stage() => Ok(Step {
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
        for kind in [
            Kind::Compliment,
            Kind::Enquiry,
            Kind::MpEnquiry,
            Kind::Representation,
        ] {
            assert!(matches!(
                next(kind, None, None, None),
                Err(ApiError::Conflict(_))
            ));
        }
    }
}
