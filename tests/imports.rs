//! Bulk import (`POST /imports`, `GET /imports/{id}`): feedback records and
//! the Ombudsman's published decisions, as jobs polled to completion.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{get, TestApp, TestUser};
use crate::documents::{file, multipart, text};

const HEADER: &str = "external_ref,directorate,kind,procedure,stage,category,themes,received_on,responded_on,outcome,complainant.name,complainant.email";

/// Send `csv` as a `text/csv` body to `POST /imports?{query}` as `user`.
async fn upload(app: &TestApp, user: &TestUser, query: &str, csv: &str) -> crate::common::Resp {
    app.post(&format!("/api/v1/imports?{query}"))
        .auth(user)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
}

/// Poll the job at `href` until it ends; the job.
async fn finished(app: &TestApp, admin: &TestUser, href: &str) -> Value {
    for _ in 0..500 {
        let job = get(app, admin, href).await;
        if job["status"] == "succeeded" || job["status"] == "failed" {
            return job;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the import job {href} did not finish");
}

/// Import `csv` and wait for the job; the finished job.
async fn import(app: &TestApp, admin: &TestUser, query: &str, csv: &str) -> Value {
    let res = upload(app, admin, query, csv).await;
    res.assert_status(202);
    let job = res.json();
    assert_eq!(res.header("location"), job["href"].as_str());
    assert!(
        job["status"] == "queued" || job["status"] == "running" || job["status"] == "succeeded"
    );
    finished(app, admin, job["href"].as_str().unwrap()).await
}

fn good_rows() -> String {
    format!(
        "{HEADER}\n\
         CRM-1,adults,complaint,statutory_adults,1,Charging,communication;delay,2025-06-02,2025-06-20,upheld,Mrs A Example,a@example.org\n\
         CRM-2,adults,compliment,,,,,2025-06-03,,,Mr B Example,\n\
         CRM-3,children,enquiry,,,,,2025-06-04,,,,\n"
    )
}

async fn feedback_with_ref(app: &TestApp, admin: &TestUser, external_ref: &str) -> Value {
    get(
        app,
        admin,
        &format!("/api/v1/feedback?external_ref={external_ref}"),
    )
    .await
}

#[actix_web::test]
async fn a_good_csv_creates_audited_records_readable_through_the_api() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let job = import(&app, &admin, "kind=feedback", &good_rows()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["rows_total"], 3);
    assert_eq!(job["rows_processed"], 3);
    assert_eq!(job["rows_created"], 3);
    assert_eq!(job["rows_rejected"], 0);
    assert_eq!(job["errors"], json!([]));

    let page = feedback_with_ref(&app, &admin, "CRM-1").await;
    assert_eq!(page["total"], 1);
    let record = &page["items"][0];
    assert_eq!(record["kind"], "complaint");
    assert_eq!(record["themes"], json!(["communication", "delay"]));
    assert_eq!(record["complainant"]["name"], "Mrs A Example");
    assert_eq!(record["complainant"]["email"], "a@example.org");
    assert_eq!(record["outcome"], "upheld");
    let history = get(
        &app,
        &admin,
        &format!("/api/v1/feedback/{}/history", record["id"]),
    )
    .await;
    let entries = history["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{history}");
    assert_eq!(entries[0]["action"], "import");
    assert!(
        entries[0]["changes"]["source"]["to"]
            .as_str()
            .unwrap()
            .starts_with(&format!("import job {}", job["id"])),
        "{history}"
    );

    let list = get(&app, &admin, "/api/v1/imports").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], job["id"]);
}

