//! Documents as stored: a row of `documents` per letter, email or piece of
//! evidence attached to a record or case, its content in a
//! [`ContentStore`], each audited as the entity `document`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::storage::{self, ContentStore, StorageKind};
use crate::audit::redaction::{Field, Policy, REDACTED};
use crate::audit::{self, Action, Actor};
use crate::db::schema::documents;
use crate::db::{now, DbConnection};
use crate::error::ApiError;
use crate::text_enum;

/// The audit log's name for documents.
pub const ENTITY: &str = "document";

/// What redaction blanks in a document's row and history (its content goes).
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[Field::Text("title"), Field::Text("filename")],
};

text_enum! {
    /// What a document is.
    pub enum DocumentKind {
        /// A letter the council sent.
        LetterOut => "letter_out",
        /// A letter the council received.
        LetterIn => "letter_in",
        /// An email, sent or received.
        Email => "email",
        /// The Ombudsman's annual letter to the council (attached to a
        /// Code year).
        OmbudsmanAnnualLetter => "ombudsman_annual_letter",
        /// The council's response to the Ombudsman's annual letter or to
        /// its annual complaints report (attached to a Code year).
        CouncilResponse => "council_response",
        /// Evidence: a photo, a care plan, an invoice.
        Evidence => "evidence",
        /// The report of an investigation (the children's stage 2
        /// investigating officer's, an independent investigator's).
        InvestigationReport => "investigation_report",
        /// Anything else.
        Other => "other",
    }
}

/// A row of `documents`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    /// Its id.
    pub id: i64,
    /// The entity it is attached to.
    pub entity: String,
    /// The record's or case's id.
    pub record_id: i64,
    directorate: Option<String>,
    title: String,
    kind: DocumentKind,
    /// The file's name as uploaded or made.
    pub filename: String,
    /// The media type found in its content.
    pub content_type: String,
    size_bytes: i64,
    sha256: String,
    /// Where its content is.
    pub storage: StorageKind,
    /// Its content's key in the store.
    pub storage_key: String,
    created_at: NaiveDateTime,
    created_by: String,
    /// When it was redacted: its content is gone.
    pub redacted_at: Option<NaiveDateTime>,
}

/// A document attached to a record or case (its content is downloaded from
/// `href`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Document {
    /// Its id.
    pub id: i64,
    /// What it is attached to: `feedback` or `ombudsman_case`.
    pub entity: String,
    /// The record's or case's id.
    pub record_id: i64,
    /// The record's directorate when it was attached; null for a document
    /// of the whole council (a Code year's: `/code-years/{year}/documents`).
    pub directorate: Option<String>,
    /// What it is called; `[redacted]` once redacted.
    pub title: String,
    /// What it is.
    pub kind: DocumentKind,
    /// The file's name; `[redacted]` once redacted.
    pub filename: String,
    /// The media type, found from its content (not from the name or the
    /// uploader's word).
    pub content_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// The SHA-256 digest of its content, in hex: the same file attached
    /// twice to one record is refused (409).
    pub sha256: String,
    /// Where its content is downloaded: `GET /api/v1/documents/{id}`.
    pub href: String,
    /// When it was attached (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Who attached it.
    pub created_by: String,
    /// When it was redacted and its content deleted; null if it was not.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl From<DocumentRow> for Document {
    fn from(row: DocumentRow) -> Document {
        Document {
            href: format!("/api/v1/documents/{}", row.id),
            id: row.id,
            entity: row.entity,
            record_id: row.record_id,
            directorate: row.directorate,
            title: row.title,
            kind: row.kind,
            filename: row.filename,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            sha256: row.sha256,
            created_at: row.created_at.and_utc(),
            created_by: row.created_by,
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
        }
    }
}

crate::page_type!(
    /// A page of documents, newest first.
    DocumentPage,
    Document
);

/// A document to record: its content already checked and staged.
#[derive(Debug)]
pub struct NewDocument<'a> {
    /// The entity it is attached to.
    pub entity: &'a str,
    /// The record's or case's id.
    pub record_id: i64,
    /// The record's directorate; `None` for a document of the whole
    /// council.
    pub directorate: Option<&'a str>,
    /// Its title.
    pub title: &'a str,
    /// What it is.
    pub kind: DocumentKind,
    /// The file's name.
    pub filename: &'a str,
    /// The media type found in it.
    pub content_type: &'a str,
    /// The content.
    pub content: &'a [u8],
    /// Its key in the store.
    pub storage_key: &'a str,
}

