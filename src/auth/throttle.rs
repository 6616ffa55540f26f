//! Login throttling, kept in the database so that every instance behind the
//! load balancer sees the same counts.
//!
//! Failures are counted per (username, client address) and per client
//! address, never per username alone: guessing from one address slows that
//! address down, but cannot lock the user out of every other address.
//!
//! Each attempt is counted *before* its password is checked, in one write
//! transaction that also reads the locks ([`begin`]): concurrent guesses are
//! counted one after the other, so a burst of parallel guesses is throttled
//! like a sequence of them. A login that then succeeds takes its count back
//! ([`succeeded`]).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use crate::db::schema::login_attempts;
use crate::db::DbConnection;
use crate::error::ApiError;

/// How hard one kind of key is throttled.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Failures allowed before attempts must wait.
    pub free_failures: i32,
    /// The first wait, in seconds; it doubles with every further failure.
    pub first_lock_seconds: i64,
    /// The longest wait, in seconds.
    pub max_lock_seconds: i64,
}

/// One username from one address: five guesses, then waits from 30 s up
/// to 15 minutes.
pub const PER_USER_AND_ADDRESS: Limit = Limit {
    free_failures: 5,
    first_lock_seconds: 30,
    max_lock_seconds: 900,
};

/// One address, whatever the usernames: generous, because a council's
/// offices may all reach the service through one address.
pub const PER_ADDRESS: Limit = Limit {
    free_failures: 100,
    first_lock_seconds: 60,
    max_lock_seconds: 900,
};

/// Failures older than this are forgotten.
const FORGET_AFTER_MINUTES: i64 = 60;

fn pair_key(username: &str, address: &str) -> String {
    format!("pair {address} {username}")
}

fn address_key(address: &str) -> String {
    format!("address {address}")
}

#[derive(QueryableByName)]
struct Attempts {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    failures: i32,
    #[diesel(sql_type = Timestamp)]
    last_failure_at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamp>)]
    locked_until: Option<NaiveDateTime>,
}

/// Count one failure of `key` at `now` under `limit`, or refuse the
/// attempt with 429 when the key is locked. Run inside a write transaction.
fn count(
    conn: &mut DbConnection,
    key: &str,
    limit: Limit,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    // Make sure the row exists, then lock it: concurrent attempts on the
    // same key wait here for each other (SQLite's write transaction holds
    // the database lock already).
    diesel::sql_query(
        "INSERT INTO login_attempts (attempt_key, failures, last_failure_at) VALUES ($1, 0, $2) \
         ON CONFLICT (attempt_key) DO NOTHING",
    )
    .bind::<Text, _>(key)
    .bind::<Timestamp, _>(now)
    .execute(conn)?;
    let select = match conn {
        DbConnection::Postgres(_) => {
            "SELECT failures, last_failure_at, locked_until FROM login_attempts \
             WHERE attempt_key = $1 FOR UPDATE"
        }
        DbConnection::Sqlite(_) => {
            "SELECT failures, last_failure_at, locked_until FROM login_attempts WHERE attempt_key = $1"
        }
    };
    let row: Attempts = diesel::sql_query(select)
        .bind::<Text, _>(key)
        .get_result(conn)?;
    if let Some(until) = row.locked_until.filter(|until| *until > now) {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: (until - now).num_seconds().max(1) as u64,
        });
    }
    let failures = if now - row.last_failure_at < Duration::minutes(FORGET_AFTER_MINUTES) {
        row.failures + 1
    } else {
        1
    };
    let locked_until = (failures >= limit.free_failures).then(|| {
        let doublings = (failures - limit.free_failures).min(10) as u32;
        now + Duration::seconds((limit.first_lock_seconds << doublings).min(limit.max_lock_seconds))
    });
    diesel::update(login_attempts::table.find(key))
        .set((
            login_attempts::failures.eq(failures),
            login_attempts::last_failure_at.eq(now),
            login_attempts::locked_until.eq(locked_until),
        ))
        .execute(conn)?;
    Ok(())
}

/// Start a login attempt for `username` from `address`: 429 when either
/// the pair or the address is locked, else the attempt is counted as a
/// failure until [`succeeded`] takes it back. Run inside a write transaction.
pub fn begin(
    conn: &mut DbConnection,
    username: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    count(conn, &address_key(address), PER_ADDRESS, now)?;
    count(
        conn,
        &pair_key(username, address),
        PER_USER_AND_ADDRESS,
        now,
    )
}

/// The attempt begun with [`begin`] succeeded: forget the pair's failures
/// and take the attempt off the address's count.
pub fn succeeded(conn: &mut DbConnection, username: &str, address: &str) -> Result<(), ApiError> {
    diesel::delete(login_attempts::table.find(pair_key(username, address))).execute(conn)?;
    diesel::update(
        login_attempts::table
            .find(address_key(address))
            .filter(login_attempts::failures.gt(0)),
    )
    .set(login_attempts::failures.eq(login_attempts::failures - 1))
    .execute(conn)?;
    Ok(())
}

/// Delete rows whose failures are forgotten and whose lock has passed.
pub fn purge(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
    let cutoff = now
        - Duration::minutes(FORGET_AFTER_MINUTES)
        - Duration::seconds(
            PER_USER_AND_ADDRESS
                .max_lock_seconds
                .max(PER_ADDRESS.max_lock_seconds),
        );
    Ok(
        diesel::delete(login_attempts::table.filter(login_attempts::last_failure_at.lt(cutoff)))
            .execute(conn)?,
    )
}
