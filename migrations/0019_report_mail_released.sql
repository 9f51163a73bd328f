-- Mail kept while no SMTP server was configured is sent once one is
-- (issue 13): each attempt says whether it only kept the message, so that
-- the outbox tells a kept attempt from one the server took and the retry
-- limit counts only tries to send; and a kept message whose recipient was
-- removed from the donor's report contacts meanwhile is withheld, never
-- sent.
ALTER TABLE report_mail DROP CONSTRAINT report_mail_state_check,
    ADD CONSTRAINT report_mail_state_check CHECK (state IN ('queued', 'sent', 'kept', 'failed', 'withheld'));

ALTER TABLE report_mail_attempts ADD COLUMN kept boolean NOT NULL DEFAULT false;
UPDATE report_mail_attempts a SET kept = true
FROM report_mail m WHERE m.id = a.mail_id AND m.state = 'kept' AND a.ok;
