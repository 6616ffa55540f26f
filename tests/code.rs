//! The Complaint Handling Code: its measures on records built to fall on
//! each side of every boundary (with bank holidays inside the windows), the
//! fields they read, the self-assessment, the years' governance and the
//! annual report.

use serde_json::{json, Value};

use crate::common::{get, post, TestApp, TestUser};

/// The day every test here runs on.
const TODAY: &str = "2026-11-30";

async fn app() -> TestApp {
    TestApp::with_env(&[("REDRESS_TODAY", TODAY)]).await
}

/// A corporate complaint at `stage` of `directorate` received on
/// `received_on`, with `more` fields; its id.
async fn complaint(
    app: &TestApp,
    user: &TestUser,
    directorate: &str,
    received_on: &str,
    more: Value,
) -> i64 {
    let mut body = json!({"directorate": directorate, "kind": "complaint",
        "procedure": "corporate", "stage": 1, "received_on": received_on,
        "category": "Waste", "complainant": {"name": "Mr Z"}});
    for (key, value) in more.as_object().unwrap() {
        body[key] = value.clone();
    }
    post(app, user, "/api/v1/feedback", body).await["id"]
        .as_i64()
        .unwrap()
}

async fn patch(app: &TestApp, user: &TestUser, id: i64, body: Value) -> Value {
    let res = app
        .patch(&format!("/api/v1/feedback/{id}"))
        .auth(user)
        .json(&body)
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

async fn escalate(app: &TestApp, user: &TestUser, id: i64, received_on: &str) -> i64 {
    post(
        app,
        user,
        &format!("/api/v1/feedback/{id}/escalate"),
        json!({"received_on": received_on}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn assign(app: &TestApp, user: &TestUser, id: i64, handler: i64) {
    app.post(&format!("/api/v1/feedback/{id}/assign"))
        .auth(user)
        .json(&json!({"handler": handler}))
        .send()
        .await
        .assert_status(200);
}

fn rate(value: &Value) -> (i64, i64) {
    (
        value["numerator"].as_i64().unwrap(),
        value["denominator"].as_i64().unwrap(),
    )
}

/// The records of the measures test, in `corporate`; the 2026 bank
/// holidays inside their windows: Monday 4 May, Monday 25 May, Monday 31
/// August.
async fn code_year(app: &TestApp, manager: &TestUser) -> (i64, i64, i64) {
    let (x, y) = (
        app.as_caseworker("corporate").await,
        app.as_caseworker("corporate").await,
    );
    // Received Friday 1 May: the 5th working day is Monday 11 May (4 May
    // is a bank holiday), and 10 working days after that is Tuesday 26 May
    // (25 May is one too).
    let on_time = complaint(app, manager, "corporate", "2026-05-01",
        json!({"acknowledged_on": "2026-05-11", "responded_on": "2026-05-26", "outcome": "upheld",
            "remedies": [{"kind": "apology", "agreed_on": "2026-05-26", "due_on": "2026-06-01", "completed_on": "2026-06-03"}]})).await;
    // Acknowledged a day late (Tuesday 12 May); its response counts from
    // then: 10 working days is Wednesday 27 May.
    let late_ack = complaint(app, manager, "corporate", "2026-05-01",
        json!({"acknowledged_on": "2026-05-12", "responded_on": "2026-05-27", "outcome": "not_upheld"})).await;
    // Never acknowledged: the response counts from the acknowledgement's
    // due date (11 May), so 27 May is late.
    let unacknowledged = complaint(app, manager, "corporate", "2026-05-01",
        json!({"responded_on": "2026-05-27", "outcome": "not_upheld",
            "escalation_refused_on": "2026-06-01", "escalation_refusal_reason": "The response answered every point."})).await;
    // Late against 26 May, but by an extension within the Code's 10 more
    // working days (to 9 June), told to the complainant.
    complaint(app, manager, "corporate", "2026-05-01",
        json!({"acknowledged_on": "2026-05-11", "responded_on": "2026-05-27", "outcome": "not_upheld",
            "extended_due_on": "2026-06-05", "extension_reason": "Waiting for the contractor's records.",
            "extension_notified_on": "2026-05-20", "ombudsman_signposted": true})).await;
    // Extended to the Code's very limit, 9 June, without notice.
    complaint(app, manager, "corporate", "2026-05-01",
        json!({"acknowledged_on": "2026-05-11", "responded_on": "2026-06-09", "outcome": "not_upheld",
            "extended_due_on": "2026-06-09", "extension_reason": "Staff absence."})).await;
    // Refused: no clock, not in the timeliness measures.
    complaint(
        app,
        manager,
        "corporate",
        "2026-05-01",
        json!({"refused_on": "2026-05-05", "refusal_reason": "out_of_time",
            "refusal_details": "The matter arose in 2023.", "ombudsman_signposted": true}),
    )
    .await;
    // Stage 2 of the first, received Monday 1 June: acknowledged on its 5th
    // working day (8 June); due 20 working days later, 6 July; answered 7 July.
    assign(app, manager, on_time, x.id).await;
    let stage_2 = escalate(app, manager, on_time, "2026-06-01").await;
    patch(
        app,
        manager,
        stage_2,
        json!({"acknowledged_on": "2026-06-08", "responded_on": "2026-07-07",
        "outcome": "not_upheld", "category": "Waste"}),
    )
    .await;
    assign(app, manager, stage_2, x.id).await;
    // Stage 2 of the second, received Monday 10 August: acknowledged 17
    // August; 20 working days later is 15 September (31 August is a bank
    // holiday), and it was answered then: in time, in the second quarter.
    assign(app, manager, late_ack, x.id).await;
    let stage_2b = escalate(app, manager, late_ack, "2026-08-10").await;
    patch(
        app,
        manager,
        stage_2b,
        json!({"acknowledged_on": "2026-08-17", "responded_on": "2026-09-15",
        "outcome": "not_upheld", "category": "Waste"}),
    )
    .await;
    assign(app, manager, stage_2b, y.id).await;
    // An action of the first, due 1 July, never done.
    post(
        app,
        manager,
        "/api/v1/actions",
        json!({"directorate": "corporate", "feedback_id": on_time,
        "description": "Retrain the crew.", "due_on": "2026-07-01"}),
    )
    .await;
    // An informal complaint: a "stage 0" the Code does not allow.
    post(
        app,
        manager,
        "/api/v1/feedback",
        json!({"directorate": "corporate",
        "kind": "informal_complaint", "received_on": "2026-05-04"}),
    )
    .await;
    (on_time, unacknowledged, stage_2)
}

#[actix_web::test]
async fn the_code_measures_fall_on_each_side_of_every_boundary() {
    let app = app().await;
    let manager = app.as_manager("corporate").await;
    code_year(&app, &manager).await;
    let stats = get(
        &app,
        &manager,
        "/api/v1/statistics/code?year=2026&directorate=corporate",
    )
    .await;
    assert_eq!(stats["period"]["label"], "2026-27");
    assert_eq!(stats["procedures"], json!(["corporate"]));
    let m = &stats["measures"];
    let s1 = &m["stage_1"];
    assert_eq!(s1["received"], 6);
    // On time, late, never (overdue), on time, on time.
    assert_eq!(rate(&s1["acknowledged_in_time"]), (3, 5));
    // 26 May, and 27 May (from the late acknowledgement), in time; the
    // unacknowledged one's 27 May, and the two extended ones, not.
    assert_eq!(rate(&s1["responded_in_time"]), (2, 5));
    assert_eq!(rate(&s1["responded_in_time_with_extensions"]), (4, 5));
    assert_eq!(rate(&s1["extended"]), (2, 5));
    assert_eq!(rate(&s1["extended_beyond_limit"]), (0, 2));
    assert_eq!(rate(&s1["extended_without_reason"]), (0, 2));
    assert_eq!(rate(&s1["extended_without_notice"]), (1, 2));
    // Working days from receipt: 15, 16, 16, 16 and 25.
    assert_eq!(s1["working_days_to_respond"]["median"], 16.0);
    assert_eq!(s1["working_days_to_respond"]["mean"], 17.6);
    let s2 = &m["stage_2"];
    assert_eq!(s2["received"], 2);
    assert_eq!(rate(&s2["acknowledged_in_time"]), (2, 2));
    assert_eq!(rate(&s2["responded_in_time"]), (1, 2));
    assert_eq!(rate(&m["stage_2_by_stage_1_handler"]), (1, 2));
    assert_eq!(rate(&m["escalations_refused"]), (1, 3));
    assert_eq!(
        m["escalation_refusals"][0]["reason"],
        "The response answered every point."
    );
    assert_eq!(rate(&m["refused"]), (1, 6));
    assert_eq!(m["refusals_by_reason"]["out_of_time"], 1);
    assert_eq!(m["refusals_by_reason"]["legal_proceedings"], 0);
    assert_eq!(rate(&m["refusals_signposted"]), (1, 1));
    assert_eq!(m["informal_complaints"], 1);
    assert_eq!(m["remedies"]["late"], 1);
    assert_eq!(m["actions"]["overdue"], 1);
    assert_eq!(rate(&m["actions"]["late_rate"]), (1, 1));
    // By quarter: stage 2's second complaint in July to September.
    let quarters = stats["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), 4);
    assert_eq!(quarters[0]["measures"]["stage_1"]["received"], 6);
    assert_eq!(quarters[0]["measures"]["stage_2"]["received"], 1);
    assert_eq!(quarters[1]["measures"]["stage_2"]["received"], 1);
    assert_eq!(
        rate(&quarters[1]["measures"]["stage_2"]["responded_in_time"]),
        (1, 1)
    );
    assert_eq!(quarters[1]["period"]["from"], "2026-07-01");

    // An analyst sees the figures, not the free-text reasons.
    let analyst = app.as_analyst("corporate").await;
    let seen = get(
        &app,
        &analyst,
        "/api/v1/statistics/code?year=2026&directorate=corporate",
    )
    .await;
    assert_eq!(
        rate(&seen["measures"]["stage_1"]["acknowledged_in_time"]),
        (3, 5)
    );
    assert_eq!(
        seen["measures"]["escalation_refusals"][0]["reason"],
        Value::Null
    );
    // CSV, another directorate (403), a bad year (422), no token (401).
    let csv = app
        .get("/api/v1/statistics/code?year=2026&directorate=corporate")
        .auth(&manager)
        .header("accept", "text/csv")
        .send()
        .await;
    csv.assert_status(200);
    assert!(csv
        .text()
        .contains("Measures: stage 1: acknowledged in time: numerator"));
    app.get("/api/v1/statistics/code?directorate=adults")
        .auth(&manager)
        .send()
        .await
        .problem(403);
    let bad = app
        .get("/api/v1/statistics/code?year=1999")
        .auth(&manager)
        .send()
        .await;
    assert_eq!(bad.invalid_fields(), vec!["year"]);
    app.get("/api/v1/statistics/code").send().await.problem(401);
    // A procedure the council does not mark is not measured.
    let admin = app.as_admin().await;
    let adults = complaint(&app, &admin, "adults", "2026-05-01", json!({})).await;
    patch(
        &app,
        &admin,
        adults,
        json!({"procedure": "statutory_children"}),
    )
    .await;
    let all = get(&app, &admin, "/api/v1/statistics/code?year=2026").await;
    assert_eq!(all["measures"]["stage_1"]["received"], 6);
    // Until the council marks it as governed by the Code.
    let mut settings = get(&app, &admin, "/api/v1/settings").await;
    settings["code_procedures"] = json!(["corporate", "statutory_children"]);
    app.put("/api/v1/settings")
        .auth(&admin)
        .json(&settings)
        .send()
        .await
        .assert_status(200);
    let all = get(&app, &admin, "/api/v1/statistics/code?year=2026").await;
    assert_eq!(
        all["procedures"],
        json!(["statutory_children", "corporate"])
    );
    assert_eq!(all["measures"]["stage_1"]["received"], 7);
    // A settings change that leaves the list out keeps it.
    settings.as_object_mut().unwrap().remove("code_procedures");
    let kept = app
        .put("/api/v1/settings")
        .auth(&admin)
        .json(&settings)
        .send()
        .await;
    assert_eq!(
        kept.json()["code_procedures"],
        json!(["statutory_children", "corporate"])
    );
}

#[actix_web::test]
async fn service_requests_refusals_and_adjustments_are_recorded_and_checked() {
    let app = app().await;
    let manager = app.as_manager("children").await;
    let first = post(
        &app,
        &manager,
        "/api/v1/feedback",
        json!({"directorate": "children",
        "kind": "service_request", "received_on": "2026-06-01"}),
    )
    .await;
    post(
        &app,
        &manager,
        "/api/v1/feedback",
        json!({"directorate": "children",
        "kind": "service_request", "received_on": "2026-06-02"}),
    )
    .await;
    // A repeat of the request is a complaint: escalating starts one.
    let became = post(
        &app,
        &manager,
        &format!("/api/v1/feedback/{}/escalate", first["id"]),
        json!({"received_on": "2026-06-15", "procedure": "corporate"}),
    )
    .await;
    assert_eq!(became["kind"], "complaint");
    assert_eq!(became["stage"], 1);
    assert_eq!(became["parent_id"], first["id"]);
    let stats = get(
        &app,
        &manager,
        "/api/v1/statistics/code?year=2026&directorate=children",
    )
    .await;
    assert_eq!(stats["measures"]["service_requests"], 2);
    assert_eq!(
        rate(&stats["measures"]["service_requests_became_complaints"]),
        (1, 2)
    );

    // The fields are checked together.
    let base = json!({"directorate": "children", "kind": "complaint", "procedure": "corporate",
        "stage": 1, "received_on": "2026-06-01"});
    let with = |more: Value| {
        let mut body = base.clone();
        for (k, v) in more.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, fields) in [
        (
            with(json!({"refused_on": "2026-06-02"})),
            vec!["refusal_reason"],
        ),
        (
            with(json!({"refusal_reason": "other"})),
            vec!["refusal_details", "refusal_reason"],
        ),
        (
            with(json!({"refused_on": "2026-06-02", "refusal_reason": "other"})),
            vec!["refusal_details"],
        ),
        (
            with(
                json!({"refused_on": "2026-06-02", "refusal_reason": "legal_proceedings",
            "responded_on": "2026-06-03", "outcome": "upheld", "category": "X"}),
            ),
            vec!["refused_on"],
        ),
        (
            with(json!({"escalation_refused_on": "2026-06-02"})),
            vec!["escalation_refusal_reason"],
        ),
        (
            with(json!({"adjustments_review_on": "2026-07-01"})),
            vec!["adjustments_review_on"],
        ),
        (
            with(json!({"extension_notified_on": "2026-06-02"})),
            vec!["extension_notified_on"],
        ),
        (
            with(json!({"refused_on": "2027-01-01", "refusal_reason": "out_of_time"})),
            vec!["refused_on"],
        ),
        (
            with(json!({"refusal_reason": "not_a_reason"})),
            vec!["refusal_reason"],
        ),
        (
            json!({"directorate": "children", "kind": "enquiry", "received_on": "2026-06-01",
            "refused_on": "2026-06-02", "refusal_reason": "out_of_time"}),
            vec!["refused_on"],
        ),
    ] {
        let res = app
            .post("/api/v1/feedback")
            .auth(&manager)
            .json(&body)
            .send()
            .await;
        let mut got = res.invalid_fields();
        got.sort();
        assert_eq!(got, fields, "{body}");
    }
    // Reasonable adjustments: personal data, hidden from analysts, redacted.
    let record = post(&app, &manager, "/api/v1/feedback", with(json!({
        "reasonable_adjustments": "Large print; calls after 2pm.", "adjustments_review_on": "2026-12-01",
        "refused_on": "2026-06-03", "refusal_reason": "already_considered", "ombudsman_signposted": true}))).await;
    assert_eq!(
        record["reasonable_adjustments"],
        "Large print; calls after 2pm."
    );
    // A refused complaint has no clock: it is never overdue.
    assert_eq!(record["timeliness"]["due_on"], Value::Null);
    assert_eq!(record["timeliness"]["overdue"], Value::Null);
    let analyst = app.as_analyst("children").await;
    let seen = get(
        &app,
        &analyst,
        &format!("/api/v1/feedback/{}", record["id"]),
    )
    .await;
    assert_eq!(seen["reasonable_adjustments"], Value::Null);
    assert_eq!(seen["refusal_reason"], "already_considered");
    let redacted = app
        .post(&format!("/api/v1/feedback/{}/redact", record["id"]))
        .auth(&manager)
        .send()
        .await;
    redacted.assert_status(200);
    assert_eq!(redacted.json()["reasonable_adjustments"], "[redacted]");
}

#[actix_web::test]
async fn the_overdue_report_flags_code_breaches_in_the_coming_week() {
    let app = app().await;
    let manager = app.as_manager("children").await;
    // Received Wednesday 25 November: acknowledgement due Wednesday 2
    // December, in the coming week; its response, 16 December, is not.
    let soon = complaint(&app, &manager, "children", "2026-11-25", json!({})).await;
    // Acknowledged on time: its response is due 10 working days after.
    complaint(
        &app,
        &manager,
        "children",
        "2026-11-02",
        json!({"acknowledged_on": "2026-11-20"}),
    )
    .await;
    // Refused: nothing due.
    complaint(
        &app,
        &manager,
        "children",
        "2026-11-25",
        json!({"refused_on": "2026-11-26", "refusal_reason": "insurance_claim"}),
    )
    .await;
    let report = get(&app, &manager, "/api/v1/statistics/overdue").await;
    let breaches = report["code_breaches"].as_array().unwrap();
    assert_eq!(breaches.len(), 2, "{breaches:?}");
    assert_eq!(breaches[0]["id"], soon);
    assert_eq!(breaches[0]["milestone"], "acknowledgement");
    assert_eq!(breaches[0]["due_on"], "2026-12-02");
    // 20 November + 10 working days = Friday 4 December.
    assert_eq!(breaches[1]["milestone"], "response");
    assert_eq!(breaches[1]["due_on"], "2026-12-04");
    // Reasonable adjustments due for review in the coming week, or before.
    let due = complaint(&app, &manager, "children", "2026-11-02",
        json!({"reasonable_adjustments": "Calls after 2pm.", "adjustments_review_on": "2026-12-03"})).await;
    complaint(
        &app,
        &manager,
        "children",
        "2026-11-02",
        json!({"reasonable_adjustments": "Large print.", "adjustments_review_on": "2027-01-15"}),
    )
    .await;
    let report = get(&app, &manager, "/api/v1/statistics/overdue").await;
    let reviews = report["adjustments_due"].as_array().unwrap();
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(reviews[0]["id"], due);
    assert_eq!(reviews[0]["review_on"], "2026-12-03");
    assert!(reviews[0].get("reasonable_adjustments").is_none());
}

/// Every section answered `answer`.
fn answered(answer: &str) -> Value {
    let keys = [
        "definitions",
        "exclusions",
        "accessibility",
        "complaint_handling_staff",
        "handling_process",
        "stage_1",
        "stage_2",
        "putting_things_right",
        "reporting",
        "learning",
    ];
    Value::Array(
        keys.iter()
            .map(|k| json!({"key": k, "complies": answer, "evidence": "Our records."}))
            .collect(),
    )
}

#[actix_web::test]
async fn a_self_assessment_is_flagged_where_its_yes_contradicts_the_figures_and_frozen_once_approved(
) {
    let app = app().await;
    let manager = app.as_manager("corporate").await;
    code_year(&app, &manager).await;
    let res = app
        .post("/api/v1/code-assessments")
        .auth(&manager)
        .json(&json!({"year": 2026, "sections": answered("yes")}))
        .send()
        .await;
    res.assert_status(201);
    let id = res.json()["id"].as_i64().unwrap();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/code-assessments/{id}").as_str())
    );
    let a = res.json();
    assert_eq!(a["status"], "draft");
    assert_eq!(
        a["title"],
        "Complaint Handling Code self-assessment 2026-27"
    );
    assert_eq!(a["sections"].as_array().unwrap().len(), 10);
    let section = |a: &Value, key: &str| {
        a["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap()
            .clone()
    };
    // Stage 1: 60% acknowledged in time against 90%: the "yes" is flagged.
    let stage_1 = section(&a, "stage_1");
    assert_eq!(stage_1["flagged"], true);
    assert!(stage_1["statement"]
        .as_str()
        .unwrap()
        .starts_with("We acknowledge"));
    let ack = stage_1["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["measure"] == "stage_1.acknowledged_in_time")
        .unwrap()
        .clone();
    assert_eq!(ack["meets"], false);
    assert_eq!(ack["expected"], "at least 90%");
    // Stage 2: the same handler at both stages contradicts it too.
    assert_eq!(section(&a, "stage_2")["flagged"], true);
    // The informal complaint contradicts "no stage 0".
    assert_eq!(section(&a, "definitions")["flagged"], true);
    // Nothing to measure: not flagged.
    assert_eq!(section(&a, "complaint_handling_staff")["flagged"], false);
    assert!(a["flagged"].as_i64().unwrap() >= 3);
    // "No" is never flagged; a lower threshold un-flags what then meets it.
    let res = app
        .patch(&format!("/api/v1/code-assessments/{id}"))
        .auth(&manager)
        .header("if-match", "\"1\"")
        .json(&json!({"compliance_threshold_percent": 60,
            "sections": [{"key": "stage_2", "complies": "no", "planned_action": "A separate stage 2 team.",
                "action_due_on": "2027-01-31"}]}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let a = res.json();
    assert_eq!(section(&a, "stage_2")["flagged"], false);
    assert_eq!(
        section(&a, "stage_2")["planned_action"],
        "A separate stage 2 team."
    );
    // At 60%, stage 1 still has an extension without notice.
    assert_eq!(section(&a, "stage_1")["flagged"], true);
    // Stale, bad and unknown changes.
    app.patch(&format!("/api/v1/code-assessments/{id}"))
        .auth(&manager)
        .header("if-match", "\"1\"")
        .json(&json!({"title": "T"}))
        .send()
        .await
        .problem(412);
    for (body, field) in [
        (
            json!({"compliance_threshold_percent": 101}),
            "compliance_threshold_percent",
        ),
        (json!({"sections": [{"key": "stage_9"}]}), "sections[0].key"),
        (
            json!({"sections": [{"key": "stage_1", "complies": "maybe"}]}),
            "sections[0].section",
        ),
        (
            json!({"sections": [{"key": "stage_1", "title": "Mine"}]}),
            "sections[0].title",
        ),
        (
            json!({"sections": [{"key": "stage_1", "statement": " "}]}),
            "sections[0].statement",
        ),
    ] {
        let res = app
            .patch(&format!("/api/v1/code-assessments/{id}"))
            .auth(&manager)
            .json(&body)
            .send()
            .await;
        assert_eq!(res.invalid_fields(), vec![field], "{body}");
    }
    // Approval needs every section answered.
    let draft = post(
        &app,
        &manager,
        "/api/v1/code-assessments",
        json!({"year": 2026, "occasion": "restructure", "title": "After the restructure"}),
    )
    .await;
    let res = app
        .post(&format!("/api/v1/code-assessments/{}/approve", draft["id"]))
        .auth(&manager)
        .send()
        .await;
    assert_eq!(res.invalid_fields().len(), 10);
    app.delete(&format!("/api/v1/code-assessments/{}", draft["id"]))
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    app.get(&format!("/api/v1/code-assessments/{}", draft["id"]))
        .auth(&manager)
        .send()
        .await
        .problem(404);
    // Approved: who and when, then frozen.
    let res = app
        .post(&format!("/api/v1/code-assessments/{id}/approve"))
        .auth(&manager)
        .send()
        .await;
    res.assert_status(200);
    let approved = res.json();
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_by"], manager.username.as_str());
    assert!(approved["approved_at"].is_string());
    let frozen = app
        .patch(&format!("/api/v1/code-assessments/{id}"))
        .auth(&manager)
        .json(&json!({"title": "Changed"}))
        .send()
        .await
        .problem(409);
    assert!(frozen["detail"].as_str().unwrap().contains("revise"));
    app.post(&format!("/api/v1/code-assessments/{id}/approve"))
        .auth(&manager)
        .send()
        .await
        .problem(409);
    app.delete(&format!("/api/v1/code-assessments/{id}"))
        .auth(&manager)
        .send()
        .await
        .problem(409);
    // A revision is a new draft that supersedes it.
    let res = app
        .post(&format!("/api/v1/code-assessments/{id}/revise"))
        .auth(&manager)
        .send()
        .await;
    res.assert_status(201);
    let revision = res.json();
    assert_eq!(revision["revision"], 2);
    assert_eq!(revision["supersedes_id"], id);
    assert_eq!(revision["status"], "draft");
    assert_eq!(section(&revision, "stage_2")["complies"], "no");
    let old = get(&app, &manager, &format!("/api/v1/code-assessments/{id}")).await;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by_id"], revision["id"]);
    app.post(&format!("/api/v1/code-assessments/{id}/revise"))
        .auth(&manager)
        .send()
        .await
        .problem(409);
    app.post(&format!(
        "/api/v1/code-assessments/{}/revise",
        revision["id"]
    ))
    .auth(&manager)
    .send()
    .await
    .problem(409);
    // The list, by year; who may read and write.
    let list = get(&app, &manager, "/api/v1/code-assessments?year=2026").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["revision"], 2);
    assert_eq!(
        get(&app, &manager, "/api/v1/code-assessments?year=2025").await,
        json!([])
    );
    let analyst = app.as_analyst("corporate").await;
    get(&app, &analyst, &format!("/api/v1/code-assessments/{id}")).await;
    app.post("/api/v1/code-assessments")
        .auth(&analyst)
        .json(&json!({"year": 2026}))
        .send()
        .await
        .problem(403);
    let caseworker = app.as_caseworker("corporate").await;
    app.get("/api/v1/code-assessments")
        .auth(&caseworker)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/code-assessments")
        .send()
        .await
        .problem(401);
    app.get("/api/v1/code-assessments/999999")
        .auth(&manager)
        .send()
        .await
        .problem(404);
    // Every change is audited.
    let history = app.table_text("audit_log").await;
    assert!(history
        .iter()
        .any(|line| line.contains("code_assessment") && line.contains("approve")));
}

#[actix_web::test]
async fn a_years_report_goes_through_governance_and_prints() {
    let app = app().await;
    let manager = app.as_manager("corporate").await;
    code_year(&app, &manager).await;
    let years = get(&app, &manager, "/api/v1/code-years").await;
    assert_eq!(years[0]["year"], 2026);
    assert_eq!(
        years[0]["outstanding"],
        json!([
            "self_assessment",
            "ombudsman_letter",
            "presentation",
            "response",
            "publication"
        ])
    );
    assert_eq!(years[0]["version"], 0);
    // The Ombudsman's annual letter goes in as a document of the year.
    let letter = crate::documents::upload(
        &app,
        &manager,
        "/api/v1/code-years/2026/documents",
        &[
            crate::documents::text("kind", "ombudsman_annual_letter"),
            crate::documents::text("title", "LGSCO annual letter 2026-27"),
            crate::documents::file("letter.txt", "text/plain", b"Dear Chief Executive"),
        ],
    )
    .await;
    letter.assert_status(201);
    let letter = letter.json();
    assert_eq!(letter["directorate"], Value::Null);
    let caseworker = app.as_caseworker("adults").await;
    let download = app
        .get(letter["href"].as_str().unwrap())
        .auth(&caseworker)
        .send()
        .await;
    download.assert_status(200);
    assert_eq!(download.text(), "Dear Chief Executive");
    let listed = get(&app, &manager, "/api/v1/code-years/2026/documents").await;
    assert_eq!(listed["total"], 1);
    // Governance: checked, then recorded with If-Match.
    for (body, field) in [
        (json!({"presented_on": "2026-11-10"}), "body"),
        (json!({"response": "Noted."}), "response"),
        (
            json!({"presented_on": "2026-11-10", "body": "Audit Committee", "published_on": "2026-11-01"}),
            "published_on",
        ),
        (json!({"published_on": "2027-01-01"}), "published_on"),
    ] {
        let res = app
            .put("/api/v1/code-years/2026")
            .auth(&manager)
            .json(&body)
            .send()
            .await;
        assert_eq!(res.invalid_fields(), vec![field], "{body}");
    }
    let res = app
        .put("/api/v1/code-years/2026")
        .auth(&manager)
        .header("if-match", "\"0\"")
        .json(
            &json!({"presented_on": "2026-11-10", "body": "Audit and Governance Committee",
            "response": "The committee noted the report and asked for a stage 2 team."}),
        )
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(
        res.json()["outstanding"],
        json!(["self_assessment", "publication"])
    );
    app.put("/api/v1/code-years/2026")
        .auth(&manager)
        .header("if-match", "\"0\"")
        .json(&json!({}))
        .send()
        .await
        .problem(412);
    app.put("/api/v1/code-years/2026")
        .auth(&caseworker)
        .json(&json!({}))
        .send()
        .await
        .problem(403);
    app.get("/api/v1/code-years/1999")
        .auth(&manager)
        .send()
        .await
        .problem(404);
    // A caseworker may not delete the year's letter; a manager may.
    app.delete(letter["href"].as_str().unwrap())
        .auth(&caseworker)
        .send()
        .await
        .problem(403);

    // The report, in each format.
    post(
        &app,
        &manager,
        "/api/v1/code-assessments",
        json!({"year": 2026, "sections": answered("yes")}),
    )
    .await;
    let html = app
        .get("/api/v1/reports/code-annual?year=2026")
        .auth(&manager)
        .header("accept", "text/html")
        .send()
        .await;
    html.assert_status(200);
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let page = html.text();
    for text in [
        "Annual Complaints Performance and Service Improvement Report 2026-27",
        "Self-assessment against the Complaint Handling Code",
        "Flagged: the figures disagree",
        "Audit and Governance Committee",
        "Made more than 12 months after the matter",
        "Non-compliance found by the Ombudsman",
        "LGSCO annual letter 2026-27",
        "Timeliness by quarter",
        "2025-26",
    ] {
        assert!(page.contains(text), "the report lacks {text}");
    }
    let report = get(
        &app,
        &manager,
        // JSON for no `Accept`, as every `/api/v1/` path answers.
        "/api/v1/reports/code-annual?year=2026",
    )
    .await;
    assert_eq!(report["measures"]["measures"]["stage_1"]["received"], 6);
    assert_eq!(report["previous"]["period"]["label"], "2025-26");
    assert_eq!(report["assessment"]["status"], "draft");
    assert_eq!(
        report["governance"]["body"],
        "Audit and Governance Committee"
    );
    let csv = app
        .get("/api/v1/reports/code-annual?year=2026")
        .auth(&manager)
        .header("accept", "text/csv")
        .send()
        .await;
    csv.assert_status(200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.text().contains("This year: stage 1: received"));
    let pdf = app
        .get("/api/v1/reports/code-annual?year=2026&format=pdf")
        .auth(&manager)
        .send()
        .await;
    if redress::reports::pdf::chromium().is_some() {
        pdf.assert_status(200);
        assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    } else {
        pdf.problem(406);
    }
    app.get("/api/v1/reports/code-annual")
        .auth(&caseworker)
        .send()
        .await
        .problem(403);
}

#[actix_web::test]
async fn the_demo_data_has_a_code_year_with_a_self_assessment() {
    let app = TestApp::new().await;
    crate::reports::load_demo(&app).await;
    let admin = app.as_admin().await;
    let years = get(&app, &admin, "/api/v1/code-years").await;
    let first = years
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2026)
        .unwrap()
        .clone();
    assert_eq!(first["assessment_status"], "approved");
    let stats = get(
        &app,
        &admin,
        "/api/v1/statistics/code?year=2026&directorate=corporate",
    )
    .await;
    let m = &stats["measures"];
    assert_eq!(m["service_requests"], 30);
    assert!(
        m["service_requests_became_complaints"]["numerator"]
            .as_i64()
            .unwrap()
            >= 1
    );
    assert_eq!(m["refused"]["numerator"], 5);
    assert_eq!(rate(&m["refusals_signposted"]), (4, 5));
    assert!(m["stage_1"]["received"].as_i64().unwrap() > 50);
    let page = app
        .get("/api/v1/reports/code-annual?year=2026")
        .auth(&admin)
        .header("accept", "text/html")
        .send()
        .await;
    page.assert_status(200);
    assert!(page.text().contains("Approved by demo"));
}
