//! `/reports/annual`: the statutory annual report.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Authorized, StatisticsReaders};
use crate::calendar::Today;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::http::json::{RequestBody, ValidJson};
use crate::ombudsman::types::Ombudsman;
use crate::openapi::Routes;
use crate::reports::layout::{Layout, LayoutParams, ReportFormat};
use crate::reports::{assemble, html, pdf, AnnualReport, ReportChoice};
use crate::state::AppState;
use crate::statistics::ombudsman::OmbudsmanParams;
use crate::statistics::{scope, Disclosure, PeriodParams};
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(get_annual_report).service(create_report_link);
}

/// The report a link opens: the same choices as `GET /reports/annual`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportLinkRequest {
    /// Financial year by its first calendar year (`2024` is 2024-25).
    #[schema(minimum = 2000, maximum = 2100, example = 2024)]
    pub year: Option<i32>,
    /// First day of a custom period (with `to`, instead of `year`).
    pub from: Option<NaiveDate>,
    /// Last day of a custom period, included.
    pub to: Option<NaiveDate>,
    /// One directorate; default: every directorate the caller may see.
    #[schema(example = "adults")]
    pub directorate: Option<String>,
    /// Whose Ombudsman cases to count; default `lgsco` and `joint`.
    pub ombudsman: Option<Vec<Ombudsman>>,
    /// The layout; default: the one the directorate's procedures call for.
    pub layout: Option<Layout>,
    /// What the link opens: `html` (default), `pdf`, `json` or `csv`.
    pub format: Option<ReportFormat>,
}

impl RequestBody for ReportLinkRequest {}

impl Validate for ReportLinkRequest {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        if self.ombudsman.as_ref().is_some_and(Vec::is_empty) {
            errors.add("ombudsman", "must name at least one Ombudsman");
        }
    }
}

impl ReportLinkRequest {
    /// The report's query string, in a fixed order.
    fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(year) = self.year {
            parts.push(format!("year={year}"));
        }
        if let Some(from) = self.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to={to}"));
        }
        if let Some(code) = &self.directorate {
            parts.push(format!("directorate={}", percent_encode(code)));
        }
        if let Some(which) = &self.ombudsman {
            let names: Vec<&str> = which.iter().map(|o| o.as_str()).collect();
            parts.push(format!("ombudsman={}", names.join(",")));
        }
        if let Some(layout) = self.layout {
            parts.push(format!("layout={}", layout.as_str()));
        }
        // A link is opened in a browser: HTML unless it asks for PDF.
        let format = self.format.unwrap_or(ReportFormat::Html);
        parts.push(format!("format={}", format.as_str()));
        parts.join("&")
    }

    fn period_params(&self) -> PeriodParams {
        PeriodParams {
            year: self.year,
            from: self.from,
            to: self.to,
            directorate: self.directorate.clone(),
        }
    }
}

/// `text` with everything but letters, digits and `-_.~` percent-encoded.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A signed link to the report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportLink {
    /// The report's address, signed: open it in a browser, with no
    /// `Authorization` header, within 10 minutes. It shows the report as
    /// the caller would see it now, and stops working if the caller's
    /// password, role or directorates change.
    #[schema(example = "/api/v1/reports/annual?year=2024&directorate=adults&link=eyJ…")]
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// The path of the annual report.
const REPORT_PATH: &str = "/api/v1/reports/annual";

/// A link that opens the annual report in a browser for 10 minutes, without
/// a bearer header, as the caller: a report cannot otherwise be opened from
/// a link, since it needs the header. The choices are checked now (422, 403
/// for another directorate's report).
#[utoipa::path(
    tag = "reports",
    request_body = ReportLinkRequest,
    responses(
        (status = 201, description = "The link.", body = ReportLink),
        (status = 403, description = "Not the caller's directorate, or a role without the statistics.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reports/annual/links")]
pub async fn create_report_link(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    body: ValidJson<ReportLinkRequest>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let request = body.value;
    request.period_params().period_for(&user, today.0)?;
    let user = user.0;
    let (directorate, user_id) = (request.directorate.clone(), user.id);
    let checked = user.clone();
    let token_version = state
        .db
        .run(move |conn| {
            scope(conn, &checked, directorate.as_deref())?;
            Ok(crate::users::model::find(conn, user_id)?.token_version)
        })
        .await?;
    let query = request.query();
    let (token, expires) = state
        .tokens
        .issue_link(user_id, token_version, REPORT_PATH, &query)?;
    let url = if query.is_empty() {
        format!("{REPORT_PATH}?link={token}")
    } else {
        format!("{REPORT_PATH}?{query}&link={token}")
    };
    Ok(HttpResponse::Created().json(ReportLink {
        url,
        expires_at: DateTime::from_timestamp(expires, 0).unwrap_or_default(),
    }))
}

