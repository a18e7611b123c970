//! Marketing text checks: a phrase lexicon per language (data, `rules/marketing/*.toml`) and a
//! scanner that finds every phrase of every category in an ad, with character offsets.
//!
//! Text is normalised before matching (full-width forms to half-width, ASCII lower case) with a
//! one-to-one character mapping, so offsets point into the original text. English phrases
//! match on word boundaries ("apr" does not match "April").

use crate::error::EngineError;
use serde::{Deserialize, Serialize};

/// Phrase lists of one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// Version string, reported with findings.
    pub version: String,
    /// Language tag.
    pub language: String,
    /// A price of credit is stated.
    pub price: Vec<String>,
    /// An annualised rate is shown.
    pub annualised: Vec<String>,
    /// A daily or monthly rate is shown.
    pub periodic: Vec<String>,
    /// Interest-free claims.
    pub free: Vec<String>,
    /// Risk warnings.
    pub risk_warning: Vec<String>,
    /// Fees and add-ons named.
    pub fee: Vec<String>,
    /// Inducement.
    pub inducement: Vec<String>,
    /// Vulnerable groups.
    pub vulnerable: Vec<String>,
}

/// The embedded lexicons.
pub const EMBEDDED: [(&str, &str); 2] = [
    (
        "rules/marketing/zh.toml",
        include_str!("../../rules/marketing/zh.toml"),
    ),
    (
        "rules/marketing/en.toml",
        include_str!("../../rules/marketing/en.toml"),
    ),
];

/// Categories of phrases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Price of credit.
    Price,
    /// Annualised rate.
    Annualised,
    /// Daily or monthly rate.
    Periodic,
    /// Interest-free claim.
    Free,
    /// Risk warning.
    RiskWarning,
    /// Fee named.
    Fee,
    /// Inducement.
    Inducement,
    /// Vulnerable group.
    Vulnerable,
}

/// One phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhraseMatch {
    /// Category.
    pub category: Category,
    /// The lexicon phrase.
    pub phrase: String,
    /// First character (0-based, in characters, not bytes).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// Every lexicon, used together (ads mix languages).
#[derive(Debug, Clone, PartialEq)]
pub struct Lexicons {
    lexicons: Vec<Lexicon>,
}

impl Lexicons {
    /// The embedded Chinese and English lexicons.
    pub fn embedded() -> Result<Self, EngineError> {
        let lexicons = EMBEDDED
            .iter()
            .map(|(name, text)| parse_lexicon(text, name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { lexicons })
    }

    /// Lexicons from TOML texts `(name, text)`.
    pub fn from_texts(texts: &[(&str, &str)]) -> Result<Self, EngineError> {
        let lexicons = texts
            .iter()
            .map(|(name, text)| parse_lexicon(text, name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { lexicons })
    }

    /// Versions, for reports.
    pub fn versions(&self) -> Vec<&str> {
        self.lexicons.iter().map(|l| l.version.as_str()).collect()
    }

    /// Every phrase match in `text`, sorted by position.
    pub fn scan(&self, text: &str) -> Vec<PhraseMatch> {
        let chars: Vec<char> = text.chars().map(normalise_char).collect();
        let mut out = Vec::new();
        for lex in &self.lexicons {
            let lists: [(Category, &Vec<String>); 8] = [
                (Category::Price, &lex.price),
                (Category::Annualised, &lex.annualised),
                (Category::Periodic, &lex.periodic),
                (Category::Free, &lex.free),
                (Category::RiskWarning, &lex.risk_warning),
                (Category::Fee, &lex.fee),
                (Category::Inducement, &lex.inducement),
                (Category::Vulnerable, &lex.vulnerable),
            ];
            for (category, phrases) in lists {
                for phrase in phrases {
                    let pattern: Vec<char> = phrase.chars().map(normalise_char).collect();
                    for start in find_all(&chars, &pattern) {
                        let m = PhraseMatch {
                            category,
                            phrase: phrase.clone(),
                            start,
                            end: start + pattern.len(),
                        };
                        if !out.contains(&m) {
                            out.push(m);
                        }
                    }
                }
            }
        }
        out.sort_by(|a, b| (a.start, a.end, &a.phrase).cmp(&(b.start, b.end, &b.phrase)));
        out
    }
}

fn parse_lexicon(text: &str, name: &str) -> Result<Lexicon, EngineError> {
    let err = |key: String, reason: String| EngineError::Ruleset {
        source_name: name.to_string(),
        key,
        reason,
    };
    let value: toml::Table =
        toml::from_str(text).map_err(|e| err("(syntax)".into(), e.message().to_string()))?;
    let lex: Lexicon = serde_path_to_error::deserialize(toml::Value::Table(value))
        .map_err(|e| err(e.path().to_string(), e.into_inner().to_string()))?;
    let lists = [
        ("price", &lex.price),
        ("annualised", &lex.annualised),
        ("periodic", &lex.periodic),
        ("free", &lex.free),
        ("risk_warning", &lex.risk_warning),
        ("fee", &lex.fee),
        ("inducement", &lex.inducement),
        ("vulnerable", &lex.vulnerable),
    ];
    for (key, list) in lists {
        if let Some(i) = list.iter().position(|p| p.trim().is_empty()) {
            return Err(err(format!("{key}[{i}]"), "must not be empty".into()));
        }
    }
    Ok(lex)
}

/// Full-width ASCII variants to ASCII, ideographic space to space, ASCII to lower case.
fn normalise_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Start positions of `pattern` in `text`; ASCII-word patterns only on word boundaries.
fn find_all(text: &[char], pattern: &[char]) -> Vec<usize> {
    let mut out = Vec::new();
    if pattern.is_empty() || pattern.len() > text.len() {
        return out;
    }
    let word_start = pattern.first().is_some_and(|c| is_word(*c));
    let word_end = pattern.last().is_some_and(|c| is_word(*c));
    for i in 0..=text.len() - pattern.len() {
        if text[i..i + pattern.len()] != *pattern {
            continue;
        }
        if word_start && i > 0 && is_word(text[i - 1]) {
            continue;
        }
        let after = i + pattern.len();
        if word_end && after < text.len() && is_word(text[after]) {
            continue;
        }
        out.push(i);
    }
    out
}

/// What one ad shows, derived from its matches.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdFacts {
    /// Every match.
    pub matches: Vec<PhraseMatch>,
}

impl AdFacts {
    /// Scans one text.
    pub fn of(text: &str, lexicons: &Lexicons) -> Self {
        Self {
            matches: lexicons.scan(text),
        }
    }

