//! The component schemas as generated clients should see them: a field every
//! answer carries is required (and nullable where it can be null), a map
//! keyed by an enum lists its keys, and an audit change says what a value
//! can be.
//!
//! utoipa marks a field optional whenever its Rust type is an `Option` or has
//! a serde default, which is right for a request body and wrong for an
//! answer: the service writes every field of its answers, with `null` for
//! "none". So a schema that only answers ever use has all its properties
//! required; a schema a request body also uses (`Complainant`, `Remedy`,
//! `Settings`) keeps them optional, because a request may leave them out.
//! `tests/conformance.rs` checks the answers of a demo council against the
//! result.
//!
//! Every input is bounded in the spec (OWASP API4: strings, lists and
//! numbers of unrestricted size): what a type does not limit itself gets the
//! defaults here, which the server keeps because it checks every body
//! against its schema (`http::limits`) and every query value against
//! [`MAX_QUERY_VALUE`].

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::http::etag::MAX_IF_MATCH;
use crate::http::query::MAX_QUERY_VALUE;
use crate::validation::MAX_SHORT_TEXT;

/// The most items of a list in a body that no limit of its own bounds.
pub const MAX_LIST_ITEMS: u64 = 1_000;
/// The longest directorate code (`POST /directorates`).
const MAX_DIRECTORATE_CODE: u64 = 32;
/// The formats whose syntax bounds a string's length (and the upload, whose
/// size limit is the body's: 413).
const BOUNDED_FORMATS: [&str; 3] = ["date", "date-time", "binary"];

/// Every schema pass, on the whole document.
pub(super) fn finish(root: &mut Map<String, Value>) {
    let used_by_requests = request_schemas(root);
    let enums: Map<String, Value> = root
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema.get("enum").is_some())
        .map(|(name, schema)| (name.clone(), schema.clone()))
        .collect();
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        let operations = paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut());
        for operation in operations {
            let parameters = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut);
            for parameter in parameters.into_iter().flatten() {
                bound_parameter(parameter);
            }
        }
    }
    let Some(schemas) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        each_schema(schema, &mut |s| enum_keyed_map(s, &enums));
        if used_by_requests.contains(name) {
            each_schema(schema, &mut bound_input);
        } else {
            each_schema(schema, &mut require_every_property);
        }
    }
    if let Some(change) = schemas.get_mut("Change") {
        type_change_values(change);
    }
    root.values_mut().for_each(integer_formats);
}

/// Every integer says how wide it is (OWASP: integer-format): the counts
/// utoipa writes for `usize` have no format, and fit in 64 bits.
fn integer_formats(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let integer = object.get("type").is_some_and(|t| {
                t == "integer"
                    || t.as_array()
                        .is_some_and(|ts| ts.iter().any(|x| x == "integer"))
            });
            if integer && !object.contains_key("format") {
                object.insert("format".into(), json!("int64"));
            }
            object.values_mut().for_each(integer_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(integer_formats),
        _ => {}
    }
}

/// The names of the component schemas a request can carry: those request
/// bodies and parameters refer to, and those they refer to in turn.
fn request_schemas(root: &Map<String, Value>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    if let Some(paths) = root.get("paths").and_then(Value::as_object) {
        for operation in paths
            .values()
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
        {
            for part in ["requestBody", "parameters"] {
                if let Some(value) = operation.get(part) {
                    references(value, &mut names);
                }
            }
        }
    }
    let schemas = root
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_object);
    let mut pending: Vec<String> = names.iter().cloned().collect();
    while let Some(name) = pending.pop() {
        let mut more = BTreeSet::new();
        if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
            references(schema, &mut more);
        }
        for found in more {
            if names.insert(found.clone()) {
                pending.push(found);
            }
        }
    }
    names
}

/// Collect the component schema names `value` refers to.
fn references(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                match (key.as_str(), inner.as_str()) {
                    ("$ref", Some(target)) => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            names.insert(name.to_string());
                        }
                    }
                    _ => references(inner, names),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, names)),
        _ => {}
    }
}

/// Apply `pass` to `schema` and to every schema written inside it (its
/// properties, items, map values and alternatives), but not to the schemas it
/// refers to: those are components, each visited on its own.
fn each_schema(schema: &mut Value, pass: &mut impl FnMut(&mut Map<String, Value>)) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    pass(object);
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        properties.values_mut().for_each(|p| each_schema(p, pass));
    }
    for key in ["items", "additionalProperties", "propertyNames"] {
        if let Some(inner) = object.get_mut(key) {
            each_schema(inner, pass);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(parts)) = object.get_mut(key) {
            parts.iter_mut().for_each(|p| each_schema(p, pass));
        }
    }
}

/// The types a schema allows (`type: "string"` or `type: ["string", "null"]`).
fn allows(schema: &Map<String, Value>, kind: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(one)) => one == kind,
        Some(Value::Array(many)) => many.iter().any(|t| t == kind),
        _ => false,
    }
}

/// A string, number or list a request may carry is bounded: by its own
/// limit when it has one, else by the defaults the server keeps. A
/// directorate is named by its code.
fn bound_input(schema: &mut Map<String, Value>) {
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            let code = match name.as_str() {
                "directorate" => property.as_object_mut(),
                "directorates" => property.get_mut("items").and_then(Value::as_object_mut),
                _ => None,
            };
            if let Some(code) = code.filter(|c| allows(c, "string") && !c.contains_key("maxLength"))
            {
                code.insert("maxLength".into(), json!(MAX_DIRECTORATE_CODE));
            }
        }
    }
    bound_value(schema, MAX_SHORT_TEXT as u64);
}

