//! The catalogue of finding codes (SPEC section 6): what each means, where it applies, and
//! which ruleset parameters it needs. Thresholds, severities and legal references are not
//! here: they are ruleset data (`rules/*.toml`, `[codes."CODE"]`).

use crate::findings::Level;

/// Whether the engine evaluates a code today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluation {
    /// Evaluated from the data of one object (product, grant row, case).
    Direct,
    /// Needs several grants of one person (the duplicate-credit detector).
    AcrossGrants,
    /// Needs a probability of default from a model.
    NeedsModel,
}

/// One code of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSpec {
    /// The stable code.
    pub code: &'static str,
    /// When it fires, with the ruleset parameters named.
    pub meaning: &'static str,
    /// Whether `threshold` must be set in the ruleset.
    pub needs_threshold: bool,
    /// Other numeric parameters the ruleset must set under `params`.
    pub params: &'static [&'static str],
    /// Levels where it applies.
    pub levels: &'static [Level],
    /// How it is evaluated.
    pub evaluation: Evaluation,
}

const P: Level = Level::Product;
const F: Level = Level::Portfolio;
const G: Level = Level::Grant;
const C: Level = Level::Case;

const fn spec(
    code: &'static str,
    meaning: &'static str,
    needs_threshold: bool,
    params: &'static [&'static str],
    levels: &'static [Level],
    evaluation: Evaluation,
) -> CodeSpec {
    CodeSpec {
        code,
        meaning,
        needs_threshold,
        params,
        levels,
        evaluation,
    }
}

/// Index of `code` in [`CATALOGUE`], for use in constants: `const { catalogue_index("RC-MINOR") }`
/// turns a code the catalogue does not have into a build error, and costs nothing at run time.
pub const fn catalogue_index(code: &str) -> usize {
    let wanted = code.as_bytes();
    let mut k = 0;
    while k < CATALOGUE.len() {
        let have = CATALOGUE[k].code.as_bytes();
        if have.len() == wanted.len() {
            let mut j = 0;
            while j < have.len() && have[j] == wanted[j] {
                j += 1;
            }
            if j == have.len() {
                return k;
            }
        }
        k += 1;
    }
    panic!("not a code of the catalogue")
}

/// A code of the catalogue, held as its position: compared, ordered (in catalogue order) and
/// looked up without comparing strings. The constants of [`code`] name every code; a code the
/// catalogue does not have cannot be written as one (it is a build error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodeId(usize);

impl CodeId {
    /// The id of `code`; in a constant, an unknown code is a build error (at run time it
    /// panics, so use [`CodeId::find`] for codes that come from input).
    pub const fn of(code: &str) -> Self {
        CodeId(catalogue_index(code))
    }

    /// The id of `code`, if the catalogue has it.
    pub fn find(code: &str) -> Option<Self> {
        CATALOGUE
            .iter()
            .position(|spec| spec.code == code)
            .map(CodeId)
    }

    /// Every code, in catalogue order.
    pub fn all() -> impl Iterator<Item = CodeId> {
        (0..CATALOGUE.len()).map(CodeId)
    }

    /// Position in [`CATALOGUE`].
    pub const fn index(self) -> usize {
        self.0
    }

    /// The code's text (`RC-MINOR`).
    pub const fn as_str(self) -> &'static str {
        CATALOGUE[self.0].code
    }

    /// The code's catalogue entry.
    pub const fn spec(self) -> &'static CodeSpec {
        &CATALOGUE[self.0]
    }
}

impl std::fmt::Display for CodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of catalogue codes, one bit per code: what a grant's `findings` text says, held so
/// that counting codes per grant (by institution, by outcome, by person) compares no strings
/// and allocates nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CodeSet(u64);

const _: () = assert!(CATALOGUE.len() <= 64);

impl CodeSet {
    /// The empty set.
    pub const fn empty() -> Self {
        CodeSet(0)
    }

