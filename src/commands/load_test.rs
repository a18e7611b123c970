//! `finrisk load-test`: a bounded gRPC load generator for a running `finrisk serve`.
//!
//! For each level of requests in flight, it keeps that many calls outstanding over a few HTTP/2
//! connections for a fixed time, then reports throughput and latency percentiles. The health
//! check (an empty RPC) is the baseline the service's own RPCs are compared with. `review`
//! drives the review store (a submission and a decision per iteration) and then reads every
//! acknowledged submission's audit trail back: no event lost, none duplicated. It talks only to
//! the address it is given.
//!
//! `health` and `score_case` send a request encoded once, on HTTP/2 connections of their own
//! (the `h2` crate on a TCP socket: no tower buffer, no codec), and count the answers' bytes
//! without decoding them, after a first call per worker decoded and checked in full, as h2load
//! does with its `-d` file: the generator shares the machine with the server, and its CPU per
//! call should stay small beside the server's. A call counts when the answer is HTTP 200 with
//! gRPC status OK; any other status is an error with its code and message. `--write-bodies`
//! writes the same bodies for h2load. `review` goes through tonic's typed clients.
//!
//! The client runs as the server does: one single-threaded tokio runtime per load thread
//! (`--threads`), each making and driving the connections dealt to it and the workers that use
//! them, so that a call and its answer never change threads.

use crate::cli::{LoadRpc, LoadTestArgs};
use crate::failure::bad_input;
use finrisk_proto::v1 as pb;
use finrisk_proto::v1::review_client::ReviewClient;
use prost::Message;
use prost::bytes::Bytes;
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

/// One connection of the counted calls: HTTP/2 straight on a TCP socket, as h2load speaks it
/// (no tower buffer, no codec), with windows large enough that answers never wait for one.
async fn raw_connect(authority: &str) -> Result<h2::client::SendRequest<Bytes>, String> {
    let tcp = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (send, connection) = h2::client::Builder::new()
        .initial_window_size(1 << 24)
        .initial_connection_window_size(1 << 26)
        .handshake::<_, Bytes>(tcp)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        // Ends when the connection closes; a call in flight then fails and is counted.
        let _ = connection.await;
    });
    Ok(send)
}

/// A transport failure as the status a gRPC client would report.
fn unavailable(e: h2::Error) -> tonic::Status {
    tonic::Status::unavailable(format!("HTTP/2: {e}"))
}

/// The gRPC status carried by `headers` (trailers, or the headers of a trailers-only answer):
/// `None` when there is none, `Ok` for OK.
fn grpc_status(headers: &http::HeaderMap) -> Option<Result<(), tonic::Status>> {
    let code = headers.get("grpc-status")?;
    let code = code
        .to_str()
        .ok()
        .and_then(|c| c.parse::<i32>().ok())
        .map_or(tonic::Code::Unknown, tonic::Code::from_i32);
    if code == tonic::Code::Ok {
        return Some(Ok(()));
    }
    let message = headers
        .get("grpc-message")
        .and_then(|m| m.to_str().ok())
        .unwrap_or_default();
    Some(Err(tonic::Status::new(code, message.to_string())))
}

/// One call on a raw connection: the pre-encoded `body` (a gRPC frame's message) posted to
/// `uri`, the answer's bytes counted and, with `keep`, gathered; the call fails on an HTTP
/// status other than 200 or a gRPC status other than OK.
async fn raw_call(
    send: &mut h2::client::SendRequest<Bytes>,
    uri: &http::Uri,
    frame: &Bytes,
    authorization: Option<&http::HeaderValue>,
    mut keep: Option<&mut Vec<u8>>,
) -> Result<usize, tonic::Status> {
    std::future::poll_fn(|cx| send.poll_ready(cx))
        .await
        .map_err(unavailable)?;
    let mut request = http::Request::builder()
        .method(http::Method::POST)
        .uri(uri.clone())
        .header(http::header::CONTENT_TYPE, "application/grpc")
        .header(http::header::TE, "trailers");
    if let Some(value) = authorization {
        request = request.header(http::header::AUTHORIZATION, value.clone());
    }
    let request = request
        .body(())
        .map_err(|e| tonic::Status::internal(format!("request: {e}")))?;
    let (response, mut stream) = send.send_request(request, false).map_err(unavailable)?;
    stream.send_data(frame.clone(), true).map_err(unavailable)?;
    let (parts, mut body) = response.await.map_err(unavailable)?.into_parts();
    if parts.status != http::StatusCode::OK {
        return Err(tonic::Status::unknown(format!(
            "HTTP status {}",
            parts.status
        )));
    }
    if let Some(status) = grpc_status(&parts.headers) {
        status?;
    }
    let mut length = 0;
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(unavailable)?;
        length += chunk.len();
        if let Some(kept) = keep.as_deref_mut() {
            kept.extend_from_slice(&chunk);
        }
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    let trailers = body.trailers().await.map_err(unavailable)?;
    match trailers.as_ref().and_then(grpc_status) {
        Some(status) => status.map(|()| length),
        None => Err(tonic::Status::unknown("the answer has no grpc-status")),
    }
}

