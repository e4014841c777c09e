-- PC4 postcode areas with their centroid, loaded by `mantelkring import pc4 FILE.csv` (upsert by
-- pc4). The social map turns a postcode into a point with this table, for distance search.
-- pc4 is the four-digit postcode as text ("2311"). municipality is NULL when the source file names
-- none (the reference file has a few such rows). Coordinates are WGS84 decimal degrees
-- (REAL is an 8-byte float in SQLite; PostgreSQL uses DOUBLE PRECISION, its REAL has 4 bytes).
-- imported_at: milliseconds since the Unix epoch, of the import that last wrote the row.
-- Keep this file in step with ../postgres/0006_postcodes.sql: a test compares the two schemas.

CREATE TABLE postcode_areas (
    pc4           TEXT PRIMARY KEY NOT NULL,
    place         TEXT NOT NULL,
    municipality  TEXT,
    province      TEXT NOT NULL,
    latitude      REAL NOT NULL,
    longitude     REAL NOT NULL,
    imported_at   BIGINT NOT NULL
);
