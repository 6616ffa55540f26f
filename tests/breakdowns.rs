//! What the breakdowns group by, as list filters: service, team, theme,
//! detailed reason, channel, relationship and directorate, each exact or
//! several values.

use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

const FEEDBACK: &str = "/api/v1/feedback";

async fn create(app: &TestApp, user: &TestUser, body: Value) -> i64 {
    let res = app.post(FEEDBACK).auth(user).json(&body).send().await;
    res.assert_status(201);
    res.json()["id"].as_i64().expect("id")
}

/// The ids a list query finds, in id order.
async fn found(app: &TestApp, user: &TestUser, query: &str) -> Vec<i64> {
    let res = app
        .get(&format!("{FEEDBACK}?{query}&sort=id&limit=100"))
        .auth(user)
        .send()
        .await;
    res.assert_status(200);
    res.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

#[actix_web::test]
async fn the_list_filters_on_every_breakdown_dimension() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let record = |directorate: &str, extra: Value| {
        let mut body =
            json!({"directorate": directorate, "kind": "enquiry", "received_on": "2025-10-06"});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let a = create(
        &app,
        &admin,
        record(
            "children",
            json!({
        "service_area": "SEND", "team": "Statutory Assessment Team", "category": "Education",
        "sub_category": "EHCP delay", "channel": "email", "themes": ["communication", "delay"],
        "complainant": {"name": "A Parent", "relationship": "advocate"}}),
        ),
    )
    .await;
    let b = create(
        &app,
        &admin,
        record(
            "children",
            json!({
        "service_area": "Social Care", "team": "Assessment Team North", "category": "Education",
        "sub_category": "Transport", "channel": "phone", "themes": ["delay"],
        "complainant": {"name": "A Young Person", "relationship": "self"}}),
        ),
    )
    .await;
    let c = create(
        &app,
        &admin,
        record(
            "adults",
            json!({
        "service_area": "SEND", "channel": "web", "themes": ["Communication"],
        "complainant": {"name": "A Friend", "relationship": "representative"}}),
        ),
    )
    .await;

    for (query, want) in [
        ("service_area=SEND", vec![a, c]),
        ("service_area=SEND,Social%20Care", vec![a, b, c]),
        ("team=Statutory%20Assessment%20Team", vec![a]),
        ("sub_category=Transport,EHCP%20delay", vec![a, b]),
        ("theme=delay", vec![a, b]),
        ("theme=communication", vec![a]),
        ("theme=communication,Communication", vec![a, c]),
        ("channel=email,web", vec![a, c]),
        ("relationship=self", vec![b]),
        ("relationship=advocate,representative", vec![a, c]),
        ("directorate=adults,children", vec![a, b, c]),
        ("directorate=adults", vec![c]),
        ("theme=delay&channel=phone", vec![b]),
        ("theme=nothing", vec![]),
    ] {
        assert_eq!(found(&app, &admin, query).await, want, "{query}");
    }
    for query in ["channel=pigeon", "relationship=email,cousin"] {
        let res = app
            .get(&format!("{FEEDBACK}?{query}"))
            .auth(&admin)
            .send()
            .await;
        let field = query.split('=').next().unwrap();
        assert_eq!(res.problem(422)["errors"][0]["field"], field, "{query}");
    }

    // Changing the themes changes what the filter finds.
    let res = app
        .patch(&format!("{FEEDBACK}/{b}"))
        .auth(&admin)
        .json(&json!({"themes": ["transport", "transport"]}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(found(&app, &admin, "theme=delay").await, vec![a]);
    assert_eq!(found(&app, &admin, "theme=transport").await, vec![b]);
    // An erased record is gone from the filter too.
    app.post(&format!("{FEEDBACK}/{a}/erase"))
        .auth(&admin)
        .send()
        .await
        .assert_status(204);
    assert_eq!(found(&app, &admin, "theme=delay").await, Vec::<i64>::new());

    // Analysts filter on the same dimensions, within their directorates.
    let analyst = app.as_analyst("adults").await;
    assert_eq!(found(&app, &analyst, "service_area=SEND").await, vec![c]);
    assert_eq!(
        found(&app, &analyst, "relationship=representative").await,
        vec![c]
    );
}
