//! The documents' endpoints: upload to a record or case
//! (`multipart/form-data`), list, download and delete.

use actix_multipart::Multipart;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt as _;
use utoipa::ToSchema;

use super::model::{self, DocumentKind, DocumentPage, DocumentRow, NewDocument};
use super::sniff::{self, FileType};
use super::storage;
use crate::auth::{AuthUser, Authorized, CaseworkReaders, RecordWriters};
use crate::casework::Casework;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldErrors};
use crate::feedback::model::FeedbackRow;
use crate::http::list::ListParams;
use crate::ombudsman::model::CaseRecord;
use crate::openapi::Routes;
use crate::records::store;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(upload_feedback_document)
        .service(list_feedback_documents)
        .service(upload_case_document)
        .service(list_case_documents)
        .service(download_document)
        .service(delete_document);
}

/// The parts of a document upload, sent as `multipart/form-data`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // read part by part from the stream; here for the spec
pub struct DocumentUpload {
    /// The file, with its name in the part's `filename`. PDF, Word (.docx),
    /// Excel (.xlsx), Outlook (.msg) or .eml email, PNG, JPEG or plain
    /// text, told by its content; its name's extension and the part's
    /// `Content-Type` (when not `application/octet-stream`) must agree (415).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What the document is.
    kind: DocumentKind,
    /// What it is called (1 to 200 characters); the file's name when absent.
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        example = "Response letter, stage 1"
    )]
    title: Option<String>,
}

/// What an upload answers besides the shared errors.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // for the spec
pub enum UploadResponses {
    /// Attached.
    #[response(status = 201)]
    Attached(model::Document),
    /// The record or case already has a document with the same content
    /// (the detail names it).
    #[response(status = 409, content_type = "application/problem+json")]
    Duplicate(crate::error::Problem),
    /// The file is larger than the configured limit (`DOCUMENTS_MAX_BYTES`,
    /// 20 MiB by default).
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(crate::error::Problem),
    /// Not `multipart/form-data`, or a file whose content is not an
    /// accepted type or disagrees with its name or declared type.
    #[response(status = 415, content_type = "application/problem+json")]
    Unsupported(crate::error::Problem),
}

/// The longest title.
const MAX_TITLE: usize = 200;

/// The longest file name kept.
const MAX_FILENAME: usize = 255;

/// A file to attach, checked.
#[derive(Debug)]
pub struct Attachment {
    /// Its title.
    pub title: String,
    /// What it is.
    pub kind: DocumentKind,
    /// Its file name.
    pub filename: String,
    /// Its type, found from its content.
    pub file_type: FileType,
    /// The content.
    pub content: Vec<u8>,
}

impl Attachment {
    /// The document row to write for it: attached to the record `record_id`
    /// of `entity` in `directorate`, its content under `key`.
    pub fn to<'a>(
        &'a self,
        entity: &'a str,
        record_id: i64,
        directorate: Option<&'a str>,
        key: &'a str,
    ) -> NewDocument<'a> {
        NewDocument {
            entity,
            record_id,
            directorate,
            title: &self.title,
            kind: self.kind,
            filename: &self.filename,
            content_type: self.file_type.media_type(),
            content: &self.content,
            storage_key: key,
        }
    }
}

/// A text part read whole, at most `limit` bytes.
async fn text_part(
    field: &mut actix_multipart::Field,
    limit: usize,
) -> Result<Option<String>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("The upload cannot be read: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ApiError::BadRequest("A text part is not UTF-8.".into()))
}

