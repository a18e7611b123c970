//! The diagnostic report of one review submission: a self-contained HTML page (no external
//! file, script or font) with the composite score and grade, each finding with its evidence,
//! basis and recommendation and the reviewers' notes on it, the judicial suggestion, the scores
//! of every revision over time (an inline SVG chart) and the audit history.

use super::DIMENSIONS;
use super::html::escape;
use finrisk_review::SubmissionView;
use finrisk_review::store::RevisionView;
use serde_json::Value;

/// The inline SVG chart of the overall score of every revision.
fn scores_chart(revisions: &[RevisionView]) -> String {
    let (width, height, left, right, top, bottom) = (700.0_f64, 240.0_f64, 72.0, 72.0, 16.0, 40.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let n = revisions.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |score: f64| top + plot_h * (1.0 - score.clamp(0.0, 100.0) / 100.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Overall score by revision\">\n"
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        svg.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{x2}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{tx}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"end\">{tick}</text>\n",
            y = y(tick),
            x2 = width - right,
            tx = left - 6.0,
            ty = y(tick) + 4.0
        ));
    }
    let points: Vec<String> = revisions
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(r.overall)))
        .collect();
    svg.push_str(&format!(
        "<polyline fill=\"none\" stroke=\"#b03a2e\" stroke-width=\"2\" points=\"{}\"/>\n",
        points.join(" ")
    ));
    for (i, r) in revisions.iter().enumerate() {
        svg.push_str(&format!(
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"4\" fill=\"#b03a2e\"><title>revision {rev}: {score:.1} ({grade})</title></circle>\
             <text x=\"{cx:.1}\" y=\"{ly:.1}\" font-size=\"11\" text-anchor=\"middle\">{score:.1} {grade}</text>\
             <text x=\"{cx:.1}\" y=\"{by:.1}\" font-size=\"11\" text-anchor=\"middle\">rev {rev} · {date}</text>\n",
            cx = x(i),
            cy = y(r.overall),
            ly = y(r.overall) - 8.0,
            by = height - bottom + 18.0,
            rev = r.revision,
            score = r.overall,
            grade = escape(&r.grade),
            date = escape(r.created_at.get(..10).unwrap_or(&r.created_at)),
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn text_of(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The page.
pub(crate) fn page(v: &SubmissionView) -> String {
    let mut h = String::with_capacity(16 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!(
        "<title>finrisk diagnostic report {}</title>",
        escape(&v.id)
    ));
    h.push_str(
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}\
         table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font-size:13px}\
         th{background:#f4f4f4;text-align:left}.grade{font-size:2em;font-weight:bold}.muted{color:#666}\
         code{font-size:12px;word-break:break-all}.confirmed{color:#b03a2e}.disputed{color:#1f618d}.remedied{color:#1e8449}</style></head><body>\n",
    );
    h.push_str(&format!(
        "<h1>Diagnostic report: {} {}</h1>\n<p>{} <b>{}</b> of institution <b>{}</b>: status <b>{}</b>, version {}, revision {} (first submitted {}, last changed {}).</p>\n",
        escape(&v.id),
        escape(v.kind.as_str()),
        escape(v.kind.as_str()),
        escape(&v.subject_id),
        escape(&v.institution_id),
        escape(v.status.as_str()),
        v.version,
        v.revision,
        escape(&v.created_at),
        escape(&v.updated_at)
    ));
    if let Some(parent) = &v.parent_id {
        h.push_str(&format!(
            "<p>Attached to submission {}.</p>\n",
            escape(parent)
        ));
    }
    // Composite score and grade of the current revision.
    let scores = v.assessment.get("scores");
    h.push_str("<h2>Composite score</h2>\n<table><tr>");
    for (_, label) in DIMENSIONS {
        h.push_str(&format!("<th>{label}</th>"));
    }
    h.push_str("<th>Grade</th></tr><tr>");
    for (key, _) in DIMENSIONS {
        let value = scores
            .and_then(|s| s.get(key))
            .and_then(Value::as_f64)
            .map_or_else(|| "n/a".to_string(), |x| format!("{x:.1}"));
        h.push_str(&format!("<td>{value}</td>"));
    }
    h.push_str(&format!(
        "<td class=\"grade\">{}</td></tr></table>\n<p class=\"muted\">0 to 100, higher is worse; grade A (best) to E.</p>\n",
        escape(&text_of(&v.assessment, "grade"))
    ));
    // Scores over time.
    h.push_str("<h2>Scores of every revision</h2>\n");
    h.push_str(&scores_chart(&v.revisions));
    h.push_str("\n<table><tr><th>Revision</th><th>Submitted</th><th>Overall</th><th>Grade</th><th>Findings</th><th>Ruleset</th><th>Model</th></tr>\n");
    for r in &v.revisions {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            r.revision,
            escape(&r.created_at),
            r.overall,
            escape(&r.grade),
            escape(
                &r.findings
                    .iter()
                    .map(|f| f.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            escape(&r.ruleset_version),
            escape(&r.model_version)
        ));
    }
    h.push_str("</table>\n");
    // Findings of the current revision with the reviewers' notes.
    if let Some(current) = v.revisions.iter().find(|r| r.revision == v.revision) {
        h.push_str(&format!(
            "<h2>Findings of revision {}</h2>\n",
            current.revision
        ));
        if current.findings.is_empty() {
            h.push_str("<p>No finding.</p>\n");
        } else {
            h.push_str("<table><tr><th>Code</th><th>Dimension</th><th>Severity</th><th>Evidence</th><th>Basis</th><th>Recommendation</th><th>Reviewers</th></tr>\n");
            for f in &current.findings {
                let marks = f
                    .marks
                    .iter()
                    .map(|m| {
                        format!(
                            "<span class=\"{mark}\">{mark}</span> by {role} {actor}{note}",
                            mark = escape(m.mark.as_str()),
                            role = escape(&m.role),
                            actor = escape(&m.actor),
                            note = if m.note.is_empty() {
                                String::new()
                            } else {
                                format!(": {}", escape(&m.note))
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>");
                h.push_str(&format!(
                    "<tr><td><b>{}</b></td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    escape(&f.code),
                    escape(&text_of(&f.finding, "dimension")),
                    escape(&text_of(&f.finding, "severity")),
                    escape(&f.finding.get("evidence").map(Value::to_string).unwrap_or_default()),
                    escape(&text_of(&f.finding, "basis")),
                    escape(&text_of(&f.finding, "recommendation")),
                    if marks.is_empty() { "<span class=\"muted\">not reviewed</span>".to_string() } else { marks }
                ));
            }
            h.push_str("</table>\n");
        }
    }
    if let Some(s) = &v.suggestion {
        h.push_str(&format!(
            "<h2>Judicial suggestion</h2>\n<p>Issued {} by {} on revision {} (audit event {}).{}</p>\n<ol>\n",
            escape(&s.issued_at),
            escape(&s.actor),
            s.revision,
            s.event_seq,
            if s.note.is_empty() {
                String::new()
            } else {
                format!(" {}", escape(&s.note))
            }
        ));
        let current = v.revisions.iter().find(|r| r.revision == v.revision);
        for f in &s.findings {
            let code = text_of(f, "code");
            // Follow-up on a later revision: is the finding still there?
            let follow_up = match current {
                Some(r) if r.revision > s.revision => {
                    let present = r
                        .findings
                        .iter()
                        .any(|g| g.code == code && g.finding.get("absent_from_revision").is_none());
                    if present {
                        format!(" <b>Still present in revision {}.</b>", r.revision)
                    } else {
                        format!(
                            " <span class=\"remedied\">Absent from revision {}.</span>",
                            r.revision
                        )
                    }
                }
                _ => String::new(),
            };
            h.push_str(&format!(
                "<li><b>{}</b>: {}{}<br><span class=\"muted\">Basis: {}</span></li>\n",
                escape(&code),
                escape(&text_of(f, "recommendation")),
                follow_up,
                escape(&text_of(f, "basis"))
            ));
        }
        h.push_str("</ol>\n");
    }
    h.push_str("<h2>History</h2>\n<table><tr><th>Event</th><th>When</th><th>Who</th><th>Role</th><th>Action</th><th>Status</th><th>Note</th><th>Hash</th></tr>\n");
    for e in &v.history {
        let note = serde_json::from_str::<Value>(&e.detail)
            .ok()
            .map(|d| text_of(&d, "note"))
            .unwrap_or_default();
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} &rarr; {}</td><td>{}</td><td><code>{}</code></td></tr>\n",
            e.seq,
            escape(&e.at),
            escape(&e.actor),
            escape(&e.role),
            escape(&e.action),
            escape(if e.from_status.is_empty() { "-" } else { &e.from_status }),
            escape(&e.to_status),
            escape(&note),
            escape(e.hash.get(..16).unwrap_or(&e.hash))
        ));
    }
    h.push_str("</table>\n<h2>Documents</h2>\n<table><tr><th>Revision</th><th>Document</th><th>File</th><th>Bytes</th><th>SHA-256</th></tr>\n");
    for r in &v.revisions {
        for d in &r.documents {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
                r.revision,
                escape(&d.name),
                escape(&d.file_name),
                d.bytes,
                escape(&d.sha256)
            ));
        }
    }
    h.push_str("</table>\n<p class=\"muted\">Every change above is an event of the hash-chained audit trail; <code>finrisk audit verify</code> checks it.</p>\n</body></html>\n");
    h
}
