//! The statutory and local timescales: one table, [`RULES`], and the clock
//! every record's `timeliness` is computed from (see DOMAIN.md, "Working days
//! and timescales").

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{add_months, Calendar};
use crate::feedback::types::{Kind, Procedure};

/// A length of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Working days (the day of receipt is day 0).
    WorkingDays(u32),
    /// Calendar months, clamped to the month's end.
    Months(u32),
}

/// Where the target is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The day the feedback was received.
    Receipt,
    /// The day it was acknowledged, or while it is not, the day the
    /// acknowledgement was due.
    Acknowledgement,
}

/// The latest date the rules allow (`limit_on`): the statutory limit, or the
/// furthest an extension may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A span from receipt (6 calendar months; "extension to 20 working days").
    FromReceipt(Span),
    /// Extra working days after the target ("extension of 10 more").
    AfterTarget(u32),
}

/// The timescales of one kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Working days to acknowledge in.
    pub acknowledge: Option<u32>,
    /// The target for the response, and what it counts from.
    pub target: Option<(Span, Start)>,
    /// The limit.
    pub limit: Option<Limit>,
}

/// No timescale at all (compliments, comments, representations).
pub const NO_RULE: Rule = Rule {
    acknowledge: None,
    target: None,
    limit: None,
};

const fn rule(
    acknowledge: Option<u32>,
    target: Option<(Span, Start)>,
    limit: Option<Limit>,
) -> Rule {
    Rule {
        acknowledge,
        target,
        limit,
    }
}

use Span::{Months, WorkingDays};
use Start::{Acknowledgement, Receipt};

/// The rules, most specific first: (kind, procedure, stage, rule), where
/// `None` matches anything. The first row that matches a record applies.
pub const RULES: &[(Kind, Option<Procedure>, Option<i32>, Rule)] = &[
    (
        Kind::Complaint,
        Some(Procedure::StatutoryAdults),
        None,
        rule(
            Some(3),
            Some((WorkingDays(25), Receipt)),
            Some(Limit::FromReceipt(Months(6))),
        ),
    ),
    (
        Kind::Complaint,
        Some(Procedure::StatutoryChildren),
        Some(1),
        rule(
            None,
            Some((WorkingDays(10), Receipt)),
            Some(Limit::FromReceipt(WorkingDays(20))),
        ),
    ),
    (
        Kind::Complaint,
        Some(Procedure::StatutoryChildren),
        Some(2),
        rule(
            None,
            Some((WorkingDays(25), Receipt)),
            Some(Limit::FromReceipt(WorkingDays(65))),
        ),
    ),
    (
        Kind::Complaint,
        Some(Procedure::StatutoryChildren),
        Some(3),
        rule(None, Some((WorkingDays(30), Receipt)), None),
    ),
    (
        Kind::Complaint,
        Some(Procedure::Corporate),
        Some(1),
        rule(
            Some(5),
            Some((WorkingDays(10), Acknowledgement)),
            Some(Limit::AfterTarget(10)),
        ),
    ),
    (
        Kind::Complaint,
        Some(Procedure::Corporate),
        Some(2),
        rule(
            Some(5),
            Some((WorkingDays(20), Acknowledgement)),
            Some(Limit::AfterTarget(20)),
        ),
    ),
    (
        Kind::Complaint,
        Some(Procedure::Corporate),
        Some(3),
        rule(None, Some((WorkingDays(20), Receipt)), None),
    ),
    (
        Kind::Dissatisfaction,
        None,
        None,
        rule(None, Some((WorkingDays(25), Receipt)), None),
    ),
    (
        Kind::SeniorManagerReview,
        None,
        None,
        rule(None, Some((Months(3), Receipt)), None),
    ),
    (
        Kind::MpEnquiry,
        None,
        None,
        rule(None, Some((WorkingDays(10), Receipt)), None),
    ),
    (
        Kind::CouncillorEnquiry,
        None,
        None,
        rule(None, Some((WorkingDays(10), Receipt)), None),
    ),
    (
        Kind::Enquiry,
        None,
        None,
        rule(None, Some((WorkingDays(10), Receipt)), None),
    ),
    (
        Kind::InformalComplaint,
        None,
        None,
        rule(None, Some((WorkingDays(10), Receipt)), None),
    ),
];

