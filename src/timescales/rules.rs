//! The timescales as data: what each kind of record must do by when
//! ([`Rule`]), and the sets of rules in force from a date
//! ([`TimescaleVersion`], [`Timescales`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldErrors;
use crate::feedback::types::{Kind, Procedure};
use crate::text_enum;

/// A length of time: `{"working_days": 25}` or `{"months": 6}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Span {
    /// Working days: due on the N-th working day after the day counted from
    /// (that day is day 0).
    WorkingDays(u32),
    /// Calendar months *beginning with* the day counted from: the period
    /// ends the day before the corresponding date, or on the last day of a
    /// month that has none (DOMAIN.md, "Working days and timescales").
    Months(u32),
}

text_enum! {
    /// A step of a record's timescale, and the record's date that marks it
    /// done.
    pub enum Milestone {
        /// Acknowledged (`acknowledged_on`).
        Acknowledgement => "acknowledgement",
        /// The children's stage 3 review panel met (`panel_held_on`).
        PanelMeeting => "panel_meeting",
        /// The review panel reported (`panel_report_on`).
        PanelReport => "panel_report",
        /// The council responded (`responded_on`).
        Response => "response",
    }
}

text_enum! {
    /// What a step is counted from.
    pub enum Anchor {
        /// The day the record was received.
        Receipt => "receipt",
        /// The day it was acknowledged, or while it is not, the day the
        /// acknowledgement was due.
        Acknowledgement => "acknowledgement",
        /// The day the review panel met, or while it has not, the day it was
        /// due to.
        PanelMeeting => "panel_meeting",
        /// The day the review panel reported, or while it has not, the day
        /// it was due to.
        PanelReport => "panel_report",
    }
}

impl Anchor {
    /// The milestone the anchor is, if it is one.
    pub fn milestone(self) -> Option<Milestone> {
        match self {
            Anchor::Receipt => None,
            Anchor::Acknowledgement => Some(Milestone::Acknowledgement),
            Anchor::PanelMeeting => Some(Milestone::PanelMeeting),
            Anchor::PanelReport => Some(Milestone::PanelReport),
        }
    }
}

/// One step on the way to the response: done within `within` of `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The step (`panel_meeting`, `panel_report` or `response`).
    pub milestone: Milestone,
    /// How long it may take.
    pub within: Span,
    /// What it counts from.
    pub from: Anchor,
}

text_enum! {
    /// What the limit counts from.
    pub enum LimitFrom {
        /// The day the record was received.
        Receipt => "receipt",
        /// The response's target date (an extension of N more working days).
        Target => "target",
    }
}

/// The latest date the rules allow (`limit_on`): how far an agreed extension
/// may move the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// How long.
    pub within: Span,
    /// Counted from.
    pub from: LimitFrom,
    /// A longer period may be agreed before the limit expires: the adult
    /// social care Regulations' "such longer period as may be agreed before
    /// the expiry of that period" (regulation 14(2)). The agreed date then
    /// becomes the limit.
    #[serde(default)]
    pub longer_by_agreement: bool,
}

/// The timescale of one kind of record (and procedure and stage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The kind of record.
    pub kind: Kind,
    /// The procedure; null matches any.
    #[serde(default)]
    pub procedure: Option<Procedure>,
    /// The stage (complaints only), 1 to 3; null matches any.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3)]
    pub stage: Option<i32>,
    /// Working days from receipt to acknowledge in; null: no acknowledgement
    /// timescale.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365)]
    pub acknowledge_working_days: Option<u32>,
    /// The steps to the response, in order, the last being `response`;
    /// empty: no timescale (compliments, for instance).
    #[serde(default)]
    pub steps: Vec<Step>,
    /// The latest date the rules allow; null: no extension may be agreed.
    #[serde(default)]
    pub limit: Option<Limit>,
}

impl Rule {
    /// The response step, if the rule has a timescale.
    pub fn response(&self) -> Option<&Step> {
        self.steps
            .last()
            .filter(|step| step.milestone == Milestone::Response)
    }

    /// Whether the rule applies to a record of this kind, procedure and stage.
    fn matches(&self, kind: Kind, procedure: Option<Procedure>, stage: Option<i32>) -> bool {
        self.kind == kind
            && self.procedure.is_none_or(|p| Some(p) == procedure)
            && self.stage.is_none_or(|s| Some(s) == stage)
    }

    /// How closely the rule names a record: a procedure and stage beat a
    /// procedure, which beats neither.
    fn specificity(&self) -> u8 {
        u8::from(self.procedure.is_some()) * 2 + u8::from(self.stage.is_some())
    }

