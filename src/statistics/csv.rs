//! Statistics as CSV: a flat table that opens cleanly in a spreadsheet.
//!
//! Figures become a `Figure,Value` table, the headline figures first and
//! each named as a person reads it (`Timeliness: within target`); each
//! breakdown (`By category`, `Groups`, `Years`) becomes its own titled
//! table after an empty row. Lists of records (the breach report) become a
//! table with a column per field.

use serde_json::Value;

/// What a spreadsheet shows for a suppressed count.
pub const SUPPRESSED: &str = "<5";

/// Characters that make a spreadsheet read a cell as a formula when they
/// come first (after any spaces), in ASCII and in their fullwidth forms.
const FORMULA_STARTS: &[char] = &[
    '=', '+', '-', '@', '\t', '\r', '\n', ';', '|', '＝', '＋', '－', '＠',
];

/// Quote a cell, and defuse text a spreadsheet would run as a formula: every
/// cell is quoted (so no locale's separator splits it), and text whose first
/// character other than a space would start a formula is prefixed with `'`.
/// Numbers, negative ones included, stay numbers.
fn cell(text: &str) -> String {
    let first = text.trim_start_matches(' ').chars().next();
    let formula =
        first.is_some_and(|c| FORMULA_STARTS.contains(&c)) && text.parse::<f64>().is_err();
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What names an element of a list: its first identifying field.
fn label(item: &Value, index: usize) -> String {
    const KEYS: [&str; 5] = ["category", "sub_category", "label", "kind", "id"];
    if let Value::Object(map) = item {
        if map.contains_key("procedure") && map.contains_key("stage") {
            return format!(
                "{} stage {}",
                scalar(&map["procedure"]),
                scalar(&map["stage"])
            );
        }
        for key in KEYS {
            if let Some(v) = map.get(key) {
                let text = scalar(v);
                return if text.is_empty() {
                    "(none)".into()
                } else {
                    text
                };
            }
        }
    }
    index.to_string()
}

/// A field name or key as a person reads it: `outside_target_percent` →
/// `Outside target percent`.
fn human(key: &str) -> String {
    let text = key.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// A value's cell text: `<5` for a count withheld in a suppressed object,
/// a list of plain values joined with commas.
fn shown(value: &Value, suppressed: bool) -> String {
    match value {
        Value::Null if suppressed => SUPPRESSED.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(scalar).collect::<Vec<_>>().join(", ")
        }
        Value::Array(_) | Value::Object(_) => value.to_string(),
        other => scalar(other),
    }
}

/// Whether a value is a list of objects: a breakdown, shown as a table.
fn is_table(value: &Value) -> bool {
    matches!(value, Value::Array(items) if items.iter().any(Value::is_object))
}

/// The rows of the figure `key` of an object (`suppressed` when the object
/// withholds small counts), named `Label: label`, objects within it
/// flattened; lists of objects are left to the tables.
fn figure_rows(name: &str, value: &Value, suppressed: bool, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            let suppressed = map.get("suppressed") == Some(&Value::Bool(true));
            for (key, inner) in map {
                figure_rows(
                    &format!("{name}: {}", key.replace('_', " ")),
                    inner,
                    suppressed,
                    rows,
                );
            }
        }
        Value::Array(items) if items.is_empty() => {}
        v if is_table(v) => {}
        v => rows.push((name.to_string(), shown(v, suppressed))),
    }
}

/// A breakdown's columns: every field of its items, in the order first
/// seen (the order the API declares them, as serde_json preserves it), an
/// object field as one column per key (`Outcomes: upheld`).
fn columns(items: &[Value]) -> Vec<(String, Option<String>)> {
    let objects: Vec<&serde_json::Map<String, Value>> =
        items.iter().filter_map(Value::as_object).collect();
    // A field that is an object in any item is spread (null elsewhere).
    let spread = |key: &str| {
        objects
            .iter()
            .any(|o| o.get(key).is_some_and(Value::is_object))
    };
    let mut columns: Vec<(String, Option<String>)> = Vec::new();
    // The parent of a nested breakdown's row leads it.
    if objects.iter().any(|o| o.contains_key("of")) {
        columns.push(("of".into(), None));
    }
    for item in &objects {
        for (key, value) in item.iter() {
            let found: Vec<(String, Option<String>)> = match value {
                Value::Object(inner) => inner
                    .keys()
                    .map(|k| (key.clone(), Some(k.clone())))
                    .collect(),
                v if is_table(v) => Vec::new(),
                _ if spread(key) => Vec::new(),
                _ => vec![(key.clone(), None)],
            };
            for column in found {
                if !columns.contains(&column) {
                    columns.push(column);
                }
            }
        }
    }
    columns
}

