//! `finrisk load-test`: a bounded gRPC load generator for a running `finrisk serve`.
//!
//! For each level of requests in flight, it keeps that many calls outstanding over a few HTTP/2
//! connections for a fixed time, then reports throughput and latency percentiles. The health
//! check (an empty RPC) is the baseline the service's own RPCs are compared with. `review`
//! drives the review store (a submission and a decision per iteration) and then reads every
//! acknowledged submission's audit trail back: no event lost, none duplicated. It talks only to
//! the address it is given.

use crate::cli::{LoadRpc, LoadTestArgs};
use crate::failure::bad_input;
use finrisk_proto::v1 as pb;
use finrisk_proto::v1::review_client::ReviewClient;
use finrisk_proto::v1::risk_assessment_client::RiskAssessmentClient;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tonic::transport::Channel;

/// One worker's tally.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: usize,
    first_error: Option<String>,
    /// `review`: each acknowledged submission and how many of its calls were acknowledged
    /// (1: submitted; 2: submitted and taken up).
    acknowledged: Vec<(String, usize)>,
}

impl Tally {
    fn record<T>(&mut self, start: Instant, result: &Result<T, tonic::Status>) {
        match result {
            Ok(_) => self
                .latencies_us
                .push(u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX)),
            Err(status) => {
                self.errors += 1;
                self.first_error
                    .get_or_insert_with(|| format!("{:?}: {}", status.code(), status.message()));
            }
        }
    }
}

/// Keys for the review load: the institution's for submissions, the mediator's for decisions.
#[derive(Clone)]
struct ReviewKeys {
    institution: Option<String>,
    mediator: Option<String>,
}

async fn review_worker(
    channel: Channel,
    keys: ReviewKeys,
    run: String,
    worker: usize,
    until: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut client = ReviewClient::new(channel);
    let template = finrisk_proto::examples::product();
    let mut n = 0usize;
    while Instant::now() < until {
        let mut product = template.clone();
        product.product_id = format!("LOAD-{run}-{worker}-{n}");
        n += 1;
        let start = Instant::now();
        let submitted = client
            .submit_product(with_key(
                pb::SubmitProductRequest {
                    product: Some(product),
                    ..Default::default()
                },
                keys.institution.as_deref(),
            ))
            .await;
        tally.record(start, &submitted);
        let Ok(submitted) = submitted else { continue };
        let id = submitted.into_inner().id;
        let start = Instant::now();
        let decided = client
            .decide(with_key(
                pb::DecideRequest {
                    submission_id: id.clone(),
                    decision: "start_mediation".into(),
                    expected_version: 1,
                    ..Default::default()
                },
                keys.mediator.as_deref(),
            ))
            .await;
        tally.record(start, &decided);
        tally
            .acknowledged
            .push((id, if decided.is_ok() { 2 } else { 1 }));
    }
    tally
}

/// Reads back every acknowledged submission's audit trail: events acknowledged but missing
/// (lost), and events beyond those acknowledged (duplicated, or committed after an error).
async fn verify_review(
    channel: Channel,
    key: Option<&str>,
    acknowledged: &[(String, usize)],
) -> Value {
    let mut client = ReviewClient::new(channel);
    let (mut lost, mut extra, mut unreadable, mut events) = (0usize, 0usize, 0usize, 0usize);
    let mut first_problem = None::<String>;
    for (id, calls) in acknowledged {
        let expected = ["submit", "start_mediation"];
        match client
            .get_audit_trail(with_key(
                pb::GetAuditTrailRequest {
                    submission_id: id.clone(),
                },
                key,
            ))
            .await
        {
            Ok(trail) => {
                let actions: Vec<String> = trail
                    .into_inner()
                    .events
                    .into_iter()
                    .map(|e| e.action)
                    .collect();
                events += actions.len();
                let wanted = &expected[..*calls];
                let present = wanted
                    .iter()
                    .filter(|w| actions.iter().filter(|a| a == *w).count() == 1)
                    .count();
                lost += wanted.len() - present;
                extra += actions.len().saturating_sub(present);
                if present != wanted.len() || actions.len() != wanted.len() {
                    first_problem.get_or_insert_with(|| {
                        format!("{id}: acknowledged {wanted:?}, stored {actions:?}")
                    });
                }
            }
            Err(status) => {
                unreadable += 1;
                first_problem.get_or_insert_with(|| format!("{id}: {}", status.message()));
            }
        }
    }
    json!({
        "submissions": acknowledged.len(),
        "events_acknowledged": acknowledged.iter().map(|(_, n)| n).sum::<usize>(),
        "events_stored": events,
        "lost": lost,
        "extra": extra,
        "unreadable": unreadable,
        "first_problem": first_problem,
    })
}

fn with_key<T>(message: T, key: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(key) = key
        && let Ok(value) = format!("Bearer {key}").parse()
    {
        request.metadata_mut().insert("authorization", value);
    }
    request
}

