//! Redaction and erasure that really erase, on every kind of record, and
//! idempotency keys that neither bypass access checks nor outlive erasure.

use serde_json::{json, Value};

use crate::common::{TestApp, TestUser};

/// Personal data that must not survive: each value appears in the body.
const SECRETS: &[&str] = &[
    "Zebedee Quixote",
    "zq@example.org",
    "07700 900123",
    "1 Secret Lane",
    "Zebedee rang about his mother",
    "Apologise to Zebedee",
    "Explain to Zebedee",
    "Zebedee Street Team",
    "Quixote Area",
    "zebedee-theme",
    "CRM-ZEBEDEE-1",
    "Zebedee asked for more time",
];

fn complaint() -> Value {
    json!({
        "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
        "received_on": "2025-06-02", "responded_on": "2025-06-20", "outcome": "upheld",
        "category": "Charging", "service_area": "Quixote Area", "team": "Zebedee Street Team",
        "themes": ["zebedee-theme", "communication"], "external_ref": "CRM-ZEBEDEE-1",
        "summary": "Zebedee rang about his mother", "learning": "Explain to Zebedee",
        "extended_due_on": "2025-07-15", "extension_reason": "Zebedee asked for more time",
        "complainant": {"name": "Zebedee Quixote", "email": "zq@example.org", "phone": "07700 900123",
                        "address": "1 Secret Lane", "relationship": "self", "is_young_person": false,
                        "advocate_assisted": true},
        "remedies": [{"kind": "apology", "description": "Apologise to Zebedee", "amount_pence": 0}],
    })
}

async fn create(app: &TestApp, user: &TestUser, path: &str, body: &Value) -> Value {
    let res = app.post(path).auth(user).json(body).send().await;
    res.assert_status(201);
    res.json()
}

/// Whether any secret is in `text`.
fn leaked(text: &str) -> Vec<&'static str> {
    SECRETS
        .iter()
        .copied()
        .filter(|s| text.contains(s))
        .collect()
}

async fn audit_leaks(app: &TestApp) -> Vec<&'static str> {
    leaked(&app.table_text("audit_log").await.join("\n"))
}

#[actix_web::test]
async fn redaction_blanks_every_free_text_field_and_can_be_repeated() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let record = create(&app, &manager, "/api/v1/feedback", &complaint()).await;
    let path = format!("/api/v1/feedback/{}", record["id"]);
    let res = app
        .post(&format!("{path}/redact"))
        .auth(&manager)
        .send()
        .await;
    res.assert_status(200);
    let redacted = res.json();
    assert_eq!(
        leaked(&redacted.to_string()),
        Vec::<&str>::new(),
        "{redacted}"
    );
    for field in [
        "service_area",
        "team",
        "summary",
        "learning",
        "extension_reason",
    ] {
        assert_eq!(redacted[field], "[redacted]", "{field}");
    }
    assert_eq!(redacted["themes"], json!(["[redacted]", "[redacted]"]));
    assert_eq!(redacted["external_ref"], Value::Null);
    for kept in [
        "category",
        "outcome",
        "received_on",
        "responded_on",
        "extended_due_on",
    ] {
        assert_eq!(redacted[kept], record[kept], "{kept} is kept");
    }
    assert_eq!(redacted["complainant"]["advocate_assisted"], true);
    assert_eq!(redacted["timeliness"], record["timeliness"]);

    // A change puts personal data back; redacting again removes it.
    app.patch(&path)
        .auth(&manager)
        .json(&json!({"summary": "Zebedee rang about his mother", "complainant": {"name": "Zebedee Quixote"}}))
        .send()
        .await
        .assert_status(200);
    let again = app
        .post(&format!("{path}/redact"))
        .auth(&manager)
        .send()
        .await;
    again.assert_status(200);
    assert_eq!(again.json()["summary"], "[redacted]");
    assert_eq!(audit_leaks(&app).await, Vec::<&str>::new());
}

