//! `/feedback`: creating every kind, validation, the statutory clock,
//! escalation, concurrency, idempotency, scoping, history and redaction.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{Resp, TestApp, TestUser};

fn adult_complaint(received_on: &str) -> Value {
    json!({
        "directorate": "adults",
        "kind": "complaint",
        "procedure": "statutory_adults",
        "stage": 1,
        "received_on": received_on,
        "category": "Charging",
        "sub_category": "Outcome of financial assessment",
        "service_area": "Financial Assessments",
        "summary": "Unhappy with the outcome of a financial assessment.",
        "channel": "email",
        "complainant": {"name": "Mrs A Example", "email": "a@example.org", "relationship": "representative",
                        "is_young_person": false, "advocate_assisted": true},
    })
}

async fn create(app: &TestApp, user: &TestUser, body: &Value) -> Value {
    let res = app
        .post("/api/v1/feedback")
        .auth(user)
        .json(body)
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

fn path(record: &Value) -> String {
    format!("/api/v1/feedback/{}", record["id"])
}

#[actix_web::test]
async fn every_kind_can_be_recorded_with_its_clock() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let cases = [
        (json!({"kind": "compliment"}), Value::Null),
        (json!({"kind": "comment"}), Value::Null),
        (json!({"kind": "representation"}), Value::Null),
        (json!({"kind": "enquiry"}), json!(10)),
        (json!({"kind": "councillor_enquiry"}), json!(10)),
        (json!({"kind": "mp_enquiry"}), json!(10)),
        (json!({"kind": "informal_complaint"}), json!(10)),
        (
            json!({"kind": "complaint", "procedure": "statutory_adults", "stage": 1}),
            json!(25),
        ),
        (
            json!({"kind": "complaint", "procedure": "statutory_children", "stage": 2}),
            json!(25),
        ),
        (
            json!({"kind": "complaint", "procedure": "corporate", "stage": 3}),
            json!(20),
        ),
        (
            json!({"kind": "dissatisfaction", "procedure": "statutory_adults"}),
            json!(25),
        ),
        (
            json!({"kind": "senior_manager_review", "procedure": "statutory_adults"}),
            Value::Null,
        ),
    ];
    for (i, (mut body, target)) in cases.into_iter().enumerate() {
        body["directorate"] = json!("adults");
        body["received_on"] = json!("2025-06-02");
        let res = app
            .post("/api/v1/feedback")
            .auth(&worker)
            .json(&body)
            .send()
            .await;
        res.assert_status(201);
        let record = res.json();
        assert_eq!(res.header("location").unwrap(), path(&record));
        assert_eq!(res.header("etag"), Some("\"1\""));
        assert_eq!(record["reference"], format!("FB-{:06}", i + 1));
        assert_eq!(record["status"], "open");
        assert_eq!(record["version"], 1);
        assert_eq!(record["created_by"], worker.username.as_str());
        assert_eq!(
            record["timeliness"]["target_working_days"], target,
            "{body}"
        );
        let has_clock = !matches!(
            body["kind"].as_str(),
            Some("compliment" | "comment" | "representation")
        );
        assert_eq!(
            record["timeliness"]["due_on"].is_string(),
            has_clock,
            "{body}"
        );
        assert_eq!(
            record["timeliness"]["overdue"],
            if has_clock { json!(true) } else { Value::Null }
        );
    }
}

#[actix_web::test]
async fn the_adult_complaint_worked_example() {
    // Received Friday 20 December 2024, over Christmas and New Year.
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let record = create(&app, &worker, &adult_complaint("2024-12-20")).await;
    let t = &record["timeliness"];
    assert_eq!(t["acknowledgement_due_on"], "2024-12-27");
    assert_eq!(t["due_on"], "2025-01-29");
    // Six months *beginning with* 20 December end on 19 June (the
    // regulations' wording; DOMAIN.md's example said 20 June).
    assert_eq!(t["limit_on"], "2025-06-19");
    assert_eq!(t["target_working_days"], 25);
    assert_eq!(t["extended"], false);
    assert_eq!(t["working_days_taken"], Value::Null);

    let res = app
        .patch(&path(&record))
        .auth(&worker)
        .json(&json!({"acknowledged_on": "2024-12-23", "responded_on": "2025-01-30", "outcome": "partially_upheld"}))
        .send()
        .await;
    res.assert_status(200);
    let record = res.json();
    let t = &record["timeliness"];
    assert_eq!(record["status"], "responded");
    assert_eq!(t["working_days_taken"], 26);
    assert_eq!(t["within_target"], false);
    assert_eq!(t["within_statutory_limit"], true);
    assert_eq!(t["overdue"], false);
}

