//! The complaint analysis of the statutory annual report: how many were
//! received, and of those responded to in the period, why, with what
//! outcome, and how quickly.

use std::collections::BTreeMap;

use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::feedback::types::{Kind, Outcome, Procedure};
use crate::statistics::groups::{self, GroupLine};
use crate::statistics::sql::{count_if, in_snapshot, Sql};
use crate::statistics::{percent, Disclosure, Period, Rate, Scope};

/// Which records the analysis covers.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintParams {
    /// The kind of record (default `complaint`); any kind may be analysed,
    /// e.g. `mp_enquiry` or `senior_manager_review`, or several together,
    /// comma-separated (`complaint,enquiry`: the themes of both at once).
    #[param(example = "complaint")]
    pub kind: Option<String>,
    /// Only records under this complaints procedure (default: any, and
    /// records without one).
    pub procedure: Option<Procedure>,
    /// Only records at this stage of their procedure, 1 to 3 (default: any).
    #[param(minimum = 1, maximum = 3)]
    pub stage: Option<i32>,
    /// Break the analysis down (`groups`) by one dimension or two,
    /// comma-separated: `category`, `sub_category`, `service_area`, `team`,
    /// `theme`, `stage`, `quarter`, `month`, `directorate`, `kind`,
    /// `channel` or `relationship` (`group_by=service_area,category`,
    /// `kind=compliment,complaint&group_by=quarter,kind`).
    #[param(example = "service_area,category")]
    pub group_by: Option<String>,
}

impl ComplaintParams {
    /// The analysis of one kind, un-narrowed.
    pub fn of_kind(kind: Kind) -> ComplaintParams {
        ComplaintParams {
            kind: Some(kind.as_str().to_string()),
            ..ComplaintParams::default()
        }
    }

    /// The kinds asked for (default `complaint`); 422 for an unknown one.
    pub fn kinds(&self) -> Result<Vec<Kind>, ApiError> {
        let Some(text) = self.kind.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Ok(vec![Kind::Complaint]);
        };
        let mut kinds = Vec::new();
        for name in text.split(',').map(str::trim) {
            let kind = Kind::parse(name)
                .ok_or_else(|| ApiError::field("kind", format!("has an unknown kind: {name}")))?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        Ok(kinds)
    }
}

/// The records of one sub-category of a main reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubCategoryLine {
    /// The sub-category as recorded (e.g. `Outcome of financial
    /// assessment`); null for the records without one.
    pub sub_category: Option<String>,
    /// Records responded to in the period with this main reason and
    /// sub-category.
    pub count: i64,
}

/// The records of one main reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryLine {
    /// The main reason as recorded (e.g. `Charging`); null for the records
    /// without one.
    pub category: Option<String>,
    /// Records responded to in the period with this main reason.
    pub count: i64,
    /// `100 × count / responded`, rounded half-up to one decimal place
    /// (never null: a line exists only when something was responded to).
    pub percent: Option<f64>,
    /// The same records by sub-category, most frequent first (ties by
    /// name); the counts add up to `count`.
    pub sub_categories: Vec<SubCategoryLine>,
}

/// How quickly the records responded to in the period were answered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelinessSummary {
    /// Responded to within target: by their due date (the agreed extended
    /// date where there is one), with every earlier milestone that has a
    /// date met (a children's review panel's meeting and report). Records
    /// without a target are not counted.
    pub within_target: i64,
    /// Responded to outside target (late, or a milestone missed).
    pub outside_target: i64,
    /// Outside target, of the records with a target
    /// (`within_target + outside_target`).
    pub outside_target_percent: Rate,
    /// Responded to outside the original target, ignoring any agreed
    /// extension: what the published reports count as "outside the 25
    /// working day target" (the adult social care report: 80 of 217).
    pub outside_original_target: i64,
    /// Outside the original target, of the records with a target.
    pub outside_original_target_percent: Rate,
    /// Responded to on or before the latest date the rules allow (the
    /// statutory limit), counting only records to which a limit applies.
    pub within_statutory_limit: i64,
    /// Records with an agreed extension of their target date.
    pub extended: i64,
    /// The median number of working days from receipt (day 0) to the
    /// response, over the records where it is known; it may end in `.5`;
    /// null when there are none.
    pub median_working_days: Option<f64>,
}

