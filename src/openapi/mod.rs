//! The OpenAPI document: collected by utoipa from the handlers registered in
//! [`routes`], then finished here with the security scheme and the error
//! responses every operation can give.

mod consumers;
mod schemas;

use std::sync::OnceLock;

use actix_web::dev::HttpServiceFactory;
use actix_web::{web, App};
use serde_json::{json, Map, Value};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt, OpenApiFactory};

/// The document's skeleton: metadata and tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Redress API",
        description = "Redress records complaints and other feedback for English councils, the cases \
the Local Government and Social Care Ombudsman takes up, and the service improvements agreed as a \
result, and reports on them.\n\nAuthenticate with `POST /api/v1/auth/token` and send the token as \
`Authorization: Bearer <token>`; where the council's identity provider is configured \
(`GET /api/v1/auth/providers`), its access tokens are accepted the same way. Errors are RFC 9457 \
problem documents.",
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/", description = "The server this document is served from: local, staging or production alike")),
    tags(
        (name = "auth", description = "Logging in and the caller's own user."),
        (name = "users", description = "User accounts (admins only)."),
        (name = "directorates", description = "The council's directorates; every record belongs to one."),
        (name = "feedback", description = "Compliments, comments, enquiries and complaints, with their statutory clocks."),
        (name = "ombudsman", description = "Cases the Ombudsman takes up: enquiries, decisions, recommendations, compliance."),
        (name = "service-improvements", description = "Improvements the council agrees, tracked to completion."),
        (name = "casework", description = "The daily work on records and cases: handlers, the queue, contacts, actions, documents and letters."),
        (name = "data-protection", description = "Who read whose personal data (the access log), erasure, retention and subject access."),
        (name = "statistics", description = "The figures of the statutory annual report and the Ombudsman's annual letter, as JSON or CSV."),
        (name = "code", description = "The Ombudsman's Complaint Handling Code: the self-assessment, and the annual complaints performance and service improvement report on its way through the council's governance."),
        (name = "reports", description = "The statutory annual report, printable, with charts."),
        (name = "settings", description = "The council, its population and the averages of similar authorities."),
        (name = "calendar", description = "Bank holidays: the days that are not working days."),
        (name = "timescales", description = "The timescales every record's clock is measured by, as versions in force from a date."),
        (name = "webhooks", description = "Events to the CRM: subscriptions, signed deliveries with retries, and their attempts (admins)."),
        (name = "imports", description = "Bulk import from CSV files (admins): feedback records from another system, and the Ombudsman's published decisions, as jobs to follow."),
        (name = "operations", description = "Health, readiness, metrics and this document."),
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError))
)]
struct ApiDoc;

/// How a module registers its handlers: on the OpenAPI document's
/// collector (utoipa's `ServiceConfig`, which also reads each handler's
/// description) or straight on the running App's (actix-web's), so that the
/// service does not build its document again for every worker's route
/// table. Each module's `routes` takes either.
pub trait Routes {
    /// Register one documented handler.
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static;
}

impl Routes for ServiceConfig<'_> {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        ServiceConfig::service(self, factory)
    }
}

impl Routes for web::ServiceConfig {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        web::ServiceConfig::service(self, factory)
    }
}

/// Every route of the service, for the OpenAPI document. The running App
/// registers the same list through [`service_routes`], so the document
/// cannot miss a route.
pub fn routes(cfg: &mut ServiceConfig) {
    crate::ops::api::routes(cfg);
    cfg.service(scope("/api/v1").configure(|cfg| api_v1(cfg)));
}

/// Every route of the service, for the running App: [`routes`] without
/// collecting the document.
pub fn service_routes(cfg: &mut web::ServiceConfig) {
    crate::ops::api::routes(cfg);
    cfg.service(web::scope("/api/v1").configure(api_v1));
}

/// The routes under `/api/v1`.
fn api_v1(cfg: &mut impl Routes) {
    crate::auth::api::routes(cfg);
    crate::users::api::routes(cfg);
    crate::directorates::api::routes(cfg);
    crate::feedback::api::routes(cfg);
    crate::ombudsman::api::routes(cfg);
    crate::improvements::api::routes(cfg);
    crate::calendar::api::routes(cfg);
    crate::timescales::api::routes(cfg);
    crate::settings::api::routes(cfg);
    crate::statistics::api::routes(cfg);
    crate::code::api::routes(cfg);
    crate::code::assessment_api::routes(cfg);
    crate::code::years::routes(cfg);
    crate::code::report::routes(cfg);
    crate::reports::api::routes(cfg);
    crate::casework::allocation::routes(cfg);
    crate::casework::contacts::routes(cfg);
    crate::documents::api::routes(cfg);
    crate::letters::api::routes(cfg);
    crate::access::api::routes(cfg);
    crate::retention::api::routes(cfg);
    crate::subject_access::api::routes(cfg);
    crate::casework::queue::routes(cfg);
    crate::actions::api::routes(cfg);
    crate::feedback::reopening::routes(cfg);
    crate::webhooks::api::routes(cfg);
    crate::imports::api::routes(cfg);
}

