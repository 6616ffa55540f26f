//! Actions in the database: the row, its place in the record core, and the
//! list query.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::actions::fields::ActionInput;
use crate::audit::redaction::{Field, Policy};
use crate::casework::allocation::check_assignee;
use crate::casework::HandlerFilter;
use crate::db::page::{Paging, SortField};
use crate::db::schema::actions;
use crate::db::schema::ombudsman_recommendations as recs;
use crate::db::{DbConnection, MultiBackend};
use crate::error::{ApiError, FieldErrors};
use crate::feedback::model::FeedbackRow;
use crate::improvements::model::check_sources;
use crate::records::{Proposal, Record, Scope, Write};

/// The audit log's name for actions.
pub const ENTITY: &str = "action";

crate::record_row!(
    /// A row of `actions`: what the core keeps, and the fields.
    pub struct ActionRow in actions {
        /// The writable fields.
        #[diesel(embed)]
        pub fields: ActionInput,
    }
);

impl ActionRow {
    /// Not done, and past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.fields.completed_on.is_none() && self.fields.due_on.is_some_and(|due| today > due)
    }

    /// Done after its due date.
    pub fn was_late(&self) -> bool {
        matches!((self.fields.completed_on, self.fields.due_on), (Some(done), Some(due)) if done > due)
    }
}

/// What redaction blanks in an action: its free text. The dates stay.
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[
        Field::Text("description"),
        Field::Text("owner_name"),
        Field::Text("evidence"),
    ],
};

impl Record for ActionRow {
    crate::record_basics!(entity ENTITY, table actions, redaction REDACTION,
        input ActionInput, context (), id id, version version, fields fields);

    fn input(&self) -> ActionInput {
        self.fields.clone()
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Self>, ApiError> {
        crate::record_sql!(find actions as ActionRow, conn, id)
    }
    fn insert(conn: &mut DbConnection, new: Write<'_, Self>) -> Result<i64, ApiError> {
        crate::record_sql!(insert actions, conn, new.input, new.stamp)
    }
    fn write(&self, conn: &mut DbConnection, change: Write<'_, Self>) -> Result<(), ApiError> {
        crate::record_sql!(update actions, conn, self.id, self.version, change.input, change.stamp)
    }

    /// The directorate, the record or case (visible, same directorate), the
    /// recommendation or remedy it names (which must exist there), and the
    /// owner (an active user of the directorate).
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
        if !errors.is_empty() {
            return errors.into_result();
        }
        if let (Some(case), Some(position)) = (input.ombudsman_case_id, input.recommendation) {
            let found: i64 = recs::table
                .filter(recs::case_id.eq(case).and(recs::position.eq(position)))
                .count()
                .get_result(conn)?;
            if found == 0 {
                errors.add(
                    "recommendation",
                    "the case has no recommendation at this position",
                );
            }
        }
        if let (Some(record), Some(position)) = (input.feedback_id, input.remedy) {
            let remedies = FeedbackRow::find(conn, record)?
                .map(|r| r.fields.remedies.len())
                .unwrap_or(0);
            if usize::try_from(position).map_or(true, |p| p >= remedies) {
                errors.add("remedy", "the record has no remedy at this position");
            }
        }
        if let Some(owner) = input.owner_id {
            if let Some(reason) = check_assignee(conn, owner, &input.directorate)? {
                errors.add("owner_id", reason);
            }
        }
        errors.into_result()
    }
}

/// The fields the list sorts by.
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "actions.id"),
    SortField::nullable("due_on", "actions.due_on"),
    SortField::nullable("completed_on", "actions.completed_on"),
    SortField::new("created_at", "actions.created_at"),
    SortField::new("updated_at", "actions.updated_at"),
];

/// Filters of the action list (all optional; dates inclusive).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionFilter {
    /// Only this directorate.
    pub directorate: Option<String>,
    /// Only the actions on this feedback record.
    pub feedback_id: Option<i64>,
    /// Only the actions on this Ombudsman case.
    pub ombudsman_case_id: Option<i64>,
    /// Only the actions of this owner: `me`, `none` (owned by a team or no
    /// one) or a user's id.
    #[param(example = "me")]
    pub owner: Option<String>,
    /// `true`: only actions not done and past their due date; `false`: only
    /// others.
    pub overdue: Option<bool>,
    /// `true`: only actions done; `false`: only those not done.
    pub completed: Option<bool>,
    /// Due on or after this day.
    pub due_from: Option<NaiveDate>,
    /// Due on or before this day.
    pub due_to: Option<NaiveDate>,
}

