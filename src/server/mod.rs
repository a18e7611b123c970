//! `finrisk serve`: the gRPC server (tonic) with health, reflection, API keys, limits, TLS,
//! metrics and graceful shutdown. Only wiring: every decision is in the engine.

mod auth;
mod config;
mod metrics;
mod review;
mod service;

pub(crate) use auth::key_hash;

use crate::cli::ServeArgs;
use config::{Config, Overrides};
use finrisk_proto::v1::review_server::ReviewServer;
use finrisk_proto::v1::risk_assessment_server::RiskAssessmentServer;
use service::{Service, State};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};
use tonic::codegen::http;
use tonic::transport::{Identity, Server, ServerTlsConfig};

/// Runs the server until SIGTERM or Ctrl-C; in-flight calls finish first.
pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<String> {
    let config = Config::resolve(
        args.config.as_deref(),
        Overrides {
            addr: args.addr.clone(),
            max_message_bytes: args.max_message_bytes,
            max_stream_items: args.max_stream_items,
            max_concurrent_streams: args.max_concurrent_streams,
            threads: args.threads,
            tls_cert: args.tls_cert.clone(),
            tls_key: args.tls_key.clone(),
            database: args.database.clone(),
        },
    )?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FINRISK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    // One single-threaded event loop per server thread (see `serve`); this one also accepts.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(config))?;
    eprintln!("finrisk: stopped");
    Ok(String::new())
}

/// The connections dealt to one server thread, registered with that thread's event loop as
/// it takes them.
fn thread_incoming(
    connections: mpsc::UnboundedReceiver<std::net::TcpStream>,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use tokio_stream::StreamExt;
    tokio_stream::wrappers::UnboundedReceiverStream::new(connections).map(|stream| {
        // TCP_NODELAY: without it a small response waits for the client's delayed ACK
        // (about 40 ms per call at low concurrency; BENCHMARKS.md, gRPC load).
        stream.set_nodelay(true)?;
        tokio::net::TcpStream::from_std(stream)
    })
}

/// Accepts connections and deals them in turn to the server threads whose loops still run,
/// until `stop` is set; with none left it sets `stop` itself.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    threads: Vec<mpsc::UnboundedSender<std::net::TcpStream>>,
    stop: Arc<watch::Sender<bool>>,
) {
    let mut stopped = stop.subscribe();
    let mut next = 0usize;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.wait_for(|stopped| *stopped) => return,
        };
        let stream = match accepted.and_then(|(stream, _)| stream.into_std()) {
            Ok(stream) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait and go on, as tonic's listener does.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let mut stream = Some(stream);
        for _ in 0..threads.len() {
            let thread = &threads[next % threads.len()];
            next = next.wrapping_add(1);
            match stream.take().map(|s| thread.send(s)) {
                Some(Err(mpsc::error::SendError(back))) => stream = Some(back),
                _ => break,
            }
        }
        if stream.is_some() {
            tracing::error!("every server thread has stopped; stopping");
            stop.send_replace(true);
            return;
        }
    }
}

/// Rewrites tonic's `OUT_OF_RANGE` for a too-large request into `RESOURCE_EXHAUSTED`
/// (SPEC section 8), for errors raised before a handler runs.
fn resource_exhausted_for_size<B>(mut resp: http::Response<B>) -> http::Response<B> {
    let headers = resp.headers_mut();
    let too_large = headers.get("grpc-status").is_some_and(|v| v == "11")
        && headers
            .get("grpc-message")
            .and_then(|m| m.to_str().ok())
            .is_some_and(|m| m.contains("too%20large") || m.contains("too large"));
    if too_large {
        headers.insert("grpc-status", http::HeaderValue::from_static("8"));
    }
    resp
}

