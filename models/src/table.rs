//! Model inputs held column by column: numbers (`NaN` = missing) and dictionary-encoded
//! categories, plus the 0/1 target of a training set.
//!
//! Every model in this crate reads a [`FeatureTable`] by column name, so the same artifact scores
//! a CSV, a Parquet file or the engine's grant batch alike. [`crate::frame`] builds tables from
//! polars data frames.

use crate::ModelError;
use serde::{Deserialize, Serialize};

/// Code of a missing category.
pub const MISSING_CODE: u32 = u32::MAX;

/// Whether a feature is a number or a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// A number (`NaN` is missing).
    Numeric,
    /// A category (text).
    Categorical,
}

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers; `NaN` is missing.
    Numeric(Vec<f64>),
    /// Categories as codes into `levels`; [`MISSING_CODE`] is missing.
    Categorical {
        /// One code per row.
        codes: Vec<u32>,
        /// The distinct texts.
        levels: Vec<String>,
    },
}

impl ColumnData {
    /// Rows.
    pub fn len(&self) -> usize {
        match self {
            Self::Numeric(v) => v.len(),
            Self::Categorical { codes, .. } => codes.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kind.
    pub fn kind(&self) -> FeatureKind {
        match self {
            Self::Numeric(_) => FeatureKind::Numeric,
            Self::Categorical { .. } => FeatureKind::Categorical,
        }
    }

    /// Builds a categorical column from optional texts.
    pub fn categorical<S: AsRef<str>>(values: impl IntoIterator<Item = Option<S>>) -> Self {
        let mut levels: Vec<String> = Vec::new();
        let mut index: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let codes = values
            .into_iter()
            .map(|v| match v {
                None => MISSING_CODE,
                Some(s) => {
                    let s = s.as_ref();
                    if let Some(&c) = index.get(s) {
                        c
                    } else {
                        let c = crate::narrow::id32(levels.len());
                        levels.push(s.to_string());
                        index.insert(s.to_string(), c);
                        c
                    }
                }
            })
            .collect();
        Self::Categorical { codes, levels }
    }

    fn take(&self, rows: &[usize]) -> Self {
        match self {
            Self::Numeric(v) => Self::Numeric(rows.iter().map(|&i| v[i]).collect()),
            Self::Categorical { codes, levels } => Self::Categorical {
                codes: rows.iter().map(|&i| codes[i]).collect(),
                levels: levels.clone(),
            },
        }
    }
}

/// One named column.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureColumn {
    /// Column name.
    pub name: String,
    /// Values.
    pub data: ColumnData,
}

/// A feature's name and kind, as an artifact records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Input column name.
    pub name: String,
    /// Number or category.
    pub kind: FeatureKind,
}

/// Columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureTable {
    /// The columns.
    pub columns: Vec<FeatureColumn>,
    rows: usize,
}

impl FeatureTable {
    /// A table of `columns`; they must all have the same length.
    pub fn new(columns: Vec<FeatureColumn>) -> Result<Self, ModelError> {
        let rows = columns.first().map_or(0, |c| c.data.len());
        if let Some(c) = columns.iter().find(|c| c.data.len() != rows) {
            return Err(ModelError::Input {
                field: c.name.clone(),
                reason: format!(
                    "has {} rows where the first column has {rows}",
                    c.data.len()
                ),
            });
        }
        Ok(Self { columns, rows })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&FeatureColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The names and kinds of the columns.
    pub fn specs(&self) -> Vec<FeatureSpec> {
        self.columns
            .iter()
            .map(|c| FeatureSpec {
                name: c.name.clone(),
                kind: c.data.kind(),
            })
            .collect()
    }

    /// The listed rows, in the given order.
    pub fn take(&self, rows: &[usize]) -> Self {
        Self {
            columns: self
                .columns
                .iter()
                .map(|c| FeatureColumn {
                    name: c.name.clone(),
                    data: c.data.take(rows),
                })
                .collect(),
            rows: rows.len(),
        }
    }

    /// The columns a model needs, in its order, each checked for its kind.
    pub fn resolve<'t>(&'t self, specs: &[FeatureSpec]) -> Result<Vec<&'t ColumnData>, ModelError> {
        specs
            .iter()
            .map(|s| {
                let c = self.column(&s.name).ok_or_else(|| ModelError::Input {
                    field: s.name.clone(),
                    reason: "the model needs this column and the data do not have it".into(),
                })?;
                if c.data.kind() != s.kind {
                    return Err(ModelError::Input {
                        field: s.name.clone(),
                        reason: format!(
                            "the model reads it as {:?}, the data hold {:?}",
                            s.kind,
                            c.data.kind()
                        ),
                    });
                }
                Ok(&c.data)
            })
            .collect()
    }
}

/// Features and a 0/1 target.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSet {
    /// The features.
    pub table: FeatureTable,
    /// 1 = positive (bad, default), 0 = negative.
    pub target: Vec<u8>,
    /// Name of the target column.
    pub target_name: String,
}

