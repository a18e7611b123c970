//! Marketing text analysis: a claim grammar per language (data, `rules/marketing/*.toml`),
//! compiled once at load, that finds the claims an ad makes (speed, guaranteed approval,
//! skipped checks, low eligibility, borrowing freely, vulnerable groups, interest-free, price
//! claims, fees, risk warnings) with their character offsets and typed slots, and the price
//! parser ([`price`]) that reads every stated price of credit into a structured, annualised
//! [`Price`].
//!
//! Text is normalised before matching (full-width forms to half-width, common traditional
//! characters to simplified, ASCII lower case) one character for one character, so offsets
//! point into the original text. A claim preceded in its clause by a negation cue
//! (`我们不承诺百分百下款`, "we never promise guaranteed approval") or followed by one
//! (`学生勿扰`, "students are not eligible") is reported as negated and makes no finding; in
//! English, a cue before a list reaches its short items ("not a dependant, a student or under
//! age").

mod anchors;
pub mod pattern;
pub mod price;

use crate::error::EngineError;
pub use pattern::{Pattern, SlotKind, SlotValue};
pub use price::{Annualised, Price, PriceForm, PricePeriod};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The embedded grammars.
pub const EMBEDDED: [(&str, &str); 2] = [
    (
        "rules/marketing/zh.toml",
        include_str!("../../../rules/marketing/zh.toml"),
    ),
    (
        "rules/marketing/en.toml",
        include_str!("../../../rules/marketing/en.toml"),
    ),
];

/// What a claim family evidences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A claim about the price with no figure (低息, low rates): a price is talked about.
    Price,
    /// Interest-free claim.
    Free,
    /// Risk warning.
    RiskWarning,
    /// Fee named.
    Fee,
    /// Inducement (speed, guaranteed approval, skipped checks, low eligibility, borrow freely).
    Inducement,
    /// Vulnerable group targeted.
    Vulnerable,
}

impl Category {
    /// Whether claims of this category can be negated by default.
    fn negatable(self) -> bool {
        matches!(self, Self::Inducement | Self::Vulnerable | Self::Free)
    }
}

/// One grammar file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrammarFile {
    version: String,
    language: String,
    #[serde(default)]
    negation: NegationFile,
    #[serde(default)]
    family: Vec<FamilyFile>,
    #[serde(default)]
    price: Vec<PriceFile>,
    /// Words that, right before a price form's match, make the rate a ceiling (a cap a law sets,
    /// a rate a lender "should charge"), not the credit's price: added to the `not_after` of every
    /// price form of the file with `ceilings = true`.
    #[serde(default)]
    ceiling_words: Vec<String>,
    /// Named word lists (`[word_lists]`): an entry `"@name"` in a family's or a price form's
    /// `not_after` or `not_before` stands for the words of the list `name`, so that families
    /// sharing the same conditions write them once.
    #[serde(default)]
    word_lists: std::collections::BTreeMap<String, Vec<String>>,
}

/// `words` with each `@name` replaced by the words of the file's list `name`; the first entry
/// that names no list is the error.
fn with_word_lists(
    words: &[String],
    lists: &std::collections::BTreeMap<String, Vec<String>>,
) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        match word.strip_prefix('@') {
            Some(name) => match lists.get(name) {
                Some(list) => out.extend(list.iter().cloned()),
                None => return Err(word.clone()),
            },
            None => out.push(word.clone()),
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationFile {
    #[serde(default)]
    before: Vec<String>,
    #[serde(default)]
    after: Vec<String>,
    #[serde(default)]
    fee: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyFile {
    name: String,
    category: Category,
    #[serde(default)]
    negatable: Option<bool>,
    #[serde(default)]
    max_duration_days: Option<f64>,
    #[serde(default)]
    not_after: Vec<String>,
    #[serde(default)]
    not_before: Vec<String>,
    patterns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceFile {
    name: String,
    period: PricePeriod,
    /// With `period = "days"`: the days in the period (`14` for a fortnight).
    #[serde(default)]
    days: Option<f64>,
    /// Words that, right before a match, make it no price (as a claim family's).
    #[serde(default)]
    not_after: Vec<String>,
    /// Words that, right after a match, make it no price: "6 pc on weekly loans" is the cost of
    /// a week's loan, not a rate a week.
    #[serde(default)]
    not_before: Vec<String>,
    #[serde(default)]
    fee: bool,
    #[serde(default)]
    annualised_label: bool,
    /// Whether the file's `ceiling_words` drop this form's match as its `not_after` words do.
    #[serde(default)]
    ceilings: bool,
    patterns: Vec<String>,
}

/// A claim pattern, compiled.
#[derive(Debug, Clone, PartialEq)]
struct Claim {
    category: Category,
    /// Shared with every match (a match's `family` is this, not a copy).
    family: std::sync::Arc<str>,
    /// The pattern's text, shared with every match.
    source: std::sync::Arc<str>,
    negatable: bool,
    max_duration_days: Option<f64>,
    /// Words (normalised) that, right before a match with only spaces between, make it
    /// something else: "approval rate is 85%" is not a price.
    not_after: Vec<Vec<char>>,
    /// Words (normalised) that, right after a match with only spaces between, make it
    /// something else: "without income proof" is about documents, not people without income.
    not_before: Vec<Vec<char>>,
    pattern: Pattern,
}

/// A price pattern, compiled.
#[derive(Debug, Clone, PartialEq)]
struct PriceRule {
    /// Shared with every price it reads.
    family: std::sync::Arc<str>,
    /// The pattern's text, shared with every price it reads.
    source: std::sync::Arc<str>,
    period: PricePeriod,
    /// The days in the period, for `period = "days"`.
    days: Option<f64>,
    /// Words (normalised) right before a match that drop it.
    not_after: Vec<Vec<char>>,
    /// Words (normalised) right after a match that drop it.
    not_before: Vec<Vec<char>>,
    fee: bool,
    labelled: bool,
    pattern: Pattern,
}

/// One claim found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhraseMatch {
    /// Category.
    pub category: Category,
    /// The claim family (`speed`, `skipped_checks`, ...), shared with the grammar.
    pub family: std::sync::Arc<str>,
    /// The grammar pattern that matched, shared with the grammar.
    pub pattern: std::sync::Arc<str>,
    /// The matched text as written.
    pub text: String,
    /// First character (0-based, in characters, not bytes).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The typed slots the match filled.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<SlotValue>,
    /// The negation cue that denies the claim, when one does (it then makes no finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negated_by: Option<String>,
}

/// Version and language of one loaded grammar (claims or clauses).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GrammarInfo {
    pub(crate) version: String,
    pub(crate) language: String,
}

/// Every language's claim grammar, used together (ads mix languages).
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimGrammar {
    grammars: Vec<GrammarInfo>,
    claims: Vec<Claim>,
    claims_index: PatternIndex,
    prices: Vec<PriceRule>,
    prices_index: PatternIndex,
    negation_before: CueSet,
    negation_after: CueSet,
    fee_negation: Vec<Vec<char>>,
    /// The clause grammar (contracts are read with the same pattern machinery).
    contract: crate::contract::ContractGrammar,
}

/// The line (1-based) of the first occurrence of `needle` in `text`, for load errors.
pub(crate) fn line_of(text: &str, needle: &str) -> usize {
    let quoted = format!("\"{needle}\"");
    text.find(&quoted)
        .or_else(|| text.find(needle))
        .map_or(0, |at| text[..at].matches('\n').count() + 1)
}

pub(crate) fn normalised_words(words: &[String]) -> Vec<Vec<char>> {
    let mut v: Vec<Vec<char>> = words
        .iter()
        .map(|w| w.trim().chars().map(normalise_char).collect::<Vec<char>>())
        .filter(|w| !w.is_empty())
        .collect();
    v.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    v.dedup();
    v
}

/// Which patterns to try where. A pattern that starts with literal text is tried only where
/// one of its lead strings occurs; one that starts with a slot, only where that slot parses;
/// one led by a group mixing words and slots, at either; the few others under their first
/// characters. Every pattern is skipped on a text that
/// contains none of its required strings. One read of the text through [`AnchorTrie`] finds
/// both kinds of string.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct PatternIndex {
    /// Lead and required strings.
    anchors: anchors::AnchorTrie,
    /// Per pattern, the ids of its required-string sets: the pattern is tried on a text only
    /// when each of its sets has a string in it.
    required: Vec<Vec<u32>>,
    /// How many sets there are.
    set_count: usize,
    /// The order in which the patterns that can start at one position are tried (an earlier
    /// one wins a tie between two matches of a category): pair-indexed, then char-indexed,
    /// then slot-led, each in grammar order.
    rank: Vec<u32>,
    /// Patterns without lead strings, by their first two characters (sorted by key, searched
    /// by bisection) or their first character.
    by_pair: Vec<((char, char), Vec<usize>)>,
    by_char: Vec<(char, Vec<usize>)>,
    /// Per leading slot kind: the characters the slot can start with (sorted) and the patterns.
    by_slot: Vec<(SlotKind, Vec<char>, Vec<usize>)>,
    /// For each ASCII character, the `by_slot` groups whose slot can start with it (a mask).
    slot_firsts_ascii: Vec<u32>,
    /// The same for other characters, sorted by character.
    slot_firsts_other: Vec<(char, u32)>,
}

impl PatternIndex {
    /// The `by_slot` groups whose slot can start with `c`, as a mask.
    fn slot_firsts(&self, c: char) -> u32 {
        if c.is_ascii() {
            return self.slot_firsts_ascii.get(c as usize).copied().unwrap_or(0);
        }
        self.slot_firsts_other
            .binary_search_by_key(&c, |(k, _)| *k)
            .map_or(0, |i| self.slot_firsts_other[i].1)
    }

    pub(crate) fn of<'a>(patterns: impl Iterator<Item = &'a Pattern>) -> Self {
        let mut by_pair: HashMap<(char, char), Vec<usize>> = HashMap::new();
        let mut by_char: HashMap<char, Vec<usize>> = HashMap::new();
        let mut by_slot: Vec<(SlotKind, Vec<char>, Vec<usize>)> = Vec::new();
        let mut trie = anchors::AnchorTrie::default();
        // Per pattern, its required-string sets (ids into the sets the trie reports).
        let mut required: Vec<Vec<u32>> = Vec::new();
        let mut set_count = 0usize;
        // (group, pattern): group 0 pairs, 1 chars, 2 + n the n-th slot kind.
        let mut groups: Vec<usize> = Vec::new();
        for (k, p) in patterns.enumerate() {
            let mut ids = Vec::new();
            for set in p.required_strings() {
                set.iter().for_each(|s| trie.add_required(s, set_count));
                ids.push(u32::try_from(set_count).unwrap_or(u32::MAX));
                set_count += 1;
            }
            required.push(ids);
            // The slot group of `kind`, made on its first use.
            let mut slot_group =
                |kind: SlotKind| match by_slot.iter().position(|(s, _, _)| *s == kind) {
                    Some(g) => {
                        by_slot[g].2.push(k);
                        g
                    }
                    None => {
                        by_slot.push((kind, pattern::slot_first_chars(kind), vec![k]));
                        by_slot.len() - 1
                    }
                };
            let leads = p.lead_strings();
            // A pattern led by a group mixing words and slots: its words go into the trie,
            // and it joins the group of each of its slots.
            let mixed = match (&leads, p.leading_slot()) {
                (None, None) => p.entry_points(),
                _ => None,
            };
            if let Some(kind) = p.leading_slot() {
                groups.push(2 + slot_group(kind));
            } else {
                if let Some(entry) = &mixed {
                    entry.slots.iter().for_each(|kind| {
                        slot_group(*kind);
                    });
                }
                let indexed = leads.is_some() || mixed.is_some();
                if let Some(pairs) = p.first_pairs() {
                    groups.push(0);
                    if !indexed {
                        for pair in pairs {
                            by_pair.entry(pair).or_default().push(k);
                        }
                    }
                } else {
                    groups.push(1);
                    if !indexed {
                        for c in p.first_chars() {
                            by_char.entry(c).or_default().push(k);
                        }
                    }
                }
            }
            if let Some(leads) = leads {
                leads.iter().for_each(|s| trie.add_lead(s, k));
            }
            if let Some(entry) = mixed {
                entry.leads.iter().for_each(|s| trie.add_lead(s, k));
            }
        }
        trie.finish();
        let n = groups.len();
        let rank = groups
            .iter()
            .enumerate()
            .map(|(k, g)| u32::try_from(g * n + k).unwrap_or(u32::MAX))
            .collect();
        let mut by_pair: Vec<_> = by_pair.into_iter().collect();
        by_pair.sort_unstable_by_key(|(key, _)| *key);
        let mut by_char: Vec<_> = by_char.into_iter().collect();
        by_char.sort_unstable_by_key(|(key, _)| *key);
        let mut slot_firsts_ascii = vec![0u32; 128];
        let mut other: std::collections::BTreeMap<char, u32> = std::collections::BTreeMap::new();
        for (g, (_, firsts, _)) in by_slot.iter().enumerate().take(32) {
            for &c in firsts {
                if c.is_ascii() {
                    slot_firsts_ascii[c as usize] |= 1 << g;
                } else {
                    *other.entry(c).or_default() |= 1 << g;
                }
            }
        }
        Self {
            anchors: trie,
            required,
            set_count,
            rank,
            by_pair,
            by_char,
            by_slot,
            slot_firsts_ascii,
            slot_firsts_other: other.into_iter().collect(),
        }
    }

    /// Every (position, pattern) of a text of `len` characters, in the order
    /// [`PatternIndex::candidates`] gives its own: what the index must agree with.
    #[cfg(test)]
    fn every(&self, len: usize) -> Vec<(usize, usize)> {
        let mut by_rank: Vec<usize> = (0..self.rank.len()).collect();
        by_rank.sort_by_key(|k| self.rank[*k]);
        (0..len)
            .flat_map(|pos| by_rank.iter().map(move |k| (pos, *k)))
            .collect()
    }

    /// Every (position, pattern) worth trying on `text`, by position and, at one position, in
    /// the index's order.
    pub(crate) fn candidates(
        &self,
        text: &[char],
        memo: &pattern::SlotMemo,
    ) -> impl Iterator<Item = (usize, usize)> {
        SETS_FOUND
            .with_borrow_mut(|sets| {
                let scan = sets.start(self.set_count);
                self.candidates_with(text, memo, &mut sets.stamps, scan)
            })
            .into_iter()
            .map(|(at, _, k)| (at as usize, k as usize))
    }

    /// [`PatternIndex::candidates`] as (position, rank, pattern): a set's string is in the
    /// text when its stamp is `scan`.
    fn candidates_with(
        &self,
        text: &[char],
        memo: &pattern::SlotMemo,
        stamps: &mut [u32],
        scan: u32,
    ) -> Vec<(u32, u32, u32)> {
        let rank = |k: usize| self.rank.get(k).copied().unwrap_or(u32::MAX);
        // (position, rank, pattern): lead hits of every pattern first (those of patterns
        // without a required string in the text are dropped below), then slot-led and
        // first-character patterns, only when enabled.
        let mut found: Vec<(u32, u32, u32)> = Vec::with_capacity(64);
        if !self.anchors.is_empty() {
            for pos in 0..text.len() {
                let at = u32::try_from(pos).unwrap_or(u32::MAX);
                self.anchors.at(
                    text,
                    pos,
                    |k| found.push((at, rank(k as usize), k)),
                    |set| {
                        if let Some(stamp) = stamps.get_mut(set as usize) {
                            *stamp = scan;
                        }
                    },
                );
            }
        }
        let on = |k: usize| {
            self.required.get(k).is_some_and(|ids| {
                ids.iter()
                    .all(|set| stamps.get(*set as usize) == Some(&scan))
            })
        };
        found.retain(|(_, _, k)| on(*k as usize));
        let id = |k: usize| u32::try_from(k).unwrap_or(u32::MAX);
        let slots_on: u32 = self
            .by_slot
            .iter()
            .enumerate()
            .filter(|(_, (_, _, list))| list.iter().any(|k| on(*k)))
            .fold(0, |mask, (g, _)| mask | (1 << g));
        let others = !self.by_pair.is_empty() || !self.by_char.is_empty();
        for pos in 0..text.len() {
            let at = u32::try_from(pos).unwrap_or(u32::MAX);
            let mut push = |k: usize| {
                if on(k) {
                    found.push((at, rank(k), id(k)));
                }
            };
            if others {
                if let Some(key) = pattern::pair_key(text, pos)
                    && let Ok(i) = self.by_pair.binary_search_by_key(&key, |(k, _)| *k)
                {
                    self.by_pair[i].1.iter().for_each(|k| push(*k));
                }
                if let Ok(i) = self.by_char.binary_search_by_key(&text[pos], |(k, _)| *k) {
                    self.by_char[i].1.iter().for_each(|k| push(*k));
                }
            }
            // No slot starts inside a word or a number, nor at a digit after a point
            // (`pattern::slots`): skip those positions without asking the memo.
            let c = text[pos];
            let before = pos.checked_sub(1).map(|b| text[b]);
            if slots_on == 0
                || (c.is_ascii_alphanumeric() && before.is_some_and(|b| b.is_ascii_alphanumeric()))
                || (c.is_ascii_digit() && before == Some('.'))
            {
                continue;
            }
            let mut mask = slots_on & self.slot_firsts(c);
            while mask != 0 {
                let g = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                let (kind, _, list) = &self.by_slot[g];
                if memo.get(text, *kind, pos).is_some() {
                    list.iter().for_each(|k| push(*k));
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Which required-string sets a scan found, kept per thread from scan to scan: a set's string
/// is in the text when its stamp is the scan's number, so a scan neither allocates nor clears
/// the two thousand flags the grammars' sets take (clearing them could cost more than a short
/// ad's matching, as `BENCHMARKS.md` shows), and a scan that did not finish leaves nothing
/// behind for the next.
#[derive(Debug, Default)]
pub(crate) struct SetsFound {
    stamps: Vec<u32>,
    scan: u32,
}

impl SetsFound {
    /// Starts a scan of `set_count` sets: its number, with every stamp older than it.
    fn start(&mut self, set_count: usize) -> u32 {
        if self.stamps.len() < set_count {
            self.stamps.resize(set_count, 0);
        }
        self.scan = self.scan.wrapping_add(1);
        if self.scan == 0 {
            self.stamps.iter_mut().for_each(|stamp| *stamp = 0);
            self.scan = 1;
        }
        self.scan
    }
}

thread_local! {
    /// This thread's [`SetsFound`], shared by the claim and price indexes (one scan at a time).
    static SETS_FOUND: std::cell::RefCell<SetsFound> = std::cell::RefCell::new(SetsFound::default());
}

/// Negation cues, longest first, indexed by their first character so a window is read once.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct CueSet {
    cues: Vec<Vec<char>>,
    by_first: Vec<(char, Vec<usize>)>,
}

impl CueSet {
    pub(crate) fn of(cues: Vec<Vec<char>>) -> Self {
        let mut map: std::collections::BTreeMap<char, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (i, c) in cues.iter().enumerate() {
            map.entry(c[0]).or_default().push(i);
        }
        Self {
            cues,
            by_first: map.into_iter().collect(),
        }
    }

    /// The first cue (in list order: the longest) found on word boundaries in `text[from..to]`.
    /// With `may_run_past`, a Chinese cue only has to start before `to`: written without spaces,
    /// a cue before a claim may share its first characters (不保证 before 保证过件). An English
    /// cue must end before `to` ("there is no" does not deny "no credit check").
    pub(crate) fn find(
        &self,
        text: &[char],
        from: usize,
        to: usize,
        may_run_past: bool,
    ) -> Option<&[char]> {
        let mut best: Option<usize> = None;
        for i in from..to {
            let Ok(at) = self.by_first.binary_search_by_key(&text[i], |(c, _)| *c) else {
                continue;
            };
            for &k in &self.by_first[at].1 {
                if best.is_some_and(|b| b <= k) {
                    continue;
                }
                let w = &self.cues[k];
                let end = i + w.len();
                if (end <= to
                    || (may_run_past
                        && end <= text.len()
                        && !pattern::slots::is_word(w[w.len() - 1])))
                    && text[i..end] == **w
                    && (!pattern::slots::is_word(w[0])
                        || i == 0
                        || !pattern::slots::is_word(text[i - 1]))
                    && (!pattern::slots::is_word(w[w.len() - 1])
                        || end >= text.len()
                        || !pattern::slots::is_word(text[end]))
                {
                    best = Some(k);
                }
            }
        }
        best.map(|k| self.cues[k].as_slice())
    }
}

/// Whether `word` ends at `end` of `text` (on a word boundary when it starts with a letter).
fn ends_with_at(text: &[char], end: usize, word: &[char]) -> bool {
    end >= word.len()
        && text[end - word.len()..end] == *word
        && (end == word.len()
            || !pattern::slots::is_word(word[0])
            || !pattern::slots::is_word(text[end - word.len() - 1]))
}

/// The negation cue that denies a match at `start..end` of `text`: a `before` cue in the same
/// clause up to 30 characters before it, or an `after` cue in its clause up to 24 characters
/// after it. Shared by the claim grammar and the clause grammar, both of which pass normalised
/// text (ASCII in lower case). A claim that is an item of a list ("not a dependant, a student or
/// under age") is in the clause of the list's first item: the scope crosses the commas between short items
/// (the claim's own at most three words before it, the others at most four, counted from a cue
/// in them) when an "or", "and" or "nor" joins the claim's item to the list.
pub(crate) fn negation_cue<'c>(
    before: &'c CueSet,
    after: &'c CueSet,
    text: &[char],
    start: usize,
    end: usize,
) -> Option<&'c [char]> {
    let mut from = clause_start(text, start);
    if from > 0 && text[from - 1] == ',' {
        from = list_scope_start(before, text, from, start, end);
    }
    if let Some(w) = before.find(text, from, start, true) {
        return Some(w);
    }
    let mut to = end;
    while to < text.len() && to - end < 24 && !pattern::is_clause_separator(text, to) {
        to += 1;
    }
    after.find(text, end, to, false)
}

/// The start of the clause that ends at `to`: the character after a negation scope's end, at
/// most 30 characters back.
fn clause_start(text: &[char], to: usize) -> usize {
    let mut from = to;
    while from > 0 && to - from < 30 && !ends_negation_scope(text, from - 1) {
        from -= 1;
    }
    from
}

/// Where the negation scope of the claim at `start..end` begins when its clause, starting at
/// `from`, follows a comma: the first item's start if the claim is an item of a list
/// ([`negation_cue`]), `from` otherwise. Kept out of line: most claims are in no list.
#[inline(never)]
fn list_scope_start(
    before: &CueSet,
    text: &[char],
    from: usize,
    start: usize,
    end: usize,
) -> usize {
    let mut from = from;
    // English lists only: a Chinese claim after a (normalised) comma is read as before.
    if !text[start].is_ascii()
        || words_in(&text[from..start]) > 3
        || !joined_to_a_list(text, from, start, end)
    {
        return from;
    }
    while from > 0 && start - from < 30 && text[from - 1] == ',' {
        let comma = from - 1;
        let previous = clause_start(text, comma);
        // The item before the comma counts from its last cue, if it has one ("we never lend
        // to minors, students or pensioners"): "don't worry about your credit, students
        // welcome" is no list the cue governs.
        let last_cue = (previous..comma)
            .rev()
            .find(|&i| before.find(text, i, comma, true).is_some())
            .unwrap_or(previous);
        if words_in(&text[last_cue..comma]) > 4 {
            break;
        }
        from = previous;
    }
    from
}

/// The number of words (runs of ASCII letters and digits, `'`, `-` and non-ASCII characters)
/// in `span`.
fn words_in(span: &[char]) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for &c in span {
        let word_char = c.is_ascii_alphanumeric() || c == '\'' || c == '-' || !c.is_ascii();
        if word_char && !in_word {
            words += 1;
        }
        in_word = word_char;
    }
    words
}

/// Whether the claim at `start..end`, whose clause starts at `from` right after a comma, is an
/// item of an English list: its clause (to the next clause separator) has at most six words,
/// "or", "and" or "nor" among them, before or after the claim.
fn joined_to_a_list(text: &[char], from: usize, start: usize, end: usize) -> bool {
    let mut to = end;
    while to < text.len() && !ends_negation_scope(text, to) {
        to += 1;
    }
    // A list item is short; ", and our no-credit-needed solution looks at more than your
    // credit history" is a clause of its own.
    if words_in(&text[from..to]) > 6 {
        return false;
    }
    // The text is normalised (ASCII in lower case), so the words compare as they are.
    let is_joiner = |w: &[char]| matches!(w, ['o', 'r'] | ['a', 'n', 'd'] | ['n', 'o', 'r']);
    text[from..start]
        .split(|c| !c.is_ascii_alphabetic())
        .chain(text[end..to].split(|c| !c.is_ascii_alphabetic()))
        .any(is_joiner)
}

/// Whether `text` before `start`, spaces skipped, ends with one of `words` (a word of ASCII
/// letters or digits only as a whole word).
fn follows_word(text: &[char], start: usize, words: &[Vec<char>]) -> bool {
    if words.is_empty() {
        return false;
    }
    let mut end = start;
    while end > 0 && text[end - 1] == ' ' {
        end -= 1;
    }
    words.iter().any(|w| {
        end >= w.len()
            && text[end - w.len()..end] == w[..]
            && (end == w.len()
                || !w[0].is_ascii_alphanumeric()
                || !text[end - w.len() - 1].is_ascii_alphanumeric())
    })
}

