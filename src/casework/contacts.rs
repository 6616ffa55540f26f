//! The contact log: what was said and sent about a record or case, newest
//! first. Entries are personal data: analysts see none, each is audited,
//! and redacting or erasing the record redacts or deletes them.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::redaction::{Field, Policy};
use crate::audit::{self, Action, Actor};
use crate::auth::{AuthUser, Authorized, CaseworkReaders, RecordWriters};
use crate::casework::Casework;
use crate::db::schema::contacts;
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::feedback::model::FeedbackRow;
use crate::feedback::types::Channel;
use crate::http::json::{RequestBody, ValidJson};
use crate::http::list::ListParams;
use crate::ombudsman::model::CaseRecord;
use crate::openapi::Routes;
use crate::records::store;
use crate::state::AppState;
use crate::text_enum;
use crate::validation::Validate;

/// The audit log's name for contact entries.
pub const ENTITY: &str = "contact";

/// What redaction blanks in a contact entry and its history.
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[Field::Text("summary")],
};

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_feedback_contacts)
        .service(create_feedback_contact)
        .service(list_case_contacts)
        .service(create_case_contact);
}

text_enum! {
    /// Which way a contact went.
    pub enum Direction {
        /// To the council.
        In => "in",
        /// From the council.
        Out => "out",
    }
}

text_enum! {
    /// Who the council was in contact with.
    pub enum Party {
        /// The complainant.
        Complainant => "complainant",
        /// The complainant's advocate or representative.
        Advocate => "advocate",
        /// A council service or a provider.
        Service => "service",
        /// A Member of Parliament.
        Mp => "mp",
        /// The Ombudsman.
        Ombudsman => "ombudsman",
        /// Anyone else.
        Other => "other",
    }
}

/// A contact entry as written: the body of `POST /{id}/contacts`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// When it happened (RFC 3339); not in the future.
    pub occurred_at: DateTime<Utc>,
    /// `in` (to the council) or `out` (from it).
    pub direction: Direction,
    /// How: email, phone, letter, …
    pub channel: Channel,
    /// Who with.
    #[serde(rename = "with")]
    pub party: Party,
    /// What was said or sent.
    #[schema(
        min_length = 1,
        max_length = 20000,
        example = "Phoned Mrs Y: the review meeting is on 3 March."
    )]
    pub summary: String,
}

impl RequestBody for ContactInput {}

impl Validate for ContactInput {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        if self.occurred_at > Utc::now() + Duration::minutes(5) {
            errors.add("occurred_at", "must not be in the future");
        }
        if self.summary.trim().is_empty() {
            errors.add("summary", "must say what was said or sent");
        } else if self.summary.chars().count() > 20_000 {
            errors.add("summary", "must be at most 20000 characters");
        }
    }
}

/// A row of `contacts`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    id: i64,
    entity: String,
    record_id: i64,
    directorate: String,
    occurred_at: NaiveDateTime,
    direction: Direction,
    channel: Channel,
    party: Party,
    summary: String,
    created_at: NaiveDateTime,
    created_by: String,
    redacted_at: Option<NaiveDateTime>,
}

/// A contact entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    /// Its id.
    pub id: i64,
    /// What it is about: `feedback` or `ombudsman_case`.
    pub entity: String,
    /// The record's or case's id.
    pub record_id: i64,
    /// The record's directorate.
    pub directorate: String,
    /// When it happened (RFC 3339, UTC).
    pub occurred_at: DateTime<Utc>,
    /// `in` or `out`.
    pub direction: Direction,
    /// How.
    pub channel: Channel,
    /// Who with.
    #[serde(rename = "with")]
    pub party: Party,
    /// What was said or sent; `[redacted]` once the record is redacted.
    pub summary: String,
    /// When it was logged (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Who logged it.
    pub created_by: String,
    /// When its summary was redacted; null if it was not.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl From<ContactRow> for Contact {
    fn from(row: ContactRow) -> Contact {
        Contact {
            id: row.id,
            entity: row.entity,
            record_id: row.record_id,
            directorate: row.directorate,
            occurred_at: row.occurred_at.and_utc(),
            direction: row.direction,
            channel: row.channel,
            party: row.party,
            summary: row.summary,
            created_at: row.created_at.and_utc(),
            created_by: row.created_by,
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
        }
    }
}

crate::page_type!(
    /// A page of contact entries, newest first.
    ContactPage,
    Contact
);

/// Log a contact about the record `id` of kind `R` on behalf of `user`, with
/// its audit entry.
pub fn create<R: Casework>(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    input: &ContactInput,
) -> Result<ContactRow, ApiError> {
    let record = store::find_visible::<R>(conn, &user.scope().map(<[String]>::to_vec), id)?;
    user.may_write_in(record.directorate())?;
    insert(
        conn,
        &user.actor(),
        R::ENTITY,
        id,
        record.directorate(),
        input,
    )
}

/// Log a contact about the record `record_id` of `entity` in `directorate`
/// as `actor`, with its audit entry: what `POST /{id}/contacts` does, also
/// for imports and demo data.
pub fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    entity: &str,
    record_id: i64,
    directorate: &str,
    input: &ContactInput,
) -> Result<ContactRow, ApiError> {
    let insert = diesel::insert_into(contacts::table)
        .values((
            contacts::entity.eq(entity),
            contacts::record_id.eq(record_id),
            contacts::directorate.eq(directorate),
            contacts::occurred_at.eq(input.occurred_at.naive_utc()),
            contacts::direction.eq(input.direction),
            contacts::channel.eq(input.channel),
            contacts::party.eq(input.party),
            contacts::summary.eq(input.summary.trim()),
            contacts::created_at.eq(now()),
            contacts::created_by.eq(&actor.username),
        ))
        .returning(contacts::id);
    let contact_id: i64 = crate::per_backend!(conn, |c| insert.get_result(c))?;
    let view = serde_json::json!({
        "entity": entity,
        "record_id": record_id,
        "occurred_at": input.occurred_at,
        "direction": input.direction,
        "channel": input.channel,
        "with": input.party,
        "summary": input.summary.trim(),
    });
    let changes = audit::diff(&serde_json::json!({}), &view);
    audit::record(
        conn,
        actor,
        ENTITY,
        &contact_id.to_string(),
        Action::Create,
        &changes,
    )?;
    contacts::table
        .find(contact_id)
        .select(ContactRow::as_select())
        .first(conn)
        .map_err(ApiError::from)
}

