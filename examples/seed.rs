//! Seed a database with many synthetic feedback records (and Ombudsman
//! cases), for benchmarks.
//!
//! `DATABASE_URL=sqlite://bench.db cargo run --release --example seed -- 1000000 20000`
//!
//! The records are plainly fake ("Test Person 123"), spread over six
//! financial years (2020-21 to 2025-26) and the three directorates, valid
//! under the API's rules, with their clocks computed from the calendar.

// The random pieces `redress demo` uses too.
#[path = "../src/demo/generators.rs"]
mod generators;

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redress::audit::Actor;
use redress::calendar::uk_today;
use redress::db::{self, Db};
use redress::feedback::fields::{Complainant, FeedbackInput};
use redress::feedback::model;
use redress::feedback::types::{Kind, Outcome, Procedure};
use redress::ombudsman::fields::{CaseInput, RecommendationInput};
use redress::ombudsman::types::{Decision, Ombudsman, RecommendationKind};
use redress::statistics::Period;

use generators::{
    case_reference, day_between, information_request, pick, test_person, DIRECTORATES,
};

const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "adults",
        &[
            "Charging",
            "Care Assessment",
            "Home Care",
            "Residential Care",
            "Social Care Team",
            "Safeguarding",
        ],
    ),
    (
        "children",
        &[
            "Social work",
            "Child protection",
            "Special educational needs",
            "School transport",
        ],
    ),
    (
        "corporate",
        &[
            "Highways",
            "Waste",
            "Libraries",
            "Council tax",
            "Staff conduct",
        ],
    ),
];

/// The service areas and teams of each directorate.
const SERVICES: &[(&str, &[&str], &[&str])] = &[
    (
        "adults",
        &[
            "Older People",
            "Learning Disability",
            "Mental Health",
            "Finance",
        ],
        &[
            "Adult and Autism Team",
            "Reablement Team",
            "Financial Assessments",
        ],
    ),
    (
        "children",
        &["SEND", "Children's Social Care", "School Transport"],
        &[
            "Statutory Assessment Team",
            "Family Safeguarding",
            "Transport Team",
        ],
    ),
    (
        "corporate",
        &["Highways", "Waste", "Libraries", "Revenues"],
        &["Customer Services", "Operations"],
    ),
];

/// The themes a record may have (none, one or two).
const THEMES: [&str; 6] = [
    "communication",
    "delay",
    "staff conduct",
    "quality of service",
    "policy",
    "cost",
];

/// A record's service area, team and themes.
fn service(rng: &mut StdRng, directorate: &str) -> (String, String, Vec<String>) {
    let (_, areas, teams) = SERVICES
        .iter()
        .find(|(d, _, _)| *d == directorate)
        .copied()
        .unwrap_or(("", &["Other"], &["Other"]));
    let mut themes: Vec<String> = (0..rng.gen_range(0..=2))
        .map(|_| pick(rng, &THEMES).to_string())
        .collect();
    themes.sort();
    themes.dedup();
    (
        pick(rng, areas).to_string(),
        pick(rng, teams).to_string(),
        themes,
    )
}

/// Directorates weighted by their share of the records.
const WEIGHTED_DIRECTORATES: [&str; 7] = [
    "adults",
    "adults",
    "adults",
    "children",
    "children",
    "corporate",
    "corporate",
];

/// Outcomes weighted by how often complaints end in each.
const OUTCOMES: [Outcome; 7] = [
    Outcome::PartiallyUpheld,
    Outcome::PartiallyUpheld,
    Outcome::Upheld,
    Outcome::NotUpheld,
    Outcome::NotUpheld,
    Outcome::Withdrawn,
    Outcome::Redirected,
];

/// A directorate, and a kind of feedback in its usual share; only adult
/// social care has dissatisfactions and senior manager reviews.
fn directorate_and_kind(rng: &mut StdRng) -> (&'static str, Kind) {
    let directorate = *pick(rng, &WEIGHTED_DIRECTORATES);
    let roll = rng.gen_range(0..100);
    let mut kind = match roll {
        0..=24 => Kind::Compliment,
        25..=29 => Kind::Comment,
        30..=41 => Kind::Enquiry,
        42..=44 => Kind::CouncillorEnquiry,
        45..=50 => Kind::MpEnquiry,
        51 => Kind::Representation,
        52..=65 => Kind::InformalComplaint,
        66..=90 => Kind::Complaint,
        91..=96 => Kind::Dissatisfaction,
        _ => Kind::SeniorManagerReview,
    };
    if directorate != "adults" && matches!(kind, Kind::Dissatisfaction | Kind::SeniorManagerReview)
    {
        kind = Kind::Complaint;
    }
    (directorate, kind)
}

