//! Real public credit datasets, mapped to documented model inputs.
//!
//! Each [`RealDataset`] names its file in `datasets/data/` (or the team's shared copy), its
//! feature columns with their kind and meaning, and its binary target. [`load_model_table`]
//! reads only the needed columns (polars lazy scan with projection for Parquet), checks that
//! every column is present and of the right type, and returns numeric features as `Float64`
//! (missing = null), categorical features as `String` and the target as `target` (0/1).
//! Post-origination columns are never read: the LendingClub lists are allowlists.
//! [`lending_club_grants`] maps LendingClub to the engine's grant columns (SPEC section 4).

use crate::DatasetError;
use polars::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Whether a feature is a number or a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// A number; read as `Float64`.
    Numeric,
    /// A category; read as `String` (integer codes are turned into their decimal text).
    Categorical,
}

/// One model input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureSpec {
    /// Column name in the model table.
    pub name: &'static str,
    /// Column it comes from in the source file.
    pub source: &'static str,
    /// Number or category.
    pub kind: FeatureKind,
    /// What it means, in the units of the model table.
    pub meaning: &'static str,
}

const fn num(name: &'static str, meaning: &'static str) -> FeatureSpec {
    FeatureSpec {
        name,
        source: name,
        kind: FeatureKind::Numeric,
        meaning,
    }
}

const fn cat(name: &'static str, meaning: &'static str) -> FeatureSpec {
    FeatureSpec {
        name,
        source: name,
        kind: FeatureKind::Categorical,
        meaning,
    }
}

/// The real datasets finrisk knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RealDataset {
    /// LendingClub 2007-2011, 24 origination-time features (7 categorical), target Charged Off.
    LendingClub,
    /// LendingClub 2007-2011 mapped to the engine's grant columns (10 features), target Charged Off.
    LendingClubGrants,
    /// Taiwan credit-card default (Yeh & Lien 2009), 23 features, target default next month.
    TaiwanDefault,
    /// German credit (Statlog), 20 features (13 categorical), target class 2 (bad).
    GermanCredit,
    /// Australian credit approval (Statlog), 14 features (4 categorical), target class 1.
    AustralianCredit,
    /// Give Me Some Credit (Kaggle 2011), 10 features, target 90+ days past due in 2 years.
    /// Not redistributed: read from the shared folder.
    GiveMeSomeCredit,
}

const LC_ORIGINATION: [FeatureSpec; 24] = [
    num("loan_amnt", "amount applied for, US$"),
    num("term", "term in months (36 or 60)"),
    num("int_rate", "interest rate, fraction"),
    num("installment", "monthly payment, US$"),
    cat("grade", "LendingClub grade A..G"),
    cat("sub_grade", "LendingClub sub-grade A1..G5"),
    cat(
        "emp_length",
        "employment length (< 1 year .. 10+ years, n/a)",
    ),
    cat("home_ownership", "RENT, OWN, MORTGAGE, OTHER, NONE"),
    num("annual_inc", "self-reported annual income, US$"),
    cat(
        "verification_status",
        "income verified / source verified / not verified",
    ),
    cat("purpose", "loan purpose category"),
    cat("addr_state", "US state"),
    num(
        "dti",
        "monthly debt payments (excl. mortgage and this loan) / monthly income, percent",
    ),
    num("delinq_2yrs", "30+ days past-due incidences, past 2 years"),
    FeatureSpec {
        name: "credit_history_months",
        source: "earliest_cr_line",
        kind: FeatureKind::Numeric,
        meaning: "months from the earliest credit line to issue_d",
    },
    num("inq_last_6mths", "credit inquiries, past 6 months"),
    num(
        "mths_since_last_delinq",
        "months since the last delinquency (null: none)",
    ),
    num(
        "mths_since_last_record",
        "months since the last public record (null: none)",
    ),
    num("open_acc", "open credit lines"),
    num("pub_rec", "derogatory public records"),
    num("revol_bal", "revolving balance, US$"),
    num("revol_util", "revolving utilisation, fraction"),
    num("total_acc", "credit lines ever"),
    num("pub_rec_bankruptcies", "public-record bankruptcies"),
];

