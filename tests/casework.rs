//! Casework: handlers and investigators, the contact log, and the queue.

use serde_json::{json, Value};

use crate::common::{get, post, TestApp, TestUser};

/// An enquiry of `directorate` received on `received_on`.
async fn enquiry(app: &TestApp, user: &TestUser, directorate: &str, received_on: &str) -> i64 {
    post(
        app,
        user,
        "/api/v1/feedback",
        json!({
        "directorate": directorate, "kind": "enquiry", "received_on": received_on,
        "complainant": {"name": "Mrs Y"}}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// The audit log's entries about the contact entry `id` (the log has no
/// endpoint of its own for contacts: they are read here from the database).
async fn contact_history(app: &TestApp, id: i64) -> Value {
    let paging = redress::db::page::Paging {
        limit: 100,
        offset: 0,
        sort: Vec::new(),
        updated_since: None,
    };
    let page = app
        .state
        .db
        .run(move |conn| redress::audit::history(conn, "contact", &id.to_string(), &paging, &[]))
        .await
        .unwrap();
    serde_json::to_value(page).unwrap()
}

fn assign(handler: i64) -> Value {
    json!({"handler": handler, "note": "Sam is on leave"})
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn records_are_assigned_to_a_handler_of_their_directorate_with_history() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let other = app.as_caseworker("children").await;
    let analyst = app.as_analyst("adults").await;
    let id = enquiry(&app, &manager, "adults", "2026-11-02").await;
    let path = format!("/api/v1/feedback/{id}/assign");

    let res = app
        .post(&path)
        .auth(&manager)
        .json(&assign(worker.id))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let record = res.json();
    assert_eq!(record["handler_id"], worker.id);
    assert_eq!(record["investigator_id"], Value::Null);
    // An external independent investigator, by name.
    let record = app
        .post(&path)
        .auth(&manager)
        .header("if-match", "\"2\"")
        .json(&json!({"handler": worker.id, "investigator": "Jo Bloggs (independent)"}))
        .send()
        .await
        .json();
    assert_eq!(record["investigator_name"], "Jo Bloggs (independent)");
    let history = get(&app, &manager, &format!("/api/v1/feedback/{id}/history")).await;
    let assigns: Vec<&Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "assign")
        .collect();
    assert_eq!(assigns.len(), 2);
    assert_eq!(assigns[0]["changes"]["handler_id"]["to"], worker.id);
    assert_eq!(assigns[0]["changes"]["note"]["to"], "Sam is on leave");

    // Another directorate's caseworker, an analyst, a deactivated user, no
    // one: 422 naming the field.
    for (handler, why) in [
        (other.id, "directorate"),
        (analyst.id, "analyst"),
        (999_999, "no such user"),
    ] {
        let problem = app
            .post(&path)
            .auth(&manager)
            .json(&assign(handler))
            .send()
            .await
            .problem(422);
        let message = problem["errors"][0]["message"].as_str().unwrap_or("");
        assert_eq!(problem["errors"][0]["field"], "handler");
        assert!(message.contains(why), "{message}");
    }
    let problem = app
        .post(&path)
        .auth(&manager)
        .json(&json!({"handler": worker.id, "investigator": other.id}))
        .send()
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "investigator");
    app.post(&path)
        .auth(&manager)
        .json(&json!({"handler": worker.id, "investigator": "  "}))
        .send()
        .await
        .problem(422);
    // A stale If-Match: 412. Analysts may not assign: 403. Another
    // directorate's user cannot see it: 404. No token: 401.
    app.post(&path)
        .auth(&manager)
        .header("if-match", "\"1\"")
        .json(&assign(worker.id))
        .send()
        .await
        .problem(412);
    app.post(&path)
        .auth(&analyst)
        .json(&assign(worker.id))
        .send()
        .await
        .problem(403);
    app.post(&path)
        .auth(&other)
        .json(&assign(other.id))
        .send()
        .await
        .problem(404);
    app.post(&path)
        .json(&assign(worker.id))
        .send()
        .await
        .problem(401);
    app.post("/api/v1/feedback/999999/assign")
        .auth(&manager)
        .json(&assign(worker.id))
        .send()
        .await
        .problem(404);
    // The handler is not written by PATCH.
    let problem = app
        .patch(&format!("/api/v1/feedback/{id}"))
        .auth(&manager)
        .json(&json!({"handler_id": other.id}))
        .send()
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "handler_id");

    // Lists filter on the handler.
    let unassigned = enquiry(&app, &manager, "adults", "2026-11-03").await;
    let mine = get(&app, &worker, "/api/v1/feedback?handler=me").await;
    assert_eq!(ids(&mine), [id]);
    let by_id = get(
        &app,
        &manager,
        &format!("/api/v1/feedback?handler={}", worker.id),
    )
    .await;
    assert_eq!(ids(&by_id), [id]);
    let none = get(&app, &manager, "/api/v1/feedback?handler=none").await;
    assert_eq!(ids(&none), [unassigned]);
    let problem = app
        .get("/api/v1/feedback?handler=someone")
        .auth(&manager)
        .send()
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "handler");
}

