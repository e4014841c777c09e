-- Hulpvraag en aanbod (issue 7): help requests, volunteer profiles, blocks, match proposals with
-- their single-use answer links, evaluations by both sides and each request's history.
-- Keep this file in step with ../postgres/0013_matching.sql: a test compares the two schemas.
-- Lists of codes (help types, skills, languages, municipalities) are comma-separated text in
-- code order; week slots are JSON ([{"day":"di","start":"09:00","end":"12:00"}]); dates are
-- local YYYY-MM-DD text; times are milliseconds since the Unix epoch.

-- A request for a volunteer, for the caregiver of a kring. Only the PC4 is kept here: the exact
-- address stays in the kring's contact data and is shown to a volunteer only after they accept.
-- region_id: the caregiver's region when known (the volunteer centre of that region matches it).
-- task_id: escalated from an unfilled kring task (at most one request per task, so one click
-- escalates once); marker_id: made from a help-request marker of a contact.
CREATE TABLE help_requests (
    id                  TEXT PRIMARY KEY NOT NULL,
    network_id          TEXT NOT NULL REFERENCES networks(id),
    region_id           TEXT REFERENCES regions(id),
    help_type           TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    recurrence          TEXT NOT NULL CHECK (recurrence IN ('once', 'weekly')),
    first_on            TEXT NOT NULL,
    windows             TEXT NOT NULL DEFAULT '[]',
    duration_minutes    BIGINT NOT NULL,
    pc4                 TEXT NOT NULL,
    max_distance_km     REAL NOT NULL,
    needs_car           BIGINT NOT NULL DEFAULT 0,
    needs_vog           BIGINT NOT NULL DEFAULT 0,
    needs_skills        TEXT NOT NULL DEFAULT '',
    language            TEXT,
    urgency             TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('open', 'proposed', 'accepted', 'done', 'evaluated', 'cancelled')),
    created_by_user_id  TEXT NOT NULL REFERENCES users(id),
    on_behalf           BIGINT NOT NULL DEFAULT 0,
    task_id             TEXT REFERENCES network_tasks(id),
    marker_id           TEXT REFERENCES help_request_markers(id),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX help_requests_task ON help_requests(task_id) WHERE task_id IS NOT NULL;
-- The coordinator's open list per region, and a kring's own requests.
CREATE INDEX help_requests_region_status ON help_requests(region_id, status, created_at);
CREATE INDEX help_requests_network ON help_requests(network_id, status);

-- The other direction of an escalation: the kring task points at its request.
ALTER TABLE network_tasks ADD COLUMN help_request_id TEXT REFERENCES help_requests(id);

-- A volunteer's offer. Active only after the coordinator's intake (intake_by_user_id,
-- intake_at). capacity: how many matches at once (proposed + accepted count). vog_issued_on:
-- the date on the VOG; how long it counts is a region setting (core::matching::workflow).
-- municipalities: optionally the municipalities (CBS codes) the volunteer wants to help in.
CREATE TABLE volunteer_profiles (
    user_id             TEXT PRIMARY KEY NOT NULL REFERENCES users(id),
    region_id           TEXT REFERENCES regions(id),
    offers              TEXT NOT NULL DEFAULT '',
    skills              TEXT NOT NULL DEFAULT '',
    languages           TEXT NOT NULL DEFAULT '',
    pc4                 TEXT NOT NULL,
    max_distance_km     REAL NOT NULL,
    municipalities      TEXT NOT NULL DEFAULT '',
    availability        TEXT NOT NULL DEFAULT '[]',
    capacity            BIGINT NOT NULL CHECK (capacity >= 0),
    has_car             BIGINT NOT NULL DEFAULT 0,
    vog_issued_on       TEXT,
    preferences         TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('intake', 'active', 'paused', 'ended')),
    intake_by_user_id   TEXT REFERENCES users(id),
    intake_at           BIGINT,
    intake_note         TEXT NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
-- The engine input: the active volunteers of a region.
CREATE INDEX volunteer_profiles_active ON volunteer_profiles(region_id) WHERE status = 'active';

-- A volunteer is never proposed to this caregiver's kring again (either side asked for it).
CREATE TABLE volunteer_blocks (
    id                  TEXT PRIMARY KEY NOT NULL,
    volunteer_user_id   TEXT NOT NULL REFERENCES users(id),
    network_id          TEXT NOT NULL REFERENCES networks(id),
    reason              TEXT NOT NULL DEFAULT '',
    by_user_id          TEXT REFERENCES users(id),
    created_at          BIGINT NOT NULL,
    UNIQUE (volunteer_user_id, network_id)
);
CREATE INDEX volunteer_blocks_network ON volunteer_blocks(network_id);

-- A proposal of one volunteer for one request. A volunteer is proposed at most once for a
-- request (UNIQUE), and a request has at most one proposal waiting or accepted at a time (the
-- partial unique index). score and reasons (JSON) are the engine's at the time of proposing.
-- token_hash: a SHA-256 of the accept/decline link's secret (the secret is only in the e-mail);
-- the link works while the proposal is 'proposed' and respond_by has not passed.
-- proposed_by_user_id is NULL when the job proposed the next candidate.
CREATE TABLE match_proposals (
    id                   TEXT PRIMARY KEY NOT NULL,
    request_id           TEXT NOT NULL REFERENCES help_requests(id),
    volunteer_user_id    TEXT NOT NULL REFERENCES users(id),
    score                BIGINT NOT NULL,
    reasons              TEXT NOT NULL DEFAULT '[]',
    status               TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'expired', 'withdrawn', 'done', 'no_show')),
    proposed_by_user_id  TEXT REFERENCES users(id),
    proposed_at          BIGINT NOT NULL,
    respond_by           BIGINT NOT NULL,
    responded_at         BIGINT,
    token_hash           TEXT NOT NULL UNIQUE,
    done_at              BIGINT,
    UNIQUE (request_id, volunteer_user_id)
);
CREATE UNIQUE INDEX match_proposals_one_active ON match_proposals(request_id)
    WHERE status IN ('proposed', 'accepted');
CREATE INDEX match_proposals_volunteer ON match_proposals(volunteer_user_id, status);
-- The expiry job: proposals still waiting, by their answer time.
CREATE INDEX match_proposals_waiting ON match_proposals(respond_by) WHERE status = 'proposed';

-- A short evaluation after the help was given, once per side.
CREATE TABLE match_evaluations (
    proposal_id  TEXT NOT NULL REFERENCES match_proposals(id),
    side         TEXT NOT NULL CHECK (side IN ('caregiver_side', 'volunteer')),
    rating       BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    note         TEXT NOT NULL DEFAULT '',
    by_user_id   TEXT NOT NULL REFERENCES users(id),
    at           BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, side)
);

-- Every status change of a request: the status after it, the proposal involved, who (NULL: the
-- job) and a note.
CREATE TABLE help_request_events (
    id           TEXT PRIMARY KEY NOT NULL,
    request_id   TEXT NOT NULL REFERENCES help_requests(id),
    status       TEXT NOT NULL,
    proposal_id  TEXT REFERENCES match_proposals(id),
    by_user_id   TEXT REFERENCES users(id),
    note         TEXT NOT NULL DEFAULT '',
    at           BIGINT NOT NULL
);
CREATE INDEX help_request_events_request ON help_request_events(request_id, at);
