//! Duplicate credit across grants: one person behind many keys, and that person's timeline.
//!
//! 1. **Identifiers.** Every `phone_hash` and `device_hash` is measured on the whole input:
//!    the borrower keys seen with it and, per key, the first and last grant date it was seen
//!    on. An identifier seen with more keys than the ruleset's limit for its type
//!    (`identity.hub_keys`) is a **hub** (a shop terminal, an agent's phone, a ring): it joins
//!    no keys, and every grant that went through it gets DC-IDENTIFIER-HUB. Two keys seen with
//!    one identifier only in periods more than `identity.recycle_gap_days` apart are not joined
//!    through it (a recycled number, a resold handset).
//! 2. **Links.** Two keys that share identifiers (not hubs, within the time gap) are linked;
//!    the link's strength is the sum of `identity.link_weight` over the identifier types they
//!    share (by default a phone 1, a device 2: a link through both is 3).
//! 3. **Persons.** Keys are joined transitively (union-find with path halving) through links
//!    at least as strong as a code's `min_link_strength`: each distinct minimum among the
//!    person-aggregating codes ([`Aggregate`]) gives one resolution of the keys into persons. A
//!    person is named by the smallest key of its group, so the result does not depend on row
//!    order.
//! 4. **Timelines.** Per resolution, rows are sorted by (person, granted_at, grant_id) and each
//!    person's grants are swept in parallel (rayon over persons): a grant is open on
//!    `[granted_at, closed_at)`, or to the as-of date when `closed_at` is empty, so a grant
//!    closed on the day another opens does not overlap it. For every grant the sweep gives the
//!    other grants of the same person open at the same institution (DC-CONCURRENT-SAME-LENDER),
//!    the distinct institutions with open grants on its date (DC-MANY-LENDERS), and the open
//!    principal on its date, this grant included, against monthly income (DC-EXPOSURE-INCOME).
//!    A key joined to others gives DC-SHARED-IDENTITY, with the links (identifier, dates,
//!    strength) that joined it as evidence. The sweep allocates per chunk of persons, not per
//!    grant. O(n log n) for the sorts, linear in open grants for the sweep.
//!
//! A streamed batch feeds its chunks to a [`DcLedger`] (the compact per-grant columns the
//! analysis needs) and analyses once, so hubs and time gaps are measured on the whole input;
//! each chunk is then assessed against the analysis through a [`DcChunk`] view. One
//! [`DcAnalysis::analyse`] over a whole batch is the same thing with one chunk.

use crate::catalogue::{CodeId, CodeSet, code};
use crate::date::Date;
use crate::domain::GrantBatch;
use crate::ruleset::{IdentityRules, PerIdentifier, Ruleset};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Interning maps, hashed with foldhash (randomly seeded per process) instead of SipHash: keys,
/// phones, devices and institutions are hashed once per grant, and SipHash was 6% of a batch.
type InternMap = HashMap<Box<str>, u32, foldhash::fast::RandomState>;

/// No identifier on the row.
const NONE: u32 = u32::MAX;

/// The identifier columns that can join borrower keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Identifier {
    /// `phone_hash`.
    Phone,
    /// `device_hash`.
    Device,
}

impl Identifier {
    /// Both identifier types, in column order.
    pub const ALL: [Identifier; 2] = [Identifier::Phone, Identifier::Device];

    /// The column name.
    pub const fn column(self) -> &'static str {
        match self {
            Identifier::Phone => "phone_hash",
            Identifier::Device => "device_hash",
        }
    }

    const fn slot(self) -> usize {
        match self {
            Identifier::Phone => 0,
            Identifier::Device => 1,
        }
    }

    /// This type's value of a per-identifier ruleset setting.
    pub const fn of(self, values: &PerIdentifier) -> u32 {
        match self {
            Identifier::Phone => values.phone_hash,
            Identifier::Device => values.device_hash,
        }
    }
}

/// The duplicate-credit codes that aggregate over a person: each has its own minimum link
/// strength (`params.min_link_strength` in the ruleset), so each reads the figures of the
/// resolution made with that minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// DC-SHARED-IDENTITY: the person's keys. Its resolution is the one persons are listed by.
    SharedIdentity,
    /// DC-CONCURRENT-SAME-LENDER.
    Concurrent,
    /// DC-MANY-LENDERS (its across-grant part).
    ManyLenders,
    /// DC-EXPOSURE-INCOME.
    Exposure,
}

impl Aggregate {
    /// Every aggregating code.
    pub const ALL: [Aggregate; 4] = [
        Aggregate::SharedIdentity,
        Aggregate::Concurrent,
        Aggregate::ManyLenders,
        Aggregate::Exposure,
    ];

    /// The code.
    pub const fn code(self) -> CodeId {
        match self {
            Aggregate::SharedIdentity => code::DC_SHARED_IDENTITY,
            Aggregate::Concurrent => code::DC_CONCURRENT_SAME_LENDER,
            Aggregate::ManyLenders => code::DC_MANY_LENDERS,
            Aggregate::Exposure => code::DC_EXPOSURE_INCOME,
        }
    }

    const fn slot(self) -> usize {
        match self {
            Aggregate::SharedIdentity => 0,
            Aggregate::Concurrent => 1,
            Aggregate::ManyLenders => 2,
            Aggregate::Exposure => 3,
        }
    }
}

/// How keys are joined into persons: the ruleset's `[identity]` rules and each aggregating
/// code's minimum link strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DcSettings {
    /// Hub limits, the recycling gap and the link weights.
    pub identity: IdentityRules,
    /// Minimum link strength per [`Aggregate`] (in [`Aggregate::ALL`] order).
    pub min_link_strength: [u32; 4],
}

impl Default for DcSettings {
    /// The embedded rulesets' settings: [`IdentityRules::default`], every minimum 2 (a shared
    /// device, or a phone and a device).
    fn default() -> Self {
        Self {
            identity: IdentityRules::default(),
            min_link_strength: [2; 4],
        }
    }
}

impl DcSettings {
    /// The settings of a (validated) ruleset.
    pub fn from_ruleset(ruleset: &Ruleset) -> Self {
        let mut min_link_strength = [1; 4];
        for a in Aggregate::ALL {
            if let Some(rule) = ruleset.codes.get(a.code().as_str()) {
                // Validated: a whole number from 1 to 1,000, so the cast is exact.
                let v = rule.param(MIN_LINK_STRENGTH).clamp(1.0, 1_000.0);
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "clamped to 1..=1000, a whole number"
                )]
                let v = v as u32;
                min_link_strength[a.slot()] = v;
            }
        }
        Self {
            identity: ruleset.identity,
            min_link_strength,
        }
    }

    /// The minimum link strength of `a`.
    pub fn min_of(&self, a: Aggregate) -> u32 {
        self.min_link_strength[a.slot()]
    }
}

/// The ruleset parameter of the aggregating codes that sets their minimum link strength.
pub const MIN_LINK_STRENGTH: &str = "min_link_strength";

/// What the across-grant analysis found for one grant, in one resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DcRow {
    /// Index of the person in the resolution's persons.
    pub person: u32,
    /// Other grants of the person open at the same institution at some time of this grant.
    pub concurrent: u32,
    /// Distinct institutions with an open grant of the person on this grant's date (this one
    /// included).
    pub open_institutions: u32,
    /// Open principal of the person on this grant's date, this grant included, minor units.
    pub open_exposure_minor: i64,
}

/// One resolved person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person<'a> {
    key_ids: &'a [u32],
    names: &'a [Box<str>],
    /// Rows (analysis indices) of the person's grants, in timeline order.
    pub rows: &'a [usize],
    /// Distinct institutions the person borrowed from.
    pub institutions: usize,
    /// Largest open principal on any of the person's grant dates, minor units.
    pub peak_exposure_minor: i64,
}

impl<'a> Person<'a> {
    /// Person id: `P:` and the smallest borrower key of the group.
    pub fn id(&self) -> String {
        self.person_id().to_string()
    }

