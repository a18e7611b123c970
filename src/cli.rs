//! Command-line arguments (SPEC section 7).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Default rows per chunk of a streamed grants batch. Small enough that a chunk's memory is
/// reused by the next one (32,768 rows took 455 MB and 7.7 s for 1,000,000 grants, against
/// 1.3 GB and 9.4 s at 262,144; BENCHMARKS.md), large enough that per-chunk costs do not show.
pub(crate) const GRANT_CHUNK_ROWS: usize = 32_768;

/// finrisk: assess digital-finance products and loan disputes for weak risk control,
/// duplicate credit and one-sided marketing.
#[derive(Debug, Parser)]
#[command(name = "finrisk", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Output format of single-object commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// One JSON document.
    Json,
    /// Lines for people.
    Text,
}

/// What `validate` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Kind {
    /// A grants table (CSV or Parquet).
    Grants,
    /// A case document (JSON).
    Case,
    /// Cases: an element table (CSV, XLSX) with its repayments and ads, or JSON lines.
    Cases,
    /// A product document (JSON).
    Product,
}

/// The PD model of commands that assess grants.
#[derive(Debug, Clone, Args)]
pub(crate) struct PdModelArgs {
    /// With grants: the PD model for RC-HIGH-PD and the `pd` columns: `default` (the embedded
    /// LendingClub scorecard), an artifact file, or `none`.
    #[arg(long, value_name = "MODEL", default_value = "default")]
    pub(crate) pd_model: String,
}

/// Options shared by commands that apply a ruleset.
#[derive(Debug, Clone, Args)]
pub(crate) struct RulesArgs {
    /// Ruleset file (TOML) to use instead of the embedded default of the jurisdiction.
    #[arg(long, value_name = "FILE")]
    pub(crate) rules: Option<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve the gRPC API (`finrisk.v1.RiskAssessment`, health, reflection).
    Serve(ServeArgs),
    /// Print the hex SHA-256 of an API key, as `[[keys]] sha256` in the config file wants it.
    HashKey(HashKeyArgs),
    /// APR, schedule and legal cap of a loan's terms.
    Apr(AprArgs),
    /// Findings, scores and grade of a product from its terms and ads, and of its loan book.
    AssessProduct(AssessProductArgs),
    /// The one-sided-marketing checks of one ad text: phrases, stated rates, findings.
    CheckAd(CheckAdArgs),
    /// The clause checks of a product's loan contract (RC-CLAUSE-*): each finding with its
    /// clause, the matched span, the reason, the basis and the recommendation.
    CheckContract(CheckContractArgs),
    /// Drift between a baseline loan book and a current one: PSI of the PD and the overall
    /// score, of every model characteristic (CSI), and each finding code's rate, with
    /// sample-size-aware thresholds; exit 3 when an alert fires.
    Monitor(MonitorArgs),
    /// Measure the marketing rules on a labelled ad corpus (JSON lines): precision and recall
    /// per code and language, on the held-out sources, the development sources or all.
    EvalAds(EvalAdsArgs),
    /// A dispute case: cost figures (APR, cap, allowed cost, excess, supportable claim),
    /// findings, scores and grade.
    ScoreCase(ScoreCaseArgs),
    /// Assess a file of grants, cases or products: one output row per input row.
    Batch(BatchArgs),
    /// Check a grants table, case or product and report every problem with its field.
    Validate(ValidateArgs),
    /// Generate synthetic products, grants and cases with planted problems and their truth.
    Generate(GenerateArgs),
    /// Train the marketing-text model on the labelled real ads and write its artifact.
    TrainAdModel(TrainAdModelArgs),
    /// Measure the marketing-text model round by round: each collection round read by a model
    /// trained on the rounds before it alone, and the counts summed (each ad read once).
    EvalAdModel(EvalAdModelArgs),
    /// Train a PD model (scorecard, logistic, gbm, forest) with stratified k-fold
    /// cross-validation, print the CV metrics and write the artifact.
    Train(TrainArgs),
    /// Score a table with a PD model artifact (or the embedded default) and print
    /// rows, auc, ks, gini, brier and log loss as JSON.
    Eval(EvalArgs),
    /// Load a running `finrisk serve` with health checks or ScoreCase calls at several levels
    /// of requests in flight; print throughput and p50/p99 latency as JSON.
    LoadTest(LoadTestArgs),
    /// Write a report of a scores table (`batch --kind grants` output): self-contained HTML,
    /// PNG charts, Markdown and JSON.
    Report(ReportArgs),
    /// What a candidate ruleset would find on a grants table that the current one does not, and
    /// the reverse: codes gained and lost (per code, per institution), grade changes, and each
    /// code's precision and recall against `defaulted` under both.
    Backtest(BacktestArgs),
    /// Two PD models on the same rows: AUC, KS and Brier of each, and each difference with its
    /// 95% interval (AUC: DeLong's test).
    CompareModels(CompareModelsArgs),
    /// Write a shipped real dataset as a grants table (SPEC section 4), with its real outcomes
    /// (`defaulted`): `lending_club_grants`, LendingClub 2007-2011 in the engine's columns.
    ExportDataset(ExportDatasetArgs),
    /// Draft the judicial suggestion (司法建议) to one plaintiff institution from scored cases:
    /// the codes carried by at least the ruleset's share of its cases, with counts, excess,
    /// example cases, legal basis and remedy; HTML and Markdown.
    Suggest(SuggestArgs),
    /// Write an empty element table (header and one example row) for `batch --kind cases`:
    /// CSV or XLSX.
    Template(TemplateArgs),
    /// The review loop on a local database: an institution submits a product (self-check), a
    /// mediator reviews it, the court re-reviews it and confirms or issues a judicial
    /// suggestion; every change is an audit event.
    Review(ReviewArgs),
    /// The review database's audit trail: `verify` checks its hash chain.
    Audit(AuditArgs),
}