#[actix_web::test]
async fn bad_rows_are_rejected_with_their_lines_and_columns_and_good_rows_saved() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let csv = format!(
        "{HEADER}\n\
         CRM-1,adults,complaint,statutory_adults,1,Charging,,2025-06-02,2025-06-20,upheld,Mrs A,\n\
         CRM-2,adults,complaint,statutory_adults,,Charging,,2025-06-02,,,,not-an-email\n\
         CRM-3,adults,compliment,,,,,2099-01-01,,,,\n\
         CRM-4,adults,grumble,,,,,2025-06-02,,,,\n\
         CRM-5,nowhere,enquiry,,,,,2025-06-02,,,,\n\
         CRM-6,adults,enquiry,,,,,2025-06-05,,,,\n"
    );
    let job = import(&app, &admin, "", &csv).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["rows_created"], 2, "{job}");
    assert_eq!(job["rows_rejected"], 4, "{job}");
    let errors = job["errors"].as_array().unwrap();
    let at = |line: u64, field: &str| {
        errors
            .iter()
            .find(|e| e["line"] == line && e["field"] == field)
            .unwrap_or_else(|| panic!("no error on line {line} for {field}: {job}"))
            .clone()
    };
    // The missing stage and the bad email, on line 3 (the header is line 1).
    assert_eq!(at(3, "stage")["column"], "stage");
    let email = at(3, "complainant.email");
    assert_eq!(email["column"], "complainant.email");
    assert_eq!(email["message"], "must be an email address");
    assert_eq!(at(4, "received_on")["message"], "must not be in the future");
    assert_eq!(at(5, "kind")["column"], "kind");
    assert_eq!(at(6, "directorate")["column"], "directorate");
    assert_eq!(job["error_count"], errors.len());

    assert_eq!(feedback_with_ref(&app, &admin, "CRM-1").await["total"], 1);
    assert_eq!(feedback_with_ref(&app, &admin, "CRM-6").await["total"], 1);
    assert_eq!(feedback_with_ref(&app, &admin, "CRM-2").await["total"], 0);
}

#[actix_web::test]
async fn a_rerun_skips_rows_whose_external_ref_the_directorate_has() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let first = import(&app, &admin, "", &good_rows()).await;
    assert_eq!(first["rows_created"], 3);
    // Again, with one new row and one given twice.
    let again = format!(
        "{}CRM-4,adults,enquiry,,,,,2025-06-05,,,,\nCRM-4,adults,enquiry,,,,,2025-06-06,,,,\n",
        good_rows()
    );
    let second = import(&app, &admin, "", &again).await;
    assert_eq!(second["rows_created"], 1, "{second}");
    assert_eq!(second["rows_skipped"], 4, "{second}");
    assert_eq!(second["rows_rejected"], 0, "{second}");
    let all = get(&app, &admin, "/api/v1/feedback?limit=50").await;
    assert_eq!(all["total"], 4);
}

#[actix_web::test]
async fn a_dry_run_reports_and_saves_nothing() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let job = import(&app, &admin, "dry_run=true", &good_rows()).await;
    assert_eq!(job["dry_run"], true);
    assert_eq!(job["rows_created"], 3, "{job}");
    let all = get(&app, &admin, "/api/v1/feedback").await;
    assert_eq!(all["total"], 0);
}

#[actix_web::test]
async fn the_directorate_option_fills_rows_without_one() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let csv = "kind,received_on,summary\ncompliment,2025-06-02,\"Kind staff, thank you\"\n";
    let job = import(&app, &admin, "directorate=children", csv).await;
    assert_eq!(job["rows_created"], 1, "{job}");
    let all = get(&app, &admin, "/api/v1/feedback?directorate=children").await;
    assert_eq!(all["total"], 1);
    assert_eq!(all["items"][0]["summary"], "Kind staff, thank you");
}

#[actix_web::test]
async fn a_mapping_file_names_the_columns() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let csv = "Case ref,Type,Date received,Customer\nX-1,enquiry,2025-06-02,Mrs C\nX-2,enquiry,2025-13-02,Mrs D\n";
    let mapping = r#"{"Case ref": "external_ref", "Type": "kind", "Date received": "received_on", "Customer": "complainant.name"}"#;
    let (content_type, body) = multipart(&[
        file("crm-export.csv", "text/csv", csv.as_bytes()),
        text("mapping", mapping),
        text("directorate", "adults"),
    ]);
    let res = app
        .post("/api/v1/imports")
        .auth(&admin)
        .header("content-type", &content_type)
        .body(body)
        .send()
        .await;
    res.assert_status(202);
    let job = finished(&app, &admin, res.json()["href"].as_str().unwrap()).await;
    assert_eq!(job["filename"], "crm-export.csv");
    assert_eq!(job["rows_created"], 1, "{job}");
    // The error names the file's own column.
    assert_eq!(job["errors"][0]["line"], 3);
    assert_eq!(job["errors"][0]["field"], "received_on");
    assert_eq!(job["errors"][0]["column"], "Date received");
    let page = feedback_with_ref(&app, &admin, "X-1").await;
    assert_eq!(page["items"][0]["complainant"]["name"], "Mrs C");
}

