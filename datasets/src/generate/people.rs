//! Borrowers and their grants over time, one chunk at a time, with the truth of every row.
//!
//! A chunk is a pure function of `(seed, chunk index, products)`: it draws borrowers of six
//! kinds (ordinary, same-lender stackers, many-lender bursts, identity rings, distressed, and
//! students), builds each one's grants on a timeline, computes every grant's APR with the
//! engine, draws outcomes from a risk model, and labels each grant with the codes that its
//! data meets under the SPEC section 6 defaults (the truth the detectors are judged against).
//!
//! With identity noise on ([`ChunkContext::with_identity_noise`]), identifiers are shared
//! between different people as in real lending data (the shares are in [`noise`]): some grants
//! go through a shop or agent terminal used by many borrowers, family members share a phone
//! number, and numbers and handsets pass to a new owner after a gap. The truth is written from
//! the people made, never from the detector's rules: a grant through a terminal is
//! DC-IDENTIFIER-HUB, and the person-level codes are computed over each real person's keys.

use super::rng::{Rng, mix64, saturating_i32, saturating_u32};
use super::world::{GenProduct, Profile};
use finrisk_engine::Date;
use finrisk_engine::rates::schedule::{Installment, LoanTerms, fill_schedule};
use finrisk_engine::rates::{irr_periodic, round_minor};

/// The SPEC section 6 default thresholds the truth labels follow.
pub mod plant_rules {
    /// DTI including this loan's payment above which RC-DTI-HIGH holds.
    pub const DTI_HIGH: f64 = 0.5;
    /// Principal over monthly income above which RC-LINE-TO-INCOME holds.
    pub const LINE_TO_INCOME: f64 = 12.0;
    /// Age above which RC-ELDERLY holds.
    pub const ELDERLY_AGE: i64 = 65;
    /// Age below which RC-MINOR holds.
    pub const MINOR_AGE: i64 = 18;
    /// True PD above which RC-HIGH-PD holds.
    pub const HIGH_PD: f64 = 0.30;
    /// CN cost cap for RC-COST-CAP (nominal APR).
    pub const COST_CAP: f64 = 0.24;
    /// Lenders at which DC-MANY-LENDERS holds.
    pub const MANY_LENDERS: i64 = 4;
    /// Inquiries in 30 days at which DC-MANY-INQUIRIES holds.
    pub const MANY_INQUIRIES: i64 = 5;
    /// Open exposure over monthly income above which DC-EXPOSURE-INCOME holds.
    pub const EXPOSURE_INCOME: f64 = 12.0;
    /// Days past due at grant from which DC-NEW-WHILE-DELINQUENT holds.
    pub const DELINQUENT_DPD: i64 = 30;
}

use plant_rules as pr;

/// The identity noise of the `realistic` profile: assumptions, documented in
/// `datasets/README.md`.
pub mod noise {
    /// Share of the grants of single-key borrowers made through a shop or agent terminal.
    pub const SHOP_SHARE: f64 = 0.03;
    /// Mean number of grants per terminal: the number of terminals is the expected number of
    /// terminal grants over this (none when that is below one terminal).
    pub const GRANTS_PER_SHOP: f64 = 60.0;
    /// Share of terminal grants on which the agent also enters their own phone number.
    pub const AGENT_PHONE_SHARE: f64 = 0.3;
    /// Chance that an ordinary borrower shares the phone number of the previous ordinary
    /// borrower's family (families of at most [`FAMILY_SIZE`]), on their own handset.
    pub const FAMILY_SHARE: f64 = 0.1;
    /// Most people on one family number.
    pub const FAMILY_SIZE: usize = 3;
    /// Chance that an ordinary borrower's number or handset came from an earlier borrower.
    pub const SECOND_OWNER_SHARE: f64 = 0.05;
    /// Fewest days between the earlier owner's last grant and the new owner's first.
    pub const SECOND_OWNER_GAP_DAYS: i32 = 400;
    /// Longest span, in days, of the grants of one identity ring (one person on several keys
    /// applies within months, not years).
    pub const RING_SPAN_DAYS: i32 = 300;
}

