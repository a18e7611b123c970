//! Duplicate credit across grants: one person behind many keys, and that person's timeline.
//!
//! 1. **Identity resolution.** Borrower keys are joined when they share a `phone_hash` or a
//!    `device_hash`, transitively (union-find with path halving over key ids). A person is
//!    named by the smallest key of its group, so the result does not depend on row order.
//! 2. **Timelines.** Rows are sorted by (person, granted_at, grant_id) and each person's grants
//!    are swept in parallel (rayon over persons): a grant is open on `[granted_at, closed_at)`,
//!    or to the as-of date when `closed_at` is empty, so a grant closed on the day another opens
//!    does not overlap it. For every grant the sweep gives the other grants of the same person
//!    open at the same institution (DC-CONCURRENT-SAME-LENDER), the distinct institutions with
//!    open grants on its date (DC-MANY-LENDERS), and the open principal on its date, this grant
//!    included, against monthly income (DC-EXPOSURE-INCOME). A key joined to others gives
//!    DC-SHARED-IDENTITY. The sweep keeps only the open grants; it allocates per person, not per
//!    grant. O(n log n) for the sort, linear in open grants for the sweep.
//!
//! A streamed batch feeds its chunks to a [`DcLedger`] (the compact per-grant columns the
//! analysis needs) and analyses once; each chunk is then assessed against the analysis through
//! a [`DcChunk`] view. One [`DcAnalysis::analyse`] over a whole batch is the same thing with
//! one chunk.

use crate::date::Date;
use crate::domain::GrantBatch;
use rayon::prelude::*;
use std::collections::HashMap;

/// Interning maps, hashed with foldhash (randomly seeded per process) instead of SipHash: keys,
/// phones, devices and institutions are hashed once per grant, and SipHash was 6% of a batch.
type InternMap = HashMap<Box<str>, u32, foldhash::fast::RandomState>;

/// What the across-grant analysis found for one grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DcRow {
    /// Index of the person in [`DcAnalysis::persons`].
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
    /// The borrower keys joined into this person, sorted.
    pub keys: &'a [Box<str>],
    /// Rows (analysis indices) of the person's grants, in timeline order.
    pub rows: &'a [usize],
    /// Distinct institutions the person borrowed from.
    pub institutions: usize,
    /// Largest open principal on any of the person's grant dates, minor units.
    pub peak_exposure_minor: i64,
}

impl Person<'_> {
    /// Person id: `P:` and the smallest borrower key of the group.
    pub fn id(&self) -> String {
        format!("P:{}", self.keys.first().map_or("", |k| &**k))
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
}

/// Distinct texts, each stored once in a [`TextArena`] and found through a table of
/// `(text index, owner)` pairs: the owner (a key id) of every phone or device hash, without
/// an allocation per distinct text or a `String` in every table slot (about a third of the
/// memory of a `HashMap<Box<str>, u32>` of the same texts).
#[derive(Clone, Default)]
struct OwnerTable {
    texts: TextArena,
    slots: hashbrown::HashTable<(u32, u32)>,
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for OwnerTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnerTable")
            .field("texts", &self.slots.len())
            .finish()
    }
}

impl OwnerTable {
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