/// Read a `multipart/form-data` upload of at most `max_bytes` (413 above),
/// and check it: 415 for a type not accepted or a name that disagrees with
/// the content, 422 for a missing or bad part.
pub async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: usize,
) -> Result<Attachment, ApiError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_multipart {
        return Err(ApiError::UnsupportedMediaType(
            "Send the document as multipart/form-data, with the parts `file`, `kind` and `title`."
                .into(),
        ));
    }
    // Room for the other parts and the boundaries besides the file.
    let overhead = 64 * 1024;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max_bytes + overhead) {
        return Err(ApiError::PayloadTooLarge { limit: max_bytes });
    }
    let mut parts = Multipart::new(req.headers(), payload);
    let (mut file, mut title, mut kind) = (None, None, None);
    let mut errors = FieldErrors::new();
    while let Some(part) = parts.next().await {
        let mut part =
            part.map_err(|e| ApiError::BadRequest(format!("The upload cannot be read: {e}")))?;
        let name = part.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let filename = part
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(clean_filename)
                    .unwrap_or_default();
                let declared = part.content_type().map(|m| m.essence_str().to_string());
                let mut content = Vec::new();
                while let Some(chunk) = part.next().await {
                    let chunk = chunk.map_err(|e| {
                        ApiError::BadRequest(format!("The upload cannot be read: {e}"))
                    })?;
                    if content.len() + chunk.len() > max_bytes {
                        return Err(ApiError::PayloadTooLarge { limit: max_bytes });
                    }
                    content.extend_from_slice(&chunk);
                }
                file = Some((filename, declared, content));
            }
            "title" => match text_part(&mut part, MAX_TITLE * 4).await? {
                Some(text) => title = Some(text),
                None => errors.add("title", format!("must be at most {MAX_TITLE} characters")),
            },
            "kind" => kind = text_part(&mut part, 64).await?,
            other => errors.add(
                other,
                "is not a part of a document upload (file, kind, title)",
            ),
        }
    }
    let kind = match kind.as_deref().map(str::trim) {
        None | Some("") => {
            errors.add("kind", "is required");
            None
        }
        Some(text) => DocumentKind::parse(text).or_else(|| {
            let allowed: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.as_str()).collect();
            errors.add("kind", format!("must be one of {}", allowed.join(", ")));
            None
        }),
    };
    let Some((filename, declared, content)) = file else {
        errors.add("file", "is required: a part named `file` with a filename");
        return Err(errors
            .into_result()
            .err()
            .unwrap_or(ApiError::internal("no errors")));
    };
    if content.is_empty() {
        errors.add("file", "is empty");
    }
    let title = title
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|| filename.clone());
    if title.is_empty() {
        errors.add("title", "is required when the file has no name");
    } else if title.chars().count() > MAX_TITLE {
        errors.add("title", format!("must be at most {MAX_TITLE} characters"));
    }
    errors.into_result()?;
    let filename = if filename.is_empty() {
        "document".to_string()
    } else {
        filename
    };
    let file_type = sniff::check(&filename, declared.as_deref(), &content)
        .map_err(ApiError::UnsupportedMediaType)?;
    Ok(Attachment {
        title,
        kind: kind.ok_or_else(|| ApiError::internal("kind checked"))?,
        filename,
        file_type,
        content,
    })
}

/// A file name without a path, control characters or excess length.
fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .rev()
        .take(MAX_FILENAME)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

/// Attach `attachment` to the record `id` of kind `R` on behalf of `user`.
pub async fn attach<R: Casework>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    attachment: Attachment,
) -> Result<DocumentRow, ApiError> {
    keep(state, attachment, move |conn, attachment, key, store| {
        let record = store::find_visible::<R>(conn, &user.scope().map(<[String]>::to_vec), id)?;
        user.may_write_in(record.directorate())?;
        let new = attachment.to(R::ENTITY, id, Some(record.directorate()), key);
        model::insert(conn, &user.actor(), store, &new)
    })
    .await
}

/// Keep `attachment`: its content staged, then `record` (given the
/// attachment, its content's key and the store) writes its row and audit
/// entry in one transaction; the staged content is let go if that fails.
pub async fn keep<F>(
    state: &AppState,
    attachment: Attachment,
    record: F,
) -> Result<DocumentRow, ApiError>
where
    F: FnOnce(
            &mut DbConnection,
            &Attachment,
            &str,
            &dyn storage::ContentStore,
        ) -> Result<DocumentRow, ApiError>
        + Send
        + 'static,
{
    let documents = state.documents.clone();
    let key = storage::new_key();
    let attachment = std::sync::Arc::new(attachment);
    {
        let (documents, key, attachment) = (documents.clone(), key.clone(), attachment.clone());
        web::block(move || documents.for_new().stage(&key, &attachment.content))
            .await
            .map_err(ApiError::internal)?
            .map_err(|e| ApiError::internal(format!("cannot store a document: {e}")))?;
    }
    let written = {
        let (documents, key) = (documents.clone(), key.clone());
        state
            .db
            .write(move |conn| record(conn, &attachment, &key, documents.for_new()))
            .await
    };
    if written.is_err() {
        documents.for_new().discard(&key);
    }
    written
}

async fn upload_endpoint<R: Casework>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let attachment = read_upload(req, payload, state.documents.max_bytes()).await?;
    let row = attach::<R>(state, user, id, attachment).await?;
    let document = model::Document::from(row);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, document.href.clone()))
        .json(document))
}

async fn list_endpoint<R: Casework>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    page: &ListParams,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(&[])?;
    let query = paging.clone();
    let (rows, total) = state
        .db
        .run(move |conn| {
            store::find_visible::<R>(conn, &user.scope().map(<[String]>::to_vec), id)?;
            model::list(conn, R::ENTITY, id, &query)
        })
        .await?;
    let items = rows.into_iter().map(model::Document::from).collect();
    Ok(HttpResponse::Ok().json(DocumentPage::of(items, total, &paging)))
}

/// The document `id`, if `user` may see the record it is attached to,
/// with the record's directorate; `None` for a document of the whole
/// council (a Code year's), which every reader of documents sees.
fn visible_document(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i64,
) -> Result<(DocumentRow, Option<String>), ApiError> {
    let document = model::find(conn, id)?.ok_or_else(ApiError::not_found)?;
    if document.entity == crate::code::years::ENTITY {
        return Ok((document, None));
    }
    let directorate = crate::casework::directorate_of(conn, &document.entity, document.record_id)?
        .ok_or_else(ApiError::not_found)?;
    user.visible(&directorate)?;
    Ok((document, Some(directorate)))
}

