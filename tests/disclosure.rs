//! Small cells: analysts cannot single out a person from the statistics.

use serde_json::json;

use crate::common::TestApp;

/// `n` complaints by young people received in June 2025, `advocated` of
/// them with an advocate.
async fn young_complaints(app: &TestApp, n: usize, advocated: usize) {
    let manager = app.as_manager("children").await;
    for i in 0..n {
        app.post("/api/v1/feedback")
            .auth(&manager)
            .json(&json!({"directorate": "children", "kind": "complaint", "procedure": "statutory_children",
                "stage": 1, "received_on": format!("2025-06-{:02}", 2 + i),
                "complainant": {"name": format!("Young person {i}"), "is_young_person": true,
                                "advocate_assisted": i < advocated}}))
            .send()
            .await
            .assert_status(201);
    }
}

#[actix_web::test]
async fn analysts_see_small_counts_about_people_suppressed_and_managers_exact() {
    let app = TestApp::new().await;
    young_complaints(&app, 6, 2).await;
    let analyst = app.as_analyst("children").await;
    let manager = app.as_manager("children").await;
    let path = "/api/v1/statistics/complaints?year=2025&directorate=children";
    let seen = app.get(path).auth(&analyst).send().await;
    seen.assert_status(200);
    assert_eq!(
        seen.json()["young_people"],
        json!({"received": 6, "advocate_assisted": null, "suppressed": true})
    );
    assert_eq!(
        app.get(path).auth(&manager).send().await.json()["young_people"],
        json!({"received": 6, "advocate_assisted": 2, "suppressed": false})
    );
    let csv = app
        .get(path)
        .auth(&analyst)
        .header("accept", "text/csv")
        .send()
        .await
        .text();
    assert!(
        csv.contains("\"Young people: advocate assisted\",\"<5\"\r\n"),
        "{csv}"
    );
    let report = app
        .get("/api/v1/reports/annual?year=2025&directorate=children")
        .auth(&analyst)
        .header("accept", "application/json")
        .send()
        .await
        .json();
    assert_eq!(
        report["complaints"]["young_people"]["advocate_assisted"],
        json!(null)
    );
    assert_eq!(report["complaints"]["young_people"]["suppressed"], true);
}

#[actix_web::test]
async fn zero_and_five_or_more_are_shown_to_analysts() {
    let app = TestApp::new().await;
    young_complaints(&app, 5, 0).await;
    let analyst = app.as_analyst("children").await;
    let stats = app
        .get("/api/v1/statistics/complaints?year=2025&directorate=children")
        .auth(&analyst)
        .send()
        .await
        .json();
    assert_eq!(
        stats["young_people"],
        json!({"received": 5, "advocate_assisted": 0, "suppressed": false})
    );
}

#[actix_web::test]
async fn analysts_periods_are_at_least_a_calendar_month() {
    let app = TestApp::new().await;
    let analyst = app.as_analyst("children").await;
    let manager = app.as_manager("children").await;
    for path in [
        "/api/v1/statistics/complaints",
        "/api/v1/statistics/feedback",
        "/api/v1/statistics/ombudsman",
        "/api/v1/reports/annual",
    ] {
        let day = format!("{path}?from=2025-06-02&to=2025-06-02&directorate=children");
        assert_eq!(
            app.get(&day).auth(&analyst).send().await.invalid_fields(),
            ["to"],
            "{path}"
        );
        let weeks = format!("{path}?from=2025-06-02&to=2025-06-30&directorate=children");
        app.get(&weeks).auth(&analyst).send().await.problem(422);
        app.get(&day)
            .auth(&manager)
            .header("accept", "application/json")
            .send()
            .await
            .assert_status(200);
        for month in [
            "from=2025-06-01&to=2025-06-30",
            "from=2025-01-15&to=2025-02-14",
        ] {
            app.get(&format!("{path}?{month}&directorate=children"))
                .auth(&analyst)
                .header("accept", "application/json")
                .send()
                .await
                .assert_status(200);
        }
    }
}
