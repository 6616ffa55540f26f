//! `/calendar/holidays`: the shipped England and Wales bank holidays, admin
//! changes, the GOV.UK import, and the due dates that follow the calendar.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

const HOLIDAYS: &str = "/api/v1/calendar/holidays";
const IMPORT: &str = "/api/v1/calendar/holidays/import";

fn d(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

/// Today as the service sees it (the UK date).
fn today() -> NaiveDate {
    redress::calendar::uk_today()
}

/// The `date` of every item of a page.
fn dates(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["date"].as_str().expect("date").to_string())
        .collect()
}

/// Every holiday the API lists between `from` and `to` (inclusive).
async fn holidays_between(
    app: &TestApp,
    user: &TestUser,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeSet<NaiveDate> {
    let res = app
        .get(&format!("{HOLIDAYS}?from={from}&to={to}&limit=500"))
        .auth(user)
        .send()
        .await;
    res.assert_status(200);
    dates(&res.json()).iter().map(|s| d(s)).collect()
}

/// The holidays around today, from the API: enough for every walk below.
async fn holidays_around_today(app: &TestApp, user: &TestUser) -> BTreeSet<NaiveDate> {
    holidays_between(
        app,
        user,
        today() - Days::new(120),
        today() + Days::new(120),
    )
    .await
}

fn is_working_day(date: NaiveDate, holidays: &BTreeSet<NaiveDate>) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date)
}

/// The `n`-th working day after `from` (the day of receipt is day 0).
fn add_working_days(from: NaiveDate, n: u32, holidays: &BTreeSet<NaiveDate>) -> NaiveDate {
    let mut date = from;
    let mut left = n;
    while left > 0 {
        date = date.succ_opt().expect("a next day");
        if is_working_day(date, holidays) {
            left -= 1;
        }
    }
    date
}

/// The `n`-th working day before `from`.
fn sub_working_days(from: NaiveDate, n: u32, holidays: &BTreeSet<NaiveDate>) -> NaiveDate {
    let mut date = from;
    let mut left = n;
    while left > 0 {
        date = date.pred_opt().expect("a previous day");
        if is_working_day(date, holidays) {
            left -= 1;
        }
    }
    date
}

/// The last working day strictly before today.
fn last_working_day_before_today(holidays: &BTreeSet<NaiveDate>) -> NaiveDate {
    sub_working_days(today(), 1, holidays)
}

fn with(holidays: &BTreeSet<NaiveDate>, extra: NaiveDate) -> BTreeSet<NaiveDate> {
    let mut all = holidays.clone();
    all.insert(extra);
    all
}

/// Create an enquiry (10 working days) received on `received_on`; its id.
async fn enquiry(app: &TestApp, user: &TestUser, received_on: NaiveDate, summary: &str) -> i64 {
    let res = app
        .post("/api/v1/feedback")
        .auth(user)
        .json(&json!({"directorate": "adults", "kind": "enquiry",
                      "received_on": received_on, "summary": summary}))
        .send()
        .await;
    res.assert_status(201);
    let body = res.json();
    assert_eq!(body["timeliness"]["target_working_days"], 10, "{body}");
    body["id"].as_i64().expect("id")
}

