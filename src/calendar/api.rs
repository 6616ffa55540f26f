//! `/calendar/holidays`: the bank holidays that working days skip.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{AdminOnly, AuthUser, Authorized};
use crate::calendar::{govuk, model};
use crate::error::{ApiError, FieldError, FieldErrors};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::json::{JsonObject, RequestBody, ValidJson};
use crate::http::list::{ListParams, SortField};
use crate::openapi::Routes;
use crate::page_type;
use crate::state::AppState;
use crate::validation::Validate;

/// The fields the holidays sort by.
pub const SORTABLE: &[SortField] = &[SortField::new("date", "bank_holidays.holiday_date")];

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_holidays)
        .service(create_holiday)
        .service(import_holidays)
        .service(get_holiday)
        .service(delete_holiday);
}

/// A bank holiday: not a working day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// The day.
    #[schema(example = "2025-12-25")]
    pub date: NaiveDate,
    /// Its name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "\\S",
        example = "Christmas Day"
    )]
    pub title: String,
}

impl RequestBody for Holiday {}

impl Validate for Holiday {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        if self.title.trim().is_empty() || self.title.chars().count() > govuk::MAX_TITLE_CHARS {
            errors.add("title", "must be 1 to 200 characters, not all spaces");
        }
    }
}

page_type!(
    /// A page of bank holidays.
    HolidayPage, Holiday
);

/// Which holidays to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HolidayListParams {
    /// On or after this date.
    pub from: Option<NaiveDate>,
    /// On or before this date.
    pub to: Option<NaiveDate>,
}

/// GOV.UK's `bank-holidays.json` (<https://www.gov.uk/bank-holidays.json>):
/// only the `england-and-wales` division is read.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"england-and-wales": {"division": "england-and-wales", "events": [
    {"title": "Christmas Day", "date": "2031-12-25", "notes": "", "bunting": true}]}}))]
pub struct GovUkBankHolidays {
    /// The England and Wales division.
    #[schema(rename = "england-and-wales")]
    pub england_and_wales: GovUkDivision,
}

/// One division of GOV.UK's document.
#[derive(Debug, ToSchema)]
pub struct GovUkDivision {
    /// The division's name.
    pub division: Option<String>,
    /// Its holidays.
    pub events: Vec<GovUkEvent>,
}

/// One holiday in GOV.UK's document.
#[derive(Debug, ToSchema)]
pub struct GovUkEvent {
    /// Its name.
    pub title: String,
    /// The day (`YYYY-MM-DD`).
    pub date: NaiveDate,
    /// `Substitute day` for a substitute day.
    pub notes: Option<String>,
    /// Whether GOV.UK suggests bunting.
    pub bunting: Option<bool>,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Holidays added.
    pub added: usize,
    /// Holidays whose title changed.
    pub updated: usize,
    /// Holidays already present as they are.
    pub unchanged: usize,
}

/// List bank holidays (everyone may read them).
#[utoipa::path(
    tag = "calendar",
    params(ListParams, HolidayListParams),
    responses((status = 200, description = "A page of holidays in date order (`sort=-date` for newest first).", body = HolidayPage))
)]
#[get("/calendar/holidays")]
pub async fn list_holidays(
    state: web::Data<AppState>,
    _user: AuthUser,
    page: crate::http::query::Query<ListParams>,
    filter: crate::http::query::Query<HolidayListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(SORTABLE)?;
    let (from, to) = (filter.from, filter.to);
    let (limit, offset) = (paging.limit, paging.offset);
    let (rows, total) = state
        .db
        .run(move |conn| model::list(conn, from, to, &paging))
        .await?;
    Ok(HttpResponse::Ok().json(HolidayPage {
        items: rows
            .into_iter()
            .map(|(date, title)| Holiday { date, title })
            .collect(),
        total,
        limit,
        offset,
    }))
}

/// Get one bank holiday.
#[utoipa::path(
    tag = "calendar",
    params(("date" = NaiveDate, Path, description = "The day, `YYYY-MM-DD`.")),
    responses((status = 200, description = "The holiday.", body = Holiday))
)]
#[get("/calendar/holidays/{date}")]
pub async fn get_holiday(
    state: web::Data<AppState>,
    _user: AuthUser,
    date: web::Path<NaiveDate>,
) -> Result<HttpResponse, ApiError> {
    let date = date.into_inner();
    let title = state.db.run(move |conn| model::find(conn, date)).await?;
    let title = title.ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(Holiday { date, title }))
}

