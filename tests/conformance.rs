//! Every JSON answer of the demo council matches the spec: each property the
//! spec requires is sent (with `null` for "none", never left out), each value
//! has the spec's type, and no map carries a key its enum does not list.
//! Generated clients rely on exactly this: a required field is read without
//! a check for `undefined`.

use serde_json::Value;

use crate::common::{TestApp, TestUser};
use crate::reports::load_demo;

/// Why `value` does not match `schema`, one line per mismatch; empty when it
/// matches. Covers what the spec uses: `$ref`, `oneOf`/`anyOf`, `type` (one
/// or several), `enum`, `required`, `properties`, `additionalProperties`
/// and `items`.
fn mismatches(spec: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/components/schemas/");
        return mismatches(spec, &spec["components"]["schemas"][name], value, at);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            let fits = parts
                .iter()
                .any(|part| mismatches(spec, part, value, at).is_empty());
            if !fits {
                return vec![format!("{at}: {value} fits none of its {key}")];
            }
        }
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = allowed
            .iter()
            .any(|t| *t == actual || (*t == "number" && actual == "integer"));
        if !fits {
            return vec![format!("{at}: {actual} where the spec says {types}")];
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !value.is_null() && !values.contains(value) {
            return vec![format!("{at}: {value} is not in its enum")];
        }
    }
    let mut found = Vec::new();
    match value {
        Value::Object(object) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                if !object.contains_key(name) {
                    found.push(format!("{at}: required `{name}` is missing"));
                }
            }
            for (key, inner) in object {
                let here = format!("{at}.{key}");
                match schema["properties"].get(key) {
                    Some(property) => found.extend(mismatches(spec, property, inner, &here)),
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            found.push(format!("{here}: not a property of the schema"))
                        }
                        Some(extra @ Value::Object(_)) => {
                            found.extend(mismatches(spec, extra, inner, &here))
                        }
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    found.extend(mismatches(spec, item_schema, item, &format!("{at}[{i}]")));
                }
            }
        }
        _ => {}
    }
    found
}

/// The value of a path parameter: the first item of the list one level up,
/// e.g. `/feedback/{id}` takes the id of the first of `/feedback`.
async fn first_of_list(app: &TestApp, user: &TestUser, list: &str, key: &str) -> Option<String> {
    let res = app.get(list).auth(user).send().await;
    if res.status.as_u16() != 200 {
        return None;
    }
    let body = res.json();
    let items = body
        .get("items")
        .or_else(|| body.get("holidays"))
        .or_else(|| body.get("versions"))
        .unwrap_or(&body);
    let first = items.as_array()?.first()?;
    match &first[key] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Fill in a path's parameters from the lists above it; None when a list is
/// empty for this user.
async fn concrete(app: &TestApp, user: &TestUser, path: &str) -> Option<String> {
    let mut done = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest.find('}')?;
        let name = &rest[open + 1..close];
        let list = format!("{done}{}", rest[..open].trim_end_matches('/'));
        let value = first_of_list(app, user, &list, name).await?;
        done = format!("{done}{}{value}", &rest[..open]);
        rest = &rest[close + 1..];
    }
    Some(format!("{done}{rest}"))
}

#[actix_web::test]
async fn every_json_answer_of_the_demo_council_matches_the_spec() {
    let app = TestApp::with_env(&[("REDRESS_TODAY", "2026-11-30")]).await;
    load_demo(&app).await;
    let admin = app.as_admin().await;
    let analyst = app.as_analyst("adults").await;
    let spec = redress::openapi::spec();
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(schema) = item
            .get("get")
            .map(|get| &get["responses"]["200"]["content"]["application/json"]["schema"])
            .filter(|s| !s.is_null())
        else {
            continue;
        };
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for user in [&admin, &analyst] {
            let Some(uri) = concrete(&app, user, path).await else {
                continue;
            };
            let res = app.get(&uri).auth(user).send().await;
            if res.status.as_u16() != 200 {
                continue;
            }
            problems.extend(mismatches(spec, schema, &res.json(), &uri));
            checked.push(uri);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The demo council answers nearly every GET with data to check.
    for path in [
        "/api/v1/feedback",
        "/api/v1/ombudsman-cases",
        "/api/v1/service-improvements",
        "/api/v1/statistics/complaints",
        "/api/v1/statistics/feedback",
        "/api/v1/statistics/ombudsman",
        "/api/v1/statistics/code",
        "/api/v1/reports/annual",
        "/api/v1/reports/code-annual",
    ] {
        assert!(checked.iter().any(|uri| uri == path), "{path} not checked");
    }
    assert!(
        checked
            .iter()
            .any(|uri| uri.starts_with("/api/v1/feedback/") && uri.ends_with("/history")),
        "no history checked"
    );
    assert!(checked.len() >= 70, "{}: {checked:?}", checked.len());
}

#[test]
fn a_missing_required_field_or_a_wrong_type_is_a_mismatch() {
    let spec = serde_json::json!({"components": {"schemas": {
        "Outcome": {"type": "string", "enum": ["upheld"]},
        "View": {"type": "object", "required": ["a", "b"], "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Outcome"}]},
        }},
    }}});
    let view = &spec["components"]["schemas"]["View"];
    let check = |value: Value| mismatches(&spec, view, &value, "$");
    assert!(check(serde_json::json!({"a": null, "b": "upheld"})).is_empty());
    assert_eq!(check(serde_json::json!({"a": "x"})).len(), 1);
    assert_eq!(check(serde_json::json!({"a": 1, "b": null})).len(), 1);
    assert_eq!(check(serde_json::json!({"a": "x", "b": "other"})).len(), 1);
}
