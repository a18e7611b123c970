//! Marketing text checks: a phrase lexicon per language (data, `rules/marketing/*.toml`) and a
//! scanner that finds every phrase of every category in an ad, with character offsets.
//!
//! Text is normalised before matching (full-width forms to half-width, ASCII lower case) with a
//! one-to-one character mapping, so offsets point into the original text. English phrases
//! match on word boundaries ("apr" does not match "April").

use crate::error::EngineError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
    /// Words that deny the fee phrase they stand just before ("no" hidden fees, 无手续费): a
    /// denied fee phrase does not disclose a fee (MK-HIDDEN-FEE).
    #[serde(default)]
    pub negation: Vec<String>,
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
    /// The negation words of every lexicon, normalised, longest first.
    negations: Vec<Vec<char>>,
    /// Every phrase, normalised once, in lexicon and category order.
    patterns: Vec<Pattern>,
    /// Indices into `patterns` by their first (normalised) character.
    by_first: HashMap<char, Vec<usize>>,
}

/// A lexicon phrase as the scanner matches it.
#[derive(Debug, Clone, PartialEq)]
struct Pattern {
    category: Category,
    phrase: String,
    chars: Vec<char>,
    word_start: bool,
    word_end: bool,
}

impl Lexicons {
    /// The embedded Chinese and English lexicons.
    pub fn embedded() -> Result<Self, EngineError> {
        Self::from_texts(&EMBEDDED)
    }

    /// Lexicons from TOML texts `(name, text)`.
    pub fn from_texts(texts: &[(&str, &str)]) -> Result<Self, EngineError> {
        let lexicons = texts
            .iter()
            .map(|(name, text)| parse_lexicon(text, name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::indexed(lexicons))
    }

    /// Normalises every phrase once and indexes them by first character.
    fn indexed(lexicons: Vec<Lexicon>) -> Self {
        let mut patterns = Vec::new();
        for lex in &lexicons {
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
                    let chars: Vec<char> = phrase.chars().map(normalise_char).collect();
                    // The same phrase twice in a category (or in two lexicons) matches once.
                    if chars.is_empty()
                        || patterns
                            .iter()
                            .any(|p: &Pattern| p.category == category && p.phrase == *phrase)
                    {
                        continue;
                    }
                    patterns.push(Pattern {
                        category,
                        phrase: phrase.clone(),
                        word_start: chars.first().is_some_and(|c| is_word(*c)),
                        word_end: chars.last().is_some_and(|c| is_word(*c)),
                        chars,
                    });
                }
            }
        }
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (k, p) in patterns.iter().enumerate() {
            by_first.entry(p.chars[0]).or_default().push(k);
        }
        let mut negations: Vec<Vec<char>> = lexicons
            .iter()
            .flat_map(|l| &l.negation)
            .map(|w| w.trim().chars().map(normalise_char).collect::<Vec<char>>())
            .filter(|w| !w.is_empty())
            .collect();
        negations.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        negations.dedup();
        Self {
            lexicons,
            negations,
            patterns,
            by_first,
        }
    }

    /// Whether the phrase starting at character `start` of `text` is denied by a negation word
    /// of the lexicons standing just before it (spaces between them allowed): "no hidden fees",
    /// "without fees", 无手续费, 免服务费, 0手续费, 不收费.
    pub fn denied(&self, text: &str, start: usize) -> bool {
        let before: Vec<char> = text.chars().take(start).map(normalise_char).collect();
        let mut end = before.len();
        while end > 0 && before[end - 1].is_whitespace() {
            end -= 1;
        }
        let before = &before[..end];
        self.negations.iter().any(|w| {
            before.ends_with(w)
                && (before.len() == w.len()
                    || !is_word(w[0])
                    || !is_word(before[before.len() - w.len() - 1]))
        })
    }

    /// Versions, for reports.
    pub fn versions(&self) -> Vec<&str> {
        self.lexicons.iter().map(|l| l.version.as_str()).collect()
    }

    /// Every phrase match in `text`, sorted by position.
    pub fn scan(&self, text: &str) -> Vec<PhraseMatch> {
        let chars: Vec<char> = text.chars().map(normalise_char).collect();
        let mut out: Vec<PhraseMatch> = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            let Some(candidates) = self.by_first.get(c) else {
                continue;
            };
            for &k in candidates {
                let p = &self.patterns[k];
                let end = i + p.chars.len();
                if end > chars.len() || chars[i..end] != *p.chars {
                    continue;
                }
                if p.word_start && i > 0 && is_word(chars[i - 1]) {
                    continue;
                }
                if p.word_end && end < chars.len() && is_word(chars[end]) {
                    continue;
                }
                out.push(PhraseMatch {
                    category: p.category,
                    phrase: p.phrase.clone(),
                    start: i,
                    end,
                });
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
        ("negation", &lex.negation),
    ];
    for (key, list) in lists {
        if let Some(i) = list.iter().position(|p| p.trim().is_empty()) {
            return Err(err(format!("{key}[{i}]"), "must not be empty".into()));
        }
    }
    Ok(lex)
}

