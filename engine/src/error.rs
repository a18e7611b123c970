//! Errors of the engine, and the one table that maps each to a stable code and an outcome.
//!
//! Every error a user can cause names the field it is about (`contract.term_months`) and the
//! reason. The binary maps [`ErrorCode::exit_code`] to the process exit status; the gRPC layer
//! maps the same codes to status codes, so both front ends agree on what is bad input.

use std::fmt;

/// One problem with one field of an input: its path and the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Dotted path of the field, with indices in brackets: `repayments[2].date`.
    pub field: String,
    /// Why the value is refused, in words a user can act on.
    pub reason: String,
    /// Stable code of the kind of problem (`invalid_value`, `pii_in_clear`, ...).
    pub code: ErrorCode,
}

impl FieldError {
    /// A field error of kind [`ErrorCode::InvalidValue`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
            code: ErrorCode::InvalidValue,
        }
    }

    /// A field error with an explicit code.
    pub fn with_code(field: impl Into<String>, reason: impl Into<String>, code: ErrorCode) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
            code,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Stable, snake_case error codes. The single table of what each means for a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The document is not well-formed (JSON syntax, truncated input).
    MalformedDocument,
    /// A field has the wrong type, is missing, or is not a known enum value.
    InvalidField,
    /// A value has the right type but is out of range or inconsistent with another field.
    InvalidValue,
    /// A field looks like a national id number or a phone number in clear (SPEC section 3).
    PiiInClear,
    /// An input is larger than the configured limit.
    TooLarge,
    /// The cash flows have no internal rate of return in the search interval.
    NoIrrRoot,
    /// A ruleset file is invalid.
    InvalidRuleset,
    /// A bug or an environment failure: not the caller's fault.
    Internal,
}

impl ErrorCode {
    /// The code as the string written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedDocument => "malformed_document",
            Self::InvalidField => "invalid_field",
            Self::InvalidValue => "invalid_value",
            Self::PiiInClear => "pii_in_clear",
            Self::TooLarge => "too_large",
            Self::NoIrrRoot => "no_irr_root",
            Self::InvalidRuleset => "invalid_ruleset",
            Self::Internal => "internal",
        }
    }

    /// Whether the caller caused it (bad input) rather than the system.
    pub fn is_bad_input(self) -> bool {
        !matches!(self, Self::Internal)
    }

    /// Process exit code for the CLI: 2 for bad input, 1 for internal failure.
    pub fn exit_code(self) -> u8 {
        if self.is_bad_input() { 2 } else { 1 }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The engine's error type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The input failed validation; holds every field problem found, in document order.
    #[error("{}", summarise(.0))]
    Invalid(Vec<FieldError>),
    /// The cash flows change sign nowhere in the bracket, so there is no IRR.
    #[error("{field}: {reason}")]
    NoIrr {
        /// The input the flows came from.
        field: String,
        /// Why there is no root.
        reason: String,
    },
    /// A ruleset could not be loaded; names the offending key.
    #[error("ruleset {source_name}: {key}: {reason}")]
    Ruleset {
        /// File or embedded name of the ruleset.
        source_name: String,
        /// The offending key path.
        key: String,
        /// Why it is refused.
        reason: String,
    },
}

fn summarise(errors: &[FieldError]) -> String {
    match errors {
        [] => "invalid input".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => {
            let n = rest.len();
            format!(
                "{first} (and {n} more problem{})",
                if n == 1 { "" } else { "s" }
            )
        }
    }
}

impl EngineError {
    /// A single field error.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::invalid(field, reason)])
    }

    /// The stable code of the (first) problem.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(errors) => errors.first().map_or(ErrorCode::InvalidValue, |e| e.code),
            Self::NoIrr { .. } => ErrorCode::NoIrrRoot,
            Self::Ruleset { .. } => ErrorCode::InvalidRuleset,
        }
    }

    /// The field problems, for structured outputs (gRPC field violations, JSON reports).
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(errors) => errors.clone(),
            Self::NoIrr { field, reason } => {
                vec![FieldError::with_code(
                    field.clone(),
                    reason.clone(),
                    ErrorCode::NoIrrRoot,
                )]
            }
            Self::Ruleset { key, reason, .. } => {
                vec![FieldError::with_code(
                    key.clone(),
                    reason.clone(),
                    ErrorCode::InvalidRuleset,
                )]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_table() {
        assert_eq!(ErrorCode::InvalidValue.exit_code(), 2);
        assert_eq!(ErrorCode::PiiInClear.exit_code(), 2);
        assert_eq!(ErrorCode::Internal.exit_code(), 1);
    }

    #[test]
    fn summary_names_the_first_field_and_counts_the_rest() {
        let e = EngineError::Invalid(vec![
            FieldError::invalid("contract.term_months", "must be between 1 and 360"),
            FieldError::invalid("claims.as_of", "must not be before contract.disbursed_at"),
        ]);
        assert_eq!(
            e.to_string(),
            "contract.term_months: must be between 1 and 360 (and 1 more problem)"
        );
        assert_eq!(e.code(), ErrorCode::InvalidValue);
    }
}
