//! The statutory rules as the regulations word them: calendar-month periods
//! beginning with the day of receipt, longer periods agreed before expiry,
//! capped extensions, the original target beside the agreed one, the
//! children's review panel, timescale versions from a date, escalations and
//! the annual report's overview basis.

use serde_json::{json, Value};

use crate::common::{get, TestApp, TestUser};

const FEEDBACK: &str = "/api/v1/feedback";
const TIMESCALES: &str = "/api/v1/timescales";

fn adult_complaint(received_on: &str) -> Value {
    json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults",
           "stage": 1, "received_on": received_on, "category": "Charging"})
}

/// `base` with the fields of `extra` added or replaced.
fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().expect("object") {
        base[k] = v.clone();
    }
    base
}

async fn create(app: &TestApp, user: &TestUser, body: &Value) -> Value {
    let res = app.post(FEEDBACK).auth(user).json(body).send().await;
    res.assert_status(201);
    res.json()
}

/// The fields a refused create names.
async fn refused(app: &TestApp, user: &TestUser, body: &Value) -> Vec<String> {
    let res = app.post(FEEDBACK).auth(user).json(body).send().await;
    res.assert_status(422);
    res.invalid_fields()
}

fn path(record: &Value) -> String {
    format!("{FEEDBACK}/{}", record["id"])
}

#[actix_web::test]
async fn six_months_begin_with_the_day_of_receipt() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    for (received, limit) in [
        // The examples.
        ("2024-12-20", "2025-06-19"),
        ("2024-08-31", "2025-02-28"),
        // A leap year's February has a 29th but no 30th.
        ("2023-08-30", "2024-02-29"),
        ("2023-08-29", "2024-02-28"),
        // An ordinary date, and the first of a month.
        ("2025-03-15", "2025-09-14"),
        ("2025-01-01", "2025-06-30"),
    ] {
        let record = create(&app, &worker, &adult_complaint(received)).await;
        assert_eq!(
            record["timeliness"]["limit_on"], limit,
            "received {received}"
        );
    }
    // The senior manager review's three months count the same way.
    for (received, due) in [
        ("2025-11-30", "2026-02-28"),
        ("2025-05-14", "2025-08-13"),
        ("2024-11-30", "2025-02-28"),
    ] {
        let body = json!({"directorate": "adults", "kind": "senior_manager_review",
                          "procedure": "statutory_adults", "received_on": received});
        let record = create(&app, &worker, &body).await;
        assert_eq!(record["timeliness"]["due_on"], due, "received {received}");
        assert_eq!(record["timeliness"]["target_working_days"], Value::Null);
    }
}

