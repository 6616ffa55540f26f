//! Ombudsman cases in the database, with their information requests and
//! recommendations, and their place in the record core.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::audit::redaction::{Field, Policy};
use crate::audit::Action;
use crate::auth::AuthUser;
use crate::db::schema::{
    ombudsman_case_themes as case_themes, ombudsman_cases, ombudsman_decisions as rounds,
    ombudsman_information_requests as requests, ombudsman_recommendations as recs,
};
use crate::db::DbConnection;
use crate::error::{ApiError, FieldErrors};
use crate::ombudsman::compliance::{self, Deadline};
use crate::ombudsman::fields::{CaseInput, InformationRequest, RecommendationInput};
use crate::ombudsman::types::{
    Compliance, Decision, DecisionBucket, Ombudsman, RecommendationKind,
};
use crate::records::{self, store, Link, Proposal, Record, Write};
use crate::users::Role;

/// The audit log's name for Ombudsman cases.
pub const ENTITY: &str = "ombudsman_case";

crate::record_row!(
    /// A row of `ombudsman_cases`.
    pub struct CaseRow in ombudsman_cases {
        /// Which Ombudsman.
        pub ombudsman: Ombudsman,
        /// `NN NNN NNN`.
        pub reference: String,
        /// Directorate code.
        pub directorate: String,
        /// The complaint it follows.
        pub feedback_id: Option<i64>,
        /// The Ombudsman's category.
        pub category: Option<String>,
        /// The Ombudsman's sub-category.
        pub sub_category: Option<String>,
        /// First contact from the Ombudsman.
        pub received_on: NaiveDate,
        /// What the case is about.
        pub summary: Option<String>,
        /// Whether the Ombudsman issued a witness summons (derived from
        /// `witness_summons_on`).
        pub witness_summons: bool,
        /// The decision.
        pub decision: Option<Decision>,
        /// The decision's statistics group (derived from it).
        pub decision_bucket: Option<DecisionBucket>,
        /// When it was decided.
        pub decided_on: Option<NaiveDate>,
        /// Remedied by the council before the Ombudsman looked.
        pub remedied_before_ombudsman: bool,
        /// Whether the Ombudsman published a report.
        pub public_report: bool,
        /// The report's title.
        pub public_report_title: Option<String>,
        /// The compliance outcome in force (a manager's, else derived).
        pub compliance_outcome: Option<Compliance>,
        /// When it was recorded.
        pub compliance_recorded_on: Option<NaiveDate>,
        /// Whether a manager set it.
        pub compliance_explicit: bool,
        /// When the Ombudsman reminded the council of its power to summon
        /// witnesses.
        pub witness_summons_warned_on: Option<NaiveDate>,
        /// When the Ombudsman issued a witness summons.
        pub witness_summons_on: Option<NaiveDate>,
        /// The service the case is about.
        pub service_area: Option<String>,
        /// When the public report was published.
        pub public_report_on: Option<NaiveDate>,
        /// Who handles it (`POST /ombudsman-cases/{id}/assign`).
        pub handler_id: Option<i64>,
        /// The investigator, when a user of the service.
        pub investigator_id: Option<i64>,
        /// The investigator, when external (a name).
        pub investigator_name: Option<String>,
}
);

/// A row of `ombudsman_decisions`: one round of the Ombudsman's decision on
/// a case. Round 1 is its first decision; each later round was opened by a
/// re-opening and is undecided until the Ombudsman decides again.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rounds)]
pub struct DecisionRow {
    /// Id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// 1 for the first decision, then 2, 3, … for each re-opening.
    pub round: i32,
    /// The decision; null while the round is open.
    pub decision: Option<Decision>,
    /// The decision's statistics group (derived from it).
    pub decision_bucket: Option<DecisionBucket>,
    /// When it was decided.
    pub decided_on: Option<NaiveDate>,
    /// Remedied by the council before the Ombudsman looked.
    pub remedied_before_ombudsman: bool,
    /// When the Ombudsman re-opened the case, opening this round (null for
    /// round 1).
    pub reopened_on: Option<NaiveDate>,
}