    /// Person id, printed without building the text ([`Person::id`] is its text).
    pub fn person_id(&self) -> PersonId<'a> {
        PersonId(self.keys().next().unwrap_or(""))
    }

    /// The borrower keys joined into this person, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + 'a {
        let names = self.names;
        self.key_ids.iter().map(move |&k| &*names[k as usize])
    }

    /// How many keys the person has.
    pub fn key_count(&self) -> usize {
        self.key_ids.len()
    }
}

/// Per-person figures, stored flat: ranges into the key and row orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct PersonSpan {
    keys: (usize, usize),
    rows: (usize, usize),
    institutions: usize,
    peak_exposure_minor: i64,
}

/// Strings stored end to end in one buffer: no allocation per string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TextArena {
    text: String,
    ends: Vec<usize>,
}

impl TextArena {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Distinct texts numbered in order of arrival, each stored once in a [`TextArena`] and found
/// through a table of text numbers: no allocation per distinct text and no `String` in every
/// table slot (about a third of the memory of a `HashMap<Box<str>, u32>` of the same texts).
#[derive(Clone, Default)]
struct IdTable {
    texts: TextArena,
    slots: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for IdTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTable")
            .field("texts", &self.texts.len())
            .finish()
    }
}

impl IdTable {
    fn with_capacity(n: usize) -> Self {
        Self {
            texts: TextArena {
                text: String::new(),
                ends: Vec::with_capacity(n),
            },
            slots: hashbrown::HashTable::with_capacity(n),
            hasher: Default::default(),
        }
    }

    /// The number of `s`, numbering it if it is new.
    fn id(&mut self, s: &str) -> u32 {
        use std::hash::BuildHasher;
        let hash = self.hasher.hash_one(s);
        let Self {
            texts,
            slots,
            hasher,
        } = self;
        match slots.find(hash, |&t| texts.get(t as usize) == s) {
            Some(&t) => t,
            None => {
                let t = id32(texts.len());
                texts.push(s);
                slots.insert_unique(hash, t, |&t| hasher.hash_one(texts.get(t as usize)));
                t
            }
        }
    }
}

/// A row, key, text or institution number of the analysis as the `u32` it is stored as (half
/// the memory of a `usize` on every row of millions). Every such number is below the ledger's
/// row count; a ledger past `u32::MAX` rows (over 4 billion grants, hundreds of GB of ledger)
/// is out of this engine's reach, and its numbers would saturate rather than wrap.
fn id32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..id32(n)).collect(),
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // Smaller index as root: deterministic whatever the order of unions.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

/// The first 16 bytes of `name` (zeros after its end) as a big-endian integer: ordering
/// names by it never contradicts their byte order, and only names that share their first 16
/// bytes (or differ by trailing zero bytes) tie.
fn name_prefix(name: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = name.len().min(16);
    bytes[..n].copy_from_slice(&name.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

fn intern(map: &mut InternMap, s: &str, next: impl FnOnce() -> u32) -> u32 {
    match map.get(s) {
        Some(&id) => id,
        None => {
            let id = next();
            map.insert(s.into(), id);
            id
        }
    }
}

/// An identifier seen with more borrower keys than the ruleset's limit for its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hub {
    /// Its type.
    pub identifier: Identifier,
    ident: u32,
    /// Distinct borrower keys seen with it.
    pub key_count: usize,
    institutions: Vec<u32>,
    /// First grant date it was seen on.
    pub first_seen: Date,
    /// Last grant date it was seen on.
    pub last_seen: Date,
}

/// One identifier two keys share, with the dates each key was seen with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Via {
    a: u32,
    b: u32,
    identifier: Identifier,
    ident: u32,
    a_seen: (Date, Date),
    b_seen: (Date, Date),
}

/// A link from `key` to `other`, with its strength and the identifiers behind it
/// (`vias[vias.0..vias.1]`, written from the smaller key's side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeyLink {
    key: u32,
    other: u32,
    strength: u32,
    vias: (usize, usize),
}

/// What the across-grant analysis needs of every grant, owned and compact, fed one chunk of
/// rows at a time: this is the only state a streamed batch keeps across its whole input.
///
/// Per grant it holds a key id, an institution id, a phone and a device id, the two dates, the
/// principal, the source row and the grant id (in one shared text buffer): about 60 bytes
/// plus the id's length. Keys, phones, devices and institutions are interned once each; keys
/// are joined only in [`DcLedger::analyse`], once every sighting of every identifier is known,
/// so the order in which chunks come changes nothing: it gives the same result as one call
/// over all rows.
#[derive(Debug, Clone, Default)]
pub struct DcLedger {
    key_ids: InternMap,
    identifiers: [IdTable; 2],
    institution_ids: InternMap,
    row_key: Vec<u32>,
    row_ident: [Vec<u32>; 2],
    institution: Vec<u32>,
    granted_at: Vec<Date>,
    closed_at: Vec<Option<Date>>,
    principal_minor: Vec<i64>,
    source_row: Vec<usize>,
    grant_ids: TextArena,
    latest: Option<Date>,
}

impl DcLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty ledger with room for `rows` grants, when the input says how many it holds
    /// (Parquet): the columns and the key, phone and device maps are allocated once instead of
    /// growing by doubling, each growth copying them into fresh pages.
    pub fn with_capacity(rows: usize) -> Self {
        Self {
            key_ids: InternMap::with_capacity_and_hasher(rows, Default::default()),
            identifiers: [IdTable::with_capacity(rows), IdTable::with_capacity(rows)],
            row_key: Vec::with_capacity(rows),
            row_ident: [Vec::with_capacity(rows), Vec::with_capacity(rows)],
            institution: Vec::with_capacity(rows),
            granted_at: Vec::with_capacity(rows),
            closed_at: Vec::with_capacity(rows),
            principal_minor: Vec::with_capacity(rows),
            source_row: Vec::with_capacity(rows),
            grant_ids: TextArena {
                text: String::with_capacity(rows.saturating_mul(16)),
                ends: Vec::with_capacity(rows),
            },
            ..Self::default()
        }
    }

    /// Grants added so far.
    pub fn len(&self) -> usize {
        self.row_key.len()
    }

    /// Whether no grant was added.
    pub fn is_empty(&self) -> bool {
        self.row_key.is_empty()
    }

    /// The latest date (grant or close) of the grants added so far: the default as-of date.
    pub fn latest_date(&self) -> Option<Date> {
        self.latest
    }

    /// Adds every row of `batch`, after the rows added before.
    pub fn add(&mut self, batch: &GrantBatch) {
        let n = batch.len();
        self.row_key.reserve(n);
        self.institution.reserve(n);
        for ids in &mut self.row_ident {
            ids.reserve(n);
        }
        self.granted_at.extend_from_slice(&batch.granted_at);
        self.closed_at.extend_from_slice(&batch.closed_at);
        self.principal_minor
            .extend_from_slice(&batch.principal_minor);
        self.source_row.extend_from_slice(&batch.source_row);
        for i in 0..n {
            let next = id32(self.key_ids.len());
            let k = intern(&mut self.key_ids, &batch.borrower_key[i], || next);
            self.row_key.push(k);
            let next = id32(self.institution_ids.len());
            let inst = intern(&mut self.institution_ids, &batch.institution_id[i], || next);
            self.institution.push(inst);
            self.grant_ids.push(&batch.grant_id[i]);
            for (slot, column) in [&batch.phone_hash, &batch.device_hash]
                .into_iter()
                .enumerate()
            {
                let id = column[i]
                    .as_deref()
                    .map_or(NONE, |h| self.identifiers[slot].id(h));
                self.row_ident[slot].push(id);
            }
        }
        self.latest = self.latest.max(batch.latest_date());
    }

    /// Measures identifiers, links keys, resolves persons for each minimum link strength of
    /// `settings` and sweeps their timelines, with open grants running to `as_of` (default:
    /// the latest date in the data, SPEC section 6).
    pub fn analyse(self, as_of: Option<Date>, settings: &DcSettings) -> DcAnalysis {
        let Self {
            key_ids,
            identifiers,
            institution_ids,
            row_key,
            row_ident,
            institution,
            granted_at,
            closed_at,
            principal_minor,
            source_row,
            grant_ids,
            latest,
        } = self;
        let as_of = as_of.or(latest).unwrap_or(Date::from_days_since_epoch(0));
        let mut key_names: Vec<Box<str>> = vec![Box::from(""); key_ids.len()];
        for (name, id) in key_ids {
            key_names[id as usize] = name;
        }
        let mut institution_names: Vec<Box<str>> = vec![Box::from(""); institution_ids.len()];
        for (name, id) in institution_ids {
            institution_names[id as usize] = name;
        }
        let identifier_texts = identifiers.map(|t| t.texts);

        // 1-2. Hubs and links, from every sighting of every identifier.
        let mut sightings = Sightings::default();
        for id in Identifier::ALL {
            sightings.measure(
                id,
                identifier_texts[id.slot()].len(),
                &row_ident[id.slot()],
                &row_key,
                &granted_at,
                &institution,
                &settings.identity,
            );
        }
        let (pairs, links) = sightings.link(&settings.identity);

        // 3-4. One resolution per distinct minimum strength.
        let mut minimums: Vec<u32> = settings.min_link_strength.to_vec();
        minimums.sort_unstable();
        minimums.dedup();
        let columns = Columns {
            row_key: &row_key,
            institution: &institution,
            granted_at: &granted_at,
            closed_at: &closed_at,
            principal_minor: &principal_minor,
            source_row: &source_row,
            grant_ids: &grant_ids,
            as_of,
        };
        let levels: Vec<Resolution> = minimums
            .iter()
            .map(|&min| {
                let mut uf = UnionFind::new(key_names.len());
                for &(a, b, strength) in &pairs {
                    if strength >= min {
                        uf.union(a, b);
                    }
                }
                Resolution::build(min, uf, &key_names, &columns)
            })
            .collect();
        let level_of = settings
            .min_link_strength
            .map(|m| minimums.iter().position(|&x| x == m).unwrap_or(0));
        DcAnalysis {
            as_of,
            levels,
            level_of,
            key_names,
            institution_names,
            row_key,
            row_ident,
            identifier_texts,
            hub_of: sightings.hub_of,
            hubs: sightings.hubs,
            vias: sightings.vias,
            links,
            grant_ids,
            settings: *settings,
        }
    }
}

