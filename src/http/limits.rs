//! The size limits the spec publishes for request bodies, enforced from the
//! spec itself: a string's `maxLength`, a list's `maxItems`, and a number's
//! `minimum` and `maximum`, at any depth. Every body is checked against its
//! own schema before it is decoded, so a limit written in the spec (by a
//! `#[schema(...)]` attribute, or by the defaults of
//! `openapi::schemas`) is the limit the server keeps, and the two cannot
//! drift apart.

use serde_json::{Map, Value};

use crate::error::FieldErrors;

/// Record in `errors` every value of `body` beyond a limit of the component
/// schema `schema_name`, each under its field's path (`themes[3]`,
/// `complainant.name`). A schema the spec does not hold checks nothing.
pub fn check(schema_name: &str, body: &Map<String, Value>, errors: &mut FieldErrors) {
    let spec = &crate::openapi::kept().schemas;
    let schema = &spec["components"]["schemas"][schema_name];
    if !schema.is_null() {
        walk_fields(spec, schema, body, "", errors);
    }
}

fn walk(spec: &Value, schema: &Value, value: &Value, at: &str, errors: &mut FieldErrors) {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/components/schemas/");
        return walk(
            spec,
            &spec["components"]["schemas"][name],
            value,
            at,
            errors,
        );
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for part in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(spec, part, value, at, errors);
        }
    }
    let field = if at.is_empty() { "body" } else { at };
    let limit = |key: &str| schema.get(key).and_then(Value::as_f64);
    match value {
        Value::String(text) => {
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                if text.chars().count() as u64 > max && !errors.has(field) {
                    errors.add(field, format!("must be at most {max} characters"));
                }
            }
        }
        Value::Number(number) => {
            let n = number.as_f64().unwrap_or_default();
            let out_of_range = limit("minimum").is_some_and(|min| n < min)
                || limit("maximum").is_some_and(|max| n > max);
            if out_of_range && !errors.has(field) {
                let bound = |key| limit(key).map_or("any".to_string(), |b| b.to_string());
                errors.add(
                    field,
                    format!("must be from {} to {}", bound("minimum"), bound("maximum")),
                );
            }
        }
        Value::Array(items) => {
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                if items.len() as u64 > max && !errors.has(field) {
                    errors.add(field, format!("must list at most {max} items"));
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    walk(spec, item_schema, item, &format!("{at}[{i}]"), errors);
                }
            }
        }
        Value::Object(object) => walk_fields(spec, schema, object, at, errors),
        _ => {}
    }
}

/// The fields of an object, each against its property's schema (or the
/// schema of the object's other properties).
fn walk_fields(
    spec: &Value,
    schema: &Value,
    object: &Map<String, Value>,
    at: &str,
    errors: &mut FieldErrors,
) {
    for (key, inner) in object {
        let here = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        match schema["properties"].get(key) {
            Some(property) => walk(spec, property, inner, &here, errors),
            None => {
                if let Some(extra @ Value::Object(_)) = schema.get("additionalProperties") {
                    walk(spec, extra, inner, &here, errors);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_body_within_its_limits_has_no_problem() {
        let mut errors = FieldErrors::new();
        check(
            "FeedbackInput",
            json!({"summary": "fine", "themes": ["a", "b"], "stage": 1})
                .as_object()
                .unwrap(),
            &mut errors,
        );
        assert!(errors.is_empty());
    }
}
