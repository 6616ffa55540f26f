//! Issue 11, items 6 to 9: cases the Ombudsman decides again, PHSO and
//! joint cases in the statistics, the dates of witness summonses, and
//! extensions to information requests.

use serde_json::{json, Value};

use crate::common::{get, TestApp, TestUser};

fn case(reference: &str) -> Value {
    json!({
        "reference": reference,
        "directorate": "adults",
        "category": "Adult care services",
        "sub_category": "Assessment and care plan",
        "received_on": "2022-11-14",
        "summary": "The care plan was reduced without a reassessment.",
    })
}

fn decided(reference: &str, decision: &str, decided_on: &str) -> Value {
    let mut body = case(reference);
    body["decision"] = json!(decision);
    body["decided_on"] = json!(decided_on);
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

fn reopen_path(case: &Value) -> String {
    format!("{}/reopen", path(case))
}

async fn reopen(app: &TestApp, user: &TestUser, case: &Value, on: &str) -> Value {
    let res = app
        .post(&reopen_path(case))
        .auth(user)
        .json(&json!({"reopened_on": on}))
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

async fn patch(app: &TestApp, user: &TestUser, case: &Value, body: Value) -> Value {
    let res = app.patch(&path(case)).auth(user).json(&body).send().await;
    res.assert_status(200);
    res.json()
}

/// Rows of `ombudsman_decisions` for the case `id`.
async fn stored_rounds(app: &TestApp, id: i64) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.state
        .db
        .run(move |conn| {
            use diesel::RunQueryDsl;
            Ok(diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM ombudsman_decisions WHERE case_id = {id}"
            ))
            .get_result::<Count>(conn)?
            .n)
        })
        .await
        .expect("count rounds")
}

// Item 6: cases decided again.

