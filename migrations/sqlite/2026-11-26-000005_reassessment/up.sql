-- Periodic reassessment: each organisation's schedule, and the period a round was opened for.
-- Twin of ../../postgres/2026-11-26-000005_reassessment/up.sql: keep both in step.

-- One row per organisation, written when an admin first saves the schedule. Period n is
-- due at first_due_at + n × interval_months (see domain::reassessment). Periods due
-- before effective_from (when the schedule was switched on or its timing last changed)
-- are not owed. configured_by is the admin who saved it last; scheduled rounds are
-- created in their name.
CREATE TABLE reassessment_schedules (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    enabled BOOLEAN NOT NULL,
    questionnaire_id TEXT,
    interval_months BIGINT NOT NULL CHECK (interval_months BETWEEN 1 AND 36),
    window_days BIGINT NOT NULL CHECK (window_days BETWEEN 1 AND 90),
    first_due_at TIMESTAMP NOT NULL,
    title_pattern TEXT NOT NULL,
    effective_from TIMESTAMP NOT NULL,
    configured_by TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    FOREIGN KEY (org_id, questionnaire_id) REFERENCES questionnaires (org_id, id),
    FOREIGN KEY (org_id, configured_by) REFERENCES users (org_id, id)
);

-- The period a scheduled round belongs to (its due date, YYYY-MM-DD); NULL for rounds
-- made by hand. The unique index is what lets several instances on one database open a
-- period's round exactly once: the second insert fails and is taken as "done already".
ALTER TABLE assessment_rounds ADD COLUMN period_key TEXT;
CREATE UNIQUE INDEX assessment_rounds_period_idx ON assessment_rounds (org_id, period_key);