/// The records at one procedure and stage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageLine {
    /// The complaints procedure; null for records without one (kinds such as
    /// enquiries, which follow no procedure).
    pub procedure: Option<Procedure>,
    /// The stage of the procedure, 1 to 3; null for records without a stage.
    pub stage: Option<i32>,
    /// Records received in the period (by `received_on`) at this stage.
    pub received: i64,
    /// Records responded to in the period (by `responded_on`) at this stage.
    pub responded: i64,
}

/// Records received in the period from young people: a breakdown that
/// describes people, so for analysts a count from 1 to 4 is null and
/// `suppressed` is true (managers and admins see every count).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YoungPeople {
    /// Received in the period from young people; null when suppressed.
    pub received: Option<i64>,
    /// Of those, made with the help of an advocate; null when suppressed.
    pub advocate_assisted: Option<i64>,
    /// Whether a count here is withheld (a count from 1 to 4, shown to an
    /// analyst); the CSV shows it as `<5`.
    pub suppressed: bool,
}

impl YoungPeople {
    fn new(received: i64, advocate_assisted: i64, disclosure: Disclosure) -> YoungPeople {
        let (received, advocate_assisted) = (
            disclosure.count(received),
            disclosure.count(advocate_assisted),
        );
        YoungPeople {
            suppressed: received.is_none() || advocate_assisted.is_none(),
            received,
            advocate_assisted,
        }
    }
}

/// The complaint analysis of one kind of record. `received` counts the
/// records received in the period; every other figure counts the records
/// responded to in it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintStatistics {
    /// The requested period.
    pub period: Period,
    /// The directorate's code when one was asked for; null for every
    /// directorate the caller may see.
    pub directorate: Option<String>,
    /// The kind of record analysed (the first, when several were asked for).
    pub kind: Kind,
    /// Every kind analysed together.
    pub kinds: Vec<Kind>,
    /// The procedure the analysis is narrowed to; null when not narrowed.
    pub procedure: Option<Procedure>,
    /// The stage the analysis is narrowed to; null when not narrowed.
    pub stage: Option<i32>,
    /// Records received in the period (by `received_on`).
    pub received: i64,
    /// Records responded to in the period (by `responded_on`); everything
    /// below counts these.
    pub responded: i64,
    /// By main reason, most frequent first (ties by name); the counts add
    /// up to `responded`.
    pub by_category: Vec<CategoryLine>,
    /// By outcome, keyed by outcome (`upheld`, `partially_upheld`, …);
    /// every outcome is present, with 0 when there were none. Records
    /// without an outcome are not counted.
    #[schema(value_type = BTreeMap<Outcome, i64>)]
    pub outcomes: BTreeMap<String, i64>,
    /// How quickly they were answered.
    pub timeliness: TimelinessSummary,
    /// Received and responded to, by procedure and stage: ordered by
    /// procedure (null first, then by name), then by stage (null first).
    pub by_stage: Vec<StageLine>,
    /// Received from young people, and with an advocate.
    pub young_people: YoungPeople,
    /// Records responded to that had been reopened after being closed.
    pub reopened: i64,
    /// Records responded to in the period that were escalated: for each
    /// kind, how many of them have a record of that kind escalated from them
    /// (`parent_id`), e.g. complaints with a `dissatisfaction`. Every kind is
    /// present, with 0 when there were none.
    #[schema(value_type = BTreeMap<Kind, i64>)]
    pub escalated: BTreeMap<String, i64>,
    /// The breakdown `group_by` asked for, ordered by key (records with
    /// none recorded first); empty without `group_by`. A share of a group is
    /// its count over the analysis's own total: for `theme`, "records with
    /// the theme / records" (a record with several themes is in several
    /// groups, so the groups may add up to more than the total).
    pub groups: Vec<GroupLine>,
    /// The records open at some time in the period (`worked_on`), those open
    /// at its start and end, and those received before it and answered in
    /// it (`carried_over`). "Open" means not yet responded to.
    #[serde(flatten)]
    pub caseload: Caseload,
    /// The records reopened in the period (by the day they were reopened,
    /// `POST /feedback/{id}/reopen`), and why.
    pub reopenings: Reopenings,
    /// What was promised: the records' actions (`/actions`) due in the
    /// period, and the remedies with a `due_on` promised in the period's
    /// responses; how many were kept on time, late, or not yet.
    pub promises: Promises,
}

