//! The database: one connection type over SQLite and PostgreSQL, the pool,
//! transactions, and the embedded migrations.

pub mod cache;
pub mod deadline;
pub mod json;
pub mod page;
pub mod precondition;
pub mod schema;
pub mod sql;
pub mod totals;
pub mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;

/// A connection to either backend; queries written once run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// A PostgreSQL server.
    Postgres(PgConnection),
    /// The embedded SQLite database.
    Sqlite(SqliteConnection),
}

/// Which database engine a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A SQLite file (created with its folder when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Target {
    /// Parse `sqlite://PATH` or `postgres://...` / `postgresql://...`.
    pub fn parse(url: &str) -> Result<Target, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, e.g. sqlite://data/redress.db".into());
            }
            Ok(Target::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Target::Postgres(url.to_string()))
        } else {
            Err(format!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got {})",
                url.split(':').next().unwrap_or("")
            ))
        }
    }

    /// Whether this is the embedded SQLite backend.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Target::Sqlite(_))
    }
}

/// How long SQLite waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 15_000;

/// Each SQLite connection's own page cache, in KiB (SQLite's default is
/// 2 MiB). Reads beyond it come from the memory-mapped file, which every
/// connection shares.
pub const SQLITE_CACHE_KIB: u32 = 8 * 1024;

/// A writer checkpoints the WAL itself only when it has grown this large (in
/// pages): normally the background checkpointer ([`Db::start_checkpointer`])
/// keeps it small, so requests do not pay for checkpoints.
const SQLITE_WAL_AUTOCHECKPOINT_PAGES: u32 = 16_384;

/// When the WAL restarts, its file is cut back to this size (it would
/// otherwise keep the size of the largest burst of writes it ever held).
const SQLITE_WAL_KEEP_BYTES: u64 = 64 << 20;

/// How often the background checkpointer runs.
const SQLITE_CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// How long a checkpoint waits for the readers still using the WAL before
/// giving up until next time (writers wait meanwhile).
const SQLITE_CHECKPOINT_WAIT: Duration = Duration::from_millis(100);

/// How much of the SQLite file is memory-mapped, in bytes.
const SQLITE_MMAP_BYTES: u64 = 1 << 30;

/// Opens connections for the pool, picking the backend from the URL scheme so
/// that a refused PostgreSQL connection reports its real cause, and setting
/// How often the query planner's statistics are refreshed on SQLite.
const SQLITE_OPTIMIZE_EVERY: Duration = Duration::from_secs(3600);

/// SQLite's per-connection PRAGMAs.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: Target,
    statement_timeout: Option<Duration>,
}

/// Why a connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The server or file could not be opened.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// A statement run on a new or checked connection failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// The SQLite file's folder could not be created.
    #[error("cannot create {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl ConnectionManager {
    /// A manager for `target`; on PostgreSQL each connection's statements
    /// are cancelled after `statement_timeout` (see [`deadline`]).
    pub fn new(target: Target, statement_timeout: Option<Duration>) -> Self {
        Self {
            target,
            statement_timeout,
        }
    }
}

