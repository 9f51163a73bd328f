-- Donor reports delivered (issue 13, point 5): the people at a donor who
-- receive its monthly impact report, the report each donor gets for each
-- ended month, and every e-mail that carries one, with each attempt to
-- send it.

-- A donor's report contact: an address at the donor (a staff member's, not
-- a participant's) and the language of the PDF she gets. Nothing else is
-- kept about her; removing the contact deletes the row.
CREATE TABLE donor_contacts (
    id         bigserial PRIMARY KEY,
    donor_id   bigint NOT NULL REFERENCES donors (id),
    email      text NOT NULL,
    language   text NOT NULL DEFAULT 'th',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT donor_contacts_email_check CHECK (email ~ '^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$' AND length(email) <= 254),
    CONSTRAINT donor_contacts_language_check CHECK (language IN ('th', 'en'))
);
CREATE UNIQUE INDEX donor_contacts_donor_email_key ON donor_contacts (donor_id, lower(email));

-- The monthly job is one row of report_jobs per month: two serve processes
-- that both see the month begin enqueue it once.
CREATE UNIQUE INDEX report_jobs_impact_month_key ON report_jobs ((params ->> 'month')) WHERE kind = 'impact_month';

-- A donor's report for one ended month, made once by the monthly job: the
-- Thai PDF as issued (byte-identical on every run for a closed month).
CREATE TABLE report_impact_issues (
    donor_id bigint NOT NULL REFERENCES donors (id),
    month    date NOT NULL,
    job_id   bigint REFERENCES report_jobs (id) ON DELETE SET NULL,
    pdf      bytea NOT NULL,
    made_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (donor_id, month),
    CONSTRAINT report_impact_issues_month_check CHECK (month = date_trunc('month', month)::date)
);

-- An e-mail carrying a donor's monthly report to one contact: the whole
-- message as composed (the same bytes on every attempt), sent at most once
-- per donor, month and address. state: queued (to send at next_attempt_at),
-- sent (the SMTP server took it), kept (no SMTP configured: the outbox
-- page shows it), failed (refused for good, or out of attempts). A worker
-- takes a message for lease_until, so that two servers never send it at
-- once.
CREATE TABLE report_mail (
    id              bigserial PRIMARY KEY,
    donor_id        bigint NOT NULL,
    month           date NOT NULL,
    recipient       text NOT NULL,
    language        text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    attachment      text NOT NULL,
    message         bytea NOT NULL,
    state           text NOT NULL DEFAULT 'queued',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    worker          text NOT NULL DEFAULT '',
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    CONSTRAINT report_mail_issue_fkey FOREIGN KEY (donor_id, month) REFERENCES report_impact_issues (donor_id, month),
    CONSTRAINT report_mail_once_key UNIQUE (donor_id, month, recipient),
    CONSTRAINT report_mail_state_check CHECK (state IN ('queued', 'sent', 'kept', 'failed')),
    CONSTRAINT report_mail_attempts_check CHECK (attempts >= 0)
);
CREATE INDEX report_mail_due_idx ON report_mail (next_attempt_at) WHERE state = 'queued';

-- Every attempt to send a message: when, by which worker, and what the
-- server answered (error is '' when it took the message).
CREATE TABLE report_mail_attempts (
    mail_id  bigint NOT NULL REFERENCES report_mail (id) ON DELETE CASCADE,
    n        integer NOT NULL,
    at       timestamptz NOT NULL DEFAULT now(),
    worker   text NOT NULL,
    ok       boolean NOT NULL,
    error    text NOT NULL DEFAULT '',
    PRIMARY KEY (mail_id, n)
);
