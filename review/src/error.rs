//! What can go wrong in the review store, in terms a caller can map to gRPC codes and exit
//! codes: bad input, not found, not allowed, a stale version, a disallowed transition, or the
//! database itself.

use crate::workflow::{Role, Status};

/// A review-store failure.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// A request field is wrong (INVALID_ARGUMENT, exit 2).
    #[error("{field}: {reason}")]
    InvalidArgument {
        /// The field, as the request names it.
        field: String,
        /// Why it is refused.
        reason: String,
    },
    /// No such submission (NOT_FOUND, exit 2).
    #[error("submission: no submission {id}")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// The caller may not do this (PERMISSION_DENIED, exit 2).
    #[error("{0}")]
    PermissionDenied(String),
    /// The decision is not allowed from the current status (FAILED_PRECONDITION, exit 2).
    #[error(
        "decision: {decision} is not allowed while submission {id} is {current} (allowed from {allowed})"
    )]
    DisallowedTransition {
        /// The submission.
        id: String,
        /// The decision asked for.
        decision: String,
        /// The status it is in.
        current: Status,
        /// The statuses the decision is allowed from.
        allowed: String,
    },
    /// The decision was made on an older version (FAILED_PRECONDITION, exit 2).
    #[error(
        "expected_version: submission {id} is at version {current}, not {expected}; reload it and decide again"
    )]
    StaleVersion {
        /// The submission.
        id: String,
        /// The version the decision was made on.
        expected: i64,
        /// The version it is at.
        current: i64,
    },
    /// A resubmission while the submission is under review (FAILED_PRECONDITION, exit 2).
    #[error(
        "submission {id} is {current}: it can be resubmitted after a return, a suggestion or a confirmation"
    )]
    UnderReview {
        /// The submission.
        id: String,
        /// Its status.
        current: Status,
    },
    /// The role cannot take this decision (PERMISSION_DENIED, exit 2).
    #[error("role: {role} cannot decide {decision} (only {decided_by} can)")]
    WrongRole {
        /// The caller's role.
        role: Role,
        /// The decision.
        decision: String,
        /// The role that can.
        decided_by: Role,
    },
    /// The stored data does not read back as this store wrote it (exit 1).
    #[error("the review database is inconsistent: {0}")]
    Corrupt(String),
    /// The database failed or could not be reached (UNAVAILABLE or INTERNAL, exit 1).
    #[error("review database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date (exit 1).
    #[error("review database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl ReviewError {
    /// Shorthand for [`ReviewError::InvalidArgument`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ReviewError::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Whether the caller's input is at fault (exit 2 on the command line), not the store.
    pub fn is_caller_error(&self) -> bool {
        !matches!(
            self,
            ReviewError::Corrupt(_) | ReviewError::Database(_) | ReviewError::Migration(_)
        )
    }
}
