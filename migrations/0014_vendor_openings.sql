-- A vendor's opening cash (issue 14): the cash she had when she started
-- keeping her books, recorded once, by her or by her officer on her behalf.
-- The ledger entry (cash debited, owner's equity credited, under the book's
-- idempotency key "opening") carries the money; this row says that it is
-- her opening, and the primary key keeps it to one.
CREATE TABLE vendor_openings (
    participant_id bigint PRIMARY KEY REFERENCES participants (id),
    entry_id       bigint NOT NULL REFERENCES ledger_entries (id),
    business_date  date NOT NULL,
    amount         numeric(18,2) NOT NULL,
    on_behalf      boolean NOT NULL DEFAULT false,
    recorded_by    bigint REFERENCES users (id),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vendor_openings_entry_key UNIQUE (entry_id),
    CONSTRAINT vendor_openings_amount_check CHECK (amount > 0 AND amount = round(amount, 2))
);

-- Append-only, like the entries beside it.
CREATE TRIGGER vendor_openings_append_only BEFORE UPDATE OR DELETE ON vendor_openings
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER vendor_openings_no_truncate BEFORE TRUNCATE ON vendor_openings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
