-- Participants and what the programme records about them before a grant:
-- consent per purpose, food-safety and programme training, business plans.
-- By design nothing here describes an offence, a sentence or a prison
-- (PDPA section 22: collect only what the programme needs).

-- The per-year counter behind participant codes (HSF-2026-0042).
CREATE TABLE participant_code_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE participants (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL,
    name        text NOT NULL,
    nickname    text NOT NULL DEFAULT '',
    -- Normalised Thai mobile number; NULL once erased.
    phone       text,
    province    text NOT NULL,
    district    text NOT NULL,
    cohort      text NOT NULL,
    enrolled_on date NOT NULL,
    language    text NOT NULL DEFAULT 'th',
    erased_at   timestamptz,
    erased_by   bigint REFERENCES users (id),
    created_by  bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT participants_code_key UNIQUE (code),
    CONSTRAINT participants_code_check CHECK (code ~ '^HSF-[0-9]{4}-[0-9]{4,}$'),
    CONSTRAINT participants_phone_check CHECK (phone ~ '^0[689][0-9]{8}$'),
    CONSTRAINT participants_language_check CHECK (language IN ('th', 'en')),
    CONSTRAINT participants_cohort_check CHECK (cohort <> ''),
    -- Erasure clears every personal field; a live file has a name and a phone.
    CONSTRAINT participants_erased_check CHECK (
        (erased_at IS NULL AND name <> '' AND phone IS NOT NULL)
        OR (erased_at IS NOT NULL AND name = '' AND nickname = '' AND phone IS NULL))
);
CREATE UNIQUE INDEX participants_phone_key ON participants (phone) WHERE erased_at IS NULL;
CREATE INDEX participants_cohort_idx ON participants (cohort);

-- A vendor user belongs to one participant.
ALTER TABLE users ADD CONSTRAINT users_participant_fkey
    FOREIGN KEY (participant_id) REFERENCES participants (id);

-- Consent history: rows are only added; the latest row per purpose holds.
CREATE TABLE consents (
    id             bigserial PRIMARY KEY,
    participant_id bigint NOT NULL REFERENCES participants (id),
    purpose        text NOT NULL,
    given          boolean NOT NULL,
    recorded_on    date NOT NULL,
    recorded_by    bigint REFERENCES users (id),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT consents_purpose_check CHECK (purpose IN ('programme', 'donor_reports', 'story'))
);
CREATE INDEX consents_latest_idx ON consents (participant_id, purpose, id DESC);

-- The training catalogue, kept by administrators.
CREATE TABLE training_modules (
    id              bigserial PRIMARY KEY,
    name_th         text NOT NULL,
    name_en         text NOT NULL,
    kind            text NOT NULL,
    required        boolean NOT NULL DEFAULT false,
    -- Months a certificate stays valid; NULL: it does not expire.
    validity_months integer,
    active          boolean NOT NULL DEFAULT true,
    position        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT training_modules_kind_check CHECK (kind IN ('food_handler', 'programme')),
    CONSTRAINT training_modules_names_check CHECK (name_th <> '' AND name_en <> ''),
    CONSTRAINT training_modules_validity_check CHECK (validity_months IS NULL OR validity_months BETWEEN 1 AND 240)
);