#[actix_web::test]
async fn a_longer_period_agreed_before_the_six_months_expire_becomes_the_limit() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    // Received 10 January 2025: 25 working days to 14 February, six months
    // to 9 July.
    let base = adult_complaint("2025-01-10");
    let plain = create(&app, &worker, &base).await;
    assert_eq!(plain["timeliness"]["due_on"], "2025-02-14");
    assert_eq!(plain["timeliness"]["limit_on"], "2025-07-09");

    let agreed = with(
        base.clone(),
        json!({"extended_due_on": "2025-09-30", "extension_agreed_on": "2025-07-09",
               "extension_reason": "Waiting for the care provider's records",
               "responded_on": "2025-09-15", "outcome": "upheld"}),
    );
    let record = create(&app, &worker, &agreed).await;
    let t = &record["timeliness"];
    assert_eq!(t["limit_on"], "2025-09-30", "the agreed date is the limit");
    assert_eq!(t["original_due_on"], "2025-02-14");
    assert_eq!(t["due_on"], "2025-09-30");
    assert_eq!(t["extended"], true);
    assert_eq!(t["within_statutory_limit"], true);
    assert_eq!(t["within_target"], true);
    assert_eq!(t["within_original_target"], false);

    // Agreed a day after the six months ran out: refused.
    let late = with(agreed.clone(), json!({"extension_agreed_on": "2025-07-10"}));
    assert_eq!(
        refused(&app, &worker, &late).await,
        vec!["extension_agreed_on"]
    );
    // Past six months with no agreement date: refused.
    let mut undated = agreed.clone();
    undated
        .as_object_mut()
        .unwrap()
        .remove("extension_agreed_on");
    assert_eq!(
        refused(&app, &worker, &undated).await,
        vec!["extension_agreed_on"]
    );
    // An agreement date without an extension: refused.
    let alone = with(base.clone(), json!({"extension_agreed_on": "2025-03-01"}));
    assert_eq!(
        refused(&app, &worker, &alone).await,
        vec!["extension_agreed_on"]
    );
    // Within the six months, no agreement date is needed.
    let short = with(
        base,
        json!({"extended_due_on": "2025-05-30", "extension_reason": "More time needed"}),
    );
    let record = create(&app, &worker, &short).await;
    assert_eq!(record["timeliness"]["limit_on"], "2025-07-09");

    // A PATCH may agree the longer period later, but only before expiry.
    let res = app
        .patch(&path(&record))
        .auth(&worker)
        .json(&json!({"extended_due_on": "2025-08-29", "extension_agreed_on": "2025-08-01"}))
        .send()
        .await;
    assert_eq!(
        res.problem(422)["errors"][0]["field"],
        "extension_agreed_on"
    );
    let res = app
        .patch(&path(&record))
        .auth(&worker)
        .json(&json!({"extended_due_on": "2025-08-29", "extension_agreed_on": "2025-06-30"}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.json()["timeliness"]["limit_on"], "2025-08-29");
}

#[actix_web::test]
async fn every_other_extension_is_capped_or_refused() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let extended = |body: Value, to: &str| {
        with(
            body,
            json!({"extended_due_on": to, "extension_reason": "Complex"}),
        )
    };
    let children = |stage: i32| {
        json!({"directorate": "children", "kind": "complaint", "procedure": "statutory_children",
               "stage": stage, "received_on": "2025-09-01"})
    };
    // Children's stage 1: 10 working days, up to 20 (29 September).
    let ok = create(&app, &admin, &extended(children(1), "2025-09-29")).await;
    assert_eq!(ok["timeliness"]["limit_on"], "2025-09-29");
    assert_eq!(
        refused(&app, &admin, &extended(children(1), "2025-09-30")).await,
        vec!["extended_due_on"]
    );
    // Stage 2: up to 65 working days (1 December).
    create(&app, &admin, &extended(children(2), "2025-12-01")).await;
    assert_eq!(
        refused(&app, &admin, &extended(children(2), "2025-12-02")).await,
        vec!["extended_due_on"]
    );
    // Stage 3 and the senior manager review: the steps are fixed.
    assert_eq!(
        refused(&app, &admin, &extended(children(3), "2025-12-01")).await,
        vec!["extended_due_on"]
    );
    let review = json!({"directorate": "adults", "kind": "senior_manager_review",
                        "procedure": "statutory_adults", "received_on": "2025-09-01"});
    assert_eq!(
        refused(&app, &admin, &extended(review, "2025-12-31")).await,
        vec!["extended_due_on"]
    );
    // Enquiries from MPs and councillors: 10 more working days. Received
    // Monday 1 September 2025: due 15 September, at most 29 September.
    for kind in ["mp_enquiry", "councillor_enquiry"] {
        let body = json!({"directorate": "adults", "kind": kind, "received_on": "2025-09-01"});
        let ok = create(&app, &admin, &extended(body.clone(), "2025-09-29")).await;
        assert_eq!(ok["timeliness"]["limit_on"], "2025-09-29", "{kind}");
        assert_eq!(
            refused(&app, &admin, &extended(body, "2025-09-30")).await,
            vec!["extended_due_on"],
            "{kind}"
        );
    }
    // Dissatisfactions: 25 more working days (25 to 6 October, 50 to
    // 10 November).
    let dissatisfaction = json!({"directorate": "adults", "kind": "dissatisfaction",
                                 "procedure": "statutory_adults", "received_on": "2025-09-01"});
    create(
        &app,
        &admin,
        &extended(dissatisfaction.clone(), "2025-11-10"),
    )
    .await;
    assert_eq!(
        refused(&app, &admin, &extended(dissatisfaction, "2025-11-11")).await,
        vec!["extended_due_on"]
    );
    // Compliments have no timescale at all.
    let compliment =
        json!({"directorate": "adults", "kind": "compliment", "received_on": "2025-09-01"});
    assert_eq!(
        refused(&app, &admin, &extended(compliment, "2025-11-10")).await,
        vec!["extended_due_on"]
    );
    // The published rules say which.
    let timescales = get(&app, &admin, TIMESCALES).await;
    let latest = timescales["versions"].as_array().unwrap().last().unwrap();
    let rule = |kind: &str| {
        latest["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("a rule for {kind}"))
    };
    assert_eq!(rule("senior_manager_review")["limit"], Value::Null);
    assert_eq!(
        rule("mp_enquiry")["limit"]["within"],
        json!({"working_days": 10})
    );
    assert_eq!(rule("mp_enquiry")["limit"]["from"], "target");
}

