//! The letters' endpoints: the templates (`/templates`), and letters made
//! from them and kept as documents (`POST /{id}/letters`).

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::templates::{
    self, ActionLine, Council, LetterContext, LetterTemplate, Person, TemplateInput,
};
use crate::auth::{AdminOnly, AuthUser, Authorized, RecordWriters, StaffWriters};
use crate::calendar::Today;
use crate::casework::Casework;
use crate::db::schema::{actions, users};
use crate::db::DbConnection;
use crate::documents::api::{attach, Attachment};
use crate::documents::model::{Document, DocumentKind};
use crate::documents::sniff::FileType;
use crate::error::{ApiError, FieldErrors};
use crate::feedback::model::FeedbackRow;
use crate::http::json::{RequestBody, ValidJson};
use crate::ombudsman::model::CaseRecord;
use crate::openapi::Routes;
use crate::records::api::RecordApi;
use crate::records::store;
use crate::state::AppState;
use crate::text_enum;
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_templates)
        .service(get_template)
        .service(put_template)
        .service(delete_template)
        .service(create_feedback_letter)
        .service(create_case_letter);
}

text_enum! {
    /// What a letter is kept as.
    pub enum LetterFormat {
        /// An HTML page (prints from any browser).
        Html => "html",
        /// A PDF, printed by headless Chromium (406 on a server without it).
        Pdf => "pdf",
    }
}

/// The body of `POST /{id}/letters`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterRequest {
    /// The template's name (`GET /templates` lists them); it must write
    /// about this kind of record.
    #[schema(example = "corporate-response")]
    pub template: String,
    /// `html` (the default) or `pdf`.
    pub format: Option<LetterFormat>,
}

impl RequestBody for LetterRequest {}

impl Validate for LetterRequest {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
        if self.template.trim().is_empty() {
            errors.add("template", "is required");
        }
    }
}

/// The name of user `id`, if there is one.
fn name_of(conn: &mut DbConnection, id: Option<i64>) -> Result<Option<String>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    Ok(users::table
        .find(id)
        .select(users::display_name)
        .first(conn)
        .optional()?)
}

/// The actions promised on the record `id` of `entity`, by due date.
fn actions_of(conn: &mut DbConnection, entity: &str, id: i64) -> Result<Vec<ActionLine>, ApiError> {
    let query = actions::table
        .select((actions::description, actions::due_on, actions::completed_on))
        .order((actions::due_on.asc(), actions::id.asc()))
        .into_boxed();
    let query = match entity {
        crate::feedback::model::ENTITY => query.filter(actions::feedback_id.eq(id)),
        _ => query.filter(actions::ombudsman_case_id.eq(id)),
    };
    Ok(query
        .load::<(String, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)>(conn)?
        .into_iter()
        .map(|(description, due_on, completed_on)| ActionLine {
            description,
            due_on,
            completed_on,
        })
        .collect())
}

/// Make the letter `request` asks for about the record `id` of kind `R`, as
/// `user`, and keep it as a document.
async fn make_letter<R: Casework + RecordApi>(
    state: &AppState,
    user: AuthUser,
    id: i64,
    request: LetterRequest,
    today: Today,
) -> Result<Document, ApiError> {
    let record_context = R::context(state, today).await?;
    let reader = user.clone();
    let (template, context) = state
        .db
        .run(move |conn| {
            let user = reader;
            let record = store::find_visible::<R>(conn, &user.scope().map(<[String]>::to_vec), id)?;
            user.may_write_in(record.directorate())?;
            let template = templates::find(conn, request.template.trim())
                .map_err(|_| ApiError::field("template", "there is no template of this name"))?;
            if template.entity.as_str() != R::ENTITY {
                return Err(ApiError::field(
                    "template",
                    format!(
                        "writes about {}, not {}",
                        template.entity.as_str(),
                        R::ENTITY
                    ),
                ));
            }
            let allocation = record.allocation();
            let investigator = match allocation.investigator_id {
                Some(_) => name_of(conn, allocation.investigator_id)?,
                None => allocation.investigator_name.clone(),
            };
            let context = LetterContext {
                council: Council {
                    name: crate::settings::model::load(conn)?.settings.council_name,
                },
                today: today.0,
                record: serde_json::to_value(record.view(&record_context, today, &user)?)?,
                handler: Person {
                    name: name_of(conn, allocation.handler_id)?,
                },
                investigator: Person { name: investigator },
                actions: actions_of(conn, R::ENTITY, id)?,
            };
            Ok((template, context))
        })
        .await?;
    let html = templates::render(&template.body, &context)
        .map_err(|message| ApiError::field("template", message))?;
    let reference = context.record["reference"]
        .as_str()
        .map(|r| r.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-"))
        .unwrap_or_else(|| id.to_string());
    let (content, file_type) = match request.format.unwrap_or(LetterFormat::Html) {
        LetterFormat::Html => (html.into_bytes(), FileType::Html),
        LetterFormat::Pdf => (
            web::block(move || crate::reports::pdf::print(&html))
                .await
                .map_err(ApiError::internal)??,
            FileType::Pdf,
        ),
    };
    let attachment = Attachment {
        title: template.title,
        kind: DocumentKind::LetterOut,
        filename: format!(
            "{}-{reference}-{}.{}",
            template.name,
            today.0,
            file_type.extensions()[0]
        ),
        file_type,
        content,
    };
    attach::<R>(state, user, id, attachment)
        .await
        .map(Document::from)
}

fn created(document: Document) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, document.href.clone()))
        .json(document)
}

