//! Logging in, tokens, throttling and `/me`.

use redress::auth::token::Claims;
use redress::auth::Role;
use serde_json::json;

use crate::common::{TestApp, PASSWORD};

fn claims(user_id: i64, exp_offset: i64) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: user_id.to_string(),
        role: Role::Admin,
        directorates: vec![],
        iat: now,
        exp: now + exp_offset,
        iss: "redress".into(),
        aud: "redress-api".into(),
        token_version: 0,
    }
}

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | *b as u32) << (8 * (3 - chunk.len()));
        for i in 0..(chunk.len() + 1) {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A token with any header and claims, signed (HS256) with `secret`, or unsigned.
fn forge(header: serde_json::Value, claims: serde_json::Value, secret: Option<&[u8]>) -> String {
    use jsonwebtoken::{encode, EncodingKey, Header};
    match secret {
        Some(key) => {
            let mut h = Header::new(jsonwebtoken::Algorithm::HS256);
            if let Some(typ) = header.get("typ").and_then(|t| t.as_str()) {
                h.typ = Some(typ.into());
            }
            encode(&h, &claims, &EncodingKey::from_secret(key)).unwrap()
        }
        None => format!(
            "{}.{}.",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        ),
    }
}

#[actix_web::test]
async fn login_returns_a_bearer_token_that_works_for_me() {
    let app = TestApp::new().await;
    let user = app.as_manager("adults").await;
    let res = app
        .post("/api/v1/auth/token")
        .json(&json!({"username": user.username, "password": PASSWORD}))
        .send()
        .await;
    res.assert_status(200);
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me").bearer(token).send().await;
    me.assert_status(200);
    let me = me.json();
    assert_eq!(me["username"], user.username.as_str());
    assert_eq!(me["role"], "manager");
    assert_eq!(me["directorates"], json!(["adults"]));
    assert!(me.get("password").is_none() && me.get("password_hash").is_none());
}

#[actix_web::test]
async fn the_token_carries_the_documented_claims() {
    let app = TestApp::new().await;
    let user = app.as_caseworker("children").await;
    let res = app
        .post("/api/v1/auth/token")
        .json(&json!({"username": user.username, "password": PASSWORD}))
        .send()
        .await;
    let token = res.json()["access_token"].as_str().unwrap().to_string();
    let claims = app.state.tokens.verify(&token).unwrap();
    assert_eq!(claims.sub, user.id.to_string());
    assert_eq!(claims.role, Role::Caseworker);
    assert_eq!(claims.directorates, vec!["children".to_string()]);
    assert_eq!(claims.iss, "redress");
    assert_eq!(claims.aud, "redress-api");
    assert_eq!(claims.exp - claims.iat, 3600);
}

#[actix_web::test]
async fn wrong_passwords_and_unknown_users_get_401() {
    let app = TestApp::new().await;
    let user = app.as_manager("adults").await;
    for body in [
        json!({"username": user.username, "password": "wrong-password"}),
        json!({"username": "nobody-here", "password": PASSWORD}),
    ] {
        let res = app.post("/api/v1/auth/token").json(&body).send().await;
        res.problem(401);
        assert!(res
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer"));
    }
}

#[actix_web::test]
async fn login_validates_its_body() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/v1/auth/token")
        .json(&json!({"username": "x"}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["password"]);
    let res = app
        .post("/api/v1/auth/token")
        .json(&json!({"username": "x", "password": "y", "remember_me": true}))
        .send()
        .await;
    assert_eq!(res.invalid_fields(), ["remember_me"]);
}

#[actix_web::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let app = TestApp::new().await;
    let user = app.as_caseworker("adults").await;
    let wrong = json!({"username": user.username, "password": "not-the-password"});
    for _ in 0..5 {
        app.post("/api/v1/auth/token")
            .json(&wrong)
            .send()
            .await
            .problem(401);
    }
    // Now even the right password must wait.
    let res = app
        .post("/api/v1/auth/token")
        .json(&json!({"username": user.username, "password": PASSWORD}))
        .send()
        .await;
    res.problem(429);
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "retry-after {retry}");
    // Another username is not affected.
    let other = app.as_caseworker("adults").await;
    app.post("/api/v1/auth/token")
        .json(&json!({"username": other.username, "password": PASSWORD}))
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn missing_and_malformed_authorization_get_401_with_www_authenticate() {
    let app = TestApp::new().await;
    for header in [
        None,
        Some("Basic YWRtaW46YWRtaW4="),
        Some("Bearer"),
        Some("Bearer not.a.jwt"),
    ] {
        let mut req = app.get("/api/v1/me");
        if let Some(h) = header {
            req = req.header("authorization", h);
        }
        let res = req.send().await;
        res.problem(401);
        assert_eq!(
            res.header("www-authenticate"),
            Some("Bearer realm=\"redress\""),
            "for {header:?}"
        );
    }
}

#[actix_web::test]
async fn forged_tokens_are_rejected() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let now = chrono::Utc::now().timestamp();
    let good = json!({"sub": admin.id.to_string(), "role": "admin", "directorates": [], "iat": now,
                      "exp": now + 600, "iss": "redress", "aud": "redress-api"});
    let secret = crate::common::JWT_SECRET.as_bytes();
    let mut cases = vec![
        (
            "alg none",
            forge(json!({"alg": "none", "typ": "JWT"}), good.clone(), None),
        ),
        (
            "wrong key",
            forge(
                json!({}),
                good.clone(),
                Some(b"another-secret-another-secret-123456"),
            ),
        ),
    ];
    // Other algorithms: an HS512 token with the right key, and an RS256 header.
    cases.push(("HS512", {
        use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
        encode(
            &Header::new(Algorithm::HS512),
            &good,
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    }));
    let hs = forge(json!({}), good.clone(), Some(secret));
    let signature = hs.rsplit('.').next().unwrap();
    cases.push((
        "RS256 header",
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"RS256","typ":"JWT"}"#),
            hs.split('.').nth(1).unwrap(),
            signature
        ),
    ));
    for (field, value) in [
        ("iss", json!("someone-else")),
        ("aud", json!("another-api")),
        ("exp", json!(now - 120)),
    ] {
        let mut claims = good.clone();
        claims[field] = value;
        cases.push((field, forge(json!({}), claims, Some(secret))));
    }
    for missing in ["iss", "aud", "exp", "sub", "iat", "role"] {
        let mut claims = good.clone();
        claims.as_object_mut().unwrap().remove(missing);
        cases.push((missing, forge(json!({}), claims, Some(secret))));
    }
    // Sanity: the untampered token works, so each failure below is the tampering.
    app.get("/api/v1/me")
        .bearer(&hs)
        .send()
        .await
        .assert_status(200);
    for (what, token) in cases {
        let res = app.get("/api/v1/me").bearer(&token).send().await;
        assert_eq!(
            res.status.as_u16(),
            401,
            "{what} was accepted: {}",
            res.text()
        );
        assert!(res.header("www-authenticate").is_some(), "{what}");
    }
}

