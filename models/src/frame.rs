//! Model tables from polars data frames: column kinds, missing values and the 0/1 target.
//!
//! Kinds: numeric dtypes and booleans are numbers; a text column whose every present value
//! parses as a number is a number (CSV files are read as text); any other text column is a
//! category. Missing: nulls, and the texts "", "NA", "N/A", "NaN", "nan", "null", "NULL".
//! Target: 0/1 numbers, the texts "0"/"1", true/false, or LendingClub's `loan_status` (the one
//! documented mapping: contains "Charged Off" = 1, contains "Fully Paid" = 0). Anything else is
//! an error naming the row and the value, never a guess.

use crate::ModelError;
use crate::table::{ColumnData, FeatureColumn, FeatureTable, TrainingSet};
use polars::prelude::*;

const MISSING_TEXTS: [&str; 7] = ["", "NA", "N/A", "NaN", "nan", "null", "NULL"];

fn input(field: &str, reason: impl Into<String>) -> ModelError {
    ModelError::Input {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// A numeric or boolean column as `f64` values (null = `None`).
fn as_numbers(column: &Column, name: &str) -> Result<Vec<Option<f64>>, ModelError> {
    let cast = column
        .cast(&DataType::Float64)
        .map_err(|e| input(name, e.to_string()))?;
    let ca = cast.f64().map_err(|e| input(name, e.to_string()))?;
    Ok(ca.iter().collect())
}

/// One polars column as model data.
pub fn column_data(column: &Column) -> Result<ColumnData, ModelError> {
    let name = column.name().to_string();
    let dtype = column.dtype().clone();
    if dtype.is_primitive_numeric() || dtype == DataType::Boolean {
        return Ok(ColumnData::Numeric(
            as_numbers(column, &name)?
                .into_iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect(),
        ));
    }
    let cast = column
        .cast(&DataType::String)
        .map_err(|_| input(&name, format!("type {dtype} is neither numbers nor text")))?;
    let ca = cast.str().map_err(|e| input(&name, e.to_string()))?;
    let texts: Vec<Option<&str>> = ca
        .iter()
        .map(|v| v.map(str::trim).filter(|s| !MISSING_TEXTS.contains(s)))
        .collect();
    let numbers: Option<Vec<f64>> = texts
        .iter()
        .map(|v| match v {
            None => Some(f64::NAN),
            Some(s) => s.parse::<f64>().ok().filter(|x| x.is_finite()),
        })
        .collect();
    Ok(match numbers {
        Some(v) if texts.iter().any(Option::is_some) => ColumnData::Numeric(v),
        _ => ColumnData::categorical(texts),
    })
}

/// The 0/1 target from a column.
pub fn target_values(column: &Column) -> Result<Vec<u8>, ModelError> {
    let name = column.name().to_string();
    let bad = |row: usize, value: &str| {
        input(
            &name,
            format!(
                "row {row}: target value {value:?} is not 0 or 1 (LendingClub's loan_status is the one mapped column)"
            ),
        )
    };
    let dtype = column.dtype().clone();
    if dtype.is_primitive_numeric() || dtype == DataType::Boolean {
        return as_numbers(column, &name)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                Some(0.0) => Ok(0),
                Some(1.0) => Ok(1),
                Some(x) => Err(bad(i + 1, &x.to_string())),
                None => Err(input(&name, format!("row {}: target missing", i + 1))),
            })
            .collect();
    }
    let cast = column
        .cast(&DataType::String)
        .map_err(|_| input(&name, format!("type {dtype} cannot be a 0/1 target")))?;
    let ca = cast.str().map_err(|e| input(&name, e.to_string()))?;
    let lending_club = name == "loan_status";
    ca.iter()
        .enumerate()
        .map(|(i, v)| {
            let Some(s) = v.map(str::trim).filter(|s| !MISSING_TEXTS.contains(s)) else {
                return Err(input(&name, format!("row {}: target missing", i + 1)));
            };
            match s {
                "0" | "0.0" | "false" => Ok(0),
                "1" | "1.0" | "true" => Ok(1),
                s if lending_club && s.contains("Charged Off") => Ok(1),
                s if lending_club && s.contains("Fully Paid") => Ok(0),
                s => Err(bad(i + 1, s)),
            }
        })
        .collect()
}

