-- API tokens for integrations: scoped, revocable, owned by one user, used as
-- "Authorization: Bearer mk_…". Only a SHA-256 of the secret is stored; the secret itself is
-- shown once, when the token is made. Scopes are comma-separated (for example
-- "people:read,audit:read"). Times are milliseconds since the Unix epoch; expires_at NULL means
-- the token does not expire (it can always be revoked).
-- Keep this file in step with ../sqlite/0005_api_tokens.sql: a test compares the two schemas.

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    scopes        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