#[actix_web::test]
async fn corporate_targets_count_from_the_acknowledgement() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("corporate").await;
    let body = json!({"directorate": "corporate", "kind": "complaint", "procedure": "corporate", "stage": 1,
                      "received_on": "2025-03-03", "category": "Highways"});
    let record = create(&app, &worker, &body).await;
    assert_eq!(record["timeliness"]["acknowledgement_due_on"], "2025-03-10");
    assert_eq!(record["timeliness"]["due_on"], "2025-03-24");
    assert_eq!(record["timeliness"]["limit_on"], "2025-04-07");
    let res = app
        .patch(&path(&record))
        .auth(&worker)
        .json(&json!({"acknowledged_on": "2025-03-05"}))
        .send()
        .await;
    assert_eq!(res.json()["timeliness"]["due_on"], "2025-03-19");
}

#[actix_web::test]
async fn a_late_mp_enquiry_is_outside_target() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let body = json!({"directorate": "adults", "kind": "mp_enquiry", "received_on": "2025-04-21",
                      "responded_on": "2025-05-07", "complainant": {"relationship": "mp"}});
    let record = create(&app, &worker, &body).await;
    assert_eq!(record["timeliness"]["due_on"], "2025-05-06");
    assert_eq!(record["timeliness"]["working_days_taken"], 11);
    assert_eq!(record["timeliness"]["within_target"], false);
}

#[actix_web::test]
async fn an_agreed_extension_replaces_the_target_up_to_the_limit() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("children").await;
    let mut body = json!({"directorate": "children", "kind": "complaint", "procedure": "statutory_children",
                          "stage": 1, "received_on": "2025-06-02", "extended_due_on": "2025-06-30",
                          "extension_reason": "Complex case; the complainant agreed."});
    let record = create(&app, &worker, &body).await;
    assert_eq!(record["timeliness"]["due_on"], "2025-06-30");
    assert_eq!(record["timeliness"]["limit_on"], "2025-06-30");
    assert_eq!(record["timeliness"]["extended"], true);

    body["extended_due_on"] = json!("2025-07-01");
    let res = app
        .post("/api/v1/feedback")
        .auth(&worker)
        .json(&body)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["extended_due_on"]);
    assert!(res.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("2025-06-30"));

    let res = app
        .patch(&path(&record))
        .auth(&worker)
        .json(&json!({"extension_reason": null}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["extension_reason"]);

    let res = app
        .patch(&path(&record))
        .auth(&worker)
        .json(
            &json!({"responded_on": "2025-06-27", "outcome": "upheld", "category": "Social work"}),
        )
        .send()
        .await;
    let t = res.json()["timeliness"].clone();
    assert_eq!(
        (
            t["within_target"].clone(),
            t["within_statutory_limit"].clone()
        ),
        (json!(true), json!(true))
    );
}

#[actix_web::test]
async fn invalid_records_get_one_error_per_field() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let res = app
        .post("/api/v1/feedback")
        .auth(&worker)
        .json(&json!({
            "directorate": "adults",
            "kind": "complaint",
            "received_on": "2099-01-01",
            "acknowledged_on": "2020-01-01",
            "outcome": "upheld",
            "summary": "x".repeat(20_001),
            "remedies": [{"kind": "apology", "amount_pence": -1}],
            "complainant": {"email": "not an email"},
            "id": 7,
            "status": "open",
            "colour": "blue",
        }))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "acknowledged_on",
            "colour",
            "complainant.email",
            "id",
            "outcome",
            "procedure",
            "received_on",
            "remedies[0].amount_pence",
            "stage",
            "status",
            "summary"
        ]
    );
    let body = res.json();
    let message = |field: &str| {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap()["message"]
            .clone()
    };
    assert_eq!(message("id"), "is read-only");
    assert_eq!(message("colour"), "is not a known field");
    assert_eq!(message("received_on"), "must not be in the future");
}

