//! The words of the generated endpoints' documentation, from each kind of
//! record's [`Noun`](super::api::Noun) and redaction policy.

use crate::audit::redaction::Field;
use crate::records::api::RecordApi;

/// `list_*`.
pub fn list<R: RecordApi>() -> String {
    format!(
        "List {} in the caller's directorates: filtered, sorted and paged; `updated_since` gives what changed since a sync.",
        R::NOUN.plural
    )
}

/// `create_*`.
pub fn create<R: RecordApi>() -> String {
    format!(
        "Record {}. Send `Idempotency-Key` to make retries safe: a repeat with the same key and \
         body returns the record as it is now (404 once it is deleted or out of your reach). {}",
        R::NOUN.a,
        R::NOTE
    )
}

/// `get_*`.
pub fn get<R: RecordApi>() -> String {
    format!(
        "Get {}, with its `ETag` (send it as `If-Match` when changing it). 404 when it does \
         not exist or is in a directorate you may not see.",
        R::NOUN.a
    )
}

/// `update_*`.
pub fn update<R: RecordApi>() -> String {
    format!(
        "Change {} (JSON merge patch: absent fields stay, `null` clears). Send `If-Match` with \
         the `ETag` last seen: a stale one is 412. Concurrent changes are applied one after the \
         other. {}",
        R::NOUN.a,
        R::NOTE
    )
}

/// `delete_*`.
pub fn delete<R: RecordApi>() -> String {
    format!(
        "Delete {} (managers). Its history stays in the audit log; to remove its personal data \
         as well, erase it.",
        R::NOUN.a
    )
}

/// `get_*_history`.
pub fn history<R: RecordApi>() -> String {
    format!(
        "The history of {}: every change, who made it and when, oldest first. Analysts do not \
         see personal data in it.",
        R::NOUN.a
    )
}

fn redacted_fields<R: RecordApi>() -> String {
    let names: Vec<String> = R::REDACTION
        .fields
        .iter()
        .map(|field| match field {
            Field::Text(n) | Field::TextList(n) => format!("`{n}`"),
            Field::Cleared(n) => format!("`{n}` (cleared)"),
            Field::Object(n, keys) | Field::ObjectList(n, keys) => {
                format!("`{n}` ({})", keys.join(", "))
            }
            Field::ObjectCleared(n, keys, cleared) => {
                format!(
                    "`{n}` ({}; {} cleared)",
                    keys.join(", "),
                    cleared.join(", ")
                )
            }
        })
        .collect();
    names.join(", ")
}

/// `redact_*`.
pub fn redact<R: RecordApi>() -> String {
    format!(
        "Redact {} (managers): its personal data and free text ({}) become `[redacted]`, in it \
         and throughout its history; the fields the statistics count stay. It may be redacted \
         again. For one already deleted, its history is redacted (204).",
        R::NOUN.a,
        redacted_fields::<R>()
    )
}

/// `erase_*`.
pub fn erase<R: RecordApi>() -> String {
    format!(
        "Erase {} (managers), for the right to erasure or a record created in error, with the \
         reason: redact it, its history and everything attached (contact entries, actions, \
         documents and their files), then delete it (`action: delete`, the default) or keep it \
         anonymised with its statistical fields (`anonymise`), so that none of its personal data \
         remains. The answer says what was reached. Erasing one already deleted redacts its \
         history.",
        R::NOUN.a
    )
}
