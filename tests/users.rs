//! `/users`: admin-only CRUD, validation, concurrency and audit.

use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn admins_create_users_of_every_role() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for (i, role) in ["admin", "manager", "caseworker", "analyst", "integration"]
        .iter()
        .enumerate()
    {
        let directorates = if *role == "admin" {
            json!([])
        } else {
            json!(["children", "adults"])
        };
        let res = app
            .post("/api/v1/users")
            .auth(&admin)
            .json(&json!({"username": format!("user{i}.{role}"), "role": role,
                          "directorates": directorates, "password": "a-long-password"}))
            .send()
            .await;
        res.assert_status(201);
        let body = res.json();
        assert_eq!(body["role"], *role);
        assert_eq!(body["active"], true);
        assert_eq!(body["display_name"], format!("user{i}.{role}"));
        if *role != "admin" {
            assert_eq!(body["directorates"], json!(["adults", "children"]));
        }
        assert!(body.get("password").is_none());
        assert_eq!(
            res.header("location").unwrap(),
            format!("/api/v1/users/{}", body["id"])
        );
        assert_eq!(res.header("etag"), Some("\"1\""));
        // The new user can log in.
        app.post("/api/v1/auth/token")
            .json(&json!({"username": format!("user{i}.{role}"), "password": "a-long-password"}))
            .send()
            .await
            .assert_status(200);
    }
    let list = app.get("/api/v1/users?limit=500").auth(&admin).send().await;
    list.assert_status(200);
    assert_eq!(list.json()["total"], 6);
}

#[actix_web::test]
async fn only_admins_manage_users() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let target = app.as_caseworker("adults").await;
    for user in [
        app.as_manager("adults").await,
        app.as_caseworker("adults").await,
        app.as_analyst("adults").await,
        app.as_integration("adults").await,
    ] {
        app.get("/api/v1/users")
            .auth(&user)
            .send()
            .await
            .problem(403);
        app.get(&format!("/api/v1/users/{}", target.id))
            .auth(&user)
            .send()
            .await
            .problem(403);
        app.post("/api/v1/users")
            .auth(&user)
            .json(&json!({"username": "sneaky", "role": "admin", "password": "a-long-password"}))
            .send()
            .await
            .problem(403);
        app.patch(&format!("/api/v1/users/{}", user.id))
            .auth(&user)
            .json(&json!({"role": "admin"}))
            .send()
            .await
            .problem(403);
        app.delete(&format!("/api/v1/users/{}", target.id))
            .auth(&user)
            .send()
            .await
            .problem(403);
    }
    app.get(&format!("/api/v1/users/{}", target.id))
        .auth(&admin)
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn user_validation_reports_every_bad_field() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .post("/api/v1/users")
        .auth(&admin)
        .json(
            &json!({"username": "No Spaces!", "role": "caseworker", "directorates": [],
                      "password": "short", "display_name": "   ", "id": 5}),
        )
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["directorates", "display_name", "id", "password", "username"]
    );

    let res = app
        .post("/api/v1/users")
        .auth(&admin)
        .json(&json!({"username": "ok.name", "role": "superuser", "password": "a-long-password"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["role"]);

    let res = app
        .post("/api/v1/users")
        .auth(&admin)
        .json(&json!({"username": "ok.name", "role": "manager", "directorates": ["nowhere"], "password": "a-long-password"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["directorates"]);
}

#[actix_web::test]
async fn duplicate_usernames_conflict() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let body = json!({"username": "j.smith", "role": "analyst", "directorates": ["adults"], "password": "a-long-password"});
    app.post("/api/v1/users")
        .auth(&admin)
        .json(&body)
        .send()
        .await
        .assert_status(201);
    app.post("/api/v1/users")
        .auth(&admin)
        .json(&body)
        .send()
        .await
        .problem(409);
}

#[actix_web::test]
async fn unknown_users_are_404() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    app.get("/api/v1/users/999999")
        .auth(&admin)
        .send()
        .await
        .problem(404);
    app.patch("/api/v1/users/999999")
        .auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .problem(404);
    app.delete("/api/v1/users/999999")
        .auth(&admin)
        .send()
        .await
        .problem(404);
    app.get("/api/v1/users/not-a-number")
        .auth(&admin)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn patch_is_a_merge_patch_with_if_match() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let user = app.as_caseworker("adults").await;
    let path = format!("/api/v1/users/{}", user.id);
    let got = app.get(&path).auth(&admin).send().await;
    assert_eq!(got.header("etag"), Some("\"1\""));

    let res = app
        .patch(&path)
        .auth(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"display_name": "Casey Worker"}))
        .send()
        .await;
    res.assert_status(200);
    let body = res.json();
    assert_eq!(body["display_name"], "Casey Worker");
    assert_eq!(body["role"], "caseworker", "absent fields stay");
    assert_eq!(body["directorates"], json!(["adults"]));
    assert_eq!(body["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));

    // The old version no longer matches.
    app.patch(&path)
        .auth(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"display_name": "Lost update"}))
        .send()
        .await
        .problem(412);
    assert_eq!(
        app.get(&path).auth(&admin).send().await.json()["display_name"],
        "Casey Worker"
    );

    // null cannot clear a required field; unknown and read-only fields are refused.
    let res = app
        .patch(&path)
        .auth(&admin)
        .json(&json!({"display_name": null}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["display_name"]);
    let res = app
        .patch(&path)
        .auth(&admin)
        .json(&json!({"version": 9, "shoe_size": 9}))
        .send()
        .await;
    let mut fields = res.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["shoe_size", "version"]);
}

