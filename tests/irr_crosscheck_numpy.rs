//! Cross-check of finrisk's schedules and IRR against an independent implementation, on a few
//! hundred pseudo-random loans of every repayment method, with fees. The Python side
//! (`scripts/crosscheck_irr.py`) gets only the loan terms: it builds each schedule itself with
//! the rounding rule of domain.md, and solves the IRR with numpy-financial's `irr`
//! (companion-matrix eigenvalues). Both the cash flows and the IRRs must agree.
//! `scripts/test.sh` sets up its environment and points `FINRISK_PYTHON` at it.

use finrisk_engine::domain::Repayment;
use finrisk_engine::rates::{LoanTerms, apr_of_terms};
use std::process::Command;

/// xorshift64*: a tiny deterministic generator, so the loans are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn random_loans(count: usize) -> Vec<LoanTerms> {
    let mut rng = Rng(0x005e_ed0f_f1a5);
    (0..count)
        .map(|_| {
            let principal = rng.range(100_000, 100_000_000) as i64;
            let method = Repayment::ALL[rng.range(0, 3) as usize];
            let mut t = LoanTerms::new(principal, rng.range(1, 60) as u32, method);
            t.nominal_annual_rate = (rng.unit() * 0.36 * 1e4).round() / 1e4;
            t.monthly_fee_rate = if rng.unit() < 0.5 {
                (rng.unit() * 0.015 * 1e4).round() / 1e4
            } else {
                0.0
            };
            t.upfront_fee_minor = if rng.unit() < 0.3 {
                (principal as f64 * rng.unit() * 0.05) as i64
            } else {
                0
            };
            t.monthly_fixed_fee_minor = if rng.unit() < 0.2 {
                rng.range(100, 5_000) as i64
            } else {
                0
            };
            t
        })
        .collect()
}

#[test]
fn monthly_irr_matches_numpy_financial_on_300_loans() {
    let loans = random_loans(300);
    let mut flows_ours = Vec::new();
    let mut ours = Vec::new();
    let mut terms = Vec::new();
    for t in &loans {
        let (schedule, figures) = apr_of_terms(t).unwrap();
        flows_ours.push(schedule.cash_flows());
        ours.push(figures.monthly_irr);
        terms.push(serde_json::json!([
            t.principal_minor,
            t.term_months,
            t.repayment.as_str(),
            t.nominal_annual_rate,
            t.monthly_fee_rate,
            t.upfront_fee_minor,
            t.monthly_fixed_fee_minor
        ]));
    }
    let dir = std::env::temp_dir().join(format!("finrisk-xcheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("flows.json");
    std::fs::write(&input, serde_json::to_vec(&terms).unwrap()).unwrap();

    let python = std::env::var("FINRISK_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/crosscheck_irr.py");
    let out = Command::new(&python).arg(script).arg(&input).output().unwrap_or_else(|e| {
        panic!("cannot run {python}: {e}; run the tests with scripts/test.sh, which sets up numpy-financial")
    });
    assert!(
        out.status.success(),
        "{python} failed (run the tests with scripts/test.sh, which installs numpy-financial): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers.len(), loans.len());
    // The schedules, built on each side from the terms alone, agree to the minor unit.
    for (i, (answer, flows)) in answers.iter().zip(&flows_ours).enumerate() {
        let theirs: Vec<f64> = serde_json::from_value(answer["flows"].clone()).unwrap();
        assert_eq!(&theirs, flows, "loan {i} {:?}: cash flows differ", loans[i]);
    }
    let theirs: Vec<Option<f64>> = answers.iter().map(|a| a["irr"].as_f64()).collect();

    let mut worst = 0.0f64;
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        let b = b
            .unwrap_or_else(|| panic!("numpy-financial found no IRR for loan {i}: {:?}", loans[i]));
        let diff = (a - b).abs();
        worst = worst.max(diff);
        // 1e-9 a month is 1.2e-8 a year: far inside the 0.0005 pp tolerance of domain.md.
        assert!(
            diff < 1e-9,
            "loan {i} {:?}: finrisk {a} vs numpy-financial {b}",
            loans[i]
        );
    }
    eprintln!(
        "worst monthly IRR difference over {} loans: {worst:e}",
        loans.len()
    );
}
