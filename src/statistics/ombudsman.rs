//! The Ombudsman's annual view of the council: decisions made in the period.
//!
//! The Ombudsman counts decisions, not cases: a case it re-opens and decides
//! again counts again, in the year of its new decision (the LGSCO's annual
//! letter: "these outcomes are recorded in this year's data also"). So the
//! decision figures count the rounds of `ombudsman_decisions` by their own
//! `decided_on`, and a figure once published for a year stays as it was
//! when a case of that year is decided again later.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::ombudsman::types::{
    Compliance, Decision, DecisionBucket, Ombudsman, RecommendationKind,
};
use crate::settings::model::{Benchmark, Stored};
use crate::statistics::sql::{count_if, in_snapshot, Sql};
use crate::statistics::{one_decimal, percent, Period, Rate, Scope};
use crate::text_enum;

/// The Ombudsmen whose cases the Ombudsman figures count by default: the
/// LGSCO's own, and those it considers jointly with the Parliamentary and
/// Health Service Ombudsman. The LGSCO's annual statistics are of its own
/// decisions: cases of the PHSO alone are not the LGSCO's.
pub const DEFAULT_OMBUDSMEN: &[Ombudsman] = &[Ombudsman::Lgsco, Ombudsman::Joint];

/// Which Ombudsmen's cases the Ombudsman figures count.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OmbudsmanParams {
    /// Whose cases to count, comma-separated: `lgsco`, `phso`, `joint`
    /// (e.g. `phso`, or `lgsco,joint,phso` for every case). Default
    /// `lgsco,joint`, as the LGSCO counts: cases of the Parliamentary and
    /// Health Service Ombudsman alone are counted only when asked for. An
    /// unknown or empty value is 400.
    #[param(value_type = Option<Vec<Ombudsman>>, style = Form, explode = false)]
    #[serde(default, deserialize_with = "comma_separated")]
    pub ombudsman: Option<Vec<Ombudsman>>,
}

impl OmbudsmanParams {
    /// The Ombudsmen asked for (each once, in the enum's order), or the
    /// default.
    pub fn ombudsmen(&self) -> Vec<Ombudsman> {
        let mut asked = self
            .ombudsman
            .clone()
            .unwrap_or_else(|| DEFAULT_OMBUDSMEN.to_vec());
        asked.sort();
        asked.dedup();
        asked
    }
}

/// `lgsco,joint` → `[Lgsco, Joint]`; an unknown or empty value is an error
/// (the query string cannot be parsed: 400).
fn comma_separated<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<Ombudsman>>, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.split(',')
        .map(|part| {
            Ombudsman::parse(part.trim()).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "ombudsman: unknown value `{part}`; expected lgsco, phso or joint, comma-separated"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The cases a figure counts: those in the directorates of `scope`, of the
/// Ombudsmen named.
#[derive(Debug, Clone)]
pub struct Counted<'a> {
    /// The directorates.
    pub scope: &'a Scope,
    /// The Ombudsmen.
    pub ombudsmen: &'a [Ombudsman],
}

impl Counted<'_> {
    /// `sql` narrowed to these cases, the case table being `c`.
    pub fn narrow(&self, sql: Sql) -> Sql {
        let ombudsmen: Vec<&str> = self.ombudsmen.iter().map(|o| o.as_str()).collect();
        sql.scoped("c.directorate", self.scope)
            .among("c.ombudsman", &ombudsmen)
    }
}

/// Upheld decisions per 100,000 residents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PerPopulation {
    /// Upheld decisions in the period (the same as `upheld` above).
    pub upheld: i64,
    /// The council's resident population, from the settings; null when the
    /// settings do not record it.
    pub population: Option<i64>,
    /// `upheld × 100,000 / population`, rounded half-up to one decimal
    /// place (`2.6`); null when the population is not recorded (or is 0).
    pub value: Option<f64>,
}

/// Compliance with the Ombudsman's recommendations: cases whose compliance
/// outcome was recorded in the period, and how many of them complied (on
/// time or late).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceRate {
    /// Cases that complied, on time or late.
    pub numerator: i64,
    /// Cases with a compliance outcome recorded in the period (by
    /// `compliance_recorded_on`), whatever the outcome.
    pub denominator: i64,
    /// `100 × numerator / denominator`, rounded half-up to one decimal
    /// place; null when no outcome was recorded in the period.
    pub percent: Option<f64>,
    /// Of the numerator, the cases that complied late.
    pub late: i64,
}

