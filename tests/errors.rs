//! The problem+json contract for the framework's own errors.

use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn unknown_routes_are_404_problems() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/nothing-here").send().await;
    res.problem(404);
    assert!(res.header("x-request-id").is_some());
}

#[actix_web::test]
async fn wrong_methods_are_405_with_allow() {
    let app = TestApp::new().await;
    let res = app.put("/api/v1/users/1").send().await;
    res.problem(405);
    let allow = res.header("allow").unwrap();
    for method in ["GET", "PATCH", "DELETE"] {
        assert!(allow.contains(method), "{allow}");
    }
    let res = app.delete("/api/v1/auth/token").send().await;
    res.problem(405);
    assert_eq!(res.header("allow"), Some("POST"));
    // A literal path wins over a template that also matches it.
    let res = app.put("/api/v1/calendar/holidays/import").send().await;
    res.problem(405);
    assert_eq!(res.header("allow"), Some("POST"));
}

#[actix_web::test]
async fn bodies_that_are_not_json_are_400() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for body in [&b"{not json"[..], &b"\xff\xfe{}"[..], &b""[..]] {
        app.post("/api/v1/users")
            .auth(&admin)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .problem(400);
    }
}

#[actix_web::test]
async fn json_that_does_not_fit_is_422_with_field_errors() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .post("/api/v1/users")
        .auth(&admin)
        .json(&json!([1, 2, 3]))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["body"]);
    let res = app
        .post("/api/v1/users")
        .auth(&admin)
        .json(&json!({"username": 7, "role": "manager", "directorates": "adults", "password": "a-long-password", "active": "yes"}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["active", "directorates", "username"]);
}

#[actix_web::test]
async fn text_with_nul_characters_is_refused() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .post("/api/v1/directorates")
        .auth(&admin)
        .json(&json!({"code": "nul_test", "name": "Bad\u{0000}Name"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["name"]);
}

#[actix_web::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    app.post("/api/v1/directorates")
        .auth(&admin)
        .header("content-type", "text/plain")
        .body(r#"{"code":"x1","name":"X"}"#)
        .send()
        .await
        .problem(415);
    app.post("/api/v1/directorates")
        .auth(&admin)
        .body(r#"{"code":"x1","name":"X"}"#)
        .send()
        .await
        .problem(415);
}

#[actix_web::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let huge = json!({"code": "big", "name": "x".repeat(1024 * 1024)});
    app.post("/api/v1/directorates")
        .auth(&admin)
        .json(&huge)
        .send()
        .await
        .problem(413);
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::new().await;
    let res = app
        .get("/healthz")
        .header("x-request-id", "trace-abc-123")
        .send()
        .await;
    assert_eq!(res.header("x-request-id"), Some("trace-abc-123"));
    let res = app.get("/healthz").send().await;
    assert_eq!(res.header("x-request-id").map(str::len), Some(32));
}

#[actix_web::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for res in [
        app.get("/healthz").send().await,
        app.get("/api/v1/me").auth(&admin).send().await,
        app.get("/api/v1/me").send().await,
        app.get("/nowhere").send().await,
    ] {
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert!(res.header("content-security-policy").is_some());
    }
    let me = app.get("/api/v1/me").auth(&admin).send().await;
    assert_eq!(me.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn cors_allows_only_configured_origins() {
    let app = TestApp::with_env(&[("CORS_ALLOWED_ORIGINS", "https://frontend.example")]).await;
    let preflight = app
        .request(actix_web::http::Method::OPTIONS, "/api/v1/me")
        .header("origin", "https://frontend.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.text());
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://frontend.example")
    );
    let res = app
        .get("/healthz")
        .header("origin", "https://evil.example")
        .send()
        .await;
    assert_eq!(res.header("access-control-allow-origin"), None);
    let res = app
        .get("/healthz")
        .header("origin", "https://frontend.example")
        .send()
        .await;
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://frontend.example")
    );

    let closed = TestApp::new().await;
    let res = closed
        .get("/healthz")
        .header("origin", "https://frontend.example")
        .send()
        .await;
    assert_eq!(res.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn every_404_says_the_same_whether_missing_or_not_yours() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let stranger = app.as_manager("children").await;
    let create = |path: &'static str, body: serde_json::Value| {
        let app = &app;
        let admin = &admin;
        async move {
            let res = app.post(path).auth(admin).json(&body).send().await;
            res.assert_status(201);
            res.json()["id"].clone()
        }
    };
    let feedback = create(
        "/api/v1/feedback",
        serde_json::json!({"directorate": "adults", "kind": "comment", "received_on": "2025-06-02"}),
    )
    .await;
    let case = create(
        "/api/v1/ombudsman-cases",
        serde_json::json!({"reference": "25 000 404", "directorate": "adults", "received_on": "2025-06-02"}),
    )
    .await;
    let improvement = create(
        "/api/v1/service-improvements",
        serde_json::json!({"directorate": "adults", "description": "Train staff", "agreed_on": "2025-06-02"}),
    )
    .await;
    let mut details = std::collections::BTreeSet::new();
    for (collection, id) in [
        ("feedback", feedback),
        ("ombudsman-cases", case),
        ("service-improvements", improvement),
    ] {
        for path in [
            format!("/api/v1/{collection}/{id}"),
            format!("/api/v1/{collection}/{id}/history"),
        ] {
            let hidden = app.get(&path).auth(&stranger).send().await.problem(404);
            details.insert(hidden["detail"].to_string());
        }
        let missing = app
            .get(&format!("/api/v1/{collection}/987654"))
            .auth(&admin)
            .send()
            .await
            .problem(404);
        details.insert(missing["detail"].to_string());
    }
    for path in [
        "/api/v1/users/987654",
        "/api/v1/directorates/nowhere",
        "/api/v1/calendar/holidays/2025-06-03",
        "/api/v1/no-such-path",
    ] {
        let missing = app.get(path).auth(&admin).send().await.problem(404);
        details.insert(missing["detail"].to_string());
    }
    assert_eq!(details.len(), 1, "{details:?}");
}
