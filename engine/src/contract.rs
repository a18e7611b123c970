//! Contract clause checks (RC-CLAUSE-*): a clause grammar per language (data,
//! `rules/contract/*.toml`), built on the marketing claim grammar's patterns, that reads a loan
//! contract's clauses and reports the clauses a court would question: a jurisdiction or
//! arbitration clause sending disputes to the lender's seat, standard terms that take rights
//! away, acceleration on a trivial or discretionary trigger, default charges that with the
//! contract rate exceed the cap, interest deducted up front, bundled products, blanket data
//! consent, and a contract with no clause confirming the borrower's address for service.
//!
//! Each check is a list of patterns (what the clause does), with `unless` patterns (what makes
//! it compliant: the borrower's domicile, a written notice and cure period, insurance that is
//! optional) and `aggravating` patterns (what no safeguard cures: a trigger at the lender's
//! discretion, acceleration after a few days overdue). A match preceded in its clause by a
//! negation cue (`不得`, "we will not") does not count. Checks whose law lets a prominent notice
//! cure a standard term (`notice_cures`) do not fire on a clause the institution flags as
//! prominently notified, or whose text carries a notice cue (`特别提示`, "IMPORTANT").
//!
//! Default charges are read by `[[penalty]]` patterns into annual rates and added to the
//! product's contract APR (the engine's own figure); RC-CLAUSE-PENALTY-STACK fires when the sum
//! is above the applicable cap (also the engine's own).

use crate::catalogue::CodeId;
use crate::domain::Jurisdiction;
use crate::domain::product::Contract;
use crate::error::EngineError;
use crate::marketing::pattern::{self, Pattern, SlotKind, SlotMemo};
use crate::marketing::{
    CueSet, GrammarInfo, PatternIndex, line_of, negation_cue, normalise_char, normalised_words,
};
use crate::rates::ApplicableCap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The embedded clause grammars.
pub const EMBEDDED: [(&str, &str); 2] = [
    (
        "rules/contract/zh.toml",
        include_str!("../../rules/contract/zh.toml"),
    ),
    (
        "rules/contract/en.toml",
        include_str!("../../rules/contract/en.toml"),
    ),
];

/// The code whose check looks for a clause that must be present.
const NO_ESERVICE: &str = "RC-CLAUSE-NO-ESERVICE";
/// The catch-all code, left out where a more specific code covers the same sentence.
const STANDARD_TERMS: &str = "RC-CLAUSE-STANDARD-TERMS";
/// The code computed from the `[[penalty]]` patterns.
const PENALTY_STACK: &str = "RC-CLAUSE-PENALTY-STACK";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrammarFile {
    version: String,
    language: String,
    #[serde(default)]
    negation: NegationFile,
    #[serde(default)]
    notice: Vec<String>,
    #[serde(default)]
    check: Vec<CheckFile>,
    #[serde(default)]
    penalty: Vec<PenaltyFile>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationFile {
    #[serde(default)]
    before: Vec<String>,
    #[serde(default)]
    after: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    code: String,
    name: String,
    #[serde(default)]
    notice_cures: bool,
    #[serde(default = "yes")]
    negatable: bool,
    patterns: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    aggravating: Vec<String>,
    #[serde(default)]
    jurisdictions: Vec<Jurisdiction>,
}

fn yes() -> bool {
    true
}

/// What a default-charge pattern reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    /// A rate per day: `{pct:rate}` (罚息每日万分之五).
    DailyRate,
    /// A rate per month: `{pct:rate}`.
    MonthlyRate,
    /// A rate per year: `{pct:rate}`.
    AnnualRate,
    /// A mark-up on the contract rate: `{pct:markup}` (上浮50%) or `{num:multiple}` times it
    /// (1.5倍).
    Markup,
    /// Compound interest on overdue interest, with no rate of its own.
    Compound,
    /// A fixed charge per late payment: `{amt:fee}`; shown, not annualised.
    FixedFee,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PenaltyFile {
    name: String,
    kind: PenaltyKind,
    patterns: Vec<String>,
}

/// One check, compiled.
#[derive(Debug, Clone, PartialEq)]
struct Check {
    code: CodeId,
    name: String,
    notice_cures: bool,
    negatable: bool,
    patterns: Vec<Pattern>,
    unless: Vec<Pattern>,
    aggravating: Vec<Pattern>,
    jurisdictions: Vec<Jurisdiction>,
}

/// One default-charge pattern, compiled.
#[derive(Debug, Clone, PartialEq)]
struct PenaltyRule {
    name: String,
    kind: PenaltyKind,
    pattern: Pattern,
}

/// Every language's clause grammar, used together (contracts mix languages).
#[derive(Debug, Clone, PartialEq)]
pub struct ContractGrammar {
    grammars: Vec<GrammarInfo>,
    checks: Vec<Check>,
    /// `(check, pattern)` of every check's primary patterns, in index order.
    primaries: Vec<(usize, usize)>,
    primaries_index: PatternIndex,
    penalties: Vec<PenaltyRule>,
    penalties_index: PatternIndex,
    notice: Vec<Pattern>,
    negation_before: CueSet,
    negation_after: CueSet,
}

/// A clause a check found, with the span that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseHit {
    /// The finding code.
    pub code: String,
    /// The grammar check that matched (`lender_seat_court`, `class_waiver`).
    pub check: String,
    /// Position of the clause in the contract (0-based).
    pub clause: usize,
    /// The clause's title.
    pub title: String,
    /// The matched text as written.
    pub text: String,
    /// First character of the match in the clause's text (0-based, in characters).
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The grammar pattern that matched.
    pub pattern: String,
    /// Why it counts: the trigger that no safeguard cures, or the safeguard that is missing.
    pub reason: String,
}