/// The Ombudsman's information requests due in the period (by their
/// original `due_on`). The LGSCO's annual letters to this council complain
/// of late responses "in a third of cases": `cases_with_late` of `cases`
/// is that figure, counted per case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InformationRequests {
    /// Requests whose due date falls in the period.
    pub total: i64,
    /// Of those, the requests answered after their due date (the extended
    /// one, where the Ombudsman agreed one), or still unanswered with that
    /// date before today.
    pub late: i64,
    /// Of `total`, the requests for which the council asked for more time.
    pub extensions_requested: i64,
    /// Of those, the extensions asked for late: on or after the original
    /// due date.
    pub extensions_requested_late: i64,
    /// Cases with a request due in the period.
    pub cases: i64,
    /// Of those, the cases with a late request among those due in the
    /// period.
    pub cases_with_late: i64,
}

/// The decisions in the period on cases of one of the Ombudsman's
/// categories.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanCategoryLine {
    /// The Ombudsman's category (e.g. `Adult care services`), as recorded on
    /// the case; null for the cases without one.
    pub category: Option<String>,
    /// Decisions made in the period (every decision; a case decided twice
    /// in the period counts twice).
    pub dealt_with: i64,
    /// Of those, decisions after investigation (upheld or not upheld).
    pub investigated: i64,
    /// Of those, upheld.
    pub upheld: i64,
}

/// The cases open at some time in the period, and how they came and went.
/// A case is open from `received_on` until its first decision: a case
/// re-opened later does not re-open last year's figures.
#[derive(Debug, Clone, Default, QueryableByName, Serialize, ToSchema)]
pub struct CaseCaseload {
    /// Cases first received in the period (by `received_on`).
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    /// Received before the period and not decided by its start.
    #[diesel(sql_type = BigInt)]
    pub open_at_start: i64,
    /// First decided in the period but received before it (carried in).
    #[diesel(sql_type = BigInt)]
    pub carried_over: i64,
    /// Received by the period's end and not decided by then: ongoing at
    /// the end.
    #[diesel(sql_type = BigInt)]
    pub open_at_end: i64,
    /// Open at any time in the period.
    #[diesel(sql_type = BigInt)]
    pub worked_on: i64,
}

/// A public report the Ombudsman published on a case decided in the period.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct PublicReport {
    /// The Ombudsman's case reference.
    #[diesel(sql_type = Text)]
    pub reference: String,
    /// The report's title; null when not recorded.
    #[diesel(sql_type = Nullable<Text>)]
    pub title: Option<String>,
    /// The day the case was (last) decided.
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    pub decided_on: Option<NaiveDate>,
    /// The day the report was published; null when not recorded.
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    pub published_on: Option<NaiveDate>,
}

text_enum! {
    /// What the Ombudsman statistics' breakdown groups cases by.
    pub enum CaseDimension {
        /// The service (`service_area`).
        ServiceArea => "service_area",
        /// The Ombudsman's category.
        Category => "category",
        /// The Ombudsman's sub-category.
        SubCategory => "sub_category",
        /// The directorate's code.
        Directorate => "directorate",
        /// Each theme of the case: a case with two themes counts in both
        /// groups, one without in the null group.
        Theme => "theme",
    }
}

impl CaseDimension {
    fn column(self) -> &'static str {
        match self {
            CaseDimension::Theme => "ct.theme",
            CaseDimension::ServiceArea => "c.service_area",
            CaseDimension::Category => "c.category",
            CaseDimension::SubCategory => "c.sub_category",
            CaseDimension::Directorate => "c.directorate",
        }
    }
}

/// The breakdown of the Ombudsman statistics.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseGroupParams {
    /// Break the figures down (`groups`) by one dimension or two,
    /// comma-separated: `service_area`, `category`, `sub_category`,
    /// `directorate` or `theme` (`group_by=service_area`).
    #[param(example = "service_area")]
    pub group_by: Option<String>,
}

impl CaseGroupParams {
    /// The dimensions asked for; 422 for an unknown one, a repeat or more
    /// than two.
    pub fn dimensions(&self) -> Result<Vec<CaseDimension>, ApiError> {
        crate::statistics::groups::dimensions(
            self.group_by.as_deref(),
            CaseDimension::parse,
            CaseDimension::ALL,
            CaseDimension::as_str,
        )
    }
}