/// LendingClub columns that reveal the outcome (SOURCE.md leakage warning). No loader reads them.
pub const LENDING_CLUB_POST_ORIGINATION: [&str; 25] = [
    "loan_status",
    "out_prncp",
    "out_prncp_inv",
    "total_pymnt",
    "total_pymnt_inv",
    "total_rec_prncp",
    "total_rec_int",
    "total_rec_late_fee",
    "recoveries",
    "collection_recovery_fee",
    "last_pymnt_d",
    "last_pymnt_amnt",
    "last_credit_pull_d",
    "debt_settlement_flag",
    "debt_settlement_flag_date",
    "settlement_status",
    "settlement_date",
    "settlement_amount",
    "settlement_percentage",
    "settlement_term",
    "hardship_flag",
    "pymnt_plan",
    "funded_amnt_inv",
    "acc_now_delinq",
    "delinq_amnt",
];

const LC_GRANTS: [FeatureSpec; 10] = [
    FeatureSpec {
        name: "monthly_income_minor",
        source: "annual_inc",
        kind: FeatureKind::Numeric,
        meaning: "annual_inc / 12, in cents",
    },
    FeatureSpec {
        name: "dti",
        source: "dti",
        kind: FeatureKind::Numeric,
        meaning: "dti / 100: existing monthly debt service over monthly income, excluding this loan",
    },
    FeatureSpec {
        name: "inquiries_6m",
        source: "inq_last_6mths",
        kind: FeatureKind::Numeric,
        meaning: "credit inquiries, past 6 months",
    },
    FeatureSpec {
        name: "open_lines",
        source: "open_acc",
        kind: FeatureKind::Numeric,
        meaning: "open credit lines",
    },
    FeatureSpec {
        name: "delinquencies_2y",
        source: "delinq_2yrs",
        kind: FeatureKind::Numeric,
        meaning: "30+ days past-due incidences, past 2 years",
    },
    FeatureSpec {
        name: "revolving_utilization",
        source: "revol_util",
        kind: FeatureKind::Numeric,
        meaning: "revolving utilisation, fraction",
    },
    FeatureSpec {
        name: "principal_minor",
        source: "funded_amnt",
        kind: FeatureKind::Numeric,
        meaning: "amount funded, in cents",
    },
    FeatureSpec {
        name: "term_months",
        source: "term",
        kind: FeatureKind::Numeric,
        meaning: "term in months",
    },
    FeatureSpec {
        name: "apr",
        source: "int_rate",
        kind: FeatureKind::Numeric,
        meaning: "interest rate, fraction (LendingClub's origination fee is not in the data)",
    },
    FeatureSpec {
        name: "income_verified",
        source: "verification_status",
        kind: FeatureKind::Numeric,
        meaning: "1 unless verification_status is Not Verified",
    },
];

const TAIWAN: [FeatureSpec; 23] = [
    num("LIMIT_BAL", "credit limit, NT$"),
    num("SEX", "1 male, 2 female"),
    num(
        "EDUCATION",
        "1 graduate school .. 4 others (0, 5, 6 undocumented)",
    ),
    num("MARRIAGE", "1 married, 2 single, 3 others"),
    num("AGE", "years"),
    num("PAY_0", "repayment status Sep 2005 (-2..8)"),
    num("PAY_2", "repayment status Aug 2005"),
    num("PAY_3", "repayment status Jul 2005"),
    num("PAY_4", "repayment status Jun 2005"),
    num("PAY_5", "repayment status May 2005"),
    num("PAY_6", "repayment status Apr 2005"),
    num("BILL_AMT1", "bill amount Sep 2005, NT$"),
    num("BILL_AMT2", "bill amount Aug 2005, NT$"),
    num("BILL_AMT3", "bill amount Jul 2005, NT$"),
    num("BILL_AMT4", "bill amount Jun 2005, NT$"),
    num("BILL_AMT5", "bill amount May 2005, NT$"),
    num("BILL_AMT6", "bill amount Apr 2005, NT$"),
    num("PAY_AMT1", "amount paid Sep 2005, NT$"),
    num("PAY_AMT2", "amount paid Aug 2005, NT$"),
    num("PAY_AMT3", "amount paid Jul 2005, NT$"),
    num("PAY_AMT4", "amount paid Jun 2005, NT$"),
    num("PAY_AMT5", "amount paid May 2005, NT$"),
    num("PAY_AMT6", "amount paid Apr 2005, NT$"),
];

