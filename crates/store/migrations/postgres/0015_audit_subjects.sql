-- NEN 7513 access log: who looked at whose data. On SQLite the index by subject is filled in
-- batches off the request path (store::audit::index_subjects); see the SQLite migration for why.
-- PostgreSQL keeps its index on audit_log (audit_log_subject, migration 0002): measured with
-- scripts/bench-calls, writing it inside the request costs less there than the batch beside it
-- (p99 of /bellen 11.3–13.5 ms against 13.6–20.0 ms). The tables exist on both backends so the
-- schema is one; here the mark stays at 0, so a lookup (store::audit::subject_seqs) finds every
-- record in the "tail" past it, through audit_log_subject.
CREATE TABLE audit_subjects (
    subject_person_id  TEXT NOT NULL,
    seq                BIGINT NOT NULL,
    PRIMARY KEY (subject_person_id, seq)
);

CREATE TABLE audit_subjects_head (
    id            BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    indexed_upto  BIGINT NOT NULL
);

INSERT INTO audit_subjects_head (id, indexed_upto) VALUES (1, 0);
