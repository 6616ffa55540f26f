//! Logins that cannot be turned against users or the service: throttling
//! per address, bounded password hashing, tokens that die with a password,
//! role or directorate change, a shared token key, and safe logs.

use actix_web::dev::Service;
use futures_util::future::join_all;
use serde_json::json;

use crate::common::{log_lines_with, Resp, TestApp, PASSWORD};

fn login_body(username: &str, password: &str) -> serde_json::Value {
    json!({"username": username, "password": password})
}

#[actix_web::test]
async fn guesses_from_one_address_do_not_lock_the_user_out_elsewhere() {
    let app = TestApp::new().await;
    let user = app.as_caseworker("adults").await;
    let attacker = "203.0.113.66:40000";
    for _ in 0..5 {
        app.post("/api/v1/auth/token")
            .peer(attacker)
            .json(&login_body(&user.username, "guess-guess-guess"))
            .send()
            .await
            .problem(401);
    }
    let res = app
        .post("/api/v1/auth/token")
        .peer(attacker)
        .json(&login_body(&user.username, PASSWORD))
        .send()
        .await;
    res.problem(429);
    assert!(res.header("retry-after").is_some());
    // The user, from their own desk, is let in.
    app.post("/api/v1/auth/token")
        .peer("198.51.100.20:51000")
        .json(&login_body(&user.username, PASSWORD))
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn parallel_guesses_are_counted_before_they_are_checked() {
    let app = TestApp::new().await;
    let user = app.as_caseworker("adults").await;
    let service = app.service().await;
    let requests = (0..25).map(|_| {
        app.post("/api/v1/auth/token")
            .peer("203.0.113.7:40000")
            .json(&login_body(&user.username, "guess-guess-guess"))
            .into_request()
    });
    let statuses: Vec<u16> = join_all(requests.map(|r| service.call(r)))
        .await
        .into_iter()
        .map(|r| r.expect("response").status().as_u16())
        .collect();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        (wrong, refused),
        (5, 20),
        "five guesses checked, the rest refused: {statuses:?}"
    );
}

#[actix_web::test]
async fn one_address_guessing_many_usernames_is_throttled() {
    let app = TestApp::new().await;
    let address = "203.0.113.99:40000";
    for batch in 0..10 {
        let service = app.service().await;
        let requests = (0..10).map(|i| {
            app.post("/api/v1/auth/token")
                .peer(address)
                .json(&login_body(
                    &format!("nobody-{batch}-{i}"),
                    "guess-guess-guess",
                ))
                .into_request()
        });
        for response in join_all(requests.map(|r| service.call(r))).await {
            assert_eq!(response.expect("response").status().as_u16(), 401);
        }
    }
    let res = app
        .post("/api/v1/auth/token")
        .peer(address)
        .json(&login_body("yet-another-name", "guess-guess-guess"))
        .send()
        .await;
    res.problem(429);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let app = TestApp::with_env(&[("TRUSTED_PROXIES", "10.0.0.0/8")]).await;
    let user = app.as_caseworker("adults").await;
    let through_proxy = |forwarded: &str, password: &str| {
        app.post("/api/v1/auth/token")
            .peer("10.0.0.5:8000")
            .header("x-forwarded-for", &format!("1.2.3.4, {forwarded}"))
            .json(&login_body(&user.username, password))
    };
    for _ in 0..5 {
        through_proxy("198.51.100.1", "guess-guess-guess")
            .send()
            .await
            .problem(401);
    }
    through_proxy("198.51.100.1", PASSWORD)
        .send()
        .await
        .problem(429);
    // Another client behind the same proxy is not affected.
    through_proxy("198.51.100.2", PASSWORD)
        .send()
        .await
        .assert_status(200);
    // An untrusted peer cannot choose its address with the header.
    let direct = |forwarded: &str| {
        app.post("/api/v1/auth/token")
            .peer("192.0.2.50:8000")
            .header("x-forwarded-for", forwarded)
            .json(&login_body(&user.username, "guess-guess-guess"))
    };
    for i in 0..5 {
        direct(&format!("198.51.100.{}", 100 + i))
            .send()
            .await
            .problem(401);
    }
    direct("198.51.100.200").send().await.problem(429);
}

/// Concurrent logins, answered: (status, Retry-After) of each.
async fn flood(app: &TestApp, count: usize, username: impl Fn(usize) -> String) -> Vec<Resp> {
    let service = app.service().await;
    let requests: Vec<_> = (0..count)
        .map(|i| {
            app.post("/api/v1/auth/token")
                .peer(&format!("198.51.100.{}:4000", i % 200))
                .json(&login_body(&username(i), "guess-guess-guess"))
                .into_request()
        })
        .collect();
    let mut answers = Vec::new();
    for response in join_all(requests.into_iter().map(|r| service.call(r))).await {
        answers.push(Resp::read(response.expect("response")).await);
    }
    answers
}