/// One group of the Ombudsman statistics' breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseGroup {
    /// The group's value of each dimension of `group_by`, e.g.
    /// `{"service_area": "SEND"}`; null where the cases have none recorded.
    #[schema(value_type = Object, example = json!({"service_area": "SEND"}))]
    pub key: BTreeMap<String, Option<String>>,
    /// Cases first received in the period.
    pub received: i64,
    /// Received before the period and not decided by its start: carried in.
    pub open_at_start: i64,
    /// Of those carried in, first decided in the period.
    pub carried_over: i64,
    /// Received by the period's end and not yet decided then (ongoing).
    pub open_at_end: i64,
    /// Decisions made in the period (every round).
    pub dealt_with: i64,
    /// Of those, after investigation.
    pub investigated: i64,
    /// Of those, upheld.
    pub upheld: i64,
}

/// Decisions made in the period with one key.
#[derive(Debug, QueryableByName)]
struct CaseGroupRow {
    #[diesel(sql_type = Nullable<Text>)]
    k1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k2: Option<String>,
    #[diesel(sql_type = BigInt)]
    dealt_with: i64,
    #[diesel(sql_type = BigInt)]
    investigated: i64,
    #[diesel(sql_type = BigInt)]
    upheld: i64,
}

/// The caseload of the cases with one key.
#[derive(Debug, QueryableByName)]
struct CaseloadGroupRow {
    #[diesel(sql_type = Nullable<Text>)]
    k1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k2: Option<String>,
    #[diesel(embed)]
    caseload: CaseCaseload,
}

/// The group of `groups` with the keys `k1`, `k2`, added empty if new.
fn case_group<'a>(
    groups: &'a mut BTreeMap<Vec<Option<String>>, CaseGroup>,
    dimensions: &[CaseDimension],
    k1: Option<String>,
    k2: Option<String>,
) -> &'a mut CaseGroup {
    let key: Vec<Option<String>> = [k1, k2].into_iter().take(dimensions.len()).collect();
    groups.entry(key.clone()).or_insert_with(|| CaseGroup {
        key: dimensions
            .iter()
            .map(|d| d.as_str().to_string())
            .zip(key)
            .collect(),
        received: 0,
        open_at_start: 0,
        carried_over: 0,
        open_at_end: 0,
        dealt_with: 0,
        investigated: 0,
        upheld: 0,
    })
}

/// The breakdown by `dimensions`: cases received, carried in and ongoing,
/// and decisions made, in the period, per key.
pub fn groups(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    ombudsmen: &[Ombudsman],
    dimensions: &[CaseDimension],
) -> Result<Vec<CaseGroup>, ApiError> {
    if dimensions.is_empty() {
        return Ok(Vec::new());
    }
    let cases = Counted { scope, ombudsmen };
    let keys: Vec<&str> = dimensions.iter().map(|d| d.column()).collect();
    let select = format!(
        "{} AS k1, {} AS k2,",
        keys[0],
        keys.get(1).copied().unwrap_or("NULL")
    );
    let join = if dimensions.contains(&CaseDimension::Theme) {
        " LEFT JOIN ombudsman_case_themes ct ON ct.case_id = c.id"
    } else {
        ""
    };
    let open = caseload(
        period,
        &cases,
        &CaseKeys {
            inner: select.clone(),
            outer: "k.k1 AS k1, k.k2 AS k2,",
            join,
            group_by: "GROUP BY k.k1, k.k2",
        },
    );
    let decided = cases
        .narrow(
            Sql::new(&format!(
                "SELECT {select} COUNT(*) AS dealt_with, {} AS investigated, {} AS upheld \
                 FROM ombudsman_decisions d JOIN ombudsman_cases c ON c.id = d.case_id{join} WHERE",
                count_if("d.decision_bucket = 'investigated'"),
                count_if("d.decision = 'upheld'"),
            ))
            .in_period("d.decided_on", period)
            .push("AND d.decision IS NOT NULL"),
        )
        .push(&format!("GROUP BY {}", keys.join(", ")));
    let (open, decided) = in_snapshot(conn, |conn| {
        Ok((
            open.load::<CaseloadGroupRow>(conn)?,
            decided.load::<CaseGroupRow>(conn)?,
        ))
    })?;
    let mut groups: BTreeMap<Vec<Option<String>>, CaseGroup> = BTreeMap::new();
    for row in open {
        let group = case_group(&mut groups, dimensions, row.k1, row.k2);
        group.received += row.caseload.received;
        group.open_at_start += row.caseload.open_at_start;
        group.carried_over += row.caseload.carried_over;
        group.open_at_end += row.caseload.open_at_end;
    }
    for row in decided {
        let group = case_group(&mut groups, dimensions, row.k1, row.k2);
        group.dealt_with += row.dealt_with;
        group.investigated += row.investigated;
        group.upheld += row.upheld;
    }
    Ok(groups.into_values().collect())
}

