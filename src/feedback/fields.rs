//! The writable fields of a feedback record: the body of `POST /feedback`,
//! the shape a merge patch is applied to, and what the database stores.
//! The checks that need no database live here too.

use chrono::NaiveDate;
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::redaction::REDACTED;
use crate::db::json::Json;
use crate::db::schema::feedback;
use crate::error::FieldErrors;
use crate::feedback::types::{
    Channel, Kind, Outcome, Procedure, RefusalReason, Relationship, RemedyKind,
};
use crate::http::json::RequestBody;
use crate::validation::{
    check_length, Validate, MAX_LONG_TEXT, MAX_MEDIUM_TEXT, MAX_PENCE, MAX_SHORT_TEXT,
};

/// The person who gave the feedback (personal data: analysts never see it).
/// Stored as JSON text in one column.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(deny_unknown_fields)]
pub struct Complainant {
    /// The person's full name.
    #[serde(default)]
    #[schema(max_length = 200, example = "Mrs A Example")]
    pub name: Option<String>,
    /// The person's email address (`[redacted]` once redacted).
    #[serde(default)]
    #[schema(max_length = 320, example = "a.example@example.org")]
    pub email: Option<String>,
    /// The person's telephone number, as given.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    /// The person's postal address, as given.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub address: Option<String>,
    /// Who they are to the person the feedback is about.
    #[serde(default)]
    pub relationship: Option<Relationship>,
    /// The complainant's date of birth (`YYYY-MM-DD`), where recorded: a
    /// young person's record is kept until their 25th birthday under the
    /// shipped retention schedule. Personal data: cleared by redaction.
    #[serde(default)]
    pub date_of_birth: Option<chrono::NaiveDate>,
    /// Whether the complainant is a child or young person.
    #[serde(default)]
    pub is_young_person: Option<bool>,
    /// Whether an advocate helped them make it.
    #[serde(default)]
    pub advocate_assisted: Option<bool>,
}

crate::json_text!(Complainant);

/// Something the council did to put things right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Remedy {
    /// What kind of remedy.
    pub kind: RemedyKind,
    /// What exactly was done (free text); null if not recorded.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Any payment, in pence.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, example = 20000)]
    pub amount_pence: Option<i64>,
    /// When it was agreed.
    #[serde(default)]
    pub agreed_on: Option<NaiveDate>,
    /// When it was promised by; the statistics count a remedy done after
    /// it as delivered late.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// When it was done.
    #[serde(default)]
    pub completed_on: Option<NaiveDate>,
}

