//! `finrisk review` and `finrisk audit`: the review loop for a single user on a local database
//! (or a PostgreSQL URL). The store and its rules are in `finrisk-review`; this module assesses
//! the documents, maps the arguments and prints the results.

use crate::cli::{
    AuditArgs, AuditCommand, Format, ReviewArgs, ReviewCommand, ReviewDecideArgs, ReviewQueueArgs,
    ReviewReportArgs, ReviewShowArgs, ReviewSubmitArgs,
};
use crate::failure::bad_input;
use crate::input::{load_ruleset, read_document};
use crate::output::to_json;
use finrisk_engine::assess::assess_case;
use finrisk_engine::domain::Case;
use finrisk_engine::marketing::ClaimGrammar;
use finrisk_review::store::{MarkRequest, QueueQuery, SubmissionKind};
use finrisk_review::{
    Actor, ChainReport, DecisionRequest, Document, FindingMark, NewSubmission, Role, Status, Store,
    SubmissionView, database_url,
};
use std::path::Path;

/// Runs `f` on the store at `db` in a single-threaded runtime.
fn with_store<T>(
    db: &str,
    f: impl AsyncFnOnce(&Store) -> Result<T, finrisk_review::ReviewError>,
) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::open(&database_url(db)).await?;
        let out = f(&store).await;
        store.close().await;
        Ok(out?)
    })
}

fn parse_role(role: &str) -> anyhow::Result<Role> {
    role.parse().map_err(|e| bad_input(format!("role: {e}")))
}