#[actix_web::test]
async fn a_new_password_replaces_the_old() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let user = app.as_analyst("adults").await;
    let path = format!("/api/v1/users/{}", user.id);
    app.patch(&path)
        .auth(&admin)
        .json(&json!({"password": "short"}))
        .send()
        .await
        .problem(422);
    app.patch(&path)
        .auth(&admin)
        .json(&json!({"password": "brand-new-password"}))
        .send()
        .await
        .assert_status(200);
    let login = |password: &'static str| {
        app.post("/api/v1/auth/token")
            .json(&json!({"username": user.username, "password": password}))
            .send()
    };
    login(crate::common::PASSWORD).await.problem(401);
    login("brand-new-password").await.assert_status(200);
    // The history says the password changed, never what it is.
    let history = app
        .get(&format!("{path}/history"))
        .auth(&admin)
        .send()
        .await
        .json();
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "update");
    assert_eq!(last["changes"]["password"]["to"], "[changed]");
    assert!(!history.to_string().contains("brand-new-password"));
}

#[actix_web::test]
async fn the_last_admin_cannot_be_removed_and_nobody_deletes_themselves() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let path = format!("/api/v1/users/{}", admin.id);
    app.delete(&path).auth(&admin).send().await.problem(409);
    app.patch(&path)
        .auth(&admin)
        .json(&json!({"role": "manager", "directorates": ["adults"]}))
        .send()
        .await
        .problem(409);
    app.patch(&path)
        .auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .problem(409);
    let second = app.as_admin().await;
    app.delete(&path)
        .auth(&second)
        .send()
        .await
        .assert_status(204);
    app.get(&path).auth(&second).send().await.problem(404);
}

#[actix_web::test]
async fn user_changes_are_audited() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let res = app
        .post("/api/v1/users")
        .auth(&admin)
        .json(&json!({"username": "audited", "role": "manager", "directorates": ["adults"], "password": "a-long-password"}))
        .send()
        .await;
    let id = res.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{id}");
    app.patch(&path)
        .auth(&admin)
        .json(&json!({"directorates": ["children"]}))
        .send()
        .await
        .assert_status(200);
    app.delete(&path)
        .auth(&admin)
        .send()
        .await
        .assert_status(204);
    let history = app
        .get(&format!("{path}/history"))
        .auth(&admin)
        .send()
        .await;
    history.assert_status(200);
    let history = history.json();
    let items = history["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert!(items
        .iter()
        .all(|i| i["actor"] == admin.username.as_str() && i["actor_id"] == admin.id));
    assert_eq!(items[0]["changes"]["role"]["to"], "manager");
    assert_eq!(
        items[1]["changes"]["directorates"]["from"],
        json!(["adults"])
    );
    assert_eq!(
        items[1]["changes"]["directorates"]["to"],
        json!(["children"])
    );
    assert_eq!(items[2]["changes"]["username"]["from"], "audited");
    assert!(!history.to_string().contains("argon2"));
}

