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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(config))?;
    Ok(String::new())
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
        "finrisk: listening on {local} ({}, {mode}; max message {} bytes, max stream items {}, max concurrent streams {}; review store {})",
        if tls { "TLS" } else { "plaintext" },
        config.max_message_bytes,
        config.max_stream_items,
        config.max_concurrent_streams,
        redacted(&config.database)
    );
    tracing::info!(addr = %local, tls, open, "serving");
    builder
        .layer(tower::util::MapResponseLayer::new(
            resource_exhausted_for_size,
        ))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(service)
        .add_service(review)
        .serve_with_incoming_shutdown(
            // TCP_NODELAY: without it a small response waits for the client's delayed ACK
            // (about 40 ms per call at low concurrency; BENCHMARKS.md, gRPC load).
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown_signal(),
        )
        .await?;
    store.close().await;
    eprintln!("finrisk: stopped");
    Ok(())
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