/// A feedback record as written: the body of `POST /feedback`, the fields a
/// merge patch changes, and the row's columns of the same names (one
/// declaration for all three; the clock and search columns derived from it
/// are the model's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "directorate": "adults", "kind": "complaint", "procedure": "statutory_adults", "stage": 1,
    "category": "Charging", "summary": "The care charge was worked out on the wrong income.",
    "channel": "email", "received_on": "2026-11-02",
    "complainant": {"name": "Mrs A Example", "email": "a.example@example.org", "relationship": "self"},
    "external_ref": "CRM-48213"
}))]
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
// None is inserted as NULL, not as DEFAULT (every such column is nullable,
// without a default). The insert's SQL is then the same for every record, so
// diesel keeps its prepared statement by the query's type instead of writing
// the SQL again for every insert (see feedback::model::bulk_insert).
#[diesel(
    table_name = feedback,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub struct FeedbackInput {
    /// The directorate the record belongs to.
    #[schema(example = "adults")]
    pub directorate: String,
    /// What kind of feedback it is.
    pub kind: Kind,
    /// The complaints procedure: required for `complaint`, `dissatisfaction`
    /// and `senior_manager_review` (the last two: `statutory_adults`), and
    /// only for them.
    pub procedure: Option<Procedure>,
    /// The stage: required for `complaint` and only for it (1 for
    /// `statutory_adults`; 1 to 3 otherwise).
    #[schema(minimum = 1, maximum = 3)]
    pub stage: Option<i32>,
    /// The service the feedback is about.
    #[schema(max_length = 200, example = "Financial Assessments")]
    pub service_area: Option<String>,
    /// The team responsible.
    #[schema(max_length = 200, example = "Statutory Assessment Team")]
    pub team: Option<String>,
    /// The main reason; required once a complaint, dissatisfaction or senior
    /// manager review is responded to.
    #[schema(max_length = 200, example = "Charging")]
    pub category: Option<String>,
    /// The reason in more detail (needs a `category`).
    #[schema(max_length = 200, example = "Outcome of financial assessment")]
    pub sub_category: Option<String>,
    /// Themes (e.g. `communication`), at most 50 of at most 100 characters.
    #[serde(default)]
    #[schema(max_items = 50, max_length = 100)]
    #[diesel(serialize_as = Json<Vec<String>>, deserialize_as = Json<Vec<String>>)]
    pub themes: Vec<String>,
    /// What the feedback says.
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// How it arrived.
    pub channel: Option<Channel>,
    /// Who gave it (personal data).
    #[serde(default)]
    pub complainant: Option<Complainant>,
    /// The day it was received: day 0 of every timescale.
    pub received_on: NaiveDate,
    /// The day it was acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// The day the review panel met: children's stage 3 complaints only
    /// (the panel meets within 30 working days of the request).
    #[serde(default)]
    pub panel_held_on: Option<NaiveDate>,
    /// The day the review panel reported: children's stage 3 complaints
    /// only, not before `panel_held_on` (within 5 working days of meeting;
    /// the council responds within 15 working days of the report).
    #[serde(default)]
    pub panel_report_on: Option<NaiveDate>,
    /// The day the council responded.
    pub responded_on: Option<NaiveDate>,
    /// The day the record was closed.
    pub closed_on: Option<NaiveDate>,
    /// An agreed extension: the new due date of the response. Not beyond
    /// the rules' limit (`timeliness.limit_on`), except that an adult social
    /// care complaint may have "such longer period as may be agreed before
    /// the expiry of" the six months (regulation 14(2)): then
    /// `extension_agreed_on` must be on or before the limit, and the agreed
    /// date becomes the limit. Some timescales allow no extension (see
    /// `GET /timescales`).
    pub extended_due_on: Option<NaiveDate>,
    /// Why the extension was agreed (required with `extended_due_on`).
    #[schema(max_length = 2000)]
    pub extension_reason: Option<String>,
    /// The day the extension was agreed with the complainant (only with
    /// `extended_due_on`): never after the limit; required for a longer
    /// period beyond it.
    #[serde(default)]
    pub extension_agreed_on: Option<NaiveDate>,
    /// The decision: only once responded to, and then required for the
    /// complaint-like kinds.
    pub outcome: Option<Outcome>,
    /// What was done to put things right (at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    #[diesel(serialize_as = Json<Vec<Remedy>>, deserialize_as = Json<Vec<Remedy>>)]
    pub remedies: Vec<Remedy>,
    /// What the council learned.
    #[schema(max_length = 20000)]
    pub learning: Option<String>,
    /// The record this one escalated from (same directorate).
    pub parent_id: Option<i64>,
    /// Whether the record was reopened after being closed.
    #[serde(default)]
    pub reopened: bool,
    /// The CRM's id for the record: unique within the directorate.
    #[schema(max_length = 200, example = "CRM-48213")]
    pub external_ref: Option<String>,
    /// The day the council told the complainant it would not take the
    /// complaint up (complaints only; not with `responded_on`). The
    /// Complaint Handling Code (section 2) allows a refusal only for a
    /// valid reason, given in writing with the right to go to the
    /// Ombudsman. A refused complaint has no clock.
    #[serde(default)]
    pub refused_on: Option<NaiveDate>,
    /// Why it was refused: one of the Code's exclusions, or `other`
    /// (required with `refused_on`, and only with it).
    #[serde(default)]
    pub refusal_reason: Option<RefusalReason>,
    /// The written reasons given to the complainant (only with
    /// `refused_on`; required for `other`).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub refusal_details: Option<String>,
    /// Whether the complainant was told of their right to take the matter
    /// to the Ombudsman (with a refusal, a refused escalation or an
    /// extension, as the Code requires).
    #[serde(default)]
    pub ombudsman_signposted: bool,
    /// The day the council refused to escalate the complaint to its next
    /// stage (complaints only). The Code expects an escalation request to
    /// be accepted; the Code measures list every refusal with its reason.
    #[serde(default)]
    pub escalation_refused_on: Option<NaiveDate>,
    /// Why the escalation was refused (required with
    /// `escalation_refused_on`, and only with it).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub escalation_refusal_reason: Option<String>,
    /// Reasonable adjustments agreed with the complainant (the Equality Act
    /// 2010; the Code, section 3), kept under review. Personal data:
    /// analysts do not see it, and redaction removes it.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reasonable_adjustments: Option<String>,
    /// When the adjustments are next reviewed (needs
    /// `reasonable_adjustments`).
    #[serde(default)]
    pub adjustments_review_on: Option<NaiveDate>,
    /// The day the complainant was told of the extension, why, and the
    /// Ombudsman's details (only with `extended_due_on`).
    #[serde(default)]
    pub extension_notified_on: Option<NaiveDate>,
}

