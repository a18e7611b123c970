//! The `RiskAssessment` service: each RPC converts its request, checks the caller's tenancy,
//! runs the engine off the async runtime, and answers with typed results plus the JSON the CLI
//! prints for the same input.

use super::auth::{Caller, caller};
use super::metrics::{BUCKETS_MICROS, Metrics};
use finrisk_engine::assess::{ProductAssessment, assess_ad, assess_case, assess_product};
use finrisk_engine::domain::Jurisdiction;
use finrisk_engine::marketing::ClaimGrammar;
use finrisk_engine::rates::{RawTerms, quote};
use finrisk_engine::{Date, EngineError, FieldError, Ruleset};
use finrisk_proto::convert::{self, Conv};
use finrisk_proto::v1 as pb;
use finrisk_proto::v1::risk_assessment_server::RiskAssessment;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;
use tokio_stream::{Stream, StreamExt};
use tonic::{Code, Request, Response, Status, Streaming};
use tonic_types::{ErrorDetails, StatusExt};

/// Field violations listed in one error at most (the message says how many there were).
const MAX_VIOLATIONS: usize = 100;

/// Everything the handlers share.
pub(crate) struct State {
    pub(crate) rulesets: HashMap<Jurisdiction, Ruleset>,
    pub(crate) ruleset_texts: HashMap<Jurisdiction, &'static str>,
    pub(crate) grammar: ClaimGrammar,
    /// The marketing-text model, loaded once at start.
    pub(crate) ad_model: finrisk_models::AdModel,
    /// The default PD model (RC-HIGH-PD on loan books), loaded once at start.
    pub(crate) pd_model: finrisk_models::PdModel,
    pub(crate) metrics: Metrics,
    pub(crate) max_stream_items: usize,
}

impl State {
    pub(crate) fn new(max_stream_items: usize) -> anyhow::Result<Self> {
        let mut rulesets = HashMap::new();
        let mut ruleset_texts = HashMap::new();
        for (j, _, text) in finrisk_engine::ruleset::EMBEDDED {
            rulesets.insert(j, Ruleset::embedded(j)?);
            ruleset_texts.insert(j, text);
        }
        Ok(Self {
            rulesets,
            ruleset_texts,
            grammar: ClaimGrammar::embedded()?,
            ad_model: finrisk_models::AdModel::shipped()?,
            pd_model: finrisk_models::PdModel::default_pd()?,
            metrics: Metrics::new(),
            max_stream_items,
        })
    }

    pub(crate) fn ruleset(&self, j: Jurisdiction) -> Result<&Ruleset, Status> {
        self.rulesets
            .get(&j)
            .ok_or_else(|| Status::internal("no ruleset for the jurisdiction"))
    }
}

/// The service.
#[derive(Clone)]
pub(crate) struct Service {
    pub(crate) state: Arc<State>,
}

/// `INVALID_ARGUMENT` with `google.rpc.BadRequest` field violations.
pub(crate) fn invalid(errors: Vec<FieldError>) -> Status {
    let first = errors
        .first()
        .map_or_else(|| "invalid input".to_string(), ToString::to_string);
    let message = if errors.len() > 1 {
        format!("{first} (and {} more)", errors.len() - 1)
    } else {
        first
    };
    let mut details = ErrorDetails::new();
    for e in errors.iter().take(MAX_VIOLATIONS) {
        details.add_bad_request_violation(e.field.clone(), e.reason.clone());
    }
    Status::with_error_details(Code::InvalidArgument, message, details)
}

pub(crate) fn engine_status(e: EngineError) -> Status {
    if e.code().is_bad_input() {
        invalid(e.field_errors())
    } else {
        Status::internal(e.to_string())
    }
}

/// What a panicking handler answers (the panic is logged; the server goes on).
fn handler_panicked() -> Status {
    tracing::error!("a request handler panicked; the server goes on");
    Status::internal("internal error: the request could not be completed (logged)")
}

/// Runs engine work on the blocking pool; a panic becomes `INTERNAL`, never a dead server.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err(handler_panicked()),
        Err(_) => Err(Status::cancelled("the request was cancelled")),
    }
}

