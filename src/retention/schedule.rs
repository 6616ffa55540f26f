//! The retention schedule: its rules, the shipped defaults, and the
//! council's own, kept as one audited document.

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor};
use crate::db::schema::retention_schedule;
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::feedback::types::{Kind, Procedure};
use crate::text_enum;
use crate::validation::Validate;

/// The audit log's name for the schedule.
pub const ENTITY: &str = "retention_schedule";

text_enum! {
    /// What a rule keeps.
    pub enum RetainedEntity {
        /// Feedback records.
        Feedback => "feedback",
        /// Ombudsman cases.
        OmbudsmanCase => "ombudsman_case",
        /// Service improvements.
        ServiceImprovement => "service_improvement",
        /// Documents attached to records and cases.
        Document => "document",
    }
}

text_enum! {
    /// What becomes of a record when its time is up.
    pub enum RetentionAction {
        /// Personal data, free text, contact entries and documents go; the
        /// fields the statistics count stay, so published figures do not
        /// change.
        Anonymise => "anonymise",
        /// Everything goes; the statistics of the years it counted in
        /// change.
        Delete => "delete",
    }
}

/// One rule of the schedule. The most specific rule that fits a record
/// applies (the one naming the most of directorate, kind and procedure);
/// among equals, the first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    /// What it keeps.
    pub entity: RetainedEntity,
    /// Only records of this directorate; null: every directorate.
    #[serde(default)]
    pub directorate: Option<String>,
    /// Only feedback of this kind; null: every kind.
    #[serde(default)]
    pub kind: Option<Kind>,
    /// Only feedback under this procedure; null: any.
    #[serde(default)]
    pub procedure: Option<Procedure>,
    /// Years after closure (0 to 100).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, example = 6)]
    pub years: u32,
    /// Months after closure, added to the years (0 to 11).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 11)]
    pub months: u32,
    /// For feedback: kept until the complainant's birthday of this age
    /// where their `date_of_birth` is recorded (children's records, until
    /// the young person is 25); a record without one follows the period.
    #[serde(default)]
    #[schema(minimum = 16, maximum = 100, example = 25)]
    pub until_age: Option<u32>,
    /// `anonymise` or `delete`.
    pub action: RetentionAction,
}

impl RetentionRule {
    fn new(entity: RetainedEntity, years: u32, action: RetentionAction) -> RetentionRule {
        RetentionRule {
            entity,
            directorate: None,
            kind: None,
            procedure: None,
            years,
            months: 0,
            until_age: None,
            action,
        }
    }

    /// How many of directorate, kind and procedure it names.
    pub fn specificity(&self) -> usize {
        usize::from(self.directorate.is_some())
            + usize::from(self.kind.is_some())
            + usize::from(self.procedure.is_some())
    }

    /// The period after closure, in months.
    pub fn months_after_closure(&self) -> u32 {
        self.years * 12 + self.months
    }

    /// The day a record closed on `closed_on` (with the complainant born on
    /// `born_on`) is due.
    pub fn due_on(&self, closed_on: NaiveDate, born_on: Option<NaiveDate>) -> NaiveDate {
        let birthday = self
            .until_age
            .zip(born_on)
            .and_then(|(age, born)| born.checked_add_months(Months::new(age * 12)));
        match birthday {
            Some(birthday) => birthday.max(closed_on),
            None => closed_on
                .checked_add_months(Months::new(self.months_after_closure()))
                .unwrap_or(NaiveDate::MAX),
        }
    }

