//! `/ombudsman-cases`: decisions, information requests, recommendations and
//! compliance.

use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

fn case(reference: &str) -> Value {
    json!({
        "reference": reference,
        "directorate": "adults",
        "category": "Adult care services",
        "sub_category": "Charging",
        "received_on": "2024-05-01",
        "summary": "Charges for residential care were not explained.",
    })
}

fn upheld(reference: &str, recommendations: Value) -> Value {
    let mut body = case(reference);
    body["decision"] = json!("upheld");
    body["decided_on"] = json!("2024-09-02");
    body["recommendations"] = recommendations;
    body
}

async fn create(app: &TestApp, user: &TestUser, body: &Value) -> Value {
    let res = app
        .post("/api/v1/ombudsman-cases")
        .auth(user)
        .json(body)
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

fn path(case: &Value) -> String {
    format!("/api/v1/ombudsman-cases/{}", case["id"])
}

#[actix_web::test]
async fn a_case_runs_from_first_enquiry_to_decision() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let manager = app.as_manager("adults").await;
    let complaint = app
        .post("/api/v1/feedback")
        .auth(&worker)
        .json(&json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
                      "received_on": "2024-01-08"}))
        .send()
        .await
        .json();
    let mut body = case("24 005 341");
    body["feedback_id"] = complaint["id"].clone();
    body["information_requests"] = json!([{"requested_on": "2024-05-02", "due_on": "2024-05-30"}]);
    let res = app
        .post("/api/v1/ombudsman-cases")
        .auth(&worker)
        .json(&body)
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(res.header("etag"), Some("\"1\""));
    let created = res.json();
    assert_eq!(res.header("location").unwrap(), path(&created));
    assert_eq!(created["ombudsman"], "lgsco");
    assert_eq!(created["decision"], Value::Null);
    assert_eq!(created["decision_bucket"], Value::Null);
    assert_eq!(created["feedback_id"], complaint["id"]);
    // The request is still unanswered and its due date has passed: late.
    assert_eq!(created["information_requests"][0]["late"], true);
    assert_eq!(created["information_requests_late"], 1);

    // A caseworker may answer the enquiry, but not record the decision.
    let res = app
        .patch(&path(&created))
        .auth(&worker)
        .json(&json!({"information_requests": [{"requested_on": "2024-05-02", "due_on": "2024-05-30", "provided_on": "2024-05-29"}]}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.json()["information_requests_late"], 0);
    app.patch(&path(&created))
        .auth(&worker)
        .json(&json!({"decision": "not_upheld", "decided_on": "2024-08-01"}))
        .send()
        .await
        .problem(403);
    let res = app
        .patch(&path(&created))
        .auth(&manager)
        .header("if-match", "\"2\"")
        .json(&json!({"decision": "not_upheld", "decided_on": "2024-08-01"}))
        .send()
        .await;
    res.assert_status(200);
    let decided = res.json();
    assert_eq!(decided["decision_bucket"], "investigated");
    assert_eq!(decided["version"], 3);
    // And the caseworker may still edit other fields of a decided case.
    app.patch(&path(&created))
        .auth(&worker)
        .json(&json!({"summary": "Updated"}))
        .send()
        .await
        .assert_status(200);

    let history = app
        .get(&format!("{}/history", path(&created)))
        .auth(&worker)
        .send()
        .await
        .json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "update", "update"]);
    assert_eq!(
        history["items"][2]["changes"]["decision"]["to"],
        "not_upheld"
    );
}

#[actix_web::test]
async fn decisions_fall_into_the_ombudsmans_buckets() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    for (i, (decision, bucket)) in [
        ("advice_given", "not_for_us"),
        ("referred_back_for_local_resolution", "not_for_us"),
        ("incomplete_or_invalid", "not_for_us"),
        ("closed_after_initial_enquiries", "assessed_and_closed"),
        ("upheld", "investigated"),
        ("not_upheld", "investigated"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = case(&format!("24 000 00{i}"));
        body["decision"] = json!(decision);
        body["decided_on"] = json!("2024-07-01");
        assert_eq!(
            create(&app, &manager, &body).await["decision_bucket"],
            bucket
        );
    }
    let listed = app
        .get("/api/v1/ombudsman-cases?decision_bucket=not_for_us")
        .auth(&manager)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 3);
    let listed = app
        .get("/api/v1/ombudsman-cases?decision=upheld")
        .auth(&manager)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 1);
}

