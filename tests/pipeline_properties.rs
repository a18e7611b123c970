//! Properties of the whole case and product pipeline (parse, validate, assess), over documents
//! derived from the SPEC examples with one or more fields replaced by arbitrary values:
//! whatever the values, the result is either an assessment with every score in 0..100 and a
//! grade A..E, or an error naming at least one field (never a panic, never an error without a
//! field). Complements the libFuzzer targets (`fuzz/`), which start from arbitrary bytes.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

use finrisk_engine::Ruleset;
use finrisk_engine::assess::{Assessment, assess_case, assess_product};
use finrisk_engine::domain::{Case, Jurisdiction, Product};
use finrisk_engine::marketing::ClaimGrammar;
use proptest::prelude::*;
use serde_json::{Value, json};

fn example(name: &str) -> Value {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every leaf of a document, as a JSON pointer.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                leaves(child, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                leaves(child, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

/// Values that are wrong or extreme for some field and right for others.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|v| json!(v)),
        (-1_000_000i64..10_000_000_000).prop_map(|v| json!(v)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |v| v.is_finite())
            .prop_map(|v| json!(v)),
        (-1.0f64..2.0).prop_map(|v| json!(v)),
        "[a-z_]{0,12}".prop_map(Value::String),
        "(19|20|30)[0-9]{2}-[01][0-9]-[0-3][0-9]".prop_map(Value::String),
        "\\PC{0,40}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
    ]
}

fn check(result: Result<Assessment, finrisk_engine::EngineError>) -> Result<(), TestCaseError> {
    match result {
        Ok(a) => {
            let s = a.scores;
            for v in [
                s.weak_risk_control,
                s.duplicate_credit,
                s.one_sided_marketing,
                s.overall,
            ] {
                prop_assert!((0.0..=100.0).contains(&v), "score {}", v);
            }
            prop_assert!(["A", "B", "C", "D", "E"].contains(&a.grade.as_str()));
        }
        Err(e) => {
            let fields = e.field_errors();
            prop_assert!(!fields.is_empty(), "an error names no field: {}", e);
            prop_assert!(fields.iter().all(|f| !f.field.is_empty()), "{}", e);
        }
    }
    Ok(())
}

fn mutated(doc: &Value, changes: &[(prop::sample::Index, Value)]) -> String {
    let mut doc = doc.clone();
    let mut paths = Vec::new();
    leaves(&doc, String::new(), &mut paths);
    for (index, value) in changes {
        let path = index.get(&paths);
        if let Some(slot) = doc.pointer_mut(path) {
            *slot = value.clone();
        }
    }
    doc.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_case_gives_scores_or_an_error_naming_a_field(
        changes in prop::collection::vec((any::<prop::sample::Index>(), any_value()), 1..4)
    ) {
        let ruleset = Ruleset::embedded(Jurisdiction::Cn).unwrap();
        let grammar = ClaimGrammar::embedded().unwrap();
        let text = mutated(&example("case.json"), &changes);
        let result = Case::from_json(&text)
            .and_then(|case| assess_case(&case, &ruleset, &grammar).map(|a| a.assessment));
        check(result)?;
    }

    #[test]
    fn any_product_gives_scores_or_an_error_naming_a_field(
        changes in prop::collection::vec((any::<prop::sample::Index>(), any_value()), 1..4)
    ) {
        let ruleset = Ruleset::embedded(Jurisdiction::Cn).unwrap();
        let grammar = ClaimGrammar::embedded().unwrap();
        let text = mutated(&example("product.json"), &changes);
        let result = Product::from_json(&text).and_then(|product| {
            assess_product(&product, None, None, None, &ruleset, &grammar).map(|a| a.assessment)
        });
        check(result)?;
    }
}

#[test]
fn every_list_and_text_has_a_limit_named_in_the_error() {
    let ruleset = Ruleset::embedded(Jurisdiction::Cn).unwrap();
    let grammar = ClaimGrammar::embedded().unwrap();
    let fields = |e: finrisk_engine::EngineError| -> Vec<String> {
        e.field_errors().into_iter().map(|f| f.field).collect()
    };
    let long = "贷".repeat(finrisk_engine::validate::MAX_TEXT_CHARS + 1);
    let at_limit = "贷".repeat(finrisk_engine::validate::MAX_TEXT_CHARS);

    let mut product = example("product.json");
    product["marketing"][0]["text"] = json!(long);
    let e = Product::from_json(&product.to_string()).unwrap_err();
    assert_eq!(fields(e), ["marketing[0].text"]);
    product["marketing"][0]["text"] = json!(at_limit);
    assert!(Product::from_json(&product.to_string()).is_ok());
    let ad = product["marketing"][0].clone();
    product["marketing"] = json!(vec![ad; finrisk_engine::validate::MAX_LIST_ITEMS + 1]);
    let e = Product::from_json(&product.to_string()).unwrap_err();
    assert!(fields(e).contains(&"marketing".to_string()));

    let mut case = example("case.json");
    case["evidence"]["marketing_texts"] =
        json!(vec!["x"; finrisk_engine::validate::MAX_LIST_ITEMS + 1]);
    let e = Case::from_json(&case.to_string()).unwrap_err();
    assert_eq!(fields(e), ["evidence.marketing_texts"]);

    let e = finrisk_engine::assess::assess_ad(&long, None, &ruleset, &grammar).unwrap_err();
    assert_eq!(fields(e), ["text"]);
}
