//! `/actions`: the promises made on records and cases, tracked to
//! completion with evidence.

use actix_web::{delete, get, patch, post};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actions::fields::{ActionInput, ActionPatch};
use crate::actions::model::{self, ActionFilter, ActionRow};
use crate::auth::{AuthUser, StaffReaders, StaffWriters};
use crate::calendar::Today;
use crate::casework::HandlerFilter;
use crate::db::page::{Paging, SortField};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::openapi::Routes;
use crate::records::api::{Noun, RecordApi, RecordMeta};
use crate::records::Scope;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_actions)
        .service(create_action)
        .service(get_action)
        .service(update_action)
        .service(delete_action)
        .service(get_action_history)
        .service(redact_action)
        .service(erase_action);
}

/// An action: its writable fields (see `ActionInput`) and what the service
/// computes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreedAction {
    /// Its id, version, stamps and author.
    #[serde(flatten)]
    pub meta: RecordMeta,
    /// The writable fields.
    #[serde(flatten)]
    pub fields: ActionInput,
    /// Not done, and past `due_on` (as of today).
    pub overdue: bool,
    /// Done after `due_on`.
    pub late: bool,
    /// When its free text was redacted (RFC 3339, UTC); null if it never was.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl AgreedAction {
    /// The action as answered, `overdue` as of `today`.
    pub fn of(row: &ActionRow, today: Today) -> AgreedAction {
        AgreedAction {
            meta: crate::record_meta!(row),
            fields: row.fields.clone(),
            overdue: row.is_overdue(today.0),
            late: row.was_late(),
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
        }
    }
}

crate::record_view!(AgreedAction reads ActionInput, page ActionPage, "A page of actions.");

impl RecordApi for ActionRow {
    type View = AgreedAction;
    type Filters = ActionFilter;
    const NOUN: Noun = Noun::new("an action", "actions", "/api/v1/actions");
    const NOTE: &'static str = "An action is promised on a feedback record (`feedback_id`) or an Ombudsman case (`ombudsman_case_id`) of its directorate; it may carry out one of the case's recommendations or deliver one of the record's remedies (by position). Its owner is a user of the directorate (`owner_id`) or a team (`owner_name`).";
    const SORTABLE: &'static [SortField] = model::SORTABLE;

    async fn context(_: &AppState, _: Today) -> Result<(), ApiError> {
        Ok(())
    }

    fn view(&self, _: &(), today: Today, _: &AuthUser) -> Result<AgreedAction, ApiError> {
        Ok(AgreedAction::of(self, today))
    }

    fn list(
        conn: &mut DbConnection,
        filters: &ActionFilter,
        scope: &Scope,
        paging: &Paging,
        today: Today,
        user: &AuthUser,
    ) -> Result<(Vec<Self>, i64), ApiError> {
        let owner = HandlerFilter::parse_field("owner", filters.owner.as_deref(), user.id)?;
        model::list(conn, filters, owner, scope, paging, today.0)
    }
}

crate::record_endpoints!(ActionRow, tag "casework", view AgreedAction,
    page ActionPage, input ActionInput, patch ActionPatch, filters ActionFilter,
    readers StaffReaders, writers StaffWriters,
    "/actions" => [list_actions, create_action],
    "/actions/{id}" => [get_action, update_action, delete_action],
    "/actions/{id}/history" => get_action_history,
    "/actions/{id}/redact" => redact_action, "/actions/{id}/erase" => erase_action);