/// A file's bytes as a response or a part of a request
/// (`type: string, format: binary`), which generated clients read as a
/// blob or bytes.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Binary(#[allow(dead_code)] Vec<u8>);

/// The finished OpenAPI document, built once and kept: for the command line
/// and the tests. The service itself keeps only [`Kept`].
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(build)
}

fn build() -> Value {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    let mut spec = serde_json::to_value(api).unwrap_or_default();
    finish(&mut spec);
    spec
}

/// What the running service keeps of its OpenAPI document. The document as
/// a JSON value takes several megabytes, held for the life of the process
/// for the few things that read it; it is built once, these are taken from
/// it, and it is dropped.
pub struct Kept {
    /// The document, compact, as `GET /openapi.json` serves it.
    pub text: String,
    /// `{"components": {"schemas": …}}` without the prose (descriptions,
    /// examples, titles): what request bodies are checked against
    /// ([`crate::http::limits`]) and CSV columns are read by.
    pub schemas: Value,
    /// Each path template, with its methods in upper case.
    pub paths: Vec<(String, Vec<String>)>,
}

/// The document as committed, which the service serves and keeps parts of:
/// a test keeps it equal to the one [`spec`] builds, and reading it costs
/// the service less time at start, and less memory for good, than building
/// it (utoipa's descriptions of every route are a large part of the
/// program).
const COMMITTED: &str = include_str!("../../openapi/openapi.json");

/// The kept parts of the document, read at the first call from the
/// committed document: the service calls it at start ([`prepare`]).
pub fn kept() -> &'static Kept {
    static KEPT: OnceLock<Kept> = OnceLock::new();
    KEPT.get_or_init(|| {
        // Built into the program, so a fault here is the build's, found by
        // the staleness test; the service stops at start rather than serve
        // no document and check bodies against nothing.
        let spec: Value = serde_json::from_str(COMMITTED)
            .expect("openapi/openapi.json is JSON: regenerate it with `redress openapi`");
        let text = serde_json::to_string(&spec).unwrap_or_default();
        let mut schemas = spec["components"]["schemas"].clone();
        without_prose(&mut schemas, false);
        let empty = serde_json::Map::new();
        let paths = spec["paths"]
            .as_object()
            .unwrap_or(&empty)
            .iter()
            .map(|(path, item)| {
                let methods = [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ]
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_uppercase())
                .collect();
                (path.clone(), methods)
            })
            .collect();
        Kept {
            text,
            schemas: json!({"components": {"schemas": schemas}}),
            paths,
        }
    })
}

/// Build what the service keeps of the document now, rather than at the
/// first request that needs it.
pub fn prepare() {
    kept();
}

