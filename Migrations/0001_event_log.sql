-- 0001_event_log: the event log, deployed definitions and calendars, idempotency keys and
-- projection checkpoints. Docs/store.md describes every column and the hash chain.
--
-- A shipped migration is never edited: change the schema by adding 0002_..., then regenerate
-- Sources/DocketStore/Migrations/EmbeddedMigrations.swift with Scripts/embed-migrations.

-- One row per event, in the order the store recorded them. Rows are never updated or deleted
-- (see the triggers below); each row's hash covers its content, its position and the previous
-- row's hash, so an edit, a deletion or a reordering behind Docket's back breaks the chain.
CREATE TABLE events (
    position         INTEGER PRIMARY KEY,                    -- global order: 1, 2, 3, ... no gaps
    case_id          TEXT    NOT NULL CHECK (length(case_id) > 0),
    version          INTEGER NOT NULL CHECK (version >= 1),  -- 1...n within the case
    type             TEXT    NOT NULL,
    workflow_id      TEXT    NOT NULL,
    workflow_version INTEGER NOT NULL CHECK (workflow_version >= 1),
    payload          TEXT    NOT NULL CHECK (json_valid(payload)), -- canonical JSON, sorted keys
    actor            TEXT    NOT NULL,
    role             TEXT,
    on_behalf_of     TEXT,
    occurred_at      INTEGER NOT NULL,                       -- business time, microseconds, UTC
    recorded_at      INTEGER NOT NULL,                       -- when the store appended it
    prev_hash        TEXT    NOT NULL CHECK (length(prev_hash) = 64),
    hash             TEXT    NOT NULL CHECK (length(hash) = 64),
    UNIQUE (case_id, version)                                -- also the index of a case's events
) STRICT;

-- Cases of a workflow: a case's first event names the workflow version it is pinned to.
CREATE INDEX events_case_openings ON events (workflow_id, workflow_version, case_id)
    WHERE version = 1;

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'docket: the event log is append-only; UPDATE of events refused');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'docket: the event log is append-only; DELETE of events refused');
END;

-- Workflow definitions as deployed: the exact text and its SHA-256 (lowercase hex).
CREATE TABLE definitions (
    workflow_id  TEXT    NOT NULL CHECK (length(workflow_id) > 0),
    version      INTEGER NOT NULL CHECK (version >= 1),
    content      TEXT    NOT NULL,
    content_hash TEXT    NOT NULL CHECK (length(content_hash) = 64),
    deployed_at  INTEGER NOT NULL,
    PRIMARY KEY (workflow_id, version)
) STRICT;

CREATE TRIGGER definitions_refuse_update BEFORE UPDATE ON definitions
BEGIN
    SELECT RAISE(ABORT, 'docket: deployed definitions are immutable; deploy a new version');
END;

CREATE TRIGGER definitions_refuse_delete BEFORE DELETE ON definitions
BEGIN
    SELECT RAISE(ABORT, 'docket: deployed definitions are immutable; DELETE refused');
END;

-- Business calendars as deployed, kept like definitions.
CREATE TABLE calendars (
    name         TEXT    NOT NULL CHECK (length(name) > 0),
    version      INTEGER NOT NULL CHECK (version >= 1),
    content      TEXT    NOT NULL,
    content_hash TEXT    NOT NULL CHECK (length(content_hash) = 64),
    deployed_at  INTEGER NOT NULL,
    PRIMARY KEY (name, version)
) STRICT;

CREATE TRIGGER calendars_refuse_update BEFORE UPDATE ON calendars
BEGIN
    SELECT RAISE(ABORT, 'docket: deployed calendars are immutable; deploy a new version');
END;

CREATE TRIGGER calendars_refuse_delete BEFORE DELETE ON calendars
BEGIN
    SELECT RAISE(ABORT, 'docket: deployed calendars are immutable; DELETE refused');
END;

-- A command retried with the same key gets its first result back instead of appending again.
-- first_position and last_position are NULL when the command appended no event.
CREATE TABLE idempotency_keys (
    key            TEXT    PRIMARY KEY,
    fingerprint    TEXT    NOT NULL,                         -- of the command, not of its events
    case_id        TEXT    NOT NULL,
    first_position INTEGER,
    last_position  INTEGER,
    recorded_at    INTEGER NOT NULL
) STRICT;

-- How far each projection has read the log; written in the same transaction as its tables.
CREATE TABLE projection_checkpoints (
    projection TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL CHECK (position >= 0)
) STRICT;
