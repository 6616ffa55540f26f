//! `/ombudsman-cases`: the Ombudsman's enquiries, decisions,
//! recommendations and the council's compliance.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{AuthUser, Authorized, StaffReaders, StaffWriters};
use crate::calendar::Today;
use crate::db::page::{Paging, SortField};
use crate::db::DbConnection;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::http::etag::IfMatch;
use crate::http::json::{RequestBody, ValidJson};
use crate::ombudsman::fields::{CaseInput, CasePatch};
use crate::ombudsman::list::{self, CaseFilter};
use crate::ombudsman::model::{self, CaseRecord, DecisionRow};
use crate::ombudsman::types::{
    Compliance, Decision, DecisionBucket, Ombudsman, RecommendationKind,
};
use crate::openapi::Routes;
use crate::page_type;
use crate::records::api::{self as records_api, Noun, RecordApi, RecordMeta};
use crate::records::{store, Scope};
use crate::state::AppState;
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_ombudsman_cases)
        .service(create_ombudsman_case)
        .service(get_ombudsman_case)
        .service(update_ombudsman_case)
        .service(delete_ombudsman_case)
        .service(get_ombudsman_case_history)
        .service(redact_ombudsman_case)
        .service(erase_ombudsman_case)
        .service(reopen_ombudsman_case);
}

/// One round of the Ombudsman's decision on a case. The Ombudsman may
/// re-open a case it has decided and decide it again; each decision is a
/// round, and the LGSCO's annual statistics count each in the year of its
/// own `decided_on` ("these outcomes are recorded in this year's data
/// also"), so a case decided in two years counts in both.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionRound {
    /// 1 for the first decision, then 2, 3, … for each re-opening.
    pub round: i32,
    /// The round's decision; null while it is open (re-opened, not yet
    /// decided again).
    pub decision: Option<Decision>,
    /// How the Ombudsman's statistics count the decision.
    pub decision_bucket: Option<DecisionBucket>,
    /// The day of the round's decision; null while it is open.
    pub decided_on: Option<NaiveDate>,
    /// Upheld, but the council had already provided a satisfactory remedy.
    pub remedied_before_ombudsman: bool,
    /// The day the Ombudsman re-opened the case, opening this round; null
    /// for round 1.
    pub reopened_on: Option<NaiveDate>,
}

impl From<&DecisionRow> for DecisionRound {
    fn from(row: &DecisionRow) -> Self {
        DecisionRound {
            round: row.round,
            decision: row.decision,
            decision_bucket: row.decision_bucket,
            decided_on: row.decided_on,
            remedied_before_ombudsman: row.remedied_before_ombudsman,
            reopened_on: row.reopened_on,
        }
    }
}

/// One of the Ombudsman's enquiries to the council.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InformationRequestView {
    /// When the Ombudsman asked.
    pub requested_on: NaiveDate,
    /// When the answer is due (the Ombudsman's original deadline).
    pub due_on: NaiveDate,
    /// When the council answered.
    pub provided_on: Option<NaiveDate>,
    /// When the council asked for more time; null if it did not.
    pub extension_requested_on: Option<NaiveDate>,
    /// The due date the Ombudsman agreed to instead; null if none.
    pub extended_due_on: Option<NaiveDate>,
    /// Answered after its due date (`extended_due_on` if agreed, else
    /// `due_on`), or still unanswered after it.
    pub late: bool,
    /// The extension was asked for on or after the original `due_on`.
    pub extension_requested_late: bool,
}

/// One of the Ombudsman's recommendations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendation {
    /// Id: send it back to keep the recommendation when changing the list.
    pub id: i64,
    /// What kind of remedy.
    pub kind: RecommendationKind,
    /// What exactly was recommended (free text); null if not recorded.
    pub description: Option<String>,
    /// Any payment, in pence.
    pub amount_pence: Option<i64>,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// When it was done.
    pub completed_on: Option<NaiveDate>,
    /// Done after `due_on`, or still not done after it.
    pub late: bool,
    /// Not done, and past `due_on`.
    pub overdue: bool,
}

