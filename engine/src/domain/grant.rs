//! Credit grants: one row per grant or drawdown, held column by column for batch work.
//!
//! [`GrantRecord`] is one validated row; [`GrantBatch`] is the columnar form the engine's batch
//! passes run over (one `Vec` per column, optional columns as `Vec<Option<_>>`). Loaders build
//! a batch row by row with [`GrantBatch::push`] after [`GrantRecord::validate`], and keep a
//! [`RowError`] for each row they could not accept, so no row is ever dropped silently.

use crate::date::Date;
use crate::error::FieldError;
use crate::validate::Checker;
use serde::Serialize;

/// Columns every grants table must have, in the order of SPEC section 4.
pub const REQUIRED_COLUMNS: [&str; 8] = [
    "grant_id",
    "institution_id",
    "product_id",
    "borrower_key",
    "granted_at",
    "principal_minor",
    "term_months",
    "apr",
];

/// Optional columns the engine reads, in the order of SPEC section 4.
pub const OPTIONAL_COLUMNS: [&str; 19] = [
    "closed_at",
    "borrower_age",
    "monthly_income_minor",
    "income_verified",
    "is_student",
    "dti",
    "active_lenders",
    "inquiries_30d",
    "inquiries_6m",
    "open_lines",
    "delinquencies_2y",
    "revolving_utilization",
    "line_increased",
    "dpd_at_grant",
    "phone_hash",
    "device_hash",
    "max_dpd",
    "first_payment_default",
    "defaulted",
];

/// A row that was not accepted: where, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based data row number (the header is not counted).
    pub row: usize,
    /// Column name.
    pub field: String,
    /// Why the value is refused.
    pub reason: String,
    /// Stable error code.
    pub code: &'static str,
}

impl RowError {
    /// A row error from a field error.
    pub fn from_field(row: usize, e: FieldError) -> Self {
        Self {
            row,
            field: e.field,
            reason: e.reason,
            code: e.code.as_str(),
        }
    }
}

/// One grant, as read from a row. Optional columns absent from the table or empty in the row
/// are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GrantRecord {
    /// Grant id.
    pub grant_id: String,
    /// Lending institution.
    pub institution_id: String,
    /// Product.
    pub product_id: String,
    /// Pseudonymous borrower key.
    pub borrower_key: String,
    /// Date granted or drawn.
    pub granted_at: Option<Date>,
    /// Principal, minor units.
    pub principal_minor: i64,
    /// Term in months.
    pub term_months: i64,
    /// APR of the grant (decimal, annual).
    pub apr: f64,
    /// Date closed; `None`: still open.
    pub closed_at: Option<Date>,
    /// Borrower age at grant.
    pub borrower_age: Option<i64>,
    /// Monthly income, minor units.
    pub monthly_income_minor: Option<i64>,
    /// Whether income was verified.
    pub income_verified: Option<bool>,
    /// Whether the borrower is a student.
    pub is_student: Option<bool>,
    /// Existing monthly debt service over monthly income, excluding this grant.
    pub dti: Option<f64>,
    /// Lenders with open credit at grant.
    pub active_lenders: Option<i64>,
    /// Credit inquiries in the last 30 days.
    pub inquiries_30d: Option<i64>,
    /// Credit inquiries in the last 6 months.
    pub inquiries_6m: Option<i64>,
    /// Open credit lines.
    pub open_lines: Option<i64>,
    /// Delinquencies in the last 2 years.
    pub delinquencies_2y: Option<i64>,
    /// Revolving utilisation (0..1, may exceed 1).
    pub revolving_utilization: Option<f64>,
    /// Whether this row is a line increase.
    pub line_increased: Option<bool>,
    /// Days past due elsewhere at grant.
    pub dpd_at_grant: Option<i64>,
    /// Pseudonymous phone hash.
    pub phone_hash: Option<String>,
    /// Pseudonymous device hash.
    pub device_hash: Option<String>,
    /// Worst days past due observed (outcome).
    pub max_dpd: Option<i64>,
    /// First payment default (outcome).
    pub first_payment_default: Option<bool>,
    /// Default (outcome).
    pub defaulted: Option<bool>,
}

