//! Statistics: the published figures reproduced from records built through
//! the API, periods, scoping, CSV, and identical answers on both backends.

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::common::{get, on_postgres, post, Backend, TestApp, TestUser};

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// `counts` expanded: `[("a", 2), ("b", 1)]` → `["a", "a", "b"]`.
fn spread<'a>(counts: &[(&'a str, usize)]) -> Vec<&'a str> {
    counts
        .iter()
        .flat_map(|(v, n)| std::iter::repeat_n(*v, *n))
        .collect()
}

/// The adult social care complaints, reviews and enquiries of 2024-25 as
/// the published annual report counts them (DOMAIN.md), with records just
/// outside the year that must not count.
async fn load_adult_social_care(app: &TestApp, user: &TestUser) {
    let categories = spread(&[
        ("Charging", 66),
        ("Care Assessment", 51),
        ("Home Care", 23),
        ("Other", 23),
        ("Residential Care", 17),
        ("Social Care Team", 11),
        ("Safeguarding", 10),
        ("Supported living", 5),
        ("Unpaid Carers", 4),
        ("Corporate", 4),
        ("Direct Payments", 3),
    ]);
    let outcomes = spread(&[
        ("partially_upheld", 121),
        ("closed_no_further_action", 25),
        ("not_upheld", 22),
        ("pursued_other_route", 19),
        ("withdrawn", 11),
        ("upheld", 10),
        ("redirected", 9),
    ]);
    assert_eq!((categories.len(), outcomes.len()), (217, 217));
    for i in 0..217 {
        let received = d("2024-04-01") + Duration::days((i as i64 * 37) % 280);
        // 80 answered long after the 25 working days, the rest well inside them.
        let responded = received + Duration::days(if i % 217 < 80 { 60 } else { 14 });
        post(app, user, "/api/v1/feedback", json!({
            "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
            "received_on": received, "responded_on": responded, "category": categories[i],
            "sub_category": if categories[i] == "Charging" { json!("Outcome of financial assessment") } else { Value::Null },
            "outcome": outcomes[(i * 11) % 217],
            "complainant": {"name": format!("Test Person {i}"), "is_young_person": false},
        }))
        .await;
    }
    // Five more received in the year, still open.
    for i in 0..5 {
        post(app, user, "/api/v1/feedback", json!({
            "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
            "received_on": d("2025-03-31") - Duration::days(i),
        }))
        .await;
    }
    // Just outside the year: received and answered before it, received after it.
    post(app, user, "/api/v1/feedback", json!({
        "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
        "received_on": "2024-03-01", "responded_on": "2024-03-31", "category": "Charging", "outcome": "upheld"}))
    .await;
    post(
        app,
        user,
        "/api/v1/feedback",
        json!({
        "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
        "received_on": "2025-04-01"}),
    )
    .await;
    let reviews = spread(&[
        ("upheld", 4),
        ("not_upheld", 1),
        ("partially_upheld", 35),
        ("not_pursued_after_meeting", 1),
    ]);
    for (i, outcome) in reviews.iter().enumerate() {
        let received = d("2024-04-01") + Duration::days((i as i64 * 5) % 240);
        let responded = received + Duration::days(if i < 12 { 120 } else { 30 });
        post(app, user, "/api/v1/feedback", json!({
            "directorate": "adults", "kind": "senior_manager_review", "procedure": "statutory_adults",
            "received_on": received, "responded_on": responded, "category": "Charging", "outcome": outcome}))
        .await;
    }
    let dissatisfactions = spread(&[
        ("partially_upheld", 26),
        ("upheld", 7),
        ("not_upheld", 8),
        ("closed_no_further_action", 35),
        ("withdrawn", 12),
        ("redirected", 4),
    ]);
    for (i, outcome) in dissatisfactions.iter().enumerate() {
        let received = d("2024-04-01") + Duration::days((i as i64 * 3) % 300);
        post(app, user, "/api/v1/feedback", json!({
            "directorate": "adults", "kind": "dissatisfaction", "procedure": "statutory_adults",
            "received_on": received, "responded_on": received + Duration::days(20), "category": "Care Assessment",
            "outcome": outcome}))
        .await;
    }
    for i in 0..50 {
        let received = d("2024-04-01") + Duration::days((i as i64 * 6) % 330);
        let responded = received + Duration::days(if i < 18 { 30 } else { 7 });
        post(app, user, "/api/v1/feedback", json!({
            "directorate": "adults", "kind": "mp_enquiry", "received_on": received, "responded_on": responded,
            "category": "Care Assessment", "complainant": {"relationship": "mp"}}))
        .await;
    }
}