#[actix_web::test]
async fn fields_apply_only_to_the_kinds_they_belong_to() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let cases = [
        (
            json!({"kind": "compliment", "procedure": "corporate", "stage": 1}),
            vec!["procedure", "stage"],
        ),
        (
            json!({"kind": "complaint", "procedure": "statutory_adults", "stage": 2}),
            vec!["stage"],
        ),
        (
            json!({"kind": "complaint", "procedure": "corporate", "stage": 4}),
            vec!["stage"],
        ),
        (
            json!({"kind": "dissatisfaction", "procedure": "corporate"}),
            vec!["procedure"],
        ),
        (
            json!({"kind": "senior_manager_review", "procedure": "statutory_adults", "stage": 1}),
            vec!["stage"],
        ),
        (
            json!({"kind": "complaint", "procedure": "statutory_adults", "stage": 1, "responded_on": "2025-06-03"}),
            vec!["category", "outcome"],
        ),
        (
            json!({"kind": "enquiry", "sub_category": "x"}),
            vec!["sub_category"],
        ),
        (
            json!({"kind": "enquiry", "received_on": "2025-13-01"}),
            vec!["received_on"],
        ),
        (json!({"kind": "enquiry", "kind_of": 1}), vec!["kind_of"]),
        (json!({"kind": "grumble"}), vec!["kind"]),
        (
            json!({"kind": "enquiry", "summary": "nul \u{0000} here"}),
            vec!["summary"],
        ),
        (
            json!({"kind": "enquiry", "responded_on": "2025-05-01"}),
            vec!["responded_on"],
        ),
    ];
    for (mut body, expected) in cases {
        body["directorate"] = json!("adults");
        if body.get("received_on").is_none() {
            body["received_on"] = json!("2025-06-02");
        }
        let res = app
            .post("/api/v1/feedback")
            .auth(&worker)
            .json(&body)
            .send()
            .await;
        let mut fields = res.invalid_fields();
        fields.sort();
        assert_eq!(fields, expected, "{body}");
    }
    let count = app
        .get("/api/v1/feedback")
        .auth(&worker)
        .send()
        .await
        .json()["total"]
        .clone();
    assert_eq!(count, 0, "nothing was stored");
}

#[actix_web::test]
async fn unknown_directorates_are_422_even_for_callers_who_could_not_write_there() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let mut body = adult_complaint("2025-06-02");
    body["directorate"] = json!("atlantis");
    assert_eq!(
        app.post("/api/v1/feedback")
            .auth(&worker)
            .json(&body)
            .send()
            .await
            .invalid_fields(),
        ["directorate"]
    );
    body["directorate"] = json!("children");
    app.post("/api/v1/feedback")
        .auth(&worker)
        .json(&body)
        .send()
        .await
        .problem(403);
}