#[actix_web::test]
async fn a_deleted_records_history_can_be_redacted_by_who_could_see_it() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let stranger = app.as_manager("children").await;
    let record = create(&app, &manager, "/api/v1/feedback", &complaint()).await;
    let path = format!("/api/v1/feedback/{}", record["id"]);
    app.delete(&path)
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    assert!(
        !audit_leaks(&app).await.is_empty(),
        "deletion keeps the history"
    );
    let refused = app
        .post(&format!("{path}/redact"))
        .auth(&stranger)
        .send()
        .await;
    let never = app
        .post("/api/v1/feedback/999999/redact")
        .auth(&manager)
        .send()
        .await;
    assert_eq!(
        refused.problem(404),
        never.problem(404),
        "same 404 either way"
    );
    app.post(&format!("{path}/redact"))
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    assert_eq!(audit_leaks(&app).await, Vec::<&str>::new());
}

#[actix_web::test]
async fn erasing_redacts_then_deletes() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let record = create(&app, &manager, "/api/v1/feedback", &complaint()).await;
    let path = format!("/api/v1/feedback/{}", record["id"]);
    app.post(&format!("{path}/erase"))
        .auth(&worker)
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .problem(403);
    app.post(&format!("{path}/erase"))
        .auth(&manager)
        .header("if-match", "\"7\"")
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .problem(412);
    app.post(&format!("{path}/erase"))
        .auth(&manager)
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .assert_status(200);
    app.get(&path).auth(&manager).send().await.problem(404);
    assert_eq!(audit_leaks(&app).await, Vec::<&str>::new());
    // Erasing again is harmless.
    app.post(&format!("{path}/erase"))
        .auth(&manager)
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn ombudsman_cases_and_improvements_are_redacted_and_erased_too() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let case = create(
        &app,
        &manager,
        "/api/v1/ombudsman-cases",
        &json!({"reference": "25 000 001", "directorate": "adults", "received_on": "2025-01-06",
                "summary": "Zebedee rang about his mother", "category": "Adult care services",
                "decision": "upheld", "decided_on": "2025-03-03", "public_report": true,
                "public_report_title": "Zebedee Quixote v the council",
                "recommendations": [{"kind": "apology", "description": "Apologise to Zebedee",
                                     "amount_pence": 25000, "due_on": "2025-04-01"}]}),
    )
    .await;
    let improvement = create(
        &app,
        &manager,
        "/api/v1/service-improvements",
        &json!({"directorate": "adults", "description": "Explain to Zebedee", "agreed_on": "2025-03-10",
                "owner": "Zebedee Street Team", "evidence": "Zebedee asked for more time",
                "ombudsman_case_id": case["id"], "category": "Charging"}),
    )
    .await;
    let case_path = format!("/api/v1/ombudsman-cases/{}", case["id"]);
    let improvement_path = format!("/api/v1/service-improvements/{}", improvement["id"]);

    let res = app
        .post(&format!("{case_path}/redact"))
        .auth(&manager)
        .send()
        .await;
    res.assert_status(200);
    let redacted = res.json();
    assert_eq!(redacted["summary"], "[redacted]");
    assert_eq!(redacted["public_report_title"], "[redacted]");
    assert_eq!(redacted["recommendations"][0]["description"], "[redacted]");
    assert_eq!(redacted["recommendations"][0]["amount_pence"], 25000);
    for kept in [
        "reference",
        "category",
        "decision",
        "decided_on",
        "decision_bucket",
    ] {
        assert_eq!(redacted[kept], case[kept], "{kept} is kept");
    }
    assert!(redacted["redacted_at"].is_string());

    let res = app
        .post(&format!("{improvement_path}/redact"))
        .auth(&manager)
        .send()
        .await;
    res.assert_status(200);
    let redacted = res.json();
    for field in ["description", "owner", "evidence"] {
        assert_eq!(redacted[field], "[redacted]", "{field}");
    }
    assert_eq!(redacted["category"], "Charging");
    assert_eq!(audit_leaks(&app).await, Vec::<&str>::new());

    for path in [&improvement_path, &case_path] {
        app.post(&format!("{path}/erase"))
            .auth(&manager)
            .json(&json!({"reason": "erasure_request"}))
            .send()
            .await
            .assert_status(200);
        app.get(path).auth(&manager).send().await.problem(404);
    }
}