async fn record(app: &TestApp, user: &TestUser, id: i64) -> Value {
    let res = app
        .get(&format!("/api/v1/feedback/{id}"))
        .auth(user)
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

async fn due_on(app: &TestApp, user: &TestUser, id: i64) -> String {
    let body = record(app, user, id).await;
    body["timeliness"]["due_on"]
        .as_str()
        .unwrap_or_else(|| panic!("due_on: {body}"))
        .to_string()
}

/// The sorted ids of a feedback list query.
async fn feedback_ids(app: &TestApp, user: &TestUser, query: &str) -> Vec<i64> {
    let res = app
        .get(&format!("/api/v1/feedback?limit=500&{query}"))
        .auth(user)
        .send()
        .await;
    res.assert_status(200);
    let body = res.json();
    let mut ids: Vec<i64> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(body["total"], ids.len(), "total for {query}");
    ids.sort_unstable();
    ids
}

async fn add_holiday(app: &TestApp, admin: &TestUser, date: NaiveDate, title: &str) {
    app.post(HOLIDAYS)
        .auth(admin)
        .json(&json!({"date": date, "title": title}))
        .send()
        .await
        .assert_status(201);
}

async fn remove_holiday(app: &TestApp, admin: &TestUser, date: NaiveDate) {
    app.delete(&format!("{HOLIDAYS}/{date}"))
        .auth(admin)
        .send()
        .await
        .assert_status(204);
}

/// A cut-down but faithful GOV.UK `bank-holidays.json`: all three divisions,
/// GOV.UK's curly apostrophes, `notes` and `bunting`, and the 2032
/// substitute days (Christmas on a Saturday).
fn govuk_document() -> Value {
    json!({
        "england-and-wales": {
            "division": "england-and-wales",
            "events": [
                {"title": "Christmas Day", "date": "2025-12-25", "notes": "", "bunting": true},
                {"title": "New Year’s Day", "date": "2031-01-01", "notes": "", "bunting": true},
                {"title": "Good Friday", "date": "2031-04-11", "notes": "", "bunting": false},
                {"title": "Easter Monday", "date": "2031-04-14", "notes": "", "bunting": true},
                {"title": "Christmas Day", "date": "2032-12-27", "notes": "Substitute day", "bunting": true},
                {"title": "Boxing Day", "date": "2032-12-28", "notes": "Substitute day", "bunting": true},
                {"title": "Summer bank holiday", "date": "2025-08-25", "notes": "", "bunting": true},
                {"title": "Boxing Day", "date": "2030-12-26", "notes": "", "bunting": true},
                {"title": "New Year’s Day", "date": "2030-01-01", "notes": "", "bunting": true}
            ]
        },
        "scotland": {
            "division": "scotland",
            "events": [
                {"title": "New Year’s Day", "date": "2031-01-01", "notes": "", "bunting": true},
                {"title": "2nd January", "date": "2031-01-02", "notes": "", "bunting": true},
                {"title": "Summer bank holiday", "date": "2031-08-04", "notes": "", "bunting": true},
                {"title": "St Andrew’s Day", "date": "2031-12-01", "notes": "Substitute day", "bunting": true}
            ]
        },
        "northern-ireland": {
            "division": "northern-ireland",
            "events": [
                {"title": "St Patrick’s Day", "date": "2031-03-17", "notes": "", "bunting": true},
                {"title": "Battle of the Boyne (Orangemen’s Day)", "date": "2031-07-14", "notes": "", "bunting": false}
            ]
        }
    })
}

// ---------------------------------------------------------------------------
// Reading the calendar

#[actix_web::test]
async fn every_role_lists_the_shipped_england_and_wales_holidays() {
    let app = TestApp::new().await;
    let users = [
        app.as_admin().await,
        app.as_manager("adults").await,
        app.as_caseworker("children").await,
        app.as_analyst("corporate").await,
        app.as_integration("adults").await,
    ];
    for user in &users {
        let res = app
            .get(&format!("{HOLIDAYS}?from=2025-01-01&to=2025-12-31"))
            .auth(user)
            .send()
            .await;
        res.assert_status(200);
        let body = res.json();
        assert_eq!(body["total"], 8, "{:?}", user.role);
        assert_eq!(
            dates(&body),
            [
                "2025-01-01",
                "2025-04-18",
                "2025-04-21",
                "2025-05-05",
                "2025-05-26",
                "2025-08-25",
                "2025-12-25",
                "2025-12-26"
            ]
        );
        assert_eq!(
            body["items"][0],
            json!({"date": "2025-01-01", "title": "New Year's Day"})
        );
        assert_eq!(
            body["items"][1],
            json!({"date": "2025-04-18", "title": "Good Friday"})
        );
    }
}

#[actix_web::test]
async fn the_shipped_calendar_covers_2018_to_2030_with_the_one_off_days() {
    let app = TestApp::new().await;
    let user = app.as_caseworker("adults").await;

    let all = app
        .get(&format!("{HOLIDAYS}?limit=500"))
        .auth(&user)
        .send()
        .await;
    all.assert_status(200);
    let all = all.json();
    assert_eq!(all["total"], 107);
    let all_dates = dates(&all);
    assert_eq!(all_dates.len(), 107);
    assert_eq!(all_dates.first().map(String::as_str), Some("2018-01-01"));
    assert_eq!(all_dates.last().map(String::as_str), Some("2030-12-26"));
    let mut sorted = all_dates.clone();
    sorted.sort();
    assert_eq!(all_dates, sorted, "date order by default");

    let y2022 = app
        .get(&format!("{HOLIDAYS}?from=2022-01-01&to=2022-12-31"))
        .auth(&user)
        .send()
        .await
        .json();
    assert_eq!(y2022["total"], 10);
    let y2022 = dates(&y2022);
    assert!(y2022.contains(&"2022-06-03".to_string()), "{y2022:?}");
    assert!(y2022.contains(&"2022-09-19".to_string()), "{y2022:?}");
    assert!(
        !y2022.contains(&"2022-05-30".to_string()),
        "the spring bank holiday moved to 2 June"
    );

    let y2023 = app
        .get(&format!("{HOLIDAYS}?from=2023-01-01&to=2023-12-31"))
        .auth(&user)
        .send()
        .await
        .json();
    assert_eq!(y2023["total"], 9);
    assert!(dates(&y2023).contains(&"2023-05-08".to_string()));

    // Before 2018 and after 2030 nothing is shipped.
    let outside = app
        .get(&format!("{HOLIDAYS}?to=2017-12-31"))
        .auth(&user)
        .send()
        .await
        .json();
    assert_eq!(outside["total"], 0);
    let outside = app
        .get(&format!("{HOLIDAYS}?from=2031-01-01"))
        .auth(&user)
        .send()
        .await
        .json();
    assert_eq!(outside["total"], 0);
}

#[actix_web::test]
async fn from_and_to_are_inclusive_at_both_ends() {
    let app = TestApp::new().await;
    let user = app.as_analyst("adults").await;
    let res = app
        .get(&format!("{HOLIDAYS}?from=2022-06-03&to=2022-09-19"))
        .auth(&user)
        .send()
        .await;
    res.assert_status(200);
    let body = res.json();
    assert_eq!(body["total"], 3);
    assert_eq!(dates(&body), ["2022-06-03", "2022-08-29", "2022-09-19"]);
    assert_eq!(
        body["items"][2]["title"],
        "Bank Holiday for the State Funeral of Queen Elizabeth II"
    );

    // One day: from = to.
    let one = app
        .get(&format!("{HOLIDAYS}?from=2023-05-08&to=2023-05-08"))
        .auth(&user)
        .send()
        .await
        .json();
    assert_eq!(one["total"], 1);
    assert_eq!(
        one["items"][0],
        json!({"date": "2023-05-08", "title": "Bank holiday for the coronation of King Charles III"})
    );

    // One day after and before the holidays at the ends: they drop out.
    let narrower = app
        .get(&format!("{HOLIDAYS}?from=2022-06-04&to=2022-09-18"))
        .auth(&user)
        .send()
        .await
        .json();
    assert_eq!(dates(&narrower), ["2022-08-29"]);
}

#[actix_web::test]
async fn the_list_pages_and_sorts_newest_first() {
    let app = TestApp::new().await;
    let user = app.as_manager("adults").await;
    let res = app
        .get(&format!(
            "{HOLIDAYS}?from=2025-01-01&to=2025-12-31&sort=-date&limit=3&offset=1"
        ))
        .auth(&user)
        .send()
        .await;
    res.assert_status(200);
    let body = res.json();
    assert_eq!(body["total"], 8);
    assert_eq!(body["limit"], 3);
    assert_eq!(body["offset"], 1);
    assert_eq!(dates(&body), ["2025-12-25", "2025-08-25", "2025-05-26"]);

    let ascending = app
        .get(&format!(
            "{HOLIDAYS}?from=2025-01-01&to=2025-12-31&sort=date&limit=2&offset=6"
        ))
        .auth(&user)
        .send()
        .await
        .json();
    assert_eq!(dates(&ascending), ["2025-12-25", "2025-12-26"]);

    let past_the_end = app
        .get(&format!(
            "{HOLIDAYS}?from=2025-01-01&to=2025-12-31&offset=8"
        ))
        .auth(&user)
        .send()
        .await
        .json();
    assert_eq!(past_the_end["total"], 8);
    assert_eq!(past_the_end["items"], json!([]));

    let default_limit = app.get(HOLIDAYS).auth(&user).send().await.json();
    assert_eq!(default_limit["limit"], 50);
    assert_eq!(default_limit["items"].as_array().map(Vec::len), Some(50));
}

#[actix_web::test]
async fn bad_list_parameters_are_refused() {
    let app = TestApp::new().await;
    let user = app.as_caseworker("adults").await;
    let res = app
        .get(&format!("{HOLIDAYS}?sort=title"))
        .auth(&user)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["sort"]);
    let res = app
        .get(&format!("{HOLIDAYS}?limit=501"))
        .auth(&user)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["limit"]);
    for (query, field) in [("from=2025-02-30", "from"), ("to=yesterday", "to")] {
        let res = app
            .get(&format!("{HOLIDAYS}?{query}"))
            .auth(&user)
            .send()
            .await;
        assert_eq!(res.unreadable_parameters(), [field], "{query}");
    }
}

