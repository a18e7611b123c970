//! Server configuration: one struct, built from defaults < config file < `FINRISK_*` env < flags.
//!
//! What is scored (rules, models) comes from files; how the process runs (address, limits, TLS,
//! keys) comes from here.

use crate::failure::bad_input;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Role of an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Role {
    /// A financial institution: its own products and cases only.
    Institution,
    /// A mediation body: reviews every institution's submissions (the first review).
    Mediator,
    /// A court: any case and any product.
    Court,
}

/// One API key, as stored: the hex SHA-256 of the key, never the key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyEntry {
    pub(crate) sha256: String,
    pub(crate) role: Role,
    #[serde(default)]
    pub(crate) institution_id: Option<String>,
    /// A label for logs (never the key).
    #[serde(default)]
    pub(crate) name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerSection {
    addr: Option<String>,
    max_message_bytes: Option<usize>,
    max_stream_items: Option<usize>,
    max_concurrent_streams: Option<usize>,
    threads: Option<usize>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
}

/// The `[database]` table: the review store.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    /// A SQLite file or a `postgres://` URL.
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    keys: Vec<KeyEntry>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) addr: SocketAddr,
    pub(crate) max_message_bytes: usize,
    pub(crate) max_stream_items: usize,
    /// Streams (calls) one connection may have open at once; more wait in the client.
    pub(crate) max_concurrent_streams: usize,
    /// Server threads, each a single-threaded event loop serving the connections dealt to it.
    pub(crate) threads: usize,
    pub(crate) tls: Option<(PathBuf, PathBuf)>,
    pub(crate) keys: Vec<KeyEntry>,
    /// The review store: a SQLite file or a `postgres://` URL.
    pub(crate) database: String,
}

/// Flags of `finrisk serve` that override the file and the environment.
#[derive(Debug, Default)]
pub(crate) struct Overrides {
    pub(crate) addr: Option<String>,
    pub(crate) max_message_bytes: Option<usize>,
    pub(crate) max_stream_items: Option<usize>,
    pub(crate) max_concurrent_streams: Option<usize>,
    pub(crate) threads: Option<usize>,
    pub(crate) tls_cert: Option<PathBuf>,
    pub(crate) tls_key: Option<PathBuf>,
    pub(crate) database: Option<String>,
}

/// The review store when neither `--database`, `FINRISK_DATABASE` nor `[database] url` names
/// one: a SQLite file in the working directory.
pub(crate) const DEFAULT_DATABASE: &str = "finrisk-review.db";

pub(crate) const DEFAULT_ADDR: &str = "127.0.0.1:50051";
pub(crate) const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
pub(crate) const DEFAULT_MAX_STREAM_ITEMS: usize = 1_000_000;
/// HTTP/2 streams one connection may have open at once. Without a limit one client could open
/// any number of calls on one connection; with it, its extra calls queue in its own client.
pub(crate) const DEFAULT_MAX_CONCURRENT_STREAMS: usize = 1_024;
/// The most server threads a configuration may ask for.
pub(crate) const MAX_THREADS: usize = 1_024;

/// Server threads when none are configured: one per core the process may use.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_usize(field: &str, v: &str) -> anyhow::Result<usize> {
    v.trim()
        .parse::<usize>()
        .map_err(|_| bad_input(format!("{field}: `{v}` is not a whole number")))
}

/// A whole-number setting: the flag, else the environment variable `env_name` (which must parse),
/// else the config file, else `default`.
fn layered_usize(
    flag: Option<usize>,
    env_name: &str,
    file: Option<usize>,
    default: usize,
) -> anyhow::Result<usize> {
    match (flag, env(env_name)) {
        (Some(v), _) => Ok(v),
        (None, Some(v)) => parse_usize(env_name, &v),
        (None, None) => Ok(file.unwrap_or(default)),
    }
}