/// Hubs and shared identifiers, found from the sightings of each identifier.
#[derive(Default)]
struct Sightings {
    hubs: Vec<Hub>,
    hub_of: [Vec<u32>; 2],
    vias: Vec<Via>,
}

impl Sightings {
    /// Measures every identifier of type `id` (`count` of them): its keys, and per key the
    /// first and last date it was seen on; a hub, or the pairs of its keys within the gap.
    #[expect(clippy::too_many_arguments, reason = "the ledger's columns, borrowed")]
    fn measure(
        &mut self,
        id: Identifier,
        count: usize,
        row_ident: &[u32],
        row_key: &[u32],
        granted_at: &[Date],
        institution: &[u32],
        rules: &IdentityRules,
    ) {
        let mut hub_of = vec![NONE; count];
        // Rows grouped by identifier with a counting sort (identifiers are numbered 0..count):
        // linear, where sorting a million sightings by comparison took a tenth of a second.
        let mut starts = vec![0u32; count + 1];
        for &x in row_ident {
            if x != NONE {
                starts[x as usize + 1] += 1;
            }
        }
        for k in 0..count {
            starts[k + 1] += starts[k];
        }
        let mut next = starts.clone();
        let mut grouped = vec![0u32; starts[count] as usize];
        for (r, &x) in row_ident.iter().enumerate() {
            if x != NONE {
                grouped[next[x as usize] as usize] = id32(r);
                next[x as usize] += 1;
            }
        }
        drop(next);
        let limit = id.of(&rules.hub_keys) as usize;
        let gap = i64::from(rules.recycle_gap_days);
        let links = id.of(&rules.link_weight) > 0;
        // One identifier's sightings as (key, date), sorted; its keys with first and last date.
        let mut sightings: Vec<(u32, Date)> = Vec::new();
        let mut keys: Vec<(u32, Date, Date)> = Vec::new();
        for ident in 0..count {
            let rows = &grouped[starts[ident] as usize..starts[ident + 1] as usize];
            // One sighting, or one key seen several times: nothing to join, never a hub
            // (a limit is at least one key).
            let key0 = rows.first().map(|&r| row_key[r as usize]);
            if rows.iter().all(|&r| Some(row_key[r as usize]) == key0) {
                continue;
            }
            sightings.clear();
            sightings.extend(
                rows.iter()
                    .map(|&r| (row_key[r as usize], granted_at[r as usize])),
            );
            sightings.sort_unstable();
            keys.clear();
            for &(key, day) in &sightings {
                match keys.last_mut() {
                    Some(k) if k.0 == key => k.2 = day,
                    _ => keys.push((key, day, day)),
                }
            }
            let ident = id32(ident);
            if keys.len() > limit {
                let mut institutions: Vec<u32> =
                    rows.iter().map(|&r| institution[r as usize]).collect();
                institutions.sort_unstable();
                institutions.dedup();
                hub_of[ident as usize] = id32(self.hubs.len());
                let days = sightings.iter().map(|s| s.1);
                self.hubs.push(Hub {
                    identifier: id,
                    ident,
                    key_count: keys.len(),
                    institutions,
                    first_seen: days.clone().min().unwrap_or(sightings[0].1),
                    last_seen: days.max().unwrap_or(sightings[0].1),
                });
            } else if links {
                for (x, &(ka, fa, la)) in keys.iter().enumerate() {
                    for &(kb, fb, lb) in &keys[x + 1..] {
                        let apart = i64::from(la.days_until(fb).max(lb.days_until(fa)));
                        if apart <= gap {
                            let (a, b, a_seen, b_seen) = if ka < kb {
                                (ka, kb, (fa, la), (fb, lb))
                            } else {
                                (kb, ka, (fb, lb), (fa, la))
                            };
                            self.vias.push(Via {
                                a,
                                b,
                                identifier: id,
                                ident,
                                a_seen,
                                b_seen,
                            });
                        }
                    }
                }
            }
        }
        self.hub_of[id.slot()] = hub_of;
    }

    /// The linked key pairs `(a, b, strength)` with `a < b`, and the links of every key
    /// (both directions, sorted by key then other key).
    fn link(&mut self, rules: &IdentityRules) -> (Vec<(u32, u32, u32)>, Vec<KeyLink>) {
        self.vias.sort_unstable();
        let mut pairs = Vec::new();
        let mut links = Vec::new();
        let mut g = 0;
        while g < self.vias.len() {
            let (a, b) = (self.vias[g].a, self.vias[g].b);
            let mut h = g;
            let mut types = [false; 2];
            while h < self.vias.len() && (self.vias[h].a, self.vias[h].b) == (a, b) {
                types[self.vias[h].identifier.slot()] = true;
                h += 1;
            }
            let strength: u32 = Identifier::ALL
                .iter()
                .filter(|id| types[id.slot()])
                .map(|id| id.of(&rules.link_weight))
                .sum();
            pairs.push((a, b, strength));
            for (key, other) in [(a, b), (b, a)] {
                links.push(KeyLink {
                    key,
                    other,
                    strength,
                    vias: (g, h),
                });
            }
            g = h;
        }
        links.sort_unstable_by_key(|l| (l.key, l.other));
        (pairs, links)
    }
}

/// The ledger's columns, borrowed by every resolution.
struct Columns<'a> {
    row_key: &'a [u32],
    institution: &'a [u32],
    granted_at: &'a [Date],
    closed_at: &'a [Option<Date>],
    principal_minor: &'a [i64],
    source_row: &'a [usize],
    grant_ids: &'a TextArena,
    as_of: Date,
}

/// The persons of one minimum link strength and their timelines.
#[derive(Debug, Clone, PartialEq)]
struct Resolution {
    min_strength: u32,
    /// One entry per analysed row (rows in the order they were added).
    rows: Vec<DcRow>,
    /// Key ids grouped by person (each group sorted by name, groups ordered by their smallest
    /// key).
    keys: Vec<u32>,
    /// Rows grouped by person, each group in timeline order.
    order: Vec<usize>,
    spans: Vec<PersonSpan>,
    /// Concurrent partners: `partners[offsets[i]..offsets[i + 1]]` are the rows that overlap row
    /// `i` at the same institution, sorted by grant id.
    partners: Vec<u32>,
    offsets: Vec<usize>,
}

