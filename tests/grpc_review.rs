//! The `finrisk.v1.Review` service end to end: a real `finrisk serve` over loopback with API
//! keys for two institutions, a mediator and a court, on a SQLite file and (when
//! `FINRISK_TEST_POSTGRES` names a server, as `scripts/test.sh` arranges) on PostgreSQL: the
//! whole loop, tenancy, stale versions and disallowed transitions, the event stream, and a
//! server killed mid-load that loses nothing it committed.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::messages::{example, product_pb};
use common::server::{Server, start};
use common::{BIN, scratch};
use finrisk_proto::v1 as pb;
use finrisk_proto::v1::review_client::ReviewClient;
use serde_json::Value;
use sqlx::Executor;
use std::path::PathBuf;
use std::process::Command;
use tokio_stream::StreamExt;
use tonic::transport::Channel;
use tonic::{Code, Request};

/// Review stores to run on: a SQLite file, and a fresh PostgreSQL database when one is given.
async fn stores(name: &str) -> Vec<String> {
    let dir = scratch("grpc-review", name);
    let mut out = vec![dir.join("review.db").to_str().unwrap().to_string()];
    if let Ok(admin) = std::env::var("FINRISK_TEST_POSTGRES") {
        sqlx::any::install_default_drivers();
        let db = format!("grpc_review_{name}_{}", std::process::id());
        let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
        pool.execute(format!("DROP DATABASE IF EXISTS {db}").as_str())
            .await
            .unwrap();
        pool.execute(format!("CREATE DATABASE {db}").as_str())
            .await
            .unwrap();
        pool.close().await;
        let base = admin.rsplit_once('/').unwrap().0;
        out.push(format!("{base}/{db}"));
    }
    out
}

fn keys_config(name: &str) -> PathBuf {
    let dir = scratch("grpc-review-keys", name);
    let hash = |k: &str| {
        String::from_utf8(
            Command::new(BIN)
                .args(["hash-key", k])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
        .trim()
        .to_string()
    };
    let config = format!(
        "[[keys]]\nsha256 = \"{}\"\nrole = \"institution\"\ninstitution_id = \"INST-A\"\nname = \"bank a\"\n\n\
         [[keys]]\nsha256 = \"{}\"\nrole = \"institution\"\ninstitution_id = \"INST-B\"\nname = \"bank b\"\n\n\
         [[keys]]\nsha256 = \"{}\"\nrole = \"mediator\"\nname = \"mediation centre\"\n\n\
         [[keys]]\nsha256 = \"{}\"\nrole = \"court\"\nname = \"internet court\"\n",
        hash("key-a"),
        hash("key-b"),
        hash("key-mediator"),
        hash("key-court")
    );
    let path = dir.join("finrisk.toml");
    std::fs::write(&path, config).unwrap();
    path
}

async fn review_client(server: &Server) -> ReviewClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    ReviewClient::new(channel)
}

fn as_key<T>(key: &str, msg: T) -> Request<T> {
    let mut r = Request::new(msg);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {key}").parse().unwrap());
    r
}

fn product(edit: impl Fn(&mut Value)) -> pb::Product {
    let mut v = example("product.json");
    edit(&mut v);
    product_pb(&v)
}

fn decide(id: &str, decision: &str, version: i64, marks: &[(&str, &str)]) -> pb::DecideRequest {
    pb::DecideRequest {
        submission_id: id.into(),
        decision: decision.into(),
        expected_version: version,
        note: format!("{decision} note"),
        marks: marks
            .iter()
            .map(|(code, mark)| pb::FindingMark {
                code: (*code).into(),
                mark: (*mark).into(),
                note: format!("{code} {mark}"),
            })
            .collect(),
    }
}

