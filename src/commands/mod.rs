//! One module per subcommand; each returns the text to print on stdout.

pub(crate) mod apr;
mod assess_product;
mod backtest;
mod batch;
mod check_ad;
mod check_contract;
mod eval_ad_model;
mod eval_ads;
mod export_dataset;
mod generate;
mod grants_batch;
mod load_test;
pub(crate) mod monitor;
mod review;
mod score_case;
mod suggest;
mod template;
pub(crate) mod train;
mod train_ad_model;
mod validate;

use crate::cli::{Cli, Command};

/// Runs a parsed command line and returns what to print.
pub(crate) fn run(cli: Cli) -> anyhow::Result<String> {
    match cli.command {
        Command::Serve(args) => crate::server::run(&args),
        Command::HashKey(args) => Ok(format!("{}\n", crate::server::key_hash(&args.key))),
        Command::Apr(args) => apr::run(&args),
        Command::AssessProduct(args) => assess_product::run(&args),
        Command::CheckAd(args) => check_ad::run(&args),
        Command::CheckContract(args) => check_contract::run(&args),
        Command::Monitor(args) => monitor::run(&args),
        Command::EvalAds(args) => eval_ads::run(&args),
        Command::EvalAdModel(args) => eval_ad_model::run(&args),
        Command::ScoreCase(args) => score_case::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::TrainAdModel(args) => train_ad_model::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Eval(args) => train::eval(&args),
        Command::LoadTest(args) => load_test::run(&args),
        Command::Report(args) => crate::report::run(&args),
        Command::ExportDataset(args) => export_dataset::run(&args),
        Command::Template(args) => template::run(&args),
        Command::Suggest(args) => suggest::run(&args),
        Command::Backtest(args) => backtest::run(&args),
        Command::CompareModels(args) => train::compare_models(&args),
        Command::Review(args) => review::run(&args),
        Command::Audit(args) => review::audit(&args),
    }
}
