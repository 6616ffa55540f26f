//! Health, readiness, metrics and the docs page.

use crate::common::TestApp;

const METRICS_TOKEN: &str = "scrape-me-if-you-can-0123";

#[actix_web::test]
async fn metrics_need_the_metrics_token_and_are_not_served_without_one() {
    let app = TestApp::with_env(&[("METRICS_TOKEN", METRICS_TOKEN)]).await;
    let admin = app.as_admin().await;
    app.get("/metrics").send().await.problem(401);
    app.get("/metrics").auth(&admin).send().await.problem(401);
    app.get("/metrics")
        .bearer("scrape-me-if-you-can-0124")
        .send()
        .await
        .problem(401);
    let unconfigured = TestApp::new().await;
    unconfigured.get("/metrics").send().await.problem(404);
    unconfigured
        .get("/metrics")
        .bearer(METRICS_TOKEN)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn invented_methods_do_not_add_metric_series() {
    let app = TestApp::with_env(&[("METRICS_TOKEN", METRICS_TOKEN)]).await;
    for method in ["FROB", "XYZZY", "PLUGH"] {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        app.request(method, "/api/v1/me").send().await;
    }
    let text = app
        .get("/metrics")
        .bearer(METRICS_TOKEN)
        .send()
        .await
        .text();
    assert!(!text.contains("FROB") && !text.contains("XYZZY"), "{text}");
    assert!(text.contains(r#"method="OTHER""#), "{text}");
}

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
    let app = TestApp::with_env(&[("METRICS_TOKEN", METRICS_TOKEN)]).await;
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
    let res = app.get("/metrics").bearer(METRICS_TOKEN).send().await;
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
