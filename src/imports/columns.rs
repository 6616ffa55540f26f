//! From a CSV row to the JSON body the API takes: which column is which
//! field, and how its text becomes a JSON value. The shapes come from the
//! body's OpenAPI schema (the same document the API checks bodies against),
//! so a column is read as the field it names is declared:
//!
//! - text, dates and enumerations: the cell as it is;
//! - integers (`stage`, `parent_id`): a whole number;
//! - booleans (`reopened`): `true`/`false`, `yes`/`no`, `1`/`0` or `y`/`n`;
//! - lists of text (`themes`): the items separated by `;`;
//! - lists of objects (`remedies`): the JSON array, as in the API;
//! - an object (`complainant`): one column per field, named with a dot
//!   (`complainant.name`, `complainant.email`), or the whole object as JSON
//!   in a column of its own name.
//!
//! An empty cell is a field not given. Columns are named by the header row,
//! or renamed by a mapping: a JSON object from the file's column name to the
//! field name (`{"Case ref": "external_ref", "Name": "complainant.name"}`);
//! a column the mapping leaves out keeps its own name.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{ApiError, FieldErrors};

/// How a column's text is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Text,
    Integer,
    Boolean,
    TextList,
    Json,
}

/// What one column of the file fills.
#[derive(Debug, Clone)]
struct Target {
    /// The field, and for a nested one the field inside it.
    path: (String, Option<String>),
    shape: Shape,
}

/// A mapping file: the file's column name → the field it fills.
pub type Mapping = BTreeMap<String, String>;

/// Read a mapping: a JSON object of strings (422 naming `mapping` otherwise).
pub fn parse_mapping(text: &str) -> Result<Mapping, ApiError> {
    serde_json::from_str::<Mapping>(text).map_err(|e| {
        ApiError::field(
            "mapping",
            format!("must be a JSON object from column names to field names: {e}"),
        )
    })
}

/// The columns of a file, read against a body schema.
#[derive(Debug, Clone)]
pub struct Columns {
    /// The file's own column names, in order.
    names: Vec<String>,
    /// What each fills (`None` only while planning fails).
    targets: Vec<Option<Target>>,
}

impl Columns {
    /// Plan the columns of `header` for the body schema `schema_name`:
    /// each named (after `mapping`) as a field of the schema. 422 for an
    /// empty header, a
    /// column that names no field, a field named twice, or a mapping that
    /// names a column the file does not have.
    pub fn plan(
        schema_name: &str,
        header: &[String],
        mapping: Option<&Mapping>,
    ) -> Result<Columns, ApiError> {
        let spec = &crate::openapi::kept().schemas;
        let schema = &spec["components"]["schemas"][schema_name];
        let mut errors = FieldErrors::new();
        if header.iter().all(|h| h.trim().is_empty()) {
            errors.add(
                "file",
                "has no header row: the first line must name the columns",
            );
        }
        if let Some(mapping) = mapping {
            for source in mapping.keys() {
                if !header.iter().any(|h| h.trim() == source) {
                    errors.add(
                        format!("mapping.{source}"),
                        "names a column the file does not have",
                    );
                }
            }
        }
        let mut targets = Vec::with_capacity(header.len());
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for name in header {
            let name = name.trim();
            let field = mapping
                .and_then(|m| m.get(name))
                .map_or(name, String::as_str)
                .trim();
            match target_of(spec, schema, field) {
                Some(target) => {
                    if let Some(earlier) = seen.insert(field.to_string(), name.to_string()) {
                        errors.add(
                            name,
                            format!("fills `{field}`, which column `{earlier}` fills already"),
                        );
                    }
                    targets.push(Some(target));
                }
                None => {
                    errors.add(
                        if name.is_empty() { "file" } else { name },
                        format!("`{field}` is not a field this import takes; name a field (see the README's Bulk import) or map the column with a mapping file"),
                    );
                    targets.push(None);
                }
            }
        }
        errors.into_result()?;
        Ok(Columns {
            names: header.iter().map(|h| h.trim().to_string()).collect(),
            targets,
        })
    }

    /// The index of the column that fills `field` (after mapping).
    pub fn index_of(
        &self,
        header: &[String],
        mapping: Option<&Mapping>,
        field: &str,
    ) -> Option<usize> {
        header.iter().position(|h| {
            let name = h.trim();
            mapping
                .and_then(|m| m.get(name))
                .map_or(name, String::as_str)
                == field
        })
    }

