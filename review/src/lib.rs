//! finrisk's review store: the source-governance loop of self-check, mediation review and court
//! re-review, persisted on SQLite (the embedded default) or PostgreSQL (several server
//! instances), with optimistic concurrency and a hash-chained, append-only audit trail.
//!
//! - [`workflow`]: statuses, roles, decisions and the transitions allowed (pure).
//! - [`chain`]: how events and states are hashed.
//! - [`store`]: the database, one code path through sqlx's `Any` driver.
//!
//! The store knows nothing of the engine: the caller assesses the documents and hands the
//! assessment over as JSON (`scores.overall`, `grade`, `findings[].code`).

pub mod chain;
pub mod error;
pub mod store;
pub mod workflow;

pub use chain::Event;
pub use error::ReviewError;
pub use store::{
    Actor, ChainReport, DecisionRequest, Document, MarkRequest, NewSubmission, QueuePage,
    QueueQuery, Store, SubmissionKind, SubmissionView, database_url,
};
pub use workflow::{Decision, FindingMark, Role, Status};
