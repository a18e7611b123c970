//! The review loop as data: statuses, roles, decisions and the transitions the server allows.
//!
//! An institution submits (self-check); a mediator takes the submission up and returns it to the
//! institution or forwards it to the court; the court confirms it or issues a judicial
//! suggestion, after which the institution remedies and resubmits. Everything here is pure: the
//! store asks [`transition`] before it writes anything.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a submission stands in the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Submitted by the institution, waiting for a mediator.
    Submitted,
    /// Taken up by a mediator.
    UnderMediation,
    /// Returned to the institution by the mediator, with notes.
    Returned,
    /// Forwarded by the mediator to the court.
    Forwarded,
    /// Taken up by the court.
    UnderCourtReview,
    /// Confirmed by the court: the loop is closed for this revision.
    Confirmed,
    /// The court issued a judicial suggestion: findings the institution must remedy.
    SuggestionIssued,
    /// Resubmitted by the institution after a return or a suggestion.
    Resubmitted,
}

impl Status {
    /// Every status, in the order of the loop.
    pub const ALL: [Status; 8] = [
        Status::Submitted,
        Status::UnderMediation,
        Status::Returned,
        Status::Forwarded,
        Status::UnderCourtReview,
        Status::Confirmed,
        Status::SuggestionIssued,
        Status::Resubmitted,
    ];

    /// The name used in the database, JSON, gRPC and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::UnderMediation => "under_mediation",
            Status::Returned => "returned",
            Status::Forwarded => "forwarded",
            Status::UnderCourtReview => "under_court_review",
            Status::Confirmed => "confirmed",
            Status::SuggestionIssued => "suggestion_issued",
            Status::Resubmitted => "resubmitted",
        }
    }

    /// The statuses a role's queue shows when no status is asked for: what waits for it.
    pub fn waiting_for(role: Role) -> &'static [Status] {
        match role {
            Role::Mediator => &[
                Status::Submitted,
                Status::Resubmitted,
                Status::UnderMediation,
            ],
            Role::Court => &[
                Status::Forwarded,
                Status::Resubmitted,
                Status::UnderCourtReview,
            ],
            Role::Institution => &[Status::Returned, Status::SuggestionIssued],
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown status {s:?} (one of {})",
                    Status::ALL.map(Status::as_str).join(", ")
                )
            })
    }
}

/// Who acts on a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The financial institution whose product is reviewed: submits and resubmits.
    Institution,
    /// The mediation body: the first review.
    Mediator,
    /// The court: the re-review, confirmation or judicial suggestion.
    Court,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Institution, Role::Mediator, Role::Court];

    /// The name used in the database, JSON, gRPC, key files and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Institution => "institution",
            Role::Mediator => "mediator",
            Role::Court => "court",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?} (one of institution, mediator, court)"))
    }
}

/// A reviewer's decision on a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The mediator takes a submitted or resubmitted submission up.
    StartMediation,
    /// The mediator returns it to the institution, with notes.
    Return,
    /// The mediator forwards it to the court.
    Forward,
    /// The court takes a forwarded (or, after a suggestion, resubmitted) submission up.
    StartCourtReview,
    /// The court confirms the result.
    Confirm,
    /// The court issues a judicial suggestion: the findings to remedy.
    IssueSuggestion,
}

impl Decision {
    /// Every decision.
    pub const ALL: [Decision; 6] = [
        Decision::StartMediation,
        Decision::Return,
        Decision::Forward,
        Decision::StartCourtReview,
        Decision::Confirm,
        Decision::IssueSuggestion,
    ];

    /// The name used in the database, JSON, gRPC and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::StartMediation => "start_mediation",
            Decision::Return => "return",
            Decision::Forward => "forward",
            Decision::StartCourtReview => "start_court_review",
            Decision::Confirm => "confirm",
            Decision::IssueSuggestion => "issue_suggestion",
        }
    }

    /// The role that may take this decision.
    pub fn decided_by(self) -> Role {
        match self {
            Decision::StartMediation | Decision::Return | Decision::Forward => Role::Mediator,
            Decision::StartCourtReview | Decision::Confirm | Decision::IssueSuggestion => {
                Role::Court
            }
        }
    }

    /// The statuses this decision may be taken from, and the status it leads to.
    pub fn moves(self) -> (&'static [Status], Status) {
        match self {
            Decision::StartMediation => (
                &[Status::Submitted, Status::Resubmitted],
                Status::UnderMediation,
            ),
            Decision::Return => (&[Status::UnderMediation], Status::Returned),
            Decision::Forward => (&[Status::UnderMediation], Status::Forwarded),
            Decision::StartCourtReview => (
                &[Status::Forwarded, Status::Resubmitted],
                Status::UnderCourtReview,
            ),
            Decision::Confirm => (&[Status::UnderCourtReview], Status::Confirmed),
            Decision::IssueSuggestion => (&[Status::UnderCourtReview], Status::SuggestionIssued),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Decision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decision::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown decision {s:?} (one of {})",
                    Decision::ALL.map(Decision::as_str).join(", ")
                )
            })
    }
}