/// One table of a statistics download: the figures, or a breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What it shows (`Figures`, `By category`, …).
    pub title: String,
    /// The column names.
    pub header: Vec<String>,
    /// The cells, as text.
    pub rows: Vec<Vec<String>>,
}

/// The table of `items` titled `title`, then a table for each list of
/// objects within them, each row led by its parent (`Of`).
fn breakdown_tables(tables: &mut Vec<Table>, title: &str, items: &[Value]) {
    let columns = columns(items);
    let header = columns
        .iter()
        .map(|(key, sub)| match sub {
            Some(sub) => format!("{}: {}", human(key), sub.replace('_', " ")),
            None => human(key),
        })
        .collect();
    let rows = items
        .iter()
        .map(|item| {
            let suppressed = item.get("suppressed") == Some(&Value::Bool(true));
            columns
                .iter()
                .map(|(key, sub)| {
                    let value = match sub {
                        Some(sub) => item.get(key).and_then(|v| v.get(sub)),
                        None => item.get(key),
                    };
                    // A group's key is no count: never shown as withheld.
                    shown(value.unwrap_or(&Value::Null), suppressed && key != "key")
                })
                .collect()
        })
        .collect();
    tables.push(Table {
        title: title.to_string(),
        header,
        rows,
    });
    let mut nested: Vec<String> = Vec::new();
    for item in items.iter().filter_map(Value::as_object) {
        for (key, value) in item {
            if is_table(value) && !nested.contains(key) {
                nested.push(key.clone());
            }
        }
    }
    for key in nested {
        let mut children = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let parent = label(item, i);
            for child in item
                .get(&key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let mut led = serde_json::Map::new();
                led.insert("of".into(), Value::String(parent.clone()));
                if let Value::Object(map) = child {
                    led.extend(map.clone());
                }
                children.push(Value::Object(led));
            }
        }
        breakdown_tables(
            tables,
            &format!("{title}: {}", key.replace('_', " ")),
            &children,
        );
    }
}

/// A statistics answer as tables: `Figures` (`Figure`, `Value`) with the
/// headline figures first (`headline`, in that order), then the other
/// figures (those grouped under a heading last), then one table per
/// breakdown.
pub fn tables(value: &Value, headline: &[&str]) -> Vec<Table> {
    let mut figures = Table {
        title: "Figures".into(),
        header: vec!["Figure".into(), "Value".into()],
        rows: Vec::new(),
    };
    let Some(map) = value.as_object() else {
        return vec![figures];
    };
    let mut keys: Vec<&String> = Vec::new();
    for first in headline {
        if let Some((key, _)) = map.get_key_value(*first) {
            keys.push(key);
        }
    }
    let rest = map.keys().filter(|k| !headline.contains(&k.as_str()));
    let (plain, grouped): (Vec<&String>, Vec<&String>) = rest.partition(|k| !map[*k].is_object());
    keys.extend(plain);
    keys.extend(grouped);
    let mut rows = Vec::new();
    for key in keys {
        figure_rows(&human(key), &map[key], false, &mut rows);
    }
    figures.rows = rows.into_iter().map(|(f, v)| vec![f, v]).collect();
    let mut tables = vec![figures];
    for (key, value) in map {
        if let Value::Array(items) = value {
            if is_table(value) {
                breakdown_tables(&mut tables, &human(key), items);
            }
        }
    }
    tables
}

