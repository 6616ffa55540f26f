//! The access log: who read whose personal data, when, how and from where.
//!
//! A feedback record with its complainant (one record, a page of a list, its
//! history), a contact log, a document and a subject-access export are each
//! logged, one row per record read. Entries wait in memory and are written
//! in batches off the request path (every [`FLUSH_EVERY`], at 65,536
//! waiting, when an access log is read, and at shutdown), so that logging
//! does not slow reads; an instance that is killed loses at most its last
//! two seconds.
//!
//! A batch is queued as one row of compact JSON. Settling the queue into
//! the indexed log costs about 5 µs an entry on SQLite, most of it the
//! index, so it waits for a quiet moment: a tick of the timer in which the
//! instance served fewer than [`QUIET`] requests; it stops between chunks
//! once the instance is busy again, and goes on at the next quiet tick. A
//! busy instance settles anyway once it has queued [`SETTLE_AFTER`] entries, and
//! every reader of the log settles first, so the log it reads is whole.
//! A settle moves [`SETTLE_CHUNK`] batches per transaction, so that other
//! writes go between its chunks.
//!
//! Entries older than `ACCESS_LOG_RETENTION_DAYS` (two years) are purged.

pub mod api;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db::schema::{access_log, access_log_queue};
use crate::db::{now, Db, DbConnection};
use crate::error::ApiError;
use crate::text_enum;

text_enum! {
    /// How personal data was read.
    pub enum Access {
        /// One record, by id.
        Read => "read",
        /// A page of a list that includes the record's complainant.
        List => "list",
        /// The record's history.
        History => "history",
        /// The record's contact log.
        Contacts => "contacts",
        /// A document attached to the record (its id in `detail`).
        Document => "document",
        /// A subject-access export that includes the record (the request's
        /// id in `detail`).
        Export => "export",
    }
}

/// How often the waiting entries are written, however many (see
/// [`crate::ops::flush_access_log`]). On SQLite every commit makes each
/// reading connection drop its page cache and its map of the file, and
/// re-reading them costs the reads more than the log's own writing does
/// (admin `GET /feedback/{id}` against the same build without the log: a
/// batch at every 2,048 entries, 0.80; every 8,192, 0.90; once a second,
/// 0.92).
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// How many waiting entries make the log write them at once rather than
/// at the timer's next tick (about 15 MB of them).
const FLUSH_AT: usize = 65_536;

/// How many requests served in one tick of the timer (of any kind: a
/// settle makes creates wait as much as reads) still count as quiet: an
/// instance that quiet settles its queue.
pub const QUIET: u64 = 1000;

/// How many entries queued by a busy instance make it settle the queue
/// without waiting for a quiet tick (readers of the log settle it first in
/// any case).
const SETTLE_AFTER: usize = 1_000_000;

/// How many queued batches one settling transaction moves: one, which
/// holds a tick's entries and never more than [`FLUSH_AT`] (about a third
/// of a second of writing), so that other writes do not wait long behind
/// a settle. (With four, transactions of over a second each held up
/// creates for more than two.)
const SETTLE_CHUNK: i64 = 1;

/// The most entries kept waiting when the database cannot take them.
const MAX_WAITING: usize = 100_000;

/// An entry waiting to be written: queued in a batch, then settled into the
/// log (see [`AccessLog::settle`]). In the queue it is a JSON array of its
/// fields in order, not an object: half the bytes to write and to read.
#[derive(Debug, Clone, Insertable)]
// None is inserted as NULL (the columns have no default): the insert then has
// a static query id, so its prepared statement is kept by type rather than
// its SQL written again for every entry settled.
#[diesel(table_name = access_log, treat_none_as_default_value = false)]
struct NewEntry {
    occurred_at: NaiveDateTime,
    user_id: Option<i64>,
    username: String,
    entity: String,
    entity_id: String,
    access: Access,
    detail: Option<String>,
    address: Option<String>,
    request_id: Option<String>,
}