/// The review database: a SQLite file (created when missing) or a `postgres://` URL.
#[derive(Debug, Clone, Args)]
pub(crate) struct DatabaseArgs {
    /// A SQLite file (created and migrated when missing) or a `postgres://user@host:port/db` URL.
    #[arg(long, value_name = "FILE|URL", default_value = "finrisk-review.db")]
    pub(crate) db: String,
}

/// `finrisk review`.
#[derive(Debug, Args)]
pub(crate) struct ReviewArgs {
    #[command(subcommand)]
    pub(crate) command: ReviewCommand,
}

/// `finrisk review` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ReviewCommand {
    /// Assess a product (with its loan book) or a case and store it as a submission, or as a new
    /// revision of the same product after a return, a suggestion or a confirmation.
    Submit(ReviewSubmitArgs),
    /// A mediator's or the court's decision, made on the version shown by `show` or `queue`.
    Decide(ReviewDecideArgs),
    /// Everything stored about one submission: status, version, every revision's scores and
    /// findings with the reviewers' marks, the judicial suggestion, the audit events.
    Show(ReviewShowArgs),
    /// The submissions waiting for a role (or in the statuses asked for), oldest first.
    Queue(ReviewQueueArgs),
    /// The diagnostic report of one submission: a self-contained HTML page (and its JSON).
    Report(ReviewReportArgs),
}

/// Who acts, on the command line.
#[derive(Debug, Clone, Args)]
pub(crate) struct ActorArgs {
    /// The name recorded in the audit trail.
    #[arg(long, value_name = "NAME", default_value = "cli")]
    pub(crate) actor: String,
}

/// `finrisk review submit`.
#[derive(Debug, Args)]
pub(crate) struct ReviewSubmitArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    /// The submitting institution; it must be the product's (or the case's) `institution_id`.
    #[arg(long, value_name = "ID")]
    pub(crate) institution: Option<String>,
    /// A product document (JSON): the institution's self-check.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "case",
        required_unless_present = "case"
    )]
    pub(crate) product: Option<PathBuf>,
    /// The product's grants (CSV or Parquet), stored with it and assessed as its loan book.
    #[arg(long, value_name = "FILE", requires = "product")]
    pub(crate) grants: Option<PathBuf>,
    /// A dispute case document (JSON), submitted by a court (`--role court`, the default for
    /// cases) or by its institution.
    #[arg(long, value_name = "FILE")]
    pub(crate) case: Option<PathBuf>,
    /// With `--case`: the product submission the case belongs to.
    #[arg(long, value_name = "SUBMISSION", requires = "case")]
    pub(crate) attach_to: Option<String>,
    /// With `--case`: who submits it, `court` or `institution`.
    #[arg(long, value_name = "ROLE", default_value = "court", requires = "case")]
    pub(crate) role: String,
    /// For a resubmission: the version it was made on (refused when the submission moved on).
    #[arg(long, value_name = "N")]
    pub(crate) expected_version: Option<i64>,
    /// A note for the reviewers and the audit trail.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) note: String,
    #[command(flatten)]
    pub(crate) actor: ActorArgs,
    #[command(flatten)]
    pub(crate) pd: PdModelArgs,
    /// As-of date for time-dependent checks (default: the latest date in the grants).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
    /// Largest JSON document accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub(crate) max_document_bytes: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk review decide`.
#[derive(Debug, Args)]
pub(crate) struct ReviewDecideArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    /// The submission (`SUB-<n>`).
    #[arg(long, value_name = "ID")]
    pub(crate) submission: String,
    /// The reviewer's role: `mediator` or `court`.
    #[arg(long, value_name = "ROLE")]
    pub(crate) role: String,
    /// `start_mediation`, `return` or `forward` (mediator); `start_court_review`, `confirm` or
    /// `issue_suggestion` (court).
    #[arg(long, value_name = "DECISION")]
    pub(crate) decision: String,
    /// The version the decision was made on (`show` prints it); a stale one is refused.
    #[arg(long, value_name = "N")]
    pub(crate) expected_version: i64,
    /// The decision's note (for a return: what the institution must change).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) note: String,
    /// A mark on a finding of the current revision: `CODE=confirmed|disputed|remedied`, with an
    /// optional note after a colon (`MK-NO-APR=disputed:the APR is on the landing page`).
    /// Repeat it for several findings.
    #[arg(long = "finding", value_name = "CODE=MARK[:NOTE]")]
    pub(crate) findings: Vec<String>,
    #[command(flatten)]
    pub(crate) actor: ActorArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk review show`.
#[derive(Debug, Args)]
pub(crate) struct ReviewShowArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    /// The submission (`SUB-<n>`).
    #[arg(long, value_name = "ID")]
    pub(crate) submission: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk review queue`.
