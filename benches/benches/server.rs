//! What the gRPC server does per call between the transport's bytes in and out: decoding the
//! request, converting and validating it, the engine's work, building the typed response and
//! encoding it. The transport (HTTP/2 framing, sockets, tasks) is measured by `finrisk
//! load-test`; this bench is its in-process part, to profile and to compare against.

#![expect(
    clippy::expect_used,
    reason = "bench set-up: failing to build the inputs should stop the bench"
)]

use criterion::{Throughput, criterion_group, criterion_main};
use finrisk_benches::config;
use finrisk_engine::Ruleset;
use finrisk_engine::assess::assess_case;
use finrisk_engine::domain::Jurisdiction;
use finrisk_engine::marketing::ClaimGrammar;
use finrisk_proto::convert::{score_case_response, validated_case};
use finrisk_proto::v1 as pb;
use prost::Message;
use std::hint::black_box;

fn server_call(c: &mut criterion::Criterion) {
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).expect("ruleset");
    let grammar = ClaimGrammar::embedded().expect("grammar");
    let request = pb::ScoreCaseRequest {
        case: Some(finrisk_proto::examples::case()),
        include_result_json: false,
    };
    let request_bytes = request.encode_to_vec();
    let mut group = c.benchmark_group("server_call");
    group.throughput(Throughput::Elements(1));
    // `ScoreCase` with the example case (`examples/case.json`, the load test's request).
    group.bench_function("score_case", |b| {
        b.iter(|| {
            let request =
                pb::ScoreCaseRequest::decode(black_box(request_bytes.as_slice())).expect("decoded");
            let case = validated_case(request.case.as_ref().expect("a case"), "").expect("valid");
            let scored = assess_case(&case, &ruleset, &grammar).expect("assessed");
            score_case_response(&scored).encode_to_vec()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = server_call
}
criterion_main!(benches);
