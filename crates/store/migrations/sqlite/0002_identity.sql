-- Identity, access and audit: sessions, login throttling, second factor, single-use tokens,
-- personal roles, the relationship facts the access policy needs (networks, members, consent),
-- and the hash-chained NEN 7513 audit log.
-- Keep this file in step with ../postgres/0002_identity.sql: a test compares the two schemas.

ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
-- The last TOTP time step used, so one code cannot be used twice.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Roles a user holds as a private person (caregiver, network member, volunteer).
CREATE TABLE personal_roles (
    user_id     TEXT NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Sessions: only a SHA-256 of the token is stored; the token itself lives in the browser cookie.
CREATE TABLE sessions (
    token_hash        TEXT PRIMARY KEY NOT NULL,
    user_id           TEXT NOT NULL REFERENCES users(id),
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    second_factor_at  BIGINT,
    network_address   TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins per account and per network address, shared by every app node.
CREATE TABLE login_throttle (
    throttle_key  TEXT PRIMARY KEY NOT NULL,
    failures      BIGINT NOT NULL,
    locked_until  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id),
    code_hash   TEXT NOT NULL,
    used_at     BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- The care network (kring) around one caregiver: the relationship the access policy relies on.
CREATE TABLE networks (
    id                   TEXT PRIMARY KEY NOT NULL,
    caregiver_person_id  TEXT NOT NULL UNIQUE REFERENCES people(id),
    created_at           BIGINT NOT NULL
);

-- Consent: who consented to what, when and how; withdrawal ends it.
CREATE TABLE consents (
    id                   TEXT PRIMARY KEY NOT NULL,
    subject_person_id    TEXT NOT NULL REFERENCES people(id),
    scope                TEXT NOT NULL,
    method               TEXT NOT NULL CHECK (method IN ('online', 'verbal')),
    recorded_by_user_id  TEXT NOT NULL REFERENCES users(id),
    given_at             BIGINT NOT NULL,
    withdrawn_at         BIGINT
);
CREATE INDEX consents_subject ON consents(subject_person_id);

-- A member of a network, with the data categories the caregiver lets them see (comma-separated).
CREATE TABLE network_members (
    id               TEXT PRIMARY KEY NOT NULL,
    network_id       TEXT NOT NULL REFERENCES networks(id),
    user_id          TEXT NOT NULL REFERENCES users(id),
    organisation_id  TEXT REFERENCES organisations(id),
    categories       TEXT NOT NULL,
    consent_id       TEXT REFERENCES consents(id),
    joined_at        BIGINT NOT NULL,
    removed_at       BIGINT
);
CREATE INDEX network_members_user ON network_members(user_id);
CREATE INDEX network_members_network ON network_members(network_id);

-- NEN 7513 access log. Append-only; each record carries the hash of the previous one.
CREATE TABLE audit_log (
    seq                BIGINT PRIMARY KEY NOT NULL,
    event_id           TEXT NOT NULL UNIQUE,
    occurred_at        BIGINT NOT NULL,
    action             TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    user_id            TEXT,
    user_role          TEXT,
    organisation_id    TEXT,
    on_behalf_of       TEXT,
    purpose            TEXT NOT NULL,
    network_address    TEXT,
    source             TEXT NOT NULL,
    subject_person_id  TEXT,
    data_category      TEXT,
    detail             TEXT,
    prev_hash          TEXT NOT NULL,
    hash               TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log(subject_person_id, occurred_at);
CREATE INDEX audit_log_user ON audit_log(user_id, occurred_at);

-- The head of the chain: one row, locked by every append so the chain stays linear.
CREATE TABLE audit_head (
    id         BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    last_seq   BIGINT NOT NULL,
    last_hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, 'genesis');