/// The message of an answer's single gRPC frame (uncompressed).
fn frame_message(bytes: &[u8]) -> Result<&[u8], tonic::Status> {
    match bytes {
        [0, a, b, c, d, message @ ..]
            if usize::try_from(u32::from_be_bytes([*a, *b, *c, *d])).ok()
                == Some(message.len()) =>
        {
            Ok(message)
        }
        _ => Err(tonic::Status::internal(
            "the answer is not one uncompressed gRPC frame",
        )),
    }
}

/// The first call of a worker, decoded in full and checked: the server answers the request the
/// load sends (the example case's id, the health check's `SERVING`). Later calls are counted.
async fn checked_first_call(
    send: &mut h2::client::SendRequest<Bytes>,
    call: &LoadCall,
) -> Result<(), tonic::Status> {
    let mut answer = Vec::new();
    raw_call(
        send,
        &call.uri,
        &call.frame,
        call.authorization.as_ref(),
        Some(&mut answer),
    )
    .await?;
    let message = frame_message(&answer)?;
    let undecodable = |e: prost::DecodeError| tonic::Status::internal(format!("the answer: {e}"));
    match call.rpc {
        LoadRpc::Health => {
            let reply =
                tonic_health::pb::HealthCheckResponse::decode(message).map_err(undecodable)?;
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
            let expected = finrisk_proto::examples::case().case_id;
            let reply = pb::ScoreCaseResponse::decode(message).map_err(undecodable)?;
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

/// What a worker of `health` or `score_case` sends: the RPC, its URI, the request as a gRPC
/// frame, encoded once, and the authorization header.
#[derive(Clone)]
struct LoadCall {
    rpc: LoadRpc,
    uri: http::Uri,
    frame: Bytes,
    authorization: Option<http::HeaderValue>,
}

impl LoadCall {
    fn new(base: &http::Uri, rpc: LoadRpc, key: Option<&str>) -> Result<Self, String> {
        let bodies = Bodies::new();
        let (path, body) = match rpc {
            LoadRpc::Health => ("/grpc.health.v1.Health/Check", bodies.health),
            LoadRpc::ScoreCase | LoadRpc::Review => {
                ("/finrisk.v1.RiskAssessment/ScoreCase", bodies.score_case)
            }
        };
        let authority = base.authority().map(|a| a.as_str()).unwrap_or_default();
        let uri = format!(
            "{}://{authority}{path}",
            base.scheme_str().unwrap_or("http")
        )
        .parse::<http::Uri>()
        .map_err(|e| format!("addr: {e}"))?;
        let authorization = key
            .map(|k| format!("Bearer {k}").parse::<http::HeaderValue>())
            .transpose()
            .map_err(|_| "api-key: not a valid header value".to_string())?;
        Ok(Self {
            rpc,
            uri,
            frame: Bytes::from(grpc_frame(&body)),
            authorization,
        })
    }
}

/// A message as a gRPC frame: no compression, the length as 4 big-endian bytes, the message.
fn grpc_frame(message: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(5 + message.len());
    frame.push(0u8);
    frame.extend_from_slice(
        &u32::try_from(message.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    frame.extend_from_slice(message);
    frame
}

async fn worker(mut send: h2::client::SendRequest<Bytes>, call: LoadCall, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let start = Instant::now();
    let first = checked_first_call(&mut send, &call).await;
    tally.record(start, &first);
    if first.is_err() {
        return tally;
    }
    while Instant::now() < until {
        let start = Instant::now();
        let result = raw_call(
            &mut send,
            &call.uri,
            &call.frame,
            call.authorization.as_ref(),
            None,
        )
        .await;
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
        let frame = grpc_frame(body);
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
    /// The server's URI.
    base: http::Uri,
    /// Connections of each kind.
    connections: usize,
    /// For `health` and `score_case`: connection `c` is `raw[c]`, made and driven by runtime
    /// `c % runtimes.len()`. Empty when neither is asked for.
    raw: Vec<h2::client::SendRequest<Bytes>>,
    /// For `review`: the same, through tonic's channels. Empty when it is not asked for.
    channels: Vec<Channel>,
}

impl Loops {
    /// Makes `connections` connections of each kind the RPCs need, dealt to `threads` loops.
    fn connect(
        addr: &str,
        connections: usize,
        threads: usize,
        rpcs: &[LoadRpc],
    ) -> anyhow::Result<Self> {
        let base = addr
            .parse::<http::Uri>()
            .map_err(|e| bad_input(format!("addr: `{addr}` is not a URI: {e}")))?;
        if base.scheme_str() != Some("http") {
            return Err(bad_input(format!(
                "addr: `{addr}`: load-test speaks plaintext HTTP/2 (http://host:port)"
            )));
        }
        let Some(authority) = base.authority().map(|a| a.as_str().to_string()) else {
            return Err(bad_input(format!("addr: `{addr}` has no host")));
        };
        let authority = if base.port().is_some() {
            authority
        } else {
            format!("{authority}:80")
        };
        let runtimes = (0..threads)
            .map(|_| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cannot = |e: String| bad_input(format!("addr: cannot connect to {addr}: {e}"));
        // Connecting on a runtime spawns the connection's task there. Each kind is made in one
        // run, so that the server deals each kind's connections evenly to its threads.
        let mut raw = Vec::new();
        if rpcs.iter().any(|r| *r != LoadRpc::Review) {
            for c in 0..connections {
                raw.push(
                    runtimes[c % threads]
                        .block_on(raw_connect(&authority))
                        .map_err(cannot)?,
                );
            }
        }
        let mut channels = Vec::new();
        if rpcs.contains(&LoadRpc::Review) {
            let endpoint = Channel::from_shared(addr.to_string())
                .map_err(|e| bad_input(format!("addr: `{addr}` is not a URI: {e}")))?
                .tcp_nodelay(true);
            for c in 0..connections {
                channels.push(
                    runtimes[c % threads]
                        .block_on(endpoint.clone().connect())
                        .map_err(|e| cannot(e.to_string()))?,
                );
            }
        }
        Ok(Self {
            runtimes,
            base,
            connections,
            raw,
            channels,
        })
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
        let connections = self.connections;
        let call = match rpc {
            LoadRpc::Review => None,
            LoadRpc::Health | LoadRpc::ScoreCase => {
                match LoadCall::new(&self.base, rpc, keys.institution.as_deref()) {
                    Ok(call) => Some(call),
                    Err(e) => return vec![Err(e)],
                }
            }
        };
        std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .runtimes
                .iter()
                .enumerate()
                .map(|(t, runtime)| {
                    let workers: Vec<usize> = (0..in_flight)
                        .filter(|k| (k % connections) % threads == t)
                        .collect();
                    let call = call.clone();
                    scope.spawn(move || {
                        runtime.block_on(async move {
                            let tasks: Vec<_> = workers
                                .into_iter()
                                .map(|k| match &call {
                                    None => tokio::spawn(review_worker(
                                        self.channels[k % connections].clone(),
                                        keys.clone(),
                                        run.to_string(),
                                        k,
                                        until,
                                    )),
                                    Some(call) => tokio::spawn(worker(
                                        self.raw[k % connections].clone(),
                                        call.clone(),
                                        until,
                                    )),
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
        "connections": loops.connections,
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
    let loops = Loops::connect(addr, args.connections, threads, &args.rpc)?;
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
