//! Redaction: which fields of an entity are personal data or free text, and
//! how they are blanked, in the entity and throughout its history.
//!
//! Each entity declares a [`Policy`]: a list of [`Field`]s. Redacting turns
//! every non-empty value of those fields into `[redacted]` (or, for a field
//! that must stay unique, clears it), and leaves every other field (the
//! ones statistics count) as it was. The same policy blanks the entity's
//! audit history, so that a redacted or deleted entity keeps no copy of
//! what was erased.

use serde_json::{json, Map, Value};

use crate::audit::{self, Action, Actor, Change, Changes};
use crate::db::DbConnection;
use crate::error::ApiError;

/// What replaces redacted text.
pub const REDACTED: &str = "[redacted]";

/// One redacted field of an entity, by its name in the entity's JSON.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// Free text: becomes `[redacted]`.
    Text(&'static str),
    /// Text that must stay unique where it is set (an external id): cleared
    /// in the entity, `[redacted]` in its history.
    Cleared(&'static str),
    /// A list of strings: each becomes `[redacted]`.
    TextList(&'static str),
    /// An object: these of its keys become `[redacted]`; the others stay.
    Object(&'static str, &'static [&'static str]),
    /// An object: its first keys become `[redacted]`, its second (dates and
    /// other values that are not free text) are cleared (`[redacted]` in
    /// its history); the others stay.
    ObjectCleared(
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    ),
    /// A list of objects: these keys of each become `[redacted]`.
    ObjectList(&'static str, &'static [&'static str]),
}

impl Field {
    fn name(&self) -> &'static str {
        match self {
            Field::Text(n)
            | Field::Cleared(n)
            | Field::TextList(n)
            | Field::Object(n, _)
            | Field::ObjectCleared(n, _, _)
            | Field::ObjectList(n, _) => n,
        }
    }

    /// `value` redacted; `in_history` keeps cleared fields as `[redacted]`
    /// rather than null, so the history still shows there was a value.
    fn redact(&self, value: &Value, in_history: bool) -> Value {
        let blank = |v: &Value| match v {
            Value::Null => Value::Null,
            _ => json!(REDACTED),
        };
        let blank_keys = |map: &Map<String, Value>, keys: &[&str]| {
            let mut map = map.clone();
            for key in keys {
                if let Some(v) = map.get_mut(*key) {
                    *v = blank(v);
                }
            }
            Value::Object(map)
        };
        match (self, value) {
            (_, Value::Null) => Value::Null,
            (Field::Cleared(_), v) if in_history => blank(v),
            (Field::Cleared(_), _) => Value::Null,
            (Field::TextList(_), Value::Array(items)) => {
                Value::Array(items.iter().map(blank).collect())
            }
            (Field::Object(_, keys), Value::Object(map)) => blank_keys(map, keys),
            (Field::ObjectCleared(_, keys, cleared), Value::Object(map)) => {
                let mut redacted = blank_keys(map, keys);
                if let Value::Object(map) = &mut redacted {
                    for key in *cleared {
                        if let Some(v) = map.get_mut(*key) {
                            *v = if in_history { blank(v) } else { Value::Null };
                        }
                    }
                }
                redacted
            }
            (Field::ObjectList(_, keys), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .map(|item| match item {
                        Value::Object(map) => blank_keys(map, keys),
                        other => blank(other),
                    })
                    .collect(),
            ),
            (_, v) => blank(v),
        }
    }
}

/// The redacted fields of one kind of entity.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// The entity's name in the audit log.
    pub entity: &'static str,
    /// Its personal-data and free-text fields.
    pub fields: &'static [Field],
}

impl Policy {
    /// The names of the policy's fields, in the entity's JSON.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(Field::name)
    }

    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name() == name)
    }

    /// The entity's JSON (its writable fields) with the policy's fields
    /// redacted: what it is stored as after redaction.
    pub fn redact(&self, snapshot: &Value) -> Value {
        let mut redacted = snapshot.clone();
        if let Value::Object(map) = &mut redacted {
            for field in self.fields {
                if let Some(value) = map.get_mut(field.name()) {
                    *value = field.redact(value, false);
                }
            }
        }
        redacted
    }

    /// Blank the policy's fields in every entry of the entity's history and
    /// add an entry saying so. Works whether or not the entity still exists.
    pub fn redact_history(
        &self,
        conn: &mut DbConnection,
        actor: &Actor,
        entity_id: &str,
    ) -> Result<(), ApiError> {
        let names: Vec<&str> = self.fields.iter().map(Field::name).collect();
        audit::redact(conn, self.entity, entity_id, &names, |name, value| {
            self.field(name)
                .map_or_else(|| value.clone(), |f| f.redact(value, true))
        })?;
        crate::webhooks::outbox::redact(conn, self.entity, entity_id, &names)?;
        let changes: Changes = names
            .iter()
            .map(|name| {
                let change = Change {
                    from: json!(REDACTED),
                    to: json!(REDACTED),
                };
                (name.to_string(), change)
            })
            .collect();
        audit::record(
            conn,
            actor,
            self.entity,
            entity_id,
            Action::Redact,
            &changes,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        entity: "thing",
        fields: &[
            Field::Text("summary"),
            Field::Cleared("external_ref"),
            Field::TextList("themes"),
            Field::Object("person", &["name", "email"]),
            Field::ObjectList("remedies", &["description"]),
        ],
    };

    #[test]
    fn personal_fields_are_blanked_and_the_rest_kept() {
        let redacted = POLICY.redact(&json!({
            "summary": "Mrs X rang",
            "external_ref": "CRM-1",
            "themes": ["delay", "attitude"],
            "person": {"name": "Mrs X", "email": null, "is_young_person": true},
            "remedies": [{"description": "Apology to Mrs X", "amount_pence": 500}],
            "category": "Charging",
            "learning": null,
        }));
        assert_eq!(
            redacted,
            json!({
                "summary": REDACTED,
                "external_ref": null,
                "themes": [REDACTED, REDACTED],
                "person": {"name": REDACTED, "email": null, "is_young_person": true},
                "remedies": [{"description": REDACTED, "amount_pence": 500}],
                "category": "Charging",
                "learning": null,
            })
        );
    }

    #[test]
    fn cleared_fields_read_redacted_in_the_history() {
        let field = Field::Cleared("external_ref");
        assert_eq!(field.redact(&json!("CRM-1"), true), json!(REDACTED));
        assert_eq!(field.redact(&json!("CRM-1"), false), Value::Null);
    }
}