impl Resolution {
    fn build(
        min_strength: u32,
        mut uf: UnionFind,
        key_names: &[Box<str>],
        c: &Columns<'_>,
    ) -> Self {
        let n = c.row_key.len();
        let (institution, granted_at, closed_at, principal_minor, grant_ids, as_of) = (
            c.institution,
            c.granted_at,
            c.closed_at,
            c.principal_minor,
            c.grant_ids,
            c.as_of,
        );
        // Keys grouped by root, each group sorted by name, groups ordered by their smallest key.
        let roots: Vec<u32> = (0..id32(key_names.len())).map(|k| uf.find(k)).collect();
        drop(uf);
        let mut by_root: Vec<u32> = (0..id32(key_names.len())).collect();
        by_root.par_sort_unstable_by(|&a, &b| {
            (roots[a as usize], &key_names[a as usize])
                .cmp(&(roots[b as usize], &key_names[b as usize]))
        });
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut g = 0;
        while g < by_root.len() {
            let r = roots[by_root[g] as usize];
            let mut h = g + 1;
            while h < by_root.len() && roots[by_root[h] as usize] == r {
                h += 1;
            }
            groups.push((g, h));
            g = h;
        }
        drop(roots);
        // By smallest key name, compared first as the name's first 16 bytes in one integer
        // held beside the group (no pointer to follow), the whole names only on a tie.
        let smallest = |g: &(usize, usize)| &*key_names[by_root[g.0] as usize];
        let mut ranked: Vec<(u128, u32)> = groups
            .iter()
            .enumerate()
            .map(|(gi, g)| (name_prefix(smallest(g)), id32(gi)))
            .collect();
        ranked.par_sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| smallest(&groups[a.1 as usize]).cmp(smallest(&groups[b.1 as usize])))
        });
        let groups: Vec<(usize, usize)> = ranked.iter().map(|r| groups[r.1 as usize]).collect();
        drop(ranked);
        let mut keys: Vec<u32> = Vec::with_capacity(by_root.len());
        let mut person_of_key: Vec<u32> = vec![0; key_names.len()];
        let mut spans: Vec<PersonSpan> = Vec::with_capacity(groups.len());
        for (p, &(lo, hi)) in groups.iter().enumerate() {
            let from = keys.len();
            for &k in &by_root[lo..hi] {
                keys.push(k);
                person_of_key[k as usize] = id32(p);
            }
            spans.push(PersonSpan {
                keys: (from, keys.len()),
                ..PersonSpan::default()
            });
        }
        drop((by_root, groups));

        // 2. Timelines: rows by (person, granted_at, grant_id, source row).
        let person_of_row: Vec<u32> = c
            .row_key
            .iter()
            .map(|k| person_of_key[*k as usize])
            .collect();
        drop(person_of_key);
        let source_row = c.source_row;
        let mut order: Vec<usize> = (0..n).collect();
        // The grant ids (text) are compared only on a tie of person and date: building the
        // whole tuple for every comparison read both ids each time.
        order.par_sort_unstable_by(|&a, &b| {
            (person_of_row[a], granted_at[a])
                .cmp(&(person_of_row[b], granted_at[b]))
                .then_with(|| grant_ids.get(a).cmp(grant_ids.get(b)))
                .then_with(|| source_row[a].cmp(&source_row[b]))
        });
        let mut start = 0;
        while start < n {
            let p = person_of_row[order[start]] as usize;
            let mut end = start + 1;
            while end < n && person_of_row[order[end]] as usize == p {
                end += 1;
            }
            spans[p].rows = (start, end);
            start = end;
        }
        let end_of = |i: usize| closed_at[i].unwrap_or(as_of);
        let sweep_person = |buf: &mut Sweep, rows: &[usize]| {
            buf.active.clear();
            buf.all.clear();
            let mut peak = 0i64;
            for (pos, &i) in rows.iter().enumerate() {
                let t = granted_at[i];
                buf.active.retain(|&a| end_of(a) > t);
                // Open on date t: the active grants, this one, and later ones granted the same day.
                buf.seen.clear();
                let mut exposure = 0i64;
                let same_day = rows[pos..].iter().take_while(|&&j| granted_at[j] == t);
                for &j in buf.active.iter().chain(same_day) {
                    if end_of(j) > t || j == i {
                        if !buf.seen.contains(&institution[j]) {
                            buf.seen.push(institution[j]);
                        }
                        exposure += principal_minor[j];
                    }
                }
                if end_of(i) > t {
                    for &a in &buf.active {
                        if institution[a] == institution[i] {
                            buf.pairs.push((id32(i), id32(a)));
                            buf.pairs.push((id32(a), id32(i)));
                        }
                    }
                }
                if !buf.all.contains(&institution[i]) {
                    buf.all.push(institution[i]);
                }
                peak = peak.max(exposure);
                let open_institutions = id32(buf.seen.len());
                buf.rows.push((
                    i,
                    DcRow {
                        person: person_of_row[i],
                        concurrent: 0,
                        open_institutions,
                        open_exposure_minor: exposure,
                    },
                ));
                if end_of(i) > t {
                    buf.active.push(i);
                }
            }
            buf.stats.push((buf.all.len(), peak));
        };
        let swept: Vec<Sweep> = spans
            .par_chunks(PERSONS_PER_TASK)
            .map(|chunk| {
                let mut buf = Sweep::default();
                for span in chunk {
                    sweep_person(&mut buf, &order[span.rows.0..span.rows.1]);
                }
                buf
            })
            .collect();

        let mut dc_rows = vec![DcRow::default(); n];
        let mut all_pairs: Vec<(u32, u32)> = Vec::new();
        let mut p = 0;
        for buf in swept {
            for (i, r) in buf.rows {
                dc_rows[i] = r;
            }
            for (institutions, peak) in buf.stats {
                spans[p].institutions = institutions;
                spans[p].peak_exposure_minor = peak;
                p += 1;
            }
            all_pairs.extend(buf.pairs);
        }
        all_pairs.par_sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| grant_ids.get(a.1 as usize).cmp(grant_ids.get(b.1 as usize)))
        });
        all_pairs.dedup();
        let mut offsets = vec![0usize; n + 1];
        for (row, _) in &all_pairs {
            offsets[*row as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
            dc_rows[i].concurrent = id32(offsets[i + 1] - offsets[i]);
        }
        let partners = all_pairs.into_iter().map(|(_, b)| b).collect();
        Resolution {
            min_strength,
            rows: dc_rows,
            keys,
            order,
            spans,
            partners,
            offsets,
        }
    }
}

/// The analysis of every grant fed to a [`DcLedger`] (or of one batch): owns what its
/// findings' evidence needs (keys, identifiers, grant ids), so it outlives the batches it was
/// built from.
#[derive(Debug, Clone, PartialEq)]
pub struct DcAnalysis {
    /// The as-of date open grants run to.
    pub as_of: Date,
    /// One resolution per distinct minimum link strength, ascending.
    levels: Vec<Resolution>,
    /// The resolution of each [`Aggregate`].
    level_of: [usize; 4],
    key_names: Vec<Box<str>>,
    institution_names: Vec<Box<str>>,
    row_key: Vec<u32>,
    row_ident: [Vec<u32>; 2],
    identifier_texts: [TextArena; 2],
    hub_of: [Vec<u32>; 2],
    hubs: Vec<Hub>,
    vias: Vec<Via>,
    links: Vec<KeyLink>,
    grant_ids: TextArena,
    settings: DcSettings,
}

/// Buffers one worker reuses across persons: the sweep allocates per chunk of persons, never
/// per grant or per person.
#[derive(Default)]
struct Sweep {
    active: Vec<usize>,
    seen: Vec<u32>,
    all: Vec<u32>,
    rows: Vec<(usize, DcRow)>,
    pairs: Vec<(u32, u32)>,
    stats: Vec<(usize, i64)>,
}