#[actix_web::test]
async fn records_of_other_directorates_are_invisible() {
    let app = TestApp::new().await;
    let children = app.as_caseworker("children").await;
    let record = create(
        &app,
        &children,
        &json!({"directorate": "children", "kind": "enquiry", "received_on": "2025-06-02"}),
    )
    .await;
    let p = path(&record);
    let adults_worker = app.as_caseworker("adults").await;
    let adults_manager = app.as_manager("adults").await;
    app.get(&p).auth(&adults_worker).send().await.problem(404);
    app.get(&format!("{p}/history"))
        .auth(&adults_worker)
        .send()
        .await
        .problem(404);
    app.patch(&p)
        .auth(&adults_worker)
        .json(&json!({"summary": "x"}))
        .send()
        .await
        .problem(404);
    app.delete(&p)
        .auth(&adults_manager)
        .send()
        .await
        .problem(404);
    app.post(&format!("{p}/redact"))
        .auth(&adults_manager)
        .send()
        .await
        .problem(404);
    app.post(&format!("{p}/escalate"))
        .auth(&adults_worker)
        .json(&json!({"received_on": "2025-06-03"}))
        .send()
        .await
        .problem(404);
    // Moving one's own record into another directorate is refused.
    let own = create(
        &app,
        &adults_worker,
        &json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02"}),
    )
    .await;
    app.patch(&path(&own))
        .auth(&adults_worker)
        .json(&json!({"directorate": "children"}))
        .send()
        .await
        .problem(403);
    // An admin sees everything.
    let admin = app.as_admin().await;
    app.get(&p).auth(&admin).send().await.assert_status(200);
    // A parent in another directorate is an unknown record.
    let res = app
        .post("/api/v1/feedback")
        .auth(&adults_worker)
        .json(&json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02", "parent_id": record["id"]}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["parent_id"]);
}

#[actix_web::test]
async fn roles_decide_who_may_do_what() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let analyst = app.as_analyst("adults").await;
    let crm = app.as_integration("adults").await;
    let manager = app.as_manager("adults").await;
    let body = adult_complaint("2025-06-02");

    app.post("/api/v1/feedback")
        .auth(&analyst)
        .json(&body)
        .send()
        .await
        .problem(403);
    let record = create(&app, &crm, &body).await;
    let p = path(&record);

    // Analysts read without personal data, in records and in history.
    let seen = app.get(&p).auth(&analyst).send().await.json();
    assert_eq!(seen["complainant"], Value::Null, "{seen}");
    assert_eq!(seen["category"], "Charging");
    let history = app
        .get(&format!("{p}/history"))
        .auth(&analyst)
        .send()
        .await
        .json();
    assert!(!history.to_string().contains("Mrs A Example"), "{history}");
    let seen = app.get(&p).auth(&worker).send().await.json();
    assert_eq!(seen["complainant"]["name"], "Mrs A Example");

    app.patch(&p)
        .auth(&analyst)
        .json(&json!({"summary": "x"}))
        .send()
        .await
        .problem(403);
    app.patch(&p)
        .auth(&crm)
        .json(&json!({"team": "Financial Assessment Team"}))
        .send()
        .await
        .assert_status(200);
    for user in [&worker, &crm, &analyst] {
        app.delete(&p).auth(user).send().await.problem(403);
        app.post(&format!("{p}/redact"))
            .auth(user)
            .send()
            .await
            .problem(403);
    }
    app.get(&p).auth(&worker).send().await.assert_status(200);
    app.delete(&p)
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    app.get(&p).auth(&manager).send().await.problem(404);
    app.get("/api/v1/feedback").send().await.problem(401);
}

#[actix_web::test]
async fn personal_data_is_never_cached() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let record = create(&app, &worker, &adult_complaint("2025-06-02")).await;
    let res = app.get(&path(&record)).auth(&worker).send().await;
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let res = app.get("/api/v1/feedback").auth(&worker).send().await;
    assert_eq!(res.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn external_refs_are_unique_per_directorate_and_findable() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let mut body = json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02", "external_ref": "CRM-1"});
    let first = create(&app, &admin, &body).await;
    app.post("/api/v1/feedback")
        .auth(&admin)
        .json(&body)
        .send()
        .await
        .problem(409);
    body["directorate"] = json!("children");
    create(&app, &admin, &body).await;
    let found = app
        .get("/api/v1/feedback?external_ref=CRM-1&directorate=adults")
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["id"], first["id"]);
    // Changing another record to a taken ref is a conflict too.
    let other = create(
        &app,
        &admin,
        &json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02"}),
    )
    .await;
    app.patch(&path(&other))
        .auth(&admin)
        .json(&json!({"external_ref": "CRM-1"}))
        .send()
        .await
        .problem(409);
}

#[actix_web::test]
async fn idempotency_keys_make_crm_retries_safe() {
    let app = TestApp::new().await;
    let crm = app.as_integration("adults").await;
    let body = adult_complaint("2025-06-02");
    let send = |key: &'static str, body: Value| {
        app.post("/api/v1/feedback")
            .auth(&crm)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = send("retry-1", body.clone()).await;
    first.assert_status(201);
    let again = send("retry-1", body.clone()).await;
    again.assert_status(201);
    assert_eq!(first.json(), again.json());
    assert_eq!(first.header("location"), again.header("location"));
    let mut changed = body.clone();
    changed["summary"] = json!("something else");
    assert_eq!(
        send("retry-1", changed).await.invalid_fields(),
        ["Idempotency-Key"]
    );
    let list = app.get("/api/v1/feedback").auth(&crm).send().await.json();
    assert_eq!(list["total"], 1);
}

