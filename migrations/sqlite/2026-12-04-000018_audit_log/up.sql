-- The audit trail: every administrative act with actor, time, organisation, action, object
-- and what changed (ids and values, never survey answers, names or e-mail addresses).
-- Entries form a hash chain per organisation: hash = SHA-256 over the previous entry's
-- hash and this entry's fields, so an edited, inserted or deleted entry is found.
-- Twin of ../../postgres/2026-12-04-000018_audit_log/up.sql: keep both in step.

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX audit_log_org_action_idx ON audit_log (org_id, action, seq);
CREATE INDEX audit_log_org_actor_idx ON audit_log (org_id, actor_id, seq);

-- The newest entry per organisation, written with it: deleting entries at the end of the
-- chain (which leaves no gap behind) is found by comparing with it.
CREATE TABLE audit_heads (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
