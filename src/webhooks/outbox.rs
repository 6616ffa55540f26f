//! The outbox: events written in the transaction of the change they tell
//! of, each with one pending delivery for every active subscription that
//! asks for it.
//!
//! Matching subscriptions at write time, rather than later, keeps order per
//! record simple: a record's changes are committed one after another (its
//! row is locked, or SQLite's one writer holds the database), so its
//! deliveries are created in the order of its changes, and the worker sends
//! a delivery only when no earlier one of the same record and subscription
//! is pending. While there is no active subscription, a change costs one
//! small indexed query and writes nothing.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Map, Value};

use crate::audit::{Action, Changes};
use crate::db::schema::{
    feedback, job_leases, ombudsman_cases, service_improvements, webhook_deliveries,
    webhook_events, webhooks,
};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::webhooks::{DeliveryStatus, Entity, EventType};

/// How long a delivery is retried before it is marked failed.
pub const RETRY_FOR_HOURS: i64 = 24;

/// An active subscription, as events are matched against it.
struct Subscriber {
    id: i64,
    event_types: Vec<EventType>,
    directorates: Vec<String>,
}

impl Subscriber {
    fn wants(&self, event: EventType, directorate: Option<&str>) -> bool {
        self.event_types.contains(&event)
            && (self.directorates.is_empty()
                || directorate.is_some_and(|d| self.directorates.iter().any(|s| s == d)))
    }
}

fn subscribers(conn: &mut DbConnection) -> Result<Vec<Subscriber>, ApiError> {
    let query = webhooks::table.filter(webhooks::active.eq(true)).select((
        webhooks::id,
        webhooks::event_types,
        webhooks::directorates,
    ));
    let rows: Vec<(i64, String, String)> = crate::per_backend!(conn, |c| query.load(c))?;
    // A subscription that cannot be read (it never should) is skipped and
    // logged: it must not stop every change of the service.
    Ok(rows
        .into_iter()
        .filter_map(|(id, event_types, directorates)| {
            let read = serde_json::from_str::<Vec<String>>(&event_types).and_then(|types| {
                Ok(Subscriber {
                    id,
                    event_types: types.iter().filter_map(|t| EventType::parse(t)).collect(),
                    directorates: serde_json::from_str(&directorates)?,
                })
            });
            read.map_err(|error| tracing::error!(webhook = id, %error, "unreadable subscription"))
                .ok()
        })
        .collect())
}

/// What an event says of its entity besides the change: where it belongs,
/// its reference, and for feedback its status.
struct Subject {
    directorate: Option<String>,
    reference: Option<String>,
    /// Feedback: whether it had been responded to and closed (after the change).
    responded: bool,
    closed: bool,
}

fn subject(conn: &mut DbConnection, entity: Entity, id: i64) -> Result<Option<Subject>, ApiError> {
    let subject = match entity {
        Entity::Feedback => feedback::table
            .find(id)
            .select((
                feedback::directorate,
                feedback::reference,
                feedback::responded_on,
                feedback::closed_on,
            ))
            .get_result::<(String, Option<String>, Option<NaiveDate>, Option<NaiveDate>)>(conn)
            .optional()?
            .map(|(directorate, reference, responded, closed)| Subject {
                directorate: Some(directorate),
                reference,
                responded: responded.is_some(),
                closed: closed.is_some(),
            }),
        Entity::OmbudsmanCase => ombudsman_cases::table
            .find(id)
            .select((ombudsman_cases::directorate, ombudsman_cases::reference))
            .get_result::<(String, String)>(conn)
            .optional()?
            .map(|(directorate, reference)| Subject {
                directorate: Some(directorate),
                reference: Some(reference),
                responded: false,
                closed: false,
            }),
        Entity::Improvement => service_improvements::table
            .find(id)
            .select(service_improvements::directorate)
            .get_result::<String>(conn)
            .optional()?
            .map(|directorate| Subject {
                directorate: Some(directorate),
                reference: None,
                responded: false,
                closed: false,
            }),
    };
    Ok(subject)
}

