-- A pinned job is run only by the process that asks for it by id (the
-- `hawker statements` command, writing into its own folder); the serve
-- processes' workers leave it alone.
ALTER TABLE report_jobs ADD COLUMN pinned boolean NOT NULL DEFAULT false;
