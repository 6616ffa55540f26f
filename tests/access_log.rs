//! The access log: every read of a complainant's personal data is logged
//! with who, when, how and from where; admins read the whole log, managers
//! a record's own; entries past their retention are purged.

use serde_json::{json, Value};

use crate::common::{get, post, TestApp, TestUser};

async fn record(app: &TestApp, user: &TestUser) -> i64 {
    post(
        app,
        user,
        "/api/v1/feedback",
        json!({"directorate": "adults", "kind": "complaint", "procedure": "corporate", "stage": 1,
               "received_on": "2026-03-02", "complainant": {"name": "Mrs Y"}}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// The `access` of each entry, oldest first.
fn accesses(page: &Value) -> Vec<String> {
    let mut all: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["access"].as_str().unwrap().to_string())
        .collect();
    all.reverse();
    all
}

#[actix_web::test]
async fn reading_personal_data_is_logged_with_who_how_and_from_where() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let manager = app.as_manager("adults").await;
    let worker = app.as_caseworker("adults").await;
    let analyst = app.as_analyst("adults").await;
    let id = record(&app, &worker).await;
    let path = format!("/api/v1/feedback/{id}");
    let (content_type, upload) = crate::documents::multipart(&[
        crate::documents::text("kind", "letter_in"),
        crate::documents::file("letter.txt", "text/plain", b"Dear Sir"),
    ]);
    let document = app
        .post(&format!("{path}/documents"))
        .auth(&worker)
        .header("content-type", &content_type)
        .body(upload)
        .send()
        .await
        .json();

    let reads = [
        path.clone(),
        "/api/v1/feedback?limit=10".to_string(),
        format!("{path}/history"),
        format!("{path}/contacts"),
        document["href"].as_str().unwrap().to_string(),
    ];
    for read in &reads {
        app.get(read)
            .auth(&manager)
            .peer("192.0.2.7:40000")
            .send()
            .await
            .assert_status(200);
    }
    // Analysts see no personal data, so their reads are not logged; a
    // record not found is not logged either.
    app.get(&path)
        .auth(&analyst)
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/feedback")
        .auth(&analyst)
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/feedback/999999")
        .auth(&manager)
        .send()
        .await
        .problem(404);

    let log = get(
        &app,
        &admin,
        &format!("/api/v1/access-log?entity=feedback&id={id}"),
    )
    .await;
    assert_eq!(
        accesses(&log),
        ["read", "list", "history", "contacts", "document"]
    );
    for entry in log["items"].as_array().unwrap() {
        assert_eq!(entry["username"], manager.username.as_str());
        assert_eq!(entry["user_id"], manager.id);
        assert_eq!(entry["address"], "192.0.2.7");
        assert!(entry["occurred_at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(log["items"][0]["detail"], document["id"].to_string());
    let by_analyst = get(
        &app,
        &admin,
        &format!("/api/v1/access-log?user={}", analyst.username),
    )
    .await;
    assert_eq!(by_analyst["total"], 0);

    // The record's own log: admins and the directorate's managers.
    let own = get(&app, &manager, &format!("{path}/access")).await;
    assert_eq!(own["total"], 5);
    app.get(&format!("{path}/access"))
        .auth(&worker)
        .send()
        .await
        .problem(403);
    let other = app.as_manager("children").await;
    app.get(&format!("{path}/access"))
        .auth(&other)
        .send()
        .await
        .problem(404);
    app.get("/api/v1/access-log")
        .auth(&manager)
        .send()
        .await
        .problem(403);
    app.get("/api/v1/access-log").send().await.problem(401);

    // Filters by day, and their checks.
    let today = chrono::Utc::now().date_naive();
    let in_range = get(
        &app,
        &admin,
        &format!("/api/v1/access-log?from={today}&to={today}"),
    )
    .await;
    assert!(in_range["total"].as_i64().unwrap() >= 5);
    let yesterday = today - chrono::Duration::days(1);
    let before = get(&app, &admin, &format!("/api/v1/access-log?to={yesterday}")).await;
    assert_eq!(before["total"], 0);
    let res = app
        .get(&format!("/api/v1/access-log?id={id}"))
        .auth(&admin)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["id"]);
    let res = app
        .get(&format!("/api/v1/access-log?from={today}&to={yesterday}"))
        .auth(&admin)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["to"]);
}

#[actix_web::test]
async fn a_long_list_is_logged_record_by_record_in_batches() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let worker = app.as_caseworker("adults").await;
    for _ in 0..300 {
        record(&app, &worker).await;
    }
    // The 300 entries wait to be written; the log's reader writes them
    // first (waiting for any write under way).
    app.get("/api/v1/feedback?limit=300")
        .auth(&worker)
        .send()
        .await
        .assert_status(200);
    let log = get(&app, &admin, "/api/v1/access-log?limit=1").await;
    assert_eq!(log["total"], 300);
}

/// Entries are queued, then settled into the log in bulk: two settles at
/// once (two instances) move each entry once, and the log's reader sees
/// every entry read before it, settled or not.
#[actix_web::test]
async fn queued_entries_are_settled_into_the_log_once() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let worker = app.as_caseworker("adults").await;
    for _ in 0..40 {
        record(&app, &worker).await;
    }
    app.get("/api/v1/feedback?limit=40")
        .auth(&worker)
        .send()
        .await
        .assert_status(200);
    app.state.access.flush().await;
    let (a, b) =
        futures_util::future::join(app.state.access.settle(), app.state.access.settle()).await;
    a.unwrap();
    b.unwrap();
    app.get("/api/v1/feedback?limit=5")
        .auth(&worker)
        .send()
        .await
        .assert_status(200);
    let log = get(&app, &admin, "/api/v1/access-log?limit=1").await;
    assert_eq!(log["total"], 45, "40 settled, 5 still queued when asked");
}

