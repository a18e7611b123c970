//! The review store on SQLite or PostgreSQL: one code path through sqlx's `Any` driver.
//!
//! Every write is one transaction that starts by updating the single `chain_head` row. That
//! takes the write lock first (SQLite) or the row lock (PostgreSQL), so writers are serialised,
//! each gets the next event number, and the audit chain has no forks even with several server
//! instances on one PostgreSQL. A decision carries the version it was made on; a stale one is
//! refused before anything is written.

use crate::chain::{Event, FieldHasher, GENESIS_HASH, sha256_hex};
use crate::error::ReviewError;
use crate::workflow::{Decision, FindingMark, Refusal, Role, Status, resubmission, transition};
use serde::Serialize;
use serde_json::Value;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyConnection, AnyPool, Executor, Row};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::time::Duration;

/// The schema migrations, in order (`migrations/` at the workspace root).
const MIGRATIONS: [(i64, &str, &str); 1] = [(
    1,
    "review",
    include_str!("../../migrations/0001_review.sql"),
)];

/// The largest page a queue listing returns.
pub const MAX_PAGE_SIZE: i64 = 500;

/// What is submitted: a product self-check or a dispute case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionKind {
    /// A product, with its loan book if it has one.
    Product,
    /// A dispute case, on its own or attached to a product submission.
    Case,
}

impl SubmissionKind {
    /// The name used in the database and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionKind::Product => "product",
            SubmissionKind::Case => "case",
        }
    }
}

impl FromStr for SubmissionKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "product" => Ok(SubmissionKind::Product),
            "case" => Ok(SubmissionKind::Case),
            _ => Err(format!("unknown submission kind {s:?}")),
        }
    }
}

/// Who acts: a name for the audit trail, a role, and for an institution its institution id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Recorded in the audit trail (a key's name, or `--actor`).
    pub name: String,
    /// The role the actor acts in.
    pub role: Role,
    /// The institution an institution actor belongs to; `None` for mediators and courts.
    pub institution: Option<String>,
}

impl Actor {
    /// Whether this actor may see and act on `institution_id`'s submissions.
    fn may_see(&self, institution_id: &str) -> bool {
        match self.role {
            Role::Institution => self.institution.as_deref() == Some(institution_id),
            Role::Mediator | Role::Court => true,
        }
    }
}

/// One input document, stored as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// What it is: `product`, `grants` or `case`.
    pub name: String,
    /// The file name it was read from (or the request field it came in).
    pub file_name: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

/// A submission or resubmission: the documents and what the engine made of them.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// Product or case.
    pub kind: SubmissionKind,
    /// The institution whose product or loan the submission is about.
    pub institution_id: String,
    /// The product's or case's id: a second submission of the same subject is a new revision.
    pub subject_id: String,
    /// For a case: the product submission it belongs to.
    pub parent_id: Option<String>,
    /// The input documents.
    pub documents: Vec<Document>,
    /// The ruleset version the assessment used.
    pub ruleset_version: String,
    /// The model version the assessment used (`none` when no model ran).
    pub model_version: String,
    /// The full assessment as JSON: it must carry `scores.overall`, `grade` and `findings`
    /// (each with `code`, and `basis` and `recommendation` where the engine gives them).
    pub assessment: Value,
    /// For a resubmission: the version it was made on (checked when given).
    pub expected_version: Option<i64>,
    /// A note for the audit trail.
    pub note: String,
}

/// A reviewer's mark on one finding, with its note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkRequest {
    /// The finding's code (it must be a finding of the current revision).
    pub code: String,
    /// Confirmed, disputed or remedied.
    pub mark: FindingMark,
    /// Why.
    pub note: String,
}

/// A reviewer's decision.
#[derive(Debug, Clone)]
pub struct DecisionRequest {
    /// The submission.
    pub submission_id: String,
    /// The decision.
    pub decision: Decision,
    /// The version the decision was made on.
    pub expected_version: i64,
    /// A note for the institution and the audit trail.
    pub note: String,
    /// Marks on findings of the current revision.
    pub marks: Vec<MarkRequest>,
}

/// Which submissions a queue listing returns.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    /// These statuses; empty: what waits for the caller's role ([`Status::waiting_for`]).
    pub statuses: Vec<Status>,
    /// Only this institution's (an institution caller always sees only its own).
    pub institution_id: Option<String>,
    /// At most this many (1 to [`MAX_PAGE_SIZE`]; 0 means 50).
    pub page_size: i64,
    /// The `next_page_token` of the previous page, or empty for the first.
    pub page_token: String,
}

/// One line of a queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueEntry {
    /// The submission's id.
    pub id: String,
    /// Product or case.
    pub kind: SubmissionKind,
    /// The institution.
    pub institution_id: String,
    /// The product's or case's id.
    pub subject_id: String,
    /// Where it stands.
    pub status: Status,
    /// Its version (decide with this).
    pub version: i64,
    /// Its current revision.
    pub revision: i64,
    /// The current revision's overall score.
    pub overall: f64,
    /// The current revision's grade.
    pub grade: String,
    /// When it last changed.
    pub updated_at: String,
}

/// A page of a queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuePage {
    /// The statuses listed.
    pub statuses: Vec<Status>,
    /// The submissions, oldest first.
    pub entries: Vec<QueueEntry>,
    /// Pass it back for the next page; empty on the last page.
    pub next_page_token: String,
}

/// A reviewer's mark as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredMark {
    /// Confirmed, disputed or remedied.
    pub mark: FindingMark,
    /// The reviewer's role.
    pub role: String,
    /// The reviewer.
    pub actor: String,
    /// Why.
    pub note: String,
    /// The audit event that recorded it.
    pub event_seq: i64,
}

/// A finding of a revision, with the reviewers' marks on it (latest last).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewedFinding {
    /// The finding's code.
    pub code: String,
    /// The finding as the engine reported it (evidence, basis, recommendation, ...).
    pub finding: Value,
    /// The reviewers' marks, oldest first.
    pub marks: Vec<StoredMark>,
}

