//! Letter templates: the shipped ones, one pair per procedure and one for
//! the Ombudsman, and the council's own, which replace a shipped template
//! of the same name or add new ones. Templates are minijinja, rendered in a
//! sandbox: every value is HTML-escaped, nothing is read from disk (the one
//! template a letter may extend is the shipped `layout.html`), and a
//! render has a bounded amount of work.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use minijinja::{AutoEscape, Environment, HtmlEscape, Value};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Action, Actor};
use crate::db::schema::letter_templates;
use crate::db::{now, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::text_enum;
use crate::validation::Validate;

/// The audit log's name for templates.
pub const ENTITY: &str = "letter_template";

/// The one template a letter may extend: a plain A4 letter with the
/// council's and the recipient's details, the reference and a signature.
pub const LAYOUT: &str = include_str!("shipped/layout.html");

/// The work one render may do (minijinja's fuel: about one unit per
/// instruction). The shipped letters use a few thousand.
const FUEL: u64 = 200_000;

/// The longest letter a render may make.
const MAX_OUTPUT: usize = 2 * 1024 * 1024;

/// The longest template.
const MAX_BODY: usize = 200_000;
/// The longest template name.
pub const MAX_NAME: u64 = 64;

text_enum! {
    /// What a template writes about.
    pub enum LetterEntity {
        /// A feedback record.
        Feedback => "feedback",
        /// An Ombudsman case.
        OmbudsmanCase => "ombudsman_case",
    }
}

text_enum! {
    /// Where a template comes from.
    pub enum TemplateSource {
        /// Shipped with Redress.
        Shipped => "shipped",
        /// The council's own (replacing a shipped one of the same name, or new).
        Custom => "custom",
    }
}

/// A shipped template.
struct Shipped {
    name: &'static str,
    entity: LetterEntity,
    title: &'static str,
    body: &'static str,
}

/// The shipped templates.
const SHIPPED: &[Shipped] = &[
    Shipped {
        name: "adults-acknowledgement",
        entity: LetterEntity::Feedback,
        title: "Acknowledgement (adult social care)",
        body: include_str!("shipped/adults-acknowledgement.html"),
    },
    Shipped {
        name: "adults-response",
        entity: LetterEntity::Feedback,
        title: "Response (adult social care)",
        body: include_str!("shipped/adults-response.html"),
    },
    Shipped {
        name: "children-acknowledgement",
        entity: LetterEntity::Feedback,
        title: "Acknowledgement (children's social care)",
        body: include_str!("shipped/children-acknowledgement.html"),
    },
    Shipped {
        name: "children-response",
        entity: LetterEntity::Feedback,
        title: "Response (children's social care)",
        body: include_str!("shipped/children-response.html"),
    },
    Shipped {
        name: "corporate-acknowledgement",
        entity: LetterEntity::Feedback,
        title: "Acknowledgement (corporate complaint)",
        body: include_str!("shipped/corporate-acknowledgement.html"),
    },
    Shipped {
        name: "corporate-response",
        entity: LetterEntity::Feedback,
        title: "Response (corporate complaint)",
        body: include_str!("shipped/corporate-response.html"),
    },
    Shipped {
        name: "ombudsman-compliance",
        entity: LetterEntity::OmbudsmanCase,
        title: "Compliance with the Ombudsman's recommendations",
        body: include_str!("shipped/ombudsman-compliance.html"),
    },
];

fn shipped(name: &str) -> Option<&'static Shipped> {
    SHIPPED.iter().find(|t| t.name == name)
}

/// A letter template.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LetterTemplate {
    /// Its name: lower-case letters, digits and hyphens.
    #[schema(example = "corporate-response")]
    pub name: String,
    /// What it writes about: `feedback` or `ombudsman_case`.
    pub entity: LetterEntity,
    /// What a letter made from it is called.
    pub title: String,
    /// The template (minijinja; see the description of `PUT /templates/{name}`).
    pub body: String,
    /// `shipped`, or `custom`: the council's own.
    pub source: TemplateSource,
    /// Whether Redress ships a template of this name (a custom one
    /// replaces it; deleting the custom one restores it).
    pub shipped: bool,
    /// When the council's version was saved; null for a shipped template.
    pub updated_at: Option<DateTime<Utc>>,
    /// Who saved it; null for a shipped template.
    pub updated_by: Option<String>,
}