#[derive(Debug, Args)]
pub(crate) struct ReviewQueueArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    /// Whose queue: `institution` (with `--institution`), `mediator` or `court`.
    #[arg(long, value_name = "ROLE")]
    pub(crate) role: String,
    /// Only these statuses (repeat it); default: what waits for the role.
    #[arg(long = "status", value_name = "STATUS")]
    pub(crate) statuses: Vec<String>,
    /// Only this institution's submissions (required with `--role institution`).
    #[arg(long, value_name = "ID")]
    pub(crate) institution: Option<String>,
    /// At most this many (1 to 500).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub(crate) page_size: i64,
    /// The `next_page_token` of the previous page.
    #[arg(long, value_name = "TOKEN", default_value = "")]
    pub(crate) page_token: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk review report`.
#[derive(Debug, Args)]
pub(crate) struct ReviewReportArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    /// The submission (`SUB-<n>`).
    #[arg(long, value_name = "ID")]
    pub(crate) submission: String,
    /// Write the HTML page here (its JSON goes next to it, `.json`); without it, the HTML is
    /// printed.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

/// `finrisk audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    pub(crate) command: AuditCommand,
}

/// `finrisk audit` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the review database's audit chain: exit 0 when it holds, 1 naming the first broken
    /// event (an event or a submission edited or deleted directly in the database).
    Verify(AuditVerifyArgs),
}

/// `finrisk audit verify`.
#[derive(Debug, Args)]
pub(crate) struct AuditVerifyArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// Calendar periods the report compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportPeriod {
    /// Calendar months (`2024-01`).
    Month,
    /// Calendar quarters (`2024Q1`).
    Quarter,
    /// Calendar years.
    Year,
}

/// `finrisk export-dataset`.
#[derive(Debug, Args)]
pub(crate) struct ExportDatasetArgs {
    /// The dataset: `lending_club_grants`.
    #[arg(long, value_name = "NAME")]
    pub(crate) dataset: String,
    /// Output file, `.csv` or `.parquet`.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// `finrisk report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// What the scores table holds: grants (`batch --kind grants` output) or cases (`batch
    /// --kind cases` output: the docket report).
    #[arg(long, value_enum, default_value = "grants")]
    pub(crate) kind: ReportKind,
    /// Scores table written by `finrisk batch`: CSV or Parquet for grants; JSON lines, CSV or
    /// Parquet for cases.
    #[arg(long, value_name = "PATH")]
    pub(crate) input: PathBuf,
    /// Directory for report.html, report.md, report.json and the PNG charts (created).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Planted or known labels (`grant_id`, `codes`; `person_grants` or `person_id` for the
    /// single-grant persons): precision and recall per code, and each dimension score's AUC
    /// against them. Read in step with the scores, so memory stays flat when both tables list
    /// the grants in the same order.
    #[arg(long, value_name = "PATH")]
    pub(crate) truth: Option<PathBuf>,
    /// Periods of `granted_at` compared for stability (PSI against the first).
    #[arg(long, value_enum, default_value = "quarter")]
    pub(crate) period: ReportPeriod,
    /// Grants: rows of the scores table read at a time (the report keeps counts, not rows).
    #[arg(long, value_name = "N", default_value_t = 65_536)]
    pub(crate) chunk_rows: usize,
}

/// What `report` reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportKind {
    /// A loan book's grants.
    Grants,
    /// A docket of dispute cases.
    Cases,
}

/// `finrisk suggest`.
#[derive(Debug, Args)]
pub(crate) struct SuggestArgs {
    /// Scored cases (`finrisk batch --kind cases` output: JSON lines, CSV or Parquet).
    #[arg(long, value_name = "PATH")]
    pub(crate) input: PathBuf,
    /// The plaintiff institution the suggestion is addressed to.
    #[arg(long, value_name = "ID")]
    pub(crate) institution: String,
    /// Language of the letter: `zh` or `en` (default: the ruleset's `[docket] letter_language`,
    /// Chinese for CN).
    #[arg(long, value_name = "zh|en")]
    pub(crate) lang: Option<String>,
    /// Directory for `suggestion-ID.html` and `suggestion-ID.md` (created).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) out: PathBuf,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
}

/// The RPCs `load-test` can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LoadRpc {
    /// `grpc.health.v1.Health/Check`: the empty-RPC baseline.
    Health,
    /// `ScoreCase` with the case of examples/case.json.
    ScoreCase,
    /// The review loop: each iteration submits a new product (`SubmitProduct`, the product of
    /// examples/product.json under a new id) and takes it up as the mediator (`Decide`
    /// start_mediation on version 1); afterwards every acknowledged submission's audit trail is
    /// read back and checked: no event lost, none duplicated.
    Review,
}

