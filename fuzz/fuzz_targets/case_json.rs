//! Any bytes as a case document: parsing and validation give a case or an error naming a
//! field, and a valid case is assessed with scores in 0..100 and a grade; never a panic.
#![no_main]

use finrisk_engine::assess::assess_case;
use finrisk_engine::domain::Case;
use finrisk_fuzz::{assert_names_a_field, assert_scores, setup};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Case::from_json(text) {
        Ok(case) => {
            let (ruleset, grammar) = setup();
            if let Ok(a) = assess_case(&case, ruleset, grammar) {
                assert_scores(&a.assessment.scores);
                assert!(["A", "B", "C", "D", "E"].contains(&a.assessment.grade.as_str()));
            }
        }
        Err(e) => assert_names_a_field(&e),
    }
});
