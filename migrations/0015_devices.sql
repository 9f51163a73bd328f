-- Phones that remember their vendor (issue 14). An officer, with the vendor
-- beside her, makes a one-time link (shown as a QR code); her phone opens
-- it, she chooses a PIN, and the phone is given a long-lived device token in
-- a cookie. From then on that phone asks only for her PIN (under the same
-- limits as any sign-in). Only the SHA-256 of each token is kept here, so a
-- copy of these tables signs nobody in. A device is revoked, never deleted:
-- its sessions end with it, and the phone falls back to the normal sign-in.
CREATE TABLE devices (
    id           bigserial PRIMARY KEY,
    token_hash   bytea NOT NULL,
    user_id      bigint NOT NULL REFERENCES users (id),
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    created_by   bigint REFERENCES users (id),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   bigint REFERENCES users (id),
    CONSTRAINT devices_token_hash_key UNIQUE (token_hash),
    CONSTRAINT devices_token_hash_check CHECK (octet_length(token_hash) = 32)
);
CREATE INDEX devices_user_idx ON devices (user_id);

-- A one-time sign-in link for a vendor's phone: it works once (used_at, and
-- the device it made), until expires_at, and only the latest one of a
-- vendor works (making a new one expires the others).
CREATE TABLE device_links (
    id         bigserial PRIMARY KEY,
    token_hash bytea NOT NULL,
    user_id    bigint NOT NULL REFERENCES users (id),
    created_by bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    device_id  bigint REFERENCES devices (id),
    CONSTRAINT device_links_token_hash_key UNIQUE (token_hash),
    CONSTRAINT device_links_token_hash_check CHECK (octet_length(token_hash) = 32),
    CONSTRAINT device_links_used_check CHECK ((used_at IS NULL) = (device_id IS NULL))
);
CREATE INDEX device_links_user_idx ON device_links (user_id);

-- A session started on a remembered phone names it, so that revoking the
-- phone ends its sessions at once.
ALTER TABLE sessions ADD COLUMN device_id bigint REFERENCES devices (id);
CREATE INDEX sessions_device_idx ON sessions (device_id) WHERE device_id IS NOT NULL;