    /// Matches of one category.
    pub fn of_category(&self, c: Category) -> impl Iterator<Item = &PhraseMatch> {
        self.matches.iter().filter(move |m| m.category == c)
    }

    fn first(&self, c: Category) -> Option<&PhraseMatch> {
        self.of_category(c).next()
    }

    /// MK-NO-APR: a price (or periodic rate) is stated but no annualised rate; the first
    /// price phrase is the evidence.
    pub fn no_apr(&self) -> Option<&PhraseMatch> {
        if self.first(Category::Annualised).is_some() {
            return None;
        }
        self.first(Category::Price)
            .or_else(|| self.first(Category::Periodic))
            .or_else(|| self.first(Category::Free))
    }

    /// MK-PERIODIC-RATE: a daily or monthly rate with no annualised rate before it.
    pub fn periodic_first(&self) -> Option<&PhraseMatch> {
        let periodic = self.first(Category::Periodic)?;
        match self.first(Category::Annualised) {
            Some(a) if a.start < periodic.start => None,
            _ => Some(periodic),
        }
    }

    /// Whether the ad carries a risk warning.
    pub fn has_risk_warning(&self) -> bool {
        self.first(Category::RiskWarning).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> AdFacts {
        AdFacts::of(text, &Lexicons::embedded().unwrap())
    }

    #[test]
    fn daily_rate_without_annual_fires_both_rate_checks() {
        let f = facts("日息低至0.02%，秒到账");
        let p = f.periodic_first().unwrap();
        assert_eq!((p.phrase.as_str(), p.start, p.end), ("日息", 0, 2));
        assert!(f.no_apr().is_some());
        assert_eq!(
            f.of_category(Category::Inducement).next().unwrap().phrase,
            "秒到账"
        );
    }

    #[test]
    fn annual_rate_first_clears_both_rate_checks() {
        let f = facts("年化利率(单利)7.2%起，日利率低至0.02%。贷款有风险，借款需谨慎。");
        assert!(f.no_apr().is_none());
        assert!(f.periodic_first().is_none());
        assert!(f.has_risk_warning());
    }

    #[test]
    fn annual_rate_after_the_daily_one_still_fires_periodic() {
        let f = facts("日利率0.02%，年化利率7.2%");
        assert!(f.periodic_first().is_some());
        assert!(f.no_apr().is_none());
    }

    #[test]
    fn english_matches_on_word_boundaries_and_full_width_is_normalised() {
        assert!(facts("Apply in April for a great rate").no_apr().is_some());
        assert!(facts("Representative APR 19.9%").no_apr().is_none());
        let f = facts("ＮＯ ＣＲＥＤＩＴ ＣＨＥＣＫ for students");
        assert_eq!(f.of_category(Category::Inducement).next().unwrap().start, 0);
        assert!(f.of_category(Category::Vulnerable).next().is_some());
    }
}
