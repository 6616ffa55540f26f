//! The Complaint Handling Code's measures: how the complaints it governs
//! were handled against its timescales, refusals, escalations, remedies and
//! actions, for a financial year and each of its quarters.
//!
//! The Code's own timescales are fixed here, not read from the council's
//! editable timescales, so that the measures say what the Ombudsman would:
//! - stage 1: acknowledge within 5 working days of receipt, respond within
//!   10 working days of the acknowledgement (of the acknowledgement's due
//!   date when there is none), extend by at most 10 more;
//! - stage 2: acknowledge within 5 working days of the escalation request,
//!   respond within 20 working days of the acknowledgement, extend by at
//!   most 20 more.
//!
//! A stage's clock starts on the record's `received_on` (or `reopened_on`,
//! for a reopened record's current round). Working days are the calendar's.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::Calendar;
use crate::db::json::Json;
use crate::db::schema::{actions, feedback};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::fields::Remedy;
use crate::feedback::types::{Kind, Procedure, RefusalReason};
use crate::statistics::{one_decimal, Period, Rate, Scope};

/// The Code's timescales for one stage, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageRule {
    /// The stage: 1 or 2.
    pub stage: i32,
    /// Acknowledge within this many working days of receipt.
    pub acknowledge: u32,
    /// Respond within this many working days of the acknowledgement.
    pub respond: u32,
    /// Extend by at most this many more working days.
    pub extend: u32,
}

/// Stage 1 (the Code, section 6: 5, 10 and 10 more working days).
pub const STAGE_1: StageRule = StageRule {
    stage: 1,
    acknowledge: 5,
    respond: 10,
    extend: 10,
};

/// Stage 2 (the Code, section 6: 5, 20 and 20 more working days).
pub const STAGE_2: StageRule = StageRule {
    stage: 2,
    acknowledge: 5,
    respond: 20,
    extend: 20,
};

/// The rule of a stage the Code has (1 or 2).
pub fn rule_of(stage: Option<i32>) -> Option<StageRule> {
    match stage {
        Some(1) => Some(STAGE_1),
        Some(2) => Some(STAGE_2),
        _ => None,
    }
}

/// What the Code's measures read of a feedback record.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = feedback)]
pub struct CodeRecord {
    /// The record's id.
    pub id: i64,
    /// Its reference.
    pub reference: Option<String>,
    /// Its directorate.
    pub directorate: String,
    /// Its kind.
    pub kind: Kind,
    /// Its procedure.
    pub procedure: Option<Procedure>,
    /// Its stage.
    pub stage: Option<i32>,
    /// The record it escalated from.
    pub parent_id: Option<i64>,
    /// Received.
    pub received_on: NaiveDate,
    /// The start of its current round, when reopened.
    pub reopened_on: Option<NaiveDate>,
    /// Acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// Responded to.
    pub responded_on: Option<NaiveDate>,
    /// Closed.
    pub closed_on: Option<NaiveDate>,
    /// The agreed extended due date.
    pub extended_due_on: Option<NaiveDate>,
    /// Why it was extended.
    pub extension_reason: Option<String>,
    /// When the complainant was told of the extension.
    pub extension_notified_on: Option<NaiveDate>,
    /// Refused (not taken up).
    pub refused_on: Option<NaiveDate>,
    /// Why it was refused.
    pub refusal_reason: Option<RefusalReason>,
    /// Whether the Ombudsman's details were given.
    pub ombudsman_signposted: bool,
    /// Its escalation refused.
    pub escalation_refused_on: Option<NaiveDate>,
    /// Why the escalation was refused.
    pub escalation_refusal_reason: Option<String>,
    /// Who handles it.
    pub handler_id: Option<i64>,
    /// What was done to put things right.
    #[diesel(deserialize_as = Json<Vec<Remedy>>)]
    pub remedies: Vec<Remedy>,
}

