//! The annual report as a printable HTML document: one file, inline styles
//! and SVG charts, nothing loaded from elsewhere.
//!
//! Rendered with maud: every `(value)` spliced into the markup is escaped,
//! so text from records cannot become markup. Only the style sheet and the
//! charts (which escape their own text, see [`svg`]) go in as
//! [`PreEscaped`].

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::feedback::types::{Kind, Outcome};
use crate::improvements::api::ServiceImprovement;
use crate::improvements::fields::ImprovementStatus;
use crate::ombudsman::types::Ombudsman;
use crate::reports::AnnualReport;
use crate::reports::{procedures_html, svg};
use crate::settings::model::OverviewBasis;
use crate::statistics::complaints::{CategoryLine, ComplaintStatistics};
use crate::statistics::feedback::YearVolumes;
use crate::statistics::Rate;

/// How the report names a kind of feedback.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Compliment => "Compliments",
        Kind::Comment => "Comments",
        Kind::Enquiry => "Enquiries",
        Kind::ServiceRequest => "Service requests",
        Kind::CouncillorEnquiry => "Councillor enquiries",
        Kind::MpEnquiry => "MP enquiries",
        Kind::Representation => "Representations",
        Kind::InformalComplaint => "Informal complaints",
        Kind::Complaint => "Formal complaints",
        Kind::Dissatisfaction => "Dissatisfactions",
        Kind::SeniorManagerReview => "Senior manager reviews",
    }
}

/// How the report names an outcome.
pub fn outcome_name(outcome: &str) -> String {
    match Outcome::parse(outcome) {
        Some(Outcome::Upheld) => "Upheld".into(),
        Some(Outcome::PartiallyUpheld) => "Partially upheld".into(),
        Some(Outcome::NotUpheld) => "Not upheld".into(),
        Some(Outcome::ClosedNoFurtherAction) => "Closed, no further action".into(),
        Some(Outcome::Withdrawn) => "Withdrawn".into(),
        Some(Outcome::PursuedOtherRoute) => "Pursued through a different route".into(),
        Some(Outcome::Redirected) => "Redirected".into(),
        Some(Outcome::NotPursuedAfterMeeting) => "Not pursued following meeting".into(),
        Some(Outcome::Resolved) => "Resolved".into(),
        Some(Outcome::Escalated) => "Escalated to the next stage".into(),
        None => outcome.to_string(),
    }
}

pub(crate) fn rate(rate: &Rate) -> String {
    percent(rate.percent)
}

pub(crate) fn percent(value: Option<f64>) -> String {
    one_decimal(value, "%")
}

/// `value` to one decimal place followed by `unit`, or a dash when there is none.
fn one_decimal(value: Option<f64>, unit: &str) -> String {
    value
        .map(|v| format!("{v:.1}{unit}"))
        .unwrap_or_else(|| "–".into())
}

/// Records of `kind` received in `year`.
fn received(year: &YearVolumes, kind: Kind) -> i64 {
    year.received.get(kind.as_str()).copied().unwrap_or(0)
}