impl GrantRecord {
    /// Checks one row; returns every problem, with the column name as the field.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut c = Checker::new();
        c.identifier("grant_id", &self.grant_id);
        c.identifier("institution_id", &self.institution_id);
        c.identifier("product_id", &self.product_id);
        c.identifier("borrower_key", &self.borrower_key);
        if self.granted_at.is_none() {
            c.fail("granted_at", "is required");
        }
        c.positive_minor("principal_minor", self.principal_minor);
        c.int_range("term_months", self.term_months, 1, 360);
        c.rate("apr", self.apr, 0.0, 100.0);
        if let (Some(g), Some(cl)) = (self.granted_at, self.closed_at)
            && cl < g
        {
            c.fail("closed_at", format!("{cl} is before granted_at {g}"));
        }
        if let Some(v) = self.borrower_age {
            c.int_range("borrower_age", v, 0, 130);
        }
        if let Some(v) = self.monthly_income_minor {
            c.non_negative_minor("monthly_income_minor", v);
        }
        if let Some(v) = self.dti {
            c.rate("dti", v, 0.0, 1000.0);
        }
        if let Some(v) = self.revolving_utilization {
            c.rate("revolving_utilization", v, 0.0, 1000.0);
        }
        let counts = [
            ("active_lenders", self.active_lenders),
            ("inquiries_30d", self.inquiries_30d),
            ("inquiries_6m", self.inquiries_6m),
            ("open_lines", self.open_lines),
            ("delinquencies_2y", self.delinquencies_2y),
            ("dpd_at_grant", self.dpd_at_grant),
            ("max_dpd", self.max_dpd),
        ];
        for (name, v) in counts {
            if let Some(v) = v {
                c.int_range(name, v, 0, 1_000_000);
            }
        }
        if let Some(h) = &self.phone_hash {
            c.identifier("phone_hash", h);
        }
        if let Some(h) = &self.device_hash {
            c.identifier("device_hash", h);
        }
        c.into_errors()
    }
}

/// Grants in columnar form: column `name[i]` is row `i`'s value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GrantBatch {
    /// Grant ids.
    pub grant_id: Vec<String>,
    /// Institutions.
    pub institution_id: Vec<String>,
    /// Products.
    pub product_id: Vec<String>,
    /// Borrower keys.
    pub borrower_key: Vec<String>,
    /// Grant dates.
    pub granted_at: Vec<Date>,
    /// Principals, minor units.
    pub principal_minor: Vec<i64>,
    /// Terms, months.
    pub term_months: Vec<u16>,
    /// APRs.
    pub apr: Vec<f64>,
    /// Close dates.
    pub closed_at: Vec<Option<Date>>,
    /// Ages.
    pub borrower_age: Vec<Option<u8>>,
    /// Monthly incomes, minor units.
    pub monthly_income_minor: Vec<Option<i64>>,
    /// Income verified flags.
    pub income_verified: Vec<Option<bool>>,
    /// Student flags.
    pub is_student: Vec<Option<bool>>,
    /// Debt-to-income ratios.
    pub dti: Vec<Option<f64>>,
    /// Active lenders at grant.
    pub active_lenders: Vec<Option<u32>>,
    /// Inquiries, 30 days.
    pub inquiries_30d: Vec<Option<u32>>,
    /// Inquiries, 6 months.
    pub inquiries_6m: Vec<Option<u32>>,
    /// Open lines.
    pub open_lines: Vec<Option<u32>>,
    /// Delinquencies, 2 years.
    pub delinquencies_2y: Vec<Option<u32>>,
    /// Revolving utilisation.
    pub revolving_utilization: Vec<Option<f64>>,
    /// Line increase flags.
    pub line_increased: Vec<Option<bool>>,
    /// Days past due at grant.
    pub dpd_at_grant: Vec<Option<u32>>,
    /// Phone hashes.
    pub phone_hash: Vec<Option<String>>,
    /// Device hashes.
    pub device_hash: Vec<Option<String>>,
    /// Worst days past due.
    pub max_dpd: Vec<Option<u32>>,
    /// First payment default flags.
    pub first_payment_default: Vec<Option<bool>>,
    /// Default flags.
    pub defaulted: Vec<Option<bool>>,
    /// 1-based source row number of each accepted row, for tracing results to the input.
    pub source_row: Vec<usize>,
}

