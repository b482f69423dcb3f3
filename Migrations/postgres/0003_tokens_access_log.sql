-- 0003_tokens_access_log (PostgreSQL): the API tokens Docket issued to service accounts and the
-- access log (who read which case), as the SQLite migration 0002 keeps them beside the event log,
-- column for column, so that `docket token` and `docket access-log` and `docket serve` keep them
-- on PostgreSQL too (Docs/store.md, "PostgreSQL").
--
-- A shipped migration is never edited: change the schema by adding a new one, then regenerate
-- Sources/DocketPostgres/PostgresMigrations+Embedded.swift with Scripts/embed-migrations.

-- API tokens: only the SHA-256 of each secret is kept. A row is never deleted (an audit must
-- still tell who an `api_token:` principal in the log was) and is changed once at most: when the
-- token is revoked (see the trigger below).
CREATE TABLE api_tokens (
    token_id    text   PRIMARY KEY CHECK (length(token_id) > 0),      -- the public part of the token
    person      text   NOT NULL CHECK (length(person) > 0),           -- the account it authenticates
    secret_hash text   NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'), -- SHA-256 hex of the secret
    created_at  bigint NOT NULL,                                       -- µs, UTC
    created_by  text   NOT NULL,                                       -- Principal.recorded
    expires_at  bigint,                                                -- NULL: never
    revoked_at  bigint,
    revoked_by  text,
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

-- The one change a token row may see: revoked_at and revoked_by set, once, and nothing else.
CREATE FUNCTION docket_api_token_revoke_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'docket: API token % is revoked already; its row is not changed again', OLD.token_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.token_id IS DISTINCT FROM OLD.token_id OR NEW.person IS DISTINCT FROM OLD.person
       OR NEW.secret_hash IS DISTINCT FROM OLD.secret_hash OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.expires_at IS DISTINCT FROM OLD.expires_at THEN
        RAISE EXCEPTION 'docket: API token %: only its revocation may be recorded; create a new token instead', OLD.token_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER api_tokens_revoke_only BEFORE UPDATE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION docket_api_token_revoke_only();
CREATE TRIGGER api_tokens_refuse_delete BEFORE DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('API tokens are kept for the audit; revoke a token instead of deleting it');
CREATE TRIGGER api_tokens_refuse_truncate BEFORE TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION docket_refuse_change('API tokens are kept for the audit; TRUNCATE refused');

-- Who read which case, kept apart from the case log (reads are not facts of the case).
-- Append-only: rows are never updated or deleted. Ids are given in insertion order by each
-- writer (several servers may write at once: ids of concurrent reads may commit out of order).
CREATE TABLE access_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         bigint NOT NULL,                                        -- µs, UTC
    principal  text   NOT NULL,
    action     text   NOT NULL,
    case_id    text,
    request_id text
);

CREATE INDEX access_log_by_case ON access_log (case_id, id) WHERE case_id IS NOT NULL;

CREATE TRIGGER access_log_refuse_update BEFORE UPDATE ON access_log
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('the access log is append-only; UPDATE refused');
CREATE TRIGGER access_log_refuse_delete BEFORE DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION docket_refuse_change('the access log is append-only; DELETE refused');
CREATE TRIGGER access_log_refuse_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION docket_refuse_change('the access log is append-only; TRUNCATE refused');