/// A stored document, without its content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentInfo {
    /// `product`, `grants` or `case`.
    pub name: String,
    /// The file it was read from.
    pub file_name: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub bytes: i64,
}

/// One revision of a submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevisionView {
    /// From 1.
    pub revision: i64,
    /// When it was submitted.
    pub created_at: String,
    /// The ruleset version its assessment used.
    pub ruleset_version: String,
    /// The model version its assessment used.
    pub model_version: String,
    /// Its overall score.
    pub overall: f64,
    /// Its grade.
    pub grade: String,
    /// Its documents.
    pub documents: Vec<DocumentInfo>,
    /// Its findings with the reviewers' marks.
    pub findings: Vec<ReviewedFinding>,
}

/// The latest judicial suggestion: the findings the institution must remedy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The event that issued it.
    pub event_seq: i64,
    /// When.
    pub issued_at: String,
    /// By whom.
    pub actor: String,
    /// The revision it is about.
    pub revision: i64,
    /// The court's note.
    pub note: String,
    /// The findings to remedy, each with its basis and recommendation.
    pub findings: Vec<Value>,
}

/// Everything stored about a submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmissionView {
    /// `SUB-<n>`.
    pub id: String,
    /// Product or case.
    pub kind: SubmissionKind,
    /// The institution.
    pub institution_id: String,
    /// The product's or case's id.
    pub subject_id: String,
    /// The product submission a case belongs to.
    pub parent_id: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// Its version: decisions carry it.
    pub version: i64,
    /// Its current revision.
    pub revision: i64,
    /// When it was first submitted.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// Every revision, oldest first (the scores over remediation).
    pub revisions: Vec<RevisionView>,
    /// The current revision's full assessment.
    pub assessment: Value,
    /// The latest judicial suggestion, if one was issued.
    pub suggestion: Option<Suggestion>,
    /// The submission's audit events, oldest first.
    pub history: Vec<Event>,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainReport {
    /// Whether the chain holds.
    pub ok: bool,
    /// Events read.
    pub events: i64,
    /// Submissions checked.
    pub submissions: i64,
    /// The last event's hash (record it elsewhere to detect a rewrite of the whole chain).
    pub head_hash: String,
    /// The first broken event, when the chain does not hold.
    pub broken: Option<BrokenLink>,
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrokenLink {
    /// The first event that does not hold.
    pub seq: i64,
    /// Its submission, when known.
    pub submission_id: Option<String>,
    /// What does not match.
    pub reason: String,
}

/// The review store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
}

/// The database URL for `--db`/`--database`: a `postgres://`, `postgresql://` or `sqlite:`
/// URL as given, anything else a SQLite file path (created when missing).
pub fn database_url(db: &str) -> String {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") || db.starts_with("sqlite:")
    {
        db.to_string()
    } else {
        format!("sqlite://{db}?mode=rwc")
    }
}

/// Now, UTC, RFC 3339 with milliseconds.
fn now() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

fn corrupt(what: impl Into<String>) -> ReviewError {
    ReviewError::Corrupt(what.into())
}

fn parse_stored<T: FromStr<Err = String>>(value: &str, column: &str) -> Result<T, ReviewError> {
    value
        .parse()
        .map_err(|e| corrupt(format!("column {column}: {e}")))
}

/// The submission row.
#[derive(Debug, Clone)]
struct SubmissionRow {
    id: String,
    number: i64,
    kind: SubmissionKind,
    institution_id: String,
    subject_id: String,
    parent_id: Option<String>,
    status: Status,
    version: i64,
    revision: i64,
    created_at: String,
    updated_at: String,
}

const SUBMISSION_COLUMNS: &str = "id, number, kind, institution_id, subject_id, parent_id, status, version, revision, created_at, updated_at";

