//! Users in the database: rows, queries and the audited writes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Action, Actor};
use crate::db::page::{Paging, SortField};
use crate::db::precondition::Precondition;
use crate::db::schema::users;
use crate::db::sql::{contains_pattern, lower};
use crate::db::{now, DbConnection, MultiBackend};
use crate::error::ApiError;
use crate::users::Role;

/// The audit log's name for users.
pub const ENTITY: &str = "user";

/// A row of `users`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Login name (lower case, unique).
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role, as text.
    pub role: String,
    /// Directorate codes, as a JSON array.
    pub directorates: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Whether the user may log in.
    pub active: bool,
    /// Incremented on every change (the ETag).
    pub version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Raised when the password, role or directorates change: tokens
    /// carrying an older value are refused.
    pub token_version: i64,
    /// The identity provider (its issuer) the user signs in with; `None`
    /// for a user of Redress's own passwords.
    pub identity_issuer: Option<String>,
}

impl UserRow {
    /// The directorate codes.
    pub fn directorate_codes(&self) -> Result<Vec<String>, ApiError> {
        Ok(serde_json::from_str(&self.directorates)?)
    }
}

/// The writable fields of a user, validated.
#[derive(Debug, Clone)]
pub struct UserData {
    /// Login name.
    pub username: String,
    /// Name shown to people.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Directorate codes.
    pub directorates: Vec<String>,
    /// Whether the user may log in.
    pub active: bool,
}

impl UserData {
    fn audit_view(&self) -> serde_json::Value {
        json!({
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "directorates": self.directorates,
            "active": self.active,
        })
    }

    fn of(row: &UserRow) -> Result<UserData, ApiError> {
        Ok(UserData {
            username: row.username.clone(),
            display_name: row.display_name.clone(),
            role: Role::from_db(&row.role)?,
            directorates: row.directorate_codes()?,
            active: row.active,
        })
    }
}

/// Filters of the user list.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) users.
    pub active: Option<bool>,
    /// Only users working in this directorate.
    pub directorate: Option<String>,
    /// Substring of the username or display name.
    pub q: Option<String>,
}

/// The user with `id`, if there is one. Every authenticated request runs
/// this, so it runs on the backend's own connection (see
/// [`crate::per_backend`]), and without `LIMIT ?` (SQLite re-plans a cached
/// statement whose `LIMIT` parameter is re-bound).
pub fn find_optional(conn: &mut DbConnection, id: i64) -> Result<Option<UserRow>, ApiError> {
    let query = users::table.filter(users::id.eq(id));
    Ok(crate::per_backend!(conn, |c| query
        .select(UserRow::as_select())
        .get_result(c)
        .optional())?)
}

/// The user with `id`, or 404.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<UserRow, ApiError> {
    find_optional(conn, id)?.ok_or_else(ApiError::not_found)
}

/// The user called `username`, if there is one.
pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// How many users exist.
pub fn count(conn: &mut DbConnection) -> Result<i64, ApiError> {
    Ok(users::table.count().get_result(conn)?)
}

fn filtered(filter: &UserFilter, paging: &Paging) -> users::BoxedQuery<'static, MultiBackend> {
    let mut query = users::table.into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(code) = &filter.directorate {
        query = query.filter(
            users::directorates.like(format!("%\"{}\"%", code.replace(['%', '_', '"'], ""))),
        );
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(users::username.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name.nullable())
                    .like(pattern)
                    .escape('\\')),
        );
    }
    if let Some(since) = paging.updated_since {
        query = query.filter(users::updated_at.ge(since));
    }
    query
}

/// The fields the user list sorts by.
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "users.id"),
    SortField::new("username", "users.username"),
    SortField::new("display_name", "users.display_name"),
    SortField::new("role", "users.role"),
    SortField::new("created_at", "users.created_at"),
    SortField::new("updated_at", "users.updated_at"),
];

/// A page of users and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &UserFilter,
    paging: &Paging,
) -> Result<(Vec<UserRow>, i64), ApiError> {
    let total = filtered(filter, paging).count().get_result(conn)?;
    let rows = filtered(filter, paging)
        .order_by(paging.order_by(SORTABLE, "users.id"))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// 422 for directorate codes that do not exist.
fn check_directorates(conn: &mut DbConnection, codes: &[String]) -> Result<(), ApiError> {
    let missing = crate::directorates::model::missing(conn, codes)?;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::field(
            "directorates",
            format!("unknown directorate: {}", missing.join(", ")),
        ))
    }
}