    /// What it does, in words, with what the action means for the figures.
    pub fn describe(&self) -> String {
        let what = match self.entity {
            RetainedEntity::Feedback => "Feedback records",
            RetainedEntity::OmbudsmanCase => "Ombudsman cases",
            RetainedEntity::ServiceImprovement => "Service improvements",
            RetainedEntity::Document => "Documents",
        };
        let mut scope = Vec::new();
        if let Some(kind) = self.kind {
            scope.push(format!("of kind {}", kind.as_str()));
        }
        if let Some(procedure) = self.procedure {
            scope.push(format!("under the {} procedure", procedure.as_str()));
        }
        if let Some(directorate) = &self.directorate {
            scope.push(format!("of the directorate {directorate}"));
        }
        let period = match (self.years, self.months) {
            (0, 0) => "on closure".to_string(),
            (y, 0) => format!("{y} year{} after closure", if y == 1 { "" } else { "s" }),
            (0, m) => format!("{m} month{} after closure", if m == 1 { "" } else { "s" }),
            (y, m) => format!("{y} years and {m} months after closure"),
        };
        let period = match self.until_age {
            Some(age) => format!(
                "on the complainant's {age}th birthday where their date of birth is recorded (and not before closure), otherwise {period}"
            ),
            None => period,
        };
        let closure = if self.entity == RetainedEntity::Document {
            " of the record they are attached to"
        } else {
            ""
        };
        let consequence = match (self.entity, self.action) {
            (RetainedEntity::Document, _) => {
                "the document and its file are deleted; no figure changes"
            }
            (_, RetentionAction::Anonymise) => {
                "personal data, free text, contact entries and documents go; the fields the statistics count stay, so published figures do not change"
            }
            (_, RetentionAction::Delete) => {
                "everything goes, and the statistics of the years the records counted in change"
            }
        };
        let scope = if scope.is_empty() {
            String::new()
        } else {
            format!(" {}", scope.join(", "))
        };
        let verb = match self.action {
            RetentionAction::Anonymise => "anonymised",
            RetentionAction::Delete => "deleted",
        };
        format!("{what}{scope}: {verb} {period}{closure}; {consequence}.")
    }
}

/// The shipped schedule: everything anonymised (documents deleted) six
/// years after closure; children's records kept until the young person's
/// 25th birthday where their date of birth is recorded.
pub fn shipped() -> Vec<RetentionRule> {
    use RetainedEntity::*;
    use RetentionAction::*;
    vec![
        RetentionRule::new(Feedback, 6, Anonymise),
        RetentionRule {
            procedure: Some(Procedure::StatutoryChildren),
            until_age: Some(25),
            ..RetentionRule::new(Feedback, 6, Anonymise)
        },
        RetentionRule::new(OmbudsmanCase, 6, Anonymise),
        RetentionRule::new(ServiceImprovement, 6, Anonymise),
        RetentionRule::new(Document, 6, Delete),
    ]
}

/// The body of `PUT /retention`: the whole schedule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// The rules (1 to 100).
    #[schema(min_items = 1, max_items = 100)]
    pub rules: Vec<RetentionRule>,
}

impl crate::http::json::RequestBody for ScheduleInput {}

impl Validate for ScheduleInput {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        if self.rules.is_empty() || self.rules.len() > 100 {
            errors.add("rules", "must have 1 to 100 rules");
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let at = |field: &str| format!("rules[{i}].{field}");
            if rule.years > 100 {
                errors.add(at("years"), "must be at most 100");
            }
            if rule.months > 11 {
                errors.add(at("months"), "must be from 0 to 11");
            }
            let feedback_only = rule.entity != RetainedEntity::Feedback;
            if feedback_only && rule.kind.is_some() {
                errors.add(at("kind"), "applies to feedback rules only");
            }
            if feedback_only && rule.procedure.is_some() {
                errors.add(at("procedure"), "applies to feedback rules only");
            }
            if feedback_only && rule.until_age.is_some() {
                errors.add(at("until_age"), "applies to feedback rules only");
            }
            if rule.until_age.is_some_and(|age| !(16..=100).contains(&age)) {
                errors.add(at("until_age"), "must be from 16 to 100");
            }
            if rule.entity == RetainedEntity::Document && rule.action == RetentionAction::Anonymise
            {
                errors.add(at("action"), "documents are deleted: use `delete`");
            }
        }
    }
}

/// A rule with its description.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    /// The rule.
    #[serde(flatten)]
    pub rule: RetentionRule,
    /// What it does, and what its action means for the published figures.
    pub description: String,
}