/// One generated grant: the SPEC columns and the truth.
#[derive(Debug, Clone, PartialEq)]
pub struct GenGrant {
    /// Global row index (0-based); the grant id is `G` and this number.
    pub index: u64,
    /// Product index into the world's products.
    pub product: usize,
    /// Institution index.
    pub institution: usize,
    /// Pseudonymous borrower key.
    pub borrower_key: String,
    /// Granted.
    pub granted_at: Date,
    /// Principal, fen.
    pub principal_minor: i64,
    /// Term, months.
    pub term_months: u32,
    /// Nominal APR (CN legal figure).
    pub apr: f64,
    /// Closed (None: open).
    pub closed_at: Option<Date>,
    /// Age.
    pub borrower_age: i64,
    /// Monthly income, fen.
    pub monthly_income_minor: i64,
    /// Income verified.
    pub income_verified: bool,
    /// Student.
    pub is_student: bool,
    /// Existing debt service over income, excluding this grant.
    pub dti: f64,
    /// Lenders with open credit at application, excluding this grant.
    pub active_lenders: i64,
    /// Inquiries, 30 days.
    pub inquiries_30d: i64,
    /// Inquiries, 6 months.
    pub inquiries_6m: i64,
    /// Open lines.
    pub open_lines: i64,
    /// Delinquencies, 2 years.
    pub delinquencies_2y: i64,
    /// Revolving utilisation.
    pub revolving_utilization: f64,
    /// Line increase.
    pub line_increased: bool,
    /// Days past due elsewhere at grant.
    pub dpd_at_grant: i64,
    /// Phone hash.
    pub phone_hash: String,
    /// Device hash.
    pub device_hash: String,
    /// Worst days past due.
    pub max_dpd: i64,
    /// First payment default.
    pub first_payment_default: bool,
    /// Defaulted.
    pub defaulted: bool,
    /// Truth: the real person behind the key.
    pub person_id: String,
    /// Truth: the probability of default the outcome was drawn with.
    pub true_pd: f64,
    /// Truth: codes the row meets, sorted.
    pub codes: Vec<&'static str>,
    /// Truth: grant indices this grant overlaps at the same institution (same person).
    pub concurrent_with: Vec<u64>,
    /// Truth: the borrower kind that produced it.
    pub kind: &'static str,
}

impl GenGrant {
    /// The grant id.
    pub fn grant_id(&self) -> String {
        format!("G{:010}", self.index)
    }
}

/// Fixed inputs of every chunk.
pub(super) struct ChunkContext<'a> {
    /// Seed.
    pub seed: u64,
    /// Products.
    pub products: &'a [GenProduct],
    /// Product indices by profile: careful, lax, predatory.
    pub by_profile: [Vec<usize>; 3],
    /// First grant date.
    pub start: Date,
    /// Last grant date.
    pub end: Date,
    /// As-of date: open grants run to here; nothing closes after it.
    pub as_of: Date,
    /// Whether identifiers are shared between different people.
    pub identity_noise: bool,
    /// Shop and agent terminals (0: none).
    pub shops: u64,
}

impl<'a> ChunkContext<'a> {
    /// Context over `products`.
    pub(super) fn new(
        seed: u64,
        products: &'a [GenProduct],
        start: Date,
        end: Date,
        as_of: Date,
    ) -> Self {
        let mut by_profile: [Vec<usize>; 3] = Default::default();
        for (i, p) in products.iter().enumerate() {
            let slot = match p.profile {
                Profile::Careful => 0,
                Profile::Lax => 1,
                Profile::Predatory => 2,
            };
            by_profile[slot].push(i);
        }
        Self {
            seed,
            products,
            by_profile,
            start,
            end,
            as_of,
            identity_noise: false,
            shops: 0,
        }
    }

