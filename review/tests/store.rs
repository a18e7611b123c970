//! The review store end to end on a real database: SQLite files always, and PostgreSQL when
//! `FINRISK_TEST_POSTGRES` holds an admin URL (`.ci/run` starts one): each test then creates
//! its own database.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

use finrisk_review::store::MarkRequest;
use finrisk_review::{
    Actor, DecisionRequest, Document, FindingMark, NewSubmission, QueueQuery, ReviewError, Role,
    Status, Store, SubmissionKind, database_url,
};
use serde_json::json;
use sqlx::Executor;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Fresh stores, one per backend available: (label, url).
async fn backends(test: &str) -> Vec<(String, String)> {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir =
        std::env::temp_dir().join(format!("finrisk-review-{}-{test}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = vec![(
        "sqlite".to_string(),
        database_url(dir.join("review.db").to_str().unwrap()),
    )];
    if let Ok(admin) = std::env::var("FINRISK_TEST_POSTGRES") {
        sqlx::any::install_default_drivers();
        let name = format!("review_{}_{}_{n}", test, std::process::id());
        let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
        pool.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await
            .unwrap();
        pool.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        pool.close().await;
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
        out.push(("postgres".to_string(), format!("{base}/{name}")));
    }
    out
}

fn institution(id: &str) -> Actor {
    Actor {
        name: format!("{id}-compliance"),
        role: Role::Institution,
        institution: Some(id.to_string()),
    }
}

fn reviewer(role: Role) -> Actor {
    Actor {
        name: format!("{role}-1"),
        role,
        institution: None,
    }
}

fn product(institution: &str, product: &str, overall: f64, codes: &[&str]) -> NewSubmission {
    let findings: Vec<_> = codes
        .iter()
        .map(|c| json!({"code": c, "basis": format!("basis of {c}"), "recommendation": format!("fix {c}")}))
        .collect();
    NewSubmission {
        kind: SubmissionKind::Product,
        institution_id: institution.into(),
        subject_id: product.into(),
        parent_id: None,
        documents: vec![Document {
            name: "product".into(),
            file_name: "product.json".into(),
            content: format!("{{\"product_id\":\"{product}\",\"overall\":{overall}}}").into_bytes(),
        }],
        ruleset_version: "cn-test".into(),
        model_version: "none".into(),
        assessment: json!({"scores": {"overall": overall}, "grade": if overall > 50.0 {"D"} else {"B"}, "findings": findings}),
        expected_version: None,
        note: String::new(),
    }
}

fn decision(id: &str, d: &str, version: i64, marks: &[(&str, FindingMark)]) -> DecisionRequest {
    DecisionRequest {
        submission_id: id.into(),
        decision: d.parse().unwrap(),
        expected_version: version,
        note: format!("note for {d}"),
        marks: marks
            .iter()
            .map(|(code, mark)| MarkRequest {
                code: (*code).into(),
                mark: *mark,
                note: format!("{code} {mark}"),
            })
            .collect(),
    }
}

