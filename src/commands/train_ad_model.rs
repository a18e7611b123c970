//! `finrisk train-ad-model`: trains the marketing-text model and writes its artifact.

use crate::cli::TrainAdModelArgs;
use crate::failure::bad_input;
use finrisk_models::text::Tokens;
use finrisk_models::{AdModel, TrainParams, shipped_corpus};
use std::io::Write;

pub(crate) fn run(args: &TrainAdModelArgs) -> anyhow::Result<String> {
    let choices: &[Tokens] = match args.tokens.as_str() {
        "auto" => &[Tokens::CharNgrams, Tokens::WordsAndBigrams],
        "char-ngrams" => &[Tokens::CharNgrams],
        "words-and-bigrams" => &[Tokens::WordsAndBigrams],
        other => {
            return Err(bad_input(format!(
                "tokens: unknown value `{other}`, expected auto, char-ngrams or words-and-bigrams"
            )));
        }
    };
    let corpus = shipped_corpus();
    if let Some(path) = &args.corpus_out {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for ad in &corpus {
            serde_json::to_writer(&mut f, ad)?;
            f.write_all(b"\n")?;
        }
        f.flush()?;
    }
    let command = format!(
        "finrisk train-ad-model --out {} --tokens {}",
        args.out.display(),
        args.tokens
    );
    let (model, choice_scores) =
        AdModel::train_choosing_tokens(&corpus, TrainParams::default(), choices, &command)?;
    std::fs::write(&args.out, model.to_json()? + "\n")?;
    let summary = serde_json::json!({
        "artifact": args.out.display().to_string(),
        "version": model.version,
        "training_texts": model.training_texts,
        "training_hash": model.training_hash,
        "vocabulary": model.featurizer.vocabulary.len(),
        "cross_validated": model.cross_validated,
        "held_out": model.held_out,
        "tokens": model.params.tokens,
        "tokens_cv_mean_f1": choice_scores
            .iter()
            .map(|(t, s)| serde_json::json!({ "tokens": t, "cv_mean_f1": s }))
            .collect::<Vec<_>>(),
    });
    Ok(serde_json::to_string_pretty(&summary)? + "\n")
}
