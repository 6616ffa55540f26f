//! Subscriptions and deliveries in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor};
use crate::db::page::{Paging, SortField};
use crate::db::precondition::Precondition;
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_events, webhooks};
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::validation::Validate;
use crate::webhooks::{address, DeliveryStatus, EventType};

/// The audit log's name for subscriptions.
pub const ENTITY: &str = "webhook";

/// What an admin writes of a subscription (`POST /webhooks`, and the
/// fields a `PATCH` may change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where events are POSTed: an `https` URL whose host resolves only to
    /// public addresses (`http` and private addresses with
    /// `WEBHOOK_ALLOW_PRIVATE=true`).
    #[schema(
        max_length = 2000,
        example = "https://crm.example.gov.uk/hooks/redress"
    )]
    pub url: String,
    /// The key of each delivery's `X-Redress-Signature` (HMAC-SHA256 over
    /// the timestamp, a full stop and the body): 16 to 200 characters.
    /// Never returned.
    #[schema(min_length = 16, max_length = 200, write_only)]
    pub secret: String,
    /// The events to send: at least one.
    #[schema(min_items = 1, max_items = 50)]
    pub event_types: Vec<EventType>,
    /// Only events of records in these directorates; empty: every directorate.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub directorates: Vec<String>,
    /// Whether events carry personal data and free text (the complainant,
    /// summaries, remedies' descriptions: what redaction blanks). Off by
    /// default: the fields are left out of each event's `changes`.
    #[serde(default)]
    pub include_personal_data: bool,
    /// Whether events are sent (default true). While inactive, no event is
    /// recorded for the subscription; deliveries already waiting wait.
    #[serde(default = "active_by_default")]
    pub active: bool,
    /// A note for admins: what receives the events.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

fn active_by_default() -> bool {
    true
}

/// What a subscription has that is not written: sending it is a 422 saying so.
const READ_ONLY: &[&str] = &["id", "version", "created_at", "updated_at", "created_by"];

impl crate::http::json::RequestBody for WebhookInput {
    const READ_ONLY: &'static [&'static str] = READ_ONLY;
}

/// The fields a `PATCH /webhooks/{id}` may change (a JSON merge patch).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct WebhookPatch {
    /// See `WebhookInput.url`.
    #[schema(max_length = 2000)]
    url: Option<String>,
    /// See `WebhookInput.secret`.
    #[schema(min_length = 16, max_length = 200, write_only)]
    secret: Option<String>,
    /// See `WebhookInput.event_types`.
    #[schema(min_items = 1, max_items = 50)]
    event_types: Option<Vec<EventType>>,
    /// See `WebhookInput.directorates`.
    #[schema(max_items = 100)]
    directorates: Option<Vec<String>>,
    /// See `WebhookInput.include_personal_data`.
    include_personal_data: Option<bool>,
    /// See `WebhookInput.active`.
    active: Option<bool>,
    /// See `WebhookInput.description`.
    #[schema(max_length = 500)]
    description: Option<String>,
}

impl crate::http::json::PatchBody for WebhookPatch {
    const READ_ONLY: &'static [&'static str] = READ_ONLY;
}

impl Validate for WebhookInput {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
        // The address check resolves the host; the handler does it off the
        // request thread. Here: its form only.
        if let Err(address::Refused(why)) = address::check_form(&self.url) {
            errors.add("url", why);
        }
        let secret = self.secret.chars().count();
        if !(16..=200).contains(&secret) {
            errors.add("secret", "must be 16 to 200 characters");
        }
        if self.event_types.is_empty() {
            errors.add("event_types", "must name at least one event type");
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 500)
        {
            errors.add("description", "must be at most 500 characters");
        }
    }
}

/// A row of `webhooks`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    /// Id.
    pub id: i64,
    /// Version, for `ETag`.
    pub version: i64,
    /// Target URL.
    pub url: String,
    /// Signing key.
    pub secret: String,
    /// JSON array of event types.
    pub event_types: String,
    /// JSON array of directorate codes.
    pub directorates: String,
    /// Whether events carry personal data.
    pub include_personal_data: bool,
    /// Whether events are sent.
    pub active: bool,
    /// Admins' note.
    pub description: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: String,
}