/// A stage's Code due dates for a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeDates {
    /// The acknowledgement's due date.
    pub acknowledge_by: NaiveDate,
    /// The response's due date before any extension: counted from the
    /// acknowledgement, or from its due date when there is none.
    pub respond_by: NaiveDate,
    /// The furthest an extension may go.
    pub extend_by: NaiveDate,
    /// The response's due date with the agreed extension, where it is
    /// within the Code's limit; else `respond_by`.
    pub agreed_by: NaiveDate,
}

impl CodeRecord {
    /// The first day of its current round.
    pub fn start(&self) -> NaiveDate {
        self.reopened_on.unwrap_or(self.received_on)
    }

    /// Its due dates under `rule`.
    pub fn dates(&self, rule: StageRule, calendar: &Calendar) -> CodeDates {
        let acknowledge_by = calendar.add_working_days(self.start(), rule.acknowledge);
        let anchor = self.acknowledged_on.unwrap_or(acknowledge_by);
        let respond_by = calendar.add_working_days(anchor, rule.respond);
        let extend_by = calendar.add_working_days(respond_by, rule.extend);
        CodeDates {
            acknowledge_by,
            respond_by,
            extend_by,
            agreed_by: self
                .extended_due_on
                .filter(|d| *d <= extend_by)
                .map_or(respond_by, |d| d.max(respond_by)),
        }
    }
}

/// Working days taken to respond: how many, their mean and their median.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Spread {
    /// The responses counted.
    pub responses: i64,
    /// The mean, to one decimal place; null with no responses.
    pub mean: Option<f64>,
    /// The median (the mean of the middle two for an even count); null with
    /// no responses.
    pub median: Option<f64>,
}

impl Spread {
    /// The spread of `days`.
    pub fn of(mut days: Vec<i64>) -> Spread {
        days.sort_unstable();
        let n = days.len();
        let mean = (n > 0).then(|| one_decimal(days.iter().sum::<i64>() as f64 / n as f64));
        let median = (n > 0).then(|| {
            if n % 2 == 1 {
                days[n / 2] as f64
            } else {
                (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0
            }
        });
        Spread {
            responses: n as i64,
            mean,
            median,
        }
    }
}

/// One stage's measures.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StageMeasures {
    /// The stage: 1 or 2.
    pub stage: i32,
    /// Complaints at this stage received in the period (refused ones
    /// included).
    pub received: i64,
    /// Acknowledged within 5 working days of receipt, of those acknowledged
    /// or whose acknowledgement is overdue (refused complaints left out).
    pub acknowledged_in_time: Rate,
    /// Responded to within 10 (stage 2: 20) working days of the
    /// acknowledgement, or of its due date when there is none, ignoring any
    /// extension: of those responded to or whose response is overdue.
    pub responded_in_time: Rate,
    /// Responded to by the agreed extended date where the extension is
    /// within the Code's limit, else by the Code's timescale: of the same.
    pub responded_in_time_with_extensions: Rate,
    /// Extended, of the complaints taken up.
    pub extended: Rate,
    /// Extended by more than 10 (stage 2: 20) working days beyond the
    /// timescale, of those extended.
    pub extended_beyond_limit: Rate,
    /// Extended with no reason recorded, of those extended.
    pub extended_without_reason: Rate,
    /// Extended with no record of telling the complainant
    /// (`extension_notified_on`), of those extended.
    pub extended_without_notice: Rate,
    /// Working days from receipt to the response.
    pub working_days_to_respond: Spread,
}

/// A refused escalation, as the measures list it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EscalationRefusal {
    /// The stage 1 complaint.
    pub id: i64,
    /// Its reference.
    pub reference: String,
    /// Its directorate.
    pub directorate: String,
    /// When the escalation was refused.
    pub refused_on: NaiveDate,
    /// Why; null for an analyst (free text may name people).
    pub reason: Option<String>,
}

/// Promises kept and broken: remedies or actions with a due date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct PromisesKept {
    /// Done by the due date.
    pub on_time: i64,
    /// Done after it.
    pub late: i64,
    /// Not done, and past the due date.
    pub overdue: i64,
    /// Not done, and not yet due.
    pub pending: i64,
    /// Done late or overdue, of those done or past their due date.
    pub late_rate: Rate,
}