/// `finrisk load-test`.
#[derive(Debug, Args)]
pub(crate) struct LoadTestArgs {
    /// Server URI, e.g. http://127.0.0.1:50051.
    #[arg(long, value_name = "URI", required_unless_present = "write_bodies")]
    pub(crate) addr: Option<String>,
    /// Write the request bodies the load sends, as gRPC frames for h2load's `-d`
    /// (`health.grpc`, `score_case.grpc`), into DIR and exit.
    #[arg(long, value_name = "DIR", conflicts_with = "addr")]
    pub(crate) write_bodies: Option<PathBuf>,
    /// RPCs to drive, in order (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "health,score-case"
    )]
    pub(crate) rpc: Vec<LoadRpc>,
    /// Levels of requests in flight (comma-separated).
    #[arg(
        long,
        value_name = "N,..",
        value_delimiter = ',',
        default_value = "1,8,32,128"
    )]
    pub(crate) in_flight: Vec<usize>,
    /// HTTP/2 connections the requests are spread over.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub(crate) connections: usize,
    /// Client threads, one event loop each, the connections dealt to them in turn (default: one
    /// per core, at most one per connection; 1 to 64).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Seconds per level.
    #[arg(long, value_name = "S", default_value_t = 10.0)]
    pub(crate) seconds: f64,
    /// API key, when the server requires one (with `--rpc review`: an institution key of
    /// INST-A, the example product's institution).
    #[arg(long, value_name = "KEY")]
    pub(crate) api_key: Option<String>,
    /// With `--rpc review` on a server with keys: a mediator key for the decisions.
    #[arg(long, value_name = "KEY")]
    pub(crate) mediator_key: Option<String>,
}

/// Where the training or evaluation data come from.
#[derive(Debug, Clone, Args)]
pub(crate) struct DataArgs {
    /// A CSV or Parquet table.
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "dataset",
        required_unless_present = "dataset"
    )]
    pub(crate) data: Option<PathBuf>,
    /// The 0/1 target column of `--data` (LendingClub's `loan_status` is mapped).
    #[arg(long, value_name = "COL", requires = "data")]
    pub(crate) target: Option<String>,
    /// A shipped real dataset instead of `--data` (lending_club, lending_club_grants,
    /// taiwan_default, german_credit, australian_credit, give_me_some_credit): its documented
    /// features and target.
    #[arg(long, value_name = "NAME")]
    pub(crate) dataset: Option<String>,
    /// Only these feature columns (comma-separated).
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub(crate) features: Vec<String>,
    /// Leave these columns out (comma-separated).
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub(crate) exclude: Vec<String>,
    /// Out-of-time split: keep only the rows whose value in this column lies in
    /// `[--from, --before)` (a date of issue, a year). The column is never a feature; for a
    /// shipped dataset it is read from the dataset's file (LendingClub: `issue_d`,
    /// `issue_year`). Dates compare as text (ISO `YYYY-MM-DD`), numbers as numbers.
    #[arg(long = "period-column", value_name = "COL")]
    pub(crate) period_column: Option<String>,
    /// With `--period-column`: keep rows at or after this value.
    #[arg(long = "from", value_name = "VALUE", requires = "period_column")]
    pub(crate) period_from: Option<String>,
    /// With `--period-column`: keep rows before this value.
    #[arg(long = "before", value_name = "VALUE", requires = "period_column")]
    pub(crate) period_before: Option<String>,
}

/// `finrisk train`.
#[derive(Debug, Args)]
pub(crate) struct TrainArgs {
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Model family: scorecard, logistic, gbm or forest.
    #[arg(long, value_name = "KIND", default_value = "scorecard")]
    pub(crate) model: String,
    /// Stratified cross-validation folds (0: none).
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub(crate) folds: usize,
    /// Seed of the folds, holdouts and forest samples.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub(crate) seed: u64,
    /// Calibration of gbm and forest: platt, isotonic or none.
    #[arg(long, value_name = "METHOD", default_value = "platt")]
    pub(crate) calibration: String,
    /// Special values of a numeric column, each binned on its own (scorecard):
    /// `COL=V1,V2`; repeatable.
    #[arg(long, value_name = "COL=VALUES")]
    pub(crate) special: Vec<String>,
    /// Scorecard points to double the odds.
    #[arg(long, value_name = "POINTS", default_value_t = 20.0)]
    pub(crate) pdo: f64,
    /// Scorecard score at the base odds.
    #[arg(long, value_name = "POINTS", default_value_t = 600.0)]
    pub(crate) base_score: f64,
    /// Good:bad odds at the base score.
    #[arg(long, value_name = "ODDS", default_value_t = 50.0)]
    pub(crate) base_odds: f64,
    /// Model name (default: the data file's stem or the dataset name).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Model version.
    #[arg(long, value_name = "VERSION", default_value = "1")]
    pub(crate) version: String,
    /// Jurisdiction the data come from (`CN`, `US`, ...), recorded as the model's validation
    /// with `--validated-currency`; a shipped `--dataset` records its own. Without it the model
    /// states no validation and its RC-HIGH-PD findings are information only.
    #[arg(long, value_name = "J", requires = "validated_currency")]
    pub(crate) validated_jurisdiction: Option<String>,
    /// Currency of the data's amounts (`CNY`, `USD`, ...), with `--validated-jurisdiction`.
    #[arg(long, value_name = "CUR", requires = "validated_jurisdiction")]
    pub(crate) validated_currency: Option<String>,
    /// Artifact to write (JSON).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// `finrisk eval`.
#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// Artifact file, or `default` for the embedded default PD model (reads the engine's
    /// grant columns).
    #[arg(long, value_name = "FILE")]
    pub(crate) model: String,
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// A second sample (CSV or Parquet with the model's columns, e.g. a later period): also
    /// report the population stability index of its PDs against those of the data.
    #[arg(long, value_name = "PATH")]
    pub(crate) compare: Option<PathBuf>,
    /// A challenger model (artifact file or `default`) scored on the same rows: adds
    /// `challenger`, the comparison `compare-models` prints (this model minus the challenger).
    #[arg(long, value_name = "FILE")]
    pub(crate) challenger: Option<String>,
}