impl SubmissionRow {
    fn from_row(row: &AnyRow) -> Result<Self, ReviewError> {
        Ok(SubmissionRow {
            id: row.try_get("id")?,
            number: row.try_get("number")?,
            kind: parse_stored(&row.try_get::<String, _>("kind")?, "kind")?,
            institution_id: row.try_get("institution_id")?,
            subject_id: row.try_get("subject_id")?,
            parent_id: row.try_get("parent_id")?,
            status: parse_stored(&row.try_get::<String, _>("status")?, "status")?,
            version: row.try_get("version")?,
            revision: row.try_get("revision")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

fn event_from_row(row: &AnyRow) -> Result<Event, ReviewError> {
    Ok(Event {
        seq: row.try_get("seq")?,
        submission_id: row.try_get("submission_id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        role: row.try_get("role")?,
        action: row.try_get("action")?,
        from_status: row.try_get("from_status")?,
        to_status: row.try_get("to_status")?,
        version: row.try_get("version")?,
        detail: row.try_get("detail")?,
        before_hash: row.try_get("before_hash")?,
        after_hash: row.try_get("after_hash")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const EVENT_COLUMNS: &str = "seq, submission_id, at, actor, role, action, from_status, to_status, version, detail, before_hash, after_hash, prev_hash, hash";

/// The hash over a revision's assessment and documents (name, file name, content's SHA-256,
/// size): stored with the revision, recomputed from the content by `verify`.
fn content_hash<'a>(
    assessment: &str,
    documents: impl IntoIterator<Item = (&'a str, &'a str, &'a str, i64)>,
) -> String {
    let mut h = FieldHasher::default();
    h.text("finrisk-revision-v1").text(assessment);
    for (name, file_name, sha, bytes) in documents {
        h.text(name).text(file_name).text(sha).number(bytes);
    }
    h.finish()
}

/// The findings of an assessment, by code, in the engine's order.
fn findings_of(assessment: &Value) -> Vec<(String, Value)> {
    assessment
        .get("findings")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|f| {
                    f.get("code")
                        .and_then(Value::as_str)
                        .map(|c| (c.to_string(), f.clone()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Takes the chain's lock and the next event number, with the previous event's hash.
async fn lock_chain(conn: &mut AnyConnection) -> Result<(i64, String), ReviewError> {
    let row = sqlx::query("UPDATE chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

async fn load_submission(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<SubmissionRow>, ReviewError> {
    let sql = format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(SubmissionRow::from_row).transpose()
}

/// The submission `id`, if it exists and `actor` may see it: NotFound or PermissionDenied
/// otherwise.
async fn load_visible(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
) -> Result<SubmissionRow, ReviewError> {
    let Some(s) = load_submission(conn, id).await? else {
        return Err(ReviewError::NotFound { id: id.to_string() });
    };
    if !actor.may_see(&s.institution_id) {
        return Err(ReviewError::PermissionDenied(format!(
            "submission: {id} belongs to another institution"
        )));
    }
    Ok(s)
}

/// The state hash of a submission written in the current transaction.
async fn state_hash_in_transaction(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<String, ReviewError> {
    state_hash(conn, id)
        .await?
        .ok_or_else(|| corrupt("the submission vanished inside its transaction"))
}

/// The state hash of a submission: its row, its revisions' stored hashes and its marks.
async fn state_hash(conn: &mut AnyConnection, id: &str) -> Result<Option<String>, ReviewError> {
    let Some(s) = load_submission(conn, id).await? else {
        return Ok(None);
    };
    let mut h = FieldHasher::default();
    h.text("finrisk-state-v1")
        .text(&s.id)
        .number(s.number)
        .text(s.kind.as_str())
        .text(&s.institution_id)
        .text(&s.subject_id)
        .text(s.parent_id.as_deref().unwrap_or(""))
        .text(s.status.as_str())
        .number(s.version)
        .number(s.revision)
        .text(&s.created_at)
        .text(&s.updated_at);
    let revisions = sqlx::query(
        "SELECT revision, created_at, ruleset_version, model_version, overall, grade, content_sha256 \
         FROM revisions WHERE submission_id = $1 ORDER BY revision",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &revisions {
        h.number(r.try_get("revision")?)
            .text(&r.try_get::<String, _>("created_at")?)
            .text(&r.try_get::<String, _>("ruleset_version")?)
            .text(&r.try_get::<String, _>("model_version")?)
            .field(&r.try_get::<f64, _>("overall")?.to_bits().to_le_bytes())
            .text(&r.try_get::<String, _>("grade")?)
            .text(&r.try_get::<String, _>("content_sha256")?);
    }
    let marks = sqlx::query(
        "SELECT revision, code, event_seq, mark, role, actor, note FROM finding_marks \
         WHERE submission_id = $1 ORDER BY event_seq, code",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for m in &marks {
        h.number(m.try_get("revision")?)
            .text(&m.try_get::<String, _>("code")?)
            .number(m.try_get("event_seq")?)
            .text(&m.try_get::<String, _>("mark")?)
            .text(&m.try_get::<String, _>("role")?)
            .text(&m.try_get::<String, _>("actor")?)
            .text(&m.try_get::<String, _>("note")?);
    }
    Ok(Some(h.finish()))
}

/// Appends the event (its hash computed here) and moves the chain's head to it.
async fn append_event(conn: &mut AnyConnection, mut event: Event) -> Result<Event, ReviewError> {
    event.hash = event.compute_hash();
    let sql = format!(
        "INSERT INTO events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    );
    sqlx::query(&sql)
        .bind(event.seq)
        .bind(&event.submission_id)
        .bind(&event.at)
        .bind(&event.actor)
        .bind(&event.role)
        .bind(&event.action)
        .bind(&event.from_status)
        .bind(&event.to_status)
        .bind(event.version)
        .bind(&event.detail)
        .bind(&event.before_hash)
        .bind(&event.after_hash)
        .bind(&event.prev_hash)
        .bind(&event.hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE chain_head SET hash = $1 WHERE id = 1")
        .bind(&event.hash)
        .execute(&mut *conn)
        .await?;
    Ok(event)
}

async fn insert_revision(
    conn: &mut AnyConnection,
    id: &str,
    revision: i64,
    at: &str,
    s: &NewSubmission,
    overall: f64,
    grade: &str,
) -> Result<(), ReviewError> {
    let assessment = serde_json::to_string(&s.assessment)
        .map_err(|e| ReviewError::invalid("assessment", e.to_string()))?;
    let shas: Vec<String> = s.documents.iter().map(|d| sha256_hex(&d.content)).collect();
    let mut sizes = Vec::with_capacity(s.documents.len());
    for d in &s.documents {
        sizes.push(i64::try_from(d.content.len()).map_err(|_| {
            ReviewError::invalid(d.name.clone(), "the document is too large to store")
        })?);
    }
    let hash = content_hash(
        &assessment,
        s.documents
            .iter()
            .zip(&shas)
            .zip(&sizes)
            .map(|((d, sha), &n)| (d.name.as_str(), d.file_name.as_str(), sha.as_str(), n)),
    );
    sqlx::query(
        "INSERT INTO revisions (submission_id, revision, created_at, ruleset_version, model_version, overall, grade, assessment, content_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(revision)
    .bind(at)
    .bind(&s.ruleset_version)
    .bind(&s.model_version)
    .bind(overall)
    .bind(grade)
    .bind(&assessment)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    for (position, ((d, sha), &n)) in s.documents.iter().zip(&shas).zip(&sizes).enumerate() {
        sqlx::query(
            "INSERT INTO documents (submission_id, revision, position, name, file_name, sha256, bytes, content) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(revision)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&d.name)
        .bind(&d.file_name)
        .bind(sha)
        .bind(n)
        .bind(d.content.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The overall score and grade an assessment must carry.
fn score_and_grade(assessment: &Value) -> Result<(f64, String), ReviewError> {
    let overall = assessment
        .get("scores")
        .and_then(|s| s.get("overall"))
        .and_then(Value::as_f64)
        .ok_or_else(|| ReviewError::invalid("assessment", "has no scores.overall"))?;
    let grade = assessment
        .get("grade")
        .and_then(Value::as_str)
        .ok_or_else(|| ReviewError::invalid("assessment", "has no grade"))?;
    Ok((overall, grade.to_string()))
}

fn check_id(field: &str, value: &str) -> Result<(), ReviewError> {
    if value.trim().is_empty() {
        return Err(ReviewError::invalid(field, "is empty"));
    }
    if value.len() > 200 {
        return Err(ReviewError::invalid(field, "is longer than 200 bytes"));
    }
    Ok(())
}

impl Store {
    /// Opens (and creates, for a SQLite file) the database at `url` ([`database_url`]) and
    /// brings its schema up to date. SQLite runs in WAL mode with synchronous commits and a
    /// 30 s busy timeout.
    pub async fn open(url: &str) -> Result<Store, ReviewError> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(url)
            .map_err(|e| ReviewError::invalid("database", e.to_string()))?;
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        conn.execute("PRAGMA busy_timeout = 30000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // Every acknowledged commit is on disk (WAL with FULL syncs each commit).
                        conn.execute("PRAGMA synchronous = FULL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        if sqlite {
            // Persistent in the file: readers do not block the writer, nor it them.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let migrator = Migrator {
            migrations: Cow::Owned(
                MIGRATIONS
                    .iter()
                    .map(|&(version, description, sql)| {
                        Migration::new(
                            version,
                            Cow::Borrowed(description),
                            MigrationType::Simple,
                            Cow::Borrowed(sql),
                            false,
                        )
                    })
                    .collect(),
            ),
            ..Migrator::DEFAULT
        };
        // PostgreSQL serialises concurrent migrators with an advisory lock; SQLite has none, so
        // a second process starting on a new file at the same moment may find the tables
        // created under it: it tries again, and then finds the migration applied.
        let mut attempt = 0;
        loop {
            match migrator.run(&pool).await {
                Ok(()) => break,
                Err(_) if sqlite && attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Store { pool })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Stores a submission, or a new revision of the same subject (same kind, institution and
    /// id) after a return, a suggestion or a confirmation.
    pub async fn submit(
        &self,
        actor: &Actor,
        s: &NewSubmission,
    ) -> Result<SubmissionView, ReviewError> {
        check_id("institution_id", &s.institution_id)?;
        check_id("subject_id", &s.subject_id)?;
        match (actor.role, s.kind) {
            (Role::Institution, _) if !actor.may_see(&s.institution_id) => {
                return Err(ReviewError::PermissionDenied(format!(
                    "institution_id: a key of institution {} cannot submit for {}",
                    actor.institution.as_deref().unwrap_or("?"),
                    s.institution_id
                )));
            }
            (Role::Mediator, _) | (Role::Court, SubmissionKind::Product) => {
                return Err(ReviewError::PermissionDenied(format!(
                    "role: a {} cannot submit a {} (institutions submit products and cases, courts submit cases)",
                    actor.role,
                    s.kind.as_str()
                )));
            }
            _ => {}
        }
        let (overall, grade) = score_and_grade(&s.assessment)?;
        let mut tx = self.pool.begin().await?;
        let (seq, prev_hash) = lock_chain(&mut tx).await?;
        if let Some(parent) = &s.parent_id {
            let Some(p) = load_submission(&mut tx, parent).await? else {
                return Err(ReviewError::invalid(
                    "parent_id",
                    format!("no submission {parent}"),
                ));
            };
            if !actor.may_see(&p.institution_id) {
                return Err(ReviewError::PermissionDenied(format!(
                    "parent_id: submission {parent} belongs to another institution"
                )));
            }
        }
        let existing = sqlx::query(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE kind = $1 AND institution_id = $2 AND subject_id = $3"
        ))
        .bind(s.kind.as_str())
        .bind(&s.institution_id)
        .bind(&s.subject_id)
        .fetch_optional(&mut *tx)
        .await?;
        let at = now();
        let (id, action, from_status, to_status, version, revision, before_hash) = match existing {
            None => {
                if let Some(v) = s.expected_version {
                    return Err(ReviewError::invalid(
                        "expected_version",
                        format!(
                            "{v} given, but {} {} of {} was never submitted",
                            s.kind.as_str(),
                            s.subject_id,
                            s.institution_id
                        ),
                    ));
                }
                let id = format!("SUB-{seq}");
                sqlx::query(&format!(
                    "INSERT INTO submissions ({SUBMISSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ))
                .bind(&id)
                .bind(seq)
                .bind(s.kind.as_str())
                .bind(&s.institution_id)
                .bind(&s.subject_id)
                .bind(s.parent_id.clone())
                .bind(Status::Submitted.as_str())
                .bind(1_i64)
                .bind(1_i64)
                .bind(&at)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                (
                    id,
                    "submit",
                    String::new(),
                    Status::Submitted,
                    1,
                    1,
                    String::new(),
                )
            }
            Some(row) => {
                let current = SubmissionRow::from_row(&row)?;
                if let Some(v) = s.expected_version
                    && v != current.version
                {
                    return Err(ReviewError::StaleVersion {
                        id: current.id,
                        expected: v,
                        current: current.version,
                    });
                }
                let Some(next) = resubmission(current.status) else {
                    return Err(ReviewError::UnderReview {
                        id: current.id,
                        current: current.status,
                    });
                };
                let before = state_hash_in_transaction(&mut tx, &current.id).await?;
                sqlx::query(
                    "UPDATE submissions SET status = $1, version = $2, revision = $3, updated_at = $4, parent_id = $5 WHERE id = $6",
                )
                .bind(next.as_str())
                .bind(current.version + 1)
                .bind(current.revision + 1)
                .bind(&at)
                .bind(s.parent_id.clone().or(current.parent_id.clone()))
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
                (
                    current.id,
                    "resubmit",
                    current.status.as_str().to_string(),
                    next,
                    current.version + 1,
                    current.revision + 1,
                    before,
                )
            }
        };
        insert_revision(&mut tx, &id, revision, &at, s, overall, &grade).await?;
        let after_hash = state_hash_in_transaction(&mut tx, &id).await?;
        let detail = serde_json::json!({
            "revision": revision,
            "note": s.note,
            "overall": overall,
            "grade": grade,
            "documents": s.documents.iter().map(|d| serde_json::json!({
                "name": d.name, "file_name": d.file_name, "sha256": sha256_hex(&d.content),
            })).collect::<Vec<_>>(),
        });
        append_event(
            &mut tx,
            Event {
                seq,
                submission_id: id.clone(),
                at,
                actor: actor.name.clone(),
                role: actor.role.as_str().to_string(),
                action: action.to_string(),
                from_status,
                to_status: to_status.as_str().to_string(),
                version,
                detail: detail.to_string(),
                before_hash,
                after_hash,
                prev_hash,
                hash: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(actor, &id).await
    }

    /// Applies a reviewer's decision made on `expected_version`, with its marks on findings.
    pub async fn decide(
        &self,
        actor: &Actor,
        d: &DecisionRequest,
    ) -> Result<SubmissionView, ReviewError> {
        let mut tx = self.pool.begin().await?;
        let (seq, prev_hash) = lock_chain(&mut tx).await?;
        let current = load_visible(&mut tx, actor, &d.submission_id).await?;
        if d.expected_version != current.version {
            return Err(ReviewError::StaleVersion {
                id: current.id,
                expected: d.expected_version,
                current: current.version,
            });
        }
        let next = match transition(actor.role, d.decision, current.status) {
            Ok(next) => next,
            Err(Refusal::WrongRole { decided_by }) => {
                return Err(ReviewError::WrongRole {
                    role: actor.role,
                    decision: d.decision.as_str().to_string(),
                    decided_by,
                });
            }
            Err(Refusal::WrongStatus { allowed_from }) => {
                return Err(ReviewError::DisallowedTransition {
                    id: current.id,
                    decision: d.decision.as_str().to_string(),
                    current: current.status,
                    allowed: allowed_from
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        };
        let assessment_text: String = sqlx::query(
            "SELECT assessment FROM revisions WHERE submission_id = $1 AND revision = $2",
        )
        .bind(&current.id)
        .bind(current.revision)
        .fetch_one(&mut *tx)
        .await?
        .try_get("assessment")?;
        let assessment: Value = serde_json::from_str(&assessment_text)
            .map_err(|e| corrupt(format!("stored assessment of {}: {e}", current.id)))?;
        let findings = findings_of(&assessment);
        // A finding of the latest judicial suggestion can be marked remedied although the
        // resubmission no longer has it (that is what remedied means).
        let suggested: Vec<String> = match sqlx::query(
            "SELECT detail FROM events WHERE submission_id = $1 AND action = $2 ORDER BY seq DESC LIMIT 1",
        )
        .bind(&current.id)
        .bind(Decision::IssueSuggestion.as_str())
        .fetch_optional(&mut *tx)
        .await?
        {
            None => Vec::new(),
            Some(row) => {
                let detail: Value = serde_json::from_str(&row.try_get::<String, _>("detail")?)
                    .map_err(|e| corrupt(format!("suggestion of {}: {e}", current.id)))?;
                findings_of(&serde_json::json!({"findings": detail.get("suggestion")}))
                    .into_iter()
                    .map(|(code, _)| code)
                    .collect()
            }
        };
        let mut seen = std::collections::HashSet::new();
        for m in &d.marks {
            let in_revision = findings.iter().any(|(code, _)| *code == m.code);
            let remedied_suggestion =
                m.mark == FindingMark::Remedied && suggested.contains(&m.code);
            if !in_revision && !remedied_suggestion {
                let codes: Vec<&str> = findings.iter().map(|(c, _)| c.as_str()).collect();
                return Err(ReviewError::invalid(
                    "finding",
                    format!(
                        "{} is not a finding of revision {} of {} (its findings: {}; of the judicial suggestion, to mark remedied: {})",
                        m.code,
                        current.revision,
                        current.id,
                        if codes.is_empty() {
                            "none".to_string()
                        } else {
                            codes.join(", ")
                        },
                        if suggested.is_empty() {
                            "none".to_string()
                        } else {
                            suggested.join(", ")
                        }
                    ),
                ));
            }
            if !seen.insert(m.code.as_str()) {
                return Err(ReviewError::invalid(
                    "finding",
                    format!("{} is marked twice in one decision", m.code),
                ));
            }
        }
        let before_hash = state_hash_in_transaction(&mut tx, &current.id).await?;
        // The latest mark per finding of this revision, this decision's marks included.
        let mut latest: HashMap<String, FindingMark> = HashMap::new();
        let stored = sqlx::query(
            "SELECT code, mark FROM finding_marks WHERE submission_id = $1 AND revision = $2 ORDER BY event_seq",
        )
        .bind(&current.id)
        .bind(current.revision)
        .fetch_all(&mut *tx)
        .await?;
        for r in &stored {
            latest.insert(
                r.try_get("code")?,
                parse_stored(&r.try_get::<String, _>("mark")?, "mark")?,
            );
        }
        for m in &d.marks {
            latest.insert(m.code.clone(), m.mark);
        }
        let suggestion = if d.decision == Decision::IssueSuggestion {
            let to_remedy: Vec<Value> = findings
                .iter()
                .filter(|(code, _)| {
                    !matches!(
                        latest.get(code),
                        Some(FindingMark::Disputed | FindingMark::Remedied)
                    )
                })
                .map(|(_, f)| f.clone())
                .collect();
            if to_remedy.is_empty() {
                return Err(ReviewError::invalid(
                    "decision",
                    format!(
                        "issue_suggestion needs a finding to remedy, and every finding of revision {} is disputed or remedied (confirm instead)",
                        current.revision
                    ),
                ));
            }
            Some(to_remedy)
        } else {
            None
        };
        let at = now();
        for m in &d.marks {
            sqlx::query(
                "INSERT INTO finding_marks (submission_id, revision, code, event_seq, mark, role, actor, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&current.id)
            .bind(current.revision)
            .bind(&m.code)
            .bind(seq)
            .bind(m.mark.as_str())
            .bind(actor.role.as_str())
            .bind(&actor.name)
            .bind(&m.note)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE submissions SET status = $1, version = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(next.as_str())
        .bind(current.version + 1)
        .bind(&at)
        .bind(&current.id)
        .execute(&mut *tx)
        .await?;
        let after_hash = state_hash_in_transaction(&mut tx, &current.id).await?;
        let mut detail = serde_json::json!({
            "revision": current.revision,
            "note": d.note,
            "marks": d.marks.iter().map(|m| serde_json::json!({
                "code": m.code, "mark": m.mark.as_str(), "note": m.note,
            })).collect::<Vec<_>>(),
        });
        if let (Some(findings), Some(obj)) = (suggestion, detail.as_object_mut()) {
            obj.insert("suggestion".into(), Value::Array(findings));
        }
        append_event(
            &mut tx,
            Event {
                seq,
                submission_id: current.id.clone(),
                at,
                actor: actor.name.clone(),
                role: actor.role.as_str().to_string(),
                action: d.decision.as_str().to_string(),
                from_status: current.status.as_str().to_string(),
                to_status: next.as_str().to_string(),
                version: current.version + 1,
                detail: detail.to_string(),
                before_hash,
                after_hash,
                prev_hash,
                hash: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        self.get(actor, &current.id).await
    }

    /// Everything stored about a submission the actor may see.
    pub async fn get(&self, actor: &Actor, id: &str) -> Result<SubmissionView, ReviewError> {
        let mut conn = self.pool.acquire().await?;
        let s = load_visible(&mut conn, actor, id).await?;
        let revision_rows = sqlx::query(
            "SELECT revision, created_at, ruleset_version, model_version, overall, grade, assessment \
             FROM revisions WHERE submission_id = $1 ORDER BY revision",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let document_rows = sqlx::query(
            "SELECT revision, name, file_name, sha256, bytes FROM documents WHERE submission_id = $1 ORDER BY revision, position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mark_rows = sqlx::query(
            "SELECT revision, code, event_seq, mark, role, actor, note FROM finding_marks WHERE submission_id = $1 ORDER BY event_seq, code",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut documents: BTreeMap<i64, Vec<DocumentInfo>> = BTreeMap::new();
        for r in &document_rows {
            documents
                .entry(r.try_get("revision")?)
                .or_default()
                .push(DocumentInfo {
                    name: r.try_get("name")?,
                    file_name: r.try_get("file_name")?,
                    sha256: r.try_get("sha256")?,
                    bytes: r.try_get("bytes")?,
                });
        }
        let mut marks: BTreeMap<(i64, String), Vec<StoredMark>> = BTreeMap::new();
        for r in &mark_rows {
            marks
                .entry((r.try_get("revision")?, r.try_get("code")?))
                .or_default()
                .push(StoredMark {
                    mark: parse_stored(&r.try_get::<String, _>("mark")?, "mark")?,
                    role: r.try_get("role")?,
                    actor: r.try_get("actor")?,
                    note: r.try_get("note")?,
                    event_seq: r.try_get("event_seq")?,
                });
        }
        let mut revisions = Vec::with_capacity(revision_rows.len());
        let mut current_assessment = Value::Null;
        for r in &revision_rows {
            let revision: i64 = r.try_get("revision")?;
            let text: String = r.try_get("assessment")?;
            let assessment: Value = serde_json::from_str(&text)
                .map_err(|e| corrupt(format!("stored assessment of {id}: {e}")))?;
            let mut findings: Vec<ReviewedFinding> = findings_of(&assessment)
                .into_iter()
                .map(|(code, finding)| ReviewedFinding {
                    marks: marks.remove(&(revision, code.clone())).unwrap_or_default(),
                    code,
                    finding,
                })
                .collect();
            // Marks on findings the revision no longer has: suggested findings marked remedied.
            let gone: Vec<(i64, String)> = marks
                .range((revision, String::new())..(revision + 1, String::new()))
                .map(|(k, _)| k.clone())
                .collect();
            for key in gone {
                let code = key.1.clone();
                findings.push(ReviewedFinding {
                    finding: serde_json::json!({"code": code, "absent_from_revision": true}),
                    marks: marks.remove(&key).unwrap_or_default(),
                    code,
                });
            }
            revisions.push(RevisionView {
                revision,
                created_at: r.try_get("created_at")?,
                ruleset_version: r.try_get("ruleset_version")?,
                model_version: r.try_get("model_version")?,
                overall: r.try_get("overall")?,
                grade: r.try_get("grade")?,
                documents: documents.remove(&revision).unwrap_or_default(),
                findings,
            });
            if revision == s.revision {
                current_assessment = assessment;
            }
        }
        let history = self.events_of(&mut conn, id).await?;
        let suggestion = history
            .iter()
            .rev()
            .find(|e| e.action == Decision::IssueSuggestion.as_str())
            .map(|e| -> Result<Suggestion, ReviewError> {
                let detail: Value = serde_json::from_str(&e.detail)
                    .map_err(|err| corrupt(format!("event {} detail: {err}", e.seq)))?;
                Ok(Suggestion {
                    event_seq: e.seq,
                    issued_at: e.at.clone(),
                    actor: e.actor.clone(),
                    revision: detail.get("revision").and_then(Value::as_i64).unwrap_or(0),
                    note: detail
                        .get("note")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    findings: detail
                        .get("suggestion")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                })
            })
            .transpose()?;
        Ok(SubmissionView {
            id: s.id,
            kind: s.kind,
            institution_id: s.institution_id,
            subject_id: s.subject_id,
            parent_id: s.parent_id,
            status: s.status,
            version: s.version,
            revision: s.revision,
            created_at: s.created_at,
            updated_at: s.updated_at,
            revisions,
            assessment: current_assessment,
            suggestion,
            history,
        })
    }

    async fn events_of(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Vec<Event>, ReviewError> {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM events WHERE submission_id = $1 ORDER BY seq");
        let rows = sqlx::query(&sql).bind(id).fetch_all(&mut *conn).await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The audit trail of one submission the actor may see, oldest first.
    pub async fn audit_trail(&self, actor: &Actor, id: &str) -> Result<Vec<Event>, ReviewError> {
        let mut conn = self.pool.acquire().await?;
        load_visible(&mut conn, actor, id).await?;
        self.events_of(&mut conn, id).await
    }

    /// Events after `after_seq` that the actor may see, oldest first, at most `limit`.
    pub async fn events_after(
        &self,
        actor: &Actor,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<Event>, ReviewError> {
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let rows = match (actor.role, &actor.institution) {
            (Role::Institution, Some(institution)) => {
                let sql = format!(
                    "SELECT {} FROM events e JOIN submissions s ON s.id = e.submission_id \
                     WHERE e.seq > $1 AND s.institution_id = $2 ORDER BY e.seq LIMIT $3",
                    EVENT_COLUMNS
                        .split(", ")
                        .map(|c| format!("e.{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                sqlx::query(&sql)
                    .bind(after_seq)
                    .bind(institution)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
            (Role::Institution, None) => Vec::new(),
            (Role::Mediator | Role::Court, _) => {
                let sql = format!(
                    "SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"
                );
                sqlx::query(&sql)
                    .bind(after_seq)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(event_from_row).collect()
    }

    /// A page of the queue the actor may see.
    pub async fn queue(&self, actor: &Actor, q: &QueueQuery) -> Result<QueuePage, ReviewError> {
        let statuses: Vec<Status> = if q.statuses.is_empty() {
            Status::waiting_for(actor.role).to_vec()
        } else {
            q.statuses.clone()
        };
        let page_size = match q.page_size {
            0 => 50,
            n if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            n => {
                return Err(ReviewError::invalid(
                    "page_size",
                    format!("{n} is not between 1 and {MAX_PAGE_SIZE}"),
                ));
            }
        };
        let after: i64 = if q.page_token.is_empty() {
            0
        } else {
            q.page_token.parse().map_err(|_| {
                ReviewError::invalid("page_token", "is not a token this server returned")
            })?
        };
        let institution = match actor.role {
            Role::Institution => {
                let own = actor.institution.clone().ok_or_else(|| {
                    ReviewError::PermissionDenied(
                        "an institution key without an institution".into(),
                    )
                })?;
                if let Some(asked) = &q.institution_id
                    && *asked != own
                {
                    return Err(ReviewError::PermissionDenied(format!(
                        "institution_id: a key of institution {own} cannot list {asked}'s submissions"
                    )));
                }
                Some(own)
            }
            Role::Mediator | Role::Court => q.institution_id.clone(),
        };
        let mut sql = String::from(
            "SELECT s.id, s.kind, s.institution_id, s.subject_id, s.status, s.version, s.revision, s.updated_at, s.number, r.overall, r.grade \
             FROM submissions s JOIN revisions r ON r.submission_id = s.id AND r.revision = s.revision \
             WHERE s.number > $1 AND s.status IN (",
        );
        let mut n = 2;
        for (i, _) in statuses.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${n}"));
            n += 1;
        }
        sql.push(')');
        if institution.is_some() {
            sql.push_str(&format!(" AND s.institution_id = ${n}"));
            n += 1;
        }
        sql.push_str(&format!(" ORDER BY s.number LIMIT ${n}"));
        let mut query = sqlx::query(&sql).bind(after);
        for s in &statuses {
            query = query.bind(s.as_str());
        }
        if let Some(i) = &institution {
            query = query.bind(i.clone());
        }
        let rows = query.bind(page_size + 1).fetch_all(&self.pool).await?;
        let mut entries = Vec::with_capacity(rows.len());
        let mut last_number = 0;
        for r in rows.iter().take(usize::try_from(page_size).unwrap_or(50)) {
            last_number = r.try_get("number")?;
            entries.push(QueueEntry {
                id: r.try_get("id")?,
                kind: parse_stored(&r.try_get::<String, _>("kind")?, "kind")?,
                institution_id: r.try_get("institution_id")?,
                subject_id: r.try_get("subject_id")?,
                status: parse_stored(&r.try_get::<String, _>("status")?, "status")?,
                version: r.try_get("version")?,
                revision: r.try_get("revision")?,
                overall: r.try_get("overall")?,
                grade: r.try_get("grade")?,
                updated_at: r.try_get("updated_at")?,
            });
        }
        let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > page_size;
        Ok(QueuePage {
            statuses,
            entries,
            next_page_token: if more {
                last_number.to_string()
            } else {
                String::new()
            },
        })
    }

    /// Checks the whole audit chain and every submission's state against its last event.
    pub async fn verify(&self) -> Result<ChainReport, ReviewError> {
        let mut conn = self.pool.acquire().await?;
        let mut report = ChainReport {
            ok: true,
            events: 0,
            submissions: 0,
            head_hash: GENESIS_HASH.to_string(),
            broken: None,
        };
        let broken = |seq: i64, submission: Option<&str>, reason: String| BrokenLink {
            seq,
            submission_id: submission.map(str::to_string),
            reason,
        };
        // Last event (seq, after_hash) per submission.
        let mut last_of: BTreeMap<String, (i64, String)> = BTreeMap::new();
        let mut expected_seq = 1_i64;
        let mut prev_hash = GENESIS_HASH.to_string();
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq >= $1 ORDER BY seq LIMIT 2000");
        'pages: loop {
            let rows = sqlx::query(&sql)
                .bind(expected_seq)
                .fetch_all(&mut *conn)
                .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = event_from_row(row)?;
                let found = if e.seq != expected_seq {
                    Some(broken(
                        expected_seq,
                        None,
                        format!(
                            "event {expected_seq} is missing (the next stored event is {}): deleted from the database",
                            e.seq
                        ),
                    ))
                } else if e.prev_hash != prev_hash {
                    Some(broken(
                        e.seq,
                        Some(&e.submission_id),
                        "its prev_hash is not the previous event's hash".into(),
                    ))
                } else if e.compute_hash() != e.hash {
                    Some(broken(
                        e.seq,
                        Some(&e.submission_id),
                        "its fields do not hash to its stored hash: edited in the database".into(),
                    ))
                } else {
                    let expected_before = last_of
                        .get(&e.submission_id)
                        .map(|(_, h)| h.clone())
                        .unwrap_or_default();
                    (e.before_hash != expected_before).then(|| {
                        broken(
                            e.seq,
                            Some(&e.submission_id),
                            "its before_hash is not the after_hash of the submission's previous event".into(),
                        )
                    })
                };
                if let Some(b) = found {
                    report.ok = false;
                    report.broken = Some(b);
                    break 'pages;
                }
                report.events += 1;
                last_of.insert(e.submission_id.clone(), (e.seq, e.after_hash.clone()));
                prev_hash = e.hash;
                expected_seq += 1;
            }
        }
        report.head_hash = prev_hash.clone();
        if report.broken.is_none() {
            let head = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1")
                .fetch_one(&mut *conn)
                .await?;
            let head_seq: i64 = head.try_get("seq")?;
            let head_hash: String = head.try_get("hash")?;
            if head_seq != report.events || head_hash != prev_hash {
                report.ok = false;
                report.broken = Some(broken(
                    report.events + 1,
                    None,
                    format!(
                        "the chain's head records event {head_seq}, but the stored events end at {}: events deleted from the end",
                        report.events
                    ),
                ));
            }
        }
        if report.broken.is_none() {
            let ids = sqlx::query("SELECT id FROM submissions ORDER BY number")
                .fetch_all(&mut *conn)
                .await?;
            let mut stored_ids = std::collections::BTreeSet::new();
            for r in &ids {
                let id: String = r.try_get("id")?;
                report.submissions += 1;
                let Some((seq, after)) = last_of.get(&id) else {
                    report.ok = false;
                    report.broken = Some(broken(
                        report.events + 1,
                        Some(&id),
                        "the submission has no event: inserted directly in the database".into(),
                    ));
                    break;
                };
                if let Some(reason) = self.content_mismatch(&mut conn, &id).await? {
                    report.ok = false;
                    report.broken = Some(broken(*seq, Some(&id), reason));
                    break;
                }
                if state_hash(&mut conn, &id).await?.as_deref() != Some(after.as_str()) {
                    report.ok = false;
                    report.broken = Some(broken(
                        *seq,
                        Some(&id),
                        format!(
                            "submission {id}'s stored state no longer matches the after_hash of its last event ({seq}): edited in the database"
                        ),
                    ));
                    break;
                }
                stored_ids.insert(id);
            }
            if report.broken.is_none()
                && let Some((id, (seq, _))) =
                    last_of.iter().find(|(id, _)| !stored_ids.contains(*id))
            {
                report.ok = false;
                report.broken = Some(broken(
                    *seq,
                    Some(id),
                    format!("submission {id} has events but is missing: deleted from the database"),
                ));
            }
        }
        Ok(report)
    }

    /// Why a submission's stored revisions do not match their content hashes, if they do not.
    async fn content_mismatch(
        &self,
        conn: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<String>, ReviewError> {
        let revisions = sqlx::query(
            "SELECT revision, assessment, content_sha256 FROM revisions WHERE submission_id = $1 ORDER BY revision",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        for r in &revisions {
            let revision: i64 = r.try_get("revision")?;
            let docs = sqlx::query(
                "SELECT name, file_name, sha256, bytes, content FROM documents WHERE submission_id = $1 AND revision = $2 ORDER BY position",
            )
            .bind(id)
            .bind(revision)
            .fetch_all(&mut *conn)
            .await?;
            let mut listed = Vec::with_capacity(docs.len());
            for d in &docs {
                let name: String = d.try_get("name")?;
                // Content written as text by hand reads back as text: hash its bytes.
                let content: Vec<u8> = match d.try_get::<Vec<u8>, _>("content") {
                    Ok(bytes) => bytes,
                    Err(_) => d.try_get::<String, _>("content")?.into_bytes(),
                };
                let sha = sha256_hex(&content);
                if sha != d.try_get::<String, _>("sha256")? {
                    return Ok(Some(format!(
                        "document {name} of revision {revision} of {id} does not hash to its stored SHA-256: edited in the database"
                    )));
                }
                listed.push((
                    name,
                    d.try_get::<String, _>("file_name")?,
                    sha,
                    i64::try_from(content.len()).unwrap_or(i64::MAX),
                ));
            }
            let assessment: String = r.try_get("assessment")?;
            let hash = content_hash(
                &assessment,
                listed
                    .iter()
                    .map(|(n, f, s, b)| (n.as_str(), f.as_str(), s.as_str(), *b)),
            );
            if hash != r.try_get::<String, _>("content_sha256")? {
                return Ok(Some(format!(
                    "revision {revision} of {id}: its assessment or documents changed since it was stored"
                )));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_rfc3339() {
        let t = now();
        assert_eq!(t.len(), 24, "{t}");
        assert!(
            t.ends_with('Z') && &t[4..5] == "-" && &t[10..11] == "T",
            "{t}"
        );
        assert!(t.as_str() > "2024-01-01");
    }

    #[test]
    fn database_urls() {
        assert_eq!(database_url("review.db"), "sqlite://review.db?mode=rwc");
        assert_eq!(
            database_url("postgres://u@127.0.0.1:5432/db"),
            "postgres://u@127.0.0.1:5432/db"
        );
        assert_eq!(database_url("sqlite::memory:"), "sqlite::memory:");
    }
}