impl PromisesKept {
    /// Count promises (due, done) as they stand on `today`.
    fn count(
        promises: impl Iterator<Item = (NaiveDate, Option<NaiveDate>)>,
        today: NaiveDate,
    ) -> PromisesKept {
        let (mut on_time, mut late, mut overdue, mut pending) = (0, 0, 0, 0);
        for (due, done) in promises {
            match done {
                Some(done) if done <= due => on_time += 1,
                Some(_) => late += 1,
                None if due < today => overdue += 1,
                None => pending += 1,
            }
        }
        PromisesKept {
            on_time,
            late,
            overdue,
            pending,
            late_rate: Rate::of(late + overdue, on_time + late + overdue),
        }
    }
}

/// Every Code measure, for one span of days.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CodeMeasures {
    /// Stage 1.
    pub stage_1: StageMeasures,
    /// Stage 2.
    pub stage_2: StageMeasures,
    /// Stage 2 complaints handled by the stage 1 complaint's handler, of
    /// those whose two handlers are both recorded: the Code expects 0.
    pub stage_2_by_stage_1_handler: Rate,
    /// Stage 1 complaints whose escalation was refused, of those whose
    /// escalation was asked for (escalated or refused).
    pub escalations_refused: Rate,
    /// Each refused escalation, with its reason.
    pub escalation_refusals: Vec<EscalationRefusal>,
    /// Stage 1 complaints refused (not taken up), of those received.
    pub refused: Rate,
    /// The refused complaints by reason: every reason, 0 where none.
    pub refusals_by_reason: BTreeMap<RefusalReason, i64>,
    /// Refused complaints whose refusal gave the Ombudsman's details, of
    /// those refused.
    pub refusals_signposted: Rate,
    /// Service requests received in the period.
    pub service_requests: i64,
    /// Service requests that became a complaint (a complaint's `parent_id`
    /// names them), of those received.
    pub service_requests_became_complaints: Rate,
    /// Informal complaints received in the period in the same directorates:
    /// the Code allows no "stage 0" before stage 1, so the Code expects 0.
    pub informal_complaints: i64,
    /// The remedies of the complaints received, with a due date.
    pub remedies: PromisesKept,
    /// The actions linked to the complaints received, with a due date.
    pub actions: PromisesKept,
}

/// What the measures count, read in one pass: the Code complaints received
/// in a period, with their service requests and informal complaints.
#[derive(Debug, Clone, Default)]
pub struct CodeRecords {
    /// Complaints at stages 1 and 2 of the Code's procedures.
    pub complaints: Vec<CodeRecord>,
    /// Service requests.
    pub service_requests: Vec<CodeRecord>,
    /// Informal complaints.
    pub informal: Vec<CodeRecord>,
    /// The handler of each stage 2 complaint's parent, by the parent's id.
    pub parent_handlers: HashMap<i64, Option<i64>>,
    /// The ids of records with a complaint escalated from them.
    pub escalated: std::collections::HashSet<i64>,
    /// Actions linked to the complaints: (feedback id, due, completed).
    pub actions: Vec<(i64, NaiveDate, Option<NaiveDate>)>,
}