/// A default charge a clause states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PenaltyItem {
    /// Position of the clause in the contract (0-based).
    pub clause: usize,
    /// The clause's title.
    pub title: String,
    /// The matched text as written.
    pub text: String,
    /// First character of the match in the clause's text.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// The grammar's penalty family.
    pub family: String,
    /// What it states.
    pub kind: PenaltyKind,
    /// The rate it adds to the contract rate, per year, when it states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_annual_rate: Option<f64>,
    /// How the annual figure was computed, or why there is none.
    pub assumption: String,
}

/// The contract rate and the default charges on top of it, against the cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PenaltyStack {
    /// The product's lowest legal APR over its terms (the engine's own figure).
    pub contract_apr: f64,
    /// Every default charge the clauses state.
    pub items: Vec<PenaltyItem>,
    /// Contract APR plus the charges that state a rate, per year.
    pub total_annual_rate: f64,
    /// The applicable cap as an annual rate (a daily cap x 365), when a cap applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_annual_rate: Option<f64>,
    /// How the cap was read, or why there is none.
    pub cap_note: String,
    /// Whether the total is above the cap.
    pub above_cap: bool,
}

/// What the clause checks found in one contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractCheck {
    /// Number of clauses read.
    pub clauses_checked: usize,
    /// Clause grammar versions.
    pub grammar_versions: Vec<String>,
    /// Every clause a check found, in contract order.
    pub hits: Vec<ClauseHit>,
    /// The clause confirming the address for service, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_clause: Option<ClauseHit>,
    /// The default charges against the cap, when a clause states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<PenaltyStack>,
    /// Checks that read nothing because the clause is prominently notified: `(clause, code)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cured_by_notice: Vec<(usize, String)>,
}

impl ContractCheck {
    /// The codes the contract gets, sorted.
    pub fn codes(&self) -> BTreeSet<&str> {
        let mut codes: BTreeSet<&str> = self.hits.iter().map(|h| h.code.as_str()).collect();
        if self.penalty.as_ref().is_some_and(|p| p.above_cap) {
            codes.insert(PENALTY_STACK);
        }
        if self.service_clause.is_none() {
            codes.insert(NO_ESERVICE);
        }
        codes
    }
}

/// What the checks need from the product and the ruleset.
#[derive(Debug, Clone)]
pub struct ContractContext<'a> {
    /// The product's jurisdiction (checks may be limited to some).
    pub jurisdiction: Jurisdiction,
    /// The product's lowest legal APR over its terms.
    pub contract_apr: f64,
    /// The applicable cap.
    pub cap: &'a ApplicableCap,
    /// Days in a year for daily rates (the ruleset's).
    pub day_basis: f64,
    /// RC-CLAUSE-ACCELERATION's threshold: days overdue (or days to cure) below which a
    /// trigger with a number of days is trivial.
    pub min_trigger_days: f64,
}