#[actix_web::test]
async fn the_original_target_is_reported_beside_the_agreed_date() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    // Received Monday 3 March 2025: 25 working days to 7 April.
    let body = |responded: &str, extended: Option<&str>| {
        let mut b = with(
            adult_complaint("2025-03-03"),
            json!({"responded_on": responded, "outcome": "not_upheld"}),
        );
        if let Some(to) = extended {
            b["extended_due_on"] = json!(to);
            b["extension_reason"] = json!("Waiting for the provider");
        }
        b
    };
    let on_time = create(&app, &worker, &body("2025-04-07", None)).await;
    assert_eq!(on_time["timeliness"]["within_original_target"], true);
    let extended = create(&app, &worker, &body("2025-04-25", Some("2025-04-30"))).await;
    assert_eq!(extended["timeliness"]["within_target"], true);
    assert_eq!(extended["timeliness"]["within_original_target"], false);
    assert_eq!(extended["timeliness"]["original_due_on"], "2025-04-07");
    let late = create(&app, &worker, &body("2025-05-06", Some("2025-04-30"))).await;
    assert_eq!(late["timeliness"]["within_target"], false);
    assert_eq!(late["timeliness"]["within_original_target"], false);

    let analyst = app.as_analyst("adults").await;
    let stats = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2025&directorate=adults",
    )
    .await;
    let t = &stats["timeliness"];
    assert_eq!(stats["responded"], 3);
    assert_eq!(t["outside_target"], 1);
    assert_eq!(t["outside_original_target"], 2);
    assert_eq!(t["outside_original_target_percent"]["percent"], 66.7);

    // The annual report's line counts against the original target.
    let res = app
        .get("/api/v1/reports/annual?year=2025&directorate=adults")
        .auth(&analyst)
        .header("accept", "text/html")
        .send()
        .await;
    res.assert_status(200);
    assert!(
        res.text().contains("2 of those responded to (66.7%)"),
        "{}",
        res.text()
    );
}