/// Which columns are features.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these (empty: every column but the target).
    pub features: Vec<String>,
    /// Not these.
    pub exclude: Vec<String>,
}

/// Feature names of `df` under `selection`, without `target`.
pub fn feature_names(
    df: &DataFrame,
    target: Option<&str>,
    selection: &Selection,
) -> Result<Vec<String>, ModelError> {
    let present: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    for (flag, names) in [
        ("features", &selection.features),
        ("exclude", &selection.exclude),
    ] {
        if let Some(n) = names.iter().find(|n| !present.contains(n)) {
            return Err(input(flag, format!("column {n:?} is not in the data")));
        }
    }
    if let Some(t) = target
        && selection.features.iter().any(|f| f == t)
    {
        return Err(input("features", format!("{t:?} is the target")));
    }
    let base: Vec<String> = if selection.features.is_empty() {
        present
    } else {
        selection.features.clone()
    };
    let names: Vec<String> = base
        .into_iter()
        .filter(|n| Some(n.as_str()) != target && !selection.exclude.contains(n))
        .collect();
    if names.is_empty() {
        return Err(input("features", "no feature columns left"));
    }
    Ok(names)
}

/// The named columns of `df` as a feature table.
pub fn feature_table(df: &DataFrame, names: &[String]) -> Result<FeatureTable, ModelError> {
    let columns = names
        .iter()
        .map(|n| {
            let c = df
                .column(n)
                .map_err(|_| input(n, "the data do not have this column"))?;
            Ok(FeatureColumn {
                name: n.clone(),
                data: column_data(c)?,
            })
        })
        .collect::<Result<Vec<_>, ModelError>>()?;
    FeatureTable::new(columns)
}

/// A training set from `df`: the target column and the selected features.
pub fn training_set(
    df: &DataFrame,
    target: &str,
    selection: &Selection,
) -> Result<TrainingSet, ModelError> {
    let t = df
        .column(target)
        .map_err(|_| input("target", format!("column {target:?} is not in the data")))?;
    let y = target_values(t)?;
    let names = feature_names(df, Some(target), selection)?;
    let table = feature_table(df, &names)?;
    // A text column with a distinct value in most rows is an identifier, not a characteristic:
    // refuse it rather than one-hot encode or bin a million levels.
    for c in &table.columns {
        if let ColumnData::Categorical { levels, codes } = &c.data
            && levels.len() > 100
            && levels.len() * 2 > codes.len()
        {
            return Err(input(
                &c.name,
                format!(
                    "{} distinct values in {} rows: an identifier, not a feature; leave it out with --exclude {}",
                    levels.len(),
                    codes.len(),
                    c.name
                ),
            ));
        }
    }
    TrainingSet::new(table, y, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_missing_values_and_targets() {
        let df = df!(
            "income" => ["1000", "", "2500.5", "NA"],
            "purpose" => ["car", "home", "", "car"],
            "y" => ["0", "1", "1", "0"],
            "status" => ["Fully Paid", "Charged Off", "x", "0"],
        )
        .unwrap();
        let set = training_set(&df, "y", &Selection::default()).unwrap();
        assert_eq!(set.target, vec![0, 1, 1, 0]);
        let names: Vec<&str> = set.table.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["income", "purpose", "status"]);
        let ColumnData::Numeric(v) = &set.table.columns[0].data else {
            panic!("numeric")
        };
        assert!(v[1].is_nan() && v[3].is_nan() && v[2] == 2500.5);
        assert!(matches!(
            set.table.columns[1].data,
            ColumnData::Categorical { .. }
        ));
        // A non-0/1 target is refused with the row and value.
        let err = training_set(&df, "status", &Selection::default()).unwrap_err();
        assert!(err.to_string().contains("row 1"), "{err}");
        // LendingClub's loan_status is mapped.
        let lc = df!("loan_status" => ["Fully Paid", "Charged Off", "Does not meet the credit policy. Status:Charged Off"], "x" => [1.0, 2.0, 3.0]).unwrap();
        assert_eq!(
            training_set(&lc, "loan_status", &Selection::default())
                .unwrap()
                .target,
            vec![0, 1, 1]
        );
        let sel = Selection {
            features: vec!["nope".into()],
            exclude: vec![],
        };
        let err = training_set(&df, "y", &sel).unwrap_err();
        assert!(matches!(err, ModelError::Input { field, .. } if field == "features"));
    }
}
