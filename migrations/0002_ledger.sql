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
-- Every posting updates its accounts' rows: room on each page lets the new
-- version stay beside the old one (a HOT update, no index write).
) WITH (fillfactor = 50);

-- Idempotency keys are unique per book: a key names one request to one book,
-- and a movement between two books posts one entry in each under its own key.
CREATE TABLE ledger_entries (
    id                bigserial PRIMARY KEY,
    -- book_id and reverses_entry_id are checked by ledger_lines_check
    -- (without a foreign key's row lock on the book per posting); neither
    -- books with entries nor entries can be deleted.
    book_id           bigint NOT NULL,
    business_date     date NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    memo              text NOT NULL DEFAULT '',
    reference         text NOT NULL DEFAULT '',
    idempotency_key   text,
    request_hash      bytea NOT NULL,
    reverses_entry_id bigint,
    created_by        bigint,
    -- The transaction that wrote the entry: the default; lines are refused
    -- for an entry naming any other.
    txid              xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT ledger_entries_idempotency_key UNIQUE (book_id, idempotency_key),
    CONSTRAINT ledger_entries_hash_check CHECK (octet_length(request_hash) = 32)
);
-- No entry is reversed twice; a partial index, as most entries reverse nothing.
CREATE UNIQUE INDEX ledger_entries_reverses_key ON ledger_entries (reverses_entry_id) WHERE reverses_entry_id IS NOT NULL;
CREATE INDEX ledger_entries_book_date_idx ON ledger_entries (book_id, business_date);
CREATE INDEX ledger_entries_reference_idx ON ledger_entries (reference) WHERE reference <> '';

-- business_date repeats the entry's (checked by trigger) so that the lines of
-- an account for a month are one index range scan, already in statement
-- order and covering every column a statement reads from lines.
CREATE TABLE ledger_lines (
    id            bigserial PRIMARY KEY,
    -- entry_id and account_id are checked by ledger_lines_check (once per
    -- statement instead of two foreign-key checks per line); neither table
    -- deletes rows.
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

-- New lines, checked once per statement (a posting writes a few, a bulk
-- load thousands): each names an entry and an account that exist, the
-- account is in the entry's book, the line is dated like its entry and
-- written in the entry's own transaction (so the entry's COMMIT-time check
-- sees every line it will ever have), the entry is not dated on or before a
-- closed month of its book, and the entry it reverses, if any, exists.
--
-- These are the entry's rules too: an entry commits only with two lines or
-- more (ledger_entries_balanced), each of which passed this check in the
-- entry's transaction, so an entry naming a missing book (its lines'
-- accounts are in its book), a closed month, a missing original or another
-- transaction (its txid) never commits. Checking them here, once per
-- statement, spares every posting a second trigger.
CREATE FUNCTION ledger_lines_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- The lookups are subqueries per new line, never joins, so that a plan
    -- cached while the tables were small keeps using their indexes.
    SELECT c.entry_id, c.account_id, c.business_date, (c.e).book_id IS NULL OR c.a_book IS NULL AS missing,
           (c.e).book_id AS e_book, c.a_book, (c.e).business_date AS e_date, (c.e).txid AS e_txid,
           (c.e).reverses_entry_id AS e_reverses INTO bad
      FROM (SELECT l.entry_id, l.account_id, l.business_date,
                   (SELECT e FROM ledger_entries e WHERE e.id = l.entry_id) AS e,
                   (SELECT a.book_id FROM ledger_accounts a WHERE a.id = l.account_id) AS a_book
              FROM new_lines l
            OFFSET 0) c
     WHERE (c.e).book_id IS NULL OR c.a_book IS NULL OR c.a_book <> (c.e).book_id
        OR (c.e).txid <> pg_current_xact_id() OR c.business_date <> (c.e).business_date
        OR (SELECT true FROM ledger_periods p
             WHERE p.book_id = (c.e).book_id AND p.month >= date_trunc('month', (c.e).business_date)::date
               AND p.closed_at IS NOT NULL
             LIMIT 1)
        OR (c.e).reverses_entry_id IS NOT NULL
           AND (SELECT r.id FROM ledger_entries r WHERE r.id = (c.e).reverses_entry_id) IS NULL
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF bad.missing THEN
        RAISE EXCEPTION 'ledger: line names entry % or account % that does not exist', bad.entry_id, bad.account_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_lines_references';
    ELSIF bad.a_book <> bad.e_book THEN
        RAISE EXCEPTION 'ledger: account % is not in book %', bad.account_id, bad.e_book
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_lines_same_book';
    ELSIF bad.e_txid <> pg_current_xact_id() THEN
        RAISE EXCEPTION 'ledger: entry % was committed or names another transaction; its lines cannot change', bad.entry_id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ledger_lines_append_only';
    ELSIF bad.business_date <> bad.e_date THEN
        RAISE EXCEPTION 'ledger: line dated % but entry % is dated %', bad.business_date, bad.entry_id, bad.e_date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_lines_entry_date';
    ELSIF bad.e_reverses IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.id = bad.e_reverses) THEN
        RAISE EXCEPTION 'ledger: entry % reverses entry % that does not exist', bad.entry_id, bad.e_reverses
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_entries_references';
    END IF;
    RAISE EXCEPTION 'ledger: % is in a closed period of book %', bad.e_date, bad.e_book
        USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_entries_closed_period';
