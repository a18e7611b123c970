//! The synthetic generator: products, grants, cases and ads with planted problems and their truth.
//!
//! [`generate`] writes `grants.parquet` (or `grants.csv`), `products.jsonl`, `cases.jsonl` in
//! the SPEC formats, and `truth/` with the labels of every row, plus `manifest.json`. Grants
//! are made in chunks of `chunk_size` rows, each a pure function of `(seed, chunk index)`, run in
//! parallel (rayon) a wave at a time and written in order as they finish, so memory stays flat
//! in the row count and the bytes are the same whatever the number of threads.

mod cases;
mod people;
pub mod rng;
mod world;

pub use cases::CaseTruth;
pub use people::{GenGrant, noise, plant_rules};
pub use world::{GenProduct, ProductTruth, Profile};

use crate::DatasetError;
use finrisk_engine::Date;
use finrisk_engine::Ruleset;
use finrisk_engine::domain::Jurisdiction;
use people::ChunkContext;
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Output format of the grants table and its truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantsFormat {
    /// Apache Parquet (zstd).
    Parquet,
    /// CSV with a header row.
    Csv,
}

/// What the generated identities look like (see `datasets/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataProfile {
    /// Every borrower key has its own phone and device, except the keys of one person (an
    /// identity ring): the planted problems alone. The default.
    Planted,
    /// As `planted`, with identity noise on: shop and agent terminals, family phones,
    /// recycled numbers and resold handsets.
    Realistic,
}

impl DataProfile {
    /// Whether the profile turns identity noise on.
    pub fn identity_noise(self) -> bool {
        self == DataProfile::Realistic
    }
}

/// Generator parameters, with documented defaults (see `datasets/README.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenerateParams {
    /// Seed of every random draw. Default 42.
    pub seed: u64,
    /// Number of grant rows. Default 100,000.
    pub grants: u64,
    /// Number of products (institutions: one per three products, at least one). Default 30.
    pub products: usize,
    /// Number of cases, taken from the first defaulted grants in row order. Default 1,000.
    pub cases: usize,
    /// Rows per chunk of work. Default 65,536. Changes the data (chunks are the unit of
    /// randomness), not only the speed.
    pub chunk_size: usize,
    /// Grants table format. Default Parquet.
    pub format: GrantsFormat,
    /// First grant date. Default 2023-01-01.
    pub start: Date,
    /// Last grant date. Default 2024-12-31.
    pub end: Date,
    /// The profile. Default [`DataProfile::Planted`].
    pub profile: DataProfile,
    /// Identifiers shared between different people (shop and agent terminals, family phones,
    /// recycled numbers, resold handsets). Default: the profile's
    /// ([`DataProfile::identity_noise`]).
    pub identity_noise: bool,
}

impl Default for GenerateParams {
    fn default() -> Self {
        Self {
            seed: 42,
            grants: 100_000,
            products: 30,
            cases: 1_000,
            chunk_size: 65_536,
            format: GrantsFormat::Parquet,
            start: Date::from_days_since_epoch(19_358), // 2023-01-01
            end: Date::from_days_since_epoch(20_088),   // 2024-12-31
            profile: DataProfile::Planted,
            identity_noise: false,
        }
    }
}

impl GenerateParams {
    /// Checks the parameters, naming the bad one.
    pub fn check(&self) -> Result<(), DatasetError> {
        let bad = |field: &str, reason: &str| {
            Err(DatasetError::Parameter {
                field: field.to_string(),
                reason: reason.to_string(),
            })
        };
        if self.grants == 0 {
            return bad("grants", "must be at least 1");
        }
        if self.grants > 1_000_000_000 {
            return bad("grants", "must be at most 1,000,000,000");
        }
        if self.products == 0 || self.products > 100_000 {
            return bad("products", "must be between 1 and 100,000");
        }
        if self.chunk_size < 1_000 || self.chunk_size > 10_000_000 {
            return bad("chunk_size", "must be between 1,000 and 10,000,000");
        }
        if self.end <= self.start.add_days(60) {
            return bad("end", "must be more than 60 days after start");
        }
        Ok(())
    }

    /// The as-of date of the data: 90 days after the last grant date. Open grants run to here.
    pub fn as_of(&self) -> Date {
        self.end.add_days(90)
    }
}