fn narrow<T: TryFrom<i64>>(v: Option<i64>) -> Option<T> {
    v.and_then(|x| T::try_from(x).ok())
}

impl GrantBatch {
    /// An empty batch with room for `n` rows.
    pub fn with_capacity(n: usize) -> Self {
        let mut b = Self::default();
        b.grant_id.reserve(n);
        b.granted_at.reserve(n);
        b.principal_minor.reserve(n);
        b.source_row.reserve(n);
        b
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.grant_id.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.grant_id.is_empty()
    }

    /// Appends a row. The record must have passed [`GrantRecord::validate`]; a record with
    /// errors is refused with them so that it cannot slip in unchecked.
    pub fn push(&mut self, source_row: usize, r: GrantRecord) -> Result<(), Vec<FieldError>> {
        let errors = r.validate();
        let Some(granted_at) = r.granted_at else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        self.grant_id.push(r.grant_id);
        self.institution_id.push(r.institution_id);
        self.product_id.push(r.product_id);
        self.borrower_key.push(r.borrower_key);
        self.granted_at.push(granted_at);
        self.principal_minor.push(r.principal_minor);
        // validated: 1..=360
        self.term_months
            .push(u16::try_from(r.term_months).unwrap_or(u16::MAX));
        self.apr.push(r.apr);
        self.closed_at.push(r.closed_at);
        self.borrower_age.push(narrow(r.borrower_age));
        self.monthly_income_minor.push(r.monthly_income_minor);
        self.income_verified.push(r.income_verified);
        self.is_student.push(r.is_student);
        self.dti.push(r.dti);
        self.active_lenders.push(narrow(r.active_lenders));
        self.inquiries_30d.push(narrow(r.inquiries_30d));
        self.inquiries_6m.push(narrow(r.inquiries_6m));
        self.open_lines.push(narrow(r.open_lines));
        self.delinquencies_2y.push(narrow(r.delinquencies_2y));
        self.revolving_utilization.push(r.revolving_utilization);
        self.line_increased.push(r.line_increased);
        self.dpd_at_grant.push(narrow(r.dpd_at_grant));
        self.phone_hash.push(r.phone_hash);
        self.device_hash.push(r.device_hash);
        self.max_dpd.push(narrow(r.max_dpd));
        self.first_payment_default.push(r.first_payment_default);
        self.defaulted.push(r.defaulted);
        self.source_row.push(source_row);
        Ok(())
    }