impl TrainingSet {
    /// A training set; the target must match the rows and hold both classes.
    pub fn new(
        table: FeatureTable,
        target: Vec<u8>,
        target_name: &str,
    ) -> Result<Self, ModelError> {
        if target.len() != table.rows() {
            return Err(ModelError::Input {
                field: target_name.to_string(),
                reason: format!("{} values for {} rows", target.len(), table.rows()),
            });
        }
        let positives = target.iter().filter(|&&t| t == 1).count();
        if positives == 0 || positives == target.len() {
            return Err(ModelError::Input {
                field: target_name.to_string(),
                reason: "the target holds only one class".into(),
            });
        }
        if table.columns.is_empty() {
            return Err(ModelError::Input {
                field: "features".into(),
                reason: "no feature columns".into(),
            });
        }
        Ok(Self {
            table,
            target,
            target_name: target_name.to_string(),
        })
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.target.len()
    }

    /// Share of positives.
    pub fn positive_rate(&self) -> f64 {
        self.target.iter().map(|&t| f64::from(t)).sum::<f64>() / self.rows().max(1) as f64
    }

    /// The listed rows.
    pub fn take(&self, rows: &[usize]) -> Self {
        Self {
            table: self.table.take(rows),
            target: rows.iter().map(|&i| self.target[i]).collect(),
            target_name: self.target_name.clone(),
        }
    }
}

/// A deterministic pseudo-random generator (splitmix64): folds and samples depend only on the
/// seed, on every platform and version.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        // Below `n`, a usize: the conversion cannot fail.
        usize::try_from((u128::from(self.next_u64()) * n as u128) >> 64).unwrap_or(0)
    }

    /// Shuffles in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Fold number (0..k) of every row: each class is shuffled with `seed` and dealt round-robin,
/// so every fold holds the class mix of the whole set (stratified k-fold).
pub fn stratified_folds(target: &[u8], k: usize, seed: u64) -> Result<Vec<usize>, ModelError> {
    if k < 2 {
        return Err(ModelError::Input {
            field: "folds".into(),
            reason: format!("{k} folds: at least 2 are needed"),
        });
    }
    let mut rng = SplitMix::new(seed);
    let mut fold = vec![0usize; target.len()];
    for class in [0u8, 1u8] {
        let mut rows: Vec<usize> = (0..target.len()).filter(|&i| target[i] == class).collect();
        if rows.len() < k {
            return Err(ModelError::Input {
                field: "folds".into(),
                reason: format!(
                    "class {class} has {} rows, fewer than the {k} folds",
                    rows.len()
                ),
            });
        }
        rng.shuffle(&mut rows);
        for (n, &i) in rows.iter().enumerate() {
            fold[i] = n % k;
        }
    }
    Ok(fold)
}

/// A stratified split of `0..target.len()` into (larger, `share` part), deterministic in `seed`.
pub fn stratified_split(target: &[u8], share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = SplitMix::new(seed ^ 0x5EED_CA11);
    let (mut keep, mut held) = (Vec::new(), Vec::new());
    for class in [0u8, 1u8] {
        let mut rows: Vec<usize> = (0..target.len()).filter(|&i| target[i] == class).collect();
        rng.shuffle(&mut rows);
        let n_held = crate::narrow::round_count((rows.len() as f64) * share);
        held.extend_from_slice(&rows[..n_held.min(rows.len())]);
        keep.extend_from_slice(&rows[n_held.min(rows.len())..]);
    }
    keep.sort_unstable();
    held.sort_unstable();
    (keep, held)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let target: Vec<u8> = (0..1000).map(|i| u8::from(i % 5 == 0)).collect();
        let a = stratified_folds(&target, 5, 42).unwrap();
        assert_eq!(a, stratified_folds(&target, 5, 42).unwrap());
        assert_ne!(a, stratified_folds(&target, 5, 43).unwrap());
        for f in 0..5 {
            let rows: Vec<usize> = (0..1000).filter(|&i| a[i] == f).collect();
            assert_eq!(rows.len(), 200);
            assert_eq!(rows.iter().filter(|&&i| target[i] == 1).count(), 40);
        }
        assert!(stratified_folds(&target, 1, 42).is_err());
    }

    #[test]
    fn tables_check_lengths_and_kinds() {
        let bad = FeatureTable::new(vec![
            FeatureColumn {
                name: "a".into(),
                data: ColumnData::Numeric(vec![1.0, 2.0]),
            },
            FeatureColumn {
                name: "b".into(),
                data: ColumnData::Numeric(vec![1.0]),
            },
        ]);
        assert!(matches!(bad, Err(ModelError::Input { field, .. }) if field == "b"));
        let t = FeatureTable::new(vec![FeatureColumn {
            name: "a".into(),
            data: ColumnData::categorical([Some("x"), None, Some("x")]),
        }])
        .unwrap();
        let spec = FeatureSpec {
            name: "a".into(),
            kind: FeatureKind::Numeric,
        };
        assert!(t.resolve(&[spec]).is_err());
        let ColumnData::Categorical { codes, levels } = &t.columns[0].data else {
            panic!("categorical")
        };
        assert_eq!(codes, &vec![0, MISSING_CODE, 0]);
        assert_eq!(levels, &vec!["x".to_string()]);
    }
}
