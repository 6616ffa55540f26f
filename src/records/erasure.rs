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