const GERMAN: [FeatureSpec; 20] = [
    cat("checking_status", "A11 <0 DM .. A14 no checking account"),
    num("duration_months", "duration in months"),
    cat("credit_history", "A30 .. A34"),
    cat("purpose", "A40 .. A410"),
    num("credit_amount", "amount, DM"),
    cat("savings", "A61 .. A65"),
    cat("employment_since", "A71 .. A75"),
    num(
        "installment_rate_pct",
        "instalment as % of disposable income (1-4)",
    ),
    cat("personal_status_sex", "A91 .. A95"),
    cat("other_debtors", "A101 .. A103"),
    num("residence_since", "present residence since (1-4)"),
    cat("property", "A121 .. A124"),
    num("age", "years"),
    cat("other_installment_plans", "A141 .. A143"),
    cat("housing", "A151 .. A153"),
    num("existing_credits", "existing credits at this bank"),
    cat("job", "A171 .. A174"),
    num("num_dependents", "people liable to maintain"),
    cat("telephone", "A191, A192"),
    cat("foreign_worker", "A201, A202"),
];

const AUSTRALIAN: [FeatureSpec; 14] = [
    num("A1", "binary (anonymised)"),
    num("A2", "continuous (anonymised)"),
    num("A3", "continuous (anonymised)"),
    cat("A4", "categorical, 3 levels (anonymised)"),
    cat("A5", "categorical, 14 levels (anonymised)"),
    cat("A6", "categorical, 8 levels (anonymised)"),
    num("A7", "continuous (anonymised)"),
    num("A8", "binary (anonymised)"),
    num("A9", "binary (anonymised)"),
    num("A10", "continuous (anonymised)"),
    num("A11", "binary (anonymised)"),
    cat("A12", "categorical, 3 levels (anonymised)"),
    num("A13", "continuous (anonymised)"),
    num("A14", "continuous, heavy-tailed (anonymised)"),
];

const GMSC: [FeatureSpec; 10] = [
    num(
        "RevolvingUtilizationOfUnsecuredLines",
        "card and personal-line balances / limits",
    ),
    num("age", "years"),
    num(
        "NumberOfTime30-59DaysPastDueNotWorse",
        "times 30-59 days late, past 2 years",
    ),
    num(
        "DebtRatio",
        "monthly debt payments and living costs / monthly gross income",
    ),
    num("MonthlyIncome", "monthly income (null: missing)"),
    num("NumberOfOpenCreditLinesAndLoans", "open loans and lines"),
    num("NumberOfTimes90DaysLate", "times 90+ days late"),
    num(
        "NumberRealEstateLoansOrLines",
        "real-estate loans and lines",
    ),
    num(
        "NumberOfTime60-89DaysPastDueNotWorse",
        "times 60-89 days late, past 2 years",
    ),
    num("NumberOfDependents", "dependents (null: missing)"),
];

/// How the target is read from its source column.
enum TargetRule {
    /// Text contains a marker (LendingClub `loan_status` contains `Charged Off`).
    TextContains(&'static str),
    /// Integer equals a value.
    Equals(i64),
}

impl RealDataset {
    /// Every dataset.
    pub const ALL: [RealDataset; 6] = [
        Self::LendingClub,
        Self::LendingClubGrants,
        Self::TaiwanDefault,
        Self::GermanCredit,
        Self::AustralianCredit,
        Self::GiveMeSomeCredit,
    ];

