//! Out-of-time splits: which rows of a table lie in a period `[from, before)` of one of its
//! columns (a date of issue, a year), so a model can be trained on the early loans and measured
//! on the later ones.
//!
//! Values compare as numbers when the column holds numbers (or text that all parses as numbers,
//! as a CSV read as text does) and as text otherwise, which orders ISO dates (`2011-01-01`)
//! correctly. A row whose period value is missing belongs to no period: it is counted, never
//! silently kept or dropped.

use crate::DatasetError;
use polars::prelude::{Column, DataType};
use serde::Serialize;

/// The period `[from, before)` of a column; a missing bound is open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodFilter {
    /// The column holding each row's period (`issue_d`, `issue_year`, `granted_at`).
    pub column: String,
    /// Rows at or after this value are in the period.
    pub from: Option<String>,
    /// Rows before this value are in the period.
    pub before: Option<String>,
}

/// Which rows lie in the period, with the counts a summary reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodSelection {
    /// The filter applied.
    #[serde(flatten)]
    pub filter: PeriodFilter,
    /// `numeric` or `text`: how the values were compared.
    pub compared_as: &'static str,
    /// Rows in the period.
    pub rows_in_period: usize,
    /// Rows with a period value outside it.
    pub rows_outside: usize,
    /// Rows with no period value (left out, as they belong to no period).
    pub rows_missing_period: usize,
    /// Per row: in the period or not.
    #[serde(skip)]
    pub keep: Vec<bool>,
    /// Per row: no period value (so in no period, whichever the bounds).
    #[serde(skip)]
    pub missing: Vec<bool>,
}

impl PeriodFilter {
    /// Selects the rows of `values` (the period column) that lie in the period. A bound that is
    /// not a number when the column holds numbers, or a period with no bound, is a parameter
    /// error naming `from` or `before`.
    pub fn select(&self, values: &Column) -> Result<PeriodSelection, DatasetError> {
        if self.from.is_none() && self.before.is_none() {
            return Err(DatasetError::Parameter {
                field: "period-column".into(),
                reason: "give --from, --before or both with --period-column".into(),
            });
        }
        let text = text_values(&self.column, values)?;
        let numeric_column = values.dtype().is_primitive_numeric()
            || (text.iter().flatten().next().is_some()
                && text
                    .iter()
                    .flatten()
                    .all(|v| v.trim().parse::<f64>().is_ok()));
        let bound = |field: &str, v: &Option<String>| -> Result<Option<f64>, DatasetError> {
            match v {
                Some(s) if numeric_column => {
                    s.trim()
                        .parse::<f64>()
                        .map(Some)
                        .map_err(|_| DatasetError::Parameter {
                            field: field.into(),
                            reason: format!(
                                "`{s}` is not a number, and column `{}` holds numbers",
                                self.column
                            ),
                        })
                }
                _ => Ok(None),
            }
        };
        let (from_n, before_n) = (bound("from", &self.from)?, bound("before", &self.before)?);
        let in_period = |v: &str| -> bool {
            if numeric_column {
                // Every value parsed above (or the column is numeric, cast losslessly to text).
                let Ok(x) = v.trim().parse::<f64>() else {
                    return false;
                };
                from_n.is_none_or(|f| x >= f) && before_n.is_none_or(|b| x < b)
            } else {
                self.from.as_deref().is_none_or(|f| v >= f)
                    && self.before.as_deref().is_none_or(|b| v < b)
            }
        };
        let mut keep = Vec::with_capacity(text.len());
        let mut missing_rows = Vec::with_capacity(text.len());
        let (mut kept, mut outside, mut missing) = (0, 0, 0);
        for v in &text {
            let absent = v.as_deref().is_none_or(|v| v.trim().is_empty());
            missing_rows.push(absent);
            let k = match v.as_deref() {
                Some(v) if !absent && in_period(v) => {
                    kept += 1;
                    true
                }
                Some(_) if !absent => {
                    outside += 1;
                    false
                }
                _ => {
                    missing += 1;
                    false
                }
            };
            keep.push(k);
        }
        Ok(PeriodSelection {
            filter: self.clone(),
            compared_as: if numeric_column { "numeric" } else { "text" },
            rows_in_period: kept,
            rows_outside: outside,
            rows_missing_period: missing,
            keep,
            missing: missing_rows,
        })
    }
}

/// The values of a period column as text (numbers in their shortest decimal form).
fn text_values(name: &str, values: &Column) -> Result<Vec<Option<String>>, DatasetError> {
    let dtype = values.dtype();
    if !(dtype == &DataType::String || dtype.is_primitive_numeric() || dtype.is_temporal()) {
        return Err(DatasetError::ColumnType {
            column: name.into(),
            dtype: dtype.to_string(),
        });
    }
    let cast = values
        .cast(&DataType::String)
        .map_err(|_| DatasetError::ColumnType {
            column: name.into(),
            dtype: dtype.to_string(),
        })?;
    let ca = cast.str().map_err(|_| DatasetError::ColumnType {
        column: name.into(),
        dtype: dtype.to_string(),
    })?;
    Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(from: Option<&str>, before: Option<&str>) -> PeriodFilter {
        PeriodFilter {
            column: "issued".into(),
            from: from.map(str::to_string),
            before: before.map(str::to_string),
        }
    }

    #[test]
    fn iso_dates_compare_as_text_and_missing_values_are_counted() {
        let col = Column::new(
            "issued".into(),
            [
                Some("2010-12-01"),
                Some("2011-01-01"),
                None,
                Some("2009-06-01"),
                Some(""),
            ],
        );
        let s = filter(None, Some("2011-01-01")).select(&col).unwrap();
        assert_eq!(s.keep, [true, false, false, true, false]);
        assert_eq!(
            (s.rows_in_period, s.rows_outside, s.rows_missing_period),
            (2, 1, 2)
        );
        assert_eq!(s.compared_as, "text");
        let s = filter(Some("2011-01-01"), None).select(&col).unwrap();
        assert_eq!(s.keep, [false, true, false, false, false]);
    }

    #[test]
    fn numbers_compare_as_numbers_even_when_read_as_text() {
        // As text "9" > "10"; as numbers it is not.
        let col = Column::new("issued".into(), [Some("9"), Some("10"), Some("11")]);
        let s = filter(Some("10"), Some("11")).select(&col).unwrap();
        assert_eq!(s.keep, [false, true, false]);
        assert_eq!(s.compared_as, "numeric");
        let col = Column::new("issued".into(), [2009i64, 2010, 2011]);
        let s = filter(None, Some("2011")).select(&col).unwrap();
        assert_eq!(s.keep, [true, true, false]);
    }

    #[test]
    fn a_bad_bound_or_no_bound_is_a_parameter_error() {
        let col = Column::new("issued".into(), [2009i64, 2010]);
        let e = filter(Some("last year"), None).select(&col).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("from: `last year` is not a number"),
            "{e}"
        );
        let e = filter(None, None).select(&col).unwrap_err();
        assert!(e.to_string().starts_with("period-column:"), "{e}");
    }
}
