-- Sessions: one row per sign-in (an API login's token family, later a browser session).
-- Access tokens name their session, and every request checks it, so ending a session
-- (logout, reuse of a refresh token, a password change or reset, deactivation) ends its
-- access at once. Rotation locks the session's row and revocation updates it, so the two
-- cannot pass each other.
-- Twin of ../../sqlite/2026-12-03-000012_sessions/up.sql: keep both in step.

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('api', 'web')),
    -- Browser sessions: SHA-256 of the cookie's random secret. API sessions keep their
    -- secrets in refresh_tokens.
    secret_hash TEXT UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    -- The absolute end; API sessions move it with each refresh.
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX sessions_user_idx ON sessions (user_id, revoked_at);

-- Token families from before had no session: their holders log in again.
DELETE FROM refresh_tokens;
