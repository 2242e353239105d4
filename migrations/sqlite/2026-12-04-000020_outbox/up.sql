-- Notifications through a transactional outbox: every event is written in the same
-- transaction as the change it reports, one row per delivery target (a webhook
-- subscription); a background worker claims due rows, delivers them and retries with
-- backoff. Rows hold ids and what the receiver may read: never survey answers and never
-- the author of an anonymous idea.
-- Twin of ../../postgres/2026-12-04-000020_outbox/up.sql: keep both in step.

CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    url TEXT NOT NULL,
    -- Event types, comma-separated (e.g. "idea.submitted,comment.created").
    event_types TEXT NOT NULL,
    -- whsec_<base64>: the service signs with it, so it is kept as given.
    secret TEXT NOT NULL,
    -- After a rotation the old secret signs too until previous_secret_until.
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_subscriptions_org_idx ON webhook_subscriptions (org_id, id);

CREATE TABLE outbox_messages (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    event_type TEXT NOT NULL,
    -- The idea, comment or round the event is about.
    subject_id TEXT NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A worker's lease: until then no other worker claims the row; a killed worker's
    -- rows become claimable again when it passes.
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, next_attempt_at);
CREATE INDEX outbox_messages_org_status_idx ON outbox_messages (org_id, status, id);

-- Every delivery attempt of a subscription: when, the answer's status code or the error.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id);