/// The Ombudsman's statistics for the council, as the Ombudsman publishes
/// them: the decisions made in the period (by `decided_on`), every round of
/// a case re-opened and decided again counting in the year of its own
/// decision, as the LGSCO's annual statistics count them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OmbudsmanStatistics {
    /// The requested period.
    pub period: Period,
    /// The directorate's code when one was asked for; null for every
    /// directorate the caller may see.
    pub directorate: Option<String>,
    /// The Ombudsmen whose cases are counted (`ombudsman=`; by default
    /// `lgsco` and `joint`, as the LGSCO counts).
    pub ombudsman: Vec<Ombudsman>,
    /// Complaints and enquiries decided in the period, every decision: the
    /// sum of `not_for_us`, `assessed_and_closed` and `investigated`. Each
    /// decision round counts, by its own `decided_on`: a case re-opened and
    /// decided again counts in the year of each decision.
    pub dealt_with: i64,
    /// Decided as not for the Ombudsman: advice given, referred back for
    /// local resolution, or incomplete or invalid.
    pub not_for_us: i64,
    /// Closed after initial enquiries.
    pub assessed_and_closed: i64,
    /// Investigated: `upheld + not_upheld`.
    pub investigated: i64,
    /// Investigated and upheld (fault found).
    pub upheld: i64,
    /// Investigated and not upheld.
    pub not_upheld: i64,
    /// Upheld of investigated (the Ombudsman's uphold rate).
    pub uphold_rate: Rate,
    /// Upheld decisions per 100,000 residents.
    pub upheld_per_100k: PerPopulation,
    /// Upheld cases the council had already remedied satisfactorily before
    /// the Ombudsman looked, of upheld.
    pub satisfactory_remedy: Rate,
    /// Compliance with the Ombudsman's recommendations recorded in the period.
    pub compliance: ComplianceRate,
    /// The Ombudsman's information requests due in the period, how many
    /// were answered late, the extensions asked for, and the cases with a
    /// late answer.
    pub information_requests: InformationRequests,
    /// Witness summonses the Ombudsman issued to the council in the period
    /// (by `witness_summons_on`, whatever the case's decision date). The
    /// LGSCO's annual letter names the cases where it had to use its power
    /// to summon witnesses, so the figure counts summonses when they
    /// happen, not when the case is later decided.
    pub witness_summons: i64,
    /// Times in the period the Ombudsman reminded the council of its power
    /// to summon witnesses (by `witness_summons_warned_on`): the warnings
    /// the LGSCO's annual letter reports beside the summonses.
    pub witness_summons_warnings: i64,
    /// Financial redress recommended in the cases upheld in the period (in
    /// a decision round decided in it; each case once), in pence (`25000`
    /// is £250.00); 0 when none.
    pub financial_redress_pence: i64,
    /// Cases decided in the period (in any round; each case once) on which
    /// the Ombudsman published a public report.
    pub public_reports: i64,
    /// Decisions in the period by the Ombudsman's category, most first
    /// (ties by category name).
    pub by_category: Vec<OmbudsmanCategoryLine>,
    /// The cases received in the period (`received`: cases first received,
    /// beside `dealt_with`), and those open at its start, carried in,
    /// ongoing at its end and open at any time in it.
    #[serde(flatten)]
    pub caseload: CaseCaseload,
    /// The Ombudsman's recommendations on the cases upheld in the period (in
    /// a round decided in it), by kind (`apology`, `financial_redress`, …);
    /// every kind present. The reference report: "offering apologies,
    /// providing training and/or guidance, carrying out a new assessment and
    /// in two instances offering financial redress".
    #[schema(value_type = BTreeMap<crate::ombudsman::types::RecommendationKind, i64>)]
    pub recommendations_by_kind: BTreeMap<String, i64>,
    /// Of the cases upheld in the period, those with any recommendation
    /// ("the LGSCO set recommendations for 4 of the 5 upheld cases").
    pub cases_with_recommendations: i64,
    /// The public reports counted in `public_reports`, by decision date.
    pub public_report_list: Vec<PublicReport>,
    /// The breakdown `group_by` asked for, ordered by key (cases with none
    /// recorded first); empty without `group_by`.
    pub groups: Vec<CaseGroup>,
    /// The Ombudsman's averages for similar authorities in the financial
    /// year the period starts in, from the settings; null when not recorded.
    pub comparison: Option<Benchmark>,
}