#[actix_web::test]
async fn a_file_that_cannot_be_imported_is_refused_at_once() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    // A column that names no field.
    let res = upload(&app, &admin, "", "kind,colour\nenquiry,red\n").await;
    assert_eq!(res.invalid_fields(), vec!["colour"]);
    // An unknown directorate.
    let res = upload(&app, &admin, "directorate=nowhere", &good_rows()).await;
    assert_eq!(res.invalid_fields(), vec!["directorate"]);
    // Not a CSV text file.
    let res = upload(&app, &admin, "", "%PDF-1.7\0\0binary").await;
    assert_eq!(res.invalid_fields(), vec!["file"]);
    // A mapping naming a column the file does not have.
    let (content_type, body) = multipart(&[
        file("f.csv", "text/csv", good_rows().as_bytes()),
        text("mapping", r#"{"Ref": "external_ref"}"#),
    ]);
    let res = app
        .post("/api/v1/imports")
        .auth(&admin)
        .header("content-type", &content_type)
        .body(body)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), vec!["mapping.Ref"]);
    // Neither CSV nor multipart.
    app.post("/api/v1/imports")
        .auth(&admin)
        .json(&json!({"rows": []}))
        .send()
        .await
        .problem(415);
    // Too large.
    let huge = vec![b'a'; redress::imports::MAX_UPLOAD_BYTES + 100 * 1024];
    app.post("/api/v1/imports")
        .auth(&admin)
        .header("content-type", "text/csv")
        .body(huge)
        .send()
        .await
        .problem(413);
    // No job was made.
    assert_eq!(get(&app, &admin, "/api/v1/imports").await["total"], 0);
}

#[actix_web::test]
async fn only_admins_import_and_read_jobs() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    app.post("/api/v1/imports")
        .header("content-type", "text/csv")
        .body(good_rows())
        .send()
        .await
        .problem(401);
    upload(&app, &manager, "", &good_rows()).await.problem(403);
    app.get("/api/v1/imports")
        .auth(&manager)
        .send()
        .await
        .problem(403);
    let job = import(&app, &admin, "", &good_rows()).await;
    app.get(job["href"].as_str().unwrap())
        .auth(&manager)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/imports/999999")
        .auth(&admin)
        .send()
        .await
        .problem(404);
}

const DECISIONS: &str = "Reference,Category,Sub-category,Decision,Decision date,Remedy\n\
    24 005 341,Adult care services,Charging,Not upheld,12/03/2025,\n\
    24005342,Education,Special educational needs,Upheld,2025-03-14,\"Apology, Financial redress: Avoidable distress/time and trouble\"\n\
    24 005 343,Adult care services,Assessment and care plan,Upheld: satisfactory remedy provided by the authority,2025-03-20,\n\
    24 005 344,Adult care services,Other,Closed after initial enquiries,2025-03-21,\n\
    24 005 345,Adult care services,Other,Incomplete/Invalid,2025-03-21,\n\
    24 005 346,Adult care services,Other,Referred back for local resolution,2025-03-21,\n\
    24 005 347,Adult care services,Other,Advice given,2025-03-21,\n\
    24 005 348,Adult care services,Other,Withdrawn by the complainant,2025-03-21,\n";

async fn case(app: &TestApp, admin: &TestUser, reference: &str) -> Value {
    let page = get(
        app,
        admin,
        &format!(
            "/api/v1/ombudsman-cases?q={}",
            reference.replace(' ', "%20")
        ),
    )
    .await;
    assert_eq!(page["total"], 1, "{page}");
    page["items"][0].clone()
}

