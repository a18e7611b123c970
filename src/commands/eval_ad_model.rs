//! `finrisk eval-ad-model`: the marketing-text model measured round by round, each collection
//! round read by a model trained on the rounds before it alone (`finrisk_models::rolling`).

use crate::cli::{EvalAdModelArgs, Format};
use crate::failure::bad_input;
use crate::output::to_json;
use finrisk_models::rolling::{CodeRow, rolling_evaluation};
use finrisk_models::text::Tokens;
use finrisk_models::{ModelError, TrainParams};

fn figure(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.3}"))
}

fn code_lines(rows: &[CodeRow], out: &mut String) {
    for r in rows {
        out.push_str(&format!(
            "{:<9} {:<21} {:>4} {:>4} {:>4}  {:>9}  {:>6}\n",
            r.language,
            r.code,
            r.counts.tp,
            r.counts.fp,
            r.counts.fn_,
            figure(r.precision),
            figure(r.recall)
        ));
    }
}

pub(crate) fn run(args: &EvalAdModelArgs) -> anyhow::Result<String> {
    let tokens = match args.tokens.as_str() {
        "char-ngrams" => Tokens::CharNgrams,
        "words-and-bigrams" => Tokens::WordsAndBigrams,
        "char-ngrams-and-claims" => Tokens::CharNgramsAndClaims,
        other => {
            return Err(bad_input(format!(
                "tokens: unknown value `{other}`, expected char-ngrams or words-and-bigrams"
            )));
        }
    };
    let ads = crate::input::load_ad_corpus(&args.corpus)?;
    let last = ads.iter().map(|a| a.batch).max().unwrap_or(0);
    let to = args.to_batch.unwrap_or(last);
    let params = TrainParams {
        tokens,
        ..TrainParams::default()
    };
    let report = rolling_evaluation(&ads, args.from_batch..=to, params).map_err(|e| match e {
        ModelError::Input { .. } => bad_input(e.to_string()),
        other => anyhow::Error::new(other),
    })?;
    match args.format {
        Format::Json => to_json(&report),
        Format::Text => {
            let mut s = format!(
                "corpus {}: rounds {} to {}, each read by a model ({}, probability 0.5) trained on the rounds before it\n",
                args.corpus.display(),
                report.from_batch,
                report.to_batch,
                args.tokens
            );
            let ads_read: usize = report.rounds.iter().map(|r| r.held_out_texts).sum();
            s.push_str(&format!(
                "pooled over {} rounds ({} ads, each read once):\n",
                report.rounds.len(),
                ads_read
            ));
            s.push_str("language  code                    tp   fp   fn  precision  recall\n");
            code_lines(&report.pooled, &mut s);
            for round in &report.rounds {
                s.push_str(&format!(
                    "round {}: {} ads read, trained on {}\n",
                    round.batch, round.held_out_texts, round.training_texts
                ));
                code_lines(&round.rows, &mut s);
            }
            for skipped in &report.skipped {
                s.push_str(&format!(
                    "round {} not read: {}\n",
                    skipped.batch, skipped.reason
                ));
            }
            Ok(s)
        }
    }
}
