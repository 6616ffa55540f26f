//! Feedback records in the database: the row, the columns derived from its
//! fields (the stored clock, the search columns), its reference, its place
//! in the record core, and the stored clocks kept in step with the calendar.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::redaction::{Field, Policy};
use crate::audit::{self, Action, Actor, Change, Changes};
use crate::calendar::model::{CalendarDependent, ChangedDays};
use crate::calendar::Calendar;
use crate::db::schema::{audit_log, feedback, feedback_themes};
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::feedback::fields::FeedbackInput;
use crate::feedback::types::{Kind, Procedure, Status};
use crate::records::{self, Link, Proposal, Record, Write};
use crate::timescales::clock::{Dates, Timeliness};
use crate::timescales::rules::Timescales;
use crate::timescales::{model as timescale_model, TimeRules};

/// The audit log's name for feedback records.
pub const ENTITY: &str = "feedback";

crate::record_row!(
    /// A row of `feedback`: what the core keeps, the reference, and the fields.
    pub struct FeedbackRow in feedback {
        /// `FB-000123`, made from the id by the database as the record is
    /// inserted (the `feedback_reference` trigger).
        pub reference: Option<String>,
        /// The writable fields.
        #[diesel(embed)]
        pub fields: FeedbackInput,
        /// Who handles it (`POST /feedback/{id}/assign`).
        pub handler_id: Option<i64>,
        /// The investigator, when a user of the service.
        pub investigator_id: Option<i64>,
        /// The investigator, when external (a name).
        pub investigator_name: Option<String>,
        /// When it was last reopened (`POST /feedback/{id}/reopen`): the
        /// start of its current round, from which its clock counts.
        pub reopened_on: Option<NaiveDate>,
    }
);

impl FeedbackRow {
    /// Where the record is in its life.
    pub fn status(&self) -> Status {
        if self.fields.closed_on.is_some() {
            Status::Closed
        } else if self.fields.responded_on.is_some() {
            Status::Responded
        } else {
            Status::Open
        }
    }

    /// The clock of its current round under the rules in force on the
    /// day the round began (its receipt, or its last reopening), on `today`.
    pub fn clock(&self, rules: &TimeRules, today: NaiveDate) -> Timeliness {
        clock_of(&self.fields, self.reopened_on, rules, today)
    }
}

/// The dates the clock counts, from the start of the current round:
/// `reopened_on` when the record was reopened, else its receipt.
fn dates_of(input: &FeedbackInput, reopened_on: Option<NaiveDate>) -> Dates {
    Dates {
        received_on: reopened_on.unwrap_or(input.received_on),
        acknowledged_on: input.acknowledged_on,
        panel_held_on: input.panel_held_on,
        panel_report_on: input.panel_report_on,
        responded_on: input.responded_on,
        extended_due_on: input.extended_due_on,
        extension_agreed_on: input.extension_agreed_on,
    }
}

fn clock_of(
    input: &FeedbackInput,
    reopened_on: Option<NaiveDate>,
    rules: &TimeRules,
    today: NaiveDate,
) -> Timeliness {
    // A complaint the council refused to take up was never under a
    // timescale (the Complaint Handling Code, section 2).
    if input.refused_on.is_some() {
        return Timeliness::default();
    }
    rules.clock(
        input.kind,
        input.procedure,
        input.stage,
        &dates_of(input, reopened_on),
        today,
    )
}

/// What search and the statistics read of the complainant, in columns.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = feedback,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct ComplainantColumns {
    complainant_name: Option<String>,
    is_young_person: Option<bool>,
    advocate_assisted: Option<bool>,
    complainant_relationship: Option<String>,
}

/// A record's stored clock: what the overdue filter, the due-date sort and
/// the statistics read. It depends on no date but the record's own, so it
/// changes only with the record, the calendar or the timescales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Insertable, AsChangeset, Queryable, Selectable)]
#[diesel(
    table_name = feedback,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct StoredClock {
    due_on: Option<NaiveDate>,
    limit_on: Option<NaiveDate>,
    working_days_taken: Option<i32>,
    target_due_on: Option<NaiveDate>,
    within_target: Option<bool>,
    within_original_target: Option<bool>,
}