END $$;
CREATE TRIGGER ledger_lines_insert AFTER INSERT ON ledger_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_lines_check();

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

-- ledger_post writes one entry, its lines and the new balances in a single
-- call, so that a posting is one round trip: alone (autocommit) it is its
-- own transaction, inside a caller's transaction it commits with it. Every
-- rule above still holds through the tables' own triggers and constraints;
-- the function adds what needs the balances: it answers an idempotency key
-- already used (a replay or a conflict), refuses a second reversal, locks
-- the balance rows in account-id order, keeps the running balance of every
-- line and refuses to take an account below its floor. A refusal is a
-- status with nothing written, which the Go side maps to the ledger's errors:
--   'ok'         entry_id, recorded_at, and per line its account, id and balance after
--   'replay'     entry_id is the entry written under the key with the same request
--   'conflict'   the key was used with another request
--   'reversed'   p_reverses is reversed already
--   'not_found'  err_account (by id) or err_code (by code) does not exist
--   'wrong_book' err_account is in book err_book
--   'funds'      err_account (err_code) holds err_balance and lacks err_shortfall
-- Lines name accounts by id (p_accounts[i] > 0) or by code in p_book
-- (p_codes[i]); amounts are signed, debit positive.
--
-- Its statements look rows up by key only (=, = ANY), never by joins whose
-- plan depends on table sizes, so that the generic plans it caches per
-- connection stay index scans however the tables grow.
CREATE FUNCTION ledger_post(
    p_book bigint, p_date date, p_memo text, p_reference text, p_key text, p_hash bytea,
    p_reverses bigint, p_created_by bigint, p_accounts bigint[], p_codes text[], p_amounts numeric[],
    OUT status text, OUT entry_id bigint, OUT recorded_at timestamptz,
    OUT account_ids bigint[], OUT line_ids bigint[], OUT balances_after numeric[],
    OUT err_account bigint, OUT err_code text, OUT err_book bigint,
    OUT err_balance numeric, OUT err_shortfall numeric)
LANGUAGE plpgsql
-- Generic plans: the statements run thousands of times a second with the
-- same shape, and planning each call afresh would cost more than running it.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    n          int := cardinality(p_amounts);
    acct       bigint[] := p_accounts;
    v_after    numeric[] := p_amounts;
    prior_id   bigint;
    prior_hash bytea;
    l_ids      bigint[];   -- the accounts, in id order, locked
    l_books    bigint[];
    l_bal      numeric[];  -- running, then final balances
    l_start    numeric[];
    l_floor    numeric[];
    v_id       bigint;
    i          int;
    j          int;
