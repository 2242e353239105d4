-- Single sign-on with OpenID Connect (issue 15): per organisation the provider to sign in
-- with, the people it has signed in (by a digest of issuer and subject, never the raw
-- identifier), and the sign-ins under way (each usable once).
-- Twin of ../../postgres/2026-12-04-000019_sign_in/up.sql: keep both in step.

CREATE TABLE sign_in_configs (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    enabled BOOLEAN NOT NULL,
    issuer_url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- Write-only: no answer carries it.
    client_secret TEXT,
    -- Space-separated, as OAuth writes scopes.
    scopes TEXT NOT NULL,
    email_claim TEXT NOT NULL,
    groups_claim TEXT NOT NULL,
    -- JSON: [{"group": "...", "role": "lead", "unit_id": "..." | null}], in order.
    group_mappings TEXT NOT NULL,
    password_login BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sign_in_identities (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    -- SHA-256 of issuer and subject: recognises the person again, also after an erasure.
    subject_hash TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, subject_hash)
);
CREATE UNIQUE INDEX sign_in_identities_user_idx ON sign_in_identities (user_id);

CREATE TABLE sign_in_pending (
    -- SHA-256 of the state sent to the provider: the row is found by it and deleted on use.
    state_hash TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    return_to TEXT NOT NULL,
    -- web: a browser session; api: access and refresh tokens.
    mode TEXT NOT NULL CHECK (mode IN ('web', 'api')),
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_pending_expires_idx ON sign_in_pending (expires_at);
