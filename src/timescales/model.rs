//! The timescale versions in the database. Every change bumps the shared
//! revision (so every instance reloads them) and is audited; the caller
//! recomputes the stored clocks of the records received while the changed
//! version is in force.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor};
use crate::db::precondition::Precondition;
use crate::db::schema::{timescale_state, timescale_versions};
use crate::db::{now, DbConnection};
use crate::error::ApiError;
use crate::timescales::rules::{Rule, TimescaleVersion, Timescales};
use crate::timescales::shipped;

/// The audit log's name for a timescale version (its id is its
/// `effective_from`).
pub const ENTITY: &str = "timescales";

/// A version as stored: the rules and who last changed them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StoredVersion {
    /// The version.
    #[serde(flatten)]
    pub version: TimescaleVersion,
    /// When it was last written (RFC 3339, UTC).
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Who last wrote it (`system` for the shipped rules).
    pub updated_by: String,
}

type Row = (NaiveDate, String, NaiveDateTime, String);

fn stored((effective_from, rules, updated_at, updated_by): Row) -> Result<StoredVersion, ApiError> {
    Ok(StoredVersion {
        version: TimescaleVersion {
            effective_from,
            rules: serde_json::from_str(&rules).map_err(|e| {
                ApiError::internal(format!("stored timescales {effective_from}: {e}"))
            })?,
        },
        updated_at: updated_at.and_utc(),
        updated_by,
    })
}

/// The timescales' revision, bumped on every change.
pub fn revision(conn: &mut DbConnection) -> Result<i64, ApiError> {
    Ok(timescale_state::table
        .find(1)
        .select(timescale_state::revision)
        .get_result(conn)?)
}

fn bump_revision(conn: &mut DbConnection) -> Result<(), ApiError> {
    diesel::update(timescale_state::table.find(1))
        .set(timescale_state::revision.eq(timescale_state::revision + 1))
        .execute(conn)?;
    Ok(())
}

/// Every version as stored, oldest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<StoredVersion>, ApiError> {
    let rows: Vec<Row> = timescale_versions::table
        .order(timescale_versions::effective_from.asc())
        .select((
            timescale_versions::effective_from,
            timescale_versions::rules,
            timescale_versions::updated_at,
            timescale_versions::updated_by,
        ))
        .load(conn)?;
    rows.into_iter().map(stored).collect()
}

/// The version that starts on `effective_from`, if there is one.
pub fn find(
    conn: &mut DbConnection,
    effective_from: NaiveDate,
) -> Result<Option<StoredVersion>, ApiError> {
    let row: Option<Row> = timescale_versions::table
        .find(effective_from)
        .select((
            timescale_versions::effective_from,
            timescale_versions::rules,
            timescale_versions::updated_at,
            timescale_versions::updated_by,
        ))
        .get_result(conn)
        .optional()?;
    row.map(stored).transpose()
}

/// Every version, for the clocks.
pub fn load(conn: &mut DbConnection) -> Result<Timescales, ApiError> {
    Ok(Timescales::new(
        list(conn)?.into_iter().map(|s| s.version).collect(),
    ))
}

/// Write the shipped versions into an empty table (a new database, or one
/// just migrated to the first release with timescales). Returns whether it
/// did. Two instances starting at once write them once.
pub fn seed(conn: &mut DbConnection) -> Result<bool, ApiError> {
    let existing: i64 = timescale_versions::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(false);
    }
    let at = now();
    for version in shipped::versions() {
        let insert = diesel::insert_into(timescale_versions::table).values((
            timescale_versions::effective_from.eq(version.effective_from),
            timescale_versions::rules.eq(serde_json::to_string(&version.rules)?),
            timescale_versions::updated_at.eq(at),
            timescale_versions::updated_by.eq("system"),
        ));
        let inserted =
            crate::per_backend!(&mut *conn, |c| insert.on_conflict_do_nothing().execute(c))?;
        if inserted > 0 {
            let changes = audit::diff(
                &serde_json::Value::Null,
                &serde_json::json!({ "rules": version.rules }),
            );
            let id = version.effective_from.to_string();
            audit::record(
                conn,
                &Actor::system("system"),
                ENTITY,
                &id,
                Action::Create,
                &changes,
            )?;
        }
    }
    bump_revision(conn)?;
    Ok(true)
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A new version was added.
    Created,
    /// An existing version's rules were replaced.
    Replaced,
    /// The rules were the same: nothing changed.
    Unchanged,
}

