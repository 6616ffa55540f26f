//! The audited writes and scoped reads every [`Record`] shares.

use serde_json::{json, Value};

use crate::audit::{self, Action};
use crate::auth::AuthUser;
use crate::db::precondition::Precondition;
use crate::db::{lock_row, now, DbConnection};
use crate::error::ApiError;
use crate::records::{erasure, in_scope, Proposal, Record, Scope, Stamp, Write};

/// What the audit log records of a record's writable fields: each field
/// that has a value (empty fields and empty lists are left out, so a
/// creation lists what was given).
pub fn audit_view<R: Record>(input: &R::Input) -> Result<Value, ApiError> {
    let mut view = serde_json::to_value(input)?;
    if let Value::Object(map) = &mut view {
        map.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
    }
    Ok(view)
}

/// The record `id` if it exists and `scope` includes its directorate; else
/// 404, the same either way.
pub fn find_visible<R: Record>(
    conn: &mut DbConnection,
    scope: &Scope,
    id: i64,
) -> Result<R, ApiError> {
    R::find(conn, id)?
        .filter(|record| in_scope(scope, record.directorate()))
        .ok_or_else(ApiError::not_found)
}

/// The record `id`, locked for the rest of the write transaction, if the
/// caller may see it (404) and `precondition` holds (412).
pub fn lock<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    precondition: &Precondition,
) -> Result<R, ApiError> {
    lock_row(conn, R::TABLE, id)?;
    let record = find_visible::<R>(conn, &user.scope().map(<[String]>::to_vec), id)?;
    precondition.check(record.version())?;
    Ok(record)
}

fn stamp(user: &AuthUser, version: i64, redacts: bool) -> Stamp {
    Stamp {
        version,
        at: now(),
        by: user.username.clone(),
        redacts,
    }
}

/// Check `input` for writing by `user`: its references (422, before
/// permissions), then the directorate it goes in (403).
fn check_write<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    input: &R::Input,
    current: Option<&R>,
) -> Result<(), ApiError> {
    let scope = user.scope().map(<[String]>::to_vec);
    R::check_references(
        conn,
        Proposal {
            input,
            current,
            scope: &scope,
        },
    )?;
    user.may_write_in(R::directorate_of(input))?;
    R::authorize(user, current.map(Record::input).as_ref(), input)
}

/// Create a record from `input` on behalf of `user`, with its audit entry
/// (`action`: a creation, or an escalation).
pub fn create<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    input: &R::Input,
    context: &R::Context,
    action: Action,
) -> Result<R, ApiError> {
    check_write::<R>(conn, user, input, None)?;
    let stamp = stamp(user, 1, false);
    let id = R::insert(
        conn,
        Write {
            input,
            context,
            stamp: &stamp,
        },
    )?;
    let changes = audit::diff(&json!({}), &audit_view::<R>(input)?);
    audit::record(
        conn,
        &user.actor(),
        R::ENTITY,
        &id.to_string(),
        action,
        &changes,
    )?;
    R::find(conn, id)?.ok_or_else(|| ApiError::internal("a new record vanished"))
}

/// Insert a record made outside a request (demo data, imports) by `actor`:
/// no permission checks, with its audit entry.
pub fn import<R: Record>(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    input: &R::Input,
    context: &R::Context,
) -> Result<R, ApiError> {
    let stamp = Stamp {
        version: 1,
        at: now(),
        by: actor.username.clone(),
        redacts: false,
    };
    let id = R::insert(
        conn,
        Write {
            input,
            context,
            stamp: &stamp,
        },
    )?;
    let changes = audit::diff(&json!({}), &audit_view::<R>(input)?);
    audit::record(
        conn,
        actor,
        R::ENTITY,
        &id.to_string(),
        Action::Create,
        &changes,
    )?;
    R::find(conn, id)?.ok_or_else(|| ApiError::internal("a new record vanished"))
}

/// Write `after` over `current` (locked with [`lock`]) on behalf of `user`,
/// with an audit entry of the fields that changed. Nothing is written when
/// nothing changed.
pub fn update<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    current: &R,
    after: &R::Input,
    context: &R::Context,
) -> Result<R, ApiError> {
    check_write::<R>(conn, user, after, Some(current))?;
    let changes = audit::diff(
        &audit_view::<R>(&current.input())?,
        &audit_view::<R>(after)?,
    );
    if changes.is_empty() {
        return R::find(conn, current.id())?.ok_or_else(ApiError::not_found);
    }
    let stamp = stamp(user, current.version() + 1, false);
    let change = Write {
        input: after,
        context,
        stamp: &stamp,
    };
    current.write(conn, change)?;
    let id = current.id().to_string();
    audit::record(
        conn,
        &user.actor(),
        R::ENTITY,
        &id,
        Action::Update,
        &changes,
    )?;
    R::find(conn, current.id())?.ok_or_else(ApiError::not_found)
}

/// Write `after` over `current` (locked with [`lock`]) as the transition
/// `action` (such as re-opening an Ombudsman case) on behalf of `user`, with
/// an audit entry naming it and the fields it changed. The transition's own
/// handler has checked it and who may make it: the field-by-field role rules
/// of [`Record::authorize`] do not apply; the directorate rule does.
pub fn transition<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    current: &R,
    after: &R::Input,
    context: &R::Context,
    action: Action,
) -> Result<R, ApiError> {
    user.may_write_in(R::directorate_of(after))?;
    transition_as(conn, &user.actor(), current, after, context, action)
}