/// Requests up to this encoded size run on the async worker that received them: scoring one
/// case or ad takes tens of microseconds, less than the hop to the blocking pool and back
/// (BENCHMARKS.md, gRPC load). Larger ones go to the blocking pool.
const INLINE_REQUEST_BYTES: usize = 64 * 1024;

/// Runs engine work inline (small requests) or on the blocking pool (large ones); either way a
/// panic becomes `INTERNAL`, never a dead server.
async fn engine_work<T: Send + 'static>(
    request_bytes: usize,
    f: impl FnOnce() -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    if request_bytes > INLINE_REQUEST_BYTES {
        return blocking(f).await;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(_) => Err(handler_panicked()),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Status> {
    serde_json::to_string(v).map_err(|e| Status::internal(format!("cannot encode the result: {e}")))
}

/// `result_json` of a response: the CLI's JSON when the request asked for it, else empty.
fn result_json<T: serde::Serialize>(wanted: bool, v: &T) -> Result<String, Status> {
    if wanted {
        to_json(v)
    } else {
        Ok(String::new())
    }
}

pub(crate) fn parse_as_of(text: &str) -> Result<Option<Date>, Status> {
    if text.is_empty() {
        return Ok(None);
    }
    Date::parse(text)
        .map(Some)
        .map_err(|e| invalid(vec![FieldError::invalid("as_of", e.to_string())]))
}

impl Service {
    async fn observe<T>(
        &self,
        method: &'static str,
        fut: impl std::future::Future<Output = Result<T, Status>>,
    ) -> Result<T, Status> {
        let start = Instant::now();
        let in_flight = self.state.metrics.begin(method);
        let result = fut.await;
        drop(in_flight);
        let elapsed = start.elapsed();
        self.state.metrics.record(method, result.is_ok(), elapsed);
        match &result {
            Ok(_) => tracing::info!(
                method,
                micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
                "ok"
            ),
            Err(s) => {
                tracing::info!(method, micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX), code = ?s.code(), "error")
            }
        }
        result
    }

    fn product_response(
        &self,
        product: pb::Product,
        grants: Vec<pb::Grant>,
        as_of: String,
        who: Caller,
        include_json: bool,
    ) -> impl std::future::Future<Output = Result<pb::AssessProductResponse, Status>> + use<> {
        let state = Arc::clone(&self.state);
        blocking(move || {
            let (_, a) = assess_product_message(&state, &product, &grants, &as_of, &who)?;
            Ok(pb::AssessProductResponse {
                product_id: a.product_id.clone(),
                ruleset_version: a.ruleset_version.clone(),
                assessment: Some(convert::assessment(&a.assessment)),
                result_json: result_json(include_json, &a)?,
            })
        })
    }
}

/// Validates a product message and its grants (the caller may act for the product's
/// institution) and assesses them with the server's rulesets, grammar and PD model: what
/// `AssessProduct` and the review service's `SubmitProduct` both do. Returns the validated
/// product with its assessment.
pub(crate) fn assess_product_message(
    state: &State,
    product: &pb::Product,
    grants: &[pb::Grant],
    as_of: &str,
    who: &Caller,
) -> Result<(finrisk_engine::domain::Product, ProductAssessment), Status> {
    let as_of = parse_as_of(as_of)?;
    let p = convert::validated_product(product, "").map_err(engine_status)?;
    who.may_access(&p.institution_id, "product.institution_id")?;
    let batch = convert::grant_batch(grants).map_err(engine_status)?;
    let ruleset = state.ruleset(p.jurisdiction)?;
    let pds = if grants.is_empty() {
        None
    } else {
        Some(
            finrisk_models::grants::grant_pds(&state.pd_model, &batch, None)
                .map_err(|e| Status::internal(format!("PD model: {e}")))?,
        )
    };
    let a = assess_product(
        &p,
        (!grants.is_empty()).then_some(&batch),
        pds.as_ref(),
        as_of,
        ruleset,
        &state.grammar,
    )
    .map_err(engine_status)?;
    Ok((p, a))
}

