//! The SQL of the statistics: statements written once for both backends,
//! their parameters numbered by the builder, and the read-only snapshot in
//! which one request's statements run.

use chrono::NaiveDate;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::{BigInt, Date, Text};
use diesel::QueryableByName;

use crate::db::{DbConnection, MultiBackend};
use crate::error::ApiError;
use crate::per_backend;
use crate::statistics::{Period, Scope};

/// A parameter of a statement, with the SQL type it is bound as.
#[derive(Debug, Clone, PartialEq)]
enum Param {
    Date(NaiveDate),
    Text(String),
    Int(i64),
    OptText(Option<String>),
    OptInt(Option<i64>),
    Timestamp(chrono::NaiveDateTime),
}

/// A statement and its parameters. Each parameter is written into the text
/// as `$1`, `$2`, … at the moment it is bound, so the numbers always follow
/// the order of the values. PostgreSQL reads `$n` as the n-th value; SQLite
/// reads `$n` as a named parameter and numbers those in order of first
/// appearance, which is the same order, so one text serves both.
#[derive(Debug, Clone)]
pub struct Sql {
    text: String,
    params: Vec<Param>,
}

impl Sql {
    /// A statement beginning with `text`.
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            params: Vec::new(),
        }
    }

    /// Append SQL text, after a space unless it continues (`,`) or closes
    /// (`)`) a list.
    pub fn push(mut self, text: &str) -> Sql {
        if !text.starts_with([',', ')']) {
            self.text.push(' ');
        }
        self.text.push_str(text);
        self
    }

    /// Append a placeholder for a date.
    pub fn date(self, value: NaiveDate) -> Sql {
        self.param(Param::Date(value))
    }

    /// Append a placeholder for text.
    pub fn text(self, value: &str) -> Sql {
        self.param(Param::Text(value.to_string()))
    }

    /// Append a placeholder for an integer.
    pub fn int(self, value: i64) -> Sql {
        self.param(Param::Int(value))
    }

    /// Append a placeholder for text that may be null.
    pub fn opt_text(self, value: Option<&str>) -> Sql {
        self.param(Param::OptText(value.map(str::to_string)))
    }

    /// Append a placeholder for an integer that may be null.
    pub fn opt_int(self, value: Option<i64>) -> Sql {
        self.param(Param::OptInt(value))
    }

    /// Append a placeholder for a time (UTC, without zone).
    pub fn timestamp(self, value: chrono::NaiveDateTime) -> Sql {
        self.param(Param::Timestamp(value))
    }

    /// Append `COALESCE(SUM(CASE WHEN <condition> THEN 1 ELSE 0 END), 0)
    /// AS <name>` (`name` may end in `,`), the condition appended by
    /// `condition`: a count of the rows that meet a condition with
    /// parameters.
    pub fn count_when(self, condition: impl FnOnce(Sql) -> Sql, name: &str) -> Sql {
        condition(self.push("COALESCE(SUM(CASE WHEN"))
            .push(&format!("THEN 1 ELSE 0 END), 0) AS {name}"))
    }

    /// Append `column >= $a AND column <= $b`: `column` in `period`, both
    /// ends included.
    pub fn in_period(self, column: &str, period: &Period) -> Sql {
        self.push(&format!("{column} >="))
            .date(period.from)
            .push(&format!("AND {column} <="))
            .date(period.to)
    }

    /// Append `AND column IN ($a, $b, …)` for the directorates of `scope`
    /// (nothing for the whole council; no rows for an empty scope).
    pub fn scoped(self, column: &str, scope: &Scope) -> Sql {
        match scope {
            None => self,
            Some(codes) if codes.is_empty() => self.push("AND 1 = 0"),
            Some(codes) => self.push(&format!("AND {column} IN (")).list(codes),
        }
    }

    /// Append `AND column IN ($a, $b, …)`: `column` is one of `values` (no
    /// rows when there are none).
    pub fn among(self, column: &str, values: &[impl AsRef<str>]) -> Sql {
        if values.is_empty() {
            self.push("AND 1 = 0")
        } else {
            self.push(&format!("AND {column} IN (")).list(values)
        }
    }

    /// Append `$a, $b, …)`: a placeholder for each of `values`, closing a
    /// list the caller opened.
    fn list(mut self, values: &[impl AsRef<str>]) -> Sql {
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self = self.push(",");
            }
            self = self.text(value.as_ref());
        }
        self.push(")")
    }

    /// Append the next placeholder, `$n`, for `param`.
    fn param(mut self, param: Param) -> Sql {
        self.params.push(param);
        if !self.text.ends_with('(') {
            self.text.push(' ');
        }
        self.text.push_str(&format!("${}", self.params.len()));
        self
    }

    /// The statement with its parameters bound.
    fn bound(
        self,
    ) -> diesel::query_builder::BoxedSqlQuery<'static, MultiBackend, diesel::query_builder::SqlQuery>
    {
        use diesel::sql_types::{Nullable, Timestamp};
        let mut query = diesel::sql_query(self.text).into_boxed::<MultiBackend>();
        for param in self.params {
            query = match param {
                Param::Date(d) => query.bind::<Date, _>(d),
                Param::Text(t) => query.bind::<Text, _>(t),
                Param::Int(i) => query.bind::<BigInt, _>(i),
                Param::OptText(t) => query.bind::<Nullable<Text>, _>(t),
                Param::OptInt(i) => query.bind::<Nullable<BigInt>, _>(i),
                Param::Timestamp(t) => query.bind::<Timestamp, _>(t),
            };
        }
        query
    }

    /// Run the statement and read its rows.
    pub fn load<T>(self, conn: &mut DbConnection) -> Result<Vec<T>, ApiError>
    where
        T: QueryableByName<MultiBackend> + 'static,
    {
        Ok(self.bound().load::<T>(conn)?)
    }

    /// Run a statement that returns no rows (an `UPDATE`); how many rows it
    /// changed.
    pub fn execute(self, conn: &mut DbConnection) -> Result<usize, ApiError> {
        Ok(self.bound().execute(conn)?)
    }

    /// Run a statement that returns exactly one row (an aggregate without
    /// `GROUP BY`) and read it.
    pub fn load_one<T>(self, conn: &mut DbConnection) -> Result<T, ApiError>
    where
        T: QueryableByName<MultiBackend> + 'static,
    {
        self.load(conn)?
            .pop()
            .ok_or_else(|| ApiError::internal("an aggregate returned no row"))
    }
}

