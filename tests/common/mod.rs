//! The test harness: `TestApp::new()` builds the real App on a fresh database
//! (a temporary SQLite file, or with `TEST_DATABASE_URL` set a fresh
//! PostgreSQL database per test), and offers users of every role and a small
//! HTTP client that talks to the App through `actix_web::test`.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::web::{self, Bytes};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use redress::audit::Actor;
use redress::auth::Role;
use redress::config::Config;
use redress::db::Db;
use redress::state::AppState;
use redress::users::model::{self as users, UserData};
use serde_json::Value;

/// The password of every user the harness creates.
pub const PASSWORD: &str = "test-password-1";
/// The JWT secret of every test app.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        rand_suffix()
    )
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    nanos ^ (std::process::id() << 8)
}

/// Everything the apps log at `info` and above, for tests that check the
/// logs: one subscriber for the whole test binary, installed by the first
/// app (a per-test subscriber misses events whose call sites other threads
/// registered first).
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogSink;

impl std::io::Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| LogSink)
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// The log lines written so far that contain `marker`.
pub fn log_lines_with(marker: &str) -> Vec<String> {
    let logs = LOGS.lock().unwrap_or_else(|e| e.into_inner());
    String::from_utf8_lossy(&logs)
        .lines()
        .filter(|l| l.contains(marker))
        .map(str::to_string)
        .collect()
}

/// A hash of [`PASSWORD`], computed once: argon2 is slow by design.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| redress::auth::password::hash(PASSWORD).expect("hash"))
}

/// Which backend the tests run on.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

enum TestDb {
    Sqlite(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another app's database: dropped with that app, not this one.
    Shared,
}

/// Which backend a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh database on the `TEST_DATABASE_URL` server.
    Postgres,
}

impl TestDb {
    fn create() -> (TestDb, String) {
        Self::create_on(if on_postgres() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        })
    }

    fn create_on(backend: Backend) -> (TestDb, String) {
        let postgres_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        match (backend, postgres_url) {
            (Backend::Postgres, None) => panic!("a PostgreSQL test app needs TEST_DATABASE_URL"),
            (Backend::Sqlite, _) => {
                let path = std::env::temp_dir().join(format!("{}.db", unique("redress_test")));
                let url = format!("sqlite://{}", path.display());
                (TestDb::Sqlite(path), url)
            }
            (Backend::Postgres, Some(admin_url)) => {
                let template = postgres_template(&admin_url);
                let name = unique("redress_t");
                let mut admin =
                    PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
                // Copying a template fails while another copy is being made; retry.
                let mut attempt = 0;
                loop {
                    match admin
                        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    {
                        Ok(()) => break,
                        Err(e) if attempt < 50 => {
                            attempt += 1;
                            let _ = e;
                            std::thread::sleep(std::time::Duration::from_millis(20 + attempt * 10));
                        }
                        Err(e) => panic!("cannot create test database: {e}"),
                    }
                }
                let url = replace_database(&admin_url, &name);
                (TestDb::Postgres { admin_url, name }, url)
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::establish(admin_url) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
            TestDb::Shared => {}
        }
    }
}

/// `url` with its database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A prepared template database, named after the migrations it holds so it is
/// made once and reused by every test and run until the migrations change.
fn postgres_template(admin_url: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    TEMPLATE
        .get_or_init(|| {
            let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
            let name = format!("redress_tpl_{:016x}", migrations_fingerprint());
            let mut admin =
                PgConnection::establish(admin_url).expect("connect to TEST_DATABASE_URL");
            admin
                .batch_execute("SELECT pg_advisory_lock(4242)")
                .expect("lock");
            let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &format!("EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"),
            ))
            .get_result(&mut admin)
            .expect("query pg_database");
            if !exists {
                let building = format!("{name}_build");
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                    .expect("drop stale template");
                admin
                    .batch_execute(&format!("CREATE DATABASE {building}"))
                    .expect("create template");
                {
                    let db = Db::connect(&replace_database(admin_url, &building), 1, None)
                        .expect("connect to template");
                    let mut conn = db.get().expect("template connection");
                    redress::prepare_database(&mut conn).expect("migrate template");
                }
                admin
                    .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .expect("rename template");
            }
            admin
                .batch_execute("SELECT pg_advisory_unlock(4242)")
                .expect("unlock");
            name
        })
        .clone()
}

fn migrations_fingerprint() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("migrations/postgres")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for dir in entries {
        dir.file_name().hash(&mut hasher);
        if let Ok(text) = std::fs::read_to_string(dir.join("up.sql")) {
            text.hash(&mut hasher);
        }
    }
    // The template also holds what preparing a database writes.
    serde_json::to_string(&redress::timescales::shipped::versions())
        .expect("shipped timescales")
        .hash(&mut hasher);
    redress::feedback::model::STORED_CLOCKS_FORMULA.hash(&mut hasher);
    hasher.finish()
}

/// A user the harness made, with a token.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// A valid access token.
    pub token: String,
}