#[actix_web::test]
async fn ombudsman_decisions_create_then_update_cases_with_the_outcomes_mapped() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    // A decisions file needs a directorate.
    let res = upload(&app, &admin, "kind=ombudsman_decisions", DECISIONS).await;
    assert_eq!(res.invalid_fields(), vec!["directorate"]);

    let job = import(
        &app,
        &admin,
        "kind=ombudsman_decisions&directorate=adults",
        DECISIONS,
    )
    .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["kind"], "ombudsman_decisions");
    assert_eq!(job["rows_created"], 7, "{job}");
    assert_eq!(job["rows_rejected"], 1, "{job}");
    assert_eq!(job["errors"][0]["line"], 9);
    assert_eq!(job["errors"][0]["column"], "Decision");

    let not_upheld = case(&app, &admin, "24 005 341").await;
    assert_eq!(not_upheld["decision"], "not_upheld");
    assert_eq!(not_upheld["decided_on"], "2025-03-12");
    assert_eq!(not_upheld["received_on"], "2025-03-12");
    assert_eq!(not_upheld["directorate"], "adults");
    assert_eq!(not_upheld["sub_category"], "Charging");
    let upheld = case(&app, &admin, "24 005 342").await;
    assert_eq!(upheld["decision"], "upheld");
    let kinds: Vec<&str> = upheld["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["apology", "financial_redress"]);
    let remedied = case(&app, &admin, "24 005 343").await;
    assert_eq!(remedied["decision"], "upheld");
    assert_eq!(remedied["remedied_before_ombudsman"], true);
    for (reference, decision) in [
        ("24 005 344", "closed_after_initial_enquiries"),
        ("24 005 345", "incomplete_or_invalid"),
        ("24 005 346", "referred_back_for_local_resolution"),
        ("24 005 347", "advice_given"),
    ] {
        assert_eq!(case(&app, &admin, reference).await["decision"], decision);
    }

    // The same file again changes nothing.
    let again = import(
        &app,
        &admin,
        "kind=ombudsman_decisions&directorate=adults",
        DECISIONS,
    )
    .await;
    assert_eq!(again["rows_created"], 0, "{again}");
    assert_eq!(again["rows_updated"], 0, "{again}");
    assert_eq!(again["rows_skipped"], 7, "{again}");

    // A corrected decision updates the case, audited; the case keeps its
    // directorate.
    let corrected = "reference,decision,decision date\n24 005 341,Upheld,2025-03-13\n";
    let job = import(
        &app,
        &admin,
        "kind=ombudsman_decisions&directorate=children",
        corrected,
    )
    .await;
    assert_eq!(job["rows_updated"], 1, "{job}");
    let updated = case(&app, &admin, "24 005 341").await;
    assert_eq!(updated["decision"], "upheld");
    assert_eq!(updated["decided_on"], "2025-03-13");
    assert_eq!(updated["directorate"], "adults");
    let history = get(
        &app,
        &admin,
        &format!("/api/v1/ombudsman-cases/{}/history", updated["id"]),
    )
    .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"import"), "{history}");
    assert!(actions.contains(&"create"), "{history}");
}

#[actix_web::test]
async fn imported_records_are_found_by_free_text_search_and_later_writes_too() {
    // On SQLite an import loads the search index once per batch, with the
    // row-by-row trigger paused inside its transaction (migration 000031):
    // the imported records must be found, and the records written after
    // must be indexed as before.
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let csv = "external_ref,directorate,kind,received_on,summary,complainant.name\n\
               S-1,adults,compliment,2025-06-02,Wonderful reablement team,Mrs Quintessa\n\
               S-2,adults,enquiry,2025-06-03,Question about charging,Mr Quintessa\n\
               S-3,adults,enquiry,2025-06-04,Parking at the day centre,\n";
    let job = import(&app, &admin, "kind=feedback", csv).await;
    assert_eq!(job["rows_created"], 3, "{job}");

    let found = |q: &'static str| {
        let (app, admin) = (&app, &admin);
        async move { get(app, admin, &format!("/api/v1/feedback?q={q}")).await }
    };
    let by_summary = found("reablement").await;
    assert_eq!(by_summary["total"], 1, "{by_summary}");
    assert_eq!(by_summary["items"][0]["external_ref"], "S-1");
    assert_eq!(found("quintessa").await["total"], 2);
    let reference = by_summary["items"][0]["reference"].as_str().unwrap();
    let by_reference = get(&app, &admin, &format!("/api/v1/feedback?q={reference}")).await;
    assert_eq!(by_reference["total"], 1, "{by_reference}");

    let created = crate::common::post(
        &app,
        &admin,
        "/api/v1/feedback",
        json!({"directorate": "adults", "kind": "compliment", "received_on": "2025-06-05",
               "summary": "Reablement again, after the import"}),
    )
    .await;
    assert_eq!(found("reablement").await["total"], 2);
    let id = created["id"].as_i64().unwrap();
    let version = created["version"].as_i64().unwrap();
    app.patch(&format!(
        "/api/v1/feedback/{}",
        by_summary["items"][0]["id"]
    ))
    .auth(&admin)
    .header(
        "if-match",
        &format!("\"{}\"", by_summary["items"][0]["version"]),
    )
    .json(&json!({"summary": "Thanks to the home care team"}))
    .send()
    .await
    .assert_status(200);
    let after = found("reablement").await;
    assert_eq!(after["total"], 1, "{after}");
    assert_eq!(after["items"][0]["id"], id);
    assert_eq!(version, 1);
}