/// Records reopened in the period, and why.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Reopenings {
    /// Reopenings in the period (a record reopened twice counts twice).
    pub reopened: i64,
    /// By reason as recorded, most frequent first (ties by reason).
    pub reasons: Vec<ReasonLine>,
}

/// The reopenings with one reason.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct ReasonLine {
    /// The reason, as recorded.
    #[diesel(sql_type = Text)]
    pub reason: String,
    /// How many reopenings gave it.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// The analysed records' reopenings in the period, by reason.
fn reopened_in(period: &Period, kinds: &[Kind], params: &ComplaintParams, scope: &Scope) -> Sql {
    let sql = Sql::new(
        "SELECT r.reason AS reason, COUNT(*) AS count FROM feedback_rounds r \
         JOIN feedback ON feedback.id = r.feedback_id WHERE",
    )
    .in_period("r.reopened_on", period);
    narrowed(sql, kinds, params, scope).push("GROUP BY r.reason")
}

/// Promises due in the period, and whether they were kept.
#[derive(Debug, Clone, Default, QueryableByName, Serialize, ToSchema)]
pub struct Promises {
    /// Actions on the records, due in the period.
    #[diesel(sql_type = BigInt)]
    pub actions_due: i64,
    /// Of those, done by their due date.
    #[diesel(sql_type = BigInt)]
    pub actions_on_time: i64,
    /// Of those, done after their due date: delivered late.
    #[diesel(sql_type = BigInt)]
    pub actions_late: i64,
    /// Of those, not done yet.
    #[diesel(sql_type = BigInt)]
    pub actions_not_done: i64,
    /// Remedies with a `due_on` promised in the period's responses (on the
    /// records responded to in the period).
    #[diesel(sql_type = BigInt)]
    pub remedies_due: i64,
    /// Of those, done by their due date.
    #[diesel(sql_type = BigInt)]
    pub remedies_on_time: i64,
    /// Of those, done after their due date: delivered late.
    #[diesel(sql_type = BigInt)]
    pub remedies_late: i64,
    /// Of those, not done yet.
    #[diesel(sql_type = BigInt)]
    pub remedies_not_done: i64,
}

/// The actions on the analysed records due in the period, by whether they
/// were done on time, late or not yet (the remedies are counted after, from
/// the records).
fn actions_due(period: &Period, kinds: &[Kind], params: &ComplaintParams, scope: &Scope) -> Sql {
    let sql = Sql::new(&format!(
        "SELECT COUNT(*) AS actions_due, {} AS actions_on_time, {} AS actions_late, \
         {} AS actions_not_done, CAST(0 AS BIGINT) AS remedies_due, \
         CAST(0 AS BIGINT) AS remedies_on_time, CAST(0 AS BIGINT) AS remedies_late, \
         CAST(0 AS BIGINT) AS remedies_not_done \
         FROM actions a WHERE a.feedback_id IS NOT NULL AND",
        count_if("a.completed_on <= a.due_on"),
        count_if("a.completed_on > a.due_on"),
        count_if("a.completed_on IS NULL"),
    ))
    .in_period("a.due_on", period)
    .push("AND EXISTS (SELECT 1 FROM feedback WHERE feedback.id = a.feedback_id");
    narrowed(sql, kinds, params, scope).push(")")
}

