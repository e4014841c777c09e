-- Single-use links for accounts: e-mail verification, invitation, password reset.
-- Only a SHA-256 of the token is stored; the token itself is only in the e-mail.
-- Keep this file in step with ../postgres/0003_account_links.sql: a test compares the two schemas.

CREATE TABLE account_links (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'invitation', 'password_reset')),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_links_user ON account_links(user_id);
