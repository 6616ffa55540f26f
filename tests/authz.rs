//! The authorisation matrix: every operation of the OpenAPI document, for
//! every role, working in the record's directorate and in another one. A new
//! operation that is not classified here fails the test, so no endpoint
//! ships without its checks.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::Method;
use redress::auth::Role;
use serde_json::{json, Value};

use crate::common::{TestApp, TestUser, PASSWORD};

/// Who may call an operation.
#[derive(Clone, Copy)]
enum Access {
    /// Anyone, without a token.
    Public,
    /// Only the scraper with `METRICS_TOKEN`: no user's token is it.
    MetricsScraper,
    /// Any authenticated user.
    Anyone,
    /// These roles only; `scoped` says whether the request touches the home
    /// directorate's records (so a user of another directorate is refused).
    Roles(&'static [Role], Scoped),
}

/// How a user of another directorate is refused.
#[derive(Clone, Copy, PartialEq)]
enum Scoped {
    /// Not directorate-specific.
    No,
    /// A record addressed by id: 404, so ids are not confirmed.
    NotFound,
    /// Writing into, or asking statistics about, the directorate: 403.
    Forbidden,
    /// A body naming a record the user cannot see: 422, the same words as
    /// for one that does not exist (references are checked first).
    Invalid,
}

use Role::{Admin, Analyst, Caseworker, Integration, Manager};

const ALL: &[Role] = &[Admin, Manager, Caseworker, Analyst, Integration];
const WRITERS: &[Role] = &[Admin, Manager, Caseworker, Integration];
const STAFF_READERS: &[Role] = &[Admin, Manager, Caseworker, Analyst];
const STAFF_WRITERS: &[Role] = &[Admin, Manager, Caseworker];
const MANAGERS: &[Role] = &[Admin, Manager];
const CASEWORK_READERS: &[Role] = &[Admin, Manager, Caseworker, Integration];
const STATISTICS: &[Role] = &[Admin, Manager, Analyst];
const ADMIN: &[Role] = &[Admin];

/// Records in the home directorate (adults) for one request.
struct Fixtures {
    feedback: i64,
    case: i64,
    improvement: i64,
    user: i64,
    user_name: String,
    handler: i64,
    action: i64,
    document: i64,
    template: String,
    subject_access: i64,
    holiday: String,
    timescale_version: String,
    /// A draft self-assessment with every section answered, and an
    /// approved one (made only for the self-assessment's operations).
    assessment: i64,
    approved_assessment: i64,
    /// A subscription with one delivery waiting (made only for the
    /// webhooks' operations).
    webhook: i64,
    delivery: i64,
    /// An import job (made only for `get_import`).
    import: i64,
}

/// The file an import sends.
const IMPORT_CSV: &str = "kind,directorate,received_on\nenquiry,adults,2025-06-02\n";

static SERIAL: AtomicUsize = AtomicUsize::new(0);

/// One subject access request with an export, made once for the matrix.
static SUBJECT_ACCESS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

async fn subject_access(app: &TestApp, admin: &TestUser, feedback: i64) -> i64 {
    let known = SUBJECT_ACCESS.load(Ordering::SeqCst);
    if known != 0 {
        return known;
    }
    let request = post(
        app,
        admin,
        "/api/v1/subject-access",
        json!({"received_on": "2025-06-02", "name": "Test Person"}),
    )
    .await;
    let id = request["id"].as_i64().unwrap();
    app.put(&format!("/api/v1/subject-access/{id}/selection"))
        .auth(admin)
        .json(&json!({"items": [{"entity": "feedback", "id": feedback}]}))
        .send()
        .await
        .assert_status(200);
    app.post(&format!("/api/v1/subject-access/{id}/export"))
        .auth(admin)
        .send()
        .await
        .assert_status(201);
    SUBJECT_ACCESS.store(id, Ordering::SeqCst);
    id
}

fn serial() -> usize {
    SERIAL.fetch_add(1, Ordering::Relaxed) + 1
}

async fn post(app: &TestApp, admin: &TestUser, path: &str, body: Value) -> Value {
    let res = app.post(path).auth(admin).json(&body).send().await;
    res.assert_status(201);
    res.json()
}

async fn fixtures(app: &TestApp, admin: &TestUser, operation: &str) -> Fixtures {
    let n = serial();
    let feedback = post(app, admin, "/api/v1/feedback", json!({"directorate": "adults", "kind": "complaint",
        "procedure": "statutory_adults", "stage": 1, "received_on": "2025-06-02", "category": "Charging",
        "responded_on": "2025-06-20", "outcome": "upheld",
        "complainant": {"name": "Test Person"}})).await;
    let case = post(
        app,
        admin,
        "/api/v1/ombudsman-cases",
        // Decided, so that it can be re-opened.
        json!({"reference": format!("30 {:03} {:03}", n / 1000, n % 1000),
        "directorate": "adults", "received_on": "2025-01-06",
        "decision": "not_upheld", "decided_on": "2025-03-03"}),
    )
    .await;
    let improvement = post(
        app,
        admin,
        "/api/v1/service-improvements",
        json!({"directorate": "adults",
        "description": "Brief staff.", "agreed_on": "2025-02-03"}),
    )
    .await;
    let action = post(
        app,
        admin,
        "/api/v1/actions",
        json!({"directorate": "adults", "feedback_id": feedback["id"],
        "description": "Apologise in writing.", "due_on": "2025-06-20"}),
    )
    .await;
    let document = crate::documents::upload(
        app,
        admin,
        &format!("/api/v1/feedback/{}/documents", feedback["id"]),
        &[
            crate::documents::text("kind", "letter_out"),
            crate::documents::file("letter.txt", "text/plain", b"Dear Mrs Y"),
        ],
    )
    .await
    .json();
    app.put(&format!("/api/v1/legal-holds/feedback/{}", feedback["id"]))
        .auth(admin)
        .json(&json!({"reason": "A claim"}))
        .send()
        .await
        .assert_status(200);
    let template = format!("fixture-{n}");
    app.put(&format!("/api/v1/templates/{template}"))
        .auth(admin)
        .json(&json!({"title": "T", "body": "<p>{{ record.reference }}</p>"}))
        .send()
        .await
        .assert_status(201);
    // Made directly (the harness's users share one password hash: argon2 is slow by design).
    let user = app.user(Analyst, &["adults"]).await;
    let handler = app.user(Caseworker, &["adults"]).await;
    let holiday = format!("{}-01-{:02}", 2031 + n / 28, 1 + n % 28);
    post(
        app,
        admin,
        "/api/v1/calendar/holidays",
        json!({"date": holiday, "title": "Test holiday"}),
    )
    .await;
    let timescale_version = format!("{}-01-01", 2200 + n);
    let res = app
        .put(&format!("/api/v1/timescales/{timescale_version}"))
        .auth(admin)
        .json(&json!({"rules": []}))
        .send()
        .await;
    res.assert_status(201);
    let (assessment, approved_assessment) = if operation.ends_with("_assessment") {
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
        let sections: Vec<Value> = keys
            .iter()
            .map(|k| json!({"key": k, "complies": "partly"}))
            .collect();
        let body = json!({"year": 2026, "sections": sections});
        let draft = post(app, admin, "/api/v1/code-assessments", body.clone()).await;
        let approved = post(app, admin, "/api/v1/code-assessments", body).await;
        let id = approved["id"].as_i64().unwrap();
        app.post(&format!("/api/v1/code-assessments/{id}/approve"))
            .auth(admin)
            .send()
            .await
            .assert_status(200);
        (draft["id"].as_i64().unwrap(), id)
    } else {
        (0, 0)
    };
    let (webhook, delivery) = if operation.contains("webhook") || operation.contains("deliver") {
        let hook = post(
            app,
            admin,
            "/api/v1/webhooks",
            json!({"url": "https://8.8.8.8/hook",
            "secret": "a-secret-of-sixteen-or-more", "event_types": ["feedback.created"]}),
        )
        .await;
        post(
            app,
            admin,
            "/api/v1/feedback",
            json!({"directorate": "adults", "kind": "enquiry",
            "received_on": "2025-06-02"}),
        )
        .await;
        let deliveries = crate::common::get(
            app,
            admin,
            &format!("/api/v1/webhooks/{}/deliveries", hook["id"]),
        )
        .await;
        (
            hook["id"].as_i64().unwrap(),
            deliveries["items"][0]["id"].as_i64().unwrap(),
        )
    } else {
        (0, 0)
    };
    let import = if operation == "get_import" {
        let res = app
            .post("/api/v1/imports?dry_run=true")
            .auth(admin)
            .header("content-type", "text/csv")
            .body(IMPORT_CSV)
            .send()
            .await;
        res.assert_status(202);
        res.json()["id"].as_i64().unwrap()
    } else {
        0
    };
    Fixtures {
        webhook,
        delivery,
        import,
        assessment,
        approved_assessment,
        timescale_version,
        feedback: feedback["id"].as_i64().unwrap(),
        case: case["id"].as_i64().unwrap(),
        improvement: improvement["id"].as_i64().unwrap(),
        action: action["id"].as_i64().unwrap(),
        document: document["id"].as_i64().unwrap(),
        template,
        subject_access: subject_access(app, admin, feedback["id"].as_i64().unwrap()).await,
        user: user.id,
        user_name: user.username,
        handler: handler.id,
        holiday,
    }
}

/// The request an operation makes, and who may make it.
fn request(operation: &str, f: &Fixtures) -> (Method, String, Option<Value>, Access) {
    let n = serial();
    let fb = f.feedback;
    let new_feedback =
        json!({"directorate": "adults", "kind": "enquiry", "received_on": "2025-06-02"});
    let new_case = json!({"reference": format!("31 {:03} {:03}", n / 1000, n % 1000), "directorate": "adults", "received_on": "2025-01-06"});
    let new_improvement = json!({"directorate": "adults", "description": "Review the procedure.", "agreed_on": "2025-02-03"});
    let (method, path, body, access) = match operation {
        "create_token" => (Method::POST, "/api/v1/auth/token".into(), Some(json!({"username": f.user_name, "password": PASSWORD})), Access::Public),
        "get_auth_providers" => (Method::GET, "/api/v1/auth/providers".into(), None, Access::Public),
        "get_health" => (Method::GET, "/healthz".into(), None, Access::Public),
        "get_readiness" => (Method::GET, "/readyz".into(), None, Access::Public),
        "get_metrics" => (Method::GET, "/metrics".into(), None, Access::MetricsScraper),
        "get_openapi" => (Method::GET, "/openapi.json".into(), None, Access::Public),
        "get_me" => (Method::GET, "/api/v1/me".into(), None, Access::Anyone),
        "list_directorates" => (Method::GET, "/api/v1/directorates".into(), None, Access::Anyone),
        "get_directorate" => (Method::GET, "/api/v1/directorates/adults".into(), None, Access::Anyone),
        "create_directorate" => (Method::POST, "/api/v1/directorates".into(), Some(json!({"code": format!("dir{n}"), "name": "New"})), Access::Roles(ADMIN, Scoped::No)),
        "list_holidays" => (Method::GET, "/api/v1/calendar/holidays".into(), None, Access::Anyone),
        "get_holiday" => (Method::GET, format!("/api/v1/calendar/holidays/{}", f.holiday), None, Access::Anyone),
        "create_holiday" => (Method::POST, "/api/v1/calendar/holidays".into(), Some(json!({"date": format!("{}-02-{:02}", 2031 + n / 28, 1 + n % 28), "title": "T"})), Access::Roles(ADMIN, Scoped::No)),
        "delete_holiday" => (Method::DELETE, format!("/api/v1/calendar/holidays/{}", f.holiday), None, Access::Roles(ADMIN, Scoped::No)),
        "import_holidays" => (Method::POST, "/api/v1/calendar/holidays/import".into(), Some(json!({"england-and-wales": {"events": [{"title": "T", "date": format!("{}-03-{:02}", 2031 + n / 28, 1 + n % 28)}]}})), Access::Roles(ADMIN, Scoped::No)),
        "list_users" => (Method::GET, "/api/v1/users".into(), None, Access::Roles(ADMIN, Scoped::No)),
        "create_user" => (Method::POST, "/api/v1/users".into(), Some(json!({"username": format!("new{n}"), "role": "analyst", "directorates": ["adults"], "password": PASSWORD})), Access::Roles(ADMIN, Scoped::No)),
        "get_user" => (Method::GET, format!("/api/v1/users/{}", f.user), None, Access::Roles(ADMIN, Scoped::No)),
        "update_user" => (Method::PATCH, format!("/api/v1/users/{}", f.user), Some(json!({"display_name": "Renamed"})), Access::Roles(ADMIN, Scoped::No)),
        "delete_user" => (Method::DELETE, format!("/api/v1/users/{}", f.user), None, Access::Roles(ADMIN, Scoped::No)),
        "get_user_history" => (Method::GET, format!("/api/v1/users/{}/history", f.user), None, Access::Roles(ADMIN, Scoped::No)),
        "list_timescales" => (Method::GET, "/api/v1/timescales".into(), None, Access::Anyone),
        "get_timescale_version" => (Method::GET, "/api/v1/timescales/2009-04-01".into(), None, Access::Anyone),
        "get_timescale_version_history" => (Method::GET, "/api/v1/timescales/2009-04-01/history".into(), None, Access::Anyone),
        "put_timescale_version" => (Method::PUT, format!("/api/v1/timescales/{}-01-01", 2100 + n), Some(json!({"rules": [{"kind": "enquiry",
            "steps": [{"milestone": "response", "within": {"working_days": 10}, "from": "receipt"}]}]})), Access::Roles(ADMIN, Scoped::No)),
        "delete_timescale_version" => (Method::DELETE, format!("/api/v1/timescales/{}", f.timescale_version), None, Access::Roles(ADMIN, Scoped::No)),
        "get_settings" => (Method::GET, "/api/v1/settings".into(), None, Access::Anyone),
        "update_settings" => (Method::PUT, "/api/v1/settings".into(), Some(json!({"council_name": "C", "authority_type": "county"})), Access::Roles(ADMIN, Scoped::No)),
        "list_feedback" => (Method::GET, "/api/v1/feedback".into(), None, Access::Roles(ALL, Scoped::No)),
        "create_feedback" => (Method::POST, "/api/v1/feedback".into(), Some(new_feedback), Access::Roles(WRITERS, Scoped::Forbidden)),
        "get_feedback" => (Method::GET, format!("/api/v1/feedback/{fb}"), None, Access::Roles(ALL, Scoped::NotFound)),
        "update_feedback" => (Method::PATCH, format!("/api/v1/feedback/{fb}"), Some(json!({"team": "T"})), Access::Roles(WRITERS, Scoped::NotFound)),
        "delete_feedback" => (Method::DELETE, format!("/api/v1/feedback/{fb}"), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "get_feedback_history" => (Method::GET, format!("/api/v1/feedback/{fb}/history"), None, Access::Roles(ALL, Scoped::NotFound)),
        "escalate_feedback" => (Method::POST, format!("/api/v1/feedback/{fb}/escalate"), Some(json!({"received_on": "2025-07-01"})), Access::Roles(WRITERS, Scoped::NotFound)),
        "redact_feedback" => (Method::POST, format!("/api/v1/feedback/{fb}/redact"), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "erase_feedback" => (Method::POST, format!("/api/v1/feedback/{fb}/erase"), Some(json!({"reason": "erasure_request"})), Access::Roles(MANAGERS, Scoped::NotFound)),
        "redact_ombudsman_case" => (Method::POST, format!("/api/v1/ombudsman-cases/{}/redact", f.case), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "erase_ombudsman_case" => (Method::POST, format!("/api/v1/ombudsman-cases/{}/erase", f.case), Some(json!({"reason": "erasure_request"})), Access::Roles(MANAGERS, Scoped::NotFound)),
        "redact_service_improvement" => (Method::POST, format!("/api/v1/service-improvements/{}/redact", f.improvement), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "erase_service_improvement" => (Method::POST, format!("/api/v1/service-improvements/{}/erase", f.improvement), Some(json!({"reason": "erasure_request"})), Access::Roles(MANAGERS, Scoped::NotFound)),
        "list_ombudsman_cases" => (Method::GET, "/api/v1/ombudsman-cases".into(), None, Access::Roles(STAFF_READERS, Scoped::No)),
        "create_ombudsman_case" => (Method::POST, "/api/v1/ombudsman-cases".into(), Some(new_case), Access::Roles(STAFF_WRITERS, Scoped::Forbidden)),
        "get_ombudsman_case" => (Method::GET, format!("/api/v1/ombudsman-cases/{}", f.case), None, Access::Roles(STAFF_READERS, Scoped::NotFound)),
        "update_ombudsman_case" => (Method::PATCH, format!("/api/v1/ombudsman-cases/{}", f.case), Some(json!({"summary": "S"})), Access::Roles(STAFF_WRITERS, Scoped::NotFound)),
        "reopen_ombudsman_case" => (Method::POST, format!("/api/v1/ombudsman-cases/{}/reopen", f.case), Some(json!({"reopened_on": "2025-04-07"})), Access::Roles(STAFF_WRITERS, Scoped::NotFound)),
        "delete_ombudsman_case" => (Method::DELETE, format!("/api/v1/ombudsman-cases/{}", f.case), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "get_ombudsman_case_history" => (Method::GET, format!("/api/v1/ombudsman-cases/{}/history", f.case), None, Access::Roles(STAFF_READERS, Scoped::NotFound)),
        "list_service_improvements" => (Method::GET, "/api/v1/service-improvements".into(), None, Access::Roles(STAFF_READERS, Scoped::No)),
        "create_service_improvement" => (Method::POST, "/api/v1/service-improvements".into(), Some(new_improvement), Access::Roles(STAFF_WRITERS, Scoped::Forbidden)),
        "get_service_improvement" => (Method::GET, format!("/api/v1/service-improvements/{}", f.improvement), None, Access::Roles(STAFF_READERS, Scoped::NotFound)),
        "update_service_improvement" => (Method::PATCH, format!("/api/v1/service-improvements/{}", f.improvement), Some(json!({"owner": "O"})), Access::Roles(STAFF_WRITERS, Scoped::NotFound)),
        "delete_service_improvement" => (Method::DELETE, format!("/api/v1/service-improvements/{}", f.improvement), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "get_service_improvement_history" => (Method::GET, format!("/api/v1/service-improvements/{}/history", f.improvement), None, Access::Roles(STAFF_READERS, Scoped::NotFound)),
        "get_ombudsman_statistics" => (Method::GET, "/api/v1/statistics/ombudsman?year=2024&directorate=adults".into(), None, Access::Roles(STATISTICS, Scoped::Forbidden)),
        "get_feedback_statistics" => (Method::GET, "/api/v1/statistics/feedback?year=2024&directorate=adults".into(), None, Access::Roles(STATISTICS, Scoped::Forbidden)),
        "get_complaint_statistics" => (Method::GET, "/api/v1/statistics/complaints?year=2024&directorate=adults".into(), None, Access::Roles(STATISTICS, Scoped::Forbidden)),
        "get_overdue_report" => (Method::GET, "/api/v1/statistics/overdue?directorate=adults".into(), None, Access::Roles(STATISTICS, Scoped::Forbidden)),
        "create_report_link" => (Method::POST, "/api/v1/reports/annual/links".into(), Some(json!({"year": 2024, "directorate": "adults"})), Access::Roles(STATISTICS, Scoped::Forbidden)),
        "get_annual_report" => (Method::GET, "/api/v1/reports/annual?year=2024&directorate=adults".into(), None, Access::Roles(STATISTICS, Scoped::Forbidden)),
        "assign_feedback" => (Method::POST, format!("/api/v1/feedback/{fb}/assign"), Some(json!({"handler": f.handler, "note": "N"})), Access::Roles(STAFF_WRITERS, Scoped::NotFound)),
        "assign_ombudsman_case" => (Method::POST, format!("/api/v1/ombudsman-cases/{}/assign", f.case), Some(json!({"handler": f.handler, "note": "N"})), Access::Roles(STAFF_WRITERS, Scoped::NotFound)),
        "create_feedback_contact" => (Method::POST, format!("/api/v1/feedback/{fb}/contacts"), Some(json!({"occurred_at": "2025-06-02T10:00:00Z", "direction": "out", "channel": "phone", "with": "complainant", "summary": "S"})), Access::Roles(WRITERS, Scoped::NotFound)),
        "list_feedback_contacts" => (Method::GET, format!("/api/v1/feedback/{fb}/contacts"), None, Access::Roles(CASEWORK_READERS, Scoped::NotFound)),
        "create_case_contact" => (Method::POST, format!("/api/v1/ombudsman-cases/{}/contacts", f.case), Some(json!({"occurred_at": "2025-06-02T10:00:00Z", "direction": "in", "channel": "email", "with": "ombudsman", "summary": "S"})), Access::Roles(WRITERS, Scoped::NotFound)),
        "list_case_contacts" => (Method::GET, format!("/api/v1/ombudsman-cases/{}/contacts", f.case), None, Access::Roles(CASEWORK_READERS, Scoped::NotFound)),
        "list_actions" => (Method::GET, "/api/v1/actions".into(), None, Access::Roles(STAFF_READERS, Scoped::No)),
        "create_action" => (Method::POST, "/api/v1/actions".into(), Some(json!({"directorate": "adults", "feedback_id": fb, "description": "Pay £300."})), Access::Roles(STAFF_WRITERS, Scoped::Invalid)),
        "get_action" => (Method::GET, format!("/api/v1/actions/{}", f.action), None, Access::Roles(STAFF_READERS, Scoped::NotFound)),
        "update_action" => (Method::PATCH, format!("/api/v1/actions/{}", f.action), Some(json!({"evidence": "Sent."})), Access::Roles(STAFF_WRITERS, Scoped::NotFound)),
        "delete_action" => (Method::DELETE, format!("/api/v1/actions/{}", f.action), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "get_action_history" => (Method::GET, format!("/api/v1/actions/{}/history", f.action), None, Access::Roles(STAFF_READERS, Scoped::NotFound)),
        "redact_action" => (Method::POST, format!("/api/v1/actions/{}/redact", f.action), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "erase_action" => (Method::POST, format!("/api/v1/actions/{}/erase", f.action), Some(json!({"reason": "erasure_request"})), Access::Roles(MANAGERS, Scoped::NotFound)),
        "reopen_feedback" => (Method::POST, format!("/api/v1/feedback/{fb}/reopen"), Some(json!({"reopened_on": "2025-07-01", "reason": "New evidence."})), Access::Roles(WRITERS, Scoped::NotFound)),
        "list_feedback_rounds" => (Method::GET, format!("/api/v1/feedback/{fb}/rounds"), None, Access::Roles(ALL, Scoped::NotFound)),
        "upload_feedback_document" => (Method::POST, format!("/api/v1/feedback/{fb}/documents"), None, Access::Roles(WRITERS, Scoped::NotFound)),
        "list_feedback_documents" => (Method::GET, format!("/api/v1/feedback/{fb}/documents"), None, Access::Roles(CASEWORK_READERS, Scoped::NotFound)),
        "upload_case_document" => (Method::POST, format!("/api/v1/ombudsman-cases/{}/documents", f.case), None, Access::Roles(WRITERS, Scoped::NotFound)),
        "list_case_documents" => (Method::GET, format!("/api/v1/ombudsman-cases/{}/documents", f.case), None, Access::Roles(CASEWORK_READERS, Scoped::NotFound)),
        "download_document" => (Method::GET, format!("/api/v1/documents/{}", f.document), None, Access::Roles(CASEWORK_READERS, Scoped::NotFound)),
        "delete_document" => (Method::DELETE, format!("/api/v1/documents/{}", f.document), None, Access::Roles(WRITERS, Scoped::NotFound)),
        "list_templates" => (Method::GET, "/api/v1/templates".into(), None, Access::Roles(STAFF_WRITERS, Scoped::No)),
        "get_template" => (Method::GET, "/api/v1/templates/adults-response".into(), None, Access::Roles(STAFF_WRITERS, Scoped::No)),
        "put_template" => (Method::PUT, format!("/api/v1/templates/new-{n}"), Some(json!({"title": "T", "body": "<p>{{ today }}</p>"})), Access::Roles(ADMIN, Scoped::No)),
        "delete_template" => (Method::DELETE, format!("/api/v1/templates/{}", f.template), None, Access::Roles(ADMIN, Scoped::No)),
        "create_feedback_letter" => (Method::POST, format!("/api/v1/feedback/{fb}/letters"), Some(json!({"template": "adults-response"})), Access::Roles(WRITERS, Scoped::NotFound)),
        "create_case_letter" => (Method::POST, format!("/api/v1/ombudsman-cases/{}/letters", f.case), Some(json!({"template": "ombudsman-compliance"})), Access::Roles(WRITERS, Scoped::NotFound)),
        "list_access_log" => (Method::GET, "/api/v1/access-log".into(), None, Access::Roles(ADMIN, Scoped::No)),
        "feedback_access" => (Method::GET, format!("/api/v1/feedback/{fb}/access"), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "case_access" => (Method::GET, format!("/api/v1/ombudsman-cases/{}/access", f.case), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "get_retention" => (Method::GET, "/api/v1/retention".into(), None, Access::Roles(ADMIN, Scoped::No)),
        "put_retention" => (Method::PUT, "/api/v1/retention".into(), Some(json!({"rules": [{"entity": "feedback", "years": 6, "action": "anonymise"}]})), Access::Roles(ADMIN, Scoped::No)),
        "retention_due" => (Method::GET, "/api/v1/retention/due".into(), None, Access::Roles(ADMIN, Scoped::No)),
        "run_retention" => (Method::POST, "/api/v1/retention/run?dry_run=true".into(), None, Access::Roles(ADMIN, Scoped::No)),
        "list_legal_holds" => (Method::GET, "/api/v1/legal-holds".into(), None, Access::Roles(MANAGERS, Scoped::No)),
        "place_legal_hold" => (Method::PUT, format!("/api/v1/legal-holds/feedback/{fb}"), Some(json!({"reason": "An inquiry"})), Access::Roles(MANAGERS, Scoped::NotFound)),
        "lift_legal_hold" => (Method::DELETE, format!("/api/v1/legal-holds/feedback/{fb}"), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "list_requests" => (Method::GET, "/api/v1/subject-access".into(), None, Access::Roles(MANAGERS, Scoped::No)),
        "create_request" => (Method::POST, "/api/v1/subject-access".into(), Some(json!({"received_on": "2025-06-02", "name": "Test Person"})), Access::Roles(MANAGERS, Scoped::No)),
        "get_request" => (Method::GET, format!("/api/v1/subject-access/{}", f.subject_access), None, Access::Roles(MANAGERS, Scoped::No)),
        "select_items" => (Method::PUT, format!("/api/v1/subject-access/{}/selection", f.subject_access), Some(json!({"items": [{"entity": "feedback", "id": fb}]})), Access::Roles(MANAGERS, Scoped::No)),
        "extend_request" => (Method::POST, format!("/api/v1/subject-access/{}/extend", f.subject_access), Some(json!({"extended_due_on": "2025-09-01", "reason": "Many records"})), Access::Roles(MANAGERS, Scoped::No)),
        "make_export" => (Method::POST, format!("/api/v1/subject-access/{}/export", f.subject_access), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "download_export" => (Method::GET, format!("/api/v1/subject-access/{}/export", f.subject_access), None, Access::Roles(MANAGERS, Scoped::NotFound)),
        "my_work" => (Method::GET, "/api/v1/me/work".into(), None, Access::Roles(STAFF_WRITERS, Scoped::No)),
        "get_code_statistics" => (Method::GET, "/api/v1/statistics/code?year=2026&directorate=adults".into(), None, Access::Roles(STATISTICS, Scoped::Forbidden)),
        "get_code_annual_report" => (Method::GET, "/api/v1/reports/code-annual?year=2026&format=json".into(), None, Access::Roles(STATISTICS, Scoped::No)),
        "list_assessments" => (Method::GET, "/api/v1/code-assessments?year=2026".into(), None, Access::Roles(STATISTICS, Scoped::No)),
        "create_assessment" => (Method::POST, "/api/v1/code-assessments".into(), Some(json!({"year": 2026})), Access::Roles(MANAGERS, Scoped::No)),
        "get_assessment" => (Method::GET, format!("/api/v1/code-assessments/{}", f.assessment), None, Access::Roles(STATISTICS, Scoped::No)),
        "update_assessment" => (Method::PATCH, format!("/api/v1/code-assessments/{}", f.assessment), Some(json!({"title": "T"})), Access::Roles(MANAGERS, Scoped::No)),
        "delete_assessment" => (Method::DELETE, format!("/api/v1/code-assessments/{}", f.assessment), None, Access::Roles(MANAGERS, Scoped::No)),
        "approve_assessment" => (Method::POST, format!("/api/v1/code-assessments/{}/approve", f.assessment), None, Access::Roles(MANAGERS, Scoped::No)),
        "revise_assessment" => (Method::POST, format!("/api/v1/code-assessments/{}/revise", f.approved_assessment), None, Access::Roles(MANAGERS, Scoped::No)),
        "list_code_years" => (Method::GET, "/api/v1/code-years".into(), None, Access::Roles(STATISTICS, Scoped::No)),
        "get_code_year" => (Method::GET, "/api/v1/code-years/2026".into(), None, Access::Roles(STATISTICS, Scoped::No)),
        "update_code_year" => (Method::PUT, "/api/v1/code-years/2026".into(), Some(json!({})), Access::Roles(MANAGERS, Scoped::No)),
        // A year of its own for each upload: the same file twice to one year is 409.
        "upload_year_document" => (Method::POST, format!("/api/v1/code-years/{}/documents", 2030 + n % 70), None, Access::Roles(MANAGERS, Scoped::No)),
        "list_year_documents" => (Method::GET, "/api/v1/code-years/2026/documents".into(), None, Access::Roles(CASEWORK_READERS, Scoped::No)),
        "list_webhooks" => (Method::GET, "/api/v1/webhooks".into(), None, Access::Roles(ADMIN, Scoped::No)),
        "create_webhook" => (Method::POST, "/api/v1/webhooks".into(), Some(json!({"url": "https://8.8.4.4/hook", "secret": "another-secret-of-length", "event_types": ["feedback.updated"]})), Access::Roles(ADMIN, Scoped::No)),
        "get_webhook" => (Method::GET, format!("/api/v1/webhooks/{}", f.webhook), None, Access::Roles(ADMIN, Scoped::No)),
        "update_webhook" => (Method::PATCH, format!("/api/v1/webhooks/{}", f.webhook), Some(json!({"active": false})), Access::Roles(ADMIN, Scoped::No)),
        "delete_webhook" => (Method::DELETE, format!("/api/v1/webhooks/{}", f.webhook), None, Access::Roles(ADMIN, Scoped::No)),
        "list_deliveries" => (Method::GET, format!("/api/v1/webhooks/{}/deliveries", f.webhook), None, Access::Roles(ADMIN, Scoped::No)),
        "redeliver" => (Method::POST, format!("/api/v1/webhooks/{}/deliveries/{}/redeliver", f.webhook, f.delivery), None, Access::Roles(ADMIN, Scoped::No)),
        "create_import" => (Method::POST, "/api/v1/imports?dry_run=true".into(), None, Access::Roles(ADMIN, Scoped::No)),
        "list_imports" => (Method::GET, "/api/v1/imports".into(), None, Access::Roles(ADMIN, Scoped::No)),
        "get_import" => (Method::GET, format!("/api/v1/imports/{}", f.import), None, Access::Roles(ADMIN, Scoped::No)),
        other => panic!("the operation {other} is not in the authorisation matrix: classify it in tests/authz.rs"),
    };
    (method, path, body, access)
}

fn expected(access: Access, role: Option<Role>, home: bool, success: u16) -> u16 {
    match (access, role) {
        (Access::Public, _) => success,
        (Access::MetricsScraper, _) => 401,
        (_, None) => 401,
        (Access::Anyone, Some(_)) => success,
        (Access::Roles(roles, scoped), Some(role)) => {
            if !roles.contains(&role) {
                403
            } else if home || role == Role::Admin {
                success
            } else {
                match scoped {
                    Scoped::No => success,
                    Scoped::NotFound => 404,
                    Scoped::Forbidden => 403,
                    Scoped::Invalid => 422,
                }
            }
        }
    }
}

fn success_status(method: &Method, operation: &str) -> u16 {
    match (method.as_str(), operation) {
        ("DELETE", _) => 204,
        ("POST", "create_token" | "import_holidays" | "run_retention" | "extend_request") => 200,
        // An import is a job, accepted to run off the request.
        ("POST", "create_import") => 202,
        ("PUT", "put_timescale_version" | "put_template") => 201,
        ("POST", op) if op.starts_with("redact_") => 200,
        ("POST", op) if op.starts_with("erase_") => 200,
        // Re-opening changes the case (a new decision round); it creates no resource.
        ("POST", "reopen_ombudsman_case") => 200,
        // Assigning changes the record; it creates no resource.
        ("POST", "assign_feedback" | "assign_ombudsman_case" | "reopen_feedback") => 200,
        // Approving changes the assessment; it creates no resource.
        ("POST", "approve_assessment") => 200,
        // Redelivering queues an existing delivery again.
        ("POST", "redeliver") => 202,
        ("POST", _) => 201,
        _ => 200,
    }
}

#[actix_web::test]
async fn every_operation_checks_roles_and_directorates() {
    let app = TestApp::with_env(&[("METRICS_TOKEN", "the-scrapers-own-token")]).await;
    let admin = app.as_admin().await;
    let spec = redress::openapi::spec();
    let mut operations = BTreeSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            operations.insert(op["operationId"].as_str().unwrap().to_string());
        }
    }
    let mut principals: Vec<(Option<Role>, bool, Option<TestUser>)> = vec![
        (None, true, None),
        (Some(Admin), true, Some(app.as_admin().await)),
    ];
    for role in [Manager, Caseworker, Analyst, Integration] {
        principals.push((Some(role), true, Some(app.user(role, &["adults"]).await)));
        principals.push((Some(role), false, Some(app.user(role, &["children"]).await)));
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for operation in &operations {
        for (role, home, user) in &principals {
            let f = fixtures(&app, &admin, operation).await;
            let (method, path, body, access) = request(operation, &f);
            let mut req = app.request(method.clone(), &path);
            if let Some(user) = user {
                req = req.auth(user);
            }
            if let Some(body) = &body {
                req = req.json(body);
            } else if operation == "create_import" {
                req = req.header("content-type", "text/csv").body(IMPORT_CSV);
            } else if operation.starts_with("upload_") {
                let (content_type, upload) = crate::documents::multipart(&[
                    crate::documents::text("kind", "evidence"),
                    crate::documents::file("note.txt", "text/plain", b"A note of the call"),
                ]);
                req = req.header("content-type", &content_type).body(upload);
            }
            let res = req.send().await;
            let want = expected(access, *role, *home, success_status(&method, operation));
            checked += 1;
            if res.status.as_u16() != want {
                failures.push(format!(
                    "{operation} as {role:?} ({}): got {}, want {want}: {}",
                    if *home { "home" } else { "other directorate" },
                    res.status.as_u16(),
                    res.text().chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(checked >= operations.len() * 10, "{checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
