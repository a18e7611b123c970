//! `finrisk report` end to end on generated data scored by `finrisk batch`: every chart is a
//! real PNG, embedded in the HTML page (checked with a small HTML parser: balanced tags, each
//! chart's data URI decodes to the PNG file, nothing fetched from the network), and the
//! Markdown and JSON carry the same figures.

#![expect(
    clippy::expect_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{bad_input_line, json_of as ok, run};
use serde_json::Value;
use std::path::Path;

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            other => panic!("not base64: {other}"),
        }
    };
    let bytes = text.as_bytes();
    assert_eq!(bytes.len() % 4, 0);
    let mut out = Vec::new();
    for quad in bytes.chunks(4) {
        let pad = quad.iter().filter(|&&c| c == b'=').count();
        let n = quad
            .iter()
            .take(4 - pad)
            .fold(0u32, |n, &c| (n << 6) | value(c))
            << (6 * pad);
        let three = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&three[..3 - pad]);
    }
    out
}

/// PNG signature, and the width and height from the IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// A start or end tag of the page.
struct Tag {
    name: String,
    closing: bool,
    attributes: Vec<(String, String)>,
}

/// Tags of an HTML page, with a check that every non-void element is closed in order.
fn parse_html(html: &str) -> Vec<Tag> {
    const VOID: [&str; 4] = ["meta", "img", "br", "link"];
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').expect("unclosed tag");
        let inner = &rest[..end];
        rest = &rest[end + 1..];
        if inner.starts_with('!') {
            continue; // <!DOCTYPE html>
        }
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        let mut attributes = Vec::new();
        let mut attrs = &inner[name_end..];
        while let Some(eq) = attrs.find("=\"") {
            let key = attrs[..eq].trim().to_string();
            let after = &attrs[eq + 2..];
            let close = after.find('"').expect("unterminated attribute");
            attributes.push((key, after[..close].to_string()));
            attrs = &after[close + 1..];
        }
        if name == "style" && !closing {
            // Skip the stylesheet's text (it has no tags).
            let close = rest.find("</style>").expect("unclosed style");
            rest = &rest[close..];
        }
        tags.push(Tag {
            name,
            closing,
            attributes,
        });
    }
    let mut open: Vec<&str> = Vec::new();
    for t in &tags {
        if VOID.contains(&t.name.as_str()) {
            continue;
        }
        if t.closing {
            assert_eq!(open.pop(), Some(t.name.as_str()), "misnested </{}>", t.name);
        } else {
            open.push(&t.name);
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
    tags
}

fn attribute<'t>(tag: &'t Tag, key: &str) -> Option<&'t str> {
    tag.attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Scores the generated grants of `dir` into `scores` with `finrisk batch`.
fn score(dir: &Path, scores: &Path) {
    ok(&run(&[
        "batch",
        "--kind",
        "grants",
        "--input",
        dir.join("grants.parquet").to_str().expect("a UTF-8 path"),
        "--output",
        scores.to_str().expect("a UTF-8 path"),
        "--quiet",
    ]));
}