/// What a run produced (also written as `manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenerateSummary {
    /// The parameters.
    pub params: GenerateParams,
    /// The as-of date of the data.
    pub as_of: Date,
    /// Grant rows written.
    pub grants: u64,
    /// Defaulted grants.
    pub defaulted: u64,
    /// Products written.
    pub products: usize,
    /// Institutions.
    pub institutions: usize,
    /// Cases written (fewer than asked only if there were not enough defaults).
    pub cases: usize,
    /// Rows carrying each code in the truth.
    pub grant_codes: BTreeMap<&'static str, u64>,
    /// Files written, relative to the output folder.
    pub files: Vec<String>,
}

/// Generates the data set into `out` (created if needed).
pub fn generate(params: &GenerateParams, out: &Path) -> Result<GenerateSummary, DatasetError> {
    params.check()?;
    let io = |path: &Path| {
        let p = path.to_path_buf();
        move |e: std::io::Error| DatasetError::io(&p, e)
    };
    std::fs::create_dir_all(out.join("truth")).map_err(io(out))?;
    let institutions = params.products.div_ceil(3).max(1);
    let products = world::build_products(params.seed, params.products, institutions, params.start);
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).map_err(|e| DatasetError::Parameter {
        field: "ruleset".into(),
        reason: e.to_string(),
    })?;
    let mut files = Vec::new();

    // Products and their truth.
    write_jsonl(
        &out.join("products.jsonl"),
        products.iter().map(|g| &g.product),
    )?;
    write_jsonl(
        &out.join("truth/products.jsonl"),
        products.iter().map(|g| ProductTruth {
            product_id: &g.product.product_id,
            institution_id: &g.product.institution_id,
            profile: g.profile,
            planted: &g.planted,
            down_tiering: g.down_tiering,
            apr_by_term: &g.apr_by_term,
        }),
    )?;
    files.extend([
        "products.jsonl".to_string(),
        "truth/products.jsonl".to_string(),
    ]);

    // Grants, chunk by chunk.
    let (grants_name, truth_name) = match params.format {
        GrantsFormat::Parquet => ("grants.parquet", "truth/grants.parquet"),
        GrantsFormat::Csv => ("grants.csv", "truth/grants.csv"),
    };
    let mut grants_out = TableSink::create(&out.join(grants_name), params.format, &grant_schema())?;
    let mut truth_out = TableSink::create(&out.join(truth_name), params.format, &truth_schema())?;
    let mut ctx = ChunkContext::new(
        params.seed,
        &products,
        params.start,
        params.end,
        params.as_of(),
    );
    if params.identity_noise {
        ctx = ctx.with_identity_noise(params.grants);
    }
    let chunk = params.chunk_size as u64;
    let chunks = params.grants.div_ceil(chunk);
    let wave = (rayon::current_num_threads() * 2).max(2) as u64;
    let mut summary_codes: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut defaulted = 0u64;
    let mut case_docs: Vec<(finrisk_engine::domain::Case, CaseTruth)> = Vec::new();
    let mut first = 0;
    while first < chunks {
        let last = (first + wave).min(chunks);
        let results: Vec<Vec<GenGrant>> = (first..last)
            .into_par_iter()
            .map(|c| {
                let start = c * chunk;
                // At most one chunk of rows, which fits in memory and so in a usize.
                let count = usize::try_from(chunk.min(params.grants - start)).unwrap_or(usize::MAX);
                people::generate_chunk(&ctx, c, start, count)
            })
            .collect();
        for rows in results {
            for g in &rows {
                for code in &g.codes {
                    *summary_codes.entry(code).or_insert(0) += 1;
                }
                if g.defaulted {
                    defaulted += 1;
                    if case_docs.len() < params.cases {
                        let no = case_docs.len() as u64 + 1;
                        if let Some(c) = cases::build_case(params.seed, &products, &ruleset, g, no)
                        {
                            case_docs.push(c);
                        }
                    }
                }
            }
            grants_out.write(&grant_frame(&rows, &products)?)?;
            truth_out.write(&truth_frame(&rows)?)?;
        }
        first = last;
    }
    grants_out.finish()?;
    truth_out.finish()?;
    files.extend([grants_name.to_string(), truth_name.to_string()]);

    write_jsonl(&out.join("cases.jsonl"), case_docs.iter().map(|(c, _)| c))?;
    write_jsonl(
        &out.join("truth/cases.jsonl"),
        case_docs.iter().map(|(_, t)| t),
    )?;
    files.extend([
        "cases.jsonl".to_string(),
        "truth/cases.jsonl".to_string(),
        "manifest.json".to_string(),
    ]);

    let summary = GenerateSummary {
        params: params.clone(),
        as_of: params.as_of(),
        grants: params.grants,
        defaulted,
        products: products.len(),
        institutions,
        cases: case_docs.len(),
        grant_codes: summary_codes,
        files,
    };
    let manifest = serde_json::to_vec_pretty(&summary).map_err(|e| DatasetError::Parameter {
        field: "manifest".into(),
        reason: e.to_string(),
    })?;
    std::fs::write(out.join("manifest.json"), manifest).map_err(io(&out.join("manifest.json")))?;
    Ok(summary)
}

