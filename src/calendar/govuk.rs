//! A parser for GOV.UK's bank holidays document
//! (<https://www.gov.uk/bank-holidays.json>), England and Wales only.
//!
//! The document has one object per division (`england-and-wales`,
//! `scotland`, `northern-ireland`), each with an `events` array of
//! `{"title", "date", "notes", "bunting"}` objects:
//!
//! ```json
//! {"england-and-wales": {"division": "england-and-wales", "events": [
//!     {"title": "Boxing Day", "date": "2020-12-28", "notes": "Substitute day", "bunting": true}
//! ]}}
//! ```
//!
//! Only `england-and-wales` is read; the other divisions, and any keys but
//! `events`, `date`, `title` and `notes`, are ignored. A substitute day
//! (notes "Substitute day") gets the suffix the shipped table uses: GOV.UK's
//! "Boxing Day" on 2020-12-28 becomes "Boxing Day (substitute day)".

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

/// The division of GOV.UK's document that Redress reads.
pub const DIVISION: &str = "england-and-wales";

/// The longest title accepted, in characters (not bytes).
pub const MAX_TITLE_CHARS: usize = 200;

/// A bank holiday read from the document: (date, title).
pub type Holiday = (NaiveDate, String);

/// A problem found in the document: (field path, message).
pub type Problem = (String, String);

/// Parse the GOV.UK bank-holidays.json document, keeping only the
/// "england-and-wales" division.
///
/// Returns (date, title) pairs, or a list of human-readable problems (e.g.
/// `england-and-wales.events[3].date`: "must be a date YYYY-MM-DD").
///
/// The error list holds (field path, message) pairs, every problem found in
/// one pass, in document order. A missing `england-and-wales` division or a
/// missing or non-array `events` is an error. Each event needs a `date`
/// (a string `YYYY-MM-DD` naming a real day) and a `title` (a string, not
/// blank, at most [`MAX_TITLE_CHARS`] characters, without U+0000); two
/// events on the same date are an error. On success the pairs are sorted by
/// date, with titles trimmed of surrounding whitespace. An empty `events`
/// array is valid and gives an empty list.
pub fn parse(document: &Value) -> Result<Vec<Holiday>, Vec<Problem>> {
    let Some(root) = document.as_object() else {
        return Err(vec![problem("document", "must be a JSON object")]);
    };
    let division = match root.get(DIVISION) {
        None | Some(Value::Null) => return Err(vec![problem(DIVISION, "is required")]),
        Some(Value::Object(division)) => division,
        Some(_) => return Err(vec![problem(DIVISION, "must be an object")]),
    };
    let events_path = format!("{DIVISION}.events");
    let events = match division.get("events") {
        None | Some(Value::Null) => return Err(vec![problem(&events_path, "is required")]),
        Some(Value::Array(events)) => events,
        Some(_) => return Err(vec![problem(&events_path, "must be an array")]),
    };

    let mut problems: Vec<Problem> = Vec::new();
    let mut holidays = Vec::with_capacity(events.len());
    // Each date seen so far, with the index of the event that gave it.
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (index, event) in events.iter().enumerate() {
        let at = format!("{events_path}[{index}]");
        let Some(event) = event.as_object() else {
            problems.push(problem(&at, "must be an object"));
            continue;
        };

        let date = event_date(event, &at, &mut seen, index, &mut problems);
        let title = match check_title(event.get("title")) {
            Ok(title) => Some(title),
            Err(message) => {
                problems.push(problem(&format!("{at}.title"), message));
                None
            }
        };

        if let (Some(date), Some(title)) = (date, title) {
            holidays.push((date, titled(event, title)));
        }
    }

    if problems.is_empty() {
        holidays.sort();
        Ok(holidays)
    } else {
        Err(problems)
    }
}