/// The council's Ombudsman decisions of 2024-25 as the LGSCO published them
/// (79 dealt with; 29 / 27 / 23; 18 upheld; 6 remedied; 12 complied), plus
/// one decided on each side of the year.
async fn load_ombudsman_cases(app: &TestApp, user: &TestUser) {
    let decisions = spread(&[
        ("advice_given", 5),
        ("referred_back_for_local_resolution", 20),
        ("incomplete_or_invalid", 4),
        ("closed_after_initial_enquiries", 27),
        ("upheld", 18),
        ("not_upheld", 5),
    ]);
    let directorates = ["adults", "children", "corporate"];
    let mut upheld = 0;
    for (i, decision) in decisions.iter().enumerate() {
        let decided = d("2024-04-01") + Duration::days((i as i64 * 4) % 365);
        let mut body = json!({
            "reference": format!("24 {:03} {:03}", i / 1000, i % 1000 + 100),
            "directorate": directorates[i % 3],
            "category": if i % 2 == 0 { "Education" } else { "Adult care services" },
            "received_on": "2024-01-10",
            "decision": decision,
            "decided_on": decided,
        });
        if *decision == "upheld" {
            upheld += 1;
            body["remedied_before_ombudsman"] = json!(upheld <= 6);
            if upheld > 6 {
                // Twelve upheld with remedies, all done on time, within the year.
                body["recommendations"] = json!([
                    {"kind": "apology", "due_on": "2025-03-31", "completed_on": decided + Duration::days(1).min(d("2025-03-31") - decided)},
                    {"kind": "financial_redress", "amount_pence": 25_000, "due_on": "2025-03-31", "completed_on": decided}]);
            }
        }
        post(app, user, "/api/v1/ombudsman-cases", body).await;
    }
    for (reference, decided) in [("23 999 001", "2024-03-31"), ("25 999 002", "2025-04-01")] {
        post(
            app,
            user,
            "/api/v1/ombudsman-cases",
            json!({
            "reference": reference, "directorate": "adults", "received_on": "2024-01-10",
            "decision": "upheld", "decided_on": decided}),
        )
        .await;
    }
}