pub(crate) const STYLE: &str = r#"
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; line-height: 1.45; margin: 0 auto; max-width: 190mm; font-size: 11pt; }
header.cover { border-bottom: 6px solid #1d70b8; padding: 24px 0 16px; margin-bottom: 20px; }
header.cover p { margin: 2px 0; color: #505a5f; }
h1 { font-size: 24pt; margin: 8px 0; }
h2 { font-size: 15pt; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #1d70b8; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 12pt; margin: 16px 0 6px; break-after: avoid; page-break-after: avoid; }
h2 + p, h3 + p { break-after: avoid; page-break-after: avoid; }
section { break-inside: auto; page-break-inside: auto; }
/* A long table may break across pages, between rows, repeating its header:
   kept whole, the overview's table left page 1 blank below its heading. */
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; break-inside: auto; page-break-inside: auto; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #b1b4b6; vertical-align: top; }
th { background: #f3f2f1; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #0b0c0c; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 16px; }
.figure { flex: 1 1 150px; border-left: 5px solid #1d70b8; background: #f3f2f1; padding: 8px 12px; }
.figure strong { display: block; font-size: 20pt; }
.chart { display: block; margin: 6px 0 14px; max-width: 100%; height: auto; break-inside: avoid; page-break-inside: avoid; }
.chart-axis { font: 10px Arial, sans-serif; fill: #505a5f; }
.chart-title { font: bold 13px Arial, sans-serif; fill: #0b0c0c; }
.chart-label { font: 11px Arial, sans-serif; fill: #0b0c0c; }
.chart-value { font: bold 11px Arial, sans-serif; fill: #0b0c0c; }
.note { color: #505a5f; font-size: 9.5pt; }
.nowrap { white-space: nowrap; }
footer { margin-top: 30px; border-top: 1px solid #b1b4b6; padding-top: 8px; color: #505a5f; font-size: 9pt; }
"#;

/// Render the report.
pub fn render(report: &AnnualReport) -> String {
    let title = format!(
        "Complaints and Feedback Annual Report {}",
        report.period.label
    );
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                title { (title) " — " (report.council_name) }
                meta name="viewport" content="width=device-width, initial-scale=1";
                style { (PreEscaped(STYLE)) }
            }
            body {
                (cover(report))
                (executive_summary(report))
                @if let Some(sections) = &report.procedures {
                    (procedures_html::sections(report, sections))
                } @else {
                    (feedback_overview(report))
                    (enquiries(report))
                    (formal_complaints(report))
                    (dissatisfactions(report))
                    (senior_manager_reviews(report))
                    (informal_complaints(report))
                    (ombudsman(report))
                }
                (service_improvements(&report.period, &report.service_improvements))
                (footer(report))
            }
        }
    }
    .into_string()
}

/// The cover: council, title, scope and dates.
fn cover(report: &AnnualReport) -> Markup {
    let scope = report
        .directorate_name
        .as_deref()
        .unwrap_or("All directorates");
    html! {
        header.cover {
            p { (report.council_name) }
            h1 { "Complaints and Feedback Annual Report " span.nowrap { (report.period.label) } }
            p { strong { (scope) } }
            p {
                (report.period.from.format("%-d %B %Y"))
                " to "
                (report.period.to.format("%-d %B %Y"))
            }
        }
    }
}

/// One headline figure.
pub(crate) fn figure(value: i64, label: &str) -> Markup {
    html! {
        div.figure { strong { (value) } (label) }
    }
}

/// The headline figures and a paragraph that states them.
fn executive_summary(report: &AnnualReport) -> Markup {
    let complaints = &report.complaints;
    let o = &report.ombudsman;
    let compliments = report
        .feedback
        .years
        .first()
        .map_or(0, |y| received(y, Kind::Compliment));
    html! {
        section {
            h2 { "Executive summary" }
            div.figures {
                (figure(complaints.received, "formal complaints received"))
                (figure(complaints.responded, "formal complaints responded to"))
                (figure(compliments, "compliments received"))
                (figure(report.mp_enquiries.responded, "MP enquiries responded to"))
                (figure(o.dealt_with, "Ombudsman decisions"))
            }
            p {
                "In " (report.period.label) ", " (complaints.received)
                " formal complaints were received and " (complaints.responded)
                " were responded to. " (complaints.timeliness.outside_original_target)
                " of those responded to (" (rate(&complaints.timeliness.outside_original_target_percent))
                ") were answered outside the target timescale. The Ombudsman decided "
                (o.dealt_with) " complaints, investigated " (o.investigated)
                " and upheld " (o.upheld) " (" (rate(&o.uphold_rate)) ")."
            }
        }
    }
}

/// Feedback in each of the four years, by kind, each kind counted on its
/// basis (received or responded to): a table, a footnote and a chart.
fn feedback_overview(report: &AnnualReport) -> Markup {
    let years = &report.feedback.years;
    html! {
        section {
            h2 { "Annual feedback overview" }
            p { "Feedback in each of the last four years." }
            table {
                thead {
                    tr {
                        th { "Feedback type" }
                        @for y in years { th.n { (y.label) } }
                    }
                }
                tbody {
                    @for kind in Kind::ALL {
                        tr {
                            td { (kind_name(*kind)) }
                            @for y in years { td.n { (overview_cell(y, *kind)) } }
                        }
                    }
                    tr {
                        td { "Ombudsman decisions" }
                        @for y in years { td.n { (y.ombudsman_decided) } }
                    }
                    tr.total {
                        td { "Total" }
                        @for y in years { td.n { (y.overview_total) } }
                    }
                }
            }
            p.note { (overview_footnote(report)) }
            (PreEscaped(feedback_chart(years)))
        }
    }
}

/// The overview's count of `kind` in `year`, or "–" when there were none.
fn overview_cell(year: &YearVolumes, kind: Kind) -> String {
    match year.overview.get(kind.as_str()).copied().flatten() {
        Some(n) => n.to_string(),
        None => "–".into(),
    }
}

/// Which kinds the overview counts as received and which as responded to.
fn overview_footnote(report: &AnnualReport) -> String {
    let basis = &report.feedback.overview_basis;
    let names = |wanted: OverviewBasis| -> Vec<&str> {
        Kind::ALL
            .iter()
            .filter(|k| basis.get(k.as_str()) == Some(&wanted))
            .map(|k| kind_name(*k))
            .collect()
    };
    let mut parts = Vec::new();
    for (wanted, how) in [
        (OverviewBasis::Received, "received in the year"),
        (OverviewBasis::Responded, "responded to in the year"),
    ] {
        let kinds = names(wanted);
        if !kinds.is_empty() {
            parts.push(format!("{} are counted as {how}", kinds.join(", ")));
        }
    }
    format!(
        "{}; Ombudsman decisions by the date of the decision. \
         The total is the sum of the rows. \"–\" means none were recorded.",
        parts.join("; ")
    )
}

/// The overview's chart: one group per kind, one bar per year, oldest first.
fn feedback_chart(years: &[YearVolumes]) -> String {
    // The years in the table's order; a year with no feedback at all has no
    // bars, so it has no key either.
    let shown: Vec<&YearVolumes> = years
        .iter()
        .filter(|y| y.overview.values().any(Option::is_some))
        .collect();
    let series: Vec<String> = shown.iter().map(|y| y.label.clone()).collect();
    let groups: Vec<(String, Vec<i64>)> = Kind::ALL
        .iter()
        .map(|k| {
            let values = shown
                .iter()
                .map(|y| y.overview.get(k.as_str()).copied().flatten().unwrap_or(0))
                .collect();
            (kind_name(*k).to_string(), values)
        })
        .collect();
    svg::grouped_columns("Feedback by type", &series, &groups)
}

/// Enquiries from councillors and MPs, and how many were late.
pub(super) fn enquiries(report: &AnnualReport) -> Markup {
    let row = |name: &str, stats: &ComplaintStatistics| {
        let t = &stats.timeliness;
        html! {
            tr {
                td { (name) }
                td.n { (stats.received) }
                td.n { (stats.responded) }
                td.n { (t.outside_original_target) " (" (rate(&t.outside_original_target_percent)) ")" }
            }
        }
    };
    html! {
        section {
            h2 { "Councillor and MP enquiries" }
            table {
                thead {
                    tr {
                        th {}
                        th.n { "Received" }
                        th.n { "Responded to" }
                        th.n { "Outside 10 working days" }
                    }
                }
                tbody {
                    (row("Councillor enquiries", &report.councillor_enquiries))
                    (row("MP enquiries", &report.mp_enquiries))
                }
            }
        }
    }
}

/// Formal complaints: reasons (with the top three in detail), outcomes and
/// timescales.
fn formal_complaints(report: &AnnualReport) -> Markup {
    let complaints = &report.complaints;
    html! {
        section {
            h2 { "Formal complaints" }
            p {
                (complaints.received) " formal complaints were received and "
                (complaints.responded) " were responded to. The analysis below counts the complaints responded to in the year."
            }
            h3 { "Main reason for complaint" }
            (reasons_table(complaints))
            (PreEscaped(svg::horizontal_bars("Complaints by main reason", &reason_bars(complaints))))
            @for line in complaints.by_category.iter().take(3) {
                (reason_detail(line))
            }
            h3 { "Complaint outcomes" }
            (outcomes_table(complaints))
            (PreEscaped(svg::horizontal_bars("Complaint outcomes", &outcome_bars(complaints))))
            h3 { "Response timescales" }
            (timescales_table(complaints))
        }
    }
}

/// Complaints by main reason, with their shares.
fn reasons_table(stats: &ComplaintStatistics) -> Markup {
    html! {
        table {
            thead {
                tr { th { "Main reason" } th.n { "Number" } th.n { "Share" } }
            }
            tbody {
                @for line in &stats.by_category {
                    tr {
                        td { (line.category.as_deref().unwrap_or("Not recorded")) }
                        td.n { (line.count) }
                        td.n { (percent(line.percent)) }
                    }
                }
                (total_row(stats.responded))
            }
        }
    }
}

fn reason_bars(stats: &ComplaintStatistics) -> Vec<(String, i64)> {
    stats
        .by_category
        .iter()
        .map(|l| {
            (
                l.category.clone().unwrap_or_else(|| "Not recorded".into()),
                l.count,
            )
        })
        .collect()
}

/// A main reason's sub-categories, if any were recorded.
fn reason_detail(line: &CategoryLine) -> Markup {
    let subs: Vec<_> = line
        .sub_categories
        .iter()
        .filter(|s| s.sub_category.is_some())
        .collect();
    if subs.is_empty() {
        return html! {};
    }
    html! {
        h3 { (line.category.as_deref().unwrap_or("")) ": the reasons in detail" }
        table {
            tbody {
                @for sub in subs {
                    tr {
                        td { (sub.sub_category.as_deref().unwrap_or("")) }
                        td.n { (sub.count) }
                    }
                }
            }
        }
    }
}

/// The bold last row of a table of counts.
fn total_row(total: i64) -> Markup {
    html! {
        tr.total { td { "Total" } td.n { (total) } td {} }
    }
}

/// Outcomes, most frequent first, with their shares of those responded to.
pub(super) fn outcomes_table(stats: &ComplaintStatistics) -> Markup {
    let mut rows: Vec<(&String, &i64)> = stats.outcomes.iter().filter(|(_, n)| **n > 0).collect();
    rows.sort_by(|a, b| b.1.cmp(a.1));
    html! {
        table {
            thead {
                tr { th { "Outcome" } th.n { "Number" } th.n { "Share" } }
            }
            tbody {
                @for (outcome, n) in rows {
                    tr {
                        td { (outcome_name(outcome)) }
                        td.n { (n) }
                        td.n { (percent(crate::statistics::percent(*n, stats.responded))) }
                    }
                }
                (total_row(stats.responded))
            }
        }
    }
}

fn outcome_bars(stats: &ComplaintStatistics) -> Vec<(String, i64)> {
    let mut bars: Vec<(String, i64)> = stats
        .outcomes
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(o, n)| (outcome_name(o), *n))
        .collect();
    bars.sort_by_key(|b| std::cmp::Reverse(b.1));
    bars
}

/// How quickly complaints were answered.
fn timescales_table(stats: &ComplaintStatistics) -> Markup {
    let t = &stats.timeliness;
    let median = t
        .median_working_days
        .map(|m| format!("{m}"))
        .unwrap_or_else(|| "–".into());
    html! {
        table {
            tbody {
                tr {
                    td { "Responded to outside the target timescale" }
                    td.n { (t.outside_original_target) " (" (rate(&t.outside_original_target_percent)) ")" }
                }
                tr {
                    td { "Responded to by the date agreed (the target, or an agreed extension)" }
                    td.n { (t.within_target) }
                }
                tr { td { "Within the statutory limit" } td.n { (t.within_statutory_limit) } }
                tr { td { "With an agreed extension" } td.n { (t.extended) } }
                tr { td { "Median working days to respond" } td.n { (median) } }
            }
        }
    }
}

/// Dissatisfactions with complaint responses.
fn dissatisfactions(report: &AnnualReport) -> Markup {
    html! {
        section {
            h2 { "Dissatisfactions" }
            p {
                (report.dissatisfactions.responded)
                " dissatisfactions with complaint responses were responded to: "
                (rate(&report.dissatisfaction_rate))
                " of the formal complaints responded to."
            }
            (outcomes_table(&report.dissatisfactions))
        }
    }
}

/// Senior manager reviews, and how many took longer than three months.
fn senior_manager_reviews(report: &AnnualReport) -> Markup {
    let smr = &report.senior_manager_reviews;
    html! {
        section {
            h2 { "Senior manager reviews" }
            p {
                (smr.responded) " senior manager reviews were completed; "
                (smr.timeliness.outside_original_target) " ("
                (rate(&smr.timeliness.outside_original_target_percent))
                ") took longer than the 3-month timescale."
            }
            (outcomes_table(smr))
        }
    }
}

/// Informal complaints: received and responded to.
fn informal_complaints(report: &AnnualReport) -> Markup {
    let informal = &report.informal_complaints;
    html! {
        section {
            h2 { "Informal complaints" }
            p {
                (informal.received) " informal complaints were received and "
                (informal.responded) " were responded to."
            }
        }
    }
}

/// The Ombudsman's decisions, against similar authorities.
pub(super) fn ombudsman(report: &AnnualReport) -> Markup {
    let o = &report.ombudsman;
    html! {
        section {
            h2 { "Local Government and Social Care Ombudsman" }
            p.note {
                "Cases counted: " (ombudsmen(&o.ombudsman)) "."
            }
            p {
                "The Ombudsman decided " (o.dealt_with) " complaints: " (o.not_for_us)
                " were not for the Ombudsman or not ready for it, " (o.assessed_and_closed)
                " were assessed and closed, and " (o.investigated)
                " were investigated, of which " (o.upheld) " were upheld."
            }
            (ombudsman_comparison(&report.ombudsman))
            (PreEscaped(svg::horizontal_bars(
                "Ombudsman decisions",
                &[
                    ("Not for us".into(), o.not_for_us),
                    ("Assessed and closed".into(), o.assessed_and_closed),
                    ("Investigated: upheld".into(), o.upheld),
                    ("Investigated: not upheld".into(), o.not_upheld),
                ],
            )))
            p {
                (o.information_requests.late) " of the Ombudsman's "
                (o.information_requests.total)
                " information requests due in the year were answered late, in "
                (o.information_requests.cases_with_late) " of "
                (o.information_requests.cases) " cases; the council asked for more time on "
                (o.information_requests.extensions_requested) " ("
                (o.information_requests.extensions_requested_late)
                " of them on or after the due date). Witness summonses: "
                (o.witness_summons) " (warnings of the power: " (o.witness_summons_warnings)
                "). Public reports: " (o.public_reports)
                ". Payments recommended: £"
                (format!("{:.2}", o.financial_redress_pence as f64 / 100.0)) "."
            }
        }
    }
}

/// Whose cases the Ombudsman figures count, in words.
fn ombudsmen(which: &[Ombudsman]) -> String {
    let names: Vec<&str> = which
        .iter()
        .map(|o| match o {
            Ombudsman::Lgsco => "the LGSCO's own",
            Ombudsman::Phso => "the Parliamentary and Health Service Ombudsman's",
            Ombudsman::Joint => "joint LGSCO and PHSO cases",
        })
        .collect();
    names.join(", ")
}

/// The council's Ombudsman measures beside the similar authorities' averages.
pub(crate) fn ombudsman_comparison(
    o: &crate::statistics::ombudsman::OmbudsmanStatistics,
) -> Markup {
    let benchmark = o.comparison.as_ref();
    let rows = [
        (
            "Investigations upheld",
            rate(&o.uphold_rate),
            one_decimal(benchmark.map(|b| b.average_uphold_percent), "%"),
        ),
        (
            "Upheld decisions per 100,000 residents",
            one_decimal(o.upheld_per_100k.value, ""),
            one_decimal(benchmark.and_then(|b| b.average_upheld_per_100k), ""),
        ),
        (
            "Satisfactory remedy provided by the council",
            rate(&o.satisfactory_remedy),
            one_decimal(
                benchmark.and_then(|b| b.average_satisfactory_remedy_percent),
                "%",
            ),
        ),
        (
            "Compliance with recommendations",
            percent(o.compliance.percent),
            one_decimal(benchmark.and_then(|b| b.average_compliance_percent), "%"),
        ),
    ];
    // A directorate's own benchmark is a national service average.
    let compared_with = match benchmark {
        Some(b) if b.directorate.is_some() => match &b.category {
            Some(category) => format!("National average: {category}"),
            None => "National average for the service".to_string(),
        },
        _ => "Similar authorities".to_string(),
    };
    html! {
        table {
            thead {
                tr { th { "Measure" } th.n { "This council" } th.n { (compared_with) } }
            }
            tbody {
                @for (measure, council, similar) in rows {
                    tr { td { (measure) } td.n { (council) } td.n { (similar) } }
                }
            }
        }
    }
}

/// Service improvements agreed in the year.
/// The service improvements agreed in `period`, with their status (both
/// annual reports end with it).
pub(crate) fn service_improvements(
    period: &crate::statistics::Period,
    improvements: &[ServiceImprovement],
) -> Markup {
    html! {
        section {
            h2 { "Service improvements agreed in " (period.label) }
            @if improvements.is_empty() {
                p { "No service improvements were recorded as agreed in the year." }
            } @else {
                table {
                    thead {
                        tr { th { "Improvement" } th { "Owner" } th { "Due" } th { "Status" } }
                    }
                    tbody {
                        @for i in improvements { (improvement_row(i)) }
                    }
                }
            }
        }
    }
}

fn improvement_row(improvement: &ServiceImprovement) -> Markup {
    let status = match (improvement.status, improvement.overdue) {
        (_, true) => "Overdue",
        (ImprovementStatus::Planned, false) => "Planned",
        (ImprovementStatus::InProgress, false) => "In progress",
        (ImprovementStatus::Completed, false) => "Completed",
        (ImprovementStatus::Cancelled, false) => "Cancelled",
    };
    html! {
        tr {
            td { (improvement.description) }
            td { (improvement.owner.as_deref().unwrap_or("")) }
            td.nowrap {
                @if let Some(due) = improvement.due_on { (due.format("%-d %b %Y")) }
            }
            td { (status) }
        }
    }
}

/// When the report was produced, and how it counts.
fn footer(report: &AnnualReport) -> Markup {
    html! {
        footer {
            "Produced by Redress on "
            (report.generated_at.format("%-d %B %Y at %H:%M UTC"))
            ". Figures count records by the date they were received or responded to, \
             and Ombudsman cases by the date of decision; totals are computed from the same records, so tables add up."
        }
    }
}
