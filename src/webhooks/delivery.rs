//! The delivery worker, which every instance runs.
//!
//! Each tick it claims the deliveries that are due, sends them, and records
//! each attempt:
//! - **Claiming** sets a lease on the delivery in one short transaction. On
//!   PostgreSQL the rows are taken `FOR UPDATE SKIP LOCKED`, so instances
//!   never claim the same delivery; on SQLite the one writer serialises the
//!   claims. A delivery whose lease ran out (its instance died while
//!   sending) is claimed again: delivery is at least once, and receivers
//!   deduplicate by the event id.
//! - **Order per record**: a delivery is claimed only when no earlier
//!   delivery of the same record to the same subscription is pending.
//! - **Retries**: a failed attempt is retried after 10 seconds, doubling each
//!   time up to an hour, until 24 hours after the event; then the delivery
//!   is marked failed (`redeliver` tries again).

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use serde_json::{json, Value};

use crate::db::schema::{
    job_leases, webhook_attempts, webhook_deliveries, webhook_events, webhooks,
};
use crate::db::{Db, DbConnection};
use crate::error::ApiError;
use crate::webhooks::{address, outbox, signature, DeliveryStatus, Entity};

/// Deliveries claimed in one tick.
const BATCH: i64 = 32;
/// How long a claim lasts: longer than an attempt can take.
const LEASE_SECONDS: i64 = 60;
/// The time one attempt may take, connecting included.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first retry's delay; each later one doubles, up to [`MAX_DELAY_SECONDS`].
const FIRST_DELAY_SECONDS: i64 = 10;
/// The longest delay between attempts.
const MAX_DELAY_SECONDS: i64 = 3_600;

/// The delay before the retry that follows attempt number `attempts`.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let seconds = FIRST_DELAY_SECONDS.saturating_mul(1_i64 << doublings);
    chrono::Duration::seconds(seconds.min(MAX_DELAY_SECONDS))
}

/// A claimed delivery, with what sending it needs.
#[derive(Debug, Clone)]
struct Claimed {
    delivery_id: i64,
    /// The lease this claim wrote: the result is recorded only while the
    /// delivery still carries it (no redelivery or other claim since).
    lease_until: NaiveDateTime,
    attempts: i32,
    give_up_at: NaiveDateTime,
    url: String,
    secret: String,
    include_personal_data: bool,
    event_id: i64,
    event_type: String,
    entity_type: String,
    occurred_at: NaiveDateTime,
    data: String,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
struct Outcome {
    delivery_id: i64,
    lease_until: NaiveDateTime,
    attempts: i32,
    give_up_at: NaiveDateTime,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
}

impl Outcome {
    fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// What a tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Records found overdue (once a day).
    pub overdue: usize,
    /// Deliveries attempted.
    pub attempted: usize,
    /// Of them, accepted by their receiver.
    pub delivered: usize,
}

/// Sends deliveries: an HTTP agent (kept for its connection pool) and the
/// address policy.
#[derive(Clone)]
pub struct Dispatcher {
    agent: ureq::Agent,
    allow_private: bool,
}

impl Dispatcher {
    /// A dispatcher; `allow_private` is `WEBHOOK_ALLOW_PRIVATE`.
    pub fn new(allow_private: bool) -> Dispatcher {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(ATTEMPT_TIMEOUT))
            .http_status_as_error(false)
            // A redirect could lead to a private address: not followed.
            .max_redirects(0)
            // Nor through a proxy from the environment, which would do the
            // connecting the address check has vetted.
            .proxy(None)
            .user_agent(concat!("Redress-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            PublicOnly { allow_private },
        );
        Dispatcher {
            agent,
            allow_private,
        }
    }

    /// One round of the worker at `now` (UTC) on the day `today`: the day's
    /// overdue check if not yet done, then one batch of due deliveries.
    pub async fn tick(
        &self,
        db: &Db,
        now: NaiveDateTime,
        today: NaiveDate,
    ) -> Result<Tick, ApiError> {
        let mut tick = Tick::default();
        let checked = db.read(overdue_checked_on).await?;
        if checked.is_none_or(|day| day < today) {
            tick.overdue = db
                .write(move |conn| outbox::sweep_overdue(conn, today))
                .await?;
        }
        let due = db.read(move |conn| any_due(conn, now)).await?;
        if !due {
            return Ok(tick);
        }
        let claimed = db.write(move |conn| claim(conn, now)).await?;
        let sends = claimed.into_iter().map(|claimed| {
            let dispatcher = self.clone();
            actix_web::web::block(move || dispatcher.send(&claimed, now))
        });
        let mut outcomes = Vec::new();
        for outcome in futures_util::future::join_all(sends).await {
            outcomes.push(outcome?);
        }
        tick.attempted = outcomes.len();
        tick.delivered = outcomes.iter().filter(|o| o.succeeded()).count();
        db.write(move |conn| record(conn, &outcomes, now)).await?;
        Ok(tick)
    }

