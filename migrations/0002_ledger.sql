-- The ledger: an append-only double-entry book of record (issue 3).
--
-- Tables carry a ledger_ prefix so that the domain packages (vendors'
-- bookkeeping entries, grants) keep plain names for their own tables.
--
-- Sign convention: a line's amount is signed, debit positive, credit negative;
-- every entry's lines sum to zero. Balances are debit-positive too, so an
-- asset holds a positive balance and a liability or income a negative one.
--
-- What the database itself guarantees, whatever code writes to it:
--   * each entry has at least two lines and they sum to zero, checked at
--     COMMIT by a deferred constraint trigger; lines can be added to an entry
--     only inside the transaction that created it;
--   * entries and lines are never updated, deleted or truncated, accounts
--     never deleted;
--   * a line's account belongs to the entry's book;
--   * no entry is reversed twice;
--   * no entry is dated on or before the latest closed month of its book;
--   * amounts are NUMERIC(18,2), never zero, and carry at most 2 decimals
--     (the Go side refuses more before rounding could happen);
--   * a balance never goes below its account's floor.

CREATE TABLE ledger_books (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL,
    owner_ref  text,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_books_kind_check CHECK (kind IN ('vendor', 'programme'))
);
CREATE UNIQUE INDEX ledger_books_owner_key ON ledger_books (kind, owner_ref) WHERE owner_ref IS NOT NULL;

CREATE TABLE ledger_accounts (
    id         bigserial PRIMARY KEY,
    book_id    bigint NOT NULL REFERENCES ledger_books (id),
    code       text NOT NULL,
    type       text NOT NULL,
    name_th    text NOT NULL DEFAULT '',
    name_en    text NOT NULL DEFAULT '',
    floor      numeric(18,2),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_accounts_code_key UNIQUE (book_id, code),
    CONSTRAINT ledger_accounts_type_check CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    CONSTRAINT ledger_accounts_code_check CHECK (code <> '')
);

-- One row per account, updated with the lines in the same transaction. The
-- floor is copied from the account so that a plain CHECK guards it.
CREATE TABLE ledger_balances (
    account_id bigint PRIMARY KEY REFERENCES ledger_accounts (id),
    balance    numeric(18,2) NOT NULL DEFAULT 0,
    floor      numeric(18,2),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_balances_floor_check CHECK (floor IS NULL OR balance >= floor)
);

-- Idempotency keys are unique per book: a key names one request to one book,
-- and a movement between two books posts one entry in each under its own key.
CREATE TABLE ledger_entries (
    id                bigserial PRIMARY KEY,
    book_id           bigint NOT NULL REFERENCES ledger_books (id),
    business_date     date NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    memo              text NOT NULL DEFAULT '',
    reference         text NOT NULL DEFAULT '',
    idempotency_key   text,
    request_hash      bytea NOT NULL,
    reverses_entry_id bigint REFERENCES ledger_entries (id),
    created_by        bigint,
    -- The transaction that wrote the entry; set by a trigger, never by callers.
    txid              xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT ledger_entries_idempotency_key UNIQUE (book_id, idempotency_key),
    CONSTRAINT ledger_entries_reverses_key UNIQUE (reverses_entry_id),
    CONSTRAINT ledger_entries_hash_check CHECK (octet_length(request_hash) = 32)
);
CREATE INDEX ledger_entries_book_date_idx ON ledger_entries (book_id, business_date);
CREATE INDEX ledger_entries_reference_idx ON ledger_entries (reference) WHERE reference <> '';

-- business_date is copied from the entry (by trigger) so that the lines of
-- an account for a month are one index range scan, already in statement
-- order and covering every column a statement reads from lines.
CREATE TABLE ledger_lines (
    id            bigserial PRIMARY KEY,
    -- entry_id and account_id are checked by ledger_line_insert (one lookup
    -- instead of two foreign-key checks per line); neither table deletes rows.
    entry_id      bigint NOT NULL,
    account_id    bigint NOT NULL,
    business_date date NOT NULL,
    amount        numeric(18,2) NOT NULL,
    balance_after numeric(18,2) NOT NULL,
    CONSTRAINT ledger_lines_amount_check CHECK (amount <> 0 AND amount = round(amount, 2))
);
CREATE INDEX ledger_lines_entry_idx ON ledger_lines (entry_id);
CREATE INDEX ledger_lines_account_date_idx ON ledger_lines (account_id, business_date, entry_id, id) INCLUDE (amount, balance_after);

