//! What the retention schedule makes due on a day: each record, case,
//! improvement and document whose rule's time is up, with the rule, and
//! whether a legal hold keeps it.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::holds;
use super::schedule::{RetainedEntity, RetentionAction, RetentionRule};
use crate::db::schema::{documents, feedback, ombudsman_cases, service_improvements};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::{Kind, Procedure};

/// Something a retention run on `as_of` would touch.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DueItem {
    /// What it is.
    pub entity: RetainedEntity,
    /// Its id.
    pub id: i64,
    /// Its directorate.
    pub directorate: String,
    /// When it closed (for a document, its record).
    pub closed_on: NaiveDate,
    /// When its rule made it due.
    pub due_on: NaiveDate,
    /// What the run does.
    pub action: RetentionAction,
    /// The rule's position in the schedule (from 0).
    pub rule: usize,
    /// The legal hold's reason when one keeps it: the run skips it.
    pub legal_hold: Option<String>,
}

/// What a record is, as the rules see it.
struct Candidate {
    entity: RetainedEntity,
    id: i64,
    directorate: String,
    kind: Option<Kind>,
    procedure: Option<Procedure>,
    closed_on: NaiveDate,
    redacted: bool,
}

/// The rule that applies to `c`: the most specific that fits, the first
/// among equals.
fn rule_for<'r>(rules: &'r [RetentionRule], c: &Candidate) -> Option<(usize, &'r RetentionRule)> {
    let mut best: Option<(usize, &RetentionRule)> = None;
    for (i, rule) in rules.iter().enumerate() {
        let fits = rule.entity == c.entity
            && rule
                .directorate
                .as_ref()
                .is_none_or(|d| *d == c.directorate)
            && rule.kind.is_none_or(|k| Some(k) == c.kind)
            && rule.procedure.is_none_or(|p| Some(p) == c.procedure);
        if fits && best.is_none_or(|(_, b)| rule.specificity() > b.specificity()) {
            best = Some((i, rule));
        }
    }
    best
}

/// The feedback records closed (or responded to) by `as_of`.
fn feedback_candidates(
    conn: &mut DbConnection,
    as_of: NaiveDate,
) -> Result<Vec<Candidate>, ApiError> {
    type Row = (
        i64,
        String,
        String,
        Option<String>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = feedback::table
        .filter(
            feedback::closed_on.le(as_of).or(feedback::closed_on
                .is_null()
                .and(feedback::responded_on.le(as_of))),
        )
        .select((
            feedback::id,
            feedback::directorate,
            feedback::kind,
            feedback::procedure,
            feedback::closed_on,
            feedback::responded_on,
            feedback::redacted_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, directorate, kind, procedure, closed, responded, redacted)| {
                Some(Candidate {
                    entity: RetainedEntity::Feedback,
                    id,
                    directorate,
                    kind: Kind::parse(&kind),
                    procedure: procedure.as_deref().and_then(Procedure::parse),
                    closed_on: closed.or(responded)?,
                    redacted: redacted.is_some(),
                })
            },
        )
        .collect())
}

/// The Ombudsman cases decided by `as_of`: closed on the later of the
/// decision and the compliance outcome.
fn case_candidates(conn: &mut DbConnection, as_of: NaiveDate) -> Result<Vec<Candidate>, ApiError> {
    type Row = (
        i64,
        String,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = ombudsman_cases::table
        .filter(ombudsman_cases::decided_on.le(as_of))
        .select((
            ombudsman_cases::id,
            ombudsman_cases::directorate,
            ombudsman_cases::decided_on,
            ombudsman_cases::compliance_recorded_on,
            ombudsman_cases::redacted_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, directorate, decided, compliance, redacted)| {
            Some(Candidate {
                entity: RetainedEntity::OmbudsmanCase,
                id,
                directorate,
                kind: None,
                procedure: None,
                closed_on: decided?.max(compliance.unwrap_or(NaiveDate::MIN)),
                redacted: redacted.is_some(),
            })
        })
        .collect())
}

