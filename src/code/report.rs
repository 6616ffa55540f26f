//! `/reports/code-annual`: the annual complaints performance and service
//! improvement report the Complaint Handling Code asks for (section 8): the
//! self-assessment, the Code's measures beside the previous year's with
//! charts by quarter, refusals by reason, non-compliance the Ombudsman
//! found, the service improvements agreed, the Ombudsman's annual figures
//! against similar authorities, and the year's governance.

use std::sync::Arc;

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Authorized, StatisticsReaders};
use crate::calendar::{Calendar, Today};
use crate::code::api::{self as code_api, CodeParams, CodeStatistics};
use crate::code::assessment::{CodeAssessment, CodeCompliance, Viewing};
use crate::code::measures::{CodeMeasures, StageMeasures};
use crate::code::years::{self, CodeYear, Outstanding};
use crate::db::DbConnection;
use crate::documents::model::Document;
use crate::error::{ApiError, Problem};
use crate::feedback::types::RefusalReason;
use crate::improvements::api::ServiceImprovement;
use crate::ombudsman::types::Ombudsman;
use crate::openapi::Routes;
use crate::reports::html::{
    figure, ombudsman_comparison, percent, rate, service_improvements, STYLE,
};
use crate::reports::layout::ReportFormat;
use crate::reports::svg;
use crate::state::AppState;
use crate::statistics::ombudsman::{self, OmbudsmanStatistics};
use crate::statistics::sql::in_snapshot;
use crate::statistics::{scope, Disclosure, Period, Rate, Scope};

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(get_code_annual_report);
}

/// What the Ombudsman found that the council did not do.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OmbudsmanFindings {
    /// Decisions upheld in the year.
    pub upheld: i64,
    /// Investigations upheld, of those investigated.
    pub uphold_rate: Rate,
    /// Cases whose recommendations were complied with late.
    pub recommendations_complied_late: i64,
    /// Cases whose recommendations were not complied with.
    pub recommendations_not_complied: i64,
    /// Cases with a compliance outcome recorded in the year.
    pub compliance_recorded: i64,
}

impl OmbudsmanFindings {
    fn of(o: &OmbudsmanStatistics) -> OmbudsmanFindings {
        OmbudsmanFindings {
            upheld: o.upheld,
            uphold_rate: o.uphold_rate,
            recommendations_complied_late: o.compliance.late,
            recommendations_not_complied: o.compliance.denominator - o.compliance.numerator,
            compliance_recorded: o.compliance.denominator,
        }
    }
}

/// The annual complaints performance and service improvement report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodeAnnualReport {
    /// The council's name, from the settings.
    pub council_name: String,
    /// The financial year.
    pub period: Period,
    /// When the report was produced.
    pub generated_at: DateTime<Utc>,
    /// The year's governance and what is outstanding.
    pub governance: CodeYear,
    /// The year's self-assessment (its latest approved revision, else its
    /// latest draft), with the year's figures beside it; null if none.
    pub assessment: Option<CodeAssessment>,
    /// The Code's measures for the year, by quarter.
    pub measures: CodeStatistics,
    /// The same for the previous year, to compare.
    pub previous: CodeStatistics,
    /// What the Ombudsman found: decisions upheld, recommendations late or
    /// not complied with (LGSCO and joint cases decided in the year).
    pub ombudsman_findings: OmbudsmanFindings,
    /// The Ombudsman's annual statistics against similar authorities.
    pub ombudsman: OmbudsmanStatistics,
    /// Service improvements agreed in the year, with their status.
    pub service_improvements: Vec<ServiceImprovement>,
    /// Documents attached to the year: the Ombudsman's annual letter, the
    /// council's response.
    pub documents: Vec<Document>,
}

