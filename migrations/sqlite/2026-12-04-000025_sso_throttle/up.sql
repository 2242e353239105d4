-- Sign-in with the provider is throttled per client address (scope 'sso': a digest of the
-- address). SQLite cannot change a CHECK constraint, so the table is made again; its rows
-- live 15 minutes and are not kept.
-- Twin of ../../postgres/2026-12-04-000025_sso_throttle/up.sql: keep both in step.

DROP TABLE login_attempts;
CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address', 'pair', 'sso')),
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_subject_idx ON login_attempts (scope, subject, created_at);
CREATE INDEX login_attempts_created_idx ON login_attempts (created_at);
