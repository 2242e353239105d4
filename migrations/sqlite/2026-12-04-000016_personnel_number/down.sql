DROP INDEX users_personnel_number_idx;
ALTER TABLE users DROP COLUMN personnel_number;
