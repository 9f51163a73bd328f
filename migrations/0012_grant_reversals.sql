-- Grants (issue 11): a released tranche may be reversed, explicitly, with a
-- reason: both ledger entries are reversed (the ledger's own reversal, once
-- only) and the amount goes back to the fund's available money.
ALTER TABLE grant_tranches
    ADD COLUMN reversed_on date,
    ADD COLUMN reversed_at timestamptz,
    ADD COLUMN reversed_by bigint REFERENCES users (id),
    ADD COLUMN reverse_reason text NOT NULL DEFAULT '',
    ADD COLUMN reversal_entry_ids bigint[],
    DROP CONSTRAINT grant_tranches_state_check,
    ADD CONSTRAINT grant_tranches_state_check CHECK (state IN ('pending', 'disbursed', 'cancelled', 'reversed')),
    DROP CONSTRAINT grant_tranches_disbursed_check,
    ADD CONSTRAINT grant_tranches_disbursed_check CHECK (
        (state IN ('disbursed', 'reversed')) = (programme_entry_id IS NOT NULL AND vendor_entry_id IS NOT NULL AND disbursed_on IS NOT NULL)),
    ADD CONSTRAINT grant_tranches_reversed_check CHECK (
        (state = 'reversed') = (reversed_at IS NOT NULL AND reversed_on IS NOT NULL AND btrim(reverse_reason) <> '' AND cardinality(reversal_entry_ids) = 3));