fn username_taken() -> ApiError {
    ApiError::Conflict("That username is taken.".into())
}

/// Create a user (the password already hashed).
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    data: &UserData,
    password_hash: &str,
) -> Result<UserRow, ApiError> {
    check_directorates(conn, &data.directorates)?;
    if find_by_username(conn, &data.username)?.is_some() {
        return Err(username_taken());
    }
    let at = now();
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::username.eq(&data.username),
            users::display_name.eq(&data.display_name),
            users::role.eq(data.role.as_str()),
            users::directorates.eq(serde_json::to_string(&data.directorates)?),
            users::password_hash.eq(password_hash),
            users::active.eq(data.active),
            users::version.eq(1),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .returning(users::id)
        .get_result(conn)
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict(_) => username_taken(),
            other => other,
        })?;
    let changes = audit::diff(&json!({}), &data.audit_view());
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Create,
        &changes,
    )?;
    find(conn, id)
}

fn active_admins_other_than(conn: &mut DbConnection, id: i64) -> Result<i64, ApiError> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(id))
        .count()
        .get_result(conn)?)
}

/// Update a user: `change` turns the current writable fields into the new
/// ones; `new_password_hash` replaces the password when given.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    if_match: &Precondition,
    new_password_hash: Option<String>,
    change: impl FnOnce(&UserData) -> Result<UserData, ApiError>,
) -> Result<UserRow, ApiError> {
    crate::db::lock_row(conn, "users", id)?;
    let row = find(conn, id)?;
    if_match.check(row.version)?;
    let before = UserData::of(&row)?;
    let after = change(&before)?;
    check_directorates(conn, &after.directorates)?;
    let stays_admin = after.role == Role::Admin && after.active;
    if before.role == Role::Admin
        && before.active
        && !stays_admin
        && active_admins_other_than(conn, id)? == 0
    {
        return Err(ApiError::Conflict(
            "This is the last active admin; make another admin first.".into(),
        ));
    }
    if after.username != before.username && find_by_username(conn, &after.username)?.is_some() {
        return Err(username_taken());
    }
    let mut changes = audit::diff(&before.audit_view(), &after.audit_view());
    if new_password_hash.is_some() {
        changes.insert(
            "password".into(),
            audit::Change {
                from: json!("[hidden]"),
                to: json!("[changed]"),
            },
        );
    }
    if changes.is_empty() {
        return Ok(row);
    }
    let revokes_tokens = ["password", "role", "directorates"]
        .iter()
        .any(|field| changes.contains_key(*field));
    let token_version = row.token_version + i64::from(revokes_tokens);
    let updated = diesel::update(users::table.find(id).filter(users::version.eq(row.version)))
        .set((
            users::username.eq(&after.username),
            users::display_name.eq(&after.display_name),
            users::role.eq(after.role.as_str()),
            users::directorates.eq(serde_json::to_string(&after.directorates)?),
            users::password_hash.eq(new_password_hash.as_deref().unwrap_or(&row.password_hash)),
            users::active.eq(after.active),
            users::version.eq(row.version + 1),
            users::updated_at.eq(now()),
            users::token_version.eq(token_version),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed(
            "The user changed while this request was processed; retry.".into(),
        ));
    }
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Update,
        &changes,
    )?;
    find(conn, id)
}

/// Delete a user. Their audit entries stay, under their name.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    if_match: &Precondition,
) -> Result<(), ApiError> {
    let row = find(conn, id)?;
    if_match.check(row.version)?;
    if actor.id == Some(id) {
        return Err(ApiError::Conflict(
            "You cannot delete your own account.".into(),
        ));
    }
    let before = UserData::of(&row)?;
    if before.role == Role::Admin && before.active && active_admins_other_than(conn, id)? == 0 {
        return Err(ApiError::Conflict("This is the last active admin.".into()));
    }
    diesel::delete(users::table.find(id)).execute(conn)?;
    let changes = audit::diff(&before.audit_view(), &json!({}));
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Delete,
        &changes,
    )?;
    Ok(())
}
