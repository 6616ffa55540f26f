//! `/imports`: upload a CSV file to import as a job (admins), and follow
//! the jobs.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt as _;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::columns::{parse_mapping, Mapping};
use super::jobs::{self, ImportJob, ImportJobPage};
use super::report::ImportKind;
use super::{Options, MAX_UPLOAD_BYTES};
use crate::auth::{AdminOnly, Authorized};
use crate::calendar::Today;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::http::list::ListParams;
use crate::openapi::Routes;
use crate::state::AppState;
use crate::timescales::TimeRules;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(create_import)
        .service(list_imports)
        .service(get_import);
}

/// The options of an import, in the query string (a multipart upload may
/// give them as parts instead).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// What the file holds: `feedback` (the default) or
    /// `ombudsman_decisions`.
    pub kind: Option<ImportKind>,
    /// The directorate of rows that name none (for decisions: required
    /// when the file has no `directorate` column).
    #[param(max_length = 32, example = "adults")]
    pub directorate: Option<String>,
    /// Check every row and report, saving nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The parts of a multipart import.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // read part by part from the stream; here for the spec
pub struct ImportUpload {
    /// The CSV file (UTF-8, a header row first).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// A mapping from the file's column names to the field names, as a
    /// JSON object (`{"Case ref": "external_ref"}`); columns it leaves out
    /// keep their names.
    #[schema(value_type = Option<String>, example = r#"{"Case ref": "external_ref", "Received": "received_on"}"#)]
    mapping: Option<String>,
    /// As the query parameter `kind`.
    kind: Option<ImportKind>,
    /// As the query parameter `directorate`.
    #[schema(max_length = 32)]
    directorate: Option<String>,
    /// As the query parameter `dry_run`.
    dry_run: Option<bool>,
}

/// What an upload sent: the file, and options given as parts.
struct Upload {
    file: Vec<u8>,
    filename: Option<String>,
    mapping: Option<Mapping>,
    params: ImportParams,
}

/// The body's media type, lower-cased, without parameters.
fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Read a part or body of at most [`MAX_UPLOAD_BYTES`] (413 above).
async fn read_all<S, E>(mut stream: S) -> Result<Vec<u8>, ApiError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("The upload cannot be read: {e}")))?;
        if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_UPLOAD_BYTES,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn text(bytes: Vec<u8>, part: &str) -> Result<String, ApiError> {
    String::from_utf8(bytes).map_err(|_| ApiError::field(part, "must be UTF-8 text"))
}

/// Read the upload: a `text/csv` body, or a `multipart/form-data` one
/// with the parts `file`, `mapping`, `kind`, `directorate`, `dry_run`.
async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    mut params: ImportParams,
) -> Result<Upload, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // Room for the other parts and the boundaries besides the file.
    if declared.is_some_and(|n| n > MAX_UPLOAD_BYTES + 64 * 1024) {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_UPLOAD_BYTES,
        });
    }
    match media_type(req).as_str() {
        "text/csv" | "application/csv" => Ok(Upload {
            file: read_all(payload).await?,
            filename: None,
            mapping: None,
            params,
        }),
        "multipart/form-data" => {
            let mut parts = Multipart::new(req.headers(), payload);
            let (mut file, mut filename, mut mapping) = (None, None, None);
            let mut errors = FieldErrors::new();
            while let Some(part) = parts.next().await {
                let part = part
                    .map_err(|e| ApiError::BadRequest(format!("The upload cannot be read: {e}")))?;
                let name = part.name().unwrap_or_default().to_string();
                if name == "file" {
                    filename = part
                        .content_disposition()
                        .and_then(|d| d.get_filename())
                        .map(|f| f.chars().take(255).collect::<String>());
                }
                let bytes = read_all(part).await?;
                match name.as_str() {
                    "file" => file = Some(bytes),
                    "mapping" => mapping = Some(parse_mapping(&text(bytes, "mapping")?)?),
                    "kind" => {
                        let value = text(bytes, "kind")?;
                        match ImportKind::parse(value.trim()) {
                            Some(kind) => params.kind = Some(kind),
                            None => errors.add("kind", "must be feedback or ombudsman_decisions"),
                        }
                    }
                    "directorate" => {
                        params.directorate = Some(text(bytes, "directorate")?.trim().to_string())
                    }
                    "dry_run" => match text(bytes, "dry_run")?.trim() {
                        "true" => params.dry_run = true,
                        "false" => params.dry_run = false,
                        _ => errors.add("dry_run", "must be true or false"),
                    },
                    other => errors.add(
                        other,
                        "is not a part of an import (file, mapping, kind, directorate, dry_run)",
                    ),
                }
            }
            errors.into_result()?;
            let file = file.ok_or_else(|| {
                ApiError::field("file", "is required: a part named `file` with the CSV")
            })?;
            Ok(Upload {
                file,
                filename,
                mapping,
                params,
            })
        }
        _ => Err(ApiError::UnsupportedMediaType(
            "Send the file as text/csv, or as multipart/form-data with the parts `file` and (optionally) `mapping`."
                .into(),
        )),
    }
}