fn compile_all(
    name: &str,
    text: &str,
    what: &str,
    patterns: &[String],
) -> Result<Vec<Pattern>, EngineError> {
    patterns
        .iter()
        .enumerate()
        .map(|(k, p)| {
            Pattern::compile(p).map_err(|e| EngineError::Ruleset {
                source_name: name.to_string(),
                key: format!("{what}[{k}] (line {})", line_of(text, p)),
                reason: e.to_string(),
            })
        })
        .collect()
}

impl ContractGrammar {
    /// The embedded Chinese and English clause grammars.
    pub fn embedded() -> Result<Self, EngineError> {
        Self::from_texts(&EMBEDDED)
    }

    /// Clause grammars from TOML texts `(name, text)`. A malformed pattern, an unknown code or
    /// a penalty pattern without the slot its kind reads is an error naming the file and key.
    pub fn from_texts(texts: &[(&str, &str)]) -> Result<Self, EngineError> {
        let mut grammars = Vec::new();
        let mut checks = Vec::new();
        let mut penalties = Vec::new();
        let mut notice = Vec::new();
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for (name, text) in texts {
            let err = |key: String, reason: String| EngineError::Ruleset {
                source_name: name.to_string(),
                key,
                reason,
            };
            let value: toml::Table = toml::from_str(text)
                .map_err(|e| err("(syntax)".into(), e.message().to_string()))?;
            let file: GrammarFile = serde_path_to_error::deserialize(toml::Value::Table(value))
                .map_err(|e| err(e.path().to_string(), e.into_inner().to_string()))?;
            for (i, c) in file.check.iter().enumerate() {
                let code = CodeId::find(&c.code)
                    .filter(|id| id.as_str().starts_with("RC-CLAUSE-") && id.as_str() != PENALTY_STACK)
                    .ok_or_else(|| {
                        err(
                            format!("check[{i}].code"),
                            format!("`{}` is not a clause code this grammar can check (RC-CLAUSE-*, except {PENALTY_STACK}, which [[penalty]] computes)", c.code),
                        )
                    })?;
                if c.patterns.is_empty() {
                    return Err(err(
                        format!("check[{i}].patterns"),
                        "must not be empty".into(),
                    ));
                }
                checks.push(Check {
                    code,
                    name: c.name.clone(),
                    notice_cures: c.notice_cures,
                    negatable: c.negatable,
                    patterns: compile_all(
                        name,
                        text,
                        &format!("check[{i}].patterns"),
                        &c.patterns,
                    )?,
                    unless: compile_all(name, text, &format!("check[{i}].unless"), &c.unless)?,
                    aggravating: compile_all(
                        name,
                        text,
                        &format!("check[{i}].aggravating"),
                        &c.aggravating,
                    )?,
                    jurisdictions: c.jurisdictions.clone(),
                });
            }
            for (i, p) in file.penalty.iter().enumerate() {
                if p.patterns.is_empty() {
                    return Err(err(
                        format!("penalty[{i}].patterns"),
                        "must not be empty".into(),
                    ));
                }
                for pattern in
                    compile_all(name, text, &format!("penalty[{i}].patterns"), &p.patterns)?
                {
                    let names = pattern.slot_names();
                    let needs: &[&str] = match p.kind {
                        PenaltyKind::DailyRate
                        | PenaltyKind::MonthlyRate
                        | PenaltyKind::AnnualRate => &["rate"],
                        PenaltyKind::Markup => &["markup", "multiple"],
                        PenaltyKind::FixedFee => &["fee"],
                        PenaltyKind::Compound => &[],
                    };
                    if !needs.is_empty() && !needs.iter().any(|n| names.contains(n)) {
                        return Err(err(
                            format!(
                                "penalty[{i}].patterns (line {})",
                                line_of(text, &pattern.source)
                            ),
                            format!(
                                "pattern `{}`: a {:?} penalty needs a slot named {}",
                                pattern.source,
                                p.kind,
                                needs.join(" or ")
                            ),
                        ));
                    }
                    penalties.push(PenaltyRule {
                        name: p.name.clone(),
                        kind: p.kind,
                        pattern,
                    });
                }
            }
            notice.extend(compile_all(name, text, "notice", &file.notice)?);
            before.extend(file.negation.before);
            after.extend(file.negation.after);
            grammars.push(GrammarInfo {
                version: file.version,
                language: file.language,
            });
        }
        let primaries: Vec<(usize, usize)> = checks
            .iter()
            .enumerate()
            .flat_map(|(c, check)| (0..check.patterns.len()).map(move |k| (c, k)))
            .collect();
        let primaries_index =
            PatternIndex::of(primaries.iter().map(|(c, k)| &checks[*c].patterns[*k]));
        let penalties_index = PatternIndex::of(penalties.iter().map(|p| &p.pattern));
        Ok(Self {
            grammars,
            checks,
            primaries,
            primaries_index,
            penalties,
            penalties_index,
            notice,
            negation_before: CueSet::of(normalised_words(&before)),
            negation_after: CueSet::of(normalised_words(&after)),
        })
    }

