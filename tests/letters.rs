//! Letters from templates: the shipped letters name each procedure's next
//! step, escape what they print and are kept as documents; admins keep
//! their own templates, tried before they are saved.

use serde_json::{json, Value};

use crate::common::{get, post, TestApp, TestUser};

/// A complaint made with `fields` over a plain one received 2 March 2026.
async fn complaint(app: &TestApp, user: &TestUser, fields: Value) -> i64 {
    let mut body = json!({"kind": "complaint", "received_on": "2026-03-02",
        "category": "Home care", "complainant": {"name": "Mrs Y", "address": "1 High Street\nTown"}});
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    post(app, user, "/api/v1/feedback", body).await["id"]
        .as_i64()
        .unwrap()
}

/// Make the letter `template` about `path`'s record and read it back.
async fn letter(app: &TestApp, user: &TestUser, path: &str, template: &str) -> (Value, String) {
    let res = app
        .post(&format!("{path}/letters"))
        .auth(user)
        .json(&json!({"template": template}))
        .send()
        .await;
    res.assert_status(201);
    let document = res.json();
    let download = app
        .get(document["href"].as_str().unwrap())
        .auth(user)
        .send()
        .await;
    download.assert_status(200);
    (document, download.text())
}

#[actix_web::test]
async fn the_shipped_letters_name_each_procedures_next_step() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2026-04-20")]).await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let adults = complaint(
        &app,
        &manager,
        json!({"directorate": "adults", "procedure": "statutory_adults", "stage": 1,
        "responded_on": "2026-04-01", "outcome": "partially_upheld",
        "remedies": [{"kind": "time_and_trouble", "description": "A payment for your time and trouble",
                      "amount_pence": 30000, "agreed_on": "2026-04-01", "due_on": "2026-04-24"}]}),
    )
    .await;
    let path = format!("/api/v1/feedback/{adults}");
    app.post(&format!("{path}/assign"))
        .auth(&manager)
        .json(&json!({"handler": worker.id}))
        .send()
        .await
        .assert_status(200);

    let (document, text) = letter(&app, &worker, &path, "adults-response").await;
    assert_eq!(document["kind"], "letter_out");
    assert_eq!(document["title"], "Response (adult social care)");
    assert_eq!(document["content_type"], "text/html; charset=utf-8");
    let reference = get(&app, &worker, &path).await["reference"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        document["filename"]
            .as_str()
            .unwrap()
            .starts_with("adults-response-"),
        "{document}"
    );
    for words in [
        "Mrs Y",
        "1 High Street<br>Town",
        reference.as_str(),
        "20 April 2026",
        "received on 2 March 2026",
        "partially upheld",
        "A payment for your time and trouble (£300.00), by 24 April 2026",
        "Local Government and Social Care Ombudsman",
        "Test caseworker",
    ] {
        assert!(text.contains(words), "missing {words:?} in:\n{text}");
    }
    // The same letter again is a duplicate.
    app.post(&format!("{path}/letters"))
        .auth(&worker)
        .json(&json!({"template": "adults-response"}))
        .send()
        .await
        .problem(409);

    let (_, text) = letter(&app, &worker, &path, "adults-acknowledgement").await;
    assert!(text.contains("Local Authority Social Services and National Health Service Complaints (England) Regulations 2009"));
    assert!(
        text.contains("within six months, by 1 September 2026"),
        "{text}"
    );

    // Children's stage 1 and 2 name the next stage; stage 3 the Ombudsman.
    let children_manager = app.as_manager("children").await;
    for (stage, next) in [
        (1, "at stage 2"),
        (2, "review panel (stage 3)"),
        (3, "Local Government and Social Care Ombudsman"),
    ] {
        let id = complaint(
            &app,
            &children_manager,
            json!({"directorate": "children", "procedure": "statutory_children", "stage": stage}),
        )
        .await;
        let (_, text) = letter(
            &app,
            &children_manager,
            &format!("/api/v1/feedback/{id}"),
            "children-response",
        )
        .await;
        assert!(text.contains(next), "stage {stage}: {text}");
        assert!(text.contains("advocate"));
    }
    // The corporate stage 1 names stage 2; stage 2 is final.
    for (stage, next, not) in [
        (1, "consider your complaint at stage 2", "Ombudsman"),
        (2, "Ombudsman", "at stage 2."),
    ] {
        let id = complaint(
            &app,
            &admin,
            json!({"directorate": "adults", "procedure": "corporate", "stage": stage}),
        )
        .await;
        let (_, text) = letter(
            &app,
            &admin,
            &format!("/api/v1/feedback/{id}"),
            "corporate-response",
        )
        .await;
        assert!(text.contains(next), "stage {stage}: {text}");
        assert!(!text.contains(not), "stage {stage}: {text}");
    }

    // The Ombudsman's letter is about a case.
    let case = post(
        &app,
        &manager,
        "/api/v1/ombudsman-cases",
        json!({"reference": "25 001 234", "directorate": "adults", "received_on": "2026-01-05",
        "decision": "upheld", "decided_on": "2026-03-02",
        "recommendations": [{"kind": "apology", "description": "Apologise to Mrs Y", "due_on": "2026-04-01", "completed_on": "2026-03-20"}]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let case_path = format!("/api/v1/ombudsman-cases/{case}");
    let (document, text) = letter(&app, &manager, &case_path, "ombudsman-compliance").await;
    assert_eq!(document["entity"], "ombudsman_case");
    assert!(
        text.contains("Apologise to Mrs Y: done on 20 March 2026"),
        "{text}"
    );
    let res = app
        .post(&format!("{case_path}/letters"))
        .auth(&manager)
        .json(&json!({"template": "adults-response"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["template"]);
}

#[actix_web::test]
async fn letters_escape_what_they_print_and_check_who_asks() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let analyst = app.as_analyst("adults").await;
    let other = app.as_caseworker("children").await;
    let id = complaint(
        &app,
        &manager,
        json!({"directorate": "adults", "procedure": "corporate", "stage": 1,
        "complainant": {"name": "<script>alert('Mrs Y')</script>"}}),
    )
    .await;
    let path = format!("/api/v1/feedback/{id}");
    let (_, text) = letter(&app, &manager, &path, "corporate-acknowledgement").await;
    assert!(!text.contains("<script>"), "{text}");
    assert!(text.contains("&lt;script&gt;"), "{text}");

    let ask = |user: &TestUser, body: Value| {
        let app = &app;
        let path = format!("{path}/letters");
        let user = user.clone();
        async move { app.post(&path).auth(&user).json(&body).send().await }
    };
    ask(&analyst, json!({"template": "corporate-response"}))
        .await
        .problem(403);
    ask(&other, json!({"template": "corporate-response"}))
        .await
        .problem(404);
    let res = ask(&manager, json!({"template": "no-such-letter"})).await;
    assert_eq!(res.invalid_fields(), ["template"]);
    let res = ask(
        &manager,
        json!({"template": "corporate-response", "format": "docx"}),
    )
    .await;
    assert_eq!(res.invalid_fields(), ["format"]);
    app.post("/api/v1/feedback/999999/letters")
        .auth(&manager)
        .json(&json!({"template": "corporate-response"}))
        .send()
        .await
        .problem(404);
    app.post(&format!("{path}/letters"))
        .json(&json!({"template": "corporate-response"}))
        .send()
        .await
        .problem(401);

    // PDF where the server has Chromium, 406 where it has none.
    let res = ask(
        &manager,
        json!({"template": "corporate-response", "format": "pdf"}),
    )
    .await;
    if redress::reports::pdf::chromium().is_some() {
        res.assert_status(201);
        let document = res.json();
        assert_eq!(document["content_type"], "application/pdf");
        assert!(document["filename"].as_str().unwrap().ends_with(".pdf"));
        let pdf = app
            .get(document["href"].as_str().unwrap())
            .auth(&manager)
            .send()
            .await;
        assert!(pdf.body.starts_with(b"%PDF-"));
    } else {
        res.problem(406);
    }
}

#[actix_web::test]
async fn admins_keep_their_own_templates_tried_before_they_are_saved() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let analyst = app.as_analyst("adults").await;

    let all = get(&app, &manager, "/api/v1/templates").await;
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "adults-acknowledgement",
            "adults-response",
            "children-acknowledgement",
            "children-response",
            "corporate-acknowledgement",
            "corporate-response",
            "ombudsman-compliance"
        ]
    );
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["source"] == "shipped"));
    app.get("/api/v1/templates")
        .auth(&analyst)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/templates/nothing-here")
        .auth(&manager)
        .send()
        .await
        .problem(404);

    let path = "/api/v1/templates/corporate-response";
    let mine = json!({"title": "Our response", "body":
        "{% extends \"layout.html\" %}{% block body %}<p>We have decided: {{ record.outcome|words }}. Contact {{ handler.name or 'us' }}.</p>{% endblock %}"});
    app.put(path)
        .auth(&manager)
        .json(&mine)
        .send()
        .await
        .problem(403);
    for (body, words) in [
        ("{% if record.stage %}unclosed", "line 1"),
        ("<p>{{ record.outcome|shout }}</p>", "shout"),
        ("{% include \"/etc/passwd\" %}", "line 1"),
        (
            "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}",
            "fuel",
        ),
    ] {
        let res = app
            .put(path)
            .auth(&admin)
            .json(&json!({"title": "Broken", "body": body}))
            .send()
            .await;
        let problem = res.problem(422);
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert_eq!(problem["errors"][0]["field"], "body");
        assert!(message.contains(words), "{body}: {message}");
    }
    let res = app
        .put("/api/v1/templates/Bad_Name")
        .auth(&admin)
        .json(&mine)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["name"]);

    let res = app.put(path).auth(&admin).json(&mine).send().await;
    res.assert_status(201);
    let saved = res.json();
    assert_eq!(saved["source"], "custom");
    assert_eq!(saved["shipped"], true);
    assert_eq!(saved["entity"], "feedback");
    app.put(path)
        .auth(&admin)
        .json(&mine)
        .send()
        .await
        .assert_status(200);

    let id = complaint(
        &app,
        &manager,
        json!({"directorate": "adults", "procedure": "corporate", "stage": 1,
        "responded_on": "2026-03-10", "outcome": "not_upheld"}),
    )
    .await;
    let (document, text) = letter(
        &app,
        &manager,
        &format!("/api/v1/feedback/{id}"),
        "corporate-response",
    )
    .await;
    assert_eq!(document["title"], "Our response");
    assert!(
        text.contains("We have decided: not upheld. Contact us."),
        "{text}"
    );

    app.delete(path).auth(&manager).send().await.problem(403);
    app.delete(path)
        .auth(&admin)
        .send()
        .await
        .assert_status(204);
    assert_eq!(get(&app, &manager, path).await["source"], "shipped");
    app.delete(path).auth(&admin).send().await.problem(404);
}
