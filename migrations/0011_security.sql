-- Security (issue 10): vendor rows refuse TRUNCATE like the ledger's, and
-- the audit trail's checkpoints. `hawker` grants the application role its
-- rights after every migration run (migrations/grants.go), not here.

CREATE TRIGGER vendor_entries_no_truncate BEFORE TRUNCATE ON vendor_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER vendor_voids_no_truncate BEFORE TRUNCATE ON vendor_voids
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- A checkpoint of the audit trail: its length and the hash of its last row
-- at a moment, signed (HMAC-SHA256) with HAWKER_AUDIT_KEY, which the
-- database never holds. The same checkpoint goes to the log, outside the
-- database: whoever can rewrite this table still cannot sign a new one, and
-- `hawker audit verify` checks the chain against the latest it is given.
CREATE TABLE audit_checkpoints (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL,
    rows      bigint NOT NULL,
    last_id   bigint NOT NULL,
    head      text NOT NULL,
    signature text NOT NULL,
    CONSTRAINT audit_checkpoints_rows_check CHECK (rows >= 0)
);

CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
