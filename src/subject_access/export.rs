//! The subject-access export: a ZIP with every confirmed record and case as
//! JSON and as a readable HTML page (with its contact entries, actions and
//! history), the confirmed documents themselves, and a manifest with each
//! file's SHA-256. Third parties' data marked in the selection is blanked
//! in the JSON and HTML.

use std::io::Write as _;

use diesel::prelude::*;
use maud::{html, Markup, DOCTYPE};
use serde_json::{json, Value};

use super::model::{RequestRow, Selection};
use crate::auth::AuthUser;
use crate::calendar::Today;
use crate::casework::contacts::{Contact, ContactRow};
use crate::db::page::Paging;
use crate::db::schema::{actions, contacts};
use crate::db::DbConnection;
use crate::documents::model::digest;
use crate::documents::Documents;
use crate::error::ApiError;
use crate::feedback::model::FeedbackRow;
use crate::ombudsman::model::CaseRecord;
use crate::records::api::RecordApi;
use crate::records::store;
use crate::timescales::TimeRules;

/// What replaces a third party's data.
pub const THIRD_PARTY: &str = "[third party]";

/// The export, and the records and cases it holds.
pub struct Export {
    /// The ZIP.
    pub zip: Vec<u8>,
    /// The records and cases exported: (entity, id).
    pub records: Vec<(String, i64)>,
}

/// The contexts records are viewed with.
pub struct Contexts {
    /// The timescales, for feedback records' clocks.
    pub rules: TimeRules,
    /// Today, for cases' compliance.
    pub today: Today,
}

/// `value` with every `texts` in its strings replaced by [`THIRD_PARTY`].
fn blank(value: &mut Value, texts: &[&str]) {
    match value {
        Value::String(s) => {
            for text in texts {
                if s.contains(text) {
                    *s = s.replace(text, THIRD_PARTY);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| blank(v, texts)),
        Value::Object(map) => map.values_mut().for_each(|v| blank(v, texts)),
        _ => {}
    }
}

/// An action as exported: id, description, owner, due, done, evidence.
type ActionLine = (
    i64,
    String,
    Option<String>,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
    Option<String>,
);

/// One record or case with what hangs off it, as JSON.
fn bundle<R: RecordApi>(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    context: &R::Context,
    today: Today,
) -> Result<Value, ApiError> {
    let record = store::find_visible::<R>(conn, &user.scope().map(<[String]>::to_vec), id)?;
    let view = serde_json::to_value(record.view(context, today, user)?)?;
    let entries: Vec<Contact> = contacts::table
        .filter(contacts::entity.eq(R::ENTITY))
        .filter(contacts::record_id.eq(id))
        .order(contacts::occurred_at)
        .select(ContactRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Contact::from)
        .collect();
    let promised = match R::ENTITY {
        crate::feedback::model::ENTITY => actions::table
            .filter(actions::feedback_id.eq(id))
            .into_boxed(),
        _ => actions::table
            .filter(actions::ombudsman_case_id.eq(id))
            .into_boxed(),
    };
    let promised: Vec<ActionLine> = promised
        .order(actions::id)
        .select((
            actions::id,
            actions::description,
            actions::owner_name,
            actions::due_on,
            actions::completed_on,
            actions::evidence,
        ))
        .load(conn)?;
    let promised: Vec<Value> = promised
        .into_iter()
        .map(|(id, description, owner, due_on, completed_on, evidence)| {
            json!({"id": id, "description": description, "owner": owner, "due_on": due_on,
                   "completed_on": completed_on, "evidence": evidence})
        })
        .collect();
    let paging = Paging {
        limit: 10_000,
        offset: 0,
        sort: Vec::new(),
        updated_since: None,
    };
    let history = crate::audit::history(conn, R::ENTITY, &id.to_string(), &paging, &[])?;
    Ok(json!({
        "entity": R::ENTITY,
        "id": id,
        "record": view,
        "contacts": entries,
        "actions": promised,
        "history": serde_json::to_value(history)?["items"],
    }))
}

/// A readable page for one bundle.
fn page(bundle: &Value) -> Markup {
    let record = &bundle["record"];
    let title = format!(
        "{} {}",
        bundle["entity"]
            .as_str()
            .unwrap_or_default()
            .replace('_', " "),
        record["reference"]
            .as_str()
            .map_or_else(|| bundle["id"].to_string(), str::to_string)
    );
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head { meta charset="utf-8"; title { (title) }
                style { "body{font-family:Arial,sans-serif;margin:2em;max-width:60em} table{border-collapse:collapse} td,th{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}" } }
            body {
                h1 { (title) }
                h2 { "What we hold" }
                table {
                    @if let Some(fields) = record.as_object() {
                        @for (name, value) in fields {
                            tr { th { (name.replace('_', " ")) } td { (text(value)) } }
                        }
                    }
                }
                h2 { "Contacts" }
                @if bundle["contacts"].as_array().is_none_or(Vec::is_empty) { p { "None." } }
                @else {
                    table { tr { th { "When" } th { "Direction" } th { "How" } th { "With" } th { "Summary" } }
                        @for c in bundle["contacts"].as_array().into_iter().flatten() {
                            tr { td { (text(&c["occurred_at"])) } td { (text(&c["direction"])) } td { (text(&c["channel"])) } td { (text(&c["with"])) } td { (text(&c["summary"])) } }
                        }
                    }
                }
                h2 { "Actions promised" }
                @if bundle["actions"].as_array().is_none_or(Vec::is_empty) { p { "None." } }
                @else {
                    table { tr { th { "What" } th { "Due" } th { "Done" } }
                        @for a in bundle["actions"].as_array().into_iter().flatten() {
                            tr { td { (text(&a["description"])) } td { (text(&a["due_on"])) } td { (text(&a["completed_on"])) } }
                        }
                    }
                }
                h2 { "History" }
                table { tr { th { "When" } th { "Who" } th { "What" } th { "Changes" } }
                    @for h in bundle["history"].as_array().into_iter().flatten() {
                        tr { td { (text(&h["occurred_at"])) } td { (text(&h["actor"])) } td { (text(&h["action"])) } td { (text(&h["changes"])) } }
                    }
                }
            }
        }
    }
}