    /// With identity noise on, for a data set of `grants` rows: one terminal per
    /// [`noise::GRANTS_PER_SHOP`] expected terminal grants, so a terminal is seen with dozens
    /// of keys.
    pub(super) fn with_identity_noise(mut self, grants: u64) -> Self {
        self.identity_noise = true;
        // Grant counts are far below 2^52: exact in f64.
        let shops = (grants as f64 * noise::SHOP_SHARE / noise::GRANTS_PER_SHOP).floor();
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the floor of a non-negative count below 2^52"
        )]
        let shops = shops as u64;
        self.shops = shops;
        self
    }

    fn pick_product(&self, rng: &mut Rng, risk: f64) -> usize {
        // Riskier borrowers end up with laxer lenders.
        let weights = if risk > 1.0 {
            [0.1, 0.45, 0.45]
        } else if risk > 0.0 {
            [0.4, 0.4, 0.2]
        } else {
            [0.65, 0.25, 0.1]
        };
        let mut u = rng.unit();
        for (slot, w) in weights.iter().enumerate() {
            if u < *w && !self.by_profile[slot].is_empty() {
                return *rng.pick(&self.by_profile[slot]);
            }
            u -= w;
        }
        rng.index(self.products.len())
    }
}

/// A borrower identity (one key) and the person behind it.
struct Borrower {
    key: String,
    person: String,
    age: i64,
    income: i64,
    student: bool,
    risk: f64,
    base_dti: f64,
    phone: String,
    device: String,
    kind: &'static str,
    /// Its phone number is a family's (shared with other people).
    family: bool,
}

/// A grant before outcomes and truth.
struct Draft {
    product: usize,
    borrower: usize,
    granted_at: Date,
    principal: i64,
    term: u32,
    active_lenders: i64,
    inquiries_30d: i64,
    dpd_at_grant: i64,
    line_increased: bool,
    ring: bool,
    /// The shop or agent terminal it was made through, and whether the agent entered their
    /// own number too.
    shop: Option<(u64, bool)>,
}

fn hex_id(prefix: &str, seed: u64, salt: u64, id: u64) -> String {
    format!("{prefix}{:016x}", mix64(seed ^ mix64(salt) ^ id))
}

/// Reusable buffers for APR computations.
#[derive(Default)]
pub(super) struct AprScratch {
    installments: Vec<Installment>,
    flows: Vec<f64>,
}

impl AprScratch {
    /// Nominal APR and first monthly payment of `terms` (NaN APR if it has none).
    fn apr_and_payment(&mut self, terms: &LoanTerms) -> (f64, i64) {
        fill_schedule(terms, &mut self.installments);
        self.flows.clear();
        self.flows
            .push((terms.principal_minor - terms.upfront_fee_minor) as f64);
        self.flows
            .extend(self.installments.iter().map(|i| -(i.payment_minor as f64)));
        let apr = irr_periodic(&self.flows)
            .map(|r| 12.0 * r)
            .unwrap_or(f64::NAN);
        let payment = self
            .installments
            .iter()
            .map(|i| i.payment_minor)
            .find(|p| *p > 0)
            .unwrap_or(0);
        (apr, payment)
    }
}

/// Loan terms of a grant of `principal` over `term` months under product `p`.
pub(super) fn grant_terms(p: &GenProduct, principal: i64, term: u32) -> LoanTerms {
    let pr = &p.product.pricing;
    LoanTerms {
        principal_minor: principal,
        term_months: term,
        repayment: pr.repayment,
        nominal_annual_rate: pr.nominal_annual_rate,
        monthly_fee_rate: pr.monthly_fee_rate,
        upfront_fee_minor: round_minor(pr.upfront_fee_rate * principal as f64),
        monthly_fixed_fee_minor: p.product.monthly_mandatory_fees_minor(),
    }
}