#[actix_web::test]
async fn the_childrens_review_panel_has_three_steps() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("children").await;
    // Requested Monday 2 June 2025: the panel meets within 30 working days
    // (14 July), reports within 5 of meeting, and the council responds
    // within 15 of the report.
    let request = json!({"directorate": "children", "kind": "complaint",
                         "procedure": "statutory_children", "stage": 3, "received_on": "2025-06-02"});
    let waiting = create(&app, &worker, &request).await;
    let t = &waiting["timeliness"];
    assert_eq!(t["due_on"], "2025-07-14", "the next milestone: the panel");
    let names: Vec<&str> = t["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["panel_meeting", "panel_report", "response"]);

    // Met Thursday 10 July: the report is due 17 July.
    let res = app
        .patch(&path(&waiting))
        .auth(&worker)
        .json(&json!({"panel_held_on": "2025-07-10"}))
        .send()
        .await;
    res.assert_status(200);
    let met = res.json();
    assert_eq!(met["timeliness"]["due_on"], "2025-07-17");
    assert_eq!(met["timeliness"]["milestones"][0]["within"], true);
    assert_eq!(met["timeliness"]["milestones"][0]["done_on"], "2025-07-10");

    // Reported a day late, Friday 18 July; the response is then due 15
    // working days after the report, 8 August, and came on 6 August.
    let res = app
        .patch(&path(&waiting))
        .auth(&worker)
        .json(
            &json!({"panel_report_on": "2025-07-18", "responded_on": "2025-08-06",
                      "outcome": "partially_upheld", "category": "Social work"}),
        )
        .send()
        .await;
    res.assert_status(200);
    let done = res.json();
    let t = &done["timeliness"];
    assert_eq!(t["milestones"][1]["due_on"], "2025-07-17");
    assert_eq!(t["milestones"][1]["within"], false);
    assert_eq!(t["milestones"][2]["due_on"], "2025-08-08");
    assert_eq!(t["milestones"][2]["within"], true);
    assert_eq!(t["due_on"], "2025-08-08");
    assert_eq!(t["within_target"], false, "one milestone was missed");

    // The panel dates belong to stage 3 alone, in order.
    let stage_two = with(
        request.clone(),
        json!({"stage": 2, "panel_held_on": "2025-07-10"}),
    );
    assert_eq!(
        refused(&app, &worker, &stage_two).await,
        vec!["panel_held_on"]
    );
    let reversed = with(
        request.clone(),
        json!({"panel_held_on": "2025-07-10", "panel_report_on": "2025-07-09"}),
    );
    assert_eq!(
        refused(&app, &worker, &reversed).await,
        vec!["panel_report_on"]
    );
    let report_only = with(request, json!({"panel_report_on": "2025-07-09"}));
    assert_eq!(
        refused(&app, &worker, &report_only).await,
        vec!["panel_report_on"]
    );
}

#[actix_web::test]
async fn acknowledgement_and_response_are_milestones_of_every_procedure() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let record = create(
        &app,
        &worker,
        &with(
            adult_complaint("2025-10-06"),
            json!({"acknowledged_on": "2025-10-10"}),
        ),
    )
    .await;
    let milestones = &record["timeliness"]["milestones"];
    assert_eq!(milestones[0]["name"], "acknowledgement");
    assert_eq!(milestones[0]["due_on"], "2025-10-09");
    assert_eq!(milestones[0]["done_on"], "2025-10-10");
    assert_eq!(milestones[0]["within"], false);
    assert_eq!(milestones[1]["name"], "response");
    assert_eq!(milestones[1]["due_on"], "2025-11-10");
    assert_eq!(milestones[1]["done_on"], Value::Null);
    assert_eq!(milestones[1]["within"], Value::Null);
}

fn corporate(stage: i32, received_on: &str) -> Value {
    json!({"directorate": "adults", "kind": "complaint", "procedure": "corporate",
           "stage": stage, "received_on": received_on})
}

