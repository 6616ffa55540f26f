//! `/directorates`.

use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn the_three_directorates_exist_from_the_start() {
    let app = TestApp::new().await;
    let user = app.as_caseworker("adults").await;
    let res = app.get("/api/v1/directorates").auth(&user).send().await;
    res.assert_status(200);
    let codes: Vec<String> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().into())
        .collect();
    assert_eq!(codes, ["adults", "children", "corporate"]);
    app.get("/api/v1/directorates/children")
        .auth(&user)
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/directorates/nowhere")
        .auth(&user)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn admins_add_directorates_and_others_cannot() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let body = json!({"code": "public_health", "name": "Public Health"});
    app.post("/api/v1/directorates")
        .auth(&manager)
        .json(&body)
        .send()
        .await
        .problem(403);
    let res = app
        .post("/api/v1/directorates")
        .auth(&admin)
        .json(&body)
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(
        res.header("location"),
        Some("/api/v1/directorates/public_health")
    );
    app.post("/api/v1/directorates")
        .auth(&admin)
        .json(&body)
        .send()
        .await
        .problem(409);
    let res = app
        .post("/api/v1/directorates")
        .auth(&admin)
        .json(&json!({"code": "Bad Code", "name": ""}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["code", "name"]);
    // Users can now be placed in it.
    app.post("/api/v1/users")
        .auth(&admin)
        .json(&json!({"username": "ph.worker", "role": "caseworker", "directorates": ["public_health"], "password": "a-long-password"}))
        .send()
        .await
        .assert_status(201);
}
