//! Bank holidays in the database. Every change bumps the shared revision
//! (so every instance reloads its calendar), is audited, and recomputes the
//! stored clocks of the feedback records whose timescales it can touch.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Action, Actor, Change, Changes};
use crate::calendar::Calendar;
use crate::db::page::Paging;
use crate::db::schema::{bank_holidays, calendar_state};
use crate::db::DbConnection;
use crate::error::ApiError;

/// The audit log's name for bank holidays.
pub const ENTITY: &str = "bank_holiday";

/// The calendar's revision, bumped on every change.
pub fn revision(conn: &mut DbConnection) -> Result<i64, ApiError> {
    Ok(calendar_state::table
        .find(1)
        .select(calendar_state::revision)
        .get_result(conn)?)
}

/// Every holiday date.
pub fn all_dates(conn: &mut DbConnection) -> Result<Vec<NaiveDate>, ApiError> {
    Ok(bank_holidays::table
        .select(bank_holidays::holiday_date)
        .load(conn)?)
}

/// The title of the holiday on `date`, if it is one.
pub fn find(conn: &mut DbConnection, date: NaiveDate) -> Result<Option<String>, ApiError> {
    Ok(bank_holidays::table
        .find(date)
        .select(bank_holidays::title)
        .get_result(conn)
        .optional()?)
}

/// A page of holidays between `from` and `to` (inclusive), in date order
/// unless `paging` sorts otherwise, and the total.
pub fn list(
    conn: &mut DbConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    paging: &Paging,
) -> Result<(Vec<(NaiveDate, String)>, i64), ApiError> {
    let filtered = || {
        let mut query = bank_holidays::table.into_boxed();
        if let Some(from) = from {
            query = query.filter(bank_holidays::holiday_date.ge(from));
        }
        if let Some(to) = to {
            query = query.filter(bank_holidays::holiday_date.le(to));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let descending = paging.sort.first().is_some_and(|k| k.descending);
    let query = if descending {
        filtered().order(bank_holidays::holiday_date.desc())
    } else {
        filtered().order(bank_holidays::holiday_date.asc())
    };
    let rows = query
        .limit(paging.limit)
        .offset(paging.offset)
        .select((bank_holidays::holiday_date, bank_holidays::title))
        .load(conn)?;
    Ok((rows, total))
}

/// The days a change to the calendar touched (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangedDays {
    /// The first day that changed.
    pub first: NaiveDate,
    /// The last day that changed.
    pub last: NaiveDate,
}

/// Tell every instance to reload its calendar (the shared revision).
fn bump_revision(conn: &mut DbConnection) -> Result<(), ApiError> {
    diesel::update(calendar_state::table.find(1))
        .set(calendar_state::revision.eq(calendar_state::revision + 1))
        .execute(conn)?;
    Ok(())
}

fn changed(
    conn: &mut DbConnection,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<ChangedDays, ApiError> {
    bump_revision(conn)?;
    Ok(ChangedDays { first, last })
}

/// What depends on the calendar, such as the stored due dates of records:
/// told, inside the transaction that changed the calendar, which days
/// changed, with the calendar as it now is. The calendar knows nothing of
/// its dependents; the application registers them (`AppState`).
pub trait CalendarDependent: Send + Sync {
    /// Bring what depends on the days `changed` up to date with `calendar`.
    fn calendar_changed(
        &self,
        conn: &mut DbConnection,
        calendar: &Calendar,
        changed: ChangedDays,
    ) -> Result<(), ApiError>;
}

/// Tell `dependents` that the days `changed` changed.
pub fn notify(
    conn: &mut DbConnection,
    dependents: &[std::sync::Arc<dyn CalendarDependent>],
    changed: Option<ChangedDays>,
) -> Result<(), ApiError> {
    let Some(changed) = changed else {
        return Ok(());
    };
    let calendar = Calendar::new(all_dates(conn)?);
    for dependent in dependents {
        dependent.calendar_changed(conn, &calendar, changed)?;
    }
    Ok(())
}

/// Add a holiday; 409 when the date is one already.
pub fn add(
    conn: &mut DbConnection,
    actor: &Actor,
    date: NaiveDate,
    title: &str,
) -> Result<ChangedDays, ApiError> {
    if find(conn, date)?.is_some() {
        return Err(ApiError::Conflict(format!(
            "{date} is a bank holiday already."
        )));
    }
    diesel::insert_into(bank_holidays::table)
        .values((
            bank_holidays::holiday_date.eq(date),
            bank_holidays::title.eq(title),
        ))
        .execute(conn)?;
    let changes = audit::diff(&json!({}), &json!({"date": date, "title": title}));
    audit::record(
        conn,
        actor,
        ENTITY,
        &date.to_string(),
        Action::Create,
        &changes,
    )?;
    changed(conn, date, date)
}

/// Remove a holiday; 404 when the date is not one.
pub fn remove(
    conn: &mut DbConnection,
    actor: &Actor,
    date: NaiveDate,
) -> Result<ChangedDays, ApiError> {
    let title = find(conn, date)?.ok_or_else(ApiError::not_found)?;
    diesel::delete(bank_holidays::table.find(date)).execute(conn)?;
    let changes = audit::diff(&json!({"date": date, "title": title}), &json!({}));
    audit::record(
        conn,
        actor,
        ENTITY,
        &date.to_string(),
        Action::Delete,
        &changes,
    )?;
    changed(conn, date, date)
}

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    /// Dates that were not holidays before.
    pub added: usize,
    /// Dates that were, under another title.
    pub updated: usize,
    /// Dates that were, under the same title.
    pub unchanged: usize,
}

/// Add or retitle every holiday in `holidays`; holidays not in the list
/// stay. Returns what it did and the days whose working status changed.
pub fn import(
    conn: &mut DbConnection,
    actor: &Actor,
    holidays: &[(NaiveDate, String)],
) -> Result<(ImportCounts, Option<ChangedDays>), ApiError> {
    let mut counts = ImportCounts::default();
    let mut touched: Vec<NaiveDate> = Vec::new();
    for (date, title) in holidays {
        match find(conn, *date)? {
            Some(existing) if &existing == title => counts.unchanged += 1,
            Some(existing) => {
                diesel::update(bank_holidays::table.find(date))
                    .set(bank_holidays::title.eq(title))
                    .execute(conn)?;
                let mut changes = Changes::new();
                changes.insert(
                    "title".into(),
                    Change {
                        from: json!(existing),
                        to: json!(title),
                    },
                );
                audit::record(
                    conn,
                    actor,
                    ENTITY,
                    &date.to_string(),
                    Action::Import,
                    &changes,
                )?;
                counts.updated += 1;
            }
            None => {
                diesel::insert_into(bank_holidays::table)
                    .values((
                        bank_holidays::holiday_date.eq(date),
                        bank_holidays::title.eq(title),
                    ))
                    .execute(conn)?;
                let changes = audit::diff(&json!({}), &json!({"date": date, "title": title}));
                audit::record(
                    conn,
                    actor,
                    ENTITY,
                    &date.to_string(),
                    Action::Import,
                    &changes,
                )?;
                counts.added += 1;
                touched.push(*date);
            }
        }
    }
    let days = match (touched.iter().min(), touched.iter().max()) {
        (Some(first), Some(last)) => Some(changed(conn, *first, *last)?),
        // Titles do not move due dates, but other instances should reload.
        _ if counts.updated > 0 => {
            bump_revision(conn)?;
            None
        }
        _ => None,
    };
    Ok((counts, days))
}
