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

use crate::date::Date;
use crate::domain::GrantBatch;
use rayon::prelude::*;
use std::collections::HashMap;

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
    pub keys: &'a [&'a str],
    /// Rows (batch indices) of the person's grants, in timeline order.
    pub rows: &'a [usize],
    /// Distinct institutions the person borrowed from.
    pub institutions: usize,
    /// Largest open principal on any of the person's grant dates, minor units.
    pub peak_exposure_minor: i64,
}

impl Person<'_> {
    /// Person id: `P:` and the smallest borrower key of the group.
    pub fn id(&self) -> String {
        format!("P:{}", self.keys.first().copied().unwrap_or(""))
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

/// The analysis of a batch; borrows the batch's strings.
#[derive(Debug, Clone, PartialEq)]
pub struct DcAnalysis<'a> {
    /// The as-of date open grants run to.
    pub as_of: Date,
    /// One entry per batch row.
    pub rows: Vec<DcRow>,
    /// Keys grouped by person (each group sorted, groups ordered by their smallest key).
    keys: Vec<&'a str>,
    /// Rows grouped by person, each group in timeline order.
    order: Vec<usize>,
    spans: Vec<PersonSpan>,
    /// Concurrent partners: `partners[offsets[i]..offsets[i + 1]]` are the rows that overlap row
    /// `i` at the same institution, sorted by grant id.
    partners: Vec<u32>,
    offsets: Vec<usize>,
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
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

impl<'a> DcAnalysis<'a> {
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

    /// Analyses `batch` with open grants running to `as_of` (default: the latest date in the
    /// data, SPEC section 6).
    pub fn analyse(batch: &'a GrantBatch, as_of: Option<Date>) -> Self {
        let n = batch.len();
        let as_of = as_of
            .or_else(|| batch.latest_date())
            .unwrap_or(Date::from_days_since_epoch(0));

        // 1. Keys, joined through shared phones and devices.
        let mut key_id: HashMap<&str, u32> = HashMap::with_capacity(n);
        let mut key_names: Vec<&str> = Vec::with_capacity(n);
        let row_key: Vec<u32> = batch
            .borrower_key
            .iter()
            .map(|k| {
                *key_id.entry(k.as_str()).or_insert_with(|| {
                    key_names.push(k.as_str());
                    key_names.len() as u32 - 1
                })
            })
            .collect();
        drop(key_id);
        let mut uf = UnionFind::new(key_names.len());
        for hashes in [&batch.phone_hash, &batch.device_hash] {
            let mut first: HashMap<&str, u32> = HashMap::new();
            for (row, h) in hashes.iter().enumerate() {
                if let Some(h) = h {
                    let k = row_key[row];
                    let owner = *first.entry(h.as_str()).or_insert(k);
                    uf.union(owner, k);
                }
            }
        }
        // Group keys by root, each group sorted by name, groups ordered by their smallest key.
        let roots: Vec<u32> = (0..key_names.len() as u32).map(|k| uf.find(k)).collect();
        let mut by_root: Vec<u32> = (0..key_names.len() as u32).collect();
        by_root.par_sort_unstable_by(|&a, &b| {
            (roots[a as usize], key_names[a as usize])
                .cmp(&(roots[b as usize], key_names[b as usize]))
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
        groups.par_sort_unstable_by(|a, b| {
            key_names[by_root[a.0] as usize].cmp(key_names[by_root[b.0] as usize])
        });
        let mut keys: Vec<&'a str> = Vec::with_capacity(by_root.len());
        let mut person_of_key: Vec<u32> = vec![0; key_names.len()];
        let mut spans: Vec<PersonSpan> = Vec::with_capacity(groups.len());
        for (p, &(lo, hi)) in groups.iter().enumerate() {
            let from = keys.len();
            for &k in &by_root[lo..hi] {
                keys.push(key_names[k as usize]);
                person_of_key[k as usize] = p as u32;
            }
            spans.push(PersonSpan {
                keys: (from, keys.len()),
                ..PersonSpan::default()
            });
        }

        // 2. Timelines: rows by (person, granted_at, grant_id).
        let person_of_row: Vec<u32> = row_key.iter().map(|k| person_of_key[*k as usize]).collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.par_sort_unstable_by(|&a, &b| {
            (
                person_of_row[a],
                batch.granted_at[a],
                &batch.grant_id[a],
                batch.source_row[a],
            )
                .cmp(&(
                    person_of_row[b],
                    batch.granted_at[b],
                    &batch.grant_id[b],
                    batch.source_row[b],
                ))
        });
        let mut institution_id: HashMap<&str, u32> = HashMap::new();
        let institution: Vec<u32> = batch
            .institution_id
            .iter()
            .map(|s| {
                let next = institution_id.len() as u32;
                *institution_id.entry(s.as_str()).or_insert(next)
            })
            .collect();
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
        let end_of = |i: usize| batch.closed_at[i].unwrap_or(as_of);
        let sweep_person = |buf: &mut Sweep, rows: &[usize]| {
            buf.active.clear();
            buf.all.clear();
            let mut peak = 0i64;
            for (pos, &i) in rows.iter().enumerate() {
                let t = batch.granted_at[i];
                buf.active.retain(|&a| end_of(a) > t);
                // Open on date t: the active grants, this one, and later ones granted the same day.
                buf.seen.clear();
                let mut exposure = 0i64;
                let same_day = rows[pos..]
                    .iter()
                    .take_while(|&&j| batch.granted_at[j] == t);
                for &j in buf.active.iter().chain(same_day) {
                    if end_of(j) > t || j == i {
                        if !buf.seen.contains(&institution[j]) {
                            buf.seen.push(institution[j]);
                        }
                        exposure += batch.principal_minor[j];
                    }
                }
                if end_of(i) > t {
                    for &a in &buf.active {
                        if institution[a] == institution[i] {
                            buf.pairs.push((i as u32, a as u32));
                            buf.pairs.push((a as u32, i as u32));
                        }
                    }
                }
                if !buf.all.contains(&institution[i]) {
                    buf.all.push(institution[i]);
                }
                peak = peak.max(exposure);
                let open_institutions = buf.seen.len() as u32;
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
                .then_with(|| batch.grant_id[a.1 as usize].cmp(&batch.grant_id[b.1 as usize]))
        });
        all_pairs.dedup();
        let mut offsets = vec![0usize; n + 1];
        for (row, _) in &all_pairs {
            offsets[*row as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
            dc_rows[i].concurrent = (offsets[i + 1] - offsets[i]) as u32;
        }
        let partners = all_pairs.into_iter().map(|(_, b)| b).collect();
        Self {
            as_of,
            rows: dc_rows,
            keys,
            order,
            spans,
            partners,
            offsets,
        }
    }
}

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
        assert_eq!(p.keys, ["k1", "k2", "k3", "k4"]);
        assert_eq!(p.id(), "P:k1");
        assert_eq!(a.person_of(4).keys, ["k5"]);
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
