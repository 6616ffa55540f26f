//! `/webhooks`: subscriptions to events, and their deliveries (admins).

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{AdminOnly, Authorized};
use crate::calendar::Today;
use crate::error::ApiError;
use crate::http::etag::{etag, IfMatch};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::{apply_patch, PatchJson, ValidJson};
use crate::http::list::ListParams;
use crate::openapi::Routes;
use crate::page_type;
use crate::state::AppState;
use crate::webhooks::model::{
    self, Delivery, DeliveryPage, WebhookInput, WebhookPatch, WebhookRow,
};
use crate::webhooks::{address, DeliveryStatus, EventType};

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_deliveries)
        .service(redeliver);
}

/// A subscription: where events go, and which. Its secret is never shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    /// Its id.
    pub id: i64,
    /// Its version (the `ETag`).
    pub version: i64,
    /// Where events are POSTed.
    pub url: String,
    /// The events sent.
    pub event_types: Vec<EventType>,
    /// Only events of records in these directorates; empty: every directorate.
    pub directorates: Vec<String>,
    /// Whether events carry personal data and free text.
    pub include_personal_data: bool,
    /// Whether events are sent.
    pub active: bool,
    /// Admins' note.
    pub description: Option<String>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Who added it.
    pub created_by: String,
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = ApiError;

    fn try_from(row: WebhookRow) -> Result<Webhook, ApiError> {
        Ok(Webhook {
            id: row.id,
            version: row.version,
            url: row.url,
            event_types: serde_json::from_str(&row.event_types)?,
            directorates: serde_json::from_str(&row.directorates)?,
            include_personal_data: row.include_personal_data,
            active: row.active,
            description: row.description,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            created_by: row.created_by,
        })
    }
}

page_type!(
    /// A page of subscriptions.
    WebhookPage, Webhook
);

fn respond(row: WebhookRow) -> Result<HttpResponse, ApiError> {
    let webhook = Webhook::try_from(row)?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(webhook.version)))
        .json(webhook))
}

/// 422 unless the URL may be used: resolved off the request thread.
async fn check_address(state: &AppState, url: &str) -> Result<(), ApiError> {
    let url = url.to_string();
    let allow_private = state.config.webhook_allow_private;
    web::block(move || address::check(&url, allow_private))
        .await?
        .map(|_| ())
        .map_err(|refused| ApiError::field("url", refused.0))
}

/// List subscriptions.
#[utoipa::path(
    tag = "webhooks",
    params(ListParams),
    responses((status = 200, description = "A page of subscriptions.", body = WebhookPage))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(model::SORTABLE)?;
    let (limit, offset) = (paging.limit, paging.offset);
    let (rows, total) = state.db.run(move |conn| model::list(conn, &paging)).await?;
    Ok(HttpResponse::Ok().json(WebhookPage {
        items: rows
            .into_iter()
            .map(Webhook::try_from)
            .collect::<Result<_, _>>()?,
        total,
        limit,
        offset,
    }))
}