impl StoredClock {
    fn of(input: &FeedbackInput, reopened_on: Option<NaiveDate>, rules: &TimeRules) -> StoredClock {
        let clock = clock_of(input, reopened_on, rules, NaiveDate::MIN);
        StoredClock {
            due_on: clock.due_on,
            limit_on: clock.limit_on,
            working_days_taken: clock.working_days_taken,
            target_due_on: clock.original_due_on,
            within_target: clock.within_target,
            within_original_target: clock.within_original_target,
        }
    }
}

/// A record's remedies with a due date, by whether they were kept: what
/// the complaint analysis sums (`promises`).
#[derive(Debug, Insertable, AsChangeset)]
// Without this, diesel's insert has no static query id even with no
// `Option` field, and its SQL is written again for every insert.
#[diesel(table_name = feedback, treat_none_as_default_value = false)]
struct RemedyColumns {
    remedies_on_time: i32,
    remedies_late: i32,
    remedies_not_done: i32,
}

impl RemedyColumns {
    fn of(input: &FeedbackInput) -> RemedyColumns {
        let mut columns = RemedyColumns {
            remedies_on_time: 0,
            remedies_late: 0,
            remedies_not_done: 0,
        };
        for remedy in &input.remedies {
            match (remedy.due_on, remedy.completed_on) {
                (None, _) => {}
                (Some(due), Some(done)) if done <= due => columns.remedies_on_time += 1,
                (Some(_), Some(_)) => columns.remedies_late += 1,
                (Some(_), None) => columns.remedies_not_done += 1,
            }
        }
        columns
    }
}

/// The columns derived from a record's fields.
fn derived(
    input: &FeedbackInput,
    reopened_on: Option<NaiveDate>,
    rules: &TimeRules,
) -> (ComplainantColumns, StoredClock, RemedyColumns) {
    let complainant = input.complainant.as_ref();
    (
        ComplainantColumns {
            complainant_name: complainant.and_then(|c| c.name.clone()),
            is_young_person: complainant.and_then(|c| c.is_young_person),
            advocate_assisted: complainant.and_then(|c| c.advocate_assisted),
            complainant_relationship: complainant
                .and_then(|c| c.relationship)
                .map(|r| r.as_str().to_string()),
        },
        StoredClock::of(input, reopened_on, rules),
        RemedyColumns::of(input),
    )
}

/// 409 when another record of the directorate has the input's `external_ref`.
fn check_external_ref(
    conn: &mut DbConnection,
    input: &FeedbackInput,
    own_id: Option<i64>,
) -> Result<(), ApiError> {
    let Some(external_ref) = &input.external_ref else {
        return Ok(());
    };
    let existing: Option<i64> = feedback::table
        .filter(feedback::directorate.eq(&input.directorate))
        .filter(feedback::external_ref.eq(external_ref))
        .select(feedback::id)
        .get_result(conn)
        .optional()?;
    records::ensure_free(existing, own_id, || {
        format!(
            "The directorate `{}` already has a record with external_ref `{external_ref}`.",
            input.directorate
        )
    })
}

/// 422 when the timescales in force on the record's day of receipt do not
/// have its stage (a corporate stage 3 from 1 April 2026), or the rule of
/// its current round (from `reopened_on`, when it was reopened) does not
/// allow its agreed extension under the current calendar.
pub fn check_timescale(
    input: &FeedbackInput,
    reopened_on: Option<NaiveDate>,
    rules: &TimeRules,
) -> Result<(), ApiError> {
    let received = input.received_on;
    // The current round's clock counts from its start, under the rules in
    // force that day.
    let anchor = reopened_on.unwrap_or(received);
    if let (Kind::Complaint, Some(procedure), Some(stage)) =
        (input.kind, input.procedure, input.stage)
    {
        if !rules.timescales.has_stage(procedure, stage, received) {
            let version = rules
                .timescales
                .in_force(received)
                .map(|v| v.effective_from.to_string())
                .unwrap_or_default();
            let stages = rules.timescales.stages(procedure, received);
            return Err(ApiError::field(
                "stage",
                format!(
                    "a {procedure} complaint received on {received} has stages {stages:?} (the timescales in force from {version}); stage {stage} is not one of them"
                ),
            ));
        }
    }
    let problem = rules
        .rule(input.kind, input.procedure, input.stage, anchor)
        .and_then(|rule| rule.extension_problem(&rules.calendar, &dates_of(input, reopened_on)));
    let problem = match (problem, input.extended_due_on) {
        (Some(problem), _) => Some(problem),
        (None, Some(_))
            if rules
                .rule(input.kind, input.procedure, input.stage, anchor)
                .is_none() =>
        {
            Some((
                "extended_due_on",
                "cannot be set: no timescale applies to this kind of record".to_string(),
            ))
        }
        (None, _) => None,
    };
    match problem {
        Some((field, message)) => Err(ApiError::field(field, message)),
        None => Ok(()),
    }
}

