//! `/timescales`: the rules every record's clock is measured by, as versions
//! in force from a date. Everyone reads them; admins add, replace or remove
//! a version, and the stored clocks of the records it covers follow at once.

use actix_web::http::header;
use actix_web::{delete, get, put, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, HistoryPage};
use crate::auth::{AdminOnly, AuthUser, Authorized};
use crate::calendar::Today;
use crate::db::DbConnection;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::http::etag::{etag, IfMatch};
use crate::http::json::{RequestBody, ValidJson};
use crate::http::list::ListParams;
use crate::openapi::Routes;
use crate::state::AppState;
use crate::timescales::model::{self, StoredVersion, Written};
use crate::timescales::rules::{check_rules, Rule, Timescales};
use crate::validation::Validate;

/// Routes of this module.
pub fn routes(cfg: &mut impl Routes) {
    cfg.service(list_timescales)
        .service(get_timescale_version)
        .service(put_timescale_version)
        .service(delete_timescale_version)
        .service(get_timescale_version_history);
}

/// Every version of the timescales.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimescaleList {
    /// The versions, oldest first: each applies to the records received from
    /// its `effective_from` until the next one starts (the earliest also to
    /// anything received before it).
    pub versions: Vec<StoredVersion>,
    /// The `effective_from` of the version in force for a record received
    /// today.
    pub in_force_today: Option<NaiveDate>,
}

/// The body of `PUT /timescales/{effective_from}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimescaleRules {
    /// The rules of the version, replacing any it had. At most one rule per
    /// kind, procedure and stage; a complaint's rule names its procedure.
    /// At most 200.
    #[schema(max_items = 200)]
    pub rules: Vec<Rule>,
}

impl RequestBody for TimescaleRules {}

impl Validate for TimescaleRules {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        check_rules(&self.rules, errors);
    }
}

/// Every timescale version, with the revision as `ETag` (send it as
/// `If-Match` when changing one).
#[utoipa::path(
    tag = "timescales",
    responses((status = 200, description = "The versions.", body = TimescaleList,
        headers(("ETag" = String, description = "The timescales' revision."))))
)]
#[get("/timescales")]
pub async fn list_timescales(
    state: web::Data<AppState>,
    _user: AuthUser,
    today: Today,
) -> Result<HttpResponse, ApiError> {
    let (revision, versions) = state
        .db
        .run(|conn| Ok((model::revision(conn)?, model::list(conn)?)))
        .await?;
    let in_force_today = Timescales::new(versions.iter().map(|v| v.version.clone()).collect())
        .in_force(today.0)
        .map(|v| v.effective_from);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(revision)))
        .json(TimescaleList {
            versions,
            in_force_today,
        }))
}

/// One timescale version, with the revision as `ETag`.
#[utoipa::path(
    tag = "timescales",
    params(("effective_from" = NaiveDate, Path, description = "The version's first day, `YYYY-MM-DD`.")),
    responses((status = 200, description = "The version.", body = StoredVersion,
        headers(("ETag" = String, description = "The timescales' revision."))))
)]
#[get("/timescales/{effective_from}")]
pub async fn get_timescale_version(
    state: web::Data<AppState>,
    _user: AuthUser,
    effective_from: web::Path<NaiveDate>,
) -> Result<HttpResponse, ApiError> {
    let effective_from = effective_from.into_inner();
    let (revision, version) = state
        .db
        .run(move |conn| Ok((model::revision(conn)?, model::find(conn, effective_from)?)))
        .await?;
    let version = version.ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(revision)))
        .json(version))
}

/// The records received while the version starting on `effective_from` is
/// in force, under `timescales`: from that day (or from the beginning, for the
/// earliest version) until the next version starts.
fn covered(timescales: &Timescales, effective_from: NaiveDate) -> (NaiveDate, NaiveDate) {
    // Four-digit years at both ends: SQLite compares dates as text, where
    // chrono's MIN and MAX ("-262143-…", "+262142-…") sort wrongly.
    let first_day = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    let last_day = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    let earliest = timescales.versions().first().map(|v| v.effective_from);
    let from = if earliest.is_none_or(|e| e >= effective_from) {
        first_day
    } else {
        effective_from
    };
    let until = timescales
        .next_start(effective_from)
        .and_then(|d| d.pred_opt())
        .unwrap_or(last_day);
    (from, until)
}

/// Recompute the stored clocks of the records a change to the version
/// starting on `effective_from` touches, under the timescales as they now
/// are; 409 when a complaint received then would be at a stage the rules no
/// longer name.
fn follow_change(
    conn: &mut DbConnection,
    effective_from: NaiveDate,
    before: &Timescales,
) -> Result<(), ApiError> {
    let after = model::load(conn)?;
    let (from, until) = {
        let (a, b) = covered(before, effective_from);
        let (c, d) = covered(&after, effective_from);
        (a.min(c), b.max(d))
    };
    let stranded = crate::feedback::model::complaints_without_stage(conn, &after, from, until)?;
    if let Some((procedure, stage, count)) = stranded.first() {
        return Err(ApiError::Conflict(format!(
            "{count} {procedure} complaint(s) at stage {stage} received between {from} and {until} would be at a stage these rules do not have. Keep a rule for that stage, or change those records first."
        )));
    }
    let rules = crate::timescales::TimeRules::load(conn)?;
    crate::feedback::model::recompute_received(conn, &rules, from, until)?;
    Ok(())
}