/// Records responded to in the period that share a reason, outcome,
/// procedure, stage and number of working days taken.
#[derive(Debug, QueryableByName)]
struct RespondedGroup {
    /// The main reason.
    #[diesel(sql_type = Nullable<Text>)]
    category: Option<String>,
    /// The reason in more detail.
    #[diesel(sql_type = Nullable<Text>)]
    sub_category: Option<String>,
    /// The outcome, as stored.
    #[diesel(sql_type = Nullable<Text>)]
    outcome: Option<String>,
    /// The procedure, as stored.
    #[diesel(sql_type = Nullable<Text>)]
    procedure: Option<String>,
    /// The stage of the procedure.
    #[diesel(sql_type = Nullable<Integer>)]
    stage: Option<i32>,
    /// Working days from receipt to response.
    #[diesel(sql_type = Nullable<Integer>)]
    working_days_taken: Option<i32>,
    /// How many records.
    #[diesel(sql_type = BigInt)]
    responded: i64,
    /// Of those, responded to by the (possibly extended) target date.
    #[diesel(sql_type = BigInt)]
    within_target: i64,
    /// Of those, responded to after it.
    #[diesel(sql_type = BigInt)]
    outside_target: i64,
    /// Of those, responded to after the original target.
    #[diesel(sql_type = BigInt)]
    outside_original_target: i64,
    /// Of those, responded to by the latest date the rules allow.
    #[diesel(sql_type = BigInt)]
    within_limit: i64,
    /// Of those, with an agreed extension.
    #[diesel(sql_type = BigInt)]
    extended: i64,
    /// Of those, reopened.
    #[diesel(sql_type = BigInt)]
    reopened: i64,
    /// Their remedies with a due date kept on time.
    #[diesel(sql_type = BigInt)]
    remedies_on_time: i64,
    /// … kept late.
    #[diesel(sql_type = BigInt)]
    remedies_late: i64,
    /// … not kept yet.
    #[diesel(sql_type = BigInt)]
    remedies_not_done: i64,
}

/// Records received in the period at one procedure and stage.
#[derive(Debug, QueryableByName)]
struct ReceivedByStage {
    /// The procedure, as stored.
    #[diesel(sql_type = Nullable<Text>)]
    procedure: Option<String>,
    /// The stage of the procedure.
    #[diesel(sql_type = Nullable<Integer>)]
    stage: Option<i32>,
    /// How many records.
    #[diesel(sql_type = BigInt)]
    received: i64,
    /// Of those, from young people.
    #[diesel(sql_type = BigInt)]
    young_people: i64,
    /// Of those, from young people with an advocate.
    #[diesel(sql_type = BigInt)]
    advocate_assisted: i64,
}

/// Append the narrowing every section shares: the kind, the procedure and
/// stage if asked for, and the directorates.
fn narrowed(sql: Sql, kinds: &[Kind], params: &ComplaintParams, scope: &Scope) -> Sql {
    let mut sql = sql.push("AND kind IN (");
    for (i, kind) in kinds.iter().enumerate() {
        if i > 0 {
            sql = sql.push(",");
        }
        sql = sql.text(kind.as_str());
    }
    sql = sql.push(")");
    if let Some(procedure) = params.procedure {
        sql = sql.push("AND procedure =").text(procedure.as_str());
    }
    if let Some(stage) = params.stage {
        sql = sql.push("AND stage =").int(i64::from(stage));
    }
    sql.scoped("directorate", scope)
}

/// Records responded to in the period, grouped by reason, outcome, stage and
/// working days (for the median), with their timeliness: one pass over the
/// records, which every breakdown of the responded records is summed from.
fn responded(period: &Period, kinds: &[Kind], params: &ComplaintParams, scope: &Scope) -> Sql {
    let sql = Sql::new(&format!(
        "SELECT category, sub_category, outcome, procedure, stage, working_days_taken, \
           COUNT(*) AS responded, {} AS within_target, {} AS outside_target, \
           {} AS outside_original_target, \
           {} AS within_limit, {} AS extended, {} AS reopened, \
           CAST(SUM(remedies_on_time) AS BIGINT) AS remedies_on_time, \
           CAST(SUM(remedies_late) AS BIGINT) AS remedies_late, \
           CAST(SUM(remedies_not_done) AS BIGINT) AS remedies_not_done \
         FROM feedback WHERE",
        count_if("within_target"),
        count_if("NOT within_target"),
        count_if("NOT within_original_target"),
        count_if("limit_on IS NOT NULL AND responded_on <= limit_on"),
        count_if("extended_due_on IS NOT NULL"),
        count_if("reopened"),
    ))
    .in_period("responded_on", period);
    narrowed(sql, kinds, params, scope)
        .push("GROUP BY category, sub_category, outcome, procedure, stage, working_days_taken")
}