    /// Short name used on the command line and in reports.
    /// Where the data come from, for a model's validation record: jurisdiction code, currency
    /// of its amounts, and the population.
    pub fn population(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::LendingClub | Self::LendingClubGrants => {
                ("US", "USD", "LendingClub personal loans issued 2007-2011")
            }
            Self::TaiwanDefault => (
                "TW",
                "TWD",
                "Taiwan credit-card holders, April-September 2005 (Yeh & Lien 2009)",
            ),
            Self::GermanCredit => ("DE", "DEM", "Statlog German credit applicants"),
            Self::AustralianCredit => ("AU", "AUD", "Statlog Australian credit applicants"),
            Self::GiveMeSomeCredit => ("US", "USD", "Give Me Some Credit borrowers (Kaggle 2011)"),
        }
    }

    /// The dataset's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::LendingClub => "lending_club",
            Self::LendingClubGrants => "lending_club_grants",
            Self::TaiwanDefault => "taiwan_default",
            Self::GermanCredit => "german_credit",
            Self::AustralianCredit => "australian_credit",
            Self::GiveMeSomeCredit => "give_me_some_credit",
        }
    }

    /// Parses a short name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The model inputs, in order.
    pub fn features(self) -> &'static [FeatureSpec] {
        match self {
            Self::LendingClub => &LC_ORIGINATION,
            Self::LendingClubGrants => &LC_GRANTS,
            Self::TaiwanDefault => &TAIWAN,
            Self::GermanCredit => &GERMAN,
            Self::AustralianCredit => &AUSTRALIAN,
            Self::GiveMeSomeCredit => &GMSC,
        }
    }

    /// The source column of the target and what counts as positive (1).
    fn target_rule(self) -> (&'static str, TargetRule) {
        match self {
            Self::LendingClub | Self::LendingClubGrants => {
                ("loan_status", TargetRule::TextContains("Charged Off"))
            }
            Self::TaiwanDefault => ("default_payment_next_month", TargetRule::Equals(1)),
            Self::GermanCredit => ("class", TargetRule::Equals(2)),
            Self::AustralianCredit => ("class", TargetRule::Equals(1)),
            Self::GiveMeSomeCredit => ("SeriousDlqin2yrs", TargetRule::Equals(1)),
        }
    }

    /// What the positive target means.
    pub fn positive_class(self) -> &'static str {
        match self {
            Self::LendingClub | Self::LendingClubGrants => "loan_status contains Charged Off",
            Self::TaiwanDefault => "default_payment_next_month = 1",
            Self::GermanCredit => "class = 2 (bad)",
            Self::AustralianCredit => "class = 1",
            Self::GiveMeSomeCredit => "SeriousDlqin2yrs = 1 (90+ days past due within 2 years)",
        }
    }

    /// The file in `datasets/data/` (or, for Give Me Some Credit, in the shared folder).
    pub fn default_path(self) -> PathBuf {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        match self {
            Self::LendingClub | Self::LendingClubGrants => {
                data.join("lending_club_2007_2011.parquet")
            }
            Self::TaiwanDefault => data.join("taiwan_default.parquet"),
            Self::GermanCredit => data.join("german_credit.csv"),
            Self::AustralianCredit => data.join("australian_credit.csv"),
            Self::GiveMeSomeCredit => Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/datasets/give_me_some_credit/cs-training.csv"),
        }
    }
}

/// A dataset ready for modelling: features and a 0/1 `target` column.
#[derive(Debug, Clone)]
pub struct ModelTable {
    /// The dataset.
    pub dataset: RealDataset,
    /// Feature columns (in [`RealDataset::features`] order) and `target` (Int32, 0/1).
    pub frame: DataFrame,
    /// The features.
    pub features: &'static [FeatureSpec],
}

