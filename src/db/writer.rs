//! Group commit for SQLite.
//!
//! SQLite admits one writer at a time, and most of a small write's cost is
//! the commit itself (writing the changed pages to the write-ahead log). So
//! every write of this process goes to one writer thread, which runs whatever
//! writes are waiting in one transaction, each inside its own savepoint: a
//! write that fails rolls back only its own changes, and each caller hears
//! back only after the shared `COMMIT` has succeeded. Under load, many writes
//! share a commit; alone, a write commits at once.
//!
//! Bulk work (an import's batch of 5,000 records) asks for a
//! transaction of its own instead ([`Writer::write_alone`]): a savepoint
//! copies every page its work changes into a sub-journal, which for a large
//! batch costs more than sharing the commit saves.

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

/// The least time limit of a bulk write: a batch of thousands of records
/// takes seconds, longer than a request's write may.
const BULK_LIMIT: Duration = Duration::from_secs(60);

/// A queued write's work: runs (in its savepoint, or alone) and returns
/// whether it failed, and how to deliver its result once the commit is
/// known.
type Work = Box<dyn FnOnce(&mut DbConnection) -> (Failed, Deliver) + Send>;
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;
type Failed = bool;

/// A queued write.
enum Job {
    /// One of a group sharing a transaction, in its own savepoint.
    Grouped(Work),
    /// In a transaction of its own, rolled back whole when it fails.
    Alone(Work),
}

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
        self.queue(work, self.limit, Job::Grouped, |conn, work| {
            in_savepoint(conn, work)
        })
        .await
    }

    /// Run `work` in a transaction of its own, between groups, and wait for
    /// its commit: for bulk work, whose savepoint would cost more than
    /// sharing a commit saves. A failure rolls back the whole transaction,
    /// which holds nothing but `work`'s changes. Its time limit is at least
    /// [`BULK_LIMIT`].
    pub async fn write_alone<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let limit = self.limit.map(|limit| limit.max(BULK_LIMIT));
        self.queue(work, limit, Job::Alone, |conn, work| guarded(conn, work))
            .await
    }

    async fn queue<T, F>(
        &self,
        work: F,
        limit: Option<Duration>,
        kind: fn(Work) -> Job,
        wrap: fn(&mut DbConnection, F) -> Result<T, ApiError>,
    ) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, ApiError>>();
        let job = kind(Box::new(move |conn| {
            let result = {
                let _deadline = Deadline::start(limit);
                wrap(conn, work)
            };
            let failed = result.is_err();
            let deliver: Deliver = Box::new(move |commit: Result<(), String>| {
                let outcome = match (result, commit) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(why)) => Err(ApiError::Internal(format!("commit failed: {why}"))),
                    (Err(error), _) => Err(error),
                };
                let _ = reply.send(outcome);
            });
            (failed, deliver)
        }));
        self.jobs
            .send(job)
            .map_err(|_| ApiError::Unavailable("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Unavailable("the database could not start the write".into()))?
    }
}

/// Run `work`, turning a panic into an error.
fn guarded<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    catch_unwind(AssertUnwindSafe(|| work(conn)))
        .unwrap_or_else(|_| Err(ApiError::Internal("a database write panicked".into())))
}

/// Run one write in a savepoint of the open transaction: released on
/// success, rolled back on an error or a panic.
fn in_savepoint<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    AnsiTransactionManager::begin_transaction(inner(conn))?;
    let result = guarded(conn, work);
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
    // A job met while gathering a group, run after it.
    let mut next: Option<Job> = None;
    while let Some(first) = next.take().or_else(|| queue.recv().ok()) {
        let (group, alone) = match first {
            Job::Alone(work) => (vec![work], true),
            Job::Grouped(work) => {
                let mut group = vec![work];
                while group.len() < MAX_GROUP {
                    match queue.try_recv() {
                        Ok(Job::Grouped(work)) => group.push(work),
                        Ok(alone) => {
                            next = Some(alone);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                (group, false)
            }
        };
        commit_together(&mut conn, group, alone);
    }
}

/// Run `group` in one transaction, then tell each how the commit went. A
/// grouped job has its own savepoint; a job `alone` (a group of one) has
/// none, so its failure rolls back the transaction.
fn commit_together(conn: &mut DbConnection, group: Vec<Work>, alone: bool) {
    let begun = AnsiTransactionManager::begin_transaction_sql(inner(conn), "BEGIN IMMEDIATE");
    if let Err(error) = begun {
        // Dropping the jobs unrun tells each caller the write did not happen.
        tracing::error!(%error, writes = group.len(), "cannot begin a write transaction");
        return;
    }
    let mut deliveries = Vec::with_capacity(group.len());
    let mut any_failed = false;
    for job in group {
        let (failed, deliver) = job(conn);
        any_failed |= failed;
        deliveries.push(deliver);
    }
    let commit = if alone && any_failed {
        // The failed job's own error is what its caller hears.
        Err("rolled back".to_string())
    } else {
        AnsiTransactionManager::commit_transaction(inner(conn)).map_err(|e| e.to_string())
    };
    if commit.is_err() {
        let _ = AnsiTransactionManager::rollback_transaction(inner(conn));
    }
    for deliver in deliveries {
        deliver(commit.clone());
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::Writer;
    use crate::db::DbConnection;
    use crate::error::ApiError;

    fn insert(conn: &mut DbConnection, value: i64) -> Result<(), ApiError> {
        let DbConnection::Sqlite(c) = conn else {
            unreachable!()
        };
        diesel::sql_query(format!("INSERT INTO t (v) VALUES ({value})")).execute(c)?;
        Ok(())
    }

    fn values(conn: &mut DbConnection) -> Result<Vec<i64>, ApiError> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            v: i64,
        }
        let DbConnection::Sqlite(c) = conn else {
            unreachable!()
        };
        let rows: Vec<Row> = diesel::sql_query("SELECT v FROM t ORDER BY v").load(c)?;
        Ok(rows.into_iter().map(|r| r.v).collect())
    }

    #[actix_web::test]
    async fn a_job_alone_commits_whole_or_rolls_back_whole_between_groups() {
        let path = std::env::temp_dir().join(format!(
            "redress-writer-{}-{:?}.db",
            std::process::id(),
            std::thread::current().id()
        ));
        let writer = Writer::start(&path, None).unwrap();
        writer
            .write(|conn| {
                let DbConnection::Sqlite(c) = conn else {
                    unreachable!()
                };
                diesel::sql_query("CREATE TABLE t (v BIGINT NOT NULL)").execute(c)?;
                Ok(())
            })
            .await
            .unwrap();
        let grouped = writer.write(|conn| insert(conn, 1));
        let failed = writer.write_alone(|conn| {
            insert(conn, 2)?;
            Err::<(), _>(ApiError::Conflict("stop".into()))
        });
        let alone = writer.write_alone(|conn| {
            insert(conn, 3)?;
            insert(conn, 4)
        });
        let later = writer.write(|conn| insert(conn, 5));
        let (grouped, failed, alone, later) =
            futures_util::future::join4(grouped, failed, alone, later).await;
        grouped.unwrap();
        assert!(matches!(failed, Err(ApiError::Conflict(_))), "{failed:?}");
        alone.unwrap();
        later.unwrap();
        let seen = writer.write(values).await.unwrap();
        assert_eq!(seen, vec![1, 3, 4, 5]);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
