//! Directorates in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Action, Actor};
use crate::db::page::{Paging, SortField};
use crate::db::schema::directorates;
use crate::db::{now, DbConnection};
use crate::error::ApiError;

/// The audit log's name for directorates.
pub const ENTITY: &str = "directorate";

/// A row of `directorates`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = directorates)]
pub struct DirectorateRow {
    /// Short code, e.g. `adults`.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// The codes among `codes` that name no directorate.
pub fn missing(conn: &mut DbConnection, codes: &[String]) -> Result<Vec<String>, ApiError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<String> = directorates::table
        .filter(directorates::code.eq_any(codes))
        .select(directorates::code)
        .load(conn)?;
    Ok(codes
        .iter()
        .filter(|c| !found.contains(c))
        .cloned()
        .collect())
}

/// Record a problem with `directorate` when `code` is not one.
pub fn check_exists(
    conn: &mut DbConnection,
    code: &str,
    errors: &mut crate::error::FieldErrors,
) -> Result<(), ApiError> {
    if !exists(conn, code)? {
        errors.add("directorate", format!("unknown directorate `{code}`"));
    }
    Ok(())
}

/// Whether the directorate `code` exists.
pub fn exists(conn: &mut DbConnection, code: &str) -> Result<bool, ApiError> {
    let query = directorates::table
        .filter(directorates::code.eq(code))
        .select(directorates::code);
    let found: Option<String> = crate::per_backend!(conn, |c| query.get_result(c).optional())?;
    Ok(found.is_some())
}

/// The directorate `code`, or 404.
pub fn find(conn: &mut DbConnection, code: &str) -> Result<DirectorateRow, ApiError> {
    directorates::table
        .find(code)
        .select(DirectorateRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(ApiError::not_found)
}

/// The fields the list sorts by.
pub const SORTABLE: &[SortField] = &[
    SortField::new("code", "directorates.code"),
    SortField::new("name", "directorates.name"),
    SortField::new("created_at", "directorates.created_at"),
];

/// A page of directorates and the total.
pub fn list(
    conn: &mut DbConnection,
    paging: &Paging,
) -> Result<(Vec<DirectorateRow>, i64), ApiError> {
    let filtered = || {
        let mut query = directorates::table.into_boxed();
        if let Some(since) = paging.updated_since {
            query = query.filter(directorates::updated_at.ge(since));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order_by(paging.order_by(SORTABLE, "directorates.code"))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(DirectorateRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Add a directorate; 409 when the code exists.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    code: &str,
    name: &str,
) -> Result<DirectorateRow, ApiError> {
    if exists(conn, code)? {
        return Err(ApiError::Conflict(format!(
            "The directorate `{code}` already exists."
        )));
    }
    let at = now();
    diesel::insert_into(directorates::table)
        .values((
            directorates::code.eq(code),
            directorates::name.eq(name),
            directorates::created_at.eq(at),
            directorates::updated_at.eq(at),
        ))
        .execute(conn)?;
    let changes = audit::diff(&json!({}), &json!({"code": code, "name": name}));
    audit::record(conn, actor, ENTITY, code, Action::Create, &changes)?;
    find(conn, code)
}
