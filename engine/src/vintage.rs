//! Customer-quality down-tiering (客户资质下沉, RC-DOWN-TIERING): a loan book's borrower mix
//! by vintage (month of grant), per group (an institution or a product), and a trend test of
//! whether it worsens significantly and persistently.
//!
//! Each grant is counted by its month with five characteristics: young (an age below the
//! code's `young_age`), student (RC-STUDENT at grant), income unverified
//! (RC-INCOME-UNVERIFIED), high DTI (RC-DTI-HIGH) and many lenders (DC-MANY-LENDERS): the
//! engine's own grant-level findings, so a report that reads an assessed table counts the same
//! grants as the batch did. Mean PD per vintage is shown where a model scored the grants.
//!
//! A characteristic **worsens** when, over the vintages with at least `min_grants_per_vintage`
//! grants (at least `min_vintages` of them):
//! - its share rises with time: the Cochran-Armitage test for trend in proportions (Armitage,
//!   "Tests for linear trends in proportions and frequencies", Biometrics 11, 1955), scores =
//!   months since the first vintage, one-sided p-value below the code's `threshold` divided by
//!   the number of characteristics tested (Bonferroni);
//! - the rise is material: the pooled share of the last `window_vintages` vintages is at least
//!   `min_share_increase` above that of the first `window_vintages`, and the characteristic's
//!   population stability index between them is at least `min_psi` (a test on a million
//!   grants finds trends nobody should act on);
//! - and persistent: each of the last `window_vintages` vintages is above the baseline share.
//!
//! RC-DOWN-TIERING fires when a characteristic worsens; the evidence lists every
//! characteristic's test, the vintages table and the population stability index (PSI) of the
//! borrower mix (grants by number of weak characteristics: 0, 1, 2, 3 or more) of the recent
//! vintages, and of every vintage, against the baseline ones.

use crate::catalogue::{CodeId, CodeSet, code};
use crate::date::Date;
use crate::stats::psi_of_counts;
use serde::Serialize;
use std::collections::BTreeMap;

/// The characteristics counted, in this order.
pub const CHARACTERISTICS: [&str; 5] = [
    "young",
    "student",
    "income_unverified",
    "high_dti",
    "many_lenders",
];

/// The grant-level codes that mark characteristics 1 to 4 (young comes from the age).
const CODES: [CodeId; 4] = [
    code::RC_STUDENT,
    code::RC_INCOME_UNVERIFIED,
    code::RC_DTI_HIGH,
    code::DC_MANY_LENDERS,
];

/// The characteristics of one grant: `None` where unknown (young without an age).
pub type GrantQuality = [Option<bool>; 5];

/// The quality of a grant from its findings (codes, as text) and age.
pub fn grant_quality<'a>(
    codes: impl IntoIterator<Item = &'a str>,
    age: Option<f64>,
    young_age: f64,
) -> GrantQuality {
    grant_quality_of(CodeSet::from_codes(codes), age, young_age)
}

/// The quality of a grant from its findings (a set of codes) and age.
pub fn grant_quality_of(codes: CodeSet, age: Option<f64>, young_age: f64) -> GrantQuality {
    let [student, unverified, dti, lenders] = CODES.map(|c| Some(codes.contains(c)));
    [
        age.map(|a| a < young_age),
        student,
        unverified,
        dti,
        lenders,
    ]
}

/// Counts of one vintage of one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VintageCounts {
    /// Grants.
    pub grants: u64,
    /// Grants with each characteristic.
    pub flagged: [u64; 5],
    /// Grants where each characteristic is known.
    pub known: [u64; 5],
    /// Grants by number of weak characteristics: 0, 1, 2, 3 or more.
    pub tiers: [u64; 4],
    /// Sum of model PDs.
    pub pd_sum: f64,
    /// Grants with a model PD.
    pub pd_count: u64,
}

impl VintageCounts {
    fn add(&mut self, q: &GrantQuality, pd: Option<f64>) {
        self.grants += 1;
        let mut weak = 0usize;
        for (k, v) in q.iter().enumerate() {
            if let Some(flag) = v {
                self.known[k] += 1;
                if *flag {
                    self.flagged[k] += 1;
                    weak += 1;
                }
            }
        }
        self.tiers[weak.min(3)] += 1;
        if let Some(p) = pd.filter(|p| p.is_finite()) {
            self.pd_sum += p;
            self.pd_count += 1;
        }
    }