/// Build the export of `request`'s `selection` as `user` sees it.
pub fn build(
    conn: &mut DbConnection,
    request: &RequestRow,
    selection: &Selection,
    user: &AuthUser,
    contexts: &Contexts,
    documents: &Documents,
) -> Result<Export, ApiError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut manifest = Vec::new();
    let mut records = Vec::new();
    let mut add = |zip: &mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
                   path: String,
                   bytes: &[u8],
                   what: Value|
     -> Result<(), ApiError> {
        zip.start_file(path.as_str(), options)
            .map_err(ApiError::internal)?;
        zip.write_all(bytes).map_err(ApiError::internal)?;
        let mut entry = what;
        entry["path"] = json!(path);
        entry["sha256"] = json!(digest(bytes));
        entry["size_bytes"] = json!(bytes.len());
        manifest.push(entry);
        Ok(())
    };
    for item in &selection.items {
        let texts: Vec<&str> = selection
            .redactions
            .iter()
            .filter(|r| r.entity == item.entity && r.id == item.id)
            .map(|r| r.text.as_str())
            .collect();
        match item.entity.as_str() {
            "feedback" | "ombudsman_case" => {
                let mut bundle = if item.entity == "feedback" {
                    bundle::<FeedbackRow>(conn, user, item.id, &contexts.rules, contexts.today)?
                } else {
                    bundle::<CaseRecord>(conn, user, item.id, &contexts.today.0, contexts.today)?
                };
                blank(&mut bundle, &texts);
                let name = format!("records/{}-{}", item.entity, item.id);
                let described = json!({"entity": item.entity, "id": item.id, "third_party_redactions": texts.len()});
                add(
                    &mut zip,
                    format!("{name}.json"),
                    &serde_json::to_vec_pretty(&bundle)?,
                    described.clone(),
                )?;
                add(
                    &mut zip,
                    format!("{name}.html"),
                    page(&bundle).into_string().as_bytes(),
                    described,
                )?;
                records.push((item.entity.clone(), item.id));
            }
            _ => {
                let document = crate::documents::model::find(conn, item.id)?
                    .ok_or_else(ApiError::not_found)?;
                let directorate =
                    crate::casework::directorate_of(conn, &document.entity, document.record_id)?
                        .ok_or_else(ApiError::not_found)?;
                user.visible(&directorate)?;
                if document.redacted_at.is_some() {
                    continue;
                }
                let content = documents
                    .store(document.storage)
                    .read(conn, &document.storage_key)?
                    .ok_or_else(|| {
                        ApiError::internal(format!(
                            "the content of document {} is missing",
                            document.id
                        ))
                    })?;
                let safe: String = document
                    .filename
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || ".-_ ".contains(c) {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let described = json!({"entity": "document", "id": document.id, "record": {"entity": document.entity, "id": document.record_id}, "content_type": document.content_type});
                add(
                    &mut zip,
                    format!("documents/{}-{safe}", document.id),
                    &content,
                    described,
                )?;
            }
        }
    }
    let manifest = json!({
        "subject_access_request": request.id,
        "received_on": request.received_on,
        "made_at": chrono::Utc::now(),
        "made_by": user.username,
        "files": manifest,
    });
    zip.start_file("manifest.json", options)
        .map_err(ApiError::internal)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)
        .map_err(ApiError::internal)?;
    let zip = zip.finish().map_err(ApiError::internal)?.into_inner();
    Ok(Export { zip, records })
}
