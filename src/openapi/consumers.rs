//! What the people who code against the spec need besides the operations
//! utoipa collects: one-line summaries, the limits the server enforces on
//! headers, the headers every answer carries, who may do what, and whom to
//! ask.

use serde_json::{json, Map, Value};

use crate::db::page::SortField;

/// The longest summary a generated client or Swagger UI shows well.
const SUMMARY_LIMIT: usize = 100;

/// The roles and what each may do, for the API's description.
const ROLES: &str = "\n\n## Roles\n\n\
| role | may |\n\
|---|---|\n\
| `admin` | everything, in every directorate, including users, directorates, settings, the calendar, timescales, retention and the access log |\n\
| `manager` | everything in its directorates except users and settings: create, update, close, delete, redact and erase records; record Ombudsman decisions; legal holds, subject access, the Complaint Handling Code's self-assessment and governance |\n\
| `caseworker` | create, read and update records in its directorates, with their contacts, actions, documents and letters; no delete or redact |\n\
| `analyst` | statistics and reports; read records in its directorates **without personal data** (the `complainant` object and `reasonable_adjustments` are null, contacts and documents refused) |\n\
| `integration` | the CRM: create feedback records and read and update them in its directorates; no statistics, no users |\n\n\
A record in a directorate the caller may not see is 404, as one that does not exist.";

/// Every finishing touch, on the whole document.
pub(super) fn finish(root: &mut Map<String, Value>) {
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        if let Some(Value::String(description)) = info.get_mut("description") {
            description.push_str(ROLES);
        }
        info.insert("contact".into(), json!({"name": "The Redress team"}));
    }
    // The council's own API, for its frontend and its CRM, not the public.
    if let Some(servers) = root.get_mut("servers").and_then(Value::as_array_mut) {
        for server in servers.iter_mut().filter_map(Value::as_object_mut) {
            server.insert("x-internal".into(), json!(true));
        }
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        finish_operations(paths);
    }
    drop_unused_components(root);
}

/// Leave out the components nothing refers to (the schemas merged into the
/// records' views, a shared response every operation documents its own
/// way), until none is left (Spectral: `oas3-unused-component`).
fn drop_unused_components(root: &mut Map<String, Value>) {
    loop {
        let text = Value::Object(root.clone()).to_string();
        let mut dropped = false;
        let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) else {
            return;
        };
        for kind in ["schemas", "responses"] {
            let Some(section) = components.get_mut(kind).and_then(Value::as_object_mut) else {
                continue;
            };
            let unused: Vec<String> = section
                .keys()
                .filter(|name| !text.contains(&format!("\"#/components/{kind}/{name}\"")))
                .cloned()
                .collect();
            for name in unused {
                section.remove(&name);
                dropped = true;
            }
        }
        if !dropped {
            return;
        }
    }
}

/// Every finishing touch of the operations, by path.
fn finish_operations(paths: &mut Map<String, Value>) {
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut().filter_map(Value::as_object_mut) {
            sort_fields(operation, sortable(path));
            one_line_summary(operation);
            idempotency_key_limits(operation);
            response_headers(operation);
        }
    }
}

/// A summary of one line, at most [`SUMMARY_LIMIT`] characters: the first
/// sentence of utoipa's (the doc comment's first paragraph), the whole
/// paragraph moving to the description.
fn one_line_summary(operation: &mut Map<String, Value>) {
    let Some(summary) = operation.get("summary").and_then(Value::as_str) else {
        return;
    };
    let paragraph = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    let short = first_sentence(&paragraph);
    let description = operation
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let description = match (short == paragraph, description.is_empty()) {
        (true, true) => paragraph.clone(),
        (true, false) => description,
        (false, true) => paragraph.clone(),
        (false, false) => format!("{paragraph}\n\n{description}"),
    };
    operation.insert("summary".into(), Value::String(short));
    operation.insert("description".into(), Value::String(description));
}

/// The first sentence of `text` (to the first `. `, `: ` or `; `), cut at
/// a word within [`SUMMARY_LIMIT`] characters.
fn first_sentence(text: &str) -> String {
    let end = [". ", ": ", "; ", " (", ", as "]
        .iter()
        .filter_map(|stop| text.find(stop))
        .min()
        .unwrap_or(text.len());
    let sentence = text[..end].trim_end_matches('.').trim();
    if sentence.chars().count() <= SUMMARY_LIMIT {
        return sentence.to_string();
    }
    let mut short = String::new();
    for word in sentence.split(' ') {
        if short.chars().count() + word.chars().count() + 1 > SUMMARY_LIMIT - 1 {
            break;
        }
        if !short.is_empty() {
            short.push(' ');
        }
        short.push_str(word);
    }
    short.push('…');
    short
}