/// The date of the event at `at` (index `index`), recording a problem when
/// it is missing, malformed, or the date of an event already seen.
fn event_date(
    event: &serde_json::Map<String, Value>,
    at: &str,
    seen: &mut BTreeMap<NaiveDate, usize>,
    index: usize,
    problems: &mut Vec<Problem>,
) -> Option<NaiveDate> {
    let date_path = format!("{at}.date");
    let date = match event.get("date") {
        None | Some(Value::Null) => {
            problems.push(problem(&date_path, "is required"));
            None
        }
        Some(value) => {
            let date = value.as_str().and_then(parse_date);
            if date.is_none() {
                problems.push(problem(&date_path, "must be a date YYYY-MM-DD"));
            }
            date
        }
    }?;
    match seen.entry(date) {
        Entry::Occupied(first) => {
            let events_path = at.rsplit_once('[').map_or(at, |(path, _)| path);
            problems.push((
                date_path,
                format!("duplicates {events_path}[{}].date ({date})", first.get()),
            ));
        }
        Entry::Vacant(slot) => {
            slot.insert(index);
        }
    }
    Some(date)
}

/// The holiday's title, marked as a substitute day when GOV.UK's notes say
/// it is one and the title does not.
fn titled(event: &serde_json::Map<String, Value>, title: String) -> String {
    let substitute = event
        .get("notes")
        .and_then(Value::as_str)
        .is_some_and(|notes| notes.trim().eq_ignore_ascii_case("substitute day"));
    if substitute && !title.to_lowercase().contains("substitute") {
        format!("{title} (substitute day)")
    } else {
        title
    }
}

/// A (field path, message) pair.
fn problem(path: &str, message: &str) -> Problem {
    (path.to_owned(), message.to_owned())
}

/// `text` as a date if it is exactly `YYYY-MM-DD` (ASCII digits, no sign,
/// no time, no padding) and names a real day.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |total, &digit| {
            digit
                .is_ascii_digit()
                .then(|| total * 10 + u32::from(digit - b'0'))
        })
    };
    let year = i32::try_from(number(&bytes[0..4])?).ok()?;
    let month = number(&bytes[5..7])?;
    let day = number(&bytes[8..10])?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The event's title, trimmed, or what is wrong with it.
