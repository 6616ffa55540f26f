//! The timescales Redress ships (DOMAIN.md's table): written into a new
//! database once, after which the council's admins own them.
//!
//! Two versions: the rules from 1 April 2009 (when the adult social care
//! Regulations came into force; the earliest version also covers anything
//! received before it), and from 1 April 2026, when the Ombudsman applies
//! its Complaint Handling Code, which has two stages: the corporate
//! procedure's stage 3 ends for complaints received from that day.
//!
//! Where the Regulations set no cap on an extension, an extension may at
//! most double the target, as the corporate procedure's "10 more" and
//! "20 more" do; the senior manager review's three months and the children's
//! review panel, whose steps the 2006 Regulations fix, allow none.

use chrono::NaiveDate;

use crate::feedback::types::{Kind, Procedure};
use crate::timescales::rules::{
    Anchor, Limit, LimitFrom, Milestone, Rule, Span, Step, TimescaleVersion, Timescales,
};

use Span::{Months, WorkingDays};

/// The response, due within `within` of `from`.
const fn respond(within: Span, from: Anchor) -> Step {
    Step {
        milestone: Milestone::Response,
        within,
        from,
    }
}

/// A limit of `n` more working days after the target.
const fn more(n: u32) -> Option<Limit> {
    Some(Limit {
        within: WorkingDays(n),
        from: LimitFrom::Target,
        longer_by_agreement: false,
    })
}

fn complaint(
    procedure: Procedure,
    stage: i32,
    acknowledge: Option<u32>,
    steps: Vec<Step>,
    limit: Option<Limit>,
) -> Rule {
    Rule {
        kind: Kind::Complaint,
        procedure: Some(procedure),
        stage: Some(stage),
        acknowledge_working_days: acknowledge,
        steps,
        limit,
    }
}

fn other(kind: Kind, procedure: Option<Procedure>, response: Step, limit: Option<Limit>) -> Rule {
    Rule {
        kind,
        procedure,
        stage: None,
        acknowledge_working_days: None,
        steps: vec![response],
        limit,
    }
}

/// The rules every version shares: all but the corporate procedure.
fn common() -> Vec<Rule> {
    use Procedure::{StatutoryAdults, StatutoryChildren};
    vec![
        // The 2009 Regulations: six months beginning with the day of receipt
        // (regulation 14(2)), or a longer period agreed before they expire.
        complaint(
            StatutoryAdults,
            1,
            Some(3),
            vec![respond(WorkingDays(25), Anchor::Receipt)],
            Some(Limit {
                within: Months(6),
                from: LimitFrom::Receipt,
                longer_by_agreement: true,
            }),
        ),
        // The 2006 Regulations: stage 1 in 10 working days, up to 20.
        complaint(
            StatutoryChildren,
            1,
            None,
            vec![respond(WorkingDays(10), Anchor::Receipt)],
            Some(Limit {
                within: WorkingDays(20),
                from: LimitFrom::Receipt,
                longer_by_agreement: false,
            }),
        ),
        // Stage 2 in 25 working days, up to 65.
        complaint(
            StatutoryChildren,
            2,
            None,
            vec![respond(WorkingDays(25), Anchor::Receipt)],
            Some(Limit {
                within: WorkingDays(65),
                from: LimitFrom::Receipt,
                longer_by_agreement: false,
            }),
        ),
        // The review panel: meets within 30 working days of the request,
        // reports within 5 of meeting; the council responds within 15 of the
        // report.
        complaint(
            StatutoryChildren,
            3,
            None,
            vec![
                Step {
                    milestone: Milestone::PanelMeeting,
                    within: WorkingDays(30),
                    from: Anchor::Receipt,
                },
                Step {
                    milestone: Milestone::PanelReport,
                    within: WorkingDays(5),
                    from: Anchor::PanelMeeting,
                },
                respond(WorkingDays(15), Anchor::PanelReport),
            ],
            None,
        ),
        other(
            Kind::Dissatisfaction,
            Some(StatutoryAdults),
            respond(WorkingDays(25), Anchor::Receipt),
            more(25),
        ),
        other(
            Kind::SeniorManagerReview,
            Some(StatutoryAdults),
            respond(Months(3), Anchor::Receipt),
            None,
        ),
        other(
            Kind::MpEnquiry,
            None,
            respond(WorkingDays(10), Anchor::Receipt),
            more(10),
        ),
        other(
            Kind::CouncillorEnquiry,
            None,
            respond(WorkingDays(10), Anchor::Receipt),
            more(10),
        ),
        other(
            Kind::Enquiry,
            None,
            respond(WorkingDays(10), Anchor::Receipt),
            more(10),
        ),
        other(
            Kind::InformalComplaint,
            None,
            respond(WorkingDays(10), Anchor::Receipt),
            more(10),
        ),
    ]
}

/// The corporate procedure's stages 1 and 2: acknowledge within 5 working
/// days, respond within 10 (stage 2: 20) working days of acknowledging,
/// extend by at most 10 (20) more; the Complaint Handling Code keeps them.
fn corporate_stages_one_and_two() -> Vec<Rule> {
    vec![
        complaint(
            Procedure::Corporate,
            1,
            Some(5),
            vec![respond(WorkingDays(10), Anchor::Acknowledgement)],
            more(10),
        ),
        complaint(
            Procedure::Corporate,
            2,
            Some(5),
            vec![respond(WorkingDays(20), Anchor::Acknowledgement)],
            more(20),
        ),
    ]
}

/// The first day the Ombudsman applies the Complaint Handling Code.
pub fn code_applies_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default()
}

/// The shipped versions, oldest first.
pub fn versions() -> Vec<TimescaleVersion> {
    let mut before_code = common();
    before_code.extend(corporate_stages_one_and_two());
    // A stage 3 review by the Chief Executive in 20 working days.
    before_code.push(complaint(
        Procedure::Corporate,
        3,
        None,
        vec![respond(WorkingDays(20), Anchor::Receipt)],
        more(20),
    ));
    let mut code = common();
    code.extend(corporate_stages_one_and_two());
    vec![
        TimescaleVersion {
            effective_from: NaiveDate::from_ymd_opt(2009, 4, 1).unwrap_or_default(),
            rules: before_code,
        },
        TimescaleVersion {
            effective_from: code_applies_from(),
            rules: code,
        },
    ]
}

/// The shipped versions as one set.
pub fn timescales() -> Timescales {
    Timescales::new(versions())
}
