//! The children's and corporate layouts in HTML: the procedures' stages
//! against the previous year, quarterly volumes, service areas, themes,
//! young people and advocacy, reopened complaints, extensions, stages across
//! the years, and the Ombudsman's cases by service area.

use maud::{html, Markup, PreEscaped};

use crate::feedback::types::{Kind, Procedure};
use crate::reports::html::{enquiries, kind_name, ombudsman, percent};
use crate::reports::layout::{Layout, ProcedureReport, StageComparison, StageFigures};
use crate::reports::svg;
use crate::reports::AnnualReport;
use crate::statistics::groups::GroupLine;

/// How the report names a procedure.
fn procedure_name(procedure: Procedure) -> &'static str {
    match procedure {
        Procedure::StatutoryAdults => "Adult social care statutory procedure",
        Procedure::StatutoryChildren => "Children's social care statutory procedure",
        Procedure::Corporate => "Corporate procedure",
    }
}

/// A stage's short name in a chart or table (`Statutory stage 2`).
fn stage_name(procedure: Procedure, stage: i32) -> String {
    match procedure {
        Procedure::Corporate => format!("Corporate stage {stage}"),
        _ => format!("Statutory stage {stage}"),
    }
}

/// The sections of the layout, between the executive summary and the
/// service improvements.
pub fn sections(report: &AnnualReport, sections: &ProcedureReport) -> Markup {
    html! {
        (stages(report, sections))
        (quarterly(report, sections))
        (service_areas(sections))
        (themes(report, sections))
        @if report.layout == Layout::Children {
            (young_people(report))
        }
        (reopened_and_extended(report, sections))
        (stages_by_year(sections))
        (enquiries(report))
        (ombudsman(report))
        (ombudsman_by_service_area(sections))
    }
}

/// `this (previous)`.
fn with_previous(this: i64, previous: i64) -> String {
    format!("{this} ({previous})")
}