    /// The JSON body of one row: every non-empty cell as its field. A cell
    /// that cannot be read as its field's type is reported in `errors`
    /// under the field's path and left out.
    pub fn body(&self, row: &csv::StringRecord, errors: &mut FieldErrors) -> Map<String, Value> {
        let mut body = Map::new();
        for (cell, target) in row.iter().zip(&self.targets) {
            let Some(target) = target else { continue };
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let (field, inner) = &target.path;
            let at = match inner {
                Some(inner) => format!("{field}.{inner}"),
                None => field.clone(),
            };
            let Some(value) = read(cell, target.shape, &at, errors) else {
                continue;
            };
            match inner {
                None => {
                    body.insert(field.clone(), value);
                }
                Some(inner) => {
                    let object = body
                        .entry(field.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(object) = object {
                        object.insert(inner.clone(), value);
                    }
                }
            }
        }
        body
    }

    /// The file's column an error about `field` (a body path such as
    /// `complainant.email` or `themes[2]`) points at: the column filling
    /// that field, or its object or list; `None` when no column does (a
    /// required field no column gives).
    pub fn column_of(&self, field: &str) -> Option<&str> {
        let top = field.split(['.', '[']).next().unwrap_or(field);
        let nested = field
            .strip_prefix(top)
            .and_then(|rest| rest.strip_prefix('.'))
            .map(|rest| rest.split(['.', '[']).next().unwrap_or(rest));
        let fills =
            |t: &Target, inner: Option<&str>| t.path.0 == top && t.path.1.as_deref() == inner;
        let found = self
            .targets
            .iter()
            .position(|t| t.as_ref().is_some_and(|t| fills(t, nested)))
            .or_else(|| {
                self.targets
                    .iter()
                    .position(|t| t.as_ref().is_some_and(|t| fills(t, None)))
            });
        found.map(|i| self.names[i].as_str())
    }
}

/// What a field name fills in `schema`, if it names one of its fields (or
/// a field of one of its object fields).
fn target_of(spec: &Value, schema: &Value, field: &str) -> Option<Target> {
    let (top, inner) = match field.split_once('.') {
        Some((top, inner)) => (top, Some(inner)),
        None => (field, None),
    };
    let property = resolve(spec, schema["properties"].get(top)?);
    match inner {
        None => Some(Target {
            path: (top.to_string(), None),
            shape: shape_of(spec, property),
        }),
        Some(inner) => {
            let nested = resolve(spec, property["properties"].get(inner)?);
            Some(Target {
                path: (top.to_string(), Some(inner.to_string())),
                shape: shape_of(spec, nested),
            })
        }
    }
}

/// The schema a property stands for: through a `$ref`, or the non-null
/// branch of an optional one.
fn resolve<'a>(spec: &'a Value, property: &'a Value) -> &'a Value {
    if let Some(target) = property.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/components/schemas/");
        return &spec["components"]["schemas"][name];
    }
    if let Some(branches) = property.get("oneOf").and_then(Value::as_array) {
        if let Some(branch) = branches.iter().find(|b| b["type"] != "null") {
            return resolve(spec, branch);
        }
    }
    property
}

fn shape_of(spec: &Value, schema: &Value) -> Shape {
    let is = |name: &str| match &schema["type"] {
        Value::String(t) => t == name,
        Value::Array(types) => types.iter().any(|t| t == name),
        _ => false,
    };
    if is("integer") {
        Shape::Integer
    } else if is("boolean") {
        Shape::Boolean
    } else if is("array") {
        let items = resolve(spec, &schema["items"]);
        if items["type"] == "string" {
            Shape::TextList
        } else {
            Shape::Json
        }
    } else if is("object") || schema.get("properties").is_some() {
        Shape::Json
    } else {
        Shape::Text
    }
}

/// The cell as a JSON value of `shape`; `None` (with the problem in
/// `errors` under `at`) when it cannot be read as one.
fn read(cell: &str, shape: Shape, at: &str, errors: &mut FieldErrors) -> Option<Value> {
    match shape {
        Shape::Text => Some(Value::String(cell.to_string())),
        Shape::Integer => match cell.parse::<i64>() {
            Ok(n) => Some(Value::from(n)),
            Err(_) => {
                errors.add(at, "must be a whole number");
                None
            }
        },
        Shape::Boolean => match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Some(Value::Bool(true)),
            "false" | "no" | "n" | "0" => Some(Value::Bool(false)),
            _ => {
                errors.add(at, "must be true or false (or yes/no, 1/0)");
                None
            }
        },
        Shape::TextList => Some(Value::Array(
            cell.split(';')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| Value::String(item.to_string()))
                .collect(),
        )),
        Shape::Json => match serde_json::from_str::<Value>(cell) {
            Ok(value) => Some(value),
            Err(e) => {
                errors.add(at, format!("must be JSON, as in the API: {e}"));
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn cells_become_the_fields_of_the_body() {
        let names = header(&["kind", "stage", "themes", "complainant.name", "reopened"]);
        let columns = Columns::plan("FeedbackInput", &names, None).unwrap();
        let row = csv::StringRecord::from(vec!["complaint", "2", "a; b", "Mrs A", "yes"]);
        let mut errors = FieldErrors::new();
        let body = columns.body(&row, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(
            Value::Object(body),
            serde_json::json!({"kind": "complaint", "stage": 2, "themes": ["a", "b"],
                "complainant": {"name": "Mrs A"}, "reopened": true})
        );
        assert_eq!(columns.column_of("themes[1]"), Some("themes"));
        assert_eq!(
            columns.column_of("complainant.name"),
            Some("complainant.name")
        );
        assert_eq!(columns.column_of("received_on"), None);
    }

    #[test]
    fn an_unknown_column_is_refused() {
        let names = header(&["kind", "colour"]);
        let error = Columns::plan("FeedbackInput", &names, None).unwrap_err();
        assert!(matches!(error, ApiError::Validation(ref e) if e[0].field == "colour"));
    }
}