#[actix_web::test]
async fn password_checks_run_a_few_at_a_time_and_the_rest_are_told_to_retry() {
    let app = TestApp::with_env(&[
        ("PASSWORD_HASH_THREADS", "1"),
        ("PASSWORD_HASH_WAIT_MS", "0"),
    ])
    .await;
    let user = app.as_caseworker("adults").await;
    for answers in [
        // Unknown usernames are checked against a decoy hash, so they queue
        // for the hashing threads like real ones.
        flood(&app, 16, |i| format!("nobody-{i}")).await,
        flood(&app, 16, |_| user.username.clone()).await,
    ] {
        let busy: Vec<&Resp> = answers.iter().filter(|r| r.status == 503).collect();
        assert!(!busy.is_empty(), "no login was turned away");
        for res in &busy {
            res.problem(503);
            assert_eq!(res.header("retry-after"), Some("1"));
        }
        assert!(
            answers
                .iter()
                .all(|r| matches!(r.status.as_u16(), 401 | 503)),
            "{:?}",
            answers.iter().map(|r| r.status).collect::<Vec<_>>()
        );
    }
}

#[actix_web::test]
async fn a_password_or_directorate_change_revokes_earlier_tokens() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    for change in [
        json!({"password": "a-brand-new-password-42"}),
        json!({"directorates": ["children"]}),
    ] {
        let user = app.as_caseworker("adults").await;
        app.get("/api/v1/me")
            .auth(&user)
            .send()
            .await
            .assert_status(200);
        app.patch(&format!("/api/v1/users/{}", user.id))
            .auth(&admin)
            .json(&change)
            .send()
            .await
            .assert_status(200);
        let res = app.get("/api/v1/me").auth(&user).send().await;
        res.problem(401);
        assert!(res.header("www-authenticate").is_some());
    }
    // A change of display name leaves tokens alone.
    let user = app.as_caseworker("adults").await;
    app.patch(&format!("/api/v1/users/{}", user.id))
        .auth(&admin)
        .json(&json!({"display_name": "Renamed"}))
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/me")
        .auth(&user)
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn tokens_may_not_outlive_the_configured_lifetime() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let now = chrono::Utc::now().timestamp();
    let claims = |iat: i64, exp: i64| redress::auth::token::Claims {
        sub: admin.id.to_string(),
        role: redress::auth::Role::Admin,
        directorates: vec![],
        iat,
        exp,
        iss: "redress".into(),
        aud: "redress-api".into(),
        token_version: 0,
    };
    for (iat, exp) in [(now, now + 7 * 86_400), (now + 3_000, now + 3_600)] {
        let token = app.state.tokens.sign(&claims(iat, exp)).expect("sign");
        app.get("/api/v1/me")
            .bearer(&token)
            .send()
            .await
            .problem(401);
    }
    let token = app
        .state
        .tokens
        .sign(&claims(now, now + 3_600))
        .expect("sign");
    app.get("/api/v1/me")
        .bearer(&token)
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn without_jwt_secret_every_instance_shares_the_key_kept_in_the_database() {
    let first = TestApp::with_env(&[("JWT_SECRET", "")]).await;
    let user = first.as_caseworker("adults").await;
    let second = first.sibling(&[("JWT_SECRET", "")]).await;
    second
        .get("/api/v1/me")
        .auth(&user)
        .send()
        .await
        .assert_status(200);
    // An instance with its own key does not accept them.
    let other = first
        .sibling(&[("JWT_SECRET", "7c1e94a0b3f25d68e9a4c0172bd6f35e")])
        .await;
    other
        .get("/api/v1/me")
        .auth(&user)
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn user_supplied_text_cannot_forge_log_lines() {
    let app = TestApp::new().await;
    app.post("/api/v1/auth/token")
        .json(&login_body(
            "eve-7f3a\nINFO redress: admin logged in\r\u{1b}[2K",
            "guess-guess-guess",
        ))
        .send()
        .await
        .problem(401);
    let lines = log_lines_with("eve-7f3a");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("failed login")
            && lines[0].contains(r"eve-7f3a\ninfo redress: admin logged in\r\u{1b}[2k"),
        "{lines:?}"
    );
    assert!(!lines[0].contains('\u{1b}'), "{lines:?}");
    assert!(
        log_lines_with("admin logged in")
            .iter()
            .all(|l| l.contains("eve-7f3a")),
        "a forged line was logged"
    );
}
