//! The gRPC service end to end: a real `finrisk serve` process on a loopback port, a tonic
//! client, every RPC, every error code, stream order and back-pressure, tenant isolation,
//! metrics and graceful shutdown.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

use finrisk_proto::v1 as pb;
use finrisk_proto::v1::risk_assessment_client::RiskAssessmentClient;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tonic::transport::Channel;
use tonic::{Code, Request};
use tonic_types::StatusExt;

mod common;

use common::BIN;
use common::messages::{case_pb, example, product_pb};
use common::server::{client, start, start_logging};

fn cli_json(args: &[&str]) -> Value {
    common::json(args)
}

fn grant(id: &str, product: &str, term: i64) -> pb::Grant {
    pb::Grant {
        grant_id: id.into(),
        institution_id: "INST-A".into(),
        product_id: product.into(),
        borrower_key: format!("b-{id}"),
        granted_at: "2024-03-01".into(),
        principal_minor: 500_000,
        term_months: term,
        apr: 0.2,
        monthly_income_minor: Some(300_000),
        income_verified: Some(false),
        active_lenders: Some(5),
        ..pb::Grant::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_every_unary_rpc_match_the_cli() {
    let server = start(&[]);
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "finrisk.v1.RiskAssessment".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        status.into_inner().status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    let mut c = client(&server).await;
    // ComputeApr = finrisk apr
    let apr = c
        .compute_apr(pb::ComputeAprRequest {
            principal_minor: 1_000_000,
            term_months: 12,
            repayment: pb::Repayment::EqualInstallment as i32,
            monthly_fee_rate: 0.008,
            include_result_json: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(format!("{:.6}", apr.apr_nominal), "0.172708");
    assert_eq!(apr.schedule.len(), 12);
    let cli = cli_json(&[
        "apr",
        "--principal-minor",
        "1000000",
        "--term-months",
        "12",
        "--repayment",
        "equal_installment",
        "--monthly-fee-rate",
        "0.008",
    ]);
    assert_eq!(
        serde_json::from_str::<Value>(&apr.result_json).unwrap(),
        cli
    );

    // ScoreCase = finrisk score-case
    let case = example("case.json");
    let scored = c
        .score_case(pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(case_pb(&case)),
        })
        .await
        .unwrap()
        .into_inner();
    let cli = cli_json(&[
        "score-case",
        "--case",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/case.json"),
    ]);
    assert_eq!(
        serde_json::from_str::<Value>(&scored.result_json).unwrap(),
        cli
    );
    assert_eq!(scored.case_id, "2024-0192-1234");
    let a = scored.assessment.unwrap();
    assert_eq!(a.grade, cli["grade"].as_str().unwrap());
    assert!(a.findings.iter().any(|f| f.code == "DC-REPEAT-DEFENDANT"));

    // AssessProduct = finrisk assess-product
    let product = example("product.json");
    let assessed = c
        .assess_product(pb::AssessProductRequest {
            product: Some(product_pb(&product)),
            include_result_json: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let cli = cli_json(&[
        "assess-product",
        "--product",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/product.json"),
    ]);
    assert_eq!(
        serde_json::from_str::<Value>(&assessed.result_json).unwrap(),
        cli
    );

    // CheckAd
    let ad = c
        .check_ad(pb::CheckAdRequest {
            include_result_json: true,
            text: "日息低至0.02%，不看征信，大学生专享".into(),
            product: None,
            jurisdiction: pb::Jurisdiction::Unspecified as i32,
        })
        .await
        .unwrap()
        .into_inner();
    let codes: Vec<String> = ad
        .assessment
        .unwrap()
        .findings
        .into_iter()
        .map(|f| f.code)
        .collect();
    for code in [
        "MK-NO-APR",
        "MK-PERIODIC-RATE",
        "MK-INDUCEMENT",
        "MK-VULNERABLE-TARGET",
        "MK-NO-RISK-WARNING",
    ] {
        assert!(codes.contains(&code.to_string()), "{code} in {codes:?}");
    }
    let with_product = c
        .check_ad(pb::CheckAdRequest {
            include_result_json: true,
            text: "3期免息".into(),
            product: Some(product_pb(&product)),
            jurisdiction: pb::Jurisdiction::Unspecified as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        with_product
            .assessment
            .unwrap()
            .findings
            .iter()
            .any(|f| f.code == "MK-FALSE-FREE")
    );
    // An English ad under US rules cites the US basis, with the parsed price as evidence.
    let us = c
        .check_ad(pb::CheckAdRequest {
            include_result_json: true,
            text: "Just $15 per $100 borrowed, cash today".into(),
            product: None,
            jurisdiction: pb::Jurisdiction::Us as i32,
        })
        .await
        .unwrap()
        .into_inner();
    let no_apr = us
        .assessment
        .unwrap()
        .findings
        .into_iter()
        .find(|f| f.code == "MK-NO-APR")
        .expect("MK-NO-APR");
    assert!(no_apr.basis.contains("Reg Z"), "{}", no_apr.basis);
    assert!(no_apr.evidence_json.contains("$15 per $100 borrowed"));
    // A jurisdiction that contradicts the product's is refused, naming the field.
    let e = c
        .check_ad(pb::CheckAdRequest {
            include_result_json: true,
            text: "3期免息".into(),
            product: Some(product_pb(&product)),
            jurisdiction: pb::Jurisdiction::Uk as i32,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    assert!(e.message().contains("jurisdiction"), "{}", e.message());

    // GetRuleset, ListModels, GetMetrics
    let rules = c
        .get_ruleset(pb::GetRulesetRequest {
            jurisdiction: pb::Jurisdiction::Cn as i32,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rules.version, "cn-2026.11.0");
    assert!(rules.toml.contains("[[lpr]]"));
    let models = c
        .list_models(pb::ListModelsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(models.models.len(), 2);
    assert_eq!(models.models[0].name, "pd_lending_club_grants");
    assert!(models.models[0].description.contains("CV AUC 0.68"));
    assert_eq!(models.models[1].name, "ad_text");
    assert!(models.models[1].version.starts_with("finrisk-ad-text-2"));
    let metrics = c
        .get_metrics(pb::GetMetricsRequest {})
        .await
        .unwrap()
        .into_inner();
    let score = metrics
        .methods
        .iter()
        .find(|m| m.method == "ScoreCase")
        .unwrap();
    assert_eq!((score.requests, score.errors), (1, 0));
    assert_eq!(score.bucket_counts.iter().sum::<u64>(), 1);
    assert_eq!(
        score.in_flight, 0,
        "an answered call is no longer in flight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_names_fields_as_the_cli_does() {
    let server = start(&[]);
    let mut c = client(&server).await;
    let mut case = case_pb(&example("case.json"));
    case.contract.as_mut().unwrap().term_months = 0;
    case.defendant.as_mut().unwrap().borrower_key = "13812345678".into();
    let status = c
        .score_case(pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(case),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let bad = status
        .get_details_bad_request()
        .expect("BadRequest details");
    let fields: Vec<&str> = bad
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(
        fields,
        vec!["defendant.borrower_key", "contract.term_months"]
    );
    assert!(
        bad.field_violations[1]
            .description
            .contains("between 1 and 360")
    );

    let mut case = case_pb(&example("case.json"));
    case.cause = 0;
    case.filed_at = "2024-02-30".into();
    let status = c
        .score_case(pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(case),
        })
        .await
        .unwrap_err();
    let fields: Vec<String> = status
        .get_details_bad_request()
        .unwrap()
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, vec!["cause", "filed_at"]);

    let mut product = product_pb(&example("product.json"));
    product.pricing.as_mut().unwrap().monthly_fee_rate = f64::NAN;
    let status = c
        .assess_product(pb::AssessProductRequest {
            include_result_json: true,
            product: Some(product_pb(&example("product.json"))),
            grants: vec![grant("G1", "P-001", 12), grant("G2", "P-001", 0)],
            as_of: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        status.get_details_bad_request().unwrap().field_violations[0].field,
        "grants[1].term_months"
    );
    let status = c
        .assess_product(pb::AssessProductRequest {
            product: Some(product),
            include_result_json: true,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        status.get_details_bad_request().unwrap().field_violations[0].field,
        "pricing.monthly_fee_rate"
    );
    let status = c
        .compute_apr(pb::ComputeAprRequest {
            principal_minor: 100,
            term_months: 12,
            include_result_json: true,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        status.get_details_bad_request().unwrap().field_violations[0].field,
        "repayment"
    );
    let status = c
        .score_case(pb::ScoreCaseRequest {
            include_result_json: true,
            case: None,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portfolio_stream_equals_one_request_with_all_grants() {
    let server = start(&[]);
    let mut c = client(&server).await;
    let product = product_pb(&example("product.json"));
    // Thirty borrowers through one shop terminal: a hub, measured over the whole stream
    // (no message holds more than four of them).
    let grants: Vec<pb::Grant> = (0..30)
        .map(|k| pb::Grant {
            device_hash: Some("shop-terminal".into()),
            ..grant(&format!("G{k}"), "P-001", 12)
        })
        .collect();
    let whole = c
        .assess_product(pb::AssessProductRequest {
            include_result_json: true,
            product: Some(product.clone()),
            grants: grants.clone(),
            as_of: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut messages = vec![pb::AssessPortfolioRequest {
        include_result_json: true,
        product: Some(product),
        as_of: String::new(),
        grants: vec![],
    }];
    for chunk in grants.chunks(4) {
        messages.push(pb::AssessPortfolioRequest {
            include_result_json: true,
            product: None,
            as_of: String::new(),
            grants: chunk.to_vec(),
        });
    }
    let streamed = c
        .assess_portfolio(tokio_stream::iter(messages))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(streamed.result_json, whole.result_json);
    let v: Value = serde_json::from_str(&streamed.result_json).unwrap();
    assert_eq!(v["portfolio"]["grants"], 30);
    let counts = &v["portfolio"]["code_counts"];
    assert_eq!(counts["DC-IDENTIFIER-HUB"], 30, "{counts}");
    assert!(counts.get("DC-SHARED-IDENTITY").is_none(), "{counts}");
    // The server's default PD model scored the loan book.
    assert_eq!(v["portfolio"]["pd"]["model"], "pd_lending_club_grants@1");
    let mean_pd = v["portfolio"]["pd"]["mean_pd"].as_f64().unwrap();
    assert!(mean_pd > 0.0 && mean_pd < 1.0, "{mean_pd}");
    // The product must come first.
    let status = c
        .assess_portfolio(tokio_stream::iter(vec![pb::AssessPortfolioRequest {
            include_result_json: true,
            product: None,
            as_of: String::new(),
            grants: vec![grant("G", "P-001", 12)],
        }]))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn score_cases_answers_in_order_with_back_pressure() {
    let server = start(&[]);
    let mut c = client(&server).await;
    let base = case_pb(&example("case.json"));
    let (tx, rx) = tokio::sync::mpsc::channel::<pb::ScoreCaseRequest>(16);
    let mut responses = c
        .score_cases(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    let total = 2_000;
    let sender = tokio::spawn(async move {
        for k in 0..total {
            let mut case = base.clone();
            case.case_id = format!("C-{k:04}");
            if tx
                .send(pb::ScoreCaseRequest {
                    include_result_json: true,
                    case: Some(case),
                })
                .await
                .is_err()
            {
                break;
            }
        }
    });
    // Nobody reads the responses: once the flow-control windows are full (about 2 MB of
    // answers), the server must stop scoring instead of buffering without bound.
    let mut probe = client(&server).await;
    let processed = |m: pb::GetMetricsResponse| {
        m.methods
            .iter()
            .find(|m| m.method == "ScoreCases")
            .map_or(0, |m| m.requests)
    };
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let first = processed(
        probe
            .get_metrics(pb::GetMetricsRequest {})
            .await
            .unwrap()
            .into_inner(),
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let second = processed(
        probe
            .get_metrics(pb::GetMetricsRequest {})
            .await
            .unwrap()
            .into_inner(),
    );
    assert_eq!(first, second, "the server kept scoring with nobody reading");
    assert!(
        second < total as u64 / 2,
        "the server scored {second} of {total} cases with nobody reading"
    );
    let mut ids = Vec::new();
    while let Some(r) = responses.message().await.unwrap() {
        ids.push(r.case_id);
    }
    sender.await.unwrap();
    let expected: Vec<String> = (0..total).map(|k| format!("C-{k:04}")).collect();
    assert_eq!(ids, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_give_resource_exhausted() {
    let server = start(&["--max-message-bytes", "4096", "--max-stream-items", "3"]);
    let mut c = client(&server).await;
    let mut product = product_pb(&example("product.json"));
    product.marketing[0].text = "贷款有风险".repeat(400);
    let status = c
        .assess_product(pb::AssessProductRequest {
            product: Some(product),
            include_result_json: true,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    let product = product_pb(&example("product.json"));
    let grants: Vec<pb::Grant> = (0..4)
        .map(|k| grant(&format!("G{k}"), "P-001", 12))
        .collect();
    let status = c
        .assess_product(pb::AssessProductRequest {
            include_result_json: true,
            product: Some(product.clone()),
            grants: grants.clone(),
            as_of: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    let messages = vec![
        pb::AssessPortfolioRequest {
            include_result_json: true,
            product: Some(product),
            as_of: String::new(),
            grants: vec![],
        },
        pb::AssessPortfolioRequest {
            include_result_json: true,
            product: None,
            as_of: String::new(),
            grants: grants[..2].to_vec(),
        },
        pb::AssessPortfolioRequest {
            include_result_json: true,
            product: None,
            as_of: String::new(),
            grants: grants[2..].to_vec(),
        },
    ];
    assert_eq!(
        c.assess_portfolio(tokio_stream::iter(messages))
            .await
            .unwrap_err()
            .code(),
        Code::ResourceExhausted
    );
    let cases: Vec<pb::ScoreCaseRequest> = (0..4)
        .map(|_| pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(case_pb(&example("case.json"))),
        })
        .collect();
    let mut stream = c
        .score_cases(tokio_stream::iter(cases))
        .await
        .unwrap()
        .into_inner();
    let mut ok = 0;
    let err = loop {
        match stream.message().await {
            Ok(Some(_)) => ok += 1,
            Ok(None) => panic!("the 4th case should be refused"),
            Err(e) => break e,
        }
    };
    assert_eq!((ok, err.code()), (3, Code::ResourceExhausted));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_are_honoured() {
    let server = start(&[]);
    let mut c = client(&server).await;
    let grants: Vec<pb::Grant> = (0..50_000)
        .map(|k| grant(&format!("G{k}"), "P-001", 12))
        .collect();
    let mut request = Request::new(pb::AssessProductRequest {
        include_result_json: true,
        product: Some(product_pb(&example("product.json"))),
        grants,
        as_of: String::new(),
    });
    request.set_timeout(Duration::from_millis(5));
    let status = c.assess_product(request).await.unwrap_err();
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
    // The server is still there.
    assert!(c.list_models(pb::ListModelsRequest {}).await.is_ok());
}

fn write_keys_config() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("finrisk-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
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
        "[server]\nmax_stream_items = 1000\n\n[[keys]]\nsha256 = \"{}\"\nrole = \"institution\"\ninstitution_id = \"INST-A\"\nname = \"bank a\"\n\n[[keys]]\nsha256 = \"{}\"\nrole = \"institution\"\ninstitution_id = \"INST-B\"\n\n[[keys]]\nsha256 = \"{}\"\nrole = \"court\"\n",
        hash("key-a"),
        hash("key-b"),
        hash("key-court")
    );
    let path = dir.join("finrisk.toml");
    std::fs::write(&path, config).unwrap();
    path
}

fn with_key<T>(msg: T, key: &str) -> Request<T> {
    let mut r = Request::new(msg);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {key}").parse().unwrap());
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_isolated() {
    let config = write_keys_config();
    let server = start(&["--config", config.to_str().unwrap()]);
    let mut c = client(&server).await;
    let product = product_pb(&example("product.json")); // INST-A
    let case = case_pb(&example("case.json")); // plaintiff INST-A
    let req = || pb::AssessProductRequest {
        product: Some(product.clone()),
        include_result_json: true,
        ..Default::default()
    };
    assert_eq!(
        c.assess_product(req()).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    assert_eq!(
        c.assess_product(with_key(req(), "wrong"))
            .await
            .unwrap_err()
            .code(),
        Code::Unauthenticated
    );
    assert_eq!(
        c.assess_product(with_key(req(), "key-b"))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
    );
    assert!(c.assess_product(with_key(req(), "key-a")).await.is_ok());
    assert!(c.assess_product(with_key(req(), "key-court")).await.is_ok());
    let case_req = || pb::ScoreCaseRequest {
        include_result_json: true,
        case: Some(case.clone()),
    };
    assert_eq!(
        c.score_case(with_key(case_req(), "key-b"))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
    );
    assert!(c.score_case(with_key(case_req(), "key-a")).await.is_ok());
    assert!(
        c.score_case(with_key(case_req(), "key-court"))
            .await
            .is_ok()
    );
    let stream = tokio_stream::iter(vec![case_req()]);
    let mut responses = c
        .score_cases(with_key(stream, "key-b"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        responses.message().await.unwrap_err().code(),
        Code::PermissionDenied
    );
    let ad = pb::CheckAdRequest {
        include_result_json: true,
        jurisdiction: 0,
        text: "3期免息".into(),
        product: Some(product.clone()),
    };
    assert_eq!(
        c.check_ad(with_key(ad, "key-b")).await.unwrap_err().code(),
        Code::PermissionDenied
    );
    let docket = || pb::GetDocketReportRequest {
        cases: vec![case.clone()],
    };
    assert_eq!(
        c.get_docket_report(with_key(docket(), "key-b"))
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
    );
    assert!(
        c.get_docket_report(with_key(docket(), "key-court"))
            .await
            .is_ok()
    );
    // Health stays open for probes.
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    assert!(
        health
            .check(tonic_health::pb::HealthCheckRequest {
                service: String::new()
            })
            .await
            .is_ok()
    );
}

#[test]
fn without_keys_the_server_refuses_a_non_loopback_address() {
    let out = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("addr: 0.0.0.0:0 is not a loopback address"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_calls_finish() {
    let mut server = start(&[]);
    let mut c = client(&server).await;
    let grants: Vec<pb::Grant> = (0..60_000)
        .map(|k| grant(&format!("G{k}"), "P-001", 12))
        .collect();
    let call = tokio::spawn(async move {
        c.assess_product(pb::AssessProductRequest {
            include_result_json: true,
            product: Some(product_pb(&example("product.json"))),
            grants,
            as_of: String::new(),
        })
        .await
    });
    // SIGTERM only once the server is handling the call: a stream the server has not yet seen
    // is refused by its GOAWAY, which is right, but is not what this test is about.
    wait_for_in_flight(&server, "AssessProduct", 1, std::slice::from_ref(&call)).await;
    server.terminate();
    let result = call.await.unwrap();
    assert!(
        result.is_ok(),
        "the in-flight call was cut: {:?}",
        result.err()
    );
    expect_clean_exit(&mut server);
}

/// Polls `GetMetrics` on a connection of its own until `n` calls of `method` are in flight;
/// fails if one of `calls` ends first, or after two minutes.
async fn wait_for_in_flight<T>(
    server: &common::server::Server,
    method: &str,
    n: u64,
    calls: &[tokio::task::JoinHandle<T>],
) {
    let mut watcher = client(server).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let metrics = watcher
            .get_metrics(pb::GetMetricsRequest {})
            .await
            .unwrap()
            .into_inner();
        let in_flight = metrics
            .methods
            .iter()
            .find(|m| m.method == method)
            .map_or(0, |m| m.in_flight);
        if in_flight == n {
            return;
        }
        assert!(
            calls.iter().all(|c| !c.is_finished()),
            "a call ended before {n} {method} calls were in flight"
        );
        assert!(
            Instant::now() < deadline,
            "the server never had {n} {method} calls in flight"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The example case scored over `c`.
async fn score_example_case(c: &mut RiskAssessmentClient<Channel>) -> pb::ScoreCaseResponse {
    c.score_case(pb::ScoreCaseRequest {
        case: Some(case_pb(&example("case.json"))),
        include_result_json: false,
    })
    .await
    .unwrap()
    .into_inner()
}

/// Waits for a terminated server to exit and checks it exited 0.
fn expect_clean_exit(server: &mut common::server::Server) {
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    server.addr.clear();
}

/// With three server threads (connections dealt to each in turn; the dealing itself is unit
/// tested in `src/server/mod.rs`), every connection's answers match a one-thread server's, and a
/// SIGTERM lets the calls in flight on all three threads finish before the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_server_thread_serves_and_finishes_its_calls_on_sigterm() {
    let one = start(&["--threads", "1"]);
    let expected = score_example_case(&mut client(&one).await).await;

    let mut server = start(&["--threads", "3"]);
    // Connections 1 to 3 land on threads 1 to 3; the watcher's is the fourth (thread 1 again).
    let mut calls = Vec::new();
    for k in 0..3 {
        let mut c = client(&server).await;
        assert_eq!(score_example_case(&mut c).await, expected, "connection {k}");
        let grants: Vec<pb::Grant> = (0..40_000)
            .map(|g| grant(&format!("G{g}"), "P-001", 12))
            .collect();
        calls.push(tokio::spawn(async move {
            c.assess_product(pb::AssessProductRequest {
                include_result_json: false,
                product: Some(product_pb(&example("product.json"))),
                grants,
                as_of: String::new(),
            })
            .await
        }));
    }
    wait_for_in_flight(&server, "AssessProduct", 3, &calls).await;
    server.terminate();
    let mut answers = Vec::new();
    for (k, call) in calls.into_iter().enumerate() {
        let answer = call.await.unwrap();
        let answer = answer.unwrap_or_else(|e| panic!("call {k} was cut: {e:?}"));
        answers.push(answer.into_inner());
    }
    assert!(answers[0].assessment.is_some());
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "the same product and grants were assessed differently on different threads"
    );
    expect_clean_exit(&mut server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_from_cert_and_key_files() {
    let dir = std::env::temp_dir().join(format!("finrisk-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key, ca) = (
        dir.join("cert.pem"),
        dir.join("key.pem"),
        dir.join("ca.pem"),
    );
    let ext = dir.join("ext.cnf");
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .current_dir(&dir)
            .args(args)
            .output()
            .expect("openssl makes the test certificates");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // A test CA, and a server certificate for localhost signed by it.
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=finrisk test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "key.pem",
        "-out",
        "server.csr",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
        "-out",
        "cert.pem",
    ]);
    let server = start(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    let pem = std::fs::read(&ca).unwrap();
    let tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(pem))
        .domain_name("localhost");
    let channel = Channel::from_shared(format!("https://localhost:{port}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut c = RiskAssessmentClient::new(channel);
    let r = c
        .compute_apr(pb::ComputeAprRequest {
            principal_minor: 1_000_000,
            term_months: 12,
            repayment: pb::Repayment::EqualInstallment as i32,
            monthly_fee_rate: 0.008,
            include_result_json: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(format!("{:.6}", r.into_inner().apr_nominal), "0.172708");
    // Plaintext to a TLS port fails.
    let plain = Channel::from_shared(format!("http://127.0.0.1:{port}"))
        .unwrap()
        .connect()
        .await;
    if let Ok(ch) = plain {
        assert!(
            RiskAssessmentClient::new(ch)
                .list_models(pb::ListModelsRequest {})
                .await
                .is_err()
        );
    }
}

/// The first stderr line of a server started with `args` and `env`, then the server is stopped.
fn startup_line(args: &[&str], env: &[(&str, &str)]) -> String {
    let store = common::scratch(
        "finrisk-startup",
        &format!("{:?}", std::thread::current().id()),
    )
    .join("review.db");
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .env("FINRISK_DATABASE", &store)
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let line = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    line
}

#[test]
fn settings_follow_file_then_env_then_flags() {
    let dir = std::env::temp_dir().join(format!("finrisk-precedence-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("finrisk.toml");
    std::fs::write(
        &config,
        "[server]\nmax_stream_items = 1000\nmax_message_bytes = 65536\nmax_concurrent_streams = 64\nthreads = 3\n",
    )
    .unwrap();
    let c = config.to_str().unwrap();
    let file_only = startup_line(&["--config", c], &[]);
    assert!(
        file_only.contains("max stream items 1000")
            && file_only.contains("max message 65536 bytes")
            && file_only.contains("max concurrent streams 64")
            && file_only.contains("3 server threads"),
        "{file_only}"
    );
    let threads_env = startup_line(&["--config", c], &[("FINRISK_THREADS", "2")]);
    assert!(threads_env.contains("2 server threads"), "{threads_env}");
    let threads_flag = startup_line(
        &["--config", c, "--threads", "1"],
        &[("FINRISK_THREADS", "2")],
    );
    assert!(threads_flag.contains("1 server threads"), "{threads_flag}");
    for bad_threads in ["0", "100000"] {
        let out = Command::new(BIN)
            .args(["serve", "--threads", bad_threads])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--threads {bad_threads}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("finrisk: threads: must be between 1 and"),
            "{stderr}"
        );
    }
    let env_wins = startup_line(&["--config", c], &[("FINRISK_MAX_STREAM_ITEMS", "5")]);
    assert!(
        env_wins.contains("max stream items 5") && env_wins.contains("max message 65536 bytes"),
        "{env_wins}"
    );
    let flag_wins = startup_line(
        &["--config", c, "--max-stream-items", "7"],
        &[("FINRISK_MAX_STREAM_ITEMS", "5")],
    );
    assert!(flag_wins.contains("max stream items 7"), "{flag_wins}");
    let streams_flag = startup_line(
        &["--config", c, "--max-concurrent-streams", "9"],
        &[("FINRISK_MAX_CONCURRENT_STREAMS", "8")],
    );
    assert!(
        streams_flag.contains("max concurrent streams 9"),
        "{streams_flag}"
    );
    let zero = Command::new(BIN)
        .args(["serve", "--max-concurrent-streams", "0"])
        .output()
        .unwrap();
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("max_concurrent_streams"));
    let bad = Command::new(BIN)
        .args(["serve", "--config", c])
        .env("FINRISK_MAX_STREAM_ITEMS", "many")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("FINRISK_MAX_STREAM_ITEMS"));
}

#[test]
fn load_test_drives_health_and_score_case_without_errors() {
    let server = start(&[]);
    let out = Command::new(BIN)
        .args([
            "load-test",
            "--addr",
            &format!("http://{}", server.addr),
            "--in-flight",
            "1,8",
            "--connections",
            "3",
            "--threads",
            "2",
            "--seconds",
            "0.5",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        assert_eq!(r["errors"], 0, "{r}");
        assert_eq!(r["connections"], 3, "{r}");
        assert_eq!(r["threads"], 2, "{r}");
        assert!(r["requests"].as_u64().unwrap() > 0, "{r}");
        assert!(r["p99_ms"].as_f64().unwrap() >= r["p50_ms"].as_f64().unwrap());
    }
    assert_eq!(results[0]["rpc"], "health");
    assert_eq!(results[3]["rpc"], "score_case");
    assert_eq!(results[3]["in_flight"], 8);
    // A server that is not there is a clear error.
    let out = Command::new(BIN)
        .args([
            "load-test",
            "--addr",
            "http://127.0.0.1:1",
            "--seconds",
            "0.1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("addr"));
    // More threads than connections: one loop per connection, each connection's calls on it.
    let out = Command::new(BIN)
        .args([
            "load-test",
            "--addr",
            &format!("http://{}", server.addr),
            "--rpc",
            "score-case",
            "--in-flight",
            "4",
            "--connections",
            "1",
            "--threads",
            "8",
            "--seconds",
            "0.3",
        ])
        .output()
        .unwrap();
    let v = common::json_of(&out);
    assert_eq!(v["results"][0]["threads"], 1);
    assert_eq!(v["results"][0]["errors"], 0);
    // Out of range: the field and the reason, exit 2.
    let addr = format!("http://{}", server.addr);
    // It speaks plaintext HTTP/2 only: another scheme is refused before any connection.
    let https = format!("https://{}", server.addr);
    common::assert_bad_input(
        &common::run(&["load-test", "--addr", &https, "--seconds", "0.1"]),
        "addr: `https://",
    );
    for threads in ["0", "65"] {
        let out = common::run(&["load-test", "--addr", &addr, "--threads", threads]);
        common::assert_bad_input(&out, "threads: must be between 1 and 64");
    }
}

#[test]
fn load_test_writes_the_bodies_it_sends_for_h2load() {
    use prost::Message;
    let dir = std::env::temp_dir().join(format!("finrisk-bodies-{}", std::process::id()));
    let out = Command::new(BIN)
        .args(["load-test", "--write-bodies", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frame = std::fs::read(dir.join("score_case.grpc")).unwrap();
    // A gRPC frame: no compression, the length in 4 big-endian bytes, the message.
    assert_eq!(frame[0], 0);
    let length = u32::from_be_bytes([frame[1], frame[2], frame[3], frame[4]]) as usize;
    assert_eq!(length, frame.len() - 5);
    let request = pb::ScoreCaseRequest::decode(&frame[5..]).unwrap();
    assert_eq!(request.case, Some(finrisk_proto::examples::case()));
    assert!(!request.include_result_json);
    let health = std::fs::read(dir.join("health.grpc")).unwrap();
    assert_eq!(health.len(), 5 + usize::from(health[4]));
    std::fs::remove_dir_all(&dir).unwrap();
    // Neither an address nor a directory: the address is asked for.
    let out = Command::new(BIN).args(["load-test"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--addr"));
}

#[tokio::test]
async fn logs_carry_no_borrower_data_or_keys() {
    let config = write_keys_config();
    let server = start_logging(&["--config", config.to_str().unwrap()], "debug");
    let mut c = client(&server).await;
    let case = case_pb(&example("case.json"));
    let product = product_pb(&example("product.json"));
    // Accepted calls, a refused call (PII in clear) and an unauthenticated one.
    let ok = c
        .score_case(with_key(
            pb::ScoreCaseRequest {
                include_result_json: true,
                case: Some(case.clone()),
            },
            "key-a",
        ))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    let mut grants = vec![grant("G-LOG-1", "P-001", 12)];
    grants[0].phone_hash = Some("13912345678".into());
    let refused = c
        .assess_product(with_key(
            pb::AssessProductRequest {
                include_result_json: true,
                product: Some(product.clone()),
                grants,
                as_of: String::new(),
            },
            "key-a",
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    let _ = c
        .score_case(Request::new(pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(case),
        }))
        .await
        .unwrap_err();
    // Give the server a moment to flush its log lines.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = server.log.lock().unwrap().join("\n");
    assert!(log.contains("ScoreCase"), "the calls were logged: {log}");
    for secret in ["b7f3", "13912345678", "300000", "key-a", "key-court"] {
        assert!(
            !log.contains(secret),
            "`{secret}` in the server log:\n{log}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_vanish_mid_stream_leave_the_server_serving() {
    let server = start(&[]);
    let product = product_pb(&example("product.json"));
    let case = case_pb(&example("case.json"));
    for round in 0..20 {
        // A portfolio stream: the product and a chunk of grants, then the client goes away
        // without ending the stream.
        let mut c = client(&server).await;
        let (tx, rx) = tokio::sync::mpsc::channel::<pb::AssessPortfolioRequest>(4);
        tx.send(pb::AssessPortfolioRequest {
            include_result_json: true,
            product: Some(product.clone()),
            as_of: String::new(),
            grants: vec![],
        })
        .await
        .unwrap();
        tx.send(pb::AssessPortfolioRequest {
            include_result_json: true,
            product: None,
            as_of: String::new(),
            grants: (0..50)
                .map(|k| grant(&format!("G{round}-{k}"), "P-001", 12))
                .collect(),
        })
        .await
        .unwrap();
        let call = tokio::spawn(async move {
            c.assess_portfolio(tokio_stream::wrappers::ReceiverStream::new(rx))
                .await
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        call.abort();
        drop(tx);
        // A ScoreCases stream read once, then dropped with answers still coming.
        let mut c = client(&server).await;
        let (tx, rx) = tokio::sync::mpsc::channel::<pb::ScoreCaseRequest>(4);
        for k in 0..3 {
            let mut one = case.clone();
            one.case_id = format!("C-{round}-{k}");
            tx.send(pb::ScoreCaseRequest {
                include_result_json: true,
                case: Some(one),
            })
            .await
            .unwrap();
        }
        let mut answers = c
            .score_cases(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .unwrap()
            .into_inner();
        assert!(answers.message().await.unwrap().is_some());
        drop(answers);
        drop(tx);
        drop(c);
    }
    // The server still answers every RPC in full, and nothing panicked.
    let mut c = client(&server).await;
    let whole = c
        .assess_product(pb::AssessProductRequest {
            include_result_json: true,
            product: Some(product),
            grants: (0..30)
                .map(|k| grant(&format!("G{k}"), "P-001", 12))
                .collect(),
            as_of: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let v: Value = serde_json::from_str(&whole.result_json).unwrap();
    assert_eq!(v["portfolio"]["grants"], 30);
    assert!(
        c.score_case(pb::ScoreCaseRequest {
            include_result_json: true,
            case: Some(case)
        })
        .await
        .is_ok()
    );
    let log = server.log.lock().unwrap().join("\n");
    assert!(!log.contains("panicked"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docket_report_sums_the_cases_it_is_given() {
    let server = start(&[]);
    let mut c = client(&server).await;
    let example_case = example("case.json");
    let single = cli_json(&[
        "score-case",
        "--case",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/case.json"),
    ]);
    let mut cases = Vec::new();
    for k in 0..3 {
        let mut v = example_case.clone();
        v["case_id"] = Value::from(format!("D-{k}"));
        if k == 2 {
            v["plaintiff"]["institution_id"] = Value::from("INST-Z");
        }
        cases.push(case_pb(&v));
    }
    let r = c
        .get_docket_report(pb::GetDocketReportRequest {
            cases: cases.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.cases, 3);
    assert!(r.report_html.contains("finrisk docket report"));
    assert!(r.report_html.contains("data:image/png;base64,"));
    let report: Value = serde_json::from_str(&r.report_json).unwrap();
    let totals = &report["figures"]["totals"][0];
    assert_eq!(totals["cases"], 3);
    assert_eq!(
        totals["excess_minor"].as_i64().unwrap(),
        3 * single["excess_minor"].as_i64().unwrap()
    );
    assert_eq!(
        totals["supportable_claim_minor"].as_i64().unwrap(),
        3 * single["supportable_claim_minor"].as_i64().unwrap()
    );
    assert_eq!(
        report["figures"]["institutions"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        report["figures"]["repeat_borrowers"][0]["case_ids"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // A bad case is named by its index; nothing is reported.
    cases[1].contract.as_mut().unwrap().principal_minor = 0;
    let e = c
        .get_docket_report(pb::GetDocketReportRequest { cases })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let fields: Vec<String> = e
        .get_details_bad_request()
        .unwrap()
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert!(
        fields.contains(&"cases[1].contract.principal_minor".to_string()),
        "{fields:?}"
    );
    let e = c
        .get_docket_report(pb::GetDocketReportRequest { cases: Vec::new() })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_json_comes_only_when_asked_for() {
    let server = start(&[]);
    let mut c = client(&server).await;
    let case = case_pb(&example("case.json"));
    let plain = c
        .score_case(pb::ScoreCaseRequest {
            case: Some(case.clone()),
            include_result_json: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plain.result_json.is_empty());
    let full = c
        .score_case(pb::ScoreCaseRequest {
            case: Some(case),
            include_result_json: true,
        })
        .await
        .unwrap()
        .into_inner();
    let v: Value = serde_json::from_str(&full.result_json).unwrap();
    // The typed fields are the same either way, and agree with the JSON.
    assert_eq!(plain.excess_minor, full.excess_minor);
    assert_eq!(plain.assessment, full.assessment);
    assert_eq!(v["excess_minor"].as_i64().unwrap(), plain.excess_minor);
    let ad = |include_result_json| pb::CheckAdRequest {
        text: "日息低至0.02%".into(),
        product: None,
        jurisdiction: 0,
        include_result_json,
    };
    assert!(
        c.check_ad(ad(false))
            .await
            .unwrap()
            .into_inner()
            .result_json
            .is_empty()
    );
    assert!(
        !c.check_ad(ad(true))
            .await
            .unwrap()
            .into_inner()
            .result_json
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_products_contract_clauses_are_checked_over_grpc_as_on_the_cli() {
    let server = start(&[]);
    let mut c = client(&server).await;
    let product = product_pb(&example("product_contract.json"));
    let reply = c
        .assess_product(pb::AssessProductRequest {
            product: Some(product.clone()),
            include_result_json: true,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let codes: Vec<&str> = reply
        .assessment
        .as_ref()
        .unwrap()
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .filter(|c| c.starts_with("RC-CLAUSE-"))
        .collect();
    assert_eq!(
        codes,
        vec![
            "RC-CLAUSE-JURISDICTION",
            "RC-CLAUSE-ACCELERATION",
            "RC-CLAUSE-PENALTY-STACK",
            "RC-CLAUSE-UPFRONT-DEDUCTION",
            "RC-CLAUSE-DATA-CONSENT",
            "RC-CLAUSE-NO-ESERVICE",
        ]
    );
    let cli = common::json(&[
        "check-contract",
        "--product",
        &format!(
            "{}/examples/product_contract.json",
            env!("CARGO_MANIFEST_DIR")
        ),
    ]);
    let result: serde_json::Value = serde_json::from_str(&reply.result_json).unwrap();
    assert_eq!(result["contract"], cli["contract"]);

    let mut bad = product;
    bad.contract.as_mut().unwrap().clauses[2].text = "  ".into();
    let status = c
        .assess_product(pb::AssessProductRequest {
            product: Some(bad),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.get_details_bad_request().unwrap().field_violations[0].field,
        "contract.clauses[2].text"
    );
}

#[test]
fn the_grpc_bench_script_reports_rate_latency_and_cpu_per_call() {
    // BENCHMARKS.md's gRPC figures come from this script: it must keep running.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/grpc-bench.sh");
    let v = common::json_of(
        &Command::new(script)
            .args(["load-test", "score_case", "1", BIN])
            .output()
            .unwrap(),
    );
    assert_eq!(v["generator"], "load-test");
    assert_eq!(v["rpc"], "score_case");
    assert_eq!(v["errors"], 0, "{v}");
    assert!(v["calls"].as_u64().unwrap() > 0, "{v}");
    assert!(
        v["p99_ms"].as_f64().unwrap() >= v["p50_ms"].as_f64().unwrap(),
        "{v}"
    );
    for cpu in ["server_cpu_us_per_call", "client_cpu_us_per_call"] {
        assert!(v[cpu].as_f64().unwrap() > 0.0, "{v}");
    }
    // A generator it does not know: the usage line, exit 2.
    let out = Command::new(script)
        .args(["ab", "health", "1", BIN])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: scripts/grpc-bench.sh"));
}

#[test]
fn load_test_counts_a_refused_call_as_an_error_with_its_status() {
    let config = write_keys_config();
    let server = start(&["--config", config.to_str().unwrap()]);
    let addr = format!("http://{}", server.addr);
    let load = |key: Option<&str>| {
        let mut args = vec![
            "load-test",
            "--addr",
            &addr,
            "--rpc",
            "score-case",
            "--in-flight",
            "2",
            "--seconds",
            "0.3",
        ];
        if let Some(key) = key {
            args.extend(["--api-key", key]);
        }
        common::json(&args)
    };
    // No key (the health check needs none; ScoreCase does): each worker's first call is
    // refused, counted as an error with its gRPC status.
    let refused = load(None);
    for r in refused["results"].as_array().unwrap() {
        assert_eq!(r["requests"], 0, "{r}");
        assert_eq!(r["errors"], 2, "{r}");
        let first = r["first_error"].as_str().unwrap();
        assert!(first.starts_with("Unauthenticated"), "{first}");
    }
    // A key the server knows: every call answered.
    let served = load(Some("key-a"));
    for r in served["results"].as_array().unwrap() {
        assert_eq!(r["errors"], 0, "{r}");
        assert!(r["requests"].as_u64().unwrap() > 0, "{r}");
    }
}
