//! Health, readiness, metrics and the docs page.

use crate::common::TestApp;

#[actix_web::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    let res = app.get("/healthz").send().await;
    res.assert_status(200);
    assert_eq!(res.json()["status"], "ok");
    let res = app.get("/readyz").send().await;
    res.assert_status(200);
    assert_eq!(res.json()["status"], "ready");
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    app.get("/api/v1/me")
        .auth(&admin)
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/users/12345")
        .auth(&admin)
        .send()
        .await
        .assert_status(404);
    let res = app.get("/metrics").send().await;
    res.assert_status(200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text();
    assert!(
        text.contains(
            r#"redress_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"redress_http_requests_total{method="GET",route="/api/v1/users/{id}",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("redress_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/me\",status=\"200\",le=\"+Inf\"} 1"));
}

#[actix_web::test]
async fn the_docs_page_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let res = app.get("/docs").send().await;
    assert_eq!(res.status.as_u16(), 308);
    assert_eq!(res.header("location"), Some("/docs/"));
    let page = app.get("/docs/").send().await;
    page.assert_status(200);
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("://cdn") && !html.contains("unpkg.com"),
        "the page must not load from a CDN"
    );
    let init = app.get("/docs/swagger-initializer.js").send().await;
    init.assert_status(200);
    assert!(init.text().contains("/openapi.json"));
    app.get("/docs/swagger-ui-bundle.js")
        .send()
        .await
        .assert_status(200);
}
