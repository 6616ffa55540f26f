//! `redress backup`: a consistent copy of a live SQLite database, restored
//! and read.

use futures_util::future::join_all;
use serde_json::json;

use crate::common::{on_postgres, TestApp};

#[actix_web::test]
async fn a_backup_taken_during_writes_restores_whole() {
    let app = TestApp::new().await;
    let worker = app.as_caseworker("adults").await;
    let body = |i: usize| {
        json!({"directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
               "received_on": "2025-06-02", "summary": format!("record {i} \u{1F600} 'quoted' \"double\""),
               "complainant": {"name": format!("Test Person {i}")}})
    };
    for i in 0..20 {
        app.post("/api/v1/feedback")
            .auth(&worker)
            .json(&body(i))
            .send()
            .await
            .assert_status(201);
    }
    let path = TestApp::temp_path("redress_backup");
    if on_postgres() {
        let target = path.clone();
        let refused = app
            .state
            .db
            .run(move |conn| Ok(redress::db::backup(conn, &target)))
            .await
            .unwrap();
        assert!(refused.unwrap_err().contains("pg_dump"));
        return;
    }
    // Back up while twenty more creates are under way.
    let service = app.service().await;
    let writes = join_all((20..40).map(|i| {
        actix_web::test::call_service(
            &service,
            app.post("/api/v1/feedback")
                .auth(&worker)
                .json(&body(i))
                .into_request(),
        )
    }));
    let target = path.clone();
    let backup = app.state.db.run(move |conn| {
        redress::db::backup(conn, &target).map_err(redress::error::ApiError::internal)
    });
    let (responses, backed_up) = futures_util::future::join(writes, backup).await;
    backed_up.expect("backup");
    assert!(responses.iter().all(|r| r.status().as_u16() == 201));
    // A second backup to the same file is refused rather than overwriting it.
    let again = path.clone();
    assert!(app
        .state
        .db
        .run(move |conn| Ok(redress::db::backup(conn, &again)))
        .await
        .unwrap()
        .is_err());

    let restored = TestApp::open_sqlite(path).await;
    let admin = restored.as_admin().await;
    let list = restored
        .get("/api/v1/feedback?limit=500&sort=id")
        .auth(&admin)
        .send()
        .await
        .json();
    let total = list["total"].as_i64().unwrap();
    assert!(
        (20..=40).contains(&total),
        "the copy holds a consistent prefix: {total}"
    );
    for (i, item) in list["items"].as_array().unwrap().iter().enumerate() {
        assert_eq!(item["id"], i as i64 + 1, "no gaps");
        assert_eq!(item["reference"], format!("FB-{:06}", i + 1));
        let expected = format!(
            "record {} \u{1F600} 'quoted' \"double\"",
            item["complainant"]["name"]
                .as_str()
                .unwrap()
                .trim_start_matches("Test Person ")
        );
        assert_eq!(item["summary"], expected.as_str(), "text is byte for byte");
        let history = restored
            .get(&format!("/api/v1/feedback/{}/history", item["id"]))
            .auth(&admin)
            .send()
            .await
            .json();
        assert_eq!(
            history["total"], 1,
            "each record and its audit entry together"
        );
    }
}