/// Write `after` over `current` as `action` by `actor` outside a request
/// (demo data, imports): no permission checks, with its audit entry.
pub fn transition_as<R: Record>(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    current: &R,
    after: &R::Input,
    context: &R::Context,
    action: Action,
) -> Result<R, ApiError> {
    let changes = audit::diff(
        &audit_view::<R>(&current.input())?,
        &audit_view::<R>(after)?,
    );
    let stamp = Stamp {
        version: current.version() + 1,
        at: now(),
        by: actor.username.clone(),
        redacts: false,
    };
    let change = Write {
        input: after,
        context,
        stamp: &stamp,
    };
    current.write(conn, change)?;
    audit::record(
        conn,
        actor,
        R::ENTITY,
        &current.id().to_string(),
        action,
        &changes,
    )?;
    R::find(conn, current.id())?.ok_or_else(ApiError::not_found)
}

/// Delete `current` (locked) on behalf of `user`. Its history stays in the
/// audit log; the idempotency keys that created it forget its request.
pub fn delete<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    current: &R,
) -> Result<(), ApiError> {
    delete_as(conn, &user.actor(), current)
}

/// Delete `current` (locked) as `actor`: what [`delete`] does, also for the
/// retention schedule.
pub fn delete_as<R: Record>(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    current: &R,
) -> Result<(), ApiError> {
    // Its casework first: actions refer to it.
    crate::casework::delete_for(conn, R::ENTITY, current.id())?;
    R::remove(conn, current)?;
    let changes = audit::diff(&audit_view::<R>(&current.input())?, &json!({}));
    let id = current.id().to_string();
    audit::record(conn, actor, R::ENTITY, &id, Action::Delete, &changes)?;
    erasure::forget_requests(conn, R::ENTITY, &id)?;
    Ok(())
}

/// Redact `current` (locked): its personal data and free text become
/// `[redacted]` in the record and throughout its history; the fields the
/// statistics count stay. It may be redacted again.
pub fn redact<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    current: &R,
    context: &R::Context,
) -> Result<R, ApiError> {
    redact_as(conn, &user.actor(), current, context)
}

/// Redact `current` (locked) as `actor`: what [`redact`] does, also for the
/// retention schedule.
pub fn redact_as<R: Record>(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    current: &R,
    context: &R::Context,
) -> Result<R, ApiError> {
    let view = serde_json::to_value(current.input())?;
    let redacted: R::Input = serde_json::from_value(R::REDACTION.redact(&view))?;
    let stamp = Stamp {
        version: current.version() + 1,
        at: now(),
        by: actor.username.clone(),
        redacts: true,
    };
    let change = Write {
        input: &redacted,
        context,
        stamp: &stamp,
    };
    current.write(conn, change)?;
    let id = current.id().to_string();
    R::REDACTION.redact_history(conn, actor, &id)?;
    crate::casework::redact_for(conn, actor, R::ENTITY, current.id())?;
    erasure::forget_requests(conn, R::ENTITY, &id)?;
    R::find(conn, current.id())?.ok_or_else(ApiError::not_found)
}

/// Redact the record `id` and its history, whether it still exists
/// (`Some`, redacted) or was deleted (`None`: its history is redacted, if
/// `user` could see its last directorate).
pub fn redact_any<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    context: &R::Context,
) -> Result<Option<R>, ApiError> {
    lock_row(conn, R::TABLE, id)?;
    match R::find(conn, id)? {
        Some(record) => {
            user.visible(record.directorate())?;
            redact(conn, user, &record, context).map(Some)
        }
        None => {
            erasure::redact_deleted(conn, user, &R::REDACTION, &id.to_string())?;
            Ok(None)
        }
    }
}

/// Erase the record `id` for `request`'s reason: redact it and everything
/// attached, then delete it (or keep it anonymised), and say what was
/// reached. A record already deleted has its history redacted.
pub fn erase<R: Record>(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
    precondition: &Precondition,
    context: &R::Context,
    request: &erasure::ErasureRequest,
) -> Result<erasure::Erasure, ApiError> {
    lock_row(conn, R::TABLE, id)?;
    let key = id.to_string();
    let action = request.action.unwrap_or(erasure::ErasureAction::Delete);
    let erased = match R::find(conn, id)? {
        None => {
            let history_entries = erasure::history_entries(conn, R::ENTITY, &key)?;
            let idempotency_entries = erasure::requests_of(conn, R::ENTITY, &key)?;
            erasure::redact_deleted(conn, user, &R::REDACTION, &key)?;
            erasure::Erased {
                history_entries,
                idempotency_entries,
                ..Default::default()
            }
        }
        Some(record) => {
            user.visible(record.directorate())?;
            precondition.check(record.version())?;
            let mut erased = crate::casework::attached(conn, R::ENTITY, id)?;
            erased.history_entries = erasure::history_entries(conn, R::ENTITY, &key)?;
            erased.idempotency_entries = erasure::requests_of(conn, R::ENTITY, &key)?;
            let redacted = redact(conn, user, &record, context)?;
            if action == erasure::ErasureAction::Delete {
                delete(conn, user, &redacted)?;
                erased.record_deleted = true;
            }
            erased
        }
    };
    erasure::record_erasure(conn, &user.actor(), R::ENTITY, &key, request)?;
    Ok(erasure::Erasure {
        entity: R::ENTITY.to_string(),
        id,
        action,
        reason: request.reason,
        erased,
    })
}