-- A month of a book. closed_at is set while the month is closed.
CREATE TABLE ledger_periods (
    book_id   bigint NOT NULL REFERENCES ledger_books (id),
    month     date NOT NULL,
    closed_at timestamptz,
    closed_by bigint,
    PRIMARY KEY (book_id, month),
    CONSTRAINT ledger_periods_month_check CHECK (month = date_trunc('month', month)::date)
);

-- The snapshot taken when a month closes: one row per account.
CREATE TABLE ledger_period_balances (
    book_id    bigint NOT NULL,
    month      date NOT NULL,
    account_id bigint NOT NULL REFERENCES ledger_accounts (id),
    opening    numeric(18,2) NOT NULL,
    debits     numeric(18,2) NOT NULL,
    credits    numeric(18,2) NOT NULL,
    closing    numeric(18,2) NOT NULL,
    PRIMARY KEY (account_id, month),
    FOREIGN KEY (book_id, month) REFERENCES ledger_periods (book_id, month),
    CONSTRAINT ledger_period_balances_sum_check CHECK (closing = opening + debits - credits)
);

-- Every close and reopen, with who and why.
CREATE TABLE ledger_period_events (
    id         bigserial PRIMARY KEY,
    book_id    bigint NOT NULL,
    month      date NOT NULL,
    action     text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    done_by    bigint,
    done_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (book_id, month) REFERENCES ledger_periods (book_id, month),
    CONSTRAINT ledger_period_events_action_check CHECK (action IN ('close', 'reopen')),
    CONSTRAINT ledger_period_events_reason_check CHECK (action = 'close' OR reason <> '')
);

-- Append-only: entries, lines and period events are never changed.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % on % is not allowed: the ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
END $$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_lines_no_truncate BEFORE TRUNCATE ON ledger_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_period_events_append_only BEFORE UPDATE OR DELETE ON ledger_period_events
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_period_events_no_truncate BEFORE TRUNCATE ON ledger_period_events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- A new entry: stamp its transaction, refuse a date in a closed month.
CREATE FUNCTION ledger_entry_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := pg_current_xact_id();
    IF EXISTS (SELECT 1 FROM ledger_periods p
               WHERE p.book_id = NEW.book_id AND p.closed_at IS NOT NULL
                 AND p.month >= date_trunc('month', NEW.business_date)::date) THEN
        RAISE EXCEPTION 'ledger: % is in a closed period of book %', NEW.business_date, NEW.book_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_entries_closed_period';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_entries_insert BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_insert();

-- A new line: same book as its entry, written in the entry's own transaction
-- (so the entry's COMMIT-time check sees every line it will ever have), and
-- dated like its entry.
CREATE FUNCTION ledger_line_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    e_book bigint;
    e_date date;
    e_txid xid8;
    a_book bigint;
BEGIN
    SELECT e.book_id, e.business_date, e.txid, a.book_id INTO e_book, e_date, e_txid, a_book
      FROM ledger_entries e, ledger_accounts a
     WHERE e.id = NEW.entry_id AND a.id = NEW.account_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'ledger: line names entry % or account % that does not exist', NEW.entry_id, NEW.account_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_lines_references';
    END IF;
    IF a_book <> e_book THEN
        RAISE EXCEPTION 'ledger: account % is not in book %', NEW.account_id, e_book
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_lines_same_book';
    END IF;
    IF e_txid <> pg_current_xact_id() THEN
        RAISE EXCEPTION 'ledger: entry % was committed; its lines cannot change', NEW.entry_id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ledger_lines_append_only';
    END IF;
    NEW.business_date := e_date;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_lines_insert BEFORE INSERT ON ledger_lines
    FOR EACH ROW EXECUTE FUNCTION ledger_line_insert();

-- At COMMIT: every entry has two lines or more and they sum to zero.
CREATE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n   bigint;
    total numeric;
BEGIN
    SELECT count(*), COALESCE(sum(amount), 0) INTO n, total FROM ledger_lines WHERE entry_id = NEW.id;
    IF n < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'ledger: entry % is unbalanced (% lines, sum %)', NEW.id, n, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_entries_balanced';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced();

-- An account's floor lives on its balance row as well.
CREATE FUNCTION ledger_account_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_balances (account_id, floor) VALUES (NEW.id, NEW.floor);
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_accounts_balance AFTER INSERT ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_account_insert();
