//! The settings row.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor};
use crate::db::schema::settings;
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::feedback::types::{Kind, Procedure};
use crate::http::etag::IfMatch;
use crate::http::json::RequestBody;
use crate::text_enum;
use crate::validation::Validate;

/// The audit log's name for the settings.
pub const ENTITY: &str = "settings";

text_enum! {
    /// The kind of council, as the Ombudsman groups similar authorities.
    pub enum AuthorityType {
        /// A county council.
        County => "county",
        /// A district council.
        District => "district",
        /// A unitary authority.
        Unitary => "unitary",
        /// A metropolitan borough.
        Metropolitan => "metropolitan",
        /// A London borough.
        LondonBorough => "london_borough",
    }
}

text_enum! {
    /// How the annual report's feedback overview counts a kind of feedback
    /// in a year.
    pub enum OverviewBasis {
        /// Records received in the year (by `received_on`).
        Received => "received",
        /// Records responded to in the year (by `responded_on`).
        Responded => "responded",
    }
}

impl OverviewBasis {
    /// The basis shipped for `kind`, as the adult social care reference
    /// report counts it: compliments, comments, enquiries, representations
    /// and formal complaints as received; MP and councillor enquiries,
    /// informal complaints, dissatisfactions and senior manager reviews as
    /// responded to.
    pub fn shipped(kind: Kind) -> OverviewBasis {
        match kind {
            Kind::MpEnquiry
            | Kind::CouncillorEnquiry
            | Kind::InformalComplaint
            | Kind::Dissatisfaction
            | Kind::SeniorManagerReview => OverviewBasis::Responded,
            _ => OverviewBasis::Received,
        }
    }
}

/// Every kind with its shipped overview basis.
fn shipped_overview_basis() -> BTreeMap<Kind, OverviewBasis> {
    Kind::ALL
        .iter()
        .map(|&kind| (kind, OverviewBasis::shipped(kind)))
        .collect()
}

/// The Ombudsman's averages for similar authorities in one financial year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    /// The financial year's first calendar year (`2024` is 2024-25).
    #[schema(minimum = 2000, maximum = 2100, example = 2024)]
    pub year: i32,
    /// The directorate (a code) whose statistics these averages are
    /// compared with; null: the council as a whole. The adults report
    /// compares adult social care figures with the national adult social
    /// care averages (79% upheld in 2024-25), not the council-wide ones.
    #[serde(default)]
    #[schema(example = "adults")]
    pub directorate: Option<String>,
    /// The Ombudsman's category the averages are for, as the report names
    /// them (e.g. `Adult care services`); null: all categories.
    #[serde(default)]
    #[schema(max_length = 200, example = "Adult care services")]
    pub category: Option<String>,
    /// Average uphold rate, percent.
    #[schema(minimum = 0, maximum = 100, example = 89.0)]
    pub average_uphold_percent: f64,
    /// Average upheld decisions per 100,000 residents; null where the
    /// Ombudsman publishes none for the scope (a national service average
    /// often gives the uphold rate alone).
    #[serde(default)]
    #[schema(minimum = 0, example = 5.3)]
    pub average_upheld_per_100k: Option<f64>,
    /// Average satisfactory remedy rate, percent; null where none is
    /// published.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, example = 10.0)]
    pub average_satisfactory_remedy_percent: Option<f64>,
    /// Average compliance rate, percent; null where none is published.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100, example = 100.0)]
    pub average_compliance_percent: Option<f64>,
}

/// The council's population in one financial year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearPopulation {
    /// The financial year's first calendar year (`2024` is 2024-25).
    #[schema(minimum = 2000, maximum = 2100, example = 2024)]
    pub year: i32,
    /// Residents that year.
    #[schema(minimum = 1, example = 702000)]
    pub population: i64,
}

