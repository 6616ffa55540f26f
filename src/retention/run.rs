//! Applying the retention schedule: one instance at a time (a lease in the
//! database), each item in its own transaction, checked again under its
//! row lock, so that a run repeated, or run on two instances at once,
//! touches each record once. Every anonymisation and deletion is audited as
//! an `erase` with the reason `retention`, without the erased content.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::due::{due, DueItem};
use super::schedule::{self, RetainedEntity, RetentionAction};
use crate::audit::Actor;
use crate::db::schema::{documents, job_leases};
use crate::db::{lock_row, now, Db, DbConnection};
use crate::documents::Documents;
use crate::error::ApiError;
use crate::feedback::model::FeedbackRow;
use crate::improvements::model::ImprovementRow;
use crate::ombudsman::model::CaseRecord;
use crate::records::erasure::{self, ErasureAction, ErasureReason, ErasureRequest};
use crate::records::{store, Record};
use crate::timescales::TimeRules;

/// The lease's name.
const LEASE: &str = "retention";

/// How long a run may hold the lease before another instance may take it
/// (a run that died).
const LEASE_TIME: i64 = 3600;

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RunReport {
    /// The day the schedule was applied as of.
    pub as_of: Option<NaiveDate>,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// Records, cases and improvements anonymised.
    pub anonymised: usize,
    /// Records, cases and improvements deleted.
    pub deleted: usize,
    /// Documents deleted by their own rule.
    pub documents_deleted: usize,
    /// Items a legal hold kept.
    pub held: usize,
    /// Items another run had already done, or that changed since.
    pub skipped: usize,
    /// The items due (for a dry run; empty otherwise).
    pub items: Vec<DueItem>,
}

