//! `finrisk train-ad-model`: trains the marketing-text model on the labelled real ads and writes
//! its artifact.

use crate::cli::TrainAdModelArgs;
use crate::failure::bad_input;
use finrisk_models::corpus::model_split;
use finrisk_models::text::Tokens;
use finrisk_models::{AdModel, TrainParams};

pub(crate) fn run(args: &TrainAdModelArgs) -> anyhow::Result<String> {
    let choices: &[Tokens] = match args.tokens.as_str() {
        "auto" => &[
            Tokens::CharNgrams,
            Tokens::WordsAndBigrams,
            Tokens::CharNgramsAndClaims,
        ],
        "char-ngrams" => &[Tokens::CharNgrams],
        "words-and-bigrams" => &[Tokens::WordsAndBigrams],
        "char-ngrams-and-claims" => &[Tokens::CharNgramsAndClaims],
        other => {
            return Err(bad_input(format!(
                "tokens: unknown value `{other}`, expected auto, char-ngrams, words-and-bigrams or char-ngrams-and-claims"
            )));
        }
    };
    let ads = crate::input::load_ad_corpus(&args.corpus)?;
    let corpus = model_split(&ads, args.heldout_batch).map_err(|e| bad_input(e.to_string()))?;
    let command = format!(
        "finrisk train-ad-model --out {} --corpus {} --heldout-batch {} --tokens {}",
        args.out.display(),
        args.corpus.display(),
        args.heldout_batch,
        args.tokens
    );
    let about = format!(
        "{}: batches 1 to {} train, batch {} held out (new sources)",
        args.corpus.display(),
        args.heldout_batch.saturating_sub(1),
        args.heldout_batch
    );
    let (model, choice_scores) =
        AdModel::train_choosing_tokens(&corpus, TrainParams::default(), choices, &command, &about)?;
    std::fs::write(&args.out, model.to_json()? + "\n")?;
    let summary = serde_json::json!({
        "artifact": args.out.display().to_string(),
        "version": model.version,
        "corpus": model.corpus,
        "training_texts": model.training_texts,
        "held_out_texts": model.held_out_texts,
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