/// A template as written: the body of `PUT /templates/{name}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// What a letter made from it is called (1 to 200 characters).
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Response (corporate complaint)"
    )]
    pub title: String,
    /// The template: minijinja (Jinja2) over the record, HTML-escaped; at
    /// most 200,000 characters. It may `{% extends "layout.html" %}`.
    #[schema(
        min_length = 1,
        max_length = 200000,
        example = "{% extends \"layout.html\" %}{% block body %}<p>We received your complaint on {{ record.received_on|long_date }}.</p>{% endblock %}"
    )]
    pub body: String,
    /// What it writes about; by default the shipped template's, or
    /// `feedback`.
    pub entity: Option<LetterEntity>,
}

impl crate::http::json::RequestBody for TemplateInput {}

impl Validate for TemplateInput {
    fn validate(&self, _today: NaiveDate, errors: &mut FieldErrors) {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            errors.add("title", "must be 1 to 200 characters");
        }
        if self.body.trim().is_empty() || self.body.chars().count() > MAX_BODY {
            errors.add("body", format!("must be 1 to {MAX_BODY} characters"));
        }
    }
}

/// A row of `letter_templates`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = letter_templates)]
struct TemplateRow {
    name: String,
    entity: LetterEntity,
    title: String,
    body: String,
    updated_at: NaiveDateTime,
    updated_by: String,
}

impl From<TemplateRow> for LetterTemplate {
    fn from(row: TemplateRow) -> LetterTemplate {
        LetterTemplate {
            shipped: shipped(&row.name).is_some(),
            name: row.name,
            entity: row.entity,
            title: row.title,
            body: row.body,
            source: TemplateSource::Custom,
            updated_at: Some(row.updated_at.and_utc()),
            updated_by: Some(row.updated_by),
        }
    }
}

impl From<&Shipped> for LetterTemplate {
    fn from(template: &Shipped) -> LetterTemplate {
        LetterTemplate {
            name: template.name.into(),
            entity: template.entity,
            title: template.title.into(),
            body: template.body.into(),
            source: TemplateSource::Shipped,
            shipped: true,
            updated_at: None,
            updated_by: None,
        }
    }
}

/// 422 unless `name` is 1 to 64 lower-case letters, digits and hyphens (and
/// not `layout`, the shipped layout's).
pub fn check_name(name: &str) -> Result<(), ApiError> {
    let well_formed = !name.is_empty()
        && name.len() as u64 <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-');
    if !well_formed || name == "layout" {
        return Err(ApiError::field(
            "name",
            "must be 1 to 64 lower-case letters, digits and hyphens, and not `layout`",
        ));
    }
    Ok(())
}

/// Every template in force, by name: the council's own, and the shipped
/// ones they do not replace.
pub fn list(conn: &mut DbConnection) -> Result<Vec<LetterTemplate>, ApiError> {
    let custom: Vec<LetterTemplate> = letter_templates::table
        .select(TemplateRow::as_select())
        .load(conn)?
        .into_iter()
        .map(LetterTemplate::from)
        .collect();
    let mut all: Vec<LetterTemplate> = SHIPPED
        .iter()
        .filter(|s| !custom.iter().any(|c| c.name == s.name))
        .map(LetterTemplate::from)
        .collect();
    all.extend(custom);
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// The template `name` in force; 404 if there is none.
pub fn find(conn: &mut DbConnection, name: &str) -> Result<LetterTemplate, ApiError> {
    let custom = letter_templates::table
        .find(name)
        .select(TemplateRow::as_select())
        .first(conn)
        .optional()?;
    custom
        .map(LetterTemplate::from)
        .or_else(|| shipped(name).map(LetterTemplate::from))
        .ok_or_else(ApiError::not_found)
}

/// Save the council's template `name` as `actor`, after rendering it
/// against a sample record (422 with the template's error and line);
/// audited. Returns it and whether it is new (no custom one before).
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    name: &str,
    input: &TemplateInput,
) -> Result<(LetterTemplate, bool), ApiError> {
    check_name(name)?;
    let entity = input
        .entity
        .or_else(|| shipped(name).map(|s| s.entity))
        .unwrap_or(LetterEntity::Feedback);
    render(&input.body, &sample(entity)).map_err(|message| ApiError::field("body", message))?;
    let before = letter_templates::table
        .find(name)
        .select(TemplateRow::as_select())
        .first(conn)
        .optional()?;
    let values = (
        letter_templates::entity.eq(entity),
        letter_templates::title.eq(input.title.trim()),
        letter_templates::body.eq(&input.body),
        letter_templates::updated_at.eq(now()),
        letter_templates::updated_by.eq(&actor.username),
    );
    let created = before.is_none();
    if created {
        diesel::insert_into(letter_templates::table)
            .values((letter_templates::name.eq(name), values))
            .execute(conn)?;
    } else {
        diesel::update(letter_templates::table.find(name))
            .set(values)
            .execute(conn)?;
    }
    let old = before.map_or_else(
        || serde_json::json!({}),
        |row| serde_json::json!({"entity": row.entity, "title": row.title, "body": row.body}),
    );
    let new =
        serde_json::json!({"entity": entity, "title": input.title.trim(), "body": input.body});
    let action = if created {
        Action::Create
    } else {
        Action::Update
    };
    audit::record(conn, actor, ENTITY, name, action, &audit::diff(&old, &new))?;
    Ok((find(conn, name)?, created))
}

