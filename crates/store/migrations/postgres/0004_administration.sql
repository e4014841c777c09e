-- Administration and AVG rights: who invited an account, and erasure on request (the person's
-- fields are pseudonymised and the moment is kept; audit records stay, as NEN 7513 requires).
-- Keep this file in step with ../sqlite/0004_administration.sql: a test compares the two schemas.

ALTER TABLE users ADD COLUMN invited_by_user_id TEXT REFERENCES users(id);
ALTER TABLE users ADD COLUMN erased_at BIGINT;
ALTER TABLE people ADD COLUMN erased_at BIGINT;
