//! What every kind of record shares through the record core: one
//! concurrency policy, and the request's date.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

/// A new record of each kind, in adults: (collection, id).
async fn one_of_each(app: &TestApp, manager: &TestUser) -> Vec<(String, Value)> {
    let bodies = [
        (
            "/api/v1/feedback",
            json!({"directorate": "adults", "kind": "comment", "received_on": "2025-06-02"}),
        ),
        (
            "/api/v1/ombudsman-cases",
            json!({"reference": "25 123 456", "directorate": "adults", "received_on": "2025-06-02"}),
        ),
        (
            "/api/v1/service-improvements",
            json!({"directorate": "adults", "description": "Train staff", "agreed_on": "2025-06-02"}),
        ),
    ];
    let mut made = Vec::new();
    for (collection, body) in bodies {
        let res = app.post(collection).auth(manager).json(&body).send().await;
        res.assert_status(201);
        made.push((collection.to_string(), res.json()["id"].clone()));
    }
    made
}

#[actix_web::test]
async fn on_every_kind_of_record_concurrent_changes_with_one_etag_have_one_winner() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let service = app.service().await;
    for (collection, id) in one_of_each(&app, &manager).await {
        let path = format!("{collection}/{id}");
        let field = if collection.ends_with("feedback") {
            "team"
        } else {
            "summary"
        };
        let field = if collection.ends_with("improvements") {
            "owner"
        } else {
            field
        };
        let requests = (0..20).map(|i| {
            app.patch(&path)
                .auth(&manager)
                .header("if-match", "\"1\"")
                .json(&json!({ field: format!("Change {i}") }))
                .into_request()
        });
        let statuses: Vec<u16> =
            join_all(requests.map(|r| actix_web::test::call_service(&service, r)))
                .await
                .iter()
                .map(|r| r.status().as_u16())
                .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{path}: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 412).count(),
            19,
            "{path}: {statuses:?}"
        );
        let now = app.get(&path).auth(&manager).send().await;
        assert_eq!(
            now.header("etag"),
            Some("\"2\""),
            "{path}: one change was written"
        );
        let history = app
            .get(&format!("{path}/history"))
            .auth(&manager)
            .send()
            .await
            .json();
        assert_eq!(history["total"], 2, "{path}: created, then changed once");
    }
}

#[actix_web::test]
async fn without_if_match_concurrent_changes_all_apply_one_after_another() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let service = app.service().await;
    let (collection, id) = one_of_each(&app, &manager).await.remove(2);
    let path = format!("{collection}/{id}");
    let requests = (0..10).map(|i| {
        app.patch(&path)
            .auth(&manager)
            .json(&json!({"owner": format!("Owner {i}")}))
            .into_request()
    });
    for response in join_all(requests.map(|r| actix_web::test::call_service(&service, r))).await {
        assert_eq!(response.status().as_u16(), 200);
    }
    let now = app.get(&path).auth(&manager).send().await;
    assert_eq!(now.header("etag"), Some("\"11\""), "ten changes, none lost");
}

#[actix_web::test]
async fn redress_today_fixes_the_date_every_request_is_answered_on() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2025-01-15")]).await;
    let worker = app.as_caseworker("adults").await;
    // After the configured today is "in the future".
    let res = app
        .post("/api/v1/feedback")
        .auth(&worker)
        .json(&json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-01-16"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["received_on"]);
    // An enquiry received on 2 January is due ten working days later (16
    // January): on the configured 15th it is not yet overdue.
    let res = app
        .post("/api/v1/feedback")
        .auth(&worker)
        .json(&json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-01-02"}))
        .send()
        .await;
    res.assert_status(201);
    let timeliness = &res.json()["timeliness"];
    assert_eq!(timeliness["due_on"], "2025-01-16");
    assert_eq!(timeliness["overdue"], false);
    let later = app.sibling(&[("REDRESS_TODAY", "2025-01-17")]).await;
    let seen = later
        .get(&format!("/api/v1/feedback/{}", res.json()["id"]))
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(seen["timeliness"]["overdue"], true);
    // The statistics' default period is the financial year of that date.
    let analyst = app.as_analyst("adults").await;
    let stats = app
        .get("/api/v1/statistics/complaints?kind=enquiry")
        .auth(&analyst)
        .send()
        .await
        .json();
    assert_eq!(stats["period"]["label"], "2024-25");
}
