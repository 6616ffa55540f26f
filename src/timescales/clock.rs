//! A record's clock: its milestones' due dates, its limit, and whether it
//! met them, under the rule in force on its day of receipt and the calendar
//! as it is now (see DOMAIN.md, "Working days and timescales").

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{months_beginning_with, Calendar};
use crate::timescales::rules::{Anchor, LimitFrom, Milestone, Rule, Span};

/// The dates of a record the clock depends on.
#[derive(Debug, Clone, Copy)]
pub struct Dates {
    /// The day it was received (day 0).
    pub received_on: NaiveDate,
    /// The day it was acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// The day the review panel met (children's stage 3).
    pub panel_held_on: Option<NaiveDate>,
    /// The day the review panel reported.
    pub panel_report_on: Option<NaiveDate>,
    /// Responded to.
    pub responded_on: Option<NaiveDate>,
    /// The agreed extended due date of the response.
    pub extended_due_on: Option<NaiveDate>,
    /// The day the extension was agreed.
    pub extension_agreed_on: Option<NaiveDate>,
}

impl Dates {
    /// A record received on `received_on` and nothing else yet.
    pub fn received(received_on: NaiveDate) -> Dates {
        Dates {
            received_on,
            acknowledged_on: None,
            panel_held_on: None,
            panel_report_on: None,
            responded_on: None,
            extended_due_on: None,
            extension_agreed_on: None,
        }
    }

    /// The day the record marks `milestone` done.
    pub fn done(&self, milestone: Milestone) -> Option<NaiveDate> {
        match milestone {
            Milestone::Acknowledgement => self.acknowledged_on,
            Milestone::PanelMeeting => self.panel_held_on,
            Milestone::PanelReport => self.panel_report_on,
            Milestone::Response => self.responded_on,
        }
    }
}

/// One milestone of a record's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct MilestoneClock {
    /// Which milestone: `acknowledgement`, `panel_meeting`, `panel_report`
    /// or `response`.
    pub name: Milestone,
    /// When it is due; for the response, the agreed extended date if there
    /// is one.
    pub due_on: NaiveDate,
    /// When it was done; null while it is not.
    pub done_on: Option<NaiveDate>,
    /// Whether it was done by `due_on`; null while it is not done.
    pub within: Option<bool>,
}

/// A record's clock, computed from the rules in force on its day of receipt
/// and the calendar as it is now (a bank holiday added later moves every due
/// date it touches). Each field is null where no rule applies to the record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Timeliness {
    /// When the acknowledgement is due (`YYYY-MM-DD`).
    pub acknowledgement_due_on: Option<NaiveDate>,
    /// The response's target in working days, counted from the day its
    /// rule names (receipt, acknowledgement or the panel's report); null when
    /// it is in calendar months, or there is none.
    pub target_working_days: Option<i32>,
    /// When the response was due before any extension: the fixed timescale
    /// that published reports count "outside N working days" against.
    pub original_due_on: Option<NaiveDate>,
    /// What is due next: for an open record, the due date of its next
    /// milestone on the way to the response (for a children's stage 3
    /// complaint, the panel meeting, then its report, then the response);
    /// once responded to, the response's due date. The agreed extended date
    /// replaces the response's.
    pub due_on: Option<NaiveDate>,
    /// The latest date the rules allow: the statutory limit, or the furthest
    /// an extension may go. For an adult social care complaint whose longer
    /// period was agreed on or before the six months expired, the agreed
    /// date.
    pub limit_on: Option<NaiveDate>,
    /// Working days from receipt (day 0) to the response.
    pub working_days_taken: Option<i32>,
    /// Once responded to: whether every milestone on the way to the response
    /// that has a date was met, and the response came by its due date (the
    /// agreed extended date where there is one). The acknowledgement is not
    /// counted.
    pub within_target: Option<bool>,
    /// Once responded to: the same against the original target, ignoring
    /// any extension.
    pub within_original_target: Option<bool>,
    /// Whether the response came by `limit_on`.
    pub within_statutory_limit: Option<bool>,
    /// Whether an extension was agreed.
    pub extended: Option<bool>,
    /// Not yet responded to, and today is after `due_on`.
    pub overdue: Option<bool>,
    /// Every milestone of the record's timescale, in order:
    /// `[{name, due_on, done_on, within}]`; empty where none applies.
    pub milestones: Vec<MilestoneClock>,
}