#[actix_web::test]
async fn the_corporate_procedure_has_two_stages_from_april_2026() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    // Before the Code: stage 3 is a review in 20 working days.
    let before = create(&app, &admin, &corporate(3, "2026-03-31")).await;
    assert_eq!(before["timeliness"]["due_on"], "2026-04-30");
    // From 1 April 2026 there is no stage 3.
    assert_eq!(
        refused(&app, &admin, &corporate(3, "2026-04-01")).await,
        vec!["stage"]
    );
    assert_eq!(
        refused(&app, &admin, &corporate(3, "2026-07-15")).await,
        vec!["stage"]
    );
    // Stage 2 escalates no further.
    let stage_two = create(&app, &admin, &corporate(2, "2026-05-05")).await;
    app.post(&format!("{}/escalate", path(&stage_two)))
        .auth(&admin)
        .json(&json!({"received_on": "2026-06-01"}))
        .send()
        .await
        .problem(409);
    // A stage 2 before the Code escalates to stage 3 if that, too, is
    // received before it.
    let old_two = create(&app, &admin, &corporate(2, "2026-01-05")).await;
    let res = app
        .post(&format!("{}/escalate", path(&old_two)))
        .auth(&admin)
        .json(&json!({"received_on": "2026-03-02"}))
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(res.json()["stage"], 3);

    // A council that keeps a third stage configures it, and it is measured.
    let list = get(&app, &admin, TIMESCALES).await;
    assert_eq!(list["in_force_today"], "2026-04-01");
    let etag = app
        .get(TIMESCALES)
        .auth(&admin)
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let mut rules = get(&app, &admin, &format!("{TIMESCALES}/2026-04-01")).await["rules"].clone();
    rules.as_array_mut().unwrap().push(json!({
        "kind": "complaint", "procedure": "corporate", "stage": 3,
        "steps": [{"milestone": "response", "within": {"working_days": 15}, "from": "receipt"}]}));
    let res = app
        .put(&format!("{TIMESCALES}/2026-04-01"))
        .auth(&admin)
        .header("if-match", &etag)
        .json(&json!({"rules": rules}))
        .send()
        .await;
    res.assert_status(200);
    let third = create(&app, &admin, &corporate(3, "2026-07-15")).await;
    assert_eq!(third["timeliness"]["due_on"], "2026-08-05");
    // The old revision is stale now.
    let res = app
        .put(&format!("{TIMESCALES}/2026-04-01"))
        .auth(&admin)
        .header("if-match", &etag)
        .json(&json!({"rules": rules}))
        .send()
        .await;
    res.problem(412);
    // Taking the third stage away again would strand that complaint.
    let mut two_stages = rules.clone();
    two_stages.as_array_mut().unwrap().pop();
    let res = app
        .put(&format!("{TIMESCALES}/2026-04-01"))
        .auth(&admin)
        .json(&json!({"rules": two_stages}))
        .send()
        .await;
    res.problem(409);
}