/// Read-only fields of a feedback record: sending them is refused.
pub const READ_ONLY: &[&str] = crate::read_only!(
    "reference",
    "status",
    "timeliness",
    "handler_id",
    "investigator_id",
    "investigator_name",
    "reopened_on"
);

impl RequestBody for FeedbackInput {
    const READ_ONLY: &'static [&'static str] = READ_ONLY;
}

impl Validate for FeedbackInput {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        check_kind_fields(self, errors);
        check_dates(self, today, errors);
        check_texts(self, errors);
        check_complainant(self.complainant.as_ref(), errors);
        check_remedies(&self.remedies, today, errors);
        check_code_fields(self, errors);
    }
}

/// The fields the Complaint Handling Code's measures read: refusals,
/// refused escalations, reasonable adjustments and the extension notice.
fn check_code_fields(input: &FeedbackInput, errors: &mut FieldErrors) {
    let complaint = input.kind == Kind::Complaint;
    for (field, set) in [
        ("refused_on", input.refused_on.is_some()),
        (
            "escalation_refused_on",
            input.escalation_refused_on.is_some(),
        ),
    ] {
        if set && !complaint {
            errors.add(field, format!("does not apply to a {}", input.kind));
        }
    }
    match (input.refused_on, input.refusal_reason) {
        (Some(_), None) => errors.add("refusal_reason", "is required with refused_on"),
        (None, Some(_)) => errors.add("refusal_reason", "only applies with refused_on"),
        _ => {}
    }
    if input.refused_on.is_none() && input.refusal_details.is_some() {
        errors.add("refusal_details", "only applies with refused_on");
    }
    if input.refusal_reason == Some(RefusalReason::Other)
        && is_blank(input.refusal_details.as_deref())
    {
        errors.add(
            "refusal_details",
            "is required when refusal_reason is other",
        );
    }
    if input.refused_on.is_some() && input.responded_on.is_some() && !errors.has("refused_on") {
        errors.add(
            "refused_on",
            "a refused complaint is not responded to: give refused_on or responded_on",
        );
    }
    match (
        input.escalation_refused_on,
        is_blank(input.escalation_refusal_reason.as_deref()),
    ) {
        (Some(_), true) => errors.add(
            "escalation_refusal_reason",
            "is required with escalation_refused_on",
        ),
        (None, _) if input.escalation_refusal_reason.is_some() => errors.add(
            "escalation_refusal_reason",
            "only applies with escalation_refused_on",
        ),
        _ => {}
    }
    if input.adjustments_review_on.is_some() && is_blank(input.reasonable_adjustments.as_deref()) {
        errors.add("adjustments_review_on", "needs reasonable_adjustments");
    }
    if input.extension_notified_on.is_some() && input.extended_due_on.is_none() {
        errors.add("extension_notified_on", "only applies with extended_due_on");
    }
}

