//! The OpenAPI document: served, committed, and complete.

use serde_json::Value;

use crate::common::TestApp;

#[test]
fn the_committed_openapi_json_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let current = redress::openapi::spec_text();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &current).expect("write openapi/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test --test api spec` (or `cargo run -- openapi > openapi/openapi.json`) and commit it; the service serves that file and checks bodies against it, so other tests may fail until it is current"
    );
}

#[actix_web::test]
async fn the_spec_is_served_at_openapi_json() {
    let app = TestApp::new().await;
    let res = app.get("/openapi.json").send().await;
    res.assert_status(200);
    assert_eq!(&res.json(), redress::openapi::spec());
}

#[test]
fn every_operation_has_an_id_a_summary_and_error_responses() {
    let spec = redress::openapi::spec();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path}: no summary"
            );
            let responses = op["responses"].as_object().unwrap();
            let public = op["security"] == Value::Array(vec![]);
            if !public {
                assert!(responses.contains_key("401"), "{method} {path}: no 401");
            }
            if path.starts_with("/api/") {
                assert!(
                    responses.keys().any(|s| s.starts_with('4')),
                    "{method} {path}: no 4xx"
                );
            }
        }
    }
    let schemes = &spec["components"]["securitySchemes"]["bearer"];
    assert_eq!(schemes["scheme"], "bearer");
    for public in ["/api/v1/auth/token", "/healthz", "/readyz"] {
        let item = &spec["paths"][public];
        let op = item.as_object().unwrap().values().next().unwrap();
        assert_eq!(
            op["security"],
            Value::Array(vec![]),
            "{public} must be public"
        );
    }
}

/// Every string enum in the spec lists the values the API really sends
/// (snake_case words; event types are two joined by a dot, as
/// `feedback.created`), never the Rust variant names.
#[test]
fn enum_schemas_list_the_wire_values() {
    let spec = redress::openapi::spec();
    let mut enums = 0;
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        let Some(values) = schema["enum"].as_array() else {
            continue;
        };
        enums += 1;
        for value in values.iter().filter_map(Value::as_str) {
            assert!(
                value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'),
                "{name}: enum value {value:?} is not a wire value"
            );
        }
    }
    assert!(enums >= 10, "only {enums} enums found");
    let roles = &spec["components"]["schemas"]["Role"]["enum"];
    let expected: Vec<&str> = redress::auth::Role::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    assert_eq!(roles, &serde_json::json!(expected));
}

/// utoipa names a component schema after its Rust type, so two types with one
/// name (in different modules) silently overwrite each other in the spec, and
/// clients then validate responses against the wrong shape. Every type that
/// derives `ToSchema` (directly or through `text_enum!`) must have its own name.
#[test]
fn schema_type_names_are_unique() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut files = vec![src];
    let mut schemas = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                files.push(entry.unwrap().path());
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut pending = false;
        let mut derive = String::new();
        let mut patch_schema = false;
        for line in text.lines().map(str::trim) {
            // A derive may span lines; gather it whole.
            if line.starts_with("#[derive(") || !derive.is_empty() {
                derive.push_str(line);
                if line.ends_with(")]") {
                    pending |= derive.contains("ToSchema");
                    derive.clear();
                }
                continue;
            }
            if line.starts_with("text_enum!") {
                pending = true;
                continue;
            }
            // `patch_schema!(... Name for Input)` declares a schema type too.
            if line.starts_with("crate::patch_schema!(") {
                patch_schema = true;
                continue;
            }
            let declared = if patch_schema {
                line.split_once(" for ").map(|(name, _)| name)
            } else if pending {
                line.strip_prefix("pub struct ")
                    .or_else(|| line.strip_prefix("pub enum "))
            } else {
                None
            };
            let Some(rest) = declared else {
                continue;
            };
            patch_schema = false;
            pending = false;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                continue; // a macro's definition (`pub struct $name`)
            }
            schemas += 1;
            let here = path.display().to_string();
            if let Some(other) = seen.insert(name.clone(), here.clone()) {
                panic!("two schema types are named {name}: {other} and {here}");
            }
        }
    }
    assert!(schemas >= 40, "only {schemas} schema types found");
    // Every component is one of our types: a field whose type is an alias of
    // a std collection would otherwise appear as a component named after it.
    let spec = redress::openapi::spec();
    for name in spec["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            seen.contains_key(name) || name.ends_with("Page"),
            "component {name} is not one of Redress's types"
        );
    }
}

#[actix_web::test]
async fn every_lists_sort_example_is_one_it_accepts() {
    let app = crate::common::TestApp::new().await;
    let admin = app.as_admin().await;
    let spec = redress::openapi::spec();
    let mut tried = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let Some(sort) = get["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "sort"))
        else {
            continue;
        };
        let pattern = sort["schema"]["pattern"].as_str();
        let Some(example) = sort["example"].as_str() else {
            // A list that cannot be sorted takes no `sort`.
            assert_eq!(sort["schema"]["maxLength"], 0, "{path}");
            continue;
        };
        assert!(pattern.is_some(), "{path}");
        if path.contains('{') {
            continue;
        }
        let res = app
            .get(&format!("{path}?sort={example}"))
            .auth(&admin)
            .send()
            .await;
        assert_eq!(
            res.status.as_u16(),
            200,
            "{path}?sort={example}: {}",
            res.text()
        );
        tried += 1;
    }
    assert!(tried >= 6, "{tried}");
}

#[actix_web::test]
async fn the_feedback_example_is_a_record_the_service_accepts() {
    // Swagger UI fills "Try it out" with it.
    let app = crate::common::TestApp::new().await;
    let manager = app.as_manager("adults").await;
    let example =
        redress::openapi::spec()["components"]["schemas"]["FeedbackInput"]["example"].clone();
    assert!(example.is_object());
    let res = app
        .post("/api/v1/feedback")
        .auth(&manager)
        .json(&example)
        .send()
        .await;
    res.assert_status(201);
}
