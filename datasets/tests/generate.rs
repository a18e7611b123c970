//! The generator: same seed, same bytes (whatever the thread count); truth agrees with data.

#![expect(
    clippy::unwrap_used,
    clippy::needless_range_loop,
    reason = "test code: a failed set-up should panic; rows are indexed across many columns"
)]

use finrisk_datasets::generate::{GenerateParams, GenerateSummary, GrantsFormat, generate};
use finrisk_datasets::{load_grants, read_table};
use finrisk_engine::domain::{Case, Product};
use finrisk_engine::rates::case_cost;
use finrisk_engine::{Date, Ruleset};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("finrisk-gen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn params(seed: u64, grants: u64) -> GenerateParams {
    GenerateParams {
        seed,
        grants,
        cases: 300,
        chunk_size: 4_096,
        ..GenerateParams::default()
    }
}

fn run_with_threads(threads: usize, p: &GenerateParams, dir: &Path) -> GenerateSummary {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| generate(p, dir)).unwrap()
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in ["", "truth"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                out.insert(
                    format!("{sub}/{}", path.file_name().unwrap().to_string_lossy()),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn same_seed_same_bytes_with_one_and_two_threads() {
    let p = params(7, 30_000);
    let (a, b) = (out_dir("t1"), out_dir("t2"));
    let sa = run_with_threads(1, &p, &a);
    let sb = run_with_threads(2, &p, &b);
    assert_eq!(sa, sb);
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    assert_eq!(fa.len(), 7);
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between 1 and 2 threads");
    }
    let c = out_dir("seed8");
    run_with_threads(2, &params(8, 30_000), &c);
    assert_ne!(files(&c)["/grants.parquet"], fa["/grants.parquet"]);
}

fn text_column(df: &polars::prelude::DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

#[test]
fn planted_labels_agree_with_the_data() {
    let p = params(42, 40_000);
    let dir = out_dir("truth");
    let summary = run_with_threads(2, &p, &dir);
    let as_of = summary.as_of;
    // Every row passes the engine's own validation.
    let (batch, report) = load_grants(&dir.join("grants.parquet")).unwrap();
    assert_eq!(
        report.rows_accepted,
        40_000,
        "{:?}",
        &report.row_errors[..report.row_errors.len().min(3)]
    );
    let truth = read_table(&dir.join("truth/grants.parquet")).unwrap();
    let ids = text_column(&truth, "grant_id");
    let persons = text_column(&truth, "person_id");
    let codes: Vec<Vec<String>> = text_column(&truth, "codes")
        .iter()
        .map(|c| {
            c.split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    let partners = text_column(&truth, "concurrent_with");
    assert_eq!(ids, batch.grant_id);
    // `person_grants` is the number of rows of the grant's person.
    let mut grants_of: HashMap<&str, i64> = HashMap::new();
    for p in &persons {
        *grants_of.entry(p.as_str()).or_insert(0) += 1;
    }
    let person_grants = truth
        .column("person_grants")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect::<Vec<_>>();
    for (p, n) in persons.iter().zip(&person_grants) {
        assert_eq!(grants_of[p.as_str()], *n, "{p}");
    }
    assert!(person_grants.contains(&1) && person_grants.iter().any(|n| *n > 1));
    let row_of: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let has = |i: usize, code: &str| codes[i].iter().any(|c| c == code);
    let end = |i: usize| batch.closed_at[i].unwrap_or(as_of);
    let overlap = |i: usize, j: usize| batch.granted_at[i] < end(j) && batch.granted_at[j] < end(i);

    let mut concurrent_pairs = 0;
    for i in 0..ids.len() {
        // Row-level codes are exactly what the columns say.
        assert_eq!(
            has(i, "RC-STUDENT"),
            batch.is_student[i] == Some(true),
            "row {i}"
        );
        assert_eq!(
            has(i, "RC-INCOME-UNVERIFIED"),
            batch.income_verified[i] == Some(false),
            "row {i}"
        );
        assert_eq!(
            has(i, "DC-MANY-INQUIRIES"),
            batch.inquiries_30d[i].unwrap() >= 5,
            "row {i}"
        );
        assert_eq!(
            has(i, "DC-NEW-WHILE-DELINQUENT"),
            batch.dpd_at_grant[i].unwrap() >= 30,
            "row {i}"
        );
        assert_eq!(has(i, "RC-COST-CAP"), batch.apr[i] > 0.24, "row {i}");
        // Every planted concurrent partner really overlaps, at the same lender, for the same person.
        assert_eq!(
            has(i, "DC-CONCURRENT-SAME-LENDER"),
            !partners[i].is_empty(),
            "row {i}"
        );
        for partner in partners[i].split(';').filter(|s| !s.is_empty()) {
            let j = row_of[partner];
            assert_eq!(persons[i], persons[j]);
            assert_eq!(batch.institution_id[i], batch.institution_id[j]);
            assert!(overlap(i, j), "{} and {partner} do not overlap", ids[i]);
            assert!(
                partners[j].contains(&ids[i]),
                "pair {} / {partner} not symmetric",
                ids[i]
            );
            concurrent_pairs += 1;
        }
    }
    assert!(
        concurrent_pairs > 100,
        "too few concurrent pairs planted: {concurrent_pairs}"
    );

    // Unlabelled rows of the same person and lender never overlap.
    let mut by_person_lender: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for i in 0..ids.len() {
        by_person_lender
            .entry((persons[i].as_str(), batch.institution_id[i].as_str()))
            .or_default()
            .push(i);
    }
    for rows in by_person_lender.values() {
        for &i in rows {
            for &j in rows {
                if i != j && overlap(i, j) {
                    assert!(
                        has(i, "DC-CONCURRENT-SAME-LENDER"),
                        "{} overlaps {} unlabelled",
                        ids[i],
                        ids[j]
                    );
                }
            }
        }
    }

    // Identity rings: the keys of a person are one connected group through shared phones/devices.
    let mut keys_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for i in 0..ids.len() {
        if has(i, "DC-SHARED-IDENTITY") {
            keys_of.entry(persons[i].as_str()).or_default().push(i);
        }
    }
    assert!(!keys_of.is_empty());
    for rows in keys_of.values() {
        let keys: Vec<&str> = {
            let mut k: Vec<&str> = rows
                .iter()
                .map(|&i| batch.borrower_key[i].as_str())
                .collect();
            k.sort_unstable();
            k.dedup();
            k
        };
        assert!(keys.len() >= 3, "a ring has 3 to 5 keys: {keys:?}");
        let mut reached = vec![keys[0]];
        let mut changed = true;
        while changed {
            changed = false;
            for &i in rows {
                for &j in rows {
                    let linked = batch.phone_hash[i] == batch.phone_hash[j]
                        || batch.device_hash[i] == batch.device_hash[j];
                    let (ki, kj) = (
                        batch.borrower_key[i].as_str(),
                        batch.borrower_key[j].as_str(),
                    );
                    if linked && reached.contains(&ki) && !reached.contains(&kj) {
                        reached.push(kj);
                        changed = true;
                    }
                }
            }
        }
        assert_eq!(
            reached.len(),
            keys.len(),
            "ring keys not connected: {keys:?}"
        );
    }
    assert!(
        summary.grant_codes["DC-MANY-LENDERS"] > 0
            && summary.grant_codes["DC-LINE-UP-DELINQUENT"] > 0
    );
}

#[test]
fn cases_and_products_parse_and_cases_match_their_planted_cap() {
    let p = params(3, 20_000);
    let dir = out_dir("cases");
    let summary = run_with_threads(2, &p, &dir);
    assert_eq!(summary.cases, 300);
    let ruleset = Ruleset::embedded(finrisk_engine::domain::Jurisdiction::Cn).unwrap();
    let cases = std::fs::read_to_string(dir.join("cases.jsonl")).unwrap();
    let truth = std::fs::read_to_string(dir.join("truth/cases.jsonl")).unwrap();
    let (mut above, mut below) = (0, 0);
    for (doc, t) in cases.lines().zip(truth.lines()) {
        let case = Case::from_json(doc).unwrap();
        let t: serde_json::Value = serde_json::from_str(t).unwrap();
        assert_eq!(t["case_id"], case.case_id.as_str());
        let cost = case_cost(&case, &ruleset).unwrap();
        let planted_above = t["above_cap"].as_bool().unwrap();
        assert_eq!(cost.excess_minor > 0, planted_above, "{}", case.case_id);
        if planted_above {
            above += 1
        } else {
            below += 1
        }
    }
    assert!(above > 50 && below > 50, "above {above}, below {below}");
    for line in std::fs::read_to_string(dir.join("products.jsonl"))
        .unwrap()
        .lines()
    {
        Product::from_json(line).unwrap();
    }
}

#[test]
fn csv_output_holds_the_same_rows() {
    let mut p = params(5, 5_000);
    let parquet = out_dir("pq");
    generate(&p, &parquet).unwrap();
    p.format = GrantsFormat::Csv;
    let csv = out_dir("csv");
    generate(&p, &csv).unwrap();
    let (a, _) = load_grants(&parquet.join("grants.parquet")).unwrap();
    let (b, rb) = load_grants(&csv.join("grants.csv")).unwrap();
    assert_eq!(rb.rows_accepted, 5_000);
    assert_eq!(a.grant_id, b.grant_id);
    assert_eq!(a.principal_minor, b.principal_minor);
    assert_eq!(a.closed_at, b.closed_at);
}

#[test]
fn bad_parameters_are_named() {
    let mut p = params(1, 0);
    assert_eq!(
        generate(&p, &out_dir("bad")).unwrap_err().to_string(),
        "grants: must be at least 1"
    );
    p.grants = 10;
    p.end = Date::parse("2023-01-15").unwrap();
    assert!(
        generate(&p, &out_dir("bad2"))
            .unwrap_err()
            .to_string()
            .starts_with("end:")
    );
}

#[test]
fn realistic_identity_noise_shares_identifiers_between_people_as_documented() {
    use finrisk_datasets::generate::{DataProfile, noise};
    let p = GenerateParams {
        profile: DataProfile::Realistic,
        identity_noise: true,
        ..params(42, 60_000)
    };
    let dir = out_dir("noise");
    run_with_threads(2, &p, &dir);
    let (batch, _) = load_grants(&dir.join("grants.parquet")).unwrap();
    let truth = read_table(&dir.join("truth/grants.parquet")).unwrap();
    let persons = text_column(&truth, "person_id");
    let codes = text_column(&truth, "codes");
    let kinds = text_column(&truth, "kind");
    // Per identifier: the persons and keys seen with it, and per person its first and last date.
    type Seen<'a> = HashMap<&'a str, (Date, Date)>;
    let mut phones: HashMap<&str, (Seen<'_>, Vec<usize>)> = HashMap::new();
    let mut devices: HashMap<&str, (Seen<'_>, Vec<usize>)> = HashMap::new();
    for i in 0..batch.len() {
        let day = batch.granted_at[i];
        for (map, id) in [
            (&mut phones, &batch.phone_hash[i]),
            (&mut devices, &batch.device_hash[i]),
        ] {
            let entry = map.entry(id.as_deref().unwrap()).or_default();
            let span = entry.0.entry(persons[i].as_str()).or_insert((day, day));
            span.0 = span.0.min(day);
            span.1 = span.1.max(day);
            entry.1.push(i);
        }
    }
    let (mut terminals, mut families, mut second_owners, mut resold) = (0, 0, 0, 0);
    for (id, (seen, rows)) in &devices {
        if id.starts_with("dv-shop") {
            // A terminal: dozens of people, every grant through it labelled a hub.
            terminals += 1;
            assert!(seen.len() > 5, "{id}: {} people", seen.len());
            assert!(rows.iter().all(|&i| codes[i].contains("DC-IDENTIFIER-HUB")));
        } else if seen.len() > 1 {
            // A personal handset used by two people: resold, the owners far apart in time.
            resold += 1;
            assert_eq!(seen.len(), 2, "{id}");
            let mut spans: Vec<(Date, Date)> = seen.values().copied().collect();
            spans.sort();
            assert!(
                spans[0].1.add_days(noise::SECOND_OWNER_GAP_DAYS) <= spans[1].0,
                "{id}: {spans:?}"
            );
        }
    }
    for (id, (seen, rows)) in &phones {
        if id.starts_with("ph-agent") || seen.len() < 2 {
            continue;
        }
        // A family number (people on their own handsets) or a recycled one.
        let handsets: std::collections::HashSet<&str> = rows
            .iter()
            .map(|&i| batch.device_hash[i].as_deref().unwrap())
            .collect();
        assert!(handsets.len() >= seen.len(), "{id}: people share a handset");
        let mut spans: Vec<(Date, Date)> = seen.values().copied().collect();
        spans.sort();
        if seen.len() <= noise::FAMILY_SIZE
            && spans[0].1.add_days(noise::SECOND_OWNER_GAP_DAYS) > spans[1].0
        {
            families += 1;
        } else {
            second_owners += 1;
        }
    }
    // Rings: one person, several keys, one handset.
    let mut ring_keys: HashMap<&str, std::collections::HashSet<&str>> = HashMap::new();
    let mut ring_devices: HashMap<&str, std::collections::HashSet<&str>> = HashMap::new();
    for i in 0..batch.len() {
        if kinds[i] == "ring" {
            ring_keys
                .entry(&persons[i])
                .or_default()
                .insert(&batch.borrower_key[i]);
            ring_devices
                .entry(&persons[i])
                .or_default()
                .insert(batch.device_hash[i].as_deref().unwrap());
            assert!(codes[i].contains("DC-SHARED-IDENTITY"));
        }
    }
    assert!(!ring_keys.is_empty());
    for (person, keys) in &ring_keys {
        assert!(keys.len() >= 3, "{person}");
        assert_eq!(ring_devices[person].len(), 1, "{person}: one handset");
    }
    assert!(terminals >= 20, "{terminals} terminals");
    assert!(families > 100, "{families} family numbers");
    assert!(second_owners > 20, "{second_owners} recycled numbers");
    assert!(resold > 20, "{resold} resold handsets");

    // The planted profile shares no identifier between two people.
    let dir = out_dir("no-noise");
    run_with_threads(2, &params(42, 20_000), &dir);
    let (batch, _) = load_grants(&dir.join("grants.parquet")).unwrap();
    let truth = read_table(&dir.join("truth/grants.parquet")).unwrap();
    let persons = text_column(&truth, "person_id");
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for i in 0..batch.len() {
        for id in [&batch.phone_hash[i], &batch.device_hash[i]] {
            let o = owner.entry(id.as_deref().unwrap()).or_insert(&persons[i]);
            assert_eq!(*o, persons[i].as_str());
        }
    }
}