impl Config {
    /// Resolves defaults < `file` < environment < `flags`, and checks the result.
    pub(crate) fn resolve(file: Option<&Path>, flags: Overrides) -> anyhow::Result<Self> {
        let fc: FileConfig = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    bad_input(format!("config: cannot read {}: {e}", path.display()))
                })?;
                let value: toml::Table = toml::from_str(&text).map_err(|e| {
                    bad_input(format!("config: {}: {}", path.display(), e.message()))
                })?;
                parse_file_config(value, path)?
            }
            None => FileConfig::default(),
        };
        let addr_text = flags
            .addr
            .or_else(|| env("FINRISK_ADDR"))
            .or(fc.server.addr)
            .unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let addr: SocketAddr = addr_text.parse().map_err(|_| {
            bad_input(format!(
                "addr: `{addr_text}` is not an address like 127.0.0.1:50051"
            ))
        })?;
        let max_message_bytes = layered_usize(
            flags.max_message_bytes,
            "FINRISK_MAX_MESSAGE_BYTES",
            fc.server.max_message_bytes,
            DEFAULT_MAX_MESSAGE_BYTES,
        )?;
        let max_stream_items = layered_usize(
            flags.max_stream_items,
            "FINRISK_MAX_STREAM_ITEMS",
            fc.server.max_stream_items,
            DEFAULT_MAX_STREAM_ITEMS,
        )?;
        let max_concurrent_streams = layered_usize(
            flags.max_concurrent_streams,
            "FINRISK_MAX_CONCURRENT_STREAMS",
            fc.server.max_concurrent_streams,
            DEFAULT_MAX_CONCURRENT_STREAMS,
        )?;
        if !(1..=u32::MAX as usize).contains(&max_concurrent_streams) {
            return Err(bad_input(format!(
                "max_concurrent_streams: must be between 1 and {}",
                u32::MAX
            )));
        }
        let threads = layered_usize(
            flags.threads,
            "FINRISK_THREADS",
            fc.server.threads,
            default_threads(),
        )?;
        if !(1..=MAX_THREADS).contains(&threads) {
            return Err(bad_input(format!(
                "threads: must be between 1 and {MAX_THREADS}"
            )));
        }
        if max_message_bytes < 1024 {
            return Err(bad_input("max_message_bytes: must be at least 1024"));
        }
        if max_stream_items == 0 {
            return Err(bad_input("max_stream_items: must be at least 1"));
        }
        let cert = flags
            .tls_cert
            .or_else(|| env("FINRISK_TLS_CERT").map(PathBuf::from))
            .or(fc.server.tls_cert);
        let key = flags
            .tls_key
            .or_else(|| env("FINRISK_TLS_KEY").map(PathBuf::from))
            .or(fc.server.tls_key);
        let tls = match (cert, key) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            _ => return Err(bad_input("tls: give both tls_cert and tls_key, or neither")),
        };
        for (i, k) in fc.keys.iter().enumerate() {
            let hex_ok = k.sha256.len() == 64 && k.sha256.chars().all(|c| c.is_ascii_hexdigit());
            if !hex_ok {
                return Err(bad_input(format!(
                    "keys[{i}].sha256: must be 64 hex digits (the SHA-256 of the key, not the key)"
                )));
            }
            if k.role == Role::Institution
                && k.institution_id
                    .as_deref()
                    .is_none_or(|s| s.trim().is_empty())
            {
                return Err(bad_input(format!(
                    "keys[{i}].institution_id: is required for role institution"
                )));
            }
        }
        if fc.keys.is_empty() && !addr.ip().is_loopback() {
            return Err(bad_input(format!(
                "addr: {addr} is not a loopback address; without API keys (a [[keys]] table in --config) finrisk serves on loopback only"
            )));
        }
        let database = flags
            .database
            .or_else(|| env("FINRISK_DATABASE"))
            .or(fc.database.url)
            .unwrap_or_else(|| DEFAULT_DATABASE.to_string());
        if database.trim().is_empty() {
            return Err(bad_input("database: is empty"));
        }
        Ok(Self {
            addr,
            max_message_bytes,
            max_stream_items,
            max_concurrent_streams,
            threads,
            tls,
            keys: fc.keys,
            database,
        })
    }
}

fn parse_file_config(value: toml::Table, path: &Path) -> anyhow::Result<FileConfig> {
    FileConfig::deserialize(toml::Value::Table(value))
        .map_err(|e| bad_input(format!("config: {}: {e}", path.display())))
}
