//! Reopening a record that was responded to: the response is kept as a
//! round, and the clock restarts.

use serde_json::{json, Value};

use crate::common::{get, post, TestApp};

/// An adult social care complaint received on `received_on`.
fn complaint(received_on: &str) -> Value {
    json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults",
           "stage": 1, "received_on": received_on, "category": "Charging",
           "complainant": {"name": "Mr Z"}})
}

#[actix_web::test]
async fn reopening_keeps_the_first_response_and_restarts_the_clock() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let analyst = app.as_analyst("adults").await;
    let manager = app.as_manager("adults").await;
    let mut body = complaint("2026-06-01");
    body["responded_on"] = json!("2026-06-20");
    body["outcome"] = json!("partially_upheld");
    let record = post(&app, &worker, "/api/v1/feedback", body).await;
    let id = record["id"].as_i64().unwrap();
    let path = format!("/api/v1/feedback/{id}/reopen");

    let res = app
        .post(&path)
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&json!({"reopened_on": "2026-07-01", "reason": "The family sent new evidence."}))
        .send()
        .await;
    res.assert_status(200);
    let reopened = res.json();
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["responded_on"], Value::Null);
    assert_eq!(reopened["outcome"], Value::Null);
    assert_eq!(reopened["reopened"], true);
    assert_eq!(reopened["reopened_on"], "2026-07-01");
    assert_eq!(reopened["received_on"], "2026-06-01", "the receipt stays");
    // The clock counts from the reopening, as a complaint received that day.
    let fresh = post(&app, &worker, "/api/v1/feedback", complaint("2026-07-01")).await;
    assert_eq!(
        reopened["timeliness"]["due_on"],
        fresh["timeliness"]["due_on"]
    );
    assert_eq!(
        reopened["timeliness"]["limit_on"],
        fresh["timeliness"]["limit_on"]
    );

    // The first response is its first round; analysts do not see the reason.
    let rounds = get(&app, &worker, &format!("/api/v1/feedback/{id}/rounds")).await;
    assert_eq!(
        rounds,
        json!([{"round": 1, "started_on": "2026-06-01", "responded_on": "2026-06-20",
                "outcome": "partially_upheld", "reopened_on": "2026-07-01",
                "reason": "The family sent new evidence.", "reopened_by": worker.username}])
    );
    let hidden = get(&app, &analyst, &format!("/api/v1/feedback/{id}/rounds")).await;
    assert_eq!(hidden[0]["reason"], Value::Null);
    let history = get(&app, &worker, &format!("/api/v1/feedback/{id}/history")).await;
    assert!(history["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "reopen"));

    // Answered again, and reopened again: a second round from the first
    // reopening.
    app.patch(&format!("/api/v1/feedback/{id}"))
        .auth(&worker)
        .json(&json!({"responded_on": "2026-07-20", "outcome": "upheld"}))
        .send()
        .await
        .assert_status(200);
    app.post(&path)
        .auth(&worker)
        .json(&json!({"reopened_on": "2026-08-03", "reason": "The family sent new evidence."}))
        .send()
        .await
        .assert_status(200);
    let rounds = get(&app, &worker, &format!("/api/v1/feedback/{id}/rounds")).await;
    assert_eq!(rounds[1]["round"], 2);
    assert_eq!(rounds[1]["started_on"], "2026-07-01");
    assert_eq!(rounds[1]["outcome"], "upheld");

    // The statistics count the reopenings by the day they were reopened,
    // with their reasons.
    let stats = get(
        &app,
        &manager,
        "/api/v1/statistics/complaints?year=2026&directorate=adults",
    )
    .await;
    assert_eq!(
        stats["reopenings"],
        json!({"reopened": 2, "reasons": [{"reason": "The family sent new evidence.", "count": 2}]})
    );
    let before = get(
        &app,
        &manager,
        "/api/v1/statistics/complaints?year=2025&directorate=adults",
    )
    .await;
    assert_eq!(before["reopenings"]["reopened"], 0);

    // Redacting the record redacts the reasons.
    app.post(&format!("/api/v1/feedback/{id}/redact"))
        .auth(&manager)
        .send()
        .await
        .assert_status(200);
    let rounds = get(&app, &worker, &format!("/api/v1/feedback/{id}/rounds")).await;
    assert_eq!(rounds[0]["reason"], "[redacted]");
}

#[actix_web::test]
async fn only_answered_records_are_reopened_and_only_after_their_answer() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let analyst = app.as_analyst("adults").await;
    let outsider = app.as_caseworker("children").await;
    let open = post(&app, &worker, "/api/v1/feedback", complaint("2026-06-01")).await;
    let reopen = |id: &Value, body: Value| {
        app.post(&format!("/api/v1/feedback/{id}/reopen"))
            .auth(&worker)
            .json(&body)
    };
    let reason = "New evidence.";
    reopen(
        &open["id"],
        json!({"reopened_on": "2026-07-01", "reason": reason}),
    )
    .send()
    .await
    .problem(409);
    let mut body = complaint("2026-06-01");
    body["responded_on"] = json!("2026-06-20");
    body["outcome"] = json!("not_upheld");
    let answered = post(&app, &worker, "/api/v1/feedback", body).await;
    let id = &answered["id"];
    let problem = reopen(id, json!({"reopened_on": "2026-06-10", "reason": reason}))
        .send()
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "reopened_on");
    let problem = reopen(id, json!({"reopened_on": "2099-01-01", "reason": " "}))
        .send()
        .await
        .problem(422);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    app.post(&format!("/api/v1/feedback/{id}/reopen"))
        .auth(&worker)
        .header("if-match", "\"7\"")
        .json(&json!({"reopened_on": "2026-07-01", "reason": reason}))
        .send()
        .await
        .problem(412);
    app.post(&format!("/api/v1/feedback/{id}/reopen"))
        .auth(&analyst)
        .json(&json!({"reopened_on": "2026-07-01", "reason": reason}))
        .send()
        .await
        .problem(403);
    app.post(&format!("/api/v1/feedback/{id}/reopen"))
        .auth(&outsider)
        .json(&json!({"reopened_on": "2026-07-01", "reason": reason}))
        .send()
        .await
        .problem(404);
    app.post(&format!("/api/v1/feedback/{id}/reopen"))
        .json(&json!({"reopened_on": "2026-07-01", "reason": reason}))
        .send()
        .await
        .problem(401);
    // The start of the round is not written by PATCH.
    let problem = app
        .patch(&format!("/api/v1/feedback/{id}"))
        .auth(&worker)
        .json(&json!({"reopened_on": "2026-07-01"}))
        .send()
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "reopened_on");
    assert_eq!(
        get(&app, &worker, &format!("/api/v1/feedback/{id}/rounds")).await,
        json!([])
    );
}

