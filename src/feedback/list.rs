//! The feedback record list: its filters and query.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::casework::HandlerFilter;
use crate::db::page::{Paging, SortField};
use crate::db::schema::{feedback, feedback_themes};
use crate::db::sql::{contains_pattern, lower, several};
use crate::db::totals;
use crate::db::{DbConnection, MultiBackend};
use crate::error::ApiError;
use crate::feedback::model::FeedbackRow;
use crate::feedback::types::{Channel, Kind, Outcome, Procedure, Relationship, Status};
use crate::records::Scope;

/// Filters of the record list (all optional; dates inclusive).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackFilter {
    /// Only this directorate, or these (codes, comma-separated).
    pub directorate: Option<String>,
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this procedure.
    pub procedure: Option<Procedure>,
    /// Only this stage (1 to 3).
    #[param(minimum = 1, maximum = 3)]
    pub stage: Option<i32>,
    /// Only records with this status.
    pub status: Option<Status>,
    /// Only this outcome.
    pub outcome: Option<Outcome>,
    /// Only this main reason (exact).
    pub category: Option<String>,
    /// Only this detailed reason, or these (exact, comma-separated).
    pub sub_category: Option<String>,
    /// Only this service, or these (exact, comma-separated).
    pub service_area: Option<String>,
    /// Only this team, or these (exact, comma-separated).
    pub team: Option<String>,
    /// Only records with this theme, or with any of these (exact,
    /// comma-separated).
    pub theme: Option<String>,
    /// Only this channel, or these (comma-separated, e.g. `email,phone`).
    pub channel: Option<String>,
    /// Only complainants with this relationship, or these (comma-separated,
    /// e.g. `self,representative`).
    pub relationship: Option<String>,
    /// Received on or after this day.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this day.
    pub received_to: Option<NaiveDate>,
    /// Responded to on or after this day.
    pub responded_from: Option<NaiveDate>,
    /// Responded to on or before this day.
    pub responded_to: Option<NaiveDate>,
    /// `true`: only open records past their due date; `false`: only others.
    pub overdue: Option<bool>,
    /// The CRM's id (exact): how the CRM finds its record.
    pub external_ref: Option<String>,
    /// Only records escalated from this one (a record id).
    pub parent_id: Option<i64>,
    /// Text to find (case-insensitive) in the reference, the summary, or the
    /// complainant's name (not for analysts).
    pub q: Option<String>,
    /// Only the records of this handler: `me`, `none` (unassigned) or a
    /// user's id.
    #[param(example = "me")]
    pub handler: Option<String>,
}

/// made from.)
pub const SORTABLE: &[SortField] = &[
    SortField::new("id", "feedback.id"),
    SortField::new("reference", "feedback.id"),
    SortField::new("received_on", "feedback.received_on"),
    SortField::nullable("responded_on", "feedback.responded_on"),
    SortField::nullable("due_on", "feedback.due_on"),
    SortField::new("created_at", "feedback.created_at"),
    SortField::new("updated_at", "feedback.updated_at"),
    SortField::new("kind", "feedback.kind"),
    SortField::new("directorate", "feedback.directorate"),
];

/// [`SORTABLE`] for the overdue list, which has no record without a due
/// date and so sorts on the due-date index alone.
const SORTABLE_OVERDUE: &[SortField] = &[
    SortField::new("id", "feedback.id"),
    SortField::new("reference", "feedback.id"),
    SortField::new("received_on", "feedback.received_on"),
    SortField::nullable("responded_on", "feedback.responded_on"),
    SortField::new("due_on", "feedback.due_on"),
    SortField::new("created_at", "feedback.created_at"),
    SortField::new("updated_at", "feedback.updated_at"),
    SortField::new("kind", "feedback.kind"),
    SortField::new("directorate", "feedback.directorate"),
];