/// A feedback record's status from whether it was responded to and closed.
fn feedback_status(responded: bool, closed: bool) -> &'static str {
    if closed {
        "closed"
    } else if responded {
        "responded"
    } else {
        "open"
    }
}

/// Whether a changed field went from empty to set, or back; `None` when
/// the change does not touch it.
fn was_set(changes: &Changes, field: &str) -> Option<bool> {
    changes.get(field).map(|change| !change.from.is_null())
}

/// The events one audited change makes, with the status after it where
/// the entity has one.
fn events_of(
    entity: Entity,
    action: Action,
    changes: &Changes,
    subject: Option<&Subject>,
) -> (Vec<EventType>, Option<&'static str>) {
    // Escalation makes the next stage, a new record (with `parent_id`), and
    // notes it in the parent's history (`escalated_to`): the parent is updated.
    let next_stage = action == Action::Escalate && changes.contains_key("parent_id");
    let mut events = match action {
        Action::Create | Action::Import => vec![entity.created()],
        _ if next_stage => vec![entity.created(), EventType::FeedbackEscalated],
        Action::Delete => return (vec![entity.deleted()], None),
        // Erasing or redacting what is already gone (its deletion was the
        // event) tells nothing more; an erased record kept anonymised and a
        // redacted one are changed.
        Action::Erase | Action::Redact if subject.is_none() => return (Vec::new(), None),
        _ => vec![entity.updated()],
    };
    let created = matches!(action, Action::Create | Action::Import) || next_stage;
    let mut status = None;
    match (entity, subject) {
        (Entity::Feedback, Some(now)) => {
            let after = feedback_status(now.responded, now.closed);
            let before = feedback_status(
                was_set(changes, "responded_on").unwrap_or(now.responded),
                was_set(changes, "closed_on").unwrap_or(now.closed),
            );
            status = Some(after);
            if before != after && !created {
                events.push(EventType::FeedbackStatusChanged);
            }
        }
        (Entity::OmbudsmanCase, _)
            if !created && changes.get("decision").is_some_and(|c| !c.to.is_null()) =>
        {
            events.push(EventType::OmbudsmanCaseDecided);
        }
        (Entity::Improvement, _) if !created && changes.contains_key("status") => {
            events.push(EventType::ImprovementStatusChanged);
        }
        _ => {}
    }
    (events, status)
}