/// The directorate of record `id`, if it exists.
pub fn directorate_of(conn: &mut DbConnection, id: i64) -> Result<Option<String>, ApiError> {
    Ok(feedback::table
        .find(id)
        .select(feedback::directorate)
        .get_result(conn)
        .optional()?)
}

/// What redaction blanks in a record: the complainant's details and every
/// free-text field. The fields statistics count (kind, procedure, stage,
/// dates, category, outcome, remedy kinds and amounts, the complainant's
/// relationship, young person and advocate) stay.
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[
        Field::ObjectCleared(
            "complainant",
            &["name", "email", "phone", "address"],
            &["date_of_birth"],
        ),
        Field::Text("summary"),
        Field::Text("learning"),
        Field::Text("extension_reason"),
        Field::Text("refusal_details"),
        Field::Text("escalation_refusal_reason"),
        Field::Text("reasonable_adjustments"),
        Field::ObjectList("remedies", &["description"]),
        Field::Text("service_area"),
        Field::Text("team"),
        Field::TextList("themes"),
        Field::Cleared("external_ref"),
    ],
};

impl Record for FeedbackRow {
    // The context is what the stored clock is computed from.
    crate::record_basics!(entity ENTITY, table feedback, redaction REDACTION,
        input FeedbackInput, context TimeRules, id id, version version, fields fields);