/// [`several`] for a filter of enum values: 422 naming `field` for a value
/// that is not one.
fn several_of(
    field: &str,
    value: &Option<String>,
    parse: fn(&str) -> Option<&'static str>,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(values) = several(value) else {
        return Ok(None);
    };
    values
        .iter()
        .map(|v| {
            parse(v)
                .map(str::to_string)
                .ok_or_else(|| ApiError::field(field, format!("has an unknown value: {v}")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The enum filters, checked.
struct Checked {
    channels: Option<Vec<String>>,
    relationships: Option<Vec<String>>,
}

impl FeedbackFilter {
    fn checked(&self) -> Result<Checked, ApiError> {
        Ok(Checked {
            channels: several_of("channel", &self.channel, |v| {
                Channel::parse(v).map(Channel::as_str)
            })?,
            relationships: several_of("relationship", &self.relationship, |v| {
                Relationship::parse(v).map(Relationship::as_str)
            })?,
        })
    }
}

fn filtered(
    filter: &FeedbackFilter,
    checked: &Checked,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
    search: TextSearch,
    handler: Option<HandlerFilter>,
) -> feedback::BoxedQuery<'static, MultiBackend> {
    let mut query = feedback::table.into_boxed();
    query = match handler {
        Some(HandlerFilter::Unassigned) => query.filter(feedback::handler_id.is_null()),
        Some(HandlerFilter::User(id)) => query.filter(feedback::handler_id.eq(id)),
        None => query,
    };
    crate::narrow!(query;
        feedback::directorate in scope.clone(),
        feedback::directorate in several(&filter.directorate),
        feedback::sub_category in several(&filter.sub_category),
        feedback::service_area in several(&filter.service_area),
        feedback::team in several(&filter.team),
        feedback::channel in checked.channels.clone(),
        feedback::complainant_relationship in checked.relationships.clone(),
        feedback::kind == filter.kind,
        feedback::procedure == filter.procedure,
        feedback::stage == filter.stage,
        feedback::outcome == filter.outcome,
        feedback::category == filter.category.clone(),
        feedback::received_on >= filter.received_from,
        feedback::received_on <= filter.received_to,
        feedback::responded_on >= filter.responded_from,
        feedback::responded_on <= filter.responded_to,
        feedback::external_ref == filter.external_ref.clone(),
        feedback::parent_id == filter.parent_id,
        feedback::updated_at >= paging.updated_since,
    );
    if let Some(themes) = several(&filter.theme) {
        query = query.filter(
            feedback::id.eq_any(
                feedback_themes::table
                    .filter(feedback_themes::theme.eq_any(themes))
                    .select(feedback_themes::feedback_id),
            ),
        );
    }
    query = match filter.status {
        Some(Status::Open) => query
            .filter(feedback::responded_on.is_null())
            .filter(feedback::closed_on.is_null()),
        Some(Status::Responded) => query
            .filter(feedback::responded_on.is_not_null())
            .filter(feedback::closed_on.is_null()),
        Some(Status::Closed) => query.filter(feedback::closed_on.is_not_null()),
        None => query,
    };
    query = match filter.overdue {
        Some(true) => query
            .filter(feedback::responded_on.is_null())
            .filter(feedback::due_on.lt(today)),
        Some(false) => query.filter(
            feedback::responded_on
                .is_not_null()
                .or(feedback::due_on.is_null())
                .or(feedback::due_on.ge(today)),
        ),
        None => query,
    };
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        let trigram = search
            .trigram_index
            .then(|| trigram_phrase(q, search.names));
        if let Some(phrase) = trigram.flatten() {
            // The FTS5 trigram index (SQLite migration 000026): the same
            // case-insensitive substring match, without reading every record.
            let matching = diesel::dsl::sql::<diesel::sql_types::Bool>(
                "feedback.id IN (SELECT rowid FROM feedback_search WHERE feedback_search MATCH ",
            )
            .bind::<diesel::sql_types::Text, _>(phrase)
            .sql(")");
            return query.filter(matching);
        }
        let pattern = contains_pattern(q);
        let text = lower(feedback::reference)
            .like(pattern.clone())
            .escape('\\')
            .or(lower(feedback::summary).like(pattern.clone()).escape('\\'));
        query = if search.names {
            query.filter(text.or(lower(feedback::complainant_name).like(pattern).escape('\\')))
        } else {
            query.filter(text)
        };
    }
    query
}

/// How `q` searches.
#[derive(Debug, Clone, Copy)]
struct TextSearch {
    /// Whether it searches the complainant's name too.
    names: bool,
    /// Whether the trigram index answers it (SQLite's FTS5 table).
    trigram_index: bool,
}

/// The FTS5 query for `q` on the trigram index: the text as one phrase (a
/// substring of any column searched), over the reference and the summary,
/// and the complainant's name when the caller may search names. None for
/// text shorter than a trigram, which the index cannot find: it is searched
/// by reading every record, as on PostgreSQL without `pg_trgm`.
fn trigram_phrase(q: &str, search_names: bool) -> Option<String> {
    if q.chars().count() < 3 {
        return None;
    }
    let phrase = format!("\"{}\"", q.replace('"', "\"\""));
    Some(if search_names {
        phrase
    } else {
        format!("{{reference summary}} : {phrase}")
    })
}

/// A page of records and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &FeedbackFilter,
    scope: &Scope,
    paging: &Paging,
    today: NaiveDate,
    search_names: bool,
    handler: Option<HandlerFilter>,
) -> Result<(Vec<FeedbackRow>, i64), ApiError> {
    // The overdue list has no record without a due date, and sorts on the
    // due-date index alone.
    let fields = if filter.overdue == Some(true) {
        SORTABLE_OVERDUE
    } else {
        SORTABLE
    };
    let checked = filter.checked()?;
    let search = TextSearch {
        names: search_names,
        trigram_index: matches!(conn, DbConnection::Sqlite(_)),
    };
    let query = || filtered(filter, &checked, scope, paging, today, search, handler);
    // Everything that decides which records are counted.
    let key = format!(
        "{filter:?}|{scope:?}|{:?}|{today}|{search:?}|{handler:?}",
        paging.updated_since
    );
    Ok(crate::page!(
        conn,
        query(),
        paging,
        fields,
        "feedback.id",
        FeedbackRow,
        total: totals::total(conn, "feedback", &key, |conn| {
            Ok(query().count().get_result(conn)?)
        })?
    ))
}