/// Decisions in the period with one bucket, decision and category.
#[derive(Debug, QueryableByName)]
struct DecidedGroup {
    /// `not_for_us`, `assessed_and_closed` or `investigated`.
    #[diesel(sql_type = Nullable<Text>)]
    decision_bucket: Option<String>,
    /// The decision, as stored.
    #[diesel(sql_type = Nullable<Text>)]
    decision: Option<String>,
    /// The Ombudsman's category.
    #[diesel(sql_type = Nullable<Text>)]
    category: Option<String>,
    /// How many decisions.
    #[diesel(sql_type = BigInt)]
    decided: i64,
    /// Of those, remedied by the council before the Ombudsman looked.
    #[diesel(sql_type = BigInt)]
    remedied_before_ombudsman: i64,
}

/// The cases decided in the period (in any round), each once.
#[derive(Debug, QueryableByName)]
struct DecidedCases {
    /// With a public report.
    #[diesel(sql_type = BigInt)]
    public_reports: i64,
}

/// The Ombudsman's witness summons powers used in the period.
#[derive(Debug, QueryableByName)]
struct Summonses {
    /// Summonses issued in the period.
    #[diesel(sql_type = BigInt)]
    issued: i64,
    /// Reminders of the power in the period.
    #[diesel(sql_type = BigInt)]
    warned: i64,
}

impl DecidedGroup {
    fn in_bucket(&self, bucket: DecisionBucket) -> bool {
        self.decision_bucket.as_deref() == Some(bucket.as_str())
    }

    fn is(&self, decision: Decision) -> bool {
        self.decision.as_deref() == Some(decision.as_str())
    }
}

/// Cases with one compliance outcome recorded in the period.
#[derive(Debug, QueryableByName)]
struct ComplianceRecorded {
    /// The outcome, as stored.
    #[diesel(sql_type = Text)]
    compliance_outcome: String,
    /// How many cases.
    #[diesel(sql_type = BigInt)]
    recorded: i64,
}

/// Information requests due in the period.
#[derive(Debug, QueryableByName)]
struct RequestsDue {
    /// How many.
    #[diesel(sql_type = BigInt)]
    due: i64,
    /// Of those, answered late or overdue today.
    #[diesel(sql_type = BigInt)]
    late: i64,
    /// Of those, with an extension asked for.
    #[diesel(sql_type = BigInt)]
    extensions: i64,
    /// Of those, asked for on or after the original due date.
    #[diesel(sql_type = BigInt)]
    extensions_late: i64,
    /// The cases they belong to.
    #[diesel(sql_type = BigInt)]
    cases: i64,
    /// Of those, the cases with a late one.
    #[diesel(sql_type = BigInt)]
    cases_with_late: i64,
}

/// Financial redress recommended in the cases decided in the period.
#[derive(Debug, QueryableByName)]
struct Redress {
    /// In pence.
    #[diesel(sql_type = BigInt)]
    amount_pence: i64,
}

/// Recommendations of one kind on the cases upheld in the period.
#[derive(Debug, QueryableByName)]
struct RecommendationsOfKind {
    /// The kind, as stored.
    #[diesel(sql_type = Text)]
    kind: String,
    /// How many.
    #[diesel(sql_type = BigInt)]
    recommendations: i64,
}

/// Cases upheld in the period with a recommendation.
#[derive(Debug, QueryableByName)]
struct CasesWithRecommendations {
    /// How many.
    #[diesel(sql_type = BigInt)]
    cases: i64,
}

/// The rows of every section, read in one snapshot.
struct Sections {
    caseload: CaseCaseload,
    recommendations: Vec<RecommendationsOfKind>,
    with_recommendations: CasesWithRecommendations,
    public_reports: Vec<PublicReport>,
    decided: Vec<DecidedGroup>,
    cases: DecidedCases,
    summonses: Summonses,
    compliance: Vec<ComplianceRecorded>,
    requests: RequestsDue,
    redress: Redress,
}

/// Decisions in the period by bucket, decision and category, with
/// remedies: every round, by its own `decided_on`.
fn decided(period: &Period, cases: &Counted) -> Sql {
    let sql = Sql::new(&format!(
        "SELECT d.decision_bucket AS decision_bucket, d.decision AS decision, \
           c.category AS category, COUNT(*) AS decided, \
           {} AS remedied_before_ombudsman \
         FROM ombudsman_decisions d JOIN ombudsman_cases c ON c.id = d.case_id WHERE",
        count_if("d.remedied_before_ombudsman"),
    ))
    .in_period("d.decided_on", period)
    .push("AND d.decision IS NOT NULL");
    cases
        .narrow(sql)
        .push("GROUP BY d.decision_bucket, d.decision, c.category")
}

