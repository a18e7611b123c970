//! `finrisk load-test`: a bounded gRPC load generator for a running `finrisk serve`.
//!
//! For each level of requests in flight, it keeps that many calls outstanding over a few HTTP/2
//! connections for a fixed time, then reports throughput and latency percentiles. The health
//! check (an empty RPC) is the baseline the service's own RPCs are compared with. `review`
//! drives the review store (a submission and a decision per iteration) and then reads every
//! acknowledged submission's audit trail back: no event lost, none duplicated. It talks only to
//! the address it is given.
//!
//! `health` and `score_case` send a request encoded once, and count the responses without
//! decoding them (after a first call per worker decoded and checked in full), as h2load does
//! with its `-d` file: the generator shares the machine with the server, and its CPU per call
//! should stay small beside the server's. `--write-bodies` writes the same bodies for h2load.
//!
//! The client runs as the server does: one single-threaded tokio runtime per load thread
//! (`--threads`), each making and driving the connections dealt to it and the workers that use
//! them, so that a call and its answer never change threads.

use crate::cli::{LoadRpc, LoadTestArgs};
use crate::failure::bad_input;
use finrisk_proto::v1 as pb;
use finrisk_proto::v1::review_client::ReviewClient;
use finrisk_proto::v1::risk_assessment_client::RiskAssessmentClient;
use prost::Message;
use prost::bytes::{Buf, BufMut, Bytes};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
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

/// The pre-encoded bodies the load sends: the encoding is done once, as h2load's `-d` file is,
/// so the generator's own CPU per call stays small beside the server's.
struct Bodies {
    health: Bytes,
    score_case: Bytes,
}

impl Bodies {
    fn new() -> Self {
        Self {
            health: Bytes::from(health_request().encode_to_vec()),
            score_case: Bytes::from(score_case_request().encode_to_vec()),
        }
    }
}

fn health_request() -> tonic_health::pb::HealthCheckRequest {
    tonic_health::pb::HealthCheckRequest {
        service: "finrisk.v1.RiskAssessment".into(),
    }
}

/// The load's `ScoreCase` request: the example case (`examples/case.json`), no `result_json`.
fn score_case_request() -> pb::ScoreCaseRequest {
    pb::ScoreCaseRequest {
        case: Some(finrisk_proto::examples::case()),
        include_result_json: false,
    }
}

/// A gRPC codec for pre-encoded messages: requests are sent as given, and a response is
/// counted (its length), not decoded.
#[derive(Clone, Copy, Default)]
struct Preencoded;

impl Codec for Preencoded {
    type Encode = Bytes;
    type Decode = usize;
    type Encoder = Preencoded;
    type Decoder = Preencoded;

    fn encoder(&mut self) -> Self::Encoder {
        Preencoded
    }

    fn decoder(&mut self) -> Self::Decoder {
        Preencoded
    }
}

impl Encoder for Preencoded {
    type Item = Bytes;
    type Error = tonic::Status;

    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Self::Error> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Preencoded {
    type Item = usize;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<usize>, Self::Error> {
        let length = src.remaining();
        src.advance(length);
        Ok(Some(length))
    }
}

/// One call with a pre-encoded request body to `path`.
async fn preencoded_call(
    grpc: &mut tonic::client::Grpc<Channel>,
    path: &'static str,
    body: &Bytes,
    key: Option<&str>,
) -> Result<usize, tonic::Status> {
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(format!("connection not ready: {e}")))?;
    grpc.unary(
        with_key(body.clone(), key),
        tonic::codegen::http::uri::PathAndQuery::from_static(path),
        Preencoded,
    )
    .await
    .map(tonic::Response::into_inner)
}