#[actix_web::test]
async fn redacted_text_does_not_stay_in_the_sqlite_files() {
    let app = TestApp::new().await;
    let Some(file) = app.sqlite_file() else {
        return; // PostgreSQL: old row versions go with VACUUM (see the README).
    };
    let manager = app.as_manager("adults").await;
    let record = create(&app, &manager, "/api/v1/feedback", &complaint()).await;
    let path = format!("/api/v1/feedback/{}", record["id"]);
    for n in 0..5 {
        app.patch(&path)
            .auth(&manager)
            .json(&json!({"learning": format!("Explain to Zebedee, take {n}")}))
            .send()
            .await
            .assert_status(200);
    }
    app.post(&format!("{path}/redact"))
        .auth(&manager)
        .send()
        .await
        .assert_status(200);
    for suffix in ["", "-wal"] {
        let name = format!("{}{suffix}", file.display());
        let bytes = std::fs::read(&name).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["Zebedee", "zq@example.org", "1 Secret Lane"] {
            assert_eq!(
                text.matches(secret).count(),
                0,
                "{secret} is still in {name}"
            );
        }
    }
}

#[actix_web::test]
async fn a_replayed_create_is_rebuilt_through_todays_access_checks() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let worker = app.as_caseworker("adults").await;
    let send = |user: &TestUser, key: &str| {
        app.post("/api/v1/feedback")
            .auth(user)
            .header("idempotency-key", key)
            .json(&complaint())
    };
    let first = send(&worker, "key-1").send().await;
    first.assert_status(201);
    let replay = send(&worker, "key-1").send().await;
    replay.assert_status(201);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.json()["id"], first.json()["id"]);

    // The worker moves to children's services and logs in again: the old
    // key no longer shows them an adults' record.
    app.patch(&format!("/api/v1/users/{}", worker.id))
        .auth(&admin)
        .json(&json!({"directorates": ["children"]}))
        .send()
        .await
        .assert_status(200);
    let moved = TestUser {
        token: app
            .state
            .tokens
            .issue(worker.id, worker.role, &["children".to_string()], 1)
            .expect("token"),
        ..worker.clone()
    };
    let res = send(&moved, "key-1").send().await;
    res.problem(404);
    assert_eq!(leaked(&res.text()), Vec::<&str>::new());
}

#[actix_web::test]
async fn a_replay_after_redaction_or_deletion_holds_no_personal_data() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let send = |key: &str| {
        app.post("/api/v1/feedback")
            .auth(&manager)
            .header("idempotency-key", key)
            .json(&complaint())
    };
    let first = send("redact-me").send().await.json();
    app.post(&format!("/api/v1/feedback/{}/redact", first["id"]))
        .auth(&manager)
        .send()
        .await
        .assert_status(200);
    let replay = send("redact-me").send().await;
    replay.assert_status(201);
    assert_eq!(replay.json()["id"], first["id"]);
    assert_eq!(
        leaked(&replay.text()),
        Vec::<&str>::new(),
        "{}",
        replay.text()
    );

    let mut other = complaint();
    other["external_ref"] = json!("CRM-ZEBEDEE-2");
    let second = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .header("idempotency-key", "delete-me")
        .json(&other)
        .send()
        .await
        .json();
    app.delete(&format!("/api/v1/feedback/{}", second["id"]))
        .auth(&manager)
        .send()
        .await
        .assert_status(204);
    app.post("/api/v1/feedback")
        .auth(&manager)
        .header("idempotency-key", "delete-me")
        .json(&other)
        .send()
        .await
        .problem(404);
    // The keys keep neither the bodies nor anything derived from them.
    let keys = app.table_text("idempotency_keys").await;
    assert_eq!(keys.len(), 2);
    assert_eq!(leaked(&keys.join("\n")), Vec::<&str>::new());
    assert!(keys.iter().all(|k| k.contains(" erased ")), "{keys:?}");
}

