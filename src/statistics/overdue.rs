//! The weekly breach report: records open on a date whose due date has
//! passed or falls within the next few working days.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::calendar::Calendar;
use crate::casework::HandlerFilter;
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
    /// Only the records of this handler: `me`, `none` (unassigned) or a
    /// user's id.
    #[param(example = "me")]
    pub handler: Option<String>,
    /// `handler`: also count the records by handler (`groups`), for the
    /// manager's weekly breach meeting.
    #[param(example = "handler")]
    pub group_by: Option<String>,
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
    /// Who handles it; null when nobody does.
    pub handler_id: Option<i64>,
    /// The handler's name; null when nobody handles it.
    pub handler_name: Option<String>,
}

/// The records of one handler in the report.
#[derive(Debug, Clone, Serialize, ToSchema, QueryableByName)]
pub struct HandlerLine {
    /// The handler; null for the records nobody handles.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub handler_id: Option<i64>,
    /// The handler's name; null for the records nobody handles.
    #[diesel(sql_type = Nullable<Text>)]
    pub handler_name: Option<String>,
    /// Their records in the report (due by the horizon).
    #[diesel(sql_type = BigInt)]
    pub records: i64,
    /// Of those, past their due date on `as_of`.
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
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
    /// With `group_by=handler`: every record of the report counted by
    /// handler, most overdue first; empty otherwise.
    pub groups: Vec<HandlerLine>,
    /// The subject access requests open and due by the horizon (one
    /// calendar month from receipt, or the extended date), most overdue
    /// first.
    pub subject_access: Vec<crate::subject_access::api::SubjectAccessDue>,
    /// Complaints under the Complaint Handling Code that breach it in the
    /// coming week (from `as_of` to 7 days after) unless acknowledged or
    /// responded to: by the Code's own timescales (`GET /statistics/code`),
    /// soonest first.
    pub code_breaches: Vec<crate::code::api::CodeBreach>,
    /// Open records whose reasonable adjustments are due for review by 7
    /// days after `as_of`, or were due before (the Code, section 3: kept
    /// under review), soonest first; at most 500.
    pub adjustments_due: Vec<crate::code::api::AdjustmentReview>,
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
    #[diesel(sql_type = Nullable<BigInt>)]
    handler_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    handler_name: Option<String>,
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

/// What the report covers: its day, horizon and narrowing.
struct Covered<'a> {
    as_of: NaiveDate,
    horizon: NaiveDate,
    today: NaiveDate,
    kind: Option<Kind>,
    handler: Option<HandlerFilter>,
    scope: &'a Scope,
}

impl Covered<'_> {
    /// Append `FROM feedback f LEFT JOIN users u … WHERE` and the records
    /// open at the end of `as_of` and due by `horizon`.
    fn select_from(&self, sql: Sql) -> Sql {
        let mut sql = sql
            .push(
                "FROM feedback f LEFT JOIN users u ON u.id = f.handler_id \
                 WHERE f.due_on IS NOT NULL AND f.due_on <=",
            )
            .date(self.horizon)
            .push("AND f.received_on <=")
            .date(self.as_of);
        // Nothing is responded to in the future, so for today or later "not
        // responded by then" is simply "not responded", which the partial
        // index of open records serves.
        sql = if self.as_of >= self.today {
            sql.push("AND f.responded_on IS NULL")
        } else {
            sql.push("AND (f.responded_on IS NULL OR f.responded_on >")
                .date(self.as_of)
                .push(")")
        };
        if let Some(kind) = self.kind {
            sql = sql.push("AND f.kind =").text(kind.as_str());
        }
        sql = match self.handler {
            Some(HandlerFilter::Unassigned) => sql.push("AND f.handler_id IS NULL"),
            Some(HandlerFilter::User(id)) => sql.push("AND f.handler_id =").int(id),
            None => sql,
        };
        sql.scoped("f.directorate", self.scope)
    }

    /// The records, most overdue first, at most `limit` of them, each with
    /// the count of all.
    fn items(&self, limit: i64) -> Sql {
        // One statement: the window count is the total before the limit.
        self.select_from(Sql::new(
            "SELECT f.id AS id, f.reference AS reference, f.kind AS kind, \
             f.directorate AS directorate, f.due_on AS due_on, f.handler_id AS handler_id, \
             u.display_name AS handler_name, COUNT(*) OVER () AS total",
        ))
        .push("ORDER BY f.due_on, f.id LIMIT")
        .int(limit)
    }

    /// The records counted by handler, most overdue first.
    fn by_handler(&self) -> Sql {
        let sql = Sql::new(
            "SELECT f.handler_id AS handler_id, u.display_name AS handler_name, \
             COUNT(*) AS records,",
        )
        .count_when(|s| s.push("f.due_on <=").date(self.as_of), "overdue");
        self.select_from(sql)
            .push("GROUP BY f.handler_id, u.display_name ORDER BY overdue DESC, records DESC, f.handler_id")
    }
}

/// Compute the report; `today` is its day unless `params` name another;
/// `me` is the caller (for `handler=me`).
pub fn compute(
    conn: &mut DbConnection,
    params: &OverdueParams,
    scope: &Scope,
    calendar: &Calendar,
    today: NaiveDate,
    me: i64,
) -> Result<OverdueReport, ApiError> {
    let (as_of, within, limit) = params.checked(today)?;
    let by_handler = match params.group_by.as_deref().map(str::trim) {
        None | Some("") => false,
        Some("handler") => true,
        Some(_) => return Err(ApiError::field("group_by", "must be handler")),
    };
    let covered = Covered {
        as_of,
        horizon: calendar.add_working_days(as_of, within),
        today,
        kind: params.kind,
        handler: HandlerFilter::parse(params.handler.as_deref(), me)?,
        scope,
    };
    let rows: Vec<OpenRecord> = covered.items(limit).load(conn)?;
    let groups = if by_handler {
        covered.by_handler().load(conn)?
    } else {
        Vec::new()
    };
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
                handler_id: row.handler_id,
                handler_name: row.handler_name,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(OverdueReport {
        as_of,
        within,
        total,
        items,
        groups,
        subject_access: crate::subject_access::api::due_by(conn, as_of, covered.horizon)?,
        code_breaches: crate::code::api::breaches_coming(conn, scope, calendar, as_of)?,
        adjustments_due: crate::code::api::adjustments_due(conn, scope, as_of)?,
    })
}