#[actix_web::test]
async fn user_lists_filter_sort_and_page() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for (name, role, dir) in [
        ("alice", "manager", "adults"),
        ("bob", "caseworker", "children"),
        ("carol", "caseworker", "adults"),
    ] {
        app.post("/api/v1/users")
            .auth(&admin)
            .json(&json!({"username": name, "role": role, "directorates": [dir], "password": "a-long-password"}))
            .send()
            .await
            .assert_status(201);
    }
    let names = |body: serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_string())
            .collect()
    };
    let res = app
        .get("/api/v1/users?role=caseworker&sort=-username")
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(names(res.clone()), ["carol", "bob"]);
    assert_eq!(res["total"], 2);
    let res = app
        .get("/api/v1/users?directorate=adults&sort=username")
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(names(res), ["alice", "carol"]);
    let res = app
        .get("/api/v1/users?q=AR&sort=username")
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(names(res), ["carol"]);
    let res = app
        .get("/api/v1/users?sort=username&limit=1&offset=1")
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(
        (
            res["limit"].as_i64(),
            res["offset"].as_i64(),
            res["items"].as_array().unwrap().len()
        ),
        (Some(1), Some(1), 1)
    );
    app.get("/api/v1/users?limit=501")
        .auth(&admin)
        .send()
        .await
        .problem(422);
    app.get("/api/v1/users?sort=password_hash")
        .auth(&admin)
        .send()
        .await
        .problem(422);
    for (query, field) in [("limit=ten", "limit"), ("role=wizard", "role")] {
        let res = app
            .get(&format!("/api/v1/users?{query}"))
            .auth(&admin)
            .send()
            .await;
        assert_eq!(res.unreadable_parameters(), [field], "{query}");
    }
    let future = (chrono::Utc::now() + chrono::Duration::days(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let res = app
        .get(&format!("/api/v1/users?updated_since={future}"))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(res["total"], 0);
}

#[actix_web::test]
async fn idempotent_user_creation_replays_the_first_answer() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let body = json!({"username": "once", "role": "analyst", "directorates": ["adults"], "password": "a-long-password"});
    let first = app
        .post("/api/v1/users")
        .auth(&admin)
        .header("idempotency-key", "k-1")
        .json(&body)
        .send()
        .await;
    first.assert_status(201);
    let again = app
        .post("/api/v1/users")
        .auth(&admin)
        .header("idempotency-key", "k-1")
        .json(&body)
        .send()
        .await;
    again.assert_status(201);
    assert_eq!(first.json(), again.json());
    assert_eq!(first.header("location"), again.header("location"));
    let other = json!({"username": "twice", "role": "analyst", "directorates": ["adults"], "password": "a-long-password"});
    let res = app
        .post("/api/v1/users")
        .auth(&admin)
        .header("idempotency-key", "k-1")
        .json(&other)
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["Idempotency-Key"]);
}

#[actix_web::test]
async fn passwords_are_long_and_not_among_the_commonly_used() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for (i, weak) in [
        "elevenchars",
        "password1234",
        "Qwertyuiop12",
        "iloveyou1234",
    ]
    .iter()
    .enumerate()
    {
        let res = app
            .post("/api/v1/users")
            .auth(&admin)
            .json(&json!({"username": format!("weak{i}"), "role": "analyst", "directorates": ["adults"], "password": weak}))
            .send()
            .await;
        assert_eq!(res.invalid_fields(), ["password"], "{weak}");
    }
    let user = app.as_caseworker("adults").await;
    let res = app
        .patch(&format!("/api/v1/users/{}", user.id))
        .auth(&admin)
        .json(&json!({"password": "password1234"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["password"]);
    app.post("/api/v1/users")
        .auth(&admin)
        .json(&json!({"username": "strong", "role": "analyst", "directorates": ["adults"], "password": "plinth-marmalade-9"}))
        .send()
        .await
        .assert_status(201);
}

#[actix_web::test]
async fn the_demo_command_makes_the_first_admin_before_its_caseworkers() {
    // `redress demo` then a first start: the README's steps. The demo makes
    // caseworkers, and the first admin is made only while no user exists,
    // so the demo makes it first.
    let path = TestApp::temp_path("demo-admin");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .arg("demo")
        .env("DATABASE_URL", format!("sqlite://{}", path.display()))
        .env("BOOTSTRAP_ADMIN_PASSWORD", "a-long-enough-password-1")
        .env_remove("JWT_SECRET")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run redress demo");
    assert!(status.success());
    let app = TestApp::open_sqlite(path).await;
    let res = app
        .post("/api/v1/auth/token")
        .json(&json!({"username": "admin", "password": "a-long-enough-password-1"}))
        .send()
        .await;
    res.assert_status(200);
}
