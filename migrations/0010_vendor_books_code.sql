-- A vendor's book carries her participant code (which never changes) and
-- whether her file was erased, so that the vendors package answers from its
-- own table who a book belongs to, instead of reading participants: the
-- recording path checks both in the same round trip as before. Erasure sets
-- erased_at through the vendors package's personal-data hook.
ALTER TABLE vendor_books ADD COLUMN code text, ADD COLUMN erased_at timestamptz;

UPDATE vendor_books vb SET code = p.code, erased_at = p.erased_at
  FROM participants p WHERE p.id = vb.participant_id;

ALTER TABLE vendor_books ALTER COLUMN code SET NOT NULL,
    ADD CONSTRAINT vendor_books_code_key UNIQUE (code);
