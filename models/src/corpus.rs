//! The labelled ad corpus the marketing-text model learns from, built from phrase pools written
//! after the patterns regulators name (PBOC 2021 No. 3, 银发〔2019〕316号, the CBIRC 2020-12-29
//! risk warning, the 2021 student notice, Reg Z 1026.24, CCD2 arts. 7-8, FCA CONC 3). No text
//! is copied from the web.
//!
//! Each ad is composed of parts (a rate statement, a pitch, a target group, a warning...) and
//! labelled with the codes its parts carry. Every pool is split in two: the first phrases make
//! the training texts, the others only the held-out texts, so the held-out figures measure
//! wording the model has never seen.

use serde::{Deserialize, Serialize};

/// One labelled ad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledAd {
    /// The text.
    pub text: String,
    /// Language tag.
    pub language: String,
    /// Codes the text evidences.
    pub codes: Vec<String>,
    /// `train` or `heldout`.
    pub split: String,
}

/// Codes the text model scores.
pub const TEXT_CODES: [&str; 6] = [
    "MK-NO-APR",
    "MK-PERIODIC-RATE",
    "MK-FALSE-FREE",
    "MK-INDUCEMENT",
    "MK-VULNERABLE-TARGET",
    "MK-NO-RISK-WARNING",
];

struct Pools {
    /// Periodic-rate statements (no annual rate): NO-APR and PERIODIC-RATE.
    periodic: &'static [&'static str],
    /// Annual-rate statements shown first.
    annual: &'static [&'static str],
    /// Annual first, then a periodic rate: neither NO-APR nor PERIODIC-RATE.
    annual_then_periodic: &'static [&'static str],
    /// Price mentioned without any rate: NO-APR only.
    price_no_rate: &'static [&'static str],
    /// Interest-free claims: FALSE-FREE (the product's fees decide the rule; the text evidences
    /// the claim) and NO-APR.
    free: &'static [&'static str],
    /// Inducement.
    inducement: &'static [&'static str],
    /// Vulnerable groups.
    vulnerable: &'static [&'static str],
    /// Neutral pitches.
    neutral: &'static [&'static str],
    /// Risk warnings (their absence gives NO-RISK-WARNING).
    warning: &'static [&'static str],
}

const ZH: Pools = Pools {
    periodic: &[
        "日息低至0.02%",
        "日利率仅万分之三",
        "每天只需0.5元/千元",
        "月费率0.6%",
        "月息1.2%起",
        "日费率0.05%",
        "借1万每天仅需3元",
        "月利率低至0.8%",
        "日息万分之二起",
        "每日利息低至0.03%",
        "月供利率0.5%",
        "日息仅需万分之四",
    ],
    annual: &[
        "年化利率(单利)7.2%起",
        "年化利率12%-24%",
        "年利率(单利)10.8%",
        "年化综合成本不超过18%",
        "年化利率8.4%起",
        "年化利率(按单利计)9.6%",
        "年化利率15%起",
        "年化综合费率13.5%",
    ],
    annual_then_periodic: &[
        "年化利率7.2%起，日利率低至0.02%",
        "年化利率10.95%（日利率0.03%）",
        "年化利率(单利)18%，折合日利率0.05%",
        "年化利率14.6%，日息万分之四",
        "年化利率9%，月利率0.75%",
    ],
    price_no_rate: &[
        "利息低，手续费少",
        "超低利率，费用透明",
        "费用低至几元",
        "息费全免首月",
        "利率优惠，随心借",
        "低息贷款，费用低廉",
    ],
    free: &[
        "3期免息",
        "0利息",
        "首借免息30天",
        "零利息分期",
        "新用户免息",
        "前30天0息",
        "12期免息分期",
        "无息借款",
    ],
    inducement: &[
        "不看征信",
        "秒到账",
        "必下款",
        "100%通过",
        "想借就借",
        "黑户可贷",
        "无需审核",
        "当天放款，无视征信",
        "征信花了也能借",
        "随借随还，额度秒批",
        "零门槛，人人可借",
        "不查负债，快速到账",
    ],
    vulnerable: &[
        "大学生专享",
        "学生党也能借",
        "退休人员可申请",
        "无业也能贷",
        "无收入证明也可借",
        "老年人专属额度",
        "在校生专属福利",
        "宝妈无工作也能借",
        "待业青年速来申请",
        "没有工作也能下款",
    ],
    neutral: &[
        "线上申请，方便快捷",
        "正规持牌机构",
        "灵活还款",
        "额度最高20万",
        "手机即可办理",
        "按期还款，积累信用",
        "最长可分24期",
        "到账后按日计息",
    ],
    warning: &[
        "贷款有风险，借款需谨慎",
        "请理性借贷，按时还款",
        "谨慎借贷，量力而行",
        "借款有风险，请理性消费",
        "理性借贷，避免逾期",
    ],
};