/// The SHA-256 digest of `content` in lower-case hex.
pub fn digest(content: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Record `new` as `actor`, its content kept by `store` (staged already),
/// with its audit entry; 409 when the record already has a document with
/// the same content.
pub fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    store: &dyn ContentStore,
    new: &NewDocument<'_>,
) -> Result<DocumentRow, ApiError> {
    let sha256 = digest(new.content);
    let same: Option<i64> = of_record(new.entity, new.record_id)
        .filter(documents::sha256.eq(&sha256))
        .filter(documents::redacted_at.is_null())
        .select(documents::id)
        .first(conn)
        .optional()?;
    if let Some(existing) = same {
        return Err(ApiError::Conflict(format!(
            "This record already has the same file: document {existing} (SHA-256 {sha256})."
        )));
    }
    store.keep(conn, new.storage_key, new.content)?;
    let insert = diesel::insert_into(documents::table)
        .values((
            documents::entity.eq(new.entity),
            documents::record_id.eq(new.record_id),
            documents::directorate.eq(new.directorate),
            documents::title.eq(new.title),
            documents::kind.eq(new.kind),
            documents::filename.eq(new.filename),
            documents::content_type.eq(new.content_type),
            documents::size_bytes.eq(new.content.len() as i64),
            documents::sha256.eq(&sha256),
            documents::storage.eq(store.kind()),
            documents::storage_key.eq(new.storage_key),
            documents::created_at.eq(now()),
            documents::created_by.eq(&actor.username),
        ))
        .returning(documents::id);
    let id: i64 = crate::per_backend!(conn, |c| insert.get_result(c))?;
    let view = serde_json::json!({
        "entity": new.entity,
        "record_id": new.record_id,
        "title": new.title,
        "kind": new.kind,
        "filename": new.filename,
        "content_type": new.content_type,
        "size_bytes": new.content.len(),
        "sha256": sha256,
    });
    let changes = audit::diff(&serde_json::json!({}), &view);
    audit::record(
        conn,
        actor,
        ENTITY,
        &id.to_string(),
        Action::Create,
        &changes,
    )?;
    find(conn, id)?.ok_or_else(ApiError::not_found)
}

/// The document `id`, whoever may see it.
pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<DocumentRow>, ApiError> {
    Ok(documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?)
}

fn of_record(entity: &str, id: i64) -> documents::BoxedQuery<'static, crate::db::MultiBackend> {
    documents::table
        .filter(documents::entity.eq(entity.to_string()))
        .filter(documents::record_id.eq(id))
        .into_boxed()
}

/// The documents attached to the record `id` of `entity`, newest first, a
/// page at a time, and how many there are.
pub fn list(
    conn: &mut DbConnection,
    entity: &str,
    id: i64,
    paging: &crate::db::page::Paging,
) -> Result<(Vec<DocumentRow>, i64), ApiError> {
    let total: i64 = of_record(entity, id).count().get_result(conn)?;
    let rows = of_record(entity, id)
        .order((documents::created_at.desc(), documents::id.desc()))
        .limit(paging.limit)
        .offset(paging.offset)
        .select(DocumentRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Delete `document` as `actor`: its row goes, its content is let go, its
/// history stays.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    document: &DocumentRow,
) -> Result<(), ApiError> {
    if diesel::delete(documents::table.find(document.id)).execute(conn)? == 0 {
        return Err(ApiError::not_found());
    }
    if document.redacted_at.is_none() {
        storage::forget(conn, document.storage, &document.storage_key)?;
    }
    let view = serde_json::json!({
        "title": document.title,
        "kind": document.kind,
        "filename": document.filename,
    });
    let changes = audit::diff(&view, &serde_json::json!({}));
    audit::record(
        conn,
        actor,
        ENTITY,
        &document.id.to_string(),
        Action::Delete,
        &changes,
    )
}

fn attached(conn: &mut DbConnection, entity: &str, id: i64) -> Result<Vec<DocumentRow>, ApiError> {
    Ok(of_record(entity, id)
        .select(DocumentRow::as_select())
        .load(conn)?)
}

/// Redact the documents of the record `id` of `entity`: their titles and
/// file names become `[redacted]`, in them and their history, and their
/// contents are deleted (files after the commit, by [`super::Documents::purge`]).
pub fn redact_for(
    conn: &mut DbConnection,
    actor: &Actor,
    entity: &str,
    id: i64,
) -> Result<(), ApiError> {
    for document in attached(conn, entity, id)? {
        if document.redacted_at.is_none() {
            storage::forget(conn, document.storage, &document.storage_key)?;
        }
        REDACTION.redact_history(conn, actor, &document.id.to_string())?;
    }
    diesel::update(documents::table)
        .filter(documents::entity.eq(entity))
        .filter(documents::record_id.eq(id))
        .set((
            documents::title.eq(REDACTED),
            documents::filename.eq(REDACTED),
            documents::redacted_at.eq(Some(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Delete the documents of the record `id` of `entity` (it is being
/// deleted) and let go of their contents; their history stays.
pub fn delete_for(conn: &mut DbConnection, entity: &str, id: i64) -> Result<(), ApiError> {
    for document in attached(conn, entity, id)? {
        if document.redacted_at.is_none() {
            storage::forget(conn, document.storage, &document.storage_key)?;
        }
    }
    diesel::delete(documents::table)
        .filter(documents::entity.eq(entity))
        .filter(documents::record_id.eq(id))
        .execute(conn)?;
    Ok(())
}
