//! No single caller can tie the service up: sort keys are bounded, and no
//! query may hold a connection for more than the configured time.

use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use redress::error::ApiError;

use crate::common::TestApp;

/// Every list that accepts `sort`, with a field it sorts by.
const LISTS: &[(&str, &str)] = &[
    ("/api/v1/feedback", "id"),
    ("/api/v1/users", "id"),
    ("/api/v1/ombudsman-cases", "id"),
    ("/api/v1/service-improvements", "id"),
    ("/api/v1/directorates", "code"),
];

#[actix_web::test]
async fn repeated_sort_keys_are_refused_quickly_on_every_list() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for (path, field) in LISTS {
        for count in [2, 5, 28, 50] {
            let sort = vec![*field; count].join(",");
            let started = Instant::now();
            let res = app
                .get(&format!("{path}?sort={sort}"))
                .auth(&admin)
                .send()
                .await;
            assert_eq!(res.invalid_fields(), ["sort"], "{path} with {count} keys");
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{path} with {count} keys took {:?}",
                started.elapsed()
            );
        }
    }
}

#[actix_web::test]
async fn more_than_four_distinct_sort_keys_are_refused() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .get("/api/v1/feedback?sort=id,received_on,-due_on,kind,directorate")
        .auth(&admin)
        .send()
        .await;
    let problem = res.problem(422);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 4")),
        "{problem}"
    );
}

#[actix_web::test]
async fn four_distinct_sort_keys_sort_as_one_flat_list() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for (received_on, kind) in [
        ("2025-01-02", "comment"),
        ("2025-01-01", "compliment"),
        ("2025-01-02", "compliment"),
        ("2025-01-01", "comment"),
    ] {
        app.post("/api/v1/feedback")
            .auth(&admin)
            .json(&serde_json::json!({"directorate": "adults", "kind": kind, "received_on": received_on}))
            .send()
            .await
            .assert_status(201);
    }
    let res = app
        .get("/api/v1/feedback?sort=-received_on,kind,-due_on,directorate")
        .auth(&admin)
        .send()
        .await;
    res.assert_status(200);
    let order: Vec<(String, String)> = res.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| {
            (
                r["received_on"].as_str().unwrap_or_default().to_string(),
                r["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("2025-01-02", "comment"),
        ("2025-01-02", "compliment"),
        ("2025-01-01", "comment"),
        ("2025-01-01", "compliment"),
    ]
    .iter()
    .map(|(d, k)| (d.to_string(), k.to_string()))
    .collect();
    assert_eq!(order, expected);
}

/// A query that counts to a hundred million, far beyond any time limit.
const ENDLESS: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) \
                       SELECT count(*) FROM c";

#[actix_web::test]
async fn a_query_past_the_time_limit_is_cancelled_and_the_connection_serves_on() {
    let app = TestApp::with_env(&[("DATABASE_STATEMENT_TIMEOUT_MS", "300")]).await;
    for write in [false, true] {
        let started = Instant::now();
        let work = |conn: &mut redress::db::DbConnection| {
            diesel::sql_query(ENDLESS).execute(conn)?;
            Ok(())
        };
        let result = if write {
            app.state.db.write(work).await
        } else {
            app.state.db.run(work).await
        };
        assert!(
            matches!(result, Err(ApiError::Unavailable(_))),
            "write={write}: {result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "write={write}: cancelled only after {:?}",
            started.elapsed()
        );
    }
    // The pool's connections still answer.
    let admin = app.as_admin().await;
    app.get("/api/v1/feedback")
        .auth(&admin)
        .send()
        .await
        .assert_status(200);
}

/// The size limits the spec publishes for inputs are the server's: a body
/// beyond one, at any depth, is 422 naming the field; so is a query value
/// beyond its length; an `If-Match` beyond its length never matches.
#[actix_web::test]
async fn the_specs_input_limits_are_the_servers() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let spec = redress::openapi::spec();
    let input = &spec["components"]["schemas"]["FeedbackInput"]["properties"];
    let directorate_limit = input["directorate"]["maxLength"].as_u64().unwrap() as usize;
    let themes_limit = input["themes"]["maxItems"].as_u64().unwrap() as usize;
    let name_limit = spec["components"]["schemas"]["Complainant"]["properties"]["name"]["maxLength"]
        .as_u64()
        .unwrap() as usize;
    let body = serde_json::json!({
        "directorate": "a".repeat(directorate_limit + 1),
        "kind": "complaint", "procedure": "corporate", "stage": 1, "received_on": "2026-11-02",
        "themes": vec!["t"; themes_limit + 1],
        "complainant": {"name": "n".repeat(name_limit + 1)},
        "remedies": [{"kind": "apology", "amount_pence": -1}],
    });
    let res = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .json(&body)
        .send()
        .await;
    let fields = res.invalid_fields();
    for expected in [
        "directorate",
        "themes",
        "complainant.name",
        "remedies[0].amount_pence",
    ] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected}: {fields:?}"
        );
    }

    let limit = spec["paths"]["/api/v1/feedback"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "q")
        .unwrap()["schema"]["maxLength"]
        .as_u64()
        .unwrap() as usize;
    let res = app
        .get(&format!("/api/v1/feedback?q={}", "x".repeat(limit + 1)))
        .auth(&manager)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["q"]);
    app.get(&format!("/api/v1/feedback?q={}", "x".repeat(limit)))
        .auth(&manager)
        .send()
        .await
        .assert_status(200);

    let created = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .json(
            &serde_json::json!({"directorate": "adults", "kind": "complaint",
            "procedure": "corporate", "stage": 1, "received_on": "2026-11-02"}),
        )
        .send()
        .await
        .json();
    let long = format!("\"1\", {}", "\"9\", ".repeat(300));
    app.patch(&format!("/api/v1/feedback/{}", created["id"]))
        .auth(&manager)
        .header("if-match", &long)
        .json(&serde_json::json!({"team": "Charging"}))
        .send()
        .await
        .problem(412);
}