/// The default bounds of one value: `max_text` characters for a string
/// without a limit, enum or bounding format; [`MAX_LIST_ITEMS`] for a
/// list; the range of its format for an integer.
fn bound_value(schema: &mut Map<String, Value>, max_text: u64) {
    if allows(schema, "string") {
        let bounded = ["maxLength", "enum", "const"]
            .iter()
            .any(|k| schema.contains_key(*k))
            || schema
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| BOUNDED_FORMATS.contains(&f));
        if !bounded {
            schema.insert("maxLength".into(), json!(max_text));
        }
    }
    if allows(schema, "array") && !schema.contains_key("maxItems") {
        schema.insert("maxItems".into(), json!(MAX_LIST_ITEMS));
    }
    if allows(schema, "integer") {
        let (min, max) = match schema.get("format").and_then(Value::as_str) {
            Some("int32") => (json!(i32::MIN), json!(i32::MAX)),
            _ => (json!(i64::MIN), json!(i64::MAX)),
        };
        schema.entry("format").or_insert_with(|| json!("int64"));
        schema.entry("minimum").or_insert(min);
        schema.entry("maximum").or_insert(max);
    }
}

/// A parameter is bounded as the server reads it: a query value is at most
/// [`MAX_QUERY_VALUE`] characters, `If-Match` at most [`MAX_IF_MATCH`], and
/// a path names something that exists (a directorate's code, a template's
/// name), so a longer one is 404.
fn bound_parameter(parameter: &mut Value) {
    let name = parameter["name"].as_str().unwrap_or_default().to_string();
    let place = parameter["in"].as_str().unwrap_or_default().to_string();
    let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) else {
        return;
    };
    let max_text = match (place.as_str(), name.as_str()) {
        ("header", "If-Match") => MAX_IF_MATCH,
        ("path", "code") => MAX_DIRECTORATE_CODE,
        ("path", "name") => crate::letters::templates::MAX_NAME,
        _ => MAX_QUERY_VALUE as u64,
    };
    if allows(schema, "array") && !schema.contains_key("maxItems") {
        // A comma-separated list in one value: one character and a comma
        // an item at most.
        schema.insert("maxItems".into(), json!(MAX_QUERY_VALUE.div_ceil(2)));
    }
    bound_value(schema, max_text);
}

/// An answer's object carries every property it lists.
fn require_every_property(schema: &mut Map<String, Value>) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let names: Vec<Value> = properties.keys().map(|k| json!(k)).collect();
    schema.insert("required".into(), Value::Array(names));
}

/// A map keyed by an enum (`propertyNames` naming one) lists the enum's
/// values as its properties, so that clients type it as
/// `{[k in Outcome]?: number}` and not as a map of any string.
fn enum_keyed_map(schema: &mut Map<String, Value>, enums: &Map<String, Value>) {
    let Some(keys) = schema.get("propertyNames") else {
        return;
    };
    let keys = match keys.get("$ref").and_then(Value::as_str) {
        Some(target) => enums.get(target.trim_start_matches("#/components/schemas/")),
        None => Some(keys),
    };
    let Some(values) = keys
        .and_then(|k| k.get("enum"))
        .and_then(Value::as_array)
        .cloned()
    else {
        return;
    };
    let Some(value_schema) = schema.get("additionalProperties").cloned() else {
        return;
    };
    let properties: Map<String, Value> = values
        .iter()
        .filter_map(Value::as_str)
        .map(|key| (key.to_string(), value_schema.clone()))
        .collect();
    schema.remove("propertyNames");
    schema.insert("properties".into(), Value::Object(properties));
    schema.insert("additionalProperties".into(), json!(false));
}

/// An audit change's `from` and `to` hold the field's JSON value: a string
/// (text, dates, enum values), a number, a boolean, a list, an object (the
/// complainant, a remedy) or null.
fn type_change_values(change: &mut Value) {
    let Some(properties) = change.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for property in properties.values_mut() {
        let Some(object) = property.as_object_mut() else {
            continue;
        };
        object.insert(
            "type".into(),
            json!(["string", "number", "boolean", "array", "object", "null"]),
        );
        // openapi-python-client skips the whole history without it.
        object.insert("items".into(), json!({}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enum_keyed_map_lists_its_keys() {
        let enums = Map::new();
        let mut schema = json!({
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "propertyNames": {"type": "string", "enum": ["upheld", "not_upheld"]},
        });
        each_schema(&mut schema, &mut |s| enum_keyed_map(s, &enums));
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {"upheld": {"type": "integer"}, "not_upheld": {"type": "integer"}},
            })
        );
    }

    #[test]
    fn only_schemas_no_request_uses_have_every_property_required() {
        let mut root = json!({
            "paths": {"/x": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Input"}}}},
            }}},
            "components": {"schemas": {
                "Input": {"type": "object", "properties": {"part": {"$ref": "#/components/schemas/Part"}}},
                "Part": {"type": "object", "properties": {"a": {"type": ["string", "null"]}}},
                "View": {"type": "object", "properties": {
                    "a": {"type": ["string", "null"]},
                    "nested": {"type": "object", "properties": {"b": {"type": "integer"}}},
                }},
            }},
        });
        finish(root.as_object_mut().unwrap());
        let schemas = &root["components"]["schemas"];
        assert_eq!(schemas["View"]["required"], json!(["a", "nested"]));
        assert_eq!(
            schemas["View"]["properties"]["nested"]["required"],
            json!(["b"])
        );
        assert!(schemas["Input"].get("required").is_none());
        assert!(schemas["Part"].get("required").is_none());
    }
}
