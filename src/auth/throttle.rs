//! Login throttling, kept in the database so every instance behind the load
//! balancer sees the same count: after `FREE_FAILURES` consecutive failures
//! for one username, each further attempt must wait, the wait doubling with
//! every failure up to `MAX_LOCK_SECONDS`.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::login_throttle;
use crate::db::DbConnection;
use crate::error::ApiError;

/// Failures allowed before attempts are slowed down.
pub const FREE_FAILURES: i32 = 5;
/// The first lock, in seconds.
pub const FIRST_LOCK_SECONDS: i64 = 30;
/// The longest lock, in seconds.
pub const MAX_LOCK_SECONDS: i64 = 900;
/// Failures older than this are forgotten.
const FORGET_AFTER_MINUTES: i64 = 60;

/// 429 with the seconds to wait when `username` is locked at `now`.
pub fn check(conn: &mut DbConnection, username: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let locked_until = login_throttle::table
        .find(username)
        .select(login_throttle::locked_until)
        .get_result::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten();
    match locked_until {
        Some(until) if until > now => Err(ApiError::TooManyRequests {
            retry_after_secs: (until - now).num_seconds().max(1) as u64,
        }),
        _ => Ok(()),
    }
}

/// Count a failed attempt, locking the username once it has failed too often.
pub fn record_failure(
    conn: &mut DbConnection,
    username: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let previous = login_throttle::table
        .find(username)
        .select((login_throttle::failures, login_throttle::last_failure_at))
        .get_result::<(i32, NaiveDateTime)>(conn)
        .optional()?;
    let failures = match previous {
        Some((n, last)) if now - last < Duration::minutes(FORGET_AFTER_MINUTES) => n + 1,
        _ => 1,
    };
    let locked_until = (failures >= FREE_FAILURES).then(|| {
        let doublings = (failures - FREE_FAILURES).min(10) as u32;
        now + Duration::seconds((FIRST_LOCK_SECONDS << doublings).min(MAX_LOCK_SECONDS))
    });
    if previous.is_some() {
        diesel::update(login_throttle::table.find(username))
            .set((
                login_throttle::failures.eq(failures),
                login_throttle::last_failure_at.eq(now),
                login_throttle::locked_until.eq(locked_until),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::username.eq(username),
                login_throttle::failures.eq(failures),
                login_throttle::last_failure_at.eq(now),
                login_throttle::locked_until.eq(locked_until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Forget the failures of a username that has just logged in.
pub fn record_success(conn: &mut DbConnection, username: &str) -> Result<(), ApiError> {
    diesel::delete(login_throttle::table.find(username)).execute(conn)?;
    Ok(())
}

/// Delete rows whose failures are forgotten and whose lock has passed.
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
    let cutoff =
        now - Duration::minutes(FORGET_AFTER_MINUTES) - Duration::seconds(MAX_LOCK_SECONDS);
    Ok(
        diesel::delete(login_throttle::table.filter(login_throttle::last_failure_at.lt(cutoff)))
            .execute(conn)?,
    )
}