/// `COALESCE(SUM(CASE WHEN condition THEN 1 ELSE 0 END), 0)`: how many rows
/// of the group meet `condition`, never null.
pub fn count_if(condition: &str) -> String {
    format!("COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)")
}

/// Run `work`, the statements behind one answer, in one read-only snapshot,
/// so that its figures agree with each other even while records change.
///
/// On PostgreSQL that is a `REPEATABLE READ` transaction, whose statements
/// all see the database as it was at the first; on SQLite (in WAL mode) a
/// deferred transaction, which reads one snapshot from its first read to its
/// end. Inside a transaction already (the annual report reads every
/// statistic in one), `work` simply joins it.
pub fn in_snapshot<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let depth = per_backend!(&mut *conn, |c| {
        AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
    })?;
    if depth.is_some() {
        return work(conn);
    }
    match conn {
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        )?,
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?,
    }
    match work(conn) {
        Ok(value) => {
            DbConnection::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = DbConnection::rollback_transaction(conn) {
                tracing::error!(%rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn placeholders_are_numbered_as_parameters_are_bound() {
        let sql = Sql::new("SELECT 1 WHERE a =")
            .text("o'k")
            .push("AND b BETWEEN")
            .date(date("2024-04-01"))
            .push("AND")
            .int(3);
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b BETWEEN $2 AND $3");
        assert_eq!(
            sql.params,
            vec![
                Param::Text("o'k".into()),
                Param::Date(date("2024-04-01")),
                Param::Int(3)
            ]
        );
    }

    #[test]
    fn periods_include_both_ends() {
        let sql = Sql::new("WHERE").in_period("received_on", &Period::financial_year(2024));
        assert_eq!(sql.text, "WHERE received_on >= $1 AND received_on <= $2");
        assert_eq!(
            sql.params,
            vec![
                Param::Date(date("2024-04-01")),
                Param::Date(date("2025-03-31"))
            ]
        );
    }

    #[test]
    fn scopes_become_in_lists() {
        let sql = Sql::new("SELECT 1 WHERE a =").int(1).scoped(
            "directorate",
            &Some(vec!["adults".into(), "children".into()]),
        );
        assert_eq!(
            sql.text,
            "SELECT 1 WHERE a = $1 AND directorate IN ($2, $3)"
        );
        assert_eq!(
            sql.params[1..],
            [Param::Text("adults".into()), Param::Text("children".into())]
        );
        assert!(Sql::new("x")
            .scoped("d", &Some(vec![]))
            .text
            .ends_with("AND 1 = 0"));
        assert_eq!(Sql::new("x").scoped("d", &None).text, "x");
    }
}
