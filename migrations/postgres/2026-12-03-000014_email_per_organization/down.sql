DROP INDEX users_email_idx;
ALTER TABLE users DROP CONSTRAINT users_org_email_key;
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
