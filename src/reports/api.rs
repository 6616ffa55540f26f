//! `/reports/annual`: the statutory annual report.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{Authorized, StatisticsReaders};
use crate::calendar::Today;
use crate::error::ApiError;
use crate::reports::{assemble, html, AnnualReport};
use crate::state::AppState;
use crate::statistics::ombudsman::OmbudsmanParams;
use crate::statistics::{scope, Disclosure, PeriodParams};

/// Routes of this module.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_annual_report);
}

fn wants_json(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/html")
}

/// The statutory annual report for a year (and a directorate): feedback over
/// four years, complaints by reason and outcome, timeliness, dissatisfactions,
/// senior manager reviews, MP enquiries, the Ombudsman against similar
/// authorities, and the service improvements agreed, with bar charts. A
/// printable HTML page with nothing loaded from elsewhere, or with
/// `Accept: application/json` the same content as JSON. The Ombudsman
/// figures count the cases of the LGSCO and joint cases by default;
/// `ombudsman=` names others (`phso`).
#[utoipa::path(
    tag = "reports",
    params(PeriodParams, OmbudsmanParams),
    responses((status = 200, description = "The report.", content(
        (String = "text/html"),
        (AnnualReport = "application/json"))))
)]
#[get("/reports/annual")]
pub async fn get_annual_report(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    req: HttpRequest,
    params: web::Query<PeriodParams>,
    which: web::Query<OmbudsmanParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let period = params.period_for(&user, today)?;
    let disclosure = Disclosure::for_user(&user);
    let ombudsmen = which.ombudsmen();
    let user = user.0;
    let report = state
        .db
        .run(move |conn| {
            let scope = scope(conn, &user, params.directorate.as_deref())?;
            assemble(
                conn,
                &period,
                &scope,
                params.directorate.as_deref(),
                &ombudsmen,
                disclosure,
                today,
            )
        })
        .await?;
    if wants_json(&req) {
        Ok(HttpResponse::Ok().json(report))
    } else {
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html::render(&report)))
    }
}