#[actix_web::test]
async fn concurrent_identical_requests_create_one_record() {
    let app = TestApp::new().await;
    let crm = app.as_integration("adults").await;
    let service = app.service().await;
    let body = adult_complaint("2025-06-02");
    let requests = (0..20).map(|_| {
        app.post("/api/v1/feedback")
            .auth(&crm)
            .header("idempotency-key", "same-key")
            .json(&body)
            .into_request()
    });
    let responses =
        join_all(requests.map(|req| actix_web::test::call_service(&service, req))).await;
    let mut bodies = Vec::new();
    for res in responses {
        let res = Resp::read(res).await;
        res.assert_status(201);
        bodies.push(res.json());
    }
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "every answer is the first answer"
    );
    assert_eq!(
        app.get("/api/v1/feedback").auth(&crm).send().await.json()["total"],
        1
    );
}

#[actix_web::test]
async fn patches_merge_and_honour_if_match() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let record = create(&app, &worker, &adult_complaint("2025-06-02")).await;
    let p = path(&record);
    assert_eq!(
        app.get(&p).auth(&worker).send().await.header("etag"),
        Some("\"1\"")
    );

    let res = app
        .patch(&p)
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&json!({"summary": null, "complainant": {"phone": "01234 567890", "email": null}, "themes": ["communication"]}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let updated = res.json();
    assert_eq!(updated["summary"], Value::Null);
    assert_eq!(
        updated["complainant"]["name"], "Mrs A Example",
        "merged, not replaced"
    );
    assert_eq!(updated["complainant"]["phone"], "01234 567890");
    assert_eq!(updated["complainant"]["email"], Value::Null, "sent as null");
    assert_eq!(updated["themes"], json!(["communication"]));
    assert_eq!(updated["category"], "Charging", "absent fields stay");

    app.patch(&p)
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&json!({"team": "x"}))
        .send()
        .await
        .problem(412);
    let res = app
        .patch(&p)
        .auth(&worker)
        .json(&json!({"received_on": null}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["received_on"]);
    let res = app
        .patch(&p)
        .auth(&worker)
        .json(&json!({"reference": "FB-999999", "timeliness": {}}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["reference", "timeliness"]);
    let res = app
        .patch(&p)
        .auth(&worker)
        .json(&json!({"stage": "two"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["stage"]);
    assert_eq!(
        app.get(&p).auth(&worker).send().await.json()["version"],
        2,
        "failed patches change nothing"
    );
}

#[actix_web::test]
async fn of_concurrent_patches_with_one_etag_exactly_one_wins() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let record = create(&app, &worker, &adult_complaint("2025-06-02")).await;
    let service = app.service().await;
    let requests = (0..50).map(|i| {
        app.patch(&path(&record))
            .auth(&worker)
            .header("if-match", "\"1\"")
            .json(&json!({"team": format!("Team {i}")}))
            .into_request()
    });
    let responses =
        join_all(requests.map(|req| actix_web::test::call_service(&service, req))).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        49,
        "{statuses:?}"
    );
    let now = app.get(&path(&record)).auth(&worker).send().await.json();
    assert_eq!(now["version"], 2);
    // The winner's change is the one stored, whole.
    let winner = statuses.iter().position(|s| *s == 200).unwrap();
    assert_eq!(now["team"], format!("Team {winner}"));
    let history = app
        .get(&format!("{}/history", path(&record)))
        .auth(&worker)
        .send()
        .await
        .json();
    assert_eq!(history["total"], 2, "one create, one update");
}

#[actix_web::test]
async fn concurrent_patches_without_if_match_lose_no_update() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let record = create(&app, &worker, &adult_complaint("2025-06-02")).await;
    let service = app.service().await;
    let requests = (0..6).map(|i| {
        app.patch(&path(&record))
            .auth(&worker)
            .json(&json!({"themes": [format!("theme {i}")]}))
            .into_request()
    });
    let responses =
        join_all(requests.map(|req| actix_web::test::call_service(&service, req))).await;
    assert!(responses.iter().all(|r| r.status().as_u16() == 200));
    let now = app.get(&path(&record)).auth(&worker).send().await.json();
    assert_eq!(now["version"], 7, "every update was applied in turn");
}