fn check_kind_fields(input: &FeedbackInput, errors: &mut FieldErrors) {
    let kind = input.kind;
    match (kind.has_procedure(), input.procedure) {
        (true, None) => errors.add("procedure", format!("is required for a {kind}")),
        (false, Some(_)) => errors.add("procedure", format!("does not apply to a {kind}")),
        (true, Some(procedure)) => {
            if matches!(kind, Kind::Dissatisfaction | Kind::SeniorManagerReview)
                && procedure != Procedure::StatutoryAdults
            {
                errors.add(
                    "procedure",
                    format!("a {kind} belongs to the statutory_adults procedure"),
                );
            }
        }
        (false, None) => {}
    }
    match (kind == Kind::Complaint, input.stage) {
        (true, None) => errors.add("stage", "is required for a complaint"),
        (false, Some(_)) => errors.add("stage", format!("does not apply to a {kind}")),
        (true, Some(stage)) => {
            let last = input.procedure.map(Procedure::last_stage).unwrap_or(3);
            if !(1..=last).contains(&stage) {
                errors.add(
                    "stage",
                    format!("must be from 1 to {last} for this procedure"),
                );
            }
        }
        (false, None) => {}
    }
    match (input.responded_on.is_some(), input.outcome.is_some()) {
        (false, true) => errors.add(
            "outcome",
            "can only be set once the record is responded to (responded_on)",
        ),
        (true, false) if kind.is_complaint_like() => errors.add(
            "outcome",
            format!("is required once a {kind} is responded to"),
        ),
        _ => {}
    }
    let needs_category = matches!(
        kind,
        Kind::Complaint | Kind::Dissatisfaction | Kind::SeniorManagerReview
    );
    if needs_category && input.responded_on.is_some() && is_blank(input.category.as_deref()) {
        errors.add(
            "category",
            format!("is required once a {kind} is responded to"),
        );
    }
    if input.sub_category.is_some() && input.category.is_none() {
        errors.add("sub_category", "needs a category");
    }
    if input.extended_due_on.is_some() && is_blank(input.extension_reason.as_deref()) {
        errors.add("extension_reason", "is required with extended_due_on");
    }
    if input.extended_due_on.is_none() && input.extension_reason.is_some() {
        errors.add("extension_reason", "only applies with extended_due_on");
    }
    if input.extended_due_on.is_none() && input.extension_agreed_on.is_some() {
        errors.add("extension_agreed_on", "only applies with extended_due_on");
    }
    let review_panel = kind == Kind::Complaint
        && input.procedure == Some(Procedure::StatutoryChildren)
        && input.stage == Some(3);
    for (field, date) in [
        ("panel_held_on", input.panel_held_on),
        ("panel_report_on", input.panel_report_on),
    ] {
        if date.is_some() && !review_panel {
            errors.add(
                field,
                "only applies to a statutory_children complaint at stage 3 (the review panel)",
            );
        }
    }
    if matches!(input.outcome, Some(Outcome::Escalated)) && !kind.can_escalate() {
        errors.add(
            "outcome",
            format!("escalated does not apply to a {kind}: it has no next step"),
        );
    }
    if input.parent_id.is_some_and(|id| id < 1) {
        errors.add("parent_id", "must be a record id");
    }
}

