//! [`UsersCache`]: the users this instance has authorised, kept so that an
//! authenticated request does not read its user from the database each
//! time.
//!
//! Every change to a user bumps `users_revision` in the same transaction
//! (triggers of migration 000035, so changes made by another instance or
//! by the command line count too). A kept user is trusted while the
//! revision is the one read when it was kept, and the revision is read
//! again at most [`RECHECK_AFTER`] after the last read: a user deactivated,
//! or whose role, directorates or password changed, is refused at once by
//! the instance that made the change ([`UsersCache::forget_all`]) and
//! within a second by every other.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::db::schema::users_revision;
use crate::db::{Db, DbConnection};
use crate::error::ApiError;
use crate::users::model::UserRow;

/// How long the revision read last is trusted before it is read again.
const RECHECK_AFTER: Duration = Duration::from_secs(1);

/// The most users kept; past it the cache starts again (a council has
/// hundreds of staff, not tens of thousands).
const MOST_KEPT: usize = 10_000;

#[derive(Default)]
struct Kept {
    /// The revision the kept users were read at.
    revision: Option<i64>,
    /// When that revision was last read.
    checked: Option<Instant>,
    users: HashMap<i64, Arc<UserRow>>,
    /// Raised by [`UsersCache::forget_all`]: a row read before it is not
    /// kept after it (it may predate the change that made it forget).
    generation: u64,
}

/// The users this instance has read, by id (see the module's docs).
#[derive(Default)]
pub struct UsersCache {
    kept: RwLock<Kept>,
}

/// The users' revision, bumped on every change to a user.
fn revision(conn: &mut DbConnection) -> Result<i64, ApiError> {
    Ok(users_revision::table
        .find(1)
        .select(users_revision::revision)
        .get_result(conn)?)
}

impl UsersCache {
    /// The user with `id`, if there is one: kept, or read (with the
    /// revision, read first, so that a user changed meanwhile is not kept
    /// under the older revision).
    pub async fn find(&self, db: &Db, id: i64) -> Result<Option<Arc<UserRow>>, ApiError> {
        let generation = {
            let kept = self.kept.read().unwrap_or_else(|e| e.into_inner());
            let fresh = kept.checked.is_some_and(|at| at.elapsed() < RECHECK_AFTER);
            if fresh {
                if let Some(user) = kept.users.get(&id) {
                    return Ok(Some(user.clone()));
                }
            }
            kept.generation
        };
        let (revision, row) = db
            .read(move |conn| {
                let revision = revision(conn)?;
                Ok((revision, crate::users::model::find_optional(conn, id)?))
            })
            .await?;
        let row = row.map(Arc::new);
        let mut kept = self.kept.write().unwrap_or_else(|e| e.into_inner());
        if kept.generation != generation {
            // Forgotten meanwhile: answer with what was read (the request
            // began before the change), but keep nothing.
            return Ok(row);
        }
        if kept.revision != Some(revision) || kept.users.len() >= MOST_KEPT {
            kept.users.clear();
            kept.revision = Some(revision);
        }
        kept.checked = Some(Instant::now());
        if let Some(row) = &row {
            kept.users.insert(id, row.clone());
        }
        Ok(row)
    }

    /// Forget every kept user: what a change to a user made through this
    /// instance does once it is committed, so that it takes effect here at
    /// once.
    pub fn forget_all(&self) {
        let mut kept = self.kept.write().unwrap_or_else(|e| e.into_inner());
        *kept = Kept {
            generation: kept.generation + 1,
            ..Kept::default()
        };
    }
}
