//! Lists: `limit`/`offset` paging, `sort`, `updated_since`, and the page shape
//! `{items, total, limit, offset}`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

pub use crate::db::page::{Paging, SortField, SortKey, MAX_SORT_KEYS};
use crate::error::ApiError;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// The most items one page may hold.
pub const MAX_LIMIT: i64 = 500;

/// The query parameters every list accepts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Items per page (1 to 500; default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip before the page starts (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Comma-separated fields to sort by, each optionally prefixed with `-`
    /// for descending order, e.g. `-received_on,id`: at most 4 fields, none
    /// given twice (422 otherwise).
    #[param(pattern = r"^-?[a-z_]+(,-?[a-z_]+){0,3}$", example = "-updated_at,id")]
    pub sort: Option<String>,
    /// Only items created or changed at or after this instant (RFC 3339), for
    /// incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
}

impl ListParams {
    /// Validate against the fields this list can sort by (422 on a bad value,
    /// a field given twice, or more than [`MAX_SORT_KEYS`] fields).
    pub fn paging(&self, sortable: &[SortField]) -> Result<Paging, ApiError> {
        let mut errors = crate::error::FieldErrors::new();
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.add("limit", format!("must be from 1 to {MAX_LIMIT}"));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            errors.add("offset", "must be 0 or more");
        }
        let sort = parse_sort(self.sort.as_deref().unwrap_or(""), sortable)
            .map_err(|message| errors.add("sort", message));
        errors.into_result()?;
        Ok(Paging {
            limit,
            offset,
            sort: sort.unwrap_or_default(),
            updated_since: self.updated_since.map(|t| t.naive_utc()),
        })
    }
}

/// Parse `sort=`: comma-separated names of `sortable`, each optionally
/// prefixed with `-` (descending) or `+`. The number of keys is checked
/// before anything else is done with them.
fn parse_sort(text: &str, sortable: &[SortField]) -> Result<Vec<SortKey>, String> {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > MAX_SORT_KEYS {
        return Err(format!(
            "may name at most {MAX_SORT_KEYS} fields, not {}",
            parts.len()
        ));
    }
    let mut keys: Vec<SortKey> = Vec::with_capacity(parts.len());
    for part in parts {
        let (field, descending) = match part.strip_prefix('-') {
            Some(field) => (field, true),
            None => (part.strip_prefix('+').unwrap_or(part), false),
        };
        if !sortable.iter().any(|f| f.name == field) {
            let names: Vec<&str> = sortable.iter().map(|f| f.name).collect();
            return Err(if names.is_empty() {
                "this list cannot be sorted".to_string()
            } else {
                format!("cannot sort by `{field}`; use one of {}", names.join(", "))
            });
        }
        if keys.iter().any(|k| k.field == field) {
            return Err(format!("names `{field}` more than once"));
        }
        keys.push(SortKey {
            field: field.to_string(),
            descending,
        });
    }
    Ok(keys)
}

/// Declare the page type of a list: `{items, total, limit, offset}`.
#[macro_export]
macro_rules! page_type {
    ($(#[$meta:meta])* $name:ident, $item:ty) => {
        $(#[$meta])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The items of this page.
            pub items: Vec<$item>,
            /// How many items match the filters, over all pages.
            pub total: i64,
            /// The page size used.
            pub limit: i64,
            /// The number of items skipped.
            pub offset: i64,
        }

        impl $name {
            /// The page of `items` out of `total`, as `paging` asked for it.
            pub fn of(items: Vec<$item>, total: i64, paging: &$crate::db::page::Paging) -> Self {
                $name {
                    items,
                    total,
                    limit: paging.limit,
                    offset: paging.offset,
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[SortField] = &[
        SortField::new("id", "t.id"),
        SortField::new("received_on", "t.received_on"),
    ];

    fn sorted(sort: &str) -> Result<Paging, ApiError> {
        ListParams {
            sort: Some(sort.into()),
            ..Default::default()
        }
        .paging(FIELDS)
    }

    #[test]
    fn defaults_and_limits() {
        let p = ListParams::default().paging(FIELDS).unwrap();
        assert_eq!((p.limit, p.offset), (50, 0));
        let bad = ListParams {
            limit: Some(501),
            offset: Some(-1),
            ..Default::default()
        };
        match bad.paging(FIELDS) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sort_keys_parse_and_unknown_fields_are_refused() {
        let paging = sorted("-received_on, id").unwrap();
        assert_eq!(
            paging.sort,
            [
                SortKey {
                    field: "received_on".into(),
                    descending: true
                },
                SortKey {
                    field: "id".into(),
                    descending: false
                }
            ]
        );
        assert!(sorted("password_hash").is_err());
    }

    #[test]
    fn repeated_keys_and_too_many_keys_are_refused() {
        assert!(sorted("id,-id").is_err());
        assert!(sorted("id,received_on,id").is_err());
        assert!(sorted(&vec!["id"; 50].join(",")).is_err());
    }
}