/// Read the records `period` needs, in `scope`, for `procedures`.
pub fn load(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    procedures: &[Procedure],
) -> Result<CodeRecords, ApiError> {
    let mut query = feedback::table
        .filter(feedback::received_on.between(period.from, period.to))
        .filter(feedback::kind.eq_any([
            Kind::Complaint.as_str(),
            Kind::ServiceRequest.as_str(),
            Kind::InformalComplaint.as_str(),
        ]))
        .select(CodeRecord::as_select())
        .into_boxed();
    if let Some(codes) = scope {
        query = query.filter(feedback::directorate.eq_any(codes.clone()));
    }
    let rows: Vec<CodeRecord> = query.order(feedback::id).load(conn)?;
    let mut records = CodeRecords::default();
    for row in rows {
        match row.kind {
            Kind::Complaint
                if row.procedure.is_some_and(|p| procedures.contains(&p))
                    && rule_of(row.stage).is_some() =>
            {
                records.complaints.push(row)
            }
            Kind::ServiceRequest => records.service_requests.push(row),
            Kind::InformalComplaint => records.informal.push(row),
            _ => {}
        }
    }
    let parents: Vec<i64> = records
        .complaints
        .iter()
        .filter(|r| r.stage == Some(2))
        .filter_map(|r| r.parent_id)
        .collect();
    for chunk in parents.chunks(500) {
        let handlers: Vec<(i64, Option<i64>)> = feedback::table
            .filter(feedback::id.eq_any(chunk))
            .select((feedback::id, feedback::handler_id))
            .load(conn)?;
        records.parent_handlers.extend(handlers);
    }
    let asked: Vec<i64> = records
        .complaints
        .iter()
        .filter(|r| r.stage == Some(1))
        .chain(&records.service_requests)
        .map(|r| r.id)
        .collect();
    for chunk in asked.chunks(500) {
        let children: Vec<Option<i64>> = feedback::table
            .filter(feedback::parent_id.eq_any(chunk))
            .filter(feedback::kind.eq(Kind::Complaint.as_str()))
            .select(feedback::parent_id)
            .load(conn)?;
        records.escalated.extend(children.into_iter().flatten());
    }
    let ids: Vec<i64> = records.complaints.iter().map(|r| r.id).collect();
    for chunk in ids.chunks(500) {
        let linked: Vec<(Option<i64>, Option<NaiveDate>, Option<NaiveDate>)> = actions::table
            .filter(actions::feedback_id.eq_any(chunk))
            .filter(actions::due_on.is_not_null())
            .select((actions::feedback_id, actions::due_on, actions::completed_on))
            .load(conn)?;
        records.actions.extend(
            linked
                .into_iter()
                .filter_map(|(id, due, done)| Some((id?, due?, done))),
        );
    }
    Ok(records)
}

/// The measures of the records received from `from` to `to`, on `today`
/// (a due date before `today` with nothing done counts as missed).
/// `disclose_reasons`: whether free-text reasons may be shown.
pub fn measure(
    records: &CodeRecords,
    from: NaiveDate,
    to: NaiveDate,
    calendar: &Calendar,
    today: NaiveDate,
    disclose_reasons: bool,
) -> CodeMeasures {
    let within = |r: &&CodeRecord| (from..=to).contains(&r.received_on);
    let complaints: Vec<&CodeRecord> = records.complaints.iter().filter(within).collect();
    let at = |stage: i32| -> Vec<&CodeRecord> {
        complaints
            .iter()
            .copied()
            .filter(|r| r.stage == Some(stage))
            .collect()
    };
    let (first, second) = (at(1), at(2));

    let mut both_handlers = 0;
    let mut same_handler = 0;
    for r in &second {
        let parent = r
            .parent_id
            .and_then(|p| records.parent_handlers.get(&p).copied().flatten());
        if let (Some(own), Some(parent)) = (r.handler_id, parent) {
            both_handlers += 1;
            same_handler += i64::from(own == parent);
        }
    }

    let refused: Vec<&&CodeRecord> = first.iter().filter(|r| r.refused_on.is_some()).collect();
    let mut refusals_by_reason: BTreeMap<RefusalReason, i64> =
        RefusalReason::ALL.iter().map(|r| (*r, 0)).collect();
    for r in &refused {
        if let Some(reason) = r.refusal_reason {
            *refusals_by_reason.entry(reason).or_default() += 1;
        }
    }
    let signposted = refused.iter().filter(|r| r.ombudsman_signposted).count() as i64;

    let mut escalation_refusals: Vec<EscalationRefusal> = first
        .iter()
        .filter_map(|r| {
            Some(EscalationRefusal {
                id: r.id,
                reference: r.reference.clone().unwrap_or_default(),
                directorate: r.directorate.clone(),
                refused_on: r.escalation_refused_on?,
                reason: if disclose_reasons {
                    r.escalation_refusal_reason.clone()
                } else {
                    None
                },
            })
        })
        .collect();
    escalation_refusals.sort_by_key(|e| (e.refused_on, e.id));
    let asked_to_escalate = first
        .iter()
        .filter(|r| r.escalation_refused_on.is_some() || records.escalated.contains(&r.id))
        .count() as i64;

    let service_requests: Vec<&CodeRecord> =
        records.service_requests.iter().filter(within).collect();
    let became = service_requests
        .iter()
        .filter(|r| records.escalated.contains(&r.id))
        .count() as i64;

    let remedies = PromisesKept::count(
        complaints
            .iter()
            .flat_map(|r| &r.remedies)
            .filter_map(|remedy| Some((remedy.due_on?, remedy.completed_on))),
        today,
    );
    let ids: std::collections::HashSet<i64> = complaints.iter().map(|r| r.id).collect();
    let actions = PromisesKept::count(
        records
            .actions
            .iter()
            .filter(|(id, _, _)| ids.contains(id))
            .map(|(_, due, done)| (*due, *done)),
        today,
    );

    CodeMeasures {
        stage_1: stage_measures(STAGE_1, &first, calendar, today),
        stage_2: stage_measures(STAGE_2, &second, calendar, today),
        stage_2_by_stage_1_handler: Rate::of(same_handler, both_handlers),
        escalations_refused: Rate::of(escalation_refusals.len() as i64, asked_to_escalate),
        escalation_refusals,
        refused: Rate::of(refused.len() as i64, first.len() as i64),
        refusals_by_reason,
        refusals_signposted: Rate::of(signposted, refused.len() as i64),
        service_requests: service_requests.len() as i64,
        service_requests_became_complaints: Rate::of(became, service_requests.len() as i64),
        informal_complaints: records.informal.iter().filter(within).count() as i64,
        remedies,
        actions,
    }
}