    fn input(&self) -> FeedbackInput {
        self.fields.clone()
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Self>, ApiError> {
        crate::record_sql!(find feedback as FeedbackRow, conn, id)
    }
    fn insert(conn: &mut DbConnection, new: Write<'_, Self>) -> Result<i64, ApiError> {
        check_external_ref(conn, new.input, None)?;
        let values = (new.input.clone(), derived(new.input, None, new.context));
        let id = crate::record_sql!(insert feedback, conn, values, new.stamp)?;
        save_themes(conn, &[(id, &new.input.themes)])?;
        Ok(id)
    }
    fn write(&self, conn: &mut DbConnection, change: Write<'_, Self>) -> Result<(), ApiError> {
        check_external_ref(conn, change.input, Some(self.id))?;
        let values = (
            change.input.clone(),
            derived(change.input, self.reopened_on, change.context),
        );
        crate::record_sql!(update feedback, conn, self.id, self.version, values, change.stamp)?;
        if change.input.themes != self.fields.themes {
            diesel::delete(feedback_themes::table.filter(feedback_themes::feedback_id.eq(self.id)))
                .execute(conn)?;
            save_themes(conn, &[(self.id, &change.input.themes)])?;
        }
        Ok(())
    }

    /// The directorate exists; the parent exists, is visible, is in the same
    /// directorate and is not the record itself.
    fn check_references(
        conn: &mut DbConnection,
        proposal: Proposal<'_, Self>,
    ) -> Result<(), ApiError> {
        let (input, scope) = (proposal.input, proposal.scope);
        let mut errors = FieldErrors::new();
        let parent = Link::new("parent_id", "feedback record", "a record", directorate_of);
        match input.parent_id {
            Some(id) if proposal.current.is_some_and(|c| c.id == id) => {
                crate::directorates::model::check_exists(conn, &input.directorate, &mut errors)?;
                errors.add("parent_id", "cannot be the record itself");
            }
            id => records::check_links(
                conn,
                &input.directorate,
                scope,
                &[(parent, id)],
                &mut errors,
            )?,
        }
        errors.into_result()
    }
}

/// Write the theme rows of new records (`(id, themes)`), each theme once:
/// the table the theme filter and breakdowns read.
fn save_themes(conn: &mut DbConnection, records: &[(i64, &Vec<String>)]) -> Result<(), ApiError> {
    let mut rows = Vec::new();
    for (id, themes) in records {
        let mut seen = std::collections::BTreeSet::new();
        for theme in themes.iter().filter(|t| seen.insert(t.as_str())) {
            rows.push((
                feedback_themes::feedback_id.eq(*id),
                feedback_themes::theme.eq(theme.clone()),
            ));
        }
    }
    // At most two parameters a row: well under both backends' limits in
    // chunks of 1,000.
    for chunk in rows.chunks(1000) {
        let insert = diesel::insert_into(feedback_themes::table).values(chunk.to_vec());
        crate::per_backend!(&mut *conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// Rows per statement in [`bulk_insert`] (about 35 parameters each, well
/// under both backends' limits).
const BULK_CHUNK: usize = 100;

/// Insert many already-validated records at once (demo data, benchmarks,
/// migration from another system), each with an audit entry naming `source`.
/// Returns the new ids. Run it inside a write transaction.
pub fn bulk_insert(
    conn: &mut DbConnection,
    actor: &Actor,
    inputs: &[FeedbackInput],
    rules: &TimeRules,
    source: &str,
) -> Result<Vec<i64>, ApiError> {
    let mut all_ids = Vec::with_capacity(inputs.len());
    let source = Changes::from([(
        "source".to_string(),
        Change {
            from: serde_json::Value::Null,
            to: json!(source),
        },
    )]);
    let changes = serde_json::to_string(&source)?;
    search_index::pause(conn)?;
    let mut next_id = sqlite_ids::next(conn)?;
    for chunk in inputs.chunks(BULK_CHUNK) {
        let at = now();
        let row = |input: &FeedbackInput| {
            (
                input.clone(),
                derived(input, None, rules),
                (
                    feedback::version.eq(1),
                    feedback::created_at.eq(at),
                    feedback::updated_at.eq(at),
                    feedback::created_by.eq(actor.username.clone()),
                ),
            )
        };
        // Multi-row inserts need the backend's own connection.
        let ids: Vec<i64> = match (&mut *conn, next_id.as_mut()) {
            (DbConnection::Sqlite(c), Some(next)) => {
                let ids: Vec<i64> = (*next..).take(chunk.len()).collect();
                *next += chunk.len() as i64;
                // One prepared statement, run once per row: diesel keeps a
                // single-row insert's statement by its type, where a
                // many-row insert has its SQL written again every time.
                for (input, &id) in chunk.iter().zip(&ids) {
                    let reference = sqlite_ids::reference(id);
                    diesel::insert_into(feedback::table)
                        .values((
                            row(input),
                            (feedback::id.eq(id), feedback::reference.eq(reference)),
                        ))
                        .execute(c)?;
                }
                ids
            }
            (conn, _) => {
                let rows: Vec<_> = chunk.iter().map(row).collect();
                let insert = diesel::insert_into(feedback::table)
                    .values(rows)
                    .returning(feedback::id);
                crate::per_backend!(conn, |c| insert.get_results(c))?
            }
        };
        let themes: Vec<_> = ids
            .iter()
            .copied()
            .zip(chunk.iter().map(|i| &i.themes))
            .collect();
        save_themes(conn, &themes)?;
        let entries: Vec<_> = ids
            .iter()
            .map(|id| {
                (
                    audit_log::occurred_at.eq(at),
                    audit_log::actor_id.eq(actor.id),
                    audit_log::actor.eq(actor.username.clone()),
                    audit_log::entity_type.eq(ENTITY),
                    audit_log::entity_id.eq(id.to_string()),
                    audit_log::action.eq(Action::Import.as_str()),
                    audit_log::changes.eq(changes.clone()),
                    audit_log::request_id.eq(actor.request_id.clone()),
                )
            })
            .collect();
        match &mut *conn {
            // As the records above: a statement kept by its type, row by row.
            DbConnection::Sqlite(c) => {
                for entry in entries {
                    diesel::insert_into(audit_log::table)
                        .values(entry)
                        .execute(c)?;
                }
            }
            DbConnection::Postgres(c) => {
                diesel::insert_into(audit_log::table)
                    .values(entries)
                    .execute(c)?;
            }
        }
        crate::webhooks::outbox::capture_all(conn, ENTITY, &ids, Action::Import, &source, at)?;
        all_ids.extend(ids);
    }
    search_index::resume(conn, &all_ids)?;
    Ok(all_ids)
}

/// On SQLite, a bulk insert gives its records their ids and references
/// itself, as the database would (migration 000002's `feedback_reference`
/// trigger): the trigger sets a reference with an `UPDATE` of the row just
/// inserted, which writes every record twice. A bulk insert runs alone on
/// the writer (see `Db::write_bulk`), so no other insert takes an id
/// meanwhile. On PostgreSQL the sequence and a `BEFORE INSERT` trigger do it
/// in one write, and [`next`](sqlite_ids::next) is `None`.
mod sqlite_ids {
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;

    use crate::db::DbConnection;
    use crate::error::ApiError;

    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }

    /// The id SQLite would give the next record: one past the highest
    /// ever given (`AUTOINCREMENT` never reuses a deleted record's id).
    pub fn next(conn: &mut DbConnection) -> Result<Option<i64>, ApiError> {
        let DbConnection::Sqlite(c) = conn else {
            return Ok(None);
        };
        let next: Next = diesel::sql_query(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'feedback'), 0), \
                        coalesce((SELECT max(id) FROM feedback), 0)) + 1 AS id",
        )
        .get_result(c)?;
        Ok(Some(next.id))
    }