/// Delete the council's template `name` (a shipped one of the name is in
/// force again); 404 when the council has none of that name.
pub fn delete(conn: &mut DbConnection, actor: &Actor, name: &str) -> Result<(), ApiError> {
    let row = letter_templates::table
        .find(name)
        .select(TemplateRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(ApiError::not_found)?;
    diesel::delete(letter_templates::table.find(name)).execute(conn)?;
    let old = serde_json::json!({"entity": row.entity, "title": row.title, "body": row.body});
    audit::record(
        conn,
        actor,
        ENTITY,
        name,
        Action::Delete,
        &audit::diff(&old, &serde_json::json!({})),
    )
}

/// What a template sees.
#[derive(Debug, Clone, Serialize)]
pub struct LetterContext {
    /// `council.name`.
    pub council: Council,
    /// The date of the letter (`YYYY-MM-DD`; `|long_date` prints it).
    pub today: NaiveDate,
    /// The record or case as the API returns it.
    pub record: serde_json::Value,
    /// `handler.name`: who handles it; null if no one does.
    pub handler: Person,
    /// `investigator.name`: who investigates it, a user or an external
    /// investigator; null if no one does.
    pub investigator: Person,
    /// The actions promised on it, by due date.
    pub actions: Vec<ActionLine>,
}

/// The council.
#[derive(Debug, Clone, Serialize)]
pub struct Council {
    /// Its name.
    pub name: String,
}

/// A person named in a letter.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// The name; null when there is no one.
    pub name: Option<String>,
}

/// An action as a letter names it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionLine {
    /// What was promised.
    pub description: String,
    /// By when.
    pub due_on: Option<NaiveDate>,
    /// When it was done.
    pub completed_on: Option<NaiveDate>,
}

/// Render `body` with `context`, in the sandbox; the error says what and
/// on which line.
pub fn render(body: &str, context: &LetterContext) -> Result<String, String> {
    let environment = environment();
    let describe = |error: minijinja::Error| match error.line() {
        Some(line) => format!(
            "line {line}: {}",
            error.detail().unwrap_or(&error.kind().to_string())
        ),
        None => error.to_string(),
    };
    let template = environment.template_from_str(body).map_err(describe)?;
    let letter = template.render(context).map_err(describe)?;
    if letter.len() > MAX_OUTPUT {
        return Err(format!("the letter is larger than {MAX_OUTPUT} bytes"));
    }
    Ok(letter)
}

fn environment() -> Environment<'static> {
    let mut environment = Environment::new();
    environment.set_auto_escape_callback(|_| AutoEscape::Html);
    environment.set_fuel(Some(FUEL));
    environment.set_recursion_limit(32);
    environment.set_loader(|name| Ok((name == "layout.html").then(|| LAYOUT.to_string())));
    environment.add_filter("long_date", long_date);
    environment.add_filter("words", words);
    environment.add_filter("pounds", pounds);
    environment.add_filter("multiline", multiline);
    environment
}