/// The service improvements completed by `as_of`.
fn improvement_candidates(
    conn: &mut DbConnection,
    as_of: NaiveDate,
) -> Result<Vec<Candidate>, ApiError> {
    let rows: Vec<(i64, String, Option<NaiveDate>, Option<NaiveDateTime>)> =
        service_improvements::table
            .filter(service_improvements::completed_on.le(as_of))
            .select((
                service_improvements::id,
                service_improvements::directorate,
                service_improvements::completed_on,
                service_improvements::redacted_at,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, directorate, completed, redacted)| {
            Some(Candidate {
                entity: RetainedEntity::ServiceImprovement,
                id,
                directorate,
                kind: None,
                procedure: None,
                closed_on: completed?,
                redacted: redacted.is_some(),
            })
        })
        .collect())
}

/// The documents (with content) of the records and cases in `closed`,
/// closed when their record closed.
fn document_candidates(
    conn: &mut DbConnection,
    closed: &HashMap<(RetainedEntity, i64), &Candidate>,
) -> Result<Vec<(Candidate, RetainedEntity, i64)>, ApiError> {
    let rows: Vec<(i64, String, i64, Option<String>)> = documents::table
        .filter(documents::redacted_at.is_null())
        .select((
            documents::id,
            documents::entity,
            documents::record_id,
            documents::directorate,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, entity, record_id, directorate)| {
            let parent = RetainedEntity::parse(&entity)?;
            let record = closed.get(&(parent, record_id))?;
            // A document of the whole council (a Code year's) belongs to no
            // record, and is kept.
            let directorate = directorate?;
            Some((
                Candidate {
                    entity: RetainedEntity::Document,
                    id,
                    directorate,
                    kind: record.kind,
                    procedure: record.procedure,
                    closed_on: record.closed_on,
                    redacted: false,
                },
                parent,
                record_id,
            ))
        })
        .collect())
}

/// The complainants' dates of birth of the feedback records `ids`.
fn dates_of_birth(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, NaiveDate>, ApiError> {
    let mut born = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, Option<String>)> = feedback::table
            .filter(feedback::id.eq_any(chunk))
            .select((feedback::id, feedback::complainant))
            .load(conn)?;
        for (id, complainant) in rows {
            let date = complainant
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .and_then(|c| c["date_of_birth"].as_str().and_then(|d| d.parse().ok()));
            if let Some(date) = date {
                born.insert(id, date);
            }
        }
    }
    Ok(born)
}

/// Everything the schedule `rules` makes due on `as_of`, by due date.
pub fn due(
    conn: &mut DbConnection,
    rules: &[RetentionRule],
    as_of: NaiveDate,
) -> Result<Vec<DueItem>, ApiError> {
    let mut records = feedback_candidates(conn, as_of)?;
    records.extend(case_candidates(conn, as_of)?);
    records.extend(improvement_candidates(conn, as_of)?);
    let by_key: HashMap<(RetainedEntity, i64), &Candidate> =
        records.iter().map(|c| ((c.entity, c.id), c)).collect();
    let documents = document_candidates(conn, &by_key)?;
    let by_age: Vec<i64> = records
        .iter()
        .filter(|c| rule_for(rules, c).is_some_and(|(_, r)| r.until_age.is_some()))
        .map(|c| c.id)
        .collect();
    let born = dates_of_birth(conn, &by_age)?;
    let held = holds::all(conn)?;

    let mut items = Vec::new();
    let mut consider =
        |c: &Candidate, hold_key: (RetainedEntity, i64), born_on: Option<NaiveDate>| {
            let Some((index, rule)) = rule_for(rules, c) else {
                return;
            };
            if rule.action == RetentionAction::Anonymise && c.redacted {
                return;
            }
            let due_on = rule.due_on(c.closed_on, born_on);
            if due_on > as_of {
                return;
            }
            items.push(DueItem {
                entity: c.entity,
                id: c.id,
                directorate: c.directorate.clone(),
                closed_on: c.closed_on,
                due_on,
                action: rule.action,
                rule: index,
                legal_hold: held.get(&hold_key).cloned(),
            });
        };
    for c in &records {
        let born_on = (c.entity == RetainedEntity::Feedback)
            .then(|| born.get(&c.id).copied())
            .flatten();
        consider(c, (c.entity, c.id), born_on);
    }
    for (c, parent, record_id) in &documents {
        consider(c, (*parent, *record_id), None);
    }
    items.sort_by_key(|item| (item.due_on, item.entity, item.id));
    Ok(items)
}