/// A row of `ombudsman_information_requests`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = requests)]
pub struct RequestRow {
    /// Id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// Order within the case.
    pub position: i32,
    /// When the Ombudsman asked.
    pub requested_on: NaiveDate,
    /// When the answer is due.
    pub due_on: NaiveDate,
    /// When the council answered.
    pub provided_on: Option<NaiveDate>,
    /// When the council asked for more time.
    pub extension_requested_on: Option<NaiveDate>,
    /// The due date the Ombudsman agreed to instead.
    pub extended_due_on: Option<NaiveDate>,
}

impl RequestRow {
    /// The due date in force: the extended one, if agreed.
    pub fn due_by(&self) -> NaiveDate {
        self.extended_due_on.unwrap_or(self.due_on)
    }

    /// Its deadline: the due date in force.
    pub fn deadline(&self) -> Deadline {
        Deadline {
            due_on: Some(self.due_by()),
            completed_on: self.provided_on,
        }
    }

    /// Whether the council asked for more time on or after the original
    /// due date.
    pub fn extension_requested_late(&self) -> bool {
        self.extension_requested_on
            .is_some_and(|asked| asked >= self.due_on)
    }
}

/// A row of `ombudsman_recommendations`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = recs)]
pub struct RecommendationRow {
    /// Id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// Order within the case.
    pub position: i32,
    /// What kind of remedy.
    pub kind: RecommendationKind,
    /// What exactly.
    pub description: Option<String>,
    /// Any payment, in pence.
    pub amount_pence: Option<i64>,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// When it was done.
    pub completed_on: Option<NaiveDate>,
}

impl RecommendationRow {
    /// Its deadline.
    pub fn deadline(&self) -> Deadline {
        Deadline {
            due_on: self.due_on,
            completed_on: self.completed_on,
        }
    }
}

/// A case with its decision rounds, requests and recommendations.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    /// The case.
    pub row: CaseRow,
    /// Its decision rounds, in order: none until it is first decided.
    pub decisions: Vec<DecisionRow>,
    /// Its information requests, in order.
    pub requests: Vec<RequestRow>,
    /// Its recommendations, in order.
    pub recommendations: Vec<RecommendationRow>,
    /// Its themes, in alphabetical order.
    pub themes: Vec<String>,
}

impl CaseRecord {
    /// The writable fields, as they were sent (the compliance outcome only
    /// when a manager set it).
    pub fn fields(&self) -> CaseInput {
        let row = &self.row;
        CaseInput {
            ombudsman: row.ombudsman,
            reference: row.reference.clone(),
            directorate: row.directorate.clone(),
            feedback_id: row.feedback_id,
            category: row.category.clone(),
            sub_category: row.sub_category.clone(),
            received_on: row.received_on,
            summary: row.summary.clone(),
            information_requests: self.requests.iter().map(InformationRequest::from).collect(),
            witness_summons: None,
            witness_summons_warned_on: row.witness_summons_warned_on,
            witness_summons_on: row.witness_summons_on,
            decision: row.decision,
            decided_on: row.decided_on,
            remedied_before_ombudsman: row.remedied_before_ombudsman,
            reopened_on: self.decisions.last().and_then(|d| d.reopened_on),
            public_report: row.public_report,
            public_report_title: row.public_report_title.clone(),
            public_report_on: row.public_report_on,
            service_area: row.service_area.clone(),
            themes: self.themes.clone(),
            recommendations: self
                .recommendations
                .iter()
                .map(RecommendationInput::from)
                .collect(),
            compliance_outcome: row.compliance_outcome.filter(|_| row.compliance_explicit),
            compliance_recorded_on: row
                .compliance_recorded_on
                .filter(|_| row.compliance_explicit),
        }
    }
}

