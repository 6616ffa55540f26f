//! Service improvements in the database: the row, its place in the record
//! core, and the list query.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::audit::redaction::{Field, Policy};
use crate::db::page::{Paging, SortField};
use crate::db::schema::service_improvements::{self, self as si};
use crate::db::sql::{contains_pattern, lower};
use crate::db::{DbConnection, MultiBackend};
use crate::error::{ApiError, FieldErrors};
use crate::improvements::fields::{ImprovementInput, ImprovementStatus};
use crate::records::{self, Link, Proposal, Record, Scope, Write};

/// The audit log's name for service improvements.
pub const ENTITY: &str = "service_improvement";

crate::record_row!(
    /// A row of `service_improvements`: what the core keeps, and the fields.
    pub struct ImprovementRow in service_improvements {
        /// The writable fields.
        #[diesel(embed)]
        pub fields: ImprovementInput,
    }
);

impl ImprovementRow {
    /// Not completed or cancelled, and past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        let open = !matches!(
            self.fields.status,
            ImprovementStatus::Completed | ImprovementStatus::Cancelled
        );
        open && self.fields.due_on.is_some_and(|due| today > due)
    }
}

/// What redaction blanks in an improvement: its free text (which may name
/// the complainant or staff). Kind, categories, dates and status stay.
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[
        Field::Text("description"),
        Field::Text("owner"),
        Field::Text("evidence"),
    ],
};

impl Record for ImprovementRow {
    crate::record_basics!(entity ENTITY, table service_improvements, redaction REDACTION,
        input ImprovementInput, context (), id id, version version, fields fields);

    fn input(&self) -> ImprovementInput {
        self.fields.clone()
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Self>, ApiError> {
        crate::record_sql!(find si as ImprovementRow, conn, id)
    }
    fn insert(conn: &mut DbConnection, new: Write<'_, Self>) -> Result<i64, ApiError> {
        crate::record_sql!(insert si, conn, new.input, new.stamp)
    }
    fn write(&self, conn: &mut DbConnection, change: Write<'_, Self>) -> Result<(), ApiError> {
        crate::record_sql!(update si, conn, self.id, self.version, change.input, change.stamp)
    }

    /// The directorate, and the source case and record, which must exist,
    /// be visible and be of the same directorate.
    fn check_references(
        conn: &mut DbConnection,
        proposal: Proposal<'_, Self>,
    ) -> Result<(), ApiError> {
        let input = proposal.input;
        let mut errors = FieldErrors::new();
        check_sources(
            conn,
            &input.directorate,
            proposal.scope,
            (input.ombudsman_case_id, input.feedback_id),
            &mut errors,
        )?;
        errors.into_result()
    }
}

/// Check the Ombudsman case and the feedback record a body names as its
/// source (`ombudsman_case_id`, `feedback_id`): each must exist, be visible
/// in `scope` and be of `directorate`, which must exist too (422).
pub fn check_sources(
    conn: &mut DbConnection,
    directorate: &str,
    scope: &Scope,
    (case, record): (Option<i64>, Option<i64>),
    errors: &mut FieldErrors,
) -> Result<(), ApiError> {
    records::check_links(
        conn,
        directorate,
        scope,
        &[(CASE, case), (FEEDBACK, record)],
        errors,
    )
}

/// A link to an Ombudsman case (`ombudsman_case_id`), of the same
/// directorate: an improvement's or an action's.
const CASE: Link = Link::new(
    "ombudsman_case_id",
    "Ombudsman case",
    "a case",
    crate::ombudsman::model::directorate_of,
);

/// A link to a feedback record (`feedback_id`), of the same directorate:
/// an improvement's or an action's.
const FEEDBACK: Link = Link::new(
    "feedback_id",
    "feedback record",
    "a record",
    crate::feedback::model::directorate_of,
);

/// The fields the list sorts by.
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "service_improvements.id"),
    SortField::new("agreed_on", "service_improvements.agreed_on"),
    SortField::nullable("due_on", "service_improvements.due_on"),
    SortField::nullable("completed_on", "service_improvements.completed_on"),
    SortField::new("created_at", "service_improvements.created_at"),
    SortField::new("updated_at", "service_improvements.updated_at"),
];

/// Filters of the improvement list (all optional; dates inclusive).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImprovementFilter {
    /// Only this directorate (a code).
    pub directorate: Option<String>,
    /// Only this status.
    pub status: Option<ImprovementStatus>,
    /// `true`: only improvements past their due date and not completed or
    /// cancelled; `false`: only the others.
    pub overdue: Option<bool>,
    /// Only those from this Ombudsman case (an id).
    pub ombudsman_case_id: Option<i64>,
    /// Only those from this feedback record (an id).
    pub feedback_id: Option<i64>,
    /// Only this category (exact).
    pub category: Option<String>,
    /// Only this kind.
    pub kind: Option<crate::improvements::fields::ImprovementKind>,
    /// Only published (`true`) or unpublished (`false`) ones.
    pub published: Option<bool>,
    /// Agreed on or after this day.
    pub agreed_from: Option<NaiveDate>,
    /// Agreed on or before this day.
    pub agreed_to: Option<NaiveDate>,
    /// Text to find in the description or owner (case-insensitive).
    pub q: Option<String>,
}

fn filtered(
    filter: &ImprovementFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> si::BoxedQuery<'static, MultiBackend> {
    let mut query = si::table.into_boxed();
    crate::narrow!(query;
        si::directorate in scope.clone(),
        si::directorate == filter.directorate.clone(),
        si::status == filter.status,
        si::ombudsman_case_id == filter.ombudsman_case_id,
        si::feedback_id == filter.feedback_id,
        si::category == filter.category.clone(),
        si::kind == filter.kind,
        si::published == filter.published,
        si::agreed_on >= filter.agreed_from,
        si::agreed_on <= filter.agreed_to,
        si::updated_at >= paging.updated_since,
    );
    let open = [ImprovementStatus::Planned, ImprovementStatus::InProgress];
    query = match filter.overdue {
        Some(true) => query
            .filter(si::status.eq_any(open))
            .filter(si::due_on.lt(today)),
        Some(false) => query.filter(
            si::status
                .ne_all(open)
                .or(si::due_on.is_null())
                .or(si::due_on.ge(today)),
        ),
        None => query,
    };
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(si::description.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(si::owner).like(pattern).escape('\\')),
        );
    }
    query
}

/// A page of improvements in `scope` and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &ImprovementFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> Result<(Vec<ImprovementRow>, i64), ApiError> {
    let query = || filtered(filter, scope, paging, today);
    Ok(crate::page!(
        conn,
        query(),
        paging,
        SORTABLE,
        "service_improvements.id",
        ImprovementRow
    ))
}