/// What the caller asked for: `format=`, else `Accept`, negotiated among
/// JSON (for `*/*` and no `Accept`), HTML, PDF and CSV; 406 for none of
/// them.
pub fn format_wanted(
    req: &HttpRequest,
    format: Option<ReportFormat>,
) -> Result<ReportFormat, ApiError> {
    if let Some(format) = format {
        return Ok(format);
    }
    let offers = [
        (ReportFormat::Json, "application/json"),
        (ReportFormat::Html, "text/html"),
        (ReportFormat::Pdf, "application/pdf"),
        (ReportFormat::Csv, "text/csv"),
    ];
    let types: Vec<&str> = offers.iter().map(|(_, t)| *t).collect();
    let chosen = crate::http::negotiate::negotiate(req, &types)?;
    Ok(offers
        .iter()
        .find(|(_, t)| *t == chosen)
        .map_or(ReportFormat::Json, |(f, _)| *f))
}

/// The PDF's file name: `annual-report-2024-25-adults.pdf`.
fn pdf_name(report: &AnnualReport) -> String {
    let scope = report.directorate.as_deref().unwrap_or("council");
    let safe: String = scope
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("annual-report-{}-{safe}.pdf", report.period.label)
}

/// The statutory annual report for a year (and a directorate): feedback over
/// four years, complaints by reason and outcome, timeliness, dissatisfactions,
/// senior manager reviews, MP enquiries, the Ombudsman against similar
/// authorities, and the service improvements agreed, with bar charts. As
/// JSON for `Accept: */*` or none; with `Accept: text/html` (a browser) or
/// `format=html` a printable HTML page with nothing loaded from elsewhere;
/// with `Accept: application/pdf` (or `format=pdf`) the page printed to PDF
/// by headless Chromium (406 on a server without it); with
/// `Accept: text/csv` (or `format=csv`) its figures as CSV. The layout follows
/// the directorate's procedures (`layout=` overrides): the adult social care
/// report, the children's services report or the corporate report. The Ombudsman
/// figures count the cases of the LGSCO and joint cases by default;
/// `ombudsman=` names others (`phso`).
#[utoipa::path(
    tag = "reports",
    params(PeriodParams, OmbudsmanParams, LayoutParams),
    responses(
        (status = 200, description = "The report.", content(
            (AnnualReport = "application/json"),
            (String = "text/html"),
            (crate::openapi::Binary = "application/pdf"),
            (String = "text/csv"))),
        (status = 406, description = "PDF asked for on a server without headless Chromium.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/annual")]
pub async fn get_annual_report(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    req: HttpRequest,
    params: crate::http::query::Query<PeriodParams>,
    which: crate::http::query::Query<OmbudsmanParams>,
    layout: crate::http::query::Query<LayoutParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let period = params.period_for(&user, today)?;
    let disclosure = Disclosure::for_user(&user);
    let ombudsmen = which.ombudsmen();
    let (format, layout) = (layout.format, layout.layout);
    let user = user.0;
    let report = state
        .db
        .run(move |conn| {
            let scope = scope(conn, &user, params.directorate.as_deref())?;
            let choice = ReportChoice {
                period: &period,
                scope: &scope,
                directorate: params.directorate.as_deref(),
                ombudsmen: &ombudsmen,
                layout,
            };
            assemble(conn, &choice, disclosure, today)
        })
        .await?;
    match format_wanted(&req, format)? {
        ReportFormat::Json => Ok(HttpResponse::Ok().json(report)),
        ReportFormat::Html => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html::render(&report))),
        ReportFormat::Csv => {
            let value = serde_json::to_value(&report)?;
            let body = crate::statistics::csv::figures(&value, &["period", "directorate"]);
            Ok(csv_download(
                body,
                &pdf_name(&report).replace(".pdf", ".csv"),
            ))
        }
        ReportFormat::Pdf => printed(html::render(&report), &pdf_name(&report)).await,
    }
}

/// A report's page printed to PDF (off the async threads), shown inline as
/// `name`; 406 on a server without headless Chromium.
pub async fn printed(page: String, name: &str) -> Result<HttpResponse, ApiError> {
    let bytes = web::block(move || pdf::print(&page))
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// A report's figures as a CSV download named `name`.
pub fn csv_download(body: String, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}
