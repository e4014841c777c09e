-- The kring: the care network around a caregiver (issue 5). Members get a kind (the circle they
-- are drawn in), a field, a role, a status (proposed → active → removed) and a notification
-- choice; every change to a membership is kept as history. Naasten, the regiehouder's terms,
-- "Mijn situatie" in versions with proposals, the timeline with questions, agreements, tasks and
-- sign-ups.
-- Keep this file in step with ../postgres/0008_kring.sql: a test compares the two schemas.

ALTER TABLE network_members ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE network_members ADD COLUMN kind TEXT NOT NULL DEFAULT 'own';
ALTER TABLE network_members ADD COLUMN field TEXT;
ALTER TABLE network_members ADD COLUMN role_label TEXT NOT NULL DEFAULT '';
ALTER TABLE network_members ADD COLUMN notify TEXT NOT NULL DEFAULT 'digest';
-- 1: the caregiver lets this member act on their behalf (for example a caregiver without e-mail).
ALTER TABLE network_members ADD COLUMN acts_for_caregiver BIGINT NOT NULL DEFAULT 0;
ALTER TABLE network_members ADD COLUMN proposed_by_user_id TEXT REFERENCES users(id);
ALTER TABLE network_members ADD COLUMN proposal_note TEXT;
ALTER TABLE network_members ADD COLUMN decided_at BIGINT;
-- Messages up to this moment have been sent to the member in a digest.
ALTER TABLE network_members ADD COLUMN digest_sent_until BIGINT;
CREATE INDEX network_members_network_status ON network_members(network_id, status);

-- What happened to each membership, who did it, and whether they acted for the caregiver.
CREATE TABLE network_member_events (
    id          TEXT PRIMARY KEY NOT NULL,
    network_id  TEXT NOT NULL REFERENCES networks(id),
    member_id   TEXT NOT NULL REFERENCES network_members(id),
    event       TEXT NOT NULL,
    detail      TEXT,
    by_user_id  TEXT NOT NULL REFERENCES users(id),
    on_behalf   BIGINT NOT NULL DEFAULT 0,
    at          BIGINT NOT NULL
);
CREATE INDEX network_member_events_network ON network_member_events(network_id, at);

-- The people the caregiver cares for.
CREATE TABLE network_naasten (
    id           TEXT PRIMARY KEY NOT NULL,
    network_id   TEXT NOT NULL REFERENCES networks(id),
    given_name   TEXT NOT NULL,
    family_name  TEXT NOT NULL,
    relation     TEXT NOT NULL,
    birth_year   BIGINT,
    created_at   BIGINT NOT NULL,
    removed_at   BIGINT
);
CREATE INDEX network_naasten_network ON network_naasten(network_id);

-- The regiehouder's terms: proposed (waits for the caregiver), active (at most one), ended, declined.
CREATE TABLE network_regie (
    id                   TEXT PRIMARY KEY NOT NULL,
    network_id           TEXT NOT NULL REFERENCES networks(id),
    member_id            TEXT NOT NULL REFERENCES network_members(id),
    status               TEXT NOT NULL,
    note                 TEXT NOT NULL DEFAULT '',
    proposed_by_user_id  TEXT NOT NULL REFERENCES users(id),
    created_at           BIGINT NOT NULL,
    started_at           BIGINT,
    ended_at             BIGINT,
    end_note             TEXT
);
CREATE INDEX network_regie_network ON network_regie(network_id, created_at);
CREATE UNIQUE INDEX network_regie_one_active ON network_regie(network_id) WHERE status = 'active';
CREATE UNIQUE INDEX network_regie_one_proposed ON network_regie(network_id) WHERE status = 'proposed';

-- "Mijn situatie": every save is a version (JSON of core::network::situation::Situation).
CREATE TABLE situation_versions (
    id              TEXT PRIMARY KEY NOT NULL,
    network_id      TEXT NOT NULL REFERENCES networks(id),
    version         BIGINT NOT NULL,
    content         TEXT NOT NULL,
    author_user_id  TEXT NOT NULL REFERENCES users(id),
    on_behalf       BIGINT NOT NULL DEFAULT 0,
    proposal_id     TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (network_id, version)
);

