//! Feedback records in the database: the row, the columns derived from its
//! fields (the stored clock, the search columns), its reference, its place
//! in the record core, and the stored clocks kept in step with the calendar.

use std::sync::Arc;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;

use crate::audit::redaction::{Field, Policy};
use crate::audit::{self, Action, Actor, Change, Changes};
use crate::calendar::model::{CalendarDependent, ChangedDays};
use crate::calendar::Calendar;
use crate::db::schema::{audit_log, feedback};
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::feedback::fields::FeedbackInput;
use crate::feedback::rules::{rule_for, Dates, Timeliness};
use crate::feedback::types::Status;
use crate::records::{self, Link, Proposal, Record, Write};

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

    /// The clock under the rules and `calendar`, on `today`.
    pub fn clock(&self, calendar: &Calendar, today: NaiveDate) -> Timeliness {
        clock_of(&self.fields, calendar, today)
    }
}

fn dates_of(input: &FeedbackInput) -> Dates {
    Dates {
        received_on: Some(input.received_on),
        acknowledged_on: input.acknowledged_on,
        responded_on: input.responded_on,
        extended_due_on: input.extended_due_on,
    }
}

fn clock_of(input: &FeedbackInput, calendar: &Calendar, today: NaiveDate) -> Timeliness {
    rule_for(input.kind, input.procedure, input.stage).clock(calendar, &dates_of(input), today)
}

/// The columns derived from a record's fields: its stored clock (what the
/// overdue filter and the due-date sort read) and what search and the
/// statistics read of the complainant.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = feedback, treat_none_as_null = true)]
struct Derived {
    complainant_name: Option<String>,
    is_young_person: Option<bool>,
    advocate_assisted: Option<bool>,
    due_on: Option<NaiveDate>,
    limit_on: Option<NaiveDate>,
    working_days_taken: Option<i32>,
}

impl Derived {
    fn of(input: &FeedbackInput, calendar: &Calendar) -> Derived {
        // The stored clock depends on no date but the record's own.
        let clock = clock_of(input, calendar, NaiveDate::MIN);
        let complainant = input.complainant.as_ref();
        Derived {
            complainant_name: complainant.and_then(|c| c.name.clone()),
            is_young_person: complainant.and_then(|c| c.is_young_person),
            advocate_assisted: complainant.and_then(|c| c.advocate_assisted),
            due_on: clock.due_on,
            limit_on: clock.limit_on,
            working_days_taken: clock.working_days_taken,
        }
    }
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

/// 422 when an agreed extension is not allowed under the current calendar.
pub fn check_extension(input: &FeedbackInput, calendar: &Calendar) -> Result<(), ApiError> {
    let rule = rule_for(input.kind, input.procedure, input.stage);
    match rule.extension_problem(calendar, &dates_of(input)) {
        Some(problem) => Err(ApiError::field("extended_due_on", problem)),
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
        Field::Object("complainant", &["name", "email", "phone", "address"]),
        Field::Text("summary"),
        Field::Text("learning"),
        Field::Text("extension_reason"),
        Field::ObjectList("remedies", &["description"]),
        Field::Text("service_area"),
        Field::Text("team"),
        Field::TextList("themes"),
        Field::Cleared("external_ref"),
    ],
};

impl Record for FeedbackRow {
    // The context is the calendar the stored clock is computed on.
    crate::record_basics!(entity ENTITY, table feedback, redaction REDACTION,
        input FeedbackInput, context Arc<Calendar>, id id, version version, fields fields);

