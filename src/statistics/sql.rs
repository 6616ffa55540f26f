//! Aggregate SQL written once for both backends: `?` placeholders, which
//! become `$1, $2, …` on PostgreSQL, and only the SQL both engines share.

use chrono::NaiveDate;
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::{BigInt, Date, Text};
use diesel::QueryableByName;

use crate::db::{DbConnection, MultiBackend};
use crate::error::ApiError;

enum Bind {
    Date(NaiveDate),
    Text(String),
    Int(i64),
}

/// A statement and its parameters.
pub struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    /// A statement beginning with `text`.
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }

    /// Append SQL text.
    pub fn push(mut self, text: &str) -> Sql {
        self.text.push(' ');
        self.text.push_str(text);
        self
    }

    /// Bind a date to the next `?`.
    pub fn date(mut self, value: NaiveDate) -> Sql {
        self.binds.push(Bind::Date(value));
        self
    }

    /// Bind text to the next `?`.
    pub fn text(mut self, value: &str) -> Sql {
        self.binds.push(Bind::Text(value.to_string()));
        self
    }

    /// Bind an integer to the next `?`.
    pub fn int(mut self, value: i64) -> Sql {
        self.binds.push(Bind::Int(value));
        self
    }

    /// Append `AND column IN (?, …)` for the directorates of `scope`
    /// (nothing for the whole council; no rows for an empty scope).
    pub fn scoped(mut self, column: &str, scope: &Option<Vec<String>>) -> Sql {
        if let Some(codes) = scope {
            if codes.is_empty() {
                return self.push("AND 1 = 0");
            }
            let marks = vec!["?"; codes.len()].join(", ");
            self = self.push(&format!("AND {column} IN ({marks})"));
            for code in codes {
                self = self.text(code);
            }
        }
        self
    }

    /// The statement's text for the connection's backend.
    fn text_for(&self, conn: &DbConnection) -> String {
        match conn {
            DbConnection::Sqlite(_) => self.text.clone(),
            DbConnection::Postgres(_) => {
                let mut out = String::with_capacity(self.text.len() + 16);
                let mut n = 0;
                for c in self.text.chars() {
                    if c == '?' {
                        n += 1;
                        out.push_str(&format!("${n}"));
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }

    /// Run the statement and read its rows.
    pub fn load<T>(self, conn: &mut DbConnection) -> Result<Vec<T>, ApiError>
    where
        T: QueryableByName<MultiBackend> + 'static,
    {
        let text = self.text_for(conn);
        let mut query = diesel::sql_query(text).into_boxed::<MultiBackend>();
        for bind in self.binds {
            query = match bind {
                Bind::Date(d) => query.bind::<Date, _>(d),
                Bind::Text(t) => query.bind::<Text, _>(t),
                Bind::Int(i) => query.bind::<BigInt, _>(i),
            };
        }
        Ok(query.load::<T>(conn)?)
    }

    /// The SQL text with its parameters written in, for benchmarks that run
    /// the same statement outside the service.
    pub fn inline(&self) -> String {
        let mut binds = self.binds.iter();
        let mut out = String::new();
        for c in self.text.chars() {
            if c == '?' {
                match binds.next() {
                    Some(Bind::Date(d)) => out.push_str(&format!("'{d}'")),
                    Some(Bind::Text(t)) => out.push_str(&format!("'{}'", t.replace('\'', "''"))),
                    Some(Bind::Int(i)) => out.push_str(&i.to_string()),
                    None => out.push('?'),
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// A row of a statistics statement: every section of one statement (joined
/// with `UNION ALL`, so all figures come from one round trip and, on
/// PostgreSQL, one snapshot) returns this shape: the section's name, up to
/// six text keys, a count and up to five sums.
#[derive(Debug, Clone, QueryableByName)]
pub struct StatRow {
    /// Which part of the statement the row comes from.
    #[diesel(sql_type = Text)]
    pub section: String,
    /// Key 1.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub k1: Option<String>,
    /// Key 2.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub k2: Option<String>,
    /// Key 3.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub k3: Option<String>,
    /// Key 4.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub k4: Option<String>,
    /// Key 5.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub k5: Option<String>,
    /// Key 6.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub k6: Option<String>,
    /// The count.
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    /// Sum 1.
    #[diesel(sql_type = BigInt)]
    pub v1: i64,
    /// Sum 2.
    #[diesel(sql_type = BigInt)]
    pub v2: i64,
    /// Sum 3.
    #[diesel(sql_type = BigInt)]
    pub v3: i64,
    /// Sum 4.
    #[diesel(sql_type = BigInt)]
    pub v4: i64,
    /// Sum 5.
    #[diesel(sql_type = BigInt)]
    pub v5: i64,
}

impl StatRow {
    /// Whether the row belongs to `section`.
    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }
}

/// `SUM(CASE WHEN condition THEN 1 ELSE 0 END)`, never null.
pub fn count_if(condition: &str) -> String {
    format!("COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)")
}

/// An unused key in the first section of a statement, typed: the first
/// section fixes the types of the columns on PostgreSQL.
pub const TYPED_NO_KEY: &str = "CAST(NULL AS TEXT)";

/// An unused sum in the first section of a statement, typed.
pub const TYPED_NO_SUM: &str = "CAST(0 AS BIGINT)";

/// An unused key in a later section. (Bare: PostgreSQL takes the first
/// section's types, and casts repeated in every section make it plan the
/// union measurably slower.)
pub const NO_KEY: &str = "NULL";

/// An unused sum in a later section.
pub const NO_SUM: &str = "0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_writes_parameters_in_order() {
        let sql = Sql::new("SELECT 1 WHERE a = ? AND b BETWEEN ? AND ?")
            .text("o'k")
            .date(NaiveDate::from_ymd_opt(2024, 4, 1).unwrap())
            .int(3);
        assert_eq!(
            sql.inline(),
            "SELECT 1 WHERE a = 'o''k' AND b BETWEEN '2024-04-01' AND 3"
        );
    }

    #[test]
    fn scopes_become_in_lists() {
        let sql = Sql::new("SELECT 1 WHERE 1 = 1").scoped(
            "directorate",
            &Some(vec!["adults".into(), "children".into()]),
        );
        assert_eq!(
            sql.inline(),
            "SELECT 1 WHERE 1 = 1 AND directorate IN ('adults', 'children')"
        );
        assert!(Sql::new("x")
            .scoped("d", &Some(vec![]))
            .inline()
            .ends_with("AND 1 = 0"));
        assert_eq!(Sql::new("x").scoped("d", &None).inline(), "x");
    }
}
