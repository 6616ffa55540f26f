//! Bulk import from CSV files: feedback records from another system, and
//! the Ombudsman's published decisions. `redress import` runs one from the
//! command line; `POST /imports` runs one as a job, off the request, whose
//! progress any instance answers from the database.
//!
//! An import is [`prepare`]d first (the file read, its header planned, its
//! options checked: any problem there refuses the whole file), then [`run`]
//! in batches: each batch is checked row by row and saved in one write
//! transaction together with the job's progress, so nothing is half-written
//! and a re-run after a failure finds what was saved. The first feedback
//! import into an empty SQLite table is saved whole in one transaction
//! instead ([`first_load`]). Bad rows are rejected with their line and
//! column; good rows are saved.

pub mod api;
pub mod columns;
pub mod feedback;
pub mod first_load;
pub mod jobs;
pub mod ombudsman;
pub mod report;

use std::collections::HashSet;
use std::sync::Arc;

use actix_web::web;

use self::columns::{Columns, Mapping};
use self::feedback::{Checked, Checker};
use self::ombudsman::Layout;
use self::report::{ImportKind, Tally};
use crate::audit::Actor;
use crate::calendar::Today;
use crate::db::{Db, DbConnection};
use crate::error::{ApiError, FieldError};
use crate::timescales::TimeRules;

/// Rows of a file, each with its line (the header is line 1).
pub type Batch = Vec<(u64, csv::StringRecord)>;

/// Rows checked and saved per transaction: large, because each commit
/// writes every index page the batch touched.
pub const BATCH_ROWS: usize = 5_000;

/// The largest file the API accepts, in bytes (about 150,000 feedback
/// rows of a typical CRM export); the command line takes any size.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

/// What to import, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// What the file holds.
    pub kind: ImportKind,
    /// The directorate of rows that name none (required for decisions
    /// when the file has no directorate column).
    pub directorate: Option<String>,
    /// Check and count only; save nothing.
    pub dry_run: bool,
    /// The file's column names → field names, for a file whose header
    /// does not use the API's names.
    pub mapping: Option<Mapping>,
    /// The file's name, for the job and the audit log.
    pub filename: Option<String>,
}

/// A file read: its header and rows.
pub struct File {
    /// The column names of the first line.
    pub header: Vec<String>,
    /// Every other row, with its line.
    pub rows: Batch,
}

/// 422 for the file as a whole.
fn bad_file(message: impl Into<String>) -> ApiError {
    ApiError::field("file", message)
}

