//! Any text as an ad: the marketing scan returns findings with spans inside the text and a
//! marketing score in 0..100; never a panic.
#![no_main]

use finrisk_engine::assess::assess_ad;
use finrisk_fuzz::{assert_scores, setup};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (ruleset, grammar) = setup();
    if let Ok(a) = assess_ad(text, None, ruleset, grammar) {
        assert_scores(&a.scores);
    }
});