/// `EXISTS (…)`: case `c` has a round decided in the period, with
/// `decision` when one is named.
fn has_round_in(sql: Sql, period: &Period, decision: Option<Decision>) -> Sql {
    let sql = sql
        .push("EXISTS (SELECT 1 FROM ombudsman_decisions d WHERE d.case_id = c.id AND")
        .in_period("d.decided_on", period)
        .push("AND d.decision IS NOT NULL");
    match decision {
        Some(decision) => sql.push("AND d.decision =").text(decision.as_str()),
        None => sql,
    }
    .push(")")
}

/// The cases decided in the period (in any round), each once: those with a
/// public report.
fn decided_cases(period: &Period, cases: &Counted) -> Sql {
    let sql = Sql::new(&format!(
        "SELECT {} AS public_reports FROM ombudsman_cases c WHERE",
        count_if("c.public_report"),
    ));
    cases.narrow(has_round_in(sql, period, None))
}

/// Witness summonses issued, and reminders of the power, each by its own
/// date in the period.
fn summonses(period: &Period, cases: &Counted) -> Sql {
    let sql = Sql::new("SELECT COALESCE(SUM(CASE WHEN")
        .in_period("c.witness_summons_on", period)
        .push("THEN 1 ELSE 0 END), 0) AS issued, COALESCE(SUM(CASE WHEN")
        .in_period("c.witness_summons_warned_on", period)
        .push(
            "THEN 1 ELSE 0 END), 0) AS warned FROM ombudsman_cases c \
             WHERE (c.witness_summons_on IS NOT NULL OR c.witness_summons_warned_on IS NOT NULL)",
        );
    cases.narrow(sql)
}

/// Cases by the compliance outcome recorded in the period.
fn compliance_recorded(period: &Period, cases: &Counted) -> Sql {
    let sql = Sql::new(
        "SELECT c.compliance_outcome AS compliance_outcome, COUNT(*) AS recorded \
         FROM ombudsman_cases c WHERE",
    )
    .in_period("c.compliance_recorded_on", period)
    .push("AND c.compliance_outcome IS NOT NULL");
    cases.narrow(sql).push("GROUP BY c.compliance_outcome")
}

/// Append the condition that the information request `r` is late on
/// `today`: answered after the due date in force (the extended one, if
/// agreed), or still unanswered with that date before `today`.
fn request_late(sql: Sql, today: NaiveDate) -> Sql {
    sql.push(
        "((r.provided_on IS NOT NULL AND r.provided_on > COALESCE(r.extended_due_on, r.due_on)) \
         OR (r.provided_on IS NULL AND COALESCE(r.extended_due_on, r.due_on) <",
    )
    .date(today)
    .push("))")
}

/// Information requests due in the period (by `due_on`): all, those late on
/// `today`, the extensions asked for (and asked for late), and the cases
/// they belong to, with and without a late one.
fn requests_due(period: &Period, cases: &Counted, today: NaiveDate) -> Sql {
    let sql = request_late(
        Sql::new("SELECT COUNT(*) AS due, COALESCE(SUM(CASE WHEN"),
        today,
    )
    .push(&format!(
        "THEN 1 ELSE 0 END), 0) AS late, {} AS extensions, {} AS extensions_late, \
             COUNT(DISTINCT r.case_id) AS cases, COUNT(DISTINCT CASE WHEN",
        count_if("r.extension_requested_on IS NOT NULL"),
        count_if("r.extension_requested_on >= r.due_on"),
    ));
    let sql = request_late(sql, today)
        .push(
            "THEN r.case_id END) AS cases_with_late \
             FROM ombudsman_information_requests r JOIN ombudsman_cases c ON c.id = r.case_id WHERE",
        )
        .in_period("r.due_on", period);
    cases.narrow(sql)
}

/// Financial redress recommended in the cases upheld in the period (in a
/// round decided in it), each case once.
fn redress(period: &Period, cases: &Counted) -> Sql {
    let sql = Sql::new(
        "SELECT COALESCE(CAST(SUM(r.amount_pence) AS BIGINT), 0) AS amount_pence \
         FROM ombudsman_recommendations r JOIN ombudsman_cases c ON c.id = r.case_id WHERE",
    );
    cases.narrow(has_round_in(sql, period, Some(Decision::Upheld)))
}