/// `finrisk compare-models`.
#[derive(Debug, Args)]
pub(crate) struct CompareModelsArgs {
    /// A model: an artifact file, or `default`. Give it twice (model a, then model b).
    #[arg(long, value_name = "FILE")]
    pub(crate) model: Vec<String>,
    #[command(flatten)]
    pub(crate) data: DataArgs,
}

/// `finrisk train-ad-model`.
#[derive(Debug, Args)]
pub(crate) struct TrainAdModelArgs {
    /// Artifact to write (JSON).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// The labelled ads (JSON lines, as `eval-ads` reads them).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "datasets/data/ads/ads.jsonl"
    )]
    pub(crate) corpus: PathBuf,
    /// The collection round held out: earlier rounds train, later ones are left out. It must
    /// come from sources no earlier round used.
    #[arg(long, value_name = "N", default_value_t = finrisk_models::SHIPPED_HELDOUT_BATCH)]
    pub(crate) heldout_batch: u32,
    /// Features: char-ngrams, words-and-bigrams, char-ngrams-and-claims (n-grams plus the claim
    /// grammar's readings), or auto (default): all three, keeping the one with the best
    /// cross-validated F1 on the training rounds (the held-out round plays no part).
    #[arg(long, value_name = "KIND", default_value = "auto")]
    pub(crate) tokens: String,
}

/// `finrisk eval-ad-model`.
#[derive(Debug, Args)]
pub(crate) struct EvalAdModelArgs {
    /// The labelled ads (JSON lines, as `eval-ads` reads them).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "datasets/data/ads/ads.jsonl"
    )]
    pub(crate) corpus: PathBuf,
    /// First round read (the rounds before it only train).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub(crate) from_batch: u32,
    /// Last round read (default: the corpus's last round).
    #[arg(long, value_name = "N")]
    pub(crate) to_batch: Option<u32>,
    /// Features: char-ngrams or words-and-bigrams (char-ngrams-and-claims is refused: the
    /// embedded grammar was written from the rounds being read).
    #[arg(long, value_name = "KIND", default_value = "char-ngrams")]
    pub(crate) tokens: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk generate`.
#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Output folder (created if needed; existing files are overwritten).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub(crate) seed: u64,
    /// Number of grant rows.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub(crate) grants: u64,
    /// Number of products (one institution per three products).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub(crate) products: usize,
    /// Number of dispute cases (from the first defaulted grants).
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    pub(crate) cases: usize,
    /// Write grants.csv (and truth/grants.csv) instead of Parquet.
    #[arg(long)]
    pub(crate) csv: bool,
    /// Rows per chunk of work; part of what the seed reproduces.
    #[arg(long, value_name = "N", default_value_t = 65_536)]
    pub(crate) chunk_size: usize,
    /// First grant date.
    #[arg(long, value_name = "DATE", default_value = "2023-01-01")]
    pub(crate) start: String,
    /// Last grant date (the as-of date is 90 days later).
    #[arg(long, value_name = "DATE", default_value = "2024-12-31")]
    pub(crate) end: String,
    /// Profile: `planted` (every key its own phone and device, but for identity rings) or
    /// `realistic` (identity noise on: shop and agent terminals, family phones, recycled
    /// numbers, resold handsets).
    #[arg(long, value_enum, default_value_t = GenerateProfile::Planted)]
    pub(crate) profile: GenerateProfile,
    /// Identity noise on or off, whatever the profile (default: on for `realistic`).
    #[arg(long, value_enum, value_name = "on|off")]
    pub(crate) identity_noise: Option<Switch>,
    /// Also write the cases as element tables (`cases.csv` with `cases.repayments.csv` and
    /// `cases.ads.csv`, or `cases.xlsx` with three sheets, or both: `csv,xlsx`), as a court
    /// receives them.
    #[arg(long, value_enum, value_name = "csv|xlsx", value_delimiter = ',')]
    pub(crate) case_tables: Vec<TableFileFormat>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// File format of element tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TableFileFormat {
    /// CSV: the cases file and two siblings, `NAME.repayments.csv` and `NAME.ads.csv`.
    Csv,
    /// One XLSX workbook with the sheets `cases`, `repayments` and `ads`.
    Xlsx,
}

impl From<TableFileFormat> for finrisk_datasets::element_table::TableFileFormat {
    fn from(f: TableFileFormat) -> Self {
        match f {
            TableFileFormat::Csv => Self::Csv,
            TableFileFormat::Xlsx => Self::Xlsx,
        }
    }
}

/// What `template` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TemplateKind {
    /// The element table of dispute cases (with its repayments and ads tables).
    Cases,
}

/// `finrisk template`.
#[derive(Debug, Args)]
pub(crate) struct TemplateArgs {
    /// What the template is for.
    #[arg(long, value_enum)]
    pub(crate) kind: TemplateKind,
    /// CSV (three files) or XLSX (one workbook with three sheets).
    #[arg(long, value_enum)]
    pub(crate) format: TableFileFormat,
    /// Where to write it (default: `cases-template.csv` or `cases-template.xlsx` in the working
    /// directory).
    #[arg(long, value_name = "PATH")]
    pub(crate) out: Option<PathBuf>,
}

/// `generate --profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GenerateProfile {
    /// The planted problems alone.
    Planted,
    /// Planted problems with identity noise.
    Realistic,
}