    /// The set of the catalogue codes among `codes`; a text that is not a catalogue code is
    /// left out.
    pub fn from_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = Self::empty();
        for id in codes.into_iter().filter_map(CodeId::find) {
            set.insert(id);
        }
        set
    }

    /// Adds `code`.
    pub fn insert(&mut self, code: CodeId) {
        self.0 |= 1 << code.index();
    }

    /// Whether `code` is in the set.
    pub const fn contains(self, code: CodeId) -> bool {
        self.0 & (1 << code.index()) != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The number of codes in the set.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The set's bits: bit `k` is the code at position `k` of [`CATALOGUE`].
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// The codes of the set, in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = CodeId> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let k = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                CodeId(k)
            })
        })
    }
}

impl std::ops::BitOrAssign for CodeSet {
    fn bitor_assign(&mut self, other: CodeSet) {
        self.0 |= other.0;
    }
}

/// Grants counted per catalogue code: each row adds its [`CodeSet`]; the counts come out by
/// code text, as a findings column's codes sort, leaving out the codes no row had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeCounts([usize; CATALOGUE.len()]);

impl Default for CodeCounts {
    fn default() -> Self {
        CodeCounts([0; CATALOGUE.len()])
    }
}

impl CodeCounts {
    /// Counts one grant for each of `codes`.
    pub fn add(&mut self, codes: CodeSet) {
        for code in codes.iter() {
            self.0[code.index()] += 1;
        }
    }

    /// The grants counted for `code`.
    pub fn get(&self, code: CodeId) -> usize {
        self.0[code.index()]
    }

    /// `(code, grants)` for every code counted at least once, by code text.
    pub fn by_code(&self) -> Vec<(CodeId, usize)> {
        let mut counted: Vec<(CodeId, usize)> = CodeId::all()
            .map(|code| (code, self.get(code)))
            .filter(|(_, n)| *n > 0)
            .collect();
        counted.sort_unstable_by_key(|(code, _)| code.as_str());
        counted
    }
}

impl FromIterator<CodeId> for CodeSet {
    fn from_iter<I: IntoIterator<Item = CodeId>>(iter: I) -> Self {
        let mut set = Self::empty();
        for id in iter {
            set.insert(id);
        }
        set
    }
}

/// Every code of the catalogue as a [`CodeId`] constant (`code::RC_MINOR`).
pub mod code {
    use super::CodeId;