#[test]
fn report_of_generated_scores_has_every_chart_in_html_markdown_and_json() {
    let (dir, _) = common::generated("finrisk-report", "full", 20_000);
    let scores = dir.join("scores.parquet");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    score(&dir, &scores);
    let out = dir.join("report");
    let summary = ok(&run(&[
        "report",
        "--input",
        &s(&scores),
        "--out",
        &s(&out),
        "--truth",
        &s(&dir.join("truth/grants.parquet")),
    ]));
    let charts = [
        "scores",
        "findings",
        "institutions",
        "roc",
        "calibration",
        "vintages",
        "psi",
    ];
    assert_eq!(summary["charts"], serde_json::json!(charts));

    // The page: well formed, every chart embedded as the PNG file beside it, no network.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    let tags = parse_html(&html);
    for t in &tags {
        for key in ["src", "href"] {
            if let Some(v) = attribute(t, key) {
                assert!(v.starts_with("data:"), "<{}> fetches {v}", t.name);
            }
        }
    }
    for id in charts {
        let file = std::fs::read(out.join(format!("{id}.png"))).unwrap();
        let (w, h) = png_size(&file);
        assert_eq!(w, 960, "{id}.png");
        assert!(h >= 270, "{id}.png is {w}x{h}");
        let img = tags
            .iter()
            .find(|t| t.name == "img" && attribute(t, "id") == Some(&format!("chart-{id}")))
            .unwrap_or_else(|| panic!("no <img id=chart-{id}>"));
        assert!(!attribute(img, "alt").unwrap().is_empty());
        let src = attribute(img, "src").unwrap();
        let data = src.strip_prefix("data:image/png;base64,").unwrap();
        assert_eq!(decode_base64(data), file, "{id}: embedded image differs");
        assert!(
            tags.iter()
                .any(|t| t.name == "section" && attribute(t, "id") == Some(id))
        );
    }

    // The same figures in JSON and Markdown.
    let figures: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert_eq!(figures["rows"], 20_000);
    let separation = figures["outcomes"]["separation"].as_array().unwrap();
    assert_eq!(separation.len(), 4);
    for s in separation {
        let auc = s["auc"].as_f64().unwrap();
        assert!(auc > 0.55 && auc < 1.0, "{s}");
        let shown = format!("{auc:.4}");
        assert!(md.contains(&shown), "{shown} not in report.md");
        assert!(html.contains(&shown), "{shown} not in report.html");
    }
    for id in charts {
        assert!(md.contains(&format!("({id}.png)")), "{id}.png not linked");
    }
    assert_eq!(
        figures["institutions"].as_array().unwrap().len(),
        10,
        "ten generated institutions"
    );
    assert!(figures["stability"].as_array().unwrap().len() >= 2);
    assert_eq!(
        figures["provenance"]["pd_model"],
        "pd_lending_club_grants@1"
    );
    let labels = &figures["labels"];
    assert_eq!(labels["rows_matched"], 20_000);
    assert_eq!(labels["codes"]["DC-SHARED-IDENTITY"]["precision"], 1.0);
    assert!(
        labels["dimension_auc"]["duplicate_credit"]
            .as_f64()
            .unwrap()
            > 0.9
    );
}

