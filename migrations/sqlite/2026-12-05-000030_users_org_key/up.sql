-- Twin of ../../postgres/2026-12-05-000030_users_org_key/up.sql. SQLite holds one
-- installation per file and keeps its keys; the two tables that had no organisation of
-- their own get one, as the code writes and reads it on both backends.

CREATE TABLE refresh_tokens_new (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    rotated_at TIMESTAMP,
    revoked_at TIMESTAMP,
    org_id TEXT NOT NULL REFERENCES organizations (id)
);
INSERT INTO refresh_tokens_new (id, user_id, family_id, token_hash, created_at, expires_at, rotated_at, revoked_at, org_id)
    SELECT t.id, t.user_id, t.family_id, t.token_hash, t.created_at, t.expires_at, t.rotated_at, t.revoked_at, u.org_id
    FROM refresh_tokens t JOIN users u ON u.id = t.user_id;
DROP TABLE refresh_tokens;
ALTER TABLE refresh_tokens_new RENAME TO refresh_tokens;
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (org_id, user_id);

-- Who has answered: still no id and no timestamp, and still in key order.
CREATE TABLE assessment_participation_new (
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    org_id TEXT NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (round_id, user_id)
) WITHOUT ROWID;
INSERT INTO assessment_participation_new (round_id, user_id, org_id)
    SELECT p.round_id, p.user_id, r.org_id
    FROM assessment_participation p JOIN assessment_rounds r ON r.id = p.round_id;
DROP TABLE assessment_participation;
ALTER TABLE assessment_participation_new RENAME TO assessment_participation;