#[tokio::test]
async fn the_whole_loop_with_remediation() {
    for (backend, url) in backends("loop").await {
        let store = Store::open(&url).await.unwrap();
        let bank = institution("BANK-A");
        let mediator = reviewer(Role::Mediator);
        let court = reviewer(Role::Court);
        let s = store
            .submit(
                &bank,
                &product("BANK-A", "P-1", 80.0, &["RC-A", "MK-B", "MK-C"]),
            )
            .await
            .unwrap();
        assert_eq!(
            (s.status, s.version, s.revision),
            (Status::Submitted, 1, 1),
            "{backend}"
        );
        let id = s.id.clone();
        let s = store
            .decide(&mediator, &decision(&id, "start_mediation", 1, &[]))
            .await
            .unwrap();
        let s = store
            .decide(
                &mediator,
                &decision(
                    &id,
                    "return",
                    s.version,
                    &[("MK-B", FindingMark::Confirmed)],
                ),
            )
            .await
            .unwrap();
        assert_eq!(s.status, Status::Returned);
        assert_eq!(
            s.revisions[0].findings[1].marks[0].mark,
            FindingMark::Confirmed
        );
        // The institution remedies one finding and resubmits: a new revision, same submission.
        let mut second = product("BANK-A", "P-1", 60.0, &["RC-A", "MK-C"]);
        second.expected_version = Some(s.version);
        let s = store.submit(&bank, &second).await.unwrap();
        assert_eq!(
            (s.id.as_str(), s.status, s.revision),
            (id.as_str(), Status::Resubmitted, 2)
        );
        let s = store
            .decide(&mediator, &decision(&id, "start_mediation", s.version, &[]))
            .await
            .unwrap();
        let s = store
            .decide(&mediator, &decision(&id, "forward", s.version, &[]))
            .await
            .unwrap();
        let s = store
            .decide(&court, &decision(&id, "start_court_review", s.version, &[]))
            .await
            .unwrap();
        let s = store
            .decide(
                &court,
                &decision(
                    &id,
                    "issue_suggestion",
                    s.version,
                    &[
                        ("RC-A", FindingMark::Disputed),
                        ("MK-C", FindingMark::Confirmed),
                    ],
                ),
            )
            .await
            .unwrap();
        assert_eq!(s.status, Status::SuggestionIssued);
        let suggestion = s.suggestion.clone().unwrap();
        assert_eq!(suggestion.revision, 2);
        assert_eq!(
            suggestion.findings.len(),
            1,
            "the disputed finding is not to remedy"
        );
        assert_eq!(suggestion.findings[0]["code"], "MK-C");
        assert_eq!(suggestion.findings[0]["recommendation"], "fix MK-C");
        // Remedy: resubmitted, taken straight up by the court, marked remedied, confirmed.
        let s = store
            .submit(&bank, &product("BANK-A", "P-1", 20.0, &[]))
            .await
            .unwrap();
        assert_eq!((s.status, s.revision), (Status::Resubmitted, 3));
        let s = store
            .decide(&court, &decision(&id, "start_court_review", s.version, &[]))
            .await
            .unwrap();
        let s = store
            .decide(
                &court,
                &decision(
                    &id,
                    "confirm",
                    s.version,
                    &[("MK-C", FindingMark::Remedied)],
                ),
            )
            .await
            .unwrap();
        assert_eq!(s.status, Status::Confirmed);
        // The remedied finding is gone from revision 3, and shown there with its mark.
        let remedied = &s.revisions[2].findings[0];
        assert_eq!(
            (remedied.code.as_str(), remedied.marks[0].mark),
            ("MK-C", FindingMark::Remedied)
        );
        assert_eq!(remedied.finding["absent_from_revision"], true);
        let scores: Vec<f64> = s.revisions.iter().map(|r| r.overall).collect();
        assert_eq!(
            scores,
            vec![80.0, 60.0, 20.0],
            "{backend}: the scores over remediation"
        );
        assert_eq!(s.history.len(), 11);
        assert_eq!(s.version, 11);
        assert!(s.history.windows(2).all(|w| w[1].prev_hash == w[0].hash));
        let report = store.verify().await.unwrap();
        assert!(report.ok, "{backend}: {report:?}");
        assert_eq!((report.events, report.submissions), (11, 1));
        store.close().await;
    }
}

