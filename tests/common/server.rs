//! A real `finrisk serve` process on a loopback port, and tonic clients for it.

#![allow(dead_code, reason = "each test file uses a part of the shared set-up")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test set-up: a failure should panic"
)]

use super::BIN;
use finrisk_proto::v1::risk_assessment_client::RiskAssessmentClient;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use tonic::transport::Channel;

/// A running server, stopped (SIGKILL) when dropped.
pub(crate) struct Server {
    /// The server process.
    pub(crate) child: Child,
    /// `host:port` it listens on.
    pub(crate) addr: String,
    /// Everything the server wrote on stderr so far.
    pub(crate) log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Sends SIGTERM: the server stops accepting and finishes the calls in flight.
    pub(crate) fn terminate(&self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success(), "kill -TERM {pid} failed");
    }
}

/// A server with `extra` flags, logging warnings only.
pub(crate) fn start(extra: &[&str]) -> Server {
    start_logging(extra, "warn")
}

/// A server logging at `level` (`FINRISK_LOG`), its stderr kept in [`Server::log`].
pub(crate) fn start_logging(extra: &[&str], level: &str) -> Server {
    // Each server gets its own review store unless the test names one.
    static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let mut database = Vec::new();
    if !extra.contains(&"--database") {
        let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = super::scratch("finrisk-server", &format!("store{n}"));
        database = vec![
            "--database".to_string(),
            dir.join("review.db").to_str().unwrap().to_string(),
        ];
    }
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .args(&database)
        .env("FINRISK_LOG", level)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        if let Some(rest) = line.strip_prefix("finrisk: listening on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.by_ref().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    Server { child, addr, log }
}

/// A tonic client on a new connection to `server`, with 64 MiB message limits.
pub(crate) async fn client(server: &Server) -> RiskAssessmentClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    RiskAssessmentClient::new(channel)
        .max_decoding_message_size(64 * 1024 * 1024)
        .max_encoding_message_size(64 * 1024 * 1024)
}
