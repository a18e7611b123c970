//! finrisk-proto: the gRPC contract of finrisk (`proto/finrisk/v1/finrisk.proto`) and the Rust
//! code tonic generates from it, plus one example request for load tests and benchmarks, and
//! the conversions between its messages and the engine's types ([`convert`]), shared by the
//! server and the fuzz targets.

pub mod convert;

/// `finrisk.v1`: messages, the `RiskAssessment` client and server.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod v1 {
    tonic::include_proto!("finrisk.v1");
}

/// The encoded file descriptor set, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("finrisk_v1_descriptor");

/// The proto source, for clients that generate their own stubs (`GetRuleset`-style discovery).
pub const PROTO_SOURCE: &str = include_str!("../proto/finrisk/v1/finrisk.proto");

/// Example requests.
pub mod examples {
    use crate::v1;

    /// The case of `examples/case.json` as a request: a financial loan with fees, a repayment,
    /// a claim within the cap (its excess is 0) and a marketing text, so
    /// ScoreCase does its full work (cost figures, cap, findings).
    pub fn case() -> v1::Case {
        v1::Case {
            case_id: "2024-0192-1234".into(),
            court: Some("internet court".into()),
            jurisdiction: v1::Jurisdiction::Cn as i32,
            currency: None,
            cause: v1::Cause::FinancialLoan as i32,
            filed_at: "2024-05-10".into(),
            plaintiff: Some(v1::Plaintiff {
                institution_id: "INST-A".into(),
                product_id: Some("P-001".into()),
            }),
            defendant: Some(v1::Defendant {
                borrower_key: "b7f3".into(),
                age: Some(21),
                monthly_income_minor: Some(300_000),
                income_verified: Some(false),
                is_student: Some(true),
                active_lenders: Some(6),
                other_cases_12m: Some(3),
            }),
            contract: Some(v1::Contract {
                principal_minor: 1_000_000,
                disbursed_at: "2023-01-05".into(),
                term_months: 12,
                repayment: v1::Repayment::EqualInstallment as i32,
                nominal_annual_rate: 0.12,
                monthly_fee_rate: 0.005,
                upfront_fee_minor: 0,
                penalty_annual_rate: Some(0.18),
            }),
            repayments: vec![v1::CaseRepayment {
                date: "2023-02-05".into(),
                principal_minor: 78_849,
                cost_minor: 15_000,
            }],
            claims: Some(v1::Claims {
                as_of: "2024-05-10".into(),
                principal_minor: 921_151,
                interest_minor: 60_000,
                penalty_minor: 50_000,
                compound_minor: 0,
                fees_minor: 30_000,
                legal_costs_minor: 5_000,
            }),
            evidence: Some(v1::Evidence {
                marketing_texts: vec!["日息低至0.02%，秒到账，不看征信".into()],
                borrower_alleges_misled: Some(true),
                insurance_bundled: Some(false),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn descriptor_names_the_service() {
        let text = String::from_utf8_lossy(super::FILE_DESCRIPTOR_SET);
        assert!(text.contains("RiskAssessment"));
        assert!(super::PROTO_SOURCE.contains("package finrisk.v1;"));
    }
}
