//! Any bytes as a protobuf request, decoded as the server decodes it and converted into domain
//! types through `finrisk_proto::convert`, as every gRPC call is. The first byte picks the
//! message (ScoreCase, AssessProduct with its grants, CheckAd). A decodable message gives a
//! validated value or errors naming fields (under `grants[i].` for grants); a valid value is
//! assessed with scores in 0..100, and its assessment converts back to a message that encodes and
//! decodes to itself; never a panic.
#![no_main]

use finrisk_engine::Date;
use finrisk_engine::assess::{Assessment, assess_ad, assess_case, assess_product};
use finrisk_fuzz::{assert_names_a_field, assert_scores, setup};
use finrisk_proto::convert;
use finrisk_proto::v1 as pb;
use libfuzzer_sys::fuzz_target;
use prost::Message;

/// The assessment as a message survives encoding.
fn round_trip(a: &Assessment) {
    let message = convert::assessment(a);
    let bytes = message.encode_to_vec();
    let back = pb::Assessment::decode(bytes.as_slice()).expect("an encoded assessment decodes");
    assert_eq!(back, message);
}

fn score_case(bytes: &[u8]) {
    let Ok(request) = pb::ScoreCaseRequest::decode(bytes) else {
        return;
    };
    let Some(m) = request.case else {
        return;
    };
    match convert::validated_case(&m, "cases[0].") {
        Ok(case) => {
            let (ruleset, grammar) = setup();
            if let Ok(a) = assess_case(&case, ruleset, grammar) {
                assert_scores(&a.assessment.scores);
                assert!(["A", "B", "C", "D", "E"].contains(&a.assessment.grade.as_str()));
                round_trip(&a.assessment);
            }
        }
        Err(e) => {
            assert_names_a_field(&e);
            for f in e.field_errors() {
                assert!(
                    f.field.starts_with("cases[0]."),
                    "unprefixed field {}",
                    f.field
                );
            }
        }
    }
}

fn assess_product_request(bytes: &[u8]) {
    let Ok(request) = pb::AssessProductRequest::decode(bytes) else {
        return;
    };
    let grants = match convert::grant_batch(&request.grants) {
        Ok(batch) => Some(batch),
        Err(e) => {
            assert_names_a_field(&e);
            for f in e.field_errors() {
                assert!(f.field.starts_with("grants["), "grant error at {}", f.field);
            }
            None
        }
    };
    let Some(m) = request.product else {
        return;
    };
    let product = match convert::validated_product(&m, "") {
        Ok(p) => p,
        Err(e) => {
            assert_names_a_field(&e);
            return;
        }
    };
    let Some(grants) = grants else {
        return;
    };
    let as_of = match request.as_of.as_str() {
        "" => None,
        text => match Date::parse(text) {
            Ok(d) => Some(d),
            Err(_) => return,
        },
    };
    let (ruleset, grammar) = setup();
    let batch = (!request.grants.is_empty()).then_some(&grants);
    if let Ok(a) = assess_product(&product, batch, None, as_of, ruleset, grammar) {
        assert_scores(&a.assessment.scores);
        round_trip(&a.assessment);
    }
}

fn check_ad(bytes: &[u8]) {
    let Ok(request) = pb::CheckAdRequest::decode(bytes) else {
        return;
    };
    let product = match request
        .product
        .as_ref()
        .map(|m| convert::validated_product(m, "product."))
    {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            assert_names_a_field(&e);
            return;
        }
        None => None,
    };
    let (ruleset, grammar) = setup();
    match assess_ad(&request.text, product.as_ref(), ruleset, grammar) {
        Ok(a) => {
            assert_scores(&a.scores);
            round_trip(&a);
        }
        Err(e) => assert_names_a_field(&e),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    match which % 3 {
        0 => score_case(bytes),
        1 => assess_product_request(bytes),
        _ => check_ad(bytes),
    }
});
