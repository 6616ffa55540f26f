//! `/service-improvements`: what the council agrees to change after a
//! complaint or an Ombudsman decision, tracked to completion with evidence.

use actix_web::{delete, get, patch, post};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{AuthUser, StaffReaders, StaffWriters};
use crate::calendar::Today;
use crate::db::page::{Paging, SortField};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::improvements::fields::{ImprovementInput, ImprovementPatch};
use crate::improvements::model::{self, ImprovementFilter, ImprovementRow};
use crate::openapi::Routes;
use crate::records::api::{Noun, RecordApi, RecordMeta};
use crate::records::Scope;
use crate::state::AppState;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_service_improvements)
        .service(create_service_improvement)
        .service(get_service_improvement)
        .service(update_service_improvement)
        .service(delete_service_improvement)
        .service(get_service_improvement_history)
        .service(redact_service_improvement)
        .service(erase_service_improvement);
}

/// A service improvement: its writable fields (see `ImprovementInput`) and
/// what the service keeps and computes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceImprovement {
    /// Its id, version, stamps and author.
    #[serde(flatten)]
    pub meta: RecordMeta,
    /// The writable fields.
    #[serde(flatten)]
    pub fields: ImprovementInput,
    /// Not completed or cancelled, and past `due_on` (as of today).
    pub overdue: bool,
    /// When its free text was redacted (RFC 3339, UTC); null if it never was.
    pub redacted_at: Option<DateTime<Utc>>,
}

impl ServiceImprovement {
    /// The improvement as answered, `overdue` as of `today`.
    pub fn of(row: &ImprovementRow, today: Today) -> ServiceImprovement {
        ServiceImprovement {
            meta: crate::record_meta!(row),
            fields: row.fields.clone(),
            overdue: row.is_overdue(today.0),
            redacted_at: row.redacted_at.map(|t| t.and_utc()),
        }
    }
}

crate::record_view!(ServiceImprovement reads ImprovementInput, page ServiceImprovementPage,
    "A page of service improvements.");

impl RecordApi for ImprovementRow {
    type View = ServiceImprovement;
    type Filters = ImprovementFilter;
    const NOUN: Noun = Noun::new(
        "a service improvement",
        "service improvements",
        "/api/v1/service-improvements",
    );
    const SORTABLE: &'static [SortField] = model::SORTABLE;

    async fn context(_: &AppState, _: Today) -> Result<(), ApiError> {
        Ok(())
    }

    fn view(&self, _: &(), today: Today, _: &AuthUser) -> Result<ServiceImprovement, ApiError> {
        Ok(ServiceImprovement::of(self, today))
    }

    fn list(
        conn: &mut DbConnection,
        filters: &ImprovementFilter,
        scope: &Scope,
        paging: &Paging,
        today: Today,
        _: &AuthUser,
    ) -> Result<(Vec<Self>, i64), ApiError> {
        model::list(conn, filters, scope, paging, today.0)
    }
}

crate::record_endpoints!(ImprovementRow, tag "service-improvements", view ServiceImprovement,
    page ServiceImprovementPage, input ImprovementInput, patch ImprovementPatch, filters ImprovementFilter,
    readers StaffReaders, writers StaffWriters,
    "/service-improvements" => [list_service_improvements, create_service_improvement],
    "/service-improvements/{id}" => [get_service_improvement, update_service_improvement, delete_service_improvement],
    "/service-improvements/{id}/history" => get_service_improvement_history,
    "/service-improvements/{id}/redact" => redact_service_improvement, "/service-improvements/{id}/erase" => erase_service_improvement);