    /// The reference of record `id`: `FB-` and the id, six digits at least.
    pub fn reference(id: i64) -> String {
        format!("FB-{id:06}")
    }
}

/// SQLite's free-text search index (`feedback_search`, FTS5), which a
/// trigger keeps row by row. Row by row, FTS5 writes a new index segment
/// at every statement; a bulk insert pauses the trigger and indexes its
/// records with one statement instead (migration 000031). On PostgreSQL
/// the trigram indexes need nothing, and both are no-ops.
mod search_index {
    use diesel::prelude::*;

    use crate::db::DbConnection;
    use crate::error::ApiError;

    /// Pause the insert trigger until [`resume`], inside the caller's
    /// transaction (so no other write ever sees it paused).
    pub fn pause(conn: &mut DbConnection) -> Result<(), ApiError> {
        if let DbConnection::Sqlite(c) = conn {
            diesel::sql_query("INSERT INTO search_index_paused (paused) VALUES (1)").execute(c)?;
        }
        Ok(())
    }

    /// Unpause the trigger and index the records `ids` inserted meanwhile.
    pub fn resume(conn: &mut DbConnection, ids: &[i64]) -> Result<(), ApiError> {
        let DbConnection::Sqlite(c) = conn else {
            return Ok(());
        };
        diesel::sql_query("DELETE FROM search_index_paused").execute(c)?;
        // Well under SQLite's limit on parameters.
        for chunk in ids.chunks(10_000) {
            let list = vec!["?"; chunk.len()].join(",");
            let mut index = diesel::sql_query(format!(
                "INSERT INTO feedback_search (rowid, reference, summary, complainant_name) \
                 SELECT id, reference, summary, complainant_name FROM feedback WHERE id IN ({list})"
            ))
            .into_boxed();
            for id in chunk {
                index = index.bind::<diesel::sql_types::BigInt, _>(*id);
            }
            index.execute(c)?;
        }
        Ok(())
    }
}

/// Insert one record made by `actor` outside a request (demo data,
/// imports): no permission checks, with its audit entry.
pub fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &FeedbackInput,
    rules: &TimeRules,
) -> Result<FeedbackRow, ApiError> {
    records::store::import::<FeedbackRow>(conn, actor, input, rules)
}

/// The stored clocks of feedback records, kept up to date with the calendar.
pub struct StoredClocks;

impl CalendarDependent for StoredClocks {
    fn calendar_changed(
        &self,
        conn: &mut DbConnection,
        calendar: &Calendar,
        changed: ChangedDays,
    ) -> Result<(), ApiError> {
        // The calendar as the change left it, which the caller passes.
        let rules = TimeRules {
            calendar: std::sync::Arc::new(calendar.clone()),
            timescales: std::sync::Arc::new(timescale_model::load(conn)?),
        };
        recompute_clocks(conn, &rules, changed.first, changed.last).map(|_| ())
    }
}

type Narrowed<'a> = feedback::BoxedQuery<'a, crate::db::MultiBackend>;

