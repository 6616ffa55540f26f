//! `redress demo`: a synthetic but realistic data set for an empty
//! database, so the frontend team has something real to build against.
//!
//! Six financial years (2021-22 to today) for the three directorates: every
//! kind of feedback, escalations linked to their complaints, Ombudsman cases
//! with information requests and recommendations, and service improvements.
//! The adult social care figures of 2024-25 equal the published annual
//! report's (DOMAIN.md), and the council's Ombudsman figures for 2024-25
//! equal the LGSCO's published page. People are plainly fake
//! ("Test Person 123", `@example.invalid`). Outside those published figures,
//! the Ombudsman's cases also show a case re-opened and decided again in a
//! later year, a PHSO case and a joint case, a warned-then-summoned case, and
//! information requests with extensions, some asked for late.
//!
//! A module of the binary, not of the library: it builds records only
//! through the library's public API. The integration tests include it too.

mod generators;

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use redress::audit::Actor;
use redress::db::DbConnection;
use redress::error::ApiError;
use redress::feedback::fields::{Complainant, FeedbackInput, Remedy};
use redress::feedback::types::{Channel, Kind, Outcome, Procedure, Relationship, RemedyKind};
use redress::improvements::fields::{ImprovementInput, ImprovementKind, ImprovementStatus};
use redress::improvements::model::ImprovementRow;
use redress::ombudsman::fields::{CaseInput, InformationRequest, RecommendationInput};
use redress::ombudsman::model::CaseRecord;
use redress::ombudsman::types::{Decision, Ombudsman, RecommendationKind};
use redress::settings::model::{AuthorityType, Benchmark, Settings};
use redress::statistics::Period;
use redress::timescales::clock::Dates;
use redress::timescales::TimeRules;

use generators::{
    case_reference, day_between, information_request, pick, test_person, DIRECTORATES,
};

/// What the demo loaded.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    /// Feedback records.
    pub feedback: usize,
    /// Ombudsman cases.
    pub ombudsman_cases: usize,
    /// Service improvements.
    pub service_improvements: usize,
}

/// `[("a", 2), ("b", 1)]` → `["a", "a", "b"]`.
fn spread<T: Copy>(counts: &[(T, usize)]) -> Vec<T> {
    counts
        .iter()
        .flat_map(|(v, n)| std::iter::repeat_n(*v, *n))
        .collect()
}

const FIRST_NAMES: [&str; 12] = [
    "Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Jamie", "Morgan", "Taylor", "Casey", "Jordan",
    "Avery",
];

/// The generator: a seeded random source, and the calendar and timescales.
struct Gen<'a> {
    rng: StdRng,
    rules: &'a TimeRules,
    today: NaiveDate,
    serial: usize,
}

