-- E-mail addresses are unique per organisation, not per installation: an admin of one
-- Kommune must not learn, from a refused address, that it is in use at another. Login
-- names the organisation where an address is used in several.
-- Twin of ../../sqlite/2026-12-03-000014_email_per_organization/up.sql.
ALTER TABLE users DROP CONSTRAINT users_email_key;
ALTER TABLE users ADD CONSTRAINT users_org_email_key UNIQUE (org_id, email);
CREATE INDEX users_email_idx ON users (email);