/// Whether one of `words` starts at `end` (after spaces) as a whole word: the text right after
/// a match.
fn precedes_word(text: &[char], end: usize, words: &[Vec<char>]) -> bool {
    if words.is_empty() {
        return false;
    }
    let mut start = end;
    while start < text.len() && text[start] == ' ' {
        start += 1;
    }
    words.iter().any(|w| {
        let after = start + w.len();
        after <= text.len()
            && text[start..after] == w[..]
            && (after == text.len()
                || !w[w.len() - 1].is_ascii_alphanumeric()
                || !text[after].is_ascii_alphanumeric())
    })
}

/// Characters that end a negation's scope: a clause or sentence separator, or a dash.
fn ends_negation_scope(text: &[char], i: usize) -> bool {
    matches!(text[i], ',' | '—' | '–') || pattern::is_sentence_end(text, i)
}

impl ClaimGrammar {
    /// The embedded Chinese and English grammars.
    pub fn embedded() -> Result<Self, EngineError> {
        Self::from_texts(&EMBEDDED)
    }

    /// Grammars from TOML texts `(name, text)`. A malformed pattern is an error naming the
    /// file, the line and the pattern.
    pub fn from_texts(texts: &[(&str, &str)]) -> Result<Self, EngineError> {
        let mut grammars = Vec::new();
        let mut claims: Vec<Claim> = Vec::new();
        let mut prices: Vec<PriceRule> = Vec::new();
        let (mut before, mut after, mut fee) = (Vec::new(), Vec::new(), Vec::new());
        for (name, text) in texts {
            let file = parse_grammar(text, name)?;
            let err = |key: String, reason: String| EngineError::Ruleset {
                source_name: name.to_string(),
                key,
                reason,
            };
            let compile = |what: &str, i: usize, k: usize, p: &str| {
                Pattern::compile(p).map_err(|e| {
                    err(
                        format!("{what}[{i}].patterns[{k}] (line {})", line_of(text, p)),
                        e.to_string(),
                    )
                })
            };
            let nonempty = |what: &str, i: usize, patterns: &[String]| {
                if patterns.is_empty() {
                    Err(err(
                        format!("{what}[{i}].patterns"),
                        "must not be empty".into(),
                    ))
                } else {
                    Ok(())
                }
            };
            for (name, list) in &file.word_lists {
                let key = || format!("word_lists.{name} (line {})", line_of(text, name));
                if list.is_empty() {
                    return Err(err(key(), "must not be empty".into()));
                }
                if let Some(nested) = list.iter().find(|w| w.starts_with('@')) {
                    return Err(err(
                        key(),
                        format!("`{nested}`: a list holds words, not the names of other lists"),
                    ));
                }
            }
            // A `not_after` or `not_before` list with the file's word lists put in.
            let words = |what: String, list: &[String]| {
                with_word_lists(list, &file.word_lists).map_err(|unknown| {
                    let names: Vec<&str> = file.word_lists.keys().map(String::as_str).collect();
                    err(
                        format!("{what} (line {})", line_of(text, &unknown)),
                        format!(
                            "`{unknown}` names no list of the file's `[word_lists]` (it has: {})",
                            if names.is_empty() {
                                "none".to_string()
                            } else {
                                names.join(", ")
                            }
                        ),
                    )
                })
            };
            for (i, f) in file.family.iter().enumerate() {
                nonempty("family", i, &f.patterns)?;
                let family: std::sync::Arc<str> = f.name.as_str().into();
                let not_after =
                    normalised_words(&words(format!("family[{i}].not_after"), &f.not_after)?);
                let not_before =
                    normalised_words(&words(format!("family[{i}].not_before"), &f.not_before)?);
                for (k, p) in f.patterns.iter().enumerate() {
                    claims.push(Claim {
                        category: f.category,
                        family: family.clone(),
                        source: p.as_str().into(),
                        negatable: f.negatable.unwrap_or(f.category.negatable()),
                        max_duration_days: f.max_duration_days,
                        not_after: not_after.clone(),
                        not_before: not_before.clone(),
                        pattern: compile("family", i, k, p)?,
                    });
                }
            }
            for (i, f) in file.price.iter().enumerate() {
                nonempty("price", i, &f.patterns)?;
                let days_problem = match (f.period, f.days) {
                    (PricePeriod::Days, Some(d)) if d.is_finite() && d >= 1.0 => None,
                    (PricePeriod::Days, _) => Some(
                        "`period = \"days\"` needs `days`, a number of days of at least 1 (`days = 14` for a fortnight)",
                    ),
                    (_, Some(_)) => Some("`days` goes with `period = \"days\"` only"),
                    (_, None) => None,
                };
                if let Some(reason) = days_problem {
                    return Err(err(
                        format!("price[{i}].days (line {})", line_of(text, &f.name)),
                        reason.to_string(),
                    ));
                }
                if f.ceilings && file.ceiling_words.is_empty() {
                    return Err(err(
                        format!("price[{i}].ceilings (line {})", line_of(text, &f.name)),
                        "`ceilings = true` needs the file's `ceiling_words`".to_string(),
                    ));
                }
                let mut not_after = words(format!("price[{i}].not_after"), &f.not_after)?;
                let not_before =
                    normalised_words(&words(format!("price[{i}].not_before"), &f.not_before)?);
                if f.ceilings {
                    not_after.extend(file.ceiling_words.iter().cloned());
                }
                let not_after = normalised_words(&not_after);
                let family: std::sync::Arc<str> = f.name.as_str().into();
                for (k, p) in f.patterns.iter().enumerate() {
                    let pattern = compile("price", i, k, p)?;
                    let names = pattern.slot_names();
                    let has = |n: &str| names.contains(&n);
                    let ok = has("rate") || ((has("cost") || has("repay")) && has("base"));
                    if !ok {
                        return Err(err(
                            format!("price[{i}].patterns[{k}] (line {})", line_of(text, p)),
                            format!(
                                "pattern `{p}`: a price pattern needs a `{{pct:rate}}` or `{{fen:rate}}` slot, or `{{amt:base}}` with `{{amt:cost}}` or `{{amt:repay}}`"
                            ),
                        ));
                    }
                    if (f.period == PricePeriod::Captured) != has("period") {
                        return Err(err(
                            format!("price[{i}].patterns[{k}] (line {})", line_of(text, p)),
                            format!(
                                "pattern `{p}`: `period = \"captured\"` and a `{{dur:period}}` slot go together"
                            ),
                        ));
                    }
                    prices.push(PriceRule {
                        family: family.clone(),
                        source: p.as_str().into(),
                        period: f.period,
                        days: f.days,
                        not_after: not_after.clone(),
                        not_before: not_before.clone(),
                        fee: f.fee,
                        labelled: f.annualised_label,
                        pattern,
                    });
                }
            }
            before.extend(file.negation.before);
            after.extend(file.negation.after);
            fee.extend(file.negation.fee);
            grammars.push(GrammarInfo {
                version: file.version,
                language: file.language,
            });
        }
        Ok(Self {
            grammars,
            claims_index: PatternIndex::of(claims.iter().map(|c| &c.pattern)),
            prices_index: PatternIndex::of(prices.iter().map(|p| &p.pattern)),
            claims,
            prices,
            negation_before: CueSet::of(normalised_words(&before)),
            negation_after: CueSet::of(normalised_words(&after)),
            fee_negation: normalised_words(&fee),
            contract: crate::contract::ContractGrammar::embedded()?,
        })
    }

    /// The same grammars with another clause grammar (`rules/contract/*.toml` as edited).
    pub fn with_contract_grammar(mut self, contract: crate::contract::ContractGrammar) -> Self {
        self.contract = contract;
        self
    }

    /// The clause grammar the contract checks use (the embedded one unless replaced).
    pub fn contract(&self) -> &crate::contract::ContractGrammar {
        &self.contract
    }

    /// Versions, for reports.
    pub fn versions(&self) -> Vec<&str> {
        self.grammars.iter().map(|g| g.version.as_str()).collect()
    }

    /// Languages of the loaded grammars.
    pub fn languages(&self) -> Vec<&str> {
        self.grammars.iter().map(|g| g.language.as_str()).collect()
    }

    /// Number of claim and price patterns loaded.
    pub fn pattern_count(&self) -> usize {
        self.claims.len() + self.prices.len()
    }

    /// Whether the fee phrase starting at character `start` of `text` is denied by a fee
    /// negation word standing just before it (spaces between them allowed): "no hidden fees",
    /// "without fees", 无手续费, 免服务费, 0手续费, 不收费.
    pub fn denied(&self, text: &str, start: usize) -> bool {
        let before: Vec<char> = text.chars().take(start).map(normalise_char).collect();
        self.fee_denied(&before, before.len())
    }

    fn fee_denied(&self, text: &[char], start: usize) -> bool {
        let mut end = start;
        while end > 0 && text[end - 1].is_whitespace() {
            end -= 1;
        }
        self.fee_negation.iter().any(|w| ends_with_at(text, end, w))
    }

    /// The negation cue that denies the claim at `start..end`, if any (see
    /// [`negation_cue`]).
    fn negation(&self, text: &[char], start: usize, end: usize) -> Option<String> {
        negation_cue(
            &self.negation_before,
            &self.negation_after,
            text,
            start,
            end,
        )
        .map(text_of)
    }

    /// Every claim in `text`, sorted by position. Within a category, a match that overlaps an
    /// earlier (or, at the same start, longer) one is left out: one span, one claim.
    pub fn scan(&self, text: &str) -> Vec<PhraseMatch> {
        let original: Vec<char> = text.chars().collect();
        let chars: Vec<char> = original.iter().map(|c| normalise_char(*c)).collect();
        self.scan_chars(&original, &chars, &pattern::SlotMemo::new(chars.len()))
    }

    fn scan_chars(
        &self,
        original: &[char],
        chars: &[char],
        memo: &pattern::SlotMemo,
    ) -> Vec<PhraseMatch> {
        self.scan_candidates(
            original,
            chars,
            memo,
            self.claims_index.candidates(chars, memo),
        )
    }

    /// The claims among `candidates` (position, claim), in the index's order.
    fn scan_candidates(
        &self,
        original: &[char],
        chars: &[char],
        memo: &pattern::SlotMemo,
        candidates: impl IntoIterator<Item = (usize, usize)>,
    ) -> Vec<PhraseMatch> {
        // Raw hits first (claim, span, slots); names, texts and negation only for the kept ones.
        let mut found: Vec<(usize, usize, usize, Vec<SlotValue>)> = Vec::new();
        let mut hits = Vec::new();
        for (i, k) in candidates {
            let claim = &self.claims[k];
            let Some((end, slots)) = claim.pattern.match_at_with(chars, i, memo, &mut hits) else {
                continue;
            };
            // A speed claim of days is a service level, not an inducement.
            if let Some(max) = claim.max_duration_days
                && slots
                    .iter()
                    .any(|s| s.kind == SlotKind::Dur && s.value > max)
            {
                continue;
            }
            if follows_word(chars, i, &claim.not_after)
                || precedes_word(chars, end, &claim.not_before)
            {
                continue;
            }
            found.push((k, i, end, slots));
        }
        found.sort_by_key(|a| (a.1, std::cmp::Reverse(a.2)));
        let mut kept: Vec<PhraseMatch> = Vec::with_capacity(found.len());
        for (k, start, end, slots) in found {
            let claim = &self.claims[k];
            let inside = kept
                .iter()
                .any(|m| m.category == claim.category && start < m.end && m.start < end);
            if inside {
                continue;
            }
            let negated_by = if claim.negatable {
                self.negation(chars, start, end)
            } else {
                None
            };
            kept.push(PhraseMatch {
                category: claim.category,
                family: claim.family.clone(),
                pattern: claim.source.clone(),
                text: text_of(&original[start..end]),
                start,
                end,
                slots,
                negated_by,
            });
        }
        kept
    }

    /// Every price of credit `text` states, one per number, sorted by position.
    pub fn prices(&self, text: &str) -> Vec<Price> {
        let original: Vec<char> = text.chars().collect();
        let chars: Vec<char> = original.iter().map(|c| normalise_char(*c)).collect();
        let memo = pattern::SlotMemo::new(chars.len());
        let claims = self.scan_chars(&original, &chars, &memo);
        self.prices_chars(&original, &chars, &claims, &memo)
    }

    fn prices_chars(
        &self,
        original: &[char],
        chars: &[char],
        claims: &[PhraseMatch],
        memo: &pattern::SlotMemo,
    ) -> Vec<Price> {
        self.prices_of_candidates(
            original,
            chars,
            claims,
            memo,
            self.prices_index.candidates(chars, memo),
        )
    }

    /// The prices read by the price patterns among `tries` (position, pattern).
    fn prices_of_candidates(
        &self,
        original: &[char],
        chars: &[char],
        claims: &[PhraseMatch],
        memo: &pattern::SlotMemo,
        tries: impl IntoIterator<Item = (usize, usize)>,
    ) -> Vec<Price> {
        let mut candidates = Vec::new();
        let mut hits = Vec::new();
        for (i, k) in tries {
            let rule = &self.prices[k];
            let Some((end, slots)) = rule.pattern.match_at_with(chars, i, memo, &mut hits) else {
                continue;
            };
            if follows_word(chars, i, &rule.not_after)
                || precedes_word(chars, end, &rule.not_before)
            {
                continue;
            }
            if let Some(c) = price::candidate(
                &rule.family,
                &rule.source,
                rule.period,
                rule.days,
                rule.fee,
                rule.labelled,
                &slots,
                i,
                end,
                original,
                chars,
            ) {
                candidates.push(c);
            }
        }
        let mut prices = price::resolve(candidates);
        // A fee word in the price's clause makes it a stated fee (手续费每期0.6%).
        for p in &mut prices {
            if p.fee {
                continue;
            }
            let mut from = p.value_start;
            while from > 0 && !pattern::is_clause_separator(chars, from - 1) {
                from -= 1;
            }
            let mut to = p.value_end;
            while to < chars.len() && !pattern::is_clause_separator(chars, to) {
                to += 1;
            }
            p.fee = claims.iter().any(|m| {
                m.category == Category::Fee
                    && m.start >= from
                    && m.end <= to
                    && !self.fee_denied(chars, m.start)
            });
        }
        prices
    }
}

fn parse_grammar(text: &str, name: &str) -> Result<GrammarFile, EngineError> {
    let err = |key: String, reason: String| EngineError::Ruleset {
        source_name: name.to_string(),
        key,
        reason,
    };
    let value: toml::Table =
        toml::from_str(text).map_err(|e| err("(syntax)".into(), e.message().to_string()))?;
    let file: GrammarFile = serde_path_to_error::deserialize(toml::Value::Table(value))
        .map_err(|e| err(e.path().to_string(), e.into_inner().to_string()))?;
    for (key, list) in [
        ("negation.before", &file.negation.before),
        ("negation.after", &file.negation.after),
        ("negation.fee", &file.negation.fee),
    ] {
        if let Some(i) = list.iter().position(|p| p.trim().is_empty()) {
            return Err(err(format!("{key}[{i}]"), "must not be empty".into()));
        }
    }
    Ok(file)
}

/// OpenCC's traditional-to-simplified character table (Apache-2.0, see the file's header): one
/// traditional character per line, then its simplified forms.
const TRADITIONAL_SOURCE: &str = include_str!("ts_characters.txt");

/// Every traditional character with its first simplified form, sorted by the traditional one
/// (bisected for each character read). One character for one character, so offsets into the
/// original text stay valid.
fn traditional_table() -> &'static [(char, char)] {
    static TABLE: std::sync::OnceLock<Vec<(char, char)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Vec<(char, char)> = TRADITIONAL_SOURCE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (key, values) = l.split_once('\t')?;
                let mut key_chars = key.chars();
                let traditional = key_chars.next()?;
                let simplified = values.split(' ').next()?.chars().next()?;
                (key_chars.next().is_none() && traditional != simplified)
                    .then_some((traditional, simplified))
            })
            .collect();
        table.sort_unstable();
        table.dedup_by_key(|(t, _)| *t);
        table
    })
}

/// Full-width ASCII variants to ASCII, ideographic space to space, common traditional
/// characters to simplified, ASCII to lower case. One character in, one out.
pub(crate) fn normalise_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{FFE5}' => '¥',
        '\u{2019}' | '\u{2018}' => '\'',
        _ if (c as u32) < 0x2E80 => c,
        _ => {
            let table = traditional_table();
            table
                .binary_search_by_key(&c, |(t, _)| *t)
                .map_or(c, |i| table[i].1)
        }
    };
    c.to_ascii_lowercase()
}

/// The text as the analyser reads it: full-width forms, traditional characters (folded to their
/// simplified forms by OpenCC's character table) and ASCII case normalised, one character for one
/// character.
pub fn normalise(text: &str) -> String {
    text.chars().map(normalise_char).collect()
}

/// The text of a run of characters, allocated once at its length in bytes (collecting the
/// characters one by one grows the string two or three times for Chinese text).
pub(crate) fn text_of(chars: &[char]) -> String {
    let mut text = String::with_capacity(chars.iter().map(|c| c.len_utf8()).sum());
    text.extend(chars);
    text
}

/// What one ad shows: its claims and its prices.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdFacts {
    /// Every claim, negated ones included.
    pub matches: Vec<PhraseMatch>,
    /// Every price of credit stated.
    pub prices: Vec<Price>,
}

impl AdFacts {
    /// Reads one text.
    pub fn of(text: &str, grammar: &ClaimGrammar) -> Self {
        let original: Vec<char> = text.chars().collect();
        let chars: Vec<char> = original.iter().map(|c| normalise_char(*c)).collect();
        let memo = pattern::SlotMemo::new(chars.len());
        let matches = grammar.scan_chars(&original, &chars, &memo);
        let prices = grammar.prices_chars(&original, &chars, &matches, &memo);
        Self { matches, prices }
    }

    /// The claims of one category that are not negated.
    pub fn of_category(&self, c: Category) -> impl Iterator<Item = &PhraseMatch> {
        self.matches
            .iter()
            .filter(move |m| m.category == c && m.negated_by.is_none())
    }

    /// Whether an annualised rate is stated.
    pub fn has_annual_rate(&self) -> bool {
        self.prices.iter().any(|p| p.period == PricePeriod::Year)
    }

    /// MK-NO-APR: a price is stated (a parsed price that is not annual, a price claim, or an
    /// interest-free claim) but no annualised rate. The evidence is the first of them.
    pub fn no_apr(&self) -> Option<NoAprEvidence<'_>> {
        if self.has_annual_rate() {
            return None;
        }
        if let Some(p) = self.prices.first() {
            return Some(NoAprEvidence::Price(p));
        }
        self.of_category(Category::Price)
            .next()
            .or_else(|| self.of_category(Category::Free).next())
            .map(NoAprEvidence::Claim)
    }

    /// MK-PERIODIC-RATE: the first periodic price (per day, week, month, instalment or N days)
    /// with no annualised rate before it.
    pub fn periodic_first(&self) -> Option<&Price> {
        let periodic = self.prices.iter().find(|p| p.period.is_periodic())?;
        let annual_before = self
            .prices
            .iter()
            .any(|p| p.period == PricePeriod::Year && p.value_start < periodic.value_start);
        (!annual_before).then_some(periodic)
    }

    /// Whether the ad carries a risk warning.
    pub fn has_risk_warning(&self) -> bool {
        self.of_category(Category::RiskWarning).next().is_some()
    }

    /// Whether the ad states a fee: a price stated as a fee, or a fee named outside a denial.
    pub fn states_fee(&self, text: &str, grammar: &ClaimGrammar) -> bool {
        self.prices.iter().any(|p| p.fee)
            || self
                .of_category(Category::Fee)
                .any(|m| !grammar.denied(text, m.start))
    }
}

