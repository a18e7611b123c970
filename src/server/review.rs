//! The `finrisk.v1.Review` service: the review loop over gRPC on the review store. The API key
//! gives the role (institution, mediator, court) and, for an institution, its tenancy; a server
//! without keys (loopback only) acts in the role each call needs.

use super::auth::{Caller, caller, key_name};
use super::service::{State, assess_product_message, engine_status, invalid};
use finrisk_engine::assess::assess_case;
use finrisk_proto::convert;
use finrisk_proto::v1 as pb;
use finrisk_proto::v1::review_server::Review;
use finrisk_review::store::{MarkRequest, QueueQuery, SubmissionKind};
use finrisk_review::{
    Actor, DecisionRequest, Document, Event, NewSubmission, ReviewError, Role, Status as Stage,
    Store, SubmissionView,
};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::Stream;
use tonic::{Code, Request, Response, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

/// How often `WatchQueue` looks for new events (they may come from another instance).
const WATCH_POLL: Duration = Duration::from_millis(200);

/// The service: the engine's state (rulesets, grammar, PD model) and the store.
pub(crate) struct ReviewService {
    pub(crate) state: Arc<State>,
    pub(crate) store: Store,
}

/// A store error as a gRPC status.
fn review_status(e: ReviewError) -> Status {
    let message = e.to_string();
    match e {
        ReviewError::InvalidArgument { field, reason } => Status::with_error_details(
            Code::InvalidArgument,
            message,
            ErrorDetails::with_bad_request(vec![FieldViolation::new(field, reason)]),
        ),
        ReviewError::NotFound { .. } => Status::not_found(message),
        ReviewError::PermissionDenied(_) | ReviewError::WrongRole { .. } => {
            Status::permission_denied(message)
        }
        ReviewError::StaleVersion { id, current, .. } => Status::with_error_details(
            Code::FailedPrecondition,
            message,
            ErrorDetails::with_precondition_failure_violation(
                "VERSION",
                id,
                format!("the current version is {current}"),
            ),
        ),
        ReviewError::DisallowedTransition { id, current, .. }
        | ReviewError::UnderReview { id, current } => Status::with_error_details(
            Code::FailedPrecondition,
            message,
            ErrorDetails::with_precondition_failure_violation(
                "STATUS",
                id,
                format!("the current status is {current}"),
            ),
        ),
        ReviewError::Database(_) => {
            tracing::error!(error = %message, "review store");
            Status::unavailable(message)
        }
        ReviewError::Corrupt(_) | ReviewError::Migration(_) => {
            tracing::error!(error = %message, "review store");
            Status::internal(message)
        }
    }
}

/// The actor of a call: the key's role and name, or on an open server `open_role`.
fn actor_of<T>(req: &Request<T>, open_role: Role, open_institution: Option<&str>) -> Actor {
    let name = key_name(req);
    match caller(req) {
        Caller::Open => Actor {
            name,
            role: open_role,
            institution: match open_role {
                Role::Institution => open_institution.map(str::to_string),
                Role::Mediator | Role::Court => None,
            },
        },
        Caller::Court => Actor {
            name,
            role: Role::Court,
            institution: None,
        },
        Caller::Mediator => Actor {
            name,
            role: Role::Mediator,
            institution: None,
        },
        Caller::Institution(id) => Actor {
            name,
            role: Role::Institution,
            institution: Some(id),
        },
    }
}

/// A reader on an open server sees everything (as the court does).
fn reader<T>(req: &Request<T>) -> Actor {
    actor_of(req, Role::Court, None)
}

fn submission_message(view: &SubmissionView) -> Result<pb::Submission, Status> {
    let json = serde_json::to_string(view)
        .map_err(|e| Status::internal(format!("cannot encode the submission: {e}")))?;
    Ok(pb::Submission {
        id: view.id.clone(),
        kind: view.kind.as_str().to_string(),
        institution_id: view.institution_id.clone(),
        subject_id: view.subject_id.clone(),
        parent_id: view.parent_id.clone().unwrap_or_default(),
        status: view.status.as_str().to_string(),
        version: view.version,
        revision: view.revision,
        created_at: view.created_at.clone(),
        updated_at: view.updated_at.clone(),
        revisions: view
            .revisions
            .iter()
            .map(|r| pb::RevisionSummary {
                revision: r.revision,
                created_at: r.created_at.clone(),
                overall: r.overall,
                grade: r.grade.clone(),
                ruleset_version: r.ruleset_version.clone(),
                model_version: r.model_version.clone(),
                finding_codes: r
                    .findings
                    .iter()
                    .filter(|f| f.finding.get("absent_from_revision").is_none())
                    .map(|f| f.code.clone())
                    .collect(),
            })
            .collect(),
        suggested_codes: view
            .suggestion
            .as_ref()
            .map(|s| {
                s.findings
                    .iter()
                    .filter_map(|f| f.get("code").and_then(|c| c.as_str()).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        submission_json: json,
    })
}

fn event(e: Event) -> pb::AuditEvent {
    pb::AuditEvent {
        seq: e.seq,
        submission_id: e.submission_id,
        at: e.at,
        actor: e.actor,
        role: e.role,
        action: e.action,
        from_status: e.from_status,
        to_status: e.to_status,
        version: e.version,
        detail_json: e.detail,
        before_hash: e.before_hash,
        after_hash: e.after_hash,
        prev_hash: e.prev_hash,
        hash: e.hash,
    }
}

/// `INVALID_ARGUMENT` with one field violation.
fn bad_field(field: impl Into<String>, reason: impl Into<String>) -> Status {
    invalid(vec![finrisk_engine::FieldError::invalid(field, reason)])
}

fn required_id(field: &str, value: &str) -> Result<(), Status> {
    if value.trim().is_empty() {
        return Err(bad_field(field, "is required"));
    }
    Ok(())
}

fn encode_json<T: serde::Serialize>(what: &str, value: &T) -> Result<Vec<u8>, Status> {
    serde_json::to_vec_pretty(value)
        .map_err(|e| Status::internal(format!("cannot encode the {what}: {e}")))
}

#[tonic::async_trait]
impl Review for ReviewService {
    async fn submit_product(
        &self,
        request: Request<pb::SubmitProductRequest>,
    ) -> Result<Response<pb::Submission>, Status> {
        let state = Arc::clone(&self.state);
        let product_institution = request
            .get_ref()
            .product
            .as_ref()
            .map(|p| p.institution_id.clone())
            .unwrap_or_default();
        let who = caller(&request);
        let actor = actor_of(&request, Role::Institution, Some(&product_institution));
        let r = request.into_inner();
        if r.grants.len() > state.max_stream_items {
            return Err(Status::resource_exhausted(format!(
                "grants: {} grants, above the limit of {}",
                r.grants.len(),
                state.max_stream_items
            )));
        }
        let Some(product) = r.product else {
            return Err(bad_field("product", "is required"));
        };
        // Assess on the blocking pool (a loan book can be large), then store.
        let submission = tokio::task::spawn_blocking(move || -> Result<NewSubmission, Status> {
            let (p, a) = assess_product_message(&state, &product, &r.grants, &r.as_of, &who)?;
            let mut documents = vec![Document {
                name: "product".into(),
                file_name: "product.json".into(),
                content: encode_json("product", &p)?,
            }];
            if !r.grants.is_empty() {
                let grants = pb::SubmitProductRequest {
                    grants: r.grants,
                    ..pb::SubmitProductRequest::default()
                };
                documents.push(Document {
                    name: "grants".into(),
                    file_name: "grants.pb (finrisk.v1.SubmitProductRequest, grants only)".into(),
                    content: prost::Message::encode_to_vec(&grants),
                });
            }
            let model_version = a
                .portfolio
                .as_ref()
                .and_then(|p| p.pd.as_ref())
                .map_or_else(|| "none".to_string(), |pd| pd.model.clone());
            Ok(NewSubmission {
                kind: SubmissionKind::Product,
                institution_id: a.institution_id.clone(),
                subject_id: a.product_id.clone(),
                parent_id: None,
                documents,
                ruleset_version: a.ruleset_version.clone(),
                model_version,
                assessment: serde_json::to_value(&a)
                    .map_err(|e| Status::internal(format!("cannot encode the assessment: {e}")))?,
                expected_version: r.expected_version,
                note: r.note,
            })
        })
        .await
        .map_err(|_| Status::internal("the assessment did not finish"))??;
        let view = self
            .store
            .submit(&actor, &submission)
            .await
            .map_err(review_status)?;
        Ok(Response::new(submission_message(&view)?))
    }

    async fn submit_case(
        &self,
        request: Request<pb::SubmitCaseRequest>,
    ) -> Result<Response<pb::Submission>, Status> {
        let plaintiff = request
            .get_ref()
            .case
            .as_ref()
            .and_then(|c| c.plaintiff.as_ref())
            .map(|p| p.institution_id.clone())
            .unwrap_or_default();
        // On an open server a case comes from a court.
        let actor = actor_of(&request, Role::Court, Some(&plaintiff));
        let r = request.into_inner();
        let Some(m) = r.case else {
            return Err(bad_field("case", "is required"));
        };
        let case = convert::validated_case(&m, "").map_err(engine_status)?;
        let ruleset = self.state.ruleset(case.jurisdiction)?;
        let a = assess_case(&case, ruleset, &self.state.grammar).map_err(engine_status)?;
        if actor.role == Role::Mediator {
            return Err(Status::permission_denied(
                "role: a case is submitted by a court or by its institution, not a mediator",
            ));
        }
        let submission = NewSubmission {
            kind: SubmissionKind::Case,
            institution_id: a.institution_id.clone(),
            subject_id: a.case_id.clone(),
            parent_id: (!r.attach_to.is_empty()).then(|| r.attach_to.clone()),
            documents: vec![Document {
                name: "case".into(),
                file_name: "case.json".into(),
                content: encode_json("case", &case)?,
            }],
            ruleset_version: a.ruleset_version.clone(),
            model_version: "none".into(),
            assessment: serde_json::to_value(&a)
                .map_err(|e| Status::internal(format!("cannot encode the assessment: {e}")))?,
            expected_version: r.expected_version,
            note: r.note,
        };
        let view = self
            .store
            .submit(&actor, &submission)
            .await
            .map_err(review_status)?;
        Ok(Response::new(submission_message(&view)?))
    }

    async fn get_submission(
        &self,
        request: Request<pb::GetSubmissionRequest>,
    ) -> Result<Response<pb::Submission>, Status> {
        let actor = reader(&request);
        let id = request.into_inner().submission_id;
        required_id("submission_id", &id)?;
        let view = self.store.get(&actor, &id).await.map_err(review_status)?;
        Ok(Response::new(submission_message(&view)?))
    }

    async fn list_queue(
        &self,
        request: Request<pb::ListQueueRequest>,
    ) -> Result<Response<pb::ListQueueResponse>, Status> {
        let asked_role = request.get_ref().role.clone();
        let open_role = if asked_role.is_empty() {
            Role::Court
        } else {
            asked_role
                .parse::<Role>()
                .map_err(|e| bad_field("role", e))?
        };
        let institution = request.get_ref().institution_id.clone();
        let actor = actor_of(&request, open_role, Some(&institution));
        if !asked_role.is_empty() && actor.role != open_role {
            return Err(Status::permission_denied(format!(
                "role: this API key acts as {}, not {asked_role}",
                actor.role
            )));
        }
        if actor.role == Role::Institution && actor.institution.as_deref().is_none_or(str::is_empty)
        {
            return Err(bad_field(
                "institution_id",
                "is required for an institution's queue",
            ));
        }
        let r = request.into_inner();
        let mut statuses = Vec::with_capacity(r.statuses.len());
        for (i, s) in r.statuses.iter().enumerate() {
            statuses.push(
                s.parse::<Stage>()
                    .map_err(|e| bad_field(format!("statuses[{i}]"), e))?,
            );
        }
        let page = self
            .store
            .queue(
                &actor,
                &QueueQuery {
                    statuses,
                    institution_id: (!r.institution_id.is_empty()).then_some(r.institution_id),
                    page_size: r.page_size,
                    page_token: r.page_token,
                },
            )
            .await
            .map_err(review_status)?;
        Ok(Response::new(pb::ListQueueResponse {
            statuses: page
                .statuses
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            entries: page
                .entries
                .into_iter()
                .map(|e| pb::QueueEntry {
                    id: e.id,
                    kind: e.kind.as_str().to_string(),
                    institution_id: e.institution_id,
                    subject_id: e.subject_id,
                    status: e.status.as_str().to_string(),
                    version: e.version,
                    revision: e.revision,
                    overall: e.overall,
                    grade: e.grade,
                    updated_at: e.updated_at,
                })
                .collect(),
            next_page_token: page.next_page_token,
        }))
    }

    async fn decide(
        &self,
        request: Request<pb::DecideRequest>,
    ) -> Result<Response<pb::Submission>, Status> {
        let decision: finrisk_review::Decision = request
            .get_ref()
            .decision
            .parse()
            .map_err(|e: String| bad_field("decision", e))?;
        // On an open server the caller acts in the role the decision needs.
        let actor = actor_of(&request, decision.decided_by(), None);
        let r = request.into_inner();
        required_id("submission_id", &r.submission_id)?;
        let mut marks = Vec::with_capacity(r.marks.len());
        for (i, m) in r.marks.into_iter().enumerate() {
            let mark = m
                .mark
                .parse()
                .map_err(|e: String| bad_field(format!("marks[{i}].mark"), e))?;
            marks.push(MarkRequest {
                code: m.code,
                mark,
                note: m.note,
            });
        }
        let view = self
            .store
            .decide(
                &actor,
                &DecisionRequest {
                    submission_id: r.submission_id,
                    decision,
                    expected_version: r.expected_version,
                    note: r.note,
                    marks,
                },
            )
            .await
            .map_err(review_status)?;
        Ok(Response::new(submission_message(&view)?))
    }

    async fn get_audit_trail(
        &self,
        request: Request<pb::GetAuditTrailRequest>,
    ) -> Result<Response<pb::GetAuditTrailResponse>, Status> {
        let actor = reader(&request);
        let id = request.into_inner().submission_id;
        required_id("submission_id", &id)?;
        let events = self
            .store
            .audit_trail(&actor, &id)
            .await
            .map_err(review_status)?;
        Ok(Response::new(pb::GetAuditTrailResponse {
            events: events.into_iter().map(event).collect(),
        }))
    }

    type WatchQueueStream = Pin<Box<dyn Stream<Item = Result<pb::AuditEvent, Status>> + Send>>;

    async fn watch_queue(
        &self,
        request: Request<pb::WatchQueueRequest>,
    ) -> Result<Response<Self::WatchQueueStream>, Status> {
        let actor = reader(&request);
        let mut after = request.into_inner().after_seq.max(0);
        let store = self.store.clone();
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<pb::AuditEvent, Status>>(64);
        tokio::spawn(async move {
            loop {
                match store.events_after(&actor, after, 100).await {
                    Ok(events) => {
                        let full = events.len() == 100;
                        for e in events {
                            after = e.seq;
                            if tx.send(Ok(event(e))).await.is_err() {
                                return; // the client went away
                            }
                        }
                        if full {
                            continue;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(review_status(e))).await;
                        return;
                    }
                }
                tokio::select! {
                    () = tokio::time::sleep(WATCH_POLL) => {}
                    () = tx.closed() => return,
                }
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }

    async fn get_diagnostic_report(
        &self,
        request: Request<pb::GetSubmissionRequest>,
    ) -> Result<Response<pb::GetDiagnosticReportResponse>, Status> {
        let actor = reader(&request);
        let id = request.into_inner().submission_id;
        required_id("submission_id", &id)?;
        let view = self.store.get(&actor, &id).await.map_err(review_status)?;
        let json = serde_json::to_string_pretty(&view)
            .map_err(|e| Status::internal(format!("cannot encode the submission: {e}")))?;
        Ok(Response::new(pb::GetDiagnosticReportResponse {
            submission_id: view.id.clone(),
            html: crate::report::review::page(&view),
            json,
        }))
    }
}