#[actix_web::test]
async fn entries_past_their_retention_are_purged() {
    let app = TestApp::with_env(&[("ACCESS_LOG_RETENTION_DAYS", "30")]).await;
    let admin = app.as_admin().await;
    let worker = app.as_caseworker("adults").await;
    let id = record(&app, &worker).await;
    app.get(&format!("/api/v1/feedback/{id}"))
        .auth(&worker)
        .send()
        .await
        .assert_status(200);
    app.state.access.flush().await;
    app.state.access.settle().await.unwrap();
    // One entry made old.
    let sql = if app.sqlite_file().is_some() {
        "UPDATE access_log SET occurred_at = datetime(occurred_at, '-40 days')"
    } else {
        "UPDATE access_log SET occurred_at = occurred_at - INTERVAL '40 days'"
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
    app.get(&format!("/api/v1/feedback/{id}"))
        .auth(&worker)
        .send()
        .await
        .assert_status(200);
    app.state.access.flush().await;
    assert_eq!(app.state.access.purge().await.unwrap(), 1);
    let log = get(&app, &admin, "/api/v1/access-log").await;
    assert_eq!(log["total"], 1, "the recent entry stays");
}

/// How many entries are settled in the log, and how many batches wait in
/// the queue, read straight from the tables (the API settles first).
async fn settled_and_queued(app: &TestApp) -> (i64, i64) {
    app.state
        .db
        .run(|conn| {
            use diesel::dsl::count_star;
            use diesel::{QueryDsl, RunQueryDsl};
            use redress::db::schema::{access_log, access_log_queue};
            let settled = access_log::table.select(count_star()).first(conn)?;
            let queued = access_log_queue::table.select(count_star()).first(conn)?;
            Ok((settled, queued))
        })
        .await
        .unwrap()
}

/// Read record `id` `times` times as `reader`, writing the log's waiting
/// entries after each read: `times` batches of one entry in the queue.
async fn queue_reads(app: &TestApp, reader: &TestUser, id: i64, times: usize) {
    for _ in 0..times {
        app.get(&format!("/api/v1/feedback/{id}"))
            .auth(reader)
            .send()
            .await
            .assert_status(200);
        app.state.access.flush().await;
    }
}

/// A settle moves the queue a chunk of batches per transaction, and moves
/// all of it: 70 batches of one entry each, more than one chunk.
#[actix_web::test]
async fn a_settle_moves_a_queue_longer_than_one_chunk() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let id = record(&app, &worker).await;
    queue_reads(&app, &worker, id, 70).await;
    assert_eq!(settled_and_queued(&app).await, (0, 70));
    app.state.access.settle().await.unwrap();
    assert_eq!(settled_and_queued(&app).await, (70, 0));
}

