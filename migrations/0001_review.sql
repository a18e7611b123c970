-- finrisk review store, version 1: submissions, their revisions and documents, reviewers' marks
-- on findings, and the hash-chained audit trail. Portable SQL: the same file runs on SQLite and
-- PostgreSQL (BIGINT, TEXT, DOUBLE PRECISION; BYTEA is stored as a blob by SQLite).

CREATE TABLE submissions (
    id TEXT PRIMARY KEY,              -- SUB-<number>
    number BIGINT NOT NULL UNIQUE,    -- the audit sequence number of its first event
    kind TEXT NOT NULL,               -- product | case
    institution_id TEXT NOT NULL,
    subject_id TEXT NOT NULL,         -- the product's or the case's id
    parent_id TEXT,                   -- a case attached to a product submission
    status TEXT NOT NULL,
    version BIGINT NOT NULL,          -- +1 on every change (optimistic concurrency)
    revision BIGINT NOT NULL,         -- the current revision, from 1
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX submissions_subject ON submissions (kind, institution_id, subject_id);
CREATE INDEX submissions_queue ON submissions (status, number);
CREATE INDEX submissions_institution ON submissions (institution_id, number);

CREATE TABLE revisions (
    submission_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    ruleset_version TEXT NOT NULL,
    model_version TEXT NOT NULL,
    overall DOUBLE PRECISION NOT NULL,
    grade TEXT NOT NULL,
    assessment TEXT NOT NULL,         -- the full assessment, JSON
    content_sha256 TEXT NOT NULL,     -- over the assessment and the documents (chain.rs)
    PRIMARY KEY (submission_id, revision)
);

CREATE TABLE documents (
    submission_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,               -- product, grants, case
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (submission_id, revision, position)
);

CREATE TABLE finding_marks (
    submission_id TEXT NOT NULL,
    revision BIGINT NOT NULL,
    code TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    mark TEXT NOT NULL,               -- confirmed | disputed | remedied
    role TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (submission_id, revision, code, event_seq)
);

CREATE TABLE events (
    seq BIGINT PRIMARY KEY,           -- 1, 2, ... without gaps
    submission_id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    version BIGINT NOT NULL,
    detail TEXT NOT NULL,
    before_hash TEXT NOT NULL,
    after_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_submission ON events (submission_id, seq);

-- One row: the last event's number and hash. Every write starts by updating it, which
-- serialises writers on both databases and hands out the next event number.
CREATE TABLE chain_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
