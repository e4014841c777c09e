-- NEN 7513 access log: who looked at whose data, found through an index that is filled in
-- batches off the request path (store::audit::index_subjects) instead of one index entry per
-- record inside the request. A list page that shows 165 caregivers wrote 165 entries into 165
-- places of the old index, one page each, in every view; the batch writes each subject's
-- entries together. Records past the batch's mark are found by a short scan of the log's tail
-- (store::audit::subject_seqs), so a lookup by subject is complete at any moment.
DROP INDEX audit_log_subject;

CREATE TABLE audit_subjects (
    subject_person_id  TEXT NOT NULL,
    seq                BIGINT NOT NULL,
    PRIMARY KEY (subject_person_id, seq)
) WITHOUT ROWID;

-- How far the batch has come: every record with seq <= indexed_upto and a subject is in
-- audit_subjects.
CREATE TABLE audit_subjects_head (
    id            BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    indexed_upto  BIGINT NOT NULL
);

INSERT INTO audit_subjects (subject_person_id, seq)
    SELECT subject_person_id, seq FROM audit_log WHERE subject_person_id IS NOT NULL;
INSERT INTO audit_subjects_head (id, indexed_upto)
    SELECT 1, COALESCE(MAX(seq), 0) FROM audit_log;