/// The timer's tick writes what waits, but settles the queue only in a
/// quiet tick, one with fewer than 1,000 requests served: after a busy one
/// (1,500 requests) the entries stay queued; the next, quiet, tick settles
/// them.
#[actix_web::test]
async fn the_queue_is_settled_in_a_quiet_tick_not_a_busy_one() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let worker = app.as_caseworker("adults").await;
    let id = record(&app, &worker).await;
    // One read. The first tick, at start, writes it but does not settle
    // it (it has no earlier tick to tell a quiet start from a busy one);
    // the next, quiet, tick does.
    app.get(&format!("/api/v1/feedback/{id}"))
        .auth(&worker)
        .send()
        .await
        .assert_status(200);
    app.state.access.tick(|| 5).await;
    assert_eq!(settled_and_queued(&app).await, (0, 1));
    app.state.access.tick(|| 10).await;
    assert_eq!(settled_and_queued(&app).await, (1, 0));

    // A busy tick: 1,500 requests served (here, 1,500 entries logged
    // directly), queued and left for later.
    let reader = redress::auth::AuthUser {
        id: 1,
        username: "admin".into(),
        role: redress::auth::Role::Admin,
        directorates: vec![],
        request_id: None,
        address: None,
    };
    for _ in 0..1500 {
        app.state.access.record(
            &reader,
            "feedback",
            [id],
            redress::access::Access::Read,
            None,
        );
    }
    app.state.access.tick(|| 1510).await;
    let (settled, queued) = settled_and_queued(&app).await;
    assert_eq!(settled, 1, "a busy tick settles nothing");
    assert!(queued > 0);

    // A quiet tick: the queue is settled.
    app.state.access.tick(|| 1520).await;
    assert_eq!(settled_and_queued(&app).await.1, 0);
    let log = get(
        &app,
        &admin,
        &format!("/api/v1/feedback/{id}/access?limit=1"),
    )
    .await;
    assert_eq!(log["total"], 1501);
}

/// A settle begun in a quiet tick stops between chunks once the instance
/// is busy again, and the next quiet tick goes on with it: here the
/// instance serves 1,000 requests during the first chunk of five.
#[actix_web::test]
async fn a_quiet_settle_stops_when_the_instance_is_busy_again() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let id = record(&app, &worker).await;
    app.state.access.tick(|| 0).await;
    queue_reads(&app, &worker, id, 5).await;
    assert_eq!(settled_and_queued(&app).await, (0, 5));
    // Quiet at the tick (10 requests since the last), busy once the
    // settle has begun (1,010 more).
    let calls = std::cell::Cell::new(0);
    let served = || {
        calls.set(calls.get() + 1);
        if calls.get() == 1 {
            10
        } else {
            1_020
        }
    };
    app.state.access.tick(served).await;
    assert_eq!(
        settled_and_queued(&app).await,
        (1, 4),
        "one chunk, then it stops"
    );
    // The next tick is busy (1,020 since the last one's 10): nothing moves.
    app.state.access.tick(|| 1_020).await;
    assert_eq!(settled_and_queued(&app).await, (1, 4));
    // A quiet one settles the rest.
    app.state.access.tick(|| 1_030).await;
    assert_eq!(settled_and_queued(&app).await, (5, 0));
}
