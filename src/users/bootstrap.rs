//! The first admin: created on first start when no user exists.

use crate::audit::Actor;
use crate::auth::password;
use crate::db::{write_tx, DbConnection};
use crate::error::ApiError;
use crate::users::model::{self, UserData};
use crate::users::Role;

/// The bootstrap admin's username.
pub const ADMIN_USERNAME: &str = "admin";

/// What happened at start-up.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// Users already exist; nothing was done.
    NotNeeded,
    /// The admin was created with the configured password.
    Created,
    /// The admin was created with this generated password (print it once).
    CreatedWithPassword(String),
}

/// Create the `admin` user if no user exists. Safe when several instances
/// start at once: only one insert of `admin` can succeed.
pub fn ensure_admin(
    conn: &mut DbConnection,
    configured: Option<&str>,
) -> Result<Bootstrap, ApiError> {
    if model::count(conn)? > 0 {
        return Ok(Bootstrap::NotNeeded);
    }
    let (password, generated) = match configured {
        Some(p) => {
            if let Some(problem) = password::problem_with(p) {
                return Err(ApiError::internal(format!(
                    "BOOTSTRAP_ADMIN_PASSWORD {problem}"
                )));
            }
            (p.to_string(), false)
        }
        None => (password::generate(), true),
    };
    let hash = password::hash(&password)?;
    let data = UserData {
        username: ADMIN_USERNAME.into(),
        display_name: "Administrator".into(),
        role: Role::Admin,
        directorates: Vec::new(),
        active: true,
    };
    let created = write_tx(conn, |conn| {
        if model::count(conn)? > 0 {
            return Ok(false);
        }
        model::create(conn, &Actor::system("bootstrap"), &data, &hash)?;
        Ok(true)
    });
    match created {
        Ok(false) | Err(ApiError::Conflict(_)) => Ok(Bootstrap::NotNeeded),
        Ok(true) if generated => Ok(Bootstrap::CreatedWithPassword(password)),
        Ok(true) => Ok(Bootstrap::Created),
        Err(other) => Err(other),
    }
}
