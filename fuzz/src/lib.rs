//! What the fuzz targets share: the embedded ruleset and grammar, loaded once, and the checks
//! every assessment must pass.

use finrisk_engine::Ruleset;
use finrisk_engine::domain::Jurisdiction;
use finrisk_engine::findings::Scores;
use finrisk_engine::marketing::ClaimGrammar;
use std::sync::OnceLock;

/// The CN ruleset and the embedded grammar.
pub fn setup() -> &'static (Ruleset, ClaimGrammar) {
    static SETUP: OnceLock<(Ruleset, ClaimGrammar)> = OnceLock::new();
    SETUP.get_or_init(|| {
        (
            Ruleset::embedded(Jurisdiction::Cn).expect("embedded ruleset"),
            ClaimGrammar::embedded().expect("embedded grammar"),
        )
    })
}

/// Every score is in 0..100.
pub fn assert_scores(s: &Scores) {
    for v in [
        s.weak_risk_control,
        s.duplicate_credit,
        s.one_sided_marketing,
        s.overall,
    ] {
        assert!((0.0..=100.0).contains(&v), "score {v}");
    }
}

/// An error names at least one field.
pub fn assert_names_a_field(e: &finrisk_engine::EngineError) {
    assert!(!e.field_errors().is_empty(), "an error names no field: {e}");
}
