-- Signaleren, proactive contact (issue 6): when each caller last had the daily e-mail about the
-- contacts due ("wie bel ik vandaag"), so they get it at most once a day.
-- Keep this file in step with ../sqlite/0011_contact.sql: a test compares the two schemas.

-- sent_on: the local day (YYYY-MM-DD, Europe/Amsterdam) of the last reminder.
CREATE TABLE contact_call_reminders (
    user_id  TEXT PRIMARY KEY NOT NULL REFERENCES users(id),
    sent_on  TEXT NOT NULL,
    sent_at  BIGINT NOT NULL
);