    /// `RC-INCOME-UNVERIFIED`.
    pub const RC_INCOME_UNVERIFIED: CodeId = CodeId::of("RC-INCOME-UNVERIFIED");
    /// `RC-NO-BUREAU-CHECK`.
    pub const RC_NO_BUREAU_CHECK: CodeId = CodeId::of("RC-NO-BUREAU-CHECK");
    /// `RC-DTI-HIGH`.
    pub const RC_DTI_HIGH: CodeId = CodeId::of("RC-DTI-HIGH");
    /// `RC-LINE-TO-INCOME`.
    pub const RC_LINE_TO_INCOME: CodeId = CodeId::of("RC-LINE-TO-INCOME");
    /// `RC-STUDENT`.
    pub const RC_STUDENT: CodeId = CodeId::of("RC-STUDENT");
    /// `RC-MINOR`.
    pub const RC_MINOR: CodeId = CodeId::of("RC-MINOR");
    /// `RC-ELDERLY`.
    pub const RC_ELDERLY: CodeId = CodeId::of("RC-ELDERLY");
    /// `RC-FAST-APPROVAL`.
    pub const RC_FAST_APPROVAL: CodeId = CodeId::of("RC-FAST-APPROVAL");
    /// `RC-HIGH-PD`.
    pub const RC_HIGH_PD: CodeId = CodeId::of("RC-HIGH-PD");
    /// `RC-EARLY-DEFAULT`.
    pub const RC_EARLY_DEFAULT: CodeId = CodeId::of("RC-EARLY-DEFAULT");
    /// `RC-BORROWER-CAP`.
    pub const RC_BORROWER_CAP: CodeId = CodeId::of("RC-BORROWER-CAP");
    /// `RC-BULLET-TERM`.
    pub const RC_BULLET_TERM: CodeId = CodeId::of("RC-BULLET-TERM");
    /// `RC-JOINT-SHARE`.
    pub const RC_JOINT_SHARE: CodeId = CodeId::of("RC-JOINT-SHARE");
    /// `RC-COST-CAP`.
    pub const RC_COST_CAP: CodeId = CodeId::of("RC-COST-CAP");
    /// `DC-CONCURRENT-SAME-LENDER`.
    pub const DC_CONCURRENT_SAME_LENDER: CodeId = CodeId::of("DC-CONCURRENT-SAME-LENDER");
    /// `DC-MANY-LENDERS`.
    pub const DC_MANY_LENDERS: CodeId = CodeId::of("DC-MANY-LENDERS");
    /// `DC-MANY-INQUIRIES`.
    pub const DC_MANY_INQUIRIES: CodeId = CodeId::of("DC-MANY-INQUIRIES");
    /// `DC-EXPOSURE-INCOME`.
    pub const DC_EXPOSURE_INCOME: CodeId = CodeId::of("DC-EXPOSURE-INCOME");
    /// `DC-NEW-WHILE-DELINQUENT`.
    pub const DC_NEW_WHILE_DELINQUENT: CodeId = CodeId::of("DC-NEW-WHILE-DELINQUENT");
    /// `DC-LINE-UP-DELINQUENT`.
    pub const DC_LINE_UP_DELINQUENT: CodeId = CodeId::of("DC-LINE-UP-DELINQUENT");
    /// `DC-SHARED-IDENTITY`.
    pub const DC_SHARED_IDENTITY: CodeId = CodeId::of("DC-SHARED-IDENTITY");
    /// `DC-IDENTIFIER-HUB`.
    pub const DC_IDENTIFIER_HUB: CodeId = CodeId::of("DC-IDENTIFIER-HUB");
    /// `DC-REPEAT-DEFENDANT`.
    pub const DC_REPEAT_DEFENDANT: CodeId = CodeId::of("DC-REPEAT-DEFENDANT");
    /// `MK-NO-APR`.
    pub const MK_NO_APR: CodeId = CodeId::of("MK-NO-APR");
    /// `MK-PERIODIC-RATE`.
    pub const MK_PERIODIC_RATE: CodeId = CodeId::of("MK-PERIODIC-RATE");
    /// `MK-RATE-UNDERSTATED`.
    pub const MK_RATE_UNDERSTATED: CodeId = CodeId::of("MK-RATE-UNDERSTATED");
    /// `MK-FALSE-FREE`.
    pub const MK_FALSE_FREE: CodeId = CodeId::of("MK-FALSE-FREE");
    /// `MK-INDUCEMENT`.
    pub const MK_INDUCEMENT: CodeId = CodeId::of("MK-INDUCEMENT");
    /// `MK-VULNERABLE-TARGET`.
    pub const MK_VULNERABLE_TARGET: CodeId = CodeId::of("MK-VULNERABLE-TARGET");
    /// `MK-NO-RISK-WARNING`.
    pub const MK_NO_RISK_WARNING: CodeId = CodeId::of("MK-NO-RISK-WARNING");
    /// `MK-HIDDEN-FEE`.
    pub const MK_HIDDEN_FEE: CodeId = CodeId::of("MK-HIDDEN-FEE");
    /// `RC-CLAUSE-JURISDICTION`.
    pub const RC_CLAUSE_JURISDICTION: CodeId = CodeId::of("RC-CLAUSE-JURISDICTION");
    /// `RC-CLAUSE-STANDARD-TERMS`.
    pub const RC_CLAUSE_STANDARD_TERMS: CodeId = CodeId::of("RC-CLAUSE-STANDARD-TERMS");
    /// `RC-CLAUSE-ACCELERATION`.
    pub const RC_CLAUSE_ACCELERATION: CodeId = CodeId::of("RC-CLAUSE-ACCELERATION");
    /// `RC-CLAUSE-PENALTY-STACK`.
    pub const RC_CLAUSE_PENALTY_STACK: CodeId = CodeId::of("RC-CLAUSE-PENALTY-STACK");
    /// `RC-CLAUSE-UPFRONT-DEDUCTION`.
    pub const RC_CLAUSE_UPFRONT_DEDUCTION: CodeId = CodeId::of("RC-CLAUSE-UPFRONT-DEDUCTION");
    /// `RC-CLAUSE-BUNDLED`.
    pub const RC_CLAUSE_BUNDLED: CodeId = CodeId::of("RC-CLAUSE-BUNDLED");
    /// `RC-CLAUSE-DATA-CONSENT`.
    pub const RC_CLAUSE_DATA_CONSENT: CodeId = CodeId::of("RC-CLAUSE-DATA-CONSENT");
    /// `RC-CLAUSE-NO-ESERVICE`.
    pub const RC_CLAUSE_NO_ESERVICE: CodeId = CodeId::of("RC-CLAUSE-NO-ESERVICE");
    /// `RC-DOWN-TIERING`.
    pub const RC_DOWN_TIERING: CodeId = CodeId::of("RC-DOWN-TIERING");
}

