-- Back to the tables without an organisation (see up.sql).
CREATE TABLE refresh_tokens_old (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    rotated_at TIMESTAMP,
    revoked_at TIMESTAMP
);
INSERT INTO refresh_tokens_old (id, user_id, family_id, token_hash, created_at, expires_at, rotated_at, revoked_at)
    SELECT id, user_id, family_id, token_hash, created_at, expires_at, rotated_at, revoked_at FROM refresh_tokens;
DROP TABLE refresh_tokens;
ALTER TABLE refresh_tokens_old RENAME TO refresh_tokens;
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE assessment_participation_old (
    round_id TEXT NOT NULL REFERENCES assessment_rounds (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round_id, user_id)
) WITHOUT ROWID;
INSERT INTO assessment_participation_old (round_id, user_id) SELECT round_id, user_id FROM assessment_participation;
DROP TABLE assessment_participation;
ALTER TABLE assessment_participation_old RENAME TO assessment_participation;