/// Persons per rayon task.
const PERSONS_PER_TASK: usize = 4_096;

/// Most links, hubs or keys one finding's evidence lists.
const EVIDENCE_LIST: usize = 20;

/// The analysis seen from one chunk of its rows: chunk row `i` is analysis row `first + i`.
#[derive(Debug, Clone, Copy)]
pub struct DcChunk<'d> {
    /// The whole analysis.
    pub analysis: &'d DcAnalysis,
    /// Analysis row of the chunk's first row.
    pub first: usize,
}

impl<'d> DcChunk<'d> {
    /// The figures of chunk row `i` in the resolution persons are listed by (DC-SHARED-IDENTITY's).
    pub fn row(&self, i: usize) -> DcRow {
        self.analysis.row(self.first + i)
    }

    /// The figures of chunk row `i` in the resolution of `a`.
    pub fn row_for(&self, a: Aggregate, i: usize) -> DcRow {
        self.analysis.row_for(a, self.first + i)
    }

    /// Analysis rows overlapping chunk row `i` at the same institution (in
    /// DC-CONCURRENT-SAME-LENDER's resolution).
    pub fn partners(&self, i: usize) -> &'d [u32] {
        self.analysis.partners(self.first + i)
    }

    /// The person of chunk row `i`.
    pub fn person_of(&self, i: usize) -> Person<'d> {
        self.analysis.person_of(self.first + i)
    }

    /// The hubs chunk row `i` went through (phone first).
    pub fn hubs_of(&self, i: usize) -> impl Iterator<Item = &'d Hub> + 'd {
        self.analysis.hubs_of(self.first + i)
    }
}

impl DcAnalysis {
    /// Analyses `batch` with open grants running to `as_of` (default: the latest date in the
    /// data, SPEC section 6). The same as a [`DcLedger`] fed `batch` alone.
    pub fn analyse(batch: &GrantBatch, as_of: Option<Date>, settings: &DcSettings) -> Self {
        let mut ledger = DcLedger::new();
        ledger.add(batch);
        ledger.analyse(as_of, settings)
    }

    /// The analysis seen from a chunk whose first row is analysis row `first`.
    pub fn chunk(&self, first: usize) -> DcChunk<'_> {
        DcChunk {
            analysis: self,
            first,
        }
    }

    /// The analysis seen from the batch it was built from.
    pub fn whole(&self) -> DcChunk<'_> {
        self.chunk(0)
    }

    /// The settings the analysis was made with.
    pub fn settings(&self) -> &DcSettings {
        &self.settings
    }

    /// Number of analysed rows.
    pub fn len(&self) -> usize {
        self.row_key.len()
    }

    /// Whether no row was analysed.
    pub fn is_empty(&self) -> bool {
        self.row_key.is_empty()
    }

    fn level(&self, a: Aggregate) -> &Resolution {
        &self.levels[self.level_of[a.slot()]]
    }

    fn primary(&self) -> &Resolution {
        self.level(Aggregate::SharedIdentity)
    }

    /// The grant id of analysis row `i`.
    pub fn grant_id(&self, i: usize) -> &str {
        self.grant_ids.get(i)
    }

    /// The figures of row `i` in the resolution persons are listed by (DC-SHARED-IDENTITY's).
    pub fn row(&self, i: usize) -> DcRow {
        self.primary().rows[i]
    }

    /// The figures of row `i` in the resolution of `a`.
    pub fn row_for(&self, a: Aggregate, i: usize) -> DcRow {
        self.level(a).rows[i]
    }

    /// The rows overlapping row `i` at the same institution (in DC-CONCURRENT-SAME-LENDER's
    /// resolution), sorted by grant id.
    pub fn partners(&self, i: usize) -> &[u32] {
        let level = self.level(Aggregate::Concurrent);
        &level.partners[level.offsets[i]..level.offsets[i + 1]]
    }

    /// Number of persons (in the resolution persons are listed by).
    pub fn person_count(&self) -> usize {
        self.primary().spans.len()
    }

    fn person_at<'a>(&'a self, level: &'a Resolution, p: usize) -> Person<'a> {
        let s = level.spans[p];
        Person {
            key_ids: &level.keys[s.keys.0..s.keys.1],
            names: &self.key_names,
            rows: &level.order[s.rows.0..s.rows.1],
            institutions: s.institutions,
            peak_exposure_minor: s.peak_exposure_minor,
        }
    }

    /// Person `p` (in id order).
    pub fn person(&self, p: usize) -> Person<'_> {
        self.person_at(self.primary(), p)
    }

    /// Every person, in id order.
    pub fn persons(&self) -> impl Iterator<Item = Person<'_>> + '_ {
        (0..self.person_count()).map(|p| self.person(p))
    }

    /// The person of row `i`.
    pub fn person_of(&self, i: usize) -> Person<'_> {
        self.person(self.row(i).person as usize)
    }

    /// The person of row `i` in the resolution of `a`.
    pub fn person_for(&self, a: Aggregate, i: usize) -> Person<'_> {
        let level = self.level(a);
        self.person_at(level, level.rows[i].person as usize)
    }

    /// Every hub of the input, by identifier type then identifier.
    pub fn hubs(&self) -> &[Hub] {
        &self.hubs
    }

    /// The hubs row `i` went through (phone first).
    pub fn hubs_of(&self, i: usize) -> impl Iterator<Item = &Hub> + '_ {
        Identifier::ALL.into_iter().filter_map(move |id| {
            let ident = self.row_ident[id.slot()][i];
            let hub = *self.hub_of[id.slot()].get(ident as usize)?;
            self.hubs.get(hub as usize)
        })
    }

    /// The identifier text of a hub (a pseudonymous hash, as in the input).
    pub fn hub_value(&self, hub: &Hub) -> &str {
        self.identifier_texts[hub.identifier.slot()].get(hub.ident as usize)
    }

    /// The institutions seen with a hub, sorted (at most `limit`).
    pub fn hub_institutions(&self, hub: &Hub, limit: usize) -> Vec<&str> {
        let mut names: Vec<&str> = hub
            .institutions
            .iter()
            .map(|&k| &*self.institution_names[k as usize])
            .collect();
        names.sort_unstable();
        names.truncate(limit);
        names
    }

    /// The evidence of DC-IDENTIFIER-HUB for row `i`: every hub it went through, with its key
    /// count, the ruleset's limit, its institutions and the dates it was seen on; `None` when
    /// the row went through none.
    pub fn hub_evidence(&self, i: usize) -> Option<Value> {
        let hubs: Vec<Value> = self
            .hubs_of(i)
            .map(|h| {
                json!({
                    "identifier": h.identifier.column(),
                    "value": self.hub_value(h),
                    "key_count": h.key_count,
                    "hub_keys_limit": h.identifier.of(&self.settings.identity.hub_keys),
                    "institution_count": h.institutions.len(),
                    "institutions": self.hub_institutions(h, EVIDENCE_LIST),
                    "first_seen": h.first_seen,
                    "last_seen": h.last_seen,
                })
            })
            .collect();
        (!hubs.is_empty()).then(|| json!({ "hubs": hubs }))
    }

    /// The links of row `i`'s key that joined it to other keys in the resolution of `a`: the
    /// other key, the link's strength, and each identifier they share with the dates each key
    /// was seen with it (at most 20 links, by the other key's name).
    pub fn links_of(&self, a: Aggregate, i: usize) -> Vec<LinkEvidence<'_>> {
        let key = self.row_key[i];
        let min = self.level(a).min_strength;
        let from = self.links.partition_point(|l| l.key < key);
        // By the other key's name and the identifiers' type and text: ids follow the input's
        // row order, names do not.
        let mut links: Vec<&KeyLink> = self.links[from..]
            .iter()
            .take_while(|l| l.key == key)
            .filter(|l| l.strength >= min)
            .collect();
        links.sort_unstable_by_key(|l| &self.key_names[l.other as usize]);
        links
            .into_iter()
            .take(EVIDENCE_LIST)
            .map(|l| {
                let mut via: Vec<ViaEvidence<'_>> = self.vias[l.vias.0..l.vias.1]
                    .iter()
                    .map(|v| {
                        let value =
                            self.identifier_texts[v.identifier.slot()].get(v.ident as usize);
                        let (mine, theirs) = if v.a == key {
                            (v.a_seen, v.b_seen)
                        } else {
                            (v.b_seen, v.a_seen)
                        };
                        ViaEvidence {
                            identifier: v.identifier,
                            value,
                            key_seen: [mine.0, mine.1],
                            other_seen: [theirs.0, theirs.1],
                        }
                    })
                    .collect();
                via.sort_unstable_by_key(|v| (v.identifier, v.value, v.key_seen, v.other_seen));
                LinkEvidence {
                    key: &self.key_names[l.other as usize],
                    strength: l.strength,
                    via,
                }
            })
            .collect()
    }

    /// The evidence of DC-SHARED-IDENTITY for row `i`: the person, its keys, the minimum link
    /// strength and the links that joined the row's key; `None` when the key stands alone.
    /// Borrowed from the analysis: a batch prints it straight into its output.
    pub fn shared_identity(&self, i: usize) -> Option<SharedIdentityEvidence<'_>> {
        let a = Aggregate::SharedIdentity;
        let person = self.person_for(a, i);
        (person.key_count() > 1).then(|| SharedIdentityEvidence {
            key: &self.key_names[self.row_key[i] as usize],
            key_count: person.key_count(),
            keys: person.keys().take(EVIDENCE_LIST).collect(),
            links: self.links_of(a, i),
            min_link_strength: self.settings.min_of(a),
            person_id: person.person_id(),
        })
    }

    /// [`DcAnalysis::shared_identity`] as a JSON value.
    pub fn shared_identity_evidence(&self, i: usize) -> Option<Value> {
        self.shared_identity(i)
            .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
    }
}