/// The fields the list at `path` sorts by; none for the others.
fn sortable(path: &str) -> &'static [SortField] {
    match path {
        "/api/v1/feedback" => crate::feedback::list::SORTABLE,
        "/api/v1/ombudsman-cases" => crate::ombudsman::list::SORTABLE,
        "/api/v1/service-improvements" => crate::improvements::model::SORTABLE,
        "/api/v1/actions" => crate::actions::model::SORTABLE,
        "/api/v1/users" => crate::users::model::SORTABLE,
        "/api/v1/directorates" => crate::directorates::model::SORTABLE,
        "/api/v1/calendar/holidays" => crate::calendar::api::SORTABLE,
        _ => &[],
    }
}

/// The `sort` parameter as the list accepts it: its fields as a pattern,
/// with an example it takes; a list that cannot be sorted takes none.
fn sort_fields(operation: &mut Map<String, Value>, fields: &[SortField]) {
    let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    let Some(sort) = parameters.iter_mut().find(|p| p["name"] == "sort") else {
        return;
    };
    if fields.is_empty() {
        sort["description"] =
            json!("This list has one order and cannot be sorted: leave `sort` out.");
        sort["schema"] = json!({"type": "string", "maxLength": 0});
        if let Some(sort) = sort.as_object_mut() {
            sort.remove("example");
        }
        return;
    }
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let one = format!("-?({})", names.join("|"));
    sort["schema"] = json!({"type": "string", "pattern": format!("^{one}(,{one}){{0,3}}$")});
    let natural = names
        .iter()
        .find(|n| **n == "updated_at")
        .or_else(|| names.iter().find(|n| **n != "id"));
    sort["example"] = json!(match natural {
        Some(name) if names.contains(&"id") => format!("-{name},id"),
        _ => format!("-{}", names[0]),
    });
    sort["description"] = json!(format!(
        "Comma-separated fields to sort by, each optionally prefixed with `-` for descending order: at most 4 of {}, none given twice (422 otherwise).",
        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    ));
}

/// The limits the server enforces on `Idempotency-Key`.
fn idempotency_key_limits(operation: &mut Map<String, Value>) {
    let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for parameter in parameters.iter_mut() {
        if parameter["name"] == "Idempotency-Key" {
            parameter["schema"] = json!({
                "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"
            });
            parameter["example"] = json!("crm-48213-create");
        }
    }
}

fn header(description: &str) -> Value {
    json!({"description": description, "schema": {"type": "string"}})
}

/// The headers the answers carry: `X-Request-Id` on every one; `Location`
/// on every 201; `Idempotent-Replayed` on the 201 of an idempotent create.
fn response_headers(operation: &mut Map<String, Value>) {
    let idempotent = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        if response.contains_key("$ref") {
            continue; // the shared responses carry their own headers
        }
        let headers = response
            .entry("headers")
            .or_insert_with(|| json!({}))
            .as_object_mut();
        let Some(headers) = headers else { continue };
        headers.entry("X-Request-Id").or_insert_with(|| {
            header("The request's id: the client's own when it sent a sensible one, else a new one; it is in the server's log lines.")
        });
        if status == "201" {
            headers
                .entry("Location")
                .or_insert_with(|| header("Where the new resource is."));
            if idempotent {
                headers.entry("Idempotent-Replayed").or_insert_with(|| {
                    header("`true` when the answer is a replay of the first request with the same `Idempotency-Key`.")
                });
            }
        }
    }
}

/// The headers of a shared (error) response with `status`.
pub(super) fn shared_headers(status: &str) -> Value {
    let mut headers = json!({
        "X-Request-Id": header("The request's id, as in the server's log lines.")
    });
    if status == "429" || status == "503" {
        headers["Retry-After"] = json!({
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 0}
        });
    }
    if status == "401" {
        headers["WWW-Authenticate"] = header("`Bearer realm=\"redress\"`.");
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_first_sentences_within_the_limit() {
        assert_eq!(
            first_sentence("Delete a document (204)."),
            "Delete a document"
        );
        assert_eq!(
            first_sentence("The Ombudsman's Code, measured: for the complaints"),
            "The Ombudsman's Code, measured"
        );
        let long = "word ".repeat(40);
        let short = first_sentence(long.trim());
        assert!(short.chars().count() <= SUMMARY_LIMIT);
        assert!(short.ends_with('…'));
    }
}
