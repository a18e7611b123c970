//! The evidence of a grant finding as the grant rules build it: flat fields borrowed from the
//! batch and the duplicate-credit analysis, written as JSON text straight into a batch's output
//! or turned into a `serde_json::Value` for a full assessment. Both give the same JSON text:
//! keys in order, numbers and strings printed by serde_json.
//!
//! The batch writes the evidence of every grant (a million grants, two findings each on
//! average): building a `Value` per finding (a map, a `String` per key) and printing it took
//! about a tenth of the batch's time, where these fields take one allocation per finding.

use crate::date::Date;
use crate::dc::SharedIdentityEvidence;
use crate::pd::HighPdEvidence;
use serde_json::Value;
use std::borrow::Cow;

/// One value of a finding's evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<'a> {
    /// An integer (counts, minor units, ages, 0/1 flags).
    Int(i64),
    /// A number (rates, ratios, thresholds); not finite prints as `null`, as in serde_json.
    Float(f64),
    /// A text (ids).
    Text(Cow<'a, str>),
    /// A list of texts (grant ids, borrower keys).
    Texts(Vec<&'a str>),
    /// A date, printed `YYYY-MM-DD`.
    Date(Date),
}

impl From<i64> for Field<'_> {
    fn from(v: i64) -> Self {
        Field::Int(v)
    }
}

impl From<u32> for Field<'_> {
    fn from(v: u32) -> Self {
        Field::Int(i64::from(v))
    }
}

impl From<u8> for Field<'_> {
    fn from(v: u8) -> Self {
        Field::Int(i64::from(v))
    }
}

impl From<usize> for Field<'_> {
    fn from(v: usize) -> Self {
        Field::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<f64> for Field<'_> {
    fn from(v: f64) -> Self {
        Field::Float(v)
    }
}

impl<'a> From<&'a str> for Field<'a> {
    fn from(v: &'a str) -> Self {
        Field::Text(Cow::Borrowed(v))
    }
}

impl From<String> for Field<'_> {
    fn from(v: String) -> Self {
        Field::Text(Cow::Owned(v))
    }
}

impl<'a> From<Vec<&'a str>> for Field<'a> {
    fn from(v: Vec<&'a str>) -> Self {
        Field::Texts(v)
    }
}

impl From<Date> for Field<'_> {
    fn from(v: Date) -> Self {
        Field::Date(v)
    }
}

impl Field<'_> {
    fn to_value(&self) -> Value {
        match self {
            Field::Int(v) => Value::from(*v),
            // `null` when not finite.
            Field::Float(v) => Value::from(*v),
            Field::Text(v) => Value::String(v.to_string()),
            Field::Texts(v) => Value::Array(v.iter().map(|s| Value::from(*s)).collect()),
            Field::Date(v) => Value::String(v.to_string()),
        }
    }

    fn write_json(&self, out: &mut Vec<u8>) {
        // Writing into a Vec cannot fail.
        let _ = match self {
            Field::Int(v) => serde_json::to_writer(&mut *out, v),
            Field::Float(v) => serde_json::to_writer(&mut *out, v),
            Field::Text(v) => serde_json::to_writer(&mut *out, v.as_ref()),
            Field::Texts(v) => serde_json::to_writer(&mut *out, v),
            Field::Date(v) => serde_json::to_writer(&mut *out, v),
        };
    }
}

