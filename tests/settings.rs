//! `/settings`.

use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn everyone_reads_the_settings_and_admins_change_them() {
    let app = TestApp::new().await;
    let analyst = app.as_analyst("adults").await;
    let res = app.get("/api/v1/settings").auth(&analyst).send().await;
    res.assert_status(200);
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(res.json()["authority_type"], "county");
    let body = json!({"council_name": "Demo County Council", "authority_type": "unitary", "population": 250_000,
        "benchmarks": [{"year": 2024, "average_uphold_percent": 80.5, "average_upheld_per_100k": 4.1,
                        "average_satisfactory_remedy_percent": 12.0, "average_compliance_percent": 99.5},
                       {"year": 2023, "average_uphold_percent": 79.0, "average_upheld_per_100k": 4.0,
                        "average_satisfactory_remedy_percent": 11.0, "average_compliance_percent": 100.0}]});
    app.put("/api/v1/settings")
        .auth(&analyst)
        .json(&body)
        .send()
        .await
        .problem(403);
    let manager = app.as_manager("adults").await;
    app.put("/api/v1/settings")
        .auth(&manager)
        .json(&body)
        .send()
        .await
        .problem(403);
    let admin = app.as_admin().await;
    let res = app
        .put("/api/v1/settings")
        .auth(&admin)
        .header("if-match", "\"1\"")
        .json(&body)
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let saved = res.json();
    assert_eq!(saved["benchmarks"][0]["year"], 2023, "kept in year order");
    app.put("/api/v1/settings")
        .auth(&admin)
        .header("if-match", "\"1\"")
        .json(&body)
        .send()
        .await
        .problem(412);
    assert_eq!(
        app.get("/api/v1/settings")
            .auth(&analyst)
            .send()
            .await
            .json()["population"],
        250_000
    );
}

#[actix_web::test]
async fn settings_are_validated() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .put("/api/v1/settings")
        .auth(&admin)
        .json(&json!({"council_name": " ", "authority_type": "parish", "population": 0,
            "benchmarks": [{"year": 2024, "average_uphold_percent": 120.0, "average_upheld_per_100k": -1.0,
                            "average_satisfactory_remedy_percent": 10.0, "average_compliance_percent": 100.0}]}))
        .send()
        .await;
    // The spec's limits are checked before the types, so every field is
    // reported at once.
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "authority_type",
            "benchmarks[0].average_upheld_per_100k",
            "benchmarks[0].average_uphold_percent",
            "population"
        ]
    );
    let res = app
        .put("/api/v1/settings")
        .auth(&admin)
        .json(&json!({"council_name": " ", "authority_type": "county", "population": 0,
            "benchmarks": [
                {"year": 2024, "average_uphold_percent": 120.0, "average_upheld_per_100k": -1.0,
                 "average_satisfactory_remedy_percent": 10.0, "average_compliance_percent": 100.0},
                {"year": 2024, "average_uphold_percent": 1.0, "average_upheld_per_100k": 1.0,
                 "average_satisfactory_remedy_percent": 10.0, "average_compliance_percent": 100.0}]}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "benchmarks[0].average_upheld_per_100k",
            "benchmarks[0].average_uphold_percent",
            "benchmarks[1].year",
            "council_name",
            "population"
        ]
    );
}

#[actix_web::test]
async fn benchmarks_per_directorate_and_population_per_year() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let settings = |benchmarks: serde_json::Value, populations: serde_json::Value| {
        json!({"council_name": "C", "authority_type": "county", "population": 600_000,
               "benchmarks": benchmarks, "populations": populations})
    };
    let council = json!({"year": 2025, "average_uphold_percent": 80.0, "average_upheld_per_100k": 3.0,
                         "average_satisfactory_remedy_percent": 12.0, "average_compliance_percent": 100.0});
    let adults = json!({"year": 2025, "directorate": "adults", "category": "Adult care services",
                        "average_uphold_percent": 75.0});
    let res = app
        .put("/api/v1/settings")
        .auth(&admin)
        .json(&settings(
            json!([council, adults]),
            json!([{"year": 2025, "population": 500_000}]),
        ))
        .send()
        .await;
    res.assert_status(200);
    let saved = res.json();
    assert_eq!(saved["benchmarks"][1]["directorate"], "adults");
    assert_eq!(
        saved["benchmarks"][1]["average_compliance_percent"],
        serde_json::Value::Null
    );

    // Two upheld investigations in adults in 2025-26.
    for n in 0..2 {
        let res = app
            .post("/api/v1/ombudsman-cases")
            .auth(&admin)
            .json(&json!({"reference": format!("25 {n:03} 555"), "directorate": "adults",
                          "received_on": "2025-05-01", "decision": "upheld", "decided_on": "2025-09-01"}))
            .send()
            .await;
        res.assert_status(201);
    }
    let stats = |query: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let res = app
                .get(&format!("/api/v1/statistics/ombudsman?year=2025{query}"))
                .auth(admin)
                .send()
                .await;
            res.assert_status(200);
            res.json()
        }
    };
    let adult_stats = stats("&directorate=adults").await;
    assert_eq!(adult_stats["comparison"]["average_uphold_percent"], 75.0);
    assert_eq!(
        adult_stats["upheld_per_100k"]["population"], 500_000,
        "the year's own"
    );
    assert_eq!(adult_stats["upheld_per_100k"]["value"], 0.4);
    let council_stats = stats("").await;
    assert_eq!(council_stats["comparison"]["average_uphold_percent"], 80.0);
    assert_eq!(
        council_stats["comparison"]["directorate"],
        serde_json::Value::Null
    );

    // The same year and directorate twice, an unknown directorate, and a
    // population below 1 are refused.
    for (body, field) in [
        (
            settings(json!([adults, adults]), json!([])),
            "benchmarks[1].year",
        ),
        (
            settings(
                json!([{"year": 2025, "directorate": "nowhere", "average_uphold_percent": 70.0}]),
                json!([]),
            ),
            "benchmarks[0].directorate",
        ),
        (
            settings(json!([]), json!([{"year": 2025, "population": 0}])),
            "populations[0].population",
        ),
        (
            settings(
                json!([]),
                json!([{"year": 2025, "population": 1}, {"year": 2025, "population": 2}]),
            ),
            "populations[1].year",
        ),
    ] {
        let res = app
            .put("/api/v1/settings")
            .auth(&admin)
            .json(&body)
            .send()
            .await;
        assert_eq!(res.problem(422)["errors"][0]["field"], field, "{body}");
    }
}