/// Serves until shutdown on `config.threads` threads, each a single-threaded event loop (this
/// one and `threads - 1` more). The connections are dealt to them in turn and a connection's
/// calls run on its thread, so a call's answer is written by the loop that read the call,
/// with no hand-over between threads, and the answers ready together on a connection go out
/// in one write (BENCHMARKS.md, "one event loop per thread"). Large requests still go to the
/// blocking pool.
async fn serve(config: Config) -> anyhow::Result<()> {
    let state = Arc::new(State::new(config.max_stream_items)?);
    let keys = auth::KeyCheck::new(&config.keys);
    if !config.keys.is_empty() {
        let names: Vec<&str> = config
            .keys
            .iter()
            .map(|k| k.name.as_deref().unwrap_or("(unnamed)"))
            .collect();
        tracing::info!(keys = config.keys.len(), names = ?names, "API keys loaded");
    }
    let open = config.keys.is_empty();
    let database_url = finrisk_review::database_url(&config.database);
    let store = finrisk_review::Store::open(&database_url)
        .await
        .map_err(|e| match e {
            finrisk_review::ReviewError::InvalidArgument { .. } => {
                crate::failure::bad_input(format!("database: {e}"))
            }
            other => anyhow::anyhow!("cannot open the review store {}: {other}", config.database),
        })?;
    let review = ReviewServer::new(review::ReviewService {
        state: Arc::clone(&state),
        store: store.clone(),
    })
    .max_decoding_message_size(config.max_message_bytes);
    let review_keys = keys.clone();
    let review = tonic::service::interceptor::InterceptedService::new(review, move |req| {
        review_keys.check(req)
    });
    // The limit is on what callers send; responses are bounded by the requests they answer.
    let service = RiskAssessmentServer::new(Service { state })
        .max_decoding_message_size(config.max_message_bytes);
    let service =
        tonic::service::interceptor::InterceptedService::new(service, move |req| keys.check(req));

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<RiskAssessmentServer<Service>>()
        .await;
    health_reporter
        .set_serving::<ReviewServer<review::ReviewService>>()
        .await;
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(finrisk_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(finrisk_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;

    let streams = u32::try_from(config.max_concurrent_streams).unwrap_or(u32::MAX);
    let mut builder = Server::builder().max_concurrent_streams(streams);
    let tls = config.tls.is_some();
    if let Some((cert, key)) = &config.tls {
        let cert = std::fs::read(cert).map_err(|e| {
            crate::failure::bad_input(format!("tls_cert: cannot read {}: {e}", cert.display()))
        })?;
        let key = std::fs::read(key).map_err(|e| {
            crate::failure::bad_input(format!("tls_key: cannot read {}: {e}", key.display()))
        })?;
        builder = builder
            .tls_config(ServerTlsConfig::new().identity(Identity::from_pem(cert, key)))
            .map_err(|e| crate::failure::bad_input(format!("tls: {e}")))?;
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| {
            crate::failure::bad_input(format!("addr: cannot listen on {}: {e}", config.addr))
        })?;
    let local = listener.local_addr()?;
    let mode = if open {
        "open: no API keys configured, loopback only"
    } else {
        "API keys required"
    };
    eprintln!(
        "finrisk: listening on {local} ({}, {mode}; max message {} bytes, max stream items {}, max concurrent streams {}, {} server threads; review store {})",
        if tls { "TLS" } else { "plaintext" },
        config.max_message_bytes,
        config.max_stream_items,
        config.max_concurrent_streams,
        config.threads,
        redacted(&config.database)
    );
    tracing::info!(addr = %local, tls, open, "serving");
    let threads = config.threads;
    let (stop, _) = watch::channel(false);
    let stop = Arc::new(stop);
    let mut senders = Vec::with_capacity(threads);
    let mut receivers = Vec::with_capacity(threads);
    for _ in 0..threads {
        let (tx, rx) = mpsc::unbounded_channel();
        senders.push(tx);
        receivers.push(rx);
    }
    let serve_on = move |connections: mpsc::UnboundedReceiver<std::net::TcpStream>,
                         mut stopped: watch::Receiver<bool>| {
        builder
            .clone()
            .layer(tower::util::MapResponseLayer::new(
                resource_exhausted_for_size,
            ))
            .add_service(health_service.clone())
            .add_service(reflection_v1.clone())
            .add_service(reflection_v1alpha.clone())
            .add_service(service.clone())
            .add_service(review.clone())
            .serve_with_incoming_shutdown(thread_incoming(connections), async move {
                let _ = stopped.wait_for(|stopped| *stopped).await;
            })
    };
    // The other threads keep their loops (which may drive database connections this or another
    // thread uses) until every thread has finished its calls and the store is closed.
    let (release, _) = watch::channel(false);
    let mut receivers = receivers.into_iter();
    let own = receivers
        .next()
        .ok_or_else(|| anyhow::anyhow!("threads: no server thread"))?;
    let mut finished = Vec::with_capacity(threads.saturating_sub(1));
    let mut joins = Vec::with_capacity(threads.saturating_sub(1));
    for (index, connections) in receivers.enumerate() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (serve_on, stopped, mut released) =
            (serve_on.clone(), stop.subscribe(), release.subscribe());
        let (done, finish) = oneshot::channel();
        let join = std::thread::Builder::new()
            .name(format!("finrisk-serve-{}", index + 1))
            .spawn(move || {
                runtime.block_on(async move {
                    let _ = done.send(serve_on(connections, stopped).await);
                    let _ = released.wait_for(|released| *released).await;
                });
            })?;
        finished.push(finish);
        joins.push(join);
    }
    tokio::spawn(accept_loop(listener, senders, Arc::clone(&stop)));
    let signal_stop = Arc::clone(&stop);
    tokio::spawn(async move {
        shutdown_signal().await;
        signal_stop.send_replace(true);
    });
    let mut outcome = serve_on(own, stop.subscribe())
        .await
        .map_err(anyhow::Error::from);
    // This loop may have ended on an error: the others stop too.
    stop.send_replace(true);
    for finish in finished {
        let thread_outcome = match finish.await {
            Ok(served) => served.map_err(anyhow::Error::from),
            Err(_) => Err(anyhow::anyhow!("a server thread stopped unexpectedly")),
        };
        if outcome.is_ok() {
            outcome = thread_outcome;
        }
    }
    store.close().await;
    release.send_replace(true);
    for join in joins {
        let _ = tokio::task::spawn_blocking(move || join.join()).await;
    }
    outcome
}

/// A database URL without its password, for the start-up line.
fn redacted(database: &str) -> String {
    match (database.find("://"), database.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &database[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => {
                    format!("{}{user}:***{}", &database[..scheme + 3], &database[at..])
                }
                None => database.to_string(),
            }
        }
        _ => database.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight calls");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Connects `n` clients to `addr`, keeping them open.
    fn connect(addr: std::net::SocketAddr, n: usize) -> Vec<std::net::TcpStream> {
        (0..n)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect()
    }

    /// Takes what a thread was dealt within a short wait.
    async fn dealt(rx: &mut mpsc::UnboundedReceiver<std::net::TcpStream>) -> usize {
        let mut count = 0;
        while let Ok(Some(_)) =
            tokio::time::timeout(std::time::Duration::from_millis(200), rx.recv()).await
        {
            count += 1;
        }
        count
    }

    #[tokio::test]
    async fn connections_are_dealt_in_turn_skipping_a_stopped_thread() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx1, mut rx1) = mpsc::unbounded_channel();
        let (tx2, rx2) = mpsc::unbounded_channel();
        let (tx3, mut rx3) = mpsc::unbounded_channel();
        drop(rx2);
        let (stop, _) = watch::channel(false);
        let stop = Arc::new(stop);
        let dealer = tokio::spawn(accept_loop(
            listener,
            vec![tx1, tx2, tx3],
            Arc::clone(&stop),
        ));
        let _clients = connect(addr, 6);
        assert_eq!((dealt(&mut rx1).await, dealt(&mut rx3).await), (3, 3));
        stop.send_replace(true);
        dealer.await.unwrap();
    }

    #[tokio::test]
    async fn with_every_thread_stopped_the_dealer_stops_the_server() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        drop(rx);
        let (stop, _) = watch::channel(false);
        let stop = Arc::new(stop);
        let dealer = tokio::spawn(accept_loop(listener, vec![tx], Arc::clone(&stop)));
        let _clients = connect(addr, 1);
        tokio::time::timeout(std::time::Duration::from_secs(10), dealer)
            .await
            .unwrap()
            .unwrap();
        assert!(*stop.borrow());
    }
}