    /// Versions, for reports.
    pub fn versions(&self) -> Vec<&str> {
        self.grammars.iter().map(|g| g.version.as_str()).collect()
    }

    /// Languages of the loaded grammars.
    pub fn languages(&self) -> Vec<&str> {
        self.grammars.iter().map(|g| g.language.as_str()).collect()
    }

    /// Number of patterns loaded.
    pub fn pattern_count(&self) -> usize {
        self.checks
            .iter()
            .map(|c| c.patterns.len() + c.unless.len() + c.aggravating.len())
            .sum::<usize>()
            + self.penalties.len()
            + self.notice.len()
    }

    /// Whether a negation cue denies the match at `start..end` (the claim grammar's rule).
    fn negated(&self, text: &[char], start: usize, end: usize) -> bool {
        negation_cue(
            &self.negation_before,
            &self.negation_after,
            text,
            start,
            end,
        )
        .is_some()
    }

    /// The first non-negated match of any of `patterns` in `text`: `(pattern, start, end,
    /// slots)`.
    fn first_match<'p>(
        &self,
        patterns: &'p [Pattern],
        text: &[char],
        memo: &SlotMemo,
        negatable: bool,
        accept: impl Fn(&[pattern::SlotValue]) -> bool,
    ) -> Option<(&'p Pattern, usize, usize)> {
        for i in 0..text.len() {
            for p in patterns {
                if let Some((end, slots)) = p.match_at_memo(text, i, memo)
                    && accept(&slots)
                    && !(negatable && self.negated(text, i, end))
                {
                    return Some((p, i, end));
                }
            }
        }
        None
    }

    /// Reads every clause of `contract` under `ctx`.
    pub fn check(&self, contract: &Contract, ctx: &ContractContext<'_>) -> ContractCheck {
        let mut hits: Vec<ClauseHit> = Vec::new();
        let mut service_clause: Option<ClauseHit> = None;
        let mut items: Vec<PenaltyItem> = Vec::new();
        let mut cured_by_notice = Vec::new();
        for (ci, clause) in contract.clauses.iter().enumerate() {
            let original: Vec<char> = clause.text.chars().collect();
            let chars: Vec<char> = original.iter().map(|c| normalise_char(*c)).collect();
            let memo = SlotMemo::new(chars.len());
            let title: Vec<char> = clause.title.chars().map(normalise_char).collect();
            let title_memo = SlotMemo::new(title.len());
            let noticed = match clause.prominent_notice {
                Some(flag) => flag,
                None => {
                    self.first_match(&self.notice, &chars, &memo, false, |_| true)
                        .is_some()
                        || self
                            .first_match(&self.notice, &title, &title_memo, false, |_| true)
                            .is_some()
                }
            };
            // Primary matches, one per check (the first in the clause that is not negated).
            let mut found: Vec<(usize, usize, usize, usize)> = Vec::new();
            for (i, k) in self.primaries_index.candidates(&chars, &memo) {
                let (c, p) = self.primaries[k];
                if found.iter().any(|f| f.0 == c) {
                    continue;
                }
                let check = &self.checks[c];
                if let Some((end, _)) = check.patterns[p].match_at_memo(&chars, i, &memo)
                    && !(check.negatable && self.negated(&chars, i, end))
                {
                    found.push((c, p, i, end));
                }
            }
            let mut clause_hits: Vec<ClauseHit> = Vec::new();
            for (c, p, start, end) in found {
                let check = &self.checks[c];
                if !check.jurisdictions.is_empty()
                    && !check.jurisdictions.contains(&ctx.jurisdiction)
                {
                    continue;
                }
                let mut hit = ClauseHit {
                    code: check.code.as_str().to_string(),
                    check: check.name.clone(),
                    clause: ci,
                    title: clause.title.clone(),
                    text: original[start..end].iter().collect(),
                    start,
                    end,
                    pattern: check.patterns[p].source.clone(),
                    reason: String::new(),
                };
                if check.code.as_str() == NO_ESERVICE {
                    if service_clause.is_none() {
                        hit.reason = "confirms the address for service".into();
                        service_clause = Some(hit);
                    }
                    continue;
                }
                if check.notice_cures && noticed {
                    cured_by_notice.push((ci, hit.code));
                    continue;
                }
                let days_ok = |slots: &[pattern::SlotValue]| {
                    // A trigger with a number of days counts only below the threshold.
                    !slots.iter().any(|s| {
                        matches!(s.kind, SlotKind::Num | SlotKind::Dur)
                            && s.name == "days"
                            && s.value >= ctx.min_trigger_days
                    })
                };
                if let Some((p, s, e)) =
                    self.first_match(&check.aggravating, &chars, &memo, true, days_ok)
                {
                    hit.reason = format!(
                        "trigger `{}` ({}), which no safeguard cures",
                        original[s..e].iter().collect::<String>(),
                        p.source
                    );
                } else if self
                    .first_match(&check.unless, &chars, &memo, true, |_| true)
                    .is_some()
                {
                    continue;
                } else if check.unless.is_empty() {
                    hit.reason = "stated in the clause".into();
                } else {
                    hit.reason =
                        "no safeguard in the clause (none of the check's `unless` patterns)".into();
                }
                if check.notice_cures {
                    hit.reason.push_str("; no prominent notice");
                }
                clause_hits.push(hit);
            }
            // The catch-all yields to a specific code in the same sentence.
            let specific: Vec<(usize, usize)> = clause_hits
                .iter()
                .filter(|h| h.code != STANDARD_TERMS)
                .map(|h| sentence_of(&chars, h.start))
                .collect();
            clause_hits.retain(|h| {
                h.code != STANDARD_TERMS || !specific.contains(&sentence_of(&chars, h.start))
            });
            hits.extend(clause_hits);
            // Default charges.
            let mut taken: Vec<(usize, usize)> = Vec::new();
            let candidates: Vec<(usize, usize)> =
                self.penalties_index.candidates(&chars, &memo).collect();
            for at_one_position in candidates.chunk_by(|a, b| a.0 == b.0) {
                let i = at_one_position[0].0;
                let mut best: Option<(usize, usize, Vec<pattern::SlotValue>)> = None;
                for &(_, k) in at_one_position {
                    if let Some((end, slots)) =
                        self.penalties[k].pattern.match_at_memo(&chars, i, &memo)
                        && best.as_ref().is_none_or(|b| end > b.1)
                    {
                        best = Some((k, end, slots));
                    }
                }
                let Some((k, end, slots)) = best else {
                    continue;
                };
                if taken.iter().any(|&(s, e)| i < e && s < end) || self.negated(&chars, i, end) {
                    continue;
                }
                taken.push((i, end));
                let rule = &self.penalties[k];
                let slot = |n: &str| slots.iter().find(|s| s.name == n).map(|s| s.value);
                let (added, assumption) = match rule.kind {
                    PenaltyKind::DailyRate => {
                        slot("rate").map_or((None, "no rate read".into()), |r| {
                            (
                                Some(r * ctx.day_basis),
                                format!("daily rate x {} days", ctx.day_basis),
                            )
                        })
                    }
                    PenaltyKind::MonthlyRate => slot("rate")
                        .map_or((None, "no rate read".into()), |r| {
                            (Some(r * 12.0), "monthly rate x 12".into())
                        }),
                    PenaltyKind::AnnualRate => slot("rate")
                        .map_or((None, "no rate read".into()), |r| {
                            (Some(r), "stated per year".into())
                        }),
                    PenaltyKind::Markup => match (slot("markup"), slot("multiple")) {
                        (Some(m), _) => (
                            Some(ctx.contract_apr * m),
                            format!("contract APR x {m} (a mark-up on the contract rate)"),
                        ),
                        (None, Some(x)) => (
                            Some(ctx.contract_apr * (x - 1.0).max(0.0)),
                            format!("contract APR x ({x} - 1) (a multiple of the contract rate)"),
                        ),
                        _ => (None, "no mark-up read".into()),
                    },
                    PenaltyKind::Compound => (
                        None,
                        "compound interest: counts toward the cap, no rate of its own stated"
                            .into(),
                    ),
                    PenaltyKind::FixedFee => (
                        None,
                        "a fixed charge per late payment: shown, not annualised".into(),
                    ),
                };
                items.push(PenaltyItem {
                    clause: ci,
                    title: clause.title.clone(),
                    text: original[i..end].iter().collect(),
                    start: i,
                    end,
                    family: rule.name.clone(),
                    kind: rule.kind,
                    added_annual_rate: added,
                    assumption,
                });
            }
            if service_clause.is_none() {
                // A clause titled as the service clause confirms it too (`送达地址确认`).
                for check in &self.checks {
                    if check.code.as_str() != NO_ESERVICE {
                        continue;
                    }
                    if let Some((p, s, e)) =
                        self.first_match(&check.patterns, &title, &title_memo, true, |_| true)
                    {
                        service_clause = Some(ClauseHit {
                            code: NO_ESERVICE.into(),
                            check: check.name.clone(),
                            clause: ci,
                            title: clause.title.clone(),
                            text: clause.title.chars().skip(s).take(e - s).collect(),
                            start: s,
                            end: e,
                            pattern: p.source.clone(),
                            reason: "the clause's title names the address for service".into(),
                        });
                        break;
                    }
                }
            }
        }
        let penalty = (!items.is_empty()).then(|| penalty_stack(items, ctx));
        ContractCheck {
            clauses_checked: contract.clauses.len(),
            grammar_versions: self.versions().into_iter().map(str::to_string).collect(),
            hits,
            service_clause,
            penalty,
            cured_by_notice,
        }
    }
}