/// The App as one boxed service, built once per test app (building the App
/// registers every route and is not cheap).
type BoxedService = actix_service::boxed::BoxService<
    actix_http::Request,
    ServiceResponse<BoxBody>,
    actix_web::Error,
>;

/// The real App on a fresh database.
pub struct TestApp {
    /// The app's state (database, tokens).
    pub state: web::Data<AppState>,
    service: BoxedService,
    url: String,
    /// Where the app keeps document files.
    pub documents_dir: PathBuf,
    _db: TestDb,
    _documents: Option<RemovedOnDrop>,
}

/// A folder removed when the app that owns it is dropped.
struct RemovedOnDrop(PathBuf);

impl Drop for RemovedOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestApp {
    /// A fresh app with its own database, migrated and seeded with the
    /// bootstrap admin.
    pub async fn new() -> TestApp {
        Self::with_env(&[]).await
    }

    /// A fresh app on a given backend (PostgreSQL needs `TEST_DATABASE_URL`).
    pub async fn on(backend: Backend) -> TestApp {
        Self::build(TestDb::create_on(backend), &[]).await
    }

    /// An app over an existing SQLite file (deleted when the app is dropped).
    pub async fn open_sqlite(path: PathBuf) -> TestApp {
        let url = format!("sqlite://{}", path.display());
        Self::build((TestDb::Sqlite(path), url), &[]).await
    }

    /// A path for a new temporary SQLite file.
    pub fn temp_path(label: &str) -> PathBuf {
        std::env::temp_dir().join(format!("{}.db", unique(label)))
    }

    /// A fresh app with extra configuration variables (an empty value
    /// unsets a variable the harness sets, such as `JWT_SECRET`).
    pub async fn with_env(vars: &[(&str, &str)]) -> TestApp {
        Self::build(TestDb::create(), vars).await
    }

    /// The SQLite database file, when the app runs on SQLite.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        self.url.strip_prefix("sqlite://").map(PathBuf::from)
    }

    /// Every text column of every row of `table`, as one string per row
    /// (to look for data that should not be there).
    pub async fn table_text(&self, table: &'static str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            text: String,
        }
        let sql = match table {
            "audit_log" => "SELECT entity_type || ' ' || entity_id || ' ' || changes AS text FROM audit_log",
            "idempotency_keys" => {
                "SELECT scope || ' ' || idem_key || ' ' || request_hash || ' ' || \
                 COALESCE(resource_type, '') || ' ' || COALESCE(resource_key, '') AS text FROM idempotency_keys"
            }
            other => panic!("table_text does not know {other}"),
        };
        self.state
            .db
            .run(move |conn| {
                Ok(diesel::sql_query(sql)
                    .load::<Row>(conn)?
                    .into_iter()
                    .map(|r| r.text)
                    .collect())
            })
            .await
            .expect("read table")
    }

    /// A second instance on this app's database, with its own
    /// configuration: what a load balancer's other instance would be.
    pub async fn sibling(&self, vars: &[(&str, &str)]) -> TestApp {
        let dir = self.documents_dir.display().to_string();
        let vars: Vec<(&str, &str)> = std::iter::once(("DOCUMENTS_DIR", dir.as_str()))
            .chain(vars.iter().copied())
            .collect();
        Self::build((TestDb::Shared, self.url.clone()), &vars).await
    }

    async fn build((test_db, url): (TestDb, String), vars: &[(&str, &str)]) -> TestApp {
        capture_logs();
        let own_documents = std::env::temp_dir().join(unique("redress_documents"));
        let own_documents_text = own_documents.display().to_string();
        let vars: Vec<(String, String)> = [
            ("DATABASE_URL", url.as_str()),
            ("DOCUMENTS_DIR", own_documents_text.as_str()),
            ("JWT_SECRET", JWT_SECRET),
            ("DATABASE_POOL_SIZE", "4"),
        ]
        .iter()
        .chain(vars.iter())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let config = Config::from_lookup(|name| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
        .expect("test config");
        let db = Db::connect(
            &config.database_url,
            config.database_pool_size,
            Some(config.statement_timeout),
        )
        .expect("test database");
        {
            let mut conn = db.get().expect("connection");
            redress::prepare_database(&mut conn).expect("migrations");
        }
        let state = web::Data::new(AppState::new(config, db).expect("state"));
        let app = redress::build_app(state.clone()).wrap_fn(|req, service| {
            let call = service.call(req);
            async move { call.await.map(ServiceResponse::map_into_boxed_body) }
        });
        let documents_dir = state.config.documents_dir.clone();
        TestApp {
            service: actix_service::boxed::service(test::init_service(app).await),
            _documents: (documents_dir == own_documents).then(|| RemovedOnDrop(own_documents)),
            documents_dir,
            state,
            url,
            _db: test_db,
        }
    }

    /// The App as an actix service, for tests that send requests concurrently.
    pub async fn service(
        &self,
    ) -> impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    > {
        test::init_service(redress::build_app(self.state.clone())).await
    }

    /// Create a user directly in the database and mint a token for it.
    pub async fn user(&self, role: Role, directorates: &[&str]) -> TestUser {
        let username = unique(role.as_str()).to_lowercase();
        let data = UserData {
            username: username.clone(),
            display_name: format!("Test {}", role.as_str()),
            role,
            directorates: directorates.iter().map(|d| d.to_string()).collect(),
            active: true,
        };
        let hash = password_hash().to_string();
        let row = self
            .state
            .db
            .write(move |conn| users::create(conn, &Actor::system("test"), &data, &hash))
            .await
            .expect("create test user");
        let token = self
            .state
            .tokens
            .issue(
                row.id,
                role,
                &directorates
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>(),
                row.token_version,
            )
            .expect("token");
        TestUser {
            id: row.id,
            username,
            role,
            token,
        }
    }

    /// An admin.
    pub async fn as_admin(&self) -> TestUser {
        self.user(Role::Admin, &[]).await
    }
    /// A manager of `directorate`.
    pub async fn as_manager(&self, directorate: &str) -> TestUser {
        self.user(Role::Manager, &[directorate]).await
    }
    /// A caseworker of `directorate`.
    pub async fn as_caseworker(&self, directorate: &str) -> TestUser {
        self.user(Role::Caseworker, &[directorate]).await
    }
    /// An analyst of `directorate`.
    pub async fn as_analyst(&self, directorate: &str) -> TestUser {
        self.user(Role::Analyst, &[directorate]).await
    }
    /// The CRM integration for `directorate`.
    pub async fn as_integration(&self, directorate: &str) -> TestUser {
        self.user(Role::Integration, &[directorate]).await
    }

    /// Start a request.
    pub fn request(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            app: self,
            inner: TestRequest::default().method(method).uri(path),
        }
    }
    /// Start a GET.
    pub fn get(&self, path: &str) -> Req<'_> {
        self.request(Method::GET, path)
    }
    /// Start a POST.
    pub fn post(&self, path: &str) -> Req<'_> {
        self.request(Method::POST, path)
    }
    /// Start a PATCH.
    pub fn patch(&self, path: &str) -> Req<'_> {
        self.request(Method::PATCH, path)
    }
    /// Start a PUT.
    pub fn put(&self, path: &str) -> Req<'_> {
        self.request(Method::PUT, path)
    }
    /// Start a DELETE.
    pub fn delete(&self, path: &str) -> Req<'_> {
        self.request(Method::DELETE, path)
    }
}

