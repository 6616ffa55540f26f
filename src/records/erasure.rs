//! Redaction and erasure that really erase: the record, its history, and
//! the traces its creation left in the idempotency keys.
//!
//! A record may be redacted again and again (a change may have put personal
//! data back), and the history of a deleted record may still be redacted:
//! access to it is checked against the directorate its history last
//! recorded. Erasing is redacting, then deleting.

use diesel::prelude::*;

use crate::audit::{self, redaction::Policy};
use crate::auth::AuthUser;
use crate::db::schema::idempotency_keys;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::text_enum;

/// What replaces the fingerprint of a request whose resource was redacted
/// or deleted: nothing derived from its personal data is kept.
pub const ERASED_FINGERPRINT: &str = "erased";

/// Keep nothing derived from the personal data of the requests that created
/// the resource `key` of `resource_type`: their body fingerprints go, and a
/// repeat is answered from the resource as it is now (or 404).
pub fn forget_requests(
    conn: &mut DbConnection,
    resource_type: &str,
    key: &str,
) -> Result<usize, ApiError> {
    Ok(diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::resource_type.eq(resource_type))
            .filter(idempotency_keys::resource_key.eq(key)),
    )
    .set(idempotency_keys::request_hash.eq(ERASED_FINGERPRINT))
    .execute(conn)?)
}

/// How many idempotency entries recorded the request that created the
/// resource `key` of `resource_type`.
pub fn requests_of(
    conn: &mut DbConnection,
    resource_type: &str,
    key: &str,
) -> Result<i64, ApiError> {
    Ok(idempotency_keys::table
        .filter(idempotency_keys::resource_type.eq(resource_type))
        .filter(idempotency_keys::resource_key.eq(key))
        .count()
        .get_result(conn)?)
}

/// Redact the history of an entity that has been deleted, if `user` may see
/// the directorate it was last in: 404 when it never existed or is not
/// theirs (the same answer, so ids are not confirmed).
pub fn redact_deleted(
    conn: &mut DbConnection,
    user: &AuthUser,
    policy: &Policy,
    id: &str,
) -> Result<(), ApiError> {
    let directorate =
        audit::last_directorate(conn, policy.entity, id)?.ok_or_else(ApiError::not_found)?;
    user.visible(&directorate)?;
    policy.redact_history(conn, &user.actor(), id)?;
    forget_requests(conn, policy.entity, id)?;
    Ok(())
}

text_enum! {
    /// Why a record is erased.
    pub enum ErasureReason {
        /// The person asked for their data to be erased (UK GDPR article 17).
        ErasureRequest => "erasure_request",
        /// The record was created in error (a duplicate, the wrong person).
        CreatedInError => "created_in_error",
        /// The retention schedule says its time is up.
        Retention => "retention",
        /// Another reason, given in the note.
        Other => "other",
    }
}

text_enum! {
    /// What an erasure does to the record itself.
    pub enum ErasureAction {
        /// Redact it and everything attached, then delete it (the default).
        Delete => "delete",
        /// Redact it and everything attached, and delete its documents'
        /// contents; the record stays with its statistical fields, so
        /// published figures do not change.
        Anonymise => "anonymise",
    }
}

/// The body of `POST /{id}/erase`.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    /// Why.
    pub reason: ErasureReason,
    /// `delete` (the default) or `anonymise`.
    #[serde(default)]
    pub action: Option<ErasureAction>,
    /// A note for the history, such as the request's own reference (at
    /// most 500 characters; no personal data: it is kept).
    #[serde(default)]
    #[schema(max_length = 500, example = "Erasure request DP-2026-014")]
    pub note: Option<String>,
}

impl crate::http::json::RequestBody for ErasureRequest {}

impl crate::validation::Validate for ErasureRequest {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut crate::error::FieldErrors) {
        if self.note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            errors.add("note", "must be at most 500 characters");
        }
        if self.reason == ErasureReason::Other
            && self.note.as_deref().is_none_or(|n| n.trim().is_empty())
        {
            errors.add("note", "must say why when the reason is `other`");
        }
    }
}

/// What an erasure reached: deleted (`action: delete`) or redacted
/// (`anonymise`). Documents' contents are deleted either way.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Erased {
    /// Whether the record itself was deleted (false when anonymised, or
    /// when it had been deleted before: only its history was left).
    pub record_deleted: bool,
    /// Entries of its history whose personal data was redacted.
    pub history_entries: i64,
    /// Contact entries.
    pub contacts: i64,
    /// Documents.
    pub documents: i64,
    /// Document files removed from `DOCUMENTS_DIR` (the others were kept
    /// in the database).
    pub document_files: i64,
    /// Actions promised on it.
    pub actions: i64,
    /// Earlier response rounds of a reopened record.
    pub rounds: i64,
    /// Idempotency entries that no longer hold anything of its request.
    pub idempotency_entries: i64,
}

/// The answer of `POST /{id}/erase`: what was erased, and why.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Erasure {
    /// The kind of record.
    pub entity: String,
    /// Its id.
    pub id: i64,
    /// What was done.
    pub action: ErasureAction,
    /// Why.
    pub reason: ErasureReason,
    /// What it reached.
    pub erased: Erased,
}

/// How many history entries the entity `id` of `entity` has.
pub fn history_entries(conn: &mut DbConnection, entity: &str, id: &str) -> Result<i64, ApiError> {
    use crate::db::schema::audit_log;
    Ok(audit_log::table
        .filter(audit_log::entity_type.eq(entity))
        .filter(audit_log::entity_id.eq(id))
        .count()
        .get_result(conn)?)
}

/// Record in the history why the entity `id` of `entity` was erased.
pub fn record_erasure(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    entity: &str,
    id: &str,
    request: &ErasureRequest,
) -> Result<(), ApiError> {
    let after = serde_json::json!({
        "erasure_reason": request.reason,
        "erasure_action": request.action.unwrap_or(ErasureAction::Delete),
        "erasure_note": request.note,
    });
    let changes = audit::diff(&serde_json::json!({}), &after);
    audit::record(conn, actor, entity, id, audit::Action::Erase, &changes)
}