/// The first call of a worker, decoded in full and checked: the server answers the request the
/// load sends (the example case's id, the health check's `SERVING`). Later calls are counted.
async fn checked_first_call(
    channel: Channel,
    rpc: LoadRpc,
    key: Option<&str>,
) -> Result<(), tonic::Status> {
    match rpc {
        LoadRpc::Health => {
            let reply = tonic_health::pb::health_client::HealthClient::new(channel)
                .check(with_key(health_request(), key))
                .await?
                .into_inner();
            let serving = tonic_health::pb::health_check_response::ServingStatus::Serving;
            if reply.status == serving as i32 {
                Ok(())
            } else {
                Err(tonic::Status::unavailable(format!(
                    "the health check answered status {}, not SERVING",
                    reply.status
                )))
            }
        }
        LoadRpc::ScoreCase => {
            let request = score_case_request();
            let expected = request
                .case
                .as_ref()
                .map(|c| c.case_id.clone())
                .unwrap_or_default();
            let reply = RiskAssessmentClient::new(channel)
                .score_case(with_key(request, key))
                .await?
                .into_inner();
            if reply.case_id == expected && reply.assessment.is_some() {
                Ok(())
            } else {
                Err(tonic::Status::internal(format!(
                    "ScoreCase answered case `{}` without the expected assessment of `{expected}`",
                    reply.case_id
                )))
            }
        }
        LoadRpc::Review => Ok(()),
    }
}

async fn worker(channel: Channel, rpc: LoadRpc, key: Option<String>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let start = Instant::now();
    let first = checked_first_call(channel.clone(), rpc, key.as_deref()).await;
    tally.record(start, &first);
    if first.is_err() {
        return tally;
    }
    let bodies = Bodies::new();
    let mut grpc = tonic::client::Grpc::new(channel);
    while Instant::now() < until {
        let start = Instant::now();
        let result = match rpc {
            LoadRpc::Health => {
                preencoded_call(
                    &mut grpc,
                    "/grpc.health.v1.Health/Check",
                    &bodies.health,
                    key.as_deref(),
                )
                .await
            }
            // Driven by `review_worker`.
            LoadRpc::Review => return tally,
            LoadRpc::ScoreCase => {
                preencoded_call(
                    &mut grpc,
                    "/finrisk.v1.RiskAssessment/ScoreCase",
                    &bodies.score_case,
                    key.as_deref(),
                )
                .await
            }
        };
        tally.record(start, &result);
    }
    tally
}