/// Generates exactly `count` grants for chunk `chunk`, numbered from `first_index`.
pub(super) fn generate_chunk(
    ctx: &ChunkContext<'_>,
    chunk: u64,
    first_index: u64,
    count: usize,
) -> Vec<GenGrant> {
    let mut rng = Rng::new(ctx.seed, 0x6368_756e_6b00_0000 ^ chunk);
    let mut borrowers: Vec<Borrower> = Vec::new();
    let mut drafts: Vec<Draft> = Vec::with_capacity(count + 8);
    let mut person_no: u64 = 0;
    let mut noise_state = NoiseState::default();
    let window = ctx.start.days_until(ctx.end).max(1);
    while drafts.len() < count {
        let remaining = count - drafts.len();
        let roll = rng.unit();
        let kind = if remaining < 8 || roll < 0.78 {
            "ordinary"
        } else if roll < 0.83 {
            "stacker"
        } else if roll < 0.89 {
            "many_lenders"
        } else if roll < 0.93 {
            "ring"
        } else if roll < 0.98 {
            "distressed"
        } else {
            "student"
        };
        let person = format!("H{chunk:06}-{person_no:07}");
        person_no += 1;
        let members = if kind == "ring" { rng.count(3, 5) } else { 1 };
        let first_borrower = borrowers.len();
        for m in 0..members {
            let id = (chunk << 32) | (borrowers.len() as u64);
            let student = kind == "student" || (kind == "ordinary" && rng.chance(0.02));
            let age = if student {
                if rng.chance(0.05) {
                    17
                } else {
                    rng.int(18, 23)
                }
            } else {
                round_minor((18.0 + rng.lognormal(14.0, 0.5)).min(80.0))
            };
            let income_yuan = if student {
                rng.lognormal(1_500.0, 0.5)
            } else {
                rng.lognormal(6_000.0, 0.6)
            };
            let risk = rng.normal()
                + match kind {
                    "distressed" => 1.5,
                    "many_lenders" => 0.8,
                    "ring" => 1.0,
                    "student" => 0.5,
                    _ => 0.0,
                };
            // An identity ring is one person on several keys, all applying from the person's
            // handset; half the keys also give the person's own number, the others a number
            // of their own (one or two shared identifiers).
            let (phone, device) = if kind == "ring" {
                let owner = (first_borrower as u64) | (chunk << 32);
                let phone = if m == 0 || rng.chance(0.5) {
                    hex_id("ph", ctx.seed, 1, owner)
                } else {
                    hex_id("ph", ctx.seed, 1, id)
                };
                (phone, hex_id("dv", ctx.seed, 2, owner))
            } else {
                (hex_id("ph", ctx.seed, 1, id), hex_id("dv", ctx.seed, 2, id))
            };
            borrowers.push(Borrower {
                key: hex_id("k", ctx.seed, 3, id),
                person: person.clone(),
                age,
                income: round_minor(((income_yuan / 100.0).round() * 10_000.0).max(10_000.0)),
                student,
                risk,
                base_dti: (rng.lognormal(0.15, 0.6) * (0.3 * risk).exp()).min(3.0),
                phone,
                device,
                kind,
                family: false,
            });
        }
        let mut person_drafts = plan_person(
            ctx,
            &mut rng,
            &borrowers,
            first_borrower,
            members,
            kind,
            window,
        );
        if person_drafts.len() > remaining {
            // Keep the count exact: replace this person by an ordinary single grant.
            borrowers.truncate(first_borrower + 1);
            borrowers[first_borrower].kind = "ordinary";
            person_drafts = plan_person(
                ctx,
                &mut rng,
                &borrowers,
                first_borrower,
                1,
                "ordinary",
                window,
            );
            person_drafts.truncate(1);
        }
        if ctx.identity_noise {
            share_identifiers(
                ctx,
                &mut rng,
                &mut borrowers,
                first_borrower,
                &mut person_drafts,
                &mut noise_state,
            );
        }
        drafts.extend(person_drafts);
    }
    finish(ctx, &mut rng, &borrowers, drafts, first_index)
}

/// What identity noise remembers across the persons of a chunk.
#[derive(Default)]
struct NoiseState {
    /// The latest ordinary borrower's family: its first member and its size.
    family: Option<(usize, usize)>,
    /// Ordinary borrowers whose number and handset may pass to a later borrower, with the date
    /// of their last grant, oldest first.
    donors: Vec<(usize, Date)>,
}