    /// Add what is wrong with the rule at `at` (e.g. `rules[3]`) to `errors`.
    fn check(&self, at: &str, errors: &mut FieldErrors) {
        let field = |name: &str| format!("{at}.{name}");
        match (self.kind, self.stage) {
            (Kind::Complaint, Some(stage)) if !(1..=3).contains(&stage) => {
                errors.add(field("stage"), "must be from 1 to 3");
            }
            (Kind::Complaint, _) if self.procedure.is_none() => {
                errors.add(field("procedure"), "is required for a complaint's rule");
            }
            (kind, Some(_)) if kind != Kind::Complaint => {
                errors.add(field("stage"), "only complaints have stages");
            }
            _ => {}
        }
        if self
            .acknowledge_working_days
            .is_some_and(|n| !(1..=365).contains(&n))
        {
            errors.add(field("acknowledge_working_days"), "must be from 1 to 365");
        }
        self.check_steps(at, errors);
        if let Some(limit) = &self.limit {
            if self.steps.is_empty() {
                errors.add(field("limit"), "needs steps: there is no target to extend");
            }
            check_span(&field("limit.within"), limit.within, errors);
            if limit.from == LimitFrom::Target && matches!(limit.within, Span::Months(_)) {
                errors.add(
                    field("limit.within"),
                    "must be in working days when counted from the target",
                );
            }
        }
    }

    fn check_steps(&self, at: &str, errors: &mut FieldErrors) {
        let mut seen: Vec<Milestone> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let field = |name: &str| format!("{at}.steps[{i}].{name}");
            check_span(&field("within"), step.within, errors);
            let last = i + 1 == self.steps.len();
            match step.milestone {
                Milestone::Acknowledgement => errors.add(
                    field("milestone"),
                    "acknowledgement is set by acknowledge_working_days, not as a step",
                ),
                Milestone::Response if !last => {
                    errors.add(field("milestone"), "response must be the last step")
                }
                milestone if last && milestone != Milestone::Response => {
                    errors.add(field("milestone"), "the last step must be response")
                }
                milestone if seen.contains(&milestone) => {
                    errors.add(field("milestone"), "appears twice")
                }
                _ => {}
            }
            let known = match step.from.milestone() {
                None => true,
                Some(Milestone::Acknowledgement) => self.acknowledge_working_days.is_some(),
                Some(milestone) => seen.contains(&milestone),
            };
            if !known {
                errors.add(
                    field("from"),
                    "must be receipt, acknowledgement (with acknowledge_working_days) or an earlier step",
                );
            }
            seen.push(step.milestone);
        }
    }
}

fn check_span(at: &str, span: Span, errors: &mut FieldErrors) {
    match span {
        Span::WorkingDays(n) if !(1..=365).contains(&n) => {
            errors.add(at, "working_days must be from 1 to 365")
        }
        Span::Months(n) if !(1..=24).contains(&n) => errors.add(at, "months must be from 1 to 24"),
        _ => {}
    }
}

/// The rules in force from a date: every record received on or after
/// `effective_from`, and before the next version's, is measured by them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimescaleVersion {
    /// The first day of receipt the rules apply to (`YYYY-MM-DD`). The
    /// earliest version also applies to anything received before it.
    pub effective_from: NaiveDate,
    /// The rules: a record takes the rule that names its kind, procedure and
    /// stage most closely; a kind with no rule has no timescale, and a
    /// complaint whose procedure and stage have none cannot be recorded.
    pub rules: Vec<Rule>,
}

/// Check a set of rules: each valid, and no two for the same kind,
/// procedure and stage.
pub fn check_rules(rules: &[Rule], errors: &mut FieldErrors) {
    if rules.len() > 200 {
        errors.add("rules", "must list at most 200 rules");
        return;
    }
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("rules[{i}]");
        rule.check(&at, errors);
        let twice = rules[..i]
            .iter()
            .any(|r| (r.kind, r.procedure, r.stage) == (rule.kind, rule.procedure, rule.stage));
        if twice {
            errors.add(at, "another rule names the same kind, procedure and stage");
        }
    }
}

/// Every version of the timescales, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timescales {
    versions: Vec<TimescaleVersion>,
}