async fn with_settings(app: &TestApp, admin: &TestUser) {
    app.put("/api/v1/settings")
        .auth(admin)
        .json(&json!({
            "council_name": "Demo County Council", "authority_type": "county", "population": 693_000,
            "benchmarks": [{"year": 2024, "average_uphold_percent": 89.0, "average_upheld_per_100k": 5.3,
                            "average_satisfactory_remedy_percent": 10.0, "average_compliance_percent": 100.0}]}))
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn ombudsman_statistics_reproduce_the_published_figures() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    with_settings(&app, &admin).await;
    load_ombudsman_cases(&app, &admin).await;
    let stats = get(&app, &admin, "/api/v1/statistics/ombudsman?year=2024").await;
    assert_eq!(
        stats["period"],
        json!({"from": "2024-04-01", "to": "2025-03-31", "label": "2024-25"})
    );
    assert_eq!(
        (
            stats["dealt_with"].as_i64(),
            stats["not_for_us"].as_i64(),
            stats["assessed_and_closed"].as_i64(),
            stats["investigated"].as_i64()
        ),
        (Some(79), Some(29), Some(27), Some(23))
    );
    assert_eq!(
        (stats["upheld"].as_i64(), stats["not_upheld"].as_i64()),
        (Some(18), Some(5))
    );
    assert_eq!(
        stats["uphold_rate"],
        json!({"numerator": 18, "denominator": 23, "percent": 78.3})
    );
    assert_eq!(
        stats["upheld_per_100k"],
        json!({"upheld": 18, "population": 693_000, "value": 2.6})
    );
    assert_eq!(
        stats["satisfactory_remedy"],
        json!({"numerator": 6, "denominator": 18, "percent": 33.3})
    );
    assert_eq!(
        stats["compliance"],
        json!({"numerator": 12, "denominator": 12, "percent": 100.0, "late": 0})
    );
    assert_eq!(stats["financial_redress_pence"], 12 * 25_000);
    assert_eq!(stats["comparison"]["average_uphold_percent"], 89.0);
    assert_eq!(stats["comparison"]["average_upheld_per_100k"], 5.3);
    let categories: i64 = stats["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["dealt_with"].as_i64().unwrap())
        .sum();
    assert_eq!(categories, 79, "the categories add up");
    // Another year has no benchmark and none of these cases but the one decided then.
    let before = get(&app, &admin, "/api/v1/statistics/ombudsman?year=2023").await;
    assert_eq!(
        (before["dealt_with"].as_i64(), before["comparison"].clone()),
        (Some(1), Value::Null)
    );
    assert_eq!(before["uphold_rate"]["percent"], 100.0);
    let empty = get(&app, &admin, "/api/v1/statistics/ombudsman?year=2019").await;
    assert_eq!(
        empty["uphold_rate"],
        json!({"numerator": 0, "denominator": 0, "percent": null})
    );
}

#[actix_web::test]
async fn complaint_statistics_reproduce_the_adult_social_care_report() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    load_adult_social_care(&app, &worker).await;
    let analyst = app.as_analyst("adults").await;
    let stats = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&directorate=adults",
    )
    .await;
    assert_eq!(
        (stats["received"].as_i64(), stats["responded"].as_i64()),
        (Some(222), Some(217))
    );
    let reasons: Vec<(String, i64)> = stats["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap().to_string(),
                c["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(reasons[0], ("Charging".to_string(), 66));
    assert_eq!(reasons[1], ("Care Assessment".to_string(), 51));
    assert!(reasons.contains(&("Other".to_string(), 23)));
    assert_eq!(
        reasons.iter().map(|(_, n)| n).sum::<i64>(),
        217,
        "the reasons add up"
    );
    assert_eq!(stats["by_category"][0]["percent"], 30.4);
    assert_eq!(
        stats["by_category"][0]["sub_categories"][0],
        json!({"sub_category": "Outcome of financial assessment", "count": 66})
    );
    let o = &stats["outcomes"];
    assert_eq!(
        [
            &o["partially_upheld"],
            &o["closed_no_further_action"],
            &o["not_upheld"],
            &o["pursued_other_route"],
            &o["withdrawn"],
            &o["upheld"],
            &o["redirected"]
        ],
        [121, 25, 22, 19, 11, 10, 9]
    );
    let t = &stats["timeliness"];
    assert_eq!(
        (t["outside_target"].as_i64(), t["within_target"].as_i64()),
        (Some(80), Some(137))
    );
    assert_eq!(
        t["outside_target_percent"],
        json!({"numerator": 80, "denominator": 217, "percent": 36.9})
    );
    assert_eq!(t["within_statutory_limit"], 217);
    assert_eq!(
        stats["by_stage"],
        json!([{"procedure": "statutory_adults", "stage": 1, "received": 222, "responded": 217}])
    );

    let reviews = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&directorate=adults&kind=senior_manager_review",
    )
    .await;
    assert_eq!(reviews["responded"], 41);
    let o = &reviews["outcomes"];
    assert_eq!(
        [
            &o["upheld"],
            &o["not_upheld"],
            &o["partially_upheld"],
            &o["not_pursued_after_meeting"]
        ],
        [4, 1, 35, 1]
    );
    assert_eq!(reviews["timeliness"]["outside_target"], 12);

    let mps = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&directorate=adults&kind=mp_enquiry",
    )
    .await;
    assert_eq!(
        (
            mps["responded"].as_i64(),
            mps["timeliness"]["outside_target"].as_i64()
        ),
        (Some(50), Some(18))
    );
    let dissatisfactions = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&directorate=adults&kind=dissatisfaction",
    )
    .await;
    assert_eq!(dissatisfactions["responded"], 92);

    // The volumes agree.
    let volumes = get(
        &app,
        &analyst,
        "/api/v1/statistics/feedback?year=2024&directorate=adults",
    )
    .await;
    let year = &volumes["years"][0];
    assert_eq!(year["label"], "2024-25");
    assert_eq!(
        (
            year["received"]["complaint"].as_i64(),
            year["responded"]["complaint"].as_i64()
        ),
        (Some(222), Some(217))
    );
    assert_eq!(year["responded"]["senior_manager_review"], 41);
    assert_eq!(volumes["years"].as_array().unwrap().len(), 4);
    assert_eq!(volumes["years"][1]["label"], "2023-24");
    assert_eq!(volumes["years"][1]["received"]["complaint"], 1);
    assert_eq!(volumes["change_percent"]["complaint"], 22100.0);
    assert_eq!(volumes["change_percent"]["compliment"], Value::Null);
}