/// The rule for a record.
pub fn rule_for(kind: Kind, procedure: Option<Procedure>, stage: Option<i32>) -> Rule {
    RULES
        .iter()
        .find(|(k, p, s, _)| {
            *k == kind && (p.is_none() || *p == procedure) && (s.is_none() || *s == stage)
        })
        .map(|(_, _, _, rule)| *rule)
        .unwrap_or(NO_RULE)
}

/// The dates of a record the clock depends on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dates {
    /// The day it was received (day 0).
    pub received_on: Option<NaiveDate>,
    /// The day it was acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// Responded to.
    pub responded_on: Option<NaiveDate>,
    /// The agreed extended due date.
    pub extended_due_on: Option<NaiveDate>,
}

/// A record's statutory clock, computed from the calendar as it is now (a
/// bank holiday added later moves every due date it touches). Each field is
/// null where no rule applies to the record (see DOMAIN.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Timeliness {
    /// When the acknowledgement is due (`YYYY-MM-DD`).
    pub acknowledgement_due_on: Option<NaiveDate>,
    /// The target in working days (null when it is in calendar months, or
    /// there is none).
    pub target_working_days: Option<i32>,
    /// The target date before any extension (internal: published reports
    /// count "outside the target" against it).
    #[serde(skip)]
    pub target_due_on: Option<NaiveDate>,
    /// When the response is due: the agreed extended date if there is one.
    pub due_on: Option<NaiveDate>,
    /// The latest date the rules allow: the statutory limit, or the furthest
    /// an extension may go.
    pub limit_on: Option<NaiveDate>,
    /// Working days from receipt (day 0) to the response.
    pub working_days_taken: Option<i32>,
    /// Whether the response came by `due_on`.
    pub within_target: Option<bool>,
    /// Whether the response came by `limit_on`.
    pub within_statutory_limit: Option<bool>,
    /// Whether an extension was agreed.
    pub extended: Option<bool>,
    /// Not yet responded to, and today is after `due_on`.
    pub overdue: Option<bool>,
}

fn add(calendar: &Calendar, from: NaiveDate, span: Span) -> NaiveDate {
    match span {
        WorkingDays(n) => calendar.add_working_days(from, n),
        Months(n) => add_months(from, n),
    }
}

impl Rule {
    /// The clock for `dates` under this rule, on `today`.
    pub fn clock(&self, calendar: &Calendar, dates: &Dates, today: NaiveDate) -> Timeliness {
        let Some(received) = dates.received_on else {
            return Timeliness::default();
        };
        let acknowledgement_due_on = self
            .acknowledge
            .map(|n| calendar.add_working_days(received, n));
        let target_due_on = self.target.map(|(span, start)| {
            let from = match start {
                Receipt => received,
                Acknowledgement => dates
                    .acknowledged_on
                    .or(acknowledgement_due_on)
                    .unwrap_or(received),
            };
            add(calendar, from, span)
        });
        let limit_on = self.limit.and_then(|limit| match limit {
            Limit::FromReceipt(span) => Some(add(calendar, received, span)),
            Limit::AfterTarget(n) => target_due_on.map(|due| calendar.add_working_days(due, n)),
        });
        let due_on = target_due_on.map(|due| dates.extended_due_on.unwrap_or(due));
        let working_days_taken = dates
            .responded_on
            .map(|responded| calendar.working_days_between(received, responded) as i32);
        Timeliness {
            acknowledgement_due_on,
            target_working_days: self.target.and_then(|(span, _)| match span {
                WorkingDays(n) => Some(n as i32),
                Months(_) => None,
            }),
            target_due_on,
            due_on,
            limit_on,
            working_days_taken,
            within_target: due_on
                .zip(dates.responded_on)
                .map(|(due, responded)| responded <= due),
            within_statutory_limit: limit_on
                .zip(dates.responded_on)
                .map(|(limit, responded)| responded <= limit),
            extended: self.target.map(|_| dates.extended_due_on.is_some()),
            overdue: due_on.map(|due| dates.responded_on.is_none() && today > due),
        }
    }

