-- A vendor's entry dated in a month that has closed in her book is booked
-- late: its ledger entry is dated booked_on, the first day of the first open
-- month, while business_date keeps the day it happened. NULL: booked on
-- business_date, as every entry so far.
ALTER TABLE vendor_entries ADD COLUMN booked_on date,
    ADD CONSTRAINT vendor_entries_booked_on_check CHECK (booked_on IS NULL OR booked_on > business_date);
