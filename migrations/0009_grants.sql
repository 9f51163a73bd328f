-- Grants (issue 11): donors' restricted funds, their receipts, grants of cash
-- tranches and equipment, the approvals that commit a grant to its fund, and
-- the equipment register.
--
-- Money lives in the ledger only. Each fund has its accounts in the
-- programme's book (see grants/ledger.go): what was received, what is still
-- available, what is committed to approved grants (cash, and equipment in
-- stock), and what went out (cash grants, in-kind grants, write-offs). The
-- fund's figures are those accounts' balances; the rows below say what each
-- movement was and point at its ledger entries (ids only: the ledger's
-- tables are the ledger's).

-- One row of settings: grants whose total is above manager_threshold need a
-- manager's approval as a second approval.
CREATE TABLE grant_settings (
    id                boolean PRIMARY KEY DEFAULT true,
    manager_threshold numeric(18,2) NOT NULL DEFAULT 50000.00,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    updated_by        bigint REFERENCES users (id),
    CONSTRAINT grant_settings_one_row CHECK (id),
    CONSTRAINT grant_settings_threshold_check CHECK (manager_threshold > 0 AND manager_threshold = round(manager_threshold, 2))
);
INSERT INTO grant_settings DEFAULT VALUES;

-- A donor's restricted fund. book_id is the programme's ledger book, where
-- the fund's accounts live (codes fund.<id>.*).
CREATE TABLE funds (
    id         bigserial PRIMARY KEY,
    donor_id   bigint NOT NULL REFERENCES donors (id),
    name       text NOT NULL,
    purpose    text NOT NULL DEFAULT '',
    book_id    bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint REFERENCES users (id),
    CONSTRAINT funds_name_check CHECK (btrim(name) <> '')
);
CREATE INDEX funds_donor_idx ON funds (donor_id);

-- Money received into a fund. The idempotency key is the client's; the same
-- key with another request is refused.
CREATE TABLE fund_receipts (
    id              bigserial PRIMARY KEY,
    fund_id         bigint NOT NULL REFERENCES funds (id),
    amount          numeric(18,2) NOT NULL,
    received_on     date NOT NULL,
    note            text NOT NULL DEFAULT '',
    entry_id        bigint NOT NULL,
    idempotency_key text NOT NULL,
    request_hash    bytea NOT NULL,
    recorded_by     bigint REFERENCES users (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fund_receipts_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT fund_receipts_amount_check CHECK (amount > 0 AND amount = round(amount, 2))
);
CREATE INDEX fund_receipts_fund_idx ON fund_receipts (fund_id, received_on);

-- A grant to one participant from one fund.
CREATE TABLE grants (
    id             bigserial PRIMARY KEY,
    participant_id bigint NOT NULL REFERENCES participants (id),
    fund_id        bigint NOT NULL REFERENCES funds (id),
    plan_id        bigint REFERENCES plans (id),
    state          text NOT NULL DEFAULT 'draft',
    total          numeric(18,2) NOT NULL,
    purpose        text NOT NULL DEFAULT '',
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    submitted_at   timestamptz,
    submitted_by   bigint REFERENCES users (id),
    approvals_needed integer NOT NULL DEFAULT 1,
    approved_at    timestamptz,
    commit_entry_id bigint,
    rejected_at    timestamptz,
    rejected_by    bigint REFERENCES users (id),
    cancelled_at   timestamptz,
    cancelled_by   bigint REFERENCES users (id),
    release_entry_id bigint,
    reason         text NOT NULL DEFAULT '',
    completed_at   timestamptz,
    CONSTRAINT grants_state_check CHECK (state IN ('draft', 'submitted', 'approved', 'rejected', 'cancelled', 'completed')),
    CONSTRAINT grants_total_check CHECK (total > 0 AND total = round(total, 2)),
    CONSTRAINT grants_approvals_check CHECK (approvals_needed IN (1, 2)),
    CONSTRAINT grants_approved_check CHECK (state NOT IN ('approved', 'completed', 'cancelled') OR (approved_at IS NOT NULL AND commit_entry_id IS NOT NULL)),
    CONSTRAINT grants_reason_check CHECK (state NOT IN ('rejected', 'cancelled') OR btrim(reason) <> ''),
    -- Four eyes in the database too: who rejects or cancels did not draft it.
    CONSTRAINT grants_reject_four_eyes_check CHECK (rejected_by IS NULL OR rejected_by IS DISTINCT FROM created_by),
    CONSTRAINT grants_cancel_four_eyes_check CHECK (cancelled_by IS NULL OR cancelled_by IS DISTINCT FROM created_by)
);
CREATE INDEX grants_participant_idx ON grants (participant_id);
CREATE INDEX grants_fund_idx ON grants (fund_id);
CREATE INDEX grants_state_idx ON grants (state, id);

-- Everyone who changed a draft besides its drafter: none of them may approve it.
CREATE TABLE grant_editors (
    grant_id  bigint NOT NULL REFERENCES grants (id),
    user_id   bigint NOT NULL REFERENCES users (id),
    edited_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grant_id, user_id)
);

-- Each approval, in order. A grant above the threshold needs two, the second
-- by a manager; nobody approves twice.
CREATE TABLE grant_approvals (
    grant_id    bigint NOT NULL REFERENCES grants (id),
    seq         integer NOT NULL,
    approved_by bigint NOT NULL REFERENCES users (id),
    role        text NOT NULL,
    approved_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grant_id, seq),
    CONSTRAINT grant_approvals_once UNIQUE (grant_id, approved_by),
    CONSTRAINT grant_approvals_seq_check CHECK (seq IN (1, 2)),
    CONSTRAINT grant_approvals_role_check CHECK (role IN ('officer', 'manager'))
);