#[actix_web::test]
async fn timescale_versions_are_read_by_everyone_and_changed_by_admins() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let worker = app.as_caseworker("adults").await;
    let list = get(&app, &worker, TIMESCALES).await;
    let froms: Vec<&str> = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["effective_from"].as_str().unwrap())
        .collect();
    assert_eq!(froms, ["2009-04-01", "2026-04-01"]);
    app.get(TIMESCALES).send().await.problem(401);
    app.get(&format!("{TIMESCALES}/2019-01-01"))
        .auth(&worker)
        .send()
        .await
        .problem(404);

    // An enquiry received Monday 1 June 2026: 10 working days, to 15 June.
    let enquiry = create(
        &app,
        &worker,
        &json!({"directorate": "adults", "kind": "enquiry", "received_on": "2026-06-01"}),
    )
    .await;
    assert_eq!(enquiry["timeliness"]["due_on"], "2026-06-15");

    // From 1 June 2026, enquiries in 5 working days.
    let mut rules = get(&app, &worker, &format!("{TIMESCALES}/2026-04-01")).await["rules"].clone();
    for rule in rules.as_array_mut().unwrap() {
        if rule["kind"] == "enquiry" {
            rule["steps"][0]["within"] = json!({"working_days": 5});
        }
    }
    let put = |user: &TestUser, body: Value| {
        app.put(&format!("{TIMESCALES}/2026-06-01"))
            .auth(user)
            .json(&body)
    };
    let manager = app.as_manager("adults").await;
    let res = put(&manager, json!({"rules": rules})).send().await;
    res.problem(403);
    // Two rules for the same kind, and a last step that is not the
    // response, are refused.
    let mut twice = rules.clone();
    twice.as_array_mut().unwrap().push(json!({"kind": "enquiry",
        "steps": [{"milestone": "response", "within": {"working_days": 3}, "from": "receipt"}]}));
    put(&admin, json!({"rules": twice}))
        .send()
        .await
        .problem(422);
    let panel_last = json!({"rules": [{"kind": "enquiry",
        "steps": [{"milestone": "panel_meeting", "within": {"working_days": 3}, "from": "receipt"}]}]});
    put(&admin, panel_last).send().await.problem(422);

    let res = put(&admin, json!({"rules": rules})).send().await;
    res.assert_status(201);
    assert_eq!(
        res.header("location"),
        Some("/api/v1/timescales/2026-06-01")
    );
    // The stored clock follows at once: the record and the overdue filter.
    let now = get(&app, &worker, &path(&enquiry)).await;
    assert_eq!(now["timeliness"]["due_on"], "2026-06-08");
    let overdue = get(
        &app,
        &worker,
        &format!("{FEEDBACK}?overdue=true&kind=enquiry"),
    )
    .await;
    assert!(overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == enquiry["id"]));
    // Received the day before: the earlier version still applies.
    let before = create(
        &app,
        &worker,
        &json!({"directorate": "adults", "kind": "enquiry", "received_on": "2026-05-29"}),
    )
    .await;
    assert_eq!(before["timeliness"]["due_on"], "2026-06-12");

    // Removing the version restores the earlier rules.
    let res = app
        .delete(&format!("{TIMESCALES}/2026-06-01"))
        .auth(&admin)
        .send()
        .await;
    res.assert_status(204);
    let now = get(&app, &worker, &path(&enquiry)).await;
    assert_eq!(now["timeliness"]["due_on"], "2026-06-15");
    // The earliest version cannot go.
    app.delete(&format!("{TIMESCALES}/2009-04-01"))
        .auth(&admin)
        .send()
        .await
        .problem(409);
    app.delete(&format!("{TIMESCALES}/2026-06-01"))
        .auth(&admin)
        .send()
        .await
        .problem(404);
    // Every change is audited.
    let history = get(&app, &worker, &format!("{TIMESCALES}/2026-06-01/history")).await;
    assert_eq!(history["total"], 2, "{history}");
}

#[actix_web::test]
async fn enquiries_become_complaints_under_the_procedure_named() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    for (kind, procedure) in [
        ("enquiry", "corporate"),
        ("mp_enquiry", "statutory_adults"),
        ("councillor_enquiry", "corporate"),
    ] {
        let enquiry = create(
            &app,
            &worker,
            &json!({"directorate": "adults", "kind": kind, "received_on": "2025-04-07",
                    "category": "Care Assessment"}),
        )
        .await;
        let escalate = format!("{}/escalate", path(&enquiry));
        let res = app
            .post(&escalate)
            .auth(&worker)
            .json(&json!({"received_on": "2025-04-22"}))
            .send()
            .await;
        assert_eq!(
            res.problem(422)["errors"][0]["field"],
            "procedure",
            "{kind}"
        );
        let res = app
            .post(&escalate)
            .auth(&worker)
            .json(&json!({"received_on": "2025-04-22", "procedure": procedure}))
            .send()
            .await;
        res.assert_status(201);
        let complaint = res.json();
        assert_eq!(complaint["kind"], "complaint");
        assert_eq!(complaint["procedure"], procedure);
        assert_eq!(complaint["stage"], 1);
        assert_eq!(complaint["parent_id"], enquiry["id"]);
        assert_eq!(complaint["category"], "Care Assessment");
    }
    // A compliment does not escalate.
    let compliment = create(
        &app,
        &worker,
        &json!({"directorate": "adults", "kind": "compliment", "received_on": "2025-04-07"}),
    )
    .await;
    app.post(&format!("{}/escalate", path(&compliment)))
        .auth(&worker)
        .json(&json!({"received_on": "2025-04-22"}))
        .send()
        .await
        .problem(409);
}

