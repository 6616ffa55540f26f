//! Legal holds: records the retention schedule must leave alone (a claim,
//! an inquiry, a complaint still before the Ombudsman), each with its reason.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schedule::RetainedEntity;
use crate::audit::{self, Action, Actor};
use crate::db::schema::legal_holds;
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::validation::Validate;

/// The audit log's name for legal holds.
pub const ENTITY: &str = "legal_hold";

/// A legal hold.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalHold {
    /// What it holds: `feedback`, `ombudsman_case` or `service_improvement`.
    pub entity: RetainedEntity,
    /// The record's id.
    pub record_id: i64,
    /// Why (always `legal_hold: true` while it exists).
    pub reason: String,
    /// When it was placed (RFC 3339, UTC).
    pub placed_at: DateTime<Utc>,
    /// Who placed it.
    pub placed_by: String,
}

/// The body of `PUT /legal-holds/{entity}/{id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    /// Why the record must be kept (1 to 500 characters).
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Insurance claim 2026/113 pending"
    )]
    pub reason: String,
}

impl crate::http::json::RequestBody for HoldInput {}

impl Validate for HoldInput {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
        let reason = self.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            errors.add("reason", "must be 1 to 500 characters");
        }
    }
}

type Row = (String, i64, String, NaiveDateTime, String);

fn from_row((entity, record_id, reason, placed_at, placed_by): Row) -> Option<LegalHold> {
    Some(LegalHold {
        entity: RetainedEntity::parse(&entity)?,
        record_id,
        reason,
        placed_at: placed_at.and_utc(),
        placed_by,
    })
}

const COLUMNS: (
    legal_holds::entity,
    legal_holds::record_id,
    legal_holds::reason,
    legal_holds::placed_at,
    legal_holds::placed_by,
) = (
    legal_holds::entity,
    legal_holds::record_id,
    legal_holds::reason,
    legal_holds::placed_at,
    legal_holds::placed_by,
);

/// The reasons of every hold, by what they hold.
pub fn all(conn: &mut DbConnection) -> Result<HashMap<(RetainedEntity, i64), String>, ApiError> {
    Ok(legal_holds::table
        .select(COLUMNS)
        .load::<Row>(conn)?
        .into_iter()
        .filter_map(from_row)
        .map(|hold| ((hold.entity, hold.record_id), hold.reason))
        .collect())
}

/// Every hold, newest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<LegalHold>, ApiError> {
    Ok(legal_holds::table
        .select(COLUMNS)
        .order(legal_holds::placed_at.desc())
        .load::<Row>(conn)?
        .into_iter()
        .filter_map(from_row)
        .collect())
}

/// The directorate of the record `id` of `entity`, if it exists.
pub fn directorate_of(
    conn: &mut DbConnection,
    entity: RetainedEntity,
    id: i64,
) -> Result<Option<String>, ApiError> {
    match entity {
        RetainedEntity::Feedback => crate::feedback::model::directorate_of(conn, id),
        RetainedEntity::OmbudsmanCase => crate::ombudsman::model::directorate_of(conn, id),
        RetainedEntity::ServiceImprovement => {
            use crate::db::schema::service_improvements;
            Ok(service_improvements::table
                .find(id)
                .select(service_improvements::directorate)
                .first(conn)
                .optional()?)
        }
        RetainedEntity::Document => Ok(None),
    }
}

/// Place (or restate) a hold on the record `id` of `entity` as `actor`;
/// audited.
pub fn place(
    conn: &mut DbConnection,
    actor: &Actor,
    entity: RetainedEntity,
    id: i64,
    reason: &str,
) -> Result<LegalHold, ApiError> {
    let before = find(conn, entity, id)?;
    diesel::delete(legal_holds::table.find((entity.as_str(), id))).execute(conn)?;
    diesel::insert_into(legal_holds::table)
        .values((
            legal_holds::entity.eq(entity.as_str()),
            legal_holds::record_id.eq(id),
            legal_holds::reason.eq(reason.trim()),
            legal_holds::placed_at.eq(now()),
            legal_holds::placed_by.eq(&actor.username),
        ))
        .execute(conn)?;
    let old = before.as_ref().map_or(
        serde_json::json!({}),
        |h| serde_json::json!({"legal_hold": true, "reason": h.reason}),
    );
    let new = serde_json::json!({"legal_hold": true, "reason": reason.trim()});
    let action = if before.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    audit::record(
        conn,
        actor,
        ENTITY,
        &key(entity, id),
        action,
        &audit::diff(&old, &new),
    )?;
    find(conn, entity, id)?.ok_or_else(ApiError::not_found)
}

/// Lift the hold on the record `id` of `entity` (404 if there is none); audited.
pub fn lift(
    conn: &mut DbConnection,
    actor: &Actor,
    entity: RetainedEntity,
    id: i64,
) -> Result<(), ApiError> {
    let hold = find(conn, entity, id)?.ok_or_else(ApiError::not_found)?;
    diesel::delete(legal_holds::table.find((entity.as_str(), id))).execute(conn)?;
    let old = serde_json::json!({"legal_hold": true, "reason": hold.reason});
    audit::record(
        conn,
        actor,
        ENTITY,
        &key(entity, id),
        Action::Delete,
        &audit::diff(&old, &serde_json::json!({})),
    )
}

/// The hold on the record `id` of `entity`, if there is one.
pub fn find(
    conn: &mut DbConnection,
    entity: RetainedEntity,
    id: i64,
) -> Result<Option<LegalHold>, ApiError> {
    Ok(legal_holds::table
        .find((entity.as_str(), id))
        .select(COLUMNS)
        .first::<Row>(conn)
        .optional()?
        .and_then(from_row))
}

/// The audit log's id of a hold: `feedback/12`.
fn key(entity: RetainedEntity, id: i64) -> String {
    format!("{}/{id}", entity.as_str())
}