/// `from` plus `span`, on `calendar`.
pub fn add(calendar: &Calendar, from: NaiveDate, span: Span) -> NaiveDate {
    match span {
        Span::WorkingDays(n) => calendar.add_working_days(from, n),
        Span::Months(n) => months_beginning_with(from, n),
    }
}

/// The milestones' due dates, before any extension: each step counts from
/// the day its anchor was done, or while it is not, the day it was due.
fn schedule(rule: &Rule, calendar: &Calendar, dates: &Dates) -> Vec<MilestoneClock> {
    let received = dates.received_on;
    let mut milestones: Vec<MilestoneClock> = Vec::new();
    if let Some(n) = rule.acknowledge_working_days {
        milestones.push(milestone(
            Milestone::Acknowledgement,
            calendar.add_working_days(received, n),
            dates,
        ));
    }
    for step in &rule.steps {
        let from = match step.from {
            Anchor::Receipt => received,
            anchor => anchor
                .milestone()
                .and_then(|m| milestones.iter().find(|c| c.name == m))
                .map(|c| c.done_on.unwrap_or(c.due_on))
                .unwrap_or(received),
        };
        milestones.push(milestone(
            step.milestone,
            add(calendar, from, step.within),
            dates,
        ));
    }
    milestones
}

fn milestone(name: Milestone, due_on: NaiveDate, dates: &Dates) -> MilestoneClock {
    let done_on = dates.done(name);
    MilestoneClock {
        name,
        due_on,
        done_on,
        within: done_on.map(|done| done <= due_on),
    }
}

/// Whether every milestone after the acknowledgement that is done was done
/// in time, the response judged against `response_due`.
fn all_met(milestones: &[MilestoneClock], response_due: NaiveDate) -> bool {
    milestones
        .iter()
        .filter(|m| m.name != Milestone::Acknowledgement)
        .all(|m| match (m.name, m.done_on) {
            (Milestone::Response, Some(done)) => done <= response_due,
            _ => m.within != Some(false),
        })
}

impl Rule {
    /// The limit before any longer period agreed (`limit_on` as the rules
    /// set it), given the response's original target.
    fn base_limit(
        &self,
        calendar: &Calendar,
        received: NaiveDate,
        target: NaiveDate,
    ) -> Option<NaiveDate> {
        self.limit.map(|limit| match limit.from {
            LimitFrom::Receipt => add(calendar, received, limit.within),
            LimitFrom::Target => add(calendar, target, limit.within),
        })
    }

    /// The clock for `dates` under this rule, on `today`.
    pub fn clock(&self, calendar: &Calendar, dates: &Dates, today: NaiveDate) -> Timeliness {
        let mut milestones = schedule(self, calendar, dates);
        let acknowledgement_due_on = milestones
            .iter()
            .find(|m| m.name == Milestone::Acknowledgement)
            .map(|m| m.due_on);
        let Some(original) = milestones
            .iter()
            .find(|m| m.name == Milestone::Response)
            .map(|m| m.due_on)
        else {
            return Timeliness {
                acknowledgement_due_on,
                milestones,
                ..Timeliness::default()
            };
        };
        let response_due = dates.extended_due_on.unwrap_or(original);
        if let Some(response) = milestones
            .iter_mut()
            .find(|m| m.name == Milestone::Response)
        {
            *response = milestone(Milestone::Response, response_due, dates);
        }
        let limit_on = self.limit_on(calendar, dates, original);
        let responded = dates.responded_on;
        let next_due = milestones
            .iter()
            .filter(|m| m.name != Milestone::Acknowledgement)
            .find(|m| m.done_on.is_none())
            .map(|m| m.due_on);
        let due_on = match responded {
            Some(_) => response_due,
            None => next_due.unwrap_or(response_due),
        };
        Timeliness {
            acknowledgement_due_on,
            target_working_days: self.response().and_then(|step| match step.within {
                Span::WorkingDays(n) => i32::try_from(n).ok(),
                Span::Months(_) => None,
            }),
            original_due_on: Some(original),
            due_on: Some(due_on),
            limit_on,
            working_days_taken: responded.map(|r| {
                i32::try_from(calendar.working_days_between(dates.received_on, r))
                    .unwrap_or(i32::MAX)
            }),
            within_target: responded.map(|_| all_met(&milestones, response_due)),
            within_original_target: responded.map(|_| all_met(&milestones, original)),
            within_statutory_limit: limit_on.zip(responded).map(|(limit, r)| r <= limit),
            extended: Some(dates.extended_due_on.is_some()),
            overdue: Some(responded.is_none() && today > due_on),
            milestones,
        }
    }