/// Write the events of one audited change, inside the change's transaction:
/// [`crate::audit::record`] calls it for every change it logs.
pub fn capture(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
    action: Action,
    changes: &Changes,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let Some(entity) = Entity::of(entity_type) else {
        return Ok(());
    };
    let subscribers = subscribers(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let Ok(id) = entity_id.parse::<i64>() else {
        return Ok(());
    };
    capture_one(conn, &subscribers, entity, id, action, changes, at)
}

/// [`capture`] for many entities changed alike (a bulk import): the
/// subscriptions are read once.
pub fn capture_all(
    conn: &mut DbConnection,
    entity_type: &str,
    ids: &[i64],
    action: Action,
    changes: &Changes,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let Some(entity) = Entity::of(entity_type) else {
        return Ok(());
    };
    let subscribers = subscribers(conn)?;
    if subscribers.is_empty() {
        return Ok(());
    }
    for id in ids {
        capture_one(conn, &subscribers, entity, *id, action, changes, at)?;
    }
    Ok(())
}

fn capture_one(
    conn: &mut DbConnection,
    subscribers: &[Subscriber],
    entity: Entity,
    id: i64,
    action: Action,
    changes: &Changes,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let subject = subject(conn, entity, id)?;
    // A deleted entity is gone: its directorate is the one its last
    // change names, if any.
    let directorate = subject
        .as_ref()
        .and_then(|s| s.directorate.clone())
        .or_else(|| {
            changes
                .get("directorate")
                .and_then(|c| c.from.as_str().or(c.to.as_str()))
                .map(str::to_string)
        });
    let (events, status) = events_of(entity, action, changes, subject.as_ref());
    let mut data = Map::new();
    data.insert("entity".into(), json!(entity.name()));
    data.insert("id".into(), json!(id));
    data.insert(
        "reference".into(),
        json!(subject.as_ref().and_then(|s| s.reference.clone())),
    );
    data.insert("directorate".into(), json!(directorate));
    data.insert("action".into(), json!(action.as_str()));
    if let Some(status) = status {
        data.insert("status".into(), json!(status));
    }
    data.insert("changes".into(), serde_json::to_value(changes)?);
    let data = Value::Object(data);
    for event in events {
        publish(
            conn,
            subscribers,
            event,
            entity,
            id,
            directorate.as_deref(),
            &data,
            at,
        )?;
    }
    Ok(())
}

/// Write one event and its deliveries, if any active subscription wants it.
#[allow(clippy::too_many_arguments)]
fn publish(
    conn: &mut DbConnection,
    subscribers: &[Subscriber],
    event: EventType,
    entity: Entity,
    id: i64,
    directorate: Option<&str>,
    data: &Value,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let wanted: Vec<i64> = subscribers
        .iter()
        .filter(|s| s.wants(event, directorate))
        .map(|s| s.id)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let insert = diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::event_type.eq(event.as_str()),
            webhook_events::entity_type.eq(entity.name()),
            webhook_events::entity_id.eq(id.to_string()),
            webhook_events::directorate.eq(directorate),
            webhook_events::occurred_at.eq(at),
            webhook_events::data.eq(data.to_string()),
        ))
        .returning(webhook_events::id);
    let event_id: i64 = crate::per_backend!(&mut *conn, |c| insert.get_result(c))?;
    let give_up_at = at + chrono::Duration::hours(RETRY_FOR_HOURS);
    let deliveries: Vec<_> = wanted
        .into_iter()
        .map(|webhook_id| {
            (
                webhook_deliveries::webhook_id.eq(webhook_id),
                webhook_deliveries::event_id.eq(event_id),
                webhook_deliveries::entity_type.eq(entity.name()),
                webhook_deliveries::entity_id.eq(id.to_string()),
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_attempt_at.eq(at),
                webhook_deliveries::give_up_at.eq(give_up_at),
                webhook_deliveries::created_at.eq(at),
            )
        })
        .collect();
    let insert = diesel::insert_into(webhook_deliveries::table).values(deliveries);
    crate::per_backend!(&mut *conn, |c| insert.execute(c))?;
    Ok(())
}

/// The job lease row that remembers the last day checked for overdue records.
pub const OVERDUE_CURSOR: &str = "webhooks.overdue";