impl From<GenerateProfile> for finrisk_datasets::generate::DataProfile {
    fn from(p: GenerateProfile) -> Self {
        match p {
            GenerateProfile::Planted => Self::Planted,
            GenerateProfile::Realistic => Self::Realistic,
        }
    }
}

/// An on/off option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Switch {
    /// On.
    On,
    /// Off.
    Off,
}

/// `finrisk serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:50051; env FINRISK_ADDR).
    #[arg(long, value_name = "HOST:PORT")]
    pub(crate) addr: Option<String>,
    /// Config file (TOML): a `server` table (addr, max_message_bytes, max_stream_items,
    /// max_concurrent_streams, tls_cert, tls_key) and `keys` entries (sha256, role, institution_id).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Largest request or response message, bytes (default 16 MiB; env FINRISK_MAX_MESSAGE_BYTES).
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_message_bytes: Option<usize>,
    /// Most grants or cases in one stream or request (default 1,000,000; env FINRISK_MAX_STREAM_ITEMS).
    #[arg(long, value_name = "N")]
    pub(crate) max_stream_items: Option<usize>,
    /// Calls one connection may have open at once; a client's further calls wait for a free
    /// stream (default 1,024; env FINRISK_MAX_CONCURRENT_STREAMS).
    #[arg(long, value_name = "N")]
    pub(crate) max_concurrent_streams: Option<usize>,
    /// Server threads, each with its own event loop; connections are dealt to them in turn
    /// and a connection's calls run on its thread (default: the number of cores; env
    /// FINRISK_THREADS).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// TLS certificate chain (PEM; env FINRISK_TLS_CERT).
    #[arg(long, value_name = "FILE")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// TLS private key (PEM; env FINRISK_TLS_KEY).
    #[arg(long, value_name = "FILE")]
    pub(crate) tls_key: Option<PathBuf>,
    /// The review store of the `Review` service: a SQLite file (created and migrated at start)
    /// or a `postgres://user@host:port/db` URL shared by several instances (env
    /// FINRISK_DATABASE; `[database] url` in the config; default `finrisk-review.db` in the
    /// working directory).
    #[arg(long, value_name = "FILE|URL")]
    pub(crate) database: Option<String>,
}

/// `finrisk hash-key`.
#[derive(Debug, Args)]
pub(crate) struct HashKeyArgs {
    /// The API key.
    pub(crate) key: String,
}

/// `finrisk apr`.
#[derive(Debug, Args)]
pub(crate) struct AprArgs {
    /// Principal in minor units (fen, cents): 1000000 is 10,000.00.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub(crate) principal_minor: i64,
    /// Term in months (1-360).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub(crate) term_months: i64,
    /// Repayment method: equal_installment, equal_principal, interest_only or bullet.
    #[arg(long, value_name = "METHOD")]
    pub(crate) repayment: String,
    /// Nominal annual interest rate (0.12 is 12%).
    #[arg(
        long,
        value_name = "R",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    pub(crate) nominal_annual_rate: f64,
    /// Monthly fee as a share of the original principal (0.008 is 0.8% a month).
    #[arg(
        long,
        value_name = "R",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    pub(crate) monthly_fee_rate: f64,
    /// Fee deducted at disbursement, minor units.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub(crate) upfront_fee_minor: i64,
    /// Mandatory fixed fee charged every month (membership and the like), minor units.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub(crate) monthly_other_fee_minor: i64,
    /// Jurisdiction whose APR definition and caps apply: CN, US, EU or UK.
    #[arg(long, value_name = "J", default_value = "CN")]
    pub(crate) jurisdiction: String,
    /// Cause the cap is looked up for: financial_loan, credit_card, consumer_finance,
    /// microloan or private_lending.
    #[arg(long, value_name = "CAUSE", default_value = "financial_loan")]
    pub(crate) cause: String,
    /// Contract date YYYY-MM-DD (needed for LPR-linked caps of private lending).
    #[arg(long, value_name = "DATE")]
    pub(crate) contract_date: Option<String>,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk check-ad`.
#[derive(Debug, Args)]
pub(crate) struct CheckAdArgs {
    /// The ad text.
    #[arg(long, value_name = "TEXT")]
    pub(crate) text: String,
    /// A product (JSON) whose pricing the ad is judged against (APR, fees, advertised rate).
    #[arg(long, value_name = "FILE")]
    pub(crate) product: Option<PathBuf>,
    /// Jurisdiction when no product is given: CN, US, EU or UK.
    #[arg(long, value_name = "J", default_value = "CN")]
    pub(crate) jurisdiction: String,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
    #[command(flatten)]
    pub(crate) grammar: GrammarArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk check-contract`.
#[derive(Debug, Args)]
pub(crate) struct CheckContractArgs {
    /// Product document (JSON, SPEC section 4) with its `contract` section.
    #[arg(long, value_name = "FILE")]
    pub(crate) product: PathBuf,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
    /// A clause grammar file (TOML, `rules/contract/README.md`); repeat for each language.
    /// Default: the embedded `rules/contract/zh.toml` and `en.toml`.
    #[arg(long = "contract-grammar", value_name = "FILE")]
    pub(crate) contract_grammar: Vec<PathBuf>,
    /// Largest document accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub(crate) max_document_bytes: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk monitor`.
#[derive(Debug, Args)]
pub(crate) struct MonitorArgs {
    /// The baseline grants table (CSV or Parquet).
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// The current grants table.
    #[arg(long, value_name = "FILE")]
    pub(crate) current: Option<PathBuf>,
    /// One grants table to split at `--split-at` instead of two tables.
    #[arg(long, value_name = "FILE")]
    pub(crate) input: Option<PathBuf>,
    /// With `--input`: grants before this value of `--period-column` are the baseline, the
    /// others the current sample.
    #[arg(long = "split-at", value_name = "VALUE")]
    pub(crate) split_at: Option<String>,
    /// With `--input`: the column `--split-at` cuts (default `granted_at`, a date); any other
    /// column of the table (a vintage label, a model version, a year) compares as numbers when
    /// it holds numbers and as text otherwise. Grants with no value in it belong to neither
    /// sample and are counted.
    #[arg(
        long = "period-column",
        value_name = "COL",
        default_value = "granted_at",
        requires = "split_at"
    )]
    pub(crate) period_column: String,
    /// The PD model whose PD and characteristics are watched: `default`, an artifact file, or
    /// `none`.
    #[arg(long, value_name = "MODEL", default_value = "default")]
    pub(crate) model: String,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
    /// Jurisdiction of the embedded ruleset the codes are found with: CN, US, EU or UK.
    #[arg(long, value_name = "J", default_value = "CN")]
    pub(crate) jurisdiction: String,
    /// Family-wise significance level (Bonferroni over characteristics, and over codes).
    #[arg(long, value_name = "P", default_value_t = 0.01)]
    pub(crate) alpha: f64,
    /// Smallest PSI that alerts, whatever the sample size (0.1: "some change").
    #[arg(long = "min-psi", value_name = "PSI", default_value_t = 0.1)]
    pub(crate) min_psi: f64,
    /// Smallest change of a finding code's rate that alerts (0.01: one point).
    #[arg(long = "min-rate-change", value_name = "RATE", default_value_t = 0.01)]
    pub(crate) min_rate_change: f64,
    /// Also write report.html, report.md, report.json and the charts here.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// Claim grammars to use instead of the embedded ones.
#[derive(Debug, Args)]
pub(crate) struct GrammarArgs {
    /// A claim grammar file (TOML, `rules/marketing/README.md`); repeat for each language.
    /// Default: the embedded `rules/marketing/zh.toml` and `en.toml`.
    #[arg(long = "grammar", value_name = "FILE")]
    pub(crate) grammar: Vec<PathBuf>,
}

/// Which sources of a corpus to measure on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CorpusSplit {
    /// Sources the grammar was never tuned on (the figures to quote).
    Heldout,
    /// Sources the grammar may be tuned on.
    Dev,
    /// Every ad.
    All,
}