#[actix_web::test]
async fn periods_are_inclusive_and_custom_ranges_work() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    for (received, responded) in [
        ("2024-03-31", "2024-03-31"),
        ("2024-04-01", "2024-04-01"),
        ("2025-03-31", "2025-03-31"),
        ("2025-04-01", "2025-04-01"),
    ] {
        post(
            &app,
            &worker,
            "/api/v1/feedback",
            json!({"directorate": "adults", "kind": "enquiry",
            "received_on": received, "responded_on": responded}),
        )
        .await;
    }
    let analyst = app.as_analyst("adults").await;
    let stats = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2024&kind=enquiry",
    )
    .await;
    assert_eq!(
        (stats["received"].as_i64(), stats["responded"].as_i64()),
        (Some(2), Some(2))
    );
    // Periods shorter than a month are for managers (analysts' are refused,
    // see tests/disclosure.rs).
    let manager = app.as_manager("adults").await;
    let stats = get(
        &app,
        &manager,
        "/api/v1/statistics/complaints?from=2024-03-31&to=2024-04-01&kind=enquiry",
    )
    .await;
    assert_eq!(stats["received"], 2);
    assert_eq!(stats["period"]["label"], "2024-03-31 to 2024-04-01");
    for bad in [
        "year=2024&from=2024-01-01&to=2024-02-01",
        "from=2024-02-01&to=2024-01-01",
        "from=2024-01-01",
        "year=1850",
        "years=11",
    ] {
        app.get(&format!("/api/v1/statistics/feedback?{bad}"))
            .auth(&analyst)
            .send()
            .await
            .problem(422);
    }
    let res = app
        .get("/api/v1/statistics/feedback?year=twenty")
        .auth(&analyst)
        .send()
        .await;
    assert_eq!(res.unreadable_parameters(), ["year"]);
}

