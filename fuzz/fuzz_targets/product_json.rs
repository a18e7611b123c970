//! Any bytes as a product document: a product or an error naming a field; a valid product is
//! assessed with scores in 0..100; never a panic.
#![no_main]

use finrisk_engine::assess::assess_product;
use finrisk_engine::domain::Product;
use finrisk_fuzz::{assert_names_a_field, assert_scores, setup};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Product::from_json(text) {
        Ok(product) => {
            let (ruleset, grammar) = setup();
            if let Ok(a) = assess_product(&product, None, None, None, ruleset, grammar) {
                assert_scores(&a.assessment.scores);
            }
        }
        Err(e) => assert_names_a_field(&e),
    }
});