/// `finrisk eval-ads`.
#[derive(Debug, Args)]
pub(crate) struct EvalAdsArgs {
    /// The labelled corpus: JSON lines with `id`, `language`, `text`, `codes`, `source`.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "datasets/data/ads/ads.jsonl"
    )]
    pub(crate) corpus: PathBuf,
    /// Which sources to measure on (a source's split is fixed by a hash of its address).
    #[arg(long, value_enum, default_value_t = CorpusSplit::Heldout)]
    pub(crate) split: CorpusSplit,
    /// Only the ads of one collection round (`batch` in the corpus).
    #[arg(long, value_name = "N")]
    pub(crate) batch: Option<u32>,
    /// List every ad the rules got wrong, with the codes expected and found.
    #[arg(long)]
    pub(crate) errors: bool,
    /// Also measure the shipped marketing-text model (probability 0.5) on the same ads, beside
    /// the rules.
    #[arg(long)]
    pub(crate) model: bool,
    #[command(flatten)]
    pub(crate) grammar: GrammarArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

/// `finrisk assess-product`.
#[derive(Debug, Args)]
pub(crate) struct AssessProductArgs {
    /// Product document (JSON, SPEC section 4).
    #[arg(long, value_name = "FILE")]
    pub(crate) product: PathBuf,
    /// The product's grants (CSV or Parquet): adds portfolio statistics and findings.
    #[arg(long, value_name = "FILE")]
    pub(crate) grants: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) pd: PdModelArgs,
    /// As-of date for time-dependent checks (default: the latest date in the grants).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
    /// Largest document accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub(crate) max_document_bytes: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// What a batch file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BatchKind {
    /// A grants table (CSV or Parquet).
    Grants,
    /// Cases, one JSON document per line.
    Cases,
    /// Products, one JSON document per line.
    Products,
}

/// `finrisk backtest`.
#[derive(Debug, Args)]
pub(crate) struct BacktestArgs {
    /// What the input holds.
    #[arg(long, value_enum, default_value_t = BatchKind::Grants)]
    pub(crate) kind: BatchKind,
    /// Grants: a CSV or Parquet file, or a directory of Parquet part files; products: JSON
    /// lines; cases: JSON lines or an element table (.csv or .xlsx, one row per case).
    #[arg(long, value_name = "PATH")]
    pub(crate) input: PathBuf,
    /// For cases in an element table: the repayments table (as `batch --repayments`).
    #[arg(long, value_name = "PATH")]
    pub(crate) repayments: Option<PathBuf>,
    /// For cases in an element table: the marketing texts in evidence (as `batch --ads`).
    #[arg(long, value_name = "PATH")]
    pub(crate) ads: Option<PathBuf>,
    /// The current ruleset (default: the embedded one of the jurisdiction).
    #[arg(long, value_name = "FILE")]
    pub(crate) rules: Option<PathBuf>,
    /// The candidate ruleset.
    #[arg(long, value_name = "FILE")]
    pub(crate) candidate: PathBuf,
    /// Jurisdiction of the grants; both rulesets must be for it.
    #[arg(long, value_name = "J", default_value = "CN")]
    pub(crate) jurisdiction: String,
    /// As-of date for time-dependent checks (default: the latest date in the data).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
    /// Rows per chunk of the streamed read (products and cases: rows assessed at a time).
    #[arg(long, value_name = "N", default_value_t = GRANT_CHUNK_ROWS)]
    pub(crate) chunk_rows: usize,
    /// Also write every change as CSV: grant_id (product_id, case_id), institution_id, code,
    /// change (gained|lost).
    #[arg(long, value_name = "PATH")]
    pub(crate) changes: Option<PathBuf>,
}