/// Each procedure's stages: received, responded, outcomes, timeliness and
/// extensions, the previous year in brackets.
fn stages(report: &AnnualReport, sections: &ProcedureReport) -> Markup {
    let previous = report.period.year_before().label;
    let cell = |c: &StageComparison, figure: fn(&StageFigures) -> i64| {
        with_previous(figure(&c.this_year), figure(&c.previous_year))
    };
    html! {
        section {
            h2 { "Complaints at each stage" }
            p { "Figures for " (report.period.label) ", with " (previous) " in brackets. Outcomes and timeliness count the complaints responded to." }
            @for procedure in &sections.procedures {
                h3 { (procedure_name(*procedure)) }
                table {
                    thead {
                        tr {
                            th { "Stage" }
                            th.n { "Received" }
                            th.n { "Responded to" }
                            th.n { "Upheld" }
                            th.n { "Partly upheld" }
                            th.n { "Not upheld" }
                            th.n { "Outside timescale" }
                            th.n { "Extended" }
                        }
                    }
                    tbody {
                        @for c in sections.stages.iter().filter(|c| c.procedure == *procedure) {
                            tr {
                                td.nowrap { "Stage " (c.stage) }
                                td.n { (cell(c, |f| f.received)) }
                                td.n { (cell(c, |f| f.responded)) }
                                td.n { (cell(c, |f| f.upheld)) }
                                td.n { (cell(c, |f| f.partially_upheld)) }
                                td.n { (cell(c, |f| f.not_upheld)) }
                                td.n { (cell(c, |f| f.outside_original_target)) }
                                td.n { (cell(c, |f| f.extended)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Feedback received each quarter, by kind: a table and a chart.
fn quarterly(report: &AnnualReport, sections: &ProcedureReport) -> Markup {
    let quarters = &sections.quarterly;
    let kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| quarters.iter().any(|q| received(&q.received, *k) > 0))
        .collect();
    let series: Vec<String> = quarters.iter().map(|q| q.quarter.clone()).collect();
    let groups: Vec<(String, Vec<i64>)> = kinds
        .iter()
        .map(|k| {
            let values = quarters.iter().map(|q| received(&q.received, *k)).collect();
            (kind_name(*k).to_string(), values)
        })
        .collect();
    html! {
        section {
            h2 { "Feedback received each quarter" }
            @if kinds.is_empty() {
                p { "No feedback was received in " (report.period.label) "." }
            } @else {
                table {
                    thead {
                        tr {
                            th { "Feedback type" }
                            @for q in quarters { th.n { (q.quarter) } }
                            th.n { "Year" }
                        }
                    }
                    tbody {
                        @for k in &kinds {
                            tr {
                                td { (kind_name(*k)) }
                                @for q in quarters { td.n { (received(&q.received, *k)) } }
                                td.n { (quarters.iter().map(|q| received(&q.received, *k)).sum::<i64>()) }
                            }
                        }
                    }
                }
                (PreEscaped(svg::grouped_columns("Feedback received by quarter", &series, &groups)))
            }
        }
    }
}

fn received(by_kind: &std::collections::BTreeMap<String, i64>, kind: Kind) -> i64 {
    by_kind.get(kind.as_str()).copied().unwrap_or(0)
}

/// A group's value of `dimension`, or "Not recorded".
fn key(line: &GroupLine, dimension: &str) -> String {
    line.key
        .get(dimension)
        .cloned()
        .flatten()
        .unwrap_or_else(|| "Not recorded".into())
}

/// Upheld and partly upheld, of a group's responses.
fn upheld_or_partly(line: &GroupLine) -> i64 {
    line.outcomes.as_ref().map_or(0, |o| {
        o.get("upheld").copied().unwrap_or(0) + o.get("partially_upheld").copied().unwrap_or(0)
    })
}

/// Complaints by service area.
fn service_areas(sections: &ProcedureReport) -> Markup {
    html! {
        section {
            h2 { "Complaints by service area" }
            @if sections.by_service_area.is_empty() {
                p { "No complaints were received or responded to in the year." }
            } @else {
                table {
                    thead {
                        tr {
                            th { "Service area" }
                            th.n { "Received" }
                            th.n { "Responded to" }
                            th.n { "Upheld or partly upheld" }
                            th.n { "Outside timescale" }
                        }
                    }
                    tbody {
                        @for line in &sections.by_service_area {
                            tr {
                                td { (key(line, "service_area")) }
                                td.n { (line.received.unwrap_or(0)) }
                                td.n { (line.responded.unwrap_or(0)) }
                                td.n { (upheld_or_partly(line)) }
                                td.n { (line.outside_original_target.unwrap_or(0)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Complaints by theme, with each theme's share of the complaints received.
fn themes(report: &AnnualReport, sections: &ProcedureReport) -> Markup {
    let total = report.complaints.received;
    let mut lines: Vec<&GroupLine> = sections.themes.iter().collect();
    lines.sort_by_key(|l| std::cmp::Reverse(l.received.unwrap_or(0)));
    html! {
        section {
            h2 { "Themes" }
            p { "A complaint may have several themes, so the shares may add up to more than 100%." }
            @if lines.is_empty() {
                p { "No complaints were received or responded to in the year." }
            } @else {
                table {
                    thead {
                        tr { th { "Theme" } th.n { "Complaints received" } th.n { "Share" } }
                    }
                    tbody {
                        @for line in lines {
                            tr {
                                td { (key(line, "theme")) }
                                td.n { (line.received.unwrap_or(0)) }
                                td.n { (percent(crate::statistics::percent(line.received.unwrap_or(0), total))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Complaints from young people, and with an advocate.
fn young_people(report: &AnnualReport) -> Markup {
    let young = &report.complaints.young_people;
    let count = |n: Option<i64>| n.map_or_else(|| "fewer than 5".to_string(), |n| n.to_string());
    html! {
        section {
            h2 { "Young people and advocacy" }
            p {
                (count(young.received)) " complaints were made by children and young people themselves; "
                (count(young.advocate_assisted)) " of them with the help of an advocate."
            }
        }
    }
}

/// Reopened complaints and agreed extensions.
fn reopened_and_extended(report: &AnnualReport, sections: &ProcedureReport) -> Markup {
    let extended: i64 = sections.stages.iter().map(|c| c.this_year.extended).sum();
    let before: i64 = sections
        .stages
        .iter()
        .map(|c| c.previous_year.extended)
        .sum();
    html! {
        section {
            h2 { "Reopened complaints and extensions" }
            p {
                (report.complaints.reopened) " of the complaints responded to in the year had been reopened after being closed. "
                (with_previous(extended, before)) " were answered with an agreed extension of the timescale; the table of stages gives them stage by stage."
            }
        }
    }
}

/// Complaints received at each stage over four years: a table and a chart.
fn stages_by_year(sections: &ProcedureReport) -> Markup {
    let years = &sections.stages_by_year;
    let mut stages: Vec<(Procedure, i32)> = sections
        .stages
        .iter()
        .map(|c| (c.procedure, c.stage))
        .collect();
    for year in years {
        for line in &year.by_stage {
            if let (Some(p), Some(s)) = (line.procedure, line.stage) {
                if !stages.contains(&(p, s)) {
                    stages.push((p, s));
                }
            }
        }
    }
    let count = |year: usize, (procedure, stage): (Procedure, i32)| -> i64 {
        years[year]
            .by_stage
            .iter()
            .filter(|l| l.procedure == Some(procedure) && l.stage == Some(stage))
            .map(|l| l.received)
            .sum()
    };
    let series: Vec<String> = years.iter().map(|y| y.label.clone()).collect();
    let groups: Vec<(String, Vec<i64>)> = stages
        .iter()
        .map(|s| {
            (
                stage_name(s.0, s.1),
                (0..years.len()).map(|y| count(y, *s)).collect(),
            )
        })
        .collect();
    html! {
        section {
            h2 { "Complaints by stage across the years" }
            table {
                thead {
                    tr {
                        th { "Stage" }
                        @for y in years { th.n { (y.label) } }
                    }
                }
                tbody {
                    @for (name, values) in &groups {
                        tr {
                            td { (name) }
                            @for v in values { td.n { (v) } }
                        }
                    }
                }
            }
            (PreEscaped(svg::grouped_columns("Complaints received by stage", &series, &groups)))
        }
    }
}

/// The Ombudsman's cases by service area, with those carried in and those
/// still open at the end of the year.
fn ombudsman_by_service_area(sections: &ProcedureReport) -> Markup {
    let groups = &sections.ombudsman_by_service_area;
    html! {
        section {
            h3 { "Ombudsman cases by service area" }
            @if groups.is_empty() {
                p { "The Ombudsman had no cases about these services open in the year." }
            } @else {
                table {
                    thead {
                        tr {
                            th { "Service area" }
                            th.n { "Carried in" }
                            th.n { "Received" }
                            th.n { "Decided" }
                            th.n { "Upheld" }
                            th.n { "Ongoing at year end" }
                        }
                    }
                    tbody {
                        @for g in groups {
                            tr {
                                td { (g.key.get("service_area").cloned().flatten().unwrap_or_else(|| "Not recorded".into())) }
                                td.n { (g.open_at_start) }
                                td.n { (g.received) }
                                td.n { (g.dealt_with) }
                                td.n { (g.upheld) }
                                td.n { (g.open_at_end) }
                            }
                        }
                    }
                }
            }
        }
    }
}