    fn merge(&mut self, o: &VintageCounts) {
        self.grants += o.grants;
        for k in 0..5 {
            self.flagged[k] += o.flagged[k];
            self.known[k] += o.known[k];
        }
        for k in 0..4 {
            self.tiers[k] += o.tiers[k];
        }
        self.pd_sum += o.pd_sum;
        self.pd_count += o.pd_count;
    }
}

/// Vintage counts per group (institution or product) and month, fed grant by grant and merged
/// across chunks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VintageBook {
    groups: BTreeMap<String, BTreeMap<i32, VintageCounts>>,
}

/// A month as `year * 12 + month - 1`.
fn month_index(d: Date) -> i32 {
    let (y, m, _) = d.ymd();
    y * 12 + i32::try_from(m).unwrap_or(0) - 1
}

fn month_label(index: i32) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

impl VintageBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one grant of `group` granted on `granted_at`.
    pub fn add(&mut self, group: &str, granted_at: Date, quality: &GrantQuality, pd: Option<f64>) {
        let months = match self.groups.get_mut(group) {
            Some(m) => m,
            None => self.groups.entry(group.to_string()).or_default(),
        };
        months
            .entry(month_index(granted_at))
            .or_default()
            .add(quality, pd);
    }

    /// Adds another book's counts (a chunk's) to this one.
    pub fn merge(&mut self, other: &VintageBook) {
        for (group, months) in &other.groups {
            let mine = self.groups.entry(group.clone()).or_default();
            for (m, c) in months {
                mine.entry(*m).or_default().merge(c);
            }
        }
    }

    /// Whether no grant was counted.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The analysis of every group, in group order.
    pub fn analyse(&self, rules: &DownTieringRules) -> Vec<DownTiering> {
        self.groups
            .iter()
            .map(|(group, months)| analyse_group(group, months, rules))
            .collect()
    }

    /// The analysis of one group, if it has grants.
    pub fn analyse_one(&self, group: &str, rules: &DownTieringRules) -> Option<DownTiering> {
        self.groups
            .get(group)
            .map(|months| analyse_group(group, months, rules))
    }
}

/// RC-DOWN-TIERING's settings (ruleset `[codes."RC-DOWN-TIERING"]`: `threshold` and
/// `params`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DownTieringRules {
    /// Family-wise significance level of the trend tests (Bonferroni over characteristics).
    pub alpha: f64,
    /// Vintages with enough grants needed before anything is tested.
    pub min_vintages: usize,
    /// Vintages pooled at each end (baseline and recent).
    pub window_vintages: usize,
    /// Smallest rise of a share, recent against baseline, that counts (absolute).
    pub min_share_increase: f64,
    /// Smallest population stability index of the characteristic (recent against baseline)
    /// that counts: 0.1 is the usual "some change" line (Siddiqi, Credit Risk Scorecards,
    /// 2006: below 0.1 no significant change, 0.1 to 0.25 some, above 0.25 major).
    pub min_psi: f64,
    /// Vintages with fewer grants are left out (shown, not tested).
    pub min_grants_per_vintage: u64,
    /// Below this age a borrower is young.
    pub young_age: f64,
}

impl DownTieringRules {
    /// The settings of RC-DOWN-TIERING in `ruleset`; `None` when the code is switched off.
    pub fn from_ruleset(ruleset: &crate::Ruleset) -> Option<Self> {
        let r = ruleset.code("RC-DOWN-TIERING")?;
        let whole = |name: &str| {
            let v = r.param(name);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a ruleset count, clamped to 0 .. 10^6 first"
            )]
            let n = v.clamp(0.0, 1e6).round() as u64;
            n
        };
        Some(Self {
            alpha: r.threshold(),
            min_vintages: usize::try_from(whole("min_vintages")).unwrap_or(usize::MAX),
            window_vintages: usize::try_from(whole("window_vintages")).unwrap_or(usize::MAX),
            min_share_increase: r.param("min_share_increase"),
            min_psi: r.param("min_psi"),
            min_grants_per_vintage: whole("min_grants_per_vintage"),
            young_age: r.param("young_age"),
        })
    }
}