/// How many records of each kind were escalated from the records responded
/// to in the period.
#[derive(Debug, QueryableByName)]
struct EscalatedTo {
    /// The kind of the escalated record, as stored.
    #[diesel(sql_type = Text)]
    kind: String,
    /// How many of the records responded to have one.
    #[diesel(sql_type = BigInt)]
    records: i64,
}

/// Of the records responded to in the period, how many have a record of
/// each kind escalated from them.
fn escalated(period: &Period, kinds: &[Kind], params: &ComplaintParams, scope: &Scope) -> Sql {
    // Driven by the records responded to (an index range), each joined to
    // its children by the parent index: `parent_id IN (…)` let SQLite scan
    // every record instead.
    let parents = Sql::new(
        "SELECT child.kind AS kind, COUNT(DISTINCT child.parent_id) AS records \
         FROM (SELECT id FROM feedback WHERE",
    )
    .in_period("responded_on", period);
    narrowed(parents, kinds, params, scope)
        .push(") p JOIN feedback child ON child.parent_id = p.id GROUP BY child.kind")
}

/// The records open at some time in the period, and how they came and went.
#[derive(Debug, Clone, Default, QueryableByName, Serialize, ToSchema)]
pub struct Caseload {
    /// Received before the period and not responded to by its start.
    #[diesel(sql_type = BigInt)]
    pub open_at_start: i64,
    /// Responded to in the period but received before it.
    #[diesel(sql_type = BigInt)]
    pub carried_over: i64,
    /// Received by the period's end and not responded to by then.
    #[diesel(sql_type = BigInt)]
    pub open_at_end: i64,
    /// Open at any time in the period ("worked on"): received by its end and
    /// not responded to before its start.
    #[diesel(sql_type = BigInt)]
    pub worked_on: i64,
}

/// The caseload of the period: every record open at some time in it,
/// per `key` (a column to group by, e.g. `kind`, which the caller's
/// `GROUP BY` names) if any. The records are read in three index ranges,
/// each narrowed by `narrow`: those received in the period, those received
/// before it and answered in or after it, and those received before it and
/// still open; a scan of every earlier record would read years of them.
pub fn caseload(period: &Period, key: Option<&str>, narrow: impl Fn(Sql) -> Sql) -> Sql {
    let (from, to) = (period.from, period.to);
    let (inner, outer) = match key {
        Some(column) => (
            format!("{column} AS {column},"),
            format!("k.{column} AS {column},"),
        ),
        None => (String::new(), String::new()),
    };
    let part = |sql: Sql| {
        sql.push(&format!(
            "SELECT {inner} received_on, responded_on FROM feedback WHERE"
        ))
    };
    let sql = Sql::new(&format!("SELECT {outer}"))
        .count_when(|s| s.push("k.received_on <").date(from), "open_at_start,")
        .count_when(
            |s| {
                s.push("k.received_on <")
                    .date(from)
                    .push("AND k.responded_on <=")
                    .date(to)
            },
            "carried_over,",
        )
        .count_when(
            |s| {
                s.push("k.responded_on IS NULL OR k.responded_on >")
                    .date(to)
            },
            "open_at_end,",
        )
        .push("COUNT(*) AS worked_on FROM (");
    let sql = narrow(
        part(sql)
            .push("received_on >=")
            .date(from)
            .push("AND received_on <=")
            .date(to),
    );
    let sql = narrow(
        part(sql.push("UNION ALL"))
            .push("received_on <")
            .date(from)
            .push("AND responded_on >=")
            .date(from),
    );
    let sql = narrow(
        part(sql.push("UNION ALL"))
            .push("received_on <")
            .date(from)
            .push("AND responded_on IS NULL"),
    );
    sql.push(") k")
}

/// Records received in the period by procedure and stage, with young people
/// and advocates.
fn received(period: &Period, kinds: &[Kind], params: &ComplaintParams, scope: &Scope) -> Sql {
    let sql = Sql::new(&format!(
        "SELECT procedure, stage, COUNT(*) AS received, {} AS young_people, \
           {} AS advocate_assisted \
         FROM feedback WHERE",
        count_if("is_young_person"),
        count_if("is_young_person AND advocate_assisted"),
    ))
    .in_period("received_on", period);
    narrowed(sql, kinds, params, scope).push("GROUP BY procedure, stage")
}

