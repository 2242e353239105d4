-- Organisations, the unit tree, users, refresh tokens and login throttling.
-- Twin of ../../sqlite/2026-11-26-000001_foundation/up.sql: keep both in step.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    default_locale TEXT NOT NULL DEFAULT 'de',
    min_group_size BIGINT NOT NULL DEFAULT 5 CHECK (min_group_size >= 3),
    weak_threshold DOUBLE PRECISION NOT NULL DEFAULT 60,
    weak_count BIGINT NOT NULL DEFAULT 2,
    stuck_stage_days BIGINT NOT NULL DEFAULT 30,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE units (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    parent_id TEXT,
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, parent_id) REFERENCES units (org_id, id)
);
CREATE INDEX units_parent_idx ON units (parent_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('employee', 'lead', 'manager', 'admin')),
    unit_id TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, unit_id) REFERENCES units (org_id, id)
);
CREATE INDEX users_org_idx ON users (org_id, id);
CREATE INDEX users_unit_idx ON users (unit_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    rotated_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Subjects are SHA-256 digests of the account e-mail or client address, so the
-- table never holds the raw addresses people typed.
CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_subject_idx ON login_attempts (scope, subject, created_at);
CREATE INDEX login_attempts_created_idx ON login_attempts (created_at);