/// Take the retention lease for `holder`, unless another instance holds it.
fn take_lease(conn: &mut DbConnection, holder: &str) -> Result<bool, ApiError> {
    let at = now();
    let expires = at + Duration::seconds(LEASE_TIME);
    let insert = diesel::insert_into(job_leases::table)
        .values((
            job_leases::name.eq(LEASE),
            job_leases::holder.eq(holder),
            job_leases::expires_at.eq(expires),
        ))
        .on_conflict_do_nothing();
    let inserted = crate::per_backend!(conn, |c| insert.execute(c))?;
    if inserted == 1 {
        return Ok(true);
    }
    let taken = diesel::update(
        job_leases::table
            .filter(job_leases::name.eq(LEASE))
            .filter(job_leases::expires_at.lt(at)),
    )
    .set((
        job_leases::holder.eq(holder),
        job_leases::expires_at.eq(expires),
    ))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Give the lease back, noting the day it ran for.
fn release_lease(
    conn: &mut DbConnection,
    holder: &str,
    ran_for: NaiveDate,
) -> Result<(), ApiError> {
    diesel::update(
        job_leases::table
            .filter(job_leases::name.eq(LEASE))
            .filter(job_leases::holder.eq(holder)),
    )
    .set((
        job_leases::expires_at.eq(now()),
        job_leases::last_run_on.eq(Some(ran_for)),
    ))
    .execute(conn)?;
    Ok(())
}

/// The day the last run was for, if any.
pub fn last_run_on(conn: &mut DbConnection) -> Result<Option<NaiveDate>, ApiError> {
    Ok(job_leases::table
        .find(LEASE)
        .select(job_leases::last_run_on)
        .first::<Option<NaiveDate>>(conn)
        .optional()?
        .flatten())
}

/// Apply the schedule as of `as_of` (or, `dry_run`, say what it would
/// do). 409 when another instance is running it.
pub async fn run(
    db: &Db,
    documents: &Arc<Documents>,
    as_of: NaiveDate,
    dry_run: bool,
) -> Result<RunReport, ApiError> {
    let items = db
        .run(move |conn| {
            let (rules, _) = schedule::load(conn)?;
            due(conn, &rules, as_of)
        })
        .await?;
    let mut report = RunReport {
        as_of: Some(as_of),
        dry_run,
        held: items.iter().filter(|i| i.legal_hold.is_some()).count(),
        ..RunReport::default()
    };
    if dry_run {
        report.items = items;
        return Ok(report);
    }
    let holder = crate::documents::storage::new_key();
    let lease_holder = holder.clone();
    if !db
        .write(move |conn| take_lease(conn, &lease_holder))
        .await?
    {
        return Err(ApiError::Conflict(
            "Another instance is applying the retention schedule now.".into(),
        ));
    }
    let actor = Actor::system("retention");
    let outcome = match db.run(TimeRules::load).await {
        Ok(rules) => apply_all(db, &actor, items, as_of, Arc::new(rules), &mut report).await,
        Err(error) => Err(error),
    };
    let release = db
        .write(move |conn| release_lease(conn, &holder, as_of))
        .await;
    documents.purge(db).await;
    db.scrub_after_erasure().await;
    outcome?;
    release?;
    tracing::info!(
        anonymised = report.anonymised,
        deleted = report.deleted,
        documents = report.documents_deleted,
        held = report.held,
        "applied the retention schedule"
    );
    Ok(report)
}

async fn apply_all(
    db: &Db,
    actor: &Actor,
    items: Vec<DueItem>,
    as_of: NaiveDate,
    rules: Arc<TimeRules>,
    report: &mut RunReport,
) -> Result<(), ApiError> {
    for item in items.into_iter().filter(|i| i.legal_hold.is_none()) {
        let (actor, rules) = (actor.clone(), rules.clone());
        let done = db
            .write(move |conn| {
                // A hold placed since the list was made still counts.
                let (entity, id) = held_by(&item, conn)?;
                if super::holds::find(conn, entity, id)?.is_some() {
                    return Ok((item, false));
                }
                let done = apply_one(conn, &actor, &item, as_of, &rules)?;
                Ok((item, done))
            })
            .await?;
        match done {
            (_, false) => report.skipped += 1,
            (item, true) => match (item.entity, item.action) {
                (RetainedEntity::Document, _) => report.documents_deleted += 1,
                (_, RetentionAction::Anonymise) => report.anonymised += 1,
                (_, RetentionAction::Delete) => report.deleted += 1,
            },
        }
    }
    Ok(())
}

/// The record whose hold keeps `item`: itself, or a document's record.
fn held_by(item: &DueItem, conn: &mut DbConnection) -> Result<(RetainedEntity, i64), ApiError> {
    if item.entity != RetainedEntity::Document {
        return Ok((item.entity, item.id));
    }
    let record: Option<(String, i64)> = documents::table
        .find(item.id)
        .select((documents::entity, documents::record_id))
        .first(conn)
        .optional()?;
    Ok(record
        .and_then(|(entity, id)| Some((RetainedEntity::parse(&entity)?, id)))
        .unwrap_or((RetainedEntity::Document, item.id)))
}

/// Apply `item` in the caller's transaction; false when it is gone or no
/// longer due (another run did it).
fn apply_one(
    conn: &mut DbConnection,
    actor: &Actor,
    item: &DueItem,
    as_of: NaiveDate,
    rules: &TimeRules,
) -> Result<bool, ApiError> {
    let request = ErasureRequest {
        reason: ErasureReason::Retention,
        action: Some(match item.action {
            RetentionAction::Anonymise => ErasureAction::Anonymise,
            RetentionAction::Delete => ErasureAction::Delete,
        }),
        note: Some(format!(
            "retention rule {} (due {})",
            item.rule + 1,
            item.due_on
        )),
    };
    match item.entity {
        RetainedEntity::Feedback => erase_one::<FeedbackRow>(conn, actor, item.id, &request, rules),
        RetainedEntity::OmbudsmanCase => {
            erase_one::<CaseRecord>(conn, actor, item.id, &request, &as_of)
        }
        RetainedEntity::ServiceImprovement => {
            erase_one::<ImprovementRow>(conn, actor, item.id, &request, &())
        }
        RetainedEntity::Document => {
            lock_row(conn, "documents", item.id)?;
            match crate::documents::model::find(conn, item.id)? {
                Some(document) if document.redacted_at.is_none() => {
                    crate::documents::model::delete(conn, actor, &document)?;
                    Ok(true)
                }
                _ => Ok(false),
            }
        }
    }
}

/// Anonymise or delete the record `id` of kind `R`, if it is still there
/// and (to anonymise) not yet redacted.
fn erase_one<R: Record>(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    request: &ErasureRequest,
    context: &R::Context,
) -> Result<bool, ApiError> {
    lock_row(conn, R::TABLE, id)?;
    let Some(record) = R::find(conn, id)? else {
        return Ok(false);
    };
    let anonymise = request.action == Some(ErasureAction::Anonymise);
    if anonymise && is_redacted(conn, R::TABLE, id)? {
        return Ok(false);
    }
    let redacted = store::redact_as(conn, actor, &record, context)?;
    if !anonymise {
        store::delete_as(conn, actor, &redacted)?;
    }
    erasure::record_erasure(conn, actor, R::ENTITY, &id.to_string(), request)?;
    Ok(true)
}

/// Whether the row `id` of `table` has been redacted.
fn is_redacted(conn: &mut DbConnection, table: &str, id: i64) -> Result<bool, ApiError> {
    #[derive(QueryableByName)]
    struct Redacted {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        redacted: bool,
    }
    let placeholder = match conn {
        DbConnection::Postgres(_) => "$1",
        DbConnection::Sqlite(_) => "?",
    };
    let sql =
        format!("SELECT redacted_at IS NOT NULL AS redacted FROM {table} WHERE id = {placeholder}");
    let query = diesel::sql_query(sql).bind::<diesel::sql_types::BigInt, _>(id);
    let rows: Vec<Redacted> = crate::per_backend!(conn, |c| query.load(c))?;
    Ok(rows.first().is_some_and(|r| r.redacted))
}