/// A queued entry's fields, in [`NewEntry`]'s order.
type QueuedEntry = (
    NaiveDateTime,
    Option<i64>,
    String,
    String,
    String,
    Access,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Serialize for NewEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (
            &self.occurred_at,
            &self.user_id,
            &self.username,
            &self.entity,
            &self.entity_id,
            &self.access,
            &self.detail,
            &self.address,
            &self.request_id,
        )
            .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for NewEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<NewEntry, D::Error> {
        let (
            occurred_at,
            user_id,
            username,
            entity,
            entity_id,
            access,
            detail,
            address,
            request_id,
        ) = QueuedEntry::deserialize(deserializer)?;
        Ok(NewEntry {
            occurred_at,
            user_id,
            username,
            entity,
            entity_id,
            access,
            detail,
            address,
            request_id,
        })
    }
}

/// The log of one instance: entries waiting to be written, and the
/// database they go to.
#[derive(Clone)]
pub struct AccessLog {
    waiting: Arc<Mutex<Vec<NewEntry>>>,
    /// Held by the flush under way, so that a reader of the log who
    /// flushes first sees every entry taken before.
    flushing: Arc<tokio::sync::Mutex<()>>,
    /// Entries queued since the queue was last settled.
    queued: Arc<AtomicUsize>,
    /// Set while a flush asked for by a full batch has not yet taken the
    /// waiting entries: one such flush at a time. (One per read past the
    /// batch size made thousands of flushes of a hundred entries each,
    /// queued on `flushing`, and a settle waited behind all of them.)
    flush_asked: Arc<AtomicBool>,
    /// How many requests the instance had served at the timer's last tick
    /// (see [`AccessLog::tick`]); `u64::MAX` before the first.
    served_at_tick: Arc<AtomicU64>,
    db: Db,
    retention: Duration,
}

impl AccessLog {
    /// A log written to `db`, its entries kept for `retention_days`.
    pub fn new(db: Db, retention_days: i64) -> AccessLog {
        AccessLog {
            waiting: Arc::default(),
            flushing: Arc::default(),
            // A queue left by an earlier process is settled at the first
            // quiet tick, as if this one had queued it.
            queued: Arc::new(AtomicUsize::new(1)),
            flush_asked: Arc::default(),
            served_at_tick: Arc::new(AtomicU64::new(u64::MAX)),
            db,
            retention: Duration::days(retention_days),
        }
    }

    /// Log that `user` read the records `ids` of `entity`, `access`-wise.
    pub fn record<I, S>(
        &self,
        user: &AuthUser,
        entity: &str,
        ids: I,
        access: Access,
        detail: Option<&str>,
    ) where
        I: IntoIterator<Item = S>,
        S: ToString,
    {
        let at = now();
        let entries = ids.into_iter().map(|id| NewEntry {
            occurred_at: at,
            user_id: Some(user.id),
            username: user.username.clone(),
            entity: entity.to_string(),
            entity_id: id.to_string(),
            access,
            detail: detail.map(str::to_string),
            address: user.address.clone(),
            request_id: user.request_id.clone(),
        });
        let full = {
            let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
            waiting.extend(entries);
            waiting.len() >= FLUSH_AT
        };
        if full && !self.flush_asked.swap(true, Ordering::AcqRel) {
            let log = self.clone();
            actix_web::rt::spawn(async move { log.flush().await });
        }
    }

    /// Write the waiting entries to the queue in one transaction; on
    /// failure they wait for the next flush (up to a bound, past which the
    /// oldest are dropped with a warning). Once this instance has queued
    /// [`SETTLE_AFTER`] entries, the queue is then settled.
    pub async fn flush(&self) {
        self.write_waiting().await;
        if self.queued.load(Ordering::Relaxed) >= SETTLE_AFTER {
            self.settle_logged().await;
        }
    }