/// AUC by pair counting over ranks (ties half), from the table itself.
fn auc_of(scores: &[f64], defaulted: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < order.len() {
        let mut j = i;
        while j < order.len() && scores[order[j]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1..=j share their mean.
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += order[i..j].iter().filter(|&&r| defaulted[r]).count() as f64 * mean_rank;
        i = j;
    }
    let pos = defaulted.iter().filter(|&&d| d).count() as f64;
    let neg = defaulted.len() as f64 - pos;
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

#[test]
fn a_streamed_report_does_not_depend_on_chunks_or_format_and_its_figures_are_exact() {
    let (dir, _) = common::generated("finrisk-report", "chunks", 12_000);
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let mut outputs = Vec::new();
    for (ext, chunk) in [("parquet", "65536"), ("csv", "997")] {
        let scores = dir.join(format!("scores.{ext}"));
        score(&dir, &scores);
        let out = dir.join(format!("report-{ext}"));
        ok(&run(&[
            "report",
            "--input",
            &s(&scores),
            "--out",
            &s(&out),
            "--chunk-rows",
            chunk,
        ]));
        let mut figures: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        for key in ["input", "input_sha256", "provenance"] {
            figures[key] = Value::Null;
        }
        outputs.push(figures);
    }
    assert_eq!(outputs[0], outputs[1]);
    // The overall score's AUC against `defaulted`, recomputed from the table.
    let table = finrisk_datasets::read_table(&dir.join("scores.parquet")).unwrap();
    let column = |name: &str| -> Vec<f64> {
        let c = table
            .column(name)
            .unwrap()
            .cast(&polars::prelude::DataType::Float64)
            .unwrap();
        c.f64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect()
    };
    let (overall, defaulted) = (column("overall"), column("defaulted"));
    let known: Vec<usize> = (0..overall.len())
        .filter(|&i| !defaulted[i].is_nan())
        .collect();
    let expected = auc_of(
        &known.iter().map(|&i| overall[i]).collect::<Vec<_>>(),
        &known
            .iter()
            .map(|&i| defaulted[i] == 1.0)
            .collect::<Vec<_>>(),
    );
    let reported = outputs[0]["outcomes"]["separation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["score"] == "overall")
        .unwrap()["auc"]
        .as_f64()
        .unwrap();
    assert!((reported - expected).abs() < 1e-12, "{reported} {expected}");
    // The median overall score, from the sorted column.
    let mut sorted = overall.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[((sorted.len() - 1) as f64 * 0.5).round() as usize];
    let distribution = outputs[0]["distributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dimension"] == "overall")
        .unwrap()
        .clone();
    assert_eq!(distribution["median"].as_f64().unwrap(), median);
}

#[test]
fn report_refuses_a_table_without_scores_naming_the_column() {
    let dir = common::scratch("finrisk-report", "bad");
    let refused = |name: &str, text: &str| {
        let input = dir.join(name);
        std::fs::write(&input, text).unwrap();
        bad_input_line(&run(&[
            "report",
            "--input",
            input.to_str().unwrap(),
            "--out",
            dir.join("r").to_str().unwrap(),
        ]))
    };
    let stderr = refused("not-scores.csv", "grant_id,findings,overall\nG1,,10\n");
    assert!(stderr.contains("weak_risk_control"), "{stderr}");
    let stderr = refused(
        "bad-number.csv",
        "findings,weak_risk_control,duplicate_credit,one_sided_marketing,overall\n,1,2,3,4\n,1,x,3,4\n",
    );
    assert!(stderr.contains("duplicate_credit: row 2"), "{stderr}");
}

#[test]
fn report_refuses_a_bad_truth_table_naming_the_truth() {
    let dir = common::scratch("finrisk-report", "bad-truth");
    let scores = dir.join("scores.csv");
    std::fs::write(
        &scores,
        "grant_id,findings,weak_risk_control,duplicate_credit,one_sided_marketing,overall\nG1,,1,2,3,4\nG2,,1,2,3,4\n",
    )
    .unwrap();
    let refused = |truth: &Path| {
        bad_input_line(&run(&[
            "report",
            "--input",
            scores.to_str().unwrap(),
            "--out",
            dir.join("r").to_str().unwrap(),
            "--truth",
            truth.to_str().unwrap(),
        ]))
    };
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let stderr = refused(&dir.join("missing.csv"));
    assert!(
        stderr.contains("truth: ") && stderr.contains("missing.csv"),
        "{stderr}"
    );
    let stderr = refused(&write("no-codes.csv", "grant_id,person_id\nG1,P1\n"));
    assert!(stderr.contains("has no `codes` column"), "{stderr}");
    // Found while the truth is read along with the scores, and named by its row.
    let stderr = refused(&write(
        "empty-id.csv",
        "grant_id,codes\nG1,RC-DTI-HIGH\n,\n",
    ));
    assert!(
        stderr.contains("truth: row 2: grant_id is empty"),
        "{stderr}"
    );
    let stderr = refused(&write(
        "bad-count.csv",
        "grant_id,codes,person_grants\nG1,,1\nG2,,many\n",
    ));
    assert!(stderr.contains("row 2: person_grants"), "{stderr}");
    // A good one: both rows matched, in the scores' order or not.
    let good = write(
        "good.csv",
        "grant_id,codes,person_grants\nG2,,2\nG1,RC-DTI-HIGH,2\nG3,,1\n",
    );
    let out = dir.join("ok");
    ok(&run(&[
        "report",
        "--input",
        scores.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--truth",
        good.to_str().unwrap(),
    ]));
    let figures: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(figures["labels"]["rows_matched"], 2);
    assert_eq!(figures["labels"]["truth_rows_not_assessed"], 1);
    assert_eq!(figures["labels"]["codes"]["RC-DTI-HIGH"]["planted"], 1);
}