fn write_jsonl<T: Serialize>(
    path: &Path,
    items: impl Iterator<Item = T>,
) -> Result<(), DatasetError> {
    let file = File::create(path).map_err(|e| DatasetError::io(path, e))?;
    let mut w = BufWriter::new(file);
    for item in items {
        serde_json::to_writer(&mut w, &item)
            .map_err(|e| DatasetError::io(path, std::io::Error::other(e)))?;
        w.write_all(b"\n").map_err(|e| DatasetError::io(path, e))?;
    }
    w.flush().map_err(|e| DatasetError::io(path, e))
}

/// Streaming writer of a table, Parquet or CSV.
enum TableSink {
    Parquet {
        path: PathBuf,
        writer: Box<polars::io::parquet::write::BatchedWriter<File>>,
    },
    Csv {
        path: PathBuf,
        writer: BufWriter<File>,
        header: bool,
    },
}

impl TableSink {
    fn create(path: &Path, format: GrantsFormat, schema: &Schema) -> Result<Self, DatasetError> {
        let file = File::create(path).map_err(|e| DatasetError::io(path, e))?;
        Ok(match format {
            GrantsFormat::Parquet => Self::Parquet {
                path: path.to_path_buf(),
                writer: Box::new(
                    ParquetWriter::new(file)
                        .with_compression(ParquetCompression::Zstd(None))
                        .batched(schema)
                        .map_err(|e| polars_error(path, e))?,
                ),
            },
            GrantsFormat::Csv => Self::Csv {
                path: path.to_path_buf(),
                writer: BufWriter::new(file),
                header: true,
            },
        })
    }

