//! Import jobs in the database: what was asked, how far it got and what it
//! found, readable from any instance.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::report::{ImportKind, RowError, Tally};
use crate::db::page::Paging;
use crate::db::schema::import_jobs;
use crate::db::{now, DbConnection};
use crate::error::ApiError;
use crate::text_enum;

text_enum! {
    /// Where a job is.
    pub enum JobStatus {
        /// Accepted, not started yet.
        Queued => "queued",
        /// Reading and saving rows.
        Running => "running",
        /// Every row dealt with (some may have been rejected: see the counts).
        Succeeded => "succeeded",
        /// Stopped by a failure of the service (see `failure`); the batches
        /// saved before it stay saved.
        Failed => "failed",
    }
}

/// A row of `import_jobs`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = import_jobs)]
pub struct JobRow {
    /// Its id.
    pub id: i64,
    /// What the file holds.
    pub kind: String,
    /// The directorate given for rows without one.
    pub directorate: Option<String>,
    /// Whether nothing is saved.
    pub dry_run: bool,
    /// The uploaded file's name.
    pub filename: Option<String>,
    /// Where the job is.
    pub status: String,
    /// The file's rows.
    pub rows_total: i64,
    /// The rows dealt with.
    pub rows_processed: i64,
    /// Created.
    pub rows_created: i64,
    /// Updated.
    pub rows_updated: i64,
    /// Skipped.
    pub rows_skipped: i64,
    /// Rejected.
    pub rows_rejected: i64,
    /// The first row errors, as JSON.
    pub errors: String,
    /// All row errors.
    pub error_count: i64,
    /// Why the job failed.
    pub failure: Option<String>,
    /// When it was asked for.
    pub created_at: NaiveDateTime,
    /// Who asked.
    pub created_by: String,
    /// When it started.
    pub started_at: Option<NaiveDateTime>,
    /// When it ended.
    pub finished_at: Option<NaiveDateTime>,
}

/// An import job: its options, progress and findings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJob {
    /// Its id.
    pub id: i64,
    /// Its URL, to poll.
    #[schema(example = "/api/v1/imports/12")]
    pub href: String,
    /// What the file holds.
    pub kind: ImportKind,
    /// The directorate given for rows without one; null if none was.
    pub directorate: Option<String>,
    /// Whether the job only checks the file and saves nothing (its counts
    /// say what would be created, updated, skipped and rejected).
    pub dry_run: bool,
    /// The uploaded file's name, when it had one.
    pub filename: Option<String>,
    /// Where the job is: `queued`, `running`, `succeeded` or `failed`.
    pub status: JobStatus,
    /// The counts, and the first errors (at most 1,000; `error_count` has
    /// them all). Lists leave the errors out: read the job for them.
    #[serde(flatten)]
    pub tally: Tally,
    /// Why a failed job failed (the rows saved before it stay saved).
    pub failure: Option<String>,
    /// When it was asked for (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Who asked for it.
    pub created_by: String,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
}

crate::page_type!(
    /// A page of import jobs, newest first.
    ImportJobPage,
    ImportJob
);

impl ImportJob {
    /// The job as read from `row`, with its errors or (`with_errors` false,
    /// for lists) without.
    pub fn of(row: JobRow, with_errors: bool) -> Result<ImportJob, ApiError> {
        let errors: Vec<RowError> = if with_errors {
            serde_json::from_str(&row.errors)?
        } else {
            Vec::new()
        };
        Ok(ImportJob {
            href: format!("/api/v1/imports/{}", row.id),
            id: row.id,
            kind: ImportKind::from_db(&row.kind)?,
            directorate: row.directorate,
            dry_run: row.dry_run,
            filename: row.filename,
            status: JobStatus::from_db(&row.status)?,
            tally: Tally {
                rows_total: row.rows_total,
                rows_processed: row.rows_processed,
                rows_created: row.rows_created,
                rows_updated: row.rows_updated,
                rows_skipped: row.rows_skipped,
                rows_rejected: row.rows_rejected,
                error_count: row.error_count,
                errors,
            },
            failure: row.failure,
            created_at: row.created_at.and_utc(),
            created_by: row.created_by,
            started_at: row.started_at.map(|t| t.and_utc()),
            finished_at: row.finished_at.map(|t| t.and_utc()),
        })
    }
}