fn check_title(value: Option<&Value>) -> Result<String, &'static str> {
    let title = match value {
        None | Some(Value::Null) => return Err("is required"),
        Some(Value::String(title)) => title,
        Some(_) => return Err("must be a string"),
    };
    if title.contains('\0') {
        return Err("must not contain U+0000");
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err("must be at most 200 characters");
    }
    let title = title.trim();
    if title.is_empty() {
        return Err("must not be empty");
    }
    Ok(title.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::holidays;
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn problems(document: &Value) -> Vec<(String, String)> {
        parse(document).unwrap_err()
    }

    fn one(path: &str, message: &str) -> Vec<(String, String)> {
        vec![(path.to_owned(), message.to_owned())]
    }

    /// A document with one England and Wales event, for the per-field tests.
    fn with_event(event: Value) -> Value {
        json!({"england-and-wales": {"division": "england-and-wales", "events": [event]}})
    }

    /// A cut-down copy of GOV.UK's document: 2025 for all three divisions,
    /// and a few years of England and Wales including 2020's substitute day.
    fn realistic() -> Value {
        json!({
            "england-and-wales": {
                "division": "england-and-wales",
                "events": [
                    {"title": "Christmas Day", "date": "2020-12-25", "notes": "", "bunting": true},
                    {"title": "Boxing Day", "date": "2020-12-28", "notes": "Substitute day", "bunting": true},
                    {"title": "Platinum Jubilee bank holiday", "date": "2022-06-03", "notes": "", "bunting": true},
                    {"title": "New Year’s Day", "date": "2025-01-01", "notes": "", "bunting": true},
                    {"title": "Good Friday", "date": "2025-04-18", "notes": "", "bunting": false},
                    {"title": "Easter Monday", "date": "2025-04-21", "notes": "", "bunting": true},
                    {"title": "Early May bank holiday", "date": "2025-05-05", "notes": "", "bunting": true},
                    {"title": "Spring bank holiday", "date": "2025-05-26", "notes": "", "bunting": true},
                    {"title": "Summer bank holiday", "date": "2025-08-25", "notes": "", "bunting": true},
                    {"title": "Christmas Day", "date": "2025-12-25", "notes": "", "bunting": true},
                    {"title": "Boxing Day", "date": "2025-12-26", "notes": "", "bunting": true}
                ]
            },
            "scotland": {
                "division": "scotland",
                "events": [
                    {"title": "New Year’s Day", "date": "2025-01-01", "notes": "", "bunting": true},
                    {"title": "2nd January", "date": "2025-01-02", "notes": "", "bunting": true},
                    {"title": "Summer bank holiday", "date": "2025-08-04", "notes": "", "bunting": true},
                    {"title": "St Andrew’s Day", "date": "2025-12-01", "notes": "Substitute day", "bunting": true}
                ]
            },
            "northern-ireland": {
                "division": "northern-ireland",
                "events": [
                    {"title": "St Patrick’s Day", "date": "2025-03-17", "notes": "", "bunting": true},
                    {"title": "Battle of the Boyne (Orangemen’s Day)", "date": "2025-07-14", "notes": "Substitute day", "bunting": false}
                ]
            }
        })
    }

    #[test]
    fn reads_england_and_wales_only() {
        let parsed = parse(&realistic()).unwrap();
        let dates: Vec<NaiveDate> = parsed.iter().map(|(date, _)| *date).collect();
        assert_eq!(parsed.len(), 11);
        assert_eq!(parsed[0], (d("2020-12-25"), "Christmas Day".to_owned()));
        assert_eq!(
            parsed[1],
            (d("2020-12-28"), "Boxing Day (substitute day)".to_owned())
        );
        assert_eq!(
            parsed[3],
            (d("2025-01-01"), "New Year’s Day".to_owned()),
            "titles are kept as GOV.UK writes them"
        );
        assert_eq!(parsed[10], (d("2025-12-26"), "Boxing Day".to_owned()));
        // Scotland's 2 January and St Andrew's Day, Northern Ireland's
        // St Patrick's Day and the Boyne: none of them.
        for other in [
            "2025-01-02",
            "2025-08-04",
            "2025-12-01",
            "2025-03-17",
            "2025-07-14",
        ] {
            assert!(!dates.contains(&d(other)), "{other}");
        }
    }

    #[test]
    fn other_divisions_may_be_missing_or_broken() {
        let mut document = realistic();
        document["scotland"] = json!("not even an object");
        document["northern-ireland"] = json!({"events": [{"date": "nonsense"}]});
        document["wales"] = json!(null);
        assert_eq!(parse(&document).unwrap().len(), 11);

        let only = json!({"england-and-wales": realistic()["england-and-wales"].clone()});
        assert_eq!(parse(&only).unwrap(), parse(&realistic()).unwrap());
    }

    #[test]
    fn extra_keys_are_ignored() {
        let document = json!({
            "england-and-wales": {
                "division": "somewhere-else",
                "source": "https://www.gov.uk/bank-holidays.json",
                "events": [{
                    "title": "Good Friday",
                    "date": "2025-04-18",
                    "notes": 42,
                    "bunting": "yes",
                    "colour": ["red", "white", "blue"]
                }]
            },
            "generated": "2025-01-01T00:00:00Z"
        });
        assert_eq!(
            parse(&document).unwrap(),
            vec![(d("2025-04-18"), "Good Friday".to_owned())]
        );
    }

    #[test]
    fn output_is_sorted_by_date() {
        let document = json!({"england-and-wales": {"events": [
            {"title": "Boxing Day", "date": "2025-12-26"},
            {"title": "New Year's Day", "date": "2025-01-01"},
            {"title": "Christmas Day", "date": "2025-12-25"}
        ]}});
        let dates: Vec<NaiveDate> = parse(&document)
            .unwrap()
            .into_iter()
            .map(|(date, _)| date)
            .collect();
        assert_eq!(
            dates,
            vec![d("2025-01-01"), d("2025-12-25"), d("2025-12-26")]
        );
    }

    #[test]
    fn the_shipped_table_round_trips() {
        let events: Vec<Value> = holidays::SHIPPED
            .iter()
            .rev()
            .map(
                |(date, title)| json!({"title": title, "date": date, "notes": "", "bunting": true}),
            )
            .collect();
        let document =
            json!({"england-and-wales": {"division": "england-and-wales", "events": events}});
        assert_eq!(parse(&document).unwrap(), holidays::shipped());
    }

    #[test]
    fn empty_events_is_an_empty_list() {
        let document = json!({"england-and-wales": {"events": []}});
        assert_eq!(parse(&document).unwrap(), vec![]);
    }

    #[test]
    fn the_document_must_be_an_object() {
        for document in [json!(null), json!([]), json!("x"), json!(1)] {
            assert_eq!(
                problems(&document),
                one("document", "must be a JSON object")
            );
        }
    }

    #[test]
    fn england_and_wales_is_required() {
        let mut document = realistic();
        document
            .as_object_mut()
            .unwrap()
            .remove("england-and-wales");
        assert_eq!(problems(&document), one("england-and-wales", "is required"));
        assert_eq!(
            problems(&json!({})),
            one("england-and-wales", "is required")
        );
        assert_eq!(
            problems(&json!({"england-and-wales": null})),
            one("england-and-wales", "is required")
        );
        // The key is exact.
        assert_eq!(
            problems(&json!({"England-and-Wales": {"events": []}})),
            one("england-and-wales", "is required")
        );
        for wrong in [json!([]), json!("events"), json!(true)] {
            assert_eq!(
                problems(&json!({"england-and-wales": wrong})),
                one("england-and-wales", "must be an object")
            );
        }
    }

    #[test]
    fn events_must_be_an_array() {
        assert_eq!(
            problems(&json!({"england-and-wales": {"division": "england-and-wales"}})),
            one("england-and-wales.events", "is required")
        );
        assert_eq!(
            problems(&json!({"england-and-wales": {"events": null}})),
            one("england-and-wales.events", "is required")
        );
        for wrong in [json!({}), json!("[]"), json!(3)] {
            assert_eq!(
                problems(&json!({"england-and-wales": {"events": wrong}})),
                one("england-and-wales.events", "must be an array")
            );
        }
        assert_eq!(
            problems(&json!({"england-and-wales": {"events": [null]}})),
            one("england-and-wales.events[0]", "must be an object")
        );
        assert_eq!(
            problems(&json!({"england-and-wales": {"events": [["2025-01-01", "x"]]}})),
            one("england-and-wales.events[0]", "must be an object")
        );
    }

    #[test]
    fn dates_must_be_yyyy_mm_dd() {
        let bad = [
            json!("2022-6-3"),
            json!("2022-06-3"),
            json!("03/06/2022"),
            json!("2022/06/03"),
            json!("2022-06-03T00:00:00"),
            json!("2022-06-03 "),
            json!(" 2022-06-03"),
            json!("+2022-06-03"),
            json!("22022-06-03"),
            json!("2022-13-01"),
            json!("2022-00-10"),
            json!("2022-06-00"),
            json!("2022-06-31"),
            json!("2023-02-29"),
            json!("2022-0a-03"),
            json!("2022-06-0:"),
            json!("2O22-06-03"),
            json!("2022-06-03\u{0}"),
            json!("２０２２-06-03"),
            json!(""),
            json!(20220603),
            json!(true),
            json!(["2022-06-03"]),
            json!({"date": "2022-06-03"}),
        ];
        for date in bad {
            assert_eq!(
                problems(&with_event(json!({"title": "Holiday", "date": date}))),
                one(
                    "england-and-wales.events[0].date",
                    "must be a date YYYY-MM-DD"
                ),
                "{date}"
            );
        }
        for good in ["2024-02-29", "2000-02-29", "2030-12-31", "1999-01-01"] {
            let parsed = parse(&with_event(json!({"title": "Holiday", "date": good}))).unwrap();
            assert_eq!(parsed, vec![(d(good), "Holiday".to_owned())]);
        }
        assert_eq!(
            problems(&with_event(json!({"title": "Holiday"}))),
            one("england-and-wales.events[0].date", "is required")
        );
        assert_eq!(
            problems(&with_event(json!({"title": "Holiday", "date": null}))),
            one("england-and-wales.events[0].date", "is required")
        );
    }

    #[test]
    fn titles_must_be_present_short_and_clean() {
        let path = "england-and-wales.events[0].title";
        let check =
            |title: Value| parse(&with_event(json!({"title": title, "date": "2025-05-05"})));
        assert_eq!(
            problems(&with_event(json!({"date": "2025-05-05"}))),
            one(path, "is required")
        );
        assert_eq!(check(json!(null)).unwrap_err(), one(path, "is required"));
        assert_eq!(check(json!(5)).unwrap_err(), one(path, "must be a string"));
        assert_eq!(
            check(json!(["x"])).unwrap_err(),
            one(path, "must be a string")
        );
        assert_eq!(
            check(json!("")).unwrap_err(),
            one(path, "must not be empty")
        );
        assert_eq!(
            check(json!("  \t\n")).unwrap_err(),
            one(path, "must not be empty")
        );
        assert_eq!(
            check(json!("Early May\u{0} bank holiday")).unwrap_err(),
            one(path, "must not contain U+0000")
        );
        assert_eq!(
            check(json!("a".repeat(201))).unwrap_err(),
            one(path, "must be at most 200 characters")
        );
        assert_eq!(
            check(json!("’".repeat(201))).unwrap_err(),
            one(path, "must be at most 200 characters")
        );
        // 200 characters is fine, counted as characters, not bytes.
        let long = "a".repeat(200);
        assert_eq!(check(json!(long)).unwrap()[0].1, long);
        let curly = "’".repeat(200);
        assert_eq!(check(json!(curly)).unwrap()[0].1, curly);
        // Surrounding whitespace is trimmed.
        assert_eq!(check(json!(" Boxing Day ")).unwrap()[0].1, "Boxing Day");
    }

    #[test]
    fn duplicated_dates_are_an_error() {
        let document = json!({"england-and-wales": {"events": [
            {"title": "Early May bank holiday", "date": "2020-05-08"},
            {"title": "Spring bank holiday", "date": "2020-05-25"},
            {"title": "Early May bank holiday (VE day)", "date": "2020-05-08"},
            {"title": "Again", "date": "2020-05-08"}
        ]}});
        assert_eq!(
            problems(&document),
            vec![
                (
                    "england-and-wales.events[2].date".to_owned(),
                    "duplicates england-and-wales.events[0].date (2020-05-08)".to_owned()
                ),
                (
                    "england-and-wales.events[3].date".to_owned(),
                    "duplicates england-and-wales.events[0].date (2020-05-08)".to_owned()
                ),
            ]
        );
        // The same date in another division is not a duplicate.
        assert!(parse(&realistic()).is_ok());
    }

    #[test]
    fn every_problem_is_reported_in_document_order() {
        let document = json!({"england-and-wales": {"events": [
            {"title": "New Year's Day", "date": "2025-01-01"},
            {"title": "", "date": "2025-13-01"},
            "Good Friday",
            {"title": "Easter Monday", "date": "2025-04-21", "notes": ""},
            {"date": "2025-01-01"},
            {"title": 7}
        ]}});
        let expected: Vec<(String, String)> = [
            (
                "england-and-wales.events[1].date",
                "must be a date YYYY-MM-DD",
            ),
            ("england-and-wales.events[1].title", "must not be empty"),
            ("england-and-wales.events[2]", "must be an object"),
            (
                "england-and-wales.events[4].date",
                "duplicates england-and-wales.events[0].date (2025-01-01)",
            ),
            ("england-and-wales.events[4].title", "is required"),
            ("england-and-wales.events[5].date", "is required"),
            ("england-and-wales.events[5].title", "must be a string"),
        ]
        .into_iter()
        .map(|(path, message)| (path.to_owned(), message.to_owned()))
        .collect();
        assert_eq!(problems(&document), expected);
    }

    #[test]
    fn parses_the_json_text_as_served() {
        let text = r#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"Bank Holiday for the State Funeral of Queen Elizabeth II","date":"2022-09-19","notes":"","bunting":false}]},"scotland":{"division":"scotland","events":[]},"northern-ireland":{"division":"northern-ireland","events":[]}}"#;
        let document: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            parse(&document).unwrap(),
            vec![(
                d("2022-09-19"),
                "Bank Holiday for the State Funeral of Queen Elizabeth II".to_owned()
            )]
        );
    }
}
