//! Lists: `limit`/`offset` paging, `sort`, `updated_since`, and the page shape
//! `{items, total, limit, offset}`.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

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
    /// for descending order, e.g. `-received_on,id`.
    #[param(pattern = r"^-?[a-z_]+(,-?[a-z_]+)*$", example = "-updated_at,id")]
    pub sort: Option<String>,
    /// Only items created or changed at or after this instant (RFC 3339), for
    /// incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
}

/// One sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// The field name, one of the list's sortable fields.
    pub field: String,
    /// Whether to sort descending.
    pub descending: bool,
}

/// Validated paging for a list query.
#[derive(Debug, Clone)]
pub struct Paging {
    /// Page size.
    pub limit: i64,
    /// Items skipped.
    pub offset: i64,
    /// Sort keys, in order; the list adds `id` last so pages are stable.
    pub sort: Vec<SortKey>,
    /// Changed at or after this instant.
    pub updated_since: Option<NaiveDateTime>,
}

impl ListParams {
    /// Validate against the fields this list can sort by (422 on a bad value).
    pub fn paging(&self, sortable: &[&str]) -> Result<Paging, ApiError> {
        let mut errors = crate::error::FieldErrors::new();
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.add("limit", format!("must be from 1 to {MAX_LIMIT}"));
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            errors.add("offset", "must be 0 or more");
        }
        let mut sort = Vec::new();
        for part in self
            .sort
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (field, descending) = match part.strip_prefix('-') {
                Some(field) => (field, true),
                None => (part.strip_prefix('+').unwrap_or(part), false),
            };
            if sortable.contains(&field) {
                sort.push(SortKey {
                    field: field.to_string(),
                    descending,
                });
            } else {
                errors.add(
                    "sort",
                    format!(
                        "cannot sort by `{field}`; use one of {}",
                        sortable.join(", ")
                    ),
                );
            }
        }
        errors.into_result()?;
        Ok(Paging {
            limit,
            offset,
            sort,
            updated_since: self.updated_since.map(|t| t.naive_utc()),
        })
    }
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
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_limits() {
        let p = ListParams::default().paging(&["id"]).unwrap();
        assert_eq!((p.limit, p.offset), (50, 0));
        let bad = ListParams {
            limit: Some(501),
            offset: Some(-1),
            ..Default::default()
        };
        match bad.paging(&["id"]) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sort_keys_parse_and_unknown_fields_are_refused() {
        let p = ListParams {
            sort: Some("-received_on, id".into()),
            ..Default::default()
        };
        let paging = p.paging(&["id", "received_on"]).unwrap();
        assert_eq!(
            paging.sort[0],
            SortKey {
                field: "received_on".into(),
                descending: true
            }
        );
        assert_eq!(
            paging.sort[1],
            SortKey {
                field: "id".into(),
                descending: false
            }
        );
        let p = ListParams {
            sort: Some("password_hash".into()),
            ..Default::default()
        };
        assert!(p.paging(&["id"]).is_err());
    }
}
