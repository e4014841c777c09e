-- Signaleren (issue 6): the latest complete checks per network and instrument in index order,
-- covering (no table lookups): the batch evaluation reads the latest two of each without sorting
-- a million rows.
-- Keep this file in step with the other backend's 0012: a test compares the two schemas.

CREATE INDEX screening_checks_latest
    ON screening_checks(network_id, instrument, completed_at DESC, id DESC, score)
    WHERE status = 'complete';
