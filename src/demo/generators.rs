//! Random pieces of synthetic records, shared by `redress demo` (this
//! directory, a module of the binary) and the benchmark seeder
//! (`examples/seed.rs`, which includes this file with `#[path]`). Only
//! library types (`redress::...`) may be used here.

use chrono::{Duration, NaiveDate};
use rand::Rng;
use redress::ombudsman::fields::InformationRequest;

/// The directorates every database starts with.
pub const DIRECTORATES: [&str; 3] = ["adults", "children", "corporate"];

/// One of `items` (which must not be empty), uniformly.
///
/// The demo also uses `SliceRandom::choose`, which draws differently; each
/// keeps its own so the data sets stay as they were.
pub fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// A day from `from` to `to` (not before `from`), both included, uniformly.
pub fn day_between(rng: &mut impl Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    from + Duration::days(rng.gen_range(0..=(to - from).num_days()))
}

/// The name of synthetic person `serial`: plainly fake.
pub fn test_person(serial: usize) -> String {
    format!("Test Person {serial}")
}

/// An Ombudsman case reference as the LGSCO writes them (`24 101 002`): the
/// year's last two digits, then `number` (below 1,000,000) in two groups
/// of three digits.
pub fn case_reference(year: usize, number: usize) -> String {
    format!("{year:02} {:03} {:03}", number / 1000, number % 1000)
}

/// An information request from the Ombudsman made on `requested`, due 28
/// days later, and answered `answered_after` days after it was made if that
/// day is not after `today`.
pub fn information_request(
    requested: NaiveDate,
    answered_after: i64,
    today: NaiveDate,
) -> InformationRequest {
    InformationRequest {
        requested_on: requested,
        due_on: requested + Duration::days(28),
        provided_on: Some(requested + Duration::days(answered_after)).filter(|d| *d <= today),
        extension_requested_on: None,
        extended_due_on: None,
    }
}
