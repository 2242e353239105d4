-- Login limits that hold under parallel attempts and cannot lock the owner out: failures
-- count per account and client address (5), per address (20), and per account across all
-- addresses (10, waived for addresses the account has signed in from before). The rows
-- of the old limits are ephemeral (15 minutes) and are not kept.
-- Twin of ../../sqlite/2026-12-03-000013_login_limits/up.sql: keep both in step.

DROP TABLE login_attempts;

-- Subjects are SHA-256 digests of the e-mail, the client address or both, so the table
-- never holds the raw addresses people typed.
CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address', 'pair')),
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_subject_idx ON login_attempts (scope, subject, created_at);
CREATE INDEX login_attempts_created_idx ON login_attempts (created_at);

-- Addresses an account signed in from (digest of both), for 90 days after the last time.
CREATE TABLE login_known_addresses (
    subject TEXT PRIMARY KEY NOT NULL,
    last_success_at TIMESTAMP NOT NULL
);
CREATE INDEX login_known_addresses_age_idx ON login_known_addresses (last_success_at);