    /// `limit_on`: the rules' limit, or for a longer period agreed on or
    /// before it expired, the agreed date.
    fn limit_on(
        &self,
        calendar: &Calendar,
        dates: &Dates,
        original: NaiveDate,
    ) -> Option<NaiveDate> {
        let base = self.base_limit(calendar, dates.received_on, original)?;
        let longer = self.limit.is_some_and(|l| l.longer_by_agreement);
        match (dates.extended_due_on, dates.extension_agreed_on) {
            (Some(extended), Some(agreed)) if longer && extended > base && agreed <= base => {
                Some(extended)
            }
            _ => Some(base),
        }
    }

    /// Why an agreed extension is not allowed, if it is not, as the field
    /// at fault and the reason: there must be a target to extend and a
    /// limit to extend within; the new date must be after the target; and it
    /// must not go beyond the limit, unless the rule allows a longer period
    /// agreed before the limit expired. An extension is never agreed after
    /// the limit.
    pub fn extension_problem(
        &self,
        calendar: &Calendar,
        dates: &Dates,
    ) -> Option<(&'static str, String)> {
        let extended = dates.extended_due_on?;
        let field = "extended_due_on";
        let original = schedule(self, calendar, dates)
            .iter()
            .find(|m| m.name == Milestone::Response)
            .map(|m| m.due_on);
        let Some(original) = original else {
            return Some((
                field,
                "cannot be set: no timescale applies to this kind of record".into(),
            ));
        };
        let Some(limit) = self.base_limit(calendar, dates.received_on, original) else {
            return Some((
                field,
                "cannot be set: the timescale of this kind of record allows no extension".into(),
            ));
        };
        if extended <= original {
            return Some((field, format!("must be after the target date, {original}")));
        }
        if dates
            .extension_agreed_on
            .is_some_and(|agreed| agreed > limit)
        {
            return Some((
                "extension_agreed_on",
                format!("is after the limit, {limit}: an extension must be agreed before the period expires"),
            ));
        }
        if extended <= limit {
            return None;
        }
        if !self.limit.is_some_and(|l| l.longer_by_agreement) {
            return Some((
                field,
                format!("is beyond the latest date the rules allow, {limit}"),
            ));
        }
        match dates.extension_agreed_on {
            Some(_) => None,
            None => Some((
                "extension_agreed_on",
                format!(
                    "is required for a period longer than the limit, {limit}: it must have been agreed on or before it"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::holidays;
    use crate::feedback::types::{Kind, Procedure};
    use crate::timescales::rules::Timescales;
    use crate::timescales::shipped;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn calendar() -> Calendar {
        Calendar::new(holidays::shipped().into_iter().map(|(date, _)| date))
    }

    fn rule(kind: Kind, procedure: Option<Procedure>, stage: Option<i32>, on: &str) -> Rule {
        let timescales: Timescales = shipped::timescales();
        timescales
            .rule_for(kind, procedure, stage, d(on))
            .cloned()
            .unwrap_or_else(|| Rule {
                kind,
                procedure,
                stage,
                acknowledge_working_days: None,
                steps: vec![],
                limit: None,
            })
    }

    fn adults(on: &str) -> Rule {
        rule(
            Kind::Complaint,
            Some(Procedure::StatutoryAdults),
            Some(1),
            on,
        )
    }

    fn received(on: &str) -> Dates {
        Dates::received(d(on))
    }

    #[test]
    fn adult_complaint_worked_example() {
        // Received Friday 20 December 2024: Christmas, Boxing Day and New
        // Year's Day are not working days. Acknowledge by the 3rd working day
        // (Tue 24, Fri 27, Mon 30 December); respond by the 25th working day;
        // the statutory limit is six months beginning with the day of
        // receipt, so it ends on 19 June 2025.
        let c = adults("2024-12-20").clock(&calendar(), &received("2024-12-20"), d("2025-01-10"));
        assert_eq!(c.acknowledgement_due_on, Some(d("2024-12-27")));
        assert_eq!(c.target_working_days, Some(25));
        assert_eq!(c.due_on, Some(d("2025-01-29")));
        assert_eq!(c.original_due_on, Some(d("2025-01-29")));
        assert_eq!(c.limit_on, Some(d("2025-06-19")));
        assert_eq!(c.overdue, Some(false));
        assert_eq!(c.within_target, None);
        assert_eq!(c.extended, Some(false));
        let names: Vec<Milestone> = c.milestones.iter().map(|m| m.name).collect();
        assert_eq!(names, vec![Milestone::Acknowledgement, Milestone::Response]);
    }

    #[test]
    fn six_months_from_the_last_day_of_august_end_in_february() {
        let c = adults("2024-08-31").clock(&calendar(), &received("2024-08-31"), d("2024-09-01"));
        assert_eq!(c.limit_on, Some(d("2025-02-28")));
        let c = adults("2025-07-14").clock(&calendar(), &received("2025-07-14"), d("2025-07-14"));
        assert_eq!(c.limit_on, Some(d("2026-01-13")));
    }

    #[test]
    fn responses_are_judged_against_the_target_and_the_limit() {
        let dates = Dates {
            responded_on: Some(d("2025-01-30")),
            ..received("2024-12-20")
        };
        let c = adults("2024-12-20").clock(&calendar(), &dates, d("2025-03-01"));
        assert_eq!(c.working_days_taken, Some(26));
        assert_eq!(c.within_target, Some(false));
        assert_eq!(c.within_original_target, Some(false));
        assert_eq!(c.within_statutory_limit, Some(true));
        assert_eq!(c.overdue, Some(false));
        let dates = Dates {
            responded_on: Some(d("2025-06-20")),
            ..received("2024-12-20")
        };
        let c = adults("2024-12-20").clock(&calendar(), &dates, d("2025-07-01"));
        assert_eq!(
            c.within_statutory_limit,
            Some(false),
            "a day past the six months"
        );
    }

    #[test]
    fn an_agreed_extension_replaces_the_target_and_the_original_is_kept() {
        let dates = Dates {
            extended_due_on: Some(d("2025-02-28")),
            responded_on: Some(d("2025-02-20")),
            ..received("2024-12-20")
        };
        let c = adults("2024-12-20").clock(&calendar(), &dates, d("2025-03-01"));
        assert_eq!(c.original_due_on, Some(d("2025-01-29")));
        assert_eq!(c.due_on, Some(d("2025-02-28")));
        assert_eq!((c.within_target, c.extended), (Some(true), Some(true)));
        assert_eq!(c.within_original_target, Some(false));
    }

    #[test]
    fn a_longer_period_agreed_before_the_six_months_becomes_the_limit() {
        let rule = adults("2025-02-03");
        let base = received("2025-02-03");
        // Six months beginning with 3 February 2025 end on 2 August.
        let longer = Dates {
            extended_due_on: Some(d("2025-10-31")),
            extension_agreed_on: Some(d("2025-08-02")),
            responded_on: Some(d("2025-10-30")),
            ..base
        };
        assert_eq!(rule.extension_problem(&calendar(), &longer), None);
        let c = rule.clock(&calendar(), &longer, d("2025-11-01"));
        assert_eq!(c.limit_on, Some(d("2025-10-31")));
        assert_eq!(c.within_statutory_limit, Some(true));
        assert_eq!(c.within_target, Some(true));
        assert_eq!(c.within_original_target, Some(false));
        // Agreed a day after the six months expired.
        let late = Dates {
            extension_agreed_on: Some(d("2025-08-03")),
            ..longer
        };
        let (field, message) = rule.extension_problem(&calendar(), &late).unwrap();
        assert_eq!(field, "extension_agreed_on");
        assert!(message.contains("2025-08-02"), "{message}");
        // Beyond the six months with no agreement date.
        let unknown = Dates {
            extension_agreed_on: None,
            ..longer
        };
        assert_eq!(
            rule.extension_problem(&calendar(), &unknown).unwrap().0,
            "extension_agreed_on"
        );
        // Within the six months, no agreement date is needed.
        let within = Dates {
            extended_due_on: Some(d("2025-08-01")),
            ..base
        };
        assert_eq!(rule.extension_problem(&calendar(), &within), None);
    }

    #[test]
    fn corporate_targets_count_from_acknowledgement() {
        // Received Monday 3 March 2025; acknowledgement due on the 5th working
        // day (Mon 10 March); 10 working days after that is Mon 24 March.
        let corporate = |stage| {
            rule(
                Kind::Complaint,
                Some(Procedure::Corporate),
                Some(stage),
                "2025-03-03",
            )
        };
        let c = corporate(1).clock(&calendar(), &received("2025-03-03"), d("2025-03-05"));
        assert_eq!(c.acknowledgement_due_on, Some(d("2025-03-10")));
        assert_eq!(c.due_on, Some(d("2025-03-24")));
        assert_eq!(
            c.limit_on,
            Some(d("2025-04-07")),
            "an extension of 10 more working days"
        );
        let dates = Dates {
            acknowledged_on: Some(d("2025-03-05")),
            ..received("2025-03-03")
        };
        let c = corporate(1).clock(&calendar(), &dates, d("2025-03-05"));
        assert_eq!(c.due_on, Some(d("2025-03-19")));
        // Stage 2 over Easter 2025 (Good Friday 18 April, Easter Monday 21 April).
        let dates = Dates {
            acknowledged_on: Some(d("2025-04-10")),
            ..received("2025-04-08")
        };
        let c = corporate(2).clock(&calendar(), &dates, d("2025-04-10"));
        assert_eq!(c.due_on, Some(d("2025-05-13")));
    }

    #[test]
    fn childrens_stages_and_their_extension_limits() {
        let children = |stage| {
            rule(
                Kind::Complaint,
                Some(Procedure::StatutoryChildren),
                Some(stage),
                "2025-06-02",
            )
        };
        let c = children(1).clock(&calendar(), &received("2025-06-02"), d("2025-06-02"));
        assert_eq!(
            (c.due_on, c.limit_on),
            (Some(d("2025-06-16")), Some(d("2025-06-30")))
        );
        let c = children(2).clock(&calendar(), &received("2025-06-02"), d("2025-06-02"));
        assert_eq!(
            (c.due_on, c.limit_on),
            (Some(d("2025-07-07")), Some(d("2025-09-02")))
        );
    }

    #[test]
    fn the_stage_three_panel_has_three_milestones() {
        // Requested Monday 2 June 2025: the panel meets within 30 working
        // days (Mon 14 July); it met on Wed 9 July, so it reports within 5
        // working days of that (Wed 16 July); it reported on Fri 18 July,
        // two days late, so the response is due 15 working days after that
        // (Fri 8 August).
        let stage3 = rule(
            Kind::Complaint,
            Some(Procedure::StatutoryChildren),
            Some(3),
            "2025-06-02",
        );
        let open = stage3.clock(&calendar(), &received("2025-06-02"), d("2025-06-03"));
        assert_eq!(
            open.due_on,
            Some(d("2025-07-14")),
            "next: the panel meeting"
        );
        assert_eq!(open.target_working_days, Some(15));
        assert_eq!(open.limit_on, None);
        let met = Dates {
            panel_held_on: Some(d("2025-07-09")),
            ..received("2025-06-02")
        };
        let c = stage3.clock(&calendar(), &met, d("2025-07-10"));
        assert_eq!(c.due_on, Some(d("2025-07-16")), "next: the report");
        let reported = Dates {
            panel_report_on: Some(d("2025-07-18")),
            ..met
        };
        let c = stage3.clock(&calendar(), &reported, d("2025-07-21"));
        assert_eq!(c.due_on, Some(d("2025-08-08")));
        assert_eq!(c.overdue, Some(false));
        let responded = Dates {
            responded_on: Some(d("2025-08-01")),
            ..reported
        };
        let c = stage3.clock(&calendar(), &responded, d("2025-08-02"));
        let within: Vec<Option<bool>> = c.milestones.iter().map(|m| m.within).collect();
        assert_eq!(within, vec![Some(true), Some(false), Some(true)]);
        assert_eq!(c.within_target, Some(false), "the report was late");
        assert!(
            stage3
                .extension_problem(
                    &calendar(),
                    &Dates {
                        extended_due_on: Some(d("2025-08-20")),
                        ..reported
                    }
                )
                .is_some(),
            "the panel's timescales allow no extension"
        );
    }

    #[test]
    fn senior_manager_reviews_take_three_months_beginning_with_receipt() {
        let review = |on| {
            rule(
                Kind::SeniorManagerReview,
                Some(Procedure::StatutoryAdults),
                None,
                on,
            )
        };
        let c = review("2024-11-30").clock(&calendar(), &received("2024-11-30"), d("2024-12-01"));
        assert_eq!(c.due_on, Some(d("2025-02-28")));
        assert_eq!(c.target_working_days, None);
        let c = review("2025-01-15").clock(&calendar(), &received("2025-01-15"), d("2025-01-16"));
        assert_eq!(c.due_on, Some(d("2025-04-14")));
    }

    #[test]
    fn overdue_means_open_and_past_the_due_date() {
        let enquiry = rule(Kind::Enquiry, None, None, "2025-06-02");
        let c = enquiry.clock(&calendar(), &received("2025-06-02"), d("2025-06-16"));
        assert_eq!((c.due_on, c.overdue), (Some(d("2025-06-16")), Some(false)));
        let c = enquiry.clock(&calendar(), &received("2025-06-02"), d("2025-06-17"));
        assert_eq!(c.overdue, Some(true));
        let compliment = rule(Kind::Compliment, None, None, "2025-06-02");
        let c = compliment.clock(&calendar(), &received("2025-06-02"), d("2026-06-17"));
        assert_eq!(c, Timeliness::default());
    }

    #[test]
    fn extensions_must_extend_and_stay_within_the_limit() {
        let stage1 = rule(
            Kind::Complaint,
            Some(Procedure::StatutoryChildren),
            Some(1),
            "2025-06-02",
        );
        let at = |ext: &str| Dates {
            extended_due_on: Some(d(ext)),
            ..received("2025-06-02")
        };
        assert_eq!(
            stage1.extension_problem(&calendar(), &at("2025-06-30")),
            None
        );
        assert!(stage1
            .extension_problem(&calendar(), &at("2025-07-01"))
            .unwrap()
            .1
            .contains("2025-06-30"));
        assert!(stage1
            .extension_problem(&calendar(), &at("2025-06-16"))
            .unwrap()
            .1
            .contains("after the target"));
        let mp = rule(Kind::MpEnquiry, None, None, "2025-06-02");
        assert_eq!(
            mp.extension_problem(&calendar(), &at("2025-06-30")),
            None,
            "10 more working days"
        );
        assert!(mp
            .extension_problem(&calendar(), &at("2025-07-01"))
            .is_some());
        let review = rule(
            Kind::SeniorManagerReview,
            Some(Procedure::StatutoryAdults),
            None,
            "2025-06-02",
        );
        assert!(review
            .extension_problem(&calendar(), &at("2025-09-30"))
            .unwrap()
            .1
            .contains("no extension"));
    }

    #[test]
    fn a_holiday_added_later_moves_the_due_date() {
        let enquiry = rule(Kind::Enquiry, None, None, "2025-06-02");
        let before = enquiry.clock(&calendar(), &received("2025-06-02"), d("2025-06-02"));
        let mut dates: Vec<NaiveDate> = holidays::shipped()
            .into_iter()
            .map(|(date, _)| date)
            .collect();
        dates.push(d("2025-06-10"));
        let after = enquiry.clock(
            &Calendar::new(dates),
            &received("2025-06-02"),
            d("2025-06-02"),
        );
        assert_eq!(before.due_on, Some(d("2025-06-16")));
        assert_eq!(after.due_on, Some(d("2025-06-17")));
    }
}
