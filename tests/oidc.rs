//! Tokens from the council's identity provider: key sets from a file and
//! over HTTP, key rotation, forged tokens, provisioning, role mapping and
//! deactivation.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use redress::config::Config;
use serde_json::{json, Value};

use crate::common::{TestApp, PASSWORD};

const ISSUER: &str = "https://login.council.example/tenant/v2.0";
const AUDIENCE: &str = "api://redress";
const ROLE_MAP: &str = "Redress.Admin=admin;Complaints.Adults=caseworker:adults;\
                        Complaints.Children=manager:children;Stats=analyst:corporate";

/// A signing key of the test provider, with its public JWK.
#[derive(Clone)]
struct TestKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
}

impl TestKey {
    fn new(kid: &str, alg: Algorithm, encoding: EncodingKey) -> TestKey {
        let mut jwk: Jwk = Jwk::from_encoding_key(&encoding, alg).expect("public jwk");
        jwk.common.key_id = Some(kid.into());
        TestKey {
            kid: kid.into(),
            alg,
            encoding,
            jwk: serde_json::to_value(jwk).expect("jwk json"),
        }
    }

    /// A new P-256 key.
    fn es256(kid: &str) -> TestKey {
        use p256::pkcs8::EncodePrivateKey;
        let secret = p256::SecretKey::random(&mut rand::thread_rng());
        let der = secret.to_pkcs8_der().expect("pkcs8");
        TestKey::new(
            kid,
            Algorithm::ES256,
            EncodingKey::from_ec_der(der.as_bytes()),
        )
    }

    /// The 2048-bit RSA key (made once per run: it takes a while).
    fn rs256(kid: &str) -> TestKey {
        TestKey::new(
            kid,
            Algorithm::RS256,
            EncodingKey::from_rsa_der(&rsa_key().1),
        )
    }

    /// Sign `claims` with this key, naming it in the header.
    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.encoding).expect("sign")
    }
}

/// The RSA key and its PKCS#1 DER.
fn rsa_key() -> &'static (rsa::RsaPrivateKey, Vec<u8>) {
    static KEY: OnceLock<(rsa::RsaPrivateKey, Vec<u8>)> = OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("rsa key");
        let der = key.to_pkcs1_der().expect("pkcs1").as_bytes().to_vec();
        (key, der)
    })
}

fn jwks(keys: &[&TestKey]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()}).to_string()
}

/// Claims of a good token for `subject` with `roles`.
fn claims(subject: &str, roles: &[&str]) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": now,
        "nbf": now - 5,
        "exp": now + 600,
        "name": "Jo Smith",
        "preferred_username": format!("{subject}@council.example"),
        "roles": roles,
    })
}