/// The contacts about the record `id` of kind `R`, newest first, a page at
/// a time, and how many there are.
pub fn list<R: Casework>(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    paging: &crate::db::page::Paging,
) -> Result<(Vec<ContactRow>, i64), ApiError> {
    store::find_visible::<R>(conn, &user.scope().map(<[String]>::to_vec), id)?;
    let of_record = contacts::entity
        .eq(R::ENTITY)
        .and(contacts::record_id.eq(id));
    let total: i64 = contacts::table.filter(of_record).count().get_result(conn)?;
    let rows = contacts::table
        .filter(of_record)
        .order((contacts::occurred_at.desc(), contacts::id.desc()))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(ContactRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Redact the contacts about the record `id` of `entity`, in them and in
/// their history.
pub fn redact_for(
    conn: &mut DbConnection,
    actor: &Actor,
    entity: &str,
    id: i64,
) -> Result<(), ApiError> {
    let of_record = contacts::entity.eq(entity).and(contacts::record_id.eq(id));
    let ids: Vec<i64> = contacts::table
        .filter(of_record)
        .select(contacts::id)
        .load(conn)?;
    diesel::update(contacts::table.filter(of_record))
        .set((
            contacts::summary.eq(crate::audit::redaction::REDACTED),
            contacts::redacted_at.eq(Some(now())),
        ))
        .execute(conn)?;
    for contact in ids {
        REDACTION.redact_history(conn, actor, &contact.to_string())?;
    }
    Ok(())
}

/// Delete the contacts about the record `id` of `entity` (it is being
/// deleted); their history stays.
pub fn delete_for(conn: &mut DbConnection, entity: &str, id: i64) -> Result<(), ApiError> {
    diesel::delete(
        contacts::table.filter(contacts::entity.eq(entity).and(contacts::record_id.eq(id))),
    )
    .execute(conn)?;
    Ok(())
}

async fn create_endpoint<R: Casework>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    input: ContactInput,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .db
        .write(move |conn| create::<R>(conn, &user, id, &input))
        .await?;
    let contact = Contact::from(row);
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("{}/{id}/contacts", R::NOUN.collection),
        ))
        .json(contact))
}

async fn list_endpoint<R: Casework>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    page: &ListParams,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(&[])?;
    let query = paging.clone();
    let reader = user.clone();
    let (rows, total) = state
        .db
        .run(move |conn| list::<R>(conn, &reader, id, &query))
        .await?;
    state.access.record(
        &user,
        R::ENTITY,
        [id],
        crate::access::Access::Contacts,
        None,
    );
    let items = rows.into_iter().map(Contact::from).collect();
    Ok(HttpResponse::Ok().json(ContactPage::of(items, total, &paging)))
}

/// Log a contact about a feedback record: a call, a letter, an email, a
/// meeting. Audited; analysts cannot see entries.
#[utoipa::path(
    tag = "casework",
    request_body = ContactInput,
    params(("id" = i64, Path, description = "The record.")),
    responses((status = 201, description = "Logged.", body = Contact))
)]
#[post("/feedback/{id}/contacts")]
pub async fn create_feedback_contact(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
    body: ValidJson<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    create_endpoint::<FeedbackRow>(&state, user.0, id.into_inner(), body.value).await
}

/// The contacts logged about a feedback record, newest first. Not for
/// analysts (403): entries are personal data.
#[utoipa::path(
    tag = "casework",
    params(("id" = i64, Path, description = "The record."), ListParams),
    responses((status = 200, description = "A page of entries.", body = ContactPage))
)]
#[get("/feedback/{id}/contacts")]
pub async fn list_feedback_contacts(
    state: web::Data<AppState>,
    user: Authorized<CaseworkReaders>,
    id: web::Path<i64>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    list_endpoint::<FeedbackRow>(&state, user.0, id.into_inner(), &page).await
}

/// Log a contact about an Ombudsman case, as for feedback records.
#[utoipa::path(
    tag = "casework",
    request_body = ContactInput,
    params(("id" = i64, Path, description = "The case.")),
    responses((status = 201, description = "Logged.", body = Contact))
)]
#[post("/ombudsman-cases/{id}/contacts")]
pub async fn create_case_contact(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
    body: ValidJson<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    create_endpoint::<CaseRecord>(&state, user.0, id.into_inner(), body.value).await
}

/// The contacts logged about an Ombudsman case, newest first; not for
/// analysts.
#[utoipa::path(
    tag = "casework",
    params(("id" = i64, Path, description = "The case."), ListParams),
    responses((status = 200, description = "A page of entries.", body = ContactPage))
)]
#[get("/ombudsman-cases/{id}/contacts")]
pub async fn list_case_contacts(
    state: web::Data<AppState>,
    user: Authorized<CaseworkReaders>,
    id: web::Path<i64>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    list_endpoint::<CaseRecord>(&state, user.0, id.into_inner(), &page).await
}
