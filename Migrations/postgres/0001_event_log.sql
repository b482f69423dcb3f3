-- 0001_event_log (PostgreSQL): the event log, deployed definitions, calendars and directories,
-- idempotency keys, projection checkpoints, log settings and signed heads: the tables the SQLite
-- migrations 0001 and 0002 hold for the log, column for column, so that a row hashes the same on
-- both stores (Docs/store.md). The API tokens, the access log and the analytics projection are
-- not here yet: Docket keeps them in SQLite only (Docs/store.md, "PostgreSQL").
--
-- A shipped migration is never edited: change the schema by adding 0002_..., then regenerate
-- Sources/DocketPostgres/PostgresMigrations+Embedded.swift with Scripts/embed-migrations.
-- Docket applies all pending migrations in one transaction, under an advisory lock.

-- One row per event, in commit order. Rows are never updated or deleted (see the triggers
-- below); each row's hash covers its content, its position and the previous row's hash.
-- `payload` is text, not jsonb: the hash covers its exact bytes, which jsonb would not keep.
CREATE TABLE events (
    position         bigint   PRIMARY KEY CHECK (position >= 1),   -- 1, 2, 3, ... no gaps
    case_id          text     NOT NULL CHECK (length(case_id) > 0),
    version          integer  NOT NULL CHECK (version >= 1),       -- 1...n within the case
    type             text     NOT NULL,
    workflow_id      text     NOT NULL,
    workflow_version integer  NOT NULL CHECK (workflow_version >= 1),
    payload          text     NOT NULL CHECK (payload::json IS NOT NULL), -- canonical JSON
    actor            text     NOT NULL,
    role             text,
    on_behalf_of     text,
    occurred_at      bigint   NOT NULL,                            -- business time, µs, UTC
    recorded_at      bigint   NOT NULL,                            -- when the store appended it
    prev_hash        text     NOT NULL CHECK (length(prev_hash) = 64),
    hash             text     NOT NULL CHECK (length(hash) = 64),
    encoding         smallint NOT NULL DEFAULT 2 CHECK (encoding IN (1, 2)),
    principal        text     CHECK (principal IS NULL OR encoding = 2),
    UNIQUE (case_id, version)                                      -- also a case's index
);

CREATE INDEX events_case_openings ON events (workflow_id, workflow_version, case_id)
    WHERE version = 1;

-- The head of the log: the last position and its hash, in one row. A writer locks this row
-- (SELECT ... FOR UPDATE) before it numbers its events, so writers take positions one after
-- another and commit in position order: a reader that has seen position p never later finds a
-- new event below p. (Docs/store.md, "Positions in commit order".)
CREATE TABLE log_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL CHECK (position >= 0),
    hash      text    NOT NULL CHECK (length(hash) = 64)
);
INSERT INTO log_head (singleton, position, hash) VALUES (true, 0, repeat('0', 64));

CREATE FUNCTION docket_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'docket: %', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('the event log is append-only; UPDATE of events refused');
CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('the event log is append-only; DELETE of events refused');
-- TRUNCATE skips row triggers: refused on its own.
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION docket_refuse_change('the event log is append-only; TRUNCATE of events refused');
CREATE TRIGGER log_head_refuse_delete BEFORE DELETE ON log_head
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('the head of the log cannot be deleted');

-- Workflow definitions as deployed: the exact text and its SHA-256 (lowercase hex).
CREATE TABLE definitions (
    workflow_id  text    NOT NULL CHECK (length(workflow_id) > 0),
    version      integer NOT NULL CHECK (version >= 1),
    content      text    NOT NULL,
    content_hash text    NOT NULL CHECK (length(content_hash) = 64),
    deployed_at  bigint  NOT NULL,
    PRIMARY KEY (workflow_id, version)
);

-- Business calendars and directories as deployed, kept like definitions.
CREATE TABLE calendars (
    name         text    NOT NULL CHECK (length(name) > 0),
    version      integer NOT NULL CHECK (version >= 1),
    content      text    NOT NULL,
    content_hash text    NOT NULL CHECK (length(content_hash) = 64),
    deployed_at  bigint  NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE directories (
    name         text    NOT NULL CHECK (length(name) > 0),
    version      integer NOT NULL CHECK (version >= 1),
    content      text    NOT NULL,
    content_hash text    NOT NULL CHECK (length(content_hash) = 64),
    deployed_at  bigint  NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TRIGGER definitions_refuse_change BEFORE UPDATE OR DELETE ON definitions
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('deployed definitions are immutable; deploy a new version');
CREATE TRIGGER calendars_refuse_change BEFORE UPDATE OR DELETE ON calendars
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('deployed calendars are immutable; deploy a new version');
CREATE TRIGGER directories_refuse_change BEFORE UPDATE OR DELETE ON directories
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('deployed directories are immutable; deploy a new version');

-- A command retried with the same key gets its first result back instead of appending again.
-- first_position and last_position are NULL when the command appended no event.
CREATE TABLE idempotency_keys (
    key            text   PRIMARY KEY,
    fingerprint    text   NOT NULL,                          -- of the command, not of its events
    case_id        text   NOT NULL,
    first_position bigint,
    last_position  bigint,
    recorded_at    bigint NOT NULL
);

-- How far each projection has read the log.
CREATE TABLE projection_checkpoints (
    projection text   PRIMARY KEY,
    position   bigint NOT NULL CHECK (position >= 0)
);

-- Which algorithms the log's hashes use, fixed when the log is created.
CREATE TABLE log_settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO log_settings (key, value) VALUES ('hash_algorithm', 'sha256');

CREATE TRIGGER log_settings_refuse_change BEFORE UPDATE OR DELETE ON log_settings
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('the log settings are fixed when the log is created');

-- Signed heads of the log (Docs/store.md, "Signed heads").
CREATE TABLE signed_heads (
    position  bigint NOT NULL CHECK (position >= 0),
    hash      text   NOT NULL CHECK (length(hash) = 64),
    signed_at bigint NOT NULL,
    key_id    text   NOT NULL,
    algorithm text   NOT NULL,
    signature text   NOT NULL,
    PRIMARY KEY (position, key_id)
);