impl From<&RequestRow> for InformationRequest {
    fn from(r: &RequestRow) -> Self {
        InformationRequest {
            requested_on: r.requested_on,
            due_on: r.due_on,
            provided_on: r.provided_on,
            extension_requested_on: r.extension_requested_on,
            extended_due_on: r.extended_due_on,
        }
    }
}

impl From<&RecommendationRow> for RecommendationInput {
    fn from(r: &RecommendationRow) -> Self {
        RecommendationInput {
            id: Some(r.id),
            kind: r.kind,
            description: r.description.clone(),
            amount_pence: r.amount_pence,
            due_on: r.due_on,
            completed_on: r.completed_on,
        }
    }
}

/// The directorate of case `id`, if it exists.
pub fn directorate_of(conn: &mut DbConnection, id: i64) -> Result<Option<String>, ApiError> {
    Ok(ombudsman_cases::table
        .find(id)
        .select(ombudsman_cases::directorate)
        .get_result(conn)
        .optional()?)
}

/// The cases of `rows` with their decision rounds, requests and
/// recommendations (three queries for any number of cases).
pub fn with_children(
    conn: &mut DbConnection,
    rows: Vec<CaseRow>,
) -> Result<Vec<CaseRecord>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut round_rows: HashMap<i64, Vec<DecisionRow>> = HashMap::new();
    for r in rounds::table
        .filter(rounds::case_id.eq_any(&ids))
        .order((rounds::case_id, rounds::round))
        .select(DecisionRow::as_select())
        .load(conn)?
    {
        round_rows.entry(r.case_id).or_default().push(r);
    }
    let mut request_rows: HashMap<i64, Vec<RequestRow>> = HashMap::new();
    for r in requests::table
        .filter(requests::case_id.eq_any(&ids))
        .order((requests::case_id, requests::position))
        .select(RequestRow::as_select())
        .load(conn)?
    {
        request_rows.entry(r.case_id).or_default().push(r);
    }
    let mut theme_rows: HashMap<i64, Vec<String>> = HashMap::new();
    for (case_id, theme) in case_themes::table
        .filter(case_themes::case_id.eq_any(&ids))
        .order((case_themes::case_id, case_themes::theme))
        .select((case_themes::case_id, case_themes::theme))
        .load::<(i64, String)>(conn)?
    {
        theme_rows.entry(case_id).or_default().push(theme);
    }
    let mut rec_rows: HashMap<i64, Vec<RecommendationRow>> = HashMap::new();
    for r in recs::table
        .filter(recs::case_id.eq_any(&ids))
        .order((recs::case_id, recs::position))
        .select(RecommendationRow::as_select())
        .load(conn)?
    {
        rec_rows.entry(r.case_id).or_default().push(r);
    }
    Ok(rows
        .into_iter()
        .map(|row| CaseRecord {
            decisions: round_rows.remove(&row.id).unwrap_or_default(),
            requests: request_rows.remove(&row.id).unwrap_or_default(),
            recommendations: rec_rows.remove(&row.id).unwrap_or_default(),
            themes: theme_rows.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// 409 when another case has `reference`.
fn check_reference_free(
    conn: &mut DbConnection,
    reference: &str,
    own_id: Option<i64>,
) -> Result<(), ApiError> {
    let existing: Option<i64> = ombudsman_cases::table
        .filter(ombudsman_cases::reference.eq(reference))
        .select(ombudsman_cases::id)
        .get_result(conn)
        .optional()?;
    records::ensure_free(existing, own_id, || {
        format!("An Ombudsman case with reference {reference} already exists.")
    })
}

/// The columns written from a case's fields: the fields stored as they
/// are, and those derived from them (the decision's group, the compliance
/// outcome in force).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = ombudsman_cases, treat_none_as_null = true)]
struct Columns {
    ombudsman: Ombudsman,
    reference: String,
    directorate: String,
    feedback_id: Option<i64>,
    category: Option<String>,
    sub_category: Option<String>,
    received_on: NaiveDate,
    summary: Option<String>,
    witness_summons: bool,
    witness_summons_warned_on: Option<NaiveDate>,
    witness_summons_on: Option<NaiveDate>,
    decision: Option<Decision>,
    decision_bucket: Option<DecisionBucket>,
    decided_on: Option<NaiveDate>,
    remedied_before_ombudsman: bool,
    public_report: bool,
    public_report_title: Option<String>,
    public_report_on: Option<NaiveDate>,
    service_area: Option<String>,
    compliance_outcome: Option<Compliance>,
    compliance_recorded_on: Option<NaiveDate>,
    compliance_explicit: bool,
}

impl Columns {
    fn of(input: &CaseInput, today: NaiveDate) -> Columns {
        let (compliance_outcome, compliance_recorded_on, compliance_explicit) =
            compliance_of(input, today);
        let input = input.clone();
        Columns {
            ombudsman: input.ombudsman,
            reference: input.reference,
            directorate: input.directorate,
            feedback_id: input.feedback_id,
            category: input.category,
            sub_category: input.sub_category,
            received_on: input.received_on,
            summary: input.summary,
            witness_summons: input.witness_summons_on.is_some(),
            witness_summons_warned_on: input.witness_summons_warned_on,
            witness_summons_on: input.witness_summons_on,
            decision: input.decision,
            decision_bucket: input.decision.map(Decision::bucket),
            decided_on: input.decided_on,
            remedied_before_ombudsman: input.remedied_before_ombudsman,
            public_report: input.public_report,
            public_report_title: input.public_report_title,
            public_report_on: input.public_report_on,
            service_area: input.service_area,
            compliance_outcome,
            compliance_recorded_on,
            compliance_explicit,
        }
    }
}

/// The compliance outcome in force: the manager's (recorded today unless
/// they gave the day), else the one derived from the recommendations.
fn compliance_of(
    input: &CaseInput,
    today: NaiveDate,
) -> (Option<Compliance>, Option<NaiveDate>, bool) {
    if let Some(outcome) = input.compliance_outcome {
        return (
            Some(outcome),
            Some(input.compliance_recorded_on.unwrap_or(today)),
            true,
        );
    }
    let deadlines: Vec<Deadline> = input
        .recommendations
        .iter()
        .map(|r| Deadline {
            due_on: r.due_on,
            completed_on: r.completed_on,
        })
        .collect();
    match compliance::derive(&deadlines) {
        Some((outcome, on)) => (Some(outcome), Some(on), false),
        None => (None, None, false),
    }
}

/// Write the case's requests and recommendations: requests are replaced;
/// recommendations sent with an id update that one (it must be the case's),
/// those without are added, and those not sent are removed.
fn write_children(
    conn: &mut DbConnection,
    case_id: i64,
    input: &CaseInput,
    existing: &[RecommendationRow],
) -> Result<(), ApiError> {
    write_latest_round(conn, case_id, input)?;
    diesel::delete(case_themes::table.filter(case_themes::case_id.eq(case_id))).execute(conn)?;
    let themes: std::collections::BTreeSet<&String> = input.themes.iter().collect();
    for theme in themes {
        diesel::insert_into(case_themes::table)
            .values((
                case_themes::case_id.eq(case_id),
                case_themes::theme.eq(theme),
            ))
            .execute(conn)?;
    }
    diesel::delete(requests::table.filter(requests::case_id.eq(case_id))).execute(conn)?;
    for (position, request) in input.information_requests.iter().enumerate() {
        diesel::insert_into(requests::table)
            .values((
                requests::case_id.eq(case_id),
                requests::position.eq(position as i32),
                requests::requested_on.eq(request.requested_on),
                requests::due_on.eq(request.due_on),
                requests::provided_on.eq(request.provided_on),
                requests::extension_requested_on.eq(request.extension_requested_on),
                requests::extended_due_on.eq(request.extended_due_on),
            ))
            .execute(conn)?;
    }
    let mut errors = FieldErrors::new();
    for (i, rec) in input.recommendations.iter().enumerate() {
        if rec
            .id
            .is_some_and(|id| !existing.iter().any(|r| r.id == id))
        {
            errors.add(
                format!("recommendations[{i}].id"),
                "is not a recommendation of this case",
            );
        }
    }
    errors.into_result()?;
    let kept: Vec<i64> = input.recommendations.iter().filter_map(|r| r.id).collect();
    diesel::delete(
        recs::table
            .filter(recs::case_id.eq(case_id))
            .filter(recs::id.ne_all(&kept)),
    )
    .execute(conn)?;
    for (position, rec) in input.recommendations.iter().enumerate() {
        let values = (
            recs::position.eq(position as i32),
            recs::kind.eq(rec.kind),
            recs::description.eq(&rec.description),
            recs::amount_pence.eq(rec.amount_pence),
            recs::due_on.eq(rec.due_on),
            recs::completed_on.eq(rec.completed_on),
        );
        match rec.id {
            Some(id) => diesel::update(recs::table.find(id))
                .set(values)
                .execute(conn)?,
            None => diesel::insert_into(recs::table)
                .values((recs::case_id.eq(case_id), values))
                .execute(conn)?,
        };
    }
    Ok(())
}

/// The case's latest round, as it is in the database now.
fn latest_round(conn: &mut DbConnection, case_id: i64) -> Result<Option<DecisionRow>, ApiError> {
    Ok(rounds::table
        .filter(rounds::case_id.eq(case_id))
        .order(rounds::round.desc())
        .select(DecisionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Write the case's decision fields to its latest round: a first decision
/// makes round 1; clearing the decision of a case never re-opened removes
/// it; otherwise the latest round is corrected (earlier rounds stay as they
/// were decided).
fn write_latest_round(
    conn: &mut DbConnection,
    case_id: i64,
    input: &CaseInput,
) -> Result<(), ApiError> {
    let values = (
        rounds::decision.eq(input.decision),
        rounds::decision_bucket.eq(input.decision.map(Decision::bucket)),
        rounds::decided_on.eq(input.decided_on),
        rounds::remedied_before_ombudsman.eq(input.remedied_before_ombudsman),
    );
    match latest_round(conn, case_id)? {
        None if input.decision.is_none() => {}
        None => {
            diesel::insert_into(rounds::table)
                .values((rounds::case_id.eq(case_id), rounds::round.eq(1), values))
                .execute(conn)?;
        }
        Some(latest) if latest.round == 1 && input.decision.is_none() => {
            diesel::delete(rounds::table.find(latest.id)).execute(conn)?;
        }
        Some(latest) => {
            let reopened_on = if latest.round > 1 {
                input.reopened_on
            } else {
                None
            };
            diesel::update(rounds::table.find(latest.id))
                .set((values, rounds::reopened_on.eq(reopened_on)))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Check the decision fields against the case's rounds (422): only a
/// re-opened case has a `reopened_on`, which cannot be cleared nor be
/// before the previous round's decision; recommendations and a compliance
/// outcome need an upheld round (the latest, or an earlier one of a
/// re-opened case).
fn check_rounds(input: &CaseInput, current: Option<&CaseRecord>, errors: &mut FieldErrors) {
    let rounds = current.map_or(&[][..], |c| c.decisions.as_slice());
    let (reopened, earlier) = match rounds.split_last() {
        Some((latest, earlier)) => (latest.round > 1, earlier),
        None => (false, &[][..]),
    };
    match (reopened, input.reopened_on) {
        (false, Some(_)) => errors.add(
            "reopened_on",
            "only a re-opened case has one: POST /api/v1/ombudsman-cases/{id}/reopen re-opens a decided case",
        ),
        (true, None) => errors.add(
            "reopened_on",
            "cannot be cleared: the case was re-opened and its earlier decisions stay",
        ),
        (true, Some(on)) => {
            if let Some(previous) = earlier.last().and_then(|p| p.decided_on) {
                if on < previous {
                    errors.add(
                        "reopened_on",
                        format!("must not be before the previous decision's decided_on ({previous})"),
                    );
                }
            }
        }
        (false, None) => {}
    }
    let upheld = input.decision == Some(Decision::Upheld)
        || earlier.iter().any(|r| r.decision == Some(Decision::Upheld));
    if !upheld {
        if !input.recommendations.is_empty() && !errors.has("recommendations") {
            errors.add("recommendations", "only apply to an upheld decision");
        }
        if input.compliance_outcome.is_some() && !errors.has("compliance_outcome") {
            errors.add("compliance_outcome", "only applies to an upheld decision");
        }
    }
}

/// Re-open the decided case `current` (locked) on `reopened_on`, on behalf
/// of `user`: a new round opens, undecided, and the case's decision fields
/// (its latest round's) are empty until the Ombudsman decides again. The
/// earlier rounds stay, each counted in the year of its own decision. 409
/// when the latest round is undecided; 422 when `reopened_on` is before its
/// decision.
pub fn reopen(
    conn: &mut DbConnection,
    user: &AuthUser,
    current: &CaseRecord,
    reopened_on: NaiveDate,
    today: NaiveDate,
) -> Result<CaseRecord, ApiError> {
    let after = open_round(conn, current, reopened_on)?;
    store::transition(conn, user, current, &after, &today, Action::Reopen)
}

/// Re-open `current` as [`reopen`] does, by `actor` outside a request (demo
/// data, imports): no permission checks.
pub fn import_reopening(
    conn: &mut DbConnection,
    actor: &crate::audit::Actor,
    current: &CaseRecord,
    reopened_on: NaiveDate,
    today: NaiveDate,
) -> Result<CaseRecord, ApiError> {
    let after = open_round(conn, current, reopened_on)?;
    store::transition_as(conn, actor, current, &after, &today, Action::Reopen)
}

/// Open the round after `current`'s latest, decided one, on `reopened_on`
/// (409, 422 as [`reopen`] says), and return the case's fields with it.
fn open_round(
    conn: &mut DbConnection,
    current: &CaseRecord,
    reopened_on: NaiveDate,
) -> Result<CaseInput, ApiError> {
    let decided_on = match (current.row.decision, current.row.decided_on) {
        (Some(_), Some(decided_on)) => decided_on,
        _ => {
            return Err(ApiError::Conflict(
                "The case has no decision to re-open: it is still waiting for the Ombudsman's decision."
                    .into(),
            ))
        }
    };
    if reopened_on < decided_on {
        return Err(ApiError::field(
            "reopened_on",
            format!("must not be before the latest decision's decided_on ({decided_on})"),
        ));
    }
    let round = current.decisions.last().map_or(1, |d| d.round) + 1;
    diesel::insert_into(rounds::table)
        .values((
            rounds::case_id.eq(current.row.id),
            rounds::round.eq(round),
            rounds::remedied_before_ombudsman.eq(false),
            rounds::reopened_on.eq(Some(reopened_on)),
        ))
        .execute(conn)?;
    let mut after = current.input();
    after.decision = None;
    after.decided_on = None;
    after.remedied_before_ombudsman = false;
    after.reopened_on = Some(reopened_on);
    Ok(after)
}

/// What redaction blanks in a case: its free text. The Ombudsman's
/// reference, categories, dates, decision, amounts and compliance stay.
pub const REDACTION: Policy = Policy {
    entity: ENTITY,
    fields: &[
        Field::Text("summary"),
        Field::Text("public_report_title"),
        Field::ObjectList("recommendations", &["description"]),
    ],
};

/// The fields only managers (and admins) may set: the decision and compliance.
fn decision_of(c: &CaseInput) -> impl PartialEq {
    (
        c.decision,
        c.decided_on,
        c.remedied_before_ombudsman,
        c.compliance_outcome,
        c.compliance_recorded_on,
    )
}

impl Record for CaseRecord {
    // The context is the day a manager's compliance outcome counts as
    // recorded when they give none.
    crate::record_basics!(entity ENTITY, table ombudsman_cases, redaction REDACTION,
        input CaseInput, context NaiveDate, id row.id, version row.version, fields row);

    fn input(&self) -> CaseInput {
        self.fields()
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Self>, ApiError> {
        let row = crate::record_sql!(find ombudsman_cases as CaseRow, conn, id)?;
        Ok(with_children(conn, row.into_iter().collect())?.pop())
    }
    fn insert(conn: &mut DbConnection, new: Write<'_, Self>) -> Result<i64, ApiError> {
        let input = new.input;
        if input.recommendations.iter().any(|r| r.id.is_some()) {
            return Err(ApiError::field(
                "recommendations",
                "a new case's recommendations have no ids yet",
            ));
        }
        check_reference_free(conn, &input.reference, None)?;
        let mut columns = Columns::of(input, *new.context);
        if columns.service_area.is_none() {
            // The service of the complaint the case follows.
            if let Some(complaint) = input.feedback_id {
                columns.service_area = crate::db::schema::feedback::table
                    .find(complaint)
                    .select(crate::db::schema::feedback::service_area)
                    .get_result::<Option<String>>(conn)
                    .optional()?
                    .flatten();
            }
        }
        let id = crate::record_sql!(insert ombudsman_cases, conn, columns, new.stamp)?;
        write_children(conn, id, input, &[])?;
        if input.themes.is_empty() {
            if let Some(complaint) = input.feedback_id {
                // The themes of the complaint the case follows.
                diesel::sql_query(
                    "INSERT INTO ombudsman_case_themes (case_id, theme) \
                     SELECT $1, theme FROM feedback_themes WHERE feedback_id = $2",
                )
                .bind::<diesel::sql_types::BigInt, _>(id)
                .bind::<diesel::sql_types::BigInt, _>(complaint)
                .execute(conn)?;
            }
        }
        Ok(id)
    }
    fn write(&self, conn: &mut DbConnection, change: Write<'_, Self>) -> Result<(), ApiError> {
        let (id, version) = (self.row.id, self.row.version);
        check_reference_free(conn, &change.input.reference, Some(id))?;
        let columns = Columns::of(change.input, *change.context);
        crate::record_sql!(update ombudsman_cases, conn, id, version, columns, change.stamp)?;
        write_children(conn, id, change.input, &self.recommendations)
    }

    /// Only managers record the Ombudsman's decision and compliance.
    fn authorize(
        user: &AuthUser,
        before: Option<&CaseInput>,
        after: &CaseInput,
    ) -> Result<(), ApiError> {
        let changed = match before {
            Some(before) => decision_of(before) != decision_of(after),
            None => {
                after.decision.is_some()
                    || after.decided_on.is_some()
                    || after.remedied_before_ombudsman
                    || after.compliance_outcome.is_some()
                    || after.compliance_recorded_on.is_some()
            }
        };
        if changed && !matches!(user.role, Role::Admin | Role::Manager) {
            return Err(ApiError::Forbidden(
                "Only managers record the Ombudsman's decision and compliance.".into(),
            ));
        }
        Ok(())
    }

    /// The directorate exists; the feedback record exists, is visible and
    /// is of the same directorate; the decision fields fit the case's rounds
    /// (see [`check_rounds`]). (Whether the reference is free is a 409,
    /// checked when writing, after permissions.)
    fn check_references(
        conn: &mut DbConnection,
        proposal: Proposal<'_, Self>,
    ) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        let complaint = Link::new(
            "feedback_id",
            "feedback record",
            "a record",
            crate::feedback::model::directorate_of,
        );
        let links = [(complaint, proposal.input.feedback_id)];
        records::check_links(
            conn,
            &proposal.input.directorate,
            proposal.scope,
            &links,
            &mut errors,
        )?;
        check_rounds(proposal.input, proposal.current, &mut errors);
        errors.into_result()
    }
}