/// `finrisk batch`.
#[derive(Debug, Args)]
pub(crate) struct BatchArgs {
    /// What the input holds.
    #[arg(long, value_enum)]
    pub(crate) kind: BatchKind,
    /// Input: a CSV or Parquet file, or a directory of Parquet part files (hive-style
    /// `column=value` directories become output columns) for grants; JSON lines for products;
    /// JSON lines or an element table (.csv or .xlsx, one row per case) for cases.
    #[arg(long, value_name = "PATH")]
    pub(crate) input: PathBuf,
    /// For cases in an element table: the repayments table (`case_id, date, principal_minor,
    /// cost_minor`; CSV, or a workbook's `repayments` sheet, which is read by default when the
    /// input is a workbook).
    #[arg(long, value_name = "PATH")]
    pub(crate) repayments: Option<PathBuf>,
    /// For cases in an element table: the marketing texts in evidence (`case_id, text`; CSV, or
    /// a workbook's `ads` sheet, read by default when the input is a workbook).
    #[arg(long, value_name = "PATH")]
    pub(crate) ads: Option<PathBuf>,
    /// Output: .csv or .parquet for grants; .jsonl (full assessments) or .csv (one summary row
    /// each) for cases and products. Refused rows go to OUTPUT.rejects.csv.
    #[arg(long, value_name = "PATH")]
    pub(crate) output: PathBuf,
    /// As-of date for time-dependent checks (default: the latest date in the data).
    #[arg(long, value_name = "DATE")]
    pub(crate) as_of: Option<String>,
    /// For grants: also write one row per resolved person (keys joined through shared phones
    /// and devices): person_id, keys, grants, institutions, peak_exposure_minor, codes.
    #[arg(long, value_name = "PATH")]
    pub(crate) persons: Option<PathBuf>,
    /// Jurisdiction of the grants (cases and products carry their own).
    #[arg(long, value_name = "J", default_value = "CN")]
    pub(crate) jurisdiction: String,
    /// For grants: also write the evaluation index (JSON): per institution and per product,
    /// mean dimension scores, code counts, shares, FPD and default rates, mean PD, ranked
    /// worst first with the codes behind each rank.
    #[arg(long, value_name = "PATH")]
    pub(crate) index: Option<PathBuf>,
    /// For grants: planted or known labels (CSV or Parquet with `grant_id` and `codes`,
    /// `;`-joined, as `finrisk generate` writes in truth/grants): report precision and recall
    /// of every code against them.
    #[arg(long, value_name = "PATH")]
    pub(crate) truth: Option<PathBuf>,
    /// For grants: rows per chunk of the streamed read (memory grows with it, not with the
    /// input).
    #[arg(long, value_name = "N", default_value_t = GRANT_CHUNK_ROWS)]
    pub(crate) chunk_rows: usize,
    /// For grants: memory (MB) for keeping the first pass's parsed rows for the second; an
    /// input that needs more is read twice instead.
    #[arg(long, value_name = "MB", default_value_t = 1024)]
    pub(crate) memory_budget_mb: usize,
    /// For grants: load the whole file as one batch instead of streaming it (same outputs;
    /// memory grows with the input).
    #[arg(long)]
    pub(crate) in_memory: bool,
    /// No progress bar (there is none either when stderr is not a terminal).
    #[arg(long)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub(crate) pd: PdModelArgs,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
}

/// `finrisk score-case`.
#[derive(Debug, Args)]
pub(crate) struct ScoreCaseArgs {
    /// Case document (JSON, SPEC section 4).
    #[arg(long, value_name = "FILE")]
    pub(crate) case: PathBuf,
    #[command(flatten)]
    pub(crate) rules: RulesArgs,
    /// Largest document accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub(crate) max_document_bytes: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// `finrisk validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// What the input is.
    #[arg(long, value_enum)]
    pub(crate) kind: Kind,
    /// The file: CSV or Parquet for grants, JSON for a case or product, an element table
    /// (CSV or XLSX) or JSON lines for cases.
    #[arg(long, value_name = "PATH")]
    pub(crate) input: PathBuf,
    /// With `--kind cases`: the repayments table of the element table.
    #[arg(long, value_name = "PATH")]
    pub(crate) repayments: Option<PathBuf>,
    /// With `--kind cases`: the ads table of the element table.
    #[arg(long, value_name = "PATH")]
    pub(crate) ads: Option<PathBuf>,
    /// Largest JSON document accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_DOCUMENT_BYTES)]
    pub(crate) max_document_bytes: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}