/// A request being built.
pub struct Req<'a> {
    app: &'a TestApp,
    inner: TestRequest,
}

impl Req<'_> {
    /// Authenticate as `user`.
    pub fn auth(self, user: &TestUser) -> Self {
        self.bearer(&user.token)
    }
    /// Send `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }
    /// Send it from `addr` (`IP:port`), as the TCP peer.
    pub fn peer(mut self, addr: &str) -> Self {
        self.inner = self
            .inner
            .peer_addr(addr.parse().expect("a socket address"));
        self
    }
    /// Add a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.inner = self
            .inner
            .insert_header((name.to_string(), value.to_string()));
        self
    }
    /// Send a JSON body.
    pub fn json(mut self, body: &Value) -> Self {
        self.inner = self.inner.set_json(body);
        self
    }
    /// Send a raw body (no content type is set).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.inner = self.inner.set_payload(body.into());
        self
    }
    /// The request, for tests that drive a service themselves.
    pub fn into_request(self) -> actix_http::Request {
        self.inner.to_request()
    }
    /// Send it through the App.
    pub async fn send(self) -> Resp {
        let response = test::call_service(&self.app.service, self.inner.to_request()).await;
        Resp::read(response).await
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl Resp {
    /// Read a service response.
    pub async fn read<B: MessageBody>(response: ServiceResponse<B>) -> Resp {
        let status = response.status();
        let headers = response.headers().clone();
        let body = test::read_body(response).await;
        Resp {
            status,
            headers,
            body,
        }
    }

    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Assert the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }

    /// Assert an RFC 9457 problem with `status`, and return it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        self.assert_status(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "problem content type"
        );
        let body = self.json();
        assert_eq!(body["status"], status, "problem status field");
        assert!(
            body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(),
            "problem shape: {body}"
        );
        assert!(body["errors"].is_array(), "problem errors: {body}");
        body
    }

    /// Assert a 422 and return the fields that have errors.
    #[track_caller]
    pub fn invalid_fields(&self) -> Vec<String> {
        self.fields_of(422)
    }

    /// The query parameters a 400 names as unreadable (a problem document).
    pub fn unreadable_parameters(&self) -> Vec<String> {
        self.fields_of(400)
    }

    fn fields_of(&self, status: u16) -> Vec<String> {
        let body = self.problem(status);
        body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// POST `body` to `path` as `user`, expecting 201; the created resource.
pub async fn post(app: &TestApp, user: &TestUser, path: &str, body: Value) -> Value {
    let res = app.post(path).auth(user).json(&body).send().await;
    res.assert_status(201);
    res.json()
}

/// GET `path` as `user`, expecting 200; the body.
pub async fn get(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let res = app.get(path).auth(user).send().await;
    res.assert_status(200);
    res.json()
}