/// One vintage as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vintage {
    /// The month (`2024-03`).
    pub month: String,
    /// Grants.
    pub grants: u64,
    /// Share of each characteristic (of the grants where it is known), in
    /// [`CHARACTERISTICS`] order.
    pub shares: Vec<Option<f64>>,
    /// Mean model PD, where a model scored the grants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_pd: Option<f64>,
    /// PSI of its borrower mix (grants by number of weak characteristics) against the
    /// baseline vintages, once the book has enough vintages to have a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mix_psi: Option<f64>,
    /// Whether it has enough grants to be tested.
    pub tested: bool,
}

/// One characteristic's trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CharacteristicTrend {
    /// The characteristic.
    pub characteristic: &'static str,
    /// Pooled share of the first vintages.
    pub baseline_share: f64,
    /// Pooled share of the last vintages.
    pub recent_share: f64,
    /// Cochran-Armitage statistic (positive: rising).
    pub z: f64,
    /// One-sided p-value of a rising trend.
    pub p_value: f64,
    /// Whether `p_value` is below the Bonferroni-corrected level.
    pub significant: bool,
    /// PSI of the characteristic (a share: two bins), recent against baseline.
    pub psi: f64,
    /// Whether the rise is at least `min_share_increase` and its PSI at least `min_psi`.
    pub material: bool,
    /// Whether each of the last vintages is above the baseline share.
    pub persistent: bool,
    /// All three: the characteristic worsens.
    pub worsens: bool,
}

/// The down-tiering analysis of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DownTiering {
    /// The institution or product.
    pub group: String,
    /// Every vintage, oldest first.
    pub vintages: Vec<Vintage>,
    /// Vintages tested.
    pub vintages_tested: usize,
    /// The months pooled as the baseline and as the recent vintages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_months: Option<(String, String)>,
    /// The recent months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent_months: Option<(String, String)>,
    /// Each characteristic's trend (characteristics known for every tested grant only).
    pub trends: Vec<CharacteristicTrend>,
    /// PSI of the mix by number of weak characteristics, recent against baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mix_psi: Option<f64>,
    /// Whether RC-DOWN-TIERING fires.
    pub fires: bool,
    /// Why it does or does not.
    pub reason: String,
    /// The settings used.
    pub rules: DownTieringRules,
}

/// Cochran-Armitage trend test: `(z, one-sided p)` for shares `x_i / n_i` at scores `t_i`.
fn cochran_armitage(points: &[(f64, u64, u64)]) -> (f64, f64) {
    let n: f64 = points.iter().map(|p| p.2 as f64).sum();
    let x: f64 = points.iter().map(|p| p.1 as f64).sum();
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let pbar = x / n;
    let t_stat: f64 = points
        .iter()
        .map(|(t, xi, ni)| t * (*xi as f64 - *ni as f64 * pbar))
        .sum();
    let s1: f64 = points.iter().map(|(t, _, ni)| *ni as f64 * t * t).sum();
    let s2: f64 = points.iter().map(|(t, _, ni)| *ni as f64 * t).sum();
    let var = pbar * (1.0 - pbar) * (s1 - s2 * s2 / n);
    if var <= 0.0 || !var.is_finite() {
        return (0.0, 1.0);
    }
    let z = t_stat / var.sqrt();
    (z, crate::stats::normal_upper_tail(z))
}

fn share(flagged: u64, known: u64) -> Option<f64> {
    (known > 0).then(|| flagged as f64 / known as f64)
}

