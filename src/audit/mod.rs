//! The audit log: who changed what, when. Append-only; the one change ever
//! made to an entry is redaction of personal data.
//!
//! Every mutation calls [`record`] inside its own write transaction, so a
//! change and its audit entry are committed together or not at all.

pub mod redaction;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::page::Paging;
use crate::db::schema::audit_log;
use crate::db::{now, DbConnection};
use crate::error::ApiError;
use crate::page_type;
use crate::text_enum;

/// Who made a change.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id (`None` for the system or the command line).
    pub id: Option<i64>,
    /// The user's name at the time.
    pub username: String,
    /// The HTTP request that made the change.
    pub request_id: Option<String>,
}

impl Actor {
    /// A change made by the service itself or its command line.
    pub fn system(name: &str) -> Actor {
        Actor {
            id: None,
            username: name.to_string(),
            request_id: None,
        }
    }
}

text_enum! {
    /// What kind of change an audit entry records.
    pub enum Action {
        /// The entity was created.
        Create => "create",
        /// Fields were changed.
        Update => "update",
        /// The entity was deleted.
        Delete => "delete",
        /// The record was escalated to its next stage.
        Escalate => "escalate",
        /// Personal data was redacted.
        Redact => "redact",
        /// Entities were imported in bulk.
        Import => "import",
        /// An Ombudsman case was re-opened: a new decision round began.
        Reopen => "reopen",
        /// A record or case was assigned to a handler (and investigator).
        Assign => "assign",
        /// A record was erased (redacted, and deleted or kept anonymised),
        /// with the reason.
        Erase => "erase",
        /// A self-assessment against the Complaint Handling Code was
        /// approved, and frozen.
        Approve => "approve",
    }
}

/// One field's change: its value before and after.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct Change {
    /// The value before (null when the entity was created or the field was empty).
    #[schema(value_type = Value)]
    pub from: Value,
    /// The value after (null when the entity was deleted or the field cleared).
    #[schema(value_type = Value)]
    pub to: Value,
}

/// Field name → change.
pub type Changes = BTreeMap<String, Change>;

/// The changes between two JSON snapshots of an entity, field by field.
pub fn diff(before: &Value, after: &Value) -> Changes {
    let empty = serde_json::Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Changes::new();
    for key in before.keys().chain(after.keys()) {
        let from = before.get(key).cloned().unwrap_or(Value::Null);
        let to = after.get(key).cloned().unwrap_or(Value::Null);
        if from != to {
            changes.insert(key.clone(), Change { from, to });
        }
    }
    changes
}

/// Append one entry to the log.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    entity_type: &str,
    entity_id: &str,
    action: Action,
    changes: &Changes,
) -> Result<(), ApiError> {
    let insert = diesel::insert_into(audit_log::table).values((
        audit_log::occurred_at.eq(now()),
        audit_log::actor_id.eq(actor.id),
        audit_log::actor.eq(&actor.username),
        audit_log::entity_type.eq(entity_type),
        audit_log::entity_id.eq(entity_id),
        audit_log::action.eq(action.as_str()),
        audit_log::changes.eq(serde_json::to_string(changes)?),
        audit_log::request_id.eq(&actor.request_id),
    ));
    // Every write runs this: on the backend's own connection (see `per_backend!`).
    crate::per_backend!(&mut *conn, |c| insert.execute(c))?;
    // The change's webhook events, in its transaction.
    crate::webhooks::outbox::capture(conn, entity_type, entity_id, action, changes, now())
}

/// One entry of an entity's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The entry's position in the log (ascending over time).
    pub id: i64,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// Who made it (username at the time).
    pub actor: String,
    /// The user's id, when a user made it.
    pub actor_id: Option<i64>,
    /// What kind of change it was.
    pub action: Action,
    /// What changed, field by field: field name → its value before and after.
    #[schema(value_type = BTreeMap<String, Change>)]
    pub changes: Changes,
    /// The HTTP request that made the change.
    pub request_id: Option<String>,
}