fn is_blank(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

fn check_dates(input: &FeedbackInput, today: NaiveDate, errors: &mut FieldErrors) {
    let received = input.received_on;
    if received > today {
        errors.add("received_on", "must not be in the future");
    }
    for (field, date) in [
        ("acknowledged_on", input.acknowledged_on),
        ("panel_held_on", input.panel_held_on),
        ("panel_report_on", input.panel_report_on),
        ("responded_on", input.responded_on),
        ("closed_on", input.closed_on),
        ("extension_agreed_on", input.extension_agreed_on),
        ("refused_on", input.refused_on),
        ("escalation_refused_on", input.escalation_refused_on),
        ("extension_notified_on", input.extension_notified_on),
    ] {
        if let Some(date) = date {
            if date < received {
                errors.add(field, "must not be before received_on");
            } else if date > today {
                errors.add(field, "must not be in the future");
            }
        }
    }
    if let (Some(closed), Some(responded)) = (input.closed_on, input.responded_on) {
        if closed < responded && !errors.has("closed_on") {
            errors.add("closed_on", "must not be before responded_on");
        }
    }
    if input.extended_due_on.is_some_and(|d| d < received) {
        errors.add("extended_due_on", "must not be before received_on");
    }
    check_panel_dates(input, errors);
}

/// The review panel's dates: in order, not in the future (checked with the
/// other dates), and the response not before the report.
fn check_panel_dates(input: &FeedbackInput, errors: &mut FieldErrors) {
    if let Some(report) = input.panel_report_on {
        match input.panel_held_on {
            None => errors.add("panel_report_on", "needs panel_held_on"),
            Some(held) if report < held && !errors.has("panel_report_on") => {
                errors.add("panel_report_on", "must not be before panel_held_on")
            }
            _ => {}
        }
        if input.responded_on.is_some_and(|r| r < report) && !errors.has("responded_on") {
            errors.add("responded_on", "must not be before panel_report_on");
        }
    }
}

fn check_texts(input: &FeedbackInput, errors: &mut FieldErrors) {
    check_length(errors, "summary", input.summary.as_deref(), MAX_LONG_TEXT);
    check_length(errors, "learning", input.learning.as_deref(), MAX_LONG_TEXT);
    check_length(
        errors,
        "extension_reason",
        input.extension_reason.as_deref(),
        MAX_MEDIUM_TEXT,
    );
    for (field, text) in [
        ("refusal_details", &input.refusal_details),
        (
            "escalation_refusal_reason",
            &input.escalation_refusal_reason,
        ),
        ("reasonable_adjustments", &input.reasonable_adjustments),
    ] {
        check_length(errors, field, text.as_deref(), MAX_MEDIUM_TEXT);
    }
    for (field, text) in [
        ("service_area", &input.service_area),
        ("team", &input.team),
        ("category", &input.category),
        ("sub_category", &input.sub_category),
        ("external_ref", &input.external_ref),
    ] {
        check_length(errors, field, text.as_deref(), MAX_SHORT_TEXT);
    }
    if input
        .external_ref
        .as_deref()
        .is_some_and(|r| r.trim().is_empty())
    {
        errors.add("external_ref", "must not be blank");
    }
    crate::validation::check_themes(errors, &input.themes);
}

fn check_complainant(complainant: Option<&Complainant>, errors: &mut FieldErrors) {
    let Some(c) = complainant else { return };
    check_length(
        errors,
        "complainant.name",
        c.name.as_deref(),
        MAX_SHORT_TEXT,
    );
    check_length(errors, "complainant.email", c.email.as_deref(), 320);
    check_length(errors, "complainant.phone", c.phone.as_deref(), 50);
    check_length(
        errors,
        "complainant.address",
        c.address.as_deref(),
        MAX_MEDIUM_TEXT,
    );
    // A redacted address reads `[redacted]`: a record redacted once can
    // still be changed without first clearing it.
    if let Some(email) = c.email.as_ref().filter(|e| *e != REDACTED) {
        let plausible = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !email.chars().any(char::is_whitespace)
        });
        if !plausible && !errors.has("complainant.email") {
            errors.add("complainant.email", "must be an email address");
        }
    }
}

fn check_remedies(remedies: &[Remedy], today: NaiveDate, errors: &mut FieldErrors) {
    if remedies.len() > 50 {
        errors.add("remedies", "must list at most 50 remedies");
    }
    for (i, remedy) in remedies.iter().enumerate() {
        let at = |field: &str| format!("remedies[{i}].{field}");
        check_length(
            errors,
            &at("description"),
            remedy.description.as_deref(),
            MAX_MEDIUM_TEXT,
        );
        if remedy
            .amount_pence
            .is_some_and(|p| !(0..=MAX_PENCE).contains(&p))
        {
            errors.add(
                at("amount_pence"),
                "must be from 0 to 1000000000000 (£10 billion)",
            );
        }
        for (field, date) in [
            ("agreed_on", remedy.agreed_on),
            ("completed_on", remedy.completed_on),
        ] {
            if date.is_some_and(|d| d > today) {
                errors.add(at(field), "must not be in the future");
            }
        }
        if let (Some(agreed), Some(completed)) = (remedy.agreed_on, remedy.completed_on) {
            if completed < agreed {
                errors.add(at("completed_on"), "must not be before agreed_on");
            }
        }
        if let (Some(agreed), Some(due)) = (remedy.agreed_on, remedy.due_on) {
            if due < agreed {
                errors.add(at("due_on"), "must not be before agreed_on");
            }
        }
    }
}

crate::patch_schema!(
    /// The body of a feedback `PATCH` (the complainant is merged field by
    /// field; `themes` and `remedies` replace the lists).
    FeedbackPatch for FeedbackInput
);
