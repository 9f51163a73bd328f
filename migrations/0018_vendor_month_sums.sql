-- Each vendor's business summed by month (issue 13, point 8): a donor's
-- impact report reads one row per vendor and month instead of every entry
-- of every supported vendor.
--
-- A row is keyed by the month of the entries' business_date, the day the
-- sale or expense happened, as every figure of the report is: an entry
-- booked late (its month had closed, so its ledger entry is dated in the
-- first open month) still counts in the month it happened. Only live
-- entries count: a void takes its entry out again. sales and expenses are
-- the sums of the live sales and expenses; trading_days is how many days of
-- the month have at least one live sale. Drawings count in none of them.
--
-- Triggers keep the rows in the same transaction as every insert into
-- vendor_entries and vendor_voids, whatever writes them (a vendor's entry,
-- an officer's, a CSV import, the demo's COPY), so that no writer can
-- forget to: one trigger per statement, reading the statement's new rows
-- (a COPY of thousands of entries costs one grouped upsert, not one per
-- row). Each first takes the rows of the months it changes (making those
-- that do not exist), so that two writers of one vendor's month go one
-- after the other, and only then looks whether a day already had a live
-- sale: the second writer's look sees what the first committed.
CREATE TABLE vendor_month_sums (
    participant_id bigint NOT NULL REFERENCES participants (id),
    month          date NOT NULL,
    sales          numeric(20,2) NOT NULL DEFAULT 0,
    expenses       numeric(20,2) NOT NULL DEFAULT 0,
    trading_days   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (participant_id, month),
    CONSTRAINT vendor_month_sums_month_check CHECK (month = date_trunc('month', month)::date),
    CONSTRAINT vendor_month_sums_figures_check CHECK (sales >= 0 AND expenses >= 0 AND trading_days BETWEEN 0 AND 31)
);

-- New entries: add their sales and expenses to their months, and count each
-- day that gets its first live sale.
CREATE FUNCTION vendor_month_sums_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO vendor_month_sums AS s (participant_id, month, sales, expenses)
    SELECT n.participant_id, date_trunc('month', n.business_date)::date,
           COALESCE(sum(n.amount) FILTER (WHERE n.kind = 'sale'), 0),
           COALESCE(sum(n.amount) FILTER (WHERE n.kind = 'expense'), 0)
    FROM new_entries n WHERE n.kind IN ('sale', 'expense')
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (participant_id, month) DO UPDATE
    SET sales = s.sales + EXCLUDED.sales, expenses = s.expenses + EXCLUDED.expenses;

    -- A day is new when its live sales are exactly this statement's (new
    -- rows cannot have been voided yet).
    UPDATE vendor_month_sums s SET trading_days = s.trading_days + d.days
    FROM (SELECT n.participant_id, date_trunc('month', n.business_date)::date AS month, count(*) AS days
          FROM (SELECT participant_id, business_date, count(*) AS k FROM new_entries
                WHERE kind = 'sale' GROUP BY 1, 2) n
          WHERE n.k = (SELECT count(*) FROM vendor_entries ve
                       WHERE ve.participant_id = n.participant_id AND ve.business_date = n.business_date
                         AND ve.kind = 'sale'
                         AND NOT EXISTS (SELECT 1 FROM vendor_voids vv WHERE vv.vendor_entry_id = ve.id))
          GROUP BY 1, 2) d
    WHERE s.participant_id = d.participant_id AND s.month = d.month;
    RETURN NULL;
END $$;

-- New voids: take their entries out of their months, and uncount each day
-- left without a live sale.
CREATE FUNCTION vendor_month_sums_voids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE vendor_month_sums s SET sales = s.sales - v.sales, expenses = s.expenses - v.expenses
    FROM (SELECT ve.participant_id, date_trunc('month', ve.business_date)::date AS month,
                 COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'sale'), 0) AS sales,
                 COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'expense'), 0) AS expenses
          FROM new_voids nv JOIN vendor_entries ve ON ve.id = nv.vendor_entry_id
          WHERE ve.kind IN ('sale', 'expense')
          GROUP BY 1, 2) v
    WHERE s.participant_id = v.participant_id AND s.month = v.month;

    UPDATE vendor_month_sums s SET trading_days = s.trading_days - d.days
    FROM (SELECT n.participant_id, date_trunc('month', n.business_date)::date AS month, count(*) AS days
          FROM (SELECT DISTINCT ve.participant_id, ve.business_date
                FROM new_voids nv JOIN vendor_entries ve ON ve.id = nv.vendor_entry_id
                WHERE ve.kind = 'sale') n
          WHERE NOT EXISTS (SELECT 1 FROM vendor_entries ve
                            WHERE ve.participant_id = n.participant_id AND ve.business_date = n.business_date
                              AND ve.kind = 'sale'
                              AND NOT EXISTS (SELECT 1 FROM vendor_voids vv WHERE vv.vendor_entry_id = ve.id))
          GROUP BY 1, 2) d
    WHERE s.participant_id = d.participant_id AND s.month = d.month;
    RETURN NULL;
END $$;

CREATE TRIGGER vendor_entries_month_sums AFTER INSERT ON vendor_entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION vendor_month_sums_entries();
CREATE TRIGGER vendor_voids_month_sums AFTER INSERT ON vendor_voids
    REFERENCING NEW TABLE AS new_voids
    FOR EACH STATEMENT EXECUTE FUNCTION vendor_month_sums_voids();

-- The entries so far. The triggers above already hold the two tables
-- locked against writers until this migration commits, so nothing written
-- meanwhile is missed or counted twice.
INSERT INTO vendor_month_sums (participant_id, month, sales, expenses, trading_days)
SELECT ve.participant_id, date_trunc('month', ve.business_date)::date,
       COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'sale'), 0),
       COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'expense'), 0),
       count(DISTINCT ve.business_date) FILTER (WHERE ve.kind = 'sale')
FROM vendor_entries ve
WHERE ve.kind IN ('sale', 'expense')
  AND NOT EXISTS (SELECT 1 FROM vendor_voids vv WHERE vv.vendor_entry_id = ve.id)
GROUP BY 1, 2;

-- The report's other per-donor reads: equipment handed over is found by
-- the donor its items are attributed to.
CREATE INDEX grant_items_donor_idx ON grant_items (donor_id);
