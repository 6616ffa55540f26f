//! `/webhooks`: subscriptions, the outbox, and deliveries to a receiver run
//! by the test over loopback: every event exactly once, in order per
//! record, signed, across a receiver that fails and recovers, and across
//! two instances.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use redress::webhooks::delivery::Dispatcher;
use redress::webhooks::signature;
use serde_json::{json, Value};

use crate::common::{post, TestApp, TestUser};

const SECRET: &str = "a-webhook-secret-of-some-length";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: Vec<u8>,
    /// The status the receiver answered.
    answered: u16,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// A receiver over loopback that answers 500 to its first `failures`
/// requests and 200 after.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(failures: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::<Received>::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = HashMap::new();
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                loop {
                    line.clear();
                    reader.read_line(&mut line).unwrap();
                    let header = line.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':') {
                        headers.insert(name.trim().to_lowercase(), value.trim().to_string());
                    }
                }
                let length: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let mut log = log.lock().unwrap();
                let answered = if log.len() < failures { 500 } else { 200 };
                log.push(Received {
                    headers,
                    body,
                    answered,
                });
                let _ = write!(
                    stream,
                    "HTTP/1.1 {answered} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        Receiver { url, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The requests it accepted.
    fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.answered == 200)
            .collect()
    }
}

async fn app() -> TestApp {
    TestApp::with_env(&[
        ("WEBHOOK_ALLOW_PRIVATE", "true"),
        ("REDRESS_TODAY", "2026-11-30"),
    ])
    .await
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn complaint(received_on: &str) -> Value {
    json!({
        "directorate": "adults",
        "kind": "complaint",
        "procedure": "statutory_adults",
        "stage": 1,
        "received_on": received_on,
        "category": "Charging",
        "summary": "Unhappy with the outcome of a financial assessment.",
        "complainant": {"name": "Mrs A Example", "email": "a@example.org"},
    })
}

async fn subscribe(app: &TestApp, admin: &TestUser, url: &str, extra: Value) -> Value {
    let mut body = json!({
        "url": url,
        "secret": SECRET,
        "event_types": ["feedback.created", "feedback.updated", "feedback.status_changed",
                        "feedback.escalated", "feedback.overdue", "feedback.deleted"],
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    post(app, admin, "/api/v1/webhooks", body).await
}

/// Run the worker until nothing is pending, moving the clock on by `step`
/// each round so that retries fall due. Returns the last clock.
async fn deliver_all(app: &TestApp, mut now: NaiveDateTime, step: Duration) -> NaiveDateTime {
    let dispatcher = Dispatcher::new(true);
    for _ in 0..40 {
        let tick = dispatcher
            .tick(&app.state.db, now, today())
            .await
            .expect("tick");
        if tick.attempted == 0 && !pending(app).await {
            return now;
        }
        now += step;
    }
    panic!("deliveries still pending after 40 rounds");
}

async fn pending(app: &TestApp) -> bool {
    use diesel::prelude::*;
    use redress::db::schema::webhook_deliveries;
    app.state
        .db
        .run(|conn| {
            Ok(webhook_deliveries::table
                .filter(webhook_deliveries::status.eq("pending"))
                .count()
                .get_result::<i64>(conn)?
                > 0)
        })
        .await
        .unwrap()
}

async fn set_lease(app: &TestApp, delivery: i64, until: Option<NaiveDateTime>) {
    use diesel::prelude::*;
    use redress::db::schema::webhook_deliveries;
    app.state
        .db
        .write(move |conn| {
            diesel::update(webhook_deliveries::table.find(delivery))
                .set(webhook_deliveries::lease_until.eq(until))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

fn clock() -> NaiveDateTime {
    redress::db::now()
}

#[actix_web::test]
async fn every_event_arrives_once_in_order_and_signed_despite_failures() {
    let app = app().await;
    let admin = app.as_admin().await;
    let receiver = Receiver::start(2);
    let hook = subscribe(&app, &admin, &receiver.url, json!({})).await;
    assert_eq!(hook["include_personal_data"], false);
    assert_eq!(hook["active"], true);
    assert!(hook.get("secret").is_none(), "the secret is never shown");

    let a = post(&app, &admin, "/api/v1/feedback", complaint("2026-11-02")).await;
    let b = post(&app, &admin, "/api/v1/feedback", complaint("2026-11-03")).await;
    let a_path = format!("/api/v1/feedback/{}", a["id"]);
    for change in [
        json!({"category": "Quality of care"}),
        json!({"responded_on": "2026-11-20", "outcome": "upheld"}),
    ] {
        app.patch(&a_path)
            .auth(&admin)
            .json(&change)
            .send()
            .await
            .assert_status(200);
    }
    app.patch(&format!("/api/v1/feedback/{}", b["id"]))
        .auth(&admin)
        .json(&json!({"category": "Delay"}))
        .send()
        .await
        .assert_status(200);
    // A write that fails leaves no event.
    app.post("/api/v1/feedback")
        .auth(&admin)
        .json(&json!({"directorate": "adults"}))
        .send()
        .await
        .assert_status(422);

    deliver_all(&app, clock(), Duration::minutes(5)).await;

    let received = receiver.received();
    assert_eq!(received.iter().filter(|r| r.answered == 500).count(), 2);
    let accepted = receiver.accepted();
    // a: created, updated, updated + status_changed; b: created, updated.
    let mut types: Vec<(i64, String)> = accepted
        .iter()
        .map(|r| {
            let body = r.json();
            (
                body["data"]["id"].as_i64().unwrap(),
                body["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    types.sort();
    let (a_id, b_id) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    assert_eq!(
        types,
        [
            (a_id, "feedback.created".to_string()),
            (a_id, "feedback.status_changed".to_string()),
            (a_id, "feedback.updated".to_string()),
            (a_id, "feedback.updated".to_string()),
            (b_id, "feedback.created".to_string()),
            (b_id, "feedback.updated".to_string()),
        ]
    );
    // Each event exactly once.
    let mut ids: Vec<i64> = accepted
        .iter()
        .map(|r| r.json()["id"].as_i64().unwrap())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "an event was accepted twice");
    // In order per record.
    let mut last: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &accepted {
        let body = r.json();
        let record = body["data"]["id"].as_i64().unwrap();
        let event = body["id"].as_i64().unwrap();
        if let Some(previous) = last.insert(record, event) {
            assert!(
                previous < event,
                "record {record}: event {event} after {previous}"
            );
        }
    }
    for r in &received {
        assert!(
            signature::verify(SECRET, &r.headers["x-redress-signature"], &r.body),
            "bad signature"
        );
        assert_eq!(r.headers["content-type"], "application/json");
        let body = r.json();
        assert_eq!(r.headers["x-redress-event-id"], body["id"].to_string());
        assert_eq!(r.headers["x-redress-event"], body["type"].as_str().unwrap());
        // No personal data or free text for this subscription.
        let changes = &body["data"]["changes"];
        assert!(changes.get("complainant").is_none(), "{changes}");
        assert!(changes.get("summary").is_none(), "{changes}");
        assert!(!String::from_utf8_lossy(&r.body).contains("Mrs A Example"));
    }
    let created = accepted
        .iter()
        .map(Received::json)
        .find(|b| b["type"] == "feedback.created")
        .unwrap();
    assert_eq!(created["data"]["directorate"], "adults");
    assert_eq!(created["data"]["status"], "open");
    assert_eq!(created["data"]["changes"]["category"]["to"], "Charging");
    let status = accepted
        .iter()
        .map(Received::json)
        .find(|b| b["type"] == "feedback.status_changed")
        .unwrap();
    assert_eq!(status["data"]["status"], "responded");

    // The deliveries show their attempts: the first two failed first.
    let deliveries = crate::common::get(
        &app,
        &admin,
        &format!("/api/v1/webhooks/{}/deliveries?limit=100", hook["id"]),
    )
    .await;
    assert_eq!(deliveries["total"], 6);
    let items = deliveries["items"].as_array().unwrap();
    assert!(items.iter().all(|d| d["status"] == "delivered"));
    let retried: Vec<&Value> = items
        .iter()
        .filter(|d| d["attempts"].as_i64().unwrap() > 1)
        .collect();
    assert!(!retried.is_empty());
    let log = retried[0]["attempt_log"].as_array().unwrap();
    assert_eq!(log[0]["status_code"], 500);
    assert!(log[0]["error"].as_str().unwrap().contains("500"));
    assert_eq!(log.last().unwrap()["status_code"], 200);
    assert_eq!(log.last().unwrap()["error"], Value::Null);
}

#[actix_web::test]
async fn personal_data_is_sent_only_when_the_subscription_includes_it() {
    let app = app().await;
    let admin = app.as_admin().await;
    let receiver = Receiver::start(0);
    subscribe(
        &app,
        &admin,
        &receiver.url,
        json!({"include_personal_data": true, "event_types": ["feedback.created"]}),
    )
    .await;
    post(&app, &admin, "/api/v1/feedback", complaint("2026-11-02")).await;
    deliver_all(&app, clock(), Duration::seconds(1)).await;
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1);
    let body = accepted[0].json();
    assert_eq!(
        body["data"]["changes"]["complainant"]["to"]["name"],
        "Mrs A Example"
    );
}

#[actix_web::test]
async fn subscriptions_filter_by_event_and_directorate() {
    let app = app().await;
    let admin = app.as_admin().await;
    let receiver = Receiver::start(0);
    subscribe(
        &app,
        &admin,
        &receiver.url,
        json!({"event_types": ["feedback.created"], "directorates": ["children"]}),
    )
    .await;
    post(&app, &admin, "/api/v1/feedback", complaint("2026-11-02")).await;
    let mut children = complaint("2026-11-02");
    children["directorate"] = json!("children");
    children["procedure"] = json!("statutory_children");
    let child = post(&app, &admin, "/api/v1/feedback", children).await;
    app.patch(&format!("/api/v1/feedback/{}", child["id"]))
        .auth(&admin)
        .json(&json!({"category": "Delay"}))
        .send()
        .await
        .assert_status(200);
    deliver_all(&app, clock(), Duration::seconds(1)).await;
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1, "only the children's record's creation");
    assert_eq!(accepted[0].json()["data"]["id"], child["id"]);
}

#[actix_web::test]
async fn a_delivery_failing_for_a_day_is_marked_failed_and_can_be_redelivered() {
    let app = app().await;
    let admin = app.as_admin().await;
    let receiver = Receiver::start(1_000);
    let hook = subscribe(
        &app,
        &admin,
        &receiver.url,
        json!({"event_types": ["feedback.created"]}),
    )
    .await;
    post(&app, &admin, "/api/v1/feedback", complaint("2026-11-02")).await;
    let start = clock();
    deliver_all(&app, start, Duration::hours(2)).await;
    let failures = receiver.received().len();
    // Backoff: 10 s doubling up to an hour, for 24 hours, at 2-hour steps.
    assert!((5..=20).contains(&failures), "{failures} attempts");
    let deliveries = crate::common::get(
        &app,
        &admin,
        &format!("/api/v1/webhooks/{}/deliveries?status=failed", hook["id"]),
    )
    .await;
    assert_eq!(deliveries["total"], 1);
    let delivery = &deliveries["items"][0];
    assert_eq!(delivery["next_attempt_at"], Value::Null);

    let redeliver = || {
        app.post(&format!(
            "/api/v1/webhooks/{}/deliveries/{}/redeliver",
            hook["id"], delivery["id"]
        ))
        .auth(&admin)
        .send()
    };
    // While an instance holds it (a claim's lease), it is not queued again.
    let id = delivery["id"].as_i64().unwrap();
    set_lease(&app, id, Some(clock() + Duration::seconds(60))).await;
    redeliver().await.problem(409);
    set_lease(&app, id, None).await;
    let res = redeliver().await;
    res.assert_status(202);
    assert_eq!(res.json()["attempts"], 0);
    assert_eq!(res.json()["status"], "pending");
    Dispatcher::new(true)
        .tick(&app.state.db, clock(), today())
        .await
        .unwrap();
    assert_eq!(receiver.received().len(), failures + 1);
    let same_event: Vec<Value> = receiver
        .received()
        .iter()
        .map(|r| r.json()["id"].clone())
        .collect();
    assert!(same_event.iter().all(|id| *id == same_event[0]));

    app.post(&format!(
        "/api/v1/webhooks/{}/deliveries/999999/redeliver",
        hook["id"]
    ))
    .auth(&admin)
    .send()
    .await
    .problem(404);
}

#[actix_web::test]
async fn two_instances_deliver_each_event_once() {
    let app = app().await;
    let other = app.sibling(&[("WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let admin = app.as_admin().await;
    let receiver = Receiver::start(0);
    subscribe(&app, &admin, &receiver.url, json!({})).await;
    let mut ids = Vec::new();
    for day in 2..12 {
        let record = post(
            &app,
            &admin,
            "/api/v1/feedback",
            complaint(&format!("2026-11-{day:02}")),
        )
        .await;
        ids.push(record["id"].clone());
        app.patch(&format!("/api/v1/feedback/{}", record["id"]))
            .auth(&admin)
            .json(&json!({"category": "Delay"}))
            .send()
            .await
            .assert_status(200);
    }
    let now = clock();
    let (one, two) = (Dispatcher::new(true), Dispatcher::new(true));
    for _ in 0..10 {
        let (a, b) = futures_util::future::join(
            one.tick(&app.state.db, now, today()),
            two.tick(&other.state.db, now, today()),
        )
        .await;
        a.unwrap();
        b.unwrap();
    }
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 20, "10 records, created and updated");
    let mut events: Vec<i64> = accepted
        .iter()
        .map(|r| r.json()["id"].as_i64().unwrap())
        .collect();
    events.sort();
    events.dedup();
    assert_eq!(events.len(), 20, "an event was delivered twice");
    for id in ids {
        let types: Vec<String> = accepted
            .iter()
            .map(Received::json)
            .filter(|b| b["data"]["id"] == id)
            .map(|b| b["type"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            types,
            ["feedback.created", "feedback.updated"],
            "order for {id}"
        );
    }
}

#[actix_web::test]
async fn a_record_passing_its_due_date_is_reported_overdue_once() {
    let app = app().await;
    let admin = app.as_admin().await;
    let receiver = Receiver::start(0);
    subscribe(
        &app,
        &admin,
        &receiver.url,
        json!({"event_types": ["feedback.overdue"]}),
    )
    .await;
    // Received 2026-11-02: due within 15 working days (statutory adults),
    // long before 30 November; the first check looks back one day only.
    let old = post(&app, &admin, "/api/v1/feedback", complaint("2026-09-01")).await;
    let record = post(&app, &admin, "/api/v1/feedback", complaint("2026-11-02")).await;
    let due: NaiveDate = record["timeliness"]["due_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(due >= today(), "due {due}");
    let dispatcher = Dispatcher::new(true);
    let first = dispatcher
        .tick(&app.state.db, clock(), today())
        .await
        .unwrap();
    assert_eq!(first.overdue, 0, "{old}");
    // The day after its due date, it is overdue: once, however often the
    // worker looks that day or the next.
    for day in [
        due + Duration::days(1),
        due + Duration::days(1),
        due + Duration::days(2),
    ] {
        dispatcher.tick(&app.state.db, clock(), day).await.unwrap();
        dispatcher.tick(&app.state.db, clock(), day).await.unwrap();
    }
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1);
    let body = accepted[0].json();
    assert_eq!(body["type"], "feedback.overdue");
    assert_eq!(body["data"]["id"], record["id"]);
    assert_eq!(body["data"]["due_on"], due.to_string());
}

#[actix_web::test]
async fn subscriptions_are_managed_by_admins_with_checks() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2026-11-30")]).await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let body = json!({"url": "https://8.8.8.8/hook", "secret": SECRET, "event_types": ["feedback.created"]});

    app.post("/api/v1/webhooks")
        .json(&body)
        .send()
        .await
        .problem(401);
    app.post("/api/v1/webhooks")
        .auth(&manager)
        .json(&body)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/webhooks")
        .auth(&manager)
        .send()
        .await
        .problem(403);

    // Private and loopback addresses, plain http, short secrets, no events,
    // unknown events and directorates: 422 naming the field.
    for (field, change) in [
        ("url", json!({"url": "https://127.0.0.1/hook"})),
        ("url", json!({"url": "https://10.1.2.3/hook"})),
        ("url", json!({"url": "https://localhost/hook"})),
        ("url", json!({"url": "http://8.8.8.8/hook"})),
        ("url", json!({"url": "not a url"})),
        ("secret", json!({"secret": "short"})),
        ("event_types", json!({"event_types": []})),
        ("event_types", json!({"event_types": ["feedback.exploded"]})),
        ("directorates", json!({"directorates": ["nowhere"]})),
    ] {
        let mut bad = body.clone();
        bad.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        let res = app
            .post("/api/v1/webhooks")
            .auth(&admin)
            .json(&bad)
            .send()
            .await;
        let fields = res.invalid_fields();
        assert!(
            !fields.is_empty() && fields.iter().all(|f| f.starts_with(field)),
            "{change}: {fields:?}"
        );
    }

    let res = app
        .post("/api/v1/webhooks")
        .auth(&admin)
        .json(&body)
        .send()
        .await;
    res.assert_status(201);
    let hook = res.json();
    let path = res.header("location").unwrap().to_string();
    assert_eq!(res.header("etag").unwrap(), "\"1\"");
    let listed = crate::common::get(&app, &admin, "/api/v1/webhooks").await;
    assert_eq!(listed["total"], 1);
    assert_eq!(
        crate::common::get(&app, &admin, &path).await["url"],
        "https://8.8.8.8/hook"
    );

    // Changes: If-Match, merge patch, the address check again.
    let patch = |change: Value, tag: &'static str| {
        app.patch(&path)
            .auth(&admin)
            .header("If-Match", tag)
            .json(&change)
            .send()
    };
    patch(json!({"active": false}), "\"7\"").await.problem(412);
    let res = patch(json!({"active": false, "description": "The CRM"}), "\"1\"").await;
    res.assert_status(200);
    assert_eq!(res.json()["active"], false);
    assert_eq!(res.json()["version"], 2);
    assert_eq!(
        patch(json!({"url": "https://192.168.0.1/"}), "\"2\"")
            .await
            .invalid_fields(),
        ["url"]
    );
    assert_eq!(
        patch(json!({"id": 5}), "\"2\"").await.invalid_fields(),
        ["id"]
    );
    // A new secret of the same length is a change (rotation), audited
    // without its value.
    let rotated = "b-webhook-secret-of-some-length";
    assert_eq!(rotated.len(), SECRET.len());
    let res = patch(json!({"secret": rotated}), "\"2\"").await;
    res.assert_status(200);
    assert_eq!(res.json()["version"], 3);
    // The audit history never holds the secret.
    let audit = app.table_text("audit_log").await;
    assert!(audit.iter().any(|entry| entry.starts_with("webhook ")));
    assert!(!audit.iter().any(|entry| entry.contains(SECRET)));
    assert!(!audit.iter().any(|entry| entry.contains(rotated)));
    assert!(audit.iter().any(|entry| entry.contains("[changed]")));

    app.get("/api/v1/webhooks/999999")
        .auth(&admin)
        .send()
        .await
        .problem(404);
    app.get("/api/v1/webhooks/999999/deliveries")
        .auth(&admin)
        .send()
        .await
        .problem(404);
    app.delete(&path)
        .auth(&admin)
        .header("If-Match", "\"2\"")
        .send()
        .await
        .problem(412);
    app.delete(&path)
        .auth(&admin)
        .send()
        .await
        .assert_status(204);
    app.get(&path).auth(&admin).send().await.problem(404);
    assert_eq!(hook["event_types"], json!(["feedback.created"]));
}

#[actix_web::test]
async fn without_subscriptions_changes_record_no_events() {
    use diesel::prelude::*;
    use redress::db::schema::webhook_events;
    let app = app().await;
    let admin = app.as_admin().await;
    post(&app, &admin, "/api/v1/feedback", complaint("2026-11-02")).await;
    let events: i64 = app
        .state
        .db
        .run(|conn| Ok(webhook_events::table.count().get_result(conn)?))
        .await
        .unwrap();
    assert_eq!(events, 0);
}

#[actix_web::test]
async fn erasing_a_record_blanks_its_events() {
    let app = app().await;
    let admin = app.as_admin().await;
    // A receiver that never accepts, so the events wait in the outbox.
    let receiver = Receiver::start(1_000);
    subscribe(
        &app,
        &admin,
        &receiver.url,
        json!({"include_personal_data": true}),
    )
    .await;
    let record = post(&app, &admin, "/api/v1/feedback", complaint("2026-11-02")).await;
    app.post(&format!("/api/v1/feedback/{}/erase", record["id"]))
        .auth(&admin)
        .json(&json!({"reason": "erasure_request"}))
        .send()
        .await
        .assert_status(200);
    use diesel::prelude::*;
    use redress::db::schema::webhook_events;
    let data: Vec<String> = app
        .state
        .db
        .run(|conn| {
            Ok(webhook_events::table
                .select(webhook_events::data)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert!(!data.is_empty());
    assert!(
        data.iter().all(|d| !d.contains("Mrs A Example")),
        "{data:?}"
    );
}

#[actix_web::test]
async fn ombudsman_cases_and_improvements_have_their_events() {
    let app = app().await;
    let admin = app.as_admin().await;
    let receiver = Receiver::start(0);
    subscribe(
        &app,
        &admin,
        &receiver.url,
        json!({"event_types": ["ombudsman_case.created", "ombudsman_case.updated", "ombudsman_case.decided",
                               "ombudsman_case.deleted", "improvement.created", "improvement.updated",
                               "improvement.status_changed", "improvement.deleted"]}),
    )
    .await;
    let case = post(
        &app,
        &admin,
        "/api/v1/ombudsman-cases",
        json!({"reference": "25 001 234", "directorate": "adults", "received_on": "2026-01-06"}),
    )
    .await;
    let case_path = format!("/api/v1/ombudsman-cases/{}", case["id"]);
    app.patch(&case_path)
        .auth(&admin)
        .json(&json!({"decision": "not_upheld", "decided_on": "2026-03-03"}))
        .send()
        .await
        .assert_status(200);
    let improvement = post(
        &app,
        &admin,
        "/api/v1/service-improvements",
        json!({"directorate": "adults", "description": "Brief staff.", "agreed_on": "2026-02-03"}),
    )
    .await;
    let improvement_path = format!("/api/v1/service-improvements/{}", improvement["id"]);
    app.patch(&improvement_path)
        .auth(&admin)
        .json(&json!({"status": "in_progress"}))
        .send()
        .await
        .assert_status(200);
    app.delete(&improvement_path)
        .auth(&admin)
        .send()
        .await
        .assert_status(204);
    // Feedback events are not asked for.
    post(&app, &admin, "/api/v1/feedback", complaint("2026-11-02")).await;
    deliver_all(&app, clock(), Duration::seconds(1)).await;
    let types: Vec<String> = receiver
        .accepted()
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = types.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "improvement.created",
            "improvement.deleted",
            "improvement.status_changed",
            "improvement.updated",
            "ombudsman_case.created",
            "ombudsman_case.decided",
            "ombudsman_case.updated",
        ],
        "{types:?}"
    );
    let deleted = receiver
        .accepted()
        .iter()
        .map(Received::json)
        .find(|b| b["type"] == "improvement.deleted")
        .unwrap();
    assert_eq!(deleted["data"]["directorate"], "adults");
    assert_eq!(deleted["data"]["entity"], "service_improvement");
}

#[actix_web::test]
async fn an_escalation_is_the_next_stage_created_and_escalated() {
    let app = app().await;
    let admin = app.as_admin().await;
    let receiver = Receiver::start(0);
    subscribe(&app, &admin, &receiver.url, json!({})).await;
    let first = post(&app, &admin, "/api/v1/feedback", complaint("2026-06-02")).await;
    let next = post(
        &app,
        &admin,
        &format!("/api/v1/feedback/{}/escalate", first["id"]),
        json!({"received_on": "2026-07-14"}),
    )
    .await;
    deliver_all(&app, clock(), Duration::seconds(1)).await;
    let events: Vec<(Value, String)> = receiver
        .accepted()
        .iter()
        .map(Received::json)
        .map(|b| {
            (
                b["data"]["id"].clone(),
                b["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        events.contains(&(next["id"].clone(), "feedback.created".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&(next["id"].clone(), "feedback.escalated".into())),
        "{events:?}"
    );
    // The parent was created once, and the escalation changed it.
    let of_first: Vec<&String> = events
        .iter()
        .filter(|(id, _)| *id == first["id"])
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        of_first,
        ["feedback.created", "feedback.updated"],
        "{events:?}"
    );
    let escalated = receiver
        .accepted()
        .iter()
        .map(Received::json)
        .find(|b| b["type"] == "feedback.escalated")
        .unwrap();
    assert_eq!(escalated["data"]["changes"]["parent_id"]["to"], first["id"]);
}
