-- An audit event's facts as named values beside its English summary, so that
-- a page (a grant's timeline) tells what happened in its reader's language.
-- Rows written before have none; the hash covers details only when present.
ALTER TABLE audit_log ADD COLUMN details jsonb NOT NULL DEFAULT '{}'::jsonb;