impl ModelTable {
    /// Share of rows with target 1.
    pub fn positive_rate(&self) -> f64 {
        let Ok(col) = self.frame.column("target") else {
            return f64::NAN;
        };
        let Ok(ca) = col.i32() else { return f64::NAN };
        let n = ca.len().max(1);
        ca.iter().flatten().map(f64::from).sum::<f64>() / n as f64
    }
}

/// Reads the listed columns of a CSV (types inferred from the whole file) or Parquet file
/// (projected, so only these columns are read); a column the file lacks is named.
fn read_columns(path: &Path, columns: &[&str]) -> Result<DataFrame, DatasetError> {
    crate::guarded(path, || read_columns_unguarded(path, columns))
}

fn read_columns_unguarded(path: &Path, columns: &[&str]) -> Result<DataFrame, DatasetError> {
    let display = path.display().to_string();
    let read_err = |e: PolarsError| DatasetError::Read {
        path: display.clone(),
        reason: e.to_string().lines().next().unwrap_or("").to_string(),
    };
    if !path.is_file() {
        return Err(DatasetError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let mut wanted: Vec<&str> = Vec::with_capacity(columns.len());
    for c in columns {
        if !wanted.contains(c) {
            wanted.push(c);
        }
    }
    let format = crate::TableFormat::detect(path)?;
    let file = std::fs::File::open(path).map_err(|e| DatasetError::io(path, e))?;
    let missing_of = |present: &dyn Fn(&str) -> bool| -> Result<(), DatasetError> {
        let missing: Vec<String> = wanted
            .iter()
            .filter(|c| !present(c))
            .map(|c| c.to_string())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DatasetError::MissingColumns { columns: missing })
        }
    };
    match format {
        crate::TableFormat::Parquet => {
            let mut reader = ParquetReader::new(file);
            let schema = reader.schema().map_err(read_err)?;
            missing_of(&|c| schema.get(c).is_some())?;
            reader
                .with_columns(Some(wanted.iter().map(|c| c.to_string()).collect()))
                .finish()
                .map_err(read_err)
        }
        crate::TableFormat::Csv => {
            let mut header = String::new();
            std::io::BufRead::read_line(&mut std::io::BufReader::new(&file), &mut header)
                .map_err(|e| DatasetError::io(path, e))?;
            let names: Vec<&str> = header
                .trim_end_matches(['\r', '\n'])
                .split(',')
                .map(|c| c.trim_matches('"'))
                .collect();
            missing_of(&|c| names.contains(&c))?;
            let projection: Vec<PlSmallStr> = wanted.iter().map(|c| PlSmallStr::from(*c)).collect();
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(None)
                .with_columns(Some(projection.into()))
                .try_into_reader_with_file_path(Some(path.to_path_buf()))
                .and_then(|r| r.finish())
                .map_err(read_err)
        }
    }
}

fn mistyped(column: &str, expected: &str, found: &DataType) -> DatasetError {
    DatasetError::ColumnType {
        column: column.to_string(),
        dtype: format!("{found}, expected {expected}"),
    }
}