/// Remove the prose from a schema tree. `names` says `value` is a map of
/// property (or schema) names, whose keys are names, not keywords.
fn without_prose(value: &mut Value, names: bool) {
    match value {
        Value::Object(map) => {
            if !names {
                for keyword in ["description", "example", "examples", "title"] {
                    map.remove(keyword);
                }
            }
            for (key, inner) in map.iter_mut() {
                let holds_names = !names && matches!(key.as_str(), "properties");
                without_prose(inner, holds_names);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| without_prose(v, false)),
        _ => {}
    }
}

/// The document as committed in `openapi/openapi.json`.
pub fn spec_text() -> String {
    let mut text = serde_json::to_string_pretty(spec()).unwrap_or_default();
    text.push('\n');
    text
}

fn problem_response(status: &str, description: &str) -> Value {
    json!({
        "description": description,
        "headers": consumers::shared_headers(status),
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// The shared error responses, by status.
const SHARED_RESPONSES: &[(&str, &str, &str)] = &[
    ("400", "BadRequest", "The body cannot be read (it is not JSON, or not the multipart form the operation takes), or a query parameter cannot be read: `errors` names it, such as `updated_since` given a date where a date-time is wanted."),
    ("401", "Unauthorized", "The bearer token is missing, invalid, expired or revoked. Carries `WWW-Authenticate: Bearer`."),
    ("403", "Forbidden", "The caller's role or directorates do not allow this."),
    ("404", "NotFound", "No such resource, or one in a directorate the caller may not see. For a repeated create with the same `Idempotency-Key`: the resource it created has since been deleted or is no longer visible to the caller."),
    ("406", "NotAcceptable", "The `Accept` header takes none of the types the operation answers (JSON for `*/*` or no `Accept`; HTML, CSV, XLSX or PDF where the operation lists them)."),
    ("413", "PayloadTooLarge", "The body is larger than 1 MiB."),
    ("415", "UnsupportedMediaType", "The body is not `application/json`."),
    ("422", "ValidationFailed", "The request is well-formed but invalid: one entry per bad field of the body, or query parameter out of bounds (`field` names it)."),
    ("429", "TooManyRequests", "Too many failed logins from this address or for this user: wait `Retry-After` seconds."),
    ("500", "InternalError", "Something failed on the server; the log has the cause under the response's `X-Request-Id`."),
    ("503", "Unavailable", "The service is overloaded or its database is not answering in time: try again after `Retry-After` seconds where it is given."),
];

fn add_response(operation: &mut Map<String, Value>, status: &str) {
    let Some((_, name, _)) = SHARED_RESPONSES.iter().find(|(s, _, _)| *s == status) else {
        return;
    };
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        responses
            .entry(status.to_string())
            .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
    }
}

/// Merge the `allOf` of a schema made by `#[serde(flatten)]` (a record's
/// view: its meta, its writable fields, its computed ones) into one object
/// with every property, as the JSON is: a `$ref` to an input schema would
/// bring its `additionalProperties: false` and forbid the other properties.
fn flatten_all_of(schemas: &mut Map<String, Value>) {
    let originals = schemas.clone();
    for schema in schemas.values_mut() {
        let Some(parts) = schema.get("allOf").and_then(Value::as_array).cloned() else {
            continue;
        };
        let (mut properties, mut required) = (Map::new(), Vec::new());
        for part in parts {
            let part = match part.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    let name = reference.trim_start_matches("#/components/schemas/");
                    originals.get(name).cloned().unwrap_or_default()
                }
                None => part,
            };
            if let Some(props) = part.get("properties").and_then(Value::as_object) {
                properties.extend(props.clone());
            }
            if let Some(names) = part.get("required").and_then(Value::as_array) {
                required.extend(names.iter().cloned());
            }
        }
        let Some(object) = schema.as_object_mut() else {
            continue;
        };
        object.remove("allOf");
        object.insert("type".into(), json!("object"));
        object.insert("properties".into(), Value::Object(properties));
        object.insert("required".into(), Value::Array(required));
    }
}

fn finish(spec: &mut Value) {
    let Some(root) = spec.as_object_mut() else {
        return;
    };
    if let Some(schemas) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    {
        flatten_all_of(schemas);
    }
    let components = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("components is an object");
    components.insert(
        "securitySchemes".into(),
        json!({
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "A token from `POST /api/v1/auth/token`, checked as RFC8725 (JSON Web \
Token Best Current Practices) advises: the algorithm is fixed (HS256; `none` and every other are \
refused), and `iss`, `aud`, `exp` and `sub` are required and verified. A report link's token has an \
audience of its own and opens only that report. Where the council's identity provider is \
configured, its access tokens are accepted too: signed with a key of its published set (named by \
`kid`) by one of the configured asymmetric algorithms (never HS256 or `none`), with its `iss` and \
`aud`, an `exp`, and a role or group the role map knows (else 403)."},
            "metrics_token": {"type": "http", "scheme": "bearer",
                "description": "The `METRICS_TOKEN` the service was started with (only `/metrics`)."},
        }),
    );
    let responses = components
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    for (status, name, description) in SHARED_RESPONSES {
        responses.insert(name.to_string(), problem_response(status, description));
    }
    root.insert("security".into(), json!([{"bearer": []}]));

    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            // Every GET of the API negotiates its answer's type.
            if method == "get" && path.starts_with("/api/v1/") {
                add_response(operation, "406");
            }
            // Any operation can fail, or find the database too slow.
            add_response(operation, "500");
            add_response(operation, "503");
            if operation.get("operationId").and_then(Value::as_str) == Some("create_token") {
                add_response(operation, "429");
            }
            // utoipa writes `security(())` as `[{}]` (optional auth); these
            // operations take no token at all, which is `[]`.
            let public = operation
                .get("security")
                .is_some_and(|s| s == &json!([{}]) || s == &json!([]));
            if public {
                operation.insert("security".into(), json!([]));
            } else {
                add_response(operation, "401");
                add_response(operation, "403");
            }
            // A repeat of an idempotent create is answered from the resource
            // as it is now: 404 once it is deleted or out of the caller's reach.
            let idempotent = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            if path.contains('{') || idempotent {
                add_response(operation, "404");
            }
            let has_query = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            if has_query {
                add_response(operation, "400");
                add_response(operation, "422");
            }
            if operation.contains_key("requestBody") {
                for status in ["400", "413", "415", "422"] {
                    add_response(operation, status);
                }
            }
        }
    }
    consumers::finish(root);
    schemas::finish(root);
}