#[tokio::test]
async fn refusals_name_the_status_the_version_and_the_role() {
    for (backend, url) in backends("refusals").await {
        let store = Store::open(&url).await.unwrap();
        let bank = institution("BANK-A");
        let other = institution("BANK-B");
        let mediator = reviewer(Role::Mediator);
        let court = reviewer(Role::Court);
        let s = store
            .submit(&bank, &product("BANK-A", "P-1", 80.0, &["RC-A"]))
            .await
            .unwrap();
        let id = s.id.clone();
        // A disallowed transition names the current status.
        let e = store
            .decide(&court, &decision(&id, "confirm", 1, &[]))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                ReviewError::DisallowedTransition {
                    current: Status::Submitted,
                    ..
                }
            ),
            "{backend}: {e}"
        );
        assert!(e.to_string().contains("is submitted"), "{e}");
        // The wrong role.
        let e = store
            .decide(&court, &decision(&id, "forward", 1, &[]))
            .await
            .unwrap_err();
        assert!(matches!(e, ReviewError::WrongRole { .. }), "{e}");
        let e = store
            .decide(&bank, &decision(&id, "start_mediation", 1, &[]))
            .await
            .unwrap_err();
        assert!(matches!(e, ReviewError::WrongRole { .. }), "{e}");
        // A stale version names the current one; nothing is written.
        store
            .decide(&mediator, &decision(&id, "start_mediation", 1, &[]))
            .await
            .unwrap();
        let e = store
            .decide(&mediator, &decision(&id, "forward", 1, &[]))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                ReviewError::StaleVersion {
                    expected: 1,
                    current: 2,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("version 2"), "{e}");
        // A finding that the revision does not have.
        let e = store
            .decide(
                &mediator,
                &decision(&id, "forward", 2, &[("MK-NONE", FindingMark::Confirmed)]),
            )
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("finding: MK-NONE is not a finding"),
            "{e}"
        );
        // Resubmitting while under review.
        let e = store
            .submit(&bank, &product("BANK-A", "P-1", 10.0, &[]))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                ReviewError::UnderReview {
                    current: Status::UnderMediation,
                    ..
                }
            ),
            "{e}"
        );
        // Tenancy: another institution can neither read, decide, list nor submit for it.
        let e = store.get(&other, &id).await.unwrap_err();
        assert!(matches!(e, ReviewError::PermissionDenied(_)), "{e}");
        let e = store.audit_trail(&other, &id).await.unwrap_err();
        assert!(matches!(e, ReviewError::PermissionDenied(_)), "{e}");
        let e = store
            .submit(&other, &product("BANK-A", "P-2", 10.0, &[]))
            .await
            .unwrap_err();
        assert!(matches!(e, ReviewError::PermissionDenied(_)), "{e}");
        let q = QueueQuery {
            statuses: Status::ALL.to_vec(),
            ..QueueQuery::default()
        };
        assert!(store.queue(&other, &q).await.unwrap().entries.is_empty());
        assert_eq!(store.queue(&bank, &q).await.unwrap().entries.len(), 1);
        let e = store
            .queue(
                &other,
                &QueueQuery {
                    institution_id: Some("BANK-A".into()),
                    ..q.clone()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(e, ReviewError::PermissionDenied(_)), "{e}");
        assert!(store.events_after(&other, 0, 100).await.unwrap().is_empty());
        assert_eq!(store.events_after(&bank, 0, 100).await.unwrap().len(), 2);
        // A mediator cannot submit; nothing refused was written.
        let e = store
            .submit(&mediator, &product("BANK-A", "P-3", 1.0, &[]))
            .await
            .unwrap_err();
        assert!(matches!(e, ReviewError::PermissionDenied(_)), "{e}");
        let report = store.verify().await.unwrap();
        assert!(report.ok && report.events == 2, "{backend}: {report:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn queues_page_and_default_to_what_waits_for_the_role() {
    for (backend, url) in backends("queue").await {
        let store = Store::open(&url).await.unwrap();
        let mediator = reviewer(Role::Mediator);
        let court = reviewer(Role::Court);
        for i in 0..7 {
            let bank = if i % 2 == 0 { "BANK-A" } else { "BANK-B" };
            store
                .submit(
                    &institution(bank),
                    &product(bank, &format!("P-{i}"), f64::from(i), &[]),
                )
                .await
                .unwrap();
        }
        let mut ids = Vec::new();
        let mut token = String::new();
        loop {
            let page = store
                .queue(
                    &mediator,
                    &QueueQuery {
                        page_size: 3,
                        page_token: token.clone(),
                        ..QueueQuery::default()
                    },
                )
                .await
                .unwrap();
            ids.extend(page.entries.iter().map(|e| e.subject_id.clone()));
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        assert_eq!(
            ids,
            (0..7).map(|i| format!("P-{i}")).collect::<Vec<_>>(),
            "{backend}"
        );
        assert!(
            store
                .queue(&court, &QueueQuery::default())
                .await
                .unwrap()
                .entries
                .is_empty()
        );
        let a_only = store
            .queue(
                &mediator,
                &QueueQuery {
                    institution_id: Some("BANK-A".into()),
                    ..QueueQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(a_only.entries.len(), 4);
        let e = store
            .queue(
                &mediator,
                &QueueQuery {
                    page_size: 501,
                    ..QueueQuery::default()
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("page_size:"), "{e}");
        let e = store
            .queue(
                &mediator,
                &QueueQuery {
                    page_token: "x".into(),
                    ..QueueQuery::default()
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("page_token:"), "{e}");
        store.close().await;
    }
}

#[tokio::test]
async fn concurrent_deciders_on_one_version_one_wins() {
    for (backend, url) in backends("race").await {
        let store = Store::open(&url).await.unwrap();
        let bank = institution("BANK-A");
        let s = store
            .submit(&bank, &product("BANK-A", "P-1", 80.0, &[]))
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let store = store.clone();
            let id = s.id.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .decide(
                        &reviewer(Role::Mediator),
                        &decision(&id, "start_mediation", 1, &[]),
                    )
                    .await
            }));
        }
        // Meanwhile, 24 other products are submitted.
        let mut submits = Vec::new();
        for i in 0..24 {
            let store = store.clone();
            submits.push(tokio::spawn(async move {
                store
                    .submit(
                        &institution("BANK-C"),
                        &product("BANK-C", &format!("Q-{i}"), 1.0, &[]),
                    )
                    .await
            }));
        }
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => won += 1,
                Err(
                    ReviewError::StaleVersion { .. } | ReviewError::DisallowedTransition { .. },
                ) => {}
                Err(e) => panic!("{backend}: {e}"),
            }
        }
        assert_eq!(won, 1, "{backend}");
        for t in submits {
            t.await.unwrap().unwrap();
        }
        let report = store.verify().await.unwrap();
        assert!(report.ok, "{backend}: {report:?}");
        assert_eq!((report.events, report.submissions), (26, 25), "{backend}");
        store.close().await;
    }
}