/// The year and format of the report.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeReportParams {
    /// Financial year by its first calendar year: `2026` is 2026-27.
    /// Default: the current financial year.
    #[param(minimum = 2000, maximum = 2100, example = 2026)]
    pub year: Option<i32>,
    /// `html`, `json`, `pdf` or `csv`; overrides `Accept`.
    pub format: Option<ReportFormat>,
}

/// Assemble the report of `period` for the directorates in `scope`, as it
/// stands on `today`, from one snapshot.
pub fn assemble(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    calendar: &Arc<Calendar>,
    today: NaiveDate,
    disclosure: Disclosure,
) -> Result<CodeAnnualReport, ApiError> {
    in_snapshot(conn, |conn| {
        let settings = crate::settings::model::load(conn)?;
        let year = period.start_year();
        let viewing = Viewing {
            calendar: calendar.clone(),
            today,
        };
        let measures = code_api::compute(conn, period, scope, None, calendar, today, disclosure)?;
        let previous_period = Period::financial_year(year - 1);
        let previous = code_api::compute(
            conn,
            &previous_period,
            scope,
            None,
            calendar,
            today,
            disclosure,
        )?;
        let ombudsman = ombudsman::compute(
            conn,
            period,
            scope,
            None,
            &[Ombudsman::Lgsco, Ombudsman::Joint],
            &settings,
            today,
        )?;
        let document_paging = crate::db::page::Paging {
            limit: 100,
            offset: 0,
            sort: Vec::new(),
            updated_since: None,
        };
        let (documents, _) =
            crate::documents::model::list(conn, years::ENTITY, i64::from(year), &document_paging)?;
        Ok(CodeAnnualReport {
            council_name: settings.settings.council_name.clone(),
            period: period.clone(),
            generated_at: Utc::now(),
            governance: years::find(conn, year)?,
            assessment: viewing.of_year(conn, year)?,
            measures,
            previous,
            ombudsman_findings: OmbudsmanFindings::of(&ombudsman),
            ombudsman,
            service_improvements: crate::reports::improvements_agreed(conn, period, scope, today)?,
            documents: documents.into_iter().map(Document::from).collect(),
        })
    })
}

/// The annual complaints performance and service improvement report for a
/// financial year, as the Complaint Handling Code (section 8) asks councils
/// to publish: the self-assessment against the Code (flagging a "yes" the
/// figures contradict); the Code's measures (`GET /statistics/code`) beside
/// the previous year's, with charts by quarter; complaints refused by
/// reason; non-compliance the Ombudsman found (decisions upheld,
/// recommendations late or not complied with); the service improvements
/// agreed in the year and their status; the Ombudsman's annual statistics
/// against similar authorities; the documents attached to the year (the
/// Ombudsman's annual letter, the council's response); and the report's
/// governance (`/code-years`). For every directorate the caller may see.
///
/// JSON for `Accept: */*` or none; a printable HTML page, PDF (headless
/// Chromium; 406 without it) or CSV by `format=` or `Accept` (negotiated:
/// a browser gets HTML).
#[utoipa::path(
    tag = "reports",
    params(CodeReportParams),
    responses(
        (status = 200, description = "The report.", content(
            (CodeAnnualReport = "application/json"),
            (String = "text/html"),
            (crate::openapi::Binary = "application/pdf"),
            (String = "text/csv"))),
        (status = 406, description = "PDF asked for on a server without headless Chromium.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/code-annual")]
pub async fn get_code_annual_report(
    state: web::Data<AppState>,
    user: Authorized<StatisticsReaders>,
    req: HttpRequest,
    params: crate::http::query::Query<CodeReportParams>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let today = today.0;
    let period = CodeParams {
        year: params.year,
        directorate: None,
    }
    .period(today)?;
    let disclosure = Disclosure::for_user(&user);
    let calendar = state.calendar.current(&state.db).await?;
    let user = user.0;
    let report = state
        .db
        .run(move |conn| {
            let scope = scope(conn, &user, None)?;
            assemble(conn, &period, &scope, &calendar, today, disclosure)
        })
        .await?;
    let name = format!("code-annual-report-{}", report.period.label);
    match crate::reports::api::format_wanted(&req, params.format)? {
        ReportFormat::Json => Ok(HttpResponse::Ok().json(report)),
        ReportFormat::Html => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(render(&report))),
        ReportFormat::Csv => Ok(crate::reports::api::csv_download(
            csv(&report)?,
            &format!("{name}.csv"),
        )),
        ReportFormat::Pdf => {
            crate::reports::api::printed(render(&report), &format!("{name}.pdf")).await
        }
    }
}