#[actix_web::test]
async fn escalation_follows_each_procedure() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let escalate = |record: &Value, body: Value| {
        app.post(&format!("{}/escalate", path(record)))
            .auth(&worker)
            .json(&body)
            .send()
    };
    let complaint = create(&app, &worker, &adult_complaint("2025-06-02")).await;
    let res = escalate(&complaint, json!({"received_on": "2025-07-14"})).await;
    res.assert_status(201);
    let dissatisfaction = res.json();
    assert_eq!(dissatisfaction["kind"], "dissatisfaction");
    assert_eq!(dissatisfaction["procedure"], "statutory_adults");
    assert_eq!(dissatisfaction["stage"], Value::Null);
    assert_eq!(dissatisfaction["parent_id"], complaint["id"]);
    assert_eq!(dissatisfaction["complainant"], complaint["complainant"]);
    assert_eq!(dissatisfaction["category"], "Charging");
    assert_eq!(dissatisfaction["service_area"], "Financial Assessments");
    assert_eq!(dissatisfaction["directorate"], "adults");
    assert_eq!(res.header("location").unwrap(), path(&dissatisfaction));

    let review = escalate(&dissatisfaction, json!({"received_on": "2025-08-01"}))
        .await
        .json();
    assert_eq!(review["kind"], "senior_manager_review");
    // Three months beginning with 1 August end on 31 October.
    assert_eq!(review["timeliness"]["due_on"], "2025-10-31");
    escalate(&review, json!({"received_on": "2025-09-01"}))
        .await
        .problem(409);
    assert_eq!(
        escalate(&review, json!({})).await.invalid_fields(),
        ["received_on"]
    );
    assert_eq!(
        escalate(&complaint, json!({"received_on": "2025-05-01"}))
            .await
            .invalid_fields(),
        ["received_on"]
    );
    assert_eq!(
        escalate(
            &complaint,
            json!({"received_on": "2025-07-14", "procedure": "corporate"})
        )
        .await
        .invalid_fields(),
        ["procedure"]
    );

    let corporate_worker = app.as_caseworker("corporate").await;
    let mut stage = create(
        &app,
        &corporate_worker,
        &json!({"directorate": "corporate", "kind": "complaint", "procedure": "corporate", "stage": 1, "received_on": "2025-06-02"}),
    )
    .await;
    for next in [2, 3] {
        let res = app
            .post(&format!("{}/escalate", path(&stage)))
            .auth(&corporate_worker)
            .json(&json!({"received_on": "2025-07-01"}))
            .send()
            .await;
        res.assert_status(201);
        let escalated = res.json();
        assert_eq!(
            (escalated["kind"].clone(), escalated["stage"].clone()),
            (json!("complaint"), json!(next))
        );
        assert_eq!(escalated["parent_id"], stage["id"]);
        stage = escalated;
    }
    app.post(&format!("{}/escalate", path(&stage)))
        .auth(&corporate_worker)
        .json(&json!({"received_on": "2025-07-01"}))
        .send()
        .await
        .problem(409);

    let informal = create(&app, &worker, &json!({"directorate": "adults", "kind": "informal_complaint", "received_on": "2025-06-02"})).await;
    assert_eq!(
        escalate(&informal, json!({"received_on": "2025-06-10"}))
            .await
            .invalid_fields(),
        ["procedure"]
    );
    let formal = escalate(
        &informal,
        json!({"received_on": "2025-06-10", "procedure": "statutory_adults"}),
    )
    .await
    .json();
    assert_eq!(
        (formal["kind"].clone(), formal["stage"].clone()),
        (json!("complaint"), json!(1))
    );

    let compliment = create(
        &app,
        &worker,
        &json!({"directorate": "adults", "kind": "compliment", "received_on": "2025-06-02"}),
    )
    .await;
    escalate(&compliment, json!({"received_on": "2025-06-10"}))
        .await
        .problem(409);

    // The escalated record's history says where it went.
    let history = app
        .get(&format!("{}/history", path(&complaint)))
        .auth(&worker)
        .send()
        .await
        .json();
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "escalate");
    assert_eq!(
        last["changes"]["escalated_to"]["to"],
        dissatisfaction["reference"]
    );
}