/// Import a CSV file (admins): feedback records, or the Ombudsman's
/// published decisions.
///
/// Send the file as the `text/csv` body, or as `multipart/form-data` with
/// the parts `file` and, optionally, `mapping` (a JSON object from the
/// file's column names to field names) and the options as parts. The file
/// and its header are checked at once: 422 for a file that is not CSV, a
/// column that names no field, or an unknown directorate; 413 over 32 MiB.
/// Then the rows are imported as a job, off the request: 202 with the
/// job's URL to poll (`GET /imports/{id}`).
///
/// Feedback rows are checked as `POST /feedback` bodies are; a row whose
/// `external_ref` the directorate already has (or an earlier row gave) is
/// skipped, so a re-run imports only what is new. Each record is audited
/// as an `import` naming the job. Bad rows are rejected with their line
/// and column; the good ones are saved, in batches of 5,000, each batch
/// whole or not at all, with the job's progress. On SQLite the first
/// feedback import into an empty system is saved in one transaction
/// instead (indexes built once at the end): its progress shows when it
/// ends, and other writes wait for it. See the README's "Bulk import" for
/// the columns.
#[utoipa::path(
    tag = "imports",
    params(ImportParams),
    request_body(content(
        (String = "text/csv", example = "external_ref,kind,received_on,summary\nCRM-1,compliment,2026-11-02,Thank you\n"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 202, description = "The job, queued.", body = ImportJob,
            headers(("Location" = String, description = "The job's URL, to poll."))),
        (status = 413, description = "The file is larger than 32 MiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither `text/csv` nor `multipart/form-data`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    params: crate::http::query::Query<ImportParams>,
    req: HttpRequest,
    payload: web::Payload,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let upload = read_upload(&req, payload, params.into_inner()).await?;
    let options = Options {
        kind: upload.params.kind.unwrap_or(ImportKind::Feedback),
        directorate: upload.params.directorate,
        dry_run: upload.params.dry_run,
        mapping: upload.mapping,
        filename: upload.filename,
    };
    let rules = TimeRules::current(&state).await?;
    let prepared = super::prepare(&state.db, &upload.file, options, rules, today).await?;
    let actor = admin.actor();
    let id = super::create_job(&state.db, &prepared, &actor.username).await?;
    let job = state
        .db
        .read(move |conn| ImportJob::of(jobs::find(conn, id)?, true))
        .await?;
    let runner = state.clone();
    actix_web::rt::spawn(async move {
        if let Err(error) = super::run(&runner.db, prepared, id, actor, |_| {}).await {
            tracing::error!(job = id, %error, "import failed");
        }
    });
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, job.href.clone()))
        .json(job))
}

/// The import jobs, newest first (admins), without their row errors.
#[utoipa::path(
    tag = "imports",
    params(ListParams),
    responses((status = 200, description = "A page of jobs.", body = ImportJobPage))
)]
#[get("/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(&[])?;
    let query = paging.clone();
    let (rows, total) = state.db.read(move |conn| jobs::list(conn, &query)).await?;
    let items = rows
        .into_iter()
        .map(|row| ImportJob::of(row, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(ImportJobPage::of(items, total, &paging)))
}

/// An import job (admins): its status, counts and the errors of its
/// rejected rows (the first 1,000; `error_count` counts them all). Poll it
/// until `status` is `succeeded` or `failed`.
#[utoipa::path(
    tag = "imports",
    params(("id" = i64, Path, description = "The job.")),
    responses((status = 200, description = "The job.", body = ImportJob))
)]
#[get("/imports/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    _admin: Authorized<AdminOnly>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let job = state
        .db
        .read(move |conn| ImportJob::of(jobs::find(conn, id)?, true))
        .await?;
    Ok(HttpResponse::Ok().json(job))
}