#[actix_web::test]
async fn compliance_is_derived_from_the_recommendations() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    // Pending: one recommendation not done.
    let pending = create(
        &app,
        &manager,
        &upheld(
            "24 010 001",
            json!([
            {"kind": "apology", "due_on": "2024-10-01", "completed_on": "2024-09-20"},
            {"kind": "financial_redress", "amount_pence": 20000, "due_on": "2024-10-01"}]),
        ),
    )
    .await;
    assert_eq!(pending["compliance_outcome"], Value::Null);
    assert_eq!(pending["compliance_derived"], Value::Null);
    assert_eq!(pending["overdue_recommendations"], 1);
    assert_eq!(pending["recommendations"][1]["overdue"], true);

    // Completing the second on time, keeping the ids: complied, on the latest date.
    let ids: Vec<Value> = pending["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    let res = app
        .patch(&path(&pending))
        .auth(&manager)
        .json(&json!({"recommendations": [
            {"id": ids[0], "kind": "apology", "due_on": "2024-10-01", "completed_on": "2024-09-20"},
            {"id": ids[1], "kind": "financial_redress", "amount_pence": 20000, "due_on": "2024-10-01", "completed_on": "2024-09-30"}]}))
        .send()
        .await;
    res.assert_status(200);
    let complied = res.json();
    assert_eq!(complied["compliance_outcome"], "complied");
    assert_eq!(complied["compliance_recorded_on"], "2024-09-30");
    assert_eq!(complied["compliance_derived"], true);
    let kept: Vec<Value> = complied["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(kept, ids, "recommendations keep their ids");

    // One done late: complied late.
    let late = create(
        &app,
        &manager,
        &upheld(
            "24 010 002",
            json!([
            {"kind": "apology", "due_on": "2024-10-01", "completed_on": "2024-10-03"},
            {"kind": "staff_training", "due_on": "2024-12-01", "completed_on": "2024-11-20"}]),
        ),
    )
    .await;
    assert_eq!(late["compliance_outcome"], "complied_late");
    assert_eq!(late["compliance_recorded_on"], "2024-11-20");
    assert_eq!(late["recommendations"][0]["late"], true);

    // No recommendations: nothing derived.
    let none = create(&app, &manager, &upheld("24 010 003", json!([]))).await;
    assert_eq!(none["compliance_outcome"], Value::Null);

    // A manager may override, and clearing the override returns to the derived outcome.
    let res = app
        .patch(&path(&late))
        .auth(&manager)
        .json(
            &json!({"compliance_outcome": "not_complied", "compliance_recorded_on": "2024-12-10"}),
        )
        .send()
        .await;
    let overridden = res.json();
    assert_eq!(overridden["compliance_outcome"], "not_complied");
    assert_eq!(overridden["compliance_recorded_on"], "2024-12-10");
    assert_eq!(overridden["compliance_derived"], false);
    let res = app
        .patch(&path(&late))
        .auth(&manager)
        .json(&json!({"compliance_outcome": null, "compliance_recorded_on": null}))
        .send()
        .await;
    assert_eq!(res.json()["compliance_outcome"], "complied_late");

    let listed = app
        .get("/api/v1/ombudsman-cases?overdue_recommendations=true")
        .auth(&manager)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 0);
    let listed = app
        .get("/api/v1/ombudsman-cases?compliance_outcome=complied")
        .auth(&manager)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 1);
}