/// The evidence of one finding: named fields, a structure borrowed from the analysis or the
/// model's PDs, or any JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence<'a> {
    /// `(key, value)` in any order; a key given twice keeps its last value.
    Fields(Vec<(&'static str, Field<'a>)>),
    /// DC-SHARED-IDENTITY's person, keys and links.
    SharedIdentity(SharedIdentityEvidence<'a>),
    /// RC-HIGH-PD's PD, model, reasons and threshold.
    HighPd(HighPdEvidence<'a>),
    /// Any JSON value.
    Value(Value),
}

impl<'a> Evidence<'a> {
    /// Evidence of the given fields.
    pub fn of<const N: usize>(fields: [(&'static str, Field<'a>); N]) -> Self {
        Evidence::Fields(Vec::from(fields))
    }

    /// Whether the evidence is a JSON object (all but a non-object value are).
    fn is_object(&self) -> bool {
        !matches!(self, Evidence::Value(v) if !v.is_object())
    }

    /// The evidence with a borrowed structure turned into its JSON value (fields and values
    /// as they are).
    fn fields_or_value(self) -> Self {
        match self {
            Evidence::SharedIdentity(_) | Evidence::HighPd(_) => Evidence::Value(self.into_value()),
            other => other,
        }
    }

    /// Adds `other` to this evidence of the same code, as the full assessment does: two
    /// objects merge (`other`'s value wins on a shared key); a non-object `other` is ignored
    /// after an object; anything after a non-object replaces it.
    pub fn merge(&mut self, other: Evidence<'a>) {
        if !self.is_object() {
            *self = other;
            return;
        }
        if matches!(self, Evidence::SharedIdentity(_) | Evidence::HighPd(_)) {
            let mine = std::mem::replace(self, Evidence::Value(Value::Null));
            *self = mine.fields_or_value();
        }
        match (&mut *self, other.fields_or_value()) {
            (Evidence::Fields(mine), Evidence::Fields(theirs)) => mine.extend(theirs),
            (Evidence::Value(Value::Object(mine)), Evidence::Value(Value::Object(theirs))) => {
                mine.extend(theirs);
            }
            (Evidence::Value(Value::Object(mine)), Evidence::Fields(theirs)) => {
                for (k, v) in theirs {
                    mine.insert(k.to_string(), v.to_value());
                }
            }
            (Evidence::Fields(mine), Evidence::Value(Value::Object(theirs))) => {
                let mut merged: serde_json::Map<String, Value> = mine
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), v.to_value()))
                    .collect();
                merged.extend(theirs);
                *self = Evidence::Value(Value::Object(merged));
            }
            // An object followed by a non-object: the object stands.
            _ => {}
        }
    }

    /// The evidence as a JSON value (fields as an object).
    pub fn into_value(self) -> Value {
        match self {
            Evidence::Fields(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
            // Plain structures of texts, numbers and lists: they always convert.
            Evidence::SharedIdentity(e) => serde_json::to_value(e).unwrap_or(Value::Null),
            Evidence::HighPd(e) => serde_json::to_value(e).unwrap_or(Value::Null),
            Evidence::Value(v) => v,
        }
    }

    /// Appends the evidence as JSON text to `out`: exactly what [`Evidence::into_value`]
    /// prints (keys in order, a repeated key once with its last value).
    pub fn write_json(&mut self, out: &mut Vec<u8>) {
        match self {
            Evidence::Fields(fields) => {
                // Stable: of a repeated key, the last value is the last of its run.
                fields.sort_by_key(|(k, _)| *k);
                out.push(b'{');
                let mut first = true;
                for (n, (key, value)) in fields.iter().enumerate() {
                    if fields.get(n + 1).is_some_and(|(next, _)| next == key) {
                        continue;
                    }
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    out.push(b'"');
                    // Keys are the rules' own names: no character needs escaping.
                    out.extend_from_slice(key.as_bytes());
                    out.extend_from_slice(b"\":");
                    value.write_json(out);
                }
                out.push(b'}');
            }
            // Writing into a Vec cannot fail.
            Evidence::SharedIdentity(e) => {
                let _ = serde_json::to_writer(&mut *out, e);
            }
            Evidence::HighPd(e) => {
                let _ = serde_json::to_writer(&mut *out, e);
            }
            Evidence::Value(v) => {
                let _ = serde_json::to_writer(&mut *out, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(mut e: Evidence<'_>) -> String {
        let mut out = Vec::new();
        e.write_json(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fields_print_like_their_value() {
        let date = Date::parse("2024-02-29").unwrap();
        let e = Evidence::of([
            ("threshold", 0.5.into()),
            ("dti", 0.2602.into()),
            ("payment_minor", 261_050.0.into()),
            ("monthly_income_minor", 950_000i64.into()),
            ("concurrent_with", vec!["G\"1", "G2"].into()),
            ("as_of", date.into()),
            ("person_id", String::from("P:k\\1").into()),
            ("nan", f64::NAN.into()),
            ("age", 17u8.into()),
        ]);
        let expected = e.clone().into_value().to_string();
        assert_eq!(text(e), expected);
        assert!(
            expected.contains("\"payment_minor\":261050.0"),
            "{expected}"
        );
        assert!(expected.contains("\"nan\":null"), "{expected}");
    }

    #[test]
    fn a_merged_key_keeps_the_last_value_as_the_full_path_does() {
        let mut e = Evidence::of([("active_lenders", 5u32.into()), ("threshold", 3.0.into())]);
        e.merge(Evidence::of([
            ("open_institutions_in_data", 4u32.into()),
            ("threshold", 4.0.into()),
        ]));
        let expected = e.clone().into_value().to_string();
        assert_eq!(
            expected,
            r#"{"active_lenders":5,"open_institutions_in_data":4,"threshold":4.0}"#
        );
        assert_eq!(text(e), expected);
        // Fields merged into a value, and a value into fields.
        let mut v = Evidence::Value(serde_json::json!({"pd": 0.3, "threshold": 0.2}));
        v.merge(Evidence::of([("threshold", 0.25.into())]));
        assert_eq!(text(v), r#"{"pd":0.3,"threshold":0.25}"#);
        let mut f = Evidence::of([("threshold", 0.25.into()), ("a", 1i64.into())]);
        f.merge(Evidence::Value(serde_json::json!({"threshold": 0.2})));
        assert_eq!(text(f), r#"{"a":1,"threshold":0.2}"#);
    }

    proptest! {
        #[test]
        fn any_fields_print_like_their_value(
            fields in proptest::collection::vec(
                (0usize..6, prop_oneof![
                    any::<i64>().prop_map(Field::Int),
                    any::<f64>().prop_map(Field::Float),
                    ".{0,8}".prop_map(|s| Field::Text(Cow::Owned(s))),
                ]),
                0..10,
            )
        ) {
            const KEYS: [&str; 6] = ["a", "b", "ab", "threshold", "dti", "z"];
            let e = Evidence::Fields(fields.into_iter().map(|(k, v)| (KEYS[k], v)).collect());
            let expected = e.clone().into_value().to_string();
            prop_assert_eq!(text(e), expected);
        }
    }
}
