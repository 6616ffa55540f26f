//! Content negotiation: JSON for `*/*` and no `Accept` on every `/api/v1/`
//! path; HTML, CSV, XLSX or PDF only when asked for; the order and the
//! q-values honoured; 406 for a type the endpoint cannot make.

use crate::common::TestApp;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[actix_web::test]
async fn every_path_answers_json_unless_asked_for_another_type() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let report = "/api/v1/reports/annual?year=2024&directorate=adults";
    let statistics = "/api/v1/statistics/complaints?year=2024&directorate=adults";
    for (path, accept, want) in [
        (report, None, "application/json"),
        (report, Some("*/*"), "application/json"),
        (
            report,
            Some("application/json, text/html"),
            "application/json",
        ),
        (
            report,
            Some("application/json;q=0.9, text/html;q=0.8"),
            "application/json",
        ),
        (
            report,
            Some("text/html;q=0.8, application/json;q=0.9"),
            "application/json",
        ),
        (report, Some("text/html, application/json"), "text/html"),
        (
            report,
            Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            "text/html",
        ),
        (report, Some("text/csv"), "text/csv"),
        (statistics, None, "application/json"),
        (statistics, Some("*/*"), "application/json"),
        (
            statistics,
            Some("text/csv;q=0.1, application/json"),
            "application/json",
        ),
        (
            statistics,
            Some("application/json;q=0.1, text/csv"),
            "text/csv",
        ),
        (statistics, Some("text/*"), "text/csv"),
        (statistics, Some(XLSX), XLSX),
        ("/api/v1/feedback", Some("*/*"), "application/json"),
        (
            "/api/v1/feedback",
            Some("application/*"),
            "application/json",
        ),
    ] {
        let mut req = app.get(path).auth(&manager);
        if let Some(accept) = accept {
            req = req.header("accept", accept);
        }
        let res = req.send().await;
        res.assert_status(200);
        let got = res.header("content-type").unwrap_or_default();
        assert!(got.starts_with(want), "{path} with {accept:?}: {got}");
    }
}

#[actix_web::test]
async fn a_type_the_endpoint_cannot_make_is_406() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    for (path, accept) in [
        ("/api/v1/statistics/complaints?year=2024", "image/png"),
        (
            "/api/v1/statistics/complaints?year=2024",
            "application/json;q=0, text/html",
        ),
        ("/api/v1/reports/annual?year=2024", "image/png"),
        ("/api/v1/feedback", "text/csv"),
        ("/api/v1/me", "text/html"),
    ] {
        let res = app
            .get(path)
            .auth(&manager)
            .header("accept", accept)
            .send()
            .await;
        let problem = res.problem(406);
        assert!(
            problem["detail"].as_str().unwrap().contains("acceptable"),
            "{path} with {accept}: {problem}"
        );
    }
    // `format=` asks for a type whatever `Accept` says.
    let res = app
        .get("/api/v1/reports/annual?year=2024&format=json")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await;
    res.assert_status(200);
    // Writes are not refused after the fact: their answer is JSON.
    let res = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .header("accept", "text/html")
        .json(
            &serde_json::json!({"directorate": "adults", "kind": "compliment",
            "received_on": "2024-06-03"}),
        )
        .send()
        .await;
    res.assert_status(201);
    // Errors are problem documents whatever was asked for.
    let res = app
        .get("/api/v1/feedback/999999")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await;
    res.problem(404);
}