/// A numeric source column as `f64` values (nulls kept).
fn numeric(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, DatasetError> {
    let col = df.column(name).map_err(|_| DatasetError::MissingColumns {
        columns: vec![name.to_string()],
    })?;
    if !col.dtype().is_primitive_numeric() {
        return Err(mistyped(name, "numbers", col.dtype()));
    }
    let cast = col
        .cast(&DataType::Float64)
        .map_err(|_| mistyped(name, "numbers", col.dtype()))?;
    let ca = cast
        .f64()
        .map_err(|_| mistyped(name, "numbers", col.dtype()))?;
    Ok(ca.iter().collect())
}

/// A categorical or text source column as strings (integer codes as decimal text).
fn text(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, DatasetError> {
    let col = df.column(name).map_err(|_| DatasetError::MissingColumns {
        columns: vec![name.to_string()],
    })?;
    if !(col.dtype() == &DataType::String || col.dtype().is_integer()) {
        return Err(mistyped(name, "text or integer codes", col.dtype()));
    }
    let cast = col
        .cast(&DataType::String)
        .map_err(|_| mistyped(name, "text", col.dtype()))?;
    let ca = cast
        .str()
        .map_err(|_| mistyped(name, "text", col.dtype()))?;
    Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
}

fn target_values(df: &DataFrame, dataset: RealDataset) -> Result<Vec<i32>, DatasetError> {
    let (source, rule) = dataset.target_rule();
    let values: Vec<Option<i32>> = match rule {
        TargetRule::TextContains(marker) => text(df, source)?
            .into_iter()
            .map(|v| v.map(|s| i32::from(s.contains(marker))))
            .collect(),
        TargetRule::Equals(positive) => numeric(df, source)?
            .into_iter()
            .map(|v| v.map(|x| i32::from(x == positive as f64)))
            .collect(),
    };
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            v.ok_or_else(|| DatasetError::Read {
                path: source.to_string(),
                reason: format!("target missing in row {}", i + 1),
            })
        })
        .collect()
}

/// Months between two ISO dates `YYYY-MM-..` (text), `later - earlier`.
fn months_between(earlier: &str, later: &str) -> Option<f64> {
    let ym = |s: &str| -> Option<i32> {
        let y: i32 = s.get(0..4)?.parse().ok()?;
        let m: i32 = s.get(5..7)?.parse().ok()?;
        Some(y * 12 + m)
    };
    Some(f64::from(ym(later)? - ym(earlier)?))
}