impl WebhookRow {
    /// The subscription as written (with its secret), for a patch to apply to.
    pub fn input(&self) -> Result<WebhookInput, ApiError> {
        Ok(WebhookInput {
            url: self.url.clone(),
            secret: self.secret.clone(),
            event_types: serde_json::from_str(&self.event_types)?,
            directorates: serde_json::from_str(&self.directorates)?,
            include_personal_data: self.include_personal_data,
            active: self.active,
            description: self.description.clone(),
        })
    }
}

/// The columns a subscription's input writes, for both its insert and its
/// updates (the lists are JSON arrays).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = webhooks, treat_none_as_null = true)]
struct Columns<'a> {
    url: &'a str,
    secret: &'a str,
    event_types: String,
    directorates: String,
    include_personal_data: bool,
    active: bool,
    description: Option<&'a str>,
}

impl<'a> Columns<'a> {
    fn of(input: &'a WebhookInput) -> Result<Columns<'a>, ApiError> {
        Ok(Columns {
            url: &input.url,
            secret: &input.secret,
            event_types: serde_json::to_string(&input.event_types)?,
            directorates: serde_json::to_string(&input.directorates)?,
            include_personal_data: input.include_personal_data,
            active: input.active,
            description: input.description.as_deref(),
        })
    }
}

/// The subscription's fields as the audit log keeps them: the secret only
/// as a note that one is set.
fn audited(input: &WebhookInput) -> Value {
    let mut value = serde_json::to_value(input).unwrap_or(Value::Null);
    if let Some(secret) = value.get_mut("secret") {
        *secret = json!(format!(
            "[set, {} characters]",
            input.secret.chars().count()
        ));
    }
    value
}

/// 422 unless every directorate exists.
fn check_directorates(conn: &mut DbConnection, input: &WebhookInput) -> Result<(), ApiError> {
    let missing = crate::directorates::model::missing(conn, &input.directorates)?;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::field(
            "directorates",
            format!("unknown directorates: {}", missing.join(", ")),
        ))
    }
}

/// Add a subscription.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &WebhookInput,
) -> Result<WebhookRow, ApiError> {
    check_directorates(conn, input)?;
    let at = now();
    let insert = diesel::insert_into(webhooks::table)
        .values((
            Columns::of(input)?,
            webhooks::version.eq(1),
            webhooks::created_at.eq(at),
            webhooks::updated_at.eq(at),
            webhooks::created_by.eq(&actor.username),
        ))
        .returning(webhooks::id);
    let id: i64 = crate::per_backend!(&mut *conn, |c| insert.get_result(c))?;
    let changes = audit::diff(&json!({}), &audited(input));
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Create,
        &changes,
    )?;
    find(conn, id)
}

/// The subscription `id`, or 404.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<WebhookRow, ApiError> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(ApiError::not_found)
}

/// The fields the list sorts by.
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "webhooks.id"),
    SortField::new("created_at", "webhooks.created_at"),
    SortField::new("updated_at", "webhooks.updated_at"),
];

/// A page of subscriptions and the total.
pub fn list(conn: &mut DbConnection, paging: &Paging) -> Result<(Vec<WebhookRow>, i64), ApiError> {
    let filtered = || {
        let mut query = webhooks::table.into_boxed();
        if let Some(since) = paging.updated_since {
            query = query.filter(webhooks::updated_at.ge(since));
        }
        query
    };
    Ok(crate::page!(
        conn,
        filtered(),
        paging,
        SORTABLE,
        "webhooks.id",
        WebhookRow
    ))
}