/// The schedule in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Schedule {
    /// Its rules, each described.
    pub rules: Vec<RuleView>,
    /// `shipped`, or `custom`: the council's own.
    #[schema(example = "shipped")]
    pub source: String,
    /// Version (the `ETag`); 0 for the shipped schedule.
    pub version: i64,
    /// When the council's schedule was saved; null for the shipped one.
    pub updated_at: Option<DateTime<Utc>>,
    /// Who saved it; null for the shipped one.
    pub updated_by: Option<String>,
}

/// The rules in force, and the schedule as the API shows it.
pub fn load(conn: &mut DbConnection) -> Result<(Vec<RetentionRule>, Schedule), ApiError> {
    let row: Option<(String, i64, NaiveDateTime, String)> = retention_schedule::table
        .find(1)
        .select((
            retention_schedule::rules,
            retention_schedule::version,
            retention_schedule::updated_at,
            retention_schedule::updated_by,
        ))
        .first(conn)
        .optional()?;
    let (rules, source, version, updated_at, updated_by) = match row {
        Some((rules, version, at, by)) => (
            serde_json::from_str(&rules)?,
            "custom",
            version,
            Some(at.and_utc()),
            Some(by),
        ),
        None => (shipped(), "shipped", 0, None, None),
    };
    let schedule = Schedule {
        rules: describe(&rules),
        source: source.into(),
        version,
        updated_at,
        updated_by,
    };
    Ok((rules, schedule))
}

fn describe(rules: &[RetentionRule]) -> Vec<RuleView> {
    rules
        .iter()
        .map(|rule| RuleView {
            rule: rule.clone(),
            description: rule.describe(),
        })
        .collect()
}

/// Save the council's schedule as `actor` (422 for a directorate that does
/// not exist; 412 unless `precondition` holds); audited.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &ScheduleInput,
    precondition: &crate::db::precondition::Precondition,
) -> Result<Schedule, ApiError> {
    crate::db::lock_row(conn, "retention_schedule", 1)?;
    let (before, current) = load(conn)?;
    precondition.check(current.version)?;
    let mut errors = FieldErrors::new();
    for (i, rule) in input.rules.iter().enumerate() {
        if let Some(code) = &rule.directorate {
            if !crate::directorates::model::exists(conn, code)? {
                errors.add(format!("rules[{i}].directorate"), "is not a directorate");
            }
        }
    }
    errors.into_result()?;
    let rules = serde_json::to_string(&input.rules)?;
    let version = current.version + 1;
    let values = (
        retention_schedule::rules.eq(&rules),
        retention_schedule::version.eq(version),
        retention_schedule::updated_at.eq(now()),
        retention_schedule::updated_by.eq(&actor.username),
    );
    if current.version == 0 {
        diesel::insert_into(retention_schedule::table)
            .values((retention_schedule::id.eq(1), values))
            .execute(conn)?;
    } else {
        diesel::update(retention_schedule::table.find(1))
            .set(values)
            .execute(conn)?;
    }
    let changes = audit::diff(
        &serde_json::json!({"rules": before}),
        &serde_json::json!({"rules": input.rules}),
    );
    audit::record(conn, actor, ENTITY, "1", Action::Update, &changes)?;
    Ok(load(conn)?.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_rule_falls_due_after_its_period_or_on_the_birthday() {
        let rules = shipped();
        assert_eq!(rules[0].due_on(d("2020-02-29"), None), d("2026-02-28"));
        let children = &rules[1];
        assert_eq!(
            children.due_on(d("2020-05-01"), Some(d("2008-03-15"))),
            d("2033-03-15")
        );
        assert_eq!(children.due_on(d("2020-05-01"), None), d("2026-05-01"));
        // Closed after the birthday: due on closure.
        assert_eq!(
            children.due_on(d("2034-01-10"), Some(d("2008-03-15"))),
            d("2034-01-10")
        );
    }

    #[test]
    fn descriptions_say_what_the_action_does_to_the_figures() {
        let rules = shipped();
        assert!(rules[0]
            .describe()
            .contains("published figures do not change"));
        assert!(rules[1].describe().contains("25th birthday"));
        let delete = RetentionRule::new(RetainedEntity::Feedback, 2, RetentionAction::Delete);
        assert!(
            delete.describe().contains("statistics of the years"),
            "{}",
            delete.describe()
        );
    }
}
