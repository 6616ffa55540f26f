//! Actions: what the council promised on a record or case, who owns it,
//! when it is due, and whether it was kept.

use serde_json::{json, Value};

use crate::common::{get, post, TestApp};

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

/// The fields named by a 422, in alphabetical order.
fn fields(problem: &Value) -> Vec<String> {
    let mut fields: Vec<String> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    fields.sort();
    fields
}

#[actix_web::test]
async fn actions_are_promised_owned_listed_and_kept() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let analyst = app.as_analyst("adults").await;
    let outsider = app.as_caseworker("children").await;
    let record = post(&app, &worker, "/api/v1/feedback", json!({
        "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
        "received_on": "2026-09-01", "responded_on": "2026-10-01", "outcome": "upheld", "category": "Charging",
        "remedies": [{"kind": "apology", "agreed_on": "2026-10-01", "due_on": "2026-10-08",
                      "completed_on": "2026-10-20"}]}))
    .await;
    let fb = record["id"].as_i64().unwrap();

    // An apology promised by a date now past: overdue.
    let apology = post(
        &app,
        &worker,
        "/api/v1/actions",
        json!({
        "directorate": "adults", "feedback_id": fb, "remedy": 0,
        "description": "Apologise to Mrs Y in writing.", "owner_id": worker.id,
        "due_on": "2026-10-08"}),
    )
    .await;
    assert_eq!(apology["overdue"], true);
    assert_eq!(apology["late"], false);
    let apology_id = apology["id"].as_i64().unwrap();
    // A payment owned by a team, due later.
    let payment = post(
        &app,
        &manager,
        "/api/v1/actions",
        json!({
        "directorate": "adults", "feedback_id": fb, "description": "Pay £300 time and trouble.",
        "owner_name": "Financial Assessments", "due_on": "2030-01-31"}),
    )
    .await;
    assert_eq!(payment["overdue"], false);

    // Lists: by owner, overdue, due date and record; analysts read them.
    let mine = get(&app, &worker, "/api/v1/actions?owner=me").await;
    assert_eq!(ids(&mine), [apology_id]);
    let teams = get(&app, &worker, "/api/v1/actions?owner=none").await;
    assert_eq!(ids(&teams), [payment["id"].as_i64().unwrap()]);
    let overdue = get(&app, &analyst, "/api/v1/actions?overdue=true").await;
    assert_eq!(ids(&overdue), [apology_id]);
    let due = get(
        &app,
        &manager,
        "/api/v1/actions?due_to=2026-12-31&sort=due_on",
    )
    .await;
    assert_eq!(ids(&due), [apology_id]);
    let on_record = get(&app, &manager, &format!("/api/v1/actions?feedback_id={fb}")).await;
    assert_eq!(on_record["total"], 2);
    // The owner's queue lists it.
    let queue = get(&app, &worker, "/api/v1/me/work").await;
    assert_eq!(queue["actions"][0]["id"], apology_id);
    assert_eq!(queue["actions"][0]["overdue"], true);

    // Done late, with evidence: no longer overdue, but late; it leaves the
    // queue.
    let res = app
        .patch(&format!("/api/v1/actions/{apology_id}"))
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&json!({"completed_on": "2026-10-20", "evidence": "Letter sent 20 October."}))
        .send()
        .await;
    res.assert_status(200);
    let done = res.json();
    assert_eq!(
        (done["overdue"].clone(), done["late"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(
        get(&app, &worker, "/api/v1/me/work").await["actions"],
        json!([])
    );
    app.patch(&format!("/api/v1/actions/{apology_id}"))
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&json!({"evidence": "Again."}))
        .send()
        .await
        .problem(412);
    let history = get(
        &app,
        &worker,
        &format!("/api/v1/actions/{apology_id}/history"),
    )
    .await;
    assert_eq!(history["total"], 2);

    // The complaint statistics count the promises due in the year: the
    // apology action and the apology remedy were both kept late.
    let stats = get(
        &app,
        &manager,
        "/api/v1/statistics/complaints?year=2026&directorate=adults",
    )
    .await;
    assert_eq!(
        stats["promises"],
        json!({"actions_due": 1, "actions_on_time": 0, "actions_late": 1, "actions_not_done": 0,
               "remedies_due": 1, "remedies_on_time": 0, "remedies_late": 1, "remedies_not_done": 0})
    );

    // Bad bodies: 422 naming the fields.
    let problem = app
        .post("/api/v1/actions")
        .auth(&worker)
        .json(
            &json!({"directorate": "adults", "description": " ", "recommendation": 0,
                      "owner_id": outsider.id, "owner_name": "Both", "completed_on": "2099-01-01"}),
        )
        .send()
        .await
        .problem(422);
    let named = fields(&problem);
    for field in [
        "description",
        "feedback_id",
        "recommendation",
        "owner_name",
        "completed_on",
    ] {
        assert!(named.contains(&field.to_string()), "{field} in {named:?}");
    }
    let problem = app
        .post("/api/v1/actions")
        .auth(&worker)
        .json(
            &json!({"directorate": "adults", "feedback_id": fb, "remedy": 3,
                      "owner_id": outsider.id, "description": "D"}),
        )
        .send()
        .await
        .problem(422);
    assert_eq!(fields(&problem), ["owner_id", "remedy"]);
    // Another directorate's record is not found in a body (422) nor by id (404).
    let problem = app
        .post("/api/v1/actions")
        .auth(&outsider)
        .json(&json!({"directorate": "children", "feedback_id": fb, "description": "D"}))
        .send()
        .await
        .problem(422);
    assert_eq!(fields(&problem), ["feedback_id"]);
    app.get(&format!("/api/v1/actions/{apology_id}"))
        .auth(&outsider)
        .send()
        .await
        .problem(404);
    app.post("/api/v1/actions")
        .auth(&analyst)
        .json(&json!({"directorate": "adults", "feedback_id": fb, "description": "D"}))
        .send()
        .await
        .problem(403);
    app.get("/api/v1/actions").send().await.problem(401);
    app.get("/api/v1/actions?owner=everyone")
        .auth(&worker)
        .send()
        .await
        .problem(422);
    app.delete(&format!("/api/v1/actions/{apology_id}"))
        .auth(&worker)
        .send()
        .await
        .problem(403);
}

#[actix_web::test]
async fn actions_carry_out_recommendations_and_go_with_their_record() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let case = post(
        &app,
        &manager,
        "/api/v1/ombudsman-cases",
        json!({
        "reference": "26 003 003", "directorate": "adults", "received_on": "2026-06-01",
        "decision": "upheld", "decided_on": "2026-09-01",
        "recommendations": [{"kind": "apology", "due_on": "2026-10-01"},
                            {"kind": "staff_training", "due_on": "2026-12-01"}]}),
    )
    .await;
    let case_id = case["id"].as_i64().unwrap();
    let training = post(
        &app,
        &manager,
        "/api/v1/actions",
        json!({
        "directorate": "adults", "ombudsman_case_id": case_id, "recommendation": 1,
        "description": "Train the team on financial assessments.", "owner_id": manager.id,
        "due_on": "2026-12-01"}),
    )
    .await;
    let problem = app
        .post("/api/v1/actions")
        .auth(&manager)
        .json(
            &json!({"directorate": "adults", "ombudsman_case_id": case_id, "recommendation": 5,
                      "description": "D"}),
        )
        .send()
        .await
        .problem(422);
    assert_eq!(fields(&problem), ["recommendation"]);

    // Redacting the case redacts its actions' free text.
    app.post(&format!("/api/v1/ombudsman-cases/{case_id}/redact"))
        .auth(&manager)
        .send()
        .await
        .assert_status(200);
    let redacted = get(
        &app,
        &manager,
        &format!("/api/v1/actions/{}", training["id"]),
    )
    .await;
    assert_eq!(redacted["description"], "[redacted]");
    assert!(redacted["redacted_at"].is_string());
    assert_eq!(redacted["due_on"], "2026-12-01", "the dates stay");
    let history = get(
        &app,
        &manager,
        &format!("/api/v1/actions/{}/history", training["id"]),
    )
    .await;
    assert!(
        !history.to_string().contains("financial assessments"),
        "{history}"
    );

    // Deleting the case deletes its actions.
    app.delete(&format!("/api/v1/ombudsman-cases/{case_id}"))
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    app.get(&format!("/api/v1/actions/{}", training["id"]))
        .auth(&manager)
        .send()
        .await
        .problem(404);

    // A user who owns actions cannot be deleted (409): deactivate them.
    let owner = app.as_caseworker("adults").await;
    let record = post(
        &app,
        &manager,
        "/api/v1/feedback",
        json!({
        "directorate": "adults", "kind": "enquiry", "received_on": "2026-11-02"}),
    )
    .await;
    post(
        &app,
        &manager,
        "/api/v1/actions",
        json!({
        "directorate": "adults", "feedback_id": record["id"], "description": "Call back.",
        "owner_id": owner.id}),
    )
    .await;
    let admin = app.as_admin().await;
    app.delete(&format!("/api/v1/users/{}", owner.id))
        .auth(&admin)
        .send()
        .await
        .problem(409);
}