fn stage_measures(
    rule: StageRule,
    records: &[&CodeRecord],
    calendar: &Calendar,
    today: NaiveDate,
) -> StageMeasures {
    let taken_up: Vec<&&CodeRecord> = records.iter().filter(|r| r.refused_on.is_none()).collect();
    let (mut ack_due, mut ack_ok) = (0, 0);
    let (mut resp_due, mut resp_ok, mut resp_ok_extended) = (0, 0, 0);
    let (mut extended, mut beyond, mut no_reason, mut no_notice) = (0, 0, 0, 0);
    let mut days = Vec::new();
    for r in &taken_up {
        let dates = r.dates(rule, calendar);
        match r.acknowledged_on {
            Some(done) => {
                ack_due += 1;
                ack_ok += i64::from(done <= dates.acknowledge_by);
            }
            None if dates.acknowledge_by < today => ack_due += 1,
            None => {}
        }
        let agreed = dates.agreed_by;
        match r.responded_on {
            Some(done) => {
                resp_due += 1;
                resp_ok += i64::from(done <= dates.respond_by);
                resp_ok_extended += i64::from(done <= agreed);
                days.push(calendar.working_days_between(r.start(), done));
            }
            None if dates.respond_by < today => {
                resp_due += 1;
                resp_ok_extended += i64::from(today <= agreed);
            }
            None => {}
        }
        if let Some(extended_to) = r.extended_due_on {
            extended += 1;
            beyond += i64::from(extended_to > dates.extend_by);
            no_reason += i64::from(
                r.extension_reason
                    .as_deref()
                    .is_none_or(|t| t.trim().is_empty()),
            );
            no_notice += i64::from(r.extension_notified_on.is_none());
        }
    }
    StageMeasures {
        stage: rule.stage,
        received: records.len() as i64,
        acknowledged_in_time: Rate::of(ack_ok, ack_due),
        responded_in_time: Rate::of(resp_ok, resp_due),
        responded_in_time_with_extensions: Rate::of(resp_ok_extended, resp_due),
        extended: Rate::of(extended, taken_up.len() as i64),
        extended_beyond_limit: Rate::of(beyond, extended),
        extended_without_reason: Rate::of(no_reason, extended),
        extended_without_notice: Rate::of(no_notice, extended),
        working_days_to_respond: Spread::of(days),
    }
}