/// Change a subscription: `change` makes the new input from the current one.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    precondition: &Precondition,
    change: impl FnOnce(WebhookInput) -> Result<WebhookInput, ApiError>,
) -> Result<WebhookRow, ApiError> {
    crate::db::lock_row(conn, "webhooks", id)?;
    let current = find(conn, id)?;
    precondition.check(current.version)?;
    let before = current.input()?;
    let after = change(before.clone())?;
    check_directorates(conn, &after)?;
    if before == after {
        return Ok(current);
    }
    let mut changes = audit::diff(&audited(&before), &audited(&after));
    if before.secret != after.secret {
        // A new secret of the same length: recorded, never its value.
        changes.insert(
            "secret".into(),
            audit::Change {
                from: json!("[set]"),
                to: json!("[changed]"),
            },
        );
    }
    diesel::update(webhooks::table.find(id))
        .set((
            Columns::of(&after)?,
            webhooks::version.eq(current.version + 1),
            webhooks::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Update,
        &changes,
    )?;
    find(conn, id)
}

/// Delete a subscription with its deliveries and their attempts.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    crate::db::lock_row(conn, "webhooks", id)?;
    let current = find(conn, id)?;
    precondition.check(current.version)?;
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(id))
        .select(webhook_deliveries::id);
    diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
    )
    .execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(id)))
        .execute(conn)?;
    diesel::delete(webhooks::table.find(id)).execute(conn)?;
    let changes = audit::diff(&audited(&current.input()?), &json!({}));
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Delete,
        &changes,
    )
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attempt {
    /// When it was made.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The receiver's HTTP status; null when no answer came (see `error`).
    pub status_code: Option<i32>,
    /// What went wrong: a status outside 2xx, a refused address, a timeout
    /// or a connection error. Null when it succeeded.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
}

/// One event's delivery to one subscription, with its attempts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    /// The delivery's id (for `redeliver`).
    pub id: i64,
    /// The event's id: the receiver's key for deduplication, sent as
    /// `X-Redress-Event-Id` and as the body's `id`.
    pub event_id: i64,
    /// What happened.
    pub event_type: EventType,
    /// The entity the event is about: `feedback`, `ombudsman_case` or
    /// `service_improvement`.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// When the event happened.
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// Where the delivery is.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due; null unless pending.
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the receiver accepted it; null until then.
    pub delivered_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When retrying stops and the delivery is marked failed.
    pub give_up_at: chrono::DateTime<chrono::Utc>,
    /// Its attempts, oldest first (the last 20).
    pub attempt_log: Vec<Attempt>,
}

crate::page_type!(
    /// A page of deliveries, newest first.
    DeliveryPage, Delivery
);

/// An attempt: its delivery, time, status code, error and duration.
type AttemptRow = (i64, NaiveDateTime, Option<i32>, Option<String>, i64);

type DeliveryRow = (
    (i64, i64, String, String, String, i32, NaiveDateTime),
    (Option<NaiveDateTime>, NaiveDateTime),
    (String, NaiveDateTime),
);

/// A page of the subscription's deliveries, newest first, optionally only
/// those in `status`.
pub fn deliveries(
    conn: &mut DbConnection,
    webhook_id: i64,
    status: Option<DeliveryStatus>,
    paging: &Paging,
) -> Result<DeliveryPage, ApiError> {
    find(conn, webhook_id)?;
    let (items, total) = load_deliveries(conn, webhook_id, status, None, paging)?;
    Ok(DeliveryPage::of(items, total, paging))
}

