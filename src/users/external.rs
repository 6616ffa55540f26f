//! Users of the council's identity provider: made on their first sign-in,
//! their role and directorates kept as the provider's role map says.
//!
//! Such a user is found by the provider's issuer and their subject there
//! (`identity_issuer`, `external_subject`, unique together), never by name.
//! They have no password (so cannot log in with one); an admin deactivates
//! or deletes them like anyone else.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Timestamp};
use serde_json::json;

use crate::audit::{self, Action, Actor};
use crate::auth::oidc::ExternalIdentity;
use crate::db::schema::users;
use crate::db::{now, DbConnection};
use crate::error::ApiError;
use crate::users::model::{self, UserRow, ENTITY};

/// The password hash of external users: not a PHC string, so no password
/// ever matches it.
pub const NO_PASSWORD: &str = "!external";

/// The user the provider knows as `subject`, if there is one.
pub fn find(
    conn: &mut DbConnection,
    issuer: &str,
    subject: &str,
) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .filter(users::identity_issuer.eq(issuer))
        .filter(users::external_subject.eq(subject))
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Whether `row` already has the role and directorates `who` brings (or is
/// deactivated, and so is not changed by signing in).
pub fn is_current(row: &UserRow, who: &ExternalIdentity) -> bool {
    !row.active
        || (row.role == who.role.as_str()
            && row
                .directorate_codes()
                .is_ok_and(|codes| codes == who.directorates))
}

/// Sign `who` in, inside a write transaction: make their user when it does
/// not exist, or bring its role and directorates up to date. Concurrent
/// first sign-ins (on several instances) make one user: the insert does
/// nothing when the identity exists by then, and the row is read back. A
/// username taken meanwhile fails with 409, for the caller to retry.
pub fn sign_in(
    conn: &mut DbConnection,
    actor: &Actor,
    who: &ExternalIdentity,
) -> Result<UserRow, ApiError> {
    if let Some(row) = find(conn, &who.issuer, &who.subject)? {
        return synchronise(conn, actor, row, who);
    }
    check_directorates(conn, who)?;
    let username = free_username(conn, &who.username_hint)?;
    let at = now();
    let inserted = diesel::sql_query(
        "INSERT INTO users (username, display_name, role, directorates, password_hash, active, \
         version, created_at, updated_at, token_version, identity_issuer, external_subject) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (identity_issuer, external_subject) DO NOTHING",
    )
    .bind::<Text, _>(&username)
    .bind::<Text, _>(&who.display_name)
    .bind::<Text, _>(who.role.as_str())
    .bind::<Text, _>(serde_json::to_string(&who.directorates)?)
    .bind::<Text, _>(NO_PASSWORD)
    .bind::<Bool, _>(true)
    .bind::<BigInt, _>(1)
    .bind::<Timestamp, _>(at)
    .bind::<Timestamp, _>(at)
    .bind::<BigInt, _>(0)
    .bind::<Text, _>(&who.issuer)
    .bind::<Text, _>(&who.subject)
    .execute(conn)?;
    let row = find(conn, &who.issuer, &who.subject)?
        .ok_or_else(|| ApiError::internal("the provisioned user cannot be read back"))?;
    if inserted == 0 {
        return synchronise(conn, actor, row, who);
    }
    let changes = audit::diff(
        &json!({}),
        &json!({
            "username": row.username,
            "display_name": row.display_name,
            "role": who.role,
            "directorates": who.directorates,
            "active": true,
            "identity_issuer": who.issuer,
            "external_subject": who.subject,
        }),
    );
    audit::record(
        conn,
        actor,
        ENTITY,
        &row.id.to_string(),
        Action::Create,
        &changes,
    )?;
    Ok(row)
}

/// Give an existing user the role and directorates `who` brings, audited;
/// a deactivated user is left as they are.
fn synchronise(
    conn: &mut DbConnection,
    actor: &Actor,
    row: UserRow,
    who: &ExternalIdentity,
) -> Result<UserRow, ApiError> {
    if is_current(&row, who) {
        return Ok(row);
    }
    check_directorates(conn, who)?;
    crate::db::lock_row(conn, "users", row.id)?;
    let row = model::find(conn, row.id)?;
    if is_current(&row, who) {
        return Ok(row);
    }
    let before = json!({"role": row.role, "directorates": row.directorate_codes()?});
    let after = json!({"role": who.role, "directorates": who.directorates});
    diesel::update(users::table.find(row.id))
        .set((
            users::role.eq(who.role.as_str()),
            users::directorates.eq(serde_json::to_string(&who.directorates)?),
            users::version.eq(row.version + 1),
            users::updated_at.eq(now()),
            // As for any role change: links and tokens issued before stop working.
            users::token_version.eq(row.token_version + 1),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        ENTITY,
        &row.id.to_string(),
        Action::Update,
        &audit::diff(&before, &after),
    )?;
    model::find(conn, row.id)
}

/// 403 when the role map gives a directorate that does not exist: the
/// configuration is wrong, and the user should not get a partial role.
fn check_directorates(conn: &mut DbConnection, who: &ExternalIdentity) -> Result<(), ApiError> {
    let missing = crate::directorates::model::missing(conn, &who.directorates)?;
    if missing.is_empty() {
        return Ok(());
    }
    tracing::warn!(directorates = ?missing, "OIDC_ROLE_MAP names directorates that do not exist");
    Err(ApiError::Forbidden(format!(
        "Your role gives directorates that do not exist in Redress ({}); ask an administrator to correct OIDC_ROLE_MAP.",
        missing.join(", ")
    )))
}

/// A username from `hint` (lower case; letters, digits, `.`, `_`, `@`, `-`;
/// 3 to 64 characters), with `-2`, `-3`… added when it is taken.
fn free_username(conn: &mut DbConnection, hint: &str) -> Result<String, ApiError> {
    let mut base: String = hint
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._@-".contains(*c))
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .take(56)
        .collect();
    if base.len() < 3 {
        base = format!("user{base}");
    }
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if model::find_by_username(conn, &candidate)?.is_none() {
            return Ok(candidate);
        }
    }
    Err(ApiError::Conflict(
        "No free username could be made for this user.".into(),
    ))
}

/// Sign `who` in from a request: a read when their user exists and is up
/// to date (the usual case), else [`sign_in`] through the database's write
/// path, tried again when a concurrent sign-in took the username it chose.
pub async fn provision(
    db: &crate::db::Db,
    actor: Actor,
    who: ExternalIdentity,
) -> Result<UserRow, ApiError> {
    let (issuer, subject) = (who.issuer.clone(), who.subject.clone());
    let known = db.read(move |conn| find(conn, &issuer, &subject)).await?;
    if let Some(row) = known.filter(|row| is_current(row, &who)) {
        return Ok(row);
    }
    let (actor, who) = (std::sync::Arc::new(actor), std::sync::Arc::new(who));
    let mut attempts = 0;
    loop {
        let (a, w) = (actor.clone(), who.clone());
        match db.write(move |conn| sign_in(conn, &a, &w)).await {
            Err(ApiError::Conflict(_)) if attempts < 2 => attempts += 1,
            other => return other,
        }
    }
}