#[actix_web::test]
async fn idempotency_keys_expire_after_a_day_and_are_purged() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let body = json!({"directorate": "adults", "kind": "compliment", "received_on": "2025-06-02"});
    let send = || {
        app.post("/api/v1/feedback")
            .auth(&manager)
            .header("idempotency-key", "daily")
            .json(&body)
    };
    let first = send().send().await.json();
    let age = |hours: i64| {
        let db = app.state.db.clone();
        async move {
            db.write(move |conn| {
                use diesel::prelude::*;
                use redress::db::schema::idempotency_keys as keys;
                diesel::update(keys::table)
                    .set(keys::created_at.eq(redress::db::now() - chrono::Duration::hours(hours)))
                    .execute(conn)?;
                Ok(())
            })
            .await
            .expect("age the keys")
        }
    };
    age(23).await;
    assert_eq!(
        send().send().await.json()["id"],
        first["id"],
        "a day's grace"
    );
    age(25).await;
    let after = send().send().await;
    after.assert_status(201);
    assert_ne!(
        after.json()["id"],
        first["id"],
        "an expired key is a new request"
    );
    age(25).await;
    let purged = app
        .state
        .db
        .write(|conn| redress::http::idempotency::purge(conn, redress::db::now()))
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    assert!(app.table_text("idempotency_keys").await.is_empty());
}

/// Every file under `dir` that holds `marker`.
fn files_holding(dir: &std::path::Path, marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_holding(&path, marker));
        } else if String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default())
            .contains(marker)
        {
            found.push(path.display().to_string());
        }
    }
    found
}

/// A record with the marker everywhere personal data can go: its fields,
/// its history, a contact entry, an action, a document on disk and an
/// earlier round.
async fn marked_record(app: &TestApp, manager: &TestUser, marker: &str) -> i64 {
    let mut body = complaint();
    body["complainant"]["name"] = json!(format!("{marker} Person"));
    body["summary"] = json!(format!("{marker} rang about his mother"));
    body["external_ref"] = json!(format!("CRM-{marker}"));
    let id = create(app, manager, "/api/v1/feedback", &body).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/feedback/{id}");
    for n in 0..3 {
        app.patch(&path)
            .auth(manager)
            .json(&json!({"learning": format!("Explain to {marker}, take {n}")}))
            .send()
            .await
            .assert_status(200);
    }
    create(
        app,
        manager,
        &format!("{path}/contacts"),
        &json!({
        "occurred_at": "2025-06-03T10:00:00Z", "direction": "out", "channel": "phone",
        "with": "complainant", "summary": format!("Phoned {marker} about the visit")}),
    )
    .await;
    create(
        app,
        manager,
        "/api/v1/actions",
        &json!({
        "directorate": "adults", "feedback_id": id, "description": format!("Apologise to {marker}"),
        "due_on": "2025-07-01"}),
    )
    .await;
    let letter = format!("Dear Sir, I am writing about {marker}'s care.");
    let (content_type, upload) = crate::documents::multipart(&[
        crate::documents::text("kind", "letter_in"),
        crate::documents::file("letter.txt", "text/plain", letter.as_bytes()),
    ]);
    app.post(&format!("{path}/documents"))
        .auth(manager)
        .header("content-type", &content_type)
        .body(upload)
        .send()
        .await
        .assert_status(201);
    let version = app.get(&path).auth(manager).send().await.json()["version"].clone();
    app.post(&format!("{path}/reopen"))
        .auth(manager)
        .header("if-match", &format!("\"{version}\""))
        .json(
            &json!({"reopened_on": "2025-07-01", "reason": format!("{marker} sent new evidence")}),
        )
        .send()
        .await
        .assert_status(200);
    id
}