/// The report's figures as CSV: the year's measures and the previous
/// year's, the Ombudsman's findings, and the self-assessment as a table.
fn csv(report: &CodeAnnualReport) -> Result<String, ApiError> {
    let assessment: Vec<serde_json::Value> = report
        .assessment
        .iter()
        .flat_map(|a| &a.sections)
        .map(|s| {
            json!({
                "label": s.answer.title,
                "statement": s.answer.statement,
                "complies": s.answer.complies,
                "flagged": s.flagged,
                "evidence": s.answer.evidence,
                "commentary": s.answer.commentary,
                "planned_action": s.answer.planned_action,
                "action_due_on": s.answer.action_due_on,
            })
        })
        .collect();
    let value = json!({
        "period": report.period.label,
        "this_year": without_lists(&report.measures.measures)?,
        "previous_year": without_lists(&report.previous.measures)?,
        "ombudsman_findings": report.ombudsman_findings,
        "self_assessment": assessment,
    });
    Ok(crate::statistics::csv::figures(&value, &["period"]))
}

/// The measures without the list of refused escalations (a table of its
/// own in JSON; in the figures, their count is given).
fn without_lists(measures: &CodeMeasures) -> Result<serde_json::Value, ApiError> {
    let mut value = serde_json::to_value(measures)?;
    if let Some(map) = value.as_object_mut() {
        map.remove("escalation_refusals");
    }
    Ok(value)
}

/// How the report names a refusal reason.
fn reason_name(reason: RefusalReason) -> &'static str {
    match reason {
        RefusalReason::OutOfTime => "Made more than 12 months after the matter",
        RefusalReason::LegalProceedings => "Legal proceedings started",
        RefusalReason::AlreadyConsidered => "Already considered under the procedure",
        RefusalReason::OtherStatutoryRoute => "Has its own statutory route (appeal, tribunal)",
        RefusalReason::ServiceRequest => "A first request for a service",
        RefusalReason::InsuranceClaim => "An insurance claim",
        RefusalReason::PolicyOrLaw => "Disagreement with the law or a members' policy",
        RefusalReason::UnreasonableBehaviour => "Managed under the unreasonable behaviour policy",
        RefusalReason::Other => "Other",
    }
}

fn outstanding_name(step: Outstanding) -> &'static str {
    match step {
        Outstanding::SelfAssessment => "an approved self-assessment",
        Outstanding::OmbudsmanLetter => "the Ombudsman's annual letter",
        Outstanding::Presentation => "presentation to the Member Responsible for Complaints",
        Outstanding::Response => "the governing body's response",
        Outstanding::Publication => "publication",
    }
}