    /// Moves every row of `other` after the rows of `self`.
    pub fn append(&mut self, mut other: GrantBatch) {
        self.grant_id.append(&mut other.grant_id);
        self.institution_id.append(&mut other.institution_id);
        self.product_id.append(&mut other.product_id);
        self.borrower_key.append(&mut other.borrower_key);
        self.granted_at.append(&mut other.granted_at);
        self.principal_minor.append(&mut other.principal_minor);
        self.term_months.append(&mut other.term_months);
        self.apr.append(&mut other.apr);
        self.closed_at.append(&mut other.closed_at);
        self.borrower_age.append(&mut other.borrower_age);
        self.monthly_income_minor
            .append(&mut other.monthly_income_minor);
        self.income_verified.append(&mut other.income_verified);
        self.is_student.append(&mut other.is_student);
        self.dti.append(&mut other.dti);
        self.active_lenders.append(&mut other.active_lenders);
        self.inquiries_30d.append(&mut other.inquiries_30d);
        self.inquiries_6m.append(&mut other.inquiries_6m);
        self.open_lines.append(&mut other.open_lines);
        self.delinquencies_2y.append(&mut other.delinquencies_2y);
        self.revolving_utilization
            .append(&mut other.revolving_utilization);
        self.line_increased.append(&mut other.line_increased);
        self.dpd_at_grant.append(&mut other.dpd_at_grant);
        self.phone_hash.append(&mut other.phone_hash);
        self.device_hash.append(&mut other.device_hash);
        self.max_dpd.append(&mut other.max_dpd);
        self.first_payment_default
            .append(&mut other.first_payment_default);
        self.defaulted.append(&mut other.defaulted);
        self.source_row.append(&mut other.source_row);
    }

    /// Row `i` as a record (for assessing or re-batching one row).
    pub fn record(&self, i: usize) -> GrantRecord {
        GrantRecord {
            grant_id: self.grant_id[i].clone(),
            institution_id: self.institution_id[i].clone(),
            product_id: self.product_id[i].clone(),
            borrower_key: self.borrower_key[i].clone(),
            granted_at: Some(self.granted_at[i]),
            principal_minor: self.principal_minor[i],
            term_months: i64::from(self.term_months[i]),
            apr: self.apr[i],
            closed_at: self.closed_at[i],
            borrower_age: self.borrower_age[i].map(i64::from),
            monthly_income_minor: self.monthly_income_minor[i],
            income_verified: self.income_verified[i],
            is_student: self.is_student[i],
            dti: self.dti[i],
            active_lenders: self.active_lenders[i].map(i64::from),
            inquiries_30d: self.inquiries_30d[i].map(i64::from),
            inquiries_6m: self.inquiries_6m[i].map(i64::from),
            open_lines: self.open_lines[i].map(i64::from),
            delinquencies_2y: self.delinquencies_2y[i].map(i64::from),
            revolving_utilization: self.revolving_utilization[i],
            line_increased: self.line_increased[i],
            dpd_at_grant: self.dpd_at_grant[i].map(i64::from),
            phone_hash: self.phone_hash[i].clone(),
            device_hash: self.device_hash[i].clone(),
            max_dpd: self.max_dpd[i].map(i64::from),
            first_payment_default: self.first_payment_default[i],
            defaulted: self.defaulted[i],
        }
    }

    /// The latest date in the data (grant or close), the default as-of date of SPEC section 6.
    pub fn latest_date(&self) -> Option<Date> {
        let grants = self.granted_at.iter().copied();
        let closes = self.closed_at.iter().flatten().copied();
        grants.chain(closes).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> GrantRecord {
        GrantRecord {
            grant_id: "G1".into(),
            institution_id: "INST-A".into(),
            product_id: "P-001".into(),
            borrower_key: "b7f3".into(),
            granted_at: Date::parse("2024-01-01").ok(),
            principal_minor: 500_000,
            term_months: 12,
            apr: 0.18,
            ..GrantRecord::default()
        }
    }

    #[test]
    fn valid_record_is_pushed() {
        let mut b = GrantBatch::default();
        b.push(1, record()).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b.term_months, vec![12]);
        assert_eq!(b.latest_date(), Date::parse("2024-01-01").ok());
    }

    #[test]
    fn invalid_record_is_refused_with_every_field() {
        let mut r = record();
        r.term_months = 0;
        r.apr = f64::INFINITY;
        r.phone_hash = Some("13912345678".into());
        r.closed_at = Date::parse("2023-01-01").ok();
        let fields: Vec<String> = r.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["term_months", "apr", "closed_at", "phone_hash"]
        );
        let mut b = GrantBatch::default();
        assert!(b.push(3, r).is_err());
        assert!(b.is_empty());
    }
}