/// Attach a document to a feedback record: a letter, an email, evidence.
///
/// Sent as `multipart/form-data` with the parts `file`, `kind` and
/// optionally `title`. The type is told by the content (415 for one not
/// accepted, or a name that disagrees with it); files over the configured
/// limit (`DOCUMENTS_MAX_BYTES`, 20 MiB by default) get 413; the same file
/// attached twice to one record gets 409.
#[utoipa::path(
    tag = "casework",
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "The record.")),
    responses(UploadResponses)
)]
#[post("/feedback/{id}/documents")]
pub async fn upload_feedback_document(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    upload_endpoint::<FeedbackRow>(&state, user.0, id.into_inner(), &req, payload).await
}

/// The documents attached to a feedback record, newest first.
///
/// Not for analysts (403): documents are personal data.
#[utoipa::path(
    tag = "casework",
    params(("id" = i64, Path, description = "The record."), ListParams),
    responses((status = 200, description = "A page of documents.", body = DocumentPage))
)]
#[get("/feedback/{id}/documents")]
pub async fn list_feedback_documents(
    state: web::Data<AppState>,
    user: Authorized<CaseworkReaders>,
    id: web::Path<i64>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    list_endpoint::<FeedbackRow>(&state, user.0, id.into_inner(), &page).await
}

/// Attach a document to an Ombudsman case, as for feedback records.
#[utoipa::path(
    tag = "casework",
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "The case.")),
    responses(UploadResponses)
)]
#[post("/ombudsman-cases/{id}/documents")]
pub async fn upload_case_document(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    upload_endpoint::<CaseRecord>(&state, user.0, id.into_inner(), &req, payload).await
}

/// The documents attached to an Ombudsman case, newest first; not for
/// analysts.
#[utoipa::path(
    tag = "casework",
    params(("id" = i64, Path, description = "The case."), ListParams),
    responses((status = 200, description = "A page of documents.", body = DocumentPage))
)]
#[get("/ombudsman-cases/{id}/documents")]
pub async fn list_case_documents(
    state: web::Data<AppState>,
    user: Authorized<CaseworkReaders>,
    id: web::Path<i64>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    list_endpoint::<CaseRecord>(&state, user.0, id.into_inner(), &page).await
}

/// Download a document.
///
/// Its content with its stored media type, as an attachment named as it
/// was uploaded. Not for analysts (403). A redacted
/// document's content is gone (410).
#[utoipa::path(
    tag = "casework",
    params(("id" = i64, Path, description = "The document.")),
    responses(
        (status = 200, description = "The content, with `Content-Disposition: attachment` and the document's media type.",
         content(
            (crate::openapi::Binary = "application/pdf"),
            (crate::openapi::Binary = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (crate::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (crate::openapi::Binary = "application/vnd.ms-outlook"),
            (String = "message/rfc822"),
            (crate::openapi::Binary = "image/png"),
            (crate::openapi::Binary = "image/jpeg"),
            (String = "text/plain"),
            (String = "text/html"),
         )),
        (status = 410, description = "The document was redacted and its content deleted.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/documents/{id}")]
pub async fn download_document(
    state: web::Data<AppState>,
    user: Authorized<CaseworkReaders>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (user, id) = (user.0, id.into_inner());
    let documents = state.documents.clone();
    let reader = user.clone();
    let (document, content) = state
        .db
        .run(move |conn| {
            let (document, _) = visible_document(conn, &reader, id)?;
            if document.redacted_at.is_some() {
                return Err(ApiError::Gone(
                    "This document was redacted and its content deleted.".into(),
                ));
            }
            let content = documents
                .store(document.storage)
                .read(conn, &document.storage_key)?
                .ok_or_else(|| {
                    ApiError::internal(format!("the content of document {id} is missing"))
                })?;
            Ok((document, content))
        })
        .await?;
    state.access.record(
        &user,
        &document.entity,
        [document.record_id],
        crate::access::Access::Document,
        Some(&document.id.to_string()),
    );
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, document.content_type.as_str()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            attachment_header(&document.filename),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        ));
    Ok(response.body(content))
}

/// `attachment` with the file's name: an ASCII fallback, and the name
/// itself percent-encoded (RFC 6266, RFC 8187).
fn attachment_header(filename: &str) -> HeaderValue {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Delete a document (204).
///
/// Its content is deleted; its history stays in
/// the audit log.
#[utoipa::path(
    tag = "casework",
    params(("id" = i64, Path, description = "The document.")),
    responses((status = 204, description = "Deleted."))
)]
#[delete("/documents/{id}")]
pub async fn delete_document(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (user, id) = (user.0, id.into_inner());
    state
        .db
        .write(move |conn| {
            let (document, directorate) = visible_document(conn, &user, id)?;
            match directorate {
                Some(directorate) => user.may_write_in(&directorate)?,
                None => crate::code::years::may_change(&user)?,
            }
            model::delete(conn, &user.actor(), &document)
        })
        .await?;
    state.documents.purge(&state.db).await;
    Ok(HttpResponse::NoContent().finish())
}
