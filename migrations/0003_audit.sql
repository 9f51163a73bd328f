-- The audit trail: every state change and every staff view of a
-- participant's file, append-only, each row chained by hash to the one
-- before so that a removed or altered row is detected.
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id   bigint,
    actor_role text NOT NULL DEFAULT '',
    action     text NOT NULL,
    object     text NOT NULL DEFAULT '',
    summary    text NOT NULL DEFAULT '',
    ip         text NOT NULL DEFAULT '',
    prev_hash  text NOT NULL,
    hash       text NOT NULL,
    CONSTRAINT audit_log_hash_key UNIQUE (hash)
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_object ON audit_log (object, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