/// An Ombudsman case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanCase {
    /// Its id, version, stamps and author.
    #[serde(flatten)]
    pub meta: RecordMeta,
    /// Which Ombudsman took the case up (`lgsco`, `phso` or `joint`).
    pub ombudsman: Ombudsman,
    /// The Ombudsman's reference.
    #[schema(example = "24 005 341")]
    pub reference: String,
    /// The code of the directorate the case concerns.
    pub directorate: String,
    /// The id of the council complaint it follows; null if not recorded.
    pub feedback_id: Option<i64>,
    /// The Ombudsman's own category (e.g. `Education`); null if not given.
    pub category: Option<String>,
    /// The Ombudsman's sub-category (e.g. `Special educational needs`).
    pub sub_category: Option<String>,
    /// The day the Ombudsman first contacted the council (`YYYY-MM-DD`).
    pub received_on: NaiveDate,
    /// What the complaint is about (free text; `[redacted]` once redacted).
    pub summary: Option<String>,
    /// The Ombudsman's enquiries to the council.
    pub information_requests: Vec<InformationRequestView>,
    /// How many information requests are late (against their extended due
    /// date, where one was agreed).
    pub information_requests_late: i64,
    /// Whether the Ombudsman had to issue a witness summons: true when
    /// `witness_summons_on` is set.
    pub witness_summons: bool,
    /// The day the Ombudsman reminded the council of its power to summon
    /// witnesses; null if it never did.
    pub witness_summons_warned_on: Option<NaiveDate>,
    /// The day the Ombudsman issued a witness summons; null if it never did.
    pub witness_summons_on: Option<NaiveDate>,
    /// The Ombudsman's decision (its latest round's); null while the case
    /// is open, or re-opened and not yet decided again.
    pub decision: Option<Decision>,
    /// How the Ombudsman's statistics count the decision.
    pub decision_bucket: Option<DecisionBucket>,
    /// The day of the decision (the latest round's); null while there is none.
    pub decided_on: Option<NaiveDate>,
    /// Upheld, but the council had already provided a satisfactory remedy
    /// (the latest round).
    pub remedied_before_ombudsman: bool,
    /// The day the Ombudsman re-opened the case, opening its latest round;
    /// null for a case never re-opened.
    pub reopened_on: Option<NaiveDate>,
    /// Every round of the Ombudsman's decision, oldest first: empty until
    /// the first decision; the last is the one `decision`, `decided_on` and
    /// `remedied_before_ombudsman` show. The statistics count each round in
    /// the period of its own `decided_on`.
    pub decisions: Vec<DecisionRound>,
    /// Whether the Ombudsman published a report.
    pub public_report: bool,
    /// The report's title.
    pub public_report_title: Option<String>,
    /// The day the report was published.
    pub public_report_on: Option<NaiveDate>,
    /// The service the case is about.
    pub service_area: Option<String>,
    /// The case's themes, in alphabetical order.
    pub themes: Vec<String>,
    /// What the Ombudsman recommended, in order, each with its deadline.
    pub recommendations: Vec<Recommendation>,
    /// How many recommendations are past their due date and not done.
    pub overdue_recommendations: i64,
    /// Whether the council complied: null while pending.
    pub compliance_outcome: Option<Compliance>,
    /// When compliance was recorded.
    pub compliance_recorded_on: Option<NaiveDate>,
    /// Whether the outcome was derived from the recommendations (true) or set
    /// by a manager (false); null while there is none.
    pub compliance_derived: Option<bool>,
    /// Who handles it and who investigates it
    /// (`POST /ombudsman-cases/{id}/assign`).
    #[serde(flatten)]
    pub allocation: crate::casework::Allocation,
    /// When its free text was redacted (RFC 3339, UTC); null if it never was.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl OmbudsmanCase {
    /// The case as answered, with its late and overdue flags as of `today`.
    pub fn of(record: &CaseRecord, today: NaiveDate) -> OmbudsmanCase {
        let row = &record.row;
        let information_requests: Vec<InformationRequestView> = record
            .requests
            .iter()
            .map(|r| InformationRequestView {
                requested_on: r.requested_on,
                due_on: r.due_on,
                provided_on: r.provided_on,
                extension_requested_on: r.extension_requested_on,
                extended_due_on: r.extended_due_on,
                late: r.deadline().is_late(today),
                extension_requested_late: r.extension_requested_late(),
            })
            .collect();
        let recommendations: Vec<Recommendation> = record
            .recommendations
            .iter()
            .map(|r| Recommendation {
                id: r.id,
                kind: r.kind,
                description: r.description.clone(),
                amount_pence: r.amount_pence,
                due_on: r.due_on,
                completed_on: r.completed_on,
                late: r.deadline().is_late(today),
                overdue: r.deadline().is_overdue(today),
            })
            .collect();
        OmbudsmanCase {
            meta: crate::record_meta!(row),
            ombudsman: row.ombudsman,
            reference: row.reference.clone(),
            directorate: row.directorate.clone(),
            feedback_id: row.feedback_id,
            category: row.category.clone(),
            sub_category: row.sub_category.clone(),
            received_on: row.received_on,
            summary: row.summary.clone(),
            information_requests_late: information_requests.iter().filter(|r| r.late).count()
                as i64,
            information_requests,
            witness_summons: row.witness_summons_on.is_some(),
            witness_summons_warned_on: row.witness_summons_warned_on,
            witness_summons_on: row.witness_summons_on,
            decision: row.decision,
            decision_bucket: row.decision_bucket,
            decided_on: row.decided_on,
            remedied_before_ombudsman: row.remedied_before_ombudsman,
            reopened_on: record.decisions.last().and_then(|d| d.reopened_on),
            decisions: record.decisions.iter().map(DecisionRound::from).collect(),
            public_report: row.public_report,
            public_report_title: row.public_report_title.clone(),
            public_report_on: row.public_report_on,
            service_area: row.service_area.clone(),
            themes: record.themes.clone(),
            overdue_recommendations: recommendations.iter().filter(|r| r.overdue).count() as i64,
            recommendations,
            compliance_derived: row.compliance_outcome.map(|_| !row.compliance_explicit),
            compliance_outcome: row.compliance_outcome,
            compliance_recorded_on: row.compliance_recorded_on,
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
            allocation: crate::casework::Casework::allocation(record),
        }
    }
}