/// Traditional characters common in loan ads, with their simplified forms (a cheap one-to-one
/// table, so offsets stay valid; not a full converter).
const TRADITIONAL: [(char, char); 48] = [
    ('貸', '贷'),
    ('險', '险'),
    ('學', '学'),
    ('費', '费'),
    ('會', '会'),
    ('員', '员'),
    ('還', '还'),
    ('審', '审'),
    ('證', '证'),
    ('無', '无'),
    ('專', '专'),
    ('業', '业'),
    ('額', '额'),
    ('轉', '转'),
    ('與', '与'),
    ('錢', '钱'),
    ('萬', '万'),
    ('億', '亿'),
    ('現', '现'),
    ('實', '实'),
    ('際', '际'),
    ('請', '请'),
    ('謹', '谨'),
    ('歲', '岁'),
    ('養', '养'),
    ('隨', '随'),
    ('時', '时'),
    ('點', '点'),
    ('級', '级'),
    ('應', '应'),
    ('認', '认'),
    ('對', '对'),
    ('當', '当'),
    ('從', '从'),
    ('這', '这'),
    ('們', '们'),
    ('個', '个'),
    ('為', '为'),
    ('說', '说'),
    ('劃', '划'),
    ('擔', '担'),
    ('保', '保'),
    ('風', '风'),
    ('徵', '征'),
    ('癒', '愈'),
    ('門', '门'),
    ('檻', '槛'),
    ('職', '职'),
];

/// Full-width ASCII variants to ASCII, ideographic space to space, common traditional
/// characters to simplified, ASCII to lower case. One character in, one out.
fn normalise_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => TRADITIONAL
            .iter()
            .find(|(t, _)| *t == c)
            .map_or(c, |(_, s)| *s),
    };
    c.to_ascii_lowercase()
}

/// The text as the analyser reads it: full-width forms, common traditional characters and
/// ASCII case normalised, one character for one character.
pub fn normalise(text: &str) -> String {
    text.chars().map(normalise_char).collect()
}

/// A rate or price an ad states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatedRate {
    /// The rate per unit period as a decimal (万分之五 is 0.0005).
    pub value: f64,
    /// The period it refers to.
    pub unit: crate::domain::product::RateUnit,
    /// Whether it is labelled as an annualised rate (年化, APR, APRC).
    pub annualised_label: bool,
    /// Whether it is a "from" rate (起, 低至, as low as, from).
    pub from: bool,
    /// The characters of the number (0-based, in characters).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The phrase as written, with its unit.
    pub phrase: String,
}

const DAILY: [&str; 10] = [
    "日息",
    "日利率",
    "日费率",
    "每天",
    "每日",
    "per day",
    "a day",
    "/day",
    "daily",
    "/天",
];
const MONTHLY: [&str; 13] = [
    "月息",
    "月利率",
    "月费率",
    "每月",
    "per month",
    "a month",
    "/month",
    "monthly",
    "/月",
    "月供",
    "每期",
    "per instalment",
    "per installment",
];
const ANNUAL: [&str; 9] = [
    "年化",
    "年利率",
    "年息",
    "apr",
    "aprc",
    "per annum",
    "p.a.",
    "a year",
    "annual",
];
const LABELLED: [&str; 4] = ["年化", "apr", "aprc", "annual percentage rate"];