/// The grouping of a caseload query: nothing, or the keys of a breakdown.
#[derive(Default)]
struct CaseKeys {
    /// `k1`, `k2` selected from the case (`"c.service_area AS k1, NULL AS k2,"`).
    inner: String,
    /// The same keys selected again outside (`"k.k1 AS k1, k.k2 AS k2,"`).
    outer: &'static str,
    /// A join the keys need (the themes).
    join: &'static str,
    /// `GROUP BY` the keys.
    group_by: &'static str,
}

/// The caseload of the period: every case open at some time in it, open
/// until its first decision, per key of `keys`.
fn caseload(period: &Period, cases: &Counted, keys: &CaseKeys) -> Sql {
    let (from, to) = (period.from, period.to);
    let sql = Sql::new(&format!("SELECT {}", keys.outer))
        .count_when(|s| s.push("k.received_on >=").date(from), "received,")
        .count_when(
            |s| {
                s.push("k.received_on <")
                    .date(from)
                    .push("AND (k.first_decided_on IS NULL OR k.first_decided_on >=")
                    .date(from)
                    .push(")")
            },
            "open_at_start,",
        )
        .count_when(
            |s| {
                s.push("k.received_on <")
                    .date(from)
                    .push("AND k.first_decided_on <=")
                    .date(to)
            },
            "carried_over,",
        )
        .count_when(
            |s| {
                s.push("k.first_decided_on IS NULL OR k.first_decided_on >")
                    .date(to)
            },
            "open_at_end,",
        )
        .push(&format!(
            "COUNT(*) AS worked_on FROM (SELECT {} c.received_on AS received_on, \
             (SELECT MIN(d.decided_on) FROM ombudsman_decisions d \
              WHERE d.case_id = c.id AND d.decision IS NOT NULL) AS first_decided_on \
             FROM ombudsman_cases c{} WHERE c.received_on <=",
            keys.inner, keys.join
        ))
        .date(to);
    cases
        .narrow(sql)
        .push(") k WHERE k.first_decided_on IS NULL OR k.first_decided_on >=")
        .date(from)
        .push(keys.group_by)
}

/// The recommendations on the cases upheld in the period, by kind.
fn recommendations(period: &Period, cases: &Counted) -> Sql {
    let sql = Sql::new(
        "SELECT r.kind AS kind, COUNT(*) AS recommendations          FROM ombudsman_recommendations r JOIN ombudsman_cases c ON c.id = r.case_id WHERE",
    );
    cases
        .narrow(has_round_in(sql, period, Some(Decision::Upheld)))
        .push("GROUP BY r.kind")
}

/// The cases upheld in the period with any recommendation.
fn with_recommendations(period: &Period, cases: &Counted) -> Sql {
    let sql = Sql::new(
        "SELECT COUNT(*) AS cases FROM ombudsman_cases c WHERE          EXISTS (SELECT 1 FROM ombudsman_recommendations r WHERE r.case_id = c.id) AND",
    );
    cases.narrow(has_round_in(sql, period, Some(Decision::Upheld)))
}

/// The public reports on the cases decided in the period.
fn public_reports(period: &Period, cases: &Counted) -> Sql {
    let sql = Sql::new(
        "SELECT c.reference AS reference, c.public_report_title AS title,          c.decided_on AS decided_on, c.public_report_on AS published_on \
         FROM ombudsman_cases c WHERE c.public_report AND",
    );
    cases
        .narrow(has_round_in(sql, period, None))
        .push("ORDER BY c.decided_on, c.reference")
}

/// Read every section in one snapshot.
fn load(
    conn: &mut DbConnection,
    period: &Period,
    cases: &Counted,
    today: NaiveDate,
) -> Result<Sections, ApiError> {
    in_snapshot(conn, |conn| {
        Ok(Sections {
            caseload: caseload(period, cases, &CaseKeys::default()).load_one(conn)?,
            recommendations: recommendations(period, cases).load(conn)?,
            with_recommendations: with_recommendations(period, cases).load_one(conn)?,
            public_reports: public_reports(period, cases).load(conn)?,
            decided: decided(period, cases).load(conn)?,
            cases: decided_cases(period, cases).load_one(conn)?,
            summonses: summonses(period, cases).load_one(conn)?,
            compliance: compliance_recorded(period, cases).load(conn)?,
            requests: requests_due(period, cases, today).load_one(conn)?,
            redress: redress(period, cases).load_one(conn)?,
        })
    })
}