/// Runs `tamper` directly on the database of a store with a short history, and returns what
/// `verify` says.
async fn verify_after(url: &str, tamper: &str) -> finrisk_review::ChainReport {
    let store = Store::open(url).await.unwrap();
    let bank = institution("BANK-A");
    let s = store
        .submit(&bank, &product("BANK-A", "P-1", 80.0, &["RC-A"]))
        .await
        .unwrap();
    store
        .submit(&bank, &product("BANK-A", "P-2", 30.0, &[]))
        .await
        .unwrap();
    let m = reviewer(Role::Mediator);
    let s = store
        .decide(&m, &decision(&s.id, "start_mediation", 1, &[]))
        .await
        .unwrap();
    store
        .decide(
            &m,
            &decision(
                &s.id,
                "return",
                s.version,
                &[("RC-A", FindingMark::Confirmed)],
            ),
        )
        .await
        .unwrap();
    assert!(store.verify().await.unwrap().ok);
    store.close().await;
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    pool.execute(tamper).await.unwrap();
    pool.close().await;
    let store = Store::open(url).await.unwrap();
    let report = store.verify().await.unwrap();
    store.close().await;
    report
}

#[tokio::test]
async fn the_chain_detects_direct_edits_and_deletions() {
    let cases: [(&str, &str, i64, &str); 7] = [
        (
            "status",
            "UPDATE submissions SET status = 'confirmed' WHERE id = 'SUB-1'",
            4,
            "stored state",
        ),
        (
            "event detail",
            "UPDATE events SET detail = '{}' WHERE seq = 3",
            3,
            "edited",
        ),
        (
            "event deleted",
            "DELETE FROM events WHERE seq = 2",
            2,
            "missing",
        ),
        (
            "last event deleted",
            "DELETE FROM events WHERE seq = 4",
            4,
            "head",
        ),
        (
            "mark note",
            "UPDATE finding_marks SET note = 'changed'",
            4,
            "stored state",
        ),
        (
            "document",
            "UPDATE documents SET content = 'x' WHERE submission_id = 'SUB-2'",
            2,
            "document product",
        ),
        (
            "submission deleted",
            "DELETE FROM submissions WHERE id = 'SUB-2'",
            2,
            "missing",
        ),
    ];
    for (what, sql, seq, says) in cases {
        for (backend, url) in backends("tamper").await {
            let report = verify_after(&url, sql).await;
            assert!(!report.ok, "{backend} {what}: not detected");
            let broken = report.broken.unwrap();
            assert_eq!(broken.seq, seq, "{backend} {what}: {broken:?}");
            assert!(
                broken.reason.contains(says),
                "{backend} {what}: {}",
                broken.reason
            );
        }
    }
}