#[actix_web::test]
async fn a_dissatisfaction_answered_by_a_review_has_the_outcome_escalated() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let dissatisfaction = |received: &str| {
        json!({"directorate": "adults", "kind": "dissatisfaction", "procedure": "statutory_adults",
               "received_on": received, "responded_on": "2025-07-01", "outcome": "escalated",
               "category": "Charging"})
    };
    let first = create(&app, &worker, &dissatisfaction("2025-06-02")).await;
    assert_eq!(first["outcome"], "escalated");
    let res = app
        .post(&format!("{}/escalate", path(&first)))
        .auth(&worker)
        .json(&json!({"received_on": "2025-07-02"}))
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(res.json()["kind"], "senior_manager_review");
    // Another answered the same way, not (yet) escalated.
    create(&app, &worker, &dissatisfaction("2025-06-09")).await;
    // A complaint escalated to a dissatisfaction.
    let complaint = create(
        &app,
        &worker,
        &with(
            adult_complaint("2025-05-01"),
            json!({"responded_on": "2025-06-02", "outcome": "not_upheld"}),
        ),
    )
    .await;
    app.post(&format!("{}/escalate", path(&complaint)))
        .auth(&worker)
        .json(&json!({"received_on": "2025-06-20"}))
        .send()
        .await
        .assert_status(201);

    // A compliment or a senior manager review cannot be "escalated".
    let compliment = json!({"directorate": "adults", "kind": "compliment",
                            "received_on": "2025-06-02", "responded_on": "2025-06-03", "outcome": "escalated"});
    assert_eq!(refused(&app, &worker, &compliment).await, vec!["outcome"]);
    let review = json!({"directorate": "adults", "kind": "senior_manager_review", "procedure": "statutory_adults",
                        "received_on": "2025-06-02", "responded_on": "2025-06-30", "outcome": "escalated",
                        "category": "Charging"});
    assert_eq!(refused(&app, &worker, &review).await, vec!["outcome"]);

    let analyst = app.as_analyst("adults").await;
    let stats = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2025&directorate=adults&kind=dissatisfaction",
    )
    .await;
    assert_eq!(stats["responded"], 2);
    assert_eq!(stats["escalated"]["senior_manager_review"], 1);
    assert_eq!(stats["escalated"]["dissatisfaction"], 0);
    let outcomes = stats["outcomes"].to_string();
    assert!(outcomes.contains("escalated"), "{outcomes}");
    let stats = get(
        &app,
        &analyst,
        "/api/v1/statistics/complaints?year=2025&directorate=adults",
    )
    .await;
    assert_eq!(stats["escalated"]["dissatisfaction"], 1);
    assert_eq!(stats["escalated"]["senior_manager_review"], 0);
}