/// Every code, in SPEC order.
pub const CATALOGUE: [CodeSpec; 40] = [
    spec(
        "RC-INCOME-UNVERIFIED",
        "the product does not verify income; a grant or case has income_verified 0",
        false,
        &[],
        &[P, F, G, C],
        Evaluation::Direct,
    ),
    spec(
        "RC-NO-BUREAU-CHECK",
        "the product checks neither the credit bureau nor multi-lending",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-DTI-HIGH",
        "dti plus this loan's monthly payment over income above `threshold` (product: max_dti above it)",
        true,
        &[],
        &[P, F, G],
        Evaluation::Direct,
    ),
    spec(
        "RC-LINE-TO-INCOME",
        "principal above `threshold` x monthly income (product: max_line_to_income above it)",
        true,
        &[],
        &[P, F, G, C],
        Evaluation::Direct,
    ),
    spec(
        "RC-STUDENT",
        "the borrower is a student (product: allows_students)",
        false,
        &[],
        &[P, F, G, C],
        Evaluation::Direct,
    ),
    spec(
        "RC-MINOR",
        "the borrower is younger than `threshold` (product: min_age below it)",
        true,
        &[],
        &[P, F, G, C],
        Evaluation::Direct,
    ),
    spec(
        "RC-ELDERLY",
        "the borrower is older than `threshold` (product: max_age above it); policy, not law",
        true,
        &[],
        &[P, F, G, C],
        Evaluation::Direct,
    ),
    spec(
        "RC-FAST-APPROVAL",
        "median_approval_seconds below `threshold` with max principal above `income_multiple` x `typical_monthly_income_minor`",
        true,
        &["income_multiple", "typical_monthly_income_minor"],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-HIGH-PD",
        "model PD of an approved grant above `threshold` (portfolio: share above `portfolio_share`)",
        true,
        &["portfolio_share"],
        &[F, G],
        Evaluation::NeedsModel,
    ),
    spec(
        "RC-EARLY-DEFAULT",
        "first-payment-default rate of a portfolio above `threshold`",
        true,
        &[],
        &[F],
        Evaluation::Direct,
    ),
    spec(
        "RC-BORROWER-CAP",
        "unsecured principal or line above `threshold` minor units",
        true,
        &[],
        &[P, G, C],
        Evaluation::Direct,
    ),
    spec(
        "RC-BULLET-TERM",
        "bullet or interest-only repayment with a term above `threshold` months",
        true,
        &[],
        &[P, C],
        Evaluation::Direct,
    ),
    spec(
        "RC-JOINT-SHARE",
        "funding_share below `threshold`",
        true,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-COST-CAP",
        "APR (the jurisdiction's legal figure) above the applicable cap; case: excess_minor above 0",
        false,
        &[],
        &[P, F, G, C],
        Evaluation::Direct,
    ),
    spec(
        "DC-CONCURRENT-SAME-LENDER",
        "the grant's open interval overlaps another grant of the same person (keys joined by links of at least `min_link_strength`) at the same institution",
        false,
        &["min_link_strength"],
        &[F, G],
        Evaluation::AcrossGrants,
    ),
    spec(
        "DC-MANY-LENDERS",
        "at grant: active_lenders at least `threshold`, or that many institutions with open grants of the person (keys joined by links of at least `min_link_strength`)",
        true,
        &["min_link_strength"],
        &[F, G, C],
        Evaluation::Direct,
    ),
    spec(
        "DC-MANY-INQUIRIES",
        "inquiries_30d at least `threshold`",
        true,
        &[],
        &[F, G],
        Evaluation::Direct,
    ),
    spec(
        "DC-EXPOSURE-INCOME",
        "open principal of the person (keys joined by links of at least `min_link_strength`) across institutions above `threshold` x monthly income",
        true,
        &["min_link_strength"],
        &[F, G],
        Evaluation::AcrossGrants,
    ),
    spec(
        "DC-NEW-WHILE-DELINQUENT",
        "granted while dpd_at_grant is at least `threshold`",
        true,
        &[],
        &[F, G],
        Evaluation::Direct,
    ),
    spec(
        "DC-LINE-UP-DELINQUENT",
        "line_increased while dpd_at_grant is above `threshold`",
        true,
        &[],
        &[F, G],
        Evaluation::Direct,
    ),
    spec(
        "DC-SHARED-IDENTITY",
        "the borrower key is joined to another key through shared phones or devices (links of at least `min_link_strength`; transitively, except through hubs and across the `identity.recycle_gap_days` gap)",
        false,
        &["min_link_strength"],
        &[F, G],
        Evaluation::AcrossGrants,
    ),
    spec(
        "DC-IDENTIFIER-HUB",
        "the grant went through a phone or device seen with more borrower keys than `identity.hub_keys` (an intermediary, a shop terminal or a ring); a hub joins no keys",
        false,
        &[],
        &[F, G],
        Evaluation::AcrossGrants,
    ),
    spec(
        "DC-REPEAT-DEFENDANT",
        "case defendant with other_cases_12m at least `threshold`",
        true,
        &[],
        &[C],
        Evaluation::Direct,
    ),
    spec(
        "MK-NO-APR",
        "an ad mentions a rate, fee or price of credit but no annualised rate",
        false,
        &[],
        &[P, C],
        Evaluation::Direct,
    ),
    spec(
        "MK-PERIODIC-RATE",
        "an ad shows a daily or monthly rate with no annualised rate before it",
        false,
        &[],
        &[P, C],
        Evaluation::Direct,
    ),
    spec(
        "MK-RATE-UNDERSTATED",
        "the advertised rate, annualised, is below the computed APR by more than `threshold`",
        true,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "MK-FALSE-FREE",
        "interest-free claims while fees make the APR above 0",
        false,
        &[],
        &[P, C],
        Evaluation::Direct,
    ),
    spec(
        "MK-INDUCEMENT",
        "no credit check, instant cash, guaranteed approval, borrow freely, no need to repay",
        false,
        &[],
        &[P, C],
        Evaluation::Direct,
    ),
    spec(
        "MK-VULNERABLE-TARGET",
        "targets students, minors, the elderly, the unemployed or people without income",
        false,
        &[],
        &[P, C],
        Evaluation::Direct,
    ),
    spec(
        "MK-NO-RISK-WARNING",
        "no risk warning in any ad",
        false,
        &[],
        &[P, C],
        Evaluation::Direct,
    ),
    spec(
        "MK-HIDDEN-FEE",
        "a mandatory fee or add-on in pricing that no ad mentions",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-CLAUSE-JURISDICTION",
        "a standard-form jurisdiction or arbitration clause sends consumer disputes to the lender's or platform's seat without prominent notice (clause grammar, rules/contract/*.toml)",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-CLAUSE-STANDARD-TERMS",
        "terms excluding the lender's liability, adding to the borrower's obligations or removing main rights, without prominent notice; not where a more specific clause code covers the same sentence",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-CLAUSE-ACCELERATION",
        "the whole debt falls due on a discretionary trigger, on fewer than `threshold` days overdue, or without notice or cure period",
        true,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-CLAUSE-PENALTY-STACK",
        "default interest, penalties and mark-ups in the clauses, added to the product's lowest APR, above the applicable cap",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-CLAUSE-UPFRONT-DEDUCTION",
        "fees or interest deducted from the principal at disbursement while interest runs on the full amount (砍头息)",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-CLAUSE-BUNDLED",
        "mandatory insurance, guarantee, membership or similar as a condition of credit, or fees to affiliates",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-CLAUSE-DATA-CONSENT",
        "blanket consent to share personal data with unnamed parties, or to contact the borrower's contacts",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-CLAUSE-NO-ESERVICE",
        "a contract is given and no clause confirms the borrower's address for service, electronic service included",
        false,
        &[],
        &[P],
        Evaluation::Direct,
    ),
    spec(
        "RC-DOWN-TIERING",
        "a loan book's borrower quality worsens over vintages: a characteristic's share (young, student, income unverified, high DTI, many lenders) rises with a Cochran-Armitage one-sided p below `threshold` / characteristics, by at least `min_share_increase` with a PSI of at least `min_psi` from the first to the last `window_vintages` vintages, each of the last above the first's share; at least `min_vintages` vintages of `min_grants_per_vintage` grants",
        true,
        &[
            "min_vintages",
            "window_vintages",
            "min_share_increase",
            "min_psi",
            "min_grants_per_vintage",
            "young_age",
        ],
        &[F],
        Evaluation::AcrossGrants,
    ),
];