/// Make a letter about a feedback record from a template, and keep it.
///
/// The letter is rendered from the template with the record as the API
/// returns it, its handler and investigator, its actions and the council's
/// name, and kept as a document of kind `letter_out` (HTML, or PDF with
/// `format: pdf`), which the response describes: download it from its
/// `href`. The same letter made twice is 409.
#[utoipa::path(
    tag = "casework",
    request_body = LetterRequest,
    params(("id" = i64, Path, description = "The record.")),
    responses(
        (status = 201, description = "Made and kept.", body = Document),
        (status = 406, description = "PDF asked for on a server without headless Chromium.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record already has this letter, word for word.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/feedback/{id}/letters")]
pub async fn create_feedback_letter(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
    body: ValidJson<LetterRequest>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    make_letter::<FeedbackRow>(&state, user.0, id.into_inner(), body.value, today)
        .await
        .map(created)
}

/// Make a letter about an Ombudsman case from a template, and keep it, as
/// for feedback records.
#[utoipa::path(
    tag = "casework",
    request_body = LetterRequest,
    params(("id" = i64, Path, description = "The case.")),
    responses(
        (status = 201, description = "Made and kept.", body = Document),
        (status = 406, description = "PDF asked for on a server without headless Chromium.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case already has this letter, word for word.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ombudsman-cases/{id}/letters")]
pub async fn create_case_letter(
    state: web::Data<AppState>,
    user: Authorized<RecordWriters>,
    id: web::Path<i64>,
    body: ValidJson<LetterRequest>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    make_letter::<CaseRecord>(&state, user.0, id.into_inner(), body.value, today)
        .await
        .map(created)
}

/// The letter templates in force, by name: the council's own, and the
/// shipped ones they do not replace.
#[utoipa::path(
    tag = "casework",
    responses((status = 200, description = "The templates.", body = Vec<LetterTemplate>))
)]
#[get("/templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    _user: Authorized<StaffWriters>,
) -> Result<HttpResponse, ApiError> {
    let all = state.db.run(templates::list).await?;
    Ok(HttpResponse::Ok().json(all))
}

/// A letter template.
#[utoipa::path(
    tag = "casework",
    params(("name" = String, Path, description = "The template's name.")),
    responses((status = 200, description = "The template.", body = LetterTemplate))
)]
#[get("/templates/{name}")]
pub async fn get_template(
    state: web::Data<AppState>,
    _user: Authorized<StaffWriters>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    let template = state
        .db
        .run(move |conn| templates::find(conn, &name))
        .await?;
    Ok(HttpResponse::Ok().json(template))
}

/// Save the council's own letter template (admins).
///
/// A template of a shipped name replaces the shipped one; a new name adds
/// a template. Templates are [minijinja](https://docs.rs/minijinja) (the
/// Jinja2 language), HTML-escaped and sandboxed: they read no files, may
/// `{% extends "layout.html" %}` (the shipped layout, with the blocks
/// `title`, `recipient`, `greeting`, `body` and `team`), and a render has a
/// bounded amount of work. They see `council.name`, `today`, `record` (the
/// record or case as the API returns it), `handler.name`,
/// `investigator.name` and `actions [{description, due_on,
/// completed_on}]`, and the filters `long_date` (2 March 2026), `words`
/// (partially upheld), `pounds` (pence as £300.00) and `multiline` (an
/// address, with line breaks). The template is tried against a sample
/// record before it is saved: a syntax error, an unknown filter or too much
/// work is 422, naming the line.
#[utoipa::path(
    tag = "casework",
    request_body = TemplateInput,
    params(("name" = String, Path, description = "The template's name: 1 to 64 lower-case letters, digits and hyphens.")),
    responses(
        (status = 200, description = "Saved over the council's earlier version.", body = LetterTemplate),
        (status = 201, description = "Saved: the council's first version of this name.", body = LetterTemplate),
    )
)]
#[put("/templates/{name}")]
pub async fn put_template(
    state: web::Data<AppState>,
    user: Authorized<AdminOnly>,
    name: web::Path<String>,
    body: ValidJson<TemplateInput>,
) -> Result<HttpResponse, ApiError> {
    let (user, name, input) = (user.0, name.into_inner(), body.value);
    let (template, created) = state
        .db
        .write(move |conn| templates::save(conn, &user.actor(), &name, &input))
        .await?;
    Ok(if created {
        HttpResponse::Created()
            .insert_header((
                header::LOCATION,
                format!("/api/v1/templates/{}", template.name),
            ))
            .json(template)
    } else {
        HttpResponse::Ok().json(template)
    })
}

/// Delete the council's own version of a template (admins, 204): a shipped
/// template of the name is in force again.
#[utoipa::path(
    tag = "casework",
    params(("name" = String, Path, description = "The template's name.")),
    responses((status = 204, description = "Deleted."))
)]
#[delete("/templates/{name}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    user: Authorized<AdminOnly>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (user, name) = (user.0, name.into_inner());
    state
        .db
        .write(move |conn| templates::delete(conn, &user.actor(), &name))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