/// The settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The council's name, as reports print it.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "\\S",
        example = "Example County Council"
    )]
    pub council_name: String,
    /// The kind of council.
    pub authority_type: AuthorityType,
    /// Residents, for the upheld-per-100,000 figure.
    #[schema(minimum = 1, example = 693000)]
    pub population: Option<i64>,
    /// The Ombudsman's averages, at most one per year and directorate: for
    /// similar authorities (no directorate), or for a directorate's service
    /// nationally.
    #[serde(default)]
    pub benchmarks: Vec<Benchmark>,
    /// The population in particular financial years, where it differs from
    /// `population` (the ONS mid-year estimates change every year).
    #[serde(default)]
    pub populations: Vec<YearPopulation>,
    /// How the annual report's feedback overview counts each kind in a year:
    /// `received` or `responded`. The published overview mixes the two (the
    /// adult social care reference report counts compliments and formal
    /// complaints as received, and MP and councillor enquiries, informal
    /// complaints, dissatisfactions and senior manager reviews as responded
    /// to), and the report says which in a footnote. Answers list every
    /// kind; in a `PUT`, kinds left out keep their basis.
    #[serde(default)]
    #[schema(example = json!({"complaint": "received", "mp_enquiry": "responded"}))]
    pub overview_basis: BTreeMap<Kind, OverviewBasis>,
    /// The procedures the Ombudsman's Complaint Handling Code governs here,
    /// whose complaints `GET /statistics/code` measures: the corporate
    /// procedure (shipped), and any other the council marks (the statutory
    /// procedures have their own regulations). In a `PUT`, an empty or
    /// missing list keeps the current one.
    #[serde(default)]
    #[schema(example = json!(["corporate"]))]
    pub code_procedures: Vec<Procedure>,
}

impl RequestBody for Settings {
    const READ_ONLY: &'static [&'static str] = &["version", "updated_at"];
}

impl Validate for Settings {
    fn validate(&self, _today: chrono::NaiveDate, errors: &mut FieldErrors) {
        if self.council_name.trim().is_empty() || self.council_name.chars().count() > 200 {
            errors.add(
                "council_name",
                "must be 1 to 200 characters, not all spaces",
            );
        }
        if self.population.is_some_and(|p| p < 1) {
            errors.add("population", "must be at least 1");
        }
        let mut years = std::collections::HashSet::new();
        for (i, p) in self.populations.iter().enumerate() {
            let at = |field: &str| format!("populations[{i}].{field}");
            if !(2000..=2100).contains(&p.year) {
                errors.add(at("year"), "must be from 2000 to 2100");
            } else if !years.insert(p.year) {
                errors.add(at("year"), "appears twice");
            }
            if p.population < 1 {
                errors.add(at("population"), "must be at least 1");
            }
        }
        let mut years = std::collections::HashSet::new();
        for (i, b) in self.benchmarks.iter().enumerate() {
            let at = |field: &str| format!("benchmarks[{i}].{field}");
            if !(2000..=2100).contains(&b.year) {
                errors.add(at("year"), "must be from 2000 to 2100");
            } else if !years.insert((b.year, b.directorate.clone())) {
                errors.add(at("year"), "appears twice for the same directorate");
            }
            if b.category
                .as_deref()
                .is_some_and(|c| c.trim().is_empty() || c.chars().count() > 200)
            {
                errors.add(at("category"), "must be 1 to 200 characters");
            }
            for (field, value, max) in [
                (
                    "average_uphold_percent",
                    Some(b.average_uphold_percent),
                    100.0,
                ),
                (
                    "average_upheld_per_100k",
                    b.average_upheld_per_100k,
                    f64::MAX,
                ),
                (
                    "average_satisfactory_remedy_percent",
                    b.average_satisfactory_remedy_percent,
                    100.0,
                ),
                (
                    "average_compliance_percent",
                    b.average_compliance_percent,
                    100.0,
                ),
            ] {
                let Some(value) = value else { continue };
                if !value.is_finite() || value < 0.0 || value > max {
                    errors.add(
                        at(field),
                        if max == 100.0 {
                            "must be from 0 to 100"
                        } else {
                            "must be 0 or more"
                        },
                    );
                }
            }
        }
    }
}

/// The settings with their version.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The settings.
    pub settings: Settings,
    /// Version (the ETag).
    pub version: i64,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl Stored {
    /// How the annual report's overview counts `kind`.
    pub fn overview_basis(&self, kind: Kind) -> OverviewBasis {
        self.settings
            .overview_basis
            .get(&kind)
            .copied()
            .unwrap_or_else(|| OverviewBasis::shipped(kind))
    }

    /// The benchmark for the financial year starting in `year`: the
    /// directorate's own where one is asked for and recorded, else the
    /// council-wide one.
    pub fn benchmark(&self, year: i32, directorate: Option<&str>) -> Option<&Benchmark> {
        let of = |d: Option<&str>| {
            self.settings
                .benchmarks
                .iter()
                .find(|b| b.year == year && b.directorate.as_deref() == d)
        };
        directorate.and_then(|d| of(Some(d))).or_else(|| of(None))
    }

    /// Whether the Complaint Handling Code governs `procedure` here.
    pub fn code_governs(&self, procedure: Procedure) -> bool {
        self.settings.code_procedures.contains(&procedure)
    }

    /// The population in the financial year starting in `year`: that
    /// year's, else `population`.
    pub fn population(&self, year: i32) -> Option<i64> {
        self.settings
            .populations
            .iter()
            .find(|p| p.year == year)
            .map(|p| p.population)
            .or(self.settings.population)
    }
}

