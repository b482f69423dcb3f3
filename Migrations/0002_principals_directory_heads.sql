-- 0002_principals_directory_heads: this round's one change of the event format (encoding v2) and
-- the tables that make the log an organisation's record. Docs/store.md describes every column.
--
-- Encoding v2 adds who was authenticated when the event was recorded (the principal: `jwt:li.wei`,
-- `api_token:portal`, `os:root`) beside the actor and the person acted for, and hashes it under a
-- new tag. Rows written before this migration keep encoding 1 and verify as they always did: a
-- log is never rewritten to upgrade it.
ALTER TABLE events ADD COLUMN encoding INTEGER NOT NULL DEFAULT 1 CHECK (encoding IN (1, 2));
ALTER TABLE events ADD COLUMN principal TEXT CHECK (principal IS NULL OR encoding = 2);

-- Which algorithms the log's hashes and signatures use. One row per setting; `hash_algorithm`
-- is `sha256` (China's SM3 can be added as another value without another format: both are 256 bits).
CREATE TABLE log_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO log_settings (key, value) VALUES ('hash_algorithm', 'sha256');

CREATE TRIGGER log_settings_refuse_update BEFORE UPDATE ON log_settings
BEGIN
    SELECT RAISE(ABORT, 'docket: the log settings are fixed when the log is created');
END;

-- The directory of people, units and roles as deployed, kept like definitions and calendars.
CREATE TABLE directories (
    name         TEXT    NOT NULL CHECK (length(name) > 0),
    version      INTEGER NOT NULL CHECK (version >= 1),
    content      TEXT    NOT NULL,
    content_hash TEXT    NOT NULL CHECK (length(content_hash) = 64),
    deployed_at  INTEGER NOT NULL,
    PRIMARY KEY (name, version)
) STRICT;

CREATE TRIGGER directories_refuse_update BEFORE UPDATE ON directories
BEGIN
    SELECT RAISE(ABORT, 'docket: deployed directories are immutable; deploy a new version');
END;

CREATE TRIGGER directories_refuse_delete BEFORE DELETE ON directories
BEGIN
    SELECT RAISE(ABORT, 'docket: deployed directories are immutable; DELETE refused');
END;

-- API tokens Docket issued to service accounts: only the SHA-256 of each secret is kept.
CREATE TABLE api_tokens (
    token_id    TEXT    PRIMARY KEY,                                 -- the public part of the token
    person      TEXT    NOT NULL,                                    -- the account it authenticates
    secret_hash TEXT    NOT NULL CHECK (length(secret_hash) = 64),   -- SHA-256 hex of the secret
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,                                    -- Principal.recorded
    expires_at  INTEGER,                                             -- NULL: never
    revoked_at  INTEGER,
    revoked_by  TEXT
) STRICT;

-- Who read which case, kept apart from the case log (reads are not facts of the case).
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    principal  TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    case_id    TEXT,
    request_id TEXT
) STRICT;

CREATE INDEX access_log_by_case ON access_log (case_id, at) WHERE case_id IS NOT NULL;

CREATE TRIGGER access_log_refuse_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'docket: the access log is append-only; UPDATE refused');
END;

-- Signed heads of the log: (position, hash, time) signed with a key the file's writers do not
-- hold. A copy of each is exported off the machine; `verify --heads` checks the log against them.
CREATE TABLE signed_heads (
    position  INTEGER NOT NULL CHECK (position >= 0),
    hash      TEXT    NOT NULL CHECK (length(hash) = 64),
    signed_at INTEGER NOT NULL,
    key_id    TEXT    NOT NULL,
    algorithm TEXT    NOT NULL,
    signature TEXT    NOT NULL,
    PRIMARY KEY (position, key_id)
) STRICT;