/// Identity noise for the person whose first key is `borrowers[first]` and whose grants are
/// `drafts`: terminal grants, a family number, or a number or handset from an earlier owner.
fn share_identifiers(
    ctx: &ChunkContext<'_>,
    rng: &mut Rng,
    borrowers: &mut [Borrower],
    first: usize,
    drafts: &mut [Draft],
    state: &mut NoiseState,
) {
    let kind = borrowers[first].kind;
    if kind == "ring" {
        return;
    }
    if ctx.shops > 0 {
        for d in drafts.iter_mut() {
            if rng.chance(noise::SHOP_SHARE) {
                let shop = rng.int(0, i64::try_from(ctx.shops - 1).unwrap_or(i64::MAX));
                d.shop = Some((shop.unsigned_abs(), rng.chance(noise::AGENT_PHONE_SHARE)));
            }
        }
    }
    if kind != "ordinary" || drafts.is_empty() {
        return;
    }
    let first_date = drafts
        .iter()
        .map(|d| d.granted_at)
        .min()
        .unwrap_or(ctx.start);
    let last_date = drafts
        .iter()
        .map(|d| d.granted_at)
        .max()
        .unwrap_or(ctx.start);
    if let Some((head, size)) = state.family
        && size < noise::FAMILY_SIZE
        && rng.chance(noise::FAMILY_SHARE)
    {
        borrowers[first].phone = borrowers[head].phone.clone();
        borrowers[first].family = true;
        borrowers[head].family = true;
        state.donors.retain(|&(b, _)| b != head);
        state.family = Some((head, size + 1));
        return;
    }
    state.family = Some((first, 1));
    if rng.chance(noise::SECOND_OWNER_SHARE)
        && let Some(k) = state.donors.iter().position(|&(b, last)| {
            !borrowers[b].family && last.add_days(noise::SECOND_OWNER_GAP_DAYS) <= first_date
        })
    {
        let (donor, _) = state.donors.remove(k);
        if rng.chance(0.5) {
            borrowers[first].phone = borrowers[donor].phone.clone();
        } else {
            borrowers[first].device = borrowers[donor].device.clone();
        }
        return;
    }
    state.donors.push((first, last_date));
}

fn product_term(rng: &mut Rng, p: &GenProduct, min_months: u32) -> u32 {
    let terms: Vec<u32> = p
        .product
        .pricing
        .term_months
        .iter()
        .map(|t| saturating_u32(*t))
        .filter(|t| *t >= min_months)
        .collect();
    if terms.is_empty() {
        p.product
            .pricing
            .term_months
            .iter()
            .map(|t| saturating_u32(*t))
            .max()
            .unwrap_or(12)
    } else {
        *rng.pick(&terms)
    }
}

fn principal_for(rng: &mut Rng, p: &GenProduct, income: i64, lo: f64, hi: f64) -> i64 {
    let l = &p.product.limits;
    let raw = income as f64 * rng.uniform(lo, hi);
    round_minor((raw / 10_000.0).round() * 10_000.0)
        .clamp(l.min_principal_minor, l.max_principal_minor)
}