const EN: Pools = Pools {
    periodic: &[
        "Only 0.05% per day",
        "From 0.9% a month",
        "Just $1 a day per $1,000",
        "Daily rate from 0.03%",
        "Monthly rate as low as 1.2%",
        "0.06% per day, nothing more",
        "Pay just 2% a month",
        "Rates from 0.04% daily",
    ],
    annual: &[
        "Representative 19.9% APR",
        "APR from 7.9%",
        "29.9% APR representative",
        "Fixed 12% APR",
        "Representative example: 24.9% APR",
        "APR 15.5% (fixed)",
    ],
    annual_then_periodic: &[
        "Representative 18.25% APR (0.05% per day)",
        "APR 14.4%, that is 1.2% a month",
        "12% APR, about 0.03% per day",
        "Representative 21% APR or 1.75% a month",
    ],
    price_no_rate: &[
        "Low interest, low fees",
        "Tiny fees, big savings",
        "Great rates on every loan",
        "Our interest is the lowest around",
        "Fees you will barely notice",
        "Low-cost credit in minutes",
    ],
    free: &[
        "Interest-free for 3 months",
        "0% interest on your first loan",
        "No interest for 30 days",
        "Zero interest instalments",
        "Interest free until payday",
        "Pay in 4, interest-free",
    ],
    inducement: &[
        "No credit check",
        "Instant approval",
        "Guaranteed approval",
        "Cash in minutes",
        "100% approval",
        "Bad credit OK",
        "Approved instantly, no questions",
        "Borrow freely, repay whenever",
        "Everyone gets approved",
    ],
    vulnerable: &[
        "Students welcome",
        "Perfect for pensioners",
        "Unemployed? No problem",
        "No income needed",
        "Seniors get a bonus limit",
        "Made for retirees",
        "Between jobs? Apply now",
        "Teens and students apply here",
    ],
    neutral: &[
        "Apply online in minutes",
        "Licensed and regulated lender",
        "Flexible repayments",
        "Borrow up to 20,000",
        "Manage it in our app",
        "Choose 6 to 36 months",
        "Trusted by thousands",
    ],
    warning: &[
        "Borrowing costs money",
        "Warning: late repayment can cause you serious money problems",
        "Borrow only what you can repay",
        "Representative example: borrow 1,000 over 12 months",
        "Borrowing money costs money",
    ],
};

/// xorshift64*: the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a>(&mut self, pool: &'a [&'a str], heldout: bool) -> &'a str {
        // Training texts draw from the first 60% of a pool, held-out texts from the rest.
        let cut = (pool.len() * 3).div_ceil(5).clamp(1, pool.len() - 1);
        let (lo, hi) = if heldout { (cut, pool.len()) } else { (0, cut) };
        pool[lo + crate::narrow::index_below(self.next(), hi - lo)]
    }
}

/// The key two texts are near-duplicates by: lower case, letters and CJK characters only
/// (digits, spaces and punctuation dropped), so `日息0.02%` and `日息0.05%` are one text.
pub fn near_duplicate_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Attempts to compose a new ad before the corpus gives up on its target size.
const ATTEMPTS_PER_AD: usize = 200;

/// Builds `train` + `heldout` ads per language, deterministically from `seed`. No ad is empty
/// and no two ads (in either split, of either language) are near-duplicates
/// ([`near_duplicate_key`]): a text repeated across cross-validation folds, or across the
/// splits, would measure recall of a memorised text. Where the pools cannot give that many
/// distinct ads, the corpus is smaller than asked.
pub fn build(seed: u64, train: usize, heldout: usize) -> Vec<LabelledAd> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::with_capacity(2 * (train + heldout));
    let mut seen = std::collections::HashSet::new();
    for (language, pools, sep) in [("zh", &ZH, "，"), ("en", &EN, ". ")] {
        let mut k = 0;
        let mut attempts = 0;
        while k < train + heldout && attempts < ATTEMPTS_PER_AD * (train + heldout) {
            attempts += 1;
            let held = k >= train;
            let mut parts: Vec<&str> = Vec::new();
            let mut codes: Vec<&str> = Vec::new();
            match (rng.next() % 5) as u8 {
                0 => {
                    parts.push(rng.pick(pools.periodic, held));
                    codes.extend(["MK-NO-APR", "MK-PERIODIC-RATE"]);
                }
                1 => parts.push(rng.pick(pools.annual, held)),
                2 => parts.push(rng.pick(pools.annual_then_periodic, held)),
                3 => {
                    parts.push(rng.pick(pools.price_no_rate, held));
                    codes.push("MK-NO-APR");
                }
                _ => {}
            }
            if rng.chance(0.3) {
                parts.push(rng.pick(pools.free, held));
                codes.push("MK-FALSE-FREE");
                if !codes.contains(&"MK-NO-APR") && parts.len() == 1 {
                    codes.push("MK-NO-APR");
                }
            }
            if rng.chance(0.35) {
                parts.push(rng.pick(pools.inducement, held));
                codes.push("MK-INDUCEMENT");
            }
            if rng.chance(0.3) {
                parts.push(rng.pick(pools.vulnerable, held));
                codes.push("MK-VULNERABLE-TARGET");
            }
            if rng.chance(0.6) || parts.is_empty() {
                parts.push(rng.pick(pools.neutral, held));
            }
            if rng.chance(0.5) {
                parts.push(rng.pick(pools.warning, held));
            } else {
                codes.push("MK-NO-RISK-WARNING");
            }
            codes.sort_unstable();
            codes.dedup();
            let text = parts.join(sep);
            if !seen.insert(near_duplicate_key(&text)) {
                continue;
            }
            k += 1;
            out.push(LabelledAd {
                text,
                language: language.to_string(),
                codes: codes.into_iter().map(str::to_string).collect(),
                split: if held { "heldout" } else { "train" }.to_string(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_ad_is_empty_or_a_near_duplicate_of_another() {
        let corpus = build(42, 240, 80);
        assert_eq!(corpus.len(), 2 * (240 + 80));
        let mut keys = std::collections::HashSet::new();
        for ad in &corpus {
            assert!(!ad.text.trim().is_empty(), "{ad:?}");
            assert!(
                keys.insert(near_duplicate_key(&ad.text)),
                "near-duplicate: {}",
                ad.text
            );
        }
        assert_eq!(
            near_duplicate_key("日息0.02%！"),
            near_duplicate_key("日息 0.05%")
        );
    }
}
