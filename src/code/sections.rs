//! The Code's sections as a self-assessment lists them, with the "We…"
//! statements Redress ships (the council edits them), and the year's
//! figures shown beside the measurable ones.

use serde::Serialize;
use utoipa::ToSchema;

use crate::code::measures::{CodeMeasures, PromisesKept, StageMeasures};
use crate::statistics::Rate;

/// A section of the Code as shipped.
#[derive(Debug, Clone, Copy)]
pub struct ShippedSection {
    /// Its key in an assessment.
    pub key: &'static str,
    /// Its heading, with the Code's section number.
    pub title: &'static str,
    /// The shipped "We…" statement.
    pub statement: &'static str,
}

/// The Code's sections, in its order (stages 1 and 2 of section 6 apart).
pub const SECTIONS: &[ShippedSection] = &[
    ShippedSection {
        key: "definitions",
        title: "1. Definition of a complaint",
        statement: "We accept any expression of dissatisfaction, however made, about our action or lack of action or the standard of our service as a complaint; we tell a first request for a service from a complaint; and we have no informal stage before stage 1.",
    },
    ShippedSection {
        key: "exclusions",
        title: "2. Exclusions",
        statement: "We refuse a complaint only for a reason our policy sets out and the Code allows, we explain the decision in writing, and we tell the complainant of their right to go to the Ombudsman.",
    },
    ShippedSection {
        key: "accessibility",
        title: "3. Accessibility and awareness",
        statement: "We make it easy to complain in more than one way, make reasonable adjustments and keep them under review, and publicise our complaints policy and the Ombudsman.",
    },
    ShippedSection {
        key: "complaint_handling_staff",
        title: "4. Complaint handling staff",
        statement: "We have a person or team responsible for complaints, with the authority, training and time to resolve them.",
    },
    ShippedSection {
        key: "handling_process",
        title: "5. The complaint handling process",
        statement: "We have a process of two stages, we record each complaint and what the complainant wants, and we keep the complainant informed.",
    },
    ShippedSection {
        key: "stage_1",
        title: "6. Complaint stages: stage 1",
        statement: "We acknowledge a complaint within 5 working days and respond within 10 working days of acknowledging it; where we need longer, no more than 10 working days more, we say why and give the Ombudsman's details.",
    },
    ShippedSection {
        key: "stage_2",
        title: "6. Complaint stages: stage 2",
        statement: "We acknowledge an escalation within 5 working days and respond within 20 working days of acknowledging it, extending by no more than 20 working days with reasons; someone who did not handle stage 1 responds, and that is our final response.",
    },
    ShippedSection {
        key: "putting_things_right",
        title: "7. Putting things right",
        statement: "Where something has gone wrong we put it right, saying what we will do and by when, and we follow it through.",
    },
    ShippedSection {
        key: "reporting",
        title: "8. Self-assessment, reporting and compliance",
        statement: "We publish an annual complaints performance and service improvement report with this self-assessment, take it to our governing body and publish its response, and repeat the self-assessment after a restructure or a change of procedure.",
    },
    ShippedSection {
        key: "learning",
        title: "9. Scrutiny and oversight: continuous learning and improvement",
        statement: "We use what complaints tell us to improve our services, and our Member Responsible for Complaints sees the learning and the figures.",
    },
];

/// The shipped section with `key`.
pub fn shipped(key: &str) -> Option<&'static ShippedSection> {
    SECTIONS.iter().find(|s| s.key == key)
}

/// One of the year's figures beside a section's answer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figure {
    /// Where the figure is in `GET /statistics/code`'s `measures`, e.g.
    /// `stage_1.acknowledged_in_time`.
    #[schema(example = "stage_1.acknowledged_in_time")]
    pub measure: String,
    /// What it is.
    pub label: String,
    /// The figure as a rate, where it is one.
    pub rate: Option<Rate>,
    /// The figure as a count, where it is one.
    pub count: Option<i64>,
    /// What the Code expects: `at least 90%`, `0`; null for a figure shown
    /// for information.
    pub expected: Option<String>,
    /// Whether the figure meets it; null for information, or when there is
    /// nothing to measure (no records).
    pub meets: Option<bool>,
}

impl Figure {
    fn info(measure: &str, label: &str, count: i64) -> Figure {
        Figure {
            measure: measure.into(),
            label: label.into(),
            rate: None,
            count: Some(count),
            expected: None,
            meets: None,
        }
    }

    fn zero_count(measure: &str, label: &str, count: i64) -> Figure {
        Figure {
            measure: measure.into(),
            label: label.into(),
            rate: None,
            count: Some(count),
            expected: Some("0".into()),
            meets: Some(count == 0),
        }
    }