    /// What the timer does each tick, given how many requests the instance
    /// has `served` since it started: flush, and settle the queue if the
    /// instance was quiet since the last tick (fewer than [`QUIET`]
    /// requests) and has queued entries since it last settled. The first
    /// tick, at start, has nothing to compare with and does not count as
    /// quiet: a busy start is not made to wait for what the last process
    /// left.
    ///
    /// A settle begun in a quiet tick stops between chunks once the
    /// instance is busy again (it has served [`QUIET`] requests since the
    /// settle began, and more for a settle longer than a tick), and
    /// goes on at the next quiet tick: the quiet moment is over, and
    /// readers should not pay for it.
    pub async fn tick(&self, served: impl Fn() -> u64) {
        let at_tick = served();
        let before = self.served_at_tick.swap(at_tick, Ordering::Relaxed);
        self.flush().await;
        let quiet = before != u64::MAX && at_tick.saturating_sub(before) < QUIET;
        let taken = self.queued.swap(0, Ordering::Relaxed);
        if !quiet || taken == 0 {
            self.queued.fetch_add(taken, Ordering::Relaxed);
            return;
        }
        let started = std::time::Instant::now();
        let still_quiet = || {
            let ticks = started.elapsed().as_secs_f64() / FLUSH_EVERY.as_secs_f64();
            let allowed = QUIET as f64 * ticks.max(1.0);
            (served().saturating_sub(at_tick) as f64) < allowed
        };
        let drained = self.drain(still_quiet).await;
        if drained.as_ref().is_ok_and(|all| *all) {
            return;
        }
        self.queued.fetch_add(taken, Ordering::Relaxed);
        if let Err(error) = drained {
            tracing::warn!(%error, "cannot settle the access log's queue; will retry");
        }
    }

