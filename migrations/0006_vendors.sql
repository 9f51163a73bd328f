-- Vendors' business books (issue 6).
--
-- Each vendor's money lives in the ledger: one book per participant (kind
-- 'vendor', owner_ref = the participant's code, which survives erasure) and
-- one ledger entry per sale, expense or drawing. The tables here carry what
-- the ledger does not: which participant a book belongs to, what each entry
-- was in the vendor's own words (kind, category, method, note, who wrote it
-- down and whether an officer did so from a paper form), voids with their
-- reasons, the setting for the largest amount a line may carry and the
-- vendors' PromptPay ids. vendor_entries is indexed so that a vendor's day,
-- week and month are one index range scan.

-- The one row of settings for vendors' books.
CREATE TABLE vendor_settings (
    id           boolean PRIMARY KEY DEFAULT true,
    line_ceiling numeric(18,2) NOT NULL DEFAULT 100000.00,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   bigint REFERENCES users (id),
    CONSTRAINT vendor_settings_one_row CHECK (id),
    CONSTRAINT vendor_settings_ceiling_check CHECK (line_ceiling > 0)
);
INSERT INTO vendor_settings DEFAULT VALUES;

-- A participant's ledger book.
CREATE TABLE vendor_books (
    participant_id bigint PRIMARY KEY REFERENCES participants (id),
    book_id        bigint NOT NULL REFERENCES ledger_books (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vendor_books_book_key UNIQUE (book_id)
);

-- One row per ledger entry a vendor's book holds for a sale, an expense or a
-- drawing. amount is the positive amount as entered; the ledger holds the
-- signed lines. idempotency_key is the client's key (the phone's UUID), unique
-- across every book, and request_hash the SHA-256 of the request it named.
CREATE TABLE vendor_entries (
    id              bigserial PRIMARY KEY,
    entry_id        bigint NOT NULL REFERENCES ledger_entries (id),
    participant_id  bigint NOT NULL REFERENCES participants (id),
    business_date   date NOT NULL,
    kind            text NOT NULL,
    amount          numeric(18,2) NOT NULL,
    category        text,
    method          text,
    note            text NOT NULL DEFAULT '',
    on_behalf       boolean NOT NULL DEFAULT false,
    recorded_by     bigint REFERENCES users (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    idempotency_key text NOT NULL,
    request_hash    bytea NOT NULL,
    CONSTRAINT vendor_entries_entry_key UNIQUE (entry_id),
    CONSTRAINT vendor_entries_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT vendor_entries_kind_check CHECK (kind IN ('sale', 'expense', 'drawing')),
    CONSTRAINT vendor_entries_amount_check CHECK (amount > 0 AND amount = round(amount, 2)),
    CONSTRAINT vendor_entries_category_check CHECK (
        (kind = 'expense' AND category IN ('ingredients', 'gas', 'ice', 'packaging', 'pitch', 'transport', 'other'))
        OR (kind <> 'expense' AND category IS NULL)),
    CONSTRAINT vendor_entries_method_check CHECK (
        (kind = 'sale' AND method IN ('cash', 'promptpay', 'credit'))
        OR (kind <> 'sale' AND method IS NULL)),
    CONSTRAINT vendor_entries_hash_check CHECK (octet_length(request_hash) = 32)
);
CREATE INDEX vendor_entries_participant_date_idx ON vendor_entries (participant_id, business_date)
    INCLUDE (kind, amount, method, category);

-- A void: the reversal entry that cancels a vendor entry, and why. An entry
-- is voided once (the primary key); the ledger refuses a second reversal too.
CREATE TABLE vendor_voids (
    vendor_entry_id   bigint PRIMARY KEY REFERENCES vendor_entries (id),
    reversal_entry_id bigint NOT NULL REFERENCES ledger_entries (id),
    reason            text NOT NULL,
    voided_by         bigint REFERENCES users (id),
    voided_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vendor_voids_reason_check CHECK (reason <> '')
);

-- Vendor rows are append-only, like the ledger beneath them.
CREATE TRIGGER vendor_entries_append_only BEFORE UPDATE OR DELETE ON vendor_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER vendor_voids_append_only BEFORE UPDATE OR DELETE ON vendor_voids
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

-- A vendor's PromptPay id: a Thai mobile number (0XXXXXXXXX) or a 13-digit
-- national or tax id.
CREATE TABLE vendor_promptpay (
    participant_id bigint PRIMARY KEY REFERENCES participants (id),
    id_kind        text NOT NULL,
    id_value       text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     bigint REFERENCES users (id),
    CONSTRAINT vendor_promptpay_kind_check CHECK (
        (id_kind = 'mobile' AND id_value ~ '^0[0-9]{9}$')
        OR (id_kind = 'national_id' AND id_value ~ '^[0-9]{13}$'))
);
