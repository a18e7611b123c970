//! Two `finrisk serve` instances on one PostgreSQL behind a real load balancer (Debian's nginx,
//! `grpc_pass`), on loopback: a client spread over both sees one consistent queue, a decision
//! made through one instance makes the other refuse a stale one, and killing one instance
//! mid-load loses no committed decision.
//!
//! Needs `FINRISK_TEST_POSTGRES` (an admin URL) and `FINRISK_TEST_NGINX` (the nginx binary);
//! `scripts/test.sh` provides both (`scripts/postgres.sh`, `scripts/nginx.sh`). Without them the
//! test says so and does nothing.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::server::{Server, start};
use common::{BIN, scratch};
use finrisk_proto::v1 as pb;
use finrisk_proto::v1::review_client::ReviewClient;
use serde_json::Value;
use sqlx::Executor;
use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tonic::Code;
use tonic::transport::Channel;

/// nginx in the foreground with its own configuration; stopped on drop.
struct Nginx {
    child: Child,
    addr: String,
}

impl Drop for Nginx {
    /// SIGTERM, so that the master stops its worker first: a SIGKILL of the master alone left
    /// the worker running, orphaned and still listening, after every test run. SIGKILL only if
    /// nginx has not exited after 5 s.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_nginx(binary: &str, upstreams: &[&str]) -> Nginx {
    let dir = scratch("grpc-cluster", "nginx");
    let port = free_port();
    let servers: String = upstreams
        .iter()
        .map(|a| format!("    server {a} max_fails=1 fail_timeout=2s;\n"))
        .collect();
    let d = dir.display();
    let config = format!(
        "worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         upstream finrisk {{\n{servers}  }}\n\
         server {{\n    listen 127.0.0.1:{port} http2;\n\
             location / {{\n      grpc_pass grpc://finrisk;\n      grpc_next_upstream error timeout;\n\
             grpc_connect_timeout 1s;\n    }}\n  }}\n}}\n"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, config).unwrap();
    let child = Command::new(binary)
        .args(["-c", path.to_str().unwrap(), "-p", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Wait until it listens.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not start (see {d}/error.log)"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Nginx {
        child,
        addr: format!("127.0.0.1:{port}"),
    }
}

async fn client(addr: &str) -> ReviewClient<Channel> {
    ReviewClient::new(
        Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap(),
    )
}

fn submit_request(product_id: &str) -> pb::SubmitProductRequest {
    let mut product = finrisk_proto::examples::product();
    product.product_id = product_id.into();
    pb::SubmitProductRequest {
        product: Some(product),
        ..Default::default()
    }
}

fn start_mediation(id: &str, version: i64) -> pb::DecideRequest {
    pb::DecideRequest {
        submission_id: id.into(),
        decision: "start_mediation".into(),
        expected_version: version,
        ..Default::default()
    }
}

async fn queue_ids(c: &mut ReviewClient<Channel>) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_queue(pb::ListQueueRequest {
                statuses: vec!["submitted".into(), "under_mediation".into()],
                page_size: 500,
                page_token: token.clone(),
                role: "mediator".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        ids.extend(page.entries.into_iter().map(|e| e.id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        token = page.next_page_token;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_share_one_queue_and_survive_losing_one() {
    let (Ok(admin), Ok(nginx_bin)) = (
        std::env::var("FINRISK_TEST_POSTGRES"),
        std::env::var("FINRISK_TEST_NGINX"),
    ) else {
        eprintln!(
            "skipped: FINRISK_TEST_POSTGRES and FINRISK_TEST_NGINX are not both set (scripts/test.sh sets them)"
        );
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("grpc_cluster_{}", std::process::id());
    let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
    pool.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await
        .unwrap();
    pool.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    pool.close().await;
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);

    let a: Server = start(&["--database", &url]);
    let b: Server = start(&["--database", &url]);
    let nginx = start_nginx(&nginx_bin, &[&a.addr, &b.addr]);

    // One queue through the balancer and through each instance.
    let mut lb = client(&nginx.addr).await;
    let mut submitted = BTreeSet::new();
    for k in 0..20 {
        let s = lb
            .submit_product(submit_request(&format!("CL-{k}")))
            .await
            .unwrap()
            .into_inner();
        submitted.insert(s.id);
    }
    for _ in 0..4 {
        assert_eq!(queue_ids(&mut lb).await, submitted);
    }
    assert_eq!(queue_ids(&mut client(&a.addr).await).await, submitted);
    assert_eq!(queue_ids(&mut client(&b.addr).await).await, submitted);
    // A decision through A makes the same decision through B stale.
    let first = submitted.iter().next().unwrap().clone();
    client(&a.addr)
        .await
        .decide(start_mediation(&first, 1))
        .await
        .unwrap();
    let stale = client(&b.addr)
        .await
        .decide(start_mediation(&first, 1))
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Code::FailedPrecondition, "{stale:?}");

    // Load through the balancer; instance A is killed half way.
    let lb_addr = nginx.addr.clone();
    let stop = Instant::now() + Duration::from_secs(4);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let lb_addr = lb_addr.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = client(&lb_addr).await;
            let mut decided = Vec::new();
            let mut errors = 0usize;
            let mut n = 0;
            while Instant::now() < stop {
                n += 1;
                let Ok(s) = c
                    .submit_product(submit_request(&format!("LB-{w}-{n}")))
                    .await
                else {
                    errors += 1;
                    continue;
                };
                let id = s.into_inner().id;
                match c.decide(start_mediation(&id, 1)).await {
                    Ok(d) => decided.push((id, d.into_inner().version)),
                    Err(_) => errors += 1,
                }
            }
            (decided, errors)
        }));
    }
    tokio::time::sleep(Duration::from_millis(2000)).await;
    Command::new("kill")
        .args(["-KILL", &a.child.id().to_string()])
        .status()
        .unwrap();
    let mut decided = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (d, e) = t.await.unwrap();
        decided.extend(d);
        errors += e;
    }
    assert!(
        decided.len() > 20,
        "only {} decisions ({errors} errors)",
        decided.len()
    );
    // Every acknowledged decision is there, read through the survivor.
    let mut survivor = client(&b.addr).await;
    for (id, version) in &decided {
        let s = survivor
            .get_submission(pb::GetSubmissionRequest {
                submission_id: id.clone(),
            })
            .await
            .unwrap_or_else(|e| panic!("{id} lost: {e:?}"))
            .into_inner();
        assert_eq!(
            (s.status.as_str(), s.version),
            ("under_mediation", *version),
            "{id}"
        );
    }
    // The balancer keeps answering with one instance gone.
    let after = lb
        .submit_product(submit_request("CL-after"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(after.status, "submitted");
    drop(nginx);
    drop(b);
    let verify = Command::new(BIN)
        .args(["audit", "verify", "--db", &url])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    eprintln!(
        "cluster: {} decisions acknowledged through nginx, {errors} calls failed around the kill, {} events",
        decided.len(),
        report["events"]
    );
}