#[actix_web::test]
async fn expired_tokens_are_rejected() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let token = app.state.tokens.sign(&claims(admin.id, -60)).unwrap();
    let res = app.get("/api/v1/me").bearer(&token).send().await;
    assert_eq!(res.problem(401)["detail"], "The token has expired.");
}

#[actix_web::test]
async fn a_deactivated_or_deleted_users_tokens_stop_working_at_once() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let worker = app.as_caseworker("adults").await;
    app.get("/api/v1/me")
        .auth(&worker)
        .send()
        .await
        .assert_status(200);
    app.patch(&format!("/api/v1/users/{}", worker.id))
        .auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/me")
        .auth(&worker)
        .send()
        .await
        .problem(401);

    let other = app.as_analyst("adults").await;
    app.get("/api/v1/me")
        .auth(&other)
        .send()
        .await
        .assert_status(200);
    app.delete(&format!("/api/v1/users/{}", other.id))
        .auth(&admin)
        .send()
        .await
        .assert_status(204);
    app.get("/api/v1/me").auth(&other).send().await.problem(401);
}

/// Each instance keeps the users it has authorised; a deactivation made
/// through another instance reaches it within a second (the users'
/// revision, read again a second after the last time), and a new user is
/// read at once.
#[actix_web::test]
async fn a_deactivation_through_another_instance_takes_effect_within_a_second() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let worker = app.as_caseworker("adults").await;
    let other = app.sibling(&[]).await;
    other
        .get("/api/v1/me")
        .auth(&worker)
        .send()
        .await
        .assert_status(200);
    app.patch(&format!("/api/v1/users/{}", worker.id))
        .auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/me")
        .auth(&worker)
        .send()
        .await
        .problem(401);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    other
        .get("/api/v1/me")
        .auth(&worker)
        .send()
        .await
        .problem(401);

    // A user created meanwhile is read, not taken for unknown.
    let newcomer = app.as_analyst("adults").await;
    other
        .get("/api/v1/me")
        .auth(&newcomer)
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn a_role_change_revokes_existing_tokens_and_a_new_login_has_the_new_role() {
    let app = TestApp::new().await;
    let admin = app.as_admin().await;
    let user = app.as_manager("adults").await;
    app.patch(&format!("/api/v1/users/{}", user.id))
        .auth(&admin)
        .json(&json!({"role": "analyst"}))
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/me").auth(&user).send().await.problem(401);
    let login = app
        .post("/api/v1/auth/token")
        .json(&json!({"username": user.username, "password": PASSWORD}))
        .send()
        .await;
    login.assert_status(200);
    let token = login.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.get("/api/v1/me").bearer(&token).send().await.json()["role"],
        "analyst"
    );
}
