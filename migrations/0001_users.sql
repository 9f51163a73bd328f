-- Users of Hawker. A vendor user is tied to one participant and a donor user
-- to one donor; those links gain foreign keys when their tables arrive.
CREATE TABLE users (
    id             bigserial PRIMARY KEY,
    login          text NOT NULL,
    name           text NOT NULL DEFAULT '',
    role           text NOT NULL,
    password_hash  text NOT NULL,
    participant_id bigint,
    donor_id       bigint,
    language       text NOT NULL DEFAULT 'th',
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_role_check CHECK (role IN ('admin', 'officer', 'manager', 'donor', 'vendor')),
    CONSTRAINT users_login_check CHECK (login ~ '^[a-z0-9._-]{3,64}$'),
    CONSTRAINT users_language_check CHECK (language IN ('th', 'en'))
);
CREATE UNIQUE INDEX users_login_key ON users (lower(login));
