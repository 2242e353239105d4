ALTER TABLE users DROP COLUMN erased_at;
ALTER TABLE users DROP COLUMN deactivated_at;