/// Add or replace the version of the timescales in force from
/// `effective_from` (admins): every record received from that day until the
/// next version starts is measured by these rules, and the stored due dates
/// (the overdue list, the statistics) follow at once. 201 when the version is
/// new. 409 when complaints received in its time are at a stage the new
/// rules do not have. Audited; see `GET /timescales/{effective_from}/history`.
#[utoipa::path(
    tag = "timescales",
    request_body = TimescaleRules,
    params(("effective_from" = NaiveDate, Path, description = "The version's first day, `YYYY-MM-DD`."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the timescales have changed since.")),
    responses(
        (status = 200, description = "The version was replaced.", body = StoredVersion,
            headers(("ETag" = String, description = "The new revision."))),
        (status = 201, description = "The version was added.", body = StoredVersion,
            headers(("ETag" = String, description = "The new revision."),
                    ("Location" = String, description = "The version's URL."))),
        (status = 409, description = "Records received in its time would be at a stage the rules do not have.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The timescales changed since the `If-Match` revision.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/timescales/{effective_from}")]
pub async fn put_timescale_version(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    if_match: IfMatch,
    effective_from: web::Path<NaiveDate>,
    body: ValidJson<TimescaleRules>,
) -> Result<HttpResponse, ApiError> {
    let effective_from = effective_from.into_inner();
    let actor = admin.actor();
    let rules = body.value.rules;
    let result = state
        .db
        .write(move |conn| {
            let before = model::load(conn)?;
            let written = model::put(conn, &actor, &if_match, effective_from, &rules)?;
            if written != Written::Unchanged {
                follow_change(conn, effective_from, &before)?;
            }
            let version = model::find(conn, effective_from)?.ok_or_else(ApiError::not_found)?;
            Ok((written, model::revision(conn)?, version))
        })
        .await;
    state.timescales.invalidate();
    let (written, revision, version) = result?;
    let mut response = if written == Written::Created {
        let mut created = HttpResponse::Created();
        created.insert_header((
            header::LOCATION,
            format!("/api/v1/timescales/{effective_from}"),
        ));
        created
    } else {
        HttpResponse::Ok()
    };
    Ok(response
        .insert_header((header::ETAG, etag(revision)))
        .json(version))
}

/// Remove the version of the timescales in force from `effective_from`
/// (admins): the version before it then applies to the records it covered.
/// 409 for the earliest version, or when complaints received in its time
/// would be at a stage the earlier rules do not have.
#[utoipa::path(
    tag = "timescales",
    params(("effective_from" = NaiveDate, Path, description = "The version's first day, `YYYY-MM-DD`."),
           ("If-Match" = Option<String>, Header, description = "The `ETag` last seen; 412 if the timescales have changed since.")),
    responses(
        (status = 204, description = "The version was removed."),
        (status = 409, description = "The earliest version, or one whose records the earlier rules cannot measure.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The timescales changed since the `If-Match` revision.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/timescales/{effective_from}")]
pub async fn delete_timescale_version(
    state: web::Data<AppState>,
    admin: Authorized<AdminOnly>,
    if_match: IfMatch,
    effective_from: web::Path<NaiveDate>,
) -> Result<HttpResponse, ApiError> {
    let effective_from = effective_from.into_inner();
    let actor = admin.actor();
    let result = state
        .db
        .write(move |conn| {
            let before = model::load(conn)?;
            model::remove(conn, &actor, &if_match, effective_from)?;
            follow_change(conn, effective_from, &before)
        })
        .await;
    state.timescales.invalidate();
    result?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who changed the version in force from `effective_from`, when, and how;
/// oldest first (also after it was removed).
#[utoipa::path(
    tag = "timescales",
    params(("effective_from" = NaiveDate, Path, description = "The version's first day, `YYYY-MM-DD`."), ListParams),
    responses((status = 200, description = "The version's history.", body = HistoryPage))
)]
#[get("/timescales/{effective_from}/history")]
pub async fn get_timescale_version_history(
    state: web::Data<AppState>,
    _user: AuthUser,
    effective_from: web::Path<NaiveDate>,
    page: crate::http::query::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = page.paging(&[])?;
    let id = effective_from.into_inner().to_string();
    let history = state
        .db
        .run(move |conn| {
            let history = audit::history(conn, model::ENTITY, &id, &paging, &[])?;
            if history.total == 0 {
                return Err(ApiError::not_found());
            }
            Ok(history)
        })
        .await?;
    Ok(HttpResponse::Ok().json(history))
}