/// Every index and trigger of the feedback tables on SQLite, as the schema
/// holds them (none on PostgreSQL, where an import never changes them).
async fn feedback_schema(app: &TestApp) -> Vec<(String, String, String)> {
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use redress::db::DbConnection;

    #[derive(QueryableByName)]
    struct Object {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        sql: String,
    }
    app.state
        .db
        .run(|conn| {
            let DbConnection::Sqlite(c) = conn else {
                return Ok(Vec::new());
            };
            let objects: Vec<Object> = diesel::sql_query(
                "SELECT type AS kind, name, sql FROM sqlite_master \
                 WHERE tbl_name IN ('feedback', 'feedback_themes') AND sql IS NOT NULL \
                 ORDER BY type, name",
            )
            .load(c)?;
            Ok(objects
                .into_iter()
                .map(|o| (o.kind, o.name, o.sql))
                .collect())
        })
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_first_import_into_an_empty_system_leaves_every_index_and_trigger_and_unique_check() {
    // Into an empty feedback table, SQLite loads the whole file in one
    // transaction with the non-unique indexes and the list-change
    // triggers dropped, then builds and restores them (imports::first_load).
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let schema = feedback_schema(&app).await;
    if app.state.db.target().is_sqlite() {
        assert!(schema
            .iter()
            .any(|(_, name, _)| name == "feedback_revision_insert"));
        assert!(schema
            .iter()
            .any(|(_, name, _)| name == "feedback_directorate"));
    }
    // A total counted now must not outlive the load.
    assert_eq!(get(&app, &admin, "/api/v1/feedback").await["total"], 0);

    let csv = format!("{}CRM-1,adults,enquiry,,,,,2025-06-05,,,,\n", good_rows());
    let job = import(&app, &admin, "kind=feedback", &csv).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["rows_created"], 3, "{job}");
    assert_eq!(
        job["rows_skipped"], 1,
        "a repeated external_ref in the file: {job}"
    );
    assert_eq!(job["rows_processed"], 4, "{job}");
    assert_eq!(feedback_schema(&app).await, schema);

    let all = get(&app, &admin, "/api/v1/feedback").await;
    assert_eq!(all["total"], 3, "{all}");
    let adults = get(
        &app,
        &admin,
        "/api/v1/feedback?directorate=adults&sort=-received_on",
    )
    .await;
    assert_eq!(adults["total"], 2, "{adults}");
    assert_eq!(adults["items"][0]["external_ref"], "CRM-2");
    let themed = get(&app, &admin, "/api/v1/feedback?theme=delay").await;
    assert_eq!(themed["total"], 1, "{themed}");
    let reference = all["items"][0]["reference"].as_str().unwrap();
    assert!(reference.starts_with("FB-"), "{reference}");

    // The unique check stays: through the API, and in a later import
    // (into a table no longer empty, batch by batch).
    app.post("/api/v1/feedback")
        .auth(&admin)
        .json(&json!({"directorate": "adults", "kind": "enquiry",
                      "received_on": "2025-06-02", "external_ref": "CRM-1"}))
        .send()
        .await
        .problem(409);
    let csv = format!("{HEADER}\nCRM-1,adults,enquiry,,,,,2025-06-05,,,,\nCRM-9,adults,enquiry,,,,,2025-06-06,,,,\n");
    let again = import(&app, &admin, "kind=feedback", &csv).await;
    assert_eq!(again["rows_created"], 1, "{again}");
    assert_eq!(again["rows_skipped"], 1, "{again}");
    assert_eq!(get(&app, &admin, "/api/v1/feedback").await["total"], 4);
    assert_eq!(feedback_schema(&app).await, schema);
}

#[actix_web::test]
async fn a_first_load_that_fails_leaves_the_schema_as_it_was() {
    use redress::error::ApiError;
    use redress::imports::first_load;

    let app = TestApp::new().await;
    let schema = feedback_schema(&app).await;
    let failed = app
        .state
        .db
        .write_bulk(|conn| {
            let suspended = first_load::suspend(conn)?;
            assert_eq!(
                suspended.is_some(),
                matches!(conn, redress::db::DbConnection::Sqlite(_))
            );
            Err::<(), _>(ApiError::Internal("stopped half way".into()))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(feedback_schema(&app).await, schema);
    // And the next import is a first load again, and succeeds.
    let admin = app.as_admin().await;
    let job = import(&app, &admin, "kind=feedback", &good_rows()).await;
    assert_eq!(job["rows_created"], 3, "{job}");
    assert_eq!(feedback_schema(&app).await, schema);
}
