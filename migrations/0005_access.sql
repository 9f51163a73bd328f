-- Access (issue 4): donors, the links of vendor and donor users to what they
-- may see, one-time passwords, vendors' PINs, server-side sessions and the
-- record of failed sign-ins that throttles guessing.

-- A donor: a company or foundation that funds the programme. The grants
-- issue adds funds and reports; here a donor user needs something to belong to.
CREATE TABLE donors (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT donors_name_check CHECK (btrim(name) <> '')
);

-- A vendor user is tied to exactly one participant (and a participant has at
-- most one user; the foreign key comes with participants, in 0004); a donor
-- user to exactly one donor; nobody else to either.
-- must_change_password is set by an administrator's reset and by creation:
-- the one-time password works once, to choose a new one. pin_hash is the
-- argon2id hash of a vendor's 6-digit PIN.
ALTER TABLE users
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
    ADD COLUMN pin_hash text,
    ADD CONSTRAINT users_donor_fkey FOREIGN KEY (donor_id) REFERENCES donors (id),
    ADD CONSTRAINT users_vendor_participant_check CHECK ((role = 'vendor') = (participant_id IS NOT NULL)),
    ADD CONSTRAINT users_donor_donor_check CHECK ((role = 'donor') = (donor_id IS NOT NULL)),
    ADD CONSTRAINT users_pin_check CHECK (pin_hash IS NULL OR role = 'vendor');
CREATE UNIQUE INDEX users_participant_key ON users (participant_id) WHERE participant_id IS NOT NULL;
CREATE INDEX users_donor_idx ON users (donor_id) WHERE donor_id IS NOT NULL;

-- A signed-in browser or API client. The cookie carries a random token; only
-- its SHA-256 is kept here, so a copy of this table signs nobody in.
-- expires_at is the absolute end; last_seen_at drives the idle timeout.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    ip           text NOT NULL DEFAULT '',
    CONSTRAINT sessions_token_hash_check CHECK (octet_length(token_hash) = 32)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- A disabled account or a changed password ends every session of the user,
-- whatever code made the change.
CREATE FUNCTION users_end_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sessions WHERE user_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER users_end_sessions AFTER UPDATE OF disabled_at, password_hash ON users
    FOR EACH ROW
    WHEN ((NEW.disabled_at IS NOT NULL AND OLD.disabled_at IS NULL) OR NEW.password_hash IS DISTINCT FROM OLD.password_hash)
    EXECUTE FUNCTION users_end_sessions();

-- Failed sign-ins, per login (lower-cased) and client address, kept for the
-- throttling window only. Too many in the window locks the login (or the
-- address) until they age out.
CREATE TABLE login_failures (
    id    bigserial PRIMARY KEY,
    login text NOT NULL,
    ip    text NOT NULL,
    at    timestamptz NOT NULL
);
CREATE INDEX login_failures_login_idx ON login_failures (login, at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);
CREATE INDEX login_failures_at_idx ON login_failures (at);