    fn write(&mut self, df: &DataFrame) -> Result<(), DatasetError> {
        match self {
            Self::Parquet { path, writer } => {
                writer.write_batch(df).map_err(|e| polars_error(path, e))
            }
            Self::Csv {
                path,
                writer,
                header,
            } => {
                let mut df = df.clone();
                CsvWriter::new(&mut *writer)
                    .include_header(*header)
                    .finish(&mut df)
                    .map_err(|e| polars_error(path, e))?;
                *header = false;
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<(), DatasetError> {
        match self {
            Self::Parquet { path, writer } => writer
                .finish()
                .map(|_| ())
                .map_err(|e| polars_error(&path, e)),
            Self::Csv {
                path, mut writer, ..
            } => writer.flush().map_err(|e| DatasetError::io(&path, e)),
        }
    }
}

fn polars_error(path: &Path, e: PolarsError) -> DatasetError {
    DatasetError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn grant_schema() -> Schema {
    use DataType::*;
    let fields: [(&str, DataType); 27] = [
        ("grant_id", String),
        ("institution_id", String),
        ("product_id", String),
        ("borrower_key", String),
        ("granted_at", String),
        ("principal_minor", Int64),
        ("term_months", Int64),
        ("apr", Float64),
        ("closed_at", String),
        ("borrower_age", Int64),
        ("monthly_income_minor", Int64),
        ("income_verified", Int64),
        ("is_student", Int64),
        ("dti", Float64),
        ("active_lenders", Int64),
        ("inquiries_30d", Int64),
        ("inquiries_6m", Int64),
        ("open_lines", Int64),
        ("delinquencies_2y", Int64),
        ("revolving_utilization", Float64),
        ("line_increased", Int64),
        ("dpd_at_grant", Int64),
        ("phone_hash", String),
        ("device_hash", String),
        ("max_dpd", Int64),
        ("first_payment_default", Int64),
        ("defaulted", Int64),
    ];
    Schema::from_iter(fields.into_iter().map(|(n, t)| Field::new(n.into(), t)))
}

fn truth_schema() -> Schema {
    use DataType::*;
    let fields: [(&str, DataType); 7] = [
        ("grant_id", String),
        ("person_id", String),
        ("person_grants", Int64),
        ("kind", String),
        ("true_pd", Float64),
        ("codes", String),
        ("concurrent_with", String),
    ];
    Schema::from_iter(fields.into_iter().map(|(n, t)| Field::new(n.into(), t)))
}

fn frame(columns: Vec<Column>, what: &str) -> Result<DataFrame, DatasetError> {
    DataFrame::new_infer_height(columns).map_err(|e| DatasetError::Read {
        path: what.to_string(),
        reason: e.to_string(),
    })
}

fn grant_frame(rows: &[GenGrant], products: &[GenProduct]) -> Result<DataFrame, DatasetError> {
    let s = |f: &dyn Fn(&GenGrant) -> String| rows.iter().map(f).collect::<Vec<String>>();
    let i = |f: &dyn Fn(&GenGrant) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
    let x = |f: &dyn Fn(&GenGrant) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let flag = |b: bool| i64::from(b);
    frame(
        vec![
            Column::new("grant_id".into(), s(&|g| g.grant_id())),
            Column::new(
                "institution_id".into(),
                s(&|g| products[g.product].product.institution_id.clone()),
            ),
            Column::new(
                "product_id".into(),
                s(&|g| products[g.product].product.product_id.clone()),
            ),
            Column::new("borrower_key".into(), s(&|g| g.borrower_key.clone())),
            Column::new("granted_at".into(), s(&|g| g.granted_at.to_string())),
            Column::new("principal_minor".into(), i(&|g| g.principal_minor)),
            Column::new("term_months".into(), i(&|g| i64::from(g.term_months))),
            Column::new("apr".into(), x(&|g| (g.apr * 1e8).round() / 1e8)),
            Column::new(
                "closed_at".into(),
                rows.iter()
                    .map(|g| g.closed_at.map(|d| d.to_string()))
                    .collect::<Vec<Option<String>>>(),
            ),
            Column::new("borrower_age".into(), i(&|g| g.borrower_age)),
            Column::new(
                "monthly_income_minor".into(),
                i(&|g| g.monthly_income_minor),
            ),
            Column::new("income_verified".into(), i(&|g| flag(g.income_verified))),
            Column::new("is_student".into(), i(&|g| flag(g.is_student))),
            Column::new("dti".into(), x(&|g| g.dti)),
            Column::new("active_lenders".into(), i(&|g| g.active_lenders)),
            Column::new("inquiries_30d".into(), i(&|g| g.inquiries_30d)),
            Column::new("inquiries_6m".into(), i(&|g| g.inquiries_6m)),
            Column::new("open_lines".into(), i(&|g| g.open_lines)),
            Column::new("delinquencies_2y".into(), i(&|g| g.delinquencies_2y)),
            Column::new(
                "revolving_utilization".into(),
                x(&|g| g.revolving_utilization),
            ),
            Column::new("line_increased".into(), i(&|g| flag(g.line_increased))),
            Column::new("dpd_at_grant".into(), i(&|g| g.dpd_at_grant)),
            Column::new("phone_hash".into(), s(&|g| g.phone_hash.clone())),
            Column::new("device_hash".into(), s(&|g| g.device_hash.clone())),
            Column::new("max_dpd".into(), i(&|g| g.max_dpd)),
            Column::new(
                "first_payment_default".into(),
                i(&|g| flag(g.first_payment_default)),
            ),
            Column::new("defaulted".into(), i(&|g| flag(g.defaulted))),
        ],
        "grants",
    )
}

fn truth_frame(rows: &[GenGrant]) -> Result<DataFrame, DatasetError> {
    let s = |f: &dyn Fn(&GenGrant) -> String| rows.iter().map(f).collect::<Vec<String>>();
    // A person's grants all come from one chunk (person ids carry the chunk's number), so the
    // chunk's rows count them: `report --truth` reads this instead of counting every person.
    let mut grants_of: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for g in rows {
        *grants_of.entry(&g.person_id).or_insert(0) += 1;
    }
    frame(
        vec![
            Column::new("grant_id".into(), s(&|g| g.grant_id())),
            Column::new("person_id".into(), s(&|g| g.person_id.clone())),
            Column::new(
                "person_grants".into(),
                rows.iter()
                    .map(|g| grants_of.get(g.person_id.as_str()).copied().unwrap_or(1))
                    .collect::<Vec<i64>>(),
            ),
            Column::new("kind".into(), s(&|g| g.kind.to_string())),
            Column::new(
                "true_pd".into(),
                rows.iter()
                    .map(|g| (g.true_pd * 1e6).round() / 1e6)
                    .collect::<Vec<f64>>(),
            ),
            Column::new("codes".into(), s(&|g| g.codes.join(";"))),
            Column::new(
                "concurrent_with".into(),
                s(&|g| {
                    g.concurrent_with
                        .iter()
                        .map(|i| format!("G{i:010}"))
                        .collect::<Vec<_>>()
                        .join(";")
                }),
            ),
        ],
        "truth",
    )
}