/// The catalogue entry of a code.
pub fn spec_of(code: &str) -> Option<&'static CodeSpec> {
    CATALOGUE.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Dimension;

    #[test]
    fn a_code_set_holds_the_catalogue_codes_of_a_findings_text_in_catalogue_order() {
        let set =
            CodeSet::from_codes("DC-MANY-LENDERS;RC-STUDENT;XX-NOT-A-CODE;;RC-STUDENT".split(';'));
        assert_eq!(set.len(), 2);
        assert!(set.contains(code::RC_STUDENT) && set.contains(code::DC_MANY_LENDERS));
        assert!(!set.contains(code::RC_MINOR));
        let codes: Vec<&str> = set.iter().map(CodeId::as_str).collect();
        assert_eq!(codes, ["RC-STUDENT", "DC-MANY-LENDERS"]);
        assert!(CodeSet::empty().is_empty() && CodeSet::from_codes([""]).is_empty());
        // Every code, the last position included, goes in and comes out.
        let all: CodeSet = CodeId::all().collect();
        assert_eq!(all.len(), CATALOGUE.len());
        assert!(all.iter().eq(CodeId::all()));
        assert_eq!(all.bits().count_ones() as usize, CATALOGUE.len());
    }

    #[test]
    fn code_counts_come_out_by_code_text_without_the_codes_no_grant_had() {
        let mut counts = CodeCounts::default();
        let student_and_lenders = CodeSet::from_codes(["RC-STUDENT", "DC-MANY-LENDERS"]);
        counts.add(student_and_lenders);
        counts.add(student_and_lenders);
        counts.add(CodeSet::from_codes(["RC-STUDENT"]));
        counts.add(CodeSet::empty());
        let out: Vec<(&str, usize)> = counts
            .by_code()
            .into_iter()
            .map(|(code, n)| (code.as_str(), n))
            .collect();
        // DC- sorts before RC- by text, although RC-STUDENT comes first in the catalogue.
        assert_eq!(out, [("DC-MANY-LENDERS", 2), ("RC-STUDENT", 3)]);
        assert_eq!(counts.get(code::RC_MINOR), 0);
        let mut union = CodeSet::from_codes(["RC-MINOR"]);
        union |= student_and_lenders;
        assert_eq!(union.len(), 3);
    }

    #[test]
    fn codes_are_unique_and_have_a_dimension() {
        for (i, c) in CATALOGUE.iter().enumerate() {
            assert!(Dimension::of_code(c.code).is_some(), "{}", c.code);
            assert!(
                CATALOGUE[..i].iter().all(|d| d.code != c.code),
                "{} twice",
                c.code
            );
        }
    }
}