fn score_one(
    state: &State,
    request: pb::ScoreCaseRequest,
    who: &Caller,
    prefix: &str,
) -> Result<pb::ScoreCaseResponse, Status> {
    let include_json = request.include_result_json;
    let Some(m) = request.case else {
        return Err(invalid(vec![FieldError::invalid(
            format!("{prefix}case"),
            "is required",
        )]));
    };
    let case = convert::validated_case(&m, prefix).map_err(engine_status)?;
    who.may_access(
        &case.plaintiff.institution_id,
        &format!("{prefix}plaintiff.institution_id"),
    )?;
    let ruleset = state.ruleset(case.jurisdiction)?;
    let a = assess_case(&case, ruleset, &state.grammar)
        .map_err(|e| engine_status(convert::prefixed(e, prefix)))?;
    Ok(pb::ScoreCaseResponse {
        result_json: result_json(include_json, &a)?,
        ..convert::score_case_response(&a)
    })
}

/// Scores a docket and renders its report (charts drawn in a scratch directory that is removed
/// afterwards). Every invalid case is reported, each field as `cases[i].field`.
fn docket_report(
    state: &State,
    cases: Vec<pb::Case>,
    who: &Caller,
) -> Result<pb::GetDocketReportResponse, Status> {
    static SCRATCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut lines = Vec::with_capacity(cases.len());
    let mut violations = Vec::new();
    for (i, m) in cases.iter().enumerate() {
        let prefix = format!("cases[{i}].");
        let case = match convert::validated_case(m, &prefix) {
            Ok(c) => c,
            Err(e) => {
                violations.extend(e.field_errors());
                continue;
            }
        };
        who.may_access(
            &case.plaintiff.institution_id,
            &format!("{prefix}plaintiff.institution_id"),
        )?;
        let ruleset = state.ruleset(case.jurisdiction)?;
        match assess_case(&case, ruleset, &state.grammar) {
            Ok(a) => lines.push(finrisk_engine::docket::DocketCase::new(&a)),
            Err(e) => violations.extend(convert::prefixed(e, &prefix).field_errors()),
        }
    }
    if !violations.is_empty() {
        return Err(invalid(violations));
    }
    let dir = std::env::temp_dir().join(format!(
        "finrisk-docket-{}-{}",
        std::process::id(),
        SCRATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Status::internal(format!("cannot create a scratch directory: {e}")))?;
    let rendered = crate::report::docket::render(&lines, "GetDocketReport request", "", &dir);
    let _ = std::fs::remove_dir_all(&dir);
    let (json, html, _, _) =
        rendered.map_err(|e| Status::internal(format!("docket report: {e}")))?;
    Ok(pb::GetDocketReportResponse {
        cases: i64::try_from(lines.len()).unwrap_or(i64::MAX),
        report_json: to_json(&json)?,
        report_html: html,
    })
}

type CaseStream =
    Pin<Box<dyn Stream<Item = Result<pb::ScoreCaseResponse, Status>> + Send + 'static>>;

fn too_large(status: Status) -> Status {
    if status.code() == Code::OutOfRange && status.message().contains("message length too large") {
        Status::resource_exhausted(status.message().to_string())
    } else {
        status
    }
}

#[tonic::async_trait]
impl RiskAssessment for Service {
    async fn assess_product(
        &self,
        request: Request<pb::AssessProductRequest>,
    ) -> Result<Response<pb::AssessProductResponse>, Status> {
        let who = caller(&request);
        let r = request.into_inner();
        if r.grants.len() > self.state.max_stream_items {
            return Err(Status::resource_exhausted(format!(
                "grants: {} grants, above the limit of {}",
                r.grants.len(),
                self.state.max_stream_items
            )));
        }
        let Some(product) = r.product else {
            return Err(invalid(vec![FieldError::invalid("product", "is required")]));
        };
        let fut = self.product_response(product, r.grants, r.as_of, who, r.include_result_json);
        self.observe("AssessProduct", fut).await.map(Response::new)
    }

    async fn assess_portfolio(
        &self,
        request: Request<Streaming<pb::AssessPortfolioRequest>>,
    ) -> Result<Response<pb::AssessProductResponse>, Status> {
        let who = caller(&request);
        let mut stream = request.into_inner();
        let max = self.state.max_stream_items;
        let collect = async move {
            let Some(first) = stream.next().await else {
                return Err(invalid(vec![FieldError::invalid(
                    "product",
                    "the first message must carry the product",
                )]));
            };
            let first = first.map_err(too_large)?;
            let Some(product) = first.product else {
                return Err(invalid(vec![FieldError::invalid(
                    "product",
                    "the first message must carry the product",
                )]));
            };
            let mut grants = first.grants;
            while let Some(msg) = stream.next().await {
                let msg = msg.map_err(too_large)?;
                if msg.product.is_some() {
                    return Err(invalid(vec![FieldError::invalid(
                        "product",
                        "only the first message may carry the product",
                    )]));
                }
                grants.extend(msg.grants);
                if grants.len() > max {
                    return Err(Status::resource_exhausted(format!(
                        "grants: more than the limit of {max} in one stream"
                    )));
                }
            }
            Ok((product, grants, first.as_of, first.include_result_json))
        };
        let work = async {
            let (product, grants, as_of, include_json) = collect.await?;
            self.product_response(product, grants, as_of, who, include_json)
                .await
        };
        self.observe("AssessPortfolio", work)
            .await
            .map(Response::new)
    }

    async fn score_case(
        &self,
        request: Request<pb::ScoreCaseRequest>,
    ) -> Result<Response<pb::ScoreCaseResponse>, Status> {
        let who = caller(&request);
        let r = request.into_inner();
        let state = Arc::clone(&self.state);
        let size = prost::Message::encoded_len(&r);
        let fut = engine_work(size, move || score_one(&state, r, &who, ""));
        self.observe("ScoreCase", fut).await.map(Response::new)
    }

    type ScoreCasesStream = CaseStream;

    async fn score_cases(
        &self,
        request: Request<Streaming<pb::ScoreCaseRequest>>,
    ) -> Result<Response<Self::ScoreCasesStream>, Status> {
        let who = caller(&request);
        let mut incoming = request.into_inner();
        let state = Arc::clone(&self.state);
        // A small channel: a slow reader slows the server's reading of requests (back-pressure).
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<pb::ScoreCaseResponse, Status>>(16);
        tokio::spawn(async move {
            let mut index = 0usize;
            while let Some(msg) = incoming.next().await {
                let start = Instant::now();
                let in_flight = state.metrics.begin("ScoreCases");
                let result = match msg {
                    Err(status) => Err(too_large(status)),
                    Ok(_) if index >= state.max_stream_items => {
                        Err(Status::resource_exhausted(format!(
                            "cases: more than the limit of {} in one stream",
                            state.max_stream_items
                        )))
                    }
                    Ok(req) => {
                        let (st, who) = (Arc::clone(&state), who.clone());
                        let prefix = format!("cases[{index}].");
                        let size = prost::Message::encoded_len(&req);
                        engine_work(size, move || score_one(&st, req, &who, &prefix)).await
                    }
                };
                drop(in_flight);
                state
                    .metrics
                    .record("ScoreCases", result.is_ok(), start.elapsed());
                let failed = result.is_err();
                if tx.send(result).await.is_err() || failed {
                    break;
                }
                index += 1;
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }

    async fn get_docket_report(
        &self,
        request: Request<pb::GetDocketReportRequest>,
    ) -> Result<Response<pb::GetDocketReportResponse>, Status> {
        let who = caller(&request);
        let r = request.into_inner();
        if r.cases.len() > self.state.max_stream_items {
            return Err(Status::resource_exhausted(format!(
                "cases: {} cases, above the limit of {}",
                r.cases.len(),
                self.state.max_stream_items
            )));
        }
        if r.cases.is_empty() {
            return Err(invalid(vec![FieldError::invalid(
                "cases",
                "at least one case is required",
            )]));
        }
        let state = Arc::clone(&self.state);
        let fut = blocking(move || docket_report(&state, r.cases, &who));
        self.observe("GetDocketReport", fut)
            .await
            .map(Response::new)
    }

    async fn check_ad(
        &self,
        request: Request<pb::CheckAdRequest>,
    ) -> Result<Response<pb::CheckAdResponse>, Status> {
        let who = caller(&request);
        let r = request.into_inner();
        let state = Arc::clone(&self.state);
        let size = prost::Message::encoded_len(&r);
        let fut = engine_work(size, move || {
            if r.text.trim().is_empty() {
                return Err(invalid(vec![FieldError::invalid(
                    "text",
                    "must not be empty",
                )]));
            }
            let product = match &r.product {
                Some(m) => {
                    let p = convert::validated_product(m, "product.").map_err(engine_status)?;
                    who.may_access(&p.institution_id, "product.institution_id")?;
                    Some(p)
                }
                None => None,
            };
            let requested = match r.jurisdiction {
                0 => None,
                raw => {
                    let mut conv = finrisk_proto::convert::Conv::default();
                    let j = finrisk_proto::convert::jurisdiction(&mut conv, "jurisdiction", raw);
                    if !conv.errors.is_empty() {
                        return Err(invalid(conv.errors));
                    }
                    Some(j)
                }
            };
            let jurisdiction = match (requested, &product) {
                (Some(j), Some(p)) if j != p.jurisdiction => {
                    return Err(invalid(vec![FieldError::invalid(
                        "jurisdiction",
                        format!(
                            "is {j:?} but product.jurisdiction is {:?}: leave it unspecified or make them agree",
                            p.jurisdiction
                        ),
                    )]));
                }
                (Some(j), _) => j,
                (None, Some(p)) => p.jurisdiction,
                (None, None) => Jurisdiction::Cn,
            };
            let ruleset = state.ruleset(jurisdiction)?;
            let a = assess_ad(&r.text, product.as_ref(), ruleset, &state.grammar)
                .map_err(engine_status)?;
            Ok(pb::CheckAdResponse {
                assessment: Some(convert::assessment(&a)),
                result_json: result_json(r.include_result_json, &a)?,
            })
        });
        self.observe("CheckAd", fut).await.map(Response::new)
    }

    async fn compute_apr(
        &self,
        request: Request<pb::ComputeAprRequest>,
    ) -> Result<Response<pb::ComputeAprResponse>, Status> {
        let r = request.into_inner();
        let state = Arc::clone(&self.state);
        let size = prost::Message::encoded_len(&r);
        let include_json = r.include_result_json;
        let fut = engine_work(size, move || {
            let mut conv = Conv::default();
            let repayment = convert::repayment(&mut conv, "repayment", r.repayment);
            let jurisdiction = if r.jurisdiction == 0 {
                Jurisdiction::Cn
            } else {
                convert::jurisdiction(&mut conv, "jurisdiction", r.jurisdiction)
            };
            let cause = if r.cause == 0 {
                finrisk_engine::domain::Cause::FinancialLoan
            } else {
                convert::cause(&mut conv, "cause", r.cause)
            };
            let contract_date = match r.contract_date.as_str() {
                "" => None,
                d => Some(Date::parse(d).map_err(|e| {
                    invalid(vec![FieldError::invalid("contract_date", e.to_string())])
                })?),
            };
            if !conv.errors.is_empty() {
                return Err(invalid(conv.errors));
            }
            let terms = RawTerms {
                principal_minor: r.principal_minor,
                term_months: r.term_months,
                repayment,
                nominal_annual_rate: r.nominal_annual_rate,
                monthly_fee_rate: r.monthly_fee_rate,
                upfront_fee_minor: r.upfront_fee_minor,
                monthly_other_fee_minor: r.monthly_other_fee_minor,
            }
            .checked()
            .map_err(engine_status)?;
            let out = quote(
                terms,
                jurisdiction,
                cause,
                contract_date,
                state.ruleset(jurisdiction)?,
            )
            .map_err(engine_status)?;
            Ok(pb::ComputeAprResponse {
                monthly_irr: out.figures.monthly_irr,
                apr_nominal: out.figures.apr_nominal,
                apr_effective: out.figures.apr_effective,
                apr: out.apr,
                total_cost_minor: out.total_cost_minor,
                within_cap: out.check.within_cap,
                borderline: out.check.borderline,
                schedule: out
                    .schedule
                    .iter()
                    .map(|i| pb::Installment {
                        period: i.period,
                        principal_minor: i.principal_minor,
                        interest_minor: i.interest_minor,
                        fee_minor: i.fee_minor,
                        payment_minor: i.payment_minor,
                        balance_minor: i.balance_minor,
                    })
                    .collect(),
                result_json: result_json(include_json, &out)?,
            })
        });
        self.observe("ComputeApr", fut).await.map(Response::new)
    }

    async fn list_models(
        &self,
        _request: Request<pb::ListModelsRequest>,
    ) -> Result<Response<pb::ListModelsResponse>, Status> {
        let fut = async {
            let ad = &self.state.ad_model;
            let codes: Vec<&str> = ad.codes.iter().map(|c| c.code.as_str()).collect();
            let pd = &self.state.pd_model;
            let cv_auc = pd
                .cv
                .as_ref()
                .map_or_else(|| "n/a".to_string(), |cv| format!("{:.4}", cv.auc.mean));
            let inputs: Vec<&str> = pd.features.iter().map(|f| f.name.as_str()).collect();
            Ok(pb::ListModelsResponse {
                models: vec![
                    pb::ModelInfo {
                        name: pd.name.clone(),
                        version: format!("{} ({})", pd.version, pd.training.data_sha256),
                        description: format!(
                            "default PD model ({:?}) for RC-HIGH-PD on loan books; reads {}; {}-fold CV AUC {cv_auc}; trained with `{}`",
                            pd.kind,
                            inputs.join(", "),
                            pd.cv.as_ref().map_or(0, |cv| cv.folds),
                            pd.training.command
                        ),
                    },
                    pb::ModelInfo {
                        name: "ad_text".into(),
                        version: format!("{} ({})", ad.version, ad.training_hash),
                        description: format!(
                            "marketing-text model: logistic regression per code on {} ({} features), trained with `{}` on {}; scores {}",
                            match ad.featurizer.tokens {
                                finrisk_models::text::Tokens::CharNgrams => "character n-grams",
                                finrisk_models::text::Tokens::WordsAndBigrams =>
                                    "words and character bigrams",
                                finrisk_models::text::Tokens::CharNgramsAndClaims =>
                                    "character n-grams and the claim grammar's readings",
                            },
                            ad.featurizer.vocabulary.len(),
                            ad.command,
                            ad.corpus,
                            codes.join(", ")
                        ),
                    },
                ],
            })
        };
        self.observe("ListModels", fut).await.map(Response::new)
    }

    async fn get_ruleset(
        &self,
        request: Request<pb::GetRulesetRequest>,
    ) -> Result<Response<pb::GetRulesetResponse>, Status> {
        let r = request.into_inner();
        let state = Arc::clone(&self.state);
        let fut = async move {
            let mut conv = Conv::default();
            let j = convert::jurisdiction(&mut conv, "jurisdiction", r.jurisdiction);
            if !conv.errors.is_empty() {
                return Err(invalid(conv.errors));
            }
            let ruleset = state.ruleset(j)?;
            let text = state.ruleset_texts.get(&j).copied().unwrap_or_default();
            Ok(pb::GetRulesetResponse {
                version: ruleset.version.clone(),
                toml: text.to_string(),
            })
        };
        self.observe("GetRuleset", fut).await.map(Response::new)
    }

    async fn get_metrics(
        &self,
        _request: Request<pb::GetMetricsRequest>,
    ) -> Result<Response<pb::GetMetricsResponse>, Status> {
        let (methods, uptime) = self.state.metrics.snapshot();
        let methods = methods
            .into_iter()
            .map(|(name, s)| pb::MethodMetrics {
                method: name.to_string(),
                requests: s.requests,
                errors: s.errors,
                bucket_upper_micros: BUCKETS_MICROS.to_vec(),
                bucket_counts: s.buckets.to_vec(),
                mean_micros: if s.requests > 0 {
                    s.total_micros as f64 / s.requests as f64
                } else {
                    0.0
                },
                in_flight: s.in_flight,
            })
            .collect();
        Ok(Response::new(pb::GetMetricsResponse {
            methods,
            uptime_seconds: uptime.as_secs(),
        }))
    }
}