#[actix_web::test]
async fn only_managers_record_decisions_and_compliance() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let body = upheld("24 020 001", json!([]));
    app.post("/api/v1/ombudsman-cases")
        .auth(&worker)
        .json(&body)
        .send()
        .await
        .problem(403);
    let manager = app.as_manager("adults").await;
    let created = create(&app, &manager, &body).await;
    app.patch(&path(&created))
        .auth(&worker)
        .json(&json!({"compliance_outcome": "not_complied"}))
        .send()
        .await
        .problem(403);
    app.patch(&path(&created))
        .auth(&worker)
        .json(&json!({"remedied_before_ombudsman": true}))
        .send()
        .await
        .problem(403);
    for user in [
        app.as_analyst("adults").await,
        app.as_integration("adults").await,
    ] {
        app.post("/api/v1/ombudsman-cases")
            .auth(&user)
            .json(&case("24 020 002"))
            .send()
            .await
            .problem(403);
    }
    let crm = app.as_integration("adults").await;
    app.get(&path(&created))
        .auth(&crm)
        .send()
        .await
        .problem(403);
    let analyst = app.as_analyst("adults").await;
    app.get(&path(&created))
        .auth(&analyst)
        .send()
        .await
        .assert_status(200);
    app.delete(&path(&created))
        .auth(&worker)
        .send()
        .await
        .problem(403);
    app.delete(&path(&created))
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    app.get(&path(&created))
        .auth(&manager)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn case_validation_reports_every_problem() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let mut body = case("24-005-341");
    body["decision"] = json!("not_upheld");
    body["remedied_before_ombudsman"] = json!(true);
    body["recommendations"] = json!([{"kind": "apology", "amount_pence": -5}]);
    body["public_report_title"] = json!("A report");
    body["information_requests"] = json!([{"requested_on": "2024-06-01", "due_on": "2024-05-01"}]);
    body["witness_summons"] = json!("yes");
    let res = app
        .post("/api/v1/ombudsman-cases")
        .auth(&manager)
        .json(&body)
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "decided_on",
            "information_requests[0].due_on",
            "public_report_title",
            "recommendations",
            "recommendations[0].amount_pence",
            "reference",
            "remedied_before_ombudsman",
            "witness_summons",
        ]
    );
    let mut body = case("24 005 342");
    body["decision"] = json!("upheld");
    body["decided_on"] = json!("2024-04-01");
    assert_eq!(
        app.post("/api/v1/ombudsman-cases")
            .auth(&manager)
            .json(&body)
            .send()
            .await
            .invalid_fields(),
        ["decided_on"]
    );
    let mut body = case("24 005 343");
    body["feedback_id"] = json!(999_999);
    body["directorate"] = json!("nowhere");
    let mut fields = app
        .post("/api/v1/ombudsman-cases")
        .auth(&manager)
        .json(&body)
        .send()
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["directorate", "feedback_id"]);
}

#[actix_web::test]
async fn references_are_unique() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let first = create(&app, &manager, &case("23 011 946")).await;
    app.post("/api/v1/ombudsman-cases")
        .auth(&manager)
        .json(&case("23 011 946"))
        .send()
        .await
        .problem(409);
    let other = create(&app, &manager, &case("23 011 035")).await;
    app.patch(&path(&other))
        .auth(&manager)
        .json(&json!({"reference": "23 011 946"}))
        .send()
        .await
        .problem(409);
    let found = app
        .get("/api/v1/ombudsman-cases?q=011%20946")
        .auth(&manager)
        .send()
        .await
        .json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["id"], first["id"]);
}

#[actix_web::test]
async fn recommendations_ids_must_belong_to_the_case() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let one = create(
        &app,
        &manager,
        &upheld(
            "24 030 001",
            json!([{"kind": "apology", "due_on": "2024-10-01"}]),
        ),
    )
    .await;
    let two = create(
        &app,
        &manager,
        &upheld(
            "24 030 002",
            json!([{"kind": "apology", "due_on": "2024-10-01"}]),
        ),
    )
    .await;
    let foreign = one["recommendations"][0]["id"].clone();
    let res = app
        .patch(&path(&two))
        .auth(&manager)
        .json(&json!({"recommendations": [{"id": foreign, "kind": "apology"}]}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["recommendations[0].id"]);
    // Dropping one and adding another.
    let res = app
        .patch(&path(&two))
        .auth(&manager)
        .json(&json!({"recommendations": [{"kind": "reassessment", "due_on": "2024-11-01"}]}))
        .send()
        .await;
    let after = res.json();
    assert_eq!(after["recommendations"].as_array().unwrap().len(), 1);
    assert_eq!(after["recommendations"][0]["kind"], "reassessment");
    assert_ne!(
        after["recommendations"][0]["id"],
        two["recommendations"][0]["id"]
    );
}