/// `2026-03-02` as `2 March 2026`; anything else as it is.
fn long_date(value: String) -> String {
    NaiveDate::parse_from_str(value.get(..10).unwrap_or(&value), "%Y-%m-%d")
        .map(|date| date.format("%-d %B %Y").to_string())
        .unwrap_or(value)
}

/// `partially_upheld` as `partially upheld`.
fn words(value: String) -> String {
    value.replace('_', " ")
}

/// 30000 (pence) as `£300.00`, with thousands separated.
fn pounds(pence: i64) -> String {
    let (sign, pence) = if pence < 0 {
        ("-", -pence)
    } else {
        ("", pence)
    };
    let pounds = (pence / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}£{grouped}.{:02}", pence % 100)
}

/// Text of several lines (an address), escaped, with `<br>` between lines.
fn multiline(value: String) -> Value {
    let lines: Vec<String> = value
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| HtmlEscape(line).to_string())
        .collect();
    Value::from_safe_string(lines.join("<br>"))
}

/// A record of `entity` to try a template against before it is saved.
fn sample(entity: LetterEntity) -> LetterContext {
    let record = match entity {
        LetterEntity::Feedback => serde_json::json!({
            "id": 1, "reference": "FB-2026-000001", "directorate": "adults",
            "kind": "complaint", "procedure": "corporate", "stage": 1,
            "category": "Highways", "summary": "The pothole was not repaired.",
            "received_on": "2026-03-02", "acknowledged_on": "2026-03-04",
            "responded_on": "2026-03-16", "outcome": "partially_upheld",
            "complainant": {"name": "Mrs A Example", "address": "1 High Street\nTown\nAB1 2CD"},
            "remedies": [{"kind": "apology", "description": "A written apology",
                          "amount_pence": 30000, "due_on": "2026-03-20"}],
            "learning": "Inspections are logged.", "handler_id": 1,
            "timeliness": {"due_on": "2026-03-18", "acknowledgement_due_on": "2026-03-09",
                           "limit_on": null, "overdue": false}
        }),
        LetterEntity::OmbudsmanCase => serde_json::json!({
            "id": 1, "reference": "25 001 234", "directorate": "adults",
            "received_on": "2026-01-05", "decision": "upheld", "decided_on": "2026-03-02",
            "recommendations": [{"kind": "apology", "description": "Apologise",
                                 "amount_pence": 25000, "due_on": "2026-04-01",
                                 "completed_on": null}]
        }),
    };
    LetterContext {
        council: Council {
            name: "Example County Council".into(),
        },
        today: NaiveDate::from_ymd_opt(2026, 3, 16).unwrap_or_default(),
        record,
        handler: Person {
            name: Some("Sam Officer".into()),
        },
        investigator: Person { name: None },
        actions: vec![ActionLine {
            description: "Apologise in writing".into(),
            due_on: NaiveDate::from_ymd_opt(2026, 3, 20),
            completed_on: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_renders_its_sample() {
        for template in SHIPPED {
            let letter = render(template.body, &sample(template.entity))
                .unwrap_or_else(|e| panic!("{}: {e}", template.name));
            assert!(
                letter.contains("Example County Council"),
                "{}",
                template.name
            );
            assert!(!letter.contains("{{"), "{}", template.name);
        }
    }

    #[test]
    fn values_are_escaped_and_the_sandbox_holds() {
        let mut context = sample(LetterEntity::Feedback);
        context.record["complainant"]["name"] = "<script>alert(1)</script>".into();
        let letter = render("{{ record.complainant.name }}", &context).unwrap();
        assert_eq!(letter, "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;");
        let error = render("{% include \"/etc/passwd\" %}", &context).unwrap_err();
        assert!(error.contains("line 1"), "{error}");
        let error = render(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            &context,
        )
        .unwrap_err();
        assert!(error.contains("fuel") || error.contains("range"), "{error}");
        assert!(render("{{ record.oops(", &context).is_err());
    }

    #[test]
    fn filters_print_dates_words_and_money() {
        assert_eq!(long_date("2026-03-02".into()), "2 March 2026");
        assert_eq!(long_date("soon".into()), "soon");
        assert_eq!(words("partially_upheld".into()), "partially upheld");
        assert_eq!(pounds(30000), "£300.00");
        assert_eq!(pounds(123456789), "£1,234,567.89");
        assert_eq!(pounds(5), "£0.05");
    }
}