/// Decided cases by category, most cases first.
fn by_category(decided: &[DecidedGroup]) -> Vec<OmbudsmanCategoryLine> {
    let mut lines: BTreeMap<Option<String>, OmbudsmanCategoryLine> = BTreeMap::new();
    for group in decided {
        let line = lines
            .entry(group.category.clone())
            .or_insert_with(|| OmbudsmanCategoryLine {
                category: group.category.clone(),
                dealt_with: 0,
                investigated: 0,
                upheld: 0,
            });
        line.dealt_with += group.decided;
        if group.in_bucket(DecisionBucket::Investigated) {
            line.investigated += group.decided;
        }
        if group.is(Decision::Upheld) {
            line.upheld += group.decided;
        }
    }
    let mut lines: Vec<OmbudsmanCategoryLine> = lines.into_values().collect();
    lines.sort_by(|a, b| {
        b.dealt_with
            .cmp(&a.dealt_with)
            .then_with(|| a.category.cmp(&b.category))
    });
    lines
}

/// Compliance recorded in the period.
fn compliance(recorded: &[ComplianceRecorded]) -> ComplianceRate {
    let outcome = |c: Compliance| {
        recorded
            .iter()
            .filter(|r| r.compliance_outcome == c.as_str())
            .map(|r| r.recorded)
            .sum::<i64>()
    };
    let (complied, late) = (
        outcome(Compliance::Complied),
        outcome(Compliance::CompliedLate),
    );
    let total: i64 = recorded.iter().map(|r| r.recorded).sum();
    ComplianceRate {
        numerator: complied + late,
        denominator: total,
        percent: percent(complied + late, total),
        late,
    }
}

/// Upheld decisions per 100,000 of `population`.
fn per_population(upheld: i64, population: Option<i64>) -> PerPopulation {
    PerPopulation {
        upheld,
        population,
        value: population
            .filter(|p| *p > 0)
            .map(|p| one_decimal(upheld as f64 * 100_000.0 / p as f64)),
    }
}

/// Compute the statistics of the cases of `ombudsmen`; `today` decides
/// which unanswered information requests are late.
pub fn compute(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    directorate: Option<&str>,
    ombudsmen: &[Ombudsman],
    settings: &Stored,
    today: NaiveDate,
) -> Result<OmbudsmanStatistics, ApiError> {
    let cases = Counted { scope, ombudsmen };
    let sections = load(conn, period, &cases, today)?;
    let decided = &sections.decided;
    let sum = |f: &dyn Fn(&DecidedGroup) -> i64| decided.iter().map(f).sum::<i64>();
    let bucket = |b: DecisionBucket| sum(&|g| if g.in_bucket(b) { g.decided } else { 0 });
    let decision = |d: Decision| sum(&|g| if g.is(d) { g.decided } else { 0 });
    let (upheld, investigated) = (
        decision(Decision::Upheld),
        bucket(DecisionBucket::Investigated),
    );
    Ok(OmbudsmanStatistics {
        period: period.clone(),
        directorate: directorate.map(str::to_string),
        ombudsman: ombudsmen.to_vec(),
        dealt_with: sum(&|g| g.decided),
        not_for_us: bucket(DecisionBucket::NotForUs),
        assessed_and_closed: bucket(DecisionBucket::AssessedAndClosed),
        investigated,
        upheld,
        not_upheld: decision(Decision::NotUpheld),
        uphold_rate: Rate::of(upheld, investigated),
        upheld_per_100k: per_population(upheld, settings.population(period.start_year())),
        satisfactory_remedy: Rate::of(sum(&|g| g.remedied_before_ombudsman), upheld),
        compliance: compliance(&sections.compliance),
        information_requests: InformationRequests {
            total: sections.requests.due,
            late: sections.requests.late,
            extensions_requested: sections.requests.extensions,
            extensions_requested_late: sections.requests.extensions_late,
            cases: sections.requests.cases,
            cases_with_late: sections.requests.cases_with_late,
        },
        witness_summons: sections.summonses.issued,
        witness_summons_warnings: sections.summonses.warned,
        financial_redress_pence: sections.redress.amount_pence,
        public_reports: sections.cases.public_reports,
        by_category: by_category(decided),
        recommendations_by_kind: {
            let mut kinds: BTreeMap<String, i64> = RecommendationKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), 0))
                .collect();
            for line in &sections.recommendations {
                kinds.insert(line.kind.clone(), line.recommendations);
            }
            kinds
        },
        cases_with_recommendations: sections.with_recommendations.cases,
        public_report_list: sections.public_reports.clone(),
        groups: Vec::new(),
        caseload: sections.caseload.clone(),
        comparison: settings
            .benchmark(period.start_year(), directorate)
            .cloned(),
    })
}
