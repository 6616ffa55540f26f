//! Retention: the schedule (shipped, described, replaced), what falls due
//! on a day and what a legal hold keeps, runs that anonymise without
//! changing the published figures, and runs on two instances at once.

use serde_json::{json, Value};

use crate::common::{get, post, TestApp, TestUser};

const AS_OF: &str = "2026-11-30";

/// A complaint of `directorate` received on `received_on` and responded to
/// on `responded_on`, with `extra` fields.
async fn closed(
    app: &TestApp,
    user: &TestUser,
    directorate: &str,
    responded_on: &str,
    extra: Value,
) -> i64 {
    let procedure = if directorate == "children" {
        "statutory_children"
    } else {
        "statutory_adults"
    };
    let received: chrono::NaiveDate = responded_on.parse().unwrap();
    let mut body = json!({"directorate": directorate, "kind": "complaint", "procedure": procedure,
        "stage": 1, "received_on": (received - chrono::Duration::days(10)).to_string(),
        "responded_on": responded_on, "outcome": "upheld", "category": "Charging",
        "complainant": {"name": "Ada Keeper", "email": "ada@example.org"}});
    for (key, value) in extra.as_object().unwrap() {
        if key == "complainant" {
            for (k, v) in value.as_object().unwrap() {
                body["complainant"][k] = v.clone();
            }
        } else {
            body[key] = value.clone();
        }
    }
    post(app, user, "/api/v1/feedback", body).await["id"]
        .as_i64()
        .unwrap()
}