/// Render the report as one printable page.
pub fn render(report: &CodeAnnualReport) -> String {
    let title = format!(
        "Annual Complaints Performance and Service Improvement Report {}",
        report.period.label
    );
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                title { (title) " — " (report.council_name) }
                meta name="viewport" content="width=device-width, initial-scale=1";
                style { (PreEscaped(STYLE)) ".flag { color: #d4351c; font-weight: bold; }" }
            }
            body {
                header.cover {
                    p { (report.council_name) }
                    h1 { (title) }
                    p {
                        (report.period.from.format("%-d %B %Y")) " to "
                        (report.period.to.format("%-d %B %Y"))
                    }
                }
                (summary(report))
                (governance(&report.governance))
                (self_assessment(report.assessment.as_ref()))
                (performance(report))
                (refusals(report))
                (ombudsman_findings(report))
                (service_improvements(&report.period, &report.service_improvements))
                section {
                    h2 { "The Ombudsman's annual statistics" }
                    p {
                        "The Local Government and Social Care Ombudsman decided "
                        (report.ombudsman.dealt_with) " complaints about the council in "
                        (report.period.label) ", investigated " (report.ombudsman.investigated)
                        " and upheld " (report.ombudsman.upheld) "."
                    }
                    (ombudsman_comparison(&report.ombudsman))
                    @if !report.documents.is_empty() {
                        h3 { "The Ombudsman's annual letter and the council's response" }
                        ul { @for d in &report.documents { li { (d.title) " (" (d.filename) ")" } } }
                    }
                }
                footer {
                    "Produced by Redress on " (report.generated_at.format("%-d %B %Y at %H:%M UTC"))
                    ". Measured against the Complaint Handling Code's own timescales and the council's \
                     calendar of bank holidays, for complaints received in the year under the procedures \
                     the Code governs; a due date before the day of the report with nothing done counts as missed."
                }
            }
        }
    }
    .into_string()
}

fn summary(report: &CodeAnnualReport) -> Markup {
    let m = &report.measures.measures;
    html! {
        section {
            h2 { "Summary" }
            div.figures {
                (figure(m.stage_1.received, "stage 1 complaints received"))
                (figure(m.stage_2.received, "stage 2 complaints received"))
                (figure(m.refused.numerator, "complaints refused"))
                (figure(report.service_improvements.len() as i64, "service improvements agreed"))
            }
            p {
                "At stage 1, " (rate(&m.stage_1.acknowledged_in_time)) " of complaints were acknowledged within 5 working days and "
                (rate(&m.stage_1.responded_in_time)) " answered within 10 working days of acknowledgement. At stage 2, "
                (rate(&m.stage_2.acknowledged_in_time)) " were acknowledged within 5 working days and "
                (rate(&m.stage_2.responded_in_time)) " answered within 20 working days of acknowledgement."
            }
        }
    }
}

fn governance(year: &CodeYear) -> Markup {
    let g = &year.governance;
    html! {
        section {
            h2 { "Governance" }
            @match (g.presented_on, &g.body) {
                (Some(on), Some(body)) => p { "This report went to " (body) " on " (on.format("%-d %B %Y")) "." },
                _ => p { "This report has not yet gone to the Member Responsible for Complaints." },
            }
            @if let Some(response) = &g.response {
                h3 { "The response" }
                p { (response) }
            }
            @if let Some(on) = g.published_on {
                p { "Published on " (on.format("%-d %B %Y")) "." }
            }
            @if !year.outstanding.is_empty() {
                p.note {
                    "Outstanding: "
                    (year.outstanding.iter().map(|o| outstanding_name(*o)).collect::<Vec<_>>().join(", "))
                    "."
                }
            }
        }
    }
}

fn complies_name(complies: Option<CodeCompliance>) -> &'static str {
    match complies {
        Some(CodeCompliance::Yes) => "Yes",
        Some(CodeCompliance::No) => "No",
        Some(CodeCompliance::Partly) => "Partly",
        None => "Not answered",
    }
}

