//! The engine's per-record hot paths with input-size parameters: case scoring (cost figures,
//! findings, scores) over generated cases, ad analysis over texts of growing length, grant-level
//! rule evaluation over generated grants, the grants batch's per-chunk work (parsing a table
//! into the engine's columns, and assessing a chunk against the duplicate-credit analysis:
//! codes, scores, evidence), and protobuf encode/decode of a case and of grant chunks (what the
//! gRPC service does per request).

#![expect(
    clippy::expect_used,
    reason = "bench set-up: failing to build the inputs should stop the bench"
)]

use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};
use finrisk_benches::{config, generated_cases, generated_grants};
use finrisk_engine::Ruleset;
use finrisk_engine::assess::{GrantRules, assess_ad, assess_case};
use finrisk_engine::domain::Jurisdiction;
use finrisk_engine::marketing::ClaimGrammar;
use finrisk_proto::v1 as pb;
use prost::Message;
use rayon::prelude::*;
use std::hint::black_box;

fn case_scoring(c: &mut criterion::Criterion) {
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).expect("ruleset");
    let grammar = ClaimGrammar::embedded().expect("grammar");
    let cases = generated_cases(1_000).expect("cases");
    let mut group = c.benchmark_group("case_scoring");
    for n in [1usize, 100, 1_000] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &cases[..n], |b, cases| {
            b.iter(|| {
                for case in cases {
                    black_box(assess_case(case, &ruleset, &grammar).expect("assessed"));
                }
            })
        });
    }
    group.finish();
}

fn ad_analysis(c: &mut criterion::Criterion) {
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).expect("ruleset");
    let grammar = ClaimGrammar::embedded().expect("grammar");
    let sentence =
        "日息低至万分之五，秒到账，不看征信，学生也能借！Borrow now, 0% interest, no hidden fees. ";
    let mut group = c.benchmark_group("ad_analysis");
    for repeats in [1usize, 10, 100] {
        let text = sentence.repeat(repeats);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("chars", text.chars().count()),
            &text,
            |b, t| b.iter(|| assess_ad(black_box(t), None, &ruleset, &grammar).expect("assessed")),
        );
    }
    group.finish();
}

fn grant_rules(c: &mut criterion::Criterion) {
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).expect("ruleset");
    let (batch, _) = generated_grants(1_000_000).expect("generated grants");
    let rules = GrantRules::new(&ruleset, None);
    let mut group = c.benchmark_group("grant_rules");
    group.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                (0..n)
                    .into_par_iter()
                    .with_min_len(2_048)
                    .map(|i| rules.evaluate(&batch, i).len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

fn grant_batch(c: &mut criterion::Criterion) {
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).expect("ruleset");
    let params = finrisk_datasets::generate::GenerateParams {
        grants: 100_000,
        cases: 0,
        ..Default::default()
    };
    let dir = finrisk_benches::generated_dir("grants-100000", &params).expect("generated");
    let frame = finrisk_datasets::read_table(&dir.join("grants.parquet")).expect("read");
    let (batch, _) = finrisk_datasets::load_grants(&dir.join("grants.parquet")).expect("loaded");
    let dc = finrisk_engine::dc::DcAnalysis::analyse(
        &batch,
        Some(params.as_of()),
        &finrisk_engine::dc::DcSettings::from_ruleset(&ruleset),
    );
    let mut group = c.benchmark_group("grant_batch");
    group.sample_size(10);
    for n in [10_000usize, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        let slice = frame.slice(0, n);
        group.bench_with_input(BenchmarkId::new("parse", n), &slice, |b, df| {
            b.iter(|| finrisk_datasets::grants::grants_from_frame(black_box(df)).expect("parsed"))
        });
        let mut chunk = finrisk_engine::domain::GrantBatch::default();
        for i in 0..n {
            chunk
                .push(batch.source_row[i], batch.record(i))
                .expect("valid");
        }
        group.bench_with_input(BenchmarkId::new("assess_chunk", n), &chunk, |b, chunk| {
            b.iter(|| {
                finrisk_engine::assess::assess_grant_chunk(chunk, &ruleset, dc.chunk(0), None)
            })
        });
    }
    group.finish();
}

fn proto_codec(c: &mut criterion::Criterion) {
    let (batch, _) = generated_grants(1_000_000).expect("generated grants");
    let grant = |i: usize| pb::Grant {
        grant_id: batch.grant_id[i].clone(),
        institution_id: batch.institution_id[i].clone(),
        product_id: batch.product_id[i].clone(),
        borrower_key: batch.borrower_key[i].clone(),
        granted_at: batch.granted_at[i].to_string(),
        principal_minor: batch.principal_minor[i],
        term_months: i64::from(batch.term_months[i]),
        apr: batch.apr[i],
        closed_at: batch.closed_at[i].map(|d| d.to_string()),
        borrower_age: batch.borrower_age[i].map(i64::from),
        monthly_income_minor: batch.monthly_income_minor[i],
        income_verified: batch.income_verified[i],
        is_student: batch.is_student[i],
        dti: batch.dti[i],
        active_lenders: batch.active_lenders[i].map(i64::from),
        inquiries_30d: batch.inquiries_30d[i].map(i64::from),
        phone_hash: batch.phone_hash[i].clone(),
        device_hash: batch.device_hash[i].clone(),
        defaulted: batch.defaulted[i],
        ..pb::Grant::default()
    };
    let mut group = c.benchmark_group("proto_codec");
    let case = pb::ScoreCaseRequest {
        case: Some(finrisk_proto::examples::case()),
        include_result_json: false,
    };
    let case_bytes = case.encode_to_vec();
    group.throughput(Throughput::Elements(1));
    group.bench_function("case_encode", |b| {
        b.iter(|| black_box(&case).encode_to_vec())
    });
    group.bench_function("case_decode", |b| {
        b.iter(|| pb::ScoreCaseRequest::decode(black_box(case_bytes.as_slice())).expect("decoded"))
    });
    for n in [1_000usize, 10_000] {
        let chunk = pb::AssessPortfolioRequest {
            product: None,
            as_of: String::new(),
            grants: (0..n).map(grant).collect(),
            include_result_json: false,
        };
        let bytes = chunk.encode_to_vec();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("grants_encode", n), &chunk, |b, m| {
            b.iter(|| black_box(m).encode_to_vec())
        });
        group.bench_with_input(BenchmarkId::new("grants_decode", n), &bytes, |b, bytes| {
            b.iter(|| {
                pb::AssessPortfolioRequest::decode(black_box(bytes.as_slice())).expect("decoded")
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = case_scoring, ad_analysis, grant_rules, grant_batch, proto_codec
}
criterion_main!(benches);
