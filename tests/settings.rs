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
    assert_eq!(res.invalid_fields(), ["authority_type"]);
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