/// A reviewer's mark on one finding of a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingMark {
    /// The reviewer agrees with the finding.
    Confirmed,
    /// The reviewer disputes it: it will not be in a judicial suggestion.
    Disputed,
    /// The institution's resubmission remedied it.
    Remedied,
}

impl FindingMark {
    /// The name used in the database, JSON, gRPC and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingMark::Confirmed => "confirmed",
            FindingMark::Disputed => "disputed",
            FindingMark::Remedied => "remedied",
        }
    }
}

impl fmt::Display for FindingMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingMark {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "confirmed" => Ok(FindingMark::Confirmed),
            "disputed" => Ok(FindingMark::Disputed),
            "remedied" => Ok(FindingMark::Remedied),
            _ => Err(format!(
                "unknown mark {s:?} (one of confirmed, disputed, remedied)"
            )),
        }
    }
}

/// Why a decision cannot be taken by this role from this status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The role may not take the decision at all.
    WrongRole {
        /// The role that may.
        decided_by: Role,
    },
    /// The decision is not allowed from the current status.
    WrongStatus {
        /// The statuses it is allowed from.
        allowed_from: &'static [Status],
    },
}

/// The status `decision` by `role` leads to from `current`, or why it is refused.
pub fn transition(role: Role, decision: Decision, current: Status) -> Result<Status, Refusal> {
    let decided_by = decision.decided_by();
    if role != decided_by {
        return Err(Refusal::WrongRole { decided_by });
    }
    let (from, to) = decision.moves();
    if from.contains(&current) {
        Ok(to)
    } else {
        Err(Refusal::WrongStatus { allowed_from: from })
    }
}

/// The status a resubmission leads to from `current`, or `None` while the submission is under
/// review (an institution resubmits after a return or a suggestion, or opens a new cycle after
/// a confirmation).
pub fn resubmission(current: Status) -> Option<Status> {
    match current {
        Status::Returned | Status::SuggestionIssued => Some(Status::Resubmitted),
        Status::Confirmed => Some(Status::Submitted),
        Status::Submitted
        | Status::UnderMediation
        | Status::Forwarded
        | Status::UnderCourtReview
        | Status::Resubmitted => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        for d in Decision::ALL {
            assert_eq!(d.as_str().parse::<Decision>(), Ok(d));
        }
        assert!("approved".parse::<Decision>().is_err());
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn the_whole_loop_is_reachable() {
        let mut s = Status::Submitted;
        for (role, decision) in [
            (Role::Mediator, Decision::StartMediation),
            (Role::Mediator, Decision::Return),
        ] {
            s = transition(role, decision, s).unwrap_or_else(|e| panic!("{decision}: {e:?}"));
        }
        assert_eq!(s, Status::Returned);
        s = resubmission(s).unwrap_or(Status::Submitted);
        assert_eq!(s, Status::Resubmitted);
        for (role, decision) in [
            (Role::Mediator, Decision::StartMediation),
            (Role::Mediator, Decision::Forward),
            (Role::Court, Decision::StartCourtReview),
            (Role::Court, Decision::IssueSuggestion),
        ] {
            s = transition(role, decision, s).unwrap_or_else(|e| panic!("{decision}: {e:?}"));
        }
        assert_eq!(s, Status::SuggestionIssued);
        assert_eq!(resubmission(s), Some(Status::Resubmitted));
        s = transition(Role::Court, Decision::StartCourtReview, Status::Resubmitted)
            .unwrap_or(Status::Submitted);
        s = transition(Role::Court, Decision::Confirm, s).unwrap_or(Status::Submitted);
        assert_eq!(s, Status::Confirmed);
        assert_eq!(resubmission(s), Some(Status::Submitted));
    }

    #[test]
    fn refusals_name_the_role_or_the_statuses() {
        assert_eq!(
            transition(Role::Institution, Decision::Forward, Status::UnderMediation),
            Err(Refusal::WrongRole {
                decided_by: Role::Mediator
            })
        );
        assert_eq!(
            transition(Role::Court, Decision::Confirm, Status::Submitted),
            Err(Refusal::WrongStatus {
                allowed_from: &[Status::UnderCourtReview]
            })
        );
        // Every status that is not a decision's source is refused.
        for d in Decision::ALL {
            let (from, _) = d.moves();
            for s in Status::ALL {
                assert_eq!(transition(d.decided_by(), d, s).is_ok(), from.contains(&s));
            }
        }
        for s in [
            Status::Submitted,
            Status::UnderMediation,
            Status::Forwarded,
            Status::UnderCourtReview,
            Status::Resubmitted,
        ] {
            assert_eq!(resubmission(s), None, "{s}");
        }
    }
}
