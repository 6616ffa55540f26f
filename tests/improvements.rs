//! `/service-improvements`.

use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

fn improvement(directorate: &str) -> Value {
    json!({
        "directorate": directorate,
        "description": "Issue a staff briefing on the statutory timescales for EHC Plan annual reviews.",
        "kind": "staff_briefing",
        "category": "Education",
        "sub_category": "Special educational needs",
        "owner": "Head of SEND",
        "agreed_on": "2025-01-10",
        "due_on": "2025-03-31",
    })
}

async fn create(app: &TestApp, user: &TestUser, body: &Value) -> Value {
    let res = app
        .post("/api/v1/service-improvements")
        .auth(user)
        .json(body)
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

fn path(item: &Value) -> String {
    format!("/api/v1/service-improvements/{}", item["id"])
}

#[actix_web::test]
async fn an_improvement_is_tracked_to_completion_with_evidence() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("children").await;
    let manager = app.as_manager("children").await;
    let mut case = json!({"reference": "24 005 341", "directorate": "children", "received_on": "2024-06-03",
                          "category": "Education", "sub_category": "Special educational needs",
                          "decision": "upheld", "decided_on": "2024-12-02"});
    case = app
        .post("/api/v1/ombudsman-cases")
        .auth(&manager)
        .json(&case)
        .send()
        .await
        .json();
    let mut body = improvement("children");
    body["ombudsman_case_id"] = case["id"].clone();
    let res = app
        .post("/api/v1/service-improvements")
        .auth(&worker)
        .json(&body)
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(res.header("etag"), Some("\"1\""));
    let item = res.json();
    assert_eq!(item["status"], "planned");
    assert_eq!(item["overdue"], true, "due 2025-03-31 and not done");
    assert_eq!(item["published"], false);
    assert_eq!(item["ombudsman_case_id"], case["id"]);

    let listed = app
        .get("/api/v1/service-improvements?overdue=true")
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 1);
    let res = app
        .patch(&path(&item))
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "completed", "completed_on": "2025-03-20", "evidence": "Briefing sent 20 March.", "published": true}))
        .send()
        .await;
    res.assert_status(200);
    let done = res.json();
    assert_eq!(done["overdue"], false);
    assert_eq!(done["evidence"], "Briefing sent 20 March.");
    let listed = app
        .get("/api/v1/service-improvements?overdue=true")
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 0);
    let listed = app
        .get(&format!(
            "/api/v1/service-improvements?ombudsman_case_id={}&published=true",
            case["id"]
        ))
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 1);
    app.patch(&path(&item))
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&json!({"owner": "x"}))
        .send()
        .await
        .problem(412);
    let history = app
        .get(&format!("{}/history", path(&item)))
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(history["total"], 2);
    assert_eq!(
        history["items"][1]["changes"]["status"],
        json!({"from": "planned", "to": "completed"})
    );
}

#[actix_web::test]
async fn improvement_validation() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let mut body = improvement("adults");
    body["status"] = json!("completed");
    body["due_on"] = json!("2024-12-01");
    body["description"] = json!("   ");
    body["kind"] = json!("reorganisation");
    let mut fields = app
        .post("/api/v1/service-improvements")
        .auth(&worker)
        .json(&body)
        .send()
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["completed_on", "description", "due_on", "kind"]);
    let mut body = improvement("adults");
    body["completed_on"] = json!("2025-02-01");
    assert_eq!(
        app.post("/api/v1/service-improvements")
            .auth(&worker)
            .json(&body)
            .send()
            .await
            .invalid_fields(),
        ["completed_on"]
    );
    let mut body = improvement("adults");
    body["feedback_id"] = json!(123_456);
    body["ombudsman_case_id"] = json!(654_321);
    let mut fields = app
        .post("/api/v1/service-improvements")
        .auth(&worker)
        .json(&body)
        .send()
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["feedback_id", "ombudsman_case_id"]);
    let mut body = improvement("adults");
    body.as_object_mut().unwrap().remove("description");
    assert_eq!(
        app.post("/api/v1/service-improvements")
            .auth(&worker)
            .json(&body)
            .send()
            .await
            .invalid_fields(),
        ["description"]
    );
}

#[actix_web::test]
async fn improvements_link_only_to_their_own_directorate() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let record = app
        .post("/api/v1/feedback")
        .auth(&admin)
        .json(&json!({"directorate": "corporate", "kind": "enquiry", "received_on": "2025-01-06"}))
        .send()
        .await
        .json();
    let mut body = improvement("adults");
    body["feedback_id"] = record["id"].clone();
    assert_eq!(
        app.post("/api/v1/service-improvements")
            .auth(&admin)
            .json(&body)
            .send()
            .await
            .invalid_fields(),
        ["feedback_id"]
    );
    body["directorate"] = json!("corporate");
    let item = create(&app, &admin, &body).await;
    assert_eq!(item["feedback_id"], record["id"]);
    // Deleting the source record keeps the improvement, unlinked.
    app.delete(&format!("/api/v1/feedback/{}", record["id"]))
        .auth(&admin)
        .send()
        .await
        .assert_status(204);
    let item = app.get(&path(&item)).auth(&admin).send().await.json();
    assert_eq!(item["feedback_id"], Value::Null);
}

#[actix_web::test]
async fn roles_and_directorates_for_improvements() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let item = create(&app, &worker, &improvement("adults")).await;
    let analyst = app.as_analyst("adults").await;
    app.get(&path(&item))
        .auth(&analyst)
        .send()
        .await
        .assert_status(200);
    app.post("/api/v1/service-improvements")
        .auth(&analyst)
        .json(&improvement("adults"))
        .send()
        .await
        .problem(403);
    let crm = app.as_integration("adults").await;
    app.get("/api/v1/service-improvements")
        .auth(&crm)
        .send()
        .await
        .problem(403);
    let other = app.as_caseworker("children").await;
    app.get(&path(&item)).auth(&other).send().await.problem(404);
    app.patch(&path(&item))
        .auth(&other)
        .json(&json!({"owner": "x"}))
        .send()
        .await
        .problem(404);
    assert_eq!(
        app.get("/api/v1/service-improvements")
            .auth(&other)
            .send()
            .await
            .json()["total"],
        0
    );
    app.post("/api/v1/service-improvements")
        .auth(&other)
        .json(&improvement("adults"))
        .send()
        .await
        .problem(403);
    app.delete(&path(&item))
        .auth(&worker)
        .send()
        .await
        .problem(403);
    let manager = app.as_manager("adults").await;
    app.delete(&path(&item))
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    app.get(&path(&item))
        .auth(&manager)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn improvement_lists_filter_by_agreement_date_and_category() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    for (agreed, category) in [
        ("2024-04-01", "Charging"),
        ("2024-09-30", "Home Care"),
        ("2025-03-31", "Charging"),
        ("2025-04-01", "Charging"),
    ] {
        let mut body = improvement("adults");
        body["agreed_on"] = json!(agreed);
        body["due_on"] = json!("2026-12-31");
        body["category"] = json!(category);
        create(&app, &worker, &body).await;
    }
    let listed = app
        .get("/api/v1/service-improvements?agreed_from=2024-04-01&agreed_to=2025-03-31&category=Charging&sort=-agreed_on")
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["items"][0]["agreed_on"], "2025-03-31");
    assert_eq!(listed["items"][1]["agreed_on"], "2024-04-01");
    let listed = app
        .get("/api/v1/service-improvements?status=planned&overdue=false")
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 4);
}