#[actix_web::test]
async fn a_case_decided_again_counts_in_the_year_of_each_decision() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let mut body = decided("22 081 517", "upheld", "2023-02-17");
    body["remedied_before_ombudsman"] = json!(true);
    body["recommendations"] =
        json!([{"kind": "apology", "due_on": "2023-03-20", "completed_on": "2023-03-09"}]);
    let created = create(&app, &manager, &body).await;
    assert_eq!(
        created["decisions"],
        json!([{"round": 1, "decision": "upheld", "decision_bucket": "investigated",
                "decided_on": "2023-02-17", "remedied_before_ombudsman": true, "reopened_on": null}])
    );
    assert_eq!(created["reopened_on"], Value::Null);
    let year = |y: i32| format!("/api/v1/statistics/ombudsman?year={y}");
    let first = get(&app, &manager, &year(2022)).await;
    assert_eq!(
        (first["dealt_with"].as_i64(), first["upheld"].as_i64()),
        (Some(1), Some(1))
    );

    // A caseworker records the re-opening; the new round is open.
    let res = app
        .post(&reopen_path(&created))
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&json!({"reopened_on": "2023-06-05"}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let reopened = res.json();
    assert_eq!(reopened["decision"], Value::Null);
    assert_eq!(reopened["decided_on"], Value::Null);
    assert_eq!(reopened["decision_bucket"], Value::Null);
    assert_eq!(reopened["remedied_before_ombudsman"], false);
    assert_eq!(reopened["reopened_on"], "2023-06-05");
    assert_eq!(reopened["decisions"][0], created["decisions"][0]);
    assert_eq!(
        reopened["decisions"][1],
        json!({"round": 2, "decision": null, "decision_bucket": null, "decided_on": null,
               "remedied_before_ombudsman": false, "reopened_on": "2023-06-05"})
    );
    // The recommendations and compliance of the upheld round stay.
    assert_eq!(reopened["recommendations"].as_array().unwrap().len(), 1);
    assert_eq!(reopened["compliance_outcome"], "complied");
    // Last year's figures do not change.
    assert_eq!(get(&app, &manager, &year(2022)).await, first);

    // Only a manager records the new decision.
    app.patch(&path(&created))
        .auth(&worker)
        .json(&json!({"decision": "upheld", "decided_on": "2023-09-12"}))
        .send()
        .await
        .problem(403);
    let again = patch(
        &app,
        &manager,
        &created,
        json!({"decision": "upheld", "decided_on": "2023-09-12"}),
    )
    .await;
    assert_eq!(again["decision"], "upheld");
    assert_eq!(again["decided_on"], "2023-09-12");
    assert_eq!(again["decisions"][0], created["decisions"][0]);
    assert_eq!(again["decisions"][1]["decided_on"], "2023-09-12");
    assert_eq!(again["decisions"][1]["reopened_on"], "2023-06-05");

    // Counted in both years; the earlier year as it was published.
    assert_eq!(get(&app, &manager, &year(2022)).await, first);
    let second = get(&app, &manager, &year(2023)).await;
    assert_eq!(
        (second["dealt_with"].as_i64(), second["upheld"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        second["satisfactory_remedy"],
        json!({"numerator": 0, "denominator": 1, "percent": 0.0})
    );
    let volumes = get(
        &app,
        &manager,
        "/api/v1/statistics/feedback?year=2023&years=2",
    )
    .await;
    assert_eq!(volumes["years"][0]["ombudsman_decided"], 1);
    assert_eq!(volumes["years"][1]["ombudsman_decided"], 1);

    // A PATCH corrects the latest round only.
    let corrected = patch(
        &app,
        &manager,
        &created,
        json!({"decision": "not_upheld", "decided_on": "2023-09-13"}),
    )
    .await;
    assert_eq!(corrected["decisions"][0], created["decisions"][0]);
    assert_eq!(corrected["decisions"][1]["decision"], "not_upheld");
    let second = get(&app, &manager, &year(2023)).await;
    assert_eq!(
        (second["upheld"].as_i64(), second["not_upheld"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(get(&app, &manager, &year(2022)).await, first);
    // The list filters by the latest decision.
    let listed = get(
        &app,
        &manager,
        "/api/v1/ombudsman-cases?decided_from=2023-04-01&decided_to=2024-03-31",
    )
    .await;
    assert_eq!(listed["total"], 1);

    // The re-opening and the corrections are in the history.
    let history = get(&app, &manager, &format!("{}/history", path(&created))).await;
    let items = history["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "reopen", "update", "update"]);
    let reopening = &items[1]["changes"];
    assert_eq!(reopening["decision"], json!({"from": "upheld", "to": null}));
    assert_eq!(
        reopening["decided_on"],
        json!({"from": "2023-02-17", "to": null})
    );
    assert_eq!(
        reopening["reopened_on"],
        json!({"from": null, "to": "2023-06-05"})
    );
    assert_eq!(items[1]["actor"], json!(worker.username));
    assert_eq!(
        items[3]["changes"]["decision"],
        json!({"from": "upheld", "to": "not_upheld"})
    );
}

#[actix_web::test]
async fn reopening_refuses_what_does_not_fit() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2025-08-20")]).await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let undecided = create(&app, &manager, &case("23 104 220")).await;
    let body = json!({"reopened_on": "2025-07-01"});
    // Nothing to re-open yet.
    app.post(&reopen_path(&undecided))
        .auth(&manager)
        .json(&body)
        .send()
        .await
        .problem(409);
    let decided = create(
        &app,
        &manager,
        &decided("23 104 221", "closed_after_initial_enquiries", "2025-06-30"),
    )
    .await;
    // Before the decision, or in the future.
    let res = app
        .post(&reopen_path(&decided))
        .auth(&manager)
        .json(&json!({"reopened_on": "2025-06-29"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["reopened_on"]);
    let res = app
        .post(&reopen_path(&decided))
        .auth(&manager)
        .json(&json!({"reopened_on": "2025-08-21"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["reopened_on"]);
    // A body that does not fit.
    for bad in [
        json!({}),
        json!({"reopened_on": "2025-07-01", "decision": "upheld"}),
        json!({"reopened_on": "soon"}),
    ] {
        app.post(&reopen_path(&decided))
            .auth(&manager)
            .json(&bad)
            .send()
            .await
            .problem(422);
    }
    // A stale version.
    app.post(&reopen_path(&decided))
        .auth(&manager)
        .header("if-match", "\"7\"")
        .json(&body)
        .send()
        .await
        .problem(412);
    // Who may not: no token, analysts and the CRM, staff of another
    // directorate (who cannot see it), and unknown cases.
    app.post(&reopen_path(&decided))
        .json(&body)
        .send()
        .await
        .problem(401);
    for user in [
        app.as_analyst("adults").await,
        app.as_integration("adults").await,
    ] {
        app.post(&reopen_path(&decided))
            .auth(&user)
            .json(&body)
            .send()
            .await
            .problem(403);
    }
    for user in [
        app.as_caseworker("children").await,
        app.as_manager("children").await,
    ] {
        app.post(&reopen_path(&decided))
            .auth(&user)
            .json(&body)
            .send()
            .await
            .problem(404);
    }
    app.post("/api/v1/ombudsman-cases/987654/reopen")
        .auth(&manager)
        .json(&body)
        .send()
        .await
        .problem(404);
    // None of that changed it.
    assert_eq!(get(&app, &manager, &path(&decided)).await["version"], 1);
    // The day of the decision itself will do; a second re-opening waits
    // for the new decision.
    let reopened = reopen(&app, &worker, &decided, "2025-06-30").await;
    assert_eq!(reopened["decisions"].as_array().unwrap().len(), 2);
    app.post(&reopen_path(&decided))
        .auth(&worker)
        .json(&body)
        .send()
        .await
        .problem(409);
    patch(
        &app,
        &manager,
        &decided,
        json!({"decision": "not_upheld", "decided_on": "2025-07-15"}),
    )
    .await;
    let third = reopen(&app, &worker, &decided, "2025-08-20").await;
    let rounds: Vec<i64> = third["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["round"].as_i64().unwrap())
        .collect();
    assert_eq!(rounds, [1, 2, 3]);
    assert_eq!(third["decisions"][1]["decision"], "not_upheld");
}

#[actix_web::test]
async fn the_latest_round_is_corrected_and_earlier_rounds_stay() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2025-08-20")]).await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let mut body = decided("24 210 330", "upheld", "2024-10-08");
    body["received_on"] = json!("2024-06-03");
    body["recommendations"] = json!([{"kind": "financial_redress", "amount_pence": 35_000,
        "due_on": "2024-11-08", "completed_on": "2024-11-01"}]);
    // A new case is not re-opened.
    let mut reopened_body = body.clone();
    reopened_body["reference"] = json!("24 210 331");
    reopened_body["reopened_on"] = json!("2024-10-01");
    let res = app
        .post("/api/v1/ombudsman-cases")
        .auth(&manager)
        .json(&reopened_body)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["reopened_on"]);
    let created = create(&app, &manager, &body).await;
    // Nor is a case decided once given a reopened_on by a PATCH.
    let res = app
        .patch(&path(&created))
        .auth(&manager)
        .json(&json!({"reopened_on": "2024-09-30"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["reopened_on"]);
    reopen(&app, &worker, &created, "2025-01-13").await;

    // The new decision cannot come before the re-opening.
    let res = app
        .patch(&path(&created))
        .auth(&manager)
        .json(&json!({"decision": "not_upheld", "decided_on": "2025-01-10"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["decided_on"]);
    // Decided not upheld, the first round's recommendations stay.
    let again = patch(
        &app,
        &manager,
        &created,
        json!({"decision": "not_upheld", "decided_on": "2025-04-22"}),
    )
    .await;
    assert_eq!(again["recommendations"][0]["amount_pence"], 35_000);
    assert_eq!(again["compliance_outcome"], "complied");

    // The re-opening date can be corrected, not cleared (which would leave
    // the recommendations without an upheld decision), and not moved before
    // the first decision or after the second.
    let res = app
        .patch(&path(&created))
        .auth(&worker)
        .json(&json!({"reopened_on": null}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["recommendations"]);
    let res = app
        .patch(&path(&created))
        .auth(&worker)
        .json(&json!({"reopened_on": "2024-10-07"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["reopened_on"]);
    let res = app
        .patch(&path(&created))
        .auth(&worker)
        .json(&json!({"reopened_on": "2025-04-23"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["decided_on"]);
    let moved = patch(
        &app,
        &worker,
        &created,
        json!({"reopened_on": "2025-01-20"}),
    )
    .await;
    assert_eq!(moved["reopened_on"], "2025-01-20");
    assert_eq!(moved["decisions"][1]["reopened_on"], "2025-01-20");
    assert_eq!(moved["decisions"][0]["decided_on"], "2024-10-08");
    let history = get(&app, &manager, &format!("{}/history", path(&created))).await;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "update");
    assert_eq!(
        last["changes"]["reopened_on"],
        json!({"from": "2025-01-13", "to": "2025-01-20"})
    );

    // Clearing the new decision opens the round again; the first stays.
    let open = patch(
        &app,
        &manager,
        &created,
        json!({"decision": null, "decided_on": null}),
    )
    .await;
    assert_eq!(open["decisions"][0]["decision"], "upheld");
    assert_eq!(open["decisions"][1]["decision"], Value::Null);
    assert_eq!(open["decision"], Value::Null);

    // A case never upheld has no recommendations, re-opened or not.
    let refused = create(
        &app,
        &manager,
        &decided("24 210 332", "incomplete_or_invalid", "2024-07-01"),
    )
    .await;
    reopen(&app, &worker, &refused, "2024-07-02").await;
    let res = app
        .patch(&path(&refused))
        .auth(&worker)
        .json(&json!({"reopened_on": null}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["reopened_on"]);
    let res = app
        .patch(&path(&refused))
        .auth(&manager)
        .json(&json!({"recommendations": [{"kind": "apology"}]}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["recommendations"]);

    // Deleting and erasing a case take its rounds with it.
    let id = created["id"].as_i64().unwrap();
    assert_eq!(stored_rounds(&app, id).await, 2);
    app.delete(&path(&created))
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    assert_eq!(stored_rounds(&app, id).await, 0);
    let id = refused["id"].as_i64().unwrap();
    assert_eq!(stored_rounds(&app, id).await, 2);
    app.post(&format!("{}/erase", path(&refused)))
        .auth(&manager)
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .assert_status(200);
    assert_eq!(stored_rounds(&app, id).await, 0);
}

// Item 7: PHSO and joint cases.

#[actix_web::test]
async fn phso_cases_count_only_when_asked_for() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let mut lgsco = decided("23 301 101", "not_upheld", "2023-05-16");
    lgsco["received_on"] = json!("2023-01-09");
    let mut phso = decided("23 301 102", "upheld", "2023-07-04");
    phso["ombudsman"] = json!("phso");
    phso["received_on"] = json!("2023-01-09");
    phso["recommendations"] = json!([{"kind": "financial_redress", "amount_pence": 10_000,
        "due_on": "2023-08-01", "completed_on": "2023-07-25"}]);
    phso["information_requests"] = json!([{"requested_on": "2023-05-02", "due_on": "2023-06-01",
        "provided_on": "2023-06-20"}]);
    let mut joint = decided("23 301 103", "upheld", "2023-10-30");
    joint["ombudsman"] = json!("joint");
    joint["received_on"] = json!("2023-01-09");
    joint["public_report"] = json!(true);
    joint["recommendations"] = json!([{"kind": "financial_redress", "amount_pence": 40_000,
        "due_on": "2023-12-01", "completed_on": "2023-11-20"}]);
    for body in [&lgsco, &phso, &joint] {
        create(&app, &admin, body).await;
    }
    let analyst = app.as_analyst("adults").await;
    let stats = |query: &'static str| {
        let (app, analyst) = (&app, &analyst);
        async move {
            get(
                app,
                analyst,
                &format!("/api/v1/statistics/ombudsman?year=2023&directorate=adults{query}"),
            )
            .await
        }
    };
    // By default the LGSCO's own cases and joint ones, as the LGSCO counts.
    let default = stats("").await;
    assert_eq!(default["ombudsman"], json!(["lgsco", "joint"]));
    assert_eq!(
        (
            default["dealt_with"].as_i64(),
            default["upheld"].as_i64(),
            default["not_upheld"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(default["financial_redress_pence"], 40_000);
    assert_eq!(default["public_reports"], 1);
    assert_eq!(
        (
            default["compliance"]["numerator"].as_i64(),
            default["compliance"]["denominator"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(default["information_requests"]["total"], 0);
    assert_eq!(stats("&ombudsman=lgsco,joint").await, default);
    // PHSO cases when asked for.
    let phso = stats("&ombudsman=phso").await;
    assert_eq!(phso["ombudsman"], json!(["phso"]));
    assert_eq!(
        (phso["dealt_with"].as_i64(), phso["upheld"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(phso["financial_redress_pence"], 10_000);
    assert_eq!(phso["information_requests"]["total"], 1);
    assert_eq!(phso["information_requests"]["late"], 1);
    let all = stats("&ombudsman=phso,joint,lgsco,phso").await;
    assert_eq!(all["ombudsman"], json!(["lgsco", "phso", "joint"]));
    assert_eq!(all["dealt_with"], 3);
    assert_eq!(all["financial_redress_pence"], 50_000);
    assert_eq!(stats("&ombudsman=joint").await["dealt_with"], 1);
    // The feedback volumes and the annual report take the same filter.
    let volumes = |query: &'static str| {
        let (app, analyst) = (&app, &analyst);
        async move {
            get(
                app,
                analyst,
                &format!("/api/v1/statistics/feedback?year=2023&years=1&directorate=adults{query}"),
            )
            .await["years"][0]["ombudsman_decided"]
                .clone()
        }
    };
    assert_eq!(volumes("").await, 2);
    assert_eq!(volumes("&ombudsman=phso").await, 1);
    assert_eq!(volumes("&ombudsman=lgsco,phso,joint").await, 3);
    for (query, dealt_with, decided) in [
        ("", 2, 2),
        ("&ombudsman=phso", 1, 1),
        ("&ombudsman=phso,lgsco", 2, 2),
    ] {
        let res = app
            .get(&format!(
                "/api/v1/reports/annual?year=2023&directorate=adults{query}"
            ))
            .auth(&analyst)
            .header("accept", "application/json")
            .send()
            .await;
        res.assert_status(200);
        let report = res.json();
        assert_eq!(report["ombudsman"]["dealt_with"], dealt_with, "{query}");
        assert_eq!(
            report["feedback"]["years"][0]["ombudsman_decided"], decided,
            "{query}"
        );
    }
    let html = app
        .get("/api/v1/reports/annual?year=2023&directorate=adults&ombudsman=phso")
        .auth(&analyst)
        .header("accept", "text/html")
        .send()
        .await;
    html.assert_status(200);
    assert!(html
        .text()
        .contains("Parliamentary and Health Service Ombudsman"));
    // A value that is not an Ombudsman cannot be parsed: 400.
    for path in [
        "/api/v1/statistics/ombudsman?year=2023&ombudsman=hso",
        "/api/v1/statistics/ombudsman?year=2023&ombudsman=",
        "/api/v1/statistics/ombudsman?year=2023&ombudsman=lgsco,",
        "/api/v1/statistics/feedback?year=2023&ombudsman=LGSCO",
        "/api/v1/reports/annual?year=2023&ombudsman=all",
    ] {
        let res = app.get(path).auth(&analyst).send().await;
        assert_eq!(res.unreadable_parameters(), ["ombudsman"], "{path}");
    }
    // Who may ask is unchanged.
    app.get("/api/v1/statistics/ombudsman?year=2023&ombudsman=phso")
        .send()
        .await
        .problem(401);
    for user in [
        app.as_caseworker("adults").await,
        app.as_integration("adults").await,
    ] {
        app.get("/api/v1/statistics/ombudsman?year=2023&ombudsman=phso")
            .auth(&user)
            .send()
            .await
            .problem(403);
    }
    let elsewhere = app.as_analyst("children").await;
    app.get("/api/v1/statistics/ombudsman?year=2023&directorate=adults&ombudsman=phso")
        .auth(&elsewhere)
        .send()
        .await
        .problem(403);
    let theirs = get(
        &app,
        &elsewhere,
        "/api/v1/statistics/ombudsman?year=2023&ombudsman=lgsco,phso,joint",
    )
    .await;
    assert_eq!(theirs["dealt_with"], 0);
}

// Item 8: witness summonses.

#[actix_web::test]
async fn witness_summonses_and_warnings_count_by_their_own_dates() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2025-02-10")]).await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    // Warned in 2023-24, summoned later that year, decided in 2024-25.
    let mut body = decided("23 455 610", "upheld", "2024-06-03");
    body["received_on"] = json!("2023-03-01");
    body["witness_summons_warned_on"] = json!("2023-09-18");
    body["witness_summons_on"] = json!("2024-02-12");
    let warned_then_summoned = create(&app, &manager, &body).await;
    assert_eq!(warned_then_summoned["witness_summons"], true);
    assert_eq!(
        warned_then_summoned["witness_summons_warned_on"],
        "2023-09-18"
    );
    assert_eq!(warned_then_summoned["witness_summons_on"], "2024-02-12");
    // Summoned before any warning was recorded, and still undecided.
    let mut body = case("24 455 611");
    body["received_on"] = json!("2024-04-22");
    body["witness_summons_on"] = json!("2024-08-19");
    body["witness_summons_warned_on"] = json!("2024-09-02");
    create(&app, &worker, &body).await;
    // Only warned.
    let mut body = case("24 455 612");
    body["received_on"] = json!("2024-04-22");
    body["witness_summons_warned_on"] = json!("2024-10-01");
    let warned = create(&app, &worker, &body).await;
    assert_eq!(warned["witness_summons"], false);
    assert_eq!(warned["witness_summons_on"], Value::Null);

    let analyst = app.as_analyst("adults").await;
    let year = |y: i32| format!("/api/v1/statistics/ombudsman?year={y}");
    let earlier = get(&app, &analyst, &year(2023)).await;
    assert_eq!(
        (
            earlier["witness_summons"].as_i64(),
            earlier["witness_summons_warnings"].as_i64(),
            earlier["dealt_with"].as_i64()
        ),
        (Some(1), Some(1), Some(0))
    );
    let later = get(&app, &analyst, &year(2024)).await;
    assert_eq!(
        (
            later["witness_summons"].as_i64(),
            later["witness_summons_warnings"].as_i64(),
            later["dealt_with"].as_i64()
        ),
        (Some(1), Some(2), Some(1))
    );
    let csv = app
        .get(&year(2024))
        .auth(&analyst)
        .header("accept", "text/csv")
        .send()
        .await
        .text();
    assert!(
        csv.contains("\"Witness summons warnings\",\"2\"\r\n"),
        "{csv}"
    );

    // Issuing and withdrawing a summons is a caseworker's change, audited.
    let summoned = patch(
        &app,
        &worker,
        &warned,
        json!({"witness_summons_on": "2024-11-04"}),
    )
    .await;
    assert_eq!(summoned["witness_summons"], true);
    assert_eq!(get(&app, &analyst, &year(2024)).await["witness_summons"], 2);
    let history = get(&app, &worker, &format!("{}/history", path(&warned))).await;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["changes"]["witness_summons_on"],
        json!({"from": null, "to": "2024-11-04"})
    );
    // The older flag is accepted where it agrees with the date, and changes
    // nothing by itself.
    let res = app
        .patch(&path(&warned))
        .auth(&worker)
        .json(&json!({"witness_summons": true}))
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.json()["version"], summoned["version"]);
    let res = app
        .patch(&path(&warned))
        .auth(&worker)
        .json(&json!({"witness_summons": false}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["witness_summons"]);
    let withdrawn = patch(&app, &worker, &warned, json!({"witness_summons_on": null})).await;
    assert_eq!(withdrawn["witness_summons"], false);
    assert_eq!(withdrawn["witness_summons_warned_on"], "2024-10-01");

    // A lone `true` has no date to count by.
    let mut body = case("24 455 613");
    body["witness_summons"] = json!(true);
    let res = app
        .post("/api/v1/ombudsman-cases")
        .auth(&worker)
        .json(&body)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["witness_summons_on"]);
    body["witness_summons_on"] = json!("2023-01-16");
    assert_eq!(create(&app, &worker, &body).await["witness_summons"], true);
    // Dates before the Ombudsman's first contact, or in the future.
    let mut body = case("24 455 614");
    body["witness_summons_warned_on"] = json!("2022-11-13");
    body["witness_summons_on"] = json!("2025-02-11");
    let res = app
        .post("/api/v1/ombudsman-cases")
        .auth(&worker)
        .json(&body)
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["witness_summons_on", "witness_summons_warned_on"]);
    body["witness_summons_warned_on"] = json!("2025-02-11");
    body["witness_summons_on"] = json!("2022-11-13");
    let mut fields = app
        .post("/api/v1/ombudsman-cases")
        .auth(&worker)
        .json(&body)
        .send()
        .await
        .invalid_fields();
    fields.sort();
    assert_eq!(fields, ["witness_summons_on", "witness_summons_warned_on"]);
    // Who may record them: staff of the case's directorate, with a fresh
    // version.
    let change = json!({"witness_summons_warned_on": "2024-12-02"});
    app.patch(&path(&warned))
        .auth(&worker)
        .header("if-match", "\"1\"")
        .json(&change)
        .send()
        .await
        .problem(412);
    app.patch(&path(&warned))
        .auth(&app.as_caseworker("children").await)
        .json(&change)
        .send()
        .await
        .problem(404);
    app.patch(&path(&warned))
        .auth(&analyst)
        .json(&change)
        .send()
        .await
        .problem(403);
    app.patch(&path(&warned))
        .json(&change)
        .send()
        .await
        .problem(401);
}

// Item 9: information requests.

fn request(requested: &str, due: &str, provided: Option<&str>) -> Value {
    let mut request = json!({"requested_on": requested, "due_on": due});
    if let Some(provided) = provided {
        request["provided_on"] = json!(provided);
    }
    request
}

fn extended(mut request: Value, asked: &str, extended: Option<&str>) -> Value {
    request["extension_requested_on"] = json!(asked);
    if let Some(extended) = extended {
        request["extended_due_on"] = json!(extended);
    }
    request
}

#[actix_web::test]
async fn extensions_move_due_dates_and_late_requests_count_per_case() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2025-03-05")]).await;
    let worker = app.as_caseworker("adults").await;
    let with_requests = |reference: &str, requests: Value| {
        let mut body = case(reference);
        body["received_on"] = json!("2024-04-15");
        body["information_requests"] = requests;
        body
    };
    // Answered within an extension asked for in time; then an extension
    // asked for on the due date, and the answer later still.
    let a = create(
        &app,
        &worker,
        &with_requests(
            "24 617 001",
            json!([
                extended(
                    request("2024-05-06", "2024-06-03", Some("2024-06-14")),
                    "2024-05-28",
                    Some("2024-06-17")
                ),
                extended(
                    request("2024-07-01", "2024-07-29", Some("2024-08-20")),
                    "2024-07-29",
                    Some("2024-08-12")
                ),
            ]),
        ),
    )
    .await;
    let requests = &a["information_requests"];
    assert_eq!(
        (
            requests[0]["late"].as_bool(),
            requests[0]["extension_requested_late"].as_bool()
        ),
        (Some(false), Some(false))
    );
    assert_eq!(
        (
            requests[1]["late"].as_bool(),
            requests[1]["extension_requested_late"].as_bool()
        ),
        (Some(true), Some(true))
    );
    assert_eq!(requests[0]["extended_due_on"], "2024-06-17");
    assert_eq!(requests[1]["extension_requested_on"], "2024-07-29");
    assert_eq!(a["information_requests_late"], 1);
    // Late, without an extension.
    create(
        &app,
        &worker,
        &with_requests(
            "24 617 002",
            json!([request("2024-09-02", "2024-09-30", Some("2024-10-04"))]),
        ),
    )
    .await;
    // An extension asked for after the due date and not granted: late.
    create(
        &app,
        &worker,
        &with_requests(
            "24 617 003",
            json!([extended(
                request("2024-10-07", "2024-11-04", Some("2024-11-08")),
                "2024-11-11",
                None
            )]),
        ),
    )
    .await;
    // Unanswered, past its due date but within the extension: not late.
    let d = create(
        &app,
        &worker,
        &with_requests(
            "24 617 004",
            json!([extended(
                request("2025-01-06", "2025-02-03", None),
                "2025-01-27",
                Some("2025-03-10")
            )]),
        ),
    )
    .await;
    assert_eq!(d["information_requests"][0]["late"], false);
    assert_eq!(d["information_requests_late"], 0);
    // Unanswered past its due date: late.
    create(
        &app,
        &worker,
        &with_requests(
            "24 617 005",
            json!([request("2024-11-18", "2024-12-16", None)]),
        ),
    )
    .await;

    let analyst = app.as_analyst("adults").await;
    let stats = get(&app, &analyst, "/api/v1/statistics/ombudsman?year=2024").await;
    assert_eq!(
        stats["information_requests"],
        json!({"total": 6, "late": 4, "extensions_requested": 4, "extensions_requested_late": 2,
               "cases": 5, "cases_with_late": 4})
    );
    let csv = app
        .get("/api/v1/statistics/ombudsman?year=2024")
        .auth(&analyst)
        .header("accept", "text/csv")
        .send()
        .await
        .text();
    assert!(
        csv.contains("\"Information requests: cases with late\",\"4\"\r\n"),
        "{csv}"
    );
    // The list's filter agrees.
    let late = get(
        &app,
        &worker,
        "/api/v1/ombudsman-cases?late_information_requests=true",
    )
    .await;
    assert_eq!(late["total"], 4);
    let on_time = get(
        &app,
        &worker,
        "/api/v1/ombudsman-cases?late_information_requests=false",
    )
    .await;
    assert_eq!(on_time["total"], 1);
    assert_eq!(on_time["items"][0]["id"], d["id"]);
    // Once the extension runs out unanswered, the request is late.
    let later = app.sibling(&[("REDRESS_TODAY", "2025-03-11")]).await;
    let seen = get(&later, &worker, &path(&d)).await;
    assert_eq!(seen["information_requests"][0]["late"], true);
    let stats = get(&later, &analyst, "/api/v1/statistics/ombudsman?year=2024").await;
    assert_eq!(stats["information_requests"]["cases_with_late"], 5);

    // An extension is recorded, and audited, like any change.
    let granted = patch(
        &app,
        &worker,
        &d,
        json!({"information_requests": [extended(request("2025-01-06", "2025-02-03", Some("2025-03-04")), "2025-01-27", Some("2025-03-10"))]}),
    )
    .await;
    assert_eq!(
        granted["information_requests"][0]["provided_on"],
        "2025-03-04"
    );
    let history = get(&app, &worker, &format!("{}/history", path(&d))).await;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["changes"]["information_requests"]["to"][0]["extended_due_on"],
        "2025-03-10"
    );
}

#[actix_web::test]
async fn extension_dates_are_checked() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2025-03-05")]).await;
    let worker = app.as_caseworker("adults").await;
    let mut body = case("24 617 010");
    body["information_requests"] = json!([
        // An extended due date needs the day the extension was asked for.
        {"requested_on": "2024-05-06", "due_on": "2024-06-03", "extended_due_on": "2024-06-17"},
        // It must be after the original due date.
        extended(request("2024-05-06", "2024-06-03", None), "2024-05-20", Some("2024-06-03")),
        // Nor before it was asked for.
        extended(request("2024-05-06", "2024-06-03", None), "2024-06-20", Some("2024-06-17")),
        // Asked for before the request, or in the future.
        extended(request("2024-05-06", "2024-06-03", None), "2024-05-05", None),
        extended(request("2024-05-06", "2024-06-03", None), "2025-03-06", None),
    ]);
    let res = app
        .post("/api/v1/ombudsman-cases")
        .auth(&worker)
        .json(&body)
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "information_requests[0].extended_due_on",
            "information_requests[1].extended_due_on",
            "information_requests[2].extended_due_on",
            "information_requests[3].extension_requested_on",
            "information_requests[4].extension_requested_on",
        ]
    );
    // The same checks on a change, which changes nothing when refused.
    body["information_requests"] = json!([request("2024-05-06", "2024-06-03", None)]);
    let created = create(&app, &worker, &body).await;
    let res = app
        .patch(&path(&created))
        .auth(&worker)
        .json(&json!({"information_requests": [
            {"requested_on": "2024-05-06", "due_on": "2024-06-03", "extended_due_on": "2024-05-31"}]}))
        .send()
        .await;
    assert_eq!(
        res.invalid_fields(),
        ["information_requests[0].extended_due_on"]
    );
    app.patch(&path(&created))
        .auth(&worker)
        .json(&json!({"information_requests": [{"requested_on": "2024-05-06", "due_on": "2024-06-03", "extension_asked": "2024-05-20"}]}))
        .send()
        .await
        .problem(422);
    assert_eq!(get(&app, &worker, &path(&created)).await["version"], 1);
    let change = json!({"information_requests": [
        extended(request("2024-05-06", "2024-06-03", None), "2024-05-20", Some("2024-06-24"))]});
    app.patch(&path(&created))
        .auth(&app.as_manager("corporate").await)
        .json(&change)
        .send()
        .await
        .problem(404);
    app.patch(&path(&created))
        .auth(&app.as_analyst("adults").await)
        .json(&change)
        .send()
        .await
        .problem(403);
    app.patch("/api/v1/ombudsman-cases/424242")
        .auth(&worker)
        .json(&change)
        .send()
        .await
        .problem(404);
    let saved = patch(&app, &worker, &created, change).await;
    assert_eq!(
        saved["information_requests"][0]["extended_due_on"],
        "2024-06-24"
    );
}

// The demo data set shows all four.

#[actix_web::test]
async fn the_demo_data_has_rounds_phso_and_joint_cases_summonses_and_extensions() {
    let app = TestApp::new().await;
    let rules = redress::timescales::TimeRules::current(&app.state)
        .await
        .unwrap();
    let db = app.state.db.clone();
    actix_web::web::block(move || {
        let mut conn = db.get().expect("connection");
        redress::db::write_tx(&mut conn, |conn| {
            crate::demo::load(conn, &rules, redress::calendar::uk_today())
        })
    })
    .await
    .expect("blocking")
    .expect("demo data");
    let admin = app.as_admin().await;
    let cases = get(&app, &admin, "/api/v1/ombudsman-cases?limit=500").await;
    assert!(cases["total"].as_i64().unwrap() < 500);
    let cases = cases["items"].as_array().unwrap();
    let year_of = |date: &Value| {
        let date: chrono::NaiveDate = date.as_str().unwrap().parse().unwrap();
        redress::statistics::Period::financial_year_of(date).label
    };
    let reopened: Vec<&Value> = cases
        .iter()
        .filter(|c| c["decisions"].as_array().unwrap().len() > 1)
        .collect();
    assert!(!reopened.is_empty());
    for case in &reopened {
        let rounds = case["decisions"].as_array().unwrap();
        assert_ne!(
            year_of(&rounds[0]["decided_on"]),
            year_of(&rounds[1]["decided_on"])
        );
        assert!(rounds[1]["reopened_on"].is_string());
    }
    for ombudsman in ["phso", "joint"] {
        assert!(
            cases.iter().any(|c| c["ombudsman"] == ombudsman),
            "{ombudsman}"
        );
    }
    assert!(cases.iter().any(|c| {
        c["witness_summons"] == true
            && c["witness_summons_warned_on"].as_str() < c["witness_summons_on"].as_str()
    }));
    let requests: Vec<&Value> = cases
        .iter()
        .flat_map(|c| c["information_requests"].as_array().unwrap())
        .collect();
    assert!(requests
        .iter()
        .any(|r| r["extended_due_on"].is_string() && r["extension_requested_late"] == false));
    assert!(requests
        .iter()
        .any(|r| r["extension_requested_late"] == true));
    // The published 2024-25 figures stay as published; PHSO's are apart.
    let lgsco = get(&app, &admin, "/api/v1/statistics/ombudsman?year=2024").await;
    assert_eq!(lgsco["dealt_with"], 79);
    let phso = get(
        &app,
        &admin,
        "/api/v1/statistics/ombudsman?year=2024&ombudsman=phso",
    )
    .await;
    assert_eq!(phso["dealt_with"], 1);
    let summoned = get(&app, &admin, "/api/v1/statistics/ombudsman?year=2023").await;
    assert!(summoned["witness_summons"].as_i64().unwrap() >= 1);
    assert!(summoned["witness_summons_warnings"].as_i64().unwrap() >= 1);
    assert!(
        summoned["information_requests"]["extensions_requested_late"]
            .as_i64()
            .unwrap()
            >= 1
    );
}
