-- E-mail through the outbox: one row per event (never per recipient). The worker works
-- out the recipients when it sends, so nothing an admin can list names the author of an
-- anonymous idea or anyone's participation. Same lease, backoff and failed state as the
-- webhook rows of 000020; 'skipped' when SMTP is not configured.
-- Twin of ../../postgres/2026-12-04-000022_mail/up.sql: keep both in step.

CREATE TABLE mail_messages (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    -- idea.submitted, idea.status_changed, idea.stuck, round.opened, round.reminder
    kind TEXT NOT NULL,
    -- The idea or round the mail is about.
    subject_id TEXT NOT NULL,
    -- What the mail says beyond the subject (stage, reason); never recipients.
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    -- For mails the scheduler writes (round reminders, ideas waiting too long): what makes
    -- them once only, so several instances write each one once.
    dedupe_key TEXT
);
CREATE INDEX mail_messages_due_idx ON mail_messages (status, next_attempt_at);
CREATE UNIQUE INDEX mail_messages_dedupe_idx ON mail_messages (dedupe_key);

-- A person's mail settings; no row means the organisation's language and idea mails on.
CREATE TABLE mail_preferences (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    -- 'de' or 'en'; NULL: the organisation's default_locale.
    language TEXT,
    idea_mails BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP NOT NULL
);