/// The evidence of DC-SHARED-IDENTITY of one grant, borrowed from the analysis. Its fields are
/// in key order, so that its JSON text is the text of its JSON value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedIdentityEvidence<'a> {
    /// The grant's borrower key.
    pub key: &'a str,
    /// How many keys the person has.
    pub key_count: usize,
    /// The person's keys, sorted (at most 20).
    pub keys: Vec<&'a str>,
    /// The links that joined the grant's key to others (at most 20, by the other key).
    pub links: Vec<LinkEvidence<'a>>,
    /// The minimum link strength that joins keys for this code.
    pub min_link_strength: u32,
    /// The person's id.
    pub person_id: PersonId<'a>,
}

/// A person's id, `P:` and its smallest key, printed without building the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonId<'a>(pub &'a str);

impl std::fmt::Display for PersonId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P:")?;
        f.write_str(self.0)
    }
}

impl Serialize for PersonId<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One link of a key to another, as DC-SHARED-IDENTITY's evidence shows it (fields in key
/// order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkEvidence<'a> {
    /// The other key.
    pub key: &'a str,
    /// The link's strength (the sum of the shared identifier types' weights).
    pub strength: u32,
    /// The identifiers the two keys share, by type, text and dates.
    pub via: Vec<ViaEvidence<'a>>,
}

/// One identifier two keys share, with the dates each was seen with it (fields in key order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViaEvidence<'a> {
    /// The identifier's type, printed as its column's name.
    #[serde(serialize_with = "identifier_column")]
    pub identifier: Identifier,
    /// First and last grant date the row's key was seen with it.
    pub key_seen: [Date; 2],
    /// First and last grant date the other key was seen with it.
    pub other_seen: [Date; 2],
    /// The identifier's text.
    pub value: &'a str,
}

fn identifier_column<S: serde::Serializer>(id: &Identifier, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(id.column())
}

/// The finding codes of each person's grants, gathered chunk by chunk: one bit per catalogue
/// code per person, so a streamed batch keeps 8 bytes per person, not the codes of every grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCodes {
    codes: Vec<CodeSet>,
}

impl PersonCodes {
    /// No codes yet for any of the analysis's persons.
    pub fn new(dc: &DcAnalysis) -> Self {
        Self {
            codes: vec![CodeSet::empty(); dc.person_count()],
        }
    }

    /// Adds the codes of a chunk's assessed rows (`rows[k].index` is a chunk row of `dc`).
    pub fn add(&mut self, dc: DcChunk<'_>, rows: &[crate::index::GrantRow]) {
        for r in rows {
            let person = dc.row(r.index).person as usize;
            self.codes[person] |= r.codes;
        }
    }

    /// The codes of person `p`'s grants, sorted and `;`-joined.
    pub fn codes(&self, p: usize) -> String {
        let set = self.codes.get(p).copied().unwrap_or_default();
        let mut codes: Vec<&str> = set.iter().map(CodeId::as_str).collect();
        codes.sort_unstable();
        codes.join(";")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GrantRecord;
    use proptest::prelude::*;
    use serde_json::json;

    fn d(s: &str) -> Option<Date> {
        Date::parse(s).ok()
    }

    fn g(
        id: &str,
        inst: &str,
        key: &str,
        from: &str,
        to: Option<&str>,
        principal: i64,
    ) -> GrantRecord {
        GrantRecord {
            grant_id: id.into(),
            institution_id: inst.into(),
            product_id: "P".into(),
            borrower_key: key.into(),
            granted_at: d(from),
            closed_at: to.and_then(d),
            principal_minor: principal,
            term_months: 12,
            apr: 0.1,
            monthly_income_minor: Some(100_000),
            ..GrantRecord::default()
        }
    }

    fn batch(rows: Vec<GrantRecord>) -> GrantBatch {
        let mut b = GrantBatch::default();
        for (i, r) in rows.into_iter().enumerate() {
            b.push(i + 1, r).unwrap();
        }
        b
    }

    /// Settings that join keys through any shared phone or device (weights 1, minimum 1).
    fn any_link() -> DcSettings {
        let mut s = DcSettings::default();
        s.identity.link_weight.device_hash = 1;
        s.min_link_strength = [1; 4];
        s
    }

    fn with_ids(mut r: GrantRecord, phone: Option<&str>, device: Option<&str>) -> GrantRecord {
        r.phone_hash = phone.map(str::to_string);
        r.device_hash = device.map(str::to_string);
        r
    }

    fn codes_of(a: &DcAnalysis, b: &GrantBatch, i: usize) -> Vec<&'static str> {
        let ruleset = crate::Ruleset::embedded(crate::domain::Jurisdiction::Cn).unwrap();
        let rules = crate::assess::GrantRules::new(&ruleset, None);
        rules
            .evaluate_dc(b, i, a.whole())
            .into_iter()
            .map(|(c, _)| c.as_str())
            .collect()
    }