/// `claims` with `changes` merged in (a null removes the claim).
fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().expect("object") {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

fn unique(label: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{label}{}x{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A key set in a temporary file, removed on drop.
struct KeyFile(PathBuf);

impl KeyFile {
    fn new(keys: &[&TestKey]) -> KeyFile {
        let path = std::env::temp_dir().join(format!("{}.jwks.json", unique("redress_oidc")));
        std::fs::write(&path, jwks(keys)).expect("write jwks");
        KeyFile(path)
    }
    fn replace(&self, keys: &[&TestKey]) {
        std::fs::write(&self.0, jwks(keys)).expect("write jwks");
    }
    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A tiny HTTP server on the loopback serving one key set, counting hits.
struct KeyServer {
    url: String,
    body: Arc<Mutex<String>>,
    hits: Arc<AtomicUsize>,
}

impl KeyServer {
    fn start(keys: &[&TestKey]) -> KeyServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/keys", listener.local_addr().expect("addr"));
        let body = Arc::new(Mutex::new(jwks(keys)));
        let hits = Arc::new(AtomicUsize::new(0));
        let (served, counted) = (body.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let body = served.lock().unwrap().clone();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Cache-Control: public, max-age=3600\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        KeyServer { url, body, hits }
    }
    fn replace(&self, keys: &[&TestKey]) {
        *self.body.lock().unwrap() = jwks(keys);
    }
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn env<'a>(source: (&'a str, &'a str)) -> Vec<(&'a str, &'a str)> {
    vec![
        ("OIDC_ISSUER", ISSUER),
        ("OIDC_AUDIENCE", AUDIENCE),
        source,
        ("OIDC_ROLE_MAP", ROLE_MAP),
    ]
}

async fn me(app: &TestApp, token: &str) -> Value {
    let res = app.get("/api/v1/me").bearer(token).send().await;
    res.assert_status(200);
    res.json()
}

#[actix_web::test]
async fn an_rs256_token_provisions_a_user_with_the_mapped_role_and_reuses_it() {
    let key = TestKey::rs256("rsa-1");
    let file = KeyFile::new(&[&key]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_FILE", &file.path()))).await;
    let subject = unique("jo");
    let first = me(&app, &key.sign(&claims(&subject, &["Complaints.Adults"]))).await;
    assert_eq!(first["role"], "caseworker");
    assert_eq!(first["directorates"], json!(["adults"]));
    assert_eq!(first["display_name"], "Jo Smith");
    assert_eq!(first["identity_provider"], ISSUER);
    let admin = app.as_admin().await;
    assert_eq!(
        me(&app, &admin.token).await["identity_provider"],
        Value::Null
    );
    assert_eq!(first["username"], format!("{subject}@council.example"));
    // A later sign-in (a new token) is the same user, and so is the same token again.
    let later = key.sign(&with(
        claims(&subject, &["Complaints.Adults"]),
        json!({"iat": 1}),
    ));
    assert_eq!(me(&app, &later).await["id"], first["id"]);
    assert_eq!(me(&app, &later).await["id"], first["id"]);
    // The provisioning is audited.
    let history = app
        .get(&format!("/api/v1/users/{}/history", first["id"]))
        .auth(&admin)
        .send()
        .await;
    history.assert_status(200);
    let history = history.json();
    assert_eq!(history["items"][0]["action"], "create");
    // They have no password to log in with.
    app.post("/api/v1/auth/token")
        .json(&json!({"username": first["username"], "password": PASSWORD}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn an_es256_token_is_accepted_with_keys_fetched_once_and_cached() {
    let key = TestKey::es256("ec-1");
    let server = KeyServer::start(&[&key]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_URL", &server.url))).await;
    let subject = unique("sam");
    let token = key.sign(&claims(
        &subject,
        &["Complaints.Adults", "Complaints.Children", "Stats"],
    ));
    let user = me(&app, &token).await;
    // The most powerful role, and every matching entry's directorates.
    assert_eq!(user["role"], "manager");
    assert_eq!(
        user["directorates"],
        json!(["adults", "children", "corporate"])
    );
    for n in 0..3 {
        let again = key.sign(&with(
            claims(
                &subject,
                &["Complaints.Adults", "Complaints.Children", "Stats"],
            ),
            json!({"jti": n}),
        ));
        assert_eq!(me(&app, &again).await["id"], user["id"]);
    }
    assert_eq!(server.hits(), 1, "the key set is cached (max-age=3600)");
}

#[actix_web::test]
async fn a_rotated_key_is_fetched_once_and_unknown_kids_at_most_once_a_minute() {
    let old = TestKey::es256("old");
    let server = KeyServer::start(&[&old]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_URL", &server.url))).await;
    let subject = unique("rot");
    me(&app, &old.sign(&claims(&subject, &["Complaints.Adults"]))).await;
    assert_eq!(server.hits(), 1);
    // The provider rotates: a new key appears, and the unknown kid fetches it.
    let new = TestKey::es256("new");
    server.replace(&[&old, &new]);
    me(&app, &new.sign(&claims(&subject, &["Complaints.Adults"]))).await;
    assert_eq!(server.hits(), 2);
    // Another unknown kid within the minute: refused without a fetch.
    let stranger = TestKey::es256("stranger");
    server.replace(&[&old, &new, &stranger]);
    let res = app
        .get("/api/v1/me")
        .bearer(&stranger.sign(&claims(&subject, &["Complaints.Adults"])))
        .send()
        .await;
    res.problem(401);
    assert_eq!(server.hits(), 2);
    // Known keys still work.
    me(
        &app,
        &old.sign(&with(
            claims(&subject, &["Complaints.Adults"]),
            json!({"jti": 1}),
        )),
    )
    .await;
    assert_eq!(server.hits(), 2);
}

#[actix_web::test]
async fn a_key_file_is_read_again_for_a_new_kid_at_most_once_a_minute() {
    let old = TestKey::es256("file-old");
    let file = KeyFile::new(&[&old]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_FILE", &file.path()))).await;
    let subject = unique("file");
    me(&app, &old.sign(&claims(&subject, &["Stats"]))).await;
    let new = TestKey::es256("file-new");
    file.replace(&[&old, &new]);
    me(&app, &new.sign(&claims(&subject, &["Stats"]))).await;
    let later = TestKey::es256("file-later");
    file.replace(&[&old, &new, &later]);
    app.get("/api/v1/me")
        .bearer(&later.sign(&claims(&subject, &["Stats"])))
        .send()
        .await
        .problem(401);
    let oidc = app.state.oidc.as_ref().expect("configured");
    assert_eq!(oidc.key_loads(), 2);
}

#[actix_web::test]
async fn forged_tokens_are_refused() {
    let rsa = TestKey::rs256("rsa-forge");
    let ec = TestKey::es256("ec-forge");
    let file = KeyFile::new(&[&rsa, &ec]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_FILE", &file.path()))).await;
    let subject = unique("mallory");
    let good = || claims(&subject, &["Redress.Admin"]);
    let now = chrono::Utc::now().timestamp();

    let public = {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        let public = rsa_key().0.to_public_key();
        (
            public.to_public_key_pem(LineEnding::LF).expect("pem"),
            public.to_public_key_der().expect("der").as_bytes().to_vec(),
        )
    };
    let hs256 = |secret: &[u8]| {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(rsa.kid.clone());
        encode(&header, &good(), &EncodingKey::from_secret(secret)).unwrap()
    };
    let b64 = |value: &Value| base64url(value.to_string().as_bytes());
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT", "kid": rsa.kid})),
        b64(&good())
    );
    let impostor = TestKey {
        kid: ec.kid.clone(),
        ..TestKey::es256("x")
    };
    let rs384 = {
        let mut header = Header::new(Algorithm::RS384);
        header.kid = Some(rsa.kid.clone());
        encode(&header, &good(), &rsa.encoding).unwrap()
    };
    let wrong_kind = {
        // An EC signature presented as made by the RSA key.
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(rsa.kid.clone());
        encode(&header, &good(), &ec.encoding).unwrap()
    };
    let no_kid = encode(&Header::new(Algorithm::RS256), &good(), &rsa.encoding).unwrap();

    let forged: Vec<(&str, String)> = vec![
        (
            "wrong issuer",
            rsa.sign(&with(good(), json!({"iss": "https://evil.example"}))),
        ),
        (
            "wrong audience",
            rsa.sign(&with(good(), json!({"aud": "api://other"}))),
        ),
        ("expired", ec.sign(&with(good(), json!({"exp": now - 120})))),
        (
            "not yet valid",
            ec.sign(&with(good(), json!({"nbf": now + 300}))),
        ),
        ("no expiry", ec.sign(&with(good(), json!({"exp": null})))),
        ("no subject", ec.sign(&with(good(), json!({"sub": null})))),
        ("HS256 with the public key PEM", hs256(public.0.as_bytes())),
        ("HS256 with the public key DER", hs256(&public.1)),
        ("alg none", unsigned),
        ("unknown kid", TestKey::es256("nobody").sign(&good())),
        ("no kid", no_kid),
        ("wrong signature", impostor.sign(&good())),
        ("algorithm not allowed", rs384),
        ("algorithm of another key kind", wrong_kind),
    ];
    for (what, token) in forged {
        let res = app.get("/api/v1/me").bearer(&token).send().await;
        assert_eq!(res.status.as_u16(), 401, "{what}: {}", res.text());
        res.problem(401);
    }
    // The same claims, properly signed, are fine.
    assert_eq!(me(&app, &rsa.sign(&good())).await["role"], "admin");
}

/// Base64url without padding.
fn base64url(bytes: &[u8]) -> String {
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

#[actix_web::test]
async fn a_token_whose_roles_map_to_nothing_is_forbidden_and_makes_no_user() {
    let key = TestKey::es256("ec-none");
    let file = KeyFile::new(&[&key]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_FILE", &file.path()))).await;
    let subject = unique("nobody");
    let problem = app
        .get("/api/v1/me")
        .bearer(&key.sign(&claims(&subject, &["Canteen.Staff"])))
        .send()
        .await
        .problem(403);
    assert!(
        problem["detail"].as_str().unwrap().contains("roles"),
        "{problem}"
    );
    let problem = app
        .get("/api/v1/me")
        .bearer(&key.sign(&with(claims(&subject, &[]), json!({"roles": null}))))
        .send()
        .await
        .problem(403);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("administrator"));
    let admin = app.as_admin().await;
    let users = app
        .get(&format!("/api/v1/users?q={subject}"))
        .auth(&admin)
        .send()
        .await;
    users.assert_status(200);
    assert_eq!(users.json()["total"], 0, "{}", users.text());
}

#[actix_web::test]
async fn a_groups_claim_can_carry_the_roles() {
    let key = TestKey::es256("ec-groups");
    let file = KeyFile::new(&[&key]);
    let path = file.path();
    let mut vars = env(("OIDC_JWKS_FILE", &path));
    vars.push(("OIDC_ROLES_CLAIM", "groups"));
    vars.push((
        "OIDC_ROLE_MAP",
        "0b8a4f61-6d1c-4bd6-9e3a-1f2f2b7d4c10=analyst:corporate",
    ));
    let app = TestApp::with_env(&vars).await;
    let subject = unique("grp");
    let token = key.sign(&with(
        claims(&subject, &[]),
        json!({"groups": ["0b8a4f61-6d1c-4bd6-9e3a-1f2f2b7d4c10"], "oid": "entra-object-id", "name": null}),
    ));
    let user = me(&app, &token).await;
    assert_eq!(user["role"], "analyst");
    assert_eq!(user["directorates"], json!(["corporate"]));
    // Without `name`, the display name is the preferred username.
    assert_eq!(user["display_name"], format!("{subject}@council.example"));
}

#[actix_web::test]
async fn a_role_change_at_the_provider_is_applied_at_the_next_sign_in_and_audited() {
    let key = TestKey::es256("ec-change");
    let file = KeyFile::new(&[&key]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_FILE", &file.path()))).await;
    let subject = unique("mover");
    let before = me(&app, &key.sign(&claims(&subject, &["Complaints.Adults"]))).await;
    let after = me(
        &app,
        &key.sign(&with(
            claims(&subject, &["Complaints.Adults", "Complaints.Children"]),
            json!({"jti": "second"}),
        )),
    )
    .await;
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["role"], "manager");
    assert_eq!(after["directorates"], json!(["adults", "children"]));
    let admin = app.as_admin().await;
    let history = app
        .get(&format!("/api/v1/users/{}/history", before["id"]))
        .auth(&admin)
        .send()
        .await
        .json();
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "update", "{history}");
    assert_eq!(last["changes"]["role"]["from"], "caseworker");
    assert_eq!(last["changes"]["role"]["to"], "manager");
}

#[actix_web::test]
async fn a_deactivated_external_user_is_refused_at_once() {
    let key = TestKey::es256("ec-deact");
    let file = KeyFile::new(&[&key]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_FILE", &file.path()))).await;
    let subject = unique("leaver");
    let token = key.sign(&claims(&subject, &["Complaints.Adults"]));
    let user = me(&app, &token).await;
    let admin = app.as_admin().await;
    app.patch(&format!("/api/v1/users/{}", user["id"]))
        .auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .assert_status(200);
    app.get("/api/v1/me")
        .bearer(&token)
        .send()
        .await
        .problem(401);
    // A fresh token does not bring them back.
    let fresh = key.sign(&with(
        claims(&subject, &["Redress.Admin"]),
        json!({"jti": "fresh"}),
    ));
    app.get("/api/v1/me")
        .bearer(&fresh)
        .send()
        .await
        .problem(401);
    let row = app
        .get(&format!("/api/v1/users/{}", user["id"]))
        .auth(&admin)
        .send()
        .await
        .json();
    assert_eq!(row["active"], false);
    assert_eq!(row["role"], "caseworker");
}

#[actix_web::test]
async fn own_tokens_and_passwords_still_work_with_the_provider_configured() {
    let key = TestKey::es256("ec-own");
    let file = KeyFile::new(&[&key]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_FILE", &file.path()))).await;
    let manager = app.as_manager("adults").await;
    assert_eq!(me(&app, &manager.token).await["id"], manager.id);
    let res = app
        .post("/api/v1/auth/token")
        .json(&json!({"username": manager.username, "password": PASSWORD}))
        .send()
        .await;
    res.assert_status(200);
    let token = res.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&app, &token).await["id"], manager.id);
}

#[actix_web::test]
async fn concurrent_first_sign_ins_on_two_instances_make_one_user() {
    let key = TestKey::es256("ec-race");
    let file = KeyFile::new(&[&key]);
    let path = file.path();
    let vars = env(("OIDC_JWKS_FILE", &path));
    let app = TestApp::with_env(&vars).await;
    let other = app.sibling(&vars).await;
    let subject = unique("racer");
    let tokens: Vec<String> = (0..4)
        .map(|n| {
            key.sign(&with(
                claims(&subject, &["Complaints.Adults"]),
                json!({"jti": n}),
            ))
        })
        .collect();
    let responses = futures_util::future::join_all(tokens.iter().enumerate().map(|(n, token)| {
        if n % 2 == 0 { &app } else { &other }
            .get("/api/v1/me")
            .bearer(token)
            .send()
    }))
    .await;
    let ids: Vec<Value> = responses
        .iter()
        .map(|res| {
            res.assert_status(200);
            res.json()["id"].clone()
        })
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
}

#[actix_web::test]
async fn the_providers_endpoint_names_the_issuer_and_audience() {
    let key = TestKey::es256("ec-providers");
    let file = KeyFile::new(&[&key]);
    let app = TestApp::with_env(&env(("OIDC_JWKS_FILE", &file.path()))).await;
    let res = app.get("/api/v1/auth/providers").send().await;
    res.assert_status(200);
    assert_eq!(
        res.json(),
        json!({"oidc": {"issuer": ISSUER, "audience": AUDIENCE}})
    );
    let plain = TestApp::new().await;
    let res = plain.get("/api/v1/auth/providers").send().await;
    assert_eq!(res.json(), json!({"oidc": null}));
}

#[actix_web::test]
async fn the_key_set_url_being_down_is_a_503_not_a_hang() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/keys", listener.local_addr().unwrap());
    drop(listener);
    let app = TestApp::with_env(&env(("OIDC_JWKS_URL", &url))).await;
    let key = TestKey::es256("ec-down");
    app.get("/api/v1/me")
        .bearer(&key.sign(&claims(&unique("down"), &["Stats"])))
        .send()
        .await
        .problem(503);
}

#[test]
fn wrong_configuration_stops_start_up() {
    let key = TestKey::es256("ec-config");
    let file = KeyFile::new(&[&key]);
    let empty = KeyFile::new(&[]);
    let path = file.path();
    let empty_path = empty.path();
    let config = |extra: &[(&str, &str)]| {
        let mut vars: Vec<(&str, &str)> = vec![
            ("OIDC_ISSUER", ISSUER),
            ("OIDC_AUDIENCE", AUDIENCE),
            ("OIDC_JWKS_FILE", &path),
            ("OIDC_ROLE_MAP", ROLE_MAP),
        ];
        vars.extend_from_slice(extra);
        Config::from_lookup(|name| {
            vars.iter()
                .rev()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
                .filter(|v| !v.is_empty())
        })
    };
    let oidc = config(&[])
        .expect("a good configuration")
        .oidc
        .expect("oidc");
    assert_eq!(oidc.algorithms, [Algorithm::RS256, Algorithm::ES256]);
    assert_eq!(oidc.roles_claim, "roles");
    for (what, extra) in [
        ("no issuer", vec![("OIDC_ISSUER", "")]),
        ("no audience", vec![("OIDC_AUDIENCE", "")]),
        ("no role map", vec![("OIDC_ROLE_MAP", "")]),
        ("no key set", vec![("OIDC_JWKS_FILE", "")]),
        (
            "both key sets",
            vec![("OIDC_JWKS_URL", "https://login.council.example/keys")],
        ),
        (
            "a missing file",
            vec![("OIDC_JWKS_FILE", "/nonexistent/keys.json")],
        ),
        (
            "a file without keys",
            vec![("OIDC_JWKS_FILE", empty_path.as_str())],
        ),
        (
            "plain HTTP elsewhere",
            vec![
                ("OIDC_JWKS_FILE", ""),
                ("OIDC_JWKS_URL", "http://login.council.example/keys"),
            ],
        ),
        ("HS256 allowed", vec![("OIDC_ALGORITHMS", "RS256,HS256")]),
        ("none allowed", vec![("OIDC_ALGORITHMS", "none")]),
        (
            "an unknown role",
            vec![("OIDC_ROLE_MAP", "Admins=superuser")],
        ),
        ("a malformed entry", vec![("OIDC_ROLE_MAP", "Admins")]),
        (
            "a value mapped twice",
            vec![("OIDC_ROLE_MAP", "A=admin;A=analyst")],
        ),
    ] {
        assert!(config(&extra).is_err(), "{what} should be refused");
    }
    // Without any OIDC variable, the provider is off.
    assert!(Config::from_lookup(|_| None).unwrap().oidc.is_none());
}