/// Writes the load's request bodies as gRPC frames (a zero compression flag, the length as 4
/// big-endian bytes, the message) for h2load's `-d`: `health.grpc` and `score_case.grpc`.
pub(crate) fn write_bodies(dir: &std::path::Path) -> anyhow::Result<Value> {
    std::fs::create_dir_all(dir).map_err(|e| {
        bad_input(format!(
            "write-bodies: cannot create {}: {e}",
            dir.display()
        ))
    })?;
    let bodies = Bodies::new();
    let mut written = Vec::new();
    for (name, body, path) in [
        (
            "health.grpc",
            &bodies.health,
            "/grpc.health.v1.Health/Check",
        ),
        (
            "score_case.grpc",
            &bodies.score_case,
            "/finrisk.v1.RiskAssessment/ScoreCase",
        ),
    ] {
        let length = u32::try_from(body.len())
            .map_err(|_| bad_input("write-bodies: a request longer than 4 GiB"))?;
        let mut frame = Vec::with_capacity(5 + body.len());
        frame.push(0u8);
        frame.extend_from_slice(&length.to_be_bytes());
        frame.extend_from_slice(body);
        let file = dir.join(name);
        std::fs::write(&file, &frame).map_err(|e| {
            bad_input(format!(
                "write-bodies: cannot write {}: {e}",
                file.display()
            ))
        })?;
        written.push(
            json!({ "file": file.display().to_string(), "path": path, "bytes": frame.len() }),
        );
    }
    Ok(json!({ "bodies": written }))
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

/// The client's event loops: one single-threaded runtime per load thread, each driving the
/// connections dealt to it and the workers that use them, as `finrisk serve` does on its side.
/// A worker's calls and their answers stay on one thread: no wake-up crosses threads.
struct Loops {
    runtimes: Vec<tokio::runtime::Runtime>,
    /// Connection `c` is `channels[c]`, made and driven by runtime `c % runtimes.len()`.
    channels: Vec<Channel>,
}

impl Loops {
    fn connect(addr: &str, connections: usize, threads: usize) -> anyhow::Result<Self> {
        let endpoint = Channel::from_shared(addr.to_string())
            .map_err(|e| bad_input(format!("addr: `{}` is not a URI: {e}", addr)))?
            .tcp_nodelay(true);
        let runtimes = (0..threads)
            .map(|_| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut channels = Vec::with_capacity(connections);
        for c in 0..connections {
            // Connecting on a runtime spawns the connection's tasks there.
            let channel = runtimes[c % threads]
                .block_on(endpoint.clone().connect())
                .map_err(|e| bad_input(format!("addr: cannot connect to {}: {e}", addr)))?;
            channels.push(channel);
        }
        Ok(Self { runtimes, channels })
    }

    /// Runs `in_flight` workers for one level, worker `k` on connection `k % connections` (and
    /// so on that connection's loop), every loop on its own thread; the tallies of all.
    fn run_workers(
        &self,
        rpc: LoadRpc,
        in_flight: usize,
        until: Instant,
        keys: &ReviewKeys,
        run: &str,
    ) -> Vec<Result<Tally, String>> {
        let threads = self.runtimes.len();
        std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .runtimes
                .iter()
                .enumerate()
                .map(|(t, runtime)| {
                    let workers: Vec<(usize, Channel)> = (0..in_flight)
                        .filter(|k| (k % self.channels.len()) % threads == t)
                        .map(|k| (k, self.channels[k % self.channels.len()].clone()))
                        .collect();
                    scope.spawn(move || {
                        runtime.block_on(async move {
                            let tasks: Vec<_> =
                                workers
                                    .into_iter()
                                    .map(|(k, channel)| match rpc {
                                        LoadRpc::Review => tokio::spawn(review_worker(
                                            channel,
                                            keys.clone(),
                                            run.to_string(),
                                            k,
                                            until,
                                        )),
                                        LoadRpc::Health | LoadRpc::ScoreCase => tokio::spawn(
                                            worker(channel, rpc, keys.institution.clone(), until),
                                        ),
                                    })
                                    .collect();
                            let mut tallies = Vec::with_capacity(tasks.len());
                            for t in tasks {
                                tallies.push(t.await.map_err(|e| format!("worker failed: {e}")));
                            }
                            tallies
                        })
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|_| vec![Err("a load thread panicked".to_string())])
                })
                .collect()
        })
    }
}

fn level(loops: &Loops, rpc: LoadRpc, in_flight: usize, seconds: f64, keys: &ReviewKeys) -> Value {
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let run = format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
    );
    let mut latencies: Vec<u32> = Vec::new();
    let (mut errors, mut first_error) = (0usize, None::<String>);
    let mut acknowledged = Vec::new();
    for tally in loops.run_workers(rpc, in_flight, until, keys, &run) {
        match tally {
            Ok(tally) => {
                latencies.extend(tally.latencies_us);
                errors += tally.errors;
                first_error = first_error.or(tally.first_error);
                acknowledged.extend(tally.acknowledged);
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(e);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let verified = match rpc {
        LoadRpc::Review => Some(loops.runtimes[0].block_on(verify_review(
            loops.channels[0].clone(),
            keys.mediator.as_deref(),
            &acknowledged,
        ))),
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
        "connections": loops.channels.len(),
        "threads": loops.runtimes.len(),
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
    if let Some(dir) = &args.write_bodies {
        return Ok(serde_json::to_string_pretty(&write_bodies(dir)?)? + "\n");
    }
    let Some(addr) = args.addr.as_deref() else {
        return Err(bad_input("addr: required (or --write-bodies DIR)"));
    };
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
    if args.threads == Some(0) || args.threads.is_some_and(|t| t > 64) {
        return Err(bad_input("threads: must be between 1 and 64"));
    }
    // One loop per core by default; never more loops than connections (a loop without a
    // connection would have nothing to drive).
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(args.connections);
    let loops = Loops::connect(addr, args.connections, threads)?;
    let mut results = Vec::new();
    for rpc in &args.rpc {
        for &n in &args.in_flight {
            let keys = ReviewKeys {
                institution: args.api_key.clone(),
                mediator: args.mediator_key.clone(),
            };
            results.push(level(&loops, *rpc, n, args.seconds, &keys));
        }
    }
    Ok(serde_json::to_string_pretty(&json!({ "addr": addr, "results": results }))? + "\n")
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