-- A change to "Mijn situatie" proposed by a member; the caregiver accepts or declines it.
CREATE TABLE situation_proposals (
    id                   TEXT PRIMARY KEY NOT NULL,
    network_id           TEXT NOT NULL REFERENCES networks(id),
    base_version         BIGINT NOT NULL,
    content              TEXT NOT NULL,
    note                 TEXT NOT NULL DEFAULT '',
    proposed_by_user_id  TEXT NOT NULL REFERENCES users(id),
    status               TEXT NOT NULL,
    decided_by_user_id   TEXT REFERENCES users(id),
    decided_at           BIGINT,
    decision_note        TEXT,
    created_at           BIGINT NOT NULL
);
CREATE INDEX situation_proposals_network ON situation_proposals(network_id, status);

-- The timeline: messages to the whole network (to_all = 1) or to chosen members, and questions
-- assigned to a member, answered by a date (YYYY-MM-DD, local).
CREATE TABLE network_messages (
    id                   TEXT PRIMARY KEY NOT NULL,
    network_id           TEXT NOT NULL REFERENCES networks(id),
    author_user_id       TEXT NOT NULL REFERENCES users(id),
    kind                 TEXT NOT NULL,
    body                 TEXT NOT NULL,
    to_all               BIGINT NOT NULL,
    assigned_member_id   TEXT REFERENCES network_members(id),
    answer_by            TEXT,
    answered_at          BIGINT,
    answered_by_user_id  TEXT REFERENCES users(id),
    answer               TEXT,
    on_behalf            BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL
);
CREATE INDEX network_messages_timeline ON network_messages(network_id, created_at);
CREATE INDEX network_messages_open_questions ON network_messages(network_id)
    WHERE kind = 'question' AND answered_at IS NULL;

CREATE TABLE network_message_recipients (
    message_id  TEXT NOT NULL REFERENCES network_messages(id),
    member_id   TEXT NOT NULL REFERENCES network_members(id),
    PRIMARY KEY (message_id, member_id)
);
CREATE INDEX network_message_recipients_member ON network_message_recipients(member_id);

-- Agreements: who does what, from when, to be reviewed on (dates YYYY-MM-DD, local).
CREATE TABLE network_agreements (
    id                  TEXT PRIMARY KEY NOT NULL,
    network_id          TEXT NOT NULL REFERENCES networks(id),
    what                TEXT NOT NULL,
    who_member_id       TEXT REFERENCES network_members(id),
    who_text            TEXT NOT NULL DEFAULT '',
    starts_on           TEXT NOT NULL,
    review_on           TEXT,
    created_by_user_id  TEXT NOT NULL REFERENCES users(id),
    on_behalf           BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    ended_at            BIGINT
);
CREATE INDEX network_agreements_network ON network_agreements(network_id);

-- Tasks in the care agenda: one-off (weekly = 0, on first_on) or weekly from first_on (until
-- until_on). help_wanted_at: the task stayed unfilled, so it may become a help request.
CREATE TABLE network_tasks (
    id                  TEXT PRIMARY KEY NOT NULL,
    network_id          TEXT NOT NULL REFERENCES networks(id),
    title               TEXT NOT NULL,
    details             TEXT NOT NULL DEFAULT '',
    weekly              BIGINT NOT NULL,
    first_on            TEXT NOT NULL,
    until_on            TEXT,
    start_time          TEXT,
    end_time            TEXT,
    needed              BIGINT NOT NULL DEFAULT 1,
    created_by_user_id  TEXT NOT NULL REFERENCES users(id),
    on_behalf           BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    cancelled_at        BIGINT,
    help_wanted_at      BIGINT
);
CREATE INDEX network_tasks_network ON network_tasks(network_id);
CREATE INDEX network_tasks_help_wanted ON network_tasks(help_wanted_at)
    WHERE help_wanted_at IS NOT NULL;

-- A member signs up for one occurrence (date) of a task.
CREATE TABLE network_task_signups (
    id            TEXT PRIMARY KEY NOT NULL,
    task_id       TEXT NOT NULL REFERENCES network_tasks(id),
    occurs_on     TEXT NOT NULL,
    member_id     TEXT NOT NULL REFERENCES network_members(id),
    created_at    BIGINT NOT NULL,
    withdrawn_at  BIGINT
);
CREATE INDEX network_task_signups_task ON network_task_signups(task_id, occurs_on);
CREATE UNIQUE INDEX network_task_signups_once ON network_task_signups(task_id, occurs_on, member_id)
    WHERE withdrawn_at IS NULL;