async fn worker(channel: Channel, rpc: LoadRpc, key: Option<String>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let mut service = RiskAssessmentClient::new(channel);
    let case = finrisk_proto::examples::case();
    while Instant::now() < until {
        let start = Instant::now();
        let result = match rpc {
            LoadRpc::Health => health
                .check(with_key(
                    tonic_health::pb::HealthCheckRequest {
                        service: "finrisk.v1.RiskAssessment".into(),
                    },
                    key.as_deref(),
                ))
                .await
                .map(|_| ()),
            // Driven by `review_worker`.
            LoadRpc::Review => return tally,
            LoadRpc::ScoreCase => service
                .score_case(with_key(
                    pb::ScoreCaseRequest {
                        case: Some(case.clone()),
                        include_result_json: false,
                    },
                    key.as_deref(),
                ))
                .await
                .map(|_| ()),
        };
        tally.record(start, &result);
    }
    tally
}

fn percentile_ms(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let k = crate::output::count_of(sorted_us.len() as f64 * q, f64::ceil)
        .clamp(1, sorted_us.len())
        - 1;
    f64::from(sorted_us[k]) / 1000.0
}

async fn level(
    channels: &[Channel],
    rpc: LoadRpc,
    in_flight: usize,
    seconds: f64,
    keys: &ReviewKeys,
) -> Value {
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let run = format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
    );
    let tasks: Vec<_> = (0..in_flight)
        .map(|k| {
            let channel = channels[k % channels.len()].clone();
            match rpc {
                LoadRpc::Review => {
                    tokio::spawn(review_worker(channel, keys.clone(), run.clone(), k, until))
                }
                LoadRpc::Health | LoadRpc::ScoreCase => {
                    tokio::spawn(worker(channel, rpc, keys.institution.clone(), until))
                }
            }
        })
        .collect();
    let mut latencies: Vec<u32> = Vec::new();
    let (mut errors, mut first_error) = (0usize, None::<String>);
    let mut acknowledged = Vec::new();
    for t in tasks {
        match t.await {
            Ok(tally) => {
                latencies.extend(tally.latencies_us);
                errors += tally.errors;
                first_error = first_error.or(tally.first_error);
                acknowledged.extend(tally.acknowledged);
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| format!("worker failed: {e}"));
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let verified = match rpc {
        LoadRpc::Review => {
            Some(verify_review(channels[0].clone(), keys.mediator.as_deref(), &acknowledged).await)
        }
        LoadRpc::Health | LoadRpc::ScoreCase => None,
    };
    json!({
        "rpc": match rpc {
            LoadRpc::Health => "health",
            LoadRpc::ScoreCase => "score_case",
            LoadRpc::Review => "review",
        },
        "submissions_per_second": (rpc == LoadRpc::Review).then(|| acknowledged.len() as f64 / elapsed),
        "verified": verified,
        "in_flight": in_flight,
        "connections": channels.len(),
        "seconds": elapsed,
        "requests": latencies.len(),
        "errors": errors,
        "first_error": first_error,
        "requests_per_second": latencies.len() as f64 / elapsed,
        "p50_ms": percentile_ms(&latencies, 0.50),
        "p99_ms": percentile_ms(&latencies, 0.99),
        "max_ms": latencies.last().map(|&v| f64::from(v) / 1000.0),
    })
}

pub(crate) fn run(args: &LoadTestArgs) -> anyhow::Result<String> {
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        return Err(bad_input("seconds: must be above 0 and at most 600"));
    }
    if args.in_flight.is_empty() || args.in_flight.iter().any(|&n| n == 0 || n > 10_000) {
        return Err(bad_input(
            "in-flight: each level must be between 1 and 10000",
        ));
    }
    if args.connections == 0 || args.connections > 64 {
        return Err(bad_input("connections: must be between 1 and 64"));
    }
    let endpoint = Channel::from_shared(args.addr.clone())
        .map_err(|e| bad_input(format!("addr: `{}` is not a URI: {e}", args.addr)))?
        .tcp_nodelay(true);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let results =
        runtime.block_on(async {
            let mut channels = Vec::with_capacity(args.connections);
            for _ in 0..args.connections {
                channels.push(endpoint.clone().connect().await.map_err(|e| {
                    bad_input(format!("addr: cannot connect to {}: {e}", args.addr))
                })?);
            }
            let mut results = Vec::new();
            for rpc in &args.rpc {
                for &n in &args.in_flight {
                    let keys = ReviewKeys {
                        institution: args.api_key.clone(),
                        mediator: args.mediator_key.clone(),
                    };
                    results.push(level(&channels, *rpc, n, args.seconds, &keys).await);
                }
            }
            Ok::<_, anyhow::Error>(results)
        })?;
    Ok(serde_json::to_string_pretty(&json!({ "addr": args.addr, "results": results }))? + "\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_load_case_is_the_example_case() {
        let mut conv = finrisk_proto::convert::Conv::default();
        let from_proto = finrisk_proto::convert::case(&mut conv, &finrisk_proto::examples::case());
        assert!(conv.errors.is_empty(), "{:?}", conv.errors);
        let text = include_str!("../../examples/case.json");
        let from_json = finrisk_engine::domain::Case::from_json(text).unwrap_or_else(|e| {
            panic!("examples/case.json: {e}");
        });
        assert_eq!(from_proto, from_json);
    }
}
