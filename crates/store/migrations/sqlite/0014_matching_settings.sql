-- Hulpvraag en aanbod: a region's matching settings (the soft score's weights, the answer time,
-- how long a VOG counts), as checked JSON (core::matching::settings::RegionSettings). A region
-- without a row uses the defaults.
CREATE TABLE matching_settings (
    region_id           TEXT PRIMARY KEY NOT NULL REFERENCES regions(id),
    settings            TEXT NOT NULL,
    updated_by_user_id  TEXT REFERENCES users(id),
    updated_at          BIGINT NOT NULL
);