fn chinese_number(chars: &[char]) -> Option<(f64, usize)> {
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c);
    let mut i = 0;
    let mut value = 0.0;
    let mut current = 0.0;
    while i < chars.len() {
        match chars[i] {
            '十' => {
                current = if current == 0.0 { 10.0 } else { current * 10.0 };
                value += current;
                current = 0.0;
            }
            '两' => current = 2.0,
            c => match digit(c) {
                Some(d) => current = d as f64,
                None => break,
            },
        }
        i += 1;
    }
    (i > 0).then_some((value + current, i))
}

fn arabic_number(chars: &[char]) -> Option<(f64, usize)> {
    let mut i = 0;
    while i < chars.len() && (chars[i].is_ascii_digit() || (chars[i] == '.' && i > 0)) {
        i += 1;
    }
    while i > 0 && chars[i - 1] == '.' {
        i -= 1;
    }
    if i == 0 {
        return None;
    }
    let text: String = chars[..i].iter().collect();
    text.parse::<f64>().ok().map(|v| (v, i))
}

/// Start positions of any of `markers` inside `chars[from..to]`.
fn marker_positions(chars: &[char], markers: &[&str], from: usize, to: usize) -> Vec<usize> {
    let (from, to) = (from.min(chars.len()), to.min(chars.len()));
    if from >= to {
        return Vec::new();
    }
    let window = &chars[from..to];
    markers
        .iter()
        .flat_map(|m| {
            let pattern: Vec<char> = m.chars().collect();
            find_all(window, &pattern)
                .into_iter()
                .map(move |p| p + from)
        })
        .collect()
}

fn find_near(chars: &[char], markers: &[&str], from: usize, to: usize) -> Option<usize> {
    marker_positions(chars, markers, from, to).into_iter().min()
}

/// Whether the amount at `chars[start..end]` is a price per 1,000 borrowed: `0.5元/千元`,
/// `每千元每天0.5元`, `$1 a day per $1,000`, `1 per 1,000`.
fn per_thousand(chars: &[char], start: usize, end: usize) -> bool {
    let after: String = chars[end..(end + 20).min(chars.len())].iter().collect();
    let before: String = chars[start.saturating_sub(10)..start].iter().collect();
    after.starts_with("元/千元")
        || after.starts_with("/千元")
        || (before.contains("每千元") && after.starts_with('元'))
        || after.contains("per $1,000")
        || after.contains("per 1,000")
}

