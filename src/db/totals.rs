//! List totals kept between requests on SQLite. A list page's `total`
//! counts every record its filters match, which on a large table reads
//! most of an index for every page. This instance keeps each total it has
//! counted, keyed by the list's filters, and trusts it only while the
//! table's revision (SQLite migration 000032: bumped by triggers in the
//! transaction of every change to the rows the count reads) is the one it
//! was counted at. The revision is read before the count, so a kept total
//! is never older than its revision.
//!
//! On PostgreSQL every total is counted: a shared counter row would make
//! concurrent writers wait for each other.

use std::collections::HashMap;
use std::sync::Mutex;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConnection;
use crate::error::ApiError;

/// The most totals kept per table; more, and they are all dropped.
const MAX_KEPT: usize = 4096;

/// The most database files whose totals are kept (tests open many).
const MAX_DATABASES: usize = 64;

/// The totals of one table of one database, at one revision.
struct Kept {
    revision: i64,
    totals: HashMap<String, i64>,
}

/// Kept totals by (table, database id).
static KEPT: Mutex<Option<HashMap<(&'static str, String), Kept>>> = Mutex::new(None);

#[derive(QueryableByName)]
struct Revision {
    #[diesel(sql_type = Text)]
    database_id: String,
    #[diesel(sql_type = BigInt)]
    revision: i64,
}

/// The total of the list of `table` that `key` describes (every filter
/// that decides which rows it counts), from the kept totals when `table`
/// has not changed since it was counted, else from `count`.
pub fn total(
    conn: &mut DbConnection,
    table: &'static str,
    key: &str,
    count: impl FnOnce(&mut DbConnection) -> Result<i64, ApiError>,
) -> Result<i64, ApiError> {
    let DbConnection::Sqlite(c) = conn else {
        return count(conn);
    };
    let now: Revision =
        diesel::sql_query("SELECT database_id, revision FROM list_revisions WHERE name = ?")
            .bind::<Text, _>(table)
            .get_result(c)?;
    let slot = (table, now.database_id);
    if let Some(total) = kept(&slot, now.revision, key) {
        return Ok(total);
    }
    let total = count(conn)?;
    keep(slot, now.revision, key, total);
    Ok(total)
}

fn kept(slot: &(&'static str, String), revision: i64, key: &str) -> Option<i64> {
    let kept = KEPT.lock().ok()?;
    let entry = kept.as_ref()?.get(slot)?;
    (entry.revision == revision)
        .then(|| entry.totals.get(key).copied())
        .flatten()
}

fn keep(slot: (&'static str, String), revision: i64, key: &str, total: i64) {
    let Ok(mut kept) = KEPT.lock() else {
        return;
    };
    let all = kept.get_or_insert_with(HashMap::new);
    if !all.contains_key(&slot) && all.len() >= MAX_DATABASES {
        all.clear();
    }
    let entry = all.entry(slot).or_insert_with(|| Kept {
        revision,
        totals: HashMap::new(),
    });
    if revision != entry.revision || entry.totals.len() >= MAX_KEPT {
        entry.revision = revision;
        entry.totals.clear();
    }
    entry.totals.insert(key.to_string(), total);
}
