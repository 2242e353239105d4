DROP TABLE login_attempts;
CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address', 'pair')),
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_subject_idx ON login_attempts (scope, subject, created_at);
CREATE INDEX login_attempts_created_idx ON login_attempts (created_at);