/// Loads a real dataset from `path` (or its default location) as a model table.
pub fn load_model_table(
    dataset: RealDataset,
    path: Option<&Path>,
) -> Result<ModelTable, DatasetError> {
    let path = path.map_or_else(|| dataset.default_path(), Path::to_path_buf);
    let features = dataset.features();
    let (target_source, _) = dataset.target_rule();
    let mut sources: Vec<&str> = features.iter().map(|f| f.source).collect();
    sources.push(target_source);
    if dataset == RealDataset::LendingClub {
        sources.push("issue_d");
    }
    sources.dedup();
    let df = read_columns(&path, &sources)?;
    let mut columns: Vec<Column> = Vec::with_capacity(features.len() + 1);
    for f in features {
        let column = match (dataset, f.name) {
            (RealDataset::LendingClub, "credit_history_months") => {
                let first = text(&df, "earliest_cr_line")?;
                let issued = text(&df, "issue_d")?;
                let v: Vec<Option<f64>> = first
                    .iter()
                    .zip(&issued)
                    .map(|(a, b)| match (a, b) {
                        (Some(a), Some(b)) => months_between(a, b),
                        _ => None,
                    })
                    .collect();
                Column::new(f.name.into(), v)
            }
            (RealDataset::LendingClubGrants, _) => {
                Column::new(f.name.into(), lending_club_grant_feature(&df, f)?)
            }
            _ => match f.kind {
                FeatureKind::Numeric => Column::new(f.name.into(), numeric(&df, f.source)?),
                FeatureKind::Categorical => Column::new(f.name.into(), text(&df, f.source)?),
            },
        };
        columns.push(column);
    }
    columns.push(Column::new("target".into(), target_values(&df, dataset)?));
    let frame = DataFrame::new_infer_height(columns).map_err(|e| DatasetError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(ModelTable {
        dataset,
        frame,
        features,
    })
}

fn lending_club_grant_feature(
    df: &DataFrame,
    f: &FeatureSpec,
) -> Result<Vec<Option<f64>>, DatasetError> {
    Ok(match f.name {
        "monthly_income_minor" => numeric(df, "annual_inc")?
            .into_iter()
            .map(|v| v.map(|x| (x / 12.0 * 100.0).round()))
            .collect(),
        "dti" => numeric(df, "dti")?
            .into_iter()
            .map(|v| v.map(|x| x / 100.0))
            .collect(),
        "principal_minor" => numeric(df, "funded_amnt")?
            .into_iter()
            .map(|v| v.map(|x| (x * 100.0).round()))
            .collect(),
        "income_verified" => text(df, "verification_status")?
            .into_iter()
            .map(|v| v.map(|s| if s == "Not Verified" { 0.0 } else { 1.0 }))
            .collect(),
        _ => numeric(df, f.source)?,
    })
}

/// One raw column of a shipped dataset's file, in the file's row order (the order of
/// [`load_model_table`]'s rows): the period column of an out-of-time split (`issue_d` or
/// `issue_year` for LendingClub), read beside the features without becoming one.
pub fn dataset_column(
    dataset: RealDataset,
    path: Option<&Path>,
    column: &str,
) -> Result<Column, DatasetError> {
    let path = path.map_or_else(|| dataset.default_path(), Path::to_path_buf);
    let df = read_columns(&path, &[column])?;
    df.column(column)
        .cloned()
        .map_err(|_| DatasetError::MissingColumns {
            columns: vec![column.to_string()],
        })
}

/// LendingClub 2007-2011 as a grants table in the SPEC format (one grant per loan, each its own
/// borrower, institution `LENDINGCLUB`, product `LC-36M` / `LC-60M`, currency USD), with the
/// outcome `defaulted`. Only origination-time columns are read.
pub fn lending_club_grants(path: Option<&Path>) -> Result<DataFrame, DatasetError> {
    let table = load_model_table(RealDataset::LendingClubGrants, path)?;
    let path = path.map_or_else(
        || RealDataset::LendingClubGrants.default_path(),
        Path::to_path_buf,
    );
    let issued = text(&read_columns(&path, &["issue_d"])?, "issue_d")?;
    let n = table.frame.height();
    let f = &table.frame;
    let get = |name: &str| -> Result<Vec<Option<f64>>, DatasetError> { numeric(f, name) };
    let as_i64 = |v: Vec<Option<f64>>| -> Vec<Option<i64>> {
        v.into_iter()
            // Truncated toward zero, as the columns were always read.
            .map(|x| x.map(|x| finrisk_engine::rates::round_minor(x.trunc())))
            .collect()
    };
    let term = as_i64(get("term_months")?);
    let product: Vec<String> = term
        .iter()
        .map(|t| format!("LC-{}M", t.unwrap_or(0)))
        .collect();
    let target = f
        .column("target")
        .and_then(|c| c.i32().cloned())
        .map_err(|e| DatasetError::Read {
            path: "target".into(),
            reason: e.to_string(),
        })?;
    let columns = vec![
        Column::new(
            "grant_id".into(),
            (1..=n).map(|i| format!("LC-{i:06}")).collect::<Vec<_>>(),
        ),
        Column::new("institution_id".into(), vec!["LENDINGCLUB"; n]),
        Column::new("product_id".into(), product),
        Column::new(
            "borrower_key".into(),
            (1..=n).map(|i| format!("lc-b{i:06}")).collect::<Vec<_>>(),
        ),
        Column::new("granted_at".into(), issued),
        Column::new("principal_minor".into(), as_i64(get("principal_minor")?)),
        Column::new("term_months".into(), term),
        Column::new("apr".into(), get("apr")?),
        Column::new(
            "monthly_income_minor".into(),
            as_i64(get("monthly_income_minor")?),
        ),
        Column::new("income_verified".into(), as_i64(get("income_verified")?)),
        Column::new("dti".into(), get("dti")?),
        Column::new("inquiries_6m".into(), as_i64(get("inquiries_6m")?)),
        Column::new("open_lines".into(), as_i64(get("open_lines")?)),
        Column::new("delinquencies_2y".into(), as_i64(get("delinquencies_2y")?)),
        Column::new(
            "revolving_utilization".into(),
            get("revolving_utilization")?,
        ),
        Column::new(
            "defaulted".into(),
            target.iter().map(|v| v.map(i64::from)).collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new_infer_height(columns).map_err(|e| DatasetError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