/// `cells` as one CSV line.
fn line(cells: &[String]) -> String {
    let mut line = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// Figures as sectioned tables that open cleanly in a spreadsheet: the
/// figures table (headline figures first), then each breakdown after an
/// empty row and its title.
pub fn figures(value: &Value, headline: &[&str]) -> String {
    let mut out = String::new();
    for (i, table) in tables(value, headline).iter().enumerate() {
        if i > 0 {
            out.push_str(&line(&[String::new()]));
            out.push_str(&line(std::slice::from_ref(&table.title)));
        }
        out.push_str(&line(&table.header));
        for row in &table.rows {
            out.push_str(&line(row));
        }
    }
    out
}

/// A list of records as a table, one column per field of the first.
pub fn table(items: &[Value]) -> String {
    let columns: Vec<String> = items
        .first()
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut out = columns
        .iter()
        .map(|c| cell(c))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for item in items {
        let line: Vec<String> = columns.iter().map(|c| cell(&scalar(&item[c]))).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn headline_figures_come_first_then_a_table_per_breakdown() {
        let csv = figures(
            &json!({
                "period": {"label": "2024-25"},
                "kinds": ["complaint", "enquiry"],
                "received": 222,
                "timeliness": {"within_target": 137, "outside_target_percent": {"numerator": 80, "denominator": 217, "percent": 36.9}},
                "responded": 217,
                "by_category": [{"category": "Charging", "count": 66,
                                 "sub_categories": [{"sub_category": "Debt recovery", "count": 8}]}],
                "groups": [],
            }),
            &["received", "responded"],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            &lines[..4],
            [
                "\"Figure\",\"Value\"",
                "\"Received\",\"222\"",
                "\"Responded\",\"217\"",
                "\"Kinds\",\"complaint, enquiry\"",
            ],
            "{csv}"
        );
        assert!(csv.contains("\"Period: label\",\"2024-25\"\r\n"), "{csv}");
        assert!(csv.contains("\"Timeliness: outside target percent: percent\",\"36.9\"\r\n"));
        assert!(
            csv.contains(
                "\"\"\r\n\"By category\"\r\n\"Category\",\"Count\"\r\n\"Charging\",\"66\"\r\n"
            ),
            "{csv}"
        );
        assert!(
            csv.contains("\"By category: sub categories\"\r\n\"Of\",\"Sub category\",\"Count\"\r\n\"Charging\",\"Debt recovery\",\"8\"\r\n"),
            "{csv}"
        );
        assert!(!csv.contains("Groups"), "an empty breakdown has no table");
    }

    #[test]
    fn breakdown_columns_spread_their_objects() {
        let csv = figures(
            &json!({"groups": [
                {"key": {"service_area": "SEND"}, "outcomes": {"upheld": 1}, "received": 2, "suppressed": false},
                {"key": {"service_area": null}, "outcomes": null, "received": null, "suppressed": true},
            ]}),
            &[],
        );
        assert!(
            csv.contains("\"Key: service area\",\"Outcomes: upheld\",\"Received\",\"Suppressed\"\r\n\"SEND\",\"1\",\"2\",\"false\"\r\n\"\",\"<5\",\"<5\",\"true\"\r\n"),
            "{csv}"
        );
    }

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=SUM(A1)"), "\"'=SUM(A1)\"");
        assert_eq!(cell("-5"), "\"-5\"");
        assert_eq!(cell("Charging"), "\"Charging\"");
        for hostile in [
            " =1+1",
            "  @SUM(A1)",
            ";=cmd|' /C calc'!A0",
            "＝1+1",
            "＋1",
            "－1",
            "＠SUM(A1)",
            "|calc",
        ] {
            assert!(
                cell(hostile).starts_with("\"'"),
                "{hostile} → {}",
                cell(hostile)
            );
        }
    }

    #[test]
    fn suppressed_counts_read_less_than_five() {
        let csv = figures(
            &json!({"young_people": {"received": null, "advocate_assisted": 6, "suppressed": true}}),
            &[],
        );
        assert!(
            csv.contains("\"Young people: received\",\"<5\"\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("\"Young people: advocate assisted\",\"6\"\r\n"),
            "{csv}"
        );
    }

    #[test]
    fn tables_have_a_header_and_a_row_per_item() {
        let csv = table(&[
            json!({"id": 1, "reference": "FB-000001"}),
            json!({"id": 2, "reference": "FB-000002"}),
        ]);
        assert_eq!(
            csv,
            "\"id\",\"reference\"\r\n\"1\",\"FB-000001\"\r\n\"2\",\"FB-000002\"\r\n"
        );
    }
}