fn self_assessment(assessment: Option<&CodeAssessment>) -> Markup {
    html! {
        section {
            h2 { "Self-assessment against the Complaint Handling Code" }
            @match assessment {
                None => p { "No self-assessment has been made for the year." },
                Some(a) => {
                    p {
                        (a.title) ", revision " (a.revision) ". "
                        @match (&a.approved_by, a.approved_at) {
                            (Some(by), Some(at)) => { "Approved by " (by) " on " (at.format("%-d %B %Y")) "." },
                            _ => { "A draft, not yet approved." },
                        }
                        @if a.flagged > 0 {
                            " " span.flag { (a.flagged) " section(s) answer \"yes\" where the year's figures say otherwise." }
                        }
                    }
                    table {
                        thead { tr { th { "Section" } th { "We…" } th { "Do we follow the Code" } th { "Evidence" } th { "Commentary and planned action" } } }
                        tbody {
                            @for s in &a.sections {
                                tr {
                                    td { (s.answer.title) }
                                    td { (s.answer.statement) }
                                    td {
                                        (complies_name(s.answer.complies))
                                        @if s.flagged { br; span.flag { "Flagged: the figures disagree" } }
                                    }
                                    td {
                                        (s.answer.evidence.as_deref().unwrap_or(""))
                                        @for f in &s.figures {
                                            br;
                                            span.note {
                                                (f.label) ": "
                                                @if let Some(r) = &f.rate { (rate(r)) } @else if let Some(c) = f.count { (c) }
                                                @if let Some(expected) = &f.expected { " (expected " (expected) ")" }
                                                @if f.meets == Some(false) { " " span.flag { "✗" } }
                                            }
                                        }
                                    }
                                    td {
                                        (s.answer.commentary.as_deref().unwrap_or(""))
                                        @if let Some(action) = &s.answer.planned_action {
                                            br; strong { "Planned: " } (action)
                                            @if let Some(due) = s.answer.action_due_on { " (by " (due.format("%-d %b %Y")) ")" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn stage_rows(this: &StageMeasures, previous: &StageMeasures) -> Markup {
    let days = if this.stage == 1 { 10 } else { 20 };
    let rows: [(String, String, String); 7] = [
        (
            "Received".into(),
            this.received.to_string(),
            previous.received.to_string(),
        ),
        (
            "Acknowledged within 5 working days".into(),
            rate(&this.acknowledged_in_time),
            rate(&previous.acknowledged_in_time),
        ),
        (
            format!("Responded to within {days} working days of acknowledgement"),
            rate(&this.responded_in_time),
            rate(&previous.responded_in_time),
        ),
        (
            "Responded to in time, with extensions within the Code".into(),
            rate(&this.responded_in_time_with_extensions),
            rate(&previous.responded_in_time_with_extensions),
        ),
        (
            "Extended".into(),
            rate(&this.extended),
            rate(&previous.extended),
        ),
        (
            format!("Extended by more than {days} working days"),
            rate(&this.extended_beyond_limit),
            rate(&previous.extended_beyond_limit),
        ),
        (
            "Mean / median working days to respond".into(),
            format!(
                "{} / {}",
                one(this.working_days_to_respond.mean),
                one(this.working_days_to_respond.median)
            ),
            format!(
                "{} / {}",
                one(previous.working_days_to_respond.mean),
                one(previous.working_days_to_respond.median)
            ),
        ),
    ];
    html! {
        @for (label, now, before) in rows {
            tr { td { "Stage " (this.stage) ": " (label) } td.n { (now) } td.n { (before) } }
        }
    }
}

fn one(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

/// A rate as a whole percentage for a chart (0 when there is none).
fn whole(rate: &Rate) -> i64 {
    rate.percent.map_or(0, |p| p.round() as i64)
}

fn performance(report: &CodeAnnualReport) -> Markup {
    let (m, p) = (&report.measures.measures, &report.previous.measures);
    let quarters: Vec<(String, Vec<i64>)> = report
        .measures
        .quarters
        .iter()
        .map(|q| {
            (
                format!("Q{}", q.quarter),
                vec![
                    whole(&q.measures.stage_1.acknowledged_in_time),
                    whole(&q.measures.stage_1.responded_in_time),
                    whole(&q.measures.stage_2.responded_in_time),
                ],
            )
        })
        .collect();
    let series = vec![
        "S1 acknowledged".to_string(),
        "S1 answered".to_string(),
        "S2 answered".to_string(),
    ];
    let volumes: Vec<(String, Vec<i64>)> = report
        .measures
        .quarters
        .iter()
        .map(|q| {
            (
                format!("Q{}", q.quarter),
                vec![q.measures.stage_1.received, q.measures.stage_2.received],
            )
        })
        .collect();
    html! {
        section {
            h2 { "Performance against the Code" }
            table {
                thead { tr { th { "Measure" } th.n { (report.period.label) } th.n { (report.previous.period.label) } } }
                tbody {
                    (stage_rows(&m.stage_1, &p.stage_1))
                    (stage_rows(&m.stage_2, &p.stage_2))
                    tr { td { "Stage 2 handled by the stage 1 handler" } td.n { (rate(&m.stage_2_by_stage_1_handler)) } td.n { (rate(&p.stage_2_by_stage_1_handler)) } }
                    tr { td { "Escalations refused" } td.n { (rate(&m.escalations_refused)) } td.n { (rate(&p.escalations_refused)) } }
                    tr { td { "Service requests that became complaints" } td.n { (rate(&m.service_requests_became_complaints)) } td.n { (rate(&p.service_requests_became_complaints)) } }
                    tr { td { "Informal complaints (a \"stage 0\")" } td.n { (m.informal_complaints) } td.n { (p.informal_complaints) } }
                    tr { td { "Remedies done late or overdue" } td.n { (rate(&m.remedies.late_rate)) } td.n { (rate(&p.remedies.late_rate)) } }
                    tr { td { "Actions done late or overdue" } td.n { (rate(&m.actions.late_rate)) } td.n { (rate(&p.actions.late_rate)) } }
                }
            }
            (PreEscaped(svg::grouped_columns("Complaints received by quarter", &["Stage 1".to_string(), "Stage 2".to_string()], &volumes)))
            (PreEscaped(svg::grouped_columns("Timeliness by quarter: % in time (S1, S2: stages 1 and 2)", &series, &quarters)))
            @if !m.escalation_refusals.is_empty() {
                h3 { "Escalations refused" }
                table {
                    thead { tr { th { "Complaint" } th { "Refused on" } th { "Reason" } } }
                    tbody {
                        @for e in &m.escalation_refusals {
                            tr { td { (e.reference) } td.nowrap { (e.refused_on.format("%-d %b %Y")) } td { (e.reason.as_deref().unwrap_or("")) } }
                        }
                    }
                }
            }
        }
    }
}

fn refusals(report: &CodeAnnualReport) -> Markup {
    let (m, p) = (&report.measures.measures, &report.previous.measures);
    html! {
        section {
            h2 { "Complaints refused" }
            p {
                (m.refused.numerator) " complaints were refused at stage 1 (" (percent(m.refused.percent))
                " of those received); " (rate(&m.refusals_signposted)) " of refusals gave the Ombudsman's details."
            }
            table {
                thead { tr { th { "Reason" } th.n { (report.period.label) } th.n { (report.previous.period.label) } } }
                tbody {
                    @for reason in RefusalReason::ALL {
                        tr {
                            td { (reason_name(*reason)) }
                            td.n { (m.refusals_by_reason.get(reason).copied().unwrap_or(0)) }
                            td.n { (p.refusals_by_reason.get(reason).copied().unwrap_or(0)) }
                        }
                    }
                }
            }
        }
    }
}

fn ombudsman_findings(report: &CodeAnnualReport) -> Markup {
    let f = &report.ombudsman_findings;
    html! {
        section {
            h2 { "Non-compliance found by the Ombudsman" }
            table {
                tbody {
                    tr { td { "Decisions upheld" } td.n { (f.upheld) } }
                    tr { td { "Investigations upheld" } td.n { (rate(&f.uphold_rate)) } }
                    tr { td { "Recommendations complied with late" } td.n { (f.recommendations_complied_late) } }
                    tr { td { "Recommendations not complied with" } td.n { (f.recommendations_not_complied) } }
                }
            }
        }
    }
}
