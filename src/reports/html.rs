//! The annual report as a printable HTML document: one file, inline styles
//! and SVG charts, nothing loaded from elsewhere.

use std::fmt::Write;

use crate::feedback::types::{Kind, Outcome};
use crate::improvements::fields::ImprovementStatus;
use crate::reports::svg;
use crate::reports::AnnualReport;
use crate::statistics::complaints::ComplaintStatistics;
use crate::statistics::Rate;

/// Escape text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How the report names a kind of feedback.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Compliment => "Compliments",
        Kind::Comment => "Comments",
        Kind::Enquiry => "Enquiries",
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
        None => outcome.to_string(),
    }
}

fn rate(rate: &Rate) -> String {
    match rate.percent {
        Some(p) => format!("{p:.1}%"),
        None => "–".into(),
    }
}

fn percent(value: Option<f64>) -> String {
    value
        .map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "–".into())
}

const STYLE: &str = r#"
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; line-height: 1.45; margin: 0 auto; max-width: 190mm; font-size: 11pt; }
header.cover { border-bottom: 6px solid #1d70b8; padding: 24px 0 16px; margin-bottom: 20px; }
header.cover p { margin: 2px 0; color: #505a5f; }
h1 { font-size: 24pt; margin: 8px 0; }
h2 { font-size: 15pt; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #1d70b8; page-break-after: avoid; }
h3 { font-size: 12pt; margin: 16px 0 6px; }
section { page-break-inside: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; page-break-inside: avoid; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #b1b4b6; vertical-align: top; }
th { background: #f3f2f1; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #0b0c0c; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 16px; }
.figure { flex: 1 1 150px; border-left: 5px solid #1d70b8; background: #f3f2f1; padding: 8px 12px; }
.figure strong { display: block; font-size: 20pt; }
.chart { display: block; margin: 6px 0 14px; max-width: 100%; height: auto; }
.chart-title { font: bold 13px Arial, sans-serif; fill: #0b0c0c; }
.chart-label { font: 11px Arial, sans-serif; fill: #0b0c0c; }
.chart-value { font: bold 11px Arial, sans-serif; fill: #0b0c0c; }
.note { color: #505a5f; font-size: 9.5pt; }
.nowrap { white-space: nowrap; }
footer { margin-top: 30px; border-top: 1px solid #b1b4b6; padding-top: 8px; color: #505a5f; font-size: 9pt; }
"#;

fn figure(out: &mut String, value: &str, label: &str) {
    let _ = write!(
        out,
        "<div class=\"figure\"><strong>{}</strong>{}</div>",
        escape(value),
        escape(label)
    );
}

fn outcomes_table(out: &mut String, stats: &ComplaintStatistics) {
    let mut rows: Vec<(&String, &i64)> = stats.outcomes.iter().filter(|(_, n)| **n > 0).collect();
    rows.sort_by(|a, b| b.1.cmp(a.1));
    out.push_str("<table><thead><tr><th>Outcome</th><th class=\"n\">Number</th><th class=\"n\">Share</th></tr></thead><tbody>");
    for (outcome, n) in &rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{n}</td><td class=\"n\">{}</td></tr>",
            escape(&outcome_name(outcome)),
            percent(crate::statistics::percent(**n, stats.responded))
        );
    }
    let _ = write!(
        out,
        "<tr class=\"total\"><td>Total</td><td class=\"n\">{}</td><td></td></tr></tbody></table>",
        stats.responded
    );
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

/// Render the report.
pub fn render(report: &AnnualReport) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let scope = report
        .directorate_name
        .clone()
        .unwrap_or_else(|| "All directorates".into());
    let title = format!(
        "Complaints and Feedback Annual Report {}",
        report.period.label
    );
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{} — {}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{STYLE}</style></head><body>",
        escape(&title),
        escape(&report.council_name)
    );
    let _ = write!(
        out,
        "<header class=\"cover\"><p>{}</p><h1>Complaints and Feedback Annual Report <span class=\"nowrap\">{}</span></h1><p><strong>{}</strong></p><p>{} to {}</p></header>",
        escape(&report.council_name),
        escape(&report.period.label),
        escape(&scope),
        report.period.from.format("%-d %B %Y"),
        report.period.to.format("%-d %B %Y")
    );

    let complaints = &report.complaints;
    let year = report.feedback.years.first();
    let received = |kind: Kind| {
        year.map(|y| y.received.get(kind.as_str()).copied().unwrap_or(0))
            .unwrap_or(0)
    };
    out.push_str("<section><h2>Executive summary</h2><div class=\"figures\">");
    figure(
        &mut out,
        &complaints.received.to_string(),
        "formal complaints received",
    );
    figure(
        &mut out,
        &complaints.responded.to_string(),
        "formal complaints responded to",
    );
    figure(
        &mut out,
        &received(Kind::Compliment).to_string(),
        "compliments received",
    );
    figure(
        &mut out,
        &report.mp_enquiries.responded.to_string(),
        "MP enquiries responded to",
    );
    figure(
        &mut out,
        &report.ombudsman.dealt_with.to_string(),
        "Ombudsman decisions",
    );
    out.push_str("</div>");
    let _ = write!(
        out,
        "<p>In {label}, {received} formal complaints were received and {responded} were responded to. \
         {outside} of those responded to ({outside_pct}) were answered outside the target timescale. \
         The Ombudsman decided {decided} complaints, investigated {investigated} and upheld {upheld} ({uphold}).</p></section>",
        label = escape(&report.period.label),
        received = complaints.received,
        responded = complaints.responded,
        outside = complaints.timeliness.outside_target,
        outside_pct = rate(&complaints.timeliness.outside_target_percent),
        decided = report.ombudsman.dealt_with,
        investigated = report.ombudsman.investigated,
        upheld = report.ombudsman.upheld,
        uphold = rate(&report.ombudsman.uphold_rate),
    );

    // Feedback overview: four years side by side.
    out.push_str("<section><h2>Annual feedback overview</h2><p>Feedback received in each of the last four years.</p><table><thead><tr><th>Feedback type</th>");
    for y in &report.feedback.years {
        let _ = write!(out, "<th class=\"n\">{}</th>", escape(&y.label));
    }
    out.push_str("</tr></thead><tbody>");
    for kind in Kind::ALL {
        let _ = write!(out, "<tr><td>{}</td>", kind_name(*kind));
        for y in &report.feedback.years {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                y.received.get(kind.as_str()).copied().unwrap_or(0)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("<tr><td>Ombudsman decisions</td>");
    for y in &report.feedback.years {
        let _ = write!(out, "<td class=\"n\">{}</td>", y.ombudsman_decided);
    }
    out.push_str("</tr><tr class=\"total\"><td>Total</td>");
    for y in &report.feedback.years {
        let _ = write!(
            out,
            "<td class=\"n\">{}</td>",
            y.total_received + y.ombudsman_decided
        );
    }
    out.push_str("</tr></tbody></table>");
    let series: Vec<String> = report
        .feedback
        .years
        .iter()
        .rev()
        .map(|y| y.label.clone())
        .collect();
    let groups: Vec<(String, Vec<i64>)> = Kind::ALL
        .iter()
        .map(|k| {
            let values = report
                .feedback
                .years
                .iter()
                .rev()
                .map(|y| y.received.get(k.as_str()).copied().unwrap_or(0))
                .collect();
            (kind_name(*k).to_string(), values)
        })
        .collect();
    out.push_str(&svg::grouped_columns(
        "Feedback received by type",
        &series,
        &groups,
    ));
    out.push_str("</section>");

    // Enquiries from councillors and MPs.
    let _ = write!(
        out,
        "<section><h2>Councillor and MP enquiries</h2><table><thead><tr><th></th><th class=\"n\">Received</th><th class=\"n\">Responded to</th>\
         <th class=\"n\">Outside 10 working days</th></tr></thead><tbody>\
         <tr><td>Councillor enquiries</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td></tr>\
         <tr><td>MP enquiries</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td></tr></tbody></table></section>",
        report.councillor_enquiries.received,
        report.councillor_enquiries.responded,
        report.councillor_enquiries.timeliness.outside_target,
        rate(&report.councillor_enquiries.timeliness.outside_target_percent),
        report.mp_enquiries.received,
        report.mp_enquiries.responded,
        report.mp_enquiries.timeliness.outside_target,
        rate(&report.mp_enquiries.timeliness.outside_target_percent),
    );

    // Formal complaints.
    let _ = write!(
        out,
        "<section><h2>Formal complaints</h2><p>{} formal complaints were received and {} were responded to. \
         The analysis below counts the complaints responded to in the year.</p><h3>Main reason for complaint</h3>\
         <table><thead><tr><th>Main reason</th><th class=\"n\">Number</th><th class=\"n\">Share</th></tr></thead><tbody>",
        complaints.received, complaints.responded
    );
    for line in &complaints.by_category {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(line.category.as_deref().unwrap_or("Not recorded")),
            line.count,
            percent(line.percent)
        );
    }
    let _ = write!(
        out,
        "<tr class=\"total\"><td>Total</td><td class=\"n\">{}</td><td></td></tr></tbody></table>",
        complaints.responded
    );
    let bars: Vec<(String, i64)> = complaints
        .by_category
        .iter()
        .map(|l| {
            (
                l.category.clone().unwrap_or_else(|| "Not recorded".into()),
                l.count,
            )
        })
        .collect();
    out.push_str(&svg::horizontal_bars("Complaints by main reason", &bars));
    for line in complaints.by_category.iter().take(3) {
        let subs: Vec<&crate::statistics::complaints::SubCategoryLine> = line
            .sub_categories
            .iter()
            .filter(|s| s.sub_category.is_some())
            .collect();
        if subs.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<h3>{}: the reasons in detail</h3><table><tbody>",
            escape(line.category.as_deref().unwrap_or(""))
        );
        for sub in subs {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
                escape(sub.sub_category.as_deref().unwrap_or("")),
                sub.count
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("<h3>Complaint outcomes</h3>");
    outcomes_table(&mut out, complaints);
    out.push_str(&svg::horizontal_bars(
        "Complaint outcomes",
        &outcome_bars(complaints),
    ));
    let t = &complaints.timeliness;
    let _ = write!(
        out,
        "<h3>Response timescales</h3><table><tbody>\
         <tr><td>Responded to within the target timescale</td><td class=\"n\">{}</td></tr>\
         <tr><td>Responded to outside the target timescale</td><td class=\"n\">{} ({})</td></tr>\
         <tr><td>Within the statutory limit</td><td class=\"n\">{}</td></tr>\
         <tr><td>With an agreed extension</td><td class=\"n\">{}</td></tr>\
         <tr><td>Median working days to respond</td><td class=\"n\">{}</td></tr></tbody></table></section>",
        t.within_target,
        t.outside_target,
        rate(&t.outside_target_percent),
        t.within_statutory_limit,
        t.extended,
        t.median_working_days.map(|m| format!("{m}")).unwrap_or_else(|| "–".into()),
    );

    // Dissatisfactions and senior manager reviews.
    let _ = write!(
        out,
        "<section><h2>Dissatisfactions</h2><p>{} dissatisfactions with complaint responses were responded to: {} of the formal complaints responded to.</p>",
        report.dissatisfactions.responded,
        rate(&report.dissatisfaction_rate)
    );
    outcomes_table(&mut out, &report.dissatisfactions);
    let smr = &report.senior_manager_reviews;
    let _ = write!(
        out,
        "</section><section><h2>Senior manager reviews</h2><p>{} senior manager reviews were completed; {} ({}) took longer than the 3-month timescale.</p>",
        smr.responded,
        smr.timeliness.outside_target,
        rate(&smr.timeliness.outside_target_percent)
    );
    outcomes_table(&mut out, smr);
    out.push_str("</section>");

    // Informal complaints.
    let _ = write!(
        out,
        "<section><h2>Informal complaints</h2><p>{} informal complaints were received and {} were responded to.</p></section>",
        report.informal_complaints.received, report.informal_complaints.responded
    );

    // The Ombudsman.
    let o = &report.ombudsman;
    let _ = write!(
        out,
        "<section><h2>Local Government and Social Care Ombudsman</h2>\
         <p>The Ombudsman decided {} complaints: {} were not for the Ombudsman or not ready for it, {} were assessed and closed, and {} were investigated, of which {} were upheld.</p>",
        o.dealt_with, o.not_for_us, o.assessed_and_closed, o.investigated, o.upheld
    );
    out.push_str("<table><thead><tr><th>Measure</th><th class=\"n\">This council</th><th class=\"n\">Similar authorities</th></tr></thead><tbody>");
    let benchmark = o.comparison.as_ref();
    let avg = |v: Option<f64>, unit: &str| {
        v.map(|v| format!("{v:.1}{unit}"))
            .unwrap_or_else(|| "–".into())
    };
    let _ = write!(
        out,
        "<tr><td>Investigations upheld</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\
         <tr><td>Upheld decisions per 100,000 residents</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\
         <tr><td>Satisfactory remedy provided by the council</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\
         <tr><td>Compliance with recommendations</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></tbody></table>",
        rate(&o.uphold_rate),
        avg(benchmark.map(|b| b.average_uphold_percent), "%"),
        o.upheld_per_100k.value.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into()),
        avg(benchmark.map(|b| b.average_upheld_per_100k), ""),
        rate(&o.satisfactory_remedy),
        avg(benchmark.map(|b| b.average_satisfactory_remedy_percent), "%"),
        percent(o.compliance.percent),
        avg(benchmark.map(|b| b.average_compliance_percent), "%"),
    );
    out.push_str(&svg::horizontal_bars(
        "Ombudsman decisions",
        &[
            ("Not for us".into(), o.not_for_us),
            ("Assessed and closed".into(), o.assessed_and_closed),
            ("Investigated: upheld".into(), o.upheld),
            ("Investigated: not upheld".into(), o.not_upheld),
        ],
    ));
    let _ = write!(
        out,
        "<p>{} of the Ombudsman's {} information requests due in the year were answered late. Witness summonses: {}. \
         Public reports: {}. Payments recommended: £{:.2}.</p></section>",
        o.information_requests.late,
        o.information_requests.total,
        o.witness_summons,
        o.public_reports,
        o.financial_redress_pence as f64 / 100.0
    );

    // Service improvements.
    let _ = write!(
        out,
        "<section><h2>Service improvements agreed in {}</h2>",
        escape(&report.period.label)
    );
    if report.service_improvements.is_empty() {
        out.push_str("<p>No service improvements were recorded as agreed in the year.</p>");
    } else {
        out.push_str("<table><thead><tr><th>Improvement</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead><tbody>");
        for i in &report.service_improvements {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"nowrap\">{}</td><td>{}</td></tr>",
                escape(&i.description),
                escape(i.owner.as_deref().unwrap_or("")),
                i.due_on
                    .map(|d| d.format("%-d %b %Y").to_string())
                    .unwrap_or_default(),
                match (i.status, i.overdue) {
                    (_, true) => "Overdue",
                    (ImprovementStatus::Planned, false) => "Planned",
                    (ImprovementStatus::InProgress, false) => "In progress",
                    (ImprovementStatus::Completed, false) => "Completed",
                    (ImprovementStatus::Cancelled, false) => "Cancelled",
                }
            );
        }
        out.push_str("</tbody></table>");
    }
    let _ = write!(
        out,
        "</section><footer>Produced by Redress on {}. Figures count records by the date they were received or responded to, \
         and Ombudsman cases by the date of decision; totals are computed from the same records, so tables add up.</footer></body></html>",
        report.generated_at.format("%-d %B %Y at %H:%M UTC")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
