//! What a list query needs besides its filters: the page, the sort order and
//! the incremental-sync cut-off. Plain values, so models never see HTTP types.
//!
//! The sort order is rendered as one flat `ORDER BY` list from a fixed table
//! of sortable fields ([`SortField`]): the client only ever chooses among
//! column names written here, never sends SQL.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::sql_types::Integer;

/// The most sort keys one list request may give.
pub const MAX_SORT_KEYS: usize = 4;

/// A field a list may be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortField {
    /// The name clients use in `sort=`.
    pub name: &'static str,
    /// The column, qualified by its table (`feedback.received_on`).
    pub column: &'static str,
    /// Whether the column may be null: rows without a value then sort last
    /// in either direction, the same on both backends.
    pub nullable: bool,
}

impl SortField {
    /// A field that is never null.
    pub const fn new(name: &'static str, column: &'static str) -> SortField {
        SortField {
            name,
            column,
            nullable: false,
        }
    }

    /// A field that may be null (sorted last either way).
    pub const fn nullable(name: &'static str, column: &'static str) -> SortField {
        SortField {
            name,
            column,
            nullable: true,
        }
    }
}

/// One sort key, already checked against the list's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// The field name, one of the list's sortable fields.
    pub field: String,
    /// Whether to sort descending.
    pub descending: bool,
}

/// Validated paging for a list query.
#[derive(Debug, Clone, Default)]
pub struct Paging {
    /// Page size.
    pub limit: i64,
    /// Items skipped.
    pub offset: i64,
    /// Sort keys, in order (at most [`MAX_SORT_KEYS`], none repeated).
    pub sort: Vec<SortKey>,
    /// Changed at or after this instant.
    pub updated_since: Option<NaiveDateTime>,
}

impl Paging {
    /// The `ORDER BY` list for `fields`: the client's keys in order, then
    /// `tiebreak` (a unique column, ascending) so that pages are stable.
    /// Keys that are not in `fields` are skipped (they were refused earlier).
    pub fn order_sql(&self, fields: &[SortField], tiebreak: &str) -> String {
        let mut terms: Vec<String> = Vec::with_capacity(self.sort.len() * 2 + 1);
        for key in &self.sort {
            let Some(field) = fields.iter().find(|f| f.name == key.field) else {
                continue;
            };
            if field.nullable {
                terms.push(format!("{} IS NULL", field.column));
            }
            let direction = if key.descending { "DESC" } else { "ASC" };
            terms.push(format!("{} {direction}", field.column));
        }
        terms.push(format!("{tiebreak} ASC"));
        terms.join(", ")
    }

    /// [`Self::order_sql`] as an expression for diesel's `order_by`.
    pub fn order_by(&self, fields: &[SortField], tiebreak: &str) -> SqlLiteral<Integer> {
        sql::<Integer>(&self.order_sql(fields, tiebreak))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[SortField] = &[
        SortField::new("id", "t.id"),
        SortField::new("received_on", "t.received_on"),
        SortField::nullable("due_on", "t.due_on"),
    ];

    fn paging(keys: &[(&str, bool)]) -> Paging {
        Paging {
            sort: keys
                .iter()
                .map(|(f, d)| SortKey {
                    field: f.to_string(),
                    descending: *d,
                })
                .collect(),
            ..Paging::default()
        }
    }

    #[test]
    fn order_is_one_flat_list_ending_in_the_tiebreak() {
        assert_eq!(
            paging(&[("received_on", true), ("due_on", false)]).order_sql(FIELDS, "t.id"),
            "t.received_on DESC, t.due_on IS NULL, t.due_on ASC, t.id ASC"
        );
        assert_eq!(paging(&[]).order_sql(FIELDS, "t.id"), "t.id ASC");
    }

    #[test]
    fn unknown_keys_never_reach_the_sql() {
        assert_eq!(
            paging(&[("1; DROP TABLE t", false)]).order_sql(FIELDS, "t.id"),
            "t.id ASC"
        );
    }
}
