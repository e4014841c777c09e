-- Signaleren (issue 6): burden checks, single-use check links, signals with their history,
-- contact plans, the contact log, help-request markers and each region's signal rules.
-- Keep this file in step with ../postgres/0010_screening.sql: a test compares the two schemas.

-- A burden check of one caregiver (the network's caregiver). answers: one option code per item,
-- comma-separated, empty where not yet answered. Only a complete check has a score.
CREATE TABLE screening_checks (
    id                   TEXT PRIMARY KEY NOT NULL,
    network_id           TEXT NOT NULL REFERENCES networks(id),
    instrument           TEXT NOT NULL,
    instrument_version   TEXT NOT NULL,
    answers              TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('draft', 'complete')),
    score                BIGINT,
    mode                 TEXT NOT NULL CHECK (mode IN ('online', 'link', 'conversation')),
    entered_by_user_id   TEXT REFERENCES users(id),
    link_id              TEXT,
    started_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    completed_at         BIGINT,
    CHECK ((status = 'complete') = (score IS NOT NULL AND completed_at IS NOT NULL))
);
CREATE INDEX screening_checks_history ON screening_checks(network_id, instrument, completed_at);

-- A single-use link a professional sends so a caregiver without an account can fill in a check.
-- Only a SHA-256 of the secret is kept. Valid until expires_at; used_at once completed.
CREATE TABLE screening_links (
    id                  TEXT PRIMARY KEY NOT NULL,
    token_hash          TEXT NOT NULL UNIQUE,
    network_id          TEXT NOT NULL REFERENCES networks(id),
    instrument          TEXT NOT NULL,
    sent_to             TEXT NOT NULL,
    created_by_user_id  TEXT NOT NULL REFERENCES users(id),
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    used_at             BIGINT,
    check_id            TEXT REFERENCES screening_checks(id)
);
CREATE INDEX screening_links_network ON screening_links(network_id);

-- A signal: a cause to look at (rule + cause key, unique per network so a cause is raised once),
-- for the regiehouder or else the network's professionals. follow_up_on: YYYY-MM-DD (local).
CREATE TABLE signals (
    id                 TEXT PRIMARY KEY NOT NULL,
    network_id         TEXT NOT NULL REFERENCES networks(id),
    rule               TEXT NOT NULL,
    cause              TEXT NOT NULL,
    detail             TEXT NOT NULL DEFAULT '{}',
    status             TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'done')),
    owner_user_id      TEXT REFERENCES users(id),
    follow_up_on       TEXT,
    note               TEXT NOT NULL DEFAULT '',
    raised_by_user_id  TEXT REFERENCES users(id),
    raised_at          BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    closed_at          BIGINT,
    UNIQUE (network_id, cause)
);
CREATE INDEX signals_open ON signals(network_id, status);

-- Every change to a signal: who, when, and the status, owner, follow-up and note after it.
CREATE TABLE signal_events (
    id             TEXT PRIMARY KEY NOT NULL,
    signal_id      TEXT NOT NULL REFERENCES signals(id),
    by_user_id     TEXT REFERENCES users(id),
    status         TEXT NOT NULL,
    owner_user_id  TEXT REFERENCES users(id),
    follow_up_on   TEXT,
    note           TEXT NOT NULL DEFAULT '',
    at             BIGINT NOT NULL
);
CREATE INDEX signal_events_signal ON signal_events(signal_id, at);

-- How often someone keeps in touch with the caregiver, and who: a member of the network.
CREATE TABLE contact_plans (
    network_id          TEXT PRIMARY KEY NOT NULL REFERENCES networks(id),
    every_days          BIGINT NOT NULL,
    caller_user_id      TEXT NOT NULL REFERENCES users(id),
    caller_kind         TEXT NOT NULL CHECK (caller_kind IN ('professional', 'volunteer')),
    starts_on           TEXT NOT NULL,
    updated_by_user_id  TEXT NOT NULL REFERENCES users(id),
    updated_at          BIGINT NOT NULL,
    ended_at            BIGINT
);
CREATE INDEX contact_plans_caller ON contact_plans(caller_user_id);

-- The contact log: every call, visit, voortuingesprek, online contact or unanswered attempt.
-- cannot_cope = 1: the caregiver said "het gaat niet meer".
CREATE TABLE contacts (
    id           TEXT PRIMARY KEY NOT NULL,
    network_id   TEXT NOT NULL REFERENCES networks(id),
    kind         TEXT NOT NULL CHECK (kind IN ('phone', 'home_visit', 'front_garden', 'online', 'no_answer')),
    happened_at  BIGINT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    cannot_cope  BIGINT NOT NULL DEFAULT 0,
    by_user_id   TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX contacts_network ON contacts(network_id, happened_at);

-- A marker that the caregiver needs help a volunteer might give (from a contact); the help
-- request capability (issue 7) turns it into a request.
CREATE TABLE help_request_markers (
    id                  TEXT PRIMARY KEY NOT NULL,
    network_id          TEXT NOT NULL REFERENCES networks(id),
    contact_id          TEXT REFERENCES contacts(id),
    what                TEXT NOT NULL,
    created_by_user_id  TEXT NOT NULL REFERENCES users(id),
    created_at          BIGINT NOT NULL,
    handled_at          BIGINT
);
CREATE INDEX help_request_markers_network ON help_request_markers(network_id);

-- A region's signal rules (JSON of core::screening::rules::RuleSettings); regions without a row
-- use the defaults.
CREATE TABLE signal_rule_settings (
    region_id           TEXT PRIMARY KEY NOT NULL REFERENCES regions(id),
    settings            TEXT NOT NULL,
    updated_by_user_id  TEXT REFERENCES users(id),
    updated_at          BIGINT NOT NULL
);