/// Every rate the text states with a unit: `12%` or `0.05%`, or 万分之五 / 千分之三 / 百分之二,
/// next to a daily, monthly or annual marker within a few characters. A percentage with no
/// period (100%通过) is not a rate and is left out.
pub fn extract_rates(text: &str) -> Vec<StatedRate> {
    use crate::domain::product::RateUnit;
    let chars: Vec<char> = text.chars().map(normalise_char).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        let starts = |p: &str| rest.iter().take(p.chars().count()).copied().eq(p.chars());
        let (value, start, end) = if let Some(scale) =
            [("万分之", 1e-4), ("千分之", 1e-3), ("百分之", 1e-2)]
                .iter()
                .find(|(p, _)| starts(p))
        {
            let num_at = i + 3;
            match arabic_number(&chars[num_at..]).or_else(|| chinese_number(&chars[num_at..])) {
                Some((v, n)) => (v * scale.1, i, num_at + n),
                None => {
                    i += 1;
                    continue;
                }
            }
        } else if let Some((v, n)) =
            arabic_number(rest).filter(|(_, n)| chars.get(i + n) == Some(&'%'))
        {
            (v / 100.0, i, i + n + 1)
        } else if let Some((v, n)) =
            arabic_number(rest).filter(|(_, n)| per_thousand(&chars, i, i + n))
        {
            // A price per 1,000 borrowed: 0.5元/千元 is 0.0005 of the principal.
            (v / 1000.0, i, i + n)
        } else {
            i += 1;
            continue;
        };
        // The number's clause: markers count only up to the nearest separator on either side.
        let is_sep = |c: char| {
            matches!(
                c,
                '，' | '。' | '；' | ',' | ';' | '!' | '！' | '?' | '？' | '\n'
            )
        };
        let clause_start = chars[..start]
            .iter()
            .rposition(|c| is_sep(*c))
            .map_or(0, |p| p + 1);
        let clause_end = chars[end..]
            .iter()
            .position(|c| is_sep(*c))
            .map_or(chars.len(), |p| end + p);
        let window_before = start.saturating_sub(10).max(clause_start);
        let window_after = (end + 12).min(clause_end);
        // A marker before the number wins over one after it; the nearest wins within a side.
        let nearest = |markers: &[&str]| -> Option<usize> {
            let before = marker_positions(&chars, markers, window_before, start)
                .into_iter()
                .max()
                .map(|p| start - p);
            let after = marker_positions(&chars, markers, end, window_after)
                .into_iter()
                .min()
                .map(|p| 100 + p - end);
            before.or(after)
        };
        let candidates = [
            (RateUnit::Daily, nearest(&DAILY)),
            (RateUnit::Monthly, nearest(&MONTHLY)),
            (RateUnit::Annual, nearest(&ANNUAL)),
        ];
        let unit = candidates
            .iter()
            .filter_map(|(u, d)| d.map(|d| (d, *u)))
            .min_by_key(|(d, _)| *d)
            .map(|(_, u)| u);
        if let Some(unit) = unit {
            let labelled = unit == RateUnit::Annual
                && find_near(&chars, &LABELLED, window_before, window_after).is_some();
            let from = chars.get(end) == Some(&'起')
                || find_near(
                    &chars,
                    &["低至", "低到", "仅", "as low as", "from"],
                    start.saturating_sub(12),
                    start,
                )
                .is_some();
            let phrase_from = window_before.max(start.saturating_sub(4));
            out.push(StatedRate {
                value,
                unit,
                annualised_label: labelled,
                from,
                start,
                end,
                phrase: text
                    .chars()
                    .skip(phrase_from)
                    .take((end + 2).min(chars.len()) - phrase_from)
                    .collect(),
            });
        }
        i = end;
    }
    out
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
    fn rate_extraction_vectors() {
        use crate::domain::product::RateUnit;
        let one = |t: &str| {
            let r = extract_rates(t);
            assert_eq!(r.len(), 1, "{t}: {r:?}");
            r[0].clone()
        };
        let r = one("日息万分之五，借一万每天五元");
        assert!(
            (r.value - 0.0005).abs() < 1e-15 && r.unit == RateUnit::Daily && !r.annualised_label
        );
        let r = one("月费率0.8%，按月还款");
        assert!((r.value - 0.008).abs() < 1e-15 && r.unit == RateUnit::Monthly);
        let r = one("APR 35.9% representative");
        assert!(
            (r.value - 0.359).abs() < 1e-12 && r.unit == RateUnit::Annual && r.annualised_label
        );
        let r = one("年化7.2%起，贷款有风险");
        assert!(
            (r.value - 0.072).abs() < 1e-12
                && r.unit == RateUnit::Annual
                && r.annualised_label
                && r.from
        );
        let r = one("Only 0.05% per day!");
        assert!((r.value - 0.0005).abs() < 1e-15 && r.unit == RateUnit::Daily);
        let r = one("日利率低至0.02%");
        assert!(r.from && r.unit == RateUnit::Daily);
        assert!(extract_rates("100%通过，秒到账").is_empty());
        let r = one("每天只需0.5元/千元");
        assert!(
            (r.value - 0.0005).abs() < 1e-15 && r.unit == RateUnit::Daily,
            "{r:?}"
        );
        let r = one("Just $1 a day per $1,000");
        assert!(
            (r.value - 0.001).abs() < 1e-15 && r.unit == RateUnit::Daily,
            "{r:?}"
        );
        let r = one("每千元每天0.3元");
        assert!(
            (r.value - 0.0003).abs() < 1e-15 && r.unit == RateUnit::Daily,
            "{r:?}"
        );
        let r = one("每期手续费0.6%");
        assert!(
            (r.value - 0.006).abs() < 1e-15 && r.unit == RateUnit::Monthly,
            "{r:?}"
        );
        let r = one("日息萬分之三");
        assert!((r.value - 0.0003).abs() < 1e-15);
        let both = extract_rates("年化利率(单利)10.95%，日利率0.03%");
        assert_eq!(
            both.iter().map(|r| r.unit).collect::<Vec<_>>(),
            vec![RateUnit::Annual, RateUnit::Daily]
        );
    }

    #[test]
    fn traditional_characters_match_the_simplified_lexicon() {
        let f = facts("貸款有風險，借款需謹慎。年化利率12%");
        assert!(f.has_risk_warning());
        assert!(
            facts("不看徵信，大學生專享")
                .of_category(Category::Vulnerable)
                .next()
                .is_some()
        );
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