#[actix_web::test]
async fn statistics_are_for_analysts_managers_and_admins_in_their_directorates() {
    let app = TestApp::new().await;
    for user in [
        app.as_caseworker("adults").await,
        app.as_integration("adults").await,
    ] {
        for path in ["ombudsman", "feedback", "complaints", "overdue"] {
            app.get(&format!("/api/v1/statistics/{path}"))
                .auth(&user)
                .send()
                .await
                .problem(403);
        }
    }
    let analyst = app.as_analyst("adults").await;
    app.get("/api/v1/statistics/complaints?directorate=children")
        .auth(&analyst)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/statistics/complaints?directorate=nowhere")
        .auth(&analyst)
        .send()
        .await
        .problem(422);
    app.get("/api/v1/statistics/complaints")
        .send()
        .await
        .problem(401);
    // An analyst's figures cover only their directorates.
    let admin = app.as_admin().await;
    for directorate in ["adults", "children"] {
        post(
            &app,
            &admin,
            "/api/v1/feedback",
            json!({"directorate": directorate, "kind": "compliment", "received_on": "2024-06-03"}),
        )
        .await;
    }
    let mine = get(&app, &analyst, "/api/v1/statistics/feedback?year=2024").await;
    assert_eq!(mine["years"][0]["received"]["compliment"], 1);
    let all = get(&app, &admin, "/api/v1/statistics/feedback?year=2024").await;
    assert_eq!(all["years"][0]["received"]["compliment"], 2);
}

