-- The personnel number from the staff import: the key by which a personnel system's list
-- finds a person again when their e-mail changed. Unique within an organisation where set.
-- Twin of ../../sqlite/2026-12-04-000016_personnel_number/up.sql: keep both in step.

ALTER TABLE users ADD COLUMN personnel_number TEXT;
CREATE UNIQUE INDEX users_personnel_number_idx ON users (org_id, personnel_number) WHERE personnel_number IS NOT NULL;