    /// The owner of `s`; a new text gets `owner()`.
    fn owner(&mut self, s: &str, owner: impl FnOnce() -> u32) -> u32 {
        use std::hash::BuildHasher;
        let hash = self.hasher.hash_one(s);
        let Self {
            texts,
            slots,
            hasher,
        } = self;
        match slots.find(hash, |&(t, _)| texts.get(t as usize) == s) {
            Some(&(_, o)) => o,
            None => {
                let o = owner();
                let t = id32(texts.ends.len());
                texts.push(s);
                slots.insert_unique(hash, (t, o), |&(t, _)| {
                    hasher.hash_one(texts.get(t as usize))
                });
                o
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
    fn push(&mut self) -> u32 {
        let id = id32(self.parent.len());
        self.parent.push(id);
        id
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

/// What the across-grant analysis needs of every grant, owned and compact, fed one chunk of
/// rows at a time: this is the only state a streamed batch keeps across its whole input.
///
/// Per grant it holds a key id, an institution id, the two dates, the principal, the source
/// row and the grant id (in one shared text buffer): about 50 bytes plus the id's length.
/// Keys, phones, devices and institutions are interned once each, and keys are joined through
/// shared phones and devices as rows arrive (union-find), so the order in which chunks come
/// changes nothing: [`DcLedger::analyse`] gives the same result as one call over all rows.
#[derive(Debug, Clone, Default)]
pub struct DcLedger {
    key_ids: InternMap,
    phone_owner: OwnerTable,
    device_owner: OwnerTable,
    institution_ids: InternMap,
    keys: UnionFind,
    row_key: Vec<u32>,
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
        let maps = || InternMap::with_capacity_and_hasher(rows, Default::default());
        Self {
            key_ids: maps(),
            phone_owner: OwnerTable::with_capacity(rows),
            device_owner: OwnerTable::with_capacity(rows),
            row_key: Vec::with_capacity(rows),
            institution: Vec::with_capacity(rows),
            granted_at: Vec::with_capacity(rows),
            closed_at: Vec::with_capacity(rows),
            principal_minor: Vec::with_capacity(rows),
            source_row: Vec::with_capacity(rows),
            keys: UnionFind {
                parent: Vec::with_capacity(rows),
            },
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
        self.granted_at.extend_from_slice(&batch.granted_at);
        self.closed_at.extend_from_slice(&batch.closed_at);
        self.principal_minor
            .extend_from_slice(&batch.principal_minor);
        self.source_row.extend_from_slice(&batch.source_row);
        for i in 0..n {
            let keys = &mut self.keys;
            let k = intern(&mut self.key_ids, &batch.borrower_key[i], || keys.push());
            self.row_key.push(k);
            let next = id32(self.institution_ids.len());
            let inst = intern(&mut self.institution_ids, &batch.institution_id[i], || next);
            self.institution.push(inst);
            self.grant_ids.push(&batch.grant_id[i]);
            for (owners, hash) in [
                (&mut self.phone_owner, &batch.phone_hash[i]),
                (&mut self.device_owner, &batch.device_hash[i]),
            ] {
                if let Some(h) = hash {
                    let owner = owners.owner(h, || k);
                    self.keys.union(owner, k);
                }
            }
        }
        self.latest = self.latest.max(batch.latest_date());
    }

    /// Resolves persons and sweeps their timelines, with open grants running to `as_of`
    /// (default: the latest date in the data, SPEC section 6).
    pub fn analyse(self, as_of: Option<Date>) -> DcAnalysis {
        let Self {
            key_ids,
            phone_owner,
            device_owner,
            institution_ids,
            keys: mut uf,
            row_key,
            institution,
            granted_at,
            closed_at,
            principal_minor,
            source_row,
            grant_ids,
            latest,
        } = self;
        drop((phone_owner, device_owner, institution_ids));
        let n = row_key.len();
        let as_of = as_of.or(latest).unwrap_or(Date::from_days_since_epoch(0));

        // 1. Keys joined through shared phones and devices, grouped by root, each group sorted
        //    by name, groups ordered by their smallest key.
        let mut key_names: Vec<Box<str>> = vec![Box::from(""); key_ids.len()];
        for (name, id) in key_ids {
            key_names[id as usize] = name;
        }
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
        let mut keys: Vec<Box<str>> = Vec::with_capacity(by_root.len());
        let mut person_of_key: Vec<u32> = vec![0; key_names.len()];
        let mut spans: Vec<PersonSpan> = Vec::with_capacity(groups.len());
        for (p, &(lo, hi)) in groups.iter().enumerate() {
            let from = keys.len();
            for &k in &by_root[lo..hi] {
                keys.push(std::mem::take(&mut key_names[k as usize]));
                person_of_key[k as usize] = id32(p);
            }
            spans.push(PersonSpan {
                keys: (from, keys.len()),
                ..PersonSpan::default()
            });
        }
        drop((key_names, by_root, groups));

        // 2. Timelines: rows by (person, granted_at, grant_id, source row).
        let person_of_row: Vec<u32> = row_key.iter().map(|k| person_of_key[*k as usize]).collect();
        drop((row_key, person_of_key));
        let mut order: Vec<usize> = (0..n).collect();
        // The grant ids (text) are compared only on a tie of person and date: building the
        // whole tuple for every comparison read both ids each time.
        order.par_sort_unstable_by(|&a, &b| {
            (person_of_row[a], granted_at[a])
                .cmp(&(person_of_row[b], granted_at[b]))
                .then_with(|| grant_ids.get(a).cmp(grant_ids.get(b)))
                .then_with(|| source_row[a].cmp(&source_row[b]))
        });
        drop(source_row);
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
        DcAnalysis {
            as_of,
            rows: dc_rows,
            keys,
            order,
            spans,
            partners,
            offsets,
            grant_ids,
        }
    }
}

/// The analysis of every grant fed to a [`DcLedger`] (or of one batch): owns what its
/// findings' evidence needs (keys, grant ids), so it outlives the batches it was built from.
#[derive(Debug, Clone, PartialEq)]
pub struct DcAnalysis {
    /// The as-of date open grants run to.
    pub as_of: Date,
    /// One entry per analysed row (rows in the order they were added).
    pub rows: Vec<DcRow>,
    /// Keys grouped by person (each group sorted, groups ordered by their smallest key).
    keys: Vec<Box<str>>,
    /// Rows grouped by person, each group in timeline order.
    order: Vec<usize>,
    spans: Vec<PersonSpan>,
    /// Concurrent partners: `partners[offsets[i]..offsets[i + 1]]` are the rows that overlap row
    /// `i` at the same institution, sorted by grant id.
    partners: Vec<u32>,
    offsets: Vec<usize>,
    grant_ids: TextArena,
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

/// The analysis seen from one chunk of its rows: chunk row `i` is analysis row `first + i`.
#[derive(Debug, Clone, Copy)]
pub struct DcChunk<'d> {
    /// The whole analysis.
    pub analysis: &'d DcAnalysis,
    /// Analysis row of the chunk's first row.
    pub first: usize,
}

impl<'d> DcChunk<'d> {
    /// The figures of chunk row `i`.
    pub fn row(&self, i: usize) -> DcRow {
        self.analysis.rows[self.first + i]
    }

    /// Analysis rows overlapping chunk row `i` at the same institution.
    pub fn partners(&self, i: usize) -> &'d [u32] {
        self.analysis.partners(self.first + i)
    }

    /// The person of chunk row `i`.
    pub fn person_of(&self, i: usize) -> Person<'d> {
        self.analysis.person_of(self.first + i)
    }
}

impl DcAnalysis {
    /// Analyses `batch` with open grants running to `as_of` (default: the latest date in the
    /// data, SPEC section 6). The same as a [`DcLedger`] fed `batch` alone.
    pub fn analyse(batch: &GrantBatch, as_of: Option<Date>) -> Self {
        let mut ledger = DcLedger::new();
        ledger.add(batch);
        ledger.analyse(as_of)
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

    /// The grant id of analysis row `i`.
    pub fn grant_id(&self, i: usize) -> &str {
        self.grant_ids.get(i)
    }

    /// The rows overlapping row `i` at the same institution.
    pub fn partners(&self, i: usize) -> &[u32] {
        &self.partners[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Number of persons.
    pub fn person_count(&self) -> usize {
        self.spans.len()
    }

    /// Person `p` (in id order).
    pub fn person(&self, p: usize) -> Person<'_> {
        let s = self.spans[p];
        Person {
            keys: &self.keys[s.keys.0..s.keys.1],
            rows: &self.order[s.rows.0..s.rows.1],
            institutions: s.institutions,
            peak_exposure_minor: s.peak_exposure_minor,
        }
    }

    /// Every person, in id order.
    pub fn persons(&self) -> impl Iterator<Item = Person<'_>> + '_ {
        (0..self.spans.len()).map(|p| self.person(p))
    }

    /// The person of row `i`.
    pub fn person_of(&self, i: usize) -> Person<'_> {
        self.person(self.rows[i].person as usize)
    }
}

/// The finding codes of each person's grants, gathered chunk by chunk: one bit per catalogue
/// code per person, so a streamed batch keeps 8 bytes per person, not the codes of every grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCodes {
    bits: Vec<u64>,
}

impl PersonCodes {
    /// No codes yet for any of the analysis's persons.
    pub fn new(dc: &DcAnalysis) -> Self {
        Self {
            bits: vec![0; dc.person_count()],
        }
    }

    /// Adds the codes of a chunk's assessed rows (`rows[k].index` is a chunk row of `dc`).
    pub fn add(&mut self, dc: DcChunk<'_>, rows: &[crate::index::GrantRow]) {
        for r in rows {
            let person = dc.row(r.index).person as usize;
            for code in r.findings.split(';').filter(|c| !c.is_empty()) {
                if let Some(id) = crate::catalogue::CodeId::find(code) {
                    self.bits[person] |= 1 << id.index();
                }
            }
        }
    }

    /// The codes of person `p`'s grants, sorted and `;`-joined.
    pub fn codes(&self, p: usize) -> String {
        let bits = self.bits.get(p).copied().unwrap_or(0);
        let mut codes: Vec<&str> = crate::catalogue::CATALOGUE
            .iter()
            .enumerate()
            .filter(|(k, _)| bits & (1 << k) != 0)
            .map(|(_, spec)| spec.code)
            .collect();
        codes.sort_unstable();
        codes.join(";")
    }
}

const _: () = assert!(crate::catalogue::CATALOGUE.len() <= 64);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GrantRecord;
    use proptest::prelude::*;

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

    #[test]
    fn closed_on_the_day_another_opens_does_not_overlap() {
        let b = batch(vec![
            g("G1", "A", "k1", "2024-01-01", Some("2024-03-01"), 100),
            g("G2", "A", "k1", "2024-03-01", Some("2024-06-01"), 100),
            g("G3", "A", "k1", "2024-05-31", None, 100),
        ]);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"));
        assert_eq!(a.rows[0].concurrent, 0);
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
            DcAnalysis::analyse(&b, d("2024-12-31")).rows[0].concurrent,
            1
        );
        // As of before the second grant opens, the first one is open to then: no overlap.
        assert_eq!(
            DcAnalysis::analyse(&b, d("2024-05-31")).rows[0].concurrent,
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
        let a = DcAnalysis::analyse(&b, d("2024-12-31"));
        let p = a.person_of(0);
        assert_eq!(
            p.keys.iter().map(|k| &**k).collect::<Vec<_>>(),
            ["k1", "k2", "k3", "k4"]
        );
        assert_eq!(p.id(), "P:k1");
        assert_eq!(&*a.person_of(4).keys[0], "k5");
        // The joined person has four lenders open on G4's date.
        let g4 = (0..5).find(|&i| b.grant_id[i] == "G4").unwrap();
        assert_eq!(a.rows[g4].open_institutions, 4);
        assert_eq!(a.rows[g4].open_exposure_minor, 400);
    }

    #[test]
    fn many_lenders_and_exposure_count_open_grants_on_the_date() {
        let b = batch(vec![
            g("G1", "A", "k", "2024-01-01", Some("2024-02-01"), 500_000),
            g("G2", "B", "k", "2024-01-10", None, 500_000),
            g("G3", "C", "k", "2024-02-01", None, 500_000),
            g("G4", "D", "k", "2024-02-01", None, 500_000),
        ]);
        let a = DcAnalysis::analyse(&b, d("2024-12-31"));
        // On 2024-02-01 G1 has just closed: B, C, D are open (G3 and G4 the same day).
        assert_eq!(a.rows[2].open_institutions, 3);
        assert_eq!(a.rows[3].open_institutions, 3);
        assert_eq!(a.rows[3].open_exposure_minor, 1_500_000);
        assert_eq!(a.rows[1].open_institutions, 2);
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
            let a = DcAnalysis::analyse(&base, d("2024-12-31"));
            let mut shuffled = rows;
            for i in (1..shuffled.len()).rev() {
                let j = next(i as u64 + 1) as usize;
                shuffled.swap(i, j);
            }
            let sb = batch(shuffled);
            let s = DcAnalysis::analyse(&sb, d("2024-12-31"));
            for i in 0..base.len() {
                let j = (0..sb.len()).find(|&j| sb.grant_id[j] == base.grant_id[i]).unwrap();
                let (ra, rs) = (a.rows[i], s.rows[j]);
                prop_assert_eq!((ra.concurrent, ra.open_institutions, ra.open_exposure_minor), (rs.concurrent, rs.open_institutions, rs.open_exposure_minor));
                prop_assert_eq!(a.person_of(i).id(), s.person_of(j).id());
                let pa: Vec<&String> = a.partners(i).iter().map(|&p| &base.grant_id[p as usize]).collect();
                let ps: Vec<&String> = s.partners(j).iter().map(|&p| &sb.grant_id[p as usize]).collect();
                prop_assert_eq!(pa, ps);
            }
            prop_assert_eq!(a.persons().map(|p| (p.id(), p.keys.to_vec(), p.institutions, p.peak_exposure_minor)).collect::<Vec<_>>(),
                            s.persons().map(|p| (p.id(), p.keys.to_vec(), p.institutions, p.peak_exposure_minor)).collect::<Vec<_>>());
        }
    }
}