/// Read `bytes` as CSV (UTF-8, an optional byte order mark, a header row):
/// 422 when it is not CSV text.
pub fn read_csv(bytes: &[u8]) -> Result<File, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.is_empty() {
        return Err(bad_file("is empty: send a CSV file with a header row"));
    }
    if let Err(error) = std::str::from_utf8(bytes) {
        return Err(bad_file(format!(
            "is not a CSV text file: it is not UTF-8 (byte {})",
            error.valid_up_to()
        )));
    }
    if bytes.contains(&0) {
        return Err(bad_file("is not a CSV text file: it holds a NUL character"));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad_file(format!("is not a CSV file: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad_file(format!("is not a CSV file: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        // A blank line is no row.
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        rows.push((line, record));
    }
    Ok(File { header, rows })
}

/// How the rows of a prepared import are read.
pub enum Plan {
    /// Feedback records, checked as `POST /feedback` bodies.
    Feedback(Arc<Checker>),
    /// The Ombudsman's decisions.
    Ombudsman(Arc<Layout>),
}

/// An import whose file and options passed the checks.
pub struct Prepared {
    /// Its options.
    pub options: Options,
    /// How its rows are read.
    pub plan: Plan,
    /// Its rows.
    pub rows: Batch,
    /// How many columns the header has.
    pub width: usize,
    /// The day the rows are checked as of.
    pub today: Today,
}

/// Read and check a file for import: 422 when it is not CSV, when its
/// header names a column the import does not take, when the mapping names
/// a column the file does not have, or when `directorate` is not a
/// directorate. `rules` are the timescales the feedback rows are checked
/// against, as of `today`.
pub async fn prepare(
    db: &Db,
    bytes: &[u8],
    options: Options,
    rules: TimeRules,
    today: Today,
) -> Result<Prepared, ApiError> {
    let file = read_csv(bytes)?;
    let mapping = options.mapping.as_ref();
    let plan = match options.kind {
        ImportKind::Feedback => {
            let columns = Columns::plan("FeedbackInput", &file.header, mapping)?;
            // Every directorate the file names, looked up once.
            let mut named: HashSet<String> = options.directorate.iter().cloned().collect();
            if let Some(i) = columns.index_of(&file.header, mapping, "directorate") {
                named.extend(
                    file.rows
                        .iter()
                        .filter_map(|(_, row)| row.get(i))
                        .map(|cell| cell.trim().to_string())
                        .filter(|cell| !cell.is_empty()),
                );
            }
            let known = db
                .run(move |conn| feedback::directorates_named(conn, named))
                .await?;
            check_directorate(options.directorate.as_deref(), |code| {
                known.get(code).copied().unwrap_or(false)
            })?;
            Plan::Feedback(Arc::new(Checker {
                columns,
                directorate: options.directorate.clone(),
                rules,
                today,
                known,
            }))
        }
        ImportKind::OmbudsmanDecisions => {
            let layout = Layout::plan(&file.header, mapping, options.directorate.as_deref())?;
            if let Some(code) = options.directorate.clone() {
                let exists = db
                    .run(move |conn| crate::directorates::model::exists(conn, &code))
                    .await?;
                check_directorate(options.directorate.as_deref(), |_| exists)?;
            }
            Plan::Ombudsman(Arc::new(layout))
        }
    };
    Ok(Prepared {
        options,
        plan,
        width: file.header.len(),
        rows: file.rows,
        today,
    })
}

fn check_directorate(code: Option<&str>, exists: impl Fn(&str) -> bool) -> Result<(), ApiError> {
    match code {
        Some(code) if !exists(code) => Err(ApiError::field(
            "directorate",
            format!("unknown directorate `{code}`"),
        )),
        _ => Ok(()),
    }
}

/// Record a queued job for `prepared`, asked for by `by`; returns its id.
pub async fn create_job(db: &Db, prepared: &Prepared, by: &str) -> Result<i64, ApiError> {
    let options = prepared.options.clone();
    let rows = prepared.rows.len() as i64;
    let by = by.to_string();
    db.write(move |conn| {
        jobs::create(
            conn,
            &jobs::NewJob {
                kind: options.kind,
                directorate: options.directorate.as_deref(),
                dry_run: options.dry_run,
                filename: options.filename.as_deref(),
                rows_total: rows,
                created_by: &by,
            },
        )
    })
    .await
}

/// The rows of `batch` whose number of fields is not the header's
/// `width`, rejected into `tally`; the others are returned.
fn even_rows(batch: Batch, width: usize, tally: &mut Tally) -> Batch {
    let (good, bad): (Batch, Batch) = batch.into_iter().partition(|(_, r)| r.len() == width);
    for (line, row) in bad {
        tally.reject(
            line,
            vec![FieldError::new(
                "row",
                format!("has {} fields; the header has {width}", row.len()),
            )],
            |_| None,
        );
    }
    good
}

/// Run the prepared import as job `job`, by `actor`: batch by batch, each
/// saved with the job's progress in one write transaction; `progress` hears
/// the running tally after each. The job ends `succeeded`, or `failed` with
/// the error (which is also returned); batches saved before stay saved.
pub async fn run(
    db: &Db,
    prepared: Prepared,
    job: i64,
    actor: Actor,
    mut progress: impl FnMut(&Tally),
) -> Result<Tally, ApiError> {
    db.write(move |conn| jobs::start(conn, job)).await?;
    let outcome = run_batches(db, prepared, job, actor, &mut progress).await;
    let failure = outcome.as_ref().err().map(ToString::to_string);
    db.write(move |conn| jobs::finish(conn, job, failure.as_deref()))
        .await?;
    outcome
}

async fn run_batches(
    db: &Db,
    prepared: Prepared,
    job: i64,
    actor: Actor,
    progress: &mut impl FnMut(&Tally),
) -> Result<Tally, ApiError> {
    let Prepared {
        options,
        plan,
        rows,
        width,
        today,
    } = prepared;
    let mut total = Tally {
        rows_total: rows.len() as i64,
        ..Tally::default()
    };
    let mut batches = Vec::with_capacity(rows.len() / BATCH_ROWS + 1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        batches.push(rows.by_ref().take(BATCH_ROWS).collect::<Batch>());
    }
    let source = match &options.filename {
        Some(name) => format!("import job {job} ({name})"),
        None => format!("import job {job}"),
    };
    let dry_run = options.dry_run;
    match plan {
        Plan::Feedback(checker) => {
            let mut saver = FeedbackSaver {
                checker: checker.clone(),
                actor,
                source,
                dry_run,
                seen: HashSet::new(),
            };
            if !dry_run && db.run(first_load::applies).await? {
                return load_first(db, batches, saver, width, job, total, progress).await;
            }
            // The next batch is checked on a blocking thread while this one
            // is saved.
            let check = |batch: Batch| {
                let checker = checker.clone();
                web::block(move || check_batch(&checker, batch, width))
            };
            let mut batches = batches.into_iter();
            let mut next = batches.next().map(check);
            while let Some(checking) = next.take() {
                let checked = checking.await?;
                next = batches.next().map(check);
                let running = total.clone();
                let (saver_now, running) = db
                    .write_bulk(move |conn| {
                        let mut running = running;
                        let changed = saver.save(conn, checked, &mut running)?;
                        jobs::progress(conn, job, &running, changed)?;
                        Ok((saver, running))
                    })
                    .await?;
                saver = saver_now;
                total = running;
                progress(&total);
            }
        }
        Plan::Ombudsman(layout) => {
            let directorate = options.directorate.clone();
            for batch in batches {
                let (layout, actor, directorate) =
                    (layout.clone(), actor.clone(), directorate.clone());
                let mut running = total.clone();
                running = db
                    .write_bulk(move |conn| {
                        let mut batch_tally = Tally::default();
                        let size = batch.len();
                        let batch = even_rows(batch, width, &mut batch_tally);
                        let saved = ombudsman::save(
                            conn,
                            &batch,
                            &layout,
                            directorate.as_deref(),
                            &actor,
                            today,
                            dry_run,
                        )?;
                        batch_tally.add(saved);
                        batch_tally.rows_processed = size as i64;
                        batch_tally.errors.sort_by_key(|e| e.line);
                        let changed = !batch_tally.errors.is_empty()
                            && running.errors.len() < report::MAX_KEPT_ERRORS;
                        running.add(batch_tally);
                        jobs::progress(conn, job, &running, changed)?;
                        Ok(running)
                    })
                    .await?;
                total = running;
                progress(&total);
            }
        }
    }
    Ok(total)
}

/// A batch of feedback rows checked: the tally of rows rejected before
/// the check (a wrong number of fields), the check, and the batch's size.
type CheckedBatch = (Tally, Checked, usize);

/// Check `batch` of a file whose header has `width` columns.
fn check_batch(checker: &Checker, batch: Batch, width: usize) -> CheckedBatch {
    let mut early = Tally::default();
    let batch = even_rows(batch, width, &mut early);
    let size = batch.len() + early.rows_rejected as usize;
    let checked = checker.check(&batch);
    (early, checked, size)
}

/// Saves checked batches of feedback rows, remembering the external
/// references saved so far.
struct FeedbackSaver {
    checker: Arc<Checker>,
    actor: Actor,
    source: String,
    dry_run: bool,
    seen: HashSet<(String, String)>,
}

impl FeedbackSaver {
    /// Save `batch` (inside the caller's write transaction) and add its
    /// tally to `running`; returns whether the kept errors changed.
    fn save(
        &mut self,
        conn: &mut DbConnection,
        (mut tally, checked, size): CheckedBatch,
        running: &mut Tally,
    ) -> Result<bool, ApiError> {
        let saved = feedback::save(
            conn,
            checked,
            &self.checker,
            &mut self.seen,
            &self.actor,
            &self.source,
            self.dry_run,
        )?;
        tally.add(saved);
        tally.rows_processed = size as i64;
        tally.errors.sort_by_key(|e| e.line);
        let changed = !tally.errors.is_empty() && running.errors.len() < report::MAX_KEPT_ERRORS;
        running.add(tally);
        Ok(changed)
    }
}

/// What the checks hand to a first load's write.
enum Handed {
    /// The next batch, checked.
    Batch(CheckedBatch),
    /// No more batches: finish the load.
    End,
}

/// Run a feedback import as a first load (see [`first_load`]): one bulk
/// write saves every batch in one transaction, taking each from a channel
/// as the blocking threads finish checking it (one batch ahead), and tells
/// back the running tally, which `progress` hears. Should the checks stop
/// before the last batch, the write ends without [`Handed::End`] and rolls
/// back.
async fn load_first(
    db: &Db,
    batches: Vec<Batch>,
    mut saver: FeedbackSaver,
    width: usize,
    job: i64,
    mut total: Tally,
    progress: &mut impl FnMut(&Tally),
) -> Result<Tally, ApiError> {
    let (hand, take) = std::sync::mpsc::sync_channel::<Handed>(1);
    let (tell, mut hear) = tokio::sync::mpsc::unbounded_channel::<Tally>();
    let checker = saver.checker.clone();
    let load = db.write_bulk(move |conn| {
        let suspended = first_load::suspend(conn)?;
        let mut save_all = |conn: &mut DbConnection| loop {
            match take.recv() {
                Ok(Handed::Batch(batch)) => {
                    saver.save(conn, batch, &mut total)?;
                    let _ = tell.send(total.clone());
                }
                Ok(Handed::End) => return jobs::progress(conn, job, &total, true),
                Err(_) => {
                    return Err(ApiError::Internal(
                        "the import's checks stopped before its last batch".into(),
                    ))
                }
            }
        };
        let loaded = save_all(conn).and_then(|()| match suspended {
            Some(suspended) => first_load::restore(conn, suspended),
            None => Ok(()),
        });
        first_load::end(conn)?;
        loaded.map(|()| total)
    });
    let feed = async move {
        for next in batches.into_iter().map(Some).chain([None]) {
            let (checker, hand) = (checker.clone(), hand.clone());
            // The send waits while the write saves the batch before, so it
            // happens on the blocking thread too.
            let handed = web::block(move || {
                let handed = match next {
                    Some(batch) => Handed::Batch(check_batch(&checker, batch, width)),
                    None => Handed::End,
                };
                hand.send(handed).is_ok()
            })
            .await?;
            if !handed {
                // The write has ended: its error is the outcome.
                break;
            }
            while let Ok(running) = hear.try_recv() {
                progress(&running);
            }
        }
        drop(hand);
        while let Some(running) = hear.recv().await {
            progress(&running);
        }
        Ok::<(), ApiError>(())
    };
    let (loaded, fed) = futures_util::future::join(load, feed).await;
    // Checks that failed are what stopped the write, when both failed.
    fed?;
    loaded
}

/// A file-level problem's errors, for the command line.
pub fn describe(error: &ApiError) -> String {
    match error {
        ApiError::Validation(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
