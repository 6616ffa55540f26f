//! SQL functions and helpers that behave the same on both backends.

use diesel::sql_types::{Nullable, Text};

diesel::define_sql_function! {
    /// `lower(text)`: Unicode lower case on both backends. SQLite's built-in
    /// `lower` folds ASCII only, so every SQLite connection replaces it with
    /// Rust's (see [`register_sqlite_functions`]).
    fn lower(x: Nullable<Text>) -> Nullable<Text>;
}

/// Install the functions SQLite lacks or gets wrong, on a new connection.
pub fn register_sqlite_functions(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    lower_utils::register_impl(conn, |text: Option<String>| text.map(|t| t.to_lowercase()))
}

/// A `LIKE` pattern matching `needle` anywhere, lower-cased, with `%`, `_`
/// and the escape character `\` escaped (use with `.escape('\\')`).
pub fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Narrow a boxed query by each optional filter value that is set, one line
/// a filter: `narrow!(query; feedback::kind == filter.kind,
/// feedback::received_on >= filter.received_from)`. Operators: `==`, `>=`,
/// `<=`, and `in` (a list). Values are `Option`s; `None` leaves the query
/// as it is.
#[macro_export]
macro_rules! narrow {
    ($query:ident; $($table:ident::$column:ident $op:tt $value:expr),* $(,)?) => {
        $(
            if let Some(value) = $value {
                $query = $query.filter($crate::narrow!(@compare $table::$column, $op, value));
            }
        )*
    };
    (@compare $column:path, ==, $value:ident) => { $column.eq($value) };
    (@compare $column:path, in, $value:ident) => { $column.eq_any($value) };
    (@compare $column:path, >=, $value:ident) => { $column.ge($value) };
    (@compare $column:path, <=, $value:ident) => { $column.le($value) };
}

/// A page of a list query and the total it matches: `page!(conn,
/// filtered(…), paging, SORTABLE, "table.id", Row)`, where `filtered(…)`
/// builds the filtered query afresh (it is evaluated twice: to count, then to
/// read the page in the order `paging` asks for, ending with the tiebreak).
/// With `total: expr` at the end, the total is that expression's instead of
/// a count.
#[macro_export]
macro_rules! page {
    ($conn:expr, $query:expr, $paging:expr, $fields:expr, $tiebreak:literal, $row:ty) => {
        $crate::page!($conn, $query, $paging, $fields, $tiebreak, $row,
            total: $query.count().get_result($conn)?)
    };
    ($conn:expr, $query:expr, $paging:expr, $fields:expr, $tiebreak:literal, $row:ty,
     total: $total:expr) => {{
        use diesel::prelude::*;
        let total: i64 = $total;
        let rows: Vec<$row> = $query
            .order_by($paging.order_by($fields, $tiebreak))
            .limit($paging.limit)
            .offset($paging.offset)
            .select(<$row>::as_select())
            .load($conn)?;
        (rows, total)
    }};
}

/// The values of a list filter that takes one or several, comma-separated.
pub fn several(value: &Option<String>) -> Option<Vec<String>> {
    value.as_deref().map(|value| {
        value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn patterns_escape_wildcards() {
        assert_eq!(super::contains_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }
}