/// Subscribe a receiver to events. From the moment it exists, every
/// change it asks for is recorded for it in the change's own transaction
/// and POSTed as JSON: `{id, type, occurred_at, delivery_id, data}`, where
/// `data` has the entity, its id, reference, directorate, the audit action,
/// feedback's status, and the change field by field (`changes`, as in the
/// record's history). Headers: `X-Redress-Event`, `X-Redress-Event-Id` (the
/// receiver's key for deduplication: delivery is at least once),
/// `X-Redress-Delivery`, `X-Redress-Timestamp` and `X-Redress-Signature:
/// t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the
/// secret>`. Events of one record arrive in order. Any 2xx answer accepts a
/// delivery; anything else is retried with exponential backoff (10 seconds,
/// doubling, at most an hour apart) for 24 hours, then marked failed.
/// A URL that resolves to a loopback or private address is refused (422)
/// unless `WEBHOOK_ALLOW_PRIVATE=true`.
#[utoipa::path(
    tag = "webhooks",
    request_body = WebhookInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a repeat with the same key and body returns the first response.")),
    responses(
        (status = 201, description = "The subscription was added.", body = Webhook,
            headers(("Location" = String, description = "The subscription's URL."),
                    ("ETag" = String, description = "Its version."))),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    req: HttpRequest,
    key: IdempotencyKey,
    body: ValidJson<WebhookInput>,
) -> Result<HttpResponse, ApiError> {
    check_address(&state, &body.value.url).await?;
    let request = idempotency::Request::new(&key, admin.id, &req, &body.fingerprint);
    let input = body.value;
    let actor = admin.actor();
    let created = |row: WebhookRow| {
        let webhook = Webhook::try_from(row)?;
        Created::new(
            model::ENTITY,
            webhook.id,
            format!("/api/v1/webhooks/{}", webhook.id),
            Some(webhook.version),
            &webhook,
        )
    };
    idempotency::create(
        &state.db,
        request,
        move |conn| created(model::create(conn, &actor, &input)?),
        move |conn, id| {
            let id = id.parse().map_err(|_| ApiError::not_found())?;
            created(model::find(conn, id)?)
        },
    )
    .await
}

/// Get a subscription.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id.")),
    responses((status = 200, description = "The subscription.", body = Webhook,
        headers(("ETag" = String, description = "Its version."))))
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    respond(state.db.run(move |conn| model::find(conn, id)).await?)
}

/// Change a subscription (JSON merge patch): its URL, secret, events,
/// directorates, personal data or whether it is active. Honour `If-Match`.
#[utoipa::path(
    tag = "webhooks",
    request_body = WebhookPatch,
    params(("id" = i64, Path, description = "Subscription id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the subscription has changed since.")),
    responses(
        (status = 200, description = "The changed subscription.", body = Webhook, headers(("ETag" = String, description = "The new version."))),
        (status = 412, description = "The subscription changed since the `If-Match` version.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: PatchJson<WebhookPatch>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.patch;
    if let Some(url) = patch.get("url").and_then(|u| u.as_str()) {
        check_address(&state, url).await?;
    }
    let actor = admin.actor();
    let row = state
        .db
        .write(move |conn| {
            model::update(conn, &actor, id, &if_match, |current| {
                apply_patch(&current, &patch, today)
            })
        })
        .await?;
    respond(row)
}

/// Delete a subscription, with its deliveries and their attempts.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the subscription has changed since.")),
    responses(
        (status = 204, description = "The subscription was deleted."),
        (status = 412, description = "The subscription changed since the `If-Match` version.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = admin.actor();
    state
        .db
        .write(move |conn| model::delete(conn, &actor, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The filters of a subscription's deliveries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only deliveries in this status.
    pub status: Option<DeliveryStatus>,
    /// Items per page (1 to 500; default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip before the page starts (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// A subscription's deliveries, newest first: each event sent or to be
/// sent, where it is, and its attempts (time, the receiver's status, the
/// error, how long it took).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id."), DeliveryFilter),
    responses((status = 200, description = "A page of deliveries.", body = DeliveryPage))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
    filter: crate::http::query::Query<DeliveryFilter>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let paging = ListParams {
        limit: filter.limit,
        offset: filter.offset,
        ..ListParams::default()
    }
    .paging(&[])?;
    let status = filter.status;
    let page = state
        .db
        .run(move |conn| model::deliveries(conn, id, status, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Send a delivery again, as soon as the worker next looks (within about a
/// second), whatever its status, with a fresh 24 hours of retries starting
/// from the shortest delay. The receiver gets the same event id, so it can
/// tell a repeat. 409 while an instance is sending it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id."),
           ("delivery_id" = i64, Path, description = "Delivery id.")),
    responses(
        (status = 202, description = "The delivery is queued again.", body = Delivery),
        (status = 409, description = "An instance is sending the delivery now.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let actor = admin.actor();
    let delivery = state
        .db
        .write(move |conn| model::redeliver(conn, &actor, id, delivery_id))
        .await?;
    Ok(HttpResponse::Accepted().json(delivery))
}