#[actix_web::test]
async fn erasure_on_request_says_what_it_removed_and_leaves_no_trace() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let marker = "Quillfeather";
    let id = marked_record(&app, &manager, marker).await;
    let path = format!("/api/v1/feedback/{id}");

    // A reason is required, and `other` needs a note.
    let res = app
        .post(&format!("{path}/erase"))
        .auth(&manager)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["reason"]);
    let res = app
        .post(&format!("{path}/erase"))
        .auth(&manager)
        .json(&json!({"reason": "other"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["note"]);

    let res = app
        .post(&format!("{path}/erase"))
        .auth(&manager)
        .json(&json!({"reason": "erasure_request", "note": "Request DP-2026-014"}))
        .send()
        .await;
    res.assert_status(200);
    let erasure = res.json();
    assert_eq!(erasure["entity"], "feedback");
    assert_eq!(erasure["id"], id);
    assert_eq!(erasure["action"], "delete");
    assert_eq!(erasure["reason"], "erasure_request");
    let erased = &erasure["erased"];
    assert_eq!(erased["record_deleted"], true);
    for (what, count) in [
        ("contacts", 1),
        ("documents", 1),
        ("document_files", 1),
        ("actions", 1),
        ("rounds", 1),
    ] {
        assert_eq!(erased[what], count, "{what}: {erasure}");
    }
    assert!(
        erased["history_entries"].as_i64().unwrap() >= 5,
        "{erasure}"
    );
    app.get(&path).auth(&manager).send().await.problem(404);

    // The history says why, without the person.
    let history = app.table_text("audit_log").await.join("\n");
    assert!(history.contains("erasure_request") && history.contains("DP-2026-014"));
    assert!(!history.contains(marker), "{history}");
    // Nothing of the marker is left in the database's files or the documents folder.
    assert_eq!(
        files_holding(&app.documents_dir, marker),
        Vec::<String>::new()
    );
    if let Some(file) = app.sqlite_file() {
        for suffix in ["", "-wal", "-shm"] {
            let name = format!("{}{suffix}", file.display());
            let bytes = std::fs::read(&name).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(marker),
                "{marker} is still in {name}"
            );
        }
    }
}

#[actix_web::test]
async fn an_anonymised_record_keeps_its_figures_and_loses_its_person() {
    let app = TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let marker = "Wrenfield";
    let id = marked_record(&app, &manager, marker).await;
    let path = format!("/api/v1/feedback/{id}");
    let before = app.get(&path).auth(&manager).send().await.json();

    let res = app
        .post(&format!("{path}/erase"))
        .auth(&manager)
        .json(&json!({"reason": "created_in_error", "action": "anonymise"}))
        .send()
        .await;
    res.assert_status(200);
    let erasure = res.json();
    assert_eq!(erasure["action"], "anonymise");
    assert_eq!(erasure["erased"]["record_deleted"], false);
    assert_eq!(erasure["erased"]["document_files"], 1);

    let after = app.get(&path).auth(&manager).send().await.json();
    assert_eq!(after["complainant"]["name"], "[redacted]");
    for kept in [
        "kind",
        "procedure",
        "stage",
        "received_on",
        "outcome",
        "category",
        "reopened_on",
    ] {
        assert_eq!(after[kept], before[kept], "{kept}");
    }
    let documents = app
        .get(&format!("{path}/documents"))
        .auth(&manager)
        .send()
        .await
        .json();
    let href = documents["items"][0]["href"].as_str().unwrap().to_string();
    app.get(&href).auth(&manager).send().await.problem(410);
    assert_eq!(
        files_holding(&app.documents_dir, marker),
        Vec::<String>::new()
    );
    assert!(!app
        .table_text("audit_log")
        .await
        .join("\n")
        .contains(marker));
}
