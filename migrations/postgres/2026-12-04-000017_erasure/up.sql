-- Erasure and retention (GDPR Art. 17): when an account was deactivated (retention counts
-- from then) and when it was erased (name, e-mail and personnel number replaced; the row
-- stays so that ideas, comments and history keep an author, shown as a former employee).
-- Twin of ../../sqlite/2026-12-04-000017_erasure/up.sql: keep both in step.

ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;
ALTER TABLE users ADD COLUMN erased_at TIMESTAMP;
UPDATE users SET deactivated_at = updated_at WHERE NOT active;