fn open_sqlite(path: &Path) -> Result<SqliteConnection, ConnectError> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|source| ConnectError::Folder {
            path: folder.display().to_string(),
            source,
        })?;
    }
    deadline::install_sqlite_hook();
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
    // busy_timeout first: switching to WAL itself needs the write lock.
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -{SQLITE_CACHE_KIB};
         PRAGMA mmap_size = {SQLITE_MMAP_BYTES};
         PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT_PAGES};
         PRAGMA journal_size_limit = {SQLITE_WAL_KEEP_BYTES};
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;"
    ))?;
    sql::register_sqlite_functions(&mut conn)?;
    Ok(conn)
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        match &self.target {
            Target::Sqlite(path) => Ok(DbConnection::Sqlite(open_sqlite(path)?)),
            Target::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                if let Some(limit) = self.statement_timeout {
                    conn.batch_execute(&format!("SET statement_timeout = {}", limit.as_millis()))?;
                }
                Ok(DbConnection::Postgres(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1").map_err(ConnectError::from)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        match conn {
            DbConnection::Postgres(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
            DbConnection::Sqlite(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

/// The connection pool.
pub type Pool = r2d2::Pool<ConnectionManager>;

/// A handle on the database: the pool plus helpers that run diesel (which
/// blocks) off the async executor.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    target: Target,
    /// The longest any one unit of request work may keep a connection.
    statement_timeout: Option<Duration>,
    /// On SQLite, every write goes through one writer thread with group
    /// commit (see [`writer`]).
    writer: Option<writer::Writer>,
}

impl Db {
    /// Open a pool of `size` connections to `url`. With `statement_timeout`,
    /// work run through [`Db::run`] and [`Db::write`] is cancelled when it
    /// takes longer (see [`deadline`]); without, it may take as long as it needs
    /// (the command line: migrations, demo data, backups).
    pub fn connect(
        url: &str,
        size: u32,
        statement_timeout: Option<Duration>,
    ) -> Result<Db, String> {
        let target = Target::parse(url)?;
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            // A broken connection shows up as a query error, which the
            // request reports; testing every checkout would double the
            // round trips of every request.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(10))
            .build(ConnectionManager::new(target.clone(), statement_timeout))
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        let writer = match &target {
            Target::Sqlite(path) => Some(writer::Writer::start(path, statement_timeout)?),
            Target::Postgres(_) => None,
        };
        Ok(Db {
            pool,
            target,
            statement_timeout,
            writer,
        })
    }

    /// On SQLite, move the write-ahead log into the database file in the
    /// background, twice a second, on a connection of its own. The
    /// checkpoint is a RESTART one: once the log is copied it waits briefly
    /// (writers wait too, readers never) for the readers still using the log
    /// and then starts it again from the beginning. A passive checkpoint
    /// cannot do that under steady reads, and the log then grows without
    /// bound and slows every read. Nothing on PostgreSQL.
    pub fn start_checkpointer(&self) -> Result<(), String> {
        let Target::Sqlite(path) = &self.target else {
            return Ok(());
        };
        let mut conn = open_sqlite(path).map_err(|e| e.to_string())?;
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {};",
            SQLITE_CHECKPOINT_WAIT.as_millis()
        ))
        .map_err(|e| e.to_string())?;
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                // The query planner's statistics, as SQLite advises for
                // long-lived connections: gathered now where a table lacks
                // them or has changed much (bounded, so it is quick), then
                // refreshed every hour. Without them the planner may read a
                // range of years where an index on another column reads days.
                let optimize = |conn: &mut SqliteConnection, pragma: &str| {
                    if let Err(error) = conn.batch_execute(pragma) {
                        tracing::warn!(%error, "PRAGMA optimize failed");
                    }
                };
                optimize(
                    &mut conn,
                    "PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;",
                );
                let mut ticks: u64 = 0;
                loop {
                    std::thread::sleep(SQLITE_CHECKPOINT_EVERY);
                    if let Err(error) = conn.batch_execute("PRAGMA wal_checkpoint(RESTART)") {
                        tracing::warn!(%error, "WAL checkpoint failed");
                    }
                    ticks += 1;
                    if u128::from(ticks) * SQLITE_CHECKPOINT_EVERY.as_millis()
                        % SQLITE_OPTIMIZE_EVERY.as_millis()
                        == 0
                    {
                        optimize(&mut conn, "PRAGMA optimize;");
                    }
                }
            })
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// After personal data was erased: on SQLite, copy the write-ahead log
    /// into the database file and truncate it, so that the old page images
    /// holding the erased text do not linger in the log (`secure_delete`
    /// already zeroes what is freed in the file itself). Best effort: while
    /// a reader holds the log, the background checkpointer empties it soon
    /// after. PostgreSQL reclaims old row versions by VACUUM (see the README).
    pub async fn scrub_after_erasure(&self) {
        if !self.target.is_sqlite() {
            return;
        }
        let result = self
            .run(|conn| Ok(conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?))
            .await;
        if let Err(error) = result {
            tracing::warn!(%error, "cannot truncate the WAL after an erasure");
        }
    }

    /// Where the database is.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The database for logs, without credentials.
    pub fn target_label(&self) -> String {
        match &self.target {
            Target::Sqlite(path) => format!("sqlite://{}", path.display()),
            Target::Postgres(url) => {
                let host = url.rsplit('@').next().unwrap_or(url);
                format!(
                    "postgres://{}",
                    host.trim_start_matches("postgres://")
                        .trim_start_matches("postgresql://")
                )
            }
        }
    }

    /// A connection from the pool, for start-up and command-line work.
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, ApiError> {
        Ok(self.pool.get()?)
    }

    /// Run `work` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let limit = self.statement_timeout;
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            let _deadline = deadline::Deadline::start(limit);
            work(&mut conn)
        })
        .await?
    }

    /// Run a small read — a lookup by key, a few rows — answering at once.
    /// On SQLite the database is in this process and such a read takes
    /// microseconds, less than handing it to the blocking pool and back, so
    /// it runs on the calling thread when a connection is free at once (and
    /// in the pool otherwise). On PostgreSQL it goes to the pool, as
    /// [`Db::run`]: a network round trip must not hold the request thread.
    /// Never for work whose size the caller does not bound.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if matches!(self.target, Target::Sqlite(_)) {
            if let Some(mut conn) = self.pool.try_get() {
                return work(&mut conn);
            }
        }
        self.run(work).await
    }

    /// Run `work` inside a write transaction: all of it is committed, or
    /// none of it. On SQLite it joins the writer thread's next group commit;
    /// on PostgreSQL it runs in its own transaction (see [`write_tx`]).
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(writer) => writer.write(work).await,
            None => self.run(move |conn| write_tx(conn, work)).await,
        }
    }

    /// [`Db::write`] for bulk work (an import's batch): on SQLite the
    /// writer thread runs it in a transaction of its own, between groups,
    /// without the savepoint a grouped write pays for (see
    /// [`writer::Writer::write_alone`]); on PostgreSQL it is the same.
    pub async fn write_bulk<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(writer) => writer.write_alone(work).await,
            None => self.run(move |conn| write_tx(conn, work)).await,
        }
    }
}