fn plan_person(
    ctx: &ChunkContext<'_>,
    rng: &mut Rng,
    borrowers: &[Borrower],
    first: usize,
    members: usize,
    kind: &str,
    window: i32,
) -> Vec<Draft> {
    let mut out = Vec::new();
    let b = &borrowers[first];
    let base_draft = |product: usize, borrower: usize, at: Date, principal: i64, term: u32| Draft {
        product,
        borrower,
        granted_at: at,
        principal,
        term,
        active_lenders: 0,
        inquiries_30d: 0,
        dpd_at_grant: 0,
        line_increased: false,
        ring: false,
        shop: None,
    };
    match kind {
        "stacker" => {
            let product = ctx.pick_product(rng, b.risk);
            let p = &ctx.products[product];
            let start = ctx
                .start
                .add_days(rng.days(0, i64::from(window - 60).max(0)));
            let n = rng.int(2, 3);
            for j in 0..n {
                let at = start.add_days(saturating_i32(j * rng.int(10, 25)));
                let mut d = base_draft(
                    product,
                    first,
                    at,
                    principal_for(rng, p, b.income, 0.5, 2.0),
                    product_term(rng, p, 3),
                );
                d.active_lenders = rng.int(0, 1) + j;
                d.inquiries_30d = rng.int(1, 4);
                out.push(d);
            }
        }
        "many_lenders" => {
            let start = ctx
                .start
                .add_days(rng.days(0, i64::from(window - 60).max(0)));
            let m = rng.count(4, 7);
            let mut used: Vec<usize> = Vec::new();
            let external = rng.int(0, 1);
            for j in 0..m {
                let mut product = ctx.pick_product(rng, b.risk);
                for _ in 0..20 {
                    if !used.contains(&ctx.products[product].institution) {
                        break;
                    }
                    product = rng.index(ctx.products.len());
                }
                if used.contains(&ctx.products[product].institution) {
                    continue;
                }
                used.push(ctx.products[product].institution);
                let p = &ctx.products[product];
                let at = start.add_days(rng.days(0, 45));
                let mut d = base_draft(
                    product,
                    first,
                    at,
                    principal_for(rng, p, b.income, 1.5, 4.0),
                    product_term(rng, p, 3),
                );
                d.active_lenders = j as i64 + external;
                d.inquiries_30d = rng.int(5, 12);
                out.push(d);
            }
            out.sort_by_key(|d| d.granted_at);
            for (j, d) in out.iter_mut().enumerate() {
                d.active_lenders = j as i64 + external;
            }
        }
        "ring" => {
            let mut used: Vec<usize> = Vec::new();
            let span = noise::RING_SPAN_DAYS.min(window);
            let burst = ctx
                .start
                .add_days(rng.days(0, i64::from(window - span).max(0)));
            for m in 0..members {
                let who = first + m;
                for k in 0..rng.int(1, 2) {
                    // Every member gets a first grant, so the chain of shared phones and
                    // devices is visible in the data; lenders differ where they can.
                    let mut product = ctx.pick_product(rng, borrowers[who].risk);
                    for _ in 0..20 {
                        if !used.contains(&ctx.products[product].institution) {
                            break;
                        }
                        product = ctx.pick_product(rng, borrowers[who].risk);
                    }
                    if k > 0 && used.contains(&ctx.products[product].institution) {
                        continue;
                    }
                    used.push(ctx.products[product].institution);
                    let p = &ctx.products[product];
                    let at = burst.add_days(rng.days(0, i64::from(span)));
                    let mut d = base_draft(
                        product,
                        who,
                        at,
                        principal_for(rng, p, borrowers[who].income, 0.5, 3.0),
                        product_term(rng, p, 1),
                    );
                    d.active_lenders = rng.int(0, 2);
                    d.inquiries_30d = rng.int(0, 4);
                    d.ring = true;
                    out.push(d);
                }
            }
        }
        "distressed" => {
            let product = ctx.pick_product(rng, b.risk);
            let p = &ctx.products[product];
            let at = ctx
                .start
                .add_days(rng.days(0, i64::from(window - 90).max(0)));
            let mut first_grant = base_draft(
                product,
                first,
                at,
                principal_for(rng, p, b.income, 0.5, 2.0),
                product_term(rng, p, 3),
            );
            first_grant.dpd_at_grant = rng.int(30, 120);
            first_grant.active_lenders = rng.int(1, 3);
            first_grant.inquiries_30d = rng.int(2, 4);
            let raise_at = at.add_days(rng.days(20, 80));
            out.push(first_grant);
            if rng.chance(0.6) {
                // A line increase at the same lender while past due.
                let mut up = base_draft(
                    product,
                    first,
                    raise_at,
                    principal_for(rng, p, b.income, 0.3, 1.0),
                    product_term(rng, p, 1),
                );
                up.line_increased = true;
                up.dpd_at_grant = rng.int(1, 29);
                up.active_lenders = rng.int(1, 3);
                up.inquiries_30d = rng.int(0, 4);
                out.push(up);
            }
        }
        _ => {
            // Ordinary and student borrowers: grants one after another, never overlapping.
            let n = 1 + rng.poisson(0.4).min(3);
            let mut at = ctx.start.add_days(rng.days(0, i64::from(window)));
            for _ in 0..n {
                if at > ctx.end {
                    break;
                }
                let product = ctx.pick_product(rng, b.risk);
                let p = &ctx.products[product];
                let term = product_term(rng, p, 1);
                let mut d = base_draft(
                    product,
                    first,
                    at,
                    principal_for(rng, p, b.income, 0.2, 2.5),
                    term,
                );
                d.active_lenders = rng.int(0, 2);
                d.inquiries_30d = rng.poisson(0.6).min(4);
                d.dpd_at_grant = if rng.chance(0.04) { rng.int(1, 29) } else { 0 };
                out.push(d);
                at = at.add_months(term).add_days(rng.days(1, 120));
            }
        }
    }
    out
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn open_at(g: &GenGrant, day: Date, as_of: Date) -> bool {
    g.granted_at <= day && day < g.closed_at.unwrap_or(as_of)
}

fn overlaps(a: &GenGrant, b: &GenGrant, as_of: Date) -> bool {
    let (ea, eb) = (a.closed_at.unwrap_or(as_of), b.closed_at.unwrap_or(as_of));
    a.granted_at < eb && b.granted_at < ea
}

fn finish(
    ctx: &ChunkContext<'_>,
    rng: &mut Rng,
    borrowers: &[Borrower],
    drafts: Vec<Draft>,
    first_index: u64,
) -> Vec<GenGrant> {
    let mut scratch = AprScratch::default();
    let mut grants: Vec<GenGrant> = Vec::with_capacity(drafts.len());
    for (k, d) in drafts.into_iter().enumerate() {
        let b = &borrowers[d.borrower];
        let p = &ctx.products[d.product];
        let terms = grant_terms(p, d.principal, d.term);
        let (apr, payment) = scratch.apr_and_payment(&terms);
        let verifies = p.product.controls.verifies_income == Some(true);
        let income_verified = if verifies {
            rng.chance(0.97)
        } else {
            rng.chance(0.1)
        };
        let inquiries_6m = d.inquiries_30d + rng.poisson(1.0 + 0.5 * b.risk.max(0.0)).min(15);
        let mut dti = b.base_dti;
        // Down-tiering: a weakened grant, with a probability rising over the window, drawn
        // from a stream of its own so the other grants stay as they were.
        let mut income_verified = income_verified;
        let mut active_lenders = d.active_lenders;
        let mut age = b.age;
        if p.down_tiering {
            let mut drift = Rng::new(ctx.seed ^ 0x646f_776e_7469_6572, first_index + k as u64);
            let t = f64::from(ctx.start.days_until(d.granted_at))
                / f64::from(ctx.start.days_until(ctx.end).max(1));
            if drift.chance(super::world::DOWN_TIERING_MAX * t.clamp(0.0, 1.0)) {
                income_verified = false;
                dti += 0.3 + 0.4 * drift.unit();
                active_lenders += drift.int(3, 5);
                if drift.chance(0.5) {
                    age = drift.int(18, 22);
                }
            }
        }
        let total_dti = dti + payment as f64 / b.income as f64;
        let x = -3.2
            + 0.8 * b.risk
            + 1.0 * f64::from(u8::from(total_dti > pr::DTI_HIGH))
            + 0.7 * f64::from(u8::from(b.student))
            + 0.6 * f64::from(u8::from(active_lenders >= pr::MANY_LENDERS))
            + 1.2 * f64::from(u8::from(d.dpd_at_grant >= pr::DELINQUENT_DPD))
            + 0.3 * f64::from(u8::from(!income_verified))
            + 0.5
                * (d.principal as f64 / (6.0 * b.income as f64))
                    .ln()
                    .clamp(-2.0, 2.0)
            + if p.profile == Profile::Predatory {
                0.3
            } else {
                0.0
            };
        let true_pd = logistic(x);
        let defaulted = rng.chance(true_pd);
        let maturity = d.granted_at.add_months(d.term);
        let closed_at = if defaulted || maturity > ctx.as_of {
            None
        } else if rng.chance(0.2) && d.granted_at.days_until(maturity) > 31 {
            Some(
                d.granted_at
                    .add_days(rng.days(31, i64::from(d.granted_at.days_until(maturity)))),
            )
        } else {
            Some(maturity)
        };
        let mut g = GenGrant {
            index: first_index + k as u64,
            product: d.product,
            institution: p.institution,
            borrower_key: b.key.clone(),
            granted_at: d.granted_at,
            principal_minor: d.principal,
            term_months: d.term,
            apr,
            closed_at,
            borrower_age: age,
            monthly_income_minor: b.income,
            income_verified,
            is_student: b.student,
            dti: (dti * 1e4).round() / 1e4,
            active_lenders,
            inquiries_30d: d.inquiries_30d,
            inquiries_6m,
            open_lines: rng.poisson(2.0 + b.risk.max(0.0)).min(30) + active_lenders,
            delinquencies_2y: rng.poisson(0.15 * (0.8 * b.risk).exp()).min(20),
            revolving_utilization: (logistic(-0.5 + 0.6 * b.risk + rng.normal()) * 1e4).round()
                / 1e4,
            line_increased: d.line_increased,
            dpd_at_grant: d.dpd_at_grant,
            phone_hash: match d.shop {
                Some((shop, true)) => hex_id("ph-agent", ctx.seed, 8, shop),
                _ => b.phone.clone(),
            },
            device_hash: match d.shop {
                Some((shop, _)) => hex_id("dv-shop", ctx.seed, 7, shop),
                None => b.device.clone(),
            },
            max_dpd: if defaulted {
                rng.int(90, 360)
            } else if rng.chance(0.1) {
                rng.int(1, 29)
            } else {
                0
            },
            first_payment_default: defaulted && rng.chance(0.35),
            defaulted,
            person_id: b.person.clone(),
            true_pd,
            codes: Vec::new(),
            concurrent_with: Vec::new(),
            kind: b.kind,
        };
        // Codes that follow from the row itself.
        let mut codes: Vec<&'static str> = Vec::new();
        if g.is_student {
            codes.push("RC-STUDENT");
        }
        if g.borrower_age < pr::MINOR_AGE {
            codes.push("RC-MINOR");
        }
        if g.borrower_age > pr::ELDERLY_AGE {
            codes.push("RC-ELDERLY");
        }
        if !g.income_verified {
            codes.push("RC-INCOME-UNVERIFIED");
        }
        if total_dti > pr::DTI_HIGH {
            codes.push("RC-DTI-HIGH");
        }
        if g.principal_minor as f64 > pr::LINE_TO_INCOME * g.monthly_income_minor as f64 {
            codes.push("RC-LINE-TO-INCOME");
        }
        if g.true_pd > pr::HIGH_PD {
            codes.push("RC-HIGH-PD");
        }
        if g.apr > pr::COST_CAP {
            codes.push("RC-COST-CAP");
        }
        if g.inquiries_30d >= pr::MANY_INQUIRIES {
            codes.push("DC-MANY-INQUIRIES");
        }
        if g.dpd_at_grant >= pr::DELINQUENT_DPD {
            codes.push("DC-NEW-WHILE-DELINQUENT");
        }
        if g.line_increased && g.dpd_at_grant > 0 {
            codes.push("DC-LINE-UP-DELINQUENT");
        }
        if d.ring {
            codes.push("DC-SHARED-IDENTITY");
        }
        if d.shop.is_some() {
            codes.push("DC-IDENTIFIER-HUB");
        }
        g.codes = codes;
        grants.push(g);
    }
    person_codes(&mut grants, ctx.as_of);
    for g in &mut grants {
        g.codes.sort_unstable();
        g.codes.dedup();
    }
    grants
}

/// DC codes that depend on a person's whole timeline (all keys of the person together).
fn person_codes(grants: &mut [GenGrant], as_of: Date) {
    let mut start = 0;
    while start < grants.len() {
        let mut end = start + 1;
        while end < grants.len() && grants[end].person_id == grants[start].person_id {
            end += 1;
        }
        let person = &mut grants[start..end];
        let n = person.len();
        for i in 0..n {
            let mut concurrent = Vec::new();
            let mut institutions: Vec<usize> = Vec::new();
            let mut exposure = 0i64;
            let day = person[i].granted_at;
            for j in 0..n {
                if j != i
                    && person[j].institution == person[i].institution
                    && overlaps(&person[i], &person[j], as_of)
                {
                    concurrent.push(person[j].index);
                }
                if j == i || open_at(&person[j], day, as_of) {
                    if !institutions.contains(&person[j].institution) {
                        institutions.push(person[j].institution);
                    }
                    exposure += person[j].principal_minor;
                }
            }
            let g = &mut person[i];
            if !concurrent.is_empty() {
                g.codes.push("DC-CONCURRENT-SAME-LENDER");
                concurrent.sort_unstable();
                g.concurrent_with = concurrent;
            }
            if g.active_lenders >= pr::MANY_LENDERS || institutions.len() as i64 >= pr::MANY_LENDERS
            {
                g.codes.push("DC-MANY-LENDERS");
            }
            if exposure as f64 > pr::EXPOSURE_INCOME * g.monthly_income_minor as f64 {
                g.codes.push("DC-EXPOSURE-INCOME");
            }
        }
        start = end;
    }
}