#[actix_web::test]
async fn the_calendar_needs_a_token() {
    let app = TestApp::new().await;
    let res = app.get(HOLIDAYS).send().await;
    res.problem(401);
    assert!(res
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Bearer")));
    app.get(&format!("{HOLIDAYS}/2025-12-25"))
        .send()
        .await
        .problem(401);
    app.post(HOLIDAYS)
        .json(&json!({"date": "2031-06-02", "title": "Extra"}))
        .send()
        .await
        .problem(401);
    app.delete(&format!("{HOLIDAYS}/2025-12-25"))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn one_holiday_is_found_by_its_date() {
    let app = TestApp::new().await;
    let user = app.as_integration("adults").await;
    let res = app
        .get(&format!("{HOLIDAYS}/2023-05-08"))
        .auth(&user)
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(
        res.json(),
        json!({"date": "2023-05-08", "title": "Bank holiday for the coronation of King Charles III"})
    );
    let res = app
        .get(&format!("{HOLIDAYS}/2020-12-28"))
        .auth(&user)
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.json()["title"], "Boxing Day (substitute day)");
}

#[actix_web::test]
async fn a_day_that_is_not_a_holiday_or_not_a_date_is_404() {
    let app = TestApp::new().await;
    let user = app.as_caseworker("adults").await;
    for path in [
        "2025-06-02",
        "2020-05-04",
        "2025-12-27",
        "2025-02-30",
        "2025-13-01",
        "25-12-2025",
        "christmas",
        "2025-12-25T00:00:00",
    ] {
        let res = app
            .get(&format!("{HOLIDAYS}/{path}"))
            .auth(&user)
            .send()
            .await;
        assert_eq!(res.status.as_u16(), 404, "{path}: {}", res.text());
        res.problem(404);
    }
}

// ---------------------------------------------------------------------------
// Changing the calendar

#[actix_web::test]
async fn only_admins_add_or_remove_holidays() {
    let app = TestApp::new().await;
    for user in [
        app.as_manager("adults").await,
        app.as_caseworker("adults").await,
        app.as_analyst("adults").await,
        app.as_integration("adults").await,
    ] {
        app.post(HOLIDAYS)
            .auth(&user)
            .json(&json!({"date": "2031-06-02", "title": "Sneaky day off"}))
            .send()
            .await
            .problem(403);
        app.delete(&format!("{HOLIDAYS}/2025-12-25"))
            .auth(&user)
            .send()
            .await
            .problem(403);
        app.post(IMPORT)
            .auth(&user)
            .json(&govuk_document())
            .send()
            .await
            .problem(403);
    }
    let admin = app.as_admin().await;
    app.get(&format!("{HOLIDAYS}/2031-06-02"))
        .auth(&admin)
        .send()
        .await
        .problem(404);
    app.get(&format!("{HOLIDAYS}/2025-12-25"))
        .auth(&admin)
        .send()
        .await
        .assert_status(200);
    app.get(&format!("{HOLIDAYS}/2031-01-01"))
        .auth(&admin)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn admins_add_a_holiday_with_a_location() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .post(HOLIDAYS)
        .auth(&admin)
        .json(&json!({"date": "2031-06-02", "title": "Royal wedding bank holiday"}))
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(
        res.header("location"),
        Some("/api/v1/calendar/holidays/2031-06-02")
    );
    assert_eq!(
        res.json(),
        json!({"date": "2031-06-02", "title": "Royal wedding bank holiday"})
    );

    let caseworker = app.as_caseworker("children").await;
    let got = app
        .get(&format!("{HOLIDAYS}/2031-06-02"))
        .auth(&caseworker)
        .send()
        .await;
    got.assert_status(200);
    assert_eq!(got.json()["title"], "Royal wedding bank holiday");
    let list = app
        .get(&format!("{HOLIDAYS}?from=2031-01-01"))
        .auth(&caseworker)
        .send()
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(dates(&list), ["2031-06-02"]);
    let all = app.get(HOLIDAYS).auth(&caseworker).send().await.json();
    assert_eq!(all["total"], 108);
}

#[actix_web::test]
async fn adding_a_day_that_is_already_a_holiday_conflicts() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    app.post(HOLIDAYS)
        .auth(&admin)
        .json(&json!({"date": "2025-12-25", "title": "Christmas again"}))
        .send()
        .await
        .problem(409);
    let got = app
        .get(&format!("{HOLIDAYS}/2025-12-25"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(got["title"], "Christmas Day");

    add_holiday(&app, &admin, d("2031-06-02"), "Extra day").await;
    app.post(HOLIDAYS)
        .auth(&admin)
        .json(&json!({"date": "2031-06-02", "title": "Extra day"}))
        .send()
        .await
        .problem(409);
    let list = app
        .get(&format!("{HOLIDAYS}?from=2031-01-01"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(list["total"], 1);
}

#[actix_web::test]
async fn a_bad_holiday_body_is_422_naming_the_field() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let cases = [
        (json!({"date": "2031-06-02"}), vec!["title"]),
        (json!({"title": "No date"}), vec!["date"]),
        (json!({"date": "2031-06-02", "title": ""}), vec!["title"]),
        (json!({"date": "2031-06-02", "title": "   "}), vec!["title"]),
        (
            json!({"date": "2031-06-02", "title": "x".repeat(201)}),
            vec!["title"],
        ),
        (
            json!({"date": "2031-06-02", "title": "Extra", "bunting": true}),
            vec!["bunting"],
        ),
        (
            json!({"date": "2031-02-30", "title": "Not a day"}),
            vec!["date"],
        ),
        (
            json!({"date": "02/06/2031", "title": "Wrong format"}),
            vec!["date"],
        ),
        (json!({"date": 20310602, "title": "A number"}), vec!["date"]),
        (
            json!({"date": "2031-06-02", "title": "Nul\u{0}"}),
            vec!["title"],
        ),
    ];
    for (body, expected) in cases {
        let res = app.post(HOLIDAYS).auth(&admin).json(&body).send().await;
        assert_eq!(res.invalid_fields(), expected, "{body}");
    }
    // Nothing was added.
    let list = app
        .get(&format!("{HOLIDAYS}?from=2031-01-01"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(list["total"], 0);

    // Not JSON at all is 400; not declared as JSON is 415.
    app.post(HOLIDAYS)
        .auth(&admin)
        .header("content-type", "application/json")
        .body("{\"date\": ")
        .send()
        .await
        .problem(400);
    app.post(HOLIDAYS)
        .auth(&admin)
        .header("content-type", "text/plain")
        .body(r#"{"date": "2031-06-02", "title": "Extra"}"#)
        .send()
        .await
        .problem(415);
}

#[actix_web::test]
async fn a_title_of_200_characters_is_accepted() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let title = "é".repeat(200);
    let res = app
        .post(HOLIDAYS)
        .auth(&admin)
        .json(&json!({"date": "2031-06-02", "title": title}))
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(res.json()["title"], title);
}

#[actix_web::test]
async fn admins_remove_a_holiday_and_it_is_gone() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .delete(&format!("{HOLIDAYS}/2025-12-26"))
        .auth(&admin)
        .send()
        .await;
    res.assert_status(204);
    assert!(res.body.is_empty());
    app.get(&format!("{HOLIDAYS}/2025-12-26"))
        .auth(&admin)
        .send()
        .await
        .problem(404);
    let y2025 = app
        .get(&format!("{HOLIDAYS}?from=2025-01-01&to=2025-12-31"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(y2025["total"], 7);
    assert!(!dates(&y2025).contains(&"2025-12-26".to_string()));

    // Again: there is nothing left to remove.
    app.delete(&format!("{HOLIDAYS}/2025-12-26"))
        .auth(&admin)
        .send()
        .await
        .problem(404);
    // A day that never was a holiday, and a path that is not a date.
    app.delete(&format!("{HOLIDAYS}/2025-06-02"))
        .auth(&admin)
        .send()
        .await
        .problem(404);
    app.delete(&format!("{HOLIDAYS}/boxing-day"))
        .auth(&admin)
        .send()
        .await
        .problem(404);

    // It can be added back.
    add_holiday(&app, &admin, d("2025-12-26"), "Boxing Day").await;
    let y2025 = app
        .get(&format!("{HOLIDAYS}?from=2025-01-01&to=2025-12-31"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(y2025["total"], 8);
}

// ---------------------------------------------------------------------------
// Importing GOV.UK's bank-holidays.json

#[actix_web::test]
async fn importing_govuk_adds_only_england_and_wales_days_and_counts_them() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .post(IMPORT)
        .auth(&admin)
        .json(&govuk_document())
        .send()
        .await;
    res.assert_status(200);
    // Added: 2031-01-01, 2031-04-11, 2031-04-14, 2032-12-27, 2032-12-28.
    // Updated: 2030-01-01 (GOV.UK's curly apostrophe).
    // Unchanged: 2025-12-25, 2025-08-25, 2030-12-26.
    assert_eq!(
        res.json(),
        json!({"added": 5, "updated": 1, "unchanged": 3})
    );

    let after = app
        .get(&format!("{HOLIDAYS}?from=2031-01-01"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        dates(&after),
        [
            "2031-01-01",
            "2031-04-11",
            "2031-04-14",
            "2032-12-27",
            "2032-12-28"
        ]
    );
    assert_eq!(after["items"][0]["title"], "New Year’s Day");
    assert_eq!(after["items"][1]["title"], "Good Friday");
    // Substitute days get the suffix the shipped table uses.
    assert_eq!(after["items"][3]["title"], "Christmas Day (substitute day)");
    assert_eq!(after["items"][4]["title"], "Boxing Day (substitute day)");

    // Scotland's and Northern Ireland's own days did not land.
    for other in [
        "2031-01-02",
        "2031-08-04",
        "2031-12-01",
        "2031-03-17",
        "2031-07-14",
    ] {
        app.get(&format!("{HOLIDAYS}/{other}"))
            .auth(&admin)
            .send()
            .await
            .problem(404);
    }
    // Retitled and untouched days.
    let retitled = app
        .get(&format!("{HOLIDAYS}/2030-01-01"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(retitled["title"], "New Year’s Day");
    let kept = app
        .get(&format!("{HOLIDAYS}/2025-12-25"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(kept["title"], "Christmas Day");
    // Holidays the document does not mention stay.
    let all = app.get(HOLIDAYS).auth(&admin).send().await.json();
    assert_eq!(all["total"], 107 + 5);
}

#[actix_web::test]
async fn importing_the_same_document_twice_changes_nothing_the_second_time() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    app.post(IMPORT)
        .auth(&admin)
        .json(&govuk_document())
        .send()
        .await
        .assert_status(200);
    let res = app
        .post(IMPORT)
        .auth(&admin)
        .json(&govuk_document())
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(
        res.json(),
        json!({"added": 0, "updated": 0, "unchanged": 9})
    );
    let all = app.get(HOLIDAYS).auth(&admin).send().await.json();
    assert_eq!(all["total"], 112);
}

#[actix_web::test]
async fn a_broken_import_is_422_with_field_paths_and_imports_nothing() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let document = json!({
        "england-and-wales": {
            "division": "england-and-wales",
            "events": [
                {"title": "Not a day", "date": "2031-02-30", "notes": "", "bunting": true},
                {"date": "2031-04-11", "notes": "", "bunting": false},
                {"title": "Easter Monday", "date": "2031-04-14", "notes": "", "bunting": true},
                {"title": "   ", "date": "14/04/2031", "notes": "", "bunting": true},
                "not an event",
                {"title": "Easter Monday again", "date": "2031-04-14", "notes": "", "bunting": true}
            ]
        },
        "scotland": {"division": "scotland", "events": []}
    });
    let res = app.post(IMPORT).auth(&admin).json(&document).send().await;
    assert_eq!(
        res.invalid_fields(),
        [
            "england-and-wales.events[0].date",
            "england-and-wales.events[1].title",
            "england-and-wales.events[3].date",
            "england-and-wales.events[3].title",
            "england-and-wales.events[4]",
            "england-and-wales.events[5].date",
        ]
    );
    // The valid events of a broken document are not imported either.
    app.get(&format!("{HOLIDAYS}/2031-04-14"))
        .auth(&admin)
        .send()
        .await
        .problem(404);
    let all = app.get(HOLIDAYS).auth(&admin).send().await.json();
    assert_eq!(all["total"], 107);
}

#[actix_web::test]
async fn an_import_without_england_and_wales_events_is_422() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let cases = [
        (
            json!({"england-and-wales": {"division": "england-and-wales", "events": []}}),
            "england-and-wales.events",
        ),
        (
            json!({"england-and-wales": {"division": "england-and-wales"}}),
            "england-and-wales.events",
        ),
        (
            json!({"england-and-wales": {"division": "england-and-wales", "events": {"title": "x"}}}),
            "england-and-wales.events",
        ),
        (
            json!({"scotland": govuk_document()["scotland"].clone()}),
            "england-and-wales",
        ),
        (json!({"england-and-wales": []}), "england-and-wales"),
    ];
    for (document, field) in cases {
        let res = app.post(IMPORT).auth(&admin).json(&document).send().await;
        assert_eq!(res.invalid_fields(), [field], "{document}");
    }
    let all = app.get(HOLIDAYS).auth(&admin).send().await.json();
    assert_eq!(all["total"], 107);
}

#[actix_web::test]
async fn an_import_needs_an_admin_token_and_a_json_body() {
    let app = TestApp::new().await;
    let res = app.post(IMPORT).json(&govuk_document()).send().await;
    res.problem(401);
    let admin = app.as_admin().await;
    app.post(IMPORT)
        .auth(&admin)
        .header("content-type", "text/plain")
        .body(govuk_document().to_string())
        .send()
        .await
        .problem(415);
    app.post(IMPORT)
        .auth(&admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("england-and-wales=1")
        .send()
        .await
        .problem(415);
    app.post(IMPORT)
        .auth(&admin)
        .header("content-type", "application/json")
        .body("{\"england-and-wales\": ")
        .send()
        .await
        .problem(400);
    let res = app
        .post(IMPORT)
        .auth(&admin)
        .json(&json!([govuk_document()]))
        .send()
        .await;
    res.problem(422);
    // None of those imported anything.
    let all = app.get(HOLIDAYS).auth(&admin).send().await.json();
    assert_eq!(all["total"], 107);
}

// ---------------------------------------------------------------------------
// Due dates follow the calendar as it is now

#[actix_web::test]
async fn a_holiday_added_or_removed_later_moves_an_open_records_due_date_at_once() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let holidays = holidays_around_today(&app, &manager).await;

    let received = sub_working_days(today(), 12, &holidays);
    let id = enquiry(&app, &manager, received, "When is my assessment?").await;
    let due = add_working_days(received, 10, &holidays);
    assert_eq!(due_on(&app, &manager, id).await, due.to_string());

    // A new holiday on a working day between receipt and the due date.
    let holiday = add_working_days(received, 4, &holidays);
    assert!(holiday > received && holiday < due);
    add_holiday(&app, &admin, holiday, "Extra bank holiday").await;
    let moved = add_working_days(received, 10, &with(&holidays, holiday));
    assert!(moved > due);
    assert_eq!(
        sub_working_days(moved, 1, &holidays),
        due,
        "one working day"
    );
    assert_eq!(due_on(&app, &manager, id).await, moved.to_string());

    // Removing it moves the due date back.
    remove_holiday(&app, &admin, holiday).await;
    assert_eq!(due_on(&app, &manager, id).await, due.to_string());
}

#[actix_web::test]
async fn a_holiday_moves_only_the_records_whose_timescale_spans_it() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let holidays = holidays_around_today(&app, &manager).await;

    let early = sub_working_days(today(), 14, &holidays);
    let spanning = enquiry(&app, &manager, early, "Spans the new holiday").await;
    let holiday = add_working_days(early, 2, &holidays);
    // Received after the new holiday: its timescale does not include it.
    let later = add_working_days(holiday, 1, &holidays);
    assert!(later <= today());
    let after = enquiry(&app, &manager, later, "Received after it").await;
    // A compliment has no timescale at all.
    let compliment = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .json(&json!({"directorate": "adults", "kind": "compliment", "received_on": early}))
        .send()
        .await;
    compliment.assert_status(201);
    let compliment = compliment.json()["id"].as_i64().expect("id");

    let after_due = due_on(&app, &manager, after).await;
    assert_eq!(
        after_due,
        add_working_days(later, 10, &holidays).to_string()
    );
    add_holiday(&app, &admin, holiday, "Extra bank holiday").await;

    assert_eq!(
        due_on(&app, &manager, spanning).await,
        add_working_days(early, 11, &holidays).to_string()
    );
    assert_eq!(due_on(&app, &manager, after).await, after_due);
    let compliment = record(&app, &manager, compliment).await;
    assert_eq!(compliment["timeliness"]["due_on"], Value::Null);
}

#[actix_web::test]
async fn importing_a_holiday_moves_an_open_records_due_date() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let caseworker = app.as_caseworker("adults").await;
    let holidays = holidays_around_today(&app, &caseworker).await;

    let received = sub_working_days(today(), 8, &holidays);
    let id = enquiry(&app, &caseworker, received, "Imported holiday").await;
    let holiday = add_working_days(received, 1, &holidays);
    let res = app
        .post(IMPORT)
        .auth(&admin)
        .json(
            &json!({"england-and-wales": {"division": "england-and-wales", "events": [
                {"title": "Christmas Day", "date": "2025-12-25", "notes": "", "bunting": true},
                {"title": "Proclaimed bank holiday", "date": holiday, "notes": "", "bunting": true}
            ]}}),
        )
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(
        res.json(),
        json!({"added": 1, "updated": 0, "unchanged": 1})
    );
    assert_eq!(
        due_on(&app, &caseworker, id).await,
        add_working_days(received, 11, &holidays).to_string()
    );
}

#[actix_web::test]
async fn the_overdue_filter_follows_the_moved_due_date() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let holidays = holidays_around_today(&app, &manager).await;

    // Due on the last working day before today: overdue today.
    let due = last_working_day_before_today(&holidays);
    let received = sub_working_days(due, 10, &holidays);
    let id = enquiry(&app, &manager, received, "Nearly late").await;
    // A control that stays overdue whatever happens: due long ago.
    let old = enquiry(&app, &manager, d("2025-01-06"), "Long overdue").await;
    let body = record(&app, &manager, id).await;
    assert_eq!(body["timeliness"]["due_on"], due.to_string());
    assert_eq!(body["timeliness"]["overdue"], true);
    assert_eq!(
        feedback_ids(&app, &manager, "overdue=true").await,
        [id, old]
    );
    assert_eq!(
        feedback_ids(&app, &manager, "overdue=false").await,
        Vec::<i64>::new()
    );

    // A holiday between receipt and the due date moves the due date to
    // today or later: the record is no longer overdue, in the list either.
    let holiday = add_working_days(received, 5, &holidays);
    add_holiday(&app, &admin, holiday, "Extra bank holiday").await;
    let body = record(&app, &manager, id).await;
    let moved = add_working_days(received, 10, &with(&holidays, holiday));
    assert!(moved >= today());
    assert_eq!(body["timeliness"]["due_on"], moved.to_string());
    assert_eq!(body["timeliness"]["overdue"], false);
    assert_eq!(feedback_ids(&app, &manager, "overdue=true").await, [old]);
    assert_eq!(feedback_ids(&app, &manager, "overdue=false").await, [id]);

    // Removing it makes the record overdue again.
    remove_holiday(&app, &admin, holiday).await;
    assert_eq!(
        record(&app, &manager, id).await["timeliness"]["overdue"],
        true
    );
    assert_eq!(
        feedback_ids(&app, &manager, "overdue=true").await,
        [id, old]
    );
}

#[actix_web::test]
async fn the_due_date_sort_follows_the_moved_due_date() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let holidays = holidays_around_today(&app, &manager).await;

    // Two enquiries received the same day: `moving` is due on its 10th
    // working day; `fixed` has an agreed extension to the day after, which
    // no holiday moves.
    let received = sub_working_days(today(), 6, &holidays);
    let target = add_working_days(received, 10, &holidays);
    let extended = target.succ_opt().expect("a next day");
    let res = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .json(
            &json!({"directorate": "adults", "kind": "enquiry", "received_on": received,
                      "extended_due_on": extended, "extension_reason": "Waiting for records"}),
        )
        .send()
        .await;
    res.assert_status(201);
    let fixed = res.json()["id"].as_i64().expect("id");
    let moving = enquiry(&app, &manager, received, "Moves").await;

    let by_due_date = |body: Value| -> Vec<(i64, String)> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| {
                (
                    item["id"].as_i64().expect("id"),
                    item["timeliness"]["due_on"]
                        .as_str()
                        .expect("due_on")
                        .to_string(),
                )
            })
            .collect()
    };
    let page = app
        .get("/api/v1/feedback?sort=due_on")
        .auth(&manager)
        .send()
        .await;
    page.assert_status(200);
    assert_eq!(
        by_due_date(page.json()),
        [(moving, target.to_string()), (fixed, extended.to_string())]
    );

    // Two holidays within the target: `moving` is now due two working days
    // later, after `fixed`, in the JSON and in the stored date the list sorts by.
    let one = add_working_days(received, 2, &holidays);
    let two = add_working_days(received, 3, &holidays);
    add_holiday(&app, &admin, one, "Extra one").await;
    add_holiday(&app, &admin, two, "Extra two").await;
    let moved = add_working_days(target, 2, &holidays);
    let page = app
        .get("/api/v1/feedback?sort=due_on")
        .auth(&manager)
        .send()
        .await;
    page.assert_status(200);
    assert_eq!(
        by_due_date(page.json()),
        [(fixed, extended.to_string()), (moving, moved.to_string())]
    );
    let page = app
        .get("/api/v1/feedback?sort=-due_on")
        .auth(&manager)
        .send()
        .await;
    assert_eq!(
        by_due_date(page.json()),
        [(moving, moved.to_string()), (fixed, extended.to_string())]
    );
}

#[actix_web::test]
async fn a_holiday_added_later_corrects_a_responded_records_figures() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let holidays = holidays_around_today(&app, &manager).await;

    // Responded on the 11th working day: one day late.
    let responded = sub_working_days(today(), 1, &holidays);
    let received = sub_working_days(responded, 11, &holidays);
    let res = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .json(
            &json!({"directorate": "adults", "kind": "enquiry", "received_on": received,
                      "responded_on": responded, "outcome": "resolved"}),
        )
        .send()
        .await;
    res.assert_status(201);
    let id = res.json()["id"].as_i64().expect("id");
    let before = record(&app, &manager, id).await["timeliness"].clone();
    assert_eq!(before["working_days_taken"], 11);
    assert_eq!(before["within_target"], false);
    assert_eq!(before["overdue"], false);

    // A holiday in between: it was answered on the 10th working day.
    let holiday = add_working_days(received, 3, &holidays);
    add_holiday(&app, &admin, holiday, "Extra bank holiday").await;
    let after = record(&app, &manager, id).await["timeliness"].clone();
    assert_eq!(after["working_days_taken"], 10);
    assert_eq!(after["within_target"], true);
    assert_eq!(after["due_on"], responded.to_string());
}

#[actix_web::test]
async fn a_holiday_moves_the_stored_due_date_of_a_complaint_acknowledged_long_after_receipt() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("corporate").await;
    let holidays = holidays_around_today(&app, &manager).await;

    // A corporate stage 1 complaint is due 10 working days after its
    // acknowledgement. This one was received ten months ago and only
    // acknowledged recently, so it is due on the last working day before
    // today: overdue.
    let due = last_working_day_before_today(&holidays);
    let acknowledged = sub_working_days(due, 10, &holidays);
    let received = acknowledged
        .checked_sub_months(chrono::Months::new(10))
        .expect("a date");
    let res = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .json(
            &json!({"directorate": "corporate", "kind": "complaint", "procedure": "corporate",
                      "stage": 1, "received_on": received, "acknowledged_on": acknowledged,
                      "category": "Highways", "summary": "Pothole claim"}),
        )
        .send()
        .await;
    res.assert_status(201);
    let body = res.json();
    let id = body["id"].as_i64().expect("id");
    assert_eq!(body["timeliness"]["due_on"], due.to_string());
    assert_eq!(body["timeliness"]["overdue"], true);
    assert_eq!(feedback_ids(&app, &manager, "overdue=true").await, [id]);

    // A holiday between the acknowledgement and the due date: the record is
    // due today or later, and the list agrees with the record.
    let holiday = add_working_days(acknowledged, 5, &holidays);
    add_holiday(&app, &admin, holiday, "Extra bank holiday").await;
    let body = record(&app, &manager, id).await;
    let moved = add_working_days(acknowledged, 10, &with(&holidays, holiday));
    assert_eq!(body["timeliness"]["due_on"], moved.to_string());
    assert_eq!(body["timeliness"]["overdue"], false);
    assert_eq!(
        feedback_ids(&app, &manager, "overdue=true").await,
        Vec::<i64>::new(),
        "the list still uses the due date from before the holiday"
    );
    assert_eq!(feedback_ids(&app, &manager, "overdue=false").await, [id]);
}

#[actix_web::test]
async fn a_repeated_holiday_post_with_the_same_idempotency_key_is_replayed() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let body = json!({"date": "2031-06-02", "title": "Extra day"});
    let first = app
        .post(HOLIDAYS)
        .auth(&admin)
        .header("idempotency-key", "holiday-2031-06-02")
        .json(&body)
        .send()
        .await;
    first.assert_status(201);
    let again = app
        .post(HOLIDAYS)
        .auth(&admin)
        .header("idempotency-key", "holiday-2031-06-02")
        .json(&body)
        .send()
        .await;
    again.assert_status(201);
    assert_eq!(again.json(), first.json());
    assert_eq!(
        again.header("location"),
        Some("/api/v1/calendar/holidays/2031-06-02")
    );
    // Without the key, the same day is a duplicate.
    app.post(HOLIDAYS)
        .auth(&admin)
        .json(&body)
        .send()
        .await
        .problem(409);
    let list = app
        .get(&format!("{HOLIDAYS}?from=2031-01-01"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(list["total"], 1);
}