#[actix_web::test]
async fn the_queue_lists_the_callers_work_most_urgent_first() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let admin = app.as_admin().await;
    // Three enquiries (10 working days each), received on different days,
    // assigned in no particular order; one answered, which leaves the queue.
    let middle = enquiry(&app, &manager, "adults", "2026-11-16").await;
    let late = enquiry(&app, &manager, "adults", "2026-10-01").await;
    let fresh = enquiry(&app, &manager, "adults", "2026-11-27").await;
    let answered = enquiry(&app, &manager, "adults", "2026-10-02").await;
    for id in [middle, late, fresh, answered] {
        app.post(&format!("/api/v1/feedback/{id}/assign"))
            .auth(&manager)
            .json(&assign(worker.id))
            .send()
            .await
            .assert_status(200);
    }
    app.patch(&format!("/api/v1/feedback/{answered}"))
        .auth(&worker)
        .json(&json!({"responded_on": "2026-10-10"}))
        .send()
        .await
        .assert_status(200);
    // An Ombudsman case with an information request due.
    let case = post(
        &app,
        &manager,
        "/api/v1/ombudsman-cases",
        json!({
        "reference": "26 001 001", "directorate": "adults", "received_on": "2026-11-02",
        "information_requests": [{"requested_on": "2026-11-02", "due_on": "2026-11-20"}]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    app.post(&format!("/api/v1/ombudsman-cases/{case}/assign"))
        .auth(&manager)
        .json(&assign(worker.id))
        .send()
        .await
        .assert_status(200);

    let queue = get(&app, &worker, "/api/v1/me/work").await;
    let items = queue["items"].as_array().unwrap();
    let order: Vec<(String, i64)> = items
        .iter()
        .map(|i| {
            (
                i["entity"].as_str().unwrap().to_string(),
                i["id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("feedback".to_string(), late),
            ("ombudsman_case".to_string(), case),
            ("feedback".to_string(), middle),
            ("feedback".to_string(), fresh),
        ]
    );
    let dates: Vec<&str> = items
        .iter()
        .map(|i| i["due_on"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "by due date");
    assert_eq!(items[0]["overdue"], true);
    assert_eq!(items[0]["next_milestone"], "response");
    assert_eq!(items[1]["next_milestone"], "information_request");
    assert_eq!(items[1]["due_on"], "2026-11-20");
    assert_eq!(items[3]["overdue"], false);
    assert_eq!(queue["unattended"], json!([]));
    // Another caseworker's queue is empty.
    let someone = app.as_caseworker("adults").await;
    assert_eq!(
        get(&app, &someone, "/api/v1/me/work").await["items"],
        json!([])
    );

    // The handler is deactivated: the manager's queue flags their open
    // records and cases, to reassign.
    assert_eq!(
        get(&app, &manager, "/api/v1/me/work").await["unattended"],
        json!([])
    );
    app.patch(&format!("/api/v1/users/{}", worker.id))
        .auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .assert_status(200);
    let flagged = get(&app, &manager, "/api/v1/me/work").await;
    let unattended: Vec<i64> = flagged["unattended"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(unattended, [late, case, middle, fresh]);
    // Another directorate's manager sees none of them.
    let elsewhere = app.as_manager("children").await;
    assert_eq!(
        get(&app, &elsewhere, "/api/v1/me/work").await["unattended"],
        json!([])
    );
    // Analysts have no queue.
    let analyst = app.as_analyst("adults").await;
    app.get("/api/v1/me/work")
        .auth(&analyst)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/me/work").send().await.problem(401);
}

#[actix_web::test]
async fn the_breach_report_names_and_groups_by_handler() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let mine = enquiry(&app, &manager, "adults", "2026-10-01").await;
    let nobodys = enquiry(&app, &manager, "adults", "2026-10-02").await;
    app.post(&format!("/api/v1/feedback/{mine}/assign"))
        .auth(&manager)
        .json(&assign(worker.id))
        .send()
        .await
        .assert_status(200);
    let report = get(
        &app,
        &manager,
        "/api/v1/statistics/overdue?directorate=adults&group_by=handler",
    )
    .await;
    assert_eq!(report["items"][0]["id"], mine);
    assert_eq!(report["items"][0]["handler_id"], worker.id);
    assert!(report["items"][0]["handler_name"].is_string());
    assert_eq!(report["items"][1]["id"], nobodys);
    assert_eq!(report["items"][1]["handler_id"], Value::Null);
    let groups = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert!(groups
        .iter()
        .all(|g| g["records"] == 1 && g["overdue"] == 1));
    let only = get(
        &app,
        &manager,
        &format!("/api/v1/statistics/overdue?handler={}", worker.id),
    )
    .await;
    assert_eq!(only["total"], 1);
    let none = get(&app, &manager, "/api/v1/statistics/overdue?handler=none").await;
    assert_eq!(none["items"][0]["id"], nobodys);
    app.get("/api/v1/statistics/overdue?group_by=team")
        .auth(&manager)
        .send()
        .await
        .problem(422);
}

#[actix_web::test]
async fn the_contact_log_is_personal_data_redacted_and_erased_with_the_record() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let analyst = app.as_analyst("adults").await;
    let other = app.as_caseworker("children").await;
    let id = enquiry(&app, &worker, "adults", "2026-11-02").await;
    let path = format!("/api/v1/feedback/{id}/contacts");
    let entry = |at: &str, summary: &str| {
        json!({"occurred_at": at, "direction": "out", "channel": "phone", "with": "complainant",
               "summary": summary})
    };
    let first = post(
        &app,
        &worker,
        &path,
        entry(
            "2026-11-03T10:00:00Z",
            "Told Mrs Y the meeting is on Tuesday.",
        ),
    )
    .await;
    assert_eq!(first["with"], "complainant");
    assert_eq!(first["created_by"], worker.username);
    post(
        &app,
        &worker,
        &path,
        entry("2026-11-05T09:30:00Z", "Sent the response letter."),
    )
    .await;
    let listed = get(&app, &worker, &path).await;
    assert_eq!(listed["total"], 2);
    assert_eq!(
        listed["items"][0]["summary"], "Sent the response letter.",
        "newest first"
    );
    // Each entry is audited.
    let first_id = first["id"].as_i64().unwrap();
    let audit = contact_history(&app, first_id).await;
    assert_eq!(audit["items"][0]["action"], "create");
    assert!(audit.to_string().contains("Mrs Y"));

    // Analysts see none; another directorate cannot find the record; bad
    // entries are 422.
    app.get(&path).auth(&analyst).send().await.problem(403);
    app.post(&path)
        .auth(&analyst)
        .json(&entry("2026-11-03T10:00:00Z", "x"))
        .send()
        .await
        .problem(403);
    app.get(&path).auth(&other).send().await.problem(404);
    app.get("/api/v1/feedback/999999/contacts")
        .auth(&worker)
        .send()
        .await
        .problem(404);
    let problem = app
        .post(&path)
        .auth(&worker)
        .json(
            &json!({"occurred_at": "2099-01-01T00:00:00Z", "direction": "sideways",
                      "channel": "phone", "with": "complainant", "summary": " "}),
        )
        .send()
        .await
        .problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"direction"), "{fields:?}");

    // Redacting the record redacts its contacts and their history.
    app.post(&format!("/api/v1/feedback/{id}/redact"))
        .auth(&manager)
        .send()
        .await
        .assert_status(200);
    let redacted = get(&app, &worker, &path).await;
    assert!(redacted["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["summary"] == "[redacted]" && c["redacted_at"].is_string()));
    let audit = contact_history(&app, first_id).await;
    assert!(!audit.to_string().contains("Mrs Y"), "{audit}");

    // Erasing a record deletes its contacts.
    let case = post(
        &app,
        &manager,
        "/api/v1/ombudsman-cases",
        json!({
        "reference": "26 002 002", "directorate": "adults", "received_on": "2026-11-02"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let case_path = format!("/api/v1/ombudsman-cases/{case}/contacts");
    post(
        &app,
        &manager,
        &case_path,
        json!({"occurred_at": "2026-11-04T12:00:00Z", "direction": "in",
        "channel": "email", "with": "ombudsman", "summary": "The Ombudsman asked for the file."}),
    )
    .await;
    assert_eq!(get(&app, &manager, &case_path).await["total"], 1);
    app.post(&format!("/api/v1/ombudsman-cases/{case}/erase"))
        .auth(&manager)
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .assert_status(200);
    app.get(&case_path).auth(&manager).send().await.problem(404);
    let left = contact_history(&app, first_id + 2).await;
    assert_eq!(left["items"][0]["action"], "create");
    assert!(!left.to_string().contains("asked for the file"), "{left}");
}
