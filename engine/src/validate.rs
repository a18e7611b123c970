//! Field checks shared by every input type: ranges, finite rates, identifiers and PII in clear.
//!
//! A [`Checker`] collects every problem of a document with its field path instead of stopping
//! at the first, so one run tells a user everything that is wrong. [`parse_json`] turns a JSON
//! document into a typed value and names the path of a wrong type, missing field or unknown
//! enum value deep inside it.

use crate::error::{EngineError, ErrorCode, FieldError};
use serde::de::DeserializeOwned;

/// Longest identifier accepted (ids, keys, hashes).
pub const MAX_IDENTIFIER_LEN: usize = 128;

/// Longest free text accepted (an ad, a marketing text, a fee name), in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Most items accepted in a list of a document (ads, marketing texts, terms, fees).
pub const MAX_LIST_ITEMS: usize = 1_000;

/// Most repayments accepted in a case (daily repayments over 30 years fit).
pub const MAX_REPAYMENTS: usize = 11_000;

/// Collects field errors for one document or row.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// An empty checker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn fail(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(FieldError::invalid(field, reason));
    }

    /// Records a problem with a specific code.
    pub fn fail_with(
        &mut self,
        field: impl Into<String>,
        reason: impl Into<String>,
        code: ErrorCode,
    ) {
        self.errors.push(FieldError::with_code(field, reason, code));
    }

    /// Checks `lo <= value <= hi` for an integer.
    pub fn int_range(&mut self, field: &str, value: i64, lo: i64, hi: i64) {
        if value < lo || value > hi {
            self.fail(field, format!("must be between {lo} and {hi}, got {value}"));
        }
    }

    /// Checks a money amount in minor units is above zero.
    pub fn positive_minor(&mut self, field: &str, value: i64) {
        if value <= 0 {
            self.fail(
                field,
                format!("must be a positive amount in minor units, got {value}"),
            );
        }
    }

    /// Checks a money amount in minor units is zero or more.
    pub fn non_negative_minor(&mut self, field: &str, value: i64) {
        if value < 0 {
            self.fail(field, format!("must not be negative, got {value}"));
        }
    }

    /// Checks a rate or ratio is a finite number in `[lo, hi]`.
    pub fn rate(&mut self, field: &str, value: f64, lo: f64, hi: f64) {
        if !value.is_finite() {
            self.fail(field, format!("must be a finite number, got {value}"));
        } else if value < lo || value > hi {
            self.fail(field, format!("must be between {lo} and {hi}, got {value}"));
        }
    }

    /// Checks a free text is not blank.
    pub fn non_blank(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.fail(field, "must not be empty");
        }
    }

    /// Checks a free text: not blank and at most [`MAX_TEXT_CHARS`] characters.
    pub fn text(&mut self, field: &str, value: &str) {
        self.non_blank(field, value);
        if value.len() > MAX_TEXT_CHARS && value.chars().count() > MAX_TEXT_CHARS {
            self.fail(
                field,
                format!("must be at most {MAX_TEXT_CHARS} characters"),
            );
        }
    }

    /// Checks a list has at most `max` items.
    pub fn at_most_items(&mut self, field: &str, len: usize, max: usize) {
        if len > max {
            self.fail(field, format!("must list at most {max} items, got {len}"));
        }
    }

    /// Checks an identifier: not blank, at most [`MAX_IDENTIFIER_LEN`] characters, no control
    /// characters, and not a national id number or phone number in clear.
    pub fn identifier(&mut self, field: &str, value: &str) {
        // Most identifiers are short ASCII keys with letters: one pass over the bytes tells
        // that such a one passes every check below (this runs six times per grant).
        if value.len() <= MAX_IDENTIFIER_LEN && plainly_pseudonymous(value.as_bytes()) {
            return;
        }
        if value.trim().is_empty() {
            self.fail(field, "must not be empty");
            return;
        }
        // A string of at most N bytes has at most N characters: count only longer ones.
        if value.len() > MAX_IDENTIFIER_LEN && value.chars().count() > MAX_IDENTIFIER_LEN {
            self.fail(
                field,
                format!("must be at most {MAX_IDENTIFIER_LEN} characters"),
            );
            return;
        }
        if value.chars().any(char::is_control) {
            self.fail(field, "must not contain control characters");
            return;
        }
        if let Some(what) = pii_kind(value) {
            self.fail_with(
                field,
                format!("looks like {what} in clear; send a pseudonymous key or hash instead"),
                ErrorCode::PiiInClear,
            );
        }
    }

    /// Whether nothing failed so far.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The problems found, in the order they were checked.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }

    /// `Ok(())` if nothing failed, else the collected errors.
    pub fn finish(self) -> Result<(), EngineError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(EngineError::Invalid(self.errors))
        }
    }
}

