-- Time spent in each stage, one row per stage an idea has left, written in the same
-- transaction as the step that left it. The pipeline report reads percentiles from the
-- (org_id, stage, seconds) index instead of replaying the history.
-- Twin of ../../sqlite/2026-11-26-000004_reports/up.sql: keep both in step.

CREATE TABLE idea_stage_spans (
    idea_id TEXT NOT NULL REFERENCES ideas (id),
    cycle BIGINT NOT NULL,
    stage TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    unit_id TEXT NOT NULL,
    entered_at TIMESTAMP NOT NULL,
    left_at TIMESTAMP NOT NULL,
    seconds DOUBLE PRECISION NOT NULL CHECK (seconds >= 0),
    PRIMARY KEY (idea_id, entered_at, stage)
);
CREATE INDEX idea_stage_spans_stage_idx ON idea_stage_spans (org_id, stage, seconds);
CREATE INDEX idea_stage_spans_unit_idx ON idea_stage_spans (org_id, unit_id, stage);

-- Ideas that existed before this migration: replay their history once.
INSERT INTO idea_stage_spans (idea_id, cycle, stage, org_id, unit_id, entered_at, left_at, seconds)
SELECT e.idea_id, e.cycle, e.to_status, e.org_id, i.unit_id, e.created_at, e.next_at,
       GREATEST(0, EXTRACT(EPOCH FROM (e.next_at - e.created_at)))::DOUBLE PRECISION
FROM (
    SELECT idea_id, cycle, to_status, org_id, created_at,
           LEAD(created_at) OVER (PARTITION BY idea_id ORDER BY created_at, id) AS next_at
    FROM idea_events
) e
JOIN ideas i ON i.id = e.idea_id
WHERE e.next_at IS NOT NULL;

-- Periods of months for the pipeline report use this index.
CREATE INDEX ideas_created_idx ON ideas (org_id, created_at);
CREATE INDEX idea_cycles_closed_idx ON idea_cycles (org_id, outcome, closed_at);