impl Gen<'_> {
    /// A weekday between `from` and `to` (inclusive), never after today.
    fn day(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let to = to.min(self.today);
        let from = from.min(to);
        for _ in 0..10 {
            let d = day_between(&mut self.rng, from, to);
            if self.rules.calendar.is_working_day(d) {
                return d;
            }
        }
        from
    }

    fn person(&mut self, relationship: Relationship, young: bool) -> Complainant {
        self.serial += 1;
        let first = pick(&mut self.rng, &FIRST_NAMES);
        Complainant {
            name: Some(format!("{first} {}", test_person(self.serial))),
            email: Some(format!("person{}@example.invalid", self.serial)),
            phone: None,
            address: None,
            relationship: Some(relationship),
            // Young people aged 11 to 17 (from the serial, not the random
            // stream, so that the rest of the data set stays as it was).
            date_of_birth: young
                .then(|| {
                    self.today.checked_sub_months(chrono::Months::new(
                        12 * (11 + (self.serial % 7) as u32),
                    ))
                })
                .flatten(),
            is_young_person: Some(young),
            advocate_assisted: Some(young && self.rng.gen_bool(0.6)),
        }
    }

    /// A response date inside or outside the record's target, as asked.
    fn responded(
        &mut self,
        kind: Kind,
        procedure: Option<Procedure>,
        stage: Option<i32>,
        received: NaiveDate,
        late: bool,
    ) -> NaiveDate {
        let clock = self
            .rules
            .clock(kind, procedure, stage, &Dates::received(received), received);
        let due = clock.due_on.unwrap_or(received + Duration::days(14));
        let answer = if late {
            let latest = clock
                .limit_on
                .filter(|l| *l > due)
                .unwrap_or(due + Duration::days(30));
            self.day(
                due + Duration::days(1),
                latest.min(due + Duration::days(30)),
            )
        } else {
            self.day(received + Duration::days(1), due)
        };
        answer.max(received)
    }

    /// Who brings a record of `kind` (a young person speaks for themselves),
    /// and how it reaches the council.
    fn contact(&mut self, kind: Kind, young: bool) -> (Relationship, Channel) {
        let relationship = match kind {
            Kind::MpEnquiry => Relationship::Mp,
            Kind::CouncillorEnquiry => Relationship::Councillor,
            _ if young => Relationship::OwnBehalf,
            _ => *[
                Relationship::OwnBehalf,
                Relationship::Representative,
                Relationship::Representative,
            ]
            .choose(&mut self.rng)
            .unwrap_or(&Relationship::OwnBehalf),
        };
        let channel = *[
            Channel::Email,
            Channel::Email,
            Channel::Phone,
            Channel::Web,
            Channel::Letter,
        ]
        .choose(&mut self.rng)
        .unwrap_or(&Channel::Email);
        (relationship, channel)
    }

    /// An apology, for some of the complaints upheld in whole or part.
    fn remedies(&mut self, outcome: Option<Outcome>, responded: Option<NaiveDate>) -> Vec<Remedy> {
        match outcome {
            Some(Outcome::Upheld | Outcome::PartiallyUpheld) if self.rng.gen_bool(0.4) => {
                // The written apology is promised within 10 days of the
                // response; one in seven goes out a few days late.
                let due_on = responded.map(|d| d + Duration::days(10));
                let late = responded.is_some_and(|d| d.day() % 7 == 0);
                let completed_on = responded
                    .map(|d| d + Duration::days(if late { 14 } else { 5 }))
                    .filter(|d| *d <= self.today);
                vec![Remedy {
                    kind: RemedyKind::Apology,
                    description: Some("Apology for the way the matter was handled.".into()),
                    amount_pence: None,
                    agreed_on: responded,
                    due_on,
                    completed_on,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// A record with its person, channel, acknowledgement and remedies.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        directorate: &str,
        kind: Kind,
        procedure: Option<Procedure>,
        stage: Option<i32>,
        received: NaiveDate,
        responded: Option<NaiveDate>,
        category: Option<(&str, Option<&str>)>,
        outcome: Option<Outcome>,
    ) -> FeedbackInput {
        let young = directorate == "children" && self.rng.gen_bool(0.35);
        let (relationship, channel) = self.contact(kind, young);
        let acknowledged = self
            .rules
            .rule(kind, procedure, stage, received)
            .and_then(|rule| rule.acknowledge_working_days)
            .map(|n| self.rules.calendar.add_working_days(received, n.min(2)))
            .filter(|a| *a <= self.today && responded.is_none_or(|r| *a <= r));
        let remedies = self.remedies(outcome, responded);
        FeedbackInput {
            directorate: directorate.to_string(),
            kind,
            procedure,
            stage,
            service_area: None,
            team: None,
            category: category.map(|(c, _)| c.to_string()),
            sub_category: category.and_then(|(_, s)| s.map(str::to_string)),
            themes: Vec::new(),
            summary: Some(format!(
                "Synthetic demo record: {} about {}.",
                kind.as_str().replace('_', " "),
                category.map(|c| c.0).unwrap_or("a service")
            )),
            channel: Some(channel),
            complainant: Some(self.person(relationship, young)),
            received_on: received,
            acknowledged_on: acknowledged,
            panel_held_on: None,
            panel_report_on: None,
            responded_on: responded,
            closed_on: responded,
            extended_due_on: None,
            extension_reason: None,
            extension_agreed_on: None,
            outcome: if kind.is_complaint_like() {
                responded.map(|_| outcome.unwrap_or(Outcome::NotUpheld))
            } else {
                None
            },
            remedies,
            learning: None,
            parent_id: None,
            reopened: false,
            external_ref: None,
            refused_on: None,
            refusal_reason: None,
            refusal_details: None,
            ombudsman_signposted: false,
            escalation_refused_on: None,
            escalation_refusal_reason: None,
            reasonable_adjustments: None,
            adjustments_review_on: None,
            extension_notified_on: None,
        }
    }
}

/// Reasons for adult social care complaints, with sub-categories, as the
/// 2024-25 report breaks them down (the published table's missing three are in Other).
/// A main reason, its sub-categories with their counts, and its total.
type Reason = (&'static str, &'static [(&'static str, usize)], usize);

const ADULT_REASONS: &[Reason] = &[
    (
        "Charging",
        &[
            ("Outcome of financial assessment", 19),
            ("Not informed about charges", 18),
            ("Accuracy of invoicing", 12),
            ("Debt recovery", 8),
            ("Delay in financial assessment", 6),
            ("Other charging issue", 3),
        ],
        66,
    ),
    (
        "Care Assessment",
        &[
            ("Need for more support", 23),
            ("Support options", 11),
            ("Information in the assessment", 8),
            ("Delay in assessment", 3),
            ("Factual inaccuracy", 3),
            ("Involvement of family", 3),
        ],
        51,
    ),
    (
        "Home Care",
        &[
            ("Standard of care", 19),
            ("Timeliness of care calls", 2),
            ("Attitude of staff", 2),
        ],
        23,
    ),
    ("Other", &[], 23),
    (
        "Residential Care",
        &[("Choice of placement", 8), ("Standard of care", 9)],
        17,
    ),
    (
        "Social Care Team",
        &[
            ("Lack of support or action", 6),
            ("Poor communication", 3),
            ("Conduct of staff", 2),
        ],
        11,
    ),
    (
        "Safeguarding",
        &[
            ("How the safeguarding was conducted", 5),
            ("Lack of action", 2),
            ("Poor communication", 2),
            ("Pursued through safeguarding", 1),
        ],
        10,
    ),
    ("Supported living", &[], 5),
    ("Unpaid Carers", &[], 4),
    ("Corporate", &[], 4),
    ("Direct Payments", &[], 3),
];

fn adult_reasons() -> Vec<(&'static str, Option<&'static str>)> {
    let mut out = Vec::new();
    for (category, subs, total) in ADULT_REASONS {
        let mut n = 0;
        for (sub, count) in subs.iter() {
            for _ in 0..*count {
                out.push((*category, Some(*sub)));
            }
            n += count;
        }
        for _ in n..*total {
            out.push((*category, None));
        }
    }
    out
}

const CHILDREN_REASONS: &[(&str, Option<&str>)] = &[
    ("Social work", Some("Communication")),
    ("Child protection", Some("Assessment")),
    ("Special educational needs", Some("EHC plan timescales")),
    ("Special educational needs", Some("Provision not delivered")),
    ("School transport", Some("Eligibility")),
    ("Children in care", None),
];
const CORPORATE_REASONS: &[(&str, Option<&str>)] = &[
    ("Highways", Some("Potholes")),
    ("Highways", Some("Street lighting")),
    ("Waste", Some("Recycling centres")),
    ("Libraries", None),
    ("Council tax", None),
    ("Staff conduct", None),
];

/// Published adult social care volumes (received) for the years before 2024-25.
const ADULT_HISTORY: &[(i32, [(Kind, usize); 8])] = &[
    (
        2021,
        [
            (Kind::CouncillorEnquiry, 18),
            (Kind::MpEnquiry, 57),
            (Kind::Compliment, 440),
            (Kind::Representation, 8),
            (Kind::Enquiry, 91),
            (Kind::InformalComplaint, 66),
            (Kind::Complaint, 226),
            (Kind::SeniorManagerReview, 19),
        ],
    ),
    (
        2022,
        [
            (Kind::CouncillorEnquiry, 20),
            (Kind::MpEnquiry, 72),
            (Kind::Compliment, 366),
            (Kind::Representation, 4),
            (Kind::Enquiry, 27),
            (Kind::InformalComplaint, 160),
            (Kind::Complaint, 259),
            (Kind::SeniorManagerReview, 27),
        ],
    ),
    // Less the records received late in 2023-24 and answered in 2024-25,
    // which the 2024-25 figures carry over (5 complaints, 2 MP enquiries,
    // 1 councillor enquiry, 4 informal complaints, 6 reviews).
    (
        2023,
        [
            (Kind::CouncillorEnquiry, 10),
            (Kind::MpEnquiry, 90),
            (Kind::Compliment, 367),
            (Kind::Representation, 2),
            (Kind::Enquiry, 95),
            (Kind::InformalComplaint, 119),
            (Kind::Complaint, 278),
            (Kind::SeniorManagerReview, 36),
        ],
    ),
];

fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    rules: &TimeRules,
    records: &[FeedbackInput],
) -> Result<Vec<i64>, ApiError> {
    redress::feedback::model::bulk_insert(conn, actor, records, rules, "demo")
}

/// A generic year of one directorate's feedback, with complaints linked to
/// their escalations.
#[allow(clippy::too_many_arguments)]
fn ordinary_year(
    g: &mut Gen,
    conn: &mut DbConnection,
    actor: &Actor,
    directorate: &str,
    year: i32,
    volumes: &[(Kind, usize)],
    reasons: &[(&str, Option<&str>)],
) -> Result<usize, ApiError> {
    let Period { from, to, .. } = Period::financial_year(year);
    if from > g.today {
        return Ok(0);
    }
    let mut records = Vec::new();
    for (kind, count) in volumes {
        for _ in 0..*count {
            records.push(ordinary_record(g, directorate, *kind, from, to, reasons));
        }
    }
    Ok(insert(conn, actor, g.rules, &records)?.len())
}

/// The procedure and stage of a record of `kind` in `directorate` received
/// on `received`: corporate complaints reach stage 3 only while the rules in
/// force have one (before the Complaint Handling Code, 1 April 2026).
fn procedure_and_stage(
    g: &mut Gen,
    kind: Kind,
    directorate: &str,
    received: NaiveDate,
) -> (Option<Procedure>, Option<i32>) {
    match (kind, directorate) {
        (Kind::Complaint, "adults") => (Some(Procedure::StatutoryAdults), Some(1)),
        (Kind::Complaint, "children") if g.rng.gen_bool(0.6) => (
            Some(Procedure::StatutoryChildren),
            Some(*[1, 1, 1, 1, 2, 3].choose(&mut g.rng).unwrap_or(&1)),
        ),
        (Kind::Complaint, _) => {
            let three = g
                .rules
                .timescales
                .has_stage(Procedure::Corporate, 3, received);
            let stages: &[i32] = if three {
                &[1, 1, 1, 1, 2, 3]
            } else {
                &[1, 1, 1, 1, 2]
            };
            (
                Some(Procedure::Corporate),
                Some(*stages.choose(&mut g.rng).unwrap_or(&1)),
            )
        }
        (Kind::Dissatisfaction | Kind::SeniorManagerReview, _) => {
            (Some(Procedure::StatutoryAdults), None)
        }
        _ => (None, None),
    }
}

/// The children's stage 3 review panel of a request received on
/// `received`: it meets, reports and the council responds, each step
/// sometimes late, as far as today has come. Sets the panel dates and the
/// response (`None` while open).
fn review_panel(g: &mut Gen, record: &mut FeedbackInput) {
    let calendar = &g.rules.calendar;
    let held = calendar.add_working_days(record.received_on, g.rng.gen_range(18..=34));
    let report = calendar.add_working_days(held, g.rng.gen_range(2..=7));
    let responded = calendar.add_working_days(report, g.rng.gen_range(8..=18));
    record.panel_held_on = (held <= g.today).then_some(held);
    record.panel_report_on = (report <= g.today).then_some(report);
    record.responded_on = (responded <= g.today).then_some(responded);
    record.closed_on = record.responded_on;
    record.outcome = record
        .responded_on
        .map(|_| record.outcome.unwrap_or(Outcome::PartiallyUpheld));
    if record.responded_on.is_none() {
        record.remedies.clear();
    }
}

/// `YYYY-MM-DD` as a date (the examples' dates are literals).
fn on(text: &str) -> NaiveDate {
    text.parse().unwrap_or_default()
}

/// A handful of records that show the statutory rules at work, each where
/// today has reached it: a longer period agreed before the six months ran
/// out, a review panel's three steps, a dissatisfaction answered by a senior
/// manager review (outcome `escalated`), an MP enquiry that became a
/// complaint, and corporate complaints either side of the Complaint
/// Handling Code (1 April 2026).
fn statutory_examples(
    g: &mut Gen,
    conn: &mut DbConnection,
    actor: &Actor,
) -> Result<usize, ApiError> {
    let mut loaded = 0;
    let reached = |g: &Gen, record: &FeedbackInput| {
        [
            record.responded_on,
            record.extension_agreed_on,
            record.panel_report_on,
        ]
        .into_iter()
        .flatten()
        .all(|d| d <= g.today)
            && record.received_on <= g.today
    };
    let mut singles = Vec::new();
    // Six months from 12 May 2025 end on 11 November; a longer period was
    // agreed on 20 October, to 19 December.
    let mut agreed = g.record(
        "adults",
        Kind::Complaint,
        Some(Procedure::StatutoryAdults),
        Some(1),
        on("2025-05-12"),
        Some(on("2025-12-15")),
        Some(("Care Assessment", Some("Need for more support"))),
        Some(Outcome::PartiallyUpheld),
    );
    agreed.extended_due_on = Some(on("2025-12-19"));
    agreed.extension_agreed_on = Some(on("2025-10-20"));
    agreed.extension_reason =
        Some("The family asked for a joint meeting with the care provider.".into());
    singles.push(agreed);
    // A review panel that met and reported in time.
    let mut panel = g.record(
        "children",
        Kind::Complaint,
        Some(Procedure::StatutoryChildren),
        Some(3),
        on("2025-09-01"),
        Some(on("2025-10-24")),
        Some(("Social work", None)),
        Some(Outcome::PartiallyUpheld),
    );
    panel.panel_held_on = Some(on("2025-10-06"));
    panel.panel_report_on = Some(on("2025-10-10"));
    singles.push(panel);
    // Corporate complaints: a stage 3 before the Code, a stage 2 after it.
    for (stage, received, responded) in [
        (3, "2026-02-16", "2026-03-13"),
        (2, "2026-05-11", "2026-06-05"),
    ] {
        singles.push(g.record(
            "corporate",
            Kind::Complaint,
            Some(Procedure::Corporate),
            Some(stage),
            on(received),
            Some(on(responded)),
            Some(("Waste and recycling", None)),
            Some(Outcome::NotUpheld),
        ));
    }
    singles.retain(|r| reached(g, r));
    loaded += insert(conn, actor, g.rules, &singles)?.len();

    // Parents and the records escalated from them.
    let mut dissatisfaction = g.record(
        "adults",
        Kind::Dissatisfaction,
        Some(Procedure::StatutoryAdults),
        None,
        on("2025-07-07"),
        Some(on("2025-08-01")),
        Some(("Charging", None)),
        Some(Outcome::Escalated),
    );
    dissatisfaction.outcome = Some(Outcome::Escalated);
    let review = g.record(
        "adults",
        Kind::SeniorManagerReview,
        Some(Procedure::StatutoryAdults),
        None,
        on("2025-08-05"),
        Some(on("2025-10-30")),
        Some(("Charging", None)),
        Some(Outcome::PartiallyUpheld),
    );
    let enquiry = g.record(
        "corporate",
        Kind::MpEnquiry,
        None,
        None,
        on("2025-06-02"),
        Some(on("2025-06-13")),
        Some(("Highways", None)),
        None,
    );
    let complaint = g.record(
        "corporate",
        Kind::Complaint,
        Some(Procedure::Corporate),
        Some(1),
        on("2025-06-20"),
        Some(on("2025-07-18")),
        Some(("Highways", None)),
        Some(Outcome::Upheld),
    );
    for (parent, mut child) in [(dissatisfaction, review), (enquiry, complaint)] {
        if !reached(g, &parent) || !reached(g, &child) {
            continue;
        }
        child.complainant = parent.complainant.clone();
        let ids = insert(conn, actor, g.rules, std::slice::from_ref(&parent))?;
        child.parent_id = ids.first().copied();
        loaded += 1 + insert(conn, actor, g.rules, &[child])?.len();
    }
    Ok(loaded)
}

/// One record of a generic year (`from` to `to`): answered if it is old
/// enough, sometimes late, with a reason and an outcome.
fn ordinary_record(
    g: &mut Gen,
    directorate: &str,
    kind: Kind,
    from: NaiveDate,
    to: NaiveDate,
    reasons: &[(&str, Option<&str>)],
) -> FeedbackInput {
    let received = g.day(from, to);
    let (procedure, stage) = procedure_and_stage(g, kind, directorate, received);
    let answered = match g.today - received {
        age if age.num_days() > 90 => true,
        age if age.num_days() > 15 => g.rng.gen_bool(0.7),
        _ => g.rng.gen_bool(0.2),
    };
    let late = g.rng.gen_bool(0.3);
    // Past years close within the year, so each year's figures are its own.
    let responded = answered.then(|| {
        let answer = g.responded(kind, procedure, stage, received, late);
        if to < g.today {
            answer.min(to).max(received)
        } else {
            answer
        }
    });
    let category = match kind {
        Kind::Compliment | Kind::Comment | Kind::Representation => None,
        _ => reasons.choose(&mut g.rng).copied(),
    };
    let outcome = *[
        Outcome::PartiallyUpheld,
        Outcome::PartiallyUpheld,
        Outcome::Upheld,
        Outcome::NotUpheld,
        Outcome::NotUpheld,
        Outcome::Withdrawn,
        Outcome::Resolved,
    ]
    .choose(&mut g.rng)
    .unwrap_or(&Outcome::NotUpheld);
    let outcome = if kind == Kind::InformalComplaint {
        Outcome::Resolved
    } else if outcome == Outcome::Resolved {
        Outcome::NotUpheld
    } else {
        outcome
    };
    let mut record = g.record(
        directorate,
        kind,
        procedure,
        stage,
        received,
        responded,
        category,
        Some(outcome),
    );
    if procedure == Some(Procedure::StatutoryChildren) && stage == Some(3) {
        review_panel(g, &mut record);
    }
    if directorate == "children" {
        children_service_and_themes(&mut record);
    }
    record
}

/// A children's record's service, themes, extension and reopening, as a
/// children's annual report breaks them down, chosen from what it is about
/// and when it came (no random draw, so the rest of the data set stays as
/// it was).
fn children_service_and_themes(record: &mut FeedbackInput) {
    let service = match record.category.as_deref() {
        Some("Special educational needs") => "SEND / Statutory Assessment Team",
        Some("School transport") => "School Transport",
        Some("Child protection") | Some("Children in care") => "Children's Social Care",
        Some(_) => "Early Help",
        None => return,
    };
    record.service_area = Some(service.to_string());
    const THEMES: [&str; 5] = [
        "communication",
        "delay",
        "quality of service",
        "staff conduct",
        "policy or decision",
    ];
    let n = record.received_on.num_days_from_ce() as usize;
    let mut themes = vec![THEMES[n % THEMES.len()].to_string()];
    if n % 3 == 0 {
        themes.push(THEMES[(n / 3) % THEMES.len()].to_string());
        themes.dedup();
    }
    record.themes = themes;
    // Some stage 1 complaints answered under an agreed extension (up to 20
    // working days), and a few reopened after being closed.
    let complaint = record.kind == Kind::Complaint && record.responded_on.is_some();
    if complaint
        && record.procedure == Some(Procedure::StatutoryChildren)
        && record.stage == Some(1)
        && n % 5 == 0
    {
        record.extended_due_on = Some(record.received_on + Duration::days(21));
        record.extension_reason = Some("Waiting for the school's account of events.".into());
    }
    if complaint && n % 17 == 0 {
        record.reopened = true;
    }
}

/// Adult social care in 2024-25, to the published figures.
fn adults_2024(g: &mut Gen, conn: &mut DbConnection, actor: &Actor) -> Result<usize, ApiError> {
    let Period { from, to, .. } = Period::financial_year(2024);
    let complaints = complaints_2024(g, from, to);
    let complaint_ids = insert(conn, actor, g.rules, &complaints)?;
    let dissatisfactions = dissatisfactions_2024(g, from, to, &complaints, &complaint_ids);
    let dissatisfaction_ids = insert(conn, actor, g.rules, &dissatisfactions)?;
    let reviews = reviews_2024(g, from, to, &dissatisfactions, &dissatisfaction_ids);
    let reviewed = insert(conn, actor, g.rules, &reviews)?.len();
    let mut others = enquiries_2024(g, from, to);
    others.extend(other_records_2024(g, from, to));
    let others = insert(conn, actor, g.rules, &others)?.len();
    Ok(complaint_ids.len() + dissatisfaction_ids.len() + reviewed + others)
}

/// Adult social care's formal complaints of 2024-25 (`from` to `to`).
fn complaints_2024(g: &mut Gen, from: NaiveDate, to: NaiveDate) -> Vec<FeedbackInput> {
    // 217 complaints responded to in the year (5 received the year before),
    // 80 outside the 25 working days, all within 6 months.
    let reasons = adult_reasons();
    let mut outcomes = spread(&[
        (Outcome::PartiallyUpheld, 121),
        (Outcome::ClosedNoFurtherAction, 25),
        (Outcome::NotUpheld, 22),
        (Outcome::PursuedOtherRoute, 19),
        (Outcome::Withdrawn, 11),
        (Outcome::Upheld, 10),
        (Outcome::Redirected, 9),
    ]);
    outcomes.shuffle(&mut g.rng);
    let mut complaints = Vec::new();
    for (i, reason) in reasons.iter().enumerate() {
        let late = i % 217 < 80;
        let received = if i < 5 {
            g.day(
                NaiveDate::from_ymd_opt(2024, 3, 4).unwrap_or(from),
                NaiveDate::from_ymd_opt(2024, 3, 28).unwrap_or(from),
            )
        } else {
            g.day(from, NaiveDate::from_ymd_opt(2025, 1, 24).unwrap_or(to))
        };
        let mut responded = g.responded(
            Kind::Complaint,
            Some(Procedure::StatutoryAdults),
            Some(1),
            received,
            late,
        );
        if responded < from {
            responded = g
                .rules
                .calendar
                .add_working_days(from - Duration::days(1), 1);
        }
        complaints.push(g.record(
            "adults",
            Kind::Complaint,
            Some(Procedure::StatutoryAdults),
            Some(1),
            received,
            Some(responded),
            Some(*reason),
            Some(outcomes[i]),
        ));
    }
    // 10 more received in the year, answered after it.
    for _ in 0..10 {
        let received = g.day(NaiveDate::from_ymd_opt(2025, 3, 10).unwrap_or(to), to);
        let responded = Some(g.day(
            NaiveDate::from_ymd_opt(2025, 4, 14).unwrap_or(to),
            NaiveDate::from_ymd_opt(2025, 5, 9).unwrap_or(to),
        ));
        let reason = *pick(&mut g.rng, &reasons);
        complaints.push(g.record(
            "adults",
            Kind::Complaint,
            Some(Procedure::StatutoryAdults),
            Some(1),
            received,
            responded,
            Some(reason),
            Some(Outcome::NotUpheld),
        ));
    }
    complaints
}

/// Adult social care's dissatisfactions of 2024-25, escalated from
/// `complaints` (saved as `complaint_ids`).
fn dissatisfactions_2024(
    g: &mut Gen,
    from: NaiveDate,
    to: NaiveDate,
    complaints: &[FeedbackInput],
    complaint_ids: &[i64],
) -> Vec<FeedbackInput> {
    // 92 dissatisfactions responded to, each escalated from one of those complaints.
    let dissatisfaction_outcomes = spread(&[
        (Outcome::PartiallyUpheld, 26),
        (Outcome::Upheld, 7),
        (Outcome::NotUpheld, 8),
        (Outcome::ClosedNoFurtherAction, 35),
        (Outcome::Withdrawn, 12),
        (Outcome::Redirected, 4),
    ]);
    // Each follows a complaint answered in time for it to be answered in the year too.
    let parents: Vec<usize> = (5..complaints.len())
        .filter(|&i| {
            complaints[i]
                .responded_on
                .is_some_and(|r| r >= from && r <= to - Duration::days(11))
        })
        .collect();
    let mut dissatisfactions = Vec::new();
    for (i, outcome) in dissatisfaction_outcomes.iter().enumerate() {
        let p = parents[i % parents.len()];
        let parent = &complaints[p];
        let received = parent.responded_on.unwrap_or(parent.received_on) + Duration::days(7);
        let responded = g
            .responded(
                Kind::Dissatisfaction,
                Some(Procedure::StatutoryAdults),
                None,
                received,
                false,
            )
            .min(to)
            .max(received);
        let mut record = g.record(
            "adults",
            Kind::Dissatisfaction,
            Some(Procedure::StatutoryAdults),
            None,
            received,
            Some(responded),
            None,
            Some(*outcome),
        );
        record.category = parent.category.clone();
        record.complainant = parent.complainant.clone();
        record.parent_id = Some(complaint_ids[p]);
        dissatisfactions.push(record);
    }
    dissatisfactions
}

/// Adult social care's senior manager reviews of 2024-25, escalated from
/// `dissatisfactions` (saved as `dissatisfaction_ids`).
fn reviews_2024(
    g: &mut Gen,
    from: NaiveDate,
    to: NaiveDate,
    dissatisfactions: &[FeedbackInput],
    dissatisfaction_ids: &[i64],
) -> Vec<FeedbackInput> {
    // 41 senior manager reviews completed (6 begun the year before): upheld
    // 4, not upheld 1, partially upheld 35, not pursued after a meeting 1;
    // 12 took longer than 3 months. Each follows a dissatisfaction answered
    // before it began, where there is one.
    let review_outcomes = spread(&[
        (Outcome::Upheld, 4),
        (Outcome::NotUpheld, 1),
        (Outcome::PartiallyUpheld, 35),
        (Outcome::NotPursuedAfterMeeting, 1),
    ]);
    let mut reviews = Vec::new();
    let mut used = vec![false; dissatisfactions.len()];
    for (i, outcome) in review_outcomes.iter().enumerate() {
        let received = if i < 6 {
            g.day(
                NaiveDate::from_ymd_opt(2024, 2, 1).unwrap_or(from),
                NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or(from),
            )
        } else {
            g.day(from, NaiveDate::from_ymd_opt(2024, 11, 15).unwrap_or(to))
        };
        let mut responded = g
            .responded(
                Kind::SeniorManagerReview,
                Some(Procedure::StatutoryAdults),
                None,
                received,
                i >= 29,
            )
            .min(to);
        if responded < from {
            responded = from + Duration::days(1);
        }
        let mut record = g.record(
            "adults",
            Kind::SeniorManagerReview,
            Some(Procedure::StatutoryAdults),
            None,
            received,
            Some(responded),
            Some(("Charging", None)),
            Some(*outcome),
        );
        let parent = (0..dissatisfactions.len()).find(|&d| {
            !used[d]
                && dissatisfactions[d]
                    .responded_on
                    .is_some_and(|r| r < received)
        });
        if let Some(d) = parent {
            used[d] = true;
            record.category = dissatisfactions[d].category.clone();
            record.complainant = dissatisfactions[d].complainant.clone();
            record.parent_id = Some(dissatisfaction_ids[d]);
        }
        reviews.push(record);
    }
    reviews
}

/// Adult social care's MP and councillor enquiries of 2024-25.
fn enquiries_2024(g: &mut Gen, from: NaiveDate, to: NaiveDate) -> Vec<FeedbackInput> {
    // MP enquiries: 48 received, 50 responded to (2 carried over), 18 late.
    // Councillor enquiries: 21 received, 22 responded to.
    let mut enquiries = Vec::new();
    for (kind, received_in_year, carried, late_count) in [
        (Kind::MpEnquiry, 48, 2, 18),
        (Kind::CouncillorEnquiry, 21, 1, 4),
    ] {
        for i in 0..(received_in_year + carried) {
            let received = if i < carried {
                g.day(
                    NaiveDate::from_ymd_opt(2024, 3, 18).unwrap_or(from),
                    NaiveDate::from_ymd_opt(2024, 3, 22).unwrap_or(from),
                )
            } else {
                g.day(from, NaiveDate::from_ymd_opt(2025, 2, 28).unwrap_or(to))
            };
            let mut responded = g.responded(kind, None, None, received, i < late_count);
            if responded < from {
                responded = from + Duration::days(1);
            }
            let reason = *[
                ("Care Assessment", None),
                ("Charging", None),
                ("Care Assessment", None),
                ("Home Care", None),
            ]
            .choose(&mut g.rng)
            .unwrap_or(&("Care Assessment", None));
            enquiries.push(g.record(
                "adults",
                kind,
                None,
                None,
                received,
                Some(responded.min(to)),
                Some(reason),
                None,
            ));
        }
    }
    enquiries
}

/// Adult social care's other records of 2024-25: compliments,
/// representations, enquiries and informal complaints.
fn other_records_2024(g: &mut Gen, from: NaiveDate, to: NaiveDate) -> Vec<FeedbackInput> {
    let mut records = Vec::new();
    // Compliments 231, representations 1, enquiries 120, informal complaints
    // 125 received and 129 responded to.
    for (kind, count) in [
        (Kind::Compliment, 231),
        (Kind::Representation, 1),
        (Kind::Enquiry, 120),
    ] {
        for _ in 0..count {
            let received = g.day(from, to);
            let responded = Some(g.responded(kind, None, None, received, false).min(to));
            records.push(g.record("adults", kind, None, None, received, responded, None, None));
        }
    }
    for i in 0..129 {
        let received = if i < 4 {
            g.day(
                NaiveDate::from_ymd_opt(2024, 3, 20).unwrap_or(from),
                NaiveDate::from_ymd_opt(2024, 3, 27).unwrap_or(from),
            )
        } else {
            g.day(from, NaiveDate::from_ymd_opt(2025, 3, 10).unwrap_or(to))
        };
        let responded = g
            .responded(Kind::InformalComplaint, None, None, received, false)
            .max(from + Duration::days(1))
            .min(to);
        let reason = *[("Care Assessment", None), ("Charging", None)]
            .choose(&mut g.rng)
            .unwrap_or(&("Charging", None));
        records.push(g.record(
            "adults",
            Kind::InformalComplaint,
            None,
            None,
            received,
            Some(responded),
            Some(reason),
            Some(Outcome::Resolved),
        ));
    }
    records
}

#[allow(clippy::too_many_arguments)]
fn case(
    g: &mut Gen,
    reference: String,
    directorate: &str,
    category: (&str, &str),
    decided: Option<NaiveDate>,
    decision: Option<Decision>,
    remedied: bool,
    recommendations: usize,
) -> CaseInput {
    let decided_on = decided.map(|d| d.min(g.today));
    let received = decided_on
        .map(|d| d - Duration::days(g.rng.gen_range(40..160)))
        .unwrap_or_else(|| g.today - Duration::days(30));
    let requested = received + Duration::days(7);
    let late = g.rng.gen_bool(0.3);
    let service = case_service(directorate, &reference).to_string();
    CaseInput {
        ombudsman: Ombudsman::Lgsco,
        reference,
        directorate: directorate.to_string(),
        feedback_id: None,
        category: Some(category.0.to_string()),
        sub_category: Some(category.1.to_string()),
        received_on: received,
        summary: Some("Synthetic demo case.".into()),
        information_requests: vec![information_request(
            requested,
            if late { 35 } else { 21 },
            g.today,
        )],
        witness_summons: None,
        witness_summons_warned_on: None,
        witness_summons_on: None,
        decision,
        decided_on: decision.and(decided_on),
        remedied_before_ombudsman: remedied,
        reopened_on: None,
        public_report: false,
        public_report_title: None,
        public_report_on: None,
        service_area: Some(service),
        themes: Vec::new(),
        recommendations: (0..recommendations)
            .map(|i| {
                let due = decided_on.unwrap_or(g.today) + Duration::days(30 + 30 * i as i64);
                RecommendationInput {
                    id: None,
                    kind: if i == 0 {
                        RecommendationKind::Apology
                    } else {
                        RecommendationKind::FinancialRedress
                    },
                    description: Some(if i == 0 {
                        "Apologise to the complainant.".into()
                    } else {
                        "Pay £200 for distress and uncertainty.".into()
                    }),
                    amount_pence: (i > 0).then_some(20_000),
                    due_on: Some(due),
                    completed_on: Some(due - Duration::days(3)).filter(|d| *d <= g.today),
                }
            })
            .collect(),
        compliance_outcome: None,
        compliance_recorded_on: None,
    }
}

/// A directorate, its cases' category and sub-category, and how many of
/// its cases ended in each decision.
type CasePlan = (
    &'static str,
    (&'static str, &'static str),
    &'static [(Option<Decision>, usize)],
);

/// 2024-25, council-wide: 79 decided = 29 not for us + 27 assessed and
/// closed + 23 investigated; 18 upheld, 6 of them remedied before the
/// Ombudsman looked; 12 compliance outcomes, all complied. Adults: 2
/// referred back, 9 assessed and closed, 9 investigated of which 5 upheld.
const CASES_2024: [CasePlan; 3] = [
    (
        "adults",
        ("Adult care services", "Charging"),
        &[
            (Some(Decision::ReferredBackForLocalResolution), 2),
            (Some(Decision::ClosedAfterInitialEnquiries), 9),
            (Some(Decision::Upheld), 5),
            (Some(Decision::NotUpheld), 4),
        ],
    ),
    (
        "children",
        ("Education", "Special educational needs"),
        &[
            (Some(Decision::ReferredBackForLocalResolution), 12),
            (Some(Decision::AdviceGiven), 3),
            (Some(Decision::IncompleteOrInvalid), 2),
            (Some(Decision::ClosedAfterInitialEnquiries), 10),
            (Some(Decision::Upheld), 9),
            (Some(Decision::NotUpheld), 1),
        ],
    ),
    (
        "corporate",
        ("Highways and transport", "Highway repair and maintenance"),
        &[
            (Some(Decision::ReferredBackForLocalResolution), 6),
            (Some(Decision::AdviceGiven), 2),
            (Some(Decision::IncompleteOrInvalid), 2),
            (Some(Decision::ClosedAfterInitialEnquiries), 8),
            (Some(Decision::Upheld), 4),
        ],
    ),
];

/// How many of each directorate's upheld cases in 2024-25 (the first ones)
/// the council had remedied before the Ombudsman looked.
const REMEDIED_2024: [(&str, usize); 3] = [("adults", 2), ("children", 3), ("corporate", 1)];
/// How many of each directorate's other upheld cases in 2024-25 carry
/// recommendations, complied with.
const COMPLIED_2024: [(&str, usize); 3] = [("adults", 3), ("children", 6), ("corporate", 3)];

/// Whether the `nth` upheld case of `directorate` in 2024-25 was remedied
/// before the Ombudsman looked, and how many recommendations it carries.
fn upheld_2024(directorate: &str, nth: usize) -> (bool, usize) {
    let count = |table: &[(&str, usize)]| {
        table
            .iter()
            .find(|(d, _)| *d == directorate)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let (remedied, complied) = (count(&REMEDIED_2024), count(&COMPLIED_2024));
    if nth <= remedied {
        (true, 0)
    } else if nth <= remedied + complied {
        (false, 2)
    } else {
        (false, 0)
    }
}

/// The Ombudsman's cases decided in 2024-25, as [`CASES_2024`] plans them.
fn cases_2024(g: &mut Gen, reference: &mut impl FnMut(i32) -> String) -> Vec<CaseInput> {
    let from = Period::financial_year(2024).from;
    let mut cases = Vec::new();
    for (directorate, category, decisions) in CASES_2024 {
        let mut upheld_seen = 0;
        for (decision, count) in decisions.iter() {
            for _ in 0..*count {
                let decided = g.day(
                    from + Duration::days(20),
                    NaiveDate::from_ymd_opt(2025, 1, 20).unwrap_or(from),
                );
                let (remedied, recommendations) = if *decision == Some(Decision::Upheld) {
                    upheld_seen += 1;
                    upheld_2024(directorate, upheld_seen)
                } else {
                    (false, 0)
                };
                let mut input = case(
                    g,
                    reference(2024),
                    directorate,
                    category,
                    Some(decided),
                    *decision,
                    remedied,
                    recommendations,
                );
                // The complied cases' remedies are done, on time, inside the year.
                for rec in input.recommendations.iter_mut() {
                    rec.due_on = Some(decided + Duration::days(28));
                    rec.completed_on = Some(decided + Duration::days(21));
                }
                cases.push(input);
            }
        }
    }
    cases
}

/// The Ombudsman's cases of the other years: a steady flow, and a few open
/// cases with pending remedies.
fn cases_other_years(g: &mut Gen, reference: &mut impl FnMut(i32) -> String) -> Vec<CaseInput> {
    let mut cases = Vec::new();
    for year in [2021, 2022, 2023, 2025, 2026] {
        let Period { from, to, .. } = Period::financial_year(year);
        if from > g.today {
            continue;
        }
        for (i, directorate) in DIRECTORATES.iter().enumerate() {
            // Adult social care: the LGSCO case numbers the annual report gives.
            let count = match (*directorate, year) {
                ("adults", 2021) => 5,
                ("adults", 2022) => 7,
                ("adults", 2023) => 13,
                _ => 6 + i * 4,
            };
            for j in 0..count {
                let decision = *[
                    Decision::ReferredBackForLocalResolution,
                    Decision::ClosedAfterInitialEnquiries,
                    Decision::Upheld,
                    Decision::NotUpheld,
                    Decision::Upheld,
                ]
                .choose(&mut g.rng)
                .unwrap_or(&Decision::NotUpheld);
                let decided = g.day(from + Duration::days(20), to - Duration::days(10));
                let open = year >= 2025 && j % 5 == 0;
                let category = match *directorate {
                    "adults" => ("Adult care services", "Assessment and care plan"),
                    "children" => ("Children's care services", "Child protection"),
                    _ => ("Environmental services", "Refuse and recycling"),
                };
                let recs = usize::from(decision == Decision::Upheld) * 2;
                let mut input = case(
                    g,
                    reference(year),
                    directorate,
                    category,
                    (!open).then_some(decided),
                    (!open).then_some(decision),
                    false,
                    if open { 0 } else { recs },
                );
                if to < g.today {
                    // Remedies of past years were done within their year.
                    for rec in input.recommendations.iter_mut() {
                        rec.due_on = Some((decided + Duration::days(25)).min(to));
                        rec.completed_on = Some((decided + Duration::days(20)).min(to));
                    }
                }
                cases.push(input);
            }
        }
    }
    cases
}

/// Extensions to some of the Ombudsman's information requests: asked for
/// in time and granted on every sixth case, asked for after the due date
/// (late) and granted on every sixth case from the fourth. Deterministic,
/// so the rest of the data set draws the same random numbers as before.
fn add_extensions(cases: &mut [CaseInput], today: NaiveDate) {
    for (i, case) in cases.iter_mut().enumerate() {
        for request in case.information_requests.iter_mut() {
            let (asked, extended) = match i % 6 {
                0 => (request.requested_on + Duration::days(20), 14),
                3 => (request.due_on + Duration::days(3), 21),
                _ => continue,
            };
            if asked <= today {
                request.extension_requested_on = Some(asked);
                request.extended_due_on = Some(request.due_on + Duration::days(extended));
            }
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The cases that show issue 11's records, outside the years and
/// directorates whose figures are published (and PHSO's, which the LGSCO's
/// figures leave out): a children's case upheld in 2022-23, re-opened and
/// upheld again in 2023-24; a children's case the Ombudsman warned, then
/// summoned witnesses for, with an extension asked for late; a PHSO case
/// decided in 2024-25; and a joint LGSCO and PHSO case decided in 2025-26.
/// Each with the day it was decided again (for the re-opened one).
fn issue_11_cases(
    g: &mut Gen,
    reference: &mut impl FnMut(i32) -> String,
) -> Vec<(CaseInput, Option<(NaiveDate, NaiveDate)>)> {
    let mut cases = Vec::new();
    let mut reopened = case(
        g,
        reference(2022),
        "children",
        ("Education", "Special educational needs"),
        Some(date(2022, 11, 21)),
        Some(Decision::Upheld),
        false,
        1,
    );
    reopened.received_on = date(2022, 6, 13);
    reopened.information_requests = vec![InformationRequest {
        requested_on: date(2022, 6, 20),
        due_on: date(2022, 7, 18),
        provided_on: Some(date(2022, 7, 29)),
        extension_requested_on: Some(date(2022, 7, 11)),
        extended_due_on: Some(date(2022, 8, 1)),
    }];
    for rec in reopened.recommendations.iter_mut() {
        rec.due_on = Some(date(2022, 12, 19));
        rec.completed_on = Some(date(2022, 12, 12));
    }
    cases.push((reopened, Some((date(2023, 5, 8), date(2023, 9, 25)))));

    let mut summoned = case(
        g,
        reference(2023),
        "children",
        ("Children's care services", "Child protection"),
        Some(date(2024, 1, 22)),
        Some(Decision::Upheld),
        false,
        1,
    );
    summoned.received_on = date(2023, 6, 5);
    summoned.information_requests = vec![InformationRequest {
        requested_on: date(2023, 6, 12),
        due_on: date(2023, 7, 10),
        provided_on: Some(date(2023, 9, 4)),
        extension_requested_on: Some(date(2023, 7, 12)),
        extended_due_on: None,
    }];
    summoned.witness_summons_warned_on = Some(date(2023, 8, 14));
    summoned.witness_summons_on = Some(date(2023, 10, 2));
    for rec in summoned.recommendations.iter_mut() {
        rec.due_on = Some(date(2024, 2, 19));
        rec.completed_on = Some(date(2024, 2, 12));
    }
    cases.push((summoned, None));

    let mut phso = case(
        g,
        reference(2024),
        "adults",
        ("Health", "NHS continuing healthcare"),
        Some(date(2024, 10, 14)),
        Some(Decision::NotUpheld),
        false,
        0,
    );
    phso.ombudsman = Ombudsman::Phso;
    phso.received_on = date(2024, 5, 20);
    cases.push((phso, None));

    if date(2025, 11, 24) <= g.today {
        let mut joint = case(
            g,
            reference(2025),
            "adults",
            ("Adult care services", "Hospital discharge"),
            Some(date(2025, 11, 3)),
            Some(Decision::Upheld),
            false,
            2,
        );
        joint.ombudsman = Ombudsman::Joint;
        joint.received_on = date(2025, 5, 12);
        for rec in joint.recommendations.iter_mut() {
            rec.due_on = Some(date(2025, 12, 1));
            rec.completed_on = Some(date(2025, 11, 24));
        }
        cases.push((joint, None));
    }
    cases
}

/// The Ombudsman's cases of every year; their ids, directorates and references.
fn ombudsman_cases(
    g: &mut Gen,
    conn: &mut DbConnection,
    actor: &Actor,
) -> Result<Vec<(i64, String, String)>, ApiError> {
    let mut serial = 0;
    let mut reference = |year: i32| {
        serial += 1;
        case_reference((year % 100) as usize, 100_000 + serial)
    };
    let mut cases = cases_2024(g, &mut reference);
    cases.extend(cases_other_years(g, &mut reference));
    add_extensions(&mut cases, g.today);
    let mut saved = Vec::new();
    for input in &cases {
        let record = redress::records::store::import::<CaseRecord>(conn, actor, input, &g.today)?;
        saved.push((
            record.row.id,
            record.row.directorate.clone(),
            record.row.reference.clone(),
        ));
    }
    for (input, decided_again) in issue_11_cases(g, &mut reference) {
        let mut record =
            redress::records::store::import::<CaseRecord>(conn, actor, &input, &g.today)?;
        if let Some((reopened_on, decided_on)) = decided_again {
            let reopened = redress::ombudsman::model::import_reopening(
                conn,
                actor,
                &record,
                reopened_on,
                g.today,
            )?;
            let mut again = reopened.fields();
            again.decision = Some(Decision::Upheld);
            again.decided_on = Some(decided_on);
            record = redress::records::store::transition_as(
                conn,
                actor,
                &reopened,
                &again,
                &g.today,
                redress::audit::Action::Update,
            )?;
        }
        saved.push((
            record.row.id,
            record.row.directorate.clone(),
            record.row.reference.clone(),
        ));
    }
    Ok(saved)
}

/// Service improvements: those the LGSCO published for the council, and
/// some agreed after complaints.
fn improvements(
    g: &mut Gen,
    conn: &mut DbConnection,
    actor: &Actor,
    cases: &[(i64, String, String)],
) -> Result<usize, ApiError> {
    let items: [(&str, ImprovementKind, &str, &str); 8] = [
        ("children", ImprovementKind::StaffBriefing, "Education", "Issue a staff briefing on the importance of meeting statutory timescales for EHC Plan annual reviews."),
        ("children", ImprovementKind::ProcedureReview, "Education", "Review the process for a child with an EHC Plan who is out of school, so the provision in the Plan is secured."),
        ("children", ImprovementKind::StaffBriefing, "Education", "Remind complaint handling staff of the two-stage complaints procedure and when to escalate to stage 2."),
        ("children", ImprovementKind::Communication, "Education", "Publish information on the pathways for reviewing and amending EHC Plans on the SEND Local Offer."),
        ("children", ImprovementKind::StaffTraining, "Children's care services", "Remind staff to include all relevant parties in the Child and Family Assessment process."),
        ("adults", ImprovementKind::ProcedureReview, "Adult care services", "Set out the action needed so future capacity assessments meet the agreed requirements."),
        ("adults", ImprovementKind::Communication, "Adult care services", "Explain charges for care clearly, in writing, before a placement begins."),
        ("corporate", ImprovementKind::ProcedureReview, "Highways and transport", "Review the process for recording and following up on highway defect reports."),
    ];
    let mut inputs = Vec::new();
    for (i, (directorate, kind, category, description)) in items.iter().enumerate() {
        let case = cases.iter().filter(|(_, d, _)| d == directorate).nth(i % 3);
        let agreed = g.day(
            NaiveDate::from_ymd_opt(2024, 5, 1).unwrap_or(g.today),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap_or(g.today),
        );
        let due = agreed + Duration::days(90);
        let done = i % 3 != 0;
        let mut input = ImprovementInput::new(directorate, description, agreed)?;
        input.ombudsman_case_id = case.map(|c| c.0);
        input.kind = Some(*kind);
        input.category = Some(category.to_string());
        input.owner = Some(
            match *directorate {
                "children" => "Head of SEND Services",
                "adults" => "Head of Adult Social Care Operations",
                _ => "Highways Service Manager",
            }
            .to_string(),
        );
        input.due_on = Some(due);
        input.completed_on = done.then_some((due - Duration::days(10)).min(g.today));
        input.evidence =
            done.then(|| "Briefing note and attendance record held by the service.".to_string());
        input.status = if done {
            ImprovementStatus::Completed
        } else {
            ImprovementStatus::InProgress
        };
        input.published = true;
        inputs.push(input);
    }
    for input in &inputs {
        redress::records::store::import::<ImprovementRow>(conn, actor, input, &())?;
    }
    Ok(inputs.len())
}

/// Refuse to load into a database that has records already.
pub fn ensure_empty(conn: &mut DbConnection) -> Result<(), ApiError> {
    use diesel::prelude::*;
    let feedback: i64 = redress::db::schema::feedback::table
        .count()
        .get_result(conn)?;
    let cases: i64 = redress::db::schema::ombudsman_cases::table
        .count()
        .get_result(conn)?;
    if feedback + cases > 0 {
        return Err(ApiError::Conflict(format!(
            "The database already holds {feedback} feedback records and {cases} Ombudsman cases; the demo loads only into an empty one."
        )));
    }
    Ok(())
}

/// Similar authorities' averages by year: upheld %, upheld per 100,000
/// residents, satisfactory remedy %, compliance %.
const BENCHMARKS: [(i32, f64, f64, f64, f64); 4] = [
    (2021, 82.0, 4.4, 12.0, 99.0),
    (2022, 85.0, 4.9, 11.0, 100.0),
    (2023, 87.0, 5.1, 10.0, 99.0),
    (2024, 89.0, 5.3, 10.0, 100.0),
];

/// The demo council's settings.
fn save_settings(conn: &mut DbConnection, actor: &Actor) -> Result<(), ApiError> {
    redress::settings::model::save(
        conn,
        actor,
        &redress::http::etag::IfMatch::Any,
        &Settings {
            council_name: "Demo County Council".into(),
            authority_type: AuthorityType::County,
            population: Some(693_000),
            benchmarks: BENCHMARKS
                .iter()
                .map(|(year, uphold, per100k, remedy, compliance)| Benchmark {
                    year: *year,
                    directorate: None,
                    category: None,
                    average_uphold_percent: *uphold,
                    average_upheld_per_100k: Some(*per100k),
                    average_satisfactory_remedy_percent: Some(*remedy),
                    average_compliance_percent: Some(*compliance),
                })
                // The LGSCO's national uphold rate for adult social care in
                // 2024-25, which the adults report compares with.
                .chain([Benchmark {
                    year: 2024,
                    directorate: Some("adults".into()),
                    category: Some("Adult care services".into()),
                    average_uphold_percent: 79.0,
                    average_upheld_per_100k: None,
                    average_satisfactory_remedy_percent: None,
                    average_compliance_percent: None,
                }])
                .collect(),
            populations: Vec::new(),
            overview_basis: Default::default(),
            code_procedures: vec![Procedure::Corporate],
        },
    )?;
    Ok(())
}

/// Adult social care's reasons before 2024-25: main reasons only.
const ADULT_REASONS_BEFORE: [(&str, Option<&str>); 3] = [
    ("Charging", None),
    ("Care Assessment", None),
    ("Home Care", None),
];
/// Adult social care's reasons after 2024-25, with sub-categories.
const ADULT_REASONS_AFTER: [(&str, Option<&str>); 3] = [
    ("Charging", Some("Outcome of financial assessment")),
    ("Care Assessment", Some("Need for more support")),
    ("Home Care", Some("Standard of care")),
];

/// Adult social care's volumes in each year after 2024-25.
const ADULT_VOLUMES: [(Kind, usize); 8] = [
    (Kind::CouncillorEnquiry, 20),
    (Kind::MpEnquiry, 55),
    (Kind::Compliment, 250),
    (Kind::Enquiry, 110),
    (Kind::InformalComplaint, 130),
    (Kind::Complaint, 230),
    (Kind::Dissatisfaction, 90),
    (Kind::SeniorManagerReview, 40),
];
/// Children's services' volumes in every year.
const CHILDREN_VOLUMES: [(Kind, usize); 7] = [
    (Kind::Compliment, 120),
    (Kind::Comment, 20),
    (Kind::Enquiry, 60),
    (Kind::CouncillorEnquiry, 15),
    (Kind::MpEnquiry, 40),
    (Kind::InformalComplaint, 80),
    (Kind::Complaint, 150),
];
/// Corporate services' volumes in every year.
const CORPORATE_VOLUMES: [(Kind, usize); 8] = [
    (Kind::Compliment, 90),
    (Kind::Comment, 40),
    (Kind::Enquiry, 150),
    (Kind::CouncillorEnquiry, 60),
    (Kind::MpEnquiry, 35),
    (Kind::Representation, 5),
    (Kind::InformalComplaint, 200),
    (Kind::Complaint, 300),
];

/// Every feedback record, year by year; how many.
fn feedback(g: &mut Gen, conn: &mut DbConnection, actor: &Actor) -> Result<usize, ApiError> {
    let mut loaded = 0;
    for (year, volumes) in ADULT_HISTORY {
        loaded += ordinary_year(
            g,
            conn,
            actor,
            "adults",
            *year,
            volumes,
            &ADULT_REASONS_BEFORE,
        )?;
    }
    loaded += adults_2024(g, conn, actor)?;
    let current = Period::financial_year_of(g.today).from.year();
    for year in 2025..=current {
        loaded += ordinary_year(
            g,
            conn,
            actor,
            "adults",
            year,
            &ADULT_VOLUMES,
            &ADULT_REASONS_AFTER,
        )?;
    }
    for year in 2021..=current {
        loaded += ordinary_year(
            g,
            conn,
            actor,
            "children",
            year,
            &CHILDREN_VOLUMES,
            CHILDREN_REASONS,
        )?;
        loaded += ordinary_year(
            g,
            conn,
            actor,
            "corporate",
            year,
            &CORPORATE_VOLUMES,
            CORPORATE_REASONS,
        )?;
    }
    loaded += statutory_examples(g, conn, actor)?;
    Ok(loaded)
}

/// A service for a demo case in `directorate`, chosen by its reference.
fn case_service(directorate: &str, reference: &str) -> &'static str {
    let services: &[&str] = match directorate {
        "adults" => &["Financial Assessments", "Care Assessment", "Home Care"],
        "children" => &["SEND", "Children's Social Care", "School Transport"],
        _ => &["Highways", "Waste and Recycling", "Council Tax"],
    };
    let n: usize = reference.bytes().map(usize::from).sum();
    services[n % services.len()]
}

/// Load the demo data (run inside a write transaction).
pub fn load(
    conn: &mut DbConnection,
    rules: &TimeRules,
    today: NaiveDate,
) -> Result<Summary, ApiError> {
    ensure_empty(conn)?;
    let actor = Actor::system("demo");
    let mut g = Gen {
        rng: StdRng::seed_from_u64(2024),
        rules,
        today,
        serial: 0,
    };
    save_settings(conn, &actor)?;
    let feedback = feedback(&mut g, conn, &actor)?;
    let cases = ombudsman_cases(&mut g, conn, &actor)?;
    let service_improvements = improvements(&mut g, conn, &actor, &cases)?;
    casework(conn, &actor, rules, today)?;
    let feedback = feedback + code_year(conn, &actor, rules, today)?;
    Ok(Summary {
        feedback,
        ombudsman_cases: cases.len(),
        service_improvements,
    })
}

/// The acknowledgement letter of `row`'s procedure, made from the shipped
/// template two days after receipt and kept as a document (in the
/// database, so that the demo writes nothing outside its transaction).
fn acknowledgement_letter(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &redress::feedback::model::FeedbackRow,
    rules: &TimeRules,
    handler: &str,
) -> Result<(), ApiError> {
    use redress::documents::model::{self as documents, DocumentKind, NewDocument};
    use redress::documents::sniff::FileType;
    use redress::documents::storage::{self, Database};
    use redress::letters::templates::{self, Council, LetterContext, Person};
    use redress::records::Record;

    let procedure = match row.fields.procedure {
        Some(Procedure::StatutoryAdults) => "adults",
        Some(Procedure::StatutoryChildren) => "children",
        _ => "corporate",
    };
    let template = templates::find(conn, &format!("{procedure}-acknowledgement"))?;
    let sent_on = row.fields.received_on + Duration::days(2);
    let mut record = serde_json::to_value(&row.fields)?;
    record["reference"] = serde_json::json!(row.reference);
    record["timeliness"] = serde_json::to_value(row.clock(rules, sent_on))?;
    let context = LetterContext {
        council: Council {
            name: redress::settings::model::load(conn)?.settings.council_name,
        },
        today: sent_on,
        record,
        handler: Person {
            name: Some(handler.to_string()),
        },
        investigator: Person { name: None },
        actions: Vec::new(),
    };
    let letter = templates::render(&template.body, &context).map_err(ApiError::internal)?;
    let reference = row
        .reference
        .clone()
        .unwrap_or_else(|| row.id().to_string());
    let filename = format!("{}-{reference}-{sent_on}.html", template.name);
    let new = NewDocument {
        entity: redress::feedback::model::ENTITY,
        record_id: row.id(),
        directorate: Some(&row.fields.directorate),
        title: &template.title,
        kind: DocumentKind::LetterOut,
        filename: &filename,
        content_type: FileType::Html.media_type(),
        content: letter.as_bytes(),
        storage_key: &storage::new_key(),
    };
    documents::insert(conn, actor, &Database, &new)?;
    Ok(())
}

/// What a contact entry of the demo says, by how the record is going.
const CONTACTS: [&str; 3] = [
    "Phoned to acknowledge the complaint and agree what it is about.",
    "Emailed to say the investigation is under way and when to expect a response.",
    "Called to explain the delay and agree a new date for the response.",
];

/// Casework: two caseworkers in each directorate, who share its open
/// records and cases (so each has a queue, some of it overdue), contact
/// entries on every third record (and, for complaints, the acknowledgement
/// letter, kept as a document), call-back actions on every fourth (the
/// older ones overdue), written apologies promised on last year's upheld
/// complaints (some sent late), and an external investigator on the
/// children's stage 2 complaints. The staff get one random password; an
/// admin sets another to sign in as them.
fn casework(
    conn: &mut DbConnection,
    actor: &Actor,
    rules: &TimeRules,
    today: NaiveDate,
) -> Result<(), ApiError> {
    use diesel::prelude::*;
    use redress::actions::fields::ActionInput;
    use redress::actions::model::ActionRow;
    use redress::casework::contacts::{self, ContactInput, Direction, Party};
    use redress::casework::{allocation, Allocation};
    use redress::db::schema::{feedback, ombudsman_cases};
    use redress::feedback::model::FeedbackRow;
    use redress::feedback::reopening::{reopen_as, FeedbackReopening};
    use redress::records::Record;
    use redress::users::model::{self as users, UserData};

    let password: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    let hash = redress::auth::password::hash(&password)?;
    for directorate in DIRECTORATES {
        let mut handlers = Vec::new();
        let mut handler_names = Vec::new();
        for (n, name) in ["Sam Patel", "Alex Morgan"].iter().enumerate() {
            let data = UserData {
                username: format!("{directorate}.officer{}", n + 1),
                display_name: format!("{name} ({directorate})"),
                role: redress::users::role::Role::Caseworker,
                directorates: vec![directorate.to_string()],
                active: true,
            };
            handlers.push(users::create(conn, actor, &data, &hash)?.id);
            handler_names.push(data.display_name);
        }
        let open: Vec<i64> = feedback::table
            .filter(feedback::directorate.eq(directorate))
            .filter(feedback::responded_on.is_null())
            .order(feedback::id)
            .select(feedback::id)
            .load(conn)?;
        for (i, id) in open.into_iter().enumerate() {
            let Some(row) = FeedbackRow::find(conn, id)? else {
                continue;
            };
            let external = row.fields.procedure == Some(Procedure::StatutoryChildren)
                && row.fields.stage == Some(2);
            let after = Allocation {
                handler_id: Some(handlers[i % handlers.len()]),
                investigator_id: None,
                investigator_name: external
                    .then(|| "Independent investigator (commissioned)".into()),
            };
            let row = allocation::write_allocation(conn, actor, &row, &after, None)?;
            if i % 4 == 1 {
                // A promise to call back, owned by the handler: those of
                // older records are overdue.
                let input = ActionInput {
                    directorate: directorate.to_string(),
                    feedback_id: Some(id),
                    ombudsman_case_id: None,
                    recommendation: None,
                    remedy: None,
                    description: "Call back with an update on the investigation.".into(),
                    owner_id: after.handler_id,
                    owner_name: None,
                    due_on: Some(row.fields.received_on + Duration::days(14)),
                    completed_on: None,
                    evidence: None,
                };
                redress::records::store::import::<ActionRow>(conn, actor, &input, &())?;
            }
            if i % 3 == 0 {
                let input = ContactInput {
                    occurred_at: (row.fields.received_on + Duration::days(2))
                        .and_hms_opt(10, 30, 0)
                        .unwrap_or_default()
                        .and_utc(),
                    direction: Direction::Out,
                    channel: Channel::Phone,
                    party: Party::Complainant,
                    summary: CONTACTS[(i / 3) % CONTACTS.len()].to_string(),
                };
                contacts::insert(conn, actor, FeedbackRow::ENTITY, id, directorate, &input)?;
                if row.fields.kind == Kind::Complaint {
                    let handler = &handler_names[i % handler_names.len()];
                    acknowledgement_letter(conn, actor, &row, rules, handler)?;
                }
            }
        }
        let cases: Vec<i64> = ombudsman_cases::table
            .filter(ombudsman_cases::directorate.eq(directorate))
            .filter(ombudsman_cases::decision.is_null())
            .order(ombudsman_cases::id)
            .select(ombudsman_cases::id)
            .load(conn)?;
        for (i, id) in cases.into_iter().enumerate() {
            let Some(case) = CaseRecord::find(conn, id)? else {
                continue;
            };
            let after = Allocation {
                handler_id: Some(handlers[i % handlers.len()]),
                ..Allocation::default()
            };
            allocation::write_allocation(conn, actor, &case, &after, None)?;
        }
        // A complaint answered last spring and reopened a fortnight later
        // on new evidence, then answered again.
        let answered: Option<i64> = feedback::table
            .filter(feedback::directorate.eq(directorate))
            .filter(feedback::kind.eq(Kind::Complaint.as_str()))
            .filter(
                feedback::responded_on
                    .between(today - Duration::days(240), today - Duration::days(180)),
            )
            .order(feedback::id)
            .select(feedback::id)
            .first(conn)
            .optional()?;
        if let Some(row) = answered
            .map(|id| FeedbackRow::find(conn, id))
            .transpose()?
            .flatten()
        {
            let responded = row.fields.responded_on.unwrap_or(today);
            let reopening = FeedbackReopening {
                reopened_on: responded + Duration::days(14),
                reason: "The complainant sent new evidence about the care plan.".into(),
            };
            let reopened = reopen_as(conn, actor, &row, &reopening, rules)?;
            let mut answer = reopened.fields.clone();
            answer.responded_on = Some(responded + Duration::days(40));
            answer.outcome = Some(Outcome::PartiallyUpheld);
            redress::records::store::transition_as(
                conn,
                actor,
                &reopened,
                &answer,
                rules,
                redress::audit::Action::Update,
            )?;
        }
        // The written apologies promised on last year's upheld complaints,
        // owned by the customer care team: most sent on time, some late.
        let upheld: Vec<(i64, NaiveDate)> = feedback::table
            .filter(feedback::directorate.eq(directorate))
            .filter(feedback::kind.eq(Kind::Complaint.as_str()))
            .filter(feedback::outcome.eq(Outcome::Upheld.as_str()))
            .filter(feedback::responded_on.ge(today - Duration::days(365)))
            .order(feedback::id)
            .select((feedback::id, feedback::responded_on.assume_not_null()))
            .limit(12)
            .load(conn)?;
        for (n, (id, responded)) in upheld.into_iter().enumerate() {
            let due = responded + Duration::days(10);
            let done = responded + Duration::days(if n % 4 == 3 { 16 } else { 6 });
            let input = ActionInput {
                directorate: directorate.to_string(),
                feedback_id: Some(id),
                ombudsman_case_id: None,
                recommendation: None,
                remedy: None,
                description: "Send the written apology agreed in the response.".into(),
                owner_id: None,
                owner_name: Some("Customer Care Team".into()),
                due_on: Some(due),
                completed_on: Some(done).filter(|d| *d <= today),
                evidence: Some("Letter sent; copy on file.".into()).filter(|_| done <= today),
            };
            redress::records::store::import::<ActionRow>(conn, actor, &input, &())?;
        }
    }
    Ok(())
}

/// Link the year's corporate stage 2 complaints to stage 1 complaints
/// answered before them (the ordinary years' generator does not), and give
/// both stages a handler: the demo's two corporate officers, the same one
/// at both stages once in ten, which the Code does not allow.
fn link_stages(conn: &mut DbConnection, year: &Period) -> Result<(), ApiError> {
    use diesel::prelude::*;
    use redress::db::schema::{feedback, users};

    let officers: Vec<i64> = users::table
        .filter(users::username.like("corporate.officer%"))
        .order(users::username)
        .select(users::id)
        .load(conn)?;
    if officers.len() < 2 {
        return Ok(());
    }
    let of_stage = |stage: i32| {
        feedback::table
            .filter(feedback::directorate.eq("corporate"))
            .filter(feedback::kind.eq(Kind::Complaint.as_str()))
            .filter(feedback::procedure.eq(Procedure::Corporate.as_str()))
            .filter(feedback::stage.eq(stage))
            .filter(feedback::received_on.between(year.from, year.to))
            .filter(feedback::refused_on.is_null())
            .order(feedback::received_on)
            .select((feedback::id, feedback::received_on, feedback::responded_on))
    };
    let first: Vec<(i64, NaiveDate, Option<NaiveDate>)> = of_stage(1)
        .filter(feedback::parent_id.is_null())
        .load(conn)?;
    let second: Vec<(i64, NaiveDate, Option<NaiveDate>)> = of_stage(2).load(conn)?;
    let mut free: Vec<(i64, NaiveDate)> = first
        .into_iter()
        .filter_map(|(id, _, responded)| Some((id, responded?)))
        .collect();
    for (n, (id, received, _)) in second.into_iter().enumerate() {
        let Some(at) = free.iter().position(|(_, responded)| *responded < received) else {
            continue;
        };
        let (parent, _) = free.remove(at);
        let (first_handler, second_handler) = if n % 10 == 3 {
            (officers[0], officers[0])
        } else {
            (officers[n % 2], officers[(n + 1) % 2])
        };
        diesel::update(feedback::table.find(parent))
            .set(feedback::handler_id.eq(first_handler))
            .execute(conn)?;
        diesel::update(feedback::table.find(id))
            .set((
                feedback::parent_id.eq(parent),
                feedback::handler_id.eq(second_handler),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The first year under the Complaint Handling Code (2026-27, to date) in
/// the corporate directorate, with what its measures read beyond the
/// ordinary records: service requests (some became complaints), refused
/// complaints, a refused escalation, extensions with and without notice,
/// reasonable adjustments, and the year's self-assessment, approved. A
/// generator of its own, so the years before are as they were. How many
/// records it adds.
fn code_year(
    conn: &mut DbConnection,
    actor: &Actor,
    rules: &TimeRules,
    today: NaiveDate,
) -> Result<usize, ApiError> {
    use redress::code::assessment::{self, NewAssessment};
    use serde_json::json;

    let year = Period::financial_year(2026);
    if today < year.from {
        return Ok(0);
    }
    let mut rng = StdRng::seed_from_u64(2026);
    let days = (today - year.from).num_days().max(1);
    let day = |rng: &mut StdRng, before: i64| {
        year.from + Duration::days(rng.gen_range(0..(days - before).max(1)))
    };
    let record = |value: serde_json::Value| -> Result<FeedbackInput, ApiError> {
        Ok(serde_json::from_value(value)?)
    };
    let responded = |received: NaiveDate, n: u32| {
        Some(rules.calendar.add_working_days(received, n)).filter(|d| *d <= today)
    };
    // Service requests, answered within a week.
    let mut requests = Vec::new();
    for _ in 0..30 {
        let received = day(&mut rng, 10);
        requests.push(record(
            json!({"directorate": "corporate", "kind": "service_request",
            "service_area": "Waste and Recycling", "category": "Missed collection",
            "summary": "Synthetic demo record: a request for a service.",
            "received_on": received, "responded_on": responded(received, 3),
            "closed_on": responded(received, 3)}),
        )?);
    }
    let request_ids = insert(conn, actor, rules, &requests)?;
    // A repeat of a request is a complaint: every fifth became one.
    let mut complaints = Vec::new();
    for (request, id) in requests.iter().zip(&request_ids).step_by(5) {
        let received = request.responded_on.unwrap_or(request.received_on) + Duration::days(7);
        if received > today {
            continue;
        }
        let acknowledged = responded(received, 2);
        let answered = acknowledged.and_then(|a| responded(a, rng.gen_range(6..12)));
        complaints.push(record(json!({"directorate": "corporate", "kind": "complaint",
            "procedure": "corporate", "stage": 1, "parent_id": id,
            "service_area": "Waste and Recycling", "category": "Missed collection",
            "received_on": received, "acknowledged_on": acknowledged,
            "responded_on": answered, "closed_on": answered,
            "outcome": answered.map(|_| "partially_upheld"),
            "complainant": {"name": format!("Test Person {id}"), "email": format!("person{id}@example.invalid")}}))?);
    }
    // Complaints refused, for the Code's reasons, and one without the
    // Ombudsman's details.
    for (n, reason) in [
        "out_of_time",
        "legal_proceedings",
        "other_statutory_route",
        "insurance_claim",
        "out_of_time",
    ]
    .iter()
    .enumerate()
    {
        let received = day(&mut rng, 5);
        complaints.push(record(
            json!({"directorate": "corporate", "kind": "complaint",
            "procedure": "corporate", "stage": 1, "category": "Highways",
            "received_on": received, "refused_on": responded(received, 3),
            "closed_on": responded(received, 3), "refusal_reason": reason,
            "refusal_details": "Synthetic demo refusal, explained in writing.",
            "ombudsman_signposted": n != 3}),
        )?);
    }
    // Extensions: told to the complainant, and once not.
    for notified in [true, true, false] {
        let received = day(&mut rng, 40);
        let acknowledged = responded(received, 3);
        let target = acknowledged.map(|a| rules.calendar.add_working_days(a, 10));
        let extended = target.map(|t| rules.calendar.add_working_days(t, 8));
        let answered = extended.filter(|e| *e <= today);
        complaints.push(record(json!({"directorate": "corporate", "kind": "complaint",
            "procedure": "corporate", "stage": 1, "category": "Council Tax",
            "received_on": received, "acknowledged_on": acknowledged,
            "extended_due_on": extended, "extension_reason": "Waiting for the enforcement agent's records.",
            "extension_notified_on": if notified { target } else { None },
            "ombudsman_signposted": notified,
            "responded_on": answered, "closed_on": answered, "outcome": answered.map(|_| "not_upheld"),
            "reasonable_adjustments": if notified { None } else { Some("Letters in large print; calls after 2pm.") },
            "adjustments_review_on": if notified { None } else { Some(today + Duration::days(60)) }}))?);
    }
    // An escalation refused, with its reason.
    let received = day(&mut rng, 60);
    let acknowledged = responded(received, 2);
    let answered = acknowledged.and_then(|a| responded(a, 9));
    complaints.push(record(json!({"directorate": "corporate", "kind": "complaint",
        "procedure": "corporate", "stage": 1, "category": "Highways",
        "received_on": received, "acknowledged_on": acknowledged,
        "responded_on": answered, "closed_on": answered, "outcome": answered.map(|_| "not_upheld"),
        "escalation_refused_on": answered.map(|a| a + Duration::days(14)).filter(|d| *d <= today),
        "escalation_refusal_reason": answered.map(|a| a + Duration::days(14)).filter(|d| *d <= today)
            .map(|_| "The request raised nothing the stage 1 response had not answered.")}))?);
    let added = request_ids.len() + insert(conn, actor, rules, &complaints)?.len();
    link_stages(conn, &year)?;

    let answers = json!([
        {"key": "definitions", "complies": "yes", "evidence": "Complaints policy, section 2; service requests recorded as such in Redress."},
        {"key": "exclusions", "complies": "partly", "evidence": "Refusal letters template.",
            "commentary": "One refusal did not give the Ombudsman's details.", "planned_action": "Add the Ombudsman's details to the refusal template.",
            "action_due_on": year.from + Duration::days(240)},
        {"key": "accessibility", "complies": "yes", "evidence": "Web form, phone, email and letter; reasonable adjustments recorded and reviewed."},
        {"key": "complaint_handling_staff", "complies": "yes", "evidence": "Corporate complaints team of four, trained in 2026."},
        {"key": "handling_process", "complies": "yes", "evidence": "Two stages since 1 April 2026."},
        {"key": "stage_1", "complies": "yes", "evidence": "Figures below."},
        {"key": "stage_2", "complies": "partly", "evidence": "Figures below.",
            "commentary": "Stage 2 responses are sometimes late.", "planned_action": "A second reviewer for stage 2.",
            "action_due_on": year.from + Duration::days(300)},
        {"key": "putting_things_right", "complies": "yes", "evidence": "Remedies and actions tracked in Redress."},
        {"key": "reporting", "complies": "yes", "evidence": "This report, to the Audit and Governance Committee."},
        {"key": "learning", "complies": "yes", "evidence": "Service improvements agreed from complaints, below."}
    ]);
    let sections = answers
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_object().cloned())
        .collect();
    let id = assessment::create(
        conn,
        actor,
        &NewAssessment {
            year: 2026,
            occasion: None,
            title: None,
            compliance_threshold_percent: None,
            sections,
        },
    )?;
    assessment::approve(conn, actor, id, &redress::http::etag::IfMatch::Any)?;
    Ok(added)
}
