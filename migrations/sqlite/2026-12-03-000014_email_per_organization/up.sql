-- E-mail addresses are unique per organisation, not per installation: an admin of one
-- Kommune must not learn, from a refused address, that it is in use at another. Login
-- names the organisation where an address is used in several.
-- Twin of ../../postgres/2026-12-03-000014_email_per_organization/up.sql. SQLite rebuilds
-- the table (the only way to drop a UNIQUE constraint), with foreign key checks off while
-- the old table is replaced, in one transaction of its own (see metadata.toml).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE users_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
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
    UNIQUE (org_id, email),
    FOREIGN KEY (org_id, unit_id) REFERENCES units (org_id, id)
);
INSERT INTO users_rebuilt (id, org_id, email, display_name, role, unit_id, active, password_hash,
                           must_change_password, version, created_at, updated_at)
SELECT id, org_id, email, display_name, role, unit_id, active, password_hash,
       must_change_password, version, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_org_idx ON users (org_id, id);
CREATE INDEX users_unit_idx ON users (unit_id);
CREATE INDEX users_email_idx ON users (email);
COMMIT;
PRAGMA foreign_keys = ON;
