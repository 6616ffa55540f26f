//! The Ombudsman case list: its filters and query.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::casework::HandlerFilter;
use crate::db::page::{Paging, SortField};
use crate::db::schema::{
    ombudsman_cases, ombudsman_information_requests as requests, ombudsman_recommendations as recs,
};
use crate::db::sql::{contains_pattern, lower};
use crate::db::{DbConnection, MultiBackend};
use crate::error::ApiError;
use crate::ombudsman::model::{with_children, CaseRecord, CaseRow};
use crate::ombudsman::types::{Compliance, Decision, DecisionBucket, Ombudsman};
use crate::records::Scope;

/// Filters of the case list (all optional; dates inclusive).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    /// Only this directorate (a code).
    pub directorate: Option<String>,
    /// Only cases of this Ombudsman.
    pub ombudsman: Option<Ombudsman>,
    /// Only cases with this decision.
    pub decision: Option<Decision>,
    /// Only cases whose decision is in this statistics group.
    pub decision_bucket: Option<DecisionBucket>,
    /// Only this Ombudsman category (exact).
    pub category: Option<String>,
    /// Only this service, or these (exact, comma-separated).
    pub service_area: Option<String>,
    /// `true`: only cases with a public report; `false`: only others.
    pub public_report: Option<bool>,
    /// Only cases with this theme, or with any of these (exact,
    /// comma-separated).
    pub theme: Option<String>,
    /// First contact on or after this day.
    pub received_from: Option<NaiveDate>,
    /// First contact on or before this day.
    pub received_to: Option<NaiveDate>,
    /// Decided on or after this day.
    pub decided_from: Option<NaiveDate>,
    /// Decided on or before this day.
    pub decided_to: Option<NaiveDate>,
    /// Only cases following this council complaint (a feedback record id).
    pub feedback_id: Option<i64>,
    /// Only cases with this compliance outcome.
    pub compliance_outcome: Option<Compliance>,
    /// `true`: only cases with a recommendation past its due date and not
    /// done; `false`: only the others.
    pub overdue_recommendations: Option<bool>,
    /// `true`: only cases with a late information request (answered after
    /// its due date, the extended one if agreed, or unanswered after it);
    /// `false`: only the others.
    pub late_information_requests: Option<bool>,
    /// Text to find in the reference or summary (case-insensitive).
    pub q: Option<String>,
    /// Only the cases of this handler: `me`, `none` (unassigned) or a
    /// user's id.
    #[param(example = "me")]
    pub handler: Option<String>,
}

/// The fields the case list sorts by.
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "ombudsman_cases.id"),
    SortField::new("reference", "ombudsman_cases.reference"),
    SortField::new("received_on", "ombudsman_cases.received_on"),
    SortField::nullable("decided_on", "ombudsman_cases.decided_on"),
    SortField::new("created_at", "ombudsman_cases.created_at"),
    SortField::new("updated_at", "ombudsman_cases.updated_at"),
];

fn filtered(
    filter: &CaseFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
    handler: Option<HandlerFilter>,
) -> ombudsman_cases::BoxedQuery<'static, MultiBackend> {
    let mut query = ombudsman_cases::table.into_boxed();
    query = match handler {
        Some(HandlerFilter::Unassigned) => query.filter(ombudsman_cases::handler_id.is_null()),
        Some(HandlerFilter::User(id)) => query.filter(ombudsman_cases::handler_id.eq(id)),
        None => query,
    };
    crate::narrow!(query;
        ombudsman_cases::directorate in scope.clone(),
        ombudsman_cases::directorate == filter.directorate.clone(),
        ombudsman_cases::ombudsman == filter.ombudsman,
        ombudsman_cases::decision == filter.decision,
        ombudsman_cases::decision_bucket == filter.decision_bucket,
        ombudsman_cases::category == filter.category.clone(),
        ombudsman_cases::service_area in crate::db::sql::several(&filter.service_area),
        ombudsman_cases::public_report == filter.public_report,
        ombudsman_cases::received_on >= filter.received_from,
        ombudsman_cases::received_on <= filter.received_to,
        ombudsman_cases::decided_on >= filter.decided_from,
        ombudsman_cases::decided_on <= filter.decided_to,
        ombudsman_cases::feedback_id == filter.feedback_id,
        ombudsman_cases::compliance_outcome == filter.compliance_outcome,
        ombudsman_cases::updated_at >= paging.updated_since,
    );
    if let Some(themes) = crate::db::sql::several(&filter.theme) {
        use crate::db::schema::ombudsman_case_themes as case_themes;
        query = query.filter(
            ombudsman_cases::id.eq_any(
                case_themes::table
                    .filter(case_themes::theme.eq_any(themes))
                    .select(case_themes::case_id),
            ),
        );
    }
    if let Some(overdue) = filter.overdue_recommendations {
        let any_overdue = diesel::dsl::exists(
            recs::table
                .filter(recs::case_id.eq(ombudsman_cases::id))
                .filter(recs::completed_on.is_null())
                .filter(recs::due_on.lt(today)),
        );
        query = if overdue {
            query.filter(any_overdue)
        } else {
            query.filter(diesel::dsl::not(any_overdue))
        };
    }
    if let Some(late) = filter.late_information_requests {
        // Against the due date in force: `extended_due_on` when agreed (it
        // is always after `due_on`), else `due_on`.
        let any_late = diesel::dsl::exists(
            requests::table
                .filter(requests::case_id.eq(ombudsman_cases::id))
                .filter(
                    requests::provided_on
                        .gt(requests::due_on.nullable())
                        .and(
                            requests::extended_due_on
                                .is_null()
                                .or(requests::provided_on.gt(requests::extended_due_on)),
                        )
                        .or(requests::provided_on
                            .is_null()
                            .and(requests::due_on.lt(today))
                            .and(
                                requests::extended_due_on
                                    .is_null()
                                    .or(requests::extended_due_on.lt(today)),
                            )),
                ),
        );
        query = if late {
            query.filter(any_late)
        } else {
            query.filter(diesel::dsl::not(any_late))
        };
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(ombudsman_cases::reference.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(ombudsman_cases::summary).like(pattern).escape('\\')),
        );
    }
    query
}

/// A page of cases and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &CaseFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
    handler: Option<HandlerFilter>,
) -> Result<(Vec<CaseRecord>, i64), ApiError> {
    let query = || filtered(filter, scope, paging, today, handler);
    let (rows, total) = crate::page!(
        conn,
        query(),
        paging,
        SORTABLE,
        "ombudsman_cases.id",
        CaseRow
    );
    Ok((with_children(conn, rows)?, total))
}