/// The median of a histogram of `(value, count)` pairs.
fn median(histogram: &[(i32, i64)]) -> Option<f64> {
    let total: i64 = histogram.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let nth = |k: i64| {
        let mut seen = 0;
        for (value, n) in histogram {
            seen += n;
            if seen > k {
                return *value;
            }
        }
        histogram.last().map(|(v, _)| *v).unwrap_or(0)
    };
    Some(if total % 2 == 1 {
        f64::from(nth(total / 2))
    } else {
        (f64::from(nth(total / 2 - 1)) + f64::from(nth(total / 2))) / 2.0
    })
}

/// Records responded to by main reason (and sub-category), most frequent
/// first; percentages of `total`.
fn by_category(responded: &[RespondedGroup], total: i64) -> Vec<CategoryLine> {
    let mut categories: BTreeMap<Option<String>, BTreeMap<Option<String>, i64>> = BTreeMap::new();
    for group in responded {
        *categories
            .entry(group.category.clone())
            .or_default()
            .entry(group.sub_category.clone())
            .or_default() += group.responded;
    }
    let mut lines: Vec<CategoryLine> = categories
        .into_iter()
        .map(|(category, subs)| {
            let count = subs.values().sum();
            let mut sub_categories: Vec<SubCategoryLine> = subs
                .into_iter()
                .map(|(sub_category, count)| SubCategoryLine {
                    sub_category,
                    count,
                })
                .collect();
            sub_categories.sort_by(|a, b| {
                b.count
                    .cmp(&a.count)
                    .then_with(|| a.sub_category.cmp(&b.sub_category))
            });
            CategoryLine {
                category,
                count,
                percent: percent(count, total),
                sub_categories,
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.category.cmp(&b.category))
    });
    lines
}

/// Records responded to by outcome; every outcome present.
fn outcomes(responded: &[RespondedGroup]) -> BTreeMap<String, i64> {
    let mut outcomes: BTreeMap<String, i64> = Outcome::ALL
        .iter()
        .map(|o| (o.as_str().to_string(), 0))
        .collect();
    for group in responded {
        if let Some(outcome) = &group.outcome {
            *outcomes.entry(outcome.clone()).or_default() += group.responded;
        }
    }
    outcomes
}

/// Records received and responded to by procedure and stage.
fn by_stage(
    responded: &[RespondedGroup],
    received: &[ReceivedByStage],
) -> Result<Vec<StageLine>, ApiError> {
    let mut stages: BTreeMap<(Option<String>, Option<i32>), (i64, i64)> = BTreeMap::new();
    for group in responded {
        stages
            .entry((group.procedure.clone(), group.stage))
            .or_default()
            .1 += group.responded;
    }
    for group in received {
        stages
            .entry((group.procedure.clone(), group.stage))
            .or_default()
            .0 += group.received;
    }
    stages
        .into_iter()
        .map(|((procedure, stage), (received, responded))| {
            Ok(StageLine {
                procedure: procedure.as_deref().map(Procedure::from_db).transpose()?,
                stage,
                received,
                responded,
            })
        })
        .collect()
}

/// How quickly the records responded to were answered.
fn timeliness(responded: &[RespondedGroup]) -> TimelinessSummary {
    let sum = |f: fn(&RespondedGroup) -> i64| responded.iter().map(f).sum::<i64>();
    let mut days: BTreeMap<i32, i64> = BTreeMap::new();
    for group in responded {
        if let Some(taken) = group.working_days_taken {
            *days.entry(taken).or_default() += group.responded;
        }
    }
    let histogram: Vec<(i32, i64)> = days.into_iter().collect();
    let (within, outside) = (sum(|g| g.within_target), sum(|g| g.outside_target));
    let outside_original = sum(|g| g.outside_original_target);
    TimelinessSummary {
        within_target: within,
        outside_target: outside,
        outside_target_percent: Rate::of(outside, within + outside),
        outside_original_target: outside_original,
        outside_original_target_percent: Rate::of(outside_original, within + outside),
        within_statutory_limit: sum(|g| g.within_limit),
        extended: sum(|g| g.extended),
        median_working_days: median(&histogram),
    }
}