/// The subscription's deliveries (newest first) in `status`, or the one
/// delivery `only`, with the total.
fn load_deliveries(
    conn: &mut DbConnection,
    webhook_id: i64,
    status: Option<DeliveryStatus>,
    only: Option<i64>,
    paging: &Paging,
) -> Result<(Vec<Delivery>, i64), ApiError> {
    let filtered = || {
        let mut query = webhook_deliveries::table
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(webhook_deliveries::status.eq(status.as_str()));
        }
        if let Some(id) = only {
            query = query.filter(webhook_deliveries::id.eq(id));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<DeliveryRow> = filtered()
        .order(webhook_deliveries::id.desc())
        .limit(paging.limit)
        .offset(paging.offset)
        .select((
            (
                webhook_deliveries::id,
                webhook_deliveries::event_id,
                webhook_deliveries::entity_type,
                webhook_deliveries::entity_id,
                webhook_deliveries::status,
                webhook_deliveries::attempts,
                webhook_deliveries::next_attempt_at,
            ),
            (
                webhook_deliveries::delivered_at,
                webhook_deliveries::give_up_at,
            ),
            (webhook_events::event_type, webhook_events::occurred_at),
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0 .0).collect();
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .order(webhook_attempts::id.asc())
        .select((
            webhook_attempts::delivery_id,
            webhook_attempts::attempted_at,
            webhook_attempts::status_code,
            webhook_attempts::error,
            webhook_attempts::duration_ms,
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(
            |(
                (id, event_id, entity, entity_id, status, attempt_count, next),
                (delivered_at, give_up_at),
                (event_type, occurred_at),
            )| {
                let status = DeliveryStatus::from_db(&status)?;
                let mut log: Vec<Attempt> = attempts
                    .iter()
                    .filter(|a| a.0 == id)
                    .map(|(_, at, status_code, error, duration_ms)| Attempt {
                        at: at.and_utc(),
                        status_code: *status_code,
                        error: error.clone(),
                        duration_ms: *duration_ms,
                    })
                    .collect();
                let keep = log.len().saturating_sub(20);
                log.drain(..keep);
                Ok(Delivery {
                    id,
                    event_id,
                    event_type: EventType::from_db(&event_type)?,
                    entity,
                    entity_id,
                    occurred_at: occurred_at.and_utc(),
                    status,
                    attempts: attempt_count,
                    next_attempt_at: (status == DeliveryStatus::Pending).then(|| next.and_utc()),
                    delivered_at: delivered_at.map(|t| t.and_utc()),
                    give_up_at: give_up_at.and_utc(),
                    attempt_log: log,
                })
            },
        )
        .collect::<Result<_, ApiError>>()?;
    Ok((items, total))
}

/// Send a delivery again, now, whatever its status, with a fresh 24 hours
/// of retries. Returns the delivery.
pub fn redeliver(
    conn: &mut DbConnection,
    actor: &Actor,
    webhook_id: i64,
    delivery_id: i64,
) -> Result<Delivery, ApiError> {
    find(conn, webhook_id)?;
    let at = now();
    crate::db::lock_row(conn, "webhook_deliveries", delivery_id)?;
    let lease: Option<Option<NaiveDateTime>> = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(delivery_id))
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .select(webhook_deliveries::lease_until)
        .first(conn)
        .optional()?;
    match lease {
        None => return Err(ApiError::not_found()),
        Some(Some(until)) if until > at => {
            return Err(ApiError::Conflict(
                "The delivery is being sent now; see its attempt when it is done.".into(),
            ))
        }
        Some(_) => {}
    }
    let changed = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(delivery_id))
            .filter(webhook_deliveries::webhook_id.eq(webhook_id)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
        webhook_deliveries::next_attempt_at.eq(at),
        // Its retries start again from the first, short delay.
        webhook_deliveries::attempts.eq(0),
        webhook_deliveries::give_up_at
            .eq(at + chrono::Duration::hours(crate::webhooks::outbox::RETRY_FOR_HOURS)),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::not_found());
    }
    let changes = audit::diff(&json!({}), &json!({ "redelivered": delivery_id }));
    audit::record(
        conn,
        actor,
        ENTITY,
        &webhook_id.to_string(),
        Action::Update,
        &changes,
    )?;
    let one = Paging {
        limit: 1,
        offset: 0,
        sort: Vec::new(),
        updated_since: None,
    };
    let (items, _) = load_deliveries(conn, webhook_id, None, Some(delivery_id), &one)?;
    items.into_iter().next().ok_or_else(ApiError::not_found)
}