fn filtered(
    filter: &ActionFilter,
    owner: Option<HandlerFilter>,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> actions::BoxedQuery<'static, MultiBackend> {
    let mut query = actions::table.into_boxed();
    crate::narrow!(query;
        actions::directorate in scope.clone(),
        actions::directorate == filter.directorate.clone(),
        actions::feedback_id == filter.feedback_id,
        actions::ombudsman_case_id == filter.ombudsman_case_id,
        actions::due_on >= filter.due_from,
        actions::due_on <= filter.due_to,
        actions::updated_at >= paging.updated_since,
    );
    query = match owner {
        Some(HandlerFilter::Unassigned) => query.filter(actions::owner_id.is_null()),
        Some(HandlerFilter::User(id)) => query.filter(actions::owner_id.eq(id)),
        None => query,
    };
    query = match filter.completed {
        Some(true) => query.filter(actions::completed_on.is_not_null()),
        Some(false) => query.filter(actions::completed_on.is_null()),
        None => query,
    };
    match filter.overdue {
        Some(true) => query
            .filter(actions::completed_on.is_null())
            .filter(actions::due_on.lt(today)),
        Some(false) => query.filter(
            actions::completed_on
                .is_not_null()
                .or(actions::due_on.is_null())
                .or(actions::due_on.ge(today)),
        ),
        None => query,
    }
}

/// A page of the actions matching `filter` in `scope`, and how many match.
pub fn list(
    conn: &mut DbConnection,
    filter: &ActionFilter,
    owner: Option<HandlerFilter>,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
) -> Result<(Vec<ActionRow>, i64), ApiError> {
    let query = || filtered(filter, owner, scope, paging, today);
    Ok(crate::page!(
        conn,
        query(),
        paging,
        SORTABLE,
        "actions.id",
        ActionRow
    ))
}

/// The actions promised on the record `id` of `entity` (`feedback` or
/// `ombudsman_case`).
fn of_record(entity: &str, id: i64) -> Option<actions::BoxedQuery<'static, MultiBackend>> {
    let query = actions::table.into_boxed();
    match entity {
        crate::feedback::model::ENTITY => Some(query.filter(actions::feedback_id.eq(id))),
        crate::ombudsman::model::ENTITY => Some(query.filter(actions::ombudsman_case_id.eq(id))),
        _ => None,
    }
}

/// Redact the actions promised on the record `id` of `entity` (it is being
/// redacted): their free text, in them and in their history.
pub fn redact_for(
    conn: &mut DbConnection,
    actor: &crate::audit::Actor,
    entity: &str,
    id: i64,
) -> Result<(), ApiError> {
    let Some(query) = of_record(entity, id) else {
        return Ok(());
    };
    let rows: Vec<ActionRow> = query.select(ActionRow::as_select()).load(conn)?;
    let at = crate::db::now();
    for row in rows {
        let view = serde_json::to_value(&row.fields)?;
        let redacted: ActionInput = serde_json::from_value(REDACTION.redact(&view))?;
        diesel::update(actions::table.find(row.id))
            .set((
                redacted,
                actions::version.eq(row.version + 1),
                actions::updated_at.eq(at),
                actions::redacted_at.eq(Some(at)),
            ))
            .execute(conn)?;
        REDACTION.redact_history(conn, actor, &row.id.to_string())?;
    }
    Ok(())
}

/// Delete the actions promised on the record `id` of `entity` (it is being
/// deleted); their history stays.
pub fn delete_for(conn: &mut DbConnection, entity: &str, id: i64) -> Result<(), ApiError> {
    match entity {
        crate::feedback::model::ENTITY => {
            diesel::delete(actions::table.filter(actions::feedback_id.eq(id))).execute(conn)?
        }
        crate::ombudsman::model::ENTITY => {
            diesel::delete(actions::table.filter(actions::ombudsman_case_id.eq(id)))
                .execute(conn)?
        }
        _ => 0,
    };
    Ok(())
}