page_type!(
    /// A page of an entity's history, oldest first.
    HistoryPage, HistoryEntry
);

type EntryRow = (
    i64,
    NaiveDateTime,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
);

/// The history of one entity, oldest first; fields in `hidden` are left out
/// of every entry (an analyst's view omits personal data).
pub fn history(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
    paging: &Paging,
    hidden: &[&str],
) -> Result<HistoryPage, ApiError> {
    let filter = audit_log::entity_type
        .eq(entity_type.to_string())
        .and(audit_log::entity_id.eq(entity_id.to_string()));
    let total: i64 = audit_log::table
        .filter(filter.clone())
        .count()
        .get_result(conn)?;
    let mut query = audit_log::table.filter(filter).into_boxed();
    if let Some(since) = paging.updated_since {
        query = query.filter(audit_log::occurred_at.ge(since));
    }
    let rows: Vec<EntryRow> = query
        .order(audit_log::id.asc())
        .limit(paging.limit)
        .offset(paging.offset)
        .select((
            audit_log::id,
            audit_log::occurred_at,
            audit_log::actor,
            audit_log::actor_id,
            audit_log::action,
            audit_log::changes,
            audit_log::request_id,
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|(id, at, actor, actor_id, action, changes, request_id)| {
            let mut changes: Changes = serde_json::from_str(&changes)?;
            changes.retain(|field, _| !hidden.contains(&field.as_str()));
            Ok(HistoryEntry {
                id,
                at: at.and_utc(),
                actor,
                actor_id,
                action: Action::from_db(&action)?,
                changes,
                request_id,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HistoryPage {
        items,
        total,
        limit: paging.limit,
        offset: paging.offset,
    })
}

/// Blank the values of `fields` in every earlier entry of an entity's
/// history (the one permitted change to the log), replacing each non-null
/// value with `replace(value)`. Returns how many entries changed.
pub fn redact(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
    fields: &[&str],
    replace: impl Fn(&str, &Value) -> Value,
) -> Result<usize, ApiError> {
    let rows: Vec<(i64, String)> = audit_log::table
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq(entity_id))
        .select((audit_log::id, audit_log::changes))
        .load(conn)?;
    let mut changed = 0;
    for (id, text) in rows {
        let mut changes: Changes = serde_json::from_str(&text)?;
        let mut touched = false;
        for (field, change) in changes.iter_mut() {
            if fields.contains(&field.as_str()) {
                for value in [&mut change.from, &mut change.to] {
                    if !value.is_null() {
                        let replaced = replace(field, value);
                        if *value != replaced {
                            *value = replaced;
                            touched = true;
                        }
                    }
                }
            }
        }
        if touched {
            diesel::update(audit_log::table.find(id))
                .set(audit_log::changes.eq(serde_json::to_string(&changes)?))
                .execute(conn)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// The directorate an entity was last recorded in, from its history: how
/// access to a deleted entity's history is checked. `None` when the entity
/// has no history (it never existed).
pub fn last_directorate(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
) -> Result<Option<String>, ApiError> {
    let entries: Vec<String> = audit_log::table
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id.desc())
        .select(audit_log::changes)
        .load(conn)?;
    for text in entries {
        let changes: Changes = serde_json::from_str(&text)?;
        if let Some(change) = changes.get("directorate") {
            let value = if change.to.is_null() {
                &change.from
            } else {
                &change.to
            };
            if let Some(code) = value.as_str() {
                return Ok(Some(code.to_string()));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_fields() {
        let changes = diff(
            &json!({"a": 1, "b": 2, "c": null}),
            &json!({"a": 1, "b": 3, "d": "x"}),
        );
        assert_eq!(changes.len(), 2);
        assert_eq!(
            changes["b"],
            Change {
                from: json!(2),
                to: json!(3)
            }
        );
        assert_eq!(
            changes["d"],
            Change {
                from: Value::Null,
                to: json!("x")
            }
        );
    }
}