    /// POST one delivery (blocking).
    fn send(&self, claimed: &Claimed, now: NaiveDateTime) -> Outcome {
        let started = Instant::now();
        let (status_code, error) = match self.attempt(claimed, now) {
            Ok(code) if (200..300).contains(&code) => (Some(code), None),
            Ok(code) => (Some(code), Some(format!("the receiver answered {code}"))),
            Err(error) => (None, Some(error)),
        };
        Outcome {
            delivery_id: claimed.delivery_id,
            lease_until: claimed.lease_until,
            attempts: claimed.attempts + 1,
            give_up_at: claimed.give_up_at,
            status_code,
            error,
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        }
    }

    fn attempt(&self, claimed: &Claimed, now: NaiveDateTime) -> Result<i32, String> {
        // Checked again at each attempt, for a clear error (the client's
        // resolver keeps to public addresses as well: `PublicOnly`).
        address::check(&claimed.url, self.allow_private)
            .map_err(|e| format!("refused: {}", e.0))?;
        let body = body(claimed)?;
        let timestamp = now.and_utc().timestamp();
        let response = self
            .agent
            .post(&claimed.url)
            .header("Content-Type", "application/json")
            .header("X-Redress-Event", &claimed.event_type)
            .header("X-Redress-Event-Id", claimed.event_id.to_string())
            .header("X-Redress-Delivery", claimed.delivery_id.to_string())
            .header("X-Redress-Timestamp", timestamp.to_string())
            .header(
                signature::HEADER,
                signature::header_value(&claimed.secret, timestamp, &body),
            )
            .send(&body[..])
            .map_err(|e| e.to_string())?;
        Ok(i32::from(response.status().as_u16()))
    }
}

/// The client's resolver: the system's, keeping only public addresses
/// (unless private ones are allowed), so that the connection goes to an
/// address the policy has vetted, not to what a second lookup of the name
/// returns (DNS rebinding).
#[derive(Debug)]
struct PublicOnly {
    allow_private: bool,
}

impl ureq::unversioned::resolver::Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let found = ureq::unversioned::resolver::DefaultResolver::default()
            .resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(found);
        }
        let mut public = self.empty();
        for address in found.iter().filter(|a| address::is_public(a.ip())) {
            public.push(*address);
        }
        if public.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(public)
    }
}

/// Free-text fields that audit entries carry beside an entity's own fields.
const FREE_TEXT_OF_ENTRIES: &[&str] = &["erasure_note", "note"];

/// The JSON a receiver gets: the event's id (for deduplication), type and
/// time, and its data, without personal data unless the subscription
/// includes it.
fn body(claimed: &Claimed) -> Result<Vec<u8>, String> {
    let mut data: Value = serde_json::from_str(&claimed.data).map_err(|e| e.to_string())?;
    if !claimed.include_personal_data {
        if let (Some(entity), Some(changes)) = (
            Entity::of(&claimed.entity_type),
            data.get_mut("changes").and_then(Value::as_object_mut),
        ) {
            for field in entity.personal_fields() {
                changes.remove(field);
            }
            // Free text of the history's own entries: an erasure's note, an
            // assignment's note.
            for field in FREE_TEXT_OF_ENTRIES {
                changes.remove(*field);
            }
        }
    }
    let body = json!({
        "id": claimed.event_id,
        "type": claimed.event_type,
        "occurred_at": claimed.occurred_at.and_utc(),
        "delivery_id": claimed.delivery_id,
        "data": data,
    });
    serde_json::to_vec(&body).map_err(|e| e.to_string())
}

/// The day the overdue check last ran for.
fn overdue_checked_on(conn: &mut DbConnection) -> Result<Option<NaiveDate>, ApiError> {
    Ok(job_leases::table
        .find(outbox::OVERDUE_CURSOR)
        .select(job_leases::last_run_on)
        .first::<Option<NaiveDate>>(conn)
        .optional()?
        .flatten())
}

/// Whether any delivery is due: a cheap look before a claim's write.
fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> Result<bool, ApiError> {
    let query = webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhooks::active.eq(true))
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.lt(now)),
        )
        .select(webhook_deliveries::id)
        .limit(1);
    let found: Option<i64> = crate::per_backend!(conn, |c| query.get_result(c).optional())?;
    Ok(found.is_some())
}

/// The claim: due pending deliveries of active subscriptions, whose lease
/// (if any) ran out, with no earlier pending delivery of the same record to
/// the same subscription, oldest event first. `$1` is the lease's end, `$2`
/// now, `$3` the batch size.
const CLAIM: &str = "
UPDATE webhook_deliveries SET lease_until = $1
WHERE id IN (
    SELECT d.id FROM webhook_deliveries d
    JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.status = 'pending' AND w.active
      AND d.next_attempt_at <= $2
      AND (d.lease_until IS NULL OR d.lease_until < $2)
      AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries e
          WHERE e.webhook_id = d.webhook_id
            AND e.entity_type = d.entity_type
            AND e.entity_id = d.entity_id
            AND e.status = 'pending'
            AND e.event_id < d.event_id)
    ORDER BY d.event_id
    LIMIT $3
    {lock})