-- One class: a module taught on a day, recorded for every attendee at once.
CREATE TABLE training_sessions (
    id          bigserial PRIMARY KEY,
    module_id   bigint NOT NULL REFERENCES training_modules (id),
    session_on  date NOT NULL,
    trainer     text NOT NULL DEFAULT '',
    issuer      text NOT NULL DEFAULT '',
    recorded_by bigint REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE training_completions (
    id             bigserial PRIMARY KEY,
    participant_id bigint NOT NULL REFERENCES participants (id),
    module_id      bigint NOT NULL REFERENCES training_modules (id),
    session_id     bigint REFERENCES training_sessions (id),
    completed_on   date NOT NULL,
    passed         boolean NOT NULL,
    score          integer,
    certificate_no text NOT NULL DEFAULT '',
    issuer         text NOT NULL DEFAULT '',
    recorded_by    bigint REFERENCES users (id),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT training_completions_score_check CHECK (score IS NULL OR score BETWEEN 0 AND 100),
    CONSTRAINT training_completions_session_key UNIQUE (session_id, participant_id)
);
CREATE INDEX training_completions_participant_idx ON training_completions (participant_id, module_id, completed_on DESC);

-- Business plans, versioned per participant. An approved version is frozen
-- (trigger below); a new version starts as its copy.
CREATE TABLE plans (
    id                   bigserial PRIMARY KEY,
    participant_id       bigint NOT NULL REFERENCES participants (id),
    version              integer NOT NULL,
    state                text NOT NULL DEFAULT 'draft',
    business             text NOT NULL,
    menu                 text NOT NULL DEFAULT '',
    location             text NOT NULL DEFAULT '',
    trading_days         text NOT NULL DEFAULT '',
    trading_hours        text NOT NULL DEFAULT '',
    days_per_month       integer NOT NULL,
    expected_daily_sales numeric(18,2) NOT NULL,
    ingredient_cost_pct  numeric(5,2) NOT NULL,
    monthly_fixed_costs  numeric(18,2) NOT NULL,
    written_by           bigint REFERENCES users (id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    submitted_at         timestamptz,
    submitted_by         bigint REFERENCES users (id),
    reviewed_by          bigint REFERENCES users (id),
    reviewed_at          timestamptz,
    review_comment       text NOT NULL DEFAULT '',
    approved_at          timestamptz,
    CONSTRAINT plans_version_key UNIQUE (participant_id, version),
    CONSTRAINT plans_state_check CHECK (state IN ('draft', 'submitted', 'returned', 'approved')),
    CONSTRAINT plans_version_check CHECK (version >= 1),
    CONSTRAINT plans_days_check CHECK (days_per_month BETWEEN 1 AND 31),
    CONSTRAINT plans_sales_check CHECK (expected_daily_sales > 0),
    CONSTRAINT plans_pct_check CHECK (ingredient_cost_pct BETWEEN 0 AND 100),
    CONSTRAINT plans_fixed_check CHECK (monthly_fixed_costs > 0),
    CONSTRAINT plans_returned_check CHECK (state <> 'returned' OR review_comment <> ''),
    CONSTRAINT plans_approved_check CHECK (state <> 'approved' OR (approved_at IS NOT NULL AND reviewed_by IS NOT NULL)),
    -- Four eyes: the manager who approves did not write the plan.
    CONSTRAINT plans_four_eyes_check CHECK (state <> 'approved' OR reviewed_by IS DISTINCT FROM written_by)
);

CREATE TABLE plan_items (
    id        bigserial PRIMARY KEY,
    plan_id   bigint NOT NULL REFERENCES plans (id),
    position  integer NOT NULL,
    name      text NOT NULL,
    quantity  integer NOT NULL,
    unit_cost numeric(18,2) NOT NULL,
    CONSTRAINT plan_items_position_key UNIQUE (plan_id, position),
    CONSTRAINT plan_items_name_check CHECK (name <> ''),
    CONSTRAINT plan_items_quantity_check CHECK (quantity > 0),
    CONSTRAINT plan_items_cost_check CHECK (unit_cost > 0)
);

-- An approved plan and its items never change.
CREATE FUNCTION plans_refuse_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'approved' THEN
        RAISE EXCEPTION 'plans: plan % is approved and cannot change', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'plans_frozen';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER plans_frozen BEFORE UPDATE OR DELETE ON plans
    FOR EACH ROW EXECUTE FUNCTION plans_refuse_frozen();

CREATE FUNCTION plan_items_refuse_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid bigint := CASE TG_OP WHEN 'INSERT' THEN NEW.plan_id ELSE OLD.plan_id END;
BEGIN
    IF EXISTS (SELECT 1 FROM plans WHERE id = pid AND state = 'approved')
       OR (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM plans WHERE id = NEW.plan_id AND state = 'approved')) THEN
        RAISE EXCEPTION 'plans: plan % is approved; its items cannot change', pid
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'plans_frozen';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER plan_items_frozen BEFORE INSERT OR UPDATE OR DELETE ON plan_items
    FOR EACH ROW EXECUTE FUNCTION plan_items_refuse_frozen();