    #[test]
    fn a_shop_terminal_is_a_hub_and_joins_nobody() {
        // 300 unrelated borrowers, one grant each at twenty lenders, all through one shop
        // terminal: no one is joined, every grant gets DC-IDENTIFIER-HUB and nothing else.
        let rows: Vec<GrantRecord> = (0..300)
            .map(|k| {
                let r = g(
                    &format!("G{k:03}"),
                    &format!("L{:02}", k % 20),
                    &format!("k{k:03}"),
                    "2024-01-01",
                    None,
                    500_000,
                );
                with_ids(r, Some(&format!("ph{k}")), Some("shop-terminal"))
            })
            .collect();
        let b = batch(rows);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &DcSettings::default());
        assert_eq!(a.person_count(), 300);
        assert_eq!(a.hubs().len(), 1);
        let hub = &a.hubs()[0];
        assert_eq!((hub.identifier, hub.key_count), (Identifier::Device, 300));
        for i in 0..b.len() {
            assert_eq!(codes_of(&a, &b, i), ["DC-IDENTIFIER-HUB"], "row {i}");
            let r = a.row(i);
            assert_eq!((r.concurrent, r.open_institutions), (0, 1));
        }
        let ev = a.hub_evidence(0).unwrap();
        let h = &ev["hubs"][0];
        assert_eq!(h["identifier"], "device_hash");
        assert_eq!(h["value"], "shop-terminal");
        assert_eq!(h["key_count"], 300);
        assert_eq!(h["hub_keys_limit"], 5);
        assert_eq!(h["institution_count"], 20);
        assert_eq!(h["institutions"].as_array().unwrap().len(), 20);
        assert_eq!(h["first_seen"], "2024-01-01");
        // Five keys on one device are not a hub (the limit is "more than 5").
        let five = batch(
            (0..5)
                .map(|k| {
                    with_ids(
                        g(
                            &format!("G{k}"),
                            "A",
                            &format!("k{k}"),
                            "2024-01-01",
                            None,
                            1,
                        ),
                        None,
                        Some("dv"),
                    )
                })
                .collect(),
        );
        let a = DcAnalysis::analyse(&five, d("2024-12-31"), &DcSettings::default());
        assert!(a.hubs().is_empty());
        assert_eq!(a.person_count(), 1);
    }

    #[test]
    fn a_hub_is_measured_on_the_whole_input_not_per_chunk() {
        let rows: Vec<GrantRecord> = (0..12)
            .map(|k| {
                let r = g(
                    &format!("G{k:02}"),
                    "A",
                    &format!("k{k:02}"),
                    "2024-01-01",
                    None,
                    100,
                );
                with_ids(r, None, Some("agent-phone"))
            })
            .collect();
        let mut ledger = DcLedger::new();
        // Chunks of three: no chunk alone has more than five keys on the device.
        for part in rows.chunks(3) {
            ledger.add(&batch(part.to_vec()));
        }
        let a = ledger.analyse(d("2024-12-31"), &DcSettings::default());
        assert_eq!(a.hubs().len(), 1);
        assert_eq!(a.hubs()[0].key_count, 12);
        assert_eq!(a.person_count(), 12);
        assert!((0..12).all(|i| a.hubs_of(i).count() == 1));
    }

    #[test]
    fn a_family_phone_alone_does_not_join_by_default() {
        // Three family members share a phone number, each on their own handset.
        let rows = vec![
            with_ids(
                g("G1", "A", "mother", "2024-01-01", None, 900_000),
                Some("family"),
                Some("dv-m"),
            ),
            with_ids(
                g("G2", "A", "father", "2024-02-01", None, 900_000),
                Some("family"),
                Some("dv-f"),
            ),
            with_ids(
                g("G3", "B", "son", "2024-03-01", None, 900_000),
                Some("family"),
                Some("dv-s"),
            ),
        ];
        let b = batch(rows);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &DcSettings::default());
        assert_eq!(a.person_count(), 3);
        for i in 0..3 {
            assert!(
                codes_of(&a, &b, i).is_empty(),
                "row {i}: {:?}",
                codes_of(&a, &b, i)
            );
        }
        // With the phone enough (minimum strength 1), they are one person, shown with the link.
        let loose = DcSettings {
            min_link_strength: [1; 4],
            ..DcSettings::default()
        };
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &loose);
        assert_eq!(a.person_count(), 1);
        assert_eq!(a.row(1).concurrent, 1);
        let ev = a.shared_identity_evidence(0).unwrap();
        // The batch prints the borrowed evidence: the same text as its value's.
        let mut text = Vec::new();
        crate::evidence::Evidence::SharedIdentity(a.shared_identity(0).unwrap())
            .write_json(&mut text);
        assert_eq!(String::from_utf8(text).unwrap(), ev.to_string());
        assert_eq!(ev["person_id"], "P:father");
        assert_eq!(ev["keys"], json!(["father", "mother", "son"]));
        assert_eq!(ev["key"], "mother");
        assert_eq!(ev["key_count"], 3);
        assert_eq!(ev["min_link_strength"], 1);
        let links = ev["links"].as_array().unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(links[0]["key"], "father");
        assert_eq!(links[0]["strength"], 1);
        assert_eq!(links[0]["via"][0]["identifier"], "phone_hash");
        assert_eq!(links[0]["via"][0]["value"], "family");
        assert_eq!(
            links[0]["via"][0]["key_seen"],
            json!(["2024-01-01", "2024-01-01"])
        );
        assert_eq!(
            links[0]["via"][0]["other_seen"],
            json!(["2024-02-01", "2024-02-01"])
        );
    }

    #[test]
    fn a_recycled_number_and_a_resold_handset_do_not_join_across_the_gap() {
        // The first owner used the number and the handset in 2022; the second from 2024-03,
        // 400 days after.
        let rows = vec![
            with_ids(
                g("G1", "A", "first", "2022-01-10", Some("2022-06-01"), 100),
                Some("ph"),
                Some("dv"),
            ),
            with_ids(
                g("G2", "B", "first", "2023-02-01", Some("2023-03-01"), 100),
                Some("ph"),
                Some("dv"),
            ),
            with_ids(
                g("G3", "A", "second", "2024-03-07", None, 100),
                Some("ph"),
                Some("dv"),
            ),
        ];
        let b = batch(rows);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &DcSettings::default());
        assert_eq!(a.person_count(), 2);
        assert!(codes_of(&a, &b, 2).is_empty());
        // 399 days apart is within a 400-day gap: joined, through both (strength 3).
        let mut wide = DcSettings::default();
        wide.identity.recycle_gap_days = 400;
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &wide);
        assert_eq!(a.person_count(), 1);
        let ev = a.shared_identity_evidence(2).unwrap();
        assert_eq!(ev["links"][0]["strength"], 3);
        assert_eq!(ev["links"][0]["via"].as_array().unwrap().len(), 2);
        assert_eq!(
            ev["links"][0]["via"][0]["key_seen"],
            json!(["2024-03-07", "2024-03-07"])
        );
        assert_eq!(
            ev["links"][0]["via"][0]["other_seen"],
            json!(["2022-01-10", "2023-02-01"])
        );
    }

    #[test]
    fn a_real_person_on_two_keys_is_one_person_with_the_link_as_evidence() {
        // One handset, two keys, two numbers (strength 2): joined; the exposure counts both.
        let rows = vec![
            with_ids(
                g("G1", "A", "key-a", "2024-01-01", None, 700_000),
                Some("ph-a"),
                Some("dv"),
            ),
            with_ids(
                g("G2", "A", "key-b", "2024-01-20", None, 700_000),
                Some("ph-b"),
                Some("dv"),
            ),
        ];
        let b = batch(rows);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &DcSettings::default());
        assert_eq!(a.person_count(), 1);
        assert_eq!(a.row(1).open_exposure_minor, 1_400_000);
        let codes = codes_of(&a, &b, 1);
        for c in [
            "DC-CONCURRENT-SAME-LENDER",
            "DC-EXPOSURE-INCOME",
            "DC-SHARED-IDENTITY",
        ] {
            assert!(codes.contains(&c), "{c} missing: {codes:?}");
        }
        let ev = a.shared_identity_evidence(1).unwrap();
        assert_eq!(ev["person_id"], "P:key-a");
        assert_eq!(ev["links"][0]["key"], "key-a");
        assert_eq!(ev["links"][0]["strength"], 2);
        assert_eq!(ev["links"][0]["via"][0]["identifier"], "device_hash");
    }

    #[test]
    fn each_code_reads_the_resolution_of_its_own_minimum() {
        // Two keys through a phone only (strength 1), each with open grants at one lender.
        let rows = vec![
            with_ids(
                g("G1", "A", "k1", "2024-01-01", None, 700_000),
                Some("ph"),
                Some("d1"),
            ),
            with_ids(
                g("G2", "A", "k2", "2024-01-20", None, 700_000),
                Some("ph"),
                Some("d2"),
            ),
        ];
        let b = batch(rows);
        let mut s = DcSettings::default();
        // Concurrent grants at one lender count keys joined by a phone; the rest do not.
        s.min_link_strength[Aggregate::Concurrent.slot()] = 1;
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &s);
        assert_eq!(a.person_count(), 2);
        assert_eq!(a.row_for(Aggregate::Concurrent, 1).concurrent, 1);
        assert_eq!(a.partners(1), &[0]);
        assert_eq!(
            a.row_for(Aggregate::Exposure, 1).open_exposure_minor,
            700_000
        );
        assert_eq!(a.person_for(Aggregate::Concurrent, 1).key_count(), 2);
        assert!(a.shared_identity_evidence(1).is_none());
    }

    #[test]
    fn a_zero_weight_identifier_joins_nothing() {
        let rows = vec![
            with_ids(g("G1", "A", "k1", "2024-01-01", None, 1), None, Some("dv")),
            with_ids(g("G2", "A", "k2", "2024-01-02", None, 1), None, Some("dv")),
        ];
        let b = batch(rows);
        let mut s = DcSettings::default();
        s.identity.link_weight.device_hash = 0;
        assert_eq!(DcAnalysis::analyse(&b, None, &s).person_count(), 2);
    }

    #[test]
    fn closed_on_the_day_another_opens_does_not_overlap() {
        let b = batch(vec![
            g("G1", "A", "k1", "2024-01-01", Some("2024-03-01"), 100),
            g("G2", "A", "k1", "2024-03-01", Some("2024-06-01"), 100),
            g("G3", "A", "k1", "2024-05-31", None, 100),
        ]);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &DcSettings::default());
        assert_eq!(a.row(0).concurrent, 0);
        assert_eq!(a.partners(1), &[2]);
        assert_eq!(a.partners(2), &[1]);
    }

    #[test]
    fn empty_closed_at_runs_to_the_as_of_date() {
        let b = batch(vec![
            g("G1", "A", "k1", "2024-01-01", None, 100),
            g("G2", "A", "k1", "2024-06-01", None, 100),
        ]);
        assert_eq!(
            DcAnalysis::analyse(&b, d("2024-12-31"), &DcSettings::default())
                .row(0)
                .concurrent,
            1
        );
        // As of before the second grant opens, the first one is open to then: no overlap.
        assert_eq!(
            DcAnalysis::analyse(&b, d("2024-05-31"), &DcSettings::default())
                .row(0)
                .concurrent,
            0
        );
    }

    #[test]
    fn keys_joined_through_a_chain_of_phones_and_devices_are_one_person() {
        let mut r1 = g("G1", "A", "k1", "2024-01-01", None, 100);
        let mut r2 = g("G2", "B", "k2", "2024-01-02", None, 100);
        let mut r3 = g("G3", "C", "k3", "2024-01-03", None, 100);
        let mut r4 = g("G4", "D", "k4", "2024-01-04", None, 100);
        let r5 = g("G5", "E", "k5", "2024-01-05", None, 100);
        r1.phone_hash = Some("ph-1".into());
        r2.phone_hash = Some("ph-1".into());
        r2.device_hash = Some("dv-1".into());
        r3.device_hash = Some("dv-1".into());
        r3.phone_hash = Some("ph-2".into());
        r4.phone_hash = Some("ph-2".into());
        let b = batch(vec![r4, r3, r2, r1, r5]);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &any_link());
        let p = a.person_of(0);
        assert_eq!(p.keys().collect::<Vec<_>>(), ["k1", "k2", "k3", "k4"]);
        assert_eq!(p.id(), "P:k1");
        assert_eq!(a.person_of(4).keys().collect::<Vec<_>>(), ["k5"]);
        // The joined person has four lenders open on G4's date.
        let g4 = (0..5).find(|&i| b.grant_id[i] == "G4").unwrap();
        assert_eq!(a.row(g4).open_institutions, 4);
        assert_eq!(a.row(g4).open_exposure_minor, 400);
    }

    #[test]
    fn many_lenders_and_exposure_count_open_grants_on_the_date() {
        let b = batch(vec![
            g("G1", "A", "k", "2024-01-01", Some("2024-02-01"), 500_000),
            g("G2", "B", "k", "2024-01-10", None, 500_000),
            g("G3", "C", "k", "2024-02-01", None, 500_000),
            g("G4", "D", "k", "2024-02-01", None, 500_000),
        ]);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"), &DcSettings::default());
        // On 2024-02-01 G1 has just closed: B, C, D are open (G3 and G4 the same day).
        assert_eq!(a.row(2).open_institutions, 3);
        assert_eq!(a.row(3).open_institutions, 3);
        assert_eq!(a.row(3).open_exposure_minor, 1_500_000);
        assert_eq!(a.row(1).open_institutions, 2);
        assert_eq!(a.person(0).peak_exposure_minor, 1_500_000);
        assert_eq!(a.person(0).institutions, 4);
    }

    proptest! {
        #[test]
        fn the_name_prefix_order_never_contradicts_the_name_order(
            a in "[a-c\\x00]{0,20}", b in "[a-c\\x00]{0,20}"
        ) {
            match super::name_prefix(&a).cmp(&super::name_prefix(&b)) {
                std::cmp::Ordering::Equal => {}
                order => prop_assert_eq!(order, a.cmp(&b)),
            }
        }

        #[test]
        fn shuffling_rows_changes_no_output(seed in 0u64..1_000, n in 2usize..40) {
            let mut rows = Vec::new();
            let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mut next = |m: u64| { x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (x >> 33) % m };
            for i in 0..n {
                let start = Date::parse("2024-01-01").unwrap().add_days(next(200) as i32);
                let mut r = g(&format!("G{i:03}"), &format!("I{}", next(4)), &format!("k{}", next(8)), "2024-01-01", None, 1000 + next(9000) as i64);
                r.granted_at = Some(start);
                r.closed_at = if next(2) == 0 { Some(start.add_days(next(120) as i32)) } else { None };
                r.phone_hash = (next(3) == 0).then(|| format!("ph{}", next(5)));
                r.device_hash = (next(3) == 0).then(|| format!("dv{}", next(5)));
                rows.push(r);
            }
            let base = batch(rows.clone());
            // Hubs from four keys, a 90-day gap: shuffled rows exercise every rule.
            let mut settings = any_link();
            settings.identity.hub_keys = crate::ruleset::PerIdentifier { phone_hash: 3, device_hash: 3 };
            settings.identity.recycle_gap_days = 90;
            settings.identity.link_weight.device_hash = 2;
            settings.min_link_strength = [2, 1, 2, 3];
            let a = DcAnalysis::analyse(&base, d("2024-12-31"), &settings);
            let mut shuffled = rows;
            for i in (1..shuffled.len()).rev() {
                let j = next(i as u64 + 1) as usize;
                shuffled.swap(i, j);
            }
            let sb = batch(shuffled);
            let s = DcAnalysis::analyse(&sb, d("2024-12-31"), &settings);
            for i in 0..base.len() {
                let j = (0..sb.len()).find(|&j| sb.grant_id[j] == base.grant_id[i]).unwrap();
                let (ra, rs) = (a.row(i), s.row(j));
                prop_assert_eq!((ra.concurrent, ra.open_institutions, ra.open_exposure_minor), (rs.concurrent, rs.open_institutions, rs.open_exposure_minor));
                prop_assert_eq!(a.person_of(i).id(), s.person_of(j).id());
                prop_assert_eq!(a.shared_identity_evidence(i), s.shared_identity_evidence(j));
                prop_assert_eq!(a.hub_evidence(i), s.hub_evidence(j));
                for agg in Aggregate::ALL {
                    let (ra, rs) = (a.row_for(agg, i), s.row_for(agg, j));
                    prop_assert_eq!((ra.concurrent, ra.open_institutions, ra.open_exposure_minor), (rs.concurrent, rs.open_institutions, rs.open_exposure_minor));
                    prop_assert_eq!(a.person_for(agg, i).id(), s.person_for(agg, j).id());
                }
                let pa: Vec<&String> = a.partners(i).iter().map(|&p| &base.grant_id[p as usize]).collect();
                let ps: Vec<&String> = s.partners(j).iter().map(|&p| &sb.grant_id[p as usize]).collect();
                prop_assert_eq!(pa, ps);
            }
            prop_assert_eq!(a.persons().map(|p| (p.id(), p.keys().map(str::to_string).collect::<Vec<_>>(), p.institutions, p.peak_exposure_minor)).collect::<Vec<_>>(),
                            s.persons().map(|p| (p.id(), p.keys().map(str::to_string).collect::<Vec<_>>(), p.institutions, p.peak_exposure_minor)).collect::<Vec<_>>());
        }
    }
}
