//! Group commit for SQLite.
//!
//! SQLite admits one writer at a time, and most of a small write's cost is
//! the commit itself (writing the changed pages to the write-ahead log). So
//! every write of this process goes to one writer thread, which runs whatever
//! writes are waiting in one transaction, each inside its own savepoint: a
//! write that fails rolls back only its own changes, and each caller hears
//! back only after the shared `COMMIT` has succeeded. Under load, many writes
//! share a commit; alone, a write commits at once.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use tokio::sync::oneshot;

use crate::db::deadline::Deadline;
use crate::db::DbConnection;
use crate::error::ApiError;

/// The most writes one commit takes.
const MAX_GROUP: usize = 64;

/// A queued write: runs in its savepoint and returns how to deliver its
/// result once the group's commit is known.
type Job = Box<dyn FnOnce(&mut DbConnection) -> Deliver + Send>;
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The handle on the writer thread.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    /// The time limit of each write (see [`super::deadline`]).
    limit: Option<Duration>,
}

impl Writer {
    /// Open the writer's own connection to `path` and start its thread. The
    /// thread ends when the last handle is dropped.
    pub fn start(path: &Path, limit: Option<Duration>) -> Result<Writer, String> {
        let conn = super::open_sqlite(path).map_err(|e| e.to_string())?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(DbConnection::Sqlite(conn), queue))
            .map_err(|e| e.to_string())?;
        Ok(Writer { jobs, limit })
    }

    /// Run `work` in the next group transaction and wait for its commit.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, ApiError>>();
        let limit = self.limit;
        let job: Job = Box::new(move |conn| {
            let result = {
                let _deadline = Deadline::start(limit);
                in_savepoint(conn, work)
            };
            Box::new(move |commit: Result<(), String>| {
                let outcome = match (result, commit) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(why)) => Err(ApiError::Internal(format!("commit failed: {why}"))),
                    (Err(error), _) => Err(error),
                };
                let _ = reply.send(outcome);
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::Unavailable("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Unavailable("the database could not start the write".into()))?
    }
}

/// Run one write in a savepoint of the open transaction: released on
/// success, rolled back on an error or a panic.
fn in_savepoint<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    AnsiTransactionManager::begin_transaction(inner(conn))?;
    let result = catch_unwind(AssertUnwindSafe(|| work(conn)))
        .unwrap_or_else(|_| Err(ApiError::Internal("a database write panicked".into())));
    let end = match &result {
        Ok(_) => AnsiTransactionManager::commit_transaction(inner(conn)),
        Err(_) => AnsiTransactionManager::rollback_transaction(inner(conn)),
    };
    match end {
        Ok(()) => result,
        Err(error) => Err(ApiError::Internal(format!("savepoint: {error}"))),
    }
}

fn inner(conn: &mut DbConnection) -> &mut diesel::SqliteConnection {
    match conn {
        DbConnection::Sqlite(c) => c,
        DbConnection::Postgres(_) => unreachable!("the group writer is for SQLite only"),
    }
}

fn run(mut conn: DbConnection, queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let begun =
            AnsiTransactionManager::begin_transaction_sql(inner(&mut conn), "BEGIN IMMEDIATE");
        if let Err(error) = begun {
            // Dropping the jobs unrun tells each caller the write did not happen.
            tracing::error!(%error, writes = group.len(), "cannot begin a write transaction");
            drop(group);
            continue;
        }
        let deliveries: Vec<Deliver> = group.into_iter().map(|job| job(&mut conn)).collect();
        let commit =
            AnsiTransactionManager::commit_transaction(inner(&mut conn)).map_err(|e| e.to_string());
        if commit.is_err() {
            let _ = AnsiTransactionManager::rollback_transaction(inner(&mut conn));
        }
        for deliver in deliveries {
            deliver(commit.clone());
        }
    }
}