/// Recompute the stored clock of every record `narrow` selects, in batches
/// by id; returns how many changed.
fn recompute(
    conn: &mut DbConnection,
    rules: &TimeRules,
    narrow: impl Fn(Narrowed<'static>) -> Narrowed<'static>,
) -> Result<usize, ApiError> {
    let mut after_id = 0_i64;
    let mut changed = 0;
    loop {
        let rows: Vec<(i64, FeedbackInput, Option<NaiveDate>, StoredClock)> =
            narrow(feedback::table.into_boxed())
                .filter(feedback::id.gt(after_id))
                .order(feedback::id.asc())
                .limit(5_000)
                .select((
                    feedback::id,
                    FeedbackInput::as_select(),
                    feedback::reopened_on,
                    StoredClock::as_select(),
                ))
                .load(conn)?;
        let Some(last_row) = rows.last() else { break };
        after_id = last_row.0;
        for (id, fields, reopened_on, stored) in rows {
            let clock = StoredClock::of(&fields, reopened_on, rules);
            if clock != stored {
                diesel::update(feedback::table.find(id))
                    .set(clock)
                    .execute(conn)?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

/// Recompute the stored clock of every record whose timescales a change to
/// the calendar between `first` and `last` can touch: those received before
/// `last` whose stored due date, limit or response falls on or after `first`
/// (the only days a holiday moves are those between receipt and those dates,
/// wherever the target counts from). Returns how many changed.
pub fn recompute_clocks(
    conn: &mut DbConnection,
    rules: &TimeRules,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<usize, ApiError> {
    recompute(conn, rules, |query| {
        query.filter(feedback::received_on.le(last)).filter(
            feedback::due_on
                .ge(first)
                .or(feedback::limit_on.ge(first))
                .or(feedback::responded_on.ge(first)),
        )
    })
}

/// Recompute the stored clock of every record received from `from` to
/// `until` (inclusive): those a change to the timescales touches.
pub fn recompute_received(
    conn: &mut DbConnection,
    rules: &TimeRules,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<usize, ApiError> {
    recompute(conn, rules, |query| {
        query
            .filter(feedback::received_on.ge(from))
            .filter(feedback::received_on.le(until))
    })
}

/// The version of the stored clocks' formula: raise it when the clock
/// changes meaning, and every stored clock is recomputed when the service
/// next starts. 2: the Regulations' "beginning with" months, milestones,
/// the original target and longer periods agreed (issue 11).
pub const STORED_CLOCKS_FORMULA: i32 = 2;

/// Recompute every stored clock if they were computed with an older
/// formula (once, on the first start after an upgrade). Returns how many
/// changed, if it ran.
pub fn refresh_stored_clocks(conn: &mut DbConnection) -> Result<Option<usize>, ApiError> {
    crate::db::lock_row(conn, "timescale_state", 1)?;
    if timescale_model::stored_clocks_formula(conn)? >= STORED_CLOCKS_FORMULA {
        return Ok(None);
    }
    let rules = TimeRules::load(conn)?;
    let changed = recompute(conn, &rules, |query| query)?;
    timescale_model::set_stored_clocks_formula(conn, STORED_CLOCKS_FORMULA)?;
    Ok(Some(changed))
}

/// The complaints received from `from` to `until` whose procedure and stage
/// the timescales in force on their day of receipt do not name, as
/// (procedure, stage, how many).
pub fn complaints_without_stage(
    conn: &mut DbConnection,
    timescales: &Timescales,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<(Procedure, i32, i64)>, ApiError> {
    let groups: Vec<(Option<Procedure>, Option<i32>, NaiveDate, i64)> = feedback::table
        .filter(feedback::kind.eq(Kind::Complaint))
        .filter(feedback::received_on.ge(from))
        .filter(feedback::received_on.le(until))
        .group_by((feedback::procedure, feedback::stage, feedback::received_on))
        .select((
            feedback::procedure,
            feedback::stage,
            feedback::received_on,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut stranded: Vec<(Procedure, i32, i64)> = Vec::new();
    for (procedure, stage, received, count) in groups {
        let (Some(procedure), Some(stage)) = (procedure, stage) else {
            continue;
        };
        if timescales.has_stage(procedure, stage, received) {
            continue;
        }
        match stranded
            .iter_mut()
            .find(|(p, s, _)| (*p, *s) == (procedure, stage))
        {
            Some(line) => line.2 += count,
            None => stranded.push((procedure, stage, count)),
        }
    }
    Ok(stranded)
}

/// Record the escalation of `parent` in its own history.
pub fn note_escalation(
    conn: &mut DbConnection,
    actor: &Actor,
    parent: &FeedbackRow,
    child: &FeedbackRow,
) -> Result<(), ApiError> {
    let changes = Changes::from([(
        "escalated_to".to_string(),
        Change {
            from: serde_json::Value::Null,
            to: json!(child.reference),
        },
    )]);
    audit::record(
        conn,
        actor,
        ENTITY,
        &parent.id.to_string(),
        Action::Escalate,
        &changes,
    )
}
