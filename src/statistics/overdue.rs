//! The weekly breach report: records open on a date whose due date has
//! passed or falls within the next few working days.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::calendar::Calendar;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldErrors};
use crate::feedback::types::Kind;
use crate::statistics::sql::Sql;
use crate::statistics::Scope;

/// The report's date, horizon and narrowing.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverdueParams {
    /// The day of the report, `YYYY-MM-DD` (default today, in the UK): the
    /// records open at the end of that day.
    pub as_of: Option<NaiveDate>,
    /// Also list records due within this many working days after `as_of` (0 to 60, default 5).
    #[param(minimum = 0, maximum = 60)]
    pub within: Option<u32>,
    /// Only records of this kind (default: every kind).
    pub kind: Option<Kind>,
    /// One directorate; default: every directorate the caller may see.
    pub directorate: Option<String>,
    /// The most items to list (1 to 10000, default 1000); `total` counts all.
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

/// One record in breach, or about to be: open on `as_of` and due by the
/// report's horizon.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueItem {
    /// The feedback record's id (for `/feedback/{id}`).
    pub id: i64,
    /// The record's human reference, as on the record (`FB-000123`).
    pub reference: String,
    /// The kind of record.
    pub kind: Kind,
    /// The code of the directorate the record belongs to.
    pub directorate: String,
    /// The day the response is (or was) due, `YYYY-MM-DD`: the agreed
    /// extended date where there is one.
    pub due_on: NaiveDate,
    /// Working days from the due date to `as_of`: positive when overdue, 0 on
    /// the due date, negative when the due date is still to come.
    pub working_days_overdue: i64,
}

/// The weekly breach report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueReport {
    /// The day of the report, `YYYY-MM-DD`.
    pub as_of: NaiveDate,
    /// The horizon in working days after `as_of`: records due up to then are
    /// listed too.
    pub within: u32,
    /// How many records are in breach or due by the horizon, in all (`items`
    /// may list fewer: see `limit`).
    pub total: i64,
    /// The records, most overdue first (earliest due date, then lowest id).
    pub items: Vec<OverdueItem>,
}

/// A record open on the report's day and due by its horizon.
#[derive(QueryableByName)]
struct OpenRecord {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    reference: Option<String>,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    directorate: String,
    #[diesel(sql_type = Date)]
    due_on: NaiveDate,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

impl OverdueParams {
    /// The report's day (`today` unless given), horizon and limit (422 when
    /// out of range).
    fn checked(&self, today: NaiveDate) -> Result<(NaiveDate, u32, i64), ApiError> {
        let mut errors = FieldErrors::new();
        let within = self.within.unwrap_or(5);
        if within > 60 {
            errors.add("within", "must be from 0 to 60");
        }
        let limit = self.limit.unwrap_or(1000);
        if !(1..=10_000).contains(&limit) {
            errors.add("limit", "must be from 1 to 10000");
        }
        errors.into_result()?;
        Ok((self.as_of.unwrap_or(today), within, limit))
    }
}

/// The records open at the end of `as_of` and due by `horizon`, most
/// overdue first, at most `limit` of them, each with the count of all.
fn open_on(
    as_of: NaiveDate,
    horizon: NaiveDate,
    today: NaiveDate,
    kind: Option<Kind>,
    scope: &Scope,
    limit: i64,
) -> Sql {
    // One statement: the window count is the total before the limit.
    let mut sql = Sql::new(
        "SELECT id, reference, kind, directorate, due_on, COUNT(*) OVER () AS total \
         FROM feedback WHERE due_on IS NOT NULL AND due_on <=",
    )
    .date(horizon)
    .push("AND received_on <=")
    .date(as_of);
    // Nothing is responded to in the future, so for today or later "not
    // responded by then" is simply "not responded", which the partial index
    // of open records serves.
    sql = if as_of >= today {
        sql.push("AND responded_on IS NULL")
    } else {
        sql.push("AND (responded_on IS NULL OR responded_on >")
            .date(as_of)
            .push(")")
    };
    if let Some(kind) = kind {
        sql = sql.push("AND kind =").text(kind.as_str());
    }
    sql.scoped("directorate", scope)
        .push("ORDER BY due_on, id LIMIT")
        .int(limit)
}

/// Compute the report; `today` is its day unless `params` name another.
pub fn compute(
    conn: &mut DbConnection,
    params: &OverdueParams,
    scope: &Scope,
    calendar: &Calendar,
    today: NaiveDate,
) -> Result<OverdueReport, ApiError> {
    let (as_of, within, limit) = params.checked(today)?;
    let horizon = calendar.add_working_days(as_of, within);
    let rows: Vec<OpenRecord> =
        open_on(as_of, horizon, today, params.kind, scope, limit).load(conn)?;
    let total = rows.first().map(|r| r.total).unwrap_or(0);
    let items = rows
        .into_iter()
        .map(|row| {
            let overdue = if row.due_on <= as_of {
                calendar.working_days_between(row.due_on, as_of)
            } else {
                -calendar.working_days_between(as_of, row.due_on)
            };
            Ok(OverdueItem {
                reference: row.reference.unwrap_or_default(),
                id: row.id,
                kind: Kind::from_db(&row.kind)?,
                directorate: row.directorate,
                due_on: row.due_on,
                working_days_overdue: overdue,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(OverdueReport {
        as_of,
        within,
        total,
        items,
    })
}