    /// Why an agreed extension is not allowed, if it is not: there must be a
    /// target to extend, the new date must be after it, and not beyond the limit.
    pub fn extension_problem(&self, calendar: &Calendar, dates: &Dates) -> Option<String> {
        let extended = dates.extended_due_on?;
        let clock = self.clock(
            calendar,
            &Dates {
                extended_due_on: None,
                ..*dates
            },
            NaiveDate::MIN,
        );
        let Some(target) = clock.target_due_on else {
            return Some("cannot be set: no timescale applies to this kind of record".into());
        };
        if extended <= target {
            return Some(format!("must be after the target date, {target}"));
        }
        match clock.limit_on {
            Some(limit) if extended > limit => Some(format!(
                "is beyond the latest date the rules allow, {limit}"
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn shipped() -> Calendar {
        Calendar::new(holidays::shipped().into_iter().map(|(date, _)| date))
    }

    fn clock(
        kind: Kind,
        procedure: Option<Procedure>,
        stage: Option<i32>,
        dates: Dates,
        today: &str,
    ) -> Timeliness {
        rule_for(kind, procedure, stage).clock(&shipped(), &dates, d(today))
    }

    fn received(on: &str) -> Dates {
        Dates {
            received_on: Some(d(on)),
            ..Dates::default()
        }
    }

    #[test]
    fn every_kind_procedure_and_stage_finds_its_row() {
        use Procedure::*;
        assert_eq!(
            rule_for(Kind::Complaint, Some(StatutoryAdults), Some(1)).target,
            Some((WorkingDays(25), Receipt))
        );
        assert_eq!(
            rule_for(Kind::Complaint, Some(StatutoryChildren), Some(2)).limit,
            Some(Limit::FromReceipt(WorkingDays(65)))
        );
        assert_eq!(
            rule_for(Kind::Complaint, Some(Corporate), Some(2)).target,
            Some((WorkingDays(20), Acknowledgement))
        );
        assert_eq!(
            rule_for(Kind::Complaint, Some(Corporate), Some(3)).acknowledge,
            None
        );
        assert_eq!(
            rule_for(Kind::SeniorManagerReview, Some(StatutoryAdults), None).target,
            Some((Months(3), Receipt))
        );
        assert_eq!(
            rule_for(Kind::Dissatisfaction, Some(StatutoryAdults), None).target,
            Some((WorkingDays(25), Receipt))
        );
        for kind in [Kind::Compliment, Kind::Comment, Kind::Representation] {
            assert_eq!(rule_for(kind, None, None), NO_RULE);
        }
        for kind in [
            Kind::MpEnquiry,
            Kind::CouncillorEnquiry,
            Kind::Enquiry,
            Kind::InformalComplaint,
        ] {
            assert_eq!(
                rule_for(kind, None, None).target,
                Some((WorkingDays(10), Receipt))
            );
        }
    }

    #[test]
    fn adult_complaint_worked_example() {
        // Received Friday 20 December 2024: Christmas, Boxing Day and New
        // Year's Day are not working days. Acknowledge by the 3rd working day
        // (Tue 24, Fri 27, Mon 30 December); respond by the 25th working day;
        // the statutory limit is 6 calendar months.
        let c = clock(
            Kind::Complaint,
            Some(Procedure::StatutoryAdults),
            Some(1),
            received("2024-12-20"),
            "2025-01-10",
        );
        assert_eq!(c.acknowledgement_due_on, Some(d("2024-12-27")));
        assert_eq!(c.target_working_days, Some(25));
        assert_eq!(c.due_on, Some(d("2025-01-29")));
        assert_eq!(c.limit_on, Some(d("2025-06-20")));
        assert_eq!(c.overdue, Some(false));
        assert_eq!(c.within_target, None);
        assert_eq!(c.extended, Some(false));
    }

    #[test]
    fn responses_are_judged_against_the_target_and_the_limit() {
        let dates = Dates {
            responded_on: Some(d("2025-01-30")),
            ..received("2024-12-20")
        };
        let c = clock(
            Kind::Complaint,
            Some(Procedure::StatutoryAdults),
            Some(1),
            dates,
            "2025-03-01",
        );
        assert_eq!(c.working_days_taken, Some(26));
        assert_eq!(c.within_target, Some(false));
        assert_eq!(c.within_statutory_limit, Some(true));
        assert_eq!(c.overdue, Some(false));
        let dates = Dates {
            responded_on: Some(d("2025-01-29")),
            ..received("2024-12-20")
        };
        let c = clock(
            Kind::Complaint,
            Some(Procedure::StatutoryAdults),
            Some(1),
            dates,
            "2025-03-01",
        );
        assert_eq!(
            (c.working_days_taken, c.within_target),
            (Some(25), Some(true))
        );
    }

    #[test]
    fn an_agreed_extension_replaces_the_target() {
        let dates = Dates {
            extended_due_on: Some(d("2025-02-28")),
            responded_on: Some(d("2025-02-20")),
            ..received("2024-12-20")
        };
        let c = clock(
            Kind::Complaint,
            Some(Procedure::StatutoryAdults),
            Some(1),
            dates,
            "2025-03-01",
        );
        assert_eq!(c.target_due_on, Some(d("2025-01-29")));
        assert_eq!(c.due_on, Some(d("2025-02-28")));
        assert_eq!((c.within_target, c.extended), (Some(true), Some(true)));
    }

    #[test]
    fn corporate_targets_count_from_acknowledgement() {
        // Received Monday 3 March 2025; acknowledgement due on the 5th working
        // day (Mon 10 March); 10 working days after that is Mon 24 March.
        let c = clock(
            Kind::Complaint,
            Some(Procedure::Corporate),
            Some(1),
            received("2025-03-03"),
            "2025-03-05",
        );
        assert_eq!(c.acknowledgement_due_on, Some(d("2025-03-10")));
        assert_eq!(c.due_on, Some(d("2025-03-24")));
        assert_eq!(
            c.limit_on,
            Some(d("2025-04-07")),
            "an extension of 10 more working days"
        );
        // Acknowledged early, on Wednesday 5 March: due 19 March.
        let dates = Dates {
            acknowledged_on: Some(d("2025-03-05")),
            ..received("2025-03-03")
        };
        let c = clock(
            Kind::Complaint,
            Some(Procedure::Corporate),
            Some(1),
            dates,
            "2025-03-05",
        );
        assert_eq!(c.due_on, Some(d("2025-03-19")));
        // Stage 2 over Easter 2025 (Good Friday 18 April, Easter Monday 21 April).
        let dates = Dates {
            acknowledged_on: Some(d("2025-04-10")),
            ..received("2025-04-08")
        };
        let c = clock(
            Kind::Complaint,
            Some(Procedure::Corporate),
            Some(2),
            dates,
            "2025-04-10",
        );
        assert_eq!(
            c.due_on,
            Some(d("2025-05-13")),
            "20 working days, skipping Easter and the early May holiday"
        );
    }

    #[test]
    fn childrens_stages_and_their_extension_limits() {
        let c = clock(
            Kind::Complaint,
            Some(Procedure::StatutoryChildren),
            Some(1),
            received("2025-06-02"),
            "2025-06-02",
        );
        assert_eq!(c.due_on, Some(d("2025-06-16")));
        assert_eq!(c.limit_on, Some(d("2025-06-30")));
        let c = clock(
            Kind::Complaint,
            Some(Procedure::StatutoryChildren),
            Some(2),
            received("2025-06-02"),
            "2025-06-02",
        );
        assert_eq!(c.due_on, Some(d("2025-07-07")));
        assert_eq!(
            c.limit_on,
            Some(d("2025-09-02")),
            "65 working days, skipping the August bank holiday"
        );
        let c = clock(
            Kind::Complaint,
            Some(Procedure::StatutoryChildren),
            Some(3),
            received("2025-06-02"),
            "2025-06-02",
        );
        assert_eq!((c.target_working_days, c.limit_on), (Some(30), None));
    }

    #[test]
    fn senior_manager_reviews_take_three_calendar_months_clamped() {
        let c = clock(
            Kind::SeniorManagerReview,
            Some(Procedure::StatutoryAdults),
            None,
            received("2024-11-30"),
            "2024-12-01",
        );
        assert_eq!(c.due_on, Some(d("2025-02-28")));
        assert_eq!(c.target_working_days, None);
        let c = clock(
            Kind::SeniorManagerReview,
            Some(Procedure::StatutoryAdults),
            None,
            received("2023-11-30"),
            "2024-12-01",
        );
        assert_eq!(c.due_on, Some(d("2024-02-29")));
    }

    #[test]
    fn a_receipt_on_a_bank_holiday_counts_from_the_next_working_day() {
        // Received on Easter Monday 2025: the 1st working day is Tuesday 22 April.
        let c = clock(
            Kind::MpEnquiry,
            None,
            None,
            received("2025-04-21"),
            "2025-04-21",
        );
        assert_eq!(
            c.due_on,
            Some(d("2025-05-06")),
            "10 working days, skipping the early May holiday"
        );
    }

    #[test]
    fn overdue_means_open_and_past_the_due_date() {
        let c = clock(
            Kind::Enquiry,
            None,
            None,
            received("2025-06-02"),
            "2025-06-16",
        );
        assert_eq!((c.due_on, c.overdue), (Some(d("2025-06-16")), Some(false)));
        let c = clock(
            Kind::Enquiry,
            None,
            None,
            received("2025-06-02"),
            "2025-06-17",
        );
        assert_eq!(c.overdue, Some(true));
        let c = clock(
            Kind::Compliment,
            None,
            None,
            received("2025-06-02"),
            "2026-06-17",
        );
        assert_eq!(
            c,
            Timeliness {
                ..Timeliness::default()
            }
        );
    }

    #[test]
    fn extensions_must_extend_and_stay_within_the_limit() {
        let rule = rule_for(Kind::Complaint, Some(Procedure::StatutoryChildren), Some(1));
        let at = |ext: &str| Dates {
            extended_due_on: Some(d(ext)),
            ..received("2025-06-02")
        };
        assert_eq!(rule.extension_problem(&shipped(), &at("2025-06-30")), None);
        assert!(rule
            .extension_problem(&shipped(), &at("2025-07-01"))
            .unwrap()
            .contains("2025-06-30"));
        assert!(rule
            .extension_problem(&shipped(), &at("2025-06-16"))
            .unwrap()
            .contains("after the target"));
        let none = rule_for(Kind::Compliment, None, None);
        assert!(none
            .extension_problem(&shipped(), &at("2025-07-01"))
            .is_some());
        let adults = rule_for(Kind::Complaint, Some(Procedure::StatutoryAdults), Some(1));
        assert!(
            adults
                .extension_problem(&shipped(), &at("2025-12-03"))
                .is_some(),
            "beyond 6 months"
        );
        assert_eq!(
            adults.extension_problem(&shipped(), &at("2025-12-02")),
            None
        );
    }

    #[test]
    fn a_holiday_added_later_moves_the_due_date() {
        let rule = rule_for(Kind::Enquiry, None, None);
        let before = rule.clock(&shipped(), &received("2025-06-02"), d("2025-06-02"));
        let mut dates: Vec<NaiveDate> = holidays::shipped()
            .into_iter()
            .map(|(date, _)| date)
            .collect();
        dates.push(d("2025-06-10"));
        let after = rule.clock(
            &Calendar::new(dates),
            &received("2025-06-02"),
            d("2025-06-02"),
        );
        assert_eq!(before.due_on, Some(d("2025-06-16")));
        assert_eq!(after.due_on, Some(d("2025-06-17")));
    }
}
