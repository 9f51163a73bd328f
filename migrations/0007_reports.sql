-- Reports (issue 12): the register of issued statements, and the queue of
-- background jobs that make documents in bulk. Both belong to package
-- reports; no other package names them.

-- Every closed month's statement as issued: what its verification address
-- (/verify/<token>) answers. The token is 160 random bits; the totals are
-- the figures the page shows (month and totals, never a name or a phone).
-- The same figures issued again keep their token, so every print of a
-- closed month is the same document.
CREATE TABLE report_statements (
    id               bigserial PRIMARY KEY,
    number           text NOT NULL,
    participant_code text NOT NULL,
    month            date NOT NULL,
    fingerprint      text NOT NULL,
    token            text NOT NULL,
    totals           jsonb NOT NULL,
    issued_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT report_statements_number_fingerprint_key UNIQUE (number, fingerprint),
    CONSTRAINT report_statements_token_key UNIQUE (token),
    CONSTRAINT report_statements_fingerprint_check CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    CONSTRAINT report_statements_token_check CHECK (token ~ '^[a-z2-7]{32}$'),
    CONSTRAINT report_statements_month_check CHECK (month = date_trunc('month', month)::date)
);

-- A background job: a kind ('statements'; donor reports add theirs), its
-- parameters, and its progress. Any number of processes take jobs from it:
-- a worker claims a queued job, or one whose worker stopped sending
-- heartbeats, with SELECT … FOR UPDATE SKIP LOCKED, so no job runs twice
-- at once and a killed run is taken up again.
CREATE TABLE report_jobs (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL,
    params       jsonb NOT NULL DEFAULT '{}',
    state        text NOT NULL DEFAULT 'queued',
    total        integer NOT NULL DEFAULT 0,
    done         integer NOT NULL DEFAULT 0,
    error        text NOT NULL DEFAULT '',
    attempts     integer NOT NULL DEFAULT 0,
    worker       text NOT NULL DEFAULT '',
    requested_by bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    heartbeat_at timestamptz,
    finished_at  timestamptz,
    CONSTRAINT report_jobs_state_check CHECK (state IN ('queued', 'running', 'done', 'failed')),
    CONSTRAINT report_jobs_progress_check CHECK (done >= 0 AND total >= 0 AND done <= total)
);
CREATE INDEX report_jobs_waiting_idx ON report_jobs (id) WHERE state IN ('queued', 'running');

-- The finished items of a job (one vendor's statement). A re-run of a
-- killed job skips the items found here.
CREATE TABLE report_job_items (
    job_id  bigint NOT NULL REFERENCES report_jobs (id) ON DELETE CASCADE,
    item    text NOT NULL,
    done_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, item)
);

-- A file a job made, kept for download (the officers' ZIP is built from
-- these as it is sent).
CREATE TABLE report_job_files (
    job_id  bigint NOT NULL REFERENCES report_jobs (id) ON DELETE CASCADE,
    name    text NOT NULL,
    content bytea NOT NULL,
    PRIMARY KEY (job_id, name)
);