/// `finrisk review ...`.
pub(crate) fn run(args: &ReviewArgs) -> anyhow::Result<String> {
    match &args.command {
        ReviewCommand::Submit(a) => submit(a),
        ReviewCommand::Decide(a) => decide(a),
        ReviewCommand::Show(a) => show(a),
        ReviewCommand::Queue(a) => queue(a),
        ReviewCommand::Report(a) => report(a),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn submit(a: &ReviewSubmitArgs) -> anyhow::Result<String> {
    let submission = if let Some(product_path) = &a.product {
        let institution = a.institution.clone().ok_or_else(|| {
            bad_input("institution: --institution is required with --product (the submitting institution)")
        })?;
        let assessed = super::assess_product::assess(
            product_path,
            a.grants.as_deref(),
            &a.pd.pd_model,
            a.as_of.as_deref(),
            a.rules.rules.as_deref(),
            a.max_document_bytes,
        )?;
        if assessed.assessment.institution_id != institution {
            return Err(bad_input(format!(
                "institution: the product's institution_id is {}, not {institution}",
                assessed.assessment.institution_id
            )));
        }
        let mut documents = vec![Document {
            name: "product".into(),
            file_name: file_name(product_path),
            content: assessed.document.clone().into_bytes(),
        }];
        if let Some(grants) = &a.grants {
            let content = std::fs::read(grants)
                .map_err(|e| bad_input(format!("grants: cannot read {}: {e}", grants.display())))?;
            documents.push(Document {
                name: "grants".into(),
                file_name: file_name(grants),
                content,
            });
        }
        let model_version = assessed
            .assessment
            .portfolio
            .as_ref()
            .and_then(|p| p.pd.as_ref())
            .map_or_else(|| "none".to_string(), |pd| pd.model.clone());
        let submission = NewSubmission {
            kind: SubmissionKind::Product,
            institution_id: institution.clone(),
            subject_id: assessed.assessment.product_id.clone(),
            parent_id: None,
            documents,
            ruleset_version: assessed.assessment.ruleset_version.clone(),
            model_version,
            assessment: super::assess_product::output_json(&assessed)?,
            expected_version: a.expected_version,
            note: a.note.clone(),
        };
        (
            Actor {
                name: a.actor.actor.clone(),
                role: Role::Institution,
                institution: Some(institution),
            },
            submission,
        )
    } else if let Some(case_path) = &a.case {
        let document = read_document(case_path, "case", a.max_document_bytes)?;
        let case = Case::from_json(&document)?;
        let ruleset = load_ruleset(a.rules.rules.as_deref(), case.jurisdiction)?;
        let grammar = ClaimGrammar::embedded()?;
        let assessed = assess_case(&case, &ruleset, &grammar)?;
        let role = parse_role(&a.role)?;
        let institution_id = assessed.institution_id.clone();
        let actor = match role {
            Role::Court => Actor {
                name: a.actor.actor.clone(),
                role,
                institution: None,
            },
            Role::Institution => {
                let institution = a.institution.clone().ok_or_else(|| {
                    bad_input("institution: --institution is required with --role institution")
                })?;
                if institution != institution_id {
                    return Err(bad_input(format!(
                        "institution: the case's institution is {institution_id}, not {institution}"
                    )));
                }
                Actor {
                    name: a.actor.actor.clone(),
                    role,
                    institution: Some(institution),
                }
            }
            Role::Mediator => {
                return Err(bad_input(
                    "role: a case is submitted by a court or by its institution, not a mediator",
                ));
            }
        };
        let submission = NewSubmission {
            kind: SubmissionKind::Case,
            institution_id,
            subject_id: assessed.case_id.clone(),
            parent_id: a.attach_to.clone(),
            documents: vec![Document {
                name: "case".into(),
                file_name: file_name(case_path),
                content: document.into_bytes(),
            }],
            ruleset_version: assessed.ruleset_version.clone(),
            model_version: "none".into(),
            assessment: serde_json::to_value(&assessed)?,
            expected_version: a.expected_version,
            note: a.note.clone(),
        };
        (actor, submission)
    } else {
        return Err(bad_input("product: give --product FILE or --case FILE"));
    };
    let (actor, submission) = submission;
    let view = with_store(&a.database.db, async |store| {
        store.submit(&actor, &submission).await
    })?;
    print_view(&view, a.format)
}

/// Parses `CODE=MARK[:NOTE]`.
fn parse_mark(text: &str) -> anyhow::Result<MarkRequest> {
    let (code, rest) = text.split_once('=').ok_or_else(|| {
        bad_input(format!(
            "finding: {text:?} is not CODE=confirmed|disputed|remedied[:NOTE]"
        ))
    })?;
    let (mark, note) = rest.split_once(':').unwrap_or((rest, ""));
    let mark: FindingMark = mark
        .trim()
        .parse()
        .map_err(|e| bad_input(format!("finding: {code}: {e}")))?;
    if code.trim().is_empty() {
        return Err(bad_input(format!(
            "finding: {text:?} has no code before '='"
        )));
    }
    Ok(MarkRequest {
        code: code.trim().to_string(),
        mark,
        note: note.trim().to_string(),
    })
}

fn decide(a: &ReviewDecideArgs) -> anyhow::Result<String> {
    let role = parse_role(&a.role)?;
    let decision = a
        .decision
        .parse()
        .map_err(|e| bad_input(format!("decision: {e}")))?;
    let marks = a
        .findings
        .iter()
        .map(|f| parse_mark(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let actor = Actor {
        name: a.actor.actor.clone(),
        role,
        institution: None,
    };
    let request = DecisionRequest {
        submission_id: a.submission.clone(),
        decision,
        expected_version: a.expected_version,
        note: a.note.clone(),
        marks,
    };
    let view = with_store(&a.database.db, async |store| {
        store.decide(&actor, &request).await
    })?;
    print_view(&view, a.format)
}

/// The command line acts as the court when it reads: it sees every institution's submissions.
fn reader() -> Actor {
    Actor {
        name: "cli".into(),
        role: Role::Court,
        institution: None,
    }
}

fn show(a: &ReviewShowArgs) -> anyhow::Result<String> {
    let view = with_store(&a.database.db, async |store| {
        store.get(&reader(), &a.submission).await
    })?;
    print_view(&view, a.format)
}

fn queue(a: &ReviewQueueArgs) -> anyhow::Result<String> {
    let role = parse_role(&a.role)?;
    let statuses = a
        .statuses
        .iter()
        .map(|s| {
            s.parse::<Status>()
                .map_err(|e| bad_input(format!("status: {e}")))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let actor = match role {
        Role::Institution => Actor {
            name: "cli".into(),
            role,
            institution: Some(a.institution.clone().ok_or_else(|| {
                bad_input("institution: --institution is required with --role institution")
            })?),
        },
        Role::Mediator | Role::Court => Actor {
            name: "cli".into(),
            role,
            institution: None,
        },
    };
    let query = QueueQuery {
        statuses,
        institution_id: a.institution.clone(),
        page_size: a.page_size,
        page_token: a.page_token.clone(),
    };
    let page = with_store(&a.database.db, async |store| {
        store.queue(&actor, &query).await
    })?;
    match a.format {
        Format::Json => to_json(&page),
        Format::Text => {
            let mut s = format!(
                "{} submission(s) in {}\n",
                page.entries.len(),
                page.statuses
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for e in &page.entries {
                s.push_str(&format!(
                    "{:<10} {:<7} {:<12} {:<16} {:<18} v{:<3} rev {:<2} overall {:>5.1} {}\n",
                    e.id,
                    e.kind.as_str(),
                    e.institution_id,
                    e.subject_id,
                    e.status.as_str(),
                    e.version,
                    e.revision,
                    e.overall,
                    e.grade
                ));
            }
            if !page.next_page_token.is_empty() {
                s.push_str(&format!("more: --page-token {}\n", page.next_page_token));
            }
            Ok(s)
        }
    }
}

fn report(a: &ReviewReportArgs) -> anyhow::Result<String> {
    let view = with_store(&a.database.db, async |store| {
        store.get(&reader(), &a.submission).await
    })?;
    let html = crate::report::review::page(&view);
    match &a.out {
        None => Ok(html),
        Some(path) => {
            std::fs::write(path, &html)
                .map_err(|e| anyhow::anyhow!("cannot write the report {}: {e}", path.display()))?;
            let json_path = path.with_extension("json");
            std::fs::write(&json_path, to_json(&view)?).map_err(|e| {
                anyhow::anyhow!("cannot write the report {}: {e}", json_path.display())
            })?;
            to_json(&serde_json::json!({
                "submission": view.id,
                "html": path.display().to_string(),
                "json": json_path.display().to_string(),
            }))
        }
    }
}

fn print_view(view: &SubmissionView, format: Format) -> anyhow::Result<String> {
    match format {
        Format::Json => to_json(view),
        Format::Text => Ok(text(view)),
    }
}

fn text(v: &SubmissionView) -> String {
    let mut s = format!(
        "{} ({} {} of {}): {}, version {}, revision {}\n",
        v.id,
        v.kind.as_str(),
        v.subject_id,
        v.institution_id,
        v.status,
        v.version,
        v.revision
    );
    for r in &v.revisions {
        s.push_str(&format!(
            "  revision {} ({}): overall {:.1}, grade {}, ruleset {}, model {}\n",
            r.revision, r.created_at, r.overall, r.grade, r.ruleset_version, r.model_version
        ));
        for f in &r.findings {
            let marks = f
                .marks
                .iter()
                .map(|m| {
                    if m.note.is_empty() {
                        format!("{} by {}", m.mark, m.role)
                    } else {
                        format!("{} by {} ({})", m.mark, m.role, m.note)
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            if marks.is_empty() {
                s.push_str(&format!("    {}\n", f.code));
            } else {
                s.push_str(&format!("    {}: {marks}\n", f.code));
            }
        }
    }
    if let Some(sug) = &v.suggestion {
        s.push_str(&format!(
            "Judicial suggestion (event {}, revision {}): remedy {}\n",
            sug.event_seq,
            sug.revision,
            sug.findings
                .iter()
                .filter_map(|f| f.get("code").and_then(|c| c.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    s.push_str("History:\n");
    for e in &v.history {
        let note = serde_json::from_str::<serde_json::Value>(&e.detail)
            .ok()
            .and_then(|d| d.get("note").and_then(|n| n.as_str()).map(str::to_string))
            .unwrap_or_default();
        s.push_str(&format!(
            "  {:>4} {} {} ({}) {}: {} -> {}{}\n",
            e.seq,
            e.at,
            e.actor,
            e.role,
            e.action,
            if e.from_status.is_empty() {
                "-"
            } else {
                &e.from_status
            },
            e.to_status,
            if note.is_empty() {
                String::new()
            } else {
                format!(" \"{note}\"")
            }
        ));
    }
    s
}

/// `finrisk audit ...`.
pub(crate) fn audit(args: &AuditArgs) -> anyhow::Result<String> {
    match &args.command {
        AuditCommand::Verify(a) => {
            let report = with_store(&a.database.db, async |store| store.verify().await)?;
            let output = match a.format {
                Format::Json => to_json(&report)?,
                Format::Text => verify_text(&report),
            };
            match &report.broken {
                None => Ok(output),
                Some(b) => Err(anyhow::Error::new(crate::failure::ChainBroken {
                    output,
                    message: format!("audit chain broken at event {}: {}", b.seq, b.reason),
                })),
            }
        }
    }
}

fn verify_text(r: &ChainReport) -> String {
    match &r.broken {
        None => format!(
            "audit chain holds: {} events, {} submissions, head {}\n",
            r.events, r.submissions, r.head_hash
        ),
        Some(b) => format!(
            "audit chain BROKEN at event {}{}: {}\n",
            b.seq,
            b.submission_id
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default(),
            b.reason
        ),
    }
}