page_type!(
    /// A page of Ombudsman cases.
    OmbudsmanCasePage, OmbudsmanCase
);

impl RecordApi for CaseRecord {
    type View = OmbudsmanCase;
    type Filters = CaseFilter;
    const NOUN: Noun = Noun::new(
        "an Ombudsman case",
        "Ombudsman cases",
        "/api/v1/ombudsman-cases",
    );
    const NOTE: &'static str = "Only managers may record or change the decision and compliance.";
    const SORTABLE: &'static [SortField] = list::SORTABLE;

    /// Today: the day a manager's compliance outcome is recorded on when
    /// they give none.
    async fn context(_: &AppState, today: Today) -> Result<NaiveDate, ApiError> {
        Ok(today.0)
    }

    fn view(&self, _: &NaiveDate, today: Today, _: &AuthUser) -> Result<OmbudsmanCase, ApiError> {
        Ok(OmbudsmanCase::of(self, today.0))
    }

    fn list(
        conn: &mut DbConnection,
        filters: &CaseFilter,
        scope: &Scope,
        paging: &Paging,
        today: Today,
        user: &AuthUser,
    ) -> Result<(Vec<Self>, i64), ApiError> {
        let handler = crate::casework::HandlerFilter::parse(filters.handler.as_deref(), user.id)?;
        list::list(conn, filters, scope, paging, today.0, handler)
    }
}

crate::record_endpoints!(CaseRecord, tag "ombudsman", view OmbudsmanCase, page OmbudsmanCasePage,
    input CaseInput, patch CasePatch, filters CaseFilter, readers StaffReaders, writers StaffWriters,
    conflict "A case with this reference exists.",
    "/ombudsman-cases" => [list_ombudsman_cases, create_ombudsman_case],
    "/ombudsman-cases/{id}" => [get_ombudsman_case, update_ombudsman_case, delete_ombudsman_case],
    "/ombudsman-cases/{id}/history" => get_ombudsman_case_history,
    "/ombudsman-cases/{id}/redact" => redact_ombudsman_case, "/ombudsman-cases/{id}/erase" => erase_ombudsman_case);

/// The body of a re-opening.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reopening {
    /// The day the Ombudsman re-opened the case (`YYYY-MM-DD`): not before
    /// the latest decision's `decided_on`, not in the future.
    pub reopened_on: NaiveDate,
}

impl RequestBody for Reopening {}

impl Validate for Reopening {
    fn validate(&self, today: NaiveDate, errors: &mut FieldErrors) {
        if self.reopened_on > today {
            errors.add("reopened_on", "must not be in the future");
        }
    }
}

/// Re-open a decided case: the Ombudsman will decide it again. A new
/// decision round opens, undecided: the case's `decision`, `decided_on` and
/// `remedied_before_ombudsman` are empty until a manager records the new
/// decision with a `PATCH` (which corrects the latest round only). The
/// earlier rounds stay in `decisions` and in the statistics of their own
/// years; recommendations and compliance stay with the case. Not a
/// creation: the answer is the case, 200, and no `Idempotency-Key` is
/// needed: a repeat finds the new round open and is 409 (send `If-Match` to
/// re-open only the version last seen). Staff who may change the case may
/// re-open it; the change is in its history as `reopen`.
#[utoipa::path(
    tag = "ombudsman",
    request_body = Reopening,
    params(("id" = i64, Path, description = "The case to re-open."),
        ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if it has changed since.")),
    responses(
        (status = 200, description = "The case, re-opened.", body = OmbudsmanCase,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 409, description = "The case has no decision to re-open (it was never decided, or was re-opened and not yet decided again).", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the `If-Match` version.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ombudsman-cases/{id}/reopen")]
pub async fn reopen_ombudsman_case(
    state: web::Data<AppState>,
    user: Authorized<StaffWriters>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ValidJson<Reopening>,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let (id, reopened_on, user) = (id.into_inner(), body.value.reopened_on, user.0);
    let (record, view) = state
        .db
        .write(move |conn| {
            let current = store::lock::<CaseRecord>(conn, &user, id, &if_match)?;
            let saved = model::reopen(conn, &user, &current, reopened_on, today.0)?;
            let view = OmbudsmanCase::of(&saved, today.0);
            Ok((saved, view))
        })
        .await?;
    Ok(records_api::respond(StatusCode::OK, &record, &view))
}