type Row = (
    String,
    String,
    Option<i64>,
    String,
    String,
    String,
    String,
    i64,
    NaiveDateTime,
);

/// The settings.
pub fn load(conn: &mut DbConnection) -> Result<Stored, ApiError> {
    let (
        council_name,
        authority_type,
        population,
        benchmarks,
        basis,
        populations,
        code_procedures,
        version,
        updated_at,
    ): Row = settings::table
        .find(1)
        .select((
            settings::council_name,
            settings::authority_type,
            settings::population,
            settings::benchmarks,
            settings::overview_basis,
            settings::populations,
            settings::code_procedures,
            settings::version,
            settings::updated_at,
        ))
        .get_result(conn)?;
    Ok(Stored {
        settings: Settings {
            council_name,
            authority_type: AuthorityType::from_db(&authority_type)?,
            population,
            benchmarks: serde_json::from_str(&benchmarks)?,
            overview_basis: with_shipped_basis(serde_json::from_str(&basis)?),
            populations: serde_json::from_str(&populations)?,
            code_procedures: serde_json::from_str(&code_procedures)?,
        },
        version,
        updated_at,
    })
}

/// `stored`, with the shipped basis for every kind it leaves out.
fn with_shipped_basis(stored: BTreeMap<Kind, OverviewBasis>) -> BTreeMap<Kind, OverviewBasis> {
    let mut basis = shipped_overview_basis();
    basis.extend(stored);
    basis
}

/// Replace the settings. Kinds the new `overview_basis` leaves out keep
/// their current basis.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    if_match: &IfMatch,
    new: &Settings,
) -> Result<Stored, ApiError> {
    crate::db::lock_row(conn, "settings", 1)?;
    let mut errors = FieldErrors::new();
    for (i, b) in new.benchmarks.iter().enumerate() {
        if let Some(code) = &b.directorate {
            if !crate::directorates::model::exists(conn, code)? {
                errors.add(
                    format!("benchmarks[{i}].directorate"),
                    format!("unknown directorate `{code}`"),
                );
            }
        }
    }
    errors.into_result()?;
    let current = load(conn)?;
    if_match.check(current.version)?;
    let mut benchmarks = new.benchmarks.clone();
    benchmarks.sort_by(|a, b| (a.year, &a.directorate).cmp(&(b.year, &b.directorate)));
    let mut populations = new.populations.clone();
    populations.sort_by_key(|p| p.year);
    let mut code_procedures = if new.code_procedures.is_empty() {
        current.settings.code_procedures.clone()
    } else {
        new.code_procedures.clone()
    };
    code_procedures.sort();
    code_procedures.dedup();
    let mut overview_basis = current.settings.overview_basis.clone();
    overview_basis.extend(new.overview_basis.iter().map(|(k, b)| (*k, *b)));
    let changes = audit::diff(
        &serde_json::to_value(&current.settings)?,
        &serde_json::to_value(Settings {
            benchmarks: benchmarks.clone(),
            populations: populations.clone(),
            overview_basis: overview_basis.clone(),
            code_procedures: code_procedures.clone(),
            ..new.clone()
        })?,
    );
    if changes.is_empty() {
        return Ok(current);
    }
    diesel::update(settings::table.find(1))
        .set((
            settings::council_name.eq(&new.council_name),
            settings::authority_type.eq(new.authority_type.as_str()),
            settings::population.eq(new.population),
            settings::benchmarks.eq(serde_json::to_string(&benchmarks)?),
            settings::overview_basis.eq(serde_json::to_string(&overview_basis)?),
            settings::populations.eq(serde_json::to_string(&populations)?),
            settings::code_procedures.eq(serde_json::to_string(&code_procedures)?),
            settings::version.eq(current.version + 1),
            settings::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit::record(conn, actor, ENTITY, "1", Action::Update, &changes)?;
    load(conn)
}