/// The (entity, id) of each item of a due page.
fn due_ids(page: &Value) -> Vec<(String, i64)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["entity"].as_str().unwrap().to_string(),
                i["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_schedule_is_shipped_described_and_replaced_by_admins() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;

    let res = app.get("/api/v1/retention").auth(&admin).send().await;
    res.assert_status(200);
    assert_eq!(res.header("etag"), Some("\"0\""));
    let schedule = res.json();
    assert_eq!(schedule["source"], "shipped");
    let rules = schedule["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 5);
    assert_eq!(rules[0]["entity"], "feedback");
    assert_eq!(rules[0]["years"], 6);
    assert_eq!(rules[0]["action"], "anonymise");
    assert!(rules[0]["description"]
        .as_str()
        .unwrap()
        .contains("published figures do not change"));
    assert_eq!(rules[1]["until_age"], 25);
    app.get("/api/v1/retention")
        .auth(&manager)
        .send()
        .await
        .problem(403);

    let mine = json!({"rules": [
        {"entity": "feedback", "years": 6, "action": "anonymise"},
        {"entity": "feedback", "kind": "compliment", "years": 2, "action": "delete"},
        {"entity": "document", "years": 3, "action": "delete"}]});
    app.put("/api/v1/retention")
        .auth(&manager)
        .json(&mine)
        .send()
        .await
        .problem(403);
    let res = app
        .put("/api/v1/retention")
        .auth(&admin)
        .json(&json!({"rules": [{"entity": "ombudsman_case", "kind": "complaint", "years": 6, "action": "anonymise"},
                                {"entity": "feedback", "directorate": "nowhere", "months": 14, "action": "delete"},
                                {"entity": "document", "years": 1, "action": "anonymise"}]}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["rules[0].kind", "rules[1].months", "rules[2].action"]
    );
    let res = app
        .put("/api/v1/retention")
        .auth(&admin)
        .json(&json!({"rules": [{"entity": "feedback", "directorate": "nowhere", "years": 1, "action": "delete"}]}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["rules[0].directorate"]);

    let res = app
        .put("/api/v1/retention")
        .auth(&admin)
        .header("if-match", "\"0\"")
        .json(&mine)
        .send()
        .await;
    res.assert_status(200);
    let saved = res.json();
    assert_eq!(saved["source"], "custom");
    assert_eq!(saved["version"], 1);
    let delete = saved["rules"][1]["description"].as_str().unwrap();
    assert!(delete.contains("statistics of the years"), "{delete}");
    app.put("/api/v1/retention")
        .auth(&admin)
        .header("if-match", "\"0\"")
        .json(&mine)
        .send()
        .await
        .problem(412);
}

#[actix_web::test]
async fn records_fall_due_by_their_rule_and_a_legal_hold_keeps_them() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let children = app.as_manager("children").await;
    // Closed more than six years before AS_OF: due; less: not due; open: never.
    let old = closed(&app, &manager, "adults", "2020-05-29", json!({})).await;
    let recent = closed(&app, &manager, "adults", "2020-12-01", json!({})).await;
    let open = post(
        &app,
        &manager,
        "/api/v1/feedback",
        json!({"directorate": "adults", "kind": "enquiry",
        "received_on": "2019-01-07", "complainant": {"name": "Ada Keeper"}}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Children's: until the 25th birthday where the date of birth is known.
    let turned_25 = closed(
        &app,
        &children,
        "children",
        "2019-06-03",
        json!({"complainant": {"date_of_birth": "2001-01-15", "is_young_person": true}}),
    )
    .await;
    let not_yet_25 = closed(
        &app,
        &children,
        "children",
        "2019-06-03",
        json!({"complainant": {"date_of_birth": "2005-01-01", "is_young_person": true}}),
    )
    .await;
    let no_birthday = closed(&app, &children, "children", "2019-06-03", json!({})).await;
    let held = closed(&app, &manager, "adults", "2019-03-01", json!({})).await;
    // A document on a due record falls due with it.
    let (content_type, upload) = crate::documents::multipart(&[
        crate::documents::text("kind", "letter_in"),
        crate::documents::file("ada.txt", "text/plain", b"Ada Keeper's letter"),
    ]);
    let document = app
        .post(&format!("/api/v1/feedback/{old}/documents"))
        .auth(&manager)
        .header("content-type", &content_type)
        .body(upload)
        .send()
        .await
        .json();

    // The hold: managers of the record's directorate.
    let hold_path = format!("/api/v1/legal-holds/feedback/{held}");
    let hold = json!({"reason": "Insurance claim 2026/113"});
    app.put(&hold_path)
        .auth(&children)
        .json(&hold)
        .send()
        .await
        .problem(404);
    let worker = app.as_caseworker("adults").await;
    app.put(&hold_path)
        .auth(&worker)
        .json(&hold)
        .send()
        .await
        .problem(403);
    app.put(&format!("/api/v1/legal-holds/document/{}", document["id"]))
        .auth(&manager)
        .json(&hold)
        .send()
        .await
        .problem(404);
    let res = app.put(&hold_path).auth(&manager).json(&hold).send().await;
    res.assert_status(200);
    assert_eq!(res.json()["reason"], "Insurance claim 2026/113");
    assert_eq!(
        get(&app, &manager, "/api/v1/legal-holds")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get(&app, &children, "/api/v1/legal-holds")
            .await
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let page = get(
        &app,
        &admin,
        &format!("/api/v1/retention/due?as_of={AS_OF}"),
    )
    .await;
    let ids = due_ids(&page);
    let feedback = |id: i64| ("feedback".to_string(), id);
    for id in [old, turned_25, no_birthday, held] {
        assert!(ids.contains(&feedback(id)), "{id} is due: {page}");
    }
    for id in [recent, open, not_yet_25] {
        assert!(!ids.contains(&feedback(id)), "{id} is not due: {page}");
    }
    assert!(ids.contains(&("document".to_string(), document["id"].as_i64().unwrap())));
    let item = |id: i64| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["entity"] == "feedback" && i["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(item(turned_25)["due_on"], "2026-01-15");
    assert_eq!(item(no_birthday)["due_on"], "2025-06-03");
    assert_eq!(item(held)["legal_hold"], "Insurance claim 2026/113");
    assert_eq!(item(old)["action"], "anonymise");
    app.get("/api/v1/retention/due")
        .auth(&manager)
        .send()
        .await
        .problem(403);

    // A dry run changes nothing; a run anonymises what is due, bar the hold.
    let dry = app
        .post(&format!("/api/v1/retention/run?as_of={AS_OF}&dry_run=true"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(dry["anonymised"], 0);
    assert_eq!(dry["items"].as_array().unwrap().len(), ids.len());
    let report = app
        .post(&format!("/api/v1/retention/run?as_of={AS_OF}"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(report["anonymised"], 3, "{report}");
    assert_eq!(report["held"], 1);
    let anonymised = get(&app, &manager, &format!("/api/v1/feedback/{old}")).await;
    assert_eq!(anonymised["complainant"]["name"], "[redacted]");
    assert_eq!(anonymised["outcome"], "upheld", "the figures' fields stay");
    app.get(document["href"].as_str().unwrap())
        .auth(&manager)
        .send()
        .await
        .problem(410);
    let kept = get(&app, &manager, &format!("/api/v1/feedback/{held}")).await;
    assert_eq!(kept["complainant"]["name"], "Ada Keeper");
    let history = app.table_text("audit_log").await.join("\n");
    assert!(history.contains("retention") && !history.contains("Ada Keeper's letter"));

    // Run again: nothing left to do but what the hold keeps.
    let again = app
        .post(&format!("/api/v1/retention/run?as_of={AS_OF}"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(again["anonymised"], 0, "{again}");
    // Lifting the hold lets the next run take it.
    app.delete(&hold_path)
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    app.delete(&hold_path)
        .auth(&manager)
        .send()
        .await
        .problem(404);
    let last = app
        .post(&format!("/api/v1/retention/run?as_of={AS_OF}"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(last["anonymised"], 1, "{last}");
}

#[actix_web::test]
async fn an_anonymising_run_leaves_the_published_figures_as_they_were() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    for (n, day) in ["2019-05-13", "2019-07-22", "2019-10-07", "2020-01-20"]
        .iter()
        .enumerate()
    {
        closed(
            &app,
            &manager,
            "adults",
            day,
            json!({"outcome": if n % 2 == 0 { "upheld" } else { "not_upheld" },
            "remedies": [{"kind": "apology", "description": "Sorry, Ada"}]}),
        )
        .await;
    }
    let figures = "/api/v1/statistics/complaints?year=2019&directorate=adults";
    let before = get(&app, &admin, figures).await;
    let report = app
        .post(&format!("/api/v1/retention/run?as_of={AS_OF}"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(report["anonymised"], 4, "{report}");
    let after = get(&app, &admin, figures).await;
    assert_eq!(before, after);
}

#[actix_web::test]
async fn runs_on_two_instances_at_once_touch_each_record_once() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let mut ids = Vec::new();
    for _ in 0..12 {
        ids.push(closed(&app, &manager, "adults", "2019-04-01", json!({})).await);
    }
    let other = app.sibling(&[]).await;
    let as_of: chrono::NaiveDate = AS_OF.parse().unwrap();
    let (a, b) = futures_util::future::join(
        redress::retention::run::run(&app.state.db, &app.state.documents, as_of, false),
        redress::retention::run::run(&other.state.db, &other.state.documents, as_of, false),
    )
    .await;
    let anonymised: usize = [&a, &b]
        .iter()
        .map(|r| match r {
            Ok(report) => report.anonymised,
            Err(redress::error::ApiError::Conflict(_)) => 0,
            Err(e) => panic!("{e}"),
        })
        .sum();
    assert_eq!(anonymised, 12);
    let history = app.table_text("audit_log").await;
    for id in ids {
        let erasures = history
            .iter()
            .filter(|line| {
                line.starts_with(&format!("feedback {id} ")) && line.contains("erasure_reason")
            })
            .count();
        assert_eq!(erasures, 1, "record {id}");
    }
}
