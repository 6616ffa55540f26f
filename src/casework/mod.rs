//! Casework: the daily work on feedback records and Ombudsman cases, built
//! on the record core the same way for both.
//!
//! - [`allocation`]: who handles a record (`handler`), and who investigates
//!   it (a user, or an external investigator by name), assigned with
//!   `POST /{id}/assign` and kept in the record's history;
//! - [`contacts`]: the log of what was said and sent, personal data that
//!   redaction and erasure cover;
//! - documents ([`crate::documents`]): letters, emails and evidence;
//! - [`queue`]: `GET /me/work`, the caller's open records and cases, most
//!   urgent first, and for managers the records left with a handler who has
//!   gone.

pub mod allocation;
pub mod contacts;
pub mod queue;

use crate::audit::Actor;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::records::api::RecordApi;

pub use allocation::{Allocation, HandlerFilter};

/// A kind of record that is worked on: it has a handler and a contact log.
pub trait Casework: RecordApi {
    /// Its allocation as stored.
    fn allocation(&self) -> Allocation;
}

/// The directorate of the record `id` of `entity` (a feedback record or an
/// Ombudsman case), if it exists.
pub fn directorate_of(
    conn: &mut DbConnection,
    entity: &str,
    id: i64,
) -> Result<Option<String>, ApiError> {
    match entity {
        crate::feedback::model::ENTITY => crate::feedback::model::directorate_of(conn, id),
        crate::ombudsman::model::ENTITY => crate::ombudsman::model::directorate_of(conn, id),
        _ => Ok(None),
    }
}

/// What is attached to the record `id` of `entity`, as an erasure reports
/// it: contact entries, documents (and their files on disk), actions and
/// earlier rounds.
pub fn attached(
    conn: &mut DbConnection,
    entity: &str,
    id: i64,
) -> Result<crate::records::erasure::Erased, ApiError> {
    use crate::db::schema::{actions, contacts, documents, feedback_rounds};
    use diesel::prelude::*;
    let contacts = contacts::table
        .filter(contacts::entity.eq(entity))
        .filter(contacts::record_id.eq(id))
        .count()
        .get_result(conn)?;
    let of_record = documents::entity
        .eq(entity.to_string())
        .and(documents::record_id.eq(id));
    let documents_count = documents::table
        .filter(of_record.clone())
        .count()
        .get_result(conn)?;
    let document_files = documents::table
        .filter(of_record)
        .filter(documents::storage.eq(crate::documents::StorageKind::Disk))
        .filter(documents::redacted_at.is_null())
        .count()
        .get_result(conn)?;
    let (actions, rounds) = match entity {
        crate::feedback::model::ENTITY => (
            actions::table
                .filter(actions::feedback_id.eq(id))
                .count()
                .get_result(conn)?,
            feedback_rounds::table
                .filter(feedback_rounds::feedback_id.eq(id))
                .count()
                .get_result(conn)?,
        ),
        crate::ombudsman::model::ENTITY => (
            actions::table
                .filter(actions::ombudsman_case_id.eq(id))
                .count()
                .get_result(conn)?,
            0,
        ),
        _ => (0, 0),
    };
    Ok(crate::records::erasure::Erased {
        contacts,
        documents: documents_count,
        document_files,
        actions,
        rounds,
        ..Default::default()
    })
}

/// What redacting the record `id` of `entity` does to its casework: its
/// contact entries' summaries, its documents' titles and names, its actions'
/// free text and its reopenings' reasons become `[redacted]`, in them and
/// in their history; its documents' contents are deleted.
pub fn redact_for(
    conn: &mut DbConnection,
    actor: &Actor,
    entity: &str,
    id: i64,
) -> Result<(), ApiError> {
    contacts::redact_for(conn, actor, entity, id)?;
    crate::documents::model::redact_for(conn, actor, entity, id)?;
    if entity == crate::feedback::model::ENTITY {
        crate::feedback::reopening::redact_for(conn, id)?;
    }
    crate::actions::model::redact_for(conn, actor, entity, id)
}

/// What deleting the record `id` of `entity` does to its casework: its
/// contact entries, documents and actions go with it (their history stays).
pub fn delete_for(conn: &mut DbConnection, entity: &str, id: i64) -> Result<(), ApiError> {
    contacts::delete_for(conn, entity, id)?;
    crate::documents::model::delete_for(conn, entity, id)?;
    crate::actions::model::delete_for(conn, entity, id)
}