impl Timescales {
    /// The versions, in any order.
    pub fn new(mut versions: Vec<TimescaleVersion>) -> Timescales {
        versions.sort_by_key(|v| v.effective_from);
        Timescales { versions }
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> &[TimescaleVersion] {
        &self.versions
    }

    /// The version in force for a record received on `received_on`: the
    /// latest that starts on or before it (the earliest, for anything
    /// received before every version).
    pub fn in_force(&self, received_on: NaiveDate) -> Option<&TimescaleVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= received_on)
            .or(self.versions.first())
    }

    /// The rule for a record, if one applies.
    pub fn rule_for(
        &self,
        kind: Kind,
        procedure: Option<Procedure>,
        stage: Option<i32>,
        received_on: NaiveDate,
    ) -> Option<&Rule> {
        self.in_force(received_on)?
            .rules
            .iter()
            .filter(|rule| rule.matches(kind, procedure, stage))
            .max_by_key(|rule| rule.specificity())
    }

    /// Whether a complaint of `procedure` may be at `stage` when received on
    /// `received_on`: the rules in force name that stage.
    pub fn has_stage(&self, procedure: Procedure, stage: i32, received_on: NaiveDate) -> bool {
        self.rule_for(Kind::Complaint, Some(procedure), Some(stage), received_on)
            .is_some()
    }

    /// The stages of `procedure` that the rules in force on `received_on`
    /// name, in order.
    pub fn stages(&self, procedure: Procedure, received_on: NaiveDate) -> Vec<i32> {
        (1..=3)
            .filter(|stage| self.has_stage(procedure, *stage, received_on))
            .collect()
    }

    /// The first day after the version that starts on `effective_from`
    /// (the next version's start), if a later version exists.
    pub fn next_start(&self, effective_from: NaiveDate) -> Option<NaiveDate> {
        self.versions
            .iter()
            .map(|v| v.effective_from)
            .find(|d| *d > effective_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timescales::shipped;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_most_specific_rule_applies() {
        let timescales = shipped::timescales();
        let rule = timescales
            .rule_for(
                Kind::Dissatisfaction,
                Some(Procedure::StatutoryAdults),
                None,
                d("2025-01-01"),
            )
            .unwrap();
        assert_eq!(rule.kind, Kind::Dissatisfaction);
        assert!(timescales
            .rule_for(Kind::Compliment, None, None, d("2025-01-01"))
            .is_none());
    }

    #[test]
    fn corporate_stage_three_ends_with_the_complaint_handling_code() {
        let timescales = shipped::timescales();
        let corporate = Procedure::Corporate;
        assert_eq!(timescales.stages(corporate, d("2026-03-31")), vec![1, 2, 3]);
        assert_eq!(timescales.stages(corporate, d("2026-04-01")), vec![1, 2]);
        assert_eq!(timescales.stages(corporate, d("2001-01-01")), vec![1, 2, 3]);
        assert_eq!(
            timescales.stages(Procedure::StatutoryAdults, d("2027-01-01")),
            vec![1]
        );
        assert_eq!(
            timescales.stages(Procedure::StatutoryChildren, d("2027-01-01")),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn the_shipped_rules_are_valid() {
        for version in shipped::versions() {
            let mut errors = FieldErrors::new();
            check_rules(&version.rules, &mut errors);
            assert!(errors.is_empty(), "{}: {errors:?}", version.effective_from);
        }
    }

    #[test]
    fn bad_rules_are_named_field_by_field() {
        let response = Step {
            milestone: Milestone::Response,
            within: Span::WorkingDays(10),
            from: Anchor::PanelMeeting,
        };
        let rules = vec![
            Rule {
                kind: Kind::Complaint,
                procedure: None,
                stage: Some(4),
                acknowledge_working_days: Some(0),
                steps: vec![response, response],
                limit: Some(Limit {
                    within: Span::Months(2),
                    from: LimitFrom::Target,
                    longer_by_agreement: false,
                }),
            },
            Rule {
                kind: Kind::Enquiry,
                procedure: None,
                stage: Some(1),
                acknowledge_working_days: None,
                steps: vec![],
                limit: None,
            },
            Rule {
                kind: Kind::Enquiry,
                procedure: None,
                stage: Some(1),
                acknowledge_working_days: None,
                steps: vec![Step {
                    within: Span::Months(0),
                    ..response
                }],
                limit: None,
            },
        ];
        let mut errors = FieldErrors::new();
        check_rules(&rules, &mut errors);
        for expected in [
            "rules[0].stage",
            "rules[0].acknowledge_working_days",
            "rules[0].steps[0].milestone",
            "rules[0].steps[0].from",
            "rules[0].limit.within",
            "rules[1].stage",
            "rules[2].steps[0].within",
            "rules[2]",
        ] {
            assert!(errors.has(expected), "{expected} in {errors:?}");
        }
    }
}
