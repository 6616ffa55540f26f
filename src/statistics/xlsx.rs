//! Statistics as an `.xlsx` workbook: the same tables as the CSV, one sheet
//! each, headers in bold, numbers as numbers.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::error::ApiError;
use crate::statistics::csv::{Table, SUPPRESSED};

/// The media type of an `.xlsx` workbook.
pub const MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`,
/// and not one already used (compared without case).
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let base: String = clean.trim().chars().take(27).collect();
    let base = if base.is_empty() {
        "Sheet".to_string()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

fn failed(error: XlsxError) -> ApiError {
    ApiError::internal(format!("xlsx: {error}"))
}

/// The tables as a workbook, one sheet per table.
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, ApiError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let mut used = Vec::new();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(sheet_name(&table.title, &mut used))
            .map_err(failed)?;
        for (col, name) in table.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, name, &bold)
                .map_err(failed)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = (r + 1) as u32;
            for (col, text) in row.iter().enumerate() {
                let col = col as u16;
                match text.parse::<f64>() {
                    Ok(number) if number.is_finite() && text != SUPPRESSED => {
                        sheet.write_number(r, col, number).map_err(failed)?
                    }
                    _ => sheet.write_string(r, col, text).map_err(failed)?,
                };
            }
        }
    }
    workbook.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("By category", &mut used), "By category");
        assert_eq!(sheet_name("by CATEGORY", &mut used), "by CATEGORY 2");
        assert_eq!(
            sheet_name(
                "Years: a very long title indeed, longer than Excel allows",
                &mut used
            ),
            "Years- a very long title in"
        );
        assert_eq!(sheet_name("[]", &mut used), "--");
    }

    #[test]
    fn a_workbook_is_a_zip() {
        let bytes = workbook(&[Table {
            title: "Figures".into(),
            header: vec!["Figure".into(), "Value".into()],
            rows: vec![
                vec!["Received".into(), "222".into()],
                vec!["Young people".into(), "<5".into()],
            ],
        }])
        .unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