/// Whether `bytes` are ASCII with no control character, not all whitespace, and with a byte
/// neither [`pii_kind`] nor a separator allows (a letter other than `X`, say): then the text is
/// a valid identifier of at most its byte length in characters, and no id or phone number.
fn plainly_pseudonymous(bytes: &[u8]) -> bool {
    // Printable ASCII throughout (a space to a tilde): no control character, one character a
    // byte. The other two tests stop at the first byte that settles them, the first byte of
    // most keys.
    bytes.iter().all(|&b| b.wrapping_sub(b' ') < 0x5f)
        && bytes.iter().any(|&b| b != b' ')
        && bytes.iter().any(|&b| {
            !(b.is_ascii_digit()
                || matches!(b, b'+' | b'X' | b'x' | b' ' | b'-' | b'.' | b'(' | b')'))
        })
}

/// What kind of personal data in clear a value looks like, if any: a PRC resident id number
/// (18 characters, 17 digits and a digit or X, with a plausible birth date) or a phone number
/// (a PRC mobile number, with or without +86, or any `+`-prefixed international number).
///
/// The whole value is tested after removing spaces, dashes, dots and brackets, so a
/// pseudonymous hash that merely contains digits is not refused.
pub fn pii_kind(value: &str) -> Option<&'static str> {
    // Both patterns are digits with at most a leading `+` and a final `X`, once separators are
    // removed: any other character rules them out without building the compact form. This runs
    // for every identifier of every grant, and most are pseudonymous keys with letters.
    let possible = value.chars().all(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                '+' | 'X' | 'x' | ' ' | '-' | '.' | '(' | ')' | '\u{3000}'
            )
    });
    if !possible {
        return None;
    }
    let compact: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{3000}'))
        .collect();
    if looks_like_prc_id(&compact) {
        return Some("a PRC resident id number");
    }
    if looks_like_phone(&compact) {
        return Some("a phone number");
    }
    None
}

fn looks_like_prc_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !(b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x') {
        return false;
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
    let (year, month, day) = (num(6..10), num(10..12), num(12..14));
    (1900..=2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn looks_like_phone(s: &str) -> bool {
    let (international, digits) = match s.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix("00").unwrap_or(s)),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let national = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(digits);
    let cn_mobile = national.len() == 11
        && national.as_bytes()[0] == b'1'
        && (b'3'..=b'9').contains(&national.as_bytes()[1]);
    cn_mobile || (international && (8..=15).contains(&digits.len()))
}

/// Reads a JSON value already built (an element-table row) into `T`, naming the field path of
/// any type error as [`parse_json`] does.
pub fn parse_value<T: DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> Result<T, EngineError> {
    serde_path_to_error::deserialize(value).map_err(|e| path_error(e, what))
}

/// Parses a JSON document into `T`, naming the field path of any type error.
///
/// Syntax errors and truncated documents give [`ErrorCode::MalformedDocument`] with the line
/// and column; wrong types, missing fields, unknown fields and unknown enum values give
/// [`ErrorCode::InvalidField`] with the full path (`contract.term_months`). `what` names the
/// document (`case`, `product`) and prefixes paths at the root.
pub fn parse_json<T: DeserializeOwned>(document: &str, what: &str) -> Result<T, EngineError> {
    let mut de = serde_json::Deserializer::from_str(document);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| path_error(e, what))?;
    de.end().map_err(|e| {
        EngineError::Invalid(vec![FieldError::with_code(
            what,
            format!("trailing characters after the JSON document ({e})"),
            ErrorCode::MalformedDocument,
        )])
    })?;
    Ok(value)
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>, what: &str) -> EngineError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let message = inner.to_string();
    let (code, reason, field) = match inner.classify() {
        serde_json::error::Category::Eof => (
            ErrorCode::MalformedDocument,
            format!(
                "truncated JSON: the document ends early (line {}, column {})",
                inner.line(),
                inner.column()
            ),
            what.to_string(),
        ),
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => (
            ErrorCode::MalformedDocument,
            format!("malformed JSON: {message}"),
            // A syntax error inside a value (a number out of range) still has a path.
            if path == "." || path.is_empty() {
                what.to_string()
            } else {
                path.clone()
            },
        ),
        serde_json::error::Category::Data => {
            let bare = strip_position(&message);
            let mut field = if path == "." || path.is_empty() {
                String::new()
            } else {
                path.clone()
            };
            // serde reports a missing or unknown field at its parent: name the field itself.
            let named = quoted_after(bare, "missing field `")
                .or_else(|| quoted_after(bare, "unknown field `"));
            if let Some(name) = named
                && !field.ends_with(name)
            {
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(name);
            }
            let reason = if bare.starts_with("missing field") {
                "is required".to_string()
            } else {
                bare.to_string()
            };
            (
                ErrorCode::InvalidField,
                reason,
                if field.is_empty() {
                    what.to_string()
                } else {
                    field
                },
            )
        }
    };
    EngineError::Invalid(vec![FieldError::with_code(field, reason, code)])
}

fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The checks of [`Checker::identifier`] one by one, as they ran before its fast path.
    fn identifier_problem(value: &str) -> Option<String> {
        if value.trim().is_empty() {
            return Some("empty".into());
        }
        if value.chars().count() > MAX_IDENTIFIER_LEN {
            return Some("long".into());
        }
        if value.chars().any(char::is_control) {
            return Some("control".into());
        }
        pii_kind(value).map(str::to_string)
    }

    #[test]
    fn the_fast_path_for_identifiers_takes_plain_keys_only() {
        for plain in [
            "k9516e9ca100c6501",
            "G0000000011",
            "INST-001",
            "a b",
            "X1 a",
        ] {
            assert!(plainly_pseudonymous(plain.as_bytes()), "{plain:?}");
        }
        for other in [
            "",
            "   ",
            "a\x7f",
            "a\tb",
            "13812345678",
            "+86 138 1234 5678",
            "11010519491231002X",
            "x",
            "客户1",
            "abc\u{3000}",
        ] {
            assert!(!plainly_pseudonymous(other.as_bytes()), "{other:?}");
        }
    }

    proptest! {
        // Cheap cases, and a control character among printable ones is rare in 256 of them
        // (a fast path that let DEL through survived the default count).
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The one-pass test for plain ASCII keys only passes identifiers that every check
        /// passes, and the checker refuses exactly what the checks refuse.
        #[test]
        fn the_fast_path_for_identifiers_agrees_with_every_check(
            value in "[ -~\\t\\n\\x7f\u{3000}é]{0,20}|[0-9 +X()-]{0,20}|[a-z0-9]{1,140}"
        ) {
            let problem = identifier_problem(&value);
            if plainly_pseudonymous(value.as_bytes()) && value.len() <= MAX_IDENTIFIER_LEN {
                prop_assert_eq!(&problem, &None);
            }
            let mut checker = Checker::new();
            checker.identifier("key", &value);
            prop_assert_eq!(checker.is_ok(), problem.is_none(), "{:?}", value);
        }
    }

    #[test]
    fn pii_detects_ids_and_phones_in_clear() {
        assert_eq!(
            pii_kind("11010519491231002X"),
            Some("a PRC resident id number")
        );
        assert_eq!(
            pii_kind("110105194912310021"),
            Some("a PRC resident id number")
        );
        assert_eq!(pii_kind("13812345678"), Some("a phone number"));
        assert_eq!(pii_kind("138-1234-5678"), Some("a phone number"));
        assert_eq!(pii_kind("+86 138 1234 5678"), Some("a phone number"));
        assert_eq!(pii_kind("+1 (415) 555-2671"), Some("a phone number"));
    }

    #[test]
    fn pii_leaves_pseudonymous_keys_alone() {
        for ok in [
            "b7f3",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "B-000123",
            "12345",
            "INST-A",
            "110105194913310021x1",
        ] {
            assert_eq!(pii_kind(ok), None, "{ok}");
        }
    }

    #[test]
    fn checker_collects_every_problem() {
        let mut c = Checker::new();
        c.int_range("contract.term_months", 0, 1, 360);
        c.rate("contract.nominal_annual_rate", f64::NAN, 0.0, 10.0);
        c.identifier("defendant.borrower_key", "13812345678");
        let errors = c.into_errors();
        assert_eq!(errors.len(), 3);
        assert_eq!(
            errors[0].to_string(),
            "contract.term_months: must be between 1 and 360, got 0"
        );
        assert!(errors[1].reason.contains("finite"));
        assert_eq!(errors[2].code, ErrorCode::PiiInClear);
    }
}