#[actix_web::test]
async fn history_records_who_changed_what() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let manager = app.as_manager("adults").await;
    let record = create(&app, &worker, &adult_complaint("2025-06-02")).await;
    app.patch(&path(&record))
        .auth(&manager)
        .json(&json!({"team": "Review Team"}))
        .send()
        .await
        .assert_status(200);
    let history = app
        .get(&format!("{}/history", path(&record)))
        .auth(&worker)
        .send()
        .await
        .json();
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "create");
    assert_eq!(items[0]["actor"], worker.username.as_str());
    assert_eq!(items[0]["changes"]["category"]["to"], "Charging");
    assert_eq!(items[1]["action"], "update");
    assert_eq!(items[1]["actor"], manager.username.as_str());
    assert_eq!(
        items[1]["changes"]["team"],
        json!({"from": null, "to": "Review Team"})
    );
    assert_eq!(
        items[1]["changes"].as_object().unwrap().len(),
        1,
        "only what changed"
    );
    assert!(items[1]["at"].as_str().unwrap().ends_with('Z'));
}

#[actix_web::test]
async fn redaction_blanks_personal_data_everywhere_and_keeps_the_statistics() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let manager = app.as_manager("adults").await;
    let mut body = adult_complaint("2025-06-02");
    body["responded_on"] = json!("2025-06-20");
    body["outcome"] = json!("upheld");
    body["learning"] = json!("Explain charges before care starts.");
    body["remedies"] = json!([{"kind": "symbolic_payment", "description": "For Mrs Example's distress", "amount_pence": 15000}]);
    let record = create(&app, &worker, &body).await;
    app.patch(&path(&record))
        .auth(&worker)
        .json(&json!({"summary": "Mrs Example rang again"}))
        .send()
        .await
        .assert_status(200);

    let res = app
        .post(&format!("{}/redact", path(&record)))
        .auth(&manager)
        .send()
        .await;
    res.assert_status(200);
    let redacted = res.json();
    assert_eq!(redacted["summary"], "[redacted]");
    assert_eq!(redacted["learning"], "[redacted]");
    assert_eq!(redacted["complainant"]["name"], "[redacted]");
    assert_eq!(redacted["complainant"]["email"], "[redacted]");
    assert_eq!(redacted["complainant"]["relationship"], "representative");
    assert_eq!(redacted["complainant"]["advocate_assisted"], true);
    assert_eq!(redacted["remedies"][0]["description"], "[redacted]");
    assert_eq!(redacted["remedies"][0]["amount_pence"], 15000);
    for kept in ["category", "outcome", "received_on", "responded_on", "kind"] {
        assert_eq!(redacted[kept], record[kept], "{kept} is kept");
    }
    assert!(redacted["redacted_at"].is_string());

    let history = app
        .get(&format!("{}/history", path(&record)))
        .auth(&manager)
        .send()
        .await
        .json();
    let text = history.to_string();
    for secret in [
        "Mrs A Example",
        "a@example.org",
        "Mrs Example rang again",
        "Explain charges",
        "distress",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} survived in the history: {text}"
        );
    }
    let items = history["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        3,
        "create, update, redact: entries are kept, not deleted"
    );
    assert_eq!(items[2]["action"], "redact");
    assert_eq!(items[0]["changes"]["category"]["to"], "Charging");

    // Redacting again is allowed (a change may have put personal data back).
    app.post(&format!("{}/redact", path(&record)))
        .auth(&manager)
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn deleting_a_parent_keeps_its_escalations() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let complaint = create(&app, &manager, &adult_complaint("2025-06-02")).await;
    let child = app
        .post(&format!("{}/escalate", path(&complaint)))
        .auth(&manager)
        .json(&json!({"received_on": "2025-07-01"}))
        .send()
        .await
        .json();
    app.delete(&path(&complaint))
        .auth(&manager)
        .header("if-match", "\"9\"")
        .send()
        .await
        .problem(412);
    app.delete(&path(&complaint))
        .auth(&manager)
        .header("if-match", "\"1\"")
        .send()
        .await
        .assert_status(204);
    let child = app.get(&path(&child)).auth(&manager).send().await.json();
    assert_eq!(child["parent_id"], Value::Null);
}