    fn at_least(measure: &str, label: &str, rate: Rate, threshold: i32) -> Figure {
        Figure {
            measure: measure.into(),
            label: label.into(),
            rate: Some(rate),
            count: None,
            expected: Some(format!("at least {threshold}%")),
            meets: rate.percent.map(|p| p >= f64::from(threshold)),
        }
    }

    fn none_of(measure: &str, label: &str, rate: Rate) -> Figure {
        Figure {
            measure: measure.into(),
            label: label.into(),
            rate: Some(rate),
            count: None,
            expected: Some("0".into()),
            meets: (rate.denominator > 0).then_some(rate.numerator == 0),
        }
    }
}

/// What the figures of a section depend on besides the measures.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// The rate a timeliness figure must reach, in percent.
    pub threshold: i32,
    /// Whether the previous year's report was published, where the Code
    /// applied to that year.
    pub previous_report_published: Option<bool>,
    /// Service improvements agreed in the year.
    pub improvements_agreed: i64,
}

fn stage_figures(name: &str, stage: &StageMeasures, threshold: i32) -> Vec<Figure> {
    let at = |measure: &str| format!("{name}.{measure}");
    let days = if stage.stage == 1 { 10 } else { 20 };
    vec![
        Figure::at_least(
            &at("acknowledged_in_time"),
            "Acknowledged within 5 working days",
            stage.acknowledged_in_time,
            threshold,
        ),
        Figure::at_least(
            &at("responded_in_time_with_extensions"),
            &format!("Responded to within {days} working days of acknowledgement, or by an extension within the Code"),
            stage.responded_in_time_with_extensions,
            threshold,
        ),
        Figure::none_of(
            &at("extended_beyond_limit"),
            &format!("Extensions of more than {days} working days"),
            stage.extended_beyond_limit,
        ),
        Figure::none_of(
            &at("extended_without_reason"),
            "Extensions without a recorded reason",
            stage.extended_without_reason,
        ),
        Figure::none_of(
            &at("extended_without_notice"),
            "Extensions without notice to the complainant",
            stage.extended_without_notice,
        ),
    ]
}

fn kept(measure: &str, label: &str, promises: &PromisesKept, threshold: i32) -> Figure {
    let done_or_due = promises.on_time + promises.late + promises.overdue;
    Figure::at_least(
        measure,
        label,
        Rate::of(promises.on_time, done_or_due),
        threshold,
    )
}

/// The figures shown beside the section `key`: empty for a section the
/// records cannot measure.
pub fn figures(key: &str, m: &CodeMeasures, context: &Context) -> Vec<Figure> {
    let t = context.threshold;
    match key {
        "definitions" => vec![
            Figure::zero_count(
                "informal_complaints",
                "Informal complaints recorded (a \"stage 0\")",
                m.informal_complaints,
            ),
            Figure::info(
                "service_requests",
                "Service requests recorded",
                m.service_requests,
            ),
            Figure::info(
                "service_requests_became_complaints",
                "Service requests that became complaints",
                m.service_requests_became_complaints.numerator,
            ),
        ],
        "exclusions" => vec![
            Figure::info("refused", "Complaints refused", m.refused.numerator),
            Figure::at_least(
                "refusals_signposted",
                "Refusals that gave the Ombudsman's details",
                m.refusals_signposted,
                100,
            ),
        ],
        "stage_1" => stage_figures("stage_1", &m.stage_1, t),
        "stage_2" => {
            let mut figures = stage_figures("stage_2", &m.stage_2, t);
            figures.push(Figure::none_of(
                "stage_2_by_stage_1_handler",
                "Stage 2 handled by the stage 1 handler",
                m.stage_2_by_stage_1_handler,
            ));
            figures.push(Figure::info(
                "escalations_refused",
                "Escalations refused",
                m.escalations_refused.numerator,
            ));
            figures
        }
        "putting_things_right" => vec![
            kept(
                "remedies",
                "Remedies done by the date promised",
                &m.remedies,
                t,
            ),
            kept("actions", "Actions done by their due date", &m.actions, t),
        ],
        "reporting" => context
            .previous_report_published
            .map(|published| Figure {
                measure: "previous_report_published".into(),
                label: "The previous year's report was published".into(),
                rate: None,
                count: Some(i64::from(published)),
                expected: Some("1".into()),
                meets: Some(published),
            })
            .into_iter()
            .collect(),
        "learning" => vec![Figure::info(
            "service_improvements",
            "Service improvements agreed in the year",
            context.improvements_agreed,
        )],
        _ => Vec::new(),
    }
}