#[actix_web::test]
async fn a_reopened_rounds_extension_counts_from_the_reopening() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let mut body = complaint("2025-01-10");
    body["responded_on"] = json!("2025-02-20");
    body["outcome"] = json!("upheld");
    let id = post(&app, &worker, "/api/v1/feedback", body).await["id"]
        .as_i64()
        .unwrap();
    app.post(&format!("/api/v1/feedback/{id}/reopen"))
        .auth(&worker)
        .json(&json!({"reopened_on": "2025-11-03", "reason": "New evidence."}))
        .send()
        .await
        .assert_status(200);
    // A longer period agreed a week into the new round: long after six
    // months from the first receipt, well within six months of reopening.
    let res = app
        .patch(&format!("/api/v1/feedback/{id}"))
        .auth(&worker)
        .header("if-match", "\"2\"")
        .json(
            &json!({"extended_due_on": "2026-03-02", "extension_agreed_on": "2025-11-10",
                     "extension_reason": "Agreed with Mr Z."}),
        )
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.json()["timeliness"]["due_on"], "2026-03-02");
    // Agreed after the new round's six months: refused.
    let res = app
        .patch(&format!("/api/v1/feedback/{id}"))
        .auth(&worker)
        .header("if-match", "\"3\"")
        .json(&json!({"extension_agreed_on": "2026-05-20"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["extension_agreed_on"]);
}