/// The sentence around character `at`: `(start, end)`.
fn sentence_of(text: &[char], at: usize) -> (usize, usize) {
    let mut s = at.min(text.len());
    while s > 0 && !pattern::is_sentence_end(text, s - 1) {
        s -= 1;
    }
    let mut e = at;
    while e < text.len() && !pattern::is_sentence_end(text, e) {
        e += 1;
    }
    (s, e)
}

/// The contract APR plus the rated charges, against the cap.
fn penalty_stack(items: Vec<PenaltyItem>, ctx: &ContractContext<'_>) -> PenaltyStack {
    let added: f64 = items.iter().filter_map(|i| i.added_annual_rate).sum();
    let total = ctx.contract_apr + added;
    let (cap, note) = match ctx.cap {
        ApplicableCap::AnnualRate { rate, label, .. } => (
            Some(*rate),
            format!("annual cap {:.2}% ({label})", rate * 100.0),
        ),
        ApplicableCap::UkHcstc {
            daily_rate, label, ..
        } => (
            Some(daily_rate * 365.0),
            format!("daily cost cap {:.2}% x 365 ({label})", daily_rate * 100.0),
        ),
        ApplicableCap::None { reason } => (None, format!("no cap applies: {reason}")),
    };
    PenaltyStack {
        contract_apr: ctx.contract_apr,
        above_cap: cap.is_some_and(|c| total > c + 1e-9) && added > 0.0,
        items,
        total_annual_rate: total,
        cap_annual_rate: cap,
        cap_note: note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::product::Clause;
    use proptest::prelude::*;

    fn context(cap: &ApplicableCap) -> ContractContext<'_> {
        ContractContext {
            jurisdiction: Jurisdiction::Cn,
            contract_apr: 0.18,
            cap,
            day_basis: 360.0,
            min_trigger_days: 90.0,
        }
    }

    fn annual_cap() -> ApplicableCap {
        ApplicableCap::AnnualRate {
            rate: 0.24,
            compared_with: crate::rates::AprDefinition::Nominal,
            label: "judicial practice, not statute".into(),
            segments: Vec::new(),
        }
    }

    fn contract(texts: &[&str]) -> Contract {
        Contract {
            clauses: texts
                .iter()
                .map(|t| Clause {
                    title: String::new(),
                    text: (*t).to_string(),
                    prominent_notice: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_embedded_grammars_load() {
        let g = ContractGrammar::embedded().unwrap();
        assert_eq!(g.languages(), vec!["zh", "en"]);
        assert!(g.pattern_count() > 100);
    }

    #[test]
    fn a_days_trigger_counts_only_below_the_threshold() {
        let g = ContractGrammar::embedded().unwrap();
        let cap = annual_cap();
        let trivial = g.check(
            &contract(&[
                "借款人逾期超过5日，且经书面催告后仍未还款的，贷款人有权宣布全部借款提前到期。",
            ]),
            &context(&cap),
        );
        assert!(trivial.codes().contains("RC-CLAUSE-ACCELERATION"));
        let material = g.check(
            &contract(&[
                "借款人逾期超过90日，且经书面催告后仍未还款的，贷款人有权宣布全部借款提前到期。",
            ]),
            &context(&cap),
        );
        assert!(!material.codes().contains("RC-CLAUSE-ACCELERATION"));
    }

    #[test]
    fn the_catch_all_yields_to_a_specific_code_in_the_same_sentence() {
        let g = ContractGrammar::embedded().unwrap();
        let cap = annual_cap();
        // One sentence: a jurisdiction clause that also takes away a right.
        let one = g.check(
            &contract(&["借款人放弃管辖异议权，争议由贷款人住所地人民法院管辖。"]),
            &context(&cap),
        );
        assert!(one.codes().contains("RC-CLAUSE-JURISDICTION"));
        // Two sentences: both codes.
        let two = g.check(
            &contract(&["争议由贷款人住所地人民法院管辖。本协议的最终解释权归本平台所有。"]),
            &context(&cap),
        );
        assert!(two.codes().contains("RC-CLAUSE-JURISDICTION"));
        assert!(two.codes().contains("RC-CLAUSE-STANDARD-TERMS"));
    }

    #[test]
    fn a_stated_notice_flag_overrides_the_text() {
        let g = ContractGrammar::embedded().unwrap();
        let cap = annual_cap();
        let mut c = contract(&["特别提示：争议由贷款人住所地人民法院管辖。"]);
        assert!(
            !g.check(&c, &context(&cap))
                .codes()
                .contains("RC-CLAUSE-JURISDICTION")
        );
        c.clauses[0].prominent_notice = Some(false);
        assert!(
            g.check(&c, &context(&cap))
                .codes()
                .contains("RC-CLAUSE-JURISDICTION")
        );
    }

    #[test]
    fn no_cap_no_penalty_finding() {
        let g = ContractGrammar::embedded().unwrap();
        let none = ApplicableCap::None {
            reason: "no cap".into(),
        };
        let check = g.check(
            &contract(&["逾期罚息按每日万分之五计收。"]),
            &context(&none),
        );
        let p = check.penalty.as_ref().unwrap();
        assert!(!p.above_cap);
        assert!((p.total_annual_rate - 0.36).abs() < 1e-12);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any text, in any clause: no panic, and every span lies inside its clause.
        #[test]
        fn any_text_is_read_without_panic_and_spans_stay_inside(
            texts in prop::collection::vec("[\\PC]{0,120}|(逾期|罚息|每日|万分之|送达|管辖|courts|notice| |，|。|5|90){0,30}", 1..4),
            title in "[\\PC]{0,20}",
        ) {
            let g = ContractGrammar::embedded().unwrap();
            let cap = annual_cap();
            let mut c = contract(&texts.iter().map(String::as_str).collect::<Vec<_>>());
            c.clauses[0].title = title;
            let check = g.check(&c, &context(&cap));
            for h in &check.hits {
                let len = c.clauses[h.clause].text.chars().count();
                prop_assert!(h.start < h.end && h.end <= len);
            }
            if let Some(p) = &check.penalty {
                prop_assert!(p.total_annual_rate.is_finite());
                for i in &p.items {
                    prop_assert!(i.end <= c.clauses[i.clause].text.chars().count());
                }
            }
        }
    }
}
