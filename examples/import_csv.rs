//! Write a CSV of synthetic feedback records for `redress import feedback`
//! (the bulk import benchmark): plainly fake people ("Test Person 123"),
//! spread over 2024 and 2025 and the three shipped directorates, valid
//! under the API's rules, each with its own `external_ref`.
//!
//! `cargo run --release --example import_csv -- 100000 > feedback.csv`

use std::io::{BufWriter, Write};

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DIRECTORATES: &[&str] = &["adults", "children", "corporate"];
const CATEGORIES: &[&str] = &[
    "Charging",
    "Care Assessment",
    "Home Care",
    "Residential Care",
    "Communication",
];
const THEMES: &[&str] = &["communication", "delay", "staff attitude", "policy"];
const CHANNELS: &[&str] = &["email", "phone", "letter", "web"];
const OUTCOMES: &[&str] = &["upheld", "partially_upheld", "not_upheld"];

fn main() -> std::io::Result<()> {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let mut rng = StdRng::seed_from_u64(42);
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "external_ref,directorate,kind,procedure,stage,category,themes,summary,channel,\
         received_on,acknowledged_on,responded_on,outcome,complainant.name,complainant.email,\
         complainant.relationship"
    )?;
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    for i in 1..=rows {
        let received = first + Duration::days(rng.gen_range(0..700));
        let directorate = DIRECTORATES[i % DIRECTORATES.len()];
        let category = CATEGORIES[rng.gen_range(0..CATEGORIES.len())];
        let theme = THEMES[rng.gen_range(0..THEMES.len())];
        let channel = CHANNELS[rng.gen_range(0..CHANNELS.len())];
        let ref_ = format!("BENCH-{i:07}");
        let name = format!("Test Person {i}");
        let email = format!("test.person.{i}@example.org");
        if i % 3 == 0 {
            // A compliment: no procedure, stage or outcome.
            writeln!(
                out,
                "{ref_},{directorate},compliment,,,,{theme},\"Thank you, the carer was kind.\",{channel},{received},,,,{name},{email},self"
            )?;
        } else {
            let procedure = match directorate {
                "adults" => "statutory_adults",
                "children" => "statutory_children",
                _ => "corporate",
            };
            let acknowledged = received + Duration::days(2);
            let responded = received + Duration::days(rng.gen_range(10..40));
            let outcome = OUTCOMES[rng.gen_range(0..OUTCOMES.len())];
            writeln!(
                out,
                "{ref_},{directorate},complaint,{procedure},1,{category},{theme};delay,\"The service was late, twice.\",{channel},{received},{acknowledged},{responded},{outcome},{name},{email},self"
            )?;
        }
    }
    out.flush()
}