/// The breakdown `params.group_by` asks for alone (`groups`), without the
/// rest of the analysis: for reports that show only breakdowns.
pub fn breakdown(
    conn: &mut DbConnection,
    period: &Period,
    params: &ComplaintParams,
    scope: &Scope,
    disclosure: Disclosure,
) -> Result<Vec<GroupLine>, ApiError> {
    let kinds = params.kinds()?;
    let dimensions = groups::parse(params.group_by.as_deref())?;
    if dimensions.is_empty() {
        return Ok(Vec::new());
    }
    groups::compute(
        conn,
        period,
        &dimensions,
        |sql| narrowed(sql, &kinds, params, scope),
        disclosure,
    )
}

/// Compute the analysis, its counts about people shown as `disclosure` allows.
pub fn compute(
    conn: &mut DbConnection,
    period: &Period,
    params: &ComplaintParams,
    scope: &Scope,
    directorate: Option<&str>,
    disclosure: Disclosure,
) -> Result<ComplaintStatistics, ApiError> {
    let kinds = params.kinds()?;
    // A bad `group_by` is 422 before any query runs.
    groups::parse(params.group_by.as_deref())?;
    let rows = in_snapshot(conn, |conn| {
        Ok(Rows {
            responded: responded(period, &kinds, params, scope).load(conn)?,
            received: received(period, &kinds, params, scope).load(conn)?,
            escalated_to: escalated(period, &kinds, params, scope).load(conn)?,
            groups: breakdown(conn, period, params, scope, disclosure)?,
            caseload: self::caseload(period, None, |sql| narrowed(sql, &kinds, params, scope))
                .load_one(conn)?,
            promises: actions_due(period, &kinds, params, scope).load_one(conn)?,
            reasons: reopened_in(period, &kinds, params, scope).load(conn)?,
        })
    })?;
    let Rows {
        responded,
        received,
        escalated_to,
        groups,
        caseload,
        mut promises,
        reasons,
    } = rows;
    promises.remedies_on_time = responded.iter().map(|g| g.remedies_on_time).sum();
    promises.remedies_late = responded.iter().map(|g| g.remedies_late).sum();
    promises.remedies_not_done = responded.iter().map(|g| g.remedies_not_done).sum();
    promises.remedies_due =
        promises.remedies_on_time + promises.remedies_late + promises.remedies_not_done;
    let mut escalated: BTreeMap<String, i64> = Kind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), 0))
        .collect();
    for line in escalated_to {
        escalated.insert(line.kind, line.records);
    }
    let total: i64 = responded.iter().map(|g| g.responded).sum();
    Ok(ComplaintStatistics {
        period: period.clone(),
        directorate: directorate.map(str::to_string),
        kind: kinds.first().copied().unwrap_or(Kind::Complaint),
        kinds,
        procedure: params.procedure,
        stage: params.stage,
        received: received.iter().map(|g| g.received).sum(),
        responded: total,
        by_category: by_category(&responded, total),
        outcomes: outcomes(&responded),
        timeliness: timeliness(&responded),
        by_stage: by_stage(&responded, &received)?,
        young_people: YoungPeople::new(
            received.iter().map(|g| g.young_people).sum(),
            received.iter().map(|g| g.advocate_assisted).sum(),
            disclosure,
        ),
        reopened: responded.iter().map(|g| g.reopened).sum(),
        escalated,
        groups,
        caseload,
        reopenings: reopenings(reasons),
        promises,
    })
}

/// The rows of every section of the analysis, read in one snapshot.
struct Rows {
    responded: Vec<RespondedGroup>,
    received: Vec<ReceivedByStage>,
    escalated_to: Vec<EscalatedTo>,
    groups: Vec<GroupLine>,
    caseload: Caseload,
    promises: Promises,
    reasons: Vec<ReasonLine>,
}

/// The reopenings of `reasons`, most frequent reason first.
fn reopenings(mut reasons: Vec<ReasonLine>) -> Reopenings {
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    Reopenings {
        reopened: reasons.iter().map(|r| r.count).sum(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians_of_histograms() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[(5, 1)]), Some(5.0));
        assert_eq!(median(&[(1, 1), (2, 1), (9, 1)]), Some(2.0));
        assert_eq!(median(&[(1, 2), (3, 2)]), Some(2.0));
        assert_eq!(median(&[(10, 3), (20, 1)]), Some(10.0));
    }
}
