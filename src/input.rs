//! Reading input files: size limits, UTF-8, rulesets.

use crate::failure::bad_input;
use finrisk_engine::Ruleset;
use finrisk_engine::domain::Jurisdiction;
use std::io::Read;
use std::path::Path;

/// Largest single JSON document read by default (10 MiB): far above any real case or product.
pub(crate) const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;

/// Reads a text document, refusing files above `max_bytes` without reading them whole.
/// `what` names the document in errors (`case`, `product`).
pub(crate) fn read_document(path: &Path, what: &str, max_bytes: u64) -> anyhow::Result<String> {
    let file = std::fs::File::open(path)
        .map_err(|e| bad_input(format!("{what}: cannot open {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| bad_input(format!("{what}: cannot read {}: {e}", path.display())))?;
    if bytes.len() as u64 > max_bytes {
        return Err(bad_input(format!(
            "{what}: {} is larger than the limit of {max_bytes} bytes for one document (--max-document-bytes)",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        bad_input(format!(
            "{what}: {} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// The ruleset from `--rules`, or the embedded default of `jurisdiction`. A file given for
/// another jurisdiction is refused.
/// Reads a labelled ad corpus (JSON lines, `finrisk_models::corpus`): a file that cannot be read
/// or a bad line is bad input naming the file, or the line and the field.
pub(crate) fn load_ad_corpus(path: &Path) -> anyhow::Result<Vec<finrisk_models::corpus::CorpusAd>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("corpus: cannot read {}: {e}", path.display())))?;
    finrisk_models::corpus::read_corpus(&text).map_err(|e| bad_input(e.to_string()))
}

pub(crate) fn load_ruleset(
    path: Option<&Path>,
    jurisdiction: Jurisdiction,
) -> anyhow::Result<Ruleset> {
    let Some(path) = path else {
        return Ok(Ruleset::embedded(jurisdiction)?);
    };
    let text = read_document(path, "rules", DEFAULT_MAX_DOCUMENT_BYTES)?;
    let ruleset = Ruleset::from_toml(&text, &path.display().to_string())?;
    if ruleset.jurisdiction != jurisdiction {
        return Err(bad_input(format!(
            "rules: {} is a ruleset for {}, but the input is under {}",
            path.display(),
            ruleset.jurisdiction.as_str(),
            jurisdiction.as_str()
        )));
    }
    Ok(ruleset)
}

/// Parses `--jurisdiction`.
pub(crate) fn parse_jurisdiction(text: &str) -> anyhow::Result<Jurisdiction> {
    Jurisdiction::parse(text).ok_or_else(|| {
        bad_input(format!(
            "jurisdiction: unknown value `{text}`, expected one of CN, US, EU, UK"
        ))
    })
}

/// Parses an optional `--as-of` date.
pub(crate) fn parse_as_of(value: Option<&str>) -> anyhow::Result<Option<finrisk_engine::Date>> {
    value
        .map(|d| {
            finrisk_engine::Date::parse(d)
                .map_err(|e| crate::failure::bad_input(format!("as_of: {e}")))
        })
        .transpose()
}

/// The claim grammars `--grammar` names, or the embedded ones when it names none. A file that
/// cannot be read is exit 2 naming it; a malformed pattern names the file, line and pattern.
pub(crate) fn load_grammars(
    files: &[std::path::PathBuf],
) -> anyhow::Result<finrisk_engine::marketing::ClaimGrammar> {
    if files.is_empty() {
        return Ok(finrisk_engine::marketing::ClaimGrammar::embedded()?);
    }
    let mut texts = Vec::with_capacity(files.len());
    for f in files {
        texts.push((
            f.display().to_string(),
            read_document(f, "grammar", DEFAULT_MAX_DOCUMENT_BYTES)?,
        ));
    }
    let named: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    Ok(finrisk_engine::marketing::ClaimGrammar::from_texts(&named)?)
}