fn analyse_group(
    group: &str,
    months: &BTreeMap<i32, VintageCounts>,
    rules: &DownTieringRules,
) -> DownTiering {
    let vintages: Vec<Vintage> = months
        .iter()
        .map(|(m, c)| Vintage {
            month: month_label(*m),
            grants: c.grants,
            shares: (0..5).map(|k| share(c.flagged[k], c.known[k])).collect(),
            mean_pd: (c.pd_count > 0).then(|| c.pd_sum / c.pd_count as f64),
            mix_psi: None,
            tested: c.grants >= rules.min_grants_per_vintage,
        })
        .collect();
    let tested: Vec<(&i32, &VintageCounts)> = months
        .iter()
        .filter(|(_, c)| c.grants >= rules.min_grants_per_vintage)
        .collect();
    let window = rules.window_vintages.max(1);
    let mut out = DownTiering {
        group: group.to_string(),
        vintages,
        vintages_tested: tested.len(),
        baseline_months: None,
        recent_months: None,
        trends: Vec::new(),
        mix_psi: None,
        fires: false,
        reason: String::new(),
        rules: rules.clone(),
    };
    if tested.len() < rules.min_vintages.max(2 * window) {
        out.reason = format!(
            "{} vintages with at least {} grants; at least {} needed",
            tested.len(),
            rules.min_grants_per_vintage,
            rules.min_vintages.max(2 * window)
        );
        return out;
    }
    let first_month = *tested[0].0;
    let baseline = &tested[..window];
    let recent = &tested[tested.len() - window..];
    out.baseline_months = Some((
        month_label(*baseline[0].0),
        month_label(*baseline[window - 1].0),
    ));
    out.recent_months = Some((
        month_label(*recent[0].0),
        month_label(*recent[window - 1].0),
    ));
    // Characteristics known for every tested grant (young needs every age).
    let testable: Vec<usize> = (0..5)
        .filter(|&k| tested.iter().all(|(_, c)| c.known[k] == c.grants))
        .collect();
    let level = rules.alpha / testable.len().max(1) as f64;
    for &k in &testable {
        let points: Vec<(f64, u64, u64)> = tested
            .iter()
            .map(|(m, c)| (f64::from(**m - first_month), c.flagged[k], c.known[k]))
            .collect();
        let (z, p) = cochran_armitage(&points);
        let pooled = |part: &[(&i32, &VintageCounts)]| {
            let (f, n) = part.iter().fold((0u64, 0u64), |(f, n), (_, c)| {
                (f + c.flagged[k], n + c.known[k])
            });
            share(f, n).unwrap_or(0.0)
        };
        let (b, r) = (pooled(baseline), pooled(recent));
        let counts = |part: &[(&i32, &VintageCounts)]| {
            part.iter().fold([0u64; 2], |[f, u], (_, c)| {
                [f + c.flagged[k], u + c.known[k] - c.flagged[k]]
            })
        };
        let char_psi = psi_of_counts(&counts(baseline), &counts(recent)).unwrap_or(0.0);
        let material = r - b >= rules.min_share_increase && char_psi >= rules.min_psi;
        let persistent = recent
            .iter()
            .all(|(_, c)| share(c.flagged[k], c.known[k]).is_some_and(|s| s > b));
        let significant = p < level;
        out.trends.push(CharacteristicTrend {
            characteristic: CHARACTERISTICS[k],
            baseline_share: b,
            recent_share: r,
            z,
            p_value: p,
            significant,
            psi: char_psi,
            material,
            persistent,
            worsens: significant && material && persistent,
        });
    }
    let tiers = |part: &[(&i32, &VintageCounts)]| {
        part.iter().fold([0u64; 4], |mut acc, (_, c)| {
            for (a, t) in acc.iter_mut().zip(&c.tiers) {
                *a += t;
            }
            acc
        })
    };
    let baseline_mix = tiers(baseline);
    out.mix_psi = psi_of_counts(&baseline_mix, &tiers(recent));
    for (v, c) in out.vintages.iter_mut().zip(months.values()) {
        v.mix_psi = psi_of_counts(&baseline_mix, &c.tiers);
    }
    let worsening: Vec<String> = out
        .trends
        .iter()
        .filter(|t| t.worsens)
        .map(|t| {
            format!(
                "{} from {:.1}% to {:.1}% (p = {:.2e})",
                t.characteristic,
                100.0 * t.baseline_share,
                100.0 * t.recent_share,
                t.p_value
            )
        })
        .collect();
    out.fires = !worsening.is_empty();
    out.reason = if out.fires {
        format!("borrower quality worsens: {}", worsening.join("; "))
    } else {
        "no characteristic rises significantly, materially and persistently".to_string()
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> DownTieringRules {
        DownTieringRules {
            alpha: 0.001,
            min_vintages: 6,
            window_vintages: 3,
            min_share_increase: 0.05,
            min_psi: 0.1,
            min_grants_per_vintage: 30,
            young_age: 23.0,
        }
    }

    fn date(y: i32, m: u8) -> Date {
        Date::from_ymd(y, u32::from(m), 15).unwrap()
    }

    /// A book of 24 months x `per_month` grants whose share of unverified incomes goes from
    /// `from` to `to` linearly; deterministic (every k-th grant flagged).
    fn book(per_month: u64, from: f64, to: f64) -> VintageBook {
        let mut b = VintageBook::new();
        for m in 0..24u8 {
            let share = from + (to - from) * f64::from(m) / 23.0;
            let flagged = (share * per_month as f64).round() as u64;
            for i in 0..per_month {
                let q = grant_quality(
                    if i < flagged {
                        vec!["RC-INCOME-UNVERIFIED"]
                    } else {
                        vec![]
                    },
                    Some(35.0),
                    23.0,
                );
                b.add(
                    "INST-A",
                    date(2023 + i32::from(m / 12), m % 12 + 1),
                    &q,
                    None,
                );
            }
        }
        b
    }

    #[test]
    fn cochran_armitage_matches_a_hand_computed_value() {
        // Shares 10/100, 20/100, 30/100 at scores 0, 1, 2: p = 0.2, T = 20,
        // Var = 0.16 * (500 - 300^2/300) = 32, z = 20 / sqrt(32) = 3.5355.
        let (z, p) = cochran_armitage(&[(0.0, 10, 100), (1.0, 20, 100), (2.0, 30, 100)]);
        assert!((z - 3.535_533_9).abs() < 1e-6, "{z}");
        assert!((p - 2.03e-4).abs() < 1e-5, "{p}");
    }

    #[test]
    fn a_worsening_book_fires_and_a_stable_one_does_not() {
        let worse = book(200, 0.10, 0.40)
            .analyse_one("INST-A", &rules())
            .unwrap();
        assert!(worse.fires, "{}", worse.reason);
        let t = &worse.trends[2];
        assert_eq!(t.characteristic, "income_unverified");
        assert!(t.worsens && t.p_value < 1e-10);
        // The mix drifts away from the baseline month by month.
        let psi_of = |i: usize| worse.vintages[i].mix_psi.unwrap();
        assert!(psi_of(0) < 0.01 && psi_of(23) > psi_of(12) && psi_of(12) > psi_of(0));
        let stable = book(200, 0.25, 0.25)
            .analyse_one("INST-A", &rules())
            .unwrap();
        assert!(!stable.fires, "{}", stable.reason);
        // A small rise on a big book is significant but not material.
        let small = book(5_000, 0.20, 0.23)
            .analyse_one("INST-A", &rules())
            .unwrap();
        assert!(small.trends[2].significant && !small.trends[2].material);
        assert!(!small.fires);
    }

    #[test]
    fn a_short_book_is_not_tested() {
        let mut b = VintageBook::new();
        for m in 1..=4u8 {
            for _ in 0..50 {
                b.add(
                    "X",
                    date(2024, m),
                    &grant_quality([], Some(30.0), 23.0),
                    None,
                );
            }
        }
        let a = b.analyse_one("X", &rules()).unwrap();
        assert!(!a.fires && a.trends.is_empty());
        assert!(a.reason.contains("4 vintages"), "{}", a.reason);
    }

    #[test]
    fn merged_chunks_equal_one_pass() {
        let whole = book(100, 0.1, 0.3);
        let mut a = VintageBook::new();
        let mut b = VintageBook::new();
        for (group, months) in &whole.groups {
            for (m, c) in months {
                let target = if m % 2 == 0 { &mut a } else { &mut b };
                target
                    .groups
                    .entry(group.clone())
                    .or_default()
                    .insert(*m, c.clone());
            }
        }
        a.merge(&b);
        assert_eq!(a, whole);
    }
}