-- A cash tranche and its release condition. n counts from 1 in each grant.
CREATE TABLE grant_tranches (
    grant_id        bigint NOT NULL REFERENCES grants (id),
    n               integer NOT NULL,
    amount          numeric(18,2) NOT NULL,
    condition       text NOT NULL,
    after_date      date,
    trading_days    integer,
    milestone       text NOT NULL DEFAULT '',
    state           text NOT NULL DEFAULT 'pending',
    confirmed_at    timestamptz,
    confirmed_by    bigint REFERENCES users (id),
    confirm_note    text NOT NULL DEFAULT '',
    disbursed_on    date,
    disbursed_at    timestamptz,
    disbursed_by    bigint REFERENCES users (id),
    programme_entry_id bigint,
    vendor_entry_id bigint,
    idempotency_key text,
    PRIMARY KEY (grant_id, n),
    CONSTRAINT grant_tranches_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT grant_tranches_n_check CHECK (n >= 1),
    CONSTRAINT grant_tranches_amount_check CHECK (amount > 0 AND amount = round(amount, 2)),
    CONSTRAINT grant_tranches_condition_check CHECK (
        (condition = 'on_approval' AND after_date IS NULL AND trading_days IS NULL AND milestone = '')
        OR (condition = 'after_date' AND after_date IS NOT NULL AND trading_days IS NULL AND milestone = '')
        OR (condition = 'trading_days' AND after_date IS NULL AND trading_days BETWEEN 1 AND 30 AND milestone = '')
        OR (condition = 'milestone' AND after_date IS NULL AND trading_days IS NULL AND btrim(milestone) <> '')),
    CONSTRAINT grant_tranches_state_check CHECK (state IN ('pending', 'disbursed', 'cancelled')),
    CONSTRAINT grant_tranches_disbursed_check CHECK (
        (state = 'disbursed') = (programme_entry_id IS NOT NULL AND vendor_entry_id IS NOT NULL AND disbursed_on IS NOT NULL)),
    CONSTRAINT grant_tranches_confirmed_check CHECK (confirmed_at IS NULL OR (condition = 'milestone' AND btrim(confirm_note) <> ''))
);

-- An item of equipment: part of a grant, then of the register. holder is the
-- participant who has it now (handed over or reassigned), else null.
CREATE TABLE grant_items (
    id           bigserial PRIMARY KEY,
    grant_id     bigint NOT NULL REFERENCES grants (id),
    position     integer NOT NULL,
    description  text NOT NULL,
    asset_tag    text NOT NULL DEFAULT '',
    serial       text NOT NULL DEFAULT '',
    value        numeric(18,2) NOT NULL,
    basis        text NOT NULL,
    donor_id     bigint NOT NULL REFERENCES donors (id),
    status       text NOT NULL DEFAULT 'planned',
    holder_id    bigint REFERENCES participants (id),
    CONSTRAINT grant_items_position_key UNIQUE (grant_id, position),
    CONSTRAINT grant_items_description_check CHECK (btrim(description) <> ''),
    CONSTRAINT grant_items_value_check CHECK (value > 0 AND value = round(value, 2)),
    CONSTRAINT grant_items_basis_check CHECK (basis IN ('invoice', 'fair_value')),
    CONSTRAINT grant_items_status_check CHECK (status IN ('planned', 'in_stock', 'handed_over', 'returned', 'reassigned', 'written_off', 'cancelled')),
    -- An item is with one person at most, and only while handed over or reassigned.
    CONSTRAINT grant_items_holder_check CHECK ((status IN ('handed_over', 'reassigned')) = (holder_id IS NOT NULL))
);
CREATE UNIQUE INDEX grant_items_asset_tag_key ON grant_items (asset_tag)
    WHERE asset_tag <> '' AND status NOT IN ('planned', 'cancelled');
CREATE INDEX grant_items_holder_idx ON grant_items (holder_id) WHERE holder_id IS NOT NULL;

-- The history of each item: every move, with its ledger entries. Hand-overs
-- carry who received it and her acceptance (personal data: erased with her file).
CREATE TABLE grant_item_events (
    id                 bigserial PRIMARY KEY,
    item_id            bigint NOT NULL REFERENCES grant_items (id),
    action             text NOT NULL,
    from_status        text NOT NULL,
    to_status          text NOT NULL,
    participant_id     bigint REFERENCES participants (id),
    business_date      date NOT NULL,
    received_by        text NOT NULL DEFAULT '',
    acceptance         text NOT NULL DEFAULT '',
    note               text NOT NULL DEFAULT '',
    programme_entry_id bigint,
    vendor_entry_id    bigint,
    done_by            bigint REFERENCES users (id),
    done_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT grant_item_events_action_check CHECK (action IN ('stock', 'handover', 'recover', 'reassign', 'write_off', 'cancel'))
);
CREATE INDEX grant_item_events_item_idx ON grant_item_events (item_id, id);
CREATE INDEX grant_item_events_participant_idx ON grant_item_events (participant_id) WHERE participant_id IS NOT NULL;