    /// Move the queue into the log a chunk at a time while `go_on` says so
    /// after each chunk: whether it moved all of it.
    async fn drain(&self, go_on: impl Fn() -> bool) -> Result<bool, ApiError> {
        while self.db.write(settle_chunk).await? {
            if !go_on() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn settle_logged(&self) {
        if let Err(error) = self.settle().await {
            tracing::warn!(%error, "cannot settle the access log's queue; will retry");
        }
    }

    /// Write the waiting entries, then move every queued one into the log,
    /// sorted by record, [`SETTLE_CHUNK`] batches per transaction: what
    /// every reader of the log does first. Appending to the unindexed queue
    /// costs a request's read a few pages a batch; the log's index by
    /// record is written here, in order, many entries to a page.
    pub async fn settle(&self) -> Result<(), ApiError> {
        self.write_waiting().await;
        self.queued.store(0, Ordering::Relaxed);
        self.drain(|| true).await.map(|_| ())
    }

    async fn write_waiting(&self) {
        let _flushing = self.flushing.lock().await;
        // The next batch gets a buffer the size of this one at once, rather
        // than growing one again by reallocation (and an idle instance's
        // stays small).
        let batch = {
            let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
            let capacity = waiting.len();
            std::mem::replace(&mut *waiting, Vec::with_capacity(capacity))
        };
        self.flush_asked.store(false, Ordering::Release);
        if batch.is_empty() {
            return;
        }
        // Serialised here, not on the database's one writer thread.
        let result = match serde_json::to_string(&batch) {
            Ok(entries) => {
                self.db
                    .write(move |conn| {
                        let insert = diesel::insert_into(access_log_queue::table)
                            .values(access_log_queue::entries.eq(entries));
                        crate::per_backend!(conn, |c| insert.execute(c))?;
                        Ok(())
                    })
                    .await
            }
            Err(error) => Err(error.into()),
        };
        if result.is_ok() {
            self.queued.fetch_add(batch.len(), Ordering::Relaxed);
        }
        if let Err(error) = result {
            tracing::warn!(%error, entries = batch.len(), "cannot write the access log; will retry");
            let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
            let mut kept = batch;
            kept.append(&mut waiting);
            let excess = kept.len().saturating_sub(MAX_WAITING);
            if excess > 0 {
                tracing::warn!(
                    dropped = excess,
                    "access log entries dropped: the database is not taking them"
                );
                kept.drain(..excess);
            }
            *waiting = kept;
        }
    }

    /// Delete the settled entries older than the log's retention. It does
    /// not settle the queue first: queued entries are seconds or minutes
    /// old, and the maintenance that purges runs at every start, when a
    /// settle of what the last process left would hold up the first
    /// requests.
    pub async fn purge(&self) -> Result<usize, ApiError> {
        let before = now() - self.retention;
        self.db
            .write(move |conn| {
                Ok(
                    diesel::delete(access_log::table.filter(access_log::occurred_at.lt(before)))
                        .execute(conn)?,
                )
            })
            .await
    }
}

/// Move the oldest [`SETTLE_CHUNK`] queued batches into the log, their
/// entries sorted by record; whether the queue may hold more. The batches
/// taken are deleted in the same transaction, and the delete returns them:
/// on PostgreSQL two instances settling at once move each batch once (the
/// second delete waits for the first, then finds its batches gone, and
/// tries again while the queue holds any); on SQLite the write lock does
/// the same.
fn settle_chunk(conn: &mut DbConnection) -> Result<bool, ApiError> {
    let oldest: Vec<i64> = access_log_queue::table
        .select(access_log_queue::id)
        .order(access_log_queue::id)
        .limit(SETTLE_CHUNK)
        .load(conn)?;
    let taken = access_log_queue::table.filter(access_log_queue::id.eq_any(oldest));
    let batches: Vec<String> = crate::per_backend!(conn, |c| diesel::delete(taken)
        .returning(access_log_queue::entries)
        .get_results(c))?;
    if batches.is_empty() {
        let queue = access_log_queue::table.select(access_log_queue::id);
        let more = diesel::select(diesel::dsl::exists(queue)).get_result(conn)?;
        return Ok(more);
    }
    let mut entries: Vec<NewEntry> = Vec::new();
    for batch in &batches {
        entries.extend(serde_json::from_str::<Vec<NewEntry>>(batch)?);
    }
    entries.sort_by(|a, b| {
        (&a.entity, &a.entity_id, a.occurred_at).cmp(&(&b.entity, &b.entity_id, b.occurred_at))
    });
    match conn {
        // One prepared statement, run once per entry: cheaper on SQLite than
        // a many-row insert, whose SQL diesel writes again for every chunk.
        DbConnection::Sqlite(c) => {
            for entry in &entries {
                diesel::insert_into(access_log::table)
                    .values(entry)
                    .execute(c)?;
            }
        }
        DbConnection::Postgres(c) => {
            for chunk in entries.chunks(500) {
                diesel::insert_into(access_log::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(true)
}

/// An entry of the access log.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = access_log)]
pub struct AccessEntry {
    /// Its id.
    pub id: i64,
    /// When (RFC 3339, UTC).
    #[diesel(deserialize_as = NaiveDateTime)]
    pub occurred_at: UtcTime,
    /// The user's id; null if the user has since been deleted.
    pub user_id: Option<i64>,
    /// The user's login name.
    pub username: String,
    /// What was read: `feedback` or `ombudsman_case`.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// How.
    pub access: Access,
    /// The document's id, or the subject-access request's.
    pub detail: Option<String>,
    /// The client's address (behind a trusted proxy, the one it forwarded).
    pub address: Option<String>,
    /// The request's `X-Request-Id`.
    pub request_id: Option<String>,
}

/// A UTC instant read from a `TIMESTAMP` column.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(value_type = String, format = DateTime)]
pub struct UtcTime(DateTime<Utc>);

impl From<NaiveDateTime> for UtcTime {
    fn from(at: NaiveDateTime) -> UtcTime {
        UtcTime(at.and_utc())
    }
}

crate::page_type!(
    /// A page of the access log, newest first.
    AccessPage,
    AccessEntry
);

/// What to read of the log.
#[derive(Debug, Clone, Default)]
pub struct AccessQuery {
    /// Of this entity.
    pub entity: Option<String>,
    /// Of this record (with `entity`).
    pub entity_id: Option<String>,
    /// By this user (login name).
    pub username: Option<String>,
    /// On or after.
    pub from: Option<NaiveDateTime>,
    /// Before.
    pub to: Option<NaiveDateTime>,
}

/// A page of the entries matching `query`, newest first, and how many match.
pub fn search(
    conn: &mut DbConnection,
    query: &AccessQuery,
    paging: &crate::db::page::Paging,
) -> Result<(Vec<AccessEntry>, i64), ApiError> {
    let filtered = || {
        let mut q = access_log::table.into_boxed::<crate::db::MultiBackend>();
        if let Some(entity) = &query.entity {
            q = q.filter(access_log::entity.eq(entity.clone()));
        }
        if let Some(id) = &query.entity_id {
            q = q.filter(access_log::entity_id.eq(id.clone()));
        }
        if let Some(username) = &query.username {
            q = q.filter(access_log::username.eq(username.to_lowercase()));
        }
        if let Some(from) = query.from {
            q = q.filter(access_log::occurred_at.ge(from));
        }
        if let Some(to) = query.to {
            q = q.filter(access_log::occurred_at.lt(to));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((access_log::occurred_at.desc(), access_log::id.desc()))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(AccessEntry::as_select())
        .load(conn)?;
    Ok((rows, total))
}
