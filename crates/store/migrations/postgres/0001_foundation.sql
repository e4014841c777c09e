-- Foundation: settings, base model (regions, municipalities, organisations, people, users) and jobs.
-- Times are BIGINT milliseconds since the Unix epoch (UTC) on both backends.
-- Keep this file in step with ../sqlite/0001_foundation.sql: a test compares the two schemas.

CREATE TABLE settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE regions (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE municipalities (
    id          TEXT PRIMARY KEY NOT NULL,
    region_id   TEXT REFERENCES regions(id),
    cbs_code    TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX municipalities_region ON municipalities(region_id);

CREATE TABLE organisations (
    id               TEXT PRIMARY KEY NOT NULL,
    region_id        TEXT NOT NULL REFERENCES regions(id),
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    municipality_id  TEXT REFERENCES municipalities(id),
    website          TEXT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX organisations_region ON organisations(region_id);

CREATE TABLE people (
    id               TEXT PRIMARY KEY NOT NULL,
    given_name       TEXT NOT NULL,
    family_name      TEXT NOT NULL,
    email            TEXT,
    phone            TEXT,
    postcode         TEXT,
    municipality_id  TEXT REFERENCES municipalities(id),
    created_at       BIGINT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY NOT NULL,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    person_id      TEXT REFERENCES people(id),
    password_hash  TEXT,
    totp_secret    TEXT,
    created_at     BIGINT NOT NULL,
    disabled_at    BIGINT
);

CREATE TABLE memberships (
    id               TEXT PRIMARY KEY NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users(id),
    organisation_id  TEXT NOT NULL REFERENCES organisations(id),
    role             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    UNIQUE (user_id, organisation_id, role)
);

CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts      BIGINT NOT NULL DEFAULT 0,
    max_attempts  BIGINT NOT NULL,
    run_at        BIGINT NOT NULL,
    locked_until  BIGINT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX jobs_due ON jobs(status, run_at);