#[actix_web::test]
async fn the_breach_report_lists_open_records_by_how_overdue_they_are() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    // Enquiries (10 working days) received on Mondays in June 2025.
    let june2 = post(
        &app,
        &worker,
        "/api/v1/feedback",
        json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02"}),
    )
    .await;
    let june9 = post(
        &app,
        &worker,
        "/api/v1/feedback",
        json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-09"}),
    )
    .await;
    post(&app, &worker, "/api/v1/feedback", json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02", "responded_on": "2025-06-05"})).await;
    post(
        &app,
        &worker,
        "/api/v1/feedback",
        json!({"directorate": "adults", "kind": "compliment", "received_on": "2025-06-02"}),
    )
    .await;
    let answered_late = post(&app, &worker, "/api/v1/feedback", json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02", "responded_on": "2025-06-30"})).await;
    let manager = app.as_manager("adults").await;
    // As of Friday 20 June 2025: due 16 June (4 working days over) and 23 June (1 to come).
    let report = get(
        &app,
        &manager,
        "/api/v1/statistics/overdue?as_of=2025-06-20",
    )
    .await;
    assert_eq!(report["as_of"], "2025-06-20");
    assert_eq!(report["total"], 3);
    let items = report["items"].as_array().unwrap();
    let ids: Vec<&Value> = items.iter().map(|i| &i["id"]).collect();
    assert!(
        ids.contains(&&june2["id"])
            && ids.contains(&&june9["id"])
            && ids.contains(&&answered_late["id"])
    );
    assert_eq!(items[0]["due_on"], "2025-06-16");
    assert_eq!(items[0]["working_days_overdue"], 4);
    assert_eq!(items[2]["due_on"], "2025-06-23");
    assert_eq!(items[2]["working_days_overdue"], -1);
    let narrow = get(
        &app,
        &manager,
        "/api/v1/statistics/overdue?as_of=2025-06-20&within=0",
    )
    .await;
    assert_eq!(narrow["total"], 2);
    let csv = app
        .get("/api/v1/statistics/overdue?as_of=2025-06-20")
        .auth(&manager)
        .header("accept", "text/csv")
        .send()
        .await;
    csv.assert_status(200);
    let text = csv.text();
    assert!(
        text.starts_with(
            "\"id\",\"reference\",\"kind\",\"directorate\",\"due_on\",\"working_days_overdue\",\"handler_id\",\"handler_name\"\r\n"
        ),
        "{text}"
    );
    assert_eq!(text.lines().count(), 4);
    app.get("/api/v1/statistics/overdue?within=61")
        .auth(&manager)
        .send()
        .await
        .problem(422);
}

#[actix_web::test]
async fn every_statistic_answers_csv() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    with_settings(&app, &admin).await;
    post(&app, &admin, "/api/v1/feedback", json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults",
        "stage": 1, "received_on": "2024-06-03", "responded_on": "2024-06-10", "category": "Charging, fees", "outcome": "upheld"})).await;
    for (path, expect) in [
        (
            "complaints?year=2024",
            "\"By category\"\r\n\"Category\",\"Count\",\"Percent\"\r\n\"Charging, fees\",\"1\",\"100.0\"\r\n",
        ),
        (
            "complaints?year=2024",
            "\"Timeliness: outside target percent: percent\",\"0.0\"\r\n",
        ),
        ("ombudsman?year=2024", "\"Dealt with\",\"0\"\r\n"),
        (
            "ombudsman?year=2024",
            "\"Comparison: average upheld per 100k\",\"5.3\"\r\n",
        ),
        (
            "feedback?year=2024",
            "\"Years\"\r\n",
        ),
    ] {
        let res = app
            .get(&format!("/api/v1/statistics/{path}"))
            .auth(&admin)
            .header("accept", "text/csv")
            .send()
            .await;
        res.assert_status(200);
        assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
        let text = res.text();
        assert!(text.starts_with("\"Figure\",\"Value\"\r\n"), "{text}");
        assert!(text.contains(expect), "{path}: {expect} not in {text}");
    }
    // The same tables as an .xlsx workbook, one sheet each.
    for (path, file) in [
        (
            "complaints?year=2024&directorate=adults",
            "complaints-2024-25-adults.xlsx",
        ),
        ("overdue?as_of=2025-06-20", "overdue-2025-06-20.xlsx"),
    ] {
        let res = app
            .get(&format!("/api/v1/statistics/{path}"))
            .auth(&admin)
            .header(
                "accept",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .send()
            .await;
        res.assert_status(200);
        assert_eq!(
            res.header("content-type"),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        assert_eq!(
            res.header("content-disposition"),
            Some(format!("attachment; filename=\"{file}\"").as_str())
        );
        assert!(res.body.starts_with(b"PK"), "a zip file");
    }
    // The headline figures come first.
    let res = app
        .get("/api/v1/statistics/complaints?year=2024")
        .auth(&admin)
        .header("accept", "text/csv")
        .send()
        .await;
    let text = res.text();
    let received = text.lines().position(|l| l == "\"Received\",\"1\"");
    assert!(received.is_some_and(|row| row < 8), "{text}");
    // The file is named for what, when and for whom.
    for (path, file) in [
        (
            "complaints?year=2024&directorate=adults",
            "complaints-2024-25-adults.csv",
        ),
        ("feedback?year=2024", "feedback-2024-25.csv"),
        (
            "ombudsman?from=2024-01-01&to=2024-06-30",
            "ombudsman-2024-01-01-to-2024-06-30.csv",
        ),
        (
            "overdue?as_of=2025-06-20&directorate=adults",
            "overdue-2025-06-20-adults.csv",
        ),
    ] {
        let res = app
            .get(&format!("/api/v1/statistics/{path}"))
            .auth(&admin)
            .header("accept", "text/csv")
            .send()
            .await;
        res.assert_status(200);
        assert_eq!(
            res.header("content-disposition"),
            Some(format!("attachment; filename=\"{file}\"").as_str()),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn sqlite_and_postgresql_give_identical_answers() {
    if !on_postgres() {
        eprintln!("skipped: set TEST_DATABASE_URL to compare the backends (.ci/run does)");
        return;
    }
    let mut answers = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::on(backend).await;
        let admin = app.as_admin().await;
        with_settings(&app, &admin).await;
        load_adult_social_care(&app, &admin).await;
        load_ombudsman_cases(&app, &admin).await;
        let mut figures = Vec::new();
        for path in [
            "ombudsman?year=2024",
            "ombudsman?year=2024&directorate=adults",
            "feedback?year=2024",
            "complaints?year=2024",
            "complaints?year=2024&kind=senior_manager_review",
            "complaints?from=2024-06-01&to=2025-01-31&kind=mp_enquiry",
            "overdue?as_of=2025-03-31&within=10",
        ] {
            figures.push(get(&app, &admin, &format!("/api/v1/statistics/{path}")).await);
        }
        answers.push(figures);
    }
    assert_eq!(answers[0], answers[1]);
}