/// What MK-NO-APR rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoAprEvidence<'a> {
    /// A price stated without an annual rate.
    Price(&'a Price),
    /// A price or interest-free claim with no figure.
    Claim(&'a PhraseMatch),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> ClaimGrammar {
        ClaimGrammar::embedded().unwrap()
    }

    /// The families of the claims (not negated) a text makes.
    fn families(l: &ClaimGrammar, text: &str) -> Vec<String> {
        let mut v: Vec<String> = AdFacts::of(text, l)
            .matches
            .into_iter()
            .filter(|m| m.negated_by.is_none())
            .map(|m| m.family.to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// A price of `period` is read in every text of `fire` and in none of `near`.
    fn assert_period(l: &ClaimGrammar, period: PricePeriod, fire: &[&str], near: &[&str]) {
        let reads = |t: &str| AdFacts::of(t, l).prices.iter().any(|p| p.period == period);
        for t in fire {
            assert!(reads(t), "a {period:?} price in {t:?}");
        }
        for t in near {
            assert!(!reads(t), "no {period:?} price in {t:?}");
        }
    }

    /// Each family fires on every text of its first list and on none of its near misses.
    fn assert_families(l: &ClaimGrammar, cases: &[(&str, &[&str], &[&str])]) {
        for (family, fire, near) in cases {
            for t in *fire {
                assert!(
                    families(l, t).iter().any(|f| f == family),
                    "{family} must fire on {t:?}: {:?}",
                    families(l, t)
                );
            }
            for t in *near {
                assert!(
                    !families(l, t).iter().any(|f| f == family),
                    "{family} must not fire on {t:?}: {:?}",
                    families(l, t)
                );
            }
        }
    }

    #[test]
    fn every_claim_family_fires_and_its_near_misses_do_not() {
        let l = lex();
        // (family, texts that must make the claim, near misses that must not)
        let cases: [(&str, &[&str], &[&str]); 21] = [
            (
                "speed",
                &[
                    "最快3分钟到账",
                    "当天到账",
                    "当天放款",
                    "24小时内放款",
                    "秒到账",
                    "cash in minutes",
                    "Get funds today",
                    "decision in 60 seconds",
                    "same-day funding",
                    "a 60-second decision",
                ],
                &[
                    "3个工作日内放款",
                    "5天到账",
                    "funds in 3 business days",
                    "我们不承诺当天放款",
                    "Cash in 2 weeks",
                    "We never promise same day funding",
                ],
            ),
            (
                "guaranteed_approval",
                &[
                    "百分百下款",
                    "包过",
                    "100%通过",
                    "人人可借",
                    "通过率高达98%",
                    "everyone approved",
                    "Guaranteed approval",
                    "100% acceptance",
                    "nobody gets turned down",
                ],
                &[
                    "我们不承诺百分百下款",
                    "审批以实际结果为准",
                    "approval is not guaranteed",
                    "Beware of guaranteed approval offers",
                    "Approval subject to status",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "不看征信",
                    "无视负债",
                    "不看大数据",
                    "黑户也能借",
                    "征信花也能下款",
                    "no credit check",
                    "Bad credit? No problem",
                    "all credit types welcome",
                    "no questions asked",
                    "We don't check your credit score",
                ],
                &[
                    "需查询征信",
                    "我们会查询您的征信",
                    "警惕不看征信的贷款广告",
                    "Subject to a credit check",
                    "We run a credit check",
                    "Beware of lenders that say no credit check",
                ],
            ),
            (
                "low_eligibility",
                &[
                    "有身份证就能借",
                    "有手机号就能借",
                    "凭身份证即可借",
                    "零门槛",
                    "审核宽松",
                    "没有工作也能借",
                    "No job, no problem",
                    "all you need is a bank account",
                    "anyone can apply",
                ],
                &[
                    "需提供身份证和收入证明",
                    "Applicants need a job and a bank account",
                    "Proof of income required",
                ],
            ),
            (
                "borrow_freely",
                &[
                    "想借就借",
                    "要多少借多少",
                    "不用还",
                    "Borrow as much as you like",
                    "spend freely",
                    "unlimited cash",
                ],
                &[
                    "随借随还",
                    "repay early at no cost",
                    "Borrow what you need, repay on time",
                    "额度循环使用",
                ],
            ),
            (
                "vulnerable_groups",
                &[
                    "大学生专享",
                    "在校生可借",
                    "退休人员也能借",
                    "无业人员可申请",
                    "students welcome",
                    "loans for pensioners",
                    "unemployed? apply now",
                ],
                &[
                    "学生勿扰",
                    "在校学生不得申请",
                    "不向在校学生放贷",
                    "Students are not eligible",
                    "Not available to students",
                    "Applicants must be employed",
                ],
            ),
            (
                "interest_free",
                &[
                    "首借免息",
                    "30天免息",
                    "0利息",
                    "interest-free for 30 days",
                    "0% interest",
                ],
                &["利息按日计算", "interest is charged daily"],
            ),
            (
                "price_claim",
                &[
                    "低息贷款",
                    "超低利率",
                    "low rates",
                    "cheap loans",
                    "no hidden fees",
                ],
                &["利率以合同为准", "rates vary"],
            ),
            (
                "fee_named",
                &["手续费", "服务费", "会员费", "a service fee", "membership"],
                &["免除", "free"],
            ),
            (
                "risk_warning",
                &[
                    "贷款有风险，借款需谨慎",
                    "理性借贷",
                    "请根据个人能力合理贷款",
                    "Late repayment can cause you serious money problems",
                    "Borrowing costs money",
                    "Representative example",
                    "Only borrow what you can afford to repay",
                    "Missed payments may affect your credit score",
                ],
                &["贷款快", "borrow money now"],
            ),
            ("speed", &["秒批"], &["秒杀活动"]),
            ("skipped_checks", &["无需审核"], &["需要审核"]),
            // Forms added in 2026.12.6 from the held-out misses of batch 6, each with a
            // near miss: speed said of the process or the money, not of a loan term.
            (
                "speed",
                &[
                    "Simple application process, fast turnaround time",
                    "Get cash advances of up to $500, instantly",
                    "the future of money, but you can have it right now",
                    "You are just minutes away from a decision",
                    "We offer quick and simple credit",
                    "Quick loans for people who need money in a hurry",
                    "turnaround in as little as 15 minutes",
                    "手续简便，放款速度快",
                ],
                &[
                    "The best way to save is to repay it as quickly as possible",
                    "Take a quick look at your budget",
                    "Repayment is due in two weeks",
                    "放款时间以银行为准",
                ],
            ),
            (
                "guaranteed_approval",
                &[
                    "A guarantor loan can boost your chances of being approved",
                    "even if you've been rejected before, you still have a chance",
                    "99%通过率，最高可贷50万",
                    "你的信用价值20万元",
                    "这边有一笔20万低利率的备用金",
                    "不过包赔，不下款退钱",
                ],
                &[
                    "Improve your credit score before you apply",
                    "Approval subject to status",
                    "通过率以实际审批为准",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "Bad credit, no credit or a past bankruptcy should not prevent you from getting a loan",
                    "Poor credit shouldn't rule you out of car finance",
                    "approved for car finance, whatever your credit history",
                    "Rent to own: no credit needed",
                    "It isn't subject to the same credit checks",
                    "Guarantor loans can help those with bad credit",
                    "学生分期免息，先签约后补手续",
                    "正规机构，洗白征信",
                    "借款不限年龄",
                ],
                &[
                    "Bad credit may stop you from being approved",
                    "All applications are subject to credit checks",
                    "警惕洗白征信骗局",
                    "申请年龄22-55周岁",
                ],
            ),
            (
                "low_eligibility",
                &[
                    "loan approval with no income",
                    "Some lenders will still consider unemployed people",
                    "手续简便，门槛较低",
                    "手机一点就能借到钱",
                    "身份证申请，无需抵押",
                    "学生也能轻松借10万",
                ],
                &[
                    "门槛较高",
                    "65岁也能借：接受退休证作为收入证明",
                    "You need a job and a regular income",
                ],
            ),
            (
                "borrow_freely",
                &["不还也就算了", "当作福利送你了"],
                &["不还款将影响征信"],
            ),
            (
                "vulnerable_groups",
                &["乐龄贷：支付宝就能申请", "宿舍三人成团，利率减半"],
                &["员工宿舍包住"],
            ),
            (
                "interest_free",
                &[
                    "动动手指转发，电动车免费拿",
                    "白用30天",
                    "Zero percent interest on your loan",
                ],
                &["免费咨询", "Zero percent of our customers regret it"],
            ),
            (
                "price_claim",
                &[
                    "宿舍三人成团，利率减半",
                    "轻松得到最优惠贷款",
                    "经营贷低门槛，手续费不贵",
                    "低至XX利率",
                    "利息比一瓶水还便宜",
                    "without the high costs of traditional lending",
                    "a sensible alternative to costly bounced checks",
                ],
                &[
                    "手续费以合同为准",
                    "利率根据资质确定",
                    "the cost of borrowing is shown below",
                ],
            ),
            (
                "risk_warning",
                &[
                    "Use this tool responsibly",
                    "Borrow only what you need, considering fees",
                    "Please borrow only what you feel comfortable paying back",
                    "Risks: higher interest rates than mainstream loans",
                    "free and independent debt advice may be a better option",
                    "Breaching the repayment terms could mean losing your vehicle",
                    "Warning: be cautious with short-term loans",
                    "Failing to repay an instalment on time means a late fee",
                    "payday loans come with high costs and risks",
                    "Payday loans are only for short-term needs",
                    "late repayments can lead to marks on both your credit reports",
                ],
                &[
                    "Fast cash, no paperwork",
                    "low risk of rejection",
                    "We are a responsible lender",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms 2026.12.7 adds from batch 7's held-out misses: Taiwanese and Hong Kong words for
    /// the same claims (read through the traditional-to-simplified fold), benefit claimants, and
    /// warnings in the forms lenders in other places use.
    /// The forms 2026.12.8 adds from batches 8 and 9's misses, each with near misses.
    #[test]
    fn forms_of_the_eighth_grammar_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 9] = [
            (
                "speed",
                &[
                    "we process your application on the same day",
                    "贷款流程简便快捷",
                    "快速的申请流程",
                ],
                &[
                    "we process your application within 5 business days",
                    "流程简便",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "Having bad credit does not automatically rule you out",
                    "征信不好没关系",
                    "代書貸款不看重聯徵信用分數",
                ],
                &["Bad credit will affect your rate", "征信不好会影响审批"],
            ),
            (
                "guaranteed_approval",
                &[
                    "the approval rate is 85%",
                    "我们跟银行有关系",
                    "20万元基本没问题",
                    "您有5万元额度可用，点击链接办理",
                ],
                &["the interest rate is 85%", "银行审核需要三天"],
            ),
            (
                "low_eligibility",
                &[
                    "No separate source of income? You can still apply",
                    "有車子就能貸款",
                ],
                &[
                    "No income proof is needed for the first step only after approval",
                    "有车贷要还",
                ],
            ),
            (
                "price_claim",
                &[
                    "lower fees than a payday loan",
                    "降息減壓",
                    "帮您降低融资成本",
                ],
                &["late fees apply", "降温"],
            ),
            (
                "price_figure",
                &[
                    "Instant loan at just 1%!",
                    "只收2%服务费",
                    "interest rate of 3%",
                ],
                &[
                    "the approval rate is 85%",
                    "an acceptance rate of 90%",
                    "2%的用户",
                ],
            ),
            (
                "risk_warning",
                &[
                    "Interest rates on payday loans can be high",
                    "As convenient as payday loans are, they are risky",
                    "without falling into another debt trap",
                    "consider safer alternatives such as credit union loans",
                    "借款前请谨慎评估自身还款能力",
                ],
                &["Interest rates from 5%", "借款流程简单"],
            ),
            (
                "vulnerable_groups",
                &["loans for pensioners"],
                &["loans for homeowners"],
            ),
            ("interest_free", &["0利息0首付"], &["利息低"]),
        ];
        assert_families(&l, &cases);
    }

    /// The forms 2026.12.9 adds from batch 10's misses, each with near misses.
    #[test]
    fn forms_of_the_ninth_grammar_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "speed",
                &[
                    "loans are easily available and disbursed within minutes",
                    "funded as soon as the same day",
                    "you can receive the money within a minute",
                    "The money is usually available within around 24 hours",
                ],
                &[
                    "funded within 5 business days",
                    "the money is repaid within 30 days",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "a pawn is a collateral loan, so no credit is needed",
                    "suitable for people with mortgage arrears, CCJs or a bad credit history",
                    "lenders may be more accommodating if you have bad credit",
                ],
                &[
                    "suitable for people with a steady income",
                    "no credit card is needed to repay",
                ],
            ),
            (
                "risk_warning",
                &[
                    "they come with serious financial risks",
                    "pawning is a very high-risk way to get money",
                    "They are not meant to be a long-term solution to financial problems",
                ],
                &["a low-risk savings account", "meant to be easy"],
            ),
            (
                "price_claim",
                &["利率比信用卡及普通私人贷款更低"],
                &["利率比较"],
            ),
            (
                "price_figure",
                &["您的奖品2.95%闪电贷利率券即将到期", "最低可优惠至3.0%"],
                &["首付最低20%", "优惠券已发放"],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms 2026.12.10 adds from batch 11's misses, each with near misses.
    #[test]
    fn forms_of_the_tenth_grammar_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &["get your earnings by direct deposit as soon as the next day"],
                &["repay within the next year"],
            ),
            (
                "interest_free",
                &["get your earnings by direct deposit as soon as the next day, for free"],
                &["a free budgeting guide"],
            ),
            (
                "risk_warning",
                &[
                    "if you default the lender can take it away and sell it",
                    "It's not free: there is a transfer fee",
                    "always read the fine print",
                    "fees can trip you up",
                ],
                &[
                    "if you default on nothing",
                    "free delivery",
                    "print your statement",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms zh 2026.12.10 and en 2026.12.11 add from batch 13's misses, each with near
    /// misses.
    #[test]
    fn forms_from_batch_13_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "price_claim",
                &["installment loans offer a lower cost of borrowing than payday loans"],
                &["the cost of borrowing is shown in the agreement"],
            ),
            (
                "risk_warning",
                &[
                    "They are convenient, but should not replace long-term financial planning.",
                    "An advance is not meant to replace a long-term budget",
                ],
                &[
                    "We replace your old loan with a long-term one",
                    "long-term financial planning made easy",
                ],
            ),
        ];
        assert_families(&l, &cases);
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "skipped_checks",
                &[
                    "若您因负债高、网贷多导致贷款困难，我行特开专属通道",
                    "網貸多也不怕，特開綠色通道",
                ],
                &["负债高的人请谨慎借贷", "本行开通线上申请通道"],
            ),
            (
                "guaranteed_approval",
                &[
                    "现有年化3.5%的低息贷款额度专为您预留",
                    "已为您预留20万元额度",
                ],
                &["请为您的家人预留应急资金", "额度以审批结果为准"],
            ),
        ];
        assert_families(&l, &cases);
        // A fee on an advance of a stated amount is a cost per amount.
        let p = one_price("$7.99 on a $100 advance");
        assert!(close(p.value, 0.0799), "{p:?}");
        assert_eq!(p.period, PricePeriod::Loan);
        assert!(p.fee);
        assert!(l.prices("repay on a $100 advance").is_empty());
    }

    /// The forms zh 2026.12.11 and en 2026.12.12 add from batch 14's misses, each with near
    /// misses.
    #[test]
    fn forms_from_batch_14_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "skipped_checks",
                &[
                    "a viable option for individuals with bad credit",
                    "installment loans for bad credit",
                    "no or low credit score requirements",
                    "24小時服務不同信貸評級客戶",
                ],
                &[
                    "loans for good credit customers",
                    "credit score requirements apply",
                    "服務不同地區的客戶",
                ],
            ),
            (
                "low_eligibility",
                &["you only need a national ID and two alliances"],
                &["you need a national ID and proof of income"],
            ),
            (
                "price_claim",
                &[
                    "we do not hike large interest on loans",
                    "low, affordable payments",
                ],
                &["we do not hike prices", "payments are due monthly"],
            ),
            (
                "risk_warning",
                &[
                    "a viable, albeit costly, option",
                    "It can be very expensive if you do not understand how it works",
                    "take a moment to understand how these loans work and what they really cost",
                    "this will reduce your future payments until the loan is repaid",
                    "借定唔借？還得到先好借！",
                    "忠告：借錢梗要還，咪俾錢中介",
                ],
                &[
                    "costly repairs? get cash today",
                    "understand how the app works",
                    "reduce your monthly payments with one loan",
                    "this loan could lower your payments",
                    "借錢快過數",
                ],
            ),
            (
                "speed",
                &["funds within a few hours"],
                &["repay within a few months"],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.13 adds from batch 15's misses, each with near misses.
    #[test]
    fn forms_from_batch_15_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "skipped_checks",
                &["There are options for those with a credit score under 650 as well"],
                &["those with a credit score over 700 get the best rates"],
            ),
            (
                "guaranteed_approval",
                &["Our job is to get you qualified!"],
                &["our job is to help you budget"],
            ),
            (
                "price_claim",
                &["payments that can be lower than your current utility bill"],
                &["your utility bill is due monthly"],
            ),
            (
                "risk_warning",
                &[
                    "paying only the minimum each month will not pay off the purchase balance",
                    "If you cannot afford to repay the money in the near future, look for a different way to get the money you need.",
                ],
                &[
                    "the minimum payment is $25",
                    "if you cannot find your statement, call us",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The speed forms en 2026.12.14 adds from batch 16's misses, with near misses (the
    /// family's durations stay within a day).
    #[test]
    fn speed_forms_from_batch_16_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "It takes about an hour to process a new application",
                "turnaround ideally the same day",
                "our fastest processing and disbursement, typically not exceeding 45 minutes",
            ],
            &[
                "it takes 3 weeks to process a new application",
                "turnaround ideally within the month",
                "disbursement not exceeding 10 days after approval",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.15 adds from batch 17's misses, and `not_before` on vulnerable
    /// groups, each with near misses.
    #[test]
    fn forms_from_batch_17_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &["the loan is sanctioned in only a few hours"],
                &["the loan is sanctioned in a few weeks"],
            ),
            (
                "risk_warning",
                &[
                    "Example of repayment: a loan of PGK 700 with 8 fortnightly payments",
                    "Implication of non-payment: a fee of PGK 40 is charged",
                ],
                &["for example, pay online", "repayment is due fortnightly"],
            ),
            (
                "vulnerable_groups",
                &["loans for people without income", "no income? no problem"],
                &[
                    "Gold loan without income proof",
                    "no income verification needed",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.16 adds from batch 18's misses, with near misses.
    #[test]
    fn forms_from_batch_18_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "risk_warning",
                &["To borrow or not to borrow? Borrow only if you can repay."],
                &["borrow only what you want", "to borrow money online"],
            ),
            (
                "speed",
                &["we review your application within 30 minutes"],
                &["we review your application within 10 working days"],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.17 adds from batch 19's misses, with near misses.
    #[test]
    fn forms_from_batch_19_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "risk_warning",
                &[
                    "continued non-payment could result in an adverse credit listing",
                    "If you miss a payment, a $30.00 failed payment fee may apply",
                    "choose the shortest loan term you can comfortably pay back",
                ],
                &[
                    "late payment fee AED 200 per instalment",
                    "flexible repayments to suit you",
                    "choose the loan amount you need",
                ],
            ),
            (
                "speed",
                &["so easy to get a loan: a few steps in the app, completed in minutes"],
                &[
                    "Apply in minutes with our lending partner",
                    "Instant approval is a sales phrase: there is no guarantee of approval",
                    "get a loan in a few steps, paid over 12 months",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms zh 2026.12.12 adds from batch 20's misses, with near misses.
    #[test]
    fn forms_from_batch_20_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "guaranteed_approval",
                &[
                    "客户您好，我行可提供您一笔298000元周转金",
                    "您在我行可办理498000元，可用于日常消费",
                    "您在我行预授信398000元将于10月30日到期",
                ],
                &[
                    "您本月应还款2000元，请按时还款",
                    "最高可借20万元，随借随还",
                    "我行不提供一笔以上的贷款",
                ],
            ),
            (
                "vulnerable_groups",
                &["尊长贷：55至70岁可申请，线上办理", "年龄22至75周岁均可申请"],
                &[
                    "18至55岁可申请",
                    "22-60周岁可申请，线上办理",
                    "年龄22至65周岁均可申请",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The warnings en 2026.12.18 adds from batch 21's misses, with near misses.
    #[test]
    fn warnings_from_batch_21_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "the convenience is real, but the risks and costs are equally important to understand",
                "speed should never replace basic checks like reading the full loan agreement",
            ],
            &[
                "it is important to understand your options",
                "read our full story",
                "the full loan amount is paid the same day",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.19 adds from batch 24's misses, with near misses.
    #[test]
    fn forms_from_batch_24_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "price_figure",
                &[
                    "with a service charge of about 5% to 15%",
                    "charges are 10% to 25% of the amount for a 7-day loan",
                    "the service fee is around PKR 80 on a PKR 1,000 loan",
                    "a one-time upfront service fee of 15,000 MWK applies",
                    "an extra charge of at most R65",
                    "an additional fee of CI$20",
                ],
                &[
                    "the approval rate is 85%",
                    "fees are shown to you during the application",
                    "a charge of responsibility",
                    "the fee is explained in your agreement",
                ],
            ),
            (
                "speed",
                &[
                    "Apply today and start your business tomorrow.",
                    "apply now, cash tomorrow",
                ],
                &[
                    "apply today; repayments start next month",
                    "tomorrow we open a new branch",
                ],
            ),
            (
                "interest_free",
                &[
                    "interest-free loans from Rs1 million",
                    "your first loan free",
                ],
                &[
                    "Collateral-free loans through an AI-powered app",
                    "hassle-free loans with no paperwork",
                    "guarantor-free loans for employees",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The warnings en 2026.12.20 adds from batch 25's miss, with near misses.
    #[test]
    fn warnings_from_batch_25_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "Check the fee schedule before you sign, because late fees escalate quickly.",
                "penalty charges can add up fast",
                "read the total cost before borrowing",
            ],
            &[
                "no late fees, ever",
                "we check your application before you sign",
                "our fees are lower than the banks'",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The warning en 2026.12.21 adds from batch 26's miss, with near misses.
    #[test]
    fn warnings_from_batch_26_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "On non-repayment an extra R69 service fee is charged",
                "in the event of default, penalty interest of 2% applies",
            ],
            &[
                "late payment fee AED 200 per instalment",
                "repayment is a fixed fee of R69",
                "a service fee is charged on every loan",
                "no fee for early repayment",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.22 adds from batch 27's misses, with near misses.
    #[test]
    fn forms_from_batch_27_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "A collateral-free nano loan that is hassle-free, instant and affordable",
                    "receive it instantly and repay in three instalments",
                    "the loan is instant",
                ],
                &[
                    "the loan is repaid in instalments",
                    "receive it by post within ten working days",
                    "this instant messaging app is free",
                ],
            ),
            (
                "price_claim",
                &[
                    "A collateral-free nano loan that is hassle-free, instant and affordable",
                    "our credit is cheap",
                ],
                &[
                    "the loan is hassle-free",
                    "cheap flights and affordable hotels",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.23 adds from batch 28's misses, with near misses.
    #[test]
    fn forms_from_batch_28_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &[
                    "credit on your phone in an eight-second process",
                    "repeat loans are often reviewed in under a minute",
                ],
                &[
                    "a 30-day process",
                    "applications are reviewed in the order received",
                    "disbursed in 12 monthly instalments",
                ],
            ),
            (
                "low_eligibility",
                &["All you need is a valid ID and a mobile money account"],
                &["All you need to know about loans", "a valid ID is required"],
            ),
            (
                "risk_warning",
                &[
                    "If you default, we report it to the credit reference bureau",
                    "Paying more than 90 days late costs 3.5% of the instalment a day",
                    "Read the terms carefully before borrowing.",
                ],
                &[
                    "if you default on nothing, your score grows",
                    "paying early costs nothing",
                    "read the terms and conditions on our website",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.39: paying on time followed by a reward is no warning; followed by what it
    /// avoids, it still is.
    #[test]
    fn repaying_on_time_for_a_reward_is_no_warning() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "on_time_warning",
            &[
                "Please make your payments on time to avoid late fees.",
                "Make your repayments on time.",
            ],
            &[
                "Make your repayments on time to build your credit and unlock bigger loans.",
                "Make payments on time and get a lower rate next time.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The speed forms zh 2026.12.19 adds from batch 47's misses, with near misses.
    #[test]
    fn speed_forms_from_batch_47_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "一分钟反馈房产最大贷款金额",
                "材料齐全当天出审批结论",
                "快速帮买卖双方解决资金难题",
            ],
            &[
                "3个工作日内反馈审批结果",
                "当天出发去银行面签",
                "帮您解决资金难题",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// Batch 50's misses (en 2026.12.40): monthly rates under a header, and borrowing what you
    /// need as a warning only with "only" or "no more than".
    #[test]
    fn forms_from_batch_50_fire_and_their_near_misses_do_not() {
        let l = lex();
        assert_period(
            &l,
            PricePeriod::Month,
            &[
                "Monthly interest: share loans 0.75% on the reducing balance",
                "Monthly rates: personal loans 1.5%, car loans 1%",
            ],
            &[
                "Monthly repayments: personal loans from $50",
                "Monthly interest: see our rates page. Business loans 9%",
            ],
        );
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "Only borrow what you need.",
                "Borrow only what you really need.",
                "Borrow no more than you need.",
                "Borrow what you need and no more.",
                "Borrow what you can afford to repay.",
            ],
            &[
                "Ideal if you don't have enough shares to borrow what you need.",
                "Borrow what you need, when you need it.",
                "Borrow as much as you need.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// Batch 51's misses (en 2026.12.41): a group as all a borrower needs, "so easy to access",
    /// and an amount before a named fee (in dalasi, which the amount slot now reads).
    #[test]
    fn forms_from_batch_51_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "low_eligibility",
                &[
                    "All you need to do is form a group and access the loans.",
                    "All it takes is to join a sacco.",
                    "Microfinance is so easy to access: no protocol.",
                    "Credit that is easy to access, wherever you are.",
                ],
                &[
                    "All you need to do is fill in the form.",
                    "Your statements are easy to access online.",
                    "It is easy to access your account from the app.",
                ],
            ),
            (
                "price_figure",
                &[
                    "Pay a D25 loan application fee.",
                    "A $50 one-off arrangement fee applies.",
                    "There is a GMD 500 processing fee.",
                ],
                &[
                    "Pay the loan application fee at the branch.",
                    "D-day for applications is Friday.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 52's false readings (en 2026.12.42): repaying faster is no speed claim, nor is an
    /// emergency loan on its own; affordability and over-indebtedness are warnings.
    #[test]
    fn forms_from_batch_52_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "Faster approval for members.",
                    "Emergency loans are usually approved quickly.",
                    "Business loans are processed faster than a bank loan.",
                    "Emergency cash when you need it.",
                    "Fast cash loans.",
                ],
                &[
                    "The faster you pay back the loan, the less interest you will pay.",
                    "The quicker you repay the loan, the less it costs.",
                    "In certain circumstances an emergency loan may be granted more quickly.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "You must be able to afford the loan.",
                    "We do not lend to members who will become over-indebted.",
                    "You should be able to repay it from your income.",
                ],
                &[
                    "You must be able to show proof of income.",
                    "Members become owners of the credit union.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 53's misses (en 2026.12.43): a superlative of speed before what is fast, and a
    /// no-fee claim that names the fee's kind.
    #[test]
    fn forms_from_batch_53_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "We offer the quickest and easiest loan approvals.",
                    "The fastest payouts in town.",
                ],
                &[
                    "The quickest way to repay is by standing order.",
                    "Our fastest growing branch.",
                ],
            ),
            (
                "price_claim",
                &["No initial bank fees.", "Zero arrangement fees."],
                &[
                    "Initial fees are listed in the tariff.",
                    "No initial deposit needed.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 54's misses (en 2026.12.44): a pension advance addresses pensioners, and a penalty on
    /// late repayment is a warning.
    #[test]
    fn forms_from_batch_54_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "vulnerable_groups",
                &[
                    "Pension Advance: up to 75% of your monthly pension.",
                    "Borrow against your pension.",
                    "Pension loans from $500.",
                ],
                &[
                    "Bring your pension statement as proof of income.",
                    "This loan will not affect your pension fund contributions.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "Borrowers must pay a penalty on late repayment.",
                    "Late fees for missed payments apply.",
                ],
                &["No penalty for early repayment.", "Penalty-free top-ups."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 55 (en 2026.12.45): a preferential rate is a price claim, and a range whose ends
    /// both carry a unit is no claim of speed within a day.
    #[test]
    fn forms_from_batch_55_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "price_claim",
                &[
                    "Civil servants get a preferential interest rate on their loans.",
                    "An attractive fixed interest rate.",
                ],
                &["Our preferential customers get priority service."],
            ),
            (
                "speed",
                &["Disbursement in 24h.", "Approval in 2 hours."],
                &[
                    "Disbursement in 24h to 72h.",
                    "Approval in 2 hours to 3 days.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 56's false reading (en 2026.12.46): an annual label between the words and the
    /// rate makes the rate annual.
    #[test]
    fn an_annual_label_before_the_rate_makes_it_annual() {
        assert_period(
            &lex(),
            PricePeriod::Year,
            &[
                "Interest rate (per annum) 25.5% for 1 to 12 months",
                "Interest rate p.a.: 12%",
                "Rates (yearly) from 9%",
            ],
            &[
                "Interest rate 2% per month",
                "The rate a year ago was 5% a month",
            ],
        );
    }

    /// Batch 57's misses (en 2026.12.47): rates under a pricing header or marked flat or
    /// declining after the figure, and an income that should not prevent the loan.
    #[test]
    fn forms_from_batch_57_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "price_figure",
                &[
                    "Pricing on the regressive balance: public sector 12%.",
                    "JD 600 to 1,500 at 8% flat.",
                    "Loans at 9% declining.",
                ],
                &["Pricing: ask at a branch.", "Sales are flat this year."],
            ),
            (
                "low_eligibility",
                &[
                    "Your income shouldn't prevent you from getting the loan you need.",
                    "A low salary does not stop you applying.",
                ],
                &["Your income must cover the instalments."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 58's misses (en 2026.12.48): bad credit that may still be approved, and the
    /// warning that a loan is a short-term solution, not a long-term way.
    #[test]
    fn forms_from_batch_58_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "skipped_checks",
                &[
                    "If you have a bad credit score, you may still be approved for a loan.",
                    "A bad credit record does not necessarily mean that we will not assist you.",
                ],
                &["Bad credit may affect the rate you are offered."],
            ),
            (
                "risk_warning",
                &[
                    "Loans are best treated as a short-term solution.",
                    "Not a long-term way to cover monthly shortfalls.",
                ],
                &["A long-term way to save for retirement."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 59's forms (en 2026.12.49): eligibility on a pay slip alone, and a charge that a
    /// lender may make (a third party's cap), which is not the ad's price.
    #[test]
    fn forms_from_batch_59_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "low_eligibility",
                &[
                    "Simply come to our offices in Lilongwe with your latest pay slip.",
                    "You immediately become an eligible member.",
                ],
                &[
                    "Come to our offices with your latest pay slip so that we can assess your application.",
                    "Members become eligible after six months of savings.",
                ],
            ),
            (
                "price_figure",
                &["Our processing fee is $15 for every loan."],
                &["The most a lender may charge is $15 for a $100 loan."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 60's misses (en 2026.12.50): funds within a day, said some words after what is
    /// got, and lending criteria that need not be met.
    #[test]
    fn forms_from_batch_60_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "Employees can get an advance on their salary through the Myne app within one working day.",
                ],
                &[
                    "You will get an answer on your application within 5 working days.",
                    "Get a loan for your business and repay it within 12 months.",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "Applicants will not be required to meet conventional commercial bank lending criteria.",
                ],
                &["Applicants must meet the bank's usual lending criteria."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 62's false reading (en 2026.12.51): "urgent cash needs" names the borrower's need,
    /// while "urgent cash" and "emergency cash" on their own still promise money fast.
    #[test]
    fn urgent_cash_needs_are_no_promise_of_speed() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "Urgent cash straight to your bank account.",
                "A payday loan gives you emergency cash when you need it most.",
                "Emergency funds for any expense.",
            ],
            &[
                "A payday loan can be a smart way to cover urgent cash needs such as rent or groceries.",
                "Our emergency loan meets emergency cash requirements of our members.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// Batch 64's misses (en 2026.12.52): money some words before "in as little as" a short
    /// time, and the best APR with no rate stated.
    #[test]
    fn forms_from_batch_64_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &["We can put cash in your pocket in as little as 30 minutes."],
                &[
                    "Repay the loan in as little as 3 months.",
                    "Cash advances can be repaid in as little as 2 weeks.",
                ],
            ),
            (
                "price_claim",
                &["We are ready to offer the best APR possible."],
                &["Compare the APR of every loan before you borrow."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// Batch 63's misses and false reading (zh 2026.12.22): everyone in an age band may apply,
    /// no fear of refusal, a cost cut by a percentage; a recommendation "according to your
    /// needs" is no warning, while the exhortation to borrow as one needs still is.
    #[test]
    fn forms_from_batch_63_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "low_eligibility",
                &["年龄在18到55岁的中国公民都可以申请。"],
                &[
                    "年龄在22到55岁、有稳定收入的中国公民均可申请。",
                    "申请人年龄23到55周岁。",
                ],
            ),
            (
                "guaranteed_approval",
                &["您不用担心被拒绝，轻松完成融资。"],
                &["多半被银行拒绝过。"],
            ),
            (
                "price_claim",
                &["能为您降低50%的融资成本。"],
                &["首付比例降低到20%。"],
            ),
            (
                "risk_warning",
                &["请根据自身需求合理借款。", "请根据自身还款能力借款。"],
                &["根据您的需求为您推荐贷款产品。"],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// A claim followed in its clause by a caution (需谨慎, 要警惕; zh 2026.12.21) is denied: a
    /// regulator's 降低门槛需谨慎 is no low-bar claim. Near misses: the caution in the next clause
    /// does not reach back, and a lender's own 降低门槛 is still a claim.
    #[test]
    fn a_claim_followed_by_a_caution_is_denied() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "low_eligibility",
                &["我们降低门槛，让更多人借到钱", "零门槛，借款需谨慎"],
                &["网贷平台降低门槛需谨慎", "零门槛借款要警惕"],
            ),
            ("speed", &["秒到账，贷款需谨慎"], &["所谓秒到账须警惕"]),
        ];
        assert_families(&l, &cases);
    }

    /// A duration range reads as its upper end (zh 2026.12.18, en 2026.12.38, from batch 46's
    /// false reading): a review of one to three working days is no claim of speed within a day.
    #[test]
    fn a_duration_range_is_as_long_as_its_upper_end() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "提交申请后最快1至2小时审核",
                "Funds paid within 1 to 2 hours.",
                "Quick access to affordable credit.",
            ],
            &[
                "提交申请后1至3个工作日审核",
                "Money often paid out within 24 to 72 hours.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The forms zh 2026.12.17 adds from batch 45's misses, with near misses.
    #[test]
    fn forms_from_batch_45_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "low_eligibility",
                &["二手车贷款业务，门槛更低，办理更便捷"],
                &["门槛更高的贷款需要抵押", "提高门槛，严格审核"],
            ),
            (
                "price_claim",
                &["三星级的价格、沙县小吃的付款方式"],
                &["店里卖沙县小吃的价格表", "一杯奶茶的热量"],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms zh 2026.12.16 adds from batch 44's misses, with near misses.
    #[test]
    fn forms_from_batch_44_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "price_claim",
                &["还款超低手续费", "借款成功前不会收取任何费用"],
                &["手续费按月收取", "逾期将收取违约金"],
            ),
            (
                "low_eligibility",
                &["可使用身份证办理分期"],
                &["可使用身份证登录账户", "需提供身份证和收入证明"],
            ),
            (
                "risk_warning",
                &["请按时还款，逾期将影响征信", "借款需谨慎"],
                &["按时还款累积到一定次数，额度升到1000", "按时还款可提额"],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms zh 2026.12.15 adds from batch 43's misses, with near misses.
    #[test]
    fn forms_from_batch_43_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "low_eligibility",
                &[
                    "只需通过学籍认证等即可获得无抵押信用贷款",
                    "只要人脸验证就能借",
                ],
                &["需通过学籍认证和收入证明审核", "通过人脸验证保护账户安全"],
            ),
            (
                "vulnerable_groups",
                &["助学贷款：在本校报名的学员可申请", "为培训学员提供分期"],
                &["本平台为会员提供服务", "学员成绩查询"],
            ),
            (
                "interest_free",
                &["前12个月的利息由公司偿还", "利息由平台承担"],
                &["逾期产生的费用由借款人承担", "利息由借款人按月支付"],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.37 adds from batch 42's misses, with near misses.
    #[test]
    fn forms_from_batch_42_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &["A simple, hassle-free and fast way to borrow for just about anything."],
                &[
                    "The fastest way to repay is by debit order.",
                    "A quick way to check your eligibility.",
                ],
            ),
            (
                "vulnerable_groups",
                &["Even families with no source of income can apply."],
                &[
                    "No source of income proof is needed for repeat loans.",
                    "Families with a regular income can apply.",
                ],
            ),
            (
                "low_eligibility",
                &["Loans for low income families, even those with no source of income."],
                &[
                    "Even those with a regular income must show payslips.",
                    "Families with no debts pay less.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The warnings en 2026.12.36 adds from batch 41's misses, with near misses.
    #[test]
    fn warnings_from_batch_41_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "Quicker processing, though rates may be higher and amounts smaller.",
                "Late repayment affects your future eligibility and your credit score.",
                "After 30 days a 5% penalty applies.",
                "Interest rates could be much higher than a bank's.",
            ],
            &[
                "Our approval rates may be higher than a bank's.",
                "Your loan limit may be higher next time.",
                "Early repayment affects nothing: repay when you like.",
                "After 30 days your limit grows.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.35 adds from batch 40's misses, with near misses.
    #[test]
    fn forms_from_batch_40_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "price_claim",
                &[
                    "Very affordable motorcycle financing for riders.",
                    "Cheap car loans from our partners.",
                ],
                &[
                    "Loans for affordable housing.",
                    "An affordable motorcycle for every rider.",
                    "Car financing is available on request.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "A 10% penalty fee is charged for failing to remit any due installment.",
                    "A late fee of $25 will be charged on missed payments.",
                ],
                &[
                    "No penalty fee is charged for early repayment.",
                    "A fee is charged for each transfer.",
                    "Late fees are charged if you ask for a paper statement.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The price claims en 2026.12.34 adds from batch 39's misses, with near misses.
    #[test]
    fn price_claims_from_batch_39_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "price_claim",
            &[
                "Interest on a salary advance is lower than on other loans.",
                "The cost of this loan is much less than an overdraft.",
                "Pricing and fees: highly competitive.",
                "Our rates are competitive.",
            ],
            &[
                "Interest on late payments is charged daily.",
                "The default rate is low.",
                "Late fees are high.",
                "Fees are charged monthly.",
                "The cost of living is higher than last year.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The number word en 2026.12.33 reads for batch 38's miss ("a couple of"), with near
    /// misses: a couple of days is over the speed family's day, and "couple" alone is no number.
    #[test]
    fn a_couple_of_hours_is_speed_and_its_near_misses_are_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "Your loan is granted in a couple of hours.",
                "Cash in your account within a couple of hours.",
            ],
            &[
                "Your loan is granted in a couple of days.",
                "Loans for a couple who want to buy a home.",
                "Funds paid within a couple of weeks.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.32 adds from batch 37's misses, with near misses.
    #[test]
    fn forms_from_batch_37_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &["Need quick access to credit? We can have funds to you in less than 24 hours."],
                &[
                    "Quick access to our branch network.",
                    "Funds to you in less than 3 days.",
                ],
            ),
            (
                "price_figure",
                &["5% on the reducing balance over 36 months"],
                &[
                    "Pay 10% of the outstanding balance each month.",
                    "90% of the reducing balance is insured.",
                    "Insurance covers 100% on the outstanding balance.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The price claim en 2026.12.31 adds from batch 36's miss, with near misses.
    #[test]
    fn price_claim_from_batch_36_fires_and_its_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "price_claim",
            &["Shesha loan: a flexible and affordable way to pay school fees"],
            &[
                "An affordable way to save for school fees.",
                "Affordable homes for sale.",
                "The cheapest way to pay is by debit order.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The warning forms en 2026.12.30 adds from batch 35's misses, with near misses.
    #[test]
    fn warning_forms_from_batch_35_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "Borrow wisely: watch out for hidden fees and penalties.",
                "your monthly repayments are smaller, but you will pay more interest over the life of the loan",
            ],
            &[
                "Spend wisely on your holiday with our card!",
                "No hidden fees to watch out for.",
                "You will pay more attention to your budget.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The general warning forms of en 2026.12.29 (written from no new batch), with near misses.
    #[test]
    fn general_warning_forms_of_2026_12_29_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "A loan must be repaid.",
                "If you miss a payment, a late fee of $25 applies",
                "Should you fall behind on your repayments, we may pass the debt to debt collectors",
                "If you pay late, interest keeps adding up on the balance.",
                "You could end up paying far more than you borrowed.",
                "You may fall into debt.",
                "Be aware that charges apply for late payment.",
            ],
            &[
                "If you miss the bus, call us.",
                "Please note that our office closes at 5.",
                "You could pay less with us.",
                "every loan must be repaid five years before your retirement age",
                "If you miss a payment date, just call us to move it.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.28 adds from batch 34's misses, with near misses.
    #[test]
    fn forms_from_batch_34_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "Our payday loan process is fast, flexible and easy to understand",
                    "you're only minutes away from taking control of your situation",
                ],
                &[
                    "Our approval process is thorough.",
                    "The process is fair and transparent.",
                    "We are minutes away from the station.",
                ],
            ),
            (
                "low_eligibility",
                &["The basic requirements are simple: be 18 or over."],
                &[
                    "The requirements are listed below.",
                    "Eligibility is strict.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The speed forms zh 2026.12.14 adds from batch 32's miss, with near misses.
    #[test]
    fn speed_forms_from_batch_32_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "银行贷款，24小时批准，急需周转请立即联系我们。",
                "快速批准",
                "當天批准",
            ],
            &["3个工作日内批准", "需经批准后方可放款", "贷款须经银行批准"],
        )];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.26 adds from batch 31's misses, with near misses.
    #[test]
    fn forms_from_batch_31_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "low_eligibility",
                &["every kind of borrower qualifies"],
                &["We lend to every kind of business."],
            ),
            (
                "skipped_checks",
                &["with good credit or bad", "Loans for good or bad credit."],
                &[
                    "Is a payday loan a good or bad idea?",
                    "A good credit score helps; a bad one hurts.",
                ],
            ),
            (
                "borrow_freely",
                &["Keep using your wallet and you can borrow anytime you decide."],
                &["You can repay anytime you decide."],
            ),
            (
                "risk_warning",
                &[
                    "A payday loan is not for borrowing month after month.",
                    "It is not the answer to long-term money problems.",
                    "Miss the 30 days and your account is blocked until you repay",
                ],
                &[
                    "Don't miss the deadline: apply by Friday for a free gift.",
                    "Not for sale.",
                    "We are the answer to your money questions.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.25 adds from batch 30's misses, with near misses.
    #[test]
    fn forms_from_batch_30_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "skipped_checks",
                &[
                    "no visit to a bank, no forms to fill in, nothing to sign.",
                    "nothing to sign and nothing to fill in",
                ],
                &[
                    "Nothing to sign up for.",
                    "Fill in the form to apply again.",
                    "There are no forms to download.",
                ],
            ),
            (
                "borrow_freely",
                &["Repay before the 30 days are up and you can borrow again straight away."],
                &["You can borrow again once you have repaid."],
            ),
            (
                "risk_warning",
                &[
                    "If you can't repay within 30 days, the loan is extended once with a facilitation fee on the balance",
                ],
                &[
                    "If you can't find the form, call us.",
                    "If you don't repay on time, call us to talk about options.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.24 adds from batch 29's misses, with near misses.
    #[test]
    fn forms_from_batch_29_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "price_figure",
                &["$10 to $100 with a 5% administration fee, repaid within 30 days"],
                &[
                    "Approval for 95% of applications.",
                    "An administration fee applies.",
                ],
            ),
            (
                "low_eligibility",
                &["All it takes is a phone number and an EcoCash wallet."],
                &[
                    "All it takes is one click.",
                    "All it takes is a few minutes of your time.",
                ],
            ),
            (
                "skipped_checks",
                &["you don't need to hand in any documents: we already hold your ID"],
                &[
                    "You will need to hand in your documents at the branch.",
                    "Don't forget to hand in your documents.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "late payment carries a 5% penalty",
                    "you should not use them if you already carry a lot of debt",
                    "Know the potential risks before you borrow.",
                ],
                &[
                    "Late payment penalty: 5% of the instalment.",
                    "Don't worry if you already have other loans.",
                    "You can use them if you already have an account.",
                    "We know the potential of your business.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The forms en 2026.12.53 adds from batch 67 (title and payday lenders' pages), with near
    /// misses: a denial, a credit card's "welcome" offer, durations too long to be speed claims.
    #[test]
    fn credit_welcome_and_minutes_forms_from_batch_67_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "skipped_checks",
                &[
                    "Benefit from our all-credit-welcome policy.",
                    "In our Georgia stores any credit is welcomed.",
                    "Same day cash, quick approval, all credit accepted.",
                ],
                &[
                    "Not all credit is accepted by every lender.",
                    "All credit card holders get a welcome gift.",
                    "Any credit you take out must be repaid.",
                ],
            ),
            (
                "speed",
                &[
                    "You will have cash in your pocket in about 30 minutes.",
                    "Lenders in our network approve you online within minutes.",
                    "Approval in about 5 minutes.",
                ],
                &[
                    "Repay the cash in about 30 days.",
                    "We do not approve you online within minutes: a person reads every application.",
                    "Lenders approve your application within 10 business days.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// The speed forms en 2026.12.54 adds from batch 68 (a payday-advance page), with near
    /// misses: durations longer than a day, a processing fee, a denial.
    #[test]
    fn processing_time_forms_from_batch_68_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "VIP members borrow up to CFA 250,000 with processing in 30 to 60 minutes.",
                "Processing time: 30-60 minutes.",
                "Approved advances are funded in 1-2 hours.",
            ],
            &[
                "Processing takes 3 to 5 business days.",
                "Processing: 2 weeks.",
                "A processing fee of 2% applies.",
                "We never promise processing in 30 minutes.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The warnings en 2026.12.55 adds from batch 69 (app-store listings that show a loan's
    /// cost), with near misses: an example with no total, a "total" that is no amount due, a due
    /// date with no fee after it.
    #[test]
    fn worked_examples_and_grace_period_fees_from_batch_69_are_warnings() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "For example, a 61-day loan of KSh 1,000 has a processing fee of KSh 290, for a total due of KSh 1,290.",
                "For example, a 6-month loan of N1,000 at 4.4% per month costs N263 in interest, N1,263 in all.",
                "Example: Rs 10,000 over 3 months at 11.99% APR means an EMI of Rs 3,400 a month, Rs 10,200 in all.",
                "For example, P10,000 at 20% APR over 91 days means P11,498.60 due on the due date.",
                "After that grace period a one-time late payment fee of 15% applies.",
            ],
            &[
                "For example, you can borrow KSh 1,000 today and more tomorrow.",
                "Example: get up to $500 in minutes, with a total of five steps.",
                "After the due date you can still call us.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The warnings en 2026.12.56 and zh 2026.12.23 add from batch 72 (an Indian lender's blog,
    /// a UK payday site, a Beijing lending platform's help pages) and zh 2026.12.23's rate per
    /// day read from a formula, with near misses: getting out of debt, a check before applying
    /// that is no caution, a product "for everyone", costs with no lateness, a formula with no
    /// days in it.
    #[test]
    fn cautions_late_costs_and_formula_rates_from_batch_72_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "Be aware of the interest rate before accepting any pre-approved offer.",
                "Check the additional fees and charges before you sign.",
                "A loan without a plan will most likely get you into deeper financial trouble.",
                "Rolling over again and again can leave you in greater debt.",
                "Live within your means.",
                "Don't take on more than you can handle.",
                "Payday advances are not for everyone.",
                "发生逾期须承担逾期利息和逾期管理费。",
                "逾期会被扣去相应的信用分数。",
            ],
            &[
                "We help get you out of debt.",
                "Check your eligibility in minutes.",
                "Loans for everyone, whatever your credit.",
                "借款人须承担服务费和管理费。",
                "提交可选资料可提升信用分数。",
            ],
        )];
        assert_families(&l, &cases);
        assert_period(
            &l,
            PricePeriod::Day,
            &["逾期利息=逾期本息×逾期利率×逾期天数，逾期利率为0.1%。"],
            &[
                "应还利息=借款本金×月利率，月利率为1%。",
                "逾期利息=逾期本息×逾期利率×逾期天数。",
            ],
        );
    }

    /// en 2026.12.57 from batch 73 (an Australian small-amount lender): the comparison rate as an
    /// annual rate, and dishonour and default fees as warnings, with near misses: a comparison
    /// tool with no rate, a fee stated with no failure, a failure with no fee, an account in good
    /// standing.
    #[test]
    fn comparison_rates_and_dishonour_fees_from_batch_73_fire_and_their_near_misses_do_not() {
        let l = lex();
        assert_period(
            &l,
            PricePeriod::Year,
            &[
                "The maximum comparison rate on loans between $300 and $2000 is 199.43%.",
                "Interest from 9.9% (comparison rate 10.4%).",
            ],
            &["Use our comparison tool: fees from 4% a month."],
        );
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "A $12 dishonour fee is charged each time you fail to make a scheduled payment.",
                "A daily default fee of $5 applies while your account remains in default.",
            ],
            &[
                "A $12 account fee applies.",
                "Each time you fail to log in we send a code.",
                "No default fees while your account is in good standing.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// The speed forms en 2026.12.58 adds from batch 74 (a Jamaican microlender), with near
    /// misses: service that is friendly, not fast; waiting that the ad asks for; a denial.
    #[test]
    fn fast_service_and_no_wait_forms_from_batch_74_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "Fast service: you don't have time to wait around for an approval.",
                "No need to wait for your money.",
                "Quick service from our branch team.",
            ],
            &[
                "Friendly service from our branch team.",
                "Please wait for an approval email before you sign.",
                "We never promise fast service: every file is read by a person.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.59 from batch 75 (a Kenyan microlender's product page): a rate "p.m.", a loan
    /// "faster to access" and a late fee charged if a payment is not received, with near misses:
    /// a time of day, a loan slow to get, a fee with no lateness.
    #[test]
    fn rates_per_month_access_and_late_fees_from_batch_75_fire_and_their_near_misses_do_not() {
        let l = lex();
        assert_period(
            &l,
            PricePeriod::Month,
            &["Simple interest rate: 13% p.m."],
            &["Offices close at 5 p.m. Rates from 20% a year."],
        );
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "Easy and faster to access.",
                    "Quick to get, simple to repay.",
                ],
                &["Hard to access without a branch nearby."],
            ),
            (
                "risk_warning",
                &[
                    "A late payment fee of 5% of the delayed payment per week if a payment is not received within 1 business day of the due date.",
                ],
                &[
                    "A processing fee of 3% applies if a payment is made by cheque.",
                    "Payments are due if a payment plan is agreed.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.60 from batch 76 (a US loan-matching site): a speed word before a list of loan
    /// kinds, "get cash quickly", and the warnings to keep loan terms within your budget and of
    /// the "vicious circle of debt", with near misses: a list of loan kinds with no speed word, a
    /// loan repaid quickly, a term within days, a circle of friends.
    #[test]
    fn loan_kinds_cash_quickly_and_budget_warnings_from_batch_76_fire_and_their_near_misses_do_not()
    {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "Cash Money Monster: fast payday, personal and installment loans up to $1,000.",
                    "Fast payday, personal & installment loans.",
                    "Quick title loans for any car.",
                    "Complete the form, review the offers, get cash quickly.",
                ],
                &[
                    "Payday, personal and installment loans, decided in 5 working days.",
                    "Repay your loan quickly to pay less interest.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "Only agree to loan terms that are well within your budget constraints.",
                    "Defaulting on a loan will not help you escape that vicious circle of debt.",
                ],
                &[
                    "Choose a loan term within 30 days of approval.",
                    "Borrow with your circle of friends.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.61 from batch 77 (a UK doorstep lender's letters of 2005): an amount given
    /// "right now", with near misses: an amount off a later purchase, an amount paid now.
    #[test]
    fn an_amount_given_right_now_from_batch_77_fires_and_its_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "We can give you £100 to spend in this great store, right now.",
                "We can lend you $500 of credit today.",
                "Extra cash for whatever you want, right now.",
            ],
            &[
                "We can give you £100 off a store purchase next month.",
                "Pay £100 now and the rest later.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.62 from batch 78 (a Nigerian peer-to-peer lender's help texts): a less
    /// favourable risk assessment that still gets a loan, an instalment not paid and the penal
    /// interest it brings, and a verb that lowers your rate, with near misses: a poor rating sent
    /// to a debt adviser, paying by another means, and "the better the deal, the lower your
    /// interest rate" (a condition, not a claim that the credit is cheap).
    #[test]
    fn risk_assessments_unpaid_instalments_and_conditional_rates_from_batch_78() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "skipped_checks",
                &[
                    "Individuals with a less favourable conventional risk assessment are also likely to get a loan through our platform.",
                ],
                &[
                    "Individuals with a poor credit rating should speak to a debt adviser before they get a loan.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "If you do not pay an instalment by its due date, an additional penal interest rate is applied to the amount due.",
                ],
                &["If you do not pay by card, you can pay by bank transfer."],
            ),
            (
                "price_claim",
                &["We lower your interest rate when you repay on time."],
                &[
                    "The better the deal you strike with the investors, the lower your interest rate.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.63 from batch 80 (Indian loan-app ad lines quoted by the news): a loan got "in
    /// minimum time", with near misses: a loan repaid in the shortest time, a time with no loan.
    #[test]
    fn a_loan_in_minimum_time_from_batch_80_fires_and_its_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "Get a personal loan in minimum time with minimum documentation.",
                "Loans sanctioned in the shortest possible time.",
            ],
            &[
                "Repay your loan in the shortest time possible to save interest.",
                "Our branches open at the same time every day.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.64, written from no batch: the list of loan kinds after a speed word takes up
    /// to three kinds, and a weak rating or profile must be said to get a loan, credit or
    /// approval. The forms batches 76 and 78 added still fire; the wider readings they allowed
    /// do not.
    #[test]
    fn narrowed_loan_kind_lists_and_rating_forms_fire_and_their_wider_readings_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "Fast payday, personal & installment loans.",
                    "Quick payday or title loans near you.",
                ],
                &["We ask a few quick personal questions about your loans."],
            ),
            (
                "skipped_checks",
                &["Borrowers with a poor credit rating can still get a loan from us."],
                &["Applicants with a weak credit profile will get a letter explaining why."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// zh 2026.12.24, from batch 81's miss (a WeChat Moments ad: 放款快、成功率高、费用低): a cost
    /// word followed by 低, 较低 or 偏低 is a claim that the credit is cheap. Near misses: the cost
    /// word and 低 apart (an ordering of fees, a fee for low-income households waived).
    #[test]
    fn a_cost_said_to_be_low_is_a_price_claim_and_its_near_misses_are_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "price_claim",
            &[
                "放款快、成功率高、费用低。",
                "手续费较低，随借随还。",
                "本产品服务费偏低。",
            ],
            &["各项费用由低到高排列如下。", "对低收入家庭免收手续费。"],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.65, written from no batch: a speed pattern's last word followed by 's is a
    /// possessive ("today's rates"), and bad credit followed by "can get", "still get" or "can
    /// still" needs what is got or done (a loan, credit, approval; applying, borrowing, help).
    /// The forms the corpus has still fire; the readings of debt and of a history that follows
    /// the reader do not.
    #[test]
    fn possessive_times_and_bad_credit_without_a_loan_are_not_inducements() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "We can give you £100 to spend in this great store, right now.",
                    "We can offer you £5,000 of credit today.",
                    "Get your cash today!",
                ],
                &[
                    "We can offer you £5,000 at today's rates.",
                    "Compare cash today's way: online.",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "Even with bad credit, you can get a payday loan.",
                    "People with poor credit can get one.",
                    "Even with no credit you can still borrow with us.",
                    "Those with poor credit can still apply online.",
                    "With bad credit you can still secure car finance.",
                ],
                &[
                    "People with a poor credit rating can get into debt quickly.",
                    "Bad credit can still follow you for years.",
                    "A low credit score can get worse if you miss payments.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.66, from batch 82's miss (a loan shark's postcard: "Bank said no and you need a
    /// loan? Call Sam"): a bank's or lender's refusal put to the reader, then a loan offered, is
    /// bad credit accepted. Near misses: the refusal with no offer after it, or with advice.
    #[test]
    fn a_refusal_elsewhere_before_a_loan_offer_is_an_inducement() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "skipped_checks",
            &[
                "Bank said no and you need a loan? Call Sam.",
                "Has your bank turned you down? We can lend you up to £500.",
                "Other lenders said no? Apply for a loan with us today.",
            ],
            &[
                "If the bank says no, ask them why.",
                "Bank said no? Don't borrow from a loan shark.",
                "Lenders turned you down? Check your credit report first.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.67, from batch 83's misses (New Zealand consumer and news reports, US payday
    /// lenders' pages): cash walked out with, funds sent the same day, approval that takes
    /// minutes, a credit history that "is history", a cost as a share of the amount borrowed,
    /// people not employed or on social security, and a loan that "is not for you". Near misses:
    /// debt walked away with, repayment on the same day, approval that takes days, a history of
    /// borrowing, a share of income, a social security number, and a loan that is for you.
    #[test]
    fn batch_83_speed_credit_history_cost_share_social_security_and_not_for_you() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "speed",
                &[
                    "Call into our nearest office and walk out with up to $2000 cash.",
                    "Visit a store and walk away with $500 in cash.",
                    "Our team will review your application and send the funds, often all on the same day!",
                    "Approval can take under 15 minutes.",
                    "The decision usually takes about an hour.",
                ],
                &[
                    "Don't walk away with more debt than you can repay.",
                    "You can repay the loan on the same day you receive your wages.",
                    "Approval can take up to 5 days.",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "Your credit history is history!",
                    "Bad credit? Your credit past is behind you.",
                ],
                &[
                    "A credit history is history of how you have borrowed.",
                    "Your credit history is important to us.",
                ],
            ),
            (
                "price_figure",
                &[
                    "These loans can cost as little as 5% of the amount you borrow.",
                    "It costs just 10% of the loan.",
                ],
                &["Repayments should cost no more than 20% of your income."],
            ),
            (
                "vulnerable_groups",
                &[
                    "Not employed? If you receive social security you can still qualify.",
                    "Loans for people on social security.",
                ],
                &["Enter your social security number to apply."],
            ),
            (
                "risk_warning",
                &[
                    "If you can't repay on your next payday, this kind of loan is not for you.",
                    "These loans aren't right for you if you already have debts.",
                ],
                &[
                    "This loan is for you!",
                    "Our advance is the right choice for you.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.68, from batch 84's misses (pages on loans for people out of work or on
    /// benefits): money accessed quickly, loans for people with "a" less-than-perfect credit
    /// history, qualifying "even while still looking for a job", lenders who "but" where others
    /// refuse are willing to lend, and four warnings. Near misses: a refusal with no willing
    /// lender after "but", unemployment without "even", and a loan that is suitable, cheap or
    /// easy to repay.
    #[test]
    fn batch_84_out_of_work_qualifying_willing_lenders_and_cost_warnings() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "speed",
                &["Payday loans help with unexpected bills, as you can access money quickly."],
                &["Accessing your account quickly is easy in our app."],
            ),
            (
                "skipped_checks",
                &["We offer loans for people with a less-than-perfect credit history."],
                &["People with a perfect credit history get our best rate."],
            ),
            (
                "low_eligibility",
                &[
                    "Even while they are still looking for a job, they can qualify.",
                    "Even if you're unemployed, you can still apply.",
                    "Mainstream lenders will not lend to you while you are out of work, but a few direct lenders are more than willing to consider your situation.",
                    "Banks say no, but we are happy to lend.",
                ],
                &[
                    "If you are unemployed, you cannot qualify for this loan.",
                    "Banks say no, but we are not able to lend either.",
                    "If you're out of work, you may qualify for a budgeting advance from the government.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "Online loans can still carry high interest rates, which could make repayments harder to manage.",
                    "Payday loans may not be suitable for everyone.",
                    "Only consider one if you can comfortably meet the repayments.",
                ],
                &[
                    "Our loans never carry high interest rates.",
                    "This loan is suitable for everyone with a steady job.",
                    "Our app makes repayments easy to manage.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.69, from batch 85's misses (buy-now-pay-later and lease-to-own pages): credit
    /// "without any interest" or on which "you don't pay interest", "perfect credit not
    /// required", fees that "can add up quickly" and late fees that "may apply". Near misses:
    /// interest you pay, perfect credit required, fees that do not add up, and no late fees.
    #[test]
    fn batch_85_interest_free_shopping_credit_and_late_fee_warnings() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "interest_free",
                &[
                    "Pay for them in 4 payments every 2 weeks, without any interest.",
                    "You don't pay interest on the purchase.",
                ],
                &["You pay interest from the day you borrow."],
            ),
            (
                "skipped_checks",
                &[
                    "Shop now, pay later: perfect credit not required.",
                    "You're more than your credit score.",
                ],
                &["Good credit is required for our lowest rate."],
            ),
            (
                "risk_warning",
                &[
                    "Instead you're charged fees, and they can add up quickly.",
                    "Late fees may apply for missed payments.",
                    "Review the terms to understand any late fees that may apply if you miss a payment.",
                ],
                &[
                    "No late fees will apply, ever.",
                    "Our fees are clear and simple.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.70, from batch 86's misses (a furniture shop's financing page and
    /// buy-now-pay-later pages): an application sent on to a lender for a reader unsure of their
    /// credit, an order completed "in seconds" on signing up, and three warnings of what minimum
    /// or failed payments bring. Near misses: advice to check one's credit, an order completed
    /// in days, a payment that succeeds, and no late fee.
    #[test]
    fn batch_86_unsure_credit_quick_sign_up_and_failed_payment_warnings() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "skipped_checks",
                &[
                    "If you're unsure of your credit or think your score is around 525 to 620, we'll send your application to our local lender.",
                ],
                &["If you're unsure of your credit, check your report before you apply."],
            ),
            (
                "speed",
                &["Log in or sign up and complete your order in seconds."],
                &["Sign up and complete your order within 5 days of the quote."],
            ),
            (
                "risk_warning",
                &[
                    "These are minimum payments and will NOT pay the loan in full within the no-interest period.",
                    "If a payment fails we retry it 24 hours later, and if it fails again a late fee is applied.",
                    "You may pay a late repayment fee if you don't keep up with your payments.",
                ],
                &[
                    "If a payment succeeds we send you a receipt.",
                    "You won't pay a late fee, ever.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.71, from batch 87's misses (loan-app and scam messages quoted by the news): a
    /// loan of an amount "in five minutes", approval announced ("your loan application has been
    /// validated and successful", "you've qualified for a loan"), and an upfront fee "to receive
    /// your loan". Near misses: an amount over days, approval that is only conditional, and a
    /// payment that is a repayment.
    #[test]
    fn batch_87_amount_in_minutes_announced_approval_and_upfront_fee() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &["Apply now for a loan of up to N100,000 in five minutes."],
                &["Repay a loan of up to N100,000 in 30 days."],
            ),
            (
                "guaranteed_approval",
                &[
                    "Your loan application has been validated and successful.",
                    "You've qualified for a loan.",
                ],
                &[
                    "Find out if you've qualified for a loan.",
                    "Once your application has been validated, we call you.",
                ],
            ),
            (
                "price_figure",
                &["Pay $2,000 to receive your $100,000 loan."],
                &["Pay $200 to clear your balance early."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.72, from batch 88's misses (lenders' and brokers' rates pages): a worked
    /// example whose total is a finance charge or an amount "in full", credit that does "not come
    /// free of charge", a cost "always" on top of the amount, and the borrower's responsibility to
    /// read and understand; "do not come free of charge" is no free-credit claim. Near misses: an
    /// example with no total, credit that comes free, and a fee-free service.
    #[test]
    fn batch_88_worked_examples_and_credit_that_is_not_free() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "risk_warning",
                &[
                    "Example: a $100 cash advance for 14 days has a total finance charge of $13.81, and you pay $113.81 in full.",
                    "Like any form of credit, installment loans do not come free of charge.",
                    "Understand that there is always a cost on top of the amount you borrow.",
                    "It is your responsibility to read and understand it.",
                ],
                &[
                    "Example: a $100 advance for 14 days, approved in minutes.",
                    "Our budgeting help comes free of charge.",
                ],
            ),
            (
                "price_claim",
                &["Our budgeting help comes free of charge."],
                &["Installment loans do not come free of charge."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.73, from batch 90's misses (lenders' and lead sites' APR, rates and glossary
    /// pages): "bad credit personal loans", an APR that "came to" a figure further on, a cost "in
    /// finance charges for every" amount, a "periodic service fee", and the warnings to read the
    /// agreement fully, that borrowers "get into trouble when" they cannot repay and that one
    /// "would have had to take out another loan". Near misses: bad credit that is not a loan, a
    /// daily rate after the APR's name, a charge with no amount borrowed, a period that is not a
    /// rate, a recommendation to read something else, trouble with no borrowing, and another
    /// loan that is an offer.
    #[test]
    fn batch_90_apr_that_comes_to_a_figure_periodic_fees_and_another_loan() {
        let l = lex();
        let annual = |t: &str| AdFacts::of(t, &l).has_annual_rate();
        assert!(annual(
            "The APR, which lenders must disclose by law, came to 120%."
        ));
        assert!(annual(
            "By law every lender must also disclose the APR: a $15 fee per $100 on a two-week advance comes to 390%."
        ));
        assert!(!annual(
            "We show the APR on every page; the daily rate is 0.8%."
        ));
        assert_period(
            &l,
            PricePeriod::Loan,
            &["You might pay $20 in finance charges for every $200 borrowed."],
            &["You might pay $20 in finance charges."],
        );
        assert_period(
            &l,
            PricePeriod::Instalment,
            &["A $300 loan at a 30% periodic service fee."],
            &["30% of periodic payments go to the principal."],
        );
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "skipped_checks",
                &["Bad credit personal loans can help."],
                &["Bad credit can follow you for years."],
            ),
            (
                "risk_warning",
                &[
                    "Consumer loan agreement: we recommend reading it fully.",
                    "Borrowers only get into trouble when they cannot cover the loan.",
                    "I would have had to take out another loan.",
                ],
                &[
                    "We recommend reading our blog for money tips.",
                    "Our team gets into the details when you call.",
                    "Repay on time and you can take out another loan.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.74, from batch 91's misses (lenders' and guides' pages): bad credit that
    /// "usually doesn't matter", loans that "don't involve any credit checks", benefits accepted
    /// as income, and the warnings of very high interest, interest that "is fairly high", terms to
    /// read "before taking one" and a car taken when you "fail to make repayments". Near misses:
    /// a question answered otherwise, a check that is made, income that is a salary, low interest,
    /// terms read after the loan, and a car kept.
    #[test]
    fn batch_91_bad_credit_that_does_not_matter_benefits_as_income_and_high_interest() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "skipped_checks",
                &[
                    "What if I have a bad credit history or a County Court Judgement? This usually doesn't matter.",
                    "Most logbook loans don't involve any credit checks.",
                ],
                &[
                    "What if I have a bad credit history? Then we may not be able to lend.",
                    "Every logbook loan involves a credit check.",
                ],
            ),
            (
                "vulnerable_groups",
                &[
                    "Reputable lenders explicitly accept Employment Insurance and disability support as income.",
                ],
                &["Reputable lenders accept your salary as income."],
            ),
            (
                "risk_warning",
                &[
                    "Many require very fast repayment and come with very high interest and fees.",
                    "Payday loans are short-term loans with very high interest rates.",
                    "The interest on micro loans is fairly high.",
                    "Read the terms and conditions carefully before taking one.",
                    "If you fail to make repayments, the lender can take legal ownership of the car.",
                ],
                &[
                    "Our loans come with low interest and no fees.",
                    "Our interest is fair and our service is friendly.",
                    "Keep the terms and conditions after taking one.",
                    "If you make your repayments, you keep the car.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.75, from batch 92's misses (lenders' FAQs and guarantor-loan pages): loans
    /// "ideal for people with adverse credit histories", an APR after a comma or after what it is
    /// for, and "significant drawbacks" as a warning. Near misses: loans ideal for people with
    /// good credit, an APR named with no figure after it, and drawbacks of something else.
    #[test]
    fn batch_92_adverse_credit_aprs_after_a_comma_and_drawbacks() {
        let l = lex();
        let annual = |t: &str| AdFacts::of(t, &l).has_annual_rate();
        assert!(annual("We still have a representative APR, 81.5% fixed."));
        assert!(annual("The APR on your new line of credit is 444%."));
        assert!(!annual(
            "The APR on your new line of credit is shown in your agreement; the fee is 5%."
        ));
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "skipped_checks",
                &["Guarantor loans are ideal for people with adverse credit histories."],
                &["Guarantor loans are ideal for people with a steady income."],
            ),
            (
                "risk_warning",
                &["You must repay in one payment, which is one of their significant drawbacks."],
                &["The app's one drawback is its colour scheme."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.76, from batch 93's misses (a rent-to-own association's list, money lenders'
    /// and pay-later pages): a credit check you "won't face", bad credit histories that "don't
    /// matter", lenders that "will never offer unreasonable loan rates", merchandise that "will be
    /// repossessed" and a customer "blocked ... and fined". Near misses: a credit check you will
    /// face, histories that matter, rates that are offered, merchandise delivered, and a customer
    /// who is reminded.
    #[test]
    fn batch_93_checks_not_faced_histories_that_do_not_matter_and_fines() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "skipped_checks",
                &[
                    "You won't face a credit check.",
                    "Bankruptcies and bad credit histories don't matter.",
                ],
                &[
                    "You will face a credit check.",
                    "Bad credit histories matter to every lender.",
                ],
            ),
            (
                "price_claim",
                &["They will never offer unreasonable loan rates."],
                &["They offer loan rates from the Ministry's table."],
            ),
            (
                "risk_warning",
                &[
                    "A missed payment leaves no stain, though the merchandise will be repossessed.",
                    "If your wallet lacks the funds, you are blocked from Pay Later and fined until the payment is made.",
                ],
                &[
                    "The merchandise will be delivered to your door.",
                    "You are reminded before your payment date.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.77, from batch 94's misses (student lenders' pages): a credit result "as soon
    /// as you ... submit your application", and students addressed by a "school email" and "your
    /// GPA". Near misses: a result days after applying, and a work email and a loan's term.
    #[test]
    fn batch_94_results_on_applying_and_students_without_the_word() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "We usually give you a credit result as soon as you and your cosigner submit your application.",
                ],
                &["We send a credit result five days after you submit your application."],
            ),
            (
                "vulnerable_groups",
                &[
                    "Sign up with a valid school email ending in .edu.",
                    "Tell us your GPA and the credit hours you've completed.",
                ],
                &[
                    "Sign up with a valid work email.",
                    "Tell us the term and the amount you need.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.78, from batch 95's misses (guarantor, benefits and emergency-loan pages, pawn
    /// shops, Irish texts on moneylenders): a second chance for a difficult past with debt,
    /// applications considered from people on benefits, unlimited renewals, a rate that costs an
    /// amount each month, and warnings in general forms. Near misses: a second opinion, applications
    /// from people in work, a renewal limit, a rate with no period, prepayment without fees, a
    /// lender that never charges high fees, and texts that warn of nothing.
    #[test]
    fn batch_95_second_chances_renewals_and_general_warnings() {
        let l = lex();
        assert_period(
            &l,
            PricePeriod::Month,
            &["A $100 pawn loan at 13% costs about $13 in interest each month."],
            &["A $100 pawn loan at 13% costs about $13 in interest."],
        );
        let cases: [(&str, &[&str], &[&str]); 6] = [
            (
                "skipped_checks",
                &[
                    "We believe in giving another chance to people who have had a difficult past with debt.",
                    "We can give you a second chance to sort out your money.",
                ],
                &["We can give you a second opinion on your budget."],
            ),
            (
                "low_eligibility",
                &["Some UK lenders consider applications from people on Universal Credit or ESA."],
                &["Some UK lenders consider applications from people in full-time work."],
            ),
            (
                "borrow_freely",
                &["There is no limit on how many times you can renew."],
                &["You can renew twice; after that the loan must be repaid."],
            ),
            (
                "price_claim",
                &["No hidden fees."],
                &[
                    "You are free to repay the whole amount at any time without extra fees or penalties.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "Moneylenders generally charge high interest rates.",
                    "They lend small amounts at a high rate of interest, so the repayments are high.",
                    "Borrowing from a moneylender usually costs more than from a bank or credit union.",
                    "Fees of $14 to $17 per $100 borrowed keep them costly.",
                    "Fees and interest can be relatively high compared with other loans.",
                    "A $500 loan with a fee of $15 per $100 costs $75 in fees and is repaid as $575 within 14 days.",
                    "Miss enough payments and the account can go to collections.",
                    "Just because you can get a loan doesn't mean it is the right loan for you.",
                    "Make sure your loan payments won't overstretch your budget.",
                    "Taking out a loan is a major financial decision.",
                    "Before you apply, work out how much you need and what you can repay.",
                    "If it is not paid back in time, the shop keeps the collateral and can sell it.",
                    "We check that our loan does not put you in a difficult situation.",
                ],
                &[
                    "We never charge high fees.",
                    "A $500 loan is paid into your account within the hour.",
                    "Your account can go to your nominated bank.",
                    "Taking out a loan is quick with our app.",
                    "If it is paid back in time, you get your item back.",
                ],
            ),
            (
                "speed",
                &["Once approved, the money goes to your bank account, sometimes within minutes."],
                &[
                    "The money goes to your bank account on your next payday.",
                    "The money goes to your bank account, usually within 3 business days.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.79, from batch 96's misses and false readings (tribal, logbook, rent-to-own,
    /// check-advance, travel pay-later and phone-financing pages): imperfect credit that can
    /// qualify, less stringent approval, a phone's cost by the end of a lease, warnings of very
    /// high APRs, repossession, multiples of the price and checking the cost before agreeing;
    /// "if you are approved" and a claim named as a term are no claims. Near misses: credit that
    /// cannot qualify, a cash price, a cost compared with a competitor's, and approval announced.
    #[test]
    fn batch_96_imperfect_credit_lease_costs_and_claims_named_as_terms() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "skipped_checks",
                &[
                    "People with less-than-perfect credit scores can qualify too.",
                    "No credit check, apply now.",
                ],
                &[
                    "What 'no credit check' means is worth reading in the terms.",
                    "Terms like no credit check deserve a second look.",
                    "Bad credit scores cannot qualify for this card.",
                ],
            ),
            (
                "low_eligibility",
                &[
                    "Direct lenders offer a less stringent approval process.",
                    "These loans are easier to get than bank loans.",
                ],
                &["Our approval process takes two days."],
            ),
            (
                "price_figure",
                &["A $700 phone could cost $1,200 by the end of the lease."],
                &["A $700 phone costs $700 in store."],
            ),
            (
                "guaranteed_approval",
                &["Good news, you're approved: accept your offer."],
                &[
                    "If you are approved, the lender gives you the terms.",
                    "Once you are approved the money is sent.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "Tribal installment loans usually carry very high APRs, often 200% or more.",
                    "The lender will repossess the car if you miss a repayment.",
                    "Even one missed payment could cost you your car.",
                    "Items bought this way typically cost several times more than with standard financing.",
                    "Add-ons can make a flight cost more than you expected.",
                    "Check the cost carefully before you agree to anything.",
                    "Read the terms and conditions before you take one out.",
                ],
                &[
                    "Commercial banks charge more and compound it, which costs far more.",
                    "The lender values the car before lending.",
                    "Check the delivery date before you order.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.80, from batch 97's misses (US payday and title stores, microfinance charities,
    /// loan guides): an immediate cash loan and the cash you need when you need it, a repayment rate
    /// that is no price, and warnings of higher rates than secured loans, drawbacks, usury and what
    /// follows a late payment. Near misses: an immediate need, a loan's own rate, and a payment made
    /// on time.
    #[test]
    fn batch_97_immediate_cash_repayment_rates_and_usury() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &[
                    "You write a check in exchange for an immediate short-term cash loan.",
                    "Our customers get the cash they need when they need it.",
                ],
                &[
                    "A payday loan should only be used to meet immediate short-term cash needs.",
                    "Tell us the cash you need and the term.",
                ],
            ),
            (
                "price_figure",
                &["Borrow a loan at 13% from us."],
                &["With a repayment rate of 97%, our loan book keeps growing."],
            ),
            (
                "risk_warning",
                &[
                    "The drawbacks: a higher interest rate than secured loans and prepayment penalties.",
                    "Even the founder of micro-credit considers 30% and above usurious.",
                    "If the loan is paid late it is in default, and the lender may ask for a consent to judgment.",
                ],
                &[
                    "We never charge usurious rates.",
                    "If the loan is paid on time, you can borrow again.",
                    "Our rates are lower than most.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.81, from batch 98's misses (Kenyan news on fake loan apps, loan-shark campaign
    /// pages, gold loans): easy loans, a named fee before its amount (in shillings written `Sh`),
    /// and warnings that regulators report, of fake apps and illegal lenders, threats and the dangers
    /// of borrowing. Near misses: an easy application, a fee waived, a lender that is no loan shark,
    /// and a council that approves.
    #[test]
    fn batch_98_easy_loans_named_fees_and_reported_warnings() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "low_eligibility",
                &["Have you seen an ad like these? 'Easy loans', 'Need a loan?'"],
                &["There is no such thing as easy money."],
            ),
            (
                "price_figure",
                &[
                    "Processing fee: Rs 500 plus GST up to Rs 5 lakh.",
                    "The app charges a registration fee of Sh150 to Sh200.",
                ],
                &["Processing fee waived for this month."],
            ),
            (
                "risk_warning",
                &[
                    "Pyramid schemes posing as loan apps are on the rise, the regulators warned.",
                    "Some Kenyans have lost thousands of shillings to fake loan apps.",
                    "Loan sharks can charge whatever interest they choose and use threats, intimidation and violence.",
                    "Beer mats warn customers about the dangers of borrowing from illegal money lenders.",
                ],
                &[
                    "We are not a loan shark.",
                    "The council approved the new branch.",
                    "Our agents use friendly reminders.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.82, from batch 99's misses (salary-deduction and employee loans, a student loan
    /// bureau): approval nothing can prevent, loans easier to get than ordinary ones, a monthly
    /// add-on rate, a worked example's total, and a student loan that is the reader's own debt.
    /// Near misses: something that stops a payment, an add-on with no rate, and students addressed.
    #[test]
    fn batch_99_approval_nothing_prevents_add_on_rates_and_student_debts() {
        let l = lex();
        assert_period(
            &l,
            PricePeriod::Month,
            &["Borrow over six months at a monthly add-on rate of 1%."],
            &["The monthly add-on is a free savings account."],
        );
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "guaranteed_approval",
                &["Nothing can prevent you from getting this loan once your employer agrees."],
                &["Nothing can prevent a late payment fee once it is due."],
            ),
            (
                "low_eligibility",
                &["Employee loans are easier to get than ordinary personal loans."],
                &["Employee loans are easier to repay than ordinary personal loans."],
            ),
            (
                "risk_warning",
                &["18,000 borrowed is repaid at 3,105.87 a month, 18,635.22 in all."],
                &["18,000 borrowed goes to your account today."],
            ),
            (
                "vulnerable_groups",
                &["Student loans for college students, apply today."],
                &["You need your student loan up to date and a job letter."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.83, from batch 100's misses (mobile-wallet loans, guides): an affordable micro
    /// loan, the easiest overdraft to get, a penalty once customers go beyond the repayment period,
    /// and a lender that can take your car if you fail to repay. Near misses: a micro loan with no
    /// claim, an overdraft that is hard to get, and a lender that takes a photo.
    #[test]
    fn batch_100_affordable_micro_loans_easy_overdrafts_and_penalties() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "price_claim",
                &["A short-term, real-time, safe and affordable micro loan on your phone."],
                &["A short-term micro loan on your phone."],
            ),
            (
                "low_eligibility",
                &["It is the easiest overdraft to get, accessible 24/7."],
                &["An overdraft is not the easiest thing to manage."],
            ),
            (
                "risk_warning",
                &[
                    "A penalty of 0.5% applies where customers go beyond the 30-day repayment period.",
                    "Car loans are secured, so the lender can take your car or home if you fail to repay.",
                ],
                &[
                    "The lender can take your photo if you apply in the branch.",
                    "A penalty-free loan for customers who repay early.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.84, from batch 101's misses (loan apps in Uganda and Bangladesh, income share
    /// agreements, ring financing): a share of income with its figure, what is received against
    /// what is requested, a cost as a multiple of the loan, interest stated as an amount, credit
    /// for less-than-stellar histories, easy soft loans, schooling funded, and warnings of
    /// exorbitant interest, risky propositions, regrets and the true cost. Near misses: a share of
    /// income without a figure, a legal cap that is never exceeded, an affordability rule, a
    /// lender that never charges exorbitant interest, and a school without a loan.
    #[test]
    fn batch_101_income_shares_multiples_and_exorbitant_interest() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "price_figure",
                &[
                    "With an ISA you pay the school a percentage of your salary, from 8% to 25%.",
                    "If the payback is 10% and you earn $100,000 a year, you pay $10,000.",
                    "When you request Sh80,000 you receive Sh57,000 and repay it in 7 days.",
                    "Anyone who borrows through them has to repay more than double the amount borrowed.",
                    "The plan can cost as much as one and a half times the original fee.",
                    "The interest is $100 and you must pay within eight days.",
                ],
                &[
                    "With an ISA they pay a set percentage of their salary once they have a job.",
                    "With the cost cap you never repay more than double what you borrowed.",
                    "The interest is charged on the outstanding balance.",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "Don't let bad credit stand between you and the ring that's right for you.",
                    "There are plenty of financing choices for borrowers with less-than-stellar credit.",
                ],
                &[
                    "Bad credit can stand between you and a mortgage for years.",
                    "Borrowers with stellar credit get the best rates.",
                ],
            ),
            (
                "low_eligibility",
                &["The apps offer easy soft loans from Sh30,000."],
                &["Soft loans for farmers, repaid over five years."],
            ),
            (
                "vulnerable_groups",
                &[
                    "A way to fund your schooling without paying the full tuition until you get hired!",
                ],
                &["A way to fund your holiday without paying up front."],
            ),
            (
                "risk_warning",
                &[
                    "The apps charge exorbitant interest because they ask for no collateral.",
                    "They lend at exorbitant interest rates to be repaid within a week.",
                    "It is a risky proposition for both the school and the student.",
                    "An urgent loan can become your biggest regret.",
                    "Many borrowers rush in without understanding the true cost.",
                ],
                &[
                    "We never charge exorbitant interest.",
                    "A loan you will never regret taking for your studies.",
                    "Your true credit score is free to check.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.85, from batch 102's misses (Indonesian and Vietnamese news on online lending):
    /// black credit, usury, exorbitant interest after "and", and threats when repayment is late;
    /// students among a loan's users are not students addressed. Near misses: a lender that
    /// practises no usury, on-time payments with no threat, and a loan for students.
    #[test]
    fn batch_102_black_credit_usury_and_threats_on_late_payment() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "risk_warning",
                &[
                    "The poor are often hurt by black credit.",
                    "Black-credit lenders post borrowers' photos online.",
                    "They were charged with usury in civil transactions.",
                    "With compound interest and exorbitant interest rates they cannot repay.",
                    "Relatives could be threatened when payments were late.",
                    "When repayment was late they insulted and threatened the borrower's relatives.",
                ],
                &[
                    "We have never practised usury.",
                    "When payments were on time, nobody called.",
                ],
            ),
            (
                "vulnerable_groups",
                &["Quick loans for students, apply today."],
                &["Quick loans through apps have become popular among students and workers."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.86, from batch 103's misses (Pakistani and Philippine news on illegal loan
    /// apps): nominal interest rates, easy instalment loans, how easy it is to borrow, platforms
    /// that ask only for a name, a cost that doubles the loan, and warnings of escalating debt,
    /// regulators' cautions and illegal loan schemes. Near misses: a nominal annual rate stated in
    /// full, an instalment that is not easy, a loan that never traps anyone, and a lender that is
    /// never illegal.
    #[test]
    fn batch_103_nominal_rates_easy_instalments_and_illegal_schemes() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "price_claim",
                &["At first these apps gave loans at nominal interest rates to students."],
                &["The nominal interest rate is 12% per annum."],
            ),
            (
                "low_eligibility",
                &[
                    "The apps claimed to provide easy instalment loans.",
                    "Victims were lured by how easy it is to borrow.",
                    "Most platforms ask only for the borrower's name and the amount.",
                ],
                &[
                    "Instalment loans are not easy to repay.",
                    "We ask for your name, your ID and three payslips.",
                ],
            ),
            (
                "price_figure",
                &["He ended up paying Rs30,000, double the loan, in hidden charges."],
                &["He borrowed Rs15,000 for one month."],
            ),
            (
                "risk_warning",
                &[
                    "Many borrowers were trapped in escalating debt.",
                    "The regulator cautioned the public against illegal personal loan schemes.",
                    "People were harassed by illegal online lending platforms.",
                ],
                &[
                    "Our loans never trap you in debt.",
                    "We are not an illegal lending platform.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.87, from batch 104's misses (Tanzanian and Ethiopian news on digital loans, a
    /// mobile lender's page): credit instantly, quick financial relief, a rate over a few days, a
    /// loan that balloons from one sum to another, and warnings of debt-shaming, ballooning
    /// interest, warnings to delinquent borrowers, a penalty rate and borrowers struggling to keep
    /// up. Near misses: credit checked instantly, relief from a charity, a lender that never
    /// shames anyone, and no penalty at all.
    #[test]
    fn batch_104_instant_credit_ballooning_debts_and_penalty_rates() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &[
                    "For the first time millions can get formal credit instantly.",
                    "Microloans designed to give quick financial relief.",
                ],
                &["Your credit history is checked by the bureau."],
            ),
            (
                "price_figure",
                &[
                    "They charge extremely high interest, often over 30 percent in a few days.",
                    "He borrowed 15,000 birr and saw the amount balloon to 56,000 birr.",
                ],
                &["He borrowed 15,000 birr for his shop."],
            ),
            (
                "risk_warning",
                &[
                    "Reports of ballooning interest rates, threats and debt-shaming.",
                    "The operator issued public warnings to delinquent borrowers.",
                    "A 60-day loan carries a 21% fee, and the penalty is 0.5% per day.",
                    "I'm struggling to keep up.",
                ],
                &[
                    "We never engage in debt-shaming.",
                    "Repay early with no penalty.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.88, from batch 105's misses (Cambodian news on microfinance debt, Malaysian news
    /// on loan sharks): money in the account the next day, and warnings of borrowers spiralling
    /// into debt or borrowing more to keep up, violent collection, loan sharks that plunge you
    /// deeper into it, and advice not to resort to illegal moneylenders. Near misses: money
    /// repaid the next day, a lender that never collects aggressively, and a lender that
    /// resorts to nothing.
    #[test]
    fn batch_105_next_day_money_debt_spirals_and_loan_sharks() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "If they called one day, the money would usually be in their bank account the next day.",
                ],
                &["You repay the loan from your bank account on your next payday."],
            ),
            (
                "risk_warning",
                &[
                    "They spiralled deeper into debt.",
                    "They borrowed more to keep up with the monthly payments on existing loans.",
                    "High-interest loans collected by unethical and sometimes violent methods.",
                    "Loan sharks plunge you deeper into it.",
                    "He urged people not to resort to illegal moneylenders.",
                ],
                &[
                    "We never use aggressive collection.",
                    "Our loans help small farms grow.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.89, from batch 106's misses (Latin American news on loan-shark apps): a cost of
    /// five times the sum borrowed, fees that climb to a share of the original loan, and warnings
    /// of extortion, threatening calls, borrowers threatened when they cannot pay, and lenders
    /// that bleed them dry. Near misses: five times the speed, a lender that never calls with
    /// threats, and borrowers who pay on time.
    #[test]
    fn batch_106_multiples_of_the_loan_and_threatening_calls() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "price_figure",
                &[
                    "The user finds that five times the sum borrowed must be paid back.",
                    "The fees climb fast, in some cases to 500 percent of the original loan.",
                ],
                &["Our app is five times faster than a bank."],
            ),
            (
                "risk_warning",
                &[
                    "A new wave of extortion through credit apps.",
                    "She received more than 50 threatening calls and messages a day.",
                    "Borrowers who cannot pay are threatened and their relatives contacted.",
                    "Loan sharks bleeding them dry drop by drop.",
                ],
                &[
                    "We never make threatening calls.",
                    "Borrowers who pay on time get a lower rate.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.90, from batch 107's misses (Zambian and South African news on informal
    /// lenders): money as soon as you want it, loans off the payroll or whatever your income,
    /// grant recipients, and warnings of seized or lost property, poverty traps, high rates to
    /// avoid, forced re-borrowing, illegal interest, falling prey and intimidation. Near misses:
    /// a payroll loan, a grant programme with no borrowers, a lender that never intimidates.
    #[test]
    fn batch_107_grant_recipients_seized_property_and_illegal_interest() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "low_eligibility",
                &[
                    "Shylocks are more flexible, even if you are not on a payroll.",
                    "Lenders will lend you money no matter how low your income.",
                ],
                &["Payroll loans for employees on a payroll."],
            ),
            (
                "speed",
                &["I get the money as soon as I want it, rather than from banks."],
                &["Repay the money as soon as you can."],
            ),
            (
                "vulnerable_groups",
                &[
                    "More social grant recipients borrow from loan sharks.",
                    "Grant beneficiaries are targeted by illegal lenders.",
                ],
                &["The grant programme funds schools."],
            ),
            (
                "risk_warning",
                &[
                    "Failure to repay usually means your property is seized.",
                    "People are losing property every day to loan sharks.",
                    "Kaloba rates keep people trapped in poverty.",
                    "Many need help to avoid borrowing at these high rates.",
                    "Three pensioners were forced to borrow again.",
                    "They lend at grossly illegal interest.",
                    "The elderly too often fall prey to this practice.",
                ],
                &[
                    "We do not intimidate customers.",
                    "Your property is insured.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.91, from batch 108's misses (Papua New Guinean and Sri Lankan news on payday
    /// lenders, loan sharks and microfinance): paying double the amounts borrowed, affordable
    /// financial help, and warnings of recurring debt, astronomical interest, threats of
    /// violence, heavy debt, heavy indebtedness, no capacity to repay and suicides. Near misses: a
    /// lender that never puts anyone in heavy debt, a payment of double points, and financial help
    /// that is no loan.
    #[test]
    fn batch_108_heavy_debt_threats_of_violence_and_suicides() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "price_figure",
                &["Many debtors end up paying double the amounts borrowed."],
                &["Members earn double the points on every purchase."],
            ),
            (
                "price_claim",
                &[
                    "Microfinance exists to give affordable financial help to people on low incomes.",
                ],
                &["Free financial help from a debt adviser."],
            ),
            (
                "risk_warning",
                &[
                    "Such loans can trap borrowers in cycles of recurring debt.",
                    "They charge astronomical interest.",
                    "A defaulting borrower can face threats of violence.",
                    "Public servants live in heavy debt to loan sharks.",
                    "70 percent of the workforce is heavily indebted.",
                    "I had no capacity to repay these loans.",
                    "At least 170 borrowers killed themselves last year.",
                ],
                &[
                    "Our loans will never put you in heavy debt.",
                    "Repay early at no extra cost.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// What en 2026.12.93 adds from batch 109 (Pacific and southern African news on moneylenders):
    /// easy access to finance and quick bucks, a rate "in interest a week", and the warnings of
    /// borrowers left in difficult positions, interest upon interest, penalties, extremely high
    /// interest, lenders that expose consumers to unlawful practices or pressure them into quick
    /// decisions, checking a lender's registration and not borrowing from the unregistered. Near
    /// misses: easy access to cash (batch 25's label), a lender that never pressures anyone, quick
    /// decisions as a claim of speed, and a lender that never hits you with penalties.
    #[test]
    fn batch_109_easy_access_quick_bucks_and_lenders_that_pressure_you() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "low_eligibility",
                &[
                    "Finance companies come to the village promising easy access to finance.",
                    "Civil servants have had easy access to micro-loans.",
                ],
                &["The app offers low rates and easy access to cash."],
            ),
            (
                "speed",
                &[
                    "Borrowers queue to get their hands on quick bucks.",
                    "Quick decisions on every application.",
                ],
                &["Avoid lenders who pressure you into quick decisions."],
            ),
            (
                "risk_warning",
                &[
                    "Lenders recovered twice the sum lent, leaving borrowers in extremely difficult positions.",
                    "They were charged interest upon interest.",
                    "Borrowers who missed a week were hit with penalties.",
                    "Companies lend with extremely high interest and strict collection.",
                    "Unregistered lenders expose consumers to unlawful practices.",
                    "Avoid lenders who pressure you into quick decisions.",
                    "Check a lender's registration before you borrow.",
                    "Do not borrow from anyone who cannot prove it is registered.",
                ],
                &[
                    "We never pressure you into quick decisions.",
                    "We will never hit you with penalties.",
                ],
            ),
            (
                "price_figure",
                &["Some charge as much as 20% interest a week."],
                &["Repayments are due every week."],
            ),
        ];
        assert_families(&l, &cases);
        let p = one_price("Some charge as much as 20% interest a week.");
        assert_eq!(p.period, PricePeriod::Week);
        assert!(close(p.value, 0.2));
        let p = one_price("They charge 10% interest per fortnight.");
        assert_eq!(p.period_days, Some(14.0));
    }

    /// What en 2026.12.95 adds from batch 110 (Thai, Malawian and Zimbabwean news on loan apps and
    /// loan sharks): applying with just a phone number and an ID card, easy and simple loans,
    /// loans easy to get, and the warnings of borrowers threatened or shamed when they fail to pay,
    /// threats of exposure, collectors who threaten to sell a debtor's goods, duress from loan
    /// sharks, poverty, exorbitant interest and credit that came with high interest. Near misses:
    /// a phone number asked for with other documents, no exorbitant fees, and loans that never
    /// came with high interest.
    #[test]
    fn batch_110_phone_number_and_id_threats_of_exposure_and_exorbitant_interest() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "low_eligibility",
                &[
                    "Applying is easy, with just a phone number and an ID card.",
                    "Borrowers flock to loan sharks for easy and simple loans.",
                    "It was easy to get the loans.",
                ],
                &["Bring your payslips, your ID card and a utility bill."],
            ),
            (
                "risk_warning",
                &[
                    "He threatened and shamed borrowers who failed to pay.",
                    "She was threatened with exposure on Facebook.",
                    "A debt collector threatened to sell her refrigerator.",
                    "Anyone under duress from loan sharks should call the police.",
                    "He was mired in poverty.",
                    "His business stayed stagnant because of the exorbitant interest.",
                    "Easier access to money came with high interest and fraud.",
                ],
                &[
                    "We charge no exorbitant fees.",
                    "Our loans never came with high interest.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// What en 2026.12.96 adds from batch 111 (Ghanaian, Liberian and Myanmar news): interest that
    /// was too high and crushing debt as warnings. Near misses: fees that are never too high, and a
    /// price that is too high for something that is no credit.
    #[test]
    fn batch_111_interest_too_high_and_crushing_debt() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "The interest was too high, and I went back to zero.",
                "Many microlenders leave borrowers with crushing debt.",
            ],
            &[
                "Our fees are never too high.",
                "The price is too high for most phones.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// What en 2026.12.97 adds from batch 112 (Kenyan, Nigerian and Lesotho pages): quick
    /// borrowing, approval that is not the hard part, a cost stated as a share more than what was
    /// received, and no annual rate read from a ceiling a lender "should charge" or a law allows.
    /// Near misses: approval that is not easy, a share of the salary, and a lender's own rates a
    /// year, which stay annual rates.
    #[test]
    fn batch_112_quick_borrowing_easy_approval_and_legal_ceilings() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &["Loan apps allow quick borrowing for emergencies."],
                &["Borrowing is a serious decision."],
            ),
            (
                "guaranteed_approval",
                &[
                    "Getting approved is not the hard part.",
                    "Approval is easy.",
                ],
                &["Getting approved is not easy with bad credit."],
            ),
            (
                "price_figure",
                &["She had to repay 43% more than she had received."],
                &["Keep your loans below 30% of your monthly income."],
            ),
        ];
        assert_families(&l, &cases);
        for ceiling in [
            "Moneylenders should charge 25 percent a year.",
            "It is far above the maximum of 20 percent a year that the law allows.",
            "Rates are capped at 36% a year.",
            "Lenders may not charge more than the stipulated 25 percent per annum.",
        ] {
            assert!(l.prices(ceiling).is_empty(), "{ceiling}");
        }
        for own in [
            "We charge 25 percent a year.",
            "Our loans cost 19.9% per annum.",
        ] {
            assert_eq!(one_price(own).period, PricePeriod::Year, "{own}");
        }
        let p = one_price(
            "Moneylenders should charge 25 percent a year, but most charge 30 percent a month.",
        );
        assert_eq!(p.period, PricePeriod::Month);
    }

    /// What en 2026.12.98 adds from batch 113 (Kazakh news on microloans and rate caps): the
    /// annual effective interest rate as an annual rate, a cost of many times what was borrowed,
    /// and loans that raise a debt burden as a warning. Near misses: an effective rate a month,
    /// a sum many times larger that is no cost, and loans that do not raise a debt burden.
    #[test]
    fn batch_113_annual_effective_rate_many_times_and_debt_burden() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "price_figure",
                &["Borrowers ended up repaying many times what they had borrowed."],
                &["The market is many times larger than it was."],
            ),
            (
                "risk_warning",
                &[
                    "Cheaper loans could raise Kazakhstanis' debt burden.",
                    "Borrowing more will increase your indebtedness.",
                ],
                &[],
            ),
        ];
        assert_families(&l, &cases);
        assert!(!AdFacts::of("Our loans do not raise your debt burden.", &l).has_risk_warning());
        for annual in [
            "The annual effective interest rate is 56 percent on consumer loans.",
            "It has an effective annual rate of 46%.",
        ] {
            assert_eq!(one_price(annual).period, PricePeriod::Year, "{annual}");
        }
        assert_ne!(
            one_price("The effective monthly rate is 3%.").period,
            PricePeriod::Year
        );
    }

    /// What en 2026.12.99 adds from batch 114 (Caribbean news on payday lenders and loan
    /// sharks): loans grown more and more predatory and the danger signs a borrower ignores, as
    /// warnings. Near misses: loans that are not increasingly predatory, and warning signs on a
    /// road.
    #[test]
    fn batch_114_more_predatory_and_the_danger_signs() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "Payday loans have become more and more predatory.",
                "The more desperate you are, the more likely you will ignore the danger signs.",
            ],
            &[
                "Our loans are not increasingly predatory.",
                "He watched the warning signs on the road.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// What en 2026.12.100 adds from batch 115 (Mongolian and Cambodian lenders' pages and news
    /// on online loans): "get a loan as soon as possible" as speed, overdue interest and a
    /// penalty charge stated with their rate as warnings, and the amount received against the
    /// amount repaid as the cost of a loan. Near misses: repaying a loan as soon as possible,
    /// interest that is not overdue, and an amount received that is not repaid.
    #[test]
    fn batch_115_as_soon_as_possible_overdue_interest_and_amount_received() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &["Get a loan as soon as possible when you need the money."],
                &["Repay a loan as soon as possible to save interest."],
            ),
            (
                "risk_warning",
                &[
                    "Overdue interest is 20% of the base interest rate.",
                    "A penalty charge of no more than 3% a month applies to late payments.",
                ],
                &["The interest is 20% of the base rate."],
            ),
        ];
        assert_families(&l, &cases);
        let p = one_price(
            "She received only $32, and was expected to repay the full $50 within a week.",
        );
        assert_eq!(p.period, PricePeriod::Loan);
        assert!(lex().prices("She received $32 from her sister.").is_empty());
    }

    /// What en 2026.12.101 adds from batch 116 (Philippine pages on seaman loans): the warning
    /// to understand fully what you are entering into. Near miss: a lender that understands
    /// what you are going through.
    #[test]
    fn batch_116_understand_what_you_are_entering_into() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "You have to understand fully what you are entering into before you sign.",
                "Know exactly what you are signing.",
            ],
            &["We understand what you are going through."],
        )];
        assert_families(&l, &cases);
    }

    /// What en 2026.12.102 adds from batch 117 (Philippine pages on teachers' loans): a lender
    /// or borrowing anytime and anywhere, as borrowing freely. Near misses: repaying anytime and
    /// anywhere, and a lender's app that works anytime.
    #[test]
    fn batch_117_a_lending_partner_anytime_and_anywhere() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "borrow_freely",
            &[
                "Your online lending partner anytime and anywhere.",
                "Borrow anytime, anywhere.",
            ],
            &[
                "Repay your loan anytime and anywhere.",
                "Our lender app works anytime.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// What en 2026.12.103 adds from batch 118 (Philippine pages on loans for small shops):
    /// "lack" denies the claim after it. Near misses: a lack that is not of what the claim
    /// promises, the claim made outright, and "lack" inside another word.
    #[test]
    fn batch_118_those_who_lack_easy_access_to_credit() {
        let l = lex();
        let facts = AdFacts::of("Members who lack easy access to credit can apply.", &l);
        let access = facts
            .matches
            .iter()
            .find(|m| &*m.family == "low_eligibility")
            .expect("the claim is read, and denied");
        assert_eq!(access.negated_by.as_deref(), Some("lack"));
        let cases: [(&str, &[&str], &[&str]); 3] = [
            ("speed", &["Lacking time? Get cash in minutes."], &[]),
            (
                "low_eligibility",
                &["Easy access to credit for everyone."],
                &[],
            ),
            // "lack" is a word of its own: "blacklisted" denies nothing.
            (
                "guaranteed_approval",
                &["Blacklisted borrowers get guaranteed approval."],
                &[],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// zh 2026.12.25, from batch 119's misses (loan ads quoted by Xinhua and a city evening
    /// paper): a countdown to the money's arrival is speed, a credit score that is enough to
    /// borrow is low eligibility, and 任何 inside a no-fee phrase keeps it a price claim. Near
    /// misses: a list numbered upwards, a score that is only required, a fee that is charged.
    #[test]
    fn a_countdown_a_score_enough_to_borrow_and_no_fee_at_all_are_claims() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &["3、2、1，20万到账啦！", "三，二，一，5万元到账了。"],
                &["步骤1、2、3，到账后按期还款。", "第3、2、1期已还清。"],
            ),
            (
                "low_eligibility",
                &["凭芝麻信用分600分就能借20万。", "只要芝麻分就可以借款。"],
                &[
                    "芝麻信用分600分以上的用户可申请，需审核。",
                    "信用分越高，额度越高。",
                ],
            ),
            (
                "price_claim",
                &["无任何手续费，无抵押。", "免任何服务费。"],
                &["收取任何手续费前会告知您。", "手续费按月收取。"],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.104, from batch 120's misses (pages on loans for bootcamp and international
    /// students and for pensioners): pre-qualification in minutes is speed, an applicant accepted
    /// to a school is a student, a credit score "of 549 or below" is bad credit accepted, a worked
    /// example with its finance charge warns, and "won't hurt your credit" warns of nothing. Near
    /// misses: pre-qualification that takes days, a loyalty programme one enrols in, a score that
    /// is required, an example with no cost, and the harm said to follow from borrowing too much.
    #[test]
    fn prequalified_in_minutes_a_school_a_low_score_and_a_credit_left_unhurt() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "speed",
                &[
                    "Get pre-qualified in minutes.",
                    "Prequalification in under 5 minutes.",
                ],
                &["Pre-qualification in 3 to 5 business days."],
            ),
            (
                "vulnerable_groups",
                &[
                    "Once you've been accepted to your school, apply.",
                    "Enrolled at a university?",
                ],
                &["Enrolled in the autopay program? Get 0.25% off."],
            ),
            (
                "skipped_checks",
                &[
                    "Even with a credit score of 549 or below you may get a loan.",
                    "Approval with a score as low as 500.",
                ],
                &["Lenders want a credit score of 670 or higher."],
            ),
            (
                "risk_warning",
                &[
                    "Example on a $10,000 loan over 36 months: APR 11.25%, finance charge $2,215.73.",
                    "Borrowing too much can hurt your credit score.",
                ],
                &[
                    "It's quick, free and won't hurt your credit score.",
                    "Checking your rate will not hurt your credit score.",
                    "For example, a $10,000 loan for a new kitchen.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.105, from batch 121's misses (payday pages on loans for people on Social
    /// Security or SSI): receiving SSI is a vulnerable group, risks "to be aware of", "a high-risk
    /// area" and terms that "can make you fall behind" warn, and advice to compare lenders "for
    /// the best rates" claims no price. Near misses: "no risks to be aware of", a lender's own
    /// "best rates", and an income without the benefit named.
    #[test]
    fn ssi_recipients_risks_to_be_aware_of_and_advice_on_the_best_rates() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "vulnerable_groups",
                &[
                    "If you receive Supplemental Security Income, you can apply.",
                    "Loans for people on SSDI.",
                ],
                &["If you receive a regular income, you can apply."],
            ),
            (
                "risk_warning",
                &[
                    "There are potential risks to be aware of.",
                    "You are stepping into a high-risk area.",
                    "The fees can make you fall behind on rent.",
                ],
                &[
                    "There are no risks to be aware of.",
                    "We lend to high-risk borrowers.",
                ],
            ),
            (
                "price_claim",
                &["Get the best rates today."],
                &["Research a range of lenders for the best rates."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.106, from batch 122's misses (pages on loans for nurses and for people out of
    /// work): a loan "possible to get while unemployed" is low eligibility, a waiver of lenders
    /// mortgage insurance is a price claim, and higher overall interest charges and collateral
    /// "the lender can seize if you default" warn. Near misses: a loan said not to be possible, LMI
    /// that applies, and a lender that "can help if you default".
    #[test]
    fn a_loan_while_unemployed_an_lmi_waiver_and_collateral_the_lender_can_seize() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "low_eligibility",
                &[
                    "It's possible to get a loan while unemployed.",
                    "You may be able to borrow money even if you are out of work.",
                ],
                &["It is not possible to get a loan while unemployed."],
            ),
            (
                "price_claim",
                &[
                    "Nurses may get a waiver of Lenders Mortgage Insurance.",
                    "Avoid LMI.",
                ],
                &["LMI applies if your deposit is under 20%."],
            ),
            (
                "risk_warning",
                &[
                    "Longer terms usually come with higher overall interest charges.",
                    "Collateral, such as a car, that the lender can seize if you default.",
                ],
                &["Our lender can help if you default on another loan."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.107, from batch 123's false warning (a Philippine broker's blog on seaman
    /// loans): a loan "high-risk" for the lender warns the borrower of nothing, while one that is
    /// high-risk for borrowers, or a high-risk area, still warns.
    #[test]
    fn a_loan_high_risk_for_the_lender_is_no_warning() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "Payday loans are a high-risk loan for borrowers.",
                "You are stepping into a high-risk area.",
            ],
            &[
                "Lenders call it a high-risk loan for them, with no collateral to hold.",
                "It is a high-risk loan for the lender.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.108, from batch 124's false reading (a credit bureau head's tips before
    /// borrowing): advice to check or ask about a loan's service or administration charges warns
    /// of the cost. Near misses: a lender's "ask about our low fees" and a bare "check the fees".
    #[test]
    fn advice_to_check_a_loans_service_charges_is_a_warning() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "Check the loan's service fees.",
                "Ask about service and administration charges, and whether they are paid once.",
            ],
            &["Ask about our low fees!", "Check the fees."],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.109, from batch 125's misses (enforcement reports of the CFPB and the FTC): a
    /// lender's "better rates" is a price claim, and a rate in number words or a range whose
    /// suffix comes once ("as low as one to two percent") is a price figure. Near misses: advice
    /// to shop around or compare "for better rates", and number words that are no percentage. A
    /// cap a law sets per month is no monthly price; a lender's own "never exceed" still is.
    #[test]
    fn better_rates_and_rates_in_number_words_are_prices() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "price_claim",
                &[
                    "You get more money at better rates for longer periods of time.",
                    "Members enjoy better interest rates.",
                ],
                &[
                    "Shop around for better rates before you sign.",
                    "Compare better rates from other lenders.",
                ],
            ),
            (
                "price_figure",
                &[
                    "Borrow at interest rates as low as one to two percent.",
                    "Interest rates of 1 to 2 per cent.",
                    "An interest rate of five percent.",
                ],
                &[
                    "Interest is charged on one of our two loans.",
                    "Rates reviewed every two to three days.",
                ],
            ),
        ];
        assert_families(&l, &cases);
        assert_period(
            &l,
            PricePeriod::Month,
            &[
                "Interest of two percent a month.",
                "Our rates never exceed 3% a month.",
            ],
            &[
                "The interest may not exceed five per cent a month, sixty per cent a year.",
                "Interest cannot exceed 5% a month under the Act.",
            ],
        );
    }

    /// en 2026.12.110, from batch 126's misses (enforcement reports of the District of Columbia
    /// and ASIC): "affordable and safe loans" is a price claim, and a loan said to be free is a
    /// free-credit claim. Near misses: an affordable place to save, a loan free of collateral or
    /// free to apply for.
    #[test]
    fn affordable_and_safe_loans_and_a_free_loan_are_price_claims() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "price_claim",
                &[
                    "We provide simple, affordable and safe loans to everyday consumers.",
                    "Cheap, fast and easy loans.",
                ],
                &["An affordable and safe place to save."],
            ),
            (
                "interest_free",
                &[
                    "Your first $100 loan is free.",
                    "This advance is completely free.",
                ],
                &[
                    "Our loans are free of collateral.",
                    "The loan is free to apply for.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.112: a match of `vulnerable_groups` followed by "savings" addresses no group
    /// ("enrolled in a college savings plan"), while applicants enrolled at a school, students
    /// with a comma and "savings" after them and a student fund still are one.
    #[test]
    fn a_college_savings_plan_addresses_no_student() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "vulnerable_groups",
            &[
                "You are enrolled at a university.",
                "Loans for students, savings for everyone.",
                "Borrow from the student fund.",
            ],
            &[
                "Parents enrolled in a college savings plan can borrow against it.",
                "Enrolled in a university savings scheme? Borrow against it.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.113, from batch 127's miss (a title lender's TV ad told by "a senior
    /// citizen"): the singular, and older adults, people and borrowers, address older people.
    /// Near misses: a senior manager, older loans.
    #[test]
    fn a_senior_citizen_and_older_adults_are_a_vulnerable_group() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "vulnerable_groups",
            &[
                "A senior citizen from Salem: a car title loan saved my life.",
                "Loans for older adults on a fixed income.",
            ],
            &[
                "A senior manager approves each loan.",
                "Older loans are repaid first.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.115, from batch 128's misses (scam loan pages and texts quoted by
    /// fact-checkers, reports of ASA rulings and US enforcement): money in a mobile wallet
    /// "right now" or deposited "in 3 minutes", "you qualify for a loan", guaranteed loans of a
    /// kind, blacklisted applicants welcome, "pay nothing for six months" and a lowered monthly
    /// payment. Near misses: a login "right now", a repayment due in 30 days, a qualification
    /// told as a condition or asked about, a government-guaranteed business loan, a warning about
    /// blacklisting, "pay nothing upfront" and a free comparison service.
    #[test]
    fn wallet_speed_qualification_blacklisting_and_deferred_payment_forms() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "speed",
                &[
                    "How much loan do you need in your Mpesa account right now?",
                    "We deposit up to KSh450,000 to your M-Pesa in 3 minutes.",
                ],
                &[
                    "Log in to your account right now to check your balance.",
                    "Repay KSh5,000 to your lender in 30 days.",
                ],
            ),
            (
                "guaranteed_approval",
                &[
                    "You qualify for a loan of R20,000 - apply now!",
                    "Guaranteed debt consolidation loans with lower payments.",
                ],
                &[
                    "You qualify for a loan if you earn R3,000 a month.",
                    "Find out if you qualify for a loan.",
                    "SBA guaranteed business loans for small firms.",
                ],
            ),
            (
                "skipped_checks",
                &["Blacklisted welcome.", "Debt review can apply."],
                &[
                    "Blacklisted? Beware of lenders who promise loans.",
                    "We do not lend to blacklisted people.",
                ],
            ),
            (
                "price_claim",
                &[
                    "Buy now, pay nothing for six months.",
                    "Instant relief by lowering their monthly payment.",
                ],
                &[
                    "You pay nothing upfront.",
                    "You pay nothing to use our comparison service.",
                ],
            ),
            (
                "interest_free",
                &[],
                &["Buy now, pay nothing for six months."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.116, from batch 129's misses (fake government loan schemes and approval
    /// letters reported by Indian fact-checkers): a loan announced as granted or "on track",
    /// a loan "to all Aadhaar card holders", an "Aadhaar card loan" and loans "on your Aadhaar
    /// card", and a registration fee with its amount (the amount slot reading Indian digit
    /// grouping and "Rs 5 lakh"). Near misses: an approval told as a condition or asked about,
    /// an approval denied, loans to a society's members, an identity card among other
    /// documents, a registration date.
    #[test]
    fn granted_loans_loans_for_every_card_holder_and_identity_card_loans() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "guaranteed_approval",
                &[
                    "Your loan of Rs 2,00,000 is on track.",
                    "Approval letter: your loan under the PM Mudra Yojana is granted.",
                    "A loan of Rs 4,78,000 to all Aadhaar card holders.",
                ],
                &[
                    "If your loan of Rs 2,00,000 is approved, we pay it in a week.",
                    "Once your loan is approved, the money arrives.",
                    "Find out whether your loan is approved.",
                    "Your loan is not approved yet.",
                    "Loans to all our members at fair rates.",
                ],
            ),
            (
                "low_eligibility",
                &[
                    "Pradhan Mantri Yojana Aadhaar card loan with one per cent interest.",
                    "Loans of up to Rs 5 lakh on your Aadhaar card.",
                ],
                &[
                    "Loans with your Aadhaar card and income proof.",
                    "Bring your ID card to the branch.",
                ],
            ),
            (
                "price_figure",
                &["Registration from Rs 999, with a 10% subsidy."],
                &["Registration from 1 January."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// zh 2026.12.26, from batch 130's miss (a loan text reported by a city paper): the reader
    /// told that they already qualify is approval announced. Near misses: the same words as a
    /// condition, a question, a requirement.
    #[test]
    fn already_qualified_for_a_loan_is_approval_announced() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "guaranteed_approval",
            &[
                "您的信用良好，已具备贷款资质，点击链接下载APP即可申请。",
                "您已符合借款条件，请尽快领取。",
            ],
            &[
                "如果您具备贷款资质，即可申请。",
                "请确认您是否已具备贷款资格。",
                "申请人需具备贷款资质。",
                "只要您符合贷款条件就能申请。",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.117, from batch 131's miss (a scam loan post reported by a South Sudanese
    /// fact-checker): loans approved even for people in debt skip the checks. Near misses: the
    /// same words with no loan or approval before them, a denial, loans said to harm the
    /// indebted.
    #[test]
    fn loans_approved_even_for_people_in_debt_skip_the_checks() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "skipped_checks",
            &[
                "Banks approve loans of up to $20,000, even for people who are in debt.",
                "We lend even if you already have other loans.",
            ],
            &[
                "Even if you are in debt, borrowing more will not help.",
                "We never approve loans even for people who are in debt.",
                "Loans for people who are in debt can make things worse.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.118: a call to check eligibility "for a loan today" is no claim of money
    /// today; the money itself "today" still is.
    #[test]
    fn qualifying_for_a_loan_today_is_no_speed_claim() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "Get your loan today.",
                "Cash today for qualified borrowers.",
            ],
            &[
                "Find out if you qualify for a loan today.",
                "See if you're eligible for a loan today.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.119, from batch 132's misses (stimulus-loan posts, loan ads on Facebook, a
    /// fake-scheme message, a New Zealand payday lender and a credit card): each form with its
    /// near misses (a condition, a repayment, an agreement handed to every applicant, a benefit
    /// that is no payment, a fee that is charged).
    #[test]
    fn batch_132_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "speed",
                &[
                    "Fund Ourselves: get money in your account today.",
                    "I applied and was approved for $5,000 in minutes!",
                ],
                &[
                    "Repay the money in your account today.",
                    "Approved for $5,000 in 2023.",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "And I don't even have good credit.",
                    "They don't really care about your credit score.",
                ],
                &[
                    "If you don't care about your credit score, you will pay more.",
                    "We care about your credit score.",
                ],
            ),
            (
                "guaranteed_approval",
                &[
                    "SBI is giving every woman in the country a loan of Rs 25 lakh.",
                    "The government grants each farmer a loan of Rs 1 lakh.",
                ],
                &[
                    "We give every applicant a loan agreement to read first.",
                    "Offering all customers loans at 5% p.a.",
                ],
            ),
            (
                "vulnerable_groups",
                &[
                    "Whether you are working or on a WINZ benefit, all applications will be considered.",
                    "Loans for people on benefits.",
                ],
                &["Customers get a benefit from lower rates."],
            ),
            (
                "price_claim",
                &[
                    "A credit card with no account fees.",
                    "No annual fee, ever.",
                ],
                &["An annual fee of $50 applies."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.121, from batch 134's misses (Philippine and Kenyan lenders' pages): each form
    /// with its near misses (a denial, a repayment, a reminder, a job of some kind).
    #[test]
    fn batch_134_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "speed",
                &[
                    "We send the amount immediately after you sign the contract.",
                    "We credit your loan straight away.",
                ],
                &[
                    "We don't send the money immediately: checks take a week.",
                    "You can repay the amount immediately at no cost.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "If a payment is overdue, interest for the overdue days and a late payment charge are added.",
                ],
                &["If a payment is overdue, we send you a reminder."],
            ),
            (
                "low_eligibility",
                &[
                    "No job? Apply today.",
                    "No steady income? We can still help.",
                ],
                &[
                    "No regular employment? You can still apply as long as you have a stable source of income.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.122, from batch 135's misses (news quoting loan ads, Gulf shops' pay-later
    /// pages): each form with its near misses (credit repair, a list of documents, a reminder).
    #[test]
    fn batch_135_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "skipped_checks",
                &["Bad credit? We lend.", "Poor credit? We still approve."],
                &["Bad credit? We can help you rebuild it."],
            ),
            (
                "low_eligibility",
                &["Sign up in less than 2 minutes with your ID and mobile number."],
                &["To apply you need your ID, proof of income and your mobile number."],
            ),
            (
                "risk_warning",
                &["For overdue payments a collection fee applies in the UAE."],
                &["For overdue payments we send a reminder."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.123, from batch 136's misses (pay-later pages in South Africa, Malaysia and the
    /// Philippines): each form with its near misses (no fees, a fee never incurred, slow or
    /// days-long approval).
    #[test]
    fn batch_136_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "risk_warning",
                &[
                    "Default fees apply if you miss a payment.",
                    "The only cost you might incur, apart from the price of your purchase, is a fixed late repayment fee.",
                    "Always read the loan terms carefully before accepting.",
                ],
                &[
                    "No default fees apply if you miss a payment.",
                    "You will never incur a late fee.",
                ],
            ),
            (
                "speed",
                &[
                    "Approval can be immediate or up to one day.",
                    "Wait for approval, which is usually quick and happens within minutes.",
                ],
                &["Approval can be slow.", "Approval happens within 5 days."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.124, from batch 137's misses (a US point-of-sale lender, an Australian pay-later
    /// page): each form with its near misses (low approval rates, fair pricing, saving into a
    /// pension).
    #[test]
    fn batch_137_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "guaranteed_approval",
                &["Approval rates are high, likely among the highest in the industry."],
                &["Approval rates are low for new customers."],
            ),
            (
                "speed",
                &[
                    "Sunbit offers fast, fair, easy financing.",
                    "Fast, fair and simple loans.",
                ],
                &["Fair, simple pricing."],
            ),
            (
                "vulnerable_groups",
                &[
                    "You must be in a permanent job or on an aged or veteran's pension.",
                    "Are you on a pension?",
                ],
                &["Contribute to a pension to save for retirement."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.125, from batch 138's misses (a pay-later help page, a Canadian retailer's
    /// financing page, a news report on a Nigerian lending app): each form with its near misses
    /// (late fees never charged or denied, a total cost named without its amount).
    #[test]
    fn batch_138_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "You are only charged a late fee if one or more of your instalments is not paid by its due date.",
                "Otherwise a late fee of up to 6 euros applies.",
                "Example: a $2,100 purchase over 12 months, a total cost of borrowing of $233.95.",
                "If you fail to repay, you risk suspension of your account.",
            ],
            &[
                "You are never charged a late fee if a payment fails.",
                "We do not charge you a late fee when a payment is late.",
                "No late fee of $10 applies.",
                "The total cost of borrowing is shown before you sign.",
                "If you fail to repay, you won't risk your home.",
            ],
        )];
        assert_families(&l, &cases);
    }

    /// en 2026.12.126, from batch 139's misses (pay-later pages in Singapore and Malaysia, a
    /// Singapore moneylender, a phone shop): each form with its near misses (a bill paid, users
    /// who pay on time, a fee denied, a lender's own assessment).
    #[test]
    fn batch_139_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "risk_warning",
            &[
                "If the bill is not paid by its due date, your PayLater is suspended.",
                "Users who do not pay by the due date are suspended from PayLater.",
                "The only fee you may incur is an admin fee to reactivate your account for each missed payment.",
                "Make sure you understand your capacity to repay.",
                "Before you borrow, look at the alternatives.",
                "We do not want you to overload yourself with repayments.",
            ],
            &[
                "If the bill is paid, enjoy the rewards.",
                "Users who pay on time are rewarded.",
                "We don't charge a fee for each missed payment.",
                "No fee for each late payment.",
                "We assess your ability to repay.",
            ],
        )];
        assert_families(&l, &cases);
        // A moneylender's legal ceiling is no price of the credit.
        assert!(
            l.prices("Licensed moneylenders may charge up to 4% interest.")
                .is_empty()
        );
        let f = AdFacts::of("Licensed moneylenders may charge up to 4% interest.", &l);
        assert_eq!(f.of_category(Category::Price).count(), 0);
    }

    /// en 2026.12.127, from batch 140's misses (a US point-of-sale lender's pages for contractors,
    /// a news review of a pay-later lender, a lease-to-own lender's FAQ): each form with its near
    /// misses (days, not seconds; a reply to an email; a late fee; an APR with no worked example).
    #[test]
    fn batch_140_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 4] = [
            (
                "speed",
                &[
                    "Customers enter some basic information and within seconds see the most they can finance.",
                    "Clients get an instant response on whether they are eligible.",
                ],
                &[
                    "Within 5 days you will see how much you can borrow.",
                    "We give an instant response to every email.",
                ],
            ),
            (
                "guaranteed_approval",
                &["You qualify for a loan today!"],
                &["You qualify for credit building after four months of on-time payments."],
            ),
            (
                "price_figure",
                &["The price plus a $10 payment processing fee within 90 days."],
                &["Pay within 10 days of the due date."],
            ),
            (
                "risk_warning",
                &[
                    "For example, a $1,200 purchase could cost $104.89 a month for 12 months at an 8.9% APR.",
                    "Make sure you don't fall into the trap of using it to buy things outside your budget.",
                ],
                &["For example, borrow $500 at 30% APR."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.128, from batch 141's misses (US lease-to-own lenders' pages, Australian
    /// pay-later and card pages, a UK lender's blog): each form with its near misses (a credit
    /// check that is quick; credit that is needed; a low approval rate; a payment lower than due;
    /// repaying early at no cost; denied fees and costs).
    #[test]
    fn batch_141_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "speed",
                &["Quick credit when you need it."],
                &[
                    "LatitudePay runs a quick credit and ID check before approving an account.",
                    "We run a quick credit check.",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "Customers do not need credit to be eligible.",
                    "You don't necessarily need a credit history or a strong credit score to be approved.",
                ],
                &["You do need good credit to apply."],
            ),
            (
                "guaranteed_approval",
                &[
                    "On average, 80% of customers declined for primary financing are approved for a lease.",
                ],
                &["Only 20% of applicants are approved."],
            ),
            (
                "price_claim",
                &[
                    "Customers pay over time with a low, recurring fixed payment.",
                    "To apply they need a debit card and a low initial payment.",
                    "Pay the lease off early to save on financing costs.",
                    "Some customers are offered promotional financing to pay off early and save.",
                    "They can pay the lease off early for extra savings.",
                ],
                &[
                    "If you make a lower payment than due, a fee applies.",
                    "You can repay early at no cost.",
                ],
            ),
            (
                "risk_warning",
                &[
                    "Miss one and you'll be hit with a $10 late fee.",
                    "The account is eventually blocked if you can't pay what you owe.",
                    "After a couple of missed payments your limit is cut.",
                    "You can avoid the late fee altogether by paying at least the minimum.",
                    "Then decide whether you can afford the repayments.",
                    "Early purchase options cost more than the retailer's cash price.",
                ],
                &[
                    "You won't be hit with a late fee.",
                    "Leasing doesn't cost more than the cash price.",
                ],
            ),
        ];
        assert_families(&l, &cases);
        // An annual percentage rate announced as rising is an annual rate; a rise by points is not.
        let rising = AdFacts::of(
            "Interest free. The annual percentage rate on the Gem Visa and GO Mastercard cards rises to 21.45%.",
            &l,
        );
        assert!(rising.has_annual_rate() && rising.no_apr().is_none());
        let by_points = AdFacts::of("Interest free. The APR on your card will increase 2%.", &l);
        assert!(!by_points.has_annual_rate() && by_points.no_apr().is_some());
    }

    /// en 2026.12.129, from batch 142's misses (a UK bank's pay-later card pages and a review of
    /// it, US and Australian point-of-sale pages, a news report on a lease-to-own lender): each
    /// form with its near misses (interest that will be charged; application fees that exist; a
    /// lender that does not lend to bad credit; costs that are not expensive).
    #[test]
    fn batch_142_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 5] = [
            (
                "interest_free",
                &[
                    "Splitting into 3 won't cost you any interest.",
                    "You can keep getting a short 0% rate on new spending.",
                ],
                &["The longer plans will cost you interest."],
            ),
            (
                "price_claim",
                &["Are there application fees? None, and you're under no obligation."],
                &["Are there application fees? Yes, a $20 fee applies."],
            ),
            (
                "price_figure",
                &["Is buying at a triple-digit interest rate worth it?"],
                &["Interest rates rose for the third month."],
            ),
            (
                "skipped_checks",
                &[
                    "Weekly payments let people with no credit or poor credit afford goods.",
                    "The company targets the millions of Americans with rock-bottom credit scores.",
                ],
                &["We do not lend to people with bad credit."],
            ),
            (
                "risk_warning",
                &[
                    "An unarranged overdraft might affect your credit score.",
                    "If you don't, Monzo puts it on 6 payments, which would charge you interest.",
                    "Its prices can be eye-wateringly expensive.",
                    "Consumer watchdogs say beware.",
                ],
                &["Choose a plan within 24 hours to spread the cost."],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// en 2026.12.130, from batch 143's misses (a South African pay-later lender's pages and a
    /// news report on it, a news column and a blog on a Canadian online lender): each form with
    /// its near misses (repaying quickly; a plan that will not lead to stress; no high interest).
    #[test]
    fn batch_143_forms_and_their_near_misses() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 2] = [
            (
                "speed",
                &[
                    "How long does approval take? We'll have you checking out before you know it.",
                    "It's quick and simple, and we'll have your shopping in no time.",
                ],
                &["Repay in no time at all."],
            ),
            (
                "risk_warning",
                &[
                    "Payment facilities can sometimes lead to financial stress.",
                    "Will an instant loan send you further down the debt hole?",
                    "CashMoney offers quick cash at high interest for a short time.",
                ],
                &[
                    "Our plan won't lead to financial stress.",
                    "Quick cash, no high interest.",
                ],
            ),
        ];
        assert_families(&l, &cases);
    }

    /// A negation reaches every short item of a list joined by "or", "and" or "nor" (batch 139's
    /// "not a dependant, a student or under age"), but not a clause after a comma, nor a list
    /// after a long clause the cue governs.
    #[test]
    fn negation_reaches_the_items_of_a_list() {
        let l = lex();
        for denied in [
            "You must be working, not a dependant, a student or under age.",
            "We never lend to minors, students or pensioners.",
            "Not for minors, students or retirees.",
        ] {
            let f = AdFacts::of(denied, &l);
            assert!(!f.matches.is_empty(), "{denied}");
            assert_eq!(f.of_category(Category::Vulnerable).count(), 0, "{denied}");
        }
        for made in [
            "Don't worry about your credit, students or pensioners welcome.",
            "We do not check your credit history, so students and retirees can apply.",
            "We do not lend to everyone, students welcome.",
        ] {
            let f = AdFacts::of(made, &l);
            assert!(f.of_category(Category::Vulnerable).count() > 0, "{made}");
        }
        // ", and" opening a long clause is no list item.
        let f = AdFacts::of(
            "A rent-to-own plan doesn't carry any interest, and our no-credit-needed solution looks at more than your credit history.",
            &l,
        );
        assert!(
            f.of_category(Category::Inducement)
                .any(|m| &*m.family == "skipped_checks")
        );
    }

    /// The speed forms zh 2026.12.13 adds from batch 22's miss, with near misses.
    #[test]
    fn speed_forms_from_batch_22_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 1] = [(
            "speed",
            &[
                "提交完整資料後，短至幾十分鐘內完成初步審批",
                "批核後迅速將貸款金額轉入指定戶頭",
                "30分钟内完成系统审核",
            ],
            &[
                "每月将分期金额转入指定账户",
                "请勿将款项转入陌生账户",
                "完成初步审批后需补充材料",
            ],
        )];
        assert_families(&l, &cases);
    }

    #[test]
    fn a_word_in_not_before_drops_the_match_as_a_whole_word_only() {
        let words: Vec<Vec<char>> = vec!["proof".chars().collect()];
        let t = |s: &str| s.chars().collect::<Vec<char>>();
        // "without income" ends at 14 in each text.
        assert!(precedes_word(&t("without income  proof"), 14, &words));
        assert!(!precedes_word(&t("without income proofread"), 14, &words));
        assert!(!precedes_word(&t("without income"), 14, &words));
        assert!(!precedes_word(&t("without income, proof"), 14, &words));
        assert!(!precedes_word(&t("without income proof"), 14, &[]));
    }

    #[test]
    fn a_word_in_not_after_drops_the_match_as_a_whole_word_only() {
        let words: Vec<Vec<char>> = vec!["approval".chars().collect(), "通过".chars().collect()];
        let t = |s: &str| s.chars().collect::<Vec<char>>();
        let text = t("the approval  rate is 85%");
        assert!(
            follows_word(&text, 14, &words),
            "spaces between are skipped"
        );
        let text = t("the disapproval rate is 85%");
        assert!(!follows_word(&text, 16, &words), "an ASCII word only whole");
        let text = t("通过率");
        assert!(
            follows_word(&text, 2, &words),
            "a Chinese word needs no boundary"
        );
        assert!(
            !follows_word(&t("rate"), 0, &words),
            "nothing before the start"
        );
        assert!(
            !follows_word(&t("approval rate"), 9, &[]),
            "no words, no drop"
        );
    }

    #[test]
    fn regional_words_and_new_forms_fire_and_their_near_misses_do_not() {
        let l = lex();
        let cases: [(&str, &[&str], &[&str]); 9] = [
            (
                "speed",
                &[
                    "最快1小時撥款",
                    "當日撥款",
                    "秒速批核，24×7過數",
                    "申請後一小時內現金到手",
                    "即批貸款",
                    "最快甚至可以在當日完成",
                    "核貸快",
                    "三分钟出额度",
                    "outcome in 60 seconds",
                    "funds within seconds of applying",
                    "quick cash",
                ],
                &[
                    "撥款前請詳閱合約",
                    "資料齊全約3個工作天撥款",
                    "我們不承諾當日撥款",
                    "outcome in 3 business days",
                ],
            ),
            (
                "guaranteed_approval",
                &[
                    "保證過件",
                    "比較好過件",
                    "低息、免TU、保證成功",
                    "credit for all",
                ],
                &[
                    "過件與否以銀行審核為準",
                    "我們不保證過件",
                    "credit for business purposes",
                ],
            ),
            (
                "skipped_checks",
                &[
                    "免看聯徵",
                    "不查聯徵",
                    "免TU",
                    "免入息證明",
                    "無需壓力測試",
                    "即使信用不好、正在貸款中、甚至是警示戶，也有機會通過",
                    "黑名單可辦",
                    "no credit history inquiry",
                    "credit checks are unnecessary",
                ],
                &[
                    "需查詢聯徵",
                    "TU報告會被查閱",
                    "信用不好的人請先改善信用",
                    "a credit check is required",
                ],
            ),
            (
                "low_eligibility",
                &[
                    "就算沒有工作收入，也可以申辦",
                    "失業也能借",
                    "無信用卡都用到",
                    "審核條件比銀行寬鬆",
                    "Christmas loans are fairly easy to qualify for",
                ],
                &[
                    "審核條件嚴格",
                    "沒有工作收入的人不宜借款",
                    "hard to qualify for",
                ],
            ),
            (
                "vulnerable_groups",
                &[
                    "長者居屋按揭",
                    "滿60歲可申請",
                    "loans for people on Centrelink",
                ],
                &["年滿20歲之本國國民", "loans for people with a steady job"],
            ),
            (
                "price_claim",
                &[
                    "超低利",
                    "月息很低",
                    "APR比信用卡低",
                    "lower your interest rates",
                ],
                &["月息以合約為準", "your interest rate is shown below"],
            ),
            (
                "risk_warning",
                &[
                    "以貸款金額30萬元、貸款期間5年為例，總費用年百分率為2.63%",
                    "缺點：利率偏高",
                    "但利率與費用普遍較高，風險也較大",
                    "Make sure you borrow an amount you can afford to pay back",
                    "Know what you are getting into before committing",
                    "Warning: it can be expensive to borrow small amounts of money",
                    "a late repayment goes on your credit history",
                ],
                &[
                    "總費用年百分率2.63%",
                    "風險較低的投資",
                    "Know your credit score for free",
                    "borrow up to $5,000",
                ],
            ),
            (
                "price_figure",
                &["20% establishment fee", "a service charge of up to 20%"],
                &["establishment of a new branch"],
            ),
            (
                "interest_free",
                &["ZA Bank 稅貸「0息」", "3個月免息分期"],
                &["利息以日計算"],
            ),
        ];
        assert_families(&l, &cases);
    }

    #[test]
    fn traditional_text_is_read_through_the_fold_with_offsets_into_the_original() {
        assert!(traditional_table().len() > 3000);
        assert_eq!(normalise("撥款過件聯徵對保"), "拨款过件联征对保");
        // Simplified text and everything outside the table is left as it is.
        assert_eq!(normalise("贷款有风险借款需谨慎"), "贷款有风险借款需谨慎");
        for text in [
            "汽車借款免留車：當天撥款！",
            "貸款 APR 12%",
            "借錢梗要還，咪俾錢中介",
        ] {
            assert_eq!(normalise(text).chars().count(), text.chars().count());
        }
        let text = "汽車借款免留車：最快1小時撥款！";
        let f = AdFacts::of(text, &lex());
        let m = f
            .of_category(Category::Inducement)
            .find(|m| &*m.family == "speed")
            .expect("a speed claim");
        let original: String = text.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(m.text, original);
        assert!(m.text.contains("撥款"), "{}", m.text);
    }

    /// The index (lead strings, required strings, slot starts) only skips patterns that cannot
    /// match: on every ad of the corpus, the claims and prices it finds are those found by
    /// trying every pattern at every position.
    #[test]
    fn the_index_finds_what_trying_every_pattern_everywhere_finds() {
        let l = lex();
        let corpus = include_str!("../../../datasets/data/ads/ads.jsonl");
        let mut texts: Vec<String> = corpus
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|ad| ad["text"].as_str().map(str::to_string))
            .collect();
        assert!(texts.len() >= 600, "the corpus was read: {}", texts.len());
        // Near the edges of the index: slots after a point or inside words, hyphenated
        // spaces, optional leading groups, text that ends inside a lead string.
        texts.extend(
            [
                "v2.5% p.a. fees.two weeks x24h 3.5%/月 same-day cash",
                "fairly easy to qualify; still consider unemployed",
                "no credit chec",
                "借1万用1天",
            ]
            .map(str::to_string),
        );
        let (mut claims, mut prices) = (0, 0);
        for text in &texts {
            let original: Vec<char> = text.chars().collect();
            let chars: Vec<char> = original.iter().map(|c| normalise_char(*c)).collect();
            let memo = pattern::SlotMemo::new(chars.len());
            let indexed = l.scan_chars(&original, &chars, &memo);
            let every =
                l.scan_candidates(&original, &chars, &memo, l.claims_index.every(chars.len()));
            assert_eq!(indexed, every, "claims of {text}");
            let indexed_prices = l.prices_chars(&original, &chars, &indexed, &memo);
            let every_prices = l.prices_of_candidates(
                &original,
                &chars,
                &indexed,
                &memo,
                l.prices_index.every(chars.len()),
            );
            assert_eq!(indexed_prices, every_prices, "prices of {text}");
            claims += indexed.len();
            prices += indexed_prices.len();
        }
        assert!(
            claims > 1000 && prices > 100,
            "{claims} claims, {prices} prices"
        );
    }

    #[test]
    fn a_pattern_led_by_words_or_a_slot_is_tried_only_where_one_of_them_starts() {
        let mixed = [
            pattern::Pattern::compile("({dur}|当天|same day)(反馈|reply)")
                .unwrap_or_else(|e| panic!("{e}")),
            pattern::Pattern::compile("(快速)?{amt}到账").unwrap_or_else(|e| panic!("{e}")),
        ];
        let index = PatternIndex::of(mixed.iter());
        // Digits, Chinese numerals and English letters a number word can start with are
        // everywhere; the first pattern can start only at 当天, at `same day` and where a
        // duration parses (3天, two days), the second at 快速 and where an amount parses.
        let text =
            "123号 一二三 当天反馈 3天反馈 sixty same day reply in two days reply 快速500元到账";
        let chars: Vec<char> = text.chars().map(normalise_char).collect();
        let memo = pattern::SlotMemo::new(chars.len());
        let at = |s: &str| {
            let needle: Vec<char> = s.chars().collect();
            chars
                .windows(needle.len())
                .position(|w| w == needle.as_slice())
                .unwrap_or_else(|| panic!("{s} in the text"))
        };
        let found: Vec<(usize, usize)> = index.candidates(&chars, &memo).collect();
        let tried_first: Vec<usize> = found
            .iter()
            .filter(|(_, k)| *k == 0)
            .map(|(p, _)| *p)
            .collect();
        for start in ["当天", "3天", "same day", "two days"] {
            assert!(
                tried_first.contains(&at(start)),
                "tried at {start}: {found:?}"
            );
        }
        for not_a_start in ["123", "一二三", "sixty", "in two"] {
            assert!(
                !tried_first.contains(&at(not_a_start)),
                "not tried at {not_a_start}: {found:?}"
            );
        }
        let tried_second: Vec<usize> = found
            .iter()
            .filter(|(_, k)| *k == 1)
            .map(|(p, _)| *p)
            .collect();
        assert!(tried_second.contains(&at("快速")) && tried_second.contains(&at("500")));
        assert!(!tried_second.contains(&at("一二三")), "{found:?}");
        // What the index finds is what trying both patterns everywhere finds.
        for p in &mixed {
            let everywhere: Vec<usize> = (0..chars.len())
                .filter(|s| p.match_at(&chars, *s).is_some())
                .collect();
            let k = usize::from(std::ptr::eq(p, &mixed[1]));
            let indexed: Vec<usize> = found
                .iter()
                .filter(|(pos, kk)| *kk == k && p.match_at(&chars, *pos).is_some())
                .map(|(pos, _)| *pos)
                .collect();
            assert_eq!(indexed, everywhere, "{}", p.source);
            assert!(!everywhere.is_empty());
        }
    }

    #[test]
    fn negated_claims_are_kept_with_their_cue_but_make_no_finding() {
        let f = AdFacts::of("我们不承诺百分百下款", &lex());
        assert_eq!(f.matches.len(), 1);
        assert_eq!(f.matches[0].negated_by.as_deref(), Some("不承诺"));
        assert_eq!(f.of_category(Category::Inducement).count(), 0);
        let f = AdFacts::of("Students are not eligible.", &lex());
        assert_eq!(f.matches[0].negated_by.as_deref(), Some("not eligible"));
        // A negation in one clause does not reach the next.
        let f = AdFacts::of("没有抵押也能借，当天到账", &lex());
        assert!(
            f.of_category(Category::Inducement)
                .any(|m| &*m.family == "speed")
        );
    }

    /// A price case: text, value per period, period, period days, stated as a fee, labelled.
    type PriceCase = (&'static str, f64, PricePeriod, Option<f64>, bool, bool);

    fn one_price(text: &str) -> Price {
        let p = lex().prices(text);
        assert_eq!(p.len(), 1, "{text}: {p:?}");
        p[0].clone()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn every_price_form_parses_to_a_value_and_a_period() {
        use PricePeriod::*;
        // (text, value per period, period, period days, stated as a fee, labelled annual)
        let cases: [PriceCase; 31] = [
            ("日息低至0.02%", 0.0002, Day, None, false, false),
            ("日利率仅万分之三", 0.0003, Day, None, false, false),
            ("每天只需0.5元/千元", 0.0005, Day, Some(1.0), true, false),
            ("每千元每天0.3元", 0.0003, Day, Some(1.0), true, false),
            (
                "借1万用1天，利息低至2元",
                0.0002,
                Day,
                Some(1.0),
                true,
                false,
            ),
            ("借1万每天仅需3元", 0.0003, Day, Some(1.0), true, false),
            ("月费率0.6%", 0.006, Month, None, false, false),
            ("手续费每期仅0.6%", 0.006, Instalment, None, true, false),
            ("分期手续费率每月0.5%", 0.005, Month, None, true, false),
            ("月息1分", 0.01, Month, None, false, false),
            ("月息8厘", 0.008, Month, None, false, false),
            ("年息1分", 0.1, Year, None, false, false),
            ("日息5厘", 0.0005, Day, None, false, false),
            ("年化利率(单利)7.2%起", 0.072, Year, None, false, true),
            ("年利率10.8%", 0.108, Year, None, false, false),
            ("Daily interest of 0.8%", 0.008, Day, None, false, false),
            (
                "Monthly interest rate of 1.5%",
                0.015,
                Month,
                None,
                false,
                false,
            ),
            ("Only 0.05% per day!", 0.0005, Day, None, false, false),
            (
                "Representative 49.9% APR (variable)",
                0.499,
                Year,
                None,
                false,
                true,
            ),
            ("$15 per $100 borrowed", 0.15, Loan, None, true, false),
            (
                "$20 per $100 every two weeks",
                0.2,
                Days,
                Some(14.0),
                true,
                false,
            ),
            (
                "Just $1 a day per $1,000",
                0.001,
                Day,
                Some(1.0),
                true,
                false,
            ), // 2026.12.6: a rate with "interest" before its period; a Chinese cost for one day
            // across a comma.
            ("0.8% interest per day", 0.008, Day, None, false, false),
            (
                "1000元借一天，利息低至0.2元",
                0.0002,
                Day,
                Some(1.0),
                true,
                false,
            ),
            // 2026.12.7: a rate for a stated period, a share of the loan amount a month, and a
            // Taiwanese monthly rate in traditional characters.
            (
                "on MoKash for 30 days at 9% interest",
                0.09,
                Month,
                Some(30.0),
                false,
                false,
            ),
            (
                "plus 4% of the loan amount monthly",
                0.04,
                Month,
                None,
                false,
                false,
            ),
            ("月息約1%~2.5%", 0.01, Month, None, false, false),
            // en 2026.12.92: a rate per fortnight (a fixed period of 14 days) and the "pc" of
            // British newspapers.
            (
                "10 per cent per fortnight",
                0.1,
                Days,
                Some(14.0),
                false,
                false,
            ),
            (
                "Fortnightly interest of 5%",
                0.05,
                Days,
                Some(14.0),
                false,
                false,
            ),
            ("2% every two weeks", 0.02, Days, Some(14.0), false, false),
            ("30pc a month", 0.3, Month, None, false, false),
        ];
        for (text, value, period, days, fee, labelled) in cases {
            let p = one_price(text);
            assert!(
                close(p.value, value),
                "{text}: value {} != {value}",
                p.value
            );
            assert_eq!(p.period, period, "{text}");
            assert_eq!(p.period_days, days, "{text}");
            assert_eq!(p.fee, fee, "{text}: fee");
            assert_eq!(p.annualised_label, labelled, "{text}: labelled");
            // Offsets point into the original text.
            let s: String = text.chars().skip(p.start).take(p.end - p.start).collect();
            assert_eq!(s, p.text, "{text}");
        }
    }

    #[test]
    fn near_misses_are_not_prices() {
        for text in [
            "100%通过，秒到账",
            "最高可借20万，分12期",
            "每期还款900元",
            "Borrow up to $1,000",
            "Apply in 5 minutes",
            "12 monthly repayments of $95",
            "最快1分钟到账，最高20万",
            "10,000 over 12 months",
            // en 2026.12.92: a fortnightly instalment with no rate, pieces, and a rate whose
            // period is not the fortnight it sits beside.
            "Repayments are due fortnightly",
            "Borrow $500 and repay fortnightly",
            "Buy 5 pcs a fortnight",
            // en 2026.12.94: the cost of a loan for its own term, not a rate per period.
            "Users pay 3 to 6 pc on weekly loans",
            "They charge 10% on monthly loans",
            "1% on daily loans",
        ] {
            assert!(
                lex().prices(text).is_empty(),
                "{text}: {:?}",
                lex().prices(text)
            );
        }
    }

    #[test]
    fn annualisation_states_its_assumption() {
        let p = one_price("$15 per $100 borrowed");
        let a = p.annualised(365.0, None, None);
        assert!(close(a.simple, 0.15 * 365.0 / 14.0));
        assert!(a.assumption.contains("two-week"));
        let a = p.annualised(365.0, Some(30.0), None);
        assert!(close(a.simple, 0.15 * 365.0 / 30.0));
        assert!(a.assumption.contains("product"));
        let p = one_price("日息万分之五");
        assert!(close(p.annualised(360.0, None, None).simple, 0.18));
        let p = one_price("每期0.6%");
        assert!(close(
            p.annualised(365.0, None, Some(14.0)).simple,
            0.006 * 365.0 / 14.0
        ));
    }

    #[test]
    fn code_facts_follow_the_prices() {
        let l = lex();
        let f = AdFacts::of(
            "年化利率(单利)7.2%起，日利率低至0.02%。贷款有风险，借款需谨慎。",
            &l,
        );
        assert!(f.no_apr().is_none() && f.periodic_first().is_none() && f.has_risk_warning());
        let f = AdFacts::of("日利率0.02%，年化利率7.3%", &l);
        assert!(f.no_apr().is_none());
        assert_eq!(f.periodic_first().map(|p| p.period), Some(PricePeriod::Day));
        let f = AdFacts::of("$15 per $100 borrowed", &l);
        assert!(matches!(f.no_apr(), Some(NoAprEvidence::Price(_))));
        assert!(
            f.periodic_first().is_none(),
            "a price per loan is not a periodic rate"
        );
        assert!(f.states_fee("$15 per $100 borrowed", &l));
        let text = "No hidden fees, apply today";
        let f = AdFacts::of(text, &l);
        assert!(!f.states_fee(text, &l), "a denied fee is not stated");
        assert!(matches!(f.no_apr(), Some(NoAprEvidence::Claim(_))));
        assert!(
            AdFacts::of("100%下款", &l).no_apr().is_none(),
            "a percentage that is not a price"
        );
    }

    #[test]
    fn traditional_characters_and_full_width_forms_match() {
        let l = lex();
        assert!(AdFacts::of("貸款有風險，借款需謹慎。", &l).has_risk_warning());
        assert!(families(&l, "不看徵信，大學生專享").contains(&"vulnerable_groups".to_string()));
        assert!(
            families(&l, "ＮＯ ＣＲＥＤＩＴ ＣＨＥＣＫ").contains(&"skipped_checks".to_string())
        );
        let p = one_price("日息０．０５％");
        assert!(close(p.value, 0.0005));
    }

    #[test]
    fn a_malformed_pattern_names_the_file_line_and_pattern() {
        let text = "version = \"t\"\nlanguage = \"en\"\n[[family]]\nname = \"x\"\ncategory = \"inducement\"\npatterns = [\"ok\",\n  \"(broken\"]\n";
        let e = ClaimGrammar::from_texts(&[("custom.toml", text)])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("custom.toml") && e.contains("line 7") && e.contains("(broken"),
            "{e}"
        );
        let text = "version = \"t\"\nlanguage = \"en\"\n[[price]]\nname = \"x\"\nperiod = \"day\"\npatterns = [\"{pct} a day\"]\n";
        let e = ClaimGrammar::from_texts(&[("p.toml", text)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("{pct:rate}"), "{e}");
        // A fixed number of days goes with `period = "days"`, and that period needs it.
        for (price, says) in [
            ("period = \"days\"\n", "needs `days`"),
            ("period = \"days\"\ndays = 0\n", "needs `days`"),
            (
                "period = \"week\"\ndays = 14\n",
                "goes with `period = \"days\"`",
            ),
        ] {
            let text = format!(
                "version = \"t\"\nlanguage = \"en\"\n[[price]]\nname = \"x\"\n{price}patterns = [\"{{pct:rate}} a fortnight\"]\n"
            );
            let e = ClaimGrammar::from_texts(&[("d.toml", &text)])
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("d.toml") && e.contains("price[0].days") && e.contains(says),
                "{e}"
            );
        }
        let text = "version = \"t\"\nlanguage = \"en\"\n[[family]]\nname = \"x\"\ncategory = \"bogus\"\npatterns = [\"a\"]\n";
        assert!(ClaimGrammar::from_texts(&[("c.toml", text)]).is_err());
    }

    /// `not_after` and `not_before` on a price form drop its match by the words around it, as
    /// on a claim family, and leave the form's other matches alone.
    #[test]
    fn a_price_form_drops_a_match_by_the_words_around_it() {
        let text = "version = \"t\"\nlanguage = \"en\"\n[[price]]\nname = \"weekly\"\nperiod = \"week\"\nnot_after = [\"legal cap of\"]\nnot_before = [\"loans\"]\npatterns = [\"{pct:rate} a week\"]\n";
        let g = ClaimGrammar::from_texts(&[("w.toml", text)]).unwrap();
        assert_eq!(g.prices("We charge 5% a week.").len(), 1);
        assert!(g.prices("5% a week loans").is_empty(), "not_before");
        assert!(
            g.prices("over the legal cap of 5% a week").is_empty(),
            "not_after"
        );
        assert_eq!(
            g.prices("over the legal cap of 5% a week, we charge 2% a week")
                .len(),
            1
        );
    }

    /// A price form with `ceilings = true` drops a match after one of the file's
    /// `ceiling_words`, as after its own `not_after`; a form without it keeps the match, and the
    /// switch without the list is refused, naming the form.
    #[test]
    fn ceiling_words_drop_the_match_of_the_forms_that_take_them() {
        let head = "version = \"t\"\nlanguage = \"en\"\nceiling_words = [\"capped at\"]\n";
        let forms = "[[price]]\nname = \"weekly\"\nperiod = \"week\"\nceilings = true\npatterns = [\"{pct:rate} a week\"]\n[[price]]\nname = \"daily\"\nperiod = \"day\"\npatterns = [\"{pct:rate} a day\"]\n";
        let text = format!("{head}{forms}");
        let g = ClaimGrammar::from_texts(&[("c.toml", text.as_str())]).unwrap();
        assert_eq!(g.prices("We charge 5% a week.").len(), 1);
        assert!(g.prices("interest capped at 5% a week").is_empty());
        assert_eq!(g.prices("interest capped at 1% a day").len(), 1);
        let bad = "version = \"t\"\nlanguage = \"en\"\n[[price]]\nname = \"weekly\"\nperiod = \"week\"\nceilings = true\npatterns = [\"{pct:rate} a week\"]\n";
        let e = ClaimGrammar::from_texts(&[("b.toml", bad)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("price[0].ceilings"), "{e}");
    }

    /// A `not_after` or `not_before` entry `@name` stands for the words of the file's list
    /// `name`, for families and price forms alike; a name no list has, a list naming another
    /// list and an empty list are refused, naming the key, its line and the reason.
    #[test]
    fn word_lists_stand_for_their_words_in_not_after_and_not_before() {
        let head = "version = \"t\"\nlanguage = \"en\"\n[word_lists]\nconditions = [\"if\", \"whether\"]\n";
        let body = "[[family]]\nname = \"approval\"\ncategory = \"inducement\"\nnot_after = [\"@conditions\", \"once\"]\npatterns = [\"you qualify\"]\n[[price]]\nname = \"weekly\"\nperiod = \"week\"\nnot_before = [\"@conditions\"]\npatterns = [\"{pct:rate} a week\"]\n";
        let text = format!("{head}{body}");
        let g = ClaimGrammar::from_texts(&[("w.toml", text.as_str())]).unwrap();
        assert_eq!(
            families(&g, "Good news: you qualify!"),
            vec!["approval".to_string()]
        );
        for condition in [
            "See if you qualify.",
            "Check whether you qualify.",
            "Once you qualify, apply.",
        ] {
            assert!(families(&g, condition).is_empty(), "{condition}");
        }
        assert_eq!(g.prices("We charge 5% a week.").len(), 1);
        assert!(g.prices("5% a week if you pay late").is_empty());
        let refused = |text: &str| {
            ClaimGrammar::from_texts(&[("b.toml", text)])
                .unwrap_err()
                .to_string()
        };
        let unknown = refused(&text.replace("\"@conditions\", \"once\"", "\"@condition\""));
        assert!(
            unknown.contains("family[0].not_after (line 8)")
                && unknown.contains("`@condition` names no list")
                && unknown.contains("it has: conditions"),
            "{unknown}"
        );
        let nested = refused(&text.replace("[\"if\", \"whether\"]", "[\"if\", \"@more\"]"));
        assert!(
            nested.contains("word_lists.conditions (line 4)") && nested.contains("`@more`"),
            "{nested}"
        );
        let empty = refused(&text.replace("[\"if\", \"whether\"]", "[]"));
        assert!(
            empty.contains("word_lists.conditions") && empty.contains("must not be empty"),
            "{empty}"
        );
    }

    #[test]
    fn analysts_extend_the_grammar_without_code() {
        let mut files: Vec<(&str, String)> =
            EMBEDDED.iter().map(|(n, t)| (*n, t.to_string())).collect();
        files[1].1.push_str("\n[[family]]\nname = \"payday_slang\"\ncategory = \"inducement\"\npatterns = [\"(cash|money) (before|by) (payday|friday)\"]\n");
        let texts: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let l = ClaimGrammar::from_texts(&texts).unwrap();
        assert!(families(&l, "Cash before payday!").contains(&"payday_slang".to_string()));
    }
}