fn precondition_subject(status: &tonic::Status) -> Vec<(String, String)> {
    use tonic_types::StatusExt;
    status
        .get_details_precondition_failure()
        .map(|p| {
            p.violations
                .iter()
                .map(|v| (v.r#type.clone(), v.description.clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_over_grpc_with_tenancy_and_stale_versions() {
    let config = keys_config("loop");
    for store in stores("loop").await {
        let server = start(&["--config", config.to_str().unwrap(), "--database", &store]);
        let mut c = review_client(&server).await;
        // Without a key: UNAUTHENTICATED.
        let e = c
            .submit_product(pb::SubmitProductRequest {
                product: Some(product(|_| {})),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::Unauthenticated, "{store}");
        // Bank B cannot submit bank A's product.
        let e = c
            .submit_product(as_key(
                "key-b",
                pb::SubmitProductRequest {
                    product: Some(product(|_| {})),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::PermissionDenied, "{store}: {e:?}");
        let s = c
            .submit_product(as_key(
                "key-a",
                pb::SubmitProductRequest {
                    product: Some(product(|_| {})),
                    note: "first self-check".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let id = s.id.clone();
        assert_eq!((s.status.as_str(), s.version), ("submitted", 1), "{store}");
        // Tenancy: bank B cannot read it, list it or see its events.
        let get = |key: &str| {
            as_key(
                key,
                pb::GetSubmissionRequest {
                    submission_id: id.clone(),
                },
            )
        };
        assert_eq!(
            c.get_submission(get("key-b")).await.unwrap_err().code(),
            Code::PermissionDenied
        );
        assert_eq!(
            c.get_audit_trail(as_key(
                "key-b",
                pb::GetAuditTrailRequest {
                    submission_id: id.clone()
                }
            ))
            .await
            .unwrap_err()
            .code(),
            Code::PermissionDenied
        );
        let all = || pb::ListQueueRequest {
            statuses: vec!["submitted".into()],
            ..Default::default()
        };
        let b_queue = c
            .list_queue(as_key("key-b", all()))
            .await
            .unwrap()
            .into_inner();
        assert!(b_queue.entries.is_empty());
        let a_queue = c
            .list_queue(as_key("key-a", all()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(a_queue.entries.len(), 1);
        // A bank key cannot decide; the mediator's queue holds the submission.
        let e = c
            .decide(as_key("key-a", decide(&id, "start_mediation", 1, &[])))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
        let m_queue = c
            .list_queue(as_key("key-mediator", pb::ListQueueRequest::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(m_queue.entries[0].id, id);
        // A disallowed transition names the status; a stale version names the current one.
        let e = c
            .decide(as_key("key-court", decide(&id, "confirm", 1, &[])))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::FailedPrecondition);
        assert_eq!(
            precondition_subject(&e),
            vec![("STATUS".into(), "the current status is submitted".into())]
        );
        let s = c
            .decide(as_key(
                "key-mediator",
                decide(&id, "start_mediation", 1, &[]),
            ))
            .await
            .unwrap()
            .into_inner();
        let e = c
            .decide(as_key("key-mediator", decide(&id, "return", 1, &[])))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::FailedPrecondition);
        assert_eq!(
            precondition_subject(&e),
            vec![("VERSION".into(), "the current version is 2".into())]
        );
        // Return with a confirmed finding; bank A remedies income checks and resubmits.
        let s = c
            .decide(as_key(
                "key-mediator",
                decide(
                    &id,
                    "return",
                    s.version,
                    &[("RC-INCOME-UNVERIFIED", "confirmed")],
                ),
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(s.status, "returned");
        let s = c
            .submit_product(as_key(
                "key-a",
                pb::SubmitProductRequest {
                    product: Some(product(|p| {
                        p["controls"]["verifies_income"] = Value::Bool(true)
                    })),
                    expected_version: Some(s.version),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!((s.status.as_str(), s.revision), ("resubmitted", 2));
        assert!(
            !s.revisions[1]
                .finding_codes
                .contains(&"RC-INCOME-UNVERIFIED".to_string())
        );
        let mut v = s.version;
        for (key, d) in [
            ("key-mediator", "start_mediation"),
            ("key-mediator", "forward"),
            ("key-court", "start_court_review"),
        ] {
            v = c
                .decide(as_key(key, decide(&id, d, v, &[])))
                .await
                .unwrap()
                .into_inner()
                .version;
        }
        let s = c
            .decide(as_key(
                "key-court",
                decide(&id, "issue_suggestion", v, &[("RC-ELDERLY", "disputed")]),
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(s.status, "suggestion_issued");
        assert!(s.suggested_codes.contains(&"MK-NO-APR".to_string()));
        assert!(!s.suggested_codes.contains(&"RC-ELDERLY".to_string()));
        // Remedy: the ad now states the APR and a warning; the court confirms.
        let s = c
            .submit_product(as_key(
                "key-a",
                pb::SubmitProductRequest {
                    product: Some(product(|p| {
                        p["controls"]["verifies_income"] = Value::Bool(true);
                        p["marketing"][0]["text"] = Value::String(
                            "年化利率(单利)7.2%至18%。贷款有风险，借款需谨慎。".into(),
                        );
                    })),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let v = c
            .decide(as_key(
                "key-court",
                decide(&id, "start_court_review", s.version, &[]),
            ))
            .await
            .unwrap()
            .into_inner()
            .version;
        let s = c
            .decide(as_key(
                "key-court",
                decide(&id, "confirm", v, &[("MK-NO-APR", "remedied")]),
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (s.status.as_str(), s.revision, s.version),
            ("confirmed", 3, 11)
        );
        assert!(s.revisions[2].overall < s.revisions[0].overall);
        // A dispute case: the court submits it attached to the product's submission; bank B
        // cannot submit bank A's case; bank A can.
        let case = common::messages::case_pb(&example("case.json"));
        let e = c
            .submit_case(as_key(
                "key-b",
                pb::SubmitCaseRequest {
                    case: Some(case.clone()),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
        let e = c
            .submit_case(as_key(
                "key-mediator",
                pb::SubmitCaseRequest {
                    case: Some(case.clone()),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::PermissionDenied, "{e:?}");
        let filed = c
            .submit_case(as_key(
                "key-court",
                pb::SubmitCaseRequest {
                    case: Some(case.clone()),
                    attach_to: id.clone(),
                    note: "filed 2024-05-10".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (
                filed.kind.as_str(),
                filed.parent_id.as_str(),
                filed.institution_id.as_str()
            ),
            ("case", id.as_str(), "INST-A")
        );
        assert!(
            filed.revisions[0]
                .finding_codes
                .contains(&"RC-STUDENT".to_string())
        );
        let e = c
            .submit_case(as_key(
                "key-court",
                pb::SubmitCaseRequest {
                    case: Some(case),
                    attach_to: "SUB-999".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{e:?}");
        // The trail names the keys; the report is the CLI's page.
        let trail = c
            .get_audit_trail(as_key(
                "key-a",
                pb::GetAuditTrailRequest {
                    submission_id: id.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .events;
        assert_eq!(trail.len(), 11);
        assert_eq!(trail[0].actor, "bank a");
        assert_eq!(trail[1].actor, "mediation centre");
        assert_eq!(trail[10].actor, "internet court");
        let report = c
            .get_diagnostic_report(get("key-a"))
            .await
            .unwrap()
            .into_inner();
        assert!(report.html.contains("Absent from revision 3"));
        drop(server);
        let verify = Command::new(BIN)
            .args(["audit", "verify", "--db", &store])
            .output()
            .unwrap();
        assert_eq!(
            verify.status.code(),
            Some(0),
            "{store}: {}",
            String::from_utf8_lossy(&verify.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_queue_streams_new_events_to_those_who_may_see_them() {
    let config = keys_config("watch");
    for store in stores("watch").await {
        let server = start(&["--config", config.to_str().unwrap(), "--database", &store]);
        let mut c = review_client(&server).await;
        let mut mediator_stream = c
            .watch_queue(as_key(
                "key-mediator",
                pb::WatchQueueRequest { after_seq: 0 },
            ))
            .await
            .unwrap()
            .into_inner();
        let mut b_stream = c
            .watch_queue(as_key("key-b", pb::WatchQueueRequest { after_seq: 0 }))
            .await
            .unwrap()
            .into_inner();
        let s = c
            .submit_product(as_key(
                "key-a",
                pb::SubmitProductRequest {
                    product: Some(product(|_| {})),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        c.decide(as_key(
            "key-mediator",
            decide(&s.id, "start_mediation", 1, &[]),
        ))
        .await
        .unwrap();
        let first =
            tokio::time::timeout(std::time::Duration::from_secs(10), mediator_stream.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
        let second =
            tokio::time::timeout(std::time::Duration::from_secs(10), mediator_stream.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
        assert_eq!((first.seq, first.action.as_str()), (1, "submit"), "{store}");
        assert_eq!((second.seq, second.action.as_str()), (2, "start_mediation"));
        assert_eq!(second.prev_hash, first.hash);
        // Bank B sees nothing of bank A's.
        let nothing =
            tokio::time::timeout(std::time::Duration::from_millis(800), b_stream.next()).await;
        assert!(nothing.is_err(), "bank B received {nothing:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_load_loses_nothing_it_committed() {
    for store in stores("kill").await {
        let server = start(&["--database", &store]);
        let addr = server.addr.clone();
        // Eight clients submit products as fast as they can; each keeps what was acknowledged.
        let mut tasks = Vec::new();
        for client in 0..8 {
            let addr = addr.clone();
            tasks.push(tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                let Ok(channel) = Channel::from_shared(format!("http://{addr}"))
                    .unwrap()
                    .connect()
                    .await
                else {
                    return acknowledged;
                };
                let mut c = ReviewClient::new(channel);
                for n in 0.. {
                    let product_id = format!("P-{client}-{n}");
                    let p = product(|p| p["product_id"] = Value::String(product_id.clone()));
                    match c
                        .submit_product(pb::SubmitProductRequest {
                            product: Some(p),
                            ..Default::default()
                        })
                        .await
                    {
                        Ok(r) => acknowledged.push((product_id, r.into_inner().id)),
                        Err(_) => break, // the server is gone
                    }
                }
                acknowledged
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        // SIGKILL: no shutdown, no flush beyond what each commit already made durable.
        Command::new("kill")
            .args(["-KILL", &server.child.id().to_string()])
            .status()
            .unwrap();
        let mut acknowledged = Vec::new();
        for t in tasks {
            acknowledged.extend(t.await.unwrap());
        }
        assert!(
            acknowledged.len() > 8,
            "{store}: only {} submissions before the kill",
            acknowledged.len()
        );
        drop(server);
        // Restarted on the same store: every acknowledged submission is there, the chain holds.
        let server = start(&["--database", &store]);
        let mut c = review_client(&server).await;
        for (product_id, id) in &acknowledged {
            let s = c
                .get_submission(pb::GetSubmissionRequest {
                    submission_id: id.clone(),
                })
                .await
                .unwrap_or_else(|e| panic!("{store}: {id} ({product_id}) lost: {e:?}"))
                .into_inner();
            assert_eq!(&s.subject_id, product_id);
        }
        drop(server);
        let verify = Command::new(BIN)
            .args(["audit", "verify", "--db", &store])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&verify.stdout).unwrap();
        assert_eq!(report["ok"], true, "{store}: {report}");
        assert!(report["events"].as_i64().unwrap() >= i64::try_from(acknowledged.len()).unwrap());
    }
}

#[test]
fn the_review_load_test_checks_every_acknowledged_event() {
    let config = keys_config("load");
    let store = scratch("grpc-review", "load").join("review.db");
    let server = start(&[
        "--config",
        config.to_str().unwrap(),
        "--database",
        store.to_str().unwrap(),
    ]);
    let out = Command::new(BIN)
        .args([
            "load-test",
            "--addr",
            &format!("http://{}", server.addr),
            "--rpc",
            "review",
            "--in-flight",
            "6",
            "--seconds",
            "1",
            "--api-key",
            "key-a",
            "--mediator-key",
            "key-mediator",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let level = &report["results"][0];
    assert_eq!(level["errors"], 0, "{level}");
    let verified = &level["verified"];
    assert!(verified["submissions"].as_u64().unwrap() > 6, "{verified}");
    assert_eq!(
        verified["events_stored"], verified["events_acknowledged"],
        "{verified}"
    );
    assert_eq!(
        (verified["lost"].as_u64(), verified["extra"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn serve_takes_its_store_from_the_config_file_and_the_environment() {
    let dir = scratch("grpc-review", "config-store");
    let from_config = dir.join("from-config.db");
    let from_env = dir.join("from-env.db");
    let config = dir.join("finrisk.toml");
    std::fs::write(
        &config,
        format!("[database]\nurl = \"{}\"\n", from_config.display()),
    )
    .unwrap();
    let first_line = |env: Option<&std::path::Path>| {
        let mut cmd = Command::new(BIN);
        cmd.args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--config",
            config.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
        if let Some(path) = env {
            cmd.env("FINRISK_DATABASE", path);
        }
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stderr.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        line
    };
    let line = first_line(None);
    assert!(
        line.contains(&format!("review store {}", from_config.display())),
        "{line}"
    );
    assert!(
        from_config.exists(),
        "the store is created and migrated at start"
    );
    let line = first_line(Some(&from_env));
    assert!(
        line.contains(&format!("review store {}", from_env.display())),
        "{line}"
    );
    assert!(from_env.exists());
}