/// The procedure and stage of a record of `kind` in `directorate`.
fn procedure_and_stage(
    rng: &mut StdRng,
    directorate: &str,
    kind: Kind,
) -> (Option<Procedure>, Option<i32>) {
    let procedure = kind.has_procedure().then(|| match directorate {
        "adults" => Procedure::StatutoryAdults,
        "children" if rng.gen_bool(0.7) => Procedure::StatutoryChildren,
        _ => Procedure::Corporate,
    });
    let stage = (kind == Kind::Complaint).then(|| match procedure {
        Some(Procedure::StatutoryAdults) => 1,
        _ => *pick(rng, &[1, 1, 1, 1, 1, 1, 1, 1, 2, 3]),
    });
    (procedure, stage)
}

/// A main reason for the kinds that record one.
fn category(rng: &mut StdRng, directorate: &str, kind: Kind) -> Option<String> {
    let categories = CATEGORIES
        .iter()
        .find(|(d, _)| *d == directorate)
        .map(|(_, c)| *c)
        .unwrap_or(&["Other"]);
    let needs_category = matches!(
        kind,
        Kind::Complaint
            | Kind::Dissatisfaction
            | Kind::SeniorManagerReview
            | Kind::InformalComplaint
            | Kind::MpEnquiry
    );
    needs_category.then(|| pick(rng, categories).to_string())
}

