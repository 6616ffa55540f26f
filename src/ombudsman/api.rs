//! `/ombudsman-cases`: the Ombudsman's enquiries, decisions,
//! recommendations and the council's compliance.

use actix_web::{delete, get, patch, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, StaffReaders, StaffWriters};
use crate::calendar::Today;
use crate::db::page::{Paging, SortField};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::ombudsman::fields::{CaseInput, CasePatch};
use crate::ombudsman::list::{self, CaseFilter};
use crate::ombudsman::model::CaseRecord;
use crate::ombudsman::types::{
    Compliance, Decision, DecisionBucket, Ombudsman, RecommendationKind,
};
use crate::page_type;
use crate::records::api::{Noun, RecordApi, RecordMeta};
use crate::records::Scope;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_ombudsman_cases)
        .service(create_ombudsman_case)
        .service(get_ombudsman_case)
        .service(update_ombudsman_case)
        .service(delete_ombudsman_case)
        .service(get_ombudsman_case_history)
        .service(redact_ombudsman_case)
        .service(erase_ombudsman_case);
}

/// One of the Ombudsman's enquiries to the council.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InformationRequestView {
    /// When the Ombudsman asked.
    pub requested_on: NaiveDate,
    /// When the answer is due.
    pub due_on: NaiveDate,
    /// When the council answered.
    pub provided_on: Option<NaiveDate>,
    /// Answered after `due_on`, or still unanswered after it.
    pub late: bool,
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
    /// How many information requests are late.
    pub information_requests_late: i64,
    /// Whether the Ombudsman had to issue a witness summons.
    pub witness_summons: bool,
    /// The Ombudsman's decision; null while the case is open.
    pub decision: Option<Decision>,
    /// How the Ombudsman's statistics count the decision.
    pub decision_bucket: Option<DecisionBucket>,
    /// The day of the decision; null while there is none.
    pub decided_on: Option<NaiveDate>,
    /// Upheld, but the council had already provided a satisfactory remedy.
    pub remedied_before_ombudsman: bool,
    /// Whether the Ombudsman published a report.
    pub public_report: bool,
    /// The report's title.
    pub public_report_title: Option<String>,
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
    /// When its free text was redacted; null if it never was.
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
                late: r.deadline().is_late(today),
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
            witness_summons: row.witness_summons,
            decision: row.decision,
            decision_bucket: row.decision_bucket,
            decided_on: row.decided_on,
            remedied_before_ombudsman: row.remedied_before_ombudsman,
            public_report: row.public_report,
            public_report_title: row.public_report_title.clone(),
            overdue_recommendations: recommendations.iter().filter(|r| r.overdue).count() as i64,
            recommendations,
            compliance_derived: row.compliance_outcome.map(|_| !row.compliance_explicit),
            compliance_outcome: row.compliance_outcome,
            compliance_recorded_on: row.compliance_recorded_on,
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
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
        _: &AuthUser,
    ) -> Result<(Vec<Self>, i64), ApiError> {
        list::list(conn, filters, scope, paging, today.0)
    }
}

crate::record_endpoints!(CaseRecord, tag "ombudsman", view OmbudsmanCase, page OmbudsmanCasePage,
    input CaseInput, patch CasePatch, filters CaseFilter, readers StaffReaders, writers StaffWriters,
    conflict "A case with this reference exists.",
    "/ombudsman-cases" => [list_ombudsman_cases, create_ombudsman_case],
    "/ombudsman-cases/{id}" => [get_ombudsman_case, update_ombudsman_case, delete_ombudsman_case],
    "/ombudsman-cases/{id}/history" => get_ombudsman_case_history,
    "/ombudsman-cases/{id}/redact" => redact_ombudsman_case, "/ombudsman-cases/{id}/erase" => erase_ombudsman_case);