/// Run `work` in a transaction that is allowed to write.
///
/// On SQLite the transaction starts with `BEGIN IMMEDIATE`, taking the write
/// lock at once: a deferred transaction that reads and then writes would fail
/// with `SQLITE_BUSY` when another writer got there first, ignoring the busy
/// timeout. Either everything `work` did is committed or nothing is.
pub fn write_tx<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match work(conn) {
        Ok(value) => {
            DbConnection::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = DbConnection::rollback_transaction(conn) {
                tracing::error!(%rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

/// Run a query on the backend's own connection: `per_backend!(conn, |c|
/// query.get_result(c))`. Through the multi-backend connection, diesel
/// regenerates a query's SQL text on every call to find its prepared
/// statement; on the backend's own connection the statement is found by the
/// query's type. Use it on hot paths (lookups by id, the inserts of a create).
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgres($c) => $body,
        }
    };
}

/// Within a write transaction, take the lock on one row before reading it to
/// change it, so that concurrent read-modify-write transactions run one after
/// the other. PostgreSQL needs `SELECT … FOR UPDATE`; on SQLite the write
/// transaction (`BEGIN IMMEDIATE`) already holds the database's write lock.
pub fn lock_row(conn: &mut DbConnection, table: &'static str, id: i64) -> Result<(), ApiError> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!("SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(pg)?;
    }
    Ok(())
}

/// Copy the SQLite database to `path` while it is in use: `VACUUM INTO`
/// reads one consistent snapshot (writes carry on meanwhile) and writes a
/// compact copy. PostgreSQL has its own tools (`pg_dump`), so it is refused
/// there.
pub fn backup(conn: &mut DbConnection, path: &Path) -> Result<(), String> {
    let DbConnection::Sqlite(sqlite) = conn else {
        return Err(
            "redress backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)"
                .into(),
        );
    };
    if path.exists() {
        return Err(format!(
            "{} exists already; choose a new file",
            path.display()
        ));
    }
    let target = path.to_string_lossy().replace('\'', "''");
    sqlite
        .batch_execute(&format!("VACUUM INTO '{target}'"))
        .map_err(|e| format!("backup failed: {e}"))
}

/// The current instant, truncated to microseconds so that SQLite and
/// PostgreSQL store and return the same value.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A lock id that serialises migrations when several instances start at once.
const MIGRATION_LOCK_ID: i64 = 0x0072_6564_7265_7373;

/// Apply every pending migration; returns how many ran.
pub fn migrate(conn: &mut DbConnection) -> Result<usize, String> {
    let ran = match conn {
        DbConnection::Postgres(c) => {
            // Migrations may rebuild large tables: no statement time limit
            // while they run, and the connection's own limit back after.
            let limit: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
                "current_setting('statement_timeout')",
            ))
            .get_result(c)
            .map_err(|e| e.to_string())?;
            c.batch_execute(&format!(
                "SET statement_timeout = 0; SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"
            ))
            .map_err(|e| e.to_string())?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len());
            c.batch_execute(&format!(
                "SELECT pg_advisory_unlock({MIGRATION_LOCK_ID}); SET statement_timeout = '{}'",
                limit.replace('\'', "")
            ))
            .map_err(|e| e.to_string())?;
            result
        }
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    ran.map_err(|e| format!("migration failed: {e}"))
}