fn generate(
    rng: &mut StdRng,
    serial: usize,
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
) -> FeedbackInput {
    let (directorate, kind) = directorate_and_kind(rng);
    let (procedure, stage) = procedure_and_stage(rng, directorate, kind);
    let received_on = day_between(rng, first, last);
    let age = (today - received_on).num_days();
    let responded = if age > 60 {
        rng.gen_bool(0.97)
    } else {
        rng.gen_bool(0.5)
    };
    let responded_on =
        responded.then(|| (received_on + Duration::days(rng.gen_range(1..=70))).min(today));
    let outcome = responded_on
        .filter(|_| kind.is_complaint_like())
        .map(|_| *pick(rng, &OUTCOMES));
    let category = category(rng, directorate, kind);
    let (service_area, team, themes) = service(rng, directorate);
    FeedbackInput {
        directorate: directorate.to_string(),
        kind,
        procedure,
        stage,
        service_area: Some(service_area),
        team: Some(team),
        category,
        sub_category: None,
        themes,
        summary: Some(format!("Synthetic record {serial} for benchmarking.")),
        channel: None,
        complainant: Some(Complainant {
            name: Some(test_person(serial)),
            is_young_person: Some(directorate == "children" && rng.gen_bool(0.3)),
            ..Complainant::default()
        }),
        received_on,
        acknowledged_on: None,
        panel_held_on: None,
        panel_report_on: None,
        responded_on,
        closed_on: responded_on.filter(|_| rng.gen_bool(0.8)),
        extended_due_on: None,
        extension_reason: None,
        extension_agreed_on: None,
        outcome,
        remedies: Vec::new(),
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

fn case(
    rng: &mut StdRng,
    serial: usize,
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
) -> CaseInput {
    let directorate = *pick(rng, &DIRECTORATES);
    let received_on = day_between(rng, first, last);
    let decided_on = received_on + Duration::days(rng.gen_range(30..200));
    let decision = (decided_on <= today).then(|| {
        *pick(
            rng,
            &[
                Decision::ReferredBackForLocalResolution,
                Decision::AdviceGiven,
                Decision::ClosedAfterInitialEnquiries,
                Decision::ClosedAfterInitialEnquiries,
                Decision::Upheld,
                Decision::Upheld,
                Decision::NotUpheld,
            ],
        )
    });
    let requested = received_on + Duration::days(10);
    let upheld = decision == Some(Decision::Upheld);
    CaseInput {
        ombudsman: Ombudsman::Lgsco,
        reference: case_reference(20 + serial / 1_000_000, serial % 1_000_000),
        directorate: directorate.to_string(),
        feedback_id: None,
        category: Some(
            pick(
                rng,
                &["Education", "Adult care services", "Highways and transport"],
            )
            .to_string(),
        ),
        sub_category: None,
        received_on,
        summary: Some(format!("Synthetic case {serial}.")),
        information_requests: vec![information_request(requested, rng.gen_range(14..40), today)],
        witness_summons: None,
        witness_summons_warned_on: None,
        witness_summons_on: Some(received_on + Duration::days(60))
            .filter(|d| *d <= today && rng.gen_bool(0.01)),
        decided_on: decision.map(|_| decided_on),
        decision,
        remedied_before_ombudsman: upheld && rng.gen_bool(0.2),
        reopened_on: None,
        public_report: upheld && rng.gen_bool(0.05),
        public_report_title: None,
        public_report_on: None,
        service_area: None,
        themes: Vec::new(),
        recommendations: if upheld {
            vec![RecommendationInput {
                id: None,
                kind: RecommendationKind::FinancialRedress,
                description: None,
                amount_pence: Some(rng.gen_range(1..10) * 10_000),
                due_on: Some(decided_on + Duration::days(60)),
                completed_on: Some(decided_on + Duration::days(rng.gen_range(20..80)))
                    .filter(|d| *d <= today),
            }]
        } else {
            Vec::new()
        },
        compliance_outcome: None,
        compliance_recorded_on: None,
    }
}

fn main() -> Result<(), String> {
    let usage = "usage: seed [RECORDS [OMBUDSMAN_CASES]]";
    let arg = |n: usize, default: usize| -> Result<usize, String> {
        std::env::args()
            .nth(n)
            .map(|v| v.parse().map_err(|_| usage.to_string()))
            .transpose()
            .map(|v| v.unwrap_or(default))
    };
    let count = arg(1, 1_000_000)?;
    let cases = arg(2, 0)?;
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/redress.db".into());
    let db = Db::connect(&url, 2, None)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    redress::prepare_database(&mut conn)?;
    if let redress::db::DbConnection::Sqlite(sqlite) = &mut *conn {
        // A large cache for the bulk load: inserts land all over the indexes.
        use diesel::connection::SimpleConnection;
        sqlite
            .batch_execute("PRAGMA cache_size = -1048576")
            .map_err(|e| e.to_string())?;
    }
    let rules = redress::timescales::TimeRules::load(&mut conn).map_err(|e| e.to_string())?;
    let today = uk_today();
    let first = Period::financial_year(2020).from;
    let last = Period::financial_year(2025).to.min(today).max(first);
    let actor = Actor::system("seed");
    let mut rng = StdRng::seed_from_u64(42);
    let started = Instant::now();
    let mut done = 0;
    while done < count {
        let batch: Vec<FeedbackInput> = (done..(done + 20_000).min(count))
            .map(|serial| generate(&mut rng, serial, first, last, today))
            .collect();
        db::write_tx(&mut conn, |conn| {
            model::bulk_insert(conn, &actor, &batch, &rules, "seed")
        })
        .map_err(|e| e.to_string())?;
        done += batch.len();
        eprint!("\rseeded {done} of {count} feedback records");
    }
    eprintln!(" in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let mut done = 0;
    while done < cases {
        let batch: Vec<CaseInput> = (done..(done + 1000).min(cases))
            .map(|serial| case(&mut rng, serial, first, last, today))
            .collect();
        db::write_tx(&mut conn, |conn| {
            for input in &batch {
                redress::records::store::import::<redress::ombudsman::model::CaseRecord>(
                    conn, &actor, input, &today,
                )?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        done += batch.len();
        eprint!("\rseeded {done} of {cases} Ombudsman cases");
    }
    if cases > 0 {
        eprintln!(" in {:.1} s", started.elapsed().as_secs_f64());
    }
    // PostgreSQL's autovacuum would vacuum and analyse the new rows soon
    // anyway (setting the visibility map that index-only scans need); do it
    // now so the benchmark measures the steady state, not the race.
    if let redress::db::DbConnection::Postgres(pg) = &mut *conn {
        use diesel::connection::SimpleConnection;
        pg.batch_execute("VACUUM ANALYZE")
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