    fn input(&self) -> FeedbackInput {
        self.fields.clone()
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Self>, ApiError> {
        crate::record_sql!(find feedback as FeedbackRow, conn, id)
    }
    fn insert(conn: &mut DbConnection, new: Write<'_, Self>) -> Result<i64, ApiError> {
        check_external_ref(conn, new.input, None)?;
        let values = (new.input.clone(), Derived::of(new.input, new.context));
        crate::record_sql!(insert feedback, conn, values, new.stamp)
    }
    fn write(&self, conn: &mut DbConnection, change: Write<'_, Self>) -> Result<(), ApiError> {
        check_external_ref(conn, change.input, Some(self.id))?;
        let values = (
            change.input.clone(),
            Derived::of(change.input, change.context),
        );
        crate::record_sql!(update feedback, conn, self.id, self.version, values, change.stamp)
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
    calendar: &Calendar,
    source: &str,
) -> Result<Vec<i64>, ApiError> {
    let mut all_ids = Vec::with_capacity(inputs.len());
    let changes = serde_json::to_string(&Changes::from([(
        "source".to_string(),
        Change {
            from: serde_json::Value::Null,
            to: json!(source),
        },
    )]))?;
    for chunk in inputs.chunks(BULK_CHUNK) {
        let at = now();
        let rows: Vec<_> = chunk
            .iter()
            .map(|input| {
                (
                    input.clone(),
                    Derived::of(input, calendar),
                    (
                        feedback::version.eq(1),
                        feedback::created_at.eq(at),
                        feedback::updated_at.eq(at),
                        feedback::created_by.eq(actor.username.clone()),
                    ),
                )
            })
            .collect();
        // Multi-row inserts need the backend's own connection.
        let insert = diesel::insert_into(feedback::table)
            .values(rows)
            .returning(feedback::id);
        let ids: Vec<i64> = crate::per_backend!(&mut *conn, |c| insert.get_results(c))?;
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
        let insert = diesel::insert_into(audit_log::table).values(entries);
        crate::per_backend!(&mut *conn, |c| insert.execute(c))?;
        all_ids.extend(ids);
    }
    Ok(all_ids)
}

/// Insert one record made by `actor` outside a request (demo data,
/// imports): no permission checks, with its audit entry.
pub fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &FeedbackInput,
    calendar: &Arc<Calendar>,
) -> Result<FeedbackRow, ApiError> {
    records::store::import::<FeedbackRow>(conn, actor, input, calendar)
}

/// A record's fields and its stored clock (due, limit, working days taken).
type StoredClockRow = (
    i64,
    FeedbackInput,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i32>,
);

/// The stored clocks of feedback records, kept up to date with the calendar.
pub struct StoredClocks;

impl CalendarDependent for StoredClocks {
    fn calendar_changed(
        &self,
        conn: &mut DbConnection,
        calendar: &Calendar,
        changed: ChangedDays,
    ) -> Result<(), ApiError> {
        recompute_clocks(conn, calendar, changed.first, changed.last).map(|_| ())
    }
}

/// Recompute the stored clock of every record whose timescales a change to
/// the calendar between `first` and `last` can touch: those received before
/// `last` whose stored due date, limit or response falls on or after `first`
/// (the only days a holiday moves are those between receipt and those dates,
/// wherever the target counts from). Returns how many changed.
pub fn recompute_clocks(
    conn: &mut DbConnection,
    calendar: &Calendar,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<usize, ApiError> {
    let mut after_id = 0_i64;
    let mut changed = 0;
    loop {
        let rows: Vec<StoredClockRow> = feedback::table
            .filter(feedback::received_on.le(last))
            .filter(
                feedback::due_on
                    .ge(first)
                    .or(feedback::limit_on.ge(first))
                    .or(feedback::responded_on.ge(first)),
            )
            .filter(feedback::id.gt(after_id))
            .order(feedback::id.asc())
            .limit(5_000)
            .select((
                feedback::id,
                FeedbackInput::as_select(),
                feedback::due_on,
                feedback::limit_on,
                feedback::working_days_taken,
            ))
            .load(conn)?;
        let Some(last_row) = rows.last() else { break };
        after_id = last_row.0;
        for (id, fields, due, limit, taken) in rows {
            let clock = clock_of(&fields, calendar, NaiveDate::MIN);
            if (clock.due_on, clock.limit_on, clock.working_days_taken) != (due, limit, taken) {
                diesel::update(feedback::table.find(id))
                    .set((
                        feedback::due_on.eq(clock.due_on),
                        feedback::limit_on.eq(clock.limit_on),
                        feedback::working_days_taken.eq(clock.working_days_taken),
                    ))
                    .execute(conn)?;
                changed += 1;
            }
        }
    }
    Ok(changed)
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