/// A quarter of the financial year and its measures.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QuarterMeasures {
    /// The quarter: 1 (April to June) to 4 (January to March).
    #[schema(minimum = 1, maximum = 4)]
    pub quarter: u32,
    /// Its days.
    pub period: Period,
    /// Its measures.
    pub measures: CodeMeasures,
}

/// The four quarters of the financial year `year` begins.
pub fn quarters(year: &Period) -> Vec<(u32, Period)> {
    (0..4u32)
        .map(|q| {
            let from = year
                .from
                .checked_add_months(chrono::Months::new(3 * q))
                .unwrap_or(year.from);
            let to = from
                .checked_add_months(chrono::Months::new(3))
                .and_then(|d| d.pred_opt())
                .unwrap_or(year.to);
            let label = format!("Q{} {}", q + 1, from.format("%b %Y"));
            (q + 1, Period { from, to, label })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn spread_takes_the_middle_of_an_even_count() {
        let s = Spread::of(vec![10, 2, 4, 7]);
        assert_eq!(s.responses, 4);
        assert_eq!(s.median, Some(5.5));
        assert_eq!(s.mean, Some(5.8));
        assert_eq!(Spread::of(vec![]).mean, None);
    }

    #[test]
    fn quarters_cover_the_financial_year() {
        let q = quarters(&Period::financial_year(2026));
        assert_eq!(q.len(), 4);
        assert_eq!(q[0].1.from, d(2026, 4, 1));
        assert_eq!(q[0].1.to, d(2026, 6, 30));
        assert_eq!(q[3].1.from, d(2027, 1, 1));
        assert_eq!(q[3].1.to, d(2027, 3, 31));
        assert_eq!(q[3].1.label, "Q4 Jan 2027");
    }

    #[test]
    fn the_response_counts_from_the_acknowledgement_or_its_due_date() {
        let calendar = Calendar::new([d(2026, 5, 4), d(2026, 5, 25)]);
        let mut record = CodeRecord {
            id: 1,
            reference: None,
            directorate: "x".into(),
            kind: Kind::Complaint,
            procedure: Some(Procedure::Corporate),
            stage: Some(1),
            parent_id: None,
            // Friday 1 May 2026; Monday 4 May is a bank holiday.
            received_on: d(2026, 5, 1),
            reopened_on: None,
            acknowledged_on: None,
            responded_on: None,
            closed_on: None,
            extended_due_on: None,
            extension_reason: None,
            extension_notified_on: None,
            refused_on: None,
            refusal_reason: None,
            ombudsman_signposted: false,
            escalation_refused_on: None,
            escalation_refusal_reason: None,
            handler_id: None,
            remedies: Vec::new(),
        };
        let dates = record.dates(STAGE_1, &calendar);
        // 5 working days after Friday 1 May, skipping the holiday: Monday
        // 11 May.
        assert_eq!(dates.acknowledge_by, d(2026, 5, 11));
        // 10 from the acknowledgement's due date, skipping 25 May.
        assert_eq!(dates.respond_by, d(2026, 5, 26));
        record.acknowledged_on = Some(d(2026, 5, 5));
        let dates = record.dates(STAGE_1, &calendar);
        assert_eq!(dates.respond_by, d(2026, 5, 19));
        assert_eq!(dates.extend_by, d(2026, 6, 3));
        assert_eq!(dates.agreed_by, dates.respond_by);
        record.extended_due_on = Some(d(2026, 6, 4));
        assert_eq!(record.dates(STAGE_1, &calendar).agreed_by, d(2026, 5, 19));
        record.extended_due_on = Some(d(2026, 6, 3));
        assert_eq!(record.dates(STAGE_1, &calendar).agreed_by, d(2026, 6, 3));
    }
}