#[actix_web::test]
async fn cases_of_other_directorates_are_invisible() {
    let app = TestApp::new().await;
    let children = app.as_manager("children").await;
    let mut body = case("24 040 001");
    body["directorate"] = json!("children");
    let created = create(&app, &children, &body).await;
    let adults = app.as_manager("adults").await;
    app.get(&path(&created))
        .auth(&adults)
        .send()
        .await
        .problem(404);
    app.patch(&path(&created))
        .auth(&adults)
        .json(&json!({"summary": "x"}))
        .send()
        .await
        .problem(404);
    app.delete(&path(&created))
        .auth(&adults)
        .send()
        .await
        .problem(404);
    app.get(&format!("{}/history", path(&created)))
        .auth(&adults)
        .send()
        .await
        .problem(404);
    let listed = app
        .get("/api/v1/ombudsman-cases")
        .auth(&adults)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 0);
    app.post("/api/v1/ombudsman-cases")
        .auth(&adults)
        .json(&body)
        .send()
        .await
        .problem(403);
    // A complaint of another directorate cannot be linked.
    let complaint = app
        .post("/api/v1/feedback")
        .auth(&children)
        .json(&json!({"directorate": "children", "kind": "enquiry", "received_on": "2024-01-08"}))
        .send()
        .await
        .json();
    let mut body = case("24 040 002");
    body["feedback_id"] = complaint["id"].clone();
    assert_eq!(
        app.post("/api/v1/ombudsman-cases")
            .auth(&adults)
            .json(&body)
            .send()
            .await
            .invalid_fields(),
        ["feedback_id"]
    );
    let admin = app.as_admin().await;
    assert_eq!(
        app.post("/api/v1/ombudsman-cases")
            .auth(&admin)
            .json(&body)
            .send()
            .await
            .invalid_fields(),
        ["feedback_id"]
    );
}

#[actix_web::test]
async fn late_information_requests_and_witness_summons_are_visible() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let mut body = case("24 050 001");
    body["witness_summons"] = json!(true);
    body["witness_summons_on"] = json!("2024-07-15");
    body["information_requests"] = json!([
        {"requested_on": "2024-05-02", "due_on": "2024-05-30", "provided_on": "2024-06-05"},
        {"requested_on": "2024-06-10", "due_on": "2024-07-10", "provided_on": "2024-07-01"},
    ]);
    let created = create(&app, &worker, &body).await;
    assert_eq!(created["witness_summons"], true);
    assert_eq!(created["information_requests_late"], 1);
    assert_eq!(created["information_requests"][0]["late"], true);
    assert_eq!(created["information_requests"][1]["late"], false);
    create(&app, &worker, &case("24 050 002")).await;
    let listed = app
        .get("/api/v1/ombudsman-cases?late_information_requests=true")
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 1);
    let listed = app
        .get("/api/v1/ombudsman-cases?late_information_requests=false")
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 1);
}

#[actix_web::test]
async fn case_lists_filter_sort_and_page() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    for (i, decided) in ["2024-04-01", "2024-10-15", "2025-03-31", "2025-04-01"]
        .iter()
        .enumerate()
    {
        let mut body = case(&format!("24 060 00{i}"));
        body["received_on"] = json!("2024-03-01");
        body["decision"] = json!("closed_after_initial_enquiries");
        body["decided_on"] = json!(decided);
        create(&app, &manager, &body).await;
    }
    let listed = app
        .get("/api/v1/ombudsman-cases?decided_from=2024-04-01&decided_to=2025-03-31&sort=-decided_on")
        .auth(&manager)
        .send()
        .await
        .json();
    assert_eq!(listed["total"], 3, "both ends are inclusive");
    assert_eq!(listed["items"][0]["decided_on"], "2025-03-31");
    let listed = app
        .get("/api/v1/ombudsman-cases?limit=2&offset=2&sort=reference")
        .auth(&manager)
        .send()
        .await
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert_eq!(listed["items"][0]["reference"], "24 060 002");
    app.get("/api/v1/ombudsman-cases?sort=summary")
        .auth(&manager)
        .send()
        .await
        .problem(422);
    let res = app
        .get("/api/v1/ombudsman-cases?decision=maybe")
        .auth(&manager)
        .send()
        .await;
    assert_eq!(res.unreadable_parameters(), ["decision"]);
}