/// Add a bank holiday (admins). Due dates of the records it touches move at once.
#[utoipa::path(
    tag = "calendar",
    request_body = Holiday,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: a repeat with the same key and body returns the first response.")),
    responses(
        (status = 201, description = "The holiday was added.", body = Holiday,
            headers(("Location" = String, description = "The holiday's URL."))),
        (status = 409, description = "The day is a holiday already.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/calendar/holidays")]
pub async fn create_holiday(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    req: HttpRequest,
    key: IdempotencyKey,
    body: ValidJson<Holiday>,
) -> Result<HttpResponse, ApiError> {
    let request = idempotency::Request::new(&key, admin.id, &req, &body.fingerprint);
    let holiday = Holiday {
        title: body.value.title.trim().to_string(),
        ..body.value
    };
    let actor = admin.actor();
    let created = |holiday: &Holiday| {
        Created::new(
            model::ENTITY,
            holiday.date,
            format!("/api/v1/calendar/holidays/{}", holiday.date),
            None,
            holiday,
        )
    };
    let dependents = state.calendar_dependents.clone();
    let response = idempotency::create(
        &state.db,
        request,
        move |conn| {
            let changed = model::add(conn, &actor, holiday.date, &holiday.title)?;
            model::notify(conn, &dependents, Some(changed))?;
            created(&holiday)
        },
        move |conn, key| {
            let date = key.parse::<NaiveDate>().map_err(ApiError::internal)?;
            let title = model::find(conn, date)?.ok_or_else(ApiError::not_found)?;
            created(&Holiday { date, title })
        },
    )
    .await;
    state.calendar.invalidate();
    response
}

/// Remove a bank holiday (admins). Due dates of the records it touches move at once.
#[utoipa::path(
    tag = "calendar",
    params(("date" = NaiveDate, Path, description = "The day, `YYYY-MM-DD`.")),
    responses((status = 204, description = "The holiday was removed."))
)]
#[delete("/calendar/holidays/{date}")]
pub async fn delete_holiday(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    date: web::Path<NaiveDate>,
) -> Result<HttpResponse, ApiError> {
    let date = date.into_inner();
    let actor = admin.actor();
    let dependents = state.calendar_dependents.clone();
    state
        .db
        .write(move |conn| {
            let changed = model::remove(conn, &actor, date)?;
            model::notify(conn, &dependents, Some(changed))
        })
        .await?;
    state.calendar.invalidate();
    Ok(HttpResponse::NoContent().finish())
}

/// Import GOV.UK's `bank-holidays.json` (admins): England and Wales holidays
/// are added or retitled; holidays not in the document stay.
#[utoipa::path(
    tag = "calendar",
    request_body = GovUkBankHolidays,
    responses((status = 200, description = "What the import did.", body = ImportResult))
)]
#[post("/calendar/holidays/import")]
pub async fn import_holidays(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let mut too_big = crate::error::FieldErrors::new();
    if let Some(object) = body.0.as_object() {
        crate::http::limits::check("GovUkBankHolidays", object, &mut too_big);
    }
    too_big.into_result()?;
    let holidays = govuk::parse(&body.0).map_err(|problems| {
        ApiError::Validation(
            problems
                .into_iter()
                .map(|(field, message)| FieldError::new(field, message))
                .collect(),
        )
    })?;
    if holidays.is_empty() {
        return Err(ApiError::field(
            "england-and-wales.events",
            "must list at least one holiday",
        ));
    }
    let actor = admin.actor();
    let dependents = state.calendar_dependents.clone();
    let counts = state
        .db
        .write(move |conn| {
            let (counts, changed) = model::import(conn, &actor, &holidays)?;
            model::notify(conn, &dependents, changed)?;
            Ok(counts)
        })
        .await?;
    state.calendar.invalidate();
    Ok(HttpResponse::Ok().json(ImportResult {
        added: counts.added,
        updated: counts.updated,
        unchanged: counts.unchanged,
    }))
}