RETURNING id";

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claim a batch (in a write transaction).
fn claim(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<Claimed>, ApiError> {
    let lease_until = now + chrono::Duration::seconds(LEASE_SECONDS);
    let ids: Vec<ClaimedId> = match conn {
        DbConnection::Postgres(pg) => {
            diesel::sql_query(CLAIM.replace("{lock}", "FOR UPDATE OF d SKIP LOCKED"))
                .bind::<Timestamp, _>(lease_until)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(BATCH)
                .load(pg)?
        }
        DbConnection::Sqlite(sqlite) => {
            diesel::sql_query(CLAIM.replace("{lock}", "").replace('$', "?"))
                .bind::<Timestamp, _>(lease_until)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(BATCH)
                .load(sqlite)?
        }
    };
    let ids: Vec<i64> = ids.into_iter().map(|c| c.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    type Row = (
        (i64, i32, NaiveDateTime),
        (String, String, bool),
        (i64, String, String, NaiveDateTime, String),
    );
    let rows: Vec<Row> = webhook_deliveries::table
        .inner_join(webhooks::table)
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::id.eq_any(&ids))
        .order(webhook_events::id.asc())
        .select((
            (
                webhook_deliveries::id,
                webhook_deliveries::attempts,
                webhook_deliveries::give_up_at,
            ),
            (
                webhooks::url,
                webhooks::secret,
                webhooks::include_personal_data,
            ),
            (
                webhook_events::id,
                webhook_events::event_type,
                webhook_events::entity_type,
                webhook_events::occurred_at,
                webhook_events::data,
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                (delivery_id, attempts, give_up_at),
                (url, secret, include_personal_data),
                (event_id, event_type, entity_type, occurred_at, data),
            )| Claimed {
                delivery_id,
                lease_until,
                attempts,
                give_up_at,
                url,
                secret,
                include_personal_data,
                event_id,
                event_type,
                entity_type,
                occurred_at,
                data,
            },
        )
        .collect())
}

/// Record the attempts and release the claims. An outcome counts only
/// while its delivery is pending under this claim's lease: not if it was
/// redelivered, claimed again after the lease ran out, or deleted with its
/// subscription meanwhile.
fn record(
    conn: &mut DbConnection,
    outcomes: &[Outcome],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    for outcome in outcomes {
        let status = if outcome.succeeded() {
            DeliveryStatus::Delivered
        } else if now >= outcome.give_up_at {
            DeliveryStatus::Failed
        } else {
            DeliveryStatus::Pending
        };
        let next_attempt_at = now + backoff(outcome.attempts);
        let ours = webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(outcome.delivery_id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(webhook_deliveries::lease_until.eq(outcome.lease_until));
        let updated = diesel::update(ours)
            .set((
                webhook_deliveries::status.eq(status.as_str()),
                webhook_deliveries::attempts.eq(outcome.attempts),
                webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::next_attempt_at.eq(next_attempt_at),
                webhook_deliveries::last_attempt_at.eq(Some(now)),
                webhook_deliveries::last_status_code.eq(outcome.status_code),
                webhook_deliveries::last_error.eq(&outcome.error),
                webhook_deliveries::delivered_at.eq(outcome.succeeded().then_some(now)),
            ))
            .execute(conn)?;
        if updated == 1 {
            diesel::insert_into(webhook_attempts::table)
                .values((
                    webhook_attempts::delivery_id.eq(outcome.delivery_id),
                    webhook_attempts::attempted_at.eq(now),
                    webhook_attempts::status_code.eq(outcome.status_code),
                    webhook_attempts::error.eq(&outcome.error),
                    webhook_attempts::duration_ms.eq(outcome.duration_ms),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The worker's loop: a tick every second (at once again after a full
/// batch), for as long as the service runs.
pub async fn run(state: actix_web::web::Data<crate::state::AppState>) {
    let dispatcher = Dispatcher::new(state.config.webhook_allow_private);
    let mut interval = actix_web::rt::time::interval(Duration::from_secs(1));
    loop {
        interval.tick().await;
        let today = state.config.today.unwrap_or_else(crate::calendar::uk_today);
        loop {
            match dispatcher.tick(&state.db, crate::db::now(), today).await {
                Ok(tick) if tick.attempted as i64 >= BATCH => continue,
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(%error, "webhook deliveries failed");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn the_client_connects_only_to_addresses_the_policy_allows() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        // Refused by the resolver itself, whatever checked the URL before.
        let refused = Dispatcher::new(false).agent.post(&url).send(&b"{}"[..]);
        assert!(
            matches!(refused, Err(ureq::Error::HostNotFound)),
            "{refused:?}"
        );
        // Allowed, it connects.
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buffer = [0_u8; 1024];
            let _ = stream.read(&mut buffer).unwrap();
            stream
                .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                .unwrap();
        });
        let allowed = Dispatcher::new(true).agent.post(&url).send(&b"{}"[..]);
        assert_eq!(allowed.unwrap().status().as_u16(), 204);
        server.join().unwrap();
    }

    #[test]
    fn retries_back_off_doubling_up_to_an_hour() {
        assert_eq!(backoff(1), chrono::Duration::seconds(10));
        assert_eq!(backoff(2), chrono::Duration::seconds(20));
        assert_eq!(backoff(30), chrono::Duration::seconds(3_600));
    }
}
