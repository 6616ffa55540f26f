//! Subject access: a request finds what is held about a person, someone
//! confirms it and marks third parties' data, the export is a ZIP of JSON,
//! HTML and documents with a manifest, downloadable for seven days; the
//! request is due in a month and shows in the overdue report.

use std::io::Read as _;

use serde_json::{json, Value};

use crate::common::{get, post, TestApp, TestUser};

/// The files of a ZIP, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        files.insert(file.name().to_string(), content);
    }
    files
}

async fn upload(app: &TestApp, user: &TestUser, path: &str, name: &str, content: &[u8]) -> Value {
    let (content_type, body) = crate::documents::multipart(&[
        crate::documents::text("kind", "letter_in"),
        crate::documents::file(name, "text/plain", content),
    ]);
    let res = app
        .post(path)
        .auth(user)
        .header("content-type", &content_type)
        .body(body)
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

#[actix_web::test]
async fn a_request_finds_confirms_and_exports_what_is_held() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2026-11-30")]).await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let ada = post(&app, &manager, "/api/v1/feedback", json!({"directorate": "adults", "kind": "complaint",
        "procedure": "statutory_adults", "stage": 1, "received_on": "2026-06-01",
        "summary": "Ada's care visits were missed; Mr B Neighbour saw it.",
        "complainant": {"name": "Ada Keeper", "email": "Ada.Keeper@example.org", "address": "1 Lane, Town AB1 2CD"}})).await;
    let ada_id = ada["id"].as_i64().unwrap();
    post(&app, &manager, &format!("/api/v1/feedback/{ada_id}/contacts"), json!({
        "occurred_at": "2026-06-02T10:00:00Z", "direction": "out", "channel": "phone", "with": "complainant",
        "summary": "Phoned Ada; Mr B Neighbour was there."})).await;
    let letter = upload(
        &app,
        &manager,
        &format!("/api/v1/feedback/{ada_id}/documents"),
        "ada.txt",
        b"From Ada Keeper",
    )
    .await;
    let case = post(
        &app,
        &manager,
        "/api/v1/ombudsman-cases",
        json!({"reference": "26 004 004",
        "directorate": "adults", "received_on": "2026-09-01", "feedback_id": ada_id}),
    )
    .await;
    // Someone else's record whose contact log names her, and one that does not.
    let other = post(
        &app,
        &manager,
        "/api/v1/feedback",
        json!({"directorate": "adults", "kind": "enquiry",
        "received_on": "2026-07-01", "complainant": {"name": "Bob Other"}}),
    )
    .await;
    post(&app, &manager, &format!("/api/v1/feedback/{}/contacts", other["id"]), json!({
        "occurred_at": "2026-07-02T10:00:00Z", "direction": "in", "channel": "email", "with": "other",
        "summary": "Bob says Ada Keeper complained too."})).await;
    let unrelated = post(
        &app,
        &manager,
        "/api/v1/feedback",
        json!({"directorate": "adults", "kind": "enquiry",
        "received_on": "2026-07-01", "complainant": {"name": "Cy Nobody"}}),
    )
    .await;

    // Bad requests first.
    let res = app
        .post("/api/v1/subject-access")
        .auth(&manager)
        .json(&json!({"received_on": "2026-10-31"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["name"]);
    app.post("/api/v1/subject-access")
        .auth(&worker)
        .json(&json!({"received_on": "2026-10-31", "name": "Ada"}))
        .send()
        .await
        .problem(403);

    let res = app
        .post("/api/v1/subject-access")
        .auth(&manager)
        .json(&json!({"received_on": "2026-10-31", "name": "ada keeper", "email": "ada.keeper@example.org",
                      "references": ["26 004 004"]}))
        .send()
        .await;
    res.assert_status(201);
    let request = res.json();
    let id = request["id"].as_i64().unwrap();
    assert_eq!(
        request["due_on"], "2026-11-30",
        "one calendar month from receipt"
    );
    assert_eq!(request["overdue"], false);
    let found = |entity: &str, id: &Value| {
        request["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["entity"] == entity && c["id"] == *id)
            .cloned()
    };
    let mine = found("feedback", &ada["id"]).expect("her record");
    assert_eq!(mine["matched_on"], json!(["name", "email"]));
    assert_eq!(
        found("feedback", &other["id"]).expect("named in a contact")["matched_on"],
        json!(["contact"])
    );
    assert!(found("ombudsman_case", &case["id"]).is_some());
    assert!(found("document", &letter["id"]).is_some());
    assert!(found("feedback", &unrelated["id"]).is_none());
    // Another directorate's manager finds nothing of hers.
    let children = app.as_manager("children").await;
    assert_eq!(
        get(&app, &children, &format!("/api/v1/subject-access/{id}")).await["candidates"],
        json!([])
    );

    let path = format!("/api/v1/subject-access/{id}");
    app.post(&format!("{path}/export"))
        .auth(&manager)
        .send()
        .await
        .problem(422);
    let res = app
        .put(&format!("{path}/selection"))
        .auth(&manager)
        .json(&json!({"items": [{"entity": "memo", "id": 1}], "redactions": [{"entity": "feedback", "id": ada_id, "text": "Mr B Neighbour"}]}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["items[0].entity", "redactions[0]"]);
    let selection = json!({
        "items": [{"entity": "feedback", "id": ada_id}, {"entity": "ombudsman_case", "id": case["id"]},
                  {"entity": "document", "id": letter["id"]}],
        "redactions": [{"entity": "feedback", "id": ada_id, "text": "Mr B Neighbour"}]});
    app.put(&format!("{path}/selection"))
        .auth(&manager)
        .json(&selection)
        .send()
        .await
        .assert_status(200);

    let res = app
        .post(&format!("{path}/export"))
        .auth(&manager)
        .send()
        .await;
    res.assert_status(201);
    let answered = res.json();
    assert_eq!(answered["completed_on"], "2026-11-30");
    let export = &answered["export"];
    let zip = app
        .get(export["href"].as_str().unwrap())
        .auth(&manager)
        .send()
        .await;
    zip.assert_status(200);
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    assert_eq!(
        redress::documents::model::digest(&zip.body),
        export["sha256"].as_str().unwrap()
    );
    let files = unzip(&zip.body);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert!(names.contains(&"manifest.json"), "{names:?}");
    let record_json = format!("records/feedback-{ada_id}.json");
    assert!(
        names.contains(&record_json.as_str())
            && names.contains(&format!("records/feedback-{ada_id}.html").as_str())
    );
    assert!(names.contains(&format!("records/ombudsman_case-{}.json", case["id"]).as_str()));
    let bundle: Value = serde_json::from_slice(&files[&record_json]).unwrap();
    assert_eq!(bundle["record"]["complainant"]["name"], "Ada Keeper");
    assert_eq!(bundle["contacts"].as_array().unwrap().len(), 1);
    assert!(!bundle["history"].as_array().unwrap().is_empty());
    let text = String::from_utf8_lossy(&files[&record_json]);
    assert!(
        !text.contains("Mr B Neighbour") && text.contains("[third party]"),
        "{text}"
    );
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    for file in manifest["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        assert_eq!(
            redress::documents::model::digest(&files[path]),
            file["sha256"].as_str().unwrap(),
            "{path}"
        );
    }
    let document = files
        .iter()
        .find(|(name, _)| name.starts_with("documents/"))
        .expect("the document");
    assert_eq!(document.1.as_slice(), b"From Ada Keeper");

    // The export is in the access log, against each record it holds.
    let log = get(
        &app,
        &admin,
        &format!("/api/v1/access-log?entity=feedback&id={ada_id}"),
    )
    .await;
    assert!(log["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["access"] == "export" && e["detail"].as_str() == Some(id.to_string().as_str())));

    // Seven days later it is purged.
    let sql = if app.sqlite_file().is_some() {
        "UPDATE subject_access_requests SET export_expires_at = datetime('now', '-1 day')"
    } else {
        "UPDATE subject_access_requests SET export_expires_at = now() - INTERVAL '1 day'"
    };
    app.state
        .db
        .write(move |conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query(sql).execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        redress::subject_access::api::purge_expired(&app.state)
            .await
            .unwrap(),
        1
    );
    app.get(export["href"].as_str().unwrap())
        .auth(&manager)
        .send()
        .await
        .problem(410);
    assert_eq!(get(&app, &manager, &path).await["export"], Value::Null);
}

#[actix_web::test]
async fn a_request_is_due_in_a_month_extendable_by_two_and_in_the_overdue_report() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2026-11-30")]).await;
    let manager = app.as_manager("adults").await;
    let analyst = app.as_analyst("adults").await;
    let request = post(
        &app,
        &manager,
        "/api/v1/subject-access",
        json!({"received_on": "2026-08-31", "name": "Ada Keeper"}),
    )
    .await;
    let id = request["id"].as_i64().unwrap();
    assert_eq!(
        request["due_on"], "2026-09-30",
        "31 August: the month has no 31st, so its last day"
    );
    assert_eq!(request["overdue"], true);
    let report = get(&app, &manager, "/api/v1/statistics/overdue").await;
    assert_eq!(report["subject_access"][0]["id"], id);
    assert_eq!(report["subject_access"][0]["overdue"], true);

    let path = format!("/api/v1/subject-access/{id}/extend");
    let res = app
        .post(&path)
        .auth(&manager)
        .json(&json!({"extended_due_on": "2026-12-01", "reason": "Many records"}))
        .send()
        .await;
    assert_eq!(
        res.invalid_fields(),
        ["extended_due_on"],
        "past three months from receipt"
    );
    let res = app
        .post(&path)
        .auth(&manager)
        .json(&json!({"extended_due_on": "2026-11-30"}))
        .send()
        .await;
    res.problem(422);
    let res = app.post(&path).auth(&manager).json(&json!({"extended_due_on": "2026-11-30", "reason": "Many records across three directorates"})).send().await;
    res.assert_status(200);
    let extended = res.json();
    assert_eq!(extended["extended_due_on"], "2026-11-30");
    assert_eq!(extended["overdue"], false);
    let report = get(&app, &manager, "/api/v1/statistics/overdue").await;
    assert_eq!(report["subject_access"][0]["due_on"], "2026-11-30");
    assert_eq!(report["subject_access"][0]["overdue"], false);
    app.get("/api/v1/subject-access")
        .auth(&analyst)
        .send()
        .await
        .problem(403);
    assert_eq!(
        get(&app, &manager, "/api/v1/subject-access").await["total"],
        1
    );
    app.get("/api/v1/subject-access/999")
        .auth(&manager)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn an_export_from_the_demo_data_opens_with_pythons_zipfile() {
    let app = TestApp::new().await;
    crate::reports::load_demo(&app).await;
    let manager = app.as_manager("adults").await;
    // A demo complainant with a letter on file.
    let (record, name) = app
        .state
        .db
        .run(|conn| {
            use diesel::prelude::*;
            use redress::db::schema::{documents, feedback};
            let record: i64 = documents::table
                .filter(documents::directorate.eq("adults"))
                .select(documents::record_id)
                .first(conn)?;
            let name: Option<String> = feedback::table
                .find(record)
                .select(feedback::complainant_name)
                .first(conn)?;
            Ok((record, name.unwrap_or_default()))
        })
        .await
        .unwrap();
    let request = post(
        &app,
        &manager,
        "/api/v1/subject-access",
        json!({"received_on": redress::calendar::uk_today(), "name": name}),
    )
    .await;
    let id = request["id"].as_i64().unwrap();
    let items: Vec<Value> = request["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] != "feedback" || c["id"] == record)
        .map(|c| json!({"entity": c["entity"], "id": c["id"]}))
        .collect();
    assert!(items.iter().any(|i| i["entity"] == "document"), "{request}");
    app.put(&format!("/api/v1/subject-access/{id}/selection"))
        .auth(&manager)
        .json(&json!({"items": items}))
        .send()
        .await
        .assert_status(200);
    let export = post(
        &app,
        &manager,
        &format!("/api/v1/subject-access/{id}/export"),
        json!(null),
    )
    .await;
    let zip = app
        .get(export["export"]["href"].as_str().unwrap())
        .auth(&manager)
        .send()
        .await;
    let path = TestApp::temp_path("subject_access").with_extension("zip");
    std::fs::write(&path, &zip.body).unwrap();
    let check = r#"
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    manifest = json.loads(z.read("manifest.json"))
    for f in manifest["files"]:
        data = z.read(f["path"])
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
        if f["path"].endswith(".json"):
            json.loads(data)
    print(len(manifest["files"]), "files")
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(check)
        .arg(&path)
        .output()
        .expect("python3");
    std::fs::remove_file(&path).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