BEGIN
    -- An earlier entry under the key answers the request, whatever else.
    IF p_key IS NOT NULL THEN
        SELECT e.id, e.request_hash INTO prior_id, prior_hash
          FROM ledger_entries e WHERE e.book_id = p_book AND e.idempotency_key = p_key;
        IF FOUND THEN
            status := CASE WHEN prior_hash = p_hash THEN 'replay' ELSE 'conflict' END;
            entry_id := prior_id;
            RETURN;
        END IF;
    END IF;
    IF p_reverses IS NOT NULL
       AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.reverses_entry_id = p_reverses) THEN
        status := 'reversed';
        RETURN;
    END IF;
    -- Accounts named by code, in the posting's book.
    IF p_codes IS NOT NULL THEN
        FOR i IN 1 .. n LOOP
            IF acct[i] IS NULL OR acct[i] <= 0 THEN
                SELECT a.id INTO v_id FROM ledger_accounts a WHERE a.book_id = p_book AND a.code = p_codes[i];
                IF NOT FOUND THEN
                    status := 'not_found';
                    err_code := p_codes[i];
                    RETURN;
                END IF;
                acct[i] := v_id;
            END IF;
        END LOOP;
    END IF;
    -- Lock the balance rows in account-id order, so that concurrent postings
    -- queue instead of deadlocking. (The arrays are aggregated in one pass,
    -- so they stay parallel whatever order the aggregate reads them in.)
    SELECT array_agg(s.account_id), array_agg(s.book_id), array_agg(s.balance), array_agg(s.floor)
      INTO l_ids, l_books, l_bal, l_floor
      FROM (SELECT b.account_id, b.balance, b.floor,
                   (SELECT a.book_id FROM ledger_accounts a WHERE a.id = b.account_id) AS book_id
              FROM ledger_balances b
             WHERE b.account_id = ANY (acct)
             ORDER BY b.account_id
               FOR UPDATE OF b) s;
    l_start := l_bal;
    -- The running balance after each line, in line order.
    FOR i IN 1 .. n LOOP
        IF p_amounts[i] <> round(p_amounts[i], 2) THEN
            RAISE EXCEPTION 'ledger: amount % has more than 2 decimals', p_amounts[i]
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_lines_amount_check';
        END IF;
        j := array_position(l_ids, acct[i]);
        IF j IS NULL THEN
            status := 'not_found';
            err_account := acct[i];
            RETURN;
        END IF;
        IF l_books[j] <> p_book THEN
            status := 'wrong_book';
            err_account := acct[i];
            err_book := l_books[j];
            RETURN;
        END IF;
        l_bal[j] := l_bal[j] + p_amounts[i];
        v_after[i] := l_bal[j];
    END LOOP;
    -- Floors, in account-id order.
    FOR j IN 1 .. cardinality(l_ids) LOOP
        IF l_bal[j] < l_floor[j] THEN
            status := 'funds';
            err_account := l_ids[j];
            SELECT a.code INTO err_code FROM ledger_accounts a WHERE a.id = l_ids[j];
            err_balance := l_start[j];
            err_shortfall := l_floor[j] - l_bal[j];
            RETURN;
        END IF;
    END LOOP;

    -- One statement writes the entry, its lines and the new balances.
    WITH e AS (
        INSERT INTO ledger_entries (book_id, business_date, memo, reference, idempotency_key, request_hash,
                                    reverses_entry_id, created_by)
        VALUES (p_book, p_date, p_memo, p_reference, p_key, p_hash, p_reverses, p_created_by)
        RETURNING ledger_entries.id, ledger_entries.recorded_at
    ), l AS (
        INSERT INTO ledger_lines (entry_id, account_id, business_date, amount, balance_after)
        SELECT e.id, v.account_id, p_date, v.amount, v.balance_after
          FROM e, unnest(acct, p_amounts, v_after) WITH ORDINALITY AS v(account_id, amount, balance_after, n)
         ORDER BY v.n
        RETURNING ledger_lines.id
    ), u AS (
        UPDATE ledger_balances b SET balance = l_bal[array_position(l_ids, b.account_id)], updated_at = now()
         WHERE b.account_id = ANY (l_ids)
    )
    SELECT e.id, e.recorded_at, (SELECT array_agg(l.id ORDER BY l.id) FROM l)
      INTO entry_id, recorded_at, line_ids
      FROM e;
    status := 'ok';
    account_ids := acct;
    balances_after := v_after;
END $$;
