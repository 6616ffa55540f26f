//! Statistics as CSV: a flat table that opens cleanly in a spreadsheet.
//!
//! Figures become rows of `figure,value`, named by their path
//! (`timeliness.within_target`, `by_category[Charging].count`); lists of
//! records (the breach report) become a table with a column per field.

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

fn flatten(prefix: &str, value: &Value, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            let suppressed = map.get("suppressed") == Some(&Value::Bool(true));
            for (key, v) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                if suppressed && v.is_null() {
                    rows.push((name, SUPPRESSED.to_string()));
                } else {
                    flatten(&name, v, rows);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{}]", label(item, i)), item, rows);
            }
        }
        other => rows.push((prefix.to_string(), scalar(other))),
    }
}

/// Figures as `figure,value` rows.
pub fn figures(value: &Value) -> String {
    let mut rows = Vec::new();
    flatten("", value, &mut rows);
    let mut out = format!("{},{}\r\n", cell("figure"), cell("value"));
    for (figure, value) in rows {
        out.push_str(&format!("{},{}\r\n", cell(&figure), cell(&value)));
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
    fn figures_are_named_by_path_and_breakdown() {
        let csv = figures(&json!({
            "received": 222,
            "timeliness": {"within_target": 137, "outside_target_percent": {"numerator": 80, "denominator": 217, "percent": 36.9}},
            "by_category": [{"category": "Charging", "count": 66}],
            "by_stage": [{"procedure": "corporate", "stage": 2, "received": 3}],
        }));
        assert!(csv.starts_with("\"figure\",\"value\"\r\n"));
        assert!(csv.contains("\"received\",\"222\"\r\n"));
        assert!(csv.contains("\"timeliness.outside_target_percent.percent\",\"36.9\"\r\n"));
        assert!(csv.contains("\"by_category[Charging].count\",\"66\"\r\n"));
        assert!(csv.contains("\"by_stage[corporate stage 2].received\",\"3\"\r\n"));
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
        );
        assert!(
            csv.contains("\"young_people.received\",\"<5\"\r\n"),
            "{csv}"
        );
        assert!(
            csv.contains("\"young_people.advocate_assisted\",\"6\"\r\n"),
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
