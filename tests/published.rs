//! The published documents in `reference/`, rebuilt through the API from
//! records entered through the API: the figures of the adult social care
//! annual report 2024-25 that the complaint analysis alone does not give
//! (compliments by team, escalations, the Ombudsman's recommendations by
//! kind, the national adult social care benchmark), and the LGSCO's
//! 2024-25 page beyond its counts (its reports, and its service improvements
//! by case). `statistics.rs` rebuilds the counts themselves.

use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::common::{get, post, TestApp, TestUser};

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Answer the record `id` on `responded_on` with `outcome`.
async fn respond(app: &TestApp, user: &TestUser, id: i64, responded_on: NaiveDate, outcome: &str) {
    app.patch(&format!("/api/v1/feedback/{id}"))
        .auth(user)
        .json(&json!({"responded_on": responded_on, "outcome": outcome}))
        .send()
        .await
        .assert_status(200);
}

/// Escalate the record `id` on `received_on`, and answer the new record
/// `days` later with `outcome`; the new record's id.
async fn escalate(
    app: &TestApp,
    user: &TestUser,
    id: i64,
    received_on: NaiveDate,
    days: i64,
    outcome: &str,
) -> i64 {
    let created = post(
        app,
        user,
        &format!("/api/v1/feedback/{id}/escalate"),
        json!({"received_on": received_on, "procedure": null}),
    )
    .await;
    let new = created["id"].as_i64().unwrap();
    respond(app, user, new, received_on + Duration::days(days), outcome).await;
    new
}

/// The teams the compliments of 2024-25 were about (the report's appendix
/// names them), 231 in all.
const COMPLIMENTS: [(&str, usize); 4] = [
    ("Adult and Autism Team", 74),
    ("Continuing Healthcare Team", 58),
    ("Reablement Team", 61),
    ("Occupational Therapy Team", 38),
];

