//! The copy-paste examples of the README and the guides run as written: every fenced block
//! whose info string is `sh tested` is run with bash (`set -euo pipefail`), the blocks of one
//! page in order, in a fresh directory holding a copy of `examples/`, `rules/` and the ad corpus
//! (`datasets/data/ads/`), with the `finrisk` under
//! test first on the `PATH`. Blocks that need a running server, hours or network are left
//! untagged (plain `sh`).

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::{BIN, scratch};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `sh tested` blocks of a Markdown page, in order.
fn tested_blocks(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match (&mut current, line.trim_start()) {
            (None, fence) if fence.starts_with("```sh tested") => current = Some(String::new()),
            (Some(block), fence) if fence.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the tested blocks of `page` (relative to the repository) and returns how many ran.
fn run_page(page: &str) -> usize {
    let text = std::fs::read_to_string(repo().join(page)).unwrap();
    let blocks = tested_blocks(&text);
    let dir = scratch("finrisk-docs", &page.replace('/', "-"));
    copy_dir(&repo().join("examples"), &dir.join("examples"));
    copy_dir(&repo().join("rules"), &dir.join("rules"));
    copy_dir(
        &repo().join("datasets/data/ads"),
        &dir.join("datasets/data/ads"),
    );
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (k, block) in blocks.iter().enumerate() {
        let out = Command::new("bash")
            .args(["-c", &format!("set -euo pipefail\n{block}")])
            .current_dir(&dir)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{page}, tested block {k} failed ({}):\n{block}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    blocks.len()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn the_blocks_tagged_sh_tested_are_found_in_order() {
    let page = "a\n```sh tested\none\ntwo\n```\n```sh\nskipped\n```\n```sh tested\nthree\n```\n";
    assert_eq!(tested_blocks(page), ["one\ntwo\n", "three\n"]);
}

#[test]
fn readme_tour_runs() {
    assert!(run_page("README.md") >= 1);
}

#[test]
fn court_analysts_guide_runs() {
    assert!(run_page("docs/guide/court-analysts.md") >= 1);
}

#[test]
fn institutions_guide_runs() {
    assert!(run_page("docs/guide/institutions.md") >= 1);
}

#[test]
fn researchers_guide_runs() {
    assert!(run_page("docs/guide/researchers.md") >= 1);
}

#[test]
fn operators_guide_runs() {
    assert!(run_page("docs/guide/operators.md") >= 1);
}