/// Once a day (on the first call of a day, on whichever instance): a
/// `feedback.overdue` event for each record that passed its due date since
/// the last check without a response. The first check ever looks back one
/// day, so a new subscription is not flooded with every record overdue
/// before it. Returns how many records were found overdue.
pub fn sweep_overdue(conn: &mut DbConnection, today: NaiveDate) -> Result<usize, ApiError> {
    let at = crate::db::now();
    let insert = diesel::insert_into(job_leases::table)
        .values((
            job_leases::name.eq(OVERDUE_CURSOR),
            job_leases::holder.eq("webhooks"),
            job_leases::expires_at.eq(at),
            job_leases::last_run_on.eq(today.pred_opt()),
        ))
        .on_conflict_do_nothing();
    crate::per_backend!(&mut *conn, |c| insert.execute(c))?;
    if let DbConnection::Postgres(pg) = conn {
        // Serialise the instances: the second waits, then finds the day done.
        diesel::sql_query("SELECT 1 FROM job_leases WHERE name = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(OVERDUE_CURSOR)
            .execute(pg)?;
    }
    let since: Option<NaiveDate> = job_leases::table
        .find(OVERDUE_CURSOR)
        .select(job_leases::last_run_on)
        .first(conn)?;
    let since = since.unwrap_or(today);
    if since >= today {
        return Ok(0);
    }
    diesel::update(job_leases::table.find(OVERDUE_CURSOR))
        .set((
            job_leases::last_run_on.eq(Some(today)),
            job_leases::expires_at.eq(at),
        ))
        .execute(conn)?;
    let subscribers: Vec<Subscriber> = subscribers(conn)?
        .into_iter()
        .filter(|s| s.event_types.contains(&EventType::FeedbackOverdue))
        .collect();
    if subscribers.is_empty() {
        return Ok(0);
    }
    // Overdue from today: due before today, and not due before the last check.
    let overdue: Vec<(i64, String, Option<String>, Option<NaiveDate>)> = feedback::table
        .filter(feedback::responded_on.is_null())
        .filter(feedback::due_on.ge(since))
        .filter(feedback::due_on.lt(today))
        .order(feedback::id.asc())
        .select((
            feedback::id,
            feedback::directorate,
            feedback::reference,
            feedback::due_on,
        ))
        .load(conn)?;
    for (id, directorate, reference, due_on) in &overdue {
        // As every change of the record does, so that its events are
        // numbered in the order they are committed.
        crate::db::lock_row(conn, "feedback", *id)?;
        let data = json!({
            "entity": Entity::Feedback.name(),
            "id": id,
            "reference": reference,
            "directorate": directorate,
            "action": "overdue",
            "status": "open",
            "due_on": due_on,
            "changes": {},
        });
        publish(
            conn,
            &subscribers,
            EventType::FeedbackOverdue,
            Entity::Feedback,
            *id,
            Some(directorate),
            &data,
            at,
        )?;
    }
    Ok(overdue.len())
}

/// Blank `fields` in the changes of every stored event of one entity: the
/// events of a redacted or erased record keep no copy of what was erased.
pub fn redact(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_id: &str,
    fields: &[&str],
) -> Result<(), ApiError> {
    let events: Vec<(i64, String)> = webhook_events::table
        .filter(webhook_events::entity_type.eq(entity_type))
        .filter(webhook_events::entity_id.eq(entity_id))
        .select((webhook_events::id, webhook_events::data))
        .load(conn)?;
    for (id, data) in events {
        let mut data: Value = serde_json::from_str(&data)?;
        let Some(changes) = data.get_mut("changes").and_then(Value::as_object_mut) else {
            continue;
        };
        let mut changed = false;
        for field in fields {
            if let Some(change) = changes.get_mut(*field) {
                *change = json!({
                    "from": crate::audit::redaction::REDACTED,
                    "to": crate::audit::redaction::REDACTED,
                });
                changed = true;
            }
        }
        if changed {
            diesel::update(webhook_events::table.find(id))
                .set(webhook_events::data.eq(data.to_string()))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// How long events and their deliveries are kept once nothing is pending.
pub const KEEP_DAYS: i64 = 30;

/// Drop events older than [`KEEP_DAYS`] with no pending delivery, and
/// their deliveries and attempts. Returns how many events went.
pub fn purge(conn: &mut DbConnection, at: NaiveDateTime) -> Result<usize, ApiError> {
    let before = at - chrono::Duration::days(KEEP_DAYS);
    let pending = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .select(webhook_deliveries::event_id);
    let old: Vec<i64> = webhook_events::table
        .filter(webhook_events::occurred_at.lt(before))
        .filter(webhook_events::id.ne_all(pending))
        .select(webhook_events::id)
        .limit(10_000)
        .load(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::event_id.eq_any(&old))
        .select(webhook_deliveries::id);
    diesel::delete(
        crate::db::schema::webhook_attempts::table
            .filter(crate::db::schema::webhook_attempts::delivery_id.eq_any(deliveries)),
    )
    .execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::event_id.eq_any(&old)))
        .execute(conn)?;
    Ok(
        diesel::delete(webhook_events::table.filter(webhook_events::id.eq_any(&old)))
            .execute(conn)?,
    )
}