/// Lock the timescales against concurrent writers and check `If-Match`
/// against the revision.
fn lock(conn: &mut DbConnection, if_match: &Precondition) -> Result<(), ApiError> {
    crate::db::lock_row(conn, "timescale_state", 1)?;
    if_match.check(revision(conn)?)
}

/// Add or replace the version that starts on `effective_from`.
pub fn put(
    conn: &mut DbConnection,
    actor: &Actor,
    if_match: &Precondition,
    effective_from: NaiveDate,
    rules: &[Rule],
) -> Result<Written, ApiError> {
    lock(conn, if_match)?;
    let before = find(conn, effective_from)?;
    let rules_text = serde_json::to_string(rules)?;
    let after = serde_json::json!({ "rules": rules });
    let written = match &before {
        Some(old) if old.version.rules == rules => return Ok(Written::Unchanged),
        Some(_) => Written::Replaced,
        None => Written::Created,
    };
    let values = (
        timescale_versions::rules.eq(&rules_text),
        timescale_versions::updated_at.eq(now()),
        timescale_versions::updated_by.eq(&actor.username),
    );
    let (action, old) = match before {
        Some(old) => {
            diesel::update(timescale_versions::table.find(effective_from))
                .set(values)
                .execute(conn)?;
            (
                Action::Update,
                serde_json::json!({ "rules": old.version.rules }),
            )
        }
        None => {
            diesel::insert_into(timescale_versions::table)
                .values((
                    timescale_versions::effective_from.eq(effective_from),
                    values,
                ))
                .execute(conn)?;
            (Action::Create, serde_json::Value::Null)
        }
    };
    bump_revision(conn)?;
    let changes = audit::diff(&old, &after);
    audit::record(
        conn,
        actor,
        ENTITY,
        &effective_from.to_string(),
        action,
        &changes,
    )?;
    Ok(written)
}

/// Remove the version that starts on `effective_from`: the version before
/// it then applies to the records it covered. The earliest version cannot be
/// removed (409): something must apply to every record.
pub fn remove(
    conn: &mut DbConnection,
    actor: &Actor,
    if_match: &Precondition,
    effective_from: NaiveDate,
) -> Result<(), ApiError> {
    lock(conn, if_match)?;
    let Some(old) = find(conn, effective_from)? else {
        return Err(ApiError::not_found());
    };
    let earliest: Option<NaiveDate> = timescale_versions::table
        .select(diesel::dsl::min(timescale_versions::effective_from))
        .get_result(conn)?;
    if earliest == Some(effective_from) {
        return Err(ApiError::Conflict(
            "The earliest timescale version cannot be removed: it applies to every record received before the next one. Replace its rules instead.".into(),
        ));
    }
    diesel::delete(timescale_versions::table.find(effective_from)).execute(conn)?;
    bump_revision(conn)?;
    let changes = audit::diff(
        &serde_json::json!({ "rules": old.version.rules }),
        &serde_json::Value::Null,
    );
    audit::record(
        conn,
        actor,
        ENTITY,
        &effective_from.to_string(),
        Action::Delete,
        &changes,
    )
}

/// The formula the stored clocks were last computed with.
pub fn stored_clocks_formula(conn: &mut DbConnection) -> Result<i32, ApiError> {
    Ok(timescale_state::table
        .find(1)
        .select(timescale_state::stored_clocks_formula)
        .get_result(conn)?)
}

/// Note that the stored clocks are now computed with `formula`.
pub fn set_stored_clocks_formula(conn: &mut DbConnection, formula: i32) -> Result<(), ApiError> {
    diesel::update(timescale_state::table.find(1))
        .set(timescale_state::stored_clocks_formula.eq(formula))
        .execute(conn)?;
    Ok(())
}