/// A job to record.
pub struct NewJob<'a> {
    /// What the file holds.
    pub kind: ImportKind,
    /// The directorate given for rows without one.
    pub directorate: Option<&'a str>,
    /// Whether nothing is saved.
    pub dry_run: bool,
    /// The file's name.
    pub filename: Option<&'a str>,
    /// The file's rows.
    pub rows_total: i64,
    /// Who asks.
    pub created_by: &'a str,
}

/// Record a new, queued job; returns its id.
pub fn create(conn: &mut DbConnection, job: &NewJob<'_>) -> Result<i64, ApiError> {
    let id = diesel::insert_into(import_jobs::table)
        .values((
            import_jobs::kind.eq(job.kind.as_str()),
            import_jobs::directorate.eq(job.directorate),
            import_jobs::dry_run.eq(job.dry_run),
            import_jobs::filename.eq(job.filename),
            import_jobs::status.eq(JobStatus::Queued.as_str()),
            import_jobs::rows_total.eq(job.rows_total),
            import_jobs::rows_processed.eq(0),
            import_jobs::rows_created.eq(0),
            import_jobs::rows_updated.eq(0),
            import_jobs::rows_skipped.eq(0),
            import_jobs::rows_rejected.eq(0),
            import_jobs::errors.eq("[]"),
            import_jobs::error_count.eq(0),
            import_jobs::created_at.eq(now()),
            import_jobs::created_by.eq(job.created_by),
        ))
        .returning(import_jobs::id)
        .get_result(conn)?;
    Ok(id)
}

/// Mark the job running.
pub fn start(conn: &mut DbConnection, id: i64) -> Result<(), ApiError> {
    diesel::update(import_jobs::table.find(id))
        .set((
            import_jobs::status.eq(JobStatus::Running.as_str()),
            import_jobs::started_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Record the job's progress: its counts, and its errors when
/// `errors_changed`.
pub fn progress(
    conn: &mut DbConnection,
    id: i64,
    tally: &Tally,
    errors_changed: bool,
) -> Result<(), ApiError> {
    let target = import_jobs::table.find(id);
    let counts = (
        import_jobs::rows_processed.eq(tally.rows_processed),
        import_jobs::rows_created.eq(tally.rows_created),
        import_jobs::rows_updated.eq(tally.rows_updated),
        import_jobs::rows_skipped.eq(tally.rows_skipped),
        import_jobs::rows_rejected.eq(tally.rows_rejected),
        import_jobs::error_count.eq(tally.error_count),
    );
    if errors_changed {
        let errors = serde_json::to_string(&tally.errors)?;
        diesel::update(target)
            .set((counts, import_jobs::errors.eq(errors)))
            .execute(conn)?;
    } else {
        diesel::update(target).set(counts).execute(conn)?;
    }
    Ok(())
}

/// Record the end of the job: `succeeded`, or `failed` for `failure`.
pub fn finish(conn: &mut DbConnection, id: i64, failure: Option<&str>) -> Result<(), ApiError> {
    let status = match failure {
        None => JobStatus::Succeeded,
        Some(_) => JobStatus::Failed,
    };
    diesel::update(import_jobs::table.find(id))
        .set((
            import_jobs::status.eq(status.as_str()),
            import_jobs::failure.eq(failure),
            import_jobs::finished_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The job `id`, or 404.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<JobRow, ApiError> {
    import_jobs::table
        .find(id)
        .select(JobRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(ApiError::not_found)
}

/// A page of jobs, newest first, and how many there are.
pub fn list(conn: &mut DbConnection, paging: &Paging) -> Result<(Vec<JobRow>, i64), ApiError> {
    let total: i64 = import_jobs::table.count().get_result(conn)?;
    let rows = import_jobs::table
        .order(import_jobs::id.desc())
        .limit(paging.limit)
        .offset(paging.offset)
        .select(JobRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