#[actix_web::test]
async fn the_overview_counts_each_kind_on_its_basis() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let settings = get(&app, &admin, "/api/v1/settings").await;
    let basis = &settings["overview_basis"];
    assert_eq!(basis["compliment"], "received");
    assert_eq!(basis["complaint"], "received");
    assert_eq!(basis["mp_enquiry"], "responded");
    assert_eq!(basis["councillor_enquiry"], "responded");
    assert_eq!(basis["informal_complaint"], "responded");
    assert_eq!(basis["dissatisfaction"], "responded");
    assert_eq!(basis["senior_manager_review"], "responded");

    // 2024-25: two MP enquiries received in March 2025, one answered in
    // April (2025-26); two complaints received, one answered. 2025-26: one
    // complaint received and answered.
    let mp = |received: &str, responded: Option<&str>| {
        let mut b = json!({"directorate": "adults", "kind": "mp_enquiry", "received_on": received});
        if let Some(r) = responded {
            b["responded_on"] = json!(r);
        }
        b
    };
    create(&app, &admin, &mp("2025-03-10", Some("2025-03-20"))).await;
    create(&app, &admin, &mp("2025-03-24", Some("2025-04-04"))).await;
    create(&app, &admin, &adult_complaint("2025-02-03")).await;
    create(
        &app,
        &admin,
        &with(
            adult_complaint("2025-03-03"),
            json!({"responded_on": "2025-03-28", "outcome": "upheld"}),
        ),
    )
    .await;
    create(
        &app,
        &admin,
        &with(
            adult_complaint("2025-05-06"),
            json!({"responded_on": "2025-05-30", "outcome": "upheld"}),
        ),
    )
    .await;

    let stats = get(
        &app,
        &admin,
        "/api/v1/statistics/feedback?year=2025&directorate=adults&years=2",
    )
    .await;
    let (now, before) = (&stats["years"][0], &stats["years"][1]);
    assert_eq!(now["overview"]["mp_enquiry"], 1, "responded in 2025-26");
    assert_eq!(before["overview"]["mp_enquiry"], 1);
    assert_eq!(before["received"]["mp_enquiry"], 2);
    assert_eq!(before["overview"]["complaint"], 2, "received in 2024-25");
    assert_eq!(now["overview"]["complaint"], 1);
    assert_eq!(
        now["overview"]["dissatisfaction"],
        Value::Null,
        "none: a dash"
    );
    assert_eq!(before["overview_total"], 3);
    assert_eq!(now["overview_total"], 2);
    assert_eq!(stats["overview_basis"]["mp_enquiry"], "responded");
    assert_eq!(stats["change_percent"]["complaint"], -50.0);
    assert_eq!(stats["change_percent_responded"]["complaint"], 0.0);
    assert_eq!(stats["change_percent_responded"]["mp_enquiry"], 0.0);
    assert_eq!(stats["change_percent"]["mp_enquiry"], -100.0);

    // A council that counts MP enquiries as received.
    let res = app
        .put("/api/v1/settings")
        .auth(&admin)
        .json(
            &json!({"council_name": "Test Council", "authority_type": "county",
                      "overview_basis": {"mp_enquiry": "received"}}),
        )
        .send()
        .await;
    res.assert_status(200);
    let saved = res.json();
    assert_eq!(saved["overview_basis"]["mp_enquiry"], "received");
    assert_eq!(
        saved["overview_basis"]["informal_complaint"], "responded",
        "kinds left out keep their basis"
    );
    for bad in [
        json!({"mp_enquiry": "sometimes"}),
        json!({"petition": "received"}),
    ] {
        app.put("/api/v1/settings")
            .auth(&admin)
            .json(
                &json!({"council_name": "Test Council", "authority_type": "county",
                          "overview_basis": bad}),
            )
            .send()
            .await
            .problem(422);
    }
    let stats = get(
        &app,
        &admin,
        "/api/v1/statistics/feedback?year=2025&directorate=adults&years=2",
    )
    .await;
    assert_eq!(stats["years"][1]["overview"]["mp_enquiry"], 2);
    assert_eq!(stats["years"][0]["overview"]["mp_enquiry"], Value::Null);

    // The report prints the same rows, a dash for none, the same total, and
    // says how each kind is counted.
    let res = app
        .get("/api/v1/reports/annual?year=2025&directorate=adults")
        .auth(&admin)
        .header("accept", "text/html")
        .send()
        .await;
    res.assert_status(200);
    let html = res.text();
    assert!(
        html.contains("MP Enquiries, Compliments") || html.contains("counted as received"),
        "{html}"
    );
    assert!(html.contains("counted as responded to in the year"));
    let overview = &html[html.find("Annual feedback overview").unwrap()..];
    let overview = &overview[..overview.find("</table>").unwrap()];
    assert!(overview.contains(">–<"), "{overview}");
    let json = app
        .get("/api/v1/reports/annual?year=2025&directorate=adults")
        .auth(&admin)
        .header("accept", "application/json")
        .send()
        .await
        .json();
    let total = json["feedback"]["years"][0]["overview_total"].clone();
    assert_eq!(total, 1);
    let total_row = &overview[overview.rfind("Total").unwrap()..];
    assert!(total_row.contains(">1<"), "{total_row}");
}
