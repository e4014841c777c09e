-- The sociale kaart (social map), modelled on Open Referral HSDS 3.0. Organisations are the
-- existing `organisations` rows with a public profile added; services and locations belong to one
-- organisation. Child entities (phones, schedules, areas, …) have no id column: their HSDS ids are
-- UUID v5 from the parent id and their content (core::directory::model::child_id), so an export
-- and its re-import agree on every id.
-- directory_head.seq is the change sequence: every transaction that changes the map takes the
-- next number (the row lock makes commit order follow the numbers on PostgreSQL) and stamps the
-- services it touched with it, so each app node refreshes its search index with
-- "services with change_seq > what I have".
-- Keep this file in step with ../sqlite/0007_directory.sql: a test compares the two schemas.

ALTER TABLE organisations ADD COLUMN description TEXT;
ALTER TABLE organisations ADD COLUMN email TEXT;
ALTER TABLE organisations ADD COLUMN phone TEXT;
ALTER TABLE organisations ADD COLUMN updated_at BIGINT;

CREATE TABLE directory_head (
    id   BIGINT PRIMARY KEY NOT NULL,
    seq  BIGINT NOT NULL
);
INSERT INTO directory_head (id, seq) VALUES (1, 0);

CREATE TABLE directory_locations (
    id                     TEXT PRIMARY KEY NOT NULL,
    organisation_id        TEXT NOT NULL REFERENCES organisations(id),
    name                   TEXT NOT NULL,
    description            TEXT,
    street                 TEXT NOT NULL,
    postcode               TEXT NOT NULL,
    city                   TEXT NOT NULL,
    latitude               DOUBLE PRECISION,
    longitude              DOUBLE PRECISION,
    wheelchair_accessible  BIGINT NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX directory_locations_organisation ON directory_locations(organisation_id);

CREATE TABLE directory_services (
    id                       TEXT PRIMARY KEY NOT NULL,
    organisation_id          TEXT NOT NULL REFERENCES organisations(id),
    name                     TEXT NOT NULL,
    alternate_name           TEXT,
    description              TEXT NOT NULL,
    url                      TEXT,
    email                    TEXT,
    status                   TEXT NOT NULL,
    application_process      TEXT,
    fees_description         TEXT,
    eligibility_description  TEXT,
    minimum_age              BIGINT,
    maximum_age              BIGINT,
    online                   BIGINT NOT NULL,
    schedule_note            TEXT,
    last_reviewed_at         BIGINT NOT NULL,
    last_reviewed_by         TEXT REFERENCES users(id),
    reminded_at              BIGINT,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    change_seq               BIGINT NOT NULL
);
CREATE INDEX directory_services_organisation ON directory_services(organisation_id);
CREATE INDEX directory_services_change_seq ON directory_services(change_seq);
CREATE INDEX directory_services_reviewed ON directory_services(last_reviewed_at);

CREATE TABLE directory_service_locations (
    service_id   TEXT NOT NULL REFERENCES directory_services(id),
    location_id  TEXT NOT NULL REFERENCES directory_locations(id),
    position     BIGINT NOT NULL,
    PRIMARY KEY (service_id, location_id)
);
CREATE INDEX directory_service_locations_location ON directory_service_locations(location_id);

CREATE TABLE directory_service_areas (
    service_id       TEXT NOT NULL REFERENCES directory_services(id),
    municipality_id  TEXT NOT NULL REFERENCES municipalities(id),
    PRIMARY KEY (service_id, municipality_id)
);

CREATE TABLE directory_service_categories (
    service_id  TEXT NOT NULL REFERENCES directory_services(id),
    term_code   TEXT NOT NULL,
    PRIMARY KEY (service_id, term_code)
);

CREATE TABLE directory_service_fundings (
    service_id  TEXT NOT NULL REFERENCES directory_services(id),
    source      TEXT NOT NULL,
    PRIMARY KEY (service_id, source)
);

CREATE TABLE directory_service_languages (
    service_id  TEXT NOT NULL REFERENCES directory_services(id),
    code        TEXT NOT NULL,
    PRIMARY KEY (service_id, code)
);

CREATE TABLE directory_service_phones (
    service_id   TEXT NOT NULL REFERENCES directory_services(id),
    position     BIGINT NOT NULL,
    number       TEXT NOT NULL,
    description  TEXT,
    PRIMARY KEY (service_id, position)
);

-- Weekly opening periods: weekday 1 (Monday) to 7, times as "HH:MM" local time (Europe/Amsterdam).
CREATE TABLE directory_service_hours (
    service_id  TEXT NOT NULL REFERENCES directory_services(id),
    weekday     BIGINT NOT NULL,
    opens_at    TEXT NOT NULL,
    closes_at   TEXT NOT NULL,
    PRIMARY KEY (service_id, weekday, opens_at)
);

-- Every change to an entry: who, when, which fields with before and after (JSON array of
-- {"field", "before", "after"}). changed_by is NULL for imports and the demo.
CREATE TABLE directory_versions (
    id               TEXT PRIMARY KEY NOT NULL,
    entity           TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations(id),
    action           TEXT NOT NULL,
    changed_at       BIGINT NOT NULL,
    changed_by       TEXT REFERENCES users(id),
    changed_by_name  TEXT NOT NULL,
    fields           TEXT NOT NULL
);
CREATE INDEX directory_versions_entity ON directory_versions(entity_id, changed_at);
CREATE INDEX directory_versions_organisation ON directory_versions(organisation_id, changed_at);

-- "Klopt er iets niet?": anyone may report an error on an entry; the organisation's editors see it.
CREATE TABLE directory_reports (
    id           TEXT PRIMARY KEY NOT NULL,
    service_id   TEXT NOT NULL REFERENCES directory_services(id),
    message      TEXT NOT NULL,
    contact      TEXT,
    created_at   BIGINT NOT NULL,
    resolved_at  BIGINT,
    resolved_by  TEXT REFERENCES users(id)
);
CREATE INDEX directory_reports_service ON directory_reports(service_id, resolved_at);