#[actix_web::test]
async fn the_adult_social_care_report_is_rebuilt_from_records_entered_through_the_api() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let manager = app.as_manager("adults").await;
    let admin = app.as_admin().await;
    let year = d("2024-04-01");
    let day = |i: usize, spread: usize| year + Duration::days((i % spread) as i64);

    // 231 compliments, by team.
    let mut i = 0;
    for (team, count) in COMPLIMENTS {
        for _ in 0..count {
            post(&app, &worker, "/api/v1/feedback", json!({
                "directorate": "adults", "kind": "compliment", "received_on": day(i, 300), "team": team}))
            .await;
            i += 1;
        }
    }
    // 129 informal complaints answered in the year; 19 of them became
    // formal complaints.
    let mut formal = Vec::new();
    for i in 0..129 {
        let received = day(i * 2, 250);
        let informal = post(
            &app,
            &worker,
            "/api/v1/feedback",
            json!({
            "directorate": "adults", "kind": "informal_complaint", "received_on": received,
            "category": if i % 3 == 0 { "Charging" } else { "Care Assessment" }}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        if i < 19 {
            respond(
                &app,
                &worker,
                informal,
                received + Duration::days(5),
                "escalated",
            )
            .await;
            let body = json!({"received_on": received + Duration::days(6), "procedure": "statutory_adults"});
            let complaint = post(
                &app,
                &worker,
                &format!("/api/v1/feedback/{informal}/escalate"),
                body,
            )
            .await["id"]
                .as_i64()
                .unwrap();
            respond(
                &app,
                &worker,
                complaint,
                received + Duration::days(30),
                "partially_upheld",
            )
            .await;
            formal.push((complaint, received + Duration::days(30)));
        } else {
            respond(
                &app,
                &worker,
                informal,
                received + Duration::days(5),
                "resolved",
            )
            .await;
        }
    }
    // 198 more formal complaints: 217 answered in the year.
    for i in 0..198 {
        let received = day(i, 280);
        let complaint = post(&app, &worker, "/api/v1/feedback", json!({
            "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
            "received_on": received, "responded_on": received + Duration::days(20),
            "category": "Charging", "outcome": "not_upheld"}))
        .await["id"]
            .as_i64()
            .unwrap();
        formal.push((complaint, received + Duration::days(20)));
    }
    // 92 dissatisfactions with the responses; 41 of them went on to a
    // senior manager review.
    for (n, (complaint, responded)) in formal.iter().take(92).enumerate() {
        let dissatisfaction = escalate(
            &app,
            &worker,
            *complaint,
            *responded + Duration::days(3),
            15,
            "not_upheld",
        )
        .await;
        if n < 41 {
            escalate(
                &app,
                &worker,
                dissatisfaction,
                *responded + Duration::days(20),
                30,
                "partially_upheld",
            )
            .await;
        }
    }
    // The LGSCO decided 20 adult social care complaints: 11 not
    // investigated, 9 investigated, 5 upheld, 4 of them with
    // recommendations (an apology, training, a new assessment, and in two
    // cases financial redress for distress).
    let decisions = [
        ("referred_back_for_local_resolution", 2),
        ("closed_after_initial_enquiries", 9),
        ("not_upheld", 4),
        ("upheld", 5),
    ];
    let recommendations = [
        json!([{"kind": "apology"}, {"kind": "financial_redress", "amount_pence": 30_000}]),
        json!([{"kind": "staff_training"}]),
        json!([{"kind": "reassessment"}, {"kind": "apology"}]),
        json!([{"kind": "financial_redress", "amount_pence": 15_000}]),
        json!([]),
    ];
    let mut n = 0;
    let mut upheld = 0;
    for (decision, count) in decisions {
        for _ in 0..count {
            let mut body = json!({
                "reference": format!("24 0{n:02} 123"), "directorate": "adults",
                "category": "Adult care services", "received_on": "2024-02-01",
                "decision": decision, "decided_on": day(n * 15, 360)});
            if decision == "upheld" {
                body["recommendations"] = recommendations[upheld].clone();
                upheld += 1;
            }
            post(&app, &manager, "/api/v1/ombudsman-cases", body).await;
            n += 1;
        }
    }
    // The LGSCO's national uphold rate for adult social care: 79%.
    app.put("/api/v1/settings")
        .auth(&admin)
        .json(&json!({
            "council_name": "Demo County Council", "authority_type": "county", "population": 693_000,
            "benchmarks": [{"year": 2024, "directorate": "adults", "category": "Adult care services",
                            "average_uphold_percent": 79.0}]}))
        .send()
        .await
        .assert_status(200);

    let stats = |query: &str| {
        let path = format!("/api/v1/statistics/{query}&year=2024&directorate=adults");
        let (app, manager) = (&app, &manager);
        async move { get(app, manager, &path).await }
    };
    // "231 compliments were received", by team.
    let compliments = stats("complaints?kind=compliment&group_by=team").await;
    assert_eq!(compliments["received"], 231);
    let by_team: Vec<(String, i64)> = compliments["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"]["team"].as_str().unwrap().to_string(),
                g["received"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, i64)> = COMPLIMENTS
        .iter()
        .map(|(t, n)| (t.to_string(), *n as i64))
        .collect();
    expected.sort();
    assert_eq!(by_team, expected);
    // "129 informal complaints ... Of these, 19 cases progressed to formal
    // complaints."
    let informal = stats("complaints?kind=informal_complaint").await;
    assert_eq!(informal["responded"], 129);
    assert_eq!(informal["escalated"]["complaint"], 19);
    // "Complaints 217, Dissatisfactions 92, Escalation to Senior Manager
    // Reviews 41".
    let complaints = stats("complaints?kind=complaint").await;
    assert_eq!(complaints["responded"], 217);
    assert_eq!(complaints["escalated"]["dissatisfaction"], 92);
    let dissatisfactions = stats("complaints?kind=dissatisfaction").await;
    assert_eq!(dissatisfactions["responded"], 92);
    assert_eq!(dissatisfactions["escalated"]["senior_manager_review"], 41);
    assert_eq!(
        stats("complaints?kind=senior_manager_review").await["received"],
        41
    );
    // "The LGSCO reviewed and decided 20 complaints ... 11 (55%) were not
    // taken forward ... Of the 9 fully investigated, 5 (56%) were upheld,
    // compared to a 79% national uphold rate ... the LGSCO set
    // recommendations for 4 of the 5 upheld cases ... apologies, training,
    // a new assessment and in two instances financial redress."
    let ombudsman = stats("ombudsman?ombudsman=lgsco").await;
    assert_eq!(ombudsman["dealt_with"], 20);
    assert_eq!(ombudsman["investigated"], 9);
    assert_eq!(ombudsman["not_upheld"], 4);
    assert_eq!(ombudsman["upheld"], 5);
    assert_eq!(ombudsman["uphold_rate"]["percent"], 55.6);
    assert_eq!(ombudsman["comparison"]["average_uphold_percent"], 79.0);
    assert_eq!(ombudsman["cases_with_recommendations"], 4);
    let by_kind = &ombudsman["recommendations_by_kind"];
    assert_eq!(by_kind["apology"], 2);
    assert_eq!(by_kind["staff_training"], 1);
    assert_eq!(by_kind["reassessment"], 1);
    assert_eq!(by_kind["financial_redress"], 2);
    assert_eq!(ombudsman["financial_redress_pence"], 45_000);

    // The annual report says the same.
    let report = app
        .get("/api/v1/reports/annual?year=2024&directorate=adults")
        .auth(&manager)
        .header("accept", "application/json")
        .send()
        .await
        .json();
    assert_eq!(report["layout"], "adults");
    assert_eq!(
        report["feedback"]["years"][0]["received"]["compliment"],
        231
    );
    assert_eq!(report["dissatisfaction_rate"]["percent"], 42.4);
    assert_eq!(report["senior_manager_reviews"]["received"], 41);
    assert_eq!(report["ombudsman"]["uphold_rate"]["percent"], 55.6);
    let html = app
        .get("/api/v1/reports/annual?year=2024&directorate=adults")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await
        .text();
    for expected in [
        "55.6%",
        "79.0%",
        "National average: Adult care services",
        ">231<",
    ] {
        assert!(html.contains(expected), "the report lacks {expected}");
    }
}

#[actix_web::test]
async fn the_lgsco_page_lists_its_reports_and_improvements_from_the_records() {
    let app = TestApp::new().await;
    let manager = app.as_manager("children").await;
    let admin = app.as_admin().await;
    // Three public reports over the years (the page lists reports for 10
    // years), one of them decided in 2024-25.
    let reports = [
        ("16 004 123", "2017-01-10", "Ombudsman warns of the risk of determining capacity without proper assessment"),
        ("21 002 456", "2022-03-01", "Vulnerable Cambridgeshire boy left without education for 14 months"),
        ("24 010 789", "2024-11-05", "Vulnerable people's drug prescriptions to be reviewed following Ombudsman investigation"),
    ];
    for (reference, decided, title) in reports {
        post(&app, &manager, "/api/v1/ombudsman-cases", json!({
            "reference": reference, "directorate": "children", "category": "Education",
            "received_on": (d(decided) - Duration::days(200)), "decision": "upheld", "decided_on": decided,
            "public_report": true, "public_report_title": title,
            "public_report_on": d(decided) + Duration::days(30)}))
        .await;
    }
    // The service improvements of the latest cases, each with its category
    // and sub-category and one or more agreed actions.
    let improvements = [
        ("24 005 341", "Education", "Special educational needs", 1),
        ("24 001 065", "Education", "Alternative provision", 3),
        ("23 019 550", "Education", "Special educational needs", 1),
        (
            "23 012 673",
            "Children's care services",
            "Child protection",
            1,
        ),
    ];
    for (n, (reference, category, sub_category, actions)) in improvements.iter().enumerate() {
        let decided = d("2025-03-20") - Duration::days(n as i64 * 40);
        let case = post(
            &app,
            &manager,
            "/api/v1/ombudsman-cases",
            json!({
            "reference": reference, "directorate": "children", "category": category,
            "sub_category": sub_category, "received_on": decided - Duration::days(120),
            "decision": "upheld", "decided_on": decided}),
        )
        .await;
        for action in 0..*actions {
            post(
                &app,
                &manager,
                "/api/v1/service-improvements",
                json!({
                "directorate": "children", "ombudsman_case_id": case["id"],
                "description": format!("Agreed action {action} on {reference}."),
                "category": category, "sub_category": sub_category, "kind": "staff_briefing",
                "agreed_on": decided, "published": true}),
            )
            .await;
        }
    }
    // An improvement not for publication is not on the page.
    post(
        &app,
        &manager,
        "/api/v1/service-improvements",
        json!({
        "directorate": "children", "description": "Internal only.", "agreed_on": "2025-03-25"}),
    )
    .await;

    let stats = get(&app, &admin, "/api/v1/statistics/ombudsman?year=2024").await;
    assert_eq!(stats["public_reports"], 1);
    let listed: Vec<&str> = stats["public_report_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reference"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["24 010 789"]);
    // Every report of the last ten years, newest first, as the page lists them.
    let all = get(
        &app,
        &admin,
        "/api/v1/ombudsman-cases?public_report=true&sort=-decided_on",
    )
    .await;
    let titles: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["public_report_title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        reports.iter().rev().map(|r| r.2).collect::<Vec<_>>()
    );
    // The service improvements, the latest first, each with its case.
    let page = get(
        &app,
        &admin,
        "/api/v1/service-improvements?published=true&sort=-agreed_on&limit=10",
    )
    .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    let mut cases: Vec<(String, String, String, usize)> = Vec::new();
    for item in items {
        let case = get(
            &app,
            &admin,
            &format!("/api/v1/ombudsman-cases/{}", item["ombudsman_case_id"]),
        )
        .await;
        let reference = case["reference"].as_str().unwrap().to_string();
        match cases.last_mut() {
            Some(last) if last.0 == reference => last.3 += 1,
            _ => cases.push((
                reference,
                item["category"].as_str().unwrap().to_string(),
                item["sub_category"].as_str().unwrap().to_string(),
                1,
            )),
        }
    }
    let expected: Vec<(String, String, String, usize)> = improvements
        .iter()
        .map(|(r, c, s, n)| (r.to_string(), c.to_string(), s.to_string(), *n))
        .collect();
    assert_eq!(cases, expected);
}
